"""Every example in the package's docstrings runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import contractkit

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(contractkit.__path__, "contractkit.")
    if not name.startswith("contractkit.cli")  # the command line has no examples to run
)


def test_the_modules_are_found() -> None:
    assert "contractkit.money" in MODULES
    assert "contractkit.periods" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
