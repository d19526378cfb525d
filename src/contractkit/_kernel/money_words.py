"""Money and figures in words, as every explanation and terminal table writes them: amounts from
a table as :class:`~contractkit.money.Money`, counts with their nouns, months of a financial
year, shares as percentages, lists of names, findings, and an unknown name with the nearest known
one.

>>> from decimal import Decimal
>>> str(as_money(Decimal("-12.5")))
'−£12.50'
>>> money_cell(None), plural(1, "return"), plural(1200, "return")
('', '1 return', '1,200 returns')
>>> percent_text(-0.25), percent_text(-0.25, cell=True), percent_text(None)
('−25%', '-25%', '—')
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from contractkit._kernel.months import month_of
from contractkit._kernel.pence_text import MINUS
from contractkit._kernel.suggest import did_you_mean
from contractkit.errors import NotFoundError
from contractkit.money import Money
from contractkit.periods import FinancialYear, Month

__all__ = [
    "MONTH_NAMES",
    "MOST_LISTED",
    "as_money",
    "finding_lines",
    "money_cell",
    "month_in_year",
    "month_words",
    "percent_text",
    "plural",
    "some_names",
    "span_words",
    "unknown_name",
]

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MOST_LISTED = 12
"""The most names listed in a sentence (or in a message about an unknown name)."""


def as_money(value: Decimal | Money | None) -> Money:
    """A table's amount (exact decimal pounds) as Money (nothing: £0.00)."""
    if value is None:
        return Money.zero()
    return value if isinstance(value, Money) else Money(value)


def money_cell(value: Decimal | None) -> str:
    """A table's amount for a terminal table's cell: as money is written, or blank for none."""
    return "" if value is None else str(Money(value))


def percent_text(share: float | None, *, cell: bool = False) -> str:
    """A share as a whole percentage: in a sentence with a true minus (a dash for none), or, for
    a table's ``cell``, as the terminal tables have always shown it (a hyphen-minus; blank for
    none)."""
    if cell:
        return "" if share is None else f"{share:.0%}"
    return "—" if share is None else f"{share:.0%}".replace("-", MINUS)


def plural(count: int, noun: str) -> str:
    """A count and its noun: ``1 return``, ``1,200 returns``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def some_names(names: Sequence[str]) -> str:
    """Names in a sentence: all of them, or the first few and how many more."""
    shown = list(names[:MOST_LISTED])
    more = len(names) - len(shown)
    text = ", ".join(shown)
    return f"{text} and {more:,} more" if more else text


def month_words(year: FinancialYear, index: int) -> str:
    """A month of the year (counted from April as 0) in words: December 2026."""
    month = month_of(year, index)
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def span_words(year: FinancialYear, through: int) -> str:
    """The months from April to ``through``, in words: April to December 2026 (9 months)."""
    first, last = month_of(year, 0), month_of(year, through)
    if through == 0:
        return f"April {first.year} (1 month)"
    start = "April" if first.year == last.year else f"April {first.year}"
    return f"{start} to {MONTH_NAMES[last.month - 1]} {last.year} ({through + 1} months)"


def month_in_year(year: FinancialYear, period: str) -> int:
    """The month (counted from April as 0) a result's ``period`` (a month) is."""
    return Month.parse(period).index - Month.from_date(year.start).index


def finding_lines(messages: Sequence[str]) -> list[str]:
    """An explanation's findings, one bullet each (or "none")."""
    if not messages:
        return ["Findings: none."]
    return ["Findings:", *(f"  • {m}" for m in messages)]


def unknown_name(
    noun: str, name: str, known: Sequence[str], where: str, plural: str | None = None
) -> NotFoundError:
    """An unknown name, with the nearest known one, and all of them when there are few."""
    them = plural or f"{noun}s"
    listing = f" (the {them} are: {', '.join(known)})" if len(known) <= MOST_LISTED else ""
    return NotFoundError(f"no {noun} {name!r} in {where}{did_you_mean(name, known)}{listing}")
