"""Money: exact amounts of pounds sterling, and splitting a total to the penny.

A :class:`Money` holds a whole number of pence. It is made from text as people write it
(``"£4,200,000.00"``, ``"4200000"``, ``"(£1,234.56)"``), from a :class:`~decimal.Decimal`, or from
pence (:meth:`Money.from_pence`); never from a float, which cannot hold most amounts exactly.
An amount with a fraction of a penny is refused, never rounded quietly.

Arithmetic keeps it exact: adding and subtracting money, and multiplying by a whole number,
need no rounding. Multiplying by a rate (``Decimal("0.02")``, ``Fraction(1, 3)``, or text such
as ``"2%"``) rounds the exact product **once**, to the nearest penny, halves away from zero
(``half_up``, as a spreadsheet's ``ROUND`` does) unless ``half_even`` (banker's rounding) is
asked for. Splitting a total among several parties is :func:`allocate`'s job: its parts always
add up to the total.

Amounts are bounded: the largest contractkit holds is :data:`MAX_AMOUNT`,
£9,999,999,999,999.99 either side of zero — just under ten trillion pounds, some fifty times NHS
England's budget for a year. A larger amount, read or worked out, is refused (a
:class:`~contractkit.errors.MoneyError`), never wrapped round or rounded. Rates, multipliers and
weights are bounded too (:data:`RATE_DIGITS`), so that no arithmetic on them can run for long.

    >>> from decimal import Decimal
    >>> fee = Money("£4,200,000.00")
    >>> print(fee * Decimal("0.0125"))
    £52,500.00
    >>> print(-Money("1234.56"), Money("-1234.56").format(negative="brackets"))
    −£1,234.56 (£1,234.56)
    >>> [str(part) for part in allocate(Money("100"), [1, 1, 1])]
    ['£33.34', '£33.33', '£33.33']
"""

from contractkit._kernel.pence_text import MINUS
from contractkit._kernel.public import publish

# MoneyError has always been importable from here too.
from contractkit.errors import MoneyError as MoneyError
from contractkit.money._allocation import allocate, exact_weight, split_pence
from contractkit.money._amount import (
    MAX_AMOUNT,
    MAX_PENCE,
    PATTERN,
    RATE_DIGITS,
    ROUNDINGS,
    Money,
)
from contractkit.money._columns import COLUMN_PROBLEMS, pence_column

__all__ = [
    "COLUMN_PROBLEMS",
    "MAX_AMOUNT",
    "MAX_PENCE",
    "MINUS",
    "PATTERN",
    "RATE_DIGITS",
    "ROUNDINGS",
    "Money",
    "allocate",
    "exact_weight",
    "pence_column",
    "split_pence",
]

publish(__name__, __all__, globals())
