"""Reconciling a pooled fund: budget against spend by line and partner, and who bears what.

For the period reconciled (a month or a quarter of the fund's year; by default the last month
with spend), each line has its budget to date (its budget profiled over the months, to the
penny), its actual spend to date, and their variance. Its **outturn** for the year is the actual
spend at the year end; before then, the latest forecast given for it, or else its budget (on
plan). The fund's terms then settle the outturn:

1. each line's outturn variance is an overspend or an underspend;
2. overspends are met in the fund's order — underspends on other lines, the risk pool,
   uncommitted allocations — and what is left by the partners under the overspend risk share,
   no partner beyond its cap (what no partner can bear is ``unfunded``);
3. what the fund has left (underspends not used, the unused risk pool and uncommitted
   allocations) is returned to the partners under the underspend risk share.

Every split is made with :func:`contractkit.allocate`, so every figure is exact and every split
adds up to its total. Each overspend is **attributed to the line that caused it**: the table says,
line by line, what met it. A fund in balance overall still shows the line that is over.

This module holds the result and the steps in order; each step is a module of its own: the
funds' terms as columns (``_fund_terms``), each line's figures and outturn (``_outturn``), the
settlement (``_settlement``), the tables (``_tables``) and the findings (``_findings``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import polars as pl

from contractkit._kernel.money_tables import POUNDS, MoneyResult
from contractkit._kernel.pence_sums import require_room
from contractkit._kernel.year_months import months_through
from contractkit.errors import ArgumentError
from contractkit.model import PooledFund
from contractkit.model.kinds import is_funds, refuse
from contractkit.pooled_funds._fund_terms import FundTerms
from contractkit.pooled_funds._outturn import line_figures
from contractkit.pooled_funds._settlement import settle
from contractkit.pooled_funds._spend import Spend, read_spend
from contractkit.pooled_funds._tables import SUMMED, reconciliation_tables
from contractkit.results import Explanation

__all__ = ["Reconciliation", "reconcile"]


@attrs.frozen(eq=False)
class Reconciliation(MoneyResult):
    """A pooled fund reconciled to a period: by line, by partner, what met each overspend,
    findings, and the account of the spend rows."""

    lines: pl.DataFrame
    """One row per line: budget, budget_to_date, actual_to_date, variance_to_date,
    forecast_outturn, outturn, outturn_basis, outturn_variance, then how an overspend was met
    (met_by_underspends, met_by_risk_pool, met_by_uncommitted, met_by_partners, unfunded) and
    underspend_used (how much of its underspend met overspends elsewhere). Amounts in pounds,
    exact."""
    partners: pl.DataFrame
    """One row per partner: contribution, commissioned, actual_to_date and variance_to_date of
    the lines it commissions, outturn_variance of those lines, bears (its share of the overspend),
    cap, receives (its share of what is returned) and net (receives − bears)."""
    attribution: pl.DataFrame
    """What met each line's overspend: line, source (see ``SOURCES``), partner (for a partner's
    share), amount. The amounts of a line add up to its overspend."""
    findings: pl.DataFrame
    """code (see ``FINDINGS``), line, partner, amount, message."""
    funds: pl.DataFrame
    """One row per fund reconciled: its position in figures (as in ``summary``)."""
    summary: dict[str, Any]
    """The fund's position in figures (Money) and words."""
    rejected: pl.DataFrame
    """The spend rows not used, each with its reason and message."""
    account: dict[str, Any]
    """What became of every spend row."""
    terms: tuple[PooledFund, ...] = attrs.field(default=(), repr=False)
    """The funds reconciled, as written (their terms, for :meth:`explain`)."""
    returns: pl.DataFrame | None = attrs.field(default=None, repr=False)
    """Per line, in the order of ``lines``: how many spend rows were used (``rows``), the last
    month they cover and the month the latest forecast was given for (``last_month``,
    ``forecast_month``: counted from April as 0; -1 for none), for :meth:`explain`."""

    TABLES: ClassVar[tuple[str, ...]] = ("lines", "partners", "attribution", "findings", "funds")
    """The tables it holds (for :meth:`table`, ``to_csv`` and ``to_parquet``)."""
    FORMAT: ClassVar[str] = "contractkit-reconciliation"
    NOUN: ClassVar[str] = "reconciliation"
    HEADLINE: ClassVar[str] = "summary"
    FIGURES: ClassVar[tuple[str, ...]] = SUMMED
    SCHEMAS: ClassVar[Mapping[str, Mapping[str, pl.DataType]]] = {
        "lines": {
            "line": pl.String(),
            "name": pl.String(),
            "commissioner": pl.String(),
            "provider": pl.String(),
            "budget": POUNDS,
            "budget_to_date": POUNDS,
            "actual_to_date": POUNDS,
            "variance_to_date": POUNDS,
            "forecast_outturn": POUNDS,
            "outturn": POUNDS,
            "outturn_basis": pl.String(),
            "outturn_variance": POUNDS,
            "met_by_underspends": POUNDS,
            "met_by_risk_pool": POUNDS,
            "met_by_uncommitted": POUNDS,
            "met_by_partners": POUNDS,
            "unfunded": POUNDS,
            "underspend_used": POUNDS,
        },
        "partners": {
            "partner": pl.String(),
            "name": pl.String(),
            "contribution": POUNDS,
            "commissioned": POUNDS,
            "actual_to_date": POUNDS,
            "variance_to_date": POUNDS,
            "outturn_variance": POUNDS,
            "bears": POUNDS,
            "cap": POUNDS,
            "receives": POUNDS,
            "net": POUNDS,
        },
        "attribution": {
            "line": pl.String(),
            "source": pl.String(),
            "partner": pl.String(),
            "amount": POUNDS,
        },
        "findings": {
            "code": pl.String(),
            "line": pl.String(),
            "partner": pl.String(),
            "amount": POUNDS,
            "message": pl.String(),
        },
        "funds": {
            "fund": pl.String(),
            "year": pl.String(),
            "budget": POUNDS,
            "budget_to_date": POUNDS,
            "actual_to_date": POUNDS,
            "variance_to_date": POUNDS,
            "outturn": POUNDS,
            "outturn_variance": POUNDS,
            "overspend": POUNDS,
            "underspend": POUNDS,
            "met_by_underspends": POUNDS,
            "risk_pool_used": POUNDS,
            "uncommitted_used": POUNDS,
            "partners_bear": POUNDS,
            "unfunded": POUNDS,
            "returned": POUNDS,
        },
    }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Reconciliation:
        """A reconciliation read back from its JSON form (without the funds' terms, so it
        cannot explain itself)."""
        return cls(**cls._parts(data))

    def explain(
        self,
        name: str | None = None,
        *,
        line: str | None = None,
        partner: str | None = None,
        fund: str | None = None,
    ) -> Explanation:
        """Any figure in words, for a finance lead: a line's (``line="reablement"``: its budget
        to date and how its profile gave it, its actual, its outturn and where that came from,
        and how an overspend was met — which sources, which partners, by which rule, within
        which caps), a partner's (``partner="icb"``: what it contributes and commissions, what
        it bears and receives, and why), or the fund's position (nothing named, or ``fund=``;
        with several funds and none named, all of them added up). ``name`` is a line's or a
        partner's id. Every amount is as in the tables."""
        from contractkit.pooled_funds._explain import explain_reconciliation

        return explain_reconciliation(self, name, line=line, partner=partner, fund=fund)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Reconciliation(fund={s['fund']!r}, to={s['period']}, budget={s['budget']}, "
            f"outturn={s['outturn']} ({s['basis']}), overspend={s['overspend']}, "
            f"returned={s['returned']})"
        )


