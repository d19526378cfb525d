"""Consequences: a sum charged for each excess breach of a KPI (beyond its tolerance or the
threshold in force) or for each incident, in the last month of each period charged for. Over
whole columns of the evaluation's rows."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import polars as pl

from contractkit._kernel.arrays import Ints
from contractkit._kernel.pence_sums import product
from contractkit.evaluation import Evaluation
from contractkit.model import KPI, Consequence, Contract, Finance, Measure
from contractkit.payments._breaches import excess
from contractkit.payments._column_words import counts, join, words
from contractkit.payments._levels import exact_level, level_words
from contractkit.payments._lines import lines
from contractkit.payments._service_months import last_month

__all__ = ["consequences"]


def consequences(
    contract: Contract, finance: Finance, evaluation: Evaluation, through: int
) -> list[pl.DataFrame]:
    """A line for each period a consequence is charged for, in the period's last month."""
    ids = {s.id: i for i, s in enumerate(contract.services)}
    out: list[pl.DataFrame] = []
    for consequence in finance.consequences:
        kpi = contract.kpi(consequence.kpi)
        hit = _charged(evaluation.table, kpi, consequence, through)
        if hit is not None:
            out.append(_charge_lines(hit, kpi, consequence, ids))
    return out


def _charged(
    table: pl.DataFrame, kpi: KPI, consequence: Consequence, through: int
) -> pl.DataFrame | None:
    """The KPI's rows of the evaluation charged for, to month ``through``, with the breaches
    (or incidents) charged (``_charged``) and the month charged in (``_month``); None where
    there are none."""
    rows = table.filter(pl.col("kpi") == kpi.id)
    if rows.height == 0:
        return None
    charged = excess(rows, kpi, consequence)
    hit = rows.with_columns(_charged=pl.Series(charged)).filter(pl.col("_charged") > 0)
    if hit.height == 0:
        return None
    periods = hit.get_column("period")
    month = periods.replace_strict(
        {p: last_month(p) for p in periods.unique().to_list()}, return_dtype=pl.Int64
    )
    hit = hit.with_columns(_month=month).filter(pl.col("_month") <= through)
    return hit if hit.height else None


def _charge_lines(
    hit: pl.DataFrame, kpi: KPI, consequence: Consequence, ids: Mapping[str, int]
) -> pl.DataFrame:
    """The consequence's lines: per period charged, the number times the sum, and why."""
    number = hit.get_column("_charged").to_numpy()
    charges = product(number, consequence.sum.pence, _charge_words(hit, kpi, consequence))
    what, beyond = _what_and_beyond(hit, kpi, consequence, number)
    basis = join(
        f"{kpi.id}, ",
        hit.get_column("period"),
        " (",
        hit.get_column("status").cast(pl.String),
        "): ",
        counts(number),
        what,
        f" × {consequence.sum}",
        pl.select(
            pl.when(beyond != "").then(pl.lit(",") + beyond).otherwise(pl.lit(""))
        ).to_series(),
    )
    return lines(
        hit.get_column("service").replace_strict(ids, return_dtype=pl.Int64),
        hit.get_column("_month"),
        "consequence",
        charges,
        basis,
        reference=kpi.id,
        quantity=number,
    )


def _what_and_beyond(
    hit: pl.DataFrame, kpi: KPI, consequence: Consequence, number: Ints
) -> tuple[pl.Series, pl.Series]:
    """Per row charged: what is charged for (`` excess breaches``, `` incident``), and beyond
    what (the tolerance, or the threshold in force; nothing for incidents)."""
    if consequence.per_incident is not None:
        what = words(number, lambda n: " incident" if n == 1 else " incidents")
        return what, pl.repeat("", hit.height, eager=True)
    what = words(number, lambda n: " excess breach" if n == 1 else " excess breaches")
    if consequence.tolerance is not None:
        tolerance = str(consequence.tolerance) + (
            f" per {kpi.per:,}"
            if kpi.measure is Measure.RATE and consequence.tolerance.unit is None
            else ""
        )
        return what, pl.repeat(f" beyond the tolerance of {tolerance}", hit.height, eager=True)
    beyond = words(
        hit.get_column("threshold"), functools.partial(_beyond_threshold, kpi)
    ).fill_null("")
    return what, beyond


def _charge_words(hit: pl.DataFrame, kpi: KPI, consequence: Consequence) -> Callable[[int], str]:
    """What the charge on row ``index`` of ``hit`` is, in words (for a charge beyond the
    largest amount)."""

    def charge(index: int) -> str:
        row = hit.row(index, named=True)
        what = "incidents" if consequence.per_incident is not None else "excess breaches"
        return (
            f"{kpi.id}, {row['period']}, service {row['service']}: {row['_charged']:,} {what} × "
            f"{consequence.sum}"
        )

    return charge


def _beyond_threshold(kpi: KPI, threshold: float) -> str:
    return f" beyond the threshold of {level_words(kpi, exact_level(threshold))}"
