"""The contract compiled into columns: what the engine joins returns against.

Periods are carried as integers throughout: a month is its number, ``year * 12 + month - 1``
(see :mod:`contractkit._kernel.months`), and any period is its first month's number and its
length in months (1, 3 or 12). Financial-year quarters start at month numbers ≡ 3 (mod 3) —
April, July, October, January — and financial years at numbers ≡ 3 (mod 12).

Series (each KPI a service is held to) are numbered as the returns reader numbers them
(:class:`~contractkit.returns.ContractSeries`), so that an accepted return's
series is the plan's.
"""

from __future__ import annotations

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit._kernel.months import month_number
from contractkit.model import Contract, Measure
from contractkit.returns import ContractSeries

__all__ = ["MEASURES", "Plan", "compile_plan"]

MEASURES = tuple(measure.value for measure in Measure)
"""Measure codes: a measure's index here, in the order of :class:`~contractkit.model.Measure`
(the order the returns reader codes them in)."""

_COMBINES = ("sum", "last", "cumulative")
_NEVER = 10**7
"""The month number of the end of a service that does not end."""


@attrs.frozen
class Plan:
    """The contract as arrays keyed by small integer codes."""

    series: ContractSeries
    """The contract's series, numbered (each KPI a service is held to)."""
    term_start_month: int
    term_end_month: int
    series_assessed: NDArray[np.int64]
    """Per series: the months in its KPI's assessment period."""
    series_reported: NDArray[np.int64]
    """Per series: the months in its KPI's reporting period."""
    series_commences: NDArray[np.int64]
    """Per series: the month number of its service's commencement."""
    series_ends: NDArray[np.int64]
    """Per series: the month number of its service's last day (far in the future if none)."""
    kpi_measure: NDArray[np.int8]
    """Per KPI: its measure's code (an index into ``MEASURES``)."""
    kpi_combine: NDArray[np.int8]
    """Per KPI: 0 sum, 1 last, 2 cumulative."""
    kpi_better: NDArray[np.int8]
    """Per KPI: +1 where higher is better, -1 where lower is."""
    kpi_per: NDArray[np.float64]
    """Per KPI: a rate's base (1 for other measures)."""

    @property
    def contract(self) -> Contract:
        """The contract compiled."""
        return self.series.contract

    @property
    def series_service(self) -> NDArray[np.int64]:
        """Per series: its service's code."""
        return self.series.series_service

    @property
    def series_kpi(self) -> NDArray[np.int64]:
        """Per series: its KPI's code."""
        return self.series.series_kpi


def compile_plan(contract: Contract) -> Plan:
    """Compile a contract into its arrays, once per evaluation."""
    series = ContractSeries.of(contract)
    kpis, services = contract.kpis, contract.services
    series_kpi, series_service = series.series_kpi, series.series_service
    assessed = np.array([k.assessed.months for k in kpis], dtype=np.int64)
    reported = np.array([k.reported.months for k in kpis], dtype=np.int64)
    commences = np.array([month_number(s.commences) for s in services], dtype=np.int64)
    ends = np.array([month_number(s.ends) if s.ends else _NEVER for s in services], dtype=np.int64)
    return Plan(
        series=series,
        term_start_month=series.first_month,
        term_end_month=series.last_month,
        series_assessed=assessed[series_kpi] if series_kpi.size else series_kpi,
        series_reported=reported[series_kpi] if series_kpi.size else series_kpi,
        series_commences=commences[series_service] if series_service.size else series_service,
        series_ends=ends[series_service] if series_service.size else series_service,
        kpi_measure=np.array([MEASURES.index(k.measure.value) for k in kpis], dtype=np.int8),
        kpi_combine=np.array([_COMBINES.index(k.combine.value) for k in kpis], dtype=np.int8),
        kpi_better=np.array([1 if k.better.value == "higher" else -1 for k in kpis], dtype=np.int8),
        kpi_per=np.array([k.per or 1 for k in kpis], dtype=np.float64),
    )
