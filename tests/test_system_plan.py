"""System plans (kind: system_plan) and their assessment against outturn: the checks with their
locations, hand-worked positions, the hidden variance, the outturn account, and sums that hold
whatever the figures (property tests)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

import contractkit
from _support import located_problems, plans_and_outturns
from contractkit import Money, ReturnsError
from contractkit.cli import app
from contractkit.model import SystemPlan
from contractkit.system_plans import assess

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "system-plan"
TEXT = (EXAMPLE / "plan.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan() -> SystemPlan:
    loaded = contractkit.load(EXAMPLE / "plan.yaml")
    assert isinstance(loaded, SystemPlan)
    return loaded


def test_the_plan(plan: SystemPlan) -> None:
    assert plan.adjusted() == {
        "QOQ": Money("0"),
        "RCB": Money("-2000000"),
        "RVW": Money("1500000"),
        "RX4": Money("500000"),
    }
    assert plan.tolerance_for("RX4") == Money("250000")
    assert plan.tolerance_for("RCB") == Money("500000")
    assert contractkit.load(contractkit.dump(plan)) == plan


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            '      RCB: "£2,000,000"',
            '      RCB: "£1,900,000"',
            "transfers[0].adjustments",
            "the adjustments net to −£100,000.00, not to zero",
        ),
        (
            "    members: [RCB, RVW]",
            "    members: [RCB, RVV]",
            "groups[0].members[1]",
            "'RVV' is not an organisation in the plan; did you mean 'RVW'?",
        ),
        ('tolerance: "£500,000"', 'tolerance: "-£500,000"', "tolerance", "is negative"),
        (
            '    control_total: "£500,000"',
            '    control_total: "£500,000.001"',
            "organisations[3].control_total",
            "fraction of a penny",
        ),
        (
            "      QOQ: ",
            "      QOX: ",
            "transfers[0].adjustments.QOX",
            "'QOX' is not an organisation in the plan",
        ),
        ("  - id: RX4", "  - id: RVW", "organisations[3].id", "'RVW' appears twice"),
    ],
)
def test_each_problem_is_located(old: str, new: str, where: str, message: str) -> None:
    assert old in TEXT
    found = located_problems(TEXT.replace(old, new, 1))
    paths = [f.split(":", 2)[1] for f in found]
    assert where in paths, found
    assert message in found[paths.index(where)]


def test_an_organisation_combines_with_one_group_at_most() -> None:
    text = TEXT.rstrip() + "\n"
    text = text.replace(
        "transfers:",
        "  - id: second\n    name: Second\n    members: [RVW, RX4]\n\ntransfers:",
    )
    assert any("already in the group 'acute-alliance'" in p for p in located_problems(text))


def test_the_example_hides_one_trust(plan: SystemPlan) -> None:
    result = assess(plan, EXAMPLE / "outturn.csv")
    assert result.system["period"] == "2026-12"
    assert result.system["variance"] == Money("-100000")  # within the £500,000 tolerance
    assert result.system["on_plan"]
    group = result.groups.row(0, named=True)
    assert group["variance"] == Decimal("-200000.00")  # the alliance: within tolerance too
    codes = result.findings.select("code", "organisation").rows()
    assert codes == [
        ("adverse_to_control_total", "RCB"),
        ("hidden_variance", "RCB"),
        ("below_break_even", "RCB"),
    ]
    rcb = result.organisations.filter(pl.col("organisation") == "RCB").row(0, named=True)
    # Adjusted control total −£2m (−£4m plus the £2m transfer); forecast −£3.4m: £1.4m adverse.
    assert rcb["adjusted_control_total"] == Decimal("-2000000.00")
    assert rcb["variance"] == Decimal("-1400000.00")
    assert rcb["share_of_group_adverse"] == 1.0
    # −£1.4m of the alliance's net −£0.2m: seven times it (RVW's +£1.2m offsets the rest).
    assert rcb["share_of_group_variance"] == 7.0
    # Plan to date: −£2m over twelve months, nine of them: −£1,500,000.02 (to the penny).
    assert rcb["plan_to_date"] == Decimal("-1500000.02")
    assert rcb["actual_to_date"] == Decimal("-2760000.00")


def test_outturn_bases_and_monthly_actuals(plan: SystemPlan) -> None:
    # Monthly actuals add up to the year to date; without a forecast, the outturn is the
    # actual to date plus the plan for the rest of the year.
    rows = [
        {"organisation": "RVW", "period": f"2026-{m:02d}", "actual": "100000"} for m in range(4, 10)
    ]
    result = assess(plan, pl.DataFrame(rows))
    rvw = result.organisations.filter(pl.col("organisation") == "RVW").row(0, named=True)
    assert rvw["actual_to_date"] == Decimal("600000.00")
    assert rvw["outturn_basis"] == "actual and plan"
    # £1.5m a year is £125,000 a month: six months' plan is £750,000, so £600,000 + £750,000.
    assert rvw["outturn"] == Decimal("1350000.00")
    others = result.findings.filter(pl.col("code") == "no_return").get_column("organisation")
    assert others.to_list() == ["QOQ", "RCB", "RX4"]
    with pytest.raises(ReturnsError, match="either 'ytd'"):
        assess(plan, pl.DataFrame([{**rows[0], "ytd": "1"}]))


def test_the_outturn_account(plan: SystemPlan) -> None:
    frame = pl.DataFrame(
        {
            "organisation": ["RCB", "RCBB", "RVW", "RVW", "RX4", "RX4"],
            "period": ["2026-04", "2026-04", "2026/27 Q1", "2026-05", "soon", "2026-04"],
            "ytd": ["-1", "-1", "2", "3", "4", "1.005"],
        }
    )
    result = assess(plan, frame, period="2026/27 Q1")
    assert result.account["rejected_by_reason"] == {
        "duplicate": 2,
        "fraction_of_a_penny": 1,
        "unknown_organisation": 1,
        "unreadable_period": 1,
    }
    messages = dict(result.rejected.select("row", "message").rows())
    assert messages[1] == "no organisation 'RCBB' in the plan; did you mean 'RCB'?"


def pence(values: pl.Series) -> int:
    return sum(Money(str(v)).pence for v in values.to_list() if v is not None)


@settings(max_examples=60, deadline=None)
@given(plans_and_outturns())
def test_the_levels_add_up(case: tuple[SystemPlan, pl.DataFrame]) -> None:
    plan, frame = case
    result = assess(plan, frame, period="2026-09")
    orgs = result.organisations
    # Transfers move money, never make it: the system's control total is unchanged by them.
    assert pence(orgs.get_column("transfers")) == 0
    assert result.system["control_total"].pence == pence(orgs.get_column("control_total"))
    assert result.system["variance"].pence == pence(orgs.get_column("variance"))
    group = result.groups.row(0, named=True)
    inside = orgs.filter(pl.col("group") == "g")
    assert Money(str(group["variance"])).pence == pence(inside.get_column("variance"))
    drives = [d for d in inside.get_column("share_of_group_adverse").to_list() if d is not None]
    if any(v < 0 for v in inside.get_column("variance").to_list()):
        assert sum(drives) == pytest.approx(1.0)
    # A hidden variance is exactly an organisation adverse beyond its tolerance while its group
    # or the system is within the plan's.
    hidden = set(
        result.findings.filter(pl.col("code") == "hidden_variance").get_column("organisation")
    )
    group_ok = Money(str(group["variance"])).pence >= -plan.tolerance.pence
    for row in orgs.to_dicts():
        adverse = Money(str(row["variance"])).pence < -Money(str(row["tolerance"])).pence
        covering = (row["group"] == "g" and group_ok) or result.system["on_plan"]
        assert (row["organisation"] in hidden) == (adverse and covering)


def test_the_command(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["assess", str(EXAMPLE / "plan.yaml"), str(EXAMPLE / "outturn.csv")]
    )
    assert result.exit_code == 0, result.stderr
    assert "System: control total £0.00, outturn −£100,000.00, variance −£100,000.00 (on plan)" in (
        result.stdout
    )
    assert "the combined total hides it" in result.stdout
    target = tmp_path / "assessment.json"
    written = runner.invoke(
        app,
        [
            "assess",
            str(EXAMPLE / "plan.yaml"),
            str(EXAMPLE / "outturn.csv"),
            "--format",
            "json",
            "-o",
            str(target),
        ],
    )
    assert written.exit_code == 0
    document = json.loads(target.read_text("utf-8"))
    assert document["format"] == "contractkit-assessment"
    assert document["system"]["variance"] == "-100000.00"
    wrong = runner.invoke(
        app,
        [
            "assess",
            str(ROOT / "examples" / "better-care-fund" / "fund.yaml"),
            str(EXAMPLE / "outturn.csv"),
        ],
    )
    assert wrong.exit_code == 2
    assert "is a pooled_fund, not a system plan" in wrong.stderr
    validate = runner.invoke(app, ["validate", str(EXAMPLE / "plan.yaml")])
    assert "a valid system plan" in validate.stdout
    assert "group acute-alliance: RCB, RVW, combined control total −£500,000.00" in (
        validate.stdout
    )


def test_outturn_beyond_the_largest_amount_is_rejected(plan: SystemPlan) -> None:
    frame = pl.DataFrame(
        {
            "organisation": ["RCB", "RVW", "RX4"],
            "period": ["2026-04", "2026-04", "2026-04"],
            "ytd": ["£10,000,000,000,000", "1", "2"],
            "forecast": ["3", "-99999999999999999999", "4"],
        }
    )
    result = assess(plan, frame, period="2026-04")
    assert result.account["rejected_by_reason"] == {"beyond_maximum": 2}
    messages = result.rejected.get_column("message").to_list()
    assert "£10,000,000,000,000" in messages[0]
    assert "-99999999999999999999" in messages[1]
    assert all("£9,999,999,999,999.99" in m for m in messages)


def test_an_outturn_beyond_the_largest_amount_is_refused_by_name(plan: SystemPlan) -> None:
    """Each forecast is within the largest amount; an organisation's actual to date of
    monthly actuals added up is not."""
    frame = pl.DataFrame(
        {
            "organisation": ["RVW"] * 3,
            "period": ["2026-04", "2026-05", "2026-06"],
            "actual": ["9000000000000"] * 3,
        }
    )
    with pytest.raises(contractkit.MoneyError) as caught:
        assess(plan, frame)
    assert "organisation RVW's actual to date, £27,000,000,000,000.00, is beyond" in str(
        caught.value
    )


def test_a_systems_outturn_beyond_the_largest_amount_is_refused_by_name(plan: SystemPlan) -> None:
    frame = pl.DataFrame(
        {
            "organisation": ["RVW", "RX4"],
            "period": ["2026-04", "2026-04"],
            "ytd": ["0", "0"],
            "forecast": ["6000000000000", "6000000000000"],
        }
    )
    with pytest.raises(
        contractkit.MoneyError, match=r"the system's outturn, £11,999,998,000,000\.00, is beyond"
    ):
        assess(plan, frame)


@pytest.mark.parametrize(
    "written",
    ['"£99,999,999,999,999,999"', "1e30", "100000000000000000", '"-£10,000,000,000,000"'],
)
def test_a_control_total_beyond_the_largest_amount_is_refused_where_it_is(written: str) -> None:
    """Each was accepted by validate and crashed assess."""
    text = TEXT.replace('control_total: "£1,500,000"', f"control_total: {written}")
    found = located_problems(text)
    assert len(found) == 1
    line = TEXT.splitlines().index('    control_total: "£1,500,000"') + 1
    assert found[0].startswith(f"{line}:organisations[2].control_total: ")
    # 1e30 is refused where the YAML is read, as beyond any number a contract holds; the
    # others as beyond the largest amount of money.
    if written == "1e30":
        assert "larger than any figure a contract holds" in found[0]
    else:
        assert "beyond the largest amount" in found[0]
        assert "£9,999,999,999,999.99" in found[0]


def test_control_totals_that_add_up_beyond_the_largest_amount_are_refused_at_load() -> None:
    text = TEXT.replace('control_total: "£1,500,000"', 'control_total: "£9,000,000,000,000"')
    text = text.replace('control_total: "£500,000"', 'control_total: "£9,000,000,000,000"')
    assert located_problems(text) == [
        "12:organisations: the control totals add up to £17,999,998,000,000.00, beyond the "
        "largest amount contractkit holds, £9,999,999,999,999.99 either way: the system's "
        "position cannot be worked out"
    ]


def test_a_control_total_after_transfers_beyond_the_largest_amount_is_refused_at_load() -> None:
    text = TEXT.replace(
        'control_total: "£1,500,000"', 'control_total: "£9,999,999,999,999"'
    ).replace('RCB: "£2,000,000"', 'RVW: "£2,000,000"')
    found = located_problems(text)
    assert len(found) == 1
    assert found[0].startswith("20:organisations[2].control_total: ")
    assert "RVW's control total after transfers, £10,000,001,999,999.00" in found[0]


def test_a_groups_total_beyond_the_largest_amount_is_refused_at_load() -> None:
    text = (
        TEXT.replace('control_total: "£1,500,000"', 'control_total: "£6,000,000,000,000"')
        .replace('control_total: "-£4,000,000"', 'control_total: "£6,000,000,000,000"')
        .replace('control_total: "£2,000,000"', 'control_total: "-£6,000,000,000,000"')
    )
    # (RCB's control total after transfers includes the £2,000,000 transferred to it.)
    assert located_problems(text) == [
        "29:groups[0].members: the members of acute-alliance have control totals after "
        "transfers that add up to £12,000,002,000,000.00, beyond the largest amount contractkit "
        "holds, £9,999,999,999,999.99 either way: the group's position cannot be worked out"
    ]
