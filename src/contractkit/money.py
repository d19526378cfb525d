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

    >>> fee = Money("£4,200,000.00")
    >>> print(fee * Decimal("0.0125"))
    £52,500.00
    >>> print(-Money("1234.56"), Money("-1234.56").format(negative="brackets"))
    −£1,234.56 (£1,234.56)
    >>> [str(part) for part in allocate(Money("100"), [1, 1, 1])]
    ['£33.34', '£33.33', '£33.33']
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from contractkit._kernel.pence_text import MINUS as MINUS  # money is written with it
from contractkit._kernel.pence_text import pence_text
from contractkit._suggest import shortened
from contractkit.errors import MoneyError

if TYPE_CHECKING:  # numpy and polars are imported by the column functions that use them
    import numpy as np
    import polars as pl
    from numpy.typing import NDArray

__all__ = [
    "COLUMN_PROBLEMS",
    "MAX_AMOUNT",
    "MAX_PENCE",
    "PATTERN",
    "RATE_DIGITS",
    "ROUNDINGS",
    "Money",
    "allocate",
    "exact_weight",
    "pence_column",
    "split_pence",
]

Rounding = Literal["half_up", "half_even"]
ROUNDINGS: dict[str, str] = {
    "half_up": "to the nearest penny, halves away from zero (a spreadsheet's ROUND)",
    "half_even": "to the nearest penny, halves to the even penny (banker's rounding)",
}
"""The ways a product with a fraction of a penny is rounded, once."""
_DECIMAL_ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
NegativeStyle = Literal["minus", "brackets"]
"""The minus sign negative amounts are shown with (a true minus, not a hyphen)."""

PATTERN = (
    r"^\s*(?P<open>\()?\s*(?P<sign>[-+\u2212])?\s*(?:£|GBP\s*)?\s*(?P<sign2>[-+\u2212])?\s*"
    r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<fraction>[0-9]+))?\s*(?P<close>\))?\s*$"
)
"""Money as text: an optional bracket or sign, an optional £ (or GBP), digits with or without
thousands separators, and up to two decimal places (more only if they are zeros). The one
grammar for :class:`Money` and for whole columns of amounts (:func:`pence_column`)."""
_TEXT = re.compile(PATTERN)
Number = int | Decimal | Fraction


MAX_PENCE = 999_999_999_999_999
"""The largest amount contractkit holds, in pence (either side of zero): £9,999,999,999,999.99,
just under ten trillion pounds. Any real budget is far below it (NHS England's is about £0.2
trillion a year), so a larger figure is a mistake, and is refused. At most thirteen digits of
pounds: every amount is exact as a 64-bit whole number of pence, and as a floating-point number
too, and thousands of them add up in 64 bits."""
_POUND_DIGITS = 13
"""The digits of whole pounds an amount can have (:data:`MAX_PENCE` has thirteen)."""
RATE_DIGITS = 30
"""How large and how fine a rate, multiplier or weight can be: at most ``10^30``, and, written
as a decimal, at most 30 places after the point (as a fraction, its top and bottom at most
``10^30``). Far beyond any real rate; the bound keeps every product quick."""
_RATE_LIMIT = 10**RATE_DIGITS
_LIMIT_WORDS = (
    "is beyond the largest amount contractkit holds, £9,999,999,999,999.99 either way (just "
    "under ten trillion pounds): check the figure"
)
_RATE_WORDS = (
    "a rate, multiplier or weight is at most 10^30, with at most 30 decimal places (as a "
    "fraction, its top and bottom at most 10^30)"
)


