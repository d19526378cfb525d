"""The result of an evaluation: a table first, with its account, SPC, escalation and reasons.

The table has one row per service, KPI and assessment period, and carries every fact its
explanation needs, so an evaluation read back from its JSON form explains itself just as the
original does.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._account_line import account_line
from contractkit._kernel.months import period_of

if TYPE_CHECKING:
    from contractkit.returns import Returns
from contractkit._output_file import parquet_bytes, write_output
from contractkit._suggest import shortened
from contractkit.errors import RecordError
from contractkit.evaluation._aggregate import Combined
from contractkit.evaluation._completeness import FAILURES, Completeness
from contractkit.evaluation._explain import Explanation, explain_row
from contractkit.evaluation._grid import Grid, Thresholds, commencement_dates
from contractkit.evaluation._plan import Plan
from contractkit.evaluation._spc import CHART_NAMES, SIGNAL_NAMES, Charts, compared
from contractkit.evaluation._verdict import VERDICTS, Verdicts
from contractkit.model import Contract
from contractkit.model._base import format_path
from contractkit.model.embedding import schedule
from contractkit.model.origin import locate
from contractkit.periods import Period, parse_canonical, parse_period
from contractkit.stats.attribute import CHARTS
from contractkit.stats.spc import ASSURANCES, VARIATIONS

__all__ = ["COLUMNS", "FORMAT", "VERSION", "Evaluation", "Facts"]

FORMAT = "contractkit-evaluation"
VERSION = 2
"""The version of the JSON form written (version 1, before the returns behind each verdict
were recorded, is still read)."""

STATUS_NAMES: list[str | None] = [
    None,
    *(VERDICTS[i] for i in range(1, 5)),
    "not_reported",
    "not_due",
    "shadow",
    "rejected_return",
    "incomplete",
]
"""Each status code of the engine's arrays, and its name."""

COLUMNS = (
    "service",
    "provider",
    "kpi",
    "period",
    "stage",
    "threshold",
    "numerator",
    "denominator",
    "value",
    "observed",
    "ci_lower",
    "ci_upper",
    "p_value",
    "min_detectable_shortfall",
    "status",
    "level",
    "returns_due",
    "returns_made",
    "returns_rejected",
    "complete",
    "spc_signal",
    "escalation",
)
"""The table's leading columns, in order (more follow: n, would-be status, the facts each
explanation cites). Every verdict carries the evidence it stands on: the returns due in its
period, those made (accepted), the rows rejected that were meant for it, and whether its figure
stands on every return it needs (``complete``)."""

_DETAIL = (
    "spc_chart",
    "count",
    "sd",
    "n",
    "would_be",
    "would_be_level",
    "reporting_failure",
    "counted_as",
    "rejected_rows",
    "measure",
    "better",
    "combine",
    "per",
    "unit",
    "kpi_name",
    "clause",
    "commences",
    "stage_mode",
    "stage_from",
    "stage_to",
    "threshold_stage",
    "threshold_kind",
    "threshold_source",
    "threshold_detail",
    "escalation_rule",
)


