"""The reporting obligation (Schedule 6): how a failure to report counts towards escalation.

A return that is due and not made, made but rejected, or a period with only some of its
returns, is a failure of the provider's duty to report — never a pass. It is shown as what it
is (``not_reported``, ``rejected_return``, ``incomplete``), never dressed up as a verdict on
performance; the contract says how much such a failure weighs when the escalation rules count
flagged periods. The same rule applies to every service alike.
"""

from __future__ import annotations

import enum

from contractkit.model._base import SpecModel

__all__ = ["Reporting", "ReportingCount"]


class ReportingCount(enum.StrEnum):
    """How a failure to report counts when the escalation rules count periods."""

    FLAGGED = "flagged"
    """As a flagged period (at the warning level): rules counting flags count it."""
    ALARM = "alarm"
    """As a period flagged at the alarm level: rules counting flags or alarms count it."""
    NOT_COUNTED = "not_counted"
    """Not at all: the rules pass over the period (its verdict, where it has one, still counts)."""


class Reporting(SpecModel):
    """How a failure to report counts towards escalation.

    A return that is due and not made, made but rejected, or a period with only some of its
    returns, is a failure of the provider's duty to report (Schedule 6). It is shown as what it
    is (``not_reported``, ``rejected_return``, ``incomplete``), never as a pass; this section
    says how much it weighs when the escalation rules count flagged periods, the same for every
    service. Each kind counts as a flagged period unless the contract says otherwise: a
    missing or invalid return must never count for less than a verdict the provider could
    have avoided by not reporting. A period flagged on its own evidence counts as flagged (or
    as an alarm) whatever its returns. For example, ``reporting: {missing: alarm, incomplete:
    not_counted}``.
    """

    missing: ReportingCount = ReportingCount.FLAGGED
    """How a period counts when its returns were due and none was made (``not_reported``)."""
    rejected: ReportingCount | None = None
    """How a period counts when returns were made but every one was rejected
    (``rejected_return``). Unless stated, as ``missing`` says."""
    incomplete: ReportingCount | None = None
    """How a period counts when some of its due returns are missing or rejected
    (``incomplete``, or a verdict made on the returns that arrived). Unless stated, as
    ``missing`` says."""

    @property
    def for_rejected(self) -> ReportingCount:
        """How a rejected return counts (``rejected``, or else as ``missing``)."""
        return self.rejected or self.missing

    @property
    def for_incomplete(self) -> ReportingCount:
        """How an incomplete period counts (``incomplete``, or else as ``missing``)."""
        return self.incomplete or self.missing

    def describe(self) -> str:
        """How a failure to report counts, in words, as the contract's summary says it.

        >>> Reporting().describe()
        'a failure to report (a return missing or rejected, a period incomplete) counts as a flagged period'
        """  # noqa: E501  # a doctest's output is one line
        counts = (
            ("a missing return", self.missing),
            ("a rejected return", self.for_rejected),
            ("an incomplete period", self.for_incomplete),
        )
        if len({count for _, count in counts}) == 1:
            return (
                "a failure to report (a return missing or rejected, a period incomplete) "
                f"counts as {_WORDS[self.missing]}"
            )
        each = "; ".join(f"{what}, {_WORDS[count]}" for what, count in counts)
        return f"a failure to report counts as: {each}"


_WORDS = {
    ReportingCount.FLAGGED: "a flagged period",
    ReportingCount.ALARM: "an alarm",
    ReportingCount.NOT_COUNTED: "nothing (the rules pass over it)",
}
