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

from contractkit.finance._spend import Spend, latest, read_spend
from contractkit.finance._tables import TableOutputs, pounds
from contractkit.model import FundLine, PooledFund, RiskBasis, RiskShare
from contractkit.money import Money, allocate
from contractkit.periods import FinancialYear, Month, Quarter, parse_period

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
    summary: dict[str, Any]
    """The fund's position in figures (Money) and words."""
    rejected: pl.DataFrame
    """The spend rows not used, each with its reason and message."""
    account: dict[str, Any]
    """What became of every spend row."""

    TABLES: ClassVar[tuple[str, ...]] = ("lines", "partners", "attribution", "findings")
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


def _reconciled_to(period: str | None, fund: PooledFund, spend_months: Sequence[int]) -> int:
    """The last month (from April, 0) the reconciliation covers."""
    if period is None:
        return max(spend_months) if spend_months else 11
    parsed = parse_period(period)
    if not isinstance(parsed, Month | Quarter | FinancialYear) or not (
        fund.year.start <= parsed.start < fund.year.end
    ):
        raise ValueError(f"{period} is not a month, quarter or the year of {fund.year}")
    last = parsed.end.year * 12 + parsed.end.month - 1 - 1  # the month before the end's
    return last - (fund.year.start.year * 12 + fund.year.start.month - 1)


