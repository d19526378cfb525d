"""Payment statements: what each provider was due, earned, had deducted, withheld, repaid and
retained, and why, line by line, from a contract, its evaluation and its activity.

The statement covers the months of a period (a month, a quarter or a financial year), up to
the last month the returns reach. Everything before is worked out too (a sum withheld earlier
may be repaid in the period), but only the period's lines are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit.evaluation import Evaluation, Explanation, evaluate
from contractkit.finance._activity import (
    Activity,
    Claims,
    read_activity,
    read_claims,
    service_months,
)
from contractkit.finance._earned import achievement, excess
from contractkit.finance._tables import POUNDS, TableOutputs
from contractkit.finance._withholding import OUTCOMES, RuleTerms, withhold
from contractkit.model import KPI, Contract, Direction, Finance, Measure
from contractkit.model.earning import earns
from contractkit.model.english import article
from contractkit.money import Money, split_pence
from contractkit.periods import FinancialYear, Month, Period, parse_period

__all__ = ["CATEGORIES", "ELEMENTS", "STATEMENT_FINDINGS", "Statement", "statement"]

Ints = NDArray[np.int64]

ELEMENTS: dict[str, str] = {
    "fixed": "due",
    "incentive_advance": "due",
    "variable": "earned",
    "outcome": "earned",
    "incentive_year_end": "earned",
    "consequence": "deducted",
    "withheld": "withheld",
    "repaid": "repaid",
    "retained": "retained",
}
"""Each kind of line, and the column of the statement it counts in."""

CATEGORIES = ("due", "earned", "deducted", "withheld", "repaid", "retained")
"""The statement's columns: payable = due + earned − deducted − withheld + repaid; retained is
withheld money kept for good (already counted when it was withheld)."""

STATEMENT_FINDINGS: dict[str, str] = {
    "no_activity": "a service with a variable payment reported no activity for a month",
    "payment_limit_reached": "activity in a month went unpaid: it is above the payment limit "
    "for the year",
    "withholding_in_force": "money is being withheld while an escalation step is in force",
    "retained": "money withheld was retained: the step did not clear in time",
    "indicator_not_reported": "an incentive indicator earned nothing: a return was not made",
    "per_person_cap_reached": "outcome payments for a person reached the per-person cap",
    "outcome_cap_reached": "outcome payments reached the contract's cap",
}
"""What a statement can find: stable codes, each with a one-line description."""

_ORDER = {name: i for i, name in enumerate(ELEMENTS)}
_LEDGER: dict[str, pl.DataType] = {
    "service": pl.String(),
    "month": pl.String(),
    "step": pl.String(),
    "rate": pl.String(),
    "value": pl.Int64(),
    "withheld": pl.Int64(),
    "outcome": pl.String(),
    "settled": pl.String(),
}


def _month_text(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def _month_count(month: Month) -> int:
    return month.year * 12 + month.month - 1


def _last_month(period: Period) -> int:
    end = period.end  # the day after the last
    return end.year * 12 + end.month - 2


def _year_of(month: int) -> int:
    """The calendar year a financial year begins in, for a month count."""
    return (month - 3) // 12


def _half_up(pence: Ints, numerator: int, denominator: int) -> Ints:
    """pence × numerator / denominator, rounded half-up once (pence not negative)."""
    return (2 * pence * numerator + denominator) // (2 * denominator)


def _money(pence: int) -> str:
    return Money.from_pence(pence).format()


@attrs.frozen(eq=False)
class Statement(TableOutputs):
    """A payment statement for a period: line by line, by provider, the withholding ledger, the
    outcome claims paid, and findings."""

    lines: pl.DataFrame
    """One row per provider, service, month and element (see ``ELEMENTS``): category, reference
    (the KPI, activity, outcome, step or year it concerns), quantity, amount (the figure) and
    payable (its effect on what is paid: the amount, its opposite for deductions and
    withholding, nothing for retention), and basis (why, in words)."""
    providers: pl.DataFrame
    """One row per provider: due, earned, deducted, withheld, repaid, payable, retained, and
    held (withheld and not yet repaid or retained, at the period's end)."""
    withholding: pl.DataFrame
    """Every sum withheld up to the period's end: service, month, step, rate, value, withheld,
    outcome (held, repaid, retained) and settled (the month it was repaid or retained)."""
    outcomes: pl.DataFrame
    """Every outcome claim paid up to the period's end: service, person, outcome, month,
    price, paid, and capped_by (what reduced it)."""
    findings: pl.DataFrame
    """code (see ``STATEMENT_FINDINGS``), provider, service, month, amount, message."""
    summary: dict[str, Any]
    """The period's figures (Money) and words."""
    rejected: pl.DataFrame
    """The activity and outcome rows not used, each with its source, reason and message."""
    account: dict[str, Any]
    """What became of every activity and outcome row."""
    evaluation: Evaluation = attrs.field(repr=False)
    """The evaluation the statement was drawn from."""

    TABLES: ClassVar[tuple[str, ...]] = (
        "lines",
        "providers",
        "withholding",
        "outcomes",
        "findings",
    )
    FORMAT: ClassVar[str] = "contractkit-statement"
    HEADLINE: ClassVar[str] = "summary"

    def explain(
        self,
        *,
        provider: str | None = None,
        service: str | None = None,
        month: str | None = None,
        element: str | None = None,
    ) -> Explanation:
        """Why a figure is what it is, in words: a provider's position (``provider="RQX"``),
        or the lines of a service, a month or an element (``service="ucr-south",
        element="withheld"``), each with its basis and the statement's exact amounts."""
        from contractkit.finance._statement_explain import explain_statement

        return explain_statement(
            self, provider=provider, service=service, month=month, element=element
        )

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Statement(contract={s['contract']!r}, period={s['period']}, due={s['due']}, "
            f"earned={s['earned']}, deducted={s['deducted']}, withheld={s['withheld']}, "
            f"repaid={s['repaid']}, payable={s['payable']})"
        )


def statement(
    contract: Contract,
    returns: Any,
    *,
    activity: Any = None,
    outcomes: Any = None,
    period: str | Period | None = None,
    as_of: date | None = None,
) -> Statement:
    """A payment statement from a contract with a ``finance:`` section, its returns (a file, a
    frame, or an :class:`~contractkit.Evaluation` already made), and its activity and outcome
    claims (files or frames; see :mod:`contractkit.finance`), for ``period`` (a month, quarter
    or financial year; by default the financial year to the last month the returns reach)."""
    finance = contract.finance
    if finance is None:
        raise ValueError(
            f"contract {contract.id} has no finance section: add 'finance:' to state what each "
            "service is paid"
        )
    evaluation = (
        returns if isinstance(returns, Evaluation) else evaluate(contract, returns, as_of=as_of)
    )
    known = _month_count(Month.parse(evaluation.meta["evaluated_to"]))
    term_first = _month_count(Month.from_date(contract.term.start))
    if period is None:
        wanted: Period = FinancialYear(_year_of(known))
    else:
        wanted = parse_period(period)
    first = max(_month_count(Month.from_date(wanted.start)), term_first)
    through = min(_last_month(wanted), known)
    if first > through:
        raise ValueError(
            f"no returns cover {wanted}: the returns reach {_month_text(known)}"
            if first > known
            else f"{wanted} is outside the contract's term"
        )
    used = read_activity(activity, contract, through=through) if activity is not None else None
    claims = read_claims(outcomes, contract, through=through) if outcomes is not None else None
    work = _Work(contract, finance, evaluation, through)
    work.fixed_and_variable(used)
    work.incentive()
    work.consequences()
    work.outcome_payments(claims)
    work.withholding()
    return work.build(first, through, str(wanted), used, claims)


class _Work:
    """A statement being worked out: the service-months, and the lines found so far."""

    def __init__(
        self, contract: Contract, finance: Finance, evaluation: Evaluation, through: int
    ) -> None:
        self.contract, self.finance, self.evaluation = contract, finance, evaluation
        self.through = through
        starts, ends = service_months(contract)
        ends = np.minimum(ends, through)
        spans = np.maximum(ends - starts + 1, 0)
        self.service = np.repeat(np.arange(len(contract.services), dtype=np.int64), spans)
        offsets = np.arange(self.service.size) - np.repeat(np.cumsum(spans) - spans, spans)
        self.month = np.repeat(starts, spans) + offsets
        self.starts, self.ends = starts, ends
        self.value = np.zeros(self.service.size, dtype=np.int64)
        self.lines: list[dict[str, Any]] = []
        self.findings: list[dict[str, Any]] = []
        self.ledger = pl.DataFrame()
        self.claims = pl.DataFrame()

    # --- the pieces ------------------------------------------------------------------------

    def _line(
        self,
        service: int,
        month: int,
        element: str,
        amount: int,
        basis: str,
        reference: str | None = None,
        quantity: int | None = None,
    ) -> None:
        self.lines.append(
            {
                "service": service,
                "month": month,
                "element": element,
                "reference": reference,
                "quantity": quantity,
                "amount": amount,
                "basis": basis,
            }
        )

    def _finding(
        self,
        code: str,
        service: int,
        month: int | None,
        amount: int | None,
        message: str,
        *,
        detail: str = "",
        count: int = 1,
    ) -> None:
        self.findings.append(
            {
                "code": code,
                "service": service,
                "month": month,
                "amount": amount,
                "message": message,
                "detail": detail,
                "count": count,
            }
        )

    def fixed_and_variable(self, activity: Activity | None) -> None:
        services = self.contract.services
        for index, svc in enumerate(services):
            terms = self.finance.payment(svc.id)
            if terms is None:
                continue
            rows = np.flatnonzero(self.service == index)
            months = self.month[rows]
            if terms.fixed is not None:
                instalments = split_pence(terms.fixed.pence, [1] * 12)
                for row, month in zip(rows.tolist(), months.tolist(), strict=True):
                    pence = instalments[(month - 3) % 12]
                    self.value[row] += pence
                    self._line(
                        index,
                        month,
                        "fixed",
                        pence,
                        f"{terms.fixed} a year, paid in twelve monthly instalments",
                    )
            for c, currency in enumerate(terms.variable):
                counts = np.zeros(months.size, dtype=np.int64)
                reported = np.zeros(months.size, dtype=bool)
                if activity is not None:
                    mine = (activity.service == index) & (activity.currency == c)
                    position = activity.month[mine] - (months[0] if months.size else 0)
                    inside = (position >= 0) & (position < months.size)
                    counts[position[inside]] = activity.count[mine][inside]
                    reported[position[inside]] = True
                rate = currency.fraction
                gross = _half_up(counts * currency.price.pence, rate.numerator, rate.denominator)
                paid = gross.copy()
                limit = currency.limit.pence if currency.limit is not None else None
                if limit is not None:
                    years = (months - 3) // 12
                    for year in np.unique(years).tolist():
                        inside_year = np.flatnonzero(years == year)
                        running = np.cumsum(gross[inside_year])
                        capped = np.minimum(running, limit)
                        paid[inside_year] = np.diff(np.r_[0, capped])
                rate_words = "" if rate == 1 else f" at {currency.rate}"
                for k, (row, month) in enumerate(zip(rows.tolist(), months.tolist(), strict=True)):
                    self.value[row] += int(paid[k])
                    if not reported[k]:
                        self._finding(
                            "no_activity",
                            index,
                            month,
                            None,
                            f"{svc.id} reported no {currency.activity} activity for "
                            f"{_month_text(month)}: nothing is paid for it",
                            detail=currency.activity,
                        )
                    basis = f"{int(counts[k]):,} {currency.activity} × {currency.price}{rate_words}"
                    if paid[k] < gross[k]:
                        basis += (
                            f"; {_money(int(gross[k] - paid[k]))} above the payment limit of "
                            f"{currency.limit} for the year is not paid"
                        )
                        self._finding(
                            "payment_limit_reached",
                            index,
                            month,
                            int(gross[k] - paid[k]),
                            f"{svc.id}: {_money(int(gross[k] - paid[k]))} of "
                            f"{currency.activity} in {_month_text(month)} is above the payment "
                            f"limit of {currency.limit} for the year",
                            detail=f"{currency.activity}, above the payment limit of "
                            f"{currency.limit} for the year",
                        )
                    self._line(
                        index,
                        month,
                        "variable",
                        int(paid[k]),
                        basis,
                        reference=currency.activity,
                        quantity=int(counts[k]),
                    )

    def incentive(self) -> None:
        scheme = self.finance.incentive
        if scheme is None:
            return
        contract = self.contract
        indicators = {i.kpi: i for i in scheme.indicators}
        fixed = {
            index: terms.fixed.pence
            for index, svc in enumerate(contract.services)
            if (terms := self.finance.payment(svc.id)) is not None and terms.fixed is not None
        }
        eligible = [
            index for index in fixed if any(k in indicators for k in contract.services[index].kpis)
        ]
        if not eligible:
            return
        rate = scheme.fraction
        if scheme.of == "value" and self.finance.value is not None:
            pot = int(
                _half_up(np.array([self.finance.value.pence]), rate.numerator, rate.denominator)[0]
            )
            pots = dict(zip(eligible, split_pence(pot, [fixed[i] for i in eligible]), strict=True))
        else:
            pots = {
                i: int(_half_up(np.array([fixed[i]]), rate.numerator, rate.denominator)[0])
                for i in eligible
            }
        table = self.evaluation.table
        years = {
            p: _year_of(_month_count(Month.from_date(parse_period(p).start)))
            for p in table.get_column("period").unique().to_list()
        }
        table = table.with_columns(
            _year=pl.col("period").replace_strict(years, return_dtype=pl.Int64)
        )
        for index in eligible:
            svc = contract.services[index]
            rows = np.flatnonzero(self.service == index)
            months = self.month[rows]
            instalments = split_pence(pots[index], [1] * 12)
            base = (
                f"the incentive pot, {scheme.pot} of "
                + ("the fixed payment" if scheme.of == "fixed" else "the contract's value")
                + f" ({_money(pots[index])} a year), paid in advance in twelve instalments"
            )
            advanced: dict[int, int] = {}
            for month in months.tolist():
                pence = instalments[(month - 3) % 12]
                advanced[_year_of(month)] = advanced.get(_year_of(month), 0) + pence
                self._line(index, month, "incentive_advance", pence, base)
            # The year end: each year whose last month (for this service) has been reached.
            own = [indicators[k] for k in svc.kpis if k in indicators]
            for year, paid in advanced.items():
                year_end = min(year * 12 + 14, int(self.ends[index]))
                last_of_service = int(service_months(contract)[1][index])
                if year_end != year * 12 + 14 and year_end != last_of_service:
                    continue  # the year (or the service) has not ended yet
                if year_end > self.through:
                    continue
                shares = split_pence(paid, [Fraction(i.weight) for i in own])
                earned = 0
                words = []
                for indicator, share in zip(own, shares, strict=True):
                    kpi = contract.kpi(indicator.kpi)
                    rows_of = table.filter(
                        (pl.col("service") == svc.id)
                        & (pl.col("kpi") == kpi.id)
                        & (pl.col("_year") == year)
                    )
                    found = achievement(rows_of, kpi)
                    if found.value is None:
                        part = 0 if found.status == "not_reported" else 1
                        fraction = Fraction(part)
                        if found.status == "not_reported":
                            self._finding(
                                "indicator_not_reported",
                                index,
                                year_end,
                                share,
                                f"{svc.id}'s indicator {kpi.id} earns nothing for "
                                f"{FinancialYear(year)}: a return was due and not made",
                            )
                            how = "not reported: earns nothing"
                        else:
                            how = "not assessed in the year (shadow or not due): earns in full"
                    else:
                        levels = tuple(
                            _fraction(kpi.level(edge)) for edge in indicator.curve.edges()
                        )
                        fraction = earns(
                            indicator.curve, found.value, levels, kpi.better is Direction.HIGHER
                        )
                        how = f"{_level(kpi, found.value)} earns {_percent(fraction)}"
                    pence = int(
                        _half_up(np.array([share]), fraction.numerator, fraction.denominator)[0]
                    )
                    earned += pence
                    words.append(f"{kpi.id}: {how} of {_money(share)} = {_money(pence)}")
                self._line(
                    index,
                    year_end,
                    "incentive_year_end",
                    earned - paid,
                    f"{FinancialYear(year)} reconciled: {_money(paid)} advanced, "
                    f"{_money(earned)} earned ({'; '.join(words)})",
                    reference=str(FinancialYear(year)),
                )

    def consequences(self) -> None:
        table = self.evaluation.table
        ids = {s.id: i for i, s in enumerate(self.contract.services)}
        for consequence in self.finance.consequences:
            kpi = self.contract.kpi(consequence.kpi)
            rows = table.filter(pl.col("kpi") == kpi.id)
            if rows.height == 0:
                continue
            charged = excess(rows, kpi, consequence)
            hit = np.flatnonzero(charged > 0)
            what = "incident" if consequence.per_incident is not None else "excess breach"
            for r in hit.tolist():
                row = rows.row(r, named=True)
                month = _last_month(parse_period(row["period"]))
                if month > self.through:
                    continue
                count = int(charged[r])
                tolerance = (
                    f"the tolerance of {consequence.tolerance}"
                    if consequence.tolerance is not None
                    else f"the threshold of {_level(kpi, _fraction(row['threshold']))}"
                    if row["threshold"] is not None
                    else ""
                )
                beyond = f" beyond {tolerance}" if consequence.per_breach is not None else ""
                self._line(
                    ids[row["service"]],
                    month,
                    "consequence",
                    count * consequence.sum.pence,
                    f"{kpi.id}, {row['period']} ({row['status']}): {count:,} {what}"
                    f"{'es' if what.endswith('h') and count != 1 else 's' if count != 1 else ''}"
                    f"{beyond} × {consequence.sum}",
                    reference=kpi.id,
                    quantity=count,
                )

    def outcome_payments(self, claims: Claims | None) -> None:
        card = self.finance.outcome_payments
        if card is None or claims is None or claims.month.size == 0:
            return
        prices = np.array([r.price.pence for r in card.rates], dtype=np.int64)
        frame = (
            pl.DataFrame(
                {
                    "service": claims.service,
                    "person": claims.person,
                    "outcome": claims.outcome,
                    "month": claims.month,
                    "price": prices[claims.outcome],
                    "at": np.arange(claims.month.size),
                }
            )
            .sort("month", "service", "person", "outcome", "at")
            .with_columns(capped_by=pl.lit(None, dtype=pl.String))
        )
        paid = frame.get_column("price")
        if card.per_person_cap is not None:
            cap = card.per_person_cap.pence
            running = frame.select(pl.col("price").cum_sum().over("person")).to_series()
            paid = (
                running.clip(upper_bound=cap)
                - (running - frame.get_column("price")).clip(upper_bound=cap)
            ).alias("paid")
            frame = frame.with_columns(
                capped_by=pl.when(paid < frame.get_column("price")).then(pl.lit("per_person_cap"))
            )
        frame = frame.with_columns(paid=paid.alias("paid"))
        if card.cap is not None:
            cap = card.cap.pence
            month_total = frame.group_by("month", maintain_order=True).agg(pl.col("paid").sum())
            before = np.r_[0, np.cumsum(month_total.get_column("paid").to_numpy())[:-1]]
            room = np.maximum(cap - before, 0)
            months = month_total.get_column("month").to_numpy()
            totals = month_total.get_column("paid").to_numpy()
            values = frame.get_column("paid").to_numpy().copy()
            claim_month = frame.get_column("month").to_numpy()
            capped = np.zeros(values.size, dtype=bool)
            for month, total, left in zip(
                months.tolist(), totals.tolist(), room.tolist(), strict=True
            ):
                if total <= left:
                    continue
                mine = np.flatnonzero(claim_month == month)
                weights = values[mine].tolist()
                parts = split_pence(left, weights) if left > 0 and any(weights) else [0] * len(mine)
                capped[mine] = np.array(parts) < values[mine]
                values[mine] = parts
            frame = frame.with_columns(
                paid=pl.Series(values),
                capped_by=pl.when(pl.Series(capped))
                .then(pl.lit("contract_cap"))
                .otherwise(pl.col("capped_by")),
            )
        self.claims = frame
        services = self.contract.services
        names = [r.outcome for r in card.rates]
        grouped = (
            frame.group_by("service", "month", "outcome", maintain_order=True)
            .agg(
                pl.len().alias("claims"),
                pl.col("price").sum().alias("gross"),
                pl.col("paid").sum(),
                (pl.col("capped_by") == "per_person_cap").sum().alias("person_capped"),
                (pl.col("capped_by") == "contract_cap").sum().alias("contract_capped"),
            )
            .sort("service", "month", "outcome")
        )
        for row in grouped.iter_rows(named=True):
            rate = card.rates[row["outcome"]]
            basis = f"{row['claims']:,} × {names[row['outcome']]} at {rate.price}"
            if row["paid"] < row["gross"]:
                notes = []
                if row["person_capped"]:
                    notes.append(f"the per-person cap of {card.per_person_cap}")
                    self._finding(
                        "per_person_cap_reached",
                        row["service"],
                        row["month"],
                        None,
                        f"{services[row['service']].id}: {row['person_capped']} "
                        f"{names[row['outcome']]} claim(s) reduced by the per-person cap of "
                        f"{card.per_person_cap} in {_month_text(row['month'])}",
                        detail=f"the per-person cap of {card.per_person_cap}",
                        count=int(row["person_capped"]),
                    )
                if row["contract_capped"]:
                    notes.append(f"the contract's cap of {card.cap}")
                    self._finding(
                        "outcome_cap_reached",
                        row["service"],
                        row["month"],
                        int(row["gross"] - row["paid"]),
                        f"{services[row['service']].id}: {row['contract_capped']} "
                        f"{names[row['outcome']]} claim(s) reduced by the contract's cap of "
                        f"{card.cap} in {_month_text(row['month'])}",
                        detail=f"the contract's cap of {card.cap}",
                        count=int(row["contract_capped"]),
                    )
                basis += (
                    f"; {_money(int(row['gross'] - row['paid']))} not paid: {' and '.join(notes)}"
                )
            self._line(
                row["service"],
                row["month"],
                "outcome",
                int(row["paid"]),
                basis,
                reference=names[row["outcome"]],
                quantity=int(row["claims"]),
            )

    def withholding(self) -> None:
        rules = self.finance.withholding
        if not rules:
            return
        steps = list(self.contract.steps)
        terms = [
            RuleTerms(
                steps.index(r.step) + 1,
                r.fraction.numerator,
                r.fraction.denominator,
                r.retained_after,
            )
            for r in rules
        ]
        rank = _ranks(self.contract, self.evaluation, self.service, self.month)
        ledger = withhold(self.service, self.month, self.value, rank, terms, self.through)
        services = self.contract.services
        rows = np.flatnonzero(ledger.withheld > 0)
        records = []
        for r in rows.tolist():
            index, month = int(self.service[r]), int(self.month[r])
            rule = rules[int(ledger.rule[r])]
            amount = int(ledger.withheld[r])
            step = rule.step.replace("_", " ")
            self._line(
                index,
                month,
                "withheld",
                amount,
                f"{article(step)} {step} is in force: {rule.rate} of the month's value of "
                f"{_money(int(self.value[r]))}",
                reference=rule.step,
            )
            outcome = OUTCOMES[int(ledger.outcome[r])]
            settled = int(ledger.settled[r])
            if outcome == "repaid":
                self._line(
                    index,
                    settled,
                    "repaid",
                    amount,
                    f"the {step} cleared: the {_money(amount)} withheld in {_month_text(month)} "
                    "is repaid",
                    reference=rule.step,
                )
            elif outcome == "retained":
                self._line(
                    index,
                    settled,
                    "retained",
                    amount,
                    f"the {_money(amount)} withheld in {_month_text(month)} is retained: the "
                    f"{step} did not clear within {rule.retained_after} months",
                    reference=rule.step,
                )
                self._finding(
                    "retained",
                    index,
                    settled,
                    amount,
                    f"{services[index].id}: {_money(amount)} withheld in {_month_text(month)} "
                    f"is retained ({step} still in force after {rule.retained_after} months)",
                )
            records.append(
                {
                    "service": services[index].id,
                    "month": _month_text(month),
                    "step": rule.step,
                    "rate": str(rule.rate),
                    "value": int(self.value[r]),
                    "withheld": amount,
                    "outcome": outcome,
                    "settled": _month_text(settled) if settled >= 0 else None,
                }
            )
        self.ledger = pl.DataFrame(records, schema=_LEDGER)
        in_force = sorted(
            {int(self.service[r]) for r in rows.tolist() if self.month[r] == self.through}
        )
        for index in in_force:
            self._finding(
                "withholding_in_force",
                index,
                self.through,
                None,
                f"{services[index].id}: money is being withheld in {_month_text(self.through)}",
            )

    # --- the statement ---------------------------------------------------------------------

    def build(
        self,
        first: int,
        through: int,
        period: str,
        activity: Activity | None,
        claims: Claims | None,
    ) -> Statement:
        services = self.contract.services
        provider_of = [s.provider for s in services]
        all_lines = pl.DataFrame(
            self.lines,
            schema={
                "service": pl.Int64,
                "month": pl.Int64,
                "element": pl.String,
                "reference": pl.String,
                "quantity": pl.Int64,
                "amount": pl.Int64,
                "basis": pl.String,
            },
        )
        shown = all_lines.filter((pl.col("month") >= first) & (pl.col("month") <= through))
        shown = shown.with_columns(
            category=pl.col("element").replace_strict(ELEMENTS, return_dtype=pl.String),
            _order=pl.col("element").replace_strict(_ORDER, return_dtype=pl.Int64),
        ).with_columns(
            payable=pl.when(pl.col("category").is_in(["deducted", "withheld"]))
            .then(-pl.col("amount"))
            .when(pl.col("category") == "retained")
            .then(0)
            .otherwise(pl.col("amount"))
        )
        shown = shown.sort("service", "month", "_order", "reference", nulls_last=False)
        lines = shown.select(
            provider=pl.col("service").replace_strict(
                dict(enumerate(provider_of)), return_dtype=pl.String
            ),
            service=pl.col("service").replace_strict(
                {i: s.id for i, s in enumerate(services)}, return_dtype=pl.String
            ),
            month=pl.col("month").map_elements(_month_text, return_dtype=pl.String),
            element=pl.col("element"),
            category=pl.col("category"),
            reference=pl.col("reference"),
            quantity=pl.col("quantity"),
            amount=(pl.col("amount").cast(POUNDS) / 100).cast(POUNDS),
            payable=(pl.col("payable").cast(POUNDS) / 100).cast(POUNDS),
            basis=pl.col("basis"),
        )
        # Held at the period's end: withheld by then, and not yet repaid or retained by then.
        held = _held(self.ledger, through)
        totals = {p.id: dict.fromkeys((*CATEGORIES, "payable"), 0) for p in self.contract.providers}
        for row in shown.iter_rows(named=True):
            figures = totals[provider_of[row["service"]]]
            figures[row["category"]] += (
                row["amount"] if row["category"] != "earned" else row["payable"]
            )
            figures["payable"] += row["payable"]
        held_by = {p.id: 0 for p in self.contract.providers}
        for service_id, amount in held.items():
            held_by[self.contract.service(service_id).provider] += amount
        providers = pl.DataFrame(
            {
                "provider": [p.id for p in self.contract.providers],
                "name": [p.name for p in self.contract.providers],
                **{
                    c: [totals[p.id][c] for p in self.contract.providers]
                    for c in (
                        "due",
                        "earned",
                        "deducted",
                        "withheld",
                        "repaid",
                        "payable",
                        "retained",
                    )
                },
                "held": [held_by[p.id] for p in self.contract.providers],
            }
        ).with_columns(
            (pl.col(c).cast(POUNDS) / 100).cast(POUNDS)
            for c in (
                "due",
                "earned",
                "deducted",
                "withheld",
                "repaid",
                "payable",
                "retained",
                "held",
            )
        )
        ledger = (
            self.ledger.with_columns(
                (pl.col(c).cast(POUNDS) / 100).cast(POUNDS) for c in ("value", "withheld")
            )
            if self.ledger.height
            else pl.DataFrame(schema=_LEDGER | {"value": POUNDS, "withheld": POUNDS})
        )
        outcomes = _claims_table(self.claims, services, self.finance)
        findings = pl.DataFrame(
            _collapse(
                [f for f in self.findings if f["month"] is None or first <= f["month"] <= through],
                services,
            ),
            schema={
                "code": pl.String,
                "service": pl.Int64,
                "month": pl.Int64,
                "amount": pl.Int64,
                "message": pl.String,
                "detail": pl.String,
                "count": pl.Int64,
            },
        )
        findings = findings.select(
            code=pl.col("code"),
            provider=pl.col("service").replace_strict(
                dict(enumerate(provider_of)), return_dtype=pl.String
            ),
            service=pl.col("service").replace_strict(
                {i: s.id for i, s in enumerate(services)}, return_dtype=pl.String
            ),
            month=pl.col("month").map_elements(_month_text, return_dtype=pl.String),
            amount=(pl.col("amount").cast(POUNDS) / 100).cast(POUNDS),
            message=pl.col("message"),
        )
        sums = {c: sum(totals[p][c] for p in totals) for c in (*CATEGORIES, "payable")}
        summary: dict[str, Any] = {
            "contract": self.contract.id,
            "period": period,
            "from": _month_text(first),
            "to": _month_text(through),
            **{
                c: Money.from_pence(sums[c])
                for c in ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained")
            },
            "held": Money.from_pence(sum(held.values())),
        }
        rejected, account = _accounts(activity, claims)
        return Statement(
            lines=lines,
            providers=providers,
            withholding=ledger,
            outcomes=outcomes,
            findings=findings,
            summary=summary,
            rejected=rejected,
            account=account,
            evaluation=self.evaluation,
        )


_COLLAPSED = {
    "no_activity": "{service} reported no {detail} activity for {count} months ({months}): "
    "nothing is paid for them",
    "payment_limit_reached": "{service}: {amount} of {detail} ({months})",
    "per_person_cap_reached": "{service}: {count} outcome claims reduced by {detail} ({months})",
    "outcome_cap_reached": "{service}: {count} outcome claims reduced by {detail} ({months}): "
    "{amount} not paid",
}
"""Findings made month by month that are reported once per service, over the months found."""


def _collapse(findings: list[dict[str, Any]], services: Sequence[Any]) -> list[dict[str, Any]]:
    """The findings, with each service's repeated monthly findings of one kind as one."""
    kept: list[dict[str, Any]] = []
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for finding in findings:
        if finding["code"] in _COLLAPSED:
            key = (finding["code"], finding["service"], finding["detail"])
            if key not in groups:
                groups[key] = []
                kept.append(finding)  # its place in the list, for now
            groups[key].append(finding)
        else:
            kept.append(finding)
    out: list[dict[str, Any]] = []
    for finding in kept:
        key = (finding["code"], finding["service"], finding["detail"])
        group = groups.get(key) if finding["code"] in _COLLAPSED else None
        if not group or len(group) == 1:
            out.append(finding)
            continue
        months = sorted({f["month"] for f in group})
        amounts = [f["amount"] for f in group if f["amount"] is not None]
        amount = sum(amounts) if amounts else None
        span = (
            ", ".join(_month_text(m) for m in months)
            if len(months) <= 3
            else (f"{_month_text(months[0])} to {_month_text(months[-1])}")
        )
        message = _COLLAPSED[finding["code"]].format(
            service=services[finding["service"]].id,
            detail=finding["detail"],
            count=sum(f["count"] for f in group)
            if finding["code"] != "no_activity"
            else len(group),
            months=span,
            amount=_money(amount) if amount is not None else "",
        )
        out.append({**finding, "month": months[-1], "amount": amount, "message": message})
    return out


def _held(ledger: pl.DataFrame, through: int) -> dict[str, int]:
    if ledger.height == 0:
        return {}
    still = ledger.filter(pl.col("outcome") == "held")
    return {
        service: int(amount)
        for service, amount in still.group_by("service").agg(pl.col("withheld").sum()).iter_rows()
    }


def _claims_table(frame: pl.DataFrame, services: Sequence[Any], finance: Finance) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "service": pl.String(),
        "person": pl.String(),
        "outcome": pl.String(),
        "month": pl.String(),
        "price": POUNDS,
        "paid": POUNDS,
        "capped_by": pl.String(),
    }
    if frame.height == 0 or finance.outcome_payments is None:
        return pl.DataFrame(schema=schema)
    names = {i: r.outcome for i, r in enumerate(finance.outcome_payments.rates)}
    return frame.select(
        service=pl.col("service").replace_strict(
            {i: s.id for i, s in enumerate(services)}, return_dtype=pl.String
        ),
        person=pl.col("person"),
        outcome=pl.col("outcome").replace_strict(names, return_dtype=pl.String),
        month=pl.col("month").map_elements(_month_text, return_dtype=pl.String),
        price=(pl.col("price").cast(POUNDS) / 100).cast(POUNDS),
        paid=(pl.col("paid").cast(POUNDS) / 100).cast(POUNDS),
        capped_by=pl.col("capped_by"),
    )


