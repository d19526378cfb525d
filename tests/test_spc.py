"""XmR charts against published worked examples of the Making Data Count (MDC) rules and the
NHSRplotthedots behaviour, plus hand-computed edge cases and properties.

Sources (each test names the one it transcribes):

[MDC-TEST]  "SPC Charts – XmR testing": the checklist written against NHS England's Making Data
            Count **Single Chart Tool v5.0** (sections "Number of points", "Process limits",
            "Special cause …", "Recalculations", "Baselines", "Special cause crossing
            recalculations", "Summary icons – assurance / variation", "Other tools"), as kept in
            NHSDigital/fdp-react-design-system,
            src/components/DataVisualisation/charts/SPC/SPCChart/test-data/SPC-Charts-XmR-Testing.md
            (commit 330ba8a1370cd015959f8593905c65d4e22c8447). The document prints every input
            series and states the rules and a few results in words and numbers; the per-point
            colours themselves are only in chart images that are not part of the stored text, so
            where a test asserts per-point flags beyond what the text states, they were worked out
            by hand from the document's rules (and say so).
[MDCSPC]    sa132-imp/mdcspc, tests/data/dataset.csv + tests/test_golden_special_cause.py
            (commit e83c51c4e495c42dd0e55703115a2fdbf591c701): golden series whose expected
            classification is "what we expect from the Excel tooling" (transcribed to
            tests/data/spc/mdcspc_golden.csv), and tests/data/assurance_golden_input.csv with
            tests/test_golden_assurance_icons.py (same commit) and
            tests/config_assurance/spc_target_config.csv (commit d2dd35aa…).
[PTD]       nhs-r-community/NHSRplotthedots (R package), and its forks cran/NHSRplotthedots
            (CRAN 0.1.0 release) and francisbarton/NHSRplotthedots, whose testthat snapshots print
            the same results to more digits. Paths are given per test.

Nothing here reads the shared design folder: the numbers needed are copied in.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from unittest import mock

import attrs
import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import contractkit
from contractkit.stats import PROFILES, blockwise, xmr, xmr_batch

DATA = Path(__file__).resolve().parent / "data" / "spc"
RULES = ("astronomical", "trend", "two_of_three", "shift")
CODE = {None: "-", "common_cause": ".", "improvement": "I", "concern": "C", "neither": "N"}

no_deadline = settings(deadline=None)


def codes(chart) -> str:
    """The chart's per-point signals as one letter each: . common, I, C, N, - no chart."""
    return "".join(CODE[s] for s in chart.signals)


def flagged(chart, rule: str) -> list[int]:
    """1-based positions (p1, p2, … as the sources number them) flagged by ``rule``."""
    return [i + 1 for i, r in enumerate(chart.rules) if rule in r]


def any_flag(chart) -> list[int]:
    return [i + 1 for i, r in enumerate(chart.rules) if r]


# set.seed(123); rnorm(20) in R (Mersenne-Twister, inversion), to full precision; the values are
# printed in francisbarton/NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md (8 s.f.).
RNORM_123 = [
    -0.560475646552213,
    -0.23017748948328,
    1.55870831414912,
    0.070508391424576,
    0.129287735160946,
    1.71506498688328,
    0.460916205989202,
    -1.26506123460653,
    -0.686852851893526,
    -0.445661970099958,
    1.22408179743946,
    0.359813827057364,
    0.400771450594052,
    0.11068271594512,
    -0.555841134754075,
    1.78691313680308,
    0.497850478229239,
    -1.96661715662964,
    0.701355901563686,
    -0.472791407727934,
]


# ---------------------------------------------------------------------------------------------
# NHSRplotthedots (profile "nhsr")
# ---------------------------------------------------------------------------------------------


def test_nhsr_limits_match_ptd_spc_summary_snapshot():
    # [PTD] francisbarton/NHSRplotthedots tests/testthat/_snaps/ptd_spc.md (commit 73db35e5…),
    # "it outputs expected content", summary(s1): data from tests/testthat/test-ptd_spc.R
    # (set.seed(123); y = rnorm(20)), improvement_direction 'increase', screen_outliers TRUE:
    # mean 0.141624, lpl -3.01138, upl 3.294627, n 20, common_cause 20, variation common_cause.
    # The CRAN 0.1.0 snapshot (cran/NHSRplotthedots, same path) prints 0.142 / -3.01 / 3.29.
    chart = xmr(RNORM_123, profile="nhsr", better="higher")
    assert chart.mean[0] == pytest.approx(0.141624, abs=5e-7)
    assert chart.lower_limit[0] == pytest.approx(-3.01138, abs=5e-6)
    assert chart.upper_limit[0] == pytest.approx(3.294627, abs=5e-7)
    assert codes(chart) == "." * 20
    assert chart.variation == "common_cause"
    assert chart.trial is False


def test_nhsr_assurance_inconsistent_matches_ptd_spc_snapshot():
    # [PTD] same snapshot file, "summary with a target": target 0.5, increase ->
    # assurance_type "inconsistent" (our "hit_and_miss").
    chart = xmr(RNORM_123, profile="nhsr", better="higher", target=0.5)
    assert chart.assurance == "hit_and_miss"


def test_nhsr_facets_match_ptd_spc_snapshot():
    # [PTD] same snapshot, summary(s3)/(s4): facet = rep(c(0, 1), each = 10), so two 10-point
    # charts: mean 0.074626 / 0.208622, lpl -2.600585 / -3.279005, upl 2.749837 / 3.696249,
    # all common cause. 10 points < 12 is a "trial limits" group in NHSRplotthedots too.
    batch = xmr_batch(RNORM_123, np.repeat([0, 1], 10), profile="nhsr", better=np.ones(20))
    np.testing.assert_allclose(batch.mean[[0, 10]], [0.074626, 0.208622], atol=5e-7)
    np.testing.assert_allclose(batch.lower_limit[[0, 10]], [-2.600585, -3.279005], atol=5e-7)
    np.testing.assert_allclose(batch.upper_limit[[0, 10]], [2.749837, 3.696249], atol=5e-7)
    assert (batch.signal == 0).all()
    assert batch.trial.tolist() == [True, True]
    # The same two groups as partitions (rebase groups) of one chart.
    chart = xmr(RNORM_123, profile="nhsr", recalculate_at=[10])
    np.testing.assert_allclose(chart.mean[[0, 10]], [0.074626, 0.208622], atol=5e-7)
    np.testing.assert_allclose(chart.upper_limit[[0, 10]], [2.749837, 3.696249], atol=5e-7)


def test_moving_range_screening_matches_ptd_spc_standard_snapshot():
    # [PTD] francisbarton/NHSRplotthedots tests/testthat/test-ptd_spc_standard.R "it returns
    # expected values" with data$y[15] <- 10, and its snapshot _snaps/ptd_spc_standard.md
    # (commit 3a641e61…): screen_outliers TRUE: mean 0.6694159, lpl -2.383666, upl 3.722497;
    # screen_outliers FALSE: lpl -4.596625, upl 5.935457 (wider, as the test asserts).
    # MDC does not screen (cran/NHSRplotthedots vignettes/deviations.Rmd: "To replicate the
    # excel method, set the argument screen_outliers = FALSE").
    y = list(RNORM_123)
    y[14] = 10.0
    screened = xmr(y, profile="nhsr")
    unscreened = xmr(y, profile="mdc")
    assert screened.mean[0] == pytest.approx(0.6694159, abs=5e-8)
    assert screened.lower_limit[0] == pytest.approx(-2.383666, abs=5e-7)
    assert screened.upper_limit[0] == pytest.approx(3.722497, abs=5e-7)
    assert unscreened.mean[0] == pytest.approx(0.6694159, abs=5e-8)  # centre line unchanged
    assert unscreened.lower_limit[0] == pytest.approx(-4.596625, abs=5e-7)
    assert unscreened.upper_limit[0] == pytest.approx(5.935457, abs=5e-7)


def test_screening_vignette_example_deviations_from_excel():
    # [PTD] cran/NHSRplotthedots vignettes/deviations.Rmd, "1. Treatment of outlying points":
    # data c(1, 2, 1, 2, 10, 1, 2, …, 1) (18 points); the package screens outlying moving ranges,
    # the Excel tool does not. Limits hand-computed (the vignette prints them only in a plot
    # caption): MRs are 1, 1, 1, 8, 9 and twelve 1s: mean 32/17; 3.267 × 32/17 = 6.15 drops
    # 8 and 9, leaving fifteen 1s (mean 1). Mean = 35/18.
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    mean = 35 / 18
    nhsr = xmr(data, profile="nhsr")
    mdc = xmr(data, profile="mdc")
    assert nhsr.mean[0] == pytest.approx(mean)
    assert nhsr.upper_limit[0] == pytest.approx(mean + 2.66 * 1.0)
    assert nhsr.lower_limit[0] == pytest.approx(mean - 2.66 * 1.0)
    assert mdc.upper_limit[0] == pytest.approx(mean + 2.66 * 32 / 17)
    assert mdc.lower_limit[0] == pytest.approx(mean - 2.66 * 32 / 17)
    assert flagged(nhsr, "astronomical") == [5]
    assert flagged(mdc, "astronomical") == [5]


