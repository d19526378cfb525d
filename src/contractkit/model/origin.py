"""Where each part of a spec came from: file, line and column, kept beside the spec.

The spec layer records it when it loads a file; the evaluator reads it to cite the line a
threshold came from. It is kept outside the (immutable, comparable) spec objects, so that two
equal contracts loaded from different files stay equal.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["Location", "locate", "remember"]


@attrs.frozen
class Location:
    """A place in a spec file."""

    file: str | None
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file or '<text>'}:{self.line}:{self.column}"


Locator = Callable[[tuple[str | int, ...]], Location | None]
_LOCATORS: dict[int, Locator] = {}


def remember(spec: Any, locator: Locator) -> None:
    """Record how to locate paths within ``spec`` (for as long as the spec lives)."""
    key = id(spec)
    _LOCATORS[key] = locator
    weakref.finalize(spec, _LOCATORS.pop, key, None)


def locate(spec: Any, path: tuple[str | int, ...]) -> Location | None:
    """Where the value at ``path`` in ``spec`` was written, if the spec came from a file."""
    locator = _LOCATORS.get(id(spec))
    return locator(path) if locator is not None else None
