"""Money: exact amounts, rounding once, and allocation that never loses or invents a penny.

Expected values are worked out by hand here, or with Python's own Decimal and Fraction as the
independent reference — never with contractkit's arithmetic.
"""

from __future__ import annotations

import random
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import polars as pl
import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contractkit import Money, MoneyError, allocate
from contractkit.money import COLUMN_PROBLEMS, pence_column

pence = st.integers(min_value=-(10**13), max_value=10**13)
money = pence.map(Money.from_pence)


# --- reading and writing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("£4,200,000.00", 420_000_000),
        ("4200000", 420_000_000),
        ("4,200,000", 420_000_000),
        (" £ 12.5 ", 1_250),
        ("0.07", 7),
        (".5", 50),
        ("4.200", 420),  # trailing zeros are not a fraction of a penny
        ("-£1,234.56", -123_456),
        ("\u2212£1,234.56", -123_456),
        ("(£1,234.56)", -123_456),
        ("£-1,234.56", -123_456),
        ("+£3", 300),
        ("GBP 12.30", 1_230),
    ],
)
def test_text_as_people_write_it(text: str, expected: int) -> None:
    assert Money(text).pence == expected


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("4.205", "fraction of a penny"),
        ("£4,200,000.001", "fraction of a penny"),
        ("1,23", "not an amount"),
        ("12,3456", "not an amount"),
        ("££5", "not an amount"),
        ("five pounds", "not an amount"),
        ("", "not an amount"),
        ("(5", "unmatched bracket"),
        ("--5", "more than one sign"),
        ("(-5)", "more than one sign"),
    ],
)
def test_text_that_is_not_exact_money(bad: str, fragment: str) -> None:
    with pytest.raises(MoneyError, match=fragment):
        Money(bad)


def test_decimals_ints_and_floats() -> None:
    assert Money(Decimal("4.20")).pence == 420
    assert Money(Decimal("4.2000")).pence == 420
    with pytest.raises(MoneyError, match="fraction of a penny"):
        Money(Decimal("4.205"))
    with pytest.raises(MoneyError, match="pounds or pence"):
        Money(420)  # refused on purpose: ambiguous
    with pytest.raises(MoneyError, match="float"):
        Money(4.2)  # refused on purpose: inexact
    with pytest.raises(MoneyError, match="not an amount"):
        Money(True)
    with pytest.raises(MoneyError, match="not an amount"):
        Money(Decimal("NaN"))
    assert Money.from_pence(420).amount == Decimal("4.20")
    with pytest.raises(MoneyError, match="whole number"):
        Money.from_pence(4.2)
    # In a contract, a bare number is pounds.
    assert Money.of(4_200_000) == Money("4200000")
    assert Money.of(Decimal("12.34")) == Money("12.34")
    with pytest.raises(MoneyError, match="float"):
        Money.of(12.34)


def test_formatting() -> None:
    assert str(Money("4200000")) == "£4,200,000.00"
    assert str(Money("0.05")) == "£0.05"
    assert str(Money("-1234.56")) == "\u2212£1,234.56"
    assert Money("-1234.56").format(negative="brackets") == "(£1,234.56)"
    assert Money("1234.56").format(negative="brackets") == "£1,234.56"
    assert Money("-1234.56").format(symbol=False) == "\u22121,234.56"
    assert f"{Money('-7.5'):brackets}" == "(£7.50)"
    assert f"{Money('-7.5'):plain}" == "-7.50"
    assert repr(Money("12")) == "Money('12.00')"
    with pytest.raises(MoneyError, match="negative style"):
        Money("-1").format(negative="red")


@given(money)
def test_every_written_form_reads_back(amount: Money) -> None:
    assert Money(str(amount)) == amount
    assert Money(amount.format(negative="brackets")) == amount
    assert Money(amount.format(symbol=False)) == amount
    assert Money(str(amount.amount)) == amount
    assert Money(amount.amount) == amount
    assert Money.from_pence(amount.pence) == amount


