"""evaluate(): returns in, verdicts out — one pass over whole columns."""

from __future__ import annotations

import calendar
import os
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit._kernel.months import month_number
from contractkit.errors import ArgumentError
from contractkit.evaluation import _spc
from contractkit.evaluation._aggregate import Combined, aggregate
from contractkit.evaluation._completeness import INCOMPLETE as SHORT
from contractkit.evaluation._completeness import Completeness, completeness, fits_a_period
from contractkit.evaluation._escalation import escalate
from contractkit.evaluation._evaluation import Evaluation, Facts
from contractkit.evaluation._grid import (
    Grid,
    Thresholds,
    build_grid,
    resolve_thresholds,
    stage_index,
)
from contractkit.evaluation._plan import Plan, compile_plan
from contractkit.evaluation._spc import CHART_CHOICES, ChartChoice
from contractkit.evaluation._verdict import (
    ALARM,
    COUNT,
    INSUFFICIENT,
    MET,
    UNDER,
    WITHIN,
    Figures,
    Verdicts,
    judge,
)
from contractkit.model import Contract
from contractkit.model.english import article
from contractkit.returns import Returns, parse_mapping, read_returns
from contractkit.stats import PROFILES

__all__ = ["evaluate"]

# Status codes (names in Evaluation): 1-4 are the verdicts, then these.
NOT_REPORTED, NOT_DUE, SHADOW, REJECTED_RETURN, INCOMPLETE = 5, 6, 7, 8, 9
_VERDICTS = (MET, WITHIN, UNDER, INSUFFICIENT)
_JUDGED = np.isin(np.arange(10), _VERDICTS)
"""Indexed by status code: a verdict on performance."""
_IN_FORCE = _JUDGED | np.isin(np.arange(10), (NOT_REPORTED, REJECTED_RETURN, INCOMPLETE))
"""Indexed by status code: a period the escalation rules may count (not shadow, not due)."""
# How a failure to report counts, by ReportingCount: 0 not at all, 1 flagged, 2 alarm.
_COUNTS = {"not_counted": 0, "flagged": 1, "alarm": 2}
Floats = NDArray[np.float64]


def _end_month(as_of: date | None, returns: Returns, plan: Plan) -> int:
    """The last month whose periods can be due: the last complete month by ``as_of``, or the
    last month in the data."""
    if as_of is not None:
        last_day = calendar.monthrange(as_of.year, as_of.month)[1]
        end = month_number(as_of) - (0 if as_of.day == last_day else 1)
    else:
        # The last month any return reaches, accepted or rejected but meant for one of its
        # series' periods (a rejected last return still shows the period was reached; a row
        # that fits no one period is no period's return, and reaches nothing).
        rejected = returns.attributable
        if rejected and rejected["row"].size:
            fits, _ = fits_a_period(plan, rejected)
            rejected = {key: np.asarray(rejected[key])[fits] for key in ("start", "months")}
        ends = [
            int((np.asarray(part["start"]) + np.asarray(part["months"]) - 1).max())
            for part in (returns.columns, rejected)
            if len(part.get("start", ()))
        ]
        end = max(ends, default=-(10**6))
    return min(end, plan.term_end_month)


def _the_contract(contract: object) -> Contract:
    """A contract, or the path of a file holding one (loaded here)."""
    if isinstance(contract, Contract):
        return contract
    if isinstance(contract, str | os.PathLike):
        from contractkit.spec import load

        spec = load(contract)
        if isinstance(spec, Contract):
            return spec
        raise ArgumentError(
            f"{contract}: is a {getattr(spec, 'kind', 'spec')}, not a contract: evaluate needs "
            "a contract"
        )
    raise ArgumentError(
        "evaluate needs a contract (a Contract, or the path of its YAML file), not "
        f"{article(type(contract).__name__)} {type(contract).__name__}"
    )


