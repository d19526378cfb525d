"""Payment statements worked by hand, to the penny: fixed instalments, variable pay and its
payment limit, the incentive pot and its year-end reconciliation on linear and banded curves,
consequences, withholding (withheld, repaid, retained, held), outcome payments and their caps,
every activity and claim row accounted for, the statement explained in words, and its outputs.

Every statement built here is also checked against the identities a statement must keep
(:func:`check_identities`)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import contractkit
from contractkit import ArgumentError, Contract, Money
from contractkit.money import split_pence
from contractkit.payments import (
    ACTIVITY_REASONS,
    CATEGORIES,
    CLAIM_REASONS,
    ELEMENTS,
    STATEMENT_FINDINGS,
    Statement,
    statement,
)

ROOT = Path(__file__).resolve().parent.parent
UCR = ROOT / "examples" / "urgent-community-response"

D = Decimal

# --- building contracts and returns -----------------------------------------------------------

REACH = {
    "id": "reach",
    "name": "Urgent referrals reached within 2 hours",
    "measure": "proportion",
    "better": "higher",
    "reported": "quarterly",
    "assessed": "quarterly",
    "threshold": "70%",
}
REVIEW = {
    "id": "review",
    "name": "Care plans reviewed",
    "measure": "proportion",
    "better": "higher",
    "reported": "quarterly",
    "assessed": "quarterly",
    "threshold": "10%",
}
NEVER = {
    "id": "never",
    "name": "Never events",
    "measure": "count",
    "better": "lower",
    "reported": "quarterly",
    "assessed": "quarterly",
    "threshold": 0,
}
LINEAR = {"zero_at": "60%", "full_at": "80%"}
BANDS = [
    {"pays": "0%"},
    {"above": "50%", "pays": "25%"},
    {"at_least": "60%", "pays": "50%"},
    {"at_least": "65%", "pays": "75%"},
    {"at_least": "70%", "pays": "100%"},
]
"""The issue's bands: 50% or less earns nothing, above 50% a quarter, 60% or more a half, 65%
or more three quarters, 70% or more the whole share."""

_TYPES = ("nhs_trust", "vcse", "independent_sector", "social_enterprise")


def make(
    finance: dict[str, Any],
    services: list[dict[str, Any]],
    *,
    kpis: tuple[dict[str, Any], ...] = (REACH,),
    escalation: tuple[dict[str, Any], ...] = (),
) -> Contract:
    """A two-year contract (2026/27 and 2027/28) with no embedding stages (every period is
    assessed), a provider per service (its id is the service's ``provider``)."""
    providers = sorted({s["provider"] for s in services})
    data: dict[str, Any] = {
        "id": "TEST-1",
        "title": "A small contract",
        "commissioners": [{"id": "ICB", "name": "The ICB"}],
        "term": {"start": "2026-04-01", "end": "2028-03-31"},
        "providers": [
            {"id": p, "name": f"Provider {p}", "type": _TYPES[i % len(_TYPES)]}
            for i, p in enumerate(providers)
        ],
        "kpis": list(kpis),
        "services": services,
        "escalation": list(escalation),
        "finance": finance,
    }
    contract = contractkit.load(data)
    assert isinstance(contract, Contract)
    return contract


def service(sid: str, provider: str, kpis: list[str], commences: str = "2026-04-01") -> dict:
    return {"id": sid, "provider": provider, "commences": commences, "kpis": kpis}


def quarter(index: int) -> str:
    """The index-th quarter from 2026/27 Q1 (0)."""
    year, q = 2026 + index // 4, index % 4 + 1
    return f"{year}/{(year + 1) % 100:02d} Q{q}"


def quarterly(
    svc: str,
    kpi: str,
    numerators: list[int],
    denominators: list[int] | None = None,
    *,
    first: int = 0,
) -> pl.DataFrame:
    """One return a quarter from the ``first``-th quarter (0: 2026/27 Q1)."""
    size = len(numerators)
    return pl.DataFrame(
        {
            "service": [svc] * size,
            "kpi": [kpi] * size,
            "period": [quarter(first + i) for i in range(size)],
            "numerator": numerators,
            "denominator": denominators if denominators is not None else [None] * size,
        },
        schema={
            "service": pl.String,
            "kpi": pl.String,
            "period": pl.String,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
        },
    )


def returns(*frames: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(frames)


def activity(rows: list[tuple[str, str, int]], name: str = "visit") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "service": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "activity": [name] * len(rows),
            "count": [r[2] for r in rows],
        }
    )


def claims(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "service": [r[0] for r in rows],
            "person": [r[1] for r in rows],
            "outcome": [r[2] for r in rows],
            "period": [r[3] for r in rows],
        }
    )


# --- reading a statement ----------------------------------------------------------------------


def lines_of(s: Statement, svc: str, element: str) -> list[tuple[str, Decimal]]:
    """(month, amount) of a service's lines of one element, in order."""
    found = s.lines.filter((pl.col("service") == svc) & (pl.col("element") == element))
    return [(m, a) for m, a in found.select("month", "amount").rows()]


def by_month(s: Statement, svc: str, element: str) -> dict[str, Decimal]:
    found = lines_of(s, svc, element)
    months = [m for m, _ in found]
    assert len(set(months)) == len(months), f"{svc} has two {element} lines in a month"
    return dict(found)


def one_line(s: Statement, svc: str, month: str, element: str) -> dict[str, Any]:
    found = s.lines.filter(
        (pl.col("service") == svc) & (pl.col("month") == month) & (pl.col("element") == element)
    )
    assert found.height == 1, found
    return found.row(0, named=True)


def figures(s: Statement, provider: str) -> dict[str, Any]:
    return s.providers.filter(pl.col("provider") == provider).row(0, named=True)


def months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while True:
        text = f"{y}-{m:02d}"
        out.append(text)
        if text == last:
            return out
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _sum(frame: pl.DataFrame, column: str) -> Decimal:
    return D(frame.get_column(column).sum()) if frame.height else D(0)


