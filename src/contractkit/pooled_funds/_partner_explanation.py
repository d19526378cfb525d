"""Explaining a partner in a reconciliation in words: what it contributes, the lines it
commissions and how they stand, its cap; what it bears of the fund's overspends and why (its
share before any cap, and how caps, its own or others', moved it); what it receives of what is
returned and why; its net position and its findings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from contractkit._kernel.money_words import (
    as_money,
    finding_lines,
    month_in_year,
    month_words,
    plural,
    some_names,
)
from contractkit.model import Partner, PooledFund, RiskBasis
from contractkit.money import Money
from contractkit.pooled_funds._explanation_words import (
    SOURCE_WORDS,
    USED,
    fund_place,
    fund_rows,
    over,
    share_words,
)
from contractkit.pooled_funds._risk_shares import share_before_caps
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.pooled_funds._reconcile import Reconciliation

__all__ = ["explain_partner"]


@attrs.frozen
class _Partner:
    """A partner's row of the tables, with its fund's terms and position: what its explanation
    is made from."""

    fund: PooledFund
    partner: Partner
    row: dict[str, Any]
    """Its row of the partners table."""
    money: dict[str, Money]
    """Its row's amounts, as money."""
    position: dict[str, Any]
    """Its fund's row of the funds table."""
    through: int
    """The month reconciled to, counted from April (0)."""
    many: bool
    """Whether several funds were reconciled."""

    @classmethod
    def of(cls, result: Reconciliation, row: int, many: bool) -> _Partner:
        fund = result.terms[fund_place(result, row, "partner")]
        r = result.partners.row(row, named=True)
        return cls(
            fund=fund,
            partner=fund.partner(r["partner"]),
            row=r,
            money={k: as_money(v) for k, v in r.items() if isinstance(v, Decimal)},
            position=fund_rows(result, "funds", fund.id, True).row(0, named=True),
            through=month_in_year(fund.year, result.summary["period"]),
            many=many,
        )

    def amount(self, column: str) -> Money:
        """A figure of its fund's position, as money."""
        return as_money(self.position[column])


def explain_partner(result: Reconciliation, row: int, many: bool) -> Explanation:
    """A partner's figures in words (its row of the partners table)."""
    x = _Partner.of(result, row, many)
    fund, partner, money = x.fund, x.partner, x.money
    lines = [line.id for line in fund.lines if line.commissioner == partner.id]
    text = [
        f"{partner.name} ({partner.id}), a partner in {fund.id}"
        + (" and its host" if fund.host == partner.id else "")
        + ".",
        f"Contribution: {money['contribution']} of the fund's {fund.total}.",
        _commissions_words(x, lines),
        f"Cap: {money['cap']}, the most of an overspend it bears."
        if x.row["cap"] is not None
        else "It has no cap on what it bears of an overspend.",
        _bears_words(result, x),
        _receives_words(x),
        f"Net: {money['net']} (what it receives less what it bears).",
    ]
    findings = fund_rows(result, "findings", fund.id, many).filter(pl.col("partner") == partner.id)
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "fund": fund.id,
        "partner": partner.id,
        **money,
        "cap": None if x.row["cap"] is None else money["cap"],
        "lines": lines,
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


def _commissions_words(x: _Partner, lines: list[str]) -> str:
    """The lines the partner commissions and how they stand."""
    if not lines:
        return "It commissions no lines."
    money, one = x.money, len(lines) == 1
    return (
        f"It commissions {plural(len(lines), 'line')} ({some_names(lines)}) with "
        f"{'a budget' if one else 'budgets'} of {money['commissioned']}: "
        f"{'its' if one else 'their'} actual to {month_words(x.fund.year, x.through)} is "
        f"{money['actual_to_date']} (variance to date {money['variance_to_date']}: "
        f"{over(money['variance_to_date'], 'the budget to date')}), and "
        f"{'its' if one else 'their'} outturn "
        f"variance is {money['outturn_variance']}: {over(money['outturn_variance'])}."
    )


