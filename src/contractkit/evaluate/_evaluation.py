"""The result of an evaluation: a table first, with its account, SPC, escalation and reasons.

The table has one row per service, KPI and assessment period, and carries every fact its
explanation needs, so an evaluation read back from its JSON form explains itself just as the
original does.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from contractkit.evaluate._explain import Explanation, explain_row
from contractkit.evaluate._grid import ThresholdRef
from contractkit.evaluate._plan import Plan, period_text
from contractkit.model import Contract
from contractkit.model.origin import locate
from contractkit.periods import Period, parse_period
from contractkit.returns import Returns

__all__ = ["COLUMNS", "FORMAT", "VERSION", "Evaluation"]

FORMAT = "contractkit-evaluation"
VERSION = 1

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
    "spc_signal",
    "escalation",
)
"""The table's leading columns, in order (more follow: n, would-be status, the facts each
explanation cites)."""

_DETAIL = (
    "count",
    "sd",
    "n",
    "would_be",
    "would_be_level",
    "reported",
    "expected",
    "measure",
    "better",
    "per",
    "unit",
    "kpi_name",
    "clause",
    "commences",
    "stage_mode",
    "stage_from",
    "stage_until",
    "threshold_stage",
    "threshold_kind",
    "threshold_source",
    "threshold_detail",
    "escalation_rule",
)

_TEST = {
    "proportion": "exact binomial",
    "rate": "exact Poisson",
    "count": "exact Poisson",
    "mean": "one-sided t-test",
}


@attrs.frozen(eq=False)
class Evaluation:
    """Verdicts for every service, KPI and due period, with the evidence behind each.

    ``table`` has one row per service × KPI × assessment period (see :data:`COLUMNS`).
    ``account`` says what became of every input row; ``rejected`` holds the rows not used, each
    with its reason. ``points`` holds the SPC chart of each series at its reporting frequency.
    """

    table: pl.DataFrame
    rejected: pl.DataFrame
    account: dict[str, Any]
    points: pl.DataFrame
    meta: dict[str, Any]

    # --- building ------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        contract: Contract,
        plan: Plan,
        rows: pl.DataFrame,
        refs: Sequence[ThresholdRef],
        returns: Returns,
        points: pl.DataFrame,
        as_of: date | None,
        end_month: int,
        profile: str,
    ) -> Evaluation:
        """Assemble the public table from the engine's working columns."""
        stage_names = [s.stage for s in contract.stages]
        modes = [s.mode.value for s in contract.stages]
        spans = _stage_spans(contract)
        ref_table = pl.DataFrame(
            {
                "threshold_ref": list(range(len(refs))),
                "threshold_kind": [r.kind for r in refs],
                "threshold_source": [_source(contract, r.path) for r in refs],
                "threshold_detail": [r.detail for r in refs],
            },
            schema={
                "threshold_ref": pl.Int64,
                "threshold_kind": pl.String,
                "threshold_source": pl.String,
                "threshold_detail": pl.String,
            },
        )
        rule_text = {i: rule.describe() for i, rule in enumerate(contract.escalation)}
        kpi_table = pl.DataFrame(
            {
                "kpi_code": list(range(len(contract.kpis))),
                "kpi": [k.id for k in contract.kpis],
                "kpi_name": [k.name for k in contract.kpis],
                "clause": [k.clause for k in contract.kpis],
                "unit": [k.unit for k in contract.kpis],
            },
            schema={
                "kpi_code": pl.UInt32,
                "kpi": pl.String,
                "kpi_name": pl.String,
                "clause": pl.String,
                "unit": pl.String,
            },
        )
        table = (
            rows.join(
                plan.services.select("service_code", "service", "provider", "commences"),
                on="service_code",
            )
            .join(kpi_table, on="kpi_code")
            .join(spans, on=["service_code", "stage_index"], how="left")
            .join(ref_table, on="threshold_ref", how="left")
            .with_columns(
                period=period_text(pl.col("a_start"), pl.col("a_months")),
                stage=pl.col("stage_index").replace_strict(
                    dict(enumerate(stage_names)), return_dtype=pl.String
                ),
                stage_mode=pl.col("stage_index").replace_strict(
                    dict(enumerate(modes)), return_dtype=pl.String
                ),
                threshold_stage=pl.col("threshold_stage").replace_strict(
                    dict(enumerate(stage_names)), default=None, return_dtype=pl.String
                ),
                better=pl.when(pl.col("better") > 0)
                .then(pl.lit("higher"))
                .otherwise(pl.lit("lower")),
                escalation_rule=pl.col("escalation_rule").replace_strict(
                    rule_text, default=None, return_dtype=pl.String
                ),
                commences=pl.col("commences").cast(pl.String),
            )
            .sort("service_code", "kpi_code", "a_start")
            .select(*COLUMNS, *_DETAIL)
            .cast(_schema())  # type: ignore[arg-type]  # polars accepts a mapping of dtypes
        )
        point_table = (
            points.join(
                plan.series.join(plan.services.select("service_code", "service"), on="service_code")
                .join(kpi_table.select("kpi_code", "kpi"), on="kpi_code")
                .select("series_code", "service", "kpi"),
                on="series_code",
            ).select(
                "service",
                "kpi",
                period_text(pl.col("start"), pl.col("months")).alias("period"),
                "observed",
                "mean",
                "lower_limit",
                "upper_limit",
                "signal",
            )
            if points.height
            else pl.DataFrame(
                schema={
                    "service": pl.String,
                    "kpi": pl.String,
                    "period": pl.String,
                    "observed": pl.Float64,
                    "mean": pl.Float64,
                    "lower_limit": pl.Float64,
                    "upper_limit": pl.Float64,
                    "signal": pl.String,
                }
            )
        )
        evaluated_to = period_text(pl.lit(end_month), pl.lit(1)) if end_month > -(10**8) else None
        meta = {
            "contract": {"id": contract.id, "title": contract.title},
            "as_of": as_of.isoformat() if as_of else None,
            "evaluated_to": pl.select(evaluated_to).item() if evaluated_to is not None else None,
            "profile": profile,
            "flags": {"warning": contract.flags.warning, "alarm": contract.flags.alarm},
            "steps": list(contract.steps),
        }
        return cls(
            table=table,
            rejected=returns.rejected,
            account=returns.account,
            points=point_table,
            meta=meta,
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
        return explain_row(self.row(service, kpi, period), self.meta)

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
        its KPIs."""
        steps = self.meta["steps"]
        rank = {step: i + 1 for i, step in enumerate(steps)}
        return (
            self.table.with_columns(
                _rank=pl.col("escalation").replace_strict(rank, default=0, return_dtype=pl.Int32)
            )
            .group_by("service", "provider", "period", maintain_order=True)
            .agg(
                pl.col("_rank").max(),
                (pl.col("status") == "underperforming").sum().alias("underperforming"),
                (pl.col("status") == "not_reported").sum().alias("not_reported"),
            )
            .with_columns(
                escalation=pl.col("_rank").replace_strict(
                    {i + 1: s for i, s in enumerate(steps)}, default=None, return_dtype=pl.String
                )
            )
            .drop("_rank")
        )

    # --- writing ---------------------------------------------------------------------------------

    def to_csv(self, path: str | Path | None = None) -> str | None:
        """The table as CSV (text, or written to ``path``)."""
        if path is None:
            return self.table.write_csv()
        self.table.write_csv(path)
        return None

    def to_parquet(self, path: str | Path) -> None:
        """The table as a Parquet file."""
        self.table.write_parquet(path)

    def to_dict(self) -> dict[str, Any]:
        """The versioned, JSON-ready form: meta, account, rows (each with its explanation),
        rejected rows and SPC points."""
        rows = self.table.to_dicts()
        for row in rows:
            row["explanation"] = explain_row(row, self.meta).text
        return {
            "format": FORMAT,
            "version": VERSION,
            **self.meta,
            "account": self.account,
            "rows": rows,
            "rejected": self.rejected.with_columns(pl.all().cast(pl.String)).to_dicts(),
            "spc": self.points.to_dicts(),
        }

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 2) -> str | None:
        """The versioned JSON form (text, or written to ``path``); :meth:`from_json` reads it."""
        text = json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)
        if path is None:
            return text
        Path(path).write_text(text, encoding="utf-8")
        return None

    @classmethod
    def from_json(cls, source: str | Path) -> Evaluation:
        """Read an evaluation back from its JSON form (text or a file)."""
        text = (
            Path(source).read_text(encoding="utf-8")
            if isinstance(source, Path)
            or (isinstance(source, str) and not source.lstrip().startswith("{"))
            else str(source)
        )
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"not a contractkit evaluation (its 'format' is not {FORMAT!r})")
        if data.get("version") != VERSION:
            raise ValueError(
                f"evaluation format version {data.get('version')!r} is not "
                f"supported: this release reads version {VERSION}"
            )
        schema = _schema()
        rows = [{k: v for k, v in row.items() if k != "explanation"} for row in data["rows"]]
        table = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
        rejected = pl.DataFrame(data.get("rejected") or [])
        if rejected.height:
            rejected = rejected.with_columns(pl.col("row").cast(pl.Int64))
        points = pl.DataFrame(
            data.get("spc") or [],
            schema={
                "service": pl.String,
                "kpi": pl.String,
                "period": pl.String,
                "observed": pl.Float64,
                "mean": pl.Float64,
                "lower_limit": pl.Float64,
                "upper_limit": pl.Float64,
                "signal": pl.String,
            },
        )
        meta = {
            k: data[k] for k in ("contract", "as_of", "evaluated_to", "profile", "flags", "steps")
        }
        return cls(
            table=table, rejected=rejected, account=data["account"], points=points, meta=meta
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
            f"{self.meta['evaluated_to']}. Returns: {account['read']} rows read, "
            f"{account['accepted']} accepted, {account['rejected']} rejected, "
            f"{account['excluded']} excluded.</p>"
        )
        colours = {
            "underperforming": "#f8d7da",
            "not_reported": "#fff3cd",
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
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _source(contract: Contract, path: tuple[str | int, ...]) -> str:
    where = locate(contract, path)
    dotted = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
    return f"{where} ({dotted})" if where else dotted


def _stage_spans(contract: Contract) -> pl.DataFrame:
    records: dict[str, list[Any]] = {
        "service_code": [],
        "stage_index": [],
        "stage_from": [],
        "stage_until": [],
    }
    for code, service in enumerate(contract.services):
        for index, span in enumerate(contract.schedule(service)):
            records["service_code"].append(code)
            records["stage_index"].append(index)
            records["stage_from"].append(span.start.isoformat())
            records["stage_until"].append(span.end.isoformat() if span.end else None)
    return pl.DataFrame(
        records,
        schema={
            "service_code": pl.UInt32,
            "stage_index": pl.Int32,
            "stage_from": pl.String,
            "stage_until": pl.String,
        },
    )


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
    ints = ("reported", "expected", "per")
    return {
        c: (pl.Float64() if c in floats else pl.Int64() if c in ints else pl.String())
        for c in (*COLUMNS, *_DETAIL)
    }
