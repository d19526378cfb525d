"""The incentive pot: each eligible service's pot (a rate of its fixed payment, or its share of
a rate of the contract's value), paid in advance in twelve monthly instalments, and each year
reconciled at its end against the indicators' achievement (each indicator's share of what was
advanced earns the part its curve gives, and the difference is paid or recovered).

The advances are worked out over whole columns of service-months; the reconciliation goes
through the service-years that have ended, one at a time (a handful per service).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Ints
from contractkit._kernel.pence_sums import half_up, share_of
from contractkit.evaluation import Evaluation
from contractkit.model import KPI, Contract, Direction, Finance, Indicator, Service
from contractkit.model.earning import earns
from contractkit.model.payment_terms import Incentive
from contractkit.money import Money, split_pence
from contractkit.payments._breaches import NOT_ASSESSED, NOT_REPORTED, Achievement, achievements
from contractkit.payments._column_words import per
from contractkit.payments._levels import level_words
from contractkit.payments._lines import findings, lines
from contractkit.payments._service_months import ServiceMonths, year_of, year_of_period
from contractkit.payments._service_payments import fixed_pence, instalments
from contractkit.periods import FinancialYear

__all__ = ["incentive"]


def incentive(
    contract: Contract, finance: Finance, rows: ServiceMonths, evaluation: Evaluation
) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
    """The incentive pot paid in advance month by month, and each year reconciled at its end
    against the indicators' achievement."""
    scheme = finance.incentive
    if scheme is None:
        return [], []
    pots = _pots(contract, finance, scheme)
    if pots is None:
        return [], []
    advance = pots[rows.service] >= 0
    service, month = rows.service[advance], rows.month[advance]
    amount = instalments(np.maximum(pots, 0))[service, (month - 3) % 12]
    texts = _advance_words(scheme, pots)
    out_lines = [lines(service, month, "incentive_advance", amount, per(service, texts))]
    advanced = (
        pl.DataFrame({"service": service, "year": year_of(month), "amount": amount})
        .group_by("service", "year", maintain_order=True)
        .agg(pl.col("amount").sum())
    )
    scored = _Indicators.of(contract, scheme, evaluation)
    year_lines, missing = _year_ends(contract, scored, rows, advanced)
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


def _pots(contract: Contract, finance: Finance, scheme: Incentive) -> Ints | None:
    """Each service's pot for a year, in pence (-1 where it has none: no fixed payment, or no
    indicator among its KPIs); None where no service has one."""
    services = contract.services
    indicators = {i.kpi for i in scheme.indicators}
    fixed = fixed_pence([finance.payment(s.id) for s in services])
    eligible = [
        i for i, s in enumerate(services) if fixed[i] >= 0 and any(k in indicators for k in s.kpis)
    ]
    if not eligible:
        return None
    rate = scheme.fraction
    pots = np.full(len(services), -1, dtype=np.int64)
    if scheme.of == "value" and finance.value is not None:
        pot = share_of(finance.value.pence, rate)
        weights = [Fraction(int(fixed[i])) for i in eligible]
        pots[eligible] = split_pence(pot, weights) if any(weights) else [0] * len(eligible)
    else:
        pots[eligible] = half_up(fixed[eligible], rate.numerator, rate.denominator)
    return pots


def _advance_words(scheme: Incentive, pots: Ints) -> list[str | None]:
    """Each service's advance, in words (None where it has no pot)."""
    base = (
        f"{scheme.pot} of the fixed payment"
        if scheme.of == "fixed"
        else f"its share of {scheme.pot} of the contract's value"
    )
    return [
        f"the incentive pot, {base} ({Money.from_pence(int(p))} a year), paid in advance in "
        "twelve instalments"
        if p >= 0
        else None
        for p in pots.tolist()
    ]


@attrs.frozen
class _Indicators:
    """The scheme's indicators (by KPI), their KPIs, and each service, KPI and financial year's
    achievement."""

    by_kpi: dict[str, Indicator]
    kpis: dict[str, KPI]
    found: dict[tuple[str, str, int], Achievement]

    @classmethod
    def of(cls, contract: Contract, scheme: Incentive, evaluation: Evaluation) -> _Indicators:
        by_kpi = {i.kpi: i for i in scheme.indicators}
        table = evaluation.table
        years = {p: year_of_period(p) for p in table.get_column("period").unique().to_list()}
        table = table.with_columns(
            _year=pl.col("period").replace_strict(years, return_dtype=pl.Int64)
        )
        kpis = {k: contract.kpi(k) for k in by_kpi}
        return cls(by_kpi, kpis, achievements(table, kpis))

    def own(self, service: Service) -> list[Indicator]:
        """A service's indicators, in the order of its KPIs."""
        return [self.by_kpi[k] for k in service.kpis if k in self.by_kpi]

    def achieved(self, service: Service, kpi: KPI, year: int) -> Achievement:
        """A service's achievement of a KPI in a financial year (not assessed, if none)."""
        return self.found.get((service.id, kpi.id, year), Achievement(None, NOT_ASSESSED))


def _year_ends(
    contract: Contract, scored: _Indicators, rows: ServiceMonths, advanced: pl.DataFrame
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The year-end lines of the service-years that have ended (at March, or the month the
    service ends), and a finding for each indicator that earned nothing for want of returns."""
    year_lines: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for index, year, paid in advanced.iter_rows():  # one per service and year
        year_end = min(year * 12 + 14, int(rows.last[index]))
        if year_end > rows.through:
            continue  # the year (or the service) has not ended yet
        svc = contract.services[index]
        earned, parts, unreported = _reconcile(scored, svc, year, paid)
        missing.extend(
            {
                "service": index,
                "month": year_end,
                "amount": share,
                "message": f"{svc.id}'s indicator {kpi} earns nothing for "
                f"{FinancialYear(year)}: a period's returns were due and not made (or "
                "were all rejected, or too few to judge it)",
            }
            for kpi, share in unreported
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
    return year_lines, missing


def _reconcile(
    scored: _Indicators, service: Service, year: int, paid: int
) -> tuple[int, list[str], list[tuple[str, int]]]:
    """What a service earned of a year's advance (``paid``, split among its indicators by
    weight), each indicator's part in words, and the indicators not reported (with their
    shares)."""
    own = scored.own(service)
    shares = split_pence(paid, [Fraction(i.weight) for i in own])
    earned = 0
    parts = []
    unreported = []
    for indicator, share in zip(own, shares, strict=True):
        kpi = scored.kpis[indicator.kpi]
        got = scored.achieved(service, kpi, year)
        fraction, how = _earned(indicator, kpi, got)
        if got.status == NOT_REPORTED:
            unreported.append((kpi.id, share))
        pence = share_of(share, fraction)
        earned += pence
        parts.append(f"{kpi.id}: {how} of {Money.from_pence(share)} = {Money.from_pence(pence)}")
    return earned, parts, unreported


def _earned(indicator: Indicator, kpi: KPI, got: Achievement) -> tuple[Fraction, str]:
    """The part of an indicator's share earned, and how, in words."""
    if got.value is None:
        if got.status == NOT_REPORTED:
            return Fraction(0), "not reported: earns nothing"
        return Fraction(1), "not assessed in the year (shadow or not due): earns in full"
    levels = tuple(Fraction(kpi.level(edge)) for edge in indicator.curve.edges())
    fraction = earns(indicator.curve, got.value, levels, kpi.better is Direction.HIGHER)
    return fraction, f"{level_words(kpi, got.value, places=2)} earns {float(fraction) * 100:.2f}%"