def brief(value: object) -> str:
    """A value as a message shows it: its ``repr``, or, for a long one, its start, end and
    length (a message about a vast number must not be vast itself)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"a whole number of about {digits:,} digits"
    if (
        isinstance(value, Fraction)
        and max(value.numerator.bit_length(), value.denominator.bit_length()) > 200
    ):
        return "a fraction with a numerator or denominator of more than 60 digits"
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > 60:
        return f"a number of {len(value.as_tuple().digits):,} digits"
    text = str(value) if isinstance(value, Decimal) else repr(value)  # 1E+30, as written
    return shortened(text, 60, head=24, tail=12)


def _beyond(shown: str) -> MoneyError:
    return MoneyError(f"{shown} {_LIMIT_WORDS}")


def _pence_shown(pence: int) -> str:
    """Pence as money, for a message (briefly, for a vast number)."""
    if pence.bit_length() > 200:
        return f"an amount of {brief(pence)} of pence"
    return pence_text(pence)


def _checked(pence: int) -> int:
    """Whole pence, refused beyond :data:`MAX_PENCE`."""
    if -MAX_PENCE <= pence <= MAX_PENCE:
        return pence
    raise _beyond(_pence_shown(pence))


def _to_pence(amount: Decimal, original: object) -> int:
    """Whole pence from pounds, exactly (whole numbers, never the Decimal context), refusing a
    fraction of a penny and an amount beyond the largest."""
    if not amount.is_finite():
        raise MoneyError(f"{brief(original)} is not an amount of money", got=original)
    if not amount:
        return 0
    if amount.adjusted() >= _POUND_DIGITS:
        raise MoneyError(f"{brief(original)} {_LIMIT_WORDS}", got=original)
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite
    beyond_penny = -2 - exponent
    if beyond_penny > 0:
        if any(digits[-beyond_penny:]):
            raise MoneyError(
                f"{brief(original)} has a fraction of a penny: money is written with at most two "
                "decimal places (nothing is rounded quietly)",
                got=original,
            )
        digits = digits[:-beyond_penny]
        beyond_penny = 0
    pence = int("".join(map(str, digits)) or "0") * 10 ** (-beyond_penny)
    return _checked(-pence if sign else pence)


def _parse(text: str) -> int:
    match = _TEXT.match(text)
    if match is None or (match["whole"] is None and match["fraction"] is None):
        raise MoneyError(
            f"{brief(text)} is not an amount of money: write it like £4,200,000.00, 4200000 or "
            "(£1,234.56)",
            got=text,
        )
    if bool(match["open"]) != bool(match["close"]):
        raise MoneyError(f"{brief(text)} has an unmatched bracket", got=text)
    signs = [s for s in (match["sign"], match["sign2"]) if s]
    if len(signs) > 1 or (signs and match["open"]):
        raise MoneyError(f"{brief(text)} has more than one sign", got=text)
    digits = (match["whole"] or "0").replace(",", "") + "." + (match["fraction"] or "0")
    pence = _to_pence(Decimal(digits), text)
    negative = bool(match["open"]) or (bool(signs) and signs[0] in "-\u2212")
    return -pence if negative else pence


_NUMBER = re.compile(r"^[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$")
"""A rate as text: digits, thousands separators only in groups of three, a point, an exponent."""


def _bounded_decimal(value: Decimal, original: object) -> Fraction:
    """A finite Decimal as an exact fraction, refused (before any arithmetic) beyond the bounds
    of a rate."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    written = "".join(map(str, digits)).rstrip("0")  # trailing zeros are no precision
    if not written:
        return Fraction(0)
    exponent += len(digits) - len(written)
    if exponent < -RATE_DIGITS or len(written) + exponent > RATE_DIGITS + 1:
        raise _rate_error(original)
    number = int(written)
    exact = Fraction(number * 10**exponent) if exponent >= 0 else Fraction(number, 10**-exponent)
    if exact > _RATE_LIMIT:
        raise _rate_error(original)
    return -exact if sign else exact


def _bounded(value: Fraction, original: object) -> Fraction:
    if abs(value.numerator) > _RATE_LIMIT or value.denominator > _RATE_LIMIT:
        raise _rate_error(original)
    return value


def _rate_error(original: object) -> MoneyError:
    return MoneyError(f"{brief(original)} is too large or too fine: {_RATE_WORDS}", got=original)


