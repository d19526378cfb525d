"""Why a returns row is rejected: the stable reason codes, and the checks that give each row the
first it fails, over whole columns (a block of rows at a time).

The checks run in the order of :data:`REASONS`: what the row names (its KPI, service or
provider, and so its series), its period (readable, of the KPI's kind, due in the term and the
service's life), then its numbers. A row for a period after the evaluation date is not wrong,
just not yet wanted: it is excluded (and counted), like a row a filter leaves out.
"""

from __future__ import annotations

from datetime import date

import attrs
import numpy as np
from numpy.typing import NDArray

from contractkit._kernel.months import month_number
from contractkit.returns._contract_lookup import ABSENT, MEASURES, UNKNOWN, Named
from contractkit.returns._contract_series import ContractSeries
from contractkit.returns._numeric_fields import NEEDS, PROBLEM_REASONS, NumericFields

__all__ = ["AFTER_AS_OF", "CODES", "IDENTICAL", "NOT_DUE", "REASONS", "row_reasons"]

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

CODES = {name: i + 1 for i, name in enumerate(REASONS)}
"""Each reason's code in the arrays (0: accepted)."""
AFTER_AS_OF = -1
"""The reason code of a row excluded because its period ends after the evaluation date."""
IDENTICAL = -2
"""The reason code of a row excluded because it repeats another row exactly (kept once)."""
NOT_DUE = ("outside_term", "before_commencement", "after_service_ended")
"""Reasons whose rows belong to no period that is due: they are never a period's return."""

_WHOLE = {
    "proportion": ("numerator", "denominator"),
    "rate": ("numerator",),
    "mean": ("count",),
    "count": ("numerator",),
}
"""The fields of each measure that count cases or events, so are whole numbers."""
_NON_NEGATIVE = ("numerator", "denominator", "count", "sd")

Bools = NDArray[np.bool_]


@attrs.frozen
class _FirstFailure:
    """Each row's reason: the first check it fails (0 while it passes them all)."""

    reason: NDArray[np.int8]

    def fail(self, mask: Bools, code: str) -> None:
        """Rows failing a check, not yet failed by an earlier one, fail it."""
        self.reason[(self.reason == 0) & mask] = CODES[code]


def row_reasons(
    named: Named, numbers: NumericFields, series: ContractSeries, as_of: date | None
) -> NDArray[np.int8]:
    """Each row's first failed check (0 where it passes them all, ``AFTER_AS_OF`` where it is
    after the evaluation date), before duplicates are looked for."""
    first = _FirstFailure(np.zeros(named.kpi_code.shape[0], dtype=np.int8))
    _check_names(first, named)
    _check_period(first, named, series)
    if as_of is not None:
        reason = first.reason
        reason[(reason == 0) & (named.start > month_number(as_of))] = AFTER_AS_OF
    _check_numbers(first, named.measure, numbers)
    return first.reason


def _check_names(first: _FirstFailure, named: Named) -> None:
    """The row names a KPI and a service (or a provider with one service) held to it."""
    by_provider = ~named.has_service
    first.fail(named.kpi_code < 0, "unknown_kpi")
    first.fail(by_provider & (named.provider_code == ABSENT), "no_service")
    first.fail(named.has_service & (named.by_service == UNKNOWN), "unknown_service")
    first.fail(by_provider & (named.provider_code == UNKNOWN), "unknown_provider")
    first.fail(by_provider & (named.provider_count == 0), "provider_without_kpi")
    first.fail(by_provider & (named.provider_count > 1), "ambiguous_provider")
    first.fail(named.series_code < 0, "service_without_kpi")


def _check_period(first: _FirstFailure, named: Named, series: ContractSeries) -> None:
    """The row's period reads, is of the kind the KPI is reported in, and lies in the term and
    the service's life."""
    start = named.start
    first.fail(start < 0, "unreadable_period")
    first.fail(named.months != named.reported, "wrong_period_kind")
    last = start + named.months - 1
    first.fail((last < series.first_month) | (start > series.last_month), "outside_term")
    first.fail(last < named.commences, "before_commencement")
    first.fail(start > named.ends, "after_service_ended")


def _check_numbers(
    first: _FirstFailure, measure: NDArray[np.int64], numbers: NumericFields
) -> None:
    """The row's numbers read, are there where its measure needs them, and are what they
    count: not negative, whole where they count, a proportion's numerator within its
    denominator."""
    values = numbers.values
    if numbers.problems:
        for problem, code in PROBLEM_REASONS.items():
            first.fail(
                np.logical_or.reduce([p == problem for p in numbers.problems.values()]), code
            )
    first.fail(_missing(measure, values), "missing_field")
    with np.errstate(invalid="ignore"):
        negatives = [values[f] < 0 for f in _NON_NEGATIVE if f in values]
        if negatives:
            first.fail(np.logical_or.reduce(negatives), "negative")
        first.fail(_not_whole(measure, values), "not_whole")
        if "numerator" in values and "denominator" in values:
            first.fail(
                (measure == MEASURES.index("proportion"))
                & (values["numerator"] > values["denominator"]),
                "numerator_above_denominator",
            )


def _missing(measure: NDArray[np.int64], values: dict[str, NDArray[np.float64]]) -> Bools:
    """Rows without a field their measure needs (a mean of two or more cases, its sd too)."""
    missing = np.zeros(measure.shape[0], dtype=bool)
    for kind, fields in NEEDS.items():
        is_kind = measure == MEASURES.index(kind)
        for field in fields:
            missing |= is_kind & (np.isnan(values[field]) if field in values else True)
    if "count" in values:
        is_mean = measure == MEASURES.index("mean")
        sd_missing = np.isnan(values["sd"]) if "sd" in values else True
        missing |= is_mean & (values["count"] >= 2) & sd_missing
    return missing


def _not_whole(measure: NDArray[np.int64], values: dict[str, NDArray[np.float64]]) -> Bools:
    """Rows whose count of cases or events is not a whole number."""
    whole = np.zeros(measure.shape[0], dtype=bool)
    for kind, fields in _WHOLE.items():
        is_kind = measure == MEASURES.index(kind)
        for field in fields:
            if field in values:
                column = values[field]
                whole |= is_kind & (column != np.floor(column)) & ~np.isnan(column)
    return whole
