"""Payment terms: the finance section's earning curves, worked out by hand at and between their
edges, their properties for any valid curve, every check of the section located at its line, and
the round trip. Nothing in the section can name a type of provider."""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from typer.testing import CliRunner

import contractkit
from _support import edit, locate
from contractkit import Problem, SpecError
from contractkit.cli import app
from contractkit.model.earning import Bands, Curve, Linear, earns
from contractkit.model.payment_terms import Finance, Indicator, curve_issues

# --- hand-computed earnings ------------------------------------------------------------------

LINEAR = Linear.model_validate({"zero_at": "60%", "full_at": "80%"})
LINEAR_LEVELS = (Fraction(3, 5), Fraction(4, 5))

BANDS = Bands.model_validate(
    [
        {"pays": "0%"},
        {"above": "50%", "pays": "25%"},
        {"at_least": "60%", "pays": "50%"},
        {"at_least": "65%", "pays": "75%"},
        {"at_least": "70%", "pays": "100%"},
    ]
)
BANDS_LEVELS = (Fraction(1, 2), Fraction(3, 5), Fraction(13, 20), Fraction(7, 10))

MINUTES_BANDS = Bands.model_validate(
    [
        {"pays": "0%"},
        {"below": "120 minutes", "pays": "50%"},
        {"at_most": "90 minutes", "pays": "100%"},
    ]
)
MINUTES_BANDS_LEVELS = (Fraction(120), Fraction(90))

MINUTES_LINEAR = Linear.model_validate({"zero_at": "120 minutes", "full_at": "60 minutes"})
MINUTES_LINEAR_LEVELS = (Fraction(120), Fraction(60))


def percent(text: str) -> Fraction:
    """``"72.5"`` as the exact proportion 29/40."""
    return Fraction(Decimal(text)) / 100


@pytest.mark.parametrize(
    ("achieved", "part"),
    [
        ("59", Fraction(0)),
        ("60", Fraction(0)),
        ("70", Fraction(1, 2)),
        ("72.5", Fraction(5, 8)),
        ("80", Fraction(1)),
        ("95", Fraction(1)),
    ],
)
def test_linear_nothing_below_60_all_at_80(achieved: str, part: Fraction) -> None:
    assert earns(LINEAR, percent(achieved), LINEAR_LEVELS, True) == part


@pytest.mark.parametrize(
    ("achieved", "part"),
    [
        ("0", Fraction(0)),
        ("50", Fraction(0)),  # 'above' 50%: 50% itself is not above it
        ("50.1", Fraction(1, 4)),
        ("59.9", Fraction(1, 4)),
        ("60", Fraction(1, 2)),  # 'at_least' 60%: the edge is in the band
        ("64.99", Fraction(1, 2)),
        ("65", Fraction(3, 4)),
        ("69.99", Fraction(3, 4)),
        ("70", Fraction(1)),
        ("100", Fraction(1)),
    ],
)
def test_bands_from_50_to_70(achieved: str, part: Fraction) -> None:
    assert earns(BANDS, percent(achieved), BANDS_LEVELS, True) == part


@pytest.mark.parametrize(
    ("minutes", "part"),
    [(121, Fraction(0)), (120, Fraction(0)), (119, Fraction(1, 2)), (90, Fraction(1)), (60, 1)],
)
def test_bands_where_lower_is_better(minutes: int, part: Fraction) -> None:
    assert earns(MINUTES_BANDS, Fraction(minutes), MINUTES_BANDS_LEVELS, False) == part


@pytest.mark.parametrize(
    ("minutes", "part"),
    [(150, 0), (120, 0), (90, Fraction(1, 2)), (75, Fraction(3, 4)), (60, 1), (30, 1)],
)
def test_linear_where_lower_is_better(minutes: int, part: Fraction) -> None:
    assert earns(MINUTES_LINEAR, Fraction(minutes), MINUTES_LINEAR_LEVELS, False) == part


def test_earnings_are_exact_fractions() -> None:
    # A third of the way from 60% to 80%: no float, no rounding.
    value = earns(LINEAR, Fraction(2, 3), LINEAR_LEVELS, True)
    assert value == Fraction(1, 3)
    assert isinstance(value, Fraction)


def test_the_levels_are_the_kpis_own(ucr: contractkit.Contract) -> None:
    """The hand-written levels above are what the KPIs make of the curves' edges."""
    kpis = {k.id: k for k in ucr.kpis}
    assert tuple(Fraction(kpis["ucr-2h"].level(e)) for e in LINEAR.edges()) == LINEAR_LEVELS
    assert tuple(Fraction(kpis["ucr-2h"].level(e)) for e in BANDS.edges()) == BANDS_LEVELS
    minutes = kpis["first-contact"]
    assert tuple(Fraction(minutes.level(e)) for e in MINUTES_BANDS.edges()) == (
        MINUTES_BANDS_LEVELS
    )
    assert tuple(Fraction(minutes.level(e)) for e in MINUTES_LINEAR.edges()) == (
        MINUTES_LINEAR_LEVELS
    )


