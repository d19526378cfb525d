"""What the contract pays each service month by month: fixed instalments, variable payments for
activity (within any payment limit), and the incentive pot, paid in advance and reconciled at
the year end. Over whole columns of service-months."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import attrs
import numpy as np
import polars as pl

from contractkit._kernel import pence_sums as _sums
from contractkit._kernel.months import month_number
from contractkit.evaluation import Evaluation
from contractkit.model import KPI, Contract, Direction, Finance, Indicator, Measure
from contractkit.model.earning import earns
from contractkit.money import Money, split_pence
from contractkit.payments._activity import Activity, service_months
from contractkit.payments._breaches import Achievement, achievements
from contractkit.payments._lines import (
    Ints,
    counts,
    findings,
    half_up,
    join,
    lines,
    money,
    month_text,
    months,
    per,
    share_of,
)
from contractkit.periods import FinancialYear, parse_canonical

__all__ = ["Due", "ServiceMonths", "fixed_and_variable", "incentive", "year_of"]


def year_of(month: Ints | int) -> Ints | int:
    """The calendar year a month's financial year begins in (months as counts)."""
    return (month - 3) // 12


@attrs.frozen
class ServiceMonths:
    """Every month each service runs in, to the last month worked out: one row per service and
    month, in order of service and then month."""

    service: Ints
    month: Ints
    last: Ints
    """Per service: its last month in the term (whether or not it has been reached)."""
    through: int

    @classmethod
    def of(cls, contract: Contract, through: int) -> ServiceMonths:
        starts, last = service_months(contract)
        ends = np.minimum(last, through)
        spans = np.maximum(ends - starts + 1, 0)
        service = np.repeat(np.arange(len(contract.services), dtype=np.int64), spans)
        offsets = np.arange(service.size) - np.repeat(np.cumsum(spans) - spans, spans)
        return cls(service, np.repeat(starts, spans) + offsets, last, through)


@attrs.frozen
class Due:
    """Lines and findings, and each service-month's actual value (fixed + variable paid)."""

    lines: list[pl.DataFrame]
    findings: list[pl.DataFrame]
    value: Ints


def _instalments(annual: Ints) -> Ints:
    """Each annual amount in twelve instalments to the penny (one split per distinct amount):
    a matrix of rows × 12, April first."""
    distinct, inverse = np.unique(annual, return_inverse=True)
    table = np.array([split_pence(int(a), [1] * 12) for a in distinct.tolist()], dtype=np.int64)
    return table[inverse].reshape(annual.size, 12)


