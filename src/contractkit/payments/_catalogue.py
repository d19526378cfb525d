"""The statement's stable codes: the kinds of line (elements) and the column of the statement
each counts in, the figures given for each provider, and what a statement can find. Like the
evaluation's statuses, they never change meaning; tools may rely on them."""

from __future__ import annotations

__all__ = ["CATEGORIES", "ELEMENTS", "ELEMENT_WORDS", "FIGURES", "STATEMENT_FINDINGS"]

ELEMENTS: dict[str, str] = {
    "fixed": "due",
    "incentive_advance": "due",
    "variable": "earned",
    "outcome": "earned",
    "incentive_year_end": "earned",
    "consequence": "deducted",
    "withheld": "withheld",
    "repaid": "repaid",
    "retained": "retained",
}
"""Each kind of line, and the column of the statement it counts in."""

ELEMENT_WORDS: dict[str, str] = {
    "fixed": "fixed payment",
    "incentive_advance": "incentive paid in advance",
    "variable": "variable payment",
    "outcome": "outcome payments",
    "incentive_year_end": "incentive reconciled at the year end",
    "consequence": "consequences",
    "withheld": "withheld",
    "repaid": "repaid",
    "retained": "retained (kept for good; already withheld)",
}
"""Each kind of line in words, as an explanation names it."""

CATEGORIES = ("due", "earned", "deducted", "withheld", "repaid", "retained")
"""The statement's columns: payable = due + earned − deducted − withheld + repaid; retained is
withheld money kept for good (already counted when it was withheld)."""

FIGURES = ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained", "held")
"""Each provider's figures (and the statement's, in all): the categories, what is payable, and
what is held at the period's end (withheld and not yet repaid or retained)."""

STATEMENT_FINDINGS: dict[str, str] = {
    "no_activity": "a service with a variable payment reported no activity for a month",
    "payment_limit_reached": "activity in a month went unpaid: it is above the payment limit "
    "for the year",
    "withholding_in_force": "money is being withheld while an escalation step is in force",
    "retained": "money withheld was retained: the step did not clear in time",
    "indicator_not_reported": "an incentive indicator earned nothing: no return was made for "
    "one of the year's periods",
    "per_person_cap_reached": "outcome payments for a person reached the per-person cap",
    "outcome_cap_reached": "outcome payments reached the contract's cap",
}
"""What a statement can find: stable codes, each with a one-line description."""
