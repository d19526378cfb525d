"""Hypothesis strategies for valid contracts, each drawn in two forms at once.

:func:`cases` draws a :class:`Case`: the same contract written as a plain mapping (the shorthand a
YAML file uses: ``"70%"``, ``{2026-04-01: 12}``, ``"trajectory"``, ``"2026/27 Q3"`` …, spelt in
the several ways the format accepts) and built from the public constructors (``Provider``,
``KPI``, ``Staged``, ``Quantity`` …, in canonical form). ``contractkit.load(case.mapping)`` must
equal ``case.contract``, and both must survive ``dump`` and ``load``.

Every contract drawn is valid by construction:

- 1 to 4 commissioners and providers (every :class:`ProviderType`), unique ODS codes;
- 0 to 4 embedding stages, the last without ``months``, at least one ``assessed``;
- KPIs of every measure: proportions (percentages or fractions), means with a time unit, rates
  with ``per``, counts (with or without a unit; zero tolerance when the value is 0), reported no
  more often than assessed;
- every threshold shape: absolute, dated (dates inside the term), floor or improvement (a floor
  where higher is better, a ceiling where lower is better), ``trajectory``, and staged by the
  contract's own assessed stages' names, each stage holding any of the other shapes;
- services held to existing KPIs, delivered by existing providers, commencing before or inside
  the term, with a baseline for each floor-or-improvement KPI and a trajectory (keyed by the
  KPI's assessment period, inside the term) for each ``trajectory`` KPI;
- outcomes evidenced by existing KPIs; escalation rules with each step's rules together and
  ``flagged``/``alarms`` no more than ``within``; flags with alarm < warning < 0.5;
- text fields drawn from awkward strings (``NO``, ``null``, ``1:30``, ``012``, ``2026-04-01``,
  ``key: value``, leading and trailing spaces, quotes, line breaks, unicode) and arbitrary text.

Stage names that the written form cannot tell from a threshold's own keys (``floor``,
``ceiling``, ``improvement``, ``trajectory``, a date such as ``2026-04-01``) are never drawn:
``test_roundtrip.py`` checks on its own that a contract using one is refused, and that its near
neighbours (``Floor``, ``floors``, ``2026-04`` …) round-trip.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from contractkit import (
    KPI,
    Absolute,
    Combine,
    Commissioner,
    Contract,
    Dated,
    Direction,
    EscalationRule,
    FinancialYear,
    Flags,
    FloorOrImprovement,
    Frequency,
    Measure,
    Month,
    Outcome,
    Provider,
    ProviderType,
    Quantity,
    Quarter,
    Service,
    Stage,
    Staged,
    StageMode,
    Term,
    Trajectory,
)
from contractkit.model.escalation import contract_management_stage
from contractkit.units import PERCENT

__all__ = [
    "AWKWARD_TEXT",
    "Case",
    "Drawn",
    "cases",
    "contracts",
    "ids",
    "ods_codes",
    "stage_names",
    "step_names",
    "texts",
]

Draw = Callable[[st.SearchStrategy[Any]], Any]


@dataclass(frozen=True)
class Drawn:
    """One value in both forms: as a contract file writes it, and as Python builds it."""

    written: Any
    built: Any


@dataclass(frozen=True)
class Case:
    """A valid contract as a mapping for ``contractkit.load`` and as constructed objects."""

    mapping: dict[str, Any]
    contract: Contract


# --- text and identifiers -------------------------------------------------------------------

AWKWARD_TEXT: tuple[str, ...] = (
    # words a YAML 1.1 reader takes for booleans or null
    "NO",
    "no",
    "Yes",
    "yes",
    "on",
    "OFF",
    "y",
    "null",
    "Null",
    "~",
    "true",
    "False",
    # numbers, times and dates in disguise
    "1:30",
    "012",
    "0o17",
    "0x1F",
    "1e5",
    "1_000",
    ".5",
    "-1",
    "+1",
    ".inf",
    ".NaN",
    "2026-04-01",
    "2026-07",
    "2026/27 Q3",
    "70%",
    "90 minutes",
    "trajectory",
    # YAML punctuation
    "#hash",
    "name #not a comment",
    "key: value",
    "key:value",
    "- item",
    "? question",
    "[a, b]",
    "{a: b}",
    "!tag",
    "&anchor",
    "*alias",
    "%directive",
    "@at",
    "`tick",
    "|",
    ">",
    "---",
    "...",
    "<<",
    "=",
    # spaces, quotes and line breaks
    "",
    " ",
    " leading",
    "trailing ",
    "  both  ",
    "two  spaces",
    "tab\tinside",
    "line\nbreak",
    "ends with a newline\n",
    "\nstarts with a newline",
    "blank\n\nline",
    "windows\r\nline",
    "it's",
    "''",
    'say "hi"',
    '"',
    "back\\slash",
    # unicode
    "Ünïcödé",
    "café – naïve ‘quotes’ “here”",
    "日本語の名前",
    "emoji 🚑 ambulance",
    "non\u00a0breaking",
    "zero\u200bwidth",
    "line\u2028separator",
    "right-to-left \u202eevil",
    "bom\ufeffinside",
    "nul\x00inside",
    "bell\x07",
    "next\x85line",
)
"""Strings a careless writer or reader of YAML gets wrong."""

_REALISTIC_NAMES = (
    "Riverside Community Care CIC",
    "Eastside Hospitals NHS Foundation Trust",
    "Harbour Health Ltd",
    "Neighbours Together",
    "North East London Integrated Care Board",
    "Urgent community response within 2 hours",
    "Patients waiting under 18 weeks (RTT incomplete pathways)",
    "Schedule 4C LQR-01",
    "Schedule 4A – SDIP",
)

_TEXT_ALPHABET = st.characters(exclude_categories=("Cs",))
"""Any character a Python string and a UTF-8 file can hold (lone surrogates cannot)."""


def texts() -> st.SearchStrategy[str]:
    """Free text: awkward strings, realistic names, arbitrary short and long text."""
    long_words = st.lists(
        st.one_of(st.sampled_from(AWKWARD_TEXT), st.text(_TEXT_ALPHABET, max_size=12)),
        min_size=8,
        max_size=25,
    ).map(" ".join)
    return st.one_of(
        st.sampled_from(AWKWARD_TEXT),
        st.sampled_from(_REALISTIC_NAMES),
        st.text(_TEXT_ALPHABET, max_size=30),
        long_words,
    )


_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}"
_AWKWARD_IDS = ("012", "1e5", "NO", "null", "true", "0x1F", "1.", "1_000", "2026", "trajectory")
_REALISTIC_IDS = ("ucr-2h", "rtt-18w", "fds-28d", "never-events", "v1.2", "A", "0")


def ids() -> st.SearchStrategy[str]:
    """Identifiers as the format allows them: letters, digits, '-', '_' and '.'."""
    return st.one_of(
        st.sampled_from(_REALISTIC_IDS),
        st.sampled_from(_AWKWARD_IDS),
        st.sampled_from(("2026-04-01", "floor", "ceiling", "improvement")),
        st.from_regex(_ID_PATTERN, fullmatch=True),
    )


_PROVIDER_TYPE_NAMES = frozenset(t.value for t in ProviderType)
_AMBIGUOUS_STAGE_NAMES = frozenset({"floor", "ceiling", "improvement", "trajectory"})
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")


def stage_names() -> st.SearchStrategy[str]:
    """Stage names: ids that are not provider types, dates or a threshold's own keys (see the
    module's docstring)."""
    return st.one_of(
        st.sampled_from(("mobilisation", "embedding", "established", "shadow", "year-one")),
        ids(),
    ).filter(
        lambda name: (
            name not in _PROVIDER_TYPE_NAMES
            and name not in _AMBIGUOUS_STAGE_NAMES
            and not _DATE_LIKE.fullmatch(name)
        )
    )


