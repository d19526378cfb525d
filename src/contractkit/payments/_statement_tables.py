"""A statement's tables from what was worked out to its last month: the period's lines (each
with its category and its effect on what is paid), each provider's figures, the withholding
ledger and the outcome claims in pounds, the period's findings, and the summary. Every sum is
exact in 64 bits and every figure within the largest amount, or the statement is refused
naming it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import polars as pl

from contractkit._kernel.money_tables import as_pounds
from contractkit._kernel.pence_sums import check_figures, require_room, within
from contractkit.model import Contract
from contractkit.money import Money
from contractkit.payments._catalogue import CATEGORIES, ELEMENTS, FIGURES
from contractkit.payments._column_words import month_text, month_texts, per
from contractkit.payments._statement_findings import period_findings
from contractkit.payments._withholding_ledger import HELD, OUTCOMES

__all__ = ["Span", "Tables", "Worked", "statement_tables"]

_ORDER = {name: i for i, name in enumerate(ELEMENTS)}


@attrs.frozen
class Span:
    """The months a statement shows (as month counts, ``first`` to ``through``), and the
    period they are of (its text)."""

    first: int
    through: int
    period: str


@attrs.frozen
class Worked:
    """What was worked out to the statement's last month, amounts in pence: every line and
    finding (see :mod:`contractkit.payments._lines`), the withholding ledger and the outcome
    claims paid."""

    lines: pl.DataFrame
    findings: pl.DataFrame
    ledger: pl.DataFrame
    claims: pl.DataFrame


@attrs.frozen
class Tables:
    """A statement's tables and summary (see :class:`~contractkit.payments.Statement`)."""

    lines: pl.DataFrame
    providers: pl.DataFrame
    withholding: pl.DataFrame
    outcomes: pl.DataFrame
    findings: pl.DataFrame
    summary: dict[str, Any]


def statement_tables(contract: Contract, worked: Worked, span: Span) -> Tables:
    """The statement's tables: the period's lines, each provider's figures, the ledger, the
    claims and the findings."""
    ids = [s.id for s in contract.services]
    # Every sum below is exact in 64 bits, or the statement is refused; every figure is within
    # the largest amount, or the statement is refused naming it.
    require_room(
        "the statement's amounts",
        worked.lines.get_column("amount").to_numpy(),
        worked.findings.get_column("amount").fill_null(0).to_numpy(),
        worked.ledger.get_column("withheld").to_numpy(),
    )
    check_figures(worked.lines, ["amount"], _line_words(ids))
    shown = _shown(worked.lines, span)
    providers, sums = _providers(contract, shown, worked.ledger)
    in_pounds = (as_pounds(pl.col("value")), as_pounds(pl.col("withheld")))
    return Tables(
        lines=_lines_table(contract, shown),
        providers=providers,
        withholding=worked.ledger.with_columns(*in_pounds),
        outcomes=_outcomes_table(contract, worked.claims),
        findings=period_findings(worked.findings, span.first, span.through, contract.services),
        summary={
            "contract": contract.id,
            "period": span.period,
            "from": month_text(span.first),
            "to": month_text(span.through),
            **{f: Money.from_pence(sums[f]) for f in FIGURES},
        },
    )


def _shown(lines: pl.DataFrame, span: Span) -> pl.DataFrame:
    """The period's lines, in order of service, month and element, each with its category and
    what it adds to (or takes from) what is paid (``payable``)."""
    return (
        lines.filter((pl.col("month") >= span.first) & (pl.col("month") <= span.through))
        .with_columns(
            category=pl.col("element").replace_strict(ELEMENTS, return_dtype=pl.String),
            _order=pl.col("element").replace_strict(_ORDER, return_dtype=pl.Int64),
        )
        .with_columns(
            payable=pl.when(pl.col("category").is_in(["deducted", "withheld"]))
            .then(-pl.col("amount"))
            .when(pl.col("category") == "retained")
            .then(0)
            .otherwise(pl.col("amount"))
        )
        .sort("service", "month", "_order", "reference", nulls_last=False, maintain_order=True)
    )


