"""What an assessment finds, and the findings table: each organisation with no return, adverse
to its control total beyond tolerance (and whether its group or the system, on plan, hides it)
or below break-even; each group adverse to its combined control total beyond the plan's
tolerance; and the system adverse to the sum of its control totals. Every finding with its
stable code, its organisation or group, its amount and a message in words.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import polars as pl

from contractkit._kernel.money_tables import POUNDS, pounds
from contractkit.model import SystemPlan
from contractkit.money import Money
from contractkit.system_plans._positions import GroupPosition, OrganisationPositions

__all__ = ["PLAN_FINDINGS", "plan_findings"]

PLAN_FINDINGS: dict[str, str] = {
    "adverse_to_control_total": "an organisation's outturn is adverse to its control total "
    "beyond tolerance",
    "hidden_variance": "an organisation is adverse beyond tolerance while its group or the system "
    "is on plan",
    "below_break_even": "an organisation's outturn is a deficit: it does not break even",
    "group_adverse": "a group's combined outturn is adverse to its combined control total beyond "
    "tolerance",
    "system_adverse": "the system's outturn is adverse to the sum of its control totals beyond "
    "tolerance",
    "no_return": "an organisation has no outturn return to date",
}
"""What an assessment can find: stable codes, each with a one-line description."""


@attrs.frozen
class _Finding:
    code: str
    organisation: str | None
    group: str | None
    amount: int
    """In pence."""
    message: str


def _m(pence: int) -> Money:
    return Money.from_pence(pence)


def plan_findings(
    plan: SystemPlan,
    o: OrganisationPositions,
    groups: Sequence[GroupPosition],
    system_variance: int,
) -> pl.DataFrame:
    """The findings: each organisation's in the plan's order (no return, adverse, hidden,
    below break-even), then each adverse group's, then the system's."""
    tolerance = plan.tolerance.pence
    group_ok = {g.group.id: g.variance >= -tolerance for g in groups}
    system_ok = system_variance >= -tolerance
    found: list[_Finding] = []
    for i in range(len(o.ids)):
        found += _organisation_findings(plan, o, i, group_ok, system_ok)
    for g in groups:
        if not group_ok[g.group.id]:
            found.append(
                _Finding(
                    "group_adverse",
                    None,
                    g.group.id,
                    -g.variance,
                    f"{g.group.name} ({g.group.id}) is {_m(-g.variance)} adverse to its "
                    f"combined control total of {_m(g.control)}",
                )
            )
    if not system_ok:
        found.append(
            _Finding(
                "system_adverse",
                None,
                None,
                -system_variance,
                f"the system is {_m(-system_variance)} adverse to the sum of its control totals",
            )
        )
    return _table(found)


def _organisation_findings(
    plan: SystemPlan,
    o: OrganisationPositions,
    i: int,
    group_ok: dict[str, bool],
    system_ok: bool,
) -> list[_Finding]:
    """The findings of the organisation at place ``i``: no return, adverse (and hidden), below
    break-even."""
    org, group = o.ids[i], o.group[i]
    name = plan.organisations[i].name
    variance, outturn, tolerance = o.variance[i], o.outturn[i], o.tolerance[i]
    found = []
    if o.basis[i].startswith("plan"):
        found.append(
            _Finding(
                "no_return",
                org,
                None,
                0,
                f"{name} ({org}) has made no outturn return: taken to be on plan",
            )
        )
    if variance < -tolerance:
        found.append(
            _Finding(
                "adverse_to_control_total",
                org,
                group,
                -variance,
                f"{name} ({org}) is {_m(-variance)} adverse to its control total of "
                f"{_m(outturn - variance)} (tolerance {_m(tolerance)})",
            )
        )
        hiding = ([f"its group {group}"] if group is not None and group_ok[group] else []) + (
            ["the system"] if system_ok else []
        )
        if hiding:
            found.append(
                _Finding(
                    "hidden_variance",
                    org,
                    group,
                    -variance,
                    f"{name} ({org}) is {_m(-variance)} adverse while "
                    f"{' and '.join(hiding)} {'is' if len(hiding) == 1 else 'are'} on plan: "
                    "the combined total hides it",
                )
            )
    if outturn < 0:
        found.append(
            _Finding(
                "below_break_even",
                org,
                group,
                -outturn,
                f"{name} ({org}) has an outturn deficit of {_m(-outturn)}: it does not break even",
            )
        )
    return found


def _table(found: Sequence[_Finding]) -> pl.DataFrame:
    """The findings as a table."""
    return pl.DataFrame(
        {
            "code": [f.code for f in found],
            "organisation": [f.organisation for f in found],
            "group": [f.group for f in found],
            "amount": pounds([f.amount for f in found]),
            "message": [f.message for f in found],
        },
        schema_overrides={
            "code": pl.String,
            "organisation": pl.String,
            "group": pl.String,
            "amount": POUNDS,
            "message": pl.String,
        },
    )
