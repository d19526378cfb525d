"""The JSON Schema of each spec kind, for editors' completion and hover help."""

from __future__ import annotations

from typing import Any

from contractkit.errors import ArgumentError
from contractkit.model.kinds import DEFAULT_KIND, KINDS

__all__ = ["json_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: str = DEFAULT_KIND) -> dict[str, Any]:
    """The JSON Schema for a kind of spec, with the model's docstrings as descriptions.

    Point an editor at it with a first line such as
    ``# yaml-language-server: $schema=../../schema/contract.schema.json``.
    """
    if kind not in KINDS:
        raise ArgumentError(f"no kind of spec {kind!r}: use one of {', '.join(KINDS)}")
    model = KINDS[kind]
    schema = model.model_json_schema(mode="validation")
    return {"$schema": DIALECT, **schema}
