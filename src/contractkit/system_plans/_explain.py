"""Explaining an assessment's figures in words, for a finance lead: an organisation's, a
group's or the system's.

Every amount in an explanation is the exact figure from the tables, written as money is written
(:meth:`Money.format`). Each explanation also holds its figures as ``fields``, for tools.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from contractkit._kernel.money_words import (
    MOST_LISTED,
    as_money,
    finding_lines,
    month_in_year,
    month_words,
    percent_text,
    plural,
    some_names,
    span_words,
    unknown_name,
)
from contractkit.errors import ArgumentError
from contractkit.model import Organisation, SystemPlan
from contractkit.money import Money
from contractkit.periods import FinancialYear
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.system_plans._assess import Assessment

__all__ = ["explain_assessment"]

_PLANS = "the plan's"


def explain_assessment(
    result: Assessment,
    name: str | None = None,
    *,
    organisation: str | None = None,
    group: str | None = None,
) -> Explanation:
    """An organisation's, a group's or the system's figures in words (see
    :meth:`Assessment.explain`)."""
    plan = result.terms
    if plan is None or result.returns is None:
        raise ArgumentError("this assessment holds no plan to explain it by: make it with assess()")
    if name is not None and (organisation is not None or group is not None):
        raise ArgumentError("name one thing to explain: an organisation, a group or the system")
    if organisation is not None and group is not None:
        raise ArgumentError("name one thing to explain: an organisation or a group")
    organisations = [o.id for o in plan.organisations]
    groups = [g.id for g in plan.groups]
    if name is not None:
        if name in organisations:
            organisation = name
        elif name in groups:
            group = name
        elif name != plan.id:
            known = [*organisations, *groups]
            where = f"the plan {plan.id}"
            raise unknown_name(
                "organisation or group", name, known, where, "organisations and groups"
            )
    if organisation is not None:
        if organisation not in organisations:
            raise unknown_name("organisation", organisation, organisations, f"the plan {plan.id}")
        return _explain_organisation(result, plan, organisations.index(organisation))
    if group is not None:
        if group not in groups:
            raise unknown_name("group", group, groups, f"the plan {plan.id}")
        return _explain_group(result, plan, groups.index(group))
    return _explain_system(result, plan)


def _adverse(variance: Money, tolerance: Money, whose: str) -> str:
    """A variance where negative is adverse, against a tolerance, in words."""
    if variance < -tolerance:
        return f"adverse beyond {whose} tolerance of {tolerance}"
    if variance < 0:
        return f"adverse, within {whose} tolerance of {tolerance} (on plan)"
    return "favourable" if variance > 0 else "exactly on plan"


@attrs.frozen
class _Organisation:
    """An organisation's row of the tables, with the plan's terms for it: what its explanation
    is made from."""

    organisation: Organisation
    row: dict[str, Any]
    """Its row of the organisations table."""
    money: dict[str, Money]
    """Its row's amounts, as money."""
    returns: dict[str, Any]
    """What its outturn returns gave (see :attr:`Assessment.returns`)."""
    year: FinancialYear
    through: int
    """The month assessed to, counted from April (0)."""

    @classmethod
    def of(cls, result: Assessment, plan: SystemPlan, row: int) -> _Organisation:
        assert result.returns is not None
        r = result.organisations.row(row, named=True)
        return cls(
            organisation=plan.organisations[row],
            row=r,
            money={k: as_money(v) for k, v in r.items() if isinstance(v, Decimal)},
            returns=result.returns.row(row, named=True),
            year=plan.year,
            through=month_in_year(plan.year, result.system["period"]),
        )


