"""The JSON Schema editors use: current, described, and faithful to the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import contractkit
from _support import as_json
from contractkit.spec._yaml import compose

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "schema" / "contract.schema.json"


def test_committed_schema_is_current() -> None:
    current = json.dumps(contractkit.json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert COMMITTED.read_text(encoding="utf-8") == current, (
        "schema/contract.schema.json is stale: run "
        "'contractkit schema --output schema/contract.schema.json'"
    )


def test_every_property_is_described() -> None:
    schema = contractkit.json_schema()
    missing = []
    for name, definition in [("Contract", schema), *schema["$defs"].items()]:
        assert definition.get("description"), f"{name} has no description"
        for key, prop in definition.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{name}.{key}")
    assert missing == []


def test_examples_validate_against_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(contractkit.json_schema())
    for path in sorted((ROOT / "examples").glob("*/contract.yaml")):
        document, problems = compose(path.read_text(encoding="utf-8"))
        assert problems == []
        errors = [e.message for e in validator.iter_errors(as_json(document.data))]
        assert errors == [], path


@pytest.mark.parametrize(
    ("key", "value", "refused", "problem"),
    [
        (
            "titel",
            "x",
            ([], "Additional properties are not allowed ('titel' was unexpected)"),
            "unknown key 'titel'; did you mean 'title'?",
        ),
        (
            "kpis",
            "not a list",
            (["kpis"], "'not a list' is not of type 'array'"),
            "expected a list, got 'not a list'",
        ),
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    ucr_text: str, key: str, value: str, refused: tuple[list[str], str], problem: str
) -> None:
    document, _ = compose(ucr_text)
    data = as_json(document.data)
    data[key] = value
    validator = jsonschema.Draft202012Validator(contractkit.json_schema())
    assert [(list(e.path), e.message) for e in validator.iter_errors(data)] == [refused]
    with pytest.raises(contractkit.SpecError) as caught:
        contractkit.load(data)
    assert [(p.path, p.message) for p in caught.value.problems] == [(key, problem)]


def test_provider_type_appears_only_on_providers() -> None:
    """Structural fairness: nothing but a provider's own record can mention provider type."""
    schema = contractkit.json_schema()
    holders = [
        f"{name}.{key}"
        for name, definition in schema["$defs"].items()
        for key, prop in definition.get("properties", {}).items()
        if "ProviderType" in json.dumps(prop)
    ]
    assert holders == ["Provider.type"]
