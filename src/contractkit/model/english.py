"""KPIs and thresholds in plain English, for summaries, the CLI and notebooks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from contractkit.errors import UnitError
from contractkit.model.embedding import Stage, StageMode
from contractkit.model.kpi import KPI, Direction, Measure
from contractkit.model.threshold import (
    Absolute,
    Dated,
    FloorOrImprovement,
    Rule,
    Staged,
    Trajectory,
)
from contractkit.units import Quantity, check_unit, format_number, per_text

__all__ = ["article", "counted", "describe_kpi", "describe_level", "figure", "long_date"]


def long_date(day: date) -> str:
    """``1 April 2026``."""
    return f"{day.day} {day:%B %Y}"


def figure(value: float) -> str:
    """A figure as people write it: three significant figures, thousands separated, never in
    e-notation (``3.69``, ``1,234``, ``0.163``, ``1,717`` for 1716.6); a whole number whole.

        >>> figure(1716.6), figure(3.68888), figure(1800.0), figure(0.0253)
        ('1,717', '3.69', '1,800', '0.0253')
    """
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    text = f"{value:.3g}"
    if "e" in text:
        return f"{value:,.0f}"
    return f"{float(text):,}" if abs(float(text)) >= 1000 else text


def counted(value: float, unit: str) -> str:
    """A count in its unit as people write it, the unit in the plural unless the count is one:

        >>> counted(2, "incident"), counted(1, "event"), counted(3.68888, "event")
        ('2 incidents', '1 event', '3.69 events')
        >>> counted(1500, "event"), counted(1, "incident")
        ('1,500 events', '1 incident')

    A unit contractkit does not know (read back from an old record) is shown as written.
    """
    try:
        canonical = check_unit(unit)
    except UnitError:
        return f"{figure(value)} {unit}"
    noun = str(Quantity(Decimal(1 if value == 1 else 2), canonical)).split(" ", 1)[1]
    return f"{figure(value)} {noun}"


def article(noun: str) -> str:
    """'a' or 'an', for a noun in words: 'an exception notice', 'a remedial action plan'."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


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