def ods_codes() -> st.SearchStrategy[str]:
    """ODS codes: 3 to 10 capital letters and digits."""
    return st.one_of(
        st.sampled_from(("RQX", "QMF", "NLO01", "NQT10", "V4K", "012", "000", "1E5", "NULL")),
        st.from_regex(r"[A-Z0-9]{3,10}", fullmatch=True),
    )


def step_names() -> st.SearchStrategy[str]:
    """Escalation step names: lower-case words joined by '_'."""
    return st.one_of(
        st.sampled_from(
            (
                "contract_performance_notice",
                "contract_management_meeting",
                "remedial_action_plan",
                "exception_notice",
                "null",
                "no",
                "true",
            )
        ),
        st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
    )


def _maybe_text(draw: Draw) -> str | None:
    return draw(st.one_of(st.none(), texts()))


# --- quantities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """What a KPI's threshold values must fit."""

    measure: Measure
    better: Direction
    unit: str | None = None
    """The KPI's unit as written (``minutes``)."""
    per: int | None = None


_TIME_UNITS = {  # as written -> pint's canonical name
    "minutes": "minute",
    "minute": "minute",
    "mins": "minute",
    "hours": "hour",
    "hour": "hour",
    "hrs": "hour",
    "days": "day",
    "day": "day",
    "weeks": "week",
    "week": "week",
    "seconds": "second",
}
_COUNT_UNITS = {
    "events": "event",
    "event": "event",
    "incidents": "incident",
    "people": "person",
    "persons": "person",
    "person": "person",
    "referrals": "referral",
    "admissions": "admission",
    "bed_days": "bed_day",
}
_PERCENT_SPELLINGS = ("{}%", "{} %", "{} percent", "{} per cent", "{} pp", "{} points")
_PERS = (1, 100, 1000, 10_000, 100_000)


