"""Explaining a reconciliation's figures in words, for a finance lead: a line's, a partner's, a
fund's or all the funds'.

Every amount in an explanation is the exact figure from the tables (or worked out from them to
the penny, such as a month's share of a budget), written as money is written
(:meth:`Money.format`). Each explanation also holds its figures as ``fields``, for tools.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from contractkit._kernel.money_words import (
    MONTH_NAMES,
    as_money,
    finding_lines,
    month_in_year,
    month_words,
    plural,
    some_names,
    span_words,
    unknown_name,
)
from contractkit._kernel.months import month_of
from contractkit.model import FundLine, PooledFund, RiskBasis, RiskShare
from contractkit.money import Money, allocate
from contractkit.periods import FinancialYear
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.pooled_funds._reconcile import Reconciliation

__all__ = ["explain_reconciliation"]

_SOURCE_WORDS = {
    "underspends": "underspends on other lines",
    "risk_pool": "the risk pool",
    "uncommitted": "uncommitted allocations",
}
_USED = {
    "underspends": "met_by_underspends",
    "risk_pool": "risk_pool_used",
    "uncommitted": "uncommitted_used",
}
_MET = {
    "underspends": "met_by_underspends",
    "risk_pool": "met_by_risk_pool",
    "uncommitted": "met_by_uncommitted",
}


# --- words for a fund's figures --------------------------------------------------------------


def _over(variance: Money, noun: str = "budget") -> str:
    """A variance where positive is over: ``over budget``, ``under budget``, ``on budget``."""
    if variance > 0:
        return f"over {noun}"
    return f"under {noun}" if variance < 0 else f"on {noun}"


def _share_words(share: RiskShare) -> str:
    """A risk share in words."""
    if share.basis is RiskBasis.FIXED:
        return "fixed shares: " + ", ".join(f"{p} {q}" for p, q in share.shares.items())
    if share.basis is RiskBasis.COMMISSIONED:
        return "pro rata to the budgets each partner commissions"
    return "pro rata to contribution"


# --- reconciliations --------------------------------------------------------------------------


def explain_reconciliation(
    result: Reconciliation,
    name: str | None = None,
    *,
    line: str | None = None,
    partner: str | None = None,
    fund: str | None = None,
) -> Explanation:
    """A line's, a partner's or a fund's figures in words (see
    :meth:`Reconciliation.explain`)."""
    if not result.terms or result.returns is None:
        raise ValueError(
            "this reconciliation holds no terms to explain it by: make it with reconcile()"
        )
    many = "fund" in result.lines.columns
    funds = [f.id for f in result.terms]
    if fund is not None and fund not in funds:
        raise unknown_name("fund", fund, funds, "the funds reconciled")
    named = [v for v in (name, line, partner) if v is not None]
    if len(named) > 1:
        raise ValueError("name one thing to explain: a line or a partner")
    scope = [fund] if fund is not None else funds
    if name is not None:
        is_line = any(name in {x.id for x in result.terms[funds.index(f)].lines} for f in scope)
        is_partner = any(
            name in {p.id for p in result.terms[funds.index(f)].partners} for f in scope
        )
        if is_line and is_partner:
            raise ValueError(f"{name!r} is both a line and a partner: say line= or partner=")
        if not is_line and not is_partner:
            known = sorted(
                {x.id for f in scope for x in result.terms[funds.index(f)].lines}
                | {p.id for f in scope for p in result.terms[funds.index(f)].partners}
            )
            where = fund or (funds[0] if not many else "the funds reconciled")
            raise unknown_name("line or partner", name, known, where, "lines and partners")
        line, partner = (name, None) if is_line else (None, name)
    if line is not None:
        return _explain_line(result, _find(result, "line", line, fund, funds), many)
    if partner is not None:
        return _explain_partner(result, _find(result, "partner", partner, fund, funds), many)
    if fund is not None or not many:
        return _explain_fund(result, funds.index(fund) if fund is not None else 0, many)
    return _explain_funds(result)


def _find(
    result: Reconciliation, kind: str, name: str, fund: str | None, funds: Sequence[str]
) -> int:
    """The row of a line (or partner) in its table, within ``fund`` where one is named."""
    table = result.lines if kind == "line" else result.partners
    ids = table.get_column(kind)
    owners = table.get_column("fund") if "fund" in table.columns else None
    mine = ids == name
    if fund is not None and owners is not None:
        mine &= owners == fund
    rows = np.flatnonzero(mine.to_numpy())
    if rows.size == 0:
        terms = [result.terms[funds.index(fund)]] if fund is not None else list(result.terms)
        if kind == "line":
            known = sorted({x.id for t in terms for x in t.lines})
        else:
            known = sorted({p.id for t in terms for p in t.partners})
        where = (
            fund if fund is not None else (funds[0] if owners is None else "the funds reconciled")
        )
        raise unknown_name(kind, name, known, where)
    if rows.size > 1:
        assert owners is not None  # one fund cannot hold two of the same id
        raise ValueError(
            f"{kind} {name!r} is in {plural(rows.size, 'fund')} "
            f"({some_names(owners.gather(rows).to_list())}): say which with fund="
        )
    return int(rows[0])


def _fund_of(result: Reconciliation, row: int, kind: str) -> int:
    """The fund (its place among those reconciled) of a line's or partner's row."""
    sizes = [len(f.lines) if kind == "line" else len(f.partners) for f in result.terms]
    return int(np.searchsorted(np.cumsum(sizes), row, side="right"))


def _fund_rows(result: Reconciliation, table: str, fund: str, many: bool) -> pl.DataFrame:
    frame: pl.DataFrame = getattr(result, table)
    return frame.filter(pl.col("fund") == fund) if many else frame


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


def _explain_line(result: Reconciliation, row: int, many: bool) -> Explanation:
    assert result.returns is not None
    f = _fund_of(result, row, "line")
    fund = result.terms[f]
    r = result.lines.row(row, named=True)
    returns = result.returns.row(row, named=True)
    line = fund.line(r["line"])
    year = fund.year
    through = month_in_year(year, result.summary["period"])
    money = {k: as_money(v) for k, v in r.items() if isinstance(v, Decimal)}
    commissioner = fund.partner(line.commissioner)
    text = [
        f"{line.name} ({line.id})"
        + (f" in {fund.id}" if many else "")
        + f", commissioned by {commissioner.name} ({commissioner.id})"
        + (f", provided by {line.provider}" if line.provider else "")
        + "."
    ]
    text.append(f"Budget: {money['budget']} for {year}.")
    text.append(
        f"Budget to date: {money['budget_to_date']} for {span_words(year, through)}: "
        + _profile_words(line, year, through)
    )
    if returns["rows"]:
        variance = money["variance_to_date"]
        text.append(
            f"Actual to date: {money['actual_to_date']}, from "
            f"{plural(returns['rows'], 'spend row')} (the latest to "
            f"{month_words(year, returns['last_month'])}); variance to date {variance}: "
            f"{_over(variance, 'the budget to date')}."
        )
    else:
        text.append(
            f"Actual to date: {money['actual_to_date']}: no spend has been returned for it."
        )
    basis = r["outturn_basis"]
    if basis == "actual":
        outturn = (
            f"Outturn: {money['outturn']}: what was spent in the year (reconciled at the year end)"
        )
        if r["forecast_outturn"] is not None:
            outturn += f"; its latest forecast had been {as_money(r['forecast_outturn'])}"
        text.append(outturn + ".")
    elif basis == "forecast":
        text.append(
            f"Outturn: {money['outturn']}: the latest forecast given for its year (with the spend "
            f"to {month_words(year, returns['forecast_month'])}); before the year end the outturn "
            "is "
            "projected."
        )
    else:
        text.append(
            f"Outturn: {money['outturn']}: its budget, as no forecast has been given (it is taken "
            "to be on plan)."
        )
    variance = money["outturn_variance"]
    text.append(f"Outturn variance: {variance}: {_over(variance)}.")
    position = _fund_rows(result, "funds", fund.id, True).row(0, named=True)
    attribution = _fund_rows(result, "attribution", fund.id, many).filter(pl.col("line") == line.id)
    if variance > 0:
        text += _overspend_words(result, fund, money, position, attribution, many)
    elif variance < 0:
        text += _underspend_words(fund, money, -variance)
    findings = _fund_rows(result, "findings", fund.id, many).filter(pl.col("line") == line.id)
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "fund": fund.id,
        "line": line.id,
        **money,
        "forecast_outturn": None if r["forecast_outturn"] is None else money["forecast_outturn"],
        "outturn_basis": basis,
        "spend_rows": returns["rows"],
        "attribution": [
            (source, partner, as_money(amount))
            for source, partner, amount in attribution.select("source", "partner", "amount").rows()
        ],
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


def _overspend_words(
    result: Reconciliation,
    fund: PooledFund,
    money: Mapping[str, Money],
    position: Mapping[str, Any],
    attribution: pl.DataFrame,
    many: bool,
) -> list[str]:
    over = money["outturn_variance"]
    order = fund.overspend_order
    rule = (
        "first from "
        + ", then ".join(_SOURCE_WORDS[s] for s in order)
        + ", each spread over the overspent lines in proportion to what each still has unmet; "
        "then "
        if order
        else ""
    )
    text = [
        f"How its overspend of {over} is met, by the fund's terms: {rule}by the partners under the "
        f"overspend risk share ({_share_words(fund.overspend)}), none beyond its cap; what no "
        "partner can bear is unfunded."
    ]
    available = {
        "underspends": as_money(position["underspend"]),
        "risk_pool": fund.risk_pool,
        "uncommitted": fund.uncommitted,
    }
    for source in order:
        text.append(
            f"  {_SOURCE_WORDS[source]}: {money[_MET[source]]} (across the fund "
            f"{as_money(position[_USED[source]])} of the {available[source]} available was used)"
        )
    unused = [s for s in _SOURCE_WORDS if s not in order]
    if unused:
        text.append(
            f"  ({', '.join(_SOURCE_WORDS[s] for s in unused).capitalize()}: not used to meet "
            "overspends under this fund's terms.)"
        )
    partners = attribution.filter(pl.col("source") == "partner")
    borne = ", ".join(f"{p} {as_money(a)}" for p, a in partners.select("partner", "amount").rows())
    share = money["met_by_partners"]
    rest = share + money["unfunded"]
    text.append(
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
    capped = _fund_rows(result, "findings", fund.id, many).filter(pl.col("code") == "cap_reached")
    for partner_id, amount in capped.select("partner", "amount").rows():
        text.append(
            f"  ({partner_id}'s share reached its cap of {as_money(amount)}: what it could not "
            "bear "
            "passed to the other partners by the same shares.)"
        )
    if money["unfunded"]:
        text.append(f"  unfunded: {money['unfunded']}: beyond every partner's cap")
    text.append(f"In all: {over}, the whole overspend.")
    return text


def _underspend_words(fund: PooledFund, money: Mapping[str, Money], under: Money) -> list[str]:
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


def _straight_shares(fund: PooledFund, commissioned: Sequence[int], left: int) -> dict[str, Money]:
    """What each partner would bear of ``left`` by the overspend risk share, before any cap."""
    from contractkit.pooled_funds._reconcile import _share_weights

    named, weights = _share_weights(fund.overspend, fund, list(commissioned))
    if left == 0 or not any(weights):
        return {p: Money.zero() for p in named}
    return allocate(Money.from_pence(left), dict(zip(named, weights, strict=True)))


def _explain_partner(result: Reconciliation, row: int, many: bool) -> Explanation:
    f = _fund_of(result, row, "partner")
    fund = result.terms[f]
    r = result.partners.row(row, named=True)
    money = {k: as_money(v) for k, v in r.items() if isinstance(v, Decimal)}
    partner = fund.partner(r["partner"])
    position = _fund_rows(result, "funds", fund.id, True).row(0, named=True)
    year = fund.year
    through = month_in_year(year, result.summary["period"])
    lines = [x.id for x in fund.lines if x.commissioner == partner.id]
    text = [
        f"{partner.name} ({partner.id}), a partner in {fund.id}"
        + (" and its host" if fund.host == partner.id else "")
        + "."
    ]
    text.append(f"Contribution: {money['contribution']} of the fund's {fund.total}.")
    if lines:
        text.append(
            f"It commissions {plural(len(lines), 'line')} ({some_names(lines)}) with "
            f"{'a budget' if len(lines) == 1 else 'budgets'} of {money['commissioned']}: "
            f"{'its' if len(lines) == 1 else 'their'} actual to {month_words(year, through)} is "
            f"{money['actual_to_date']} (variance to date {money['variance_to_date']}: "
            f"{_over(money['variance_to_date'], 'the budget to date')}), and "
            f"{'its' if len(lines) == 1 else 'their'} outturn "
            f"variance is {money['outturn_variance']}: {_over(money['outturn_variance'])}."
        )
    else:
        text.append("It commissions no lines.")
    text.append(
        f"Cap: {money['cap']}, the most of an overspend it bears."
        if r["cap"] is not None
        else "It has no cap on what it bears of an overspend."
    )
    partners_bear = as_money(position["partners_bear"])
    unfunded = as_money(position["unfunded"])
    left = partners_bear + unfunded
    sources = ", ".join(
        f"{_SOURCE_WORDS[s]} {as_money(position[_USED[s]])}" for s in fund.overspend_order
    )
    bears = money["bears"]
    if as_money(position["overspend"]) == 0:
        text.append(f"Bears: {bears}: no line is over budget.")
    elif left == 0:
        text.append(
            f"Bears: {bears}: the fund's overspends ({as_money(position['overspend'])}) were met "
            "in "
            f"full before the partners: by {sources}."
        )
    else:
        partners = _fund_rows(result, "partners", fund.id, many)
        commissioned = [as_money(v).pence for v in partners.get_column("commissioned").to_list()]
        straight = _straight_shares(fund, commissioned, left.pence)[partner.id]
        before = f"after {sources}, " if sources else ""
        words = (
            f"Bears: {bears}: {before}{left} of the fund's overspends was left for the partners, "
            f"shared by the overspend risk share ({_share_words(fund.overspend)}), none beyond its "
            f"cap; its share before any cap is {straight}."
        )
        if bears < straight:
            words += (
                f" Its cap of {money['cap']} was reached, so what it could not bear passed to the "
                "other partners by the same shares."
            )
        elif bears > straight:
            others = (
                partners.filter(
                    (pl.col("cap").is_not_null())
                    & (pl.col("bears") >= pl.col("cap"))
                    & (pl.col("partner") != partner.id)
                )
                .get_column("partner")
                .to_list()
            )
            words += (
                f" It bears more than that because {some_names(others)} reached "
                f"{'its cap' if len(others) == 1 else 'their caps'}, and what "
                f"{'it' if len(others) == 1 else 'they'} could not bear passed to the others by "
                "the same shares"
                + (
                    f", until its own cap of {money['cap']} was reached."
                    if r["cap"] is not None and bears >= money["cap"]
                    else "."
                )
            )
        if unfunded:
            words += f" {unfunded} is unfunded: beyond every partner's cap."
        text.append(words)
    returned = as_money(position["returned"])
    receives = money["receives"]
    if returned == 0:
        text.append(
            f"Receives: {receives}: nothing is returned to the partners (the fund has no "
            "underspend, risk pool or uncommitted allocation left)."
        )
    else:
        unused = {
            "underspends not used": as_money(position["underspend"])
            - as_money(position["met_by_underspends"]),
            "the unused risk pool": fund.risk_pool - as_money(position["risk_pool_used"]),
            "uncommitted allocations not used": fund.uncommitted
            - as_money(position["uncommitted_used"]),
        }
        parts = ", ".join(f"{k} {v}" for k, v in unused.items())
        basis = fund.underspend.basis
        budgets = sum((x.budget for x in fund.lines), Money.zero())
        if basis is RiskBasis.CONTRIBUTION or (basis is RiskBasis.COMMISSIONED and not budgets):
            why = f": its {money['contribution']} of {fund.total}"
        elif basis is RiskBasis.COMMISSIONED:
            why = f": the {money['commissioned']} it commissions of {budgets}"
        else:
            why = f": its {fund.underspend.shares[partner.id]}"
        text.append(
            f"Receives: {receives} of the {returned} returned to the partners ({parts}), shared by "
            f"the underspend risk share ({_share_words(fund.underspend)}){why}."
        )
    text.append(f"Net: {money['net']} (what it receives less what it bears).")
    findings = _fund_rows(result, "findings", fund.id, many).filter(pl.col("partner") == partner.id)
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "fund": fund.id,
        "partner": partner.id,
        **money,
        "cap": None if r["cap"] is None else money["cap"],
        "lines": lines,
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


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
    over = lines.filter(pl.col("outturn_variance") > 0).select(named).to_series().to_list()
    under = lines.filter(pl.col("outturn_variance") < 0).select(named).to_series().to_list()
    text = []
    if money["overspend"]:
        met = "; ".join(f"{_SOURCE_WORDS[s]} {money[_USED[s]]}" for s in order)
        text.append(
            f"Overspends: {money['overspend']} on {plural(len(over), 'line')} "
            f"({some_names(over)}), met "
            + (f"by {met}; " if met else "")
            + f"the partners bear {money['partners_bear']}"
            + (f"; {money['unfunded']} is unfunded" if money["unfunded"] else "")
            + "."
        )
    else:
        text.append("Overspends: none; no line is over budget.")
    if money["underspend"]:
        text.append(
            f"Underspends: {money['underspend']} on {plural(len(under), 'line')} "
            f"({some_names(under)}); {money['met_by_underspends']} of it met overspends."
        )
    else:
        text.append("Underspends: none.")
    return text


def _explain_fund(result: Reconciliation, f: int, many: bool) -> Explanation:
    fund = result.terms[f]
    position = _fund_rows(result, "funds", fund.id, True).row(0, named=True)
    money = {k: as_money(v) for k, v in position.items() if isinstance(v, Decimal)}
    year = fund.year
    through = month_in_year(year, result.summary["period"])
    lines = _fund_rows(result, "lines", fund.id, many)
    partners = _fund_rows(result, "partners", fund.id, many)
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
        f"{_over(money['variance_to_date'], 'the budget to date')}.",
        f"Outturn: {money['outturn']} ({on}); variance {money['outturn_variance']}: "
        f"{_over(money['outturn_variance'])}.",
    ]
    text += _position_words(position, fund.overspend_order, lines.select(pl.exclude("fund")))
    received = ", ".join(
        f"{p} {as_money(v)}" for p, v in partners.select("partner", "receives").rows()
    )
    text.append(
        f"Returned to the partners: {money['returned']}, by the underspend risk share "
        f"({_share_words(fund.underspend)}): {received}."
        if money["returned"]
        else "Returned to the partners: £0.00: nothing is left to return."
    )
    findings = _fund_rows(result, "findings", fund.id, many)
    text += finding_lines(findings.get_column("message").to_list())
    fields: dict[str, Any] = {
        "fund": fund.id,
        **money,
        "findings": findings.get_column("code").to_list(),
    }
    return Explanation("\n".join(text), fields)


def _explain_funds(result: Reconciliation) -> Explanation:
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
        f"{money['variance_to_date']}: {_over(money['variance_to_date'], 'the budget to date')}.",
        f"Outturn: {money['outturn']}; variance {money['outturn_variance']}: "
        f"{_over(money['outturn_variance'])}.",
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
