"""The contract compiled into columns: what the engine joins returns against.

Periods are carried as integers throughout: a month is ``year * 12 + month - 1`` (its
*month index*), and any period is its first month's index and its length in months (1, 3 or
12). Financial-year quarters start at month indexes ≡ 3 (mod 3) — April, July, October,
January — and financial years at indexes ≡ 3 (mod 12).
"""

from __future__ import annotations

from datetime import date

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit.model import Contract
from contractkit.periods import FinancialYear, Month, Quarter

__all__ = ["MEASURES", "Plan", "compile_plan", "month_index", "period_from_index"]

MEASURES = ("proportion", "rate", "mean", "count")
"""Measure codes: a measure's index here (the same order as the verdicts use)."""


def month_index(day: date) -> int:
    """The month index of the month a day falls in."""
    return day.year * 12 + day.month - 1


def period_from_index(start: int, months: int) -> Month | Quarter | FinancialYear:
    """The period that starts at a month index and lasts ``months`` months."""
    month = Month(start // 12, start % 12 + 1)
    if months == 1:
        return month
    if months == 3:
        return month.quarter
    return month.financial_year


def period_text(start: pl.Expr, months: pl.Expr) -> pl.Expr:
    """The text form of periods, as a column expression (``2026-07``, ``2026/27 Q2``,
    ``2026/27``)."""
    year = start // 12
    month = start % 12 + 1
    fy = (start - 3) // 12
    fy_text = fy.cast(pl.String).str.zfill(4) + "/" + ((fy + 1) % 100).cast(pl.String).str.zfill(2)
    quarter = ((start - 3) % 12) // 3 + 1
    return (
        pl.when(months == 1)
        .then(year.cast(pl.String).str.zfill(4) + "-" + month.cast(pl.String).str.zfill(2))
        .when(months == 3)
        .then(fy_text + " Q" + quarter.cast(pl.String))
        .otherwise(fy_text)
    )


@attrs.frozen
class Plan:
    """The contract as tables keyed by small integer codes."""

    contract: Contract
    services: pl.DataFrame
    """service_code, service, provider, commences (date), commences_month."""
    kpis: pl.DataFrame
    """kpi_code, kpi, measure, better (+1/-1), reported_months, assessed_months, combine, per."""
    series: pl.DataFrame
    """series_code, service_code, kpi_code: each KPI a service is held to."""
    term_start_month: int
    term_end_month: int
    series_service: NDArray[np.int64]
    """Per series: its service's code."""
    series_kpi: NDArray[np.int64]
    """Per series: its KPI's code."""
    series_assessed: NDArray[np.int64]
    """Per series: the months in its KPI's assessment period."""
    series_reported: NDArray[np.int64]
    """Per series: the months in its KPI's reporting period."""
    series_commences: NDArray[np.int64]
    """Per series: the month index of its service's commencement."""
    kpi_measure: NDArray[np.int8]
    """Per KPI: its measure's code (an index into ``MEASURES``)."""
    kpi_combine: NDArray[np.int8]
    """Per KPI: 0 sum, 1 last, 2 cumulative."""
    series_ends: NDArray[np.int64]
    """Per series: the month index of its service's last day (far in the future if none)."""
    kpi_better: NDArray[np.int8]
    """Per KPI: +1 where higher is better, -1 where lower is."""
    kpi_per: NDArray[np.float64]
    """Per KPI: a rate's base (1 for other measures)."""


def compile_plan(contract: Contract) -> Plan:
    """Compile a contract into its tables, once per evaluation."""
    services = pl.DataFrame(
        {
            "service": [s.id for s in contract.services],
            "provider": [s.provider for s in contract.services],
            "commences": [s.commences for s in contract.services],
        },
        schema={"service": pl.String, "provider": pl.String, "commences": pl.Date},
    ).with_row_index("service_code")
    services = services.with_columns(
        commences_month=(
            pl.col("commences").dt.year().cast(pl.Int64) * 12
            + pl.col("commences").dt.month().cast(pl.Int64)
            - 1
        )
    )
    kpis = pl.DataFrame(
        {
            "kpi": [k.id for k in contract.kpis],
            "measure": [k.measure.value for k in contract.kpis],
            "better": [1 if k.better.value == "higher" else -1 for k in contract.kpis],
            "reported_months": [k.reported.months for k in contract.kpis],
            "assessed_months": [k.assessed.months for k in contract.kpis],
            "combine": [k.combine.value for k in contract.kpis],
            "per": [k.per or 1 for k in contract.kpis],
        },
        schema={
            "kpi": pl.String,
            "measure": pl.String,
            "better": pl.Int8,
            "reported_months": pl.Int64,
            "assessed_months": pl.Int64,
            "combine": pl.String,
            "per": pl.Int64,
        },
    ).with_row_index("kpi_code")
    kpi_codes = {k.id: i for i, k in enumerate(contract.kpis)}
    service_codes: list[int] = []
    series_kpis: list[int] = []
    for code, service in enumerate(contract.services):
        for kpi in service.kpis:
            service_codes.append(code)
            series_kpis.append(kpi_codes[kpi])
    series = pl.DataFrame(
        {"service_code": service_codes, "kpi_code": series_kpis},
        schema={"service_code": pl.UInt32, "kpi_code": pl.UInt32},
    ).with_row_index("series_code")
    series_service = np.asarray(service_codes, dtype=np.int64)
    series_kpi = np.asarray(series_kpis, dtype=np.int64)
    assessed = np.array([k.assessed.months for k in contract.kpis], dtype=np.int64)
    reported = np.array([k.reported.months for k in contract.kpis], dtype=np.int64)
    commences = np.array([month_index(s.commences) for s in contract.services], dtype=np.int64)
    ends = np.array(
        [month_index(s.ends) if s.ends else 10**7 for s in contract.services], dtype=np.int64
    )
    return Plan(
        contract=contract,
        services=services,
        kpis=kpis,
        series=series,
        term_start_month=month_index(contract.term.start),
        term_end_month=month_index(contract.term.end),
        series_service=series_service,
        series_kpi=series_kpi,
        series_assessed=assessed[series_kpi] if series_kpi.size else series_kpi,
        series_reported=reported[series_kpi] if series_kpi.size else series_kpi,
        series_commences=commences[series_service] if series_service.size else series_service,
        series_ends=ends[series_service] if series_service.size else series_service,
        kpi_measure=np.array(
            [MEASURES.index(k.measure.value) for k in contract.kpis], dtype=np.int8
        ),
        kpi_combine=np.array(
            [("sum", "last", "cumulative").index(k.combine.value) for k in contract.kpis],
            dtype=np.int8,
        ),
        kpi_better=kpis.get_column("better").to_numpy().astype(np.int8),
        kpi_per=kpis.get_column("per").to_numpy().astype(np.float64),
    )
