"""Numbers as contractkit reads them from text: finite, and bounded in size and digits.

Every figure a contract holds (an amount, a count, a percentage, a flag level) is below 10^18
(a billion billion, beyond any budget), has at most 40 significant digits, and no more than
340 decimal places (finer than any double-precision float, so that any float a Python program
gives is written and read back exactly). Holding numbers to that, where text becomes a number,
keeps a fifteen-character scalar such as ``1e-1000000000`` from making arithmetic, or the
printing of a message, run for minutes::

    >>> beyond_bounds(Decimal("0.025")) is None
    True
    >>> beyond_bounds(Decimal("1e-1000000000"))
    'finer than any figure a contract holds (at most 340 decimal places)'
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = [
    "MAX_DECIMAL_PLACES",
    "MAX_DIGITS",
    "MAX_WHOLE_DIGITS",
    "TOO_FINE",
    "TOO_LARGE",
    "TOO_LONG",
    "beyond_bounds",
    "number_in_text",
    "shown",
]

MAX_WHOLE_DIGITS = 18
"""The most digits a number may have before its decimal point (it is below 10^18)."""
MAX_DIGITS = 40
"""The most significant digits a number may have."""
MAX_DECIMAL_PLACES = 340
"""The most digits a number may have after its decimal point."""

TOO_LARGE = (
    f"larger than any figure a contract holds (numbers are read below 10^{MAX_WHOLE_DIGITS})"
)
TOO_FINE = f"finer than any figure a contract holds (at most {MAX_DECIMAL_PLACES} decimal places)"
TOO_LONG = f"more digits than any figure a contract holds (at most {MAX_DIGITS})"
_MANTISSA = re.compile(r"[0-9]")


def beyond_bounds(value: Decimal | int) -> str | None:
    """Why a number is no figure a contract can hold (infinite, not a number, too large, too
    finely divided or too long), or None if it is one."""
    if isinstance(value, int):
        # bit_length first: a very long int is never turned into digits (which Python limits).
        if value.bit_length() > 64 or abs(value) >= 10**MAX_WHOLE_DIGITS:
            return TOO_LARGE
        return None
    if value.is_nan():
        return "'not a number', which no figure in a contract can be"
    if value.is_infinite():
        return "infinite, which no figure in a contract can be"
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, so a whole exponent
    if len(digits) + exponent > MAX_WHOLE_DIGITS and any(digits):
        return TOO_LARGE
    if -exponent > MAX_DECIMAL_PLACES:
        return TOO_FINE
    if len(digits) > MAX_DIGITS:
        return TOO_LONG
    return None


def number_in_text(text: str) -> Decimal | str:
    """The number written in text (digits with an optional point, sign and exponent, already
    known to be one), or why it is beyond bounds. The digits are counted before anything is
    converted, so that a number a million digits long costs no more than reading it."""
    mantissa, _, _ = text.lower().partition("e")
    if len(_MANTISSA.findall(mantissa)) > MAX_WHOLE_DIGITS + MAX_DECIMAL_PLACES:
        return TOO_LONG
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - callers pass numbers only
        return "not a number"
    return beyond_bounds(number) or number


def shown(text: str, limit: int = 24) -> str:
    """Text of a number for a message: as written, or its start and its length if long."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}…({len(text):,} characters)"
