"""The bundled example's returns: every row accepted, and the story they were written to tell.

The story is set out in ``examples/urgent-community-response/README.md``: ucr-north mobilises in
shadow, embeds against 60% and is established against 70%, missing one monthly return; ucr-south
slips below 70% for three quarters and escalates to a Remedial Action Plan; the falls services
are monitored only until they are established.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import shlex
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import contractkit
from contractkit.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "urgent-community-response"
RETURNS = EXAMPLE / "returns.csv"


@pytest.fixture(scope="module")
def evaluation(ucr: contractkit.Contract) -> contractkit.Evaluation:
    return contractkit.evaluate(ucr, RETURNS)


def rows(evaluation: contractkit.Evaluation, service: str, kpi: str) -> list[dict[str, Any]]:
    table = evaluation.table.filter((pl.col("service") == service) & (pl.col("kpi") == kpi))
    return table.to_dicts()


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_returns", EXAMPLE / "make_returns.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the returns -------------------------------------------------------------------------------


def test_every_row_is_accepted(evaluation: contractkit.Evaluation) -> None:
    account = evaluation.account
    assert account["read"] == account["accepted"] > 100
    assert account["rejected"] == account["excluded"] == 0
    assert evaluation.rejected.height == 0


def test_the_committed_returns_are_what_the_script_writes() -> None:
    script = load_script()
    written = io.StringIO()
    writer = csv.DictWriter(written, fieldnames=script.FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(script.returns())
    assert written.getvalue() == RETURNS.read_text(encoding="utf-8")


def test_every_service_reports_from_its_commencement_to_december_2027() -> None:
    with RETURNS.open(encoding="utf-8") as handle:
        found = list(csv.DictReader(handle))
    first = {}
    last = {}
    for row in found:
        key = (row["service"], row["kpi"])
        first.setdefault(key, row["period"])
        last[key] = row["period"]
    assert first[("ucr-south", "ucr-2h")] == "2026-04"
    assert first[("ucr-north", "ucr-2h")] == "2026-07"
    assert first[("falls-east", "falls-admissions")] == "2026/27 Q3"
    assert set(last.values()) == {"2027-12", "2027/28 Q3"}


# --- the story ---------------------------------------------------------------------------------


def test_ucr_north_mobilisation_quarter_is_shadow_with_a_would_be_status(
    evaluation: contractkit.Evaluation,
) -> None:
    row = evaluation.row("ucr-north", "ucr-2h", "2026/27 Q2")
    assert row["stage"] == "mobilisation"
    assert row["status"] == "shadow"
    assert row["would_be"] == "underperforming"
    assert row["would_be_level"] == "warning"
    assert row["level"] is None
    assert row["escalation"] is None
    assert row["threshold"] == pytest.approx(0.6)  # the next assessed stage's (embedding's)
    text = evaluation.explain("ucr-north", "ucr-2h", "2026/27 Q2").text
    assert "it would be underperforming at the warning level" in text
    assert "never count towards escalation" in text


def test_ucr_north_has_a_quarter_in_every_stage_with_its_threshold(
    evaluation: contractkit.Evaluation,
) -> None:
    by_period = {r["period"]: r for r in rows(evaluation, "ucr-north", "ucr-2h")}
    assert by_period["2026/27 Q1"]["status"] == "not_due"
    stages = {
        p: (r["stage"], r["threshold"]) for p, r in by_period.items() if r["status"] != "not_due"
    }
    assert stages == {
        "2026/27 Q2": ("mobilisation", pytest.approx(0.6)),
        "2026/27 Q3": ("embedding", pytest.approx(0.6)),
        "2026/27 Q4": ("embedding", pytest.approx(0.6)),
        "2027/28 Q1": ("embedding", pytest.approx(0.6)),
        "2027/28 Q2": ("established", pytest.approx(0.7)),
        "2027/28 Q3": ("established", pytest.approx(0.7)),
    }
    assessed = [r["status"] for r in by_period.values() if r["stage"] != "mobilisation"]
    assert "underperforming" not in assessed  # below threshold at times, but within variation
    assert by_period["2027/28 Q2"]["status"] == "within_variation"
    assert all(r["escalation"] is None for r in by_period.values())


def test_the_missing_return_gives_a_quarter_of_two_returns_of_three(
    evaluation: contractkit.Evaluation,
) -> None:
    row = evaluation.row("ucr-north", "first-contact", "2026/27 Q4")
    assert (row["returns_made"], row["returns_due"]) == (2, 3)
    # A mean is judged on the returns that arrived (they estimate the quarter without bias),
    # and the quarter says so; the missing return is a failure to report, which the contract
    # counts towards escalation as a flagged period (its default).
    assert (row["status"], row["complete"]) == ("met", False)
    assert (row["reporting_failure"], row["counted_as"]) == ("incomplete", "flagged")
    text = str(evaluation.explain("ucr-north", "first-contact", "2026/27 Q4"))
    assert "met, judged on the 2 of 3 returns due that were made" in text
    assert "Returns: 2 of the 3 returns due were made (1 missing)" in text
    assert "counts it towards escalation as a flagged period (reporting.incomplete)" in text
    complete = evaluation.table.filter(
        (pl.col("status") != "not_due") & (pl.col("returns_made") < pl.col("returns_due"))
    )
    assert complete.select("service", "kpi", "period").rows() == [
        ("ucr-north", "first-contact", "2026/27 Q4")
    ]


def test_ucr_south_escalates_to_a_remedial_action_plan(evaluation: contractkit.Evaluation) -> None:
    steps = {
        r["period"]: (r["status"], r["level"], r["escalation"])
        for r in rows(evaluation, "ucr-south", "ucr-2h")
    }
    assert steps == {
        "2026/27 Q1": ("met", None, None),
        "2026/27 Q2": ("met", None, None),
        "2026/27 Q3": ("met", None, None),
        "2026/27 Q4": ("underperforming", "warning", None),
        "2027/28 Q1": ("underperforming", "warning", "contract_performance_notice"),
        "2027/28 Q2": ("underperforming", "alarm", "remedial_action_plan"),
        "2027/28 Q3": ("met", None, "remedial_action_plan"),
    }
    text = evaluation.explain("ucr-south", "ucr-2h", "2027/28 Q3").text
    assert "3 flagged periods within the most recent 4 assessed periods" in text
    current = evaluation.services().filter(
        (pl.col("service") == "ucr-south") & (pl.col("period") == "2027/28 Q3")
    )
    assert current.get_column("escalation").to_list() == ["remedial_action_plan"]


def test_ucr_south_never_event_is_an_alarm(evaluation: contractkit.Evaluation) -> None:
    flagged = evaluation.table.filter(
        (pl.col("kpi") == "never-events") & (pl.col("status") == "underperforming")
    )
    assert flagged.select("service", "period", "level", "escalation").rows() == [
        ("ucr-south", "2026-11", "alarm", "contract_performance_notice")
    ]


def test_the_falls_services_are_monitored_only_until_established(
    evaluation: contractkit.Evaluation,
) -> None:
    for service in ("falls-east", "falls-befriending"):
        found = {r["period"]: r for r in rows(evaluation, service, "falls-admissions")}
        assert [found[p]["status"] for p in ("2026/27 Q1", "2026/27 Q2")] == ["not_due"] * 2
        for period in ("2026/27 Q3", "2026/27 Q4", "2027/28 Q1", "2027/28 Q2"):
            assert found[period]["status"] == "shadow"
            assert found[period]["would_be"] in ("met", "within_variation")
            assert found[period]["threshold_stage"] == "established"
        assert found["2026/27 Q4"]["threshold"] == 12  # the dated value in force then
        assert found["2027/28 Q1"]["threshold"] == 10
        established = found["2027/28 Q3"]
        assert established["stage"] == "established"
        assert established["status"] in ("met", "within_variation")


def test_provider_types_do_not_change_a_thing(
    ucr_text: str, evaluation: contractkit.Evaluation
) -> None:
    types = re.findall(r"^    type: (\w+)$", ucr_text, re.MULTILINE)
    assert len(types) == 4
    rotated = iter(types[1:] + types[:1])
    text = re.sub(r"^    type: \w+$", lambda _: f"    type: {next(rotated)}", ucr_text, flags=re.M)
    again = contractkit.evaluate(contractkit.load(text), RETURNS)
    where = pl.col("threshold_source").cast(pl.String).str.replace(r"^[^:]*:", "")
    assert again.table.with_columns(where).equals(evaluation.table.with_columns(where))


# --- the README's first command ----------------------------------------------------------------


def test_the_readme_first_command_evaluates_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```console\n(.+?)\n```", readme, re.DOTALL)
    assert first is not None
    command = first.group(1).split("&&")[-1].strip()
    program, *arguments = shlex.split(command)
    assert program == ".venv/bin/contractkit"
    assert arguments[0] == "evaluate"
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "126 rows read: 126 accepted, 0 rejected, 0 excluded" in result.stderr
    assert "ucr-south (RQX): escalation: remedial action plan" in result.stdout


@pytest.mark.parametrize("block", [1, 4, 13])
def test_charting_in_small_blocks_changes_nothing(
    ucr: contractkit.Contract,
    evaluation: contractkit.Evaluation,
    block: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The evaluator charts a block of whole series at a time; the blocks never show."""
    from contractkit.stats import blockwise

    monkeypatch.setattr(blockwise, "SIZE", block)
    blocked = contractkit.evaluate(ucr, RETURNS)
    assert blocked.table.equals(evaluation.table)
    assert blocked.points.equals(evaluation.points)
    assert blocked.spc_icons().equals(evaluation.spc_icons())
    assert evaluation.points.height > 3 * block
