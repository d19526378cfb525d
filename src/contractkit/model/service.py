"""Services: what a provider delivers under the contract, from its commencement date."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from contractkit.model._base import SpecModel
from contractkit.model._dates import Day
from contractkit.model._types import AnyPeriod, FrozenMap, Id, OdsCode, PeriodMap, empty_map
from contractkit.units import Quantity

__all__ = ["Outcome", "Service"]


class Service(SpecModel):
    """A service one provider delivers, and the KPIs it is held to."""

    id: Id
    """A short id for the service, such as ``ucr-north``."""
    provider: OdsCode
    """The ODS code of the provider that delivers it."""
    commences: Day
    """The commencement date: the later of the expected date and the day the conditions
    precedent were met. Embedding stages count from it."""
    kpis: Annotated[tuple[Id, ...], Field(min_length=1)]
    """The ids of the KPIs the service is held to."""
    ends: Day | None = None
    """The last day of the service, if it ends before the term does (a merger, a
    decommissioning): later periods are not due."""
    name: str | None = None
    """The service's name, if it has one beyond its id."""
    baselines: FrozenMap[Id, Quantity] = Field(default_factory=empty_map)
    """The service's baseline for each KPI whose threshold is a floor or improvement."""
    trajectories: FrozenMap[Id, PeriodMap[AnyPeriod, Quantity]] = Field(default_factory=empty_map)
    """The service's agreed trajectory for each KPI whose threshold is ``trajectory``: a value per
    assessment period (the last value given holds for later periods)."""


class Outcome(SpecModel):
    """An outcome the contract seeks, and the KPIs that evidence it."""

    id: Id
    """A short id for the outcome."""
    name: str
    """The outcome, in words."""
    kpis: Annotated[tuple[Id, ...], Field(min_length=1)]
    """The KPIs that evidence it."""
    description: str | None = None
    """More about the outcome, if needed."""
