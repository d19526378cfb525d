"""The distribution functions the statistics use are scipy.stats' own, bit for bit: at the
edges (NaN, infinities, outside the support, probabilities 0 and 1, parameters no distribution
has) and on a spread of ordinary values, including the ones the evaluator and the charts ask
for. contractkit computes them from scipy.special so as not to import scipy.stats."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import stats

from contractkit.stats import _distributions as ours
from contractkit.stats import mean_interval

EDGES = np.array([np.nan, -np.inf, np.inf, -1.0, -0.5, -0.0, 0.0, 0.5, 1, 2, 2.5, 3, 10, 1e9])
"""Values, counts and parameters at and beyond every edge."""
PROBABILITIES = np.array(
    [np.nan, -0.1, -0.0, 0.0, 1e-300, 1e-17, 0.00135, 0.025, 0.3, 0.5, 0.975, 1 - 1e-16, 1, 1.1]
)
RNG = np.random.default_rng(20261203)
SIZE = 20_000


def _grid(*axes: Any) -> list[Any]:
    return list(np.meshgrid(*axes, indexing="ij"))


def _counts() -> list[Any]:
    n = RNG.integers(0, 3000, SIZE).astype(np.float64)
    p = np.where(RNG.random(SIZE) < 0.5, RNG.random(SIZE), np.round(RNG.random(SIZE), 3))
    k = np.floor(RNG.random(SIZE) * (n + 2)) - (RNG.random(SIZE) < 0.05)
    return [k, n, p]


def _poisson_counts() -> list[Any]:
    mu = RNG.random(SIZE) * 200
    mu[:500] *= 1e-3
    return [np.floor(RNG.random(SIZE) * 300) - 1, mu]


def _poisson_quantiles() -> list[Any]:
    chart = RNG.choice([0.00135, 0.0227, 0.9773, 0.99865, 0.025, 0.975], SIZE)
    return [np.where(RNG.random(SIZE) < 0.5, RNG.random(SIZE), chart), RNG.random(SIZE) * 200]


def _t_values() -> list[Any]:
    return [RNG.normal(size=SIZE) * 5, RNG.integers(1, 500, SIZE).astype(np.float64)]


CASES: list[tuple[str, Callable[..., Any], Callable[..., Any], list[Any]]] = [
    ("binomial_cdf", ours.binomial_cdf, stats.binom.cdf, _grid(EDGES, EDGES, PROBABILITIES)),
    ("binomial_cdf", ours.binomial_cdf, stats.binom.cdf, _counts()),
    ("binomial_sf", ours.binomial_sf, stats.binom.sf, _grid(EDGES, EDGES, PROBABILITIES)),
    ("binomial_sf", ours.binomial_sf, stats.binom.sf, _counts()),
    ("binomial_pmf", ours.binomial_pmf, stats.binom.pmf, _grid(EDGES, EDGES, PROBABILITIES)),
    ("binomial_pmf", ours.binomial_pmf, stats.binom.pmf, _counts()),
    ("poisson_cdf", ours.poisson_cdf, stats.poisson.cdf, _grid(EDGES, EDGES)),
    ("poisson_cdf", ours.poisson_cdf, stats.poisson.cdf, _poisson_counts()),
    ("poisson_sf", ours.poisson_sf, stats.poisson.sf, _grid(EDGES, EDGES)),
    ("poisson_sf", ours.poisson_sf, stats.poisson.sf, _poisson_counts()),
    ("poisson_ppf", ours.poisson_ppf, stats.poisson.ppf, _grid(PROBABILITIES, EDGES)),
    ("poisson_ppf", ours.poisson_ppf, stats.poisson.ppf, _poisson_quantiles()),
    ("normal_ppf", ours.normal_ppf, stats.norm.ppf, [PROBABILITIES]),
    ("normal_ppf", ours.normal_ppf, stats.norm.ppf, [RNG.random(SIZE)]),
    ("t_cdf", ours.t_cdf, stats.t.cdf, _grid(EDGES, EDGES)),
    ("t_cdf", ours.t_cdf, stats.t.cdf, _t_values()),
    ("t_sf", ours.t_sf, stats.t.sf, _grid(EDGES, EDGES)),
    ("t_sf", ours.t_sf, stats.t.sf, _t_values()),
    ("t_ppf", ours.t_ppf, stats.t.ppf, _grid(PROBABILITIES, EDGES)),
    ("t_ppf", ours.t_ppf, stats.t.ppf, [RNG.random(SIZE), _t_values()[1]]),
    ("noncentral_t_sf", ours.noncentral_t_sf, stats.nct.sf, _grid(EDGES, EDGES, EDGES)),
    (
        "noncentral_t_sf",
        ours.noncentral_t_sf,
        stats.nct.sf,
        [RNG.random(SIZE) * 5, RNG.integers(1, 500, SIZE), RNG.random(SIZE) * 8],
    ),
    (
        "gamma_ppf",
        ours.gamma_ppf,
        lambda q, a, scale: stats.gamma.ppf(q, a, scale=scale),
        _grid(PROBABILITIES, EDGES, EDGES),
    ),
    (
        "gamma_ppf",
        ours.gamma_ppf,
        lambda q, a, scale: stats.gamma.ppf(q, a, scale=scale),
        [0.95, 1 / (RNG.random(SIZE) * 0.5 + 0.01), RNG.random(SIZE) * 0.5 + 0.01],
    ),
]


def _bits(values: Any) -> Any:
    """The float64 bit patterns, every NaN as one (NaN payloads are not results)."""
    array = np.asarray(values, dtype=np.float64)
    return np.where(np.isnan(array), np.nan, array).view(np.int64)


@pytest.mark.parametrize(
    ("name", "function", "scipy_function", "arguments"),
    CASES,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(CASES)],
)
def test_each_function_is_scipy_stats_bit_for_bit(
    name: str,
    function: Callable[..., Any],
    scipy_function: Callable[..., Any],
    arguments: list[Any],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy.stats warns of the edges; so may scipy.special
        expected = scipy_function(*arguments)
        got = function(*arguments)
    assert np.shape(got) == np.shape(expected)
    assert np.array_equal(_bits(got), _bits(expected)), name


def test_a_scalar_gives_a_scalar_shaped_answer() -> None:
    assert np.shape(ours.binomial_cdf(3, 10, 0.4)) == ()
    assert float(ours.binomial_cdf(3, 10, 0.4)) == stats.binom.cdf(3, 10, 0.4)
    assert float(ours.t_ppf(0.975, 24)) == stats.t.ppf(0.975, 24)


def test_the_mean_interval_is_the_t_interval() -> None:
    low, high = mean_interval([84.5, 20.0, 7.0], [10.0, 3.0, 1.0], [25, 2, 1])
    expected_low, expected_high = stats.t.interval(0.95, [24, 1], [84.5, 20.0], [2.0, 3.0 / 2**0.5])
    np.testing.assert_allclose(low[:2], expected_low, rtol=1e-12)
    np.testing.assert_allclose(high[:2], expected_high, rtol=1e-12)
    assert np.isnan(low[2])  # one case gives no spread
    assert np.isnan(high[2])


def test_the_mean_interval_refuses_a_confidence_outside_zero_and_one() -> None:
    with pytest.raises(ValueError, match=r"confidence must be between 0 and 1, got 1\.5"):
        mean_interval(1.0, 1.0, 5, confidence=1.5)
