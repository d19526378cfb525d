"""A group of pooled funds' terms as columns, for settling them all at once: every line of every
fund (its fund, budget and commissioner), every partner (its contribution, cap and what it
commissions), each fund's order of the sources that meet an overspend, and the partners on a grid
of one row per fund in the order of the overspend risk share, with both risk shares' weights.
Also each line's budget to date, profiled to the penny.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit._kernel.arrays import Bools, Ints
from contractkit.model import FundLine, PooledFund
from contractkit.money import allocate
from contractkit.pooled_funds._risk_shares import share_weights

__all__ = ["MET_FROM", "FundTerms", "line_budget_to"]

_Value = TypeVar("_Value", bound=np.generic)

MET_FROM = ("underspends", "risk_pool", "uncommitted")
"""What can meet an overspend before the partners do, by code."""


def line_budget_to(line: FundLine, through: int) -> int:
    """A line's budget for the months to ``through`` (April is 0), profiled to the penny: by
    its profile, or evenly — each month the budget ÷ 12 rounded down, the odd pennies going to
    the first months, exactly as :func:`allocate` splits by equal weights."""
    if line.profile is not None:
        months = allocate(line.budget, list(line.profile))
        return sum(m.pence for m in months[: through + 1])
    whole, odd = divmod(line.budget.pence, 12)
    return whole * (through + 1) + min(odd, through + 1)


@attrs.frozen
class FundTerms:
    """The funds' terms as columns: every line of every fund, and every partner, fund by fund
    in order; the partners also on a grid of one row per fund, in the order of the overspend
    share (the order in which what each bears is listed)."""

    funds: tuple[PooledFund, ...]
    first_line: Ints
    """Per fund: the index of its first line."""
    risk_pool: Ints
    uncommitted: Ints
    order: Ints
    """Per fund and step (funds × 3): the source that meets an overspend at that step, a code
    into ``MET_FROM`` (-1: none)."""
    fund: Ints
    """Per line: its fund."""
    budget: Ints
    commissioner: Ints
    """Per line: the partner that commissions it (among all the partners)."""
    ids: list[str]
    names: list[str]
    commissioners: list[str]
    providers: list[str | None]
    profiled: list[tuple[int, FundLine]]
    """The lines with a profile, with their indexes."""
    partner_fund: Ints
    partner_ids: list[str]
    partner_names: list[str]
    contribution: Ints
    cap: Ints
    """Per partner: its cap (0 where it has none; see ``has_cap``)."""
    has_cap: Bools
    commissioned: Ints
    """Per partner: the budgets of the lines it commissions."""
    slot: Ints
    """Per partner: its column on the grid."""
    grid: Ints
    """Per fund and slot (funds × the most partners in a fund): the partner (-1: none)."""
    over_weight: Ints
    """On the grid: the overspend share's weights."""
    under_weight: Ints
    """On the grid: the underspend share's weights."""
    rank: Ints
    """On the grid: each partner's place among its fund's partners' ids, sorted (the
    tie-break order of :func:`allocate`)."""

    @classmethod
    def of(cls, funds: Sequence[PooledFund]) -> FundTerms:
        every = [line for fund in funds for line in fund.lines]
        sizes = [len(fund.lines) for fund in funds]
        partners = [partner for fund in funds for partner in fund.partners]
        counts = [len(fund.partners) for fund in funds]
        budget = np.array([line.budget.pence for line in every], dtype=np.int64)
        commissioner = _commissioners(funds)
        commissioned = np.zeros(len(partners), dtype=np.int64)
        np.add.at(commissioned, commissioner, budget)
        grid = _ShareGrid.of(funds, commissioned.tolist())
        caps = [p.cap for p in partners]
        return cls(
            funds=tuple(funds),
            first_line=np.cumsum([0, *sizes[:-1]], dtype=np.int64),
            risk_pool=np.array([f.risk_pool.pence for f in funds], dtype=np.int64),
            uncommitted=np.array([f.uncommitted.pence for f in funds], dtype=np.int64),
            order=_overspend_orders(funds),
            fund=np.repeat(np.arange(len(funds)), sizes),
            budget=budget,
            commissioner=commissioner,
            ids=[line.id for line in every],
            names=[line.name for line in every],
            commissioners=[line.commissioner for line in every],
            providers=[line.provider for line in every],
            profiled=[(i, line) for i, line in enumerate(every) if line.profile is not None],
            partner_fund=np.repeat(np.arange(len(funds)), counts),
            partner_ids=[p.id for p in partners],
            partner_names=[p.name for p in partners],
            contribution=np.array([p.contribution.pence for p in partners], dtype=np.int64),
            cap=np.array([0 if c is None else c.pence for c in caps], dtype=np.int64),
            has_cap=np.array([c is not None for c in caps], dtype=bool),
            commissioned=commissioned,
            slot=grid.slot,
            grid=grid.partner,
            over_weight=grid.over_weight,
            under_weight=grid.under_weight,
            rank=grid.rank,
        )

    def budget_to(self, through: int) -> Ints:
        """Each line's budget for the months to ``through``, as :func:`line_budget_to` gives it:
        evenly over whole columns, by its profile line by line."""
        whole, odd = np.divmod(self.budget, 12)
        to_date = whole * (through + 1) + np.minimum(odd, through + 1)
        for i, line in self.profiled:
            to_date[i] = line_budget_to(line, through)
        return to_date

    def per_fund(self, values: Ints) -> Ints:
        """Per-line values added up fund by fund."""
        return np.add.reduceat(values, self.first_line)

    def by_partner(self, on_grid: NDArray[_Value]) -> NDArray[_Value]:
        """Values on the grid, per partner (every partner, in order)."""
        return on_grid[self.partner_fund, self.slot]


