"""The statement's lines and findings as columns, and their words made once per distinct value.

A statement can have hundreds of thousands of lines, each with a sentence saying why. The
sentences are put together over whole columns: each distinct figure (an amount, a count) is
written out once, in Python, and the column of them is looked up from those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit.money import Money

__all__ = [
    "FINDING_SCHEMA",
    "LINE_SCHEMA",
    "Ints",
    "counts",
    "findings",
    "half_up",
    "join",
    "lines",
    "money",
    "month_text",
    "month_texts",
    "months",
    "per",
    "share_of",
    "words",
]

Ints = NDArray[np.int64]

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


def month_text(index: int) -> str:
    """A month count as ``2026-07``."""
    return f"{index // 12}-{index % 12 + 1:02d}"


def month_texts(column: pl.Expr) -> pl.Expr:
    """A column of month counts as ``2026-07`` text, over the whole column."""
    return pl.format(
        "{}-{}",
        (column // 12).cast(pl.String),
        (column % 12 + 1).cast(pl.String).str.zfill(2),
    )


def join(*parts: pl.Series | str) -> pl.Series:
    """Texts put together row by row (a ``str`` part is the same on every row)."""
    return pl.select(
        pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])
    ).to_series()


def months(index: Any) -> pl.Series:
    """Month counts as ``2026-07`` texts."""
    return pl.select(month_texts(pl.lit(pl.Series(index, dtype=pl.Int64)))).to_series()


def words(values: Any, write: Callable[[Any], str]) -> pl.Series:
    """Each value written out, each distinct value once."""
    series = pl.Series(values)
    distinct = series.unique().drop_nulls().to_list()
    return series.replace_strict(
        {v: write(v) for v in distinct}, default=None, return_dtype=pl.String
    )


def money(pence: Any) -> pl.Series:
    """Amounts in pence as ``£1,234.56`` (``−£5.00`` below nothing)."""
    return words(pence, lambda p: Money.from_pence(int(p)).format())


def counts(values: Any) -> pl.Series:
    """Whole numbers with thousands separators: ``1,234``."""
    return words(values, lambda n: f"{int(n):,}")


def per(index: Ints, texts: Sequence[str | None]) -> pl.Series:
    """A text per row, looked up by an index into ``texts``."""
    return pl.Series(list(texts), dtype=pl.String).gather(pl.Series(index, dtype=pl.Int64))


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