def fixed_and_variable(
    contract: Contract, finance: Finance, rows: ServiceMonths, activity: Activity | None
) -> Due:
    """Fixed instalments and variable payments for every service-month."""
    services = contract.services
    terms = [finance.payment(s.id) for s in services]
    ids = [s.id for s in services]
    out_lines: list[pl.DataFrame] = []
    out_findings: list[pl.DataFrame] = []
    value = np.zeros(rows.service.size, dtype=np.int64)
    month_of_year = (rows.month - 3) % 12

    fixed = np.array(
        [t.fixed.pence if t is not None and t.fixed is not None else -1 for t in terms],
        dtype=np.int64,
    )
    paid_fixed = fixed[rows.service] >= 0
    if paid_fixed.any():
        table = _instalments(np.maximum(fixed, 0))
        amount = table[rows.service, month_of_year][paid_fixed]
        value[paid_fixed] += amount
        texts = [
            f"{t.fixed} a year, paid in twelve monthly instalments"
            if t is not None and t.fixed is not None
            else None
            for t in terms
        ]
        out_lines.append(
            lines(
                rows.service[paid_fixed],
                rows.month[paid_fixed],
                "fixed",
                amount,
                per(rows.service[paid_fixed], texts),
            )
        )

    width = max((len(t.variable) for t in terms if t is not None), default=0)
    for position in range(width):
        currencies = [
            t.variable[position] if t is not None and len(t.variable) > position else None
            for t in terms
        ]
        has = np.array([c is not None for c in currencies])[rows.service]
        if not has.any():
            continue
        service, month = rows.service[has], rows.month[has]
        bottom = np.array([c.fraction.denominator if c else 1 for c in currencies])
        limit = np.array(
            [c.limit.pence if c is not None and c.limit is not None else -1 for c in currencies],
            dtype=np.int64,
        )
        reported, count = _counts(service, month, position, activity)
        # count × price × rate, exactly (each row's payment is within the largest amount: a
        # count beyond it was rejected when the activity was read).
        each = np.array([c.price.pence * c.fraction.numerator if c else 0 for c in currencies])
        gross = half_up(count, each[service], bottom[service])
        paid = gross.copy()
        capped = limit[service] >= 0
        if capped.any():
            running = (
                pl.DataFrame({"s": service, "y": year_of(month), "g": gross})
                .select(pl.col("g").cum_sum().over("s", "y"))
                .to_series()
                .to_numpy()
            )
            ceiling = limit[service]
            within = np.minimum(running, ceiling) - np.minimum(running - gross, ceiling)
            paid = np.where(capped, within, gross)
        value[has] += paid
        activity_names = [c.activity if c else None for c in currencies]
        rate_words = [
            ("" if c.fraction == 1 else f" at {c.rate}") if c is not None else None
            for c in currencies
        ]
        unit = [
            f" {c.activity} × {c.price}{r}" if c is not None else None
            for c, r in zip(currencies, rate_words, strict=True)
        ]
        unpaid = gross - paid
        over = unpaid > 0
        beyond = [
            f"above the payment limit of {c.limit} for the year"
            if c is not None and c.limit is not None
            else None
            for c in currencies
        ]
        basis = join(counts(count), per(service, unit))
        if over.any():
            beyond_basis = join(
                basis, "; ", money(unpaid), " ", per(service, beyond), " is not paid"
            )
            basis = pl.select(
                pl.when(pl.Series(over)).then(beyond_basis).otherwise(basis)
            ).to_series()
        out_lines.append(
            lines(
                service,
                month,
                "variable",
                paid,
                basis,
                reference=per(service, activity_names),
                quantity=count,
            )
        )
        missing = ~reported
        if missing.any():
            message = join(
                per(service[missing], ids),
                " reported no ",
                per(service[missing], activity_names),
                " activity for ",
                months(month[missing]),
                ": nothing is paid for it",
            )
            out_findings.append(
                findings(
                    "no_activity",
                    service[missing],
                    month[missing],
                    message,
                    detail=per(service[missing], activity_names),
                )
            )
        if over.any():
            message = join(
                per(service[over], ids),
                ": ",
                money(unpaid[over]),
                " of ",
                per(service[over], activity_names),
                " in ",
                months(month[over]),
                " is ",
                per(service[over], beyond),
            )
            out_findings.append(
                findings(
                    "payment_limit_reached",
                    service[over],
                    month[over],
                    message,
                    amount=unpaid[over],
                    detail=join(
                        per(service[over], activity_names), ", ", per(service[over], beyond)
                    ),
                )
            )
    _sums.require_room("the services' monthly values", value)
    for row in np.flatnonzero(_sums.beyond(value))[:1].tolist():
        _sums.within(
            int(value[row]),
            f"service {ids[rows.service[row]]}'s value for {month_text(int(rows.month[row]))} "
            "(its fixed and variable payments)",
        )
    return Due(out_lines, out_findings, value)


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


