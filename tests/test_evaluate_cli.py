"""``contractkit evaluate``: verdicts per service, exports, exit statuses, and bad returns.

Run in-process with typer's CliRunner on ``contractkit.cli.app``, against a small contract and
returns written to a temporary folder.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner
from typer.testing import Result as CliResult

from _support import REQUIRED_COLUMNS, evaluate, kpi, rows
from contractkit.cli import app

CONTRACT_YAML = """\
contractkit: 1
id: CLI-1
title: Command-line tests
commissioners:
  - id: QMF
    name: North East London ICB
term:
  start: 2026-04-01
  end: 2029-03-31
providers:
  - id: NLO01
    name: Riverside Community Care CIC
    type: social_enterprise
  - id: RQX
    name: Eastside Hospitals NHS Foundation Trust
    type: nhs_foundation_trust
embedding:
  - stage: mobilisation
    months: 3
    mode: shadow
  - stage: embedding
    months: 9
  - stage: established
kpis:
  - id: ucr-2h
    name: Urgent community response within 2 hours
    measure: proportion
    numerator: Urgent referrals reached within 2 hours
    denominator: Urgent referrals received
    better: higher
    reported: monthly
    assessed: quarterly
    threshold:
      embedding: 60%
      established: 70%
  - id: never-events
    name: Never events
    measure: count
    better: lower
    reported: monthly
    assessed: monthly
    threshold: 0
services:
  - id: ucr-north
    provider: NLO01
    commences: 2026-07-01
    kpis: [ucr-2h, never-events]
  - id: ucr-south
    provider: RQX
    commences: 2019-04-01
    kpis: [ucr-2h, never-events]
escalation:
  - step: contract_performance_notice
    flagged: 2
    within: 2
  - step: contract_performance_notice
    alarms: 1
    within: 1
  - step: remedial_action_plan
    flagged: 3
    within: 4
"""

# ucr-south: 11 of 20 each month, 33 of 60 a quarter against 70%: P(X ≤ 33 | 60, 0.7) = 0.00996,
# a warning in Q1 and Q2 — two flagged in two, a Contract Performance Notice at Q2. One never
# event in May 2026: an alarm (a CPN then), none otherwise. ucr-north mobilises (shadow) from
# July to September 2026.
HEADER = "service,kpi,period,numerator,denominator"
ROWS = [
    *(f"ucr-south,ucr-2h,2026-{m:02d},11,20" for m in range(4, 10)),
    *(f"ucr-south,never-events,2026-{m:02d},{1 if m == 5 else 0}," for m in range(4, 10)),
    *(f"ucr-north,ucr-2h,2026-{m:02d},10,20" for m in range(7, 10)),
    *(f"ucr-north,never-events,2026-{m:02d},0," for m in range(7, 10)),
]


pytestmark = pytest.mark.usefixtures("plain_output")


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "contract.yaml"
    path.write_text(CONTRACT_YAML, encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def returns(tmp_path: Path) -> Path:
    return write(tmp_path, "returns.csv", [HEADER, *ROWS])


def run(runner: CliRunner, *args: object) -> CliResult:
    result = runner.invoke(app, ["evaluate", *map(str, args)])
    # A user's mistake never shows a traceback, and the command never crashes.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in text
        assert not re.search(r'File ".*", line \d+', text)
    return result


def table_lines(stdout: str) -> dict[str, list[str]]:
    """The plain-text table: each service's heading line with the lines under it."""
    groups: dict[str, list[str]] = {}
    current = ""
    for line in stdout.splitlines():
        if line and not line.startswith(" "):
            current = line
            groups[current] = []
        elif line.strip():
            groups[current].append(line.strip())
    return groups


# --- the table ---------------------------------------------------------------------------------


