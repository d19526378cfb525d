"""Quantities as a contract writes them: ``70%``, ``90 minutes``, ``18 weeks``, ``12 per 1,000``.

A :class:`Quantity` keeps the number exactly (a :class:`~decimal.Decimal`) with the unit it was
written in, so that it is shown back the way it was written::

    >>> Quantity.parse("90 minutes")
    Quantity('90 minutes')
    >>> Quantity.parse("1.5 hours").to("minutes")
    Decimal('90')
    >>> Quantity.parse("70%").fraction()
    Decimal('0.7')

Units are read through a pint registry (pint's own units plus counts of people, referrals,
events and the like, defined in ``units.txt``), loaded on first use. The units contracts
commonly use (minutes, days, weeks, counts of people and events…) are known without it, as pint
has them, so that most contracts load without importing pint or building its registry (about
0.7 s). Money is never a unit.
"""

from __future__ import annotations

import copy
import functools
import re
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from importlib import resources
from typing import Any

import attrs
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from contractkit._kernel.numbers import (
    MAX_DECIMAL_PLACES,
    MAX_WHOLE_DIGITS,
    TOO_LONG,
    beyond_bounds,
    shown,
)
from contractkit._kernel.suggest import closest
from contractkit.errors import UnitError

__all__ = [
    "PERCENT",
    "PER_PERIOD",
    "Quantity",
    "check_unit",
    "dimension_name",
    "format_number",
    "per_text",
]

_MONEY = (
    "money is not a unit of measurement: a KPI's threshold is a number, a percentage or a "
    "quantity such as '90 minutes'"
)
_IRREGULAR_PLURALS = {"person": "people"}

PERCENT = "percent"
"""The unit name a percentage is held in."""

PER_PERIOD = "a number for the whole assessment period"
"""The ``expected`` of the UnitError for a quantity written per a length of time (``2 per
quarter``): a threshold is already for the whole period its KPI is assessed over."""

_PER_PERIOD_RE = re.compile(
    r"^(?:per|a|an|each|every|/)\s*(?:(?:calendar|financial)\s+)?"
    r"(?P<period>day|week|fortnight|month|quarter|year|annum|assessment\s+period|period)s?$",
    re.IGNORECASE,
)
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
_QUANTITY_RE = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")
_PER_RE = re.compile(r"^per\s+(\d{1,3}(?:,\d{3})+|\d+)(?:\s+[a-z_ ]+)?$", re.IGNORECASE)
_PERCENT_WORDS = {"%", "percent", "per cent", "pc"}
_POINT_WORDS = {"points", "point", "pp", "percentage points", "percentage point"}

_DIMENSION_NAMES = {
    "[time]": "a time",
    "[mass]": "a mass",
    "[length]": "a length",
    "[volume]": "a volume",
    "[length] ** 3": "a volume",
    "dimensionless": "a count",
}


_COMMON_UNITS: dict[str, tuple[str, Fraction]] = {
    **{
        name: ("[time]", Fraction(seconds))
        for name, seconds in (
            ("second", 1),
            ("minute", 60),
            ("hour", 3600),
            ("day", 86400),
            ("week", 604800),
            ("fortnight", 1209600),
            ("month", 2629800),  # pint's: a twelfth of a year
            ("year", 31557600),  # pint's: 365.25 days
        )
    },
    **{
        name: ("dimensionless", Fraction(1))
        for name in (
            "count",
            "person",
            "patient",
            "referral",
            "event",
            "incident",
            "attendance",
            "admission",
            "contact",
            "episode",
            "visit",
            "bed_day",
        )
    },
}
"""Units contracts commonly use, by pint's canonical name, with what pint says of each: its
dimensionality and its size in base units (seconds for a time). The tests check every entry
against pint."""
_COMMON_WRITTEN = {
    **{written: name for name in _COMMON_UNITS for written in (name, name + "s")},
    "people": "person",
}
"""How the common units are written (singular or plural), and each one's canonical name."""


@functools.cache
def _registry() -> Any:
    """pint's registry with contractkit's count units, built once, on first use."""
    import pint

    registry: Any = pint.UnitRegistry(non_int_type=Decimal, cache_folder=None)
    definitions = resources.files("contractkit").joinpath("units.txt")
    with resources.as_file(definitions) as path:
        registry.load_definitions(str(path))
    return registry


@functools.cache
def _known_unit_names() -> tuple[str, ...]:
    registry = _registry()
    names = set()
    for name in registry._units:  # pint exposes no public list of names
        if name.isidentifier() and len(name) > 1:
            names.add(name)
            names.add(name + "s")
    return tuple(sorted(names))


