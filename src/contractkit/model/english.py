"""Figures, counts and dates in plain English, for summaries, explanations and the CLI.

Nothing here reads the model: a KPI's own sentence is :meth:`contractkit.model.KPI.summary`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from contractkit.errors import UnitError
from contractkit.units import Quantity, check_unit

__all__ = ["article", "counted", "figure", "long_date"]


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
