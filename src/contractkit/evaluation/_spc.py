"""SPC behind the verdicts: a control chart of each series at its reporting frequency.

Each series' reported values (the observed proportion, rate, mean or count of each month, say)
are charted with the chosen profile's rules, on the chart the rule in
``contractkit.stats.attribute`` chooses (``chart="auto"``: c- or u-charts with exact Poisson
limits for counts and rates, p- or Laney p′ charts for proportions, XmR charts for means and
for large overdispersed counts), or on XmR charts throughout (``chart="xmr"``). Limits are held
within what the measure allows. A missing period, or one with nothing to observe (a zero
denominator), is never closed up: the chart starts again after it, so limits are never
computed across a gap. An assessment period's ``spc_signal`` is the most telling signal among
its reported periods: concern, then improvement, then neither, then common cause.

**Each point is compared with the threshold on its own scale.** Proportions, rates and means
are the same at any period length. A count is not: a threshold of 2 a quarter is 2/3 a month,
so each monthly point's target is the threshold × the reporting period's months ÷ the
assessment period's. A count combined with ``last`` (a snapshot) is compared as it stands; a
``cumulative`` count's threshold is for the year to date at the end of each assessment period,
so a month's share is the threshold ÷ the months the total covers by then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit.evaluation._aggregate import Combined
from contractkit.evaluation._grid import Grid
from contractkit.evaluation._plan import MEASURES, Plan
from contractkit.stats import blockwise
from contractkit.stats.attribute import CHARTS, ControlBatch, control_batch
from contractkit.stats.spc import COMMON_CAUSE, CONCERN, IMPROVEMENT, NEITHER

__all__ = [
    "CHART_CHOICES",
    "CHART_NAMES",
    "SIGNAL_NAMES",
    "Charts",
    "chart",
    "point_share",
]

# Ranks, most telling first wins: 4 concern, 3 improvement, 2 neither, 1 common cause.
SIGNAL_NAMES = {0: None, 4: "concern", 3: "improvement", 2: "neither", 1: "common_cause"}
_LOOKUP = np.zeros(5, dtype=np.int8)  # indexed by the chart's signal code + 1 (-1 = no chart)
_LOOKUP[CONCERN + 1], _LOOKUP[IMPROVEMENT + 1] = 4, 3
_LOOKUP[NEITHER + 1], _LOOKUP[COMMON_CAUSE + 1] = 2, 1
_RANK_OF = np.zeros(256, dtype=np.int8)  # the same, indexed by the int8 code itself
_RANK_OF[: NEITHER + 1] = _LOOKUP[1:]

CHART_NAMES: tuple[str | None, ...] = (None, *CHARTS)
"""Chart labels by code + 1 (0: no chart)."""
CHART_CHOICES = ("auto", "xmr")
"""The ``chart=`` options: the rule's choice, or XmR charts throughout."""
ChartChoice = Literal["auto", "xmr"]

COUNT, MEAN = MEASURES.index("count"), MEASURES.index("mean")
SUM, LAST, CUMULATIVE = 0, 1, 2

Floats = NDArray[np.float64]


_POINT_COLUMNS = {
    "index": np.int64,
    "observed": np.float64,
    "target": np.float64,
    "lower_limit": np.float64,
    "upper_limit": np.float64,
    "signal": np.int8,
}


class PointColumns:
    """Per-point columns, held as the blocks of series they were charted in and joined when
    first read: an evaluation reads them only for its points table (and its JSON form), so
    most never pay for joining ten million points."""

    def __init__(self, blocks: list[dict[str, NDArray[Any]]]) -> None:
        self._blocks: list[dict[str, NDArray[Any]]] | None = blocks
        self._joined: dict[str, NDArray[Any]] = {}

    def __getitem__(self, name: str) -> NDArray[Any]:
        if self._blocks is not None:  # join every column at once, then let the blocks go
            blocks, self._blocks = self._blocks, None
            self._joined = {
                column: np.concatenate([b[column] for b in blocks])
                if blocks
                else np.empty(0, dtype=dtype)
                for column, dtype in _POINT_COLUMNS.items()
            }
        return self._joined[name]


