"""The bundled example's finance section: its activity and outcome claims, and the story its
README tells in money."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

import contractkit
from _support import example_script

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "urgent-community-response"
FILES = {
    "activity": EXAMPLE / "activity.csv",
    "outcomes": EXAMPLE / "outcomes.csv",
}


def _statement(ucr: contractkit.Contract, period: str | None = None) -> contractkit.Statement:
    return contractkit.statement(
        ucr,
        EXAMPLE / "returns.csv",
        activity=FILES["activity"],
        outcomes=FILES["outcomes"],
        period=period,
    )


@pytest.fixture(scope="module")
def first_year(ucr: contractkit.Contract) -> contractkit.Statement:
    return _statement(ucr, "2026/27")


@pytest.fixture(scope="module")
def second_year(ucr: contractkit.Contract) -> contractkit.Statement:
    return _statement(ucr)


def test_the_committed_files_are_what_the_script_writes() -> None:
    script = example_script(EXAMPLE / "make_activity.py")
    for name, rows, fields in (
        ("activity", script.activity(), ("service", "period", "activity", "count")),
        ("outcomes", script.outcomes(), ("service", "person", "outcome", "period")),
    ):
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        assert FILES[name].read_text(encoding="utf-8") == text.getvalue(), name


def test_every_row_is_accepted(second_year: contractkit.Statement) -> None:
    for name in ("activity", "outcomes"):
        account = second_year.account[name]
        assert account["rejected"] == 0
        assert account["accepted"] == account["read"] > 0
    assert second_year.rejected.height == 0


def _line(statement: contractkit.Statement, service: str, month: str, element: str) -> Decimal:
    found = statement.lines.filter(
        (pl.col("service") == service) & (pl.col("month") == month) & (pl.col("element") == element)
    )
    assert found.height == 1, found
    value: Decimal = found.get_column("payable")[0]
    return value


def test_the_trusts_winter_slip_costs_it_in_2026_27(first_year: contractkit.Statement) -> None:
    # 54 breaches beyond 70% in Q4 at £40; the never event at £10,000; 72.14% earns 60.70% of
    # the two-hour indicator's £15,000 share (the other half of the £30,000 pot is earned).
    assert _line(first_year, "ucr-south", "2027-03", "consequence") == Decimal("-2160.00")
    assert _line(first_year, "ucr-south", "2026-11", "consequence") == Decimal("-10000.00")
    assert _line(first_year, "ucr-south", "2027-03", "incentive_year_end") == Decimal("-5894.54")
    trust = first_year.providers.filter(pl.col("provider") == "RQX").row(0, named=True)
    assert trust["due"] == Decimal("2430000.00")  # £2.4m fixed + the £30,000 pot in advance
    assert trust["deducted"] == Decimal("12160.00")
    assert trust["payable"] == Decimal("2411945.46")


def test_the_remedial_action_plan_withholds_from_october_2027(
    second_year: contractkit.Statement,
) -> None:
    ledger = second_year.withholding
    assert ledger.get_column("month").to_list() == ["2027-10", "2027-11", "2027-12"]
    assert set(ledger.get_column("outcome")) == {"held"}
    assert ledger.get_column("withheld").sum() == Decimal("6000.00")
    assert second_year.summary["held"] == contractkit.Money("£6,000")


def test_the_payment_limit_and_the_outcome_cap_are_reached_in_december_2027(
    second_year: contractkit.Statement,
) -> None:
    codes = second_year.findings.filter(pl.col("month") == "2027-12").get_column("code")
    assert {"payment_limit_reached", "outcome_cap_reached"} <= set(codes)
    assert _line(second_year, "falls-east", "2027-12", "variable") == Decimal("3480.00")
    claims = second_year.outcomes
    assert claims.get_column("paid").sum() == Decimal("38000.00")  # exactly the contract's cap


def test_the_same_terms_for_every_kind_of_provider(
    ucr: contractkit.Contract, second_year: contractkit.Statement
) -> None:
    kinds = [p.type for p in ucr.providers]
    turned = ucr.model_copy(
        update={
            "providers": tuple(
                p.model_copy(update={"type": kinds[(i + 1) % len(kinds)]})
                for i, p in enumerate(ucr.providers)
            )
        }
    )
    again = _statement(turned)
    assert again.lines.equals(second_year.lines)
    assert again.providers.equals(second_year.providers)


def test_tables_as_polars_and_pandas_keep_amounts_exact(
    second_year: contractkit.Statement,
) -> None:
    pytest.importorskip("pandas")
    assert second_year.to_polars("providers").equals(second_year.providers)
    frame = second_year.to_pandas("providers")
    payable = dict(zip(frame["provider"], frame["payable"], strict=True))
    assert payable["RQX"] == Decimal("1812460.00")
    assert isinstance(payable["RQX"], Decimal)


def test_the_command_explains_a_provider_or_a_service() -> None:
    from typer.testing import CliRunner

    from contractkit.cli import app

    base = [
        "statement",
        str(EXAMPLE / "contract.yaml"),
        str(EXAMPLE / "returns.csv"),
        "--period",
        "2026/27",
    ]
    shown = CliRunner().invoke(app, [*base, "--explain", "RQX"])
    assert shown.exit_code == 0, shown.output
    assert "£2,411,945.46 is payable" in shown.stdout
    shown = CliRunner().invoke(app, [*base, "--explain", "ucr-south"])
    assert shown.exit_code == 0, shown.output
    assert "54 excess breaches × £40.00, beyond the threshold of 70%" in shown.stdout
    wrong = CliRunner().invoke(app, [*base, "--explain", "ucr-sout"])
    assert wrong.exit_code == 2
    assert "did you mean 'ucr-south'?" in wrong.stderr
    assert "Traceback" not in wrong.output


def test_one_providers_statement(second_year: contractkit.Statement) -> None:
    trust = second_year.of("RQX")
    assert set(trust.lines.get_column("provider")) == {"RQX"}
    assert trust.providers.height == 1
    assert set(trust.withholding.get_column("service")) == {"ucr-south"}
    assert trust.outcomes.height == 0
    assert trust.summary["payable"] == contractkit.Money("£1,812,460.00")
    assert trust.summary["held"] == contractkit.Money("£6,000")
    assert trust.summary["provider"] == "RQX"
    assert trust.lines.get_column("payable").sum() == trust.providers.get_column("payable")[0]
    falls = second_year.of("NQT10")
    assert set(falls.outcomes.get_column("service")) == {"falls-east"}
    with pytest.raises(KeyError, match="did you mean 'RQX'"):
        second_year.of("RQZ")


def test_the_command_gives_one_providers_statement() -> None:
    from typer.testing import CliRunner

    from contractkit.cli import app

    base = ["statement", str(EXAMPLE / "contract.yaml"), str(EXAMPLE / "returns.csv")]
    shown = CliRunner().invoke(app, [*base, "--provider", "V4K", "--period", "2027-12"])
    assert shown.exit_code == 0, shown.output
    assert "payment statement for V4K Neighbours Together, 2027-12" in shown.stdout
    assert "ucr-south" not in shown.stdout
    wrong = CliRunner().invoke(app, [*base, "--provider", "RQZ"])
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("--provider: no provider 'RQZ'")


def test_the_providers_statements_add_up_to_the_whole(second_year: contractkit.Statement) -> None:
    parts = [second_year.of(p) for p in second_year.providers.get_column("provider")]
    for figure in ("due", "earned", "deducted", "withheld", "repaid", "payable", "held"):
        total = sum((part.summary[figure] for part in parts), contractkit.Money.zero())
        assert total == second_year.summary[figure], figure
    assert sum(part.lines.height for part in parts) == second_year.lines.height
    assert sum(part.findings.height for part in parts) == second_year.findings.height
