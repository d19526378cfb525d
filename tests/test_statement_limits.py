"""Statements at the limits of money: every sum and product exact or refused, never wrapped round
in 64 bits. Each case was once a silently wrong figure or a crash."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest

import contractkit
from _support import (
    NEVER,
    REACH,
    activity,
    check_identities,
    make,
    one_line,
    quarterly,
    returns,
    service,
)
from contractkit import MoneyError, SpecError, statement
from contractkit.payments import ACTIVITY_REASONS

VISITS = {"payments": [{"service": "a", "variable": {"activity": "visit", "price": "£85"}}]}
ONE_QUARTER = returns(quarterly("a", "reach", [900], [1000]))


def test_an_activity_count_whose_payment_passes_the_largest_amount_is_rejected() -> None:
    """10^16 visits at £85 earned −£72,337,203,685,477,580.80 (wrapped round in 64 bits). The
    row is now rejected, with its count in the message, and the month is paid nothing (and
    found to have no activity), like any other row that cannot be used."""
    contract = make(VISITS, [service("a", "PAA", ["reach"])])
    rows = activity([("a", "2026-04", 10**16), ("a", "2026-05", 3)])
    result = statement(contract, ONE_QUARTER, activity=rows, period="2026/27 Q1")
    check_identities(result)
    assert "beyond_maximum" in ACTIVITY_REASONS
    assert result.account["activity"]["rejected_by_reason"] == {"beyond_maximum": 1}
    message = result.rejected.get_column("message").item()
    assert "10000000000000000" in message
    assert "£85.00" in message
    assert "£9,999,999,999,999.99" in message
    assert one_line(result, "a", "2026-05", "variable")["amount"] == Decimal("255.00")
    assert result.summary["earned"].pence == 25_500
    assert "no_activity" in result.findings.get_column("code").to_list()


def test_a_count_paid_exactly_the_largest_amount_is_paid() -> None:
    contract = make(
        {"payments": [{"service": "a", "variable": {"activity": "visit", "price": "£0.03"}}]},
        [service("a", "PAA", ["reach"])],
    )
    most = 999_999_999_999_999 // 3  # 333,333,333,333,333 visits at 3p: £9,999,999,999,999.99
    rows = activity([("a", "2026-04", most), ("a", "2026-05", most + 1)])
    result = statement(contract, ONE_QUARTER, activity=rows, period="2026/27 Q1")
    check_identities(result)
    assert one_line(result, "a", "2026-04", "variable")["amount"] == Decimal("9999999999999.99")
    assert result.account["activity"]["rejected_by_reason"] == {"beyond_maximum": 1}


def test_a_rate_below_a_whole_price_allows_more_activity() -> None:
    """The bound is on what the row is paid: count × price × rate, rounded half-up once. At 3p
    and 50%, 666,666,666,666,666 visits are paid £9,999,999,999,999.99; one more would be
    £10,000,000,000,000.005, rounded up past the largest amount."""
    contract = make(
        {
            "payments": [
                {"service": "a", "variable": {"activity": "visit", "price": "£0.03", "rate": "50%"}}
            ]
        },
        [service("a", "PAA", ["reach"])],
    )
    rows = activity([("a", "2026-04", 666_666_666_666_666), ("a", "2026-05", 666_666_666_666_667)])
    result = statement(contract, ONE_QUARTER, activity=rows, period="2026/27 Q1")
    check_identities(result)
    assert one_line(result, "a", "2026-04", "variable")["amount"] == Decimal("9999999999999.99")
    assert result.account["activity"]["rejected_by_reason"] == {"beyond_maximum": 1}
    assert "visit × £0.03 at 50%" in result.rejected.get_column("message").item()


def test_a_providers_total_beyond_the_largest_amount_is_refused_by_name() -> None:
    contract = make(
        {
            "payments": [
                {"service": "a", "fixed": "£9,000,000,000,000"},
                {"service": "b", "fixed": "£9,000,000,000,000"},
            ]
        },
        [service("a", "PAA", ["reach"]), service("b", "PAA", ["reach"])],
    )
    frames = returns(
        quarterly("a", "reach", [900] * 4, [1000] * 4),
        quarterly("b", "reach", [900] * 4, [1000] * 4),
    )
    with pytest.raises(MoneyError) as caught:
        statement(contract, frames, period="2026/27")
    message = str(caught.value)
    assert "PAA" in message
    assert "due" in message
    assert "£18,000,000,000,000.00" in message
    assert "£9,999,999,999,999.99" in message
    # Each alone is within it.
    assert statement(contract, frames, period="2026/27 Q1").summary["due"].pence == (
        2 * 225_000_000_000_000
    )


def test_a_consequence_beyond_the_largest_amount_is_refused_by_name() -> None:
    contract = make(
        {
            "payments": [{"service": "a", "fixed": "£12,000"}],
            "consequences": [{"kpi": "never", "per_incident": "£5,000,000,000,000"}],
        },
        [service("a", "PAA", ["never"])],
        kpis=(NEVER,),
    )
    with pytest.raises(MoneyError) as caught:
        statement(contract, returns(quarterly("a", "never", [3])), period="2026/27 Q1")
    message = str(caught.value)
    for part in ("never", "2026/27 Q1", "a", "3 incidents", "£5,000,000,000,000.00"):
        assert part in message, part


def test_breaches_beyond_a_fine_threshold_are_counted_exactly() -> None:
    """A threshold of 95.23809523809523% is 9523809523809523 / 10^16: times 1,000 referrals it
    passes 64 bits, and the 52 excess breaches were wrapped round to none."""
    kpi = dict(REACH, threshold="95.23809523809523%")
    contract = make(
        {
            "payments": [{"service": "a", "fixed": "£12,000"}],
            "consequences": [{"kpi": "reach", "per_breach": "£10", "when": "below_threshold"}],
        },
        [service("a", "PAA", ["reach"])],
        kpis=(kpi,),
    )
    result = statement(contract, ONE_QUARTER, period="2026/27 Q1")
    check_identities(result)
    # floor(0.9523809523809523 × 1,000) − 900 = 952 − 900 = 52 breaches
    row = one_line(result, "a", "2026-06", "consequence")
    assert (row["quantity"], row["amount"]) == (52, Decimal("520.00"))


def test_withholding_at_a_fine_rate_on_a_large_value_is_exact() -> None:
    """2 × value × numerator passed 64 bits for a rate of 12.3456789% on £750bn a month."""
    contract = make(
        {
            "payments": [{"service": "a", "fixed": "£9,000,000,000,000"}],
            "withholding": [{"step": "notice", "rate": "12.3456789%"}],
        },
        [service("a", "PAA", ["reach"])],
        escalation=({"step": "notice", "flagged": 1, "within": 1},),
    )
    frames = quarterly("a", "reach", [500, 900], [1000, 1000])
    result = statement(contract, frames, period="2026/27 Q2")
    check_identities(result)
    value = 75_000_000_000_000  # £750,000,000,000 a month, in pence
    rate = Fraction(123456789, 10**9)
    withheld = (2 * value * rate.numerator + rate.denominator) // (2 * rate.denominator)
    row = one_line(result, "a", "2026-07", "withheld")
    assert row["amount"] == Decimal(withheld) / 100
    assert withheld == 9_259_259_175_000


def test_outcome_claims_beyond_the_largest_amount_are_refused_by_name() -> None:
    contract = make(
        {
            "payments": [{"service": "a", "fixed": "£12,000"}],
            "outcome_payments": {"rates": [{"outcome": "job", "price": "£6,000,000,000,000"}]},
        },
        [service("a", "PAA", ["reach"])],
    )
    claims = pl.DataFrame(
        {
            "service": ["a", "a"],
            "person": ["p1", "p2"],
            "outcome": ["job", "job"],
            "period": ["2026-04", "2026-04"],
        }
    )
    with pytest.raises(MoneyError) as caught:
        statement(contract, ONE_QUARTER, outcomes=claims, period="2026/27 Q1")
    assert "service a's job claims for 2026-04 (at their prices), £12,000,000,000,000.00," in str(
        caught.value
    )


def test_a_months_value_beyond_the_largest_amount_is_refused_by_name() -> None:
    contract = make(
        {
            "payments": [
                {
                    "service": "a",
                    "fixed": "£9,000,000,000,000",
                    "variable": {"activity": "visit", "price": "£9,900,000,000,000"},
                }
            ]
        },
        [service("a", "PAA", ["reach"])],
    )
    with pytest.raises(MoneyError) as caught:
        statement(
            contract, ONE_QUARTER, activity=activity([("a", "2026-05", 1)]), period="2026/27 Q1"
        )
    assert "service a's value for 2026-05 (its fixed and variable payments), " in str(caught.value)
    assert "£10,650,000,000,000.00" in str(caught.value)


UCR = Path(__file__).resolve().parent.parent / "examples" / "urgent-community-response"


@pytest.mark.parametrize("written", ["100000000000000000", "1e30", '"£99,999,999,999,999,999"'])
def test_a_fixed_payment_beyond_the_largest_amount_is_refused_where_it_is(written: str) -> None:
    """validate accepted a fixed payment of 10^17 pounds, and the statement then crashed."""
    text = (UCR / "contract.yaml").read_text(encoding="utf-8")
    line = text.splitlines().index("      fixed: £2,400,000") + 1
    with pytest.raises(SpecError) as caught:
        contractkit.load(text.replace("fixed: £2,400,000", f"fixed: {written}"))
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.path) == (line, 14, "finance.payments[0].fixed")
    if written == "1e30":  # refused where the YAML is read, beyond any number a contract holds
        assert "larger than any figure a contract holds" in problem.message
    else:
        assert "beyond the largest amount" in problem.message
        assert "£9,999,999,999,999.99" in problem.message
