"""Periods as people write them: the one grammar of :func:`contractkit.periods.parse_period`
and of every table contractkit reads.

A text is read as exactly one month, quarter or financial year, or refused with a message that
says why and what to write instead. What is read, and how:

- a month: ``2026-04``, ``Apr-26``, ``Apr 26``, ``Apr 2026``, ``April 2026``, ``Sept 2026``
  (any case; a two-digit year is 20YY), or any day in it: ``2026-04-01``, ``01/04/2026`` and
  ``1/4/2026`` (day first, as in the UK), ``1-Apr-26``, ``1 April 2026``, ``April 1, 2026``, a
  date and time (``2026-04-01 00:00:00``, ``2026-04-01T09:30:00+01:00``: the date as written, in
  its own zone), or a spreadsheet's date number (``46113``: days since 30 December 1899, as
  Excel stores dates; whole or fractional, for days in the years 2000 to 2099);
- a quarter: ``2026/27 Q2``, ``Q2 2026/27``, ``2026-27 Q2``, ``Q2 26/27``, ``FY2026/27 Q2``;
- a financial year: ``2026/27``, ``FY2026/27``, ``FY 2026-27``, ``2026-27``, ``2026/2027``.

Refused, each with the likely fix: ``2011-12`` (December 2011, or the financial year 2011/12?),
a quarter of a calendar year (``2026 Q2``: which financial year?), ``FY2026``, a year alone, a
date that only reads month first (``04/13/2026``), years that do not follow (``2026/28``), an
impossible date (``31/02/2026``), a two-digit year in a numeric date (``01/04/26``), and a
number outside the years of the date numbers read.

The grammar returns plain numbers, ``(kind, year, number)``, and knows nothing of the period
classes: :mod:`contractkit.periods` builds them. Only :mod:`re` and :mod:`datetime` are used,
so that every command can import it and still start fast.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final, Literal, TypeAlias

from contractkit.errors import PeriodError

__all__ = [
    "FINANCIAL_YEAR",
    "MONTH",
    "QUARTER",
    "SERIAL_DAYS",
    "SERIAL_EPOCH",
    "Reading",
    "date_order",
    "forms",
    "read",
]

MONTH: Final = "month"
QUARTER: Final = "quarter"
FINANCIAL_YEAR: Final = "financial year"
Kind: TypeAlias = Literal["month", "quarter", "financial year"]
Reading: TypeAlias = tuple[Kind, int, int]
"""``(kind, year, number)``: a month's calendar year and month; a quarter's or financial
year's start year, and the quarter's number (0 for a financial year)."""

SERIAL_EPOCH = date(1899, 12, 30)
"""Day 0 of a spreadsheet's date numbers (Excel's 1900 system, as every spreadsheet exports
it: day 1 is 31 December 1899 and day 60 Excel's imaginary 29 February 1900, so from March 1900
on a number counts days from here)."""
SERIAL_YEARS = (2000, 2099)
"""The years whose days are read from date numbers: a plausible range for returns, far from
small counts and from years written alone."""
SERIAL_DAYS = (
    (date(SERIAL_YEARS[0], 1, 1) - SERIAL_EPOCH).days,
    (date(SERIAL_YEARS[1], 12, 31) - SERIAL_EPOCH).days,
)
"""The first and last whole date numbers read: 36526 (1 January 2000) and 73050 (31 December
2099)."""

_NAMES = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_ZONE = r"(?: ?(?:z|utc|gmt|bst|[+-][0-9]{2}(?::?[0-9]{2})?))?"
_TIME = (
    r"(?:[ t]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,][0-9]+)?)?(?: ?([ap])\.?m\.?)?"
    + _ZONE
    + r")?"
)
_YEAR_PART = r"(?:fy ?)?([0-9]{4}|[0-9]{2}) ?([/-]) ?([0-9]{4}|[0-9]{2})"
_Q = r"(?:q|quarter ?)([0-9])"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


_ISO_MONTH = _compile(r"([0-9]{4})-([0-9]{1,2})")
_ISO_DATE = _compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})" + _TIME)
_DAY_FIRST = _compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})" + _TIME)
_NAMED_MONTH = _compile(rf"({_NAMES})\.?[ '/.-]*([0-9]{{4}}|[0-9]{{2}})")
_DAY_NAMED = _compile(
    rf"([0-9]{{1,2}})(?:st|nd|rd|th)?[ /.-]*({_NAMES})\.?[ ,'/.-]*([0-9]{{4}}|[0-9]{{2}})" + _TIME
)
_NAMED_DAY = _compile(rf"({_NAMES})\.? ([0-9]{{1,2}})(?:st|nd|rd|th)?,? ([0-9]{{4}})" + _TIME)
_NAME_ONLY = _compile(rf"(?:[0-9]{{1,2}}(?:st|nd|rd|th)?[ /.-]*)?({_NAMES})\.?")
_QUARTER_AFTER = _compile(rf"{_YEAR_PART}[ ,_-]*{_Q}")
_QUARTER_BEFORE = _compile(rf"{_Q}[ ,_-]*{_YEAR_PART}")
_QUARTER_OF_YEAR = _compile(rf"(?:fy ?)?([0-9]{{4}}|[0-9]{{2}})[ ,_-]*{_Q}")
_QUARTER_BEFORE_YEAR = _compile(rf"{_Q}[ ,_-]*(?:fy ?)?([0-9]{{4}}|[0-9]{{2}})")
_FINANCIAL_YEAR = _compile(_YEAR_PART)
_FY_OF_YEAR = _compile(r"fy ?([0-9]{4}|[0-9]{2})")
_YEAR = _compile(r"[0-9]{4}")
_COMPACT = _compile(r"([0-9]{4})([0-9]{2})([0-9]{2})?")
_NUMBER = _compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[+-]?[0-9]+)?")

_LAST_SERIAL = (date.max - SERIAL_EPOCH).days
_MONTH_NUMBERS = {name: i for i, name in enumerate(calendar.month_abbr) if name}


def _month_number(name: str) -> int:
    return _MONTH_NUMBERS[name[:3].capitalize()]


def _month_name(month: int) -> str:
    return calendar.month_name[month]


def _year(digits: str) -> int:
    """A year as written: four digits, or two (20YY)."""
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _fy_text(start_year: int) -> str:
    return f"{start_year:04d}/{(start_year + 1) % 100:02d}"


def _quarter_text(start_year: int, number: int) -> str:
    return f"{_fy_text(start_year)} Q{number}"


_EXAMPLES = {
    MONTH: "a month (2026-07, Jul-26, July 2026, or a day in it such as 2026-07-01 or 01/07/2026)",
    QUARTER: "a quarter (2026/27 Q2, Q2 2026/27)",
    FINANCIAL_YEAR: "a financial year (2026/27, FY2026-27)",
}
_ALL_KINDS: tuple[Kind, ...] = (MONTH, QUARTER, FINANCIAL_YEAR)


def forms(kinds: tuple[Kind, ...] = _ALL_KINDS) -> str:
    """The accepted forms of ``kinds``, for a message: ``a month (…), a quarter (…) or a
    financial year (…)``."""
    named = [_EXAMPLES[k] for k in kinds]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]


def _refuse(shown: str, message: str) -> PeriodError:
    """A period refused, the text shown whole or, if long, by its start and length (a message
    about a vast cell must not be vast itself)."""
    text = repr(shown) if len(shown) <= 60 else f"{shown[:40]!r}… ({len(shown):,} characters)"
    return PeriodError(f"{text} {message}", got=shown)


def _checked_day(shown: str, year: int, month: int, day: int) -> None:
    """Refuse a day that is not in the calendar."""
    if not 1 <= month <= 12:
        raise _refuse(shown, f"is not a date: there is no month {month}")
    if not 1 <= year <= 9999:
        raise _refuse(shown, f"is not a date: there is no year {year}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _refuse(
            shown,
            f"is not a date: {_month_name(month)} {year} has {last} days"
            if day
            else "is not a date: there is no day 0",
        )


def _checked_time(shown: str, match: re.Match[str], first: int) -> None:
    """Refuse a time of day that is not on the clock (groups from ``first``: hour, minute,
    second, am/pm)."""
    hour, minute, second, half = match.group(first, first + 1, first + 2, first + 3)
    if hour is None:
        return
    top = (1, 12) if half else (0, 23)
    if not (top[0] <= int(hour) <= top[1] and int(minute) <= 59 and int(second or 0) <= 59):
        clock = (
            f"{hour}:{minute}" + (f":{second}" if second else "") + (f" {half}m" if half else "")
        )
        raise _refuse(shown, f"is not a date and time: {clock} is not a time of day")


def _financial_year(shown: str, first: str, second: str, *, prefixed: bool) -> int:
    """The start year of a financial year written as two years, checked to follow."""
    start = _year(first)
    if len(first) == 2 and len(second) == 4:
        raise _refuse(shown, f"is not a financial year: write it like {_fy_text(start)!r}")
    follows = int(second) == (start + 1) % 100 if len(second) == 2 else int(second) == start + 1
    if not follows:
        written = f"{(start + 1) % 100:02d}" if len(second) == 2 else str(start + 1)
        hint = ""
        if len(first) == 4 and len(second) == 2 and 1 <= int(second) <= 12 and not prefixed:
            hint = f"; for {_month_name(int(second))} {start}, write '{start}-{second}'"
        raise _refuse(
            shown,
            f"is not a financial year: the year after {start} is written {written}, as in "
            f"{_fy_text(start)!r}{hint}",
        )
    return start


def _which_year(shown: str, year: int) -> PeriodError:
    return _refuse(
        shown,
        f"does not say which financial year: write {_fy_text(year)!r} (April {year} to March "
        f"{year + 1}) or {_fy_text(year - 1)!r} (April {year - 1} to March {year})",
    )


def _which_quarter(shown: str, year: int, number: int) -> PeriodError:
    if not 1 <= number <= 4:
        return _refuse(
            shown, "is not a quarter: quarters are Q1 (April to June) to Q4 (January to March)"
        )
    return _refuse(
        shown,
        "does not say which financial year: quarters are of the financial year, April to "
        f"March, and Q1 is April to June; write {_quarter_text(year, number)!r} for "
        f"{_quarter_span(year, number)}, or {_quarter_text(year - 1, number)!r} for "
        f"{_quarter_span(year - 1, number)}",
    )


def _quarter_span(start_year: int, number: int) -> str:
    first = 4 + 3 * (number - 1)
    year = start_year + (first > 12)
    first = (first - 1) % 12 + 1
    return f"{_month_name(first)} to {_month_name(first + 2)} {year}"


def _serial(shown: str, number: str) -> Reading:
    """A spreadsheet's date number: the month of its day, for days in the years read."""
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise _refuse(shown, f"is not a period: write {forms()}") from None
    low, high = SERIAL_DAYS
    if low <= value < high + 1:
        day = SERIAL_EPOCH + timedelta(days=int(value))
        return (MONTH, day.year, day.month)
    where = ""
    if value.is_finite() and -_LAST_SERIAL <= value <= _LAST_SERIAL:  # abs() can overflow
        whole = int(value)
        if 1900 <= whole <= 2100 and whole == value:
            where = (
                f"; as a year alone it is not a period either: write a month ('{whole}-04'), "
                f"a quarter ({_quarter_text(whole, 1)!r}) or a financial year "
                f"({_fy_text(whole)!r})"
            )
        elif whole > 60:  # from 1 March 1900: Excel counts an imaginary 29 February 1900
            day = SERIAL_EPOCH + timedelta(days=whole)
            where = f" (as a date number it would be {day.day} {day:%B} {day.year})"
    raise _refuse(
        shown,
        "is not a period: a number is read as a spreadsheet's date (days since 30 December "
        f"1899) only for days in the years {SERIAL_YEARS[0]} to {SERIAL_YEARS[1]}{where}",
    )


