"""Golden outputs: what every command prints on the bundled examples, byte for byte.

Issue 10 reorganises the code under every output; these files, written from the code before it
began, hold each output still while it does. Each case is a command line, run in the
repository's folder as a user runs it (in a plain terminal 100 characters wide); its golden
file holds the exit status, standard output and standard error. A generated national data set
(small) is held by the SHA-256 of its evaluation's CSV and JSON forms, as is any output too
large to keep whole.

When a change in behaviour is meant, write the files again in the same commit and let the diff
show what changed::

    CONTRACTKIT_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py -n 0
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import contractkit
from contractkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
WRITE = os.environ.get("CONTRACTKIT_WRITE_GOLDEN") == "1"

UCR = "examples/urgent-community-response"
AE = "examples/ae-four-hour"
BCF = "examples/better-care-fund"
PLAN = "examples/system-plan"
UCR_IN = [f"{UCR}/contract.yaml", f"{UCR}/returns.csv"]
STATEMENT_IN = [
    *UCR_IN,
    "--activity",
    f"{UCR}/activity.csv",
    "--outcomes",
    f"{UCR}/outcomes.csv",
]
AE_IN = [
    f"{AE}/contract.yaml",
    f"{AE}/ae_attendances.csv",
    "--map",
    "org_code=provider",
    "--map",
    "attendances - breaches=numerator",
    "--map",
    "attendances=denominator",
    "--map",
    "'ae-4h'=kpi",
    "--where",
    "type = '1'",
]

CASES: dict[str, list[str]] = {
    # Contracts, funds and plans, summarised.
    "validate-ucr": ["validate", f"{UCR}/contract.yaml"],
    "validate-ae": ["validate", f"{AE}/contract.yaml"],
    "validate-elective": ["validate", "examples/elective-recovery/contract.yaml"],
    "validate-bcf": ["validate", f"{BCF}/fund.yaml"],
    "validate-plan": ["validate", f"{PLAN}/plan.yaml"],
    # Evaluations, in every form.
    "evaluate-ucr": ["evaluate", *UCR_IN],
    "evaluate-ucr-csv": ["evaluate", *UCR_IN, "--format", "csv"],
    "evaluate-ucr-json": ["evaluate", *UCR_IN, "--format", "json"],
    "evaluate-ucr-quarter": ["evaluate", *UCR_IN, "--period", "2027/28 Q1"],
    "evaluate-ucr-as-of": ["evaluate", *UCR_IN, "--as-of", "2027-06-30", "--format", "csv"],
    "evaluate-ucr-xmr-nhsr": [
        "evaluate",
        *UCR_IN,
        "--chart",
        "xmr",
        "--profile",
        "nhsr",
        "--format",
        "json",
    ],
    "evaluate-ae": ["evaluate", *AE_IN],
    "evaluate-ae-json": ["evaluate", *AE_IN, "--format", "json"],
    # Pooled funds.
    "reconcile-bcf": ["reconcile", f"{BCF}/fund.yaml", f"{BCF}/spend.csv"],
    "reconcile-bcf-json": ["reconcile", f"{BCF}/fund.yaml", f"{BCF}/spend.csv", "--format", "json"],
    "reconcile-bcf-partners": [
        "reconcile",
        f"{BCF}/fund.yaml",
        f"{BCF}/spend.csv",
        "--format",
        "csv",
        "--table",
        "partners",
    ],
    # System plans.
    "assess-plan": ["assess", f"{PLAN}/plan.yaml", f"{PLAN}/outturn.csv"],
    "assess-plan-quarter": [
        "assess",
        f"{PLAN}/plan.yaml",
        f"{PLAN}/outturn.csv",
        "--period",
        "2026/27 Q2",
    ],
    "assess-plan-json": ["assess", f"{PLAN}/plan.yaml", f"{PLAN}/outturn.csv", "--format", "json"],
    # Payment statements.
    "statement-ucr": ["statement", *STATEMENT_IN, "--period", "2026/27"],
    "statement-ucr-json": ["statement", *STATEMENT_IN, "--period", "2026/27", "--format", "json"],
    "statement-ucr-providers": [
        "statement",
        *STATEMENT_IN,
        "--format",
        "csv",
        "--table",
        "providers",
    ],
    # Mistakes, as a user makes them.
    "evaluate-missing-file": ["evaluate", f"{UCR}/contract.yaml", "nope.csv"],
    "evaluate-period-outside-term": ["evaluate", *UCR_IN, "--period", "2031-01"],
}


def _shown(args: list[str]) -> str:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "100", "NO_COLOR": "1"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r}") from result.exception
    return (
        f"$ contractkit {' '.join(args)}\n"
        f"exit status {result.exit_code}\n"
        f"--- standard output ---\n{result.stdout}"
        f"--- standard error ---\n{result.stderr}"
    )


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if WRITE:
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file"


@pytest.fixture(autouse=True)
def _in_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


DIGESTED = {"evaluate-ae-json"}
"""Outputs too large to keep whole (the A&E evaluation's JSON is 6 MB): held by their SHA-256."""


@pytest.mark.parametrize("name", list(CASES))
def test_each_command_prints_its_golden_output(name: str) -> None:
    shown = _shown(CASES[name])
    if name in DIGESTED:
        digest = hashlib.sha256(shown.encode()).hexdigest()
        _check(f"{name}.sha256", f"{shown.splitlines()[0]}\nsha256 {digest}\n")
    else:
        _check(f"{name}.txt", shown)


@pytest.mark.slow
def test_a_generated_national_evaluation_is_its_golden_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from evaluate_national import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    contract_path, returns_path = generate(tmp_path, 300, 4, 2026)
    import json

    contract = contractkit.load(json.loads(contract_path.read_text(encoding="utf-8")))
    monkeypatch.chdir(tmp_path)  # the account names the file as given: the same in every run
    evaluation = contractkit.evaluate(contract, returns_path.name)
    digests = {
        form: hashlib.sha256((text or "").encode()).hexdigest()
        for form, text in (("csv", evaluation.to_csv()), ("json", evaluation.to_json()))
    }
    lines = [f"rows {evaluation.table.height}", *(f"{k} {v}" for k, v in digests.items())]
    _check("generated-national.sha256", "\n".join(lines) + "\n")