@attrs.frozen(eq=False)
class Evaluation:
    """Verdicts for every service, KPI and due period, with the evidence behind each.

    ``table`` has one row per service × KPI × assessment period (see :data:`COLUMNS`).
    ``account`` says what became of every input row; ``rejected`` holds the rows not used, each
    with its reason. :attr:`points` holds the SPC chart of each series at its reporting
    frequency.
    """

    table: pl.DataFrame
    rejected: pl.DataFrame
    account: dict[str, Any]
    meta: dict[str, Any]
    icons: pl.DataFrame = attrs.field(repr=False)
    raw_points: _RawPoints | pl.DataFrame = attrs.field(repr=False)
    _cache: dict[str, pl.DataFrame] = attrs.field(factory=dict, repr=False)

    @property
    def points(self) -> pl.DataFrame:
        """The SPC points: service, kpi, period, chart, observed, target (the threshold on the
        point's own scale), mean, lower_limit, upper_limit, signal (labelled on first use)."""
        if isinstance(self.raw_points, pl.DataFrame):
            return self.raw_points
        if "points" not in self._cache:
            self._cache["points"] = self.raw_points.label()
        return self._cache["points"]

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        contract: Contract,
        plan: Plan,
        facts: Facts,
        returns: Returns,
        charts: Charts,
        as_of: date | None,
        end_month: int,
        profile: str,
        chart: str = "auto",
    ) -> Evaluation:
        """Label the engine's arrays once, into the public table."""
        grid, thresholds, combined, verdicts = (
            facts.grid,
            facts.thresholds,
            facts.combined,
            facts.verdicts,
        )
        series_service = plan.series_service[grid.series]
        kpi = plan.series_kpi[grid.series]
        stages = contract.stages
        services = contract.services
        kpis = contract.kpis
        steps = list(contract.steps)
        periods, period_index = _distinct(grid.a_start * 16 + grid.a_months)
        period_names = [str(period_of(int(p) // 16, int(p) % 16)) for p in periods]
        # Stage dates depend only on the commencement date: one schedule per distinct date.
        dates, service_date = commencement_dates(contract)
        span_index = service_date[series_service] * len(stages) + facts.stage
        spans = [schedule(contract.stages, d) for d in dates]
        refs = thresholds.refs
        ref = np.where(thresholds.ref >= 0, thresholds.ref, len(refs))
        judging = np.where(thresholds.judging >= 0, thresholds.judging, len(stages))
        status_names = STATUS_NAMES
        evidence = facts.evidence
        rules = [rule.describe() for rule in contract.escalation]
        table = _table(
            {
                "service": _Label([s.id for s in services], series_service, KEY),
                "provider": _Label([s.provider for s in services], series_service, KEY),
                "kpi": _Label([k.id for k in kpis], kpi, KEY),
                "period": _Label(period_names, period_index, KEY),
                "stage": _Label([s.stage for s in stages], facts.stage),
                "threshold": _floats(thresholds.level),
                "numerator": _floats(combined.numerator),
                "denominator": _floats(combined.denominator),
                "value": _floats(combined.value),
                "observed": _floats(verdicts.observed),
                "ci_lower": _floats(verdicts.ci_lower),
                "ci_upper": _floats(verdicts.ci_upper),
                "p_value": _floats(verdicts.p_value),
                "min_detectable_shortfall": _floats(verdicts.shortfall),
                "status": _Label(status_names, facts.status),
                "level": _Label([None, "warning", "alarm"], facts.level),
                "returns_due": evidence.due,
                "returns_made": evidence.made,
                "returns_rejected": evidence.rejected,
                "complete": pl.Series(evidence.complete, dtype=pl.Boolean),
                "spc_signal": _Label([SIGNAL_NAMES[i] for i in range(5)], facts.spc),
                "escalation": _Label([None, *steps], facts.escalation),
                "spc_chart": _Label(CHART_NAMES, charts.row_chart),
                "count": _floats(combined.count),
                "sd": _floats(combined.sd),
                "n": _floats(verdicts.n),
                "would_be": _Label(status_names, facts.would_be),
                "would_be_level": _Label([None, "warning", "alarm"], facts.would_be_level),
                "reporting_failure": _Label(FAILURES, evidence.failure),
                "counted_as": _Label([None, "assessed", "flagged", "alarm"], facts.counted_as),
                "rejected_rows": _rejected_rows(evidence, grid.series.size),
                "measure": _Label([k.measure.value for k in kpis], kpi),
                "better": _Label([k.better.value for k in kpis], kpi),
                "combine": _Label([k.combine.value for k in kpis], kpi),
                "per": _Label([k.per for k in kpis], kpi, dtype=pl.Int64),
                "unit": _Label([k.unit for k in kpis], kpi),
                "kpi_name": _Label([k.name for k in kpis], kpi),
                "clause": _Label([k.clause for k in kpis], kpi),
                "commences": _Label([s.commences for s in services], series_service, pl.Date),
                "stage_mode": _Label([s.mode.value for s in stages], facts.stage),
                "stage_from": _Label(
                    [span.start for sp in spans for span in sp], span_index, pl.Date
                ),
                "stage_to": _Label(
                    [_last_day(span.end) for sp in spans for span in sp], span_index, pl.Date
                ),
                "threshold_stage": _Label([*(s.stage for s in stages), None], judging),
                "threshold_kind": _Label([*(r.kind for r in refs), None], ref),
                "threshold_source": _Label([*(_source(contract, r.path) for r in refs), None], ref),
                "threshold_detail": _Label([*(r.detail or None for r in refs), None], ref),
                "escalation_rule": _Label(
                    [*rules, None],
                    np.where(facts.escalation_rule >= 0, facts.escalation_rule, len(rules)),
                ),
            }
        )
        meta = {
            "contract": {"id": contract.id, "title": contract.title},
            "as_of": as_of.isoformat() if as_of else None,
            "evaluated_to": str(period_of(end_month, 1)) if end_month > -(10**5) else None,
            "profile": profile,
            "chart": chart,
            "frequencies": {
                k.id: {
                    "reported": k.reported.months,
                    "assessed": k.assessed.months,
                    "combine": k.combine.value,
                }
                for k in kpis
            },
            "flags": {"warning": contract.flags.warning, "alarm": contract.flags.alarm},
            "steps": steps,
        }
        points = _RawPoints(plan=plan, accepted=returns.columns, charts=charts)
        icon_series = charts.icon_series
        icon_kpi = plan.series_kpi[icon_series]
        icons = pl.DataFrame(
            {
                "service": _labels([s.id for s in services], plan.series_service[icon_series], KEY),
                "kpi": _labels([k.id for k in kpis], icon_kpi, KEY),
                "points": charts.icon_points.astype(np.int64),
                "chart": _labels(CHARTS, charts.icon_chart),
                "variation": _labels(VARIATIONS, charts.variation),
                "assurance": _labels(ASSURANCES, charts.assurance),
                "target": _floats(charts.icon_target),
                "compared": _compared_labels(contract, grid, thresholds, icon_kpi, charts),
            }
        )
        return cls(
            table=table,
            rejected=returns.rejected,
            account=returns.account,
            raw_points=points,
            meta=meta,
            icons=icons,
        )

    # --- reading ---------------------------------------------------------------------------------

    def to_polars(self) -> pl.DataFrame:
        """The table as a polars frame."""
        return self.table

    def to_pandas(self) -> Any:
        """The table as a pandas frame (pandas must be installed)."""
        return self.table.to_pandas()

    def row(self, service: str, kpi: str, period: str | Period) -> dict[str, Any]:
        """One row as a dict (the period in any text form, or a Month/Quarter)."""
        wanted = str(parse_period(period))
        found = self.table.filter(
            (pl.col("service") == service) & (pl.col("kpi") == kpi) & (pl.col("period") == wanted)
        )
        if found.height == 0:
            known = self.table.filter((pl.col("service") == service) & (pl.col("kpi") == kpi))
            if known.height == 0:
                raise KeyError(f"no evaluation for service {service!r} and KPI {kpi!r}")
            periods = known.get_column("period").to_list()
            raise KeyError(
                f"no period {wanted} for {service}/{kpi}: the periods evaluated are "
                f"{periods[0]} to {periods[-1]}"
            )
        return found.row(0, named=True)

    def explain(self, service: str, kpi: str, period: str | Period) -> Explanation:
        """Why a row came out as it did: the stage, the threshold and the line it came from,
        the numbers, the test and its result, and the escalation rule that fired."""
        return explain_row(self.row(service, kpi, period), self.meta, self._rejected_reasons())

    def _rejected_reasons(self) -> dict[int, tuple[str, str]]:
        """Each rejected row's reason and message, by its row number (built once)."""
        cached = self._cache.get("rejected_reasons")
        if cached is None:
            cached = (
                self.rejected.select(
                    pl.col("row").cast(pl.Int64), pl.col("reason"), pl.col("message")
                )
                if self.rejected.height
                else pl.DataFrame(
                    schema={"row": pl.Int64, "reason": pl.String, "message": pl.String}
                )
            )
            self._cache["rejected_reasons"] = cached
        return {row: (reason, message) for row, reason, message in cached.iter_rows()}

    def spc_icons(self) -> pl.DataFrame:
        """Each series' SPC icons, from its latest chart (the run of points since any gap):
        ``points`` in it, its ``chart`` (``xmr``, ``c``, ``u``, ``p``, ``p_prime``,
        ``u_prime``), ``variation`` (``common_cause``, ``improvement_high``, ``concern_low``, …)
        and ``assurance`` (``pass``, ``fail``, ``hit_and_miss``) against ``target``, the
        threshold in force for its last point on that point's own scale (a count's share of its
        assessment period's), with ``compared`` saying it in words (``≤ 2 a quarter, as 0.67 a
        month``). Both icons are empty where the chart is too short for the profile, and
        assurance also without a threshold."""
        return self.icons

    def escalation(self) -> pl.DataFrame:
        """The current step for each service and KPI (at its latest evaluated period)."""
        return self.table.group_by("service", "provider", "kpi", maintain_order=True).agg(
            pl.col("period").last(),
            pl.col("status").last(),
            pl.col("escalation").last(),
            pl.col("escalation_rule").last(),
        )

    def services(self) -> pl.DataFrame:
        """The service-level view: for each service and period, the most serious step across
        its KPIs, and how many of its KPIs were underperforming, not reported, rejected or
        incomplete."""
        steps = self.meta["steps"]
        rank = {step: i + 1 for i, step in enumerate(steps)}
        # Periods of different kinds sort by their first day (looked up once per period).
        starts = {p: _period_start(p) for p in self.table.get_column("period").unique()}
        return (
            self.table.with_columns(
                _rank=pl.col("escalation").replace_strict(rank, default=0, return_dtype=pl.Int32)
            )
            .group_by("service", "provider", "period", maintain_order=True)
            .agg(
                pl.col("_rank").max(),
                (pl.col("status") == "underperforming").sum().alias("underperforming"),
                (pl.col("status") == "not_reported").sum().alias("not_reported"),
                (pl.col("status") == "rejected_return").sum().alias("rejected_return"),
                (
                    (pl.col("reporting_failure") == "incomplete")
                    & ~pl.col("status").is_in(["shadow", "not_due"])
                )
                .sum()
                .alias("incomplete"),
            )
            .with_columns(
                escalation=pl.col("_rank").replace_strict(
                    {i + 1: s for i, s in enumerate(steps)}, default=None, return_dtype=pl.String
                )
            )
            .drop("_rank")
            .with_columns(_start=pl.col("period").replace_strict(starts, return_dtype=pl.Int64))
            .sort("service", "_start", maintain_order=True)
            .drop("_start")
        )

    # --- writing ---------------------------------------------------------------------------------

    def to_csv(self, path: str | Path | None = None) -> str | None:
        """The table as CSV (text, or written to ``path``: a file that cannot be written is an
        :class:`~contractkit.errors.OutputError`)."""
        if path is None:
            return self.table.write_csv()
        write_output(path, self.table.write_csv())
        return None

    def to_parquet(self, path: str | Path) -> None:
        """The table as a Parquet file (one that cannot be written is an
        :class:`~contractkit.errors.OutputError`)."""
        write_output(path, parquet_bytes(self.table))

    def to_dict(self) -> dict[str, Any]:
        """The versioned, JSON-ready form: meta, account, rows (each with its explanation),
        rejected rows and SPC points."""
        rows = self.table.to_dicts()
        reasons = self._rejected_reasons()
        for row in rows:
            row["explanation"] = explain_row(row, self.meta, reasons).text
        return {
            "format": FORMAT,
            "version": VERSION,
            **self.meta,
            "account": self.account,
            "rows": rows,
            "rejected": self.rejected.with_columns(pl.all().cast(pl.String)).to_dicts(),
            "spc": self.points.to_dicts(),
            "spc_icons": self.icons.to_dicts(),
        }

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 2) -> str | None:
        """The versioned JSON form (text, or written to ``path``); :meth:`from_json` reads it."""
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)
        if path is None:
            return text
        write_output(path, text)
        return None

    @classmethod
    def from_json(cls, source: str | Path) -> Evaluation:
        """Read an evaluation back from its JSON form (text or a file).

        Anything that is not a readable record of an evaluation (no such file, text that is not
        JSON, another format or version, a record damaged since it was written) is a
        :class:`~contractkit.RecordError` saying which."""
        data = _record(source)
        try:
            return cls._from_record(data)
        except RecordError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError, pl.exceptions.PolarsError) as e:
            what = f"its part {e.args[0]!r} is missing" if isinstance(e, KeyError) else str(e)
            raise RecordError(
                f"the evaluation record is damaged: {shortened(what, 300)}; write it again with "
                "Evaluation.to_json or contractkit evaluate --format json"
            ) from e

    @classmethod
    def _from_record(cls, data: dict[str, Any]) -> Evaluation:
        schema = _schema()
        rows = [{k: v for k, v in row.items() if k != "explanation"} for row in data["rows"]]
        if data["version"] == 1:
            rows = [_from_version_1(row) for row in rows]
        read = {c: (pl.String if t == pl.Date else t) for c, t in schema.items()}
        table = pl.DataFrame(rows, schema=read) if rows else pl.DataFrame(schema=read)
        table = table.with_columns(
            pl.col(c).str.to_date() for c, t in schema.items() if t == pl.Date
        )
        rejected = pl.DataFrame(data.get("rejected") or [])
        if rejected.height:
            rejected = rejected.with_columns(pl.col("row").cast(pl.Int64))
        points = pl.DataFrame(
            data.get("spc") or [],
            schema={
                "service": KEY,
                "kpi": KEY,
                "period": KEY,
                "chart": TEXT,
                "observed": pl.Float64,
                "target": pl.Float64,
                "mean": pl.Float64,
                "lower_limit": pl.Float64,
                "upper_limit": pl.Float64,
                "signal": TEXT,
            },
        )
        meta = {k: data[k] for k in ("contract", "as_of", "evaluated_to", "profile")}
        # A version 1 record was charted on XmR charts throughout.
        meta["chart"] = data.get("chart", "xmr" if data["version"] == 1 else "auto")
        meta["frequencies"] = data.get("frequencies", {})
        meta.update((k, data[k]) for k in ("flags", "steps"))  # in the order build writes them
        icons = pl.DataFrame(
            data.get("spc_icons") or [],
            schema={
                "service": KEY,
                "kpi": KEY,
                "points": pl.Int64,
                "chart": TEXT,
                "variation": TEXT,
                "assurance": TEXT,
                "target": pl.Float64,
                "compared": TEXT,
            },
        )
        return cls(
            table=table,
            rejected=rejected,
            account=data["account"],
            raw_points=points,
            meta=meta,
            icons=icons,
        )

    # --- showing ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        counts = dict(self.table.group_by("status").len().rows())
        parts = ", ".join(f"{counts[s]} {s}" for s in sorted(counts))
        return (
            f"Evaluation(contract={self.meta['contract']['id']!r}, "
            f"to={self.meta['evaluated_to']}, {self.table.height} rows: {parts})"
        )

    def _repr_html_(self) -> str:
        account = self.account
        head = (
            f"<p><b>{html.escape(self.meta['contract']['id'])}</b>: "
            f"{html.escape(self.meta['contract']['title'])}, evaluated to "
            f"{self.meta['evaluated_to']}. Returns: {account_line(account)}.</p>"
        )
        colours = {
            "underperforming": "#f8d7da",
            "not_reported": "#fff3cd",
            "rejected_return": "#fff3cd",
            "incomplete": "#fff3cd",
            "within_variation": "#fdfdea",
            "met": "#e8f5e9",
            "shadow": "#eef1f5",
        }
        shown = self.table.select(*COLUMNS).head(200)
        cells = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
        body = []
        for row in shown.iter_rows(named=True):
            colour = colours.get(row["status"], "")
            tds = "".join(f"<td>{html.escape(_cell(row[c]))}</td>" for c in shown.columns)
            body.append(f'<tr style="background:{colour}">{tds}</tr>')
        more = (
            f"<p>… and {self.table.height - shown.height} more rows (to_polars() has them all).</p>"
            if self.table.height > shown.height
            else ""
        )
        return (
            f"{head}<table><thead><tr>{cells}</tr></thead><tbody>{''.join(body)}</tbody>"
            f"</table>{more}"
        )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _source(contract: Contract, path: tuple[str | int, ...]) -> str:
    where = locate(contract, path)
    dotted = format_path(path)
    return f"{where} ({dotted})" if where else dotted


