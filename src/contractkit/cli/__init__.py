"""The ``contractkit`` command: validate contracts, print the JSON Schema, and more."""

from contractkit.cli import _reconcile  # noqa: F401 - registers the reconcile command
from contractkit.cli._app import app, main

__all__ = ["app", "main"]
