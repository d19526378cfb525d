"""Explaining a line of a reconciliation in words: its budget, and its budget to date and how its
profile gave it; its actual to date and the spend rows behind it; its outturn and where that came
from; and how an overspend was met (which sources, which partners, by which rule, within which
caps) or what became of an underspend; then its findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from contractkit._kernel.money_words import (
    MONTH_NAMES,
    as_money,
    finding_lines,
    month_in_year,
    month_words,
    plural,
    span_words,
)
from contractkit._kernel.months import month_of
from contractkit.model import FundLine, PooledFund
from contractkit.money import Money, allocate
from contractkit.periods import FinancialYear
from contractkit.pooled_funds._explanation_words import (
    MET,
    SOURCE_WORDS,
    USED,
    fund_place,
    fund_rows,
    over,
    share_words,
)
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.pooled_funds._reconcile import Reconciliation

__all__ = ["explain_line"]


@attrs.frozen
class _Line:
    """A line's row of the tables, with its fund's terms: what its explanation is made from."""

    fund: PooledFund
    line: FundLine
    row: dict[str, Any]
    """Its row of the lines table."""
    money: dict[str, Money]
    """Its row's amounts, as money."""
    returns: dict[str, Any]
    """What its spend returns gave (see :attr:`Reconciliation.returns`)."""
    through: int
    """The month reconciled to, counted from April (0)."""
    many: bool
    """Whether several funds were reconciled."""

    @classmethod
    def of(cls, result: Reconciliation, row: int, many: bool) -> _Line:
        assert result.returns is not None
        fund = result.terms[fund_place(result, row, "line")]
        r = result.lines.row(row, named=True)
        return cls(
            fund=fund,
            line=fund.line(r["line"]),
            row=r,
            money={k: as_money(v) for k, v in r.items() if isinstance(v, Decimal)},
            returns=result.returns.row(row, named=True),
            through=month_in_year(fund.year, result.summary["period"]),
            many=many,
        )


def explain_line(result: Reconciliation, row: int, many: bool) -> Explanation:
    """A line's figures in words (its row of the lines table)."""
    x = _Line.of(result, row, many)
    fund, line, money = x.fund, x.line, x.money
    text = [*_to_date_words(x), _outturn_words(x)]
    variance = money["outturn_variance"]
    text.append(f"Outturn variance: {variance}: {over(variance)}.")
    position = fund_rows(result, "funds", fund.id, True).row(0, named=True)
    attribution = fund_rows(result, "attribution", fund.id, many).filter(pl.col("line") == line.id)
    if variance > 0:
        text += _overspend_words(result, x, position, attribution)
    elif variance < 0:
        text += _underspend_words(fund, money, -variance)
    findings = fund_rows(result, "findings", fund.id, many).filter(pl.col("line") == line.id)
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "fund": fund.id,
        "line": line.id,
        **money,
        "forecast_outturn": None
        if x.row["forecast_outturn"] is None
        else money["forecast_outturn"],
        "outturn_basis": x.row["outturn_basis"],
        "spend_rows": x.returns["rows"],
        "attribution": [
            (source, partner, as_money(amount))
            for source, partner, amount in attribution.select("source", "partner", "amount").rows()
        ],
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


def _to_date_words(x: _Line) -> list[str]:
    """Which line it is, its budget, and its budget and actual to date."""
    fund, line, money, year = x.fund, x.line, x.money, x.fund.year
    commissioner = fund.partner(line.commissioner)
    text = [
        f"{line.name} ({line.id})"
        + (f" in {fund.id}" if x.many else "")
        + f", commissioned by {commissioner.name} ({commissioner.id})"
        + (f", provided by {line.provider}" if line.provider else "")
        + "."
    ]
    text.append(f"Budget: {money['budget']} for {year}.")
    text.append(
        f"Budget to date: {money['budget_to_date']} for {span_words(year, x.through)}: "
        + _profile_words(line, year, x.through)
    )
    if x.returns["rows"]:
        variance = money["variance_to_date"]
        text.append(
            f"Actual to date: {money['actual_to_date']}, from "
            f"{plural(x.returns['rows'], 'spend row')} (the latest to "
            f"{month_words(year, x.returns['last_month'])}); variance to date {variance}: "
            f"{over(variance, 'the budget to date')}."
        )
    else:
        text.append(
            f"Actual to date: {money['actual_to_date']}: no spend has been returned for it."
        )
    return text


def _profile_words(line: FundLine, year: FinancialYear, through: int) -> str:
    """How a line's budget to date was worked out, month by month."""
    if line.profile is None:
        whole, odd = divmod(line.budget.pence, 12)
        monthly = Money.from_pence(whole)
        even = f"its budget spread evenly over the twelve months, to the penny: {monthly} a month"
        if odd == 0:
            return even + "."
        first = "the first month" if odd == 1 else f"each of the first {odd} months"
        return f"{even}, and a penny more in {first} (so that the months add up to the budget)."
    weights = ", ".join(str(w) for w in line.profile)
    months = allocate(line.budget, list(line.profile))
    shown = ", ".join(
        f"{MONTH_NAMES[month_of(year, m).month - 1][:3]} {months[m]}" for m in range(through + 1)
    )
    return (
        f"its budget spread over the months by its profile ({weights}, April to March), each "
        f"month its share to the penny (the odd pennies to the largest remainders): {shown}."
    )


