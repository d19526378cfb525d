"""Quantities as contracts write them: parsing, units, exact conversion, formatting.

pint's registry loads on first use (about half a second), so every Hypothesis test here runs
without a per-example deadline.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractkit import units
from contractkit._kernel.numbers import beyond_bounds
from contractkit.errors import ContractKitError, UnitError
from contractkit.units import (
    PER_PERIOD,
    PERCENT,
    Quantity,
    check_unit,
    dimension_name,
    format_number,
    per_text,
    same_dimension,
)

no_deadline = settings(deadline=None)
ROOT = Path(__file__).resolve().parent.parent

# Canonical unit names (what check_unit returns), across every dimension contracts use.
UNITS = [
    "second",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "kilogram",
    "gram",
    "meter",
    "liter",
    "person",
    "patient",
    "referral",
    "bed_day",
    PERCENT,
    "per 100",
    "per 1000",
    "per 100000",
]
UNIT_OR_NONE = st.sampled_from([*UNITS, None])

# Magnitudes as contracts write them: integers, and decimals with a handful of places.
PLAIN_DECIMALS = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(Decimal),
    st.decimals(min_value=-(10**9), max_value=10**9, places=6),
    st.decimals(min_value=-1, max_value=1, places=12),
)
# Any Decimal a contract can hold (below 10^18, at most 40 digits and 340 places), however
# many digits or however large or small its exponent within those bounds.
ANY_DECIMAL = st.decimals(allow_nan=False, allow_infinity=False).filter(
    lambda d: beyond_bounds(d) is None
)


def q(magnitude: Any, unit: str | None = None) -> Quantity:
    return Quantity(Decimal(magnitude), unit)


# ============================================================================================
# Parsing text: hand-computed cases


@pytest.mark.parametrize(
    ("text", "magnitude", "unit"),
    [
        ("70%", "70", PERCENT),
        ("70 %", "70", PERCENT),
        ("12.5%", "12.5", PERCENT),
        ("70 percent", "70", PERCENT),
        ("70 per cent", "70", PERCENT),
        ("70 PERCENT", "70", PERCENT),
        ("5 pp", "5", PERCENT),
        ("5 percentage points", "5", PERCENT),
        ("1 point", "1", PERCENT),
        ("90 minutes", "90", "minute"),
        ("1 minute", "1", "minute"),
        ("  90   minutes  ", "90", "minute"),
        ("90minutes", "90", "minute"),
        ("1.5 hours", "1.5", "hour"),
        (".5 hours", "0.5", "hour"),
        ("18 weeks", "18", "week"),
        ("2 days", "2", "day"),
        ("2 kg", "2", "kilogram"),
        ("3 metres", "3", "meter"),
        ("5 people", "5", "person"),
        ("5 referrals", "5", "referral"),
        ("40 bed_days", "40", "bed_day"),
        ("12 per 1,000", "12", "per 1000"),
        ("12 per 1000", "12", "per 1000"),
        ("12 PER 1000", "12", "per 1000"),
        ("3 per 100,000 population", "3", "per 100000"),
        ("12", "12", None),
        ("1,000", "1000", None),
        ("1,234,567.89", "1234567.89", None),
        ("1,000 minutes", "1000", "minute"),
        ("-5", "-5", None),
        ("+5", "5", None),
        ("-2.5%", "-2.5", PERCENT),
        ("0", "0", None),
        ("0.000001", "0.000001", None),
    ],
)
def test_parse_text(text: str, magnitude: str, unit: str | None) -> None:
    quantity = Quantity.parse(text)
    assert quantity.magnitude == Decimal(magnitude)
    assert isinstance(quantity.magnitude, Decimal)
    assert quantity.unit == unit
    assert quantity == Quantity(Decimal(magnitude), unit)


def test_parse_keeps_the_number_exactly() -> None:
    quantity = Quantity.parse("0.1 hours")
    assert quantity.magnitude == Decimal("0.1")
    assert str(quantity.magnitude) == "0.1"
    assert Quantity.parse("1.50 hours").magnitude.as_tuple() == Decimal("1.50").as_tuple()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "minutes",
        "%",
        "seventy percent",
        "one hour",
        "nan",
        "inf",
    ],
)
def test_parse_rejects_text_without_a_leading_number(text: str) -> None:
    with pytest.raises(UnitError, match="is not a quantity") as caught:
        Quantity.parse(text)
    assert caught.value.got == text


@pytest.mark.parametrize("text", ["£5", "£500 per month", "90 £", "5 £/hour"])
def test_money_is_refused_wherever_the_pound_sign_stands(text: str) -> None:
    with pytest.raises(UnitError, match="money is not a unit of measurement") as caught:
        Quantity.parse(text)
    assert caught.value.got == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("90 minuets", "did you mean 'minutes'?"),
        ("5 £", "money is not a unit"),
        ("5 £/hour", "money is not a unit"),
        ("1,00", "unknown unit"),
        ("5 xyzzyplugh", "unknown unit 'xyzzyplugh'"),
        ("Infinity minutes", "is not a quantity"),
        ("1.2.3", "unknown unit"),
    ],
)
def test_parse_rejects_bad_units(text: str, message: str) -> None:
    with pytest.raises(UnitError, match=re.escape(message)):
        Quantity.parse(text)


def test_a_rate_per_zero_is_refused() -> None:
    # A rate "per 0" has no meaning, and converting it divides by zero
    # (decimal.DivisionByZero escapes from Quantity.to); it should be refused on reading.
    with pytest.raises(UnitError) as caught:
        Quantity.parse("5 per 0")
    assert str(caught.value) == "a rate is per a positive number, such as 'per 1,000'"


# ============================================================================================
# Parsing numbers and other objects


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, Decimal(12)),
        (0, Decimal(0)),
        (-3, Decimal(-3)),
        (10**18 - 1, Decimal(10**18 - 1)),
        (Decimal("0.70"), Decimal("0.70")),
        (0.1, Decimal("0.1")),  # through repr: not 0.1000000000000000055511151231257827...
        (2.5, Decimal("2.5")),
        (1e-07, Decimal("1E-7")),
        (-0.0, Decimal("-0.0")),
    ],
)
def test_parse_numbers(value: Any, expected: Decimal) -> None:
    quantity = Quantity.parse(value)
    assert quantity.unit is None
    assert quantity.magnitude == expected
    assert quantity.magnitude.as_tuple() == expected.as_tuple()


def test_parse_passes_a_quantity_through() -> None:
    quantity = Quantity.parse("90 minutes")
    assert Quantity.parse(quantity) is quantity


@pytest.mark.parametrize("value", [True, False])
def test_parse_refuses_bool(value: bool) -> None:
    with pytest.raises(UnitError, match="expected a number or a quantity") as caught:
        Quantity.parse(value)
    assert caught.value.got is value


@pytest.mark.parametrize("value", [None, [1], {"magnitude": 1}, b"70%", object(), 1j])
def test_parse_refuses_other_objects(value: Any) -> None:
    with pytest.raises(UnitError, match="expected a number or a quantity"):
        Quantity.parse(value)


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        float("-inf"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
    ],
)
def test_parse_refuses_non_finite_numbers(value: Any) -> None:
    with pytest.raises(UnitError, match="expected a finite number"):
        Quantity.parse(value)


def test_unit_error_is_a_value_error_and_a_contractkit_error() -> None:
    with pytest.raises(ValueError, match="is not a quantity") as caught:
        Quantity.parse("seventy")
    assert isinstance(caught.value, UnitError)
    assert isinstance(caught.value, ContractKitError)


# ============================================================================================
# check_unit


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("minutes", "minute"),
        ("minute", "minute"),
        ("  hours ", "hour"),
        ("weeks", "week"),
        ("kg", "kilogram"),
        ("people", "person"),
        ("patients", "patient"),
        ("%", PERCENT),
        ("percent", PERCENT),
        ("Per Cent", PERCENT),
        ("pc", PERCENT),
        ("percentage points", PERCENT),
        ("per 1,000", "per 1000"),
        ("per 1000", "per 1000"),
        ("per 100,000 people", "per 100000"),
        ("per 01000", "per 1000"),
    ],
)
def test_check_unit(text: str, canonical: str) -> None:
    assert check_unit(text) == canonical


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [("minuets", "minutes"), ("weeeks", "weeks"), ("hourz", "hour")],
)
def test_check_unit_suggests_a_close_name(text: str, suggestion: str) -> None:
    with pytest.raises(UnitError) as caught:
        check_unit(text)
    message = str(caught.value)
    assert message == f"unknown unit {text!r}; did you mean {suggestion!r}?"
    assert caught.value.got == text


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("per quarter", "quarter"),
        ("a month", "month"),
        ("each Financial Year", "year"),
        ("/quarter", "quarter"),
        ("per assessment period", "assessment period"),
        ("every week", "week"),
    ],
)
def test_a_unit_per_a_length_of_time_says_a_threshold_is_for_the_whole_period(
    text: str, period: str
) -> None:
    with pytest.raises(UnitError) as caught:
        check_unit(text)
    assert str(caught.value) == (
        f"{text!r} is not a unit: a threshold is for the whole period its KPI is assessed over "
        f"(its 'assessed'), not per {period}, so give the number alone"
    )
    assert caught.value.expected == PER_PERIOD
    assert "did you mean" not in str(caught.value)  # not 'quarter', a unit of mass


def test_check_unit_does_not_suggest_for_gibberish() -> None:
    with pytest.raises(UnitError, match="unknown unit") as caught:
        check_unit("xyzzyplugh")
    assert "did you mean" not in str(caught.value)


@pytest.mark.parametrize("text", ["£", "£/hour", "pounds sterling £", " £ "])
def test_check_unit_refuses_money(text: str) -> None:
    with pytest.raises(UnitError, match="money is not a unit of measurement"):
        check_unit(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "'' is not a unit"),
        ("   ", "'' is not a unit"),
        ("1", "'1' is not a unit"),
        ("2.5", "unknown unit '2.5'"),
    ],
)
def test_check_unit_refuses_things_that_are_not_units(text: str, message: str) -> None:
    with pytest.raises(UnitError) as caught:
        check_unit(text)
    assert str(caught.value) == message


@given(st.sampled_from(UNITS))
@no_deadline
def test_check_unit_is_idempotent_on_canonical_names(unit: str) -> None:
    assert check_unit(unit) == unit
    assert check_unit(f"  {unit}  ") == unit


@given(st.sampled_from([u for u in UNITS if u != PERCENT and not u.startswith("per ")]))
@no_deadline
def test_check_unit_reads_plurals(unit: str) -> None:
    assert check_unit(unit + "s") == unit


# ============================================================================================
# Conversion


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1.5 hours", "minutes", "90"),
        ("2 hours", "minute", "120"),
        ("90 minutes", "hours", "1.5"),
        ("30 minutes", "hour", "0.5"),
        ("30 seconds", "minutes", "0.5"),
        ("1 day", "minutes", "1440"),
        ("18 weeks", "days", "126"),
        ("2 weeks", "hours", "336"),
        ("1 kg", "grams", "1000"),
        ("12 per 1,000", "per 100", "1.2"),
        ("12 per 1,000", "per 100,000", "1200"),
        ("3 per 100", "per 1000", "30"),
        ("70%", "percent", "70"),
        ("70%", "%", "70"),
        ("90 minutes", "minutes", "90"),
        ("5 people", "person", "5"),
    ],
)
def test_to_converts_exactly(text: str, unit: str, expected: str) -> None:
    result = Quantity.parse(text).to(unit)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [("2 hours", "minute", "Decimal('120')"), ("1 day", "minutes", "Decimal('1440')")],
)
def test_to_gives_whole_results_without_trailing_zeros(text: str, unit: str, expected: str) -> None:
    assert repr(Quantity.parse(text).to(unit)) == expected


def test_to_takes_a_bare_number_as_it_is() -> None:
    assert Quantity.parse("5").to("minutes") == Decimal(5)
    assert Quantity.parse(Decimal("0.25")).to("percent") == Decimal("0.25")


@pytest.mark.parametrize(
    ("text", "unit", "have", "want"),
    [
        ("90 kg", "minutes", "a mass", "a time"),
        ("90 minutes", "kg", "a time", "a mass"),
        ("70%", "minutes", "a percentage", "a time"),
        ("90 minutes", "%", "a time", "a percentage"),
        ("12 per 1,000", "minutes", "a rate", "a time"),
        ("90 minutes", "per 1000", "a time", "a rate"),
        ("5 people", "minutes", "a count", "a time"),
        ("3 metres", "liters", "a length", "a volume"),
        ("70%", "per 1000", "a percentage", "a rate"),
    ],
)
def test_to_a_different_dimension_names_both(text: str, unit: str, have: str, want: str) -> None:
    quantity = Quantity.parse(text)
    with pytest.raises(UnitError) as caught:
        quantity.to(unit)
    assert str(caught.value) == f"{quantity} is {have}, not {want}"
    assert caught.value.expected == want
    assert caught.value.got == str(quantity)


def test_ninety_kilograms_is_not_a_time() -> None:
    with pytest.raises(UnitError, match=re.escape("90 kilograms is a mass, not a time")):
        Quantity.parse("90 kg").to("minutes")


def test_to_an_unknown_unit_suggests_a_name() -> None:
    with pytest.raises(UnitError, match=re.escape("did you mean 'minutes'?")):
        Quantity.parse("2 hours").to("minuets")


# ============================================================================================
# Percentages


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("70%", "0.7"),
        ("5%", "0.05"),
        ("100%", "1"),
        ("12.5%", "0.125"),
        ("0%", "0"),
        ("150%", "1.5"),
        ("0.7", "0.7"),
        ("3", "3"),
    ],
)
def test_fraction(text: str, fraction: str) -> None:
    assert Quantity.parse(text).fraction() == Decimal(fraction)


def test_fraction_of_a_non_percentage_is_refused() -> None:
    with pytest.raises(UnitError, match=re.escape("90 minutes is not a proportion")) as caught:
        Quantity.parse("90 minutes").fraction()
    assert caught.value.expected == "a percentage"


def test_is_percent() -> None:
    assert Quantity.parse("70%").is_percent
    assert Quantity.parse("5 percentage points").is_percent
    assert not Quantity.parse("70").is_percent
    assert not Quantity.parse("70 minutes").is_percent


# ============================================================================================
# Text form


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (q(90, "minute"), "90 minutes"),
        (q(1, "minute"), "1 minute"),
        (q("1.0", "minute"), "1 minute"),
        (q("1.5", "hour"), "1.5 hours"),
        (q(-1, "hour"), "-1 hours"),
        (q(70, PERCENT), "70%"),
        (q("12.50", PERCENT), "12.5%"),
        (q(12, "per 1000"), "12 per 1,000"),
        (q(1, "per 100000"), "1 per 100,000"),
        (q(1000), "1000"),
        (q("90.0"), "90"),
        (q("0.50"), "0.5"),
        (q("1E+2"), "100"),
        (q("1E-7"), "0.0000001"),
        (q(5, "person"), "5 people"),
    ],
)
def test_str(quantity: Quantity, text: str) -> None:
    assert str(quantity) == text


def test_repr() -> None:
    assert repr(Quantity.parse("90 minutes")) == "Quantity('90 minutes')"
    assert repr(Quantity.parse("12 per 1,000")) == "Quantity('12 per 1,000')"


def test_to_plain() -> None:
    assert Quantity.parse("12").to_plain() == Decimal(12)
    assert isinstance(Quantity.parse("12").to_plain(), Decimal)
    assert Quantity.parse("70%").to_plain() == "70%"
    assert Quantity.parse("1.5 hours").to_plain() == "1.5 hours"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("90.0"), "90"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.50"), "0.5"),
        (Decimal("-3.10"), "-3.1"),
        (Decimal("0"), "0"),
        (Decimal("0.000"), "0"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("1234567.891"), "1234567.891"),
    ],
)
def test_format_number(value: Decimal, text: str) -> None:
    assert format_number(value) == text


@pytest.mark.parametrize(
    "value",
    [
        Decimal("1E+30"),  # whole, but more digits than the default context's 28
        Decimal("123456789012345678901234567890"),
        Decimal(repr(1e300)),
    ],
)
def test_format_number_handles_numbers_longer_than_the_decimal_context(value: Decimal) -> None:
    text = format_number(value)
    assert Decimal(text) == value
    assert "E" not in text.upper()


def test_str_of_a_large_quantity_read_from_text() -> None:
    text = "999999999999999999 minutes"  # the largest figure Quantity.parse reads
    assert str(Quantity.parse(text)) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**18, "1000000000000000000 is larger than any figure a contract holds"),
        (10**5000, "a number thousands of digits long is larger than any figure"),
        (1e300, "1e+300 is larger than any figure a contract holds"),
        (Decimal("1e309"), "1E+309 is larger than any figure"),
        (Decimal("1e-1000000000"), "1E-1000000000 is finer than any figure a contract holds"),
        (Decimal("0E-1000000000"), "0E-1000000000 is finer than any figure"),
        (Decimal("1." + "1" * 50), "is more digits than any figure a contract holds (at most 40)"),
        ("1000000000000000000000000000000 minutes", "100000000000…(31 characters) is larger"),
        ("1" * 5000 + " minutes", "111111111111…(5,000 characters) is more digits than any"),
        ("0." + "0" * 400 + "1%", "is more digits than any figure"),
    ],
    ids=[
        "10^18",
        "10^5000",
        "1e300",
        "1e309",
        "1e-1e9",
        "zero-1e-1e9",
        "51 digits",
        "10^30 text",
        "5000 digits",
        "401 places",
    ],
)
def test_numbers_beyond_any_figure_are_refused_saying_why(value: Any, message: str) -> None:
    with pytest.raises(UnitError) as caught:
        Quantity.parse(value)
    assert message in str(caught.value)
    assert len(str(caught.value)) < 200


def test_str_keeps_every_digit_of_a_long_decimal() -> None:
    text = "1.00000000000000000000000000001"  # 30 significant digits: parse keeps them all
    quantity = Quantity.parse(text)
    assert quantity.magnitude == Decimal(text)
    assert str(quantity) == text


def test_per_text() -> None:
    assert per_text(100) == "per 100"
    assert per_text(1000) == "per 1,000"
    assert per_text(100000) == "per 100,000"


@pytest.mark.parametrize(
    ("unit", "name"),
    [
        ("minute", "a time"),
        ("week", "a time"),
        ("kilogram", "a mass"),
        ("meter", "a length"),
        ("liter", "a volume"),
        (PERCENT, "a percentage"),
        ("per 1000", "a rate"),
        ("person", "a count"),
        ("referral", "a count"),
    ],
)
def test_dimension_name(unit: str, name: str) -> None:
    assert dimension_name(unit) == name


def test_dimension_name_of_an_unnamed_dimension_shows_it() -> None:
    assert dimension_name("meter / second") == "a quantity of dimension [length] / [time]"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("minute", "hour", True),
        ("minute", "kilogram", False),
        (PERCENT, PERCENT, True),
        ("per 100", "per 1000", True),
        (PERCENT, "per 1000", False),
        ("person", "referral", True),
        ("person", "minute", False),
    ],
)
def test_same_dimension(a: str, b: str, same: bool) -> None:
    assert same_dimension(a, b) is same
    assert same_dimension(b, a) is same


# ============================================================================================
# pydantic


def test_pydantic_validates_and_serialises() -> None:
    adapter = pydantic.TypeAdapter(Quantity)
    assert adapter.validate_python("70%") == q(70, PERCENT)
    assert adapter.validate_python(12) == q(12)
    assert adapter.validate_python(Decimal("1.5")) == q("1.5")
    assert adapter.dump_python(q(70, PERCENT)) == "70%"
    assert adapter.dump_python(q("1.5", "hour")) == "1.5 hours"
    assert adapter.dump_python(q(12)) == Decimal(12)
    assert adapter.dump_json(q(90, "minute")) == b'"90 minutes"'


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "expected a number or a quantity, got True"),
        (None, "expected a number or a quantity, got None"),
        (float("nan"), "expected a finite number, got nan"),
        ("seventy", "'seventy' is not a quantity: write a number with an optional unit"),
        ("90 minuets", "unknown unit 'minuets'; did you mean 'minutes'?"),
        ("5 £", "money is not a unit of measurement: "),
    ],
)
def test_pydantic_rejects_bad_values(value: Any, reason: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=re.escape(reason)):
        pydantic.TypeAdapter(Quantity).validate_python(value)


def test_pydantic_model_field() -> None:
    class Target(pydantic.BaseModel):
        value: Quantity

    target = Target.model_validate({"value": "18 weeks"})
    assert target.value == q(18, "week")
    assert target.model_dump() == {"value": "18 weeks"}
    assert Target.model_validate(target.model_dump()) == target


def test_pydantic_json_schema() -> None:
    schema = pydantic.TypeAdapter(Quantity).json_schema()
    string_pattern = next(s["pattern"] for s in schema["anyOf"] if s.get("type") == "string")
    for text in ["70%", "90 minutes", "12 per 1,000", "1,000"]:
        assert re.search(string_pattern, text)


# ============================================================================================
# Properties


@given(PLAIN_DECIMALS, UNIT_OR_NONE)
@no_deadline
def test_str_parse_round_trip(magnitude: Decimal, unit: str | None) -> None:
    quantity = Quantity(magnitude, unit)
    text = str(quantity)
    assert "E" not in format_number(magnitude).upper()
    assert Quantity.parse(text) == quantity
    assert str(Quantity.parse(text)) == text


@given(ANY_DECIMAL, UNIT_OR_NONE)
@no_deadline
def test_str_parse_round_trip_for_any_decimal(magnitude: Decimal, unit: str | None) -> None:
    quantity = Quantity(magnitude, unit)
    assert Quantity.parse(str(quantity)) == quantity


@given(PLAIN_DECIMALS, st.integers(min_value=1, max_value=10**9))
@no_deadline
def test_str_parse_round_trip_for_any_rate(magnitude: Decimal, per: int) -> None:
    quantity = Quantity(magnitude, f"per {per}")
    text = str(quantity)
    assert text.endswith(per_text(per))
    assert Quantity.parse(text) == quantity


@given(PLAIN_DECIMALS, UNIT_OR_NONE)
@no_deadline
def test_pydantic_round_trip(magnitude: Decimal, unit: str | None) -> None:
    adapter = pydantic.TypeAdapter(Quantity)
    quantity = Quantity(magnitude, unit)
    assert adapter.validate_python(adapter.dump_python(quantity)) == quantity


@given(st.integers(min_value=0, max_value=10**18 - 1), st.sampled_from(["", " minutes", "%"]))
@no_deadline
def test_thousands_separators(number: int, suffix: str) -> None:
    with_commas = Quantity.parse(f"{number:,}{suffix}")
    assert with_commas.magnitude == number
    assert with_commas == Quantity.parse(f"{number}{suffix}")


@given(st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1))
def test_integers_parse_exactly(number: int) -> None:
    assert Quantity.parse(number) == Quantity(Decimal(number))


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e17, max_value=1e17))
def test_floats_parse_through_their_shortest_repr(number: float) -> None:
    quantity = Quantity.parse(number)
    assert quantity.magnitude == Decimal(repr(number))
    assert float(quantity.magnitude) == number


@given(st.one_of(st.just(float("nan")), st.just(float("inf")), st.just(float("-inf"))))
def test_non_finite_floats_are_refused(number: float) -> None:
    with pytest.raises(UnitError, match="finite"):
        Quantity.parse(number)


@given(st.integers(min_value=-(10**9), max_value=10**9))
@no_deadline
def test_minutes_to_hours_and_back_differs_at_most_in_the_last_kept_digit(minutes: int) -> None:
    # 7 minutes is 0.11666… hours, which no Decimal holds exactly: the round trip is exact
    # whenever the hours terminate (the test below), and otherwise is off by less than one
    # unit in the 27th significant digit of the minutes.
    hours = Quantity(Decimal(minutes), "minute").to("hours")
    back = Quantity(hours, "hour").to("minutes")
    assert abs(back - minutes) <= abs(Decimal(minutes)) * Decimal("1e-26")
    assert back.to_integral_value() == minutes


@given(st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: 3 * n))
@no_deadline
def test_minutes_to_hours_and_back_is_exact_when_the_hours_terminate(minutes: int) -> None:
    # A whole number of minutes divisible by 3 is a terminating decimal number of hours
    # (m / 60 = (m / 3) / 20), so both conversions must be exact.
    hours = Quantity(Decimal(minutes), "minute").to("hours")
    assert hours * 60 == minutes
    assert Quantity(hours, "hour").to("minutes") == minutes


@given(st.integers(min_value=-(10**9), max_value=10**9))
@no_deadline
def test_minutes_to_hours_and_back_is_within_rounding(minutes: int) -> None:
    # A weaker companion to the exact property: whatever Decimal rounding leaves is tiny.
    hours = Quantity(Decimal(minutes), "minute").to("hours")
    assert abs(hours * 60 - minutes) < Decimal("1e-15")
    back = Quantity(hours, "hour").to("minutes")
    assert abs(back - minutes) < Decimal("1e-15")


@given(st.integers(min_value=-(10**12), max_value=10**12))
@no_deadline
def test_hours_to_minutes_and_back_is_exact(hours: int) -> None:
    minutes = Quantity(Decimal(hours), "hour").to("minutes")
    assert minutes == hours * 60
    assert minutes.as_tuple().exponent == 0  # whole, so tidied
    assert Quantity(minutes, "minute").to("hours") == hours


@pytest.mark.parametrize(
    ("magnitude", "unit", "target", "expected"),
    [
        (10**30 + 1, "hour", "minutes", (10**30 + 1) * 60),
        (123456789012345678901234567890, "second", "minutes", "2057613150205761315020576131.5"),
        (10**40 + 7, "per 1000", "per 100", "1000000000000000000000000000000000000000.7"),
    ],
    ids=["hours-to-minutes", "seconds-to-minutes", "per-1000-to-per-100"],
)
def test_terminating_conversions_of_long_numbers_are_exact(
    magnitude: int, unit: str, target: str, expected: Any
) -> None:
    # Quantity.parse keeps every digit of a long number, and the result terminates, so the
    # conversion has an exact answer.
    assert Quantity(Decimal(magnitude), unit).to(target) == Decimal(expected)


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=0, max_value=7),
    st.integers(min_value=0, max_value=7),
)
@no_deadline
def test_rate_conversion_between_powers_of_ten_is_exact(number: int, a: int, b: int) -> None:
    rate = Quantity(Decimal(number), f"per {10**a}")
    converted = rate.to(f"per {10**b}")
    assert converted == Decimal(number) * Decimal(10) ** (b - a)
    assert Quantity(converted, f"per {10**b}").to(f"per {10**a}") == number


@given(st.decimals(min_value=-1000, max_value=1000, places=4))
def test_fraction_is_a_hundredth_of_the_percentage(percent: Decimal) -> None:
    assert Quantity(percent, PERCENT).fraction() * 100 == percent
    assert Quantity(percent).fraction() == percent


@given(PLAIN_DECIMALS, st.sampled_from([u for u in UNITS if u != PERCENT]))
@no_deadline
def test_converting_to_the_same_unit_is_the_identity(magnitude: Decimal, unit: str) -> None:
    assert Quantity(magnitude, unit).to(unit) == magnitude


# --- the common units, known without pint ---------------------------------------------------------


@pytest.mark.parametrize("written", sorted(units._COMMON_WRITTEN))
def test_a_common_unit_is_read_as_pint_reads_it(written: str) -> None:
    assert units._COMMON_WRITTEN[written] == str(units._registry().parse_units(written))


@pytest.mark.parametrize("unit", sorted(units._COMMON_UNITS))
def test_a_common_unit_has_pints_dimension_and_size(unit: str) -> None:
    registry = units._registry()
    size = registry.Quantity(Decimal(1), unit).to_base_units().magnitude
    assert units._COMMON_UNITS[unit] == (
        str(registry.get_dimensionality(unit)),
        Fraction(Decimal(size)),
    )


def test_a_contract_in_common_units_loads_without_pint() -> None:
    # pint and its registry cost about 0.7 s of start-up; the bundled examples need neither.
    import subprocess
    import sys

    code = (
        "import sys, contractkit\n"
        "for example in ('urgent-community-response', 'ae-four-hour', 'elective-recovery'):\n"
        "    contractkit.load(f'examples/{example}/contract.yaml')\n"
        "print('pint' in sys.modules)\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert loaded.stdout.strip() == "False"
