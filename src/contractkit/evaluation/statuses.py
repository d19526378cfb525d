"""The stable catalogue of statuses and levels a verdict can have.

Like a linter's rule codes, these never change meaning; tools may rely on them.
"""

from __future__ import annotations

__all__ = ["LEVELS", "STATUSES", "Status"]

STATUSES: dict[str, str] = {
    "met": "The observed value is on the right side of the threshold.",
    "within_variation": "Below the threshold, but not by more than chance explains: not a flag.",
    "underperforming": "Below the threshold by more than chance explains: flagged, at the "
    "warning or alarm level.",
    "insufficient_data": "Reported, but there is nothing to judge (a zero denominator or "
    "exposure, or a mean of fewer than two).",
    "not_reported": "Due, but no return was made: a finding, never a pass.",
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


class Status:
    """The status codes, as constants."""

    MET = "met"
    WITHIN_VARIATION = "within_variation"
    UNDERPERFORMING = "underperforming"
    INSUFFICIENT_DATA = "insufficient_data"
    NOT_REPORTED = "not_reported"
    NOT_DUE = "not_due"
    SHADOW = "shadow"