@given(pence, st.integers(1, 9))
def test_a_fraction_of_a_penny_is_never_rounded_quietly(p: int, extra: int) -> None:
    text = f"{Decimal(p).scaleb(-2):.2f}{extra}"  # a third decimal place that is not zero
    with pytest.raises(MoneyError, match="fraction of a penny"):
        Money(text)


# --- comparing and arithmetic ----------------------------------------------------------------


@given(money, money)
def test_order_and_equality_follow_the_pence(a: Money, b: Money) -> None:
    assert (a < b) == (a.pence < b.pence)
    assert (a == b) == (a.pence == b.pence)
    assert (a >= b) == (a.pence >= b.pence)
    assert (hash(a) == hash(b)) or a != b
    assert (a + b) - b == a
    negated = -a
    assert -negated == a
    assert abs(a).pence == abs(a.pence)
    assert sum([a, b]) == a + b
    assert (a > 0) == (a.pence > 0)


def test_money_is_not_a_plain_number() -> None:
    assert Money("0") == 0
    assert Money("1") != 1
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'Money' and 'int'"):
        _ = Money("1") + 1
    with pytest.raises(TypeError, match="'<' not supported between instances of 'Money' and 'int'"):
        _ = Money("1") < 1
    with pytest.raises(
        TypeError, match=r"unsupported operand type\(s\) for \*: 'Money' and 'Money'"
    ):
        _ = Money("2") * Money("3")
    with pytest.raises(AttributeError, match=r"^Money is immutable$"):
        Money("1")._pence = 5


@pytest.mark.parametrize(
    ("amount", "rate", "half_up", "half_even"),
    [
        ("123456.78", Decimal("0.02"), "2469.14", "2469.14"),  # 2,469.1356
        ("0.05", Decimal("0.5"), "0.03", "0.02"),  # 2.5p: away from zero, or to even
        ("0.07", Decimal("0.5"), "0.04", "0.04"),  # 3.5p: both go to 4p
        ("-0.05", Decimal("0.5"), "-0.03", "-0.02"),
        ("100", Fraction(1, 3), "33.33", "33.33"),
        ("4200000", "1.25%", "52500.00", "52500.00"),
        ("10", 3, "30.00", "30.00"),
    ],
)
def test_a_rate_rounds_once(amount: str, rate: object, half_up: str, half_even: str) -> None:
    assert Money(amount).times(rate) == Money(half_up)
    assert Money(amount) * rate == Money(half_up)
    assert Money(amount).times(rate, rounding="half_even") == Money(half_even)


@given(money, st.decimals(min_value=-10, max_value=10, places=6))
def test_times_matches_decimal_rounding(amount: Money, rate: Decimal) -> None:
    exact = Decimal(amount.pence) * rate
    up = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    even = exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    assert amount.times(rate).pence == int(up)
    assert amount.times(rate, rounding="half_even").pence == int(even)


def test_rates_that_cannot_be_exact_are_refused() -> None:
    with pytest.raises(MoneyError, match="float"):
        Money("10").times(0.02)
    with pytest.raises(MoneyError, match="not a rate"):
        Money("10").times("two percent")
    with pytest.raises(ValueError, match="rounding"):
        Money("10").times(2, rounding="up")


def test_division() -> None:
    assert Money("10") / Money("4") == Fraction(5, 2)
    assert Money("10") / 3 == Money("3.33")
    with pytest.raises(ZeroDivisionError, match=r"^division by £0\.00$"):
        Money("10") / Money("0")
    with pytest.raises(ZeroDivisionError, match=r"^division of money by zero$"):
        Money("10") / 0


# --- allocation -------------------------------------------------------------------------------

weights = st.lists(
    st.one_of(
        st.integers(0, 1000),
        st.fractions(min_value=0, max_value=100, max_denominator=50),
        st.decimals(min_value=0, max_value=100, places=3),
    ),
    min_size=1,
    max_size=12,
).filter(lambda ws: sum(Fraction(w) for w in ws) > 0)


@given(money, weights)
def test_allocation_conserves_every_penny(total: Money, ws: list[object]) -> None:
    parts = allocate(total, ws)
    assert len(parts) == len(ws)
    assert sum(parts, Money.zero()) == total


