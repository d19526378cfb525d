"""The exceptions contractkit raises, and the located problems they carry.

Every exception contractkit raises on purpose is a :class:`ContractKitError`, and each also
inherits the builtin it most resembles, so ``except ValueError`` keeps working::

    ContractKitError
    ├── SpecError (ValueError)      a contract (or other spec) file or object has problems
    ├── PeriodError (ValueError)    text that is not a month, quarter or financial year
    ├── UnitError (ValueError)      a quantity that cannot be read, or has the wrong dimension
    ├── MoneyError (ValueError)     an amount that is not exact money (a float, a fraction of a
    │                               penny), or a split that cannot be made
    ├── ReturnsError (ValueError)   a returns file or frame that cannot be read as returns
    ├── ArgumentError (TypeError)   a function given the wrong kind of thing (a fund where a
    │                               contract is wanted, a number where a date is)
    └── OutputError (OSError)       an output file that cannot be written (no such folder, a
                                    folder, read-only, a full disk)

A :class:`SpecError` carries every :class:`Problem` found, not just the first, each with the
file, line, column and dotted path it concerns::

    >>> problem = Problem(message="unknown key 'titel'; did you mean 'title'?", path="titel",
    ...                   file="contract.yaml", line=4, column=1)
    >>> print(problem)
    contract.yaml:4:1: titel: unknown key 'titel'; did you mean 'title'?
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "ArgumentError",
    "ContractKitError",
    "MoneyError",
    "OutputError",
    "PeriodError",
    "Problem",
    "ReturnsError",
    "SpecError",
    "UnitError",
]


class ContractKitError(Exception):
    """The root of every error contractkit raises on purpose."""


@attrs.frozen
class Problem:
    """One thing wrong with a spec, located as precisely as the input allows.

    ``line`` and ``column`` are 1-based. ``source`` is the text of the offending line, when the
    spec came from a file or text, so that the problem can be shown with a caret under it.
    """

    message: str
    path: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    source: str | None = None

    def location(self) -> str:
        """``file:line:col`` as far as it is known (empty when nothing is known)."""
        parts = [self.file or ("<text>" if self.line is not None else "")]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(p for p in parts if p)

    def __str__(self) -> str:
        head = ": ".join(p for p in (self.location(), self.path) if p)
        return f"{head}: {self.message}" if head else self.message

    def render(self) -> str:
        """The one-line form followed by the offending line and a caret under the column."""
        text = str(self)
        if self.source is None or self.line is None:
            return text
        gutter = f"{self.line:>5} | "
        caret = " " * (len(gutter) - 2) + "| " + " " * max((self.column or 1) - 1, 0) + "^"
        return f"{text}\n{gutter}{self.source.rstrip()}\n{caret}"


class SpecError(ContractKitError, ValueError):
    """A spec (a contract, written as YAML or as Python objects) has one or more problems.

    ``problems`` lists all of them, in file order where the spec came from a file.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} found:"] if count != 1 else []
        lines.extend(str(p) for p in self.problems)
        return "\n".join(lines)

    def render(self) -> str:
        """Every problem with its offending line and caret, ready for a terminal."""
        return "\n".join(p.render() for p in self.problems)


class PeriodError(ContractKitError, ValueError):
    """Text or a value that is not a month, quarter or financial year."""

    def __init__(self, message: str, *, got: object = None) -> None:
        self.got = got
        super().__init__(message)


class UnitError(ContractKitError, ValueError):
    """A quantity that cannot be read, names an unknown unit, or has the wrong dimension."""

    def __init__(self, message: str, *, got: object = None, expected: str | None = None) -> None:
        self.got = got
        self.expected = expected
        super().__init__(message)


class MoneyError(ContractKitError, ValueError):
    """An amount that is not exact money (a float, text that is not an amount, a fraction of a
    penny), or a split that cannot be made (no weights, negative weights)."""

    def __init__(self, message: str, *, got: object = None) -> None:
        self.got = got
        super().__init__(message)


class ReturnsError(ContractKitError, ValueError):
    """Returns that cannot be read at all: a missing or empty file, a file that is not a
    table, missing columns, or a column mapping that cannot be understood.

    (Problems with individual rows are not errors: each such row is rejected with its reason
    and reported in the evaluation's account.)
    """


class ArgumentError(ContractKitError, TypeError):
    """A function given the wrong kind of thing: a pooled fund where a contract is wanted, a
    number where a date is. The message says what to give instead."""


class OutputError(ContractKitError, OSError):
    """An output file that cannot be written: its folder does not exist, it is a folder, it
    may not be written, the disk is full, its name is too long. The message names the file and
    says what to do; ``path`` is the file as given."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)
