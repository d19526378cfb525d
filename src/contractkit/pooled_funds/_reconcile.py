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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.money_tables import POUNDS, MoneyResult, as_pounds, money_text
from contractkit._kernel.pence_sums import check_figures, require_room, within
from contractkit._kernel.year_months import latest_rows, month_of, months_through
from contractkit.errors import MoneyError
from contractkit.model import FundLine, PooledFund, RiskBasis, RiskShare
from contractkit.model.kinds import is_funds, refuse
from contractkit.money import Money, allocate
from contractkit.pooled_funds._spend import Spend, read_spend
from contractkit.results import Explanation

__all__ = ["FINDINGS", "Reconciliation", "reconcile"]

FINDINGS: dict[str, str] = {
    "line_over_budget": "a line's outturn is over its budget",
    "hidden_overspend": "a line is over budget while the fund as a whole is within budget",
    "cap_reached": "a partner's share of the overspend reached its cap",
    "unfunded_overspend": "an overspend that no partner can bear within its cap",
    "no_spend": "a line has no spend to date where its budget to date is more than nothing",
    "no_forecast": "before the year end, a line has no forecast: its outturn is taken to be its "
    "budget, whatever its spend to date",
}
"""What a reconciliation can find: stable codes, each with a one-line description."""

SOURCES = ("underspends", "risk_pool", "uncommitted", "partner", "unfunded")
"""What can meet a line's overspend, in the attribution table."""


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
    FIGURES: ClassVar[tuple[str, ...]] = (
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
    if not is_funds(funds):
        raise refuse(
            funds,
            "reconcile() reconciles a pooled fund (or a list of pooled funds of one year)",
            "fund",
        )
    group = [funds] if isinstance(funds, PooledFund) else list(funds)
    if not group:
        raise ValueError("there are no funds to reconcile")
    seen: set[str] = set()
    for fund in group:
        if fund.id in seen:
            raise ValueError(
                f"fund {fund.id} is given twice: each fund is reconciled once (spend rows name "
                "their fund by its id)"
            )
        seen.add(fund.id)
    first_fund = group[0]
    through = months_through(period, first_fund.year)
    rows = (
        spend
        if isinstance(spend, Spend)
        else read_spend(spend, funds, through=through, columns=columns, sheet=sheet)
    )
    # Every sum below is exact in 64 bits, or the reconciliation is refused.
    require_room(
        "the funds' amounts and the spend",
        [line.budget.pence for fund in group for line in fund.lines],
        [p.contribution.pence for fund in group for p in fund.partners],
        [p.cap.pence for fund in group for p in fund.partners if p.cap is not None],
        [fund.risk_pool.pence + fund.uncommitted.pence for fund in group],
        rows.amount,
        rows.forecast[rows.has_forecast],
    )
    if period is None:
        through = months_through(None, first_fund.year, rows.first + rows.months - 1)
    terms = _Terms.of(group)
    size = terms.budget.size
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
    returns = pl.DataFrame(
        {
            "rows": np.bincount(rows.line, minlength=size).astype(np.int64),
            "last_month": last_month,
            "forecast_month": forecast_month,
        }
    )
    if through == 11:
        outturn, basis = actual, np.zeros(size, dtype=np.int64)
    else:
        outturn = np.where(has_forecast, forecast, terms.budget)
        basis = np.where(has_forecast, 1, 2)
    figures = _Figures(
        budget_to_date=terms.budget_to(through),
        actual=actual,
        forecast=forecast,
        has_forecast=has_forecast,
        outturn=outturn,
        basis=basis,
        returned=returned,
    )
    result = _tables(
        terms,
        figures,
        _settle(terms, outturn),
        through,
        rows,
        many=not isinstance(funds, PooledFund),
    )
    return attrs.evolve(result, terms=terms.funds, returns=returns)


Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]

_BASES = ("actual", "forecast", "budget")
"""What a line's outturn is taken from (``outturn_basis``), by code."""
_MET_FROM = ("underspends", "risk_pool", "uncommitted")
"""What can meet an overspend before the partners do, by code."""


