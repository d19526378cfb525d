"""The ``contractkit`` command: validate contracts, print the JSON Schema, and more."""

from contractkit.cli import (
    _finance,  # noqa: F401 - registers reconcile and assess
    _statement,  # noqa: F401 - registers statement
)
from contractkit.cli._app import app, main

__all__ = ["app", "main"]
