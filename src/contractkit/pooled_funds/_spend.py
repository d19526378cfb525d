"""Spend returns for a pooled fund: one row per line and period, every row accounted for.

The format: ``line`` (a line's id), ``period`` (a month ``2026-07``, a date in it, or a quarter
``2026/27 Q2``), ``amount`` (what was spent on the line in the period) and, optionally,
``forecast`` (the forecast outturn for the line's whole year, as at the period). Amounts are read
exactly (see :func:`contractkit.money.pence_column`). Each row is accepted, rejected with a
stable reason, or excluded (a period after the one being reconciled).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Bools, Ints
from contractkit._kernel.period_column import unreadable_message
from contractkit._kernel.row_checks import LATER, RowChecks
from contractkit._kernel.suggest import did_you_mean
from contractkit._kernel.year_months import reject_overlaps, year_months
from contractkit.errors import ArgumentError
from contractkit.model import PooledFund
from contractkit.money import COLUMN_PROBLEMS, pence_column
from contractkit.periods import Month, Quarter

__all__ = ["SPEND_REASONS", "Spend", "read_spend"]

SPEND_REASONS: dict[str, str] = {
    "unknown_fund": "the fund is not among those reconciled",
    "unknown_line": "the line is not in the fund",
    "unreadable_period": "the period is not a month or a quarter",
    "outside_year": "the period is outside the fund's year",
    "missing_amount": "the amount is empty",
    "not_money": "the amount (or forecast) is not an amount of money",
    "fraction_of_a_penny": "the amount (or forecast) has a fraction of a penny",
    "beyond_maximum": "the amount (or forecast) is beyond the largest amount contractkit holds, "
    "£9,999,999,999,999.99 either way",
    "duplicate": "more than one row for the same line and month (a quarter counts for each of "
    "its months): all are rejected",
}
"""Why a spend row can be rejected: stable codes, in the order the checks are made."""
_CODES = {name: i + 1 for i, name in enumerate(SPEND_REASONS)}
FIELDS = ("line", "period", "amount", "forecast")


@attrs.frozen
class Spend:
    """Spend rows checked against a fund: the accepted rows as arrays, the rejected rows with
    their reasons, and the account of every row."""

    line: Ints
    """Per accepted row: the index of its line in the fund."""
    first: Ints
    """Per accepted row: the first month of its period, counted from April (0) to March (11)."""
    months: Ints
    """Per accepted row: the months in its period (1 or 3)."""
    amount: Ints
    """Per accepted row: the amount in pence."""
    forecast: Ints
    """Per accepted row: the forecast outturn in pence (-1 for none; see ``has_forecast``)."""
    has_forecast: Bools
    rejected: pl.DataFrame
    """row, reason, message, and the row's columns as given."""
    account: dict[str, Any]
    """read, accepted, rejected, excluded, excluded_by_reason, rejected_by_reason, source."""


