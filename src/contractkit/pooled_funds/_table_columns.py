"""The columns a reconciliation's tables are made of: the text that names each row (its fund,
line or partner), and amounts given in whole pence, made exact pounds when the tables are
collected. Only the columns given as amounts are money: a count or a code stays a number. Every
amount is checked to be within the largest amount as its table is made, so that a figure too
large is refused by name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Bools, Ints
from contractkit._kernel.money_tables import as_pounds
from contractkit._kernel.pence_sums import check_figures
from contractkit.pooled_funds._fund_terms import FundTerms

__all__ = ["Amounts", "Labels", "frame", "gather", "strings"]


@attrs.frozen
class Amounts:
    """A column of amounts, given in whole pence (empty where ``empty``): in a table made by
    :func:`frame`, it is made exact pounds."""

    pence: Ints
    empty: Bools | None = None

    def column(self) -> pl.Series:
        """The whole pence as a column, empty where ``empty``."""
        column = pl.Series(self.pence, dtype=pl.Int64)
        if self.empty is None:
            return column
        return column.scatter(np.flatnonzero(self.empty), None)


def frame(columns: Mapping[str, pl.Series | Amounts], whose: str | None = None) -> pl.LazyFrame:
    """A table of columns as given and of amounts (:class:`Amounts`): the amounts made exact
    pounds all at once (as :func:`pounds` makes them), when the tables are collected. Every
    amount is within the largest amount, or the reconciliation is refused naming the figure
    (by the row's ``whose`` column: its line, partner or fund)."""
    table = pl.DataFrame(
        {c: v.column() if isinstance(v, Amounts) else v for c, v in columns.items()}
    )
    money = [c for c, v in columns.items() if isinstance(v, Amounts)]
    if whose is not None:
        check_figures(
            table,
            money,
            lambda row, column: (
                f"{whose} {row[whose]}'s {column.replace('_', ' ')}"
                + (f" in fund {row['fund']}" if whose != "fund" and "fund" in row else "")
            ),
        )
    return table.lazy().with_columns(as_pounds(pl.col(money)))


def strings(values: Sequence[str | None]) -> pl.Series:
    """Text as a column."""
    return pl.Series(values, dtype=pl.String)


def gather(values: pl.Series, index: Ints) -> pl.Series:
    """``values`` at ``index`` (empty where the index is negative)."""
    taken = values.gather(np.maximum(index, 0))
    missing = np.flatnonzero(index < 0)
    return taken.scatter(missing, None) if missing.size else taken


@attrs.frozen
class Labels:
    """The text that names the tables' rows: the funds', lines' and partners' ids and the
    lines' names, as columns; and whether several funds are reconciled (each row of every table
    then names its fund)."""

    funds: pl.Series
    lines: pl.Series
    line_names: pl.Series
    partners: pl.Series
    many: bool

    @classmethod
    def of(cls, t: FundTerms, *, many: bool) -> Labels:
        return cls(
            funds=strings([f.id for f in t.funds]),
            lines=strings(t.ids),
            line_names=strings(t.names),
            partners=strings(t.partner_ids),
            many=many,
        )

    def fund_of(self, index: Ints) -> dict[str, pl.Series]:
        """Each row's fund (a fund's place at ``index``), where several funds are reconciled;
        nothing where one is."""
        return {"fund": self.funds.gather(index)} if self.many else {}
