"""Reading YAML with the position of every key and value.

The file is parsed into events (libyaml's fast parser where available) and built into plain
Python values here, so that every rule is ours:

- scalars are resolved by the YAML 1.2 core schema, so ``NO`` and ``1:30`` stay strings;
  a quoted scalar is always a string; a number with a fractional part becomes an exact
  :class:`~decimal.Decimal`, never a float; ``2026-04-01`` becomes a date;
- a key given twice is a problem, as is any explicit tag (``!!python/object``, ``!!str``), an
  anchor or alias, or a second document;
- every problem found is kept, with its line and column, so that all are reported together.
"""

from __future__ import annotations

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

from contractkit.errors import Problem

__all__ = ["Document", "Position", "compose"]

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


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar by the YAML 1.2 core schema, with exact decimals and dates.

    >>> resolve_plain("NO"), resolve_plain("1:30"), resolve_plain("0.025")
    ('NO', '1:30', Decimal('0.025'))
    """
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        digits = text.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0"):
            return text  # "012" is a code, not the number twelve
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return Decimal(text)
    if _SPECIAL_FLOAT.match(text):
        if "nan" in text.lower():
            return Decimal("NaN")
        return Decimal("-Infinity" if text.startswith("-") else "Infinity")
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


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
            self._complain(event, "nested too deeply", path)
            self._skip(event)
            return None
        self.doc.values.setdefault(path, self._at(event))
        if isinstance(event, AliasEvent):
            self._complain(event, "aliases (*name) are not allowed: write the value out", path)
            return None
        self._check_event(event, path)
        if isinstance(event, ScalarEvent):
            if event.style in ("'", '"', "|", ">"):
                return event.value
            return resolve_plain(event.value)
        if isinstance(event, SequenceStartEvent):
            items: list[Any] = []
            for event_ in self.events:
                if isinstance(event_, SequenceEndEvent):
                    return items
                items.append(self.node(event_, (*path, str(len(items))), depth + 1))
        if isinstance(event, MappingStartEvent):
            return self._mapping(path, depth)
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

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
                self._skip(key_event)
                self._skip(next(self.events))
                continue
            key = (
                key_event.value if key_event.style in ("'", '"') else resolve_plain(key_event.value)
            )
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
                self._skip(value_event)
                continue
            first_at[part] = self._at(key_event)[0]
            self.doc.keys[key_path] = self._at(key_event)
            mapping[key] = self.node(value_event, key_path, depth + 1)
        raise AssertionError("mapping not closed")  # pragma: no cover

    def _skip(self, event: Any) -> None:
        """Consume the rest of a node whose start event has been read."""
        if isinstance(event, SequenceStartEvent | MappingStartEvent):
            depth = 1
            for inner in self.events:
                if isinstance(inner, SequenceStartEvent | MappingStartEvent):
                    depth += 1
                elif isinstance(inner, SequenceEndEvent | MappingEndEvent):
                    depth -= 1
                    if depth == 0:
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


def compose(text: str, file: str | None = None) -> tuple[Document, list[Problem]]:
    """Build a document from YAML text, with every problem found in it (none if it is clean).

    A syntax error stops the reading at that point; it is reported with its position.
    """
    document = Document(data=None, lines=text.splitlines(), file=file)
    composer = _Composer(iter(()), document)
    try:
        events = iter(_parser().parse(text))
        composer.events = events
        documents = 0
        for event in events:
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    composer._complain(
                        event, "a spec file holds one document; a second starts here", ()
                    )
                    break
            elif isinstance(event, StreamEndEvent):
                break
            elif isinstance(event, _NODE_STARTS):
                document.data = composer.node(event, ())
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = error.problem or error.context or "unreadable YAML"
        opened = error.context_mark
        if opened is not None and error.context and mark is not opened:
            where = f"line {opened.line + 1}, column {opened.column + 1}"
            what = f"{what} ({error.context} that starts at {where})"
            if "end of stream" in (error.problem or ""):
                mark = opened  # the place to look is where the unfinished thing began
        position = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        composer.problems.append(document.problem("", f"YAML syntax error: {what}", position))
    except YAMLError as error:
        composer.problems.append(document.problem("", f"unreadable YAML: {error}", (1, 1)))
    return document, composer.problems
