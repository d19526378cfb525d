"""Attribute charts (c, u, p, Laney's p′ and u′) and the chart-choice rule, against published
worked examples, hand-computed cases and properties.

Sources (each test names the one it transcribes):

[MONT]  D. C. Montgomery, *Introduction to Statistical Quality Control* (6th ed., 2009):
        Example 7.1 (orange-juice cans, p-chart), Table 7.4 (p-chart with varying sample
        sizes), Example 7.3 (printed circuit boards, c-chart), Examples 7.4 and 7.5 (u-charts).
        The data as kept in the qcc R package (luca-scr/qcc, data/circuit.txt,
        data/orangejuice.txt, data/dyedcloth.txt, commit af35099), which cites the 2nd edition's
        pages; the centre lines and limits to ten digits from the qicharts2 R package's test
        references (anhoej/qicharts2, tests/testthat/test_montgomery.R with ex_7.1_5.rds,
        tbl_7.4_1.rds, ex_7.3_3.rds, ex_7.4_1.rds and ex_7.5_1.rds, commit 1b9487e), which
        reproduce Montgomery's three-sigma charts.
[LANEY] D. B. Laney (2002), "Improved control charts for attributes", Quality Engineering
        14(4): the p′ chart. Worked on the NHS accident and emergency data of Mohammed et al.,
        BMJ Quality & Safety 2013;22:362–368 (20 weeks of attendances seen within four hours,
        each week over 260,000), as kept in qicharts2 (data/nhs_accidents.rda) and charted in its
        vignette, "Case 5: Prime charts for count data with very large sample sizes"
        (vignettes/qicharts2.Rmd; the figures docs/articles/qicharts2_files/figure-html/
        unnamed-chunk-49-1.png and -51-1.png label the lines 95.290%, 95.169% and 95.411% on the
        p-chart and 93.997% and 96.582% on the p′ chart, at the last week).

Nothing here reads the shared design folder: the numbers needed are copied in.
"""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from contractkit.stats import (
    blockwise,
    c_chart,
    choose_chart,
    control_batch,
    control_chart,
    overdispersion_bound,
    p_chart,
    p_prime_chart,
    u_chart,
    u_prime_chart,
    xmr,
)
from contractkit.stats.attribute import ALPHA, CHARTS

no_deadline = settings(deadline=None)

# [MONT] Example 7.3 (qcc data/circuit.txt, samples 1-26): nonconformities in 26 samples of
# 100 printed circuit boards.
CIRCUIT = [21, 24, 16, 12, 15, 5, 28, 20, 31, 25, 20, 24, 16, 19, 10, 17, 13, 22, 18, 39, 30, 24]
CIRCUIT += [16, 19, 17, 15]
# [MONT] Example 7.1 (qcc data/orangejuice.txt, samples 1-30): defective cans in samples of 50.
ORANGE_JUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22, 8, 10, 5, 13, 11, 20, 18]
ORANGE_JUICE += [24, 15, 9, 12, 7, 13, 9, 6]
# [LANEY] attendances seen within four hours (r) of all attendances (n), weeks 1-20.
SEEN = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320]
SEEN += [267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989]
ATTENDANCES = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529]
ATTENDANCES += [279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772]


def flagged(chart, rule: str = "astronomical") -> list[int]:
    """1-based positions flagged by ``rule`` (as the sources number them)."""
    return [i + 1 for i, rules in enumerate(chart.rules) if rule in rules]


# ---------------------------------------------------------------------------------------------
# Published worked examples
# ---------------------------------------------------------------------------------------------


def test_c_chart_three_sigma_limits_match_montgomery_example_7_3():
    # [MONT] Example 7.3: c̄ = 516/26 = 19.85, UCL = 19.85 + 3√19.85 = 33.22, LCL = 6.48;
    # samples 6 and 20 lie outside. (Montgomery works from c̄ rounded to 19.85: unrounded,
    # the upper limit is 33.211.)
    chart = c_chart(CIRCUIT, limits="sigma")
    assert chart.chart == "c"
    assert chart.mean[0] == pytest.approx(516 / 26)
    assert chart.upper_limit[0] == pytest.approx(516 / 26 + 3 * math.sqrt(516 / 26))
    assert chart.upper_limit[0] == pytest.approx(33.22, abs=0.01)
    assert chart.lower_limit[0] == pytest.approx(6.48, abs=0.005)
    assert flagged(chart) == [6, 20]


