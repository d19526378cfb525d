"""An evaluation in a notebook: what it is of and its account of the returns, then its first
rows, each coloured by its status."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import polars as pl

from contractkit._kernel.account_line import account_line
from contractkit.evaluation._table import COLUMNS

__all__ = ["html_view"]

_COLOURS = {
    "underperforming": "#f8d7da",
    "not_reported": "#fff3cd",
    "rejected_return": "#fff3cd",
    "incomplete": "#fff3cd",
    "within_variation": "#fdfdea",
    "met": "#e8f5e9",
    "shadow": "#eef1f5",
}
_SHOWN = 200
"""The most rows shown."""


def html_view(table: pl.DataFrame, meta: Mapping[str, Any], account: Mapping[str, Any]) -> str:
    """The HTML of an evaluation's table (its leading :data:`COLUMNS`), under a line saying
    what it is of and what became of the returns."""
    head = (
        f"<p><b>{html.escape(meta['contract']['id'])}</b>: "
        f"{html.escape(meta['contract']['title'])}, evaluated to "
        f"{meta['evaluated_to']}. Returns: {account_line(account)}.</p>"
    )
    shown = table.select(*COLUMNS).head(_SHOWN)
    cells = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
    body = []
    for row in shown.iter_rows(named=True):
        colour = _COLOURS.get(row["status"], "")
        tds = "".join(f"<td>{html.escape(_cell(row[c]))}</td>" for c in shown.columns)
        body.append(f'<tr style="background:{colour}">{tds}</tr>')
    more = (
        f"<p>… and {table.height - shown.height} more rows (to_polars() has them all).</p>"
        if table.height > shown.height
        else ""
    )
    return (
        f"{head}<table><thead><tr>{cells}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"
    )


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
