"""Statements at their edges, worked by hand: means on a curve's edge, year-to-date KPIs,
consequences only where a period falls short, dates and times as periods, no returns, a pot of
nothing, and a provider with no lines yet. Each was once wrong."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from _support import REACH, check_identities, lines_of, make, nth_quarter, quarterly, service
from contractkit import statement
from contractkit._kernel.pence_sums import half_up, share_of

MEAN_WAIT = {
    "id": "wait",
    "name": "Mean wait",
    "measure": "mean",
    "unit": "minutes",
    "better": "lower",
    "reported": "quarterly",
    "assessed": "quarterly",
    "threshold": "120 minutes",
}


def _means(values: list[float], counts: list[int]) -> pl.DataFrame:
    size = len(values)
    return pl.DataFrame(
        {
            "service": ["a"] * size,
            "kpi": ["wait"] * size,
            "period": [nth_quarter(i) for i in range(size)],
            "value": values,
            "count": counts,
            "sd": [30.0] * size,
        }
    )


def _year_end(finance_curve: dict[str, object], values: list[float], counts: list[int]) -> Decimal:
    contract = make(
        {
            "payments": [{"service": "a", "fixed": "£2,400,000"}],
            "incentive": {"pot": "1.25%", "indicators": [{"kpi": "wait", **finance_curve}]},
        },
        [service("a", "PRV1", ["wait"])],
        kpis=(MEAN_WAIT,),
    )
    s = statement(contract, _means(values, counts), period="2026/27")
    check_identities(s)
    ((_, amount),) = lines_of(s, "a", "incentive_year_end")
    return amount


def test_a_mean_on_a_bands_edge_is_on_it() -> None:
    # (89.9 × 48 + 90.3 × 16 + 90 × 10 + 90 × 10) / 84 = 90 exactly: at most 90 pays it all.
    bands = [
        {"pays": "0%"},
        {"below": "120 minutes", "pays": "50%"},
        {"at_most": "90 minutes", "pays": "100%"},
    ]
    assert _year_end({"bands": bands}, [89.9, 90.3, 90.0, 90.0], [48, 16, 10, 10]) == 0


def test_a_mean_on_a_linear_curve_earns_its_exact_part() -> None:
    values, counts = [74.93, 80.31, 91.77, 70.13], [1003, 1101, 1207, 907]
    mean = sum(Fraction(str(v)) * n for v, n in zip(values, counts, strict=True)) / sum(counts)
    part = (120 - mean) / 60  # nothing at 120 minutes, all at 60
    earned = share_of(3_000_000, part)  # the £30,000 pot, in pence
    assert earned == 1_993_950
    curve = {"linear": {"zero_at": "120 minutes", "full_at": "60 minutes"}}
    assert _year_end(curve, values, counts) == Decimal(earned - 3_000_000) / 100


def test_half_up_is_exact_however_large_the_fraction() -> None:
    big = Fraction(123_456_789_012_345, 987_654_321_098_765)
    expected = (2 * 3_000_000 * big.numerator + big.denominator) // (2 * big.denominator)
    assert share_of(3_000_000, big) == expected
    assert half_up(np.array([3_000_000]), big.numerator, big.denominator).tolist() == [expected]
    assert half_up(np.array([250, 12_345]), 1, 50).tolist() == [5, 247]


YEAR_TO_DATE = {
    "id": "reach",
    "name": "Reached within 2 hours, year to date",
    "measure": "proportion",
    "better": "higher",
    "reported": "monthly",
    "assessed": "quarterly",
    "combine": "cumulative",
    "threshold": "70%",
}


def test_year_to_date_breaches_are_charged_once() -> None:
    contract = make(
        {
            "payments": [{"service": "a", "fixed": "£120,000"}],
            "consequences": [{"kpi": "reach", "per_breach": "£10"}],
        },
        [service("a", "PRV1", ["reach"])],
        kpis=(YEAR_TO_DATE,),
    )
    months = [f"2026-{m:02d}" for m in range(4, 10)]
    monthly = pl.DataFrame(
        {
            "service": ["a"] * 6,
            "kpi": ["reach"] * 6,
            "period": months,
            "numerator": [500, 500, 500, 700, 700, 700],
            "denominator": [1000] * 6,
        }
    )
    s = statement(contract, monthly, period="2026/27")
    # Q1: 1,500 of 3,000, 600 short of 2,100. Q2 to date: 3,600 of 6,000, 600 short of 4,200:
    # the same 600 breaches, already charged.
    assert lines_of(s, "a", "consequence") == [("2026-06", Decimal("6000.00"))]
    check_identities(s)


INCIDENTS = {
    "id": "incidents",
    "name": "Serious incidents",
    "measure": "count",
    "better": "lower",
    "reported": "quarterly",
    "assessed": "quarterly",
    "threshold": 2,
}


def test_a_sum_per_incident_is_charged_only_where_the_period_falls_short() -> None:
    contract = make(
        {
            "payments": [{"service": "a", "fixed": "£120,000"}],
            "consequences": [
                {"kpi": "incidents", "per_incident": "£1,000", "when": "below_threshold"}
            ],
        },
        [service("a", "PRV1", ["incidents"])],
        kpis=(INCIDENTS,),
    )
    s = statement(contract, quarterly("a", "incidents", [1, 2, 3, 0]), period="2026/27")
    # At most 2 incidents meets the threshold; Q3's 3 fall short, and all 3 are charged.
    assert lines_of(s, "a", "consequence") == [("2026-12", Decimal("3000.00"))]


def test_periods_written_as_dates_and_times_are_read(tmp_path: Path) -> None:
    monthly_reach = dict(REACH, reported="monthly")
    contract = make(
        {
            "payments": [{"service": "a", "variable": {"activity": "visit", "price": "£10"}}],
            "outcome_payments": {"rates": [{"outcome": "home", "price": "£100"}]},
        },
        [service("a", "PRV1", ["reach"])],
        kpis=(monthly_reach,),
    )
    stamps = [datetime(2026, 4, 1), datetime(2026, 5, 1), datetime(2026, 6, 1)]
    kpi_returns = pl.DataFrame(
        {
            "service": ["a"] * 3,
            "kpi": ["reach"] * 3,
            "period": stamps,
            "numerator": [70] * 3,
            "denominator": [100] * 3,
        }
    )
    path = tmp_path / "activity.parquet"
    pl.DataFrame(
        {"service": ["a"] * 3, "period": stamps, "activity": ["visit"] * 3, "count": [1, 2, 3]}
    ).write_parquet(path)
    outcome_claims = pl.DataFrame(
        {"service": ["a"], "person": ["p1"], "outcome": ["home"], "period": ["2026-05-01 00:00:00"]}
    )
    s = statement(
        contract, kpi_returns, activity=path, outcomes=outcome_claims, period="2026/27 Q1"
    )
    assert s.account["activity"]["accepted"] == 3
    assert s.account["outcomes"]["accepted"] == 1
    assert s.summary["earned"].pence == 16_000  # 6 visits at £10, and one outcome at £100


def test_returns_with_no_rows_are_a_clear_problem() -> None:
    contract = make(
        {"payments": [{"service": "a", "fixed": "£12,000"}]}, [service("a", "PRV1", ["reach"])]
    )
    with pytest.raises(ValueError, match="the returns have no rows"):
        statement(contract, quarterly("a", "reach", []), period="2026/27 Q1")


def test_a_pot_of_the_value_shared_by_fixed_payments_of_nothing_is_nothing() -> None:
    contract = make(
        {
            "value": "£1,000,000",
            "payments": [
                {"service": "a", "fixed": "£0", "variable": {"activity": "visit", "price": "£10"}}
            ],
            "incentive": {
                "pot": "1%",
                "of": "value",
                "indicators": [{"kpi": "reach", "linear": {"zero_at": "60%", "full_at": "80%"}}],
            },
        },
        [service("a", "PRV1", ["reach"])],
    )
    s = statement(contract, quarterly("a", "reach", [70], [100]), period="2026/27 Q1")
    assert {amount for _, amount in lines_of(s, "a", "incentive_advance")} == {Decimal("0.00")}


def test_a_provider_with_no_lines_yet_is_explained() -> None:
    contract = make(
        {"payments": [{"service": "a", "fixed": "£12,000"}, {"service": "b", "fixed": "£12,000"}]},
        [service("a", "PRV1", ["reach"]), service("b", "PRV2", ["reach"], commences="2027-01-01")],
    )
    s = statement(contract, quarterly("a", "reach", [70] * 2, [100] * 2), period="2026/27 Q1")
    text = str(s.explain(provider="PRV2"))
    assert "is due £0.00" in text
    assert "£0.00 is payable" in text
