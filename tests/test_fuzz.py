"""Every class of bad input that issue 9's fuzzing run found, in one table, run as a user runs it.

Each row of ``CLASSES`` is one class the fuzzing run named — the silent wrong figures, the
errors that printed themselves a million times, the wrong places, the hangs, the amounts past
64 bits, the output paths, the tables, the YAML and the misuses of the API — made from the
bundled examples and run through the command line (``typer.testing.CliRunner``) or the public
API, under a time limit that stops a hang. Each must end as the user should see it: exit
status 2 (or the documented ``ContractKitError``), no traceback, the value or the place at
fault named, a bounded amount of output; and for the silent ones, the right figure, or the row
rejected with its reason. Some classes are covered in depth elsewhere (tests/test_spec_fuzz.py
for YAML, tests/test_money.py, tests/test_returns_frames.py, tests/test_returns_numbers.py,
tests/test_output_file.py); here each appears at least once so that all of them can be read in
one place.

The hypothesis tests at the end put generated text in the cells of a returns file and
generated frames through the API: every row is accounted for, and nothing but a
``ContractKitError`` ever reaches the user.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import contractkit
from _support import time_limit
from contractkit import ContractKitError, Money, allocate
from contractkit.cli import app
from contractkit.money import MAX_PENCE

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
UCR = "urgent-community-response"
BCF = "better-care-fund"
PLAN = "system-plan"

HARD_LIMIT = 20
"""Seconds after which a run is stopped, so that a hang fails the test rather than the suite.
A hang guard with a wide margin for a busy machine, not a speed measure: the inputs that hung
ran for 30 to 75 seconds, and each is now refused in well under a second."""
MOST_OUTPUT = 20_000
"""The most output, in characters, any one bad input may give (the runs that printed
themselves gave 192 MB and 1 GB)."""


# --- inputs made from the bundled examples ----------------------------------------------------


def example(tmp: Path, name: str) -> Path:
    """A copy of a bundled example's folder, to edit."""
    folder = tmp / name
    if not folder.exists():
        shutil.copytree(EXAMPLES / name, folder)
    return folder


def edited(tmp: Path, name: str, file: str, *edits: tuple[str, str], to: str = "") -> Path:
    """A bundled example's file with each ``old`` replaced by ``new`` (each ``old`` exactly
    once), written beside the example's other files as ``to`` (or over the file)."""
    folder = example(tmp, name)
    text = (EXAMPLES / name / file).read_text("utf-8")
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
        text = text.replace(old, new)
    path = folder / (to or file)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def ucr(tmp: Path, file: str = "contract.yaml") -> str:
    return str(example(tmp, UCR) / file)


def returns_with(tmp: Path, old: str, new: str) -> str:
    return str(edited(tmp, UCR, "returns.csv", (old, new), to="edited-returns.csv"))


FIRST_CONTACT = "ucr-north,first-contact,2026-07,,,110.5,20,39.6"
UCR_2H = "ucr-north,ucr-2h,2026-07,10,20,,,"
NEVER_EVENTS = "ucr-north,never-events,2026-07,0,,,,"
Q2 = "2026/27 Q2"
CONTRACT = contractkit.load(EXAMPLES / UCR / "contract.yaml")


# --- how a row is run ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What the user saw: the exit status (2 for a ``ContractKitError`` from the API) and the
    text shown (the command's output, or the error's message)."""

    status: int
    text: str


def cli(*args: str) -> Shown:
    """A command, as a user runs it."""
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r} reached the user") from (
            result.exception
        )
    return Shown(result.exit_code, result.output)


def api(call: Callable[[], object], error: type[ContractKitError] = ContractKitError) -> Shown:
    """A call of the public API: status 2 and the message if it raised ``error`` (anything else
    raised fails the test), status 0 and the result's text if it did not."""
    try:
        value = call()
    except error as raised:
        return Shown(2, str(raised))
    return Shown(0, str(value))


@dataclass(frozen=True)
class Case:
    run: Callable[[Path], Shown]
    words: tuple[str, ...]
    """Each must be in what was shown: the value at fault, its place, the reason."""
    status: int = 2


def strict_evaluate(old: str, new: str) -> Callable[[Path], Shown]:
    """``evaluate --strict`` of the example's returns with one row edited: a rejected row is an
    error, so its message is shown and the status is 2."""
    return lambda tmp: cli(
        "evaluate", ucr(tmp), returns_with(tmp, old, new), "--period", Q2, "--strict"
    )


def rejected_not_read(old: str, new: str) -> Callable[[Path], Shown]:
    """Without ``--strict``: the edited row is rejected with its reason (the account holds it,
    and every row read is accepted, rejected or excluded), never read as a figure."""

    def run(tmp: Path) -> Shown:
        path = returns_with(tmp, old, new)
        evaluation = contractkit.evaluate(contractkit.load(ucr(tmp)), path)
        account = evaluation.account
        assert account["read"] == 126
        assert account["accepted"] + account["rejected"] + account["excluded"] == 126
        assert account["rejected"] == 1, account
        (message,) = evaluation.rejected["message"].to_list()
        (row,) = evaluation.rejected["row"].to_list()
        lines = Path(path).read_text("utf-8").splitlines()
        assert row == 1 + lines.index(new)
        return Shown(0, f"row {row}: {message}")

    return run


