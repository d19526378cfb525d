"""What every explanation of a reconciliation draws on: a variance in words (over, under or on
budget), a risk share in words, the sources that meet an overspend and the columns that say how
much of each was used, and a fund's rows of a table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from contractkit.model import RiskBasis, RiskShare
from contractkit.money import Money

if TYPE_CHECKING:
    from contractkit.pooled_funds._reconcile import Reconciliation

__all__ = ["MET", "SOURCE_WORDS", "USED", "fund_place", "fund_rows", "over", "share_words"]

SOURCE_WORDS = {
    "underspends": "underspends on other lines",
    "risk_pool": "the risk pool",
    "uncommitted": "uncommitted allocations",
}
"""Each source that can meet an overspend before the partners, in words."""
USED = {
    "underspends": "met_by_underspends",
    "risk_pool": "risk_pool_used",
    "uncommitted": "uncommitted_used",
}
"""Each source's column in the funds table: how much of it met overspends across the fund."""
MET = {
    "underspends": "met_by_underspends",
    "risk_pool": "met_by_risk_pool",
    "uncommitted": "met_by_uncommitted",
}
"""Each source's column in the lines table: how much of it met the line's overspend."""


def over(variance: Money, noun: str = "budget") -> str:
    """A variance where positive is over: ``over budget``, ``under budget``, ``on budget``."""
    if variance > 0:
        return f"over {noun}"
    return f"under {noun}" if variance < 0 else f"on {noun}"


def share_words(share: RiskShare) -> str:
    """A risk share in words."""
    if share.basis is RiskBasis.FIXED:
        return "fixed shares: " + ", ".join(f"{p} {q}" for p, q in share.shares.items())
    if share.basis is RiskBasis.COMMISSIONED:
        return "pro rata to the budgets each partner commissions"
    return "pro rata to contribution"


def fund_place(result: Reconciliation, row: int, kind: str) -> int:
    """The fund (its place among those reconciled) of a line's or partner's row."""
    sizes = [len(f.lines) if kind == "line" else len(f.partners) for f in result.terms]
    return int(np.searchsorted(np.cumsum(sizes), row, side="right"))


def fund_rows(result: Reconciliation, table: str, fund: str, many: bool) -> pl.DataFrame:
    """A fund's rows of one of the result's tables (with one fund, the whole table)."""
    frame: pl.DataFrame = getattr(result, table)
    return frame.filter(pl.col("fund") == fund) if many else frame
