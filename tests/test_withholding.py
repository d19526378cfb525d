"""Withholding: ledgers worked out by hand, the rules as properties of any ledger, and a year of
monthly withholding and repayment run against an independent month-by-month model."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from contractkit.payments._withholding_ledger import Ledger, RuleTerms, withhold

HELD, REPAID, RETAINED = 0, 1, 2


def ints(values: Sequence[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def one_service(
    ranks: Sequence[int],
    rules: Sequence[RuleTerms],
    *,
    value: int | Sequence[int] = 100_000,
    through: int | None = None,
    start: int = 0,
) -> Ledger:
    size = len(ranks)
    values = [value] * size if isinstance(value, int) else list(value)
    return withhold(
        ints([0] * size),
        ints(range(start, start + size)),
        ints(values),
        ints(ranks),
        list(rules),
        start + size - 1 if through is None else through,
    )


def half_up(value: int, rate: Fraction) -> int:
    return math.floor(value * rate + Fraction(1, 2))


TWO_PERCENT_THREE_MONTHS = RuleTerms(rank=1, numerator=2, denominator=100, retained_after=3)

# --- by hand ----------------------------------------------------------------------------------


def test_a_step_that_clears_repays_everything_withheld() -> None:
    # In force in months 2 to 4, cleared in month 5: 2% of £1,000 withheld three times, and all
    # of it repaid in month 5 (month 2's sum has been held exactly 3 months: repaid, not kept).
    ranks = [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    ledger = one_service(ranks, [TWO_PERCENT_THREE_MONTHS])
    assert ledger.rule.tolist() == [-1, -1, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1]
    assert ledger.withheld.tolist() == [0, 0, 2000, 2000, 2000, 0, 0, 0, 0, 0, 0, 0]
    assert ledger.outcome.tolist()[2:5] == [REPAID] * 3
    assert ledger.settled.tolist()[2:5] == [5, 5, 5]


def test_a_step_in_force_too_long_retains_each_sum_after_n_months() -> None:
    # In force in months 2 to 9, cleared in month 10: the sums of months 2 to 6 are kept for
    # good three months on (5 to 9); those of months 7 to 9 are repaid when it clears, in 10.
    ranks = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    ledger = one_service(ranks, [TWO_PERCENT_THREE_MONTHS])
    assert ledger.withheld.tolist() == [0, 0] + [2000] * 8 + [0, 0]
    assert ledger.outcome.tolist()[2:10] == [RETAINED] * 5 + [REPAID] * 3
    assert ledger.settled.tolist()[2:10] == [5, 6, 7, 8, 9, 10, 10, 10]


@pytest.mark.parametrize(
    ("through", "outcomes", "settled"),
    [
        (4, [HELD] * 8, [-1] * 8),  # nothing known yet has been held for 3 months
        (5, [RETAINED] + [HELD] * 7, [5] + [-1] * 7),
        (6, [RETAINED] * 2 + [HELD] * 6, [5, 6] + [-1] * 6),
        (9, [RETAINED] * 5 + [HELD] * 3, [5, 6, 7, 8, 9, -1, -1, -1]),
        (10, [RETAINED] * 5 + [REPAID] * 3, [5, 6, 7, 8, 9, 10, 10, 10]),
    ],
)
def test_nothing_is_settled_after_the_last_month_known(
    through: int, outcomes: list[int], settled: list[int]
) -> None:
    ranks = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
    ledger = one_service(ranks, [TWO_PERCENT_THREE_MONTHS], through=through)
    assert ledger.outcome.tolist()[2:10] == outcomes
    assert ledger.settled.tolist()[2:10] == settled


def test_a_clearing_after_the_last_month_known_is_not_yet_a_repayment() -> None:
    ranks = [0, 0, 1, 1, 1, 0]
    ledger = one_service(ranks, [TWO_PERCENT_THREE_MONTHS], through=4)
    assert ledger.outcome.tolist()[2:5] == [HELD] * 3
    assert ledger.settled.tolist()[2:5] == [-1] * 3


@pytest.mark.parametrize(
    ("value", "numerator", "denominator", "withheld"),
    [
        (12_345, 2, 100, 247),  # 246.9
        (12_325, 2, 100, 247),  # 246.5: half up
        (12_324, 2, 100, 246),  # 246.48
        (125, 2, 100, 3),  # 2.5
        (150, 1, 100, 2),  # 1.5
        (250, 1, 100, 3),  # 2.5: up, not to the even 2
        (49, 1, 100, 0),  # 0.49
        (50, 1, 100, 1),  # 0.5
        (200, 1, 80, 3),  # 1.25% of 200 = 2.5
        (1, 1, 1, 1),  # 100%
        (0, 1, 1, 0),
        (10**12 + 1, 1, 3, 333_333_333_334),  # a third, far beyond a float's whole pence
    ],
)
def test_each_sum_is_rounded_half_up_once(
    value: int, numerator: int, denominator: int, withheld: int
) -> None:
    ledger = one_service([1], [RuleTerms(1, numerator, denominator, 3)], value=value)
    assert ledger.withheld.tolist() == [withheld]
    assert withheld == half_up(value, Fraction(numerator, denominator))


RAP = RuleTerms(rank=1, numerator=1, denominator=100, retained_after=6)  # a remedial action plan
NOTICE = RuleTerms(rank=2, numerator=2, denominator=100, retained_after=3)  # an exception notice


@pytest.mark.parametrize("rules", [[RAP, NOTICE], [NOTICE, RAP]], ids=["in-order", "reversed"])
def test_the_most_serious_step_in_force_withholds(rules: list[RuleTerms]) -> None:
    ranks = [0, 1, 2, 2, 1, 1, 0, 0]
    ledger = one_service(ranks, rules)
    rap, notice = rules.index(RAP), rules.index(NOTICE)
    assert ledger.rule.tolist() == [-1, rap, notice, notice, rap, rap, -1, -1]
    assert ledger.withheld.tolist() == [0, 1000, 2000, 2000, 1000, 1000, 0, 0]
    # The notice's sums are repaid when the step falls below a notice (month 4), though the
    # action plan is still in force; the plan's when it clears too (month 6).
    assert ledger.outcome.tolist()[1:6] == [REPAID] * 5
    assert ledger.settled.tolist()[1:6] == [6, 4, 4, 6, 6]


def test_each_sum_keeps_its_own_rules_terms() -> None:
    # A notice for months 0 to 4 (kept after 3 months), then an action plan for months 5 to 10
    # (kept after 6), all cleared in month 11.
    ranks = [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0]
    ledger = one_service(ranks, [RAP, NOTICE])
    assert ledger.withheld.tolist() == [2000] * 5 + [1000] * 6 + [0]
    # months 0 and 1 held 3 months by month 3 and 4; 2 to 4 repaid when the notice lifts (5)
    assert ledger.outcome.tolist()[:5] == [RETAINED, RETAINED, REPAID, REPAID, REPAID]
    assert ledger.settled.tolist()[:5] == [3, 4, 5, 5, 5]
    # month 5's sum has been held exactly 6 months when the plan clears in 11: repaid
    assert ledger.outcome.tolist()[5:11] == [REPAID] * 6
    assert ledger.settled.tolist()[5:11] == [11] * 6


def test_without_retained_after_a_sum_is_held_until_the_step_clears() -> None:
    ranks = [1] * 11 + [0]
    forever = RuleTerms(rank=1, numerator=1, denominator=100, retained_after=None)
    held = one_service(ranks, [forever], through=10)
    assert held.outcome.tolist()[:11] == [HELD] * 11
    repaid = one_service(ranks, [forever])
    assert repaid.outcome.tolist()[:11] == [REPAID] * 11
    assert repaid.settled.tolist()[:11] == [11] * 11


def test_each_service_is_repaid_when_its_own_step_clears() -> None:
    # Service 3 (months 10 to 15) under a step for months 10 to 11; service 7 (months 12 to 15)
    # for months 12 to 14. Rows sorted by service and then month.
    service = ints([3] * 6 + [7] * 4)
    month = ints([10, 11, 12, 13, 14, 15, 12, 13, 14, 15])
    rank = ints([1, 1, 0, 0, 0, 0, 1, 1, 1, 0])
    value = ints([10_000] * 6 + [20_000] * 4)
    forever = RuleTerms(rank=1, numerator=5, denominator=100, retained_after=None)
    ledger = withhold(service, month, value, rank, [forever], 15)
    assert ledger.withheld.tolist() == [500, 500, 0, 0, 0, 0, 1000, 1000, 1000, 0]
    assert ledger.outcome.tolist() == [REPAID, REPAID, *[HELD] * 4, REPAID, REPAID, REPAID, HELD]
    assert ledger.settled.tolist() == [12, 12, -1, -1, -1, -1, 15, 15, 15, -1]


# --- any ledger -------------------------------------------------------------------------------

rates = st.integers(1, 10_000).map(lambda hundredths: Fraction(hundredths, 10_000))  # 0.01%-100%


@st.composite
def rule_sets(draw: st.DrawFn) -> list[RuleTerms]:
    """One to three rules for distinct steps (ranks 1 to 3), in any order."""
    ranks = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True))
    rules = []
    for rank in ranks:
        rate = draw(rates)
        retained = draw(st.one_of(st.none(), st.integers(1, 6)))
        rules.append(RuleTerms(rank, rate.numerator, rate.denominator, retained))
    return rules


values = st.one_of(st.integers(0, 300), st.integers(0, 10**10))
step_ranks = st.integers(0, 3)


def in_force(rules: Sequence[RuleTerms], rank: int) -> int:
    """The index of the most serious rule in force at ``rank`` (-1: none)."""
    applying = [i for i, r in enumerate(rules) if r.rank <= rank]
    return max(applying, key=lambda i: rules[i].rank, default=-1)


@dataclass(frozen=True)
class Rows:
    service: list[int]
    month: list[int]
    value: list[int]
    rank: list[int]
    rules: list[RuleTerms]
    through: int


@st.composite
def row_sets(draw: st.DrawFn) -> Rows:
    services = draw(st.lists(st.integers(0, 20), min_size=1, max_size=3, unique=True))
    rows: dict[str, list[int]] = {"service": [], "month": [], "value": [], "rank": []}
    for service in sorted(services):
        start = draw(st.integers(0, 40))
        count = draw(st.integers(1, 14))
        rows["service"] += [service] * count
        rows["month"] += list(range(start, start + count))
        rows["value"] += draw(st.lists(values, min_size=count, max_size=count))
        rows["rank"] += draw(st.lists(step_ranks, min_size=count, max_size=count))
    through = draw(st.integers(min(rows["month"]) - 1, max(rows["month"]) + 2))
    return Rows(**rows, rules=draw(rule_sets()), through=through)


@settings(max_examples=150, deadline=None)
@given(rows=row_sets())
def test_every_ledger_keeps_to_the_rules(rows: Rows) -> None:
    ledger = withhold(
        ints(rows.service),
        ints(rows.month),
        ints(rows.value),
        ints(rows.rank),
        rows.rules,
        rows.through,
    )
    top = max(Fraction(r.numerator, r.denominator) for r in rows.rules)
    by_row = {(s, m): i for i, (s, m) in enumerate(zip(rows.service, rows.month, strict=True))}
    for i, (service, month, value, rank) in enumerate(
        zip(rows.service, rows.month, rows.value, rows.rank, strict=True)
    ):
        index = in_force(rows.rules, rank)
        withheld = int(ledger.withheld[i])
        outcome, settled = int(ledger.outcome[i]), int(ledger.settled[i])
        assert int(ledger.rule[i]) == index
        if index < 0:
            assert withheld == 0
            continue
        terms = rows.rules[index]
        # never more than the rate: the rule's rate of the month's value, rounded half up once
        assert withheld == half_up(value, Fraction(terms.numerator, terms.denominator))
        assert 0 <= withheld <= half_up(value, top)
        if withheld == 0:
            continue
        # exactly one of held, repaid or retained; settled after the month, by `through`
        assert outcome in (HELD, REPAID, RETAINED)
        assert (settled == -1) == (outcome == HELD)
        limit = month + terms.retained_after if terms.retained_after is not None else None
        later = [m for m in range(month + 1, rows.through + 1) if (service, m) in by_row]
        clears = next((m for m in later if rows.rank[by_row[service, m]] < terms.rank), None)
        if outcome == REPAID:
            assert month < settled <= rows.through
            assert settled == clears
            assert limit is None or settled <= limit
        elif outcome == RETAINED:
            assert limit is not None
            assert settled == limit
            assert month < settled <= rows.through
            assert clears is None or clears > limit
        else:
            assert clears is None or (limit is not None and clears > limit)
            assert limit is None or limit > rows.through
    held = [int(w) for w, o in zip(ledger.withheld, ledger.outcome, strict=True) if o == HELD]
    repaid = [int(w) for w, o in zip(ledger.withheld, ledger.outcome, strict=True) if o == REPAID]
    kept = [int(w) for w, o in zip(ledger.withheld, ledger.outcome, strict=True) if o == RETAINED]
    assert sum(held) + sum(repaid) + sum(kept) == int(ledger.withheld.sum())


# --- a year, month by month -------------------------------------------------------------------


@dataclass
class Sum:
    """A sum withheld, as the model keeps it."""

    month: int
    rule: int
    amount: int
    outcome: int = HELD
    settled: int = -1


@dataclass
class Service:
    """One service's history and the model's ledger of it."""

    values: list[int] = field(default_factory=list)
    ranks: list[int] = field(default_factory=list)
    rules_in_force: list[int] = field(default_factory=list)
    withheld: list[int] = field(default_factory=list)
    sums: dict[int, Sum] = field(default_factory=dict)


class MonthByMonth(RuleBasedStateMachine):
    """Each step is a month: every service reports its value and the step in force. The model
    first repays each sum held under a rule whose step is no longer in force, then retains those
    held for the rule's N months, then withholds for this month under the most serious rule in
    force."""

    def __init__(self) -> None:
        super().__init__()
        self.rule_terms: list[RuleTerms] = []
        self.services: list[Service] = []
        self.start = 0
        self.months = 0
        self._cached: tuple[int, Ledger] | None = None

    @initialize(rules=rule_sets(), count=st.integers(1, 2), start=st.integers(0, 500))
    def the_terms(self, rules: list[RuleTerms], count: int, start: int) -> None:
        self.rule_terms = rules
        self.services = [Service() for _ in range(count)]
        self.start = start

    @property
    def now(self) -> int:
        return self.start + self.months - 1

    @precondition(lambda self: self.months < 24)
    @rule(
        months=st.lists(st.tuples(values, step_ranks), min_size=2, max_size=2),
    )
    def a_month(self, months: list[tuple[int, int]]) -> None:
        self.months += 1
        now = self.now
        for service, (value, rank) in zip(self.services, months, strict=False):
            service.values.append(value)
            service.ranks.append(rank)
            held = [s for s in service.sums.values() if s.outcome == HELD]
            for held_sum in held:
                if rank < self.rule_terms[held_sum.rule].rank:
                    held_sum.outcome, held_sum.settled = REPAID, now
            for held_sum in held:
                after = self.rule_terms[held_sum.rule].retained_after
                if held_sum.outcome == HELD and after is not None and now - held_sum.month == after:
                    held_sum.outcome, held_sum.settled = RETAINED, now
            index = in_force(self.rule_terms, rank)
            amount = 0
            if index >= 0:
                terms = self.rule_terms[index]
                amount = half_up(value, Fraction(terms.numerator, terms.denominator))
            service.rules_in_force.append(index)
            service.withheld.append(amount)
            if amount > 0:
                service.sums[now] = Sum(now, index, amount)

    def _ledger(self) -> Ledger:
        """``withhold`` over the history so far, through this month (once a month)."""
        if self._cached is not None and self._cached[0] == self.months:
            return self._cached[1]
        service, month, value, rank = [], [], [], []
        for number, history in enumerate(self.services):
            service += [number * 5] * self.months
            month += list(range(self.start, self.start + self.months))
            value += history.values
            rank += history.ranks
        ledger = withhold(
            ints(service), ints(month), ints(value), ints(rank), self.rule_terms, self.now
        )
        self._cached = (self.months, ledger)
        return ledger

    @invariant()
    def the_ledger_is_the_models(self) -> None:
        if not self.months:
            return
        ledger = self._ledger()
        row = 0
        for history in self.services:
            for offset in range(self.months):
                month = self.start + offset
                assert int(ledger.rule[row]) == history.rules_in_force[offset]
                assert int(ledger.withheld[row]) == history.withheld[offset]
                expected = history.sums.get(month)
                if expected is not None:
                    assert (int(ledger.outcome[row]), int(ledger.settled[row])) == (
                        expected.outcome,
                        expected.settled,
                    ), f"the sum withheld in month {month}"
                row += 1

    @invariant()
    def held_repaid_and_retained_make_up_what_was_withheld(self) -> None:
        if not self.months:
            return
        ledger = self._ledger()
        withheld = ledger.withheld
        totals = [int(withheld[ledger.outcome == kind].sum()) for kind in (HELD, REPAID, RETAINED)]
        assert sum(totals) == int(withheld.sum())
        model = [
            sum(s.amount for h in self.services for s in h.sums.values() if s.outcome == kind)
            for kind in (HELD, REPAID, RETAINED)
        ]
        assert totals == model

    @invariant()
    def nothing_is_held_longer_than_its_rule_allows(self) -> None:
        if not self.months:
            return
        ledger = self._ledger()
        for row in np.flatnonzero((ledger.outcome == HELD) & (ledger.withheld > 0)).tolist():
            after = self.rule_terms[int(ledger.rule[row])].retained_after
            month = self.start + row % self.months
            if after is not None:
                assert self.now - month < after


MonthByMonth.TestCase.settings = settings(max_examples=50, stateful_step_count=20, deadline=None)
test_a_year_month_by_month = MonthByMonth.TestCase