def incentive(
    contract: Contract, finance: Finance, rows: ServiceMonths, evaluation: Evaluation
) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
    """The incentive pot paid in advance month by month, and each year reconciled at its end
    against the indicators' achievement."""
    scheme = finance.incentive
    if scheme is None:
        return [], []
    services = contract.services
    indicators = {i.kpi: i for i in scheme.indicators}
    fixed = np.array(
        [
            t.fixed.pence
            if (t := finance.payment(s.id)) is not None and t.fixed is not None
            else -1
            for s in services
        ],
        dtype=np.int64,
    )
    eligible = [
        i for i, s in enumerate(services) if fixed[i] >= 0 and any(k in indicators for k in s.kpis)
    ]
    if not eligible:
        return [], []
    rate = scheme.fraction
    pots = np.full(len(services), -1, dtype=np.int64)
    if scheme.of == "value" and finance.value is not None:
        pot = share_of(finance.value.pence, rate)
        weights = [Fraction(int(fixed[i])) for i in eligible]
        pots[eligible] = split_pence(pot, weights) if any(weights) else [0] * len(eligible)
    else:
        pots[eligible] = half_up(fixed[eligible], rate.numerator, rate.denominator)
    base = (
        f"{scheme.pot} of the fixed payment"
        if scheme.of == "fixed"
        else f"its share of {scheme.pot} of the contract's value"
    )
    texts = [
        f"the incentive pot, {base} ({Money.from_pence(int(p))} a year), paid in advance in "
        "twelve instalments"
        if p >= 0
        else None
        for p in pots.tolist()
    ]
    advance = pots[rows.service] >= 0
    service, month = rows.service[advance], rows.month[advance]
    amount = _instalments(np.maximum(pots, 0))[service, (month - 3) % 12]
    out_lines = [lines(service, month, "incentive_advance", amount, per(service, texts))]
    # The year end of each service's year: March, or the month the service ends.
    advanced = (
        pl.DataFrame({"service": service, "year": year_of(month), "amount": amount})
        .group_by("service", "year", maintain_order=True)
        .agg(pl.col("amount").sum())
    )
    table = evaluation.table
    years = {
        p: year_of(month_number(parse_canonical(p).start))
        for p in table.get_column("period").unique().to_list()
    }
    table = table.with_columns(_year=pl.col("period").replace_strict(years, return_dtype=pl.Int64))
    kpis = {k: contract.kpi(k) for k in indicators}
    found = achievements(table, kpis)
    year_lines: list[dict[str, object]] = []
    missing: list[dict[str, object]] = []
    for index, year, paid in advanced.iter_rows():  # one per service and year
        year_end = min(year * 12 + 14, int(rows.last[index]))
        if year_end > rows.through:
            continue  # the year (or the service) has not ended yet
        svc = services[index]
        own = [indicators[k] for k in svc.kpis if k in indicators]
        shares = split_pence(paid, [Fraction(i.weight) for i in own])
        earned = 0
        parts = []
        for indicator, share in zip(own, shares, strict=True):
            kpi = kpis[indicator.kpi]
            got = found.get((svc.id, kpi.id, year), Achievement(None, "not_assessed"))
            fraction, how = _earned(indicator, kpi, got)
            if got.status == "not_reported":
                missing.append(
                    {
                        "service": index,
                        "month": year_end,
                        "amount": share,
                        "message": f"{svc.id}'s indicator {kpi.id} earns nothing for "
                        f"{FinancialYear(year)}: a period's returns were due and not made (or "
                        "were all rejected, or too few to judge it)",
                    }
                )
            pence = share_of(share, fraction)
            earned += pence
            parts.append(
                f"{kpi.id}: {how} of {Money.from_pence(share)} = {Money.from_pence(pence)}"
            )
        year_lines.append(
            {
                "service": index,
                "month": year_end,
                "amount": earned - paid,
                "reference": str(FinancialYear(year)),
                "basis": f"{FinancialYear(year)} reconciled: {Money.from_pence(paid)} advanced, "
                f"{Money.from_pence(earned)} earned ({'; '.join(parts)})",
            }
        )
    if year_lines:
        frame = pl.DataFrame(year_lines)
        out_lines.append(
            lines(
                frame["service"],
                frame["month"],
                "incentive_year_end",
                frame["amount"],
                frame["basis"],
                reference=frame["reference"],
            )
        )
    out_findings = []
    if missing:
        frame = pl.DataFrame(missing)
        out_findings.append(
            findings(
                "indicator_not_reported",
                frame["service"],
                frame["month"],
                frame["message"],
                amount=frame["amount"],
            )
        )
    return out_lines, out_findings


def _earned(indicator: Indicator, kpi: KPI, got: Achievement) -> tuple[Fraction, str]:
    """The part of an indicator's share earned, and how, in words."""
    if got.value is None:
        if got.status == "not_reported":
            return Fraction(0), "not reported: earns nothing"
        return Fraction(1), "not assessed in the year (shadow or not due): earns in full"
    levels = tuple(Fraction(kpi.level(edge)) for edge in indicator.curve.edges())
    fraction = earns(indicator.curve, got.value, levels, kpi.better is Direction.HIGHER)
    return fraction, f"{level_words(kpi, got.value, places=2)} earns {float(fraction) * 100:.2f}%"


def level_words(kpi: KPI, value: Fraction, *, places: int | None = None) -> str:
    """A level in the KPI's terms: as written where it is exact in a few places (a threshold's
    70%, 12.5 per 1,000), else to ``places`` decimal places (an achievement's 72.14%)."""
    scale = 100 if kpi.measure is Measure.PROPORTION else 1
    number = value * scale
    exact = Decimal(number.numerator) / Decimal(number.denominator)
    if places is None and exact == exact.quantize(Decimal("0.0001")):
        text = f"{exact.normalize():f}"
    else:
        text = f"{float(number):.{2 if places is None else places}f}"
    if kpi.measure is Measure.PROPORTION:
        return f"{text}%"
    if kpi.measure is Measure.MEAN:
        return f"{text} {kpi.unit}"
    if kpi.measure is Measure.RATE:
        return f"{text} per {kpi.per:,}"
    return text
