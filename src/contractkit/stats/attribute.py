"""Attribute charts — c, u, p and Laney's p′ and u′ — and the rule that chooses a chart.

An XmR chart takes its limits from the moving ranges of the points, which serves most measures
well; but counts, rates and proportions have a known distribution, and with small numbers it
matters:

- **c-chart** (counts of events in equal periods) and **u-chart** (events over each period's
  own exposure): centre line the events over the exposure, limits **exact Poisson
  probability limits** — the most extreme counts that the centre line's Poisson distribution
  exceeds with a chance of at most 0.135% each side (the chance of a normal point beyond three
  sigma), so that a single incident among months of none is not special cause. Whole counts on
  the count scale, shown on the chart's scale (events ÷ exposure × ``per``).
  ``limits="sigma"`` gives the textbooks' centre ± 3 √(centre ÷ exposure) instead.
- **p-chart** (a proportion, x of n): centre p̄ = Σx ÷ Σn, limits p̄ ± 3 √(p̄(1 − p̄) ÷ nᵢ)
  for each point's own n.
- **p′ chart** (Laney 2002): the p-chart's limits widened by σz, the standard deviation of the
  points' z-scores zᵢ = (pᵢ − p̄) ÷ √(p̄(1 − p̄) ÷ nᵢ) estimated from their mean moving range
  (÷ 1.128), for proportions that vary more from period to period than binomial chance allows
  (overdispersion), as large national returns do. **u′** is the same for rates.

Every limit is held within what the measure allows (a proportion's within 0 and 1, a count's
and a rate's at or above 0). The special-cause rules are the profile's, as on the XmR chart;
on the c- and u-charts a shift is a run whose chance under the centre line's Poisson
distribution is at most that of the profile's run on a symmetric chart (see
``_special_cause``), so a run of months with no incident below a small centre line is not an
improvement.

**The choice** (:func:`choose_chart`, and ``chart="auto"``), for each chart:

- a mean: the XmR chart;
- a proportion: the p-chart, or the p′ chart where the numbers are large (on average at least
  ten events, and ten non-events, a period) and the points are overdispersed;
- a count: the c-chart, or the XmR chart where the counts are large (on average at least ten a
  period) and overdispersed (with equal periods Laney's adjustment is the XmR chart);
- a rate: the u-chart, or the u′ chart where the events are large and overdispersed.

*Overdispersed* means σz beyond what binomial or Poisson chance alone gives 19 times in 20
(:func:`overdispersion_bound`: 1.46 for 13 points, 1.33 for 24). Small numbers keep
the exact attribute chart whatever σz says: the normal approximation the XmR chart and Laney's
adjustment rest on fails there.

Why it is long: the four attribute charts are computed for a whole batch of series at once,
and their exact Poisson limits, the choice of chart and the one-series face all read the same
chart and measure codes and constants. Splitting the batch computation from the one-series face
is still to do (see the notes of issue 10).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from contractkit.stats import blockwise
from contractkit.stats._distributions import gamma_ppf, poisson_ppf
from contractkit.stats._special_cause import (
    ASSURANCES,
    VARIATIONS,
    Found,
    Layout,
    Lines,
    partitions,
    point_findings,
    series_settings,
    special_causes,
)
from contractkit.stats.spc import (
    PROFILES,
    SCALE,
    Better,
    Profile,
    SeriesChart,
    _contiguous_mean,
    screened_mean_range,
)

__all__ = [
    "CHARTS",
    "MEASURES",
    "AttributeChart",
    "ControlBatch",
    "c_chart",
    "choose_chart",
    "control_batch",
    "control_chart",
    "overdispersion_bound",
    "p_chart",
    "p_prime_chart",
    "u_chart",
    "u_prime_chart",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

CHARTS = ("xmr", "c", "u", "p", "p_prime", "u_prime")
"""The charts, by code."""
XMR, C, U, P, P_PRIME, U_PRIME = range(6)
MEASURES = ("proportion", "rate", "mean", "count")
"""The measures, by code (as the evaluator numbers them)."""
PROPORTION, RATE, MEAN, COUNT = range(4)

ALPHA = float(special.ndtr(-3.0))
"""The chance of a normal point beyond three sigma on one side (0.135%)."""
ALPHA_TWO = float(special.ndtr(-2.0))
"""The chance beyond two sigma on one side (2.28%)."""
D2 = 1.128
"""The mean moving range of independent normal points, in standard deviations (Laney's σz)."""
LARGE = 10.0
"""Events (and, for a proportion, non-events) a period on average from which the normal
approximation under the XmR chart and Laney's charts is fair."""
CONFIDENCE = 0.95
"""How sure the overdispersion test must be."""

Limits = Literal["exact", "sigma"]


def overdispersion_bound(points: ArrayLike) -> FloatArray:
    """The largest σz that chance alone gives 19 times in 20, for charts of ``points`` points.

    σz is the mean moving range of the points' z-scores ÷ 1.128. For k independent normal
    points its mean is 1 and its relative variance (m v + 2 (m − 1) c) ÷ (m² · 4/π), with
    m = k − 1 ranges, v = 2 − 4/π the variance of one range and c = (4/π)(√3/2 + π/12) − 4/π
    its covariance with the next; the bound is the 95th percentile of a gamma distribution with
    that mean and variance (within half a percent of a simulation for 3 to 60 points).
    Infinite for fewer than two points.

        >>> [round(float(b), 2) for b in overdispersion_bound([13, 24, 60])]
        [1.46, 1.33, 1.2]
    """
    k = np.asarray(points, dtype=np.float64)
    m = k - 1
    v = 2 - 4 / math.pi
    c = (4 / math.pi) * (math.sqrt(3) / 2 + math.pi / 12) - 4 / math.pi
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = (m * v + 2 * np.maximum(m - 1, 0) * c) / (m * m * 4 / math.pi)
        bound = gamma_ppf(CONFIDENCE, 1 / relative, relative)
    result: FloatArray = np.where(m >= 1, bound, np.inf)
    return result


@attrs.frozen
class ControlBatch(Found):
    """Charts for many series at once: per point (in series order), then per partition (a run
    of points with one centre line and one set of limits), then per series; per point and per
    series, the rules' findings (see ``Found``)."""

    values: FloatArray
    """Per point: the plotted value (events or successes × ``per`` ÷ the denominator)."""
    mean: FloatArray
    """Per point: the centre line (on the chart's scale)."""
    lower_limit: FloatArray
    """Per point: the lower process limit (NaN where the chart is too short for limits)."""
    upper_limit: FloatArray
    partition_points: IntArray
    """Per partition: its number of points."""
    partition_chart: NDArray[np.int8]
    """Per partition: the chart used (a code into ``CHARTS``)."""
    partition_sigma_z: FloatArray
    """Per partition: σz, the points' spread in standard errors (NaN for an XmR chart)."""
    series_points: IntArray
    """Per series: its number of points."""
    trial: NDArray[np.bool_]
    """Per series: the limits are trial limits (too few points)."""

    @property
    def chart(self) -> NDArray[np.int8]:
        """Per point: the chart used (a code into ``CHARTS``)."""
        return np.repeat(self.partition_chart, self.partition_points)

    @property
    def series_chart(self) -> NDArray[np.int8]:
        """Per series: the chart of its last partition."""
        last = np.cumsum(self.series_points) - 1
        part_of_point = np.repeat(np.arange(self.partition_points.size), self.partition_points)
        charts: NDArray[np.int8] = self.partition_chart[part_of_point[last]]
        return charts


def _codes(values: str | ArrayLike, names: Sequence[str], what: str, n: int) -> NDArray[np.int8]:
    """Names or codes, one for all or one per point, as codes into ``names``."""
    if isinstance(values, str):
        if values not in names:
            raise ValueError(f"unknown {what} {values!r}: use one of {', '.join(names)}")
        return np.full(n, names.index(values), dtype=np.int8)
    codes = np.asarray(values)
    if codes.dtype.kind in "US":
        unknown = sorted(set(codes.tolist()) - set(names))
        if unknown:
            raise ValueError(f"unknown {what} {unknown[0]!r}: use one of {', '.join(names)}")
        lookup = {name: i for i, name in enumerate(names)}
        return np.array([lookup[str(c)] for c in codes.tolist()], dtype=np.int8)
    return np.broadcast_to(codes.astype(np.int8), (n,)).copy()


def control_batch(
    numerator: ArrayLike,
    denominator: ArrayLike | None,
    series: ArrayLike,
    *,
    measure: str | ArrayLike,
    chart: str | ArrayLike = "auto",
    partition: ArrayLike | None = None,
    better: ArrayLike | None = None,
    target: ArrayLike | None = None,
    per: float | ArrayLike = 1.0,
    profile: str | Profile = "mdc",
    limits: Limits = "exact",
    bounds: tuple[ArrayLike, ArrayLike] | None = None,
) -> ControlBatch:
    """Control charts for many series laid end to end, each the chart ``chart`` names or, with
    ``"auto"``, the chart the rule chooses for its measure.

    Per point (ordered by series, then time): ``numerator`` (events, successes, or a mean's
    value), ``denominator`` (exposure or cases; None or 1 for counts and means), ``series``
    codes (contiguous), ``measure`` (a name in ``MEASURES`` or codes, one for all or per
    point), ``chart`` (``"auto"``, a name in ``CHARTS``, or codes per point), ``partition``
    codes for recalculated limits, ``better`` (+1, -1, 0), ``target`` (on the chart's scale,
    NaN for none) and ``per`` (a rate's base). ``bounds`` replaces the measure's range for
    XmR charts (a mean has none; a proportion is held in [0, 1], a count or rate at 0 or
    above). ``limits`` is ``exact`` (Poisson probability limits on c- and u-charts) or
    ``sigma`` (three-sigma limits, as the textbooks have them).
    """
    rules = PROFILES[profile] if isinstance(profile, str) else profile
    if limits not in ("exact", "sigma"):
        raise ValueError(f"unknown limits {limits!r}: use exact or sigma")
    x = np.asarray(numerator, dtype=np.float64)
    n = x.shape[0]
    e = np.ones(n) if denominator is None else np.asarray(denominator, dtype=np.float64)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(e))) or np.any(e <= 0):
        raise ValueError(
            "SPC needs a value and a positive denominator at every point: a missing period "
            "must be excluded explicitly (or the series split), never closed up"
        )
    measures = _codes(measure, MEASURES, "measure", n)
    wanted = (
        np.full(n, -1, dtype=np.int8)
        if isinstance(chart, str) and chart == "auto"
        else _codes(chart, CHARTS, "chart", n)
    )
    series_codes, part_codes, direction, goal = series_settings(
        n, series, partition, better, target
    )
    scale = np.broadcast_to(np.asarray(per, dtype=np.float64), (n,))
    low = high = None
    if bounds is not None:
        low = np.broadcast_to(np.asarray(bounds[0], dtype=np.float64), (n,))
        high = np.broadcast_to(np.asarray(bounds[1], dtype=np.float64), (n,))
    parts = []
    for a, b in blockwise.series_blocks(series_codes):
        span = slice(a, b)
        parts.append(
            _block(
                x[span],
                e[span],
                series_codes[span],
                part_codes[span],
                measures[span],
                wanted[span],
                direction[span],
                goal[span],
                scale[span],
                None if low is None or high is None else (low[span], high[span]),
                rules,
                limits,
            )
        )
    if len(parts) == 1:
        return parts[0]
    return ControlBatch(
        **{
            f.name: np.concatenate([getattr(part, f.name) for part in parts])
            for f in attrs.fields(ControlBatch)
        }
    )


