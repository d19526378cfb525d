"""The evidence under each verdict: how many returns were due, made and rejected, and whether the
period's figure stands on every return it needs — over whole columns.

- **due**: the reporting periods of the assessment period from the service's commencement (and
  to its end, for a service that ends);
- **made**: the returns accepted for it;
- **rejected**: the rows rejected that were meant as its returns (a known service, KPI and a
  period that is due — rows naming nothing in the contract are not any period's return);
- **complete**: the figure needs nothing that is missing. Summed KPIs need every return of the
  period; a ``cumulative`` KPI every return of its financial year to date; a ``last`` KPI (a
  snapshot) the period's last return only;
- **failure**: how the returns fell short of the reporting obligation — ``missing`` (none made,
  none rejected), ``rejected`` (none made, some rejected) or ``incomplete`` (some made, fewer
  than due).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit.evaluation._aggregate import Combined
from contractkit.evaluation._grid import Grid
from contractkit.evaluation._plan import Plan
from contractkit.stats import blockwise

__all__ = ["FAILURES", "Completeness", "completeness", "fits_a_period"]

Ints = NDArray[np.int64]

FAILURES = (None, "missing", "rejected", "incomplete")
"""Failure codes: 0 none, 1 missing, 2 rejected, 3 incomplete."""
MISSING, REJECTED, INCOMPLETE = 1, 2, 3
_LAST, _CUMULATIVE = 1, 2


@attrs.frozen
class Completeness:
    """Per grid row: the returns due, made and rejected, and what they are enough for."""

    due: Ints
    made: Ints
    rejected: Ints
    complete: NDArray[np.bool_]
    """The figure stands on every return it needs."""
    failure: NDArray[np.int8]
    """A code into ``FAILURES`` (0 where every due return was made)."""
    rejected_row: Ints
    """The rejected rows meant for a due period: their input row numbers…"""
    rejected_at: Ints
    """…and the grid row each belongs to (sorted by grid row, then row)."""


def _reporting_start(month: Ints, reported: Ints) -> Ints:
    """The first month of the reporting period a month falls in."""
    return np.where(reported == 1, month, ((month - 3) // reported) * reported + 3)


def returns_due(grid: Grid, plan: Plan) -> Ints:
    """How many returns were due in each period: those from the service's commencement (and,
    for a service that ends, up to its end). A block of rows at a time."""
    counted = np.empty(grid.series.size, dtype=np.int64)
    for rows in blockwise.slices(grid.series.size):
        series, a_start = grid.series[rows], grid.a_start[rows]
        reported = plan.series_reported[series]
        first = np.maximum(a_start, _reporting_start(plan.series_commences[series], reported))
        last = np.minimum(a_start + grid.a_months[rows] - 1, plan.series_ends[series])
        counted[rows] = np.maximum((last - first + reported) // reported, 0)
    return counted


def completeness(
    grid: Grid, plan: Plan, combined: Combined, attributable: Mapping[str, NDArray[Any]]
) -> Completeness:
    """The returns behind every grid row, and whether its figure is complete."""
    due = returns_due(grid, plan)
    made = np.minimum(combined.reported, due)
    rejected_row, rejected_at = _rejected(grid, plan, attributable)
    rejected = np.bincount(rejected_at, minlength=grid.series.size).astype(np.int64)

    complete = made >= due
    kpi_combine = plan.kpi_combine
    if (kpi_combine != 0).any():  # only KPIs combined by last or cumulative need more
        combine = kpi_combine[plan.series_kpi[grid.series]]
        last = np.flatnonzero(combine == _LAST)
        if last.size:
            # A snapshot needs the period's last due return.
            series = grid.series[last]
            final = np.minimum(
                grid.a_start[last] + grid.a_months[last] - 1, plan.series_ends[series]
            )
            last_due = _reporting_start(final, plan.series_reported[series])
            found = combined.last_start[last]
            complete[last] = (found >= 0) & (found >= last_due)
        cumulative = np.flatnonzero(combine == _CUMULATIVE)
        if cumulative.size:
            complete[cumulative] = _year_so_far_short(grid, due - made)[cumulative] == 0
    complete[due == 0] = True  # nothing is due, so nothing is missing
    failure = np.select(
        # A period whose own returns are all in but whose year so far is not (a cumulative
        # KPI) is incomplete too: its verdict stands on less than its figure needs.
        [(made == 0) & (rejected > 0), made == 0, (made < due) | ~complete],
        [REJECTED, MISSING, INCOMPLETE],
        0,
    ).astype(np.int8)
    failure[due == 0] = 0
    return Completeness(
        due=due,
        made=made,
        rejected=rejected,
        complete=complete,
        failure=failure,
        rejected_row=rejected_row,
        rejected_at=rejected_at,
    )


def _year_so_far_short(grid: Grid, short: Ints) -> Ints:
    """Per grid row: the returns missing from its financial year so far (its series' rows of
    the year up to and including it)."""
    year = grid.series * 10_000 + (grid.a_start - 3) // 12
    new_year = np.r_[True, year[1:] != year[:-1]] if year.size else np.zeros(0, dtype=bool)
    running = np.cumsum(short)
    start_of_year = np.maximum.accumulate(np.where(new_year, np.arange(year.size), 0))
    before = np.where(start_of_year > 0, running[np.maximum(start_of_year - 1, 0)], 0)
    year_short: Ints = running - before
    return year_short


def fits_a_period(
    plan: Plan, attributable: Mapping[str, NDArray[Any]]
) -> tuple[NDArray[np.bool_], Ints]:
    """Per rejected row meant for a known series: whether it lies inside one of the series'
    assessment periods, and the first month of that period. A row for a longer period than
    the assessment period (a year's figure for a KPI assessed quarterly) belongs to no one
    period: it is listed among the rejected rows only, and is no period's return."""
    series = np.asarray(attributable["series_code"], dtype=np.int64)
    start = np.asarray(attributable["start"], dtype=np.int64)
    months = np.asarray(attributable["months"], dtype=np.int64)
    assessed = plan.series_assessed[series]
    a_start = np.where(assessed == 1, start, ((start - 3) // assessed) * assessed + 3)
    return start + months <= a_start + assessed, a_start


def _rejected(
    grid: Grid, plan: Plan, attributable: Mapping[str, NDArray[Any]]
) -> tuple[Ints, Ints]:
    """The rejected rows meant for a period in the grid: their row numbers and grid rows."""
    if not attributable or attributable["row"].size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    series = np.asarray(attributable["series_code"], dtype=np.int64)
    fits, a_start = fits_a_period(plan, attributable)
    at = np.where(fits, grid.rows_of(series, a_start), -1)
    inside = at >= 0
    if inside.any():
        inside &= grid.due[np.maximum(at, 0)]
    rows = np.asarray(attributable["row"], dtype=np.int64)[inside]
    at = at[inside]
    order = np.lexsort((rows, at))
    return rows[order], at[order]
