"""Reading YAML with the position of every key and value.

The file is parsed into events (libyaml's fast parser where available) and built into plain
Python values here, so that every rule is ours:

- scalars are resolved by the YAML 1.2 core schema, so ``NO`` and ``1:30`` stay strings;
  a quoted scalar is always a string, as is one marked ``!`` (the non-specific tag); a number
  with a fractional part becomes an exact :class:`~decimal.Decimal`, never a float;
  ``2026-04-01`` becomes a date;
- a number is finite and within the bounds of :mod:`contractkit._kernel.numbers` (below 10^18, at
  most 40 significant digits and 340 decimal places), checked here, where text becomes a
  number: ``.inf``, ``.nan``, ``1e309`` and ``1e-1000000000`` are problems at their place,
  never values;
- a key given twice is a problem, as is any explicit tag (``!!python/object``, ``!!str``), an
  anchor or alias, or a second document;
- a character no YAML file may hold (a NUL, an escape) is a problem at its own line and
  column; a tab in the indentation is reported as such;
- every problem found is kept, with its line and column, so that all are reported together.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from contractkit._kernel.numbers import MAX_WHOLE_DIGITS, TOO_LARGE, number_in_text, shown
from contractkit.errors import Problem

__all__ = [
    "MAX_LINE",
    "Document",
    "OutOfBounds",
    "Position",
    "compose",
    "resolve_plain",
]

Position = tuple[int, int]
"""(line, column), both 1-based."""

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MAX_DEPTH = 64
_NODE_STARTS = (ScalarEvent, SequenceStartEvent, MappingStartEvent, AliasEvent)
_UNREADABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_CONTROL_NAMES = {
    0: "NUL",
    7: "BEL",
    8: "backspace",
    11: "vertical tab",
    12: "form feed",
    27: "ESC",
}
_MOST_UNREADABLE = 10_000

MAX_LINE = 100_000
"""The longest line read, in characters: a flow list a megabyte long takes seconds to read
(a spec's longest lines, its lists of KPIs, run to a few thousand)."""


@attrs.frozen
class OutOfBounds:
    """A plain scalar that reads as a number no contract can hold (``.inf``, ``1e309``)."""

    text: str
    reason: str
    fix: str = "check it, or put it in quotes if it is text"
    """What to write instead: a finite number for ``.inf``, a number for ``.nan``; for a number
    too large, too long or too fine, a look at it (or quotes, if it is text)."""

    def message(self) -> str:
        """The problem, for the place the scalar stands."""
        return f"{shown(self.text)} is {self.reason}: {self.fix}"


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar by the YAML 1.2 core schema, with exact decimals and dates.

    >>> resolve_plain("NO"), resolve_plain("1:30"), resolve_plain("0.025")
    ('NO', '1:30', Decimal('0.025'))

    A number beyond what a contract holds is not converted at all, but returned as an
    :class:`OutOfBounds` saying why.
    """
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        digits = text.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0"):
            return text  # "012" is a code, not the number twelve
        return int(text) if len(digits) <= MAX_WHOLE_DIGITS else OutOfBounds(text, TOO_LARGE)
    if _OCT.match(text) or _HEX.match(text):
        base = 8 if text[1] == "o" else 16
        if len(text) > 2 + MAX_WHOLE_DIGITS:  # far beyond the bound in either base
            return OutOfBounds(text, TOO_LARGE)
        return _number(str(int(text[2:], base)), whole=True, written=text)
    if _FLOAT.match(text):
        if len(text) <= MAX_WHOLE_DIGITS and "e" not in text and "E" not in text:
            return Decimal(text)  # too few digits to be out of bounds
        return _number(text, whole=False)
    if _SPECIAL_FLOAT.match(text):
        if "nan" in text.lower():
            return OutOfBounds(
                text, "'not a number', which no figure in a contract can be", "give a number"
            )
        return OutOfBounds(
            text, "infinite, which no figure in a contract can be", "give a finite number"
        )
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


def _number(text: str, *, whole: bool, written: str | None = None) -> int | Decimal | OutOfBounds:
    number = number_in_text(text)
    if isinstance(number, str):
        return OutOfBounds(written or text, number)
    return int(number) if whole else number


def _key_part(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


@attrs.define
class Document:
    """A YAML document as plain values, with where each key and value stands in the text."""

    data: Any
    lines: list[str]
    file: str | None
    values: dict[tuple[str, ...], Position] = attrs.field(factory=dict)
    keys: dict[tuple[str, ...], Position] = attrs.field(factory=dict)
    refused: set[Position] = attrs.field(factory=set)
    """Where a value was refused as it was read (a number out of bounds): a problem found
    later at the same place would say the same thing again."""
    stopped: bool = False
    """Whether a problem stopped the text being read (a syntax error, a character no YAML file
    may hold, a line too long or nesting too deep): what was read is incomplete, and is not
    checked further."""

    def position(self, path: tuple[Any, ...], *, at_key: bool = False) -> Position:
        """Where the value (or key) at ``path`` stands, or the nearest enclosing thing that does."""
        parts = self._written(tuple(_key_part(p) for p in path))
        if at_key and parts in self.keys:
            return self.keys[parts]
        while parts:
            if parts in self.values:
                return self.values[parts]
            if parts in self.keys:
                return self.keys[parts]
            parts = parts[:-1]
        return self.values.get((), (1, 1))

    def _written(self, parts: tuple[str, ...]) -> tuple[str, ...]:
        """The path as the file writes it: a list of one item may be written as the item alone
        (``variable: {price: …}`` for ``variable: [{price: …}]``), so an index 0 the file does
        not have is passed over; and a mapping of one key may stand for a field of another
        name, which is followed instead."""
        out: tuple[str, ...] = ()
        for part in parts:
            longer = (*out, part)
            if longer not in self.values and longer not in self.keys and out in self.values:
                if part == "0":
                    continue
                # A short form that writes one key in place of the field it stands for
                # (``{fixed: {icb: 60%}}`` for ``{basis: fixed, shares: {icb: 60%}}``).
                children = [k for k in self.keys if len(k) == len(out) + 1 and k[:-1] == out]
                if len(children) == 1:
                    longer = children[0]
            out = longer
        return out

    def problem(self, path_text: str, message: str, position: Position) -> Problem:
        """A problem at a position in this document, with the source line for a caret."""
        line, column = position
        if line > len(self.lines):  # the end of the text, past its last line
            line, column = max(len(self.lines), 1), 1
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Problem(
            message=message, path=path_text, file=self.file, line=line, column=column, source=source
        )


class _TooDeepError(Exception):
    """Raised to stop reading a file nested beyond any spec (the rest is not read at all, since
    reading deeper and deeper nesting takes ever longer)."""


class _Composer:
    def __init__(self, events: Iterator[Any], document: Document) -> None:
        self.events = events
        self.doc = document
        self.problems: list[Problem] = []

    def _at(self, event: Any) -> Position:
        mark = event.start_mark
        return (mark.line + 1, mark.column + 1)

    def _complain(self, event: Any, message: str, path: tuple[str, ...]) -> None:
        self.problems.append(self.doc.problem(_dotted(path), message, self._at(event)))

    def _check_event(self, event: Any, path: tuple[str, ...]) -> None:
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = tag is not None and (
            (isinstance(implicit, tuple) and not any(implicit)) or implicit is False
        )
        if explicit and tag is not None and tag != "!":
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self._complain(
                event,
                f"explicit YAML tags are not allowed (found {shown!r}): write the plain value",
                path,
            )
        if getattr(event, "anchor", None):
            self._complain(
                event,
                "anchors (&name) are not allowed: write each value out where it is used",
                path,
            )

    def node(self, event: Any, path: tuple[str, ...], depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            self._complain(
                event,
                f"nested too deeply: more than {_MAX_DEPTH} lists and mappings one inside "
                "another (the file is read no further)",
                path,
            )
            raise _TooDeepError

        if path not in self.doc.values:
            mark = event.start_mark
            self.doc.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(event, ScalarEvent):
            if event.tag is not None or event.anchor is not None:
                self._check_event(event, path)
            return self._scalar(event, path)
        if isinstance(event, AliasEvent):
            self._complain(event, "aliases (*name) are not allowed: write the value out", path)
            return None
        self._check_event(event, path)
        if isinstance(event, SequenceStartEvent):
            items: list[Any] = []
            for event_ in self.events:
                if isinstance(event_, SequenceEndEvent):
                    return items
                items.append(self.node(event_, (*path, str(len(items))), depth + 1))
        if isinstance(event, MappingStartEvent):
            return self._mapping(path, depth)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def _scalar(self, event: Any, path: tuple[str, ...]) -> Any:
        """A scalar's value: text if quoted or marked ``!``, else resolved, a number out of
        bounds reported here and kept as its text."""
        if event.style or event.tag == "!":
            return event.value  # quoted, a block scalar, or marked as text
        value = resolve_plain(event.value)
        if isinstance(value, OutOfBounds):
            self._complain(event, value.message(), path)
            self.doc.refused.add(self._at(event))
            return event.value
        return value

    def _mapping(self, path: tuple[str, ...], depth: int) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        first_at: dict[str, int] = {}
        for key_event in self.events:
            if isinstance(key_event, MappingEndEvent):
                return mapping
            if not isinstance(key_event, ScalarEvent):
                self._complain(
                    key_event, "a key must be a plain value, not a list or mapping", path
                )
                self._skip(key_event, path, depth + 1)
                self._skip(next(self.events), path, depth + 1)
                continue
            key = self._scalar(key_event, (*path, key_event.value))
            part = _key_part(key)
            key_path = (*path, part)
            self._check_event(key_event, key_path)
            value_event = next(self.events)
            if part in first_at:
                self._complain(
                    key_event,
                    f"duplicate key {part!r} (first given at line {first_at[part]})",
                    key_path,
                )
                self._skip(value_event, key_path, depth + 1)
                continue
            first_at[part] = self._at(key_event)[0]
            self.doc.keys[key_path] = self._at(key_event)
            mapping[key] = self.node(value_event, key_path, depth + 1)
        raise AssertionError("mapping not closed")  # pragma: no cover

    def _skip(self, event: Any, path: tuple[str, ...], depth: int) -> None:
        """Consume the rest of a node whose start event has been read (at ``depth``), no
        deeper than any spec is nested."""
        if not isinstance(event, SequenceStartEvent | MappingStartEvent):
            return  # a scalar or an alias: nothing more to consume
        inside = 1
        for inner in self.events:
            opens = isinstance(inner, SequenceStartEvent | MappingStartEvent)
            closes = isinstance(inner, SequenceEndEvent | MappingEndEvent)
            inside += int(opens) - int(closes)
            if opens and depth + inside - 1 > _MAX_DEPTH:
                self.node(inner, path, depth + inside - 1)  # reports it, and stops
            if closes and inside == 0:
                return


def _dotted(path: tuple[str, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() and out else ("." if out else "") + part
    return out


def _parser() -> YAML:
    try:
        return YAML(typ="safe", pure=False)
    except Exception:  # pragma: no cover - only where ruamel's C extension is missing
        return YAML(typ="safe", pure=True)


def _lines(text: str) -> list[str]:
    """The lines of a text as YAML counts them (line breaks are CR, LF, CR LF, NEL and the
    Unicode line and paragraph separators; a form feed is not one)."""
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the break that ends the last line
    return lines


def _unreadable(document: Document, text: str) -> list[Problem]:
    """A problem at each character no YAML file may hold, at its own line and column."""
    found = []
    starts = [0]
    for match in _LINE_BREAK.finditer(text):
        starts.append(match.end())
    line = 0
    for match in itertools.islice(_UNREADABLE.finditer(text), _MOST_UNREADABLE):
        while line + 1 < len(starts) and starts[line + 1] <= match.start():
            line += 1
        code = ord(match.group())
        name = _CONTROL_NAMES.get(code, "a control character" if code < 0xA0 else "")
        what = f"U+{code:04X}" + (f", {name}" if name else "")
        found.append(
            document.problem(
                "",
                f"an unreadable character ({what}): a YAML file holds text only; delete it "
                "(it may have come with a copy and paste, or from a word processor)",
                (line + 1, match.start() - starts[line] + 1),
            )
        )
    return found


def _tab_in_indentation(document: Document, position: Position) -> Position | None:
    """Where a tab in the indentation of the line at ``position`` is, if there is one."""
    line, _ = position
    if not 0 < line <= len(document.lines):
        return None
    source = document.lines[line - 1]
    indentation = len(source) - len(source.lstrip(" \t-?:"))
    tab = source.find("\t", 0, indentation + 1)
    return (line, tab + 1) if tab >= 0 else None


def compose(text: str, file: str | None = None) -> tuple[Document, list[Problem]]:
    """Build a document from YAML text, with every problem found in it (none if it is clean).

    A syntax error stops the reading at that point; it is reported with its position. A
    character no YAML file may hold stops it before it starts, each one reported at its place.
    Either way the document is marked :attr:`~Document.stopped`.
    """
    document = Document(data=None, lines=_lines(text), file=file)
    composer = _Composer(iter(()), document)
    unreadable = _unreadable(document, text) or _too_long(document)
    if unreadable:
        document.stopped = True
        return document, unreadable
    try:
        composer.events = iter(_parser().parse(text))
        _compose_documents(composer)
    except _TooDeepError:
        document.stopped = True  # reported where it was found
    except MarkedYAMLError as error:
        document.stopped = True
        composer.problems.append(_syntax_problem(document, error))
    except YAMLError as error:
        document.stopped = True
        composer.problems.append(document.problem("", f"unreadable YAML: {error}", (1, 1)))
    return document, composer.problems


def _too_long(document: Document) -> list[Problem]:
    """A problem at each line too long to read."""
    return [
        document.problem(
            "",
            f"a line too long to read ({len(line):,} characters; at most {MAX_LINE:,}): write "
            "a long list or mapping one item to a line, and long text over several lines",
            (number, MAX_LINE + 1),
        )
        for number, line in enumerate(document.lines, start=1)
        if len(line) > MAX_LINE
    ]


def _compose_documents(composer: _Composer) -> None:
    """Read the stream's document into the composer's, stopping at a second one."""
    documents = 0
    for event in composer.events:
        if isinstance(event, _NODE_STARTS):
            composer.doc.data = composer.node(event, ())
        if isinstance(event, StreamEndEvent):
            return
        if not isinstance(event, DocumentStartEvent):
            continue
        documents += 1
        if documents > 1:
            composer._complain(event, "a spec file holds one document; a second starts here", ())
            return


def _syntax_problem(document: Document, error: MarkedYAMLError) -> Problem:
    """A syntax error where it is, or where the unfinished thing it ends began; a tab in the
    indentation said as such."""
    mark = error.problem_mark or error.context_mark
    what = error.problem or error.context or "unreadable YAML"
    opened = error.context_mark
    if opened is not None and error.context and mark is not opened:
        where = f"line {opened.line + 1}, column {opened.column + 1}"
        what = f"{what} ({error.context} that starts at {where})"
        if "end of stream" in (error.problem or ""):
            mark = opened  # the place to look is where the unfinished thing began
    position = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    tab = _tab_in_indentation(document, position)
    if tab is not None:
        position, what = tab, "a tab in the indentation: indent with spaces, not tabs"
    return document.problem("", f"YAML syntax error: {what}", position)
