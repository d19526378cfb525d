"""The findings a statement shows for its period: those made in its months (or of no month),
each service's repeated monthly findings of one kind reported once over the months found (``no
activity for 3 months (2026-04, 2026-05, 2026-06)``), in order of service, month and kind."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from contractkit._kernel.money_tables import as_pounds
from contractkit._kernel.pence_sums import check_figures
from contractkit.model import Service
from contractkit.money import Money
from contractkit.payments._catalogue import STATEMENT_FINDINGS
from contractkit.payments._column_words import month_text, month_texts, per
from contractkit.payments._lines import FINDING_SCHEMA

__all__ = ["period_findings"]

_CODES = {name: i for i, name in enumerate(STATEMENT_FINDINGS)}

_COLLAPSED = {
    "no_activity": "{service} reported no {detail} activity for {count} months ({months}): "
    "nothing is paid for them",
    "payment_limit_reached": "{service}: {amount} of {detail} ({months})",
    "per_person_cap_reached": "{service}: {count} outcome claims reduced by {detail} ({months}): "
    "{amount} not paid",
    "outcome_cap_reached": "{service}: {count} outcome claims reduced by {detail} ({months}): "
    "{amount} not paid",
}
"""Findings made month by month that are reported once per service, over the months found."""

_SHOWN = ("code", "service", "month", "amount", "message")


def period_findings(
    found: pl.DataFrame, first: int, through: int, services: Sequence[Service]
) -> pl.DataFrame:
    """The period's findings, each service's repeated monthly findings of one kind as one, in
    order of service, month and kind."""
    within = found.filter(
        pl.col("month").is_null() | ((pl.col("month") >= first) & (pl.col("month") <= through))
    )
    repeated = pl.col("code").is_in(list(_COLLAPSED))
    every = pl.concat(
        [
            within.filter(~repeated).select(*_SHOWN),
            _collapsed(within.filter(repeated), services),
        ]
    ).sort(
        pl.col("service"),
        pl.col("month"),
        pl.col("code").replace_strict(_CODES, return_dtype=pl.Int64),
        maintain_order=True,
    )
    service = every.get_column("service").to_numpy()
    return every.select(
        code=pl.col("code"),
        provider=per(service, [s.provider for s in services]),
        service=per(service, [s.id for s in services]),
        month=month_texts(pl.col("month")),
        amount=as_pounds(pl.col("amount")),
        message=pl.col("message"),
    )


def _collapsed(repeated: pl.DataFrame, services: Sequence[Service]) -> pl.DataFrame:
    """One finding per service and kind (and detail) of those made month by month, in the
    month last found, its amount the sum of theirs (each sum checked against the largest
    amount)."""
    groups = repeated.group_by("code", "service", "detail", maintain_order=True).agg(
        pl.len().alias("_rows"),
        pl.col("month").unique().sort().alias("_months"),
        pl.col("amount").sum().alias("_amount"),
        pl.col("amount").is_not_null().any().alias("_has_amount"),
        pl.col("count").sum().alias("_count"),
        pl.col("message").first(),
    )
    check_figures(
        groups,
        ["_amount"],
        lambda row, _: f"service {services[row['service']].id}'s {row['code']} findings in all",
    )
    collapsed = [
        {
            "code": row["code"],
            "service": row["service"],
            "month": row["_months"][-1],
            "amount": row["_amount"] if row["_has_amount"] else None,
            "message": _message(row, services),
        }
        for row in groups.iter_rows(named=True)  # one per service and kind of finding
    ]
    return pl.DataFrame(collapsed, schema={k: FINDING_SCHEMA[k] for k in _SHOWN})


def _message(row: Mapping[str, Any], services: Sequence[Service]) -> str | None:
    """A group's message: its one finding's, or the months' findings said once."""
    if row["_rows"] <= 1:
        one: str | None = row["message"]
        return one
    months = row["_months"]
    amount = row["_amount"] if row["_has_amount"] else None
    span = (
        ", ".join(month_text(m) for m in months)
        if len(months) <= 3
        else f"{month_text(months[0])} to {month_text(months[-1])}"
    )
    return _COLLAPSED[row["code"]].format(
        service=services[row["service"]].id,
        detail=row["detail"],
        count=row["_rows"] if row["code"] == "no_activity" else row["_count"],
        months=span,
        amount=Money.from_pence(amount).format() if amount is not None else "",
    )
