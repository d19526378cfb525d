"""Statistical process control: XmR charts with the NHS "Making Data Count" rules.

One implementation of the rules serves both faces: :func:`xmr` for one series in a notebook,
and :func:`xmr_batch` for many series at once (the evaluator's, at national scale), working on
whole columns with no Python loop per point.

The rules, precisely (see the docs' SPC page):

- centre line: the mean of each partition; moving ranges within a partition; limits at
  mean ± 2.66 × mean moving range; one and two sigma at a third and two thirds of that;
- astronomical point: strictly beyond a limit;
- shift: a run of points strictly on one side of the mean (a point on the mean breaks it);
- trend: a run of points each strictly above (or below) the one before (a tie breaks it);
- two of three: of three consecutive points on one side of the mean, two or three beyond the
  two-sigma line (a point beyond the process limit does not count; one on the limit does).

Profiles ``mdc`` (Making Data Count, the default) and ``nhsr`` (NHSRplotthedots) set the
details where the two differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from contractkit.stats import blockwise
from contractkit.stats._special_cause import (
    ASSURANCES,
    COMMON_CAUSE,
    CONCERN,
    IMPROVEMENT,
    NEITHER,
    NO_CHART,
    SIGNAL_NAMES,
    TOLERANCE,
    VARIATIONS,
    Found,
    Layout,
    Lines,
    partitions,
    point_findings,
    series_settings,
    special_causes,
)

__all__ = [
    "ASSURANCES",
    "COMMON_CAUSE",
    "CONCERN",
    "IMPROVEMENT",
    "NEITHER",
    "NO_CHART",
    "PROFILES",
    "SIGNAL_NAMES",
    "TOLERANCE",
    "VARIATIONS",
    "BatchChart",
    "Profile",
    "SeriesChart",
    "XmrChart",
    "xmr",
    "xmr_batch",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

SCALE = 2.66
"""Process limits sit this many mean moving ranges from the centre line."""
SCREEN = 3.267
"""NHSRplotthedots drops moving ranges at or above this many mean moving ranges."""

Better = Literal["higher", "lower"] | None


@attrs.frozen
class Profile:
    """The settings on which SPC tools differ."""

    name: str
    shift: int
    """Points in a run on one side of the mean that make a shift."""
    trend: int
    """Points in a run of rises (or falls) that make a trend."""
    screen_moving_ranges: bool
    """Drop moving ranges ≥ 3.267 × their mean, and recompute the mean moving range once."""
    cross_partitions: bool
    """Whether shift, trend and two-of-three runs may cross a recalculation point."""
    minimum_points: int
    """Charts with fewer points than this get..."""
    short_chart: Literal["mean_only", "trial_limits"]
    """...no limits and no signals (``mean_only``), or limits marked as trial limits."""
    conflict: Literal["improvement", "precedence"]
    """A point flagged both ways: improvement wins, or the highest-ranked rule decides
    (astronomical > trend > two of three > shift)."""


PROFILES: dict[str, Profile] = {
    "mdc": Profile(
        "mdc",
        shift=6,
        trend=6,
        screen_moving_ranges=False,
        cross_partitions=True,
        minimum_points=13,
        short_chart="mean_only",
        conflict="improvement",
    ),
    "nhsr": Profile(
        "nhsr",
        shift=7,
        trend=7,
        screen_moving_ranges=True,
        cross_partitions=False,
        minimum_points=13,
        short_chart="trial_limits",
        conflict="precedence",
    ),
}
"""The named profiles: ``mdc`` (MDC Single Chart Tool v5) and ``nhsr`` (NHSRplotthedots 0.2)."""


class PartitionLimits:
    """Centre lines and limits held once per partition (a run of points sharing them), spread
    over the points on demand."""

    partition_points: IntArray
    """Per partition: the number of points."""
    partition_mean: FloatArray
    partition_lower: FloatArray
    """Per partition: the lower process limit (NaN where the chart is too short for limits)."""
    partition_upper: FloatArray

    @property
    def mean(self) -> FloatArray:
        """Per point: the centre line."""
        return np.repeat(self.partition_mean, self.partition_points)

    @property
    def lower_limit(self) -> FloatArray:
        """Per point: the lower process limit."""
        return np.repeat(self.partition_lower, self.partition_points)

    @property
    def upper_limit(self) -> FloatArray:
        """Per point: the upper process limit."""
        return np.repeat(self.partition_upper, self.partition_points)


@attrs.frozen
class BatchChart(Found, PartitionLimits):
    """XmR results for many series at once: per partition, per point, then per series (in
    series order). The centre line and limits are held once per partition (a run of points
    with the same limits); :attr:`mean`, :attr:`lower_limit` and :attr:`upper_limit` spread
    them over the points. Per point and per series, the rules' findings (see ``Found``)."""

    partition_points: IntArray
    """Per partition: the number of points."""
    partition_mean: FloatArray
    partition_lower: FloatArray
    """Per partition: the lower process limit (NaN where the chart is too short for limits)."""
    partition_upper: FloatArray
    series_points: IntArray
    """Per series: the number of points."""
    trial: NDArray[np.bool_]
    """Per series: the limits are trial limits (too few points)."""
    variation: list[str | None]
    """Per series: the variation icon, from the last point."""
    assurance: list[str | None]
    """Per series: the assurance icon (needs a target and a direction)."""


