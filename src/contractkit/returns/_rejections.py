"""The rejected returns rows as a table: each row's number, its reason, a message naming the
values at fault, and its cells as the input gave them."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.table_files import ROW
from contractkit.returns._columns import Source
from contractkit.returns._contract_lookup import MEASURES, ContractLookup
from contractkit.returns._messages import messages
from contractkit.returns._numeric_fields import NumericFields, field_detail, value_messages
from contractkit.returns._reasons import REASONS

__all__ = ["rejected_rows"]


def rejected_rows(
    table: pl.DataFrame,
    input_columns: list[str],
    reason: NDArray[np.int8],
    lookup: ContractLookup,
    sources: Mapping[str, Source],
    numbers: NumericFields,
) -> pl.DataFrame:
    """The rejected rows, with their reasons, messages and original columns."""
    bad = reason > 0
    if not bad.any():
        return pl.DataFrame(
            schema={
                ROW: pl.Int64,
                "reason": pl.String,
                "message": pl.String,
                **dict.fromkeys(input_columns, pl.String),
            }
        )
    picked = np.flatnonzero(bad)
    detail = _detail(table, picked, reason, lookup).hstack(
        field_detail(table, picked, sources, numbers)
    )
    written = messages(detail, lookup.series.contract, value_messages(sources, numbers))
    originals = table.filter(pl.Series(bad)).select(ROW, *input_columns)
    return (
        originals.with_columns(pl.exclude(ROW).cast(pl.String))
        .join(detail.select(ROW, pl.col("_reason").alias("reason")), on=ROW)
        .join(written, on=ROW)
        .select(ROW, "reason", "message", *input_columns)
        .sort(ROW)
    )


def _detail(
    table: pl.DataFrame, picked: NDArray[np.intp], reason: NDArray[np.int8], lookup: ContractLookup
) -> pl.DataFrame:
    """What the messages say of the chosen rows: what each names and how it was read."""
    named = lookup.rows(picked)
    reported = {k.id: k.reported.months for k in lookup.series.contract.kpis}
    return pl.DataFrame(
        {
            ROW: table.get_column(ROW).to_numpy()[picked],
            "_reason": pl.Series([None, *REASONS]).gather(reason[picked].astype(np.int64)),
            "_kpi": lookup.kpis.text(picked),
            "_service": lookup.services.text(picked),
            "_provider": lookup.providers.text(picked),
            "_period_raw": lookup.periods.text(picked),
            "_start": np.where(named.start >= 0, named.start, 0),
            "_months": named.months,
            "_n_services": named.provider_count,
            "_series": named.series_code,
            "measure": [(MEASURES[m] if m >= 0 else None) for m in named.measure],
        },
        schema_overrides={
            "_kpi": pl.String,
            "_service": pl.String,
            "_provider": pl.String,
            "_period_raw": pl.String,
            "measure": pl.String,
        },
    ).with_columns(
        pl.Series(
            "reported_months",
            [reported.get(k) if k else None for k in lookup.kpis.text(picked)],
            dtype=pl.Int64,
        )
    )
