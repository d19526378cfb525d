"""Shared fixtures: the bundled examples, read from the project's own examples/ folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import contractkit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
UCR = EXAMPLES / "urgent-community-response" / "contract.yaml"


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
