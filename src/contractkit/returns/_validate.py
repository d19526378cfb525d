"""Reading returns and checking them row by row against a contract, over whole columns: every
row accepted, or rejected with a reason.

Nothing is lost and nothing is invented: a row either passes every check and is accepted, or
is rejected with the first reason it fails (a stable code, and a message naming the values; see
:mod:`._reasons`). Two rows for the same service, KPI and period are both rejected: neither is
picked silently (:mod:`._duplicates`). Rows a filter (``where``) leaves out, and returns for
periods after the evaluation date, are counted as excluded.

For speed at national scale, text fields are read once per distinct value (a service id appears
in many rows, a period in very many), and every check is a whole-column operation.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.arrays import Ints
from contractkit._kernel.period_column import PeriodColumn, read_periods
from contractkit._kernel.suggest import did_you_mean, listed
from contractkit._kernel.table_files import ROW, blank_rows, read_table
from contractkit.errors import ArgumentError, ReturnsError
from contractkit.model import Contract
from contractkit.returns._columns import FIELDS, NUMERIC, Source, parse_condition, to_source
from contractkit.returns._contract_lookup import ContractLookup, text_column
from contractkit.returns._contract_series import ContractSeries, HasContract, contract_series
from contractkit.returns._duplicates import mark_duplicates
from contractkit.returns._numeric_fields import NumericFields, read_numeric_fields
from contractkit.returns._reasons import AFTER_AS_OF, CODES, IDENTICAL, NOT_DUE, row_reasons
from contractkit.returns._rejections import rejected_rows
from contractkit.returns._returns import Returns
from contractkit.stats import blockwise

__all__ = ["read_returns"]


def read_returns(
    source: Any,
    contract: Contract | ContractSeries | HasContract | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    where: str | None = None,
    as_of: date | None = None,
    sheet: str | None = None,
    plan: Contract | ContractSeries | HasContract | None = None,
) -> Returns:
    """Read returns and check every row against ``contract``: a :class:`~contractkit.Contract`,
    or its series as numbered once (:class:`ContractSeries`); an evaluator's plan of one, as
    earlier releases took, is read as its contract. (``plan=`` is the old name of
    ``contract=``, kept for this release with a deprecation warning.)"""
    if plan is not None:
        if contract is not None:
            raise ArgumentError("give the contract once: contract= (plan= is its old name)")
        warnings.warn(
            "read_returns(plan=...) is now read_returns(contract=...)",
            DeprecationWarning,
            stacklevel=2,
        )
        contract = plan
    if contract is None:
        raise ArgumentError("read_returns needs the contract the returns are for")
    series = contract_series(contract)
    table, name = read_table(source, sheet=sheet)
    input_columns = [c for c in table.columns if c != ROW]
    sources = _resolve_sources(input_columns, columns or {})
    _missing_columns(sources, input_columns)
    total = table.height
    table, excluded = _left_out(table, input_columns, where)
    lookup = ContractLookup(
        series,
        text_column(table, sources.get("kpi")),
        text_column(table, sources.get("service")),
        text_column(table, sources.get("provider")),
        _periods(table, sources["period"]),
    )
    numbers = read_numeric_fields(table, sources)
    checked = _Checked.of(lookup, numbers, as_of, table.height)
    mark_duplicates(
        table, input_columns, checked.reason, checked.series_code, checked.start, series.first_month
    )
    reason = checked.reason
    rows = table.get_column(ROW).to_numpy()
    return Returns(
        series_service=series.series_service,
        series_kpi=series.series_kpi,
        columns=checked.accepted(rows, numbers),
        rejected=rejected_rows(table, input_columns, reason, lookup, sources, numbers),
        total=total,
        excluded=sum(excluded.values()) + int((reason < 0).sum()),
        source=name,
        excluded_by_reason={
            k: v
            for k, v in (
                *excluded.items(),
                ("after_as_of", int((reason == AFTER_AS_OF).sum())),
                ("duplicate_identical", int((reason == IDENTICAL).sum())),
            )
            if v
        },
        attributable=checked.attributable(rows),
    )


def _left_out(
    table: pl.DataFrame, input_columns: list[str], where: str | None
) -> tuple[pl.DataFrame, dict[str, int]]:
    """The rows that are returns, and how many were left out: blank rows (a spreadsheet's empty
    line is no return), and those the filter ``where`` leaves out."""
    blank = blank_rows(table)
    blanks = int(blank.sum())
    if blanks:
        table = table.filter(pl.Series(~blank))
    filtered = 0
    if where:
        keep = table.select(parse_condition(where, input_columns)).to_series()
        filtered = int((~keep).sum())
        table = table.filter(keep)
    return table, {"blank": blanks, "filter": filtered}


@attrs.frozen
class _Checked:
    """Every row checked: its reason (0 where it passes every check), series and period."""

    reason: NDArray[np.int8]
    series_code: Ints
    start: Ints
    months: NDArray[np.int8]

    @classmethod
    def of(
        cls, lookup: ContractLookup, numbers: NumericFields, as_of: date | None, n: int
    ) -> _Checked:
        """Check the ``n`` rows a block at a time (small working arrays)."""
        checked = cls(
            reason=np.zeros(n, dtype=np.int8),
            series_code=np.zeros(n, dtype=np.int64),
            start=np.zeros(n, dtype=np.int64),
            months=np.zeros(n, dtype=np.int8),
        )
        for block in blockwise.slices(n):
            named = lookup.rows(block)
            checked.reason[block] = row_reasons(named, numbers.at(block), lookup.series, as_of)
            checked.series_code[block] = named.series_code
            checked.start[block] = named.start
            checked.months[block] = named.months
        return checked

    def accepted(self, rows: NDArray[Any], numbers: NumericFields) -> dict[str, NDArray[Any]]:
        """The accepted rows' columns (see :attr:`Returns.columns`)."""
        ok = self.reason == 0
        everything = bool(ok.all())

        def kept(array: NDArray[Any]) -> NDArray[Any]:
            return array if everything else array[ok]

        values = numbers.values
        return {
            ROW: kept(rows),
            "series_code": kept(self.series_code),
            "start": kept(self.start),
            "months": kept(self.months),
            **{field: kept(values[field]) for field in sorted(values)},
        }

    def attributable(self, rows: NDArray[Any]) -> dict[str, NDArray[Any]]:
        """The rejected rows meant as a known series' return for a period that can be due."""
        rejected = np.flatnonzero(self.reason > 0)
        codes = self.reason[rejected]
        not_due = np.isin(codes, [CODES[c] for c in NOT_DUE])
        series_code, start = self.series_code, self.start
        picked = rejected[(series_code[rejected] >= 0) & (start[rejected] >= 0) & ~not_due]
        return {
            ROW: rows[picked],
            "series_code": series_code[picked],
            "start": start[picked],
            "months": np.asarray(self.months[picked], dtype=np.int64),
        }


