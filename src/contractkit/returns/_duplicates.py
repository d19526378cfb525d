"""Rows that clash: two or more rows for one series and period, among rows that pass every other
check. A row that repeats an earlier one exactly (every cell the same) is excluded as an
identical copy, kept once; rows that still clash differ, and all of them are rejected (none is
picked silently)."""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints
from contractkit.returns._reasons import CODES, IDENTICAL

__all__ = ["mark_duplicates"]


def mark_duplicates(
    table: pl.DataFrame,
    input_columns: list[str],
    reason: NDArray[np.int8],
    series_code: Ints,
    start: Ints,
    first_month: int,
) -> None:
    """Mark each clashing row's reason: ``IDENTICAL`` for a copy, ``duplicate`` for the rows
    that differ (``first_month``: the term's first, to key periods from)."""
    passing = reason == 0
    everything_clean = bool(passing.all())
    clean = np.arange(reason.size) if everything_clean else np.flatnonzero(passing)
    key = (series_code if everything_clean else series_code[clean]) * 100_000 + (
        (start if everything_clean else start[clean]) - first_month + 50_000
    )
    if key.size > 1 and bool(np.all(key[1:] > key[:-1])):
        return  # strictly increasing already: no two rows can clash
    clashing = _clashing(clean, key)
    if clashing is None:
        return
    clash_keys = key[np.searchsorted(clean, clashing)]
    cells = table[clashing].select(
        pl.Series("\0key", clash_keys), *(pl.col(c).cast(pl.String) for c in input_columns)
    )
    # Each row's first identical row (every cell the same, nulls equal), by position.
    first = (
        cells.with_columns(pl.Series("\0at", np.arange(clashing.size)))
        .select(pl.col("\0at").min().over(cells.columns))
        .to_series()
        .to_numpy()
    )
    copies = first != np.arange(clashing.size)
    reason[clashing[copies]] = IDENTICAL
    kept = ~copies
    distinct_keys = clash_keys[kept]
    values, counts = np.unique(distinct_keys, return_counts=True)
    still = np.isin(distinct_keys, values[counts > 1])
    reason[clashing[kept][still]] = CODES["duplicate"]


def _clashing(clean: Ints, key: Ints) -> Ints | None:
    """The rows (of ``clean``, keyed by ``key``) whose key another row shares, in input order
    (so that the first copy is kept); None if there are none."""
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = np.zeros(ordered.size, dtype=bool)
    if ordered.size > 1:
        equal = ordered[1:] == ordered[:-1]
        same[1:] |= equal
        same[:-1] |= equal
    if not same.any():
        return None
    clashing: Ints = np.sort(clean[order[same]])
    return clashing
