"""Explanations: why a row of an evaluation came out as it did, in plain English first.

Every explanation says what evidence the verdict stands on: the returns due, made and rejected
(each rejected row with its reason), and whether the figure is the whole period's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from contractkit.evaluation._spc_words import CHART_WORDS, EVERY_WORDS, PERIOD_WORDS, compared
from contractkit.model.english import counted, long_date
from contractkit.periods import parse_canonical
from contractkit.results import Explanation

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
    "incomplete": "incomplete: some of the period's returns are missing or rejected, and those "
    "that arrived cannot settle the verdict",
    "rejected_return": "rejected return: returns were made for the period, but every one was "
    "rejected",
    "not_reported": "not reported: the returns were due and none was made",
    "not_due": "not due",
    "shadow": "monitored only (shadow)",
}


def _failure_words(row: Mapping[str, Any]) -> str:
    """How the period's returns fell short, in words."""
    failure = row["reporting_failure"]
    if failure == "missing":
        return "no return was made"
    if failure == "rejected":
        return "every return made was rejected"
    short = (row.get("returns_due") or 0) - (row.get("returns_made") or 0)
    if short <= 0:
        return "its figure for the year to date lacks a return due earlier in the year"
    how = "missing or rejected" if row.get("returns_rejected") else "missing"
    verb = "is" if short == 1 else "are"
    return f"{short} of its {row.get('returns_due')} returns {verb} {how}"


_FREQUENCY = {1: "month", 3: "quarter", 12: "financial year"}
_SHOWN_REJECTED = 10
"""At most this many rejected rows are quoted in an explanation."""


def _date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _day(value: date | str | None) -> str:
    day = _date(value)
    return long_date(day) if day else "the end of the term"


def _counted(row: Mapping[str, Any], value: float) -> str:
    """A count in the KPI's own unit: '2 incidents', '1 event', '3.69 events'."""
    return counted(value, row.get("unit") or "event")


def _level(row: Mapping[str, Any], value: float | None) -> str:
    """A value in the KPI's terms: 71.2%, 11.3 per 1,000, 84.5 minutes, 2 incidents."""
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
    return _counted(row, value)


def _p(value: float) -> str:
    """A p-value, honest about underflow."""
    return "p < 1e-300" if value == 0 else f"p = {value:.3g}"


def _count(value: float) -> str:
    """A count with thousands separators: 69,953."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,}"


def _assessment(row: Mapping[str, Any]) -> str:
    """The assessment period's kind, in words: quarter, month, financial year."""
    period = str(row["period"])
    if "Q" in period:
        return "quarter"
    return "month" if "-" in period else "financial year"


def _returns(row: Mapping[str, Any], rejected: Mapping[int, tuple[str, str]]) -> str | None:
    """What the verdict stands on: the returns due, made and rejected, each rejected row named."""
    due = row.get("returns_due")
    if due is None or row["status"] == "not_due":
        return None
    made = row.get("returns_made") or 0
    dropped = row.get("returns_rejected") or 0
    noun = "return" if due == 1 else "returns"
    text = f"Returns: {made} of the {due} {noun} due {'was' if made == 1 else 'were'} made"
    if made < due:
        text += f" ({due - made} missing)" if not dropped else ""
    if dropped:
        # The rows named on the row: "14, 15, 16", or the first few "… and 5 more".
        rows = str(row.get("rejected_rows") or "").split(" and ")[0]
        listed = [r.strip() for r in rows.split(",") if r.strip().isdigit()]
        text += f"; {dropped} {'row was' if dropped == 1 else 'rows were'} rejected"
        quoted = []
        for number in listed[:_SHOWN_REJECTED]:
            found = rejected.get(int(number))
            quoted.append(f"row {number}: {found[1]}" if found else f"row {number}")
        if quoted:
            text += " (" + "; ".join(quoted)
            more = dropped - len(quoted)
            text += f"; and {more} more)" if more > 0 else ")"
    if _year_short(row):
        text += (
            "; a return due earlier in the year is missing or rejected, so the figure for the "
            "year to date is that of the returns made"
        )
    elif row.get("complete") is False and made:
        text += (
            "; the figure for the year to date is that of the returns made"
            if row.get("combine") == "cumulative"
            else "; the figures are those of the returns made"
        )
    return text + "."


