"""Months, financial-year quarters and financial years: parsing, arithmetic, containment.

Hand-computed cases pin the calendar facts (Q1 is April to June; March belongs to the financial
year that began the April before); Hypothesis properties check the invariants for every kind.
"""

from __future__ import annotations

import calendar
import operator
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _support import month_or_year, month_texts, quarter_texts, year_texts
from contractkit._kernel.period_text import date_order
from contractkit.errors import ContractKitError, PeriodError
from contractkit.periods import (
    FinancialYear,
    Frequency,
    Month,
    Quarter,
    add_months,
    parse_canonical,
    parse_period,
)

# --------------------------------------------------------------------------------------------
# Strategies. Years stay well inside what datetime.date can represent, so that every period's
# start, end and neighbours exist; the arithmetic strategies keep a wide margin for offsets.

ANY_YEAR = st.integers(min_value=2, max_value=9998)
MID_YEAR = st.integers(min_value=1100, max_value=8800)
OFFSET = st.integers(min_value=-1000, max_value=1000)


def months(years: st.SearchStrategy[int] = ANY_YEAR) -> st.SearchStrategy[Month]:
    return st.builds(Month, years, st.integers(min_value=1, max_value=12))


def quarters(years: st.SearchStrategy[int] = ANY_YEAR) -> st.SearchStrategy[Quarter]:
    return st.builds(Quarter, years, st.integers(min_value=1, max_value=4))


def financial_years(years: st.SearchStrategy[int] = ANY_YEAR) -> st.SearchStrategy[FinancialYear]:
    return st.builds(FinancialYear, years)


KINDS: dict[type, Callable[[st.SearchStrategy[int]], st.SearchStrategy[Any]]] = {
    Month: months,
    Quarter: quarters,
    FinancialYear: financial_years,
}

ANY_PERIOD = st.one_of(months(), quarters(), financial_years())
# Every year the four-digit text forms can write (years before 1000 are zero-padded).
TEXT_YEAR = st.integers(min_value=1, max_value=9999)
TEXT_PERIOD = st.one_of(months(TEXT_YEAR), quarters(TEXT_YEAR), financial_years(TEXT_YEAR))
MID_PERIOD = st.one_of(months(MID_YEAR), quarters(MID_YEAR), financial_years(MID_YEAR))

# Two periods of the same (randomly chosen) kind.
SAME_KIND_PAIR = st.sampled_from(list(KINDS.values())).flatmap(
    lambda strategy: st.tuples(strategy(ANY_YEAR), strategy(ANY_YEAR))
)

# Two periods of different kinds.
DIFFERENT_KIND_PAIR = st.sampled_from(
    [(a, b) for a in KINDS.values() for b in KINDS.values() if a is not b]
).flatmap(lambda pair: st.tuples(pair[0](ANY_YEAR), pair[1](ANY_YEAR)))

# Days whose month, quarter and financial year (and their neighbours) all exist as dates.
DAYS = st.dates(min_value=date(10, 1, 1), max_value=date(9990, 12, 31))

TEXT_FORMS = {Month: "2026-07", Quarter: "2026/27 Q2", FinancialYear: "2026/27"}


# ============================================================================================
# Month: hand-computed cases


def test_month_parses_its_text_form() -> None:
    month = Month.parse("2026-07")
    assert month == Month(2026, 7)
    assert (month.year, month.month) == (2026, 7)
    assert str(month) == "2026-07"
    assert repr(month) == "Month('2026-07')"


def test_month_parse_ignores_surrounding_spaces() -> None:
    assert Month.parse("  2026-07\t") == Month(2026, 7)


def test_month_text_is_zero_padded() -> None:
    assert str(Month(2026, 1)) == "2026-01"
    assert str(Month(987, 3)) == "0987-03"
    assert Month.parse("0987-03") == Month(987, 3)


def test_years_before_1000_are_zero_padded_in_every_kind() -> None:
    # Month pads its year to four digits; the financial-year forms must too, or they do not
    # parse back.
    assert str(FinancialYear(987)) == "0987/88"
    assert str(Quarter(987, 2)) == "0987/88 Q2"
    assert FinancialYear.parse(str(FinancialYear(987))) == FinancialYear(987)
    assert Quarter.parse(str(Quarter(987, 2))) == Quarter(987, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07-01", Month(2026, 7)),
        ("2026-07-31", Month(2026, 7)),
        ("2028-02-29", Month(2028, 2)),  # 2028 is a leap year
        ("2000-02-29", Month(2000, 2)),  # divisible by 400: leap
        (" 2026-12-25 ", Month(2026, 12)),
    ],
)
def test_month_parse_takes_the_month_of_a_date(text: str, expected: Month) -> None:
    assert Month.parse(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "2026-02-29", "2100-02-29", "2026-04-31"])
def test_month_parse_rejects_impossible_dates(text: str) -> None:
    with pytest.raises(PeriodError, match="is not a date") as caught:
        Month.parse(text)
    assert repr(text) in str(caught.value)
    assert caught.value.got == text


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-13-01", "2026-00-10"])
def test_month_parse_rejects_month_numbers_out_of_range(text: str) -> None:
    with pytest.raises(PeriodError, match="month must be 01 to 12") as caught:
        Month.parse(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2026-7",
        "26-07",
        "2026/07",
        "202607",
        "July 2026",
        "2026-07-1",
        "2026-07 extra",
        "2026-07-01T00:00",
        "2026/27",
        "2026/27 Q2",
    ],
)
def test_month_parse_rejects_other_text(text: str) -> None:
    with pytest.raises(PeriodError, match=re.escape("write it like '2026-07'")) as caught:
        Month.parse(text)
    assert caught.value.got == text


@pytest.mark.parametrize(
    ("kind", "text", "example"),
    [
        (Month, "２０２６-07", "a month: write it like '2026-07'"),  # fullwidth digits
        (Quarter, "٢٠٢٦/٢٧ Q2", "a quarter: write it like '2026/27 Q2'"),  # Arabic-Indic digits
        (FinancialYear, "２０２６/27", "a financial year: write it like '2026/27'"),
    ],
)
def test_parse_accepts_only_ascii_digits(kind: Any, text: str, example: str) -> None:
    # The module promises exactly one text form, and the JSON Schema pattern (\d in ECMA-262
    # means [0-9]) rejects these, so the Python side must too.
    with pytest.raises(PeriodError) as caught:
        kind.parse(text)
    assert str(caught.value) == f"{text!r} is not {example}"


@pytest.mark.parametrize("number", [0, 13, -1, 100])
def test_month_constructor_rejects_bad_month_numbers(number: int) -> None:
    with pytest.raises(PeriodError, match=f"month must be 1 to 12, got {number}"):
        Month(2026, number)


@pytest.mark.parametrize(
    ("month", "start", "end", "last_day", "days"),
    [
        (Month(2026, 7), date(2026, 7, 1), date(2026, 8, 1), date(2026, 7, 31), 31),
        (Month(2026, 4), date(2026, 4, 1), date(2026, 5, 1), date(2026, 4, 30), 30),
        (Month(2026, 2), date(2026, 2, 1), date(2026, 3, 1), date(2026, 2, 28), 28),
        (Month(2028, 2), date(2028, 2, 1), date(2028, 3, 1), date(2028, 2, 29), 29),
        (Month(2100, 2), date(2100, 2, 1), date(2100, 3, 1), date(2100, 2, 28), 28),
        (Month(2026, 12), date(2026, 12, 1), date(2027, 1, 1), date(2026, 12, 31), 31),
    ],
)
def test_month_bounds(month: Month, start: date, end: date, last_day: date, days: int) -> None:
    assert month.start == start
    assert month.end == end
    assert month.last_day == last_day
    assert month.days == days


