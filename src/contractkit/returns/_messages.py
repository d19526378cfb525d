"""A message for each rejected returns row, naming the values at fault: the KPI, service or
provider it names (with a "did you mean" for a misspelt one), its period as written or read, its
numbers (see :func:`~contractkit.returns._numeric_fields.value_messages`), or the other rows it
clashes with.

Messages are written over the rejected rows' columns at once: one polars expression, chosen by
each row's reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from contractkit._kernel.period_column import unreadable_message
from contractkit._kernel.suggest import did_you_mean
from contractkit._kernel.table_files import ROW
from contractkit.model import Contract

__all__ = ["messages"]

_KIND_NAMES = {1: "a month", 3: "a quarter", 12: "a financial year"}
_FREQUENCY = {1: "monthly", 3: "quarterly", 12: "annually"}
_LISTED = 5
"""At most this many rows are named in a message about several rows."""
_SUGGESTED = 200
"""At most this many distinct unknown values get a "did you mean"."""
_VALUE_REASONS = (
    "not_a_number",
    "not_finite",
    "too_large",
    "missing_field",
    "negative",
    "not_whole",
    "numerator_above_denominator",
)
"""The reasons about a row's numbers, whose messages :mod:`._numeric_fields` writes."""

_KPI = pl.col("_kpi")
_SERVICE_OR_PROVIDER = pl.coalesce(pl.col("_service"), pl.col("_provider"))


def messages(
    rows: pl.DataFrame, contract: Contract, value_checks: Mapping[str, pl.Expr]
) -> pl.DataFrame:
    """A message for each rejected row (``rows``: the rejected rows' details, with their
    reasons in ``_reason``; ``value_checks``: the message of each check of the numbers)."""
    cases = [
        *_naming_messages(rows, contract),
        *_period_messages(rows),
        *((reason, value_checks[reason]) for reason in _VALUE_REASONS),
        ("duplicate", _duplicate_message()),
    ]
    rows = rows.join(_clashing_rows(rows), on=["_series", "_start"], how="left")
    reason = pl.col("_reason")
    (first, first_message), *rest = cases
    chosen: Any = pl.when(reason == first).then(first_message)  # then, when, then, … chained
    for name, message in rest:
        chosen = chosen.when(reason == name).then(message)
    return rows.select(pl.col(ROW), chosen.otherwise(reason).alias("message"))


def _naming_messages(rows: pl.DataFrame, contract: Contract) -> list[tuple[str, pl.Expr]]:
    """The messages about what a row names: a KPI, service or provider the contract does not
    have (with a suggestion), or one not held to the row's KPI."""
    kpi_hint = _suggestions(rows, "_kpi", "unknown_kpi", [k.id for k in contract.kpis])
    service_hint = _suggestions(
        rows, "_service", "unknown_service", [s.id for s in contract.services]
    )
    providers = sorted({s.provider for s in contract.services})
    provider_hint = _suggestions(rows, "_provider", "unknown_provider", providers)
    service, provider = pl.col("_service"), pl.col("_provider")
    return [
        (
            "unknown_kpi",
            pl.when(_KPI.is_null())
            .then(pl.lit("no KPI given"))
            .otherwise(
                pl.format("unknown KPI '{}'{}", _KPI, _KPI.replace_strict(kpi_hint, default=""))
            ),
        ),
        (
            "unknown_service",
            pl.format(
                "unknown service '{}'{}", service, service.replace_strict(service_hint, default="")
            ),
        ),
        (
            "unknown_provider",
            pl.format(
                "unknown provider '{}'{}",
                provider,
                provider.replace_strict(provider_hint, default=""),
            ),
        ),
        ("no_service", pl.lit("no service or provider given")),
        (
            "provider_without_kpi",
            pl.format("provider '{}' has no service held to KPI '{}'", provider, _KPI),
        ),
        (
            "ambiguous_provider",
            pl.format(
                "provider '{}' has {} services held to KPI '{}': give the service",
                provider,
                pl.col("_n_services"),
                _KPI,
            ),
        ),
        (
            "service_without_kpi",
            pl.format("service '{}' is not held to KPI '{}'", _SERVICE_OR_PROVIDER, _KPI),
        ),
    ]


