"""Financial-year periods: months, quarters and financial years (April to March).

Each kind of period has one text form, which ``str()`` writes and each kind's ``parse`` reads
(case and spacing aside)::

    >>> Month.parse("2026-07")
    Month('2026-07')
    >>> Quarter.parse("2026/27 Q2")
    Quarter('2026/27 Q2')
    >>> FinancialYear.parse("2026/27")
    FinancialYear('2026/27')

:func:`parse_period` reads periods as people write them, too — the same grammar as every table
contractkit reads — and refuses text that could name more than one period::

    >>> parse_period("Apr-26"), parse_period("Q2 2026-27"), parse_period("FY2026/27")
    (Month('2026-04'), Quarter('2026/27 Q2'), FinancialYear('2026/27'))

Quarter 1 is April to June, so July 2026 falls in the second quarter of 2026/27::

    >>> Month(2026, 7).quarter
    Quarter('2026/27 Q2')
    >>> Month(2027, 2) in FinancialYear(2026)
    True

Periods of one kind are ordered and support arithmetic in whole periods::

    >>> Quarter(2026, 4) + 1
    Quarter('2027/28 Q1')
    >>> Month(2027, 3) - Month(2026, 4)
    11

A period is a half-open range of days: ``start`` is its first day and ``end`` the first day
of the next period.

Why it is long: the three kinds of period share one base (order, arithmetic, ranges) and one
reading of text and dates, and each kind's few methods sit with the others', so that what a
period is can be read in one place.
"""

from __future__ import annotations

import calendar
import enum
import functools
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, ClassVar, TypeAlias, overload

import attrs
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from contractkit._kernel import period_text as _period_text
from contractkit.errors import PeriodError

__all__ = [
    "FinancialYear",
    "Frequency",
    "Month",
    "Period",
    "Quarter",
    "add_months",
    "parse_canonical",
    "parse_period",
]

_MONTH_RE = re.compile(r"^\s*([0-9]{4})-([0-9]{2})\s*$")
_DATE_RE = re.compile(r"^\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*$")
_FY_RE = re.compile(r"^\s*([0-9]{4})/([0-9]{2})\s*$")
_QUARTER_RE = re.compile(r"^\s*([0-9]{4})/([0-9]{2})\s+[Qq]([1-4])\s*$")

_FORMS = "a month (2026-07), a quarter (2026/27 Q2) or a financial year (2026/27)"


