"""evaluate(): returns in, verdicts out — one pass over whole columns."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np

from contractkit.evaluation import _spc
from contractkit.evaluation._aggregate import aggregate
from contractkit.evaluation._escalation import escalate
from contractkit.evaluation._evaluation import Evaluation, Facts
from contractkit.evaluation._grid import build_grid, resolve_thresholds, stage_index
from contractkit.evaluation._plan import compile_plan, month_index
from contractkit.evaluation._spc import CHART_CHOICES, ChartChoice
from contractkit.evaluation._verdict import ALARM, UNDER, judge
from contractkit.model import Contract
from contractkit.returns import Returns, parse_mapping, read_returns
from contractkit.stats import PROFILES

__all__ = ["evaluate"]

# Status codes (names in Evaluation): 1-4 are the verdicts, then these.
NOT_REPORTED, NOT_DUE, SHADOW = 5, 6, 7


def _end_month(as_of: date | None, returns: Returns, term_end: int) -> int:
    """The last month whose periods can be due: the last complete month by ``as_of``, or the
    last month in the data."""
    if as_of is not None:
        last_day = calendar.monthrange(as_of.year, as_of.month)[1]
        end = month_index(as_of) - (0 if as_of.day == last_day else 1)
    elif returns.size:
        starts = returns.columns["start"]
        months = returns.columns["months"]
        end = int((starts + months - 1).max())
    else:
        end = -(10**6)
    return min(end, term_end)


def evaluate(
    contract: Contract,
    returns: Any,
    *,
    as_of: date | None = None,
    columns: Mapping[str, str] | None = None,
    where: str | None = None,
    sheet: str | None = None,
    profile: str = "mdc",
    chart: ChartChoice = "auto",
) -> Evaluation:
    """Evaluate returns against a contract: a verdict for every service, KPI and due period.

    ``returns`` is a file (CSV, Excel, Parquet), a polars or pandas frame, or
    :class:`~contractkit.returns.Returns` already read. ``columns`` maps the file's columns
    onto the returns fields (``{"org_code": "provider", "attendances - breaches":
    "numerator"}``); ``where`` keeps only matching rows (``"type = '1'"``); ``as_of`` is the
    evaluation date (periods ending after it are not yet due); ``profile`` is the SPC profile
    (``mdc`` or ``nhsr``); ``chart`` is ``auto`` (each series on the chart the documented rule
    chooses: c- and u-charts with exact Poisson limits, p or Laney p′ charts, XmR charts) or
    ``xmr`` (XmR charts throughout, as Making Data Count draws them).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown SPC profile {profile!r}: use one of {', '.join(PROFILES)}")
    if chart not in CHART_CHOICES:
        raise ValueError(f"unknown SPC chart {chart!r}: use one of {', '.join(CHART_CHOICES)}")
    plan = compile_plan(contract)
    if not isinstance(returns, Returns):
        mapping = parse_mapping(columns) if columns else None
        returns = read_returns(
            returns, plan, columns=mapping, where=where, as_of=as_of, sheet=sheet
        )
    end_month = _end_month(as_of, returns, plan.term_end_month)
    grid = build_grid(plan, end_month)
    combined = aggregate(returns.columns, grid, plan)
    stage = stage_index(grid, plan)
    thresholds = resolve_thresholds(grid, stage, plan)
    kpi = plan.series_kpi[grid.series]
    measure = plan.kpi_measure[kpi]
    higher = plan.kpi_better[kpi] > 0
    per = plan.kpi_per[kpi]
    verdicts = judge(
        measure,
        higher,
        per,
        combined.numerator,
        combined.denominator,
        combined.value,
        combined.count,
        combined.sd,
        thresholds.level,
        warning=contract.flags.warning,
        alarm=contract.flags.alarm,
    )
    reported = combined.reported > 0
    status = np.where(
        ~grid.due,
        NOT_DUE,
        np.where(thresholds.shadow, SHADOW, np.where(~reported, NOT_REPORTED, verdicts.verdict)),
    ).astype(np.int8)
    level = np.where((status == UNDER), verdicts.level, 0).astype(np.int8)
    due_shadow = grid.due & thresholds.shadow
    would_be = np.where(due_shadow, np.where(reported, verdicts.verdict, NOT_REPORTED), 0).astype(
        np.int8
    )
    would_be_level = np.where(due_shadow, verdicts.level, 0).astype(np.int8)
    charts = _spc.chart(
        returns.columns, combined, plan, grid, thresholds.level, profile=profile, chart=chart
    )
    assessed = (status >= 1) & (status <= NOT_REPORTED)
    flagged = (status == UNDER) | (status == NOT_REPORTED)
    rank, rule = escalate(grid.series, assessed, flagged, level == ALARM, contract)
    facts = Facts(
        grid=grid,
        stage=stage,
        thresholds=thresholds,
        combined=combined,
        verdicts=verdicts,
        status=status,
        level=level,
        would_be=would_be,
        would_be_level=would_be_level,
        spc=charts.row_signal,
        escalation=rank,
        escalation_rule=rule,
    )
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
