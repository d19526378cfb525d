"""Earning curves: how much of an incentive indicator's share a level of achievement earns.

A **linear** curve earns nothing at or worse than ``zero_at``, everything at or better than
``full_at``, and pro rata between (``{zero_at: 60%, full_at: 80%}``: 70% earns half). **Bands**
pay a fixed part of the share for each range of achievement; each band after the first opens at
its edge, ``at_least`` or ``above`` it where higher is better (``at_most`` or ``below`` it where
lower is better), and the first band covers everything worse than the second's edge.

Which way is better comes from the KPI, so the same curve means the same thing for everyone.
Earnings are exact fractions: money is rounded once, when the fraction is applied to a share.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pydantic import model_validator

from contractkit.model._base import Issue, IssuesError, SpecModel
from contractkit.units import PERCENT, Quantity

__all__ = ["Band", "Bands", "Curve", "Linear", "band_issues", "earns", "percentage"]


def percentage(value: Quantity, *, at_most_100: bool = True) -> str | None:
    """Why ``value`` is not a usable percentage (a part of a payment), or None if it is."""
    if value.unit != PERCENT:
        if value.unit is None and 0 < value.magnitude < 1:
            meant = (value.magnitude * 100).normalize()
            return f"write {value} as a percentage: {meant:f}% (a fraction is not read as one)"
        if value.unit is None:
            return f"write {value} as a percentage, such as {value.magnitude}%"
        return f"{value} is not a percentage: write it as a percentage, such as 2%"
    if value.magnitude < 0:
        return f"{value} is negative"
    if at_most_100 and value.magnitude > 100:
        return f"{value} is more than 100%"
    return None


class Linear(SpecModel):
    """Nothing at or worse than ``zero_at``, all at or better than ``full_at``, pro rata
    between."""

    zero_at: Quantity
    """The achievement that earns nothing (and anything worse)."""
    full_at: Quantity
    """The achievement that earns the whole share (and anything better)."""

    def edges(self) -> tuple[Quantity, ...]:
        return (self.zero_at, self.full_at)


_EDGES = ("at_least", "above", "at_most", "below")


class Band(SpecModel):
    """A range of achievement and the part of the share it pays.

    The first band has no edge; each later band opens at one edge: ``at_least`` (the edge
    included) or ``above`` (excluded) where higher is better, ``at_most`` or ``below`` where
    lower is better.
    """

    pays: Quantity
    """The part of the indicator's share the band pays, as a percentage."""
    at_least: Quantity | None = None
    """Higher is better: the band opens at this achievement, which it includes."""
    above: Quantity | None = None
    """Higher is better: the band opens just above this achievement."""
    at_most: Quantity | None = None
    """Lower is better: the band opens at this achievement, which it includes."""
    below: Quantity | None = None
    """Lower is better: the band opens just below this achievement."""

    @model_validator(mode="after")
    def _check(self) -> Band:
        issues: list[Issue] = []
        given = [name for name in _EDGES if getattr(self, name) is not None]
        if len(given) > 1:
            issues.append(Issue((given[1],), f"give one edge, not {' and '.join(given)}"))
        problem = percentage(self.pays)
        if problem:
            issues.append(Issue(("pays",), problem))
        if issues:
            raise IssuesError(issues)
        return self

    @property
    def edge(self) -> tuple[str, Quantity] | None:
        """The edge's kind and value, or None for the first band."""
        for name in _EDGES:
            value = getattr(self, name)
            if value is not None:
                return name, value
        return None

    @property
    def part(self) -> Fraction:
        """What the band pays, as an exact fraction of the share."""
        return Fraction(self.pays.magnitude) / 100


def band_issues(bands: tuple[Band, ...]) -> list[Issue]:
    """Problems with a list of bands as a whole (each band's own are its own), at paths into
    the list."""
    issues: list[Issue] = []
    if len(bands) < 2:
        return [
            Issue(
                (),
                "give at least two bands: the first (just 'pays'), and one or more opening at "
                "an edge",
            )
        ]
    if bands[0].edge is not None:
        issues.append(
            Issue(
                (0, bands[0].edge[0]),
                "the first band covers everything below the second band's edge, so it "
                "takes no edge of its own: write just its 'pays'",
                at_key=True,
            )
        )
    for index, band in enumerate(bands[1:], start=1):
        if band.edge is None:
            issues.append(
                Issue(
                    (index,),
                    "each band after the first opens at an edge: 'at_least' or 'above' "
                    "where higher is better, 'at_most' or 'below' where lower is better",
                )
            )
    kinds = {band.edge[0] for band in bands if band.edge is not None}
    if kinds & {"at_least", "above"} and kinds & {"at_most", "below"}:
        issues.append(
            Issue(
                (),
                "the bands mix edges for higher-is-better ('at_least', 'above') and "
                "lower-is-better ('at_most', 'below'): use one pair",
            )
        )
    for index in range(1, len(bands)):
        if bands[index].part < bands[index - 1].part:
            issues.append(
                Issue(
                    (index, "pays"),
                    f"pays {bands[index].pays}, less than the band before "
                    f"({bands[index - 1].pays}): better achievement never earns less",
                )
            )
    return issues


class Bands(SpecModel):
    """Bands of achievement, from the worst to the best, each paying a part of the share.
    Written as a plain list of bands."""

    bands: tuple[Band, ...]
    """The bands, from the worst achievement to the best."""

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return {"bands": value} if isinstance(value, list | tuple) else value

    @model_validator(mode="after")
    def _check(self) -> Bands:
        issues = band_issues(self.bands)
        if issues:
            raise IssuesError([Issue(("bands", *i.path), i.message, i.at_key) for i in issues])
        return self

    @property
    def higher_is_better(self) -> bool:
        return any(b.edge is not None and b.edge[0] in ("at_least", "above") for b in self.bands)

    def edges(self) -> tuple[Quantity, ...]:
        return tuple(band.edge[1] for band in self.bands if band.edge is not None)


Curve = Linear | Bands


def earns(curve: Curve, achieved: Fraction, levels: tuple[Fraction, ...], higher: bool) -> Fraction:
    """The part of the share earned (0 to 1, exact) at ``achieved``: ``levels`` are the curve's
    edges in the KPI's terms (:meth:`~contractkit.model.KPI.level`), in the curve's order;
    ``higher`` says whether higher is better."""
    sign = 1 if higher else -1
    if isinstance(curve, Linear):
        zero, full = (sign * level for level in levels)
        value = sign * achieved
        if value >= full:
            return Fraction(1)
        if value <= zero:
            return Fraction(0)
        return (value - zero) / (full - zero)
    part = curve.bands[0].part
    value = sign * achieved
    for band, level in zip(curve.bands[1:], levels, strict=True):
        assert band.edge is not None  # every band after the first has one (validated)
        inclusive = band.edge[0] in ("at_least", "at_most")
        edge = sign * level
        if value > edge or (inclusive and value == edge):
            part = band.part
        else:
            break
    return part
