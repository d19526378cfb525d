"""The statement's words over whole columns, each distinct value written out once.

A statement can have hundreds of thousands of lines, each with a sentence saying why. The
sentences are put together over whole columns: each distinct figure (an amount, a count) is
written out once, in Python, and the column of them is looked up from those; texts per service
or per rule are looked up by index; the parts are joined row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from contractkit._kernel.arrays import Ints
from contractkit.money import Money

__all__ = ["counts", "join", "money", "month_text", "month_texts", "months", "per", "words"]


def month_text(index: int) -> str:
    """A month count as ``2026-07``."""
    return f"{index // 12}-{index % 12 + 1:02d}"


def month_texts(column: pl.Expr) -> pl.Expr:
    """A column of month counts as ``2026-07`` text, over the whole column."""
    return pl.format(
        "{}-{}",
        (column // 12).cast(pl.String),
        (column % 12 + 1).cast(pl.String).str.zfill(2),
    )


def join(*parts: pl.Series | str) -> pl.Series:
    """Texts put together row by row (a ``str`` part is the same on every row)."""
    return pl.select(
        pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])
    ).to_series()


def months(index: Any) -> pl.Series:
    """Month counts as ``2026-07`` texts."""
    return pl.select(month_texts(pl.lit(pl.Series(index, dtype=pl.Int64)))).to_series()


def words(values: Any, write: Callable[[Any], str]) -> pl.Series:
    """Each value written out, each distinct value once."""
    series = pl.Series(values)
    distinct = series.unique().drop_nulls().to_list()
    return series.replace_strict(
        {v: write(v) for v in distinct}, default=None, return_dtype=pl.String
    )


def money(pence: Any) -> pl.Series:
    """Amounts in pence as ``£1,234.56`` (``−£5.00`` below nothing)."""
    return words(pence, lambda p: Money.from_pence(int(p)).format())


def counts(values: Any) -> pl.Series:
    """Whole numbers with thousands separators: ``1,234``."""
    return words(values, lambda n: f"{int(n):,}")


def per(index: Ints, texts: Sequence[str | None]) -> pl.Series:
    """A text per row, looked up by an index into ``texts``."""
    return pl.Series(list(texts), dtype=pl.String).gather(pl.Series(index, dtype=pl.Int64))
