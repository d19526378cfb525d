"""What the contract pays each service month by month for its fixed and variable elements: fixed
instalments, and variable payments for activity (within any payment limit), with each
service-month's actual value (what withholding takes its rate of). Over whole columns of
service-months."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import polars as pl

from contractkit._kernel import pence_sums as _sums
from contractkit._kernel.arrays import Bools, Ints
from contractkit._kernel.pence_sums import half_up
from contractkit.model import Contract, Currency, Finance
from contractkit.model.payment_terms import ServicePayment
from contractkit.money import split_pence
from contractkit.payments._activity import Activity
from contractkit.payments._column_words import counts, join, money, month_text, months, per
from contractkit.payments._lines import findings, lines
from contractkit.payments._service_months import ServiceMonths, year_of

__all__ = ["Due", "fixed_and_variable", "fixed_pence", "instalments"]


@attrs.frozen
class Due:
    """Lines and findings, and each service-month's actual value (fixed + variable paid)."""

    lines: list[pl.DataFrame]
    findings: list[pl.DataFrame]
    value: Ints


def instalments(annual: Ints) -> Ints:
    """Each annual amount in twelve instalments to the penny (one split per distinct amount):
    a matrix of rows × 12, April first."""
    distinct, inverse = np.unique(annual, return_inverse=True)
    table = np.array([split_pence(int(a), [1] * 12) for a in distinct.tolist()], dtype=np.int64)
    return table[inverse].reshape(annual.size, 12)


def fixed_pence(terms: Sequence[ServicePayment | None]) -> Ints:
    """Each service's fixed payment a year, in pence (-1 where it has none)."""
    return np.array(
        [t.fixed.pence if t is not None and t.fixed is not None else -1 for t in terms],
        dtype=np.int64,
    )


@attrs.frozen
class _Paid:
    """One element's payments: the service-months it pays (a mask over the rows), what it pays
    each of them, its lines and its findings."""

    rows: Bools
    amount: Ints
    lines: pl.DataFrame
    findings: list[pl.DataFrame]


def fixed_and_variable(
    contract: Contract, finance: Finance, rows: ServiceMonths, activity: Activity | None
) -> Due:
    """Fixed instalments and variable payments for every service-month."""
    terms = [finance.payment(s.id) for s in contract.services]
    ids = [s.id for s in contract.services]
    width = max((len(t.variable) for t in terms if t is not None), default=0)
    parts = [
        _fixed(terms, rows),
        *(_variable(_Priced.at(terms, position), ids, rows, activity) for position in range(width)),
    ]
    value = np.zeros(rows.service.size, dtype=np.int64)
    out_lines: list[pl.DataFrame] = []
    out_findings: list[pl.DataFrame] = []
    for part in parts:
        if part is not None:
            value[part.rows] += part.amount
            out_lines.append(part.lines)
            out_findings.extend(part.findings)
    _check_values(value, ids, rows)
    return Due(out_lines, out_findings, value)


def _fixed(terms: Sequence[ServicePayment | None], rows: ServiceMonths) -> _Paid | None:
    """The fixed element's monthly instalments (None where no service has one)."""
    fixed = fixed_pence(terms)
    paid = fixed[rows.service] >= 0
    if not paid.any():
        return None
    amount = instalments(np.maximum(fixed, 0))[rows.service, (rows.month - 3) % 12][paid]
    texts = [
        f"{t.fixed} a year, paid in twelve monthly instalments"
        if t is not None and t.fixed is not None
        else None
        for t in terms
    ]
    service = rows.service[paid]
    return _Paid(
        paid, amount, lines(service, rows.month[paid], "fixed", amount, per(service, texts)), []
    )


def _check_values(value: Ints, ids: Sequence[str], rows: ServiceMonths) -> None:
    """Refuse service-months' values whose sums might not be exact, or beyond the largest
    amount (naming the first)."""
    _sums.require_room("the services' monthly values", value)
    for row in np.flatnonzero(_sums.beyond(value))[:1].tolist():
        _sums.within(
            int(value[row]),
            f"service {ids[rows.service[row]]}'s value for {month_text(int(rows.month[row]))} "
            "(its fixed and variable payments)",
        )


@attrs.frozen
class _Priced:
    """One place in the services' variable elements (the first activity each prices, the
    second, ...): per service (by index), its currency there (None where it has none), in numbers
    and in words."""

    position: int
    currencies: list[Currency | None]
    each: Ints
    """The price × the rate's numerator (0 where none)."""
    bottom: Ints
    """The rate's denominator (1 where none)."""
    limit: Ints
    """The payment limit for a year, in pence (-1 where none)."""
    activity: list[str | None]
    unit: list[str | None]
    """`` contact × £45.50`` (and `` at 90%`` where the rate is less than the price)."""
    beyond: list[str | None]
    """``above the payment limit of £60,000.00 for the year`` (None where there is no limit)."""

    @classmethod
    def at(cls, terms: Sequence[ServicePayment | None], position: int) -> _Priced:
        currencies = [
            t.variable[position] if t is not None and len(t.variable) > position else None
            for t in terms
        ]
        rate_words = [
            ("" if c.fraction == 1 else f" at {c.rate}") if c is not None else None
            for c in currencies
        ]
        return cls(
            position=position,
            currencies=currencies,
            each=np.array([c.price.pence * c.fraction.numerator if c else 0 for c in currencies]),
            bottom=np.array([c.fraction.denominator if c else 1 for c in currencies]),
            limit=np.array(
                [
                    c.limit.pence if c is not None and c.limit is not None else -1
                    for c in currencies
                ],
                dtype=np.int64,
            ),
            activity=[c.activity if c else None for c in currencies],
            unit=[
                f" {c.activity} × {c.price}{r}" if c is not None else None
                for c, r in zip(currencies, rate_words, strict=True)
            ],
            beyond=[
                f"above the payment limit of {c.limit} for the year"
                if c is not None and c.limit is not None
                else None
                for c in currencies
            ],
        )


