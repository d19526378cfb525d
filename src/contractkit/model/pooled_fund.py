"""A pooled fund (a section 75 agreement, the Better Care Fund): partners, lines and risk share.

Partners contribute to the fund; a host partner holds it. The fund pays for its lines, each with
a budget and the partner that commissions it; it may keep a risk pool (a contingency) and an
uncommitted allocation. The contributions must account for every pound: they equal the lines'
budgets plus the risk pool plus what is uncommitted.

At the year end an overspend is met in a stated order — underspends on other lines, then the
risk pool, then uncommitted allocations, then the partners by the overspend risk share, each
partner at most its cap — and an underspend is returned to the partners by the underspend risk
share. A risk share is pro rata to contribution, pro rata to what each partner commissioned, or
fixed percentages that add up to exactly 100%.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, Literal

import attrs
from pydantic import (
    Field,
    PlainSerializer,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from contractkit._kernel.pence_text import pence_text
from contractkit.errors import MoneyError, NotFoundError
from contractkit.model._base import (
    Issue,
    IssuesError,
    SpecModel,
    cross_checked,
    did_you_mean,
    supported_format,
)
from contractkit.model._types import Amount, FrozenMap, Id, empty_map, money_or_none
from contractkit.money import MAX_AMOUNT, MAX_PENCE, Money, exact_weight
from contractkit.periods import FinancialYear
from contractkit.units import Quantity

__all__ = ["FundLine", "Partner", "PooledFund", "RiskBasis", "RiskShare", "Source"]


class RiskBasis(enum.StrEnum):
    """What a risk share is in proportion to."""

    CONTRIBUTION = "contribution"
    """Each partner's contribution to the fund."""
    COMMISSIONED = "commissioned"
    """The budgets of the lines each partner commissions."""
    FIXED = "fixed"
    """Percentages agreed in the fund's terms."""


class RiskShare(SpecModel):
    """How an overspend or an underspend is shared among the partners.

    Written ``contribution``, ``commissioned``, or ``{fixed: {icb: 70%, council: 30%}}``.
    """

    basis: RiskBasis
    """Pro rata to ``contribution``, to what each partner ``commissioned``, or ``fixed``."""
    shares: FrozenMap[Id, Quantity] = Field(default_factory=empty_map)
    """With ``fixed``: each partner's percentage; they add up to exactly 100%."""

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"basis": value}
        if isinstance(value, Mapping) and set(value) == {"fixed"}:
            return {"basis": "fixed", "shares": value["fixed"]}
        return value

    @model_validator(mode="after")
    def _shares(self) -> RiskShare:
        issues: list[Issue] = []
        if self.basis is RiskBasis.FIXED:
            if not self.shares:
                issues.append(Issue(("shares",), "a fixed risk share needs each partner's share"))
            for partner, share in self.shares.items():
                if share.unit != "percent":
                    issues.append(
                        Issue(
                            ("shares", partner),
                            f"write a share as a percentage, such as {share.magnitude}%",
                        )
                    )
                elif share.magnitude < 0:
                    issues.append(Issue(("shares", partner), "a share cannot be negative"))
            if not issues and sum(s.magnitude for s in self.shares.values()) != 100:
                total = sum(s.magnitude for s in self.shares.values())
                issues.append(
                    Issue(("shares",), f"the shares add up to {total}%, not exactly 100%")
                )
        elif self.shares:
            issues.append(
                Issue(
                    ("shares",),
                    f"shares are given only with a fixed risk share, not with {self.basis.value!r}",
                )
            )
        if issues:
            raise IssuesError(issues)
        return self

    def fractions(self) -> dict[str, Fraction]:
        """Each partner's fixed share as an exact fraction (fixed shares only)."""
        return {p: Fraction(s.magnitude) / 100 for p, s in self.shares.items()}


def _dump_share(share: RiskShare) -> Any:
    """The short form: ``contribution``, ``commissioned`` or ``{fixed: {partner: 60%}}``."""
    if share.basis is RiskBasis.FIXED:
        return {"fixed": {p: str(q) for p, q in share.shares.items()}}
    return share.basis.value


