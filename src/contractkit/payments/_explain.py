"""Explaining a statement's figures in words: a provider's, a service's, a month's or one
element's, each figure as it appears in the statement's tables."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from contractkit._kernel.money_words import as_money
from contractkit._kernel.suggest import did_you_mean
from contractkit.errors import ArgumentError, NotFoundError
from contractkit.payments._catalogue import ELEMENT_WORDS, FIGURES
from contractkit.payments._withholding_ledger import HELD, OUTCOMES
from contractkit.periods import Month
from contractkit.results import Explanation

if TYPE_CHECKING:
    from contractkit.payments._statement import Statement

__all__ = ["explain_statement"]


def _pick(column: pl.Series, value: str, noun: str) -> None:
    known = column.unique().sort().to_list()
    if value not in known:
        raise NotFoundError(
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
    if name is not None:
        provider, service = _named(statement, name, provider, service)
    if provider is None and service is None and month is None and element is None:
        raise ArgumentError("say which figure: provider=, or any of service=, month=, element=")
    scope, lines = _chosen(statement, _Scope(provider, service, month, element))
    s = statement.summary
    heading = f"{s['contract']}, {s['period']} ({s['from']} to {s['to']})"
    if lines.height == 0 and not scope.provider_only:
        what = ELEMENT_WORDS.get(scope.element, "lines") if scope.element else "lines"
        return Explanation(
            f"{heading}: no lines ({what}) for {scope.without_element() or 'any provider'}: £0.00.",
            {"period": s["period"], "lines": 0, "payable": "0.00"},
        )
    text = [f"{heading}: {scope.words()}"]
    fields: dict[str, Any] = {"period": s["period"], "lines": lines.height}
    if scope.provider_only:
        more, figures = _position(statement, str(scope.provider), lines)
    else:
        more, figures = _each_line(statement, scope, lines)
    return Explanation("\n".join([*text, *more]), fields | figures)


@attrs.frozen
class _Scope:
    """What is explained: a provider, a service, a month, an element (any of them)."""

    provider: str | None
    service: str | None
    month: str | None
    element: str | None

    @property
    def provider_only(self) -> bool:
        """A provider's position, and nothing narrower."""
        narrower = (self.service, self.month, self.element)
        return self.provider is not None and all(part is None for part in narrower)

    def without_element(self) -> str:
        """The provider, service and month named, in words."""
        return " ".join(part for part in (self.provider, self.service, self.month) if part)

    def words(self) -> str:
        """Everything named, the element in words."""
        element = ELEMENT_WORDS.get(self.element, self.element) if self.element else None
        return " ".join(part for part in (self.provider, self.service, self.month, element) if part)


def _named(
    statement: Statement, name: str, provider: str | None, service: str | None
) -> tuple[str | None, str | None]:
    """The provider and service to explain, with ``name`` as the one of them it names."""
    providers = statement.providers.get_column("provider").to_list()
    services = statement.lines.get_column("service").unique().sort().to_list()
    if name in providers:
        return name, service
    if name in services:
        return provider, name
    raise NotFoundError(
        f"no provider or service {name!r} in the statement"
        f"{did_you_mean(name, [*providers, *services])} (the providers are: "
        f"{', '.join(providers)}; the services: {', '.join(services)})"
    )


def _chosen(statement: Statement, scope: _Scope) -> tuple[_Scope, pl.DataFrame]:
    """The statement's lines in scope (each part of the scope checked against the statement),
    and the scope with its month as the statement writes it."""
    lines = statement.lines
    if scope.provider is not None:
        _pick(statement.providers.get_column("provider"), scope.provider, "provider")
        lines = lines.filter(pl.col("provider") == scope.provider)
    if scope.service is not None:
        _pick(statement.lines.get_column("service"), scope.service, "service")
        lines = lines.filter(pl.col("service") == scope.service)
    if scope.month is not None:
        scope = attrs.evolve(scope, month=str(Month.parse(str(scope.month))))
        _pick(statement.lines.get_column("month"), str(scope.month), "month")
        lines = lines.filter(pl.col("month") == scope.month)
    if scope.element is not None:
        if scope.element not in ELEMENT_WORDS:
            known = list(ELEMENT_WORDS)
            raise NotFoundError(
                f"no element {scope.element!r}{did_you_mean(scope.element, known)} (the "
                f"elements are: {', '.join(known)})"
            )
        lines = lines.filter(pl.col("element") == scope.element)
    return scope, lines


def _position(
    statement: Statement, provider: str, lines: pl.DataFrame
) -> tuple[list[str], dict[str, Any]]:
    """A provider's position in words (its figures, its lines by element, its findings), and
    its figures."""
    row = statement.providers.filter(pl.col("provider") == provider).row(0, named=True)
    text = [
        f"{row['name']} is due {as_money(row['due'])} and earned {as_money(row['earned'])}; "
        f"{as_money(row['deducted'])} is deducted and {as_money(row['withheld'])} withheld, "
        f"{as_money(row['repaid'])} repaid: {as_money(row['payable'])} is payable."
    ]
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
    text.extend(
        f"  {ELEMENT_WORDS[part['element']]}: {as_money(part['amount'])} over "
        f"{part['lines']} line{'s' if part['lines'] != 1 else ''}"
        for part in by
    )
    findings = statement.findings.filter(pl.col("provider") == provider)
    text.extend(f"Finding: {message}" for message in findings.get_column("message").to_list())
    return text, {f: str(row[f]) for f in FIGURES}


def _each_line(
    statement: Statement, scope: _Scope, lines: pl.DataFrame
) -> tuple[list[str], dict[str, Any]]:
    """Each line in scope with its basis, what they make payable, and (for withholding) what
    is still held at the period's end."""
    total = Decimal(lines.get_column("payable").sum())
    text = [
        f"  {row['service']} {row['month']} {ELEMENT_WORDS[row['element']]}: "
        f"{as_money(row['amount'])} ({row['category']}): {row['basis']}"
        for row in lines.iter_rows(named=True)
    ]
    text.append(f"Payable for these lines: {as_money(total)}.")
    ledger = statement.withholding
    if scope.element in ("withheld", "repaid", "retained") and ledger.height:
        # Only the services whose lines are explained (a provider's own, or the one named).
        ledger = ledger.filter(pl.col("service").is_in(lines.get_column("service").unique()))
        held = ledger.filter(pl.col("outcome") == OUTCOMES[HELD])
        if held.height:
            text.append(
                f"Still held at {statement.summary['to']}: "
                f"{as_money(Decimal(held.get_column('withheld').sum()))} "
                f"(withheld in {', '.join(held.get_column('month').to_list())})."
            )
    return text, {"payable": str(total)}
