"""From the reporting frequency to the assessment period, the way each KPI says.

``sum`` adds numerators and denominators (a period total); ``last`` takes the latest reported
period's values (a snapshot, such as a waiting list); ``cumulative`` adds everything from the
start of the financial year to the period's end. A mean combines by count, with the pooled
standard deviation of all the cases. Rates are never averaged: events and exposure are added.

Rows are sorted by series and month once; each assessment period is a contiguous run, summed
with ``reduceat``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit.evaluation._grid import SPAN, Grid
from contractkit.evaluation._plan import MEASURES, Plan
from contractkit.stats import blockwise

MEAN = MEASURES.index("mean")

__all__ = ["Combined", "aggregate"]

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@attrs.frozen
class Combined:
    """Per grid row, the combined fields (NaN where nothing was reported), and the reported
    rows in series-and-month order with the grid row each belongs to (for SPC)."""

    numerator: Floats
    denominator: Floats
    value: Floats
    count: Floats
    sd: Floats
    reported: Ints
    """How many reported periods went into each grid row."""
    last_start: Ints
    """Per grid row: the first month of the latest reported period in it (-1 where none)."""
    order: Ints | None
    """The accepted rows, sorted by series and month (None where they came in that order)."""
    columns: dict[str, Floats]
    """The accepted rows' numeric fields in that order (for the charts)."""
    row_of_point: Ints
    """For each sorted accepted row, its grid row (-1 if outside the grid)."""


def _assessment_start(start: Ints, months: Ints) -> Ints:
    return np.where(months == 1, start, ((start - 3) // months) * months + 3)


def aggregate(accepted: Mapping[str, NDArray[Any]], grid: Grid, plan: Plan) -> Combined:
    """Combine the accepted returns (their columns, see ``Returns.columns``) into the grid's
    assessment periods."""
    size = grid.series.size
    series = np.asarray(accepted["series_code"], dtype=np.int64)
    start = np.asarray(accepted["start"], dtype=np.int64)
    # Returns usually arrive in series and month order already: then nothing is reordered.
    order = (
        None
        if blockwise.in_order(series, start)
        else np.argsort(series * SPAN + (start - grid.base), kind="stable")
    )
    if order is not None:
        series, start = series[order], start[order]
    # Each point's grid row, a block of points at a time (small working arrays, reused).
    row_of_point = np.empty(series.size, dtype=np.int64)
    for block in blockwise.slices(series.size):
        s = series[block]
        row_of_point[block] = grid.rows_of(
            s, _assessment_start(start[block], grid.series_assessed[s])
        )
    inside = row_of_point >= 0
    everything = bool(inside.all())

    sorted_columns: dict[str, Floats] = {}

    def column(name: str) -> Floats:
        if name not in sorted_columns:
            given = accepted.get(name)
            values = (
                np.full(series.size, np.nan)
                if given is None
                else np.asarray(given, dtype=np.float64)
            )
            sorted_columns[name] = values if order is None else values[order]
        return sorted_columns[name]

    def charted(name: str) -> Floats:
        """A column's values for the points inside the grid."""
        return column(name) if kept is None else column(name)[kept]

    out = {name: np.full(size, np.nan) for name in ("numerator", "denominator")}
    if (plan.kpi_measure == MEAN).any():
        out.update({name: np.full(size, np.nan) for name in ("value", "count", "sd")})
    else:  # no means: the three are empty, and never written to (one array will do)
        nothing = np.full(size, np.nan)
        nothing.flags.writeable = False
        out.update(dict.fromkeys(("value", "count", "sd"), nothing))
    reported = np.zeros(size, dtype=np.int64)
    last_start = np.full(size, -1, dtype=np.int64)
    kept = None if everything else np.flatnonzero(inside)
    if not inside.any():
        return Combined(
            **out,
            reported=reported,
            last_start=last_start,
            order=order,
            row_of_point=row_of_point,
            columns=sorted_columns,
        )
    rows = row_of_point if kept is None else row_of_point[kept]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], rows.size] - 1
    target = rows[starts]
    reported[target] = ends - starts + 1
    last_start[target] = (start if kept is None else start[kept])[ends]
    group_kpi = plan.series_kpi[grid.series[target]]
    measure = plan.kpi_measure[group_kpi]
    combine = plan.kpi_combine[group_kpi]
    last = combine == 1
    cumulative = combine == 2

    def summed(values: Floats) -> Floats:
        return np.add.reduceat(values, starts)

    def accumulate(values: Floats) -> Floats:
        """Running totals within each series and financial year, where the KPI is
        cumulative."""
        if not cumulative.any():
            return values
        segment = grid.series[target] * 10_000 + (grid.a_start[target] - 3) // 12
        first = np.r_[True, segment[1:] != segment[:-1]]
        running = np.cumsum(values)
        offset = np.maximum.accumulate(np.where(first, np.arange(values.size), 0))
        before = np.where(offset > 0, running[offset - 1], 0.0)
        return np.where(cumulative, running - before, values)

    for name in ("numerator", "denominator"):
        values = charted(name)
        empty = np.isnan(values)
        if empty.any():
            total = accumulate(summed(np.where(empty, 0.0, values)))
            any_given = summed((~empty).astype(np.float64)) > 0
            combined = np.where(any_given, total, np.nan)
        else:
            combined = accumulate(summed(values))
        out[name][target] = np.where(last, values[ends], combined)
    if (measure == MEAN).any():
        count = charted("count")
        mean = charted("value")
        sd = charted("sd")
        n = np.nan_to_num(count)
        nx = n * np.nan_to_num(mean)
        q = np.where(n >= 2, (n - 1) * np.nan_to_num(sd) ** 2, 0.0) + n * np.nan_to_num(mean) ** 2
        s_n, s_nx, s_q = (accumulate(summed(v)) for v in (n, nx, q))
        with np.errstate(invalid="ignore", divide="ignore"):
            pooled = s_nx / s_n
            pooled_sd = np.sqrt(np.clip((s_q - s_n * pooled**2) / (s_n - 1), 0.0, None))
        is_mean = measure == MEAN
        out["count"][target] = np.where(is_mean, np.where(last, count[ends], s_n), np.nan)
        out["value"][target] = np.where(is_mean, np.where(last, mean[ends], pooled), np.nan)
        out["sd"][target] = np.where(
            is_mean, np.where(last, sd[ends], np.where(s_n >= 2, pooled_sd, np.nan)), np.nan
        )
    return Combined(
        **out,
        reported=reported,
        last_start=last_start,
        order=order,
        row_of_point=row_of_point,
        columns=sorted_columns,
    )
