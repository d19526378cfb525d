"""How ``contractkit evaluate`` shows an evaluation: verdicts per service, and the account."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contractkit._output_file import parquet_bytes, write_output
from contractkit.evaluation import Evaluation
from contractkit.periods import Period, parse_canonical
from contractkit.returns import REASONS

__all__ = ["print_account", "print_rejections", "render_verdicts", "select_rows", "write_rows"]

_SHOWN_REJECTIONS = 20
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
    "not_a_number": "are the numbers written with a decimal point and no text?",
    "outside_term": "is this the contract the returns are for?",
}


def print_account(evaluation: Evaluation, console: Console, *, strict: bool = False) -> None:
    """What became of every returns row: the counts by reason, the first rejected rows of each
    reason (all of the first few, with ``strict``), and a warning when many are rejected."""
    account = evaluation.account
    line = (
        f"{account['source']}: {account['read']:,} rows read: {account['accepted']:,} "
        f"accepted, {account['rejected']:,} rejected, {account['excluded']:,} excluded"
    )
    console.print(line, markup=False)
    for reason, count in account["rejected_by_reason"].items():
        console.print(f"  rejected, {reason}: {count:,}", markup=False)
    for reason, count in account.get("excluded_by_reason", {}).items():
        console.print(f"  excluded, {reason}: {count:,}", markup=False)
    if strict:
        print_rejections(evaluation, console)
    elif evaluation.rejected.height:
        _first_of_each_reason(evaluation, console)
    _warn_if_many(account, console)


def _first_of_each_reason(evaluation: Evaluation, console: Console) -> None:
    source = evaluation.account["source"]
    shown = (
        evaluation.rejected.select("row", "reason", "message")
        .with_columns(pl.int_range(pl.len()).over("reason").alias("_nth"))
        .filter(pl.col("_nth") < _SHOWN_PER_REASON)
        .sort("row")
    )
    for row, _reason, message in shown.drop("_nth").iter_rows():
        console.print(f"{source}: row {row}: {message}", markup=False)
    more = evaluation.rejected.height - shown.height
    if more:
        console.print(
            f"… and {more:,} more rejected rows (--strict lists them and fails; "
            "Evaluation.rejected has them all)",
            markup=False,
        )


def _warn_if_many(account: Mapping[str, Any], console: Console) -> None:
    read, rejected = account["read"], account["rejected"]
    if not read or rejected <= _LOUD * read:
        return
    reasons = account["rejected_by_reason"]
    top = max(reasons, key=lambda r: reasons[r])
    what = REASONS.get(top, top).split(":")[0]
    hint = _HINTS.get(top, "check the rows listed above")
    console.print(
        f"warning: {rejected:,} of {read:,} rows rejected, {reasons[top]:,} of them because "
        f"{what}: {hint}",
        markup=False,
    )


def print_rejections(evaluation: Evaluation, console: Console) -> None:
    """The first rejected rows, each with its row number and reason."""
    rejected = evaluation.rejected
    for row, message in rejected.select("row", "message").head(_SHOWN_REJECTIONS).iter_rows():
        console.print(f"{evaluation.account['source']}: row {row}: {message}", markup=False)
    if rejected.height > _SHOWN_REJECTIONS:
        console.print(
            f"… and {rejected.height - _SHOWN_REJECTIONS:,} more rejected rows", markup=False
        )


def _within(period_text: str, chosen: Period) -> bool:
    """A period inside the chosen one (the months and quarters of a chosen year, say)."""
    return parse_canonical(period_text) in chosen


def select_rows(evaluation: Evaluation, chosen: Period | None) -> pl.DataFrame:
    """The rows for a period (periods inside it, for a coarser one), or each KPI's latest."""
    table = evaluation.table
    if chosen is None:
        return table.group_by("service", "kpi", maintain_order=True).last()
    periods = table.get_column("period").unique().to_list()
    inside = [p for p in periods if _within(p, chosen)]
    return table.filter(pl.col("period").is_in(inside))


def _number(row: dict[str, object], value: object) -> str:
    if value is None:
        return "—"
    assert isinstance(value, float | int)
    measure = row["measure"]
    if measure == "proportion":
        return f"{value * 100:.1f}%"
    if measure == "rate":
        return f"{value:.3g} per {int(row['per'] or 1):,}"  # type: ignore[call-overload]
    if measure == "mean":
        return f"{value:.4g} {row['unit'] or ''}".strip()
    return f"{value:.3g}"


