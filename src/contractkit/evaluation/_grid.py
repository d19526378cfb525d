"""Which periods are due, which stage each is in, and the threshold in force — over arrays.

The rules (each stated in the docs, and explained per row):

- a period is **due** when it has ended by the evaluation's end (the ``as_of`` date, or the
  last period in the data), lies in the term, the service has commenced by its last day, and
  (for a service that ends) has not ended before its first day; other periods are ``not_due``;
- a period's **stage** is the stage in force on its first day, or the first stage when the
  service commences during the period;
- a **dated** threshold takes the value in force on the period's first day, and a
  **trajectory** the value for the latest period it names at or before this one;
- a period in a **shadow** stage, or in a stage the threshold does not name, is judged only
  for show, against the next assessed stage's threshold.

The grid is sorted by series, then period; lookups are ``searchsorted`` on integer keys.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit._kernel.months import month_number
from contractkit.evaluation._plan import Plan
from contractkit.model import KPI, Contract, Direction, Service, StageMode
from contractkit.model.threshold import (
    Absolute,
    Dated,
    FloorOrImprovement,
    Rule,
    Staged,
    Trajectory,
)
from contractkit.periods import add_months
from contractkit.stats import blockwise

__all__ = [
    "Grid",
    "ThresholdRef",
    "build_grid",
    "commencement_dates",
    "resolve_thresholds",
    "stage_index",
]

Ints = NDArray[np.int64]
SPAN = 1 << 16
"""Room in a composite key for month offsets (months since ``Grid.base``)."""


def _effective_month(day: date) -> int:
    """The first month whose first day is on or after ``day``."""
    return month_number(day) + (0 if day.day == 1 else 1)


@attrs.frozen
class Grid:
    """Every series × assessment period from the term's start to the evaluation's end."""

    series: Ints
    a_start: Ints
    a_months: Ints
    due: NDArray[np.bool_]
    base: int
    """A month index before every period, so that offsets from it are positive."""
    series_first: Ints
    """Per series: the first month of its first assessment period."""
    series_rows: Ints
    """Per series: how many rows (assessment periods) it has; they are consecutive."""
    series_row: Ints
    """Per series: the index of its first row."""
    series_assessed: Ints
    """Per series: the months in each assessment period."""

    def rows_of(self, series: Ints, a_start: Ints) -> Ints:
        """The grid row of each (series, assessment period start), or -1 where the period is
        not in the grid. Periods must start where the series' periods do (aligned)."""
        offset = (a_start - self.series_first[series]) // self.series_assessed[series]
        inside = (offset >= 0) & (offset < self.series_rows[series])
        rows: Ints = np.where(inside, self.series_row[series] + offset, -1)
        return rows


