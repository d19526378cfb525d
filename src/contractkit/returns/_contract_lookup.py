"""What each returns row names in the contract: its KPI, its service (or its provider's one
service held to the KPI), and so its series, with its period and what the contract says of the
service and KPI (the KPI's measure and reporting frequency, the service's commencement and end).

Text fields are read once per distinct value (a service id appears in many rows, a period in
very many), and each row takes its value's code: the lookups are gathers over whole columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints
from contractkit._kernel.months import month_number
from contractkit._kernel.period_column import PeriodColumn
from contractkit.returns._columns import Source
from contractkit.returns._contract_series import MEASURES, ContractSeries

__all__ = ["ABSENT", "MEASURES", "UNKNOWN", "ContractLookup", "Named", "TextColumn", "text_column"]

ABSENT = -1
"""The code of an empty text field."""
UNKNOWN = -2
"""The code of a text field naming nothing in the contract."""
_NEVER = 10**7
"""The month number of the end of a service that does not end."""


@attrs.frozen
class TextColumn:
    """A text field: for each row, the index of its distinct value (``len(values)`` where
    empty)."""

    index: NDArray[np.integer[Any]]
    values: list[str]
    """The distinct values, trimmed."""

    def table(self, lookup: Mapping[str, int]) -> Ints:
        """Each distinct value's code from ``lookup`` (``UNKNOWN`` if not there, ``ABSENT``
        if empty), and ``ABSENT`` last, for empty fields: index it with :attr:`index`."""
        return np.array(
            [lookup.get(v, UNKNOWN) if v else ABSENT for v in self.values] + [ABSENT],
            dtype=np.int64,
        )

    def text(self, rows: NDArray[Any]) -> list[str | None]:
        """The trimmed text of the chosen rows (None where empty)."""
        values = [*self.values, None]
        return [values[i] or None for i in self.index[rows]]


def text_column(frame: pl.DataFrame, source: Source | None) -> TextColumn:
    """Factorise a text field: one entry per distinct value, an index per row."""
    if source is None:
        return TextColumn(np.broadcast_to(np.ones(1, dtype=np.uint32), (frame.height,)), [""])
    series = frame.select(source.expression.alias("_")).to_series()
    if series.len() == 1 and frame.height != 1:
        # A constant (a quoted value in the mapping): one value for every row.
        value = series.cast(pl.String).item()
        only = np.zeros(1, dtype=np.uint32) if value is not None else np.ones(1, dtype=np.uint32)
        return TextColumn(np.broadcast_to(only, (frame.height,)), [(value or "").strip()])
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    distinct = series.unique().drop_nulls()
    codes = series.cast(pl.Enum(distinct)).to_physical().fill_null(distinct.len())
    values = [v.strip() for v in distinct.to_list()]
    return TextColumn(codes.to_numpy(), values)


@attrs.frozen
class Named:
    """What the contract says about a set of rows (a block, or the rejected rows)."""

    kpi_code: Ints
    by_service: Ints
    """The service named (``ABSENT``/``UNKNOWN`` where none or not in the contract)."""
    provider_code: Ints
    has_service: NDArray[np.bool_]
    provider_count: Ints
    """How many of the named provider's services are held to the KPI (0 where a service is
    named)."""
    service_code: Ints
    series_code: Ints
    start: Ints
    months: Ints
    measure: Ints
    reported: Ints
    commences: Ints
    ends: Ints


class ContractLookup:
    """The contract's lookups, built once, applied to any set of rows."""

    def __init__(
        self,
        series: ContractSeries,
        kpis: TextColumn,
        services: TextColumn,
        providers: TextColumn,
        periods: PeriodColumn,
    ) -> None:
        self.series = series
        self.kpis, self.services, self.providers, self.periods = kpis, services, providers, periods
        contract = series.contract
        self.n_kpis = n_kpis = len(contract.kpis)
        self.n_services = len(contract.services)
        self.kpi_table = kpis.table({k.id: i for i, k in enumerate(contract.kpis)})
        self.service_table = services.table({s.id: i for i, s in enumerate(contract.services)})
        self.series_of = np.full((self.n_services + 1, n_kpis + 1), -1, dtype=np.int64)
        self.series_of[series.series_service, series.series_kpi] = np.arange(
            series.series_service.size
        )
        self._provider_tables(series, providers)
        self.measure_table = np.array(
            [*(MEASURES.index(k.measure.value) for k in contract.kpis), -1], dtype=np.int64
        )
        self.reported_table = np.array(
            [*(k.reported.months for k in contract.kpis), -1], dtype=np.int64
        )
        self.commences_table = np.array(
            [*(month_number(s.commences) for s in contract.services), 0], dtype=np.int64
        )
        self.ends_table = np.array(
            [*(month_number(s.ends) if s.ends else _NEVER for s in contract.services), _NEVER],
            dtype=np.int64,
        )

    def _provider_tables(self, series: ContractSeries, providers: TextColumn) -> None:
        """Per provider and KPI: how many of the provider's services are held to the KPI, and
        (where one is) which."""
        provider_ids = sorted({s.provider for s in series.contract.services})
        provider_index = {p: i for i, p in enumerate(provider_ids)}
        self.n_providers = len(provider_ids)
        self.provider_table = providers.table(provider_index)
        provider_of_service = np.array(
            [provider_index[s.provider] for s in series.contract.services], dtype=np.int64
        )
        shape = (len(provider_ids) + 1, self.n_kpis + 1)
        held = (provider_of_service[series.series_service], series.series_kpi)
        self.holders = np.zeros(shape, dtype=np.int64)
        np.add.at(self.holders, held, 1)
        self.holder = np.full(shape, -1, dtype=np.int64)
        self.holder[held] = series.series_service

    def rows(self, at: slice | NDArray[Any]) -> Named:
        """What the chosen rows name."""
        kpi_code = self.kpi_table[self.kpis.index[at]]
        by_service = self.service_table[self.services.index[at]]
        provider_code = self.provider_table[self.providers.index[at]]
        has_service = by_service != ABSENT
        safe_kpi = np.where(kpi_code >= 0, kpi_code, self.n_kpis)
        if has_service.all():
            # Every row names its service: the provider is not needed to find it.
            provider_count = np.zeros(kpi_code.shape, dtype=np.int64)
            service_code = by_service
        else:
            safe_provider = np.where(provider_code >= 0, provider_code, self.n_providers)
            provider_count = self.holders[safe_provider, safe_kpi]
            provider_count[has_service] = 0
            service_code = np.where(
                has_service,
                by_service,
                np.where(provider_count == 1, self.holder[safe_provider, safe_kpi], UNKNOWN),
            )
        safe_service = np.where(service_code >= 0, service_code, self.n_services)
        start, months = self.periods.at(at)
        return Named(
            kpi_code=kpi_code,
            by_service=by_service,
            provider_code=provider_code,
            has_service=has_service,
            provider_count=provider_count,
            service_code=service_code,
            series_code=self.series_of[safe_service, safe_kpi],
            start=start,
            months=months,
            measure=self.measure_table[safe_kpi],
            reported=self.reported_table[safe_kpi],
            commences=self.commences_table[safe_service],
            ends=self.ends_table[safe_service],
        )