def _explain_organisation(result: Assessment, plan: SystemPlan, row: int) -> Explanation:
    x = _Organisation.of(result, plan, row)
    organisation, r, money = x.organisation, x.row, x.money
    basis = "actual outturn" if x.through == 11 else "projected outturn"
    text = [
        f"{organisation.name} ({organisation.id})"
        + (f", in the group {r['group']}" if r["group"] else "")
        + f": assessed to {month_words(x.year, x.through)} ({basis}).",
        _control_total_words(plan, x),
        f"Plan to date: {money['plan_to_date']} for {span_words(x.year, x.through)}: its control "
        "total after transfers spread evenly over the twelve months, to the penny.",
        _actual_words(x),
        _outturn_words(x),
        *_against_words(x),
    ]
    if r["group"]:
        text.append(_group_words(result, plan, x))
    system = result.system
    text.append(
        f"The system: a variance of {system['variance']} against the sum of the control totals "
        f"({system['control_total']}), "
        f"{_adverse(system['variance'], plan.tolerance, _PLANS)}."
    )
    findings = result.findings.filter(pl.col("organisation") == organisation.id)
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "organisation": organisation.id,
        **money,
        "outturn_basis": r["outturn_basis"],
        "group": r["group"],
        "share_of_group_variance": r["share_of_group_variance"],
        "share_of_group_adverse": r["share_of_group_adverse"],
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


def _control_total_words(plan: SystemPlan, x: _Organisation) -> str:
    """The organisation's control total, and the transfers that moved it."""
    money, organisation = x.money, x.organisation
    moves = [
        f"{t.id}: {t.adjustments[organisation.id]}, {t.name}"
        for t in plan.transfers
        if organisation.id in t.adjustments
    ]
    if not moves:
        return f"Control total: {money['control_total']} (no transfers)."
    return (
        f"Control total: {money['control_total']}, and {money['adjusted_control_total']} "
        f"after transfers of {money['transfers']} ({'; '.join(moves)})."
    )


def _actual_words(x: _Organisation) -> str:
    """The organisation's actual to date, and where it came from."""
    rows = x.returns["rows"]
    if rows == 0:
        return "Actual to date: none: it has made no outturn return."
    how = (
        "its year to date at its latest return"
        if x.returns["amounts"] == "ytd"
        else "its returns for each period added up"
    )
    variance = x.money["variance_to_date"]
    verdict = "favourable" if variance > 0 else "adverse" if variance < 0 else "on plan"
    return (
        f"Actual to date: {x.money['actual_to_date']}: {how} (to "
        f"{month_words(x.year, x.returns['last_month'])}, {plural(rows, 'return')}); variance "
        f"to date {variance}: {verdict}."
    )


def _outturn_words(x: _Organisation) -> str:
    """The organisation's outturn, and where it came from."""
    money, basis = x.money, x.row["outturn_basis"]
    outturn = money["outturn"]
    if basis == "forecast":
        return (
            f"Outturn: {outturn}: the latest forecast given for the year (with the return to "
            f"{month_words(x.year, x.returns['forecast_month'])})."
        )
    if basis == "actual":
        return f"Outturn: {outturn}: its actual for the year."
    if basis == "actual and plan":
        rest = money["adjusted_control_total"] - money["plan_to_date"]
        return (
            f"Outturn: {outturn}: its actual to date ({money['actual_to_date']}) plus its plan "
            f"for the rest of the year ({rest}), as it has given no forecast."
        )
    return (
        f"Outturn: {outturn}: its control total after transfers, as it has made no return "
        "(taken to be on plan)."
    )


def _against_words(x: _Organisation) -> list[str]:
    """The organisation's outturn against its control total, and against break-even."""
    money, outturn = x.money, x.money["outturn"]
    whose = "its own" if x.organisation.tolerance is not None else "the plan's"
    return [
        f"Against its control total of {money['adjusted_control_total']}: a variance of "
        f"{money['variance']}, {_adverse(money['variance'], money['tolerance'], whose)}.",
        f"Against break-even: an outturn of {outturn}: "
        + (
            "a deficit, so it does not break even."
            if outturn < 0
            else "a surplus, so it breaks even."
            if outturn > 0
            else "exactly break-even."
        ),
    ]


