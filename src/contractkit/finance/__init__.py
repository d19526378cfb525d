"""Money in practice: pooled funds reconciled to the penny, with every overspend attributed to
the line that caused it; system plans assessed, with no organisation's variance hidden in a
combined total."""

from contractkit.finance._assess import OUTTURN_REASONS, PLAN_FINDINGS, Assessment, assess
from contractkit.finance._reconcile import FINDINGS, SOURCES, Reconciliation, reconcile
from contractkit.finance._spend import SPEND_REASONS, Spend, read_spend

__all__ = [
    "FINDINGS",
    "OUTTURN_REASONS",
    "PLAN_FINDINGS",
    "SOURCES",
    "SPEND_REASONS",
    "Assessment",
    "Reconciliation",
    "Spend",
    "assess",
    "read_spend",
    "reconcile",
]
