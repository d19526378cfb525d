"""Payment statements from a contract's finance terms: what each provider was due (fixed,
variable for activity, incentives, outcome payments), earned, had deducted for underperformance,
withheld while an escalation step was in force, repaid and retained, and why, line by line.

The terms themselves are the contract's ``finance:`` section (:class:`contractkit.model.Finance`);
the activity and outcome claims are read by :func:`read_activity` and :func:`read_claims`.
"""

from contractkit._kernel.public import publish
from contractkit.payments._activity import (
    ACTIVITY_REASONS,
    CLAIM_REASONS,
    Activity,
    Claims,
    read_activity,
    read_claims,
)
from contractkit.payments._statement import (
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
    "STATEMENT_FINDINGS",
    "Activity",
    "Claims",
    "Statement",
    "read_activity",
    "read_claims",
    "statement",
]

publish(__name__, __all__, globals())
