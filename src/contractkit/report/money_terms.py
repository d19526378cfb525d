"""Money terms in a few plain lines: a pooled fund (who pays in, what it pays for, who bears
what), a system plan (control totals, groups, transfers) and a contract's finance section."""

from __future__ import annotations

from contractkit.model import Finance, Linear, PooledFund, RiskBasis, RiskShare, SystemPlan
from contractkit.model.english import article
from contractkit.money import Money

__all__ = ["describe_finance", "describe_fund", "describe_plan"]

_SOURCES = {
    "underspends": "underspends",
    "risk_pool": "the risk pool",
    "uncommitted": "uncommitted allocations",
}


def _share(share: RiskShare) -> str:
    if share.basis is RiskBasis.FIXED:
        return "fixed shares: " + ", ".join(f"{p} {q}" for p, q in share.shares.items())
    if share.basis is RiskBasis.CONTRIBUTION:
        return "pro rata to contribution"
    return "pro rata to what each commissions"


def describe_fund(fund: PooledFund) -> list[str]:
    """The fund's terms in a few lines of plain English."""
    partners = "; ".join(
        f"{p.id} {p.contribution}" + (f" (bears at most {p.cap})" if p.cap is not None else "")
        for p in fund.partners
    )
    budgets = sum((line.budget for line in fund.lines), Money.zero())
    order = " → ".join([*(_SOURCES[s] for s in fund.overspend_order), "the partners"])
    lines = "line" if len(fund.lines) == 1 else "lines"
    return [
        f"{fund.id}: {fund.title} ({fund.year}), hosted by {fund.host}",
        f"partners: {partners}; {fund.total} in all",
        f"{len(fund.lines)} {lines} budgeted at {budgets}; risk pool {fund.risk_pool}; "
        f"uncommitted {fund.uncommitted}",
        f"an overspend is met by {order} ({_share(fund.overspend)})",
        f"an underspend is returned {_share(fund.underspend)}",
    ]


def describe_plan(plan: SystemPlan) -> list[str]:
    """A system plan in a few lines of plain English."""
    adjusted = plan.adjusted()
    system = sum(adjusted.values(), Money.zero())
    lines = [
        f"{plan.id}: {plan.title} ({plan.year}); tolerance {plan.tolerance}",
        *(
            f"{o.id}: control total {o.control_total}"
            + (f", {adjusted[o.id]} after transfers" if adjusted[o.id] != o.control_total else "")
            + (f" (tolerance {o.tolerance})" if o.tolerance is not None else "")
            for o in plan.organisations
        ),
        *(
            f"group {g.id}: {', '.join(g.members)}, combined control total "
            f"{sum((adjusted[m] for m in g.members), Money.zero())}"
            for g in plan.groups
        ),
        f"system control total {system}; {len(plan.transfers)} transfer"
        f"{'s' if len(plan.transfers) != 1 else ''}, each netting to zero",
    ]
    return lines


def describe_finance(finance: Finance) -> list[str]:
    """A contract's finance section in a few lines of plain English."""
    out: list[str] = []
    if finance.value is not None:
        out.append(f"contract value {finance.value} a year")
    for payment in finance.payments:
        parts = []
        if payment.fixed is not None:
            parts.append(f"{payment.fixed} a year fixed, paid monthly")
        for currency in payment.variable:
            rate = "" if currency.fraction == 1 else f" at {currency.rate}"
            limit = f" (at most {currency.limit} a year)" if currency.limit is not None else ""
            parts.append(f"{currency.price} per {currency.activity}{rate}{limit}")
        out.append(f"{payment.service}: {'; '.join(parts)}")
    incentive = finance.incentive
    if incentive is not None:
        base = "each service's fixed payment" if incentive.of == "fixed" else "the contract value"
        curves = "; ".join(
            f"{i.kpi} "
            + (
                f"from nothing at {i.curve.zero_at} to all at {i.curve.full_at}"
                if isinstance(i.curve, Linear)
                else f"in {len(i.curve.bands)} bands"
            )
            for i in incentive.indicators
        )
        out.append(
            f"incentive: {incentive.pot} of {base}, paid in advance and reconciled at the year "
            f"end: {curves}"
        )
    card = finance.outcome_payments
    if card is not None:
        rates = ", ".join(f"{r.outcome} {r.price}" for r in card.rates)
        caps = [
            f"at most {card.per_person_cap} a person" if card.per_person_cap is not None else "",
            f"{card.cap} in all" if card.cap is not None else "",
        ]
        out.append(f"outcome payments: {rates}" + "".join(f"; {c}" for c in caps if c))
    for consequence in finance.consequences:
        what = "breach" if consequence.per_breach is not None else "incident"
        beyond = (
            f" beyond {consequence.tolerance}"
            if consequence.tolerance is not None
            else (" beyond the threshold" if what == "breach" else "")
        )
        when = (
            "when underperforming"
            if consequence.when == "underperforming"
            else "whenever short of it"
        )
        out.append(f"{consequence.kpi}: {consequence.sum} per {what}{beyond}, {when}")
    for rule in finance.withholding:
        kept = (
            f", retained after {rule.retained_after} months"
            if rule.retained_after is not None
            else ""
        )
        step = rule.step.replace("_", " ")
        out.append(
            f"while {article(step)} {step} is in force: {rule.rate} of the monthly "
            f"value withheld, repaid when it clears{kept}"
        )
    return out
