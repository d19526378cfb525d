"""What performance earns or costs: incentive indicators' achievement over a year, and the
breaches and incidents a consequence is charged for, read from an evaluation's table."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

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
    judged), how it was found, and the periods it covers."""

    value: Fraction | None
    status: str
    """``achieved``, ``not_reported`` (some period's return was due and not made) or
    ``not_assessed`` (no period of the year was assessed: embedding in shadow, or not due)."""
    periods: tuple[str, ...]


def achievement(rows: pl.DataFrame, kpi: KPI) -> Achievement:
    """The year's achievement of one service and KPI from its rows of the evaluation (periods in
    the year, in order): numerators over denominators added up (a mean weighted by its counts;
    the last period for a KPI combined by ``last`` or ``cumulative``)."""
    judged = rows.filter(pl.col("stage_mode").cast(pl.String) == "assessed")
    status = judged.get_column("status").cast(pl.String)
    periods = tuple(judged.get_column("period").to_list())
    if (status == "not_reported").any():
        return Achievement(None, "not_reported", periods)
    judged = judged.filter(status.is_in(ASSESSED))
    if judged.height == 0:
        return Achievement(None, "not_assessed", periods)
    if kpi.combine in (Combine.LAST, Combine.CUMULATIVE):
        judged = judged.tail(1)
    numerator = judged.get_column("numerator").to_list()
    denominator = judged.get_column("denominator").to_list()
    if kpi.measure is Measure.MEAN:
        values = judged.get_column("value").to_list()
        counts = judged.get_column("count").to_list()
        total = sum(Fraction(c) for c in counts)
        value = sum(Fraction(v) * Fraction(c) for v, c in zip(values, counts, strict=True))
        return Achievement(value / total if total else None, "achieved", periods)
    top = sum((Fraction(n) for n in numerator), Fraction(0))
    if kpi.measure is Measure.COUNT:
        return Achievement(top, "achieved", periods)
    bottom = sum(Fraction(d) for d in denominator)
    if not bottom:
        return Achievement(None, "not_assessed", periods)
    scale = kpi.per or 1 if kpi.measure is Measure.RATE else 1
    return Achievement(top / bottom * scale, "achieved", periods)


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
