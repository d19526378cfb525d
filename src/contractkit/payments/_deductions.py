"""What underperformance costs: consequences per KPI, charged in the last month of each period
they are for, and withholding while an escalation step is in force (with its repayment or
retention). Over whole columns."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import polars as pl

from contractkit._kernel.pence_sums import product
from contractkit.evaluation import Evaluation
from contractkit.model import KPI, Consequence, Contract, Finance, Measure
from contractkit.model.english import article
from contractkit.payments._breaches import excess
from contractkit.payments._levels import exact_level, level_words
from contractkit.payments._lines import (
    Ints,
    counts,
    findings,
    join,
    lines,
    money,
    months,
    per,
    words,
)
from contractkit.payments._service_months import ServiceMonths, last_month
from contractkit.payments._withholding_ledger import OUTCOMES, REPAID, RETAINED, RuleTerms, withhold

__all__ = ["LEDGER_SCHEMA", "consequences", "withholding"]

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


def consequences(
    contract: Contract, finance: Finance, evaluation: Evaluation, through: int
) -> list[pl.DataFrame]:
    """A line for each period a consequence is charged for, in the period's last month."""
    table = evaluation.table
    ids = {s.id: i for i, s in enumerate(contract.services)}
    out: list[pl.DataFrame] = []
    for consequence in finance.consequences:
        kpi = contract.kpi(consequence.kpi)
        rows = table.filter(pl.col("kpi") == kpi.id)
        if rows.height == 0:
            continue
        charged = excess(rows, kpi, consequence)
        hit = rows.with_columns(_charged=pl.Series(charged)).filter(pl.col("_charged") > 0)
        if hit.height == 0:
            continue
        periods = hit.get_column("period")
        month = periods.replace_strict(
            {p: last_month(p) for p in periods.unique().to_list()}, return_dtype=pl.Int64
        )
        hit = hit.with_columns(_month=month).filter(pl.col("_month") <= through)
        if hit.height == 0:
            continue
        number = hit.get_column("_charged").to_numpy()
        charges = product(number, consequence.sum.pence, _charge_words(hit, kpi, consequence))
        if consequence.per_incident is not None:
            what = words(number, lambda n: " incident" if n == 1 else " incidents")
            beyond = pl.repeat("", hit.height, eager=True)
        else:
            what = words(number, lambda n: " excess breach" if n == 1 else " excess breaches")
            if consequence.tolerance is not None:
                tolerance = str(consequence.tolerance) + (
                    f" per {kpi.per:,}"
                    if kpi.measure is Measure.RATE and consequence.tolerance.unit is None
                    else ""
                )
                beyond = pl.repeat(f" beyond the tolerance of {tolerance}", hit.height, eager=True)
            else:
                beyond = words(
                    hit.get_column("threshold"),
                    functools.partial(_beyond_threshold, kpi),
                ).fill_null("")
        basis = join(
            f"{kpi.id}, ",
            hit.get_column("period"),
            " (",
            hit.get_column("status").cast(pl.String),
            "): ",
            counts(number),
            what,
            f" × {consequence.sum}",
            pl.select(
                pl.when(beyond != "").then(pl.lit(",") + beyond).otherwise(pl.lit(""))
            ).to_series(),
        )
        out.append(
            lines(
                hit.get_column("service").replace_strict(ids, return_dtype=pl.Int64),
                hit.get_column("_month"),
                "consequence",
                charges,
                basis,
                reference=kpi.id,
                quantity=number,
            )
        )
    return out


def _charge_words(hit: pl.DataFrame, kpi: KPI, consequence: Consequence) -> Callable[[int], str]:
    """What the charge on row ``index`` of ``hit`` is, in words (for a charge beyond the
    largest amount)."""

    def charge(index: int) -> str:
        row = hit.row(index, named=True)
        what = "incidents" if consequence.per_incident is not None else "excess breaches"
        return (
            f"{kpi.id}, {row['period']}, service {row['service']}: {row['_charged']:,} {what} × "
            f"{consequence.sum}"
        )

    return charge


