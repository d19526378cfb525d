"""Outcome payments: a rate card's price for each outcome claimed, within a cap per person and a
cap for the contract. Over whole columns of claims.

Claims are paid in the order they fall due: by month, then by service, person and outcome. The
per-person cap takes what a person's claims would pass it; in the month the contract's cap is
reached, what is left under it is shared among that month's claims in proportion to their
amounts (largest remainder, to the penny), so no claim is favoured by where it is listed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from contractkit._kernel.arrays import Ints
from contractkit._kernel.pence_sums import check_figures, require_room
from contractkit.model import Contract, Finance
from contractkit.model.payment_terms import OutcomePayments
from contractkit.money import split_pence
from contractkit.payments._activity import Claims
from contractkit.payments._column_words import counts, join, money, month_text, months, per
from contractkit.payments._lines import findings, lines

__all__ = ["CLAIMS_SCHEMA", "outcome_payments"]

CLAIMS_SCHEMA: dict[str, pl.DataType] = {
    "service": pl.Int64(),
    "person": pl.String(),
    "outcome": pl.Int64(),
    "month": pl.Int64(),
    "price": pl.Int64(),
    "paid": pl.Int64(),
    "capped_by": pl.String(),
}


def outcome_payments(
    contract: Contract, finance: Finance, claims: Claims | None
) -> tuple[list[pl.DataFrame], list[pl.DataFrame], pl.DataFrame]:
    """Lines per service, month and outcome; findings where a cap reduced them; and every claim
    with what was paid for it."""
    card = finance.outcome_payments
    if card is None or claims is None or claims.month.size == 0:
        return [], [], pl.DataFrame(schema=CLAIMS_SCHEMA)
    paid_claims = _paid(card, _in_order(card, claims))
    ids = [s.id for s in contract.services]
    grouped = _by_month(card, paid_claims, ids)
    out_lines = [_outcome_lines(card, grouped)]
    out_findings = _cap_findings(card, grouped, ids)
    return out_lines, out_findings, paid_claims.drop("_person_unpaid", "_contract_unpaid")


def _in_order(card: OutcomePayments, claims: Claims) -> pl.DataFrame:
    """The claims at their prices, in the order they fall due: by month, then by service,
    person and outcome (then as listed)."""
    prices = np.array([r.price.pence for r in card.rates], dtype=np.int64)
    return pl.DataFrame(
        {
            "service": claims.service,
            "person": claims.person,
            "outcome": claims.outcome,
            "month": claims.month,
            "price": prices[claims.outcome],
            "at": np.arange(claims.month.size),
        }
    ).sort("month", "service", "person", "outcome", "at")


def _paid(card: OutcomePayments, frame: pl.DataFrame) -> pl.DataFrame:
    """Each claim (in order) with what is paid for it within the caps, what each cap left
    unpaid, and which caps reduced it."""
    price = frame.get_column("price").to_numpy()
    require_room("the outcome claims' prices", price)
    paid = price.copy()
    capped_by = np.zeros(price.size, dtype=np.int64)  # bits: 1 per person, 2 the contract
    if card.per_person_cap is not None:
        cap = card.per_person_cap.pence
        running = frame.select(pl.col("price").cum_sum().over("person")).to_series().to_numpy()
        paid = np.minimum(running, cap) - np.minimum(running - price, cap)
        capped_by[paid < price] |= 1
    after_person = paid.copy()
    if card.cap is not None:
        paid, capped_by = _within_contract_cap(
            card.cap.pence, frame.get_column("month").to_numpy(), paid, capped_by
        )
    return frame.with_columns(
        paid=pl.Series(paid),
        _person_unpaid=pl.Series(price - after_person),
        _contract_unpaid=pl.Series(after_person - paid),
        capped_by=per(
            capped_by, [None, "per_person_cap", "contract_cap", "per_person_cap, contract_cap"]
        ),
    ).drop("at")


def _within_contract_cap(cap: int, month: Ints, paid: Ints, capped_by: Ints) -> tuple[Ints, Ints]:
    """What is paid for each claim (in month order) within the contract's cap, and the caps that
    reduced each: in the month the cap is reached, what is left under it is shared among that
    month's claims in proportion to their amounts; after it, none is paid."""
    paid, capped_by = paid.copy(), capped_by.copy()
    before = np.cumsum(paid) - paid
    over = np.flatnonzero(before + paid > cap)
    if not over.size:
        return paid, capped_by
    crossing = month[over[0]]
    start, stop = np.searchsorted(month, [crossing, crossing + 1])
    mine = np.arange(start, stop)
    left = max(cap - int(before[start]), 0)
    weights = paid[mine].tolist()
    shares = split_pence(left, weights) if left > 0 and any(weights) else [0] * mine.size
    reduced = np.array(shares, dtype=np.int64)
    capped_by[mine[reduced < paid[mine]]] |= 2
    paid[mine] = reduced
    later = np.arange(stop, paid.size)
    capped_by[later[paid[later] > 0]] |= 2
    paid[later] = 0
    return paid, capped_by


