"""The stable catalogue of statuses and levels a verdict can have.

Like a linter's rule codes, these never change meaning; tools may rely on them.
"""

from __future__ import annotations

__all__ = ["COUNTED_AS", "LEVELS", "REPORTING_FAILURES", "STATUSES", "Status"]

STATUSES: dict[str, str] = {
    "met": "The observed value is on the right side of the threshold.",
    "within_variation": "Below the threshold, but not by more than chance explains: not a flag.",
    "underperforming": "Below the threshold by more than chance explains: flagged, at the "
    "warning or alarm level.",
    "insufficient_data": "Reported, but there is nothing to judge (a zero denominator or "
    "exposure, or a mean of fewer than two).",
    "incomplete": "Some of the period's returns are missing or rejected, and those that arrived "
    "cannot settle the verdict (a count the missing returns could still take from a pass to a "
    "flag or from a shortfall to a pass, a snapshot without its last return, or such a "
    "year-to-date figure without a return due earlier in the year): a failure to report, never "
    "a pass.",
    "rejected_return": "Returns were made for the period, but every one was rejected (each "
    "row is listed with its reason): a failure to report, never a pass.",
    "not_reported": "Due, but no return was made: a failure to report, never a pass.",
    "not_due": "Before the service commenced, or after it ended: nothing is due.",
    "shadow": "Monitored only (a shadow stage, a stage the threshold does not name, or no "
    "threshold yet in force): shown with its would-be status, never flagged, never counted "
    "towards escalation.",
}
"""Every status, with its one-line description."""

LEVELS: dict[str, str] = {
    "warning": "p below the contract's warning level (0.025 unless the contract says otherwise).",
    "alarm": "p below the contract's alarm level (0.001 unless the contract says otherwise).",
}
"""The levels of an ``underperforming`` verdict."""

REPORTING_FAILURES: dict[str, str] = {
    "missing": "Returns were due for the period and none was made.",
    "rejected": "Returns were made for the period, and every one was rejected.",
    "incomplete": "Some of the period's due returns were not made, or were rejected (or, for a "
    "year-to-date figure, a return due earlier in the year).",
}
"""How a period's returns fell short of the reporting obligation (Schedule 6)."""

COUNTED_AS: dict[str, str] = {
    "alarm": "Counted by the escalation rules as a period flagged at the alarm level.",
    "flagged": "Counted by the escalation rules as a flagged period.",
    "assessed": "Counted by the escalation rules as an assessed period that is not flagged.",
}
"""How a period counts when the escalation rules count the most recent assessed periods (a
period counted as none of these is passed over: shadow, not due, or a failure to report the
contract says not to count)."""


class Status:
    """The status codes, as constants."""

    MET = "met"
    WITHIN_VARIATION = "within_variation"
    UNDERPERFORMING = "underperforming"
    INSUFFICIENT_DATA = "insufficient_data"
    INCOMPLETE = "incomplete"
    REJECTED_RETURN = "rejected_return"
    NOT_REPORTED = "not_reported"
    NOT_DUE = "not_due"
    SHADOW = "shadow"