@pytest.mark.parametrize(
    ("month", "quarter"),
    [
        (Month(2026, 4), Quarter(2026, 1)),
        (Month(2026, 5), Quarter(2026, 1)),
        (Month(2026, 6), Quarter(2026, 1)),
        (Month(2026, 7), Quarter(2026, 2)),
        (Month(2026, 8), Quarter(2026, 2)),
        (Month(2026, 9), Quarter(2026, 2)),
        (Month(2026, 10), Quarter(2026, 3)),
        (Month(2026, 11), Quarter(2026, 3)),
        (Month(2026, 12), Quarter(2026, 3)),
        (Month(2027, 1), Quarter(2026, 4)),
        (Month(2027, 2), Quarter(2026, 4)),
        (Month(2027, 3), Quarter(2026, 4)),
        (Month(2027, 4), Quarter(2027, 1)),
    ],
)
def test_month_quarter(month: Month, quarter: Quarter) -> None:
    assert month.quarter == quarter


@pytest.mark.parametrize(
    ("month", "year"),
    [
        (Month(2026, 3), FinancialYear(2025)),
        (Month(2026, 4), FinancialYear(2026)),
        (Month(2026, 12), FinancialYear(2026)),
        (Month(2027, 1), FinancialYear(2026)),
        (Month(2027, 3), FinancialYear(2026)),  # March 2027 belongs to 2026/27
        (Month(2027, 4), FinancialYear(2027)),
    ],
)
def test_month_financial_year(month: Month, year: FinancialYear) -> None:
    assert month.financial_year == year


def test_march_2027_is_in_financial_year_2026_27() -> None:
    assert str(Month.parse("2027-03").financial_year) == "2026/27"
    assert Month(2027, 3) in FinancialYear.parse("2026/27")
    assert Month(2027, 3) not in FinancialYear.parse("2027/28")


def test_month_from_date() -> None:
    assert Month.from_date(date(2026, 7, 15)) == Month(2026, 7)
    assert Month.from_date(date(2027, 3, 31)) == Month(2027, 3)


def test_month_index_is_consecutive_across_a_year_end() -> None:
    assert Month(2027, 1).index == Month(2026, 12).index + 1
    assert Month(2026, 1).index == 2026 * 12


# ============================================================================================
# Quarter: hand-computed cases


@pytest.mark.parametrize(
    "text",
    ["2026/27 Q2", "2026/27 q2", "  2026/27   Q2  ", "2026/27\tq2"],
)
def test_quarter_parse_ignores_case_and_spacing(text: str) -> None:
    quarter = Quarter.parse(text)
    assert quarter == Quarter(2026, 2)
    assert (quarter.start_year, quarter.number) == (2026, 2)
    assert str(quarter) == "2026/27 Q2"
    assert repr(quarter) == "Quarter('2026/27 Q2')"


def test_quarter_four_of_2026_27_is_january_to_march_2027() -> None:
    q4 = Quarter.parse("2026/27 Q4")
    assert q4.months == (Month(2027, 1), Month(2027, 2), Month(2027, 3))
    assert q4.start == date(2027, 1, 1)
    assert q4.end == date(2027, 4, 1)
    assert q4.last_day == date(2027, 3, 31)
    assert q4.days == 31 + 28 + 31
    assert q4.financial_year == FinancialYear(2026)


def test_quarter_one_is_april_to_june() -> None:
    q1 = Quarter(2026, 1)
    assert q1.months == (Month(2026, 4), Month(2026, 5), Month(2026, 6))
    assert q1.start == date(2026, 4, 1)
    assert q1.end == date(2026, 7, 1)
    assert q1.days == 91


@pytest.mark.parametrize(
    ("quarter", "first", "days"),
    [
        (Quarter(2026, 1), Month(2026, 4), 91),
        (Quarter(2026, 2), Month(2026, 7), 92),
        (Quarter(2026, 3), Month(2026, 10), 92),
        (Quarter(2026, 4), Month(2027, 1), 90),
        (Quarter(2027, 4), Month(2028, 1), 91),  # January to March 2028 includes 29 February
    ],
)
def test_quarter_months_and_lengths(quarter: Quarter, first: Month, days: int) -> None:
    assert quarter.months[0] == first
    assert quarter.start == first.start
    assert quarter.days == days


def test_quarter_arithmetic_crosses_financial_years() -> None:
    assert Quarter(2026, 4) + 1 == Quarter(2027, 1)
    assert Quarter(2027, 1) - 1 == Quarter(2026, 4)
    assert Quarter(2027, 1) - Quarter(2026, 1) == 4
    assert str(Quarter(2026, 4) + 1) == "2027/28 Q1"


@pytest.mark.parametrize(
    "text",
    [
        "2026/27 Q5",
        "2026/27 Q0",
        "2026/27",
        "2026/27 Q",
        "2026/27 2",
        "2026-27 Q2",
        "Q2 2026/27",
        "2026/2027 Q2",
        "26/27 Q2",
        "2026/27 Q2 extra",
        "",
    ],
)
def test_quarter_parse_rejects_other_text(text: str) -> None:
    with pytest.raises(PeriodError, match=re.escape("write it like '2026/27 Q2'")) as caught:
        Quarter.parse(text)
    assert caught.value.got == text


def test_quarter_parse_rejects_a_wrong_financial_year() -> None:
    with pytest.raises(PeriodError, match=re.escape("'2026/28 Q1' is not a financial year")) as c:
        Quarter.parse("2026/28 Q1")
    assert "'2026/27'" in str(c.value)


@pytest.mark.parametrize("number", [0, 5, -1])
def test_quarter_constructor_rejects_bad_numbers(number: int) -> None:
    with pytest.raises(PeriodError, match=f"quarter must be 1 to 4, got {number}"):
        Quarter(2026, number)


def test_quarter_from_date() -> None:
    assert Quarter.from_date(date(2026, 7, 15)) == Quarter(2026, 2)
    assert Quarter.from_date(date(2027, 3, 31)) == Quarter(2026, 4)
    assert Quarter.from_date(date(2027, 4, 1)) == Quarter(2027, 1)


# ============================================================================================
# FinancialYear: hand-computed cases


def test_financial_year_parses_its_text_form() -> None:
    year = FinancialYear.parse("2026/27")
    assert year == FinancialYear(2026)
    assert year.start_year == 2026
    assert str(year) == "2026/27"
    assert repr(year) == "FinancialYear('2026/27')"
    assert FinancialYear.parse(" 2026/27 ") == year


@pytest.mark.parametrize(
    ("start_year", "text"),
    [(2099, "2099/00"), (1999, "1999/00"), (2000, "2000/01"), (2009, "2009/10")],
)
def test_financial_year_text_across_a_century(start_year: int, text: str) -> None:
    assert str(FinancialYear(start_year)) == text
    assert FinancialYear.parse(text) == FinancialYear(start_year)
    assert str(Quarter(start_year, 3)) == f"{text} Q3"
    assert Quarter.parse(f"{text} Q3") == Quarter(start_year, 3)