def thousands_read_right(tmp: Path) -> Shown:
    """A thousands separator in its place is read as one: 1,234 of 2,000 in place of 10 of 20
    adds 1,224 to the quarter's numerator and 1,980 to its denominator."""

    def quarter(returns: str) -> tuple[float, float]:
        evaluation = contractkit.evaluate(contractkit.load(ucr(tmp)), returns)
        assert evaluation.account["rejected"] == 0
        row = evaluation.table.filter(
            (pl.col("service") == "ucr-north")
            & (pl.col("kpi") == "ucr-2h")
            & (pl.col("period") == Q2)
        )
        return row["numerator"].item(), row["denominator"].item()

    before = quarter(ucr(tmp, "returns.csv"))
    after = quarter(returns_with(tmp, UCR_2H, 'ucr-north,ucr-2h,2026-07,"1,234","2,000",,,'))
    assert (after[0] - before[0], after[1] - before[1]) == (1224, 1980), (before, after)
    return Shown(0, f"{after[0]:.0f} of {after[1]:.0f}")


def statement_with_activity(tmp: Path, count: str) -> Shown:
    activity = edited(
        tmp,
        UCR,
        "activity.csv",
        ("ucr-north,2026-07,urgent_response,20", f"ucr-north,2026-07,urgent_response,{count}"),
        to="edited-activity.csv",
    )
    folder = example(tmp, UCR)
    return cli(
        "statement",
        ucr(tmp),
        str(folder / "returns.csv"),
        "--activity",
        str(activity),
        "--outcomes",
        str(folder / "outcomes.csv"),
        "--strict",
    )


def reconcile_parquet_spend(tmp: Path) -> Shown:
    """A Parquet spend column of integers, one of them 10^17 pounds."""
    folder = example(tmp, BCF)
    spend = pl.read_csv(folder / "spend.csv", infer_schema_length=0)
    spend = spend.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(10**17, dtype=pl.Int64))
        .otherwise(pl.col("amount").str.replace(r"\..*", "").cast(pl.Int64))
        .alias("amount")
    )
    spend.write_parquet(tmp / "spend.parquet")
    return cli("reconcile", str(folder / "fund.yaml"), str(tmp / "spend.parquet"), "--strict")


def reconcile_many_lines(tmp: Path, amount: str, months: int) -> Shown:
    """Each of the fund's lines spending ``amount`` in each of ``months`` months, in JSON."""
    folder = example(tmp, BCF)
    lines = ("community-health", "reablement", "discharge", "carers", "dfg")
    body = "".join(
        f"{line},2026-{month:02d},{amount},\n" for line in lines for month in range(4, 4 + months)
    )
    (tmp / "spend-many.csv").write_text("line,period,amount,forecast\n" + body, encoding="utf-8")
    return cli(
        "reconcile",
        str(folder / "fund.yaml"),
        str(tmp / "spend-many.csv"),
        "--format",
        "json",
        "--strict",
    )


def duplicates(tmp: Path, copies: int) -> Shown:
    """The example's returns repeated ``copies`` times, each copy's decimals a little longer:
    every row a conflicting duplicate of ``copies - 1`` others, all rejected, and each message
    short however many duplicates there are (each once listed every other's row)."""
    lines = (EXAMPLES / UCR / "returns.csv").read_text("utf-8").splitlines()
    body = [
        re.sub(r",(\d+\.\d),", f",\\g<1>{copy:02d},", line)
        for copy in range(copies)
        for line in lines[1:]
    ]
    path = tmp / "duplicated.csv"
    path.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    evaluation = contractkit.evaluate(contractkit.load(EXAMPLES / UCR / "contract.yaml"), path)
    account = evaluation.account
    assert account["read"] == 126 * copies
    assert account["accepted"] + account["rejected"] + account["excluded"] == account["read"]
    assert account["rejected_by_reason"].get("duplicate", 0) >= 36 * copies, account
    messages = evaluation.rejected["message"]
    assert messages.str.len_chars().max() < 400, messages.str.len_chars().max()
    shown = cli("evaluate", str(EXAMPLES / UCR / "contract.yaml"), str(path))
    return Shown(shown.status, shown.text + "\n" + messages[0])


def csv_row_after_quoted_newline(tmp: Path) -> Shown:
    """A quoted newline in row 2 (lines 2 and 3 of the file), and a bad period further down:
    the bad row is reported at its own line of the file."""
    lines = (EXAMPLES / UCR / "returns.csv").read_text("utf-8").splitlines()
    lines[1] = 'ucr-north,ucr-2h,2026-07,10,20,,,"a note\nover two lines"'
    lines[0] += ",note"
    lines[10] = lines[10].replace("2026", "2O26", 1)
    path = tmp / "returns-with-a-note.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cli("evaluate", ucr(tmp), str(path), "--strict")


def output_to(command: str, fmt: str, target: Callable[[Path], Path]) -> Callable[[Path], Shown]:
    """``command`` of its example, written as ``fmt`` to the path ``target`` gives."""

    def run(tmp: Path) -> Shown:
        out = str(target(tmp))
        args = {
            "evaluate": ["evaluate", ucr(tmp), ucr(tmp, "returns.csv")],
            "statement": [
                "statement",
                ucr(tmp),
                ucr(tmp, "returns.csv"),
                "--activity",
                ucr(tmp, "activity.csv"),
                "--outcomes",
                ucr(tmp, "outcomes.csv"),
            ],
            "reconcile": [
                "reconcile",
                str(example(tmp, BCF) / "fund.yaml"),
                str(example(tmp, BCF) / "spend.csv"),
            ],
            "assess": [
                "assess",
                str(example(tmp, PLAN) / "plan.yaml"),
                str(example(tmp, PLAN) / "outturn.csv"),
            ],
            "schema": ["schema"],
        }[command]
        if fmt != "table":
            args += ["--format", fmt]
        shown = cli(*args, "--output", out)
        assert out in shown.text, shown.text
        return shown

    return run


