"""The YAML face of contractkit: load and dump specs with positions, and the JSON Schema."""

from contractkit._kernel.public import publish
from contractkit.spec._load import dump, load, load_text
from contractkit.spec._schema import json_schema

__all__ = ["dump", "json_schema", "load", "load_text"]

publish(__name__, __all__, globals())