def test_2026_28_is_not_a_financial_year() -> None:
    with pytest.raises(PeriodError) as caught:
        FinancialYear.parse("2026/28")
    message = str(caught.value)
    assert "'2026/28' is not a financial year" in message
    assert "'2026/27'" in message  # the helpful correction
    assert caught.value.got == "2026/28"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("text", ["2026/26", "2099/01", "1999/99", "2026/25"])
def test_financial_year_parse_rejects_a_second_year_that_does_not_follow(text: str) -> None:
    with pytest.raises(PeriodError, match="not a financial year"):
        FinancialYear.parse(text)


@pytest.mark.parametrize(
    "text", ["2026", "2026/2027", "26/27", "2026/7", "2026 / 27", "2026-27", "2026/27 Q1", ""]
)
def test_financial_year_parse_rejects_other_text(text: str) -> None:
    with pytest.raises(PeriodError, match=re.escape("write it like '2026/27'")):
        FinancialYear.parse(text)


@pytest.mark.parametrize(
    ("year", "days"),
    [(FinancialYear(2026), 365), (FinancialYear(2027), 366), (FinancialYear(2023), 366)],
)
def test_financial_year_bounds(year: FinancialYear, days: int) -> None:
    assert year.start == date(year.start_year, 4, 1)
    assert year.end == date(year.start_year + 1, 4, 1)
    assert year.last_day == date(year.start_year + 1, 3, 31)
    assert year.days == days


def test_financial_year_quarters_and_months() -> None:
    year = FinancialYear(2026)
    assert year.quarters == (Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4))
    assert year.months == (
        Month(2026, 4),
        Month(2026, 5),
        Month(2026, 6),
        Month(2026, 7),
        Month(2026, 8),
        Month(2026, 9),
        Month(2026, 10),
        Month(2026, 11),
        Month(2026, 12),
        Month(2027, 1),
        Month(2027, 2),
        Month(2027, 3),
    )


def test_financial_year_from_date() -> None:
    assert FinancialYear.from_date(date(2027, 3, 31)) == FinancialYear(2026)
    assert FinancialYear.from_date(date(2027, 4, 1)) == FinancialYear(2027)
    assert FinancialYear(2026) + 1 == FinancialYear(2027)
    assert FinancialYear(2030) - FinancialYear(2026) == 4


# ============================================================================================
# parse_period


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-07", Month(2026, 7)),
        ("2026-07-15", Month(2026, 7)),
        ("2026/27 Q3", Quarter(2026, 3)),
        ("2026/27 q3", Quarter(2026, 3)),
        ("2026/27", FinancialYear(2026)),
        (" 2026/27 ", FinancialYear(2026)),
        (date(2026, 7, 15), Month(2026, 7)),
        (datetime(2027, 3, 31, 23, 59), Month(2027, 3)),
    ],
)
def test_parse_period(value: Any, expected: Any) -> None:
    period = parse_period(value)
    assert period == expected
    assert type(period) is type(expected)


@pytest.mark.parametrize("period", [Month(2026, 7), Quarter(2026, 2), FinancialYear(2026)])
def test_parse_period_passes_periods_through(period: Any) -> None:
    assert parse_period(period) is period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026/28", "'2026/28' is not a financial year"),
        ("2026/28 Q2", "'2026/28 Q2' is not a financial year"),
        ("2026-13", "month must be 01 to 12"),
        ("2026-02-30", "is not a date"),
        ("", "is not a period"),
        ("Q2", "is not a period"),
        ("July", "is not a period: it has no year"),
        ("2026/27 Q5", "is not a quarter"),
    ],
)
def test_parse_period_rejects_bad_text(text: str, message: str) -> None:
    with pytest.raises(PeriodError, match=re.escape(message)) as caught:
        parse_period(text)
    assert caught.value.got == text


@pytest.mark.parametrize("value", [2026, 2026.5, None, ["2026-07"], b"2026-07"])
def test_parse_period_rejects_other_types(value: Any) -> None:
    with pytest.raises(PeriodError, match="expected a month") as caught:
        parse_period(value)
    assert caught.value.got is value


def test_period_error_is_a_value_error_and_a_contractkit_error() -> None:
    with pytest.raises(ValueError, match="not a month") as caught:
        Month.parse("nonsense")
    assert isinstance(caught.value, PeriodError)
    assert isinstance(caught.value, ContractKitError)


# ============================================================================================
# Arithmetic, ordering, containment and range: hand-computed cases


def test_month_arithmetic() -> None:
    assert Month(2027, 3) - Month(2026, 4) == 11
    assert Month(2026, 4) - Month(2027, 3) == -11
    assert Month(2026, 12) + 1 == Month(2027, 1)
    assert 1 + Month(2026, 12) == Month(2027, 1)
    assert Month(2027, 1) - 1 == Month(2026, 12)
    assert Month(2026, 7) + 0 == Month(2026, 7)
    assert Month(2026, 7) + 18 == Month(2028, 1)
    assert Month(2026, 7) + (-19) == Month(2024, 12)


@pytest.mark.parametrize(
    "operation",
    [
        lambda: Month(2026, 7) + True,
        lambda: Month(2026, 7) - True,
        lambda: Month(2026, 7) + 1.0,
        lambda: Month(2026, 7) - 1.0,
        lambda: Month(2026, 7) + "1",
        lambda: Month(2026, 7) + Month(2026, 8),
        lambda: Month(2026, 7) - Quarter(2026, 2),
        lambda: Quarter(2026, 2) - FinancialYear(2026),
        lambda: 5 - Month(2026, 7),
        lambda: True + Quarter(2026, 2),
    ],
)
def test_bad_arithmetic_raises_type_error(operation: Callable[[], Any]) -> None:
    with pytest.raises(TypeError, match=r"^unsupported operand type\(s\) for [+-]: "):
        operation()


@pytest.mark.parametrize(
    "compare", [operator.lt, operator.le, operator.gt, operator.ge], ids=["<", "<=", ">", ">="]
)
@pytest.mark.parametrize(
    ("left", "right"),
    [
        (Month(2026, 4), Quarter(2026, 1)),
        (Quarter(2026, 1), FinancialYear(2026)),
        (FinancialYear(2026), Month(2026, 4)),
    ],
)
def test_ordering_different_kinds_raises_type_error(
    compare: Callable[[Any, Any], bool], left: Any, right: Any
) -> None:
    def refusal(a: Any, b: Any) -> str:
        return f"not supported between instances of '{type(a).__name__}' and '{type(b).__name__}'"

    with pytest.raises(TypeError, match=refusal(left, right)):
        compare(left, right)
    with pytest.raises(TypeError, match=refusal(right, left)):
        compare(right, left)


def test_periods_of_different_kinds_are_never_equal() -> None:
    assert Month(2026, 4) != Quarter(2026, 1)
    assert Quarter(2026, 1) != FinancialYear(2026)
    assert Month(2026, 4) != "2026-04"


