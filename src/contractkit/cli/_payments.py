"""``contractkit statement CONTRACT RETURNS``: what each provider is paid for a period, and why,
line by line."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from contractkit._kernel.money_words import money_cell
from contractkit.cli._account import print_account
from contractkit.cli._app import EXIT_PROBLEMS, app
from contractkit.cli._output import err_console
from contractkit.cli._results import (
    FormatOption,
    Output,
    OutputOption,
    finish,
    load_spec,
    run_command,
)
from contractkit.errors import PeriodError
from contractkit.model import Contract
from contractkit.periods import parse_period

if TYPE_CHECKING:  # the engines are imported when the command runs, for a quick start
    from contractkit.payments import Statement

__all__ = ["statement_command"]

_FIGURES = ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained", "held")


@app.command("statement")
def statement_command(
    contract: Annotated[
        Path,
        typer.Argument(help="The contract, with a finance section (YAML).", show_default=False),
    ],
    returns: Annotated[
        Path, typer.Argument(help="The KPI returns: CSV, Excel or Parquet.", show_default=False)
    ],
    activity: Annotated[
        Path | None,
        typer.Option(help="Activity returns (service, period, activity, count) for variable pay."),
    ] = None,
    outcomes: Annotated[
        Path | None,
        typer.Option(help="Outcome claims (service, person, outcome, period) for outcome pay."),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            help="A month, quarter or financial year (default: the year to the last month "
            "the returns reach)."
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluate as on this date (YYYY-MM-DD).")
    ] = None,
    output_format: FormatOption = Output.TABLE,
    output: OutputOption = None,
    table: Annotated[
        str,
        typer.Option(
            help="With csv or parquet: lines, providers, withholding, outcomes or findings."
        ),
    ] = "lines",
    strict: Annotated[
        bool,
        typer.Option(
            help="Treat any rejected returns, activity or outcome row as an error (exit 2)."
        ),
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option(help="Explain a provider or a service (its id) in words, not the tables."),
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(help="One provider's statement (its ODS code), to send to it."),
    ] = None,
) -> None:
    """A payment statement: what each provider was due, earned, had deducted, withheld,
    repaid and retained for a period, and why, line by line.

    The returns are evaluated against the contract first; the statement then applies the
    contract's finance section to the verdicts, the escalation steps and the activity. Exits 2
    on a problem with the contract or any file (or any rejected row, with --strict).
    """
    from contractkit.payments import ACTIVITY_REASONS, CLAIM_REASONS, statement
    from contractkit.returns import REASONS

    err = err_console()
    spec = load_spec(contract, Contract, "a contract")
    if spec.finance is None:
        err.print(
            f"{contract}: contract {spec.id} has no finance section: add 'finance:' to state "
            "what each service is paid (see the documentation's 'Payments and statements')",
            markup=False,
        )
        raise typer.Exit(EXIT_PROBLEMS)
    if period is not None:
        try:
            parse_period(period)
        except PeriodError as error:
            err.print(f"--period: {error}", markup=False)
            raise typer.Exit(EXIT_PROBLEMS) from None
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            err.print(f"--as-of {as_of!r} is not a date: write it like 2027-03-31", markup=False)
            raise typer.Exit(EXIT_PROBLEMS) from None

    def work() -> Statement:
        made = statement(
            spec, returns, activity=activity, outcomes=outcomes, period=period, as_of=day
        )
        if provider is None:
            return made
        try:
            return made.of(provider)
        except KeyError as error:
            raise ValueError(f"--provider: {error.args[0]}") from None

    result, chosen = run_command(
        work,
        returns,
        table,
        output_format,
        output,
        others=(activity, outcomes),
    )
    evaluated = result.evaluation.account
    print_account(evaluated, result.evaluation.rejected, err, reasons=REASONS, strict=strict)
    catalogues = {"activity": ACTIVITY_REASONS, "outcomes": CLAIM_REASONS}
    for name, reasons in catalogues.items():
        if name in result.account:
            rejected = result.rejected.filter(result.rejected["file"] == name)
            print_account(result.account[name], rejected, err, reasons=reasons, strict=strict)
    finish(
        result,
        chosen,
        failed=strict and bool(result.account["rejected"] or evaluated["rejected"]),
        explain=explain,
        output_format=output_format,
        output=output,
        render=_render,
    )


def _render(result: Statement, console: Console) -> None:
    """Tables in a terminal; plain lines when piped or written to a file."""
    s = result.summary
    whose = f"{s['provider']} {s['name']}, " if "provider" in s else ""
    console.print(
        f"{s['contract']}: payment statement for {whose}{s['period']} ({s['from']} to {s['to']})",
        markup=False,
    )
    providers = result.providers.to_dicts()
    lines = result.lines.to_dicts()
    if console.is_terminal:
        summary = Table(title="Providers", title_justify="left")
        summary.add_column("provider", overflow="fold")
        for heading in _FIGURES:
            summary.add_column(heading, justify="right", no_wrap=True)
        for row in providers:
            summary.add_row(
                f"{row['provider']} {row['name']}", *(money_cell(row[f]) for f in _FIGURES)
            )
        console.print(summary)
        detail = Table(title="Lines", title_justify="left")
        for heading in ("service", "month", "element"):
            detail.add_column(heading, no_wrap=True)
        detail.add_column("payable", justify="right", no_wrap=True)
        detail.add_column("why", overflow="fold")
        for row in lines:
            detail.add_row(
                row["service"],
                row["month"],
                row["element"],
                money_cell(row["payable"]),
                row["basis"],
            )
        console.print(detail)
    else:
        for provider in providers:
            console.print(
                f"{provider['provider']} {provider['name']}: "
                + ", ".join(f"{f} {money_cell(provider[f])}" for f in _FIGURES),
                markup=False,
            )
            for row in lines:
                if row["provider"] == provider["provider"]:
                    console.print(
                        f"  {row['service']} {row['month']} {row['element']}: "
                        f"{money_cell(row['payable'])} — {row['basis']}",
                        markup=False,
                    )
    console.print(
        f"In all: due {s['due']}, earned {s['earned']}, deducted {s['deducted']}, withheld "
        f"{s['withheld']}, repaid {s['repaid']}: payable {s['payable']}; retained "
        f"{s['retained']}, held {s['held']}",
        markup=False,
    )
    for message in result.findings.get_column("message").to_list():
        console.print(f"• {message}", markup=False)
