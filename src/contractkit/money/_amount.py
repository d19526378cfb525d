"""An amount of money: exact pence, read from text as people write it, with arithmetic that
rounds a product with a rate once, and the bounds every amount and rate keeps within."""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Hashable
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from contractkit._kernel.pence_text import MINUS as MINUS  # money is written with it
from contractkit._kernel.pence_text import pence_text
from contractkit._kernel.suggest import shortened
from contractkit.errors import ArgumentError, MoneyError

if TYPE_CHECKING:  # numpy and polars are imported by the column functions that use them
    pass


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
POUND_DIGITS = 13
"""The digits of whole pounds an amount can have (:data:`MAX_PENCE` has thirteen)."""
RATE_DIGITS = 30
"""How large and how fine a rate, multiplier or weight can be: at most ``10^30``, and, written
as a decimal, at most 30 places after the point (as a fraction, its top and bottom at most
``10^30``). Far beyond any real rate; the bound keeps every product quick."""
RATE_LIMIT = 10**RATE_DIGITS
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
    if amount.adjusted() >= POUND_DIGITS:
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
    if exact > RATE_LIMIT:
        raise _rate_error(original)
    return -exact if sign else exact


def _bounded(value: Fraction, original: object) -> Fraction:
    if abs(value.numerator) > RATE_LIMIT or value.denominator > RATE_LIMIT:
        raise _rate_error(original)
    return value


def _rate_error(original: object) -> MoneyError:
    return MoneyError(f"{brief(original)} is too large or too fine: {_RATE_WORDS}", got=original)


def exact_rate(value: object) -> Fraction:
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
        raise ArgumentError(f"unknown rounding {rounding!r}: use one of {', '.join(ROUNDINGS)}")
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
        return Money.from_pence(_round(self._pence * exact_rate(rate), rounding))

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
        divisor = exact_rate(other)
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