def _number_text(draw: Draw, value: Decimal) -> str:
    """A decimal as a contract writes it: ``1000.5`` or ``1,000.5``."""
    return format(value, ",f" if draw(st.booleans()) else "f")


def _bare(draw: Draw, value: Decimal) -> Drawn:
    """A unitless number, written as a Decimal, an int, a float or a string."""
    forms: list[Any] = [value, format(value, "f")]
    if value == value.to_integral_value():
        forms.append(int(value))
    if len(value.normalize().as_tuple().digits) <= 15:
        forms.append(float(value))
    return Drawn(draw(st.sampled_from(forms)), Quantity(value))


def _decimal(draw: Draw, low: int, high: int, max_places: int) -> Decimal:
    places = draw(st.integers(0, max_places))
    value: Decimal = draw(st.decimals(min_value=low, max_value=high, places=places))
    return value


@st.composite
def quantities(draw: Draw, shape: _Shape) -> Drawn:
    """A threshold value, baseline or improvement that fits a KPI of this shape."""
    if shape.measure is Measure.PROPORTION:
        if draw(st.booleans()):
            value = _decimal(draw, 0, 100, 2)
            spelling = draw(st.sampled_from(_PERCENT_SPELLINGS))
            return Drawn(spelling.format(format(value, "f")), Quantity(value, PERCENT))
        return _bare(draw, _decimal(draw, 0, 1, 3))
    if shape.measure is Measure.MEAN:
        value = _decimal(draw, 0, 2000, 2)
        if draw(st.booleans()):
            return _bare(draw, value)
        written_unit = draw(st.sampled_from(sorted(_TIME_UNITS)))
        built = Quantity(value, _TIME_UNITS[written_unit])
        return Drawn(f"{_number_text(draw, value)} {written_unit}", built)
    if shape.measure is Measure.RATE:
        value = _decimal(draw, 0, 500, 2)
        if draw(st.booleans()):
            return _bare(draw, value)
        per = draw(st.sampled_from((*_PERS, shape.per)))
        per_text = draw(st.sampled_from((f"{per}", f"{per:,}", f"{per:,} people")))
        return Drawn(f"{_number_text(draw, value)} per {per_text}", Quantity(value, f"per {per}"))
    value = draw(st.one_of(st.just(Decimal(0)), st.integers(0, 50).map(Decimal)))
    if draw(st.integers(0, 3)) == 0:
        value = _decimal(draw, 0, 50, 1)
    if draw(st.booleans()):
        return _bare(draw, value)
    # A KPI that counts one thing (referrals) takes thresholds in that thing only.
    own = _COUNT_UNITS[shape.unit] if shape.unit is not None else None
    written_unit = draw(
        st.sampled_from(sorted(u for u, c in _COUNT_UNITS.items() if own in (None, c)))
    )
    return Drawn(
        f"{_number_text(draw, value)} {written_unit}", Quantity(value, _COUNT_UNITS[written_unit])
    )