@given(money, weights)
def test_each_part_is_within_a_penny_of_its_exact_share(total: Money, ws: list[object]) -> None:
    whole = sum(Fraction(w) for w in ws)
    for part, w in zip(allocate(total, ws), ws, strict=True):
        exact = total.pence * Fraction(w) / whole
        assert abs(part.pence - exact) < 1


def _pairs(total: Money, ws: list[object]) -> list[tuple[Fraction, int]]:
    """Each weight with the pence it got, sorted (weights compared exactly)."""
    parts = allocate(total, ws)
    return sorted((Fraction(w), p.pence) for w, p in zip(ws, parts, strict=True))


@given(money, weights, st.randoms(use_true_random=False))
def test_allocation_is_stable_under_reordering(
    total: Money, ws: list[object], rnd: random.Random
) -> None:
    shuffled = list(ws)
    rnd.shuffle(shuffled)
    assert _pairs(total, ws) == _pairs(total, shuffled)
    # Keyed by name, the order the names are given in never matters at all.
    named = {f"partner-{i}": w for i, w in enumerate(ws)}
    backwards = dict(reversed(list(named.items())))
    assert allocate(total, named) == allocate(total, backwards)


def test_the_largest_remainder_rule_and_its_tie_breaks() -> None:
    # £100 in three: 33.333… each; the odd penny goes to the first listed.
    assert allocate(Money("100"), [1, 1, 1]) == [Money("33.34"), Money("33.33"), Money("33.33")]
    # 10p by 1:3 is 2.5p and 7.5p: equal remainders, so the larger weight gets the penny.
    assert allocate(Money("0.10"), [1, 3]) == [Money("0.02"), Money("0.08")]
    assert allocate(Money("0.10"), [3, 1]) == [Money("0.08"), Money("0.02")]
    # 7p by 0.2:0.3:0.5 is 1.4p, 2.1p, 3.5p: floors 1, 2, 3 and one penny left, to the
    # largest remainder (0.5).
    assert allocate(Money("0.07"), ["0.2", "0.3", "0.5"]) == [
        Money("0.01"),
        Money("0.02"),
        Money("0.04"),
    ]
    # 8p by the same: 1.6p, 2.4p, 4p; two pennies left, to 0.6 then 0.4.
    assert allocate(Money("0.08"), ["0.2", "0.3", "0.5"]) == [
        Money("0.02"),
        Money("0.02"),
        Money("0.04"),
    ]
    # Keyed: the name that sorts first wins a tie.
    assert allocate(Money("0.05"), {"icb": 1, "council": 1}) == {
        "icb": Money("0.02"),
        "council": Money("0.03"),
    }
    # A negative total splits as its opposite, negated; zero weights get nothing.
    assert allocate(Money("-100"), [1, 1, 1, 0]) == [
        Money("-33.34"),
        Money("-33.33"),
        Money("-33.33"),
        Money("0"),
    ]
    # In proportion to amounts.
    assert allocate(Money("900"), [Money("2000"), Money("1000")]) == [Money("600"), Money("300")]


@pytest.mark.parametrize(
    ("ws", "fragment"),
    [
        ([], "nothing to allocate"),
        ([0, 0], "add up to zero"),
        ([1, -1], "negative"),
        ([1, "lots"], "not a number"),
        ([1, 0.5], "is a float"),  # and how to give it (see below)
        ("123", "list of numbers"),
    ],
)
def test_allocation_refuses_what_cannot_be_split(ws: object, fragment: str) -> None:
    with pytest.raises(MoneyError, match=fragment):
        allocate(Money("100"), ws)


def test_allocation_needs_money() -> None:
    with pytest.raises(MoneyError, match="must be Money"):
        allocate(100, [1, 2])


# --- in models ---------------------------------------------------------------------------------


class _Line(pydantic.BaseModel):
    budget: Money


