"""Assessing a system plan against outturn: each organisation, each group, and the system.

Outturn returns hold one row per organisation and period (a month or a quarter): ``ytd`` (the
year-to-date surplus or deficit) or ``actual`` (the period's own), and optionally ``forecast``
(the forecast outturn for the year). For the period assessed (by default the last with a
return), each organisation has its plan to date (its control total after transfers, spread
evenly over the months to the penny), its actual to date, and its **outturn**: the latest
forecast given; at the year end, the actual; otherwise the actual to date plus the plan for
the rest of the year. Its variance is the outturn less its control total (negative: adverse).

Each organisation is judged against its own control total **and** against break-even; each
group against its members' combined control total; the system against the sum of all. An
organisation adverse beyond tolerance while its group or the system is on plan is a **hidden
variance**: the combined total hides it. Each member's share of its group's variance is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.money_tables import POUNDS, MoneyResult, pounds
from contractkit._kernel.months import month_of
from contractkit._kernel.pence_sums import require_room, within
from contractkit._kernel.year_months import latest_rows, months_through
from contractkit.model import SystemPlan
from contractkit.model.kinds import refuse
from contractkit.money import Money
from contractkit.results import Explanation
from contractkit.system_plans._findings import plan_findings
from contractkit.system_plans._outturn_returns import OutturnRows, read_outturn
from contractkit.system_plans._positions import (
    GroupPosition,
    OrganisationPositions,
    group_positions,
    group_shares,
    organisation_positions,
)

__all__ = ["Assessment", "assess"]


@attrs.frozen(eq=False)
class Assessment(MoneyResult):
    """A system plan assessed to a period: organisations, groups, the system, findings, and the
    account of the outturn rows."""

    organisations: pl.DataFrame
    """One row per organisation: control_total, transfers, adjusted_control_total,
    plan_to_date, actual_to_date, variance_to_date, forecast, outturn, outturn_basis, variance
    (outturn − adjusted control total; negative is adverse), tolerance, group,
    share_of_group_variance (its variance as a share of its group's net variance) and
    share_of_group_adverse (its adverse variance as a share of all its group's members' adverse
    variances: what it drives)."""
    groups: pl.DataFrame
    """One row per group: members, control_total (combined, after transfers), outturn,
    variance."""
    system: dict[str, Any]
    """The system's control total, outturn and variance (Money), and the basis."""
    findings: pl.DataFrame
    """code (see ``PLAN_FINDINGS``), organisation, group, amount, message."""
    rejected: pl.DataFrame
    account: dict[str, Any]
    terms: SystemPlan | None = attrs.field(default=None, repr=False)
    """The plan assessed, as written (its terms, for :meth:`explain`)."""
    returns: pl.DataFrame | None = attrs.field(default=None, repr=False)
    """Per organisation, in the order of ``organisations``: how many outturn rows were used
    (``rows``), the last month they cover and the month of the latest forecast
    (``last_month``, ``forecast_month``: counted from April as 0; -1 for none), and what the
    returns gave (``amounts``: ``ytd`` or ``actual``), for :meth:`explain`."""

    TABLES: ClassVar[tuple[str, ...]] = ("organisations", "groups", "findings")
    """The tables it holds (for :meth:`table`, ``to_csv`` and ``to_parquet``)."""
    FORMAT: ClassVar[str] = "contractkit-assessment"
    NOUN: ClassVar[str] = "assessment"
    HEADLINE: ClassVar[str] = "system"
    FIGURES: ClassVar[tuple[str, ...]] = ("control_total", "outturn", "variance", "tolerance")
    SCHEMAS: ClassVar[Mapping[str, Mapping[str, pl.DataType]]] = {
        "organisations": {
            "organisation": pl.String(),
            "name": pl.String(),
            "control_total": POUNDS,
            "transfers": POUNDS,
            "adjusted_control_total": POUNDS,
            "plan_to_date": POUNDS,
            "actual_to_date": POUNDS,
            "variance_to_date": POUNDS,
            "forecast": POUNDS,
            "outturn": POUNDS,
            "outturn_basis": pl.String(),
            "variance": POUNDS,
            "tolerance": POUNDS,
            "group": pl.String(),
            "share_of_group_variance": pl.Float64(),
            "share_of_group_adverse": pl.Float64(),
        },
        "groups": {
            "group": pl.String(),
            "name": pl.String(),
            "members": pl.String(),
            "control_total": POUNDS,
            "outturn": POUNDS,
            "variance": POUNDS,
        },
        "findings": {
            "code": pl.String(),
            "organisation": pl.String(),
            "group": pl.String(),
            "amount": POUNDS,
            "message": pl.String(),
        },
    }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Assessment:
        """An assessment read back from its JSON form (without the plan's terms, so it cannot
        explain itself)."""
        return cls(**cls._parts(data))

    def explain(
        self,
        name: str | None = None,
        *,
        organisation: str | None = None,
        group: str | None = None,
    ) -> Explanation:
        """Any figure in words, for a finance lead: an organisation's (``organisation="RCB"``:
        its plan to date, where its outturn came from, its variance against its control total
        and against break-even, its tolerance, its part in its group's variance, its findings),
        a group's (``group=``) or, with nothing named, the system's. ``name`` is an
        organisation's or a group's id, or the plan's. Every amount is as in the tables."""
        from contractkit.system_plans._explain import explain_assessment

        return explain_assessment(self, name, organisation=organisation, group=group)

    def __repr__(self) -> str:
        s = self.system
        return (
            f"Assessment(plan={s['plan']!r}, to={s['period']}, control_total={s['control_total']}"
            f", outturn={s['outturn']}, variance={s['variance']}, findings={self.findings.height})"
        )


def assess(
    plan: SystemPlan,
    outturn: Any,
    *,
    period: str | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Assessment:
    """Assess ``plan`` against outturn returns (a file or a frame) to ``period`` (by default,
    the last period with a return)."""
    if not isinstance(plan, SystemPlan):
        raise refuse(plan, "assess() assesses a system plan", "plan")
    rows = read_outturn(outturn, plan, months_through(period, plan.year), columns, sheet)
    through = months_through(period, plan.year, rows.first + rows.months - 1)
    # The sums below are of Python's whole numbers (exact), but for each organisation's
    # actuals, added up over whole columns: exact in 64 bits, or refused.
    require_room("the outturn's actuals", rows.actual if rows.actual is not None else [])
    organisations = organisation_positions(plan, rows, through)
    groups = group_positions(plan, organisations)
    system = _system(plan, organisations, through)
    return Assessment(
        organisations=_organisation_table(plan, organisations, groups),
        groups=_group_table(groups),
        system=system,
        findings=plan_findings(plan, organisations, groups, system["variance"].pence),
        rejected=rows.rejected,
        account=rows.account,
        terms=plan,
        returns=_returns(rows, len(plan.organisations)),
    )


def _system(plan: SystemPlan, o: OrganisationPositions, through: int) -> dict[str, Any]:
    """The system's position: the sum of the control totals, the outturn and the variance."""
    control = within(sum(o.control), "the system's control total")
    outturn = within(sum(o.outturn), "the system's outturn")
    variance = within(outturn - control, "the system's variance")
    return {
        "plan": plan.id,
        "year": str(plan.year),
        "period": str(month_of(plan.year, through)),
        "basis": "actual" if through == 11 else "projected",
        "control_total": Money.from_pence(control),
        "outturn": Money.from_pence(outturn),
        "variance": Money.from_pence(variance),
        "tolerance": plan.tolerance,
        "on_plan": variance >= -plan.tolerance.pence,
    }


def _organisation_table(
    plan: SystemPlan, o: OrganisationPositions, groups: Sequence[GroupPosition]
) -> pl.DataFrame:
    """One row per organisation: where it stands, and its part in its group's variance."""
    share, drives = group_shares(o, groups)
    return pl.DataFrame(
        {
            "organisation": o.ids,
            "name": [organisation.name for organisation in plan.organisations],
            "control_total": pounds(o.original),
            "transfers": pounds([c - w for c, w in zip(o.control, o.original, strict=True)]),
            "adjusted_control_total": pounds(o.control),
            "plan_to_date": pounds(o.plan_to_date),
            "actual_to_date": pounds(o.actual),
            "variance_to_date": pounds(o.variance_to_date),
            "forecast": pounds(o.forecast),
            "outturn": pounds(o.outturn),
            "outturn_basis": o.basis,
            "variance": pounds(o.variance),
            "tolerance": pounds(o.tolerance),
            "group": o.group,
            "share_of_group_variance": share,
            "share_of_group_adverse": drives,
        },
        schema_overrides={
            "group": pl.String,
            "share_of_group_variance": pl.Float64,
            "share_of_group_adverse": pl.Float64,
        },
    )


def _group_table(groups: Sequence[GroupPosition]) -> pl.DataFrame:
    """One row per group: its members, combined control total, outturn and variance."""
    return pl.DataFrame(
        {
            "group": [g.group.id for g in groups],
            "name": [g.group.name for g in groups],
            "members": [", ".join(g.group.members) for g in groups],
            "control_total": pounds([g.control for g in groups]),
            "outturn": pounds([g.outturn for g in groups]),
            "variance": pounds([g.variance for g in groups]),
        },
        schema_overrides={
            "group": pl.String,
            "name": pl.String,
            "members": pl.String,
            "control_total": POUNDS,
            "outturn": POUNDS,
            "variance": POUNDS,
        },
    )


def _returns(rows: OutturnRows, n: int) -> pl.DataFrame:
    """Per organisation (``n`` of them, in the plan's order): what its outturn returns gave
    (see :attr:`Assessment.returns`)."""
    ends = rows.first + rows.months - 1
    last_month = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_month, rows.organisation, ends)
    given = latest_rows(n, rows.organisation, rows.first, rows.has_forecast)
    forecast_month = np.full(n, -1, dtype=np.int64)
    forecast_month[given >= 0] = ends[given[given >= 0]]
    return pl.DataFrame(
        {
            "rows": np.bincount(rows.organisation, minlength=n).astype(np.int64),
            "last_month": last_month,
            "forecast_month": forecast_month,
            "amounts": ["ytd" if rows.ytd is not None else "actual"] * n,
        }
    )