def _block(
    x: FloatArray,
    e: FloatArray,
    series_codes: IntArray,
    part_codes: IntArray,
    measure: NDArray[np.int8],
    wanted: NDArray[np.int8],
    direction: NDArray[np.int8],
    goal: FloatArray,
    per: FloatArray,
    bounds: tuple[FloatArray, FloatArray] | None,
    rules: Profile,
    limits: Limits,
) -> ControlBatch:
    """The charts of a block of whole series (see :func:`control_batch`).

    Everything that is the same for a partition (its centre line, its measure's variance, its
    chart) is worked out once per partition and spread over the points; the per-point work is
    kept to what each point needs (the national evaluation charts ten million points)."""
    layout = Layout.of(series_codes, part_codes)
    if x.shape[0] == 0:
        return _empty()
    model = _Model.of(x, e, per, measure, layout)
    mr_mean = _mean_moving_range(model, layout, rules)
    sigma_z = mr_mean / D2
    kind = _chart_kinds(model, layout, wanted[layout.starts], sigma_z)
    xmr_part = kind == XMR
    lines = _sigma_lines(model, layout, kind, mr_mean, sigma_z, rules)
    poisson_part = (kind == C) | (kind == U)
    lines, log_high, log_low = _on_poisson_charts(
        lines, poisson_part, model, layout, e, per, limits
    )
    lines = _held(lines, model.measure, xmr_part, layout.part_length, bounds)
    short = layout.series_points < rules.minimum_points
    no_chart_series = short & (rules.short_chart == "mean_only")
    lines = _without_limits(lines, layout, no_chart_series)
    part_of_last = (
        np.searchsorted(layout.starts, np.cumsum(layout.series_points) - 1, side="right") - 1
    )
    found = special_causes(
        model.y,
        lines,
        layout,
        direction,
        goal,
        rules,
        no_chart_series,
        log_high=log_high,
        log_low=log_low,
        discrete=(limits == "exact") & poisson_part[part_of_last],
    )
    return ControlBatch(
        values=model.y,
        mean=lines.mean,
        lower_limit=lines.lower,
        upper_limit=lines.upper,
        partition_points=layout.part_length,
        partition_chart=kind,
        partition_sigma_z=np.where(xmr_part, np.nan, sigma_z),
        series_points=layout.series_points,
        trial=short & (rules.short_chart == "trial_limits"),
        **found.fields(),
    )


