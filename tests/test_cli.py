"""The ``contractkit`` command: validate and schema, in-process and as a real console script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

import contractkit
from _support import COLOUR_SETTINGS, as_json, assert_no_traceback
from contractkit.cli import app
from contractkit.spec._yaml import compose

ROOT = Path(__file__).resolve().parent.parent
COMMITTED_SCHEMA = ROOT / "schema" / "contract.schema.json"
CONSOLE_SCRIPT = Path(sys.executable).parent / "contractkit"

KPI_SENTENCE = (
    "Urgent community response within 2 hours must be at least 70% once established "
    "(60% while embedding), assessed quarterly"
)
LOCATED = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<path>[\w.\[\]-]+): (?P<msg>.+)$"
)


pytestmark = pytest.mark.usefixtures("plain_output")


@pytest.fixture
def bad_path(tmp_path: Path, ucr_text: str) -> Path:
    """The example with one mistake: an unknown unit on line 60, column 16."""
    path = tmp_path / "bad.yaml"
    assert ucr_text.count("threshold: 90 minutes") == 1
    path.write_text(ucr_text.replace("threshold: 90 minutes", "threshold: 90 minuets"), "utf-8")
    return path


def located_lines(stderr: str) -> list[re.Match[str]]:
    return [m for m in map(LOCATED.match, stderr.splitlines()) if m]


# --- validate ---------------------------------------------------------------------------------


def test_validate_valid_example(runner: CliRunner, ucr_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(ucr_path)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"{ucr_path}: valid\n")
    assert "NEL-UCR-2026: Urgent community response and falls prevention" in out
    assert "term: 1 April 2026 to 31 March 2029" in out
    # providers, grouped by type
    assert "Providers (4)" in out
    for line in (
        "  NHS foundation trust: Eastside Hospitals NHS Foundation Trust (RQX)",
        "  independent sector: Harbour Health Ltd (NQT10)",
        "  VCSE: Neighbours Together (V4K)",
        "  social enterprise: Riverside Community Care CIC (NLO01)",
    ):
        assert line in out.splitlines()
    # each service's stages, with dates
    north = out[out.index("  ucr-north (") : out.index("  ucr-south (")]
    assert "commences 1 July 2026" in north
    assert (
        "mobilisation (shadow: reported, never flagged) 1 July 2026 to 30 September 2026" in north
    )
    assert "embedding 1 October 2026 to 30 June 2027" in north
    assert "established from 1 July 2027" in north
    south = out[out.index("  ucr-south (") : out.index("  falls-east (")]
    assert "established throughout the term" in south
    east = out[out.index("  falls-east (") : out.index("  falls-befriending (")]
    assert (
        "mobilisation (shadow: reported, never flagged) 1 October 2026 to 31 December 2026" in east
    )
    # the KPIs in words
    assert KPI_SENTENCE in out
    assert "Never events must be zero, assessed monthly" in out
    assert result.stderr == ""


def test_validate_quiet_prints_nothing_for_a_valid_file(runner: CliRunner, ucr_path: Path) -> None:
    result = runner.invoke(app, ["validate", "--quiet", str(ucr_path)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == ""


def test_validate_bad_file(runner: CliRunner, bad_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(bad_path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr.splitlines()
    assert err[0] == (
        f"{bad_path}:60:16: kpis[1].threshold: unknown unit 'minuets'; did you mean 'minutes'?"
    )
    assert err[1] == "   60 |     threshold: 90 minuets"
    assert err[2] == "      |                ^"
    assert err[-1] == "1 problem found"
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_validate_reports_every_problem_located(
    runner: CliRunner, tmp_path: Path, ucr_text: str
) -> None:
    text = ucr_text
    for old, new in (
        ("  end: 2029-03-31", "  end: 2025-03-31"),
        ("months: 3", "months: three"),
        ("threshold: 90 minutes", "threshold: 90 minuets"),
        ("provider: RQX", "provider: RQZ"),
        ("kpis: [ucr-2h, falls-admissions]", "kpis: [ucr-2h, falls-admits]"),
        ("    flagged: 3\n    within: 4", "    flagged: 5\n    within: 4"),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "six.yaml"
    path.write_text(text, "utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    found = [
        (m["file"], int(m["line"]), int(m["col"]), m["path"]) for m in located_lines(result.stderr)
    ]
    assert found == [
        (str(path), 10, 8, "term.end"),
        (str(path), 29, 13, "embedding[0].months"),
        (str(path), 60, 16, "kpis[1].threshold"),
        (str(path), 91, 15, "services[1].provider"),
        (str(path), 106, 20, "outcomes[0].kpis[1]"),
        (str(path), 118, 14, "escalation[2].flagged"),
    ]
    assert result.stderr.splitlines()[-1] == "6 problems found"
    assert_no_traceback(result.stderr)


def test_validate_several_files(runner: CliRunner, ucr_path: Path, bad_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(bad_path), str(ucr_path)])
    assert result.exit_code == 2
    # the good one is still summarised, after the bad one
    assert f"{ucr_path}: valid" in result.stdout
    assert KPI_SENTENCE in result.stdout
    assert str(bad_path) not in result.stdout
    (match,) = located_lines(result.stderr)
    assert match["file"] == str(bad_path)
    assert (match["line"], match["col"]) == ("60", "16")
    assert_no_traceback(result.stdout, result.stderr)


def test_validate_several_good_files(runner: CliRunner, ucr_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(ucr_path.read_text("utf-8"), "utf-8")
    result = runner.invoke(app, ["validate", str(ucr_path), str(copy)])
    assert result.exit_code == 0
    assert f"{ucr_path}: valid" in result.stdout
    assert f"{copy}: valid" in result.stdout
    assert result.stdout.count(KPI_SENTENCE) == 2


def test_validate_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = runner.invoke(app, ["validate", str(missing)])
    assert result.exit_code == 2
    assert f"{missing}: no such file" in result.stderr.splitlines()
    assert result.stdout == ""
    assert_no_traceback(result.stderr)


def test_validate_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}: is a folder, not a spec file" in result.stderr.splitlines()
    assert_no_traceback(result.stderr)


def test_validate_without_files_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr
    assert_no_traceback(result.stderr)


# --- help and version -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--help"], ["Usage: contractkit", "validate", "schema", "--version"]),
        (["validate", "--help"], ["Usage: contractkit validate", "--quiet", "FILE:LINE:COLUMN"]),
        (["schema", "--help"], ["Usage: contractkit schema", "--kind", "--output", "--check"]),
    ],
)
def test_help(runner: CliRunner, args: list[str], words: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    for word in words:
        assert word in result.stdout
    assert_no_traceback(result.stdout)


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"contractkit {contractkit.__version__}\n"


# --- schema -------------------------------------------------------------------------------------


def example_as_json(ucr_text: str) -> Any:
    """The example as plain data, as an editor's YAML language server would see it."""
    document, problems = compose(ucr_text)
    assert problems == []
    return json.loads(json.dumps(as_json(document.data)))