def _accounts(
    activity: Activity | None, claims: Claims | None
) -> tuple[pl.DataFrame, dict[str, Any]]:
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


def _ranks(contract: Contract, evaluation: Evaluation, service: Ints, month: Ints) -> Ints:
    """The escalation step in force for each service-month: the most serious across the
    service's KPIs, each at its latest period that ended before the month began."""
    steps = {step: i + 1 for i, step in enumerate(contract.steps)}
    table = evaluation.table.select(
        "service", "kpi", "period", pl.col("escalation").cast(pl.String)
    )
    ends = {
        p: _last_month(parse_period(p)) + 1 for p in table.get_column("period").unique().to_list()
    }
    steps_table = (
        table.with_columns(
            start=pl.col("period").replace_strict(ends, return_dtype=pl.Int64),
            rank=pl.col("escalation").replace_strict(steps, default=0, return_dtype=pl.Int64),
        )
        .select("service", "kpi", "start", "rank")
        .sort("start")
    )
    ids = [s.id for s in contract.services]
    rows = pl.DataFrame(
        {
            "row": np.arange(service.size),
            "service": [ids[i] for i in service.tolist()],
            "month": month,
        }
    )
    kpis = pl.DataFrame(
        {
            "service": [s.id for s in contract.services for _ in s.kpis],
            "kpi": [k for s in contract.services for k in s.kpis],
        }
    )
    joined = (
        rows.join(kpis, on="service", how="inner")
        .sort("month")
        .join_asof(
            steps_table,
            left_on="month",
            right_on="start",
            by=["service", "kpi"],
            strategy="backward",
            check_sortedness=False,
        )
        .group_by("row")
        .agg(pl.col("rank").fill_null(0).max())
        .sort("row")
    )
    rank = np.zeros(service.size, dtype=np.int64)
    rank[joined.get_column("row").to_numpy()] = joined.get_column("rank").to_numpy()
    return rank


def _fraction(value: Any) -> Fraction:
    """A level as an exact fraction (a float from a table read as the decimal written)."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def _level(kpi: KPI, value: Fraction) -> str:
    """An achievement in the KPI's terms, to one decimal place."""
    if kpi.measure is Measure.PROPORTION:
        return f"{float(value) * 100:.1f}%"
    if kpi.measure is Measure.MEAN:
        return f"{float(value):.1f} {kpi.unit}"
    if kpi.measure is Measure.RATE:
        return f"{float(value):.2f} per {kpi.per:,}"
    return f"{float(value):g}"


def _percent(fraction: Fraction) -> str:
    return f"{float(fraction) * 100:.1f}%"
