"""Every bundled example contract loads, validates, round-trips and summarises."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import contractkit
from contractkit import (
    Contract,
    Dated,
    FloorOrImprovement,
    Measure,
    ProviderType,
    Quantity,
    Quarter,
    Staged,
    Trajectory,
)
from contractkit.cli import app
from contractkit.report.summary import summarise

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/contract.yaml"))
ELECTIVE = ROOT / "examples" / "elective-recovery" / "contract.yaml"
SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/contract.schema.json"
pytestmark = pytest.mark.usefixtures("plain_output")


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


def _name(path: Path) -> str:
    return path.parent.name


def test_the_examples_are_found() -> None:
    names = {_name(path) for path in EXAMPLES}
    assert {"urgent-community-response", "elective-recovery"} <= names


@pytest.fixture(params=EXAMPLES, ids=_name)
def example(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def _load(path: Path) -> Contract:
    contract = contractkit.load(path)
    assert isinstance(contract, Contract)
    return contract


def test_the_example_loads(example: Path) -> None:
    contract = _load(example)
    assert contract.kpis
    assert contract.services
    assert contractkit.load(example.read_text(encoding="utf-8")) == contract


def test_the_example_validates_on_the_command_line(example: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(example)])
    assert result.exit_code == 0, result.output
    contract = _load(example)
    assert f"{contract.id}: {contract.title}" in result.output
    assert "--quiet" not in result.output


def test_the_example_round_trips(example: Path) -> None:
    contract = _load(example)
    text = contractkit.dump(contract)
    again = contractkit.load(text)
    assert again == contract
    assert contractkit.dump(again) == text


def test_the_example_summarises(example: Path) -> None:
    contract = _load(example)
    summary = summarise(contract)
    text = str(summary)
    assert summary.heading == f"{contract.id}: {contract.title}"
    assert len(summary.services) == len(contract.services)
    assert [kpi_id for kpi_id, _ in summary.kpis] == [k.id for k in contract.kpis]
    for kpi in contract.kpis:
        sentence = contract.kpi_summary(kpi)
        assert sentence.startswith(f"{kpi.name} must be ")
        assert sentence in text
    for provider in contract.providers:
        assert provider.name in text
    assert len(summary.escalation) == len(contract.escalation)


def test_every_kpi_of_the_example_is_used(example: Path) -> None:
    contract = _load(example)
    used = {kpi for service in contract.services for kpi in service.kpis}
    assert used == {k.id for k in contract.kpis}


# --- what the elective recovery example is there to show --------------------------------------


@pytest.fixture(scope="module")
def elective() -> Contract:
    return _load(ELECTIVE)


def test_elective_recovery_names_its_schema_first() -> None:
    first = ELECTIVE.read_text(encoding="utf-8").splitlines()[0]
    assert first == SCHEMA_LINE
    assert (ELECTIVE.parent / SCHEMA_LINE.split("=", 1)[1]).resolve().is_file()


def test_elective_recovery_readme_names_its_kpis(elective: Contract) -> None:
    readme = (ELECTIVE.parent / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# ")
    named = set(re.findall(r"^\| `([\w.-]+)`", readme, flags=re.MULTILINE))
    assert named == {k.id for k in elective.kpis}


def test_elective_recovery_has_providers_of_several_kinds(elective: Contract) -> None:
    kinds = {p.type for p in elective.providers}
    assert 4 <= len(elective.providers) <= 6
    assert {
        ProviderType.NHS_TRUST,
        ProviderType.INDEPENDENT_SECTOR,
        ProviderType.PRIMARY_CARE,
        ProviderType.LOCAL_AUTHORITY,
    } <= kinds


def test_elective_recovery_rtt_is_a_floor_or_improvement_snapshot(elective: Contract) -> None:
    rtt = elective.kpi("rtt-18w")
    assert rtt.measure is Measure.PROPORTION
    assert rtt.combine.value == "last"
    assert (rtt.reported.value, rtt.assessed.value) == ("monthly", "quarterly")
    assert rtt.threshold == FloorOrImprovement(
        floor=Quantity.parse("65%"), improvement=Quantity.parse("7%")
    )
    held = [s for s in elective.services if "rtt-18w" in s.kpis]
    assert len(held) >= 2
    assert all("rtt-18w" in s.baselines for s in held)


def test_elective_recovery_faster_diagnosis_standard_rises_on_dates(elective: Contract) -> None:
    threshold = elective.kpi("fds-28d").threshold
    assert isinstance(threshold, Dated)
    assert threshold.in_force(date(2026, 4, 1)) == Quantity.parse("77%")
    assert threshold.in_force(date(2027, 3, 31)) == Quantity.parse("77%")
    assert threshold.in_force(date(2027, 4, 1)) == Quantity.parse("80%")


def test_elective_recovery_diagnostics_follow_quarterly_trajectories(elective: Contract) -> None:
    assert isinstance(elective.kpi("dm01-6w").threshold, Trajectory)
    held = [s for s in elective.services if "dm01-6w" in s.kpis]
    assert len(held) >= 2
    for service in held:
        trajectory = service.trajectories["dm01-6w"]
        assert trajectory
        assert all(isinstance(period, Quarter) for period in trajectory)
        assert all(elective.term.start <= q.start <= elective.term.end for q in trajectory)


def test_elective_recovery_uses_every_threshold_shape(elective: Contract) -> None:
    shapes = {type(k.threshold) for k in elective.kpis}
    assert {FloorOrImprovement, Dated, Trajectory, Staged} <= shapes
    assert {k.measure for k in elective.kpis} == set(Measure)
    assert elective.kpi("msk-days-to-assessment").unit == "days"
    assert elective.embedding
    assert elective.outcomes
    assert elective.escalation
