"""The verdict for each service, KPI and period, as FAIRNESS.md defines it, over whole columns.

- **met** when the observed value is on the right side of the threshold (compared directly);
- otherwise the one-sided exact p-value of a result this far on the wrong side if true
  performance were exactly at the threshold — exact binomial for proportions, exact Poisson for
  counts and rates, Student's t for means: below the alarm level **underperforming, alarm**;
  below the warning level **underperforming, warning**; otherwise **within_variation**;
- **insufficient_data** where there is nothing to judge (a zero denominator or exposure; a mean
  below its threshold from fewer than two cases).

A zero-tolerance count (threshold 0) is exact: no event is met, any event has p = 0 (alarm).
Beside each verdict: n, the observed value, its 95% interval (Wilson, exact Poisson, or t), the
p-value, and the minimum detectable shortfall at 80% power. Provider type is never read.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit.evaluation._plan import MEASURES
from contractkit.stats import (
    binomial_p_value,
    binomial_shortfall,
    blockwise,
    mean_interval,
    mean_shortfall,
    poisson_interval,
    poisson_p_value,
    poisson_shortfall,
    t_p_value,
    wilson_interval,
)

__all__ = [
    "ALARM",
    "INSUFFICIENT",
    "MEASURES",
    "MET",
    "UNDER",
    "VERDICTS",
    "WARNING",
    "WITHIN",
    "Figures",
    "Verdicts",
    "judge",
    "observe",
]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

PROPORTION, RATE, MEAN, COUNT = (MEASURES.index(m) for m in ("proportion", "rate", "mean", "count"))

MET, WITHIN, UNDER, INSUFFICIENT = 1, 2, 3, 4
VERDICTS = {
    0: None,
    MET: "met",
    WITHIN: "within_variation",
    UNDER: "underperforming",
    INSUFFICIENT: "insufficient_data",
}
WARNING, ALARM = 1, 2


@attrs.frozen
class Figures:
    """Per row, what its verdict is judged on: its KPI's measure (a code into ``MEASURES``),
    which way is better and a rate's base; the period's combined figures; and the threshold in
    force (NaN where there is none)."""

    measure: NDArray[np.int8]
    higher: Bools
    per: Floats
    numerator: Floats
    denominator: Floats
    value: Floats
    count: Floats
    sd: Floats
    threshold: Floats

    def at(self, rows: slice) -> Figures:
        """The same for some of the rows."""
        return Figures(*(getattr(self, field.name)[rows] for field in attrs.fields(Figures)))


@attrs.frozen
class Verdicts:
    """Evidence and verdict per row (NaN/0 where there is no data or no threshold)."""

    n: Floats
    observed: Floats
    ci_lower: Floats
    ci_upper: Floats
    p_value: Floats
    shortfall: Floats
    verdict: NDArray[np.int8]
    """0 none, 1 met, 2 within variation, 3 underperforming, 4 insufficient data."""
    level: NDArray[np.int8]
    """0 none, 1 warning, 2 alarm."""


def observe(
    measure: NDArray[np.int8],
    per: Floats,
    numerator: Floats,
    denominator: Floats,
    value: Floats | None,
    count: Floats | None,
) -> Floats:
    """Each row's observed value in its KPI's terms: a proportion's fraction, a rate per
    ``per`` (computed as x × per / E, rounded once, so that it compares with the threshold
    exactly), a mean, or a count. NaN where there is nothing to observe. ``measure`` holds
    measure codes (see ``MEASURES``); ``value`` and ``count`` may be None without means."""
    of_measure: dict[int, Callable[[Bools], Floats]] = {
        PROPORTION: lambda rows: numerator[rows] / denominator[rows],
        RATE: lambda rows: numerator[rows] * per[rows] / denominator[rows],
        COUNT: lambda rows: numerator[rows],
    }
    if value is not None and count is not None:
        of_measure[MEAN] = lambda rows: np.where(count[rows] > 0, value[rows], np.nan)
    observed = np.full(measure.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for code in np.unique(measure):
            if int(code) in of_measure:
                rows = measure == code
                observed[rows] = of_measure[int(code)](rows)
    return observed


def judge(figures: Figures, *, warning: float, alarm: float) -> Verdicts:
    """The verdict and its evidence for each row (a block of rows at a time)."""
    # Shortfalls are solved once per distinct (n, θ) pair over the whole column: far fewer
    # pairs than rows (see binomial_shortfall), and fewer still across the whole column.
    threshold = figures.threshold
    proportion = figures.measure == PROPORTION
    complement = np.where(figures.higher, threshold, 1 - threshold)
    shortfalls = np.full(threshold.size, np.nan)
    shortfalls[proportion] = binomial_shortfall(
        figures.denominator[proportion], complement[proportion], warning
    )
    parts = [
        _judge(figures.at(rows), shortfalls[rows], warning=warning, alarm=alarm)
        for rows in blockwise.slices(threshold.size)
    ]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        nothing = np.array([], dtype=np.float64)
        codes = np.array([], dtype=np.int8)
        return Verdicts(nothing, nothing, nothing, nothing, nothing, nothing, codes, codes)
    return Verdicts(
        **{
            field.name: np.concatenate([getattr(part, field.name) for part in parts])
            for field in attrs.fields(Verdicts)
        }
    )


@attrs.define
class _Evidence:
    """A block's evidence as it is worked out (NaN where there is none yet), and which rows have
    nothing to judge (a zero denominator or exposure, a mean of no cases)."""

    n: Floats
    low: Floats
    high: Floats
    p_value: Floats
    shortfall: Floats
    empty: Bools

    @classmethod
    def blank(cls, size: int) -> _Evidence:
        n, low, high, p_value, shortfall = (np.full(size, np.nan) for _ in range(5))
        return cls(n, low, high, p_value, shortfall, np.zeros(size, dtype=bool))


def _judge(
    figures: Figures, proportion_shortfall: Floats, *, warning: float, alarm: float
) -> Verdicts:
    """The verdict and its evidence for each row of a block (given the proportions' minimum
    detectable shortfalls)."""
    f = figures
    evidence = _Evidence.blank(f.threshold.size)
    observed = observe(f.measure, f.per, f.numerator, f.denominator, f.value, f.count)
    theta = f.threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        _intervals(evidence, f, proportion_shortfall, warning)
        expected = np.where(f.measure == RATE, theta / f.per * f.denominator, theta)  # Poisson
        _poisson_shortfalls(evidence, f, expected, warning)
        met = np.where(f.higher, observed >= theta, observed <= theta)
        has_data = ~np.isnan(observed) | evidence.empty
        judged = has_data & ~np.isnan(theta)
        # Tests only where the threshold is missed: most rows need none.
        missed = judged & ~met & ~evidence.empty
        _p_values(evidence.p_value, f, expected, missed)
    # Zero tolerance (a count that must be zero) is compared exactly, with no statistics: any
    # event breaches it, at the alarm level, and there is no p-value or shortfall to show.
    zero = (f.measure == COUNT) & ~f.higher & (theta == 0)
    evidence.p_value[zero] = np.nan
    evidence.shortfall[zero] = np.nan
    verdict, level = _verdicts(evidence, judged, met, missed, zero, warning=warning, alarm=alarm)
    blank = ~has_data | evidence.empty
    for array in (observed, evidence.low, evidence.high, evidence.shortfall):
        array[blank] = np.nan
    evidence.n[~has_data] = np.nan
    return Verdicts(
        n=evidence.n,
        observed=observed,
        ci_lower=evidence.low,
        ci_upper=evidence.high,
        p_value=evidence.p_value,
        shortfall=evidence.shortfall,
        verdict=verdict,
        level=level,
    )


def _intervals(
    evidence: _Evidence, f: Figures, proportion_shortfall: Floats, warning: float
) -> None:
    """Each row's n and 95% interval, by its measure (and the shortfalls of proportions and
    means); which rows have nothing to judge."""
    x, d = f.numerator, f.denominator
    n, low, high, shortfall, empty = (
        evidence.n,
        evidence.low,
        evidence.high,
        evidence.shortfall,
        evidence.empty,
    )
    # Proportions: x of n against θ.
    m = f.measure == PROPORTION
    n[m] = d[m]
    low[m], high[m] = wilson_interval(x[m], d[m])
    empty[m] = d[m] == 0
    shortfall[m] = proportion_shortfall[m]
    # Rates: x events over exposure E, against λ per `per`.
    m = f.measure == RATE
    n[m] = d[m]
    scale = f.per[m] / d[m]
    lo, hi = poisson_interval(x[m])
    low[m], high[m] = lo * scale, hi * scale
    empty[m] = d[m] == 0
    # Counts: x events in the period, against λ.
    m = f.measure == COUNT
    n[m] = 1
    low[m], high[m] = poisson_interval(x[m])
    # Means: n cases with mean and sd, against θ.
    m = f.measure == MEAN
    count, sd, value = f.count, f.sd, f.value
    n[m] = count[m]
    low[m], high[m] = mean_interval(value[m], sd[m], count[m])
    shortfall[m] = mean_shortfall(sd[m], count[m], warning)
    empty[m] = count[m] == 0


def _poisson_shortfalls(evidence: _Evidence, f: Figures, expected: Floats, warning: float) -> None:
    """The minimum detectable shortfalls of rates and counts, about their Poisson means."""
    for direction in (True, False):
        side = f.higher == direction
        m = ((f.measure == RATE) | (f.measure == COUNT)) & side
        evidence.shortfall[m] = poisson_shortfall(
            expected[m], warning, higher_is_better=direction
        ) * np.where(f.measure[m] == RATE, f.per[m] / f.denominator[m], 1.0)


def _p_values(p_value: Floats, f: Figures, expected: Floats, missed: Bools) -> None:
    """The one-sided exact p-value of each row that misses its threshold, by its measure."""
    x, d, theta = f.numerator, f.denominator, f.threshold
    for direction in (True, False):
        side = missed & (f.higher == direction)
        m = side & (f.measure == PROPORTION)
        p_value[m] = binomial_p_value(x[m], d[m], theta[m], higher_is_better=direction)
        m = side & ((f.measure == RATE) | (f.measure == COUNT))
        p_value[m] = poisson_p_value(x[m], expected[m], higher_is_better=direction)
        m = side & (f.measure == MEAN)
        p_value[m] = t_p_value(
            f.value[m], f.sd[m], f.count[m], theta[m], higher_is_better=direction
        )


def _verdicts(
    evidence: _Evidence,
    judged: Bools,
    met: Bools,
    missed: Bools,
    zero: Bools,
    *,
    warning: float,
    alarm: float,
) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Each row's verdict and level: met, within variation, underperforming at the warning or
    alarm level (a zero-tolerance breach always at the alarm level), or insufficient data."""
    p_value, empty = evidence.p_value, evidence.empty
    untestable = missed & np.isnan(p_value) & ~zero
    verdict = np.zeros(p_value.size, dtype=np.int8)
    level = np.zeros(p_value.size, dtype=np.int8)
    verdict[judged] = WITHIN
    flagged = missed & (p_value < warning)
    verdict[flagged] = UNDER
    level[flagged] = np.where(p_value[flagged] < alarm, ALARM, WARNING)
    breached = missed & zero
    verdict[breached] = UNDER
    level[breached] = ALARM
    verdict[judged & met] = MET
    verdict[judged & (empty | untestable)] = INSUFFICIENT
    level[judged & (empty | untestable)] = 0
    return verdict, level
