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
from numpy.typing import NDArray

from contractkit._period_column import read_periods, unreadable_message
from contractkit._suggest import listed, shortened
from contractkit.errors import ReturnsError
from contractkit.model import PooledFund
from contractkit.model._base import did_you_mean
from contractkit.money import COLUMN_PROBLEMS, pence_column
from contractkit.periods import FinancialYear, Month, Quarter, parse_period
from contractkit.returns._read import ROW, blank_rows, read_table

__all__ = [
    "BLANK",
    "LATER",
    "SPEND_REASONS",
    "RowChecks",
    "Spend",
    "latest",
    "latest_rows",
    "latest_values",
    "month_of",
    "months_through",
    "read_spend",
    "reject_overlaps",
    "year_months",
]

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
Ints = NDArray[np.int64]


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
    has_forecast: NDArray[np.bool_]
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
        raise ValueError("there are no funds to reconcile")
    year = group[0].year
    if any(f.year != year for f in group):
        raise ValueError("the funds are of different years: reconcile one year at a time")
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

    amount, amount_problem = pence_column(table.get_column("amount"))
    fail(amount_problem == COLUMN_PROBLEMS.index("empty"), "missing_amount")
    fail(amount_problem == COLUMN_PROBLEMS.index("not_money"), "not_money")
    fail(amount_problem == COLUMN_PROBLEMS.index("fraction_of_a_penny"), "fraction_of_a_penny")
    fail(amount_problem == COLUMN_PROBLEMS.index("beyond_maximum"), "beyond_maximum")
    if "forecast" in table.columns:
        forecast, forecast_problem = pence_column(table.get_column("forecast"))
        has_forecast = forecast_problem == 0
        for problem in ("not_money", "fraction_of_a_penny", "beyond_maximum"):
            fail(forecast_problem == COLUMN_PROBLEMS.index(problem), problem)
    else:
        forecast = np.zeros(size, dtype=np.int64)
        has_forecast = np.zeros(size, dtype=bool)

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


def _line_index(
    table: pl.DataFrame, funds: Sequence[PooledFund], *, many: bool
) -> tuple[Ints, NDArray[np.bool_]]:
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


LATER = -1
"""The reason code of a row excluded for a period after the one wanted (not wrong, not yet
wanted)."""
BLANK = -2
"""The reason code of a row excluded because every cell of it is empty."""
_EXCLUDED = {BLANK: "blank", LATER: "after_period"}


@attrs.define
class RowChecks:
    """An input table being checked: each row is rejected for the first check it fails (a
    stable code in ``reason``), or excluded: a blank row (every cell empty) from the start
    (``BLANK``), a row for a later period than wanted (``LATER``)."""

    table: pl.DataFrame
    name: str
    codes: Mapping[str, int]
    reason: NDArray[np.int8]

    @classmethod
    def open(
        cls,
        source: Any,
        columns: Mapping[str, str] | None,
        sheet: str | None,
        what: str,
        required: Sequence[str],
        codes: Mapping[str, int],
    ) -> RowChecks:
        """Read ``source``, rename its columns as ``columns`` says, and make sure the
        ``required`` ones are there (each a name, or names separated by '|' of which one is
        needed); a clear :class:`~contractkit.errors.ReturnsError` if not."""
        table, name = read_table(source, sheet=sheet)
        if columns:
            unknown = [c for c in columns if c not in table.columns]
            if unknown:
                raise ReturnsError(
                    f"{name}: no column {shortened(unknown[0])!r}"
                    f"{did_you_mean(unknown[0], table.columns)}"
                )
            table = table.rename(dict(columns))
        present = [c for c in table.columns if c != ROW]
        missing = [
            need.replace("|", " (or ") + (")" if "|" in need else "")
            for need in required
            if not set(need.split("|")) & set(table.columns)
        ]
        if missing:
            hints = "".join(did_you_mean(m.split()[0], present) for m in missing)
            raise ReturnsError(
                f"{name}: the {what} has no {', '.join(repr(m) for m in missing)} column"
                f"{'s' if len(missing) > 1 else ''}{hints} (the columns are: "
                f"{listed(present)}): rename the column in the file, or map it with "
                "columns= in Python"
            )
        reason = np.zeros(table.height, dtype=np.int8)
        reason[blank_rows(table)] = BLANK  # a row with nothing in it is no return: excluded
        return cls(table, name, codes, reason)

    def excluded_by_reason(self) -> dict[str, int]:
        """How many rows were excluded, and why: ``blank``, ``after_period``."""
        return {
            name: int((self.reason == code).sum())
            for code, name in _EXCLUDED.items()
            if (self.reason == code).any()
        }

    def fail(self, mask: NDArray[np.bool_], code: str) -> None:
        """Reject, for ``code``, the rows in ``mask`` not rejected already."""
        self.reason[(self.reason == 0) & mask] = self.codes[code]

    def rejected(self, message: Callable[[str, Mapping[str, Any]], str]) -> pl.DataFrame:
        """The rejected rows as given (as text), each with its row, reason and a message
        (``message(reason, row)``), in row order."""
        table, reason = self.table, self.reason
        columns = [c for c in table.columns if c != ROW]
        bad = reason > 0
        if not bad.any():
            return pl.DataFrame(
                schema={ROW: pl.Int64, "reason": pl.String, "message": pl.String}
                | dict.fromkeys(columns, pl.String)
            )
        names = {number: name for name, number in self.codes.items()}
        rows = table.filter(pl.Series(bad)).with_columns(pl.exclude(ROW).cast(pl.String))
        codes = [names[int(c)] for c in reason[bad]]
        messages = [
            message(code, values)
            for code, values in zip(codes, rows.iter_rows(named=True), strict=True)
        ]
        return rows.select(
            ROW,
            pl.Series("reason", codes, dtype=pl.String),
            pl.Series("message", messages, dtype=pl.String),
            *columns,
        ).sort(ROW)


