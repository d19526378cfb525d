"""Whole pence written as money is written, whatever their size: for messages about totals that
may pass the largest amount a :class:`~contractkit.money.Money` holds.

>>> pence_text(-123456789)
'−£1,234,567.89'
>>> pence_text(10**20)
'£1,000,000,000,000,000,000.00'
"""

from __future__ import annotations

__all__ = ["MINUS", "pence_text"]

MINUS = "\u2212"
"""The minus sign money is written with (U+2212), not a hyphen."""


def pence_text(pence: int) -> str:
    """Pence as pounds and pence, with a thousands comma and a true minus."""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{MINUS if pence < 0 else ''}£{pounds:,}.{pennies:02d}"