RISK_SHARE_JSON_SCHEMA: dict[str, Any] = {
    "description": "How the partners share it: 'contribution' (pro rata to contribution), "
    "'commissioned' (pro rata to the budgets each commissions), or fixed percentages adding up "
    "to 100% ({fixed: {icb: 60%, council: 40%}}).",
    "anyOf": [
        {"enum": ["contribution", "commissioned"]},
        {
            "type": "object",
            "properties": {
                "fixed": {
                    "type": "object",
                    "additionalProperties": {"type": "string", "pattern": r"^\s*[0-9.]+\s*%\s*$"},
                }
            },
            "required": ["fixed"],
            "additionalProperties": False,
        },
    ],
    "examples": ["contribution", {"fixed": {"icb": "60%", "council": "40%"}}],
}

RiskShareField = Annotated[
    RiskShare, PlainSerializer(_dump_share), WithJsonSchema(RISK_SHARE_JSON_SCHEMA)
]


Source = Literal["underspends", "risk_pool", "uncommitted"]
"""Where an overspend may be met from before the partners meet it."""


class Partner(SpecModel):
    """An organisation that contributes to the fund: an ICB, a council."""

    id: Id
    """How the fund's terms refer to the partner, such as ``icb`` or ``council``."""
    name: str
    """The partner's name."""
    contribution: Amount
    """What the partner pays into the fund for the year."""
    cap: Amount | None = None
    """The most of an overspend this partner bears (none: no limit)."""


class FundLine(SpecModel):
    """Something the fund pays for: a service, a scheme, a grant passed on."""

    id: Id
    """The line's reference, such as ``reablement``."""
    name: str
    """What the line pays for."""
    budget: Amount
    """The line's budget for the year."""
    commissioner: Id
    """The partner that commissions it."""
    provider: str | None = None
    """Who delivers it (a name or an ODS code), for the reports."""
    profile: Annotated[tuple[Decimal, ...], Field(min_length=12, max_length=12)] | None = None
    """How the budget falls across the year's months, April to March, as twelve weights (the
    budget is split in proportion, to the penny). Without it, evenly."""

    @field_validator("profile")
    @classmethod
    def _weights(cls, value: tuple[Decimal, ...] | None) -> tuple[Decimal, ...] | None:
        if value is None:
            return value
        if any(w < 0 for w in value):
            raise ValueError("a profile's monthly weights cannot be negative")
        issues = []
        for month, weight in enumerate(value):
            try:
                exact_weight(weight)  # bounded, so that splitting by it is quick
            except MoneyError as error:
                issues.append(Issue((month,), f"a profile's monthly weight: {error}"))
        if issues:
            raise IssuesError(issues)
        if not any(value):
            raise ValueError("a profile's monthly weights add up to zero")
        return value


