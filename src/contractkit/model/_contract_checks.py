"""The checks across a contract's sections, with the offending name and the valid ones in each
message: its references (:mod:`._references`), its stages, each threshold against the stages
and the term, each service against its KPIs and the term, the order of its escalation steps,
and its payment terms against the rest (:mod:`._payment_checks`).

They run on a built contract, and on raw data that did not validate, where they check what is
sound on its own (see :mod:`._sections`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from contractkit.model._base import Issue, did_you_mean
from contractkit.model._payment_checks import payment_issues
from contractkit.model._references import reference_issues
from contractkit.model._sections import Parts, listing
from contractkit.model.embedding import Stage, StageMode
from contractkit.model.escalation import EscalationRule, contract_management_stage
from contractkit.model.kpi import KPI
from contractkit.model.provider import ProviderType
from contractkit.model.service import Service
from contractkit.model.term import Term
from contractkit.model.threshold import (
    Dated,
    FloorOrImprovement,
    Rule,
    Staged,
    Threshold,
    Trajectory,
    rules,
)
from contractkit.periods import Month, Quarter

__all__ = ["issues_across", "issues_in_data"]


def issues_across(data: object, parts: Parts) -> list[Issue]:
    """Every problem across the sections of a contract (``data``, a built contract or raw
    data) whose sound parts are ``parts``."""
    return [*reference_issues(data), *_semantic_issues(parts), *payment_issues(data, parts)]


def issues_in_data(data: Mapping[str, Any]) -> list[Issue]:
    """Every problem across the sections of raw contract data, in what is sound of it."""
    return issues_across(data, Parts.salvage(data))


def _semantic_issues(parts: Parts) -> Iterator[Issue]:
    if parts.embedding is not None:
        yield from _stage_issues(parts.embedding)
    yield from _threshold_issues(parts)
    yield from _service_issues(parts)
    if parts.escalation is not None:
        yield from _escalation_issues(parts.escalation)


# --- stages and thresholds -----------------------------------------------------------------


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


def _threshold_issues(parts: Parts) -> Iterator[Issue]:
    for index, threshold in parts.thresholds:
        base = ("kpis", index, "threshold")
        if isinstance(threshold, Staged):
            yield from _staged_issues(base, threshold, parts)
        if parts.term is not None:
            yield from _dated_issues(base, threshold, parts.term)


def _staged_issues(base: tuple[str | int, ...], threshold: Staged, parts: Parts) -> Iterator[Issue]:
    """The stages a staged threshold names: each one assessed, and one of the contract's."""
    for name, _ in threshold.stages:
        if name in parts.shadow_names:
            yield Issue(
                (*base, name),
                f"stage {name!r} is shadow: its periods are never judged, so it takes no "
                "threshold (they are shown against the next assessed stage's threshold)",
                at_key=True,
            )
        if name not in parts.stage_names:
            hint = did_you_mean(name, parts.stage_names)
            yield Issue(
                (*base, name),
                f"unknown stage {name!r}{hint} (the stages are: {listing(parts.stage_order)})",
                at_key=True,
            )


def _dated_issues(base: tuple[str | int, ...], threshold: Threshold, term: Term) -> Iterator[Issue]:
    """The dates a threshold's dated values start from, each within the term."""
    for path, rule in rules(threshold):
        if not isinstance(rule, Dated):
            continue
        for start, _ in rule.values:
            if start not in term:
                yield Issue(
                    (*base, *path, start.isoformat()),
                    f"{start} is outside the term ({term.start} to {term.end})",
                    at_key=True,
                )


# --- services -------------------------------------------------------------------------------


def _service_issues(parts: Parts) -> Iterator[Issue]:
    kpis = {k.id: k for _, k in parts.kpis}
    kinds_of = {k.id: {type(rule) for _, rule in rules(k.threshold)} for k in kpis.values()}
    for index, service in parts.services:
        yield from _service_dates(index, service, parts.term)
        yield from _service_needs(index, service, kpis, kinds_of)
        for kpi_id, baseline in service.baselines.items():
            kpi = kpis.get(kpi_id)
            if kpi is not None:
                yield from _baseline_issues(index, kpi, baseline, kinds_of[kpi_id])
        for kpi_id, trajectory in service.trajectories.items():
            kpi = kpis.get(kpi_id)
            if kpi is not None:
                path = ("services", index, "trajectories", kpi_id)
                yield from _trajectory_issues(path, kpi, trajectory, kinds_of[kpi_id], parts.term)


def _service_dates(index: int, service: Service, term: Term | None) -> Iterator[Issue]:
    """A service commences within the term, and ends (if it does) after it commences."""
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


def _service_needs(
    index: int,
    service: Service,
    kpis: Mapping[str, KPI],
    kinds_of: Mapping[str, set[type[Rule]]],
) -> Iterator[Issue]:
    """The baselines and trajectories a service's KPIs are judged against, each given."""
    for kpi_id in service.kpis:
        if kpi_id not in kpis:
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


def _baseline_issues(
    index: int, kpi: KPI, baseline: Any, kinds: set[type[Rule]]
) -> Iterator[Issue]:
    """A baseline is used by its KPI's threshold, and reads in the KPI's terms."""
    path = ("services", index, "baselines", kpi.id)
    if FloorOrImprovement not in kinds:
        yield Issue(
            path,
            f"KPI {kpi.id!r} has no floor-or-improvement threshold, so "
            "this baseline would never be used",
            at_key=True,
        )
    message = kpi._problem_with(baseline, "level")
    if message:
        yield Issue(path, message)


def _trajectory_issues(
    path: tuple[str | int, ...],
    kpi: KPI,
    trajectory: Mapping[Any, Any],
    kinds: set[type[Rule]],
    term: Term | None,
) -> Iterator[Issue]:
    """A trajectory is used by its KPI's threshold, and each of its values is for a period of
    the KPI's assessment within the term, in the KPI's terms."""
    if Trajectory not in kinds:
        yield Issue(
            path,
            f"KPI {kpi.id!r}'s threshold is not 'trajectory', so this "
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
                f"{period} is a {period.kind}, but {kpi.id!r} is assessed "
                f"{kpi.assessed}: key the trajectory by {expected.kind}, such as "
                f"{example!r}",
                at_key=True,
            )
        elif term is not None and not (period.start <= term.end and period.last_day >= term.start):
            yield Issue(
                at, f"{period} is outside the term ({term.start} to {term.end})", at_key=True
            )
        message = kpi._problem_with(value, "level")
        if message:
            yield Issue(at, message)


# --- escalation -----------------------------------------------------------------------------


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
