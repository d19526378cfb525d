"""Public names with their public home: a class or function defined in a private module and
exported by a package says, as its ``__module__``, the package it is exported from, so that
reprs, tracebacks, pickles and help() show ``contractkit.evaluation.Evaluation`` rather than the
private module it happens to be written in."""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping

__all__ = ["publish"]


def _private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split(".")[1:])


def publish(home: str, names: Iterable[str], namespace: Mapping[str, object]) -> None:
    """Set ``__module__`` to ``home`` on each of ``names`` (in ``namespace``) that is a class or
    function defined in a private module."""
    for name in names:
        value = namespace[name]
        if isinstance(value, type | types.FunctionType) and _private(value.__module__):
            value.__module__ = home