# --- thresholds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What thresholds and services are drawn against."""

    term: Term
    stages: tuple[str, ...]
    """The assessed stages' names (a shadow stage takes no threshold)."""


def _dates_in(term: Term) -> st.SearchStrategy[date]:
    return st.dates(min_value=term.start, max_value=term.end)


def _date_key(draw: Draw, day: date) -> Any:
    return draw(st.sampled_from((day, day.isoformat())))


def _shuffled(draw: Draw, items: list[Any]) -> list[Any]:
    shuffled: list[Any] = draw(st.permutations(items))
    return shuffled


@st.composite
def rules(draw: Draw, shape: _Shape, context: _Context) -> tuple[Drawn, set[type]]:
    """A threshold that is not staged, and the kinds of rule in it."""
    kind = draw(st.sampled_from((Absolute, Dated, FloorOrImprovement, Trajectory)))
    if kind is Absolute:
        value = draw(quantities(shape))
        return Drawn(value.written, Absolute(value=value.built)), {Absolute}
    if kind is Dated:
        days = draw(st.lists(_dates_in(context.term), min_size=1, max_size=4, unique=True))
        values = [(day, draw(quantities(shape))) for day in days]
        written = {_date_key(draw, day): v.written for day, v in _shuffled(draw, values)}
        built = Dated(values=tuple(sorted((day, v.built) for day, v in values)))
        return Drawn(written, built), {Dated}
    if kind is FloorOrImprovement:
        bound = draw(quantities(shape))
        improvement = draw(quantities(shape))
        key = "floor" if shape.better is Direction.HIGHER else "ceiling"
        pairs = _shuffled(draw, [(key, bound.written), ("improvement", improvement.written)])
        return (
            Drawn(
                dict(pairs),
                FloorOrImprovement(**{key: bound.built}, improvement=improvement.built),
            ),
            {FloorOrImprovement},
        )
    written = draw(st.sampled_from(("trajectory", "Trajectory", " trajectory ", Trajectory())))
    return Drawn(written, Trajectory()), {Trajectory}


@st.composite
def thresholds(draw: Draw, shape: _Shape, context: _Context) -> tuple[Drawn, set[type]]:
    """Any threshold: one rule, or a rule for each of some of the contract's stages."""
    if draw(st.booleans()):
        drawn: tuple[Drawn, set[type]] = draw(rules(shape, context))
        return drawn
    names = draw(st.lists(st.sampled_from(context.stages), min_size=1, unique=True))
    staged = [(name, draw(rules(shape, context))) for name in names]
    kinds: set[type] = set().union(*(found for _, (_, found) in staged))
    written = {name: rule.written for name, (rule, _) in staged}
    built = Staged(stages=tuple((name, rule.built) for name, (rule, _) in staged))
    return Drawn(written, built), kinds


# --- the parts of a contract ----------------------------------------------------------------


def _written(mapping: dict[str, Any], draw: Draw, **optional: Any) -> dict[str, Any]:
    """Add optional keys: those with a value always, those without sometimes as explicit None."""
    out = dict(mapping)
    for key, value in optional.items():
        if value is not None:
            out[key] = value
        elif draw(st.integers(0, 4)) == 0:
            out[key] = None
    return out


@st.composite
def parties(draw: Draw, kind: type[Commissioner] | type[Provider]) -> list[Drawn]:
    """1 to 4 commissioners or providers with distinct ODS codes."""
    codes = draw(st.lists(ods_codes(), min_size=1, max_size=4, unique=True))
    out = []
    for code in codes:
        name = draw(texts())
        if kind is Provider:
            kind_of = draw(st.sampled_from(ProviderType))
            written = {"id": code, "name": name, "type": kind_of.value}
            out.append(Drawn(written, Provider(id=code, name=name, type=kind_of)))
        else:
            out.append(Drawn({"id": code, "name": name}, Commissioner(id=code, name=name)))
    return out


