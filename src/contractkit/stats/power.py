"""Power: the minimum detectable shortfall, and the exact chance of a false flag.

The minimum detectable shortfall is how far true performance would have to be on the wrong side
of the threshold for a return of this size to be flagged (at the warning level) with the given
power. A 40-case service cannot detect a 5-point shortfall; a 5,000-case trust almost always
can. Power cannot be made equal, so it is shown, never hidden.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from contractkit.stats._distributions import (
    binomial_cdf,
    binomial_pmf,
    noncentral_t_sf,
    normal_ppf,
    poisson_cdf,
    poisson_ppf,
    poisson_sf,
    t_ppf,
)

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
    """The largest count x with P(X ≤ x | n, θ) < level (−1 where no count is that unlikely).

    Found from the Cornish-Fisher approximation and then corrected with the exact distribution,
    a step at a time, until exact: the same answer as the binomial quantile, far faster on
    columns.
    """
    n, theta = np.broadcast_arrays(
        np.asarray(n, dtype=np.float64), np.asarray(theta, dtype=np.float64)
    )
    shape = n.shape
    n, theta = n.ravel(), theta.ravel()
    z = normal_ppf(level)
    # The Cornish-Fisher quantile (the normal one corrected for the binomial's skew) is
    # almost always exact already: one tail and one point probability then confirm it.
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(n * theta * (1 - theta))
        skew = np.where(sd > 0, (1 - 2 * theta) / sd, 0.0)
        guess = np.floor(n * theta + sd * (z + (z * z - 1) * skew / 6) - 0.5)
    k = np.clip(guess, -1, n).astype(np.float64)
    active = np.flatnonzero(np.isfinite(k))
    for _ in range(200):
        if active.size == 0:
            break
        kk, nn, tt = k[active], n[active], theta[active]
        tail = binomial_cdf(kk, nn, tt)
        # Too far right: the tail up to k is not yet unlikely enough.
        high = (kk >= 0) & (tail >= level)
        # Too far left: k + 1 is still unlikely enough. The tail up to k + 1 is the tail up to k
        # and one more term (a point probability costs a fraction of a tail's).
        step = ~high & (kk + 1 <= nn)
        low = np.zeros(kk.shape, dtype=bool)
        low[step] = tail[step] + binomial_pmf(kk[step] + 1, nn[step], tt[step]) < level
        k[active] = np.where(high, kk - 1, np.where(low, kk + 1, kk))
        active = active[high | low]  # only the rows still moving are looked at again
    critical: FloatArray = np.asarray(k, dtype=np.float64).reshape(shape)
    return critical


def binomial_flag_probability(trials: ArrayLike, threshold: ArrayLike, level: float) -> FloatArray:
    """The exact chance that a service truly at the threshold is flagged (higher is better).

    It is at most ``level`` for every n: the fairness guarantee.
    """
    n = np.asarray(trials, dtype=np.float64)
    theta = np.asarray(threshold, dtype=np.float64)
    k = _binomial_critical(n, theta, level)
    return np.where(k >= 0, binomial_cdf(k, n, theta), 0.0).astype(np.float64)


EXACT_BELOW = 500
"""Shortfalls are solved exactly where n·θ·(1 − θ) is below this; above it, the power equation
is solved in closed form by the normal approximation (the critical count stays exact), which
gives the stated power to within 0.001 there (checked in the tests)."""


def binomial_shortfall(
    trials: ArrayLike, threshold: ArrayLike, level: float, power: float = POWER
) -> FloatArray:
    """The shortfall below θ (as a fraction) flagged with ``power`` for x of n, higher better.

    For a KPI where lower is better, call it on the complements (1 − θ). NaN where no result
    could be flagged at all (too few cases).

        >>> round(float(binomial_shortfall(40, 0.8, 0.025)), 3)
        0.203
    """
    n, theta = np.broadcast_arrays(
        np.asarray(trials, dtype=np.float64), np.asarray(threshold, dtype=np.float64)
    )
    if n.size > DISTINCT_FROM:
        # A column of returns holds far fewer distinct (n, θ) pairs than rows (small services
        # repeat their sizes): solve each pair once.
        valid = np.isfinite(n) & np.isfinite(theta)
        result = np.full(n.shape, np.nan)
        n_each, theta_each, inverse = _distinct(n[valid], theta[valid])
        result[valid] = _shortfall(n_each, theta_each, level, power)[inverse]
        return result
    return _shortfall(n, theta, level, power)


DISTINCT_FROM = 1000
"""Columns longer than this are solved once per distinct (n, θ) pair."""
TABLE_RATIO = 4
"""Distinct pairs are found by marking a table of every possible pair when it has at most this
many entries per row (no sort), and by sorting the pairs' keys otherwise."""


