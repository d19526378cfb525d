"""The command-line application (thin: each command calls the library and prints)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from contractkit import __version__
from contractkit.cli._output import err_console, out_console, print_problems, print_summary
from contractkit.errors import ContractKitError, SpecError
from contractkit.model import Contract
from contractkit.report.summary import summarise
from contractkit.spec import json_schema, load
from contractkit.spec._kinds import KINDS

__all__ = ["app", "main"]

EXIT_PROBLEMS = 2
"""The exit status when an input has problems (as for a usage error)."""

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
    """Check spec files; summarise each valid contract, and locate every problem.

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
        else:  # pragma: no cover - other kinds arrive with their own summaries
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
    text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if check is not None:
        try:
            committed = check.read_text(encoding="utf-8")
        except OSError as error:
            err_console().print(f"{check}: {error.strerror}", markup=False)
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
        output.write_text(text, encoding="utf-8")
        return
    typer.echo(text, nl=False)


def main() -> None:
    """The console entry point: a user's mistake never shows a traceback."""
    try:
        app()
    except ContractKitError as error:
        err_console().print(str(error), markup=False)
        raise SystemExit(EXIT_PROBLEMS) from None
