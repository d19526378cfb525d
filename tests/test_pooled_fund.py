"""The pooled fund spec (kind: pooled_fund): the example, every check with its location, the
short forms and the round trip. Figures in the expected messages are worked out by hand."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import contractkit
from _support import located_problems
from contractkit import Money, SpecError
from contractkit.cli import app
from contractkit.model import PooledFund, RiskBasis, RiskShare

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "better-care-fund" / "fund.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fund() -> PooledFund:
    loaded = contractkit.load(EXAMPLE)
    assert isinstance(loaded, PooledFund)
    return loaded


def test_the_example_loads(fund: PooledFund) -> None:
    assert fund.year == contractkit.FinancialYear(2026)
    assert fund.host == "council"
    assert fund.total == Money("30500000")
    # 12.4m + 5.35m for the ICB; 6.2m + 1.3m + 4.8m for the council.
    assert fund.commissioned() == {"icb": Money("17750000"), "council": Money("12300000")}
    assert fund.partner("icb").cap == Money("1000000")
    assert fund.line("discharge").profile == tuple(Decimal(w) for w in [7] * 7 + [10] * 4 + [11])
    assert [line.id for line in fund.lines if line.profile is not None] == ["discharge"]
    assert fund.overspend.basis is RiskBasis.FIXED
    assert fund.overspend.fractions() == {"icb": Fraction(3, 5), "council": Fraction(2, 5)}
    assert fund.underspend.basis is RiskBasis.CONTRIBUTION
    assert fund.overspend_order == ("underspends", "risk_pool", "uncommitted")


def test_round_trip(fund: PooledFund) -> None:
    text = contractkit.dump(fund)
    assert "fixed:" in text
    assert "icb: 60%" in text
    assert contractkit.load(text) == fund


def edit(old: str, new: str, text: str = TEXT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(fragment: str, text: str) -> int:
    """The number of the last line holding the fragment."""
    return max(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_contributions_must_match_the_fund() -> None:
    text = edit('contribution: "£11,050,000"', 'contribution: "£11,000,000"')
    # 30,450,000 contributed; 30,050,000 + 450,000 + 0 = 30,500,000 needed.
    [found] = located_problems(text)
    assert found == (
        f"{line_of('- id: icb', text)}:partners: the contributions (£30,450,000.00) do not match "
        "the fund: the lines' budgets (£30,050,000.00) + the risk pool (£450,000.00) + "
        "uncommitted (£0.00) = £30,500,000.00; £50,000.00 less is contributed"
    )


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        (
            'contribution: "£11,050,000"',
            'contribution: "£11,050,000.005"',
            "partners[1].contribution",
            "has a fraction of a penny",
        ),
        ('cap: "£600,000"', 'cap: "-£600,000"', "partners[1].cap", "is negative"),
        ('risk_pool: "£450,000"', "risk_pool: 450000.505", "risk_pool", "fraction of a penny"),
        ("council: 40%", "council: 30%", "overspend.shares", "add up to 90%, not exactly 100%"),
        ("council: 40%", "council: 0.4", "overspend.shares.council", "as a percentage"),
        ("host: council", "host: counsel", "host", "did you mean 'council'"),
        (
            "    commissioner: icb\n    provider: Care Plus Group",
            "    commissioner: ICB\n    provider: Care Plus Group",
            "lines[0].commissioner",
            "'ICB' is not a partner",
        ),
        ("underspend: contribution", "underspend: contributions", "underspend.basis", None),
        (
            "overspend_order: [underspends, risk_pool, uncommitted]",
            "overspend_order: [partners, underspends]",
            "overspend_order",
            "the partners meet an overspend last",
        ),
        (
            "overspend_order: [underspends, risk_pool, uncommitted]",
            "overspend_order: [risk_pool, risk_pool]",
            "overspend_order",
            "risk_pool named more than once",
        ),
        ("  - id: dfg", "  - id: carers", "lines[4].id", "'carers' appears twice"),
        (
            "profile: [7, 7, 7, 7, 7, 7, 7, 10, 10, 10, 10, 11]",
            "profile: [7, 7, 7]",
            "lines[2].profile",
            None,
        ),
        ("year: 2026/27", "year: 2026", "year", None),
    ],
)
def test_each_problem_is_located(old: str, new: str, where: str, message: str | None) -> None:
    text = edit(old, new)
    found = located_problems(text)
    paths = [f.split(":", 2)[1] for f in found]
    assert where in paths, found
    item = found[paths.index(where)]
    if message is not None:
        assert message in item, item
    assert int(item.split(":")[0]) == line_of(new.splitlines()[0].strip(), text)


def test_every_problem_at_once() -> None:
    text = edit("host: council", "host: counsel")
    text = edit('contribution: "£11,050,000"', 'contribution: "£11,050,000.001"', text)
    text = edit("council: 40%", "councl: 40%", text)
    text = edit(
        "    commissioner: council\n    provider: Lincs",
        "    commissioner: councel\n    provider: Lincs",
        text,
    )
    found = located_problems(text)
    assert len(found) >= 5, found
    joined = "\n".join(found)
    for fragment in (
        "the host 'counsel' is not a partner",
        "fraction of a penny",
        "'councl' is not a partner",
        "no share for 'council'",
        "'councel' is not a partner",
    ):
        assert fragment in joined


def test_shares_for_every_partner_and_only_when_fixed() -> None:
    text = edit("overspend: {fixed: {icb: 60%, council: 40%}}", "overspend: {fixed: {icb: 100%}}")
    assert any("no share for 'council'" in p for p in located_problems(text))
    with pytest.raises(SpecError, match="only with a fixed risk share"):
        RiskShare(basis=RiskBasis.CONTRIBUTION, shares={"icb": "100%"})


def test_python_objects(fund: PooledFund) -> None:
    data: dict[str, Any] = fund.model_dump()
    data["uncommitted"] = "£100"
    with pytest.raises(
        SpecError, match=r"uncommitted \(£100\.00\) = £30,500,100\.00; £100\.00 less"
    ):
        PooledFund(**data)
    with pytest.raises(KeyError, match="did you mean 'reablement'"):
        fund.line("reablment")
    with pytest.raises(KeyError, match="no partner"):
        fund.partner("nhs")


def test_validate_on_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(EXAMPLE)])
    assert ok.exit_code == 0
    assert "valid" in ok.stdout
    bad = tmp_path / "fund.yaml"
    bad.write_text(edit("council: 40%", "council: 30%"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert re.search(
        r"fund\.yaml:\d+:\d+: overspend\.shares: the shares add up to 90%", result.stderr
    )
    assert "Traceback" not in result.stderr


def test_schema_is_committed() -> None:
    runner = CliRunner()
    committed = ROOT / "schema" / "pooled_fund.schema.json"
    result = runner.invoke(app, ["schema", "--kind", "pooled_fund", "--check", str(committed)])
    assert result.exit_code == 0, result.stderr


def test_validate_summarises_the_fund_in_plain_english() -> None:
    result = CliRunner().invoke(app, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert lines[1] == (
        "NEL-BCF-2026: North East Lincolnshire Better Care Fund 2026/27 (2026/27), hosted by "
        "council"
    )
    assert lines[3] == (
        "5 lines budgeted at £30,050,000.00; risk pool £450,000.00; uncommitted £0.00"
    )
    assert lines[4] == (
        "an overspend is met by underspends → the risk pool → uncommitted allocations → the "
        "partners (fixed shares: icb 60%, council 40%)"
    )
    assert lines[5] == "an underspend is returned pro rata to contribution"


def test_a_share_for_an_unknown_partner_in_the_short_form_is_located_at_it() -> None:
    text = edit(
        "overspend: {fixed: {icb: 60%, council: 40%}}",
        "overspend: {fixed: {icb: 60%, cuncil: 40%}}",
    )
    with pytest.raises(SpecError) as caught:
        contractkit.load(text)
    unknown = next(p for p in caught.value.problems if "is not a partner" in p.message)
    assert "did you mean 'council'?" in unknown.message
    line = line_of("cuncil", text)
    assert (unknown.line, unknown.column) == (line, text.splitlines()[line - 1].index("cuncil") + 1)