def _status(row: dict[str, object]) -> str:
    status = str(row["status"]).replace("_", " ")
    if row["level"]:
        status += f" ({row['level']})"
    if status == "shadow" and row["would_be"]:
        status += f", would be {str(row['would_be']).replace('_', ' ')}"
        if row["would_be_level"]:
            status += f" ({row['would_be_level']})"
    return status


@attrs.frozen
class _Line:
    kpi: str
    period: str
    stage: str
    threshold: str
    observed: str
    status: str
    returns: str
    spc: str
    escalation: str


def _returns(row: dict[str, object]) -> str:
    """The evidence under the verdict: 'returns 3 of 3', 'returns 2 of 3 (1 rejected)'."""
    due, made, dropped = row["returns_due"], row["returns_made"], row["returns_rejected"]
    if not due:
        return "—"
    text = f"returns {made} of {due}"
    if dropped:
        text += f" ({dropped} {'row' if dropped == 1 else 'rows'} rejected)"
    return text


def _lines(rows: pl.DataFrame) -> dict[tuple[str, str], list[_Line]]:
    grouped: dict[tuple[str, str], list[_Line]] = {}
    for row in rows.iter_rows(named=True):
        comparator = "≥" if row["better"] == "higher" else "≤"
        observed = _number(row, row["observed"])
        if row["ci_lower"] is not None:
            observed += f" ({_number(row, row['ci_lower'])}–{_number(row, row['ci_upper'])})"
        grouped.setdefault((row["service"], row["provider"]), []).append(
            _Line(
                kpi=row["kpi"],
                period=row["period"],
                stage=row["stage"],
                threshold=f"{comparator} {_number(row, row['threshold'])}"
                if row["threshold"] is not None
                else "—",
                observed=observed,
                status=_status(row),
                returns=_returns(row),
                spc=(row["spc_signal"] or "—").replace("_", " "),
                escalation=(row["escalation"] or "none").replace("_", " "),
            )
        )
    return grouped


def render_verdicts(
    evaluation: Evaluation, rows: pl.DataFrame, console: Console | None
) -> str | None:
    """Per service, each KPI's verdict and the step the contract calls for. Printed to the
    console (a rich table in a terminal), or returned as plain text when ``console`` is None."""
    grouped = _lines(rows)
    steps = evaluation.meta["steps"]
    if console is not None and console.is_terminal:
        for (service, provider), lines in grouped.items():
            step = _highest(lines, steps)
            table = Table(
                title=f"{service} ({provider}) — escalation: {step}", title_justify="left"
            )
            for column in (
                "KPI",
                "period",
                "stage",
                "threshold",
                "observed (95% interval)",
                "status",
                "returns",
                "SPC",
                "escalation",
            ):
                table.add_column(column)
            for line in lines:
                style = {
                    "underperforming": "red",
                    "not reported": "yellow",
                    "rejected return": "yellow",
                    "incomplete": "yellow",
                }.get(line.status.split(" (")[0].split(",")[0], "")
                cells = attrs.evolve(line, returns=line.returns.removeprefix("returns "))
                table.add_row(*(escape(v) for v in attrs.astuple(cells)), style=style)
            console.print(table)
        return None
    out: list[str] = []
    for (service, provider), lines in grouped.items():
        out.append(f"{service} ({provider}): escalation: {_highest(lines, steps)}")
        for line in lines:
            out.append(
                f"  {line.kpi} {line.period} [{line.stage}]: {line.status}; observed "
                f"{line.observed} against {line.threshold}; {line.returns}; SPC {line.spc}; "
                f"step {line.escalation}"
            )
    text = "\n".join(out) + "\n"
    if console is not None:
        console.print(text, markup=False, end="")
        return None
    return text


def _highest(lines: list[_Line], steps: list[str]) -> str:
    ranks = [
        steps.index(line.escalation.replace(" ", "_"))
        for line in lines
        if line.escalation.replace(" ", "_") in steps
    ]
    return steps[max(ranks)].replace("_", " ") if ranks else "none"


def write_rows(
    evaluation: Evaluation,
    rows: pl.DataFrame,
    output_format: str,
    output: Path | None,
    *,
    whole: bool,
) -> None:
    """CSV, JSON or Parquet, to a file or standard output (the whole evaluation unless a period
    was chosen); a file that cannot be written is an :class:`~contractkit.errors.OutputError`."""
    chosen = evaluation if whole else attrs.evolve(evaluation, table=rows)
    if output_format == "csv":
        text = chosen.table.write_csv()
    elif output_format == "json":
        text = chosen.to_json() or ""
    else:
        assert output is not None
        write_output(output, parquet_bytes(chosen.table))
        return
    if output is None:
        sys.stdout.write(text)
    else:
        write_output(output, text)
