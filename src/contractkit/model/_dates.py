"""Dates as a contract writes them: year-month-day, and a message that shows how when not.

A contract's dates (its term, each service's commencement, the dates a threshold changes on)
are written ``2026-04-01``. A date written another way is refused with the same date written
that way, read day first as in the UK::

    >>> advice("01/04/2026")
    "'01/04/2026' is not a date: write dates as year-month-day, 2026-04-01"
    >>> advice("2026-4-1")
    "'2026-4-1' is not a date: write dates as year-month-day, 2026-04-01"

Dates are held between 1 January 1900 and 31 December 2999: nothing a contract dates falls
outside them, and arithmetic on dates (a term's last day plus one, a stage's months) stays
inside the calendar.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["EARLIEST", "LATEST", "Day", "advice", "looks_like_a_date", "read_day"]

EARLIEST = date(1900, 1, 1)
"""The earliest date a contract may give."""
LATEST = date(2999, 12, 31)
"""The latest date a contract may give."""

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_FIRST = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_IN_WORDS = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[\s/-]+([A-Za-z]+)\.?,?[\s/-]+(\d{4}|\d{2})$", re.IGNORECASE
)
_MONTH_FIRST_IN_WORDS = re.compile(
    r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.IGNORECASE
)
_WITH_TIME = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})(?:[Tt]|[ \t]+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d*)?)?"
    r"(?:[ \t]*(?:Z|[-+]\d{1,2}(?::?\d{2})?))?$"
)
_MONTHS = {
    **{name.lower(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.lower(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}
_HOW = "write dates as year-month-day"


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def meant(text: str) -> date | None:
    """The date a text most likely means, if it reads as one in some common form.

    Numbers are read day first, as in the UK (``01/04/2026`` is 1 April), unless only the
    other way round reads as a date (``04/13/2026``). A two-digit year is in this century.
    """
    text = text.strip()
    if found := _WITH_TIME.match(text):
        text = found.group(1)
    if found := _YEAR_FIRST.match(text) or _COMPACT.match(text):
        return _day(*(int(part) for part in found.groups()))
    if found := _DAY_FIRST.match(text):
        first, second, year = int(found.group(1)), int(found.group(2)), _year(found.group(3))
        return _day(year, second, first) or _day(year, first, second)
    if found := _IN_WORDS.match(text):
        month = _MONTHS.get(found.group(2).lower())
        return _day(_year(found.group(3)), month, int(found.group(1))) if month else None
    if found := _MONTH_FIRST_IN_WORDS.match(text):
        month = _MONTHS.get(found.group(1).lower())
        return _day(int(found.group(3)), month, int(found.group(2))) if month else None
    return None


def looks_like_a_date(text: str) -> bool:
    """Whether text is written as a date in some form, even one that is no real day
    (``31/02/2026``), so that it can be told apart from a name."""
    text = text.strip()
    return bool(
        _ISO.match(text)
        or _WITH_TIME.match(text)
        or _YEAR_FIRST.match(text)
        or _DAY_FIRST.match(text)
        or ((found := _IN_WORDS.match(text)) and found.group(2).lower() in _MONTHS)
        or ((found := _MONTH_FIRST_IN_WORDS.match(text)) and found.group(1).lower() in _MONTHS)
    )


def _no_such_day(text: str) -> str | None:
    """Why a date in year-month-day form is no real day ('February 2026 has 28 days')."""
    found = _YEAR_FIRST.match(text.strip())
    if not found:
        return None
    year, month, _ = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    return f"{calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days"


def advice(text: str) -> str:
    """Why text is not a date, and how to write it (the same date, where it reads as one)."""
    shown = repr(text)
    if len(shown) > 50:  # as written, cut short (escapes and all)
        shown = shown[:40] + "…" + shown[-1]
    if _WITH_TIME.match(text.strip()) and (day := meant(text)) is not None:
        return f"{shown} is a date and a time: write the date alone, {day.isoformat()}"
    day = meant(text)
    if day is not None:
        return f"{shown} is not a date: {_HOW}, {day.isoformat()}"
    reason = _no_such_day(text)
    if reason is not None:
        return f"{shown} is not a date: {reason}"
    return f"{shown} is not a date: {_HOW}, such as 2026-04-01"


def _number_text(value: int | Decimal | float) -> str:
    """A number as text for a message, unless it is no finite number or far too long."""
    if isinstance(value, float) and not math.isfinite(value):
        return "a number that is not finite"
    if isinstance(value, int):
        number = Decimal(value) if value.bit_length() < 128 else Decimal("Infinity")
    else:
        number = Decimal(value)
    if not number.is_finite():
        return (
            "a number that is not finite"
            if not isinstance(value, int)
            else "a number far beyond any date"
        )
    if abs(number) >= 10**30:
        return "a number far beyond any date"
    return str(value)


def _in_range(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            f"{day.isoformat()} is outside the dates contractkit works with (1 January 1900 to "
            "31 December 2999): check the year"
        )
    return day


def read_day(value: Any) -> date:
    """A date as a contract gives it: a date, or text written year-month-day.

    Raises ValueError, with the date written the right way where it can be read (a date and a
    time, a UK date, a date in words), for anything else.
    """
    if isinstance(value, datetime):
        raise ValueError(
            f"{value.isoformat(sep=' ')} is a date and a time: give the date alone, "
            f"{value.date().isoformat()}"
        )
    if isinstance(value, date):
        return _in_range(value)
    if isinstance(value, str):
        if _ISO.match(value.strip()):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(advice(value)) from None
            return _in_range(day)
        raise ValueError(advice(value))
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        digits = _number_text(value)
        if _COMPACT.match(digits) and meant(digits) is not None:
            raise ValueError(advice(digits).replace(repr(digits), digits, 1))
        raise ValueError(f"expected a date, written year-month-day (2026-04-01); got {digits}")
    if value is None:
        described = "nothing"
    elif isinstance(value, list | tuple):
        described = "a list"
    elif isinstance(value, dict):
        described = "a mapping"
    else:
        name = type(value).__name__
        described = f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
    raise ValueError(f"expected a date, written year-month-day (2026-04-01); got {described}")


Day = Annotated[date, BeforeValidator(read_day)]
"""A date in a spec: year-month-day, between 1900 and 2999."""