def _commissioners(funds: Sequence[PooledFund]) -> Ints:
    """Each line's commissioner among all the funds' partners, fund by fund in order."""
    commissioner: list[int] = []
    base = 0
    for fund in funds:
        index = {p.id: base + j for j, p in enumerate(fund.partners)}
        commissioner += [index[line.commissioner] for line in fund.lines]
        base += len(fund.partners)
    return np.array(commissioner, dtype=np.int64)


def _overspend_orders(funds: Sequence[PooledFund]) -> Ints:
    """Per fund and step (funds × 3): the source that meets an overspend at that step, a code
    into ``MET_FROM`` (-1: none)."""
    order = np.full((len(funds), 3), -1, dtype=np.int64)
    for f, fund in enumerate(funds):
        order[f, : len(fund.overspend_order)] = [MET_FROM.index(s) for s in fund.overspend_order]
    return order


@attrs.frozen
class _ShareGrid:
    """The partners on a grid of one row per fund, in the order of the overspend share, with
    both shares' weights and each partner's place among its fund's ids, sorted; and each
    partner's column on it."""

    slot: Ints
    partner: Ints
    over_weight: Ints
    under_weight: Ints
    rank: Ints

    @classmethod
    def of(cls, funds: Sequence[PooledFund], commissioned: list[int]) -> _ShareGrid:
        """The grid, from the funds and what each partner (among all the funds' partners, in
        order) commissions."""
        slot = [0] * len(commissioned)
        grid: list[list[int]] = []
        over_weight: list[list[int]] = []
        under_weight: list[list[int]] = []
        rank: list[list[int]] = []
        base = 0
        for fund in funds:
            count = len(fund.partners)
            local = {p.id: base + j for j, p in enumerate(fund.partners)}
            mine = commissioned[base : base + count]
            named, weights = share_weights(fund.overspend, fund, mine)
            row = [local[p] for p in named]
            for place, partner in enumerate(row):
                slot[partner] = place
            under = dict(zip(*share_weights(fund.underspend, fund, mine), strict=True))
            places = {p: place for place, p in enumerate(sorted(local))}
            grid.append(row)
            over_weight.append(weights)
            under_weight.append([under[p] for p in named])
            rank.append([places[p] for p in named])
            base += count
        width = max(len(fund.partners) for fund in funds)

        def table(rows: list[list[int]], pad: int) -> Ints:
            return np.array([r + [pad] * (width - len(r)) for r in rows], dtype=np.int64)

        return cls(
            slot=np.array(slot, dtype=np.int64),
            partner=table(grid, -1),
            over_weight=table(over_weight, 0),
            under_weight=table(under_weight, 0),
            rank=table(rank, 0),
        )