class PooledFund(SpecModel):
    """A pooled fund for one financial year: partners, their contributions, the lines it pays
    for, and how overspends and underspends are shared."""

    contractkit: Literal[1] = 1
    """The version of the format: 1."""
    kind: Literal["pooled_fund"]
    """What the file describes: ``pooled_fund``."""
    id: Id
    """The fund's reference, such as ``NEL-BCF-2026``."""
    title: str
    """What the fund is."""
    year: FinancialYear
    """The financial year the fund covers, such as ``2026/27``."""
    host: Id
    """The partner that hosts the fund (holds the money and reports on it)."""
    partners: Annotated[tuple[Partner, ...], Field(min_length=2)]
    """Who pays in, and how much."""
    lines: Annotated[tuple[FundLine, ...], Field(min_length=1)]
    """What the fund pays for."""
    risk_pool: Amount = Field(default_factory=Money.zero)
    """Money held back to meet overspends."""
    uncommitted: Amount = Field(default_factory=Money.zero)
    """Money not yet allocated to a line."""
    overspend: RiskShareField = Field(
        default_factory=lambda: RiskShare(basis=RiskBasis.CONTRIBUTION)
    )
    """How the partners share what is left of an overspend (by default, pro rata to
    contribution)."""
    underspend: RiskShare = Field(default_factory=lambda: RiskShare(basis=RiskBasis.CONTRIBUTION))
    """How an underspend is returned to the partners (by default, pro rata to contribution)."""
    overspend_order: tuple[Source, ...] = ("underspends", "risk_pool", "uncommitted")
    """What meets an overspend before the partners do, in order. The partners always come
    last."""

    @field_validator("contractkit", mode="before")
    @classmethod
    def _supported(cls, value: Any) -> Any:
        return supported_format(value)

    @field_validator("overspend_order", mode="before")
    @classmethod
    def _partners_last(cls, value: Any) -> Any:
        if isinstance(value, list | tuple) and "partners" in value:
            if value.index("partners") != len(value) - 1:
                raise ValueError(
                    "the partners meet an overspend last, after everything else: list only what "
                    "comes before them"
                )
            return tuple(value[:-1])  # writing them last says what is meant anyway
        return value

    @field_validator("overspend_order")
    @classmethod
    def _once_each(cls, value: tuple[Source, ...]) -> tuple[Source, ...]:
        repeated = [s for s, n in Counter(value).items() if n > 1]
        if repeated:
            raise ValueError(f"{', '.join(repeated)} named more than once")
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _cross_check(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> PooledFund:
        return cross_checked(
            cls,
            data,
            handler,
            lambda fund: _issues(_Facts.of(fund)),
            lambda raw: _issues(_Facts.salvage(raw)),
        )

    # --- looking things up -------------------------------------------------------------------

    @property
    def total(self) -> Money:
        """The fund: every partner's contribution."""
        return sum((p.contribution for p in self.partners), Money.zero())

    def partner(self, partner_id: str) -> Partner:
        """The partner with this id."""
        for partner in self.partners:
            if partner.id == partner_id:
                return partner
        raise NotFoundError(
            f"no partner {partner_id!r}{did_you_mean(partner_id, self._partner_ids)}"
        )

    def line(self, line_id: str) -> FundLine:
        """The line with this id."""
        for line in self.lines:
            if line.id == line_id:
                return line
        ids = [line.id for line in self.lines]
        raise NotFoundError(f"no line {line_id!r}{did_you_mean(line_id, ids)}")

    @property
    def _partner_ids(self) -> list[str]:
        return [p.id for p in self.partners]

    def commissioned(self) -> dict[str, Money]:
        """What each partner commissions: the budgets of its lines."""
        out = {p.id: Money.zero() for p in self.partners}
        for line in self.lines:
            out[line.commissioner] += line.budget
        return out


@attrs.frozen
class _Facts:
    """What the checks across sections need, from a sound fund or from the sound parts of one
    with problems (None where a value does not read)."""

    partner_ids: list[str | None]
    host: str | None
    line_ids: list[str | None]
    commissioners: list[str | None]
    shares: dict[str, list[str] | None]
    """Per risk share (overspend, underspend): the partners given fixed shares (None: not a
    fixed share, or unreadable)."""
    contributions: list[Money | None]
    budgets: list[Money | None]
    risk_pool: Money | None
    uncommitted: Money | None

    @classmethod
    def of(cls, fund: PooledFund) -> _Facts:
        return cls(
            partner_ids=[p.id for p in fund.partners],
            host=fund.host,
            line_ids=[line.id for line in fund.lines],
            commissioners=[line.commissioner for line in fund.lines],
            shares={
                name: list(share.shares) if share.basis is RiskBasis.FIXED else None
                for name, share in (("overspend", fund.overspend), ("underspend", fund.underspend))
            },
            contributions=[p.contribution for p in fund.partners],
            budgets=[line.budget for line in fund.lines],
            risk_pool=fund.risk_pool,
            uncommitted=fund.uncommitted,
        )

    @classmethod
    def salvage(cls, data: Mapping[str, Any]) -> _Facts:
        partners = _items(data, "partners")
        lines = _items(data, "lines")
        shares: dict[str, list[str] | None] = {}
        for name in ("overspend", "underspend"):
            raw = data.get(name)
            fixed = raw.get("fixed") if isinstance(raw, Mapping) else None
            shares[name] = [str(k) for k in fixed] if isinstance(fixed, Mapping) else None
        return cls(
            partner_ids=[_text(p.get("id")) for p in partners],
            host=_text(data.get("host")),
            line_ids=[_text(line.get("id")) for line in lines],
            commissioners=[_text(line.get("commissioner")) for line in lines],
            shares=shares,
            contributions=[money_or_none(p.get("contribution")) for p in partners],
            budgets=[money_or_none(line.get("budget")) for line in lines],
            risk_pool=money_or_none(data.get("risk_pool", "0")),
            uncommitted=money_or_none(data.get("uncommitted", "0")),
        )


def _items(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list | tuple):
        return []
    return [item if isinstance(item, Mapping) else {} for item in value]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _issues(facts: _Facts) -> list[Issue]:
    return [*_reference_issues(facts), *_balance_issues(facts)]


def _reference_issues(facts: _Facts) -> list[Issue]:
    issues: list[Issue] = []
    partner_ids = [p for p in facts.partner_ids if p is not None]
    for section, ids in (("partners", facts.partner_ids), ("lines", facts.line_ids)):
        seen: set[str] = set()
        for index, item_id in enumerate(ids):
            if item_id is not None and item_id in seen:
                issues.append(Issue((section, index, "id"), f"{item_id!r} appears twice"))
            if item_id is not None:
                seen.add(item_id)
    if facts.host is not None and facts.host not in partner_ids:
        issues.append(
            Issue(
                ("host",),
                f"the host {facts.host!r} is not a partner{did_you_mean(facts.host, partner_ids)}",
            )
        )
    for index, commissioner in enumerate(facts.commissioners):
        if commissioner is not None and commissioner not in partner_ids:
            issues.append(
                Issue(
                    ("lines", index, "commissioner"),
                    f"{commissioner!r} is not a partner{did_you_mean(commissioner, partner_ids)}",
                )
            )
    for name, given in facts.shares.items():
        if given is None:
            continue
        for partner in given:
            if partner not in partner_ids:
                issues.append(
                    Issue(
                        (name, "shares", partner),
                        f"{partner!r} is not a partner{did_you_mean(partner, partner_ids)}",
                        at_key=True,
                    )
                )
        missing = [p for p in partner_ids if p not in given]
        if given and missing:
            issues.append(
                Issue(
                    (name,),
                    f"no share for {', '.join(repr(p) for p in missing)}: give every partner a "
                    "share (0% if it bears none)",
                )
            )
    return issues


def _balance_issues(facts: _Facts) -> list[Issue]:
    amounts = [*facts.contributions, *facts.budgets, facts.risk_pool, facts.uncommitted]
    if any(a is None for a in amounts) or not facts.contributions or not facts.budgets:
        return []  # an amount that does not read is reported on its own
    # In whole pence: a total may pass the largest amount, which is a problem of its own.
    contributed = sum(c.pence for c in facts.contributions if c is not None)
    budgeted = sum(b.pence for b in facts.budgets if b is not None)
    risk_pool = facts.risk_pool.pence if facts.risk_pool is not None else 0
    uncommitted = facts.uncommitted.pence if facts.uncommitted is not None else 0
    needed = budgeted + risk_pool + uncommitted
    largest = f"the largest amount contractkit holds, {MAX_AMOUNT} either way"
    issues = []
    if contributed > MAX_PENCE:
        issues.append(
            Issue(
                ("partners",),
                f"the contributions add up to {pence_text(contributed)}, beyond {largest}: the "
                "fund cannot be reconciled",
            )
        )
    if needed > MAX_PENCE:
        issues.append(
            Issue(
                ("lines",),
                "the lines' budgets, the risk pool and uncommitted add up to "
                f"{pence_text(needed)}, "
                f"beyond {largest}: the fund cannot be reconciled",
            )
        )
    if contributed == needed:
        return issues
    difference = contributed - needed
    more = "more" if difference > 0 else "less"
    return [
        *issues,
        Issue(
            ("partners",),
            f"the contributions ({pence_text(contributed)}) do not match the fund: the lines' "
            f"budgets ({pence_text(budgeted)}) + the risk pool ({pence_text(risk_pool)}) + "
            f"uncommitted ({pence_text(uncommitted)}) = {pence_text(needed)}; "
            f"{pence_text(abs(difference))} {more} is contributed",
        ),
    ]
