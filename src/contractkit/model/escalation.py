"""Flag levels and the escalation policy: when persistence calls for the next contract step."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from contractkit.model._base import Issue, IssuesError, SpecModel, raise_if
from contractkit.model._types import StepName

__all__ = ["CONTRACT_MANAGEMENT", "EscalationRule", "Flags", "contract_management_stage"]

CONTRACT_MANAGEMENT: tuple[tuple[str, ...], ...] = (
    ("contract_performance_notice",),
    ("contract_management_meeting",),
    ("immediate_action_plan", "joint_investigation", "remedial_action_plan"),
    ("exception_notice",),
    ("withholding", "withhold_payment"),
    ("termination", "terminate"),
)
"""The steps of contract management in the NHS Standard Contract, least serious first.

General Condition 9 (Contract Management): a Contract Performance Notice; then a Contract
Management Meeting; at which the parties agree an Immediate Action Plan, a Joint Investigation
or a Remedial Action Plan (alternatives, so one stage); if a plan fails, an Exception Notice;
then withholding of a share of the monthly value; and at the last, termination (General
Condition 17). A contract that names these steps lists its rules in this order; steps it names
in its own words are not placed in it.
"""

_STAGE_OF = {step: stage for stage, steps in enumerate(CONTRACT_MANAGEMENT) for step in steps}


def contract_management_stage(step: str) -> int | None:
    """Where a step stands in the contract-management process (0 first), or None for a step
    named in the contract's own words.

    >>> contract_management_stage("remedial_action_plan"), contract_management_stage("review")
    (2, None)
    """
    return _STAGE_OF.get(step)


class Flags(SpecModel):
    """The one-sided significance levels at which a shortfall is flagged, the same for every
    provider. The defaults are the funnel plot's 95% and 99.8% limits."""

    warning: Annotated[float, Field(gt=0, lt=0.5)] = 0.025
    """A shortfall this unlikely by chance alone (p below it) is flagged at ``warning`` level."""
    alarm: Annotated[float, Field(gt=0, lt=0.5)] = 0.001
    """A shortfall this unlikely by chance alone is flagged at ``alarm`` level."""

    @model_validator(mode="after")
    def _ordered(self) -> Flags:
        if not self.alarm < self.warning:
            message = (
                f"the alarm level ({self.alarm}) must be stricter (smaller) than the warning "
                f"level ({self.warning})"
            )
            raise IssuesError([Issue(("alarm",), message)])
        return self


class EscalationRule(SpecModel):
    """One trigger for a step: so many flagged (or alarm-level) assessment periods within the most
    recent so many assessed periods of one service and KPI.

    The order of the rules is the order of the steps: a step first named later is more serious,
    and the steps of contract management keep the order of General Condition 9 of the NHS
    Standard Contract. Shadow periods never count; a period whose returns failed the reporting
    obligation counts as the contract's ``reporting`` section says (as flagged, unless it says
    otherwise).
    """

    step: StepName
    """The step, in the contract's words: ``contract_performance_notice``,
    ``remedial_action_plan``, ``exception_notice``, …"""
    flagged: Annotated[int, Field(gt=0)] | None = None
    """How many periods flagged at any level trigger the step."""
    alarms: Annotated[int, Field(gt=0)] | None = None
    """How many periods flagged at alarm level trigger the step."""
    within: Annotated[int, Field(gt=0)]
    """Counted within this many of the most recent assessed periods."""

    @model_validator(mode="after")
    def _check(self) -> EscalationRule:
        issues: list[Issue] = []
        if (self.flagged is None) == (self.alarms is None):
            issues.append(
                Issue((), "give either 'flagged' or 'alarms': how many periods trigger the step")
            )
        elif self.count > self.within:
            key = "flagged" if self.flagged is not None else "alarms"
            issues.append(
                Issue(
                    (key,), f"{self.count} periods cannot fall within the most recent {self.within}"
                )
            )
        raise_if(issues)
        return self

    @property
    def count(self) -> int:
        """The number of periods that triggers the step."""
        return self.flagged if self.flagged is not None else (self.alarms or 0)

    @property
    def alarms_only(self) -> bool:
        """Whether only alarm-level flags count."""
        return self.alarms is not None

    def describe(self) -> str:
        """The rule in words."""
        what = "alarm" if self.alarms_only else "flagged period"
        count = f"{self.count} {what}{'s' if self.count != 1 else ''}"
        window = (
            "the most recent assessed period"
            if self.within == 1
            else (f"the most recent {self.within} assessed periods")
        )
        return f"{count} within {window} → {self.step.replace('_', ' ')}"
