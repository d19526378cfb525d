"""SPC behind the verdicts: XmR charts on each series at its reporting frequency.

Each series' reported values (the observed proportion, rate, mean or count of each month, say)
are charted with the chosen profile's rules. A missing period, or one with nothing to observe
(a zero denominator), is never closed up: the chart starts again after it, so limits are never
computed across a gap. An assessment period's ``spc_signal`` is the most telling signal among
its reported periods: concern, then improvement, then neither, then common cause.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from contractkit.evaluate._plan import Plan
from contractkit.stats.spc import COMMON_CAUSE, CONCERN, IMPROVEMENT, NEITHER, xmr_batch

__all__ = ["spc_points", "spc_summary"]

_RANK = {CONCERN: 4, IMPROVEMENT: 3, NEITHER: 2, COMMON_CAUSE: 1}
_NAMES = {4: "concern", 3: "improvement", 2: "neither", 1: "common_cause"}


def _observed(frame: pl.DataFrame) -> pl.Expr:
    measure = pl.col("measure")
    return (
        pl.when(measure == "proportion")
        .then(pl.when(pl.col("denominator") > 0).then(pl.col("numerator") / pl.col("denominator")))
        .when(measure == "rate")
        .then(
            pl.when(pl.col("denominator") > 0).then(
                pl.col("numerator") / pl.col("denominator") * pl.col("per")
            )
        )
        .when(measure == "mean")
        .then(pl.when(pl.col("count") > 0).then(pl.col("value")))
        .otherwise(pl.col("numerator"))
    )


def spc_points(accepted: pl.DataFrame, plan: Plan, *, profile: str) -> pl.DataFrame:
    """One row per accepted return: its observed value, the chart's mean and limits, and the
    point's signal (null where the chart is too short for this profile)."""
    info = plan.series.join(
        plan.kpis.select(
            "kpi_code", "measure", "better", "per", "reported_months", "assessed_months"
        ),
        on="kpi_code",
    )
    rows = (
        accepted.join(
            info.select(
                "series_code", "measure", "better", "per", "reported_months", "assessed_months"
            ),
            on="series_code",
        )
        .with_columns(observed=_observed(accepted))
        .filter(pl.col("observed").is_not_null() & pl.col("observed").is_finite())
        .sort("series_code", "start")
    )
    gap = (
        (pl.col("start") - pl.col("start").shift(1).over("series_code"))
        != pl.col("reported_months")
    ).fill_null(True)
    rows = rows.with_columns(chart=gap.cum_sum().cast(pl.Int64))
    if rows.height == 0:
        return rows.with_columns(
            [pl.lit(None, pl.Float64).alias(c) for c in ("mean", "lower_limit", "upper_limit")]
            + [pl.lit(None, pl.String).alias("signal")]
        )
    chart = xmr_batch(
        rows.get_column("observed").to_numpy(),
        rows.get_column("chart").to_numpy(),
        better=rows.get_column("better").to_numpy(),
        profile=profile,
    )
    lookup = np.zeros(5, dtype=np.int8)  # signal codes run from -1 (no chart) to 3
    for code, value in _RANK.items():
        lookup[code + 1] = value
    rank = lookup[chart.signal.astype(np.int64) + 1]
    return rows.with_columns(
        pl.Series("mean", chart.mean),
        pl.Series("lower_limit", chart.lower_limit).fill_nan(None),
        pl.Series("upper_limit", chart.upper_limit).fill_nan(None),
        pl.Series("_rank", rank),
        a_start=pl.when(pl.col("assessed_months") == 1)
        .then(pl.col("start"))
        .otherwise(
            ((pl.col("start") - 3) // pl.col("assessed_months")) * pl.col("assessed_months") + 3
        ),
    ).with_columns(
        signal=pl.col("_rank").replace_strict(_NAMES, default=None, return_dtype=pl.String)
    )


def spc_summary(points: pl.DataFrame) -> pl.DataFrame:
    """Per series and assessment period: the most telling signal among its reported periods."""
    if points.height == 0:
        return pl.DataFrame(
            schema={"series_code": pl.UInt32, "a_start": pl.Int64, "spc_signal": pl.String}
        )
    return (
        points.group_by("series_code", "a_start")
        .agg(pl.col("_rank").max())
        .with_columns(
            spc_signal=pl.col("_rank").replace_strict(_NAMES, default=None, return_dtype=pl.String)
        )
        .drop("_rank")
    )
