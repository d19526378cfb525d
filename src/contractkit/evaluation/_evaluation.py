"""The result of an evaluation: a table first, with its account, SPC, escalation and reasons.

The table has one row per service, KPI and assessment period, and carries every fact its
explanation needs, so an evaluation read back from its JSON form explains itself just as the
original does. The table is built in :mod:`._table` (labelled by :mod:`._labels`), the SPC
tables in :mod:`._spc_tables`, the JSON form read back in :mod:`._record` and the notebook view
in :mod:`._html`; :class:`Evaluation` is the one face of them all.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

import attrs
import polars as pl

from contractkit.errors import NotFoundError
from contractkit.evaluation._explain import Explanation, explain_row
from contractkit.evaluation._html import html_view
from contractkit.evaluation._plan import Plan
from contractkit.evaluation._record import FORMAT, VERSION, record_parts
from contractkit.evaluation._spc import Charts
from contractkit.evaluation._spc_tables import RawPoints, icon_table
from contractkit.evaluation._table import COLUMNS, Facts, evaluation_meta, verdict_table
from contractkit.model import Contract
from contractkit.periods import Period, parse_canonical, parse_period
from contractkit.results import Result

if TYPE_CHECKING:
    from contractkit.returns import Returns

__all__ = ["COLUMNS", "FORMAT", "VERSION", "Evaluation", "Facts"]


@attrs.frozen(eq=False)
class Evaluation(Result):
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
    raw_points: RawPoints | pl.DataFrame = attrs.field(repr=False)
    _cache: dict[str, pl.DataFrame] = attrs.field(factory=dict, repr=False)

    TABLES: ClassVar[tuple[str, ...]] = ("rows", "spc", "spc_icons", "escalation", "services")
    """The tables it holds: the verdicts (``rows``, the same as :attr:`table`), the SPC points
    (``spc``, :attr:`points`), each series' icons (``spc_icons``), the current escalation step
    of each service and KPI (``escalation``), and the service-level view (``services``)."""
    FORMAT: ClassVar[str] = FORMAT
    VERSIONS: ClassVar[tuple[int, ...]] = (1, VERSION)
    NOUN: ClassVar[str] = "evaluation"
    JSON_END: ClassVar[str] = ""
    REWRITE: ClassVar[str] = "Evaluation.to_json or contractkit evaluate --format json"

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
        return cls(
            table=verdict_table(contract, plan, facts, charts),
            rejected=returns.rejected,
            account=returns.account,
            raw_points=RawPoints(plan=plan, accepted=returns.columns, charts=charts),
            meta=evaluation_meta(
                contract, as_of=as_of, end_month=end_month, profile=profile, chart=chart
            ),
            icons=icon_table(contract, plan, facts.grid, facts.thresholds, charts),
        )

    # --- reading ---------------------------------------------------------------------------------

    def row(self, service: str, kpi: str, period: str | Period) -> dict[str, Any]:
        """One row as a dict (the period in any text form, or a Month/Quarter)."""
        wanted = str(parse_period(period))
        found = self.table.filter(
            (pl.col("service") == service) & (pl.col("kpi") == kpi) & (pl.col("period") == wanted)
        )
        if found.height == 0:
            known = self.table.filter((pl.col("service") == service) & (pl.col("kpi") == kpi))
            if known.height == 0:
                raise NotFoundError(f"no evaluation for service {service!r} and KPI {kpi!r}")
            periods = known.get_column("period").to_list()
            raise NotFoundError(
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

    # --- showing ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        counts = dict(self.table.group_by("status").len().rows())
        parts = ", ".join(f"{counts[s]} {s}" for s in sorted(counts))
        return (
            f"Evaluation(contract={self.meta['contract']['id']!r}, "
            f"to={self.meta['evaluated_to']}, {self.table.height} rows: {parts})"
        )

    def _frame(self, name: str) -> pl.DataFrame:
        frames = {
            "rows": lambda: self.table,
            "spc": lambda: self.points,
            "spc_icons": self.spc_icons,
            "escalation": self.escalation,
            "services": self.services,
        }
        return frames[name]()

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Evaluation:
        """An evaluation read back from its JSON form (version 1 in version 2's terms)."""
        return cls(**record_parts(data))

    def _repr_html_(self) -> str:
        return html_view(self.table, self.meta, self.account)


def _period_start(text: str) -> int:
    """A period's first day, as an ordinal, for sorting periods of different kinds in time."""
    return parse_canonical(text).start.toordinal()
