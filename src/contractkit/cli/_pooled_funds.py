"""``contractkit reconcile FUND SPEND``: a pooled fund reconciled, for a finance lead to read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from contractkit._kernel.money_words import money_cell
from contractkit.cli._app import app
from contractkit.cli._results import (
    FormatOption,
    Output,
    OutputOption,
    SheetOption,
    load_spec,
    one_input,
)
from contractkit.model import PooledFund

if TYPE_CHECKING:  # the engines are imported by the commands that run them, for a quick start
    from contractkit.pooled_funds import Reconciliation

__all__ = ["reconcile_command"]


@app.command("reconcile")
def reconcile_command(
    fund: Annotated[Path, typer.Argument(help="The pooled fund (YAML).", show_default=False)],
    spend: Annotated[
        Path, typer.Argument(help="The spend returns: CSV, Excel or Parquet.", show_default=False)
    ],
    period: Annotated[
        str | None,
        typer.Option(help="Reconcile to this month or quarter (default: the last with spend)."),
    ] = None,
    output_format: FormatOption = Output.TABLE,
    output: OutputOption = None,
    table: Annotated[
        str,
        typer.Option(help="With csv or parquet: lines, partners, attribution or findings."),
    ] = "lines",
    strict: Annotated[
        bool, typer.Option(help="Treat any rejected spend row as an error (exit 2).")
    ] = False,
    sheet: SheetOption = None,
    explain: Annotated[
        str | None,
        typer.Option(help="Explain a line or a partner (its id) in words, instead of the tables."),
    ] = None,
) -> None:
    """Reconcile a pooled fund against its spend: by line and partner, to the penny.

    Prints each line's budget, spend and variance to date and its outturn, how each overspend
    is met (and by whom), each partner's position, the findings, and an account of every spend
    row. Exits 2 on a problem with the fund or the spend (or any rejected row, with --strict).
    """
    from contractkit.pooled_funds import SPEND_REASONS, reconcile

    spec = load_spec(fund, PooledFund, "a pooled fund")
    one_input(
        lambda: reconcile(spec, spend, period=period, sheet=sheet),
        spend,
        table=table,
        output_format=output_format,
        output=output,
        strict=strict,
        explain=explain,
        render=_render,
        reasons=SPEND_REASONS,
    )


def _met(result: Reconciliation) -> dict[str, str]:
    """Per line: what met its overspend, in words."""
    return {
        line: ", ".join(
            f"{(partner or source).replace('_', ' ')} {money_cell(amount)}"
            for source, partner, amount in group.select("source", "partner", "amount").rows()
        )
        for (line,), group in result.attribution.group_by("line", maintain_order=True)
    }


def _render(result: Reconciliation, console: Console) -> None:
    """Tables in a terminal; plain lines when piped or written to a file."""
    s = result.summary
    basis = "actual outturn" if s["basis"] == "actual" else "projected outturn"
    console.print(f"{s['fund']} {s['year']}, reconciled to {s['period']} ({basis})", markup=False)
    met = _met(result)
    if console.is_terminal:
        _tables(result, met, console)
    else:
        console.print("Lines", markup=False)
        for row in result.lines.to_dicts():
            text = (
                f"  {row['line']} ({row['commissioner']}): budget {money_cell(row['budget'])}; to "
                f"date: budget {money_cell(row['budget_to_date'])}, actual "
                f"{money_cell(row['actual_to_date'])}, variance "
                f"{money_cell(row['variance_to_date'])}; "
                f"outturn {money_cell(row['outturn'])} ({row['outturn_basis']}), variance "
                f"{money_cell(row['outturn_variance'])}"
            )
            if row["line"] in met:
                text += f"; overspend met by {met[row['line']]}"
            console.print(text, markup=False)
        console.print("Partners", markup=False)
        for row in result.partners.to_dicts():
            cap = money_cell(row["cap"]) or "none"
            console.print(
                f"  {row['partner']}: contributes {money_cell(row['contribution'])}; its lines' "
                f"outturn variance {money_cell(row['outturn_variance'])}; bears "
                f"{money_cell(row['bears'])} (cap {cap}); receives {money_cell(row['receives'])}; "
                f"net "
                f"{money_cell(row['net'])}",
                markup=False,
            )
    console.print(
        f"Outturn {s['outturn']} against a budget of {s['budget']}: overspends {s['overspend']}, "
        f"underspends {s['underspend']}; the partners bear {s['partners_bear']} and receive "
        f"{s['returned']}" + (f"; {s['unfunded']} is unfunded" if s["unfunded"] else ""),
        markup=False,
    )
    for message in result.findings.get_column("message").to_list():
        console.print(f"• {message}", markup=False)


def _tables(result: Reconciliation, met: dict[str, str], console: Console) -> None:
    lines = Table(title="Lines", title_justify="left")
    for heading in ("line", "commissioner"):
        lines.add_column(heading, overflow="fold")
    for heading in (
        "budget",
        "budget to date",
        "actual to date",
        "variance to date",
        "outturn",
        "outturn variance",
    ):
        lines.add_column(heading, justify="right", no_wrap=True, overflow="fold")
    lines.add_column("overspend met by", overflow="fold")
    for row in result.lines.to_dicts():
        lines.add_row(
            row["line"],
            row["commissioner"],
            money_cell(row["budget"]),
            money_cell(row["budget_to_date"]),
            money_cell(row["actual_to_date"]),
            money_cell(row["variance_to_date"]),
            f"{money_cell(row['outturn'])} ({row['outturn_basis']})",
            money_cell(row["outturn_variance"]),
            met.get(row["line"], ""),
        )
    console.print(lines)
    partners = Table(title="Partners", title_justify="left")
    partners.add_column("partner", overflow="fold")
    for heading in (
        "contribution",
        "outturn variance of its lines",
        "bears",
        "cap",
        "receives",
        "net",
    ):
        partners.add_column(heading, justify="right", no_wrap=True, overflow="fold")
    for row in result.partners.to_dicts():
        partners.add_row(
            row["partner"],
            money_cell(row["contribution"]),
            money_cell(row["outturn_variance"]),
            money_cell(row["bears"]),
            money_cell(row["cap"]) or "none",
            money_cell(row["receives"]),
            money_cell(row["net"]),
        )
    console.print(partners)
