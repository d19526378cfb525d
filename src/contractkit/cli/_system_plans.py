"""``contractkit assess PLAN OUTTURN``: a system plan assessed, for a finance lead to read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from contractkit._kernel.money_words import money_cell, percent_text
from contractkit.cli._app import app
from contractkit.cli._results import (
    FormatOption,
    Output,
    OutputOption,
    SheetOption,
    load_spec,
    one_input,
)
from contractkit.model import SystemPlan

if TYPE_CHECKING:  # the engines are imported by the commands that run them, for a quick start
    from contractkit.system_plans import Assessment

__all__ = ["assess_command"]


@app.command("assess")
def assess_command(
    plan: Annotated[Path, typer.Argument(help="The system plan (YAML).", show_default=False)],
    outturn: Annotated[
        Path, typer.Argument(help="The outturn returns: CSV, Excel or Parquet.", show_default=False)
    ],
    period: Annotated[
        str | None,
        typer.Option(help="Assess to this month or quarter (default: the last with a return)."),
    ] = None,
    output_format: FormatOption = Output.TABLE,
    output: OutputOption = None,
    table: Annotated[
        str, typer.Option(help="With csv or parquet: organisations, groups or findings.")
    ] = "organisations",
    strict: Annotated[
        bool, typer.Option(help="Treat any rejected outturn row as an error (exit 2).")
    ] = False,
    sheet: SheetOption = None,
    explain: Annotated[
        str | None,
        typer.Option(
            help="Explain an organisation or a group (its id), or the system (the plan's id), "
            "in words, instead of the tables."
        ),
    ] = None,
) -> None:
    """Assess a system plan against outturn: each organisation, each group and the system.

    Prints each organisation's position against its control total and against break-even,
    each group's and the system's, and the findings — including an organisation adverse
    beyond tolerance while its group or the system is on plan. Exits 2 on a problem with the
    plan or the outturn (or any rejected row, with --strict).
    """
    from contractkit.system_plans import OUTTURN_REASONS, assess

    spec = load_spec(plan, SystemPlan, "a system plan")
    one_input(
        lambda: assess(spec, outturn, period=period, sheet=sheet),
        outturn,
        table=table,
        output_format=output_format,
        output=output,
        strict=strict,
        explain=explain,
        render=_render_assessment,
        reasons=OUTTURN_REASONS,
    )


def _render_assessment(result: Assessment, console: Console) -> None:
    s = result.system
    basis = "actual outturn" if s["basis"] == "actual" else "projected outturn"
    console.print(f"{s['plan']} {s['year']}, assessed to {s['period']} ({basis})", markup=False)
    rows = result.organisations.to_dicts()
    if console.is_terminal:
        organisations = Table(title="Organisations", title_justify="left")
        organisations.add_column("organisation", overflow="fold")
        for heading in ("control total after transfers", "outturn", "variance", "tolerance"):
            organisations.add_column(heading, justify="right", no_wrap=True, overflow="fold")
        organisations.add_column("group", overflow="fold")
        organisations.add_column("drives of group's adverse", justify="right")
        for row in rows:
            organisations.add_row(
                row["organisation"],
                money_cell(row["adjusted_control_total"]),
                f"{money_cell(row['outturn'])} ({row['outturn_basis']})",
                money_cell(row["variance"]),
                money_cell(row["tolerance"]),
                row["group"] or "",
                percent_text(row["share_of_group_adverse"], cell=True),
            )
        console.print(organisations)
    else:
        console.print("Organisations", markup=False)
        for row in rows:
            text = (
                f"  {row['organisation']}: control total after transfers "
                f"{money_cell(row['adjusted_control_total'])}; "
                f"outturn {money_cell(row['outturn'])} ({row['outturn_basis']}); variance "
                f"{money_cell(row['variance'])} (tolerance {money_cell(row['tolerance'])})"
            )
            if row["group"]:
                text += (
                    f"; in {row['group']}, driving "
                    f"{percent_text(row['share_of_group_adverse'], cell=True)} of "
                    "its adverse variance"
                )
            console.print(text, markup=False)
    for group in result.groups.to_dicts():
        console.print(
            f"Group {group['group']} ({group['members']}): control total after transfers "
            f"{money_cell(group['control_total'])}, outturn {money_cell(group['outturn'])}, "
            f"variance "
            f"{money_cell(group['variance'])}",
            markup=False,
        )
    console.print(
        f"System: control total {s['control_total']}, outturn {s['outturn']}, variance "
        f"{s['variance']} ({'on plan' if s['on_plan'] else 'adverse beyond tolerance'})",
        markup=False,
    )
    for message in result.findings.get_column("message").to_list():
        console.print(f"• {message}", markup=False)
