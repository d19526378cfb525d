"""What people read: summaries of contracts (and, later, of evaluations)."""

from contractkit.report.summary import ContractSummary, summarise

__all__ = ["ContractSummary", "summarise"]
