"""Money in tables: exact decimal columns of pounds, and rows for JSON."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from contractkit.money import Money

__all__ = ["POUNDS", "pounds", "records"]

POUNDS = pl.Decimal(38, 2)
"""Amounts in the tables: exact pounds and pence."""


def pounds(pence: Sequence[int | None]) -> pl.Series:
    """Whole pence (None: empty) as an exact decimal column of pounds."""
    return pl.Series(
        [None if p is None else Money.from_pence(p).amount for p in pence], dtype=POUNDS
    )


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for JSON: exact decimals as text (never floating-point numbers)."""
    return [
        {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
        for row in frame.to_dicts()
    ]
