"""A column of amounts as written (text, numbers) read into whole pence, exactly, with what is
wrong with each entry that cannot be read: over whole columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from contractkit._kernel.pence_text import MINUS as MINUS  # money is written with it

if TYPE_CHECKING:  # numpy and polars are imported by the column functions that use them
    import numpy as np
    import polars as pl
    from numpy.typing import NDArray

from contractkit.money._amount import MAX_PENCE, PATTERN, POUND_DIGITS

COLUMN_PROBLEMS = ("", "empty", "not_money", "fraction_of_a_penny", "beyond_maximum")
"""What :func:`pence_column` can find wrong with an entry, by code (0: nothing):
``beyond_maximum`` is an amount beyond :data:`MAX_AMOUNT`."""
_EMPTY, _NOT_MONEY, _FRACTION, _BEYOND = 1, 2, 3, 4
_MAX_POUNDS = MAX_PENCE // 100
"""The most whole pounds an amount has: £9,999,999,999,999."""


_PLAIN = r"^\s*-?[0-9]{1,13}(?:\.[0-9]{1,2})?\s*$"
"""The plain form a machine writes amounts in (``-1234.5``), thirteen digits of pounds at most:
read by a quicker route."""


def _plain_pence(text: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]] | None:
    """A column of plain amounts (and empty cells) as pence; None if any is in another form."""
    import numpy as np
    import polars as pl

    stripped = text.str.strip_chars()
    empty = stripped.is_null() | (stripped == "")
    if not (stripped.str.contains(_PLAIN).fill_null(True) | empty).all():
        return None
    halves = stripped.fill_null("0").str.split_exact(".", 1).struct.unnest()
    whole = halves.get_column("field_0")
    cents = halves.get_column("field_1").fill_null("").str.pad_end(2, "0")
    magnitude = whole.str.strip_chars_start("-").cast(pl.Int64, strict=False).fill_null(
        0
    ) * 100 + cents.cast(pl.Int64, strict=False).fill_null(0)
    negative = whole.str.starts_with("-").fill_null(False)
    pence = pl.select(pl.when(negative).then(-magnitude).otherwise(magnitude)).to_series()
    empty_a = empty.fill_null(True).to_numpy()
    problem = np.where(empty_a, _EMPTY, 0).astype(np.int8)
    return np.where(empty_a, 0, pence.to_numpy()).astype(np.int64), problem


def _whole_pence(values: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """A column of whole numbers of pounds as pence: one beyond the largest amount is refused
    before it is multiplied (never wrapped round in 64 bits)."""
    import numpy as np
    import polars as pl

    problem = np.zeros(values.len(), dtype=np.int8)
    empty = values.is_null().to_numpy()
    if values.dtype in (pl.Int8, pl.Int16, pl.Int32, pl.UInt8, pl.UInt16, pl.UInt32):
        beyond_a = np.zeros(values.len(), dtype=bool)  # none is beyond £9,999,999,999,999
    else:
        beyond = values > _MAX_POUNDS
        if values.dtype.is_signed_integer():
            beyond = beyond | (values < -_MAX_POUNDS)
        beyond_a = beyond.fill_null(False).to_numpy()
    fine = ~(empty | beyond_a)
    pounds = values.filter(pl.Series(fine)).cast(pl.Int64).to_numpy()
    pence = np.zeros(values.len(), dtype=np.int64)
    pence[fine] = pounds * 100
    problem[beyond_a] = _BEYOND
    problem[empty] = _EMPTY
    return pence, problem


def _float_pence(values: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """A column of floating-point pounds as pence: taken to the penny only where it is the
    penny as nearly as the float can say (within a millionth of a penny, or two steps of the
    float's own precision, whichever is more), never rounded from a fraction of a penny."""
    import numpy as np
    import polars as pl

    problem = np.zeros(values.len(), dtype=np.int8)
    x = values.cast(pl.Float64).to_numpy() * 100
    empty = np.isnan(x)
    finite = np.isfinite(x)
    safe = np.where(finite, x, 0.0)
    whole = np.round(safe)
    exact = np.abs(safe - whole) <= np.maximum(1e-6, 2 * np.spacing(np.abs(safe)))
    problem[~exact] = _FRACTION
    problem[np.abs(whole) > MAX_PENCE] = _BEYOND
    problem[~finite] = _NOT_MONEY
    problem[empty] = _EMPTY
    return np.where(problem == 0, whole, 0).astype(np.int64), problem


def pence_column(values: pl.Series) -> tuple[NDArray[np.int64], NDArray[np.int8]]:
    """A column of amounts as whole pence, exactly, over the whole column.

    Returns ``(pence, problem)``: int64 pence (0 where there is a problem) and a code per entry
    into :data:`COLUMN_PROBLEMS` (0 where the amount is fine). Text follows :data:`PATTERN`,
    exactly as :class:`Money` reads it; whole numbers are pounds; floating-point numbers (as a
    spreadsheet or Parquet file may hold them) are taken to the penny only when they are the
    penny as nearly as a float can say (within a millionth of a penny, or, for large amounts,
    two steps of the float's precision). An amount beyond :data:`MAX_AMOUNT` is
    ``beyond_maximum``, in every form.
    """
    import numpy as np
    import polars as pl

    if values.dtype.is_integer():
        return _whole_pence(values)
    if values.dtype.is_float():
        return _float_pence(values)
    size = values.len()
    problem = np.zeros(size, dtype=np.int8)
    text = values.cast(pl.String)
    plain = _plain_pence(text)
    if plain is not None:
        return plain
    parts = text.str.extract_groups(PATTERN).struct.unnest()
    checked = (
        pl.DataFrame({"text": text})
        .hstack(parts)
        .select(
            empty=pl.col("text").is_null() | (pl.col("text").str.strip_chars() == ""),
            fine=(pl.col("whole").is_not_null() | pl.col("fraction").is_not_null())
            & (pl.col("open").is_not_null() == pl.col("close").is_not_null())
            & (
                pl.col("sign").is_not_null().cast(pl.Int8)
                + pl.col("sign2").is_not_null().cast(pl.Int8)
                + pl.col("open").is_not_null().cast(pl.Int8)
                <= 1
            ),
            beyond=pl.col("whole")
            .fill_null("")
            .str.replace_all(",", "")
            .str.strip_chars_start("0")
            .str.len_chars()
            > POUND_DIGITS,
            negative=pl.col("open").is_not_null()
            | pl.coalesce("sign", "sign2").is_in(["-", "\u2212"]),
            whole=pl.col("whole")
            .fill_null("0")
            .str.replace_all(",", "")
            .cast(pl.Int64, strict=False),
            cents=pl.col("fraction")
            .fill_null("")
            .str.slice(0, 2)
            .str.pad_end(2, "0")
            .cast(pl.Int64, strict=False),
            penny=pl.col("fraction").fill_null("").str.slice(2).str.replace_all("0", "") == "",
        )
        .with_columns(fine=pl.col("fine").fill_null(False))
    )
    amount = pl.col("whole").fill_null(0) * 100 + pl.col("cents").fill_null(0)
    pence = (
        checked.select(pl.when(pl.col("negative")).then(-amount).otherwise(amount))
        .to_series()
        .fill_null(0)
        .to_numpy()
    )
    empty = checked.get_column("empty").to_numpy()
    fine = checked.get_column("fine").to_numpy()
    penny = checked.get_column("penny").fill_null(True).to_numpy()
    beyond = checked.get_column("beyond").fill_null(False).to_numpy()
    problem[~fine] = _NOT_MONEY
    problem[fine & ~penny] = _FRACTION
    problem[fine & beyond] = _BEYOND
    problem[empty] = _EMPTY
    return np.where(problem == 0, pence, 0).astype(np.int64), problem
