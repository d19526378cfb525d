"""A reconciliation's tables and its summary, over whole columns: one row per line (its figures
and what met its overspend), per partner (what it contributes and commissions, bears and
receives), per source that met each line's overspend (the attribution), per finding, and per
fund (its position); and the funds' position added up, in figures and words.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Ints
from contractkit._kernel.months import month_of
from contractkit._kernel.pence_sums import within
from contractkit.money import Money
from contractkit.pooled_funds._findings import findings
from contractkit.pooled_funds._fund_terms import MET_FROM, FundTerms
from contractkit.pooled_funds._outturn import BASES, LineFigures
from contractkit.pooled_funds._settlement import SOURCES, Settlement
from contractkit.pooled_funds._table_columns import Amounts, Labels, frame, gather, strings

__all__ = ["SUMMED", "Tables", "reconciliation_tables"]

SUMMED = (
    "budget",
    "budget_to_date",
    "actual_to_date",
    "variance_to_date",
    "outturn",
    "outturn_variance",
    "overspend",
    "underspend",
    "met_by_underspends",
    "risk_pool_used",
    "uncommitted_used",
    "partners_bear",
    "unfunded",
    "returned",
)
"""A fund's position in figures: the columns of the funds table after its names, and the
figures of the summary."""


@attrs.frozen
class Tables:
    """A reconciliation's tables, collected, and its summary."""

    lines: pl.DataFrame
    partners: pl.DataFrame
    attribution: pl.DataFrame
    findings: pl.DataFrame
    funds: pl.DataFrame
    summary: dict[str, Any]


def reconciliation_tables(
    t: FundTerms, x: LineFigures, s: Settlement, through: int, *, many: bool
) -> Tables:
    """The reconciliation's tables to the month ``through``, over whole columns; with
    ``many``, every row names its fund."""
    labels = Labels.of(t, many=many)
    lines = _line_table(t, x, s, labels)
    partners = _partner_table(t, x, s, labels)
    attribution = _attribution_table(t, s, labels)
    position = _position(t, x, s)
    funds = frame(
        {
            "fund": labels.funds,
            "year": strings([str(f.year) for f in t.funds]),
            **{c: Amounts(position[c]) for c in SUMMED},
        },
        "fund",
    )
    found = findings(t, x, s, labels)
    summary = _summary(t, position, through, many=many)
    tables = pl.collect_all([lines, partners, attribution, found, funds])
    return Tables(
        lines=tables[0],
        partners=tables[1],
        attribution=tables[2],
        findings=tables[3],
        funds=tables[4],
        summary=summary,
    )


def _line_table(t: FundTerms, x: LineFigures, s: Settlement, labels: Labels) -> pl.LazyFrame:
    """One row per line: its figures and how its overspend was met."""
    width = t.grid.shape[1]
    return frame(
        {
            **labels.fund_of(t.fund),
            "line": labels.lines,
            "name": labels.line_names,
            "commissioner": strings(t.commissioners),
            "provider": strings(t.providers),
            "budget": Amounts(t.budget),
            "budget_to_date": Amounts(x.budget_to_date),
            "actual_to_date": Amounts(x.actual),
            "variance_to_date": Amounts(x.variance_to_date),
            "forecast_outturn": Amounts(x.forecast, ~x.has_forecast),
            "outturn": Amounts(x.outturn),
            "outturn_basis": strings(BASES).gather(x.basis),
            "outturn_variance": Amounts(x.outturn_variance),
            "met_by_underspends": Amounts(s.met[:, MET_FROM.index("underspends")]),
            "met_by_risk_pool": Amounts(s.met[:, MET_FROM.index("risk_pool")]),
            "met_by_uncommitted": Amounts(s.met[:, MET_FROM.index("uncommitted")]),
            "met_by_partners": Amounts(s.paid[:, :width].sum(axis=1)),
            "unfunded": Amounts(s.paid[:, width]),
            "underspend_used": Amounts(s.underspend_used),
        },
        "line",
    )