def check_identities(s: Statement) -> None:
    """What every statement keeps, whatever its figures."""
    lines, summary = s.lines, s.summary
    # each line counts in its element's column, and its payable follows from its category
    for row in lines.iter_rows(named=True):
        assert row["category"] == ELEMENTS[row["element"]]
        sign = {"deducted": -1, "withheld": -1, "retained": 0}.get(row["category"], 1)
        assert row["payable"] == sign * row["amount"], row
        assert summary["from"] <= row["month"] <= summary["to"]
    # per provider: each column is its lines', and payable = due + earned - deducted - withheld
    # + repaid
    for row in s.providers.iter_rows(named=True):
        mine = lines.filter(pl.col("provider") == row["provider"])
        for category in CATEGORIES:
            assert row[category] == _sum(mine.filter(pl.col("category") == category), "amount")
        assert row["payable"] == (
            row["due"] + row["earned"] - row["deducted"] - row["withheld"] + row["repaid"]
        )
        assert row["payable"] == _sum(mine, "payable")
    # the summary is the providers' sum, and the lines'
    for figure in (*CATEGORIES, "payable", "held"):
        assert summary[figure] == Money(_sum(s.providers, figure)), figure
    assert summary["payable"] == Money(_sum(lines, "payable"))
    assert summary["payable"].amount == (
        summary["due"].amount
        + summary["earned"].amount
        - summary["deducted"].amount
        - summary["withheld"].amount
        + summary["repaid"].amount
    )
    # the withholding ledger: what was withheld is repaid, retained or still held
    ledger = s.withholding
    if ledger.height:
        assert set(ledger.get_column("outcome").to_list()) <= {"held", "repaid", "retained"}
        assert (ledger.get_column("withheld") > 0).all()
        settled = ledger.filter(pl.col("outcome") != "held")
        assert settled.get_column("settled").is_not_null().all()
        assert (settled.get_column("settled") > settled.get_column("month")).all()
        assert ledger.filter(pl.col("outcome") == "held").get_column("settled").is_null().all()
        in_period = pl.col("month").is_between(pl.lit(summary["from"]), pl.lit(summary["to"]))
        settled_in = pl.col("settled").is_between(pl.lit(summary["from"]), pl.lit(summary["to"]))
        assert summary["withheld"] == Money(_sum(ledger.filter(in_period), "withheld"))
        for outcome in ("repaid", "retained"):
            rows = ledger.filter((pl.col("outcome") == outcome) & settled_in)
            assert summary[outcome] == Money(_sum(rows, "withheld")), outcome
        assert summary["held"] == Money(
            _sum(ledger.filter(pl.col("outcome") == "held"), "withheld")
        )
        assert _sum(ledger, "withheld") == sum(
            (
                _sum(ledger.filter(pl.col("outcome") == o), "withheld")
                for o in ("repaid", "retained", "held")
            ),
            D(0),
        )
    else:
        assert summary["withheld"] == summary["repaid"] == summary["retained"] == Money("0")
        assert summary["held"] == Money("0")
    # findings are known codes; every activity and claim row is accounted for
    assert set(s.findings.get_column("code").to_list()) <= set(STATEMENT_FINDINGS)
    a = s.account
    assert a["read"] == a["accepted"] + a["rejected"] + a["excluded"]
    assert a["rejected"] == s.rejected.height
    for name in ("activity", "outcomes"):
        if name in a:
            part = a[name]
            assert part["read"] == part["accepted"] + part["rejected"] + part["excluded"]
            assert sum(part["rejected_by_reason"].values()) == part["rejected"]
            assert s.rejected.filter(pl.col("file") == name).height == part["rejected"]


def run(contract: Contract, frame: Any, **options: Any) -> Statement:
    result = statement(contract, frame, **options)
    check_identities(result)
    return result


# === fixed and variable payments ===============================================================

PAY = make(
    {
        "payments": [
            {"service": "s-f", "fixed": "£100,000"},
            {"service": "s-m", "fixed": "£100,000"},
            {
                "service": "s-v",
                "variable": {
                    "activity": "visit",
                    "price": "£12.35",
                    "rate": "85%",
                    "limit": "£100",
                },
            },
        ]
    },
    [
        service("s-f", "PAA", ["reach"]),
        service("s-m", "PMM", ["reach"], commences="2026-07-15"),  # commences mid-month
        service("s-v", "PVV", ["reach"], commences="2026-07-15"),
    ],
)
PAY_RETURNS = returns(
    quarterly("s-f", "reach", [900] * 5, [1000] * 5),
    quarterly("s-m", "reach", [900] * 4, [1000] * 4, first=1),
    quarterly("s-v", "reach", [900] * 4, [1000] * 4, first=1),
)  # to 2027/28 Q1: the returns reach 2027-06
PAY_ACTIVITY = activity(
    [("s-v", "2026-07", 7), ("s-v", "2026-08", 7), ("s-v", "2026-09", 20), ("s-v", "2027-04", 6)]
)


@pytest.fixture(scope="module")
def pay_year() -> Statement:
    return run(PAY, PAY_RETURNS, activity=PAY_ACTIVITY, period="2026/27")


def test_the_odd_pennies_of_a_fixed_payment_go_to_the_first_months(pay_year: Statement) -> None:
    # £100,000.00 is 10,000,000p: 833,333⅓p a month. Twelve floors of 833,333p leave 4p; the
    # remainders are all equal, and so are the weights, so the tie-break is the position:
    # April, May, June and July get the odd penny.
    assert split_pence(10_000_000, [1] * 12) == [833_334] * 4 + [833_333] * 8
    expected = {m: D("8333.34") for m in months("2026-04", "2026-07")} | {
        m: D("8333.33") for m in months("2026-08", "2027-03")
    }
    assert by_month(pay_year, "s-f", "fixed") == expected
    assert sum(expected.values()) == D("100000.00")
    assert figures(pay_year, "PAA")["due"] == D("100000.00")
    assert figures(pay_year, "PAA")["payable"] == D("100000.00")
    basis = one_line(pay_year, "s-f", "2026-04", "fixed")["basis"]
    assert basis == "£100,000.00 a year, paid in twelve monthly instalments"


def test_a_service_commencing_mid_year_is_paid_from_its_commencement_month(
    pay_year: Statement,
) -> None:
    # s-m commences on 15 July: July's instalment (one of the four with the odd penny) and the
    # eight after it; nothing for April to June.
    paid = by_month(pay_year, "s-m", "fixed")
    assert list(paid) == months("2026-07", "2027-03")
    assert paid["2026-07"] == D("8333.34")
    assert set(list(paid.values())[1:]) == {D("8333.33")}
    assert figures(pay_year, "PMM")["due"] == D("74999.98")  # £8,333.34 + 8 × £8,333.33


def test_a_variable_payment_is_rounded_half_up_once(pay_year: Statement) -> None:
    # 7 × £12.35 × 85% = £73.4825: £73.48 (rounding the unit price first would give 7 × £10.50)
    july = one_line(pay_year, "s-v", "2026-07", "variable")
    assert july["amount"] == D("73.48")
    assert july["quantity"] == 7
    assert july["reference"] == "visit"
    assert july["category"] == "earned"
    assert july["basis"] == "7 visit × £12.35 at 85%"
    # the next year: 6 × £12.35 × 85% = £62.985, half a penny: up to £62.99 (not to even)
    next_year = run(PAY, PAY_RETURNS, activity=PAY_ACTIVITY, period="2027/28 Q1")
    april = one_line(next_year, "s-v", "2027-04", "variable")
    assert april["amount"] == D("62.99")
    assert "payment limit" not in april["basis"]  # the limit is for each financial year


def test_the_payment_limit_is_reached_part_way_through_a_month(pay_year: Statement) -> None:
    # July £73.48; August's 7 visits are worth £73.48 too, but only £26.52 is left under the
    # £100 limit: £46.96 is not paid. September's £209.95 (20 × £12.35 × 85%) is not paid.
    paid = by_month(pay_year, "s-v", "variable")
    assert paid["2026-07"] == D("73.48")
    assert paid["2026-08"] == D("26.52")
    assert paid["2026-09"] == D("0.00")
    assert sum(paid.values()) == D("100.00")
    august = one_line(pay_year, "s-v", "2026-08", "variable")
    assert august["basis"] == (
        "7 visit × £12.35 at 85%; £46.96 above the payment limit of £100.00 for the year is not "
        "paid"
    )
    assert one_line(pay_year, "s-v", "2026-09", "variable")["basis"].endswith(
        "£209.95 above the payment limit of £100.00 for the year is not paid"
    )
    limit = pay_year.findings.filter(pl.col("code") == "payment_limit_reached")
    assert limit.height == 1  # August and September, as one finding
    row = limit.row(0, named=True)
    assert (row["provider"], row["service"], row["month"]) == ("PVV", "s-v", "2026-09")
    assert row["amount"] == D("256.91")  # £46.96 + £209.95
    assert "(2026-08, 2026-09)" in row["message"]
    # no activity was reported for October to March: nothing is paid, and it is found
    quiet = pay_year.findings.filter(pl.col("code") == "no_activity")
    assert quiet.get_column("service").to_list() == ["s-v"]
    assert "for 6 months (2026-10 to 2027-03)" in quiet.item(0, "message")
    assert figures(pay_year, "PVV")["earned"] == D("100.00")


