"""An evaluation's versioned JSON form read back (once :mod:`contractkit.results` has checked it
is a record of one): its parts
(the table, rejected rows, SPC points and icons, account and meta) as the evaluation holds them.
A version 1 record (before the returns behind each verdict were recorded) is read in version 2's
terms."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from contractkit.evaluation._labels import KEY, TEXT
from contractkit.evaluation._table import COLUMNS, DETAIL, last_day

__all__ = ["FORMAT", "VERSION", "record_parts"]

FORMAT = "contractkit-evaluation"
VERSION = 2
"""The version of the JSON form written (version 1, before the returns behind each verdict
were recorded, is still read)."""


def record_parts(data: dict[str, Any]) -> dict[str, Any]:
    """The parts of a record already read (each read in the order a damaged record's first
    missing part is reported by)."""
    table = _table(data)
    rejected = pl.DataFrame(data.get("rejected") or [])
    if rejected.height:
        rejected = rejected.with_columns(pl.col("row").cast(pl.Int64))
    points = pl.DataFrame(data.get("spc") or [], schema=_POINTS)
    meta = {k: data[k] for k in ("contract", "as_of", "evaluated_to", "profile")}
    # A version 1 record was charted on XmR charts throughout.
    meta["chart"] = data.get("chart", "xmr" if data["version"] == 1 else "auto")
    meta["frequencies"] = data.get("frequencies", {})
    meta.update((k, data[k]) for k in ("flags", "steps"))  # in the order build writes them
    icons = pl.DataFrame(data.get("spc_icons") or [], schema=_ICONS)
    return {
        "table": table,
        "rejected": rejected,
        "account": data["account"],
        "raw_points": points,
        "meta": meta,
        "icons": icons,
    }


def _table(data: dict[str, Any]) -> pl.DataFrame:
    """The record's rows as the table (without their explanations, which are worked out)."""
    schema = _schema()
    rows = [{k: v for k, v in row.items() if k != "explanation"} for row in data["rows"]]
    if data["version"] == 1:
        rows = [_from_version_1(row) for row in rows]
    read = {c: (pl.String if t == pl.Date else t) for c, t in schema.items()}
    table = pl.DataFrame(rows, schema=read) if rows else pl.DataFrame(schema=read)
    return table.with_columns(pl.col(c).str.to_date() for c, t in schema.items() if t == pl.Date)


_POINTS = {
    "service": KEY,
    "kpi": KEY,
    "period": KEY,
    "chart": TEXT,
    "observed": pl.Float64,
    "target": pl.Float64,
    "mean": pl.Float64,
    "lower_limit": pl.Float64,
    "upper_limit": pl.Float64,
    "signal": TEXT,
}
_ICONS = {
    "service": KEY,
    "kpi": KEY,
    "points": pl.Int64,
    "chart": TEXT,
    "variation": TEXT,
    "assurance": TEXT,
    "target": pl.Float64,
    "compared": TEXT,
}
_KEYS = ("service", "provider", "kpi", "period")


def _schema() -> dict[str, pl.DataType]:
    floats = (
        "threshold",
        "numerator",
        "denominator",
        "value",
        "observed",
        "ci_lower",
        "ci_upper",
        "p_value",
        "min_detectable_shortfall",
        "count",
        "sd",
        "n",
    )
    ints = ("returns_due", "returns_made", "returns_rejected", "per")
    dates = ("commences", "stage_from", "stage_to")
    return {
        c: (
            pl.Float64()
            if c in floats
            else pl.Int64()
            if c in ints
            else pl.Date()
            if c in dates
            else pl.Boolean()
            if c == "complete"
            else pl.String()
            if c == "rejected_rows"
            else KEY()
            if c in _KEYS
            else TEXT()
        )
        for c in (*COLUMNS, *DETAIL)
    }


def _from_version_1(row: dict[str, Any]) -> dict[str, Any]:
    """A row of a version 1 record in version 2's terms: the returns made and due renamed, none
    recorded as rejected (version 1 did not attribute rejected rows to periods), how each
    period counted for escalation then, and a stage's exclusive end turned into its last day."""
    out = dict(row)
    made, due = out.pop("reported", None), out.pop("expected", None)
    until = out.pop("stage_until", None)
    out["returns_due"], out["returns_made"], out["returns_rejected"] = due, made, 0
    if made is None or due is None:
        out["complete"] = None
    else:
        out["complete"] = made >= due
    failure = None
    if due and made == 0:
        failure = "missing"
    elif due and made is not None and made < due:
        failure = "incomplete"
    out["reporting_failure"] = failure
    out["counted_as"] = _counted_in_version_1(out.get("status"), out.get("level"))
    out["rejected_rows"] = None
    out["combine"] = None
    last = last_day(date.fromisoformat(until)) if until else None
    out["stage_to"] = last.isoformat() if last else None
    return out


def _counted_in_version_1(status: str | None, level: str | None) -> str | None:
    """How release 0.1.0 counted a period for escalation: every verdict and every missing
    return was assessed; an underperforming period and a missing return were flagged, and an
    alarm was an alarm. A verdict on some of a period's returns counted as that verdict."""
    if status == "underperforming":
        return "alarm" if level == "alarm" else "flagged"
    if status == "not_reported":
        return "flagged"
    if status in ("met", "within_variation", "insufficient_data"):
        return "assessed"
    return None
