"""The base every spec model shares, and the way validation problems are gathered and located."""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from contractkit._kernel.suggest import closest, did_you_mean
from contractkit.errors import Problem, SpecError
from contractkit.model.issues import (
    Issue,
    IssuesError,
    format_path,
    issues_from_error,
)

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
