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

from contractkit._kernel.arrays import Bools, Ints
from contractkit._kernel.pence_sums import floor_ratio
from contractkit.evaluation.statuses import Status
from contractkit.model import KPI, Combine, Consequence, Direction, Measure, StageMode
from contractkit.payments._levels import exact_level
from contractkit.payments._service_months import year_of_period

__all__ = [
    "ACHIEVED",
    "ASSESSED",
    "NOT_ASSESSED",
    "NOT_REPORTED",
    "Achievement",
    "achievements",
    "excess",
]


ASSESSED = (Status.MET, Status.WITHIN_VARIATION, Status.UNDERPERFORMING, Status.INSUFFICIENT_DATA)
"""The statuses of periods judged against a threshold."""
UNJUDGED = (Status.NOT_REPORTED, Status.REJECTED_RETURN, Status.INCOMPLETE)
"""The statuses of assessed periods left without a verdict because their returns failed."""
_IN_ASSESSED_STAGE = pl.col("stage_mode").cast(pl.String) == StageMode.ASSESSED.value
"""Rows of the evaluation in an assessed stage (not shadow)."""

ACHIEVED = "achieved"
"""An achievement found from the year's assessed periods."""
NOT_REPORTED = "not_reported"
"""No achievement: a period of the year was left without a verdict because its returns failed
(not made, all rejected, or too few to judge it)."""
NOT_ASSESSED = "not_assessed"
"""No achievement: no period of the year was assessed (embedding in shadow, or not due)."""


def _reported(value: float) -> Fraction:
    """A mean from the evaluation's table, to nine decimal places."""
    return Fraction(Decimal(repr(value)).quantize(_NINE_PLACES))


_NINE_PLACES = Decimal("1E-9")


@attrs.frozen
class Achievement:
    """An indicator's achievement over a financial year: the value (None where it cannot be
    judged) and how it was found."""

    value: Fraction | None
    status: str
    """:data:`ACHIEVED`, :data:`NOT_REPORTED` (some period's return was due and not made) or
    :data:`NOT_ASSESSED` (no period of the year was assessed: embedding in shadow, or not due)."""


