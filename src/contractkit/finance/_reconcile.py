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

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import polars as pl

from contractkit.finance._spend import Spend, latest, month_of, months_through, read_spend
from contractkit.finance._tables import TableOutputs, pounds
from contractkit.model import FundLine, PooledFund, RiskBasis, RiskShare
from contractkit.money import Money, allocate, split_pence
from contractkit.periods import FinancialYear

__all__ = ["FINDINGS", "Reconciliation", "reconcile"]

FINDINGS: dict[str, str] = {
    "line_over_budget": "a line's outturn is over its budget",
    "hidden_overspend": "a line is over budget while the fund as a whole is within budget",
    "cap_reached": "a partner's share of the overspend reached its cap",
    "unfunded_overspend": "an overspend that no partner can bear within its cap",
    "no_spend": "a line has no spend to date where its budget to date is more than nothing",
}
"""What a reconciliation can find: stable codes, each with a one-line description."""

SOURCES = ("underspends", "risk_pool", "uncommitted", "partner", "unfunded")
"""What can meet a line's overspend, in the attribution table."""


@attrs.frozen(eq=False)
class Reconciliation(TableOutputs):
    """A pooled fund reconciled to a period: by line, by partner, what met each overspend,
    findings, and the account of the spend rows."""

    lines: pl.DataFrame
    """One row per line: budget, budget_to_date, actual_to_date, variance_to_date,
    forecast_outturn, outturn, outturn_basis, outturn_variance, then how an overspend was met
    (met_by_underspends, met_by_risk_pool, met_by_uncommitted, met_by_partners, unfunded) and
    underspend_returned. Amounts in pounds, exact."""
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

    TABLES: ClassVar[tuple[str, ...]] = ("lines", "partners", "attribution", "findings", "funds")
    """The tables it holds (for :meth:`table`, ``to_csv`` and ``to_parquet``)."""
    FORMAT: ClassVar[str] = "contractkit-reconciliation"
    HEADLINE: ClassVar[str] = "summary"

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
    group = [funds] if isinstance(funds, PooledFund) else list(funds)
    if not group:
        raise ValueError("there are no funds to reconcile")
    first_fund = group[0]
    through = months_through(period, first_fund.year)
    rows = (
        spend
        if isinstance(spend, Spend)
        else read_spend(spend, funds, through=through, columns=columns, sheet=sheet)
    )
    if period is None:
        through = months_through(None, first_fund.year, rows.first + rows.months - 1)
    everything = [line for fund in group for line in fund.lines]
    size = len(everything)
    actual = np.zeros(size, dtype=np.int64)
    np.add.at(actual, rows.line, rows.amount)
    returned_lines = np.zeros(size, dtype=bool)
    returned_lines[rows.line] = True
    forecast = latest(size, rows.line, rows.first, rows.forecast, rows.has_forecast)
    builder = _Builder(through, many=not isinstance(funds, PooledFund))
    start = 0
    for fund in group:
        lines = slice(start, start + len(fund.lines))
        start = lines.stop
        budget = [line.budget.pence for line in fund.lines]
        outturn: list[int] = []
        basis: list[str] = []
        for b, a, f in zip(budget, actual[lines].tolist(), forecast[lines], strict=True):
            if through == 11:
                outturn.append(a)
                basis.append("actual")
            elif f is not None:
                outturn.append(f)
                basis.append("forecast")
            else:
                outturn.append(b)
                basis.append("budget")
        builder.add(
            fund,
            budget,
            [_budget_to(line, through) for line in fund.lines],
            actual[lines].tolist(),
            forecast[lines],
            outturn,
            basis,
            returned_lines[lines].tolist(),
            _settle(fund, budget, outturn),
        )
    return builder.build(rows)


@attrs.define
class _Settlement:
    over: list[int]
    """Per line: its overspend (0 where none)."""
    under: list[int]
    """Per line: its underspend (0 where none)."""
    met: dict[str, list[int]]
    """Per source (underspends, risk_pool, uncommitted, unfunded): per line, the amount."""
    by_partner: list[dict[str, int]]
    """Per line: what each partner bore of its overspend."""
    underspend_used: list[int]
    """Per line: how much of its underspend met overspends elsewhere."""
    bears: dict[str, int]
    receives: dict[str, int]
    capped: list[str]
    used: dict[str, int]
    """Per source: how much of it met overspends."""
    returned: int