def _budget_to(line: FundLine, through: int) -> int:
    """A line's budget for the months to ``through`` (April is 0), profiled to the penny: by
    its profile, or evenly — each month the budget ÷ 12 rounded down, the odd pennies going to
    the first months, exactly as :func:`allocate` splits by equal weights."""
    if line.profile is not None:
        months = allocate(line.budget, list(line.profile))
        return sum(m.pence for m in months[: through + 1])
    whole, odd = divmod(line.budget.pence, 12)
    return whole * (through + 1) + min(odd, through + 1)


def _share_weights(
    share: RiskShare, fund: PooledFund, commissioned: list[int]
) -> tuple[list[str], list[int]]:
    """The partners a risk share names, in its order, and their weights as whole numbers (fixed
    shares over a common denominator): pro rata to contribution, to what each commissions
    (contribution if no partner commissions anything) or fixed."""
    if share.basis is RiskBasis.FIXED:
        # Percentages as whole numbers over their common denominator (the same proportions).
        ratios = [q.magnitude.as_integer_ratio() for q in share.shares.values()]
        scale = math.lcm(*(d for _, d in ratios))
        return list(share.shares), [n * (scale // d) for n, d in ratios]
    ids = [p.id for p in fund.partners]
    if share.basis is RiskBasis.COMMISSIONED and any(commissioned):
        return ids, commissioned
    return ids, [p.contribution.pence for p in fund.partners]


@attrs.frozen
class _Terms:
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
    into ``_MET_FROM`` (-1: none)."""
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
    def of(cls, funds: Sequence[PooledFund]) -> _Terms:
        every = [line for fund in funds for line in fund.lines]
        sizes = [len(fund.lines) for fund in funds]
        partners = [partner for fund in funds for partner in fund.partners]
        counts = [len(fund.partners) for fund in funds]
        # Each line's commissioner among all the partners.
        commissioner: list[int] = []
        base = start = 0
        for fund, size, count in zip(funds, sizes, counts, strict=True):
            index = {p.id: base + j for j, p in enumerate(fund.partners)}
            commissioner += [index[line.commissioner] for line in every[start : start + size]]
            base, start = base + count, start + size
        budget = np.array([line.budget.pence for line in every], dtype=np.int64)
        commissioner_ = np.array(commissioner, dtype=np.int64)
        commissioned = np.zeros(len(partners), dtype=np.int64)
        np.add.at(commissioned, commissioner_, budget)
        # The grid: each fund's partners in the overspend share's order, with both shares'
        # weights and each partner's place among the fund's ids, sorted.
        slot = [0] * len(partners)
        grid: list[list[int]] = []
        over_weight: list[list[int]] = []
        under_weight: list[list[int]] = []
        rank: list[list[int]] = []
        all_commissioned = commissioned.tolist()
        base = 0
        for fund, count in zip(funds, counts, strict=True):
            local = {p.id: base + j for j, p in enumerate(fund.partners)}
            mine = all_commissioned[base : base + count]
            named, weights = _share_weights(fund.overspend, fund, mine)
            row = [local[p] for p in named]
            for place, partner in enumerate(row):
                slot[partner] = place
            under = dict(zip(*_share_weights(fund.underspend, fund, mine), strict=True))
            places = {p: place for place, p in enumerate(sorted(local))}
            grid.append(row)
            over_weight.append(weights)
            under_weight.append([under[p] for p in named])
            rank.append([places[p] for p in named])
            base += count
        width = max(counts)

        def table(rows: list[list[int]], pad: int) -> Ints:
            return np.array([r + [pad] * (width - len(r)) for r in rows], dtype=np.int64)

        order = np.full((len(funds), 3), -1, dtype=np.int64)
        for f, fund in enumerate(funds):
            order[f, : len(fund.overspend_order)] = [
                _MET_FROM.index(s) for s in fund.overspend_order
            ]
        caps = [p.cap for p in partners]
        return cls(
            funds=tuple(funds),
            first_line=np.cumsum([0, *sizes[:-1]], dtype=np.int64),
            risk_pool=np.array([f.risk_pool.pence for f in funds], dtype=np.int64),
            uncommitted=np.array([f.uncommitted.pence for f in funds], dtype=np.int64),
            order=order,
            fund=np.repeat(np.arange(len(funds)), sizes),
            budget=budget,
            commissioner=commissioner_,
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
            slot=np.array(slot, dtype=np.int64),
            grid=table(grid, -1),
            over_weight=table(over_weight, 0),
            under_weight=table(under_weight, 0),
            rank=table(rank, 0),
        )

    def budget_to(self, through: int) -> Ints:
        """Each line's budget for the months to ``through``, as :func:`_budget_to` gives it:
        evenly over whole columns, by its profile line by line."""
        whole, odd = np.divmod(self.budget, 12)
        to_date = whole * (through + 1) + np.minimum(odd, through + 1)
        for i, line in self.profiled:
            to_date[i] = _budget_to(line, through)
        return to_date

    def per_fund(self, values: Ints) -> Ints:
        """Per-line values added up fund by fund."""
        return np.add.reduceat(values, self.first_line)


@attrs.frozen
class _Figures:
    """Per line: the figures to date and the outturn."""

    budget_to_date: Ints
    actual: Ints
    forecast: Ints
    has_forecast: Bools
    outturn: Ints
    basis: Ints
    """A code into ``_BASES``."""
    returned: Bools
    """Whether any spend was returned for the line."""


_FITS = 2**63 - 1


def _mul_div(a: Ints, b: Ints, c: Ints) -> tuple[Ints, Ints]:
    """``a × b`` divided by ``c``, whole and remainder, exactly (a, b ≥ 0; c > 0): in 64-bit
    integers where every product fits, otherwise in Python's unbounded whole numbers."""
    if a.size and int(a.max()) * int(b.max()) > _FITS:
        product = a.astype(object) * b.astype(object)
        divisor = c.astype(object)
        return (product // divisor).astype(np.int64), (product % divisor).astype(np.int64)
    product = a * b
    return product // c, product % c


def _apportion(total: Ints, weight: Ints, group: Ints, position: Ints) -> Ints:
    """Each group's ``total`` (≥ 0) split among its items (``group`` says whose each is) in
    proportion to their ``weight`` — for every group at once, exactly as
    :func:`~contractkit.money.split_pence` splits: each item its share rounded down to the
    penny, then the pennies left one each to the largest remainders, then the larger weight,
    then the earlier ``position``."""
    parts = np.zeros(weight.size, dtype=np.int64)
    items = np.flatnonzero((weight > 0) & (total[group] > 0))
    sums = np.zeros(total.size, dtype=np.int64)
    np.add.at(sums, group[items], weight[items])
    if np.any((total > 0) & (sums == 0)):
        raise MoneyError("the weights add up to zero: there is no proportion to split by")
    if items.size == 0:
        return parts
    mine, weights = group[items], weight[items]
    floors, remainders = _mul_div(total[mine], weights, sums[mine])
    given = np.zeros(total.size, dtype=np.int64)
    np.add.at(given, mine, floors)
    # Within each group: the largest remainder first, then the larger weight, then position.
    order = np.lexsort((position[items], -weights, -remainders, mine))
    ordered = mine[order]
    place = np.arange(items.size) - np.searchsorted(ordered, ordered)
    floors[order] += place < (total - given)[ordered]
    parts[items] = floors
    return parts


def _apportion_rows(total: Ints, weight: Ints, position: Ints) -> Ints:
    """Each row's ``total`` split across its columns by ``weight`` (rows × columns), as
    :func:`_apportion` splits."""
    rows, columns = weight.shape
    group = np.repeat(np.arange(rows), columns)
    return _apportion(total, weight.ravel(), group, position.ravel()).reshape(rows, columns)


@attrs.frozen
class _Settlement:
    over: Ints
    """Per line: its overspend (0 where none)."""
    under: Ints
    """Per line: its underspend (0 where none)."""
    met: Ints
    """Per line and source (lines × 3, as ``_MET_FROM``): what the source met of its
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


def _settle(t: _Terms, outturn: Ints) -> _Settlement:
    """The fund's terms applied to the outturn, for every fund at once."""
    size, funds = t.budget.size, t.first_line.size
    every_line, every_fund = np.arange(size), np.arange(funds)
    over = np.maximum(outturn - t.budget, 0)
    under = np.maximum(t.budget - outturn, 0)
    # The sources, in each fund's order, each spread over the lines by what is still unmet.
    remaining = over.copy()
    unmet = t.per_fund(over)
    available = np.stack([t.per_fund(under), t.risk_pool, t.uncommitted], axis=1)
    met = np.zeros((size, 3), dtype=np.int64)
    used = np.zeros((funds, 3), dtype=np.int64)
    for step in range(3):
        source = t.order[:, step]
        named = source >= 0
        take = np.where(named, np.minimum(unmet, available[every_fund, source]), 0)
        spread = _apportion(take, remaining, t.fund, every_line)
        line_source = source[t.fund]
        lines = np.flatnonzero(line_source >= 0)
        met[lines, line_source[lines]] = spread[lines]
        used[every_fund[named], source[named]] = take[named]
        remaining -= spread
        unmet -= take
    # Which lines' underspends met overspends elsewhere, in proportion to their underspends.
    underspend_used = _apportion(used[:, 0], under, t.fund, every_line)
    # The partners meet what is left, by the overspend risk share, within their caps.
    valid = t.grid >= 0
    cap = np.where(valid, t.cap[t.grid], 0)
    has_cap = valid & t.has_cap[t.grid]
    bears = _capped(unmet, t.over_weight, cap, has_cap, t.rank)
    unfunded = unmet - bears.sum(axis=1)
    capped = has_cap & (unmet > 0)[:, None] & (bears >= cap)
    paid = _by_line(t, remaining, unmet, bears, unfunded)
    returned = available.sum(axis=1) - used.sum(axis=1)
    receives = _apportion_rows(returned, t.under_weight, t.rank)
    return _Settlement(
        over=over,
        under=under,
        met=met,
        paid=paid,
        underspend_used=underspend_used,
        used=used,
        left=unmet,
        bears=bears,
        receives=receives,
        capped=capped,
        unfunded=unfunded,
        returned=returned,
    )


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
        parts = _apportion_rows(still[rows], np.where(taking, weight[rows], 0), rank[rows])
        room = cap[rows] - borne[rows]
        limited = taking & has_cap[rows]
        take = np.where(limited, np.minimum(parts, room), parts)
        full = limited & (take == room)
        borne[rows] += take
        still[rows] -= take.sum(axis=1)
        open_[rows] = taking & ~full
        active[rows] = full.any(axis=1) & (still[rows] > 0) & open_[rows].any(axis=1)
    return borne


def _by_line(t: _Terms, remaining: Ints, left: Ints, bears: Ints, unfunded: Ints) -> Ints:
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
        parts = _apportion_rows(remaining[mine], to_give[fs], position[fs])
        to_give[fs] -= parts
        paid[mine] = parts
    return paid


_SUMMED = (
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


def _gather(values: pl.Series, index: Ints) -> pl.Series:
    """``values`` at ``index`` (empty where the index is negative)."""
    taken = values.gather(np.maximum(index, 0))
    missing = np.flatnonzero(index < 0)
    return taken.scatter(missing, None) if missing.size else taken


def _strings(values: Sequence[str | None]) -> pl.Series:
    return pl.Series(values, dtype=pl.String)


def _pence(values: Ints, empty: Bools | None = None) -> pl.Series:
    """Whole pence as a column (empty where ``empty``), to be made pounds by :func:`_frame`."""
    column = pl.Series(values, dtype=pl.Int64)
    return column.scatter(np.flatnonzero(empty), None) if empty is not None else column


def _frame(columns: Mapping[str, pl.Series | Ints], whose: str | None = None) -> pl.LazyFrame:
    """A table of text columns and amounts: the amounts, given in whole pence, made exact
    pounds all at once (as :func:`pounds` makes them), when the tables are collected. Every
    amount is within the largest amount, or the reconciliation is refused naming the figure
    (by the row's ``whose`` column: its line, partner or fund)."""
    frame = pl.DataFrame(
        {
            c: v if isinstance(v, pl.Series) else pl.Series(v, dtype=pl.Int64)
            for c, v in columns.items()
        }
    )
    money = [c for c, dtype in frame.schema.items() if dtype == pl.Int64]
    if whose is not None:
        check_figures(
            frame,
            money,
            lambda row, column: (
                f"{whose} {row[whose]}'s {column.replace('_', ' ')}"
                + (f" in fund {row['fund']}" if whose != "fund" and "fund" in row else "")
            ),
        )
    return frame.lazy().with_columns(as_pounds(pl.col(money)))


def _tables(
    t: _Terms, x: _Figures, s: _Settlement, through: int, rows: Spend, *, many: bool
) -> Reconciliation:
    """The reconciliation's tables, over whole columns."""
    fund_ids = _strings([f.id for f in t.funds])
    line_ids = _strings(t.ids)
    partner_ids = _strings(t.partner_ids)
    variance_to_date = x.actual - x.budget_to_date
    outturn_variance = x.outturn - t.budget
    width = t.grid.shape[1]

    def fund_of(index: Ints) -> dict[str, pl.Series]:
        """Each row's fund, where several funds are reconciled."""
        return {"fund": fund_ids.gather(index)} if many else {}

    lines = _frame(
        {
            **fund_of(t.fund),
            "line": line_ids,
            "name": _strings(t.names),
            "commissioner": _strings(t.commissioners),
            "provider": _strings(t.providers),
            "budget": t.budget,
            "budget_to_date": x.budget_to_date,
            "actual_to_date": x.actual,
            "variance_to_date": variance_to_date,
            "forecast_outturn": _pence(x.forecast, ~x.has_forecast),
            "outturn": x.outturn,
            "outturn_basis": _strings(_BASES).gather(x.basis),
            "outturn_variance": outturn_variance,
            "met_by_underspends": s.met[:, 0],
            "met_by_risk_pool": s.met[:, 1],
            "met_by_uncommitted": s.met[:, 2],
            "met_by_partners": s.paid[:, :width].sum(axis=1),
            "unfunded": s.paid[:, width],
            "underspend_used": s.underspend_used,
        },
        "line",
    )

    def of_lines(values: Ints) -> Ints:
        """Per partner: the values of the lines it commissions, added up."""
        total = np.zeros(t.partner_fund.size, dtype=np.int64)
        np.add.at(total, t.commissioner, values)
        return total

    bears = s.bears[t.partner_fund, t.slot]
    receives = s.receives[t.partner_fund, t.slot]
    partners = _frame(
        {
            **fund_of(t.partner_fund),
            "partner": partner_ids,
            "name": _strings(t.partner_names),
            "contribution": t.contribution,
            "commissioned": t.commissioned,
            "actual_to_date": of_lines(x.actual),
            "variance_to_date": of_lines(variance_to_date),
            "outturn_variance": of_lines(outturn_variance),
            "bears": bears,
            "cap": _pence(t.cap, ~t.has_cap),
            "receives": receives,
            "net": receives - bears,
        },
        "partner",
    )
    # What met each overspent line's overspend, source by source (only what met some of it).
    overspent = np.flatnonzero(s.over > 0)
    amounts = np.concatenate([s.met[overspent], s.paid[overspent]], axis=1)
    kinds = amounts.shape[1]
    entries = np.flatnonzero(amounts.ravel())
    line, column = overspent[entries // kinds], entries % kinds
    source = np.where(column < 3, column, np.where(column < 3 + width, 3, 4))
    partner = np.where(
        (column >= 3) & (column < 3 + width),
        t.grid[t.fund[line], np.clip(column - 3, 0, width - 1)],
        -1,
    )
    attribution = _frame(
        {
            **fund_of(t.fund[line]),
            "line": line_ids.gather(line),
            "source": _strings(SOURCES).gather(source),
            "partner": _gather(partner_ids, partner),
            "amount": amounts.ravel()[entries],
        }
    )
    total_variance = t.per_fund(outturn_variance)
    position = {
        "budget": t.per_fund(t.budget),
        "budget_to_date": t.per_fund(x.budget_to_date),
        "actual_to_date": t.per_fund(x.actual),
        "variance_to_date": t.per_fund(variance_to_date),
        "outturn": t.per_fund(x.outturn),
        "outturn_variance": total_variance,
        "overspend": t.per_fund(s.over),
        "underspend": t.per_fund(s.under),
        "met_by_underspends": s.used[:, 0],
        "risk_pool_used": s.used[:, 1],
        "uncommitted_used": s.used[:, 2],
        "partners_bear": s.bears.sum(axis=1),
        "unfunded": s.unfunded,
        "returned": s.returned,
    }
    funds = _frame(
        {
            "fund": fund_ids,
            "year": _strings([str(f.year) for f in t.funds]),
            **{c: position[c] for c in _SUMMED},
        },
        "fund",
    )
    findings = _findings(t, x, s, total_variance, bears, fund_ids, line_ids, partner_ids, many)
    year = t.funds[0].year
    summary = {
        "fund": t.funds[0].id
        if not many
        else f"{len(t.funds)} fund{'s' if len(t.funds) != 1 else ''}",
        "year": str(year),
        "period": str(month_of(year, through)),
        "basis": "actual" if through == 11 else "projected",
        **{
            c: Money.from_pence(
                within(sum(position[c].tolist()), f"the funds' {c.replace('_', ' ')} added up")
            )
            for c in _SUMMED
        },
    }
    tables = pl.collect_all([lines, partners, attribution, findings, funds])
    return Reconciliation(
        lines=tables[0],
        partners=tables[1],
        attribution=tables[2],
        findings=tables[3],
        funds=tables[4],
        summary=summary,
        rejected=rows.rejected,
        account=rows.account,
    )


@attrs.frozen
class _Found:
    """Findings of one kind: per finding, where it goes in the table (its fund, the section —
    lines, partners, the fund — and its index there), its line and partner (-1: none) and its
    amount."""

    code: str
    at: Ints
    section: int
    index: Ints
    line: Ints
    partner: Ints
    amount: Ints


def _words(*parts: pl.Expr | str) -> pl.Expr:
    """Columns of text and fixed text, joined row by row."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])


_SAID = pl.concat_str(pl.col("name"), pl.lit(" ("), pl.col("line"), pl.lit(") "))
_MESSAGES = {
    "line_over_budget": (
        _SAID,
        "is ",
        pl.col("money"),
        " over its budget of ",
        pl.col("budget"),
        " (",
        pl.col("basis"),
        " outturn)",
    ),
    "hidden_overspend": (
        _SAID,
        "is ",
        pl.col("money"),
        " over budget while the fund as a whole is within budget: the overspend is met from "
        "elsewhere in the pool",
    ),
    "no_spend": (
        _SAID,
        "has no spend returned to date against a budget to date of ",
        pl.col("money"),
    ),
    "no_forecast": (
        _SAID,
        "has no forecast, so its outturn is taken to be its budget; its variance to date is ",
        pl.col("money"),
    ),
    "cap_reached": (pl.col("partner"), " bears ", pl.col("money"), " of the overspend: its cap"),
    "unfunded_overspend": (pl.col("money"), " of the overspend is beyond every partner's cap"),
}
"""Each finding's message, from its row: the line's name and id, the partner, the amount (and
for a line over budget, its budget and outturn basis) as money."""


def _findings(
    t: _Terms,
    x: _Figures,
    s: _Settlement,
    total_variance: Ints,
    bears: Ints,
    fund_ids: pl.Series,
    line_ids: pl.Series,
    partner_ids: pl.Series,
    many: bool,
) -> pl.LazyFrame:
    """The findings, fund by fund: each line's (over budget, hidden, no spend, in that order),
    then each capped partner's, then what is unfunded. Every amount cited is made text in one
    go, and every message written in one query."""
    over_budget = np.flatnonzero(s.over > 0)
    hidden = over_budget[total_variance[t.fund[over_budget]] <= 0]
    no_spend = np.flatnonzero((x.budget_to_date > 0) & ~x.returned)
    no_forecast = np.flatnonzero((x.basis == _BASES.index("budget")) & x.returned)
    capped = np.flatnonzero(s.capped[t.partner_fund, t.slot])
    short = np.flatnonzero(s.unfunded > 0)

    def none(size: int) -> Ints:
        return np.full(size, -1, dtype=np.int64)

    def of_lines(code: str, lines: Ints, amount: Ints) -> _Found:
        return _Found(code, t.fund[lines], 0, lines, lines, none(lines.size), amount)

    found = [
        of_lines("line_over_budget", over_budget, s.over[over_budget]),
        of_lines("hidden_overspend", hidden, s.over[hidden]),
        of_lines("no_spend", no_spend, x.budget_to_date[no_spend]),
        of_lines(
            "no_forecast",
            no_forecast,
            x.actual[no_forecast] - x.budget_to_date[no_forecast],
        ),
        _Found(
            "cap_reached",
            t.partner_fund[capped],
            1,
            capped,
            none(capped.size),
            capped,
            bears[capped],
        ),
        _Found(
            "unfunded_overspend",
            short,
            2,
            short,
            none(short.size),
            none(short.size),
            s.unfunded[short],
        ),
    ]
    # In order: by fund; its lines' findings (by line, then kind), its partners', its own.
    kind = np.repeat(np.arange(len(found)), [f.at.size for f in found])
    at = np.concatenate([f.at for f in found])
    section = np.repeat([f.section for f in found], [f.at.size for f in found])
    order = np.lexsort((kind, np.concatenate([f.index for f in found]), section, at))
    kind, at = kind[order], at[order]
    line = np.concatenate([f.line for f in found])[order]
    amount = np.concatenate([f.amount for f in found])[order]
    over = np.flatnonzero(kind == 0)  # a line over budget: its budget is cited too
    text = money_text(np.concatenate([amount, t.budget[line[over]]]))
    budget = pl.Series([None] * kind.size, dtype=pl.String).scatter(over, text.slice(amount.size))
    codes = list(_MESSAGES)
    message = pl.lit(None, dtype=pl.String)
    for k, code in enumerate(codes):
        message = pl.when(pl.col("kind") == k).then(_words(*_MESSAGES[code])).otherwise(message)
    if many:
        message = pl.concat_str(pl.col("fund"), pl.lit(": "), message)
    fund = {"fund": fund_ids.gather(at)} if many else {}
    return _frame(
        {
            **fund,
            "code": _strings(codes).gather(kind),
            "line": _gather(line_ids, line),
            "partner": _gather(partner_ids, np.concatenate([f.partner for f in found])[order]),
            "amount": amount,
            "kind": pl.Series(kind, dtype=pl.Int64).cast(pl.Int8),
            "name": _gather(_strings(t.names), line),
            "money": text.slice(0, amount.size),
            "budget": budget,
            "basis": _gather(
                _strings(_BASES), np.where(line >= 0, x.basis[np.maximum(line, 0)], -1)
            ),
        }
    ).select(*fund, "code", "line", "partner", "amount", message.alias("message"))