def reconcile(
    fund: PooledFund,
    spend: Any,
    *,
    period: str | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> Reconciliation:
    """Reconcile ``fund`` against its spend returns (a file or a frame; see
    :func:`read_spend`) to ``period`` (by default, the last month with spend)."""
    through = 11 if period is None else _reconciled_to(period, fund, [])
    rows = (
        spend
        if isinstance(spend, Spend)
        else read_spend(spend, fund, through=through, columns=columns, sheet=sheet)
    )
    ends = (rows.first + rows.months - 1).tolist()
    through = _reconciled_to(period, fund, ends) if period is None else through
    n = len(fund.lines)
    budget = [line.budget.pence for line in fund.lines]
    budget_to_date = [_budget_to(line, through) for line in fund.lines]
    actual = np.zeros(n, dtype=np.int64)
    np.add.at(actual, rows.line, rows.amount)
    forecast = latest(n, rows.line, rows.first, rows.forecast, rows.has_forecast)
    year_end = through == 11
    outturn: list[int] = []
    basis: list[str] = []
    for i in range(n):
        if year_end:
            outturn.append(int(actual[i]))
            basis.append("actual")
        elif forecast[i] is not None:
            outturn.append(int(forecast[i]))  # type: ignore[arg-type]  # checked not None
            basis.append("forecast")
        else:
            outturn.append(budget[i])
            basis.append("budget")
    settled = _settle(fund, budget, outturn)
    return _tables(
        fund, rows, through, budget, budget_to_date, actual, forecast, outturn, basis, settled
    )


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
    return [m.pence for m in allocate(Money.from_pence(amount), over)]


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
        split = allocate(Money.from_pence(left), {p: weights[p] for p in sorted(open_)})
        full: set[str] = set()
        for partner, part in split.items():
            cap = caps.get(partner)
            room = None if cap is None else cap - borne[partner]
            take = part.pence if room is None else min(part.pence, room)
            borne[partner] += take
            left -= take
            if room is not None and take == room:
                full.add(partner)
        if not full:
            break
        open_ -= full
    return borne


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
            split = allocate(Money.from_pence(amount), to_assign)
            parts = {payer: money.pence for payer, money in split.items()}
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


def _tables(
    fund: PooledFund,
    rows: Spend,
    through: int,
    budget: list[int],
    budget_to_date: list[int],
    actual: Any,
    forecast: list[int | None],
    outturn: list[int],
    basis: list[str],
    s: _Settlement,
) -> Reconciliation:
    actual_list = [int(a) for a in actual]
    variance_to_date = [a - b for a, b in zip(actual_list, budget_to_date, strict=True)]
    outturn_variance = [o - b for o, b in zip(outturn, budget, strict=True)]
    met_by_partners = [sum(d.values()) for d in s.by_partner]
    lines = pl.DataFrame(
        {
            "line": [line.id for line in fund.lines],
            "name": [line.name for line in fund.lines],
            "commissioner": [line.commissioner for line in fund.lines],
            "provider": [line.provider for line in fund.lines],
            "budget": pounds(budget),
            "budget_to_date": pounds(budget_to_date),
            "actual_to_date": pounds(actual_list),
            "variance_to_date": pounds(variance_to_date),
            "forecast_outturn": pounds(forecast),
            "outturn": pounds(outturn),
            "outturn_basis": basis,
            "outturn_variance": pounds(outturn_variance),
            "met_by_underspends": pounds(s.met["underspends"]),
            "met_by_risk_pool": pounds(s.met["risk_pool"]),
            "met_by_uncommitted": pounds(s.met["uncommitted"]),
            "met_by_partners": pounds(met_by_partners),
            "unfunded": pounds(s.met["unfunded"]),
            "underspend_used": pounds(s.underspend_used),
        },
        schema_overrides={"provider": pl.String},
    )
    commissioned = fund.commissioned()
    partner_ids = [p.id for p in fund.partners]
    own = {
        p: [i for i, line in enumerate(fund.lines) if line.commissioner == p] for p in partner_ids
    }
    partners = pl.DataFrame(
        {
            "partner": partner_ids,
            "name": [p.name for p in fund.partners],
            "contribution": pounds([p.contribution.pence for p in fund.partners]),
            "commissioned": pounds([commissioned[p].pence for p in partner_ids]),
            "actual_to_date": pounds([sum(actual_list[i] for i in own[p]) for p in partner_ids]),
            "variance_to_date": pounds(
                [sum(variance_to_date[i] for i in own[p]) for p in partner_ids]
            ),
            "outturn_variance": pounds(
                [sum(outturn_variance[i] for i in own[p]) for p in partner_ids]
            ),
            "bears": pounds([s.bears[p] for p in partner_ids]),
            "cap": pounds([None if p.cap is None else p.cap.pence for p in fund.partners]),
            "receives": pounds([s.receives[p] for p in partner_ids]),
            "net": pounds([s.receives[p] - s.bears[p] for p in partner_ids]),
        }
    )
    entries: list[tuple[str, str, str | None, int]] = []
    for i, line in enumerate(fund.lines):
        for source in ("underspends", "risk_pool", "uncommitted"):
            if s.met[source][i]:
                entries.append((line.id, source, None, s.met[source][i]))
        for partner, value in s.by_partner[i].items():
            if value:
                entries.append((line.id, "partner", partner, value))
        if s.met["unfunded"][i]:
            entries.append((line.id, "unfunded", None, s.met["unfunded"][i]))
    attribution = pl.DataFrame(
        {
            "line": [e[0] for e in entries],
            "source": [e[1] for e in entries],
            "partner": [e[2] for e in entries],
            "amount": pounds([e[3] for e in entries]),
        },
        schema_overrides={"line": pl.String, "source": pl.String, "partner": pl.String},
    )
    total_variance = sum(outturn_variance)
    findings: list[tuple[str, str | None, str | None, int, str]] = []
    for i, line in enumerate(fund.lines):
        if s.over[i]:
            amount = Money.from_pence(s.over[i])
            findings.append(
                (
                    "line_over_budget",
                    line.id,
                    None,
                    s.over[i],
                    f"{line.name} ({line.id}) is {amount} over its budget of "
                    f"{Money.from_pence(budget[i])} ({basis[i]} outturn)",
                )
            )
            if total_variance <= 0:
                findings.append(
                    (
                        "hidden_overspend",
                        line.id,
                        None,
                        s.over[i],
                        f"{line.name} ({line.id}) is {amount} over budget while the fund as a "
                        f"whole is within budget: the overspend is met from elsewhere in the pool",
                    )
                )
        if budget_to_date[i] > 0 and actual_list[i] == 0 and not _any_rows(rows, i):
            findings.append(
                (
                    "no_spend",
                    line.id,
                    None,
                    budget_to_date[i],
                    f"{line.name} ({line.id}) has no spend returned to date against a budget to "
                    f"date of {Money.from_pence(budget_to_date[i])}",
                )
            )
    for partner in s.capped:
        findings.append(
            (
                "cap_reached",
                None,
                partner,
                s.bears[partner],
                f"{partner} bears {Money.from_pence(s.bears[partner])} of the overspend: its cap",
            )
        )
    unfunded = sum(s.met["unfunded"])
    if unfunded:
        findings.append(
            (
                "unfunded_overspend",
                None,
                None,
                unfunded,
                f"{Money.from_pence(unfunded)} of the overspend is beyond every partner's cap",
            )
        )
    findings_frame = pl.DataFrame(
        {
            "code": [f[0] for f in findings],
            "line": [f[1] for f in findings],
            "partner": [f[2] for f in findings],
            "amount": pounds([f[3] for f in findings]),
            "message": [f[4] for f in findings],
        },
        schema_overrides={
            "code": pl.String,
            "line": pl.String,
            "partner": pl.String,
            "message": pl.String,
        },
    )
    start = fund.year.start
    month_index = start.year * 12 + start.month - 1 + through
    period = Month(month_index // 12, month_index % 12 + 1)
    summary = {
        "fund": fund.id,
        "year": str(fund.year),
        "period": str(period),
        "basis": "actual" if through == 11 else "projected",
        "budget": Money.from_pence(sum(budget)),
        "budget_to_date": Money.from_pence(sum(budget_to_date)),
        "actual_to_date": Money.from_pence(sum(actual_list)),
        "variance_to_date": Money.from_pence(sum(variance_to_date)),
        "outturn": Money.from_pence(sum(outturn)),
        "outturn_variance": Money.from_pence(total_variance),
        "overspend": Money.from_pence(sum(s.over)),
        "underspend": Money.from_pence(sum(s.under)),
        "met_by_underspends": Money.from_pence(s.used.get("underspends", 0)),
        "risk_pool_used": Money.from_pence(s.used.get("risk_pool", 0)),
        "uncommitted_used": Money.from_pence(s.used.get("uncommitted", 0)),
        "partners_bear": Money.from_pence(sum(s.bears.values())),
        "unfunded": Money.from_pence(unfunded),
        "returned": Money.from_pence(s.returned),
    }
    return Reconciliation(
        lines=lines,
        partners=partners,
        attribution=attribution,
        findings=findings_frame,
        summary=summary,
        rejected=rows.rejected,
        account=rows.account,
    )


def _any_rows(rows: Spend, line: int) -> bool:
    return bool((rows.line == line).any())
