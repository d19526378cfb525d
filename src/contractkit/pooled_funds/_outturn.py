"""Each line's figures to date and its outturn, from the spend accepted: its budget to date, its
actual spend to date (and whether any was returned), its latest forecast and the month it was
given for, and its outturn for the year with where it came from (``outturn_basis``): the actual
at the year end; before then, the latest forecast, or else the budget (on plan). Also, per line,
what the spend returns gave, for explanations.
"""

from __future__ import annotations

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Bools, Ints
from contractkit._kernel.year_months import latest_rows
from contractkit.pooled_funds._fund_terms import FundTerms
from contractkit.pooled_funds._spend import Spend

__all__ = ["BASES", "LineFigures", "line_figures"]

BASES = ("actual", "forecast", "budget")
"""What a line's outturn is taken from (``outturn_basis``), by code."""


@attrs.frozen
class LineFigures:
    """Per line: the figures to date and the outturn."""

    budget_to_date: Ints
    actual: Ints
    variance_to_date: Ints
    """The actual less the budget to date."""
    forecast: Ints
    has_forecast: Bools
    outturn: Ints
    basis: Ints
    """A code into ``BASES``."""
    outturn_variance: Ints
    """The outturn less the budget."""
    returned: Bools
    """Whether any spend was returned for the line."""
    spend_rows: Ints
    """How many spend rows were used."""
    last_month: Ints
    """The last month the spend covers (counted from April as 0; -1 for none)."""
    forecast_month: Ints
    """The month the latest forecast was given for (counted from April as 0; -1 for none)."""

    def returns(self) -> pl.DataFrame:
        """What the spend returns gave, per line: ``rows``, ``last_month`` and
        ``forecast_month`` (see :attr:`Reconciliation.returns`)."""
        return pl.DataFrame(
            {
                "rows": self.spend_rows,
                "last_month": self.last_month,
                "forecast_month": self.forecast_month,
            }
        )


def line_figures(t: FundTerms, rows: Spend, through: int) -> LineFigures:
    """Each line's figures to the month ``through`` (April is 0), over whole columns."""
    size = t.budget.size
    actual = np.zeros(size, dtype=np.int64)
    np.add.at(actual, rows.line, rows.amount)
    returned = np.zeros(size, dtype=bool)
    returned[rows.line] = True
    # Each line's latest forecast, and the month it was given for.
    given = latest_rows(size, rows.line, rows.first, rows.has_forecast)
    has_forecast = given >= 0
    ends = rows.first + rows.months - 1
    forecast = np.zeros(size, dtype=np.int64)
    forecast[has_forecast] = rows.forecast[given[has_forecast]]
    forecast_month = np.full(size, -1, dtype=np.int64)
    forecast_month[has_forecast] = ends[given[has_forecast]]
    last_month = np.full(size, -1, dtype=np.int64)
    np.maximum.at(last_month, rows.line, ends)
    if through == 11:
        outturn, basis = actual, np.full(size, BASES.index("actual"), dtype=np.int64)
    else:
        outturn = np.where(has_forecast, forecast, t.budget)
        basis = np.where(has_forecast, BASES.index("forecast"), BASES.index("budget"))
    budget_to_date = t.budget_to(through)
    return LineFigures(
        budget_to_date=budget_to_date,
        actual=actual,
        variance_to_date=actual - budget_to_date,
        forecast=forecast,
        has_forecast=has_forecast,
        outturn=outturn,
        basis=basis,
        outturn_variance=outturn - t.budget,
        returned=returned,
        spend_rows=np.bincount(rows.line, minlength=size).astype(np.int64),
        last_month=last_month,
        forecast_month=forecast_month,
    )
