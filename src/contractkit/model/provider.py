"""Who provides and who commissions: providers (with their type, for reporting only)."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import field_validator

from contractkit._kernel.suggest import closest, normalised
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


# Other words for each type, as people write them: refused with the type's own word, since the
# contract format keeps one word per type (so that every report groups providers alike).
# Written in lower case with '_' between words; case, spaces and '-' aside, they match.
SYNONYMS: dict[str, ProviderType] = {
    **dict.fromkeys(
        (
            "charity",
            "charities",
            "voluntary",
            "voluntary_sector",
            "voluntary_organisation",
            "voluntary_and_community",
            "voluntary_and_community_sector",
            "community_organisation",
            "community_group",
            "third_sector",
            "not_for_profit",
            "non_profit",
            "nonprofit",
            "vcs",
            "vcfse",
            "vcse_sector",
        ),
        ProviderType.VCSE,
    ),
    **dict.fromkeys(
        (
            "private",
            "private_sector",
            "private_provider",
            "independent",
            "independent_provider",
            "independent_sector_provider",
            "isp",
            "company",
            "limited_company",
            "ltd",
            "for_profit",
        ),
        ProviderType.INDEPENDENT_SECTOR,
    ),
    **dict.fromkeys(
        (
            "council",
            "local_council",
            "county_council",
            "district_council",
            "borough_council",
            "city_council",
            "unitary_authority",
            "local_government",
        ),
        ProviderType.LOCAL_AUTHORITY,
    ),
    **dict.fromkeys(
        (
            "gp",
            "gps",
            "gp_practice",
            "gp_surgery",
            "general_practice",
            "general_practitioner",
            "pcn",
            "primary_care_network",
            "gp_federation",
        ),
        ProviderType.PRIMARY_CARE,
    ),
    **dict.fromkeys(
        (
            "ft",
            "nhsft",
            "nhs_ft",
            "foundation_trust",
            "nhs_foundation",
        ),
        ProviderType.NHS_FOUNDATION_TRUST,
    ),
    **dict.fromkeys(
        ("trust", "nhs", "nhs_provider", "acute_trust", "community_trust"),
        ProviderType.NHS_TRUST,
    ),
    **dict.fromkeys(
        (
            "cic",
            "community_interest_company",
            "mutual",
            "public_service_mutual",
            "social_business",
        ),
        ProviderType.SOCIAL_ENTERPRISE,
    ),
}
"""Other words for a provider type, each with the type it means."""

_WHAT = {
    ProviderType.NHS_TRUST: "an NHS trust is 'nhs_trust' (a foundation trust is "
    "'nhs_foundation_trust')",
    ProviderType.NHS_FOUNDATION_TRUST: "an NHS foundation trust is 'nhs_foundation_trust'",
    ProviderType.INDEPENDENT_SECTOR: "a private or independent provider is 'independent_sector'",
    ProviderType.VCSE: "a voluntary, community or social enterprise organisation, such as a "
    "charity, is 'vcse'",
    ProviderType.SOCIAL_ENTERPRISE: "a social enterprise, such as a community interest "
    "company, is 'social_enterprise'",
    ProviderType.LOCAL_AUTHORITY: "a council is 'local_authority'",
    ProviderType.PRIMARY_CARE: "a GP practice or primary care network is 'primary_care'",
}


def provider_type_hint(word: str) -> str | None:
    """What to write for another word for a provider type, or None if the word is not one.

    >>> provider_type_hint("Third sector")
    "a voluntary, community or social enterprise organisation, such as a charity, is 'vcse'"
    """
    types = [t.value for t in ProviderType]
    found: str | None = normalised(word)
    if found not in SYNONYMS:
        # Longer words also with a slip of the keyboard ('chairty'); short ones (GP, FT) only
        # as they are, since a slip from them is another short word.
        found = closest(word, [*types, *(s for s in SYNONYMS if len(s) > 4)])
    if found is None or found in types:
        return None
    return _WHAT[SYNONYMS[found]]


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

    @field_validator("type", mode="before")
    @classmethod
    def _one_word_per_type(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in ProviderType.__members__.values():
            hint = provider_type_hint(value)
            if hint is not None:
                raise ValueError(
                    f"{value!r} is not a provider type: {hint} (the types are: "
                    f"{', '.join(t.value for t in ProviderType)})"
                )
        return value
