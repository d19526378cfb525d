"""Reading a returns table from CSV, Excel, Parquet, or a polars or pandas frame.

Whatever the source, the result is one polars frame of plain columns (see
:mod:`contractkit.returns._frames`) with a ``row`` column saying where each row came from, as a
person would find it: the line of a CSV file or the row of a spreadsheet (the header is line/row
1), or the position in a data frame (from 0, as frames print it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from contractkit.errors import ReturnsError
from contractkit.returns._frames import from_pandas, plain_columns

__all__ = ["ROW", "read_table"]

ROW = "row"
"""The column that says where each input row came from."""

_CSV = (".csv", ".txt")
_TSV = (".tsv", ".tab")
_EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_PARQUET = (".parquet", ".pq")


def _is_pandas(source: object) -> bool:
    return type(source).__module__.startswith("pandas") and hasattr(source, "columns")


def read_table(source: Any, *, sheet: str | None = None) -> tuple[pl.DataFrame, str]:
    """The rows of a returns source and a name for it (for messages).

    Raises :class:`~contractkit.errors.ReturnsError` for a source that cannot be read as a
    table (missing, empty, binary, malformed, two columns of one name), with a message a person
    can act on.
    """
    if isinstance(source, pl.LazyFrame):
        try:
            source = source.collect()
        except pl.exceptions.PolarsError as error:
            raise ReturnsError(f"the lazy frame cannot be collected ({_reason(error)})") from None
    if isinstance(source, pl.DataFrame):
        return _with_rows(plain_columns(source), start=0), "the data frame"
    if _is_pandas(source):
        return _with_rows(from_pandas(source), start=0), "the data frame"
    if not isinstance(source, str | os.PathLike):
        raise ReturnsError(
            f"cannot read returns from a {type(source).__name__}: give a file path (CSV, Excel, "
            "Parquet) or a polars or pandas data frame"
        )
    path = Path(source)
    name = str(path)
    if not path.exists():
        raise ReturnsError(f"{name}: no such file")
    if path.is_dir():
        raise ReturnsError(f"{name}: is a folder, not a returns file")
    if path.stat().st_size == 0:
        raise ReturnsError(f"{name}: the file is empty: expected a table with a header row")
    suffix = path.suffix.lower()
    if suffix not in _PARQUET + _EXCEL and _looks_binary(path):
        raise ReturnsError(
            f"{name}: is not a text table (it looks like a binary file: a spreadsheet saved "
            "under a .csv name?)"
        )
    try:
        if suffix in _PARQUET:
            frame = plain_columns(pl.read_parquet(path))
            return _with_rows(frame, start=0), name
        if suffix in _EXCEL:
            frame = pl.read_excel(path, sheet_name=sheet, infer_schema_length=0)
            return _with_rows(frame, start=2), name
        separator = "\t" if suffix in _TSV else ","
        frame = pl.read_csv(
            path,
            infer_schema=False,
            separator=separator,
            encoding="utf8-lossy",
            raise_if_empty=True,
        )
    except ReturnsError:
        raise
    except Exception as error:  # each reader raises its own types for a file it cannot read
        raise ReturnsError(f"{name}: cannot be read as a table ({_reason(error)})") from None
    if frame.width == 1 and frame.height > 0 and suffix not in _TSV:
        only = frame.columns[0]
        if ";" in only or "\t" in only:
            raise ReturnsError(
                f"{name}: has a single column {only!r}: is it separated by ';' or tabs rather "
                "than commas? Save it as comma-separated (CSV)"
            )
    return _with_rows(frame, start=2), name


def _looks_binary(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b"\x00" in head


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _with_rows(frame: pl.DataFrame, *, start: int) -> pl.DataFrame:
    if ROW in frame.columns:
        frame = frame.rename({ROW: f"{ROW}_in_file"})
    if frame.width == 0:
        raise ReturnsError("the table has no columns")
    return frame.with_row_index(ROW, offset=start).with_columns(pl.col(ROW).cast(pl.Int64))
