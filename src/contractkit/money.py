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
from typing import Any, Literal, TypeVar, overload

import numpy as np
import polars as pl
from numpy.typing import NDArray
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from contractkit.errors import MoneyError

__all__ = [
    "COLUMN_PROBLEMS",
    "PATTERN",
    "ROUNDINGS",
    "Money",
    "allocate",
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
MINUS = "\u2212"
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


def _to_pence(amount: Decimal, original: object) -> int:
    """Whole pence from pounds, refusing a fraction of a penny."""
    if not amount.is_finite():
        raise MoneyError(f"{original!r} is not an amount of money", got=original)
    pence = amount * 100
    if pence != pence.to_integral_value():
        raise MoneyError(
            f"{original!r} has a fraction of a penny: money is written with at most two "
            "decimal places (nothing is rounded quietly)",
            got=original,
        )
    return int(pence)


def _parse(text: str) -> int:
    match = _TEXT.match(text)
    if match is None or (match["whole"] is None and match["fraction"] is None):
        raise MoneyError(
            f"{text!r} is not an amount of money: write it like £4,200,000.00, 4200000 or "
            "(£1,234.56)",
            got=text,
        )
    if bool(match["open"]) != bool(match["close"]):
        raise MoneyError(f"{text!r} has an unmatched bracket", got=text)
    signs = [s for s in (match["sign"], match["sign2"]) if s]
    if len(signs) > 1 or (signs and match["open"]):
        raise MoneyError(f"{text!r} has more than one sign", got=text)
    digits = (match["whole"] or "0").replace(",", "") + "." + (match["fraction"] or "0")
    pence = _to_pence(Decimal(digits), text)
    negative = bool(match["open"]) or (bool(signs) and signs[0] in "-\u2212")
    return -pence if negative else pence


def _rate(value: object) -> Fraction:
    """A multiplier, exactly: a whole number, Decimal, Fraction, or text (``"0.02"``, ``"2%"``)."""
    if isinstance(value, bool | float):
        raise MoneyError(
            f"{value!r}: a float cannot hold most rates exactly; give it as Decimal('0.02'), "
            "Fraction(1, 50) or text ('2%')",
            got=value,
        )
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{value!r} is not a usable rate", got=value)
        return Fraction(value)
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        try:
            number = Fraction(Decimal(text.removesuffix("%").strip().replace(",", "")))
        except (InvalidOperation, ValueError):
            raise MoneyError(f"{value!r} is not a rate", got=value) from None
        return number / 100 if percent else number
    raise MoneyError(f"{value!r} is not a rate", got=value)


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
        object.__setattr__(money, "_pence", int(pence))
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
        """The amount in pounds, to two decimal places."""
        return Decimal(self._pence).scaleb(-2).quantize(Decimal("0.01"))

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
        raise ValueError(f"unknown negative style {negative!r}: use 'minus' or 'brackets'")

    def __format__(self, spec: str) -> str:
        if spec in ("", "minus"):
            return self.format()
        if spec == "brackets":
            return self.format(negative="brackets")
        if spec == "plain":
            return str(self.amount)
        raise ValueError(f"unknown money format {spec!r}: use 'minus', 'brackets' or 'plain'")

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
        {'icb': '£0.03', 'council': '£0.02'}
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


def _weight(value: object, where: object) -> int | Fraction:
    """A weight, exactly: a whole number stays one (the common case, and the fast one)."""
    if isinstance(value, Money):
        weight: int | Fraction = value.pence
    elif isinstance(value, int) and not isinstance(value, bool):
        weight = value
    else:
        try:
            weight = _rate(value)
        except MoneyError:
            raise MoneyError(f"weight {where!r}: {value!r} is not a number", got=value) from None
    if weight < 0:
        raise MoneyError(f"weight {where!r} is negative ({value!r})", got=value)
    return weight


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


_TOO_MANY_DIGITS = 15
"""Whole pounds with more digits than this do not fit a column of pence (and are no real
amount): they are refused."""

COLUMN_PROBLEMS = ("", "empty", "not_money", "fraction_of_a_penny")
"""What :func:`pence_column` can find wrong with an entry, by code (0: nothing)."""
_EMPTY, _NOT_MONEY, _FRACTION = 1, 2, 3


_PLAIN = r"^\s*-?[0-9]{1,15}(?:\.[0-9]{1,2})?\s*$"
"""The plain form a machine writes amounts in (``-1234.5``): read by a quicker route."""


def _plain_pence(text: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]] | None:
    """A column of plain amounts (and empty cells) as pence; None if any is in another form."""
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


def pence_column(values: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """A column of amounts as whole pence, exactly, over the whole column.

    Returns ``(pence, problem)``: int64 pence (0 where there is a problem) and a code per entry
    into :data:`COLUMN_PROBLEMS` (0 where the amount is fine). Text follows :data:`PATTERN`,
    exactly as :class:`Money` reads it; whole numbers are pounds; floating-point numbers (as a
    spreadsheet or Parquet file may hold them) are taken to the penny only when they are within
    a millionth of a penny of it.
    """
    size = values.len()
    problem = np.zeros(size, dtype=np.int8)
    if values.dtype.is_integer():
        empty = values.is_null().to_numpy()
        pence = values.fill_null(0).cast(pl.Int64).to_numpy() * 100
        problem[empty] = _EMPTY
        return np.where(empty, 0, pence).astype(np.int64), problem
    if values.dtype.is_float():
        x = values.cast(pl.Float64).to_numpy() * 100
        empty = np.isnan(x)
        whole = np.round(np.nan_to_num(x))
        exact = np.abs(x - whole) <= 1e-6 * np.maximum(1.0, np.abs(whole))
        problem[~exact] = _FRACTION
        problem[np.abs(whole) >= 10.0 ** (_TOO_MANY_DIGITS + 2)] = _NOT_MONEY
        problem[empty] = _EMPTY
        return np.where(problem == 0, whole, 0).astype(np.int64), problem
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
            )
            & (
                pl.col("whole").fill_null("").str.replace_all(",", "").str.len_chars()
                <= _TOO_MANY_DIGITS
            ),
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
    problem[~fine] = _NOT_MONEY
    problem[fine & ~penny] = _FRACTION
    problem[empty] = _EMPTY
    return np.where(problem == 0, pence, 0).astype(np.int64), problem