def test_periods_are_hashable_values() -> None:
    assert len({Month(2026, 7), Month.parse("2026-07"), Month(2026, 8)}) == 2
    assert {Quarter(2026, 2): "x"}[Quarter.parse("2026/27 q2")] == "x"


def test_containment() -> None:
    assert date(2026, 7, 15) in Month(2026, 7)
    assert date(2026, 8, 1) not in Month(2026, 7)  # half-open
    assert date(2026, 6, 30) not in Month(2026, 7)
    assert datetime(2026, 7, 31, 23, 59) in Month(2026, 7)
    assert Month(2026, 7) in Quarter(2026, 2)
    assert Month(2026, 7) in Month(2026, 7)
    assert Month(2026, 10) not in Quarter(2026, 2)
    assert Quarter(2026, 4) in FinancialYear(2026)
    assert Quarter(2027, 1) not in FinancialYear(2026)
    assert Month(2027, 2) in FinancialYear(2026)
    assert Quarter(2026, 2) not in Month(2026, 7)
    assert FinancialYear(2026) not in Quarter(2026, 1)


@pytest.mark.parametrize("item", ["2026-07", 202607, None, 7.5, (2026, 7)])
def test_containment_of_other_objects_is_false(item: object) -> None:
    assert item not in Month(2026, 7)


def test_overlaps() -> None:
    july = Month(2026, 7)
    assert july.overlaps(date(2026, 7, 31), date(2026, 8, 5))
    assert july.overlaps(date(2026, 6, 1), date(2026, 7, 2))
    assert not july.overlaps(date(2026, 8, 1), date(2026, 9, 1))  # starts at july.end
    assert not july.overlaps(date(2026, 6, 1), date(2026, 7, 1))  # ends at july.start
    assert july.overlaps(date(2026, 1, 1), date(2027, 1, 1))


def test_range() -> None:
    assert Month.range(Month(2026, 11), Month(2027, 2)) == [
        Month(2026, 11),
        Month(2026, 12),
        Month(2027, 1),
        Month(2027, 2),
    ]
    assert Month.range(Month(2026, 7), Month(2026, 7)) == [Month(2026, 7)]
    assert Month.range(Month(2026, 8), Month(2026, 7)) == []
    assert Quarter.range(Quarter(2026, 3), Quarter(2027, 2)) == [
        Quarter(2026, 3),
        Quarter(2026, 4),
        Quarter(2027, 1),
        Quarter(2027, 2),
    ]
    assert FinancialYear.range(FinancialYear(2026), FinancialYear(2028)) == [
        FinancialYear(2026),
        FinancialYear(2027),
        FinancialYear(2028),
    ]


# ============================================================================================
# add_months: hand-computed cases


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 7, 1), 3, date(2026, 10, 1)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year: clamped to the 29th
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2100, 1, 31), 1, date(2100, 2, 28)),  # 2100 is not a leap year
        (date(2000, 1, 31), 1, date(2000, 2, 29)),  # 2000 is
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 31), -3, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 2, 29), -12, date(2023, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 31), -13, date(2024, 12, 31)),
        (date(2026, 7, 14), 0, date(2026, 7, 14)),
        (date(2026, 4, 30), 1, date(2026, 5, 30)),  # no clamp: never stretched to the 31st
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# ============================================================================================
# Frequency: hand-computed cases


def test_frequency_values_and_types() -> None:
    assert [f.value for f in Frequency] == ["monthly", "quarterly", "annually"]
    assert Frequency("quarterly") is Frequency.QUARTERLY
    assert Frequency.MONTHLY.period_type is Month
    assert Frequency.QUARTERLY.period_type is Quarter
    assert Frequency.ANNUALLY.period_type is FinancialYear
    assert [f.months for f in Frequency] == [1, 3, 12]


def test_frequency_period_of() -> None:
    day = date(2027, 3, 31)
    assert Frequency.MONTHLY.period_of(day) == Month(2027, 3)
    assert Frequency.QUARTERLY.period_of(day) == Quarter(2026, 4)
    assert Frequency.ANNUALLY.period_of(day) == FinancialYear(2026)


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (Frequency.MONTHLY, FinancialYear(2026).months),
        (Frequency.QUARTERLY, FinancialYear(2026).quarters),
        (Frequency.ANNUALLY, (FinancialYear(2026),)),
    ],
)
def test_frequency_periods_between_a_whole_year(frequency: Frequency, expected: tuple) -> None:
    assert tuple(frequency.periods_between(date(2026, 4, 1), date(2027, 4, 1))) == expected


def test_frequency_periods_between_partial_periods() -> None:
    start, end = date(2026, 5, 15), date(2026, 8, 2)
    assert list(Frequency.QUARTERLY.periods_between(start, end)) == [
        Quarter(2026, 1),
        Quarter(2026, 2),
    ]
    assert list(Frequency.MONTHLY.periods_between(start, end)) == [
        Month(2026, 5),
        Month(2026, 6),
        Month(2026, 7),
        Month(2026, 8),
    ]
    assert list(Frequency.ANNUALLY.periods_between(start, end)) == [FinancialYear(2026)]
    # An end on a period's first day excludes that period (the range is half-open).
    assert list(Frequency.MONTHLY.periods_between(date(2026, 7, 1), date(2026, 8, 1))) == [
        Month(2026, 7)
    ]


def test_frequency_periods_between_an_empty_range_is_empty() -> None:
    # [start, end) with start == end contains no day, so no period shares a day with it.
    day = date(2026, 7, 15)
    got = {frequency: list(frequency.periods_between(day, day)) for frequency in Frequency}
    assert got == {frequency: [] for frequency in Frequency}


def test_frequency_periods_between_a_reversed_range_is_empty() -> None:
    start, end = date(2026, 7, 15), date(2026, 7, 10)
    got = {frequency: list(frequency.periods_between(start, end)) for frequency in Frequency}
    assert got == {frequency: [] for frequency in Frequency}


# ============================================================================================
# pydantic


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (Month, "2026-07", Month(2026, 7)),
        (Quarter, "2026/27 q2", Quarter(2026, 2)),
        (FinancialYear, "2026/27", FinancialYear(2026)),
    ],
)
def test_pydantic_validates_from_text_and_serialises_to_text(
    kind: type, text: str, expected: Any
) -> None:
    adapter = pydantic.TypeAdapter(kind)
    value = adapter.validate_python(text)
    assert value == expected
    assert type(value) is kind
    assert adapter.validate_python(expected) is expected
    assert adapter.dump_python(value, mode="json") == str(expected)
    assert adapter.dump_json(value) == f'"{expected}"'.encode()
    assert adapter.validate_json(f'"{expected}"') == expected


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        (Month, "2026-13", "'2026-13' is not a month: month must be 01 to 12"),
        (Month, 202607, "expected '2026-07', got 202607"),
        (Month, None, "expected '2026-07', got None"),
        (Month, Quarter(2026, 2), "expected '2026-07', got Quarter('2026/27 Q2')"),
        (Quarter, "2026/27 Q5", "'2026/27 Q5' is not a quarter: write it like '2026/27 Q2'"),
        (Quarter, "2026-07", "'2026-07' is not a quarter: write it like '2026/27 Q2'"),
        (FinancialYear, "2026/28", "'2026/28' is not a financial year: the year after 2026 is "),
        (FinancialYear, 2026, "expected '2026/27', got 2026"),
    ],
)
def test_pydantic_rejects_bad_values(kind: type, value: Any, reason: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=re.escape(reason)):
        pydantic.TypeAdapter(kind).validate_python(value)


