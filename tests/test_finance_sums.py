"""Sums and products of money over whole columns (contractkit._kernel.pence_sums): exact, or refused
with a clear message — never wrapped round in 64 bits. The reference is Python's own unbounded
whole numbers."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractkit import MoneyError
from contractkit._kernel.pence_sums import (
    ROOM,
    check_figures,
    floor_ratio,
    half_up,
    product,
    require_room,
    within,
)
from contractkit.money import MAX_PENCE

amounts = st.integers(-MAX_PENCE, MAX_PENCE)


@st.composite
def columns(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """A column of amounts (some repeated thousands of times, so that its sums can pass 64
    bits) and a group for each entry."""
    values = draw(st.lists(amounts | st.sampled_from([MAX_PENCE, -MAX_PENCE]), max_size=6))
    if draw(st.booleans()) and values:  # a column whose sizes come to exactly the bound
        values, counts = [ROOM // 2305, ROOM - ROOM // 2305 * 2305], [2305, 1]
        return np.repeat(np.array(values, dtype=np.int64), counts), np.zeros(2306, np.int64)
    counts = draw(st.lists(st.integers(0, 3000), min_size=len(values), max_size=len(values)))
    column = np.repeat(np.array(values, dtype=np.int64), counts)
    groups = draw(st.integers(1, 5))
    key = np.arange(column.size, dtype=np.int64) % groups
    return column, key


@settings(max_examples=80, deadline=None)
@given(columns())
def test_a_sum_of_columns_is_exact_or_refused(case: tuple[np.ndarray, np.ndarray]) -> None:
    column, key = case
    exact_total = sum(int(v) for v in column.tolist())
    size = sum(abs(int(v)) for v in column.tolist())
    if size >= ROOM:
        with pytest.raises(MoneyError, match="too much to add up exactly"):
            require_room("the amounts", column)
        return
    require_room("the amounts", column)
    assert int(column.sum()) == exact_total
    groups = np.zeros(int(key.max(initial=0)) + 1, dtype=np.int64)
    np.add.at(groups, key, column)
    expected: dict[int, int] = {}
    for k, v in zip(key.tolist(), column.tolist(), strict=True):
        expected[k] = expected.get(k, 0) + v
    assert {k: groups[k] for k in expected} == expected
    frame = pl.DataFrame({"key": key, "value": column})
    assert dict(frame.group_by("key").agg(pl.col("value").sum()).rows()) == expected


@given(
    st.lists(st.integers(-(10**18), 10**18), min_size=1, max_size=20),
    st.lists(st.integers(-(10**18), 10**18), min_size=1, max_size=20),
)
def test_a_product_is_exact_or_refused(a: list[int], b: list[int]) -> None:
    size = min(len(a), len(b))
    left = np.array(a[:size], dtype=np.int64)
    right = np.array(b[:size], dtype=np.int64)
    exact = [x * y for x, y in zip(a[:size], b[:size], strict=True)]
    first = next((i for i, p in enumerate(exact) if abs(p) > MAX_PENCE), None)
    if first is None:
        assert product(left, right, lambda i: f"row {i}").tolist() == exact
    else:
        with pytest.raises(MoneyError, match=f"row {first},"):
            product(left, right, lambda i: f"row {i}")


@given(
    st.lists(st.integers(-(10**17), 10**17), min_size=1, max_size=10),
    st.integers(0, 10**30),
    st.integers(1, 10**30),
)
def test_floor_ratio_is_exact(a: list[int], b: int, c: int) -> None:
    expected = [(x * b) // c for x in a]
    if all(-(2**63) < e < 2**63 for e in expected):
        assert floor_ratio(np.array(a, dtype=np.int64), b, c).tolist() == expected
    else:
        with pytest.raises(MoneyError, match="too large to hold exactly"):
            floor_ratio(np.array(a, dtype=np.int64), b, c)


@given(
    st.lists(st.integers(0, MAX_PENCE), min_size=1, max_size=10),
    st.fractions(min_value=0, max_value=1, max_denominator=10**25),
)
def test_half_up_is_exact(pence: list[int], rate: Fraction) -> None:
    got = half_up(np.array(pence, dtype=np.int64), rate.numerator, rate.denominator).tolist()
    assert got == [
        (2 * p * rate.numerator + rate.denominator) // (2 * rate.denominator) for p in pence
    ]


def test_a_figure_beyond_the_largest_amount_is_named() -> None:
    frame = pl.DataFrame({"line": ["a", "b"], "outturn": [5, MAX_PENCE + 1]})
    with pytest.raises(MoneyError) as caught:
        check_figures(frame, ["outturn"], lambda row, column: f"line {row['line']}'s {column}")
    assert str(caught.value).startswith(
        "line b's outturn, £10,000,000,000,000.00, is beyond the largest amount"
    )
    check_figures(frame.head(1), ["outturn"], lambda row, column: "never")
    assert within(-MAX_PENCE, "x") == -MAX_PENCE
    with pytest.raises(MoneyError, match=r"−£10,000,000,000,000\.00"):
        within(-MAX_PENCE - 1, "the total")
