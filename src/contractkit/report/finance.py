"""Money terms in a few plain lines: a pooled fund (who pays in, what it pays for, who bears
what) and a system plan (control totals, groups, transfers)."""

from __future__ import annotations

from contractkit.model import PooledFund, RiskBasis, RiskShare, SystemPlan
from contractkit.money import Money

__all__ = ["describe_fund", "describe_plan"]

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
