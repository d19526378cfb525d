"""The engine's codes as a table's columns: each column's labels gathered from a small list by
each row's code (never a string per row built in Python), several columns in one polars query;
and its numbers, empty where NaN."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

__all__ = ["KEY", "TEXT", "Label", "distinct", "floats", "labelled_table", "labels"]

KEY = pl.String
"""The identifying columns' type (service, provider, kpi, period): plain text, to join on."""
TEXT = pl.Categorical
"""The other text columns' type: words from a small vocabulary (a status, a stage, a KPI's
name). Each distinct text is held once and each row a small code: a quarter of the memory of
plain text. They compare with strings as text does, and become pandas categories."""


def labels(values: Sequence[object], codes: NDArray[Any], dtype: Any = TEXT) -> pl.Series:
    """Each code's label: a gather from the small list of labels, not a string per row built
    in Python."""
    return pl.Series(values=list(values), dtype=dtype).gather(_index(codes))


def _index(codes: NDArray[Any]) -> pl.Series:
    """Codes as a polars index (32-bit, as polars gathers fastest)."""
    return pl.Series(np.asarray(codes).astype(np.uint32, copy=False))


@attrs.frozen
class Label:
    """A column to be labelled (see :func:`labels`): its labels, each row's code and the
    column's type."""

    values: Sequence[object]
    codes: NDArray[Any]
    dtype: Any = TEXT


def labelled_table(columns: Mapping[str, pl.Series | NDArray[Any] | Label]) -> pl.DataFrame:
    """A table from its columns, those to be labelled gathered together in one query, so that
    polars labels several at once (a third of the national evaluation's table is labels over
    three million rows). Columns labelled by the same codes share one index."""
    indexes: dict[int, str] = {}
    index_columns: dict[str, pl.Series] = {}
    gathers = []
    for name, column in columns.items():
        if isinstance(column, Label):
            key = indexes.setdefault(id(column.codes), f"\0{len(indexes)}")
            if key not in index_columns:
                index_columns[key] = _index(column.codes)
            labels = pl.Series(values=list(column.values), dtype=column.dtype)
            gathers.append(pl.lit(labels).gather(pl.col(key)).alias(name))
    labelled = pl.DataFrame(index_columns).select(gathers) if gathers else pl.DataFrame()
    return pl.DataFrame(
        [
            labelled.get_column(name)
            if isinstance(column, Label)
            else column.rename(name)
            if isinstance(column, pl.Series)
            else pl.Series(name, column)
            for name, column in columns.items()
        ]
    )


def distinct(keys: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The distinct keys in order, and each key's place among them, as ``np.unique`` gives
    them with ``return_inverse``; in one pass rather than a sort where the keys span a small
    range (periods: a few hundred values over millions of rows).

        >>> [a.tolist() for a in distinct(np.array([50, 20, 50, 30]))]
        [[20, 30, 50], [2, 0, 2, 1]]
    """
    keys = np.asarray(keys, dtype=np.int64)
    if keys.size == 0:
        return keys, keys
    low, high = int(keys.min()), int(keys.max())
    if high - low > 4 * keys.size + 1_000_000:
        distinct, index = np.unique(keys, return_inverse=True)
        return distinct, index.reshape(-1)
    present = np.zeros(high - low + 1, dtype=bool)
    present[keys - low] = True
    place = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, place[keys - low]


def floats(values: NDArray[np.float64]) -> pl.Series:
    """Numbers, empty (null) where NaN. A column with no NaN shares the array (which nothing
    changes afterwards); one that is all NaN is all null without being copied."""
    empty = np.isnan(values)
    if not empty.any():
        return pl.Series(values=values, dtype=pl.Float64)
    if empty.all():
        return pl.repeat(None, values.size, dtype=pl.Float64, eager=True)
    return pl.Series(values=values, dtype=pl.Float64, nan_to_null=True)