def _lines_table(contract: Contract, shown: pl.DataFrame) -> pl.DataFrame:
    """The statement's lines, named and in pounds."""
    service = shown.get_column("service").to_numpy()
    return shown.select(
        provider=per(service, [s.provider for s in contract.services]),
        service=per(service, [s.id for s in contract.services]),
        month=month_texts(pl.col("month")),
        element=pl.col("element"),
        category=pl.col("category"),
        reference=pl.col("reference"),
        quantity=pl.col("quantity"),
        amount=as_pounds(pl.col("amount")),
        payable=as_pounds(pl.col("payable")),
        basis=pl.col("basis"),
    )


def _providers(
    contract: Contract, shown: pl.DataFrame, ledger: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Each provider's figures (in pounds), and the statement's figures in all (in pence), each
    checked against the largest amount."""
    providers = (
        pl.DataFrame(
            {
                "provider": [p.id for p in contract.providers],
                "name": [p.name for p in contract.providers],
            }
        )
        .join(_figures(contract, shown), on="provider", how="left", maintain_order="left")
        .join(_held(contract, ledger), on="provider", how="left", maintain_order="left")
        .select("provider", "name", *(pl.col(f).fill_null(0) for f in FIGURES))
    )
    check_figures(providers, FIGURES, lambda row, figure: f"provider {row['provider']}'s {figure}")
    sums = {
        f: within(int(providers.get_column(f).sum()), f"the statement's {f} in all")
        for f in FIGURES
    }
    return providers.with_columns(as_pounds(pl.col(f)) for f in FIGURES), sums


def _figures(contract: Contract, shown: pl.DataFrame) -> pl.DataFrame:
    """Each provider's lines added up by category, and what is payable. Earned counts what it
    adds to (or takes from) the payment."""
    service = shown.get_column("service").to_numpy()
    return (
        shown.with_columns(
            provider=per(service, [s.provider for s in contract.services]),
            figure=pl.when(pl.col("category") == "earned")
            .then(pl.col("payable"))
            .otherwise(pl.col("amount")),
        )
        .group_by("provider")
        .agg(
            *(pl.col("figure").filter(pl.col("category") == c).sum().alias(c) for c in CATEGORIES),
            pl.col("payable").sum(),
        )
    )


def _held(contract: Contract, ledger: pl.DataFrame) -> pl.DataFrame:
    """What each provider has withheld and not yet repaid or retained."""
    provider_of = {s.id: s.provider for s in contract.services}
    return (
        ledger.filter(pl.col("outcome") == OUTCOMES[HELD])
        .with_columns(
            provider=pl.col("service").replace_strict(provider_of, return_dtype=pl.String)
        )
        .group_by("provider")
        .agg(held=pl.col("withheld").sum())
    )


def _outcomes_table(contract: Contract, claims: pl.DataFrame) -> pl.DataFrame:
    """The outcome claims paid, named and in pounds."""
    finance = contract.finance
    card = finance.outcome_payments if finance is not None else None
    names = {i: r.outcome for i, r in enumerate(card.rates)} if card is not None else {}
    return claims.select(
        service=per(claims.get_column("service").to_numpy(), [s.id for s in contract.services]),
        person=pl.col("person"),
        outcome=pl.col("outcome").replace_strict(names, return_dtype=pl.String),
        month=month_texts(pl.col("month")),
        price=as_pounds(pl.col("price")),
        paid=as_pounds(pl.col("paid")),
        capped_by=pl.col("capped_by"),
    )


def _line_words(ids: Sequence[str]) -> Any:
    """A line of the statement (as worked out), in words."""

    def words(row: Mapping[str, Any], column: str) -> str:
        reference = f" ({row['reference']})" if row["reference"] else ""
        return (
            f"service {ids[row['service']]}'s {row['element']} line for "
            f"{month_text(row['month'])}{reference}"
        )

    return words
