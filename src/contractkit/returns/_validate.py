"""Checking returns row by row, over whole columns: every row accepted, or rejected with a reason.

Nothing is lost and nothing is invented: a row either passes every check and is accepted, or
is rejected with the first reason it fails (a stable code, and a message naming the values).
Two rows for the same service, KPI and period are both rejected: neither is picked silently.
Rows a filter (``where``) leaves out, and returns for periods after the evaluation date, are
counted as excluded.

For speed at national scale, text fields are read once per distinct value (a service id appears
in many rows, a period in very many), and every check is a whole-column operation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.table_files import ROW, blank_rows, read_table
from contractkit._period_column import PeriodColumn, read_periods, unreadable_message
from contractkit._suggest import listed
from contractkit.errors import ReturnsError
from contractkit.evaluation._plan import Plan, month_index, period_text
from contractkit.model._base import did_you_mean
from contractkit.returns._columns import FIELDS, NUMERIC, Source, parse_condition, to_source
from contractkit.returns._numeric_fields import NEEDS as _NEEDS
from contractkit.returns._numeric_fields import (
    PROBLEM_REASONS,
    NumericFields,
    field_detail,
    read_numeric_fields,
    value_messages,
)
from contractkit.stats import blockwise

__all__ = ["REASONS", "Returns", "read_returns"]

REASONS: dict[str, str] = {
    "unknown_kpi": "the KPI is not in the contract",
    "no_service": "the row names neither a service nor a provider",
    "unknown_service": "the service is not in the contract",
    "unknown_provider": "the provider is not in the contract",
    "provider_without_kpi": "the provider has no service held to the KPI",
    "ambiguous_provider": "the provider has several services held to the KPI: name the service",
    "service_without_kpi": "the service is not held to the KPI",
    "unreadable_period": "the period is not a month, quarter or financial year",
    "wrong_period_kind": "the period is not of the kind the KPI is reported in",
    "outside_term": "the period is outside the contract's term",
    "before_commencement": "the period ends before the service commenced",
    "after_service_ended": "the period starts after the service ended",
    "not_a_number": "a numeric field holds something that is not a number (such as 74,5, with a "
    "decimal comma, or 3,3,3)",
    "not_finite": "a numeric field holds infinity or not-a-number (inf, nan), or a mapping's "
    "arithmetic works out as one",
    "too_large": "a number is larger in size than 10^15, the most contractkit reads",
    "missing_field": "a field the KPI's measure needs is empty or absent",
    "negative": "a count, total or standard deviation is negative",
    "not_whole": "a count of cases or events is not a whole number",
    "numerator_above_denominator": "the numerator of a proportion exceeds its denominator",
    "duplicate": "more than one row for the same service, KPI and period, and they differ (all "
    "are rejected: none is picked silently; a row repeated exactly is kept once)",
}
"""Why a returns row can be rejected: stable codes, each with a one-line description, in the
order the checks are made (a row is rejected for the first it fails)."""

_CODES = {name: i + 1 for i, name in enumerate(REASONS)}
_MEASURES = ("proportion", "rate", "mean", "count")
_WHOLE = {
    "proportion": ("numerator", "denominator"),
    "rate": ("numerator",),
    "mean": ("count",),
    "count": ("numerator",),
}
_NON_NEGATIVE = ("numerator", "denominator", "count", "sd")
_KIND_NAMES = {1: "a month", 3: "a quarter", 12: "a financial year"}
_FREQUENCY = {1: "monthly", 3: "quarterly", 12: "annually"}
_ABSENT = -1
"""The code of an empty text field."""
_AFTER_AS_OF = -1
"""The reason code of a row excluded because its period ends after the evaluation date."""
_IDENTICAL = -2
"""The reason code of a row excluded because it repeats another row exactly (kept once)."""
_NOT_DUE = ("outside_term", "before_commencement", "after_service_ended")
"""Reasons whose rows belong to no period that is due: they are never a period's return."""
_LISTED = 5
"""At most this many rows are named in a message about several rows."""
_UNKNOWN = -2
"""The code of a text field naming nothing in the contract."""

Ints = NDArray[np.int64]


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


