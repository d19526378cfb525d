"""A mkdocs hook: the reference pages' tables, generated from the code so that they cannot drift.

It replaces these markers in any page:

- ``<!-- contract-reference -->``: one table per model reachable from
  :class:`contractkit.Contract` (each key, whether it is required or its default, its type in
  plain words and its description) and the allowed values of each enum. A field without a
  description fails the build.
- ``<!-- status-catalogue -->``: every status a verdict can have
  (:data:`contractkit.STATUSES`) and the levels of a flag (:data:`contractkit.evaluation.LEVELS`).
- ``<!-- rejection-reasons -->``: every reason a returns row can be rejected
  (:data:`contractkit.returns.REASONS`).
- ``<!-- reporting-failures -->``: how a period's returns can fall short of the reporting
  obligation (:data:`contractkit.evaluation.REPORTING_FAILURES`), and how a period can count
  towards escalation (:data:`contractkit.evaluation.COUNTED_AS`).
- ``<!-- spend-reasons -->`` and ``<!-- fund-findings -->``: every reason a pooled fund's spend
  row can be rejected, and every finding a reconciliation can make; ``<!-- outturn-reasons -->``
  and ``<!-- plan-findings -->`` the same for a system plan's outturn and assessment;
  ``<!-- activity-reasons -->``, ``<!-- claim-reasons -->`` and ``<!-- statement-findings -->``
  the same for a payment statement's activity, outcome claims and findings.
"""

from __future__ import annotations

import ast
import collections.abc
import enum
import inspect
import textwrap
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Any

from annotated_types import Gt, Lt, MinLen
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from pydantic import BaseModel, WithJsonSchema
from pydantic.fields import FieldInfo

from contractkit import STATUSES, Contract, Quantity
from contractkit.evaluation import COUNTED_AS, LEVELS, REPORTING_FAILURES
from contractkit.model import Threshold
from contractkit.model._types import Amount, AnyPeriod, Id, OdsCode, StepName
from contractkit.money import Money
from contractkit.payments import ACTIVITY_REASONS, CLAIM_REASONS, STATEMENT_FINDINGS
from contractkit.pooled_funds import FINDINGS, SPEND_REASONS
from contractkit.returns import REASONS
from contractkit.system_plans import OUTTURN_REASONS, PLAN_FINDINGS

MARKER = "<!-- contract-reference -->"
STATUS_MARKER = "<!-- status-catalogue -->"
REASONS_MARKER = "<!-- rejection-reasons -->"
FAILURES_MARKER = "<!-- reporting-failures -->"
SPEND_MARKER = "<!-- spend-reasons -->"
FINDINGS_MARKER = "<!-- fund-findings -->"
OUTTURN_MARKER = "<!-- outturn-reasons -->"
PLAN_MARKER = "<!-- plan-findings -->"
PAYMENT_MARKERS = {
    "<!-- activity-reasons -->": (ACTIVITY_REASONS, "reason"),
    "<!-- claim-reasons -->": (CLAIM_REASONS, "reason"),
    "<!-- statement-findings -->": (STATEMENT_FINDINGS, "finding"),
}
SHAPES = "writing-a-contract.md#the-five-threshold-shapes"

# Types written in a form of their own, named here in the words the guide uses.
NAMED: dict[object, tuple[str, str]] = {
    Id: ("id", "ids"),
    OdsCode: ("ODS code", "ODS codes"),
    StepName: ("step name", "step names"),
    AnyPeriod: ("period (`2026-07`, `2026/27 Q2` or `2026/27`)", "periods"),
    Threshold: (f"threshold, in one of [the five shapes]({SHAPES})", "thresholds"),
    Quantity: ("quantity (`70%`, `90 minutes`, `12`)", "quantities"),
    Amount: ("amount of money, not negative (`£4,200,000.00`)", "amounts of money"),
    Money: ("amount of money (`£4,200,000.00`)", "amounts of money"),
}
Where = list[tuple[str, type]]
"""The keys (and the models they belong to) under which a model or enum is written."""