def test_a_statement_for_a_quarter_or_a_month_shows_only_its_lines(pay_year: Statement) -> None:
    q3 = run(PAY, PAY_RETURNS, activity=PAY_ACTIVITY, period="2026/27 Q3")
    assert (q3.summary["period"], q3.summary["from"], q3.summary["to"]) == (
        "2026/27 Q3",
        "2026-10",
        "2026-12",
    )
    assert set(q3.lines.get_column("month").to_list()) == {"2026-10", "2026-11", "2026-12"}
    assert figures(q3, "PAA")["due"] == D("24999.99")  # 3 × £8,333.33
    august = run(PAY, PAY_RETURNS, activity=PAY_ACTIVITY, period="2026-08")
    assert august.lines.get_column("month").unique().to_list() == ["2026-08"]
    assert by_month(august, "s-v", "variable") == {"2026-08": D("26.52")}  # the limit: the year
    # the lines of a period are the same lines as the year's
    year_q3 = pay_year.lines.filter(
        pl.col("month").is_between(pl.lit("2026-10"), pl.lit("2026-12"))
    )
    assert q3.lines.equals(year_q3)


def test_a_period_given_as_a_period(pay_year: Statement) -> None:
    from contractkit import FinancialYear, Quarter

    year = statement(PAY, PAY_RETURNS, activity=PAY_ACTIVITY, period=FinancialYear(2026))
    assert year.lines.equals(pay_year.lines)
    q4 = statement(PAY, PAY_RETURNS, activity=PAY_ACTIVITY, period=Quarter(2026, 4))
    assert (q4.summary["period"], q4.summary["from"], q4.summary["to"]) == (
        "2026/27 Q4",
        "2027-01",
        "2027-03",
    )


def test_the_default_period_and_periods_not_covered() -> None:
    default = statement(PAY, PAY_RETURNS)
    assert default.summary["period"] == "2027/28"  # the year of the last month returned
    assert (default.summary["from"], default.summary["to"]) == ("2027-04", "2027-06")
    with pytest.raises(ValueError, match=r"no returns cover 2027/28 Q2: the returns reach 2027-06"):
        statement(PAY, PAY_RETURNS, period="2027/28 Q2")
    with pytest.raises(ValueError, match=r"2025/26 is outside the contract's term"):
        statement(PAY, PAY_RETURNS, period="2025/26")


def test_an_evaluation_already_made_gives_the_same_statement(pay_year: Statement) -> None:
    evaluation = contractkit.evaluate(PAY, PAY_RETURNS)
    again = statement(PAY, evaluation, activity=PAY_ACTIVITY, period="2026/27")
    assert again.evaluation is evaluation
    for name in Statement.TABLES:
        assert again.tables[name].equals(pay_year.tables[name]), name


def test_a_contract_without_a_finance_section_is_refused() -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    assert isinstance(contract, Contract)
    bare = contract.model_copy(update={"finance": None})
    with pytest.raises(ValueError, match="has no finance section: add 'finance:'"):
        statement(bare, UCR / "returns.csv")


# === the incentive scheme ======================================================================


def incentive_contract(indicators: list[dict[str, Any]], kpis: tuple[dict, ...]) -> Contract:
    return make(
        {
            "payments": [
                {"service": "s-a", "fixed": "£100,000"},
                {"service": "s-b", "fixed": "£100,000"},
            ],
            "incentive": {"pot": "1.25%", "of": "fixed", "indicators": indicators},
        },
        [
            service("s-a", "PAA", [k["id"] for k in kpis]),
            service("s-b", "PBB", ["reach"], commences="2026-07-15"),
        ],
        kpis=kpis,
    )


INCENTIVE = incentive_contract(
    [{"kpi": "reach", "linear": LINEAR}, {"kpi": "review", "bands": BANDS}], (REACH, REVIEW)
)
INCENTIVE_RETURNS = returns(
    quarterly("s-a", "reach", [500, 800, 800, 800], [1000] * 4),  # 2,900 of 4,000: 72.5%
    quarterly("s-a", "review", [600, 600, 600, 601], [1000] * 4),  # 2,401 of 4,000: 60.025%
    quarterly("s-b", "reach", [800, 800, 800], [1000] * 3, first=1),  # 80%
)


@pytest.fixture(scope="module")
def incentive_year() -> Statement:
    return run(INCENTIVE, INCENTIVE_RETURNS, period="2026/27")


def test_the_pot_is_paid_in_advance_in_twelve_instalments(incentive_year: Statement) -> None:
    # 1.25% of £100,000 is £1,250.00: 125,000p, 10,416⅔p a month; 8 odd pennies, to April to
    # November.
    advance = by_month(incentive_year, "s-a", "incentive_advance")
    assert advance == {m: D("104.17") for m in months("2026-04", "2026-11")} | {
        m: D("104.16") for m in months("2026-12", "2027-03")
    }
    assert sum(advance.values()) == D("1250.00")
    assert one_line(incentive_year, "s-a", "2026-04", "incentive_advance")["category"] == "due"
    # s-b commences in July: advanced for July to March only (5 × £104.17 + 4 × £104.16)
    assert sum(by_month(incentive_year, "s-b", "incentive_advance").values()) == D("937.49")


def test_the_year_end_earned_against_advanced(incentive_year: Statement) -> None:
    # s-a's £1,250.00 is shared by its two indicators: £625.00 each.
    # reach: 2,900/4,000 = 72.5% on {zero_at 60%, full_at 80%} earns 62.5%: £390.625 → £390.63.
    # review: 2,401/4,000 = 60.025%: the band from 60% pays 50%: £312.50.
    # Earned £703.13 of £1,250.00 advanced: £546.87 comes back at the year end (March).
    year_end = one_line(incentive_year, "s-a", "2027-03", "incentive_year_end")
    assert year_end["amount"] == D("-546.87")
    assert year_end["payable"] == D("-546.87")
    assert year_end["category"] == "earned"
    assert year_end["reference"] == "2026/27"
    assert year_end["basis"] == (
        "2026/27 reconciled: £1,250.00 advanced, £703.13 earned (reach: 72.50% earns 62.50% of "
        "£625.00 = £390.63; review: 60.02% earns 50.00% of £625.00 = £312.50)"
    )
    # s-b reached 80%: it keeps all it was advanced
    assert by_month(incentive_year, "s-b", "incentive_year_end") == {"2027-03": D("0.00")}
    paa = figures(incentive_year, "PAA")
    assert (paa["due"], paa["earned"]) == (D("101250.00"), D("-546.87"))
    assert paa["payable"] == D("100703.13")


def test_no_year_end_before_the_year_has_ended() -> None:
    q3 = run(INCENTIVE, INCENTIVE_RETURNS.filter(pl.col("period") != "2026/27 Q4"))
    assert q3.summary["to"] == "2026-12"
    assert q3.lines.filter(pl.col("element") == "incentive_year_end").height == 0