def _resolve_sources(columns: Sequence[str], mapping: Mapping[str, str]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for field in FIELDS:
        if field in mapping:
            sources[field] = source = to_source(mapping[field], columns)
            if source.arithmetic and field not in NUMERIC:
                raise ReturnsError(
                    f"{field} = {source.text}: arithmetic (+ - * /) works out a number, for "
                    f"{', '.join(f for f in FIELDS if f in NUMERIC)}; {field} takes a column "
                    "or a quoted constant"
                )
        elif field in columns:
            sources[field] = Source(pl.col(field), (field,), text=field)
    return sources


def _missing_columns(sources: Mapping[str, Source], columns: Sequence[str]) -> None:
    needed = [f for f in ("kpi", "period") if f not in sources]
    if "service" not in sources and "provider" not in sources:
        needed.append("service (or provider)")
    if needed:
        hints = "".join(
            did_you_mean(n.split()[0], columns).replace("; did you mean", f"; for {n}, is it")
            for n in needed
        )
        names = ", ".join(repr(n) for n in needed)
        plural = "s" if len(needed) > 1 else ""
        raise ReturnsError(
            f"the returns have no {names} column{plural}{hints} (the columns are: "
            f"{listed(columns)}); map a column with --map COLUMN=FIELD, or give a constant "
            "such as --map \"'ucr-2h'=kpi\""
        )


def _periods(frame: pl.DataFrame, source: Source) -> PeriodColumn:
    """Each row's period as (first month index, length in months; -1 where unreadable), read
    from a column of text, dates or spreadsheet date numbers, and the period as written (for
    messages)."""
    series = frame.select(source.expression.alias("_")).to_series()
    if series.len() == 1 and frame.height != 1:
        return read_periods(series).repeated(frame.height)
    return read_periods(series)