@attrs.frozen
class _Model:
    """The measure's own model of a block's points: per partition, the totals, the centre line
    and the variance; per point, the plotted value and its standard deviation."""

    y: FloatArray
    """Per point: the plotted value, as the verdicts observe it (x × per ÷ e)."""
    sd: FloatArray
    """Per point: the standard deviation under the model (variance ÷ the denominator)."""
    measure: NDArray[np.int8]
    """Per partition: the measure."""
    weighted: NDArray[np.bool_]
    """Per partition: a proportion, count or rate (weighted by its denominators), not a mean."""
    total_x: FloatArray
    total_e: FloatArray
    unit_centre: FloatArray
    """Per partition: the centre line per unit of exposure (events over exposure, or a mean's
    plain mean)."""
    centre: FloatArray
    """Per partition: the centre line on the chart's scale."""
    point_centre: FloatArray
    """Per point: the centre line on the chart's scale."""
    variance: FloatArray
    """Per partition: the variance of one unit of exposure (1 for a mean)."""

    @classmethod
    def of(
        cls,
        x: FloatArray,
        e: FloatArray,
        per: FloatArray,
        measure: NDArray[np.int8],
        layout: Layout,
    ) -> _Model:
        starts = layout.starts
        part_measure = measure[starts]
        part_per = per[starts]
        weighted = part_measure != MEAN
        total_x = np.add.reduceat(x, starts)
        total_e = np.add.reduceat(e, starts)
        unit_centre = total_x / total_e
        variance = np.where(
            part_measure == PROPORTION,
            unit_centre * (1 - unit_centre),
            np.where(weighted, unit_centre * part_per * part_per, 1.0),
        )
        centre = unit_centre * np.where(weighted, part_per, 1.0)
        return cls(
            y=x / e if np.all(part_per == 1) else x * per / e,
            sd=np.sqrt(np.repeat(variance, layout.part_length) / e),
            measure=part_measure,
            weighted=weighted,
            total_x=total_x,
            total_e=total_e,
            unit_centre=unit_centre,
            centre=centre,
            point_centre=np.repeat(centre, layout.part_length),
            variance=variance,
        )


