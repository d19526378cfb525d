"""Withholding: a part of a service's monthly value kept back while an escalation step is in
force, repaid when the step clears, retained once it has been held for a set number of months.

For each month a rule's step (or a more serious one) is in force, the most serious such rule
withholds its rate of the month's value, rounded half-up once. A sum withheld in month *w* under
a rule is **repaid** in the first later month *c* in which the service is below the rule's step,
if *c* comes within the rule's ``retained_after`` months (*c* ≤ *w* + N); otherwise it is
**retained** in month *w* + N. Until then it is **held**. Over whole columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import polars as pl

from contractkit._kernel.arrays import Ints
from contractkit._kernel.pence_sums import half_up

__all__ = ["HELD", "OUTCOMES", "REPAID", "RETAINED", "Ledger", "RuleTerms", "withhold"]

HELD, REPAID, RETAINED = 0, 1, 2
"""What became of a sum withheld, as a number in the ledger's ``outcome``."""
OUTCOMES = ("held", "repaid", "retained")
"""Each outcome's word (at its number), as the statement's withholding table shows it."""


@attrs.frozen
class RuleTerms:
    """A withholding rule in numbers: the step's rank (1 the least serious), the rate as a
    fraction ``numerator / denominator``, and the months after which a sum is retained (None:
    held until the step clears)."""

    rank: int
    numerator: int
    denominator: int
    retained_after: int | None


@attrs.frozen
class Ledger:
    """Per row (service-month): the rule that withheld (-1: none), the sum withheld, and what
    became of it — ``outcome`` (0 held, 1 repaid, 2 retained) in month ``settled`` (-1 while
    held)."""

    rule: Ints
    withheld: Ints
    outcome: Ints
    settled: Ints


def withhold(
    service: Ints,
    month: Ints,
    value: Ints,
    rank: Ints,
    rules: Sequence[RuleTerms],
    through: int,
) -> Ledger:
    """The withholding ledger for rows sorted by service and then month (each service's months
    consecutive): ``value`` is each month's actual value in pence (not negative), ``rank`` the
    step in force (0: none), ``through`` the last month known."""
    size = service.size
    rule = np.full(size, -1, dtype=np.int64)
    numerator = np.zeros(size, dtype=np.int64)
    denominator = np.ones(size, dtype=np.int64)
    order = sorted(range(len(rules)), key=lambda i: rules[i].rank)
    for index in order:  # the most serious rule in force wins
        terms = rules[index]
        applies = rank >= terms.rank
        rule = np.where(applies, index, rule)
        numerator = np.where(applies, terms.numerator, numerator)
        denominator = np.where(applies, terms.denominator, denominator)
    # Half-up, once: floor((2·value·n + d) / 2d), exact in whole numbers (past 64 bits too).
    withheld = np.where(rule >= 0, half_up(value, numerator, denominator), 0).astype(np.int64)
    outcome = np.full(size, HELD, dtype=np.int64)
    settled = np.full(size, -1, dtype=np.int64)
    never = np.iinfo(np.int64).max
    frame = pl.DataFrame({"service": service, "month": month, "rank": rank})
    for index, terms in enumerate(rules):
        mine = (rule == index) & (withheld > 0)
        if not mine.any():
            continue
        # The first later month in which the service is below this rule's step.
        clears = (
            frame.select(
                pl.when(pl.col("rank") < terms.rank)
                .then(pl.col("month"))
                .otherwise(never)
                .reverse()
                .cum_min()
                .reverse()
                .shift(-1, fill_value=never)
                .over("service")
            )
            .to_series()
            .to_numpy()
        )
        limit = (
            month + terms.retained_after
            if terms.retained_after is not None
            else np.full(size, never)
        )
        repaid = mine & (clears <= limit) & (clears <= through)
        retained = mine & ~repaid & (limit <= through)
        outcome[repaid], settled[repaid] = REPAID, clears[repaid]
        outcome[retained], settled[retained] = RETAINED, limit[retained]
    return Ledger(rule=rule, withheld=withheld, outcome=outcome, settled=settled)