def reconcile(
    funds: PooledFund | Sequence[PooledFund],
    spend: Any,
    *,
    period: str | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Reconciliation:
    """Reconcile a fund against its spend returns (a file or a frame; see :func:`read_spend`) to
    ``period`` (by default, the last month with spend).

    Several funds of one year are reconciled in one pass from one spend table whose rows name
    their ``fund``: every table then holds all of them (each row naming its fund), ``funds``
    has a row per fund, and ``summary`` adds them up."""
    group = _funds_to_reconcile(funds)
    year = group[0].year
    through = months_through(period, year)
    rows = (
        spend
        if isinstance(spend, Spend)
        else read_spend(spend, funds, through=through, columns=columns, sheet=sheet)
    )
    _require_room(group, rows)
    if period is None:
        through = months_through(None, year, rows.first + rows.months - 1)
    terms = FundTerms.of(group)
    figures = line_figures(terms, rows, through)
    settlement = settle(terms, figures.outturn)
    tables = reconciliation_tables(
        terms, figures, settlement, through, many=not isinstance(funds, PooledFund)
    )
    return Reconciliation(
        lines=tables.lines,
        partners=tables.partners,
        attribution=tables.attribution,
        findings=tables.findings,
        funds=tables.funds,
        summary=tables.summary,
        rejected=rows.rejected,
        account=rows.account,
        terms=terms.funds,
        returns=figures.returns(),
    )


def _funds_to_reconcile(funds: PooledFund | Sequence[PooledFund]) -> list[PooledFund]:
    """The funds given, as a list: at least one, none twice; refused if they are not funds."""
    if not is_funds(funds):
        raise refuse(
            funds,
            "reconcile() reconciles a pooled fund (or a list of pooled funds of one year)",
            "fund",
        )
    group = [funds] if isinstance(funds, PooledFund) else list(funds)
    if not group:
        raise ArgumentError("there are no funds to reconcile")
    seen: set[str] = set()
    for fund in group:
        if fund.id in seen:
            raise ArgumentError(
                f"fund {fund.id} is given twice: each fund is reconciled once (spend rows name "
                "their fund by its id)"
            )
        seen.add(fund.id)
    return group


def _require_room(funds: Sequence[PooledFund], rows: Spend) -> None:
    """Every sum the reconciliation makes is exact in 64 bits, or it is refused."""
    require_room(
        "the funds' amounts and the spend",
        [line.budget.pence for fund in funds for line in fund.lines],
        [p.contribution.pence for fund in funds for p in fund.partners],
        [p.cap.pence for fund in funds for p in fund.partners if p.cap is not None],
        [fund.risk_pool.pence + fund.uncommitted.pence for fund in funds],
        rows.amount,
        rows.forecast[rows.has_forecast],
    )
