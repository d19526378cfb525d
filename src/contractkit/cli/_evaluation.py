"""How ``contractkit evaluate`` shows an evaluation: verdicts per service, and the account."""

from __future__ import annotations

import sys
from pathlib import Path

import attrs
import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from contractkit._kernel.output_file import parquet_bytes, write_output
from contractkit.cli._account import print_account as show_account
from contractkit.evaluation import Evaluation
from contractkit.model.english import counted, figure
from contractkit.periods import Period, parse_canonical
from contractkit.returns import REASONS

__all__ = ["print_account", "render_verdicts", "select_rows", "write_rows"]


def print_account(evaluation: Evaluation, console: Console, *, strict: bool = False) -> None:
    """What became of every returns row (see :func:`contractkit.cli._account.print_account`)."""
    show_account(evaluation.account, evaluation.rejected, console, reasons=REASONS, strict=strict)


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
    return figure(value)


def _threshold(row: dict[str, object]) -> str:
    """The threshold in the KPI's terms; a count in its own unit, where it has one
    ('≤ 2 incidents')."""
    value = row["threshold"]
    unit = row.get("unit")
    if row["measure"] == "count" and isinstance(unit, str) and isinstance(value, float):
        return counted(value, unit)
    return _number(row, value)


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
    notes = [f"{dropped} {'row' if dropped == 1 else 'rows'} rejected"] if dropped else []
    if row["complete"] is False and made >= due:  # type: ignore[operator]  # both counts
        notes.append("year to date incomplete")  # a return due earlier in the year is missing
    return text + (f" ({'; '.join(notes)})" if notes else "")


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
                threshold=f"{comparator} {_threshold(row)}"
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
