"""The ``contractkit`` command: validate contracts, print the JSON Schema, and more."""

from contractkit.cli._app import app, main

__all__ = ["app", "main"]
