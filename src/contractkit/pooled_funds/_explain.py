"""Explaining a reconciliation's figures in words, for a finance lead: a line's, a partner's, a
fund's or all the funds'. This module finds what is named (a line, a partner or a fund, and in
which fund) and hands it to the explanation of its kind: ``_line_explanation``,
``_partner_explanation`` or ``_fund_explanation``.

Every amount in an explanation is the exact figure from the tables (or worked out from them to
the penny, such as a month's share of a budget), written as money is written
(:meth:`Money.format`). Each explanation also holds its figures as ``fields``, for tools.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from contractkit._kernel.money_words import plural, some_names, unknown_name
from contractkit.errors import ArgumentError
from contractkit.pooled_funds._fund_explanation import explain_fund, explain_funds
from contractkit.pooled_funds._line_explanation import explain_line
from contractkit.pooled_funds._partner_explanation import explain_partner
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.pooled_funds._reconcile import Reconciliation

__all__ = ["explain_reconciliation"]


def explain_reconciliation(
    result: Reconciliation,
    name: str | None = None,
    *,
    line: str | None = None,
    partner: str | None = None,
    fund: str | None = None,
) -> Explanation:
    """A line's, a partner's or a fund's figures in words (see
    :meth:`Reconciliation.explain`)."""
    if not result.terms or result.returns is None:
        raise ArgumentError(
            "this reconciliation holds no terms to explain it by: make it with reconcile()"
        )
    many = "fund" in result.lines.columns
    funds = [f.id for f in result.terms]
    if fund is not None and fund not in funds:
        raise unknown_name("fund", fund, funds, "the funds reconciled")
    named = [v for v in (name, line, partner) if v is not None]
    if len(named) > 1:
        raise ArgumentError("name one thing to explain: a line or a partner")
    if name is not None:
        line, partner = _line_or_partner(result, name, fund, many)
    if line is not None:
        return explain_line(result, _find(result, "line", line, fund, funds), many)
    if partner is not None:
        return explain_partner(result, _find(result, "partner", partner, fund, funds), many)
    if fund is not None or not many:
        return explain_fund(result, funds.index(fund) if fund is not None else 0, many)
    return explain_funds(result)


def _line_or_partner(
    result: Reconciliation, name: str, fund: str | None, many: bool
) -> tuple[str | None, str | None]:
    """Whether ``name`` is a line's id or a partner's (in ``fund``, where one is named), as
    ``(line, partner)``: the one it is, the other ``None``."""
    scope = [f for f in result.terms if fund is None or f.id == fund]
    is_line = any(name in {x.id for x in f.lines} for f in scope)
    is_partner = any(name in {p.id for p in f.partners} for f in scope)
    if is_line and is_partner:
        raise ArgumentError(f"{name!r} is both a line and a partner: say line= or partner=")
    if not is_line and not is_partner:
        known = sorted(
            {x.id for f in scope for x in f.lines} | {p.id for f in scope for p in f.partners}
        )
        where = fund or (result.terms[0].id if not many else "the funds reconciled")
        raise unknown_name("line or partner", name, known, where, "lines and partners")
    return (name, None) if is_line else (None, name)


def _find(
    result: Reconciliation, kind: str, name: str, fund: str | None, funds: Sequence[str]
) -> int:
    """The row of a line (or partner) in its table, within ``fund`` where one is named."""
    table = result.lines if kind == "line" else result.partners
    ids = table.get_column(kind)
    owners = table.get_column("fund") if "fund" in table.columns else None
    mine = ids == name
    if fund is not None and owners is not None:
        mine &= owners == fund
    rows = np.flatnonzero(mine.to_numpy())
    if rows.size == 0:
        terms = [result.terms[funds.index(fund)]] if fund is not None else list(result.terms)
        if kind == "line":
            known = sorted({x.id for t in terms for x in t.lines})
        else:
            known = sorted({p.id for t in terms for p in t.partners})
        where = (
            fund if fund is not None else (funds[0] if owners is None else "the funds reconciled")
        )
        raise unknown_name(kind, name, known, where)
    if rows.size > 1:
        assert owners is not None  # one fund cannot hold two of the same id
        raise ArgumentError(
            f"{kind} {name!r} is in {plural(rows.size, 'fund')} "
            f"({some_names(owners.gather(rows).to_list())}): say which with fund="
        )
    return int(rows[0])
