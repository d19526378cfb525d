"""Key performance indicators: what is measured, which way is better, what must be reached, and
the KPI in one plain-English sentence."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema, model_validator

from contractkit.errors import UnitError
from contractkit.model._base import Issue, SpecModel, raise_if
from contractkit.model._types import Id
from contractkit.model.embedding import Stage, StageMode
from contractkit.model.english import long_date
from contractkit.model.threshold import (
    THRESHOLD_JSON_SCHEMA,
    Absolute,
    Dated,
    FloorOrImprovement,
    Rule,
    Staged,
    Threshold,
    Trajectory,
    leaves,
    read_threshold,
    rules,
)
from contractkit.periods import Frequency
from contractkit.units import (
    PERCENT,
    Quantity,
    check_unit,
    dimension_name,
    format_number,
    per_text,
    same_dimension,
)

__all__ = ["KPI", "Combine", "Direction", "Measure"]


class Measure(enum.StrEnum):
    """What kind of number a KPI is, which decides how it is judged."""

    PROPORTION = "proportion"
    """x of n (a percentage): judged with an exact binomial test."""
    RATE = "rate"
    """Events per N of exposure (per 1,000 people on the caseload): an exact Poisson test."""
    MEAN = "mean"
    """A mean with a unit (minutes to first contact): a one-sided t-test."""
    COUNT = "count"
    """A count of events (never events): an exact Poisson test, or exact if zero tolerance."""


class Direction(enum.StrEnum):
    """Which way is better."""

    HIGHER = "higher"
    LOWER = "lower"


class Combine(enum.StrEnum):
    """How reported periods combine into an assessment period."""

    SUM = "sum"
    """Add numerators and denominators (a period total); means pool by count."""
    LAST = "last"
    """Take the last reported value (a month-end snapshot, such as a waiting list)."""
    CUMULATIVE = "cumulative"
    """Add everything from the start of the financial year to the period's end."""


def _dump_threshold(threshold: Threshold) -> Any:
    # Each threshold kind writes its own short form; a plain union would let pydantic pick the
    # wrong kind's serializer.
    return threshold.model_dump()


ThresholdField = Annotated[
    Threshold,
    BeforeValidator(read_threshold),
    PlainSerializer(_dump_threshold),
    WithJsonSchema(THRESHOLD_JSON_SCHEMA),
]


