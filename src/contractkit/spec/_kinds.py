"""The kinds of spec a file can hold, chosen by its top-level ``kind:`` key."""

from __future__ import annotations

from pydantic import BaseModel

from contractkit.model import Contract, PooledFund, SystemPlan

__all__ = ["DEFAULT_KIND", "KINDS"]

DEFAULT_KIND = "contract"

KINDS: dict[str, type[BaseModel]] = {
    "contract": Contract,
    "pooled_fund": PooledFund,
    "system_plan": SystemPlan,
}
"""Each kind of spec and the model it loads into."""
