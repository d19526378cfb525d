"""Sums and products of money over whole columns: exact, or refused with a clear message.

Every amount contractkit holds is within £9,999,999,999,999.99 either way
(:data:`~contractkit.money.MAX_PENCE`, under 2^50 pence), so thousands of them add up exactly
in 64-bit whole numbers. A table could still hold enough of them for a sum to pass what 64 bits
hold, and a sum wrapped round is a silently wrong figure. So, before the sums of a
reconciliation, an assessment or a statement are made, :func:`require_room` checks (exactly,
over whole columns) that the sizes of all the amounts they add up come to less than 2^61: then
every sum of some of them, and every difference of two such sums, is exact in 64 bits.
Past that, the work is refused. Products (a count times a price, a rate times a value) are
checked the same way, or made in Python's unbounded whole numbers (:func:`product`).

The figures a result shows are then checked against the largest amount
(:func:`check_figures`, :func:`within`): a figure beyond it is refused, naming the figure and
where it is, never shown wrapped round or rounded.

    >>> import numpy as np
    >>> within(12_345, "the fund's outturn")
    12345
    >>> product(np.array([3, 4]), np.array([5, 6]), lambda i: f"row {i}").tolist()
    [15, 24]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints
from contractkit._kernel.pence_text import pence_text
from contractkit.errors import MoneyError
from contractkit.money import MAX_PENCE

__all__ = [
    "ROOM",
    "beyond",
    "check_figures",
    "floor_ratio",
    "half_up",
    "product",
    "require_room",
    "share_of",
    "within",
]


ROOM = 2**61
"""The most the sizes of the amounts added up in one piece of work may come to, in pence (about
£23 quadrillion): every sum of them, and every difference of two sums, then fits in 64 bits."""

_LARGEST = (
    "the largest amount contractkit holds, £9,999,999,999,999.99 either way (just under ten "
    "trillion pounds)"
)


def require_room(what: str, *columns: Any) -> None:
    """Refuse, with a :class:`MoneyError` naming ``what``, work whose amounts (``columns`` of
    pence) are so many and so large that their sums might not fit in 64 bits: the sizes of
    all of them must come to less than :data:`ROOM`, added up exactly."""
    size = sum(_total_size(np.asarray(column)) for column in columns)
    if size >= ROOM:
        raise MoneyError(
            f"{what} add up to about £{size // 100:,} (their sizes, added up): too much to add "
            f"up exactly, and far beyond {_LARGEST}: check the figures"
        )


def _total_size(values: NDArray[Any]) -> int:
    """The sizes of a column of whole numbers added up, exactly, over the whole column: each
    split into its high and low 31 bits, whose sums fit in 64 bits for any column that fits in
    memory."""
    if values.size == 0:
        return 0
    magnitude = np.abs(values.astype(np.int64)).astype(np.uint64)
    high = int((magnitude >> np.uint64(31)).sum(dtype=np.uint64))
    low = int((magnitude & np.uint64(2**31 - 1)).sum(dtype=np.uint64))
    return (high << 31) + low


def beyond(values: Any) -> NDArray[np.bool_]:
    """Where a column of pence is beyond the largest amount, either way."""
    array = np.asarray(values, dtype=np.int64)
    return (array > MAX_PENCE) | (array < -MAX_PENCE)


def within(pence: int, what: str) -> int:
    """``pence`` (a Python whole number, exact), refused beyond the largest amount with a
    :class:`MoneyError` naming ``what`` and the figure."""
    if -MAX_PENCE <= pence <= MAX_PENCE:
        return pence
    raise MoneyError(
        f"{what}, {pence_text(pence)}, is beyond {_LARGEST}: check the figures it is worked out "
        "from"
    )


def check_figures(
    frame: pl.DataFrame,
    columns: Sequence[str],
    label: Callable[[Mapping[str, Any], str], str],
) -> None:
    """Refuse a table of pence (``columns`` of ``frame``) with a figure beyond the largest
    amount: a :class:`MoneyError` naming the first such figure as ``label(row, column)`` says
    (``row`` the row's values by column)."""
    for column in columns:
        if column not in frame.columns:
            continue
        values = frame.get_column(column)
        largest, smallest = values.max(), values.min()
        if largest is None or (largest <= MAX_PENCE and smallest >= -MAX_PENCE):  # type: ignore[operator]  # whole numbers, compared
            continue
        bad = ((values > MAX_PENCE) | (values < -MAX_PENCE)).fill_null(False)
        row = frame.filter(bad).row(0, named=True)
        within(int(row[column]), label(row, column))


def product(a: Any, b: Any, what: Callable[[int], str]) -> Ints:
    """``a × b`` element by element, exactly, each product within the largest amount: else a
    :class:`MoneyError` naming the first beyond it (``what(index)``, the index into the
    products, flattened). Sizes are compared in floating point first, so only products near
    the largest amount are worked out in Python's unbounded whole numbers."""
    left = np.asarray(a)
    right = np.asarray(b)
    shape = np.broadcast(left, right).shape
    wide_left = np.broadcast_to(left, shape)
    wide_right = np.broadcast_to(right, shape)
    rough = np.abs(wide_left.astype(np.float64) * wide_right.astype(np.float64)).ravel()
    for index in np.flatnonzero(~(rough < MAX_PENCE / 2)).tolist():
        exact = int(wide_left.ravel()[index]) * int(wide_right.ravel()[index])
        within(exact, what(index))
    return np.asarray(wide_left.astype(np.int64) * wide_right.astype(np.int64), dtype=np.int64)


def floor_ratio(a: Any, b: Any, c: Any) -> Ints:
    """``floor(a × b / c)`` element by element (``c`` > 0), exactly: in 64-bit whole numbers
    where the products fit, otherwise in Python's unbounded ones, over the whole column (a level
    of 9523809523809523 / 10^16 times 1,000 referrals passes 64 bits)."""
    x, y, z = np.asarray(a), np.asarray(b), np.asarray(c)
    if _size(x) * _size(y) < 2**62 and _size(z) < 2**62:
        return np.asarray(
            (x.astype(np.int64) * y.astype(np.int64)) // z.astype(np.int64), dtype=np.int64
        )
    exact = np.asarray((x.astype(object) * y.astype(object)) // z.astype(object), dtype=object)
    if exact.size and _size(exact) >= 2**63:
        raise MoneyError(
            "a count worked out from these figures is too large to hold exactly (2^63 or more): "
            "check the figures"
        )
    return np.asarray(exact.astype(np.int64), dtype=np.int64)


def _size(values: NDArray[Any]) -> int:
    """The largest size in an array, as an exact whole number (1 for an empty array)."""
    if values.size == 0:
        return 1
    return max(abs(int(values.max())), abs(int(values.min())))


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


def share_of(pence: int, part: Fraction) -> int:
    """A part of a sum of pence, rounded half-up once, in exact whole numbers."""
    return (2 * pence * part.numerator + part.denominator) // (2 * part.denominator)