def test_revised_c_chart_matches_qicharts2_reference():
    # [MONT] Example 7.3 revised without samples 6 and 20 (qicharts2 ex_7.3_3.rds: cl
    # 19.66666667, lcl 6.362531971, ucl 32.97080136; no point of the 24 beyond them).
    kept = [c for i, c in enumerate(CIRCUIT) if i + 1 not in (6, 20)]
    chart = c_chart(kept, limits="sigma")
    assert chart.mean[0] == pytest.approx(19.66666667, abs=1e-8)
    assert chart.lower_limit[0] == pytest.approx(6.362531971, abs=1e-9)
    assert chart.upper_limit[0] == pytest.approx(32.97080136, abs=1e-8)
    assert flagged(chart) == []


def test_exact_poisson_limits_flag_the_same_circuit_samples():
    # [MONT] Example 7.3 with exact Poisson limits instead: at c̄ = 19.85 the counts beyond
    # them (below 8, above 34) each have a chance of at most 0.135%; samples 6 (5) and 20 (39)
    # are still the two outside, and the limits are whole counts.
    chart = c_chart(CIRCUIT)
    mean = 516 / 26
    assert (chart.lower_limit[0], chart.upper_limit[0]) == (8.0, 34.0)
    assert stats.poisson.cdf(7, mean) <= ALPHA < stats.poisson.cdf(8, mean)
    assert stats.poisson.sf(34, mean) <= ALPHA < stats.poisson.sf(33, mean)
    assert flagged(chart) == [6, 20]


def test_p_chart_matches_montgomery_example_7_1():
    # [MONT] Example 7.1 revised without samples 15 and 23 (qicharts2 ex_7.1_5.rds: cl 0.215,
    # lcl 0.04070283995, ucl 0.38929716); of the 28, sample 21 (20 of 50 = 0.40) is beyond.
    kept = [(i + 1, d) for i, d in enumerate(ORANGE_JUICE) if i + 1 not in (15, 23)]
    chart = p_chart([d for _, d in kept], [50] * len(kept))
    assert chart.mean[0] == pytest.approx(0.215)
    assert chart.lower_limit[0] == pytest.approx(0.04070283995, abs=1e-11)
    assert chart.upper_limit[0] == pytest.approx(0.38929716, abs=1e-8)
    assert [kept[i - 1][0] for i in flagged(chart)] == [21]


def test_p_chart_with_varying_sample_sizes_matches_montgomery_table_7_4():
    # [MONT] Table 7.4 (qicharts2 tbl_7.4_1.rds): p̄ = 0.09551020408; limits for each sample
    # size; only sample 11 (20 of 110 = 0.1818 above 0.1796) is beyond. The lower limit for
    # n = 80 (negative) is held at 0.
    counts = [12, 8, 6, 9, 10, 12, 11, 16, 10, 6, 20, 15, 9, 8, 6, 8, 10, 7, 5, 8, 5, 8, 10, 6, 9]
    sizes = [100, 80, 80, 100, 110, 110, 100, 100, 90, 90, 110, 120, 120, 120, 110, 80, 80, 80]
    sizes += [90, 100, 100, 100, 100, 90, 90]
    limits = {
        80: (0.0, 0.1940934205),
        90: (0.00256505628, 0.1884553519),
        100: (0.007334694728, 0.1836857134),
        110: (0.01143815463, 0.1795822535),
        120: (0.01501734493, 0.1760030632),
    }
    chart = p_chart(counts, sizes)
    assert chart.mean[0] == pytest.approx(0.09551020408, abs=1e-11)
    for i, n in enumerate(sizes):
        assert (chart.lower_limit[i], chart.upper_limit[i]) == pytest.approx(limits[n], abs=1e-10)
    assert flagged(chart) == [11]