def missing_folder(tmp: Path) -> Path:
    return tmp / "no-such-folder" / "out.file"


def a_folder(tmp: Path) -> Path:
    (tmp / "a-folder").mkdir(exist_ok=True)
    return tmp / "a-folder"


def dev_full(tmp: Path) -> Path:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    return Path("/dev/full")


def read_only(tmp: Path) -> Path:
    folder = tmp / "read-only"
    folder.mkdir(exist_ok=True)
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.write_text("")  # root may write anywhere: then a file the kernel refuses
    except PermissionError:
        return folder / "out.file"
    probe.unlink()
    if not Path("/proc/version").exists():
        pytest.skip("no file here that this user may not write")
    return Path("/proc/version")


OUTPUT_WORDS = {
    missing_folder: ("no-such-folder",),
    a_folder: ("a-folder", "is a folder"),
    dev_full: ("/dev/full",),
    read_only: ("cannot",),
}


def long_name(tmp: Path, command: str) -> Shown:
    """A returns or spend file whose name is over 255 characters."""
    name = "x" * 300 + ".csv"
    if command == "evaluate":
        return cli("evaluate", ucr(tmp), str(tmp / name))
    return cli("reconcile", str(example(tmp, BCF) / "fund.yaml"), str(tmp / name))


def wide_or_long_header(tmp: Path, command: str, header: str) -> Shown:
    """A table whose header is a very long name or very many names, and none of the columns
    the command needs: the message lists the columns briefly."""
    path = tmp / "table.csv"
    path.write_text(header + "\n" + ",".join(["1"] * (header.count(",") + 1)) + "\n", "utf-8")
    if command == "evaluate":
        return cli("evaluate", ucr(tmp), str(path))
    if command == "map":
        return cli("evaluate", ucr(tmp), ucr(tmp, "returns.csv"), "--map", header + "=kpi")
    return cli("reconcile", str(example(tmp, BCF) / "fund.yaml"), str(path))


def parquet_numerator(tmp: Path, values: pl.Series) -> Shown:
    returns = pl.read_csv(EXAMPLES / UCR / "returns.csv", infer_schema_length=0).head(3)
    returns = returns.with_columns(values.alias("numerator"))
    returns.write_parquet(tmp / "returns.parquet")
    return cli("evaluate", ucr(tmp), str(tmp / "returns.parquet"), "--strict")


def ucr_frame() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / UCR / "returns.csv", dtype=str, keep_default_na=False)


def evaluate_frame(frame: object) -> Callable[[Path], Shown]:
    """A frame through ``contractkit.evaluate``: any structural problem is a ``ReturnsError``;
    otherwise every row is accounted for and the rejected rows say why."""

    def run(tmp: Path) -> Shown:
        contract = contractkit.load(EXAMPLES / UCR / "contract.yaml")
        try:
            evaluation = contractkit.evaluate(contract, frame)
        except contractkit.ReturnsError as error:
            return Shown(2, str(error))
        account = evaluation.account
        assert account["accepted"] + account["rejected"] + account["excluded"] == account["read"]
        return Shown(0, "\n".join(evaluation.rejected["message"].to_list()))

    return run


def mixed_frame() -> pd.DataFrame:
    frame = ucr_frame().head(3).astype(object)
    frame.loc[0, "numerator"] = 10
    frame.loc[1, "value"] = "n/a"
    return frame


def complex_frame() -> pd.DataFrame:
    frame = ucr_frame().head(3)
    frame["numerator"] = [complex(1, 2), complex(3, 0), complex(0, 0)]
    return frame


def duplicate_columns_frame() -> pd.DataFrame:
    frame = ucr_frame().head(3)
    return pd.concat([frame, frame[["numerator"]]], axis=1)


def object_polars_frame() -> pl.DataFrame:
    frame = pl.from_pandas(ucr_frame().head(3))
    return frame.with_columns(pl.Series("numerator", [object(), 1, "2"], dtype=pl.Object))


def validate_edited(name: str, file: str, old: str, new: str) -> Callable[[Path], Shown]:
    return lambda tmp: cli("validate", str(edited(tmp, name, file, (old, new))))


def run_with_edited(
    command: str, name: str, file: str, old: str, new: str
) -> Callable[[Path], Shown]:
    """``command`` on its example with its spec edited (which ``validate`` must refuse first:
    the command refuses it the same way, at load)."""

    def run(tmp: Path) -> Shown:
        spec = str(edited(tmp, name, file, (old, new)))
        folder = example(tmp, name)
        data = {
            "assess": ["outturn.csv"],
            "reconcile": ["spend.csv"],
            "statement": ["returns.csv"],
        }[command]
        extra = (
            ["--activity", str(folder / "activity.csv"), "--outcomes", str(folder / "outcomes.csv")]
            if command == "statement"
            else []
        )
        return cli(command, spec, *(str(folder / d) for d in data), *extra)

    return run


