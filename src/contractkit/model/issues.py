"""Problems found in a spec before they are placed in its file: each an :class:`Issue` (a path
into the spec and a message), several raised together inside a validator as an
:class:`IssuesError`, and pydantic's own validation errors turned into issues at the path where
each belongs, with a suggestion where a name was mistyped. :mod:`contractkit.spec` places each
issue at its file, line and column."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Union

import attrs
from pydantic import BaseModel, ValidationError

from contractkit._kernel.suggest import did_you_mean

__all__ = ["Issue", "IssuesError", "Path", "PathPart", "format_path", "issues_from_error"]


PathPart = str | int
Path = tuple[PathPart, ...]


@attrs.frozen
class Issue:
    """A problem before it is located in a file: the path into the spec, and the message."""

    path: Path
    message: str
    at_key: bool = False
    """Point at the key itself rather than its value (an unknown or duplicate key)."""


class IssuesError(ValueError):
    """Raised inside validators to report several problems, each at its own path.

    Pydantic wraps it in a ValidationError at the validator's location; :func:`issues_from_error`
    unwraps it again, joining the two paths.
    """

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(i.message for i in self.issues))


def format_path(path: Sequence[PathPart]) -> str:
    """``('kpis', 0, 'threshold')`` → ``'kpis[0].threshold'``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_QUOTED = re.compile(r"'([^']*)'")


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes (and containers) an annotation may hold, Annotated and Optional removed."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class found by following ``path`` from ``root`` through fields and containers."""
    current: list[Any] = [root]
    for part in path:
        current = [inner for candidate in current for inner in _inside(candidate, part)]
    return next((candidate for candidate in current if _is_model(candidate)), None)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _inside(annotation: Any, part: PathPart) -> list[Any]:
    """What an annotation holds one step along a path: a model's field (by name or alias), a
    sequence's item (by index) or a mapping's value."""
    if _is_model(annotation):
        if not isinstance(part, str):
            return []
        fields = annotation.model_fields.items()
        matching = [field for name, field in fields if part in (name, field.alias)]
        return [inner for field in matching for inner in _unwrap(field.annotation)]
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (tuple, list, Sequence, typing.Sequence) and isinstance(part, int):
        return _unwrap(args[0]) if args else []
    if origin in (dict, Mapping, typing.Mapping):
        return _unwrap(args[1]) if len(args) == 2 else []
    return []


def _field_names(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _describe_input(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _message(error: Any, root: type[BaseModel]) -> Issue:
    loc: Path = tuple(error["loc"])
    kind = error["type"]
    message = error["msg"]
    given = error.get("input")
    if kind == "missing":
        return Issue(loc[:-1], f"missing required key {loc[-1]!r}")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        model = _model_at(root, loc[:-1])
        hint = did_you_mean(key, _field_names(model)) if model else ""
        if not hint and model:
            hint = "; expected one of: " + ", ".join(_field_names(model))
        return Issue(loc, f"unknown key {key!r}{hint}", at_key=True)
    if kind in ("enum", "literal_error"):
        expected = str(error.get("ctx", {}).get("expected", ""))
        options = _QUOTED.findall(expected) or [
            o.strip() for o in re.split(r",| or ", expected) if o.strip()
        ]
        hint = did_you_mean(str(given), options) if isinstance(given, str) else ""
        return Issue(loc, f"{given!r} is not one of: {', '.join(options)}{hint}")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Issue(loc, f"expected a mapping of keys and values, got {_describe_input(given)}")
    if kind in ("tuple_type", "list_type"):
        return Issue(loc, f"expected a list, got {_describe_input(given)}")
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif message.startswith("Assertion failed, "):
        message = message[len("Assertion failed, ") :]
    else:
        message = message[0].lower() + message[1:]
        if kind not in ("value_error", "assertion_error"):
            message += f" (got {_describe_input(given)})"
    return Issue(loc, message)


def issues_from_error(error: ValidationError, root: type[BaseModel]) -> list[Issue]:
    """Every problem in a ValidationError as an Issue with its full path, nested ones unpacked."""
    issues: list[Issue] = []
    errors = error.errors(include_url=False)
    nested = {tuple(e["loc"][:-1]) for e in errors if len(e["loc"]) > 1}
    for item in errors:
        if item["type"] == "too_short" and any(
            loc[: len(item["loc"])] == tuple(item["loc"]) for loc in nested
        ):
            continue  # "at least 1 item" only because the items themselves have problems
        cause = item.get("ctx", {}).get("error")
        loc: Path = tuple(item["loc"])
        if isinstance(cause, IssuesError):
            issues.extend(
                Issue(loc + issue.path, issue.message, issue.at_key) for issue in cause.issues
            )
        else:
            issues.append(_message(item, root))
    return issues