@st.composite
def terms(draw: Draw) -> Drawn:
    """A term from a day to a later day: often a run of whole financial years."""
    if draw(st.booleans()):
        first = draw(st.integers(2020, 2032))
        start, end = date(first, 4, 1), date(first + draw(st.integers(1, 5)), 3, 31)
    else:
        start = draw(st.dates(min_value=date(2018, 1, 1), max_value=date(2035, 12, 31)))
        end = start + timedelta(days=draw(st.integers(1, 6 * 366)))
    written = {
        "start": _date_key(draw, start),
        "end": _date_key(draw, end),
    }
    return Drawn(written, Term(start=start, end=end))


@st.composite
def embeddings(draw: Draw) -> list[Drawn]:
    """0 to 4 stages, the last open-ended, at least one of them assessed."""
    names = draw(st.lists(stage_names(), max_size=4, unique=True))
    if not names:
        return []
    modes = draw(st.lists(st.sampled_from(StageMode), min_size=len(names), max_size=len(names)))
    if all(mode is StageMode.SHADOW for mode in modes):
        modes[draw(st.integers(0, len(names) - 1))] = StageMode.ASSESSED
    out = []
    for index, (name, mode) in enumerate(zip(names, modes, strict=True)):
        months = None if index == len(names) - 1 else draw(st.integers(1, 24))
        written: dict[str, Any] = {"stage": name}
        if months is not None:
            written["months"] = months
        if mode is StageMode.SHADOW or draw(st.booleans()):
            written["mode"] = mode.value
        out.append(Drawn(written, Stage(stage=name, months=months, mode=mode)))
    return out


_FREQUENCY_PAIRS = tuple(
    (reported, assessed)
    for reported in Frequency
    for assessed in Frequency
    if assessed.months >= reported.months
)


@dataclass(frozen=True)
class _DrawnKPI:
    drawn: Drawn
    shape: _Shape
    assessed: Frequency
    kinds: set[type]


@st.composite
def kpis(draw: Draw, kpi_id: str, context: _Context) -> _DrawnKPI:
    """A KPI of any measure, with any threshold shape."""
    measure = draw(st.sampled_from(Measure))
    better = draw(st.sampled_from(Direction))
    unit = per = None
    if measure is Measure.MEAN:
        unit = draw(st.sampled_from(sorted(_TIME_UNITS)))
    elif measure is Measure.RATE:
        per = draw(st.one_of(st.sampled_from(_PERS), st.integers(1, 10**6)))
    elif measure is Measure.COUNT and draw(st.booleans()):
        unit = draw(st.sampled_from(sorted(_COUNT_UNITS)))
    shape = _Shape(measure, better, unit, per)
    reported, assessed = draw(st.sampled_from(_FREQUENCY_PAIRS))
    combine = draw(st.one_of(st.none(), st.sampled_from(Combine)))
    threshold, kinds = draw(thresholds(shape, context))
    name = draw(texts())
    numerator, denominator, clause = (_maybe_text(draw) for _ in range(3))
    written = _written(
        {
            "id": kpi_id,
            "name": name,
            "measure": measure.value,
            "better": better.value,
            "reported": reported.value,
            "assessed": assessed.value,
            "threshold": threshold.written,
        },
        draw,
        unit=unit,
        per=per,
        numerator=numerator,
        denominator=denominator,
        clause=clause,
    )
    if combine is not None:
        written["combine"] = combine.value
    built = KPI(
        id=kpi_id,
        name=name,
        measure=measure,
        unit=unit,
        per=per,
        numerator=numerator,
        denominator=denominator,
        better=better,
        reported=reported,
        assessed=assessed,
        combine=combine if combine is not None else Combine.SUM,
        threshold=threshold.built,
        clause=clause,
    )
    return _DrawnKPI(Drawn(written, built), shape, assessed, kinds)