def _variable(
    priced: _Priced, ids: Sequence[str], rows: ServiceMonths, activity: Activity | None
) -> _Paid | None:
    """The variable payments for one place in the variable elements (None where no service
    prices an activity there)."""
    has = np.array([c is not None for c in priced.currencies])[rows.service]
    if not has.any():
        return None
    service, month = rows.service[has], rows.month[has]
    reported, count = _counts(service, month, priced.position, activity)
    gross, paid = _within_limit(priced, service, month, count)
    unpaid = gross - paid
    basis = _variable_basis(priced, service, count, unpaid)
    reference = per(service, priced.activity)
    return _Paid(
        has,
        paid,
        lines(service, month, "variable", paid, basis, reference=reference, quantity=count),
        _variable_findings(priced, ids, service, month, ~reported, unpaid),
    )


def _within_limit(priced: _Priced, service: Ints, month: Ints, count: Ints) -> tuple[Ints, Ints]:
    """Per service-month: the activity's worth (count × price × rate, rounded half-up once),
    and what is paid for it within the payment limit for the year (added up month by month)."""
    # count × price × rate, exactly (each row's payment is within the largest amount: a
    # count beyond it was rejected when the activity was read).
    gross = half_up(count, priced.each[service], priced.bottom[service])
    capped = priced.limit[service] >= 0
    if not capped.any():
        return gross, gross.copy()
    running = (
        pl.DataFrame({"s": service, "y": year_of(month), "g": gross})
        .select(pl.col("g").cum_sum().over("s", "y"))
        .to_series()
        .to_numpy()
    )
    ceiling = priced.limit[service]
    within = np.minimum(running, ceiling) - np.minimum(running - gross, ceiling)
    return gross, np.where(capped, within, gross)


def _variable_basis(priced: _Priced, service: Ints, count: Ints, unpaid: Ints) -> pl.Series:
    """Why each variable line is what it is: the count and price, and what the limit left
    unpaid."""
    basis = join(counts(count), per(service, priced.unit))
    over = unpaid > 0
    if not over.any():
        return basis
    beyond_basis = join(
        basis, "; ", money(unpaid), " ", per(service, priced.beyond), " is not paid"
    )
    return pl.select(pl.when(pl.Series(over)).then(beyond_basis).otherwise(basis)).to_series()


def _variable_findings(
    priced: _Priced,
    ids: Sequence[str],
    service: Ints,
    month: Ints,
    missing: Bools,
    unpaid: Ints,
) -> list[pl.DataFrame]:
    """Findings for the months with no activity reported, and for activity above the payment
    limit."""
    out: list[pl.DataFrame] = []
    if missing.any():
        message = join(
            per(service[missing], ids),
            " reported no ",
            per(service[missing], priced.activity),
            " activity for ",
            months(month[missing]),
            ": nothing is paid for it",
        )
        detail = per(service[missing], priced.activity)
        out.append(
            findings("no_activity", service[missing], month[missing], message, detail=detail)
        )
    over = unpaid > 0
    if over.any():
        activity, beyond = per(service[over], priced.activity), per(service[over], priced.beyond)
        message = join(
            per(service[over], ids),
            ": ",
            money(unpaid[over]),
            " of ",
            activity,
            " in ",
            months(month[over]),
            " is ",
            beyond,
        )
        out.append(
            findings(
                "payment_limit_reached",
                service[over],
                month[over],
                message,
                amount=unpaid[over],
                detail=join(activity, ", ", beyond),
            )
        )
    return out


def _counts(
    service: Ints, month: Ints, position: int, activity: Activity | None
) -> tuple[np.ndarray, Ints]:
    """Per service-month: whether activity was reported for the currency, and its count."""
    if activity is None:
        return np.zeros(service.size, dtype=bool), np.zeros(service.size, dtype=np.int64)
    mine = activity.currency == position
    found = pl.DataFrame({"service": service, "month": month}).join(
        pl.DataFrame(
            {
                "service": activity.service[mine],
                "month": activity.month[mine],
                "count": activity.count[mine],
            }
        ),
        on=["service", "month"],
        how="left",
        maintain_order="left",
    )
    column = found.get_column("count")
    return column.is_not_null().to_numpy(), column.fill_null(0).to_numpy()
