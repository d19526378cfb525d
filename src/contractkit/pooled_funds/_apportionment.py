"""Splitting pence in proportion, for many groups at once: each group's total among its items
by their weights, to the penny, exactly as :func:`contractkit.money.split_pence` splits one total
(shares rounded down, then the pennies left to the largest remainders, then the larger weight,
then the earlier position). The settlement of a pooled fund makes every split it needs with it,
for every fund at once, over whole columns.
"""

from __future__ import annotations

import numpy as np

from contractkit._kernel.arrays import Ints
from contractkit.errors import MoneyError

__all__ = ["apportion", "apportion_rows"]

_FITS = 2**63 - 1


def _mul_div(a: Ints, b: Ints, c: Ints) -> tuple[Ints, Ints]:
    """``a × b`` divided by ``c``, whole and remainder, exactly (a, b ≥ 0; c > 0): in 64-bit
    integers where every product fits, otherwise in Python's unbounded whole numbers."""
    if a.size and int(a.max()) * int(b.max()) > _FITS:
        product = a.astype(object) * b.astype(object)
        divisor = c.astype(object)
        return (product // divisor).astype(np.int64), (product % divisor).astype(np.int64)
    product = a * b
    return product // c, product % c


def apportion(total: Ints, weight: Ints, group: Ints, position: Ints) -> Ints:
    """Each group's ``total`` (≥ 0) split among its items (``group`` says whose each is) in
    proportion to their ``weight`` — for every group at once, exactly as
    :func:`~contractkit.money.split_pence` splits: each item its share rounded down to the
    penny, then the pennies left one each to the largest remainders, then the larger weight,
    then the earlier ``position``."""
    parts = np.zeros(weight.size, dtype=np.int64)
    items = np.flatnonzero((weight > 0) & (total[group] > 0))
    sums = np.zeros(total.size, dtype=np.int64)
    np.add.at(sums, group[items], weight[items])
    if np.any((total > 0) & (sums == 0)):
        raise MoneyError("the weights add up to zero: there is no proportion to split by")
    if items.size == 0:
        return parts
    mine, weights = group[items], weight[items]
    floors, remainders = _mul_div(total[mine], weights, sums[mine])
    given = np.zeros(total.size, dtype=np.int64)
    np.add.at(given, mine, floors)
    # Within each group: the largest remainder first, then the larger weight, then position.
    order = np.lexsort((position[items], -weights, -remainders, mine))
    ordered = mine[order]
    place = np.arange(items.size) - np.searchsorted(ordered, ordered)
    floors[order] += place < (total - given)[ordered]
    parts[items] = floors
    return parts


def apportion_rows(total: Ints, weight: Ints, position: Ints) -> Ints:
    """Each row's ``total`` split across its columns by ``weight`` (rows × columns), as
    :func:`apportion` splits."""
    rows, columns = weight.shape
    group = np.repeat(np.arange(rows), columns)
    return apportion(total, weight.ravel(), group, position.ravel()).reshape(rows, columns)
