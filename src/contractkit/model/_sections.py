"""A contract's sections as the checks across them read them: alike from raw data (a mapping
that did not validate) or from a built model, and the parts of each that are sound on their own.

The checks across sections run on a valid contract, and also on one with problems, so that one
run reports every problem rather than only the first layer of them: what validates on its own
is checked against the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import attrs
from pydantic import BaseModel, ValidationError

from contractkit._kernel.suggest import did_you_mean
from contractkit.model.embedding import ESTABLISHED, Stage, StageMode
from contractkit.model.escalation import EscalationRule
from contractkit.model.kpi import KPI
from contractkit.model.service import Service
from contractkit.model.term import Term
from contractkit.model.threshold import Threshold, parse_threshold

__all__ = ["Parts", "field", "ids", "items", "listing", "sound", "unknown"]

M = TypeVar("M", bound=BaseModel)


def field(obj: object, name: str) -> Any:
    """A key of raw data or a field of a model (None where there is neither)."""
    if isinstance(obj, Mapping):
        return obj.get(name)
    if isinstance(obj, BaseModel):
        return getattr(obj, name, None)
    return None


def items(obj: object, name: str) -> list[Any]:
    """The items of a section that is a list (none where it is anything else)."""
    value = field(obj, name)
    return list(value) if isinstance(value, list | tuple) else []


def ids(obj: object, section: str, key: str = "id") -> dict[str, int]:
    """The ids in a section, each with the index of the first item giving it."""
    seen: dict[str, int] = {}
    for index, item in enumerate(items(obj, section)):
        value = field(item, key)
        if isinstance(value, str) and value not in seen:
            seen[value] = index
    return seen


def listing(known: Iterable[str], limit: int = 12) -> str:
    """Names for a message: a list as given, anything else sorted; the first few of many."""
    names = list(known) if isinstance(known, list) else sorted(known)
    shown = ", ".join(names[:limit]) + (f", … ({len(names)} in all)" if len(names) > limit else "")
    return shown or "none"


def unknown(kind: str, name: str, known: Mapping[str, int] | set[str]) -> str:
    """The message for a name that is not among the known ones of its kind."""
    hint = did_you_mean(name, known)
    return f"unknown {kind} {name!r}{hint} (the {kind}s are: {listing(known)})"


def sound(model: type[M], values: list[Any]) -> tuple[tuple[int, M], ...]:
    """The items that validate on their own as ``model``, with their indexes."""
    found: list[tuple[int, M]] = []
    for index, item in enumerate(values):
        if isinstance(item, model):
            found.append((index, item))
            continue
        try:
            found.append((index, model.model_validate(item)))
        except (ValidationError, ValueError, TypeError):
            continue
    return tuple(found)


@attrs.frozen
class Parts:
    """The sound parts of a contract, each with its index in its section.

    From a valid contract, everything; from one with problems, whatever validates on its own,
    so that the checks across sections still run on those parts.
    """

    term: Term | None
    embedding: tuple[Stage, ...] | None
    """None when some stage is itself faulty (the checks of their order are then skipped)."""
    stage_names: frozenset[str]
    shadow_names: frozenset[str]
    stage_order: list[str]
    kpis: tuple[tuple[int, KPI], ...]
    thresholds: tuple[tuple[int, Threshold], ...]
    """Every threshold that reads, even where its KPI has other problems."""
    services: tuple[tuple[int, Service], ...]
    escalation: tuple[tuple[int, EscalationRule], ...] | None

    @classmethod
    def of(
        cls,
        *,
        term: Term,
        embedding: tuple[Stage, ...],
        stages: tuple[Stage, ...],
        kpis: tuple[KPI, ...],
        services: tuple[Service, ...],
        escalation: tuple[EscalationRule, ...],
    ) -> Parts:
        """The parts of a valid contract (``stages``: its stages, ``established`` alone where
        it gives none)."""
        return cls(
            term=term,
            embedding=embedding,
            stage_names=frozenset(s.stage for s in stages),
            shadow_names=frozenset(s.stage for s in stages if s.mode is StageMode.SHADOW),
            stage_order=[s.stage for s in stages],
            kpis=tuple(enumerate(kpis)),
            thresholds=tuple((i, k.threshold) for i, k in enumerate(kpis)),
            services=tuple(enumerate(services)),
            escalation=tuple(enumerate(escalation)),
        )

    @classmethod
    def salvage(cls, data: Mapping[str, Any]) -> Parts:
        """The parts of raw contract data that are sound on their own."""
        stages = sound(Stage, items(data, "embedding"))
        raw_stages = items(data, "embedding")
        names = {field(s, "stage") for s in raw_stages} if raw_stages else {ESTABLISHED.stage}
        rules = sound(EscalationRule, items(data, "escalation"))
        return cls(
            term=next((t for _, t in sound(Term, [data.get("term")])), None),
            embedding=tuple(s for _, s in stages) if len(stages) == len(raw_stages) else None,
            stage_names=frozenset(n for n in names if isinstance(n, str)),
            shadow_names=frozenset(s.stage for _, s in stages if s.mode is StageMode.SHADOW),
            stage_order=[n for n in dict.fromkeys(names) if isinstance(n, str)],
            kpis=sound(KPI, items(data, "kpis")),
            thresholds=_readable_thresholds(data),
            services=sound(Service, items(data, "services")),
            escalation=rules if len(rules) == len(items(data, "escalation")) else None,
        )


def _readable_thresholds(data: Mapping[str, Any]) -> tuple[tuple[int, Threshold], ...]:
    """Each KPI's threshold that reads, with the KPI's index."""
    thresholds: list[tuple[int, Threshold]] = []
    for index, kpi in enumerate(items(data, "kpis")):
        try:
            thresholds.append((index, parse_threshold(field(kpi, "threshold"))))
        except ValueError:
            continue
    return tuple(thresholds)
