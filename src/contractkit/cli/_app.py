"""The command-line application (thin: each command calls the library and prints)."""

from __future__ import annotations

import contextlib
import enum
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from contractkit import __version__
from contractkit._kernel.output_file import check_output, write_output
from contractkit.cli._output import err_console, out_console, print_problems, print_summary
from contractkit.errors import (
    ContractKitError,
    OutputError,
    PeriodError,
    ReturnsError,
    SpecError,
)
from contractkit.model import Contract, PooledFund, SystemPlan
from contractkit.model.english import long_date
from contractkit.model.kinds import KINDS
from contractkit.periods import Period, parse_period
from contractkit.report.money_terms import describe_fund, describe_plan
from contractkit.report.summary import summarise
from contractkit.spec import json_schema, load

__all__ = ["app", "check_output_option", "main", "writing_output"]

EXIT_PROBLEMS = 2
"""The exit status when an input has problems (as for a usage error)."""


@contextlib.contextmanager
def writing_output() -> Iterator[None]:
    """Around the writing of an ``--output`` file: one that cannot be written is a problem
    (``--output: cannot write …``, exit 2), never a traceback."""
    try:
        yield
    except OutputError as error:
        err_console().print(f"--output: {error}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None


def check_output_option(output: Path | None) -> None:
    """Check an ``--output`` path before the work, so that a mistake in it is found at once."""
    if output is not None:
        with writing_output():
            check_output(output)


app = typer.Typer(
    name="contractkit",
    help="Write and evaluate flexible outcome-based contracts for integrated care systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"contractkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Write and evaluate flexible outcome-based contracts for integrated care systems."""


@app.command()
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(help="One or more spec files (YAML) to check.", show_default=False),
    ],
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing for valid files.")
    ] = False,
) -> None:
    """Check spec files (contracts, pooled funds, system plans); summarise each valid one.

    Exits 0 when every file is valid, 2 when any has a problem (printed to standard error
    as FILE:LINE:COLUMN: PATH: MESSAGE, with the line and a caret).
    """
    out, err = out_console(), err_console()
    failed = False
    for file in files:
        try:
            spec = load(file)
        except SpecError as error:
            failed = True
            print_problems(error, err)
            continue
        if quiet:
            continue
        if isinstance(spec, Contract):
            print_summary(summarise(spec), str(file), out)
        elif isinstance(spec, PooledFund | SystemPlan):
            kind = "pooled fund" if isinstance(spec, PooledFund) else "system plan"
            out.print(f"{file}: a valid {kind}", markup=False)
            words = describe_fund(spec) if isinstance(spec, PooledFund) else describe_plan(spec)
            for line in words:
                out.print(f"  {line}", markup=False)
        else:  # pragma: no cover - every kind has its summary above
            out.print(f"{file}: valid ({getattr(spec, 'kind', 'spec')})", markup=False)
    if failed:
        raise typer.Exit(EXIT_PROBLEMS)


@app.command()
def schema(
    kind: Annotated[str, typer.Option(help=f"The kind of spec: {', '.join(KINDS)}.")] = "contract",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not the screen.")
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(help="Exit 1 if this committed copy differs from the current schema."),
    ] = None,
) -> None:
    """Print the JSON Schema of a spec kind, for editor completion and hover help.

    Put '# yaml-language-server: $schema=PATH' at the top of a contract to use it.
    """
    if kind not in KINDS:
        err_console().print(
            f"unknown kind {kind!r}: the kinds are {', '.join(KINDS)}", markup=False
        )
        raise typer.Exit(EXIT_PROBLEMS)
    check_output_option(output)
    text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if check is not None:
        try:
            committed = check.read_text(encoding="utf-8")
        except OSError as error:
            err_console().print(f"{check}: {error.strerror}", markup=False)
            raise typer.Exit(EXIT_PROBLEMS) from None
        except UnicodeDecodeError as error:
            err_console().print(
                f"{check}: not UTF-8 text (byte {error.start}), so not a schema contractkit "
                f"wrote: regenerate it with 'contractkit schema --kind {kind} --output {check}'",
                markup=False,
            )
            raise typer.Exit(EXIT_PROBLEMS) from None
        if committed != text:
            err_console().print(
                f"{check} is stale: regenerate it with 'contractkit schema --kind {kind} "
                f"--output {check}'",
                markup=False,
            )
            raise typer.Exit(1)
        out_console().print(f"{check} is up to date", markup=False)
        return
    if output is not None:
        with writing_output():
            write_output(output, text)
        return
    typer.echo(text, nl=False)


class Format(enum.StrEnum):
    """Output formats for ``evaluate``."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"


class FailOn(enum.StrEnum):
    """The flag level at which ``evaluate`` exits 1."""

    WARNING = "warning"
    ALARM = "alarm"


def _load_contract(path: Path) -> Contract:
    try:
        spec = load(path)
    except SpecError as error:
        print_problems(error, err_console())
        raise typer.Exit(EXIT_PROBLEMS) from None
    if not isinstance(spec, Contract):
        err_console().print(
            f"{path}: is a {getattr(spec, 'kind', 'spec')}, not a contract", markup=False
        )
        raise typer.Exit(EXIT_PROBLEMS)
    return spec


@app.command()
def evaluate(
    contract: Annotated[Path, typer.Argument(help="The contract (YAML).", show_default=False)],
    returns: Annotated[
        Path,
        typer.Argument(help="The returns: CSV, Excel or Parquet.", show_default=False),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            help="Show this period (2026/27 Q3, 2026-10, 2026/27); default: each KPI's latest."
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="The evaluation date (YYYY-MM-DD): periods ending after it are not yet due.",
        ),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", help="table (the default), csv, json or parquet.")
    ] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Treat any rejected returns row as an error (exit 2).")
    ] = False,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="COLUMN=FIELD: where a field comes from (a column, "
            "arithmetic such as 'attendances - breaches', or a quoted constant).",
        ),
    ] = None,
    where: Annotated[
        str | None,
        typer.Option(
            help="Keep only rows matching, such as \"type = '1'\" (others are counted as excluded)."
        ),
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="The Excel sheet to read.")] = None,
    profile: Annotated[str, typer.Option(help="The SPC rules: mdc or nhsr.")] = "mdc",
    chart: Annotated[
        str,
        typer.Option(
            help="The SPC charts: auto (c- and u-charts with exact Poisson limits, p or Laney "
            "p′ charts, XmR charts, by the documented rule) or xmr (XmR charts throughout)."
        ),
    ] = "auto",
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 if the rows shown hold flags at this level "
            "(warning: any flag; alarm: alarms only).",
        ),
    ] = None,
) -> None:
    """Evaluate returns against a contract: a fair, staged verdict for every service and KPI.

    Prints, per service, each KPI's verdict for the period and the escalation step the
    contract now calls for, with an account of every returns row. Exits 2 on a problem with
    the contract or the returns (or any rejected row, with --strict).
    """
    # The engines load only when evaluating: the other commands start without them.
    import polars as pl

    from contractkit.cli._evaluation import (
        print_account,
        render_verdicts,
        select_rows,
        write_rows,
    )
    from contractkit.evaluation import evaluate as run
    from contractkit.returns import parse_mapping

    spec = _load_contract(contract)
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            err_console().print(
                f"--as-of {as_of!r} is not a date: write it as YYYY-MM-DD", markup=False
            )
            raise typer.Exit(EXIT_PROBLEMS) from None
    chosen = None
    if period is not None:
        try:
            chosen = parse_period(period)
        except PeriodError as error:
            err_console().print(f"--period: {error}", markup=False)
            raise typer.Exit(EXIT_PROBLEMS) from None
    if output_format is Format.PARQUET and output is None:
        err_console().print("--format parquet needs --output FILE", markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    check_output_option(output)
    try:
        columns = parse_mapping(mapping or [])
        evaluation = run(
            spec,
            returns,
            as_of=day,
            columns=columns,
            where=where,
            sheet=sheet,
            profile=profile,
            chart=chart,  # type: ignore[arg-type]  # checked by evaluate, reported as a problem
        )
    except (ReturnsError, ValueError) as error:
        err_console().print(
            f"{returns}: {error}" if not str(error).startswith(str(returns)) else str(error),
            markup=False,
        )
        raise typer.Exit(EXIT_PROBLEMS) from None
    err = err_console()
    print_account(evaluation, err, strict=strict)
    if strict and evaluation.account["rejected"]:
        raise typer.Exit(EXIT_PROBLEMS)
    shown = select_rows(evaluation, chosen)
    if chosen is not None and shown.height == 0:
        err.print(_nothing_for(chosen, spec, evaluation.meta["evaluated_to"]), markup=False)
        raise typer.Exit(EXIT_PROBLEMS)
    with writing_output():
        if output_format is Format.TABLE:
            text = render_verdicts(evaluation, shown, out_console() if output is None else None)
            if output is not None and text is not None:
                write_output(output, text)
        else:
            write_rows(evaluation, shown, output_format.value, output, whole=chosen is None)
    if fail_on is not None:
        levels = ["alarm"] if fail_on is FailOn.ALARM else ["warning", "alarm"]
        if shown.filter(pl.col("level").is_in(levels)).height:
            raise typer.Exit(1)


def _nothing_for(chosen: Period, contract: Contract, evaluated_to: str | None) -> str:
    """Why a chosen period has no rows: outside the term, or not evaluated (yet)."""
    term = contract.term
    if chosen.end <= term.start or chosen.start > term.end:
        return (
            f"--period {chosen} is outside the contract's term ({long_date(term.start)} to "
            f"{long_date(term.end)})"
        )
    reach = f"the evaluation runs to {evaluated_to}" if evaluated_to else "no returns were accepted"
    return (
        f"--period {chosen}: no period of it has been evaluated: {reach} (give --as-of to "
        "evaluate periods the returns do not reach)"
    )


def main() -> None:
    """The console entry point: a user's mistake never shows a traceback."""
    try:
        app()
    except ContractKitError as error:
        err_console().print(str(error), markup=False)
        raise SystemExit(EXIT_PROBLEMS) from None
