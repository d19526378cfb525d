"""The evaluator: fair, staged, explainable verdicts on returns, over whole columns."""

from contractkit._kernel.public import publish
from contractkit.evaluation._engine import evaluate
from contractkit.evaluation._evaluation import COLUMNS, Evaluation
from contractkit.evaluation._explain import Explanation
from contractkit.evaluation.statuses import COUNTED_AS, LEVELS, REPORTING_FAILURES, STATUSES

__all__ = [
    "COLUMNS",
    "COUNTED_AS",
    "LEVELS",
    "REPORTING_FAILURES",
    "STATUSES",
    "Evaluation",
    "Explanation",
    "evaluate",
]

publish(__name__, __all__, globals())
