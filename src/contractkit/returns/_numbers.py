"""The one number grammar of the returns: how text (or a typed column) becomes numbers.

Every numeric field, and every number a ``where`` filter compares, is read here and nowhere else:

- an optional sign, digits, an optional decimal part and an optional exponent (``12``,
  ``-3``, ``74.5``, ``.5``, ``1e3``), with spaces around it ignored;
- thousands separators only in groups of three after a first group of one to three digits
  (``1,234,567``); a comma anywhere else is refused, never deleted: ``74,5`` is a decimal
  comma (write ``74.5``) and ``3,3,3`` is not a number;
- no infinities or not-a-numbers (``inf``, ``nan``, ``Infinity``), written or in a float
  column, where a NaN is an empty cell (as pandas writes a missing value);
- nothing larger in size than :data:`MAXIMUM`.

Each cell is fine, empty, or has a problem (:data:`PROBLEMS`).

    >>> import polars as pl
    >>> values, problems = read_numbers(pl.Series(["1,250", "74,5", " 12 ", "", "inf", "1e16"]))
    >>> values.tolist()
    [1250.0, nan, 12.0, nan, nan, nan]
    >>> [PROBLEMS[p] for p in problems]
    ['', 'not_a_number', '', 'empty', 'not_finite', 'too_large']
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray

__all__ = [
    "EMPTY",
    "MAXIMUM",
    "NOT_A_NUMBER",
    "NOT_FINITE",
    "PROBLEMS",
    "TOO_LARGE",
    "decimal_comma",
    "number",
    "read_numbers",
]

MAXIMUM = 10**15
"""The largest size of number the returns may hold: a thousand million million, far beyond any
count of cases, events or exposure (and well inside 2^53, up to which a float holds every whole
number exactly)."""

PROBLEMS = ("", "empty", "not_a_number", "not_finite", "too_large")
"""What can be wrong with a cell read as a number (the index is the code; 0: a number)."""
EMPTY, NOT_A_NUMBER, NOT_FINITE, TOO_LARGE = 1, 2, 3, 4

_GRAMMAR = (
    r"^[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
)
"""A number as contractkit reads it (after spaces are trimmed)."""
_NON_FINITE = r"(?i)^[+-]?(?:inf|infinity|nan)$"
_DECIMAL_COMMA = r"^[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),[0-9]+$"
"""A number with a decimal comma (and perhaps full stops between thousands: ``1.234,5``)."""


def number(text: pl.Expr) -> pl.Expr:
    """The numbers in a column of text, by the grammar: null where a cell is empty or is not a
    finite number within :data:`MAXIMUM` (for a ``where`` filter, whose rows are kept or
    excluded, not rejected)."""
    value, problem = _parse(text)
    return pl.when(problem == 0).then(value)


def _parse(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """A column of text as (numbers, problem codes), by the grammar, over the whole column."""
    trimmed = text.cast(pl.String).str.strip_chars()
    value = trimmed.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False)
    problem = (
        pl.when(trimmed.is_null() | (trimmed == ""))
        .then(pl.lit(EMPTY, pl.Int8))
        .when(trimmed.str.contains(_GRAMMAR))
        .then(
            pl.when(value.abs() <= MAXIMUM)
            .then(pl.lit(0, pl.Int8))
            .otherwise(pl.lit(TOO_LARGE, pl.Int8))  # 1e400 is written finite: it is too large
        )
        .when(trimmed.str.contains(_NON_FINITE))
        .then(pl.lit(NOT_FINITE, pl.Int8))
        .otherwise(pl.lit(NOT_A_NUMBER, pl.Int8))
    )
    return value, problem


def read_numbers(column: pl.Series) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """A column of any type as numbers: (floats, NaN where a cell is empty or has a problem;
    a code per cell into :data:`PROBLEMS`).

    Integers and floats are taken as they are (a NaN in a float column is empty); text is read
    by the grammar, the plain cells (``12``, ``74.5``) at once and only the rest by the whole
    grammar; anything else (true or false, dates) is not a number.
    """
    dtype = column.dtype
    if dtype.is_integer() or dtype.is_float():
        if dtype not in _NUMPY_READY:
            column = column.cast(pl.Float64)  # exact up to MAXIMUM, and larger is too large
        values = _float_array(column)
        problem = np.zeros(values.size, dtype=np.int8)
        if _all_fine(column):  # the usual typed column: no cell to look at one by one
            return values, problem
        problem[np.abs(values) > MAXIMUM] = TOO_LARGE
        problem[np.isinf(values)] = NOT_FINITE
        problem[np.isnan(values)] = EMPTY
    elif dtype == pl.String:
        trimmed = column.str.strip_chars()
        # Most cells are plain numbers, which a cast reads as the grammar does. A cast reads no
        # comma, so whatever it cannot read (or reads as not finite) goes through the grammar.
        values = _float_array(trimmed.cast(pl.Float64, strict=False))
        problem = np.zeros(values.size, dtype=np.int8)
        problem[np.abs(values) > MAXIMUM] = TOO_LARGE
        rest = np.flatnonzero(~np.isfinite(values))
        if rest.size:
            value, code = _parse(pl.col("text"))
            parsed = pl.DataFrame({"text": trimmed.gather(rest)}).select(
                value.fill_null(np.nan).alias("value"), code.alias("problem")
            )
            values[rest] = parsed.get_column("value").to_numpy()
            problem[rest] = parsed.get_column("problem").to_numpy()
    else:
        empty = column.is_null().to_numpy()
        values = np.full(column.len(), np.nan)
        problem = np.where(empty, EMPTY, NOT_A_NUMBER).astype(np.int8)
    values[problem != 0] = np.nan
    return values, problem


def _all_fine(column: pl.Series) -> bool:
    """Whether a numeric column has no empty, infinite or too large cell (from its statistics)."""
    if column.null_count() or (
        column.dtype.is_float() and (column.is_nan().any() or column.is_infinite().any())
    ):
        return False
    bounds = column.min(), column.max()
    if bounds[0] is None:  # no cells
        return True
    low, high = (float(b) for b in bounds)  # type: ignore[arg-type]  # a numeric column's: numbers
    return low >= -MAXIMUM and high <= MAXIMUM


_NUMPY_READY = frozenset(
    {pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64}
    | {pl.Float32, pl.Float64}
)
"""The numeric types a column is converted from straight into floats."""


def _float_array(series: pl.Series) -> NDArray[np.float64]:
    """A numeric column as a new array of floats (NaN for nulls), converted straight from each
    of its chunks (a file is read in several)."""
    out = np.empty(series.len(), dtype=np.float64)
    position = 0
    for chunk in series.get_chunks():
        out[position : position + chunk.len()] = chunk.to_numpy()  # NaN for nulls
        position += chunk.len()
    return out


def decimal_comma(text: pl.Expr) -> pl.Expr:
    """For a number written with a decimal comma (``74,5``, ``1.234,5``), the same number as
    contractkit reads it (``74.5``, ``1234.5``); null for anything else."""
    trimmed = text.str.strip_chars()
    fixed = trimmed.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return pl.when(trimmed.str.contains(_DECIMAL_COMMA) & ~trimmed.str.contains(_GRAMMAR)).then(
        fixed
    )