def test_screening_keeps_a_moving_range_below_3_267_means_and_drops_one_above():
    # Hand-computed, after R/ptd_spc_standard.R in [PTD]: mr < 3.267 * amr is kept, otherwise
    # dropped, and amr recomputed once. 0, 1, 0, 1, … (12 points), 1, then 1 + jump: eleven
    # MRs of 1, one of 0 and the jump.
    def mr_mean_used(jump: float) -> float:
        data = [0.0, 1.0] * 6 + [1.0, 1.0 + jump]
        chart = xmr(data, profile="nhsr")
        return (chart.upper_limit[0] - chart.mean[0]) / 2.66

    # jump 4: mean MR 15/13 = 1.154, × 3.267 = 3.77 < 4, so 4 is dropped: 11/12 remains.
    assert mr_mean_used(4.0) == pytest.approx(11 / 12)
    # jump 3: mean MR 14/13 = 1.077, × 3.267 = 3.52 > 3, so nothing is dropped: 14/13.
    assert mr_mean_used(3.0) == pytest.approx(14 / 13)


def test_nhsr_two_in_three_on_opposite_sides_is_common_cause():
    # [PTD] nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_spc_standard.R, "it only
    # reports special cause for 2 of 3 points close to limits when they are on the same side of
    # the mean": rep(c(1, -1), times = 8) with data[15] <- 5.5, data[16] <- -5.5; the last two
    # point types are "common_cause". (Mean 0, MR mean 2.66… so the 2σ lines are ±4.12.)
    data = [1.0, -1.0] * 8
    data[14], data[15] = 5.5, -5.5
    chart = xmr(data, profile="nhsr", better="higher")
    assert chart.signals[-2:] == ("common_cause", "common_cause")
    assert codes(chart) == "." * 16


def test_nhsr_shift_needs_seven_points_on_one_side():
    # [PTD] tests/testthat/test-ptd_calculate_point_type.R, ptd_seven_point_one_side_mean:
    # c(rep(1, 6), -1) -> no shift; c(rep(1, 8), -1) -> points 7 and 8 end a run of 7, and
    # ptd_part_of_seven_trend marks the whole run. Embedded here in a chart whose mean is 0.
    six = [1.0] * 6 + [-1.0] * 6 + [1.0, -1.0] * 4
    eight = [1.0] * 8 + [-1.0] * 8 + [1.0, -1.0] * 4
    assert flagged(xmr(six, profile="nhsr"), "shift") == []
    chart = xmr(eight, profile="nhsr")
    assert flagged(chart, "shift") == list(range(1, 17))


def test_nhsr_trend_needs_seven_points_and_ties_break_it():
    # [PTD] tests/testthat/test-ptd_calculate_point_type.R, ptd_seven_point_trend: 1:6 -> no
    # trend; c(1:3, 3:6) -> none (the tie breaks it); 1:7 -> a trend; c(2, 1:7, 3) -> the run
    # 1..7 (points 2..8) only; 7:1 -> a decreasing trend. Padded with noise so the chart is long.
    pad = [4.0, 2.0, 5.0, 3.0, 4.0, 2.0]

    def trend_points(run: list[float]) -> list[int]:
        return flagged(xmr(pad + run + pad, profile="nhsr"), "trend")

    assert trend_points([1, 2, 3, 4, 5, 6]) == []
    assert trend_points([1, 2, 3, 3, 4, 5, 6]) == []
    assert trend_points([1, 2, 3, 4, 5, 6, 7]) == list(range(7, 14))
    assert trend_points([2, 1, 2, 3, 4, 5, 6, 7, 3]) == list(range(8, 15))
    assert trend_points([7, 6, 5, 4, 3, 2, 1]) == list(range(7, 14))


def test_nhsr_assurance_relations_match_ptd_calculate_assurance_type():
    # [PTD] tests/testthat/test-ptd_calculate_assurance_type.R: with target 4, (lpl, upl) =
    # (1, 3) -> consistent_fail, (5, 7) -> consistent_pass, (1, 5) -> inconsistent when
    # improvement is 'increase'; mirrored for 'decrease'; NA for 'neutral'. R/ptd_calculate_
    # assurance_type.R uses strict target > upl / target < lpl, so a target on a limit is
    # "inconsistent". Here the limits come from data, and the target is placed relative to them.
    chart = xmr(RNORM_123, profile="nhsr")
    low, high = chart.lower_limit[-1], chart.upper_limit[-1]
    cases = [
        (high + 1, "higher", "fail"),
        (low - 1, "higher", "pass"),
        ((low + high) / 2, "higher", "hit_and_miss"),
        (high + 1, "lower", "pass"),
        (low - 1, "lower", "fail"),
        ((low + high) / 2, "lower", "hit_and_miss"),
        (high, "higher", "hit_and_miss"),
        (low, "lower", "hit_and_miss"),
    ]
    for target, better, expected in cases:
        got = xmr(RNORM_123, profile="nhsr", better=better, target=target).assurance
        assert got == expected, (target, better)
    assert xmr(RNORM_123, profile="nhsr", target=high + 1).assurance is None


def test_nhsr_assurance_uses_the_last_rebase_group():
    # [PTD] tests/testthat/test-ptd_calculate_assurance_type.R "when rebase": the last row's
    # (latest group's) limits decide. Hand-made: a low first half and a high second half.
    data = [10.0, 12.0] * 8 + [30.0, 32.0] * 8
    chart = xmr(data, profile="nhsr", better="higher", target=20, recalculate_at=[16])
    assert chart.upper_limit[0] < 20 < chart.lower_limit[-1]
    assert chart.assurance == "pass"


# The MDC conflict example (see the MDC section below) run under the nhsr profile: p1–p8 fall
# (8 points), p8–p14 rise (7 points).
CONFLICT = [43, 41, 37, 36, 31, 23, 15, 13, 15, 18, 23, 27, 31, 36, 27, 19, 17, 27, 15, 22]


def test_nhsr_precedence_astronomical_then_trend_then_two_of_three_then_shift():
    # [PTD] nhs-r-community/NHSRplotthedots R/ptd_calculate_point_type.R (commit f7891af4…),
    # ptd_special_cause_type: case_when(outside_limits ~ Above UCL/Below LCL, trend ~ 7 Point
    # Trend (In/De)creasing, two-in-three ~ 2 in 3 Above/Below, shift ~ 7 Points Above/Below).
    # Hand-worked on CONFLICT (mean 25.8, limits 11.66 and 39.94, 2σ 35.23; no MR is screened):
    # p1–p2 above UCL beat the falling trend (high); p3–p4 are two-of-three above but the
    # falling trend wins (low); p9–p11 are a shift below but the rising trend wins (high).
    chart = xmr(CONFLICT, profile="nhsr", better="higher")
    assert chart.mean[0] == pytest.approx(25.8)
    assert chart.lower_limit[0] == pytest.approx(11.66)
    assert chart.upper_limit[0] == pytest.approx(39.94)
    assert codes(chart)[:7] == "IICCCCC"
    assert codes(chart)[8:] == "IIIIII" + "." * 6
    lower = xmr(CONFLICT, profile="nhsr", better="lower")
    assert codes(lower)[:7] == "CCIIIII"
    assert codes(lower)[8:] == "CCCCCC" + "." * 6


def test_nhsr_point_where_two_trends_meet_takes_the_later_trend():
    # [PTD] R/ptd_calculate_point_type.R (commit f7891af4…): "if a point is part of a trend
    # either side, use right side" — sdy uses sign(y[i+1] - y[i]) when the next point is also
    # part of a trend. p8 (13) ends the fall and starts the rise, so it is "7 Point Trend
    # (Increasing)": improvement when higher is better, concern when lower is better.
    assert xmr(CONFLICT, profile="nhsr", better="higher").signals[7] == "improvement"
    assert xmr(CONFLICT, profile="nhsr", better="lower").signals[7] == "concern"