def _mean_moving_range(model: _Model, layout: Layout, rules: Profile) -> FloatArray:
    """Per partition: the mean moving range of the points' z-scores (their distances from the
    centre line in standard deviations under the model), screened where the profile says."""
    starts, part_length = layout.starts, layout.part_length
    deviation = model.y - model.point_centre
    if np.all(model.variance > 0):
        z = deviation / model.sd
    else:  # a proportion of 0 or 1 throughout: every point on its centre line
        z = np.divide(deviation, model.sd, out=np.zeros(deviation.size), where=model.sd > 0)
    moving = np.abs(np.diff(z, prepend=z[:1]))
    if rules.screen_moving_ranges:
        return screened_mean_range(moving, starts, ~layout.part_start, part_length, rules)
    moving[starts] = 0.0  # a partition's first point has no range: its moving range is not counted
    ranges = part_length - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mr_mean: FloatArray = np.where(ranges > 0, np.add.reduceat(moving, starts) / ranges, np.nan)
    return mr_mean


def _chart_kinds(
    model: _Model, layout: Layout, wanted: NDArray[np.int8], sigma_z: FloatArray
) -> NDArray[np.int8]:
    """Per partition: the chart asked for, or (where ``wanted`` is −1) the one the rule
    chooses for the measure; a ValueError for a chart that does not fit its measure."""
    measure, total_x, part_length = model.measure, model.total_x, layout.part_length
    events = (
        np.where(measure == PROPORTION, np.minimum(total_x, model.total_e - total_x), total_x)
        / part_length
    )
    overdispersed = (events >= LARGE) & (sigma_z > _bounds_for(part_length))
    auto = np.select(
        [measure == MEAN, measure == PROPORTION, measure == COUNT],
        [XMR, np.where(overdispersed, P_PRIME, P), np.where(overdispersed, XMR, C)],
        np.where(overdispersed, U_PRIME, U),
    ).astype(np.int8)
    kind = np.where(wanted >= 0, wanted, auto).astype(np.int8)
    _check(kind, measure)
    return kind


