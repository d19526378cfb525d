"""Reconciling a pooled fund: hand-worked settlements, the spend account, and money conserved
whatever the figures (property tests)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import contractkit
from contractkit import Money, ReturnsError
from contractkit.model import PooledFund
from contractkit.pooled_funds import reconcile

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
    from contractkit.model import FundLine
    from contractkit.pooled_funds._reconcile import _budget_to

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

    from contractkit._kernel.year_months import latest

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
            mine = together.tables[name].filter(pl.col("fund") == fund.id).drop("fund")
            assert mine.equals(alone.tables[name]), name
        mine = together.findings.filter(pl.col("fund") == fund.id)
        assert mine.get_column("code").to_list() == alone.findings.get_column("code").to_list()
    assert together.summary["outturn"] == sum(
        (reconcile(f, spends[f.id]).summary["outturn"] for f in (first, second)), Money.zero()
    )
    with pytest.raises(ReturnsError, match="no 'fund' column"):
        reconcile([first, second], spends["SMALL"])
    with pytest.raises(ValueError, match="fund SMALL is given twice"):
        reconcile([first, second, first], combined)


# --- the settlement over whole columns is the rules as written, fund by fund ------------------


def settle_one_fund(fund: PooledFund, outturn: list[int]) -> dict[str, Any]:
    """The settlement rules as written, one fund at a time in plain Python (the oracle the
    columnar settlement is checked against): overspends met by the sources in the fund's order,
    each spread over the lines by what is still unmet; the rest by the partners within their
    caps (what a capped partner cannot bear passing to the others, round after round); each
    line's rest split among the payers line by line; what is left returned."""
    from contractkit.model import RiskBasis
    from contractkit.money import split_pence

    def weights(share: Any) -> dict[str, Any]:
        if share.basis is RiskBasis.FIXED:
            return dict(share.fractions())
        commissioned = fund.commissioned()
        if share.basis is RiskBasis.COMMISSIONED and any(m.pence for m in commissioned.values()):
            return {p: m.pence for p, m in commissioned.items()}
        return {p.id: p.contribution.pence for p in fund.partners}

    def spread(amount: int, over: list[int]) -> list[int]:
        return [0] * len(over) if amount == 0 or not any(over) else split_pence(amount, over)

    budget = [line.budget.pence for line in fund.lines]
    over = [max(o - b, 0) for o, b in zip(outturn, budget, strict=True)]
    under = [max(b - o, 0) for o, b in zip(outturn, budget, strict=True)]
    remaining = list(over)
    met = {s: [0] * len(budget) for s in ("underspends", "risk_pool", "uncommitted")}
    available = {
        "underspends": sum(under),
        "risk_pool": fund.risk_pool.pence,
        "uncommitted": fund.uncommitted.pence,
    }
    used = dict.fromkeys(available, 0)
    for source in fund.overspend_order:
        take = min(sum(remaining), available[source])
        met[source] = spread(take, remaining)
        remaining = [r - p for r, p in zip(remaining, met[source], strict=True)]
        used[source] = take
    left = sum(remaining)
    caps = {p.id: (p.cap.pence if p.cap is not None else None) for p in fund.partners}
    share = weights(fund.overspend)
    bears = dict.fromkeys(share, 0)
    rest, open_ = left, {p for p, w in share.items() if w > 0 and caps.get(p) != 0}
    while rest > 0 and open_:
        names = sorted(open_)
        full = set()
        for partner, part in zip(names, split_pence(rest, [share[p] for p in names]), strict=True):
            cap = caps[partner]
            room = None if cap is None else cap - bears[partner]
            take = part if room is None else min(part, room)
            bears[partner] += take
            rest -= take
            if room is not None and take == room:
                full.add(partner)
        if not full:
            break
        open_ -= full
    payers = {**bears, "\0unfunded": left - sum(bears.values())}
    by_line: list[dict[str, int]] = [dict.fromkeys(payers, 0) for _ in remaining]
    to_assign, still = dict(payers), left
    for i, amount in enumerate(remaining):
        if amount == 0:
            continue
        if amount == still:
            parts = dict(to_assign)
        else:
            ordered = sorted(to_assign)
            split = split_pence(amount, [to_assign[p] for p in ordered])
            parts = dict(zip(ordered, split, strict=True))
        for payer, value in parts.items():
            to_assign[payer] -= value
            by_line[i][payer] = value
        still -= amount
    returned = sum(available.values()) - sum(used.values())
    receives = dict.fromkeys((p.id for p in fund.partners), 0)
    if returned:
        split_ = contractkit.allocate(Money.from_pence(returned), weights(fund.underspend))
        receives = {p: m.pence for p, m in split_.items()}
    attribution = []
    for i, line in enumerate(fund.lines):
        if over[i]:
            entries = [(s, None, met[s][i]) for s in ("underspends", "risk_pool", "uncommitted")]
            entries += [("partner", p, v) for p, v in by_line[i].items() if p != "\0unfunded"]
            entries.append(("unfunded", None, by_line[i]["\0unfunded"]))
            attribution += [(line.id, s, p, v) for s, p, v in entries if v]
    return {
        "met": met,
        "partners": [sum(v for p, v in row.items() if p != "\0unfunded") for row in by_line],
        "unfunded": [row["\0unfunded"] for row in by_line],
        "underspend_used": spread(used["underspends"], under),
        "bears": bears,
        "receives": receives,
        "capped": [p for p, c in caps.items() if c is not None and left > 0 and bears[p] >= c],
        "attribution": attribution,
    }