def test_table_per_service_with_its_step(runner: CliRunner, contract: Path, returns: Path) -> None:
    result = run(runner, contract, returns)
    assert result.exit_code == 0, result.stderr
    groups = table_lines(result.stdout)
    headings = list(groups)
    assert len(headings) == 2
    south = next(h for h in headings if h.startswith("ucr-south"))
    north = next(h for h in headings if h.startswith("ucr-north"))
    assert "RQX" in south
    assert "contract performance notice" in south
    assert "NLO01" in north
    assert north.endswith("none")
    # Each KPI's latest period: the quarter for ucr-2h, the month for never-events.
    ucr = next(line for line in groups[south] if line.startswith("ucr-2h"))
    assert "2026/27 Q2" in ucr
    assert "established" in ucr
    assert "underperforming (warning)" in ucr
    assert "55.0%" in ucr  # 33 of 60
    never = next(line for line in groups[south] if line.startswith("never-events"))
    assert "2026-09" in never
    assert "met" in never
    shadow = next(line for line in groups[north] if line.startswith("ucr-2h"))
    assert "mobilisation" in shadow
    assert "shadow" in shadow
    # The account is on standard error, never mixed into the table.
    assert "18 rows read" in result.stderr
    assert "18 accepted" in result.stderr
    assert "rows read" not in result.stdout


def test_period_chooses_the_rows_shown(runner: CliRunner, contract: Path, returns: Path) -> None:
    result = run(runner, contract, returns, "--period", "2026/27 Q1")
    assert result.exit_code == 0, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines() if line.startswith(" ")]
    # ucr-south: ucr-2h's Q1 and never-events' April, May and June; ucr-north: not due in Q1.
    south_never = [line for line in lines if line.startswith("never-events") and "2026-0" in line]
    periods = sorted(re.search(r"2026-0\d", line).group() for line in south_never)  # type: ignore[union-attr]
    assert periods == ["2026-04", "2026-04", "2026-05", "2026-05", "2026-06", "2026-06"]
    assert any("2026/27 Q1" in line and "underperforming (warning)" in line for line in lines)
    assert not any("2026/27 Q2" in line or "2026-07" in line for line in lines)
    assert any("2026-05" in line and "underperforming (alarm)" in line for line in lines)