@functools.cache
def check_unit(text: str) -> str:
    """The canonical name of a unit written in a contract, or a :class:`UnitError`.

    >>> check_unit("minutes")
    'minute'
    """
    cleaned = text.strip()
    if cleaned.lower() in _PERCENT_WORDS | _POINT_WORDS:
        return PERCENT
    per = _PER_RE.match(cleaned)
    if per:
        base = int(per.group(1).replace(",", ""))
        if base == 0:
            raise UnitError("a rate is per a positive number, such as 'per 1,000'", got=text)
        return f"per {base}"
    if "£" in cleaned:
        raise UnitError(_MONEY, got=text)
    per_period = _PER_PERIOD_RE.match(cleaned)
    if per_period:
        period = " ".join(per_period.group("period").lower().split())
        raise UnitError(
            f"{cleaned!r} is not a unit: a threshold is for the whole period its KPI is "
            f"assessed over (its 'assessed'), not per {period}, so give the number alone",
            got=text,
            expected=PER_PERIOD,
        )
    if cleaned in _COMMON_WRITTEN:  # as pint would read it, without pint
        return _COMMON_WRITTEN[cleaned]
    registry = _registry()
    try:
        unit = registry.parse_units(cleaned)
    except Exception:  # pint raises several unrelated types for unreadable text
        close = closest(cleaned.lower(), _known_unit_names())
        hint = f"; did you mean {close!r}?" if close else ""
        raise UnitError(f"unknown unit {cleaned!r}{hint}", got=text) from None
    if unit.dimensionless and str(unit) == "dimensionless":
        raise UnitError(f"{cleaned!r} is not a unit", got=text)
    return str(unit)


def _dimensionality(unit: str) -> str:
    if unit == PERCENT:
        return "percent"
    if unit.startswith("per "):
        return "rate"
    if unit in _COMMON_UNITS:
        return _COMMON_UNITS[unit][0]
    return str(_registry().get_dimensionality(unit))


def dimension_name(unit: str) -> str:
    """A plain-English name for what a unit measures: ``'a time'`` for minutes."""
    dimensionality = _dimensionality(unit)
    if dimensionality == "percent":
        return "a percentage"
    if dimensionality == "rate":
        return "a rate"
    return _DIMENSION_NAMES.get(dimensionality, f"a quantity of dimension {dimensionality}")


def same_dimension(unit_a: str, unit_b: str) -> bool:
    """Whether two units measure the same kind of thing (so one converts to the other)."""
    return _dimensionality(unit_a) == _dimensionality(unit_b)


def format_number(value: Decimal) -> str:
    """A Decimal written plainly, without exponent or trailing zeros (``90.0`` → ``90``).

    Every significant digit is kept, however long the number.
    """
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def per_text(per: int) -> str:
    """``per 1,000`` for 1000."""
    return f"per {per:,}"


def _plural(unit: str, magnitude: Decimal) -> str:
    if unit.startswith("per ") or magnitude == 1:
        return unit
    if unit in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[unit]
    if unit.endswith(("s", "ss")):
        return unit
    return unit + "s"


