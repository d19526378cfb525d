"""The contract: parties, term, KPIs, services, stages, flags and the escalation policy.

The checks across its sections (references between them, stages, thresholds, services,
escalation and payment terms against the rest) are in :mod:`._contract_checks`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import Field, ValidatorFunctionWrapHandler, field_validator, model_validator

from contractkit.errors import NotFoundError
from contractkit.model._base import Issue, SpecModel, cross_checked, did_you_mean, supported_format
from contractkit.model._contract_checks import issues_across, issues_in_data
from contractkit.model._sections import Parts
from contractkit.model._types import Id
from contractkit.model.embedding import ESTABLISHED, Stage, StageSpan, schedule
from contractkit.model.escalation import EscalationRule, Flags
from contractkit.model.kpi import KPI, describe_kpi
from contractkit.model.payment_terms import Finance
from contractkit.model.provider import Commissioner, Provider
from contractkit.model.reporting import Reporting
from contractkit.model.service import Outcome, Service
from contractkit.model.term import Term

__all__ = ["Contract", "Term"]


T = TypeVar("T")


class Contract(SpecModel):
    """A flexible, outcome-based contract between commissioners and providers."""

    contractkit: Literal[1] = 1
    """The version of the contract format: 1."""
    kind: Literal["contract"] = "contract"
    """What the file describes: a ``contract`` (the default)."""
    id: Id
    """The contract's reference, such as ``NEL-UCR-2026``."""
    title: str
    """What the contract is for."""
    commissioners: Annotated[tuple[Commissioner, ...], Field(min_length=1)]
    """Who commissions the services."""
    term: Term
    """When the contract runs."""
    providers: Annotated[tuple[Provider, ...], Field(min_length=1)]
    """Who delivers the services."""
    embedding: tuple[Stage, ...] = ()
    """The embedding stages, counted from each service's commencement. Without them, every
    service is ``established`` throughout."""
    flags: Flags = Field(default_factory=Flags)
    """The significance levels for ``warning`` and ``alarm`` flags, the same for everyone."""
    kpis: Annotated[tuple[KPI, ...], Field(min_length=1)]
    """What is measured."""
    services: Annotated[tuple[Service, ...], Field(min_length=1)]
    """What each provider delivers, from when, held to which KPIs."""
    outcomes: tuple[Outcome, ...] = ()
    """The outcomes the contract seeks, each evidenced by some of its KPIs."""
    escalation: tuple[EscalationRule, ...] = ()
    """When persistent flags call for each step of the contract-management process."""
    reporting: Reporting = Field(default_factory=Reporting)
    """How a failure to report (a return missing or rejected, a period with only some of its
    returns) counts towards escalation: as a flagged period unless the contract says otherwise."""
    finance: Finance | None = None
    """What each service is paid, and what performance earns or costs: see "Payments"."""

    @field_validator("contractkit", mode="before")
    @classmethod
    def _supported(cls, value: Any) -> Any:
        return supported_format(value, "contract")

    @model_validator(mode="wrap")
    @classmethod
    def _cross_check(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Contract:
        return cross_checked(cls, data, handler, _issues_across, issues_in_data)

    # --- looking things up -------------------------------------------------------------------

    @functools.cached_property
    def _kpis(self) -> dict[str, KPI]:
        return {k.id: k for k in self.kpis}

    @functools.cached_property
    def _services(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}

    @functools.cached_property
    def _providers(self) -> dict[str, Provider]:
        return {p.id: p for p in self.providers}

    def kpi(self, kpi_id: str) -> KPI:
        """The KPI with this id (a KeyError naming the known ids if there is none)."""
        return _lookup(self._kpis, kpi_id, "KPI")

    def service(self, service_id: str) -> Service:
        """The service with this id."""
        return _lookup(self._services, service_id, "service")

    def provider(self, provider_id: str) -> Provider:
        """The provider with this ODS code."""
        return _lookup(self._providers, provider_id, "provider")

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The embedding stages, or the single ``established`` stage if none are given."""
        return self.embedding or (ESTABLISHED,)

    def schedule(self, service: Service | str) -> tuple[StageSpan, ...]:
        """When each stage applies to a service, from its commencement."""
        svc = self.service(service) if isinstance(service, str) else service
        return schedule(self.stages, svc.commences)

    @property
    def steps(self) -> tuple[str, ...]:
        """The escalation steps, least serious first (the order they are first named in)."""
        return tuple(dict.fromkeys(rule.step for rule in self.escalation))

    def kpi_summary(self, kpi: KPI | str) -> str:
        """A KPI in one plain-English sentence, naming the stages it is monitored only in."""
        return describe_kpi(self.kpi(kpi) if isinstance(kpi, str) else kpi, self.stages)

    def __repr__(self) -> str:
        return (
            f"Contract(id={self.id!r}, title={self.title!r}, "
            f"term={self.term.start}..{self.term.end}"
            f", {_count(len(self.providers), 'provider')}, "
            f"{_count(len(self.services), 'service')}, {_count(len(self.kpis), 'KPI')})"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _lookup(index: Mapping[str, T], key: str, noun: str) -> T:
    try:
        return index[key]
    except KeyError:
        raise NotFoundError(f"no {noun} {key!r}{did_you_mean(key, index)}") from None


def _issues_across(contract: Contract) -> list[Issue]:
    """Every problem across the sections of a built contract (see :mod:`._contract_checks`)."""
    parts = Parts.of(
        term=contract.term,
        embedding=contract.embedding,
        stages=contract.stages,
        kpis=contract.kpis,
        services=contract.services,
        escalation=contract.escalation,
    )
    return issues_across(contract, parts)