def _period_key(draw: Draw, period: Month | Quarter | FinancialYear) -> Any:
    text = str(period)
    spellings: list[Any] = [text, period, f" {text} "]
    if isinstance(period, Quarter):
        spellings.append(text.replace("Q", "q"))
    return draw(st.sampled_from(spellings))


@st.composite
def trajectories(draw: Draw, kpi: _DrawnKPI, term: Term) -> Drawn:
    """A trajectory keyed by the KPI's assessment periods, each overlapping the term."""
    periods = list(kpi.assessed.periods_between(term.start, term.end + timedelta(days=1)))
    chosen = draw(st.lists(st.sampled_from(periods), min_size=1, max_size=6, unique=True))
    values = [(period, draw(quantities(kpi.shape))) for period in chosen]
    return Drawn(
        {_period_key(draw, period): value.written for period, value in values},
        {period: value.built for period, value in values},
    )


@st.composite
def services(
    draw: Draw, service_id: str, providers: list[str], drawn_kpis: list[_DrawnKPI], term: Term
) -> Drawn:
    """A service of an existing provider, held to existing KPIs, with the baselines and
    trajectories its KPIs' thresholds need."""
    provider = draw(st.sampled_from(providers))
    held = draw(
        st.lists(st.sampled_from(drawn_kpis), min_size=1, unique_by=lambda k: k.drawn.built.id)
    )
    commences = draw(st.dates(min_value=term.start - timedelta(days=10 * 365), max_value=term.end))
    name = _maybe_text(draw)
    baselines: dict[str, Drawn] = {}
    trajectories_: dict[str, Drawn] = {}
    for kpi in held:
        kpi_id = kpi.drawn.built.id
        if FloorOrImprovement in kpi.kinds:
            baselines[kpi_id] = draw(quantities(kpi.shape))
        if Trajectory in kpi.kinds:
            trajectories_[kpi_id] = draw(trajectories(kpi, term))
    kpi_ids = [k.drawn.built.id for k in held]
    written: dict[str, Any] = _written(
        {
            "id": service_id,
            "provider": provider,
            "commences": _date_key(draw, commences),
            "kpis": kpi_ids,
        },
        draw,
        name=name,
    )
    if baselines or draw(st.integers(0, 4)) == 0:
        written["baselines"] = {k: v.written for k, v in baselines.items()}
    if trajectories_ or draw(st.integers(0, 4)) == 0:
        written["trajectories"] = {k: v.written for k, v in trajectories_.items()}
    built = Service(
        id=service_id,
        provider=provider,
        commences=commences,
        kpis=tuple(kpi_ids),
        name=name,
        baselines={k: v.built for k, v in baselines.items()},
        trajectories={k: v.built for k, v in trajectories_.items()},
    )
    return Drawn(written, built)


@st.composite
def outcomes(draw: Draw, outcome_id: str, kpi_ids: list[str]) -> Drawn:
    """An outcome evidenced by some of the contract's KPIs."""
    evidence = draw(st.lists(st.sampled_from(kpi_ids), min_size=1, unique=True))
    name = draw(texts())
    description = _maybe_text(draw)
    written = _written(
        {"id": outcome_id, "name": name, "kpis": evidence}, draw, description=description
    )
    return Drawn(
        written, Outcome(id=outcome_id, name=name, kpis=tuple(evidence), description=description)
    )


@st.composite
def escalations(draw: Draw) -> list[Drawn]:
    """Escalation rules, each step's rules together, counts no more than their windows, and
    the steps of contract management (General Condition 9) in their order."""
    steps = draw(st.lists(step_names(), max_size=4, unique=True))
    stage = contract_management_stage
    known = iter(sorted((s for s in steps if stage(s) is not None), key=lambda s: stage(s) or 0))
    steps = [next(known) if stage(s) is not None else s for s in steps]
    out = []
    for step in steps:
        for _ in range(draw(st.integers(1, 2))):
            within = draw(st.integers(1, 12))
            count = draw(st.integers(1, within))
            key = draw(st.sampled_from(("flagged", "alarms")))
            out.append(
                Drawn(
                    {"step": step, key: count, "within": within},
                    EscalationRule(step=step, within=within, **{key: count}),
                )
            )
    return out