@attrs.frozen
class Charts:
    """The charted points (accepted rows with something to observe), and per grid row the most
    telling signal."""

    columns: PointColumns
    """Per point: ``index`` (the accepted rows charted, in series and month order),
    ``observed``, ``target`` (the threshold its assessment period is judged against, on the
    point's own scale; NaN outside the grid or without a threshold), ``lower_limit`` and
    ``upper_limit`` (NaN where the chart is too short) and ``signal`` (a rank in
    ``SIGNAL_NAMES``); see the properties of those names."""
    partition_points: NDArray[np.int64]
    """Per run of points sharing a centre line (a chart, in order): its number of points."""
    partition_mean: Floats
    partition_chart: NDArray[np.int8]
    """Per chart: the chart used (a code into ``CHARTS``)."""
    row_signal: NDArray[np.int8]
    """Per grid row, a rank in ``SIGNAL_NAMES``."""
    row_chart: NDArray[np.int8]
    """Per grid row, the chart of its most telling signal (a code into ``CHART_NAMES``)."""
    icon_series: NDArray[np.int64]
    """The series with a chart, each once."""
    icon_points: NDArray[np.int64]
    """Per such series: the points in its latest chart."""
    icon_chart: NDArray[np.int8]
    """Per such series: its latest chart's kind (a code into ``CHARTS``)."""
    icon_target: Floats
    """Per such series: the target its last point was compared with (on the point's scale)."""
    icon_row: NDArray[np.int64]
    """Per such series: the grid row of its last point (-1 outside the grid)."""
    variation: NDArray[np.int8]
    """Per such series: the latest chart's variation icon (a code into ``VARIATIONS``)."""
    assurance: NDArray[np.int8]
    """Per such series: the latest chart's assurance icon, against the threshold in force for
    its last point (a code into ``ASSURANCES``)."""

    @property
    def index(self) -> NDArray[np.int64]:
        """Per point: its accepted row (the points in series and month order)."""
        return self.columns["index"]

    @property
    def observed(self) -> Floats:
        """Per point: the plotted value."""
        return self.columns["observed"]

    @property
    def target(self) -> Floats:
        """Per point: the threshold on the point's own scale (NaN for none)."""
        return self.columns["target"]

    @property
    def lower_limit(self) -> Floats:
        """Per point: the lower process limit (NaN where the chart is too short)."""
        return self.columns["lower_limit"]

    @property
    def upper_limit(self) -> Floats:
        """Per point: the upper process limit (NaN where the chart is too short)."""
        return self.columns["upper_limit"]

    @property
    def signal(self) -> NDArray[np.int8]:
        """Per point: a rank in ``SIGNAL_NAMES``."""
        return self.columns["signal"]

    @property
    def mean(self) -> Floats:
        """Per point: the centre line."""
        return np.repeat(self.partition_mean, self.partition_points)

    @property
    def chart(self) -> NDArray[np.int8]:
        """Per point: its chart (a code into ``CHARTS``)."""
        return np.repeat(self.partition_chart, self.partition_points)


_PARTS = (
    "index",
    "observed",
    "target",
    "partition_points",
    "partition_mean",
    "partition_chart",
    "lower_limit",
    "upper_limit",
    "signal",
    "icon_series",
    "icon_points",
    "icon_chart",
    "icon_target",
    "icon_row",
    "variation",
    "assurance",
)