def _year_short(row: Mapping[str, Any]) -> bool:
    """A year-to-date figure whose own period's returns were all made, but which lacks a
    return due earlier in its year."""
    made, due = row.get("returns_made") or 0, row.get("returns_due") or 0
    return row.get("combine") == "cumulative" and row.get("complete") is False and made >= due


def _numbers(row: Mapping[str, Any]) -> str:
    measure = row["measure"]
    if row["observed"] is None and row["n"] is None:
        if row.get("returns_made"):
            return "none"
        if row.get("returns_rejected"):
            return "none: every return made for this period was rejected"
        return "no return was made for this period"
    interval = ""
    if row["ci_lower"] is not None and row["ci_upper"] is not None:
        interval = (
            f" (95% interval {_level(row, row['ci_lower'])} to {_level(row, row['ci_upper'])})"
        )
    if measure == "proportion":
        return (
            f"{_count(row['numerator'])} of {_count(row['denominator'])} = "
            f"{_level(row, row['observed'])}{interval}"
        )
    if measure == "rate":
        return (
            f"{_count(row['numerator'])} events over an exposure of {_count(row['denominator'])} = "
            f"{_level(row, row['observed'])}{interval}"
        )
    if measure == "mean":
        sd = f", standard deviation {row['sd']:.4g}" if row.get("sd") is not None else ""
        cases = _count(row["count"])
        return f"mean {_level(row, row['observed'])} over {cases} cases{sd}{interval}"
    so_far = " in the returns made" if row.get("complete") is False else ""
    if row.get("combine") == "cumulative":
        so_far = f" in the year to date{so_far and ','}{so_far}"
    return f"{_counted(row, row['numerator'])}{so_far}{interval}"


def _unsettled(row: Mapping[str, Any]) -> str:
    """Why an incomplete period has no verdict."""
    if row.get("combine") == "last" or row["measure"] != "count":
        return (
            "Result: the period's figure is its last return's, and that return is missing or "
            "rejected: an earlier return is a different figure, so the period is not judged."
        )
    if row["better"] == "lower":
        return (
            "Result: the missing returns could only add to the count, so the returns made can "
            "show a breach but never a pass; they show no breach, so the period is not judged "
            "until every return is in."
        )
    return (
        "Result: the missing returns could only add to the count, so the returns made can show "
        "a pass but never a breach; they do not yet reach the threshold, so the period is not "
        "judged until every return is in."
    )


def _head(row: Mapping[str, Any]) -> str:
    status = row["status"]
    head = f"{row['service']} / {row['kpi']} / {row['period']}: {_STATUS_WORDS[status]}"
    if status == "not_due":
        head += ": the service had " + ("not commenced" if _not_commenced(row) else "ended")
    if status == "underperforming" and row["level"]:
        head += f", at the {row['level']} level"
    if status == "shadow" and row.get("would_be"):
        would = _STATUS_WORDS.get(row["would_be"], row["would_be"])
        head += f"; it would be {would}"
        if row.get("would_be_level"):
            head += f" at the {row['would_be_level']} level"
    verdict = status in ("met", "within_variation", "underperforming", "insufficient_data")
    if verdict and row.get("complete") is False:
        made, due = row.get("returns_made") or 0, row.get("returns_due") or 0
        if row.get("combine") == "cumulative":
            head += ", judged on the returns of the year to date that were made"
        else:
            head += f", judged on the {made} of {due} returns due that were made"
    return head + "."


def _not_commenced(row: Mapping[str, Any]) -> bool:
    """A period that is not due because it ends before the service commenced (else, because it
    starts after the service ended)."""
    commences = _date(row["commences"])
    return commences is None or commences >= parse_canonical(str(row["period"])).end


