"""Activity returns and outcome claims for a payment statement, every row accounted for.

**Activity** (what the variable element pays for): ``service``, ``period`` (a month,
``2026-07``), ``activity`` (the priced activity's name; may be left out where every service
prices one activity) and ``count`` (a whole number of units).

**Outcome claims** (what outcome payments pay for): ``service``, ``person`` (a pseudonymous id),
``outcome`` (an outcome on the rate card) and ``period`` (the month it was achieved). An outcome
is paid once per person: a later claim for the same person and outcome is rejected.

Each row is accepted, rejected with a stable reason, or excluded (a month after the statement).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Bools, Ints
from contractkit._kernel.period_column import read_periods, unreadable_message
from contractkit._kernel.row_checks import LATER, RowChecks
from contractkit._kernel.suggest import did_you_mean
from contractkit.errors import ReturnsError
from contractkit.model import Contract, Currency
from contractkit.money import MAX_AMOUNT, MAX_PENCE
from contractkit.payments._service_months import service_months
from contractkit.periods import Month

__all__ = [
    "ACTIVITY_REASONS",
    "CLAIM_REASONS",
    "Activity",
    "Claims",
    "accounts",
    "month_index",
    "read_activity",
    "read_claims",
]

ACTIVITY_REASONS: dict[str, str] = {
    "unknown_service": "the service is not in the contract",
    "unknown_activity": "the service has no price for this activity",
    "unreadable_period": "the period is not a month",
    "outside_service": "the month is outside the months the service runs in the term",
    "missing_count": "the count is empty",
    "not_a_count": "the count is not a whole number of units, zero or more",
    "beyond_maximum": "the count would be paid more than the largest amount contractkit holds, "
    "£9,999,999,999,999.99",
    "duplicate": "more than one row for the same service, activity and month: all are rejected",
}
"""Why an activity row can be rejected: stable codes, in the order the checks are made."""

CLAIM_REASONS: dict[str, str] = {
    "unknown_service": "the service is not in the contract",
    "unknown_outcome": "the outcome is not on the rate card",
    "unreadable_period": "the period is not a month",
    "outside_service": "the month is outside the months the service runs in the term",
    "missing_person": "the person is empty",
    "repeat_claim": "the outcome was already claimed for this person: it is paid once",
}
"""Why an outcome claim can be rejected: stable codes, in the order the checks are made."""


def month_index(column: pl.Series) -> Ints:
    """Each row's month as a count of months (year × 12 + month − 1), -1 where it is not a
    month (unreadable, or a quarter or a year). The column is read as every table's period
    column is (text once per distinct value, date cells, spreadsheet date numbers: see
    :func:`contractkit.periods.parse_period`)."""
    periods = read_periods(column)
    return np.where(periods.months == 1, periods.first, -1)


@attrs.frozen
class Activity:
    """Activity rows checked against a contract: per accepted row, its service (index in the
    contract), currency (index in the service's variable element), month and count."""

    service: Ints
    currency: Ints
    month: Ints
    count: Ints
    rejected: pl.DataFrame
    account: dict[str, Any]


@attrs.frozen
class Claims:
    """Outcome claims checked against a contract: per accepted claim, its service, person,
    outcome (index on the rate card) and month."""

    service: Ints
    person: pl.Series
    outcome: Ints
    month: Ints
    rejected: pl.DataFrame
    account: dict[str, Any]


def _service_index(checks: RowChecks, contract: Contract) -> tuple[Ints, pl.Series]:
    text = checks.table.get_column("service").cast(pl.String).str.strip_chars()
    ids = {s.id: i for i, s in enumerate(contract.services)}
    index = text.replace_strict(ids, default=-1, return_dtype=pl.Int64).to_numpy()
    checks.fail(index < 0, "unknown_service")
    return index, text


def _months(checks: RowChecks, contract: Contract, service: Ints) -> Ints:
    month = month_index(checks.table.get_column("period"))
    checks.fail(month < 0, "unreadable_period")
    first, last = service_months(contract)
    known = service >= 0
    safe = np.where(known, service, 0)
    outside = known & ((month < first[safe]) | (month > last[safe]))
    checks.fail(outside, "outside_service")
    return month


def _exclude_after(checks: RowChecks, month: Ints, through: int | None) -> None:
    if through is not None:
        checks.reason[(checks.reason == 0) & (month > through)] = LATER


def read_activity(
    source: Any,
    contract: Contract,
    *,
    through: int | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Activity:
    """Read and check activity returns against a contract's variable payments, excluding
    months after ``through`` (a month count)."""
    currencies = _currencies(contract)
    priced = [[c.activity for c in own] for own in currencies]
    codes = {name: i + 1 for i, name in enumerate(ACTIVITY_REASONS)}
    checks = RowChecks.open(
        source, columns, sheet, "table of activity", ("service", "period", "count"), codes
    )
    service, service_text = _service_index(checks, contract)
    activity_text = _activity_names(checks, contract, priced, service)
    currency = _currency_index(priced, contract, service_text, activity_text)
    checks.fail(currency < 0, "unknown_activity")
    month = _months(checks, contract, service)
    count = _count(checks)
    width = max((len(names) for names in priced), default=0) + 1
    most = _most_counts(currencies, width)
    known = (service >= 0) & (currency >= 0)
    place = np.where(known, service * width + currency, 0)
    checks.fail(known & (count > most[place]), "beyond_maximum")
    _exclude_after(checks, month, through)
    passing = checks.reason == 0
    key = np.where(passing, (service * width + currency) * 1_000_000 + month, -1)
    repeated = _repeated(key, passing)
    checks.reason[repeated] = codes["duplicate"]
    ok = checks.reason == 0
    rejected = checks.rejected(_activity_message(contract, currencies))
    return Activity(
        service=service[ok],
        currency=currency[ok],
        month=month[ok],
        count=count[ok],
        rejected=rejected,
        account=_account(checks, rejected),
    )


def _currencies(contract: Contract) -> list[list[Currency]]:
    """Each service's priced activities (its variable element's currencies; none where it has
    no variable element)."""
    finance = contract.finance
    return [
        list(payment.variable) if payment is not None else []
        for payment in (finance.payment(s.id) if finance else None for s in contract.services)
    ]


def _activity_names(
    checks: RowChecks, contract: Contract, priced: Sequence[Sequence[str]], service: Ints
) -> pl.Series:
    """Each row's activity: its ``activity`` column, or, where there is none, the one activity
    its service prices (refused where a service prices more than one)."""
    table = checks.table
    if "activity" in table.columns:
        return table.get_column("activity").cast(pl.String).str.strip_chars()
    several = [contract.services[i].id for i, names in enumerate(priced) if len(names) > 1]
    if several:
        raise ReturnsError(
            f"{checks.name}: the activity has no 'activity' column, but "
            f"{', '.join(several)} price{'s' if len(several) == 1 else ''} more than one "
            "activity: say which activity each row counts"
        )
    return pl.Series(
        [priced[i][0] if i >= 0 and priced[i] else None for i in service.tolist()],
        dtype=pl.String,
    )


def _currency_index(
    priced: Sequence[Sequence[str]],
    contract: Contract,
    service_text: pl.Series,
    activity_text: pl.Series,
) -> Ints:
    """Each row's currency (its activity's place in its service's variable element), -1 where
    the service does not price the activity."""
    keys = pl.DataFrame(
        {
            "service": [contract.services[i].id for i, names in enumerate(priced) for _ in names],
            "activity": [name for names in priced for name in names],
            "currency": [j for names in priced for j in range(len(names))],
        },
        schema={"service": pl.String, "activity": pl.String, "currency": pl.Int64},
    )
    return (
        pl.DataFrame({"service": service_text, "activity": activity_text})
        .join(keys, on=["service", "activity"], how="left", maintain_order="left")
        .get_column("currency")
        .fill_null(-1)
        .to_numpy()
    )


def _count(checks: RowChecks) -> Ints:
    """Each row's count (-1 where it is empty or not a whole number of units, zero or more:
    those rows fail)."""
    raw = checks.table.get_column("count").cast(pl.String).str.strip_chars()
    checks.fail(raw.is_null().to_numpy() | (raw == "").fill_null(True).to_numpy(), "missing_count")
    whole = raw.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    count = whole.fill_null(-1).to_numpy()
    checks.fail(count < 0, "not_a_count")
    return count


def read_claims(
    source: Any,
    contract: Contract,
    *,
    through: int | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Claims:
    """Read and check outcome claims against the contract's rate card, excluding months after
    ``through``. Of several claims for one person and outcome, the earliest (then the first
    listed) is kept and the rest are rejected as ``repeat_claim``."""
    finance = contract.finance
    rates = finance.outcome_payments.rates if finance and finance.outcome_payments else ()
    codes = {name: i + 1 for i, name in enumerate(CLAIM_REASONS)}
    checks = RowChecks.open(
        source,
        columns,
        sheet,
        "table of outcome claims",
        ("service", "person", "outcome", "period"),
        codes,
    )
    table = checks.table
    service, _ = _service_index(checks, contract)
    outcome_ids = {rate.outcome: i for i, rate in enumerate(rates)}
    outcome_text = table.get_column("outcome").cast(pl.String).str.strip_chars()
    outcome = outcome_text.replace_strict(outcome_ids, default=-1, return_dtype=pl.Int64).to_numpy()
    checks.fail(outcome < 0, "unknown_outcome")
    month = _months(checks, contract, service)
    person = table.get_column("person").cast(pl.String).str.strip_chars()
    checks.fail((person.is_null() | (person == "")).fill_null(True).to_numpy(), "missing_person")
    _exclude_after(checks, month, through)
    later = _repeat_claims(person, outcome, month, checks.reason == 0)
    checks.reason[later] = codes["repeat_claim"]
    ok = checks.reason == 0
    rejected = checks.rejected(_claim_message(contract, list(outcome_ids)))
    return Claims(
        service=service[ok],
        person=person.filter(pl.Series(ok)),
        outcome=outcome[ok],
        month=month[ok],
        rejected=rejected,
        account=_account(checks, rejected),
    )


def accounts(
    activity: Activity | None, claims: Claims | None
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The rejected activity and outcome rows, and the account of every row of each."""
    parts = []
    account: dict[str, Any] = {"source": [], "read": 0, "accepted": 0, "rejected": 0, "excluded": 0}
    for name, read in (("activity", activity), ("outcomes", claims)):
        if read is None:
            continue
        account[name] = read.account
        account["source"].append(read.account["source"])
        for key in ("read", "accepted", "rejected", "excluded"):
            account[key] += read.account[key]
        if read.rejected.height:
            parts.append(
                read.rejected.select(pl.lit(name).alias("file"), "row", "reason", "message")
            )
    account["source"] = ", ".join(account["source"]) or "no activity or outcome claims"
    rejected = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(
            schema={"file": pl.String, "row": pl.Int64, "reason": pl.String, "message": pl.String}
        )
    )
    return rejected, account


def _repeat_claims(person: pl.Series, outcome: Ints, month: Ints, passing: Bools) -> Ints:
    """The passing claims (their rows) for a person and outcome already claimed: the first of
    each person and outcome, by month and then by position, is kept."""
    frame = pl.DataFrame(
        {
            "person": person,
            "outcome": outcome,
            "month": month,
            "at": np.arange(person.len()),
            "ok": passing,
        }
    ).filter(pl.col("ok"))
    return (
        frame.sort("month", "at")
        .filter(pl.int_range(pl.len()).over("person", "outcome") > 0)
        .get_column("at")
        .to_numpy()
    )


def _most_counts(currencies: Sequence[Sequence[Currency]], width: int) -> Ints:
    """Per service and currency (at ``service × width + currency``): the largest count whose
    payment — count × price × rate, rounded half-up once — is within the largest amount."""
    every = np.iinfo(np.int64).max
    most = np.full(len(currencies) * width, every, dtype=np.int64)
    found: dict[tuple[int, object], int] = {}  # worked out once per price and rate
    for index, own in enumerate(currencies):
        for position, currency in enumerate(own):
            key = (currency.price.pence, currency.rate)
            if key not in found:
                unit = currency.price.pence * currency.fraction
                found[key] = every
                if unit > 0:  # count × unit < MAX_PENCE + ½
                    largest = ((2 * MAX_PENCE + 1) * unit.denominator - 1) // (2 * unit.numerator)
                    found[key] = min(largest, every)
            most[index * width + position] = found[key]
    return most


def _repeated(key: Ints, passing: Bools) -> Bools:
    """The passing rows whose key another passing row shares (all of them)."""
    rows = np.flatnonzero(passing)
    out = np.zeros(key.size, dtype=bool)
    if rows.size < 2:
        return out
    _, inverse, counts = np.unique(key[rows], return_inverse=True, return_counts=True)
    out[rows[counts[inverse] > 1]] = True
    return out


def _account(checks: RowChecks, rejected: pl.DataFrame) -> dict[str, Any]:
    reason = checks.reason
    return {
        "source": checks.name,
        "read": int(reason.size),
        "accepted": int((reason == 0).sum()),
        "rejected": int((reason > 0).sum()),
        "excluded": int((reason < 0).sum()),
        "excluded_by_reason": checks.excluded_by_reason(),
        "rejected_by_reason": (
            dict(rejected.group_by("reason").len().sort("reason").rows()) if rejected.height else {}
        ),
    }


def _activity_message(contract: Contract, currencies: Sequence[Sequence[Currency]]) -> Any:
    ids = [s.id for s in contract.services]
    priced = [[c.activity for c in own] for own in currencies]

    def message(code: str, row: Mapping[str, Any]) -> str:
        service = row.get("service")
        if code == "unknown_service":
            return f"no service {service!r} in the contract{did_you_mean(str(service), ids)}"
        if code == "unknown_activity":
            names = priced[ids.index(service)] if service in ids else []
            if not names:
                return f"service {service!r} has no variable payment in the contract"
            return (
                f"service {service!r} has no price for {row.get('activity')!r} (it prices: "
                f"{', '.join(names)}){did_you_mean(str(row.get('activity')), names)}"
            )
        if code == "unreadable_period":
            return unreadable_message(row.get("period"), (Month,), "activity")
        if code == "outside_service":
            return f"{row.get('period')} is outside the months {service} runs in the term"
        if code in ("missing_count", "not_a_count"):
            return f"count {row.get('count')!r}: {ACTIVITY_REASONS[code]}"
        if code == "beyond_maximum":
            own = currencies[ids.index(str(service).strip())]
            named = str(row.get("activity") or own[0].activity).strip()
            currency = next(c for c in own if c.activity == named)
            rate = "" if currency.fraction == 1 else f" at {currency.rate}"
            return (
                f"count {row.get('count')!r}: {currency.activity} × {currency.price}{rate} would "
                f"be paid more than the largest amount contractkit holds, {MAX_AMOUNT}"
            )
        return f"{service}, {row.get('activity', '')} {row.get('period')}: {ACTIVITY_REASONS[code]}"

    return message


def _claim_message(contract: Contract, outcomes: list[str]) -> Any:
    ids = [s.id for s in contract.services]

    def message(code: str, row: Mapping[str, Any]) -> str:
        service = row.get("service")
        if code == "unknown_service":
            return f"no service {service!r} in the contract{did_you_mean(str(service), ids)}"
        if code == "unknown_outcome":
            outcome = str(row.get("outcome"))
            if not outcomes:
                return "the contract has no outcome payments"
            return (
                f"{outcome!r} is not on the rate card (it prices: {', '.join(outcomes)})"
                f"{did_you_mean(outcome, outcomes)}"
            )
        if code == "unreadable_period":
            return unreadable_message(row.get("period"), (Month,), "an outcome claim")
        if code == "outside_service":
            return f"{row.get('period')} is outside the months {service} runs in the term"
        if code == "missing_person":
            return "the person is empty: each claim names the person (a pseudonymous id)"
        return f"person {row.get('person')!r}, {row.get('outcome')}: {CLAIM_REASONS[code]}"

    return message
