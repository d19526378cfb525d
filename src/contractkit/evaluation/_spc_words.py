"""SPC in words, for explanations and the icons' table: each chart's name, and what a point is
compared with (``≤ 2 a quarter, as 0.67 a month``), the threshold on the point's own scale (see
:mod:`._spc`)."""

from __future__ import annotations

__all__ = ["CHART_WORDS", "EVERY_WORDS", "PERIOD_WORDS", "compared"]

CHART_WORDS = {
    "xmr": "XmR chart",
    "c": "c-chart with exact Poisson limits",
    "u": "u-chart with exact Poisson limits",
    "p": "p-chart",
    "p_prime": "Laney p′ chart",
    "u_prime": "Laney u′ chart",
}
"""Each chart in words, for explanations."""
PERIOD_WORDS = {1: "month", 3: "quarter", 12: "year"}
EVERY_WORDS = {1: "monthly", 3: "quarterly", 12: "annual"}


def _number(value: float) -> str:
    """A threshold as people write it: 2, 0.67, 1,000, 70%."""
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"


def compared(
    *,
    measure: str,
    better: str,
    threshold: float,
    unit: str | None,
    per: int | None,
    reported: int,
    assessed: int,
    combine: str,
    covered: int,
) -> str:
    """What an SPC point is compared with, in words: ``≤ 2 a quarter, as 0.67 a month``,
    ``≥ 70%``, ``≤ 12 per 1,000``, ``≤ 90 minutes``. ``covered`` is the months a cumulative
    total covers by the end of the assessment period."""
    sign = "≥" if better == "higher" else "≤"
    if measure == "proportion":
        return f"{sign} {_number(threshold * 100)}%"
    if measure == "rate":
        base = f" per {per:,}" if per and per != 1 else ""
        return f"{sign} {_number(threshold)}{base}"
    if measure == "mean":
        return f"{sign} {_number(threshold)} {unit or ''}".strip()
    point = PERIOD_WORDS.get(reported, f"{reported} months")
    if threshold == 0 and better == "lower":
        return "none (zero tolerance)"
    if combine == "last":
        return f"{sign} {_number(threshold)} (the latest {point})"
    if combine == "cumulative":
        share = threshold * reported / covered
        return f"{sign} {_number(threshold)} in the year to date, as {_number(share)} a {point}"
    whole = PERIOD_WORDS.get(assessed, f"{assessed} months")
    if reported == assessed:
        return f"{sign} {_number(threshold)} a {whole}"
    share = threshold * reported / assessed
    return f"{sign} {_number(threshold)} a {whole}, as {_number(share)} a {point}"