_KEYS = ("service", "provider", "kpi", "period")


def _schema() -> dict[str, pl.DataType]:
    floats = (
        "threshold",
        "numerator",
        "denominator",
        "value",
        "observed",
        "ci_lower",
        "ci_upper",
        "p_value",
        "min_detectable_shortfall",
        "count",
        "sd",
        "n",
    )
    ints = ("returns_due", "returns_made", "returns_rejected", "per")
    dates = ("commences", "stage_from", "stage_to")
    return {
        c: (
            pl.Float64()
            if c in floats
            else pl.Int64()
            if c in ints
            else pl.Date()
            if c in dates
            else pl.Boolean()
            if c == "complete"
            else pl.String()
            if c == "rejected_rows"
            else KEY()
            if c in _KEYS
            else TEXT()
        )
        for c in (*COLUMNS, *_DETAIL)
    }


def _from_version_1(row: dict[str, Any]) -> dict[str, Any]:
    """A row of a version 1 record in version 2's terms: the returns made and due renamed, none
    recorded as rejected (version 1 did not attribute rejected rows to periods), how each
    period counted for escalation then, and a stage's exclusive end turned into its last day."""
    out = dict(row)
    made, due = out.pop("reported", None), out.pop("expected", None)
    until = out.pop("stage_until", None)
    out["returns_due"], out["returns_made"], out["returns_rejected"] = due, made, 0
    if made is None or due is None:
        out["complete"] = None
    else:
        out["complete"] = made >= due
    failure = None
    if due and made == 0:
        failure = "missing"
    elif due and made is not None and made < due:
        failure = "incomplete"
    out["reporting_failure"] = failure
    out["counted_as"] = _counted_in_version_1(out.get("status"), out.get("level"))
    out["rejected_rows"] = None
    out["combine"] = None
    last = _last_day(date.fromisoformat(until)) if until else None
    out["stage_to"] = last.isoformat() if last else None
    return out


