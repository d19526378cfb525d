"""Escalation: which step of the contract-management process each period calls for.

Each rule counts flagged periods (any level) or alarms within the most recent N *assessed*
periods of one service and KPI: shadow and not-yet-due periods never count, and a failure to
report counts as the contract's ``reporting`` section weighs it (by default as a flagged period:
a missing return is never a pass; see the engine's ``_counted``). The step at a period is the
most serious step any rule triggers there; a period that is not assessed carries the step
already in force. A service's step is the most serious across its KPIs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from contractkit.model import Contract
from contractkit.stats import blockwise

__all__ = ["escalate"]

Ints = NDArray[np.int64]


def escalate(
    series: Ints,
    assessed: NDArray[np.bool_],
    flagged: NDArray[np.bool_],
    alarm: NDArray[np.bool_],
    contract: Contract,
) -> tuple[Ints, Ints]:
    """Per row (sorted by series, then period): the step's rank (0: none; 1 the least serious
    step) and the index of the rule that set it (-1: none)."""
    size = series.size
    rank = np.zeros(size, dtype=np.int64)
    rule_index = np.full(size, -1, dtype=np.int64)
    if size == 0 or not contract.escalation:
        return rank, rule_index
    for a, b in blockwise.series_blocks(series):  # whole series at a time, in small blocks
        rank[a:b], rule_index[a:b] = _escalate(
            series[a:b], assessed[a:b], flagged[a:b], alarm[a:b], contract
        )
    return rank, rule_index


def _escalate(
    series: Ints,
    assessed: NDArray[np.bool_],
    flagged: NDArray[np.bool_],
    alarm: NDArray[np.bool_],
    contract: Contract,
) -> tuple[Ints, Ints]:
    """:func:`escalate` for a block of whole series."""
    size = series.size
    rank = np.zeros(size, dtype=np.int64)
    rule_index = np.full(size, -1, dtype=np.int64)
    steps = contract.steps
    rows = np.flatnonzero(assessed)
    s = series[rows]
    first = np.r_[True, s[1:] != s[:-1]]
    position = np.arange(rows.size)
    segment_start = np.maximum.accumulate(np.where(first, position, 0))
    counted_rank = np.zeros(rows.size, dtype=np.int64)
    counted_rule = np.full(rows.size, -1, dtype=np.int64)
    for index, rule in enumerate(contract.escalation):
        counted = (alarm if rule.alarms_only else flagged)[rows].astype(np.int64)
        running = np.r_[0, np.cumsum(counted)]
        since = np.maximum(position - rule.within + 1, segment_start)
        fired = running[position + 1] - running[since] >= rule.count
        severity = steps.index(rule.step) + 1
        better = fired & (severity > counted_rank)
        counted_rank = np.where(better, severity, counted_rank)
        counted_rule = np.where(better, index, counted_rule)
    rank[rows], rule_index[rows] = counted_rank, counted_rule
    # Carry the step in force into periods that are not assessed, within each series.
    series_start = np.r_[True, series[1:] != series[:-1]]
    last = np.maximum.accumulate(np.where(assessed, np.arange(size), -1))
    begun = np.maximum.accumulate(np.where(series_start, np.arange(size), 0))
    carry = ~assessed & (last >= begun)
    rank = np.where(carry, rank[np.maximum(last, 0)], rank)
    rule_index = np.where(carry, rule_index[np.maximum(last, 0)], rule_index)
    return rank, rule_index
