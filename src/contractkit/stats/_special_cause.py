"""The special-cause rules and the two icons, on any chart: given each point's value, centre
line, process limits and two-sigma lines, which points are special cause, and each series'
variation and assurance icons.

The XmR chart and the attribute charts (c, u, p, p′) share these rules; they differ only in
where their lines come from. Two things the attribute charts may add:

- **the chance of each side**: on a chart of small counts a point is far more likely on one
  side of the centre line than the other (a month with no incident sits below a centre line of
  0.06 nineteen times in twenty). A shift is then a run whose chance, as the product of each
  point's chance of being on its side, is at most the chance of the profile's run on a
  symmetric chart (½ to the power of the run length, 1/64 for six points). With each chance
  one half this is the plain rule: a run of at least the profile's length.
- **discrete limits**: limits that are whole counts (exact Poisson limits) are the most extreme
  common-cause values, so the assurance icon asks whether every value between them meets the
  target (a target on such a limit is met or missed by that value), not whether the target
  lies strictly outside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from contractkit.stats import blockwise

if TYPE_CHECKING:  # the profile's type only (spc imports this module)
    from contractkit.stats.spc import Profile

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

TOLERANCE = 1e-9
"""Relative tolerance for "on the mean", "on a limit" and ties between points."""
LOG_HALF = float(np.log(0.5))

# Signal codes in the batch arrays.
NO_CHART = -1
COMMON_CAUSE = 0
IMPROVEMENT = 1
CONCERN = 2
NEITHER = 3
SIGNAL_NAMES = {
    COMMON_CAUSE: "common_cause",
    IMPROVEMENT: "improvement",
    CONCERN: "concern",
    NEITHER: "neither",
}

VARIATIONS: tuple[str | None, ...] = (
    None,
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neither_high",
    "neither_low",
)
"""The variation icons, by code (0: none, the chart being too short)."""
ASSURANCES: tuple[str | None, ...] = (None, "pass", "fail", "hit_and_miss")
"""The assurance icons, by code (0: none, without a target and a direction, or limits)."""


def partitions(recalculate_at: Sequence[int], size: int) -> IntArray:
    """Each point's partition in a series of ``size`` points, new limits beginning at each
    index of ``recalculate_at`` (chosen by the user, never automatically)."""
    cuts = sorted(set(recalculate_at))
    if any(c <= 0 or c >= size for c in cuts):
        raise ValueError("recalculation points must be indexes inside the series (1 … n−1)")
    partition = np.zeros(size, dtype=np.int64)
    for cut in cuts:
        partition[cut:] += 1
    return partition


def point_findings(
    signal: NDArray[np.int8],
    astronomical: NDArray[np.bool_],
    trend: NDArray[np.bool_],
    two_of_three: NDArray[np.bool_],
    shift: NDArray[np.bool_],
) -> tuple[tuple[str | None, ...], tuple[tuple[str, ...], ...]]:
    """One series' findings in words: each point's signal (None where the chart is too short)
    and the special-cause rules that flagged it."""
    flags = (
        ("astronomical", astronomical),
        ("trend", trend),
        ("two_of_three", two_of_three),
        ("shift", shift),
    )
    signals = tuple(None if s == NO_CHART else SIGNAL_NAMES[int(s)] for s in signal)
    rules = tuple(tuple(name for name, found in flags if found[i]) for i in range(signal.size))
    return signals, rules


@attrs.frozen
class Layout:
    """Where series and partitions begin in a block of points laid end to end."""

    series_start: NDArray[np.bool_]
    """Per point: it begins a series."""
    series_points: IntArray
    """Per series: its number of points."""
    part_start: NDArray[np.bool_]
    """Per point: it begins a partition (a run of points sharing a centre line and limits)."""
    part_length: IntArray
    """Per partition: its number of points."""

    @property
    def starts(self) -> IntArray:
        """Per partition: the index of its first point."""
        return np.flatnonzero(self.part_start)

    @classmethod
    def of(cls, series_codes: IntArray, part_codes: IntArray) -> Layout:
        n = series_codes.shape[0]
        series_start = blockwise.run_starts(series_codes)
        series_points = np.diff(np.r_[np.flatnonzero(series_start), n]).astype(np.int64)
        part_start = blockwise.run_starts(part_codes) | series_start
        part_length = np.diff(np.r_[np.flatnonzero(part_start), n]).astype(np.int64)
        return cls(series_start, series_points, part_start, part_length)


@attrs.frozen
class Lines:
    """Each point's centre line, process limits and two-sigma lines (NaN limits: no chart),
    and ``spread``, the scale below which differences are rounding (three sigma, say)."""

    mean: FloatArray
    lower: FloatArray
    upper: FloatArray
    two_down: FloatArray
    two_up: FloatArray
    spread: FloatArray


def series_settings(
    n: int,
    series: ArrayLike,
    partition: ArrayLike | None,
    better: ArrayLike | None,
    target: ArrayLike | None,
) -> tuple[IntArray, IntArray, NDArray[np.int8], FloatArray]:
    """Per point, as arrays: the series codes, the partition codes (the series' own when there
    are no recalculations), the direction (+1 higher is better, -1 lower, 0 none; none when not
    given) and the target (NaN for none)."""
    series_codes = np.asarray(series, dtype=np.int64)
    part_codes = np.asarray(partition if partition is not None else series_codes, dtype=np.int64)
    direction = np.zeros(n, dtype=np.int8) if better is None else np.asarray(better, dtype=np.int8)
    goal = np.full(n, np.nan) if target is None else np.asarray(target, dtype=np.float64)
    return series_codes, part_codes, direction, goal


@attrs.frozen
class Found:
    """The rules' findings: per point, then per series. Every chart's results carry them (the
    XmR ``BatchChart`` and the attribute charts' ``ControlBatch`` derive from this class)."""

    signal: NDArray[np.int8]
    """Per point: -1 no chart (too short), 0 common cause, 1 improvement, 2 concern,
    3 neither."""
    side: NDArray[np.int8]
    """Per point: +1 high, -1 low, 0 none: the side of the signal."""
    astronomical: NDArray[np.bool_]
    shift: NDArray[np.bool_]
    trend: NDArray[np.bool_]
    two_of_three: NDArray[np.bool_]
    variation_code: NDArray[np.int8]
    """Per series: the variation icon's code (see ``VARIATIONS``)."""
    assurance_code: NDArray[np.int8]
    """Per series: the assurance icon's code (see ``ASSURANCES``)."""

    def fields(self) -> dict[str, Any]:
        """The findings by name, to build a chart's results from (``Any``: arrays of two
        dtypes, each checked by the class that takes them)."""
        return {field.name: getattr(self, field.name) for field in attrs.fields(Found)}


def _sign(difference: FloatArray, tolerance: FloatArray) -> NDArray[np.int8]:
    """+1, -1, or 0 where the difference is within the tolerance (booleans read as bytes)."""
    above = difference > tolerance
    below = difference < -tolerance
    signs: NDArray[np.int8] = above.view(np.int8) - below.view(np.int8)
    return signs


def _run_ids(state: NDArray[np.int8], breaks: NDArray[np.bool_]) -> NDArray[np.int32]:
    """Each element's run: runs of equal, non-zero states, broken at ``breaks``."""
    run_break = breaks | (state == 0)
    if state.shape[0] > 1:
        run_break[1:] |= state[1:] != state[:-1]
    ids: NDArray[np.int32] = np.cumsum(run_break, dtype=np.int32) - 1
    return ids


def _runs(state: NDArray[np.int8], breaks: NDArray[np.bool_]) -> NDArray[np.int32]:
    """For each element, the length of the run of equal, non-zero states it belongs to."""
    run_id = _run_ids(state, breaks)
    lengths = np.bincount(run_id).astype(np.int32)
    runs: NDArray[np.int32] = lengths[run_id]
    runs[state == 0] = 0
    return runs


def _unlikely_runs(
    state: NDArray[np.int8], breaks: NDArray[np.bool_], log_chance: FloatArray, run: int
) -> NDArray[np.bool_]:
    """Points in runs of equal, non-zero states whose chance (the product of each point's
    ``exp(log_chance)``) is at most ½ to the power ``run``."""
    run_id = _run_ids(state, breaks)
    totals = np.bincount(run_id, weights=np.where(state != 0, log_chance, 0.0))
    unlikely: NDArray[np.bool_] = (state != 0) & (totals[run_id] <= run * LOG_HALF * (1 - 1e-12))
    return unlikely


def special_causes(
    x: FloatArray,
    lines: Lines,
    layout: Layout,
    direction: NDArray[np.int8],
    goal: FloatArray,
    rules: Profile,
    no_chart_series: NDArray[np.bool_],
    *,
    log_high: FloatArray | None = None,
    log_low: FloatArray | None = None,
    discrete: NDArray[np.bool_] | None = None,
) -> Found:
    """The four rules and the icons for a block of whole series.

    ``log_high`` and ``log_low`` (optional, per point) are the logarithms of each point's
    chance of lying strictly above and strictly below its centre line; without them each is
    one half. ``discrete`` (optional, per series) marks charts whose limits are whole counts.
    """
    no_chart = np.repeat(no_chart_series, layout.series_points)
    mean, lower, upper = lines.mean, lines.lower, lines.upper
    # Comparisons ignore differences below a billionth of the chart's scale, so that a point
    # "exactly on" the mean or a limit does not depend on the order sums were taken in.
    tolerance = TOLERANCE * (np.abs(mean) + lines.spread + np.abs(x))
    side = _sign(x - mean, tolerance)
    segment_start = layout.series_start if rules.cross_partitions else layout.part_start

    astronomical = (x - upper > tolerance) | (lower - x > tolerance)
    if log_high is None or log_low is None:
        shift = _runs(side, segment_start) >= rules.shift
    else:
        own = np.where(side > 0, log_high, log_low)
        shift = _unlikely_runs(side, segment_start, own, rules.shift)
    trend = _Trend.of(x, segment_start, rules)
    two_of_three = _two_of_three(x, side, lines, tolerance, segment_start)
    high, low = _signal_sides(side, astronomical, shift, trend, two_of_three, rules)
    signal, signal_side = _signals(
        astronomical | shift | trend.points | two_of_three, direction, high, low
    )
    signal[no_chart] = NO_CHART
    signal_side[no_chart] = 0

    n = x.shape[0]
    last = np.flatnonzero(np.r_[layout.series_start[1:], True]) if n else np.array([], dtype=int)
    variation_code, assurance_code = icon_codes(
        signal[last],
        signal_side[last],
        direction[last],
        goal[last],
        lower[last],
        upper[last],
        no_chart_series,
        np.zeros(last.size, dtype=bool) if discrete is None else discrete,
    )
    return Found(
        signal=signal,
        side=signal_side,
        astronomical=astronomical & ~no_chart,
        shift=shift & ~no_chart,
        trend=trend.points & ~no_chart,
        two_of_three=two_of_three & ~no_chart,
        variation_code=variation_code,
        assurance_code=assurance_code,
    )


@attrs.frozen
class _Trend:
    """The trend rule's findings: per point, whether it is in a trend, on which side."""

    points: NDArray[np.bool_]
    """In a run of rises (or falls) as long as the profile's trend."""
    high: NDArray[np.bool_]
    """In a rising trend."""
    low: NDArray[np.bool_]
    """In a falling trend."""
    side: NDArray[np.int8]
    """+1 rising, -1 falling, 0 none; where a point is in both, the later trend's side."""

    @classmethod
    def of(cls, x: FloatArray, segment_start: NDArray[np.bool_], rules: Profile) -> _Trend:
        n = x.shape[0]
        step = np.zeros(n, dtype=np.int8)
        if n > 1:
            step[1:] = _sign(x[1:] - x[:-1], TOLERANCE * (np.abs(x[1:]) + np.abs(x[:-1])))
        step[segment_start] = 0
        step_in_trend = _runs(step, segment_start) >= rules.trend - 1
        points = step_in_trend.copy()
        points[:-1] |= step_in_trend[1:]
        # A point belongs to the trend of its own step (from the point before) and to the trend
        # of the next step (to the point after): where a fall meets a rise, it is in both.
        rising = step_in_trend & (step > 0)
        falling = step_in_trend & (step < 0)
        high = rising.copy()
        low = falling.copy()
        high[:-1] |= rising[1:]
        low[:-1] |= falling[1:]
        # Where one side must be chosen (NHSRplotthedots), the later trend wins: "if a point is
        # part of a trend either side, use right side".
        right = np.zeros(n, dtype=np.int8)
        if n > 1:
            right[:-1] = np.where(step_in_trend[1:], step[1:], 0)
        side = np.where(right != 0, right, np.where(step_in_trend, step, 0)).astype(np.int8)
        return cls(points, high, low, side)


def _two_of_three(
    x: FloatArray,
    side: NDArray[np.int8],
    lines: Lines,
    tolerance: FloatArray,
    segment_start: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Per point: of three consecutive points on one side of the mean, it is one of the two or
    three beyond the two-sigma line (and not beyond the process limit)."""
    n = x.shape[0]
    beyond = ((side > 0) & (x - lines.two_up > tolerance) & (x - lines.upper <= tolerance)) | (
        (side < 0) & (lines.two_down - x > tolerance) & (lines.lower - x <= tolerance)
    )
    found = np.zeros(n, dtype=bool)
    if n >= 3:
        same = (
            (side[:-2] != 0)
            & (side[:-2] == side[1:-1])
            & (side[1:-1] == side[2:])
            & ~segment_start[1:-1]
            & ~segment_start[2:]
        )
        count = beyond[:-2].astype(int) + beyond[1:-1] + beyond[2:]
        window = same & (count >= 2)
        for offset in range(3):
            found[offset : n - 2 + offset] |= window & beyond[offset : n - 2 + offset]
    return found


def _signal_sides(
    side: NDArray[np.int8],
    astronomical: NDArray[np.bool_],
    shift: NDArray[np.bool_],
    trend: _Trend,
    two_of_three: NDArray[np.bool_],
    rules: Profile,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per point: whether the rules flag it high, and low. With ``precedence`` the
    highest-ranked rule that flags a point decides its one side; otherwise astronomical, shift
    and two of three take the point's own side of the mean, and a trend its own direction."""
    if rules.conflict == "precedence":
        astro_side = np.where(astronomical, side, 0)
        tot_side = np.where(two_of_three, side, 0)
        shift_side = np.where(shift, side, 0)
        chosen = np.where(
            astro_side != 0,
            astro_side,
            np.where(trend.side != 0, trend.side, np.where(tot_side != 0, tot_side, shift_side)),
        )
        return chosen > 0, chosen < 0
    by_side = astronomical | shift | two_of_three
    return (by_side & (side > 0)) | trend.high, (by_side & (side < 0)) | trend.low


def _signals(
    flagged: NDArray[np.bool_],
    direction: NDArray[np.int8],
    high: NDArray[np.bool_],
    low: NDArray[np.bool_],
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Per point: the signal (common cause, improvement, concern or neither) and its side."""
    good = np.where(direction > 0, high, low)
    bad = np.where(direction > 0, low, high)
    signal = np.full(flagged.shape[0], COMMON_CAUSE, dtype=np.int8)
    signal[flagged & (direction == 0)] = NEITHER
    signal[flagged & (direction != 0) & bad] = CONCERN
    signal[flagged & (direction != 0) & good] = IMPROVEMENT  # improvement wins a conflict
    toward = np.where(direction > 0, 1, -1).astype(np.int8)  # the improving side
    signal_side = np.zeros(flagged.shape[0], dtype=np.int8)
    improving, concerning = signal == IMPROVEMENT, signal == CONCERN
    neither = signal == NEITHER
    signal_side[improving] = toward[improving]
    signal_side[concerning] = -toward[concerning]
    signal_side[neither] = np.where(high[neither], 1, -1)
    return signal, signal_side


def icon_codes(
    signal: NDArray[np.int8],
    side: NDArray[np.int8],
    direction: NDArray[np.int8],
    target: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    short: NDArray[np.bool_],
    discrete: NDArray[np.bool_],
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Each series' icons from its last point, as codes into VARIATIONS and ASSURANCES."""
    high = side > 0
    variation = np.select(
        [short, signal == COMMON_CAUSE, signal == IMPROVEMENT, signal == CONCERN],
        [0, 1, np.where(high, 2, 3), np.where(high, 4, 5)],
        np.where(high, 6, 7),
    ).astype(np.int8)
    # Continuous limits: pass when the target lies strictly outside them on the far side (a
    # target on a limit is hit and miss). Whole-count limits are the most extreme common-cause
    # values themselves: pass when every value between them meets the target, fail when none
    # does.
    passing = np.where(
        discrete,
        np.where(direction > 0, target <= lower, target >= upper),
        np.where(direction > 0, target < lower, target > upper),
    )
    failing = np.where(direction > 0, target > upper, target < lower)
    usable = (direction != 0) & np.isfinite(target) & np.isfinite(lower) & ~short
    assurance = np.where(~usable, 0, np.where(passing, 1, np.where(failing, 2, 3)))
    return variation, assurance.astype(np.int8)