def _by_month(card: OutcomePayments, frame: pl.DataFrame, ids: Sequence[str]) -> pl.DataFrame:
    """The claims added up by service, month and outcome: how many, at their prices, paid, and
    how many each cap reduced and by how much (each figure checked against the largest
    amount)."""
    grouped = (
        frame.group_by("service", "month", "outcome", maintain_order=True)
        .agg(
            claims=pl.len(),
            gross=pl.col("price").sum(),
            paid=pl.col("paid").sum(),
            person_capped=(pl.col("_person_unpaid") > 0).sum(),
            contract_capped=(pl.col("_contract_unpaid") > 0).sum(),
            person_unpaid=pl.col("_person_unpaid").sum(),
            contract_unpaid=pl.col("_contract_unpaid").sum(),
        )
        .sort("service", "month", "outcome")
    )
    names = [r.outcome for r in card.rates]
    check_figures(
        grouped,
        ["gross", "paid"],
        lambda row, column: (
            f"service {ids[row['service']]}'s {names[row['outcome']]} claims for "
            f"{month_text(row['month'])} ({'at their prices' if column == 'gross' else 'paid'})"
        ),
    )
    return grouped


def _cap_words(card: OutcomePayments) -> tuple[str, str]:
    """The per-person cap and the contract's, in words."""
    return f"the per-person cap of {card.per_person_cap}", f"the contract's cap of {card.cap}"


def _outcome_lines(card: OutcomePayments, grouped: pl.DataFrame) -> pl.DataFrame:
    """A line per service, month and outcome: the claims at their price, and what the caps
    left unpaid."""
    service = grouped.get_column("service").to_numpy()
    outcome = grouped.get_column("outcome").to_numpy()
    number = grouped.get_column("claims").to_numpy()
    unpaid = (grouped.get_column("gross") - grouped.get_column("paid")).to_numpy()
    by_person = grouped.get_column("person_capped").to_numpy() > 0
    by_contract = grouped.get_column("contract_capped").to_numpy() > 0
    person_words, contract_words = _cap_words(card)
    notes = per(
        by_person.astype(np.int64) + 2 * by_contract.astype(np.int64),
        [None, person_words, contract_words, f"{person_words} and {contract_words}"],
    )
    names = [r.outcome for r in card.rates]
    basis = join(
        counts(number),
        " × ",
        per(outcome, names),
        " at ",
        per(outcome, [str(r.price) for r in card.rates]),
    )
    short = unpaid > 0
    if short.any():
        with_notes = join(basis, "; ", money(unpaid), " not paid: ", notes)
        basis = pl.select(pl.when(pl.Series(short)).then(with_notes).otherwise(basis)).to_series()
    return lines(
        service,
        grouped.get_column("month").to_numpy(),
        "outcome",
        grouped.get_column("paid"),
        basis,
        reference=per(outcome, names),
        quantity=number,
    )


def _cap_findings(
    card: OutcomePayments, grouped: pl.DataFrame, ids: Sequence[str]
) -> list[pl.DataFrame]:
    """Findings for the services and months whose claims a cap reduced: the per-person cap's,
    then the contract's."""
    service = grouped.get_column("service").to_numpy()
    month = grouped.get_column("month").to_numpy()
    outcome = grouped.get_column("outcome").to_numpy()
    names = [r.outcome for r in card.rates]
    person_words, contract_words = _cap_words(card)
    out = []
    for column, words, code, unpaid in (
        ("person_capped", person_words, "per_person_cap_reached", "person_unpaid"),
        ("contract_capped", contract_words, "outcome_cap_reached", "contract_unpaid"),
    ):
        reduced = grouped.get_column(column).to_numpy()
        mask = reduced > 0
        if not mask.any():
            continue
        out.append(
            findings(
                code,
                service[mask],
                month[mask],
                join(
                    per(service[mask], ids),
                    ": ",
                    counts(reduced[mask]),
                    " ",
                    per(outcome[mask], names),
                    f" claim(s) reduced by {words} in ",
                    months(month[mask]),
                ),
                amount=grouped.get_column(unpaid).to_numpy()[mask],
                detail=words,
                count=reduced[mask],
            )
        )
    return out
