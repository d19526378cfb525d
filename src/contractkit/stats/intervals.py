"""Confidence intervals: Wilson for proportions, exact (Garwood) for Poisson counts and rates,
Student's t for means."""

from __future__ import annotations

from typing import overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from contractkit.stats._distributions import normal_ppf, t_ppf

__all__ = ["mean_interval", "poisson_interval", "wilson_interval"]

FloatArray = NDArray[np.float64]


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return float(normal_ppf(0.5 + confidence / 2))


@overload
def wilson_interval(
    successes: float, trials: float, confidence: float = 0.95
) -> tuple[float, float]: ...
@overload
def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]: ...
def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray] | tuple[float, float]:
    """The Wilson score interval for a proportion (two-sided), for scalars or arrays.

    Where ``trials`` is 0 the interval is (nan, nan): there is nothing to estimate.

        >>> low, high = wilson_interval(38, 40)
        >>> round(low, 4), round(high, 4)
        (0.835, 0.9862)
    """
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
        # At x = 0 and x = n the bounds are exactly 0 and 1 (rounding must not move them).
        low = np.where((n > 0) & (x == 0), 0.0, low)
        high = np.where((n > 0) & (x == n), 1.0, high)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def poisson_interval(events: ArrayLike, confidence: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """The exact (Garwood) interval for a Poisson mean, given the events observed.

    Divide by the exposure (and multiply by the rate's base) for an interval on a rate.

        >>> low, high = poisson_interval(0)
        >>> float(low), round(float(high), 4)
        (0.0, 3.6889)
    """
    k = np.asarray(events, dtype=np.float64)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, special.gammaincinv(np.maximum(k, 1e-300), alpha / 2), 0.0)
        high = special.gammaincinv(k + 1, 1 - alpha / 2)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def mean_interval(
    mean: ArrayLike, sd: ArrayLike, count: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """The t interval for a mean, given the standard deviation and the number of cases.

    Where ``count`` is below 2 the interval is (nan, nan): one case gives no spread.

        >>> low, high = mean_interval(84.5, 10.0, 25)
        >>> round(float(low), 2), round(float(high), 2)
        (80.37, 88.63)
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    m = np.asarray(mean, dtype=np.float64)
    s = np.asarray(sd, dtype=np.float64)
    n = np.asarray(count, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t_ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)) * s / np.sqrt(n)
        low = np.where(n >= 2, m - half, np.nan)
        high = np.where(n >= 2, m + half, np.nan)
    return low, high
