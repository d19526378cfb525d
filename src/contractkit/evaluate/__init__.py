"""The evaluator: fair, staged, explainable verdicts on returns, over whole columns."""

from contractkit.evaluate._engine import evaluate
from contractkit.evaluate._evaluation import COLUMNS, Evaluation
from contractkit.evaluate._explain import Explanation
from contractkit.evaluate.statuses import LEVELS, STATUSES

__all__ = ["COLUMNS", "LEVELS", "STATUSES", "Evaluation", "Explanation", "evaluate"]