def _contiguous_mean(
    values: FloatArray, starts: IntArray, mask: NDArray[np.bool_] | None
) -> FloatArray:
    """Means of contiguous groups beginning at ``starts`` (over the masked entries only)."""
    if mask is None:
        total = np.add.reduceat(values, starts)
        count = np.diff(np.r_[starts, values.shape[0]]).astype(np.float64)
    else:
        total = np.add.reduceat(np.where(mask, values, 0.0), starts)
        count = np.add.reduceat(mask.astype(np.float64), starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: FloatArray = np.where(count > 0, total / count, np.nan)
    return mean


def xmr_batch(
    values: ArrayLike,
    series: ArrayLike,
    *,
    partition: ArrayLike | None = None,
    better: ArrayLike | None = None,
    target: ArrayLike | None = None,
    profile: str | Profile = "mdc",
    baseline: int | None = None,
    icons: bool = True,
    bounds: tuple[float | None, float | None] | tuple[ArrayLike, ArrayLike] | None = None,
) -> BatchChart:
    """XmR charts for many series laid end to end.

    ``values`` are ordered by series, then time; ``series`` gives each point's series code
    (contiguous). ``partition`` (optional) gives partition codes, contiguous within a series,
    for recalculated limits. ``better`` is per point: +1 higher, -1 lower, 0 no direction.
    ``target`` is per point (NaN for none); the assurance icon uses a series' last target.
    ``baseline`` takes each partition's mean and moving range from its first N points only.
    ``icons=False`` leaves the per-series icons as codes only (``variation_code``,
    ``assurance_code``), without the lists of names. ``bounds`` (optional) holds the limits
    within what the measure allows: ``(0, 1)`` for a proportion, ``(0, None)`` for a count,
    each a number or an array per point (None: unbounded); Making Data Count does not clip.
    """
    rules = PROFILES[profile] if isinstance(profile, str) else profile
    x = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(
            "SPC needs a value at every point: a missing period must be excluded explicitly "
            "(or the series split), never closed up"
        )
    n = x.shape[0]
    series_codes, part_codes, direction, goal = series_settings(
        n, series, partition, better, target
    )
    limits = point_bounds(bounds, n)
    blocks = [
        _block(
            x[a:b],
            series_codes[a:b],
            part_codes[a:b],
            direction[a:b],
            goal[a:b],
            rules,
            baseline,
            None if limits is None else (limits[0][a:b], limits[1][a:b]),
        )
        for a, b in blockwise.series_blocks(series_codes)
    ]
    chart = blocks[0] if len(blocks) == 1 else _join(blocks)
    if icons:
        chart = attrs.evolve(
            chart,
            variation=[VARIATIONS[c] for c in chart.variation_code],
            assurance=[ASSURANCES[c] for c in chart.assurance_code],
        )
    return chart


def _join(blocks: list[BatchChart]) -> BatchChart:
    """One batch from consecutive blocks of whole series."""
    fields = {
        field.name: np.concatenate([getattr(block, field.name) for block in blocks])
        for field in attrs.fields(BatchChart)
        if field.name not in ("variation", "assurance")
    }
    return BatchChart(**fields, variation=[], assurance=[])


def _block(
    x: FloatArray,
    series_codes: IntArray,
    part_codes: IntArray,
    direction: NDArray[np.int8],
    goal: FloatArray,
    rules: Profile,
    baseline: int | None,
    bounds: tuple[FloatArray, FloatArray] | None,
) -> BatchChart:
    """XmR charts for a block of whole series (see :func:`xmr_batch`); icons as codes only."""
    n = x.shape[0]
    layout = Layout.of(series_codes, part_codes)
    starts = layout.starts
    part_length = layout.part_length
    centre, sigma = _xmr_sigma(x, layout, rules, baseline)
    short = layout.series_points < rules.minimum_points
    no_chart_series = short & (rules.short_chart == "mean_only")
    # Per-partition and per-series values spread over their points (contiguous runs): np.repeat
    # is far cheaper than gathering by an index per point.
    no_chart = np.repeat(no_chart_series, layout.series_points)
    mean = np.repeat(centre, part_length)
    sigma = np.repeat(sigma, part_length)
    lines = Lines(
        mean=mean,
        lower=np.where(no_chart, np.nan, mean - 3 * sigma),
        upper=np.where(no_chart, np.nan, mean + 3 * sigma),
        two_down=mean - 2 * sigma,
        two_up=mean + 2 * sigma,
        # (fmax: a chart without a moving range has a NaN sigma, which adds nothing here)
        spread=np.fmax(3 * sigma, 0.0) if n else sigma,
    )
    if bounds is not None:
        lines = clip_lines(lines, *bounds)
    found = special_causes(x, lines, layout, direction, goal, rules, no_chart_series)
    return BatchChart(
        **found.fields(),
        partition_points=part_length,
        partition_mean=centre,
        partition_lower=lines.lower[starts],
        partition_upper=lines.upper[starts],
        series_points=layout.series_points,
        trial=short & (rules.short_chart == "trial_limits"),
        variation=[],
        assurance=[],
    )


def _xmr_sigma(
    x: FloatArray, layout: Layout, rules: Profile, baseline: int | None
) -> tuple[FloatArray, FloatArray]:
    """Per partition: the centre line (the mean) and sigma (2.66 / 3 mean moving ranges), from
    the first ``baseline`` points of each partition where given."""
    n = x.shape[0]
    if n == 0:
        return np.array([]), np.array([])
    part_start, starts = layout.part_start, layout.starts
    if baseline is None:
        in_baseline = None
        has_range = ~part_start
    else:
        positions = np.arange(n)
        first_of_part = np.maximum.accumulate(np.where(part_start, positions, 0))
        in_baseline = (positions - first_of_part) < baseline
        has_range = ~part_start & in_baseline
    centre = _contiguous_mean(x, starts, in_baseline)
    # Each point's moving range from the point before (0 for the first, never counted: a
    # partition's first point has no range).
    moving_range = np.abs(np.diff(x, prepend=x[:1]))
    mr_mean = screened_mean_range(moving_range, starts, has_range, layout.part_length, rules)
    return centre, SCALE * mr_mean / 3


def screened_mean_range(
    moving_range: FloatArray,
    starts: IntArray,
    has_range: NDArray[np.bool_],
    part_length: IntArray,
    rules: Profile,
) -> FloatArray:
    """Per partition: the mean moving range, screened once where the profile says (ranges at
    or above 3.267 means dropped)."""
    mr_mean = _contiguous_mean(moving_range, starts, has_range)
    if rules.screen_moving_ranges:
        kept = has_range & (moving_range < SCREEN * np.repeat(mr_mean, part_length))
        mr_mean = _contiguous_mean(moving_range, starts, kept)
    return mr_mean


def clip_lines(lines: Lines, low: FloatArray, high: FloatArray) -> Lines:
    """The lines held within what the measure allows: ``low`` and ``high`` per point (-inf and
    inf where unbounded). A value cannot lie beyond a bound, so clipping changes no signal."""
    return attrs.evolve(
        lines,
        lower=np.clip(lines.lower, low, high),
        upper=np.clip(lines.upper, low, high),
        two_down=np.clip(lines.two_down, low, high),
        two_up=np.clip(lines.two_up, low, high),
    )


def point_bounds(
    bounds: tuple[float | None, float | None] | tuple[ArrayLike, ArrayLike] | None, n: int
) -> tuple[FloatArray, FloatArray] | None:
    """``bounds`` as a (low, high) pair of per-point arrays (None: no bounds)."""
    if bounds is None:
        return None
    low, high = bounds
    lows = np.broadcast_to(
        np.asarray(-np.inf if low is None else low, dtype=np.float64), (n,)
    ).copy()
    highs = np.broadcast_to(np.asarray(np.inf if high is None else high, dtype=np.float64), (n,))
    if np.any(np.isnan(lows)) or np.any(np.isnan(highs)) or np.any(lows > highs):
        raise ValueError("bounds must be (low, high) with low ≤ high (None for no bound)")
    return lows, highs.copy()


@attrs.frozen
class SeriesChart:
    """A control chart of one series: its lines and a signal for each point, and the two
    icons (what an XmR chart and an attribute chart both give)."""

    values: FloatArray
    """The plotted values."""
    mean: FloatArray
    lower_limit: FloatArray
    upper_limit: FloatArray
    signals: tuple[str | None, ...]
    """Per point: ``common_cause``, ``improvement``, ``concern`` or ``neither`` (None: the chart
    is too short for limits under this profile)."""
    rules: tuple[tuple[str, ...], ...]
    """Per point, the special-cause rules that flagged it."""
    variation: str | None
    """The variation icon: ``common_cause`` or ``improvement_high``, ``concern_low``, …"""
    assurance: str | None
    """``pass``, ``fail`` or ``hit_and_miss`` (None without a target and a direction)."""
    trial: bool
    """The limits are trial limits (fewer points than the profile wants)."""


@attrs.frozen
class XmrChart(SeriesChart):
    """An XmR chart of one series: limits and a signal for each point, and the two icons."""


def xmr(
    values: ArrayLike,
    *,
    better: Better = None,
    target: float | None = None,
    profile: str | Profile = "mdc",
    recalculate_at: Sequence[int] = (),
    baseline: int | None = None,
    bounds: tuple[float | None, float | None] | None = None,
) -> XmrChart:
    """An XmR chart of one series, with Making Data Count's special-cause rules.

    ``recalculate_at`` lists the indexes at which new limits begin (chosen by you, never
    automatically). ``baseline`` takes the mean and moving range from the first N points of
    each partition, extending the limits over the later ones. ``bounds`` holds the limits
    within what the measure allows, ``(0, 1)`` for a proportion or ``(0, None)`` for a count
    (by default they are not clipped, as Making Data Count has it).

        >>> chart = xmr([5, 6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 6, 12], better="higher", target=4)
        >>> chart.signals[-1], chart.variation, chart.assurance
        ('improvement', 'improvement_high', 'hit_and_miss')
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("xmr takes one series: a one-dimensional sequence of values")
    direction = {"higher": 1, "lower": -1, None: 0}[better]
    batch = xmr_batch(
        x,
        np.zeros(x.shape[0], dtype=np.int64),
        partition=partitions(recalculate_at, x.shape[0]),
        better=np.full(x.shape[0], direction, dtype=np.int8),
        target=np.full(x.shape[0], np.nan if target is None else target),
        profile=profile,
        baseline=baseline,
        bounds=bounds,
    )
    signals, rules = point_findings(
        batch.signal, batch.astronomical, batch.trend, batch.two_of_three, batch.shift
    )
    return XmrChart(
        values=x,
        mean=batch.mean,
        lower_limit=batch.lower_limit,
        upper_limit=batch.upper_limit,
        signals=signals,
        rules=rules,
        variation=batch.variation[0] if batch.variation else None,
        assurance=batch.assurance[0] if batch.assurance else None,
        trial=bool(batch.trial[0]) if batch.trial.size else False,
    )