@attrs.frozen
class _Text:
    """A text field: for each row, the index of its distinct value (``len(values)`` where
    empty)."""

    index: NDArray[np.integer[Any]]
    values: list[str]
    """The distinct values, trimmed."""

    def table(self, lookup: Mapping[str, int]) -> Ints:
        """Each distinct value's code from ``lookup`` (``_UNKNOWN`` if not there, ``_ABSENT``
        if empty), and ``_ABSENT`` last, for empty fields: index it with :attr:`index`."""
        return np.array(
            [lookup.get(v, _UNKNOWN) if v else _ABSENT for v in self.values] + [_ABSENT],
            dtype=np.int64,
        )

    def text(self, rows: NDArray[Any]) -> list[str | None]:
        """The trimmed text of the chosen rows (None where empty)."""
        values = [*self.values, None]
        return [values[i] or None for i in self.index[rows]]


def _text(frame: pl.DataFrame, source: Source | None) -> _Text:
    """Factorise a text field: one entry per distinct value, an index per row."""
    if source is None:
        return _Text(np.broadcast_to(np.ones(1, dtype=np.uint32), (frame.height,)), [""])
    series = frame.select(source.expression.alias("_")).to_series()
    if series.len() == 1 and frame.height != 1:
        # A constant (a quoted value in the mapping): one value for every row.
        value = series.cast(pl.String).item()
        only = np.zeros(1, dtype=np.uint32) if value is not None else np.ones(1, dtype=np.uint32)
        return _Text(np.broadcast_to(only, (frame.height,)), [(value or "").strip()])
    if series.dtype != pl.String:
        series = series.cast(pl.String)
    distinct = series.unique().drop_nulls()
    codes = series.cast(pl.Enum(distinct)).to_physical().fill_null(distinct.len())
    values = [v.strip() for v in distinct.to_list()]
    return _Text(codes.to_numpy(), values)


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


@attrs.frozen
class _Rows:
    """What the contract says about a set of rows (a block, or the rejected rows)."""

    kpi_code: Ints
    by_service: Ints
    """The service named (``_ABSENT``/``_UNKNOWN`` where none or not in the contract)."""
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