def test_pydantic_model_with_period_fields() -> None:
    class Report(pydantic.BaseModel):
        month: Month
        quarter: Quarter
        year: FinancialYear

    report = Report.model_validate({"month": "2027-03", "quarter": "2026/27 Q4", "year": "2026/27"})
    assert report.month == Month(2027, 3)
    assert report.month in report.quarter
    assert report.quarter in report.year
    assert report.model_dump(mode="json") == {
        "month": "2027-03",
        "quarter": "2026/27 Q4",
        "year": "2026/27",
    }
    assert Report.model_validate_json(report.model_dump_json()) == report
    with pytest.raises(pydantic.ValidationError, match="is not a financial year"):
        Report.model_validate({"month": "2027-03", "quarter": "2026/27 Q4", "year": "2026/28"})


@pytest.mark.parametrize("kind", [Month, Quarter, FinancialYear])
def test_pydantic_json_schema_is_a_string_with_a_pattern(kind: type) -> None:
    schema = pydantic.TypeAdapter(kind).json_schema()
    assert schema["type"] == "string"
    assert re.search(schema["pattern"], TEXT_FORMS[kind])
    assert schema["examples"] == [TEXT_FORMS[kind]]


# ============================================================================================
# Properties


def _in_the_calendar(period: Month | Quarter | FinancialYear) -> bool:
    """Whether the period's first day and the day after it are both dates (from 1 January
    0001 to 31 December 9999): parse_period refuses the few periods that are not."""
    try:
        period.start, period.end  # noqa: B018 - each raises ValueError beyond the calendar
    except ValueError:
        return False
    return True


@given(months(TEXT_YEAR))
def test_month_text_round_trip(month: Month) -> None:
    text = str(month)
    assert re.fullmatch(r"\d{4}-\d{2}", text)
    assert Month.parse(text) == month
    assert parse_canonical(text) == month
    if not _in_the_calendar(month):
        with pytest.raises(PeriodError, match="not a period contractkit can hold"):
            parse_period(text)
    elif month_or_year(month.year, month.month):
        # 2011-12: December 2011, or the financial year 2011/12? parse_period will not guess.
        with pytest.raises(PeriodError, match="could be"):
            parse_period(text)
    else:
        assert parse_period(text) == month
        assert type(parse_period(text)) is Month


@given(quarters(TEXT_YEAR))
def test_quarter_text_round_trip(quarter: Quarter) -> None:
    text = str(quarter)
    assert re.fullmatch(r"\d{4}/\d{2} Q[1-4]", text)
    assert Quarter.parse(text) == quarter
    assert Quarter.parse(f"  {text.lower()} ") == quarter
    assert parse_canonical(text) == quarter
    if not _in_the_calendar(quarter):
        with pytest.raises(PeriodError, match="not a period contractkit can hold"):
            parse_period(text)
        return
    assert parse_period(text) == quarter
    assert type(parse_period(text)) is Quarter


@given(financial_years(st.integers(min_value=0, max_value=9999)))
def test_financial_year_text_round_trip(year: FinancialYear) -> None:
    text = str(year)
    assert re.fullmatch(r"\d{4}/\d{2}", text)
    assert FinancialYear.parse(text) == year
    assert parse_canonical(text) == year
    if not _in_the_calendar(year):
        with pytest.raises(PeriodError, match="not a period contractkit can hold"):
            parse_period(text)
        return
    assert parse_period(text) == year
    assert type(parse_period(text)) is FinancialYear


@given(TEXT_PERIOD)
def test_text_matches_the_json_schema_pattern_and_pydantic_round_trips(period: Any) -> None:
    adapter = pydantic.TypeAdapter(type(period))
    assert re.search(adapter.json_schema()["pattern"], str(period))
    assert adapter.validate_json(adapter.dump_json(period)) == period
    assert adapter.validate_python(adapter.dump_python(period, mode="json")) == period


@given(financial_years(TEXT_YEAR), st.integers(min_value=0, max_value=99))
def test_financial_year_rejects_every_wrong_second_year(year: FinancialYear, second: int) -> None:
    text = f"{year.start_year:04d}/{second:02d}"
    if second == (year.start_year + 1) % 100:
        assert FinancialYear.parse(text) == year
    else:
        with pytest.raises(PeriodError, match="is not a financial year"):
            FinancialYear.parse(text)


@given(SAME_KIND_PAIR)
def test_ordering_agrees_with_start_dates(pair: tuple[Any, Any]) -> None:
    a, b = pair
    assert (a < b) == (a.start < b.start)
    assert (a <= b) == (a.start <= b.start)
    assert (a > b) == (a.start > b.start)
    assert (a >= b) == (a.start >= b.start)
    assert (a == b) == (a.start == b.start)
    assert (a < b) == (a.index < b.index)
    assert a - b == a.index - b.index


@given(DIFFERENT_KIND_PAIR)
def test_ordering_across_kinds_always_raises(pair: tuple[Any, Any]) -> None:
    a, b = pair
    refusal = f"not supported between instances of '{type(a).__name__}' and '{type(b).__name__}'"
    for compare in (operator.lt, operator.le, operator.gt, operator.ge):
        with pytest.raises(TypeError, match=refusal):
            compare(a, b)
    assert a != b


@given(MID_PERIOD, OFFSET)
def test_adding_then_subtracting_periods(period: Any, n: int) -> None:
    moved = period + n
    assert type(moved) is type(period)
    assert moved - period == n
    assert moved - n == period
    assert n + period == moved
    assert period - n == period + (-n)
    assert moved.index == period.index + n
    assert (n > 0) == (moved > period)


@given(MID_PERIOD, OFFSET, OFFSET)
def test_addition_is_associative(period: Any, m: int, n: int) -> None:
    assert (period + m) + n == period + (m + n)


@given(ANY_PERIOD)
def test_consecutive_periods_tile_time(period: Any) -> None:
    after, before = period + 1, period - 1
    assert period.end == after.start
    assert before.end == period.start
    assert period.last_day == period.end - timedelta(days=1)
    assert period.days == (period.end - period.start).days
    assert period.start in period
    assert period.last_day in period
    assert period.end not in period
    assert before.last_day not in period
    assert period.start.day == 1
    assert after.index == period.index + 1


@given(months())
def test_month_shape(month: Month) -> None:
    assert month.start == date(month.year, month.month, 1)
    assert month.days in {28, 29, 30, 31}
    assert month.last_day.month == month.month


@given(quarters())
def test_quarter_shape(quarter: Quarter) -> None:
    assert quarter.days in {90, 91, 92}
    assert quarter.start.month in {4, 7, 10, 1}


@given(financial_years())
def test_financial_year_shape(year: FinancialYear) -> None:
    assert year.start == date(year.start_year, 4, 1)
    assert year.end == date(year.start_year + 1, 4, 1)
    assert year.days in {365, 366}


@given(DAYS)
def test_every_day_is_in_exactly_one_period_of_each_kind(day: date) -> None:
    for kind in (Month, Quarter, FinancialYear):
        own = kind.from_date(day)
        assert type(own) is kind
        assert day in own
        assert own.start <= day < own.end
        neighbours = [own + k for k in (-2, -1, 1, 2)]
        assert not any(day in other for other in neighbours)