def _beyond_threshold(kpi: KPI, threshold: float) -> str:
    return f" beyond the threshold of {level_words(kpi, exact_level(threshold))}"


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
    steps = list(contract.steps)
    terms = [
        RuleTerms(
            steps.index(r.step) + 1, r.fraction.numerator, r.fraction.denominator, r.retained_after
        )
        for r in rules
    ]
    rank = ranks(contract, evaluation, rows)
    ledger = withhold(rows.service, rows.month, value, rank, terms, rows.through)
    took = np.flatnonzero(ledger.withheld > 0)
    if took.size == 0:
        return [], [], pl.DataFrame(schema=LEDGER_SCHEMA)
    service, month = rows.service[took], rows.month[took]
    rule, amount = ledger.rule[took], ledger.withheld[took]
    outcome, settled = ledger.outcome[took], ledger.settled[took]
    step_words = [r.step.replace("_", " ") for r in rules]
    in_force = [
        f"{article(w)} {w} is in force: {r.rate}" for w, r in zip(step_words, rules, strict=True)
    ]
    out_lines = [
        lines(
            service,
            month,
            "withheld",
            amount,
            join(per(rule, in_force), " of the month's value of ", money(value[took])),
            reference=per(rule, [r.step for r in rules]),
        )
    ]
    repaid = outcome == REPAID
    if repaid.any():
        out_lines.append(
            lines(
                service[repaid],
                settled[repaid],
                "repaid",
                amount[repaid],
                join(
                    "the ",
                    per(rule[repaid], step_words),
                    " cleared: the ",
                    money(amount[repaid]),
                    " withheld in ",
                    months(month[repaid]),
                    " is repaid",
                ),
                reference=per(rule[repaid], [r.step for r in rules]),
            )
        )
    retained = outcome == RETAINED
    out_findings: list[pl.DataFrame] = []
    if retained.any():
        after = [f" did not clear within {r.retained_after} months" for r in rules]
        out_lines.append(
            lines(
                service[retained],
                settled[retained],
                "retained",
                amount[retained],
                join(
                    "the ",
                    money(amount[retained]),
                    " withheld in ",
                    months(month[retained]),
                    " is retained: the ",
                    per(rule[retained], step_words),
                    per(rule[retained], after),
                ),
                reference=per(rule[retained], [r.step for r in rules]),
            )
        )
        ids = [s.id for s in contract.services]
        still = [f" still in force after {r.retained_after} months)" for r in rules]
        out_findings.append(
            findings(
                "retained",
                service[retained],
                settled[retained],
                join(
                    per(service[retained], ids),
                    ": ",
                    money(amount[retained]),
                    " withheld in ",
                    months(month[retained]),
                    " is retained (",
                    per(rule[retained], step_words),
                    per(rule[retained], still),
                ),
                amount=amount[retained],
            )
        )
    now = took[rows.month[took] == rows.through]
    if now.size:
        ids = [s.id for s in contract.services]
        current = np.unique(rows.service[now])
        out_findings.append(
            findings(
                "withholding_in_force",
                current,
                rows.through,
                join(
                    per(current, ids),
                    f": money is being withheld in {months([rows.through])[0]}",
                ),
            )
        )
    ledger_frame = pl.DataFrame(
        {
            "service": per(service, [s.id for s in contract.services]),
            "month": months(month),
            "step": per(rule, [r.step for r in rules]),
            "rate": per(rule, [str(r.rate) for r in rules]),
            "value": value[took],
            "withheld": amount,
            "outcome": per(outcome, list(OUTCOMES)),
            "settled": pl.select(
                pl.when(pl.Series(settled) >= 0).then(months(np.maximum(settled, 0)))
            ).to_series(),
        },
        schema=LEDGER_SCHEMA,
    )
    return out_lines, out_findings, ledger_frame