def months_through(period: str | None, year: FinancialYear, ends: Ints | None = None) -> int:
    """The last month (counted from the year's April, 0) a period covers: ``period`` (a month,
    quarter or the year itself), or, without one, the last month any row covers (``ends``; the
    year's end if there are none)."""
    if period is None:
        return int(ends.max()) if ends is not None and ends.size else 11
    parsed = parse_period(period)
    if not isinstance(parsed, Month | Quarter | FinancialYear) or not (
        year.start <= parsed.start < year.end
    ):
        raise ValueError(f"{period} is not a month, quarter or the year of {year}")
    last = parsed.end.year * 12 + parsed.end.month - 2  # the month before the end's
    return last - (year.start.year * 12 + year.start.month - 1)


def month_of(year: FinancialYear, through: int) -> Month:
    """The month ``through`` months after the year's April."""
    index = year.start.year * 12 + year.start.month - 1 + through
    return Month(index // 12, index % 12 + 1)


def year_months(column: pl.Series, year: FinancialYear) -> tuple[Ints, Ints]:
    """Each row's first month, counted from the year's April (0), and its length in months (1
    or 3; -1 where the period is not a month or a quarter: unreadable, or a financial year).
    The column is read as every table's period column is (text once per distinct value, date
    cells, spreadsheet date numbers: see :func:`contractkit.periods.parse_period`)."""
    periods = read_periods(column)
    months = periods.months
    wanted = (months == 1) | (months == 3)
    first = np.where(wanted, periods.first - (year.start_year * 12 + 3), -99)
    return first, np.where(wanted, months, -1)


def latest(
    size: int, key: Ints, first: Ints, values: Ints, given: NDArray[np.bool_]
) -> list[int | None]:
    """For each key (0 to size − 1), the value of its latest row (by first month) among those
    where a value is ``given``; None where there is none. Over whole columns."""
    value, found = latest_values(size, key, first, values, given)
    return [v if f else None for v, f in zip(value.tolist(), found.tolist(), strict=True)]


def latest_values(
    size: int, key: Ints, first: Ints, values: Ints, given: NDArray[np.bool_]
) -> tuple[Ints, NDArray[np.bool_]]:
    """:func:`latest` as arrays: each key's value (0 where there is none) and whether it has
    one."""
    row = latest_rows(size, key, first, given)
    found = row >= 0
    value = np.zeros(size, dtype=np.int64)
    value[found] = values[row[found]]
    return value, found


def latest_rows(size: int, key: Ints, first: Ints, given: NDArray[np.bool_]) -> Ints:
    """For each key (0 to size − 1), its latest row (by first month; on a tie, the row given
    last) among those where ``given``: its index, or -1 where there is none."""
    chosen = np.full(size, -1, dtype=np.int64)
    rows = np.flatnonzero(given)
    if rows.size == 0:
        return chosen
    order = rows[np.lexsort((first[rows], key[rows]))]
    last = order[np.r_[key[order][1:] != key[order][:-1], True]]
    chosen[key[last]] = last
    return chosen


def reject_overlaps(
    reason: NDArray[np.int8], line: Ints, first: Ints, months: Ints, code: int
) -> None:
    """Mark with ``code`` every row (still passing) whose months overlap another passing row's
    for the same ``line`` (all of them: none is chosen quietly)."""
    rows = np.flatnonzero(reason == 0)
    if rows.size < 2:
        return
    # One entry per month a row covers; a month held twice for one line is a clash.
    counts = months[rows]
    if (counts == 1).all():  # months only (the usual case): one entry each
        owner = rows
        key = line[owner] * 12 + first[owner]
    else:
        owner = np.repeat(rows, counts)
        offsets = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
        key = line[owner] * 12 + first[owner] + offsets
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = np.zeros(ordered.size, dtype=bool)
    same[1:] |= ordered[1:] == ordered[:-1]
    same[:-1] |= ordered[1:] == ordered[:-1]
    reason[np.unique(owner[order[same]])] = code


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
