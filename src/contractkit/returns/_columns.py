"""Mapping a file's columns onto the returns fields, including safe column arithmetic.

A mapping says where each field comes from: a column name (``org_code``), arithmetic on
columns (``attendances - breaches``), or a constant in quotes (``'ae-4h'``). Arithmetic is
parsed here into polars expressions (``+ - * /``, parentheses, numbers, and column names,
with backticks around a name that has spaces or symbols): it is never passed to ``eval``. The
expression works on the columns as numbers: each is read by the number grammar
(:mod:`contractkit.returns._numbers`) first, so that a cell that is not a number is reported as
such, in its own column.

    >>> to_source("attendances - breaches", ["attendances", "breaches"]).columns
    ('attendances', 'breaches')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs
import polars as pl

from contractkit._kernel.suggest import did_you_mean, listed, shortened
from contractkit.errors import ReturnsError
from contractkit.returns._numbers import number

__all__ = [
    "FIELDS",
    "Source",
    "parse_condition",
    "parse_mapping",
    "to_expression",
    "to_source",
]

FIELDS = (
    "service",
    "provider",
    "kpi",
    "period",
    "numerator",
    "denominator",
    "value",
    "count",
    "sd",
)
"""The fields of the returns format."""
NUMERIC = frozenset({"numerator", "denominator", "value", "count", "sd"})

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|`(?P<quoted>[^`]+)`"
    r"|'(?P<single>[^']*)'|\"(?P<double>[^\"]*)\"|(?P<op>[-+*/()]))"
)


@attrs.frozen
class _Token:
    kind: str
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ReturnsError(
                f"cannot read {text!r}: unexpected {text[position:].strip()[:10]!r}"
                " (use column names, numbers, + - * / and parentheses)"
            )
        kind = match.lastgroup or ""
        value = match.group(kind)
        tokens.append(
            _Token(
                "name" if kind == "quoted" else "string" if kind in ("single", "double") else kind,
                value,
                match.start(kind),
            )
        )
        position = match.end()
    return tokens


class _Parser:
    """expr := term (('+'|'-') term)* ; term := factor (('*'|'/') factor)* ;
    factor := number | column | '-' factor | '(' expr ')'"""

    def __init__(self, text: str, columns: Sequence[str]) -> None:
        self.text = text
        self.columns = list(columns)
        self.tokens = _tokens(text)
        self.position = 0
        self.used: list[str] = []

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> _Token:
        token = self._peek()
        if token is None:
            raise ReturnsError(f"cannot read {self.text!r}: it ends too soon")
        self.position += 1
        return token

    def parse(self) -> pl.Expr:
        expression = self._expr()
        extra = self._peek()
        if extra is not None:
            raise ReturnsError(f"cannot read {self.text!r}: unexpected {extra.text!r}")
        return expression

    def _expr(self) -> pl.Expr:
        left = self._term()
        while (token := self._peek()) is not None and token.text in ("+", "-"):
            self._take()
            right = self._term()
            left = left + right if token.text == "+" else left - right
        return left

    def _term(self) -> pl.Expr:
        left = self._factor()
        while (token := self._peek()) is not None and token.text in ("*", "/"):
            self._take()
            right = self._factor()
            left = left * right if token.text == "*" else left / right
        return left

    def _factor(self) -> pl.Expr:
        token = self._take()
        if token.text == "-" and token.kind == "op":
            return -self._factor()
        if token.text == "(":
            inner = self._expr()
            closing = self._take()
            if closing.text != ")":
                raise ReturnsError(f"cannot read {self.text!r}: expected ')'")
            return inner
        if token.kind == "number":
            return pl.lit(float(token.text))
        if token.kind == "name":
            self.used.append(_known(token.text, self.columns))
            return pl.col(token.text)
        raise ReturnsError(f"cannot read {self.text!r}: unexpected {token.text!r}")


@attrs.frozen
class Source:
    """Where a field comes from: an expression, the input columns it reads, and how the
    mapping wrote it (for messages)."""

    expression: pl.Expr
    columns: tuple[str, ...]
    arithmetic: bool = False
    """Whether the expression is arithmetic on columns, to be worked out over the columns read
    as numbers."""
    text: str = ""


def to_source(source: str, columns: Sequence[str]) -> Source:
    """What a mapping's source stands for: a column, a quoted constant, or arithmetic on
    columns (never evaluated as Python)."""
    text = source.strip()
    if text in columns:
        return Source(pl.col(text), (text,), text=text)
    quoted = re.fullmatch(r"'([^']*)'|\"([^\"]*)\"", text)
    if quoted:
        constant = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        return Source(pl.lit(constant), (), text=text)
    if re.fullmatch(r"`[^`]+`", text):
        return Source(pl.col(_known(text[1:-1], columns)), (text[1:-1],), text=text[1:-1])
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ ]*", text):
        return Source(pl.col(_known(text, columns)), (text,), text=text)
    parser = _Parser(text, columns)
    expression = parser.parse()
    return Source(expression, tuple(dict.fromkeys(parser.used)), arithmetic=True, text=text)


def to_expression(source: str, columns: Sequence[str]) -> pl.Expr:
    """The polars expression a mapping's source stands for (arithmetic over the columns as
    numbers)."""
    return to_source(source, columns).expression


def _known(name: str, columns: Sequence[str]) -> str:
    if name not in columns:
        raise ReturnsError(
            f"no column {shortened(name)!r}{did_you_mean(name, columns)} (the columns are: "
            f"{listed(columns)})"
        )
    return name


def parse_mapping(items: Mapping[str, str] | Sequence[str]) -> dict[str, str]:
    """A column mapping as ``{field: source}``.

    Accepts ``{"org_code": "provider"}`` (source → field, as on the command line's
    ``--map org_code=provider``) or ``["org_code=provider", …]``. The side that names a field
    is taken as the field.
    """
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [(str(k), str(v)) for k, v in items.items()]
    else:
        for item in items:
            source, sep, field = item.rpartition("=")
            if not sep or not source.strip() or not field.strip():
                raise ReturnsError(
                    f"cannot read the mapping {item!r}: write COLUMN=FIELD, such "
                    "as org_code=provider or 'attendances - breaches=numerator'"
                )
            pairs.append((source, field))
    mapping: dict[str, str] = {}
    for left, right in pairs:
        left, right = left.strip(), right.strip()
        if right in FIELDS:
            field, source = right, left
        elif left in FIELDS:
            field, source = left, right
        else:
            raise ReturnsError(
                f"the mapping {left}={right} names no returns field"
                f"{did_you_mean(right, FIELDS)} (the fields are: "
                f"{', '.join(FIELDS)})"
            )
        if field in mapping:
            raise ReturnsError(f"the field {field!r} is mapped twice")
        mapping[field] = source
    return mapping


_CONDITION = re.compile(
    r"^\s*(?P<column>`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>==|=|!=|<=|>=|<|>)\s*"
    r"(?P<value>'[^']*'|\"[^\"]*\"|-?\d+(?:\.\d+)?)\s*$"
)


def parse_condition(text: str, columns: Sequence[str]) -> pl.Expr:
    """A filter such as ``type = '1'`` or ``attendances > 0``; several may be joined with
    ``and``. Rows that fail it are excluded (and counted), not rejected."""
    parts = re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE)
    combined: pl.Expr | None = None
    for part in parts:
        match = _CONDITION.match(part)
        if match is None:
            raise ReturnsError(
                f"cannot read the condition {part!r}: write COLUMN = VALUE (or !=, <, <=, >, "
                ">=), with text in quotes, such as \"type = '1'\""
            )
        name = match.group("column").strip("`")
        column = pl.col(_known(name, columns))
        raw = match.group("value")
        if raw[0] in "'\"":
            left, right = column.cast(pl.String).str.strip_chars(), pl.lit(raw[1:-1])
        else:
            left, right = number(column), pl.lit(float(raw))
        op = match.group("op")
        condition = {
            "=": left == right,
            "==": left == right,
            "!=": left != right,
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[op]
        combined = condition if combined is None else combined & condition
    assert combined is not None
    return combined.fill_null(False)