# --- any valid curve --------------------------------------------------------------------------


@dataclass(frozen=True)
class Drawn:
    curve: Curve
    levels: tuple[Fraction, ...]
    higher: bool


def _written(tenths: int, higher: bool) -> tuple[str, Fraction]:
    """An edge as written (a percentage where higher is better, minutes where lower is) and its
    level in the KPI's terms."""
    text = str(Decimal(tenths) / 10)
    if higher:
        return f"{text}%", Fraction(tenths, 1000)
    return f"{text} minutes", Fraction(tenths, 10)


@st.composite
def linear_curves(draw: st.DrawFn) -> Drawn:
    higher = draw(st.booleans())
    a, b = draw(st.lists(st.integers(0, 1000), min_size=2, max_size=2, unique=True).map(sorted))
    zero, full = (a, b) if higher else (b, a)
    (zero_text, zero_level), (full_text, full_level) = (
        _written(zero, higher),
        _written(full, higher),
    )
    curve = Linear.model_validate({"zero_at": zero_text, "full_at": full_text})
    return Drawn(curve, (zero_level, full_level), higher)


@st.composite
def band_curves(draw: st.DrawFn) -> Drawn:
    higher = draw(st.booleans())
    count = draw(st.integers(1, 5))
    edges = sorted(
        draw(st.lists(st.integers(0, 1000), min_size=count, max_size=count, unique=True))
    )
    if not higher:
        edges.reverse()  # from the worst (the most minutes) to the best
    pays = sorted(draw(st.lists(st.integers(0, 1000), min_size=count + 1, max_size=count + 1)))
    kinds = ("at_least", "above") if higher else ("at_most", "below")
    bands: list[dict[str, str]] = [{"pays": f"{Decimal(pays[0]) / 10}%"}]
    levels = []
    for edge, paid in zip(edges, pays[1:], strict=True):
        text, level = _written(edge, higher)
        bands.append({draw(st.sampled_from(kinds)): text, "pays": f"{Decimal(paid) / 10}%"})
        levels.append(level)
    return Drawn(Bands.model_validate(bands), tuple(levels), higher)


curves = st.one_of(linear_curves(), band_curves())


@st.composite
def achievements(draw: st.DrawFn, drawn: Drawn) -> Fraction:
    """Anywhere, but often exactly at an edge or a hair either side of one."""
    scale = 1000 if drawn.higher else 10
    anywhere = st.fractions(Fraction(-10, scale), Fraction(1010, scale), max_denominator=10_000)
    edge = st.sampled_from(drawn.levels)
    hair = st.sampled_from([Fraction(0), Fraction(1, 10**6), Fraction(-1, 10**6)])
    near = st.builds(lambda e, h: e + h, edge, hair)
    return draw(st.one_of(anywhere, near))


def reference(drawn: Drawn, achieved: Fraction) -> Fraction:
    """The part earned, worked out another way: linear by interpolation and clamping, bands as
    the part paid by the best band whose edge is reached."""

    def better(a: Fraction, b: Fraction) -> bool:
        return a > b if drawn.higher else a < b

    if isinstance(drawn.curve, Linear):
        zero, full = drawn.levels
        return min(max((achieved - zero) / (full - zero), Fraction(0)), Fraction(1))
    part = drawn.curve.bands[0].part
    for band, level in zip(drawn.curve.bands[1:], drawn.levels, strict=True):
        assert band.edge is not None
        if better(achieved, level) or (
            achieved == level and band.edge[0] in ("at_least", "at_most")
        ):
            part = band.part
    return part


@settings(max_examples=200, deadline=None)
@given(data=st.data(), drawn=curves)
def test_earnings_are_between_nothing_and_everything_and_monotone(
    data: st.DataObject, drawn: Drawn
) -> None:
    first = data.draw(achievements(drawn), label="first")
    second = data.draw(achievements(drawn), label="second")
    worse, better = sorted((first, second), reverse=not drawn.higher)
    low = earns(drawn.curve, worse, drawn.levels, drawn.higher)
    high = earns(drawn.curve, better, drawn.levels, drawn.higher)
    assert Fraction(0) <= low <= high <= Fraction(1)
    assert low == reference(drawn, worse)
    assert high == reference(drawn, better)


@settings(max_examples=100, deadline=None)
@given(drawn=curves)
def test_every_curve_earns_its_least_at_the_worst_and_its_most_at_the_best(drawn: Drawn) -> None:
    worst = Fraction(-1) if drawn.higher else Fraction(10_000)
    best = Fraction(2) if drawn.higher else Fraction(-1)
    low = earns(drawn.curve, worst, drawn.levels, drawn.higher)
    high = earns(drawn.curve, best, drawn.levels, drawn.higher)
    if isinstance(drawn.curve, Linear):
        assert (low, high) == (Fraction(0), Fraction(1))
    else:
        assert (low, high) == (drawn.curve.bands[0].part, drawn.curve.bands[-1].part)