def _partner_table(t: FundTerms, x: LineFigures, s: Settlement, labels: Labels) -> pl.LazyFrame:
    """One row per partner: what it puts in and commissions, what its lines spent, and what it
    bears and receives."""

    def of_lines(values: Ints) -> Ints:
        """Per partner: the values of the lines it commissions, added up."""
        total = np.zeros(t.partner_fund.size, dtype=np.int64)
        np.add.at(total, t.commissioner, values)
        return total

    bears = t.by_partner(s.bears)
    receives = t.by_partner(s.receives)
    return frame(
        {
            **labels.fund_of(t.partner_fund),
            "partner": labels.partners,
            "name": strings(t.partner_names),
            "contribution": Amounts(t.contribution),
            "commissioned": Amounts(t.commissioned),
            "actual_to_date": Amounts(of_lines(x.actual)),
            "variance_to_date": Amounts(of_lines(x.variance_to_date)),
            "outturn_variance": Amounts(of_lines(x.outturn_variance)),
            "bears": Amounts(bears),
            "cap": Amounts(t.cap, ~t.has_cap),
            "receives": Amounts(receives),
            "net": Amounts(receives - bears),
        },
        "partner",
    )


def _attribution_table(t: FundTerms, s: Settlement, labels: Labels) -> pl.LazyFrame:
    """What met each overspent line's overspend, source by source (only what met some of it):
    the fund's sources, then each partner (by its slot on the grid), then the unfunded."""
    overspent = np.flatnonzero(s.over > 0)
    amounts = np.concatenate([s.met[overspent], s.paid[overspent]], axis=1)
    kinds = amounts.shape[1]
    entries = np.flatnonzero(amounts.ravel())
    line, column = overspent[entries // kinds], entries % kinds
    sources, width = len(MET_FROM), t.grid.shape[1]
    by_partner = (column >= sources) & (column < sources + width)
    source = np.where(
        column < sources,
        column,
        np.where(by_partner, SOURCES.index("partner"), SOURCES.index("unfunded")),
    )
    partner = np.where(
        by_partner, t.grid[t.fund[line], np.clip(column - sources, 0, width - 1)], -1
    )
    return frame(
        {
            **labels.fund_of(t.fund[line]),
            "line": labels.lines.gather(line),
            "source": strings(SOURCES).gather(source),
            "partner": gather(labels.partners, partner),
            "amount": Amounts(amounts.ravel()[entries]),
        }
    )


def _position(t: FundTerms, x: LineFigures, s: Settlement) -> dict[str, Ints]:
    """Each fund's position in figures (``SUMMED``)."""
    return {
        "budget": t.per_fund(t.budget),
        "budget_to_date": t.per_fund(x.budget_to_date),
        "actual_to_date": t.per_fund(x.actual),
        "variance_to_date": t.per_fund(x.variance_to_date),
        "outturn": t.per_fund(x.outturn),
        "outturn_variance": t.per_fund(x.outturn_variance),
        "overspend": t.per_fund(s.over),
        "underspend": t.per_fund(s.under),
        "met_by_underspends": s.used[:, MET_FROM.index("underspends")],
        "risk_pool_used": s.used[:, MET_FROM.index("risk_pool")],
        "uncommitted_used": s.used[:, MET_FROM.index("uncommitted")],
        "partners_bear": s.bears.sum(axis=1),
        "unfunded": s.unfunded,
        "returned": s.returned,
    }


def _summary(
    t: FundTerms, position: dict[str, Ints], through: int, *, many: bool
) -> dict[str, Any]:
    """The funds' position added up, as Money, with what was reconciled, to when, on what
    basis."""
    year = t.funds[0].year
    count = len(t.funds)
    return {
        "fund": t.funds[0].id if not many else f"{count} fund{'s' if count != 1 else ''}",
        "year": str(year),
        "period": str(month_of(year, through)),
        "basis": "actual" if through == 11 else "projected",
        **{
            c: Money.from_pence(
                within(sum(position[c].tolist()), f"the funds' {c.replace('_', ' ')} added up")
            )
            for c in SUMMED
        },
    }
