"""Settling pooled funds' outturn by their terms, for every fund at once: each line's overspend or
underspend; the overspends met from the fund's sources in its order (underspends on other lines,
the risk pool, uncommitted allocations), each spread over the overspent lines by what each still
has unmet; what is left borne by the partners under the overspend risk share, none beyond its cap
(what no one can bear is unfunded), and attributed back to the lines; and what the fund has left
returned to the partners under the underspend risk share. Every split is to the penny
(:mod:`._apportionment`).
"""

from __future__ import annotations

import attrs
import numpy as np

from contractkit._kernel.arrays import Bools, Ints
from contractkit.pooled_funds._apportionment import apportion, apportion_rows
from contractkit.pooled_funds._fund_terms import MET_FROM, FundTerms

__all__ = ["SOURCES", "Settlement", "settle"]

SOURCES = (*MET_FROM, "partner", "unfunded")
"""What can meet a line's overspend, in the attribution table."""


@attrs.frozen
class Settlement:
    """What the terms made of the outturn: per line, per fund, and on the partners' grid (see
    :class:`FundTerms`)."""

    over: Ints
    """Per line: its overspend (0 where none)."""
    under: Ints
    """Per line: its underspend (0 where none)."""
    met: Ints
    """Per line and source (lines × 3, as ``MET_FROM``): what the source met of its
    overspend."""
    paid: Ints
    """Per line and payer (lines × the grid's width + 1): what each partner (by its slot on the
    grid) bore of its overspend, and, last, what was unfunded."""
    underspend_used: Ints
    """Per line: how much of its underspend met overspends elsewhere."""
    used: Ints
    """Per fund and source (funds × 3): how much of it met overspends."""
    left: Ints
    """Per fund: the overspend left for the partners after the sources."""
    bears: Ints
    """On the grid: what each partner bears."""
    receives: Ints
    """On the grid: what each partner receives."""
    capped: Bools
    """On the grid: whether the partner's share reached its cap."""
    unfunded: Ints
    """Per fund: what no partner could bear."""
    returned: Ints
    """Per fund: what is returned to the partners."""


def settle(t: FundTerms, outturn: Ints) -> Settlement:
    """The funds' terms applied to the outturn, for every fund at once."""
    every_line = np.arange(t.budget.size)
    over = np.maximum(outturn - t.budget, 0)
    under = np.maximum(t.budget - outturn, 0)
    sources = _Sources.meet(t, over, under)
    # Which lines' underspends met overspends elsewhere, in proportion to their underspends.
    underspend_used = apportion(sources.used[:, 0], under, t.fund, every_line)
    # The partners meet what is left, by the overspend risk share, within their caps.
    valid = t.grid >= 0
    cap = np.where(valid, t.cap[t.grid], 0)
    has_cap = valid & t.has_cap[t.grid]
    left = sources.left
    bears = _capped(left, t.over_weight, cap, has_cap, t.rank)
    unfunded = left - bears.sum(axis=1)
    capped = has_cap & (left > 0)[:, None] & (bears >= cap)
    paid = _by_line(t, sources.remaining, bears, unfunded)
    returned = sources.available.sum(axis=1) - sources.used.sum(axis=1)
    receives = apportion_rows(returned, t.under_weight, t.rank)
    return Settlement(
        over=over,
        under=under,
        met=sources.met,
        paid=paid,
        underspend_used=underspend_used,
        used=sources.used,
        left=left,
        bears=bears,
        receives=receives,
        capped=capped,
        unfunded=unfunded,
        returned=returned,
    )


@attrs.frozen
class _Sources:
    """The overspends met from the funds' sources, before the partners."""

    met: Ints
    """Per line and source (lines × 3): what the source met of its overspend."""
    used: Ints
    """Per fund and source (funds × 3): how much of it met overspends."""
    available: Ints
    """Per fund and source (funds × 3): how much of it there was."""
    remaining: Ints
    """Per line: its overspend not met by the sources."""
    left: Ints
    """Per fund: the overspend not met by the sources."""

    @classmethod
    def meet(cls, t: FundTerms, over: Ints, under: Ints) -> _Sources:
        """The sources, in each fund's order, each spread over the lines by what is still
        unmet."""
        size, funds = t.budget.size, t.first_line.size
        every_line, every_fund = np.arange(size), np.arange(funds)
        remaining = over.copy()
        unmet = t.per_fund(over)
        available = np.stack([t.per_fund(under), t.risk_pool, t.uncommitted], axis=1)
        met = np.zeros((size, 3), dtype=np.int64)
        used = np.zeros((funds, 3), dtype=np.int64)
        for step in range(3):
            source = t.order[:, step]
            named = source >= 0
            take = np.where(named, np.minimum(unmet, available[every_fund, source]), 0)
            spread = apportion(take, remaining, t.fund, every_line)
            line_source = source[t.fund]
            lines = np.flatnonzero(line_source >= 0)
            met[lines, line_source[lines]] = spread[lines]
            used[every_fund[named], source[named]] = take[named]
            remaining -= spread
            unmet -= take
        return cls(met=met, used=used, available=available, remaining=remaining, left=unmet)


def _capped(left: Ints, weight: Ints, cap: Ints, has_cap: Bools, rank: Ints) -> Ints:
    """Each fund's ``left`` among its partners (a row of the grid each) by ``weight``, none
    beyond its cap: what a capped partner cannot bear goes to the others, by the same weights,
    round after round. What no one can bear is left over (unfunded)."""
    borne = np.zeros_like(weight)
    still = left.copy()
    open_ = (weight > 0) & ~(has_cap & (cap == 0))
    active = (still > 0) & open_.any(axis=1)
    while active.any():
        rows = np.flatnonzero(active)
        taking = open_[rows]
        parts = apportion_rows(still[rows], np.where(taking, weight[rows], 0), rank[rows])
        room = cap[rows] - borne[rows]
        limited = taking & has_cap[rows]
        take = np.where(limited, np.minimum(parts, room), parts)
        full = limited & (take == room)
        borne[rows] += take
        still[rows] -= take.sum(axis=1)
        open_[rows] = taking & ~full
        active[rows] = full.any(axis=1) & (still[rows] > 0) & open_[rows].any(axis=1)
    return borne


def _by_line(t: FundTerms, remaining: Ints, bears: Ints, unfunded: Ints) -> Ints:
    """Each line's remaining overspend split among the payers (the partners, by slot, then
    the unfunded) so that every line's parts add up to its remainder and every payer's parts to
    its total: each fund's lines in turn are split by what the payers still have to give (the
    unfunded first in the tie-break order, then the partners by id), and the last takes exactly
    what is left. Every fund's first such line at once, then every fund's second, and so on."""
    funds, width = bears.shape
    paid = np.zeros((remaining.size, width + 1), dtype=np.int64)
    lines = np.flatnonzero(remaining > 0)
    if lines.size == 0:
        return paid
    to_give = np.concatenate([bears, unfunded[:, None]], axis=1)
    position = np.concatenate([t.rank + 1, np.zeros((funds, 1), dtype=np.int64)], axis=1)
    fund = t.fund[lines]
    turn = np.arange(lines.size) - np.searchsorted(fund, fund)
    for step in range(int(turn.max()) + 1):
        now = turn == step
        mine, fs = lines[now], fund[now]
        # (A fund's last such line is split by exactly what is left, so it takes all of it.)
        parts = apportion_rows(remaining[mine], to_give[fs], position[fs])
        to_give[fs] -= parts
        paid[mine] = parts
    return paid
