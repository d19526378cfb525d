"""Money in practice: pooled funds reconciled to the penny, with every overspend attributed to
the line that caused it; system plans assessed, with no organisation's variance hidden in a
combined total; and payment statements drawn from a contract's finance section."""

from contractkit.finance._activity import (
    ACTIVITY_REASONS,
    CLAIM_REASONS,
    read_activity,
    read_claims,
)
from contractkit.finance._assess import OUTTURN_REASONS, PLAN_FINDINGS, Assessment, assess
from contractkit.finance._reconcile import FINDINGS, SOURCES, Reconciliation, reconcile
from contractkit.finance._spend import SPEND_REASONS, Spend, read_spend
from contractkit.finance._statement import (
    CATEGORIES,
    ELEMENTS,
    STATEMENT_FINDINGS,
    Statement,
    statement,
)

__all__ = [
    "ACTIVITY_REASONS",
    "CATEGORIES",
    "CLAIM_REASONS",
    "ELEMENTS",
    "FINDINGS",
    "OUTTURN_REASONS",
    "PLAN_FINDINGS",
    "SOURCES",
    "SPEND_REASONS",
    "STATEMENT_FINDINGS",
    "Assessment",
    "Reconciliation",
    "Spend",
    "Statement",
    "assess",
    "read_activity",
    "read_claims",
    "read_spend",
    "reconcile",
    "statement",
]
