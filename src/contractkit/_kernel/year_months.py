"""Months of a financial year counted from its April (0 to 11), for returns by line or by
organisation: the last month a period covers, each row's first month and length, the latest
row of each line, and rows whose months overlap. Over whole columns."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints
from contractkit._kernel.months import last_month_number, month_number, month_of
from contractkit._kernel.period_column import read_periods
from contractkit.errors import ArgumentError
from contractkit.periods import FinancialYear, Month, Quarter, parse_period

__all__ = [
    "latest",
    "latest_rows",
    "latest_values",
    "month_of",
    "months_through",
    "reject_overlaps",
    "year_months",
]


def months_through(period: str | None, year: FinancialYear, ends: Ints | None = None) -> int:
    """The last month (counted from the year's April, 0) a period covers: ``period`` (a month,
    quarter or the year itself), or, without one, the last month any row covers (``ends``; the
    year's end if there are none)."""
    if period is None:
        return int(ends.max()) if ends is not None and ends.size else 11
    parsed = parse_period(period)
    if not isinstance(parsed, Month | Quarter | FinancialYear) or not (
        year.start <= parsed.start < year.end
    ):
        raise ArgumentError(f"{period} is not a month, quarter or the year of {year}")
    return last_month_number(parsed) - month_number(year.start)


def year_months(column: pl.Series, year: FinancialYear) -> tuple[Ints, Ints]:
    """Each row's first month, counted from the year's April (0), and its length in months (1
    or 3; -1 where the period is not a month or a quarter: unreadable, or a financial year).
    The column is read as every table's period column is (text once per distinct value, date
    cells, spreadsheet date numbers: see :func:`contractkit.periods.parse_period`)."""
    periods = read_periods(column)
    months = periods.months
    wanted = (months == 1) | (months == 3)
    first = np.where(wanted, periods.first - month_number(year.start), -99)
    return first, np.where(wanted, months, -1)


def latest(
    size: int, key: Ints, first: Ints, values: Ints, given: NDArray[np.bool_]
) -> list[int | None]:
    """For each key (0 to size − 1), the value of its latest row (by first month) among those
    where a value is ``given``; None where there is none. Over whole columns."""
    value, found = latest_values(size, key, first, values, given)
    return [v if f else None for v, f in zip(value.tolist(), found.tolist(), strict=True)]


def latest_values(
    size: int, key: Ints, first: Ints, values: Ints, given: NDArray[np.bool_]
) -> tuple[Ints, NDArray[np.bool_]]:
    """:func:`latest` as arrays: each key's value (0 where there is none) and whether it has
    one."""
    row = latest_rows(size, key, first, given)
    found = row >= 0
    value = np.zeros(size, dtype=np.int64)
    value[found] = values[row[found]]
    return value, found


def latest_rows(size: int, key: Ints, first: Ints, given: NDArray[np.bool_]) -> Ints:
    """For each key (0 to size − 1), its latest row (by first month; on a tie, the row given
    last) among those where ``given``: its index, or -1 where there is none."""
    chosen = np.full(size, -1, dtype=np.int64)
    rows = np.flatnonzero(given)
    if rows.size == 0:
        return chosen
    order = rows[np.lexsort((first[rows], key[rows]))]
    last = order[np.r_[key[order][1:] != key[order][:-1], True]]
    chosen[key[last]] = last
    return chosen


def reject_overlaps(
    reason: NDArray[np.int8], line: Ints, first: Ints, months: Ints, code: int
) -> None:
    """Mark with ``code`` every row (still passing) whose months overlap another passing row's
    for the same ``line`` (all of them: none is chosen quietly)."""
    rows = np.flatnonzero(reason == 0)
    if rows.size < 2:
        return
    # One entry per month a row covers; a month held twice for one line is a clash.
    counts = months[rows]
    if (counts == 1).all():  # months only (the usual case): one entry each
        owner = rows
        key = line[owner] * 12 + first[owner]
    else:
        owner = np.repeat(rows, counts)
        offsets = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
        key = line[owner] * 12 + first[owner] + offsets
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = np.zeros(ordered.size, dtype=bool)
    same[1:] |= ordered[1:] == ordered[:-1]
    same[:-1] |= ordered[1:] == ordered[:-1]
    reason[np.unique(owner[order[same]])] = code
