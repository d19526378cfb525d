"""Working through long columns a block at a time.

At national scale a whole-column temporary is tens of megabytes of fresh memory, and fresh
memory is slow to come by. Per-row work is therefore done a block of rows at a time: the
working arrays stay small, are reused from one block to the next and stay in the processor's
cache; only results are kept at full length. Blocks never show in a result (the tests check
that with tiny blocks).

The charts here work this way, and so do the returns reader and the evaluator above them,
which take these helpers from here (``from contractkit.stats import blockwise``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["SIZE", "in_order", "run_starts", "series_blocks", "slices"]

SIZE = 1 << 18
"""About this many rows to a block."""


def slices(n: int) -> Iterator[slice]:
    """Consecutive blocks of ``n`` rows."""
    for first in range(0, n, SIZE):
        yield slice(first, min(first + SIZE, n))


def run_starts(codes: NDArray[Any]) -> NDArray[np.bool_]:
    """Where each run of equal codes begins."""
    starts = np.ones(codes.shape[0], dtype=bool)
    if codes.shape[0] > 1:
        starts[1:] = codes[1:] != codes[:-1]
    return starts


def series_blocks(codes: NDArray[Any]) -> list[tuple[int, int]]:
    """Consecutive blocks of whole series (``codes`` contiguous), about ``SIZE`` rows each (a
    longer series is a block of its own), as (first, end) pairs; one empty block if none."""
    n = codes.shape[0]
    if n == 0:
        return [(0, 0)]
    firsts = np.flatnonzero(run_starts(codes))
    cuts = np.unique(np.searchsorted(firsts, np.arange(0, n, SIZE), side="right") - 1)
    bounds = [*firsts[cuts].tolist(), n]
    return list(itertools.pairwise(bounds))


def in_order(major: NDArray[Any], minor: NDArray[Any]) -> bool:
    """Whether the rows are sorted by ``major``, then ``minor`` (ties allowed)."""
    for block in slices(major.shape[0]):
        span = slice(max(block.start - 1, 0), block.stop)  # each block overlaps the last by one
        a, b = major[span], minor[span]
        later, earlier = a[1:], a[:-1]
        if not np.all((later > earlier) | ((later == earlier) & (b[1:] >= b[:-1]))):
            return False
    return True
