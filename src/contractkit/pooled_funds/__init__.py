"""Pooled funds reconciled to the penny: a fund's budgets against its spend returns, by line and
by partner, every overspend attributed to the line that caused it and met as the fund's terms
say (underspends, the risk pool, uncommitted allocations, then the partners by their risk share).

The fund itself (its lines, partners and terms) is :class:`contractkit.PooledFund`, read from a
``kind: pooled_fund`` file by :func:`contractkit.load`.
"""

from contractkit._kernel.public import publish
from contractkit.pooled_funds._reconcile import FINDINGS, SOURCES, Reconciliation, reconcile
from contractkit.pooled_funds._spend import SPEND_REASONS, Spend, read_spend

__all__ = [
    "FINDINGS",
    "SOURCES",
    "SPEND_REASONS",
    "Reconciliation",
    "Spend",
    "read_spend",
    "reconcile",
]

publish(__name__, __all__, globals())