def _nhsr_group(y: np.ndarray) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """One facet/rebase group, transcribed from [PTD] R/ptd_spc_standard.R and
    R/ptd_calculate_point_type.R (nhs-r-community/NHSRplotthedots, commit f7891af4…)."""
    n = y.shape[0]
    mean = float(y.mean())
    mr = np.abs(np.diff(y))
    amr = float(mr.mean()) if mr.size else float("nan")
    kept = mr[mr < 3.267 * amr]
    amr = float(kept.mean()) if kept.size else float("nan")
    lpl, upl = mean - 2.66 * amr, mean + 2.66 * amr
    nlpl, nupl = mean - 2 * (2.66 / 3) * amr, mean + 2 * (2.66 / 3) * amr
    outside = (y > upl) | (y < lpl)
    rtm = np.sign(y - mean)
    close = ~outside & ((y < nlpl) | (y > nupl))

    def part_of_seven(v: np.ndarray) -> np.ndarray:
        vp = np.r_[v, np.zeros(6)]
        return np.array([np.any(np.abs(vp[i : i + 7]) == 1) for i in range(n)], dtype=bool)

    vp = np.r_[np.zeros(6), rtm]
    one_side = np.array(
        [float(np.all(vp[i] == vp[i - 6 : i]) and vp[i] != 0) for i in range(6, n + 6)]
    )
    trend = np.zeros(n)
    for i in range(6, n):
        d = np.sign(np.diff(y[i - 6 : i + 1]))
        trend[i] = 1.0 if np.all(d == 1) else (-1.0 if np.all(d == -1) else 0.0)
    cp = np.r_[0.0, 0.0, close.astype(float), 0.0, 0.0]
    rp = np.r_[0.0, 0.0, rtm, 0.0, 0.0]
    two_in_three = np.array(
        [
            any(
                cp[i + a : i + a + 3].sum() >= 2 and abs(rp[i + a : i + a + 3].sum()) == 3
                for a in range(3)
            )
            for i in range(n)
        ],
        dtype=bool,
    )
    flag = outside | part_of_seven(trend) | (two_in_three & close) | part_of_seven(one_side)
    return mean, lpl, upl, flag, np.abs(y - mean)


def _walks(draw_ints: list[int], walk: bool) -> list[float]:
    return [float(v) for v in (np.cumsum(draw_ints) if walk else draw_ints)]


series_values = st.builds(
    _walks, st.lists(st.integers(-3, 4), min_size=2, max_size=40), st.booleans()
)


@no_deadline
@given(values=series_values, cut=st.integers(0, 40))
def test_nhsr_flags_and_limits_match_a_transcription_of_NHSRplotthedots(values, cut):
    # [PTD] every point's special_cause_flag and every group's mean/lpl/upl, per rebase group,
    # against the transcription above. (Which side a point is reported on is checked in the
    # explicit precedence tests: NHSRplotthedots' own sdy rule mislabels a point whose next point
    # starts a different trend, which we do not copy.)
    y = np.array(values)
    cuts = [cut] if 0 < cut < len(values) else []
    groups = np.split(y, cuts)
    chart = xmr(values, profile="nhsr", recalculate_at=cuts)
    start = 0
    for g in groups:
        mean, lpl, upl, flag, distance = _nhsr_group(g)
        # Points a rounding error away from a boundary are decided by the last bit: skip them.
        for bound in (0.0, upl - mean, (upl - mean) * 2 / 3):
            assume(not np.any(np.isclose(distance, bound, rtol=0, atol=1e-6)))
        part = slice(start, start + len(g))
        assert chart.mean[part] == pytest.approx(np.full(len(g), mean))
        np.testing.assert_allclose(chart.lower_limit[part], lpl, equal_nan=True)
        np.testing.assert_allclose(chart.upper_limit[part], upl, equal_nan=True)
        ours = np.array([bool(r) for r in chart.rules[part]])
        assert ours.tolist() == flag.tolist(), (g.tolist(), ours, flag)
        start += len(g)


# ---------------------------------------------------------------------------------------------
# Making Data Count (profile "mdc", the default)
# ---------------------------------------------------------------------------------------------


def test_mdc_twelve_points_give_no_limits_and_thirteen_do():
    # [MDC-TEST] "Number of points": 12 points or fewer -> process limits and summary icons are
    # not shown; 13 or more -> they are; the mean (and a target) are shown.
    twelve = [30, 31, 25, 35, 34, 15, 21, 23, 30, 26, 26, 22]
    short = xmr(twelve, better="higher", target=45)
    assert np.isnan(short.lower_limit).all()
    assert np.isnan(short.upper_limit).all()
    assert short.mean == pytest.approx(np.full(12, 26.5))
    assert short.signals == (None,) * 12
    assert short.rules == ((),) * 12
    assert short.variation is None
    assert short.assurance is None
    full = xmr([*twelve, 25], better="higher", target=45)
    assert np.isfinite(full.lower_limit).all()
    assert np.isfinite(full.upper_limit).all()
    assert full.variation == "common_cause"
    assert full.assurance == "fail"  # 45 is above the upper limit (40.35), higher is better


def test_mdc_process_limits_worked_example():
    # [MDC-TEST] "Process limits": 15 points, 14 moving ranges with mean 5.43; sigma 4.81
    # (÷ 1.128), three sigma 14.44 (the Excel tool uses × 2.66); mean 23.20, upper process limit
    # 37.64, lower 8.76. The 10-point example shows only its mean, 22.10.
    data = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
    chart = xmr(data)
    assert chart.mean[0] == pytest.approx(23.20, abs=0.005)
    assert chart.upper_limit[0] == pytest.approx(37.64, abs=0.005)
    assert chart.lower_limit[0] == pytest.approx(8.76, abs=0.005)
    assert chart.upper_limit[0] - chart.mean[0] == pytest.approx(14.44, abs=0.005)
    assert (chart.upper_limit[0] - chart.mean[0]) / 2.66 == pytest.approx(5.43, abs=0.005)
    ten = xmr(data[:10])
    assert ten.mean[0] == pytest.approx(22.10, abs=0.005)
    assert np.isnan(ten.upper_limit).all()


SPECIAL = [8, 27, 32, 26, 20, 21, 23, 21, 23, 22, 26, 23, 20, 20, 29]
SPECIAL += [28, 22, 23, 25, 26, 28, 29, 26, 24, 36, 29, 35, 22, 30, 18]


def test_mdc_special_cause_colours_follow_the_direction():
    # [MDC-TEST] "Special cause": the same 30 points with high is good, low is good and neither
    # (blue/orange swap; purple for both when neither). Flags worked out by hand from the
    # document's rules (mean 24.73, limits 11.89 and 37.57, 2σ 33.29): p1 = 8 below the lower
    # limit; p5–p10 six below the mean; p17–p22 six rising; p25 and p27 two of three above 2σ.
    high = xmr(SPECIAL, better="higher")
    assert codes(high) == "C...CCCCCC......IIIIII..I.I..."
    assert flagged(high, "astronomical") == [1]
    assert flagged(high, "shift") == [5, 6, 7, 8, 9, 10]
    assert flagged(high, "trend") == [17, 18, 19, 20, 21, 22]
    assert flagged(high, "two_of_three") == [25, 27]
    assert codes(xmr(SPECIAL, better="lower")) == "I...IIIIII......CCCCCC..C.C..."
    assert codes(xmr(SPECIAL)) == "N...NNNNNN......NNNNNN..N.N..."


def test_mdc_single_point_beyond_the_limits():
    # [MDC-TEST] "Special cause – single point": a point outside the process limits is special
    # cause. Hand-computed: left chart limits 8.05 / 37.69 (p1 = 45 above, p15 = 5 below);
    # right chart limits 8.62 / 42.44 (p4 = 45, p5 = 43 above, p10 = 7 below).
    left = xmr([45, 29, 20, 22, 25, 20, 27, 24, 22, 23, 20, 26, 20, 15, 5], better="higher")
    assert codes(left) == "I.............C"
    assert flagged(left, "astronomical") == [1, 15]
    right = xmr([29, 32, 35, 45, 43, 23, 18, 20, 16, 7, 28, 26, 22, 19, 20], better="higher")
    assert codes(right) == "...II....C....."
    assert right.upper_limit[0] == pytest.approx(42.4433, abs=1e-4)


def test_mdc_shift_of_six_at_the_ends_and_in_the_middle():
    # [MDC-TEST] "Special cause – shift": a run all above or all below the mean, set to 6.
    # Hand-worked: left (mean 27.35) p1–p6 above, p14–p20 below; right (mean 24.95) p2–p8
    # below, p12–p17 above.
    left = xmr([31, 35, 34, 29, 29, 32, 26, 26, 32, 35, 30, 18, 31, 25, 27, 22, 18, 25, 25, 17])
    assert flagged(left, "shift") == [1, 2, 3, 4, 5, 6, *range(14, 21)]
    right = xmr([31, 22, 19, 21, 18, 18, 22, 22, 29, 25, 23, 26, 31, 26, 28, 29, 32, 24, 31, 22])
    assert flagged(right, "shift") == [*range(2, 9), *range(12, 18)]
    assert any_flag(right) == flagged(right, "shift")


def test_mdc_trend_of_six_and_pauses_break_it():
    # [MDC-TEST] "Special cause – trend": at least 6 points is 5 increases; all 6 points show;
    # "There cannot be any pauses in the run." Left: p1–p6 rise, p14–p20 fall. Right: 30, 28,
    # 25, 25 and 13, 14, 18, 18, 24, 26, 29 contain pauses, so no trend at all.
    left = xmr([11, 14, 18, 20, 22, 23, 18, 21, 17, 23, 26, 20, 16, 25, 23, 22, 19, 16, 15, 12])
    assert flagged(left, "trend") == [1, 2, 3, 4, 5, 6, *range(14, 21)]
    right = xmr([23, 30, 28, 25, 25, 20, 18, 24, 16, 13, 14, 18, 18, 24, 26, 29, 19, 20, 28, 16])
    assert flagged(right, "trend") == []
    assert any_flag(right) == []


