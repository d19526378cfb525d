"""Intervals, one-sided exact tests and power: hand-computed values, published tables, and
properties checked against scipy.stats and direct sums.

The fairness numbers (the exact one-sided binomial test at p < 0.025 flags a service truly at an
80% target with probability 2.3%, 2.5%, 2.4% and 1.9% at n = 5000, 800, 200 and 40; a 40-case
service has about 10–18% power against a 5-point shortfall) are copied from the project's fair
flagging method, not read from it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from contractkit.stats import (
    binomial_flag_probability,
    binomial_p_value,
    binomial_shortfall,
    mean_shortfall,
    poisson_interval,
    poisson_p_value,
    poisson_shortfall,
    power,
    t_p_value,
    wilson_interval,
)

Z95 = 1.959963984540054  # the 97.5% point of the standard normal
no_deadline = settings(deadline=None)
thetas = st.floats(min_value=1e-4, max_value=1 - 1e-4)
levels = st.sampled_from([0.025, 0.001])


def wilson_by_hand(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson (1927) score interval, the textbook formula."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def binom_cdf_exact(x: int, n: int, theta: Fraction) -> Fraction:
    """P(X <= x) for X ~ Bin(n, theta), summed exactly with rationals."""
    return sum(
        (Fraction(math.comb(n, k)) * theta**k * (1 - theta) ** (n - k) for k in range(x + 1)),
        Fraction(0),
    )


def critical_count(n: int, theta: float, level: float) -> int:
    """The largest x with P(X <= x | n, theta) < level, by scanning every count (-1 if none)."""
    cdf = stats.binom.cdf(np.arange(n + 1), n, theta)
    below = np.flatnonzero(cdf < level)
    return int(below[-1]) if below.size else -1


# ---------------------------------------------------------------------------------------------
# Wilson score interval
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("x", "n"), [(38, 40), (0, 10), (10, 10), (81, 263), (1, 29)])
def test_wilson_matches_the_textbook_formula(x, n):
    low, high = wilson_interval(x, n)
    expected_low, expected_high = wilson_by_hand(x, n)
    assert low == pytest.approx(max(expected_low, 0.0), abs=1e-12)
    assert high == pytest.approx(min(expected_high, 1.0), abs=1e-12)


def test_wilson_38_of_40():
    # The library's own documented example, and the formula by hand: 0.8350 to 0.9862.
    low, high = wilson_interval(38, 40)
    assert (round(low, 4), round(high, 4)) == (0.835, 0.9862)


def test_wilson_zero_and_all_successes_have_closed_forms():
    # With x = 0 the interval is [0, z²/(n + z²)]; with x = n it is [n/(n + z²), 1].
    z2 = Z95 * Z95
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(z2 / (10 + z2), rel=1e-12)  # 0.2775
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(10 / (10 + z2), rel=1e-12)  # 0.7225
    assert high == pytest.approx(1.0, abs=1e-12)
    assert round(wilson_interval(0, 10)[1], 4) == 0.2775
    assert round(wilson_interval(10, 10)[0], 4) == 0.7225


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998(x, n, low, high):
    # Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison
    # of seven methods", Statistics in Medicine 17:857–872: the worked examples 81/263, 15/148,
    # 0/20 and 1/29, method 3 (Wilson score interval without continuity correction).
    got = wilson_interval(x, n)
    assert round(got[0], 4) == low
    assert round(got[1], 4) == high


def test_wilson_other_confidence_levels_nest_and_bad_levels_raise():
    narrow = wilson_interval(30, 40, 0.80)
    wide = wilson_interval(30, 40, 0.99)
    middle = wilson_interval(30, 40)
    assert wide[0] < middle[0] < narrow[0] < 0.75 < narrow[1] < middle[1] < wide[1]
    assert narrow[0] == pytest.approx(wilson_by_hand(30, 40, stats.norm.ppf(0.9))[0])
    for bad in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="confidence"):
            wilson_interval(30, 40, bad)


def test_wilson_with_no_trials_is_nan():
    low, high = wilson_interval(0, 0)
    assert math.isnan(low)
    assert math.isnan(high)
    lows, highs = wilson_interval(np.array([0, 3]), np.array([0, 4]))
    assert math.isnan(lows[0])
    assert highs[1] == pytest.approx(wilson_by_hand(3, 4)[1])


@given(n=st.integers(1, 100_000), data=st.data(), confidence=st.floats(0.5, 0.999))
def test_wilson_contains_the_estimate_and_stays_in_the_unit_interval(n, data, confidence):
    x = data.draw(st.integers(0, n))
    low, high = wilson_interval(x, n, confidence)
    assert 0.0 <= low <= high <= 1.0
    assert low <= x / n <= high
    # Symmetry: failures' interval is the mirror image.
    mirror = wilson_interval(n - x, n, confidence)
    assert low == pytest.approx(1 - mirror[1], abs=1e-12)
    assert high == pytest.approx(1 - mirror[0], abs=1e-12)


@pytest.mark.parametrize("n", [1, 10, 72, 1000])
def test_wilson_ends_exactly_at_zero_and_one(n):
    # With no successes the score interval starts at exactly 0, with all successes it ends at
    # exactly 1 (the formula's centre ± half-width is 0 or 1 in exact arithmetic), so the
    # interval always contains the observed 0% or 100%.
    for confidence in (0.5, 0.95):
        assert wilson_interval(0, n, confidence)[0] == 0.0
        assert wilson_interval(n, n, confidence)[1] == 1.0


# ---------------------------------------------------------------------------------------------
# Exact (Garwood) Poisson interval
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "low", "high"),
    [(0, 0.0, 3.6889), (1, 0.0253, 5.5716), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904)],
)
def test_poisson_interval_matches_published_exact_limits(events, low, high):
    # Garwood (1936) exact 95% limits for a Poisson count, as tabulated in the standard tables
    # (0: 0–3.689; 1: 0.0253–5.572; 5: 1.623–11.668; 10: 4.795–18.390), and by the chi-square
    # identity: lower = χ²(0.025; 2k)/2, upper = χ²(0.975; 2k + 2)/2.
    got_low, got_high = poisson_interval(events)
    assert float(got_low) == pytest.approx(low, abs=5e-5)
    assert float(got_high) == pytest.approx(high, abs=5e-5)
    chi_low = stats.chi2.ppf(0.025, 2 * events) / 2 if events else 0.0
    assert float(got_low) == pytest.approx(chi_low, rel=1e-9, abs=1e-12)
    assert float(got_high) == pytest.approx(stats.chi2.ppf(0.975, 2 * events + 2) / 2, rel=1e-9)


def test_poisson_interval_closed_forms():
    # 0 events: the upper limit solves e^(−μ) = α/2, so μ = −ln(α/2): 3.6889 at 95%, 2.9957 at
    # 90%. 1 event: the lower limit solves 1 − e^(−μ) = α/2, so μ = −ln(1 − α/2) = 0.025318.
    assert float(poisson_interval(0)[1]) == pytest.approx(-math.log(0.025), rel=1e-12)
    assert float(poisson_interval(0, 0.90)[1]) == pytest.approx(-math.log(0.05), rel=1e-12)
    assert float(poisson_interval(1)[0]) == pytest.approx(-math.log(0.975), rel=1e-12)


@given(events=st.integers(0, 5000), confidence=st.floats(0.5, 0.999))
def test_poisson_interval_is_exact_at_both_ends(events, confidence):
    # By definition P(X >= k | low) = α/2 and P(X <= k | high) = α/2.
    alpha = 1 - confidence
    low, high = (float(v) for v in poisson_interval(events, confidence))
    assert 0.0 <= low <= events <= high
    assert stats.poisson.cdf(events, high) == pytest.approx(alpha / 2, rel=1e-6)
    if events:
        assert stats.poisson.sf(events - 1, low) == pytest.approx(alpha / 2, rel=1e-6)
    else:
        assert low == 0.0


# ---------------------------------------------------------------------------------------------
# One-sided exact tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "theta"), [(30, 40, "9/10"), (35, 40, "9/10"), (3, 10, "1/2"), (0, 7, "1/3")]
)
def test_binomial_p_value_equals_the_direct_sum(x, n, theta):
    t = Fraction(theta)
    lower_tail = binom_cdf_exact(x, n, t)  # P(X <= x)
    upper_tail = 1 - binom_cdf_exact(x - 1, n, t) if x > 0 else Fraction(1)  # P(X >= x)
    higher = float(binomial_p_value(x, n, float(t), higher_is_better=True))
    lower = float(binomial_p_value(x, n, float(t), higher_is_better=False))
    assert higher == pytest.approx(float(lower_tail), rel=1e-10)
    assert lower == pytest.approx(float(upper_tail), rel=1e-10)


def test_binomial_p_value_documented_example_is_a_warning():
    # 30 of 40 against a 90% threshold: P(X <= 30 | 40, 0.9) = 0.005063 (direct sum) < 0.025.
    p = float(binomial_p_value(30, 40, 0.9, higher_is_better=True))
    assert p == pytest.approx(0.0050631, abs=5e-8)
    assert 0.001 <= p < 0.025


def test_binomial_p_value_at_the_ends():
    assert float(binomial_p_value(40, 40, 0.9, higher_is_better=True)) == pytest.approx(1.0)
    assert float(binomial_p_value(0, 40, 0.9, higher_is_better=False)) == pytest.approx(1.0)
    assert float(binomial_p_value(0, 40, 0.9, higher_is_better=True)) == pytest.approx(0.1**40)


@pytest.mark.parametrize(("events", "mu"), [(0, 2.5), (3, 2.5), (7, 2.5), (12, 4.0)])
def test_poisson_p_value_equals_the_direct_sum(events, mu):
    pmf = [math.exp(-mu) * mu**k / math.factorial(k) for k in range(events + 1)]
    at_most = sum(pmf)
    at_least = 1 - sum(pmf[:-1])
    assert float(poisson_p_value(events, mu, higher_is_better=True)) == pytest.approx(
        at_most, rel=1e-10
    )
    assert float(poisson_p_value(events, mu, higher_is_better=False)) == pytest.approx(
        at_least, rel=1e-10
    )


def test_poisson_zero_tolerance_is_exact():
    # Expected 0 (a never event): no events is certain (p = 1), any event is impossible (p = 0).
    p = poisson_p_value([0, 1, 5], [0.0, 0.0, 0.0], higher_is_better=False)
    assert p.tolist() == [1.0, 0.0, 0.0]


def test_t_p_value_by_hand():
    # Mean 9 against a threshold of 10 with sd 2 from 25 cases: t = −1/(2/5) = −2.5 on 24 df.
    # Tables: t(0.99; 24) = 2.492 and t(0.995; 24) = 2.797, so 0.005 < p < 0.01 (p = 0.00983).
    p = float(t_p_value(9, 2, 25, 10, higher_is_better=True))
    assert p == pytest.approx(stats.t.cdf(-2.5, 24), rel=1e-12)
    assert 0.005 < p < 0.01
    assert p == pytest.approx(0.009827, abs=1e-6)
    # Lower is better: the mirror image.
    assert float(t_p_value(11, 2, 25, 10, higher_is_better=False)) == pytest.approx(p, rel=1e-12)


def test_t_p_value_closed_form_with_two_degrees_of_freedom():
    # With 2 df the t distribution function is 1/2 + t/(2√(2 + t²)). Mean 9, sd 2, n 3.
    t = (9 - 10) / (2 / math.sqrt(3))
    expected = 0.5 + t / (2 * math.sqrt(2 + t * t))
    assert float(t_p_value(9, 2, 3, 10, higher_is_better=True)) == pytest.approx(
        expected, rel=1e-12
    )


def test_t_p_value_needs_two_cases():
    p = t_p_value([9, 9], [2, 2], [1, 2], [10, 10], higher_is_better=True)
    assert math.isnan(p[0])
    assert not math.isnan(p[1])


@no_deadline
@given(n=st.integers(1, 2000), theta=thetas, higher=st.booleans())
def test_binomial_p_values_are_monotone_in_the_numerator(n, theta, higher):
    # A better numerator (more successes when higher is better, fewer when lower is better)
    # never gives a smaller p-value, so never a worse status at any level.
    x = np.arange(n + 1)
    p = binomial_p_value(x, n, theta, higher_is_better=higher)
    better_first = p[::-1] if higher else p
    assert np.all(np.diff(better_first) <= 1e-12)
    assert np.all((p >= 0) & (p <= 1 + 1e-12))
    for level in (0.025, 0.001):
        flagged = p < level
        # Flags form one tail: once a numerator is clear, every better one is too.
        in_order = flagged[::-1] if higher else flagged
        assert np.all(np.diff(in_order.astype(int)) >= 0)


@given(mu=st.floats(0.01, 500), higher=st.booleans())
def test_poisson_p_values_are_monotone_in_the_count(mu, higher):
    k = np.arange(int(mu * 3) + 20)
    p = poisson_p_value(k, mu, higher_is_better=higher)
    better_first = p[::-1] if higher else p
    assert np.all(np.diff(better_first) <= 1e-12)


@given(
    means=st.lists(st.floats(-100, 100), min_size=2, max_size=20),
    sd=st.floats(0.1, 50),
    n=st.integers(2, 500),
    higher=st.booleans(),
)
def test_t_p_values_are_monotone_in_the_mean(means, sd, n, higher):
    m = np.sort(np.array(means))
    p = t_p_value(m, sd, n, 0.0, higher_is_better=higher)
    better_first = p[::-1] if higher else p
    assert np.all(np.diff(better_first) <= 1e-12)


# ---------------------------------------------------------------------------------------------
# Fairness: the exact chance of a false flag
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "shown"), [(5000, 2.3), (800, 2.5), (200, 2.4), (40, 1.9)])
def test_flag_probability_matches_the_fairness_table(n, shown):
    # Fair flagging method, worked example: every provider truly at an 80% target, exact
    # one-sided binomial test, p < 0.025: 2.3% (trust, 5000), 2.5% (independent, 800), 2.4%
    # (social enterprise, 200), 1.9% (VCSE, 40).
    p = float(binomial_flag_probability(n, 0.8, 0.025))
    assert round(100 * p, 1) == shown
    assert p <= 0.025
    # The same number as the sum of the pmf over the flag region, found by scanning.
    k = critical_count(n, 0.8, 0.025)
    assert p == pytest.approx(stats.binom.pmf(np.arange(k + 1), n, 0.8).sum(), rel=1e-9)


@no_deadline
@given(n=st.integers(1, 5000), theta=st.floats(1e-6, 1 - 1e-6), level=levels)
def test_flag_probability_never_exceeds_the_level_and_is_exact(n, theta, level):
    p = float(binomial_flag_probability(n, theta, level))
    assert 0.0 <= p <= level
    k = critical_count(n, theta, level)
    expected = float(stats.binom.cdf(k, n, theta)) if k >= 0 else 0.0
    assert p == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_flag_probability_is_zero_when_nothing_can_be_flagged():
    # One case at a 50% threshold: even a failure has p = 0.5.
    assert float(binomial_flag_probability(1, 0.5, 0.025)) == 0.0
    assert math.isnan(float(binomial_shortfall(1, 0.5, 0.025)))


# ---------------------------------------------------------------------------------------------
# Minimum detectable shortfall
# ---------------------------------------------------------------------------------------------


def test_binomial_shortfall_documented_example():
    # 40 cases at an 80% threshold, warning level: the flag region is x <= 26
    # (P(X <= 26 | 40, 0.8) = 0.019 < 0.025 <= P(X <= 27)), and P(X <= 26 | 40, 0.597) = 0.8.
    s = float(binomial_shortfall(40, 0.8, 0.025))
    assert round(s, 3) == 0.203
    assert critical_count(40, 0.8, 0.025) == 26
    assert stats.binom.cdf(26, 40, 0.8 - s) == pytest.approx(0.8, abs=1e-9)


def test_small_services_cannot_detect_a_five_point_shortfall():
    # Fair flagging method: a 40-case service has about 10–18% power against a 5-point shortfall;
    # a 5,000-case trust detects it almost always. Power computed over the library's own flag
    # region (every count whose p-value is below 0.025).
    def power(n: int, truth: float) -> float:
        x = np.arange(n + 1)
        region = binomial_p_value(x, n, 0.8, higher_is_better=True) < 0.025
        return float(stats.binom.pmf(x[region], n, truth).sum())

    assert 0.10 <= power(40, 0.75) <= 0.18
    assert power(5000, 0.75) > 0.999
    assert float(binomial_shortfall(40, 0.8, 0.025)) > 0.05
    assert float(binomial_shortfall(5000, 0.8, 0.025)) < 0.05


def exact_shortfall(n: int, theta: float, k: int, power: float = 0.8) -> float:
    """θ − p, where P(X <= k | n, p) = power, by root-finding on scipy.stats.binom."""
    p = optimize.brentq(lambda q: stats.binom.cdf(k, n, q) - power, 0.0, theta, xtol=1e-14)
    return theta - p


@no_deadline
@given(n=st.integers(1, 5000), theta=st.floats(1e-3, 1 - 1e-3), level=levels)
def test_binomial_shortfall_gives_the_stated_power(n, theta, level):
    s = float(binomial_shortfall(n, theta, level))
    k = critical_count(n, theta, level)
    if k < 0:
        assert math.isnan(s)
        return
    assert 0.0 <= s <= theta
    # Power at the shortfall is 0.8; the library solves small n exactly and, from 1000 cases,
    # by a normal approximation it documents as agreeing with the exact shortfall to within a
    # tenth of a percentage point. Both are checked against root-finding on the exact power.
    assert s == pytest.approx(exact_shortfall(n, theta, k), abs=1e-3)
    assert stats.binom.cdf(k, n, theta - s) == pytest.approx(0.8, abs=0.01)
    if n < 1000:
        assert s == pytest.approx(exact_shortfall(n, theta, k), abs=1e-7)


def test_binomial_shortfall_at_a_large_trust_gives_the_stated_power():
    # Regression: 10,095 cases at a 91% threshold, alarm level (0.001). The flag region is
    # x <= 9095, so the shortfall must make P(X <= 9095 | 10095, 0.91 − s) = 0.8, i.e.
    # s = 0.01154 (found by root-finding on scipy.stats.binom.cdf). Volumes like this are
    # ordinary for monthly A&E returns.
    n, theta, level = 10_095, 0.91, 0.001
    assert critical_count(n, theta, level) == 9095
    s = float(binomial_shortfall(n, theta, level))
    assert stats.binom.cdf(9095, n, theta - s) == pytest.approx(0.8, abs=1e-3)
    assert s == pytest.approx(0.011543, abs=1e-5)


def test_binomial_shortfall_is_saw_toothed_between_neighbouring_sizes():
    # The exact test's size jumps with n, so the shortfall is not monotone from one n to the
    # next: at 80%, 7 cases need a bigger shortfall than 6 (0.5717 vs 0.5314). Both are right:
    # each gives 80% power over its own flag region, x <= 2 for both (P(X <= 2 | 6, 0.8) =
    # 0.0170 and P(X <= 2 | 7, 0.8) = 0.0047 are below 0.025; P(X <= 3) is 0.099 and 0.033).
    s6, s7 = (float(v) for v in binomial_shortfall([6, 7], 0.8, 0.025))
    assert s7 > s6
    assert (round(s6, 4), round(s7, 4)) == (0.5314, 0.5717)
    assert (critical_count(6, 0.8, 0.025), critical_count(7, 0.8, 0.025)) == (2, 2)
    assert stats.binom.cdf(2, 6, 0.8 - s6) == pytest.approx(0.8)
    assert stats.binom.cdf(2, 7, 0.8 - s7) == pytest.approx(0.8)


@no_deadline
@given(n=st.integers(4, 2500), factor=st.integers(2, 4), theta=st.floats(0.01, 0.99), level=levels)
def test_binomial_shortfall_shrinks_as_the_service_grows_twofold_or_more(n, factor, theta, level):
    # The weak monotonicity that survives the saw-tooth: a service two to four times the size
    # never needs a bigger shortfall (from 4 cases up; with 1–3 cases and a threshold of 98% or
    # more it can).
    small, large = (float(v) for v in binomial_shortfall([n, factor * n], theta, level))
    if math.isnan(small):
        return
    assert not math.isnan(large)
    assert large <= small + 1e-12


@pytest.mark.parametrize("theta", [0.5, 0.8, 0.95])
def test_binomial_shortfall_on_the_fairness_sizes(theta):
    sizes = [40, 200, 800, 5000]
    warning = [float(v) for v in binomial_shortfall(sizes, theta, 0.025)]
    alarm = [float(v) for v in binomial_shortfall(sizes, theta, 0.001)]
    assert warning == sorted(warning, reverse=True)
    assert alarm == sorted(alarm, reverse=True)
    assert all(a > w for a, w in zip(alarm, warning, strict=True))


def test_poisson_shortfall_zero_tolerance_by_hand():
    # Expected 0: any event flags, and P(X >= 1 | μ) = 0.8 when μ = −ln(0.2) = 1.6094 events.
    assert float(poisson_shortfall(0.0, 0.025)) == pytest.approx(-math.log(0.2), rel=1e-12)


@no_deadline
@given(mu=st.floats(0.01, 5000), level=levels)
def test_poisson_shortfall_gives_the_stated_power(mu, level):
    # Lower is better: flag X >= c, the smallest c with P(X >= c | μ) < level.
    c = int(stats.poisson.isf(level, mu))
    while stats.poisson.sf(c - 1, mu) >= level:
        c += 1
    while c > 0 and stats.poisson.sf(c - 2, mu) < level:
        c -= 1
    s = float(poisson_shortfall(mu, level))
    assert s > 0
    assert stats.poisson.sf(c - 1, mu + s) == pytest.approx(0.8, abs=1e-6)
    # Higher is better: flag X <= k, the largest k with P(X <= k | μ) < level.
    k = int(stats.poisson.ppf(level, mu))
    while k >= 0 and stats.poisson.cdf(k, mu) >= level:
        k -= 1
    while stats.poisson.cdf(k + 1, mu) < level:
        k += 1
    up = float(poisson_shortfall(mu, level, higher_is_better=True))
    if k < 0:
        assert math.isnan(up)
    else:
        assert 0 < up <= mu
        assert stats.poisson.cdf(k, mu - up) == pytest.approx(0.8, abs=1e-6)


def test_mean_shortfall_by_hand():
    # 25 cases, sd 10, warning level. The usual approximation (t(0.975; 24) + t(0.8; 24)) ×
    # 10/√25 = (2.0639 + 0.8569) × 2 = 5.84 must be close; the exact answer is the shift at
    # which the one-sided t-test has 80% power (noncentral t, 24 df, noncentrality δ√25/10).
    delta = float(mean_shortfall(10, 25, 0.025))
    assert delta == pytest.approx(5.8415, abs=0.02)
    power = stats.nct.sf(stats.t.ppf(0.975, 24), 24, delta * 5 / 10)
    assert power == pytest.approx(0.8, abs=1e-3)
    assert math.isnan(float(mean_shortfall(10, 1, 0.025)))


@given(n=st.integers(2, 2000), sd=st.floats(0.1, 100), level=levels)
def test_mean_shortfall_gives_the_stated_power(n, sd, level):
    # The exact power of the one-sided t-test at the shortfall (noncentral t) is 0.8.
    delta = float(mean_shortfall(sd, n, level))
    critical = stats.t.ppf(1 - level, n - 1)
    power = stats.nct.sf(critical, n - 1, delta * math.sqrt(n) / sd)
    assert power == pytest.approx(0.8, abs=1e-3)


def test_mean_shortfall_gives_the_stated_power_for_ten_cases_at_the_alarm_level():
    # A mean from 10 cases (sd 1) at the alarm level (0.001): the shortcut
    # (t(0.999; 9) + t(0.8; 9))/√10 = 1.5099 would give only 76.3% power; the shortfall is
    # solved on the noncentral t, so the power at it is exactly 80%.
    delta = float(mean_shortfall(1.0, 10, 0.001))
    shortcut = (stats.t.ppf(0.999, 9) + stats.t.ppf(0.8, 9)) / math.sqrt(10)
    assert delta > shortcut
    power = stats.nct.sf(stats.t.ppf(0.999, 9), 9, delta * math.sqrt(10))
    assert power == pytest.approx(0.8, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Arrays and scalars give the same answers
# ---------------------------------------------------------------------------------------------


@no_deadline
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 3000), st.floats(0.0, 1.0), st.floats(0.05, 0.95), st.booleans()),
        min_size=1,
        max_size=8,
    ),
    level=levels,
)
def test_arrays_and_scalars_agree(rows, level):
    n = np.array([r[0] for r in rows])
    x = np.array([round(r[1] * r[0]) for r in rows])
    theta = np.array([r[2] for r in rows])
    for higher in (True, False):
        whole = binomial_p_value(x, n, theta, higher_is_better=higher)
        singles = [
            float(binomial_p_value(int(a), int(b), float(c), higher_is_better=higher))
            for a, b, c in zip(x, n, theta, strict=False)
        ]
        np.testing.assert_array_equal(whole, singles)
        whole = poisson_p_value(x, theta * n, higher_is_better=higher)
        singles = [
            float(poisson_p_value(int(a), float(m), higher_is_better=higher))
            for a, m in zip(x, theta * n, strict=False)
        ]
        np.testing.assert_array_equal(whole, singles)
        whole = t_p_value(theta, theta, n, 0.5, higher_is_better=higher)
        singles = [
            float(t_p_value(float(a), float(a), int(b), 0.5, higher_is_better=higher))
            for a, b in zip(theta, n, strict=False)
        ]
        np.testing.assert_array_equal(whole, singles)
    lows, highs = wilson_interval(x, n)
    for a, b, lo, hi in zip(x, n, lows, highs, strict=False):
        assert wilson_interval(int(a), int(b)) == (lo, hi)
    lows, highs = poisson_interval(x)
    for a, lo, hi in zip(x, lows, highs, strict=False):
        assert tuple(float(v) for v in poisson_interval(int(a))) == (lo, hi)
    for fn in (binomial_flag_probability, binomial_shortfall):
        whole = fn(n, theta, level)
        singles = [float(fn(int(b), float(c), level)) for b, c in zip(n, theta, strict=False)]
        np.testing.assert_array_equal(whole, singles)
    for higher in (True, False):
        whole = poisson_shortfall(theta * n, level, higher_is_better=higher)
        singles = [
            float(poisson_shortfall(float(m), level, higher_is_better=higher)) for m in theta * n
        ]
        np.testing.assert_array_equal(whole, singles)
    whole = mean_shortfall(theta, n, level)
    singles = [
        float(mean_shortfall(float(s), int(b), level)) for s, b in zip(theta, n, strict=False)
    ]
    np.testing.assert_array_equal(whole, singles)


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.one_of(st.integers(0, 3000).map(float), st.just(math.nan)),
            st.sampled_from([0.5, 0.6, 0.7, 0.95, math.nan]),
        ),
        min_size=1,
        max_size=40,
    ),
    table=st.booleans(),
)
def test_binomial_shortfall_on_a_column_equals_each_entry_alone(pairs, table):
    """Long columns are solved once per distinct (n, θ) pair; that never changes an answer,
    whether the pairs are found with a table of every possible pair or by sorting."""
    n = np.array([p[0] for p in pairs] * 3)
    theta = np.array([p[1] for p in pairs] * 3)
    with (
        mock.patch.object(power, "DISTINCT_FROM", 0),
        mock.patch.object(power, "TABLE_RATIO", 10**6 if table else 0),
    ):
        column = binomial_shortfall(n, theta, 0.025)
    alone = [float(binomial_shortfall(a, b, 0.025)) for a, b in zip(n, theta, strict=True)]
    np.testing.assert_array_equal(column, alone)
