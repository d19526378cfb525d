"""Thresholds: what a KPI must reach, and how that changes with stage and date.

A contract writes a threshold in one of five shapes::

    threshold: 70%                      # absolute: one value throughout
    threshold:                          # dated: the value in force on a date
      2026-04-01: 12
      2027-04-01: 10
    threshold:                          # floor or improvement: the greater of a floor and the
      floor: 65%                        # service's baseline plus an improvement (for a KPI where
      improvement: 7%                   # lower is better: 'ceiling', the lesser of the two)
    threshold: trajectory               # each service's own agreed trajectory
    threshold:                          # staged: any of the above per embedding stage; a stage
      embedding: 60%                    # not named is monitored only (no verdict)
      established: 70%

The same shapes are accepted from Python (as the same dicts and strings), and the classes below
are what they become.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any, TypeAlias

from pydantic import ValidationInfo, model_serializer, model_validator

from contractkit.errors import UnitError
from contractkit.model._base import SpecModel
from contractkit.model._dates import Day, looks_like_a_date, read_day
from contractkit.model.issues import Issue, IssuesError, Path
from contractkit.units import PER_PERIOD, QUANTITY_JSON_SCHEMA, Quantity

__all__ = [
    "Absolute",
    "Dated",
    "FloorOrImprovement",
    "Rule",
    "Staged",
    "Threshold",
    "Trajectory",
    "parse_threshold",
    "read_threshold",
]

_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOUND_KEYS = frozenset({"floor", "ceiling", "improvement"})
TRAJECTORY = "trajectory"


class Absolute(SpecModel):
    """One value, throughout the term."""

    value: Quantity
    """The threshold, in the KPI's unit (a percentage for a proportion)."""

    @model_serializer
    def _shorthand(self) -> Any:
        return self.value.to_plain()


class Dated(SpecModel):
    """Values that change on dates: each applies from its date until the next one.

    For an assessment period, the value in force on the period's first day applies; a period
    that starts before the first date has no threshold (it is monitored only).
    """

    values: tuple[tuple[Day, Quantity], ...]
    """(date, value) pairs in date order."""

    @model_validator(mode="after")
    def _ordered(self) -> Dated:
        days = [day for day, _ in self.values]
        if not days:
            raise ValueError("values by date need at least one date")
        if any(later <= earlier for earlier, later in itertools.pairwise(days)):
            raise ValueError("the dates must be in order, each given once")
        return self

    def in_force(self, day: date) -> Quantity | None:
        """The value in force on ``day``, or None before the first date."""
        current = None
        for start, value in self.values:
            if start <= day:
                current = value
        return current

    @model_serializer
    def _shorthand(self) -> Any:
        return {start: value.to_plain() for start, value in self.values}


class FloorOrImprovement(SpecModel):
    """The greater of a floor and the service's baseline plus an improvement.

    For a KPI where lower is better it is mirrored: the lesser of a ``ceiling`` and the baseline
    minus the improvement. Each service using the KPI gives its baseline under ``baselines``.
    An improvement in percent is in percentage points (65% + 7% is 72%).
    """

    floor: Quantity | None = None
    """The least acceptable value, whatever the baseline (KPIs where higher is better)."""
    ceiling: Quantity | None = None
    """The most acceptable value, whatever the baseline (KPIs where lower is better)."""
    improvement: Quantity
    """The gain on the service's baseline that is required."""

    @model_validator(mode="after")
    def _one_bound(self) -> FloorOrImprovement:
        if (self.floor is None) == (self.ceiling is None):
            raise ValueError("give a floor or a ceiling (one of the two)")
        return self

    @property
    def bound(self) -> Quantity:
        """The floor or the ceiling, whichever is given."""
        bound = self.floor if self.floor is not None else self.ceiling
        assert bound is not None  # guaranteed by parse_threshold and the KPI's checks
        return bound

    @model_serializer
    def _shorthand(self) -> Any:
        key = "floor" if self.floor is not None else "ceiling"
        return {key: self.bound.to_plain(), "improvement": self.improvement.to_plain()}


class Trajectory(SpecModel):
    """Each service's own agreed trajectory, given under the service's ``trajectories``."""

    @model_serializer
    def _shorthand(self) -> Any:
        return TRAJECTORY


Rule: TypeAlias = Absolute | Dated | FloorOrImprovement | Trajectory
"""A threshold that is not staged."""


class Staged(SpecModel):
    """A threshold for each embedding stage; a stage not named is monitored only."""

    stages: tuple[tuple[str, Rule], ...]
    """(stage name, threshold) pairs, as written."""

    @model_validator(mode="after")
    def _named(self) -> Staged:
        names = [name for name, _ in self.stages]
        if not names:
            raise ValueError("a staged threshold names at least one stage")
        if len(set(names)) != len(names):
            raise ValueError("each stage may be named once")
        for name in names:
            if not is_stage_name(name):
                raise ValueError(
                    f"{name!r} cannot name a stage: it reads as a date or a threshold keyword"
                )
        return self

    def rule_for(self, stage: str) -> Rule | None:
        """The threshold in a stage, or None if the stage is monitored only."""
        for name, rule in self.stages:
            if name == stage:
                return rule
        return None

    @model_serializer
    def _shorthand(self) -> Any:
        return {name: rule.model_dump() for name, rule in self.stages}