def read(text: str, kinds: tuple[Kind, ...] = _ALL_KINDS) -> Reading:
    """The period a text names, as ``(kind, year, number)``; a
    :class:`~contractkit.errors.PeriodError` saying why not, and what to write, if it names
    none or could name more than one. ``kinds`` only words the list of accepted forms in a
    message about text that is nothing like a period.

        >>> read("Apr-26"), read("Q2 2026-27"), read("FY2026/27")
        (('month', 2026, 4), ('quarter', 2026, 2), ('financial year', 2026, 0))
    """
    shown = text.strip()
    written = " ".join(text.split()).lower()
    if not written:
        raise _refuse(shown, f"is not a period: it is empty; write {forms(kinds)}")
    for reader in _READERS:
        reading = reader(shown, written)
        if reading is not None:
            return _within_the_calendar(shown, reading)
    raise _refuse(shown, f"is not a period: write {forms(kinds)}")


_FIRST_MONTH = 12
"""January 0001, as months since January of year 0: the first month the calendar holds."""
_LAST_MONTH = 9999 * 12 + 10
"""November 9999, as months since January of year 0: the last month whose end (the day after
it) the calendar holds."""


def _within_the_calendar(shown: str, reading: Reading) -> Reading:
    """A period within the calendar: from January 0001, and ending by 30 November 9999 so
    that the day after it is a date (the few periods beyond had a start or an end that
    crashed)."""
    kind, year, number = reading
    # Months since January of year 0 of the period's first and last months (a quarter's or a
    # financial year's counted from April, so that Q4 and the year end in March of the next).
    first = year * 12 + {MONTH: number - 1, QUARTER: 3 * number, FINANCIAL_YEAR: 3}[kind]
    last = year * 12 + {MONTH: number - 1, QUARTER: 2 + 3 * number, FINANCIAL_YEAR: 14}[kind]
    if first < _FIRST_MONTH or last > _LAST_MONTH:
        raise _refuse(
            shown,
            "is not a period contractkit can hold: a period falls between January 0001 and "
            "November 9999 (the calendar runs from 1 January 0001 to 31 December 9999)",
        )
    return reading


