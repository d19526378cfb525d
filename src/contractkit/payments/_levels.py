"""A KPI's levels (a threshold, a tolerance, an achievement) as exact fractions: read from the
evaluation's table as the decimals they were written as, and written back in the KPI's own
terms (``70%``, ``12.5 per 1,000``, ``85 minutes``) for the statement's words."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from contractkit.model import KPI, Measure

__all__ = ["exact_level", "level_words"]


def exact_level(value: float) -> Fraction:
    """A threshold from the evaluation's table, read as the decimal it was written as (0.7 is
    seven tenths, not the float nearest it)."""
    return Fraction(Decimal(repr(value)))


def level_words(kpi: KPI, value: Fraction, *, places: int | None = None) -> str:
    """A level in the KPI's terms: as written where it is exact in a few places (a threshold's
    70%, 12.5 per 1,000), else to ``places`` decimal places (an achievement's 72.14%)."""
    scale = 100 if kpi.measure is Measure.PROPORTION else 1
    number = value * scale
    exact = Decimal(number.numerator) / Decimal(number.denominator)
    if places is None and exact == exact.quantize(Decimal("0.0001")):
        text = f"{exact.normalize():f}"
    else:
        text = f"{float(number):.{2 if places is None else places}f}"
    if kpi.measure is Measure.PROPORTION:
        return f"{text}%"
    if kpi.measure is Measure.MEAN:
        return f"{text} {kpi.unit}"
    if kpi.measure is Measure.RATE:
        return f"{text} per {kpi.per:,}"
    return text