def test_u_chart_matches_montgomery_example_7_4():
    # [MONT] Example 7.4 (qicharts2 ex_7.4_1.rds): 20 samples of 50 units, ū = 0.074, UCL
    # 0.1894123044, LCL below zero held at 0; no point beyond.
    counts = [2, 3, 8, 1, 1, 4, 1, 4, 5, 1, 8, 2, 4, 3, 4, 1, 8, 3, 7, 4]
    chart = u_chart(counts, [50] * 20, limits="sigma")
    assert chart.mean[0] == pytest.approx(0.074)
    assert chart.upper_limit[0] == pytest.approx(0.1894123044, abs=1e-10)
    assert chart.lower_limit[0] == 0.0
    assert flagged(chart) == []


def test_u_chart_with_varying_exposure_matches_montgomery_example_7_5():
    # [MONT] Example 7.5, dyed cloth (qcc data/dyedcloth.txt in units of 50 m; qicharts2
    # ex_7.5_1.rds with metres and multiply = 50): ū = 153 / 107.5 = 1.423255814 a unit of
    # 50 m, limits for each roll's own length; no roll beyond.
    defects = [14, 12, 20, 11, 7, 10, 21, 16, 19, 23]
    metres = [500, 400, 650, 500, 475, 500, 600, 525, 600, 625]
    limits = {
        400: (0.1578852, 2.688626428),
        475: (0.2620721019, 2.584439526),
        500: (0.2914739301, 2.555037698),
        525: (0.318749791, 2.527761837),
        600: (0.390085034, 2.456426594),
        625: (0.4109593228, 2.435552305),
        650: (0.4306174366, 2.415894191),
    }
    chart = u_chart(defects, metres, per=50, limits="sigma", profile="nhsr")  # trial limits
    assert chart.mean[0] == pytest.approx(1.423255814, abs=1e-9)
    for i, m in enumerate(metres):
        assert (chart.lower_limit[i], chart.upper_limit[i]) == pytest.approx(limits[m], abs=1e-7)
    assert chart.values[0] == pytest.approx(1.4)
    assert flagged(chart) == []


def test_p_and_p_prime_charts_match_the_nhs_accident_and_emergency_example():
    # [LANEY] on the NHS four-hour data: the p-chart's limits are so narrow (95.169% to
    # 95.411% at week 20) that most weeks are beyond them; the p′ chart's (93.997% to
    # 96.582%) hold every week, with the same centre line, 95.290%.
    plain = p_chart(SEEN, ATTENDANCES)
    prime = p_prime_chart(SEEN, ATTENDANCES)
    assert round(plain.mean[-1] * 100, 3) == 95.290
    assert (round(plain.lower_limit[-1] * 100, 3), round(plain.upper_limit[-1] * 100, 3)) == (
        95.169,
        95.411,
    )
    assert len(flagged(plain)) > 10
    assert round(prime.mean[-1] * 100, 3) == 95.290
    assert (round(prime.lower_limit[-1] * 100, 3), round(prime.upper_limit[-1] * 100, 3)) == (
        93.997,
        96.582,
    )
    assert flagged(prime) == []
    # σz, the spread of the weeks' z-scores, is over ten: strongly overdispersed.
    assert prime.sigma_z == pytest.approx(10.64, abs=0.01)


def test_the_rule_chooses_p_prime_for_the_nhs_accident_and_emergency_data():
    # [LANEY] the example for which the p′ chart was made: large numbers, overdispersed.
    assert choose_chart("proportion", SEEN, ATTENDANCES) == "p_prime"


def test_the_rule_chooses_a_c_chart_for_montgomerys_revised_circuit_boards():
    # [MONT] Example 7.3 without its two special causes: counts near 20 whose spread is what
    # Poisson chance gives (σz = 1.23, within 1.33 for 24 points): a c-chart.
    kept = [c for i, c in enumerate(CIRCUIT) if i + 1 not in (6, 20)]
    chart = control_chart("count", kept)
    assert chart.chart == "c"
    assert chart.sigma_z == pytest.approx(1.234, abs=0.001)
    assert overdispersion_bound([24])[0] == pytest.approx(1.33, abs=0.005)