def schema_check_latin1(tmp: Path) -> Shown:
    path = tmp / "schema.json"
    path.write_bytes('{"title": "Contrat sign\u00e9"}'.encode("latin-1"))
    return cli("schema", "--check", str(path))


def docs_csv_head(tmp: Path) -> Shown:
    """docs/cli.md's ``--format csv | head -3`` example works: what goes down the pipe is CSV
    from its first line (the account goes to the standard error)."""
    result = CliRunner().invoke(
        app, ["evaluate", ucr(tmp), ucr(tmp, "returns.csv"), "--format", "csv"]
    )
    first = result.stdout.splitlines()[0]
    assert first.startswith("service,provider,kpi,period"), first
    return Shown(result.exit_code, result.stdout[: MOST_OUTPUT // 2])


def evaluate_path_and_as_of_text(tmp: Path) -> Shown:
    """A path for the contract and text for ``as_of``, both accepted, as documented."""
    evaluation = contractkit.evaluate(ucr(tmp), ucr(tmp, "returns.csv"), as_of="2026-12-31")
    periods = set(evaluation.table["period"].to_list())
    assert "2026/27 Q2" in periods
    assert "2027/28 Q1" not in periods
    return Shown(0, "evaluated as on 2026-12-31")


def reconcile_pandas_wrong_dtypes(tmp: Path) -> Shown:
    """A pandas spend frame of the wrong dtypes: amounts as floats and periods as datetimes,
    one of them missing, one amount infinite."""
    fund = contractkit.load(EXAMPLES / BCF / "fund.yaml")
    frame = pd.DataFrame(
        {
            "line": ["community-health", "community-health", 7],
            "period": [pd.Timestamp("2026-04-01"), pd.NaT, pd.Timestamp("2026-05-01")],
            "amount": [1000.5, 2000.0, math.inf],
        }
    )
    reconciliation = contractkit.reconcile(fund, frame)
    account = reconciliation.account
    assert account["read"] == 3
    assert account["accepted"] + account["rejected"] + account["excluded"] == 3
    assert account["accepted"] == 1, account
    rejected = reconciliation.rejected
    return Shown(
        0,
        "\n".join(
            f"row {r}: {m}" for r, m in zip(rejected["row"], rejected["message"], strict=True)
        ),
    )


LONG_IDS = "    kpis: [" + ", ".join(["falls-admissions"] * 4000) + "]\n  - id: falls-b"

CLASSES: dict[str, Case] = {
    # --- silently wrong figures with exit 0 --------------------------------------------------
    "silent-decimal-comma-mean": Case(
        strict_evaluate(FIRST_CONTACT, 'ucr-north,first-contact,2026-07,,,"110,5",20,39.6'),
        ("row 3", "'110,5'", "decimal comma"),
    ),
    "silent-decimal-comma-rejected-not-read-as-1105": Case(
        rejected_not_read(FIRST_CONTACT, 'ucr-north,first-contact,2026-07,,,"110,5",20,39.6'),
        ("row 3", "110,5"),
        status=0,
    ),
    "silent-comma-in-numerator-3,3,3": Case(
        strict_evaluate(UCR_2H, 'ucr-north,ucr-2h,2026-07,"3,3,3",20,,,'), ("row 2", "'3,3,3'")
    ),
    "silent-thousands-separator-read-right": Case(thousands_read_right, (" of ",), 0),
    "silent-money-overflow-activity-10^16": Case(
        lambda tmp: statement_with_activity(tmp, "10000000000000000"),
        ("10000000000000000", "row 2"),
    ),
    "silent-money-overflow-parquet-spend-10^17": Case(
        reconcile_parquet_spend, ("row 0: amount '100000000000000000'", "largest amount")
    ),
    "silent-money-overflow-45-lines-each-too-large": Case(
        lambda tmp: reconcile_many_lines(tmp, "999999999999999.99", 9),
        ("999999999999999.99", "row 2", "largest amount"),
    ),
    "silent-money-overflow-45-lines-summing-past-the-largest": Case(
        lambda tmp: reconcile_many_lines(tmp, "9999999999999.99", 9), ("largest amount",)
    ),
    "silent-infinity-never-events": Case(
        strict_evaluate(NEVER_EVENTS, "ucr-north,never-events,2026-07,inf,,,,"),
        ("row 4", "'inf'", "not a finite number"),
    ),
    "silent-infinity-mean": Case(
        strict_evaluate(FIRST_CONTACT, "ucr-north,first-contact,2026-07,,,inf,20,39.6"),
        ("row 3", "'inf'", "not a finite number"),
    ),
    "silent-infinity-proportion": Case(
        strict_evaluate(UCR_2H, "ucr-north,ucr-2h,2026-07,inf,inf,,,"),
        ("row 2", "'inf'", "not a finite number"),
    ),
    "silent-memory-square-of-duplicates": Case(
        lambda tmp: duplicates(tmp, 40), ("duplicate", "more rejected rows"), status=0
    ),
    "silent-print-itself-pot-1e-1000000000": Case(
        validate_edited(UCR, "contract.yaml", "    pot: 1.25%", "    pot: 1e-1000000000"),
        ("145:10", "finance.incentive.pot", "1e-1000000000"),
    ),
    "silent-print-itself-4000-repeated-ids": Case(
        validate_edited(
            UCR, "contract.yaml", "    kpis: [falls-admissions]\n  - id: falls-b", LONG_IDS
        ),
        ("97:30", "'falls-admissions' is listed twice", "more like it"),
    ),
    "wrong-place-nul-byte-on-line-4": Case(
        validate_edited(
            UCR,
            "contract.yaml",
            "title: Urgent community response",
            "title: Urgent\x00community response",
        ),
        ("4:14", "U+0000"),
    ),
    "wrong-place-csv-row-after-quoted-newline": Case(
        csv_row_after_quoted_newline, ("row 12", "'2O26-10'")
    ),
    "wrong-place-months-of-31-digits": Case(
        validate_edited(
            UCR, "contract.yaml", "months: 9\n", "months: 1000000000000000000000000000000\n"
        ),
        ("32:13", "embedding[1].months"),
    ),
    # --- hangs from 15-byte inputs -----------------------------------------------------------
    "hang-fund-profile-1e-1000000000-reconcile": Case(
        run_with_edited(
            "reconcile", BCF, "fund.yaml", "profile: [7, 7, 7,", "profile: [1e-1000000000, 7, 7,"
        ),
        ("lines[2].profile[0]", "1e-1000000000"),
    ),
    "hang-incentive-pot-1e-1000000000-statement": Case(
        run_with_edited(
            "statement", UCR, "contract.yaml", "    pot: 1.25%", "    pot: 1e-1000000000"
        ),
        ("finance.incentive.pot", "1e-1000000000"),
    ),
    "hang-money-times-huge-exponent": Case(
        lambda tmp: api(lambda: Money("5").times("1e1000000000")), ("1e1000000000",)
    ),
    "hang-money-divided-by-tiny-exponent": Case(
        lambda tmp: api(lambda: Money("5") / "1e-1000000000"), ("1e-1000000000",)
    ),
    "hang-allocate-tiny-weight": Case(
        lambda tmp: api(lambda: allocate(Money("100"), [Decimal("1e-1000000000"), 1])),
        ("weight 0", "1E-1000000000"),
    ),
    "allocate-float-weight-says-how": Case(
        lambda tmp: api(lambda: allocate(Money("100"), [0.125, 1])),
        ("weight 0", "0.125", "Decimal('0.125')"),
    ),
    # --- amounts past 64 bits ----------------------------------------------------------------
    "amount-control-total-99-quadrillion-assess": Case(
        run_with_edited(
            "assess",
            PLAN,
            "plan.yaml",
            'control_total: "£2,000,000"',
            'control_total: "£99,999,999,999,999,999"',
        ),
        ("control_total", "£99,999,999,999,999,999", "largest amount"),
    ),
    "amount-control-total-1e30-validate": Case(
        validate_edited(PLAN, "plan.yaml", 'control_total: "£2,000,000"', "control_total: 1e30"),
        ("control_total", "1e30"),
    ),
    "amount-control-total-10^17-validate": Case(
        validate_edited(
            PLAN, "plan.yaml", 'control_total: "£2,000,000"', "control_total: 100000000000000000"
        ),
        ("control_total", "100000000000000000"),
    ),
    "amount-fixed-10^17-statement": Case(
        run_with_edited(
            "statement", UCR, "contract.yaml", "fixed: £300,000", "fixed: 100000000000000000"
        ),
        ("fixed", "100000000000000000", "largest amount"),
    ),
    "amount-money-pence-of-30-digits": Case(
        lambda tmp: api(lambda: Money("1234567890123456789012345678.91").pence),
        ("1234567890123456789012345678.91", "largest amount"),
    ),
    "amount-money-repr-of-40-digits": Case(
        lambda tmp: api(lambda: repr(Money("1" * 40))), ("1" * 40, "largest amount")
    ),
    # --- output paths ------------------------------------------------------------------------
    **{
        f"output-{target.__name__.replace('_', '-')}-{command}-{fmt}": Case(
            output_to(command, fmt, target), OUTPUT_WORDS[target]
        )
        for command, formats in {
            "evaluate": ("table", "csv", "json", "parquet"),
            "reconcile": ("table", "json"),
            "assess": ("csv", "parquet"),
            "statement": ("table", "csv"),
            "schema": ("table",),
        }.items()
        for fmt in formats
        for target in (missing_folder, a_folder, dev_full, read_only)
    },
    "output-a-nul-character-in-the-name": Case(
        lambda tmp: api(
            lambda: contractkit.evaluate(CONTRACT, ucr(tmp, "returns.csv")).to_csv(
                str(tmp / "out\x00.csv")
            ),
            contractkit.OutputError,
        ),
        ("out␀.csv", "a name cannot hold"),
    ),
    "output-name-over-255-characters-returns": Case(
        lambda tmp: long_name(tmp, "evaluate"), ("xxxxxxxx.csv: cannot be read",)
    ),
    "output-name-over-255-characters-spend": Case(
        lambda tmp: long_name(tmp, "reconcile"), ("xxxxxxxx.csv: cannot be read",)
    ),
    "print-itself-a-column-name-of-100000-characters-spend": Case(
        lambda tmp: wide_or_long_header(tmp, "reconcile", "period," + "n" * 100_000),
        ("the spend has no 'line', 'amount' columns", "characters", "period"),
    ),
    "print-itself-50000-columns-returns": Case(
        lambda tmp: wide_or_long_header(
            tmp, "evaluate", ",".join(f"column{i}" for i in range(50_000))
        ),
        ("the returns have no", "column0", "more"),
    ),
    "print-itself-a-mapped-column-of-100000-characters": Case(
        lambda tmp: wide_or_long_header(tmp, "map", "`" + "m" * 100_000 + "`"),
        ("no column", "characters"),
    ),
    # --- tables ------------------------------------------------------------------------------
    "table-parquet-numerator-of-lists": Case(
        lambda tmp: parquet_numerator(tmp, pl.Series([[1], [2, 3], []])), ("numerator",)
    ),
    "table-parquet-numerator-of-structs": Case(
        lambda tmp: parquet_numerator(tmp, pl.Series([{"a": 1}, {"a": 2}, {"a": 3}])),
        ("numerator",),
    ),
    "table-numerator-1e20-above-denominator": Case(
        strict_evaluate(UCR_2H, "ucr-north,ucr-2h,2026-07,1e20,20,,,"), ("row 2", "1e20")
    ),
    "table-map-divided-by-zero": Case(
        lambda tmp: cli(
            "evaluate",
            ucr(tmp),
            ucr(tmp, "returns.csv"),
            "--map",
            "numerator / 0=numerator",
            "--strict",
        ),
        ("row 2", "numerator / 0", "not a finite number"),
    ),
    "table-map-arithmetic-into-a-text-field": Case(
        lambda tmp: cli("evaluate", ucr(tmp), ucr(tmp, "returns.csv"), "--map", "service - 1=kpi"),
        ("kpi = service - 1", "a column or a quoted constant"),
    ),
    "table-pandas-duplicate-column-names": Case(
        evaluate_frame(duplicate_columns_frame()), ("more than one column named 'numerator'",)
    ),
    "table-pandas-complex-numbers": Case(
        evaluate_frame(complex_frame()), ("(1+2j)", "numerator"), status=0
    ),
    "table-pandas-mixed-int-and-text": Case(
        evaluate_frame(mixed_frame()), ("'n/a'", "value"), status=0
    ),
    "table-polars-object-dtype": Case(evaluate_frame(object_polars_frame()), ("numerator",), 0),
    # --- YAML --------------------------------------------------------------------------------
    "yaml-term-ending-9999": Case(
        validate_edited(UCR, "contract.yaml", "  end: 2029-03-31", "  end: 9999-12-31"),
        ("10:8", "term.end", "9999-12-31"),
    ),
    "yaml-a-megabyte-flow-line": Case(
        validate_edited(
            UCR,
            "contract.yaml",
            "title: Urgent community response",
            "title: [" + ", ".join(["1"] * 350_000) + "] Urgent community response",
        ),
        ("4:100001", "a line too long"),
    ),
    "yaml-threshold-1e309": Case(
        validate_edited(UCR, "contract.yaml", "threshold: 90 minutes", "threshold: 1e309"),
        ("60:16", "kpis[1].threshold", "1e309"),
    ),
    "yaml-non-specific-tag-makes-a-date-text": Case(
        validate_edited(
            UCR,
            "contract.yaml",
            "title: Urgent community response and falls prevention",
            "title: ! 2026-04-01",
        ),
        ("contract.yaml",),
        status=0,
    ),
    "yaml-a-date-given-as-a-datetime": Case(
        validate_edited(
            UCR, "contract.yaml", "  start: 2026-04-01", "  start: 2026-04-01T00:00:00"
        ),
        ("9:10", "term.start", "2026-04-01"),
    ),
    # --- API misuse --------------------------------------------------------------------------
    "api-load-a-list": Case(
        lambda tmp: api(lambda: contractkit.load([1, 2]), contractkit.SpecError), ("a list",)
    ),
    "api-load-300-characters-neither-path-nor-yaml": Case(
        lambda tmp: api(lambda: contractkit.load("x" * 300), contractkit.SpecError),
        ("no such file", "xxxxxxxx"),
    ),
    "api-dump-not-a-spec": Case(
        lambda tmp: api(lambda: contractkit.dump(object()), contractkit.SpecError),  # type: ignore[arg-type]  # the misuse under test
        ("an object",),
    ),
    "api-evaluate-a-path-and-as-of-text": Case(
        evaluate_path_and_as_of_text, ("2026-12-31",), status=0
    ),
    "api-evaluate-where-not-text": Case(
        lambda tmp: api(
            lambda: contractkit.evaluate(CONTRACT, ucr(tmp, "returns.csv"), where=5),  # type: ignore[arg-type]  # the misuse under test
            contractkit.ArgumentError,
        ),
        ("where", "\"type = '1'\"", "int"),
    ),
    "api-reconcile-a-contract": Case(
        lambda tmp: api(
            lambda: contractkit.reconcile(
                contractkit.load(EXAMPLES / UCR / "contract.yaml"),
                EXAMPLES / BCF / "spend.csv",
            ),
            contractkit.ArgumentError,
        ),
        ("a contract", "NEL-UCR-2026"),
    ),
    "api-reconcile-pandas-wrong-dtypes": Case(
        reconcile_pandas_wrong_dtypes,
        ("row 1: the period is empty", "row 2: no line '7'"),
        status=0,
    ),
    "api-schema-check-not-utf-8": Case(schema_check_latin1, ("schema.json", "UTF-8")),
    "api-evaluate-period-beyond-the-term": Case(
        lambda tmp: cli("evaluate", ucr(tmp), ucr(tmp, "returns.csv"), "--period", "2031-01"),
        ("2031-01", "outside the contract's term"),
    ),
    "api-period-of-a-huge-exponent": Case(
        lambda tmp: cli("evaluate", ucr(tmp), ucr(tmp, "returns.csv"), "--period", "1E1000000"),
        ("--period", "'1E1000000' is not a period"),
    ),
    "print-itself-a-period-of-100000-characters": Case(
        lambda tmp: api(lambda: contractkit.parse_period("x" * 100_000), contractkit.PeriodError),
        ("'xxxxxxxxxx", "100,000 characters", "is not a period"),
    ),
    "api-period-past-the-calendar": Case(
        lambda tmp: cli("evaluate", ucr(tmp), ucr(tmp, "returns.csv"), "--period", "9999-12-31"),
        ("--period", "'9999-12-31' is not a period contractkit can hold"),
    ),
    "api-docs-csv-head-example-works": Case(docs_csv_head, ("ucr-north",), status=0),
    "api-evaluate-unknown-profile": Case(
        lambda tmp: api(
            lambda: contractkit.evaluate(CONTRACT, ucr(tmp, "returns.csv"), profile="nhs"),
            contractkit.ArgumentError,
        ),
        ("unknown SPC profile 'nhs'", "mdc, nhsr"),
    ),
    "api-evaluate-unknown-chart": Case(
        lambda tmp: api(
            lambda: contractkit.evaluate(CONTRACT, ucr(tmp, "returns.csv"), chart="c"),  # type: ignore[arg-type]  # the misuse under test
            contractkit.ArgumentError,
        ),
        ("unknown SPC chart 'c'", "auto, xmr"),
    ),
    "api-schema-of-an-unknown-kind": Case(
        lambda tmp: api(lambda: contractkit.json_schema("fund"), contractkit.ArgumentError),
        ("no kind of spec 'fund'", "pooled_fund"),
    ),
    "api-money-in-an-unknown-format": Case(
        lambda tmp: api(lambda: format(contractkit.Money("5"), "xyz"), contractkit.MoneyError),
        ("unknown money format 'xyz'", "brackets"),
    ),
    "api-evaluation-record-not-json": Case(
        lambda tmp: api(
            lambda: contractkit.Evaluation.from_json("{not json"), contractkit.RecordError
        ),
        ("not JSON", "line 1, column 2"),
    ),
}


@pytest.mark.parametrize("name", list(CLASSES))
def test_every_class_of_item_9_ends_as_the_user_should_see_it(name: str, tmp_path: Path) -> None:
    case = CLASSES[name]
    start = time.perf_counter()
    with time_limit(HARD_LIMIT):
        shown = case.run(tmp_path)
    elapsed = time.perf_counter() - start
    assert shown.status == case.status, shown.text[:3000]
    assert "Traceback" not in shown.text
    assert not re.search(r'File ".*", line \d+', shown.text)
    assert len(shown.text) < MOST_OUTPUT, len(shown.text)
    for words in case.words:
        assert words in shown.text, f"{words!r} not in:\n{shown.text[:3000]}"
    assert elapsed < HARD_LIMIT


# --- hypothesis: generated text in the structured inputs ---------------------------------------


T = TypeVar("T")


@dataclass(frozen=True)
class Refused:
    """A call refused with a ``ContractKitError`` of the kind expected: its message."""

    message: str


def attempt(call: Callable[[], T], error: type[ContractKitError]) -> T | Refused:
    """What ``call`` gives, or how it was refused with ``error`` (anything else raised fails
    the test), under the hang guard."""
    with time_limit(HARD_LIMIT):
        try:
            return call()
        except error as raised:
            return Refused(str(raised))


RETURNS_ROWS = (EXAMPLES / UCR / "returns.csv").read_text("utf-8").splitlines()
RETURNS_HEADER = RETURNS_ROWS[0].split(",")

CELLS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "inf",
            "-Infinity",
            "nan",
            "1e400",
            "1e-400",
            "9" * 40,
            "74,5",
            "1,234",
            "3,3,3",
            "1e15",
            "1e16",
            "-3",
            ".5",
            "n/a",
            "#N/A",
            "true",
            "Apr-26",
            "Q2 2026/27",
            "01/04/2026",
            "2026-13",
            "45200",
            "ucr-2h",
            "never-events",
            "\x00",
            "\ufeff",
            '"',
            "a\nb",
        ]
    ),
)