def _bears_words(result: Reconciliation, x: _Partner) -> str:
    """What the partner bears of the fund's overspends, and why."""
    fund, bears = x.fund, x.money["bears"]
    overspend, unfunded = x.amount("overspend"), x.amount("unfunded")
    left = x.amount("partners_bear") + unfunded
    sources = ", ".join(f"{SOURCE_WORDS[s]} {x.amount(USED[s])}" for s in fund.overspend_order)
    if overspend == 0:
        return f"Bears: {bears}: no line is over budget."
    if left == 0:
        return (
            f"Bears: {bears}: the fund's overspends ({overspend}) were met in full before the "
            f"partners: by {sources}."
        )
    partners = fund_rows(result, "partners", fund.id, x.many)
    commissioned = [as_money(v).pence for v in partners.get_column("commissioned").to_list()]
    straight = share_before_caps(fund, commissioned, left.pence)[x.partner.id]
    before = f"after {sources}, " if sources else ""
    words = (
        f"Bears: {bears}: {before}{left} of the fund's overspends was left for the partners, "
        f"shared by the overspend risk share ({share_words(fund.overspend)}), none beyond its "
        f"cap; its share before any cap is {straight}."
    )
    if bears < straight:
        words += (
            f" Its cap of {x.money['cap']} was reached, so what it could not bear passed to the "
            "other partners by the same shares."
        )
    elif bears > straight:
        words += _others_capped_words(x, partners)
    if unfunded:
        words += f" {unfunded} is unfunded: beyond every partner's cap."
    return words


def _others_capped_words(x: _Partner, partners: pl.DataFrame) -> str:
    """Why the partner bears more than its share before any cap: other partners (``partners``:
    its fund's rows of the partners table) reached their caps (and perhaps then it reached its
    own)."""
    others = (
        partners.filter(
            (pl.col("cap").is_not_null())
            & (pl.col("bears") >= pl.col("cap"))
            & (pl.col("partner") != x.partner.id)
        )
        .get_column("partner")
        .to_list()
    )
    one = len(others) == 1
    capped = x.row["cap"] is not None and x.money["bears"] >= x.money["cap"]
    return (
        f" It bears more than that because {some_names(others)} reached "
        f"{'its cap' if one else 'their caps'}, and what "
        f"{'it' if one else 'they'} could not bear passed to the others by "
        "the same shares"
        + (f", until its own cap of {x.money['cap']} was reached." if capped else ".")
    )


def _receives_words(x: _Partner) -> str:
    """What the partner receives of what is returned to the partners, and why."""
    fund, receives = x.fund, x.money["receives"]
    returned = x.amount("returned")
    if returned == 0:
        return (
            f"Receives: {receives}: nothing is returned to the partners (the fund has no "
            "underspend, risk pool or uncommitted allocation left)."
        )
    unused = {
        "underspends not used": x.amount("underspend") - x.amount("met_by_underspends"),
        "the unused risk pool": fund.risk_pool - x.amount("risk_pool_used"),
        "uncommitted allocations not used": fund.uncommitted - x.amount("uncommitted_used"),
    }
    parts = ", ".join(f"{k} {v}" for k, v in unused.items())
    basis = fund.underspend.basis
    budgets = sum((line.budget for line in fund.lines), Money.zero())
    if basis is RiskBasis.CONTRIBUTION or (basis is RiskBasis.COMMISSIONED and not budgets):
        why = f": its {x.money['contribution']} of {fund.total}"
    elif basis is RiskBasis.COMMISSIONED:
        why = f": the {x.money['commissioned']} it commissions of {budgets}"
    else:
        why = f": its {fund.underspend.shares[x.partner.id]}"
    return (
        f"Receives: {receives} of the {returned} returned to the partners ({parts}), shared by "
        f"the underspend risk share ({share_words(fund.underspend)}){why}."
    )
