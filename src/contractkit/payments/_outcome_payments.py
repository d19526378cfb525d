"""Outcome payments: a rate card's price for each outcome claimed, within a cap per person and a
cap for the contract. Over whole columns of claims.

Claims are paid in the order they fall due: by month, then by service, person and outcome. The
per-person cap takes what a person's claims would pass it; in the month the contract's cap is
reached, what is left under it is shared among that month's claims in proportion to their
amounts (largest remainder, to the penny), so no claim is favoured by where it is listed.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from contractkit._kernel.pence_sums import check_figures, require_room
from contractkit.model import Contract, Finance
from contractkit.money import split_pence
from contractkit.payments._activity import Claims
from contractkit.payments._lines import (
    counts,
    findings,
    join,
    lines,
    money,
    month_text,
    months,
    per,
)

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
    prices = np.array([r.price.pence for r in card.rates], dtype=np.int64)
    frame = pl.DataFrame(
        {
            "service": claims.service,
            "person": claims.person,
            "outcome": claims.outcome,
            "month": claims.month,
            "price": prices[claims.outcome],
            "at": np.arange(claims.month.size),
        }
    ).sort("month", "service", "person", "outcome", "at")
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
        # Claims are in month order: the cap is reached in one month, after which none is paid.
        month = frame.get_column("month").to_numpy()
        before = np.cumsum(paid) - paid
        over = np.flatnonzero(before + paid > card.cap.pence)
        if over.size:
            crossing = month[over[0]]
            start, stop = np.searchsorted(month, [crossing, crossing + 1])
            mine = np.arange(start, stop)
            left = max(card.cap.pence - int(before[start]), 0)
            weights = paid[mine].tolist()
            shares = split_pence(left, weights) if left > 0 and any(weights) else [0] * mine.size
            reduced = np.array(shares, dtype=np.int64)
            capped_by[mine[reduced < paid[mine]]] |= 2
            paid[mine] = reduced
            later = np.arange(stop, paid.size)
            capped_by[later[paid[later] > 0]] |= 2
            paid[later] = 0
    frame = frame.with_columns(
        paid=pl.Series(paid),
        _person_unpaid=pl.Series(price - after_person),
        _contract_unpaid=pl.Series(after_person - paid),
        capped_by=per(
            capped_by, [None, "per_person_cap", "contract_cap", "per_person_cap, contract_cap"]
        ),
    ).drop("at")
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
    ids = [s.id for s in contract.services]
    check_figures(
        grouped,
        ["gross", "paid"],
        lambda row, column: (
            f"service {ids[row['service']]}'s {names[row['outcome']]} claims for "
            f"{month_text(row['month'])} ({'at their prices' if column == 'gross' else 'paid'})"
        ),
    )
    service = grouped.get_column("service").to_numpy()
    month = grouped.get_column("month").to_numpy()
    outcome = grouped.get_column("outcome").to_numpy()
    number = grouped.get_column("claims").to_numpy()
    unpaid = (grouped.get_column("gross") - grouped.get_column("paid")).to_numpy()
    by_person = grouped.get_column("person_capped").to_numpy() > 0
    by_contract = grouped.get_column("contract_capped").to_numpy() > 0
    person_words = f"the per-person cap of {card.per_person_cap}"
    contract_words = f"the contract's cap of {card.cap}"
    notes = per(
        by_person.astype(np.int64) + 2 * by_contract.astype(np.int64),
        [None, person_words, contract_words, f"{person_words} and {contract_words}"],
    )
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
    out_lines = [
        lines(
            service,
            month,
            "outcome",
            grouped.get_column("paid"),
            basis,
            reference=per(outcome, names),
            quantity=number,
        )
    ]
    out_findings = []
    for mask, column, words, code, amount in (
        (
            by_person,
            "person_capped",
            person_words,
            "per_person_cap_reached",
            grouped.get_column("person_unpaid").to_numpy(),
        ),
        (
            by_contract,
            "contract_capped",
            contract_words,
            "outcome_cap_reached",
            grouped.get_column("contract_unpaid").to_numpy(),
        ),
    ):
        if not mask.any():
            continue
        reduced = grouped.get_column(column).to_numpy()[mask]
        out_findings.append(
            findings(
                code,
                service[mask],
                month[mask],
                join(
                    per(service[mask], ids),
                    ": ",
                    counts(reduced),
                    " ",
                    per(outcome[mask], names),
                    f" claim(s) reduced by {words} in ",
                    months(month[mask]),
                ),
                amount=amount[mask],
                detail=words,
                count=reduced,
            )
        )
    return out_lines, out_findings, frame.drop("_person_unpaid", "_contract_unpaid")