def _period_messages(rows: pl.DataFrame) -> list[tuple[str, pl.Expr]]:
    """The messages about a row's period: unreadable (saying what to write), of the wrong kind,
    or outside the term or the service's life."""
    written = rows.filter(pl.col("_reason") == "unreadable_period").get_column("_period_raw")
    unreadable = {v: unreadable_message(v) for v in written.fill_null("").unique().to_list()}
    kind = pl.col("_months").replace_strict(_KIND_NAMES, default="a period", return_dtype=pl.String)
    reported = pl.col("reported_months").replace_strict(
        _FREQUENCY, default="?", return_dtype=pl.String
    )
    period = _period()
    return [
        (
            "unreadable_period",
            pl.col("_period_raw").fill_null("").replace_strict(unreadable, default=None),
        ),
        (
            "wrong_period_kind",
            pl.format("{} is {}, but KPI '{}' is reported {}", period, kind, _KPI, reported),
        ),
        ("outside_term", pl.format("{} is outside the contract's term", period)),
        ("before_commencement", pl.format("{} ends before the service commenced", period)),
        ("after_service_ended", pl.format("{} starts after the service ended", period)),
    ]


def _duplicate_message() -> pl.Expr:
    """The message for rows that clash, naming the first few of their group (see
    :func:`_clashing_rows`)."""
    return pl.format(
        "several rows for {} / {} / {} (rows {}): none is used",
        _SERVICE_OR_PROVIDER,
        _KPI,
        _period(),
        pl.col("_rows"),
    )


def _clashing_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Each group of clashing rows (a series and period), named once by its first few rows (a
    message that listed every other row of a large group would grow with the square of its
    size)."""
    return (
        rows.filter(pl.col("_reason") == "duplicate")
        .group_by("_series", "_start")
        .agg(
            pl.col(ROW).sort().head(_LISTED).cast(pl.String).str.join(", ").alias("_first"),
            pl.len().alias("_many"),
        )
        .select(
            "_series",
            "_start",
            pl.when(pl.col("_many") > _LISTED)
            .then(pl.format("{} and {} more", pl.col("_first"), pl.col("_many") - _LISTED))
            .otherwise(pl.col("_first"))
            .alias("_rows"),
        )
    )


def _period() -> pl.Expr:
    """The row's period: in its own text form where it was read, else as written."""
    return (
        pl.when(pl.col("_months") > 0)
        .then(_period_text(pl.col("_start"), pl.col("_months")))
        .otherwise(pl.col("_period_raw"))
    )


def _period_text(start: pl.Expr, months: pl.Expr) -> pl.Expr:
    """The text form of periods given by their first month's number and their length
    (``2026-07``, ``2026/27 Q2``, ``2026/27``), as a column expression."""
    year = start // 12
    month = start % 12 + 1
    fy = (start - 3) // 12
    fy_text = fy.cast(pl.String).str.zfill(4) + "/" + ((fy + 1) % 100).cast(pl.String).str.zfill(2)
    quarter = ((start - 3) % 12) // 3 + 1
    return (
        pl.when(months == 1)
        .then(year.cast(pl.String).str.zfill(4) + "-" + month.cast(pl.String).str.zfill(2))
        .when(months == 3)
        .then(fy_text + " Q" + quarter.cast(pl.String))
        .otherwise(fy_text)
    )


def _suggestions(rows: pl.DataFrame, column: str, reason: str, known: list[str]) -> dict[str, str]:
    """A "did you mean" for each distinct unknown value (only unknown ones, and at most a few
    hundred: the rest are named without a suggestion)."""
    unknown = rows.filter(pl.col("_reason") == reason).get_column(column)
    values = unknown.drop_nulls().unique().head(_SUGGESTED).to_list()
    return {v: did_you_mean(v, _candidates(v, known)) for v in values}


def _candidates(value: str, known: list[str]) -> list[str]:
    """The known ids worth comparing with a misspelt one: all of them when there are few, else
    those of about the same length (a close match never differs much in length)."""
    if len(known) <= 2000:
        return known
    return [k for k in known if abs(len(k) - len(value)) <= 2]
