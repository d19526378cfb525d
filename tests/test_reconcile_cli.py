"""``contractkit reconcile``: what a finance lead sees, the files it writes, and bad input
handled with a clear message and exit 2 (never a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from contractkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
FUND = ROOT / "examples" / "better-care-fund" / "fund.yaml"
SPEND = ROOT / "examples" / "better-care-fund" / "spend.csv"


def test_the_example_in_plain_lines(runner: CliRunner) -> None:
    result = runner.invoke(app, ["reconcile", str(FUND), str(SPEND)])
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0] == "NEL-BCF-2026 2026/27, reconciled to 2026-12 (projected outturn)"
    assert (
        "  reablement (council): budget £6,200,000.00; to date: budget £4,650,000.02, actual "
        "£4,900,232.70, variance £250,232.68; outturn £6,500,000.00 (forecast), variance "
        "£300,000.00; overspend met by underspends £300,000.00"
    ) in out
    assert any("while the fund as a whole is within budget" in line for line in out)
    assert "45 rows read: 45 accepted, 0 rejected, 0 excluded" in result.stderr


def test_files(runner: CliRunner, tmp_path: Path) -> None:
    csv = runner.invoke(app, ["reconcile", str(FUND), str(SPEND), "--format", "csv"])
    assert csv.exit_code == 0
    assert csv.stdout.splitlines()[0].startswith("line,name,commissioner,provider,budget,")
    partners = runner.invoke(
        app, ["reconcile", str(FUND), str(SPEND), "--format", "csv", "--table", "partners"]
    )
    assert partners.stdout.splitlines()[1].startswith("icb,")
    target = tmp_path / "out.json"
    written = runner.invoke(
        app, ["reconcile", str(FUND), str(SPEND), "--format", "json", "-o", str(target)]
    )
    assert written.exit_code == 0
    document = json.loads(target.read_text("utf-8"))
    assert document["format"] == "contractkit-reconciliation"
    assert document["summary"]["returned"] == "450000.00"
    assert document["attribution"] == [
        {"line": "reablement", "source": "underspends", "partner": None, "amount": "300000.00"}
    ]
    parquet = tmp_path / "lines.parquet"
    runner.invoke(
        app, ["reconcile", str(FUND), str(SPEND), "--format", "parquet", "-o", str(parquet)]
    )
    assert pl.read_parquet(parquet).height == 5
    text = tmp_path / "out.txt"
    runner.invoke(app, ["reconcile", str(FUND), str(SPEND), "-o", str(text), "--period", "2026-09"])
    assert text.read_text("utf-8").startswith("NEL-BCF-2026 2026/27, reconciled to 2026-09")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2027-05"], "not a month, quarter or the year of 2026/27"),
        (["--period", "soon"], "soon"),
        (["--table", "everything", "--format", "csv"], "no table 'everything'"),
        (["--format", "parquet"], "--format parquet needs --output FILE"),
    ],
)
def test_bad_options(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["reconcile", str(FUND), str(SPEND), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_files(runner: CliRunner, tmp_path: Path) -> None:
    contract = ROOT / "examples" / "urgent-community-response" / "contract.yaml"
    result = runner.invoke(app, ["reconcile", str(contract), str(SPEND)])
    assert result.exit_code == 2
    assert "is a contract, not a pooled fund" in result.stderr
    spend = tmp_path / "spend.csv"
    spend.write_text("scheme,month,spent\nreablement,2026-04,10\n", encoding="utf-8")
    result = runner.invoke(app, ["reconcile", str(FUND), str(spend)])
    assert result.exit_code == 2
    assert "the spend has no 'line', 'period', 'amount' columns" in result.stderr
    assert "Traceback" not in result.stderr


def test_strict(runner: CliRunner, tmp_path: Path) -> None:
    spend = tmp_path / "spend.csv"
    spend.write_text(
        "line,period,amount\nreablement,2026-04,10.005\nreablment,2026-04,10\n", encoding="utf-8"
    )
    lenient = runner.invoke(app, ["reconcile", str(FUND), str(spend)])
    assert lenient.exit_code == 0
    assert "row 2: amount '10.005'" in lenient.stderr
    assert "row 3: no line 'reablment' in the fund; did you mean 'reablement'?" in lenient.stderr
    strict = runner.invoke(app, ["reconcile", str(FUND), str(spend), "--strict"])
    assert strict.exit_code == 2


def test_notebooks_show_the_figures_as_money() -> None:
    import contractkit

    fund = contractkit.load(FUND)
    assert isinstance(fund, contractkit.PooledFund)
    shown = contractkit.reconcile(fund, SPEND)._repr_html_()
    assert "<b>NEL-BCF-2026, 2026/27, 2026-12</b>" in shown
    assert "returned £450,000.00" in shown
    assert "<td>£6,200,000.00</td>" in shown  # reablement's budget, as money
    assert "while the fund as a whole is within budget" in shown
    plan = contractkit.load(ROOT / "examples" / "system-plan" / "plan.yaml")
    assert isinstance(plan, contractkit.SystemPlan)
    assessed = contractkit.assess(plan, ROOT / "examples" / "system-plan" / "outturn.csv")
    assert "variance −£100,000.00" in assessed._repr_html_()
