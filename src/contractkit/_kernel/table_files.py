"""Reading a returns table from CSV, Excel, Parquet, or a polars or pandas frame.

Whatever the source, the result is one polars frame of plain columns (see
:mod:`contractkit._kernel.frames`) with a ``row`` column saying where each row came from, as a
person would find it: the line of a CSV file where the row starts (the header is line 1; a
quoted value may run over several lines), the row of a spreadsheet (as the spreadsheet numbers
it), or the position in a data frame (from 0, as frames print it). Nothing is dropped on the
way: a blank row is kept (and :func:`blank_rows` finds it), so that it is counted.
"""

from __future__ import annotations

import mmap
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import fastexcel
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.frames import from_pandas, plain_columns
from contractkit._kernel.suggest import did_you_mean
from contractkit.errors import ReturnsError

__all__ = ["ROW", "blank_rows", "read_table"]

ROW = "row"
"""The column that says where each input row came from."""

_CSV = (".csv", ".txt")
_TSV = (".tsv", ".tab")
_EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_PARQUET = (".parquet", ".pq")
_DUPLICATED = re.compile(r"(.*)_duplicated_[0-9]+")
"""How polars renames a CSV's second column of one name."""


def _is_pandas(source: object) -> bool:
    return type(source).__module__.startswith("pandas") and hasattr(source, "columns")


def read_table(source: Any, *, sheet: str | None = None) -> tuple[pl.DataFrame, str]:
    """The rows of a returns source and a name for it (for messages).

    Raises :class:`~contractkit.errors.ReturnsError` for a source that cannot be read as a
    table (missing, unreadable, empty, binary, malformed, two columns of one name), with a
    message a person can act on.
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
    try:
        return _read_file(path, name, sheet), name
    except OSError as error:  # a name too long, no permission, a device that fails
        raise ReturnsError(f"{name}: cannot be read ({error.strerror or error})") from None


def _read_file(path: Path, name: str, sheet: str | None) -> pl.DataFrame:
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
    if suffix in _EXCEL:
        return _excel(path, name, sheet)
    if suffix not in _PARQUET and _old_mac_lines(path):
        raise ReturnsError(
            f"{name}: its lines end with a carriage return alone (an old Mac format), so it "
            "reads as one line: save it as 'CSV (Comma delimited)' or 'CSV UTF-8'"
        )
    try:
        if suffix in _PARQUET:
            return _with_rows(plain_columns(pl.read_parquet(path)), start=0)
        separator = "\t" if suffix in _TSV else ","
        frame = pl.read_csv(
            path,
            infer_schema=False,
            separator=separator,
            encoding="utf8-lossy",
            raise_if_empty=True,
        )
    except (ReturnsError, OSError):
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
    _no_twice(frame.columns, name)
    return _with_rows(frame, lines=_record_lines(path, frame.height))


def _no_twice(columns: list[str], name: str) -> None:
    """Two columns of one name in a CSV file's header (polars renames the second): refused,
    since either could be meant."""
    for column in columns:
        twice = _DUPLICATED.fullmatch(column)
        if twice and twice.group(1) in columns and twice.group(1).strip():
            raise ReturnsError(
                f"{name}: has more than one column named {twice.group(1)!r}: give each column "
                "its own name"
            )


def _record_lines(path: Path, height: int) -> NDArray[np.int64] | None:
    """The line each data row of a CSV file starts on, where that is not simply its position
    after the header (None): after a quoted value holding a line break, or blank lines before
    the header. Worked out over the file's bytes: a line break ends a row only outside quotes,
    that is where the quotes before it are even in number."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b'"') < 0 and data[:1] not in (b"\n", b"\r"):
            return None  # the usual file: each row on its own line
    text = np.fromfile(path, dtype=np.uint8)
    breaks = np.flatnonzero(text == ord("\n"))
    quotes = np.flatnonzero(text == ord('"'))
    ends = np.flatnonzero(np.searchsorted(quotes, breaks) % 2 == 0)  # the breaks that end rows
    # Each row starts on the line after the previous row's end (the first on line 1).
    starts = np.concatenate(([0], breaks[ends] + 1))
    lines = np.concatenate(([1], ends + 2)).astype(np.int64)
    stops = np.concatenate((breaks[ends], [text.size]))
    keep = starts < text.size  # nothing after the last line break is no row
    starts, lines, stops = starts[keep], lines[keep], stops[keep]
    # The reader skips blank lines before the header (and reads later ones as blank rows).
    size = stops - starts
    empty = (size == 0) | ((size == 1) & (text[np.minimum(starts, text.size - 1)] == ord("\r")))
    header = int(np.argmin(empty))
    rows = lines[header + 1 :]
    return rows if rows.size == height else None  # else a file this does not describe


