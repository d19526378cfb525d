"""What a reconciliation finds, and the findings table: each line over budget (and whether the
fund as a whole hides it), each line with no spend to date or no forecast, each partner whose
share reached its cap, and each fund's overspend that no partner can bear; every finding with its
stable code, its line or partner, its amount and a message in words. Every amount cited is made
text in one go, and every message written in one query.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Ints
from contractkit._kernel.money_tables import money_text
from contractkit.pooled_funds._fund_terms import FundTerms
from contractkit.pooled_funds._outturn import BASES, LineFigures
from contractkit.pooled_funds._settlement import Settlement
from contractkit.pooled_funds._table_columns import Amounts, Labels, frame, gather, strings

__all__ = ["FINDINGS", "findings"]

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
"""Each finding's message by its code, from its row: the line's name and id, the partner, the
amount (and for a line over budget, its budget and outturn basis) as money."""

_LINES, _PARTNERS, _FUND = 0, 1, 2
"""The sections of a fund's findings, in order: its lines', its partners', its own."""


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


def findings(t: FundTerms, x: LineFigures, s: Settlement, labels: Labels) -> pl.LazyFrame:
    """The findings, fund by fund: each line's (over budget, hidden, no spend, no forecast, in
    that order), then each capped partner's, then what is unfunded."""
    listed = _Listed.of(_found(t, x, s))
    line, amount = listed.line, listed.amount
    # A line over budget: its budget is cited too.
    over = np.flatnonzero(listed.kind == listed.codes.index("line_over_budget"))
    text = money_text(np.concatenate([amount, t.budget[line[over]]]))
    budget = pl.Series([None] * line.size, dtype=pl.String).scatter(over, text.slice(amount.size))
    fund = labels.fund_of(listed.at)
    message = _message(listed.codes, many=labels.many)
    return frame(
        {
            **fund,
            "code": strings(listed.codes).gather(listed.kind),
            "line": gather(labels.lines, line),
            "partner": gather(labels.partners, listed.partner),
            "amount": Amounts(amount),
            "kind": pl.Series(listed.kind, dtype=pl.Int64),
            "name": gather(labels.line_names, line),
            "money": text.slice(0, amount.size),
            "budget": budget,
            "basis": gather(strings(BASES), np.where(line >= 0, x.basis[np.maximum(line, 0)], -1)),
        }
    ).select(*fund, "code", "line", "partner", "amount", message.alias("message"))


def _found(t: FundTerms, x: LineFigures, s: Settlement) -> list[_Found]:
    """Every finding, kind by kind, in the order a line's findings are listed."""
    over_budget = np.flatnonzero(s.over > 0)
    hidden = over_budget[t.per_fund(x.outturn_variance)[t.fund[over_budget]] <= 0]
    no_spend = np.flatnonzero((x.budget_to_date > 0) & ~x.returned)
    no_forecast = np.flatnonzero((x.basis == BASES.index("budget")) & x.returned)
    capped = np.flatnonzero(t.by_partner(s.capped))
    short = np.flatnonzero(s.unfunded > 0)

    def none(size: int) -> Ints:
        return np.full(size, -1, dtype=np.int64)

    def of_lines(code: str, lines: Ints, amount: Ints) -> _Found:
        return _Found(code, t.fund[lines], _LINES, lines, lines, none(lines.size), amount)

    return [
        of_lines("line_over_budget", over_budget, s.over[over_budget]),
        of_lines("hidden_overspend", hidden, s.over[hidden]),
        of_lines("no_spend", no_spend, x.budget_to_date[no_spend]),
        of_lines("no_forecast", no_forecast, x.variance_to_date[no_forecast]),
        _Found(
            "cap_reached",
            t.partner_fund[capped],
            _PARTNERS,
            capped,
            none(capped.size),
            capped,
            t.by_partner(s.bears)[capped],
        ),
        _Found(
            "unfunded_overspend",
            short,
            _FUND,
            short,
            none(short.size),
            none(short.size),
            s.unfunded[short],
        ),
    ]


@attrs.frozen
class _Listed:
    """Every finding in the table's order: by fund; its lines' findings (by line, then kind),
    its partners', its own. Per finding: its kind (its place among ``codes``), its fund, its
    line and partner (-1: none) and its amount."""

    codes: list[str]
    kind: Ints
    at: Ints
    line: Ints
    partner: Ints
    amount: Ints

    @classmethod
    def of(cls, found: Sequence[_Found]) -> _Listed:
        sizes = [f.at.size for f in found]
        kind = np.repeat(np.arange(len(found)), sizes)
        at = np.concatenate([f.at for f in found])
        section = np.repeat([f.section for f in found], sizes)
        order = np.lexsort((kind, np.concatenate([f.index for f in found]), section, at))
        return cls(
            codes=[f.code for f in found],
            kind=kind[order],
            at=at[order],
            line=np.concatenate([f.line for f in found])[order],
            partner=np.concatenate([f.partner for f in found])[order],
            amount=np.concatenate([f.amount for f in found])[order],
        )


def _message(codes: Sequence[str], *, many: bool) -> pl.Expr:
    """Each finding's message, by its code (``codes[kind]``), from its row; with several funds,
    after its fund."""
    message = pl.lit(None, dtype=pl.String)
    for k, code in enumerate(codes):
        message = pl.when(pl.col("kind") == k).then(_words(*_MESSAGES[code])).otherwise(message)
    if many:
        message = pl.concat_str(pl.col("fund"), pl.lit(": "), message)
    return message