def read_spend(
    source: Any,
    funds: PooledFund | Sequence[PooledFund],
    *,
    through: int = 11,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Spend:
    """Read and check spend returns for a fund — or for several funds of one year, the rows
    then naming their ``fund`` — excluding rows for months after ``through`` (counted from
    April as 0). ``columns`` renames the file's columns onto the fields (``{"scheme": "line"}``).
    Each accepted row's ``line`` is the index of its line among all the funds' lines, in
    order."""
    many = not isinstance(funds, PooledFund)
    group = list(funds) if not isinstance(funds, PooledFund) else [funds]
    if not group:
        raise ArgumentError("there are no funds to reconcile")
    year = group[0].year
    if any(f.year != year for f in group):
        raise ArgumentError("the funds are of different years: reconcile one year at a time")
    required = ("fund", "line", "period", "amount") if many else ("line", "period", "amount")
    rows = RowChecks.open(source, columns, sheet, "spend", required, _CODES)
    table, size, fail = rows.table, rows.table.height, rows.fail
    reason = rows.reason

    line, unknown_fund = _line_index(table, group, many=many)
    fail(unknown_fund, "unknown_fund")
    fail(line < 0, "unknown_line")

    first, months = year_months(table.get_column("period"), year)
    fail(months < 0, "unreadable_period")
    fail((months > 0) & ((first < 0) | (first + months > 12)), "outside_year")

    amount, forecast, has_forecast = _amounts(rows)

    # Later periods are not wrong, just not yet wanted: excluded, and counted.
    later = (reason == 0) & (first + months - 1 > through)
    reason[later] = LATER
    reject_overlaps(reason, line, first, months, _CODES["duplicate"])

    ok = reason == 0
    rejected = rows.rejected(_message(group))
    by_reason = (
        dict(rejected.group_by("reason").len().sort("reason").rows()) if rejected.height else {}
    )
    return Spend(
        line=line[ok],
        first=first[ok],
        months=months[ok],
        amount=amount[ok],
        forecast=np.where(has_forecast, forecast, -1)[ok],
        has_forecast=has_forecast[ok],
        rejected=rejected,
        account={
            "source": rows.name,
            "read": size,
            "accepted": int(ok.sum()),
            "rejected": int((reason > 0).sum()),
            "excluded": int((reason < 0).sum()),
            "excluded_by_reason": rows.excluded_by_reason(),
            "rejected_by_reason": by_reason,
        },
    )


def _amounts(rows: RowChecks) -> tuple[Ints, Ints, Bools]:
    """Each row's amount and forecast in pence, and whether it gives a forecast; rows whose
    amount is empty, or whose amount or forecast is not money, are rejected (an empty forecast
    is no forecast)."""
    table, fail = rows.table, rows.fail
    amount, amount_problem = pence_column(table.get_column("amount"))
    fail(amount_problem == COLUMN_PROBLEMS.index("empty"), "missing_amount")
    fail(amount_problem == COLUMN_PROBLEMS.index("not_money"), "not_money")
    fail(amount_problem == COLUMN_PROBLEMS.index("fraction_of_a_penny"), "fraction_of_a_penny")
    fail(amount_problem == COLUMN_PROBLEMS.index("beyond_maximum"), "beyond_maximum")
    if "forecast" not in table.columns:
        return amount, np.zeros(table.height, dtype=np.int64), np.zeros(table.height, dtype=bool)
    forecast, forecast_problem = pence_column(table.get_column("forecast"))
    for problem in ("not_money", "fraction_of_a_penny", "beyond_maximum"):
        fail(forecast_problem == COLUMN_PROBLEMS.index(problem), problem)
    return amount, forecast, forecast_problem == 0


def _line_index(
    table: pl.DataFrame, funds: Sequence[PooledFund], *, many: bool
) -> tuple[Ints, Bools]:
    """Each row's line among all the funds' lines, fund by fund in order (-1: none), found by a
    join on the row's (fund and) line; and whether the row names none of the funds. Text is
    matched as given, and only the rows that do not match are matched again with spaces
    trimmed (ids never have any), so that the whole column is trimmed only when it needs to
    be."""
    keys = ["fund", "line"] if many else ["line"]
    given = table.select(pl.col(k).cast(pl.String) for k in keys)
    sizes = [len(fund.lines) for fund in funds]
    fund_ids = pl.Series([fund.id for fund in funds], dtype=pl.String)
    index = pl.DataFrame(
        {
            "fund": fund_ids.gather(np.repeat(np.arange(len(funds)), sizes)),
            "line": pl.Series([line.id for fund in funds for line in fund.lines], dtype=pl.String),
            "index": np.arange(sum(sizes), dtype=np.int64),
        }
    ).select(*keys, "index")

    def found(rows: pl.DataFrame) -> Ints:
        joined = rows.join(index, on=keys, how="left", maintain_order="left")
        return joined.get_column("index").fill_null(-1).to_numpy(writable=True)

    line = found(given)
    unknown_fund = np.zeros(table.height, dtype=bool)
    unmatched = np.flatnonzero(line < 0)
    if unmatched.size:
        trimmed = given[unmatched].select(pl.all().str.strip_chars())
        line[unmatched] = found(trimmed)
        if many:
            known = trimmed.get_column("fund").is_in(fund_ids.to_list()).fill_null(False)
            unknown_fund[unmatched] = ~known.to_numpy()
    return line, unknown_fund


def _message(funds: Sequence[PooledFund]) -> Callable[[str, Mapping[str, Any]], str]:
    """The message for a rejected spend row."""
    lines_of = {fund.id: [line.id for line in fund.lines] for fund in funds}
    year = funds[0].year

    def message(code: str, values: Mapping[str, Any]) -> str:
        line, period = values.get("line"), values.get("period")
        fund_id = values.get("fund", funds[0].id)
        if code == "unknown_fund":
            return f"no fund {fund_id!r} here{did_you_mean(str(fund_id), list(lines_of))}"
        if code == "unknown_line":
            line_ids = lines_of.get(str(fund_id), [])
            return f"no line {line!r} in the fund{did_you_mean(str(line), line_ids)}"
        if code == "unreadable_period":
            return unreadable_message(period, (Month, Quarter), "spend")
        if code == "outside_year":
            return f"{period} is outside {year}"
        if code in ("not_money", "fraction_of_a_penny", "beyond_maximum", "missing_amount"):
            return (
                f"amount {values.get('amount')!r}"
                + (f", forecast {values.get('forecast')!r}" if "forecast" in values else "")
                + f": {SPEND_REASONS[code]}"
            )
        return f"line {line!r}, {period}: {SPEND_REASONS[code]}"

    return message
