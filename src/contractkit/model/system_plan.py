"""A system plan: each organisation's control total, alliances that combine theirs, and
net-neutral transfers.

An organisation's control total is its planned surplus (positive) or deficit (negative) for the
year. Transfers move planned money between organisations: each transfer's adjustments add up to
exactly zero, so the system's total is unchanged. Organisations in a group (an alliance) are
also judged together, against their combined control total. A tolerance says how far adverse an
organisation, a group or the system may be before it is a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

import attrs
from pydantic import (
    Field,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from contractkit._kernel.pence_text import pence_text
from contractkit.errors import NotFoundError
from contractkit.model._base import (
    Issue,
    SpecModel,
    cross_checked,
    did_you_mean,
    supported_format,
)
from contractkit.model._types import Amount, FrozenMap, Id, money_or_none
from contractkit.money import MAX_AMOUNT, MAX_PENCE, Money
from contractkit.periods import FinancialYear

__all__ = ["Group", "Organisation", "SystemPlan", "Transfer"]


class Organisation(SpecModel):
    """An organisation in the system: an ICB, a trust, a foundation trust."""

    id: Id
    """The organisation's code, such as ``RWA``."""
    name: str
    """The organisation's name."""
    control_total: Money
    """Its planned surplus (positive) or deficit (negative) for the year."""
    tolerance: Amount | None = None
    """How far adverse it may be before it is a finding (the plan's tolerance if not given)."""


class Group(SpecModel):
    """Organisations that combine their control totals (an alliance)."""

    id: Id
    """The group's reference, such as ``acute-alliance``."""
    name: str
    """The group's name."""
    members: Annotated[tuple[Id, ...], Field(min_length=2)]
    """The organisations in it (at least two)."""


class Transfer(SpecModel):
    """Planned money moved between organisations: the adjustments add up to exactly zero."""

    id: Id
    """The transfer's reference."""
    name: str
    """What it is for."""
    adjustments: FrozenMap[Id, Money]
    """Each organisation's change to its control total (positive: it may spend more)."""


