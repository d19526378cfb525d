"""The contract as returns are checked against it: each KPI a service is held to (a *series*),
numbered in the contract's order (the ``series_code`` of :attr:`Returns.columns`).

Services are numbered by their place in the contract's ``services``, KPIs by theirs in
``kpis``, and series service by service, each service's KPIs in the order it lists them. The
evaluator numbers its series from here too, so that the series of an accepted return is the
evaluator's series.
"""

from __future__ import annotations

from typing import Protocol

import attrs
import numpy as np

from contractkit._kernel.arrays import Ints
from contractkit._kernel.months import month_number
from contractkit.errors import ArgumentError
from contractkit.model import Contract, Measure

__all__ = ["MEASURES", "ContractSeries", "HasContract", "contract_series"]

MEASURES = tuple(measure.value for measure in Measure)
"""Measure codes: a measure's index here, in the order of :class:`~contractkit.model.Measure`
(the evaluator codes measures the same way)."""


class HasContract(Protocol):
    """Anything that carries a contract (the evaluator's plan of one, as earlier releases gave
    :func:`~contractkit.returns.read_returns`)."""

    @property
    def contract(self) -> Contract: ...


@attrs.frozen
class ContractSeries:
    """A contract's series, numbered: per series, its service's number and its KPI's.

    A series' number is the ``series_code`` of :attr:`Returns.columns`; the evaluator numbers
    its series from here too. :func:`~contractkit.returns.read_returns` takes one in place of
    its contract, to number the series once."""

    contract: Contract
    series_service: Ints = attrs.field(repr=False)
    """Per series: its service's place in the contract's services."""
    series_kpi: Ints = attrs.field(repr=False)
    """Per series: its KPI's place in the contract's KPIs."""

    @classmethod
    def of(cls, contract: Contract) -> ContractSeries:
        """Number a contract's series."""
        kpi_codes = {k.id: i for i, k in enumerate(contract.kpis)}
        service_codes: list[int] = []
        kpi_of_series: list[int] = []
        for code, service in enumerate(contract.services):
            for kpi in service.kpis:
                service_codes.append(code)
                kpi_of_series.append(kpi_codes[kpi])
        return cls(
            contract=contract,
            series_service=np.asarray(service_codes, dtype=np.int64),
            series_kpi=np.asarray(kpi_of_series, dtype=np.int64),
        )

    @property
    def first_month(self) -> int:
        """The month number of the term's first month."""
        return month_number(self.contract.term.start)

    @property
    def last_month(self) -> int:
        """The month number of the term's last month."""
        return month_number(self.contract.term.end)


def contract_series(given: Contract | ContractSeries | HasContract) -> ContractSeries:
    """The series of a contract, or of the contract something carries."""
    if isinstance(given, ContractSeries):
        return given
    if isinstance(given, Contract):
        return ContractSeries.of(given)
    carried = getattr(given, "contract", None)
    if isinstance(carried, Contract):
        return ContractSeries.of(carried)
    raise ArgumentError(
        "returns are checked against a contract (a Contract, as contractkit.load gives it); "
        f"got {type(given).__name__}"
    )