def test_a_model_reads_money_as_a_contract_writes_it() -> None:
    assert _Line(budget="£1,250,000.00").budget == Money("1250000")
    assert _Line(budget=1_250_000).budget == Money("1250000")  # a bare number is pounds
    assert _Line(budget=Decimal("1250000.50")).budget == Money("1250000.50")
    for bad, reason in (
        (Decimal("10.005"), "10.005 has a fraction of a penny: "),
        (10.5, "10.5: money is never read through a float; "),
        ("ten", "'ten' is not an amount of money: "),
    ):
        with pytest.raises(pydantic.ValidationError, match=re.escape(reason)):
            _Line(budget=bad)
    assert _Line(budget="12.5").model_dump() == {"budget": Decimal("12.50")}
    schema = _Line.model_json_schema()["properties"]["budget"]
    assert {"type": "number", "multipleOf": 0.01} in schema["anyOf"]


# --- whole columns of amounts --------------------------------------------------------------

money_text = st.one_of(
    money.map(str),
    money.map(lambda m: m.format(negative="brackets")),
    money.map(lambda m: str(m.amount)),
    st.text(alphabet="£0123456789,.-()+ \u2212GBP", max_size=14),
    st.builds(lambda m, zeros: f"{m.amount}{'0' * zeros}", money, st.integers(0, 3)),
    st.builds(lambda m, d: f"{m.amount}{d}", money, st.integers(1, 9)),
    st.builds(lambda m, d: f"{m.amount}".replace(".", f"{d}."), money, st.integers(0, 9999)),
    st.integers(-(10**20), 10**20).map(lambda p: str(Money.from_pence(p % 10**15).amount) + "0"),
)


@given(st.lists(money_text, max_size=30))
def test_a_column_of_text_reads_exactly_as_money_does(texts: list[str]) -> None:
    pence, problem = pence_column(pl.Series(texts, dtype=pl.String))
    for text, got, code in zip(texts, pence, problem, strict=True):
        try:
            expected = Money(text).pence
        except MoneyError as error:
            assert code != 0, text
            kinds = {"fraction of a penny": "fraction_of_a_penny", "largest": "beyond_maximum"}
            for words, kind in kinds.items():
                if words in str(error):
                    assert COLUMN_PROBLEMS[code] == kind, text
            continue
        assert code == 0, text
        assert got == expected, text


def test_columns_of_numbers() -> None:
    pence, problem = pence_column(pl.Series([1, None, 30_000_000]))
    assert pence.tolist() == [100, 0, 3_000_000_000]
    assert [COLUMN_PROBLEMS[c] for c in problem] == ["", "empty", ""]
    pence, problem = pence_column(pl.Series([1234.56, 2.005, None, 0.1 + 0.2]))
    assert pence.tolist() == [123456, 0, 0, 30]
    assert [COLUMN_PROBLEMS[c] for c in problem] == ["", "fraction_of_a_penny", "empty", ""]
    pence, problem = pence_column(pl.Series(["", None, "  "], dtype=pl.String))
    assert [COLUMN_PROBLEMS[c] for c in problem] == ["empty"] * 3


@given(st.lists(st.one_of(money.map(lambda m: str(m.amount)), st.just(""), st.none()), max_size=30))
def test_a_column_of_plain_amounts_reads_exactly(texts: list[str | None]) -> None:
    """Amounts written plainly (as a machine writes them) take a quicker route, to the same
    pence."""
    pence, problem = pence_column(pl.Series(texts, dtype=pl.String))
    for text, got, code in zip(texts, pence, problem, strict=True):
        if not text:
            assert COLUMN_PROBLEMS[code] == "empty"
        else:
            assert (code, got) == (0, Money(text).pence), text


# --- the largest amount, and bounded rates -------------------------------------------------