def add_months(day: date, months: int) -> date:
    """The date ``months`` calendar months after ``day`` (before it, if negative).

    When the target month is shorter, the day is clamped to its last day, so one month after
    31 January is the last day of February::

        >>> add_months(date(2026, 7, 1), 3)
        datetime.date(2026, 10, 1)
        >>> add_months(date(2027, 1, 31), 1)
        datetime.date(2027, 2, 28)
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise PeriodError(
            f"{months} months from {day} is outside the calendar (years 1 to 9999)", got=months
        )
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def _fy_text(start_year: int) -> str:
    return f"{start_year:04d}/{(start_year + 1) % 100:02d}"


def _check_fy(first: str, second: str, text: str) -> int:
    start_year = int(first)
    if (start_year + 1) % 100 != int(second):
        raise PeriodError(
            f"{text.strip()!r} is not a financial year: the year after {start_year} is written "
            f"{(start_year + 1) % 100:02d}, as in {_fy_text(start_year)!r}",
            got=text,
        )
    return start_year


class _PeriodBase:
    """Behaviour shared by every kind of period. Subclasses define ``index`` and ``from_index``
    (its inverse: the period with a given index)."""

    kind: ClassVar[str]
    _pattern: ClassVar[str]
    _example: ClassVar[str]

    @property
    def index(self) -> int:  # pragma: no cover - every subclass overrides
        raise AttributeError("index")

    @classmethod
    def from_index(cls, index: int) -> Any:  # pragma: no cover - every subclass overrides
        raise AttributeError("from_index")

    @property
    def start(self) -> date:  # pragma: no cover - every subclass overrides
        raise AttributeError("start")

    @property
    def end(self) -> date:
        """The first day after the period (the range is half-open)."""
        nxt: _PeriodBase = self.from_index(self.index + 1)
        return nxt.start

    @property
    def last_day(self) -> date:
        """The last day in the period."""
        return date.fromordinal(self.end.toordinal() - 1)

    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.end - self.start).days

    def __add__(self, other: int) -> Any:
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return self.from_index(self.index + other)

    def __radd__(self, other: int) -> Any:
        return self.__add__(other)

    def __sub__(self, other: Any) -> Any:
        if type(other) is type(self):
            return self.index - other.index
        if isinstance(other, int) and not isinstance(other, bool):
            return self.from_index(self.index - other)
        return NotImplemented

    def __contains__(self, item: object) -> bool:
        if isinstance(item, datetime):
            item = item.date()
        if isinstance(item, date):
            return self.start <= item < self.end
        if isinstance(item, _PeriodBase):
            return self.start <= item.start and item.end <= self.end
        return False

    def overlaps(self, start: date, end: date) -> bool:
        """Whether the period shares at least one day with the half-open range [start, end)."""
        return self.start < end and start < self.end

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    @classmethod
    def range(cls, first: Any, last: Any) -> list[Any]:
        """Every period from ``first`` to ``last``, both included."""
        return [cls.from_index(i) for i in range(first.index, last.index + 1)]

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> Any:
            if isinstance(value, cls):
                return value
            if isinstance(value, str):
                return cls.parse(value)  # type: ignore[attr-defined]  # every subclass has parse
            raise PeriodError(f"expected {cls._example}, got {value!r}", got=value)

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.to_string_ser_schema()
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": cls._pattern,
            "description": f"A {cls.kind}, written like {cls._example}.",
            "examples": [cls._example.strip("'")],
        }


@attrs.frozen(order=True, repr=False)
class Month(_PeriodBase):
    """A calendar month, written ``2026-07``."""

    year: int
    month: int = attrs.field()

    kind: ClassVar[str] = "month"
    _pattern: ClassVar[str] = r"^\d{4}-(0[1-9]|1[0-2])$"
    _example: ClassVar[str] = "'2026-07'"

    @month.validator
    def _check_month(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not 1 <= value <= 12:
            raise PeriodError(f"month must be 1 to 12, got {value}", got=value)

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read ``2026-07`` (or a date such as ``2026-07-01``, which gives its month)."""
        match = _MONTH_RE.match(text) or _DATE_RE.match(text)
        if match is None:
            raise PeriodError(f"{text!r} is not a month: write it like '2026-07'", got=text)
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"{text!r} is not a month: month must be 01 to 12", got=text)
        if match.re is _DATE_RE:
            try:
                date(year, month, int(match.group(3)))
            except ValueError as error:
                raise PeriodError(f"{text!r} is not a date: {error}", got=text) from None
        return cls(year, month)

    @classmethod
    def from_date(cls, day: date) -> Month:
        """The month a day falls in."""
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        """Months since January of year 0: consecutive months have consecutive indexes."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        """The month with a given :attr:`index` (``Month.from_index(m.index) == m``)."""
        year, month0 = divmod(index, 12)
        return cls(year, month0 + 1)

    @property
    def start(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day of the next month."""
        return date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def financial_year(self) -> FinancialYear:
        """The financial year (April to March) the month falls in."""
        return FinancialYear(self.year if self.month >= 4 else self.year - 1)

    @property
    def quarter(self) -> Quarter:
        """The financial-year quarter the month falls in (Q1 is April to June)."""
        return Quarter(self.financial_year.start_year, (self.month - 4) % 12 // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@attrs.frozen(order=True, repr=False)
class Quarter(_PeriodBase):
    """A quarter of a financial year, written ``2026/27 Q2``; Q1 is April to June."""

    start_year: int
    """The calendar year in which the financial year begins (2026 for 2026/27)."""
    number: int = attrs.field()

    kind: ClassVar[str] = "quarter"
    _pattern: ClassVar[str] = r"^\d{4}/\d{2} [Qq][1-4]$"
    _example: ClassVar[str] = "'2026/27 Q2'"

    @number.validator
    def _check_number(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not 1 <= value <= 4:
            raise PeriodError(f"quarter must be 1 to 4, got {value}", got=value)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read ``2026/27 Q2``."""
        match = _QUARTER_RE.match(text)
        if match is None:
            raise PeriodError(f"{text!r} is not a quarter: write it like '2026/27 Q2'", got=text)
        return cls(_check_fy(match.group(1), match.group(2), text), int(match.group(3)))

    @classmethod
    def from_date(cls, day: date) -> Quarter:
        """The financial-year quarter a day falls in."""
        return Month.from_date(day).quarter

    @property
    def index(self) -> int:
        """Quarters since Q1 of financial year 0: consecutive quarters have consecutive indexes."""
        return self.start_year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        """The quarter with a given :attr:`index`."""
        year, q0 = divmod(index, 4)
        return cls(year, q0 + 1)

    @property
    def start(self) -> date:
        """The first day of the quarter."""
        month = 3 * self.number + 1  # April, July, October, January (13)
        return date(self.start_year + month // 13, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        month = 3 * self.number + 4
        return date(self.start_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def months(self) -> tuple[Month, Month, Month]:
        """The three months of the quarter, in order."""
        first = Month.from_index(Month(self.start_year, 4).index + 3 * (self.number - 1))
        return (first, first + 1, first + 2)

    @property
    def financial_year(self) -> FinancialYear:
        """The financial year the quarter belongs to."""
        return FinancialYear(self.start_year)

    def __str__(self) -> str:
        return f"{_fy_text(self.start_year)} Q{self.number}"


@attrs.frozen(order=True, repr=False)
class FinancialYear(_PeriodBase):
    """An NHS financial year, 1 April to 31 March, written ``2026/27``."""

    start_year: int
    """The calendar year in which the financial year begins."""

    kind: ClassVar[str] = "financial year"
    _pattern: ClassVar[str] = r"^\d{4}/\d{2}$"
    _example: ClassVar[str] = "'2026/27'"

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """Read ``2026/27``."""
        match = _FY_RE.match(text)
        if match is None:
            raise PeriodError(
                f"{text!r} is not a financial year: write it like '2026/27'", got=text
            )
        return cls(_check_fy(match.group(1), match.group(2), text))

    @classmethod
    def from_date(cls, day: date) -> FinancialYear:
        """The financial year a day falls in."""
        return Month.from_date(day).financial_year

    @property
    def index(self) -> int:
        """The calendar year the financial year begins in."""
        return self.start_year

    @classmethod
    def from_index(cls, index: int) -> FinancialYear:
        """The financial year with a given :attr:`index`."""
        return cls(index)

    @property
    def start(self) -> date:
        """1 April of the financial year."""
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        """1 April of the next financial year."""
        return date(self.start_year + 1, 4, 1)

    @property
    def quarters(self) -> tuple[Quarter, Quarter, Quarter, Quarter]:
        """The four quarters, Q1 (April to June) first."""
        y = self.start_year
        return (Quarter(y, 1), Quarter(y, 2), Quarter(y, 3), Quarter(y, 4))

    @property
    def months(self) -> tuple[Month, ...]:
        """The twelve months, April first."""
        return tuple(Month.range(Month(self.start_year, 4), Month(self.start_year + 1, 3)))

    def __str__(self) -> str:
        return _fy_text(self.start_year)


Period: TypeAlias = Month | Quarter | FinancialYear
"""Any one of the three kinds of period."""


@overload
def parse_period(value: date) -> Month: ...
@overload
def parse_period(value: str | Period) -> Period: ...
def parse_period(value: str | date | Period) -> Period:
    """Read a period as people write it, or take the month a date falls in.

    Text is read with the grammar every table contractkit reads uses: a month (``2026-07``,
    ``Jul-26``, ``July 2026``, or a day in it such as ``2026-07-01`` or ``01/07/2026``, day
    first), a quarter (``2026/27 Q2``, ``Q2 2026-27``) or a financial year (``2026/27``,
    ``FY2026-27``). Text that is not a period, or could be more than one (``2011-12``:
    December 2011, or the financial year 2011/12?), raises a
    :class:`~contractkit.errors.PeriodError` saying what to write.

    >>> parse_period("2026/27 Q3")
    Quarter('2026/27 Q3')
    >>> parse_period("01/07/2026")
    Month('2026-07')
    >>> parse_period(date(2026, 7, 15))
    Month('2026-07')
    """
    if isinstance(value, Month | Quarter | FinancialYear):
        return value
    if isinstance(value, datetime):
        return Month.from_date(value.date())
    if isinstance(value, date):
        return Month.from_date(value)
    if not isinstance(value, str):
        raise PeriodError(f"expected {_FORMS}, got {value!r}", got=value)
    return _parse_text(value)


@functools.lru_cache(maxsize=65_536)
def _parse_text(value: str) -> Period:
    """Text to a period (cached: periods are immutable, and the same text recurs often)."""
    kind, year, number = _period_text.read(value)
    if kind == _period_text.MONTH:
        return Month(year, number)
    if kind == _period_text.QUARTER:
        return Quarter(year, number)
    return FinancialYear(year)


def parse_canonical(text: str) -> Period:
    """Read a period from its one text form only, as ``str()`` writes it (``2026-07``,
    ``2026/27 Q2``, ``2026/27``): for text contractkit wrote itself, which is never ambiguous.

    >>> parse_canonical("2011-12"), parse_canonical("2011/12")
    (Month('2011-12'), FinancialYear('2011/12'))
    """
    if _QUARTER_RE.match(text):
        return Quarter.parse(text)
    if _FY_RE.match(text):
        return FinancialYear.parse(text)
    if _MONTH_RE.match(text):
        return Month.parse(text)
    raise PeriodError(f"{text!r} is not a period: expected {_FORMS}", got=text)


class Frequency(enum.StrEnum):
    """How often a KPI is reported or assessed."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"

    @property
    def period_type(self) -> type[Month] | type[Quarter] | type[FinancialYear]:
        """The kind of period the frequency counts in."""
        return _PERIOD_TYPES[self]

    @property
    def months(self) -> int:
        """How many months one period of this frequency spans."""
        return {"monthly": 1, "quarterly": 3, "annually": 12}[self.value]

    def period_of(self, day: date) -> Period:
        """The period of this frequency that a day falls in."""
        return self.period_type.from_date(day)

    def periods_between(self, start: date, end: date) -> Iterator[Period]:
        """Every period of this frequency that shares a day with [start, end)."""
        if end <= start:
            return
        period: Period = self.period_of(start)
        while period.start < end:
            yield period
            period = period + 1


_PERIOD_TYPES: dict[Frequency, type[Month] | type[Quarter] | type[FinancialYear]] = {
    Frequency.MONTHLY: Month,
    Frequency.QUARTERLY: Quarter,
    Frequency.ANNUALLY: FinancialYear,
}
