"""Which periods are due, which stage each is in, and the threshold in force.

The rules (each stated in the docs, and explained per row):

- a period is **due** when it has ended by the evaluation's end (the ``as_of`` date, or the
  last period in the data), lies in the term, and the service has commenced by its last day;
  periods before commencement are ``not_due``;
- a period's **stage** is the stage in force on its first day, or the first stage when the
  service commences during the period;
- a **dated** threshold takes the value in force on the period's first day, and a
  **trajectory** the value for the latest period it names at or before this one;
- a period in a **shadow** stage, or in a stage the threshold does not name, is judged only
  for show, against the next assessed stage's threshold.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import polars as pl

from contractkit.evaluate._plan import Plan, month_index
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

__all__ = ["ThresholdRef", "due_grid", "with_stages", "with_thresholds"]

_FIRST_MONTH = -(10**9)


def _effective_month(day: date) -> int:
    """The first month whose first day is on or after ``day``."""
    return month_index(day) + (0 if day.day == 1 else 1)


def due_grid(plan: Plan, end_month: int) -> pl.DataFrame:
    """Every series × assessment period from the term's start to ``end_month``, marked due or
    not (before commencement)."""
    frames = []
    for months in plan.kpis.get_column("assessed_months").unique().to_list():
        first = (
            plan.term_start_month
            if months == 1
            else ((plan.term_start_month - 3) // months * months + 3)
        )
        last = min(end_month - months + 1, plan.term_end_month)
        starts = list(range(first, last + 1, months))
        frames.append(
            pl.DataFrame(
                {"a_months": [months] * len(starts), "a_start": starts},
                schema={"a_months": pl.Int64, "a_start": pl.Int64},
            )
        )
    periods = (
        pl.concat(frames)
        if frames
        else pl.DataFrame(schema={"a_months": pl.Int64, "a_start": pl.Int64})
    )
    series = plan.series.join(
        plan.kpis.select("kpi_code", pl.col("assessed_months").alias("a_months")), on="kpi_code"
    ).join(plan.services.select("service_code", "commences_month"), on="service_code")
    grid = series.join(periods, on="a_months", how="inner")
    return grid.with_columns(
        due=(pl.col("a_start") + pl.col("a_months") - 1) >= pl.col("commences_month")
    ).sort("series_code", "a_start")


def with_stages(rows: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """Add ``stage_index``: the stage in force on each period's first day."""
    contract = plan.contract
    stages = contract.stages
    services = contract.services
    offsets: list[list[int]] = []
    elapsed = 0
    starts_at = []
    for stage in stages:
        starts_at.append(elapsed)
        elapsed += stage.months or 0
    for index, start in enumerate(starts_at):
        offsets.append(
            [_effective_month(add_months(s.commences, start)) for s in services]
            if index
            else [_effective_month(s.commences) for s in services]
        )
    table = pl.DataFrame(
        {f"_eff{k}": column for k, column in enumerate(offsets)},
        schema={f"_eff{k}": pl.Int64 for k in range(len(offsets))},
    ).with_row_index("service_code")
    rows = rows.join(table, on="service_code", how="left")
    reached = pl.sum_horizontal(
        *[(pl.col("a_start") >= pl.col(f"_eff{k}")).cast(pl.Int32) for k in range(len(offsets))]
    )
    return rows.with_columns(stage_index=(reached - 1).clip(lower_bound=0).cast(pl.Int32)).drop(
        [f"_eff{k}" for k in range(len(offsets))]
    )


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


def _rule_for(kpi_threshold: object, stage: str) -> Rule | None:
    if isinstance(kpi_threshold, Staged):
        return kpi_threshold.rule_for(stage)
    return kpi_threshold  # type: ignore[return-value]  # every unstaged threshold is a Rule


def _stage_table(contract: Contract) -> pl.DataFrame:
    """Per KPI and stage: the stage whose threshold judges it, and whether it is for show."""
    records: dict[str, list[object]] = {
        "kpi_code": [],
        "stage_index": [],
        "threshold_stage": [],
        "shadow": [],
    }
    stages = contract.stages
    for code, kpi in enumerate(contract.kpis):
        for index, stage in enumerate(stages):
            own = _rule_for(kpi.threshold, stage.stage)
            judged = stage.mode is StageMode.ASSESSED and own is not None
            target = (
                index
                if judged
                else next(
                    (
                        j
                        for j in range(index + 1, len(stages))
                        if stages[j].mode is StageMode.ASSESSED
                        and _rule_for(kpi.threshold, stages[j].stage) is not None
                    ),
                    None,
                )
            )
            records["kpi_code"].append(code)
            records["stage_index"].append(index)
            records["threshold_stage"].append(target)
            records["shadow"].append(not judged)
    return pl.DataFrame(
        records,
        schema={
            "kpi_code": pl.UInt32,
            "stage_index": pl.Int32,
            "threshold_stage": pl.Int32,
            "shadow": pl.Boolean,
        },
    )


