"""Reading a whole column of periods: each row's first month and length, over whole columns.

Every table contractkit reads — returns, spend, outturn, activity, outcome claims — reads its
period column here, with the grammar of :func:`contractkit.periods.parse_period`:

- **text** is read once per distinct value (a period column has few), and each row takes its
  value's period;
- **dates**, and **dates and times** (naive, or in a time zone: the date in its own zone), give
  the month they fall in;
- **numbers** are a spreadsheet's date numbers (days since 30 December 1899, whole or
  fractional), read for days in the years 2000 to 2099, as their text would be.

In a column where some date reads only month first (``04/13/2026``), the dates that read either
way (``04/05/2026``) are refused too: reading them day first would put them in the wrong month.

A month is counted as ``year × 12 + month − 1``; a row that names no period has -1 for both its
first month and its length.

    >>> column = read_periods(pl.Series(["Apr-26", "Q2 2026/27", "soon", None]))
    >>> column.first.tolist(), column.months.tolist()
    ([24315, 24318, -1, -1], [1, 3, -1, -1])
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any, Final

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel import period_text as _period_text
from contractkit._kernel.period_text import SERIAL_DAYS, SERIAL_EPOCH, date_order
from contractkit.errors import PeriodError
from contractkit.periods import FinancialYear, Month, Period, Quarter, parse_period

__all__ = ["LENGTHS", "PeriodColumn", "read_periods", "unreadable_message"]

Ints = NDArray[np.int64]
Rows = slice | NDArray[Any]

LENGTHS: Final[dict[type[Period], int]] = {Month: 1, Quarter: 3, FinancialYear: 12}
"""Each kind of period's length in months, as a column gives it."""
_KIND_NAMES: Final[dict[type[Period], _period_text.Kind]] = {
    Month: _period_text.MONTH,
    Quarter: _period_text.QUARTER,
    FinancialYear: _period_text.FINANCIAL_YEAR,
}
_ARTICLES: Final = {Month: "a month", Quarter: "a quarter", FinancialYear: "a financial year"}
_BY: Final = {
    Month: "by month (2026-07)",
    Quarter: "by quarter (2026/27 Q2)",
    FinancialYear: "by financial year (2026/27)",
}
_EPOCH_DAYS: Final = (date(1970, 1, 1) - SERIAL_EPOCH).days
"""Days from 30 December 1899 to 1 January 1970 (day 0 of a polars date): 25569."""


@attrs.frozen
class PeriodColumn:
    """A column of periods, read: each row's first month and length in months.

    The periods are held per *entry*: a distinct text (and one last entry for an empty cell),
    or, for a column of dates or numbers, a row. ``index`` gives each row's entry (None when
    the entries are the rows).
    """

    first_of: Ints = attrs.field(repr=False)
    """Per entry: its first month (year × 12 + month − 1), -1 where it names no period."""
    months_of: Ints = attrs.field(repr=False)
    """Per entry: its length in months (1, 3 or 12), -1 where it names no period."""
    index: NDArray[np.integer[Any]] | None = attrs.field(repr=False)
    """Per row: its entry; None when the entries are the rows."""
    values: list[str] | None = attrs.field(repr=False)
    """The distinct texts, trimmed (for a column of text), in entry order."""
    series: pl.Series | None = attrs.field(repr=False)
    """The column itself (for a column of dates or numbers), to show a row as written."""

    def __len__(self) -> int:
        return int(self.index.shape[0] if self.index is not None else self.first_of.shape[0])

    def _entries(self, rows: Rows) -> NDArray[Any]:
        if self.index is not None:
            return self.index[rows]
        return np.arange(len(self))[rows]

    def at(self, rows: Rows) -> tuple[Ints, Ints]:
        """The chosen rows' first months and lengths."""
        if self.index is None:
            return self.first_of[rows], self.months_of[rows]
        entries = self.index[rows]
        return self.first_of[entries], self.months_of[entries]

    @property
    def first(self) -> Ints:
        """Each row's first month (-1 where it names no period)."""
        return self.first_of if self.index is None else self.first_of[self.index]

    @property
    def months(self) -> Ints:
        """Each row's length in months: 1, 3 or 12 (-1 where it names no period)."""
        return self.months_of if self.index is None else self.months_of[self.index]

    def text(self, rows: Rows) -> list[str | None]:
        """The chosen rows' periods as written (trimmed; None where empty)."""
        entries = self._entries(rows)
        if self.values is not None:
            shown = [*self.values, None]
            return [shown[i] or None for i in entries.tolist()]
        assert self.series is not None  # a column of dates or numbers keeps itself
        chosen = self.series.gather(np.asarray(entries, dtype=np.int64))
        if chosen.dtype.is_float():
            chosen = chosen.fill_nan(None)
        return chosen.cast(pl.String).to_list()

    def repeated(self, height: int) -> PeriodColumn:
        """A column of one row as ``height`` rows (a constant given for every row)."""
        only = self.index[:1] if self.index is not None else np.zeros(1, dtype=np.int64)
        return attrs.evolve(self, index=np.broadcast_to(only, (height,)))


