"""Explanations: why a row of an evaluation came out as it did, in plain English first."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from contractkit.evaluation._spc import CHART_WORDS, EVERY_WORDS, PERIOD_WORDS, compared
from contractkit.model.english import long_date
from contractkit.periods import parse_period

__all__ = ["Explanation", "explain_row"]

_TESTS = {
    "proportion": "a one-sided exact binomial test",
    "rate": "a one-sided exact Poisson test",
    "count": "a one-sided exact Poisson test",
    "mean": "a one-sided t-test",
}
_STATUS_WORDS = {
    "met": "met",
    "within_variation": "below the threshold, but within expected variation (not a flag)",
    "underperforming": "underperforming",
    "insufficient_data": "insufficient data to judge",
    "not_reported": "not reported: the return was due and none was made",
    "not_due": "not due: the service had not commenced",
    "shadow": "monitored only (shadow)",
}


@attrs.frozen
class Explanation:
    """An explanation: ``text`` to read, ``fields`` for tools."""

    text: str
    fields: dict[str, Any]

    def __str__(self) -> str:
        return self.text


def _day(text: str | None) -> str:
    return long_date(date.fromisoformat(text)) if text else "the end of the term"


def _last_day(until: str | None) -> str:
    """The last day of a stage that ends (exclusively) on ``until``."""
    if not until:
        return "the end of the term"
    return long_date(date.fromordinal(date.fromisoformat(until).toordinal() - 1))


def _level(row: dict[str, Any], value: float | None) -> str:
    """A value in the KPI's terms: 71.2%, 11.3 per 1,000, 84.5 minutes, 2."""
    if value is None:
        return "—"
    measure = row["measure"]
    if measure == "proportion":
        return f"{value * 100:.1f}%"
    if measure == "rate":
        return f"{value:.3g} per {int(row.get('per') or 1):,}" if row.get("per") else f"{value:.3g}"
    if measure == "mean":
        unit = row.get("unit") or ""
        return f"{value:.4g} {unit}".strip()
    return f"{value:g}"


def _p(value: float) -> str:
    """A p-value, honest about underflow."""
    return "p < 1e-300" if value == 0 else f"p = {value:.3g}"


