"""Data frames of any column types as plain columns, so that every cell can be checked.

A frame a user makes can hold anything: pandas object columns mixing dates and text, numbers
and ``'n/a'``, ``None``, ``NaN``, ``pd.NA`` and ``NaT``; nullable, categorical, complex,
time-zone-aware and period columns; polars objects, lists, structs, binaries and decimals. The
checks read plain columns, so each column is made one here, at the boundary:

- numbers, booleans, text, dates and date-times are kept as they are (a date-time with a time
  zone becomes the local date-time in its own zone, 09:00 in London as 09:00);
- anything else becomes text in a defined form: a date as ``2026-04-01``; a date-time as
  ``2026-04-01`` at midnight, else ``2026-04-01T09:30:00``; a number as its shortest form
  (``0.1``, ``1e+20``); a monthly pandas period as ``2026-04``, and one spanning an NHS
  quarter or financial year as ``2026/27 Q1`` or ``2026/27``; bytes as the text they encode;
  ``None``, ``NaN``, ``NA`` and ``NaT`` as an empty cell; anything else as Python writes it
  (``(1+2j)``, ``[1, 2]``), which the checks then reject, naming it.

Text is made once per distinct value where the values can be compared, and once per cell only
where the cells are Python objects already.

    >>> import datetime as dt
    >>> cell_text(dt.datetime(2026, 4, 1)), cell_text(dt.datetime(2026, 4, 1, 9, 30))
    ('2026-04-01', '2026-04-01T09:30:00')
    >>> cell_text(float("nan")), cell_text(0.1), cell_text(3), cell_text(b"ucr-2h")
    (None, '0.1', '3', 'ucr-2h')
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from polars._typing import PolarsDataType

from contractkit.errors import ReturnsError

__all__ = ["cell_text", "from_pandas", "plain_columns"]

_KEPT = frozenset(
    {pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64}
    | {pl.Float32, pl.Float64, pl.Boolean, pl.String, pl.Date}
)
"""The column types kept as they are (with naive date-times)."""
_NONE_TYPES = frozenset({"NAType", "NaTType"})
"""pandas's missing values (``pd.NA``, ``pd.NaT``), known by name, without importing pandas."""


def plain_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every column plain: kept if it is, else as text in the defined forms."""
    changed = {
        name: _plain(frame.get_column(name))
        for name, dtype in frame.schema.items()
        if dtype not in _KEPT and not (isinstance(dtype, pl.Datetime) and dtype.time_zone is None)
    }
    return frame.with_columns(**changed) if changed else frame


def _plain(column: pl.Series) -> pl.Series:
    dtype = column.dtype
    if isinstance(dtype, pl.Datetime):  # with a time zone: its local date-time there
        return column.dt.replace_time_zone(None)
    if dtype.is_float():  # a 16-bit float
        return column.cast(pl.Float64)
    if dtype == pl.Object:  # Python objects: read each one
        return pl.Series(column.name, _each(column.to_list()), dtype=pl.String)
    if dtype == pl.Binary:
        return _per_distinct(column)
    try:
        return pl.select(_text(pl.lit(column), dtype)).to_series().alias(column.name)
    except pl.exceptions.PolarsError:  # a type polars cannot write as text: value by value
        return _per_distinct(column)


def _text(column: pl.Expr, dtype: PolarsDataType) -> pl.Expr:
    """A column of any type (but Object) as text in the defined forms, over the whole column."""
    if isinstance(dtype, pl.Datetime):
        local = column.dt.replace_time_zone(None) if dtype.time_zone else column
        midnight = local.dt.time() == dt.time(0)
        return (
            pl.when(midnight)
            .then(local.dt.to_string("%Y-%m-%d"))
            .otherwise(local.dt.to_string("%Y-%m-%dT%H:%M:%S"))
        )
    if dtype == pl.Date:
        return column.dt.to_string("%Y-%m-%d")
    if isinstance(dtype, pl.Duration):
        return column.dt.to_string()
    if isinstance(dtype, pl.Array):
        return _text(column.arr.to_list(), pl.List(dtype.inner))
    if isinstance(dtype, pl.List):
        inner = column.list.eval(_text(pl.element(), dtype.inner).fill_null("null"))
        return pl.concat_str(pl.lit("["), inner.list.join(", "), pl.lit("]"))
    if isinstance(dtype, pl.Struct):
        parts = [
            pl.concat_str(
                pl.lit(f"{field.name!r}: "),
                _text(column.struct.field(field.name), field.dtype).fill_null("null"),
            )
            for field in dtype.fields
        ]
        inside = pl.concat_str(parts, separator=", ") if parts else pl.lit("")
        return pl.when(column.is_not_null()).then(pl.concat_str(pl.lit("{"), inside, pl.lit("}")))
    if dtype == pl.Binary:
        return column.cast(pl.String, strict=False)
    return column.cast(pl.String)


def _per_distinct(column: pl.Series) -> pl.Series:
    """Text for each distinct value (Python's), given to every cell that holds it."""
    distinct = column.unique(maintain_order=True)
    texts = pl.Series(_each(distinct.to_list()), dtype=pl.String)
    lookup = pl.DataFrame({"value": distinct, "text": texts})
    return (
        column.to_frame("value")
        .join(lookup, on="value", how="left", maintain_order="left", nulls_equal=True)
        .get_column("text")
        .alias(column.name)
    )


def _each(cells: Iterable[object]) -> list[str | None]:
    """Each cell's text, worked out once for each value that can be compared."""
    known: dict[object, str | None] = {}
    out: list[str | None] = []
    for cell in cells:
        try:
            text = known[cell]
        except (KeyError, TypeError):  # new, or a value that cannot be compared (a list)
            text = cell_text(cell)
            if _hashable(cell):
                known[cell] = text
        out.append(text)
    return out


def _hashable(cell: object) -> bool:
    try:
        hash(cell)
    except TypeError:
        return False
    return not (isinstance(cell, float) and math.isnan(cell))


def cell_text(cell: object) -> str | None:
    """One cell as text in the defined forms (None for an empty cell)."""
    if cell is None or type(cell).__name__ in _NONE_TYPES:
        return None
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool | np.bool_):
        return str(bool(cell))
    if isinstance(cell, int | np.integer):
        return str(int(cell))
    if isinstance(cell, float | np.floating):
        return None if math.isnan(cell) else repr(float(cell))
    if isinstance(cell, Decimal):
        return None if cell.is_nan() else str(cell)
    if isinstance(cell, dt.datetime):
        local = cell.replace(tzinfo=None)
        if local.time() == dt.time(0):
            return local.strftime("%Y-%m-%d")
        return local.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, np.datetime64):
        if np.isnat(cell):
            return None
        text = str(np.datetime_as_string(cell, unit="s"))
        return text.removesuffix("T00:00:00")
    if isinstance(cell, bytes | bytearray | memoryview):
        raw = bytes(cell)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return str(raw)
    if _is_period(cell):
        return _period_text(cell)
    try:
        return str(cell)
    except Exception:  # a cell whose str() fails says at least what it is
        return f"<{type(cell).__name__}>"