# ---------------------------------------------------------------------------------------------
# The choice rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "numerators", "denominators", "expected"),
    [
        ("mean", [84.5, 90.1, 78.2, 88.0], None, "xmr"),
        # Rare events: a c-chart whatever their spread.
        ("count", [0] * 10 + [4] + [0] * 10 + [3], None, "c"),
        # Large counts spread far beyond Poisson chance: the XmR chart (Laney's c′).
        ("count", [40, 90, 35, 95, 30, 100, 45, 85, 40, 90, 35, 95, 50], None, "xmr"),
        # Large counts within Poisson chance: the c-chart.
        ("count", [50, 47, 55, 49, 52, 45, 58, 51, 48, 53, 50, 46, 54], None, "c"),
        ("rate", [3, 1, 4, 1, 5, 2, 6], [900, 1000, 1100, 950, 1200, 1000, 980], "u"),
        ("rate", [400, 900, 350, 950, 300], [1000, 1000, 1000, 1000, 1000], "u_prime"),
        # Few cases a month: the p-chart, however they vary.
        ("proportion", [1, 5, 0, 5, 1, 5, 0], [5, 5, 5, 5, 5, 5, 5], "p"),
    ],
)
def test_the_choice_rule(measure, numerators, denominators, expected):
    assert choose_chart(measure, numerators, denominators) == expected


def test_overdispersion_bound_matches_a_simulation_of_normal_points():
    # The bound is the 95th percentile of σz = mean moving range / 1.128 for independent
    # standard normal points; 20,000 simulated charts of 24 points agree within a percent.
    rng = np.random.default_rng(2026)
    z = rng.standard_normal((20_000, 24))
    sigma_z = np.abs(np.diff(z, axis=1)).mean(axis=1) / 1.128
    assert np.quantile(sigma_z, 0.95) == pytest.approx(overdispersion_bound([24])[0], rel=0.01)
    assert overdispersion_bound([1, 0])[0] == math.inf


def test_a_chart_that_does_not_fit_the_measure_is_refused():
    with pytest.raises(ValueError, match="p chart is for a proportion, not a mean"):
        control_chart("mean", [1.0, 2.0], [1, 1], chart="p")
    with pytest.raises(ValueError, match="unknown chart 'q'"):
        control_chart("count", [1, 2], chart="q")
    with pytest.raises(ValueError, match="unknown limits"):
        control_chart("count", [1, 2], limits="wide")  # type: ignore[arg-type]  # on purpose
    with pytest.raises(ValueError, match="positive denominator"):
        p_chart([1, 2], [3, 0])


# ---------------------------------------------------------------------------------------------
# Rare events: the rules keep their meaning
# ---------------------------------------------------------------------------------------------


def test_one_incident_among_months_of_none_is_common_cause():
    # c̄ = 1/18 = 0.056: one incident has a chance of 5.4%, far above 0.135%, so it is not
    # beyond the limit (2: P(X > 2) = 0.003%), nor a shift (one month), nor two of three.
    months = [0] * 17 + [1]
    chart = c_chart(months, better="lower")
    assert chart.upper_limit[-1] == 2.0
    assert chart.signals == ("common_cause",) * 18
    assert chart.variation == "common_cause"
    # The XmR chart, as Making Data Count draws it, calls it special cause.
    assert xmr(months, better="lower").signals[-1] == "concern"


def test_a_run_of_months_with_no_incident_is_not_an_improvement():
    # Twenty months of none after three incidents: every month of none sits below c̄ = 3/23 =
    # 0.13, but each has an 88% chance of doing so, and twenty such months (7.6%) are far
    # likelier than six points below a symmetric centre line (1/64); XmR calls them an
    # improvement. (The three incidents in a row, each with a 12% chance, 0.18% together, are a
    # shift: a concern.)
    months = [1, 1, 1] + [0] * 20
    chart = c_chart(months, better="lower")
    assert "improvement" not in chart.signals
    assert flagged(chart, "shift") == [1, 2, 3]
    assert chart.signals[:3] == ("concern",) * 3
    assert "improvement" in xmr(months, better="lower").signals