Threshold: TypeAlias = Absolute | Dated | FloorOrImprovement | Trajectory | Staged
"""Any threshold."""

_THRESHOLD_TYPES = (Absolute, Dated, FloorOrImprovement, Trajectory, Staged)


def is_stage_name(name: str) -> bool:
    """Whether a name can name a stage: not a date, nor a word a threshold uses itself."""
    return not _is_date_key(name) and name not in _BOUND_KEYS | {TRAJECTORY}


def _is_date_key(key: object) -> bool:
    """A key written as a date in any form (``2026-04-01``, ``01/04/2026``, ``1 April 2026``),
    so that a date written the wrong way is reported as a date, not taken for a stage."""
    return isinstance(key, date) or (isinstance(key, str) and looks_like_a_date(key))


def _key_text(key: object) -> str:
    return key.isoformat() if isinstance(key, date) else str(key)


PerPeriodHint = Callable[[object], str]
"""What to say of a threshold written per a length of time (``2 per quarter``), given it."""


def _quantity(
    raw: object, path: Path, issues: list[Issue], hint: PerPeriodHint | None = None
) -> Quantity | None:
    try:
        return Quantity.parse(raw)
    except UnitError as error:
        per_period = error.expected == PER_PERIOD and hint is not None
        issues.append(Issue(path, hint(raw) if per_period and hint else str(error)))
        return None


def _parse(
    raw: object,
    path: Path,
    issues: list[Issue],
    *,
    staged: bool,
    hint: PerPeriodHint | None = None,
) -> Threshold | None:
    if isinstance(raw, _THRESHOLD_TYPES):
        if isinstance(raw, Staged) and not staged:
            issues.append(Issue(path, "a stage's threshold cannot itself be staged"))
            return None
        return raw
    if isinstance(raw, str) and raw.strip().lower() == TRAJECTORY:
        return Trajectory()
    if not isinstance(raw, Mapping):
        value = _quantity(raw, path, issues, hint)
        return Absolute(value=value) if value is not None else None
    if not raw:
        issues.append(Issue(path, "an empty threshold: give a value, or values by date or stage"))
        return None
    keys = list(raw)
    if all(_is_date_key(k) for k in keys):
        return _parse_dated(raw, path, issues, hint)
    if any(_is_date_key(k) for k in keys):
        issues.append(
            Issue(path, "mixes dates and other keys: give values by date, or by stage, not both")
        )
        return None
    text_keys = {str(k) for k in keys}
    if text_keys & _BOUND_KEYS and text_keys <= _BOUND_KEYS:
        return _parse_bounds(raw, path, issues, hint)
    if not staged:
        issues.append(Issue(path, "a stage's threshold cannot itself be staged"))
        return None
    stages: list[tuple[str, Rule]] = []
    for key, value in raw.items():
        rule = _parse(value, (*path, str(key)), issues, staged=False, hint=hint)
        if rule is not None:
            assert not isinstance(rule, Staged)
            stages.append((str(key), rule))
    return Staged(stages=tuple(stages)) if len(stages) == len(raw) else None


def _parse_dated(
    raw: Mapping[Any, Any], path: Path, issues: list[Issue], hint: PerPeriodHint | None
) -> Dated | None:
    values: dict[date, Quantity] = {}
    ok = True
    for key, value in raw.items():
        key_path = (*path, _key_text(key))
        try:
            start = read_day(key)
        except ValueError as error:
            issues.append(Issue(key_path, str(error), at_key=True))
            ok = False
            continue
        if start in values:
            issues.append(Issue(key_path, f"the date {start} is given twice", at_key=True))
            ok = False
        quantity = _quantity(value, key_path, issues, hint)
        if quantity is None:
            ok = False
        else:
            values[start] = quantity
    if not ok:
        return None
    return Dated(values=tuple(sorted(values.items())))


def _parse_bounds(
    raw: Mapping[Any, Any], path: Path, issues: list[Issue], hint: PerPeriodHint | None
) -> FloorOrImprovement | None:
    given = {str(k): v for k, v in raw.items()}
    before = len(issues)
    if "floor" in given and "ceiling" in given:
        issues.append(Issue(path, "give a floor or a ceiling, not both"))
    elif "floor" not in given and "ceiling" not in given:
        issues.append(Issue(path, "missing 'floor' (or 'ceiling', where lower is better)"))
    if "improvement" not in given:
        issues.append(Issue(path, "missing 'improvement': the gain on each service's baseline"))
    parsed = {k: _quantity(v, (*path, k), issues, hint) for k, v in given.items()}
    if len(issues) > before:
        return None
    return FloorOrImprovement(
        floor=parsed.get("floor"), ceiling=parsed.get("ceiling"), improvement=parsed["improvement"]
    )


