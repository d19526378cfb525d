"""The evaluation's table: the engine's arrays labelled once, one row per service, KPI and
assessment period, carrying every fact its explanation needs (so that an evaluation read back
from its JSON form explains itself just as the original does)."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints
from contractkit._kernel.months import KEY as PERIOD_KEY
from contractkit._kernel.months import period_of
from contractkit.evaluation._aggregate import Combined
from contractkit.evaluation._completeness import FAILURES, Completeness
from contractkit.evaluation._grid import Grid, Thresholds, commencement_dates
from contractkit.evaluation._labels import KEY, Label, distinct, floats, labelled_table
from contractkit.evaluation._plan import Plan
from contractkit.evaluation._spc import CHART_NAMES, SIGNAL_NAMES, Charts
from contractkit.evaluation._verdict import VERDICTS, Verdicts
from contractkit.model import Contract
from contractkit.model.embedding import schedule
from contractkit.model.issues import format_path
from contractkit.model.origin import locate

__all__ = [
    "COLUMNS",
    "DETAIL",
    "STATUS_NAMES",
    "Facts",
    "evaluation_meta",
    "last_day",
    "verdict_table",
]

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

DETAIL = (
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
"""The columns that follow :data:`COLUMNS`, in order."""


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
class _RowCodes:
    """Per grid row, the codes its labels are gathered by: one array for each, shared by every
    column it labels (so that each is made an index once)."""

    service: Ints
    kpi: Ints
    period: Ints
    period_names: list[str]
    span: Ints
    """Per row: its service's commencement date's place, times the stages, plus its stage."""
    spans: list[tuple[date, date | None]]
    """Per commencement date and stage: the stage's first and last day (None: the term's end)."""
    judging: Ints
    ref: Ints
    rule: Ints

    @classmethod
    def of(cls, contract: Contract, plan: Plan, facts: Facts) -> _RowCodes:
        grid, thresholds = facts.grid, facts.thresholds
        stages = contract.stages
        series_service = plan.series_service[grid.series]
        periods, period_index = distinct(grid.a_start * PERIOD_KEY + grid.a_months)
        # Stage dates depend only on the commencement date: one schedule per distinct date.
        dates, service_date = commencement_dates(contract)
        spans = [schedule(contract.stages, d) for d in dates]
        n_rules = len(contract.escalation)
        return cls(
            service=series_service,
            kpi=plan.series_kpi[grid.series],
            period=period_index,
            period_names=[
                str(period_of(int(p) // PERIOD_KEY, int(p) % PERIOD_KEY)) for p in periods
            ],
            span=service_date[series_service] * len(stages) + facts.stage,
            spans=[(span.start, last_day(span.end)) for sp in spans for span in sp],
            judging=np.where(thresholds.judging >= 0, thresholds.judging, len(stages)),
            ref=np.where(thresholds.ref >= 0, thresholds.ref, len(thresholds.refs)),
            rule=np.where(facts.escalation_rule >= 0, facts.escalation_rule, n_rules),
        )


Column = pl.Series | NDArray[Any] | Label


def verdict_table(contract: Contract, plan: Plan, facts: Facts, charts: Charts) -> pl.DataFrame:
    """The engine's arrays labelled, into the public table (:data:`COLUMNS`, then
    :data:`DETAIL`)."""
    codes = _RowCodes.of(contract, plan, facts)
    return labelled_table(
        {
            **_what_columns(contract, facts, codes),
            **_figure_columns(facts.thresholds, facts.combined, facts.verdicts),
            **_verdict_columns(contract, facts),
            **_more_columns(facts, charts),
            **_kpi_columns(contract, codes),
            **_stage_columns(contract, facts, codes),
            **_source_columns(contract, facts.thresholds, codes),
        }
    )


def _what_columns(contract: Contract, facts: Facts, codes: _RowCodes) -> dict[str, Column]:
    """What each row is about: the service, its provider, the KPI, the period and its stage."""
    services = contract.services
    return {
        "service": Label([s.id for s in services], codes.service, KEY),
        "provider": Label([s.provider for s in services], codes.service, KEY),
        "kpi": Label([k.id for k in contract.kpis], codes.kpi, KEY),
        "period": Label(codes.period_names, codes.period, KEY),
        "stage": Label([s.stage for s in contract.stages], facts.stage),
    }


def _figure_columns(
    thresholds: Thresholds, combined: Combined, verdicts: Verdicts
) -> dict[str, Column]:
    """The threshold, the combined figures, and the evidence of the verdict."""
    return {
        "threshold": floats(thresholds.level),
        "numerator": floats(combined.numerator),
        "denominator": floats(combined.denominator),
        "value": floats(combined.value),
        "observed": floats(verdicts.observed),
        "ci_lower": floats(verdicts.ci_lower),
        "ci_upper": floats(verdicts.ci_upper),
        "p_value": floats(verdicts.p_value),
        "min_detectable_shortfall": floats(verdicts.shortfall),
    }


def _verdict_columns(contract: Contract, facts: Facts) -> dict[str, Column]:
    """The status and level, the returns the verdict stands on, the SPC signal and the
    escalation step."""
    evidence = facts.evidence
    return {
        "status": Label(STATUS_NAMES, facts.status),
        "level": Label([None, "warning", "alarm"], facts.level),
        "returns_due": evidence.due,
        "returns_made": evidence.made,
        "returns_rejected": evidence.rejected,
        "complete": pl.Series(evidence.complete, dtype=pl.Boolean),
        "spc_signal": Label([SIGNAL_NAMES[i] for i in range(5)], facts.spc),
        "escalation": Label([None, *contract.steps], facts.escalation),
    }


def _more_columns(facts: Facts, charts: Charts) -> dict[str, Column]:
    """The chart of the SPC signal, a mean's figures, n, what a period for show would have been,
    how the reporting fell short and counted, and the rejected rows meant for the period."""
    combined, evidence = facts.combined, facts.evidence
    return {
        "spc_chart": Label(CHART_NAMES, charts.row_chart),
        "count": floats(combined.count),
        "sd": floats(combined.sd),
        "n": floats(facts.verdicts.n),
        "would_be": Label(STATUS_NAMES, facts.would_be),
        "would_be_level": Label([None, "warning", "alarm"], facts.would_be_level),
        "reporting_failure": Label(FAILURES, evidence.failure),
        "counted_as": Label([None, "assessed", "flagged", "alarm"], facts.counted_as),
        "rejected_rows": _rejected_rows(evidence, facts.grid.series.size),
    }


def _kpi_columns(contract: Contract, codes: _RowCodes) -> dict[str, Column]:
    """What the contract says of the row's KPI."""
    kpis, kpi = contract.kpis, codes.kpi
    return {
        "measure": Label([k.measure.value for k in kpis], kpi),
        "better": Label([k.better.value for k in kpis], kpi),
        "combine": Label([k.combine.value for k in kpis], kpi),
        "per": Label([k.per for k in kpis], kpi, dtype=pl.Int64),
        "unit": Label([k.unit for k in kpis], kpi),
        "kpi_name": Label([k.name for k in kpis], kpi),
        "clause": Label([k.clause for k in kpis], kpi),
    }