def read_periods(column: pl.Series) -> PeriodColumn:
    """Read a column of periods of any type: text, dates, dates and times, or numbers."""
    dtype = column.dtype
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return _from_dates(column)
    if dtype.is_numeric():
        return _from_numbers(column)
    return _from_text(_as_text(column))


def _months_of_dates(days: pl.Expr) -> pl.Expr:
    return (days.dt.year().cast(pl.Int64) * 12 + days.dt.month().cast(pl.Int64) - 1).fill_null(-1)


def _per_row(column: pl.Series, first: pl.Series) -> PeriodColumn:
    first_of = first.to_numpy().astype(np.int64, copy=False)
    months_of = np.where(first_of >= 0, 1, -1).astype(np.int64)
    return PeriodColumn(first_of, months_of, None, None, column)


def _from_dates(column: pl.Series) -> PeriodColumn:
    """Each date's month; a date and time in a zone gives the month of its date there."""
    frame = pl.DataFrame({"_": column})
    return _per_row(column, frame.select(_months_of_dates(pl.col("_"))).to_series())


def _from_numbers(column: pl.Series) -> PeriodColumn:
    """Each spreadsheet date number's month, for days in the years read (the same rule as for
    the number's text)."""
    low, high = SERIAL_DAYS
    number = pl.col("_").cast(pl.Float64)
    day = number.floor()
    wanted = number.is_finite() & (day >= low) & (day <= high)
    as_date = (
        pl.when(wanted.fill_null(False))
        .then(day - _EPOCH_DAYS)
        .otherwise(None)
        .cast(pl.Int32)
        .cast(pl.Date)
    )
    frame = pl.DataFrame({"_": column})
    return _per_row(column, frame.select(_months_of_dates(as_date)).to_series())


def _as_text(column: pl.Series) -> pl.Series:
    """The column as text: cast where polars can, each value's ``str`` where it cannot (a
    column of Python objects, lists or bytes)."""
    if column.dtype == pl.String:
        return column
    try:
        return column.cast(pl.String)
    except pl.exceptions.PolarsError:
        return pl.Series(
            column.name,
            [None if value is None else str(value) for value in column.to_list()],
            dtype=pl.String,
        )


def _from_text(text: pl.Series) -> PeriodColumn:
    """Each distinct text read once; each row takes its text's period."""
    distinct = text.unique().drop_nulls()
    index = text.cast(pl.Enum(distinct)).to_physical().fill_null(distinct.len()).to_numpy()
    values = [value.strip() for value in distinct.to_list()]
    first_of = np.full(len(values) + 1, -1, dtype=np.int64)
    months_of = np.full(len(values) + 1, -1, dtype=np.int64)
    for entry, value in enumerate(values):
        try:
            period = parse_period(value)
        except PeriodError:
            continue
        first_of[entry] = period.start.year * 12 + period.start.month - 1
        months_of[entry] = LENGTHS[type(period)]
    # Dates that read only month first make those that read either way doubtful.
    orders = [date_order(value) for value in values]
    if "month_first" in orders:
        for entry, order in enumerate(orders):
            if order == "either":
                first_of[entry] = months_of[entry] = -1
    return PeriodColumn(first_of, months_of, index, values, None)


def unreadable_message(
    written: str | None,
    kinds: tuple[type[Period], ...] = (Month, Quarter, FinancialYear),
    what: str = "the table",
) -> str:
    """Why a row's period was not read, and what to write: ``written`` is the period as the row
    gives it, ``kinds`` the kinds of period ``what`` (``"spend"``, say) is given in.

        >>> unreadable_message("Q2 2026/27", (Month,), "activity")
        "'Q2 2026/27' is a quarter, but activity is given by month (2026-07)"
    """
    names = tuple(_KIND_NAMES[kind] for kind in kinds)
    if written is None or not written.strip():
        return f"the period is empty: write {_period_text.forms(names)}"
    try:
        period = parse_period(written)
    except PeriodError:
        try:
            _period_text.read(written, names)
        except PeriodError as error:
            return str(error)
        raise  # pragma: no cover - the grammar refuses what parse_period refuses
    shown = written.strip()
    if type(period) not in kinds:
        return f"{shown!r} is {_ARTICLES[type(period)]}, but {what} is given " + " or ".join(
            _BY[kind] for kind in kinds
        )
    if date_order(shown) == "either":
        return _doubtful(shown, period)
    return f"{shown!r} is not a period: write {_period_text.forms(names)}"  # pragma: no cover


def _doubtful(shown: str, period: Period) -> str:
    """The message for a date that reads either way, in a column written month first."""
    year, month = period.start.year, period.start.month
    first = int(shown.replace(".", "/").replace("-", "/").split("/")[0])
    return (
        f"{shown!r} could be in {calendar.month_name[month]} or in {calendar.month_name[first]} "
        f"{year}: other dates in this column read only month first (as American spreadsheets "
        f"write dates), so this one is not read day first; write it as {year}-{month:02d}-"
        f"{first:02d} or {year}-{first:02d}-{month:02d}"
    )
