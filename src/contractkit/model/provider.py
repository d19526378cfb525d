"""Who provides and who commissions: providers (with their type, for reporting only)."""

from __future__ import annotations

import enum

from contractkit.model._base import SpecModel
from contractkit.model._types import OdsCode

__all__ = ["Commissioner", "Provider", "ProviderType"]


class ProviderType(enum.StrEnum):
    """The kind of organisation a provider is.

    Recorded for reporting and the fairness audit only: no threshold, stage, flag level or
    escalation rule can depend on it, and the evaluator never reads it.
    """

    NHS_TRUST = "nhs_trust"
    NHS_FOUNDATION_TRUST = "nhs_foundation_trust"
    INDEPENDENT_SECTOR = "independent_sector"
    VCSE = "vcse"
    SOCIAL_ENTERPRISE = "social_enterprise"
    LOCAL_AUTHORITY = "local_authority"
    PRIMARY_CARE = "primary_care"

    @property
    def label(self) -> str:
        """The type as people write it: 'NHS foundation trust', 'VCSE'."""
        return _LABELS[self]


_LABELS = {
    ProviderType.NHS_TRUST: "NHS trust",
    ProviderType.NHS_FOUNDATION_TRUST: "NHS foundation trust",
    ProviderType.INDEPENDENT_SECTOR: "independent sector",
    ProviderType.VCSE: "VCSE",
    ProviderType.SOCIAL_ENTERPRISE: "social enterprise",
    ProviderType.LOCAL_AUTHORITY: "local authority",
    ProviderType.PRIMARY_CARE: "primary care",
}


class Commissioner(SpecModel):
    """An organisation that commissions the services: an ICB, a council, NHS England."""

    id: OdsCode
    """The commissioner's ODS code, such as ``QMF``."""
    name: str
    """The commissioner's name."""


class Provider(SpecModel):
    """An organisation that delivers one or more of the contract's services."""

    id: OdsCode
    """The provider's ODS code, such as ``RQX``."""
    name: str
    """The provider's name."""
    type: ProviderType
    """What kind of organisation it is. For reporting only: nothing in the contract can depend
    on it."""