def _stage(row: Mapping[str, Any]) -> str:
    if row["status"] == "not_due":
        if not _not_commenced(row):
            return "The service ended before this period began: nothing is due."
        commences = _day(row["commences"])
        return f"The service commences on {commences}, after this period: nothing is due."
    return (
        f"Stage: {row['stage']} ({row['stage_mode']}). The service commenced on "
        f"{_day(row['commences'])}; its {row['stage']} stage runs from "
        f"{_day(row['stage_from'])} to {_day(row['stage_to'])}, and a period takes the stage "
        "in force on its first day."
    )


def _threshold(row: Mapping[str, Any], zero_tolerance: bool) -> str:
    whose = (
        f" (the {row['threshold_stage']} stage's threshold)"
        if row.get("threshold_stage") and row["threshold_stage"] != row["stage"]
        else ""
    )
    comparator = "at least" if row["better"] == "higher" else "at most"
    if zero_tolerance:
        target = "zero (zero tolerance)"
    else:
        target = f"{comparator} {_level(row, row['threshold'])}"
    if row["measure"] == "count":
        period = _assessment(row)
        if row.get("combine") == "cumulative" and period != "financial year":
            target += f" in the financial year to the end of the {period}"
        elif row.get("combine") == "last":
            target += f" in the {period}'s last return"
        else:
            target += f" in the {period}"
    kind = (row.get("threshold_kind") or "").replace("_", " ")
    detail = f", {row['threshold_detail']}" if row.get("threshold_detail") else ""
    return f"Threshold: {target}{whose}; {kind}{detail}; written at {row['threshold_source']}."


def _result(row: Mapping[str, Any], meta: Mapping[str, Any], zero_tolerance: bool) -> str | None:
    status = row["status"]
    verdict = row["would_be"] if status == "shadow" else status
    would = "would be " if status == "shadow" else ""
    if verdict == "met":
        return (
            "Result: the observed value is on the right side of the threshold, so it "
            f"{'would be met' if would else 'is met'} (no test is needed)."
        )
    if zero_tolerance and verdict == "underperforming":
        return (
            "Result: zero tolerance is compared exactly, with no statistics: any event "
            f"breaches it, so it {would or 'is '}flagged at the alarm level."
        )
    if verdict in ("within_variation", "underperforming") and row["p_value"] is not None:
        flags = meta["flags"]
        test = _TESTS.get(row["measure"], "a one-sided test")
        level = row["would_be_level"] if status == "shadow" else row["level"]
        outcome = (
            f"below the {level} level ({flags[level]}): {would}flagged at the {level} level"
            if level
            else f"not below the warning level ({flags['warning']}): {would or ''}not a flag"
        )
        return (
            f"Test: {test} of the chance of a result this far from the threshold if true "
            f"performance were exactly at it: {_p(row['p_value'])}, {outcome}."
        )
    if verdict == "insufficient_data":
        return (
            "Result: there is nothing to judge (a zero denominator or exposure, or a "
            "mean from fewer than two cases)."
        )
    if verdict == "incomplete":
        return _unsettled(row)
    return None


def _power(row: Mapping[str, Any]) -> str | None:
    shortfall = row.get("min_detectable_shortfall")
    if shortfall is None or row["status"] == "not_due":
        return None
    measure = row["measure"]
    if measure == "proportion":
        size = f"{shortfall * 100:.1f} percentage points"
    else:
        size = _level(row, shortfall)
    excess = measure in ("count", "rate") and row["better"] == "lower"
    gap = f"excess of {size} over" if excess else f"shortfall of {size} from"
    return (
        f"Power: with this many cases, a true {gap} the threshold would be flagged (at the "
        "warning level) 80% of the time."
    )


