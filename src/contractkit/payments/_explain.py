"""Explaining a statement's figures in words: a provider's, a service's, a month's or one
element's, each figure as it appears in the statement's tables."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from contractkit._kernel.money_words import as_money
from contractkit._suggest import did_you_mean
from contractkit.periods import Month
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.payments._statement import Statement

__all__ = ["explain_statement"]

_FIGURES = ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained", "held")
_WORDS = {
    "fixed": "fixed payment",
    "incentive_advance": "incentive paid in advance",
    "variable": "variable payment",
    "outcome": "outcome payments",
    "incentive_year_end": "incentive reconciled at the year end",
    "consequence": "consequences",
    "withheld": "withheld",
    "repaid": "repaid",
    "retained": "retained (kept for good; already withheld)",
}


def _pick(column: pl.Series, value: str, noun: str) -> None:
    known = column.unique().sort().to_list()
    if value not in known:
        raise KeyError(
            f"no {noun} {value!r} in the statement{did_you_mean(value, known)} (the {noun}s "
            f"are: {', '.join(str(k) for k in known)})"
        )


def explain_statement(
    statement: Statement,
    name: str | None = None,
    *,
    provider: str | None = None,
    service: str | None = None,
    month: str | None = None,
    element: str | None = None,
) -> Explanation:
    """Why a figure of the statement is what it is: a provider's position (``provider``), or the
    lines of a service, a month or an element (any of ``service``, ``month``, ``element``)."""
    lines = statement.lines
    s = statement.summary
    if name is not None:
        providers = statement.providers.get_column("provider").to_list()
        services = statement.lines.get_column("service").unique().sort().to_list()
        if name in providers:
            provider = name
        elif name in services:
            service = name
        else:
            raise KeyError(
                f"no provider or service {name!r} in the statement"
                f"{did_you_mean(name, [*providers, *services])} (the providers are: "
                f"{', '.join(providers)}; the services: {', '.join(services)})"
            )
    if provider is None and service is None and month is None and element is None:
        raise ValueError("say which figure: provider=, or any of service=, month=, element=")
    if provider is not None:
        _pick(statement.providers.get_column("provider"), provider, "provider")
        lines = lines.filter(pl.col("provider") == provider)
    if service is not None:
        _pick(statement.lines.get_column("service"), service, "service")
        lines = lines.filter(pl.col("service") == service)
    if month is not None:
        month = str(Month.parse(str(month)))
        _pick(statement.lines.get_column("month"), month, "month")
        lines = lines.filter(pl.col("month") == month)
    if element is not None:
        if element not in _WORDS:
            known = list(_WORDS)
            raise KeyError(
                f"no element {element!r}{did_you_mean(element, known)} (the elements are: "
                f"{', '.join(known)})"
            )
        lines = lines.filter(pl.col("element") == element)
    provider_only = provider is not None and service is None and month is None and element is None
    if lines.height == 0 and not provider_only:
        scope = " ".join(part for part in (provider, service, month) if part)
        what = _WORDS.get(element, "lines") if element else "lines"
        return Explanation(
            f"{s['contract']}, {s['period']} ({s['from']} to {s['to']}): no lines ({what}) "
            f"for {scope or 'any provider'}: £0.00.",
            {"period": s["period"], "lines": 0, "payable": "0.00"},
        )
    scope = " ".join(
        part
        for part in (
            provider,
            service,
            month,
            _WORDS.get(element or "", element) if element else None,
        )
        if part
    )
    text = [f"{s['contract']}, {s['period']} ({s['from']} to {s['to']}): {scope}"]
    fields: dict[str, Any] = {"period": s["period"], "lines": lines.height}
    if provider_only:
        row = statement.providers.filter(pl.col("provider") == provider).row(0, named=True)
        fields |= {f: str(row[f]) for f in _FIGURES}
        text.append(
            f"{row['name']} is due {as_money(row['due'])} and earned {as_money(row['earned'])}; "
            f"{as_money(row['deducted'])} is deducted and {as_money(row['withheld'])} withheld, "
            f"{as_money(row['repaid'])} repaid: {as_money(row['payable'])} is payable."
        )
        if row["retained"]:
            text.append(f"{as_money(row['retained'])} withheld earlier is retained for good.")
        if row["held"]:
            text.append(
                f"{as_money(row['held'])} withheld is held at the period's end, to be repaid when "
                "the step clears (or retained, if it does not clear in time)."
            )
        text.append("By element:")
        by = (
            lines.group_by("element", maintain_order=True)
            .agg(pl.len().alias("lines"), pl.col("amount").sum(), pl.col("payable").sum())
            .to_dicts()
        )
        for part in by:
            text.append(
                f"  {_WORDS[part['element']]}: {as_money(part['amount'])} over {part['lines']} "
                f"line{'s' if part['lines'] != 1 else ''}"
            )
        findings = statement.findings.filter(pl.col("provider") == provider)
        for message in findings.get_column("message").to_list():
            text.append(f"Finding: {message}")
        return Explanation("\n".join(text), fields)
    total = Decimal(lines.get_column("payable").sum())
    fields["payable"] = str(total)
    for row in lines.iter_rows(named=True):
        text.append(
            f"  {row['service']} {row['month']} {_WORDS[row['element']]}: "
            f"{as_money(row['amount'])} ({row['category']}): {row['basis']}"
        )
    text.append(f"Payable for these lines: {as_money(total)}.")
    ledger = statement.withholding
    if element in ("withheld", "repaid", "retained") and ledger.height:
        # Only the services whose lines are explained (a provider's own, or the one named).
        ledger = ledger.filter(pl.col("service").is_in(lines.get_column("service").unique()))
        held = ledger.filter(pl.col("outcome") == "held")
        if held.height:
            text.append(
                f"Still held at {s['to']}: {as_money(Decimal(held.get_column('withheld').sum()))} "
                f"(withheld in {', '.join(held.get_column('month').to_list())})."
            )
    return Explanation("\n".join(text), fields)
