"""Money in tables: exact decimal columns of pounds, rows for JSON, and what the results made of
money share (:class:`MoneyResult`)."""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.account_line import account_line
from contractkit._kernel.pence_text import MINUS
from contractkit.money import Money
from contractkit.results import Result

__all__ = ["POUNDS", "MoneyResult", "as_pounds", "money_text", "pounds", "records"]

POUNDS = pl.Decimal(38, 2)
"""Amounts in the tables: exact pounds and pence."""


def pounds(pence: Sequence[int | None]) -> pl.Series:
    """Whole pence (None: empty) as an exact decimal column of pounds (decimal division by 100
    over the whole column: exact, with no Python object per value)."""
    whole = pl.Series(list(pence), dtype=pl.Int64)
    return (whole.cast(POUNDS) / 100).cast(POUNDS)


def as_pounds(pence: pl.Expr) -> pl.Expr:
    """:func:`pounds` as an expression, for several columns of a table at once."""
    return (pence.cast(POUNDS) / 100).cast(POUNDS)


_TRIPLES = np.array([list(f"{n:03d}".encode()) for n in range(1000)], dtype=np.uint8)
"""Every group of three digits, as characters."""
_TENS = 10 ** np.arange(1, 19, dtype=np.int64)
_SIGNS = np.frombuffer((MINUS + "£").encode(), dtype=np.uint8)
"""A minus sign (not a hyphen) and a pound sign, as UTF-8: five bytes."""


def money_text(pence: NDArray[np.int64]) -> pl.Series:
    """Whole pence as money is written (:meth:`Money.format`: ``£1,234.56``, ``−£0.05``), for
    a whole column at once: each amount's characters are laid out right-aligned, three digits
    at a time from a table, then the spaces before them dropped."""
    size = pence.size
    magnitude = np.abs(pence)
    pounds, pennies = np.divmod(magnitude, 100)
    digits = 1 + np.searchsorted(_TENS, pounds, side="right")
    groups = int(digits.max(initial=1) + 2) // 3
    width = 5 + 4 * groups - 1 + 3  # a minus and £ (five bytes), the pounds, the pence
    chars = np.full((size, width), ord(" "), dtype=np.uint8)
    chars[:, -2:] = _TRIPLES[pennies][:, 1:]
    chars[:, -3] = ord(".")
    rest = pounds
    for group in range(groups):  # from the right, with commas between
        rest, three = np.divmod(rest, 1000)
        end = width - 3 - 4 * group
        chars[:, end - 3 : end] = _TRIPLES[three]
        if group:
            chars[:, end] = ord(",")
    start = width - 3 - digits - (digits - 1) // 3  # where the pounds begin
    chars[np.arange(width) < start[:, None]] = ord(" ")
    signs = np.where(pence < 0, 0, 3)  # the minus and £, or £ alone, before the pounds
    for place in range(5):
        rows = np.flatnonzero(signs <= place)
        chars[rows, start[rows] - 5 + place] = _SIGNS[place]
    raw = pl.Series(chars.view(f"S{width}").ravel(), dtype=pl.Binary)
    return raw.cast(pl.String).str.strip_chars_start(" ")


def _shown(value: object) -> str:
    """A cell for people: amounts as money, nothing for empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(Money(value))
    return str(value)


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for JSON: exact decimals as text (never floating-point numbers)."""
    return [
        {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
        for row in frame.to_dicts()
    ]


class MoneyResult(Result):
    """What a reconciliation, an assessment and a statement share, beyond every result's shape:
    headline figures (a dict, ``HEADLINE``) with the amounts as :class:`Money`, tables whose
    amounts are exact decimal pounds (``SCHEMAS`` gives each table's columns and types), a
    ``findings`` table, the rejected rows and the account of the rows read; and JSON in which
    every amount is the text of its pounds and pence, never a float."""

    HEADLINE: ClassVar[str]
    """The attribute holding the headline figures (a dict)."""
    FIGURES: ClassVar[tuple[str, ...]]
    """The headline's amounts (Money)."""
    SCHEMAS: ClassVar[Mapping[str, Mapping[str, pl.DataType]]]
    """Each table's columns, in order, and their types."""
    rejected: pl.DataFrame
    account: dict[str, Any]

    def table(self, name: str | None = None) -> pl.DataFrame:
        """One of ``TABLES`` by name (the first if none is named). Deprecated: every result
        gives its tables as ``tables[name]`` and ``to_polars(name)``."""
        warnings.warn(
            f"{type(self).__name__}.table(name) is deprecated: use tables[name] or "
            "to_polars(name), as every result does",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._chosen(name)

    _SHOWN: ClassVar[int] = 200
    """The most rows of the main table shown in a notebook."""

    def _repr_html_(self) -> str:
        """In a notebook: the headline figures, the findings, and the main table (amounts as
        money), with the account of the rows read."""
        headline: dict[str, Any] = getattr(self, self.HEADLINE)
        figures = ", ".join(
            f"{k.replace('_', ' ')} {html.escape(str(v))}"
            for k, v in headline.items()
            if isinstance(v, Money)
        )
        names = ", ".join(
            html.escape(str(headline[k]))
            for k in ("contract", "provider", "fund", "plan", "year", "period")
            if k in headline
        )
        findings = self._chosen("findings")
        items = "".join(
            f"<li>{html.escape(m)}</li>" for m in findings.get_column("message").head(50).to_list()
        )
        main = self._chosen(None)
        shown = main.head(self._SHOWN)
        cells = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_shown(v))}</td>" for v in row) + "</tr>"
            for row in shown.iter_rows()
        )
        more = (
            f"<p>… and {main.height - shown.height} more rows.</p>"
            if main.height > shown.height
            else ""
        )
        a = self.account
        return (
            f"<p><b>{names}</b>: {figures}.</p>"
            + (f"<ul>{items}</ul>" if items else "<p>No findings.</p>")
            + f"<table><thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table>{more}"
            + f"<p>{html.escape(str(a['source']))}: {account_line(a)}.</p>"
        )

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready: the headline figures, every table, the account and the
        rejected rows (amounts as text of pounds and pence)."""
        headline: dict[str, Any] = getattr(self, self.HEADLINE)
        return {
            "format": self.FORMAT,
            "version": self.VERSIONS[-1],
            self.HEADLINE: {
                k: (str(v.amount) if isinstance(v, Money) else v) for k, v in headline.items()
            },
            **{name: records(self._chosen(name)) for name in self.TABLES},
            "account": self.account,
            "rejected": self.rejected.to_dicts(),
        }

    @classmethod
    def _parts(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The parts a record holds, as the result holds them: the headline (amounts as Money),
        every table in its own types, the account and the rejected rows."""
        headline = dict(data[cls.HEADLINE])
        for figure in cls.FIGURES:
            headline[figure] = Money(Decimal(headline[figure]))
        tables = {name: _frame(data[name], cls.SCHEMAS[name]) for name in cls.TABLES}
        rejected = pl.DataFrame(data["rejected"]) if data["rejected"] else pl.DataFrame()
        return {
            cls.HEADLINE: headline,
            **tables,
            "account": data["account"],
            "rejected": rejected,
        }


def _frame(rows: list[dict[str, Any]], schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """A table from its JSON rows: amounts from their text, exactly."""
    read = {c: (pl.String if isinstance(t, pl.Decimal) else t) for c, t in schema.items()}
    frame = pl.DataFrame(rows, schema=read) if rows else pl.DataFrame(schema=read)
    return frame.with_columns(
        pl.col(c).cast(t) for c, t in schema.items() if isinstance(t, pl.Decimal)
    )