@st.composite
def flag_levels(draw: Draw) -> Drawn | None:
    """Flag levels with 0 < alarm < warning < 0.5, or None to leave the defaults."""
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return None
    levels = st.one_of(
        st.sampled_from((0.05, 0.025, 0.01, 0.001, 0.0001, 0.2, 0.49)),
        st.floats(min_value=1e-6, max_value=0.499, allow_subnormal=False),
    )
    if choice == 1:
        warning = draw(levels.filter(lambda w: w > 0.001))
        return Drawn({"warning": warning}, Flags(warning=warning))
    warning = draw(levels)
    alarm = draw(
        st.one_of(
            st.sampled_from((0.001, 0.0001, 1e-6)).filter(lambda a: a < warning),
            st.floats(min_value=warning / 1000, max_value=warning, exclude_max=True),
        )
    )
    return Drawn({"warning": warning, "alarm": alarm}, Flags(warning=warning, alarm=alarm))


# --- the contract ---------------------------------------------------------------------------


@st.composite
def cases(draw: Draw, *, max_kpis: int = 5, max_services: int = 5) -> Case:
    """A valid contract as a written mapping and as constructed objects."""
    contract_id = draw(ids())
    title = draw(texts())
    commissioners = draw(parties(Commissioner))
    providers = draw(parties(Provider))
    term = draw(terms())
    embedding = draw(embeddings())
    assessed = [s.built.stage for s in embedding if s.built.mode is StageMode.ASSESSED]
    context = _Context(term.built, tuple(assessed) if embedding else ("established",))
    kpi_ids = draw(st.lists(ids(), min_size=1, max_size=max_kpis, unique=True))
    drawn_kpis = [draw(kpis(kpi_id, context)) for kpi_id in kpi_ids]
    provider_ids = [p.built.id for p in providers]
    service_ids = draw(st.lists(ids(), min_size=1, max_size=max_services, unique=True))
    drawn_services = [
        draw(services(sid, provider_ids, drawn_kpis, term.built)) for sid in service_ids
    ]
    outcome_ids = draw(st.lists(ids(), max_size=3, unique=True))
    drawn_outcomes = [draw(outcomes(oid, kpi_ids)) for oid in outcome_ids]
    escalation = draw(escalations())
    flags = draw(flag_levels())

    mapping: dict[str, Any] = {}
    if draw(st.booleans()):
        mapping["contractkit"] = 1
    if draw(st.booleans()):
        mapping["kind"] = "contract"
    mapping.update(
        {
            "id": contract_id,
            "title": title,
            "commissioners": [c.written for c in commissioners],
            "term": term.written,
            "providers": [p.written for p in providers],
            "kpis": [k.drawn.written for k in drawn_kpis],
            "services": [s.written for s in drawn_services],
        }
    )
    if embedding:
        mapping["embedding"] = [s.written for s in embedding]
    if flags is not None:
        mapping["flags"] = flags.written
    if drawn_outcomes or draw(st.booleans()):
        mapping["outcomes"] = [o.written for o in drawn_outcomes]
    if escalation or draw(st.booleans()):
        mapping["escalation"] = [e.written for e in escalation]

    contract = Contract(
        id=contract_id,
        title=title,
        commissioners=tuple(c.built for c in commissioners),
        term=term.built,
        providers=tuple(p.built for p in providers),
        embedding=tuple(s.built for s in embedding),
        flags=flags.built if flags is not None else Flags(),
        kpis=tuple(k.drawn.built for k in drawn_kpis),
        services=tuple(s.built for s in drawn_services),
        outcomes=tuple(o.built for o in drawn_outcomes),
        escalation=tuple(e.built for e in escalation),
    )
    return Case(mapping, contract)


def contracts(**sizes: int) -> st.SearchStrategy[Contract]:
    """Valid contracts, built from the public constructors."""
    return cases(**sizes).map(lambda case: case.contract)