@given(DAYS)
def test_conversions_agree(day: date) -> None:
    month = Month.from_date(day)
    quarter = Quarter.from_date(day)
    year = FinancialYear.from_date(day)
    assert month.quarter == quarter
    assert month.financial_year == year
    assert quarter.financial_year == year
    assert month in quarter
    assert quarter in year
    assert month in year
    assert month in quarter.months
    assert quarter in year.quarters
    assert month in year.months
    assert parse_period(day) == month
    assert parse_period(day.isoformat()) == month
    assert Frequency.MONTHLY.period_of(day) == month
    assert Frequency.QUARTERLY.period_of(day) == quarter
    assert Frequency.ANNUALLY.period_of(day) == year


@given(quarters())
def test_quarter_months_are_in_the_quarter_and_in_order(quarter: Quarter) -> None:
    first, second, third = quarter.months
    assert second == first + 1
    assert third == second + 1
    assert first < second < third
    for month in quarter.months:
        assert month in quarter
        assert month.quarter == quarter
    assert first.start == quarter.start
    assert third.end == quarter.end
    assert sum(m.days for m in quarter.months) == quarter.days
    assert (first - 1) not in quarter
    assert (third + 1) not in quarter


@given(financial_years())
def test_financial_year_quarters_and_months_tile_the_year(year: FinancialYear) -> None:
    assert len(year.quarters) == 4
    assert len(year.months) == 12
    assert [q.number for q in year.quarters] == [1, 2, 3, 4]
    assert [m.month for m in year.months] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
    assert year.quarters[0].start == year.start == year.months[0].start
    assert year.quarters[-1].end == year.end == year.months[-1].end
    assert tuple(m for q in year.quarters for m in q.months) == year.months
    for quarter in year.quarters:
        assert quarter in year
        assert quarter.financial_year == year
    for month in year.months:
        assert month in year
        assert month.financial_year == year
    assert sum(q.days for q in year.quarters) == year.days


@given(months(MID_YEAR), st.integers(min_value=-2, max_value=2))
def test_month_in_quarter_exactly_when_its_quarter(month: Month, shift: int) -> None:
    quarter = month.quarter + shift
    assert (month in quarter) == (shift == 0)
    assert (month in quarter) == (month.quarter == quarter)


@given(quarters(MID_YEAR), months(MID_YEAR), st.integers(min_value=-1, max_value=1))
def test_containment_agrees_with_conversions(quarter: Quarter, month: Month, shift: int) -> None:
    year = quarter.financial_year + shift
    assert (quarter in year) == (quarter.financial_year == year)
    assert (month in year) == (month.financial_year == year)
    assert (month in quarter) == (month.quarter == quarter)


@given(MID_PERIOD, st.integers(min_value=0, max_value=40))
def test_range_lists_consecutive_periods(first: Any, n: int) -> None:
    last = first + n
    periods = type(first).range(first, last)
    assert len(periods) == n + 1
    assert periods[0] == first
    assert periods[-1] == last
    assert all(b - a == 1 for a, b in pairwise(periods))
    assert all(a.end == b.start for a, b in pairwise(periods))
    assert type(first).range(last + 1, first) == []


ADD_MONTHS_DAYS = st.dates(min_value=date(200, 1, 1), max_value=date(9700, 12, 31))
MONTH_SHIFT = st.integers(min_value=-1200, max_value=1200)


@given(ADD_MONTHS_DAYS, MONTH_SHIFT)
def test_add_months_lands_in_the_right_month_clamping_only_when_needed(day: date, n: int) -> None:
    result = add_months(day, n)
    target = Month.from_date(day) + n
    assert Month.from_date(result) == target
    if day.day <= target.days:
        assert result.day == day.day
    else:
        assert result == target.last_day  # clamped, to the last day and no further
    assert result.day == min(day.day, target.days)


@given(ADD_MONTHS_DAYS, MONTH_SHIFT)
def test_add_months_inverse(day: date, n: int) -> None:
    back = add_months(add_months(day, n), -n)
    assert Month.from_date(back) == Month.from_date(day)
    assert back <= day
    if day.day <= 28:
        assert back == day


