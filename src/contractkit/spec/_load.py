"""``load`` and ``dump``: a spec as YAML text, and back."""

from __future__ import annotations

import enum
import io
import os
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, overload

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from contractkit._kernel.suggest import did_you_mean
from contractkit.errors import ArgumentError, Problem, SpecError
from contractkit.model import Contract, PooledFund, SystemPlan
from contractkit.model.issues import Issue, format_path, issues_from_error
from contractkit.model.kinds import DEFAULT_KIND, KINDS
from contractkit.model.origin import Location, remember
from contractkit.periods import FinancialYear, Month, Quarter
from contractkit.spec._yaml import Document, compose, resolve_plain

__all__ = ["dump", "load", "load_text"]

_YAML_SUFFIXES = (".yaml", ".yml")


def _names_a_file(source: str | os.PathLike[str]) -> bool:
    """A path object always; a one-line string ending .yaml/.yml or naming an existing file."""
    if isinstance(source, os.PathLike):
        return True
    if "\n" in source:
        return False
    if source.endswith(_YAML_SUFFIXES):
        return True
    try:
        return Path(source).is_file()
    except (OSError, ValueError):  # too long to be a path, or holding a NUL
        return False


def _described(value: object) -> str:
    """What kind of thing a value is, for a message about the wrong kind of argument."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return f"a {type(value).__name__}"
    if isinstance(value, bytes | bytearray):
        return "bytes (decode them to text first)"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _misuse(message: str) -> SpecError:
    """The error for an argument of the wrong kind: a SpecError (a ValueError) saying what to
    give instead."""
    return SpecError([Problem(message=message)])


def _read(source: str | os.PathLike[str]) -> tuple[str, str | None]:
    """The text of a spec and the file it came from (None for text given directly)."""
    if not _names_a_file(source):
        return str(source), None
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except FileNotFoundError:
        raise SpecError([Problem(message="no such file", file=str(path))]) from None
    except IsADirectoryError:
        raise SpecError([Problem(message="is a folder, not a spec file", file=str(path))]) from None
    except UnicodeDecodeError as error:
        raise SpecError(
            [
                Problem(
                    message=f"not UTF-8 text (byte {error.start}): save the file as UTF-8",
                    file=str(path),
                )
            ]
        ) from None
    except OSError as error:
        raise SpecError([Problem(message=error.strerror or str(error), file=str(path))]) from None


Source = str | os.PathLike[str] | Mapping[str, Any]
"""What a spec is loaded from: the path of a YAML file, YAML text, or a mapping."""


@overload
def load(source: Source, kind: Literal["contract"]) -> Contract: ...
@overload
def load(source: Source, kind: Literal["pooled_fund"]) -> PooledFund: ...
@overload
def load(source: Source, kind: Literal["system_plan"]) -> SystemPlan: ...
@overload
def load(source: Source, kind: None = None) -> Any: ...


def load(source: Source, kind: str | None = None) -> Any:
    """Load a spec from a YAML file, YAML text, or a mapping, and validate it.

    A string naming a file (or ending in ``.yaml``/``.yml``) is read as a file; any other
    string is taken as YAML text. The top-level ``kind:`` chooses what the spec is (a
    ``contract`` when it is absent).

    Every problem is raised together in one :class:`~contractkit.errors.SpecError`, each
    located at its file, line and column.

    ``kind`` (``contract``, ``pooled_fund`` or ``system_plan``) says what the spec must be: a
    spec of another kind is a ``SpecError`` saying what it is, and a type checker knows what
    ``load`` returns::

        >>> contract = load("examples/urgent-community-response/contract.yaml", kind="contract")
        >>> contract.id
        'NEL-UCR-2026'
    """
    if kind is not None and kind not in KINDS:
        raise ArgumentError(f"no kind of spec {kind!r}: use one of {', '.join(KINDS)}")
    spec = _load_any(source)
    if kind is not None and spec.kind != kind:
        file = _named_file(source)
        raise SpecError(
            [Problem(message=f"this is a {spec.kind}, not a {kind}", path="kind", file=file)]
        )
    return spec


def _named_file(source: Source) -> str | None:
    """The file ``source`` names, as given (None for text or a mapping)."""
    if isinstance(source, str | os.PathLike) and _names_a_file(source):
        return os.fspath(source)
    return None


def _load_any(source: Source) -> Any:
    """The spec in ``source``, of whatever kind it says it is."""
    if isinstance(source, Mapping):
        return _validate(dict(source), None)
    if not isinstance(source, str | os.PathLike):
        raise _misuse(
            "load reads a spec from the path of a YAML file, from YAML text, or from a mapping "
            f"of its keys and values; got {_described(source)}"
        )
    text, file = _read(source)
    document, problems = compose(text, file)
    if file is None and isinstance(document.data, str) and "\n" not in text:
        # One line of text that reads as neither a path nor a spec: most likely a path
        # mistyped, or a file that does not exist.
        shown = text.strip() if len(text.strip()) <= 60 else text.strip()[:50] + "…"
        raise _misuse(
            f"no such file, and not the YAML text of a spec: {shown!r}; give the path of a "
            "spec file (contract.yaml), its YAML text, or a mapping"
        )
    return _load_document(document, problems)


def load_text(text: str, file: str | None = None) -> Any:
    """Load a spec from YAML text; ``file`` is only used to name it in problems."""
    return _load_document(*compose(text, file))


def _load_document(document: Document, problems: list[Problem]) -> Any:
    if document.stopped:  # what was read is incomplete: its problems are all there is to say
        raise SpecError(problems)
    return _validate(document.data, document, problems)


def _validate(data: Any, document: Document | None, problems: list[Problem] | None = None) -> Any:
    found = list(problems or [])

    def located(issue: Issue) -> Problem:
        path = format_path(issue.path)
        if document is None:
            return Problem(message=issue.message, path=path)
        return document.problem(
            path, issue.message, document.position(issue.path, at_key=issue.at_key)
        )

    if data is None:
        raise SpecError(
            [*found, located(Issue((), "the file is empty: expected a spec such as a contract"))]
        )
    if not isinstance(data, dict):
        raise SpecError(
            [
                *found,
                located(
                    Issue((), "expected a mapping of keys and values at the top level of the file")
                ),
            ]
        )
    kind = data.get("kind", DEFAULT_KIND)
    model = KINDS.get(kind) if isinstance(kind, str) else None
    if model is None:
        hint = did_you_mean(str(kind), KINDS)
        raise SpecError(
            [
                *found,
                located(
                    Issue(
                        ("kind",),
                        f"unknown kind {kind!r}{hint} (the kinds are: {', '.join(KINDS)})",
                    )
                ),
            ]
        )
    try:
        spec = model.model_validate(data)
    except ValidationError as error:
        refused = document.refused if document is not None else set()
        for issue in issues_from_error(error, model):
            problem = located(issue)
            # A value refused as it was read is reported once, as it was read.
            if (problem.line, problem.column) not in refused:
                found.append(problem)
    if found:
        raise SpecError(_ordered(found))
    if document is not None:
        remember(spec, _locator(document))
    return spec


def _locator(document: Document) -> Callable[[tuple[str | int, ...]], Location | None]:
    def locate_path(path: tuple[str | int, ...]) -> Location | None:
        line, column = document.position(path)
        return Location(document.file, line, column)

    return locate_path


def _ordered(problems: list[Problem]) -> list[Problem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line or 0, p.column or 0))


# --- dump ------------------------------------------------------------------------------------

_FIRST_KEYS = ("contractkit", "kind")


def _plain(value: Any, *, top: bool = False) -> Any:
    """Turn a model dump into values ruamel writes the way a person would."""
    if isinstance(value, Mapping | MappingProxyType):
        out = CommentedMap()
        for key, item in value.items():
            out[_plain_key(key)] = _plain(item)
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_plain(v) for v in value)
        if value and all(isinstance(v, str | int | Decimal) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Month | Quarter | FinancialYear):
        return str(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and (resolve_plain(value) != value or _unsafe_plain(value)):
        return DoubleQuotedScalarString(value)
    return value


def _unsafe_plain(text: str) -> bool:
    """Text that must be double-quoted (with escapes) to read back exactly: control characters,
    and the characters some YAML parsers take as line breaks."""
    return any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in text)


def _plain_key(key: Any) -> Any:
    if isinstance(key, Month | Quarter | FinancialYear | enum.Enum):
        return str(key.value if isinstance(key, enum.Enum) else key)
    return key


def _represent_decimal(representer: Any, value: Decimal) -> Any:
    if value == value.to_integral_value() and value.as_tuple().exponent == 0:
        return representer.represent_scalar("tag:yaml.org,2002:int", f"{value:f}")
    text = f"{value:f}"
    if "." not in text:
        text += ".0"
    return representer.represent_scalar("tag:yaml.org,2002:float", text)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000  # never fold a long value: folding around escapes can change it
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(Decimal, _represent_decimal)
    # Never anchors and aliases (load refuses them): every value is written where it is used.
    yaml.representer.ignore_aliases = lambda *_: True
    yaml.representer.add_representer(
        date, lambda r, d: r.represent_scalar("tag:yaml.org,2002:timestamp", d.isoformat())
    )
    return yaml


def dump(spec: BaseModel) -> str:
    """A spec as YAML text, which :func:`load` reads back into an equal spec.

    Values are written in their short forms (``70%``, ``90 minutes``, ``kpis: [a, b]``) and
    settings left at their defaults are left out.
    """
    if not isinstance(spec, tuple(KINDS.values())):
        kinds = ", ".join(model.__name__ for model in KINDS.values())
        hint = ": load it first with contractkit.load" if isinstance(spec, Mapping | str) else ""
        raise _misuse(f"dump writes a spec ({kinds}) as YAML; got {_described(spec)}{hint}")
    data = spec.model_dump(mode="python", exclude_defaults=True, by_alias=True)
    if "contractkit" in type(spec).model_fields:
        data["contractkit"] = spec.contractkit  # type: ignore[attr-defined]  # checked above
    ordered = {k: data[k] for k in _FIRST_KEYS if k in data}
    ordered.update((k, v) for k, v in data.items() if k not in _FIRST_KEYS)
    plain = _plain(ordered, top=True)
    for key in list(plain)[1:]:
        if isinstance(plain[key], CommentedSeq | CommentedMap):
            plain.yaml_set_comment_before_after_key(key, before="\n")
    stream = io.StringIO()
    _yaml().dump(plain, stream)
    return stream.getvalue()