class SystemPlan(SpecModel):
    """A system's financial plan for a year: control totals, groups, transfers and the
    tolerance."""

    contractkit: Literal[1] = 1
    """The version of the format: 1."""
    kind: Literal["system_plan"]
    """What the file describes: ``system_plan``."""
    id: Id
    """The plan's reference."""
    title: str
    """What the plan is."""
    year: FinancialYear
    """The financial year it covers."""
    tolerance: Amount
    """How far adverse an organisation, a group or the system may be before it is a finding."""
    organisations: Annotated[tuple[Organisation, ...], Field(min_length=1)]
    """The organisations and their control totals."""
    groups: tuple[Group, ...] = ()
    """Alliances that combine their control totals."""
    transfers: tuple[Transfer, ...] = ()
    """Net-neutral transfers between organisations."""

    @field_validator("contractkit", mode="before")
    @classmethod
    def _supported(cls, value: Any) -> Any:
        return supported_format(value)

    @model_validator(mode="wrap")
    @classmethod
    def _cross_check(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> SystemPlan:
        return cross_checked(
            cls,
            data,
            handler,
            lambda plan: _issues(_Facts.of(plan)),
            lambda raw: _issues(_Facts.salvage(raw)),
        )

    # --- looking things up -------------------------------------------------------------------

    def organisation(self, organisation_id: str) -> Organisation:
        """The organisation with this id."""
        for organisation in self.organisations:
            if organisation.id == organisation_id:
                return organisation
        ids = [o.id for o in self.organisations]
        raise NotFoundError(
            f"no organisation {organisation_id!r}{did_you_mean(organisation_id, ids)}"
        )

    def adjusted(self) -> dict[str, Money]:
        """Each organisation's control total after the transfers."""
        totals = {o.id: o.control_total for o in self.organisations}
        for transfer in self.transfers:
            for organisation, amount in transfer.adjustments.items():
                totals[organisation] += amount
        return totals

    def tolerance_for(self, organisation_id: str) -> Money:
        """An organisation's tolerance (its own, or the plan's)."""
        own = self.organisation(organisation_id).tolerance
        return self.tolerance if own is None else own


@attrs.frozen
class _Facts:
    """What the checks across sections need (None where a value does not read)."""

    organisation_ids: list[str | None]
    groups: list[tuple[str | None, list[str]]]
    transfers: list[tuple[list[str], list[Money | None]]]
    control_totals: list[Money | None]

    @classmethod
    def of(cls, plan: SystemPlan) -> _Facts:
        return cls(
            control_totals=[o.control_total for o in plan.organisations],
            organisation_ids=[o.id for o in plan.organisations],
            groups=[(g.id, list(g.members)) for g in plan.groups],
            transfers=[(list(t.adjustments), list(t.adjustments.values())) for t in plan.transfers],
        )

    @classmethod
    def salvage(cls, data: Mapping[str, Any]) -> _Facts:
        def items(key: str) -> list[Mapping[str, Any]]:
            value = data.get(key)
            if not isinstance(value, list | tuple):
                return []
            return [item if isinstance(item, Mapping) else {} for item in value]

        groups = []
        for group in items("groups"):
            members = group.get("members")
            names = [m for m in members if isinstance(m, str)] if isinstance(members, list) else []
            groups.append((group.get("id") if isinstance(group.get("id"), str) else None, names))
        transfers = []
        for transfer in items("transfers"):
            adjustments = transfer.get("adjustments")
            if isinstance(adjustments, Mapping):
                transfers.append(
                    (
                        [str(k) for k in adjustments],
                        [money_or_none(v) for v in adjustments.values()],
                    )
                )
        return cls(
            control_totals=[money_or_none(o.get("control_total")) for o in items("organisations")],
            organisation_ids=[
                o.get("id") if isinstance(o.get("id"), str) else None
                for o in items("organisations")
            ],
            groups=groups,
            transfers=transfers,
        )


def _issues(facts: _Facts) -> list[Issue]:
    issues: list[Issue] = []
    known = [o for o in facts.organisation_ids if o is not None]
    seen: set[str] = set()
    for index, organisation in enumerate(facts.organisation_ids):
        if organisation is not None and organisation in seen:
            issues.append(Issue(("organisations", index, "id"), f"{organisation!r} appears twice"))
        if organisation is not None:
            seen.add(organisation)
    grouped: dict[str, str] = {}
    for index, (group, members) in enumerate(facts.groups):
        for position, member in enumerate(members):
            if member not in known:
                issues.append(
                    Issue(
                        ("groups", index, "members", position),
                        f"{member!r} is not an organisation in the plan"
                        f"{did_you_mean(member, known)}",
                    )
                )
            elif member in grouped and grouped[member] != group:
                issues.append(
                    Issue(
                        ("groups", index, "members", position),
                        f"{member!r} is already in the group {grouped[member]!r}: an "
                        "organisation combines its control total with one group at most",
                    )
                )
            elif group is not None:
                grouped.setdefault(member, group)
        if len(set(members)) != len(members):
            issues.append(Issue(("groups", index, "members"), "a member is named twice"))
    for index, (organisations, amounts) in enumerate(facts.transfers):
        for organisation in organisations:
            if organisation not in known:
                issues.append(
                    Issue(
                        ("transfers", index, "adjustments", organisation),
                        f"{organisation!r} is not an organisation in the plan"
                        f"{did_you_mean(organisation, known)}",
                        at_key=True,
                    )
                )
        if all(a is not None for a in amounts):
            net = sum(a.pence for a in amounts if a is not None)
            if net != 0:
                issues.append(
                    Issue(
                        ("transfers", index, "adjustments"),
                        f"the adjustments net to {pence_text(net)}, not to zero: a transfer moves "
                        "money between organisations, so what one gains another gives up",
                    )
                )
    return issues + _size_issues(facts)


_LARGEST = f"the largest amount contractkit holds, {MAX_AMOUNT} either way"


def _size_issues(facts: _Facts) -> list[Issue]:
    """Totals the plan's assessment works out that would pass the largest amount: each
    organisation's control total after transfers, each group's and the system's."""
    if any(c is None for c in facts.control_totals) or any(
        a is None for _, amounts in facts.transfers for a in amounts
    ):
        return []  # an amount that does not read is reported on its own
    ids = facts.organisation_ids
    adjusted = [c.pence if c is not None else 0 for c in facts.control_totals]
    for organisations, amounts in facts.transfers:
        for organisation, amount in zip(organisations, amounts, strict=True):
            if organisation in ids and amount is not None:
                adjusted[ids.index(organisation)] += amount.pence
    issues = [
        Issue(
            ("organisations", index, "control_total"),
            f"{ids[index]}'s control total after transfers, {pence_text(total)}, is beyond "
            f"{_LARGEST}",
        )
        for index, total in enumerate(adjusted)
        if abs(total) > MAX_PENCE
    ]
    for index, (group, members) in enumerate(facts.groups):
        total = sum(adjusted[ids.index(m)] for m in members if m in ids)
        if abs(total) > MAX_PENCE:
            issues.append(
                Issue(
                    ("groups", index, "members"),
                    f"the members of {group or 'the group'} have control totals after transfers "
                    f"that add up to {pence_text(total)}, beyond {_LARGEST}: the group's position "
                    "cannot be worked out",
                )
            )
    system = sum(adjusted)
    if abs(system) > MAX_PENCE:
        issues.append(
            Issue(
                ("organisations",),
                f"the control totals add up to {pence_text(system)}, beyond {_LARGEST}: the "
                "system's position cannot be worked out",
            )
        )
    return issues