def _distinct(n: FloatArray, theta: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.intp]]:
    """The distinct (n, θ) pairs, and for each entry the index of its pair."""
    theta_values, theta_code = _factorise(theta)
    n_values, n_code = _factorise(n)
    width = theta_values.size
    key = n_code * width + theta_code
    if n_values.size * width <= TABLE_RATIO * key.size:
        # Few enough possible pairs to mark them in a table: no sort of the keys.
        present = np.zeros(n_values.size * width, dtype=bool)
        present[key] = True
        pairs = np.flatnonzero(present)
        inverse = (np.cumsum(present) - 1)[key]
    else:
        pairs, inverse = np.unique(key, return_inverse=True)
    return n_values[pairs // width], theta_values[pairs % width], inverse


def _factorise(values: FloatArray) -> tuple[FloatArray, NDArray[np.intp]]:
    """The distinct values, sorted, and each entry's index among them."""
    if values.size and values.min() >= 0 and values.max() < TABLE_RATIO * values.size + 1024:
        whole = values.astype(np.intp)
        if np.array_equal(whole, values):  # small whole numbers (counts): mark them in a table
            present = np.zeros(int(whole.max()) + 1, dtype=bool)
            present[whole] = True
            code: NDArray[np.intp] = (np.cumsum(present) - 1)[whole]
            return np.flatnonzero(present).astype(np.float64), code
    distinct = np.unique(values)
    return distinct, np.searchsorted(distinct, values)


def _shortfall(n: FloatArray, theta: FloatArray, level: float, power: float) -> FloatArray:
    """:func:`binomial_shortfall`, entry by entry."""
    k = _binomial_critical(n, theta, level)
    p1 = np.full(n.shape, np.nan)
    small = n * theta * (1 - theta) < EXACT_BELOW
    with np.errstate(invalid="ignore", divide="ignore"):
        # P(X ≤ k | n, p) = I_{1−p}(n − k, k + 1): solve it for p at the wanted power.
        p1[small] = 1 - special.betaincinv(n[small] - k[small], k[small] + 1, power)
        # Above: Φ((k + ½ − np) / √(np(1 − p))) = power, a quadratic in p.
        big = ~small
        z = normal_ppf(power)
        c, m = k[big] + 0.5, n[big]
        a = m * m + z * z * m
        b = 2 * c * m + z * z * m
        p1[big] = (b - np.sqrt(np.maximum(b * b - 4 * a * c * c, 0.0))) / (2 * a)
    return np.where((k >= 0) & (n > 0), theta - p1, np.nan).astype(np.float64)


def poisson_shortfall(
    expected: ArrayLike, level: float, power: float = POWER, *, higher_is_better: bool = False
) -> FloatArray:
    """How far the true mean count must be from μ (on the wrong side) to be flagged with
    ``power``; in events. Divide by exposure (times the rate's base) for a rate."""
    mu = np.asarray(expected, dtype=np.float64)
    if higher_is_better:
        k = poisson_ppf(level, mu) - 1
        k = np.where((k >= 0) & (poisson_cdf(k, mu) >= level), k - 1, k)
        with np.errstate(invalid="ignore"):
            mu1 = special.gammainccinv(np.maximum(k + 1, 1), power)
        return np.where(k >= 0, mu - mu1, np.nan).astype(np.float64)
    # Flag when X ≥ c, the smallest c with P(X ≥ c | μ) < level.
    c = poisson_ppf(1 - level, mu) + 1
    c = np.where(poisson_sf(c - 1, mu) >= level, c + 1, c)
    mu1 = special.gammaincinv(c, power)  # P(X ≥ c | μ1) = P(c, μ1), the regularised gamma
    return np.asarray(mu1 - mu, dtype=np.float64)


def mean_shortfall(
    sd: ArrayLike, count: ArrayLike, level: float, power: float = POWER
) -> FloatArray:
    """The shift in a mean a one-sided t-test detects with ``power`` (in the mean's unit).

    Solved exactly on the noncentral t distribution (by bisection on whole columns).
    """
    s, n = np.broadcast_arrays(
        np.asarray(sd, dtype=np.float64), np.asarray(count, dtype=np.float64)
    )
    usable = (n >= 2) & np.isfinite(s)
    df = np.maximum(n - 1, 1)
    critical = t_ppf(1 - level, df)
    low = np.zeros(n.shape)
    high = critical + normal_ppf(power) + 10.0
    for _ in range(40):  # widen until the power is reached (few degrees of freedom need a lot)
        short = usable & (noncentral_t_sf(critical, df, high) < power)
        if not short.any():
            break
        high = np.where(short, high * 2, high)
    for _ in range(60):
        middle = (low + high) / 2
        enough = noncentral_t_sf(critical, df, middle) >= power
        high = np.where(enough, middle, high)
        low = np.where(enough, low, middle)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = high * s / np.sqrt(n)
    return np.where(usable, delta, np.nan).astype(np.float64)