class _Resolver:
    """The contract's lookups, built once, applied to any set of rows."""

    def __init__(
        self, plan: Plan, kpis: _Text, services: _Text, providers: _Text, periods: PeriodColumn
    ) -> None:
        self.kpis, self.services, self.providers, self.periods = kpis, services, providers, periods
        service_ids = plan.services.get_column("service").to_list()
        provider_ids = sorted(set(plan.services.get_column("provider").to_list()))
        self.n_kpis = n_kpis = plan.kpis.height
        self.n_services, self.n_providers = len(service_ids), len(provider_ids)
        self.kpi_table = kpis.table({k: i for i, k in enumerate(plan.kpis.get_column("kpi"))})
        self.service_table = services.table({s: i for i, s in enumerate(service_ids)})
        self.provider_table = providers.table({p: i for i, p in enumerate(provider_ids)})
        self.series_service = series_service = plan.series_service
        self.series_kpi = series_kpi = plan.series_kpi
        self.series_of = np.full((len(service_ids) + 1, n_kpis + 1), -1, dtype=np.int64)
        self.series_of[series_service, series_kpi] = np.arange(series_service.size)
        provider_index = {p: i for i, p in enumerate(provider_ids)}
        provider_of_service = np.array(
            [provider_index[p] for p in plan.services.get_column("provider").to_list()],
            dtype=np.int64,
        )
        shape = (len(provider_ids) + 1, n_kpis + 1)
        self.holders = np.zeros(shape, dtype=np.int64)
        np.add.at(self.holders, (provider_of_service[series_service], series_kpi), 1)
        self.holder = np.full(shape, -1, dtype=np.int64)
        self.holder[provider_of_service[series_service], series_kpi] = series_service
        measures = plan.kpis.get_column("measure").to_list()
        self.measure_table = np.array(
            [*(_MEASURES.index(m) if m in _MEASURES else -1 for m in measures), -1],
            dtype=np.int64,
        )
        self.reported_table = np.array(
            [*plan.kpis.get_column("reported_months").to_list(), -1], dtype=np.int64
        )
        self.commences_table = np.array(
            [*plan.services.get_column("commences_month").to_list(), 0], dtype=np.int64
        )
        self.ends_table = np.array(
            [*(month_index(s.ends) if s.ends else 10**7 for s in plan.contract.services), 10**7],
            dtype=np.int64,
        )

    def rows(self, at: slice | NDArray[Any]) -> _Rows:
        kpi_code = self.kpi_table[self.kpis.index[at]]
        by_service = self.service_table[self.services.index[at]]
        provider_code = self.provider_table[self.providers.index[at]]
        has_service = by_service != _ABSENT
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
                np.where(provider_count == 1, self.holder[safe_provider, safe_kpi], _UNKNOWN),
            )
        safe_service = np.where(service_code >= 0, service_code, self.n_services)
        start, months = self.periods.at(at)
        return _Rows(
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


def _reasons(
    r: _Rows,
    numbers: NumericFields,
    plan: Plan,
    as_of: date | None,
) -> NDArray[np.int8]:
    """Each row's first failed check (0 where it passes them all, -1 where it is after the
    evaluation date), before duplicates are looked for."""
    n = r.kpi_code.shape[0]
    reason = np.zeros(n, dtype=np.int8)

    def fail(mask: NDArray[np.bool_], code: str) -> None:
        reason[(reason == 0) & mask] = _CODES[code]

    named_by_provider = ~r.has_service
    fail(r.kpi_code < 0, "unknown_kpi")
    fail(named_by_provider & (r.provider_code == _ABSENT), "no_service")
    fail(r.has_service & (r.by_service == _UNKNOWN), "unknown_service")
    fail(named_by_provider & (r.provider_code == _UNKNOWN), "unknown_provider")
    fail(named_by_provider & (r.provider_count == 0), "provider_without_kpi")
    fail(named_by_provider & (r.provider_count > 1), "ambiguous_provider")
    fail(r.series_code < 0, "service_without_kpi")
    start = r.start
    fail(start < 0, "unreadable_period")
    fail(r.months != r.reported, "wrong_period_kind")
    last = start + r.months - 1
    fail((last < plan.term_start_month) | (start > plan.term_end_month), "outside_term")
    fail(last < r.commences, "before_commencement")
    fail(start > r.ends, "after_service_ended")
    # Returns for periods after the evaluation date are not wrong, just not yet wanted: they
    # are excluded (and counted), like rows a filter leaves out.
    if as_of is not None:
        reason[(reason == 0) & (start > month_index(as_of))] = _AFTER_AS_OF
    values = numbers.values
    if numbers.problems:
        for problem, code in PROBLEM_REASONS.items():
            fail(np.logical_or.reduce([p == problem for p in numbers.problems.values()]), code)
    measure = r.measure
    missing = np.zeros(n, dtype=bool)
    for kind, fields in _NEEDS.items():
        is_kind = measure == _MEASURES.index(kind)
        for field in fields:
            missing |= is_kind & (np.isnan(values[field]) if field in values else True)
    if "count" in values:
        is_mean = measure == _MEASURES.index("mean")
        sd_missing = np.isnan(values["sd"]) if "sd" in values else True
        missing |= is_mean & (values["count"] >= 2) & sd_missing
    fail(missing, "missing_field")
    with np.errstate(invalid="ignore"):
        negatives = [values[f] < 0 for f in _NON_NEGATIVE if f in values]
        if negatives:
            fail(np.logical_or.reduce(negatives), "negative")
        whole = np.zeros(n, dtype=bool)
        for kind, fields in _WHOLE.items():
            is_kind = measure == _MEASURES.index(kind)
            for field in fields:
                if field in values:
                    column = values[field]
                    whole |= is_kind & (column != np.floor(column)) & ~np.isnan(column)
        fail(whole, "not_whole")
        if "numerator" in values and "denominator" in values:
            fail(
                (measure == _MEASURES.index("proportion"))
                & (values["numerator"] > values["denominator"]),
                "numerator_above_denominator",
            )
    return reason


def read_returns(
    source: Any,
    plan: Plan,
    *,
    columns: Mapping[str, str] | None = None,
    where: str | None = None,
    as_of: date | None = None,
    sheet: str | None = None,
) -> Returns:
    """Read returns and check every row against the contract's plan."""
    table, name = read_table(source, sheet=sheet)
    input_columns = [c for c in table.columns if c != ROW]
    sources = _resolve_sources(input_columns, columns or {})
    _missing_columns(sources, input_columns)
    total = table.height
    blank = blank_rows(table)
    blanks = int(blank.sum())
    if blanks:  # a row with nothing in it (a spreadsheet's empty line) is no return
        table = table.filter(pl.Series(~blank))
    excluded = 0
    if where:
        keep = table.select(parse_condition(where, input_columns)).to_series()
        excluded = int((~keep).sum())
        table = table.filter(keep)
    n = table.height

    kpis = _text(table, sources.get("kpi"))
    services = _text(table, sources.get("service"))
    providers = _text(table, sources.get("provider"))
    periods = _periods(table, sources["period"])
    numbers = read_numeric_fields(table, sources)
    values = numbers.values
    resolver = _Resolver(plan, kpis, services, providers, periods)

    reason = np.zeros(n, dtype=np.int8)
    series_code = np.zeros(n, dtype=np.int64)
    start = np.zeros(n, dtype=np.int64)
    months = np.zeros(n, dtype=np.int8)
    for block in blockwise.slices(n):
        r = resolver.rows(block)
        reason[block] = _reasons(r, numbers.at(block), plan, as_of)
        series_code[block] = r.series_code
        start[block] = r.start
        months[block] = r.months

    _duplicates(table, input_columns, reason, series_code, start, plan)

    rows = table.get_column(ROW).to_numpy()
    ok = reason == 0
    everything = bool(ok.all())

    def kept(array: NDArray[Any]) -> NDArray[Any]:
        return array if everything else array[ok]

    accepted = {
        ROW: kept(rows),
        "series_code": kept(series_code),
        "start": kept(start),
        "months": kept(months),
        **{field: kept(values[field]) for field in sorted(values)},
    }
    rejected = _rejected(table, input_columns, plan, reason, resolver, sources, numbers)
    return Returns(
        series_service=resolver.series_service,
        series_kpi=resolver.series_kpi,
        columns=accepted,
        rejected=rejected,
        total=total,
        excluded=blanks + excluded + int((reason < 0).sum()),
        source=name,
        excluded_by_reason={
            k: v
            for k, v in (
                ("blank", blanks),
                ("filter", excluded),
                ("after_as_of", int((reason == _AFTER_AS_OF).sum())),
                ("duplicate_identical", int((reason == _IDENTICAL).sum())),
            )
            if v
        },
        attributable=_attributable(rows, reason, series_code, start, months),
    )


def _duplicates(
    table: pl.DataFrame,
    input_columns: list[str],
    reason: NDArray[np.int8],
    series_code: Ints,
    start: Ints,
    plan: Plan,
) -> None:
    """Two or more rows for one series and period, among rows that pass everything else: a row
    that repeats an earlier one exactly (every cell the same) is excluded as an identical copy,
    kept once; rows that still clash differ, and all of them are rejected (none is picked)."""
    passing = reason == 0
    everything_clean = bool(passing.all())
    clean = np.arange(reason.size) if everything_clean else np.flatnonzero(passing)
    key = (series_code if everything_clean else series_code[clean]) * 100_000 + (
        (start if everything_clean else start[clean]) - plan.term_start_month + 50_000
    )
    if key.size > 1 and bool(np.all(key[1:] > key[:-1])):
        return  # strictly increasing already: no two rows can clash
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = np.zeros(ordered.size, dtype=bool)
    if ordered.size > 1:
        equal = ordered[1:] == ordered[:-1]
        same[1:] |= equal
        same[:-1] |= equal
    if not same.any():
        return
    clashing = np.sort(clean[order[same]])  # in input order, so the first copy is kept
    clash_keys = key[np.searchsorted(clean, clashing)]
    cells = table[clashing].select(
        pl.Series("\0key", clash_keys), *(pl.col(c).cast(pl.String) for c in input_columns)
    )
    # Each row's first identical row (every cell the same, nulls equal), by position.
    first = (
        cells.with_columns(pl.Series("\0at", np.arange(clashing.size)))
        .select(pl.col("\0at").min().over(cells.columns))
        .to_series()
        .to_numpy()
    )
    copies = first != np.arange(clashing.size)
    reason[clashing[copies]] = _IDENTICAL
    kept = ~copies
    distinct_keys = clash_keys[kept]
    values, counts = np.unique(distinct_keys, return_counts=True)
    still = np.isin(distinct_keys, values[counts > 1])
    reason[clashing[kept][still]] = _CODES["duplicate"]


def _attributable(
    rows: NDArray[Any],
    reason: NDArray[np.int8],
    series_code: Ints,
    start: Ints,
    months: NDArray[Any],
) -> dict[str, NDArray[Any]]:
    """The rejected rows meant as a known series' return for a period that can be due."""
    rejected = np.flatnonzero(reason > 0)
    codes = reason[rejected]
    not_due = np.isin(codes, [_CODES[c] for c in _NOT_DUE])
    picked = rejected[(series_code[rejected] >= 0) & (start[rejected] >= 0) & ~not_due]
    return {
        ROW: rows[picked],
        "series_code": series_code[picked],
        "start": start[picked],
        "months": np.asarray(months[picked], dtype=np.int64),
    }


def _rejected(
    table: pl.DataFrame,
    input_columns: list[str],
    plan: Plan,
    reason: NDArray[np.int8],
    resolver: _Resolver,
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
    r = resolver.rows(picked)
    detail = pl.DataFrame(
        {
            ROW: table.get_column(ROW).to_numpy()[picked],
            "_reason": pl.Series([None, *REASONS]).gather(reason[picked].astype(np.int64)),
            "_kpi": resolver.kpis.text(picked),
            "_service": resolver.services.text(picked),
            "_provider": resolver.providers.text(picked),
            "_period_raw": resolver.periods.text(picked),
            "_start": np.where(r.start >= 0, r.start, 0),
            "_months": r.months,
            "_n_services": r.provider_count,
            "_series": r.series_code,
            "measure": [(_MEASURES[m] if m >= 0 else None) for m in r.measure],
        },
        schema_overrides={
            "_kpi": pl.String,
            "_service": pl.String,
            "_provider": pl.String,
            "_period_raw": pl.String,
            "measure": pl.String,
        },
    )
    reported = _reported_months(plan, resolver.kpis, picked)
    detail = detail.with_columns(pl.Series("reported_months", reported, dtype=pl.Int64)).hstack(
        field_detail(table, picked, sources, numbers)
    )
    messages = _messages(detail, plan, value_messages(sources, numbers))
    originals = table.filter(pl.Series(bad)).select(ROW, *input_columns)
    return (
        originals.with_columns(pl.exclude(ROW).cast(pl.String))
        .join(detail.select(ROW, pl.col("_reason").alias("reason")), on=ROW)
        .join(messages, on=ROW)
        .select(ROW, "reason", "message", *input_columns)
        .sort(ROW)
    )


def _reported_months(plan: Plan, kpis: _Text, rows: NDArray[Any]) -> list[int | None]:
    codes = dict(
        zip(
            plan.kpis.get_column("kpi").to_list(),
            plan.kpis.get_column("reported_months").to_list(),
            strict=True,
        )
    )
    return [codes.get(k) if k else None for k in kpis.text(rows)]


_SUGGESTED = 200
"""At most this many distinct unknown values get a "did you mean"."""


def _candidates(value: str, known: list[str]) -> list[str]:
    """The known ids worth comparing with a misspelt one: all of them when there are few, else
    those of about the same length (a close match never differs much in length)."""
    if len(known) <= 2000:
        return known
    return [k for k in known if abs(len(k) - len(value)) <= 2]


def _messages(rows: pl.DataFrame, plan: Plan, value_checks: Mapping[str, pl.Expr]) -> pl.DataFrame:
    """A message for each rejected row, naming the values at fault (``value_checks``: the
    message of each check of the numbers)."""
    kpi_ids = plan.kpis.get_column("kpi").to_list()
    service_ids = plan.services.get_column("service").to_list()
    providers = plan.services.get_column("provider").unique().to_list()

    def suggest(column: str, reason: str, known: list[str]) -> dict[str, str]:
        """A "did you mean" for each distinct unknown value (only unknown ones, and at most
        a few hundred: the rest are named without a suggestion)."""
        unknown = rows.filter(pl.col("_reason") == reason).get_column(column)
        values = unknown.drop_nulls().unique().head(_SUGGESTED).to_list()
        return {v: did_you_mean(v, _candidates(v, known)) for v in values}

    written = rows.filter(pl.col("_reason") == "unreadable_period").get_column("_period_raw")
    unreadable = {v: unreadable_message(v) for v in written.fill_null("").unique().to_list()}
    kpi_hint = suggest("_kpi", "unknown_kpi", kpi_ids)
    service_hint = suggest("_service", "unknown_service", service_ids)
    provider_hint = suggest("_provider", "unknown_provider", providers)
    kpi = pl.col("_kpi")
    service_or_provider = pl.coalesce(pl.col("_service"), pl.col("_provider"))
    kind = pl.col("_months").replace_strict(_KIND_NAMES, default="a period", return_dtype=pl.String)
    reported = pl.col("reported_months").replace_strict(
        _FREQUENCY, default="?", return_dtype=pl.String
    )
    period = (
        pl.when(pl.col("_months") > 0)
        .then(period_text(pl.col("_start"), pl.col("_months")))
        .otherwise(pl.col("_period_raw"))
    )
    # Each group of clashing rows named once, by its first few rows (a message that listed
    # every other row of a large group would grow with the square of its size).
    duplicates = (
        rows.filter(pl.col("_reason") == "duplicate")
        .group_by("_series", "_start")
        .agg(
            pl.col(ROW).sort().head(_LISTED).cast(pl.String).str.join(", ").alias("_first"),
            pl.len().alias("_many"),
        )
        .select(
            "_series",
            "_start",
            pl.when(pl.col("_many") > _LISTED)
            .then(pl.format("{} and {} more", pl.col("_first"), pl.col("_many") - _LISTED))
            .otherwise(pl.col("_first"))
            .alias("_rows"),
        )
    )
    rows = rows.join(duplicates, on=["_series", "_start"], how="left")
    dupes = pl.col("_rows")
    reason = pl.col("_reason")
    message = (
        pl.when(reason == "unknown_kpi")
        .then(
            pl.when(kpi.is_null())
            .then(pl.lit("no KPI given"))
            .otherwise(
                pl.format("unknown KPI '{}'{}", kpi, kpi.replace_strict(kpi_hint, default=""))
            )
        )
        .when(reason == "unknown_service")
        .then(
            pl.format(
                "unknown service '{}'{}",
                pl.col("_service"),
                pl.col("_service").replace_strict(service_hint, default=""),
            )
        )
        .when(reason == "unknown_provider")
        .then(
            pl.format(
                "unknown provider '{}'{}",
                pl.col("_provider"),
                pl.col("_provider").replace_strict(provider_hint, default=""),
            )
        )
        .when(reason == "no_service")
        .then(pl.lit("no service or provider given"))
        .when(reason == "provider_without_kpi")
        .then(pl.format("provider '{}' has no service held to KPI '{}'", pl.col("_provider"), kpi))
        .when(reason == "ambiguous_provider")
        .then(
            pl.format(
                "provider '{}' has {} services held to KPI '{}': give the service",
                pl.col("_provider"),
                pl.col("_n_services"),
                kpi,
            )
        )
        .when(reason == "service_without_kpi")
        .then(pl.format("service '{}' is not held to KPI '{}'", service_or_provider, kpi))
        .when(reason == "unreadable_period")
        .then(pl.col("_period_raw").fill_null("").replace_strict(unreadable, default=None))
        .when(reason == "wrong_period_kind")
        .then(pl.format("{} is {}, but KPI '{}' is reported {}", period, kind, kpi, reported))
        .when(reason == "outside_term")
        .then(pl.format("{} is outside the contract's term", period))
        .when(reason == "before_commencement")
        .then(pl.format("{} ends before the service commenced", period))
        .when(reason == "after_service_ended")
        .then(pl.format("{} starts after the service ended", period))
        .when(reason == "not_a_number")
        .then(value_checks["not_a_number"])
        .when(reason == "not_finite")
        .then(value_checks["not_finite"])
        .when(reason == "too_large")
        .then(value_checks["too_large"])
        .when(reason == "missing_field")
        .then(value_checks["missing_field"])
        .when(reason == "negative")
        .then(value_checks["negative"])
        .when(reason == "not_whole")
        .then(value_checks["not_whole"])
        .when(reason == "numerator_above_denominator")
        .then(value_checks["numerator_above_denominator"])
        .when(reason == "duplicate")
        .then(
            pl.format(
                "several rows for {} / {} / {} (rows {}): none is used",
                service_or_provider,
                kpi,
                period,
                dupes,
            )
        )
        .otherwise(reason)
    )
    return rows.select(pl.col(ROW), message.alias("message"))
