"""Working a block at a time: blocks cover every row once, in order, and never change an answer."""

from __future__ import annotations

import itertools
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from contractkit.stats import blockwise

pairs = st.lists(st.tuples(st.integers(0, 3), st.integers(-2, 2)), max_size=30)


@given(pairs, st.integers(1, 6))
def test_in_order_is_the_plain_check_whatever_the_block_size(rows, size):
    major = np.array([r[0] for r in rows], dtype=np.int64)
    minor = np.array([r[1] for r in rows], dtype=np.int64)
    expected = rows == sorted(rows, key=lambda r: (r[0], r[1]))
    with mock.patch.object(blockwise, "SIZE", size):
        assert blockwise.in_order(major, minor) is expected


@given(st.integers(0, 50), st.integers(1, 7))
def test_slices_cover_every_row_once_in_order(n, size):
    with mock.patch.object(blockwise, "SIZE", size):
        covered = [i for block in blockwise.slices(n) for i in range(n)[block]]
    assert covered == list(range(n))


@given(st.lists(st.integers(1, 6), max_size=12), st.integers(1, 9))
def test_series_blocks_hold_whole_series(lengths, size):
    codes = np.repeat(np.arange(len(lengths)), lengths)
    with mock.patch.object(blockwise, "SIZE", size):
        blocks = blockwise.series_blocks(codes)
    assert blocks[0][0] == 0
    assert blocks[-1][1] == codes.size
    for (_, end), (first, _) in itertools.pairwise(blocks):
        assert end == first
        assert codes[first] != codes[first - 1]  # a block never splits a series
