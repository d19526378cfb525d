"""The contract's term: the days it runs, first and last included."""

from __future__ import annotations

from datetime import date

from pydantic import model_validator

from contractkit.model._base import Issue, IssuesError, SpecModel
from contractkit.model._dates import Day

__all__ = ["Term"]


class Term(SpecModel):
    """The contract's term: from ``start`` to ``end``, both days included."""

    start: Day
    """The first day of the contract."""
    end: Day
    """The last day of the contract."""

    @model_validator(mode="after")
    def _ordered(self) -> Term:
        if self.end <= self.start:
            raise IssuesError(
                [
                    Issue(
                        ("end",),
                        f"the term ends ({self.end}) on or before it starts ({self.start})",
                    )
                ]
            )
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end
