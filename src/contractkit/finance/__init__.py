"""The old home of pooled funds, system plans and payment statements, kept for one release.

``contractkit.finance`` held three things that now live apart: :mod:`contractkit.pooled_funds`
(reconcile), :mod:`contractkit.system_plans` (assess) and :mod:`contractkit.payments`
(statement). Each name imported from here still works, with a :class:`DeprecationWarning` saying
where it lives now; the top-level names (``contractkit.reconcile`` and the rest) are unchanged.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

_MOVED = {
    **dict.fromkeys(
        ("FINDINGS", "SOURCES", "SPEND_REASONS", "Reconciliation", "Spend", "read_spend"),
        "contractkit.pooled_funds",
    ),
    "reconcile": "contractkit.pooled_funds",
    **dict.fromkeys(
        ("OUTTURN_REASONS", "PLAN_FINDINGS", "Assessment", "assess"), "contractkit.system_plans"
    ),
    **dict.fromkeys(
        (
            "ACTIVITY_REASONS",
            "CATEGORIES",
            "CLAIM_REASONS",
            "ELEMENTS",
            "STATEMENT_FINDINGS",
            "Statement",
            "read_activity",
            "read_claims",
            "statement",
        ),
        "contractkit.payments",
    ),
}


def __getattr__(name: str) -> Any:
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module 'contractkit.finance' has no attribute {name!r}")
    warnings.warn(
        f"contractkit.finance.{name} has moved to {home}.{name}; contractkit.finance will be "
        "removed in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(home), name)