def parse_threshold(raw: object) -> Threshold:
    """Read a threshold from its written form (or take a threshold object as it is).

        >>> parse_threshold("70%")
        Absolute(value=Quantity('70%'))
        >>> parse_threshold({"embedding": "60%", "established": "70%"}).rule_for("embedding")
        Absolute(value=Quantity('60%'))

    Problems are raised together, each at its path below the threshold.
    """
    return _read(raw, None)


def _read(raw: object, hint: PerPeriodHint | None) -> Threshold:
    issues: list[Issue] = []
    threshold = _parse(raw, (), issues, staged=True, hint=hint)
    if issues or threshold is None:
        raise IssuesError(issues or [Issue((), "not a threshold")])
    return threshold


_EACH = {"monthly": "each month", "quarterly": "each quarter", "annually": "each financial year"}
_PERIOD_WORDS = {"monthly": ("month",), "quarterly": ("quarter",), "annually": ("year", "annum")}
_NUMBER_AT_START = re.compile(r"^\s*([+-]?[0-9][0-9,]*(?:\.[0-9]+)?)")


def read_threshold(raw: object, info: ValidationInfo) -> Threshold:
    """A KPI's threshold, as :func:`parse_threshold` reads it; one written per a length of time
    (``2 per quarter``) is refused saying what the threshold is for this KPI's measure, and
    over which period it is judged (the KPI's ``measure`` and ``assessed``, read before it)."""
    measure = str(info.data.get("measure", "") or "")
    assessed = str(info.data.get("assessed", "") or "")
    per = info.data.get("per")

    def hint(value: object) -> str:
        text = str(value).strip()
        each = _EACH.get(assessed)
        over = (
            f"{each}, as this KPI is assessed {assessed}"
            if each
            else "the period it is assessed over"
        )
        number = _NUMBER_AT_START.match(text)
        written_per = text[number.end() :].strip().lower() if number else ""
        same = any(word in written_per for word in _PERIOD_WORDS.get(assessed, ()))
        if measure == "count":
            write = (
                f"write {number.group(1)}"
                if number and same
                else f"write the number allowed in {each or 'each assessment period'}"
            )
            return (
                f"{text!r}: a count's threshold is a number for the whole assessment period "
                f"({over}), so {write}"
            )
        what = {
            "proportion": "a percentage, such as 70%",
            "mean": "a quantity in the KPI's unit, such as 90 minutes",
            "rate": f"a number of events per {per:,}" if isinstance(per, int) else "a rate",
        }.get(measure, "a number")
        return (
            f"{text!r}: a {measure or 'KPI'}'s threshold is {what}, judged over the whole "
            f"assessment period ({over}): give it without 'per' a length of time"
        )

    return _read(raw, hint)


def leaves(threshold: Threshold) -> Iterator[tuple[Path, Quantity, str]]:
    """Every value in a threshold with its path and role (``'level'`` or ``'improvement'``)."""
    if isinstance(threshold, Staged):
        for name, rule in threshold.stages:
            for path, value, role in leaves(rule):
                yield (name, *path), value, role
    elif isinstance(threshold, Absolute):
        yield (), threshold.value, "level"
    elif isinstance(threshold, Dated):
        for start, value in threshold.values:
            yield (start.isoformat(),), value, "level"
    elif isinstance(threshold, FloorOrImprovement):
        key = "floor" if threshold.floor is not None else "ceiling"
        yield (key,), threshold.bound, "level"
        yield ("improvement",), threshold.improvement, "improvement"


def rules(threshold: Threshold) -> Iterator[tuple[Path, Rule]]:
    """Every unstaged rule in a threshold, with its path (one per stage for a staged one)."""
    if isinstance(threshold, Staged):
        for name, rule in threshold.stages:
            yield (name,), rule
    else:
        yield (), threshold


THRESHOLD_JSON_SCHEMA: dict[str, Any] = {
    "description": "What the KPI must reach: one value (70%); values by date "
    "({2026-04-01: 12, 2027-04-01: 10}); a floor and an improvement on each service's baseline "
    "({floor: 65%, improvement: 7%}); 'trajectory' (each service's agreed trajectory); or any of "
    "these per embedding stage ({embedding: 60%, established: 70%}). A stage not named is "
    "monitored only.",
    "anyOf": [
        QUANTITY_JSON_SCHEMA,
        {"const": TRAJECTORY, "description": "Each service's own agreed trajectory."},
        {
            "type": "object",
            "title": "Values by date",
            "propertyNames": {"pattern": _DATE_KEY.pattern},
            "additionalProperties": QUANTITY_JSON_SCHEMA,
            "minProperties": 1,
        },
        {
            "type": "object",
            "title": "Floor (or ceiling) or improvement",
            "properties": {
                "floor": QUANTITY_JSON_SCHEMA,
                "ceiling": QUANTITY_JSON_SCHEMA,
                "improvement": QUANTITY_JSON_SCHEMA,
            },
            "required": ["improvement"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "title": "Values by embedding stage",
            "minProperties": 1,
            "additionalProperties": {
                "anyOf": [
                    QUANTITY_JSON_SCHEMA,
                    {"const": TRAJECTORY},
                    {"type": "object"},
                ]
            },
        },
    ],
}
