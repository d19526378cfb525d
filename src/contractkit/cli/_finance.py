"""``contractkit reconcile FUND SPEND`` and ``contractkit assess PLAN OUTTURN``: a pooled fund
reconciled and a system plan assessed, for a finance lead to read."""

from __future__ import annotations

import enum
import io
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from contractkit._output_file import parquet_bytes, write_output
from contractkit.cli._account import print_account
from contractkit.cli._app import EXIT_PROBLEMS, app, check_output_option, writing_output
from contractkit.cli._output import err_console, out_console, print_problems
from contractkit.errors import PeriodError, ReturnsError, SpecError
from contractkit.model import PooledFund, SystemPlan
from contractkit.money import Money
from contractkit.spec import load

if TYPE_CHECKING:  # the engines are imported by the commands that run them, for a quick start
    import polars as pl

    from contractkit.pooled_funds import Reconciliation
    from contractkit.system_plans import Assessment

__all__ = ["assess_command", "reconcile_command"]


class Output(enum.StrEnum):
    """Output formats for ``reconcile``."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"


def _money(value: Decimal | None) -> str:
    return "" if value is None else str(Money(value))


FormatOption = Annotated[
    Output, typer.Option("--format", help="table (the default), csv, json or parquet.")
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]
SheetOption = Annotated[str | None, typer.Option(help="The Excel sheet to read.")]

Spec = TypeVar("Spec")


def _load(path: Path, kind: type[Spec], what: str) -> Spec:
    """The spec in ``path``, which must be of ``kind``; its problems printed, exit 2."""
    try:
        spec = load(path)
    except SpecError as error:
        print_problems(error, err_console())
        raise typer.Exit(EXIT_PROBLEMS) from None
    if not isinstance(spec, kind):
        err_console().print(
            f"{path}: is a {getattr(spec, 'kind', 'spec')}, not {what}", markup=False
        )
        raise typer.Exit(EXIT_PROBLEMS)
    return spec


def _run(
    work: Callable[[], Any],
    source: Path,
    table: str,
    output_format: Output,
    output: Path | None,
    *,
    others: tuple[Path | None, ...] = (),
) -> tuple[Any, pl.DataFrame]:
    """Do the work on ``source`` (and ``others``) and pick the table; a problem is printed,
    prefixed with the file it concerns (``source`` unless it names another), exit 2."""
    err = err_console()
    if output_format is Output.PARQUET and output is None:
        err.print("--format parquet needs --output FILE", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    check_output_option(output)
    try:
        result = work()
        return result, result.table(table)
    except (ReturnsError, PeriodError, ValueError) as error:
        text = str(error)
        named = text.startswith("--") or any(
            text.startswith(str(path)) for path in (source, *others) if path is not None
        )
        err.print(text if named else f"{source}: {text}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None


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

    spec = _load(fund, PooledFund, "a pooled fund")
    _one_input(
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
            f"{(partner or source).replace('_', ' ')} {_money(amount)}"
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
                f"  {row['line']} ({row['commissioner']}): budget {_money(row['budget'])}; to "
                f"date: budget {_money(row['budget_to_date'])}, actual "
                f"{_money(row['actual_to_date'])}, variance {_money(row['variance_to_date'])}; "
                f"outturn {_money(row['outturn'])} ({row['outturn_basis']}), variance "
                f"{_money(row['outturn_variance'])}"
            )
            if row["line"] in met:
                text += f"; overspend met by {met[row['line']]}"
            console.print(text, markup=False)
        console.print("Partners", markup=False)
        for row in result.partners.to_dicts():
            cap = _money(row["cap"]) or "none"
            console.print(
                f"  {row['partner']}: contributes {_money(row['contribution'])}; its lines' "
                f"outturn variance {_money(row['outturn_variance'])}; bears "
                f"{_money(row['bears'])} (cap {cap}); receives {_money(row['receives'])}; net "
                f"{_money(row['net'])}",
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
            _money(row["budget"]),
            _money(row["budget_to_date"]),
            _money(row["actual_to_date"]),
            _money(row["variance_to_date"]),
            f"{_money(row['outturn'])} ({row['outturn_basis']})",
            _money(row["outturn_variance"]),
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
            _money(row["contribution"]),
            _money(row["outturn_variance"]),
            _money(row["bears"]),
            _money(row["cap"]) or "none",
            _money(row["receives"]),
            _money(row["net"]),
        )
    console.print(partners)


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

    spec = _load(plan, SystemPlan, "a system plan")
    _one_input(
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


def _one_input(
    work: Callable[[], Any],
    source: Path,
    *,
    table: str,
    output_format: Output,
    output: Path | None,
    strict: bool,
    explain: str | None,
    render: Callable[[Any, Console], None],
    reasons: Mapping[str, str],
) -> None:
    """A command with one input table (spend, outturn): the work, the account of its rows,
    and the result."""
    result, chosen = _run(work, source, table, output_format, output)
    print_account(result.account, result.rejected, err_console(), reasons=reasons, strict=strict)
    _finish(
        result,
        chosen,
        failed=strict and bool(result.account["rejected"]),
        explain=explain,
        output_format=output_format,
        output=output,
        render=render,
    )


def _finish(
    result: Any,
    chosen: pl.DataFrame,
    *,
    failed: bool,
    explain: str | None,
    output_format: Output,
    output: Path | None,
    render: Callable[[Any, Console], None],
) -> None:
    """The end of a command: exit 2 if ``--strict`` found rejected rows (``failed``); else the
    explanation asked for, or the result in the format asked for."""
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)
    if explain is not None:
        _explain(result, explain)
        return
    _emit(result, chosen, output_format, output, render)


def _explain(result: Any, name: str) -> None:
    """Print why a figure is what it is; an unknown name is a problem (exit 2)."""
    try:
        out_console().print(result.explain(name).text, markup=False)
    except (KeyError, ValueError) as error:
        err_console().print(f"--explain: {error.args[0]}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None


def _emit(
    result: Any,
    chosen: pl.DataFrame,
    output_format: Output,
    output: Path | None,
    render: Callable[[Any, Console], None],
) -> None:
    """The result as text (in a terminal, or to a file), or a table as CSV or Parquet, or
    everything as JSON; a file is written whole, or is a problem (exit 2)."""
    if output_format is Output.TABLE:
        if output is None:
            render(result, out_console())
            return
        page = io.StringIO()
        render(result, Console(file=page, soft_wrap=True, highlight=False))
        content: str | bytes = page.getvalue()
    elif output_format is Output.PARQUET:
        assert output is not None  # the command checks this before the work is done
        content = parquet_bytes(chosen)
    else:
        content = chosen.write_csv() if output_format is Output.CSV else (result.to_json() or "")
        if output is None:
            sys.stdout.write(content)
            return
    with writing_output():
        write_output(output, content)


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


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
                _money(row["adjusted_control_total"]),
                f"{_money(row['outturn'])} ({row['outturn_basis']})",
                _money(row["variance"]),
                _money(row["tolerance"]),
                row["group"] or "",
                _percent(row["share_of_group_adverse"]),
            )
        console.print(organisations)
    else:
        console.print("Organisations", markup=False)
        for row in rows:
            text = (
                f"  {row['organisation']}: control total after transfers "
                f"{_money(row['adjusted_control_total'])}; "
                f"outturn {_money(row['outturn'])} ({row['outturn_basis']}); variance "
                f"{_money(row['variance'])} (tolerance {_money(row['tolerance'])})"
            )
            if row["group"]:
                text += (
                    f"; in {row['group']}, driving {_percent(row['share_of_group_adverse'])} of "
                    "its adverse variance"
                )
            console.print(text, markup=False)
    for group in result.groups.to_dicts():
        console.print(
            f"Group {group['group']} ({group['members']}): control total after transfers "
            f"{_money(group['control_total'])}, outturn {_money(group['outturn'])}, variance "
            f"{_money(group['variance'])}",
            markup=False,
        )
    console.print(
        f"System: control total {s['control_total']}, outturn {s['outturn']}, variance "
        f"{s['variance']} ({'on plan' if s['on_plan'] else 'adverse beyond tolerance'})",
        markup=False,
    )
    for message in result.findings.get_column("message").to_list():
        console.print(f"• {message}", markup=False)