def achievements(
    table: pl.DataFrame, kpis: Mapping[str, KPI]
) -> dict[tuple[str, str, int], Achievement]:
    """Each (service, KPI, year)'s achievement, from an evaluation's rows with a ``_year``
    column (rows in period order), for the given KPIs: numerators over denominators added up (a
    mean weighted by its counts; the last period for a KPI combined by ``last`` or
    ``cumulative``), over whole columns. Only assessed periods count; a period left without a
    verdict because its returns failed means no achievement (``not_reported``)."""
    status = pl.col("status").cast(pl.String)
    judged = status.is_in(ASSESSED)
    grouped = (
        table.filter(pl.col("kpi").is_in(list(kpis)) & _IN_ASSESSED_STAGE)
        .group_by("service", "kpi", "_year", maintain_order=True)
        .agg(
            missing=status.is_in(UNJUDGED).any(),
            judged=judged.sum(),
            numerator=pl.col("numerator").filter(judged).sum(),
            denominator=pl.col("denominator").filter(judged).sum(),
            values=pl.col("value").filter(judged),
            counts=pl.col("count").filter(judged),
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
            found[key] = Achievement(None, NOT_REPORTED)
        elif not row["judged"]:
            found[key] = Achievement(None, NOT_ASSESSED)
        else:
            found[key] = _achieved(row, kpi)
    return found


def _achieved(row: Mapping[str, Any], kpi: KPI) -> Achievement:
    last = kpi.combine in (Combine.LAST, Combine.CUMULATIVE)
    if kpi.measure is Measure.MEAN:
        # Means are weighted by their counts exactly, each read to nine decimal places (a
        # quarter's mean is worked out in floating point from the months' means, so a mean of
        # 90 can arrive as 89.99999999999999: read to nine places, it is on a band's edge of 90,
        # not a float's width below it).
        if last:
            value = row["last_value"]
            return Achievement(None if value is None else _reported(value), ACHIEVED)
        pairs = [
            (_reported(v), exact_level(c))
            for v, c in zip(row["values"], row["counts"], strict=True)
            if v is not None and c is not None
        ]
        total = sum((c for _, c in pairs), Fraction(0))
        weighted = sum((v * c for v, c in pairs), Fraction(0))
        return Achievement(weighted / total if total else None, ACHIEVED)
    top = Fraction(row["last_numerator" if last else "numerator"] or 0)
    if kpi.measure is Measure.COUNT:
        return Achievement(top, ACHIEVED)
    bottom = Fraction(row["last_denominator" if last else "denominator"] or 0)
    if not bottom:
        return Achievement(None, NOT_ASSESSED)
    scale = (kpi.per or 1) if kpi.measure is Measure.RATE else 1
    return Achievement(top / bottom * scale, ACHIEVED)


def excess(rows: pl.DataFrame, kpi: KPI, consequence: Consequence) -> Ints:
    """Per row of one KPI's evaluation (in period order for each service): the breaches (or
    incidents) charged for, zero where the consequence does not apply. Over whole columns.

    A period is charged if it is assessed and falls short of the tolerance (the threshold in
    force, unless one is stated) — and, by default, is judged ``underperforming``. Only whole
    breaches are charged (at 70% of 101 referrals, 70.7 must be reached in time: reaching 65 is
    5.7 short, 5 excess breaches); a sum per incident charges every incident of a period that
    falls short. For a KPI added up over the year to date (``cumulative``), each period is
    charged only for what goes beyond what the year's earlier periods were charged for.
    """
    applies = _applies(rows, consequence)
    num = _whole(rows.get_column("numerator"))
    den = _whole(rows.get_column("denominator"))
    top, bottom, known = _tolerance(rows, kpi, consequence)
    if known is not None:
        applies &= known
    beyond = _beyond(kpi, num, den, top, bottom)
    short = beyond > 0
    charged = np.where(applies & short, num if consequence.per_incident is not None else beyond, 0)
    if kpi.combine is Combine.CUMULATIVE and rows.height:
        charged = _beyond_earlier(rows, charged)
    return np.asarray(charged, dtype=np.int64)


def _applies(rows: pl.DataFrame, consequence: Consequence) -> Bools:
    """The rows a consequence may charge for: assessed, and (by default) ``underperforming``."""
    status = rows.get_column("status").cast(pl.String)
    applies = rows.select(_IN_ASSESSED_STAGE).to_series().to_numpy()
    applies &= status.is_in(ASSESSED).to_numpy()
    if consequence.when == Status.UNDERPERFORMING:
        applies &= (status == Status.UNDERPERFORMING).to_numpy()
    return applies


def _whole(column: pl.Series) -> Ints:
    """A column of the evaluation's figures as whole numbers (nothing as 0)."""
    return column.fill_null(0).fill_nan(0).round().cast(pl.Int64).to_numpy()


def _tolerance(
    rows: pl.DataFrame, kpi: KPI, consequence: Consequence
) -> tuple[Ints, Ints, Bools | None]:
    """Per row: the tolerance as an exact fraction ``top / bottom`` (the one stated, or the
    threshold in force), and where a threshold is in force (None where a tolerance is
    stated)."""
    size = rows.height
    if consequence.tolerance is not None:
        level = Fraction(kpi.level(consequence.tolerance))
        top = np.full(size, level.numerator, dtype=np.int64)
        bottom = np.full(size, level.denominator, dtype=np.int64)
        return top, bottom, None
    thresholds = rows.get_column("threshold")
    distinct = {v: exact_level(v) for v in thresholds.drop_nulls().unique().to_list()}
    top = thresholds.replace_strict(
        {v: f.numerator for v, f in distinct.items()}, default=0, return_dtype=pl.Int64
    ).to_numpy()
    bottom = thresholds.replace_strict(
        {v: f.denominator for v, f in distinct.items()}, default=1, return_dtype=pl.Int64
    ).to_numpy()
    return top, bottom, thresholds.is_not_null().to_numpy()


def _beyond(kpi: KPI, num: Ints, den: Ints, top: Ints, bottom: Ints) -> Ints:
    """Per row: the whole events beyond what the tolerance allows (or short of what it
    requires), as an exact count of t × exposure (whole numbers past 64 bits where the
    products need them: a level of 16 digits times 1,000)."""
    if kpi.measure is Measure.PROPORTION:
        exposure, scale = den, bottom
    elif kpi.measure is Measure.RATE:
        exposure = den
        scale = bottom.astype(object) * (kpi.per or 1) if bottom.size else bottom
    else:  # a count
        exposure, scale = np.ones(num.size, dtype=np.int64), bottom
    if kpi.better is Direction.HIGHER:
        return floor_ratio(top, exposure, scale) - num  # floor(t × exposure) − achieved
    return num + floor_ratio(-top, exposure, scale)  # events − ceil(t × exposure)


def _beyond_earlier(rows: pl.DataFrame, charged: Ints) -> Ints:
    """Year-to-date figures: what is charged so far in the year is the most any period has
    been charged for; each period adds only what goes beyond it."""
    years = rows.get_column("period").replace_strict(
        {p: year_of_period(p) for p in rows.get_column("period").unique().to_list()},
        return_dtype=pl.Int64,
    )
    so_far = (
        pl.DataFrame({"service": rows.get_column("service"), "year": years, "c": charged})
        .select(pl.col("c").cum_max().over("service", "year"))
        .to_series()
        .to_numpy()
    )
    first = (
        pl.DataFrame({"service": rows.get_column("service"), "year": years})
        .select(pl.int_range(pl.len()).over("service", "year") == 0)
        .to_series()
        .to_numpy()
    )
    return np.asarray(so_far - np.where(first, 0, np.r_[0, so_far[:-1]]))
