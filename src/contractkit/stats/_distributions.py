"""The distribution functions the statistics use, computed as scipy.stats computes them (to the
last bit) without importing scipy.stats, which alone takes longer to import than everything
else an evaluation needs.

Each function is scipy.stats' method of the same name on the same distribution: the same
special function underneath, and the same answers at the edges (1 or 0 beyond the support, the
support's ends at probabilities 0 and 1, NaN for parameters no distribution has). The tests
check each against scipy.stats, bit for bit.

All but two families are public functions of scipy.special (pdtr, ndtri, stdtr, gammaincinv,
…). The binomial distribution and the noncentral t's upper tail are not: scipy.stats computes
them with Boost's distributions, which scipy.special holds as private ufuncs (since scipy 1.14);
its public bdtr and bdtrc are another implementation that differs in the last bits. Where a
scipy release keeps those ufuncs elsewhere, the functions that need them ask scipy.stats
itself: the same answers, only slower to start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

try:  # the ufuncs scipy.stats.binom and scipy.stats.nct call (Boost's)
    from scipy.special._ufuncs import _binom_cdf, _binom_pmf, _binom_sf, _nct_sf
except ImportError:  # pragma: no cover - a scipy release that keeps them elsewhere
    _binom_cdf = _binom_pmf = _binom_sf = _nct_sf = None

__all__ = [
    "binomial_cdf",
    "binomial_pmf",
    "binomial_sf",
    "gamma_ppf",
    "noncentral_t_sf",
    "normal_ppf",
    "poisson_cdf",
    "poisson_ppf",
    "poisson_sf",
    "t_cdf",
    "t_ppf",
    "t_sf",
]

FloatArray = NDArray[np.float64]
Tail = Callable[..., Any]


def _floats(*values: ArrayLike) -> list[FloatArray]:
    """The arguments as float arrays of one shape."""
    return list(np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values)))


def _scipy_stats() -> Any:
    """scipy.stats, for a scipy without the private ufuncs (imported only then)."""
    from scipy import stats

    return stats


# --- discrete distributions on 0, 1, …, upper ---------------------------------------------


def _discrete_cdf(
    k: FloatArray, upper: FloatArray, valid: NDArray[np.bool_], cdf: Tail, *params: FloatArray
) -> FloatArray:
    """P(X ≤ k), from ``cdf`` (taking whole k inside the support) as rv_discrete.cdf has it."""
    inside = valid & (k >= 0) & (k < upper) & np.isfinite(k)
    out = np.where(k >= upper, 1.0, 0.0)
    out[~valid | np.isnan(k)] = np.nan
    if inside.any():
        out[inside] = np.clip(cdf(np.floor(k[inside]), *(p[inside] for p in params)), 0, 1)
    return out


def _discrete_sf(
    k: FloatArray, upper: FloatArray, valid: NDArray[np.bool_], sf: Tail, *params: FloatArray
) -> FloatArray:
    """P(X > k), from ``sf`` (taking whole k inside the support) as rv_discrete.sf has it."""
    inside = valid & (k >= 0) & (k < upper) & np.isfinite(k)
    out = np.zeros(k.shape)
    out[~valid | np.isnan(k)] = np.nan
    out[valid & (k < 0)] = 1.0
    if inside.any():
        out[inside] = np.clip(sf(np.floor(k[inside]), *(p[inside] for p in params)), 0, 1)
    return out


def _binomial_valid(n: FloatArray, p: FloatArray) -> NDArray[np.bool_]:
    valid: NDArray[np.bool_] = (n >= 0) & (n == np.round(n)) & (p >= 0) & (p <= 1)
    return valid


def binomial_cdf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> FloatArray:
    """P(X ≤ k) for X ~ Binomial(n, p): scipy.stats.binom.cdf."""
    if _binom_cdf is None:  # pragma: no cover - see the module's docstring
        return np.asarray(_scipy_stats().binom.cdf(k, n, p), dtype=np.float64)
    kk, nn, pp = _floats(k, n, p)
    return _discrete_cdf(kk, nn, _binomial_valid(nn, pp), _binom_cdf, nn, pp)


def binomial_sf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> FloatArray:
    """P(X > k) for X ~ Binomial(n, p): scipy.stats.binom.sf."""
    if _binom_sf is None:  # pragma: no cover - see the module's docstring
        return np.asarray(_scipy_stats().binom.sf(k, n, p), dtype=np.float64)
    kk, nn, pp = _floats(k, n, p)
    return _discrete_sf(kk, nn, _binomial_valid(nn, pp), _binom_sf, nn, pp)


def binomial_pmf(k: ArrayLike, n: ArrayLike, p: ArrayLike) -> FloatArray:
    """P(X = k) for X ~ Binomial(n, p): scipy.stats.binom.pmf."""
    if _binom_pmf is None:  # pragma: no cover - see the module's docstring
        return np.asarray(_scipy_stats().binom.pmf(k, n, p), dtype=np.float64)
    kk, nn, pp = _floats(k, n, p)
    valid = _binomial_valid(nn, pp)
    inside = valid & (kk >= 0) & (kk <= nn) & (np.floor(kk) == kk)
    out = np.zeros(kk.shape)
    out[~valid | np.isnan(kk)] = np.nan
    if inside.any():
        out[inside] = np.clip(_binom_pmf(kk[inside], nn[inside], pp[inside]), 0, 1)
    return out


def poisson_cdf(k: ArrayLike, mu: ArrayLike) -> FloatArray:
    """P(X ≤ k) for X ~ Poisson(μ): scipy.stats.poisson.cdf."""
    kk, mm = _floats(k, mu)
    return _discrete_cdf(kk, np.full(kk.shape, np.inf), mm >= 0, special.pdtr, mm)


def poisson_sf(k: ArrayLike, mu: ArrayLike) -> FloatArray:
    """P(X > k) for X ~ Poisson(μ): scipy.stats.poisson.sf."""
    kk, mm = _floats(k, mu)
    return _discrete_sf(kk, np.full(kk.shape, np.inf), mm >= 0, special.pdtrc, mm)


def poisson_ppf(q: ArrayLike, mu: ArrayLike) -> FloatArray:
    """The least k with P(X ≤ k) ≥ q for X ~ Poisson(μ) (−1 at q = 0, ∞ at q = 1):
    scipy.stats.poisson.ppf."""
    qq, mm = _floats(q, mu)
    valid = mm >= 0
    out = np.full(qq.shape, np.nan)
    out[valid & (qq == 0)] = -1.0
    out[valid & (qq == 1)] = np.inf
    inside = valid & (qq > 0) & (qq < 1)
    if inside.any():
        q_in, mu_in = qq[inside], mm[inside]
        guess = np.ceil(special.pdtrik(q_in, mu_in))
        below = np.maximum(guess - 1, 0)
        # (+ 0.0, as scipy.stats adds its location: a quantile is never -0.0)
        out[inside] = np.where(special.pdtr(below, mu_in) >= q_in, below, guess) + 0.0
    return out


# --- continuous distributions ---------------------------------------------------------------


def normal_ppf(q: ArrayLike) -> FloatArray:
    """The standard normal quantile: scipy.stats.norm.ppf (−∞ at 0, ∞ at 1, NaN outside)."""
    quantile: FloatArray = np.asarray(special.ndtri(np.asarray(q, dtype=np.float64)) + 0.0)
    return quantile


def _continuous_cdf(
    x: FloatArray, valid: NDArray[np.bool_], cdf: Tail, *params: FloatArray
) -> FloatArray:
    """P(X ≤ x) on the whole line, from ``cdf`` as rv_continuous.cdf has it."""
    inside = valid & np.isfinite(x)
    out = np.zeros(x.shape)
    out[~valid | np.isnan(x)] = np.nan
    out[valid & (x == np.inf)] = 1.0
    if inside.any():
        out[inside] = cdf(x[inside], *(p[inside] for p in params))
    return out


def _continuous_sf(
    x: FloatArray, valid: NDArray[np.bool_], sf: Tail, *params: FloatArray
) -> FloatArray:
    """P(X > x) on the whole line, from ``sf`` as rv_continuous.sf has it."""
    inside = valid & np.isfinite(x)
    out = np.zeros(x.shape)
    out[~valid | np.isnan(x)] = np.nan
    out[valid & (x == -np.inf)] = 1.0
    if inside.any():
        out[inside] = sf(x[inside], *(p[inside] for p in params))
    return out


def _continuous_ppf(
    q: FloatArray,
    valid: NDArray[np.bool_],
    low: ArrayLike,
    high: ArrayLike,
    ppf: Tail,
    *params: FloatArray,
) -> FloatArray:
    """The quantile from ``ppf`` as rv_continuous.ppf has it: ``low`` and ``high`` (the
    support's ends, scaled) at 0 and 1, NaN outside."""
    out = np.full(q.shape, np.nan)
    at_low, at_high = valid & (q == 0), valid & (q == 1)
    out[at_low] = np.broadcast_to(low, q.shape)[at_low]
    out[at_high] = np.broadcast_to(high, q.shape)[at_high]
    inside = valid & (q > 0) & (q < 1)
    if inside.any():
        out[inside] = ppf(q[inside], *(p[inside] for p in params)) + 0.0  # (never -0.0)
    return out


def t_cdf(x: ArrayLike, df: ArrayLike) -> FloatArray:
    """P(T ≤ x) for Student's t with ``df`` degrees of freedom: scipy.stats.t.cdf."""
    xx, dd = _floats(x, df)
    return _continuous_cdf(xx, dd > 0, lambda x, df: special.stdtr(df, x), dd)


def t_sf(x: ArrayLike, df: ArrayLike) -> FloatArray:
    """P(T > x) for Student's t with ``df`` degrees of freedom: scipy.stats.t.sf."""
    xx, dd = _floats(x, df)
    return _continuous_sf(xx, dd > 0, lambda x, df: special.stdtr(df, -x), dd)


def t_ppf(q: ArrayLike, df: ArrayLike) -> FloatArray:
    """Student's t quantile with ``df`` degrees of freedom: scipy.stats.t.ppf."""
    qq, dd = _floats(q, df)
    return _continuous_ppf(qq, dd > 0, -np.inf, np.inf, lambda q, df: special.stdtrit(df, q), dd)


def noncentral_t_sf(x: ArrayLike, df: ArrayLike, nc: ArrayLike) -> FloatArray:
    """P(T > x) for the noncentral t with ``df`` degrees of freedom and noncentrality ``nc``:
    scipy.stats.nct.sf."""
    if _nct_sf is None:  # pragma: no cover - see the module's docstring
        return np.asarray(_scipy_stats().nct.sf(x, df, nc), dtype=np.float64)
    xx, dd, cc = _floats(x, df, nc)
    return _continuous_sf(
        xx, (dd > 0) & (cc == cc), lambda x, df, nc: np.clip(_nct_sf(x, df, nc), 0, 1), dd, cc
    )


def gamma_ppf(q: ArrayLike, shape: ArrayLike, scale: ArrayLike) -> FloatArray:
    """The gamma distribution's quantile (shape and scale): scipy.stats.gamma.ppf."""
    qq, aa, ss = _floats(q, shape, scale)
    return _continuous_ppf(
        qq,
        (aa > 0) & (ss > 0),
        0.0 * ss,  # (NaN for an infinite scale, as scipy.stats has it)
        np.inf * ss,
        lambda q, a, s: special.gammaincinv(a, q) * s,
        aa,
        ss,
    )
