"""Explaining a fund's position in a reconciliation in words, or, with several funds and none
named, all of them added up: what was contributed and budgeted, the figures to date, the outturn
and on what it rests, the overspends and how they were met, the underspends, what is returned to
the partners, and the findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from contractkit._kernel.money_words import (
    as_money,
    finding_lines,
    month_in_year,
    month_words,
    plural,
    some_names,
    span_words,
)
from contractkit.money import Money
from contractkit.pooled_funds._explanation_words import (
    SOURCE_WORDS,
    USED,
    fund_rows,
    over,
    share_words,
)
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.pooled_funds._reconcile import Reconciliation

__all__ = ["explain_fund", "explain_funds"]


def _position_words(
    position: Mapping[str, Any], order: Sequence[str], lines: pl.DataFrame
) -> list[str]:
    """A fund's (or several funds') overspends, how they were met, and the underspends."""
    money = {k: as_money(v) for k, v in position.items() if isinstance(v, Decimal | Money)}
    named = (
        pl.concat_str("line", pl.lit(" ("), "fund", pl.lit(")"))
        if "fund" in lines.columns
        else pl.col("line")
    )
    overspent = lines.filter(pl.col("outturn_variance") > 0).select(named).to_series().to_list()
    underspent = lines.filter(pl.col("outturn_variance") < 0).select(named).to_series().to_list()
    text = []
    if money["overspend"]:
        met = "; ".join(f"{SOURCE_WORDS[s]} {money[USED[s]]}" for s in order)
        text.append(
            f"Overspends: {money['overspend']} on {plural(len(overspent), 'line')} "
            f"({some_names(overspent)}), met "
            + (f"by {met}; " if met else "")
            + f"the partners bear {money['partners_bear']}"
            + (f"; {money['unfunded']} is unfunded" if money["unfunded"] else "")
            + "."
        )
    else:
        text.append("Overspends: none; no line is over budget.")
    if money["underspend"]:
        text.append(
            f"Underspends: {money['underspend']} on {plural(len(underspent), 'line')} "
            f"({some_names(underspent)}); {money['met_by_underspends']} of it met overspends."
        )
    else:
        text.append("Underspends: none.")
    return text


def explain_fund(result: Reconciliation, f: int, many: bool) -> Explanation:
    """A fund's position in words (the fund at place ``f`` among those reconciled)."""
    fund = result.terms[f]
    position = fund_rows(result, "funds", fund.id, True).row(0, named=True)
    money = {k: as_money(v) for k, v in position.items() if isinstance(v, Decimal)}
    year = fund.year
    through = month_in_year(year, result.summary["period"])
    lines = fund_rows(result, "lines", fund.id, many)
    partners = fund_rows(result, "partners", fund.id, many)
    basis = "actual outturn" if through == 11 else "projected outturn"
    counts = lines.get_column("outturn_basis").value_counts(sort=True).rows()
    on = ", ".join(f"{plural(n, 'line')} on {b}" for b, n in counts)
    text = [
        f"{fund.id}: {fund.title}, reconciled to {month_words(year, through)} ({basis}).",
        f"The fund: {fund.total} contributed by {plural(len(fund.partners), 'partner')} ("
        + ", ".join(f"{p.id} {p.contribution}" for p in fund.partners)
        + f"), for {plural(len(fund.lines), 'line')} with budgets of {money['budget']}, a risk "
        f"pool of {fund.risk_pool} and {fund.uncommitted} uncommitted.",
        f"To date, {span_words(year, through)}: budget {money['budget_to_date']}, actual "
        f"{money['actual_to_date']}, variance {money['variance_to_date']}: "
        f"{over(money['variance_to_date'], 'the budget to date')}.",
        f"Outturn: {money['outturn']} ({on}); variance {money['outturn_variance']}: "
        f"{over(money['outturn_variance'])}.",
    ]
    text += _position_words(position, fund.overspend_order, lines.select(pl.exclude("fund")))
    received = ", ".join(
        f"{p} {as_money(v)}" for p, v in partners.select("partner", "receives").rows()
    )
    text.append(
        f"Returned to the partners: {money['returned']}, by the underspend risk share "
        f"({share_words(fund.underspend)}): {received}."
        if money["returned"]
        else "Returned to the partners: £0.00: nothing is left to return."
    )
    findings = fund_rows(result, "findings", fund.id, many)
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "fund": fund.id,
        **money,
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


def explain_funds(result: Reconciliation) -> Explanation:
    """All the funds' position, added up, in words."""
    s = result.summary
    money = {k: v for k, v in s.items() if isinstance(v, Money)}
    year = result.terms[0].year
    through = month_in_year(year, s["period"])
    orders = {f.overspend_order for f in result.terms}
    text = [
        f"{plural(len(result.terms), 'fund')} of {year}, reconciled to "
        f"{month_words(year, through)} "
        f"({'actual' if through == 11 else 'projected'} outturn), added up.",
        f"Budgets {money['budget']}; to date, {span_words(year, through)}: budget "
        f"{money['budget_to_date']}, actual {money['actual_to_date']}, variance "
        f"{money['variance_to_date']}: {over(money['variance_to_date'], 'the budget to date')}.",
        f"Outturn: {money['outturn']}; variance {money['outturn_variance']}: "
        f"{over(money['outturn_variance'])}.",
    ]
    order = next(iter(orders)) if len(orders) == 1 else ("underspends", "risk_pool", "uncommitted")
    text += _position_words(s, order, result.lines)
    text.append(f"Returned to the partners: {money['returned']}.")
    counts = result.findings.get_column("code").value_counts(sort=True).rows()
    text.append(
        "Findings: " + ", ".join(f"{n:,} {code}" for code, n in counts) + " (see findings)."
        if counts
        else "Findings: none."
    )
    return Explanation("\n".join(text), {"funds": [f.id for f in result.terms], **money})