@st.composite
def awkward_funds(draw: st.DrawFn, index: int = 0) -> tuple[PooledFund, pl.DataFrame]:
    """Funds whose settlement is hard to get right: tiny budgets (ties everywhere), caps of
    nothing, fixed shares listed in any order, partners whose ids sort differently from their
    order, and outturns far over budget (so that the caps bite and some of it is unfunded);
    some lines profiled."""
    profiles = st.lists(st.integers(0, 3), min_size=12, max_size=12).filter(any)
    n_partners = draw(st.integers(2, 4))
    ids = draw(st.permutations(["icb", "council", "a", "zeta"][:n_partners]))
    budgets = draw(st.lists(st.integers(0, 3) | st.integers(0, 5_000), min_size=1, max_size=7))
    risk_pool, uncommitted = draw(st.integers(0, 300)), draw(st.integers(0, 300))
    total = (sum(budgets) + risk_pool + uncommitted) * 100
    weights = [draw(st.integers(0, 5)) for _ in ids]
    if not any(weights):
        weights[0] = 1
    contributions = [total * w // sum(weights) for w in weights]
    contributions[0] += total - sum(contributions)
    partners = [
        {
            "id": p,
            "name": p.title(),
            "contribution": str(Money.from_pence(c).amount),
            **({"cap": draw(st.integers(0, 400))} if draw(st.sampled_from([1, 1, 0])) else {}),
        }
        for p, c in zip(ids, contributions, strict=True)
    ]
    lines = [
        {
            "id": f"L{j}",
            "name": f"Line {j}",
            "budget": b,
            "commissioner": draw(st.sampled_from(ids)),
            **({"profile": draw(profiles)} if draw(st.booleans()) else {}),
        }
        for j, b in enumerate(budgets)
    ]

    def share() -> Any:
        basis = draw(st.sampled_from(["contribution", "commissioned", "fixed"]))
        if basis != "fixed":
            return basis
        cuts = draw(
            st.lists(
                st.sampled_from([0, 33, 50, 66, 100]),
                min_size=n_partners - 1,
                max_size=n_partners - 1,
            )
        )
        cuts.sort()
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        listed = draw(st.permutations(ids))  # fixed shares may be written in any order
        return {"fixed": {p: f"{s}%" for p, s in zip(listed, parts, strict=True)}}

    order = draw(st.permutations(["underspends", "risk_pool", "uncommitted"]))
    fund = contractkit.load(
        {
            "kind": "pooled_fund",
            "id": f"F{index}",
            "title": "F",
            "year": "2026/27",
            "host": ids[0],
            "partners": partners,
            "lines": lines,
            "risk_pool": risk_pool,
            "uncommitted": uncommitted,
            "overspend": share(),
            "underspend": share(),
            "overspend_order": order[: draw(st.integers(0, 3))],
        }
    )
    assert isinstance(fund, PooledFund)
    factor = draw(st.sampled_from([5, 2, 1, 0]))
    # (Amounts from the top of the range as often as from the bottom: many lines over budget.)
    amounts = [
        draw(st.integers(0, top) | st.integers(0, top).map(lambda v, top=top: top - v))
        for top in (max(1, b * 100 * factor) for b in budgets)
    ]
    spend = pl.DataFrame(
        {
            "line": [f"L{j}" for j in range(len(budgets))],
            "period": ["2027-03"] * len(budgets),
            "amount": [str(Money.from_pence(a).amount) for a in amounts],
            "fund": [fund.id] * len(budgets),
        }
    )
    return fund, spend


def pence_of(frame: pl.DataFrame, column: str) -> list[int]:
    return [Money(v).pence for v in frame.get_column(column).to_list()]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(), min_size=1, max_size=4).flatmap(
        lambda keys: st.tuples(*(awkward_funds(i) for i in range(len(keys))))
    )
)
def test_the_settlement_is_the_rules_as_written(
    cases: tuple[tuple[PooledFund, pl.DataFrame], ...],
) -> None:
    """Reconciled together, every fund is settled exactly as the rules say, fund by fund."""
    funds = [fund for fund, _ in cases]
    result = reconcile(funds, pl.concat([spend for _, spend in cases]))
    for fund in funds:
        lines = result.lines.filter(pl.col("fund") == fund.id)
        expected = settle_one_fund(fund, pence_of(lines, "outturn"))
        for source, column in (
            ("underspends", "met_by_underspends"),
            ("risk_pool", "met_by_risk_pool"),
            ("uncommitted", "met_by_uncommitted"),
        ):
            assert pence_of(lines, column) == expected["met"][source]
        assert pence_of(lines, "met_by_partners") == expected["partners"]
        assert pence_of(lines, "unfunded") == expected["unfunded"]
        assert pence_of(lines, "underspend_used") == expected["underspend_used"]
        partners = result.partners.filter(pl.col("fund") == fund.id)
        ids = partners.get_column("partner").to_list()
        assert dict(zip(ids, pence_of(partners, "bears"), strict=True)) == expected["bears"]
        assert dict(zip(ids, pence_of(partners, "receives"), strict=True)) == expected["receives"]
        attribution = result.attribution.filter(pl.col("fund") == fund.id)
        assert [
            (line, source, partner, Money(amount).pence)
            for line, source, partner, amount in attribution.drop("fund").rows()
        ] == expected["attribution"]
        capped = result.findings.filter(
            (pl.col("fund") == fund.id) & (pl.col("code") == "cap_reached")
        )
        assert capped.get_column("partner").to_list() == expected["capped"]


