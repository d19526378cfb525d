"""The months each service runs in, as month counts: the rows every part of a statement is
worked out over (one per service and month), each service's first and last month in the term,
the financial year a month or a period falls in, and a period's last month.

A month count is ``year × 12 + month − 1`` (see :mod:`contractkit._kernel.months`), so months
follow each other as whole numbers and a column of them is worked on at once.
"""

from __future__ import annotations

import attrs
import numpy as np

from contractkit._kernel.arrays import Ints
from contractkit._kernel.months import month_number
from contractkit.model import Contract
from contractkit.periods import parse_canonical

__all__ = ["ServiceMonths", "last_month", "service_months", "year_of", "year_of_period"]


def year_of(month: Ints | int) -> Ints | int:
    """The calendar year a month's financial year begins in (months as counts)."""
    return (month - 3) // 12


def year_of_period(period: str) -> int:
    """The calendar year a period's financial year begins in (the period as its text)."""
    return int(year_of(month_number(parse_canonical(period).start)))


def last_month(period: str) -> int:
    """The last month of a period (its text), as a month count."""
    end = parse_canonical(period).end  # the day after the last
    return end.year * 12 + end.month - 2


def service_months(contract: Contract) -> tuple[Ints, Ints]:
    """Each service's first and last month in the term (as month counts): from the month it
    commences (or the term starts) to the month it ends (or the term does)."""
    term = contract.term
    first = []
    last = []
    for service in contract.services:
        start = max(service.commences, term.start)
        end = min(service.ends or term.end, term.end)
        first.append(month_number(start))
        last.append(month_number(end))
    return np.array(first, dtype=np.int64), np.array(last, dtype=np.int64)


@attrs.frozen
class ServiceMonths:
    """Every month each service runs in, to the last month worked out: one row per service and
    month, in order of service and then month."""

    service: Ints
    month: Ints
    last: Ints
    """Per service: its last month in the term (whether or not it has been reached)."""
    through: int

    @classmethod
    def of(cls, contract: Contract, through: int) -> ServiceMonths:
        starts, last = service_months(contract)
        ends = np.minimum(last, through)
        spans = np.maximum(ends - starts + 1, 0)
        service = np.repeat(np.arange(len(contract.services), dtype=np.int64), spans)
        offsets = np.arange(service.size) - np.repeat(np.cumsum(spans) - spans, spans)
        return cls(service, np.repeat(starts, spans) + offsets, last, through)
