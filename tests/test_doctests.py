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


def _run(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    return doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = _run(name)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_every_example_written_is_run_once() -> None:
    # None hides where doctest does not look. A public name written in a private module is
    # found (and run) in the package that exports it, whose name it carries as __module__, so
    # the examples are counted over the whole package.
    written = {
        name: len(re.findall(r"^\s*>>> ", inspect.getsource(importlib.import_module(name)), re.M))
        for name in MODULES
    }
    ran = sum(_run(name).attempted for name in MODULES)
    assert ran == sum(written.values()), {n: w for n, w in written.items() if w}
