"""One-sided tests against a threshold: exact binomial, exact Poisson, and Student's t.

Each returns the probability, if true performance were exactly at the threshold, of a result
at least as far on the wrong side as the one observed. Inputs are whole columns (arrays).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from contractkit.stats._distributions import (
    binomial_cdf,
    binomial_sf,
    poisson_cdf,
    poisson_sf,
    t_cdf,
    t_sf,
)

__all__ = ["binomial_p_value", "poisson_p_value", "t_p_value"]

FloatArray = NDArray[np.float64]


def binomial_p_value(
    successes: ArrayLike, trials: ArrayLike, threshold: ArrayLike, *, higher_is_better: bool
) -> FloatArray:
    """P(X ≤ x | n, θ) when higher is better; P(X ≥ x | n, θ) when lower is better.

    >>> float(binomial_p_value(30, 40, 0.9, higher_is_better=True)) < 0.025
    True
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    theta = np.asarray(threshold, dtype=np.float64)
    if higher_is_better:
        return np.asarray(binomial_cdf(x, n, theta), dtype=np.float64)
    return np.asarray(binomial_sf(x - 1, n, theta), dtype=np.float64)


def poisson_p_value(
    events: ArrayLike, expected: ArrayLike, *, higher_is_better: bool
) -> FloatArray:
    """P(X ≥ x | μ) when lower is better; P(X ≤ x | μ) when higher is better.

    ``expected`` is the mean the threshold implies (rate × exposure). With μ = 0 (zero
    tolerance) any event has probability 0: the comparison is exact.
    """
    x = np.asarray(events, dtype=np.float64)
    mu = np.asarray(expected, dtype=np.float64)
    if higher_is_better:
        return np.asarray(poisson_cdf(x, mu), dtype=np.float64)
    return np.asarray(poisson_sf(x - 1, mu), dtype=np.float64)


def t_p_value(
    mean: ArrayLike,
    sd: ArrayLike,
    count: ArrayLike,
    threshold: ArrayLike,
    *,
    higher_is_better: bool,
) -> FloatArray:
    """One-sided t-test of a mean against a threshold: P(T ≤ t) when higher is better,
    P(T ≥ t) when lower is better, with n − 1 degrees of freedom. Needs n ≥ 2."""
    m = np.asarray(mean, dtype=np.float64)
    s = np.asarray(sd, dtype=np.float64)
    n = np.asarray(count, dtype=np.float64)
    theta = np.asarray(threshold, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = s / np.sqrt(n)
        t = np.where(se > 0, (m - theta) / se, np.sign(m - theta) * np.inf)
        df = np.maximum(n - 1, 1)
        p = t_cdf(t, df) if higher_is_better else t_sf(t, df)
    return np.where(n >= 2, p, np.nan).astype(np.float64)