def _the_day(value: object) -> date | None:
    """The evaluation date: a date, a datetime (its date), or text written YYYY-MM-DD."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ArgumentError(f"as_of {value!r} is not a date: give a date, or text such as '2027-03-31'")


def evaluate(
    contract: Contract | str | os.PathLike[str],
    returns: Any,
    *,
    as_of: date | str | None = None,
    columns: Mapping[str, str] | None = None,
    where: str | None = None,
    sheet: str | None = None,
    profile: str = "mdc",
    chart: ChartChoice = "auto",
) -> Evaluation:
    """Evaluate returns against a contract: a verdict for every service, KPI and due period.

    ``contract`` is a :class:`~contractkit.Contract`, or the path of its YAML file.
    ``returns`` is a file (CSV, Excel, Parquet), a polars or pandas frame, or
    :class:`~contractkit.returns.Returns` already read. ``columns`` maps the file's columns
    onto the returns fields (``{"org_code": "provider", "attendances - breaches":
    "numerator"}``); ``where`` keeps only matching rows (``"type = '1'"``); ``as_of`` is the
    evaluation date, a date or text such as ``"2027-03-31"`` (periods ending after it are not
    yet due); ``profile`` is the SPC profile (``mdc`` or ``nhsr``); ``chart`` is ``auto`` (each
    series on the chart the documented rule chooses: c- and u-charts with exact Poisson limits,
    p or Laney p′ charts, XmR charts) or ``xmr`` (XmR charts throughout, as Making Data Count
    draws them).
    """
    _check_choices(where, profile, chart)
    contract = _the_contract(contract)
    as_of = _the_day(as_of)
    plan = compile_plan(contract)
    if not isinstance(returns, Returns):
        mapping = parse_mapping(columns) if columns else None
        returns = read_returns(
            returns, plan.series, columns=mapping, where=where, as_of=as_of, sheet=sheet
        )
    end_month = _end_month(as_of, returns, plan)
    facts, charts = _facts(plan, returns, end_month, profile=profile, chart=chart)
    return Evaluation.build(
        contract=contract,
        plan=plan,
        facts=facts,
        returns=returns,
        charts=charts,
        as_of=as_of,
        end_month=end_month,
        profile=profile,
        chart=chart,
    )


def _check_choices(where: object, profile: object, chart: object) -> None:
    """The filter is text, and the SPC profile and chart are ones there are."""
    if where is not None and not isinstance(where, str):
        raise ArgumentError(
            f"where is a filter written as text, such as \"type = '1'\"; got {type(where).__name__}"
        )
    if profile not in PROFILES:
        raise ArgumentError(f"unknown SPC profile {profile!r}: use one of {', '.join(PROFILES)}")
    if chart not in CHART_CHOICES:
        raise ArgumentError(f"unknown SPC chart {chart!r}: use one of {', '.join(CHART_CHOICES)}")


def _facts(
    plan: Plan, returns: Returns, end_month: int, *, profile: str, chart: ChartChoice
) -> tuple[Facts, _spc.Charts]:
    """Every fact of the evaluation, over the grid of its periods: the stage and threshold of
    each, its combined figures and verdict, the returns under it, its status, SPC signal and
    escalation step."""
    contract = plan.contract
    grid = build_grid(plan, end_month)
    combined = aggregate(returns.columns, grid, plan)
    stage = stage_index(grid, plan)
    thresholds = resolve_thresholds(grid, stage, plan)
    figures = _figures(plan, grid, combined, thresholds.level)
    verdicts = judge(figures, warning=contract.flags.warning, alarm=contract.flags.alarm)
    evidence = completeness(grid, plan, combined, returns.attributable)
    shown = _Shown.of(verdicts, evidence, plan, grid, thresholds, figures.higher)
    _withhold_unsettled(verdicts, (shown.status == INCOMPLETE) | (shown.would_be == INCOMPLETE))
    charts = _spc.chart(
        returns.columns, combined, plan, grid, thresholds.level, profile=profile, chart=chart
    )
    counted_as, assessed, flagged, alarm = _counted(
        shown.status, shown.level, shown.evidence, contract
    )
    rank, rule = escalate(grid.series, assessed, flagged, alarm, contract)
    facts = Facts(
        grid=grid,
        stage=stage,
        thresholds=thresholds,
        combined=combined,
        verdicts=verdicts,
        status=shown.status,
        level=shown.level,
        would_be=shown.would_be,
        would_be_level=shown.would_be_level,
        spc=charts.row_signal,
        escalation=rank,
        escalation_rule=rule,
        evidence=shown.evidence,
        counted_as=counted_as,
    )
    return facts, charts


def _figures(plan: Plan, grid: Grid, combined: Combined, threshold: Floats) -> Figures:
    """What each grid row's verdict is judged on."""
    kpi = plan.series_kpi[grid.series]
    return Figures(
        measure=plan.kpi_measure[kpi],
        higher=plan.kpi_better[kpi] > 0,
        per=plan.kpi_per[kpi],
        numerator=combined.numerator,
        denominator=combined.denominator,
        value=combined.value,
        count=combined.count,
        sd=combined.sd,
        threshold=threshold,
    )