def _excel(path: Path, name: str, sheet: str | None) -> pl.DataFrame:
    """A sheet of a workbook, every row kept (blank ones too) and numbered as the spreadsheet
    numbers it: the header is the first row with anything in it."""
    try:
        workbook = fastexcel.read_excel(path)
        sheets = list(workbook.sheet_names)
        if sheet is not None and sheet not in sheets:
            raise ReturnsError(
                f"{name}: no sheet {sheet!r} in the workbook; the sheets are: "
                f"{', '.join(sheets)}{did_you_mean(sheet, sheets)}"
            )
        cells = workbook.load_sheet(
            sheet if sheet is not None else 0, header_row=None, skip_rows=0, dtypes="string"
        ).to_polars()
    except (ReturnsError, OSError):
        raise
    except Exception as error:  # fastexcel raises its own types for a file it cannot read
        raise ReturnsError(f"{name}: cannot be read as a table ({_reason(error)})") from None
    filled = ~pl.all_horizontal(pl.all().is_null()) if cells.width else pl.lit(False)
    found = cells.select(filled.arg_true().first()).item() if cells.height else None
    if found is None:
        where = f"sheet {sheet!r}" if sheet is not None else "the first sheet"
        raise ReturnsError(f"{name}: {where} is empty: expected a table with a header row")
    header = [
        str(cell).strip() if cell is not None and str(cell).strip() else f"__UNNAMED__{i}"
        for i, cell in enumerate(cells.row(found))
    ]
    twice = [column for column, count in Counter(header).items() if count > 1]
    if twice:
        raise ReturnsError(
            f"{name}: has more than one column named {twice[0]!r}: give each column its own name"
        )
    frame = cells.slice(found + 1).rename(dict(zip(cells.columns, header, strict=True)))
    # A column with neither a header nor anything in it is no column (a formatted margin).
    empty = [
        c
        for c in frame.columns
        if c.startswith("__UNNAMED__") and frame[c].null_count() == frame.height
    ]
    return _with_rows(frame.drop(empty), start=found + 2)


def _old_mac_lines(path: Path) -> bool:
    """Lines ended by a carriage return alone: a text file with CRs and no line feeds."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    return b"\r" in head.rstrip(b"\r") and b"\n" not in head


def _looks_binary(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b"\x00" in head


def _reason(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _with_rows(
    frame: pl.DataFrame, *, start: int = 2, lines: NDArray[np.int64] | None = None
) -> pl.DataFrame:
    if ROW in frame.columns:
        frame = frame.rename({ROW: f"{ROW}_in_file"})
    if frame.width == 0:
        raise ReturnsError("the table has no columns")
    if lines is not None:
        return frame.with_columns(pl.Series(ROW, lines, dtype=pl.Int64)).select(
            ROW, pl.exclude(ROW)
        )
    return frame.with_row_index(ROW, offset=start).with_columns(pl.col(ROW).cast(pl.Int64))


def blank_rows(table: pl.DataFrame) -> NDArray[np.bool_]:
    """Where every cell of a row (but its ``row``) is empty: null, or only spaces.

    Checked a column at a time over the rows still blank, so that a column with no empty cell
    ends the search at once."""
    blank = np.zeros(table.height, dtype=bool)
    columns = [c for c in table.columns if c != ROW]
    # Columns that cannot hold spaces first: a null count tells at once if any row is blank.
    columns.sort(key=lambda c: table.schema[c] == pl.String)
    candidates = np.arange(table.height)
    for name in columns:
        column = table.get_column(name)
        if column.dtype != pl.String and column.null_count() == 0:
            return blank
        if candidates.size < table.height:
            column = column.gather(candidates)
        empty = column.is_null()
        if column.dtype == pl.String:
            empty = empty | (column.str.strip_chars() == "")
        candidates = candidates[empty.fill_null(True).to_numpy()]
        if candidates.size == 0:
            return blank
    if columns:
        blank[candidates] = True
    return blank
