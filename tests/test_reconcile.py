"""Reconciling a pooled fund: hand-worked settlements, the spend account, and money conserved
whatever the figures (property tests)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contractkit
from contractkit import Money, ReturnsError
from contractkit.finance import reconcile
from contractkit.model import PooledFund

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "better-care-fund"


def small_fund(**changes: Any) -> PooledFund:
    """Two partners (£600 and £400); lines L1 £500 (a), L2 £300 (b), L3 £100 (a); a £80 risk
    pool and £20 uncommitted: £1,000 in all."""
    data: dict[str, Any] = {
        "kind": "pooled_fund",
        "id": "SMALL",
        "title": "A small fund",
        "year": "2026/27",
        "host": "a",
        "partners": [
            {"id": "a", "name": "Partner A", "contribution": 600, "cap": 50},
            {"id": "b", "name": "Partner B", "contribution": 400},
        ],
        "lines": [
            {"id": "L1", "name": "Line one", "budget": 500, "commissioner": "a"},
            {"id": "L2", "name": "Line two", "budget": 300, "commissioner": "b"},
            {"id": "L3", "name": "Line three", "budget": 100, "commissioner": "a"},
        ],
        "risk_pool": 80,
        "uncommitted": 20,
        "overspend": {"fixed": {"a": "70%", "b": "30%"}},
        "underspend": "contribution",
    }
    data.update(changes)
    fund = contractkit.load(data)
    assert isinstance(fund, PooledFund)
    return fund


def quarterly(totals: dict[str, str]) -> pl.DataFrame:
    """A year of quarterly spend: each line's total in four equal quarters (given in pence-exact
    text, so the quarters must divide evenly)."""
    rows = []
    for line, total in totals.items():
        quarter = Money(total).pence // 4
        assert quarter * 4 == Money(total).pence
        for q in range(1, 5):
            rows.append(
                {
                    "line": line,
                    "period": f"2026/27 Q{q}",
                    "amount": str(Money.from_pence(quarter).amount),
                }
            )
    return pl.DataFrame(rows)


def pounds(frame: pl.DataFrame, key: str, value: str, column: str) -> str:
    return str(frame.filter(pl.col(key) == value).get_column(column).item())


def test_an_overspend_met_by_underspends_the_pool_and_uncommitted() -> None:
    # L1 650 is £150 over; L2 250 is £50 under; L3 on budget. The £150 is met by L2's £50, the
    # £80 risk pool and the £20 uncommitted, in that order: nothing is left for the partners,
    # and nothing to return.
    result = reconcile(small_fund(), quarterly({"L1": "650", "L2": "250", "L3": "100"}))
    s = result.summary
    assert s["basis"] == "actual"
    assert s["overspend"] == Money("150")
    assert s["met_by_underspends"] == Money("50")
    assert s["risk_pool_used"] == Money("80")
    assert s["uncommitted_used"] == Money("20")
    assert s["partners_bear"] == Money("0")
    assert s["returned"] == Money("0")
    assert result.attribution.rows() == [
        ("L1", "underspends", None, Decimal("50.00")),
        ("L1", "risk_pool", None, Decimal("80.00")),
        ("L1", "uncommitted", None, Decimal("20.00")),
    ]
    assert pounds(result.lines, "line", "L2", "underspend_used") == "50.00"


def test_partners_meet_the_rest_within_their_caps() -> None:
    # L1 800 is £300 over; after £50 + £80 + £20, £150 is left. A's 70% would be £105, but A's
    # cap is £50: A bears £50 and B the other £100.
    result = reconcile(small_fund(), quarterly({"L1": "800", "L2": "250", "L3": "100"}))
    assert dict(zip(result.partners["partner"], result.partners["bears"], strict=True)) == {
        "a": Decimal("50.00"),
        "b": Decimal("100.00"),
    }
    assert result.summary["unfunded"] == Money("0")
    codes = result.findings.get_column("code").to_list()
    assert codes == ["line_over_budget", "cap_reached"]
    assert "hidden_overspend" not in codes  # the fund as a whole is £250 over
    by_source = result.attribution.group_by("source", "partner").agg(pl.col("amount").sum())
    assert sorted(by_source.rows(), key=str) == sorted(
        [
            ("partner", "a", Decimal("50.00")),
            ("partner", "b", Decimal("100.00")),
            ("risk_pool", None, Decimal("80.00")),
            ("uncommitted", None, Decimal("20.00")),
            ("underspends", None, Decimal("50.00")),
        ],
        key=str,
    )


def test_what_no_partner_can_bear_is_unfunded() -> None:
    partners = [
        {"id": "a", "name": "Partner A", "contribution": 600, "cap": 50},
        {"id": "b", "name": "Partner B", "contribution": 400, "cap": 60},
    ]
    # £150 left for the partners: A bears its £50 cap, B its £60; £40 is unfunded.
    result = reconcile(
        small_fund(partners=partners), quarterly({"L1": "800", "L2": "250", "L3": "100"})
    )
    assert result.summary["partners_bear"] == Money("110")
    assert result.summary["unfunded"] == Money("40")
    assert "unfunded_overspend" in result.findings.get_column("code").to_list()
    assert pounds(result.lines, "line", "L1", "unfunded") == "40.00"


def test_an_underspend_is_returned_by_the_underspend_share() -> None:
    # L2 is £100 under and nothing is over: the £100, the £80 pool and the £20 uncommitted
    # (£200) go back pro rata to contribution, 600:400.
    result = reconcile(small_fund(), quarterly({"L1": "500", "L2": "200", "L3": "100"}))
    assert result.summary["returned"] == Money("200")
    receives = dict(zip(result.partners["partner"], result.partners["receives"], strict=True))
    assert receives == {"a": Decimal("120.00"), "b": Decimal("80.00")}


def test_a_fund_in_balance_still_shows_the_line_that_is_over() -> None:
    # L1 £30 over, L2 £30 under: in balance overall, but L1's overspend is found, and shown as
    # met by L2's underspend.
    result = reconcile(small_fund(), quarterly({"L1": "530", "L2": "270", "L3": "100"}))
    assert result.summary["outturn_variance"] == Money("0")
    findings = result.findings.filter(pl.col("code") == "hidden_overspend")
    assert findings.get_column("line").to_list() == ["L1"]
    assert "£30.00 over budget while the fund as a whole is within budget" in (
        findings.get_column("message").item()
    )


def test_in_year_the_outturn_is_the_forecast_or_the_budget() -> None:
    spend = pl.DataFrame(
        {
            "line": ["L1", "L2", "L3", "L1"],
            "period": ["2026-04", "2026-04", "2026-04", "2026-05"],
            "amount": ["40", "25", "8", "45"],
            "forecast": ["", "", "", "560"],
        }
    )
    result = reconcile(small_fund(), spend)
    assert result.summary["period"] == "2026-05"
    assert result.summary["basis"] == "projected"
    lines = {r["line"]: r for r in result.lines.to_dicts()}
    assert lines["L1"]["outturn_basis"] == "forecast"
    assert lines["L1"]["outturn"] == Decimal("560.00")
    assert lines["L2"]["outturn_basis"] == "budget"
    # Budgets to date: two twelfths, to the penny (L1 £500 is £41.67 ×8 and £41.66 ×4 …).
    assert lines["L1"]["budget_to_date"] == Decimal("83.34")
    assert lines["L1"]["actual_to_date"] == Decimal("85.00")
    assert lines["L1"]["variance_to_date"] == Decimal("1.66")


def test_a_profile_shapes_the_budget_to_date() -> None:
    lines = [
        {
            "id": "L1",
            "name": "Line one",
            "budget": 500,
            "commissioner": "a",
            "profile": [2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        },
        {"id": "L2", "name": "Line two", "budget": 300, "commissioner": "b"},
        {"id": "L3", "name": "Line three", "budget": 100, "commissioner": "a"},
    ]
    spend = pl.DataFrame({"line": ["L1"], "period": ["2026/27 Q1"], "amount": ["200"]})
    result = reconcile(small_fund(lines=lines), spend, period="2026/27 Q1")
    # The months: £500 × 2/14 = £71.428… twice and × 1/14 = £35.714… ten times; rounded down
    # that leaves 6p, which go to the largest remainders (the two large months), then, among the
    # equal ones, to the first listed (June to September). So April to June: 71.43 + 71.43 +
    # 35.72.
    assert pounds(result.lines, "line", "L1", "budget_to_date") == "178.58"


def test_the_spend_account() -> None:
    spend = pl.DataFrame(
        {
            "line": ["L1", "L11", "L1", "L2", "L2", "L3", "L3", "L1", "L3", "L2"],
            "period": [
                "2026-04",
                "2026-04",
                "July",
                "2027-04",
                "2026-05",
                "2026-06",
                "2026/27 Q1",
                "2026-05",
                "2027-01",
                "2026-07",
            ],
            "amount": ["10", "10", "10", "10", "4.205", "3", "9", "", "5", "£1,000"],
        }
    )
    result = reconcile(small_fund(), spend, period="2026-12")
    account = result.account
    assert account["read"] == 10
    assert account["accepted"] + account["rejected"] + account["excluded"] == 10
    assert account["excluded"] == 1  # January 2027 is after the period reconciled
    assert account["rejected_by_reason"] == {
        "duplicate": 2,
        "fraction_of_a_penny": 1,
        "missing_amount": 1,
        "outside_year": 1,
        "unknown_line": 1,
        "unreadable_period": 1,
    }
    rejected = {r["row"]: r for r in result.rejected.to_dicts()}
    assert "did you mean 'L1'" in rejected[1]["message"]
    assert (
        rejected[4]["message"]
        == "amount '4.205': the amount (or forecast) has a fraction of a penny"
    )
    assert rejected[4]["reason"] == "fraction_of_a_penny"
    assert pounds(result.lines, "line", "L2", "actual_to_date") == "1000.00"


def test_periods_and_bad_spend_files(tmp_path: Path) -> None:
    fund = small_fund()
    spend = quarterly({"L1": "400", "L2": "200", "L3": "100"})
    assert reconcile(fund, spend, period="2026/27 Q2").summary["period"] == "2026-09"
    assert reconcile(fund, spend, period="2026/27").summary["basis"] == "actual"
    with pytest.raises(ValueError, match="not a month, quarter or the year of 2026/27"):
        reconcile(fund, spend, period="2027-05")
    with pytest.raises(ReturnsError, match="no 'amount' column"):
        reconcile(fund, spend.rename({"amount": "spent"}))
    assert reconcile(fund, spend.rename({"amount": "spent"}), columns={"spent": "amount"})
    empty = tmp_path / "spend.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ReturnsError, match="empty"):
        reconcile(fund, empty)


def test_the_example() -> None:
    fund = contractkit.load(EXAMPLE / "fund.yaml")
    assert isinstance(fund, PooledFund)
    result = reconcile(fund, EXAMPLE / "spend.csv")
    assert result.account["accepted"] == 45
    assert result.summary["outturn_variance"] == Money("0")
    assert result.findings.filter(pl.col("code") == "hidden_overspend").get_column(
        "line"
    ).to_list() == ["reablement"]
    assert result.attribution.rows() == [("reablement", "underspends", None, Decimal("300000.00"))]


# --- money conserved, whatever the figures ---------------------------------------------------


@st.composite
def funds_and_outturns(draw: st.DrawFn) -> tuple[PooledFund, pl.DataFrame]:
    n_partners = draw(st.integers(2, 4))
    n_lines = draw(st.integers(1, 6))
    pounds_ = st.integers(0, 10_000)
    budgets = [draw(pounds_) for _ in range(n_lines)]
    risk_pool, uncommitted = draw(pounds_), draw(pounds_)
    total = sum(budgets) + risk_pool + uncommitted
    weights = [draw(st.integers(1, 10)) for _ in range(n_partners)]
    contributions = [Money(str(total)).pence * w // sum(weights) for w in weights]
    contributions[0] += Money(str(total)).pence - sum(contributions)
    partners = [
        {
            "id": f"p{i}",
            "name": f"Partner {i}",
            "contribution": str(Money.from_pence(c).amount),
            **({"cap": draw(pounds_)} if draw(st.booleans()) else {}),
        }
        for i, c in enumerate(contributions)
    ]
    lines = [
        {
            "id": f"L{j}",
            "name": f"Line {j}",
            "budget": b,
            "commissioner": f"p{draw(st.integers(0, n_partners - 1))}",
        }
        for j, b in enumerate(budgets)
    ]
    basis = draw(st.sampled_from(["contribution", "commissioned", "fixed"]))
    if basis == "fixed":
        cuts = sorted(
            draw(st.lists(st.integers(0, 100), min_size=n_partners - 1, max_size=n_partners - 1))
        )
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        overspend: Any = {"fixed": {f"p{i}": f"{s}%" for i, s in enumerate(shares)}}
    else:
        overspend = basis
    order = draw(st.permutations(["underspends", "risk_pool", "uncommitted"]))
    order = order[: draw(st.integers(0, 3))]
    fund = contractkit.load(
        {
            "kind": "pooled_fund",
            "id": "F",
            "title": "F",
            "year": "2026/27",
            "host": "p0",
            "partners": partners,
            "lines": lines,
            "risk_pool": risk_pool,
            "uncommitted": uncommitted,
            "overspend": overspend,
            "underspend": draw(st.sampled_from(["contribution", "commissioned"])),
            "overspend_order": order,
        }
    )
    amounts = [draw(st.integers(0, 2_000_000)) for _ in budgets]  # pence, for the year
    spend = pl.DataFrame(
        {
            "line": [f"L{j}" for j in range(n_lines)],
            "period": ["2027-03"] * n_lines,
            "amount": [str(Money.from_pence(a).amount) for a in amounts],
        }
    )
    assert isinstance(fund, PooledFund)
    return fund, spend


def cents(series: pl.Series) -> int:
    return sum(Money(str(v)).pence for v in series.to_list() if v is not None)


@settings(max_examples=60, deadline=None)
@given(funds_and_outturns())
def test_reconciliation_conserves_every_penny(case: tuple[PooledFund, pl.DataFrame]) -> None:
    fund, spend = case
    result = reconcile(fund, spend)
    lines, partners, s = result.lines, result.partners, result.summary
    # Each line's overspend is fully attributed, and the attributions add up by source.
    for row in lines.to_dicts():
        over = max(row["outturn_variance"], Decimal(0))
        met = (
            row["met_by_underspends"]
            + row["met_by_risk_pool"]
            + row["met_by_uncommitted"]
            + row["met_by_partners"]
            + row["unfunded"]
        )
        assert met == over
        attributed = result.attribution.filter(pl.col("line") == row["line"])
        assert cents(attributed.get_column("amount")) == Money(str(over)).pence
    assert cents(lines.get_column("outturn_variance")) == s["outturn_variance"].pence
    assert cents(lines.get_column("met_by_partners")) == cents(partners.get_column("bears"))
    assert cents(partners.get_column("bears")) == s["partners_bear"].pence
    assert cents(partners.get_column("receives")) == s["returned"].pence
    # No partner beyond its cap.
    for row in partners.to_dicts():
        if row["cap"] is not None:
            assert row["bears"] <= row["cap"]
    # The fund adds up: the contributions, plus what the partners pay in and anything unfunded,
    # less what they get back, is the outturn.
    paid_in = s["partners_bear"].pence + s["unfunded"].pence - s["returned"].pence
    assert fund.total.pence + paid_in == s["outturn"].pence


def test_the_example_spend_is_what_its_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_spend", EXAMPLE / "make_spend.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    written = (tmp_path / "spend.csv").read_text("utf-8")
    assert written == (EXAMPLE / "spend.csv").read_text("utf-8")


@given(st.integers(0, 10**12), st.integers(0, 11))
def test_an_even_profile_is_allocate_by_equal_weights(pence: int, through: int) -> None:
    """The budget to date of a line without a profile is worked out directly; it is what
    allocate() gives for twelve equal months."""
    from contractkit.finance._reconcile import _budget_to
    from contractkit.model import FundLine

    line = FundLine(id="L", name="L", budget=Money.from_pence(pence), commissioner="a")
    months = contractkit.allocate(Money.from_pence(pence), [1] * 12)
    assert _budget_to(line, through) == sum(m.pence for m in months[: through + 1])


@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 11), st.integers(-99, 99), st.booleans()),
        max_size=30,
    )
)
def test_latest_is_the_last_given_value_of_each_key(rows: list[tuple[int, int, int, bool]]) -> None:
    """Latest forecasts are found over whole columns; the answer is the plain one (on a tie
    in the month, the row given last)."""
    import numpy as np

    from contractkit.finance._spend import latest

    expected: list[int | None] = [None] * 5
    when = [-1] * 5
    for key, first, value, has in rows:
        if has and first >= when[key]:
            expected[key], when[key] = value, first
    columns = [np.array([r[i] for r in rows], dtype=np.int64) for i in range(3)]
    has_value = np.array([r[3] for r in rows], dtype=bool)
    assert latest(5, *columns, has_value) == expected


def test_many_funds_in_one_pass_are_each_fund_alone() -> None:
    """Several funds reconciled together from one spend table (with a fund column) give, fund
    by fund, exactly what each gives alone; a fund or line that is not there is rejected."""
    first = small_fund()
    second = small_fund(
        id="OTHER",
        partners=[
            {"id": "a", "name": "Partner A", "contribution": 700},
            {"id": "b", "name": "Partner B", "contribution": 300},
        ],
    )
    spends = {
        "SMALL": quarterly({"L1": "800", "L2": "250", "L3": "100"}),
        "OTHER": quarterly({"L1": "400", "L2": "320", "L3": "100"}),
    }
    combined = pl.concat(
        [s.with_columns(pl.lit(f).alias("fund")) for f, s in spends.items()]
        + [
            pl.DataFrame(
                {
                    "line": ["L1", "L9"],
                    "period": ["2026-04"] * 2,
                    "amount": ["1"] * 2,
                    "fund": ["NOPE", "SMALL"],
                }
            )
        ]
    )
    together = reconcile([first, second], combined)
    assert together.account["rejected_by_reason"] == {"unknown_fund": 1, "unknown_line": 1}
    assert together.funds.get_column("fund").to_list() == ["SMALL", "OTHER"]
    for fund in (first, second):
        alone = reconcile(fund, spends[fund.id])
        for name in ("lines", "partners", "attribution"):
            mine = together.table(name).filter(pl.col("fund") == fund.id).drop("fund")
            assert mine.equals(alone.table(name)), name
        mine = together.findings.filter(pl.col("fund") == fund.id)
        assert mine.get_column("code").to_list() == alone.findings.get_column("code").to_list()
    assert together.summary["outturn"] == sum(
        (reconcile(f, spends[f.id]).summary["outturn"] for f in (first, second)), Money.zero()
    )
    with pytest.raises(ReturnsError, match="no 'fund' column"):
        reconcile([first, second], spends["SMALL"])