def build_grid(plan: Plan, end_month: int) -> Grid:
    """The grid of due (and not-yet-commenced) periods, sorted by series and period."""
    base = plan.term_start_month - 24
    am = plan.series_assessed
    first = np.where(am == 1, plan.term_start_month, (plan.term_start_month - 3) // am * am + 3)
    last = np.minimum(end_month - am + 1, plan.term_end_month)
    counts = np.where(last >= first, (last - first) // am + 1, 0)
    series = np.repeat(np.arange(am.size, dtype=np.int64), counts)
    offsets = np.arange(series.size, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    a_months = am[series]
    a_start = first[series] + offsets * a_months
    due = (a_start + a_months - 1 >= plan.series_commences[series]) & (
        a_start <= plan.series_ends[series]
    )
    return Grid(
        series=series,
        a_start=a_start,
        a_months=a_months,
        due=due,
        base=base,
        series_first=first,
        series_rows=counts,
        series_row=np.cumsum(counts) - counts,
        series_assessed=am,
    )


def commencement_dates(contract: Contract) -> tuple[list[date], Ints]:
    """The distinct commencement dates, in order, and each service's place among them: what
    depends only on the date (its stages' months and dates) is worked out once per date."""
    dates = sorted({s.commences for s in contract.services})
    code = {day: i for i, day in enumerate(dates)}
    return dates, np.array([code[s.commences] for s in contract.services], dtype=np.int64)


def stage_index(grid: Grid, plan: Plan) -> Ints:
    """The stage in force on each period's first day (the first stage if the service commences
    during the period)."""
    contract = plan.contract
    elapsed, starts = 0, []
    for stage in contract.stages:
        starts.append(elapsed)
        elapsed += stage.months or 0
    # Services share few commencement dates: each date's stage months are worked out once.
    dates, service_date = commencement_dates(contract)
    by_date = np.array(
        [[_effective_month(add_months(day, offset)) for offset in starts] for day in dates],
        dtype=np.int64,
    ).reshape(len(dates), len(starts))
    per_row = by_date[service_date[plan.series_service[grid.series]]]
    reached = (grid.a_start[:, None] >= per_row).sum(axis=1)
    index: Ints = np.maximum(reached - 1, 0).astype(np.int64)
    return index


@attrs.frozen
class ThresholdRef:
    """Where a threshold value came from, for explanations."""

    level: Decimal
    """The threshold in the KPI's own terms (a fraction for a proportion)."""
    path: tuple[str | int, ...]
    """The path in the contract to the value."""
    kind: str
    """absolute, dated, floor_or_improvement or trajectory."""
    stage: str | None
    """The stage whose threshold it is (None when the threshold is not staged)."""
    detail: str = ""
    """What else went into it (the baseline, for floor or improvement)."""


def _rule_for(threshold: object, stage: str) -> Rule | None:
    if isinstance(threshold, Staged):
        return threshold.rule_for(stage)
    return threshold  # type: ignore[return-value]  # every unstaged threshold is a Rule


def judging_stage(contract: Contract) -> tuple[Ints, NDArray[np.bool_]]:
    """Per KPI and stage: the stage whose threshold judges it (-1: none), and whether the
    stage is for show only (shadow, or not named by the threshold)."""
    stages = contract.stages
    judge = np.full((len(contract.kpis), len(stages)), -1, dtype=np.int64)
    shadow = np.zeros((len(contract.kpis), len(stages)), dtype=bool)
    for code, kpi in enumerate(contract.kpis):
        named = [
            stage.mode is StageMode.ASSESSED and _rule_for(kpi.threshold, stage.stage) is not None
            for stage in stages
        ]
        for index in range(len(stages)):
            shadow[code, index] = not named[index]
            judge[code, index] = next((j for j in range(index, len(stages)) if named[j]), -1)
    return judge, shadow


@attrs.frozen
class Thresholds:
    """Per grid row: the judging stage, whether the row is for show, and the threshold."""

    judging: Ints
    shadow: NDArray[np.bool_]
    ref: Ints
    """Index into ``refs`` (-1: no threshold in force)."""
    level: NDArray[np.float64]
    refs: list[ThresholdRef]


def _lookup(
    table_keys: Ints, table_refs: Ints, keys: Ints, groups: Ints, table_groups: Ints
) -> Ints:
    """As-of lookup: for each key, the ref of the latest table key at or before it in the same
    group (-1 if none)."""
    if table_keys.size == 0:
        return np.full(keys.size, -1, dtype=np.int64)
    position = np.searchsorted(table_keys, keys, side="right") - 1
    safe = np.maximum(position, 0)
    found = (position >= 0) & (table_groups[safe] == groups)
    return np.where(found, table_refs[safe], -1)


def resolve_thresholds(grid: Grid, stage: Ints, plan: Plan) -> Thresholds:
    """The threshold in force for every grid row, and where each value came from."""
    contract = plan.contract
    judge, shadow_table = judging_stage(contract)
    kpi = plan.series_kpi[grid.series]
    judging = judge[kpi, stage]
    shadow = shadow_table[kpi, stage]
    table = _RefTable.of(plan, grid.base)
    found_ref = table.find(grid, kpi, judging)
    levels = np.array([float(r.level) for r in table.refs] + [np.nan], dtype=np.float64)
    return Thresholds(
        judging=judging,
        shadow=shadow | (found_ref < 0),
        ref=found_ref,
        level=levels[found_ref],
        refs=table.refs,
    )


@attrs.define
class _RefTable:
    """Every threshold value the contract gives (its refs), each keyed by where it applies and
    from when: a KPI's value for all its services (``wide``: keyed by KPI and stage), or one
    service's own (``own``: by series and stage, a baseline's floor or a trajectory's value).
    Each entry is (group, months from the grid's base, ref)."""

    plan: Plan
    base: int
    """The grid's base month."""
    refs: list[ThresholdRef] = attrs.field(factory=list)
    wide: list[tuple[int, int, int]] = attrs.field(factory=list)
    own: list[tuple[int, int, int]] = attrs.field(factory=list)
    _series_of: dict[tuple[int, int], int] = attrs.field(factory=dict)
    """(service, KPI) → series, built when first needed."""

    @classmethod
    def of(cls, plan: Plan, base: int) -> _RefTable:
        """The refs of every KPI's threshold in every stage it names."""
        table = cls(plan, base)
        contract = plan.contract
        for code, kpi in enumerate(contract.kpis):
            for index, stage in enumerate(contract.stages):
                rule = _rule_for(kpi.threshold, stage.stage)
                if rule is not None:
                    named = stage.stage if isinstance(kpi.threshold, Staged) else None
                    table._add(code, index, kpi, rule, named)
        return table

    def _add(self, code: int, index: int, kpi: KPI, rule: Rule, named: str | None) -> None:
        """The refs of KPI ``code``'s rule in stage ``index`` (``named`` where the threshold is
        staged)."""
        base: tuple[str | int, ...] = ("kpis", code, "threshold") + ((named,) if named else ())
        group = code * len(self.plan.contract.stages) + index
        if isinstance(rule, Absolute):
            self._ref(
                self.wide, group, 0, ThresholdRef(kpi.level(rule.value), base, "absolute", named)
            )
        elif isinstance(rule, Dated):
            for start, value in rule.values:
                ref = ThresholdRef(
                    kpi.level(value),
                    (*base, start.isoformat()),
                    "dated",
                    named,
                    f"in force from {start.isoformat()}",
                )
                self._ref(self.wide, group, max(_effective_month(start) - self.base, 0), ref)
        else:
            self._add_services(code, index, kpi, rule, base, named)

    def _add_services(
        self,
        code: int,
        index: int,
        kpi: KPI,
        rule: FloorOrImprovement | Trajectory,
        base: tuple[str | int, ...],
        named: str | None,
    ) -> None:
        """The refs of a rule each service has its own values of (a baseline, a trajectory)."""
        if not self._series_of:
            plan = self.plan
            self._series_of.update(
                ((int(s), int(k)), i)
                for i, (s, k) in enumerate(zip(plan.series_service, plan.series_kpi, strict=True))
            )
        n_stages = len(self.plan.contract.stages)
        for s_code, service in enumerate(self.plan.contract.services):
            series = self._series_of.get((s_code, code))
            if series is None:
                continue
            for from_month, ref in _service_refs(rule, kpi, service, s_code, base, named):
                self._ref(self.own, series * n_stages + index, max(from_month - self.base, 0), ref)

    def _ref(
        self, entries: list[tuple[int, int, int]], group: int, offset: int, ref: ThresholdRef
    ) -> None:
        self.refs.append(ref)
        entries.append((group, offset, len(self.refs) - 1))

    def find(self, grid: Grid, kpi: Ints, judging: Ints) -> Ints:
        """Per grid row, the ref in force in its judging stage (-1: none), a block of rows at a
        time: a service's own value first, else its KPI's."""
        n_stages = len(self.plan.contract.stages)
        found_ref = np.full(grid.series.size, -1, dtype=np.int64)
        tables: list[tuple[Ints, Ints, bool]] = []  # (entries, their keys, grouped by series)
        for entries, by_series in ((self.wide, False), (self.own, True)):
            if entries:
                table = np.array(sorted(entries), dtype=np.int64)
                tables.append((table, table[:, 0] * SPAN + table[:, 1], by_series))
        for rows in blockwise.slices(grid.series.size):
            months_in = grid.a_start[rows] - grid.base
            valid = judging[rows] >= 0
            found_rows = found_ref[rows]
            for table, keys, by_series in tables:
                groups = (grid.series[rows] if by_series else kpi[rows]) * n_stages + judging[rows]
                found = _lookup(keys, table[:, 2], groups * SPAN + months_in, groups, table[:, 0])
                found_rows = np.where(valid & (found_rows < 0), found, found_rows)
            found_ref[rows] = found_rows
        return found_ref


def _service_refs(
    rule: FloorOrImprovement | Trajectory,
    kpi: KPI,
    service: Service,
    s_code: int,
    base: tuple[str | int, ...],
    named: str | None,
) -> list[tuple[int, ThresholdRef]]:
    out: list[tuple[int, ThresholdRef]] = []
    if isinstance(rule, FloorOrImprovement):
        baseline = service.baselines.get(kpi.id)
        if baseline is None:
            return out
        start = kpi.level(baseline)
        gain = kpi.level(rule.improvement)
        bound = kpi.level(rule.bound)
        if kpi.better is Direction.HIGHER:
            raised = start + gain
            if kpi.measure.value == "proportion":
                raised = min(raised, Decimal(1))
            level = max(bound, raised)
        else:
            level = min(bound, max(start - gain, Decimal(0)))
        detail = f"the service's baseline of {baseline} (services[{s_code}].baselines.{kpi.id})"
        out.append((-(10**6), ThresholdRef(level, base, "floor_or_improvement", named, detail)))
        return out
    for period, value in sorted(
        service.trajectories.get(kpi.id, {}).items(), key=lambda item: item[0].start
    ):
        path = ("services", s_code, "trajectories", kpi.id, str(period))
        out.append(
            (
                month_number(period.start),
                ThresholdRef(
                    kpi.level(value),
                    path,
                    "trajectory",
                    named,
                    f"the service's agreed trajectory for {period}",
                ),
            )
        )
    return out