def test_the_largest_amount_is_just_under_ten_trillion_pounds() -> None:
    from contractkit.money import MAX_AMOUNT, MAX_PENCE

    assert MAX_PENCE == 999_999_999_999_999
    assert Money("£9,999,999,999,999.99") == MAX_AMOUNT
    assert MAX_AMOUNT.pence == MAX_PENCE
    assert Money("-9999999999999.99") == -MAX_AMOUNT
    assert str(MAX_AMOUNT) == "£9,999,999,999,999.99"
    assert repr(-MAX_AMOUNT) == "Money('-9999999999999.99')"


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money("10,000,000,000,000.00"),
        lambda: Money("£99,999,999,999,999,999"),
        lambda: Money("1234567890123456789012345678.91"),  # once a crash in .pence
        lambda: Money("1" * 40),  # once a crash in repr()
        lambda: Money("-10000000000000"),
        lambda: Money(Decimal("1e30")),
        lambda: Money(Decimal("-1E+13")),
        lambda: Money.from_pence(1_000_000_000_000_000),
        lambda: Money.from_pence(-1_000_000_000_000_000),
        lambda: Money.of(10**17),
        lambda: Money.of(Decimal("1E+30")),
    ],
)
def test_an_amount_beyond_the_largest_is_refused(make: object) -> None:
    with pytest.raises(MoneyError, match="largest amount") as caught:
        make()  # type: ignore[operator]  # each case is a callable
    assert "£9,999,999,999,999.99" in str(caught.value)


def test_a_refusal_of_a_vast_number_is_short() -> None:
    for make in (
        lambda: Money.of(10**100_000),
        lambda: Money("9" * 1_000_000),
        lambda: Money.from_pence(-(10**5000)),
    ):
        with pytest.raises(MoneyError, match="largest amount") as caught:
            make()
        assert len(str(caught.value)) < 400


def test_arithmetic_beyond_the_largest_amount_raises() -> None:
    from contractkit.money import MAX_AMOUNT

    penny = Money("0.01")
    for work in (
        lambda: MAX_AMOUNT + penny,
        lambda: -MAX_AMOUNT - penny,
        lambda: -penny - MAX_AMOUNT,
        lambda: MAX_AMOUNT * 2,
        lambda: MAX_AMOUNT.times("100.5%"),
        lambda: MAX_AMOUNT / Fraction(1, 2),
        lambda: sum([MAX_AMOUNT, penny]),
    ):
        with pytest.raises(MoneyError, match="largest amount"):
            work()
    assert MAX_AMOUNT - penny + penny == MAX_AMOUNT
    # 999,999,999,999,999p × 0.9999 = 999,899,999,999,999.0001p
    assert MAX_AMOUNT.times("99.99%") == Money("9998999999999.99")


def test_the_decimal_context_never_rounds_an_amount() -> None:
    """Exact whole numbers inside: a Decimal context of five digits changes nothing."""
    from decimal import localcontext

    with localcontext() as context:
        context.prec = 5
        assert Money("1234567.89").amount == Decimal("1234567.89")
        assert Money(Decimal("9999999999999.99")).pence == 999_999_999_999_999
        assert Money(Decimal("1234567.89")).pence == 123_456_789
        # 123,456,789p × 0.333333 = 41,152,221.958… p: £411,522.22 (to five digits, £411,520)
        assert Money("1234567.89").times(Decimal("0.333333")).pence == 41_152_222
        assert (Money("9999999999999.99") - Money("0.01")).amount == Decimal("9999999999999.98")
        assert hash(Money("1234567.89")) == hash(Money.from_pence(123_456_789))
        with pytest.raises(MoneyError, match="fraction of a penny"):
            Money(Decimal("1234567.891"))


@given(st.integers(-999_999_999_999_999, 999_999_999_999_999))
def test_every_amount_within_the_largest_round_trips(pence: int) -> None:
    """Through text (each written form), JSON, a pydantic model and pence, and through a
    column of text or of floating-point pounds."""
    import json

    amount = Money.from_pence(pence)
    assert Money(str(amount)) == amount
    assert Money(amount.format(negative="brackets")) == amount
    assert Money(f"{amount:plain}") == amount
    assert Money(json.loads(json.dumps(str(amount.amount)))) == amount
    assert Money(Decimal(json.loads(json.dumps(float(amount.amount))).__repr__())) == amount
    model = _Line(budget=amount)
    assert _Line.model_validate_json(model.model_dump_json()).budget == amount
    assert Money.from_pence(amount.pence) == amount
    column, problem = pence_column(pl.Series([str(amount), f"{amount:plain}"]))
    assert column.tolist() == [pence, pence]
    assert problem.tolist() == [0, 0]
    column, problem = pence_column(pl.Series([float(amount.amount)]))
    assert column.tolist() == [pence]
    assert problem.tolist() == [0]