def test_an_indicator_not_reported_earns_nothing(incentive_year: Statement) -> None:
    # s-a's review return for Q3 is missing: review earns nothing; reach still earns £390.63
    missing = INCENTIVE_RETURNS.filter(
        ~((pl.col("kpi") == "review") & (pl.col("period") == "2026/27 Q3"))
    )
    result = run(INCENTIVE, missing, period="2026/27")
    year_end = one_line(result, "s-a", "2027-03", "incentive_year_end")
    assert year_end["amount"] == D("390.63") - D("1250.00")
    assert "review: not reported: earns nothing of £625.00 = £0.00" in year_end["basis"]
    found = result.findings.filter(pl.col("code") == "indicator_not_reported")
    assert found.height == 1
    assert found.row(0, named=True)["amount"] == D("625.00")
    assert found.row(0, named=True)["month"] == "2027-03"


def _one_indicator_year(curve: dict[str, Any], numerator: int) -> Decimal:
    """The year-end line of s-a under one indicator on ``curve``, with the year's numerators
    adding up to ``numerator`` (of 4,000)."""
    contract = incentive_contract([{"kpi": "reach", **curve}], (REACH,))
    base = numerator // 4
    quarters = [numerator - 3 * base, base, base, base]
    frame = returns(
        quarterly("s-a", "reach", quarters, [1000] * 4),
        quarterly("s-b", "reach", [800] * 3, [1000] * 3, first=1),
    )
    result = run(contract, frame, period="2026/27")
    return by_month(result, "s-a", "incentive_year_end")["2027-03"]


@pytest.mark.parametrize(
    ("numerator", "earned"),
    [
        (2000, "0.00"),  # 50%: at or below zero_at
        (2400, "0.00"),  # 60%: exactly zero_at
        (2402, "3.13"),  # 60.05%: 0.25% of £1,250 = £3.125, half-up to £3.13
        (2800, "625.00"),  # 70%: half way
        (2900, "781.25"),  # 72.5%: 62.5%
        (3200, "1250.00"),  # 80%: exactly full_at
        (3600, "1250.00"),  # 90%: above full_at, never more than the share
    ],
)
def test_a_linear_indicator(numerator: int, earned: str) -> None:
    assert _one_indicator_year({"linear": LINEAR}, numerator) == D(earned) - D("1250.00")


@pytest.mark.parametrize(
    ("numerator", "earned"),
    [
        (1000, "0.00"),  # 25%
        (2000, "0.00"),  # exactly 50%: "above 50%" excludes it
        (2001, "312.50"),  # 50.025%: 25%
        (2399, "312.50"),  # 59.975%: still 25%
        (2400, "625.00"),  # exactly 60%: "at least 60%" includes it: 50%
        (2599, "625.00"),  # 64.975%
        (2600, "937.50"),  # exactly 65%: 75%
        (2799, "937.50"),  # 69.975%
        (2800, "1250.00"),  # exactly 70%: 100%
        (4000, "1250.00"),  # 100%
    ],
)
def test_a_banded_indicator_at_and_between_its_edges(numerator: int, earned: str) -> None:
    assert _one_indicator_year({"bands": BANDS}, numerator) == D(earned) - D("1250.00")


def test_the_pot_as_a_share_of_the_contract_value() -> None:
    # 1.25% of £300,000 is £3,750.00, shared by the services' fixed payments (£100,000 and
    # £200,000): £1,250.00 and £2,500.00 a year.
    contract = make(
        {
            "value": "£300,000",
            "payments": [
                {"service": "s-a", "fixed": "£100,000"},
                {"service": "s-b", "fixed": "£200,000"},
            ],
            "incentive": {
                "pot": "1.25%",
                "of": "value",
                "indicators": [{"kpi": "reach", "linear": LINEAR}],
            },
        },
        [service("s-a", "PAA", ["reach"]), service("s-b", "PBB", ["reach"])],
    )
    frame = returns(
        quarterly("s-a", "reach", [900] * 4, [1000] * 4),
        quarterly("s-b", "reach", [900] * 4, [1000] * 4),
    )
    result = run(contract, frame)
    assert sum(by_month(result, "s-a", "incentive_advance").values()) == D("1250.00")
    assert sum(by_month(result, "s-b", "incentive_advance").values()) == D("2500.00")
    assert (
        "1.25% of the contract's value (£2,500.00 a year)"
        in one_line(result, "s-b", "2026-04", "incentive_advance")["basis"]
    )


# === consequences ==============================================================================


def consequence_contract(*consequences: dict[str, Any]) -> Contract:
    return make(
        {
            "payments": [
                {"service": "s-a", "fixed": "£12,000"},
                {"service": "s-b", "fixed": "£12,000"},
            ],
            "consequences": list(consequences),
        },
        [service("s-a", "PAA", ["reach", "never"]), service("s-b", "PBB", ["reach"])],
        kpis=(REACH, NEVER),
    )


CONSEQUENCE_RETURNS = returns(
    quarterly("s-a", "reach", [500, 900, 900, 900], [1000] * 4),  # Q1: 50% of 1,000
    quarterly("s-a", "never", [0, 2, 0, 0]),  # two never events in Q2
    quarterly("s-b", "reach", [65, 900, 900, 900], [101, 1000, 1000, 1000]),  # Q1: 64.4% of 101
)


def test_the_verdicts_the_consequences_rest_on() -> None:
    table = contractkit.evaluate(consequence_contract(), CONSEQUENCE_RETURNS).table
    status = {
        (s, k, p): v
        for s, k, p, v in table.select(
            "service", "kpi", "period", pl.col("status").cast(pl.String)
        ).rows()
    }
    assert status["s-a", "reach", "2026/27 Q1"] == "underperforming"
    assert status["s-a", "reach", "2026/27 Q2"] == "met"
    assert status["s-a", "never", "2026/27 Q2"] == "underperforming"
    assert status["s-b", "reach", "2026/27 Q1"] == "within_variation"


def test_per_breach_beyond_the_threshold_in_an_underperforming_quarter() -> None:
    result = run(consequence_contract({"kpi": "reach", "per_breach": "£10"}), CONSEQUENCE_RETURNS)
    # s-a Q1: floor(70% × 1,000) − 500 = 200 excess breaches × £10, charged in June. The met
    # quarters cost nothing; s-b's Q1 is short but within expected variation: nothing.
    charged = result.lines.filter(pl.col("element") == "consequence")
    assert charged.height == 1
    row = charged.row(0, named=True)
    assert (row["service"], row["month"], row["reference"]) == ("s-a", "2026-06", "reach")
    assert (row["quantity"], row["amount"], row["payable"]) == (200, D("2000.00"), D("-2000.00"))
    assert row["category"] == "deducted"
    assert row["basis"] == (
        "reach, 2026/27 Q1 (underperforming): 200 excess breaches × £10.00, beyond the threshold "
        "of 70%"
    )
    assert figures(result, "PAA")["deducted"] == D("2000.00")
    assert figures(result, "PAA")["payable"] == D("10000.00")
    assert figures(result, "PBB")["deducted"] == D("0.00")


def test_per_breach_below_the_threshold_charges_whole_breaches_only() -> None:
    result = run(
        consequence_contract({"kpi": "reach", "per_breach": "£10", "when": "below_threshold"}),
        CONSEQUENCE_RETURNS,
    )
    # s-b Q1: 70% of 101 is 70.7, so 70 must be reached in time: 65 is 5 whole breaches short
    assert by_month(result, "s-b", "consequence") == {"2026-06": D("50.00")}
    assert one_line(result, "s-b", "2026-06", "consequence")["quantity"] == 5
    assert (
        "(within_variation): 5 excess breaches"
        in one_line(result, "s-b", "2026-06", "consequence")["basis"]
    )
    assert by_month(result, "s-a", "consequence") == {"2026-06": D("2000.00")}


