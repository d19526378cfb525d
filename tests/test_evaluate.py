"""The evaluator, through the public API only: ``contractkit.evaluate`` and ``Evaluation``.

Every expected number is worked out here by hand (the arithmetic is in the comments) or, for
exact tail probabilities, with scipy directly — never with contractkit's own statistics. The
rules come from FAIRNESS.md and docs/writing-a-contract.md.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy import stats as sps

import contractkit
from _support import REQUIRED_COLUMNS
from contractkit import Contract, Evaluation

# --- building contracts and returns ----------------------------------------------------------

PROVIDERS = [
    {
        "id": "RQX",
        "name": "Eastside Hospitals NHS Foundation Trust",
        "type": "nhs_foundation_trust",
    },
    {"id": "NLO01", "name": "Riverside Community Care CIC", "type": "social_enterprise"},
    {"id": "NQT10", "name": "Harbour Health Ltd", "type": "independent_sector"},
    {"id": "V4K", "name": "Neighbours Together", "type": "vcse"},
]
PROVIDER_TYPES = [
    "nhs_trust",
    "nhs_foundation_trust",
    "independent_sector",
    "vcse",
    "social_enterprise",
    "local_authority",
    "primary_care",
]
EMBEDDING = [
    {"stage": "mobilisation", "months": 3, "mode": "shadow"},
    {"stage": "embedding", "months": 9},
    {"stage": "established"},
]
ESCALATION = [  # the example contract's rules
    {"step": "contract_performance_notice", "flagged": 2, "within": 2},
    {"step": "contract_performance_notice", "alarms": 1, "within": 1},
    {"step": "remedial_action_plan", "flagged": 3, "within": 4},
    {"step": "exception_notice", "flagged": 4, "within": 4},
]
CPN, RAP, EN = "contract_performance_notice", "remedial_action_plan", "exception_notice"

SCHEMA = {
    "service": pl.String,
    "kpi": pl.String,
    "period": pl.String,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
    "value": pl.Float64,
    "count": pl.Float64,
    "sd": pl.Float64,
}


def make_contract(
    kpis: list[dict[str, Any]],
    services: list[dict[str, Any]],
    *,
    providers: list[dict[str, Any]] | None = None,
    **sections: Any,
) -> Contract:
    spec: dict[str, Any] = {
        "contractkit": 1,
        "id": "TEST-EVAL",
        "title": "Evaluator tests",
        "commissioners": [{"id": "QMF", "name": "North East London ICB"}],
        "term": {"start": "2026-04-01", "end": "2029-03-31"},
        "providers": providers or PROVIDERS,
        "kpis": kpis,
        "services": services,
        **sections,
    }
    contract = contractkit.load(spec)
    assert isinstance(contract, Contract)
    return contract


def kpi(
    kpi_id: str,
    measure: str,
    threshold: Any,
    *,
    better: str = "higher",
    reported: str = "monthly",
    assessed: str = "monthly",
    **extra: Any,
) -> dict[str, Any]:
    spec = {
        "id": kpi_id,
        "name": f"KPI {kpi_id}",
        "measure": measure,
        "better": better,
        "reported": reported,
        "assessed": assessed,
        "threshold": threshold,
        **extra,
    }
    if measure == "proportion":
        spec.setdefault("numerator", "cases seen on time")
        spec.setdefault("denominator", "cases")
    return spec


def service(
    service_id: str,
    kpis: list[str],
    *,
    provider: str = "RQX",
    commences: str = "2019-04-01",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": service_id,
        "provider": provider,
        "commences": commences,
        "kpis": kpis,
        **extra,
    }


def returns(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([{k: r.get(k) for k in SCHEMA} for r in rows], schema=SCHEMA)


def prop_row(svc: str, kpi_id: str, period: str, x: float, n: float) -> dict[str, Any]:
    return {"service": svc, "kpi": kpi_id, "period": period, "numerator": x, "denominator": n}


def mean_row(svc: str, kpi_id: str, period: str, mean: float, count: int, sd: float | None):
    return {
        "service": svc,
        "kpi": kpi_id,
        "period": period,
        "value": mean,
        "count": count,
        "sd": sd,
    }


def pick(evaluation: Evaluation, svc: str, kpi_id: str, period: str) -> dict[str, Any]:
    found = evaluation.table.filter(
        (pl.col("service") == svc) & (pl.col("kpi") == kpi_id) & (pl.col("period") == period)
    )
    assert found.height == 1, f"{svc}/{kpi_id}/{period}: {found.height} rows"
    return found.row(0, named=True)


def column(evaluation: Evaluation, svc: str, kpi_id: str, name: str) -> dict[str, Any]:
    """``{period: value}`` of one column for one service and KPI."""
    rows = evaluation.table.filter((pl.col("service") == svc) & (pl.col("kpi") == kpi_id))
    return dict(zip(rows.get_column("period"), rows.get_column(name), strict=True))


def months(first: str, count: int) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def expected_verdict(
    x: int, n: int, theta: float, *, warning: float = 0.025, alarm: float = 0.001
) -> tuple[str, str | None]:
    """FAIRNESS.md's rule for a higher-is-better proportion, with scipy's exact binomial."""
    if x / n >= theta:
        return "met", None
    p = sps.binom.cdf(x, n, theta)
    if p < alarm:
        return "underperforming", "alarm"
    if p < warning:
        return "underperforming", "warning"
    return "within_variation", None


# --- the verdict: proportions ------------------------------------------------------------------

ON_TIME = kpi("on-time", "proportion", "95%")


@pytest.fixture(scope="module")
def on_time() -> Evaluation:
    contract = make_contract([ON_TIME], [service("ucr-south", ["on-time"])])
    data = returns(
        prop_row("ucr-south", "on-time", "2026-04", 19, 20),
        prop_row("ucr-south", "on-time", "2026-05", 18, 20),
        prop_row("ucr-south", "on-time", "2026-06", 15, 20),
        prop_row("ucr-south", "on-time", "2026-07", 10, 20),
        prop_row("ucr-south", "on-time", "2026-08", 0, 0),
    )
    return contractkit.evaluate(contract, data)


def test_proportion_exactly_at_the_threshold_is_met(on_time: Evaluation) -> None:
    row = pick(on_time, "ucr-south", "on-time", "2026-04")
    # 19 / 20 = 0.95 = 95%: on the right side (p̂ ≥ θ), so met, with no test.
    assert row["observed"] == 0.95
    assert row["threshold"] == 0.95
    assert row["status"] == "met"
    assert row["level"] is None
    assert row["p_value"] is None


@pytest.mark.parametrize(
    ("period", "x", "status", "level", "hand_p"),
    [
        # P(X ≤ 18 | 20, 0.95) = 1 − P(20) − P(19) = 1 − 0.95^20 − 20·0.95^19·0.05
        #                      = 1 − 0.358486 − 0.377354 = 0.264160 ≥ 0.025: not a flag.
        ("2026-05", 18, "within_variation", None, 0.264160),
        # P(X ≤ 15 | 20, 0.95) = 0.002574: below 0.025, not below 0.001.
        ("2026-06", 15, "underperforming", "warning", 0.002574),
        # P(X ≤ 10 | 20, 0.95) = 1.134e-8: below 0.001.
        ("2026-07", 10, "underperforming", "alarm", 1.134e-8),
    ],
)
def test_proportion_verdicts_use_the_exact_one_sided_binomial(
    on_time: Evaluation, period: str, x: int, status: str, level: str | None, hand_p: float
) -> None:
    row = pick(on_time, "ucr-south", "on-time", period)
    exact = sps.binom.cdf(x, 20, 0.95)
    assert row["p_value"] == pytest.approx(exact, rel=1e-9)
    assert row["p_value"] == pytest.approx(hand_p, rel=1e-3)
    assert row["observed"] == pytest.approx(x / 20)
    assert (row["status"], row["level"]) == (status, level)


def test_wilson_interval_and_minimum_detectable_shortfall(on_time: Evaluation) -> None:
    row = pick(on_time, "ucr-south", "on-time", "2026-06")
    # Wilson score interval for 15 of 20, z = 1.959964:
    #   centre = (p̂ + z²/2n) / (1 + z²/n) = (0.75 + 0.096037) / 1.192073 = 0.709719
    #   half   = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²) = 1.644168 · 0.108517 = 0.178420
    #   → 0.531299 to 0.888139
    z = sps.norm.ppf(0.975)
    n, p = 20, 0.75
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert row["ci_lower"] == pytest.approx(centre - half, abs=1e-9)
    assert row["ci_upper"] == pytest.approx(centre + half, abs=1e-9)
    assert row["ci_lower"] == pytest.approx(0.531299, abs=1e-6)
    assert row["ci_upper"] == pytest.approx(0.888139, abs=1e-6)
    # The minimum detectable shortfall: the flag region is x ≤ k, k the largest count with
    # P(X ≤ k | 20, 0.95) < 0.025; the shortfall δ puts P(X ≤ k | 20, 0.95 − δ) at 80%.
    k = max(x for x in range(n + 1) if sps.binom.cdf(x, n, 0.95) < 0.025)
    p1 = optimize.brentq(lambda q: sps.binom.cdf(k, n, q) - 0.8, 1e-9, 0.95, xtol=1e-14)
    assert row["min_detectable_shortfall"] == pytest.approx(0.95 - p1, abs=1e-7)
    # It depends on n and θ only: the same for every month of 20 cases.
    shortfalls = column(on_time, "ucr-south", "on-time", "min_detectable_shortfall")
    assert {shortfalls[m] for m in ("2026-04", "2026-05", "2026-07")} == {
        row["min_detectable_shortfall"]
    }


def test_zero_denominator_is_insufficient_data(on_time: Evaluation) -> None:
    row = pick(on_time, "ucr-south", "on-time", "2026-08")
    assert row["status"] == "insufficient_data"
    assert row["level"] is None
    assert row["p_value"] is None
    assert row["observed"] is None


def test_power_is_shown_not_equalised() -> None:
    # FAIRNESS.md: a 40-case service cannot detect a 5-point shortfall from 80%; a 5,000-case
    # trust can. The minimum detectable shortfall says so.
    contract = make_contract(
        [kpi("p80", "proportion", "80%")],
        [service("small", ["p80"], provider="V4K"), service("large", ["p80"])],
    )
    data = returns(
        prop_row("small", "p80", "2026-04", 32, 40),
        prop_row("large", "p80", "2026-04", 4000, 5000),
    )
    evaluation = contractkit.evaluate(contract, data)
    small = pick(evaluation, "small", "p80", "2026-04")["min_detectable_shortfall"]
    large = pick(evaluation, "large", "p80", "2026-04")["min_detectable_shortfall"]
    assert small > 0.05 > large
    # binomial_shortfall's documented value for 40 cases at 80%: 0.203.
    assert small == pytest.approx(0.203, abs=5e-4)


def test_level_boundaries_follow_the_exact_p_value() -> None:
    # 200 cases against 90%: one service per numerator from 160 to 185 crosses p = 0.001,
    # p = 0.025 and the threshold itself (180).
    xs = list(range(160, 186))
    contract = make_contract(
        [kpi("p90", "proportion", "90%")], [service(f"s{x}", ["p90"]) for x in xs]
    )
    data = returns(*(prop_row(f"s{x}", "p90", "2026-04", x, 200) for x in xs))
    evaluation = contractkit.evaluate(contract, data)
    got = {x: pick(evaluation, f"s{x}", "p90", "2026-04") for x in xs}
    for x in xs:
        assert (got[x]["status"], got[x]["level"]) == expected_verdict(x, 200, 0.9), x
    # The sweep crosses every boundary, so a shifted boundary cannot go unseen.
    seen = {(r["status"], r["level"]) for r in got.values()}
    assert seen == {
        ("underperforming", "alarm"),
        ("underperforming", "warning"),
        ("within_variation", None),
        ("met", None),
    }
    last_alarm = max(x for x in xs if got[x]["level"] == "alarm")
    last_warning = max(x for x in xs if got[x]["level"] == "warning")
    assert sps.binom.cdf(last_alarm, 200, 0.9) < 0.001 <= sps.binom.cdf(last_alarm + 1, 200, 0.9)
    assert (
        sps.binom.cdf(last_warning, 200, 0.9) < 0.025 <= sps.binom.cdf(last_warning + 1, 200, 0.9)
    )


def test_the_contracts_own_flag_levels_are_used() -> None:
    xs = list(range(160, 186))
    specs = ([kpi("p90", "proportion", "90%")], [service(f"s{x}", ["p90"]) for x in xs])
    data = returns(*(prop_row(f"s{x}", "p90", "2026-04", x, 200) for x in xs))
    default = contractkit.evaluate(make_contract(*specs), data)
    loose = contractkit.evaluate(
        make_contract(*specs, flags={"warning": 0.05, "alarm": 0.01}), data
    )
    changed = 0
    for x in xs:
        row = pick(loose, f"s{x}", "p90", "2026-04")
        assert (row["status"], row["level"]) == expected_verdict(
            x, 200, 0.9, warning=0.05, alarm=0.01
        ), x
        before = pick(default, f"s{x}", "p90", "2026-04")
        changed += (row["status"], row["level"]) != (before["status"], before["level"])
    # Some numerators are judged differently at 0.05/0.01 than at 0.025/0.001.
    assert changed >= 2


@pytest.mark.parametrize(
    ("x", "status", "level"),
    [
        # 2 / 20 = 10%: exactly at the ceiling, met.
        (2, "met", None),
        # P(X ≥ 5 | 20, 0.1) = 0.043174: not below 0.025.
        (5, "within_variation", None),
        # P(X ≥ 7 | 20, 0.1) = 0.002386.
        (7, "underperforming", "warning"),
        # P(X ≥ 10 | 20, 0.1) = 7.15e-6.
        (10, "underperforming", "alarm"),
    ],
)
def test_lower_is_better_proportion(x: int, status: str, level: str | None) -> None:
    contract = make_contract(
        [kpi("readmit", "proportion", "10%", better="lower")], [service("s1", ["readmit"])]
    )
    evaluation = contractkit.evaluate(
        contract, returns(prop_row("s1", "readmit", "2026-04", x, 20))
    )
    row = pick(evaluation, "s1", "readmit", "2026-04")
    assert (row["status"], row["level"]) == (status, level)
    if status != "met":
        assert row["p_value"] == pytest.approx(sps.binom.sf(x - 1, 20, 0.1), rel=1e-9)
    else:
        assert row["p_value"] is None


# --- the verdict: counts, rates and means -----------------------------------------------------


def test_zero_tolerance_count_is_exact() -> None:
    contract = make_contract(
        [kpi("never-events", "count", 0, better="lower")], [service("s1", ["never-events"])]
    )
    data = returns(
        {"service": "s1", "kpi": "never-events", "period": "2026-04", "numerator": 0},
        {"service": "s1", "kpi": "never-events", "period": "2026-05", "numerator": 1},
        {"service": "s1", "kpi": "never-events", "period": "2026-06", "numerator": 3},
    )
    evaluation = contractkit.evaluate(contract, data)
    status = column(evaluation, "s1", "never-events", "status")
    level = column(evaluation, "s1", "never-events", "level")
    p = column(evaluation, "s1", "never-events", "p_value")
    assert (status["2026-04"], level["2026-04"], p["2026-04"]) == ("met", None, None)
    # One never event is a shortfall, whatever the provider's size: P(X ≥ 1 | μ = 0) = 0.
    # Zero tolerance is compared exactly, with no statistics: no p-value is shown.
    assert (status["2026-05"], level["2026-05"], p["2026-05"]) == ("underperforming", "alarm", None)
    assert (status["2026-06"], level["2026-06"]) == ("underperforming", "alarm")


@pytest.mark.parametrize(
    ("events", "status", "level"),
    [
        (5, "met", None),  # exactly at the threshold
        # P(X ≥ 10 | 5) = 0.031828: not below 0.025.
        (10, "within_variation", None),
        # P(X ≥ 12 | 5) = 0.005453.
        (12, "underperforming", "warning"),
        # P(X ≥ 16 | 5) = 0.000069.
        (16, "underperforming", "alarm"),
    ],
)
def test_count_against_a_non_zero_threshold(events: int, status: str, level: str | None) -> None:
    contract = make_contract(
        [kpi("incidents", "count", "5 events", better="lower")], [service("s1", ["incidents"])]
    )
    data = returns({"service": "s1", "kpi": "incidents", "period": "2026-04", "numerator": events})
    row = pick(contractkit.evaluate(contract, data), "s1", "incidents", "2026-04")
    assert (row["status"], row["level"]) == (status, level)
    if status != "met":
        assert row["p_value"] == pytest.approx(sps.poisson.sf(events - 1, 5), rel=1e-9)


FALLS = kpi(
    "falls", "rate", 12, better="lower", reported="quarterly", assessed="quarterly", per=1000
)


@pytest.mark.parametrize(
    ("period", "events", "exposure", "observed", "status", "level"),
    [
        # 12 over 1,000 = 12 per 1,000: exactly at the threshold.
        ("2026/27 Q1", 12, 1000, 12.0, "met", None),
        # μ = 12/1000 · 1000 = 12; P(X ≥ 14 | 12) = 0.318464.
        ("2026/27 Q2", 14, 1000, 14.0, "within_variation", None),
        # P(X ≥ 20 | 12) = 0.021280.
        ("2026/27 Q3", 20, 1000, 20.0, "underperforming", "warning"),
        # P(X ≥ 30 | 12) = 8.87e-6.
        ("2026/27 Q4", 30, 1000, 30.0, "underperforming", "alarm"),
        # The same 20 per 1,000 over twice the exposure: μ = 24, P(X ≥ 40 | 24) = 0.001734.
        ("2027/28 Q1", 40, 2000, 20.0, "underperforming", "warning"),
    ],
)
def test_rate_uses_the_exact_poisson_with_exposure_and_per(
    period: str, events: int, exposure: int, observed: float, status: str, level: str | None
) -> None:
    contract = make_contract([FALLS], [service("falls-east", ["falls"])])
    data = returns(
        {
            "service": "falls-east",
            "kpi": "falls",
            "period": period,
            "numerator": events,
            "denominator": exposure,
        }
    )
    evaluation = contractkit.evaluate(contract, data)
    row = pick(evaluation, "falls-east", "falls", period)
    assert row["observed"] == pytest.approx(observed, rel=1e-12)
    assert row["threshold"] == 12.0
    assert (row["status"], row["level"]) == (status, level)
    if status != "met":
        mu = 12 / 1000 * exposure
        assert row["p_value"] == pytest.approx(sps.poisson.sf(events - 1, mu), rel=1e-9)
    # The exact Poisson interval for the events, scaled to per 1,000 of this exposure.
    low = sps.chi2.ppf(0.025, 2 * events) / 2 if events else 0.0
    high = sps.chi2.ppf(0.975, 2 * events + 2) / 2
    assert row["ci_lower"] == pytest.approx(low * 1000 / exposure, rel=1e-9)
    assert row["ci_upper"] == pytest.approx(high * 1000 / exposure, rel=1e-9)


def test_rate_exactly_at_the_threshold_is_met() -> None:
    # 11 events over 440 people, per 1,000: 11 × 1000 / 440 = 25 exactly, the threshold.
    # On the right side (observed ≤ θ), so met — whatever the floating-point route to 25.
    contract = make_contract(
        [kpi("falls25", "rate", 25, better="lower", per=1000)], [service("s1", ["falls25"])]
    )
    data = returns(
        prop_row("s1", "falls25", "2026-04", 11, 440), prop_row("s1", "falls25", "2026-05", 10, 400)
    )
    evaluation = contractkit.evaluate(contract, data)
    # 10 × 1000 / 400 = 25 too.
    assert column(evaluation, "s1", "falls25", "status") == {"2026-04": "met", "2026-05": "met"}


FIRST_CONTACT = kpi("first-contact", "mean", "1.5 hours", better="lower", unit="minutes")


@pytest.mark.parametrize(
    ("mean", "status", "level"),
    [
        # t = (95 − 90) / (10/√25) = 2.5, 24 df: P(T ≥ 2.5) = 0.009827.
        (95.0, "underperforming", "warning"),
        # Exactly at the threshold (1.5 hours = 90 minutes): met.
        (90.0, "met", None),
        # t = 1, P(T ≥ 1) = 0.163625.
        (92.0, "within_variation", None),
        # t = 10: far below 0.001.
        (110.0, "underperforming", "alarm"),
    ],
)
def test_mean_uses_a_one_sided_t_test(mean: float, status: str, level: str | None) -> None:
    contract = make_contract([FIRST_CONTACT], [service("s1", ["first-contact"])])
    evaluation = contractkit.evaluate(
        contract, returns(mean_row("s1", "first-contact", "2026-04", mean, 25, 10.0))
    )
    row = pick(evaluation, "s1", "first-contact", "2026-04")
    assert row["threshold"] == 90.0  # 1.5 hours, in the KPI's minutes
    assert (row["status"], row["level"]) == (status, level)
    t = (mean - 90.0) / (10.0 / 5)
    if status != "met":
        assert row["p_value"] == pytest.approx(sps.t.sf(t, 24), rel=1e-9)
    half = sps.t.ppf(0.975, 24) * 10.0 / 5  # = 4.1278
    assert row["ci_lower"] == pytest.approx(mean - half, rel=1e-9)
    assert row["ci_upper"] == pytest.approx(mean + half, rel=1e-9)


def test_mean_pools_months_into_the_quarter() -> None:
    contract = make_contract(
        [kpi("wait", "mean", "90 minutes", better="lower", unit="minutes", assessed="quarterly")],
        [service("s1", ["wait"])],
    )
    data = returns(
        mean_row("s1", "wait", "2026-04", 80.0, 10, 5.0),
        mean_row("s1", "wait", "2026-05", 100.0, 20, 10.0),
        mean_row("s1", "wait", "2026-06", 95.0, 30, 12.0),
        mean_row("s1", "wait", "2026-07", 90.0, 5, 1.0),
        mean_row("s1", "wait", "2026-08", 90.0, 5, 1.0),
        mean_row("s1", "wait", "2026-09", 90.0, 1, None),  # one case: no sd needed
    )
    evaluation = contractkit.evaluate(contract, data)
    q1 = pick(evaluation, "s1", "wait", "2026/27 Q1")
    # N = 10 + 20 + 30 = 60; pooled mean = (800 + 2000 + 2850) / 60 = 94.1667.
    # Pooled SD² = [Σ(nᵢ − 1)sᵢ² + Σnᵢ(x̄ᵢ − x̄)²] / (N − 1)
    #   Σ(nᵢ − 1)sᵢ² = 9·25 + 19·100 + 29·144 = 225 + 1900 + 4176 = 6301
    #   Σnᵢ(x̄ᵢ − x̄)² = 10·14.1667² + 20·5.8333² + 30·0.8333² = 2006.94 + 680.56 + 20.83
    #                = 2708.33
    #   SD² = 9009.33 / 59 = 152.701, SD = 12.3572
    pooled_mean = 5650 / 60
    pooled_sd = math.sqrt(
        (
            6301
            + 10 * (80 - pooled_mean) ** 2
            + 20 * (100 - pooled_mean) ** 2
            + 30 * (95 - pooled_mean) ** 2
        )
        / 59
    )
    assert pooled_sd == pytest.approx(12.3572, abs=1e-4)
    assert q1["count"] == 60
    assert q1["value"] == pytest.approx(pooled_mean, rel=1e-12)
    assert q1["observed"] == pytest.approx(94.1667, abs=1e-4)
    assert q1["sd"] == pytest.approx(pooled_sd, rel=1e-9)
    # t = 4.1667 / (12.3572/√60) = 2.6118, 59 df: p = 0.0057 → warning.
    t = (pooled_mean - 90) / (pooled_sd / math.sqrt(60))
    assert q1["p_value"] == pytest.approx(sps.t.sf(t, 59), rel=1e-9)
    assert (q1["status"], q1["level"]) == ("underperforming", "warning")
    q2 = pick(evaluation, "s1", "wait", "2026/27 Q2")
    # N = 11, mean 90; SD² = (4·1 + 4·1 + 0 + 0) / 10 = 0.8.
    assert q2["count"] == 11
    assert q2["sd"] == pytest.approx(math.sqrt(0.8), rel=1e-9)
    assert q2["status"] == "met"


@pytest.mark.parametrize(
    ("mean", "status"),
    [
        (120.0, "insufficient_data"),  # on the wrong side, from one case: nothing to test
        (60.0, "met"),  # on the right side: met, no test needed
    ],
)
def test_mean_from_one_case(mean: float, status: str) -> None:
    contract = make_contract([FIRST_CONTACT], [service("s1", ["first-contact"])])
    evaluation = contractkit.evaluate(
        contract, returns(mean_row("s1", "first-contact", "2026-04", mean, 1, None))
    )
    row = pick(evaluation, "s1", "first-contact", "2026-04")
    assert row["status"] == status
    assert row["level"] is None


def test_zero_exposure_is_insufficient_data() -> None:
    contract = make_contract(
        [kpi("falls-m", "rate", 12, better="lower", per=1000)], [service("s1", ["falls-m"])]
    )
    data = returns(
        {
            "service": "s1",
            "kpi": "falls-m",
            "period": "2026-04",
            "numerator": 0,
            "denominator": 0,
        }
    )
    row = pick(contractkit.evaluate(contract, data), "s1", "falls-m", "2026-04")
    assert (row["status"], row["level"], row["p_value"]) == ("insufficient_data", None, None)


def test_fields_a_measure_does_not_use_are_empty_not_invented() -> None:
    # A proportion has no mean and a mean has no numerator: such cells are null, never 0 or NaN
    # (nothing is invented; and NaN is not JSON).
    contract = make_contract(
        [
            kpi("p", "proportion", "50%", assessed="quarterly"),
            kpi("m", "mean", "90 minutes", better="lower", unit="minutes", assessed="quarterly"),
        ],
        [service("s1", ["p", "m"])],
    )
    data = returns(
        *(prop_row("s1", "p", m, 5, 10) for m in months("2026-04", 3)),
        *(mean_row("s1", "m", m, 80.0, 10, 5.0) for m in months("2026-04", 3)),
    )
    evaluation = contractkit.evaluate(contract, data)
    p = pick(evaluation, "s1", "p", "2026/27 Q1")
    m = pick(evaluation, "s1", "m", "2026/27 Q1")
    assert (p["numerator"], p["denominator"]) == (15, 30)
    assert p["value"] is None
    assert p["sd"] is None
    assert m["value"] == 80.0
    assert m["numerator"] is None
    assert m["denominator"] is None


def test_annual_assessment_and_higher_is_better_means_and_rates() -> None:
    contract = make_contract(
        [
            kpi("annual", "proportion", "50%", reported="quarterly", assessed="annually"),
            kpi("seen", "mean", "10 minutes", unit="minutes"),
            kpi("visits", "rate", 50, per=100),
        ],
        [service("s1", ["annual", "seen", "visits"])],
    )
    quarters = [("2026/27 Q1", 5), ("2026/27 Q2", 6), ("2026/27 Q3", 7), ("2026/27 Q4", 8)]
    data = returns(
        *(prop_row("s1", "annual", q, x, 20) for q, x in quarters),
        mean_row("s1", "seen", "2026-04", 9.0, 30, 2.0),
        prop_row("s1", "visits", "2026-04", 40, 100),
    )
    evaluation = contractkit.evaluate(contract, data)
    year = pick(evaluation, "s1", "annual", "2026/27")
    # 5 + 6 + 7 + 8 = 26 of 80; P(X ≤ 26 | 80, 0.5) = 0.001162: a warning.
    assert (year["numerator"], year["denominator"], year["returns_made"]) == (26, 80, 4)
    assert year["p_value"] == pytest.approx(sps.binom.cdf(26, 80, 0.5), rel=1e-9)
    assert (year["status"], year["level"]) == ("underperforming", "warning")
    seen = pick(evaluation, "s1", "seen", "2026-04")
    # Higher is better: t = (9 − 10) / (2/√30) = −2.7386, P(T ≤ t | 29 df) = 0.005219.
    assert seen["p_value"] == pytest.approx(sps.t.cdf(-1 / (2 / math.sqrt(30)), 29), rel=1e-9)
    assert (seen["status"], seen["level"]) == ("underperforming", "warning")
    visits = pick(evaluation, "s1", "visits", "2026-04")
    # Higher is better: 40 per 100 against 50, μ = 50; P(X ≤ 40 | 50) = 0.08607.
    assert visits["p_value"] == pytest.approx(sps.poisson.cdf(40, 50), rel=1e-9)
    assert visits["status"] == "within_variation"


# --- aggregation -------------------------------------------------------------------------------


def test_sum_last_and_cumulative() -> None:
    quarterly = {"reported": "monthly", "assessed": "quarterly"}
    contract = make_contract(
        [
            kpi("sum", "proportion", "50%", **quarterly),
            kpi("last", "proportion", "50%", combine="last", **quarterly),
            kpi("cum", "proportion", "50%", combine="cumulative", **quarterly),
        ],
        [service("s1", ["sum", "last", "cum"])],
    )
    # Apr 2026 to Jun 2027: the numerator is the month's place in the financial year (April 1,
    # …, March 12, then April 1 again), out of 20.
    span = months("2026-04", 15)
    place = [i % 12 + 1 for i in range(15)]
    data = returns(
        *(
            prop_row("s1", k, m, x, 20)
            for k in ("sum", "last", "cum")
            for m, x in zip(span, place, strict=True)
        )
    )
    evaluation = contractkit.evaluate(contract, data)
    quarters = ["2026/27 Q1", "2026/27 Q2", "2026/27 Q3", "2026/27 Q4", "2027/28 Q1"]

    def fractions(kpi_id: str) -> list[tuple[float, float]]:
        num = column(evaluation, "s1", kpi_id, "numerator")
        den = column(evaluation, "s1", kpi_id, "denominator")
        return [(num[q], den[q]) for q in quarters]

    # sum: 1+2+3 = 6, 4+5+6 = 15, 7+8+9 = 24, 10+11+12 = 33, 1+2+3 = 6; each of 60.
    assert fractions("sum") == [(6, 60), (15, 60), (24, 60), (33, 60), (6, 60)]
    # last: the third month of each quarter: 3, 6, 9, 12, 3; each of 20.
    assert fractions("last") == [(3, 20), (6, 20), (9, 20), (12, 20), (3, 20)]
    # cumulative from 1 April: 6/60, 21/120, 45/180, 78/240, then a new year: 6/60.
    assert fractions("cum") == [(6, 60), (21, 120), (45, 180), (78, 240), (6, 60)]
    # The verdict is on the combined figures: cumulative 21/120 = 17.5% against 50%.
    row = pick(evaluation, "s1", "cum", "2026/27 Q2")
    assert row["observed"] == pytest.approx(21 / 120)
    assert row["p_value"] == pytest.approx(sps.binom.cdf(21, 120, 0.5), rel=1e-9)
    last = pick(evaluation, "s1", "last", "2026/27 Q4")
    assert (last["observed"], last["status"]) == (0.6, "met")
    assert column(evaluation, "s1", "sum", "returns_made")["2026/27 Q1"] == 3


def test_rates_are_never_averaged() -> None:
    contract = make_contract(
        [kpi("falls-q", "rate", 12, better="lower", per=1000, assessed="quarterly")],
        [service("s1", ["falls-q"])],
    )
    data = returns(
        *(
            {"service": "s1", "kpi": "falls-q", "period": m, "numerator": x, "denominator": e}
            for m, x, e in [("2026-04", 3, 100), ("2026-05", 10, 1000), ("2026-06", 1, 100)]
        )
    )
    row = pick(contractkit.evaluate(contract, data), "s1", "falls-q", "2026/27 Q1")
    # Monthly rates 30, 10 and 10 per 1,000 average 16.67 — the wrong answer. Events and
    # exposure add: 14 over 1,200 = 11.667 per 1,000, under 12: met.
    assert (row["numerator"], row["denominator"]) == (14, 1200)
    assert row["observed"] == pytest.approx(14 * 1000 / 1200, rel=1e-12)
    assert row["status"] == "met"


# --- due periods -------------------------------------------------------------------------------


def test_a_missing_return_is_not_reported_and_counts_as_a_flag() -> None:
    contract = make_contract(
        [kpi("p", "proportion", "50%")], [service("s1", ["p"])], escalation=ESCALATION
    )
    data = returns(prop_row("s1", "p", "2026-04", 10, 10), prop_row("s1", "p", "2026-07", 10, 10))
    evaluation = contractkit.evaluate(contract, data)
    status = column(evaluation, "s1", "p", "status")
    assert status == {
        "2026-04": "met",
        "2026-05": "not_reported",
        "2026-06": "not_reported",
        "2026-07": "met",
    }
    assert column(evaluation, "s1", "p", "level")["2026-05"] is None
    # Two missing returns in a row: two flagged periods within two.
    escalation = column(evaluation, "s1", "p", "escalation")
    assert escalation == {"2026-04": None, "2026-05": None, "2026-06": CPN, "2026-07": None}


def test_periods_before_commencement_are_not_due() -> None:
    contract = make_contract(
        [FALLS, kpi("p", "proportion", "50%")],
        [service("falls-east", ["falls", "p"], provider="NQT10", commences="2026-10-01")],
    )
    data = returns(
        {
            "service": "falls-east",
            "kpi": "falls",
            "period": "2026/27 Q3",
            "numerator": 1,
            "denominator": 1000,
        }
    )
    evaluation = contractkit.evaluate(contract, data)
    assert column(evaluation, "falls-east", "falls", "status") == {
        "2026/27 Q1": "not_due",
        "2026/27 Q2": "not_due",
        "2026/27 Q3": "met",
    }
    monthly = column(evaluation, "falls-east", "p", "status")
    assert [monthly[m] for m in months("2026-04", 6)] == ["not_due"] * 6
    assert [monthly[m] for m in months("2026-10", 3)] == ["not_reported"] * 3


def test_the_evaluation_runs_to_the_last_month_in_the_data() -> None:
    contract = make_contract(
        [kpi("p", "proportion", "50%"), kpi("q", "proportion", "50%", assessed="quarterly")],
        [service("s1", ["p", "q"]), service("s2", ["p"], provider="V4K")],
    )
    data = returns(*(prop_row("s1", k, m, 5, 10) for k in ("p", "q") for m in months("2026-04", 8)))
    evaluation = contractkit.evaluate(contract, data)
    # Data from April to November 2026: monthly periods to 2026-11, quarters to Q2 (Q3 ends in
    # December, so it is not complete).
    assert list(column(evaluation, "s1", "p", "status")) == months("2026-04", 8)
    assert list(column(evaluation, "s1", "q", "status")) == ["2026/27 Q1", "2026/27 Q2"]
    # A service with no returns at all is judged to the same month.
    assert set(column(evaluation, "s2", "p", "status").values()) == {"not_reported"}
    assert list(column(evaluation, "s2", "p", "status")) == months("2026-04", 8)


def test_as_of_limits_what_is_due() -> None:
    contract = make_contract(
        [kpi("q", "proportion", "50%", assessed="quarterly")], [service("s1", ["q"])]
    )
    data = returns(*(prop_row("s1", "q", m, 5, 10) for m in months("2026-04", 8)))
    by_30 = contractkit.evaluate(contract, data, as_of=date(2026, 9, 30))
    assert column(by_30, "s1", "q", "status") == {"2026/27 Q1": "met", "2026/27 Q2": "met"}
    # October and November start after the evaluation date: excluded (not yet wanted, not
    # wrong), and counted.
    assert by_30.account["rejected_by_reason"] == {}
    assert by_30.account["excluded_by_reason"] == {"after_as_of": 2}
    assert by_30.account["accepted"] == 6
    # On 29 September, Q2 has not ended: it is not yet due.
    by_29 = contractkit.evaluate(contract, data, as_of=date(2026, 9, 29))
    assert list(column(by_29, "s1", "q", "status")) == ["2026/27 Q1"]
    # Long after the data, a quarter with no returns is due and not reported; Q3 is judged on
    # the two of its three monthly returns that were made (10 of 20: met), and says so.
    later = contractkit.evaluate(contract, data, as_of=date(2027, 3, 31))
    assert column(later, "s1", "q", "status") == {
        "2026/27 Q1": "met",
        "2026/27 Q2": "met",
        "2026/27 Q3": "met",
        "2026/27 Q4": "not_reported",
    }
    q3 = pick(later, "s1", "q", "2026/27 Q3")
    assert (q3["numerator"], q3["denominator"], q3["returns_made"], q3["returns_due"]) == (
        10,
        20,
        2,
        3,
    )
    assert q3["complete"] is False
    text = later.explain("s1", "q", "2026/27 Q3").text
    assert "met, judged on the 2 of 3 returns due that were made" in text
    assert "Returns: 2 of the 3 returns due were made (1 missing)" in text


# --- stages ------------------------------------------------------------------------------------

UCR_2H = kpi(
    "ucr-2h",
    "proportion",
    {"embedding": "60%", "established": "70%"},
    reported="quarterly",
    assessed="quarterly",
)


@pytest.fixture(scope="module")
def staged() -> Evaluation:
    contract = make_contract(
        [UCR_2H],
        [
            service("ucr-north", ["ucr-2h"], provider="NLO01", commences="2026-07-01"),
            service("ucr-south", ["ucr-2h"], provider="RQX", commences="2019-04-01"),
        ],
        embedding=EMBEDDING,
        escalation=ESCALATION,
    )
    quarters = ["2026/27 Q2", "2026/27 Q3", "2026/27 Q4", "2027/28 Q1", "2027/28 Q2"]
    north = [26, 26, 40, 40, 40]
    data = returns(
        *(prop_row("ucr-north", "ucr-2h", q, x, 60) for q, x in zip(quarters, north, strict=True)),
        *(prop_row("ucr-south", "ucr-2h", q, 40, 60) for q in ["2026/27 Q1", *quarters]),
    )
    return contractkit.evaluate(contract, data)


def test_stages_count_from_commencement(staged: Evaluation) -> None:
    stage = column(staged, "ucr-north", "ucr-2h", "stage")
    threshold = column(staged, "ucr-north", "ucr-2h", "threshold")
    status = column(staged, "ucr-north", "ucr-2h", "status")
    # Commenced 1 July 2026: mobilisation (shadow) July–September 2026, embedding 1 October
    # 2026 to 30 June 2027, established from 1 July 2027.
    assert stage == {
        "2026/27 Q1": "mobilisation",
        "2026/27 Q2": "mobilisation",
        "2026/27 Q3": "embedding",
        "2026/27 Q4": "embedding",
        "2027/28 Q1": "embedding",
        "2027/28 Q2": "established",
    }
    assert status["2026/27 Q1"] == "not_due"
    assert [threshold[q] for q in ("2026/27 Q3", "2026/27 Q4", "2027/28 Q1")] == [0.6] * 3
    assert threshold["2027/28 Q2"] == 0.7


def test_a_shadow_period_shows_its_would_be_status(staged: Evaluation) -> None:
    row = pick(staged, "ucr-north", "ucr-2h", "2026/27 Q2")
    # 26 of 60 against the embedding stage's 60%: P(X ≤ 26 | 60, 0.6) = 0.00664 → a warning,
    # shown, never flagged. (Against 70% it would be an alarm: 1.3e-5.)
    assert sps.binom.cdf(26, 60, 0.6) == pytest.approx(0.006637, abs=1e-6)
    assert row["status"] == "shadow"
    assert row["level"] is None
    assert row["threshold"] == 0.6
    assert row["would_be"] == "underperforming"
    assert row["would_be_level"] == "warning"
    assert row["escalation"] is None


def test_embedding_and_established_thresholds_judge(staged: Evaluation) -> None:
    q3 = pick(staged, "ucr-north", "ucr-2h", "2026/27 Q3")
    assert (q3["status"], q3["level"]) == ("underperforming", "warning")
    assert q3["p_value"] == pytest.approx(sps.binom.cdf(26, 60, 0.6), rel=1e-9)
    q1 = pick(staged, "ucr-north", "ucr-2h", "2027/28 Q1")
    assert q1["status"] == "met"  # 40/60 = 66.7% ≥ 60%
    q2 = pick(staged, "ucr-north", "ucr-2h", "2027/28 Q2")
    # 40/60 against 70%: P(X ≤ 40 | 60, 0.7) = 0.3318: within variation.
    assert q2["p_value"] == pytest.approx(sps.binom.cdf(40, 60, 0.7), rel=1e-9)
    assert q2["status"] == "within_variation"


def test_a_long_standing_service_is_established_throughout(staged: Evaluation) -> None:
    stage = column(staged, "ucr-south", "ucr-2h", "stage")
    threshold = column(staged, "ucr-south", "ucr-2h", "threshold")
    status = column(staged, "ucr-south", "ucr-2h", "status")
    assert set(stage.values()) == {"established"}
    assert set(threshold.values()) == {0.7}
    assert len(stage) == 6
    # 40/60 against 70% every quarter: within variation, never shadow.
    assert set(status.values()) == {"within_variation"}


def test_a_staged_threshold_that_omits_a_stage_is_monitored_only_in_it() -> None:
    falls = kpi(
        "falls",
        "rate",
        {"established": {"2026-04-01": 12, "2027-04-01": 10}},
        better="lower",
        reported="quarterly",
        assessed="quarterly",
        per=1000,
    )
    contract = make_contract(
        [falls],
        [service("falls-east", ["falls"], provider="NQT10", commences="2026-10-01")],
        embedding=EMBEDDING,
        escalation=ESCALATION,
    )
    quarters = ["2026/27 Q3", "2026/27 Q4", "2027/28 Q1", "2027/28 Q2", "2027/28 Q3"]
    data = returns(
        *(
            {
                "service": "falls-east",
                "kpi": "falls",
                "period": q,
                "numerator": 30,
                "denominator": 1000,
            }
            for q in quarters
        )
    )
    evaluation = contractkit.evaluate(contract, data)
    stage = column(evaluation, "falls-east", "falls", "stage")
    status = column(evaluation, "falls-east", "falls", "status")
    threshold = column(evaluation, "falls-east", "falls", "threshold")
    would_be = column(evaluation, "falls-east", "falls", "would_be_level")
    escalation = column(evaluation, "falls-east", "falls", "escalation")
    # Commenced 1 October 2026: mobilisation to December, embedding January to September 2027
    # (not named by the threshold: monitored only), established from October 2027.
    assert [stage[q] for q in quarters] == [
        "mobilisation",
        "embedding",
        "embedding",
        "embedding",
        "established",
    ]
    assert [status[q] for q in quarters] == ["shadow"] * 4 + ["underperforming"]
    # Shown against the established stage's dated threshold in force on each first day.
    assert [threshold[q] for q in quarters] == [12.0, 12.0, 10.0, 10.0, 10.0]
    # 30 per 1,000 against 12: P(X ≥ 30 | 12) = 8.9e-6 — an alarm, would be.
    assert [would_be[q] for q in quarters[:4]] == ["alarm"] * 4
    # Four monitored periods of alarms call for nothing; the first judged alarm calls for a CPN
    # (one alarm within one).
    assert [escalation[q] for q in quarters] == [None, None, None, None, CPN]
    assert pick(evaluation, "falls-east", "falls", "2027/28 Q3")["level"] == "alarm"


def test_a_dated_threshold_takes_the_value_in_force_on_the_first_day() -> None:
    contract = make_contract(
        [
            kpi(
                "q",
                "proportion",
                {"2026-04-01": "60%", "2027-05-01": "70%"},
                assessed="quarterly",
            ),
            kpi("m", "proportion", {"2026-04-01": "60%", "2027-05-15": "70%"}),
            kpi("late", "proportion", {"2026-07-01": "60%"}, assessed="quarterly"),
        ],
        [service("s1", ["q", "m", "late"])],
    )
    evaluation = contractkit.evaluate(contract, returns(), as_of=date(2027, 9, 30))
    q = column(evaluation, "s1", "q", "threshold")
    # On 1 April 2027 the 2026 value was in force; 70% applies from the quarter starting 1 July.
    assert (q["2026/27 Q4"], q["2027/28 Q1"], q["2027/28 Q2"]) == (0.6, 0.6, 0.7)
    m = column(evaluation, "s1", "m", "threshold")
    # From 15 May 2027: May (first day the 1st) is still 60%, June is 70%.
    assert (m["2027-04"], m["2027-05"], m["2027-06"]) == (0.6, 0.6, 0.7)
    late = column(evaluation, "s1", "late", "threshold")
    late_status = column(evaluation, "s1", "late", "status")
    # Before its first date a dated threshold has no value: monitored only.
    assert late["2026/27 Q1"] is None
    assert late_status["2026/27 Q1"] == "shadow"
    assert (late["2026/27 Q2"], late_status["2026/27 Q2"]) == (0.6, "not_reported")


def test_mid_period_commencement_takes_the_first_stage() -> None:
    contract = make_contract(
        [
            UCR_2H,
            kpi("monthly", "proportion", {"embedding": "60%", "established": "70%"}),
        ],
        [service("ucr-west", ["ucr-2h", "monthly"], provider="V4K", commences="2026-08-15")],
        embedding=EMBEDDING,
    )
    evaluation = contractkit.evaluate(contract, returns(), as_of=date(2027, 12, 31))
    stage = column(evaluation, "ucr-west", "ucr-2h", "stage")
    status = column(evaluation, "ucr-west", "ucr-2h", "status")
    # Commences 15 August 2026: mobilisation to 14 November 2026, embedding to 14 August
    # 2027, established from 15 August 2027. A period takes the stage in force on its first
    # day, or the first stage when the service commences during it.
    assert status["2026/27 Q1"] == "not_due"
    assert (stage["2026/27 Q2"], status["2026/27 Q2"]) == ("mobilisation", "shadow")
    assert (stage["2026/27 Q3"], status["2026/27 Q3"]) == ("mobilisation", "shadow")
    assert (stage["2026/27 Q4"], status["2026/27 Q4"]) == ("embedding", "not_reported")
    assert stage["2027/28 Q2"] == "embedding"  # 1 July 2027: still embedding
    assert stage["2027/28 Q3"] == "established"
    monthly = column(evaluation, "ucr-west", "monthly", "stage")
    monthly_status = column(evaluation, "ucr-west", "monthly", "status")
    assert monthly_status["2026-07"] == "not_due"
    assert (monthly["2026-08"], monthly_status["2026-08"]) == ("mobilisation", "shadow")
    assert monthly["2026-11"] == "mobilisation"  # 1 November: mobilising until the 14th
    assert monthly["2026-12"] == "embedding"
    assert monthly["2027-08"] == "embedding"
    assert monthly["2027-09"] == "established"


def test_floor_or_improvement_uses_each_services_baseline() -> None:
    contract = make_contract(
        [
            kpi("discharge", "proportion", {"floor": "65%", "improvement": "7%"}),
            kpi(
                "wait",
                "mean",
                {"ceiling": "3 weeks", "improvement": "2 days"},
                better="lower",
                unit="days",
            ),
        ],
        [
            service("s1", ["discharge", "wait"], baselines={"discharge": "62%", "wait": "20 days"}),
            service(
                "s2",
                ["discharge", "wait"],
                provider="V4K",
                baselines={"discharge": "50%", "wait": "30 days"},
            ),
        ],
    )
    data = returns(
        prop_row("s1", "discharge", "2026-04", 138, 200),
        prop_row("s2", "discharge", "2026-04", 130, 200),
        mean_row("s1", "wait", "2026-04", 18.0, 40, 3.0),
        mean_row("s2", "wait", "2026-04", 21.0, 40, 3.0),
    )
    evaluation = contractkit.evaluate(contract, data)
    s1 = pick(evaluation, "s1", "discharge", "2026-04")
    s2 = pick(evaluation, "s2", "discharge", "2026-04")
    # s1: max(65%, 62% + 7 points) = 69%; 138/200 = 69%: met exactly.
    assert s1["threshold"] == pytest.approx(0.69, abs=1e-12)
    assert s1["status"] == "met"
    # s2: max(65%, 50% + 7 points = 57%) = 65%; 130/200 = 65%: met exactly.
    assert s2["threshold"] == pytest.approx(0.65, abs=1e-12)
    assert s2["status"] == "met"
    # Lower is better: min(ceiling 21 days, baseline − 2 days).
    wait1 = pick(evaluation, "s1", "wait", "2026-04")
    wait2 = pick(evaluation, "s2", "wait", "2026-04")
    assert wait1["threshold"] == pytest.approx(18.0)  # min(21, 20 − 2 = 18)
    assert wait2["threshold"] == pytest.approx(21.0)  # min(21, 30 − 2 = 28)
    assert (wait1["status"], wait2["status"]) == ("met", "met")
    assert s1["threshold"] != s2["threshold"]


def test_a_trajectory_is_per_service() -> None:
    contract = make_contract(
        [
            kpi(
                "readmit",
                "proportion",
                "trajectory",
                better="lower",
                reported="quarterly",
                assessed="quarterly",
            )
        ],
        [
            service(
                "s1",
                ["readmit"],
                trajectories={
                    "readmit": {"2026/27 Q1": "14%", "2026/27 Q3": "12%", "2027/28 Q1": "10%"}
                },
            ),
            service(
                "s2", ["readmit"], provider="V4K", trajectories={"readmit": {"2026/27 Q2": "20%"}}
            ),
        ],
    )
    evaluation = contractkit.evaluate(contract, returns(), as_of=date(2027, 9, 30))
    s1 = column(evaluation, "s1", "readmit", "threshold")
    s2 = column(evaluation, "s2", "readmit", "threshold")
    # The value for the latest period named at or before each one; the last holds thereafter.
    assert s1 == {
        "2026/27 Q1": 0.14,
        "2026/27 Q2": 0.14,
        "2026/27 Q3": 0.12,
        "2026/27 Q4": 0.12,
        "2027/28 Q1": 0.10,
        "2027/28 Q2": 0.10,
    }
    assert s2["2026/27 Q1"] is None
    assert column(evaluation, "s2", "readmit", "status")["2026/27 Q1"] == "shadow"
    assert {s2[q] for q in s2 if q != "2026/27 Q1"} == {0.2}


# --- escalation --------------------------------------------------------------------------------

# One month of each kind, out of 20 against 95%: met, within variation (p = 0.264), warning
# (p = 0.0026), alarm (p = 1.1e-8); None is a missing return.
MONTH = {"M": 20, "W": 18, "F": 15, "A": 10, "N": None}
SEQUENCE = "MAMFFWNFFA"
#   month   seq  flagged in last 2 / last 4   alarm now   step
#   2026-04  M        0 / 0                     no        —
#   2026-05  A        1 / 1                     yes       CPN (1 alarm within 1)
#   2026-06  M        1 / 1                     no        —
#   2026-07  F        1 / 2                     no        —
#   2026-08  F        2 / 3                     no        RAP (3 in 4; also CPN 2 in 2)
#   2026-09  W        1 / 2                     no        —
#   2026-10  N        1 / 3                     no        RAP (a missing return is a flag)
#   2026-11  F        2 / 3                     no        RAP
#   2026-12  F        2 / 3                     no        RAP
#   2027-01  A        2 / 4                     yes       exception notice (4 in 4)
EXPECTED_STEPS = [None, CPN, None, None, RAP, None, RAP, RAP, RAP, EN]


def sequence_rows(svc: str, kpi_id: str, sequence: str, first: str = "2026-04") -> list[dict]:
    rows = []
    for month, code in zip(months(first, len(sequence)), sequence, strict=True):
        if MONTH[code] is not None:
            rows.append(prop_row(svc, kpi_id, month, MONTH[code], 20))
    return rows


@pytest.fixture(scope="module")
def escalated() -> Evaluation:
    contract = make_contract(
        [ON_TIME, kpi("second", "proportion", "95%")],
        [
            service("s1", ["on-time", "second"]),
            service("s2", ["on-time"], provider="V4K"),
        ],
        escalation=ESCALATION,
    )
    data = returns(
        *sequence_rows("s1", "on-time", SEQUENCE),
        # The second KPI: an alarm in June 2026 (when on-time calls for nothing), else met.
        *sequence_rows("s1", "second", "MMAMMMMMMM"),
        *sequence_rows("s2", "on-time", "M" * 10),
    )
    return contractkit.evaluate(contract, data)


def test_escalation_rules_over_a_sequence(escalated: Evaluation) -> None:
    status = column(escalated, "s1", "on-time", "status")
    assert [status[m] for m in months("2026-04", 10)] == [
        {"M": "met", "W": "within_variation", "F": "underperforming", "A": "underperforming"}.get(
            code, "not_reported"
        )
        for code in SEQUENCE
    ]
    steps = column(escalated, "s1", "on-time", "escalation")
    assert [steps[m] for m in months("2026-04", 10)] == EXPECTED_STEPS
    rules = column(escalated, "s1", "on-time", "escalation_rule")
    # The rule that set each step is named (the alarm rule in May, four in four in January).
    assert "alarm" in rules["2026-05"]
    assert "4" in rules["2027-01"]
    assert rules["2026-04"] is None


def test_escalation_current_step(escalated: Evaluation) -> None:
    current = escalated.escalation()
    assert {"service", "kpi", "period", "escalation"} <= set(current.columns)
    steps = {(r["service"], r["kpi"]): (r["period"], r["escalation"]) for r in current.to_dicts()}
    assert steps == {
        ("s1", "on-time"): ("2027-01", EN),
        ("s1", "second"): ("2027-01", None),
        ("s2", "on-time"): ("2027-01", None),
    }


def test_services_take_the_highest_step_across_kpis(escalated: Evaluation) -> None:
    view = escalated.services()
    step = {(r["service"], r["period"]): r["escalation"] for r in view.to_dicts()}
    # June 2026: on-time calls for nothing, second for a CPN (its alarm): the service, a CPN.
    assert step[("s1", "2026-06")] == CPN
    # August 2026: on-time a RAP, second nothing: a RAP.
    assert step[("s1", "2026-08")] == RAP
    assert step[("s1", "2027-01")] == EN
    assert step[("s1", "2026-04")] is None
    assert {step[("s2", m)] for m in months("2026-04", 10)} == {None}


def test_shadow_periods_never_count_towards_escalation() -> None:
    contract = make_contract(
        [ON_TIME],
        [service("new", ["on-time"], commences="2026-04-01")],
        embedding=EMBEDDING,
        escalation=ESCALATION,
    )
    # Three alarms while mobilising (shadow), then one warning: no rule fires. Were the shadow
    # months counted, July would be four flags in four (an exception notice).
    evaluation = contractkit.evaluate(contract, returns(*sequence_rows("new", "on-time", "AAAF")))
    status = column(evaluation, "new", "on-time", "status")
    would_be = column(evaluation, "new", "on-time", "would_be_level")
    steps = column(evaluation, "new", "on-time", "escalation")
    assert [status[m] for m in months("2026-04", 4)] == ["shadow"] * 3 + ["underperforming"]
    assert [would_be[m] for m in months("2026-04", 3)] == ["alarm"] * 3
    assert list(steps.values()) == [None] * 4


def test_monitored_periods_are_not_among_the_most_recent_n() -> None:
    # A stage the threshold does not name sits between two that it does.
    contract = make_contract(
        [kpi("p", "proportion", {"early": "95%", "established": "95%"})],
        [service("new", ["p"], commences="2026-04-01")],
        embedding=[
            {"stage": "early", "months": 3},
            {"stage": "middle", "months": 3},
            {"stage": "established"},
        ],
        escalation=ESCALATION,
    )
    evaluation = contractkit.evaluate(contract, returns(*sequence_rows("new", "p", "MFFAAAF")))
    status = column(evaluation, "new", "p", "status")
    steps = column(evaluation, "new", "p", "escalation")
    assert [status[m] for m in months("2026-04", 7)] == [
        "met",
        "underperforming",
        "underperforming",
        "shadow",
        "shadow",
        "shadow",
        "underperforming",
    ]
    # June: May and June flagged, two in two: a CPN. The monitored months July to September
    # carry the step in force; their alarms count for nothing.
    assert [steps[m] for m in months("2026-04", 6)] == [None, None, CPN, CPN, CPN, CPN]
    # October's four most recent assessed periods are April, May, June and October: three
    # flagged, a RAP. (Counting the monitored months among the four would find one.)
    assert steps["2026-10"] == RAP


def test_insufficient_data_is_not_a_flag() -> None:
    contract = make_contract([ON_TIME], [service("s1", ["on-time"])], escalation=ESCALATION)
    data = returns(*(prop_row("s1", "on-time", m, 0, 0) for m in months("2026-04", 4)))
    evaluation = contractkit.evaluate(contract, data)
    assert set(column(evaluation, "s1", "on-time", "status").values()) == {"insufficient_data"}
    assert set(column(evaluation, "s1", "on-time", "escalation").values()) == {None}


# --- the table and its exports -----------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed() -> Evaluation:
    """Every measure, stages, shadow rows, a missing return and an escalation."""
    contract = make_contract(
        [UCR_2H, FIRST_CONTACT, FALLS, kpi("never-events", "count", 0, better="lower")],
        [
            service(
                "ucr-north", ["ucr-2h", "never-events"], provider="NLO01", commences="2026-07-01"
            ),
            service("ucr-south", ["ucr-2h", "first-contact", "never-events"]),
            service("falls-east", ["falls"], provider="NQT10", commences="2026-10-01"),
        ],
        embedding=EMBEDDING,
        escalation=ESCALATION,
    )
    data = returns(
        prop_row("ucr-north", "ucr-2h", "2026/27 Q2", 26, 60),
        prop_row("ucr-north", "ucr-2h", "2026/27 Q3", 26, 60),
        prop_row("ucr-south", "ucr-2h", "2026/27 Q1", 30, 60),
        prop_row("ucr-south", "ucr-2h", "2026/27 Q2", 30, 60),
        mean_row("ucr-south", "first-contact", "2026-04", 95.0, 25, 10.0),
        mean_row("ucr-south", "first-contact", "2026-05", 80.0, 25, 10.0),
        {"service": "ucr-south", "kpi": "never-events", "period": "2026-06", "numerator": 1},
        {"service": "ucr-north", "kpi": "never-events", "period": "2026-12", "numerator": 0},
        {
            "service": "falls-east",
            "kpi": "falls",
            "period": "2026/27 Q3",
            "numerator": 20,
            "denominator": 1000,
        },
    )
    return contractkit.evaluate(contract, data)


def test_the_table_leads_with_the_documented_columns(mixed: Evaluation) -> None:
    assert mixed.table.columns[: len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    assert set(mixed.table.get_column("status").unique()) >= {
        "met",
        "underperforming",
        "not_reported",
        "not_due",
        "shadow",
    }
    assert set(mixed.table.get_column("status").unique()) <= set(contractkit.STATUSES)
    assert mixed.to_polars().equals(mixed.table)
    frame = mixed.to_pandas()
    assert list(frame.columns) == mixed.table.columns
    assert len(frame) == mixed.table.height


def test_json_round_trip(mixed: Evaluation) -> None:
    text = mixed.to_json()
    assert isinstance(text, str)
    data = json.loads(text)
    assert data["format"] == "contractkit-evaluation"
    assert data["version"] == 2
    back = Evaluation.from_json(text)
    assert back.table.equals(mixed.table)
    assert back.table.schema == mixed.table.schema
    assert back.to_csv() == mixed.to_csv()
    assert back.account == mixed.account
    for row in mixed.table.select("service", "kpi", "period").iter_rows():
        assert back.explain(*row).text == mixed.explain(*row).text


def test_json_round_trip_keeps_the_rejected_rows() -> None:
    contract = make_contract([ON_TIME], [service("s1", ["on-time"])])
    data = returns(
        prop_row("s1", "on-time", "2026-04", 19, 20),
        prop_row("s1", "on-time", "2029-04", 19, 20),  # outside the term
        prop_row("s1", "on-time", "2026-05", 21, 20),  # numerator above denominator
    )
    evaluation = contractkit.evaluate(contract, data)
    back = Evaluation.from_json(evaluation.to_json() or "")
    columns = ["row", "reason", "message"]
    assert back.rejected.select(columns).equals(evaluation.rejected.select(columns))
    assert back.rejected.get_column("reason").to_list() == [
        "outside_term",
        "numerator_above_denominator",
    ]
    assert back.account == evaluation.account


def test_json_round_trip_through_a_file(mixed: Evaluation, tmp_path: Path) -> None:
    path = tmp_path / "evaluation.json"
    mixed.to_json(path)
    back = Evaluation.from_json(path)
    assert back.table.equals(mixed.table)


def test_json_is_strict_json(mixed: Evaluation) -> None:
    # NaN and Infinity are not JSON (RFC 8259): other tools' parsers reject them.
    def refuse(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    json.loads(mixed.to_json() or "", parse_constant=refuse)


def test_from_json_refuses_other_formats_and_versions(mixed: Evaluation) -> None:
    data = json.loads(mixed.to_json() or "")
    with pytest.raises(contractkit.RecordError, match="version 3 is not supported"):
        Evaluation.from_json(json.dumps({**data, "version": 3}))
    with pytest.raises(contractkit.RecordError, match="contractkit-evaluation"):
        Evaluation.from_json(json.dumps({**data, "format": "something-else"}))


def _damaged(record: str) -> list[tuple[str, str, str]]:
    """Damaged forms of a record: (name, text, what the message must say)."""
    data = json.loads(record)
    without_rows = {k: v for k, v in data.items() if k != "rows"}
    bad_cell = {**data, "rows": [{**data["rows"][0], "observed": "seventy"}, *data["rows"][1:]]}
    return [
        ("cut short", record[: len(record) // 2], "not JSON: "),
        ("a list", "[1, 2]", "the JSON is list, not an object"),
        ("a word", "null", "null: cannot read the evaluation record: No such file"),
        ("rows missing", json.dumps(without_rows), "its part 'rows' is missing"),
        (
            "a number as a row",
            json.dumps({**data, "rows": [5]}),
            "the evaluation record is damaged",
        ),
        ("text in a number column", json.dumps(bad_cell), "the evaluation record is damaged"),
        (
            "a 5,000-digit version",
            json.dumps({**data, "version": 1}).replace('"version": 1', '"version": ' + "9" * 5000),
            "not an evaluation record",
        ),
    ]


def test_a_damaged_record_is_a_record_error_saying_what_is_wrong(mixed: Evaluation) -> None:
    # Found by issue 9's second fuzzing run: JSONDecodeError, AttributeError, KeyError 'rows',
    # a polars ComputeError and Python's integer-digits limit each reached the user.
    for name, text, says in _damaged(mixed.to_json() or ""):
        with pytest.raises(contractkit.RecordError, match=re.escape(says)) as caught:
            Evaluation.from_json(text)
        assert len(str(caught.value)) < 500, name


def test_a_record_file_that_cannot_be_read_is_a_record_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(contractkit.RecordError, match=r"missing\.json: cannot read .*No such file"):
        Evaluation.from_json(tmp_path / "missing.json")
    with pytest.raises(contractkit.RecordError, match="Is a directory"):
        Evaluation.from_json(tmp_path)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"format": "caf\xe9"}')
    with pytest.raises(contractkit.RecordError, match=r"latin\.json: cannot read"):
        Evaluation.from_json(latin)
    with pytest.raises(contractkit.RecordError, match="not int"):
        Evaluation.from_json(5)  # type: ignore[arg-type]  # the mistake under test


RECORD_REFUSALS = (
    "not JSON: ",
    "not an evaluation record: ",
    "not a contractkit evaluation",
    "evaluation format version ",
    "the evaluation record is damaged: ",
)
"""How every refusal of a record given as text begins (Evaluation.from_json)."""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0), junk=st.text(max_size=20))
def test_any_text_is_an_evaluation_or_a_record_error(
    mixed: Evaluation, cut: int, junk: str
) -> None:
    record = mixed.to_json() or ""
    at = cut % (len(record) + 1)
    text = "{" + record[1:at] + junk + record[at:]
    try:
        back = Evaluation.from_json(text)
    except contractkit.RecordError as error:
        refusal = str(error)
    else:
        assert back.table.height == len(json.loads(text)["rows"])
        if text == record:
            assert back.table.equals(mixed.table)
        return
    assert refusal.startswith(RECORD_REFUSALS), refusal


def test_csv_and_parquet_hold_the_required_columns(mixed: Evaluation, tmp_path: Path) -> None:
    text = mixed.to_csv()
    assert isinstance(text, str)
    assert text.splitlines()[0].split(",")[: len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    mixed.to_csv(tmp_path / "e.csv")
    from_csv = pl.read_csv(tmp_path / "e.csv", infer_schema=False)
    assert from_csv.height == mixed.table.height
    mixed.to_parquet(tmp_path / "e.parquet")
    from_parquet = pl.read_parquet(tmp_path / "e.parquet")
    assert from_parquet.columns[: len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    assert from_parquet.equals(mixed.table)


# --- explanations ------------------------------------------------------------------------------

CONTRACT_YAML = """\
contractkit: 1
id: EXPLAIN-1
title: Explanations
commissioners:
  - id: QMF
    name: North East London ICB
