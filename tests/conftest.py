"""Shared fixtures: the bundled examples, read from the project's own examples/ folder, and the
command line's runner and plain output. (Shared functions are in _support.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

import contractkit
from _support import COLOUR_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
UCR = EXAMPLES / "urgent-community-response" / "contract.yaml"

# Speed is measured in benchmarks/, never in tests: hypothesis's per-example deadline (200 ms)
# would fail a correct test on a loaded machine.
settings.register_profile("contractkit", deadline=None)
settings.load_profile("contractkit")


@pytest.fixture(scope="session")
def ucr_path() -> Path:
    """The urgent community response contract, exactly as the specification gave it."""
    return UCR


@pytest.fixture(scope="session")
def ucr_text() -> str:
    return UCR.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def ucr(ucr_path: Path) -> contractkit.Contract:
    contract = contractkit.load(ucr_path)
    assert isinstance(contract, contractkit.Contract)
    return contract


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain text, as when piped: no colour or tables forced on by the environment."""
    for name in COLOUR_SETTINGS:
        monkeypatch.delenv(name, raising=False)