def _finishes(code: str, seconds: float = 20.0) -> str:
    """Run ``code`` in a fresh interpreter, failing if it runs past ``seconds`` (a former
    hang is never interrupted inside one long arithmetic operation, so it runs apart)."""
    import subprocess
    import sys

    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {seconds} s: {code}")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "work",
    [
        "Money('5').times('1e1000000000')",
        "Money('5') / '1e-1000000000'",
        "allocate(Money('100'), [Decimal('1e-1000000000'), 1])",
        "Money('5').times(Decimal('1e-1000000000'))",
        "Money('5').times(Fraction(1, 10**100000))",
        "Money('5').times(10**100000)",
        "allocate(Money('100'), [10**100000, 1])",
        "Money('5').times('9' * 1000000)",
    ],
)
def test_huge_or_tiny_rates_are_refused_at_once(work: str) -> None:
    """These once ran for minutes: the digits and exponent of a rate, a multiplier or a weight
    are bounded before any arithmetic."""
    code = (
        "import time\n"
        "from decimal import Decimal\n"
        "from fractions import Fraction\n"
        "from contractkit.money import Money, MoneyError, allocate\n"
        "start = time.perf_counter()\n"
        "try:\n"
        f"    {work}\n"
        "except MoneyError as error:\n"
        "    print('refused', len(str(error)), time.perf_counter() - start)\n"
    )
    out = _finishes(code).split()
    assert out[0] == "refused"
    assert int(out[1]) < 400  # the message is short, however long the number
    # Refused in microseconds; these ran for minutes. A margin for a busy machine, not a speed
    # measure (speed is measured in benchmarks/).
    assert float(out[2]) < 5.0


@pytest.mark.parametrize(
    ("rate", "fine"),
    [
        (Decimal("1e-30"), True),
        (Decimal("1e-31"), False),
        ("0." + "0" * 29 + "1", True),
        ("0." + "0" * 30 + "1", False),
        ("1" + "0" * 30, True),  # 10^30
        ("1" + "0" * 31, False),
        (Fraction(1, 10**30), True),
        (Fraction(1, 10**30 + 1), False),
        (Fraction(10**30 + 1, 3), False),
        (10**30, True),
        (10**30 + 1, False),
        ("2." + "0" * 200, True),  # trailing zeros are no precision
        ("1.590014577686430674661649940477", True),  # 30 places, 31 digits in all
        ("9" * 30 + "." + "9" * 30, True),
        ("1e-29%", True),
    ],
)
def test_the_bounds_of_a_rate(rate: object, fine: bool) -> None:
    if fine:
        Money("0").times(rate)
    else:
        with pytest.raises(MoneyError, match="10\\^30"):
            Money("0").times(rate)


def test_a_rate_with_a_comma_is_read_only_as_thousands() -> None:
    assert Money("1").times("1,000%") == Money("10")
    assert Money("1").times("1,000") == Money("1000")
    for bad in ("2,5%", "0,5", "1,00"):
        with pytest.raises(MoneyError, match=r"decimal comma|not a rate"):
            Money("100").times(bad)


def test_float_weights_say_how_to_give_them() -> None:
    with pytest.raises(MoneyError) as caught:
        allocate(Money("100"), [Decimal("0.5"), 0.125])
    message = str(caught.value)
    assert "0.125 is a float" in message
    for way in ("Decimal('0.125')", "Fraction(1, 8)", "'0.125'", "whole numbers"):
        assert way in message, way