@pytest.mark.parametrize(("ones", "zeros", "zero_shift"), [(10, 10, True), (8, 8, False)])
def test_a_run_is_a_shift_once_its_chance_is_below_the_profiles(ones, zeros, zero_shift):
    # c̄ = 0.5. A month of none lies below it with a chance of e^−0.5 = 0.607: nine in a row
    # (1.1%) are rarer than six below a symmetric centre line (1/64 = 1.6%), eight (1.8%) are
    # not. A month with one lies above with a chance of 0.393: five in a row (0.94%) are enough.
    months = [1] * ones + [0] * zeros
    chart = c_chart(months, better="lower")
    assert math.exp(-0.5) ** 9 <= 0.5**6 < math.exp(-0.5) ** 8
    assert (1 - math.exp(-0.5)) ** 5 <= 0.5**6 < (1 - math.exp(-0.5)) ** 4
    expected = list(range(1, ones + 1)) + (
        list(range(ones + 1, ones + zeros + 1)) if zero_shift else []
    )
    assert flagged(chart, "shift") == expected
    assert chart.signals[-1] == ("improvement" if zero_shift else "common_cause")


@no_deadline
@given(
    counts=st.lists(st.integers(0, 6), min_size=13, max_size=40),
    profile=st.sampled_from(["mdc", "nhsr"]),
)
def test_every_shift_on_a_c_chart_is_as_unlikely_as_the_profiles_run(counts, profile):
    # Each flagged run of points on one side of c̄ has a chance, under Poisson(c̄), of at most
    # ½ to the power of the profile's run length (1/64 for mdc, 1/128 for nhsr).
    chart = c_chart(counts, profile=profile)
    run = {"mdc": 6, "nhsr": 7}[profile]
    centre = chart.mean[0]
    shifted = flagged(chart, "shift")
    for i in shifted:
        x = counts[i - 1]
        assert x != centre
    # Split the flagged points into maximal runs on one side and check each run's chance.
    runs: list[list[int]] = []
    for i in shifted:
        side = counts[i - 1] > centre
        if runs and runs[-1][-1] == i - 1 and (counts[runs[-1][-1] - 1] > centre) == side:
            runs[-1].append(i)
        else:
            runs.append([i])
    above = stats.poisson.sf(math.floor(centre), centre)
    below = stats.poisson.cdf(math.ceil(centre) - 1, centre)
    for points in runs:
        chance = above if counts[points[0] - 1] > centre else below
        assert chance ** len(points) <= 0.5**run * (1 + 1e-9)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@no_deadline
@given(centre=st.floats(0.0, 400.0))
def test_exact_c_limits_hold_each_side_to_the_nominal_chance(centre):
    # Whatever c̄, a count beyond the exact limits has a chance under Poisson(c̄) of at most
    # 0.135% each side, and the limits are the tightest whole counts that do so.
    chart = c_chart([centre] * 13)
    low, high = chart.lower_limit[0], chart.upper_limit[0]
    assert low == int(low)
    assert high == int(high)
    assert stats.poisson.sf(high, centre) <= ALPHA
    assert stats.poisson.cdf(low - 1, centre) <= ALPHA
    if high > 0:
        assert stats.poisson.sf(high - 1, centre) > ALPHA
    assert stats.poisson.cdf(low, centre) > ALPHA


proportions = st.integers(1, 40).flatmap(
    lambda k: st.tuples(
        st.lists(st.integers(1, 500), min_size=k, max_size=k),
        st.lists(st.floats(0, 1), min_size=k, max_size=k),
    )
)


@no_deadline
@given(data=proportions, chart=st.sampled_from(["auto", "p", "p_prime", "xmr"]))
def test_proportion_limits_stay_within_zero_and_one(data, chart):
    sizes, shares = data
    numerators = [round(n * s) for n, s in zip(sizes, shares, strict=True)]
    drawn = control_chart("proportion", numerators, sizes, chart=chart, profile="nhsr")
    assert not np.any(drawn.lower_limit < 0)
    assert not np.any(drawn.upper_limit > 1)
    assert not np.any(drawn.lower_limit > drawn.upper_limit)


