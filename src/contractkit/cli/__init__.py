"""The ``contractkit`` command: validate contracts, print the JSON Schema, and more."""

from contractkit.cli import (
    _payments,  # noqa: F401 - registers statement
    _pooled_funds,  # noqa: F401 - registers reconcile
    _system_plans,  # noqa: F401 - registers assess
)
from contractkit.cli._app import app, main

__all__ = ["app", "main"]
