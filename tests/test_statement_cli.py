"""``contractkit statement``: what a finance lead sees for the bundled example, the files it
writes, and bad input handled with a clear message and exit 2 (never a traceback)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from _support import assert_no_traceback
from contractkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "urgent-community-response"
CONTRACT = EXAMPLE / "contract.yaml"
RETURNS = EXAMPLE / "returns.csv"
ACTIVITY = EXAMPLE / "activity.csv"
OUTCOMES = EXAMPLE / "outcomes.csv"
ALL = [
    "statement",
    str(CONTRACT),
    str(RETURNS),
    "--activity",
    str(ACTIVITY),
    "--outcomes",
    str(OUTCOMES),
]
FIGURES = ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained", "held")


pytestmark = pytest.mark.usefixtures("plain_output")


def _money(text: str) -> Decimal:
    """'£1,234.56' or '−£5.00' as a decimal."""
    negative = text.startswith("−")
    value = Decimal(text.lstrip("−").lstrip("£").replace(",", ""))
    return -value if negative else value


def test_the_example_in_plain_lines(runner: CliRunner) -> None:
    result = runner.invoke(app, [*ALL, "--period", "2026/27"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0] == "NEL-UCR-2026: payment statement for 2026/27 (2026-04 to 2027-03)"
    providers = {line.split(" ", 1)[0]: line for line in out if not line.startswith((" ", "•"))}
    for code in ("NLO01", "RQX", "NQT10", "V4K"):
        assert code in providers
    assert providers["NLO01"] == (
        "NLO01 Riverside Community Care CIC: due £227,812.50, earned £26,388.75, deducted £0.00, "
        "withheld £0.00, repaid £0.00, payable £254,201.25, retained £0.00, held £0.00"
    )
    # each provider's payable follows from its figures
    for code, line in providers.items():
        if code.startswith(("NEL-UCR", "In")):
            continue
        values = dict(re.findall(r"(\w+) (−?£[\d,]+\.\d\d)", line))
        amounts = {k: _money(v) for k, v in values.items()}
        assert amounts["payable"] == (
            amounts["due"]
            + amounts["earned"]
            - amounts["deducted"]
            - amounts["withheld"]
            + amounts["repaid"]
        ), code
    assert "  ucr-north 2026-07 variable: £1,700.00 — 20 urgent_response × £85.00" in out
    assert (
        "  ucr-south 2026-11 consequence: −£10,000.00 — never-events, 2026-11 (underperforming): "
        "1 incident × £10,000.00"
    ) in out
    assert any(line.startswith("In all: due ") for line in out)
    # the accounts of the rows read, on stderr
    assert "returns.csv: 126 rows read: 126 accepted, 0 rejected" in result.stderr
    assert "activity.csv: 33 rows read: 15 accepted, 0 rejected, 18 excluded" in result.stderr
    assert "outcomes.csv: 201 rows read: 22 accepted, 0 rejected, 179 excluded" in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


def test_the_default_period_is_the_year_the_returns_reach(runner: CliRunner) -> None:
    result = runner.invoke(app, ALL)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("NEL-UCR-2026: payment statement for 2027/28 (2027-04 to ")


def test_a_quarter(runner: CliRunner) -> None:
    result = runner.invoke(app, [*ALL, "--period", "2026/27 Q4"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout.splitlines()
    assert out[0] == "NEL-UCR-2026: payment statement for 2026/27 Q4 (2027-01 to 2027-03)"
    months = {m for line in out for m in re.findall(r"^  \S+ (\d{4}-\d{2}) ", line)}
    assert months == {"2027-01", "2027-02", "2027-03"}
    assert any(" 2027-03 incentive_year_end: " in line for line in out)


def test_csv_of_the_providers(runner: CliRunner) -> None:
    result = runner.invoke(
        app, [*ALL, "--period", "2026/27", "--format", "csv", "--table", "providers"]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "provider,name,due,earned,deducted,withheld,repaid,payable,retained,held"
    assert len(lines) == 5
    assert lines[1] == (
        "NLO01,Riverside Community Care CIC,227812.50,26388.75,0.00,0.00,0.00,254201.25,0.00,0.00"
    )
    frame = pl.read_csv(result.stdout.encode(), infer_schema=False)
    for row in frame.iter_rows(named=True):
        due, earned, deducted, withheld, repaid, payable = (
            Decimal(row[f]) for f in ("due", "earned", "deducted", "withheld", "repaid", "payable")
        )
        assert payable == due + earned - deducted - withheld + repaid
    lines_csv = runner.invoke(app, [*ALL, "--period", "2026/27", "--format", "csv"])
    assert lines_csv.stdout.splitlines()[0] == (
        "provider,service,month,element,category,reference,quantity,amount,payable,basis"
    )


def test_json(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, [*ALL, "--period", "2026/27", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["format"] == "contractkit-statement"
    assert document["version"] == 1
    summary = document["summary"]
    assert summary["period"] == "2026/27"
    for figure in FIGURES:
        assert isinstance(summary[figure], str)
        assert Decimal(summary[figure]) == sum(
            (Decimal(p[figure]) for p in document["providers"]), Decimal(0)
        )
    assert Decimal(summary["payable"]) == sum(
        (Decimal(line["payable"]) for line in document["lines"]), Decimal(0)
    )
    assert all(isinstance(line["amount"], str) for line in document["lines"])
    assert document["account"]["activity"]["excluded"] == 18
    target = tmp_path / "statement.json"
    written = runner.invoke(
        app, [*ALL, "--period", "2026/27", "--format", "json", "-o", str(target)]
    )
    assert written.exit_code == 0
    assert written.stdout == ""
    assert json.loads(target.read_text("utf-8")) == document


def test_parquet(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "lines.parquet"
    result = runner.invoke(
        app, [*ALL, "--period", "2026/27", "--format", "parquet", "-o", str(target)]
    )
    assert result.exit_code == 0, result.stderr
    frame = pl.read_parquet(target)
    assert frame.columns[:4] == ["provider", "service", "month", "element"]
    assert frame.schema["amount"] == pl.Decimal(38, 2)
    assert frame.get_column("month").min() == "2026-04"
    assert frame.get_column("month").max() == "2027-03"
    providers = tmp_path / "providers.parquet"
    runner.invoke(
        app,
        [
            *ALL,
            "--period",
            "2026/27",
            "--format",
            "parquet",
            "--table",
            "providers",
            "-o",
            str(providers),
        ],
    )
    read = pl.read_parquet(providers)
    assert read.height == 4
    assert read.filter(pl.col("provider") == "NLO01").item(0, "payable") == Decimal("254201.25")


def test_text_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "statement.txt"
    result = runner.invoke(app, [*ALL, "--period", "2026/27 Q1", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    assert target.read_text("utf-8").startswith(
        "NEL-UCR-2026: payment statement for 2026/27 Q1 (2026-04 to 2026-06)"
    )


# --- problems: exit 2, a clear message, no traceback -------------------------------------------


def test_a_contract_without_a_finance_section(runner: CliRunner, tmp_path: Path) -> None:
    text = CONTRACT.read_text("utf-8")
    cut = text.index("\nfinance:")
    cut = text.rindex("\n#", 0, cut)  # the comment above the section too
    bare = tmp_path / "contract.yaml"
    bare.write_text(text[:cut] + "\n", encoding="utf-8")
    result = runner.invoke(app, ["statement", str(bare), str(RETURNS)])
    assert result.exit_code == 2
    assert (
        "contract NEL-UCR-2026 has no finance section: add 'finance:' to state what each "
        "service is paid"
    ) in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


def test_not_a_contract(runner: CliRunner) -> None:
    fund = ROOT / "examples" / "better-care-fund" / "fund.yaml"
    result = runner.invoke(app, ["statement", str(fund), str(RETURNS)])
    assert result.exit_code == 2
    assert f"{fund}: is a pooled_fund, not a contract" in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


@pytest.mark.parametrize("option", ["--activity", "--outcomes"])
def test_a_file_missing_a_column(runner: CliRunner, tmp_path: Path, option: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("service,period,units\nucr-north,2026-07,3\n", encoding="utf-8")
    result = runner.invoke(app, ["statement", str(CONTRACT), str(RETURNS), option, str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: the " in result.stderr
    assert " has no '" in result.stderr
    assert "(the columns are: service, period, units)" in result.stderr
    if option == "--activity":
        # 'units' shares letters with 'count' but is no slip of the keyboard from it: the
        # columns are listed instead of a guess.
        assert "has no 'count' column (the columns are:" in result.stderr
        assert "did you mean" not in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


def test_a_file_that_is_not_there(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nothere.csv"
    result = runner.invoke(
        app, ["statement", str(CONTRACT), str(RETURNS), "--activity", str(missing)]
    )
    assert result.exit_code == 2
    assert f"{missing}: no such file" in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


def test_strict(runner: CliRunner, tmp_path: Path) -> None:
    activity = tmp_path / "activity.csv"
    activity.write_text(
        "service,period,activity,count\n"
        "ucr-north,2026-07,urgent_respons,3\n"
        "ucr-north,2026-08,urgent_response,3\n",
        encoding="utf-8",
    )
    args = ["statement", str(CONTRACT), str(RETURNS), "--activity", str(activity)]
    lenient = runner.invoke(app, [*args, "--period", "2026/27"])
    assert lenient.exit_code == 0, lenient.stderr
    assert f"{activity}: 2 rows read: 1 accepted, 1 rejected, 0 excluded" in lenient.stderr
    assert "  rejected, unknown_activity: 1" in lenient.stderr
    assert (
        f"{activity}: row 2: service 'ucr-north' has no price for 'urgent_respons' (it prices: "
        "urgent_response); did you mean 'urgent_response'?"
    ) in lenient.stderr
    assert "ucr-north 2026-08 variable: £255.00 — 3 urgent_response × £85.00" in lenient.stdout
    strict = runner.invoke(app, [*args, "--period", "2026/27", "--strict"])
    assert strict.exit_code == 2
    assert strict.stdout == ""
    assert "rejected, unknown_activity: 1" in strict.stderr
    assert_no_traceback(strict.stdout, strict.stderr)
    clean = runner.invoke(app, [*ALL, "--period", "2026/27", "--strict"])
    assert clean.exit_code == 0, clean.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2028/29"], "no returns cover 2028/29: the returns reach 2027-12"),
        (["--period", "2028/29 Q1"], "no returns cover 2028/29 Q1"),
        (["--period", "2025/26"], "2025/26 is outside the contract's term"),
        (["--period", "soon"], "'soon' is not a period"),
        (["--as-of", "2027-13-01"], "--as-of '2027-13-01' is not a date: write it like 2027-03-31"),
        (["--as-of", "yesterday"], "--as-of 'yesterday' is not a date"),
        (["--format", "parquet"], "--format parquet needs --output FILE"),
        (["--format", "csv", "--table", "everything"], "no table 'everything'"),
    ],
)
def test_bad_options(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["statement", str(CONTRACT), str(RETURNS), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result.stdout, result.stderr)


def test_as_of(runner: CliRunner) -> None:
    result = runner.invoke(app, [*ALL, "--as-of", "2026-12-31"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "NEL-UCR-2026: payment statement for 2026/27 (2026-04 to 2026-12)"
    )