def _sigma_lines(
    model: _Model,
    layout: Layout,
    kind: NDArray[np.int8],
    mr_mean: FloatArray,
    sigma_z: FloatArray,
    rules: Profile,
) -> Lines:
    """Each point's centre line, its two-sigma lines and its process limits (three sigma), on
    each partition's chart."""
    starts, part_length = layout.starts, layout.part_length
    xmr_part = kind == XMR
    # Each partition's sigma, as a multiple of each point's model standard deviation: 1 (p, c,
    # u), σz (p′, u′), or for an XmR chart of a mean 2.66 / 3 mean moving ranges.
    factor = np.where(
        xmr_part,
        SCALE * mr_mean / 3,
        np.where((kind == P_PRIME) | (kind == U_PRIME), sigma_z, 1.0),
    )
    sigma = model.sd * np.repeat(factor, part_length)
    centre = model.point_centre
    plain_xmr = xmr_part & model.weighted  # an XmR chart of a proportion, count or rate: its values
    if plain_xmr.any():
        y = model.y
        moving_value = np.abs(np.diff(y, prepend=y[:1]))
        has_range = ~layout.part_start
        value_range = screened_mean_range(moving_value, starts, has_range, part_length, rules)
        centre_part = np.where(plain_xmr, _contiguous_mean(y, starts, None), model.centre)
        centre = np.repeat(centre_part, part_length)
        on_values = np.repeat(plain_xmr, part_length)
        sigma = np.where(on_values, np.repeat(SCALE * value_range / 3, part_length), sigma)
    three = 3 * sigma
    two = 2 * sigma
    return Lines(
        mean=centre,
        lower=centre - three,
        upper=centre + three,
        two_down=centre - two,
        two_up=centre + two,
        spread=np.fmax(three, 0.0) if np.isnan(factor).any() else three,
    )