@example([(2, [1, 3])])  # a tie in the remainders: the larger weight gets the penny
@example([(1, [2, 2]), (3, [0, 5, 5, 0])])  # ties in both: the one listed first
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**6) | st.integers(0, 10**17),
            st.lists(st.integers(0, 5) | st.integers(0, 10**15), min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_apportioning_many_groups_at_once_is_split_pence(
    groups: list[tuple[int, list[int]]],
) -> None:
    """Every group's total split at once gives, group by group, what split_pence gives: the
    same pennies to the same parts, also where total × weight does not fit in 64 bits."""
    import numpy as np

    from contractkit.money import split_pence
    from contractkit.pooled_funds._reconcile import _apportion

    groups = [(total if any(w) else 0, w) for total, w in groups]
    total = np.array([t for t, _ in groups], dtype=np.int64)
    weight = np.array([w for _, ws in groups for w in ws], dtype=np.int64)
    group = np.repeat(np.arange(len(groups)), [len(ws) for _, ws in groups])
    parts = _apportion(total, weight, group, np.arange(weight.size)).tolist()
    expected = [p for t, ws in groups for p in (split_pence(t, ws) if t else [0] * len(ws))]
    assert parts == expected


@given(
    st.lists(
        st.integers(-999_999_999_999_999, 999_999_999_999_999) | st.integers(-(10**6), 10**6),
        max_size=40,
    )
)
def test_money_text_is_money_format(pence: list[int]) -> None:
    """(Every amount contractkit holds: within £9,999,999,999,999.99 either way.)"""
    import numpy as np

    from contractkit._kernel.money_tables import money_text

    text = money_text(np.array(pence, dtype=np.int64)).to_list()
    assert text == [Money.from_pence(p).format() for p in pence]


def test_a_tie_between_payers_goes_to_the_unfunded_first() -> None:
    """Two lines each a penny over; A (capped at a penny) bears one penny, B (capped at
    nothing) none, and a penny is unfunded. The first line's penny is a tie between A and the
    unfunded: it goes to the unfunded (first in the tie-break order, then the partners by id),
    and the second line's to A."""
    fund = small_fund(
        partners=[
            {"id": "a", "name": "Partner A", "contribution": 600, "cap": "0.01"},
            {"id": "b", "name": "Partner B", "contribution": 400, "cap": 0},
        ],
        overspend={"fixed": {"a": "50%", "b": "50%"}},
        overspend_order=[],
    )
    spend = pl.DataFrame(
        {
            "line": ["L1", "L2", "L3"],
            "period": ["2027-03"] * 3,
            "amount": ["500.01", "300.01", "100"],
        }
    )
    result = reconcile(fund, spend)
    assert result.attribution.rows() == [
        ("L1", "unfunded", None, Decimal("0.01")),
        ("L2", "partner", "a", Decimal("0.01")),
    ]
    assert result.findings.get_column("message").to_list()[2:] == [
        "a bears £0.01 of the overspend: its cap",
        "b bears £0.00 of the overspend: its cap",
        "£0.01 of the overspend is beyond every partner's cap",
    ]


def test_a_line_without_a_forecast_before_the_year_end_is_a_finding() -> None:
    fund = small_fund()
    spend = pl.DataFrame(
        {
            "line": ["L1", "L2", "L3"],
            "period": ["2026/27 Q1"] * 3,
            "amount": ["100", "75", "25"],
            "forecast": ["520", None, None],
        }
    )
    result = reconcile(fund, spend, period="2026/27 Q1")
    found = result.findings.filter(pl.col("code") == "no_forecast")
    # L2: £75 against £75 to date (three months of £25); L3: £25 against £25.02 (£100 in
    # twelve months is £8.33 and a third: April to July carry the odd penny); L1 has a forecast.
    assert found.get_column("line").to_list() == ["L2", "L3"]
    assert found.get_column("amount").to_list() == [Decimal("0.00"), Decimal("-0.02")]
    assert found.get_column("message")[0] == (
        "Line two (L2) has no forecast, so its outturn is taken to be its budget; its variance to "
        "date is £0.00"
    )
    at_year_end = reconcile(fund, quarterly({"L1": "500", "L2": "300", "L3": "100"}))
    assert "no_forecast" not in at_year_end.findings.get_column("code").to_list()


def test_spend_beyond_the_largest_amount_is_rejected_with_its_value(tmp_path: Path) -> None:
    """A Parquet spend column of integer 10^17 gave an actual of −£84,467,440,737,095,516.16
    (wrapped round in 64 bits); now the row is rejected, and its message shows the value."""
    path = tmp_path / "spend.parquet"
    pl.DataFrame(
        {"line": ["L1", "L2"], "period": ["2026-04", "2026-04"], "amount": [10**17, 40]}
    ).write_parquet(path)
    result = reconcile(small_fund(), path)
    assert result.account["rejected_by_reason"] == {"beyond_maximum": 1}
    assert result.account["accepted"] == 1
    message = result.rejected.get_column("message").item()
    assert "100000000000000000" in message
    assert "£9,999,999,999,999.99" in message
    assert result.summary["actual_to_date"] == Money("40")


def test_a_forecast_beyond_the_largest_amount_is_rejected() -> None:
    spend = pl.DataFrame(
        {
            "line": ["L1", "L2"],
            "period": ["2026-04", "2026-04"],
            "amount": ["10", "20"],
            "forecast": ["£10,000,000,000,000", "300"],
        }
    )
    result = reconcile(small_fund(), spend)
    assert result.rejected.select("reason", "line").rows() == [("beyond_maximum", "L1")]


def test_a_hundred_lines_of_vast_spend_are_each_rejected() -> None:
    """100 lines each spending 999999999999999.99 were each accepted and added up to a negative
    total in the JSON; each is now beyond the largest amount."""
    lines = [
        {"id": f"L{i}", "name": f"Line {i}", "budget": 10, "commissioner": "a"} for i in range(100)
    ]
    fund = small_fund(
        lines=lines,
        partners=[
            {"id": "a", "name": "Partner A", "contribution": 600},
            {"id": "b", "name": "Partner B", "contribution": 500},
        ],
    )
    spend = pl.DataFrame(
        {
            "line": [f"L{i}" for i in range(100)],
            "period": ["2026-04"] * 100,
            "amount": ["999999999999999.99"] * 100,
        }
    )
    result = reconcile(fund, spend)
    assert result.account["rejected_by_reason"] == {"beyond_maximum": 100}
    assert result.summary["actual_to_date"] == Money("0")
    assert '"actual_to_date": "0.00"' in (result.to_json() or "")


def test_a_lines_spend_beyond_the_largest_amount_is_refused_by_name() -> None:
    """Each row is within the largest amount; twelve months of them are not."""
    spend = pl.DataFrame(
        {
            "line": ["L1"] * 12,
            "period": [f"{2026 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(4, 16)],
            "amount": ["9000000000000"] * 12,
        }
    )
    with pytest.raises(contractkit.MoneyError) as caught:
        reconcile(small_fund(), spend)
    message = str(caught.value)
    assert "line L1's actual to date, £108,000,000,000,000.00, is beyond the largest" in message


def test_spend_too_vast_to_add_up_exactly_is_refused() -> None:
    """Twelve months of the largest amount on each of 200 lines: about £24 quadrillion in all,
    past what 64-bit sums can hold; refused, never wrapped round."""
    lines = [
        {"id": f"L{i}", "name": f"Line {i}", "budget": 5, "commissioner": "a"} for i in range(200)
    ]
    fund = small_fund(
        lines=lines,
        partners=[
            {"id": "a", "name": "Partner A", "contribution": 600},
            {"id": "b", "name": "Partner B", "contribution": 500},
        ],
    )
    months = [f"{2026 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(4, 16)]
    spend = pl.DataFrame(
        {
            "line": [f"L{i}" for i in range(200) for _ in months],
            "period": months * 200,
            "amount": ["9999999999999.99"] * 2400,
        }
    )
    with pytest.raises(contractkit.MoneyError, match="too much to add up exactly"):
        reconcile(fund, spend)


# --- amounts at load ---------------------------------------------------------------------------

FUND_TEXT = (EXAMPLE / "fund.yaml").read_text(encoding="utf-8")


def fund_problems(text: str) -> list[str]:
    with pytest.raises(contractkit.SpecError) as caught:
        contractkit.load(text)
    return [f"{p.line}:{p.column}:{p.path}: {p.message}" for p in caught.value.problems]


@pytest.mark.parametrize("written", ['"£99,999,999,999,999,999"', "1e30", "10" + "0" * 16])
def test_a_budget_beyond_the_largest_amount_is_refused_where_it_is(written: str) -> None:
    text = FUND_TEXT.replace('budget: "£1,300,000"', f"budget: {written}")
    found = fund_problems(text)
    assert len(found) == 1
    line = FUND_TEXT.splitlines().index('    budget: "£1,300,000"') + 1
    assert found[0].startswith(f"{line}:13:lines[3].budget: ")
    # 1e30 is refused where the YAML is read, as beyond any number a contract holds; the
    # others as beyond the largest amount of money.
    expected = "larger than any figure" if written == "1e30" else "beyond the largest amount"
    assert expected in found[0]


def test_contributions_that_add_up_beyond_the_largest_amount_are_refused_at_load() -> None:
    text = FUND_TEXT.replace('"£19,450,000"', '"£6,000,000,000,000"').replace(
        '"£11,050,000"', '"£6,000,000,000,000"'
    )
    found = fund_problems(text)
    assert found[0] == (
        "12:3:partners: the contributions add up to £12,000,000,000,000.00, beyond the largest "
        "amount contractkit holds, £9,999,999,999,999.99 either way: the fund cannot be "
        "reconciled"
    )
    assert len(found) == 2  # and they no longer match the lines' budgets
    assert "do not match the fund" in found[1]


def test_budgets_that_add_up_beyond_the_largest_amount_are_refused_at_load() -> None:
    text = FUND_TEXT.replace('budget: "£12,400,000"', 'budget: "£9,000,000,000,000"').replace(
        'budget: "£6,200,000"', 'budget: "£9,000,000,000,000"'
    )
    found = fund_problems(text)
    assert found[1] == (
        "22:3:lines: the lines' budgets, the risk pool and uncommitted add up to "
        "£18,000,011,900,000.00, beyond the largest amount contractkit holds, "
        "£9,999,999,999,999.99 either way: the fund cannot be reconciled"
    )
    assert found[0].startswith("12:3:partners: the contributions (£30,500,000.00) do not match")


def test_a_profile_weight_too_fine_to_split_by_is_refused_where_it_is() -> None:
    """A profile weight of 1e-1000000000 made reconcile run past 75 seconds; it is refused at
    load, at its place in the profile."""
    text = FUND_TEXT.replace(
        "profile: [7, 7, 7, 7, 7, 7, 7, 10, 10, 10, 10, 11]",
        "profile: [7, 1e-1000000000, 7, 7, 7, 7, 7, 10, 10, 10, 10, 11]",
    )
    (found,) = fund_problems(text)
    written = "    profile: [7, 7, 7, 7, 7, 7, 7, 10, 10, 10, 10, 11]"
    line = FUND_TEXT.splitlines().index(written) + 1
    # Refused where the YAML is read, before any arithmetic: finer than any figure a spec holds.
    assert found.startswith(f"{line}:18:lines[2].profile[1]: 1e-1000000000 is finer than any ")