def point_share(
    plan: Plan, grid: Grid, series: NDArray[np.int64], rows: NDArray[np.int64]
) -> Floats:
    """Per point (of ``series``, in grid row ``rows``, -1 outside): the share of its assessment
    period's threshold that applies to it (see the module's docstring)."""
    kpi = plan.series_kpi[series]
    count = plan.kpi_measure[kpi] == COUNT
    if not count.any():  # proportions, rates and means are the same at any period length
        ones: Floats = np.where(rows >= 0, 1.0, np.nan)
        return ones
    combine = plan.kpi_combine[kpi]
    reported = plan.series_reported[series].astype(np.float64)
    row = np.maximum(rows, 0)
    a_start, a_months = grid.a_start[row], grid.a_months[row]
    year_start = ((a_start - 3) // 12) * 12 + 3
    covered = (a_start + a_months - year_start).astype(np.float64)
    share = np.select(
        [~count | (combine == LAST), combine == CUMULATIVE],
        [1.0, reported / covered],
        reported / a_months,
    )
    result: Floats = np.where(rows >= 0, share, np.nan)
    return result


def chart(
    accepted: Mapping[str, NDArray[Any]],
    combined: Combined,
    plan: Plan,
    grid: Grid,
    threshold: Floats,
    *,
    profile: str,
    chart: ChartChoice = "auto",
) -> Charts:
    """Control charts of every series, and each grid row's signal and chart.

    The points are taken a block of whole series at a time (see
    ``contractkit.stats.blockwise``), so that the working arrays stay small; only the results
    are kept at full length.
    """
    order = combined.order
    series = accepted["series_code"]
    charting = _Charting(
        order=order,
        series_codes=series,
        starts=accepted["start"],
        combined=combined,
        plan=plan,
        grid=grid,
        threshold=threshold,
        row_signal=np.zeros(threshold.size, dtype=np.int8),
        row_chart=np.zeros(threshold.size, dtype=np.int8),
        profile=profile,
        choice=chart,
    )
    blocks = blockwise.series_blocks(series if order is None else series[order])
    parts = [charting.block(slice(a, b)) for a, b in blocks]
    # The per-chart and per-series results, far fewer than the points, are joined now.
    joined = {
        name: np.concatenate([part[name] for part in parts])
        for name in _PARTS
        if name not in _POINT_COLUMNS
    }
    points = PointColumns([{name: part[name] for name in _POINT_COLUMNS} for part in parts])
    return Charts(
        row_signal=charting.row_signal, row_chart=charting.row_chart, columns=points, **joined
    )


@attrs.frozen
class _Points:
    """A block's points that have something to observe, in series and month order: each one's
    accepted row, series, first month, what it plots (``top`` over ``bottom``, a rate per
    ``per``), its KPI's measure and direction, and its grid row (-1 outside the grid)."""

    index: NDArray[np.int64]
    series: NDArray[np.int64]
    start: NDArray[np.int64]
    top: Floats
    bottom: Floats
    per: Floats
    measure: NDArray[np.int8]
    better: NDArray[np.int8]
    rows: NDArray[np.int64]
    counts: bool
    """Whether any series of the block is a count (whose targets are shares of its period's)."""


@attrs.frozen
class _Charting:
    """What every block's charts are drawn from — the accepted rows (in ``order``, None where
    they came in series and month order), their combined fields, the plan, the grid and each
    grid row's threshold — and where each grid row's signal and chart are written."""

    order: NDArray[np.int64] | None
    series_codes: NDArray[Any]
    starts: NDArray[Any]
    combined: Combined
    plan: Plan
    grid: Grid
    threshold: Floats
    row_signal: NDArray[np.int8]
    row_chart: NDArray[np.int8]
    profile: str
    choice: ChartChoice

    def block(self, block: slice) -> dict[str, NDArray[Any]]:
        """The charts of one block of whole series (sorted points ``block``); fills in the
        grid rows' signals and charts."""
        points = self._points(block)
        if points is None:
            return _no_points()
        s, m = points.series, points.start
        step = self.plan.series_reported[s]
        new_chart = np.r_[True, (s[1:] != s[:-1]) | (m[1:] - m[:-1] != step[1:])]
        charts = np.cumsum(new_chart)
        target = self._targets(points)
        result = control_batch(
            points.top,
            points.bottom,
            charts,
            measure=points.measure,
            chart=self.choice,
            better=points.better,
            target=target,
            per=points.per,
            profile=self.profile,
        )
        rank = _RANK_OF[result.signal]
        kind = result.chart
        self._mark_rows(points.rows, rank, kind)
        return _block_results(points, charts, target, result, (rank, kind))

    def _points(self, block: slice) -> _Points | None:
        """The block's points with something to observe (None if there are none)."""
        plan = self.plan
        index = np.arange(block.start, block.stop) if self.order is None else self.order[block]
        series = self.series_codes[index].astype(np.int64)
        start = self.starts[index].astype(np.int64)
        columns = {name: values[block] for name, values in self.combined.columns.items()}
        run_first = np.flatnonzero(blockwise.run_starts(series))
        run_length = np.diff(np.r_[run_first, series.size])
        run_kpi = plan.series_kpi[series[run_first]]
        measure = np.repeat(plan.kpi_measure[run_kpi], run_length)
        top, bottom = _plotted(measure, columns, series.size)
        usable = np.isfinite(top) & np.isfinite(bottom) & (bottom > 0)
        cases = columns.get("count")
        is_mean = measure == MEAN
        if cases is not None and is_mean.any():  # a mean of no cases has nothing to observe
            with np.errstate(invalid="ignore"):
                usable &= ~is_mean | (cases > 0)
        picked = slice(None) if bool(usable.all()) else np.flatnonzero(usable)
        chosen = series[picked]
        if chosen.size == 0:
            return None
        return _Points(
            index=index[picked],
            series=chosen,
            start=start[picked],
            top=top[picked],
            bottom=bottom[picked],
            per=np.repeat(plan.kpi_per[run_kpi], run_length)[picked],
            measure=measure[picked],
            better=np.repeat(plan.kpi_better[run_kpi], run_length)[picked],
            rows=self.combined.row_of_point[block][picked],
            counts=bool((plan.kpi_measure[run_kpi] == COUNT).any()),
        )

    def _targets(self, points: _Points) -> Floats:
        """Each point's target: the threshold in force for its period, on the point's own
        scale."""
        rows = points.rows
        if bool((rows >= 0).all()) and not points.counts:
            target: Floats = self.threshold[rows]
            return target
        share = point_share(self.plan, self.grid, points.series, rows)
        shared: Floats = self.threshold[np.maximum(rows, 0)] * share
        return shared

    def _mark_rows(
        self, rows: NDArray[np.int64], rank: NDArray[np.int8], kind: NDArray[np.int8]
    ) -> None:
        """The most telling signal of each grid row's points (they are contiguous), and its
        chart."""
        inside = rows >= 0
        kept_rows = rows if inside.all() else rows[inside]
        if not kept_rows.size:
            return
        firsts = np.flatnonzero(blockwise.run_starts(kept_rows))
        key = rank * np.int8(8) + kind + np.int8(1)
        best = np.maximum.reduceat(key if inside.all() else key[inside], firsts)
        self.row_signal[kept_rows[firsts]] = best // 8
        self.row_chart[kept_rows[firsts]] = np.where(best // 8 > 0, best % 8, 0)


def _plotted(
    measure: NDArray[np.int8], columns: Mapping[str, Floats], size: int
) -> tuple[Floats, Floats]:
    """Each point's numerator and denominator on the chart: events or successes and their
    exposure or cases; a count over 1; a mean's value over 1 (a case count is not a weight)."""
    empty = np.full(size, np.nan)
    numerator = columns.get("numerator", empty)
    denominator = columns.get("denominator", empty)
    value = columns.get("value")
    is_mean = measure == MEAN
    over_one = is_mean | (measure == COUNT)
    top = (
        np.where(is_mean, empty if value is None else value, numerator)
        if is_mean.any()
        else numerator
    )
    bottom = np.where(over_one, 1.0, denominator) if over_one.any() else denominator
    return top, bottom


def _block_results(
    points: _Points,
    charts: NDArray[np.int64],
    target: Floats,
    result: ControlBatch,
    ranked: tuple[NDArray[np.int8], NDArray[np.int8]],
) -> dict[str, NDArray[Any]]:
    """A block's results: per point (``ranked``: each point's signal rank and chart), per
    chart, and each series' icons from its latest chart (the charts are numbered in order)."""
    rank, kind = ranked
    chart_last = np.flatnonzero(np.r_[charts[1:] != charts[:-1], True])
    chart_series = points.series[chart_last]
    latest = np.flatnonzero(np.r_[chart_series[1:] != chart_series[:-1], True])
    last_point = chart_last[latest]
    return {
        "index": points.index,
        "observed": result.values,
        "target": target,
        "partition_points": result.partition_points,
        "partition_mean": result.mean[np.cumsum(result.partition_points) - result.partition_points],
        "partition_chart": result.partition_chart,
        "lower_limit": result.lower_limit,
        "upper_limit": result.upper_limit,
        "signal": rank,
        "icon_series": chart_series[latest],
        "icon_points": result.series_points[latest],
        "icon_chart": kind[last_point],
        "icon_target": target[last_point],
        "icon_row": points.rows[last_point],
        "variation": result.variation_code[latest],
        "assurance": result.assurance_code[latest],
    }


def _no_points() -> dict[str, NDArray[Any]]:
    floats, ints, codes = np.array([]), np.array([], dtype=np.int64), np.array([], dtype=np.int8)
    return {
        "index": ints,
        "observed": floats,
        "target": floats,
        "partition_points": ints,
        "partition_mean": floats,
        "partition_chart": codes,
        "lower_limit": floats,
        "upper_limit": floats,
        "signal": codes,
        "icon_series": ints,
        "icon_points": ints,
        "icon_chart": codes,
        "icon_target": floats,
        "icon_row": ints,
        "variation": codes,
        "assurance": codes,
    }