PLAIN: dict[object, tuple[str, str]] = {
    str: ("text", "texts"),
    int: ("whole number", "whole numbers"),
    float: ("number", "numbers"),
    Decimal: ("number", "numbers"),
    date: ("date (`YYYY-MM-DD`)", "dates"),
}


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Put the generated tables where the page asks for them."""
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, reference())
    if STATUS_MARKER in markdown:
        markdown = markdown.replace(STATUS_MARKER, status_catalogue())
    if REASONS_MARKER in markdown:
        markdown = markdown.replace(REASONS_MARKER, rejection_reasons())
    if FAILURES_MARKER in markdown:
        markdown = markdown.replace(
            FAILURES_MARKER,
            "\n".join(
                [
                    catalogue(REPORTING_FAILURES, "failure"),
                    "How a period counts for the escalation rules (the `counted_as` column):",
                    "",
                    catalogue(COUNTED_AS, "counted as"),
                ]
            ),
        )
    if SPEND_MARKER in markdown:
        markdown = markdown.replace(SPEND_MARKER, catalogue(SPEND_REASONS, "reason"))
    if FINDINGS_MARKER in markdown:
        markdown = markdown.replace(FINDINGS_MARKER, catalogue(FINDINGS, "finding"))
    if OUTTURN_MARKER in markdown:
        markdown = markdown.replace(OUTTURN_MARKER, catalogue(OUTTURN_REASONS, "reason"))
    if PLAN_MARKER in markdown:
        markdown = markdown.replace(PLAN_MARKER, catalogue(PLAN_FINDINGS, "finding"))
    for marker, (codes, heading) in PAYMENT_MARKERS.items():
        markdown = markdown.replace(marker, catalogue(codes, heading))
    return markdown


def catalogue(codes: dict[str, str], heading: str) -> str:
    """A table of stable codes, each with its one-line description."""
    lines = [f"| {heading} | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {prose(text)} |" for code, text in codes.items()]
    return "\n".join(lines) + "\n"


def status_catalogue() -> str:
    """The statuses of a verdict, then the levels of a flag, as Markdown tables."""
    return "\n".join(
        [
            catalogue(STATUSES, "status"),
            "The levels of an `underperforming` verdict (the `level` column):",
            "",
            catalogue(LEVELS, "level"),
        ]
    )


def rejection_reasons() -> str:
    """Why a returns row can be rejected, as a Markdown table."""
    return catalogue(REASONS, "reason")


def reference() -> str:
    """Every model's table, then every enum's values, as Markdown."""
    models, enums, found_under = reachable(Contract)
    in_schema = set(Contract.model_json_schema()["$defs"]) | {Contract.__name__}
    if {c.__name__ for c in (*models, *enums)} != in_schema:
        raise RuntimeError(f"the reference and the JSON Schema disagree: {sorted(in_schema)}")
    parts = [model_section(m, found_under.get(m, [])) for m in models]
    parts.append("## Allowed values\n")
    parts.extend(enum_section(e) for e in enums)
    return "\n".join(parts)


def reachable(
    root: type[BaseModel],
) -> tuple[list[type[BaseModel]], list[type[enum.Enum]], dict[type, Where]]:
    """The models and enums a contract file can contain, in the order they are first met."""
    models: list[type[BaseModel]] = [root]
    enums: list[type[enum.Enum]] = []
    found_under: dict[type, Where] = {}
    for model in models:  # grows as it goes: a breadth-first walk
        for key, field in model.model_fields.items():
            for kind in leaf_types(field.annotation, field.metadata):
                found_under.setdefault(kind, []).append((field.alias or key, model))
                if issubclass(kind, BaseModel) and kind not in models:
                    models.append(kind)
                elif issubclass(kind, enum.Enum) and kind not in enums:
                    enums.append(kind)
    return models, enums, found_under


def split(annotation: Any, metadata: list[Any] | None = None) -> tuple[Any, list[Any]]:
    """An annotation without ``Annotated``, and all the metadata it carried."""
    extra = list(metadata or [])
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *more = typing.get_args(annotation)
        extra.extend(more)
    flat = [m for item in extra for m in (item.metadata if isinstance(item, FieldInfo) else [item])]
    return annotation, flat


def leaf_types(annotation: Any, metadata: list[Any] | None = None) -> list[type]:
    """The model and enum classes inside an annotation, not looking inside written forms."""
    annotation, metadata = split(annotation, metadata)
    if any(isinstance(m, WithJsonSchema) for m in metadata):
        return []  # written in a form of its own (an id, a threshold): not a mapping of keys
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        return [annotation]
    return [t for arg in typing.get_args(annotation) for t in leaf_types(arg)]


def named(annotation: Any, metadata: list[Any]) -> tuple[str, str] | None:
    """The words for one of the named types, if the annotation is one."""
    for alias, words in NAMED.items():
        base, marks = split(alias)
        if annotation == base and all(m in metadata for m in marks):
            return words
    return None


def words(annotation: Any, metadata: list[Any] | None = None) -> tuple[str, str]:
    """A type in plain words, singular and plural: ``('list of ids, at least one', …)``."""
    annotation, metadata = split(annotation, metadata)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    bounds = [f"above {m.gt}" for m in metadata if isinstance(m, Gt)]
    bounds += [f"below {m.lt}" for m in metadata if isinstance(m, Lt)]
    limits = (" " + " and ".join(bounds)) if bounds else ""
    at_least = next((m.min_length for m in metadata if isinstance(m, MinLen)), 0)
    if (found := named(annotation, metadata)) is not None:
        return found
    if origin in (typing.Union, types.UnionType):
        options = [words(a) for a in args if a is not type(None)]
        if len(options) == 1:
            return options[0]
        return " or ".join(o[0] for o in options), " or ".join(o[1] for o in options)
    if origin is typing.Literal:
        return " or ".join(f"`{a}`" for a in args), "values"
    if origin is tuple:
        item = words(args[0])[1]
        least = {0: "", 1: ", at least one"}.get(at_least, f", at least {at_least}")
        return f"list of {item}{least}", "lists"
    if origin in (dict, collections.abc.Mapping):
        key, value = words(args[0])[0], words(args[1])[0]
        return f"mapping of {key} to {value}", "mappings"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        values = ", ".join(f"`{m.value}`" for m in annotation)
        return f"one of {values} ({link(annotation)})", "values"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"{link(annotation)} mapping", f"{link(annotation)} mappings"
    if annotation in PLAIN:
        singular, plural = PLAIN[annotation]
        return singular + limits, plural + limits
    raise TypeError(f"no plain words for {annotation!r}: add them to docs/hooks/reference.py")


def requirement(field: FieldInfo) -> str:
    """``required``, or what applies when the key is left out."""
    if field.is_required():
        return "**required**"
    default = field.get_default(call_default_factory=True)
    if default is None or default == () or default == {}:
        return "optional"
    if isinstance(default, BaseModel):
        return f"optional (the defaults in {link(type(default))})"
    return f"`{default.value if isinstance(default, enum.Enum) else default}`"


def model_section(model: type[BaseModel], found_under: Where) -> str:
    """A model's heading, its docstring and its table of keys."""
    if not model.__doc__:
        raise ValueError(f"{model.__name__} has no docstring to describe it")
    lines = [f"## {model.__name__} {{#{anchor(model)}}}", "", prose(model.__doc__, "\n\n"), ""]
    where = "; ".join(f"`{key}` in {link(parent)}" for key, parent in found_under)
    lines += [f"Written under: {where or 'the top level of the file'}.", ""]
    lines += ["| key | required or default | type | description |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        if not field.description:
            raise ValueError(f"{model.__name__}.{name} has no description: give it a docstring")
        cells = [
            f"`{field.alias or name}`",
            requirement(field),
            words(field.annotation, field.metadata)[0],
            prose(field.description),
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def enum_section(kind: type[enum.Enum]) -> str:
    """An enum's heading, its docstring and its values with their meanings."""
    docs = member_docs(kind)
    meanings = {m: docs.get(m.name) or getattr(m, "label", "") for m in kind}
    lines = [f"### {kind.__name__} {{#{anchor(kind)}}}", "", prose(kind.__doc__, "\n\n"), ""]
    if not any(meanings.values()):
        return (
            "\n".join([*lines, "Values: " + ", ".join(f"`{m.value}`" for m in kind) + "."]) + "\n"
        )
    lines += ["| value | meaning |", "|---|---|"]
    lines += [f"| `{m.value}` | {prose(meaning)} |" for m, meaning in meanings.items()]
    return "\n".join(lines) + "\n"


def member_docs(kind: type[enum.Enum]) -> dict[str, str]:
    """The docstring under each member of an enum, read from its source."""
    body = ast.parse(textwrap.dedent(inspect.getsource(kind))).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for here, after in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(here, ast.Assign)
            and isinstance(here.targets[0], ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[here.targets[0].id] = after.value.value
    return docs


def prose(text: str | None, between: str = "<br>") -> str:
    """A docstring as Markdown, each paragraph on one line, its reST ``code`` made `code`."""
    paragraphs = inspect.cleandoc(text or "").replace("``", "`").split("\n\n")
    return between.join(" ".join(p.split()) for p in paragraphs)


def anchor(kind: type) -> str:
    """The anchor of a model's or an enum's section."""
    return kind.__name__.lower()


def link(kind: type) -> str:
    """A link to a model's or an enum's section."""
    return f"[{kind.__name__}](#{anchor(kind)})"