@no_deadline
@given(
    counts=st.lists(st.integers(0, 300), min_size=1, max_size=40),
    chart=st.sampled_from(["auto", "c", "xmr"]),
    limits=st.sampled_from(["exact", "sigma"]),
)
def test_count_limits_are_never_below_zero(counts, chart, limits):
    drawn = control_chart("count", counts, chart=chart, limits=limits, profile="nhsr")
    assert not np.any(drawn.lower_limit < 0)  # (NaN: a chart of one point has no limits)


@no_deadline
@given(counts=st.lists(st.integers(0, 30), min_size=1, max_size=30), per=st.sampled_from([1, 1000]))
def test_a_u_chart_with_unit_exposure_is_the_c_chart(counts, per):
    # u = x / E × per: with every E = 1 (and per = 1) the u-chart is the c-chart point for
    # point; with per = 1000 it is the c-chart scaled by 1000.
    u = u_chart(counts, [1] * len(counts), per=per, profile="nhsr")
    c = c_chart(counts, profile="nhsr")
    np.testing.assert_allclose(u.values, c.values * per)
    np.testing.assert_allclose(u.mean, c.mean * per)
    np.testing.assert_allclose(u.lower_limit, c.lower_limit * per)
    np.testing.assert_allclose(u.upper_limit, c.upper_limit * per)
    assert u.signals == c.signals
    assert u.rules == c.rules
    assert (u.variation, u.assurance) == (c.variation, c.assurance)


series_sets = st.lists(
    st.tuples(
        st.sampled_from(["proportion", "rate", "count", "mean"]),
        st.lists(st.tuples(st.integers(0, 60), st.integers(60, 200)), min_size=1, max_size=20),
    ),
    min_size=1,
    max_size=6,
)


def _batch(sets, order):
    numerator, denominator, series, measure = [], [], [], []
    for code, i in enumerate(order):
        kind, points = sets[i]
        for x, n in points:
            numerator.append(x)
            denominator.append(1 if kind in ("count", "mean") else n)
            series.append(code)
            measure.append(kind)
    return control_batch(numerator, denominator, series, measure=np.array(measure), profile="nhsr")


def _listed(values: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else v for v in values.tolist()]


def _per_series(batch, order):
    bounds = np.r_[0, np.cumsum(batch.series_points)]
    charts = batch.series_chart
    out = {}
    for code, i in enumerate(order):
        part = slice(bounds[code], bounds[code + 1])
        out[i] = (
            CHARTS[int(charts[code])],
            _listed(batch.mean[part]),
            _listed(batch.lower_limit[part]),
            _listed(batch.upper_limit[part]),
            batch.signal[part].tolist(),
            int(batch.variation_code[code]),
        )
    return out


@no_deadline
@given(sets=series_sets, data=st.data())
def test_charts_do_not_depend_on_the_order_of_series_in_a_batch(sets, data):
    order = list(range(len(sets)))
    shuffled = data.draw(st.permutations(order))
    assert _per_series(_batch(sets, order), order) == _per_series(_batch(sets, shuffled), shuffled)


@no_deadline
@given(sets=series_sets, block=st.integers(1, 40))
def test_charts_do_not_depend_on_the_block_size(sets, block):
    order = list(range(len(sets)))
    whole = _per_series(_batch(sets, order), order)
    with mock.patch.object(blockwise, "SIZE", block):
        assert _per_series(_batch(sets, order), order) == whole


def test_u_prime_widens_the_u_chart_by_sigma_z():
    counts = [400, 900, 350, 950, 300, 880, 420]
    exposure = [1000] * 7
    plain = u_chart(counts, exposure, limits="sigma")
    prime = u_prime_chart(counts, exposure)
    width = (plain.upper_limit - plain.mean) * prime.sigma_z
    np.testing.assert_allclose(prime.upper_limit - prime.mean, width)
    assert prime.sigma_z > 5
