"""The SPC behind an evaluation as tables: each series' icons from its latest chart, and every
charted point (labelled only when first read: ten million of them are left as arrays until
asked for)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.months import KEY as PERIOD_KEY
from contractkit._kernel.months import period_of
from contractkit.evaluation._grid import Grid, Thresholds
from contractkit.evaluation._labels import KEY, distinct, floats, labels
from contractkit.evaluation._plan import Plan
from contractkit.evaluation._spc import SIGNAL_NAMES, Charts
from contractkit.evaluation._spc_words import compared
from contractkit.model import Contract
from contractkit.stats.attribute import CHARTS
from contractkit.stats.spc import ASSURANCES, VARIATIONS

__all__ = ["RawPoints", "icon_table"]


@attrs.frozen
class RawPoints:
    """SPC points before labelling (labelling ten million points is left until asked for)."""

    plan: Plan
    accepted: Mapping[str, NDArray[Any]]
    """The accepted rows' columns (see ``Returns.columns``)."""
    charts: Charts

    def label(self) -> pl.DataFrame:
        rows = self.charts.index
        series = np.asarray(self.accepted["series_code"], dtype=np.int64)[rows]
        start = np.asarray(self.accepted["start"], dtype=np.int64)[rows]
        months = np.asarray(self.accepted["months"], dtype=np.int64)[rows]
        contract = self.plan.contract
        periods, index = distinct(start * PERIOD_KEY + months)
        names = [str(period_of(int(p) // PERIOD_KEY, int(p) % PERIOD_KEY)) for p in periods]
        return pl.DataFrame(
            {
                "service": labels(
                    [s.id for s in contract.services], self.plan.series_service[series], KEY
                ),
                "kpi": labels([k.id for k in contract.kpis], self.plan.series_kpi[series], KEY),
                "period": labels(names, index, KEY),
                "chart": labels(CHARTS, self.charts.chart),
                "observed": floats(self.charts.observed),
                "target": floats(self.charts.target),
                "mean": floats(self.charts.mean),
                "lower_limit": floats(self.charts.lower_limit),
                "upper_limit": floats(self.charts.upper_limit),
                "signal": labels([SIGNAL_NAMES[i] for i in range(5)], self.charts.signal),
            }
        )


def icon_table(
    contract: Contract, plan: Plan, grid: Grid, thresholds: Thresholds, charts: Charts
) -> pl.DataFrame:
    """Each series' SPC icons, from its latest chart (see :meth:`Evaluation.spc_icons`)."""
    icon_series = charts.icon_series
    icon_kpi = plan.series_kpi[icon_series]
    return pl.DataFrame(
        {
            "service": labels(
                [s.id for s in contract.services], plan.series_service[icon_series], KEY
            ),
            "kpi": labels([k.id for k in contract.kpis], icon_kpi, KEY),
            "points": charts.icon_points.astype(np.int64),
            "chart": labels(CHARTS, charts.icon_chart),
            "variation": labels(VARIATIONS, charts.variation),
            "assurance": labels(ASSURANCES, charts.assurance),
            "target": floats(charts.icon_target),
            "compared": _compared_labels(contract, grid, thresholds, icon_kpi, charts),
        }
    )


def _compared_labels(
    contract: Contract,
    grid: Grid,
    thresholds: Thresholds,
    icon_kpi: NDArray[np.int64],
    charts: Charts,
) -> pl.Series:
    """Each icon's comparison in words (``≤ 2 a quarter, as 0.67 a month``), worked out once
    per distinct KPI, threshold and assessment period."""
    rows = charts.icon_row
    inside = rows >= 0
    row = np.maximum(rows, 0)
    level = np.where(inside, thresholds.level[row], np.nan)
    a_start, a_months = grid.a_start[row], grid.a_months[row]
    covered = np.where(inside, a_start + a_months - (((a_start - 3) // 12) * 12 + 3), 0)
    # One whole-number key per icon: its KPI, its threshold's place among the distinct
    # thresholds, and the months a cumulative total covers (at most 12).
    levels, level_code = np.unique(level, return_inverse=True)
    key = (icon_kpi * (levels.size + 1) + level_code.reshape(-1)) * 16 + covered
    distinct, index = np.unique(key, return_inverse=True)
    texts: list[str | None] = []
    for code in distinct.tolist():
        kpi_code, rest = divmod(code // 16, levels.size + 1)
        threshold, months = float(levels[rest]), code % 16
        if not np.isfinite(threshold):
            texts.append(None)
            continue
        kpi = contract.kpis[int(kpi_code)]
        texts.append(
            compared(
                measure=kpi.measure.value,
                better=kpi.better.value,
                threshold=threshold,
                unit=kpi.unit,
                per=kpi.per,
                reported=kpi.reported.months,
                assessed=kpi.assessed.months,
                combine=kpi.combine.value,
                covered=int(months),
            )
        )
    return labels(texts, np.asarray(index).reshape(-1))
