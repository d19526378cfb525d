"""Withholding as the statement shows it: the escalation step in force for each service-month
(read from the evaluation), the ledger worked out from it (see
:mod:`contractkit.payments._withholding_ledger`), and the lines for each sum withheld, repaid and
retained, the findings, and the ledger as a table. Over whole columns."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Bools, Ints
from contractkit.evaluation import Evaluation
from contractkit.model import Contract, Finance
from contractkit.model.english import article
from contractkit.model.payment_terms import Withholding
from contractkit.payments._column_words import join, money, months, per
from contractkit.payments._lines import findings, lines
from contractkit.payments._service_months import ServiceMonths, last_month
from contractkit.payments._withholding_ledger import (
    OUTCOMES,
    REPAID,
    RETAINED,
    Ledger,
    RuleTerms,
    withhold,
)

__all__ = ["LEDGER_SCHEMA", "ranks", "withholding"]

LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "service": pl.String(),
    "month": pl.String(),
    "step": pl.String(),
    "rate": pl.String(),
    "value": pl.Int64(),
    "withheld": pl.Int64(),
    "outcome": pl.String(),
    "settled": pl.String(),
}
"""The withholding ledger, amounts in pence (pounds in the statement)."""


def ranks(contract: Contract, evaluation: Evaluation, rows: ServiceMonths) -> Ints:
    """The escalation step in force for each service-month (0: none; 1 the least serious): the
    most serious across the service's KPIs, each at its latest period that ended before the
    month began."""
    steps = {step: i + 1 for i, step in enumerate(contract.steps)}
    table = evaluation.table.select(
        "service", "kpi", "period", pl.col("escalation").cast(pl.String)
    )
    starts = {p: last_month(p) + 1 for p in table.get_column("period").unique().to_list()}
    in_force = table.select(
        "service",
        "kpi",
        start=pl.col("period").replace_strict(starts, return_dtype=pl.Int64),
        rank=pl.col("escalation").replace_strict(steps, default=0, return_dtype=pl.Int64),
    ).sort("start")
    ids = [s.id for s in contract.services]
    held_to = pl.DataFrame(
        {
            "service": [s.id for s in contract.services for _ in s.kpis],
            "kpi": [k for s in contract.services for k in s.kpis],
        }
    )
    months_of = pl.DataFrame(
        {
            "row": np.arange(rows.service.size),
            "service": per(rows.service, ids),
            "month": rows.month,
        }
    )
    found = (
        months_of.join(held_to, on="service", how="inner")
        .sort("month")
        .join_asof(
            in_force,
            left_on="month",
            right_on="start",
            by=["service", "kpi"],
            strategy="backward",
            check_sortedness=False,
        )
        .group_by("row")
        .agg(pl.col("rank").fill_null(0).max())
    )
    rank = np.zeros(rows.service.size, dtype=np.int64)
    rank[found.get_column("row").to_numpy()] = found.get_column("rank").to_numpy()
    return rank


def withholding(
    contract: Contract,
    finance: Finance,
    evaluation: Evaluation,
    rows: ServiceMonths,
    value: Ints,
) -> tuple[list[pl.DataFrame], list[pl.DataFrame], pl.DataFrame]:
    """Lines for each sum withheld, repaid and retained; findings; and the ledger."""
    rules = finance.withholding
    if not rules:
        return [], [], pl.DataFrame(schema=LEDGER_SCHEMA)
    ledger = _ledger(contract, rules, evaluation, rows, value)
    took = np.flatnonzero(ledger.withheld > 0)
    if took.size == 0:
        return [], [], pl.DataFrame(schema=LEDGER_SCHEMA)
    sums = _Withheld.of(ledger, rows, value, took)
    ids = [s.id for s in contract.services]
    words = _RuleWords.of(rules)
    out_lines = [_withheld_lines(sums, words)]
    out_findings: list[pl.DataFrame] = []
    repaid = sums.outcome == REPAID
    if repaid.any():
        out_lines.append(_repaid_lines(sums, words, repaid))
    retained = sums.outcome == RETAINED
    if retained.any():
        out_lines.append(_retained_lines(sums, words, retained))
        out_findings.append(_retained_findings(sums, words, retained, ids))
    current = np.unique(sums.service[sums.month == rows.through])
    if current.size:
        out_findings.append(
            findings(
                "withholding_in_force",
                current,
                rows.through,
                join(
                    per(current, ids), f": money is being withheld in {months([rows.through])[0]}"
                ),
            )
        )
    return out_lines, out_findings, _ledger_table(sums, rules, ids)


def _ledger(
    contract: Contract,
    rules: Sequence[Withholding],
    evaluation: Evaluation,
    rows: ServiceMonths,
    value: Ints,
) -> Ledger:
    """The withholding ledger of every service-month, from the step in force in each."""
    steps = list(contract.steps)
    terms = [
        RuleTerms(
            steps.index(r.step) + 1, r.fraction.numerator, r.fraction.denominator, r.retained_after
        )
        for r in rules
    ]
    rank = ranks(contract, evaluation, rows)
    return withhold(rows.service, rows.month, value, rank, terms, rows.through)


@attrs.frozen
class _Withheld:
    """The sums withheld (one per service-month money was withheld in): the service, the month,
    the rule that withheld it, the sum, the month's value, and what became of the sum (see
    :class:`~contractkit.payments._withholding_ledger.Ledger`)."""

    service: Ints
    month: Ints
    rule: Ints
    amount: Ints
    value: Ints
    outcome: Ints
    settled: Ints

    @classmethod
    def of(cls, ledger: Ledger, rows: ServiceMonths, value: Ints, took: Ints) -> _Withheld:
        return cls(
            service=rows.service[took],
            month=rows.month[took],
            rule=ledger.rule[took],
            amount=ledger.withheld[took],
            value=value[took],
            outcome=ledger.outcome[took],
            settled=ledger.settled[took],
        )


@attrs.frozen
class _RuleWords:
    """Each withholding rule in words, by its index."""

    step: list[str]
    """The step it follows, as written (``remedial_action_plan``): the lines' reference."""
    named: list[str]
    """The step in words: ``remedial action plan``."""
    in_force: list[str]
    """``a remedial action plan is in force: 1%``."""
    retained_after: list[int | None]
    """The months after which a sum is retained (None: held until the step clears)."""

    @classmethod
    def of(cls, rules: Sequence[Withholding]) -> _RuleWords:
        named = [r.step.replace("_", " ") for r in rules]
        return cls(
            step=[r.step for r in rules],
            named=named,
            in_force=[
                f"{article(w)} {w} is in force: {r.rate}" for w, r in zip(named, rules, strict=True)
            ],
            retained_after=[r.retained_after for r in rules],
        )

    def after(self, text: str) -> list[str]:
        """``text`` with each rule's months (``{months}`` in it) filled in."""
        return [text.format(months=m) for m in self.retained_after]