TWO_SIGMA = [
    42,
    40,
    39,
    26,
    39,
    24,
    22,
    29,
    32,
    22,
    20,
    23,
    25,
    26,
    22,
    24,
    27,
    7,
    19,
    24,
    7,
    7,
    32,
]


def test_mdc_two_of_three_beyond_two_sigma():
    # [MDC-TEST] "Special cause – two-sigma", first chart: within each run of 3 points all on
    # one side of the mean, 2 or 3 beyond a two-sigma line show. Hand-worked (mean 25.13, 2σ
    # lines 12.07 and 38.19): p1–p3 (42, 40, 39) and p5 (39, with p3 and p4 = 26 above the mean);
    # p21–p22 (7, 7 with p20 = 24 below the mean). p18 = 7 has no partner in any window.
    chart = xmr(TWO_SIGMA, better="higher")
    assert flagged(chart, "two_of_three") == [1, 2, 3, 5, 21, 22]
    assert codes(chart) == "III.I...............CC."


def test_mdc_two_of_three_ignores_a_point_beyond_the_process_limit():
    # [MDC-TEST] same section, second chart (p22 = 2): "If a point is beyond three-sigma (i.e.
    # the process limit), it does not count for this rule but will show for the special cause
    # rule of a single point." So p21 (7) loses its partner.
    data = list(TWO_SIGMA)
    data[21] = 2
    chart = xmr(data, better="higher")
    assert flagged(chart, "astronomical") == [22]
    assert flagged(chart, "two_of_three") == [1, 2, 3, 5]
    assert chart.signals[20] == "common_cause"


def test_mdc_two_of_three_needs_all_three_on_one_side():
    # [MDC-TEST] same section, third chart (p4 = 24 and p20 = 26, now across the mean 25.13):
    # "All 3 points must be on the same side of the mean", so p5, p21 and p22 no longer show.
    data = list(TWO_SIGMA)
    data[3], data[19] = 24, 26
    chart = xmr(data, better="higher")
    assert flagged(chart, "two_of_three") == [1, 2, 3]
    assert any_flag(chart) == [1, 2, 3]


def test_mdc_conflict_high_is_good():
    # [MDC-TEST] "Special cause conflict", high is good: p1–p8 fall, p8–p14 rise, p6–p11 are
    # a shift below the mean; p1–p2 are above the upper limit, p3–p4 above the upper two-sigma
    # line; "so only p5 to p7 are shown in orange" (the Excel tool shows blue in a conflict).
    chart = xmr(CONFLICT, better="higher")
    assert codes(chart)[:14] == "IIIICCCIIIIIII"


def test_mdc_conflict_low_is_good():
    # [MDC-TEST] same section, low is good: p8–p14 rise (concern) but p6–p11 are a shift below
    # the mean (improvement), "so only p12 to p14 are shown in orange".
    chart = xmr(CONFLICT, better="lower")
    assert codes(chart)[:14] == "IIIIIIIIIIICCC"


def test_mdc_conflict_where_two_trends_meet_is_improvement():
    # Hand-made, isolating the junction in test_mdc_conflict_high_is_good: six falling points
    # then six rising ones sharing the lowest point (p6), no other rule near it. p6 is in a
    # falling trend (concern when higher is better) and a rising one (improvement): MDC shows
    # improvement, whichever way improvement points.
    data = [20, 22, 21, 23, 20, 22, 21, 23, 26, 25, 24, 23, 22, 21, 22, 23, 24, 25, 26]
    data += [20, 22, 21, 23, 20, 22, 21, 23]
    for better in ("higher", "lower"):
        chart = xmr(data, better=better)
        assert flagged(chart, "trend") == list(range(9, 20))
        assert chart.signals[13] == "improvement", better


RECALC = [16, 24, 22, 19, 19, 18, 24, 25, 18, 17, 16, 25, 15, 23, 19]
RECALC += [35, 32, 35, 31, 27, 33, 28, 38, 35, 30, 28, 29, 27, 24, 23]


def test_mdc_recalculation_gives_each_section_its_own_limits():
    # [MDC-TEST] "Recalculations": with a recalculation at p16, the mean and process limits of
    # each section are calculated separately. Hand-computed: section 1 mean 20.00, MR mean
    # 4.357 -> 8.41 / 31.59; section 2 mean 30.33, MR mean 3.714 -> 20.45 / 40.21 (the jump
    # p15 -> p16 is excluded). One chart: mean 25.17 -> 13.33 / 37.00.
    whole = xmr(RECALC, better="higher")
    assert whole.upper_limit[0] == pytest.approx(36.9991, abs=1e-4)
    assert codes(whole) == "C" * 15 + "I" * 13 + ".."
    split = xmr(RECALC, better="higher", recalculate_at=[15])
    assert split.mean[[0, 29]] == pytest.approx([20.0, 30.3333], abs=1e-4)
    assert split.lower_limit[[0, 29]] == pytest.approx([8.41, 20.4533], abs=1e-4)
    assert split.upper_limit[[0, 29]] == pytest.approx([31.59, 40.2133], abs=1e-4)
    # p25–p30 (30, 28, 29, 27, 24, 23) are six below the new mean 30.33.
    assert codes(split) == "." * 24 + "C" * 6
    assert split.variation == "concern_low"


def test_mdc_baseline_extends_the_first_limits():
    # [MDC-TEST] "Baselines": the mean and process limits come from the baseline period only
    # and are extended over the rest. Baseline of 15: 20.00, 8.41 / 31.59 throughout, so p16
    # onwards are improvement (a shift above, several beyond the upper limit).
    chart = xmr(RECALC, better="higher", baseline=15)
    assert chart.mean == pytest.approx(np.full(30, 20.0))
    assert chart.lower_limit == pytest.approx(np.full(30, 8.41))
    assert chart.upper_limit == pytest.approx(np.full(30, 31.59))
    assert codes(chart) == "." * 15 + "I" * 15
    assert flagged(chart, "astronomical") == [16, 17, 18, 21, 23, 24]
    assert chart.variation == "improvement_high"


CROSS = [28, 23, 26, 21, 23, 25, 24, 29, 30, 27, 25, 30, 27, 24, 19]
CROSS += [22, 28, 28, 29, 33, 28, 30, 31, 30, 26, 27, 34, 30, 32, 35]


def _no_crossing(profile: str):
    return attrs.evolve(PROFILES[profile], name=f"{profile}-no-cross", cross_partitions=False)


def test_mdc_shift_crosses_a_recalculation():
    # [MDC-TEST] "Special cause crossing recalculations": the three multi-point rules can cross
    # a recalculation (here at p16). First chart, hand-worked: p14, p15 are below section 1's
    # mean (25.40) and p16–p19 below section 2's (29.53): six in a row. p15 (19 < 19.70) and
    # p16 (22 < 24.34) are also two of three beyond the lower two-sigma lines.
    chart = xmr(CROSS, better="higher", recalculate_at=[15])
    assert flagged(chart, "shift") == [14, 15, 16, 17, 18, 19]
    assert flagged(chart, "two_of_three") == [15, 16]
    blocked = xmr(CROSS, better="higher", recalculate_at=[15], profile=_no_crossing("mdc"))
    assert any_flag(blocked) == []


def test_mdc_trend_crosses_a_recalculation():
    # [MDC-TEST] same section, second chart (p14 = 26, p17 = 26): 19, 22, 26, 28, 29, 33 rise
    # across the recalculation (p15–p20).
    data = list(CROSS)
    data[13], data[16] = 26, 26
    chart = xmr(data, better="higher", recalculate_at=[15])
    assert flagged(chart, "trend") == [15, 16, 17, 18, 19, 20]
    blocked = xmr(data, better="higher", recalculate_at=[15], profile=_no_crossing("mdc"))
    assert flagged(blocked, "trend") == []


def test_mdc_two_of_three_crosses_a_recalculation():
    # [MDC-TEST] same section, third chart (p17 = 32): only the two-sigma pair p15–p16 remains.
    data = list(CROSS)
    data[16] = 32
    chart = xmr(data, better="higher", recalculate_at=[15])
    assert flagged(chart, "two_of_three") == [15, 16]
    assert any_flag(chart) == [15, 16]
    blocked = xmr(data, better="higher", recalculate_at=[15], profile=_no_crossing("mdc"))
    assert any_flag(blocked) == []


def test_nhsr_rules_do_not_cross_a_recalculation():
    # SPC.md profile table: under nhsr nothing crosses a partition (NHSRplotthedots groups every
    # rule by rebase group: R/ptd_calculate_point_type.R, group_by(f, rebase_group)). The
    # crossing shift above becomes two short runs.
    chart = xmr(CROSS, better="higher", recalculate_at=[15], profile="nhsr")
    assert flagged(chart, "shift") == []
    assert flagged(chart, "two_of_three") == []


