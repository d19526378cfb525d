"""Months as whole numbers, and back: the one way the columnar code writes a month.

A month's **number** is the months since January of year 0 (``year * 12 + month - 1``, the same
as :attr:`contractkit.periods.Month.index`), so consecutive months have consecutive numbers and a
period is a first month's number and a length in months (1, 3 or 12). Where a period has to be one
whole number (to find the distinct periods of a column at once), it is its **key**,
``first * 16 + months``.

>>> from datetime import date
>>> month_number(date(2026, 7, 15))
24318
>>> str(period_of(24318, 3))
'2026/27 Q2'
>>> april_of(24318) == month_number(date(2026, 4, 1))
True
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from contractkit.periods import FinancialYear, Month, Quarter

__all__ = [
    "KEY",
    "april_of",
    "last_month_number",
    "month_number",
    "month_of",
    "period_of",
    "period_of_key",
]

KEY = 16
"""A period's key is ``first * KEY + months``: the length (at most 12) fits below it."""

_N = TypeVar("_N")


def month_number(day: date) -> int:
    """The number of the month a day falls in."""
    return day.year * 12 + day.month - 1


def last_month_number(period: Month | Quarter | FinancialYear) -> int:
    """The number of a period's last month."""
    return period.end.year * 12 + period.end.month - 2  # the month before the end's


def april_of(number: _N) -> _N:
    """The number of the April that starts the financial year of month ``number`` (a whole
    number, or a column of them)."""
    value: Any = number
    result: _N = ((value - 3) // 12) * 12 + 3
    return result


def month_of(year: FinancialYear, through: int) -> Month:
    """The month ``through`` months after a financial year's April (0: April itself)."""
    return Month.from_index(month_number(year.start) + through)


def period_of(first: int, months: int) -> Month | Quarter | FinancialYear:
    """The period that starts at month number ``first`` and lasts ``months`` months (1, 3, or a
    financial year)."""
    month = Month(first // 12, first % 12 + 1)
    if months == 1:
        return month
    if months == 3:
        return month.quarter
    return month.financial_year


def period_of_key(key: int) -> Month | Quarter | FinancialYear:
    """The period a key stands for (see :data:`KEY`)."""
    return period_of(key // KEY, key % KEY)