def _on_poisson_charts(
    lines: Lines,
    poisson_part: NDArray[np.bool_],
    model: _Model,
    layout: Layout,
    e: FloatArray,
    per: FloatArray,
    limits: Limits,
) -> tuple[Lines, FloatArray | None, FloatArray | None]:
    """For the points of c- and u-charts: the exact Poisson limits (where ``limits`` is exact),
    and each point's log chance of lying above and below its centre line (None without such
    charts)."""
    if not poisson_part.any():
        return lines, None, None
    poisson = np.repeat(poisson_part, layout.part_length)
    lam = np.where(poisson, np.repeat(model.unit_centre, layout.part_length) * e, 0.0)
    if limits == "exact":
        lines = _exact_poisson(lines, poisson, lam, e, per)
    log_high, log_low = _side_chances(poisson, lam)
    return lines, log_high, log_low


def _without_limits(lines: Lines, layout: Layout, no_chart_series: NDArray[np.bool_]) -> Lines:
    """The lines with no process limits on the series too short for any (NaN)."""
    if not no_chart_series.any():
        return lines
    no_chart = np.repeat(no_chart_series, layout.series_points)
    return attrs.evolve(
        lines,
        lower=np.where(no_chart, np.nan, lines.lower),
        upper=np.where(no_chart, np.nan, lines.upper),
    )


_FITS = {
    P: (PROPORTION,),
    P_PRIME: (PROPORTION,),
    C: (COUNT, RATE),
    U: (COUNT, RATE),
    U_PRIME: (COUNT, RATE),
}


def _check(kind: NDArray[np.int8], measure: NDArray[np.int8]) -> None:
    """Refuse a chart asked for a measure it does not fit (a p-chart of a mean, say)."""
    for code, measures in _FITS.items():
        misfit = (kind == code) & ~np.isin(measure, measures)
        if misfit.any():
            got = MEASURES[int(measure[np.flatnonzero(misfit)[0]])]
            fits = " or ".join(f"a {MEASURES[m]}" for m in measures)
            raise ValueError(f"a {CHARTS[code]} chart is for {fits}, not a {got}")


def _bounds_for(points: IntArray) -> FloatArray:
    """:func:`overdispersion_bound` for each partition, worked out once per distinct size."""
    sizes, index = np.unique(points, return_inverse=True)
    found: FloatArray = overdispersion_bound(sizes)[index]
    return found


def _exact_poisson(
    lines: Lines, poisson: NDArray[np.bool_], lam: FloatArray, e: FloatArray, per: FloatArray
) -> Lines:
    """Exact Poisson probability limits for the c- and u-chart points: the counts that the
    point's own Poisson distribution (mean ``lam``) exceeds, or falls below, with a chance of
    at most 0.135% (the limits) and 2.28% (the two-sigma lines), on the chart's scale."""
    where = np.flatnonzero(poisson)
    mean = lam[where]
    # Each distinct mean once (a c-chart's points share theirs).
    means, index = np.unique(mean, return_inverse=True)
    quantiles = poisson_ppf([[ALPHA], [ALPHA_TWO], [1 - ALPHA_TWO], [1 - ALPHA]], means)
    factor = per[where] / e[where]
    lower, two_down, two_up, upper = (
        np.array(line, copy=True)
        for line in (lines.lower, lines.two_down, lines.two_up, lines.upper)
    )
    lower[where] = quantiles[0][index] * factor
    two_down[where] = quantiles[1][index] * factor
    two_up[where] = quantiles[2][index] * factor
    upper[where] = quantiles[3][index] * factor
    return attrs.evolve(lines, lower=lower, two_down=two_down, two_up=two_up, upper=upper)