def date_order(text: str) -> Literal["day_first", "month_first", "either"] | None:
    """For a date written with its day and month as numbers before the year (``01/04/2026``),
    how it can be read: ``either`` way (both numbers 12 or less, and different), only
    ``day_first`` or only ``month_first`` (the second number is more than 12); None for any
    other text. A column that holds a date only month first makes its dates that read either
    way doubtful."""
    match = _DAY_FIRST.fullmatch(" ".join(text.split()).lower())
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(3))
    if second > 12 and 1 <= first <= 12:
        return "month_first"
    if first <= 12 and second <= 12 and first != second:
        return "either"
    return "day_first"


def _iso_month(shown: str, written: str) -> Reading | None:
    """``2026-04`` (a month), ``2026-27`` (a financial year), and ``2011-12`` refused: it
    could be either."""
    match = _ISO_MONTH.fullmatch(written)
    if match is None:
        return None
    year, digits = int(match.group(1)), match.group(2)
    month = int(digits)
    is_month = 1 <= month <= 12
    is_year = len(digits) == 2 and month == (year + 1) % 100
    if is_month and is_year:
        name = _month_name(month)
        raise _refuse(
            shown,
            f"could be {name} {year} or the financial year {_fy_text(year)}: write "
            f"'{name[:3]} {year:04d}' (or '{year:04d}-{month:02d}-01') for the month, or "
            f"{_fy_text(year)!r} for the financial year",
        )
    if is_month:
        return (MONTH, year, month)
    if is_year:
        return (FINANCIAL_YEAR, year, 0)
    raise _refuse(
        shown,
        f"is not a month: month must be 01 to 12 (a financial year is written {_fy_text(year)!r})",
    )


