"""The base every spec model shares, and the way validation problems are gathered and located."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, ClassVar, Union

import attrs
from pydantic import BaseModel, ConfigDict, ValidationError

from contractkit._suggest import closest, did_you_mean
from contractkit.errors import Problem, SpecError

__all__ = [
    "FORMAT_VERSION",
    "Issue",
    "IssuesError",
    "SpecModel",
    "closest",
    "cross_checked",
    "did_you_mean",
    "format_path",
    "issues_from_error",
    "supported_format",
]

FORMAT_VERSION = 1
"""The version of the spec formats (contract, pooled fund, system plan) this release reads."""


def supported_format(value: Any, kind: str = "") -> Any:
    """The ``contractkit:`` key's value, if this release reads that format."""
    if value != FORMAT_VERSION:
        raise ValueError(
            f"this file is written for {kind + ' ' if kind else ''}format {value!r}; this "
            f"release of contractkit reads format {FORMAT_VERSION} (write 'contractkit: "
            f"{FORMAT_VERSION}')"
        )
    return value


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


class SpecModel(BaseModel):
    """Immutable, strict about unknown keys, and described by its docstrings."""

    def __init__(self, /, **data: Any) -> None:
        """Build a spec from its keys and values; a :class:`~contractkit.errors.SpecError`
        (every problem, each at its path) if they do not make one. Type checkers see each
        model's own typed constructor, which pydantic synthesises from its fields."""
        try:
            super().__init__(**data)
        except ValidationError as error:
            issues = issues_from_error(error, type(self))
            problems = [Problem(message=i.message, path=format_path(i.path)) for i in issues]
            # The problems say everything; chaining pydantic's own report would repeat it.
            raise SpecError(problems) from None

    # Pydantic calls a model's own __init__ for every model it validates nested inside another,
    # unless the __init__ carries the mark its BaseModel.__init__ does. Ours only turns the
    # error of a spec built directly into a SpecError, so it carries the mark: a nested spec is
    # still validated by pydantic's core, its problems gathered with the rest.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]  # pydantic's mark on a function

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            f"{type(self).__name__} is immutable: make a changed copy with "
            f"model_copy(update={{{name!r}: ...}})"
        )

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with some fields changed, validated like any new spec (so a changed copy can
        never hold what the contract format would refuse). ``deep`` is accepted for pydantic's
        signature; immutable specs share their parts safely."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(update or {})
        return type(self)(**data)

    model_config: ClassVar[ConfigDict] = ConfigDict(
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
        defer_build=True,  # each model's validator is built when first used, not on import
        populate_by_name=True,
        coerce_numbers_to_str=True,
        validate_default=False,
    )


# --- turning pydantic's errors into issues -------------------------------------------------

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


def raise_if(issues: Sequence[Issue]) -> None:
    """Raise the issues together, if there are any."""
    if issues:
        raise IssuesError(issues)


Checked = typing.TypeVar("Checked", bound=BaseModel)


def cross_checked(
    cls: type[Checked],
    data: Any,
    handler: Callable[[Any], Checked],
    of_model: Callable[[Checked], list[Issue]],
    of_data: Callable[[Mapping[str, Any]], list[Issue]],
) -> Checked:
    """A spec model's wrap validator: build the model, then check across its sections. Where the
    model cannot be built, the checks across sections still run on what is sound in the data, so
    that one run reports every problem, not only the first layer of them."""
    try:
        model = handler(data)
    except ValidationError as error:
        more = of_data(data) if isinstance(data, Mapping) else []
        if not more:
            raise
        raise IssuesError([*issues_from_error(error, cls), *more]) from None
    issues = of_model(model)
    if issues:
        raise IssuesError(issues)
    return model
