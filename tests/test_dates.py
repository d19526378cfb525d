"""Dates in a contract: written year-month-day, and a date written another way refused with the
same date written that way."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import contractkit as ck
from contractkit.model._dates import LATEST, advice, looks_like_a_date, meant, read_day

DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("01/04/2026", "'01/04/2026' is not a date: write dates as year-month-day, 2026-04-01"),
        ("1/4/2026", "'1/4/2026' is not a date: write dates as year-month-day, 2026-04-01"),
        ("01.04.2026", "'01.04.2026' is not a date: write dates as year-month-day, 2026-04-01"),
        ("01/04/26", "'01/04/26' is not a date: write dates as year-month-day, 2026-04-01"),
        ("2026-4-1", "'2026-4-1' is not a date: write dates as year-month-day, 2026-04-01"),
        ("2026/04/01", "'2026/04/01' is not a date: write dates as year-month-day, 2026-04-01"),
        ("20260401", "'20260401' is not a date: write dates as year-month-day, 2026-04-01"),
        ("1 April 2026", "'1 April 2026' is not a date: write dates as year-month-day, 2026-04-01"),
        ("1st Apr 2026", "'1st Apr 2026' is not a date: write dates as year-month-day, 2026-04-01"),
        ("01-Apr-26", "'01-Apr-26' is not a date: write dates as year-month-day, 2026-04-01"),
        (
            "April 1, 2026",
            "'April 1, 2026' is not a date: write dates as year-month-day, 2026-04-01",
        ),
        # read day first, unless only month first is a real day
        ("04/13/2026", "'04/13/2026' is not a date: write dates as year-month-day, 2026-04-13"),
        (
            "2026-04-01T09:30:00",
            "'2026-04-01T09:30:00' is a date and a time: write the date alone, 2026-04-01",
        ),
        (
            "2026-04-01 00:00",
            "'2026-04-01 00:00' is a date and a time: write the date alone, 2026-04-01",
        ),
        ("2026-02-30", "'2026-02-30' is not a date: February 2026 has 28 days"),
        ("2026-13-01", "'2026-13-01' is not a date: there is no month 13"),
        (
            "31/02/2026",
            "'31/02/2026' is not a date: write dates as year-month-day, such as 2026-04-01",
        ),
        (
            "next April",
            "'next April' is not a date: write dates as year-month-day, such as 2026-04-01",
        ),
    ],
)
def test_a_date_written_another_way_is_refused_with_the_fix(written: str, message: str) -> None:
    with pytest.raises(ValueError, match=r"is not a date|is a date and a time") as caught:
        read_day(written)
    assert str(caught.value) == message
    assert advice(written) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            datetime(2026, 4, 1, 9, 30),
            "2026-04-01 09:30:00 is a date and a time: give the date alone, 2026-04-01",
        ),
        (datetime(2026, 4, 1), "2026-04-01 00:00:00 is a date and a time: give the date alone"),
        (1775001600, "expected a date, written year-month-day (2026-04-01); got 1775001600"),
        (20260401, "20260401 is not a date: write dates as year-month-day, 2026-04-01"),
        (Decimal("2026.04"), "got 2026.04"),
        pytest.param(10**5000, "got a number far beyond any date", id="huge"),
        (True, "got a bool"),
        (None, "got nothing"),
        ([2026, 4, 1], "got a list"),
        (
            date(9999, 12, 31),
            "9999-12-31 is outside the dates contractkit works with (1 January 1900 to "
            "31 December 2999): check the year",
        ),
        (date(1899, 12, 31), "1899-12-31 is outside the dates contractkit works with"),
        ("0001-01-01", "0001-01-01 is outside the dates"),
    ],
)
def test_anything_but_a_date_is_refused_saying_what_to_give(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        read_day(value)


def test_dates_are_read_as_they_are() -> None:
    assert read_day(date(2026, 4, 1)) == date(2026, 4, 1)
    assert read_day("2026-04-01") == date(2026, 4, 1)
    assert read_day(LATEST) == LATEST


@given(DAYS)
def test_every_uk_and_spelt_out_form_suggests_the_same_date(day: date) -> None:
    forms = [
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.year}-{day.month}-{day.day}",
        f"{day.day} {day:%B} {day.year}",
        f"{day.day} {day:%b} {day.year}",
        f"{day.isoformat()}T12:00:00",
    ]
    for form in forms:
        assert looks_like_a_date(form)
        assert meant(form) == day
        assert day.isoformat() in advice(form)


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_refused_with_a_message(text: str) -> None:
    try:
        day = read_day(text)
    except ValueError as error:
        message = str(error)
    else:
        assert day.isoformat() == text.strip()
        return
    assert "date" in message
    assert len(message) < 200


def test_a_term_in_python_takes_dates_only() -> None:
    with pytest.raises(ck.SpecError) as caught:
        ck.Term(start=datetime(2026, 4, 1, 9, 0), end="31/03/2029")  # type: ignore[arg-type]
    found = {p.path: p.message for p in caught.value.problems}
    assert found == {
        "start": "2026-04-01 09:00:00 is a date and a time: give the date alone, 2026-04-01",
        "end": "'31/03/2029' is not a date: write dates as year-month-day, 2029-03-31",
    }


def test_a_dated_threshold_from_python_takes_dates_in_range() -> None:
    with pytest.raises(ck.SpecError, match="9999-12-31 is outside the dates"):
        ck.Dated(values=((date(9999, 12, 31), ck.Quantity.parse("12")),))