@given(ADD_MONTHS_DAYS, MONTH_SHIFT, MONTH_SHIFT)
def test_add_months_is_monotonic_and_composes_below_the_29th(day: date, m: int, n: int) -> None:
    assert add_months(day, 0) == day
    if m <= n:
        assert add_months(day, m) <= add_months(day, n)
    # Composing two shifts is only defined when the intermediate and final dates are in the
    # calendar too (each shift alone stays within years 100-9899, but both together may not).
    months = day.year * 12 + day.month - 1
    if day.day <= 28 and all(1 <= (months + k) // 12 <= 9999 for k in (m, m + n)):
        assert add_months(add_months(day, m), n) == add_months(day, m + n)


@given(ADD_MONTHS_DAYS, st.integers(min_value=-50, max_value=50))
def test_add_months_by_whole_years(day: date, years: int) -> None:
    result = add_months(day, 12 * years)
    assert result.year == day.year + years
    assert result.month == day.month
    if (day.month, day.day) != (2, 29):
        assert result.day == day.day


@given(st.sampled_from(list(Frequency)), DAYS)
def test_frequency_months_step_from_period_start_to_end(frequency: Frequency, day: date) -> None:
    period = frequency.period_of(day)
    assert type(period) is frequency.period_type
    assert day in period
    assert add_months(period.start, frequency.months) == period.end


@given(
    st.sampled_from(list(Frequency)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=1, max_value=800),
)
def test_periods_between_lists_exactly_the_overlapping_periods(
    frequency: Frequency, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    periods = list(frequency.periods_between(start, end))
    assert periods
    assert all(type(p) is frequency.period_type for p in periods)
    assert all(p.overlaps(start, end) for p in periods)
    assert all(b - a == 1 for a, b in pairwise(periods))
    assert start in periods[0]
    assert end - timedelta(days=1) in periods[-1]
    assert not (periods[0] - 1).overlaps(start, end)
    assert not (periods[-1] + 1).overlaps(start, end)


# ============================================================================================
# Periods as people write them: one grammar for parse_period and every table contractkit reads


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # months
        ("2026-04", Month(2026, 4)),
        ("2026-4", Month(2026, 4)),
        ("Apr-26", Month(2026, 4)),
        ("apr-26", Month(2026, 4)),
        ("APR-26", Month(2026, 4)),
        ("Apr 26", Month(2026, 4)),
        ("Apr 2026", Month(2026, 4)),
        ("April 2026", Month(2026, 4)),
        ("Apr-2026", Month(2026, 4)),
        ("Apr. 2026", Month(2026, 4)),
        ("Oct-27", Month(2027, 10)),
        ("Sept 2026", Month(2026, 9)),
        ("Sep-26", Month(2026, 9)),
        ("september 2026", Month(2026, 9)),
        ("May 2026", Month(2026, 5)),
        # a day in the month
        ("2026-04-01", Month(2026, 4)),
        ("2026-04-30", Month(2026, 4)),
        ("2026/04/01", Month(2026, 4)),
        ("01/04/2026", Month(2026, 4)),  # day first: 1 April, not 4 January
        ("1/4/2026", Month(2026, 4)),
        ("01/12/2027", Month(2027, 12)),
        ("12/01/2027", Month(2027, 1)),  # 12 January 2027
        ("30/04/2026", Month(2026, 4)),
        ("01-04-2026", Month(2026, 4)),
        ("1.4.2026", Month(2026, 4)),
        ("1-Apr-26", Month(2026, 4)),
        ("01-Apr-2026", Month(2026, 4)),
        ("1 April 2026", Month(2026, 4)),
        ("1st April 2026", Month(2026, 4)),
        ("April 1, 2026", Month(2026, 4)),
        # a date and time: the date as written, in its own zone
        ("2026-04-01 00:00:00", Month(2026, 4)),
        ("2026-04-01T09:30:00", Month(2026, 4)),
        ("2026-04-01T09:30", Month(2026, 4)),
        ("2026-04-01T09:30:00.125", Month(2026, 4)),
        ("2026-04-01T09:30:00Z", Month(2026, 4)),
        ("2026-04-01T00:30:00+01:00", Month(2026, 4)),  # 31 March in UTC: April where written
        ("2026-04-30 23:30:00-05:00", Month(2026, 4)),
        ("2026-03-31 23:30:00.000000+01:00", Month(2026, 3)),
        ("01/04/2026 00:00", Month(2026, 4)),
        ("01/04/2026 09:30:00", Month(2026, 4)),
        ("01/04/2026 9:30 pm", Month(2026, 4)),
        # a spreadsheet's date number (days since 30 December 1899)
        ("46113", Month(2026, 4)),  # 1 April 2026
        ("46142", Month(2026, 4)),  # 30 April 2026
        ("46143", Month(2026, 5)),
        ("46113.0", Month(2026, 4)),
        ("46142.99", Month(2026, 4)),  # late on 30 April
        ("4.6113e4", Month(2026, 4)),
        ("36526", Month(2000, 1)),  # the first day read: 1 January 2000
        ("73050", Month(2099, 12)),  # the last: 31 December 2099
        # quarters
        ("2026/27 Q2", Quarter(2026, 2)),
        ("Q2 2026/27", Quarter(2026, 2)),
        ("2026-27 Q2", Quarter(2026, 2)),
        ("Q2 2026-27", Quarter(2026, 2)),
        ("Q2 26/27", Quarter(2026, 2)),
        ("2026/27 q2", Quarter(2026, 2)),
        ("q2 2026/27", Quarter(2026, 2)),
        ("2026/27Q2", Quarter(2026, 2)),
        ("2026/27 - Q2", Quarter(2026, 2)),
        ("FY2026/27 Q2", Quarter(2026, 2)),
        ("Q2 FY26/27", Quarter(2026, 2)),
        ("Quarter 2 2026/27", Quarter(2026, 2)),
        ("Q3 2027/28", Quarter(2027, 3)),
        ("2011-12 Q3", Quarter(2011, 3)),  # the quarter makes 2011-12 a financial year
        # financial years
        ("2026/27", FinancialYear(2026)),
        ("FY2026/27", FinancialYear(2026)),
        ("FY 2026/27", FinancialYear(2026)),
        ("FY2026-27", FinancialYear(2026)),
        ("fy26/27", FinancialYear(2026)),
        ("2026-27", FinancialYear(2026)),
        ("2026/2027", FinancialYear(2026)),
        ("2026-2027", FinancialYear(2026)),
        ("2099-00", FinancialYear(2099)),
        ("2011/12", FinancialYear(2011)),  # the slash is the financial year's
        ("FY2011-12", FinancialYear(2011)),
        ("  2026/27 Q2  ", Quarter(2026, 2)),
    ],
)
def test_parse_period_reads_periods_as_people_write_them(text: str, expected: Any) -> None:
    period = parse_period(text)
    assert period == expected
    assert type(period) is type(expected)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("Apr-26", "2026-04"), ("Q2 26/27", "2026/27 Q2"), ("FY2026-27", "2026/27")],
)
def test_str_stays_the_one_canonical_form(text: str, canonical: str) -> None:
    assert str(parse_period(text)) == canonical


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (Month, "Apr-26"),
        (Month, "01/04/2026"),
        (Month, "46113"),
        (Quarter, "Q2 2026/27"),
        (Quarter, "2026-27 Q2"),
        (FinancialYear, "FY2026/27"),
        (FinancialYear, "2026-27"),
    ],
)
def test_each_kinds_parse_stays_a_strict_canonical_reader(kind: Any, text: str) -> None:
    with pytest.raises(PeriodError, match="write it like"):
        kind.parse(text)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "2011-12",
            [
                "'2011-12' could be December 2011 or the financial year 2011/12",
                "'Dec 2011'",
                "'2011-12-01'",
                "'2011/12' for the financial year",
            ],
        ),
        ("2000-01", ["could be January 2000 or the financial year 2000/01"]),
        (
            "2026 Q2",
            [
                "'2026 Q2' does not say which financial year",
                "Q1 is April to June",
                "'2026/27 Q2' for July to September 2026",
                "'2025/26 Q2' for July to September 2025",
            ],
        ),
        ("Q2 2026", ["'Q2 2026' does not say which financial year", "'2026/27 Q2'"]),
        ("2026Q4", ["does not say which financial year", "'2026/27 Q4' for January to March 2027"]),
        (
            "FY2026",
            [
                "'FY2026' does not say which financial year",
                "'2026/27' (April 2026 to March 2027)",
                "'2025/26' (April 2025 to March 2026)",
            ],
        ),
        (
            "2026",
            [
                "'2026' is a year alone, not a period",
                "'2026-04'",
                "'2026/27 Q1'",
                "'2026/27'",
            ],
        ),
        (
            "04/13/2026",
            [
                "'04/13/2026' is not a date: dates are read day first, as in the UK",
                "there is no month 13",
                "for 13 April 2026, write '13/04/2026' or '2026-04-13'",
            ],
        ),
        (
            "2026/28",
            ["'2026/28' is not a financial year: the year after 2026 is written 27", "'2026/27'"],
        ),
        ("2026-2028", ["is not a financial year: the year after 2026 is written 2027"]),
        ("Q1 2026/28", ["'Q1 2026/28' is not a financial year"]),
        ("31/02/2026", ["'31/02/2026' is not a date: February 2026 has 28 days"]),
        ("29/02/2027", ["February 2027 has 28 days"]),
        ("2026-04-31", ["'2026-04-31' is not a date: April 2026 has 30 days"]),
        ("00/04/2026", ["is not a date: there is no day 0"]),
        ("01/04/26", ["write the year in full, as in '01/04/2026' (or '2026-04-01')"]),
        ("2026-04-01T25:00", ["is not a date and time: 25:00 is not a time of day"]),
        ("2026-13", ["'2026-13' is not a month: month must be 01 to 12"]),
        ("2026-28", ["'2026-28' is not a month"]),
        ("2026/04", ["is not a financial year", "for April 2026, write '2026-04'"]),
        ("26/27", ["for the financial year, write '2026/27'"]),
        ("11/12", ["write '2011/12'", "for a day, write its year too"]),
        ("2026/27 Q5", ["is not a quarter: quarters are Q1 (April to June) to Q4"]),
        ("Q0 2026/27", ["is not a quarter"]),
        ("July", ["'July' is not a period: it has no year", "'Jul-26'"]),
        ("26 Apr", ["it has no year"]),
        ("202604", ["write it with dashes, as '2026-04'"]),
        ("20260401", ["write it with dashes, as '2026-04-01'"]),
        (
            "12345",
            [
                "a number is read as a spreadsheet's date (days since 30 December 1899) only for "
                "days in the years 2000 to 2099",
                "18 October 1933",
            ],
        ),
        ("36525", ["31 December 1999"]),
        ("73051", ["1 January 2100"]),
        ("2026.0", ["as a year alone it is not a period either"]),
        ("-3", ["only for days in the years 2000 to 2099"]),
        ("1e400", ["only for days in the years 2000 to 2099"]),
        # Beyond the decimal context's exponents: abs() of these overflowed (decimal.Overflow).
        ("1E1000000", ["'1E1000000' is not a period", "only for days in the years 2000 to 2099"]),
        ("-1e1000000", ["only for days in the years 2000 to 2099"]),
        ("1E999999999999999999", ["only for days in the years 2000 to 2099"]),
        ("1e-1000000", ["only for days in the years 2000 to 2099"]),
        # Periods beyond the calendar: their start or end crashed (year 0, year 10000).
        ("9999-12", ["'9999-12' is not a period", "December 9999"]),
        ("9999-12-31", ["'9999-12-31' is not a period", "December 9999"]),
        ("FY9999/00", ["December 9999"]),
        ("Q3 9999/00", ["December 9999"]),
        ("Q4 9999/00", ["December 9999"]),
        ("0000/01", ["'0000/01' is not a period contractkit can hold", "1 January 0001"]),
        ("Q1 0000/01", ["1 January 0001"]),
        ("soon", ["'soon' is not a period: write a month (2026-07, Jul-26, July 2026"]),
        ("", ["is not a period: it is empty"]),
        ("Q2", ["is not a period"]),
        ("2026/27 Q2 extra", ["is not a period"]),
        ("２０２６-07", ["is not a period"]),  # only ASCII digits
    ],
)
def test_parse_period_refuses_what_it_cannot_read_saying_what_to_write(
    text: str, fragments: list[str]
) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert caught.value.got == text.strip()
    assert repr(text.strip()) in message


