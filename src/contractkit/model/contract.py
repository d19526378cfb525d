"""The contract: parties, term, KPIs, services, stages, flags and the escalation policy."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from fractions import Fraction
from typing import Annotated, Any, Literal, TypeVar

import attrs
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from contractkit.model._base import (
    Issue,
    IssuesError,
    SpecModel,
    cross_checked,
    did_you_mean,
    supported_format,
)
from contractkit.model._dates import Day
from contractkit.model._types import Id
from contractkit.model.embedding import ESTABLISHED, Stage, StageMode, StageSpan, schedule
from contractkit.model.escalation import EscalationRule, Flags, contract_management_stage
from contractkit.model.kpi import KPI, Direction, Measure, describe_kpi
from contractkit.model.payment_terms import Consequence, Finance, Indicator, curve_issues
from contractkit.model.provider import Commissioner, Provider, ProviderType
from contractkit.model.reporting import Reporting
from contractkit.model.service import Outcome, Service
from contractkit.model.threshold import (
    Dated,
    FloorOrImprovement,
    Staged,
    Threshold,
    Trajectory,
    parse_threshold,
    rules,
)
from contractkit.periods import Month, Quarter

__all__ = ["Contract", "Term"]


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class Term(SpecModel):
    """The contract's term: from ``start`` to ``end``, both days included."""

    start: Day
    """The first day of the contract."""
    end: Day
    """The last day of the contract."""

    @model_validator(mode="after")
    def _ordered(self) -> Term:
        if self.end <= self.start:
            raise IssuesError(
                [
                    Issue(
                        ("end",),
                        f"the term ends ({self.end}) on or before it starts ({self.start})",
                    )
                ]
            )
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class Contract(SpecModel):
    """A flexible, outcome-based contract between commissioners and providers."""

    contractkit: Literal[1] = 1
    """The version of the contract format: 1."""
    kind: Literal["contract"] = "contract"
    """What the file describes: a ``contract`` (the default)."""
    id: Id
    """The contract's reference, such as ``NEL-UCR-2026``."""
    title: str
    """What the contract is for."""
    commissioners: Annotated[tuple[Commissioner, ...], Field(min_length=1)]
    """Who commissions the services."""
    term: Term
    """When the contract runs."""
    providers: Annotated[tuple[Provider, ...], Field(min_length=1)]
    """Who delivers the services."""
    embedding: tuple[Stage, ...] = ()
    """The embedding stages, counted from each service's commencement. Without them, every
    service is ``established`` throughout."""
    flags: Flags = Field(default_factory=Flags)
    """The significance levels for ``warning`` and ``alarm`` flags, the same for everyone."""
    kpis: Annotated[tuple[KPI, ...], Field(min_length=1)]
    """What is measured."""
    services: Annotated[tuple[Service, ...], Field(min_length=1)]
    """What each provider delivers, from when, held to which KPIs."""
    outcomes: tuple[Outcome, ...] = ()
    """The outcomes the contract seeks, each evidenced by some of its KPIs."""
    escalation: tuple[EscalationRule, ...] = ()
    """When persistent flags call for each step of the contract-management process."""
    reporting: Reporting = Field(default_factory=Reporting)
    """How a failure to report (a return missing or rejected, a period with only some of its
    returns) counts towards escalation: as a flagged period unless the contract says otherwise."""
    finance: Finance | None = None
    """What each service is paid, and what performance earns or costs: see "Payments"."""

    @field_validator("contractkit", mode="before")
    @classmethod
    def _supported(cls, value: Any) -> Any:
        return supported_format(value, "contract")

    @model_validator(mode="wrap")
    @classmethod
    def _cross_check(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Contract:
        return cross_checked(
            cls,
            data,
            handler,
            lambda contract: [
                *_reference_issues(contract),
                *_semantic_issues(_Parts.of(contract)),
                *_finance_issues(contract, _Parts.of(contract)),
            ],
            lambda raw: [
                *_reference_issues(raw),
                *_semantic_issues(_Parts.salvage(raw)),
                *_finance_issues(raw, _Parts.salvage(raw)),
            ],
        )

    # --- looking things up -------------------------------------------------------------------

    @functools.cached_property
    def _kpis(self) -> dict[str, KPI]:
        return {k.id: k for k in self.kpis}

    @functools.cached_property
    def _services(self) -> dict[str, Service]:
        return {s.id: s for s in self.services}

    @functools.cached_property
    def _providers(self) -> dict[str, Provider]:
        return {p.id: p for p in self.providers}

    def kpi(self, kpi_id: str) -> KPI:
        """The KPI with this id (a KeyError naming the known ids if there is none)."""
        return _lookup(self._kpis, kpi_id, "KPI")

    def service(self, service_id: str) -> Service:
        """The service with this id."""
        return _lookup(self._services, service_id, "service")

    def provider(self, provider_id: str) -> Provider:
        """The provider with this ODS code."""
        return _lookup(self._providers, provider_id, "provider")

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The embedding stages, or the single ``established`` stage if none are given."""
        return self.embedding or (ESTABLISHED,)

    def schedule(self, service: Service | str) -> tuple[StageSpan, ...]:
        """When each stage applies to a service, from its commencement."""
        svc = self.service(service) if isinstance(service, str) else service
        return schedule(self.stages, svc.commences)

    @property
    def steps(self) -> tuple[str, ...]:
        """The escalation steps, least serious first (the order they are first named in)."""
        return tuple(dict.fromkeys(rule.step for rule in self.escalation))

    def kpi_summary(self, kpi: KPI | str) -> str:
        """A KPI in one plain-English sentence, naming the stages it is monitored only in."""
        return describe_kpi(self.kpi(kpi) if isinstance(kpi, str) else kpi, self.stages)

    def __repr__(self) -> str:
        return (
            f"Contract(id={self.id!r}, title={self.title!r}, "
            f"term={self.term.start}..{self.term.end}"
            f", {_count(len(self.providers), 'provider')}, "
            f"{_count(len(self.services), 'service')}, {_count(len(self.kpis), 'KPI')})"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _lookup(index: Mapping[str, T], key: str, noun: str) -> T:
    try:
        return index[key]
    except KeyError:
        raise KeyError(f"no {noun} {key!r}{did_you_mean(key, index)}") from None


# --- checks across the contract ----------------------------------------------------------------


def _get(obj: object, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    if isinstance(obj, BaseModel):
        return getattr(obj, name, None)
    return None


def _items(obj: object, name: str) -> list[Any]:
    value = _get(obj, name)
    return list(value) if isinstance(value, list | tuple) else []


def _ids(obj: object, section: str, key: str = "id") -> dict[str, int]:
    """The ids in a section, and the problems of ids given twice."""
    seen: dict[str, int] = {}
    for index, item in enumerate(_items(obj, section)):
        value = _get(item, key)
        if isinstance(value, str) and value not in seen:
            seen[value] = index
    return seen


def _listing(known: Iterable[str], limit: int = 12) -> str:
    names = list(known) if isinstance(known, list) else sorted(known)
    shown = ", ".join(names[:limit]) + (f", … ({len(names)} in all)" if len(names) > limit else "")
    return shown or "none"


def _unknown(kind: str, name: str, known: Mapping[str, int] | set[str]) -> str:
    hint = did_you_mean(name, known)
    return f"unknown {kind} {name!r}{hint} (the {kind}s are: {_listing(known)})"


def _reference_issues(data: object) -> Iterator[Issue]:
    """Duplicate ids and references to things that do not exist; works on raw data or a model."""
    for section, key in (
        ("commissioners", "id"),
        ("providers", "id"),
        ("kpis", "id"),
        ("services", "id"),
        ("outcomes", "id"),
        ("embedding", "stage"),
    ):
        first: dict[str, int] = {}
        for index, item in enumerate(_items(data, section)):
            value = _get(item, key)
            if not isinstance(value, str):
                continue
            if value in first:
                yield Issue(
                    (section, index, key),
                    f"{value!r} is used twice: also {section}[{first[value]}]",
                )
            else:
                first[value] = index
    providers = _ids(data, "providers")
    kpis = _ids(data, "kpis")
    for index, service in enumerate(_items(data, "services")):
        provider = _get(service, "provider")
        if isinstance(provider, str) and providers and provider not in providers:
            yield Issue(("services", index, "provider"), _unknown("provider", provider, providers))
        own: dict[str, int] = {}
        for position, kpi in enumerate(_items(service, "kpis")):
            if not isinstance(kpi, str):
                continue
            if kpis and kpi not in kpis:
                yield Issue(("services", index, "kpis", position), _unknown("KPI", kpi, kpis))
            if kpi in own:
                yield Issue(("services", index, "kpis", position), f"{kpi!r} is listed twice")
            own.setdefault(kpi, position)
        for section in ("baselines", "trajectories"):
            given = _get(service, section)
            if isinstance(given, Mapping):
                for kpi in given:
                    if isinstance(kpi, str) and kpi not in own:
                        yield Issue(
                            ("services", index, section, kpi),
                            f"{kpi!r} is not one of this service's KPIs "
                            f"({_listing(own)}){did_you_mean(kpi, own)}",
                            at_key=True,
                        )
    for index, outcome in enumerate(_items(data, "outcomes")):
        for position, kpi in enumerate(_items(outcome, "kpis")):
            if isinstance(kpi, str) and kpis and kpi not in kpis:
                yield Issue(("outcomes", index, "kpis", position), _unknown("KPI", kpi, kpis))


@attrs.frozen
class _Parts:
    """The sound parts of a contract, each with its index in its section.

    From a valid contract, everything; from one with problems, whatever validates on its own,
    so that the checks across sections still run on those parts.
    """

    term: Term | None
    embedding: tuple[Stage, ...] | None
    """None when some stage is itself faulty (the checks of their order are then skipped)."""
    stage_names: frozenset[str]
    shadow_names: frozenset[str]
    stage_order: list[str]
    kpis: tuple[tuple[int, KPI], ...]
    thresholds: tuple[tuple[int, Threshold], ...]
    """Every threshold that reads, even where its KPI has other problems."""
    services: tuple[tuple[int, Service], ...]
    escalation: tuple[tuple[int, EscalationRule], ...] | None

    @classmethod
    def of(cls, contract: Contract) -> _Parts:
        return cls(
            term=contract.term,
            embedding=contract.embedding,
            stage_names=frozenset(s.stage for s in contract.stages),
            shadow_names=frozenset(s.stage for s in contract.stages if s.mode is StageMode.SHADOW),
            stage_order=[s.stage for s in contract.stages],
            kpis=tuple(enumerate(contract.kpis)),
            thresholds=tuple((i, k.threshold) for i, k in enumerate(contract.kpis)),
            services=tuple(enumerate(contract.services)),
            escalation=tuple(enumerate(contract.escalation)),
        )

    @classmethod
    def salvage(cls, data: Mapping[str, Any]) -> _Parts:
        stages = _sound(Stage, _items(data, "embedding"))
        raw_stages = _items(data, "embedding")
        names = {_get(s, "stage") for s in raw_stages} if raw_stages else {ESTABLISHED.stage}
        rules_ = _sound(EscalationRule, _items(data, "escalation"))
        thresholds: list[tuple[int, Threshold]] = []
        for index, kpi in enumerate(_items(data, "kpis")):
            try:
                thresholds.append((index, parse_threshold(_get(kpi, "threshold"))))
            except ValueError:
                continue
        return cls(
            term=next((t for _, t in _sound(Term, [data.get("term")])), None),
            embedding=tuple(s for _, s in stages) if len(stages) == len(raw_stages) else None,
            stage_names=frozenset(n for n in names if isinstance(n, str)),
            shadow_names=frozenset(s.stage for _, s in stages if s.mode is StageMode.SHADOW),
            stage_order=[n for n in dict.fromkeys(names) if isinstance(n, str)],
            kpis=_sound(KPI, _items(data, "kpis")),
            thresholds=tuple(thresholds),
            services=_sound(Service, _items(data, "services")),
            escalation=rules_ if len(rules_) == len(_items(data, "escalation")) else None,
        )


def _sound(model: type[M], items: list[Any]) -> tuple[tuple[int, M], ...]:
    """The items that validate on their own as ``model``, with their indexes."""
    sound: list[tuple[int, M]] = []
    for index, item in enumerate(items):
        if isinstance(item, model):
            sound.append((index, item))
            continue
        try:
            sound.append((index, model.model_validate(item)))
        except (ValidationError, ValueError, TypeError):
            continue
    return tuple(sound)


def _semantic_issues(parts: _Parts) -> Iterator[Issue]:
    if parts.embedding is not None:
        yield from _stage_issues(parts.embedding)
    yield from _threshold_issues(parts)
    yield from _service_issues(parts)
    if parts.escalation is not None:
        yield from _escalation_issues(parts.escalation)


def _stage_issues(stages: tuple[Stage, ...]) -> Iterator[Issue]:
    provider_types = {t.value for t in ProviderType}
    for index, stage in enumerate(stages):
        if stage.stage in provider_types:
            yield Issue(
                ("embedding", index, "stage"),
                f"{stage.stage!r} is a provider type: stages follow each service's commencement, "
                "never who provides it",
            )
        last = index == len(stages) - 1
        if stage.months is None and not last:
            yield Issue(
                ("embedding", index),
                f"stage {stage.stage!r} has no 'months', so it runs to the end of the term and "
                f"the stages after it ({', '.join(s.stage for s in stages[index + 1 :])}) could "
                "never begin: give it a length, or move it last",
            )
        if stage.months is not None and last:
            yield Issue(
                ("embedding", index, "months"),
                "the last stage runs to the end of the term, so it takes no 'months'",
            )
    if stages and all(s.mode is StageMode.SHADOW for s in stages):
        yield Issue(("embedding",), "every stage is shadow: no period would ever be assessed")


def _threshold_issues(parts: _Parts) -> Iterator[Issue]:
    names = parts.stage_names
    ordered = parts.stage_order
    term = parts.term
    for index, threshold in parts.thresholds:
        base = ("kpis", index, "threshold")
        if isinstance(threshold, Staged):
            for name, _ in threshold.stages:
                if name in parts.shadow_names:
                    yield Issue(
                        (*base, name),
                        f"stage {name!r} is shadow: its periods are never judged, so it takes no "
                        "threshold (they are shown against the next assessed stage's threshold)",
                        at_key=True,
                    )
                if name not in names:
                    hint = did_you_mean(name, names)
                    yield Issue(
                        (*base, name),
                        f"unknown stage {name!r}{hint} (the stages are: {_listing(ordered)})",
                        at_key=True,
                    )
        for path, rule in rules(threshold):
            if isinstance(rule, Dated) and term is not None:
                for start, _ in rule.values:
                    if start not in term:
                        yield Issue(
                            (*base, *path, start.isoformat()),
                            f"{start} is outside the term ({term.start} to {term.end})",
                            at_key=True,
                        )


def _service_issues(parts: _Parts) -> Iterator[Issue]:
    term = parts.term
    kpis = {k.id: k for _, k in parts.kpis}
    kinds_of = {k.id: {type(rule) for _, rule in rules(k.threshold)} for k in kpis.values()}
    for index, service in parts.services:
        if term is not None and service.commences > term.end:
            yield Issue(
                ("services", index, "commences"),
                f"commences {service.commences}, after the term ends ({term.end})",
            )
        if service.ends is not None and service.ends < service.commences:
            yield Issue(
                ("services", index, "ends"),
                f"ends {service.ends}, before it commences ({service.commences})",
            )
        for kpi_id in service.kpis:
            kpi = kpis.get(kpi_id)
            if kpi is None:
                continue
            kinds = kinds_of[kpi_id]
            if FloorOrImprovement in kinds and kpi_id not in service.baselines:
                yield Issue(
                    ("services", index),
                    f"KPI {kpi_id!r} is judged against a floor or improvement on the baseline, "
                    f"so the service needs 'baselines: {{{kpi_id}: …}}'",
                )
            if Trajectory in kinds and kpi_id not in service.trajectories:
                yield Issue(
                    ("services", index),
                    f"KPI {kpi_id!r} is judged against each service's agreed trajectory, so the "
                    f"service needs 'trajectories: {{{kpi_id}: {{…}}}}'",
                )
        for kpi_id, baseline in service.baselines.items():
            kpi = kpis.get(kpi_id)
            if kpi is None:
                continue
            path = ("services", index, "baselines", kpi_id)
            if FloorOrImprovement not in kinds_of[kpi_id]:
                yield Issue(
                    path,
                    f"KPI {kpi_id!r} has no floor-or-improvement threshold, so "
                    "this baseline would never be used",
                    at_key=True,
                )
            message = kpi._problem_with(baseline, "level")
            if message:
                yield Issue(path, message)
        for kpi_id, trajectory in service.trajectories.items():
            kpi = kpis.get(kpi_id)
            if kpi is None:
                continue
            path = ("services", index, "trajectories", kpi_id)
            if Trajectory not in kinds_of[kpi_id]:
                yield Issue(
                    path,
                    f"KPI {kpi_id!r}'s threshold is not 'trajectory', so this "
                    "trajectory would never be used",
                    at_key=True,
                )
            if not trajectory:
                yield Issue(path, "an empty trajectory")
            expected = kpi.assessed.period_type
            for period, value in trajectory.items():
                at = (*path, str(period))
                if type(period) is not expected:
                    example = {Month: "2026-07", Quarter: "2026/27 Q2"}.get(expected, "2026/27")
                    yield Issue(
                        at,
                        f"{period} is a {period.kind}, but {kpi_id!r} is assessed "
                        f"{kpi.assessed}: key the trajectory by {expected.kind}, such as "
                        f"{example!r}",
                        at_key=True,
                    )
                elif term is not None and not (
                    period.start <= term.end and period.last_day >= term.start
                ):
                    yield Issue(
                        at,
                        f"{period} is outside the term ({term.start} to {term.end})",
                        at_key=True,
                    )
                message = kpi._problem_with(value, "level")
                if message:
                    yield Issue(at, message)


def _escalation_issues(escalation: tuple[tuple[int, EscalationRule], ...]) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    previous: str | None = None
    for index, rule in escalation:
        if rule.step in seen and previous != rule.step:
            yield Issue(
                ("escalation", index, "step"),
                f"{rule.step!r} was already placed at escalation[{seen[rule.step]}]: rules are "
                "listed from the least to the most serious step, so keep a step's rules together",
            )
        seen.setdefault(rule.step, index)
        previous = rule.step
    yield from _contract_management_order(seen)


def _contract_management_order(first: Mapping[str, int]) -> Iterator[Issue]:
    """Steps of the contract-management process listed out of its order: the fewest steps that,
    moved, put the rest in order, each reported against a step it is misplaced beside. Steps
    named in the contract's own words are not ordered."""
    known = [
        (step, index, stage)
        for step, index in first.items()
        if (stage := contract_management_stage(step)) is not None
    ]
    in_order = _longest_in_order([stage for _, _, stage in known])
    if len(in_order) == len(known):
        return
    expected = " → ".join(step for step, _, _ in sorted(known, key=lambda k: k[2]))
    kept = [known[i] for i in in_order]
    for position, (step, index, stage) in enumerate(known):
        if position in in_order:
            continue
        before = [other for other, other_index, other_stage in kept if other_index < index]
        after = [
            (other, other_stage)
            for other, other_index, other_stage in kept
            if other_index > index and other_stage < stage
        ]
        stages = {other: other_stage for other, _, other_stage in kept}
        above = [other for other in before if stages[other] > stage]
        if above:
            placed = f"after {above[-1]!r}, as the more serious step, but it comes before it"
        else:
            placed = f"before {after[0][0]!r}, as the less serious step, but it comes after it"
        yield Issue(
            ("escalation", index, "step"),
            f"{step!r} is listed {placed} in contract management (General Condition 9 of the "
            f"NHS Standard Contract): list the rules from the least serious step, {expected}",
        )


def _longest_in_order(stages: list[int]) -> set[int]:
    """The positions of a longest run (not necessarily adjacent) of stages in order, keeping
    the earliest-listed steps where there is a choice."""
    best: list[list[int]] = []
    for position, stage in enumerate(stages):
        chains = [chain for chain in best if stages[chain[-1]] <= stage]
        longest = max(chains, key=len) if chains else []
        best.append([*longest, position])
    chosen: list[int] = max(best, key=len) if best else []
    return set(chosen)


def _finance_issues(data: object, parts: _Parts) -> Iterator[Issue]:
    """The finance section against the rest of the contract: the services, KPIs and steps it
    names, and its curves and tolerances in each KPI's terms."""
    finance = _get(data, "finance")
    if finance is None:
        return
    services = _ids(data, "services")
    kpi_ids = _ids(data, "kpis")
    steps = list(dict.fromkeys(_get(r, "step") for r in _items(data, "escalation")))
    base: tuple[str | int, ...] = ("finance",)
    first: dict[str, int] = {}
    for index, payment in enumerate(_items(finance, "payments")):
        service = _get(payment, "service")
        if not isinstance(service, str):
            continue
        at = (*base, "payments", index, "service")
        if services and service not in services:
            yield Issue(at, _unknown("service", service, services))
        elif service in first:
            yield Issue(at, f"{service!r} is paid twice: also finance.payments[{first[service]}]")
        first.setdefault(service, index)
    sections = (
        (("incentive", "indicators"), "indicator"),
        (("consequences",), "consequence"),
    )
    for section, noun in sections:
        holder = _get(finance, section[0]) if len(section) > 1 else finance
        seen: dict[str, int] = {}
        for index, item in enumerate(_items(holder, section[-1])):
            kpi = _get(item, "kpi")
            at = (*base, *section, index, "kpi")
            if not isinstance(kpi, str):
                continue
            if kpi_ids and kpi not in kpi_ids:
                yield Issue(at, _unknown("KPI", kpi, kpi_ids))
            elif noun == "consequence" and kpi in seen:
                yield Issue(
                    at, f"{kpi!r} has a consequence already: finance.consequences[{seen[kpi]}]"
                )
            seen.setdefault(kpi, index)
    seen_steps: dict[str, int] = {}
    for index, rule in enumerate(_items(finance, "withholding")):
        step = _get(rule, "step")
        if not isinstance(step, str):
            continue
        at = (*base, "withholding", index, "step")
        if step not in steps:
            known = {s for s in steps if isinstance(s, str)}
            yield Issue(
                at,
                f"{step!r} is not an escalation step{did_you_mean(step, known)} (the steps are: "
                f"{_listing([s for s in steps if isinstance(s, str)])}): withholding follows "
                "the contract's escalation",
            )
        elif step in seen_steps:
            yield Issue(
                at, f"{step!r} is withheld for already: finance.withholding[{seen_steps[step]}]"
            )
        seen_steps.setdefault(step, index)
    model = (
        finance
        if isinstance(finance, Finance)
        else next((f for _, f in _sound(Finance, [finance])), None)
    )
    kpis = {k.id: k for _, k in parts.kpis}
    if model is not None:
        indicators = model.incentive.indicators if model.incentive is not None else ()
        yield from _finance_terms(
            model, kpis, tuple(enumerate(indicators)), tuple(enumerate(model.consequences))
        )
    else:  # what is sound on its own is checked, so that one problem does not hide others
        yield from _finance_terms(
            None,
            kpis,
            _sound(Indicator, _items(_get(finance, "incentive"), "indicators")),
            _sound(Consequence, _items(finance, "consequences")),
        )


def _finance_terms(
    finance: Finance | None,
    kpis: Mapping[str, KPI],
    indicators: tuple[tuple[int, Indicator], ...],
    consequences: tuple[tuple[int, Consequence], ...],
) -> Iterator[Issue]:
    """The finance section's terms in each KPI's own terms: the section as a whole where it is
    sound, and each indicator and consequence that is sound on its own."""
    base: tuple[str | int, ...] = ("finance",)
    at = (*base, "incentive")
    incentive = finance.incentive if finance is not None else None
    if finance is not None and incentive is not None:
        if incentive.of == "value" and finance.value is None:
            yield Issue(
                (*at, "of"), "the pot is a percentage of the contract's value: give finance.value"
            )
        if not any(p.fixed is not None for p in finance.payments):
            yield Issue(
                at,
                "no service has a fixed payment, so there is nothing to set the pot by: give "
                "the services' 'fixed' payments",
            )
    for index, indicator in indicators:
        kpi = kpis.get(indicator.kpi)
        if kpi is None:
            continue
        where = (*at, "indicators", index)
        edges = indicator.curve.edges()
        keys = ("zero_at", "full_at") if indicator.linear is not None else None
        problems = [kpi._problem_with(edge, "level") for edge in edges]
        for position, problem in enumerate(problems):
            if problem:
                path = (
                    (*where, "linear", keys[position]) if keys else (*where, "bands", position + 1)
                )
                yield Issue(path, problem)
        if not any(problems):
            levels = [Fraction(kpi.level(edge)) for edge in edges]
            for issue in curve_issues(indicator, levels, kpi.better is Direction.HIGHER):
                yield Issue((*where, *issue.path), issue.message)
    for index, consequence in consequences:
        kpi = kpis.get(consequence.kpi)
        if kpi is None:
            continue
        where = (*base, "consequences", index)
        if consequence.per_breach is not None and kpi.measure is Measure.MEAN:
            yield Issue(
                (*where, "per_breach"),
                f"KPI {kpi.id!r} is a mean, which has no breaches to count: a consequence "
                "per breach needs a proportion, a rate or a count",
            )
        if consequence.per_incident is not None and not (
            kpi.measure in (Measure.COUNT, Measure.RATE) and kpi.better is Direction.LOWER
        ):
            yield Issue(
                (*where, "per_incident"),
                f"KPI {kpi.id!r} does not count incidents (a count or rate where lower is "
                "better): charge 'per_breach' instead",
            )
        if consequence.tolerance is not None:
            problem = kpi._problem_with(consequence.tolerance, "level")
            if problem:
                yield Issue((*where, "tolerance"), problem)