@pytest.mark.parametrize(
    ("target", "better", "recalculate", "expected"),
    [
        (40, "higher", False, "fail"),
        (30, "higher", False, "hit_and_miss"),
        (10, "higher", False, "pass"),
        (40, "lower", False, "pass"),
        (30, "lower", False, "hit_and_miss"),
        (10, "lower", False, "fail"),
        (40, "higher", True, "hit_and_miss"),
        (10, "higher", True, "pass"),
        (40, "lower", True, "hit_and_miss"),
        (10, "lower", True, "fail"),
    ],
)
def test_mdc_assurance_icons(target, better, recalculate, expected):
    # [MDC-TEST] "Summary icons – assurance": targets 40, 30 and 10 on the 30-point series, high
    # and low is good; a target outside the process limits passes or fails, inside is hit or
    # miss; "If a recalculation is added, the latest process limits are used". Hand-computed
    # limits: one chart 13.33 / 37.00; latest section after a recalculation at p16 20.45 / 40.21.
    cut = [15] if recalculate else []
    chart = xmr(RECALC, better=better, target=target, recalculate_at=cut)
    assert chart.assurance == expected


def test_mdc_assurance_needs_a_direction_and_enough_points():
    # [MDC-TEST] same section: "If the improvement direction is set to neither … no assurance
    # icon is shown"; "Too few points" (the first 10 points) -> no icon.
    assert xmr(RECALC, target=40).assurance is None
    assert xmr(RECALC[:10], better="higher", target=40).assurance is None
    assert xmr(RECALC, better="higher").assurance is None


VARIATION = [16, 20, 22, 18, 21, 18, 26, 28, 24, 26, 19, 18, 25, 32, 43, 28, 22]


@pytest.mark.parametrize(
    ("last", "better", "expected"),
    [
        (45, "higher", "improvement_high"),
        (25, "higher", "common_cause"),
        (5, "higher", "concern_low"),
        (45, "lower", "concern_high"),
        (25, "lower", "common_cause"),
        (5, "lower", "improvement_low"),
        (45, None, "neither_high"),
        (25, None, "common_cause"),
        (5, None, "neither_low"),
    ],
)
def test_mdc_variation_icon_from_the_last_point(last, better, expected):
    # [MDC-TEST] "Summary icons – variation": determined by the last point, high or low; the
    # 18th point is 45 (above the upper limit 42.11), 25 (common cause) or 5 (below 6.72).
    chart = xmr([*VARIATION, last], better=better)
    assert chart.variation == expected


def test_mdc_variation_icon_needs_enough_points():
    # [MDC-TEST] same section, "Too few points": the first 10 points -> no icon.
    assert xmr(VARIATION[:10], better="higher").variation is None