def _budget_to(line: FundLine, through: int) -> int:
    """A line's budget for the months to ``through`` (April is 0), profiled to the penny: by
    its profile, or evenly — each month the budget ÷ 12 rounded down, the odd pennies going to
    the first months, exactly as :func:`allocate` splits by equal weights."""
    if line.profile is not None:
        months = allocate(line.budget, list(line.profile))
        return sum(m.pence for m in months[: through + 1])
    whole, odd = divmod(line.budget.pence, 12)
    return whole * (through + 1) + min(odd, through + 1)


def _weights(share: RiskShare, fund: PooledFund) -> dict[str, Any]:
    if share.basis is RiskBasis.FIXED:
        return dict(share.fractions())
    if share.basis is RiskBasis.COMMISSIONED:
        commissioned = fund.commissioned()
        if any(m.pence for m in commissioned.values()):
            return {p: m.pence for p, m in commissioned.items()}
    return {p.id: p.contribution.pence for p in fund.partners}


def _spread(amount: int, over: list[int]) -> list[int]:
    """``amount`` over the lines in proportion to their (remaining) overspends."""
    if amount == 0 or not any(over):
        return [0] * len(over)
    return split_pence(amount, over)


def _capped_split(
    amount: int, weights: dict[str, Any], caps: dict[str, int | None]
) -> dict[str, int]:
    """``amount`` among partners by ``weights``, none beyond its cap: what a capped partner
    cannot bear goes to the others, by the same weights. What no one can bear is left over
    (the caller counts it as unfunded)."""
    borne = dict.fromkeys(weights, 0)
    left = amount
    open_ = {p for p, w in weights.items() if w > 0 and caps.get(p) != 0}
    while left > 0 and open_:
        names = sorted(open_)
        split = split_pence(left, [weights[p] for p in names])
        full: set[str] = set()
        for partner, part in zip(names, split, strict=True):
            cap = caps.get(partner)
            room = None if cap is None else cap - borne[partner]
            take = part if room is None else min(part, room)
            borne[partner] += take
            left -= take
            if room is not None and take == room:
                full.add(partner)
        if not full:
            break
        open_ -= full
    return borne


def _payer_order(payer: str) -> tuple[str, str]:
    """The tie-break order of payers: as allocate() orders a mapping's keys."""
    return (type(payer).__name__, payer)


def _split_rows(remaining: list[int], totals: dict[str, int]) -> list[dict[str, int]]:
    """Each line's remaining overspend split among the payers so that every line's parts add up
    to its remainder and every payer's parts to its total: each line in turn is split by what
    the payers still have to give, and the last takes exactly what is left."""
    rows: list[dict[str, int]] = [dict.fromkeys(totals, 0) for _ in remaining]
    to_assign = dict(totals)
    left = sum(remaining)
    for i, amount in enumerate(remaining):
        if amount == 0:
            continue
        if amount == left:
            parts = dict(to_assign)
        else:
            payers = sorted(to_assign, key=_payer_order)
            split = split_pence(amount, [to_assign[p] for p in payers])
            parts = dict(zip(payers, split, strict=True))
        for payer, value in parts.items():
            to_assign[payer] -= value
            rows[i][payer] = value
        left -= amount
    return rows


def _settle(fund: PooledFund, budget: list[int], outturn: list[int]) -> _Settlement:
    n = len(budget)
    over = [max(o - b, 0) for o, b in zip(outturn, budget, strict=True)]
    under = [max(b - o, 0) for o, b in zip(outturn, budget, strict=True)]
    remaining = list(over)
    met = {source: [0] * n for source in ("underspends", "risk_pool", "uncommitted")}
    available = {
        "underspends": sum(under),
        "risk_pool": fund.risk_pool.pence,
        "uncommitted": fund.uncommitted.pence,
    }
    used = dict.fromkeys(available, 0)
    for source in fund.overspend_order:
        take = min(sum(remaining), available[source])
        met[source] = _spread(take, remaining)
        remaining = [r - p for r, p in zip(remaining, met[source], strict=True)]
        used[source] = take
    # Which lines' underspends met overspends elsewhere, in proportion to their underspends.
    underspend_used = _spread(used["underspends"], under)
    # The partners meet what is left, by the overspend risk share, within their caps.
    left = sum(remaining)
    caps = {p.id: (p.cap.pence if p.cap is not None else None) for p in fund.partners}
    bears = _capped_split(left, _weights(fund.overspend, fund), caps)
    unfunded = left - sum(bears.values())
    capped = [p for p, cap in caps.items() if cap is not None and left > 0 and bears[p] >= cap]
    payers = {**bears, _UNFUNDED: unfunded}
    by_line = _split_rows(remaining, payers)
    met["unfunded"] = [row.pop(_UNFUNDED) for row in by_line]
    returned = sum(available.values()) - sum(used.values())
    receives = dict.fromkeys((p.id for p in fund.partners), 0)
    if returned:
        split = allocate(Money.from_pence(returned), _weights(fund.underspend, fund))
        receives = {partner: money.pence for partner, money in split.items()}
    return _Settlement(
        over=over,
        under=under,
        met=met,
        by_partner=by_line,
        underspend_used=underspend_used,
        bears=bears,
        receives=receives,
        capped=capped,
        used=used,
        returned=returned,
    )


