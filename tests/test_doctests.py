"""Every example in the package's docstrings runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re

import pytest

import contractkit

MODULES = sorted(name for _, name, _ in pkgutil.walk_packages(contractkit.__path__, "contractkit."))


def test_the_modules_are_found() -> None:
    assert {"contractkit.money", "contractkit.periods", "contractkit.cli._app"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
    # Every example written is one doctest finds and runs (none hides where it does not look).
    written = len(re.findall(r"^\s*>>> ", inspect.getsource(module), re.MULTILINE))
    assert result.attempted == written, (
        f"{name}: {written} examples written, {result.attempted} ran"
    )