def test_schema_is_a_json_schema_the_example_satisfies(runner: CliRunner, ucr_text: str) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    data = example_as_json(ucr_text)
    assert [e.message for e in validator.iter_errors(data)] == []
    # and the schema has teeth: a misspelt key and a missing one are caught
    data["titel"] = data.pop("title")
    messages = " ".join(e.message for e in validator.iter_errors(data))
    assert "'titel' was unexpected" in messages
    assert "'title' is a required property" in messages


def test_schema_output_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "contract.schema.json"
    result = runner.invoke(app, ["schema", "--output", str(target)])
    assert result.exit_code == 0
    printed = runner.invoke(app, ["schema"]).stdout
    assert target.read_text("utf-8") == printed
    assert json.loads(printed) == contractkit.json_schema("contract")


def test_schema_check_committed_copy(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema", "--check", str(COMMITTED_SCHEMA)])
    assert result.exit_code == 0, result.stderr
    assert "up to date" in result.stdout


def test_schema_check_stale_copy(runner: CliRunner, tmp_path: Path) -> None:
    stale = tmp_path / "contract.schema.json"
    schema = json.loads(COMMITTED_SCHEMA.read_text("utf-8"))
    schema["title"] = "Something else"
    stale.write_text(json.dumps(schema, indent=2) + "\n", "utf-8")
    result = runner.invoke(app, ["schema", "--check", str(stale)])
    assert result.exit_code == 1
    assert f"{stale} is stale" in result.stderr
    assert_no_traceback(result.stderr)


def test_schema_check_missing_copy(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--check", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert_no_traceback(result.stderr)


def test_schema_check_of_a_file_that_is_not_utf8(runner: CliRunner, tmp_path: Path) -> None:
    latin = tmp_path / "contract.schema.json"
    latin.write_bytes('{"title": "Contrat sign\u00e9"}'.encode("latin-1"))
    result = runner.invoke(app, ["schema", "--check", str(latin)])
    assert result.exit_code == 2
    assert f"{latin}: not UTF-8 text (byte 23)" in result.stderr
    assert "contractkit schema --kind contract --output" in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


def test_schema_unknown_kind(runner: CliRunner) -> None:
    result = runner.invoke(app, ["schema", "--kind", "nope"])
    assert result.exit_code == 2
    assert "unknown kind 'nope'" in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result.stderr)


# --- the real console script --------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in COLOUR_SETTINGS}
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
        check=False,
    )