def _group_words(result: Assessment, plan: SystemPlan, x: _Organisation) -> str:
    """The organisation's group's variance, and the organisation's part in it."""
    r = x.row
    g = result.groups.filter(pl.col("group") == r["group"]).row(0, named=True)
    g_money = {k: as_money(v) for k, v in g.items() if isinstance(v, Decimal)}
    return (
        f"Its group {g['group']} ({g['name']}; {g['members']}): a variance of "
        f"{g_money['variance']} against its combined control total of "
        f"{g_money['control_total']}, "
        f"{_adverse(g_money['variance'], plan.tolerance, _PLANS)}. Its own "
        f"variance is {percent_text(r['share_of_group_variance'])} of the group's net "
        "variance, "
        f"and it drives {percent_text(r['share_of_group_adverse'])} of the group's adverse "
        "variance."
    )


def _explain_group(result: Assessment, plan: SystemPlan, row: int) -> Explanation:
    g = result.groups.row(row, named=True)
    money = {k: as_money(v) for k, v in g.items() if isinstance(v, Decimal)}
    year = plan.year
    through = month_in_year(year, result.system["period"])
    text = [
        f"{g['name']} ({g['group']}): {g['members']}; assessed to {month_words(year, through)}.",
        f"Combined control total (after transfers): {money['control_total']}; combined outturn "
        f"{money['outturn']}; variance {money['variance']}, "
        f"{_adverse(money['variance'], plan.tolerance, _PLANS)}.",
        "Its members:",
    ]
    members = result.organisations.filter(pl.col("group") == g["group"])
    for m in members.iter_rows(named=True):
        own = plan.organisation(m["organisation"]).tolerance is not None
        whose = "its own" if own else _PLANS
        verdict = _adverse(as_money(m["variance"]), as_money(m["tolerance"]), whose)
        text.append(
            f"  {m['organisation']}: variance {as_money(m['variance'])}, {verdict}; "
            f"{percent_text(m['share_of_group_variance'])} of the group's net variance, driving "
            f"{percent_text(m['share_of_group_adverse'])} of its adverse variance."
        )
    findings = result.findings.filter(pl.col("group") == g["group"])
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "group": g["group"],
        **money,
        "members": members.get_column("organisation").to_list(),
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


def _explain_system(result: Assessment, plan: SystemPlan) -> Explanation:
    s = result.system
    year = plan.year
    through = month_in_year(year, s["period"])
    organisations = result.organisations
    before = sum((o.control_total for o in plan.organisations), Money.zero())
    text = [
        f"{plan.id}: {plan.title}, assessed to {month_words(year, through)} "
        f"({'actual' if through == 11 else 'projected'} outturn): "
        f"{plural(organisations.height, 'organisation')}, "
        f"{plural(result.groups.height, 'group')}.",
        f"Control totals: {s['control_total']} in all, after transfers (before them "
        f"{before}: transfers move money between organisations and add up to nothing).",
        f"Outturn: {s['outturn']}; variance {s['variance']}, "
        f"{_adverse(s['variance'], plan.tolerance, _PLANS)}.",
    ]
    for label, which, figure in (
        ("Adverse beyond tolerance", pl.col("variance") < -pl.col("tolerance"), "variance"),
        ("Below break-even", pl.col("outturn") < 0, "outturn"),
    ):
        named = organisations.filter(which).select("organisation", figure).rows()
        listed = some_names([f"{o} ({as_money(v)})" for o, v in named]) if named else "none"
        text.append(f"{label}: {listed}.")
    for g in result.groups.iter_rows(named=True):
        text.append(
            f"Group {g['group']}: variance {as_money(g['variance'])}, "
            f"{_adverse(as_money(g['variance']), plan.tolerance, _PLANS)}."
        )
    messages = result.findings.get_column("message").to_list()
    if len(messages) <= MOST_LISTED:
        text += finding_lines(messages)
    else:
        counts = result.findings.get_column("code").value_counts(sort=True).rows()
        text.append("Findings: " + ", ".join(f"{n:,} {code}" for code, n in counts) + ".")
    fields: dict[str, Any] = {
        "plan": plan.id,
        **{k: v for k, v in s.items() if isinstance(v, Money)},
        "on_plan": s["on_plan"],
        "findings": result.findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)
