"""The verdict for each service, KPI and period, as FAIRNESS.md defines it, over whole columns.

- **met** when the observed value is on the right side of the threshold (compared directly);
- otherwise the one-sided exact p-value of a result this far on the wrong side if true
  performance were exactly at the threshold — exact binomial for proportions, exact Poisson for
  counts and rates, Student's t for means: below the alarm level **underperforming, alarm**;
  below the warning level **underperforming, warning**; otherwise **within_variation**;
- **insufficient_data** where there is nothing to judge (a zero denominator or exposure; a mean
  below its threshold from fewer than two cases).

A zero-tolerance count (threshold 0) is exact: no event is met, any event has p = 0 (alarm).
Beside each verdict: n, the observed value, its 95% interval (Wilson, exact Poisson, or t), the
p-value, and the minimum detectable shortfall at 80% power. Provider type is never read.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import stats as sps

from contractkit.stats import (
    binomial_p_value,
    binomial_shortfall,
    mean_shortfall,
    poisson_interval,
    poisson_p_value,
    poisson_shortfall,
    t_p_value,
    wilson_interval,
)

__all__ = ["judge"]

Floats = NDArray[np.float64]

_MET, _WITHIN, _UNDER, _INSUFFICIENT = 1, 2, 3, 4
_VERDICTS = {
    0: None,
    _MET: "met",
    _WITHIN: "within_variation",
    _UNDER: "underperforming",
    _INSUFFICIENT: "insufficient_data",
}
_WARNING, _ALARM = 1, 2
_LEVELS = {0: None, _WARNING: "warning", _ALARM: "alarm"}


def _column(frame: pl.DataFrame, name: str) -> Floats:
    return frame.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64)


def judge(frame: pl.DataFrame, *, warning: float, alarm: float) -> pl.DataFrame:
    """Evidence and verdict columns for rows with ``measure``, ``better`` (+1/-1), ``per``,
    ``numerator``, ``denominator``, ``value``, ``count``, ``sd`` and ``threshold``.

    Rows without a threshold or without data get null evidence and a null verdict.
    """
    size = frame.height
    measure = frame.get_column("measure").to_numpy()
    higher = frame.get_column("better").to_numpy() > 0
    x = _column(frame, "numerator")
    d = _column(frame, "denominator")
    mean = _column(frame, "value")
    count = _column(frame, "count")
    sd = _column(frame, "sd")
    theta = _column(frame, "threshold")
    per = _column(frame, "per")

    n = np.full(size, np.nan)
    observed = np.full(size, np.nan)
    low = np.full(size, np.nan)
    high = np.full(size, np.nan)
    p_value = np.full(size, np.nan)
    shortfall = np.full(size, np.nan)
    empty = np.zeros(size, dtype=bool)  # nothing to judge

    with np.errstate(divide="ignore", invalid="ignore"):
        for direction in (True, False):
            side = higher == direction
            # Proportions: x of n against θ.
            m = (measure == "proportion") & side
            n[m] = d[m]
            observed[m] = x[m] / d[m]
            low[m], high[m] = wilson_interval(x[m], d[m])
            p_value[m] = binomial_p_value(x[m], d[m], theta[m], higher_is_better=direction)
            shortfall[m] = binomial_shortfall(
                d[m], theta[m] if direction else 1 - theta[m], warning
            )
            empty[m] = d[m] == 0
            # Rates: x events over exposure E, against λ per `per`.
            m = (measure == "rate") & side
            n[m] = d[m]
            scale = per[m] / d[m]
            observed[m] = x[m] * scale
            lo, hi = poisson_interval(x[m])
            low[m], high[m] = lo * scale, hi * scale
            expected = theta[m] / per[m] * d[m]
            p_value[m] = poisson_p_value(x[m], expected, higher_is_better=direction)
            shortfall[m] = poisson_shortfall(expected, warning, higher_is_better=direction) * scale
            empty[m] = d[m] == 0
            # Counts: x events in the period, against λ.
            m = (measure == "count") & side
            n[m] = 1
            observed[m] = x[m]
            low[m], high[m] = poisson_interval(x[m])
            p_value[m] = poisson_p_value(x[m], theta[m], higher_is_better=direction)
            shortfall[m] = poisson_shortfall(theta[m], warning, higher_is_better=direction)
            # Means: n cases with mean and sd, against θ.
            m = (measure == "mean") & side
            n[m] = count[m]
            observed[m] = mean[m]
            half = sps.t.ppf(0.975, np.maximum(count[m] - 1, 1)) * sd[m] / np.sqrt(count[m])
            low[m] = np.where(count[m] >= 2, mean[m] - half, np.nan)
            high[m] = np.where(count[m] >= 2, mean[m] + half, np.nan)
            p_value[m] = t_p_value(mean[m], sd[m], count[m], theta[m], higher_is_better=direction)
            shortfall[m] = mean_shortfall(sd[m], count[m], warning)
            empty[m] = count[m] == 0

        met = np.where(higher, observed >= theta, observed <= theta)
    has_data = ~np.isnan(observed) | empty
    judged = has_data & ~np.isnan(theta)
    mean_untestable = (measure == "mean") & ~met & (np.isnan(p_value))
    # Small integer codes, named at the end (no Python object per row).
    verdict = np.zeros(size, dtype=np.int8)
    level = np.zeros(size, dtype=np.int8)
    verdict[judged] = _WITHIN
    flagged = judged & ~met & (p_value < warning)
    verdict[flagged] = _UNDER
    level[flagged] = np.where(p_value[flagged] < alarm, _ALARM, _WARNING)
    verdict[judged & met] = _MET
    verdict[judged & (empty | mean_untestable)] = _INSUFFICIENT
    level[judged & (empty | mean_untestable)] = 0
    p_value[~judged | met | empty] = np.nan
    nan_if_no_data = ~has_data
    for array in (observed, low, high, shortfall):
        array[nan_if_no_data | empty] = np.nan
    n[nan_if_no_data] = np.nan
    return frame.with_columns(
        pl.Series("n", n).fill_nan(None),
        pl.Series("observed", observed).fill_nan(None),
        pl.Series("ci_lower", low).fill_nan(None),
        pl.Series("ci_upper", high).fill_nan(None),
        pl.Series("p_value", p_value).fill_nan(None),
        pl.Series("min_detectable_shortfall", shortfall).fill_nan(None),
        pl.Series("verdict", verdict).replace_strict(_VERDICTS, return_dtype=pl.String),
        pl.Series("verdict_level", level).replace_strict(_LEVELS, return_dtype=pl.String),
    )