def _rate(value: object) -> Fraction:
    """A multiplier, exactly: a whole number, Decimal, Fraction, or text (``"0.02"``, ``"2%"``),
    within the bounds of :data:`RATE_DIGITS` (checked before any arithmetic)."""
    if isinstance(value, float):
        raise MoneyError(
            f"{value!r}: a float cannot hold most rates exactly; give it as Decimal('0.02'), "
            "Fraction(1, 50) or text ('2%')",
            got=value,
        )
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is not a rate", got=value)
    if isinstance(value, int | Fraction):
        return _bounded(Fraction(value), value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{value!r} is not a usable rate", got=value)
        return _bounded_decimal(value, value)
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        number = text.removesuffix("%").strip()
        if not _NUMBER.match(number) or not number.strip("+-.,") or number[:1] in "eE":
            if "," in number:
                raise MoneyError(
                    f"{brief(value)} is not a rate: a comma separates thousands (1,000); a "
                    "decimal comma is not read (write 2.5%, not 2,5%)",
                    got=value,
                )
            raise MoneyError(f"{brief(value)} is not a rate", got=value)
        try:
            decimal = Decimal(number.replace(",", ""))
        except InvalidOperation:
            raise MoneyError(f"{brief(value)} is not a rate", got=value) from None
        exact = _bounded_decimal(decimal, value)
        return exact / 100 if percent else exact
    raise MoneyError(f"{brief(value)} is not a rate", got=value)


def _round(exact: Fraction, rounding: Rounding) -> int:
    """Whole pence from an exact number of pence, rounded once."""
    if rounding not in _DECIMAL_ROUNDING:
        raise ValueError(f"unknown rounding {rounding!r}: use one of {', '.join(ROUNDINGS)}")
    floor = exact.numerator // exact.denominator
    remainder = exact - floor
    if remainder == 0:
        return floor
    if remainder != Fraction(1, 2):
        return floor + (1 if remainder > Fraction(1, 2) else 0)
    if rounding == "half_even":
        return floor if floor % 2 == 0 else floor + 1
    return floor + 1 if exact > 0 else floor  # halves away from zero


class Money:
    """An exact amount of pounds sterling (whole pence inside).

    ``Money("£4,200,000.00")``, ``Money("4200000")``, ``Money(Decimal("4.20"))``,
    ``Money.from_pence(420)``. A plain ``int`` is refused here (pounds or pence?): use text, a
    Decimal or :meth:`from_pence`. In a contract file, a bare number is pounds.
    """

    __slots__ = ("_pence",)
    _pence: int

    def __init__(self, amount: str | Decimal | Money) -> None:
        if isinstance(amount, Money):
            pence = amount._pence
        elif isinstance(amount, str):
            pence = _parse(amount)
        elif isinstance(amount, Decimal):
            pence = _to_pence(amount, amount)
        elif isinstance(amount, int) and not isinstance(amount, bool):
            raise MoneyError(
                f"Money({amount!r}): is that pounds or pence? Write Money('{amount}') for "
                f"pounds or Money.from_pence({amount}) for pence",
                got=amount,
            )
        elif isinstance(amount, float):
            raise MoneyError(
                f"Money({amount!r}): a float cannot hold most amounts exactly; give the amount "
                f"as text (Money('{amount}')) or as a Decimal",
                got=amount,
            )
        else:
            raise MoneyError(f"{amount!r} is not an amount of money", got=amount)
        object.__setattr__(self, "_pence", pence)

    @classmethod
    def from_pence(cls, pence: int) -> Money:
        """An amount given in whole pence."""
        if isinstance(pence, bool) or not isinstance(pence, int):
            raise MoneyError(f"pence must be a whole number, got {pence!r}", got=pence)
        money = cls.__new__(cls)
        object.__setattr__(money, "_pence", _checked(int(pence)))
        return money

    @classmethod
    def zero(cls) -> Money:
        """£0.00."""
        return cls.from_pence(0)

    @classmethod
    def of(cls, value: object) -> Money:
        """Money from anything a contract may hold: Money, text, a Decimal, or a whole number
        of pounds (as a contract file's bare numbers are)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return cls.from_pence(value * 100)
        if isinstance(value, Money | str | Decimal):
            return cls(value)
        if isinstance(value, float):
            raise MoneyError(
                f"{value!r}: money is never read through a float; give it as text or a Decimal",
                got=value,
            )
        raise MoneyError(f"{value!r} is not an amount of money", got=value)

    # --- reading ---------------------------------------------------------------------------

    @property
    def pence(self) -> int:
        """The amount in whole pence."""
        return self._pence

    @property
    def amount(self) -> Decimal:
        """The amount in pounds, to two decimal places (made exactly, whatever the Decimal
        context)."""
        return Decimal(f"{self._pence}E-2")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    def __repr__(self) -> str:
        return f"Money('{self.amount}')"

    def __str__(self) -> str:
        return self.format()

    def format(self, *, negative: NegativeStyle = "minus", symbol: bool = True) -> str:
        """``£4,200,000.00``; a negative amount as ``−£1,234.56`` or, with
        ``negative="brackets"``, ``(£1,234.56)``."""
        pounds, pence = divmod(abs(self._pence), 100)
        text = f"{'£' if symbol else ''}{pounds:,}.{pence:02d}"
        if self._pence >= 0:
            return text
        if negative == "brackets":
            return f"({text})"
        if negative == "minus":
            return MINUS + text
        raise MoneyError(f"unknown negative style {negative!r}: use 'minus' or 'brackets'")

    def __format__(self, spec: str) -> str:
        if spec in ("", "minus"):
            return self.format()
        if spec == "brackets":
            return self.format(negative="brackets")
        if spec == "plain":
            return str(self.amount)
        raise MoneyError(f"unknown money format {spec!r}: use 'minus', 'brackets' or 'plain'")

    # --- comparing -------------------------------------------------------------------------

    def _other(self, other: object) -> int | None:
        if isinstance(other, Money):
            return other._pence
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return 0  # money compares with zero: `if variance > 0`
        return None

    def __eq__(self, other: object) -> bool:
        pence = self._other(other)
        return NotImplemented if pence is None else self._pence == pence

    def __hash__(self) -> int:
        return hash(self.amount)  # equal to hash(0) for zero, which compares equal to 0

    def __lt__(self, other: object) -> bool:
        pence = self._other(other)
        return NotImplemented if pence is None else self._pence < pence

    def __le__(self, other: object) -> bool:
        pence = self._other(other)
        return NotImplemented if pence is None else self._pence <= pence

    def __gt__(self, other: object) -> bool:
        pence = self._other(other)
        return NotImplemented if pence is None else self._pence > pence

    def __ge__(self, other: object) -> bool:
        pence = self._other(other)
        return NotImplemented if pence is None else self._pence >= pence

    def __bool__(self) -> bool:
        return self._pence != 0

    # --- arithmetic ------------------------------------------------------------------------

    def __add__(self, other: object) -> Money:
        pence = self._other(other)
        return NotImplemented if pence is None else Money.from_pence(self._pence + pence)

    __radd__ = __add__  # so that sum() of money works

    def __sub__(self, other: object) -> Money:
        pence = self._other(other)
        return NotImplemented if pence is None else Money.from_pence(self._pence - pence)

    def __rsub__(self, other: object) -> Money:
        pence = self._other(other)
        return NotImplemented if pence is None else Money.from_pence(pence - self._pence)

    def __neg__(self) -> Money:
        return Money.from_pence(-self._pence)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money.from_pence(abs(self._pence))

    def times(self, rate: object, *, rounding: Rounding = "half_up") -> Money:
        """This amount times ``rate`` (a whole number, Decimal, Fraction, or text such as
        ``"2%"``), rounded once to the penny."""
        return Money.from_pence(_round(self._pence * _rate(rate), rounding))

    def __mul__(self, rate: object) -> Money:
        if isinstance(rate, Money):
            return NotImplemented
        return self.times(rate)

    __rmul__ = __mul__

    @overload
    def __truediv__(self, other: Money) -> Fraction: ...
    @overload
    def __truediv__(self, other: Number) -> Money: ...
    def __truediv__(self, other: object) -> Fraction | Money:
        """Money ÷ money is their exact ratio; money ÷ a number is rounded once (to split a
        total into parts that add up, use :func:`allocate`)."""
        if isinstance(other, Money):
            if other._pence == 0:
                raise ZeroDivisionError("division by £0.00")
            return Fraction(self._pence, other._pence)
        divisor = _rate(other)
        if divisor == 0:
            raise ZeroDivisionError("division of money by zero")
        return self.times(1 / divisor)

    # --- pydantic --------------------------------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.of,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda m: m.amount),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # A copy: pydantic adds a field's default to the schema it is given.
        return copy.deepcopy(MONEY_JSON_SCHEMA)


MAX_AMOUNT = Money.from_pence(MAX_PENCE)
"""The largest amount contractkit holds: £9,999,999,999,999.99 (and its opposite)."""

MONEY_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "multipleOf": 0.01},
        {
            "type": "string",
            "pattern": r"^\s*\(?\s*[-+−]?\s*(£|GBP)?\s*[-+−]?[0-9][0-9,]*(\.[0-9]{1,2})?\s*\)?\s*$",
        },
    ],
    "description": "An amount in pounds, to the penny: 4200000, 4200000.00 or '£4,200,000.00'.",
    "examples": ["£4,200,000.00", 4200000],
}

Key = TypeVar("Key", bound=Hashable)


@overload
def allocate(total: Money, weights: Mapping[Key, object]) -> dict[Key, Money]: ...
@overload
def allocate(total: Money, weights: Sequence[object]) -> list[Money]: ...
def allocate(
    total: Money, weights: Mapping[Key, object] | Sequence[object]
) -> dict[Key, Money] | list[Money]:
    """Split ``total`` in proportion to ``weights``, exactly: the parts always add up to the
    total, and each is within a penny of its exact share.

    Each part first gets its exact share rounded down to the penny; the pennies left over go
    one each to the parts with the largest remainders (the largest-remainder rule). Where two
    remainders are equal, the larger weight wins, and then — for equal weights — the one
    listed first (for a mapping, the key that sorts first, so that a mapping's order never
    matters). Weights are non-negative numbers (whole numbers, Decimals, Fractions, text, or
    Money — to split in proportion to amounts); at least one must be positive. A negative
    total is split as its opposite and negated.

        >>> [str(p) for p in allocate(Money("10.00"), [Decimal("0.5"), 1, 1])]
        ['£2.00', '£4.00', '£4.00']
        >>> {k: str(v) for k, v in allocate(Money("0.05"), {"icb": 1, "council": 1}).items()}
        {'icb': '£0.02', 'council': '£0.03'}
    """
    if not isinstance(total, Money):
        raise MoneyError(f"the total to allocate must be Money, got {total!r}", got=total)
    if isinstance(weights, Mapping):
        keys = list(weights)
        values = [_weight(weights[k], k) for k in keys]
        rank = {k: i for i, k in enumerate(sorted(keys, key=_sort_key))}
        position = [rank[k] for k in keys]
        parts = _split(total, values, position)
        return dict(zip(keys, parts, strict=True))
    if isinstance(weights, str | bytes) or not isinstance(weights, Iterable):
        raise MoneyError("weights must be a list of numbers or a mapping", got=weights)
    values = [_weight(w, i) for i, w in enumerate(weights)]
    return _split(total, values, list(range(len(values))))


def _sort_key(key: object) -> tuple[str, str]:
    return (type(key).__name__, str(key))


def exact_weight(value: object) -> int | Fraction:
    """A weight as :func:`allocate` reads it, exactly (a whole number stays one), or a
    :class:`MoneyError` saying why it cannot be one: negative, a float, not a number, or beyond
    the bounds of :data:`RATE_DIGITS`. For checking weights before they are used."""
    return _weight(value, None)


def _weight(value: object, where: object) -> int | Fraction:
    """A weight, exactly: a whole number stays one (the common case, and the fast one)."""
    if isinstance(value, Money):
        weight: int | Fraction = value.pence
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _RATE_LIMIT:
        weight = value
    elif isinstance(value, float):
        exact = Fraction(value).limit_denominator(10**6) if math.isfinite(value) else None
        written = repr(value)
        fraction = (
            f"Fraction({exact.numerator}, {exact.denominator})" if exact is not None else "Fraction"
        )
        raise MoneyError(
            f"{_at(where)}{written} is a float, which cannot hold most weights exactly: give "
            f"it as Decimal('{written}'), {fraction}, text ('{written}') or use whole numbers",
            got=value,
        )
    else:
        try:
            weight = _rate(value)
        except MoneyError as error:
            if "too large or too fine" in str(error):
                raise MoneyError(f"{_at(where)}{error}", got=value) from None
            raise MoneyError(f"{_at(where)}{brief(value)} is not a number", got=value) from None
    if weight < 0:
        raise MoneyError(f"{_at(where)}{brief(value)} is negative", got=value)
    return weight


def _at(where: object) -> str:
    """Which weight a message is about (nothing, where the caller says so itself)."""
    return "" if where is None else f"weight {where!r}: "


def _split(total: Money, weights: list[int | Fraction], position: list[int]) -> list[Money]:
    return [Money.from_pence(p) for p in split_pence(total.pence, weights, position)]


def split_pence(
    total: int, weights: Sequence[int | Fraction], position: Sequence[int] | None = None
) -> list[int]:
    """:func:`allocate` on whole pence (``weights`` exact and non-negative; ``position`` the
    tie-break order, by default as listed): for work that splits many totals."""
    if position is None:
        position = range(len(weights))
    if not weights:
        raise MoneyError("there is nothing to allocate to: no weights were given")
    # Whole numbers throughout: the weights over a common denominator, and each exact share as
    # a whole number of pence and a remainder (over the same whole), which order exactly as the
    # fractions of a penny do.
    scale = math.lcm(*(w.denominator for w in weights))
    whole_weights = [w.numerator * (scale // w.denominator) for w in weights]
    whole = sum(whole_weights)
    if whole == 0:
        raise MoneyError("the weights add up to zero: there is no proportion to split by")
    sign = -1 if total < 0 else 1
    pence = abs(total)
    shares = [divmod(pence * w, whole) for w in whole_weights]
    floors = [floor for floor, _ in shares]
    left = pence - sum(floors)
    # Largest remainder first; then the larger weight; then the stable position.
    order = sorted(
        range(len(weights)),
        key=lambda i: (-shares[i][1], -whole_weights[i], position[i]),
    )
    for i in order[:left]:
        floors[i] += 1
    return [sign * p for p in floors] if sign < 0 else floors


COLUMN_PROBLEMS = ("", "empty", "not_money", "fraction_of_a_penny", "beyond_maximum")
"""What :func:`pence_column` can find wrong with an entry, by code (0: nothing):
``beyond_maximum`` is an amount beyond :data:`MAX_AMOUNT`."""
_EMPTY, _NOT_MONEY, _FRACTION, _BEYOND = 1, 2, 3, 4
_MAX_POUNDS = MAX_PENCE // 100
"""The most whole pounds an amount has: £9,999,999,999,999."""


_PLAIN = r"^\s*-?[0-9]{1,13}(?:\.[0-9]{1,2})?\s*$"
"""The plain form a machine writes amounts in (``-1234.5``), thirteen digits of pounds at most:
read by a quicker route."""


def _plain_pence(text: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]] | None:
    """A column of plain amounts (and empty cells) as pence; None if any is in another form."""
    import numpy as np
    import polars as pl

    stripped = text.str.strip_chars()
    empty = stripped.is_null() | (stripped == "")
    if not (stripped.str.contains(_PLAIN).fill_null(True) | empty).all():
        return None
    halves = stripped.fill_null("0").str.split_exact(".", 1).struct.unnest()
    whole = halves.get_column("field_0")
    cents = halves.get_column("field_1").fill_null("").str.pad_end(2, "0")
    magnitude = whole.str.strip_chars_start("-").cast(pl.Int64, strict=False).fill_null(
        0
    ) * 100 + cents.cast(pl.Int64, strict=False).fill_null(0)
    negative = whole.str.starts_with("-").fill_null(False)
    pence = pl.select(pl.when(negative).then(-magnitude).otherwise(magnitude)).to_series()
    empty_a = empty.fill_null(True).to_numpy()
    problem = np.where(empty_a, _EMPTY, 0).astype(np.int8)
    return np.where(empty_a, 0, pence.to_numpy()).astype(np.int64), problem


def _whole_pence(values: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """A column of whole numbers of pounds as pence: one beyond the largest amount is refused
    before it is multiplied (never wrapped round in 64 bits)."""
    import numpy as np
    import polars as pl

    problem = np.zeros(values.len(), dtype=np.int8)
    empty = values.is_null().to_numpy()
    if values.dtype in (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16, pl.UInt32):
        beyond_a = np.zeros(values.len(), dtype=bool)  # none is beyond £9,999,999,999,999
    else:
        beyond = values > _MAX_POUNDS
        if values.dtype.is_signed_integer():
            beyond = beyond | (values < -_MAX_POUNDS)
        beyond_a = beyond.fill_null(False).to_numpy()
    fine = ~(empty | beyond_a)
    pounds = values.filter(pl.Series(fine)).cast(pl.Int64).to_numpy()
    pence = np.zeros(values.len(), dtype=np.int64)
    pence[fine] = pounds * 100
    problem[beyond_a] = _BEYOND
    problem[empty] = _EMPTY
    return pence, problem


def _float_pence(values: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """A column of floating-point pounds as pence: taken to the penny only where it is the
    penny as nearly as the float can say (within a millionth of a penny, or two steps of the
    float's own precision, whichever is more), never rounded from a fraction of a penny."""
    import numpy as np
    import polars as pl

    problem = np.zeros(values.len(), dtype=np.int8)
    x = values.cast(pl.Float64).to_numpy() * 100
    empty = np.isnan(x)
    finite = np.isfinite(x)
    safe = np.where(finite, x, 0.0)
    whole = np.round(safe)
    exact = np.abs(safe - whole) <= np.maximum(1e-6, 2 * np.spacing(np.abs(safe)))
    problem[~exact] = _FRACTION
    problem[np.abs(whole) > MAX_PENCE] = _BEYOND
    problem[~finite] = _NOT_MONEY
    problem[empty] = _EMPTY
    return np.where(problem == 0, whole, 0).astype(np.int64), problem


def pence_column(values: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """A column of amounts as whole pence, exactly, over the whole column.

    Returns ``(pence, problem)``: int64 pence (0 where there is a problem) and a code per entry
    into :data:`COLUMN_PROBLEMS` (0 where the amount is fine). Text follows :data:`PATTERN`,
    exactly as :class:`Money` reads it; whole numbers are pounds; floating-point numbers (as a
    spreadsheet or Parquet file may hold them) are taken to the penny only when they are the
    penny as nearly as a float can say (within a millionth of a penny, or, for large amounts,
    two steps of the float's precision). An amount beyond :data:`MAX_AMOUNT` is
    ``beyond_maximum``, in every form.
    """
    import numpy as np
    import polars as pl

    if values.dtype.is_integer():
        return _whole_pence(values)
    if values.dtype.is_float():
        return _float_pence(values)
    size = values.len()
    problem = np.zeros(size, dtype=np.int8)
    text = values.cast(pl.String)
    plain = _plain_pence(text)
    if plain is not None:
        return plain
    parts = text.str.extract_groups(PATTERN).struct.unnest()
    checked = (
        pl.DataFrame({"text": text})
        .hstack(parts)
        .select(
            empty=pl.col("text").is_null() | (pl.col("text").str.strip_chars() == ""),
            fine=(pl.col("whole").is_not_null() | pl.col("fraction").is_not_null())
            & (pl.col("open").is_not_null() == pl.col("close").is_not_null())
            & (
                pl.col("sign").is_not_null().cast(pl.Int8)
                + pl.col("sign2").is_not_null().cast(pl.Int8)
                + pl.col("open").is_not_null().cast(pl.Int8)
                <= 1
            ),
            beyond=pl.col("whole")
            .fill_null("")
            .str.replace_all(",", "")
            .str.strip_chars_start("0")
            .str.len_chars()
            > _POUND_DIGITS,
            negative=pl.col("open").is_not_null()
            | pl.coalesce("sign", "sign2").is_in(["-", "\u2212"]),
            whole=pl.col("whole")
            .fill_null("0")
            .str.replace_all(",", "")
            .cast(pl.Int64, strict=False),
            cents=pl.col("fraction")
            .fill_null("")
            .str.slice(0, 2)
            .str.pad_end(2, "0")
            .cast(pl.Int64, strict=False),
            penny=pl.col("fraction").fill_null("").str.slice(2).str.replace_all("0", "") == "",
        )
        .with_columns(fine=pl.col("fine").fill_null(False))
    )
    amount = pl.col("whole").fill_null(0) * 100 + pl.col("cents").fill_null(0)
    pence = (
        checked.select(pl.when(pl.col("negative")).then(-amount).otherwise(amount))
        .to_series()
        .fill_null(0)
        .to_numpy()
    )
    empty = checked.get_column("empty").to_numpy()
    fine = checked.get_column("fine").to_numpy()
    penny = checked.get_column("penny").fill_null(True).to_numpy()
    beyond = checked.get_column("beyond").fill_null(False).to_numpy()
    problem[~fine] = _NOT_MONEY
    problem[fine & ~penny] = _FRACTION
    problem[fine & beyond] = _BEYOND
    problem[empty] = _EMPTY
    return np.where(problem == 0, pence, 0).astype(np.int64), problem