def test_per_breach_beyond_a_tolerance() -> None:
    result = run(
        consequence_contract({"kpi": "reach", "per_breach": "£10", "tolerance": "60%"}),
        CONSEQUENCE_RETURNS,
    )
    # floor(60% × 1,000) − 500 = 100 breaches beyond the tolerance
    row = one_line(result, "s-a", "2026-06", "consequence")
    assert (row["quantity"], row["amount"]) == (100, D("1000.00"))
    assert "beyond the tolerance of 60%" in row["basis"]


def test_per_incident_on_a_count() -> None:
    result = run(
        consequence_contract({"kpi": "never", "per_incident": "£1,000"}), CONSEQUENCE_RETURNS
    )
    row = one_line(result, "s-a", "2026-09", "consequence")
    assert (row["reference"], row["quantity"], row["amount"]) == ("never", 2, D("2000.00"))
    assert row["basis"] == "never, 2026/27 Q2 (underperforming): 2 incidents × £1,000.00"
    assert result.lines.filter(pl.col("element") == "consequence").height == 1


# === withholding ===============================================================================

WITHHOLDING = make(
    {
        "payments": [
            {"service": "s-a", "fixed": "£100,000"},
            {
                "service": "s-c",
                "fixed": "£99,990",
                "variable": {"activity": "visit", "price": "£10.25"},
            },
        ],
        "withholding": [
            {"step": "notice", "rate": "2%", "retained_after": 3},
            {"step": "exception", "rate": "5%"},
        ],
    },
    [service("s-a", "PAA", ["reach", "never"]), service("s-c", "PCC", ["reach"])],
    kpis=(REACH, NEVER),
    escalation=(
        {"step": "notice", "flagged": 1, "within": 1},
        {"step": "exception", "flagged": 2, "within": 2},
    ),
)
WITHHOLDING_RETURNS = returns(
    # s-a: a notice after Q1 (reach) and after Q2 (never events): in force July to December
    quarterly("s-a", "reach", [500, 900, 900, 900], [1000] * 4),
    quarterly("s-a", "never", [0, 2, 0, 0]),
    # s-c: a notice after Q1, an exception notice after Q2 (two flagged of two): July to
    # September at 2%, October to December at 5%
    quarterly("s-c", "reach", [500, 500, 900, 900], [1000] * 4),
)
WITHHOLDING_ACTIVITY = activity([("s-c", "2026-07", 3), ("s-c", "2026-08", 0)])


@pytest.fixture(scope="module")
def withholding_year() -> Statement:
    return run(WITHHOLDING, WITHHOLDING_RETURNS, activity=WITHHOLDING_ACTIVITY, period="2026/27")


def test_the_steps_the_withholding_follows() -> None:
    table = contractkit.evaluate(WITHHOLDING, WITHHOLDING_RETURNS).table
    steps = {
        (s, k, p): e
        for s, k, p, e in table.select(
            "service", "kpi", "period", pl.col("escalation").cast(pl.String)
        ).rows()
    }
    assert steps["s-a", "reach", "2026/27 Q1"] == "notice"
    assert steps["s-a", "reach", "2026/27 Q2"] is None
    assert steps["s-a", "never", "2026/27 Q2"] == "notice"
    assert steps["s-c", "reach", "2026/27 Q1"] == "notice"
    assert steps["s-c", "reach", "2026/27 Q2"] == "exception"
    assert {steps["s-a", k, "2026/27 Q3"] for k in ("reach", "never")} == {None}
    assert steps["s-c", "reach", "2026/27 Q3"] is None


def test_withheld_from_the_month_after_the_period_that_triggered_it(
    withholding_year: Statement,
) -> None:
    # s-a: 2% of each month's value, July to December; nothing before July or after December
    withheld = by_month(withholding_year, "s-a", "withheld")
    assert withheld == {"2026-07": D("166.67")} | {
        m: D("166.67") for m in months("2026-08", "2026-12")
    }  # 2% of £8,333.34 = £166.6668; 2% of £8,333.33 = £166.6666
    july = one_line(withholding_year, "s-a", "2026-07", "withheld")
    assert july["basis"] == "a notice is in force: 2% of the month's value of £8,333.34"
    assert (july["reference"], july["category"], july["payable"]) == (
        "notice",
        "withheld",
        D("-166.67"),
    )


def test_withheld_from_the_months_value_fixed_and_variable_rounded_half_up(
    withholding_year: Statement,
) -> None:
    # s-c: £99,990 a year is £8,332.50 a month. July adds 3 visits at £10.25 (£30.75): 2% of
    # £8,363.25 is £167.265, half-up to £167.27. August and September: 2% of £8,332.50 is
    # £166.65. October to December, the exception notice: 5% of £8,332.50 is £416.625, half-up
    # to £416.63.
    assert by_month(withholding_year, "s-c", "withheld") == {
        "2026-07": D("167.27"),
        "2026-08": D("166.65"),
        "2026-09": D("166.65"),
        "2026-10": D("416.63"),
        "2026-11": D("416.63"),
        "2026-12": D("416.63"),
    }
    assert one_line(withholding_year, "s-c", "2026-10", "withheld")["basis"] == (
        "an exception is in force: 5% of the month's value of £8,332.50"
    )
    ledger = withholding_year.withholding.filter(pl.col("service") == "s-c")
    assert ledger.get_column("value").to_list() == [D("8363.25")] + [D("8332.50")] * 5
    assert ledger.get_column("rate").to_list() == ["2%"] * 3 + ["5%"] * 3
    assert ledger.get_column("step").to_list() == ["notice"] * 3 + ["exception"] * 3


def test_repaid_when_the_step_clears_retained_after_n_months(withholding_year: Statement) -> None:
    ledger = withholding_year.withholding
    rows = {
        (s, m): (o, t)
        for s, m, o, t in ledger.select("service", "month", "outcome", "settled").rows()
    }
    # s-a: the step clears in January. What was withheld in July to September had been held
    # for 3 months by October to December: retained then. What was withheld in October to
    # December is repaid in January (January is October + 3: repaid, not retained).
    assert rows == {
        ("s-a", "2026-07"): ("retained", "2026-10"),
        ("s-a", "2026-08"): ("retained", "2026-11"),
        ("s-a", "2026-09"): ("retained", "2026-12"),
        ("s-a", "2026-10"): ("repaid", "2027-01"),
        ("s-a", "2026-11"): ("repaid", "2027-01"),
        ("s-a", "2026-12"): ("repaid", "2027-01"),
        # s-c: the notice's 2% is not repaid while the more serious exception notice is in
        # force; it is retained after 3 months. The exception notice's 5% has no limit: repaid
        # in January, when s-c is below the step again.
        ("s-c", "2026-07"): ("retained", "2026-10"),
        ("s-c", "2026-08"): ("retained", "2026-11"),
        ("s-c", "2026-09"): ("retained", "2026-12"),
        ("s-c", "2026-10"): ("repaid", "2027-01"),
        ("s-c", "2026-11"): ("repaid", "2027-01"),
        ("s-c", "2026-12"): ("repaid", "2027-01"),
    }
    assert lines_of(withholding_year, "s-a", "repaid") == [("2027-01", D("166.67"))] * 3
    assert lines_of(withholding_year, "s-a", "retained") == [
        ("2026-10", D("166.67")),
        ("2026-11", D("166.67")),
        ("2026-12", D("166.67")),
    ]
    assert lines_of(withholding_year, "s-c", "repaid") == [("2027-01", D("416.63"))] * 3
    retained = withholding_year.lines.filter(
        (pl.col("service") == "s-c") & (pl.col("element") == "retained")
    )
    assert retained.get_column("payable").to_list() == [D("0.00")] * 3  # counted when withheld
    assert retained.row(0, named=True)["basis"] == (
        "the £167.27 withheld in 2026-07 is retained: the notice did not clear within 3 months"
    )
    # February: the fixed payments and s-c's (empty) variable line, nothing withheld
    february = withholding_year.lines.filter(pl.col("month") == "2027-02")
    assert february.get_column("element").to_list() == ["fixed", "fixed", "variable"]


