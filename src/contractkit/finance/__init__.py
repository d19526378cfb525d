"""Money in practice: pooled funds reconciled to the penny, with every overspend attributed to
the line that caused it."""

from contractkit.finance._reconcile import FINDINGS, SOURCES, Reconciliation, reconcile
from contractkit.finance._spend import SPEND_REASONS, Spend, read_spend

__all__ = [
    "FINDINGS",
    "SOURCES",
    "SPEND_REASONS",
    "Reconciliation",
    "Spend",
    "read_spend",
    "reconcile",
]