def _iso_date(shown: str, written: str) -> Reading | None:
    """``2026-04-01``, ``2026/04/01``, with a time of day or not: the month of the day."""
    match = _ISO_DATE.fullmatch(written)
    if match is None:
        return None
    year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
    _checked_day(shown, year, month, day)
    _checked_time(shown, match, 5)
    return (MONTH, year, month)


def _day_first(shown: str, written: str) -> Reading | None:
    """``01/04/2026``, ``1/4/2026``, ``01-04-2026``, ``01.04.2026``: day first, as in the UK."""
    match = _DAY_FIRST.fullmatch(written)
    if match is None:
        return None
    day, separator, month = int(match.group(1)), match.group(2), int(match.group(3))
    if len(match.group(4)) == 2:
        raise _refuse(
            shown,
            "is not a date: write the year in full, as in "
            f"'{match.group(1)}{separator}{match.group(3)}{separator}20{match.group(4)}'"
            + (f" (or '20{match.group(4)}-{month:02d}-{day:02d}')" if month <= 12 else ""),
        )
    year = int(match.group(4))
    if not 1 <= year <= 9999:
        raise _refuse(shown, f"is not a date: there is no year {year}")
    if month > 12 and 1 <= day <= 12 and month <= calendar.monthrange(year, day)[1]:
        raise _refuse(
            shown,
            f"is not a date: dates are read day first, as in the UK, and there is no month "
            f"{month}; for {month} {_month_name(day)} {year}, write "
            f"'{month:02d}{separator}{day:02d}{separator}{year}' or "
            f"'{year}-{day:02d}-{month:02d}'",
        )
    _checked_day(shown, year, month, day)
    _checked_time(shown, match, 5)
    return (MONTH, year, month)