def _outturn_words(x: _Line) -> str:
    """The line's outturn and where it came from."""
    money, basis = x.money, x.row["outturn_basis"]
    if basis == "actual":
        outturn = (
            f"Outturn: {money['outturn']}: what was spent in the year (reconciled at the year end)"
        )
        if x.row["forecast_outturn"] is not None:
            outturn += f"; its latest forecast had been {as_money(x.row['forecast_outturn'])}"
        return outturn + "."
    if basis == "forecast":
        return (
            f"Outturn: {money['outturn']}: the latest forecast given for its year (with the spend "
            f"to {month_words(x.fund.year, x.returns['forecast_month'])}); before the year end "
            "the outturn is projected."
        )
    return (
        f"Outturn: {money['outturn']}: its budget, as no forecast has been given (it is taken "
        "to be on plan)."
    )


def _overspend_words(
    result: Reconciliation,
    x: _Line,
    position: Mapping[str, Any],
    attribution: pl.DataFrame,
) -> list[str]:
    """How the line's overspend was met: the fund's rule, each source, the partners (and
    their caps) and what was unfunded."""
    fund, money = x.fund, x.money
    whole = money["outturn_variance"]
    order = fund.overspend_order
    rule = (
        "first from "
        + ", then ".join(SOURCE_WORDS[s] for s in order)
        + ", each spread over the overspent lines in proportion to what each still has unmet; "
        "then "
        if order
        else ""
    )
    text = [
        f"How its overspend of {whole} is met, by the fund's terms: {rule}by the partners under "
        f"the overspend risk share ({share_words(fund.overspend)}), none beyond its cap; what no "
        "partner can bear is unfunded."
    ]
    text += _source_lines(fund, money, position)
    text.append(_partners_line(money, attribution))
    capped = fund_rows(result, "findings", fund.id, x.many).filter(pl.col("code") == "cap_reached")
    for partner_id, amount in capped.select("partner", "amount").rows():
        text.append(
            f"  ({partner_id}'s share reached its cap of {as_money(amount)}: what it could not "
            "bear passed to the other partners by the same shares.)"
        )
    if money["unfunded"]:
        text.append(f"  unfunded: {money['unfunded']}: beyond every partner's cap")
    text.append(f"In all: {whole}, the whole overspend.")
    return text


def _source_lines(
    fund: PooledFund, money: Mapping[str, Money], position: Mapping[str, Any]
) -> list[str]:
    """What each of the fund's sources met of the line's overspend (and of all the fund's), and
    which sources its terms do not use."""
    available = {
        "underspends": as_money(position["underspend"]),
        "risk_pool": fund.risk_pool,
        "uncommitted": fund.uncommitted,
    }
    order = fund.overspend_order
    text = [
        f"  {SOURCE_WORDS[source]}: {money[MET[source]]} (across the fund "
        f"{as_money(position[USED[source]])} of the {available[source]} available was used)"
        for source in order
    ]
    unused = [s for s in SOURCE_WORDS if s not in order]
    if unused:
        text.append(
            f"  ({', '.join(SOURCE_WORDS[s] for s in unused).capitalize()}: not used to meet "
            "overspends under this fund's terms.)"
        )
    return text


def _partners_line(money: Mapping[str, Money], attribution: pl.DataFrame) -> str:
    """What the partners bore of the line's overspend, partner by partner, and how it was
    split."""
    partners = attribution.filter(pl.col("source") == "partner")
    borne = ", ".join(f"{p} {as_money(a)}" for p, a in partners.select("partner", "amount").rows())
    share = money["met_by_partners"]
    rest = share + money["unfunded"]
    return (
        f"  the partners: {share}"
        + (f" ({borne})" if borne else "")
        + (
            f": what was left of its overspend ({rest}) split among the partners"
            + (" and the unfunded" if money["unfunded"] else "")
            + " in proportion to what each still had to bear across the fund"
            if rest
            else ""
        )
    )


def _underspend_words(fund: PooledFund, money: Mapping[str, Money], under: Money) -> list[str]:
    """What became of the line's underspend."""
    used = money["underspend_used"]
    if "underspends" not in fund.overspend_order:
        return [
            f"Its underspend of {under} is returned to the partners with the fund's other unused "
            "money (under this fund's terms underspends do not meet overspends on other lines)."
        ]
    return [
        f"Its underspend of {under}: {used} of it met overspends on other lines (the lines' "
        f"underspends are used in proportion to their size), and {under - used} is returned to "
        "the partners with the fund's other unused money."
    ]
