"""What the commands that make a result share: reading the spec they are given, doing the work
with every problem printed against the file it concerns, accounting for the input's rows, and
showing the result (a table in the terminal, CSV, JSON or Parquet, or one figure explained)."""

from __future__ import annotations

import enum
import io
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from contractkit._kernel.output_file import parquet_bytes, write_output
from contractkit.cli._account import print_account
from contractkit.cli._app import EXIT_PROBLEMS, check_output_option, writing_output
from contractkit.cli._output import err_console, out_console, print_problems
from contractkit.errors import PeriodError, ReturnsError, SpecError
from contractkit.spec import load

if TYPE_CHECKING:  # the engines are imported by the commands that run them, for a quick start
    import polars as pl


__all__ = [
    "FormatOption",
    "Output",
    "OutputOption",
    "SheetOption",
    "emit",
    "explain_result",
    "finish",
    "load_spec",
    "one_input",
    "run_command",
]


class Output(enum.StrEnum):
    """Output formats for ``reconcile``."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    PARQUET = "parquet"


FormatOption = Annotated[
    Output, typer.Option("--format", help="table (the default), csv, json or parquet.")
]


OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")]


SheetOption = Annotated[str | None, typer.Option(help="The Excel sheet to read.")]


Spec = TypeVar("Spec")


def load_spec(path: Path, kind: type[Spec], what: str) -> Spec:
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


def run_command(
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
        return result, result.to_polars(table)
    except (ReturnsError, PeriodError, ValueError) as error:
        text = str(error)
        named = text.startswith("--") or any(
            text.startswith(str(path)) for path in (source, *others) if path is not None
        )
        err.print(text if named else f"{source}: {text}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None


def one_input(
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
    result, chosen = run_command(work, source, table, output_format, output)
    print_account(result.account, result.rejected, err_console(), reasons=reasons, strict=strict)
    finish(
        result,
        chosen,
        failed=strict and bool(result.account["rejected"]),
        explain=explain,
        output_format=output_format,
        output=output,
        render=render,
    )


def finish(
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
        explain_result(result, explain)
        return
    emit(result, chosen, output_format, output, render)


def explain_result(result: Any, name: str) -> None:
    """Print why a figure is what it is; an unknown name is a problem (exit 2)."""
    try:
        out_console().print(result.explain(name).text, markup=False)
    except (KeyError, ValueError) as error:
        err_console().print(f"--explain: {error.args[0]}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None


def emit(
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
