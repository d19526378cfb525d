"""What the test modules share, written once: a test module imports from here, never from another
test module. Shared fixtures are in conftest.py, and hypothesis strategies for whole contracts in
strategies.py.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import contractkit
from contractkit import SpecError

# --- text, edited and located -----------------------------------------------------------------

MARK = "»"
"""Marks the column meant in a fragment given to :func:`locate`."""


def edit(text: str, *edits: tuple[str, str]) -> str:
    """Apply each (old, new) replacement, insisting that ``old`` occurs exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def locate(text: str, at: str) -> tuple[int, int]:
    """The 1-based (line, column) of the ``»`` in ``at`` (or its start) within ``text``."""
    offset = at.find(MARK)
    fragment = at.replace(MARK, "")
    assert text.count(fragment) == 1, f"{fragment!r} occurs {text.count(fragment)} times"
    index = text.index(fragment) + max(offset, 0)
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    return line, column


def located_problems(text: str) -> list[str]:
    """The problems a spec written as ``text`` is refused with, each as 'line:path: message'."""
    with pytest.raises(SpecError) as caught:
        contractkit.load(text)
    return [f"{p.line}:{p.path}: {p.message}" for p in caught.value.problems]


# --- a spec as data ---------------------------------------------------------------------------


def as_json(value: Any) -> Any:
    """Plain YAML data as JSON would carry it: keys as text, dates as ISO text, decimals as
    floats (as an editor's YAML language server sees a spec)."""
    if isinstance(value, dict):
        return {str(as_json(k)): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    assert value is None or isinstance(value, str | int | float | bool), repr(value)
    return value


# --- the command line -------------------------------------------------------------------------

COLOUR_SETTINGS = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS")
"""The environment variables that force colour or a terminal's tables on (the conftest fixture
``plain_output`` removes them, for plain text as when piped)."""


def assert_no_traceback(*outputs: str) -> None:
    """Each output shows no Python traceback, nor any line of one."""
    for output in outputs:
        assert "Traceback" not in output
        assert not re.search(r'File ".*", line \d+', output)


# --- the bundled examples ---------------------------------------------------------------------


def example_script(path: Path) -> ModuleType:
    """One of the examples' scripts (make_returns.py …) as a module, so that a test can call its
    functions; its ``main`` is not run."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
