"""SPC behind the verdicts: XmR charts on each series at its reporting frequency.

Each series' reported values (the observed proportion, rate, mean or count of each month, say)
are charted with the chosen profile's rules. A missing period, or one with nothing to observe
(a zero denominator), is never closed up: the chart starts again after it, so limits are never
computed across a gap. An assessment period's ``spc_signal`` is the most telling signal among
its reported periods: concern, then improvement, then neither, then common cause.
"""

from __future__ import annotations

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit.evaluation._aggregate import Combined
from contractkit.evaluation._plan import Plan
from contractkit.evaluation._verdict import observe
from contractkit.stats.spc import COMMON_CAUSE, CONCERN, IMPROVEMENT, NEITHER, xmr_batch

__all__ = ["SIGNAL_NAMES", "Charts", "chart"]

# Ranks, most telling first wins: 4 concern, 3 improvement, 2 neither, 1 common cause.
SIGNAL_NAMES = {0: None, 4: "concern", 3: "improvement", 2: "neither", 1: "common_cause"}
_LOOKUP = np.zeros(5, dtype=np.int8)  # indexed by the chart's signal code + 1 (-1 = no chart)
_LOOKUP[CONCERN + 1], _LOOKUP[IMPROVEMENT + 1] = 4, 3
_LOOKUP[NEITHER + 1], _LOOKUP[COMMON_CAUSE + 1] = 2, 1

Floats = NDArray[np.float64]


@attrs.frozen
class Charts:
    """The charted points (accepted rows with something to observe), and per grid row the most
    telling signal."""

    index: NDArray[np.int64]
    """The accepted rows charted, in series and month order."""
    observed: Floats
    mean: Floats
    lower_limit: Floats
    upper_limit: Floats
    signal: NDArray[np.int8]
    """Per point, a rank in ``SIGNAL_NAMES``."""
    row_signal: NDArray[np.int8]
    """Per grid row, a rank in ``SIGNAL_NAMES``."""


def chart(
    accepted: pl.DataFrame, combined: Combined, plan: Plan, grid_size: int, *, profile: str
) -> Charts:
    """XmR charts of every series, and each grid row's signal."""
    order = combined.order
    series = accepted.get_column("series_code").to_numpy().astype(np.int64)[order]
    start = accepted.get_column("start").to_numpy().astype(np.int64)[order]
    columns = combined.columns
    kpi = plan.series_kpi[series]
    measure = plan.kpi_measure[kpi]
    per = plan.kpis.get_column("per").to_numpy().astype(np.float64)[kpi]
    empty = np.full(series.size, np.nan)
    observed = observe(
        measure,
        per,
        columns.get("numerator", empty),
        columns.get("denominator", empty),
        columns.get("value"),
        columns.get("count"),
    )
    usable = np.isfinite(observed)
    picked = np.flatnonzero(usable)
    row_signal = np.zeros(grid_size, dtype=np.int8)
    if picked.size == 0:
        empty = np.array([], dtype=np.float64)
        return Charts(
            index=order[picked],
            observed=empty,
            mean=empty,
            lower_limit=empty,
            upper_limit=empty,
            signal=np.array([], dtype=np.int8),
            row_signal=row_signal,
        )
    s, m = series[picked], start[picked]
    step = plan.series_reported[s]
    new_chart = np.r_[True, (s[1:] != s[:-1]) | (m[1:] - m[:-1] != step[1:])]
    charts = np.cumsum(new_chart)
    better = plan.kpis.get_column("better").to_numpy().astype(np.int8)[plan.series_kpi[s]]
    result = xmr_batch(observed[picked], charts, better=better, profile=profile, icons=False)
    rank = _LOOKUP[result.signal.astype(np.int64) + 1]
    rows = combined.row_of_point[picked]
    inside = rows >= 0
    np.maximum.at(row_signal, rows[inside], rank[inside])
    return Charts(
        index=order[picked],
        observed=observed[picked],
        mean=result.mean,
        lower_limit=result.lower_limit,
        upper_limit=result.upper_limit,
        signal=rank,
        row_signal=row_signal,
    )