term:
  start: 2026-04-01
  end: 2029-03-31
providers:
  - id: NLO01
    name: Riverside Community Care CIC
    type: social_enterprise
embedding:
  - stage: mobilisation
    months: 3
    mode: shadow
  - stage: embedding
    months: 9
  - stage: established
kpis:
  - id: ucr-2h
    name: Urgent community response within 2 hours
    measure: proportion
    numerator: Urgent referrals reached within 2 hours
    denominator: Urgent referrals received
    better: higher
    reported: quarterly
    assessed: quarterly
    threshold:
      embedding: 60%
      established: 70%
    clause: Schedule 4C LQR-01
services:
  - id: ucr-north
    provider: NLO01
    commences: 2026-07-01
    kpis: [ucr-2h]
escalation:
  - step: contract_performance_notice
    flagged: 2
    within: 2
  - step: contract_performance_notice
    alarms: 1
    within: 1
"""


@pytest.fixture(scope="module")
def explained(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    path = tmp_path_factory.mktemp("explain") / "contract.yaml"
    path.write_text(CONTRACT_YAML, encoding="utf-8")
    contract = contractkit.load(path)
    data = returns(
        prop_row("ucr-north", "ucr-2h", "2026/27 Q2", 26, 60),
        prop_row("ucr-north", "ucr-2h", "2026/27 Q3", 26, 60),
        prop_row("ucr-north", "ucr-2h", "2026/27 Q4", 20, 60),
    )
    return contractkit.evaluate(contract, data)


def yaml_line(text: str) -> int:
    return next(i for i, line in enumerate(CONTRACT_YAML.splitlines(), 1) if line.strip() == text)


def test_explain_names_stage_threshold_source_numbers_test_and_rule(
    explained: Evaluation,
) -> None:
    text = explained.explain("ucr-north", "ucr-2h", "2026/27 Q4").text
    # The stage, and why: commencement on 1 July 2026.
    assert "embedding" in text
    assert "1 July 2026" in text
    # The threshold and the line of the YAML it came from.
    assert "60.0%" in text
    assert f"contract.yaml:{yaml_line('embedding: 60%')}:" in text
    # The numbers: 20 of 60 = 33.3%.
    assert "20 of 60" in text
    assert "33.3%" in text
    # The test and its result: P(X ≤ 20 | 60, 0.6) = 1.6e-5, an alarm.
    p = sps.binom.cdf(20, 60, 0.6)
    assert p < 0.001
    assert "binomial" in text
    assert f"{p:.3g}" in text
    assert "alarm" in text
    # The escalation rule that fired: Q3 and Q4 flagged, two within two; Q4 an alarm.
    assert "contract performance notice" in text.lower()
    row = pick(explained, "ucr-north", "ucr-2h", "2026/27 Q4")
    assert row["escalation"] == CPN
    assert row["escalation_rule"] in text


def test_explain_a_shadow_period(explained: Evaluation) -> None:
    explanation = explained.explain("ucr-north", "ucr-2h", "2026/27 Q2")
    text = explanation.text
    assert "shadow" in text
    assert "mobilisation" in text
    assert "would be" in text
    # Shown against the embedding stage's threshold, from its line.
    assert f"contract.yaml:{yaml_line('embedding: 60%')}:" in text
    assert explanation.fields["status"] == "shadow"


def test_explain_gives_the_stage_dates_as_the_docs_do(explained: Evaluation) -> None:
    # docs/writing-a-contract.md: "A service that commences on 1 July 2026 with three months of
    # mobilisation is mobilising until 30 September 2026 and embedding from 1 October 2026."
    text = explained.explain("ucr-north", "ucr-2h", "2026/27 Q2").text
    assert "30 September 2026" in text


def test_explain_established_threshold_line(explained: Evaluation) -> None:
    contract = contractkit.load(CONTRACT_YAML)
    evaluation = contractkit.evaluate(
        contract,
        returns(prop_row("ucr-north", "ucr-2h", "2027/28 Q2", 60, 60)),
    )
    text = evaluation.explain("ucr-north", "ucr-2h", "2027/28 Q2").text
    assert "established" in text
    assert "70.0%" in text
    assert f":{yaml_line('established: 70%')}:" in text
    assert "met" in text


# --- properties --------------------------------------------------------------------------------

FAIR_KPIS = [
    UCR_2H,
    FIRST_CONTACT,
    FALLS,
    kpi("never-events", "count", 0, better="lower"),
]
FAIR_SERVICES = [
    service("ucr-north", ["ucr-2h", "never-events"], provider="NLO01", commences="2026-07-01"),
    service("ucr-south", ["ucr-2h", "first-contact", "never-events"], provider="RQX"),
    service("falls-east", ["falls"], provider="NQT10", commences="2026-10-01"),
    service("falls-befriending", ["falls"], provider="V4K", commences="2026-10-01"),
]


def random_returns(draw: st.DrawFn) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    quarters = ["2026/27 Q1", "2026/27 Q2", "2026/27 Q3", "2026/27 Q4"]
    for svc in ("ucr-north", "ucr-south"):
        for q in quarters[1:] if svc == "ucr-north" else quarters:
            n = draw(st.integers(0, 80))
            rows.append(prop_row(svc, "ucr-2h", q, draw(st.integers(0, n)), n))
        for m in months(
            "2026-07" if svc == "ucr-north" else "2026-04", 9 if svc == "ucr-north" else 12
        ):
            if draw(st.booleans()):
                rows.append(
                    {
                        "service": svc,
                        "kpi": "never-events",
                        "period": m,
                        "numerator": draw(st.integers(0, 2)),
                    }
                )
    for m in months("2026-04", 12):
        if draw(st.booleans()):
            rows.append(
                mean_row(
                    "ucr-south",
                    "first-contact",
                    m,
                    draw(st.floats(40, 140)),
                    draw(st.integers(2, 60)),
                    draw(st.floats(1, 40)),
                )
            )
    for svc in ("falls-east", "falls-befriending"):
        for q in ("2026/27 Q3", "2026/27 Q4"):
            exposure = draw(st.integers(0, 3000))
            rows.append(
                {
                    "service": svc,
                    "kpi": "falls",
                    "period": q,
                    "numerator": draw(st.integers(0, 60)),
                    "denominator": exposure,
                }
            )
    return returns(*rows)


@st.composite
def fairness_cases(draw: st.DrawFn) -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    data = random_returns(draw)
    mode = draw(st.sampled_from(["permute", "reassign"]))
    types = [p["type"] for p in PROVIDERS]
    if mode == "permute":
        new_types = draw(st.permutations(types))
    else:
        new_types = draw(st.lists(st.sampled_from(PROVIDER_TYPES), min_size=4, max_size=4))
    providers = [{**p, "type": t} for p, t in zip(PROVIDERS, new_types, strict=True)]
    return data, providers


FAIR_BASE = make_contract(FAIR_KPIS, FAIR_SERVICES, embedding=EMBEDDING, escalation=ESCALATION)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fairness_cases())
def test_provider_types_change_nothing(case: tuple[pl.DataFrame, list[dict[str, Any]]]) -> None:
    data, providers = case
    other = make_contract(
        FAIR_KPIS, FAIR_SERVICES, providers=providers, embedding=EMBEDDING, escalation=ESCALATION
    )
    assert [p.type.value for p in other.providers] == [p["type"] for p in providers]
    first = contractkit.evaluate(FAIR_BASE, data)
    second = contractkit.evaluate(other, data)
    assert first.to_csv() == second.to_csv()
    assert first.escalation().equals(second.escalation())
    assert first.services().equals(second.services())
    for row in first.table.select("service", "kpi", "period").head(20).iter_rows():
        assert first.explain(*row).text == second.explain(*row).text


RANK = {
    ("underperforming", "alarm"): 0,
    ("underperforming", "warning"): 1,
    ("within_variation", None): 2,
    ("met", None): 3,
}


@st.composite
def numerator_pairs(draw: st.DrawFn) -> tuple[int, int, int, str]:
    n = draw(st.integers(1, 400))
    low = draw(st.integers(0, n))
    high = draw(st.integers(low, n))
    percent = draw(st.integers(1, 999)) / 10
    return n, low, high, f"{percent:g}%"


@settings(max_examples=40, deadline=None)
@given(numerator_pairs())
def test_a_better_numerator_never_gives_a_worse_status(case: tuple[int, int, int, str]) -> None:
    n, low, high, threshold = case
    contract = make_contract(
        [kpi("p", "proportion", threshold)],
        [service("low", ["p"]), service("high", ["p"], provider="V4K")],
    )
    data = returns(
        prop_row("low", "p", "2026-04", low, n), prop_row("high", "p", "2026-04", high, n)
    )
    evaluation = contractkit.evaluate(contract, data)
    worse = pick(evaluation, "low", "p", "2026-04")
    better = pick(evaluation, "high", "p", "2026-04")
    assert RANK[(better["status"], better["level"])] >= RANK[(worse["status"], worse["level"])]
    # And each is the rule itself, with the threshold read exactly as written (99.9% is 0.999,
    # where 99.9 / 100 in floating point is 0.9990000000000001, which moves an exact tie).
    theta = float(Decimal(threshold.rstrip("%")) / 100)
    assert (worse["status"], worse["level"]) == expected_verdict(low, n, theta)


AGGREGATE_COLUMNS = [
    "service",
    "kpi",
    "period",
    "stage",
    "threshold",
    "numerator",
    "denominator",
    "observed",
    "ci_lower",
    "ci_upper",
    "p_value",
    "min_detectable_shortfall",
    "status",
    "level",
    "escalation",
]


@st.composite
def monthly_figures(draw: st.DrawFn) -> list[tuple[int, int, int, int]]:
    """Six months of (proportion numerator, denominator, rate events, exposure)."""
    out = []
    for _ in range(6):
        n = draw(st.integers(0, 60))
        out.append(
            (draw(st.integers(0, n)), n, draw(st.integers(0, 30)), draw(st.integers(1, 2000)))
        )
    return out


@settings(max_examples=20, deadline=None)
@given(monthly_figures())
def test_monthly_rows_and_quarterly_totals_give_the_same_verdict(
    figures: list[tuple[int, int, int, int]],
) -> None:
    def contract(reported: str) -> Contract:
        return make_contract(
            [
                kpi("p", "proportion", "80%", reported=reported, assessed="quarterly"),
                kpi(
                    "r",
                    "rate",
                    5,
                    better="lower",
                    per=1000,
                    reported=reported,
                    assessed="quarterly",
                ),
            ],
            [service("s1", ["p", "r"])],
            escalation=ESCALATION,
        )

    spans = months("2026-04", 6)
    monthly = returns(
        *(prop_row("s1", "p", m, f[0], f[1]) for m, f in zip(spans, figures, strict=True)),
        *(prop_row("s1", "r", m, f[2], f[3]) for m, f in zip(spans, figures, strict=True)),
    )
    totals = [[sum(f[i] for f in figures[q * 3 : q * 3 + 3]) for i in range(4)] for q in range(2)]
    quarterly = returns(
        *(
            row
            for q, t in zip(["2026/27 Q1", "2026/27 Q2"], totals, strict=True)
            for row in (prop_row("s1", "p", q, t[0], t[1]), prop_row("s1", "r", q, t[2], t[3]))
        )
    )
    by_month = contractkit.evaluate(contract("monthly"), monthly).table.select(AGGREGATE_COLUMNS)
    by_quarter = contractkit.evaluate(contract("quarterly"), quarterly).table.select(
        AGGREGATE_COLUMNS
    )
    assert by_month.equals(by_quarter)


# --- SPC icons per series ------------------------------------------------------------------


def test_spc_icons_come_from_each_series_latest_chart() -> None:
    # 14 months of a proportion with 100 cases a month: months 1-13 alternate 80 and 82 of 100,
    # the last is 95. Mean (7 × 0.80 + 6 × 0.82 + 0.95) / 14 = 0.8193; moving ranges twelve of
    # 0.02 and one of 0.13, mean 0.0285; limits 0.8193 ± 2.66 × 0.0285 = 0.7436 to 0.8950.
    # 0.95 is beyond the upper limit, an improvement (higher is better), so the variation icon
    # is improvement_high; the 50% threshold lies below the lower limit: assurance is pass.
    contract = make_contract([kpi("k", "proportion", "50%")], [service("s", ["k"])])
    seen = [80 if i % 2 == 0 else 82 for i in range(13)] + [95]
    rows = [prop_row("s", "k", m, x, 100) for m, x in zip(months("2026-04", 14), seen, strict=True)]
    # (On XmR charts, as Making Data Count draws them; chart="auto" takes a p-chart here.)
    evaluation = contractkit.evaluate(contract, returns(*rows), chart="xmr")
    icons = evaluation.spc_icons().row(0, named=True)
    assert icons == {
        "service": "s",
        "kpi": "k",
        "points": 14,
        "chart": "xmr",
        "variation": "improvement_high",
        "assurance": "pass",
        "target": 0.5,
        "compared": "≥ 50%",
    }
    # The same icons from the JSON form.
    again = contractkit.Evaluation.from_json(evaluation.to_json())
    assert again.spc_icons().equals(evaluation.spc_icons())


def test_spc_icons_start_again_after_a_gap_and_need_enough_points() -> None:
    # 14 months, but the fifth is missing: the latest chart is the 9 months after the gap, too
    # few for limits under the mdc profile (13), so it has no icons.
    contract = make_contract([kpi("k", "proportion", "50%")], [service("s", ["k"])])
    chosen = [m for i, m in enumerate(months("2026-04", 14)) if i != 4]
    evaluation = contractkit.evaluate(
        contract, returns(*(prop_row("s", "k", m, 80, 100) for m in chosen))
    )
    icons = evaluation.spc_icons().row(0, named=True)
    assert (icons["points"], icons["variation"], icons["assurance"]) == (9, None, None)


def test_dates_are_dates_and_a_stage_ends_on_its_last_day(staged: Evaluation) -> None:
    table = staged.to_polars()
    for column in ("commences", "stage_from", "stage_to"):
        assert table.schema[column] == pl.Date
    frame = staged.to_pandas()
    for column in ("commences", "stage_from", "stage_to"):
        assert str(frame[column].dtype).startswith("datetime64"), column
    # ucr-north's nine-month embedding stage, from 1 October 2026, ends on 30 June 2027: its
    # last day, as the explanation says.
    row = table.filter(pl.col("stage") == "embedding").row(0, named=True)
    assert (row["stage_from"], row["stage_to"]) == (date(2026, 10, 1), date(2027, 6, 30))
    text = staged.explain(row["service"], row["kpi"], row["period"]).text
    assert "runs from 1 October 2026 to 30 June 2027" in text


@given(
    keys=st.lists(st.integers(min_value=-(2**40), max_value=2**40), max_size=60),
    spread=st.sampled_from([1, 16, 2**40]),
)
def test_distinct_keys_are_numpy_uniques(keys: list[int], spread: int) -> None:
    # The table labels its periods through _distinct (one pass where the keys span a small
    # range, a sort where they do not): the same as np.unique, either way.
    from contractkit.evaluation._labels import distinct as _distinct

    array = np.array([k % spread for k in keys], dtype=np.int64)
    distinct, index = _distinct(array)
    want, want_index = np.unique(array, return_inverse=True)
    assert distinct.tolist() == want.tolist()
    assert index.tolist() == want_index.reshape(-1).tolist()
