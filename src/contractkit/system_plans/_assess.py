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
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.money_tables import POUNDS, MoneyResult, pounds
from contractkit._kernel.pence_sums import require_room, within
from contractkit._kernel.row_checks import LATER, RowChecks
from contractkit._kernel.table_files import ROW
from contractkit._kernel.year_months import (
    latest,
    latest_rows,
    month_of,
    months_through,
    reject_overlaps,
    year_months,
)
from contractkit._period_column import unreadable_message
from contractkit._suggest import did_you_mean
from contractkit.errors import ReturnsError
from contractkit.model import SystemPlan
from contractkit.model.kinds import refuse
from contractkit.money import COLUMN_PROBLEMS, Money, allocate, pence_column
from contractkit.periods import Month, Quarter
from contractkit.results import Explanation

__all__ = ["OUTTURN_REASONS", "PLAN_FINDINGS", "Assessment", "assess"]

OUTTURN_REASONS: dict[str, str] = {
    "unknown_organisation": "the organisation is not in the plan",
    "unreadable_period": "the period is not a month or a quarter",
    "outside_year": "the period is outside the plan's year",
    "missing_amount": "the actual is empty",
    "not_money": "an amount is not an amount of money",
    "fraction_of_a_penny": "an amount has a fraction of a penny",
    "beyond_maximum": "an amount is beyond the largest amount contractkit holds, "
    "£9,999,999,999,999.99 either way",
    "duplicate": "more than one row for the same organisation and month (a quarter counts for "
    "each of its months): all are rejected",
}
"""Why an outturn row can be rejected: stable codes, in the order the checks are made."""
_CODES = {name: i + 1 for i, name in enumerate(OUTTURN_REASONS)}

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

Ints = NDArray[np.int64]


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


@attrs.frozen
class _Outturn:
    organisation: Ints
    first: Ints
    months: Ints
    ytd: Ints | None
    actual: Ints | None
    forecast: Ints
    has_forecast: NDArray[np.bool_]
    rejected: pl.DataFrame
    account: dict[str, Any]


def _read(
    source: Any,
    plan: SystemPlan,
    through: int,
    columns: Mapping[str, str] | None,
    sheet: str | None,
) -> _Outturn:
    rows = RowChecks.open(
        source, columns, sheet, "outturn", ("organisation", "period", "ytd|actual"), _CODES
    )
    table, name, fail, reason = rows.table, rows.name, rows.fail, rows.reason
    present = [c for c in table.columns if c != ROW]
    if {"ytd", "actual"} <= set(table.columns):
        raise ReturnsError(
            f"{name}: give either 'ytd' (year to date) or 'actual' (each period's own), not both"
        )
    size = table.height

    ids = {o.id: i for i, o in enumerate(plan.organisations)}
    text = table.get_column("organisation").cast(pl.String).str.strip_chars()
    organisation = text.replace_strict(ids, default=-1, return_dtype=pl.Int64).to_numpy()
    fail(organisation < 0, "unknown_organisation")
    first, months = year_months(table.get_column("period"), plan.year)
    fail(months < 0, "unreadable_period")
    fail((months > 0) & ((first < 0) | (first + months > 12)), "outside_year")
    field = "ytd" if "ytd" in table.columns else "actual"
    amount, problem = pence_column(table.get_column(field))
    fail(problem == COLUMN_PROBLEMS.index("empty"), "missing_amount")
    if "forecast" in table.columns:
        forecast, forecast_problem = pence_column(table.get_column("forecast"))
        has_forecast = forecast_problem == 0
        problem = np.where(problem == 0, forecast_problem, problem)
        problem = np.where(problem == COLUMN_PROBLEMS.index("empty"), 0, problem)
    else:
        forecast = np.zeros(size, dtype=np.int64)
        has_forecast = np.zeros(size, dtype=bool)
    fail(problem == COLUMN_PROBLEMS.index("not_money"), "not_money")
    fail(problem == COLUMN_PROBLEMS.index("fraction_of_a_penny"), "fraction_of_a_penny")
    fail(problem == COLUMN_PROBLEMS.index("beyond_maximum"), "beyond_maximum")
    reason[(reason == 0) & (first + months - 1 > through)] = LATER
    reject_overlaps(reason, organisation, first, months, _CODES["duplicate"])
    ok = reason == 0
    bad = reason > 0
    names = [None, *OUTTURN_REASONS]
    rejected = (
        table.filter(pl.Series(bad))
        .with_columns(pl.exclude(ROW).cast(pl.String))
        .with_columns(
            reason=pl.Series([names[c] for c in reason[bad]], dtype=pl.String),
        )
    )
    rejected = rejected.with_columns(
        message=pl.Series(
            [
                _message(code, row, plan)
                for code, row in zip(
                    rejected.get_column("reason").to_list(),
                    rejected.iter_rows(named=True),
                    strict=True,
                )
            ],
            dtype=pl.String,
        )
    ).select(ROW, "reason", "message", *present)
    by_reason = (
        dict(rejected.group_by("reason").len().sort("reason").rows()) if rejected.height else {}
    )
    return _Outturn(
        organisation=organisation[ok],
        first=first[ok],
        months=months[ok],
        ytd=amount[ok] if field == "ytd" else None,
        actual=amount[ok] if field == "actual" else None,
        forecast=forecast[ok],
        has_forecast=has_forecast[ok],
        rejected=rejected,
        account={
            "source": name,
            "read": size,
            "accepted": int(ok.sum()),
            "rejected": int(bad.sum()),
            "excluded": int((reason < 0).sum()),
            "excluded_by_reason": rows.excluded_by_reason(),
            "rejected_by_reason": by_reason,
        },
    )


