"""References across a contract: ids given twice, and names of things the contract does not
have (a service's provider and KPIs, the KPIs of its baselines and trajectories, an outcome's
KPIs), each with the valid names in its message. Works on raw data or a built contract."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from contractkit.model._base import Issue, did_you_mean
from contractkit.model._sections import field, ids, items, listing, unknown

__all__ = ["reference_issues"]

_KEYED = (
    ("commissioners", "id"),
    ("providers", "id"),
    ("kpis", "id"),
    ("services", "id"),
    ("outcomes", "id"),
    ("embedding", "stage"),
)
"""Each section whose items are named, and the key that names them."""


def reference_issues(data: object) -> Iterator[Issue]:
    """Duplicate ids and references to things that do not exist."""
    for section, key in _KEYED:
        yield from _given_twice(data, section, key)
    providers = ids(data, "providers")
    kpis = ids(data, "kpis")
    for index, service in enumerate(items(data, "services")):
        yield from _service_references(index, service, providers, kpis)
    for index, outcome in enumerate(items(data, "outcomes")):
        for position, kpi in enumerate(items(outcome, "kpis")):
            if isinstance(kpi, str) and kpis and kpi not in kpis:
                yield Issue(("outcomes", index, "kpis", position), unknown("KPI", kpi, kpis))


def _given_twice(data: object, section: str, key: str) -> Iterator[Issue]:
    """Each item of a section named as an earlier item is."""
    first: dict[str, int] = {}
    for index, item in enumerate(items(data, section)):
        value = field(item, key)
        if not isinstance(value, str):
            continue
        if value in first:
            yield Issue(
                (section, index, key), f"{value!r} is used twice: also {section}[{first[value]}]"
            )
        else:
            first[value] = index


def _service_references(
    index: int, service: Any, providers: Mapping[str, int], kpis: Mapping[str, int]
) -> Iterator[Issue]:
    """A service's provider and KPIs, and the KPIs its baselines and trajectories are for."""
    provider = field(service, "provider")
    if isinstance(provider, str) and providers and provider not in providers:
        yield Issue(("services", index, "provider"), unknown("provider", provider, providers))
    own: dict[str, int] = {}
    for position, kpi in enumerate(items(service, "kpis")):
        if not isinstance(kpi, str):
            continue
        if kpis and kpi not in kpis:
            yield Issue(("services", index, "kpis", position), unknown("KPI", kpi, kpis))
        if kpi in own:
            yield Issue(("services", index, "kpis", position), f"{kpi!r} is listed twice")
        own.setdefault(kpi, position)
    for section in ("baselines", "trajectories"):
        given = field(service, section)
        if not isinstance(given, Mapping):
            continue
        for kpi in given:
            if isinstance(kpi, str) and kpi not in own:
                yield Issue(
                    ("services", index, section, kpi),
                    f"{kpi!r} is not one of this service's KPIs "
                    f"({listing(own)}){did_you_mean(kpi, own)}",
                    at_key=True,
                )
