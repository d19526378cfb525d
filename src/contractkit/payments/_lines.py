"""The statement's lines and findings as they are worked out: their columns (``LINE_SCHEMA``,
``FINDING_SCHEMA``) and the frames of one element's lines or one kind of finding, made over
whole columns (their words are made by :mod:`contractkit.payments._column_words`).
"""

from __future__ import annotations

from typing import Any

import polars as pl

__all__ = ["FINDING_SCHEMA", "LINE_SCHEMA", "findings", "lines"]

LINE_SCHEMA: dict[str, pl.DataType] = {
    "service": pl.Int64(),
    "month": pl.Int64(),
    "element": pl.String(),
    "reference": pl.String(),
    "quantity": pl.Int64(),
    "amount": pl.Int64(),
    "basis": pl.String(),
}
"""A line as worked out: the service's index, the month (a count of months), the element, what
it refers to, a quantity, the amount in pence and why."""

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "service": pl.Int64(),
    "month": pl.Int64(),
    "amount": pl.Int64(),
    "message": pl.String(),
    "detail": pl.String(),
    "count": pl.Int64(),
}
"""A finding as worked out: what ``detail`` and ``count`` say lets repeated monthly findings of
one kind be reported once."""


def lines(
    service: Any,
    month: Any,
    element: str,
    amount: Any,
    basis: pl.Series,
    *,
    reference: Any = None,
    quantity: Any = None,
) -> pl.DataFrame:
    """Lines of one element, over whole columns."""
    size = len(basis)
    return pl.DataFrame(
        {
            "service": pl.Series(service, dtype=pl.Int64),
            "month": pl.Series(month, dtype=pl.Int64),
            "element": pl.repeat(element, size, eager=True, dtype=pl.String),
            "reference": (
                pl.repeat(reference, size, eager=True, dtype=pl.String)
                if reference is None or isinstance(reference, str)
                else pl.Series(reference, dtype=pl.String)
            ),
            "quantity": (
                pl.repeat(None, size, eager=True, dtype=pl.Int64)
                if quantity is None
                else pl.Series(quantity, dtype=pl.Int64)
            ),
            "amount": pl.Series(amount, dtype=pl.Int64),
            "basis": basis,
        },
        schema=LINE_SCHEMA,
    )


def findings(
    code: str,
    service: Any,
    month: Any,
    message: pl.Series,
    *,
    amount: Any = None,
    detail: Any = "",
    count: Any = 1,
) -> pl.DataFrame:
    """Findings of one kind, over whole columns."""
    size = len(message)

    def column(value: Any, dtype: pl.DataType) -> pl.Series:
        if value is None or isinstance(value, str | int):
            return pl.repeat(value, size, eager=True, dtype=dtype)
        return pl.Series(value, dtype=dtype)

    return pl.DataFrame(
        {
            "code": column(code, pl.String()),
            "service": column(service, pl.Int64()),
            "month": column(month, pl.Int64()),
            "amount": column(amount, pl.Int64()),
            "message": message,
            "detail": column(detail, pl.String()),
            "count": column(count, pl.Int64()),
        },
        schema=FINDING_SCHEMA,
    )