@settings(max_examples=100, deadline=None)
@given(drawn=curves)
def test_a_valid_curve_has_no_issues_and_reversed_it_has(drawn: Drawn) -> None:
    """The check of a curve against its KPI's direction accepts every curve drawn, and refuses it
    read the other way round (its levels reversed)."""
    key = "linear" if isinstance(drawn.curve, Linear) else "bands"
    indicator = Indicator.model_validate({"kpi": "k", key: drawn.curve})
    assert curve_issues(indicator, list(drawn.levels), drawn.higher) == []
    if len(drawn.levels) > 1:
        assert curve_issues(indicator, list(reversed(drawn.levels)), drawn.higher)


# --- validation, located ---------------------------------------------------------------------

BASE = """\
contractkit: 1
id: TEST-PAY-2026
title: Payment terms under test
commissioners:
  - id: QMF
    name: An integrated care board
term:
  start: 2026-04-01
  end: 2029-03-31
providers:
  - id: RQX
    name: A foundation trust
    type: nhs_foundation_trust
  - id: V4K
    name: A charity
    type: vcse
kpis:
  - id: ucr-2h
    name: Reached within 2 hours
    measure: proportion
    numerator: Urgent referrals reached within 2 hours
    denominator: Urgent referrals received
    better: higher
    reported: monthly
    assessed: quarterly
    threshold: 70%
  - id: first-contact
    name: Mean time to first contact
    measure: mean
    unit: minutes
    better: lower
    reported: monthly
    assessed: quarterly
    threshold: 90 minutes
  - id: never-events
    name: Never events
    measure: count
    better: lower
    reported: monthly
    assessed: monthly
    threshold: 0
services:
  - id: ucr-south
    provider: RQX
    commences: 2019-04-01
    kpis: [ucr-2h, first-contact, never-events]
  - id: befriending
    provider: V4K
    commences: 2026-10-01
    kpis: [ucr-2h]
escalation:
  - step: contract_performance_notice
    flagged: 2
    within: 2
  - step: remedial_action_plan
    flagged: 3
    within: 4
  - step: exception_notice
    flagged: 4
    within: 4
finance:
  value: £2,000,000
  payments:
    - service: ucr-south
      fixed: £1,500,000
      variable:
        activity: urgent_response
        price: £85.00
    - service: befriending
      fixed: £60,000
  incentive:
    pot: 1.25%
    of: fixed
    indicators:
      - kpi: ucr-2h
        linear: {zero_at: 60%, full_at: 80%}
      - kpi: first-contact
        bands:
          - pays: 0%
          - {below: 120 minutes, pays: 50%}
          - {at_most: 90 minutes, pays: 100%}
  consequences:
    - kpi: ucr-2h
      per_breach: £40.00
    - kpi: never-events
      per_incident: £10,000
  withholding:
    - step: remedial_action_plan
      rate: 1%
      retained_after: 6
    - step: exception_notice
      rate: 2%
      retained_after: 3
"""

MINUTES_BANDS_TEXT = (
    "        bands:\n"
    "          - pays: 0%\n"
    "          - {below: 120 minutes, pays: 50%}\n"
    "          - {at_most: 90 minutes, pays: 100%}\n"
)


def problems_in(tmp_path: Path, text: str) -> tuple[Problem, ...]:
    path = tmp_path / "contract.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(SpecError) as caught:
        contractkit.load(path)
    assert caught.value.problems, "a SpecError must carry at least one problem"
    for problem in caught.value.problems:
        assert problem.file == str(path)
    return caught.value.problems


def test_the_base_contract_is_valid() -> None:
    contract = contractkit.load(BASE)
    assert isinstance(contract, contractkit.Contract)
    assert contract.finance is not None
    assert [p.service for p in contract.finance.payments] == ["ucr-south", "befriending"]


@dataclass(frozen=True)
class Bad:
    edits: tuple[tuple[str, str], ...]
    path: str
    at: str
    words: tuple[str, ...]
    alone: bool = True
    """Whether this problem should be the only one in the file (else it is the first)."""