class KPI(SpecModel):
    """A key performance indicator, as a row of Schedule 4 would state it."""

    id: Id
    """A short id other parts of the contract use to name the KPI, such as ``ucr-2h``."""
    name: str
    """What the KPI measures, in words."""
    measure: Measure
    """``proportion``, ``rate`` (with ``per``), ``mean`` (with ``unit``) or ``count``."""
    unit: str | None = None
    """The unit of a ``mean`` (``minutes``, ``days``, ``weeks``) or of a ``count`` (``events``)."""
    per: Annotated[int, Field(gt=0)] | None = None
    """For a ``rate``: the exposure the rate is expressed per, such as ``1000``."""
    numerator: str | None = None
    """What is counted on top (with its exclusions)."""
    denominator: str | None = None
    """What it is counted out of (or the exposure, for a rate)."""
    better: Direction
    """Whether ``higher`` or ``lower`` values are better."""
    reported: Frequency
    """How often providers report it: ``monthly``, ``quarterly`` or ``annually``."""
    assessed: Frequency
    """The period it is judged over: the same as ``reported`` or longer."""
    combine: Combine = Combine.SUM
    """How reported periods make up an assessment period: ``sum``, ``last`` or ``cumulative``."""
    threshold: ThresholdField
    """What it must reach: see the threshold shapes in the docs."""
    clause: str | None = None
    """Where the contract states it, such as ``Schedule 4C LQR-01``."""

    @model_validator(mode="after")
    def _check(self) -> KPI:
        issues: list[Issue] = []
        self._check_shape(issues)
        if not issues:
            for path, value, role in leaves(self.threshold):
                message = self._problem_with(value, role)
                if message:
                    issues.append(Issue(("threshold", *path), message))
            for path, rule in rules(self.threshold):
                if isinstance(rule, FloorOrImprovement):
                    self._check_bounds(rule, ("threshold", *path), issues)
        raise_if(issues)
        return self

    def _check_shape(self, issues: list[Issue]) -> None:
        if self.measure is Measure.MEAN and self.unit is None:
            issues.append(Issue((), "a mean needs a 'unit', such as 'minutes'"))
        if self.measure is Measure.RATE and self.per is None:
            issues.append(Issue((), "a rate needs 'per': the exposure it is per, such as 1000"))
        if self.measure is not Measure.RATE and self.per is not None:
            issues.append(Issue(("per",), f"'per' is for rates; this KPI is a {self.measure}"))
        if self.measure in (Measure.PROPORTION, Measure.RATE) and self.unit is not None:
            issues.append(
                Issue(("unit",), f"a {self.measure} takes no unit (its threshold says how much)")
            )
        if self.unit is not None:
            try:
                unit = check_unit(self.unit)
            except UnitError as error:
                issues.append(Issue(("unit",), str(error)))
            else:
                if self.measure is Measure.COUNT and not same_dimension(unit, "count"):
                    issues.append(
                        Issue(
                            ("unit",),
                            f"a count's unit counts things; {self.unit!r} is "
                            f"{dimension_name(unit)}",
                        )
                    )
                if unit == PERCENT:
                    issues.append(Issue(("unit",), "use measure: proportion for a percentage"))
        if self.assessed.months < self.reported.months:
            issues.append(
                Issue(
                    ("assessed",),
                    f"assessed {self.assessed} but reported {self.reported}: a KPI cannot be "
                    "assessed more often than it is reported",
                )
            )

    def _problem_with(self, value: Quantity, role: str) -> str | None:
        """Why a threshold value does not fit this KPI, or None if it does."""
        try:
            level = self.level(value)
        except UnitError as error:
            return str(error)
        if level < 0:
            return f"{value} is negative; a threshold cannot be"
        if self.measure is Measure.PROPORTION and level > 1:
            if value.unit is None:
                return (
                    f"{value} is not a proportion: write a percentage such as "
                    f"'{value}%', or a fraction between 0 and 1"
                )
            return f"{value} is more than 100%"
        return None

    def _check_bounds(
        self, rule: FloorOrImprovement, path: tuple[str | int, ...], issues: list[Issue]
    ) -> None:
        if self.better is Direction.HIGHER and rule.floor is None:
            issues.append(Issue(path, "where higher is better, give a 'floor', not a 'ceiling'"))
        if self.better is Direction.LOWER and rule.ceiling is None:
            issues.append(Issue(path, "where lower is better, give a 'ceiling', not a 'floor'"))

    def level(self, value: Quantity) -> Decimal:
        """A threshold value in the KPI's own terms: a fraction for a proportion, the KPI's unit
        for a mean, events per ``per`` for a rate, a number for a count.

        Raises :class:`~contractkit.errors.UnitError` when the value cannot be read that way.
        """
        if self.measure is Measure.PROPORTION:
            if value.unit not in (None, PERCENT):
                raise UnitError(
                    f"{value} is {dimension_name(value.unit)}; a proportion's threshold is a "
                    "percentage such as 70%",
                    got=str(value),
                    expected="a percentage",
                )
            return value.fraction()
        if self.measure is Measure.MEAN:
            assert self.unit is not None
            if value.unit == PERCENT or (value.unit or "").startswith("per "):
                raise UnitError(
                    f"{value} is {dimension_name(value.unit or '')}, but this KPI is a mean "
                    f"measured in {self.unit} ({dimension_name(check_unit(self.unit))})",
                    got=str(value),
                )
            self._check_counted_thing(value)
            return value.to(self.unit)
        if self.measure is Measure.RATE:
            assert self.per is not None
            if value.unit is not None and not value.unit.startswith("per "):
                raise UnitError(
                    f"{value} is {dimension_name(value.unit)}; a rate's threshold is a number "
                    f"of events per {self.per:,}",
                    got=str(value),
                )
            return value.to(f"per {self.per}")
        if value.unit is not None and not same_dimension(value.unit, "count"):
            raise UnitError(
                f"{value} is {dimension_name(value.unit)}; a count's threshold is a number",
                got=str(value),
            )
        self._check_counted_thing(value)
        return value.magnitude

    def _check_counted_thing(self, value: Quantity) -> None:
        """A count in one unit (referrals) is not a count of another (events)."""
        if value.unit is None or self.unit is None:
            return
        own = check_unit(self.unit)
        if value.unit != own and same_dimension(own, "count") and value.unit != "count":
            raise UnitError(
                f"{value} counts {value.unit}s, but this KPI counts {own}s",
                got=str(value),
                expected=self.unit,
            )

    @property
    def zero_tolerance(self) -> bool:
        """A count that must be zero (never events): compared exactly, without statistics."""
        return (
            self.measure is Measure.COUNT
            and self.better is Direction.LOWER
            and all(self.level(v) == 0 for _, v, _ in leaves(self.threshold))
        )

    def summary(self) -> str:
        """The KPI in one plain-English sentence.

        Without the contract, stages it is monitored only in go unsaid: see
        :meth:`Contract.kpi_summary`.
        """
        return describe_kpi(self)

    def __repr_args__(self) -> Any:
        return [(k, v) for k, v in super().__repr_args__() if v is not None]