def test_generic_refusal_shows_every_accepted_form() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("next month")
    assert str(caught.value) == (
        "'next month' is not a period: write a month (2026-07, Jul-26, July 2026, or a day in "
        "it such as 2026-07-01 or 01/07/2026), a quarter (2026/27 Q2, Q2 2026/27) or a "
        "financial year (2026/27, FY2026-27)"
    )


@pytest.mark.parametrize("year", range(2000, 2012))
def test_year_month_that_could_be_a_financial_year_is_refused_but_other_forms_read(
    year: int,
) -> None:
    second = (year + 1) % 100
    text = f"{year}-{second:02d}"
    with pytest.raises(PeriodError, match="could be"):
        parse_period(text)
    # The same month and the same year, written so that they cannot be confused:
    assert parse_period(f"{calendar.month_abbr[second]} {year}") == Month(year, second)
    assert parse_period(f"{text}-01") == Month(year, second)
    assert parse_period(f"{year}/{second:02d}") == FinancialYear(year)
    assert parse_period(f"FY{text}") == FinancialYear(year)
    # And contractkit's own text reads back with the strict readers.
    assert Month.parse(text) == Month(year, second)
    assert parse_canonical(text) == Month(year, second)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-12", Month(2011, 12)),
        ("2026-07", Month(2026, 7)),
        ("2011/12", FinancialYear(2011)),
        ("2026/27 Q2", Quarter(2026, 2)),
        ("2026/27 q2", Quarter(2026, 2)),
    ],
)
def test_parse_canonical_reads_only_the_one_text_form(text: str, expected: Any) -> None:
    assert parse_canonical(text) == expected


@pytest.mark.parametrize("text", ["Apr-26", "2026-04-01", "Q2 2026/27", "2026-27", "soon"])
def test_parse_canonical_refuses_other_forms(text: str) -> None:
    with pytest.raises(PeriodError, match="is not a"):
        parse_canonical(text)


def test_every_month_name_and_abbreviation() -> None:
    for number in range(1, 13):
        for name in (calendar.month_name[number], calendar.month_abbr[number]):
            assert parse_period(f"{name} 2026") == Month(2026, number)
            assert parse_period(f"{name.upper()}-26") == Month(2026, number)
            assert parse_period(f"{name.lower()} 26") == Month(2026, number)


def test_text_is_parsed_once_per_distinct_value() -> None:
    assert parse_period("Apr-26") is parse_period("Apr-26")


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("01/04/2026", "either"),
        ("1/4/2026", "either"),
        ("04/04/2026", "day_first"),  # the same either way
        ("13/04/2026", "day_first"),
        ("04/13/2026", "month_first"),
        ("4/30/2026 10:00", "month_first"),
        ("2026-04-01", None),
        ("Apr-26", None),
    ],
)
def test_date_order(text: str, order: str | None) -> None:
    assert date_order(text) == order


# --- the round trip: a period written in any accepted form parses to that period -------------

PLAUSIBLE_YEAR = st.integers(min_value=2000, max_value=2099)


@given(
    st.one_of(
        st.builds(
            lambda month, day: (month, month_texts(month, min(day, month.days))),
            months(PLAUSIBLE_YEAR),
            st.integers(min_value=1, max_value=31),
        ),
        quarters(PLAUSIBLE_YEAR).map(lambda quarter: (quarter, quarter_texts(quarter))),
        financial_years(PLAUSIBLE_YEAR).map(lambda year: (year, year_texts(year))),
    ),
    st.sampled_from([str, str.lower, str.upper, lambda t: f"  {t}\t"]),
)
def test_a_period_written_in_any_accepted_form_parses_to_that_period(
    written: tuple[Any, list[str]], case: Callable[[str], str]
) -> None:
    period, texts = written
    for text in texts:
        parsed = parse_period(case(text))
        assert parsed == period, text
        assert type(parsed) is type(period), text
        assert str(parsed) == str(period)


def _read_or_refusal(text: str) -> Any:
    """The period a text names, or the PeriodError refusing it (any other exception escapes)."""
    try:
        return parse_period(text)
    except PeriodError as error:
        return error


@given(st.text(max_size=40))
def test_any_text_is_a_period_or_a_period_error_naming_it(text: str) -> None:
    outcome = _read_or_refusal(text)
    if isinstance(outcome, PeriodError):
        assert str(outcome).startswith(repr(text.strip()))
        assert outcome.got == text.strip()
    else:
        assert type(outcome) in (Month, Quarter, FinancialYear)


@given(st.text(alphabet="0123456789/-.: QqFfYyTtZz+", max_size=24))
def test_text_like_a_period_is_a_period_or_a_period_error_naming_it(text: str) -> None:
    outcome = _read_or_refusal(text)
    if isinstance(outcome, PeriodError):
        assert str(outcome).startswith(repr(text.strip()))
    else:
        assert parse_period(str(outcome)) == outcome or "could be" in str(
            _read_or_refusal(str(outcome))
        )