def _golden_rows() -> list[dict[str, str]]:
    with (DATA / "mdcspc_golden.csv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


GOLDEN_RULE = {"Trend": "trend", "Shift": "shift", "2of3": "two_of_three", "Astro": "astronomical"}
# The variation codes each series carries in the source, with the direction that makes it so.
GOLDEN_CODES = {
    "high": [("higher", "improvement"), ("lower", "concern"), (None, "neither")],  # SCHI/D/C
    "low": [("lower", "improvement"), ("higher", "concern"), (None, "neither")],  # SCLI/D/C
}


@pytest.mark.parametrize(
    "row", _golden_rows(), ids=lambda r: f"{r['rule']}-{r['side']}-{r['format']}"
)
def test_mdc_golden_series_from_mdcspc(row):
    # [MDCSPC] tests/test_golden_special_cause.py: "01. CC" series have no special-cause point;
    # the others have at least one, and the rule named in RuleBreak is among them. The variation
    # code (e.g. 02. SCHI: special cause improving, higher) also fixes what those points are.
    values = [float(v) for v in row["values"].split()]
    assert len(values) == 28
    if row["rule"] == "None":
        for better in ("higher", "lower", None):
            assert any_flag(xmr(values, better=better)) == []
        return
    rule = GOLDEN_RULE[row["rule"]]
    for better, kind in GOLDEN_CODES[row["side"]]:
        chart = xmr(values, better=better)
        points = flagged(chart, rule)
        assert points, (rule, better)
        assert {chart.signals[p - 1] for p in points} == {kind}


def test_nhsr_does_not_flag_the_six_point_golden_runs():
    # [MDCSPC] the golden shift and trend runs are exactly six long (e.g. 30, 28, 28, 29, 31, 33
    # above the mean and 17, 24, 28, 29, 31, 33 rising): a signal for MDC's 6, not for the
    # NHSRplotthedots 7 (tests/testthat/test-ptd_calculate_point_type.R).
    rows = {(r["rule"], r["side"], r["format"]): r for r in _golden_rows()}
    for rule in ("Shift", "Trend"):
        values = [float(v) for v in rows[(rule, "high", "Integer")]["values"].split()]
        assert flagged(xmr(values), GOLDEN_RULE[rule]) != []
        assert flagged(xmr(values, profile="nhsr"), GOLDEN_RULE[rule]) == []


ASSURANCE_BASE = [0.74, 0.76, 0.73, 0.77, 0.75, 0.78, 0.72, 0.76, 0.74, 0.77, 0.75, 0.76]


@pytest.mark.parametrize(
    ("scale", "better", "target", "expected"),
    [
        (1.0, "higher", 0.75, "hit_and_miss"),  # ASSUR_HIT_MISS_HIGH
        (1.0, "higher", 0.95, "fail"),  # ASSUR_FAIL_HIGH
        (1.0, "higher", 0.5, "pass"),  # ASSUR_PASS_HIGH
        (1.0, "higher", 0.8, "hit_and_miss"),  # ASSUR_STEP_TARGET_HIGH: latest target 0.80
        (0.0, "lower", 0.35, "pass"),  # ASSUR_PASS_LOW
        (0.0, "lower", 0.05, "fail"),  # ASSUR_FAIL_LOW
        (1.0, "higher", None, None),  # ASSUR_NO_TARGET_HIGH (IconEmpty)
    ],
)
def test_mdc_assurance_golden_from_mdcspc(scale, better, target, expected):
    # [MDCSPC] tests/data/assurance_golden_input.csv: 24 monthly values, the 12 above twice
    # (the "_LOW" series are the same values minus 0.50), targets from
    # tests/config_assurance/spc_target_config.csv, icons from test_golden_assurance_icons.py.
    values = [v - 0.5 * (1 - scale) for v in ASSURANCE_BASE * 2]
    chart = xmr(values, better=better, target=target)
    assert chart.assurance == expected


# ---------------------------------------------------------------------------------------------
# Hand-computed edge cases (no published source: each is worked out in its comment)
# ---------------------------------------------------------------------------------------------

# Alternating 12, 10 (mean 11, every MR 2) makes a flat background with limits 11 ± 5.32 and
# two-sigma lines 11 ± 3.5467 whenever it is used as a baseline.
BACKGROUND = [12.0, 10.0] * 10


@pytest.mark.parametrize(("profile", "run"), [("mdc", 6), ("nhsr", 7)])
def test_shift_at_exactly_n_minus_one_and_n_points(profile, run):
    # N − 1 points at 12 (above the mean, inside two sigma) between the background's 10s: no
    # shift; N points: all N flagged, nothing else.
    for length, expected in ((run - 1, []), (run, list(range(21, 21 + run)))):
        data = [*BACKGROUND, *([12.0] * length), 10.0, 12.0, 10.0]
        chart = xmr(data, profile=profile)
        assert chart.mean[0] < 12
        assert flagged(chart, "shift") == expected, length
        assert any_flag(chart) == expected


@pytest.mark.parametrize(("profile", "run"), [("mdc", 6), ("nhsr", 7)])
def test_trend_at_exactly_n_minus_one_and_n_points(profile, run):
    # N − 1 strictly rising points (N − 2 steps) after a fall: no trend; N: all N flagged.
    for length, expected in ((run - 1, []), (run, list(range(21, 21 + run)))):
        rise = [8.0 + 1.0 * i for i in range(length)]
        data = [*BACKGROUND, *rise, 9.0, 12.0, 10.0, 12.0]
        chart = xmr(data, profile=profile)
        assert flagged(chart, "trend") == expected, length


@pytest.mark.parametrize("profile", ["mdc", "nhsr"])
def test_a_tie_breaks_a_trend(profile):
    # 8, 9, 10, 10, 11, 12, 13, 14: eight points but the pause splits them into 3 and 5.
    data = [*BACKGROUND, 8.0, 9.0, 10.0, 10.0, 11.0, 12.0, 13.0, 14.0, 9.0, 12.0]
    assert flagged(xmr(data, profile=profile), "trend") == []


@pytest.mark.parametrize(("profile", "run"), [("mdc", 6), ("nhsr", 7)])
def test_a_point_on_the_mean_breaks_a_shift(profile, run):
    # A mirrored pattern keeps the mean exactly 11 (integers throughout): N points at 13 with an
    # 11 (on the mean) in the middle, then N at 9 with an 11 in the middle. No shift; with the
    # middle points moved off the mean (13 and 9, mean still 11) both runs are shifts.
    half = run // 2 + 1
    above = [13.0] * half + [11.0] + [13.0] * half
    below = [9.0] * half + [11.0] + [9.0] * half
    broken = xmr([*BACKGROUND, *above, *below, *BACKGROUND], profile=profile)
    assert broken.mean[0] == 11.0
    assert flagged(broken, "shift") == []
    joined = [*BACKGROUND, *[13.0] * len(above), *[9.0] * len(below), *BACKGROUND]
    chart = xmr(joined, profile=profile)
    assert chart.mean[0] == 11.0
    assert flagged(chart, "shift") == list(range(21, 21 + len(above) + len(below)))


def _edge_chart(tail: list[float], profile: str = "mdc"):
    """BACKGROUND as a 20-point baseline (limits 11 ± 5.32), then ``tail``."""
    return xmr([*BACKGROUND, *tail], profile=profile, baseline=20)


def _limits() -> tuple[float, float]:
    chart = _edge_chart([11.0])
    return float(chart.lower_limit[-1]), float(chart.upper_limit[-1])


@pytest.mark.parametrize("profile", ["mdc", "nhsr"])
def test_two_of_three_counts_a_point_exactly_on_the_limit(profile):
    low, up = _limits()
    assert up == pytest.approx(11 + 2.66 * 2)
    assert low == pytest.approx(11 - 2.66 * 2)
    # Two points exactly on the upper limit with a 12 between: both count (and neither is
    # astronomical, which needs strictly beyond).
    chart = _edge_chart([up, 12.0, up, 12.0, 10.0], profile)
    assert flagged(chart, "two_of_three") == [21, 23]
    assert flagged(chart, "astronomical") == []
    chart = _edge_chart([low, 10.0, low, 10.0, 12.0], profile)
    assert flagged(chart, "two_of_three") == [21, 23]


@pytest.mark.parametrize("profile", ["mdc", "nhsr"])
def test_two_of_three_does_not_count_a_point_beyond_the_limit(profile):
    _, up = _limits()
    # 15 is between two sigma (14.55) and the limit (16.32); 16.5 is beyond the limit.
    chart = _edge_chart([15.0, 12.0, 15.0, 12.0, 10.0], profile)
    assert flagged(chart, "two_of_three") == [21, 23]
    chart = _edge_chart([16.5, 12.0, 15.0, 12.0, 10.0], profile)
    assert flagged(chart, "two_of_three") == []
    assert flagged(chart, "astronomical") == [21]
    chart = _edge_chart([16.5, 15.0, 15.0, 12.0, 10.0], profile)
    assert flagged(chart, "two_of_three") == [22, 23]
    # One point in the band among three: nothing.
    chart = _edge_chart([15.0, 12.0, 12.0, 15.0, 10.0], profile)
    assert flagged(chart, "two_of_three") == []
    assert up > 16


def test_two_of_three_flags_only_the_points_beyond_two_sigma():
    # A window 15, 12, 15: the 12 between them is on the same side but not flagged.
    chart = _edge_chart([15.0, 12.0, 15.0, 10.0, 12.0])
    assert chart.rules[21] == ()
    assert chart.signals[21] == "common_cause"


def test_astronomical_needs_strictly_beyond_the_limit():
    low, up = _limits()
    on = _edge_chart([up, 10.0, low, 12.0])
    assert flagged(on, "astronomical") == []
    beyond = _edge_chart([up + 1e-6, 10.0, low - 1e-6, 12.0])
    assert flagged(beyond, "astronomical") == [21, 23]


@pytest.mark.parametrize(
    ("better", "high_point", "low_point"),
    [
        ("higher", "improvement", "concern"),
        ("lower", "concern", "improvement"),
        (None, "neither", "neither"),
    ],
)
def test_improvement_concern_or_neither_by_direction(better, high_point, low_point):
    chart = xmr([*BACKGROUND, 20.0, 11.0, 2.0, 11.0], better=better, baseline=20)
    assert chart.signals[20] == high_point
    assert chart.signals[22] == low_point
    assert chart.signals[21] == "common_cause"


def test_baseline_takes_mean_and_moving_range_from_the_first_points_only():
    # The tail (far from the background) does not move the limits.
    tail = [30.0, 1.0, 25.0, -4.0]
    chart = xmr([*BACKGROUND, *tail], baseline=20)
    assert chart.mean == pytest.approx(np.full(24, 11.0))
    assert chart.upper_limit == pytest.approx(np.full(24, 11 + 2.66 * 2))
    assert chart.lower_limit == pytest.approx(np.full(24, 11 - 2.66 * 2))
    alone = xmr(BACKGROUND)
    assert alone.upper_limit[0] == pytest.approx(chart.upper_limit[-1])


@pytest.mark.parametrize("profile", ["mdc", "nhsr"])
def test_recalculation_excludes_the_jump_between_partitions(profile):
    # Two flat-ish halves 100 apart: the jump is no moving range of either half.
    first = [10.0, 12.0] * 8
    second = [110.0, 112.0] * 8
    chart = xmr([*first, *second], recalculate_at=[16], profile=profile)
    assert chart.mean[[0, -1]] == pytest.approx([11.0, 111.0])
    assert chart.upper_limit[[0, -1]] == pytest.approx([11 + 2.66 * 2, 111 + 2.66 * 2])
    assert any_flag(chart) == []


def test_mdc_runs_cross_partitions_and_nhsr_runs_do_not():
    # Four points above the first mean (11.2) end partition 1, three more above the second mean
    # (21.16) start partition 2: one MDC shift of 7 (>= 6); NHSR sees 4 and 3 (< 7 each) — and
    # even a 7-run profile that crosses would flag it.
    first = [12.0, 10.0] * 8 + [12.0] * 4
    second = [22.0] * 3 + [20.0, 22.0] * 8
    data = [*first, *second]
    cut = [len(first)]
    mdc = xmr(data, recalculate_at=cut)
    assert flagged(mdc, "shift") == list(range(17, 24))
    assert flagged(xmr(data, recalculate_at=cut, profile="nhsr"), "shift") == []
    crossing7 = attrs.evolve(PROFILES["nhsr"], name="nhsr-crossing", cross_partitions=True)
    assert flagged(xmr(data, recalculate_at=cut, profile=crossing7), "shift") == list(range(17, 24))


def test_mdc_conflict_in_a_trend_is_improvement():
    # A rising trend (p21–p26: 8 … 10.5) through points below the mean (11), inside two sigma
    # (7.45): the trend says improvement when higher is better, the shift below (p20–p27, with
    # the background's last 10 and the 9 after) says concern; MDC shows improvement where both
    # apply, concern where only the shift does.
    data = [*BACKGROUND, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 9.0, 12.0, 10.0, 12.0]
    chart = xmr(data, better="higher", baseline=20)
    assert flagged(chart, "trend") == list(range(21, 27))
    assert flagged(chart, "shift") == list(range(20, 28))
    assert chart.signals[19:27] == ("concern",) + ("improvement",) * 6 + ("concern",)
    lower = xmr(data, better="lower", baseline=20)
    assert lower.signals[19:27] == ("improvement",) * 8


def test_nhsr_trend_beats_shift_and_astronomical_beats_trend():
    # The nhsr precedence on hand-made data (same background). A seven-point rise below the mean
    # (p21–p27) inside a shift below (p20–p28): the rise (improvement, higher is better) outranks
    # the shift. Starting the rise at 0, far below the lower limit (5.68), makes p21 astronomical,
    # and that outranks the rise.
    rise = [7.6, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5]
    tail = [9.0, 12.0, 10.0, 12.0]
    chart = xmr([*BACKGROUND, *rise, *tail], better="higher", baseline=20, profile="nhsr")
    assert flagged(chart, "trend") == list(range(21, 28))
    assert flagged(chart, "shift") == list(range(20, 29))
    assert chart.signals[19:28] == ("concern",) + ("improvement",) * 7 + ("concern",)
    low_start = [*BACKGROUND, 0.0, *rise[1:], *tail]
    chart = xmr(low_start, better="higher", baseline=20, profile="nhsr")
    assert chart.rules[20] == ("astronomical", "trend", "shift")
    assert chart.signals[20] == "concern"
    assert chart.signals[21:27] == ("improvement",) * 6


def test_nhsr_trend_beats_two_of_three():
    # Two points in the upper two-sigma band (15 and 14.8; band 14.55 … 16.32) that start a
    # falling trend of seven: the fall (concern, higher is better) outranks the two-of-three
    # above (improvement). MDC shows improvement for those two (conflict -> improvement).
    fall = [15.0, 14.8, 13.0, 12.0, 11.5, 10.5, 10.0]
    data = [*BACKGROUND, *fall, 12.0, 10.0, 12.0]
    chart = xmr(data, better="higher", baseline=20, profile="nhsr")
    assert flagged(chart, "two_of_three") == [21, 22]
    assert flagged(chart, "trend") == list(range(21, 28))
    assert chart.signals[20:27] == ("concern",) * 7
    mdc = xmr(data, better="higher", baseline=20)
    assert mdc.signals[20:22] == ("improvement", "improvement")


def test_fewer_than_13_points_mdc_mean_only():
    data = [float(v) for v in range(12)]
    chart = xmr(data, better="higher", target=3)
    assert chart.mean == pytest.approx(np.full(12, 5.5))
    assert np.isnan(chart.lower_limit).all()
    assert np.isnan(chart.upper_limit).all()
    assert chart.signals == (None,) * 12
    assert chart.variation is None
    assert chart.assurance is None
    assert chart.trial is False
    batch = xmr_batch(data, np.zeros(12))
    assert (batch.signal == -1).all()
    assert batch.variation == [None]
    assert batch.assurance == [None]
    assert not batch.astronomical.any()
    assert not batch.trend.any()
    assert not batch.shift.any()


def test_fewer_than_13_points_nhsr_trial_limits():
    # SPC.md: nhsr computes limits and marks them as trial limits under 13 points. (Note:
    # NHSRplotthedots itself warns below 12 points per rebase group — R/ptd_add_short_group_
    # warnings.R, warning_threshold = 12 — see the report.)
    data = [1.0, 3.0, 2.0, 4.0, 2.0, 3.0, 1.0, 3.0, 2.0, 4.0, 2.0, 3.0]
    chart = xmr(data, better="higher", target=-5, profile="nhsr")
    assert chart.trial is True
    assert np.isfinite(chart.lower_limit).all()
    assert np.isfinite(chart.upper_limit).all()
    assert all(s is not None for s in chart.signals)
    assert chart.variation == "common_cause"
    assert chart.assurance == "pass"
    assert xmr([*data, 2.0], profile="nhsr").trial is False


@pytest.mark.parametrize(
    ("better", "where", "expected"),
    [
        ("higher", "below", "pass"),
        ("higher", "above", "fail"),
        ("higher", "inside", "hit_and_miss"),
        ("higher", "on_lower", "hit_and_miss"),
        ("higher", "on_upper", "hit_and_miss"),
        ("lower", "below", "fail"),
        ("lower", "above", "pass"),
        ("lower", "inside", "hit_and_miss"),
        ("lower", "on_lower", "hit_and_miss"),
        ("lower", "on_upper", "hit_and_miss"),
    ],
)
@pytest.mark.parametrize("profile", ["mdc", "nhsr"])
def test_assurance_pass_fail_hit_and_miss(profile, better, where, expected):
    base = xmr(BACKGROUND, profile=profile)
    low, up = float(base.lower_limit[-1]), float(base.upper_limit[-1])
    target = {
        "below": low - 0.01,
        "above": up + 0.01,
        "inside": 11.0,
        "on_lower": low,
        "on_upper": up,
    }
    chart = xmr(BACKGROUND, profile=profile, better=better, target=target[where])
    assert chart.assurance == expected


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_missing_or_infinite_values_raise(bad):
    with pytest.raises(ValueError, match="missing period"):
        xmr([1.0, 2.0, bad, 4.0])
    with pytest.raises(ValueError, match="missing period"):
        xmr_batch([1.0, 2.0, bad, 4.0], [0, 0, 1, 1])


def test_recalculation_points_must_be_inside_the_series():
    for cut in (0, 5, -1):
        with pytest.raises(ValueError, match="recalculation"):
            xmr([1.0, 2.0, 3.0, 4.0, 5.0], recalculate_at=[cut])


# ---------------------------------------------------------------------------------------------
# Many series at once equal one at a time
# ---------------------------------------------------------------------------------------------

one_series = st.fixed_dictionaries(
    {
        "values": series_values,
        "better": st.sampled_from(["higher", "lower", None]),
        "target": st.one_of(st.none(), st.integers(-20, 40).map(float)),
        "cut": st.integers(0, 40),
    }
)


@no_deadline
@given(
    many=st.lists(one_series, min_size=1, max_size=5),
    profile=st.sampled_from(["mdc", "nhsr"]),
    baseline=st.one_of(st.none(), st.integers(2, 15)),
)
def test_xmr_batch_end_to_end_equals_xmr_on_each_series(many, profile, baseline):
    values, codes_, parts, better, target = [], [], [], [], []
    direction = {"higher": 1, "lower": -1, None: 0}
    singles = []
    for code, spec in enumerate(many):
        n = len(spec["values"])
        cuts = [spec["cut"]] if 0 < spec["cut"] < n else []
        singles.append(
            xmr(
                spec["values"],
                better=spec["better"],
                target=spec["target"],
                profile=profile,
                recalculate_at=cuts,
                baseline=baseline,
            )
        )
        values += spec["values"]
        codes_ += [code] * n
        parts += [2 * code + (i >= cuts[0] if cuts else 0) for i in range(n)]
        better += [direction[spec["better"]]] * n
        target += [np.nan if spec["target"] is None else spec["target"]] * n
    batch = xmr_batch(
        values,
        codes_,
        partition=parts,
        better=better,
        target=target,
        profile=profile,
        baseline=baseline,
    )
    names = {-1: None, 0: "common_cause", 1: "improvement", 2: "concern", 3: "neither"}
    start = 0
    for s, single in enumerate(singles):
        part = slice(start, start + len(single.values))
        np.testing.assert_array_equal(batch.mean[part], single.mean)
        np.testing.assert_array_equal(batch.lower_limit[part], single.lower_limit)
        np.testing.assert_array_equal(batch.upper_limit[part], single.upper_limit)
        assert tuple(names[int(c)] for c in batch.signal[part]) == single.signals
        for rule in RULES:
            got = getattr(batch, rule)[part].tolist()
            assert got == [rule in r for r in single.rules], rule
        assert batch.variation[s] == single.variation
        assert batch.assurance[s] == single.assurance
        assert bool(batch.trial[s]) == single.trial
        assert int(batch.series_points[s]) == len(single.values)
        start = part.stop


@no_deadline
@given(
    many=st.lists(one_series, min_size=1, max_size=6),
    profile=st.sampled_from(["mdc", "nhsr"]),
    block=st.integers(1, 40),
)
def test_xmr_batch_is_the_same_whatever_the_block_size(many, profile, block):
    """Many series are charted a block of whole series at a time; the blocks never show."""
    values = [v for spec in many for v in spec["values"]]
    codes_ = [code for code, spec in enumerate(many) for _ in spec["values"]]
    better = [{"higher": 1, "lower": -1, None: 0}[s["better"]] for s in many for _ in s["values"]]
    target = [np.nan if s["target"] is None else s["target"] for s in many for _ in s["values"]]
    whole = xmr_batch(values, codes_, better=better, target=target, profile=profile)
    with mock.patch.object(blockwise, "SIZE", block):
        blocked = xmr_batch(values, codes_, better=better, target=target, profile=profile)
    for field in attrs.fields(type(whole)):
        got, expected = getattr(blocked, field.name), getattr(whole, field.name)
        if isinstance(expected, np.ndarray):
            np.testing.assert_array_equal(got, expected, err_msg=field.name)
        else:
            assert got == expected, field.name
    np.testing.assert_array_equal(blocked.upper_limit, whole.upper_limit)


# ---------------------------------------------------------------------------------------------
# Limits held within what the measure allows (bounds=)
# ---------------------------------------------------------------------------------------------


def test_xmr_limits_are_unclipped_by_default_as_mdc_has_them():
    # A proportion near 1 (the example: an upper limit of 1.0698) and a count whose
    # lower limit falls below zero: Making Data Count draws them as computed.
    near_one = [0.99, 0.95, 1.0, 0.97, 0.99, 1.0, 0.96, 0.98, 1.0, 0.99, 0.97, 1.0, 0.98]
    assert xmr(near_one).upper_limit[0] > 1
    counts = [0, 1, 0, 2, 0, 0, 1, 0, 3, 0, 1, 0, 0]
    assert xmr(counts).lower_limit[0] < 0


def test_xmr_limits_held_within_bounds():
    near_one = [0.99, 0.95, 1.0, 0.97, 0.99, 1.0, 0.96, 0.98, 1.0, 0.99, 0.97, 1.0, 0.98]
    free = xmr(near_one, better="higher")
    held = xmr(near_one, better="higher", bounds=(0, 1))
    assert held.upper_limit[0] == 1.0
    assert held.lower_limit[0] == free.lower_limit[0]
    assert held.signals == free.signals
    counts = [0, 1, 0, 2, 0, 0, 1, 0, 3, 0, 1, 0, 0]
    assert xmr(counts, bounds=(0, None)).lower_limit[0] == 0.0


def test_bounds_must_be_ordered():
    with pytest.raises(ValueError, match="low ≤ high"):
        xmr([1.0, 2.0, 3.0], bounds=(1, 0))


@no_deadline
@given(values=series_values, low=st.floats(-5, 5), width=st.floats(0, 10))
def test_bounds_hold_the_limits_and_change_no_signal(values, low, width):
    # Values inside the bounds can never lie beyond a bound, so clipping the lines to them
    # changes no signal; every limit lies within them.
    high = low + width
    inside = [min(max(v, low), high) for v in values]
    free = xmr(inside, profile="nhsr", better="higher", target=low)
    held = xmr(inside, profile="nhsr", better="higher", target=low, bounds=(low, high))
    assert held.signals == free.signals
    assert held.rules == free.rules
    assert held.variation == free.variation
    for line in (held.lower_limit, held.upper_limit):
        finite = line[np.isfinite(line)]
        assert np.all((finite >= low) & (finite <= high))


# ---------------------------------------------------------------------------------------------
# The evaluator: each point on its own scale, limits in range, the chart named
# ---------------------------------------------------------------------------------------------

EVAL_PROVIDERS = [{"id": "RQX", "name": "Eastside Hospitals NHS Trust", "type": "nhs_trust"}]


def _contract(**kpi: object) -> contractkit.Contract:
    spec = {
        "contractkit": 1,
        "id": "SPC-TEST",
        "title": "SPC tests",
        "commissioners": [{"id": "QMF", "name": "North East London ICB"}],
        "term": {"start": "2026-04-01", "end": "2029-03-31"},
        "providers": EVAL_PROVIDERS,
        "kpis": [{"id": "k", "name": "KPI k", "reported": "monthly", **kpi}],
        "services": [{"id": "s", "provider": "RQX", "commences": "2019-04-01", "kpis": ["k"]}],
    }
    contract = contractkit.load(spec)
    assert isinstance(contract, contractkit.Contract)
    return contract


def _months(count: int) -> list[str]:
    return [f"{2026 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in range(count)]


def _counts(values: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"service": "s", "kpi": "k", "period": _months(len(values)), "numerator": values},
        schema={"service": pl.String, "kpi": pl.String, "period": pl.String, "numerator": pl.Int64},
    )


# Issue 9, finding 6: a count of at most 2 a quarter, reported monthly; its quarters sat at
# the threshold four times in seven (2, 2, 1, 1, 2, 0, 2).
AT_THRESHOLD = [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0]
FALLS = {"measure": "count", "better": "lower", "assessed": "quarterly", "threshold": 2}


@pytest.mark.parametrize("chart", ["auto", "xmr"])
def test_monthly_points_are_compared_with_the_quarterly_threshold_as_a_monthly_share(chart):
    # Each monthly point was compared with the quarterly threshold (2), which lies above the
    # XmR chart's upper limit (0.476 + 2.66 × 0.45 = 1.673): "pass", though the quarters sat at
    # the threshold four times in seven. A month's share is 2/3: within the limits, hit and
    # miss, and the icon says what it compared.
    quarters = [sum(AT_THRESHOLD[q * 3 : q * 3 + 3]) for q in range(7)]
    assert quarters.count(2) == 4
    evaluation = contractkit.evaluate(_contract(**FALLS), _counts(AT_THRESHOLD), chart=chart)
    icons = evaluation.spc_icons().row(0, named=True)
    assert icons["assurance"] == "hit_and_miss"
    assert icons["chart"] == ("c" if chart == "auto" else "xmr")
    assert icons["target"] == pytest.approx(2 / 3)
    assert icons["compared"] == "≤ 2 a quarter, as 0.67 a month"
    assert evaluation.points.get_column("target").to_list() == pytest.approx([2 / 3] * 21)


@pytest.mark.parametrize(
    ("combine", "expected"),
    [
        # A snapshot is compared as it stands.
        ("last", [2.0] * 6),
        # A year-to-date total against 2 at the end of each quarter: 2/3 a month in Q1, and
        # 2/6 in Q2 (the total then covers six months).
        ("cumulative", [2 / 3] * 3 + [1 / 3] * 3),
    ],
)
def test_a_counts_share_follows_how_it_combines(combine, expected):
    evaluation = contractkit.evaluate(
        _contract(**FALLS, combine=combine), _counts([0, 1, 0, 1, 0, 0])
    )
    assert evaluation.points.get_column("target").to_list() == pytest.approx(expected)


def test_proportions_rates_and_means_are_not_scaled():
    contract = _contract(
        measure="proportion",
        better="higher",
        assessed="quarterly",
        threshold="70%",
        numerator="seen",
        denominator="referred",
    )
    data = pl.DataFrame(
        {"service": "s", "kpi": "k", "period": _months(3), "numerator": [7, 8, 6]},
    ).with_columns(denominator=pl.lit(10))
    evaluation = contractkit.evaluate(contract, data)
    assert evaluation.points.get_column("target").to_list() == pytest.approx([0.7] * 3)


def test_limits_stay_within_what_the_measure_allows():
    # Issue 9: a proportion's upper limit of 1.0698 and a count's lower limit of −0.72 (the
    # XmR chart of AT_THRESHOLD). Held within [0, 1] and at 0 or above, on any chart.
    near_one = [99, 95, 100, 97, 99, 100, 96, 98, 100, 99, 97, 100, 98, 99]
    contract = _contract(
        measure="proportion",
        better="higher",
        assessed="monthly",
        threshold="90%",
        numerator="seen",
        denominator="referred",
    )
    data = pl.DataFrame(
        {"service": "s", "kpi": "k", "period": _months(14), "numerator": near_one}
    ).with_columns(denominator=pl.lit(100))
    counts = contractkit.evaluate(_contract(**FALLS), _counts(AT_THRESHOLD), chart="xmr")
    assert counts.points.get_column("lower_limit").min() == 0.0
    for chart in ("auto", "xmr"):
        points = contractkit.evaluate(contract, data, chart=chart).points
        assert points.get_column("upper_limit").max() <= 1.0
        assert points.get_column("lower_limit").min() >= 0.0
    assert xmr([v / 100 for v in near_one]).upper_limit[0] > 1  # unclipped, it would be


NEVER = {"measure": "count", "better": "lower", "assessed": "monthly", "threshold": 0}


def test_a_single_incident_among_months_of_none_is_not_a_concern():
    # Issue 9: on an XmR chart a single never event in 18 months is beyond the upper limit (a
    # concern); on the c-chart (c̄ = 1/18, exact upper limit 2) it is common cause.
    months = [0] * 17 + [1]
    auto = contractkit.evaluate(_contract(**NEVER), _counts(months))
    last = auto.table.row(-1, named=True)
    assert (last["spc_signal"], last["spc_chart"]) == ("common_cause", "c")
    assert last["status"] == "underperforming"  # the verdict itself is exact: any event
    xmr_chart = contractkit.evaluate(_contract(**NEVER), _counts(months), chart="xmr")
    assert xmr_chart.table.row(-1, named=True)["spc_signal"] == "concern"


def test_a_run_of_months_with_none_is_not_an_improvement():
    # Issue 9: three incidents, then twenty months of none: XmR calls the run an improvement;
    # on the c-chart each such month has an 88% chance of lying below c̄ = 0.13, and the run
    # is no more unlikely than chance.
    months = [1, 1, 1] + [0] * 20
    auto = contractkit.evaluate(_contract(**NEVER), _counts(months))
    signals = auto.points.get_column("signal").to_list()
    assert "improvement" not in signals
    xmr_chart = contractkit.evaluate(_contract(**NEVER), _counts(months), chart="xmr")
    assert "improvement" in xmr_chart.points.get_column("signal").to_list()


def test_the_chart_is_named_in_points_icons_rows_explanations_and_json():
    evaluation = contractkit.evaluate(_contract(**FALLS), _counts(AT_THRESHOLD))
    assert set(evaluation.points.get_column("chart").to_list()) == {"c"}
    row = evaluation.row("s", "k", "2027/28 Q3")
    assert row["spc_chart"] == "c"
    text = evaluation.explain("s", "k", "2027/28 Q3").text
    assert (
        "SPC (mdc rules, c-chart with exact Poisson limits, on the monthly returns): common "
        "cause. Each month's count is compared with ≤ 2 a quarter, as 0.67 a month." in text
    )
    again = contractkit.Evaluation.from_json(evaluation.to_json())
    assert again.points.equals(evaluation.points)
    assert again.spc_icons().equals(evaluation.spc_icons())
    assert again.table.equals(evaluation.table)
    assert again.explain("s", "k", "2027/28 Q3").text == text
    assert again.meta["chart"] == "auto"


def test_an_unknown_chart_choice_is_refused():
    with pytest.raises(ValueError, match="unknown SPC chart 'c': use one of auto, xmr"):
        contractkit.evaluate(_contract(**FALLS), _counts(AT_THRESHOLD), chart="c")  # type: ignore[arg-type]  # on purpose


def test_the_command_line_takes_the_chart(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from contractkit.cli import app

    returns = tmp_path / "returns.csv"
    _counts(AT_THRESHOLD).write_csv(returns)
    contract = tmp_path / "contract.yaml"
    contract.write_text(contractkit.dump(_contract(**FALLS)), encoding="utf-8")
    runner = CliRunner()
    for chart, name in (("auto", "c"), ("xmr", "xmr")):
        result = runner.invoke(
            app, ["evaluate", str(contract), str(returns), "--chart", chart, "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["chart"] == chart
        assert {icon["chart"] for icon in data["spc_icons"]} == {name}
    refused = runner.invoke(app, ["evaluate", str(contract), str(returns), "--chart", "p"])
    assert refused.exit_code == 2
    assert "unknown SPC chart 'p': use one of auto, xmr" in refused.output
