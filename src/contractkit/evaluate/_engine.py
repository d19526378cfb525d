"""evaluate(): returns in, verdicts out — one pass over whole columns."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from contractkit.evaluate._aggregate import aggregate
from contractkit.evaluate._escalation import with_escalation
from contractkit.evaluate._evaluation import Evaluation
from contractkit.evaluate._grid import due_grid, with_stages, with_thresholds
from contractkit.evaluate._plan import compile_plan, month_index
from contractkit.evaluate._spc import spc_points, spc_summary
from contractkit.evaluate._verdict import judge
from contractkit.model import Contract
from contractkit.returns import Returns, read_returns
from contractkit.stats import PROFILES

__all__ = ["evaluate"]


def _end_month(as_of: date | None, returns: Returns, term_end: int) -> int:
    """The last month whose periods can be due: the last complete month by ``as_of``, or the
    last month in the data."""
    if as_of is not None:
        last_day = calendar.monthrange(as_of.year, as_of.month)[1]
        end = month_index(as_of) - (0 if as_of.day == last_day else 1)
    elif returns.accepted.height:
        end = int(returns.accepted.select((pl.col("start") + pl.col("months") - 1).max()).item())
    else:
        end = -(10**9)
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
) -> Evaluation:
    """Evaluate returns against a contract: a verdict for every service, KPI and due period.

    ``returns`` is a file (CSV, Excel, Parquet), a polars or pandas frame, or
    :class:`~contractkit.returns.Returns` already read. ``columns`` maps the file's columns
    onto the returns fields (``{"org_code": "provider", "attendances - breaches":
    "numerator"}``); ``where`` keeps only matching rows (``"type = '1'"``); ``as_of`` is the
    evaluation date (periods ending after it are not yet due); ``profile`` is the SPC profile
    (``mdc`` or ``nhsr``).
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown SPC profile {profile!r}: use one of {', '.join(PROFILES)}")
    plan = compile_plan(contract)
    if not isinstance(returns, Returns):
        returns = read_returns(
            returns, plan, columns=columns, where=where, as_of=as_of, sheet=sheet
        )
    end_month = _end_month(as_of, returns, plan.term_end_month)
    grid = due_grid(plan, end_month)
    combined = aggregate(returns.accepted, plan)
    rows = grid.join(combined, on=["series_code", "a_start"], how="left")
    rows = with_stages(rows, plan)
    rows, refs = with_thresholds(rows, plan)
    rows = rows.join(
        plan.kpis.select(
            "kpi_code", "measure", "better", "per", pl.col("reported_months").alias("r_months")
        ),
        on="kpi_code",
    )
    flags = contract.flags
    rows = judge(rows, warning=flags.warning, alarm=flags.alarm)
    reported = pl.col("reported").is_not_null()
    rows = rows.with_columns(
        status=pl.when(~pl.col("due"))
        .then(pl.lit("not_due"))
        .when(pl.col("shadow") | pl.col("threshold").is_null())
        .then(pl.lit("shadow"))
        .when(~reported)
        .then(pl.lit("not_reported"))
        .otherwise(pl.col("verdict")),
        level=pl.when(pl.col("due") & ~pl.col("shadow") & pl.col("threshold").is_not_null()).then(
            pl.col("verdict_level")
        ),
        would_be=pl.when(pl.col("due") & (pl.col("shadow") | pl.col("threshold").is_null())).then(
            pl.when(reported).then(pl.col("verdict")).otherwise(pl.lit("not_reported"))
        ),
        would_be_level=pl.when(pl.col("due") & pl.col("shadow")).then(pl.col("verdict_level")),
        expected=pl.col("a_months") // pl.col("r_months"),
        reported=pl.col("reported").fill_null(0),
    )
    points = spc_points(returns.accepted, plan, profile=profile)
    rows = rows.join(spc_summary(points), on=["series_code", "a_start"], how="left")
    rows = with_escalation(rows, contract)
    return Evaluation.build(
        contract=contract,
        plan=plan,
        rows=rows,
        refs=refs,
        returns=returns,
        points=points,
        as_of=as_of,
        end_month=end_month,
        profile=profile,
    )