def test_bad_period_and_as_of(runner: CliRunner, contract: Path, returns: Path) -> None:
    result = run(runner, contract, returns, "--period", "Q5 2026")
    assert result.exit_code == 2
    assert "--period" in result.stderr
    result = run(runner, contract, returns, "--as-of", "30/06/2026")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_as_of(runner: CliRunner, contract: Path, returns: Path) -> None:
    result = run(runner, contract, returns, "--as-of", "2026-06-30", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(io.StringIO(result.stdout), infer_schema=False)
    # Periods to June 2026 only; July to September's 12 returns start after the date.
    assert set(table.get_column("period")) == {"2026/27 Q1", "2026-04", "2026-05", "2026-06"}
    assert "excluded, after_as_of: 12" in result.stderr
    south = table.filter((pl.col("service") == "ucr-south") & (pl.col("kpi") == "ucr-2h"))
    assert south.get_column("status").to_list() == ["underperforming"]
    assert south.get_column("escalation").to_list() == [None]


# --- exports -----------------------------------------------------------------------------------


def test_csv_to_standard_output_and_to_a_file(
    runner: CliRunner, contract: Path, returns: Path, tmp_path: Path
) -> None:
    result = run(runner, contract, returns, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(io.StringIO(result.stdout), infer_schema=False)
    assert table.columns[: len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    # The whole evaluation: per service, 2 quarters of ucr-2h and 6 months of never-events.
    assert table.height == 2 * (2 + 6)
    row = table.filter(
        (pl.col("service") == "ucr-south")
        & (pl.col("kpi") == "ucr-2h")
        & (pl.col("period") == "2026/27 Q2")
    ).row(0, named=True)
    assert (row["numerator"], row["denominator"], row["status"], row["level"]) == (
        "33.0",
        "60.0",
        "underperforming",
        "warning",
    )
    assert row["escalation"] == "contract_performance_notice"
    out = tmp_path / "out.csv"
    result = run(runner, contract, returns, "--format", "csv", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert pl.read_csv(out, infer_schema=False).equals(table)


def test_json_output(runner: CliRunner, contract: Path, returns: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = run(runner, contract, returns, "--format", "json", "--output", out)
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "contractkit-evaluation"
    assert data["version"] == 2
    assert len(data["rows"]) == 16
    assert all(row["explanation"] for row in data["rows"])
    assert data["account"]["read"] == 18
    printed = run(runner, contract, returns, "--format", "json")
    assert json.loads(printed.stdout)["rows"] == data["rows"]


def test_parquet_output(runner: CliRunner, contract: Path, returns: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    result = run(runner, contract, returns, "--format", "parquet", "--output", out)
    assert result.exit_code == 0, result.stderr
    table = pl.read_parquet(out)
    assert table.columns[: len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    assert table.height == 16
    assert table.schema["p_value"] == pl.Float64
    # Parquet needs a file.
    result = run(runner, contract, returns, "--format", "parquet")
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_a_chosen_period_exports_only_its_rows(
    runner: CliRunner, contract: Path, returns: Path
) -> None:
    result = run(runner, contract, returns, "--format", "csv", "--period", "2026/27 Q2")
    assert result.exit_code == 0, result.stderr
    table = pl.read_csv(io.StringIO(result.stdout), infer_schema=False)
    assert set(table.get_column("period")) == {"2026/27 Q2", "2026-07", "2026-08", "2026-09"}
    assert table.height == 2 * (1 + 3)


# --- exit statuses -----------------------------------------------------------------------------


def test_fail_on(runner: CliRunner, contract: Path, returns: Path) -> None:
    # Shown by default: ucr-south's Q2 warning and never-events September (met).
    assert run(runner, contract, returns, "--fail-on", "warning").exit_code == 1
    assert run(runner, contract, returns, "--fail-on", "alarm").exit_code == 0
    # Q1 shows May's never event: an alarm.
    q1 = run(runner, contract, returns, "--period", "2026/27 Q1", "--fail-on", "alarm")
    assert q1.exit_code == 1
    # August alone: nothing flagged.
    august = run(runner, contract, returns, "--period", "2026-08", "--fail-on", "warning")
    assert august.exit_code == 0
    # Without --fail-on, flags do not change the exit status.
    assert run(runner, contract, returns).exit_code == 0


def test_strict(runner: CliRunner, contract: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "returns.csv", [HEADER, *ROWS, "ucr-south,ucr2h,2026-04,1,2"])
    lenient = run(runner, contract, path)
    assert lenient.exit_code == 0
    assert "1 rejected" in lenient.stderr
    assert "unknown_kpi: 1" in lenient.stderr
    strict = run(runner, contract, path, "--strict")
    assert strict.exit_code == 2
    # The rejected row, by its line in the file (the header is line 1), with its reason.
    assert "row 20" in strict.stderr
    assert "'ucr2h'" in strict.stderr
    assert "did you mean 'ucr-2h'" in strict.stderr
    assert strict.stdout == ""
    clean = run(runner, contract, write(tmp_path, "clean.csv", [HEADER, *ROWS]), "--strict")
    assert clean.exit_code == 0


def test_map_and_where(runner: CliRunner, contract: Path, tmp_path: Path) -> None:
    extract = write(
        tmp_path,
        "extract.csv",
        [
            "org_code,month_start,metric,within_2h,after_2h",
            "RQX,2026-04-01,UCR,15,5",
            "RQX,2026-05-01,UCR,14,6",
            "RQX,2026-06-01,UCR,13,7",
            "RQX,2026-06-01,Falls,99,1",
        ],
    )
    result = run(
        runner,
        contract,
        extract,
        "--map",
        "org_code=provider",
        "--map",
        "month_start=period",
        "--map",
        "'ucr-2h'=kpi",
        "--map",
        "within_2h=numerator",
        "--map",
        "within_2h + after_2h=denominator",
        "--where",
        "metric = 'UCR'",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    assert "4 rows read: 3 accepted, 0 rejected, 1 excluded" in result.stderr
    table = pl.read_csv(io.StringIO(result.stdout), infer_schema=False)
    row = table.filter((pl.col("service") == "ucr-south") & (pl.col("kpi") == "ucr-2h")).row(
        0, named=True
    )
    # 15 + 14 + 13 = 42 of 20 × 3 = 60: 70%, met exactly.
    assert (row["period"], row["numerator"], row["denominator"], row["status"]) == (
        "2026/27 Q1",
        "42.0",
        "60.0",
        "met",
    )


def test_bad_map_and_where(runner: CliRunner, contract: Path, returns: Path) -> None:
    result = run(runner, contract, returns, "--map", "org_code")
    assert result.exit_code == 2
    assert "COLUMN=FIELD" in result.stderr
    result = run(runner, contract, returns, "--map", "org_code=provder")
    assert result.exit_code == 2
    assert "did you mean 'provider'" in result.stderr
    result = run(runner, contract, returns, "--where", "kpii = 'x'")
    assert result.exit_code == 2
    assert "did you mean 'kpi'" in result.stderr
    result = run(runner, contract, returns, "--where", "kpi is x")
    assert result.exit_code == 2
    assert "condition" in result.stderr


# --- bad returns files -------------------------------------------------------------------------


def test_wrong_columns(runner: CliRunner, contract: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path, "wrong.csv", ["servce,kpi,perod,numerator", "ucr-south,ucr-2h,2026-04,1"]
    )
    result = run(runner, contract, path)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert "'perod'" in result.stderr
    assert "'servce'" in result.stderr
    assert result.stdout == ""


def test_unparseable_periods(runner: CliRunner, contract: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "periods.csv",
        [HEADER, "ucr-south,ucr-2h,Q2 2026,1,2", "ucr-south,ucr-2h,2026-04,1,2"],
    )
    lenient = run(runner, contract, path)
    assert lenient.exit_code == 0
    assert "unreadable_period: 1" in lenient.stderr
    strict = run(runner, contract, path, "--strict")
    assert strict.exit_code == 2
    assert "row 2" in strict.stderr
    assert "'Q2 2026' does not say which financial year" in strict.stderr


def test_text_in_numeric_columns(runner: CliRunner, contract: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "text.csv",
        [HEADER, "ucr-south,ucr-2h,2026-04,eleven,20", "ucr-south,ucr-2h,2026-05,11,20"],
    )
    lenient = run(runner, contract, path)
    assert lenient.exit_code == 0
    assert "not_a_number: 1" in lenient.stderr
    strict = run(runner, contract, path, "--strict")
    assert strict.exit_code == 2
    assert "row 2" in strict.stderr
    assert "numerator" in strict.stderr


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n", "cannot be read"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "binary"),
        (
            "semi.csv",
            b"service;kpi;period;numerator;denominator\nucr-south;ucr-2h;2026-04;1;2\n",
            "';'",
        ),
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "cannot be read"),
        ("broken.parquet", b"not parquet at all", "cannot be read"),
    ],
)
def test_files_that_are_not_returns(
    runner: CliRunner, contract: Path, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run(runner, contract, path)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert expected in result.stderr
    assert result.stdout == ""


def test_a_missing_returns_file(runner: CliRunner, contract: Path, tmp_path: Path) -> None:
    result = run(runner, contract, tmp_path / "nowhere.csv")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_a_bad_contract(runner: CliRunner, returns: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(CONTRACT_YAML.replace("threshold: 0", "threshold: 0 minuets"), "utf-8")
    result = run(runner, path, returns)
    assert result.exit_code == 2
    assert "bad.yaml:" in result.stderr
    assert result.stdout == ""


# --- found in review: the verdict line says what the row holds ------------------------------


def _verdict_lines(definition: dict[str, object], records: list[dict[str, object]]) -> list[str]:
    from datetime import date

    from _support import contract  # here, not above: this module's fixture `contract` is a file
    from contractkit.cli._evaluation import render_verdicts, select_rows

    evaluation = evaluate(contract(definition), records, as_of=date(2026, 9, 30))
    text = render_verdicts(evaluation, select_rows(evaluation, None), None) or ""
    return text.splitlines()[1:]


def test_a_count_in_the_thousands_is_written_as_people_write_it() -> None:
    delays = kpi("handover-delays", "count", 1500, unit="event")
    months = [(f"2026-{m:02d}", {"numerator": 600}) for m in range(7, 10)]
    (line,) = _verdict_lines(delays, rows("handover-delays", *months))
    assert "e+0" not in line
    # The exact Poisson interval of 1,800 events is 1,717.8 to 1,885.1 (χ² quantiles / 2).
    assert "observed 1,800 (1,718–1,885) against ≤ 1,500 events; " in line


def test_a_year_to_date_figure_lacking_an_earlier_return_says_so_on_its_line() -> None:
    ytd = kpi("on-time-ytd", "proportion", "70%", better="higher", combine="cumulative")
    months = [(f"2026-{m:02d}", {"numerator": 8, "denominator": 10}) for m in range(5, 10)]
    (line,) = _verdict_lines(ytd, rows("on-time-ytd", *months))
    assert "; returns 3 of 3 (year to date incomplete); " in line
