"""Power: the minimum detectable shortfall, and the exact chance of a false flag.

The minimum detectable shortfall is how far true performance would have to be on the wrong side
of the threshold for a return of this size to be flagged (at the warning level) with the given
power. A 40-case service cannot detect a 5-point shortfall; a 5,000-case trust almost always
can. Power cannot be made equal, so it is shown, never hidden.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

__all__ = [
    "binomial_flag_probability",
    "binomial_shortfall",
    "mean_shortfall",
    "poisson_shortfall",
]

FloatArray = NDArray[np.float64]
POWER = 0.8
"""The power the minimum detectable shortfall is quoted at."""


def _binomial_critical(n: FloatArray, theta: FloatArray, level: float) -> FloatArray:
    """The largest count x with P(X ≤ x | n, θ) < level (−1 where no count is that unlikely)."""
    k = np.asarray(stats.binom.ppf(level, n, theta), dtype=np.float64) - 1
    # ppf is the smallest x with cdf(x) ≥ level; guard the boundary against rounding.
    too_far = (k >= 0) & (stats.binom.cdf(k, n, theta) >= level)
    return np.where(too_far, k - 1, k)


def binomial_flag_probability(trials: ArrayLike, threshold: ArrayLike, level: float) -> FloatArray:
    """The exact chance that a service truly at the threshold is flagged (higher is better).

    It is at most ``level`` for every n: the fairness guarantee.
    """
    n = np.asarray(trials, dtype=np.float64)
    theta = np.asarray(threshold, dtype=np.float64)
    k = _binomial_critical(n, theta, level)
    return np.where(k >= 0, stats.binom.cdf(k, n, theta), 0.0).astype(np.float64)


def binomial_shortfall(
    trials: ArrayLike, threshold: ArrayLike, level: float, power: float = POWER
) -> FloatArray:
    """The shortfall below θ (as a fraction) flagged with ``power`` for x of n, higher better.

    For a KPI where lower is better, call it on the complements (1 − θ). NaN where no result
    could be flagged at all (too few cases).

        >>> round(float(binomial_shortfall(40, 0.8, 0.025)), 3)
        0.203
    """
    n = np.asarray(trials, dtype=np.float64)
    theta = np.asarray(threshold, dtype=np.float64)
    k = _binomial_critical(n, theta, level)
    with np.errstate(invalid="ignore"):
        # P(X ≤ k | n, p) = I_{1−p}(n − k, k + 1): solve it for p at the wanted power.
        p1 = 1 - special.betaincinv(n - k, k + 1, power)
    return np.where((k >= 0) & (n > 0), theta - p1, np.nan).astype(np.float64)


def poisson_shortfall(
    expected: ArrayLike, level: float, power: float = POWER, *, higher_is_better: bool = False
) -> FloatArray:
    """How far the true mean count must be from μ (on the wrong side) to be flagged with
    ``power``; in events. Divide by exposure (times the rate's base) for a rate."""
    mu = np.asarray(expected, dtype=np.float64)
    if higher_is_better:
        k = np.asarray(stats.poisson.ppf(level, mu), dtype=np.float64) - 1
        k = np.where((k >= 0) & (stats.poisson.cdf(k, mu) >= level), k - 1, k)
        with np.errstate(invalid="ignore"):
            mu1 = special.gammainccinv(np.maximum(k + 1, 1), power)
        return np.where(k >= 0, mu - mu1, np.nan).astype(np.float64)
    # Flag when X ≥ c, the smallest c with P(X ≥ c | μ) < level.
    c = np.asarray(stats.poisson.ppf(1 - level, mu), dtype=np.float64) + 1
    c = np.where(stats.poisson.sf(c - 1, mu) >= level, c + 1, c)
    mu1 = special.gammaincinv(c, power)  # P(X ≥ c | μ1) = P(c, μ1), the regularised gamma
    return np.asarray(mu1 - mu, dtype=np.float64)


def mean_shortfall(
    sd: ArrayLike, count: ArrayLike, level: float, power: float = POWER
) -> FloatArray:
    """The shift in a mean a one-sided t-test detects with ``power`` (in the mean's unit)."""
    s = np.asarray(sd, dtype=np.float64)
    n = np.asarray(count, dtype=np.float64)
    df = np.maximum(n - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (stats.t.ppf(1 - level, df) + stats.t.ppf(power, df)) * s / np.sqrt(n)
    return np.where(n >= 2, delta, np.nan).astype(np.float64)