def _is_period(cell: object) -> bool:
    """A pandas ``Period`` (known by what it has, without importing pandas)."""
    return all(hasattr(cell, name) for name in ("freqstr", "start_time", "end_time", "ordinal"))


def _period_text(period: Any) -> str:
    """A pandas period as a period contractkit reads: a month as ``2026-04``; one spanning an NHS
    quarter or financial year in its form (``2026/27 Q1``, ``2026/27``); a day as its date;
    anything else as pandas writes it (and refused by the checks)."""
    start: dt.date = period.start_time.date()
    end: dt.date = period.end_time.date() + dt.timedelta(days=1)
    months = (end.year - start.year) * 12 + end.month - start.month
    year = start.year if start.month >= 4 else start.year - 1
    fiscal = f"{year}/{(year + 1) % 100:02d}"
    if start.day != 1 or end.day != 1:
        return start.isoformat() if end - start == dt.timedelta(days=1) else str(period)
    if months == 1:
        return f"{start.year}-{start.month:02d}"
    if months == 3 and start.month in (1, 4, 7, 10):
        return f"{fiscal} Q{(start.month - 4) % 12 // 3 + 1}"
    if months == 12 and start.month == 4:
        return fiscal
    return str(period)


# --- pandas ------------------------------------------------------------------------------------


def from_pandas(frame: Any) -> pl.DataFrame:
    """A pandas frame as a polars frame of plain columns, column by column.

    Raises :class:`~contractkit.errors.ReturnsError` for two columns of one name.
    """
    names = [str(name) for name in frame.columns]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ReturnsError(
                f"the data frame has more than one column named {name!r}: give each column "
                "its own name"
            )
        seen.add(name)
    columns = [
        _pandas_column(frame.iloc[:, position]).alias(name) for position, name in enumerate(names)
    ]
    return plain_columns(pl.DataFrame(columns, height=len(frame.index)))


def _pandas_column(column: Any) -> pl.Series:
    """One pandas column as a polars one: converted whole where its type is plain (numbers,
    booleans, text, dates and date-times, nullable or not), else as text per distinct value."""
    dtype = column.dtype
    numpy = isinstance(dtype, np.dtype)
    if type(dtype).__name__ == "CategoricalDtype":
        return _pandas_categorical(column)
    if (numpy and dtype.kind in "biufmMO") or type(dtype).__name__ in _PANDAS_PLAIN:
        converted = _converted(column)
        # An object column is kept whole only as text: polars would make a column of dates
        # and times in several zones one zone's, and objects of several kinds are read each.
        objects = numpy and dtype.kind == "O"
        if converted is not None and (not objects or converted.dtype in (pl.String, pl.Null)):
            return converted
    return _pandas_per_distinct(column)


_PANDAS_PLAIN = frozenset(
    {f"{t}Dtype" for t in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32")}
    | {"UInt64Dtype", "Float32Dtype", "Float64Dtype", "BooleanDtype", "StringDtype"}
    | {"DatetimeTZDtype", "ArrowDtype"}
)
"""pandas's own column types that polars converts as they are."""


def _converted(column: Any) -> pl.Series | None:
    """The column converted by polars, or None where it cannot be (or warns that it would
    convert it as something else, as it does a pandas period)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            converted = pl.from_pandas(column)
        except Exception:  # pyarrow's and polars' errors and warnings for a column they refuse
            return None
    return converted if isinstance(converted, pl.Series) else None


def _pandas_categorical(column: Any) -> pl.Series:
    """A categorical column: each category as text, given to the cells that hold it."""
    return _by_code(_each(list(column.cat.categories)), column.cat.codes)


def _by_code(texts: list[str | None], codes: Any) -> pl.Series:
    """Each cell's text from its code into ``texts`` (-1: empty)."""
    index = np.asarray(codes, dtype=np.int64)
    return pl.Series([*texts, None], dtype=pl.String).gather(np.where(index < 0, len(texts), index))


def _pandas_per_distinct(column: Any) -> pl.Series:
    """Any other column: text per distinct value, or per cell where values cannot be compared."""
    make: Callable[[], tuple[Any, Any]] = column.factorize
    try:
        codes, distinct = make()
    except TypeError:  # cells that cannot be compared (lists, dictionaries)
        return pl.Series(_each(column.tolist()), dtype=pl.String)
    return _by_code(_each(list(distinct)), codes)