def _withheld_lines(sums: _Withheld, words: _RuleWords) -> pl.DataFrame:
    """A line for each sum withheld: the rate in force of the month's value."""
    return lines(
        sums.service,
        sums.month,
        "withheld",
        sums.amount,
        join(per(sums.rule, words.in_force), " of the month's value of ", money(sums.value)),
        reference=per(sums.rule, words.step),
    )


def _repaid_lines(sums: _Withheld, words: _RuleWords, repaid: Bools) -> pl.DataFrame:
    """A line for each sum repaid, in the month the step cleared."""
    rule = sums.rule[repaid]
    return lines(
        sums.service[repaid],
        sums.settled[repaid],
        "repaid",
        sums.amount[repaid],
        join(
            "the ",
            per(rule, words.named),
            " cleared: the ",
            money(sums.amount[repaid]),
            " withheld in ",
            months(sums.month[repaid]),
            " is repaid",
        ),
        reference=per(rule, words.step),
    )


def _retained_lines(sums: _Withheld, words: _RuleWords, retained: Bools) -> pl.DataFrame:
    """A line for each sum retained, in the month it was retained."""
    rule = sums.rule[retained]
    return lines(
        sums.service[retained],
        sums.settled[retained],
        "retained",
        sums.amount[retained],
        join(
            "the ",
            money(sums.amount[retained]),
            " withheld in ",
            months(sums.month[retained]),
            " is retained: the ",
            per(rule, words.named),
            per(rule, words.after(" did not clear within {months} months")),
        ),
        reference=per(rule, words.step),
    )


def _retained_findings(
    sums: _Withheld, words: _RuleWords, retained: Bools, ids: Sequence[str]
) -> pl.DataFrame:
    """A finding for each sum retained."""
    rule = sums.rule[retained]
    return findings(
        "retained",
        sums.service[retained],
        sums.settled[retained],
        join(
            per(sums.service[retained], ids),
            ": ",
            money(sums.amount[retained]),
            " withheld in ",
            months(sums.month[retained]),
            " is retained (",
            per(rule, words.named),
            per(rule, words.after(" still in force after {months} months)")),
        ),
        amount=sums.amount[retained],
    )


def _ledger_table(
    sums: _Withheld, rules: Sequence[Withholding], ids: Sequence[str]
) -> pl.DataFrame:
    """The ledger as the statement's withholding table (amounts still in pence)."""
    return pl.DataFrame(
        {
            "service": per(sums.service, ids),
            "month": months(sums.month),
            "step": per(sums.rule, [r.step for r in rules]),
            "rate": per(sums.rule, [str(r.rate) for r in rules]),
            "value": sums.value,
            "withheld": sums.amount,
            "outcome": per(sums.outcome, list(OUTCOMES)),
            "settled": pl.select(
                pl.when(pl.Series(sums.settled) >= 0).then(months(np.maximum(sums.settled, 0)))
            ).to_series(),
        },
        schema=LEDGER_SCHEMA,
    )