@attrs.frozen
class _Shown:
    """Per grid row, what the table shows: its status and level, the status and level a period
    for show only would have had, and the returns under it."""

    status: NDArray[np.int8]
    level: NDArray[np.int8]
    would_be: NDArray[np.int8]
    would_be_level: NDArray[np.int8]
    evidence: Completeness

    @classmethod
    def of(
        cls,
        verdicts: Verdicts,
        evidence: Completeness,
        plan: Plan,
        grid: Grid,
        thresholds: Thresholds,
        higher: NDArray[np.bool_],
    ) -> _Shown:
        """The statuses from the verdicts, the returns under them, and whether each period is
        due and assessed."""
        would, would_level = _statuses(
            verdicts.verdict, verdicts.level, evidence, plan, grid, higher
        )
        # A period left without a verdict by returns missing from earlier in its year (a
        # year-to-date figure) fails the reporting obligation too: else one missing return
        # would leave the rest of the year unjudged and uncounted.
        unjudged = (would == INCOMPLETE) & (evidence.failure == 0)
        if unjudged.any():
            evidence = attrs.evolve(
                evidence, failure=np.where(unjudged, SHORT, evidence.failure).astype(np.int8)
            )
        status = np.where(~grid.due, NOT_DUE, np.where(thresholds.shadow, SHADOW, would)).astype(
            np.int8
        )
        due_shadow = grid.due & thresholds.shadow
        return cls(
            status=status,
            level=np.where(status == UNDER, would_level, 0).astype(np.int8),
            would_be=np.where(due_shadow, would, 0).astype(np.int8),
            would_be_level=np.where(due_shadow & (would == UNDER), would_level, 0).astype(np.int8),
            evidence=evidence,
        )


def _statuses(
    verdict: NDArray[np.int8],
    level: NDArray[np.int8],
    evidence: Completeness,
    plan: Plan,
    grid: Grid,
    higher: NDArray[np.bool_],
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Each period's status as if it were assessed, and its level, from its verdict and the
    returns under it.

    - no return made: ``rejected_return`` where rows meant for it were rejected, else
      ``not_reported``;
    - some returns missing or rejected: a proportion, rate or mean is judged on the returns that
      arrived (they estimate the period without bias), and the period is marked incomplete; a
      count added up over the period can show a breach (where lower is better) or a pass (where
      higher is better) but never the other, since the missing returns could only add to it:
      otherwise ``incomplete``; a snapshot (``last``) without the period's last return is
      ``incomplete``, since an earlier return is a different figure;
    - otherwise the verdict.
    """
    status = verdict.copy()
    none = evidence.made == 0
    status[none] = NOT_REPORTED
    status[none & (evidence.rejected > 0)] = REJECTED_RETURN
    partial = np.flatnonzero(~evidence.complete & ~none)
    if partial.size:  # only the periods with some returns missing need more
        kpi = plan.series_kpi[grid.series[partial]]
        combine = plan.kpi_combine[kpi]
        counted_up = (plan.kpi_measure[kpi] == COUNT) & (combine != 1)
        mine = verdict[partial]
        settled = np.where(higher[partial], mine == MET, mine == UNDER)
        unsettled = (counted_up & ~settled) | (combine == 1)
        status[partial[unsettled]] = INCOMPLETE
    return status, np.where(status == UNDER, level, 0).astype(np.int8)


def _withhold_unsettled(verdicts: Verdicts, unsettled: NDArray[np.bool_]) -> None:
    """A period that cannot be judged on what arrived shows its figures so far, but no test,
    interval or power: they would be about a part of the period, read as the whole."""
    for array in (verdicts.p_value, verdicts.shortfall, verdicts.ci_lower, verdicts.ci_upper):
        array[unsettled] = np.nan


def _counted(
    status: NDArray[np.int8], level: NDArray[np.int8], evidence: Completeness, contract: Contract
) -> tuple[NDArray[np.int8], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """How each period counts for the escalation rules: its verdict, or a failure to report
    weighed as the contract's ``reporting`` section says, whichever is the more serious.
    Returns the code (0 not counted, 1 assessed, 2 flagged, 3 alarm) and the three masks."""
    reporting = contract.reporting
    weight = np.array(
        [
            0,
            _COUNTS[reporting.missing.value],
            _COUNTS[reporting.for_rejected.value],
            _COUNTS[reporting.for_incomplete.value],
        ],
        dtype=np.int8,
    )
    judged = _JUDGED[status]
    failure = np.where(_IN_FORCE[status], weight[evidence.failure], 0)
    counted_as = np.select(
        [(level == ALARM) | (failure == 2), (status == UNDER) | (failure == 1), judged],
        [3, 2, 1],
        0,
    ).astype(np.int8)
    return counted_as, counted_as > 0, counted_as >= 2, counted_as == 3
