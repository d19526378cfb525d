"""Where each organisation and each group stands against the plan, from the outturn returns
accepted: each organisation's control total before and after transfers, its plan to date (the
control total after transfers spread evenly over the months, to the penny), its actual to date,
its outturn and where it came from, its variance and tolerance; each group's combined control
total, outturn and variance, and each member's part in it. Every figure is checked to be within
the largest amount, or the assessment is refused naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs
import numpy as np

from contractkit._kernel.pence_sums import within
from contractkit._kernel.year_months import latest
from contractkit.model import Group, SystemPlan
from contractkit.money import Money, allocate
from contractkit.system_plans._outturn_returns import OutturnRows

__all__ = [
    "GroupPosition",
    "OrganisationPositions",
    "group_positions",
    "group_shares",
    "organisation_positions",
]


@attrs.frozen
class OrganisationPositions:
    """Per organisation, in the plan's order, in pence: where it stands."""

    ids: list[str]
    group: list[str | None]
    """The group it combines with (``None``: none)."""
    original: list[int]
    """Its control total as written."""
    control: list[int]
    """Its control total after transfers."""
    plan_to_date: list[int]
    actual: list[int | None]
    """Its actual to date (``None``: no return)."""
    variance_to_date: list[int | None]
    """Its actual to date less its plan to date (``None``: no return)."""
    forecast: list[int | None]
    """Its latest forecast (``None``: none given)."""
    outturn: list[int]
    basis: list[str]
    """Where its outturn came from: ``forecast``, ``actual``, ``actual and plan`` or ``plan (no
    return)``."""
    variance: list[int]
    """Its outturn less its control total after transfers (negative: adverse)."""
    tolerance: list[int]


@attrs.frozen
class GroupPosition:
    """Where a group stands, in pence: its members (by place in the plan), their combined
    control total after transfers and their combined outturn."""

    group: Group
    members: list[int]
    control: int
    outturn: int

    @property
    def variance(self) -> int:
        return self.outturn - self.control


def organisation_positions(
    plan: SystemPlan, rows: OutturnRows, through: int
) -> OrganisationPositions:
    """Each organisation's position to the month ``through`` (April is 0)."""
    n = len(plan.organisations)
    adjusted = plan.adjusted()
    ids = [o.id for o in plan.organisations]
    control = [adjusted[i].pence for i in ids]
    plan_to_date = [
        sum(m.pence for m in allocate(Money.from_pence(c), [1] * 12)[: through + 1])
        for c in control
    ]
    actual = _actual_to_date(n, rows)
    forecast = latest(n, rows.organisation, rows.first, rows.forecast, rows.has_forecast)
    outturn, basis = _outturns(actual, forecast, control, plan_to_date, through)
    group_of = {m: g.id for g in plan.groups for m in g.members}
    positions = OrganisationPositions(
        ids=ids,
        group=[group_of.get(o) for o in ids],
        original=[o.control_total.pence for o in plan.organisations],
        control=control,
        plan_to_date=plan_to_date,
        actual=actual,
        variance_to_date=[
            None if a is None else a - p for a, p in zip(actual, plan_to_date, strict=True)
        ],
        forecast=forecast,
        outturn=outturn,
        basis=basis,
        variance=[o - c for o, c in zip(outturn, control, strict=True)],
        tolerance=[plan.tolerance_for(i).pence for i in ids],
    )
    for i, organisation in enumerate(ids):
        for figure, pence in (
            ("actual to date", positions.actual[i]),
            ("variance to date", positions.variance_to_date[i]),
            ("outturn", positions.outturn[i]),
            ("variance", positions.variance[i]),
        ):
            if pence is not None:
                within(pence, f"organisation {organisation}'s {figure}")
    return positions


def _actual_to_date(n: int, rows: OutturnRows) -> list[int | None]:
    """Each organisation's actual to date: its year to date at its latest return, or its
    periods' actuals added up (``None``: no return)."""
    actual: list[int | None] = [None] * n
    if rows.actual is not None:
        totals = np.zeros(n, dtype=np.int64)
        np.add.at(totals, rows.organisation, rows.actual)
        seen = np.zeros(n, dtype=bool)
        seen[rows.organisation] = True
        actual = [int(t) if s else None for t, s in zip(totals, seen, strict=True)]
    if rows.ytd is not None:  # the year to date at each organisation's latest return
        everything = np.ones(rows.organisation.size, dtype=bool)
        actual = latest(n, rows.organisation, rows.first, rows.ytd, everything)
    return actual


def _outturns(
    actual: Sequence[int | None],
    forecast: Sequence[int | None],
    control: Sequence[int],
    plan_to_date: Sequence[int],
    through: int,
) -> tuple[list[int], list[str]]:
    """Each organisation's outturn and where it came from: its latest forecast; at the year
    end, its actual; before then, its actual to date plus its plan for the rest of the year;
    with no return, its control total."""
    outturn: list[int] = []
    basis: list[str] = []
    for f, a, c, p in zip(forecast, actual, control, plan_to_date, strict=True):
        if f is not None:
            outturn.append(f)
            basis.append("forecast")
        elif a is not None and through == 11:
            outturn.append(a)
            basis.append("actual")
        elif a is not None:
            outturn.append(a + c - p)
            basis.append("actual and plan")
        else:
            outturn.append(c)
            basis.append("plan (no return)")
    return outturn, basis


def group_positions(plan: SystemPlan, o: OrganisationPositions) -> list[GroupPosition]:
    """Each group's position: its members' control totals and outturns combined."""
    index = {organisation: i for i, organisation in enumerate(o.ids)}
    groups = []
    for group in plan.groups:
        members = [index[m] for m in group.members]
        position = GroupPosition(
            group=group,
            members=members,
            control=sum(o.control[i] for i in members),
            outturn=sum(o.outturn[i] for i in members),
        )
        for figure, pence in (
            ("control total", position.control),
            ("outturn", position.outturn),
            ("variance", position.variance),
        ):
            within(pence, f"group {group.id}'s {figure}")
        groups.append(position)
    return groups


def group_shares(
    o: OrganisationPositions, groups: Sequence[GroupPosition]
) -> tuple[list[float | None], list[float | None]]:
    """Each member's part in its group's variance (``None`` for an organisation in no group, or
    where there is nothing to share): its variance as a share of its group's net variance, and
    its adverse variance as a share of all its group's members' adverse variances (what it
    drives; favourable members drive none of it)."""
    net = {g.group.id: g.variance for g in groups}
    adverse = {g.group.id: sum(-min(o.variance[i], 0) for i in g.members) for g in groups}
    share = [
        float(Decimal(v) / Decimal(net[g])) if g is not None and net[g] != 0 else None
        for v, g in zip(o.variance, o.group, strict=True)
    ]
    drives = [
        float(Decimal(-min(v, 0)) / Decimal(adverse[g])) if g is not None and adverse[g] else None
        for v, g in zip(o.variance, o.group, strict=True)
    ]
    return share, drives