@attrs.frozen(repr=False)
class Quantity:
    """A number with the unit it was written in (``None`` for a bare number).

    ``unit`` is pint's canonical name (``'minute'``), ``'percent'`` for a percentage or a
    number of percentage points, or ``'per N'`` for a rate per N.
    """

    magnitude: Decimal
    unit: str | None = None

    @classmethod
    def parse(cls, value: object) -> Quantity:
        """Read a quantity from text (``'70%'``, ``'90 minutes'``), a number or a Decimal."""
        if isinstance(value, Quantity):
            return value
        if isinstance(value, bool):
            raise UnitError(f"expected a number or a quantity, got {value!r}", got=value)
        if isinstance(value, int | Decimal):
            return cls(_bounded(value, value))
        if isinstance(value, float):
            return cls(_bounded(Decimal(repr(value)), value))
        if not isinstance(value, str):
            raise UnitError(f"expected a number or a quantity, got {value!r}", got=value)
        if "£" in value:
            raise UnitError(_MONEY, got=value)
        match = _QUANTITY_RE.match(value)
        if match is None:
            raise UnitError(
                f"{value!r} is not a quantity: write a number with an optional unit, "
                "such as '70%', '90 minutes' or '12'",
                got=value,
            )
        digits = match.group(1).replace(",", "")
        if len(digits) > MAX_WHOLE_DIGITS + MAX_DECIMAL_PLACES + 2:  # never converted at all
            raise UnitError(f"{shown(match.group(1))} is {TOO_LONG}", got=shown(match.group(1)))
        try:
            magnitude = _bounded(Decimal(digits), match.group(1))
        except InvalidOperation:  # pragma: no cover - the pattern only admits numbers
            raise UnitError(f"{value!r} is not a number", got=value) from None
        unit_text = match.group(2)
        return cls(magnitude, check_unit(unit_text) if unit_text else None)

    @property
    def is_percent(self) -> bool:
        """Whether the quantity was written as a percentage."""
        return self.unit == PERCENT

    def fraction(self) -> Decimal:
        """A percentage as a fraction (70% → 0.7); a bare number as it is."""
        if self.unit == PERCENT:
            return self.magnitude / 100
        if self.unit is None:
            return self.magnitude
        raise UnitError(f"{self} is not a proportion", got=str(self), expected="a percentage")

    def to(self, unit: str) -> Decimal:
        """The magnitude in another unit of the same dimension (a bare number is taken as-is).

        >>> Quantity.parse("2 hours").to("minute")
        Decimal('120')
        """
        if self.unit is None:
            return self.magnitude
        target = check_unit(unit)
        if self.unit == target:
            return self.magnitude
        if target.startswith("per ") and self.unit.startswith("per "):
            return _exact(Fraction(self.magnitude) * int(target[4:]) / int(self.unit[4:]))
        if not same_dimension(self.unit, target):
            raise UnitError(
                f"{self} is {dimension_name(self.unit)}, not {dimension_name(target)}",
                got=str(self),
                expected=dimension_name(target),
            )
        factor = _base_factor(self.unit) / _base_factor(target)
        return _exact(Fraction(self.magnitude) * factor)

    def __str__(self) -> str:
        number = format_number(self.magnitude)
        if self.unit is None:
            return number
        if self.unit == PERCENT:
            return f"{number}%"
        if self.unit.startswith("per "):
            return f"{number} {per_text(int(self.unit[4:]))}"
        return f"{number} {_plural(self.unit, self.magnitude)}"

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def to_plain(self) -> Decimal | str:
        """The form a spec file writes: a bare number as a number, anything else as text."""
        return self.magnitude if self.unit is None else str(self)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(cls.to_plain),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # A copy: pydantic adds a field's default to the schema it is given.
        return copy.deepcopy(QUANTITY_JSON_SCHEMA)


QUANTITY_JSON_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "number"},
        {"type": "string", "pattern": r"^\s*[+-]?[0-9.,]+"},
    ],
    "description": "A number, or a number with its unit: 70%, 90 minutes, 18 weeks, 12 per 1,000.",
    "examples": ["70%", "90 minutes", "18 weeks", 12],
}


def _bounded(value: Decimal | int, original: object) -> Decimal:
    """A number a contract can hold (finite, below 10^18, not too finely divided), or a
    UnitError saying why not."""
    if isinstance(value, Decimal) and not value.is_finite():
        raise UnitError(f"expected a finite number, got {original!r}", got=original)
    reason = beyond_bounds(value)
    if reason is not None:
        if isinstance(value, int) and value.bit_length() > 10_000:
            written = "a number thousands of digits long"  # too long even to write out
        elif isinstance(original, str):
            written = shown(original.strip())
        else:
            written = shown(repr(original) if isinstance(original, float) else str(value))
        raise UnitError(f"{written} is {reason}", got=written)
    return Decimal(value)


SIGNIFICANT_DIGITS = 28
"""Converted values that do not terminate (a minute in hours) keep this many digits."""


@functools.cache
def _base_factor(unit: str) -> Fraction:
    """How many base units (seconds, grams, …) one ``unit`` is, exactly."""
    if unit in _COMMON_UNITS:
        return _COMMON_UNITS[unit][1]
    magnitude = _registry().Quantity(Decimal(1), unit).to_base_units().magnitude
    return Fraction(Decimal(magnitude))


def _exact(value: Fraction) -> Decimal:
    """A fraction as a Decimal: exact where it terminates (``1.5``), else to 28 significant
    digits (a minute is ``0.01666…67`` hours)."""
    rest = value.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    with localcontext() as context:
        if rest == 1:  # it terminates: give every digit
            context.prec = len(str(abs(value.numerator))) + len(str(value.denominator)) + 2
        else:
            context.prec = SIGNIFICANT_DIGITS
        return Decimal(value.numerator) / Decimal(value.denominator)