def _count(value: float) -> str:
    """A count with thousands separators: 69,953."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _numbers(row: dict[str, Any]) -> str:
    measure = row["measure"]
    if row["observed"] is None and row["n"] is None:
        return (
            "no return was made for this period"
            if row["status"] in ("not_reported", "shadow")
            else "no figures"
        )
    interval = ""
    if row["ci_lower"] is not None and row["ci_upper"] is not None:
        interval = (
            f" (95% interval {_level(row, row['ci_lower'])} to {_level(row, row['ci_upper'])})"
        )
    part = ""
    if (
        row.get("expected")
        and row.get("reported") is not None
        and row["reported"] < row["expected"]
    ):
        part = (
            f"; only {row['reported']} of the {row['expected']} returns due in the period "
            "were made, and the figures are those"
        )
    if measure == "proportion":
        return (
            f"{_count(row['numerator'])} of {_count(row['denominator'])} = "
            f"{_level(row, row['observed'])}{interval}{part}"
        )
    if measure == "rate":
        return (
            f"{_count(row['numerator'])} events over an exposure of {_count(row['denominator'])} = "
            f"{_level(row, row['observed'])}{interval}{part}"
        )
    if measure == "mean":
        sd = f", standard deviation {row['sd']:.4g}" if row.get("sd") is not None else ""
        cases = _count(row["count"])
        return f"mean {_level(row, row['observed'])} over {cases} cases{sd}{interval}{part}"
    events = row["numerator"]
    noun = "event" if events == 1 else "events"
    return f"{_count(events)} {noun}{interval}{part}"


def explain_row(row: dict[str, Any], meta: dict[str, Any]) -> Explanation:
    """The explanation of one row of an evaluation table."""
    status = row["status"]
    head = f"{row['service']} / {row['kpi']} / {row['period']}: {_STATUS_WORDS[status]}"
    if status == "underperforming" and row["level"]:
        head += f", at the {row['level']} level"
    if status == "shadow" and row.get("would_be"):
        would = _STATUS_WORDS.get(row["would_be"], row["would_be"])
        head += f"; it would be {would}"
        if row.get("would_be_level"):
            head += f" at the {row['would_be_level']} level"
    lines = [head + "."]

    stage = (
        f"Stage: {row['stage']} ({row['stage_mode']}). The service commenced on "
        f"{_day(row['commences'])}; its {row['stage']} stage runs from "
        f"{_day(row['stage_from'])} to "
        f"{_last_day(row['stage_until'])}, and a "
        "period takes the stage in force on its first day."
    )
    if status == "not_due":
        stage = (
            f"The service commences on {_day(row['commences'])}, after this period: nothing is due."
        )
    lines.append(stage)
    if status == "shadow":
        if row["stage_mode"] == "shadow":
            lines.append(
                "Periods in a shadow stage are reported, never flagged, and never count "
                "towards escalation."
            )
        elif row["threshold"] is None:
            lines.append("No threshold is in force for this period, so the KPI is monitored only.")
        else:
            lines.append(
                f"The KPI's threshold does not name the {row['stage']} stage, so it is "
                "monitored only in it."
            )
    zero_tolerance = (
        row["measure"] == "count" and row["better"] == "lower" and row["threshold"] == 0
    )
    if row["threshold"] is not None and status != "not_due":
        whose = (
            f" (the {row['threshold_stage']} stage's threshold)"
            if row.get("threshold_stage") and row["threshold_stage"] != row["stage"]
            else ""
        )
        comparator = "at least" if row["better"] == "higher" else "at most"
        target = (
            "zero (zero tolerance)"
            if zero_tolerance
            else (f"{comparator} {_level(row, row['threshold'])}")
        )
        kind = (row.get("threshold_kind") or "").replace("_", " ")
        detail = f", {row['threshold_detail']}" if row.get("threshold_detail") else ""
        lines.append(
            f"Threshold: {target}{whose}; {kind}{detail}; written at {row['threshold_source']}."
        )
    if status not in ("not_due",):
        lines.append(f"Numbers: {_numbers(row)}.")
    verdict = row["would_be"] if status == "shadow" else status
    flags = meta["flags"]
    test = _TESTS.get(row["measure"], "a one-sided test")
    would = "would be " if status == "shadow" else ""
    if verdict == "met":
        lines.append(
            "Result: the observed value is on the right side of the threshold, so it "
            f"{'would be met' if would else 'is met'} (no test is needed)."
        )
    elif zero_tolerance and verdict == "underperforming":
        lines.append(
            "Result: zero tolerance is compared exactly, with no statistics: any event "
            f"breaches it, so it {would or 'is '}flagged at the alarm level."
        )
    elif verdict in ("within_variation", "underperforming") and row["p_value"] is not None:
        level = row["would_be_level"] if status == "shadow" else row["level"]
        outcome = (
            f"below the {level} level ({flags[level]}): {would}flagged at the {level} level"
            if level
            else f"not below the warning level ({flags['warning']}): {would or ''}not a flag"
        )
        lines.append(
            f"Test: {test} of the chance of a result this far from the threshold if true "
            f"performance were exactly at it: {_p(row['p_value'])}, {outcome}."
        )
    elif verdict == "insufficient_data":
        lines.append(
            "Result: there is nothing to judge (a zero denominator or exposure, or a "
            "mean from fewer than two cases)."
        )
    shortfall = row.get("min_detectable_shortfall")
    if shortfall is not None and status not in ("not_due",):
        size = (
            f"{shortfall * 100:.1f} percentage points"
            if row["measure"] == "proportion"
            else _level(row, shortfall)
        )
        lines.append(
            f"Power: with this many cases, a true shortfall of {size} from the threshold would "
            "be flagged (at the warning level) 80% of the time."
        )
    if row.get("spc_signal"):
        lines.append(_spc_sentence(row, meta))
    if row.get("escalation"):
        lines.append(
            f"Escalation: {row['escalation'].replace('_', ' ')} — "
            f"{row['escalation_rule'] or 'in force from an earlier period'}."
        )
    elif status not in ("not_due", "shadow"):
        lines.append("Escalation: no step is called for.")
    fields = dict(row)
    return Explanation(text="\n".join(lines), fields=fields)


def _spc_sentence(row: dict[str, Any], meta: dict[str, Any]) -> str:
    """The SPC sentence: the profile, the chart, the returns charted, the signal, and what each
    point was compared with where that differs from the threshold as written (a count's share
    of its assessment period's)."""
    signal = row["spc_signal"].replace("_", " ")
    chart = CHART_WORDS.get(row.get("spc_chart") or "", "")
    reporting = (meta.get("reporting") or {}).get(row["kpi"])
    every = EVERY_WORDS.get(reporting["reported"], "reported") if reporting else "reported"
    how = f", {chart}" if chart else ""
    text = f"SPC ({meta['profile']} rules{how}, on the {every} returns): {signal}."
    if (
        reporting
        and row["measure"] == "count"
        and row["threshold"] is not None
        and reporting["reported"] != reporting["assessed"]
    ):
        period = parse_period(row["period"])
        year_start = date(period.start.year - (period.start.month < 4), 4, 1)
        covered = (period.end.year - year_start.year) * 12 + period.end.month - year_start.month
        words = compared(
            measure="count",
            better=row["better"],
            threshold=row["threshold"],
            unit=row.get("unit"),
            per=row.get("per"),
            reported=reporting["reported"],
            assessed=reporting["assessed"],
            combine=reporting["combine"],
            covered=covered,
        )
        each = PERIOD_WORDS.get(reporting["reported"], "return")
        text += f" Each {each}'s count is compared with {words}."
    return text
