"""Payment statements: what each provider was due, earned, had deducted, withheld, repaid and
retained, and why, line by line, from a contract, its evaluation and its activity.

The statement covers the months of a period (a month, a quarter or a financial year), up to
the last month the returns reach. Everything before is worked out too (a sum withheld earlier
may be repaid in the period), but only the period's lines are shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, ClassVar

import attrs
import polars as pl

from contractkit._kernel.money_tables import POUNDS, MoneyResult, as_pounds
from contractkit._kernel.months import month_number
from contractkit._kernel.pence_sums import check_figures, require_room, within
from contractkit._suggest import did_you_mean
from contractkit.evaluation import Evaluation, evaluate
from contractkit.model import Contract
from contractkit.model.kinds import refuse
from contractkit.money import Money
from contractkit.payments._activity import Activity, Claims, read_activity, read_claims
from contractkit.payments._deductions import consequences, last_month, withholding
from contractkit.payments._lines import FINDING_SCHEMA, LINE_SCHEMA, month_text, month_texts, per
from contractkit.payments._outcome_payments import outcome_payments
from contractkit.payments._service_payments import (
    ServiceMonths,
    fixed_and_variable,
    incentive,
    year_of,
)
from contractkit.periods import FinancialYear, Month, Period, parse_period
from contractkit.results import Explanation

__all__ = ["CATEGORIES", "ELEMENTS", "STATEMENT_FINDINGS", "Statement", "statement"]

ELEMENTS: dict[str, str] = {
    "fixed": "due",
    "incentive_advance": "due",
    "variable": "earned",
    "outcome": "earned",
    "incentive_year_end": "earned",
    "consequence": "deducted",
    "withheld": "withheld",
    "repaid": "repaid",
    "retained": "retained",
}
"""Each kind of line, and the column of the statement it counts in."""

CATEGORIES = ("due", "earned", "deducted", "withheld", "repaid", "retained")
"""The statement's columns: payable = due + earned − deducted − withheld + repaid; retained is
withheld money kept for good (already counted when it was withheld)."""

STATEMENT_FINDINGS: dict[str, str] = {
    "no_activity": "a service with a variable payment reported no activity for a month",
    "payment_limit_reached": "activity in a month went unpaid: it is above the payment limit "
    "for the year",
    "withholding_in_force": "money is being withheld while an escalation step is in force",
    "retained": "money withheld was retained: the step did not clear in time",
    "indicator_not_reported": "an incentive indicator earned nothing: no return was made for "
    "one of the year's periods",
    "per_person_cap_reached": "outcome payments for a person reached the per-person cap",
    "outcome_cap_reached": "outcome payments reached the contract's cap",
}
"""What a statement can find: stable codes, each with a one-line description."""

_ORDER = {name: i for i, name in enumerate(ELEMENTS)}
_CODES = {name: i for i, name in enumerate(STATEMENT_FINDINGS)}
_FIGURES = ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained", "held")


@attrs.frozen(eq=False)
class Statement(MoneyResult):
    """A payment statement for a period: line by line, by provider, the withholding ledger, the
    outcome claims paid, and findings."""

    lines: pl.DataFrame
    """One row per provider, service, month and element (see ``ELEMENTS``; an element with
    several parts in a month has a row for each: each outcome, each sum repaid): category, reference
    (the KPI, activity, outcome, step or year it concerns), quantity, amount (the figure) and
    payable (its effect on what is paid: the amount, its opposite for deductions and
    withholding, nothing for retention), and basis (why, in words)."""
    providers: pl.DataFrame
    """One row per provider: due, earned, deducted, withheld, repaid, payable, retained, and
    held (withheld and not yet repaid or retained, at the period's end)."""
    withholding: pl.DataFrame
    """Every sum withheld up to the period's end: service, month, step, rate, value, withheld,
    outcome (held, repaid, retained) and settled (the month it was repaid or retained)."""
    outcomes: pl.DataFrame
    """Every outcome claim paid up to the period's end: service, person, outcome, month,
    price, paid, and capped_by (what reduced it: ``per_person_cap``, ``contract_cap`` or
    both)."""
    findings: pl.DataFrame
    """code (see ``STATEMENT_FINDINGS``), provider, service, month, amount, message."""
    summary: dict[str, Any]
    """The period's figures (Money) and words."""
    rejected: pl.DataFrame
    """The activity and outcome rows not used, each with its source, reason and message."""
    account: dict[str, Any]
    """What became of every activity and outcome row."""
    evaluation: Evaluation | None = attrs.field(default=None, repr=False)
    """The evaluation the statement was drawn from (none for a statement read back from its
    JSON form)."""

    TABLES: ClassVar[tuple[str, ...]] = (
        "lines",
        "providers",
        "withholding",
        "outcomes",
        "findings",
    )
    FORMAT: ClassVar[str] = "contractkit-statement"
    NOUN: ClassVar[str] = "statement"
    HEADLINE: ClassVar[str] = "summary"
    FIGURES: ClassVar[tuple[str, ...]] = _FIGURES
    SCHEMAS: ClassVar[Mapping[str, Mapping[str, pl.DataType]]] = {
        "lines": {
            "provider": pl.String(),
            "service": pl.String(),
            "month": pl.String(),
            "element": pl.String(),
            "category": pl.String(),
            "reference": pl.String(),
            "quantity": pl.Int64(),
            "amount": POUNDS,
            "payable": POUNDS,
            "basis": pl.String(),
        },
        "providers": {
            "provider": pl.String(),
            "name": pl.String(),
            "due": POUNDS,
            "earned": POUNDS,
            "deducted": POUNDS,
            "withheld": POUNDS,
            "repaid": POUNDS,
            "payable": POUNDS,
            "retained": POUNDS,
            "held": POUNDS,
        },
        "withholding": {
            "service": pl.String(),
            "month": pl.String(),
            "step": pl.String(),
            "rate": pl.String(),
            "value": POUNDS,
            "withheld": POUNDS,
            "outcome": pl.String(),
            "settled": pl.String(),
        },
        "outcomes": {
            "service": pl.String(),
            "person": pl.String(),
            "outcome": pl.String(),
            "month": pl.String(),
            "price": POUNDS,
            "paid": POUNDS,
            "capped_by": pl.String(),
        },
        "findings": {
            "code": pl.String(),
            "provider": pl.String(),
            "service": pl.String(),
            "month": pl.String(),
            "amount": POUNDS,
            "message": pl.String(),
        },
    }

    @classmethod
    def _from_dict(cls, data: dict[str, Any]) -> Statement:
        """A statement read back from its JSON form (without the evaluation it was drawn
        from)."""
        return cls(**cls._parts(data))

    def explain(
        self,
        name: str | None = None,
        *,
        provider: str | None = None,
        service: str | None = None,
        month: str | None = None,
        element: str | None = None,
    ) -> Explanation:
        """Why a figure is what it is, in words: a provider's position (``provider="RQX"``),
        or the lines of a service, a month or an element (``service="ucr-south",
        element="withheld"``), each with its basis and the statement's exact amounts. A
        ``name`` alone is a provider's id or a service's."""
        from contractkit.payments._explain import explain_statement

        return explain_statement(
            self, name, provider=provider, service=service, month=month, element=element
        )

    def of(self, provider: str) -> Statement:
        """The statement of one provider: its lines, figures, withholding, outcome claims and
        findings, and its own summary (the account of the rows read stays the whole one)."""
        known = self.providers.get_column("provider").to_list()
        if provider not in known:
            raise KeyError(
                f"no provider {provider!r} in the statement{did_you_mean(provider, known)} (the "
                f"providers are: {', '.join(known)})"
            )
        services = self._services_of(provider)
        mine = self.providers.filter(pl.col("provider") == provider)
        row = mine.row(0, named=True)
        return attrs.evolve(
            self,
            lines=self.lines.filter(pl.col("provider") == provider),
            providers=mine,
            withholding=self.withholding.filter(pl.col("service").is_in(services)),
            outcomes=self.outcomes.filter(pl.col("service").is_in(services)),
            findings=self.findings.filter(pl.col("provider") == provider),
            summary={
                **self.summary,
                "provider": provider,
                "name": row["name"],
                **{f: Money(row[f]) for f in _FIGURES},
            },
        )

    def _services_of(self, provider: str) -> list[str]:
        """The services a provider delivers (as evaluated, or with lines in the statement)."""
        frames = [self.lines.select("service", "provider")]
        if self.evaluation is not None:
            evaluated = self.evaluation.table.select("service", pl.col("provider").cast(pl.String))
            frames.insert(0, evaluated)
        pairs = pl.concat(frames)
        return pairs.filter(pl.col("provider") == provider).get_column("service").unique().to_list()

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Statement(contract={s['contract']!r}, period={s['period']}, due={s['due']}, "
            f"earned={s['earned']}, deducted={s['deducted']}, withheld={s['withheld']}, "
            f"repaid={s['repaid']}, payable={s['payable']})"
        )


def statement(
    contract: Contract,
    returns: Any,
    *,
    activity: Any = None,
    outcomes: Any = None,
    period: str | Period | None = None,
    as_of: date | None = None,
) -> Statement:
    """A payment statement from a contract with a ``finance:`` section, its returns (a file, a
    frame, or an :class:`~contractkit.Evaluation` already made), and its activity and outcome
    claims (files or frames; see :mod:`contractkit.payments`), for ``period`` (a month, quarter
    or financial year; by default the financial year to the last month the returns reach)."""
    if not isinstance(contract, Contract):
        raise refuse(contract, "statement() draws up a contract's payment statement", "contract")
    finance = contract.finance
    if finance is None:
        raise ValueError(
            f"contract {contract.id} has no finance section: add 'finance:' to state what each "
            "service is paid"
        )
    evaluation = (
        returns if isinstance(returns, Evaluation) else evaluate(contract, returns, as_of=as_of)
    )
    evaluated_to = evaluation.meta.get("evaluated_to")
    if evaluated_to is None:
        raise ValueError(
            "the returns have no rows, so no month is known: a statement covers the months "
            "the returns reach (give as_of, --as-of on the command line, to state the months "
            "due to that date)"
        )
    known = Month.parse(evaluated_to).index
    term_first = month_number(contract.term.start)
    wanted: Period = FinancialYear(int(year_of(known))) if period is None else parse_period(period)
    first = max(month_number(wanted.start), term_first)
    through = min(last_month(str(wanted)), known)
    if first > through:
        raise ValueError(
            f"no returns cover {wanted}: the returns reach {month_text(known)}"
            if first > known
            else f"{wanted} is outside the contract's term"
        )
    used = read_activity(activity, contract, through=through) if activity is not None else None
    claims = read_claims(outcomes, contract, through=through) if outcomes is not None else None
    rows = ServiceMonths.of(contract, through)
    due = fixed_and_variable(contract, finance, rows, used)
    advance_lines, advance_findings = incentive(contract, finance, rows, evaluation)
    charged = consequences(contract, finance, evaluation, through)
    outcome_lines, outcome_findings, paid_claims = outcome_payments(contract, finance, claims)
    kept_lines, kept_findings, ledger = withholding(contract, finance, evaluation, rows, due.value)
    every_line = [*due.lines, *advance_lines, *charged, *outcome_lines, *kept_lines]
    every_finding = [*due.findings, *advance_findings, *outcome_findings, *kept_findings]
    lines = pl.concat(every_line) if every_line else pl.DataFrame(schema=LINE_SCHEMA)
    found = pl.concat(every_finding) if every_finding else pl.DataFrame(schema=FINDING_SCHEMA)
    return _build(
        contract,
        evaluation,
        lines,
        found,
        ledger,
        paid_claims,
        first,
        through,
        str(wanted),
        used,
        claims,
    )


def _build(
    contract: Contract,
    evaluation: Evaluation,
    lines: pl.DataFrame,
    found: pl.DataFrame,
    ledger: pl.DataFrame,
    paid_claims: pl.DataFrame,
    first: int,
    through: int,
    period: str,
    activity: Activity | None,
    claims: Claims | None,
) -> Statement:
    """The statement's tables: the period's lines, each provider's figures, the ledger, the
    claims and the findings."""
    services = contract.services
    provider_of = [s.provider for s in services]
    ids = [s.id for s in services]
    # Every sum below is exact in 64 bits, or the statement is refused; every figure is within
    # the largest amount, or the statement is refused naming it.
    require_room(
        "the statement's amounts",
        lines.get_column("amount").to_numpy(),
        found.get_column("amount").fill_null(0).to_numpy(),
        ledger.get_column("withheld").to_numpy(),
    )
    check_figures(lines, ["amount"], _line_words(ids))
    shown = (
        lines.filter((pl.col("month") >= first) & (pl.col("month") <= through))
        .with_columns(
            category=pl.col("element").replace_strict(ELEMENTS, return_dtype=pl.String),
            _order=pl.col("element").replace_strict(_ORDER, return_dtype=pl.Int64),
        )
        .with_columns(
            payable=pl.when(pl.col("category").is_in(["deducted", "withheld"]))
            .then(-pl.col("amount"))
            .when(pl.col("category") == "retained")
            .then(0)
            .otherwise(pl.col("amount"))
        )
        .sort("service", "month", "_order", "reference", nulls_last=False, maintain_order=True)
    )
    service = shown.get_column("service").to_numpy()
    table = shown.select(
        provider=per(service, provider_of),
        service=per(service, ids),
        month=month_texts(pl.col("month")),
        element=pl.col("element"),
        category=pl.col("category"),
        reference=pl.col("reference"),
        quantity=pl.col("quantity"),
        amount=as_pounds(pl.col("amount")),
        payable=as_pounds(pl.col("payable")),
        basis=pl.col("basis"),
    )
    # Each provider's figures: earned counts what it adds to (or takes from) the payment.
    figures = (
        shown.with_columns(
            provider=per(service, provider_of),
            figure=pl.when(pl.col("category") == "earned")
            .then(pl.col("payable"))
            .otherwise(pl.col("amount")),
        )
        .group_by("provider")
        .agg(
            *(
                pl.col("figure").filter(pl.col("category") == c).sum().alias(c)
                for c in ("due", "earned", "deducted", "withheld", "repaid", "retained")
            ),
            pl.col("payable").sum(),
        )
    )
    held = (
        ledger.filter(pl.col("outcome") == "held")
        .with_columns(
            provider=pl.col("service").replace_strict(
                dict(zip(ids, provider_of, strict=True)), return_dtype=pl.String
            )
        )
        .group_by("provider")
        .agg(held=pl.col("withheld").sum())
    )
    providers = (
        pl.DataFrame(
            {
                "provider": [p.id for p in contract.providers],
                "name": [p.name for p in contract.providers],
            }
        )
        .join(figures, on="provider", how="left", maintain_order="left")
        .join(held, on="provider", how="left", maintain_order="left")
        .select("provider", "name", *(pl.col(f).fill_null(0) for f in _FIGURES))
    )
    check_figures(providers, _FIGURES, lambda row, figure: f"provider {row['provider']}'s {figure}")
    sums = {
        f: within(int(providers.get_column(f).sum()), f"the statement's {f} in all")
        for f in _FIGURES
    }
    providers = providers.with_columns(as_pounds(pl.col(f)) for f in _FIGURES)
    summary: dict[str, Any] = {
        "contract": contract.id,
        "period": period,
        "from": month_text(first),
        "to": month_text(through),
        **{f: Money.from_pence(sums[f]) for f in _FIGURES},
    }
    rejected, account = _accounts(activity, claims)
    return Statement(
        lines=table,
        providers=providers,
        withholding=ledger.with_columns(as_pounds(pl.col("value")), as_pounds(pl.col("withheld"))),
        outcomes=paid_claims.select(
            service=per(paid_claims.get_column("service").to_numpy(), ids),
            person=pl.col("person"),
            outcome=pl.col("outcome").replace_strict(
                _outcome_names(contract), return_dtype=pl.String
            ),
            month=month_texts(pl.col("month")),
            price=as_pounds(pl.col("price")),
            paid=as_pounds(pl.col("paid")),
            capped_by=pl.col("capped_by"),
        ),
        findings=_findings(found, first, through, services),
        summary=summary,
        rejected=rejected,
        account=account,
        evaluation=evaluation,
    )


def _line_words(ids: Sequence[str]) -> Any:
    """A line of the statement (as worked out), in words."""

    def words(row: Mapping[str, Any], column: str) -> str:
        reference = f" ({row['reference']})" if row["reference"] else ""
        return (
            f"service {ids[row['service']]}'s {row['element']} line for "
            f"{month_text(row['month'])}{reference}"
        )

    return words


def _outcome_names(contract: Contract) -> dict[int, str]:
    finance = contract.finance
    card = finance.outcome_payments if finance is not None else None
    return {i: r.outcome for i, r in enumerate(card.rates)} if card is not None else {}


_COLLAPSED = {
    "no_activity": "{service} reported no {detail} activity for {count} months ({months}): "
    "nothing is paid for them",
    "payment_limit_reached": "{service}: {amount} of {detail} ({months})",
    "per_person_cap_reached": "{service}: {count} outcome claims reduced by {detail} ({months}): "
    "{amount} not paid",
    "outcome_cap_reached": "{service}: {count} outcome claims reduced by {detail} ({months}): "
    "{amount} not paid",
}
"""Findings made month by month that are reported once per service, over the months found."""


def _findings(
    found: pl.DataFrame, first: int, through: int, services: Sequence[Any]
) -> pl.DataFrame:
    """The period's findings, each service's repeated monthly findings of one kind as one, in
    order of service, month and kind."""
    within = found.filter(
        pl.col("month").is_null() | ((pl.col("month") >= first) & (pl.col("month") <= through))
    )
    repeated = pl.col("code").is_in(list(_COLLAPSED))
    groups = (
        within.filter(repeated)
        .group_by("code", "service", "detail", maintain_order=True)
        .agg(
            pl.len().alias("_rows"),
            pl.col("month").unique().sort().alias("_months"),
            pl.col("amount").sum().alias("_amount"),
            pl.col("amount").is_not_null().any().alias("_has_amount"),
            pl.col("count").sum().alias("_count"),
            pl.col("message").first(),
        )
    )
    check_figures(
        groups,
        ["_amount"],
        lambda row, _: f"service {services[row['service']].id}'s {row['code']} findings in all",
    )
    collapsed = []
    for row in groups.iter_rows(named=True):  # one per service and kind of finding
        months = row["_months"]
        amount = row["_amount"] if row["_has_amount"] else None
        message = row["message"]
        if row["_rows"] > 1:
            span = (
                ", ".join(month_text(m) for m in months)
                if len(months) <= 3
                else f"{month_text(months[0])} to {month_text(months[-1])}"
            )
            message = _COLLAPSED[row["code"]].format(
                service=services[row["service"]].id,
                detail=row["detail"],
                count=row["_rows"] if row["code"] == "no_activity" else row["_count"],
                months=span,
                amount=Money.from_pence(amount).format() if amount is not None else "",
            )
        collapsed.append(
            {
                "code": row["code"],
                "service": row["service"],
                "month": months[-1],
                "amount": amount,
                "message": message,
            }
        )
    every = pl.concat(
        [
            within.filter(~repeated).select("code", "service", "month", "amount", "message"),
            pl.DataFrame(
                collapsed,
                schema={
                    k: FINDING_SCHEMA[k] for k in ("code", "service", "month", "amount", "message")
                },
            ),
        ]
    ).sort(
        pl.col("service"),
        pl.col("month"),
        pl.col("code").replace_strict(_CODES, return_dtype=pl.Int64),
        maintain_order=True,
    )
    service = every.get_column("service").to_numpy()
    return every.select(
        code=pl.col("code"),
        provider=per(service, [s.provider for s in services]),
        service=per(service, [s.id for s in services]),
        month=month_texts(pl.col("month")),
        amount=as_pounds(pl.col("amount")),
        message=pl.col("message"),
    )


def _accounts(
    activity: Activity | None, claims: Claims | None
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The rejected activity and outcome rows, and the account of every row of each."""
    parts = []
    account: dict[str, Any] = {"source": [], "read": 0, "accepted": 0, "rejected": 0, "excluded": 0}
    for name, read in (("activity", activity), ("outcomes", claims)):
        if read is None:
            continue
        account[name] = read.account
        account["source"].append(read.account["source"])
        for key in ("read", "accepted", "rejected", "excluded"):
            account[key] += read.account[key]
        if read.rejected.height:
            parts.append(
                read.rejected.select(pl.lit(name).alias("file"), "row", "reason", "message")
            )
    account["source"] = ", ".join(account["source"]) or "no activity or outcome claims"
    rejected = (
        pl.concat(parts)
        if parts
        else pl.DataFrame(
            schema={"file": pl.String, "row": pl.Int64, "reason": pl.String, "message": pl.String}
        )
    )
    return rejected, account