def test_console_script_validates_good_bad_and_missing(
    ucr_path: Path, bad_path: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = run("validate", str(ucr_path), str(bad_path), str(missing))
    assert result.returncode == 2
    assert result.stdout.startswith(f"{ucr_path}: valid\n")
    assert KPI_SENTENCE in result.stdout
    assert (
        "mobilisation (shadow: reported, never flagged) 1 July 2026 to 30 September 2026"
        in result.stdout
    )
    err = result.stderr.splitlines()
    assert (
        f"{bad_path}:60:16: kpis[1].threshold: unknown unit 'minuets'; did you mean 'minutes'?"
        in err
    )
    assert f"{missing}: no such file" in err
    assert_no_traceback(result.stdout, result.stderr)


def test_console_script_version_and_schema_check() -> None:
    version = run("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"contractkit {contractkit.__version__}"
    check = run("schema", "--check", str(COMMITTED_SCHEMA))
    assert check.returncode == 0, check.stderr
    assert_no_traceback(version.stderr, check.stderr)


# --- --output that cannot be written ------------------------------------------------------------

EXAMPLES = ROOT / "examples"
COMMANDS: dict[str, list[str]] = {
    "evaluate": [
        "evaluate",
        str(EXAMPLES / "urgent-community-response" / "contract.yaml"),
        str(EXAMPLES / "urgent-community-response" / "returns.csv"),
    ],
    "reconcile": [
        "reconcile",
        str(EXAMPLES / "better-care-fund" / "fund.yaml"),
        str(EXAMPLES / "better-care-fund" / "spend.csv"),
    ],
    "assess": [
        "assess",
        str(EXAMPLES / "system-plan" / "plan.yaml"),
        str(EXAMPLES / "system-plan" / "outturn.csv"),
    ],
    "statement": [
        "statement",
        str(EXAMPLES / "urgent-community-response" / "contract.yaml"),
        str(EXAMPLES / "urgent-community-response" / "returns.csv"),
    ],
}
FORMATS = ("table", "csv", "json", "parquet")


def _unwritable(kind: str, tmp_path: Path) -> tuple[Path, str]:
    """A path of the kind named that no file can be written to, and what the message says."""
    root = os.geteuid() == 0
    if kind == "missing folder":
        return tmp_path / "nowhere" / "out", "there is no folder"
    if kind == "folder":
        return tmp_path, "it is a folder"
    if kind == "file as folder":
        plain = tmp_path / "plain.txt"
        plain.write_text("", "utf-8")
        return plain / "out", "is a file, not a folder"
    if kind == "read-only":
        if root:  # root may write any ordinary file; the system's own may not be
            if not Path("/sys/kernel/notes").exists():
                pytest.skip("no file here that root may not write")
            return Path("/sys/kernel/notes"), "permission denied"
        locked = tmp_path / "locked"
        locked.write_text("kept", "utf-8")
        locked.chmod(0o444)
        return locked, "permission denied"
    if kind == "full disk":
        if not Path("/dev/full").exists():
            pytest.skip("no /dev/full here")
        return Path("/dev/full"), "the disk is full"
    return tmp_path / ("n" * 300), "at most 255"


UNWRITABLE = ("missing folder", "folder", "file as folder", "read-only", "full disk", "too long")


@pytest.mark.parametrize("kind", UNWRITABLE)
@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_output_that_cannot_be_written_is_a_clear_problem(
    runner: CliRunner, tmp_path: Path, command: str, output_format: str, kind: str
) -> None:
    """Every command and format: exit 2, the message naming the file and the reason, no
    traceback (each was once a traceback)."""
    path, words = _unwritable(kind, tmp_path)
    args = [*COMMANDS[command], "--format", output_format, "--output", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"--output: cannot write {str(path)[:40]}" in result.stderr
    assert words in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


@pytest.mark.parametrize("kind", UNWRITABLE)
def test_a_schema_output_that_cannot_be_written_is_a_clear_problem(
    runner: CliRunner, tmp_path: Path, kind: str
) -> None:
    path, words = _unwritable(kind, tmp_path)
    result = runner.invoke(app, ["schema", "--output", str(path)])
    assert result.exit_code == 2, result.output
    assert f"--output: cannot write {str(path)[:40]}" in result.stderr
    assert words in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


def test_a_missing_folder_is_found_before_the_work(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path is checked first: a mistake in it is found before the returns are read."""
    import contractkit.evaluation as evaluation

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the work was done before the output was checked")

    monkeypatch.setattr(evaluation, "evaluate", never)
    target = tmp_path / "nowhere" / "out.csv"
    result = runner.invoke(app, [*COMMANDS["evaluate"], "--format", "csv", "-o", str(target)])
    assert result.exit_code == 2
    assert "there is no folder" in result.stderr


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_writes_every_format_to_a_file(
    runner: CliRunner, tmp_path: Path, command: str, output_format: str
) -> None:
    target = tmp_path / f"out.{output_format}"
    args = [*COMMANDS[command], "--format", output_format, "--output", str(target)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    if output_format == "parquet":
        import polars as pl

        assert pl.read_parquet(target).height > 0
    elif output_format == "json":
        assert json.loads(target.read_text("utf-8"))["format"].startswith("contractkit")
    elif output_format == "table":
        printed = runner.invoke(app, [*COMMANDS[command], "--format", "table"]).stdout
        assert target.read_text("utf-8") == printed


def test_python_m_contractkit_is_the_command() -> None:
    import subprocess
    import sys

    shown = subprocess.run(
        [sys.executable, "-m", "contractkit", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (shown.returncode, shown.stdout.strip()) == (0, f"contractkit {contractkit.__version__}")
