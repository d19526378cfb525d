"""A fund's risk shares as weights: the partners an overspend or underspend risk share names, in
its order, and the whole numbers each partner's part is split by (pro rata to contribution, to
the budgets each commissions, or fixed shares over their common denominator). The settlement
splits what the partners bear and receive by them; an explanation uses them to say what a partner
would have borne before any cap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from contractkit.model import PooledFund, RiskBasis, RiskShare
from contractkit.money import Money, allocate

__all__ = ["share_before_caps", "share_weights"]


def share_weights(
    share: RiskShare, fund: PooledFund, commissioned: Sequence[int]
) -> tuple[list[str], list[int]]:
    """The partners a risk share names, in its order, and their weights as whole numbers (fixed
    shares over a common denominator): pro rata to contribution, to what each commissions
    (``commissioned``, per partner in the fund's order; contribution if no partner commissions
    anything) or fixed."""
    if share.basis is RiskBasis.FIXED:
        # Percentages as whole numbers over their common denominator (the same proportions).
        ratios = [q.magnitude.as_integer_ratio() for q in share.shares.values()]
        scale = math.lcm(*(d for _, d in ratios))
        return list(share.shares), [n * (scale // d) for n, d in ratios]
    ids = [p.id for p in fund.partners]
    if share.basis is RiskBasis.COMMISSIONED and any(commissioned):
        return ids, list(commissioned)
    return ids, [p.contribution.pence for p in fund.partners]


def share_before_caps(fund: PooledFund, commissioned: Sequence[int], left: int) -> dict[str, Money]:
    """What each partner would bear of ``left`` (pence) by the overspend risk share, before any
    cap."""
    named, weights = share_weights(fund.overspend, fund, commissioned)
    if left == 0 or not any(weights):
        return {p: Money.zero() for p in named}
    return allocate(Money.from_pence(left), dict(zip(named, weights, strict=True)))