def test_the_withholding_figures_for_the_year(withholding_year: Statement) -> None:
    paa = figures(withholding_year, "PAA")
    assert paa["withheld"] == D("1000.02")  # 6 × £166.67
    assert (paa["repaid"], paa["retained"], paa["held"]) == (
        D("500.01"),
        D("500.01"),
        D("0.00"),
    )
    assert paa["payable"] == D("99499.99")  # £100,000 − £1,000.02 + £500.01
    pcc = figures(withholding_year, "PCC")
    assert pcc["withheld"] == D("1750.46")  # £167.27 + 2 × £166.65 + 3 × £416.63
    assert (pcc["repaid"], pcc["retained"]) == (D("1249.89"), D("500.57"))
    assert pcc["earned"] == D("30.75")
    assert pcc["payable"] == D("99520.18")  # £99,990 + £30.75 − £1,750.46 + £1,249.89
    codes = withholding_year.findings.get_column("code").to_list()
    assert codes.count("retained") == 6
    assert "withholding_in_force" not in codes  # nothing is withheld in March


def test_held_at_the_periods_end(withholding_year: Statement) -> None:
    q3 = run(WITHHOLDING, WITHHOLDING_RETURNS, activity=WITHHOLDING_ACTIVITY, period="2026/27 Q3")
    # At December's end: s-a's October to December sums (3 × £166.67) and s-c's (3 × £416.63)
    # are held; July to September's were retained in October to December.
    assert figures(q3, "PAA")["held"] == D("500.01")
    assert figures(q3, "PCC")["held"] == D("1249.89")
    assert q3.summary["held"] == Money("1749.90")
    assert q3.summary["withheld"] == Money("1749.90")
    assert q3.summary["retained"] == Money("1000.58")
    assert q3.summary["repaid"] == Money("0.00")
    held = q3.withholding.filter(pl.col("outcome") == "held")
    assert held.get_column("month").to_list() == ["2026-10", "2026-11", "2026-12"] * 2
    in_force = q3.findings.filter(pl.col("code") == "withholding_in_force")
    assert sorted(in_force.get_column("service").to_list()) == ["s-a", "s-c"]
    assert set(in_force.get_column("month").to_list()) == {"2026-12"}
    # the year's statement repays those very sums in January
    january = withholding_year.lines.filter(
        (pl.col("month") == "2027-01") & (pl.col("element") == "repaid")
    )
    assert D(january.get_column("amount").sum()) == D("1749.90")


# === outcome payments ==========================================================================

OUTCOMES = make(
    {
        "payments": [
            {"service": "s-a", "fixed": "£12,000"},
            {"service": "s-b", "fixed": "£12,000"},
        ],
        "outcome_payments": {
            "rates": [
                {"outcome": "home", "price": "£250", "name": "Living at home at 91 days"},
                {"outcome": "nofall", "price": "£150"},
            ],
            "per_person_cap": "£350",
            "cap": "£1,000",
        },
    },
    [service("s-a", "PAA", ["reach"]), service("s-b", "PBB", ["reach"])],
)
OUTCOME_RETURNS = returns(
    quarterly("s-a", "reach", [900] * 4, [1000] * 4),
    quarterly("s-b", "reach", [900] * 4, [1000] * 4),
)
OUTCOME_CLAIMS = claims(
    [
        ("s-a", "p1", "home", "2026-05"),  # £250
        ("s-a", "p1", "nofall", "2026-05"),  # £150, but p1 is capped at £350: £100
        ("s-b", "p2", "home", "2026-05"),  # £250: £600 paid by May's end
        ("s-a", "p3", "home", "2026-06"),  # June: £900 claimed, £400 left under the cap
        ("s-a", "p4", "home", "2026-06"),
        ("s-b", "p5", "home", "2026-06"),
        ("s-b", "p6", "nofall", "2026-06"),
        ("s-a", "p1", "home", "2026-07"),  # a repeat claim: rejected
        ("s-a", "p7", "home", "2026-08"),  # the cap is spent: nothing
        ("s-b", "p8", "home", "2026-09"),  # a repeat of the claim below, which is earlier
        ("s-b", "p8", "home", "2026-07"),
    ]
)


@pytest.fixture(scope="module")
def outcome_year() -> Statement:
    return run(OUTCOMES, OUTCOME_RETURNS, outcomes=OUTCOME_CLAIMS, period="2026/27")


def test_outcome_payments_with_the_per_person_and_contract_caps(outcome_year: Statement) -> None:
    # June's £900 of claims share the £400 left by their prices: 40,000p × 250/900 =
    # 11,111.1p (three times) and 40,000p × 150/900 = 6,666.7p; the floors leave 1p, to the
    # largest remainder (the £150 claim): £111.11 × 3 + £66.67 = £400.00.
    table = outcome_year.outcomes
    assert table.select(
        "service", "person", "outcome", "month", "price", "paid", "capped_by"
    ).rows() == [
        ("s-a", "p1", "home", "2026-05", D("250.00"), D("250.00"), None),
        ("s-a", "p1", "nofall", "2026-05", D("150.00"), D("100.00"), "per_person_cap"),
        ("s-b", "p2", "home", "2026-05", D("250.00"), D("250.00"), None),
        ("s-a", "p3", "home", "2026-06", D("250.00"), D("111.11"), "contract_cap"),
        ("s-a", "p4", "home", "2026-06", D("250.00"), D("111.11"), "contract_cap"),
        ("s-b", "p5", "home", "2026-06", D("250.00"), D("111.11"), "contract_cap"),
        ("s-b", "p6", "nofall", "2026-06", D("150.00"), D("66.67"), "contract_cap"),
        ("s-b", "p8", "home", "2026-07", D("250.00"), D("0.00"), "contract_cap"),
        ("s-a", "p7", "home", "2026-08", D("250.00"), D("0.00"), "contract_cap"),
    ]
    assert D(table.get_column("paid").sum()) == D("1000.00")  # the contract's cap, exactly
    assert split_pence(40_000, [25_000, 25_000, 25_000, 15_000]) == [11_111] * 3 + [6_667]
    assert lines_of(outcome_year, "s-a", "outcome") == [
        ("2026-05", D("250.00")),
        ("2026-05", D("100.00")),
        ("2026-06", D("222.22")),
        ("2026-08", D("0.00")),
    ]
    assert lines_of(outcome_year, "s-b", "outcome") == [
        ("2026-05", D("250.00")),
        ("2026-06", D("111.11")),
        ("2026-06", D("66.67")),
        ("2026-07", D("0.00")),
    ]
    nofall = outcome_year.lines.filter(
        (pl.col("element") == "outcome") & (pl.col("reference") == "nofall")
    )
    assert nofall.get_column("basis").to_list() == [
        "1 × nofall at £150.00; £50.00 not paid: the per-person cap of £350.00",
        "1 × nofall at £150.00; £83.33 not paid: the contract's cap of £1,000.00",
    ]
    june = one_line(outcome_year, "s-a", "2026-06", "outcome")
    assert (june["quantity"], june["category"]) == (2, "earned")
    assert june["basis"] == "2 × home at £250.00; £277.78 not paid: the contract's cap of £1,000.00"
    assert figures(outcome_year, "PAA")["earned"] == D("572.22")
    assert figures(outcome_year, "PBB")["earned"] == D("427.78")
    codes = outcome_year.findings.get_column("code").to_list()
    assert codes.count("per_person_cap_reached") == 1
    capped = outcome_year.findings.filter(pl.col("code") == "outcome_cap_reached")
    # £2,050 claimed; £50 is above p1's cap; of the £2,000 left, £1,000 is above the contract's
    assert D(capped.get_column("amount").sum()) == D("1000.00")


