"""Outturn returns for a system plan: one row per organisation and period, every row accounted for.

The format: ``organisation`` (an organisation's id), ``period`` (a month ``2026-07``, a date in
it, or a quarter ``2026/27 Q2``), and either ``ytd`` (the year-to-date surplus or deficit at the
period) or ``actual`` (the period's own), and optionally ``forecast`` (the forecast outturn for
the year, as at the period). Amounts are read exactly (see
:func:`contractkit.money.pence_column`). Each row is accepted, rejected with a stable reason, or
excluded (blank, or a period after the one being assessed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Bools, Ints
from contractkit._kernel.period_column import unreadable_message
from contractkit._kernel.row_checks import LATER, RowChecks
from contractkit._kernel.suggest import did_you_mean
from contractkit._kernel.table_files import ROW
from contractkit._kernel.year_months import reject_overlaps, year_months
from contractkit.errors import ReturnsError
from contractkit.model import SystemPlan
from contractkit.money import COLUMN_PROBLEMS, pence_column
from contractkit.periods import Month, Quarter

__all__ = ["OUTTURN_REASONS", "OutturnRows", "read_outturn"]

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


@attrs.frozen
class OutturnRows:
    """Outturn rows checked against a plan: the accepted rows as arrays, the rejected rows with
    their reasons, and the account of every row."""

    organisation: Ints
    """Per accepted row: the index of its organisation in the plan."""
    first: Ints
    """Per accepted row: the first month of its period, counted from April (0) to March (11)."""
    months: Ints
    """Per accepted row: the months in its period (1 or 3)."""
    ytd: Ints | None
    """Per accepted row: the year to date in pence, where the returns give ``ytd``."""
    actual: Ints | None
    """Per accepted row: the period's own actual in pence, where the returns give ``actual``."""
    forecast: Ints
    """Per accepted row: the forecast outturn in pence (see ``has_forecast``)."""
    has_forecast: Bools
    rejected: pl.DataFrame
    """row, reason, message, and the row's columns as given."""
    account: dict[str, Any]
    """source, read, accepted, rejected, excluded, excluded_by_reason, rejected_by_reason."""


def read_outturn(
    source: Any,
    plan: SystemPlan,
    through: int,
    columns: Mapping[str, str] | None,
    sheet: str | None,
) -> OutturnRows:
    """Read and check outturn returns for ``plan``, excluding rows for months after ``through``
    (counted from April as 0). ``columns`` renames the file's columns onto the fields."""
    rows = RowChecks.open(
        source, columns, sheet, "outturn", ("organisation", "period", "ytd|actual"), _CODES
    )
    table, fail, reason = rows.table, rows.fail, rows.reason
    if {"ytd", "actual"} <= set(table.columns):
        raise ReturnsError(
            f"{rows.name}: give either 'ytd' (year to date) or 'actual' (each period's own), "
            "not both"
        )
    ids = {o.id: i for i, o in enumerate(plan.organisations)}
    text = table.get_column("organisation").cast(pl.String).str.strip_chars()
    organisation = text.replace_strict(ids, default=-1, return_dtype=pl.Int64).to_numpy()
    fail(organisation < 0, "unknown_organisation")
    first, months = year_months(table.get_column("period"), plan.year)
    fail(months < 0, "unreadable_period")
    fail((months > 0) & ((first < 0) | (first + months > 12)), "outside_year")
    field = "ytd" if "ytd" in table.columns else "actual"
    amount, forecast, has_forecast = _amounts(rows, field)
    reason[(reason == 0) & (first + months - 1 > through)] = LATER
    reject_overlaps(reason, organisation, first, months, _CODES["duplicate"])
    ok = reason == 0
    rejected = _rejected(rows, plan)
    by_reason = (
        dict(rejected.group_by("reason").len().sort("reason").rows()) if rejected.height else {}
    )
    return OutturnRows(
        organisation=organisation[ok],
        first=first[ok],
        months=months[ok],
        ytd=amount[ok] if field == "ytd" else None,
        actual=amount[ok] if field == "actual" else None,
        forecast=forecast[ok],
        has_forecast=has_forecast[ok],
        rejected=rejected,
        account={
            "source": rows.name,
            "read": table.height,
            "accepted": int(ok.sum()),
            "rejected": int((reason > 0).sum()),
            "excluded": int((reason < 0).sum()),
            "excluded_by_reason": rows.excluded_by_reason(),
            "rejected_by_reason": by_reason,
        },
    )


def _amounts(rows: RowChecks, field: str) -> tuple[Ints, Ints, Bools]:
    """Each row's amount (its ``field``: ``ytd`` or ``actual``) and forecast in pence, and
    whether it gives a forecast; rows whose amount is empty, or whose amount or forecast is not
    money, are rejected (an empty forecast is no forecast)."""
    table, fail = rows.table, rows.fail
    amount, problem = pence_column(table.get_column(field))
    fail(problem == COLUMN_PROBLEMS.index("empty"), "missing_amount")
    if "forecast" in table.columns:
        forecast, forecast_problem = pence_column(table.get_column("forecast"))
        has_forecast = forecast_problem == 0
        problem = np.where(problem == 0, forecast_problem, problem)
        problem = np.where(problem == COLUMN_PROBLEMS.index("empty"), 0, problem)
    else:
        forecast = np.zeros(table.height, dtype=np.int64)
        has_forecast = np.zeros(table.height, dtype=bool)
    fail(problem == COLUMN_PROBLEMS.index("not_money"), "not_money")
    fail(problem == COLUMN_PROBLEMS.index("fraction_of_a_penny"), "fraction_of_a_penny")
    fail(problem == COLUMN_PROBLEMS.index("beyond_maximum"), "beyond_maximum")
    return amount, forecast, has_forecast


def _rejected(rows: RowChecks, plan: SystemPlan) -> pl.DataFrame:
    """The rejected rows as given (as text), each with its row, reason and message, in row
    order. (Not yet :meth:`RowChecks.rejected`, as the spend reader uses: where the returns
    have a column of their own called ``reason`` or ``message`` and no row is rejected, that
    gives a table where this fails, and a refactor changes no behaviour.)"""
    table, reason = rows.table, rows.reason
    bad = reason > 0
    names = [None, *OUTTURN_REASONS]
    rejected = (
        table.filter(pl.Series(bad))
        .with_columns(pl.exclude(ROW).cast(pl.String))
        .with_columns(reason=pl.Series([names[c] for c in reason[bad]], dtype=pl.String))
    )
    message = _message(plan)
    messages = [
        message(code, row)
        for code, row in zip(
            rejected.get_column("reason").to_list(), rejected.iter_rows(named=True), strict=True
        )
    ]
    present = [c for c in table.columns if c != ROW]
    return rejected.with_columns(message=pl.Series(messages, dtype=pl.String)).select(
        ROW, "reason", "message", *present
    )


def _message(plan: SystemPlan) -> Callable[[str, Mapping[str, Any]], str]:
    """The message for a rejected outturn row."""
    ids = [o.id for o in plan.organisations]

    def message(code: str, row: Mapping[str, Any]) -> str:
        if code == "unknown_organisation":
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

    return message