def _counted_in_version_1(status: str | None, level: str | None) -> str | None:
    """How release 0.1.0 counted a period for escalation: every verdict and every missing
    return was assessed; an underperforming period and a missing return were flagged, and an
    alarm was an alarm. A verdict on some of a period's returns counted as that verdict."""
    if status == "underperforming":
        return "alarm" if level == "alarm" else "flagged"
    if status == "not_reported":
        return "flagged"
    if status in ("met", "within_variation", "insufficient_data"):
        return "assessed"
    return None


@attrs.frozen
class Facts:
    """The engine's arrays, one entry per grid row (series × assessment period)."""

    grid: Grid
    stage: NDArray[np.int64]
    thresholds: Thresholds
    combined: Combined
    verdicts: Verdicts
    status: NDArray[np.int8]
    level: NDArray[np.int8]
    would_be: NDArray[np.int8]
    would_be_level: NDArray[np.int8]
    spc: NDArray[np.int8]
    escalation: NDArray[np.int64]
    escalation_rule: NDArray[np.int64]
    evidence: Completeness
    counted_as: NDArray[np.int8]
    """0 not counted by the escalation rules, 1 assessed, 2 flagged, 3 alarm."""


@attrs.frozen
class _RawPoints:
    """SPC points before labelling (labelling ten million points is left until asked for)."""

    plan: Plan
    accepted: Mapping[str, NDArray[Any]]
    """The accepted rows' columns (see ``Returns.columns``)."""
    charts: Charts

    def label(self) -> pl.DataFrame:
        rows = self.charts.index
        series = np.asarray(self.accepted["series_code"], dtype=np.int64)[rows]
        start = np.asarray(self.accepted["start"], dtype=np.int64)[rows]
        months = np.asarray(self.accepted["months"], dtype=np.int64)[rows]
        contract = self.plan.contract
        periods, index = _distinct(start * 16 + months)
        names = [str(period_of(int(p) // 16, int(p) % 16)) for p in periods]
        return pl.DataFrame(
            {
                "service": _labels(
                    [s.id for s in contract.services], self.plan.series_service[series], KEY
                ),
                "kpi": _labels([k.id for k in contract.kpis], self.plan.series_kpi[series], KEY),
                "period": _labels(names, index, KEY),
                "chart": _labels(CHARTS, self.charts.chart),
                "observed": _floats(self.charts.observed),
                "target": _floats(self.charts.target),
                "mean": _floats(self.charts.mean),
                "lower_limit": _floats(self.charts.lower_limit),
                "upper_limit": _floats(self.charts.upper_limit),
                "signal": _labels([SIGNAL_NAMES[i] for i in range(5)], self.charts.signal),
            }
        )


KEY = pl.String
"""The identifying columns' type (service, provider, kpi, period): plain text, to join on."""
TEXT = pl.Categorical
"""The other text columns' type: words from a small vocabulary (a status, a stage, a KPI's
name). Each distinct text is held once and each row a small code: a quarter of the memory of
plain text. They compare with strings as text does, and become pandas categories."""


def _labels(values: Sequence[object], codes: NDArray[Any], dtype: Any = TEXT) -> pl.Series:
    """Each code's label: a gather from the small list of labels, not a string per row built
    in Python."""
    return pl.Series(values=list(values), dtype=dtype).gather(_index(codes))


def _index(codes: NDArray[Any]) -> pl.Series:
    """Codes as a polars index (32-bit, as polars gathers fastest)."""
    return pl.Series(np.asarray(codes).astype(np.uint32, copy=False))


@attrs.frozen
class _Label:
    """A column to be labelled (see :func:`_labels`): its labels, each row's code and the
    column's type."""

    values: Sequence[object]
    codes: NDArray[Any]
    dtype: Any = TEXT


def _table(columns: Mapping[str, pl.Series | NDArray[Any] | _Label]) -> pl.DataFrame:
    """A table from its columns, those to be labelled gathered together in one query, so that
    polars labels several at once (a third of the national evaluation's table is labels over
    three million rows). Columns labelled by the same codes share one index."""
    indexes: dict[int, str] = {}
    index_columns: dict[str, pl.Series] = {}
    gathers = []
    for name, column in columns.items():
        if isinstance(column, _Label):
            key = indexes.setdefault(id(column.codes), f"\0{len(indexes)}")
            if key not in index_columns:
                index_columns[key] = _index(column.codes)
            labels = pl.Series(values=list(column.values), dtype=column.dtype)
            gathers.append(pl.lit(labels).gather(pl.col(key)).alias(name))
    labelled = pl.DataFrame(index_columns).select(gathers) if gathers else pl.DataFrame()
    return pl.DataFrame(
        [
            labelled.get_column(name)
            if isinstance(column, _Label)
            else column.rename(name)
            if isinstance(column, pl.Series)
            else pl.Series(name, column)
            for name, column in columns.items()
        ]
    )


def _distinct(keys: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The distinct keys in order, and each key's place among them, as ``np.unique`` gives
    them with ``return_inverse``; in one pass rather than a sort where the keys span a small
    range (periods: a few hundred values over millions of rows).

        >>> [a.tolist() for a in _distinct(np.array([50, 20, 50, 30]))]
        [[20, 30, 50], [2, 0, 2, 1]]
    """
    keys = np.asarray(keys, dtype=np.int64)
    if keys.size == 0:
        return keys, keys
    low, high = int(keys.min()), int(keys.max())
    if high - low > 4 * keys.size + 1_000_000:
        distinct, index = np.unique(keys, return_inverse=True)
        return distinct, index.reshape(-1)
    present = np.zeros(high - low + 1, dtype=bool)
    present[keys - low] = True
    place = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, place[keys - low]


def _compared_labels(
    contract: Contract,
    grid: Grid,
    thresholds: Thresholds,
    icon_kpi: NDArray[np.int64],
    charts: Charts,
) -> pl.Series:
    """Each icon's comparison in words (``≤ 2 a quarter, as 0.67 a month``), worked out once
    per distinct KPI, threshold and assessment period."""
    rows = charts.icon_row
    inside = rows >= 0
    row = np.maximum(rows, 0)
    level = np.where(inside, thresholds.level[row], np.nan)
    a_start, a_months = grid.a_start[row], grid.a_months[row]
    covered = np.where(inside, a_start + a_months - (((a_start - 3) // 12) * 12 + 3), 0)
    # One whole-number key per icon: its KPI, its threshold's place among the distinct
    # thresholds, and the months a cumulative total covers (at most 12).
    levels, level_code = np.unique(level, return_inverse=True)
    key = (icon_kpi * (levels.size + 1) + level_code.reshape(-1)) * 16 + covered
    distinct, index = np.unique(key, return_inverse=True)
    texts: list[str | None] = []
    for code in distinct.tolist():
        kpi_code, rest = divmod(code // 16, levels.size + 1)
        threshold, months = float(levels[rest]), code % 16
        if not np.isfinite(threshold):
            texts.append(None)
            continue
        kpi = contract.kpis[int(kpi_code)]
        texts.append(
            compared(
                measure=kpi.measure.value,
                better=kpi.better.value,
                threshold=threshold,
                unit=kpi.unit,
                per=kpi.per,
                reported=kpi.reported.months,
                assessed=kpi.assessed.months,
                combine=kpi.combine.value,
                covered=int(months),
            )
        )
    return _labels(texts, np.asarray(index).reshape(-1))


def _period_start(text: str) -> int:
    """A period's first day, as an ordinal, for sorting periods of different kinds in time."""
    return parse_canonical(text).start.toordinal()


def _last_day(end: date | None) -> date | None:
    """The last day of a span that ends (exclusively) on ``end``; None for one that runs to the
    end of the term."""
    return None if end is None else date.fromordinal(end.toordinal() - 1)


def _rejected_rows(evidence: Completeness, size: int) -> pl.Series:
    """Per grid row, the rejected rows meant for its period, as text ("14, 15, 16"; the first
    few of many, with how many more)."""
    if evidence.rejected_at.size == 0:
        return pl.repeat(None, size, dtype=pl.String, eager=True)
    listed = (
        pl.DataFrame({"at": evidence.rejected_at, "row": evidence.rejected_row})
        .group_by("at", maintain_order=True)
        .agg(
            pl.col("row").head(_LISTED).cast(pl.String).str.join(", ").alias("first"),
            pl.len().alias("many"),
        )
        .select(
            "at",
            pl.when(pl.col("many") > _LISTED)
            .then(pl.format("{} and {} more", pl.col("first"), pl.col("many") - _LISTED))
            .otherwise(pl.col("first"))
            .alias("text"),
        )
    )
    every = pl.DataFrame({"at": np.arange(size)})
    out = every.join(listed, on="at", how="left", maintain_order="left")
    return out.get_column("text").rename("rejected_rows")


_LISTED = 10
"""At most this many rejected rows are named on a period's row."""


def _floats(values: NDArray[np.float64]) -> pl.Series:
    """Numbers, empty (null) where NaN. A column with no NaN shares the array (which nothing
    changes afterwards); one that is all NaN is all null without being copied."""
    empty = np.isnan(values)
    if not empty.any():
        return pl.Series(values=values, dtype=pl.Float64)
    if empty.all():
        return pl.repeat(None, values.size, dtype=pl.Float64, eager=True)
    return pl.Series(values=values, dtype=pl.Float64, nan_to_null=True)


def _record(source: str | Path) -> dict[str, Any]:
    """The JSON object of an evaluation record given as text or a file, checked to be one."""
    # Text that opens as JSON does (an object or an array) is the record; other text names a
    # file.
    named = isinstance(source, Path) or (
        isinstance(source, str) and not source.lstrip().startswith(("{", "["))
    )
    if not isinstance(source, str | Path):
        raise RecordError(
            f"an evaluation record is JSON text or a file, not {type(source).__name__}"
        )
    where = f"{shortened(str(source), 300)}: " if named else ""
    try:
        text = Path(source).read_text(encoding="utf-8") if named else str(source)
    except (OSError, ValueError) as e:  # no such file, a folder, not UTF-8, a NUL in the name
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise RecordError(f"{where}cannot read the evaluation record: {reason}") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise RecordError(f"{where}not JSON: {e.msg} at line {e.lineno}, column {e.colno}") from e
    except ValueError as e:  # a number of more digits than Python reads
        raise RecordError(f"{where}not an evaluation record: {shortened(str(e), 300)}") from e
    if not isinstance(data, dict):
        raise RecordError(
            f"{where}not a contractkit evaluation: the JSON is {type(data).__name__}, not an object"
        )
    if data.get("format") != FORMAT:
        raise RecordError(f"{where}not a contractkit evaluation (its 'format' is not {FORMAT!r})")
    if data.get("version") not in (1, VERSION):
        raise RecordError(
            f"{where}evaluation format version {shortened(repr(data.get('version')))} is not "
            f"supported: this release reads versions 1 and {VERSION}"
        )
    return data