def test_a_column_refuses_an_amount_beyond_the_largest_in_every_form() -> None:
    """Once a Parquet column of integer 10^17 gave an actual of −£84,467,440,737,095,516.16:
    wrapped round in 64 bits. Now each entry beyond the largest amount is refused."""
    from contractkit.money import MAX_PENCE

    def kinds(values: pl.Series) -> tuple[list[int], list[str]]:
        pence, problem = pence_column(values)
        return pence.tolist(), [COLUMN_PROBLEMS[c] for c in problem]

    assert kinds(pl.Series([10**17, 9_999_999_999_999, -(10**13), None, -9_999_999_999_999])) == (
        [0, MAX_PENCE - 99, 0, 0, -(MAX_PENCE - 99)],
        ["beyond_maximum", "", "beyond_maximum", "empty", ""],
    )
    assert kinds(pl.Series([2**64 - 1, 5], dtype=pl.UInt64)) == ([0, 500], ["beyond_maximum", ""])
    assert kinds(pl.Series([-(2**63), 2**63 - 1], dtype=pl.Int64))[1] == ["beyond_maximum"] * 2
    assert kinds(pl.Series([1, 2], dtype=pl.Int8)) == ([100, 200], ["", ""])
    floats = [1e17, 1e15, float("inf"), float("-inf"), float("nan"), 9999999999999.99, 0.1 + 0.2]
    assert kinds(pl.Series(floats)) == (
        [0, 0, 0, 0, 0, MAX_PENCE, 30],
        ["beyond_maximum", "beyond_maximum", "not_money", "not_money", "empty", "", ""],
    )
    texts = [
        "999999999999999.99",  # once accepted, and 100 of them added up to a negative total
        "10,000,000,000,000",
        "0000000000000001.00",
        "(£99,999,999,999,999.999)",
        "1" * 40,
        "£9,999,999,999,999.99",
        "-9999999999999.99",
    ]
    assert kinds(pl.Series(texts)) == (
        [0, 0, 100, 0, 0, MAX_PENCE, -MAX_PENCE],
        ["beyond_maximum", "beyond_maximum", "", "beyond_maximum", "beyond_maximum", "", ""],
    )
    assert kinds(pl.Series(["99999999999999", "5"])) == ([0, 500], ["beyond_maximum", ""])
    decimals = pl.Series([Decimal("1E+20"), Decimal("12.30")], dtype=pl.Decimal(38, 2))
    assert kinds(decimals) == ([0, 1230], ["beyond_maximum", ""])


def test_a_large_float_with_a_fraction_of_a_penny_is_not_rounded() -> None:
    """A float's own precision is a fraction of a penny up to about £10 trillion: a value
    that is not the penny as nearly as the float can say is refused, not rounded."""
    pence, problem = pence_column(pl.Series([1234567890123.456, 1234567890123.45, 0.125]))
    assert [COLUMN_PROBLEMS[c] for c in problem] == [
        "fraction_of_a_penny",
        "",
        "fraction_of_a_penny",
    ]
    assert pence.tolist() == [0, 123456789012345, 0]


bounded_weights = st.lists(
    st.one_of(
        st.integers(0, 10**30),
        st.fractions(min_value=0, max_value=10**6, max_denominator=10**30),
        st.decimals(min_value=0, max_value=10**29, places=30, allow_nan=False),
        st.integers(0, 999_999_999_999_999).map(Money.from_pence),
    ),
    min_size=1,
    max_size=12,
).filter(lambda ws: any(ws))


@given(
    st.integers(-999_999_999_999_999, 999_999_999_999_999).map(Money.from_pence), bounded_weights
)
def test_allocation_never_loses_or_invents_a_penny_at_the_bounds(
    total: Money, ws: list[object]
) -> None:
    """Weights as large and as fine as the bounds allow, and totals up to the largest amount:
    the parts add up to the total, each within a penny of its exact share."""
    parts = allocate(total, ws)
    assert sum(p.pence for p in parts) == total.pence
    exact = [Fraction(w.pence) if isinstance(w, Money) else Fraction(w) for w in ws]
    whole = sum(exact)
    for part, weight in zip(parts, exact, strict=True):
        assert abs(part.pence - total.pence * weight / whole) < 1