CASES: dict[str, Bad] = {
    # the services, KPIs and steps the section names
    "unknown-service": Bad(
        (("    - service: befriending\n", "    - service: befriendin\n"),),
        path="finance.payments[1].service",
        at="- service: »befriendin\n",
        words=("unknown service 'befriendin'", "did you mean 'befriending'?", "ucr-south"),
    ),
    "service-paid-twice": Bad(
        (("    - service: befriending\n", "    - service: ucr-south\n"),),
        path="finance.payments[1].service",
        at="- service: »ucr-south\n      fixed: £60,000",
        words=("'ucr-south' is paid twice", "also finance.payments[0]"),
    ),
    "unknown-kpi-in-an-indicator": Bad(
        (("      - kpi: ucr-2h\n        linear", "      - kpi: ucr-2hr\n        linear"),),
        path="finance.incentive.indicators[0].kpi",
        at="- kpi: »ucr-2hr",
        words=("unknown KPI 'ucr-2hr'", "did you mean 'ucr-2h'?"),
    ),
    "unknown-kpi-in-a-consequence": Bad(
        (("    - kpi: never-events\n", "    - kpi: never-event\n"),),
        path="finance.consequences[1].kpi",
        at="- kpi: »never-event\n",
        words=("unknown KPI 'never-event'", "did you mean 'never-events'?"),
    ),
    "a-kpi-with-two-consequences": Bad(
        (
            (
                "    - kpi: never-events\n      per_incident: £10,000",
                "    - kpi: ucr-2h\n      per_breach: £50.00",
            ),
        ),
        path="finance.consequences[1].kpi",
        at="- kpi: »ucr-2h\n      per_breach: £50.00",
        words=("'ucr-2h' has a consequence already", "finance.consequences[0]"),
    ),
    "a-kpi-that-is-an-indicator-twice": Bad(
        (("      - kpi: first-contact\n", "      - kpi: ucr-2h\n"),),
        path="finance.incentive.indicators[1].kpi",
        at="- kpi: »ucr-2h\n        bands",
        words=("'ucr-2h' is an indicator twice", "also indicators[0]"),
        alone=False,  # its bands, in minutes, do not fit ucr-2h either (reported too)
    ),
    "withholding-step-not-in-the-escalation": Bad(
        (("    - step: exception_notice\n      rate", "    - step: exception_notise\n      rate"),),
        path="finance.withholding[1].step",
        at="- step: »exception_notise",
        words=(
            "'exception_notise' is not an escalation step",
            "did you mean 'exception_notice'?",
            "contract_performance_notice, remedial_action_plan, exception_notice",
        ),
    ),
    "withholding-for-a-step-twice": Bad(
        (
            (
                "    - step: exception_notice\n      rate",
                "    - step: remedial_action_plan\n      rate",
            ),
        ),
        path="finance.withholding[1].step",
        at="- step: »remedial_action_plan\n      rate: 2%",
        words=("'remedial_action_plan' is withheld for already", "finance.withholding[0]"),
    ),
    # curves in the KPI's own terms
    "minutes-on-a-proportion": Bad(
        (("{zero_at: 60%, full_at: 80%}", "{zero_at: 60 minutes, full_at: 80%}"),),
        path="finance.incentive.indicators[0].linear.zero_at",
        at="zero_at: »60 minutes",
        words=("60 minutes is a time", "percentage"),
    ),
    "a-percentage-band-on-minutes": Bad(
        (("{below: 120 minutes, pays: 50%}", "{below: 12%, pays: 50%}"),),
        path="finance.incentive.indicators[1].bands[1]",
        at="- »{below: 12%",
        words=("12% is a percentage", "a mean measured in minutes"),
    ),
    "linear-the-wrong-way-where-higher-is-better": Bad(
        (("{zero_at: 60%, full_at: 80%}", "{zero_at: 80%, full_at: 60%}"),),
        path="finance.incentive.indicators[0].linear.full_at",
        at="full_at: »60%",
        words=("60% is not better than zero_at (80%)", "higher is better for KPI 'ucr-2h'"),
    ),
    "linear-the-wrong-way-where-lower-is-better": Bad(
        ((MINUTES_BANDS_TEXT, "        linear: {zero_at: 60 minutes, full_at: 120 minutes}\n"),),
        path="finance.incentive.indicators[1].linear.full_at",
        at="full_at: »120 minutes",
        words=(
            "120 minutes is not better than zero_at (60 minutes)",
            "lower is better for KPI 'first-contact'",
        ),
    ),
    "linear-flat": Bad(
        (("{zero_at: 60%, full_at: 80%}", "{zero_at: 70%, full_at: 70%}"),),
        path="finance.incentive.indicators[0].linear.full_at",
        at="full_at: »70%",
        words=("70% is not better than zero_at (70%)",),
    ),
    "bands-not-improving": Bad(
        (("{at_most: 90 minutes, pays: 100%}", "{at_most: 130 minutes, pays: 100%}"),),
        path="finance.incentive.indicators[1].bands[2]",
        at="- »{at_most: 130 minutes",
        words=(
            "the edge 130 minutes does not improve on the band before's (120 minutes)",
            "from the worst to the best",
        ),
    ),
    "bands-whose-pays-decrease": Bad(
        (("{at_most: 90 minutes, pays: 100%}", "{at_most: 90 minutes, pays: 40%}"),),
        path="finance.incentive.indicators[1].bands[2].pays",
        at="pays: »40%",
        words=("pays 40%, less than the band before (50%)", "never earns less"),
    ),
    "band-edges-for-higher-is-better-on-minutes": Bad(
        (
            ("{below: 120 minutes, pays: 50%}", "{above: 120 minutes, pays: 50%}"),
            ("{at_most: 90 minutes, pays: 100%}", "{at_least: 90 minutes, pays: 100%}"),
        ),
        path="finance.incentive.indicators[1].bands",
        at="        bands:\n          »- pays: 0%",
        words=("lower is better for KPI 'first-contact'", "'at_most' or 'below'"),
    ),
    "band-edges-for-lower-is-better-on-a-proportion": Bad(
        (
            (
                "        linear: {zero_at: 60%, full_at: 80%}\n",
                "        bands: [{pays: 0%}, {at_most: 60%, pays: 100%}]\n",
            ),
        ),
        path="finance.incentive.indicators[0].bands",
        at="bands: »[{pays: 0%}",
        words=("higher is better for KPI 'ucr-2h'", "'at_least' or 'above'"),
    ),
    "band-edges-mixed": Bad(
        (("{at_most: 90 minutes, pays: 100%}", "{at_least: 90 minutes, pays: 100%}"),),
        path="finance.incentive.indicators[1].bands",
        at="        bands:\n          »- pays: 0%",
        words=("mix edges", "use one pair"),
    ),
    "first-band-with-an-edge": Bad(
        (("          - pays: 0%\n", "          - {below: 200 minutes, pays: 0%}\n"),),
        path="finance.incentive.indicators[1].bands[0].below",
        at="{»below: 200 minutes",
        words=("the first band", "takes no edge of its own"),
    ),
    "later-band-without-an-edge": Bad(
        (("{at_most: 90 minutes, pays: 100%}", "{pays: 100%}"),),
        path="finance.incentive.indicators[1].bands[2]",
        at="- »{pays: 100%}",
        words=("each band after the first opens at an edge",),
    ),
    "indicator-with-both-curves": Bad(
        (
            (
                "        linear: {zero_at: 60%, full_at: 80%}\n",
                "        linear: {zero_at: 60%, full_at: 80%}\n"
                "        bands: [{pays: 0%}, {above: 50%, pays: 100%}]\n",
            ),
        ),
        path="finance.incentive.indicators[0]",
        at="- »kpi: ucr-2h\n        linear",
        words=("give the indicator one curve: 'linear' or 'bands'",),
    ),
    "indicator-with-no-curve": Bad(
        (("        linear: {zero_at: 60%, full_at: 80%}\n", ""),),
        path="finance.incentive.indicators[0]",
        at="- »kpi: ucr-2h\n      - kpi: first-contact",
        words=("give the indicator one curve: 'linear' or 'bands'",),
    ),
    # consequences in the KPI's terms
    "per-incident-on-a-mean": Bad(
        (("    - kpi: never-events\n", "    - kpi: first-contact\n"),),
        path="finance.consequences[1].per_incident",
        at="per_incident: »£10,000",
        words=("KPI 'first-contact' does not count incidents",),
    ),
    "per-breach-on-a-mean-kpi": Bad(
        (
            (
                "    - kpi: never-events\n      per_incident: £10,000",
                "    - kpi: first-contact\n      per_breach: £10",
            ),
        ),
        path="finance.consequences[1].per_breach",
        at="per_breach: »£10\n",
        words=("KPI 'first-contact' is a mean", "no breaches to count"),
    ),
    "per-incident-on-a-proportion": Bad(
        (("      per_breach: £40.00", "      per_incident: £40.00"),),
        path="finance.consequences[0].per_incident",
        at="per_incident: »£40.00",
        words=("KPI 'ucr-2h' does not count incidents", "charge 'per_breach' instead"),
    ),
    "both-per-breach-and-per-incident": Bad(
        (("      per_breach: £40.00\n", "      per_breach: £40.00\n      per_incident: £1\n"),),
        path="finance.consequences[0]",
        at="- »kpi: ucr-2h\n      per_breach",
        words=("give one sum: 'per_breach' or 'per_incident'",),
    ),
    "neither-per-breach-nor-per-incident": Bad(
        (("      per_breach: £40.00\n", "      when: below_threshold\n"),),
        path="finance.consequences[0]",
        at="- »kpi: ucr-2h\n      when",
        words=("give one sum: 'per_breach' or 'per_incident'",),
    ),
    "tolerance-on-incidents": Bad(
        (("      per_incident: £10,000\n", "      per_incident: £10,000\n      tolerance: 1\n"),),
        path="finance.consequences[1].tolerance",
        at="tolerance: »1\n",
        words=("takes no tolerance",),
    ),
    "tolerance-in-minutes-on-a-proportion": Bad(
        (("      per_breach: £40.00\n", "      per_breach: £40.00\n      tolerance: 5 minutes\n"),),
        path="finance.consequences[0].tolerance",
        at="tolerance: »5 minutes",
        words=("5 minutes is a time", "percentage"),
    ),
    # percentages and money
    "pot-not-a-percentage": Bad(
        (("pot: 1.25%", "pot: 1.25"),),
        path="finance.incentive.pot",
        at="pot: »1.25",
        words=("write 1.25 as a percentage", "1.25%"),
    ),
    "pot-in-minutes": Bad(
        (("pot: 1.25%", "pot: 1.25 minutes"),),
        path="finance.incentive.pot",
        at="pot: »1.25 minutes",
        words=("as a percentage",),
    ),
    "withholding-rate-over-100": Bad(
        (("      rate: 2%", "      rate: 120%"),),
        path="finance.withholding[1].rate",
        at="rate: »120%",
        words=("120% is more than 100%",),
    ),
    "retained-after-no-months": Bad(
        (("      retained_after: 3", "      retained_after: 0"),),
        path="finance.withholding[1].retained_after",
        at="retained_after: »0",
        words=("greater than 0",),
    ),
    "a-fraction-of-a-penny": Bad(
        (
            (
                "      variable:\n        activity: urgent_response\n        price: £85.00\n",
                "      variable:\n        - activity: urgent_response\n          price: £1.005\n",
            ),
        ),
        path="finance.payments[0].variable[0].price",
        at="price: »£1.005",
        words=("'£1.005' has a fraction of a penny", "at most two decimal places"),
    ),
    "a-negative-price": Bad(
        (
            (
                "      variable:\n        activity: urgent_response\n        price: £85.00\n",
                "      variable:\n        - activity: urgent_response\n          price: -£85.00\n",
            ),
        ),
        path="finance.payments[0].variable[0].price",
        at="price: »-£85.00",
        words=("is negative",),
    ),
    "a-negative-fixed-payment": Bad(
        (("fixed: £60,000", "fixed: -£60,000"),),
        path="finance.payments[1].fixed",
        at="fixed: »-£60,000",
        words=("is negative",),
    ),
    "a-payment-with-nothing-paid": Bad(
        (("    - service: befriending\n      fixed: £60,000\n", "    - service: befriending\n"),),
        path="finance.payments[1]",
        at="- »service: befriending",
        words=("give a 'fixed' element, a 'variable' element, or both",),
    ),
    "pot-of-value-without-a-value": Bad(
        (("  value: £2,000,000\n", ""), ("    of: fixed\n", "    of: value\n")),
        path="finance.incentive.of",
        at="of: »value",
        words=("the pot is a percentage of the contract's value", "give finance.value"),
    ),
    "pot-of-something-else": Bad(
        (("    of: fixed\n", "    of: variable\n"),),
        path="finance.incentive.of",
        at="of: »variable",
        words=("'variable' is not one of: fixed, value",),
    ),
    # fairness: no term of the section can name a type of provider
    "provider-type-on-a-consequence": Bad(
        (
            (
                "      per_incident: £10,000\n",
                "      per_incident: £10,000\n      provider_type: vcse\n",
            ),
        ),
        path="finance.consequences[1].provider_type",
        at="provider_type: vcse",
        words=("unknown key 'provider_type'",),
    ),
    "provider-type-on-a-withholding-rule": Bad(
        (("      retained_after: 3\n", "      retained_after: 3\n      provider_type: vcse\n"),),
        path="finance.withholding[1].provider_type",
        at="provider_type: vcse",
        words=("unknown key 'provider_type'",),
    ),
    "provider-type-on-an-indicator": Bad(
        (
            (
                "        linear: {zero_at: 60%, full_at: 80%}\n",
                "        linear: {zero_at: 60%, full_at: 80%}\n        provider_type: vcse\n",
            ),
        ),
        path="finance.incentive.indicators[0].provider_type",
        at="provider_type: vcse",
        words=("unknown key 'provider_type'",),
    ),
    "provider-on-a-payment": Bad(
        (("      fixed: £60,000\n", "      fixed: £60,000\n      provider: V4K\n"),),
        path="finance.payments[1].provider",
        at="fixed: £60,000\n      »provider: V4K",
        words=("unknown key 'provider'",),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_finance_section_is_reported_where_it_is(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    text = edit(BASE, *case.edits)
    problems = problems_in(tmp_path, text)
    messages = [f"{p.line}:{p.column}: {p.path}: {p.message}" for p in problems]
    assert len(problems) == 1 or not case.alone, messages
    problem = problems[0]
    assert problem.path == case.path, messages
    assert (problem.line, problem.column) == locate(text, case.at), messages
    for word in case.words:
        assert word in problem.message, messages
    assert problem.source is not None
    assert problem.line is not None
    assert problem.source.rstrip() == text.splitlines()[problem.line - 1].rstrip()


# Every mistake in the section's references and terms, at once (each is one the cases above
# find alone).
SEVERAL = (
    ("    - service: befriending\n", "    - service: befriendin\n"),
    ("{zero_at: 60%, full_at: 80%}", "{zero_at: 80%, full_at: 60%}"),
    ("{at_most: 90 minutes, pays: 100%}", "{at_most: 130 minutes, pays: 100%}"),
    ("      per_breach: £40.00", "      per_incident: £40.00"),
    ("    - kpi: never-events\n", "    - kpi: never-event\n"),
    ("    - step: exception_notice\n      rate", "    - step: exception_notise\n      rate"),
)
SEVERAL_FOUND = [
    ("finance.payments[1].service", "- service: »befriendin"),
    ("finance.incentive.indicators[0].linear.full_at", "full_at: »60%"),
    ("finance.incentive.indicators[1].bands[2]", "- »{at_most: 130 minutes"),
    ("finance.consequences[0].per_incident", "per_incident: »£40.00"),
    ("finance.consequences[1].kpi", "- kpi: »never-event\n"),
    ("finance.withholding[1].step", "- step: »exception_notise"),
]


def test_several_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    text = edit(BASE, *SEVERAL)
    problems = problems_in(tmp_path, text)
    found = [(p.path, p.line, p.column) for p in problems]
    assert found == [(path, *locate(text, at)) for path, at in SEVERAL_FOUND]


def test_problems_of_form_and_of_reference_are_reported_together(tmp_path: Path) -> None:
    """A mistake in how a term is written does not hide the references checked across the
    contract."""
    text = edit(
        BASE,
        ("fixed: £1,500,000\n", "fixed: £1,500,000.005\n"),
        ("    - service: befriending\n", "    - service: befriendin\n"),
        ("      rate: 2%", "      rate: 120%"),
        ("    - step: exception_notice\n      rate", "    - step: exception_notise\n      rate"),
        ("    - kpi: never-events\n", "    - kpi: never-event\n"),
    )
    problems = problems_in(tmp_path, text)
    found = {(p.path, p.line, p.column) for p in problems}
    assert found >= {
        ("finance.payments[0].fixed", *locate(text, "fixed: »£1,500,000.005")),
        ("finance.payments[1].service", *locate(text, "- service: »befriendin")),
        ("finance.withholding[1].rate", *locate(text, "rate: »120%")),
        ("finance.withholding[1].step", *locate(text, "- step: »exception_notise")),
        ("finance.consequences[1].kpi", *locate(text, "- kpi: »never-event\n")),
    }
    lines = [p.line or 0 for p in problems]
    assert lines == sorted(lines), "problems are listed in file order"


LOCATED = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<path>[\w.\[\]-]+): (?P<msg>.+)$"
)


@pytest.mark.usefixtures("plain_output")
def test_the_cli_reports_every_problem_located(tmp_path: Path) -> None:
    text = edit(BASE, *SEVERAL)
    path = tmp_path / "several.yaml"
    path.write_text(text, "utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    matches = [m for m in map(LOCATED.match, result.stderr.splitlines()) if m]
    assert [(m["file"], int(m["line"]), int(m["col"]), m["path"]) for m in matches] == [
        (str(path), *locate(text, at), where) for where, at in SEVERAL_FOUND
    ]
    assert "unknown service 'befriendin'" in matches[0]["msg"]
    assert "'exception_notise' is not an escalation step" in matches[-1]["msg"]
    assert result.stderr.splitlines()[-1] == f"{len(SEVERAL_FOUND)} problems found"
    for output in (result.stdout, result.stderr):
        assert "Traceback" not in output
        assert not re.search(r'File ".*", line \d+', output)
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- the round trip ---------------------------------------------------------------------------


def test_the_example_round_trips(ucr: contractkit.Contract) -> None:
    assert ucr.finance is not None
    assert ucr.finance.incentive is not None
    text = contractkit.dump(ucr)
    again = contractkit.load(text)
    assert again == ucr
    assert contractkit.dump(again) == text
    # bands are written as a plain list, not as a mapping holding one
    finance = text[text.index("\nfinance:\n") :]
    assert re.search(r"\n( +)bands:\n\1  - pays: 0%\n", finance), finance
    assert "bands:\n" in finance
    assert "bands:\n          bands:" not in finance


def test_every_term_round_trips(tmp_path: Path) -> None:
    text = edit(
        BASE,
        ("    of: fixed\n", "    of: value\n"),
        (
            "        linear: {zero_at: 60%, full_at: 80%}\n",
            "        weight: 2\n        bands:\n"
            "          - pays: 0%\n"
            "          - {above: 50%, pays: 25%}\n"
            "          - {at_least: 60%, pays: 50%}\n"
            "          - {at_least: 65%, pays: 75%}\n"
            "          - {at_least: 70%, pays: 100%}\n",
        ),
        (
            "        price: £85.00\n",
            "        price: £85.00\n        rate: 80%\n        limit: £100,000\n",
        ),
        (
            "      per_breach: £40.00\n",
            "      per_breach: £40.00\n      tolerance: 65%\n      when: below_threshold\n",
        ),
        ("      retained_after: 6\n", ""),
        (
            "  consequences:\n",
            "  outcome_payments:\n"
            "    rates:\n"
            "      - {outcome: home-at-91-days, price: £250.00}\n"
            "    per_person_cap: £350.00\n"
            "  consequences:\n",
        ),
    )
    contract = contractkit.load(text)
    assert isinstance(contract, contractkit.Contract)
    finance = contract.finance
    assert finance is not None
    assert finance.incentive is not None
    assert finance.incentive.of == "value"
    assert finance.withholding[0].retained_after is None
    dumped = contractkit.dump(contract)
    assert contractkit.load(dumped) == contract
    assert isinstance(finance.incentive.indicators[0].curve, Bands)


# --- fairness ---------------------------------------------------------------------------------


def _models(annotation: Any) -> set[type[BaseModel]]:
    """The models an annotation can hold, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {annotation}
    found: set[type[BaseModel]] = set()
    for argument in typing.get_args(annotation):
        found |= _models(argument)
    return found


def _annotations(annotation: Any) -> set[Any]:
    found = {annotation}
    for argument in typing.get_args(annotation):
        found |= _annotations(argument)
    return found


def test_no_term_of_the_finance_section_can_name_a_provider_or_its_type() -> None:
    """Walk every model the section is made of: no field is named for a provider, and no field
    can hold a provider type (or a provider), so the same terms apply whoever provides."""
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Finance]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            assert "provider" not in name, f"{model.__name__}.{name}"
            assert "type" not in name, f"{model.__name__}.{name}"
            for held in _annotations(field.annotation):
                assert held not in (contractkit.ProviderType, contractkit.Provider), (
                    f"{model.__name__}.{name}"
                )
            todo.extend(_models(field.annotation))
    names = {m.__name__ for m in seen}
    assert {"Finance", "Indicator", "Consequence", "Withholding", "Band", "Linear"} <= names


def test_a_valid_finance_section_says_nothing_of_provider_types() -> None:
    contract = contractkit.load(BASE)
    assert contract.finance is not None
    dumped = contract.finance.model_dump(mode="json")
    text = repr(dumped)
    for kind in contractkit.ProviderType:
        assert kind.value not in text


# --- bugs found in src: located problems inside the short forms -------------------------------
#
# Bands are written as a plain list, and a single priced activity as a mapping rather than a list
# of one. A problem found by the check of the whole list (pays that decrease) is located
# correctly; a problem inside one band, or inside the single activity, is not: its path names
# the model's own wrapping ('bands.bands[2]', 'variable[0]'), which is not in the file, and it is
# pointed at the start of the list or mapping instead of at the mistake.


@pytest.mark.parametrize(
    ("old", "new", "path", "at", "words"),
    [
        (
            "{at_most: 90 minutes, pays: 100%}",
            "{at_most: 90 minutes, pays: 150%}",
            "finance.incentive.indicators[1].bands[2].pays",
            "pays: »150%",
            "150% is more than 100%",
        ),
        (
            "{below: 120 minutes, pays: 50%}",
            "{below: 120 minutes, pays: 50}",
            "finance.incentive.indicators[1].bands[1].pays",
            "pays: »50}",
            "write 50 as a percentage",
        ),
        (
            "{below: 120 minutes, pays: 50%}",
            "{blow: 120 minutes, pays: 50%}",
            "finance.incentive.indicators[1].bands[1].blow",
            "{»blow: 120 minutes",
            "unknown key 'blow'",
        ),
    ],
    ids=["pays-over-100", "pays-not-a-percentage", "unknown-key"],
)
def test_a_problem_inside_one_band_is_located_at_that_band(
    tmp_path: Path, old: str, new: str, path: str, at: str, words: str
) -> None:
    """BUG (src): reported at ``finance.incentive.indicators[1].bands.bands[…]``, on the line of
    the first band (``- pays: 0%``), rather than at the band in error."""
    text = edit(BASE, (old, new))
    (problem,) = problems_in(tmp_path, text)
    assert words in problem.message
    assert (problem.path, problem.line, problem.column) == (path, *locate(text, at))


def test_a_problem_inside_the_single_priced_activity_is_located_at_it(tmp_path: Path) -> None:
    """BUG (src): a fraction of a penny in ``variable: {activity: …, price: £1.005}`` (the form
    the example uses) is pointed at the ``activity:`` line, under the path
    ``finance.payments[0].variable[0].price``; written as a list of one, it is pointed at the
    price."""
    text = edit(BASE, ("price: £85.00", "price: £1.005"))
    (problem,) = problems_in(tmp_path, text)
    assert "'£1.005' has a fraction of a penny" in problem.message
    assert problem.path in (
        "finance.payments[0].variable.price",
        "finance.payments[0].variable[0].price",
    )
    assert (problem.line, problem.column) == locate(text, "price: »£1.005")
