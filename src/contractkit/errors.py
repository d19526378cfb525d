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

import re
from collections import Counter
from collections.abc import Iterable

import attrs

__all__ = [
    "ArgumentError",
    "ContractKitError",
    "MoneyError",
    "NotFoundError",
    "OutputError",
    "PeriodError",
    "Problem",
    "RecordError",
    "ReturnsError",
    "SpecError",
    "UnitError",
]


class ContractKitError(Exception):
    """The root of every error contractkit raises on purpose."""


MAX_MESSAGE = 2000
"""The longest a problem's message or path is kept: a longer one (a value pasted a million
times over) is cut in the middle, keeping its start and its end."""

PER_KIND = 10
"""How many problems of one kind are shown before the rest are counted ("… and 3,990 more like
it"): the problems themselves are all kept."""

SOURCE_WINDOW = 80
"""How many characters of a long source line are shown around the caret."""


def _shortened(text: str) -> str:
    """Text cut in the middle when it is too long to read, saying how much was cut."""
    if len(text) <= MAX_MESSAGE:
        return text
    head, tail = MAX_MESSAGE * 3 // 4, MAX_MESSAGE // 5
    cut = len(text) - head - tail
    return f"{text[:head]} … [{cut:,} characters cut] … {text[-tail:]}"


def _visible(char: str) -> str:
    """One character as it can be shown on one line of a terminal, one column wide: a tab as
    '→', other control characters as their pictures (␀, ␛), so that nothing in a file can move
    the caret or drive the terminal."""
    code = ord(char)
    if char == "\t":
        return "→"
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "␡"
    if 0x80 <= code <= 0x9F or char in "\u2028\u2029" or 0xD800 <= code <= 0xDFFF:
        return "�"
    return char


def _excerpt(source: str, column: int) -> tuple[str, int]:
    """The part of a source line shown under a problem, and the caret's column in it: the
    whole line when it is short, else the characters around the caret, with '…' for the rest."""
    line = source.rstrip()
    if len(line) > SOURCE_WINDOW + SOURCE_WINDOW // 4:
        start = max(0, min(column - 1 - SOURCE_WINDOW // 2, len(line) - SOURCE_WINDOW))
        end = min(len(line), start + SOURCE_WINDOW)
        before = "…" if start > 0 else ""
        after = "…" if end < len(line) else ""
        shown = before + line[start:end] + after
        column = column - start + len(before)
    else:
        shown = line
    return "".join(_visible(c) for c in shown), column


@attrs.frozen
class Problem:
    """One thing wrong with a spec, located as precisely as the input allows.

    ``line`` and ``column`` are 1-based. ``source`` is the text of the offending line, when the
    spec came from a file or text, so that the problem can be shown with a caret under it (the
    part around the caret, for a long line). A message or path over 2,000 characters is cut in
    the middle.
    """

    message: str = attrs.field(converter=_shortened)
    path: str = attrs.field(default="", converter=_shortened)
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
        shown, column = _excerpt(self.source, self.column or 1)
        gutter = f"{self.line:>5} | "
        caret = " " * (len(gutter) - 2) + "| " + " " * max(column - 1, 0) + "^"
        return f"{text}\n{gutter}{shown}\n{caret}"


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DIGITS = re.compile(r"\d+")


def _kind(problem: Problem) -> str:
    """What a problem says, whatever it names: "'a' is listed twice" and "'b' is listed twice"
    are one kind of problem."""
    return _DIGITS.sub("#", _QUOTED.sub("'…'", problem.message))


def capped(problems: Iterable[Problem], per_kind: int = PER_KIND) -> list[Problem | str]:
    """The problems to show, in order: the first ``per_kind`` of each kind, each kind's rest
    counted in a line after its last one shown ("… and 3,990 more like it")."""
    problems = list(problems)
    totals = Counter(_kind(p) for p in problems)
    seen: Counter[str] = Counter()
    shown: list[Problem | str] = []
    for problem in problems:
        kind = _kind(problem)
        seen[kind] += 1
        if seen[kind] <= per_kind:
            shown.append(problem)
        if seen[kind] == per_kind and totals[kind] > per_kind:
            shown.append(f"… and {totals[kind] - per_kind:,} more like it")
    return shown


class SpecError(ContractKitError, ValueError):
    """A spec (a contract, written as YAML or as Python objects) has one or more problems.

    ``problems`` lists all of them, in file order where the spec came from a file. Its text
    (and :meth:`render`) shows the first ten of each kind and counts the rest ("… and 3,990
    more like it"), so that a file with a mistake repeated thousands of times stays readable.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count:,} {noun} found:"] if count != 1 else []
        lines.extend(str(p) for p in capped(self.problems))
        return "\n".join(lines)

    def render(self) -> str:
        """The problems with their offending lines and carets, ready for a terminal (the first
        few of each kind, the rest counted)."""
        return "\n".join(p.render() if isinstance(p, Problem) else p for p in capped(self.problems))


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


class RecordError(ContractKitError, ValueError):
    """A stored result that cannot be read back: a file that is missing or is not JSON, JSON
    that is not contractkit's record of that result (another format, an unknown version), or a
    record damaged since it was written (a part missing, a value of the wrong kind). The message
    says which, and where in the file for JSON that does not parse."""


class ArgumentError(ContractKitError, TypeError, ValueError):
    """A function given the wrong kind of thing (a pooled fund where a contract is wanted, a
    number where a date is) or a value it does not take (an SPC profile or a kind of spec that
    does not exist). The message says what to give instead. A ``TypeError`` and a
    ``ValueError`` too, so that code catching either catches it."""


class NotFoundError(ContractKitError, KeyError):
    """A name looked up that is not there: a service, KPI, period, line, partner, organisation
    or provider a result or a spec does not hold. The message names what was asked for, the
    nearest name there is, and all of them when there are few. A ``KeyError`` too (a lookup), but
    written as a sentence rather than as a quoted key."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OutputError(ContractKitError, OSError):
    """An output file that cannot be written: its folder does not exist, it is a folder, it
    may not be written, the disk is full, its name is too long. The message names the file and
    says what to do; ``path`` is the file as given."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)
