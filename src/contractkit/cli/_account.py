"""What became of every row of an input table, as every command prints it on standard error.

One line of counts; the counts by reason, rejected and excluded; the first few rejected rows of
each reason with their messages (all of the first twenty with ``--strict``); and a warning when
more than a tenth of the rows were rejected, naming the commonest reason and what usually
causes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Console

from contractkit._kernel.account_line import account_line

if TYPE_CHECKING:
    import polars as pl

__all__ = ["print_account"]

_SHOWN_STRICT = 20
"""With ``--strict``, at most this many rejected rows are listed."""
_SHOWN_PER_REASON = 3
"""Otherwise, at most this many rejected rows are listed for each reason."""
_LOUD = 0.1
"""A warning is printed when more than this share of the rows read are rejected."""
_HINTS = {
    "unreadable_period": "did the file pass through Excel? Periods are read as 2026-07, "
    "Jul-26, 01/07/2026, 2026/27 Q2 or 2026/27 (see 'Periods and units' in the docs)",
    "wrong_period_kind": "is the file reported at each KPI's own frequency?",
    "unknown_kpi": "are the KPI ids the contract's? Map a column with --map COLUMN=kpi",
    "unknown_service": "are the service ids the contract's?",
    "unknown_provider": "are the providers' ODS codes the contract's?",
    "unknown_line": "are the line ids the fund's?",
    "unknown_organisation": "are the organisations the plan's?",
    "not_a_number": "are the numbers written with a decimal point, and nothing else?",
    "not_money": "are the amounts written like 1,234.56, and nothing else?",
    "outside_term": "is this the contract the returns are for?",
    "outside_year": "is this the year the file is for?",
}


def print_account(
    account: Mapping[str, Any],
    rejected: pl.DataFrame,
    console: Console,
    *,
    reasons: Mapping[str, str],
    strict: bool = False,
) -> None:
    """Print an input table's account (``read``, ``accepted``, ``rejected``, ``excluded`` and
    the counts by reason) and its rejected rows (``row``, ``reason``, ``message``); ``reasons``
    is the table's catalogue of rejection reasons, for the warning."""
    import polars as pl  # here, as the command line starts without polars

    source = account["source"]
    console.print(f"{source}: {account_line(account)}", markup=False)
    for reason, count in account.get("rejected_by_reason", {}).items():
        console.print(f"  rejected, {reason}: {count:,}", markup=False)
    for reason, count in account.get("excluded_by_reason", {}).items():
        console.print(f"  excluded, {reason}: {count:,}", markup=False)
    if rejected.height:
        if strict:
            shown = rejected.select("row", "message").head(_SHOWN_STRICT)
            more = f"… and {rejected.height - shown.height:,} more rejected rows"
        else:
            shown = (
                rejected.select("row", "reason", "message")
                .filter(pl.int_range(pl.len()).over("reason") < _SHOWN_PER_REASON)
                .sort("row")
                .select("row", "message")
            )
            more = (
                f"… and {rejected.height - shown.height:,} more rejected rows (--strict lists "
                "them and fails)"
            )
        for row, message in shown.iter_rows():
            console.print(f"{source}: row {row}: {message}", markup=False)
        if rejected.height > shown.height:
            console.print(more, markup=False)
    _warn_if_many(account, console, reasons)


def _warn_if_many(account: Mapping[str, Any], console: Console, reasons: Mapping[str, str]) -> None:
    read, rejected = account["read"], account["rejected"]
    if not read or rejected <= _LOUD * read:
        return
    counts = account.get("rejected_by_reason", {})
    if not counts:
        return
    top = max(counts, key=lambda r: counts[r])
    what = reasons.get(top, top).split(":")[0].split(" (")[0]
    hint = _HINTS.get(top, "check the rows listed above")
    console.print(
        f"warning: {rejected:,} of {read:,} rows rejected, {counts[top]:,} of them because "
        f"{what}: {hint}",
        markup=False,
    )