@contextmanager
def csv_file(rows: list[list[str]]) -> Iterator[Path]:
    """``rows`` written as a CSV file (quoted where a cell needs it), for the length of the
    block."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out, lineterminator="\n").writerows(rows)
        yield path


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_text_in_any_cell_of_a_returns_file_is_read_or_rejected_with_its_reason(
    data: st.DataObject,
) -> None:
    """Junk in any cells of a returns file or frame never raises anything but a
    ``ContractKitError``; every row is accepted, rejected or excluded; each rejection is
    short and says why."""
    rows = [line.split(",") for line in RETURNS_ROWS[1:13]]
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        row = data.draw(st.integers(0, len(rows) - 1), label="row")
        column = data.draw(st.integers(0, len(RETURNS_HEADER) - 1), label="column")
        rows[row][column] = data.draw(CELLS, label="cell")
    as_frame = data.draw(st.booleans(), label="as a polars frame")
    with csv_file([RETURNS_HEADER, *rows]) as path:
        source: Any = pl.DataFrame(rows, schema=RETURNS_HEADER, orient="row") if as_frame else path
        evaluation = attempt(lambda: contractkit.evaluate(CONTRACT, source), ContractKitError)
    if isinstance(evaluation, Refused):
        assert 0 < len(evaluation.message) < MOST_OUTPUT
        return
    account = evaluation.account
    assert account["read"] == len(rows)
    assert account["accepted"] + account["rejected"] + account["excluded"] == len(rows)
    for message in evaluation.rejected["message"].to_list():
        assert 0 < len(message) < 1000, message


_EXPRESSION_TOKENS = st.sampled_from(
    [
        "numerator",
        "denominator",
        "value",
        "service",
        "kpi",
        "period",
        "`numerator`",
        "`no such`",
        "+",
        "-",
        "*",
        "/",
        "(",
        ")",
        "=",
        "!=",
        "<",
        ">=",
        "and",
        "or",
        "'ucr-2h'",
        "'",
        '"',
        "0",
        "1",
        "1e308",
        "1e400",
        "1,5",
        "inf",
        "9" * 40,
        "1e-1000000000",
        "__import__",
        "`",
        "\\",
    ]
)
EXPRESSIONS = st.lists(_EXPRESSION_TOKENS, min_size=1, max_size=8).map(" ".join)
RETURNS_FRAME = pl.read_csv(EXAMPLES / UCR / "returns.csv", infer_schema_length=0).head(12)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    EXPRESSIONS,
    st.sampled_from(["where", "service", "kpi", "period", "numerator", "denominator", "value"]),
)
def test_any_mapping_or_filter_is_applied_or_a_returns_error(expression: str, use: str) -> None:
    """``--map`` and ``--where`` expressions made of any tokens: applied to every row (each
    accounted for) or refused as a ``ReturnsError`` — never a polars error, never slow."""
    where = expression if use == "where" else None
    columns = {use: expression} if use != "where" else None
    evaluation = attempt(
        lambda: contractkit.evaluate(CONTRACT, RETURNS_FRAME, columns=columns, where=where),
        contractkit.ReturnsError,
    )
    if isinstance(evaluation, Refused):
        assert 0 < len(evaluation.message) < MOST_OUTPUT
        return
    account = evaluation.account
    assert account["accepted"] + account["rejected"] + account["excluded"] == account["read"]
    assert account["read"] == RETURNS_FRAME.height


TEXTS = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?£?[0-9,]{0,25}(\.[0-9]{0,4})?([eE][-+]?[0-9]{1,12})?", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_any_text_is_an_amount_within_the_largest_or_a_money_error(text: str) -> None:
    amount = attempt(lambda: Money(text), contractkit.MoneyError)
    if isinstance(amount, Refused):
        assert 0 < len(amount.message) < 1000
        return
    assert abs(amount.pence) <= MAX_PENCE
    assert Money(str(amount.amount)) == amount


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_any_text_is_a_period_or_a_period_error(text: str) -> None:
    period = attempt(lambda: contractkit.parse_period(text), contractkit.PeriodError)
    if isinstance(period, Refused):
        assert 0 < len(period.message) < 1000
        return
    assert contractkit.parse_period(str(period)) == period


FUND_LINES = ("community-health", "reablement", "discharge", "carers", "dfg")
FUND = contractkit.load(EXAMPLES / BCF / "fund.yaml")


def _written(pence: int, form: int) -> str:
    """An amount of ``pence`` as finance teams write it: plain, with a pound sign, with
    thousands separators, or both."""
    amount = Money.from_pence(pence)
    plain = str(amount.amount)
    return [plain, amount.format(symbol=True), amount.format(symbol=False), "£" + plain][form]


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(FUND_LINES), st.integers(4, 12)),
        st.tuples(
            st.one_of(st.integers(-(10**10), 10**10), st.integers(-MAX_PENCE, MAX_PENCE)),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_spend_to_date_is_the_exact_sum_of_the_rows_or_refused(
    spend: dict[tuple[str, int], tuple[int, int]],
) -> None:
    """However large the amounts and however written, the actual to date is the exact sum in
    pence of the rows, or the sum is refused as past the largest amount — never a wrapped,
    rounded or lost figure."""
    rows = [
        [line, f"2026-{month:02d}", _written(pence, form), ""]
        for (line, month), (pence, form) in spend.items()
    ]
    total = sum(pence for pence, _ in spend.values())
    with csv_file([["line", "period", "amount", "forecast"], *rows]) as path:
        reconciliation = attempt(lambda: contractkit.reconcile(FUND, path), contractkit.MoneyError)
    if isinstance(reconciliation, Refused):
        # Only a sum past the largest is refused: the actual to date, or a figure worked out
        # from it and the budget (a variance, an outturn), named with its value.
        assert "largest amount" in reconciliation.message
        assert "check the figures it is worked out from" in reconciliation.message
        budget = sum(line.budget.pence for line in FUND.lines)
        by_line = [sum(p for (ln, _), (p, _) in spend.items() if ln == one) for one in FUND_LINES]
        assert max(abs(total), *map(abs, by_line)) + budget > MAX_PENCE
        return
    assert reconciliation.account["accepted"] == len(rows), reconciliation.account
    actual = reconciliation.summary["actual_to_date"]
    assert isinstance(actual, Money)
    assert actual.pence == total
