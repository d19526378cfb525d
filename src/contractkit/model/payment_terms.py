"""A contract's payment terms (its ``finance:`` section): what each service is paid, and what
performance costs or earns.

Each service may have a **fixed** element (an amount a year, paid in twelve monthly instalments)
and a **variable** element (a unit price × the activity reported × a rate, with an optional
payment limit a year). An **incentive scheme** sets aside a pot (a percentage of each service's
fixed payment, or of the contract's value), paid in advance month by month and reconciled at
the year end against indicators tied to KPIs, each earning on a linear curve or in bands.
**Outcome payments** pay a price per outcome achieved, capped per person and for the contract.
**Consequences** charge a sum per excess breach above a tolerance, or per incident.
**Withholding** keeps back a percentage of a service's actual monthly value while an escalation
step is in force, repays it when the step clears, and retains it after a set number of months.

Every rule is stated for services and KPIs; none can name a type of provider. The same
performance against the same terms has the same proportional consequence, whoever provides.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    GetJsonSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from contractkit.model._base import Issue, IssuesError, SpecModel
from contractkit.model._types import Amount, Id, StepName
from contractkit.model.earning import Band, Bands, Curve, Linear, band_issues, percentage
from contractkit.units import Quantity

__all__ = [
    "Consequence",
    "Currency",
    "Finance",
    "Incentive",
    "Indicator",
    "OutcomePayments",
    "OutcomeRate",
    "ServicePayment",
    "Withholding",
]


def _percent(value: Quantity, path: tuple[str | int, ...], issues: list[Issue]) -> None:
    problem = percentage(value)
    if problem:
        issues.append(Issue(path, problem))


def _twice(names: list[str], section: str, key: str, what: str) -> list[Issue]:
    """A problem for each name given again in a list: ``'x' is priced twice: also rates[0]``."""
    seen: dict[str, int] = {}
    issues = []
    for index, name in enumerate(names):
        if name in seen:
            issues.append(
                Issue((section, index, key), f"{name!r} {what}: also {section}[{seen[name]}]")
            )
        seen.setdefault(name, index)
    return issues


def _percent_or_raise(value: Quantity, key: str) -> None:
    issues: list[Issue] = []
    _percent(value, (key,), issues)
    if issues:
        raise IssuesError(issues)


def _rate(value: Quantity) -> Fraction:
    return Fraction(value.magnitude) / 100


class Currency(SpecModel):
    """A unit of activity the variable element pays for, at a price and a rate."""

    activity: Id = "activity"
    """The activity's name, as the activity returns give it (``contact``, ``assessment``)."""
    price: Amount
    """The price of one unit."""
    rate: Quantity = Quantity(Decimal(100), "percent")
    """The part of the price paid, as a percentage (100% unless the contract says less, as
    for activity above a planned volume)."""
    limit: Amount | None = None
    """A payment limit: at most this much a financial year for this activity."""

    @model_validator(mode="after")
    def _check(self) -> Currency:
        _percent_or_raise(self.rate, "rate")
        return self

    @property
    def fraction(self) -> Fraction:
        """The rate as an exact fraction."""
        return _rate(self.rate)


