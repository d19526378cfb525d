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
    icon_series: NDArray[np.int64]
    """The series with a chart, each once."""
    icon_points: NDArray[np.int64]
    """Per such series: the points in its latest chart."""
    variation: NDArray[np.int8]
    """Per such series: the latest chart's variation icon (a code into ``VARIATIONS``)."""
    assurance: NDArray[np.int8]
    """Per such series: the latest chart's assurance icon, against the threshold in force for
    its last point (a code into ``ASSURANCES``)."""


def chart(
    accepted: pl.DataFrame, combined: Combined, plan: Plan, threshold: Floats, *, profile: str
) -> Charts:
    """XmR charts of every series, and each grid row's signal."""
    order = combined.order
    series = accepted.get_column("series_code").to_numpy().astype(np.int64)
    start = accepted.get_column("start").to_numpy().astype(np.int64)
    if series.size and not np.array_equal(order, np.arange(order.size)):
        series, start = series[order], start[order]
    columns = combined.columns
    # The points come in runs of one series: spread each series' values over its run.
    run_first = (
        np.flatnonzero(np.r_[True, series[1:] != series[:-1]])
        if series.size
        else np.array([], dtype=np.int64)
    )
    run_length = np.diff(np.r_[run_first, series.size])
    run_kpi = plan.series_kpi[series[run_first]]
    measure = np.repeat(plan.kpi_measure[run_kpi], run_length)
    per = np.repeat(plan.kpis.get_column("per").to_numpy().astype(np.float64)[run_kpi], run_length)
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
    row_signal = np.zeros(threshold.size, dtype=np.int8)
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
            icon_series=np.array([], dtype=np.int64),
            icon_points=np.array([], dtype=np.int64),
            variation=np.array([], dtype=np.int8),
            assurance=np.array([], dtype=np.int8),
        )
    s, m = series[picked], start[picked]
    step = plan.series_reported[s]
    new_chart = np.r_[True, (s[1:] != s[:-1]) | (m[1:] - m[:-1] != step[1:])]
    charts = np.cumsum(new_chart)
    better = np.repeat(
        plan.kpis.get_column("better").to_numpy().astype(np.int8)[run_kpi], run_length
    )[picked]
    rows = combined.row_of_point[picked]
    inside = rows >= 0
    # Each point's target is the threshold in force for its period (for the assurance icon).
    target = np.where(inside, threshold[np.maximum(rows, 0)], np.nan)
    result = xmr_batch(
        observed[picked], charts, better=better, target=target, profile=profile, icons=False
    )
    rank = _LOOKUP[result.signal.astype(np.int64) + 1]
    # The most telling signal of each grid row's points (they are contiguous).
    kept_rows, kept_rank = rows[inside], rank[inside]
    if kept_rows.size:
        firsts = np.flatnonzero(np.r_[True, kept_rows[1:] != kept_rows[:-1]])
        row_signal[kept_rows[firsts]] = np.maximum.reduceat(kept_rank, firsts)
    # Each series' icons come from its latest chart (the charts are numbered in order).
    chart_series = s[np.flatnonzero(np.r_[charts[1:] != charts[:-1], True])]
    latest = np.flatnonzero(np.r_[chart_series[1:] != chart_series[:-1], True])
    return Charts(
        index=order[picked],
        observed=observed[picked],
        mean=result.mean,
        lower_limit=result.lower_limit,
        upper_limit=result.upper_limit,
        signal=rank,
        row_signal=row_signal,
        icon_series=chart_series[latest],
        icon_points=result.series_points[latest],
        variation=result.variation_code[latest],
        assurance=result.assurance_code[latest],
    )
