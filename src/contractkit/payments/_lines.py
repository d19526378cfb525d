"""The statement's lines and findings as they are worked out: their columns (``LINE_SCHEMA``,
``FINDING_SCHEMA``) and the frames of one element's lines or one kind of finding, made over
whole columns (their words are made by :mod:`contractkit.payments._column_words`).

``half_up`` and ``share_of``, the payments' pence arithmetic (a rate of an amount, rounded
half-up once, exactly), are here until the shared kernel's exact sums
(:mod:`contractkit._kernel.pence_sums`) take them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints

__all__ = ["FINDING_SCHEMA", "LINE_SCHEMA", "findings", "half_up", "lines", "share_of"]

LINE_SCHEMA: dict[str, pl.DataType] = {
    "service": pl.Int64(),
    "month": pl.Int64(),
    "element": pl.String(),
    "reference": pl.String(),
    "quantity": pl.Int64(),
    "amount": pl.Int64(),
    "basis": pl.String(),
}
"""A line as worked out: the service's index, the month (a count of months), the element, what
it refers to, a quantity, the amount in pence and why."""

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "service": pl.Int64(),
    "month": pl.Int64(),
    "amount": pl.Int64(),
    "message": pl.String(),
    "detail": pl.String(),
    "count": pl.Int64(),
}
"""A finding as worked out: what ``detail`` and ``count`` say lets repeated monthly findings of
one kind be reported once."""


def half_up(pence: Any, numerator: Any, denominator: Any) -> Ints:
    """pence × numerator / denominator, rounded half-up once (pence not negative), exact: in
    64-bit whole numbers where the products fit, else in Python's unbounded ones (over the whole
    column at once). ``numerator`` and ``denominator`` may be whole numbers of any size; the
    results must fit in 64 bits (they are amounts, each checked against the largest)."""
    p, n, d = np.asarray(pence), np.asarray(numerator), np.asarray(denominator)
    largest = 2 * _size(p) * _size(n) + _size(d)
    if largest < 2**62 and 2 * _size(d) < 2**62:
        p64, n64, d64 = (a.astype(np.int64) for a in (p, n, d))
        return np.asarray((2 * p64 * n64 + d64) // (2 * d64), dtype=np.int64)
    p_, n_, d_ = (a.astype(object) for a in (p, n, d))
    exact = (2 * p_ * n_ + d_) // (2 * d_)
    return np.asarray(np.asarray(exact, dtype=object).astype(np.int64), dtype=np.int64)


def _size(values: NDArray[Any]) -> int:
    """The largest size in an array, as an exact whole number (1 for an empty array)."""
    if values.size == 0:
        return 1
    return max(abs(int(values.max())), abs(int(values.min())))


def share_of(pence: int, part: Fraction) -> int:
    """A part of a sum of pence, rounded half-up once, in exact whole numbers."""
    return (2 * pence * part.numerator + part.denominator) // (2 * part.denominator)


def lines(
    service: Any,
    month: Any,
    element: str,
    amount: Any,
    basis: pl.Series,
    *,
    reference: Any = None,
    quantity: Any = None,
) -> pl.DataFrame:
    """Lines of one element, over whole columns."""
    size = len(basis)
    return pl.DataFrame(
        {
            "service": pl.Series(service, dtype=pl.Int64),
            "month": pl.Series(month, dtype=pl.Int64),
            "element": pl.repeat(element, size, eager=True, dtype=pl.String),
            "reference": (
                pl.repeat(reference, size, eager=True, dtype=pl.String)
                if reference is None or isinstance(reference, str)
                else pl.Series(reference, dtype=pl.String)
            ),
            "quantity": (
                pl.repeat(None, size, eager=True, dtype=pl.Int64)
                if quantity is None
                else pl.Series(quantity, dtype=pl.Int64)
            ),
            "amount": pl.Series(amount, dtype=pl.Int64),
            "basis": basis,
        },
        schema=LINE_SCHEMA,
    )


def findings(
    code: str,
    service: Any,
    month: Any,
    message: pl.Series,
    *,
    amount: Any = None,
    detail: Any = "",
    count: Any = 1,
) -> pl.DataFrame:
    """Findings of one kind, over whole columns."""
    size = len(message)

    def column(value: Any, dtype: pl.DataType) -> pl.Series:
        if value is None or isinstance(value, str | int):
            return pl.repeat(value, size, eager=True, dtype=dtype)
        return pl.Series(value, dtype=dtype)

    return pl.DataFrame(
        {
            "code": column(code, pl.String()),
            "service": column(service, pl.Int64()),
            "month": column(month, pl.Int64()),
            "amount": column(amount, pl.Int64()),
            "message": message,
            "detail": column(detail, pl.String()),
            "count": column(count, pl.Int64()),
        },
        schema=FINDING_SCHEMA,
    )
