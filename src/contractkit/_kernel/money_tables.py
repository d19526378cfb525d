"""Money in tables: exact decimal columns of pounds, and rows for JSON."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._account_line import account_line
from contractkit._kernel.pence_text import MINUS
from contractkit._output_file import parquet_bytes, write_output
from contractkit.money import Money

__all__ = ["POUNDS", "TableOutputs", "as_pounds", "money_text", "pounds", "records"]

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


class TableOutputs:
    """What a reconciliation and an assessment share: their tables by name, as CSV or Parquet,
    and everything as versioned JSON (amounts as text of pounds and pence, never floats)."""

    TABLES: ClassVar[tuple[str, ...]]
    """The tables held, the first being the main one."""
    FORMAT: ClassVar[str]
    """The JSON form's ``format``."""
    HEADLINE: ClassVar[str]
    """The attribute holding the headline figures (a dict)."""
    rejected: pl.DataFrame
    account: dict[str, Any]
    """(Each holds a ``findings`` table too.)"""

    def table(self, name: str | None = None) -> pl.DataFrame:
        """One of :attr:`TABLES` by name (the first if none is named)."""
        name = self.TABLES[0] if name is None else name
        if name not in self.TABLES:
            raise ValueError(f"no table {name!r}: the tables are {', '.join(self.TABLES)}")
        frame: pl.DataFrame = getattr(self, name)
        return frame

    def to_polars(self, table: str | None = None) -> pl.DataFrame:
        """A table as a polars frame (amounts as exact decimals)."""
        return self.table(table)

    def to_pandas(self, table: str | None = None) -> Any:
        """A table as a pandas frame (pandas must be installed); amounts are exact ``Decimal``
        values, never floats."""
        return self.table(table).to_pandas()

    def to_csv(self, table: str | None = None) -> str:
        """A table as CSV text (amounts in pounds, to the penny)."""
        return self.table(table).write_csv()

    def to_parquet(self, path: str | Path, table: str | None = None) -> None:
        """A table as a Parquet file (amounts as exact decimals; a file that cannot be written
        is an :class:`~contractkit.errors.OutputError`)."""
        write_output(path, parquet_bytes(self.table(table)))

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
        findings = self.table("findings")
        items = "".join(
            f"<li>{html.escape(m)}</li>" for m in findings.get_column("message").head(50).to_list()
        )
        main = self.table()
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

    def to_json(self, path: str | Path | None = None) -> str | None:
        """Everything as versioned JSON: the headline figures, every table, the account and the
        rejected rows. Returns the text, or writes it to ``path``."""
        headline: dict[str, Any] = getattr(self, self.HEADLINE)
        document = {
            "format": self.FORMAT,
            "version": 1,
            self.HEADLINE: {
                k: (str(v.amount) if isinstance(v, Money) else v) for k, v in headline.items()
            },
            **{name: records(self.table(name)) for name in self.TABLES},
            "account": self.account,
            "rejected": self.rejected.to_dicts(),
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if path is None:
            return text
        write_output(path, text)
        return None