def test_an_outcome_is_paid_once_per_person(outcome_year: Statement) -> None:
    rejected = outcome_year.rejected
    assert rejected.select("file", "row", "reason").rows() == [
        ("outcomes", 7, "repeat_claim"),  # p1's second 'home' (a frame's rows count from 0)
        ("outcomes", 9, "repeat_claim"),  # p8's September claim: the July one came first
    ]
    assert outcome_year.account["outcomes"]["accepted"] == 9


# === every row accounted for ===================================================================


def test_every_activity_rejection_reason() -> None:
    frame = pl.DataFrame(
        {
            "service": [
                "s-v",
                "s-x",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
                "s-v",
            ],
            "period": [
                "2026-07",  # accepted
                "2026-07",  # unknown_service
                "2026-07",  # unknown_activity
                "July",  # unreadable_period
                "2026-06",  # outside_service: s-v commences in July
                "2026-10",  # missing_count
                "2026-11",  # not_a_count
                "2026-11",  # not_a_count (negative)
                "2026-12",  # duplicate
                "2026-12",  # duplicate
                "2027-08",  # excluded: after the statement's last month
                "2026-10",  # accepted ("2.0" is a whole number)
                "2027-01",  # beyond_maximum: 10^15 visits at £12.35 and 85%
            ],
            "activity": ["visit", "visit", "jog", *["visit"] * 10],
            "count": [
                "7",
                "1",
                "1",
                "1",
                "1",
                "",
                "2.5",
                "-1",
                "4",
                "5",
                "9",
                "2.0",
                "1" + "0" * 15,
            ],
        }
    )
    result = run(PAY, PAY_RETURNS, activity=frame, period="2026/27")
    assert result.rejected.select("row", "reason").rows() == [
        (1, "unknown_service"),  # a frame's rows count from 0
        (2, "unknown_activity"),
        (3, "unreadable_period"),
        (4, "outside_service"),
        (5, "missing_count"),
        (6, "not_a_count"),
        (7, "not_a_count"),
        (8, "duplicate"),
        (9, "duplicate"),
        (12, "beyond_maximum"),
    ]
    assert set(result.rejected.get_column("reason").to_list()) == set(ACTIVITY_REASONS)
    account = result.account["activity"]
    assert (account["read"], account["accepted"], account["rejected"], account["excluded"]) == (
        13,
        2,
        10,
        1,
    )
    assert account["rejected_by_reason"] == {
        "beyond_maximum": 1,
        "duplicate": 2,
        "missing_count": 1,
        "not_a_count": 2,
        "outside_service": 1,
        "unknown_activity": 1,
        "unknown_service": 1,
        "unreadable_period": 1,
    }
    messages = dict(result.rejected.select("reason", "message").unique("reason").rows())
    assert messages["unknown_service"] == "no service 's-x' in the contract; did you mean 's-v'?"
    assert messages["unknown_activity"] == "service 's-v' has no price for 'jog' (it prices: visit)"
    assert messages["beyond_maximum"] == (
        "count '1000000000000000': visit × £12.35 at 85% would be paid more than the largest "
        "amount contractkit holds, £9,999,999,999,999.99"
    )
    assert by_month(result, "s-v", "variable")["2026-10"] == D("21.00")  # £20.995, half-up
    assert by_month(result, "s-v", "variable")["2026-12"] == D("0.00")  # both rows rejected


def test_every_claim_rejection_reason() -> None:
    frame = claims(
        [
            ("s-a", "p1", "home", "2026-05"),  # accepted
            ("s-z", "p2", "home", "2026-05"),  # unknown_service
            ("s-a", "p3", "homes", "2026-05"),  # unknown_outcome
            ("s-a", "p4", "home", "soon"),  # unreadable_period
            ("s-a", "p5", "home", "2026-03"),  # outside_service: before the term
            ("s-a", "", "home", "2026-05"),  # missing_person
            ("s-b", "p1", "home", "2026-06"),  # repeat_claim (any service)
            ("s-a", "p9", "home", "2027-05"),  # excluded: after the statement
        ]
    )
    result = run(OUTCOMES, OUTCOME_RETURNS, outcomes=frame)
    assert result.rejected.select("row", "reason").rows() == [
        (1, "unknown_service"),
        (2, "unknown_outcome"),
        (3, "unreadable_period"),
        (4, "outside_service"),
        (5, "missing_person"),
        (6, "repeat_claim"),
    ]
    assert set(result.rejected.get_column("reason").to_list()) == set(CLAIM_REASONS)
    account = result.account["outcomes"]
    assert (account["read"], account["accepted"], account["rejected"], account["excluded"]) == (
        8,
        1,
        6,
        1,
    )
    messages = dict(result.rejected.select("reason", "message").rows())
    assert messages["unknown_outcome"] == (
        "'homes' is not on the rate card (it prices: home, nofall); did you mean 'home'?"
    )


def test_the_account_adds_up_activity_and_claims() -> None:
    act = activity([("s-a", "2026-05", 3), ("s-b", "2026-13", 3)])  # no variable payments
    result = run(OUTCOMES, OUTCOME_RETURNS, activity=act, outcomes=OUTCOME_CLAIMS, period="2026/27")
    a = result.account
    assert a["read"] == 2 + 11
    assert a["rejected"] == a["activity"]["rejected"] + a["outcomes"]["rejected"] == 2 + 2
    assert a["activity"]["rejected_by_reason"] == {"unknown_activity": 2}  # checked first
    assert result.rejected.item(0, "message") == (
        "service 's-a' has no variable payment in the contract"
    )
    assert sorted(set(result.rejected.get_column("file").to_list())) == ["activity", "outcomes"]


# === the statement in words ====================================================================


def test_explain_a_providers_position(withholding_year: Statement) -> None:
    explained = withholding_year.explain(provider="PAA")
    row = figures(withholding_year, "PAA")
    text = explained.text
    assert text.startswith("TEST-1, 2026/27 (2026-04 to 2027-03): PAA\n")
    assert (
        "Provider PAA is due £100,000.00 and earned £0.00; £0.00 is deducted and £1,000.02 "
        "withheld, £500.01 repaid: £99,499.99 is payable."
    ) in text
    assert "£500.01 withheld earlier is retained for good." in text
    for figure in ("due", "withheld", "repaid", "payable", "retained"):
        assert str(Money(row[figure])) in text
        assert explained.fields[figure] == str(row[figure])
    assert "  fixed payment: £100,000.00 over 12 lines" in text
    assert "  withheld: £1,000.02 over 6 lines" in text
    assert (
        "Finding: s-a: £166.67 withheld in 2026-07 is retained (notice still in force after 3 "
        "months)" in text
    )
    assert (
        explained.fields["lines"]
        == withholding_year.lines.filter(pl.col("provider") == "PAA").height
    )


