"""The ``contractkit`` command: validate contracts, print the JSON Schema, and more."""

# The commands are listed in --help in the order they are registered: money after the evaluator,
# pooled funds, then system plans, then payments.
# isort: off
from contractkit.cli import _pooled_funds  # noqa: F401 - registers reconcile
from contractkit.cli import _system_plans  # noqa: F401 - registers assess
from contractkit.cli import _payments  # noqa: F401 - registers statement

# isort: on
from contractkit.cli._app import app, main

__all__ = ["app", "main"]
