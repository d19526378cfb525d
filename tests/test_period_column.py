"""Reading a whole column of periods, and every table contractkit reads reading it alike.

The column reader is checked on each type a column can have (text, dates, dates and times with
and without a zone, integer and float spreadsheet date numbers, and types that are no periods at
all); then returns, spend, outturn, activity and outcome claims are each read with their periods
written in every accepted form, through ``evaluate``, ``reconcile``, ``assess`` and
``statement`` on the bundled examples, and must give exactly what the canonical text gives.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

import contractkit
from _support import month_texts, quarter_texts, year_texts
from contractkit._kernel import period_column as _period_column
from contractkit._kernel.period_column import read_periods, unreadable_message
from contractkit.cli import app
from contractkit.periods import (
    FinancialYear,
    Month,
    Period,
    Quarter,
    parse_canonical,
    parse_period,
)

ROOT = Path(__file__).resolve().parent.parent
UCR = ROOT / "examples" / "urgent-community-response"
BCF = ROOT / "examples" / "better-care-fund"
PLAN = ROOT / "examples" / "system-plan"
EPOCH = date(1899, 12, 30)


def index(period: Period) -> tuple[int, int]:
    """A period as the column gives it: (first month, length in months)."""
    length = {Month: 1, Quarter: 3, FinancialYear: 12}[type(period)]
    return period.start.year * 12 + period.start.month - 1, length


def read(values: list[Any], dtype: Any = None) -> list[tuple[int, int]]:
    column = read_periods(pl.Series("period", values, dtype=dtype))
    return list(zip(column.first.tolist(), column.months.tolist(), strict=True))


NONE = (-1, -1)
APRIL, MAY = index(Month(2026, 4)), index(Month(2026, 5))


# ============================================================================================
# The column reader, type by type


def test_text_in_every_form_and_what_is_not_a_period() -> None:
    values = ["Apr-26", " 2026-04 ", "01/04/2026", "46113", "Q2 2026/27", "FY2026-27", "soon", ""]
    assert read([*values, None]) == [
        APRIL,
        APRIL,
        APRIL,
        APRIL,
        index(Quarter(2026, 2)),
        index(FinancialYear(2026)),
        NONE,
        NONE,
        NONE,
    ]


def test_each_distinct_text_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def counting(text: str) -> Any:
        seen.append(text)
        return parse_period(text)

    monkeypatch.setattr(_period_column, "parse_period", counting)
    column = read_periods(pl.Series(["Apr-26", "May-26", "Apr-26", None] * 2_500))
    assert sorted(seen) == ["Apr-26", "May-26"]
    assert column.first[:4].tolist() == [APRIL[0], MAY[0], APRIL[0], -1]


def test_categorical_and_enum_columns_are_text() -> None:
    assert read(["Apr-26", "May 2026"], pl.Categorical) == [APRIL, MAY]
    assert read(["Apr-26", "May 2026"], pl.Enum(["Apr-26", "May 2026"])) == [APRIL, MAY]


def test_a_date_column_gives_each_dates_month() -> None:
    assert read([date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 31), None]) == [
        APRIL,
        APRIL,
        MAY,
        NONE,
    ]


@pytest.mark.parametrize("unit", ["ns", "us", "ms"])
def test_a_datetime_column_gives_each_dates_month(unit: Any) -> None:
    values = [datetime(2026, 4, 30, 23, 59), datetime(2026, 5, 1, 0, 0), None]
    assert read(values, pl.Datetime(unit)) == [APRIL, MAY, NONE]


def test_a_zoned_datetime_gives_the_month_of_its_date_in_its_own_zone() -> None:
    # 00:30 on 1 April in London is 23:30 on 31 March in UTC: the return is for April.
    naive = pl.Series([datetime(2026, 4, 1, 0, 30), datetime(2026, 3, 31, 23, 30)])
    london = naive.dt.replace_time_zone("Europe/London")
    assert london.dt.convert_time_zone("UTC").dt.month().to_list() == [3, 3]
    column = read_periods(london)
    assert column.first.tolist() == [APRIL[0], APRIL[0] - 1]
    utc = naive.dt.replace_time_zone("UTC")
    assert read_periods(utc).first.tolist() == [APRIL[0], APRIL[0] - 1]


def test_a_zoned_datetime_column_in_a_returns_frame_is_read_in_its_zone() -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    stamps = pl.Series([datetime(2026, 4, 1, 0, 30)]).dt.replace_time_zone("Europe/London")
    frame = pl.DataFrame(
        {
            "service": ["ucr-south"],
            "kpi": ["ucr-2h"],
            "period": stamps,
            "numerator": [338],
            "denominator": [452],
        }
    )
    evaluation = contractkit.evaluate(contract, frame, as_of=date(2026, 6, 30))
    # Read as 31 March (its date in UTC), it would be outside the term, which starts in April.
    assert evaluation.account["accepted"] == 1
    row = evaluation.row("ucr-south", "ucr-2h", "2026/27 Q1")
    assert row["numerator"] == 338


@pytest.mark.parametrize("dtype", [pl.Int64, pl.Int32, pl.UInt32, pl.Float64, pl.Float32])
def test_numbers_are_spreadsheet_date_numbers(dtype: Any) -> None:
    # 46113 is 1 April 2026 and 46142 is 30 April; 46143 is 1 May.
    assert read([46113, 46142, 46143, None], dtype) == [APRIL, APRIL, MAY, NONE]


def test_fractional_date_numbers_are_dates_and_times() -> None:
    assert read([46113.25, 46142.999, 46143.0001]) == [APRIL, APRIL, MAY]


def test_date_numbers_outside_2000_to_2099_name_no_period() -> None:
    values = [36525.9, 36526.0, 73050.99, 73051.0, 0.0, -46113.0, 2026.0, 1e300]
    assert read([*values, float("nan"), float("inf"), None]) == [
        NONE,
        index(Month(2000, 1)),
        index(Month(2099, 12)),
        *[NONE] * 8,
    ]


@given(
    st.one_of(
        st.floats(min_value=30_000, max_value=80_000),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**62), max_value=2**62).map(float),
    )
)
def test_a_number_reads_as_its_text_does(number: float) -> None:
    # The column's rule for numbers and the grammar's rule for the text of a number agree.
    from_column = read([number])[0]
    text = read_periods(pl.Series([number])).text(np.array([0]))[0]
    from_text = read([text])[0]
    assert from_column == from_text


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_an_integer_reads_as_its_text_does(number: int) -> None:
    assert read([number], pl.Int64) == read([str(number)])


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([True, False], pl.Boolean),
        ([None, None], pl.Null),
        ([[1, 2], [3]], pl.List(pl.Int64)),
        ([{"a": 1}, {"a": 2}], pl.Struct({"a": pl.Int64})),
        ([b"2026-04", b"\xff"], pl.Binary),
    ],
)
def test_columns_of_other_types_name_no_period(values: list[Any], dtype: Any) -> None:
    column = read_periods(pl.Series("period", values, dtype=dtype))
    assert column.first.tolist() == [-1, -1]
    assert column.months.tolist() == [-1, -1]


def test_a_column_of_python_objects_is_read_as_their_text() -> None:
    column = read_periods(pl.Series("period", ["Apr-26", date(2026, 5, 1), 7], dtype=pl.Object))
    assert column.first.tolist() == [APRIL[0], MAY[0], -1]


def test_the_period_as_written_for_messages() -> None:
    text = read_periods(pl.Series([" Apr-26 ", "soon", None, ""]))
    assert text.text(np.arange(4)) == ["Apr-26", "soon", None, None]
    numbers = read_periods(pl.Series([46113.0, float("nan"), None, 12.5]))
    assert numbers.text(np.array([3, 1, 2, 0])) == ["12.5", None, None, "46113.0"]
    days = read_periods(pl.Series([date(2026, 4, 1), None]))
    assert days.text(slice(0, 2)) == ["2026-04-01", None]


def test_a_constant_repeated_for_every_row() -> None:
    one = read_periods(pl.Series(["Apr-26"])).repeated(5)
    assert len(one) == 5
    assert one.first.tolist() == [APRIL[0]] * 5
    assert one.text(np.array([4])) == ["Apr-26"]
    dated = read_periods(pl.Series([date(2026, 5, 2)])).repeated(3)
    assert dated.at(slice(1, 3))[0].tolist() == [MAY[0]] * 2
    assert dated.text(np.array([2])) == ["2026-05-02"]


# --- a column written month first --------------------------------------------------------------


def test_dates_that_read_either_way_are_refused_in_a_column_written_month_first() -> None:
    values = ["04/13/2026", "04/05/2026", "13/04/2026", "04/04/2026", "Apr-26"]
    assert read(values) == [NONE, NONE, APRIL, APRIL, APRIL]
    assert unreadable_message("04/05/2026") == (
        "'04/05/2026' could be in May or in April 2026: other dates in this column read only "
        "month first (as American spreadsheets write dates), so this one is not read day "
        "first; write it as 2026-05-04 or 2026-04-05"
    )


def test_dates_are_read_day_first_in_a_column_with_none_written_month_first() -> None:
    assert read(["04/05/2026", "13/04/2026"]) == [MAY, APRIL]


# --- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kinds", "what", "message"),
    [
        (None, (Month,), "activity", "the period is empty: write a month (2026-07, Jul-26"),
        ("  ", (Month, Quarter), "spend", "the period is empty: write a month"),
        (
            "2026/27",
            (Month, Quarter),
            "spend",
            "'2026/27' is a financial year, but spend is given by month (2026-07) or by quarter "
            "(2026/27 Q2)",
        ),
        (
            "Q3 2026/27",
            (Month,),
            "activity",
            "'Q3 2026/27' is a quarter, but activity is given by month (2026-07)",
        ),
        (
            "soon",
            (Month,),
            "an outcome claim",
            "'soon' is not a period: write a month (2026-07, Jul-26, July 2026, or a day in it "
            "such as 2026-07-01 or 01/07/2026)",
        ),
        ("2011-12", (Month, Quarter), "spend", "could be December 2011 or the financial year"),
        ("46113.5e9", (Month,), "activity", "only for days in the years 2000 to 2099"),
    ],
)
def test_unreadable_message(
    written: str | None, kinds: tuple[type, ...], what: str, message: str
) -> None:
    assert message in unreadable_message(written, kinds, what)


# --- the round trip, over a column ---------------------------------------------------------------

PLAUSIBLE_YEAR = st.integers(min_value=2000, max_value=2099)
WRITTEN = st.one_of(
    st.builds(
        lambda month, day: (month, month_texts(month, min(day, month.days))),
        st.builds(Month, PLAUSIBLE_YEAR, st.integers(min_value=1, max_value=12)),
        st.integers(min_value=1, max_value=31),
    ),
    st.builds(Quarter, PLAUSIBLE_YEAR, st.integers(min_value=1, max_value=4)).map(
        lambda quarter: (quarter, quarter_texts(quarter))
    ),
    st.builds(FinancialYear, PLAUSIBLE_YEAR).map(lambda year: (year, year_texts(year))),
)


@given(st.lists(st.tuples(WRITTEN, st.integers(min_value=0)), min_size=1, max_size=20))
def test_a_column_of_periods_written_in_any_forms_reads_each_period(
    drawn: list[tuple[tuple[Period, list[str]], int]],
) -> None:
    periods = [period for (period, _), _ in drawn]
    texts = [forms[pick % len(forms)] for (_, forms), pick in drawn]
    # No date in the column reads only month first, so every date is read day first.
    assert read(texts) == [index(period) for period in periods]


# ============================================================================================
# Every table reads the same forms: evaluate, reconcile, assess and statement on the examples


def canonical(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def as_text(form: Callable[[Period], str]) -> Callable[[list[str]], pl.Series]:
    return lambda texts: pl.Series(
        "period", [form(parse_canonical(t)) for t in texts], dtype=pl.String
    )


def _abbr(period: Period) -> str:
    if isinstance(period, Month):
        return f"{calendar.month_abbr[period.month]}-{period.year % 100:02d}"
    if isinstance(period, Quarter):
        return f"Q{period.number} {period.financial_year}"
    return f"FY{period}"


def _spelt(period: Period) -> str:
    if isinstance(period, Month):
        return f"{calendar.month_name[period.month].upper()} {period.year}"
    if isinstance(period, Quarter):
        y = period.start_year
        return f"{y}-{(y + 1) % 100:02d} q{period.number}"
    return f"{period.start_year}-{period.start_year + 1}"


def _day_first(period: Period) -> str:
    if isinstance(period, Month):
        return f"1/{period.month}/{period.year}"
    if isinstance(period, Quarter):
        y = period.start_year
        return f"Q{period.number} {y % 100:02d}/{(y + 1) % 100:02d}"
    return f"FY {period}"


def _date_and_time(period: Period) -> str:
    if isinstance(period, Month):
        return f"{period.start.isoformat()}T00:30:00+01:00"
    if isinstance(period, Quarter):
        return f"FY{period.start_year}-{(period.start_year + 1) % 100:02d} Q{period.number}"
    return str(period)


def _serial_text(period: Period) -> str:
    if isinstance(period, Month):
        return str((period.start - EPOCH).days + 14)
    return str(period)


TEXT_FORMS: dict[str, Callable[[list[str]], pl.Series]] = {
    "Apr-26": as_text(_abbr),
    "APRIL 2026": as_text(_spelt),
    "1/4/2026": as_text(_day_first),
    "2026-04-01T00:30:00+01:00": as_text(_date_and_time),
    "46127 as text": as_text(_serial_text),
}


def _cells(make: Callable[[Month], Any], dtype: Any) -> Callable[[list[str]], pl.Series]:
    def column(texts: list[str]) -> pl.Series:
        months = [parse_canonical(t) for t in texts]
        assert all(isinstance(m, Month) for m in months)
        return pl.Series("period", [make(m) for m in months], dtype=dtype)  # type: ignore[arg-type]  # Months, asserted

    return column


def _zoned(texts: list[str]) -> pl.Series:
    naive = _cells(lambda m: datetime(m.year, m.month, 1, 0, 30), pl.Datetime("us"))(texts)
    return naive.dt.replace_time_zone("Europe/London")


CELL_FORMS: dict[str, Callable[[list[str]], pl.Series]] = {
    "date cells": _cells(lambda m: date(m.year, m.month, 9), pl.Date),
    "zoned date and time cells": _zoned,
    "whole date numbers": _cells(lambda m: (m.start - EPOCH).days, pl.Int64),
    "fractional date numbers": _cells(lambda m: (m.last_day - EPOCH).days + 0.75, pl.Float64),
}
"""Forms a cell can hold only for a month (a date, or a number)."""


def rewritten(table: pl.DataFrame, form: Callable[[list[str]], pl.Series]) -> pl.DataFrame:
    return table.with_columns(form(table.get_column("period").to_list()))


def months_only(table: pl.DataFrame) -> pl.DataFrame:
    return table.filter(~pl.col("period").str.contains("Q"))


@pytest.mark.parametrize("form", [*TEXT_FORMS, *CELL_FORMS])
def test_returns_read_every_form(form: str) -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    table = canonical(UCR / "returns.csv")
    if form in CELL_FORMS:
        table = months_only(table)
    writer = TEXT_FORMS.get(form) or CELL_FORMS[form]
    expected = contractkit.evaluate(contract, table)
    got = contractkit.evaluate(contract, rewritten(table, writer))
    assert got.account == expected.account
    assert got.account["rejected"] == 0
    assert_frame_equal(got.table, expected.table)


@pytest.mark.parametrize("form", [*TEXT_FORMS, *CELL_FORMS])
def test_spend_reads_every_form(form: str) -> None:
    fund = contractkit.load(BCF / "fund.yaml")
    table = canonical(BCF / "spend.csv")
    writer = TEXT_FORMS.get(form) or CELL_FORMS[form]
    expected = contractkit.reconcile(fund, table)
    got = contractkit.reconcile(fund, rewritten(table, writer))
    assert got.account == expected.account
    assert got.account["rejected"] == 0
    assert_frame_equal(got.lines, expected.lines)
    assert got.summary == expected.summary


@pytest.mark.parametrize("form", list(TEXT_FORMS))
def test_outturn_reads_every_form_of_a_quarter(form: str) -> None:
    plan = contractkit.load(PLAN / "plan.yaml")
    table = canonical(PLAN / "outturn.csv")
    expected = contractkit.assess(plan, table)
    got = contractkit.assess(plan, rewritten(table, TEXT_FORMS[form]))
    assert got.account == expected.account
    assert got.account["rejected"] == 0
    assert_frame_equal(got.organisations, expected.organisations)


@pytest.mark.parametrize("form", [*TEXT_FORMS, *CELL_FORMS])
def test_activity_and_outcome_claims_read_every_form(form: str) -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    returns = canonical(UCR / "returns.csv")
    activity, claims = canonical(UCR / "activity.csv"), canonical(UCR / "outcomes.csv")
    writer = TEXT_FORMS.get(form) or CELL_FORMS[form]
    evaluation = contractkit.evaluate(contract, returns)
    expected = contractkit.statement(contract, evaluation, activity=activity, outcomes=claims)
    got = contractkit.statement(
        contract,
        evaluation,
        activity=rewritten(activity, writer),
        outcomes=rewritten(claims, writer),
    )
    assert got.account == expected.account
    assert got.account["rejected"] == 0
    assert_frame_equal(got.lines, expected.lines)
    assert_frame_equal(got.outcomes, expected.outcomes)


def test_a_returns_file_saved_by_excel_as_csv_is_read_whole(tmp_path: Path) -> None:
    # Excel's "CSV (Comma delimited)" writes 2026-04 as Apr-26 and 2026/27 Q3 as it was.
    contract = contractkit.load(UCR / "contract.yaml")
    table = canonical(UCR / "returns.csv")
    saved = tmp_path / "returns.csv"
    months = pl.col("period").str.contains("-")
    rewritten(table.filter(months), TEXT_FORMS["Apr-26"]).vstack(table.filter(~months)).write_csv(
        saved
    )
    evaluation = contractkit.evaluate(contract, saved)
    assert evaluation.account["accepted"] == evaluation.account["read"] == table.height
    assert_frame_equal(evaluation.table, contractkit.evaluate(contract, table).table)


def test_an_excel_workbook_of_date_cells_and_date_numbers(tmp_path: Path) -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["service", "kpi", "period", "numerator", "denominator"])
    sheet.append(["ucr-south", "ucr-2h", date(2026, 4, 1), 338, 452])  # a date cell
    sheet.append(["ucr-south", "ucr-2h", datetime(2026, 5, 1, 9, 30), 351, 468])  # and time
    sheet.append(["ucr-south", "ucr-2h", 46174, 340, 455])  # 1 June 2026, as a number
    sheet.append(["ucr-south", "ucr-2h", "Jul-26", 330, 450])
    sheet.append(["ucr-south", "ucr-2h", "01/08/2026", 320, 440])
    path = tmp_path / "returns.xlsx"
    book.save(path)
    evaluation = contractkit.evaluate(contract, path)
    assert evaluation.account["accepted"] == 5
    assert evaluation.row("ucr-south", "ucr-2h", "2026/27 Q1")["numerator"] == 338 + 351 + 340


def test_a_pandas_frame_of_datetimes_is_read() -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    frame = pd.DataFrame(
        {
            "service": ["ucr-south"] * 3,
            "kpi": ["ucr-2h"] * 3,
            "period": pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-30"]).tz_localize(
                "Europe/London"
            ),
            "numerator": [338, 351, 340],
            "denominator": [452, 468, 455],
        }
    )
    evaluation = contractkit.evaluate(contract, frame)
    assert evaluation.account["accepted"] == 3
    assert evaluation.row("ucr-south", "ucr-2h", "2026/27 Q1")["numerator"] == 338 + 351 + 340


# --- what each table refuses, and says --------------------------------------------------------


def test_returns_refuse_what_could_be_read_two_ways_saying_both() -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    frame = pl.DataFrame(
        {
            "service": ["ucr-south"] * 5,
            "kpi": ["ucr-2h"] * 5,
            "period": ["2026 Q2", "04/13/2026", "04/05/2026", "31/02/2026", None],
            "numerator": [1, 2, 3, 4, 5],
            "denominator": [10] * 5,
        }
    )
    evaluation = contractkit.evaluate(contract, frame)
    assert evaluation.account["rejected_by_reason"] == {"unreadable_period": 5}
    messages = evaluation.rejected.get_column("message").to_list()
    assert messages[0].startswith("'2026 Q2' does not say which financial year")
    assert messages[1].startswith("'04/13/2026' is not a date: dates are read day first")
    assert messages[2].startswith("'04/05/2026' could be in May or in April 2026")
    assert messages[3] == "'31/02/2026' is not a date: February 2026 has 28 days"
    assert messages[4].startswith("the period is empty: write a month")


def test_spend_refuses_a_financial_year_and_says_what_it_is_given_by() -> None:
    fund = contractkit.load(BCF / "fund.yaml")
    table = canonical(BCF / "spend.csv")
    table = table.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("FY2026/27"))
        .when(pl.int_range(pl.len()) == 1)
        .then(pl.lit("2026"))
        .otherwise(pl.col("period"))
        .alias("period")
    )
    result = contractkit.reconcile(fund, table)
    assert result.account["rejected_by_reason"]["unreadable_period"] == 2
    messages = result.rejected.filter(pl.col("reason") == "unreadable_period")["message"]
    assert messages.to_list() == [
        "'FY2026/27' is a financial year, but spend is given by month (2026-07) or by quarter "
        "(2026/27 Q2)",
        "'2026' is a year alone, not a period: write a month ('2026-04'), a quarter "
        "('2026/27 Q1') or a financial year ('2026/27', April 2026 to March 2027)",
    ]


def test_outturn_refuses_a_quarter_of_a_calendar_year() -> None:
    plan = contractkit.load(PLAN / "plan.yaml")
    table = canonical(PLAN / "outturn.csv").with_columns(
        pl.col("period").str.replace(r"^2026/27 Q1$", "Q1 2026")
    )
    result = contractkit.assess(plan, table)
    rejected = result.rejected.filter(pl.col("reason") == "unreadable_period")
    assert rejected.height == 4
    assert rejected["message"][0].startswith(
        "'Q1 2026' does not say which financial year: quarters are of the financial year"
    )


def test_activity_and_claims_refuse_a_quarter_saying_they_are_given_by_month() -> None:
    contract = contractkit.load(UCR / "contract.yaml")
    activity = canonical(UCR / "activity.csv")
    claims = canonical(UCR / "outcomes.csv")
    first = pl.int_range(pl.len()) == 0
    got = contractkit.statement(
        contract,
        contractkit.evaluate(contract, UCR / "returns.csv"),
        activity=activity.with_columns(
            pl.when(first).then(pl.lit("2026/27 Q2")).otherwise("period").alias("period")
        ),
        outcomes=claims.with_columns(
            pl.when(first).then(pl.lit("Jan")).otherwise("period").alias("period")
        ),
    )
    rejected = got.rejected.filter(pl.col("reason") == "unreadable_period")
    assert sorted(rejected["message"].to_list()) == [
        "'2026/27 Q2' is a quarter, but activity is given by month (2026-07)",
        "'Jan' is not a period: it has no year; write it like 'Jan-26' or 'January 2026'",
    ]


def test_a_contract_of_2009_to_2012_reads_its_own_months_and_refuses_ambiguous_returns(
    tmp_path: Path,
) -> None:
    # Months such as 2009-10 could be October 2009 or the financial year 2009/10: a return
    # written so is refused, while the evaluation's own text (canonical) reads back.
    text = (UCR / "contract.yaml").read_text(encoding="utf-8")
    for year in range(2035, 2014, -1):
        text = text.replace(str(year), str(year - 17))
    contract = contractkit.load(text)
    frame = pl.DataFrame(
        {
            "service": ["ucr-south"] * 5,
            "kpi": ["ucr-2h"] * 3 + ["never-events"] * 2,
            "period": ["2009-04", "May 2009", "2009-06-01", "2009-10", "Oct 2009"],
            "numerator": [338, 351, 340, 1, 0],
            "denominator": [452, 468, 455, None, None],
        }
    )
    evaluation = contractkit.evaluate(contract, frame)
    assert evaluation.account["rejected_by_reason"] == {"unreadable_period": 1}
    assert evaluation.rejected["message"][0].startswith(
        "'2009-10' could be October 2009 or the financial year 2009/10"
    )
    assert "2009-10" in evaluation.table.get_column("period").to_list()
    assert evaluation.row("ucr-south", "never-events", "Oct 2009")["numerator"] == 0
    assert evaluation.row("ucr-south", "ucr-2h", "2009/10 Q1")["numerator"] == 338 + 351 + 340


# --- the command line's --period reads the same grammar ------------------------------------------


@pytest.mark.parametrize("period", ["2026/27 Q3", "Q3 2026/27", "2026-27 Q3", "Q3 26/27"])
def test_the_command_lines_period_reads_any_form(period: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "statement",
            str(UCR / "contract.yaml"),
            str(UCR / "returns.csv"),
            "--activity",
            str(UCR / "activity.csv"),
            "--outcomes",
            str(UCR / "outcomes.csv"),
            "--period",
            period,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["period"] == "2026/27 Q3"


def test_the_command_line_refuses_a_period_that_could_be_read_two_ways() -> None:
    result = CliRunner().invoke(
        app,
        ["evaluate", str(UCR / "contract.yaml"), str(UCR / "returns.csv"), "--period", "Q3 2026"],
    )
    assert result.exit_code == 2
    assert "'Q3 2026' does not say which financial year" in result.stderr
    assert "Traceback" not in result.output
