"""A contract's payment terms (its ``finance`` section) against the rest of it: the services,
KPIs and escalation steps they name, and their curves and tolerances in each KPI's terms.
Works on raw data or a built contract (see :mod:`._sections`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

from contractkit.model._base import Issue, did_you_mean
from contractkit.model._sections import Parts, field, ids, items, listing, sound, unknown
from contractkit.model.kpi import KPI, Direction, Measure
from contractkit.model.payment_terms import (
    Consequence,
    Finance,
    Incentive,
    Indicator,
    curve_issues,
)

__all__ = ["payment_issues"]

_BASE: tuple[str | int, ...] = ("finance",)
_KPI_SECTIONS = (
    (("incentive", "indicators"), "indicator"),
    (("consequences",), "consequence"),
)
"""The sections of the payment terms that name KPIs (each a path from ``finance``)."""


def payment_issues(data: object, parts: Parts) -> Iterator[Issue]:
    """The finance section against the rest of the contract: the services, KPIs and steps it
    names, and its curves and tolerances in each KPI's terms."""
    finance = field(data, "finance")
    if finance is None:
        return
    yield from _paid_services(finance, ids(data, "services"))
    kpi_ids = ids(data, "kpis")
    for section, noun in _KPI_SECTIONS:
        yield from _named_kpis(finance, section, noun, kpi_ids)
    steps = list(dict.fromkeys(field(r, "step") for r in items(data, "escalation")))
    yield from _withheld_steps(finance, steps)
    kpis = {k.id: k for _, k in parts.kpis}
    model = (
        finance
        if isinstance(finance, Finance)
        else next((f for _, f in sound(Finance, [finance])), None)
    )
    if model is not None:
        indicators = model.incentive.indicators if model.incentive is not None else ()
        yield from _terms_issues(
            model, kpis, tuple(enumerate(indicators)), tuple(enumerate(model.consequences))
        )
    else:  # what is sound on its own is checked, so that one problem does not hide others
        yield from _terms_issues(
            None,
            kpis,
            sound(Indicator, items(field(finance, "incentive"), "indicators")),
            sound(Consequence, items(finance, "consequences")),
        )


def _paid_services(finance: Any, services: Mapping[str, int]) -> Iterator[Issue]:
    """Each payment is for one of the contract's services, and no service is paid twice."""
    first: dict[str, int] = {}
    for index, payment in enumerate(items(finance, "payments")):
        service = field(payment, "service")
        if not isinstance(service, str):
            continue
        at = (*_BASE, "payments", index, "service")
        if services and service not in services:
            yield Issue(at, unknown("service", service, services))
        elif service in first:
            yield Issue(at, f"{service!r} is paid twice: also finance.payments[{first[service]}]")
        first.setdefault(service, index)


def _named_kpis(
    finance: Any, section: tuple[str, ...], noun: str, kpi_ids: Mapping[str, int]
) -> Iterator[Issue]:
    """The KPIs a section of indicators or consequences names, each one of the contract's (and,
    for consequences, each once)."""
    holder = field(finance, section[0]) if len(section) > 1 else finance
    seen: dict[str, int] = {}
    for index, item in enumerate(items(holder, section[-1])):
        kpi = field(item, "kpi")
        at = (*_BASE, *section, index, "kpi")
        if not isinstance(kpi, str):
            continue
        if kpi_ids and kpi not in kpi_ids:
            yield Issue(at, unknown("KPI", kpi, kpi_ids))
        elif noun == "consequence" and kpi in seen:
            yield Issue(at, f"{kpi!r} has a consequence already: finance.consequences[{seen[kpi]}]")
        seen.setdefault(kpi, index)


def _withheld_steps(finance: Any, steps: list[Any]) -> Iterator[Issue]:
    """Each withholding rule is for one of the escalation's steps, and each step has one."""
    seen: dict[str, int] = {}
    for index, rule in enumerate(items(finance, "withholding")):
        step = field(rule, "step")
        if not isinstance(step, str):
            continue
        at = (*_BASE, "withholding", index, "step")
        if step not in steps:
            known = {s for s in steps if isinstance(s, str)}
            yield Issue(
                at,
                f"{step!r} is not an escalation step{did_you_mean(step, known)} (the steps are: "
                f"{listing([s for s in steps if isinstance(s, str)])}): withholding follows "
                "the contract's escalation",
            )
        elif step in seen:
            yield Issue(at, f"{step!r} is withheld for already: finance.withholding[{seen[step]}]")
        seen.setdefault(step, index)


def _terms_issues(
    finance: Finance | None,
    kpis: Mapping[str, KPI],
    indicators: tuple[tuple[int, Indicator], ...],
    consequences: tuple[tuple[int, Consequence], ...],
) -> Iterator[Issue]:
    """The finance section's terms in each KPI's own terms: the section as a whole where it is
    sound, and each indicator and consequence that is sound on its own."""
    if finance is not None and finance.incentive is not None:
        yield from _incentive_issues(finance, finance.incentive)
    for index, indicator in indicators:
        kpi = kpis.get(indicator.kpi)
        if kpi is not None:
            yield from _indicator_issues((*_BASE, "incentive", "indicators", index), indicator, kpi)
    for index, consequence in consequences:
        kpi = kpis.get(consequence.kpi)
        if kpi is not None:
            yield from _consequence_issues((*_BASE, "consequences", index), consequence, kpi)


def _incentive_issues(finance: Finance, incentive: Incentive) -> Iterator[Issue]:
    """An incentive pot has something to be set by."""
    at = (*_BASE, "incentive")
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


def _indicator_issues(
    where: tuple[str | int, ...], indicator: Indicator, kpi: KPI
) -> Iterator[Issue]:
    """An indicator's curve in its KPI's terms: each edge a level of the KPI, and the curve
    rising the way the KPI gets better."""
    edges = indicator.curve.edges()
    keys = ("zero_at", "full_at") if indicator.linear is not None else None
    problems = [kpi._problem_with(edge, "level") for edge in edges]
    for position, problem in enumerate(problems):
        if problem:
            path = (*where, "linear", keys[position]) if keys else (*where, "bands", position + 1)
            yield Issue(path, problem)
    if not any(problems):
        levels = [Fraction(kpi.level(edge)) for edge in edges]
        for issue in curve_issues(indicator, levels, kpi.better is Direction.HIGHER):
            yield Issue((*where, *issue.path), issue.message)


def _consequence_issues(
    where: tuple[str | int, ...], consequence: Consequence, kpi: KPI
) -> Iterator[Issue]:
    """A consequence charges what its KPI counts, and its tolerance is a level of the KPI."""
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