def _named(shown: str, written: str) -> Reading | None:
    """A month by name: ``Apr-26``, ``April 2026``; or a day of it: ``1-Apr-26``,
    ``1 April 2026``, ``April 1, 2026``."""
    match = _NAMED_MONTH.fullmatch(written)
    if match is not None:
        return (MONTH, _year(match.group(2)), _month_number(match.group(1)))
    match = _DAY_NAMED.fullmatch(written)
    if match is not None:
        year, month = _year(match.group(3)), _month_number(match.group(2))
        _checked_day(shown, year, month, int(match.group(1)))
        _checked_time(shown, match, 4)
        return (MONTH, year, month)
    match = _NAMED_DAY.fullmatch(written)
    if match is not None:
        year, month = int(match.group(3)), _month_number(match.group(1))
        _checked_day(shown, year, month, int(match.group(2)))
        _checked_time(shown, match, 4)
        return (MONTH, year, month)
    match = _NAME_ONLY.fullmatch(written)
    if match is not None:
        name = _month_name(_month_number(match.group(1)))
        raise _refuse(
            shown,
            f"is not a period: it has no year; write it like '{name[:3]}-26' or '{name} 2026'",
        )
    return None


def _quarter(shown: str, written: str) -> Reading | None:
    """``2026/27 Q2``, ``Q2 2026/27``, ``2026-27 Q2``, ``Q2 26/27``; and a quarter of a year
    alone (``2026 Q2``) refused: which financial year?"""
    match = _QUARTER_AFTER.fullmatch(written)
    if match is not None:
        first, second, number = match.group(1), match.group(3), int(match.group(4))
    else:
        match = _QUARTER_BEFORE.fullmatch(written)
        if match is not None:
            number, first, second = int(match.group(1)), match.group(2), match.group(4)
    if match is not None:
        start = _financial_year(shown, first, second, prefixed=True)
        if not 1 <= number <= 4:
            raise _refuse(
                shown,
                "is not a quarter: quarters are Q1 (April to June) to Q4 (January to March), "
                f"as in {_quarter_text(start, 2)!r}",
            )
        return (QUARTER, start, number)
    match = _QUARTER_OF_YEAR.fullmatch(written)
    if match is not None:
        raise _which_quarter(shown, _year(match.group(1)), int(match.group(2)))
    match = _QUARTER_BEFORE_YEAR.fullmatch(written)
    if match is not None:
        raise _which_quarter(shown, _year(match.group(2)), int(match.group(1)))
    return None


def _year_forms(shown: str, written: str) -> Reading | None:
    """``2026/27``, ``FY2026/27``, ``FY 2026-27``, ``2026/2027``; ``FY2026`` and a year alone
    refused."""
    match = _FINANCIAL_YEAR.fullmatch(written)
    if match is not None:
        prefixed = written.startswith("fy")
        first, second = match.group(1), match.group(3)
        if not prefixed and len(first) == 2:
            start = _year(first)
            if int(second) != (start + 1) % 100:
                raise _refuse(shown, f"is not a period: write {forms()}")
            day = ""
            if int(first) <= 31 and 1 <= int(second) <= 12:
                day = f"; for a day, write its year too, as in '{first}/{second}/2026'"
            raise _refuse(
                shown,
                f"is not a period: for the financial year, write {_fy_text(start)!r} (or "
                f"'FY{first}/{second}'){day}",
            )
        return (FINANCIAL_YEAR, _financial_year(shown, first, second, prefixed=prefixed), 0)
    match = _FY_OF_YEAR.fullmatch(written)
    if match is not None:
        raise _which_year(shown, _year(match.group(1)))
    if _YEAR.fullmatch(written):
        year = int(written)
        raise _refuse(
            shown,
            f"is a year alone, not a period: write a month ('{year}-04'), a quarter "
            f"({_quarter_text(year, 1)!r}) or a financial year ({_fy_text(year)!r}, April "
            f"{year} to March {year + 1})",
        )
    return None


def _number(shown: str, written: str) -> Reading | None:
    """A spreadsheet's date number; ``202604`` and ``20260401`` refused with the form to
    write."""
    match = _COMPACT.fullmatch(written)
    if match is not None and 1 <= int(match.group(2)) <= 12:
        year, month = int(match.group(1)), int(match.group(2))
        if 1900 <= year <= 2100:
            as_written = f"{year}-{month:02d}" + (f"-{match.group(3)}" if match.group(3) else "")
            raise _refuse(shown, f"is not a period: write it with dashes, as {as_written!r}")
    if _NUMBER.fullmatch(written) is None:
        return None
    return _serial(shown, written)


_READERS = (_iso_month, _iso_date, _day_first, _named, _quarter, _year_forms, _number)