def _message(code: str, row: Mapping[str, Any], plan: SystemPlan) -> str:
    if code == "unknown_organisation":
        ids = [o.id for o in plan.organisations]
        value = str(row.get("organisation"))
        return f"no organisation {value!r} in the plan{did_you_mean(value, ids)}"
    if code == "unreadable_period":
        return unreadable_message(row.get("period"), (Month, Quarter), "an outturn")
    if code == "outside_year":
        return f"{row.get('period')} is outside {plan.year}"
    if code == "duplicate":
        return f"{row.get('organisation')}, {row.get('period')}: {OUTTURN_REASONS[code]}"
    amounts = ", ".join(
        f"{field} {row[field]!r}" for field in ("ytd", "actual", "forecast") if field in row
    )
    return f"{amounts}: {OUTTURN_REASONS[code]}"


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
    rows = _read(outturn, plan, months_through(period, plan.year), columns, sheet)
    through = months_through(period, plan.year, rows.first + rows.months - 1)
    # The sums below are of Python's whole numbers (exact), but for each organisation's
    # actuals, added up over whole columns: exact in 64 bits, or refused.
    require_room("the outturn's actuals", rows.actual if rows.actual is not None else [])
    n = len(plan.organisations)
    adjusted = plan.adjusted()
    ids = [o.id for o in plan.organisations]
    control = [adjusted[i].pence for i in ids]
    original = [o.control_total.pence for o in plan.organisations]
    plan_to_date = [
        sum(m.pence for m in allocate(Money.from_pence(c), [1] * 12)[: through + 1])
        for c in control
    ]
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
    forecast = latest(n, rows.organisation, rows.first, rows.forecast, rows.has_forecast)
    outturn_: list[int] = []
    basis: list[str] = []
    for i in range(n):
        if forecast[i] is not None:
            outturn_.append(forecast[i])  # type: ignore[arg-type]  # checked not None
            basis.append("forecast")
        elif actual[i] is not None and through == 11:
            outturn_.append(actual[i])  # type: ignore[arg-type]  # checked not None
            basis.append("actual")
        elif actual[i] is not None:
            outturn_.append(actual[i] + control[i] - plan_to_date[i])  # type: ignore[operator]  # checked not None
            basis.append("actual and plan")
        else:
            outturn_.append(control[i])
            basis.append("plan (no return)")
    variance = [o - c for o, c in zip(outturn_, control, strict=True)]
    for i, organisation in enumerate(ids):
        for figure, pence in (
            ("actual to date", actual[i]),
            ("variance to date", None if actual[i] is None else actual[i] - plan_to_date[i]),  # type: ignore[operator]  # checked not None
            ("outturn", outturn_[i]),
            ("variance", variance[i]),
        ):
            if pence is not None:
                within(pence, f"organisation {organisation}'s {figure}")
    tolerance = [plan.tolerance_for(i).pence for i in ids]
    group_of = {m: g.id for g in plan.groups for m in g.members}
    index = {o: i for i, o in enumerate(ids)}
    group_rows = []
    group_variance: dict[str, int] = {}
    for group in plan.groups:
        members = [index[m] for m in group.members]
        g_control = sum(control[i] for i in members)
        g_outturn = sum(outturn_[i] for i in members)
        for figure, pence in (
            ("control total", g_control),
            ("outturn", g_outturn),
            ("variance", g_outturn - g_control),
        ):
            within(pence, f"group {group.id}'s {figure}")
        group_variance[group.id] = g_outturn - g_control
        group_rows.append((group, members, g_control, g_outturn))
    share = [
        (
            float(Decimal(variance[i]) / Decimal(group_variance[group_of[o]]))
            if o in group_of and group_variance[group_of[o]] != 0
            else None
        )
        for i, o in enumerate(ids)
    ]
    # Each member's part in its group's adverse variance: its own adverse variance as a share
    # of all the members' adverse variances (favourable members drive none of it).
    adverse_total = {
        g.id: sum(-min(variance[i], 0) for i in members) for g, members, *_ in group_rows
    }
    drives = [
        (
            float(Decimal(-min(variance[i], 0)) / Decimal(adverse_total[group_of[o]]))
            if o in group_of and adverse_total[group_of[o]]
            else None
        )
        for i, o in enumerate(ids)
    ]
    organisations = pl.DataFrame(
        {
            "organisation": ids,
            "name": [o.name for o in plan.organisations],
            "control_total": pounds(original),
            "transfers": pounds([c - o for c, o in zip(control, original, strict=True)]),
            "adjusted_control_total": pounds(control),
            "plan_to_date": pounds(plan_to_date),
            "actual_to_date": pounds(actual),
            "variance_to_date": pounds(
                [None if a is None else a - p for a, p in zip(actual, plan_to_date, strict=True)]
            ),
            "forecast": pounds(forecast),
            "outturn": pounds(outturn_),
            "outturn_basis": basis,
            "variance": pounds(variance),
            "tolerance": pounds(tolerance),
            "group": [group_of.get(o) for o in ids],
            "share_of_group_variance": share,
            "share_of_group_adverse": drives,
        },
        schema_overrides={
            "group": pl.String,
            "share_of_group_variance": pl.Float64,
            "share_of_group_adverse": pl.Float64,
        },
    )
    groups = pl.DataFrame(
        {
            "group": [g.id for g, *_ in group_rows],
            "name": [g.name for g, *_ in group_rows],
            "members": [", ".join(g.members) for g, *_ in group_rows],
            "control_total": pounds([c for *_, c, _ in group_rows]),
            "outturn": pounds([o for *_, o in group_rows]),
            "variance": pounds([o - c for *_, c, o in group_rows]),
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
    system_control = within(sum(control), "the system's control total")
    system_outturn = within(sum(outturn_), "the system's outturn")
    system_variance = within(system_outturn - system_control, "the system's variance")
    findings = _findings(
        plan,
        ids,
        basis,
        outturn_,
        variance,
        tolerance,
        group_of,
        group_rows,
        group_variance,
        system_variance,
    )
    system = {
        "plan": plan.id,
        "year": str(plan.year),
        "period": str(month_of(plan.year, through)),
        "basis": "actual" if through == 11 else "projected",
        "control_total": Money.from_pence(system_control),
        "outturn": Money.from_pence(system_outturn),
        "variance": Money.from_pence(system_variance),
        "tolerance": plan.tolerance,
        "on_plan": system_variance >= -plan.tolerance.pence,
    }
    ends = rows.first + rows.months - 1
    last_month = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_month, rows.organisation, ends)
    given = latest_rows(n, rows.organisation, rows.first, rows.has_forecast)
    forecast_month = np.full(n, -1, dtype=np.int64)
    forecast_month[given >= 0] = ends[given[given >= 0]]
    returns = pl.DataFrame(
        {
            "rows": np.bincount(rows.organisation, minlength=n).astype(np.int64),
            "last_month": last_month,
            "forecast_month": forecast_month,
            "amounts": ["ytd" if rows.ytd is not None else "actual"] * n,
        }
    )
    return Assessment(
        organisations=organisations,
        groups=groups,
        system=system,
        findings=findings,
        rejected=rows.rejected,
        account=rows.account,
        terms=plan,
        returns=returns,
    )


def _findings(
    plan: SystemPlan,
    ids: Sequence[str],
    basis: Sequence[str],
    outturn: Sequence[int],
    variance: Sequence[int],
    tolerance: Sequence[int],
    group_of: Mapping[str, str],
    group_rows: Sequence[tuple[Any, list[int], int, int]],
    group_variance: Mapping[str, int],
    system_variance: int,
) -> pl.DataFrame:
    found: list[tuple[str, str | None, str | None, int, str]] = []
    group_ok = {g.id: group_variance[g.id] >= -plan.tolerance.pence for g, *_ in group_rows}
    system_ok = system_variance >= -plan.tolerance.pence

    def m(pence: int) -> Money:
        return Money.from_pence(pence)

    for i, org in enumerate(ids):
        name = plan.organisations[i].name
        if basis[i].startswith("plan"):
            found.append(
                (
                    "no_return",
                    org,
                    None,
                    0,
                    f"{name} ({org}) has made no outturn return: taken to be on plan",
                )
            )
        if variance[i] < -tolerance[i]:
            found.append(
                (
                    "adverse_to_control_total",
                    org,
                    group_of.get(org),
                    -variance[i],
                    f"{name} ({org}) is {m(-variance[i])} adverse to its control total of "
                    f"{m(outturn[i] - variance[i])} (tolerance {m(tolerance[i])})",
                )
            )
            hiding = []
            if org in group_of and group_ok[group_of[org]]:
                hiding.append(f"its group {group_of[org]}")
            if system_ok:
                hiding.append("the system")
            if hiding:
                found.append(
                    (
                        "hidden_variance",
                        org,
                        group_of.get(org),
                        -variance[i],
                        f"{name} ({org}) is {m(-variance[i])} adverse while "
                        f"{' and '.join(hiding)} {'is' if len(hiding) == 1 else 'are'} on plan: "
                        "the combined total hides it",
                    )
                )
        if outturn[i] < 0:
            found.append(
                (
                    "below_break_even",
                    org,
                    group_of.get(org),
                    -outturn[i],
                    f"{name} ({org}) has an outturn deficit of {m(-outturn[i])}: it does not break "
                    "even",
                )
            )
    for group, _members, control, g_outturn in group_rows:
        if not group_ok[group.id]:
            found.append(
                (
                    "group_adverse",
                    None,
                    group.id,
                    control - g_outturn,
                    f"{group.name} ({group.id}) is {m(control - g_outturn)} adverse to its "
                    f"combined control total of {m(control)}",
                )
            )
    if not system_ok:
        found.append(
            (
                "system_adverse",
                None,
                None,
                -system_variance,
                f"the system is {m(-system_variance)} adverse to the sum of its control totals",
            )
        )
    return pl.DataFrame(
        {
            "code": [f[0] for f in found],
            "organisation": [f[1] for f in found],
            "group": [f[2] for f in found],
            "amount": pounds([f[3] for f in found]),
            "message": [f[4] for f in found],
        },
        schema_overrides={
            "code": pl.String,
            "organisation": pl.String,
            "group": pl.String,
            "amount": POUNDS,
            "message": pl.String,
        },
    )
