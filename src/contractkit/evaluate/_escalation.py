"""Escalation: which step of the contract-management process each period calls for.

Each rule counts flagged periods (any level) or alarms within the most recent N *assessed*
periods of one service and KPI: shadow and not-yet-due periods never count, and a missing return
(``not_reported``) counts as a flagged period — a missing return is never a pass. The step at a
period is the most serious step any rule triggers there; a service's step is the most serious
across its KPIs.
"""

from __future__ import annotations

import polars as pl

from contractkit.model import Contract

__all__ = ["COUNTED", "with_escalation"]

COUNTED = ("met", "within_variation", "underperforming", "insufficient_data", "not_reported")
"""The statuses of assessed periods: the ones escalation rules count within."""


def with_escalation(rows: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Add ``escalation`` (the step, or null), ``escalation_rule`` (the index of the rule that
    set it) and ``escalation_rank`` (1 for the least serious step)."""
    steps = contract.steps
    assessed = (
        rows.filter(pl.col("status").is_in(COUNTED))
        .select(
            "series_code",
            "a_start",
            flag=(pl.col("status").is_in(["underperforming", "not_reported"])).cast(pl.Int32),
            alarm=(pl.col("level") == "alarm").fill_null(False).cast(pl.Int32),
        )
        .sort("series_code", "a_start")
    )
    rank = pl.lit(0, pl.Int32)
    rule_index = pl.lit(None, pl.Int32)
    for index, rule in enumerate(contract.escalation):
        counted = pl.col("alarm") if rule.alarms_only else pl.col("flag")
        fired = (
            counted.rolling_sum(window_size=rule.within, min_samples=1).over("series_code")
            >= rule.count
        )
        severity = steps.index(rule.step) + 1
        better = fired & (pl.lit(severity) > rank)
        rule_index = pl.when(better).then(pl.lit(index, pl.Int32)).otherwise(rule_index)
        rank = pl.when(better).then(pl.lit(severity, pl.Int32)).otherwise(rank)
    assessed = assessed.with_columns(escalation_rank=rank, escalation_rule=rule_index).select(
        "series_code", "a_start", "escalation_rank", "escalation_rule"
    )
    rows = rows.join(assessed, on=["series_code", "a_start"], how="left").sort(
        "series_code", "a_start"
    )
    # A period that is not assessed (shadow, not due) carries the step already in force.
    rows = rows.with_columns(
        pl.col("escalation_rank").forward_fill().over("series_code").fill_null(0),
        pl.col("escalation_rule").forward_fill().over("series_code"),
    )
    names = {i + 1: step for i, step in enumerate(steps)}
    return rows.with_columns(
        escalation=pl.col("escalation_rank").replace_strict(
            names, default=None, return_dtype=pl.String
        )
    )