def _stage_columns(contract: Contract, facts: Facts, codes: _RowCodes) -> dict[str, Column]:
    """The service's commencement, and the row's stage: its mode and its first and last day."""
    return {
        "commences": Label([s.commences for s in contract.services], codes.service, pl.Date),
        "stage_mode": Label([s.mode.value for s in contract.stages], facts.stage),
        "stage_from": Label([start for start, _ in codes.spans], codes.span, pl.Date),
        "stage_to": Label([last for _, last in codes.spans], codes.span, pl.Date),
    }


def _source_columns(
    contract: Contract, thresholds: Thresholds, codes: _RowCodes
) -> dict[str, Column]:
    """Where the threshold came from (its stage, kind, place in the contract and detail), and
    the escalation rule that set the step."""
    refs = thresholds.refs
    rules = [rule.describe() for rule in contract.escalation]
    return {
        "threshold_stage": Label([*(s.stage for s in contract.stages), None], codes.judging),
        "threshold_kind": Label([*(r.kind for r in refs), None], codes.ref),
        "threshold_source": Label([*(_source(contract, r.path) for r in refs), None], codes.ref),
        "threshold_detail": Label([*(r.detail or None for r in refs), None], codes.ref),
        "escalation_rule": Label([*rules, None], codes.rule),
    }


def evaluation_meta(
    contract: Contract, *, as_of: date | None, end_month: int, profile: str, chart: str
) -> dict[str, Any]:
    """What the evaluation was of, to when and how: the record's head."""
    return {
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
            for k in contract.kpis
        },
        "flags": {"warning": contract.flags.warning, "alarm": contract.flags.alarm},
        "steps": list(contract.steps),
    }


def _source(contract: Contract, path: tuple[str | int, ...]) -> str:
    where = locate(contract, path)
    dotted = format_path(path)
    return f"{where} ({dotted})" if where else dotted


def last_day(end: date | None) -> date | None:
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
