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
    row_of_point = _grid_rows(series, start, grid)
    inside = row_of_point >= 0
    kept = None if bool(inside.all()) else np.flatnonzero(inside)
    columns = _SortedColumns(accepted, order, series.size, kept)
    out = _empty_fields(size, plan)
    reported = np.zeros(size, dtype=np.int64)
    last_start = np.full(size, -1, dtype=np.int64)
    if inside.any():
        runs = _Runs.of(row_of_point if kept is None else row_of_point[kept], grid, plan)
        reported[runs.target] = runs.ends - runs.starts + 1
        last_start[runs.target] = (start if kept is None else start[kept])[runs.ends]
        _combine_totals(out, runs, columns)
        if (runs.measure == MEAN).any():
            _combine_means(out, runs, columns)
    return Combined(
        **out,
        reported=reported,
        last_start=last_start,
        order=order,
        row_of_point=row_of_point,
        columns=columns.sorted,
    )


def _grid_rows(series: Ints, start: Ints, grid: Grid) -> Ints:
    """Each point's grid row (-1 outside the grid), a block of points at a time (small working
    arrays, reused)."""
    row_of_point = np.empty(series.size, dtype=np.int64)
    for block in blockwise.slices(series.size):
        s = series[block]
        row_of_point[block] = grid.rows_of(
            s, _assessment_start(start[block], grid.series_assessed[s])
        )
    return row_of_point


def _empty_fields(size: int, plan: Plan) -> dict[str, Floats]:
    """The combined fields, empty (NaN) until combined."""
    out = {name: np.full(size, np.nan) for name in ("numerator", "denominator")}
    if (plan.kpi_measure == MEAN).any():
        out.update({name: np.full(size, np.nan) for name in ("value", "count", "sd")})
    else:  # no means: the three are empty, and never written to (one array will do)
        nothing = np.full(size, np.nan)
        nothing.flags.writeable = False
        out.update(dict.fromkeys(("value", "count", "sd"), nothing))
    return out


@attrs.define
class _SortedColumns:
    """The accepted rows' numeric fields in series and month order, each sorted when first
    used (and kept, for the charts: ``sorted``)."""

    accepted: Mapping[str, NDArray[Any]]
    order: Ints | None
    size: int
    kept: Ints | None
    """The points inside the grid (None where all are)."""
    sorted: dict[str, Floats] = attrs.field(factory=dict)

    def column(self, name: str) -> Floats:
        """A field's values for every point (NaN where the returns do not have it)."""
        if name not in self.sorted:
            given = self.accepted.get(name)
            values = (
                np.full(self.size, np.nan) if given is None else np.asarray(given, dtype=np.float64)
            )
            self.sorted[name] = values if self.order is None else values[self.order]
        return self.sorted[name]

    def charted(self, name: str) -> Floats:
        """A field's values for the points inside the grid."""
        return self.column(name) if self.kept is None else self.column(name)[self.kept]


@attrs.frozen
class _Runs:
    """The points inside the grid as runs, one per grid row they fill (they are contiguous):
    each run's first and last point and its grid row, with its KPI's measure and how it
    combines."""

    starts: Ints
    ends: Ints
    target: Ints
    """Per run: its grid row."""
    measure: NDArray[np.int8]
    last: NDArray[np.bool_]
    """Per run: its KPI takes the last reported value."""
    cumulative: NDArray[np.bool_]
    """Per run: its KPI adds everything from the start of the financial year."""
    year: Ints | None
    """Per run: its series and financial year, as one key (None where no KPI is
    cumulative)."""

    @classmethod
    def of(cls, rows: Ints, grid: Grid, plan: Plan) -> _Runs:
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        ends = np.r_[starts[1:], rows.size] - 1
        target = rows[starts]
        group_kpi = plan.series_kpi[grid.series[target]]
        combine = plan.kpi_combine[group_kpi]
        cumulative = combine == 2
        year = (
            grid.series[target] * 10_000 + (grid.a_start[target] - 3) // 12
            if cumulative.any()
            else None
        )
        return cls(
            starts=starts,
            ends=ends,
            target=target,
            measure=plan.kpi_measure[group_kpi],
            last=combine == 1,
            cumulative=cumulative,
            year=year,
        )

    def summed(self, values: Floats) -> Floats:
        """Each run's total."""
        return np.add.reduceat(values, self.starts)

    def accumulate(self, values: Floats) -> Floats:
        """Running totals within each series and financial year, where the KPI is
        cumulative."""
        if self.year is None:
            return values
        year = self.year
        first = np.r_[True, year[1:] != year[:-1]]
        running = np.cumsum(values)
        offset = np.maximum.accumulate(np.where(first, np.arange(values.size), 0))
        before = np.where(offset > 0, running[offset - 1], 0.0)
        return np.where(self.cumulative, running - before, values)


def _combine_totals(out: dict[str, Floats], runs: _Runs, columns: _SortedColumns) -> None:
    """Numerators and denominators: added up (over the period, or the year to date), or the
    last reported; empty where none of a period's returns gives one."""
    for name in ("numerator", "denominator"):
        values = columns.charted(name)
        empty = np.isnan(values)
        if empty.any():
            total = runs.accumulate(runs.summed(np.where(empty, 0.0, values)))
            any_given = runs.summed((~empty).astype(np.float64)) > 0
            combined = np.where(any_given, total, np.nan)
        else:
            combined = runs.accumulate(runs.summed(values))
        out[name][runs.target] = np.where(runs.last, values[runs.ends], combined)


def _combine_means(out: dict[str, Floats], runs: _Runs, columns: _SortedColumns) -> None:
    """Means: pooled by count, with the pooled standard deviation of all the cases (or the
    last reported)."""
    count = columns.charted("count")
    mean = columns.charted("value")
    sd = columns.charted("sd")
    n = np.nan_to_num(count)
    nx = n * np.nan_to_num(mean)
    q = np.where(n >= 2, (n - 1) * np.nan_to_num(sd) ** 2, 0.0) + n * np.nan_to_num(mean) ** 2
    s_n, s_nx, s_q = (runs.accumulate(runs.summed(v)) for v in (n, nx, q))
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = s_nx / s_n
        pooled_sd = np.sqrt(np.clip((s_q - s_n * pooled**2) / (s_n - 1), 0.0, None))
    is_mean = runs.measure == MEAN
    last, ends, target = runs.last, runs.ends, runs.target
    out["count"][target] = np.where(is_mean, np.where(last, count[ends], s_n), np.nan)
    out["value"][target] = np.where(is_mean, np.where(last, mean[ends], pooled), np.nan)
    out["sd"][target] = np.where(
        is_mean, np.where(last, sd[ends], np.where(s_n >= 2, pooled_sd, np.nan)), np.nan
    )
