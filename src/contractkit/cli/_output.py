"""Terminal output: rich where it helps (a terminal), plain text when piped."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from contractkit.errors import Problem, SpecError, capped
from contractkit.report.summary import ContractSummary

__all__ = ["err_console", "out_console", "print_problems", "print_summary"]


def out_console() -> Console:
    """Standard output; plain (no colour, no boxes) when it is not a terminal."""
    return Console(highlight=False, emoji=False, soft_wrap=not sys.stdout.isatty())


def err_console() -> Console:
    """Standard error, for problems."""
    return Console(stderr=True, highlight=False, emoji=False, soft_wrap=True)


def print_problems(error: SpecError, console: Console) -> None:
    """The problems, located, each with its source line (cut around the caret when long) and
    caret: the first few of each kind, the rest counted ("… and 3,990 more like it")."""
    for problem in capped(error.problems):
        if not isinstance(problem, Problem):
            console.print(problem, markup=False, style="dim" if console.is_terminal else None)
            continue
        head, *rest = problem.render().split("\n")
        if console.is_terminal:
            location, _, message = head.partition(": ")
            console.print(Text.assemble((location, "bold"), ": ", (message, "red")))
            for line in rest:
                console.print(Text(line, style="dim" if "|" in line[:8] else ""))
        else:
            console.print(problem.render(), markup=False)
    count = len(error.problems)
    console.print(f"{count:,} problem{'s' if count != 1 else ''} found", markup=False)


def print_summary(summary: ContractSummary, source: str, console: Console) -> None:
    """A valid contract's summary: tables in a terminal, text lines when piped."""
    if not console.is_terminal:
        console.print(f"{source}: valid", markup=False)
        console.print(str(summary), markup=False)
        console.print()
        return
    console.print(f"[green]✓[/green] [bold]{escape(source)}[/bold]: valid")
    console.print(f"[bold]{escape(summary.heading)}[/bold]")
    console.print(f"  term: {summary.term}; commissioned by {escape(summary.commissioners)}")
    console.print(f"  flags: {summary.flags}")
    providers = Table(title="Providers by type", title_justify="left", show_header=True)
    providers.add_column("type")
    providers.add_column("providers")
    for label, names in summary.providers_by_type:
        providers.add_row(label, escape("\n".join(names)))
    console.print(providers)
    services = Table(title="Services", title_justify="left")
    for column in ("service", "provider", "stages in the term", "KPIs"):
        services.add_column(column)
    for line in summary.services:
        services.add_row(
            line.id,
            escape(line.provider),
            escape("\n".join(line.stages)),
            escape(", ".join(line.kpis)),
        )
    console.print(services)
    kpis = Table(title="KPIs", title_justify="left")
    kpis.add_column("KPI")
    kpis.add_column("threshold, in words")
    for kpi_id, text in summary.kpis:
        kpis.add_row(kpi_id, escape(text))
    console.print(kpis)
    if summary.escalation:
        console.print("[bold]Escalation[/bold]")
        for rule in summary.escalation:
            console.print(f"  {escape(rule)}")
        if summary.reporting:
            console.print(f"  {escape(summary.reporting)}")
    console.print()