_UNFUNDED = "\0unfunded"
"""The payer standing for what no partner can bear (no partner id can look like it)."""


_LINE_COLUMNS = (
    "budget",
    "budget_to_date",
    "actual_to_date",
    "variance_to_date",
    "forecast_outturn",
    "outturn",
    "outturn_variance",
    "met_by_underspends",
    "met_by_risk_pool",
    "met_by_uncommitted",
    "met_by_partners",
    "unfunded",
    "underspend_used",
)
_LINE_ORDER = (
    "fund",
    "line",
    "name",
    "commissioner",
    "provider",
    *_LINE_COLUMNS[:6],
    "outturn_basis",
    *_LINE_COLUMNS[6:],
)
"""The lines table's columns, in order (the fund's only where several were reconciled)."""
_PARTNER_COLUMNS = (
    "contribution",
    "commissioned",
    "actual_to_date",
    "variance_to_date",
    "outturn_variance",
    "bears",
    "cap",
    "receives",
    "net",
)
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


class _Builder:
    """The tables of a reconciliation, fund by fund, as columns of plain values (pence), made
    into frames once at the end."""

    def __init__(self, through: int, *, many: bool) -> None:
        self.through, self.many = through, many
        self.lines: dict[str, list[Any]] = {
            c: [] for c in ("fund", "line", "name", "commissioner", "provider", "outturn_basis")
        } | {c: [] for c in _LINE_COLUMNS}
        self.partners: dict[str, list[Any]] = {
            c: [] for c in ("fund", "partner", "name", *_PARTNER_COLUMNS)
        }
        self.attribution: dict[str, list[Any]] = {
            c: [] for c in ("fund", "line", "source", "partner", "amount")
        }
        self.findings: dict[str, list[Any]] = {
            c: [] for c in ("fund", "code", "line", "partner", "amount", "message")
        }
        self.funds: dict[str, list[Any]] = {c: [] for c in ("fund", "year", *_SUMMED)}
        self.year: FinancialYear | None = None

    def add(
        self,
        fund: PooledFund,
        budget: list[int],
        budget_to_date: list[int],
        actual: list[int],
        forecast: list[int | None],
        outturn: list[int],
        basis: list[str],
        returned: list[bool],
        s: _Settlement,
    ) -> None:
        self.year = fund.year
        variance_to_date = [a - b for a, b in zip(actual, budget_to_date, strict=True)]
        outturn_variance = [o - b for o, b in zip(outturn, budget, strict=True)]
        met_by_partners = [sum(d.values()) for d in s.by_partner]
        n = len(fund.lines)
        lines = self.lines
        lines["fund"] += [fund.id] * n
        lines["line"] += [line.id for line in fund.lines]
        lines["name"] += [line.name for line in fund.lines]
        lines["commissioner"] += [line.commissioner for line in fund.lines]
        lines["provider"] += [line.provider for line in fund.lines]
        lines["outturn_basis"] += basis
        figures: tuple[Sequence[int | None], ...] = (
            budget,
            budget_to_date,
            actual,
            variance_to_date,
            forecast,
            outturn,
            outturn_variance,
            s.met["underspends"],
            s.met["risk_pool"],
            s.met["uncommitted"],
            met_by_partners,
            s.met["unfunded"],
            s.underspend_used,
        )
        for column, values in zip(_LINE_COLUMNS, figures, strict=True):
            lines[column] += values
        own: dict[str, list[int]] = {p.id: [] for p in fund.partners}
        for i, line in enumerate(fund.lines):
            own[line.commissioner].append(i)
        for partner in fund.partners:
            mine = own[partner.id]
            bears, receives = s.bears[partner.id], s.receives[partner.id]
            row = {
                "fund": fund.id,
                "partner": partner.id,
                "name": partner.name,
                "contribution": partner.contribution.pence,
                "commissioned": sum(budget[i] for i in mine),
                "actual_to_date": sum(actual[i] for i in mine),
                "variance_to_date": sum(variance_to_date[i] for i in mine),
                "outturn_variance": sum(outturn_variance[i] for i in mine),
                "bears": bears,
                "cap": None if partner.cap is None else partner.cap.pence,
                "receives": receives,
                "net": receives - bears,
            }
            for column, value in row.items():
                self.partners[column].append(value)
        for i in (i for i, over in enumerate(s.over) if over):  # only overspends are met
            line = fund.lines[i]
            entries: list[tuple[str, str | None, int]] = [
                (source, None, s.met[source][i]) for source in _MET_FROM
            ]
            entries += [("partner", p, v) for p, v in s.by_partner[i].items()]
            entries.append(("unfunded", None, s.met["unfunded"][i]))
            for source, partner_id, amount in entries:
                if amount:
                    for column, value in zip(
                        self.attribution,
                        (fund.id, line.id, source, partner_id, amount),
                        strict=True,
                    ):
                        self.attribution[column].append(value)
        total_variance = sum(outturn_variance)
        m = Money.from_pence
        for i, line in enumerate(fund.lines):
            if s.over[i]:
                self._finding(
                    fund,
                    "line_over_budget",
                    line.id,
                    None,
                    s.over[i],
                    f"{line.name} ({line.id}) is {m(s.over[i])} over its budget of "
                    f"{m(budget[i])} ({basis[i]} outturn)",
                )
                if total_variance <= 0:
                    self._finding(
                        fund,
                        "hidden_overspend",
                        line.id,
                        None,
                        s.over[i],
                        f"{line.name} ({line.id}) is {m(s.over[i])} over budget while the fund "
                        "as a whole is within budget: the overspend is met from elsewhere in "
                        "the pool",
                    )
            if budget_to_date[i] > 0 and not returned[i]:
                self._finding(
                    fund,
                    "no_spend",
                    line.id,
                    None,
                    budget_to_date[i],
                    f"{line.name} ({line.id}) has no spend returned to date against a budget "
                    f"to date of {m(budget_to_date[i])}",
                )
        for partner_id in s.capped:
            self._finding(
                fund,
                "cap_reached",
                None,
                partner_id,
                s.bears[partner_id],
                f"{partner_id} bears {m(s.bears[partner_id])} of the overspend: its cap",
            )
        unfunded = sum(s.met["unfunded"])
        if unfunded:
            self._finding(
                fund,
                "unfunded_overspend",
                None,
                None,
                unfunded,
                f"{m(unfunded)} of the overspend is beyond every partner's cap",
            )
        position = (
            sum(budget),
            sum(budget_to_date),
            sum(actual),
            sum(variance_to_date),
            sum(outturn),
            total_variance,
            sum(s.over),
            sum(s.under),
            s.used.get("underspends", 0),
            s.used.get("risk_pool", 0),
            s.used.get("uncommitted", 0),
            sum(s.bears.values()),
            unfunded,
            s.returned,
        )
        self.funds["fund"].append(fund.id)
        self.funds["year"].append(str(fund.year))
        for column, value in zip(_SUMMED, position, strict=True):
            self.funds[column].append(value)

    def _finding(
        self,
        fund: PooledFund,
        code: str,
        line: str | None,
        partner: str | None,
        amount: int,
        message: str,
    ) -> None:
        prefix = f"{fund.id}: " if self.many else ""
        for column, value in zip(
            self.findings, (fund.id, code, line, partner, amount, prefix + message), strict=True
        ):
            self.findings[column].append(value)

    def build(self, rows: Spend) -> Reconciliation:
        def frame(
            columns: dict[str, list[Any]], money: Sequence[str], *, keep_fund: bool = False
        ) -> pl.DataFrame:
            """One table; its ``fund`` column only where several funds were reconciled."""
            return pl.DataFrame(
                {
                    c: pounds(v) if c in money else pl.Series(v, dtype=pl.String)
                    for c, v in columns.items()
                    if c != "fund" or self.many or keep_fund
                }
            )

        totals = {c: Money.from_pence(sum(self.funds[c])) for c in _SUMMED}
        assert self.year is not None  # set by the first fund added; there is always one
        summary = {
            "fund": self.funds["fund"][0] if not self.many else f"{len(self.funds['fund'])} funds",
            "year": str(self.year),
            "period": str(month_of(self.year, self.through)),
            "basis": "actual" if self.through == 11 else "projected",
            **totals,
        }
        return Reconciliation(
            lines=frame(self.lines, _LINE_COLUMNS).select(_LINE_ORDER[0 if self.many else 1 :]),
            partners=frame(self.partners, _PARTNER_COLUMNS),
            attribution=frame(self.attribution, ("amount",)),
            findings=frame(self.findings, ("amount",)),
            funds=frame(self.funds, _SUMMED, keep_fund=True),
            summary=summary,
            rejected=rows.rejected,
            account=rows.account,
        )


_MET_FROM = ("underspends", "risk_pool", "uncommitted")