class _OneOrList:
    """In the JSON Schema: one item, or a list of them (as the short form allows)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        return {"anyOf": [schema["items"], schema]}


class ServicePayment(SpecModel):
    """What one service is paid: a fixed element, a variable element, or both."""

    service: Id
    """The service's id."""
    fixed: Amount | None = None
    """The fixed element: an amount a year, paid in twelve monthly instalments for the months
    the service runs."""
    variable: Annotated[tuple[Currency, ...], _OneOrList()] = ()
    """The variable element: a price per unit of each activity (one entry, or a list)."""

    @model_validator(mode="before")
    @classmethod
    def _one_currency(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and isinstance(value.get("variable"), Mapping):
            return {**value, "variable": [value["variable"]]}
        return value

    @model_validator(mode="after")
    def _check(self) -> ServicePayment:
        issues: list[Issue] = []
        if self.fixed is None and not self.variable:
            issues.append(Issue((), "give a 'fixed' element, a 'variable' element, or both"))
        issues += _twice(
            [c.activity for c in self.variable], "variable", "activity", "is priced twice"
        )
        if issues:
            raise IssuesError(issues)
        return self


class Indicator(SpecModel):
    """An incentive indicator: a KPI, its weight, and the curve it earns on."""

    kpi: Id
    """The KPI whose achievement over the financial year earns the indicator's share."""
    weight: Annotated[Decimal, Field(gt=0)] = Decimal(1)
    """The indicator's weight among the scheme's indicators (equal unless stated)."""
    linear: Linear | None = None
    """A linear curve: ``{zero_at: 60%, full_at: 80%}``."""
    bands: tuple[Band, ...] | None = None
    """Bands: ``[{pays: 0%}, {above: 50%, pays: 25%}, {at_least: 60%, pays: 50%}, …]``."""

    @field_validator("bands", mode="before")
    @classmethod
    def _band_list(cls, value: Any) -> Any:
        return value.bands if isinstance(value, Bands) else value

    @model_validator(mode="after")
    def _one_curve(self) -> Indicator:
        if (self.linear is None) == (self.bands is None):
            raise IssuesError([Issue((), "give the indicator one curve: 'linear' or 'bands'")])
        if self.bands is not None:
            issues = band_issues(self.bands)
            if issues:
                raise IssuesError([Issue(("bands", *i.path), i.message, i.at_key) for i in issues])
        return self

    @property
    def curve(self) -> Curve:
        """The indicator's earning curve."""
        if self.linear is not None:
            return self.linear
        assert self.bands is not None  # exactly one curve is given (validated)
        return Bands(bands=self.bands)

    @property
    def curve_key(self) -> str:
        return "linear" if self.linear is not None else "bands"


class Incentive(SpecModel):
    """An incentive scheme: a pot, paid in advance month by month and reconciled at the year end
    against its indicators."""

    pot: Quantity
    """The pot, as a percentage of the base (such as 1.25%)."""
    of: Literal["fixed", "value"] = "fixed"
    """The base: each service's ``fixed`` payment, or the contract's ``value`` (shared among the
    services held to an indicator's KPI, in proportion to their fixed payments)."""
    indicators: Annotated[tuple[Indicator, ...], Field(min_length=1)]
    """The indicators; a service's pot is shared among those whose KPI it is held to, by
    weight."""

    @model_validator(mode="after")
    def _check(self) -> Incentive:
        issues: list[Issue] = []
        _percent(self.pot, ("pot",), issues)
        issues += _twice(
            [i.kpi for i in self.indicators], "indicators", "kpi", "is an indicator twice"
        )
        if issues:
            raise IssuesError(issues)
        return self

    @property
    def fraction(self) -> Fraction:
        """The pot as an exact fraction of the base."""
        return _rate(self.pot)


class OutcomeRate(SpecModel):
    """A line of the rate card: the price paid when a person achieves an outcome."""

    outcome: Id
    """The outcome's id, as the outcome returns give it."""
    price: Amount
    """The price paid for it, once per person."""
    name: str | None = None
    """The outcome in words."""


class OutcomePayments(SpecModel):
    """Payments by results: a rate card, a cap per person and a cap for the contract."""

    rates: Annotated[tuple[OutcomeRate, ...], Field(min_length=1)]
    """The rate card."""
    per_person_cap: Amount | None = None
    """The most paid for any one person, across all outcomes and the whole term."""
    cap: Amount | None = None
    """The most paid in outcome payments under the contract, across the whole term."""

    @model_validator(mode="after")
    def _check(self) -> OutcomePayments:
        issues = _twice([r.outcome for r in self.rates], "rates", "outcome", "is priced twice")
        if issues:
            raise IssuesError(issues)
        return self


class Consequence(SpecModel):
    """A financial consequence of a KPI's underperformance: a sum per excess breach above a
    tolerance, or a sum per incident."""

    kpi: Id
    """The KPI."""
    per_breach: Amount | None = None
    """A sum for each breach beyond the tolerance (a patient not reached in time)."""
    per_incident: Amount | None = None
    """A sum for each incident counted (a never event)."""
    tolerance: Quantity | None = None
    """The level breaches are counted beyond (the KPI's threshold in force, unless stated)."""
    when: Literal["underperforming", "below_threshold"] = "underperforming"
    """In which assessed periods the consequence applies: only those the evaluator judges
    ``underperforming`` (the default: a shortfall beyond chance, judged the same way for
    every provider), or every period that falls short of the tolerance."""

    @model_validator(mode="after")
    def _check(self) -> Consequence:
        issues: list[Issue] = []
        if (self.per_breach is None) == (self.per_incident is None):
            issues.append(Issue((), "give one sum: 'per_breach' or 'per_incident'"))
        if self.per_incident is not None and self.tolerance is not None:
            issues.append(
                Issue(
                    ("tolerance",),
                    "a sum per incident is charged for every incident, so it takes no tolerance",
                )
            )
        if issues:
            raise IssuesError(issues)
        return self

    @property
    def sum(self) -> Amount:
        """The sum charged per breach or per incident."""
        amount = self.per_breach if self.per_breach is not None else self.per_incident
        assert amount is not None  # exactly one is given (validated)
        return amount


class Withholding(SpecModel):
    """Money kept back while an escalation step is in force."""

    step: StepName
    """The escalation step (and any more serious one) that triggers it."""
    rate: Quantity
    """The part of the service's actual monthly value withheld each month, as a percentage."""
    retained_after: Annotated[int, Field(gt=0)] | None = None
    """Months after which a sum still withheld is retained for good (held until the step
    clears, if not given)."""

    @model_validator(mode="after")
    def _check(self) -> Withholding:
        _percent_or_raise(self.rate, "rate")
        return self

    @property
    def fraction(self) -> Fraction:
        """The rate as an exact fraction."""
        return _rate(self.rate)


class Finance(SpecModel):
    """The contract's finance section."""

    value: Amount | None = None
    """The contract's value for a financial year (a base for the incentive pot)."""
    payments: tuple[ServicePayment, ...] = ()
    """What each service is paid."""
    incentive: Incentive | None = None
    """The incentive scheme, if any."""
    outcome_payments: OutcomePayments | None = None
    """Payments by results, if any."""
    consequences: tuple[Consequence, ...] = ()
    """Financial consequences of underperformance, per KPI."""
    withholding: tuple[Withholding, ...] = ()
    """Withholding while escalation steps are in force."""

    @functools.cached_property
    def _by_service(self) -> dict[str, ServicePayment]:
        return {p.service: p for p in self.payments}

    def payment(self, service: str) -> ServicePayment | None:
        """The payment terms of a service (None if it has none)."""
        return self._by_service.get(service)


def curve_issues(indicator: Indicator, levels: list[Fraction], higher: bool) -> list[Issue]:
    """Problems with an indicator's curve for its KPI: its edges (in the KPI's terms) must move
    in the direction the KPI is better in."""
    issues: list[Issue] = []
    sign = 1 if higher else -1
    better = "higher" if higher else "lower"
    curve = indicator.curve
    if isinstance(curve, Linear):
        zero, full = levels
        if sign * full <= sign * zero:
            issues.append(
                Issue(
                    ("linear", "full_at"),
                    f"{curve.full_at} is not better than zero_at ({curve.zero_at}), and "
                    f"{better} is better for KPI {indicator.kpi!r}",
                )
            )
        return issues
    if curve.higher_is_better != higher:
        wanted = "'at_least' or 'above'" if higher else "'at_most' or 'below'"
        issues.append(
            Issue(
                ("bands",),
                f"{better} is better for KPI {indicator.kpi!r}, so each band's edge is {wanted}",
            )
        )
        return issues
    for index in range(1, len(levels)):
        if sign * levels[index] <= sign * levels[index - 1]:
            edge = curve.edges()
            issues.append(
                Issue(
                    ("bands", index + 1),
                    f"the edge {edge[index]} does not improve on the band before's "
                    f"({edge[index - 1]}): list the bands from the worst to the best",
                )
            )
    return issues