def with_thresholds(rows: pl.DataFrame, plan: Plan) -> tuple[pl.DataFrame, list[ThresholdRef]]:
    """Add ``shadow``, ``threshold_stage``, ``threshold`` (a float in the KPI's terms) and
    ``threshold_ref`` (an index into the returned list, for explanations)."""
    contract = plan.contract
    rows = rows.join(_stage_table(contract), on=["kpi_code", "stage_index"], how="left")
    refs: list[ThresholdRef] = []
    wide: dict[str, list[object]] = {
        "kpi_code": [],
        "threshold_stage": [],
        "from_month": [],
        "ref": [],
    }
    own: dict[str, list[object]] = {
        "series_code": [],
        "threshold_stage": [],
        "from_month": [],
        "ref": [],
    }
    series_of = {
        (row[1], row[2]): row[0]
        for row in plan.series.select("series_code", "service_code", "kpi_code").iter_rows()
    }
    stages = contract.stages
    for code, kpi in enumerate(contract.kpis):
        for index, stage in enumerate(stages):
            rule = _rule_for(kpi.threshold, stage.stage)
            if rule is None:
                continue
            named = stage.stage if isinstance(kpi.threshold, Staged) else None
            base: tuple[str | int, ...] = ("kpis", code, "threshold") + ((named,) if named else ())
            if isinstance(rule, Absolute):
                refs.append(ThresholdRef(kpi.level(rule.value), base, "absolute", named))
                _add_row(wide, code, index, _FIRST_MONTH, len(refs) - 1)
            elif isinstance(rule, Dated):
                for start, value in rule.values:
                    refs.append(
                        ThresholdRef(
                            kpi.level(value),
                            (*base, start.isoformat()),
                            "dated",
                            named,
                            f"from {start.isoformat()}",
                        )
                    )
                    _add_row(wide, code, index, _effective_month(start), len(refs) - 1)
            elif isinstance(rule, FloorOrImprovement | Trajectory):
                for s_code, service in enumerate(contract.services):
                    series = series_of.get((s_code, code))
                    if series is None:
                        continue
                    for from_month, ref in _service_refs(rule, kpi, service, s_code, base, named):
                        refs.append(ref)
                        own["series_code"].append(series)
                        own["threshold_stage"].append(index)
                        own["from_month"].append(from_month)
                        own["ref"].append(len(refs) - 1)
    schema_w = {
        "kpi_code": pl.UInt32,
        "threshold_stage": pl.Int32,
        "from_month": pl.Int64,
        "ref": pl.Int64,
    }
    schema_o = {
        "series_code": pl.UInt32,
        "threshold_stage": pl.Int32,
        "from_month": pl.Int64,
        "ref": pl.Int64,
    }
    wide_table = pl.DataFrame(wide, schema=schema_w).sort("from_month")
    own_table = pl.DataFrame(own, schema=schema_o).sort("from_month")
    rows = rows.sort("a_start")
    rows = rows.join_asof(
        wide_table.rename({"ref": "_ref_wide"}),
        left_on="a_start",
        right_on="from_month",
        by=["kpi_code", "threshold_stage"],
        strategy="backward",
        check_sortedness=False,
    ).drop("from_month", strict=False)
    rows = rows.join_asof(
        own_table.rename({"ref": "_ref_own"}),
        left_on="a_start",
        right_on="from_month",
        by=["series_code", "threshold_stage"],
        strategy="backward",
        check_sortedness=False,
    ).drop("from_month", strict=False)
    levels = pl.Series("level", [float(r.level) for r in refs], dtype=pl.Float64)
    rows = rows.with_columns(threshold_ref=pl.coalesce("_ref_wide", "_ref_own")).drop(
        "_ref_wide", "_ref_own"
    )
    rows = rows.with_columns(
        threshold=pl.col("threshold_ref").map_batches(
            lambda refs_: levels.gather(refs_) if len(levels) else refs_.cast(pl.Float64),
            return_dtype=pl.Float64,
        )
    )
    return rows.sort("series_code", "a_start"), refs


def _add_row(
    table: dict[str, list[object]], code: int, stage: int, from_month: int, ref: int
) -> None:
    table["kpi_code"].append(code)
    table["threshold_stage"].append(stage)
    table["from_month"].append(from_month)
    table["ref"].append(ref)


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
            level = max(
                bound,
                min(start + gain, Decimal(1))
                if kpi.measure.value == "proportion"
                else start + gain,
            )
        else:
            level = min(bound, max(start - gain, Decimal(0)))
        detail = f"baseline {baseline} at services[{s_code}].baselines.{kpi.id}"
        out.append((_FIRST_MONTH, ThresholdRef(level, base, "floor_or_improvement", named, detail)))
        return out
    for period, value in sorted(
        service.trajectories.get(kpi.id, {}).items(), key=lambda item: item[0].start
    ):
        path = ("services", s_code, "trajectories", kpi.id, str(period))
        out.append(
            (
                month_index(period.start),
                ThresholdRef(kpi.level(value), path, "trajectory", named, str(period)),
            )
        )
    return out
