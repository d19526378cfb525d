"""Returns checked against a contract: the accepted rows as columns, the rejected rows with their
reasons, and the account that shows every input row."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints
from contractkit._kernel.table_files import ROW
from contractkit.returns._columns import NUMERIC

__all__ = ["Returns"]


@attrs.frozen
class Returns:
    """Returns checked against a contract: the accepted rows, the rejected ones with their
    reasons, and the account that shows every input row."""

    columns: dict[str, NDArray[Any]] = attrs.field(repr=False)
    """The accepted rows as arrays: row, series_code, start (month index), months, and the
    numeric fields the returns have (NaN where empty)."""
    rejected: pl.DataFrame
    """row, reason (a code from :data:`REASONS`), message, and the row's input columns."""
    total: int
    """Rows read from the source."""
    excluded: int
    """Rows left out, not rejected: blank rows, a filter's, and returns for periods after the
    evaluation date."""
    source: str
    excluded_by_reason: dict[str, int] = attrs.field(factory=dict)
    """How many rows were excluded, and why: ``blank`` (every cell empty), ``filter`` or
    ``after_as_of``."""
    series_service: Ints = attrs.field(repr=False, kw_only=True)
    """Per series code: its service's code."""
    series_kpi: Ints = attrs.field(repr=False, kw_only=True)
    """Per series code: its KPI's code."""
    attributable: dict[str, NDArray[Any]] = attrs.field(repr=False, kw_only=True, factory=dict)
    """The rejected rows that were meant as a return for a known service, KPI and period (a
    period whose return was sent but could not be used): row, series_code, start (month index),
    months. Rows naming nothing in the contract, or a period that is not due, are not here."""
    _cache: dict[str, pl.DataFrame] = attrs.field(factory=dict, repr=False, eq=False)

    @property
    def size(self) -> int:
        """How many rows were accepted."""
        return int(self.columns[ROW].shape[0])

    @property
    def accepted(self) -> pl.DataFrame:
        """The accepted rows: row, series_code, service_code, kpi_code, start (month index),
        months, numerator, denominator, value, count, sd (null where empty). Built on first
        use: the evaluator works on :attr:`columns`."""
        if "accepted" not in self._cache:
            series = self.columns["series_code"]
            self._cache["accepted"] = pl.DataFrame(
                {
                    ROW: self.columns[ROW],
                    "series_code": series.astype(np.uint32),
                    "service_code": self.series_service[series].astype(np.uint32),
                    "kpi_code": self.series_kpi[series].astype(np.uint32),
                    "start": self.columns["start"],
                    "months": self.columns["months"].astype(np.int64),
                    **{
                        field: self.columns.get(field, np.full(self.size, np.nan))
                        for field in sorted(NUMERIC)
                    },
                }
            ).with_columns(pl.col(f).fill_nan(None) for f in sorted(NUMERIC))
        return self._cache["accepted"]

    @property
    def account(self) -> dict[str, Any]:
        """Every row accounted for: read = accepted + rejected + excluded (by the filter, or
        after the evaluation date), and why rejected."""
        reasons = (
            self.rejected.group_by("reason").len().sort("reason").rows()
            if self.rejected.height
            else []
        )
        return {
            "source": self.source,
            "read": self.total,
            "accepted": self.size,
            "rejected": self.rejected.height,
            "excluded": self.excluded,
            "excluded_by_reason": dict(self.excluded_by_reason),
            "rejected_by_reason": dict(reasons),
        }
