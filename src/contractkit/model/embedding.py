"""Embedding stages: new services get time to bed in, counted from each service's commencement."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from typing import Annotated

import attrs
from pydantic import Field, field_validator

from contractkit.errors import PeriodError
from contractkit.model._base import SpecModel
from contractkit.model._types import Id
from contractkit.periods import add_months

__all__ = ["Stage", "StageMode", "StageSpan", "schedule"]


class StageMode(enum.StrEnum):
    """Whether a stage's periods are judged."""

    ASSESSED = "assessed"
    """Judged against the stage's threshold, with the contract's consequences."""
    SHADOW = "shadow"
    """Reported and shown, never flagged, no consequence."""


MAX_STAGE_MONTHS = 1200
"""The longest a stage may last, in months: a hundred years, beyond any contract's term."""


class Stage(SpecModel):
    """One embedding stage, such as ``mobilisation`` or ``established``.

    Stages follow each other from a service's commencement date, each lasting ``months``
    calendar months; the last stage has no ``months`` and runs to the end of the term.
    """

    stage: Id
    """The stage's name, used as a key in staged thresholds."""
    months: Annotated[int, Field(gt=0, json_schema_extra={"maximum": MAX_STAGE_MONTHS})] | None = (
        None
    )
    """How many calendar months the stage lasts (none for the last stage), at most 1,200."""

    @field_validator("months")
    @classmethod
    def _within_a_lifetime(cls, months: int | None) -> int | None:
        if months is not None and months > MAX_STAGE_MONTHS:
            shown = f"{months:,}" if months < 10**30 else "10^30 or more"
            raise ValueError(
                f"a stage of {shown} months is longer than any contract: a stage lasts at most "
                f"{MAX_STAGE_MONTHS:,} months (a hundred years)"
            )
        return months

    mode: StageMode = StageMode.ASSESSED
    """``assessed`` (the default) or ``shadow`` (reported, never flagged)."""

    @field_validator("stage")
    @classmethod
    def _nameable(cls, name: str) -> str:
        from contractkit.model.threshold import is_stage_name

        if not is_stage_name(name):
            raise ValueError(
                f"{name!r} cannot name a stage: it reads as a date or a threshold "
                "keyword (floor, ceiling, improvement, trajectory)"
            )
        return name


ESTABLISHED = Stage.model_construct(stage="established")
"""The single stage a contract without an ``embedding`` section has (built without validation,
a stage known to be good, so that importing the model builds no validator)."""


@attrs.frozen
class StageSpan:
    """When a stage applies to one service: from ``start`` up to (not including) ``end``."""

    stage: Stage
    start: date
    end: date | None
    """The first day of the next stage, or None for the last stage."""

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day and (self.end is None or day < self.end)


def schedule(stages: Sequence[Stage], commences: date) -> tuple[StageSpan, ...]:
    """The dates each stage applies to a service that commences on ``commences``.

    >>> spans = schedule([Stage(stage="embedding", months=9), ESTABLISHED], date(2026, 7, 1))
    >>> [(s.stage.stage, str(s.start)) for s in spans]
    [('embedding', '2026-07-01'), ('established', '2027-04-01')]
    """
    spans: list[StageSpan] = []
    elapsed = 0
    for stage in stages:
        start = _months_after(commences, elapsed)
        if start is None:
            break  # the stages before it run past the end of the calendar
        if stage.months is None:
            spans.append(StageSpan(stage, start, None))
            break
        elapsed += stage.months
        spans.append(StageSpan(stage, start, _months_after(commences, elapsed)))
    return tuple(spans)


def _months_after(day: date, months: int) -> date | None:
    """``months`` calendar months after ``day``, or None past the end of the calendar (a stage
    that ends there never ends)."""
    try:
        return add_months(day, months)
    except PeriodError:
        return None