def _side_chances(poisson: NDArray[np.bool_], lam: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per point, the log chance of a value strictly above and strictly below the centre line
    under its Poisson distribution (log ½ for points of other charts)."""
    half = math.log(0.5)
    high = np.full(lam.shape, half)
    low = np.full(lam.shape, half)
    where = np.flatnonzero(poisson)
    mean = lam[where]
    with np.errstate(divide="ignore"):
        # P(X > λ) = P(X ≥ ⌊λ⌋ + 1); P(X < λ) = P(X ≤ ⌈λ⌉ − 1).
        high[where] = np.log(special.pdtrc(np.floor(mean), mean))
        below = np.ceil(mean) - 1
        low[where] = np.where(below >= 0, np.log(special.pdtr(np.maximum(below, 0), mean)), -np.inf)
    return high, low


def _held(
    lines: Lines,
    part_measure: NDArray[np.int8],
    xmr_part: NDArray[np.bool_],
    part_length: IntArray,
    bounds: tuple[FloatArray, FloatArray] | None,
) -> Lines:
    """The limits held within what each partition's measure allows: a proportion's within
    [0, 1], a count's and a rate's at 0 or above, a mean's anywhere; ``bounds`` (per point) in
    place of these for XmR charts where given. Only the process limits are held: no value lies
    beyond a bound, so the two-sigma lines decide the same either way."""
    low = np.where(part_measure == MEAN, -np.inf, 0.0)
    high = np.where(part_measure == PROPORTION, 1.0, np.inf)
    lower, upper = lines.lower, lines.upper
    if bounds is not None and xmr_part.any():
        on_xmr = np.repeat(xmr_part, part_length)
        point_low = np.where(on_xmr, bounds[0], np.repeat(low, part_length))
        point_high = np.where(on_xmr, bounds[1], np.repeat(high, part_length))
        return attrs.evolve(
            lines, lower=np.maximum(lower, point_low), upper=np.minimum(upper, point_high)
        )
    for line, edge, clip in ((lower, low, np.maximum), (upper, high, np.minimum)):
        if np.all(np.isinf(edge)):
            continue
        if np.all(edge == edge[0]):
            clip(line, edge[0], out=line)
        else:
            clip(line, np.repeat(edge, part_length), out=line)
    return lines


def _empty() -> ControlBatch:
    floats, ints = np.array([]), np.array([], dtype=np.int64)
    codes, flags = np.array([], dtype=np.int8), np.array([], dtype=bool)
    return ControlBatch(
        values=floats,
        mean=floats,
        lower_limit=floats,
        upper_limit=floats,
        signal=codes,
        side=codes,
        astronomical=flags,
        shift=flags,
        trend=flags,
        two_of_three=flags,
        partition_points=ints,
        partition_chart=codes,
        partition_sigma_z=floats,
        series_points=ints,
        trial=flags,
        variation_code=codes,
        assurance_code=codes,
    )


# --- one series ---------------------------------------------------------------------------------


@attrs.frozen
class AttributeChart(SeriesChart):
    """A control chart of one series: the chart used, its lines and a signal for each point,
    and the two icons. The plotted values are counts, rates (× ``per``), proportions or
    means."""

    chart: str
    """The chart: ``xmr``, ``c``, ``u``, ``p``, ``p_prime`` or ``u_prime`` (of the last
    partition, where limits were recalculated)."""
    sigma_z: float
    """σz of the last partition (NaN for an XmR chart)."""


def control_chart(
    measure: str,
    numerators: ArrayLike,
    denominators: ArrayLike | None = None,
    *,
    chart: str = "auto",
    better: Better = None,
    target: float | None = None,
    per: float = 1.0,
    profile: str | Profile = "mdc",
    recalculate_at: Sequence[int] = (),
    limits: Limits = "exact",
) -> AttributeChart:
    """A control chart of one series of a measure (``proportion``, ``rate``, ``count`` or
    ``mean``): the chart ``chart`` names, or with ``"auto"`` the one :func:`choose_chart`
    would pick.

        >>> months = [0] * 17 + [1]  # one incident in eighteen months
        >>> chart = control_chart("count", months, better="lower")
        >>> chart.chart, chart.signals[-1], float(chart.upper_limit[-1])
        ('c', 'common_cause', 2.0)
    """
    x = np.asarray(numerators, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError("a control chart takes one series: a one-dimensional sequence")
    partition = partitions(recalculate_at, x.shape[0])
    direction = {"higher": 1, "lower": -1, None: 0}[better]
    size = x.shape[0]
    batch = control_batch(
        x,
        denominators,
        np.zeros(size, dtype=np.int64),
        measure=measure,
        chart=chart,
        partition=partition,
        better=np.full(size, direction, dtype=np.int8),
        target=np.full(size, np.nan if target is None else target),
        per=per,
        profile=profile,
        limits=limits,
    )
    signals, rules = point_findings(
        batch.signal, batch.astronomical, batch.trend, batch.two_of_three, batch.shift
    )
    e = np.ones(size) if denominators is None else np.asarray(denominators, dtype=np.float64)
    return AttributeChart(
        chart=CHARTS[int(batch.partition_chart[-1])] if size else chart,
        values=x * per / e,
        mean=batch.mean,
        lower_limit=batch.lower_limit,
        upper_limit=batch.upper_limit,
        signals=signals,
        rules=rules,
        variation=VARIATIONS[int(batch.variation_code[0])] if size else None,
        assurance=ASSURANCES[int(batch.assurance_code[0])] if size else None,
        trial=bool(batch.trial[0]) if size else False,
        sigma_z=float(batch.partition_sigma_z[-1]) if size else math.nan,
    )


def choose_chart(
    measure: str,
    numerators: ArrayLike,
    denominators: ArrayLike | None = None,
    *,
    profile: str | Profile = "mdc",
) -> str:
    """The chart the rule picks for one series (see the module's docstring).

    >>> choose_chart("count", [0, 1, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0])
    'c'
    >>> choose_chart("mean", [84.5, 90.1, 78.2])
    'xmr'
    """
    return control_chart(measure, numerators, denominators, profile=profile).chart


def c_chart(counts: ArrayLike, **options: object) -> AttributeChart:
    """A c-chart of counts in equal periods, with exact Poisson limits (``limits="sigma"``:
    c̄ ± 3√c̄). Options as :func:`control_chart`."""
    return control_chart("count", counts, None, chart="c", **options)  # type: ignore[arg-type]  # options are control_chart's keywords


def u_chart(counts: ArrayLike, exposure: ArrayLike, **options: object) -> AttributeChart:
    """A u-chart of events over each period's own exposure, with exact Poisson limits; the
    values are events ÷ exposure × ``per``. Options as :func:`control_chart`."""
    return control_chart("rate", counts, exposure, chart="u", **options)  # type: ignore[arg-type]  # as c_chart


def u_prime_chart(counts: ArrayLike, exposure: ArrayLike, **options: object) -> AttributeChart:
    """Laney's u′ chart: the u-chart's three-sigma limits widened by σz. Options as
    :func:`control_chart`."""
    return control_chart("rate", counts, exposure, chart="u_prime", **options)  # type: ignore[arg-type]  # as c_chart


def p_chart(numerators: ArrayLike, denominators: ArrayLike, **options: object) -> AttributeChart:
    """A p-chart of x of n: p̄ ± 3√(p̄(1 − p̄)/nᵢ), held within 0 and 1. Options as
    :func:`control_chart`."""
    return control_chart("proportion", numerators, denominators, chart="p", **options)  # type: ignore[arg-type]  # as c_chart


def p_prime_chart(
    numerators: ArrayLike, denominators: ArrayLike, **options: object
) -> AttributeChart:
    """Laney's p′ chart: the p-chart's limits widened by σz. Options as :func:`control_chart`."""
    return control_chart("proportion", numerators, denominators, chart="p_prime", **options)  # type: ignore[arg-type]  # as c_chart
