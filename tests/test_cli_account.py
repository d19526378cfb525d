"""Every command accounts for its input rows the same way: counts by reason, the first rejected
rows of each reason, and a warning when many are rejected (``contractkit.cli._account``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from contractkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
UCR = ROOT / "examples" / "urgent-community-response"
FUND = ROOT / "examples" / "better-care-fund" / "fund.yaml"
SPEND = ROOT / "examples" / "better-care-fund" / "spend.csv"


def test_returns_saved_through_excel_warn_and_list_the_first_rows_of_each_reason(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Most months as a spreadsheet shows a date cell formatted day-month, without its year.
    returns = pl.read_csv(UCR / "returns.csv", infer_schema=False)
    spoilt = returns.with_columns(
        pl.when(pl.int_range(pl.len()) % 5 != 0)
        .then(pl.lit("01-Apr"))
        .otherwise(pl.col("period"))
        .alias("period")
    )
    path = tmp_path / "returns.csv"
    spoilt.write_csv(path)
    result = runner.invoke(app, ["evaluate", str(UCR / "contract.yaml"), str(path)])
    assert result.exit_code == 0
    err = result.stderr.splitlines()
    rejected = spoilt.height - spoilt.height // 5 - (1 if spoilt.height % 5 else 0)
    assert err[0] == (
        f"{path}: {spoilt.height} rows read: {spoilt.height - rejected} accepted, "
        f"{rejected} rejected, 0 excluded"
    )
    assert err[1] == f"  rejected, unreadable_period: {rejected}"
    listed = [line for line in err if f"{path}: row " in line]
    assert len(listed) == 3  # the first three of the one reason
    assert "'01-Apr' is not a period: it has no year" in listed[0]
    assert err[-2] == f"… and {rejected - 3} more rejected rows (--strict lists them and fails)"
    assert err[-1].startswith(
        f"warning: {rejected} of {spoilt.height} rows rejected, {rejected} of them because the "
        "period is not a month, quarter or financial year: did the file pass through Excel?"
    )


def test_a_few_rejected_rows_give_no_warning(runner: CliRunner, tmp_path: Path) -> None:
    returns = pl.read_csv(UCR / "returns.csv", infer_schema=False)
    path = tmp_path / "returns.csv"
    returns.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("n/a"))
        .otherwise(pl.col("numerator"))
        .alias("numerator")
    ).write_csv(path)
    result = runner.invoke(app, ["evaluate", str(UCR / "contract.yaml"), str(path)])
    assert "rejected, not_a_number: 1" in result.stderr
    assert f"{path}: row 2: numerator 'n/a' is not a number" in result.stderr
    assert "warning" not in result.stderr


def test_a_spend_file_counts_its_blank_rows_by_reason(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "spend.csv"
    text = SPEND.read_text(encoding="utf-8")
    path.write_text(text + ",,,\n,,,\n", encoding="utf-8")
    result = runner.invoke(app, ["reconcile", str(FUND), str(path)])
    assert result.exit_code == 0, result.output
    assert "  excluded, blank: 2" in result.stderr.splitlines()


def test_strict_lists_the_first_twenty_and_fails(runner: CliRunner, tmp_path: Path) -> None:
    returns = pl.read_csv(UCR / "returns.csv", infer_schema=False)
    path = tmp_path / "returns.csv"
    returns.with_columns(pl.lit("soon").alias("period")).write_csv(path)
    result = runner.invoke(app, ["evaluate", str(UCR / "contract.yaml"), str(path), "--strict"])
    assert result.exit_code == 2
    listed = [line for line in result.stderr.splitlines() if f"{path}: row " in line]
    assert len(listed) == 20
    assert f"… and {returns.height - 20} more rejected rows" in result.stderr