# --- the KPI in one sentence ---------------------------------------------------------------


def describe_level(kpi: KPI, value: Quantity | Decimal) -> str:
    """A threshold value as the KPI is measured: ``70%``, ``90 minutes``, ``12 per 1,000``."""
    level = kpi.level(value) if isinstance(value, Quantity) else value
    if kpi.measure is Measure.PROPORTION:
        return f"{format_number(level * 100)}%"
    if kpi.measure is Measure.RATE:
        assert kpi.per is not None
        return f"{format_number(level)} {per_text(kpi.per)}"
    if kpi.unit is not None:
        if isinstance(value, Quantity) and value.unit is not None:
            return str(value)  # as written: '1.5 hours' stays so, even for a KPI in minutes
        return str(Quantity(level, check_unit(kpi.unit)))
    return format_number(level)


def _comparator(kpi: KPI) -> str:
    return "at least" if kpi.better is Direction.HIGHER else "at most"


def _rule(kpi: KPI, rule: Rule, *, bare: bool = False) -> str:
    """A rule as a phrase; ``bare`` drops the comparator from a single value ("60%")."""
    compare = _comparator(kpi)
    if isinstance(rule, Absolute):
        if kpi.zero_tolerance:
            return "zero"
        level = describe_level(kpi, rule.value)
        return level if bare else f"{compare} {level}"
    if isinstance(rule, Dated):
        parts = [f"{describe_level(kpi, v)} from {long_date(d)}" for d, v in rule.values]
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return joined if bare else f"{compare} {joined}"
    if isinstance(rule, FloorOrImprovement):
        improvement = describe_level(kpi, rule.improvement)
        if kpi.measure is Measure.PROPORTION:
            improvement = improvement.removesuffix("%") + " percentage points"
        if kpi.better is Direction.HIGHER:
            return (
                f"at least the greater of {describe_level(kpi, rule.bound)} and the "
                f"service's baseline plus {improvement}"
            )
        return (
            f"at most the lesser of {describe_level(kpi, rule.bound)} and the service's "
            f"baseline minus {improvement}"
        )
    assert isinstance(rule, Trajectory)
    return "on the service's agreed trajectory"


def describe_kpi(kpi: KPI, stages: Sequence[Stage] = ()) -> str:
    """The KPI in one sentence.

    With the contract's stages, assessed stages the threshold does not name are said to be
    monitored only (shadow stages are never judged, so they go unsaid).
    """
    threshold = kpi.threshold
    if isinstance(threshold, Staged):
        main_name, main_rule = threshold.stages[-1]
        phrase = f"{_rule(kpi, main_rule)} once {main_name}"
        asides = [
            f"{_rule(kpi, rule, bare=True)} while {name}" for name, rule in threshold.stages[:-1]
        ]
        named = {name for name, _ in threshold.stages}
        unnamed = [s.stage for s in stages if s.stage not in named and s.mode is StageMode.ASSESSED]
        if unnamed:
            asides.append("monitored only while " + " or ".join(unnamed))
        if asides:
            phrase += f" ({'; '.join(asides)})"
    else:
        phrase = _rule(kpi, threshold)
    return f"{kpi.name} must be {phrase}, assessed {kpi.assessed}"
