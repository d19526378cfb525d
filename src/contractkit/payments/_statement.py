"""Payment statements: what each provider was due, earned, had deducted, withheld, repaid and
retained, and why, line by line, from a contract, its evaluation and its activity.

The statement covers the months of a period (a month, a quarter or a financial year), up to
the last month the returns reach. Everything before is worked out too (a sum withheld earlier
may be repaid in the period), but only the period's lines are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

import attrs
import polars as pl

from contractkit._kernel.money_tables import POUNDS, MoneyResult
from contractkit._kernel.months import month_number
from contractkit._kernel.suggest import did_you_mean
from contractkit.errors import ArgumentError, NotFoundError
from contractkit.evaluation import Evaluation, evaluate
from contractkit.model import Contract, Finance
from contractkit.model.kinds import refuse
from contractkit.money import Money
from contractkit.payments._activity import Activity, Claims, accounts, read_activity, read_claims
from contractkit.payments._catalogue import FIGURES
from contractkit.payments._column_words import month_text
from contractkit.payments._consequences import consequences
from contractkit.payments._incentive import incentive
from contractkit.payments._lines import FINDING_SCHEMA, LINE_SCHEMA
from contractkit.payments._outcome_payments import outcome_payments
from contractkit.payments._service_months import ServiceMonths, last_month, year_of
from contractkit.payments._service_payments import fixed_and_variable
from contractkit.payments._statement_tables import Span, Worked, statement_tables
from contractkit.payments._withholding import withholding
from contractkit.periods import FinancialYear, Month, Period, parse_period
from contractkit.results import Explanation

__all__ = ["Statement", "statement"]


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
    FIGURES: ClassVar[tuple[str, ...]] = FIGURES
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
            raise NotFoundError(
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
                **{f: Money(row[f]) for f in self.FIGURES},
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
        raise ArgumentError(
            f"contract {contract.id} has no finance section: add 'finance:' to state what each "
            "service is paid"
        )
    evaluation = (
        returns if isinstance(returns, Evaluation) else evaluate(contract, returns, as_of=as_of)
    )
    span = _span(contract, evaluation, period)
    through = span.through
    used = read_activity(activity, contract, through=through) if activity is not None else None
    claims = read_claims(outcomes, contract, through=through) if outcomes is not None else None
    worked = _worked(contract, finance, evaluation, through, used, claims)
    tables = statement_tables(contract, worked, span)
    rejected, account = accounts(used, claims)
    return Statement(
        **attrs.asdict(tables, recurse=False),
        rejected=rejected,
        account=account,
        evaluation=evaluation,
    )


def _span(contract: Contract, evaluation: Evaluation, period: str | Period | None) -> Span:
    """The months the statement shows: the period's (by default the financial year of the last
    month the returns reach), within the contract's term and up to that last month."""
    evaluated_to = evaluation.meta.get("evaluated_to")
    if evaluated_to is None:
        raise ArgumentError(
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
        raise ArgumentError(
            f"no returns cover {wanted}: the returns reach {month_text(known)}"
            if first > known
            else f"{wanted} is outside the contract's term"
        )
    return Span(first, through, str(wanted))


def _worked(
    contract: Contract,
    finance: Finance,
    evaluation: Evaluation,
    through: int,
    activity: Activity | None,
    claims: Claims | None,
) -> Worked:
    """Every line and finding to month ``through`` (before the period too: a sum withheld
    earlier may be repaid in it), the withholding ledger and the outcome claims paid."""
    rows = ServiceMonths.of(contract, through)
    due = fixed_and_variable(contract, finance, rows, activity)
    advance_lines, advance_findings = incentive(contract, finance, rows, evaluation)
    charged = consequences(contract, finance, evaluation, through)
    outcome_lines, outcome_findings, paid_claims = outcome_payments(contract, finance, claims)
    kept_lines, kept_findings, ledger = withholding(contract, finance, evaluation, rows, due.value)
    every_line = [*due.lines, *advance_lines, *charged, *outcome_lines, *kept_lines]
    every_finding = [*due.findings, *advance_findings, *outcome_findings, *kept_findings]
    return Worked(
        lines=pl.concat(every_line) if every_line else pl.DataFrame(schema=LINE_SCHEMA),
        findings=(
            pl.concat(every_finding) if every_finding else pl.DataFrame(schema=FINDING_SCHEMA)
        ),
        ledger=ledger,
        claims=paid_claims,
    )
