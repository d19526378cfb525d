"""From the reporting frequency to the assessment period, the way each KPI says.

``sum`` adds numerators and denominators (a period total); ``last`` takes the latest reported
period's values (a snapshot, such as a waiting list); ``cumulative`` adds everything from the
start of the financial year to the period's end. A mean combines by count, with the pooled
standard deviation of all the cases. Rates are never averaged: events and exposure are added.
"""

from __future__ import annotations

import polars as pl

from contractkit.evaluate._plan import Plan

__all__ = ["aggregate"]


def _assessment_start(start: pl.Expr, months: pl.Expr) -> pl.Expr:
    return pl.when(months == 1).then(start).otherwise(((start - 3) // months) * months + 3)


def aggregate(accepted: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """One row per series and assessment period with data: the combined fields, how many
    reported periods went in, and the last one's start."""
    kpi_info = plan.series.join(
        plan.kpis.select("kpi_code", "assessed_months", "combine"), on="kpi_code"
    ).select("series_code", "assessed_months", "combine")
    rows = accepted.join(kpi_info, on="series_code").with_columns(
        a_start=_assessment_start(pl.col("start"), pl.col("assessed_months")),
        # Sums a pooled mean and standard deviation need: n, n·x̄ and (n−1)s² + n·x̄².
        _n=pl.col("count"),
        _nx=pl.col("count") * pl.col("value"),
        _q=pl.when(pl.col("count") >= 2)
        .then((pl.col("count") - 1) * pl.col("sd") ** 2)
        .otherwise(0.0)
        + pl.col("count") * pl.col("value") ** 2,
    )
    keys = ["series_code", "a_start"]
    summed = rows.group_by(keys).agg(
        pl.col("combine").first(),
        pl.col("assessed_months").first(),
        pl.len().alias("reported"),
        pl.col("start").max().alias("last_start"),
        pl.col("numerator").sum().alias("s_numerator"),
        pl.col("denominator").sum().alias("s_denominator"),
        pl.col("_n").sum().alias("s_n"),
        pl.col("_nx").sum().alias("s_nx"),
        pl.col("_q").sum().alias("s_q"),
        pl.col("numerator").sort_by("start").last().alias("l_numerator"),
        pl.col("denominator").sort_by("start").last().alias("l_denominator"),
        pl.col("value").sort_by("start").last().alias("l_value"),
        pl.col("count").sort_by("start").last().alias("l_count"),
        pl.col("sd").sort_by("start").last().alias("l_sd"),
    )
    fy = ((pl.col("a_start") - 3) // 12).alias("_fy")
    summed = summed.sort(keys).with_columns(fy)
    cumulative = pl.col("combine") == "cumulative"
    for name in ("s_numerator", "s_denominator", "s_n", "s_nx", "s_q"):
        summed = summed.with_columns(
            pl.when(cumulative)
            .then(pl.col(name).cum_sum().over("series_code", "_fy"))
            .otherwise(pl.col(name))
            .alias(name)
        )
    pooled_mean = pl.col("s_nx") / pl.col("s_n")
    pooled_sd = (
        ((pl.col("s_q") - pl.col("s_n") * pooled_mean**2) / (pl.col("s_n") - 1))
        .clip(lower_bound=0.0)
        .sqrt()
    )
    last = pl.col("combine") == "last"
    return summed.select(
        *keys,
        "reported",
        "last_start",
        pl.when(last)
        .then(pl.col("l_numerator"))
        .otherwise(pl.col("s_numerator"))
        .alias("numerator"),
        pl.when(last)
        .then(pl.col("l_denominator"))
        .otherwise(pl.col("s_denominator"))
        .alias("denominator"),
        pl.when(last).then(pl.col("l_value")).otherwise(pooled_mean).alias("value"),
        pl.when(last).then(pl.col("l_count")).otherwise(pl.col("s_n")).alias("count"),
        pl.when(last)
        .then(pl.col("l_sd"))
        .otherwise(pl.when(pl.col("s_n") >= 2).then(pooled_sd))
        .alias("sd"),
    )
