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
    "Verdicts",
    "judge",
    "observe",
]

Floats = NDArray[np.float64]

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
    observed = np.full(measure.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for code in np.unique(measure):
            rows = measure == code
            if code == PROPORTION:
                observed[rows] = numerator[rows] / denominator[rows]
            elif code == RATE:
                observed[rows] = numerator[rows] * per[rows] / denominator[rows]
            elif code == MEAN and value is not None and count is not None:
                observed[rows] = np.where(count[rows] > 0, value[rows], np.nan)
            elif code == COUNT:
                observed[rows] = numerator[rows]
    return observed


def judge(
    measure: NDArray[np.int8],
    higher: NDArray[np.bool_],
    per: Floats,
    numerator: Floats,
    denominator: Floats,
    value: Floats,
    count: Floats,
    sd: Floats,
    threshold: Floats,
    *,
    warning: float,
    alarm: float,
) -> Verdicts:
    """The verdict and its evidence for each row (a block of rows at a time)."""
    # Shortfalls are solved once per distinct (n, θ) pair over the whole column: far fewer
    # pairs than rows (see binomial_shortfall), and fewer still across the whole column.
    proportion = measure == PROPORTION
    complement = np.where(higher, threshold, 1 - threshold)
    shortfalls = np.full(threshold.size, np.nan)
    shortfalls[proportion] = binomial_shortfall(
        denominator[proportion], complement[proportion], warning
    )
    parts = [
        _judge(
            measure[rows],
            higher[rows],
            per[rows],
            numerator[rows],
            denominator[rows],
            value[rows],
            count[rows],
            sd[rows],
            threshold[rows],
            shortfalls[rows],
            warning=warning,
            alarm=alarm,
        )
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


def _judge(
    measure: NDArray[np.int8],
    higher: NDArray[np.bool_],
    per: Floats,
    numerator: Floats,
    denominator: Floats,
    value: Floats,
    count: Floats,
    sd: Floats,
    threshold: Floats,
    proportion_shortfall: Floats,
    *,
    warning: float,
    alarm: float,
) -> Verdicts:
    """The verdict and its evidence for each row of a block (given the proportions' minimum
    detectable shortfalls)."""
    size = threshold.size
    n, low, high, p_value, shortfall = (np.full(size, np.nan) for _ in range(5))
    observed = observe(measure, per, numerator, denominator, value, count)
    empty = np.zeros(size, dtype=bool)
    x, d, theta = numerator, denominator, threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        # Proportions: x of n against θ.
        m = measure == PROPORTION
        n[m] = d[m]
        low[m], high[m] = wilson_interval(x[m], d[m])
        empty[m] = d[m] == 0
        shortfall[m] = proportion_shortfall[m]
        # Rates: x events over exposure E, against λ per `per`.
        m = measure == RATE
        n[m] = d[m]
        scale = per[m] / d[m]
        lo, hi = poisson_interval(x[m])
        low[m], high[m] = lo * scale, hi * scale
        empty[m] = d[m] == 0
        # Counts: x events in the period, against λ.
        m = measure == COUNT
        n[m] = 1
        low[m], high[m] = poisson_interval(x[m])
        # Means: n cases with mean and sd, against θ.
        m = measure == MEAN
        n[m] = count[m]
        low[m], high[m] = mean_interval(value[m], sd[m], count[m])
        shortfall[m] = mean_shortfall(sd[m], count[m], warning)
        empty[m] = count[m] == 0
        expected = np.where(measure == RATE, theta / per * d, theta)  # Poisson means
        for direction in (True, False):
            side = higher == direction
            m = ((measure == RATE) | (measure == COUNT)) & side
            shortfall[m] = poisson_shortfall(
                expected[m], warning, higher_is_better=direction
            ) * np.where(measure[m] == RATE, per[m] / d[m], 1.0)
        met = np.where(higher, observed >= theta, observed <= theta)
        has_data = ~np.isnan(observed) | empty
        judged = has_data & ~np.isnan(theta)
        # Tests only where the threshold is missed: most rows need none.
        missed = judged & ~met & ~empty
        for direction in (True, False):
            side = missed & (higher == direction)
            m = side & (measure == PROPORTION)
            p_value[m] = binomial_p_value(x[m], d[m], theta[m], higher_is_better=direction)
            m = side & ((measure == RATE) | (measure == COUNT))
            p_value[m] = poisson_p_value(x[m], expected[m], higher_is_better=direction)
            m = side & (measure == MEAN)
            p_value[m] = t_p_value(value[m], sd[m], count[m], theta[m], higher_is_better=direction)
    # Zero tolerance (a count that must be zero) is compared exactly, with no statistics: any
    # event breaches it, at the alarm level, and there is no p-value or shortfall to show.
    zero = (measure == COUNT) & ~higher & (theta == 0)
    p_value[zero] = np.nan
    shortfall[zero] = np.nan
    untestable = missed & np.isnan(p_value) & ~zero
    verdict = np.zeros(size, dtype=np.int8)
    level = np.zeros(size, dtype=np.int8)
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
    blank = ~has_data | empty
    for array in (observed, low, high, shortfall):
        array[blank] = np.nan
    n[~has_data] = np.nan
    return Verdicts(
        n=n,
        observed=observed,
        ci_lower=low,
        ci_upper=high,
        p_value=p_value,
        shortfall=shortfall,
        verdict=verdict,
        level=level,
    )