def test_explain_a_services_withheld_lines(withholding_year: Statement) -> None:
    text = withholding_year.explain(service="s-c", element="withheld").text
    for month, amount in lines_of(withholding_year, "s-c", "withheld"):
        assert f"  s-c {month} withheld: {Money(amount)} (withheld): a" in text
    assert "Payable for these lines: −£1,750.46." in text
    assert "Still held" not in text  # all repaid or retained by March
    q3 = statement(
        WITHHOLDING, WITHHOLDING_RETURNS, activity=WITHHOLDING_ACTIVITY, period="2026/27 Q3"
    )
    held = q3.explain(service="s-c", element="withheld")
    assert "Payable for these lines: −£1,249.89." in held.text
    assert "Still held at 2026-12: £1,249.89 (withheld in 2026-10, 2026-11, 2026-12)." in held.text
    assert held.fields["payable"] == "-1249.89"
    month = withholding_year.explain(month="2027-01", service="s-a")
    assert "s-a 2027-01 repaid: £166.67 (repaid): the notice cleared" in month.text


def test_explain_a_providers_withheld_lines_cites_only_its_own_held_money() -> None:
    """The money still held, for one provider's withheld lines, is that provider's (the ledger
    was once narrowed by service only, so PAA's explanation cited PCC's £1,249.89 as held too:
    £1,749.90 in all, against the £500.01 in PAA's own row of the providers table)."""
    q3 = statement(
        WITHHOLDING, WITHHOLDING_RETURNS, activity=WITHHOLDING_ACTIVITY, period="2026/27 Q3"
    )
    assert figures(q3, "PAA")["held"] == D("500.01")
    text = q3.explain(provider="PAA", element="withheld").text
    assert "Payable for these lines: −£500.01." in text
    assert "£1,749.90" not in text
    assert "Still held at 2026-12: £500.01 (withheld in 2026-10, 2026-11, 2026-12)." in text


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"provider": "PAB"}, "no provider 'PAB' in the statement; did you mean 'PAA'?"),
        ({"service": "s-d"}, "no service 's-d' in the statement; did you mean "),
        (
            {"element": "withhold"},
            "no element 'withhold'; did you mean 'withheld'?",
        ),
        ({"month": "2030-01"}, "no month '2030-01' in the statement"),
    ],
)
def test_explain_unknown_names(
    withholding_year: Statement, where: dict[str, str], message: str
) -> None:
    with pytest.raises(KeyError) as raised:
        withholding_year.explain(**where)
    assert message in str(raised.value)


def test_explain_needs_a_figure(withholding_year: Statement) -> None:
    with pytest.raises(ValueError, match="say which figure"):
        withholding_year.explain()
    nothing = withholding_year.explain(service="s-a", element="variable")
    assert "no lines (variable payment) for s-a: £0.00" in nothing.text
    assert nothing.fields["lines"] == 0


# === outputs ===================================================================================


def test_csv(withholding_year: Statement, tmp_path: Path) -> None:
    text = withholding_year.to_csv()
    assert text.splitlines()[0] == (
        "provider,service,month,element,category,reference,quantity,amount,payable,basis"
    )
    read = pl.read_csv(text.encode(), schema_overrides={"amount": pl.String, "payable": pl.String})
    assert read.height == withholding_year.lines.height
    assert read.get_column("amount").to_list() == [
        str(a) for a in withholding_year.lines.get_column("amount")
    ]
    providers = (withholding_year.to_csv(table="providers") or "").splitlines()
    assert providers[0] == "provider,name,due,earned,deducted,withheld,repaid,payable,retained,held"
    assert providers[1] == (
        "PAA,Provider PAA,100000.00,0.00,0.00,1000.02,500.01,99499.99,500.01,0.00"
    )
    with pytest.raises(ArgumentError, match="no table 'everything': the tables are lines, "):
        withholding_year.to_csv(table="everything")
    with pytest.warns(DeprecationWarning, match=r"to_csv\('providers'\) names a table"):
        assert withholding_year.to_csv("providers") == withholding_year.to_csv(table="providers")
    written = tmp_path / "providers.csv"
    assert withholding_year.to_csv(written, table="providers") is None
    assert written.read_text("utf-8").splitlines() == providers


def _no_floats(value: Any) -> None:
    assert not isinstance(value, float), value
    if isinstance(value, dict):
        for item in value.values():
            _no_floats(item)
    elif isinstance(value, list):
        for item in value:
            _no_floats(item)


def test_json_amounts_are_text(withholding_year: Statement, tmp_path: Path) -> None:
    text = withholding_year.to_json()
    assert text is not None
    document = json.loads(text)
    _no_floats(document)
    assert document["format"] == "contractkit-statement"
    assert document["version"] == 1
    assert document["summary"]["payable"] == "199020.17"  # £99,499.99 + £99,520.18
    assert D(document["summary"]["payable"]) == sum(
        (D(p) for p in (figures(withholding_year, x)["payable"] for x in ("PAA", "PCC"))), D(0)
    )
    assert document["summary"]["held"] == "0.00"
    for name in Statement.TABLES:
        assert len(document[name]) == withholding_year.tables[name].height
    first = document["lines"][0]
    assert (first["amount"], first["payable"]) == ("8333.34", "8333.34")
    assert document["withholding"][0]["withheld"] == "166.67"
    assert document["providers"][0]["payable"] == "99499.99"
    assert document["account"]["activity"]["read"] == 2
    target = tmp_path / "statement.json"
    assert withholding_year.to_json(target) is None
    assert json.loads(target.read_text("utf-8")) == document


def test_parquet_round_trip(withholding_year: Statement, tmp_path: Path) -> None:
    for name in Statement.TABLES:
        path = tmp_path / f"{name}.parquet"
        withholding_year.to_parquet(path, name)
        back = pl.read_parquet(path)
        assert back.equals(withholding_year.tables[name]), name
        assert back.schema == withholding_year.tables[name].schema
    assert pl.read_parquet(tmp_path / "lines.parquet").schema["amount"] == pl.Decimal(38, 2)


def test_notebooks_show_the_headline_figures(withholding_year: Statement) -> None:
    shown = withholding_year._repr_html_()
    s = withholding_year.summary
    assert "<b>TEST-1, 2026/27</b>" in shown  # the contract, then the period
    for figure in ("due", "earned", "withheld", "repaid", "payable", "retained", "held"):
        assert f"{figure} {s[figure]}" in shown
    assert "payable £199,020.17" in shown
    assert "<td>£8,333.34</td>" in shown  # amounts as money
    assert "is retained (notice still in force after 3 months)" in shown
    assert "2 rows read: 2 accepted, 0 rejected, 0 excluded" in shown
    assert repr(withholding_year).startswith("Statement(contract='TEST-1', period=2026/27, ")


# === the bundled example =======================================================================


def test_the_example_keeps_the_identities() -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    assert isinstance(contract, Contract)
    for period in ("2026/27", "2026/27 Q4", "2027/28", "2027-02"):
        result = run(
            contract,
            UCR / "returns.csv",
            activity=UCR / "activity.csv",
            outcomes=UCR / "outcomes.csv",
            period=period,
        )
        assert result.summary["period"] == period
    year = run(
        contract,
        UCR / "returns.csv",
        activity=UCR / "activity.csv",
        outcomes=UCR / "outcomes.csv",
        period="2026/27",
    )
    nlo = figures(year, "NLO01")
    # ucr-north commences in July: 9 × £25,000 fixed and 9 × £312.50 of its incentive pot
    assert nlo["due"] == D("227812.50")
    assert by_month(year, "ucr-north", "incentive_year_end") == {"2027-03": D("-1406.25")}