def _escalation(row: Mapping[str, Any]) -> str | None:
    status = row["status"]
    if status in ("not_due", "shadow"):
        return None
    failure = row.get("reporting_failure")
    counted = row.get("counted_as")
    parts = []
    if failure:
        parts.append(_reporting_words(row, failure, counted))
    if row.get("escalation") and counted is None:
        parts.append(
            f"Escalation: {row['escalation'].replace('_', ' ')}, in force from an earlier "
            f"period ({row['escalation_rule']})."
            if row.get("escalation_rule")
            else f"Escalation: {row['escalation'].replace('_', ' ')}, in force from an earlier "
            "period."
        )
    elif row.get("escalation"):
        parts.append(
            f"Escalation: {row['escalation'].replace('_', ' ')} — "
            f"{row['escalation_rule'] or 'in force from an earlier period'}."
        )
    else:
        parts.append("Escalation: no step is called for.")
    return "\n".join(parts)


def _reporting_words(row: Mapping[str, Any], failure: str, counted: str | None) -> str:
    """How a failure to report counted towards escalation."""
    weight = {"alarm": "a period flagged at the alarm level", "flagged": "a flagged period"}
    if row["status"] == "underperforming":  # flagged on its own evidence
        own = weight["alarm" if row["level"] == "alarm" else "flagged"]
        return (
            f"Reporting: {_failure_words(row)}, a failure to report (Schedule 6); the "
            f"period counts towards escalation as {weight.get(str(counted), own)}."
        )
    if counted in weight:
        return (
            f"Reporting: {_failure_words(row)}, a failure to report (Schedule 6), never "
            f"a pass; the contract counts it towards escalation as {weight[str(counted)]} "
            f"(reporting.{failure})."
        )
    if counted == "assessed":
        return (
            f"Reporting: {_failure_words(row)}, a failure to report (Schedule 6), never "
            "a pass; the contract does not count the failure itself towards escalation "
            f"(reporting.{failure}: not_counted): the period counts as its verdict, an "
            "assessed period that is not flagged."
        )
    return (
        f"Reporting: {_failure_words(row)}, a failure to report (Schedule 6), never "
        f"a pass; the contract does not count it towards escalation (reporting."
        f"{failure}: not_counted): the rules pass over the period."
    )


def explain_row(
    row: Mapping[str, Any],
    meta: Mapping[str, Any],
    rejected: Mapping[int, tuple[str, str]] | None = None,
) -> Explanation:
    """The explanation of one row of an evaluation table. ``rejected`` gives each rejected
    input row's reason and message, by row number, to quote the rows a period's returns lost."""
    status = row["status"]
    lines = [_head(row), _stage(row)]
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
        lines.append(_threshold(row, zero_tolerance))
    evidence = _returns(row, rejected or {})
    if evidence:
        lines.append(evidence)
    if status != "not_due":
        lines.append(f"Numbers: {_numbers(row)}.")
    for part in (_result(row, meta, zero_tolerance), _power(row)):
        if part:
            lines.append(part)
    if row.get("spc_signal"):
        lines.append(_spc_sentence(row, meta))
    escalation = _escalation(row)
    if escalation:
        lines.append(escalation)
    return Explanation(text="\n".join(lines), fields=dict(row))


def _spc_sentence(row: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    """The SPC sentence: the profile, the chart, the returns charted, the signal, and what each
    point was compared with where that differs from the threshold as written (a count's share
    of its assessment period's)."""
    signal = row["spc_signal"].replace("_", " ")
    chart = CHART_WORDS.get(row.get("spc_chart") or "", "")
    reporting = (meta.get("frequencies") or {}).get(row["kpi"])
    every = EVERY_WORDS.get(reporting["reported"], "reported") if reporting else "reported"
    how = f", {chart}" if chart else ""
    text = f"SPC ({meta['profile']} rules{how}, on the {every} returns): {signal}."
    if (
        reporting
        and row["measure"] == "count"
        and row["threshold"] is not None
        and reporting["reported"] != reporting["assessed"]
    ):
        period = parse_canonical(row["period"])
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
