"""SPC behind the verdicts: XmR charts on each series at its reporting frequency.

Each series' reported values (the observed proportion, rate, mean or count of each month, say)
are charted with the chosen profile's rules. A missing period, or one with nothing to observe
(a zero denominator), is never closed up: the chart starts again after it, so limits are never
computed across a gap. An assessment period's ``spc_signal`` is the most telling signal among
its reported periods: concern, then improvement, then neither, then common cause.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit import _blocks
from contractkit.evaluation._aggregate import Combined
from contractkit.evaluation._plan import Plan
from contractkit.evaluation._verdict import observe
from contractkit.stats.spc import (
    COMMON_CAUSE,
    CONCERN,
    IMPROVEMENT,
    NEITHER,
    PartitionLimits,
    xmr_batch,
)

__all__ = ["SIGNAL_NAMES", "Charts", "chart"]

# Ranks, most telling first wins: 4 concern, 3 improvement, 2 neither, 1 common cause.
SIGNAL_NAMES = {0: None, 4: "concern", 3: "improvement", 2: "neither", 1: "common_cause"}
_LOOKUP = np.zeros(5, dtype=np.int8)  # indexed by the chart's signal code + 1 (-1 = no chart)
_LOOKUP[CONCERN + 1], _LOOKUP[IMPROVEMENT + 1] = 4, 3
_LOOKUP[NEITHER + 1], _LOOKUP[COMMON_CAUSE + 1] = 2, 1

Floats = NDArray[np.float64]


@attrs.frozen
class Charts(PartitionLimits):
    """The charted points (accepted rows with something to observe), and per grid row the most
    telling signal."""

    index: NDArray[np.int64]
    """The accepted rows charted, in series and month order."""
    observed: Floats
    partition_points: NDArray[np.int64]
    """Per run of points sharing limits (a chart, in order): its number of points."""
    partition_mean: Floats
    partition_lower: Floats
    partition_upper: Floats
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


_PARTS = (
    "index",
    "observed",
    "partition_points",
    "partition_mean",
    "partition_lower",
    "partition_upper",
    "signal",
    "icon_series",
    "icon_points",
    "variation",
    "assurance",
)


def chart(
    accepted: Mapping[str, NDArray[Any]],
    combined: Combined,
    plan: Plan,
    threshold: Floats,
    *,
    profile: str,
) -> Charts:
    """XmR charts of every series, and each grid row's signal.

    The points are taken a block of whole series at a time (see ``contractkit._blocks``), so
    that the working arrays stay small; only the results are kept at full length.
    """
    order = combined.order
    series = accepted["series_code"]
    start = accepted["start"]
    row_signal = np.zeros(threshold.size, dtype=np.int8)
    blocks = _blocks.series_blocks(series if order is None else series[order])
    parts = [
        _chart_block(
            slice(a, b),
            order,
            series,
            start,
            combined,
            plan,
            threshold,
            row_signal,
            profile,
        )
        for a, b in blocks
    ]
    joined = {name: np.concatenate([part[name] for part in parts]) for name in _PARTS}
    return Charts(row_signal=row_signal, **joined)


def _chart_block(
    block: slice,
    order: NDArray[np.int64] | None,
    series_codes: NDArray[Any],
    starts: NDArray[Any],
    combined: Combined,
    plan: Plan,
    threshold: Floats,
    row_signal: NDArray[np.int8],
    profile: str,
) -> dict[str, NDArray[Any]]:
    """The charts of one block of whole series (sorted points ``block``); fills in the grid
    rows' signals."""
    index = np.arange(block.start, block.stop) if order is None else order[block]
    series = series_codes[index].astype(np.int64)
    start = starts[index].astype(np.int64)
    columns = {name: values[block] for name, values in combined.columns.items()}
    run_first = np.flatnonzero(_blocks.run_starts(series))
    run_length = np.diff(np.r_[run_first, series.size])
    run_kpi = plan.series_kpi[series[run_first]]
    measure = np.repeat(plan.kpi_measure[run_kpi], run_length)
    per = np.repeat(plan.kpi_per[run_kpi], run_length)
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
    everything = bool(usable.all())
    picked = slice(None) if everything else np.flatnonzero(usable)
    s, m = series[picked], start[picked]
    if s.size == 0:
        return _no_points()
    step = plan.series_reported[s]
    new_chart = np.r_[True, (s[1:] != s[:-1]) | (m[1:] - m[:-1] != step[1:])]
    charts = np.cumsum(new_chart)
    better = np.repeat(plan.kpi_better[run_kpi], run_length)[picked]
    rows = combined.row_of_point[block][picked]
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
        firsts = np.flatnonzero(_blocks.run_starts(kept_rows))
        row_signal[kept_rows[firsts]] = np.maximum.reduceat(kept_rank, firsts)
    # Each series' icons come from its latest chart (the charts are numbered in order).
    chart_series = s[np.flatnonzero(np.r_[charts[1:] != charts[:-1], True])]
    latest = np.flatnonzero(np.r_[chart_series[1:] != chart_series[:-1], True])
    return {
        "index": index[picked],
        "observed": observed[picked],
        "partition_points": result.partition_points,
        "partition_mean": result.partition_mean,
        "partition_lower": result.partition_lower,
        "partition_upper": result.partition_upper,
        "signal": rank,
        "icon_series": chart_series[latest],
        "icon_points": result.series_points[latest],
        "variation": result.variation_code[latest],
        "assurance": result.assurance_code[latest],
    }


def _no_points() -> dict[str, NDArray[Any]]:
    floats, ints, codes = np.array([]), np.array([], dtype=np.int64), np.array([], dtype=np.int8)
    return {
        "index": ints,
        "observed": floats,
        "partition_points": ints,
        "partition_mean": floats,
        "partition_lower": floats,
        "partition_upper": floats,
        "signal": codes,
        "icon_series": ints,
        "icon_points": ints,
        "variation": codes,
        "assurance": codes,
    }
