"""Explaining a reconciliation's and an assessment's figures in words: hand-checked texts on the
examples, names that are not there, and, for any generated fund or plan, every figure an
explanation cites is the figure in the tables (property tests)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import contractkit
from _support import awkward_funds, plans_and_outturns, quarterly_spend, small_fund
from contractkit import Money
from contractkit.cli import app
from contractkit.model import PooledFund, SystemPlan
from contractkit.pooled_funds import Reconciliation, reconcile
from contractkit.system_plans import Assessment, assess

ROOT = Path(__file__).resolve().parent.parent
FUND = ROOT / "examples" / "better-care-fund"
PLAN = ROOT / "examples" / "system-plan"


@pytest.fixture(scope="module")
def fund_result() -> Reconciliation:
    fund = contractkit.load(FUND / "fund.yaml")
    assert isinstance(fund, PooledFund)
    return reconcile(fund, FUND / "spend.csv")


@pytest.fixture(scope="module")
def plan_result() -> Assessment:
    plan = contractkit.load(PLAN / "plan.yaml")
    assert isinstance(plan, SystemPlan)
    return assess(plan, PLAN / "outturn.csv")


# --- hand-checked on the examples -------------------------------------------------------------


def test_a_line_over_budget(fund_result: Reconciliation) -> None:
    # £6,200,000.00 is 620,000,000p: ÷ 12 is 51,666,666p and 8 over, so £516,666.66 a month
    # with a penny more in April to November; April to December is 9 × £516,666.66 + 8p =
    # £4,650,000.02. The nine months' spend adds up to £4,900,232.70 (£250,232.68 over). The
    # December forecast, £6,500,000.00, is £300,000.00 over, and is met in full by the
    # underspends on community-health (£250,000.00) and carers (£50,000.00).
    explanation = fund_result.explain(line="reablement")
    assert explanation.text == "\n".join(
        [
            "Home-based reablement (reablement), commissioned by North East Lincolnshire Council "
            "(council), provided by Lincs Reablement Ltd.",
            "Budget: £6,200,000.00 for 2026/27.",
            "Budget to date: £4,650,000.02 for April to December 2026 (9 months): its budget "
            "spread evenly over the twelve months, to the penny: £516,666.66 a month, and a penny "
            "more in each of the first 8 months (so that the months add up to the budget).",
            "Actual to date: £4,900,232.70, from 9 spend rows (the latest to December 2026); "
            "variance to date £250,232.68: over the budget to date.",
            "Outturn: £6,500,000.00: the latest forecast given for its year (with the spend to "
            "December 2026); before the year end the outturn is projected.",
            "Outturn variance: £300,000.00: over budget.",
            "How its overspend of £300,000.00 is met, by the fund's terms: first from "
            "underspends on other lines, then the risk pool, then uncommitted allocations, each "
            "spread over the overspent lines in proportion to what each still has unmet; then by "
            "the partners under the overspend risk share (fixed shares: icb 60%, council 40%), "
            "none beyond its cap; what no partner can bear is unfunded.",
            "  underspends on other lines: £300,000.00 (across the fund £300,000.00 of the "
            "£300,000.00 available was used)",
            "  the risk pool: £0.00 (across the fund £0.00 of the £450,000.00 available was used)",
            "  uncommitted allocations: £0.00 (across the fund £0.00 of the £0.00 available was "
            "used)",
            "  the partners: £0.00",
            "In all: £300,000.00, the whole overspend.",
            "Findings:",
            "  • Home-based reablement (reablement) is £300,000.00 over its budget of "
            "£6,200,000.00 (forecast outturn)",
            "  • Home-based reablement (reablement) is £300,000.00 over budget while the fund as a "
            "whole is within budget: the overspend is met from elsewhere in the pool",
        ]
    )
    assert explanation.fields["attribution"] == [("underspends", None, Money("300000"))]
    assert explanation.fields["findings"] == ["line_over_budget", "hidden_overspend"]
    assert explanation.fields["outturn_basis"] == "forecast"
    assert str(explanation) == explanation.text


def test_a_profiled_line_on_budget(fund_result: Reconciliation) -> None:
    # The profile's weights add up to 100: 7% of £5,350,000.00 is £374,500.00 (April to
    # October), 10% is £535,000.00 (November, December): £3,691,500.00 in all.
    text = fund_result.explain("discharge").text
    assert (
        "Budget to date: £3,691,500.00 for April to December 2026 (9 months): its budget spread "
        "over the months by its profile (7, 7, 7, 7, 7, 7, 7, 10, 10, 10, 10, 11, April to "
        "March), each month its share to the penny (the odd pennies to the largest remainders): "
        "Apr £374,500.00, May £374,500.00, Jun £374,500.00, Jul £374,500.00, Aug £374,500.00, "
        "Sep £374,500.00, Oct £374,500.00, Nov £535,000.00, Dec £535,000.00."
    ) in text
    assert (
        "Outturn: £5,350,000.00: its budget, as no forecast has been given (it is taken to be on "
        "plan)."
    ) in text
    assert "Outturn variance: £0.00: on budget." in text


def test_a_partner(fund_result: Reconciliation) -> None:
    # The £450,000.00 risk pool, unused, goes back pro rata to contribution: 19,450,000 of
    # 30,500,000 is £286,967.213…, so £286,967.21 (and the council the other £163,032.79).
    assert fund_result.explain(partner="icb").text == "\n".join(
        [
            "NHS Humber and North Yorkshire ICB (icb), a partner in NEL-BCF-2026.",
            "Contribution: £19,450,000.00 of the fund's £30,500,000.00.",
            "It commissions 2 lines (community-health, discharge) with budgets of "
            "£17,750,000.00: their actual to December 2026 is £12,184,012.66 (variance to date "
            "−£807,487.35: under the budget to date), and their outturn variance is "
            "−£250,000.00: under budget.",
            "Cap: £1,000,000.00, the most of an overspend it bears.",
            "Bears: £0.00: the fund's overspends (£300,000.00) were met in full before the "
            "partners: by underspends on other lines £300,000.00, the risk pool £0.00, "
            "uncommitted allocations £0.00.",
            "Receives: £286,967.21 of the £450,000.00 returned to the partners (underspends not "
            "used £0.00, the unused risk pool £450,000.00, uncommitted allocations not used "
            "£0.00), shared by the underspend risk share (pro rata to contribution): its "
            "£19,450,000.00 of £30,500,000.00.",
            "Net: £286,967.21 (what it receives less what it bears).",
            "Findings: none.",
        ]
    )


def test_the_fund(fund_result: Reconciliation) -> None:
    text = fund_result.explain().text
    assert text.splitlines()[:7] == [
        "NEL-BCF-2026: North East Lincolnshire Better Care Fund 2026/27, reconciled to December "
        "2026 (projected outturn).",
        "The fund: £30,500,000.00 contributed by 2 partners (icb £19,450,000.00, council "
        "£11,050,000.00), for 5 lines with budgets of £30,050,000.00, a risk pool of "
        "£450,000.00 and £0.00 uncommitted.",
        "To date, April to December 2026 (9 months): budget £22,216,500.04, actual "
        "£21,780,567.36, variance −£435,932.68: under the budget to date.",
        "Outturn: £30,050,000.00 (4 lines on forecast, 1 line on budget); variance £0.00: on "
        "budget.",
        "Overspends: £300,000.00 on 1 line (reablement), met by underspends on other lines "
        "£300,000.00; the risk pool £0.00; uncommitted allocations £0.00; the partners bear "
        "£0.00.",
        "Underspends: £300,000.00 on 2 lines (community-health, carers); £300,000.00 of it met "
        "overspends.",
        "Returned to the partners: £450,000.00, by the underspend risk share (pro rata to "
        "contribution): icb £286,967.21, council £163,032.79.",
    ]
    assert fund_result.explain(fund="NEL-BCF-2026").text == text


def test_caps_and_what_is_unfunded() -> None:
    # L1 £300 over; £50 + £80 + £20 from the sources leaves £150. By 70:30, A's share before
    # any cap is £105 and B's £45; A's cap is £50, so B takes more, up to its own cap of £60,
    # and £40 is unfunded.
    partners = [
        {"id": "a", "name": "Partner A", "contribution": 600, "cap": 50},
        {"id": "b", "name": "Partner B", "contribution": 400, "cap": 60},
    ]
    result = reconcile(
        small_fund(partners=partners), quarterly_spend({"L1": "800", "L2": "250", "L3": "100"})
    )
    line = result.explain(line="L1").text
    assert (
        "  the partners: £110.00 (a £50.00, b £60.00): what was left of its overspend (£150.00) "
        "split among the partners and the unfunded in proportion to what each still had to bear "
        "across the fund"
    ) in line
    assert "  unfunded: £40.00: beyond every partner's cap" in line
    assert "(a's share reached its cap of £50.00" in line
    a = result.explain(partner="a").text
    assert "its share before any cap is £105.00. Its cap of £50.00 was reached" in a
    b = result.explain(partner="b").text
    assert (
        "its share before any cap is £45.00. It bears more than that because a reached its cap, "
        "and what it could not bear passed to the others by the same shares, until its own cap "
        "of £60.00 was reached. £40.00 is unfunded: beyond every partner's cap."
    ) in b
    assert "Net: −£60.00 (what it receives less what it bears)." in b


def test_an_organisation(plan_result: Assessment) -> None:
    # RCB: −£4,000,000.00, +£2,000,000.00 by transfer; −£2,000,000.00 over twelve months is
    # −£166,666.66 and 8p more adverse in the first 8 months, so nine months are −£1,500,000.02.
    # The Q3 forecast, −£3,400,000.00, is £1,400,000.00 adverse, beyond £500,000.00. The
    # alliance's net variance is −£200,000.00: RCB's is seven times it, and all of its adverse.
    assert plan_result.explain(organisation="RCB").text == "\n".join(
        [
            "York and Scarborough Teaching Hospitals NHS Foundation Trust (RCB), in the group "
            "acute-alliance: assessed to December 2026 (projected outturn).",
            "Control total: −£4,000,000.00, and −£2,000,000.00 after transfers of £2,000,000.00 "
            "(elective-recovery: £2,000,000.00, Elective recovery support from the ICB to York "
            "and Scarborough).",
            "Plan to date: −£1,500,000.02 for April to December 2026 (9 months): its control "
            "total after transfers spread evenly over the twelve months, to the penny.",
            "Actual to date: −£2,760,000.00: its year to date at its latest return (to December "
            "2026, 3 returns); variance to date −£1,259,999.98: adverse.",
            "Outturn: −£3,400,000.00: the latest forecast given for the year (with the return to "
            "December 2026).",
            "Against its control total of −£2,000,000.00: a variance of −£1,400,000.00, adverse "
            "beyond the plan's tolerance of £500,000.00.",
            "Against break-even: an outturn of −£3,400,000.00: a deficit, so it does not break "
            "even.",
            "Its group acute-alliance (Acute provider alliance; RCB, RVW): a variance of "
            "−£200,000.00 against its combined control total of −£500,000.00, adverse, within the "
            "plan's tolerance of £500,000.00 (on plan). Its own variance is 700% of the group's "
            "net variance, and it drives 100% of the group's adverse variance.",
            "The system: a variance of −£100,000.00 against the sum of the control totals "
            "(£0.00), adverse, within the plan's tolerance of £500,000.00 (on plan).",
            "Findings:",
            "  • York and Scarborough Teaching Hospitals NHS Foundation Trust (RCB) is "
            "£1,400,000.00 adverse to its control total of −£2,000,000.00 (tolerance £500,000.00)",
            "  • York and Scarborough Teaching Hospitals NHS Foundation Trust (RCB) is "
            "£1,400,000.00 adverse while its group acute-alliance and the system are on plan: "
            "the combined total hides it",
            "  • York and Scarborough Teaching Hospitals NHS Foundation Trust (RCB) has an "
            "outturn deficit of £3,400,000.00: it does not break even",
        ]
    )
    rx4 = plan_result.explain("RX4").text
    assert "a variance of £0.00, exactly on plan." in rx4  # its own tolerance: £250,000.00
    rvw = plan_result.explain("RVW").text
    assert "Its own variance is −600% of the group's net variance" in rvw


def test_a_group_and_the_system(plan_result: Assessment) -> None:
    group = plan_result.explain(group="acute-alliance").text.splitlines()
    assert group[:5] == [
        "Acute provider alliance (acute-alliance): RCB, RVW; assessed to December 2026.",
        "Combined control total (after transfers): −£500,000.00; combined outturn "
        "−£700,000.00; variance −£200,000.00, adverse, within the plan's tolerance of "
        "£500,000.00 (on plan).",
        "Its members:",
        "  RCB: variance −£1,400,000.00, adverse beyond the plan's tolerance of £500,000.00; "
        "700% of the group's net variance, driving 100% of its adverse variance.",
        "  RVW: variance £1,200,000.00, favourable; −600% of the group's net variance, driving "
        "0% of its adverse variance.",
    ]
    system = plan_result.explain().text.splitlines()
    assert system[:6] == [
        "NEY-2026: North East Yorkshire system financial plan 2026/27, assessed to December 2026 "
        "(projected outturn): 4 organisations, 1 group.",
        "Control totals: £0.00 in all, after transfers (before them £0.00: transfers move money "
        "between organisations and add up to nothing).",
        "Outturn: −£100,000.00; variance −£100,000.00, adverse, within the plan's tolerance of "
        "£500,000.00 (on plan).",
        "Adverse beyond tolerance: RCB (−£1,400,000.00).",
        "Below break-even: RCB (−£3,400,000.00).",
        "Group acute-alliance: variance −£200,000.00, adverse, within the plan's tolerance of "
        "£500,000.00 (on plan).",
    ]
    assert plan_result.explain("NEY-2026").text == plan_result.explain().text


def test_outturn_from_the_actual_and_the_plan() -> None:
    plan = contractkit.load(PLAN / "plan.yaml")
    assert isinstance(plan, SystemPlan)
    outturn = pl.DataFrame(
        {"organisation": ["RCB", "RVW"], "period": ["2026/27 Q1"] * 2, "ytd": ["-900000", "1"]}
    )
    result = assess(plan, outturn)
    # −£2,000,000.00 a year: −£500,000.01 for April to June, so −£1,499,999.99 for the rest;
    # the outturn is −£900,000.00 + −£1,499,999.99.
    assert (
        "Outturn: −£2,399,999.99: its actual to date (−£900,000.00) plus its plan for the rest "
        "of the year (−£1,499,999.99), as it has given no forecast."
    ) in result.explain("RCB").text
    assert (
        "Outturn: £0.00: its control total after transfers, as it has made no return (taken to "
        "be on plan)."
    ) in result.explain("QOQ").text
    assert "Actual to date: none: it has made no outturn return." in result.explain("QOQ").text


# --- names that are not there -----------------------------------------------------------------


def test_unknown_names_say_what_is_there(
    fund_result: Reconciliation, plan_result: Assessment
) -> None:
    with pytest.raises(KeyError, match="no line 'reablment' in NEL-BCF-2026; did you mean "):
        fund_result.explain(line="reablment")
    with pytest.raises(KeyError, match="did you mean 'council'"):
        fund_result.explain(partner="counsil")
    with pytest.raises(KeyError, match=r"no line or partner 'dfgg'.*did you mean 'dfg'"):
        fund_result.explain("dfgg")
    with pytest.raises(KeyError, match="no fund 'NEL'"):
        fund_result.explain(fund="NEL")
    with pytest.raises(ValueError, match="name one thing"):
        fund_result.explain(line="dfg", partner="icb")
    with pytest.raises(KeyError, match=r"no organisation 'rcb'.*did you mean 'RCB'"):
        plan_result.explain(organisation="rcb")
    with pytest.raises(KeyError, match=r"no group 'alliance'.*did you mean 'acute-alliance'"):
        plan_result.explain(group="alliance")
    with pytest.raises(KeyError, match="no organisation or group 'RVV'"):
        plan_result.explain("RVV")


def test_with_several_funds_a_line_names_its_fund() -> None:
    other = small_fund(id="OTHER")
    spend = pl.concat(
        [
            quarterly_spend({"L1": "800", "L2": "250", "L3": "100"}).with_columns(
                fund=pl.lit("SMALL")
            ),
            quarterly_spend({"L1": "500", "L2": "250", "L3": "100"}).with_columns(
                fund=pl.lit("OTHER")
            ),
        ]
    )
    result = reconcile([small_fund(), other], spend)
    with pytest.raises(ValueError, match=r"line 'L1' is in 2 funds \(SMALL, OTHER\)"):
        result.explain(line="L1")
    assert result.explain(line="L1", fund="OTHER").text.startswith("Line one (L1) in OTHER,")
    assert result.explain(fund="SMALL").text.startswith("SMALL: A small fund")
    overall = result.explain().text.splitlines()
    assert overall[0] == (
        "2 funds of 2026/27, reconciled to March 2027 (actual outturn), added up."
    )
    assert "Underspends: £100.00 on 2 lines (L2 (SMALL), L2 (OTHER))" in overall[4]


def test_the_command_line_explains(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app,
        [
            "reconcile",
            str(FUND / "fund.yaml"),
            str(FUND / "spend.csv"),
            "--explain",
            "reablement",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "Outturn variance: £300,000.00: over budget." in done.stdout
    assert "Lines" not in done.stdout  # the explanation instead of the tables
    done = runner.invoke(
        app, ["assess", str(PLAN / "plan.yaml"), str(PLAN / "outturn.csv"), "--explain", "RCB"]
    )
    assert done.exit_code == 0, done.output
    assert "Against break-even: an outturn of −£3,400,000.00" in done.stdout
    done = runner.invoke(
        app, ["assess", str(PLAN / "plan.yaml"), str(PLAN / "outturn.csv"), "--explain", "RBC"]
    )
    assert done.exit_code == 2
    assert "did you mean 'RCB'" in done.stderr


# --- every figure cited is the table's, whatever the fund or plan ------------------------------

_MONEY = r"(−?£[0-9,]+\.[0-9]{2})"


def cited(text: str, pattern: str) -> Money:
    """The amount after a label in an explanation (the first match), as Money."""
    found = re.search(pattern.replace("MONEY", _MONEY), text, re.MULTILINE)
    assert found, (pattern, text)
    return Money(found.group(1).replace("−", "-"))


def money_of(row: dict[str, Any], column: str) -> Money:
    value = row[column]
    return Money.zero() if value is None else Money(value)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(), min_size=1, max_size=3).flatmap(
        lambda keys: st.tuples(*(awkward_funds(i) for i in range(len(keys))))
    ),
    st.sampled_from([None, "2026-06", "2026/27 Q3"]),
)
def test_every_figure_cited_is_the_tables(
    cases: tuple[tuple[PooledFund, pl.DataFrame], ...], period: str | None
) -> None:
    funds = [fund for fund, _ in cases]
    spend = pl.concat([s for _, s in cases])
    if period is not None:  # in the year: the spend falls in its first month
        spend = spend.with_columns(period=pl.lit("2026-04"))
    result = reconcile(funds, spend, period=period)
    for row in result.lines.iter_rows(named=True):
        explanation = result.explain(line=row["line"], fund=row["fund"])
        text = explanation.text
        for label, column in (
            ("^Budget: MONEY for", "budget"),
            ("^Budget to date: MONEY for", "budget_to_date"),
            ("^Actual to date: MONEY[,:]", "actual_to_date"),
            ("^Outturn: MONEY:", "outturn"),
            ("^Outturn variance: MONEY:", "outturn_variance"),
        ):
            assert cited(text, label) == money_of(row, column), (label, text)
            assert explanation.fields[column] == money_of(row, column)
        if row["actual_to_date"] and explanation.fields["spend_rows"]:
            assert cited(text, "variance to date MONEY:") == money_of(row, "variance_to_date")
        # The months cited add up to the budget to date.
        to_date = money_of(row, "budget_to_date")
        line = next(f for f in funds if f.id == row["fund"]).line(row["line"])
        if line.profile is None:
            monthly = cited(text, "to the penny: MONEY a month")
            pennies = re.search(r"a penny more in (the first month|each of the first (\d+))", text)
            extra = 0 if pennies is None else int(pennies.group(2) or 1)
            months = int(re.search(r"\((\d+) months?\)", text).group(1))  # type: ignore[union-attr]
            assert monthly * months + Money.from_pence(min(extra, months)) == to_date
        else:
            shown = re.findall(r"[A-Z][a-z]{2} " + _MONEY, text.split("largest remainders): ")[1])
            assert sum((Money(m.replace("−", "-")) for m in shown), Money.zero()) == to_date
        over = money_of(row, "outturn_variance")
        if over > 0:
            # Each source cited is what the line's row says it met, and the parts add up.
            for words, column in (
                ("underspends on other lines", "met_by_underspends"),
                ("the risk pool", "met_by_risk_pool"),
                ("uncommitted allocations", "met_by_uncommitted"),
            ):
                if f"  {words}: " in text:
                    assert cited(text, f"^  {words}: MONEY") == money_of(row, column)
            assert cited(text, "^  the partners: MONEY") == money_of(row, "met_by_partners")
            if row["unfunded"]:
                assert cited(text, "^  unfunded: MONEY") == money_of(row, "unfunded")
            assert cited(text, "^In all: MONEY") == over
            parts = explanation.fields["attribution"]
            assert sum((amount for *_, amount in parts), Money.zero()) == over
    for row in result.partners.iter_rows(named=True):
        text = result.explain(partner=row["partner"], fund=row["fund"]).text
        assert cited(text, "^Contribution: MONEY") == money_of(row, "contribution")
        assert cited(text, "^Bears: MONEY") == money_of(row, "bears")
        assert cited(text, "^Receives: MONEY") == money_of(row, "receives")
        assert cited(text, "^Net: MONEY") == money_of(row, "net")
        if "its share before any cap is" in text:
            straight = cited(text, "its share before any cap is MONEY")
            # Less than its share only where its cap stopped it; more only where another's did.
            bears, cap = money_of(row, "bears"), row["cap"]
            if bears < straight:
                assert cap is not None
                assert bears == Money(cap)
                assert f"Its cap of {Money(cap)} was reached" in text
            if bears > straight:
                assert "reached its cap" in text or "reached their caps" in text
    summary = result.explain().text
    assert cited(summary, "^Outturn: MONEY") == result.summary["outturn"]
    assert cited(summary, "^Returned to the partners: MONEY") == result.summary["returned"]


@settings(max_examples=60, deadline=None)
@given(plans_and_outturns(), st.booleans(), st.sampled_from(["2026-09", "2027-03"]))
def test_every_figure_an_assessment_cites_is_the_tables(
    case: tuple[SystemPlan, pl.DataFrame], forecasts: bool, period: str
) -> None:
    plan, frame = case
    if not forecasts:
        frame = frame.drop("forecast")
    frame = frame.with_columns(period=pl.lit(period))
    result = assess(plan, frame)
    for row in result.organisations.iter_rows(named=True):
        explanation = result.explain(organisation=row["organisation"])
        text = explanation.text
        assert cited(text, "^Plan to date: MONEY for") == money_of(row, "plan_to_date")
        assert cited(text, "^Outturn: MONEY:") == money_of(row, "outturn")
        assert cited(text, "a variance of MONEY,") == money_of(row, "variance")
        assert cited(text, "^Against its control total of MONEY") == money_of(
            row, "adjusted_control_total"
        )
        assert cited(text, "^Against break-even: an outturn of MONEY") == money_of(row, "outturn")
        if row["actual_to_date"] is not None:
            assert cited(text, "^Actual to date: MONEY") == money_of(row, "actual_to_date")
        if row["outturn_basis"] == "actual and plan":
            actual = cited(text, "its actual to date \\(MONEY\\)")
            rest = cited(text, "the rest of the year \\(MONEY\\)")
            assert actual + rest == money_of(row, "outturn")
        beyond = money_of(row, "variance") < -money_of(row, "tolerance")
        assert ("adverse beyond" in text.splitlines()[5]) == beyond
        for column in ("plan_to_date", "outturn", "variance", "tolerance"):
            assert explanation.fields[column] == money_of(row, column)
    for row in result.groups.iter_rows(named=True):
        text = result.explain(group=row["group"]).text
        assert cited(text, "combined outturn MONEY") == money_of(row, "outturn")
        assert cited(text, "; variance MONEY") == money_of(row, "variance")
    system = result.explain().text
    assert cited(system, "^Outturn: MONEY") == result.system["outturn"]
    assert cited(system, "variance MONEY,") == result.system["variance"]
