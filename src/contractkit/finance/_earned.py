"""What performance earns or costs: incentive indicators' achievement over a year, and the
breaches and incidents a consequence is charged for, read from an evaluation's table."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit.model import KPI, Combine, Consequence, Direction, Measure

__all__ = ["ASSESSED", "Achievement", "achievement", "exact_level", "excess"]

Ints = NDArray[np.int64]

ASSESSED = ("met", "within_variation", "underperforming", "insufficient_data")
"""The statuses of periods judged against a threshold."""


def exact_level(value: float) -> Fraction:
    """A threshold from the evaluation's table, read as the decimal it was written as (0.7 is
    seven tenths, not the float nearest it)."""
    return Fraction(Decimal(repr(value)))


@attrs.frozen
class Achievement:
    """An indicator's achievement over a financial year: the value (None where it cannot be
    judged) and how it was found."""

    value: Fraction | None
    status: str
    """``achieved``, ``not_reported`` (some period's return was due and not made) or
    ``not_assessed`` (no period of the year was assessed: embedding in shadow, or not due)."""


def achievement(rows: pl.DataFrame, kpi: KPI) -> Achievement:
    """The achievement of one service and KPI from its rows of the evaluation (the periods of
    one year, in order)."""
    found = achievements(rows.with_columns(_year=pl.lit(0)), {kpi.id: kpi})
    key = next(iter(found), None)
    return found[key] if key is not None else Achievement(None, "not_assessed")


def achievements(
    table: pl.DataFrame, kpis: Mapping[str, KPI]
) -> dict[tuple[str, str, int], Achievement]:
    """Each (service, KPI, year)'s achievement, from an evaluation's rows with a ``_year``
    column (rows in period order), for the given KPIs: numerators over denominators added up (a
    mean weighted by its counts; the last period for a KPI combined by ``last`` or
    ``cumulative``), over whole columns. Only assessed periods count; a period whose return
    was not made means no achievement (``not_reported``)."""
    status = pl.col("status").cast(pl.String)
    judged = status.is_in(ASSESSED)
    grouped = (
        table.filter(
            pl.col("kpi").is_in(list(kpis)) & (pl.col("stage_mode").cast(pl.String) == "assessed")
        )
        .group_by("service", "kpi", "_year", maintain_order=True)
        .agg(
            missing=(status == "not_reported").any(),
            judged=judged.sum(),
            numerator=pl.col("numerator").filter(judged).sum(),
            denominator=pl.col("denominator").filter(judged).sum(),
            weighted=(pl.col("value") * pl.col("count")).filter(judged).sum(),
            count=pl.col("count").filter(judged).sum(),
            last_numerator=pl.col("numerator").filter(judged).last(),
            last_denominator=pl.col("denominator").filter(judged).last(),
            last_value=pl.col("value").filter(judged).last(),
        )
    )
    found: dict[tuple[str, str, int], Achievement] = {}
    for row in grouped.iter_rows(named=True):  # one per service, KPI and year
        kpi = kpis[row["kpi"]]
        key = (row["service"], row["kpi"], row["_year"])
        if row["missing"]:
            found[key] = Achievement(None, "not_reported")
        elif not row["judged"]:
            found[key] = Achievement(None, "not_assessed")
        else:
            found[key] = _achieved(row, kpi)
    return found


def _achieved(row: Mapping[str, Any], kpi: KPI) -> Achievement:
    last = kpi.combine in (Combine.LAST, Combine.CUMULATIVE)
    if kpi.measure is Measure.MEAN:
        if last:
            value = row["last_value"]
            return Achievement(None if value is None else Fraction(value), "achieved")
        total = Fraction(row["count"] or 0)
        weighted = Fraction(row["weighted"] or 0)
        return Achievement(weighted / total if total else None, "achieved")
    top = Fraction(row["last_numerator" if last else "numerator"] or 0)
    if kpi.measure is Measure.COUNT:
        return Achievement(top, "achieved")
    bottom = Fraction(row["last_denominator" if last else "denominator"] or 0)
    if not bottom:
        return Achievement(None, "not_assessed")
    scale = (kpi.per or 1) if kpi.measure is Measure.RATE else 1
    return Achievement(top / bottom * scale, "achieved")


def excess(rows: pl.DataFrame, kpi: KPI, consequence: Consequence) -> Ints:
    """Per row of one KPI's evaluation: the breaches (or incidents) charged for, zero where the
    consequence does not apply. Over whole columns, with thresholds read exactly; the tolerance
    charges whole breaches only, so a part of a breach is never charged (at 70% of 101
    referrals, 70.7 must be reached in time: reaching 65 is 5.7 short, 5 excess breaches)."""
    size = rows.height
    status = rows.get_column("status").cast(pl.String)
    applies = (rows.get_column("stage_mode").cast(pl.String) == "assessed").to_numpy()
    if consequence.when == "underperforming":
        applies &= (status == "underperforming").to_numpy()
    else:
        applies &= status.is_in(ASSESSED).to_numpy()
    numerator = rows.get_column("numerator").fill_null(0).fill_nan(0).round().cast(pl.Int64)
    num = numerator.to_numpy()
    if consequence.per_incident is not None:
        charged = np.where(applies, num, 0)
        return charged.astype(np.int64)
    den = rows.get_column("denominator").fill_null(0).fill_nan(0).round().cast(pl.Int64).to_numpy()
    if consequence.tolerance is not None:
        level = Fraction(kpi.level(consequence.tolerance))
        top = np.full(size, level.numerator, dtype=np.int64)
        bottom = np.full(size, level.denominator, dtype=np.int64)
    else:
        thresholds = rows.get_column("threshold")
        distinct = {v: exact_level(v) for v in thresholds.drop_nulls().unique().to_list()}
        applies &= thresholds.is_not_null().to_numpy()
        top = thresholds.replace_strict(
            {v: f.numerator for v, f in distinct.items()}, default=0, return_dtype=pl.Int64
        ).to_numpy()
        bottom = thresholds.replace_strict(
            {v: f.denominator for v, f in distinct.items()}, default=1, return_dtype=pl.Int64
        ).to_numpy()
    # The events the tolerance allows (or requires), as an exact count of t × exposure.
    if kpi.measure is Measure.PROPORTION:
        top_scaled, bottom_scaled = top * den, bottom
    elif kpi.measure is Measure.RATE:
        top_scaled, bottom_scaled = top * den, bottom * (kpi.per or 1)
    else:  # a count
        top_scaled, bottom_scaled = top, bottom
    if kpi.better is Direction.HIGHER:
        breaches = top_scaled // bottom_scaled - num  # floor(t × exposure) − achieved
    else:
        breaches = num + (-top_scaled) // bottom_scaled  # events − ceil(t × exposure)
    charged = np.where(applies, np.maximum(breaches, 0), 0)
    return charged.astype(np.int64)
