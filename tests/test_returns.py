"""Returns: every input row accepted, rejected with a reason, or excluded — and counted.

Through the public API only: ``contractkit.evaluate(...).rejected`` and ``.account``, with
small contracts and returns built here. The rules are docs/evaluating.md's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contractkit
import contractkit.payments
import contractkit.pooled_funds
import contractkit.system_plans
from _support import CONTRACT, FIELDS, GOOD, assert_accounted, row_of, text_frame
from contractkit import Contract, Evaluation, ReturnsError
from contractkit.evaluation._plan import compile_plan
from contractkit.model import PooledFund, SystemPlan
from contractkit.returns import REASONS, read_returns
from contractkit.stats import blockwise

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def example_fund() -> PooledFund:
    fund = contractkit.load(EXAMPLES / "better-care-fund" / "fund.yaml")
    assert isinstance(fund, PooledFund)
    return fund


# --- the contract ------------------------------------------------------------------------------


# --- one reason at a time ----------------------------------------------------------------------

REASON_CASES = [
    # (the bad row, its reason, fragments its message must hold)
    ({**GOOD, "kpi": "ucr-2hr"}, "unknown_kpi", ["'ucr-2hr'", "did you mean 'ucr-2h'"]),
    (
        {**GOOD, "service": "ucr-nort"},
        "unknown_service",
        ["'ucr-nort'", "did you mean 'ucr-north'"],
    ),
    (
        {**GOOD, "service": None, "provider": "RQXX"},
        "unknown_provider",
        ["'RQXX'", "did you mean 'RQX'"],
    ),
    ({**GOOD, "service": None, "provider": "RQX"}, "ambiguous_provider", ["RQX", "ucr-2h"]),
    ({**GOOD, "service": None}, "no_service", ["service"]),
    ({**GOOD, "service": None, "provider": "NQT10"}, "provider_without_kpi", ["NQT10", "ucr-2h"]),
    ({**GOOD, "service": "falls-east"}, "service_without_kpi", ["falls-east", "ucr-2h"]),
    ({**GOOD, "period": "2029-04"}, "outside_term", ["2029-04"]),
    ({**GOOD, "period": "2026-03"}, "outside_term", ["2026-03"]),
    (
        {**GOOD, "service": "ucr-north", "period": "2026-06"},
        "before_commencement",
        ["2026-06", "commenced"],
    ),
    ({**GOOD, "period": "2026/27 Q2"}, "wrong_period_kind", ["2026/27 Q2", "monthly"]),
    (
        {
            "service": "falls-east",
            "kpi": "falls-admissions",
            "period": "2026-10",
            "numerator": "1",
            "denominator": "900",
        },
        "wrong_period_kind",
        ["2026-10", "quarterly"],
    ),
    ({**GOOD, "period": "July"}, "unreadable_period", ["'July'"]),
    ({**GOOD, "period": "2026-13"}, "unreadable_period", ["'2026-13'"]),
    ({**GOOD, "period": "2026/28 Q1"}, "unreadable_period", ["'2026/28 Q1'"]),
    # The value checks name the field and the value at fault, and say why it is wrong.
    (
        {**GOOD, "denominator": None},
        "missing_field",
        ["denominator is empty: a proportion needs a numerator and a denominator"],
    ),
    (
        {
            "service": "ucr-south",
            "kpi": "first-contact",
            "period": "2026-04",
            "value": "80",
            "count": "12",
        },
        "missing_field",
        ["sd is empty: a mean of 12 cases needs its standard deviation"],
    ),
    (
        {"service": "ucr-south", "kpi": "never-events", "period": "2026-04"},
        "missing_field",
        ["numerator is empty: a count needs its numerator"],
    ),
    (
        {**GOOD, "numerator": "three hundred"},
        "not_a_number",
        ["numerator 'three hundred' is not a number"],
    ),
    ({**GOOD, "denominator": "20 cases"}, "not_a_number", ["denominator '20 cases' is not"]),
    (
        {**GOOD, "numerator": "74,5"},
        "not_a_number",
        ["numerator '74,5' has a decimal comma: write 74.5"],
    ),
    (
        {**GOOD, "numerator": "3,3,3", "denominator": "2,0"},
        "not_a_number",
        ["numerator '3,3,3' is not a number: a comma", "denominator '2,0' has a decimal comma"],
    ),
    ({**GOOD, "numerator": "inf"}, "not_finite", ["numerator 'inf' is not a finite number"]),
    ({**GOOD, "denominator": "NaN"}, "not_finite", ["denominator 'NaN' is not a finite"]),
    (
        {**GOOD, "numerator": "1e20", "denominator": "1e21"},
        "too_large",
        ["numerator '1e20' is too large", "denominator '1e21' is too large", "10^15"],
    ),
    (
        {**GOOD, "denominator": "-3"},
        "negative",
        ["denominator -3 is negative: a count of cases cannot be"],
    ),
    (
        {
            "service": "ucr-south",
            "kpi": "first-contact",
            "period": "2026-04",
            "value": "80",
            "count": "10",
            "sd": "-2",
        },
        "negative",
        ["sd -2 is negative: a standard deviation cannot be"],
    ),
    (
        {**GOOD, "numerator": "2.5"},
        "not_whole",
        ["numerator 2.5 is not a whole number of cases"],
    ),
    (
        {
            "service": "ucr-south",
            "kpi": "first-contact",
            "period": "2026-04",
            "value": "80",
            "count": "2.5",
            "sd": "3",
        },
        "not_whole",
        ["count 2.5 is not a whole number of cases"],
    ),
    (
        {**GOOD, "numerator": "21", "denominator": "20"},
        "numerator_above_denominator",
        ["numerator 21 is more than denominator 20"],
    ),
]


@pytest.mark.parametrize(
    ("bad", "reason", "fragments"),
    REASON_CASES,
    ids=[f"{case[1]}-{i}" for i, case in enumerate(REASON_CASES)],
)
def test_each_reason(bad: dict[str, Any], reason: str, fragments: list[str]) -> None:
    good = {**GOOD, "period": "2026-05"}  # a different month: never a duplicate of the bad row
    evaluation = contractkit.evaluate(CONTRACT, text_frame(good, bad))
    assert_accounted(evaluation, 2)
    assert evaluation.account["accepted"] == 1
    assert evaluation.account["rejected_by_reason"] == {reason: 1}
    rejected = evaluation.rejected.row(0, named=True)
    assert rejected["row"] == 1  # the position in the frame, from 0
    assert rejected["reason"] == reason
    for fragment in fragments:
        assert fragment in rejected["message"], rejected["message"]
    # The rejected row keeps its original cells.
    for field in ("service", "provider", "kpi", "period"):
        assert rejected[field] == bad.get(field)


def test_every_reason_is_described() -> None:
    assert all(isinstance(text, str) and text for text in REASONS.values())
    covered = {case[1] for case in REASON_CASES} | {"duplicate", "after_service_ended"}
    assert covered == set(REASONS)


def test_duplicates_are_all_rejected() -> None:
    data = text_frame(
        GOOD,
        {**GOOD, "period": "2026-05"},
        {**GOOD, "numerator": "15"},  # the same service, KPI and period as row 0
    )
    evaluation = contractkit.evaluate(CONTRACT, data, as_of=dt.date(2026, 6, 30))
    assert_accounted(evaluation, 3)
    rejected = evaluation.rejected.filter(pl.col("reason") == "duplicate")
    # Neither is picked silently: both are rejected, each message naming both rows.
    assert rejected.get_column("row").to_list() == [0, 2]
    for message in rejected.get_column("message"):
        assert "0, 2" in message
        assert "ucr-south" in message
    # Only May's return is left for ucr-south in Q1.
    row = row_of(evaluation, "ucr-south", "ucr-2h", "2026/27 Q1")
    assert (row["numerator"], row["denominator"], row["returns_made"]) == (14, 20, 1)


def test_the_same_month_written_two_ways_is_a_duplicate() -> None:
    data = text_frame(GOOD, {**GOOD, "period": "2026-04-01"}, {**GOOD, "period": "2026-05"})
    evaluation = contractkit.evaluate(CONTRACT, data)
    assert evaluation.account["rejected_by_reason"] == {"duplicate": 2}
    assert evaluation.rejected.get_column("row").to_list() == [0, 1]


def test_a_financial_year_for_a_monthly_kpi() -> None:
    evaluation = contractkit.evaluate(CONTRACT, text_frame({**GOOD, "period": "2026/27"}))
    assert evaluation.account["rejected_by_reason"] == {"wrong_period_kind": 1}
    assert "financial year" in evaluation.rejected.get_column("message")[0]


def test_a_service_and_its_unique_provider_are_the_same_series() -> None:
    # The same month once by service and once by provider: a duplicate, both rejected.
    data = text_frame(
        {**GOOD, "service": "ucr-north", "period": "2026-07"},
        {**GOOD, "service": None, "provider": "NLO01", "period": "2026-07"},
        {**GOOD, "period": "2026-07"},
    )
    evaluation = contractkit.evaluate(CONTRACT, data)
    assert evaluation.account["rejected_by_reason"] == {"duplicate": 2}
    assert evaluation.rejected.get_column("row").to_list() == [0, 1]


def test_after_as_of() -> None:
    data = text_frame(GOOD, {**GOOD, "period": "2026-05"}, {**GOOD, "period": "2026-06"})
    evaluation = contractkit.evaluate(CONTRACT, data, as_of=dt.date(2026, 5, 20))
    assert_accounted(evaluation, 3)
    # A return for a period after the evaluation date is not wrong, only not yet wanted.
    assert evaluation.account["rejected_by_reason"] == {}
    assert evaluation.account["excluded_by_reason"] == {"after_as_of": 1}
    assert evaluation.account["accepted"] == 2


def test_after_service_ended() -> None:
    contract = contractkit.load(
        {
            **CONTRACT.model_dump(),
            "services": [
                {**s.model_dump(), "ends": dt.date(2026, 5, 31)}
                if s.id == GOOD["service"]
                else s.model_dump()
                for s in CONTRACT.services
            ],
        }
    )
    data = text_frame(GOOD, {**GOOD, "period": "2026-05"}, {**GOOD, "period": "2026-06"})
    evaluation = contractkit.evaluate(contract, data)
    assert_accounted(evaluation, 3)
    assert evaluation.account["rejected_by_reason"] == {"after_service_ended": 1}
    assert "2026-06 starts after the service ended" in evaluation.rejected["message"][0]


def test_a_unique_provider_stands_for_its_service() -> None:
    data = text_frame(
        # NLO01 has one service held to ucr-2h (ucr-north); RQX one held to first-contact.
        *(
            {**GOOD, "service": None, "provider": "NLO01", "period": m}
            for m in ("2026-07", "2026-08", "2026-09")
        ),
        {
            "provider": "RQX",
            "kpi": "first-contact",
            "period": "2026-07",
            "value": "95",
            "count": "25",
            "sd": "10",
        },
    )
    evaluation = contractkit.evaluate(CONTRACT, data)
    assert_accounted(evaluation, 4)
    assert evaluation.account["accepted"] == 4
    north = row_of(evaluation, "ucr-north", "ucr-2h", "2026/27 Q2")
    assert (north["numerator"], north["denominator"], north["provider"]) == (42, 60, "NLO01")
    south = row_of(evaluation, "ucr-south", "first-contact", "2026-07")
    assert (south["value"], south["count"]) == (95, 25)


def test_spaces_and_thousands_separators() -> None:
    data = text_frame(
        {
            "service": " ucr-south ",
            "kpi": "ucr-2h ",
            "period": " 2026-04",
            "numerator": "1,250",
            "denominator": " 2,000 ",
        }
    )
    evaluation = contractkit.evaluate(CONTRACT, data, as_of=dt.date(2026, 6, 30))
    assert evaluation.account["accepted"] == 1
    row = row_of(evaluation, "ucr-south", "ucr-2h", "2026/27 Q1")
    assert (row["numerator"], row["denominator"]) == (1250, 2000)


def test_a_rate_exposure_need_not_be_whole() -> None:
    data = text_frame(
        {
            "service": "falls-east",
            "kpi": "falls-admissions",
            "period": "2026/27 Q3",
            "numerator": "3",
            "denominator": "812.5",
        },
        {
            "service": "falls-befriending",
            "kpi": "falls-admissions",
            "period": "2026/27 Q3",
            "numerator": "2.5",
            "denominator": "800",
        },
    )
    evaluation = contractkit.evaluate(CONTRACT, data)
    assert evaluation.account["rejected_by_reason"] == {"not_whole": 1}
    assert evaluation.rejected.get_column("row").to_list() == [1]
    row = row_of(evaluation, "falls-east", "falls-admissions", "2026/27 Q3")
    assert row["observed"] == pytest.approx(3 * 1000 / 812.5)


# --- periods -----------------------------------------------------------------------------------


def test_periods_as_dates_months_and_quarters() -> None:
    data = text_frame(
        {**GOOD, "period": "2026-04-01"},
        {**GOOD, "period": "2026-05-17"},  # any day: the month it falls in
        {**GOOD, "period": "2026-06"},
        {
            "service": "falls-east",
            "kpi": "falls-admissions",
            "period": "2026/27 Q3",
            "numerator": "6",
            "denominator": "1000",
        },
    )
    evaluation = contractkit.evaluate(CONTRACT, data)
    assert evaluation.account["accepted"] == 4
    q1 = row_of(evaluation, "ucr-south", "ucr-2h", "2026/27 Q1")
    assert (q1["numerator"], q1["denominator"], q1["returns_made"]) == (42, 60, 3)
    falls = row_of(evaluation, "falls-east", "falls-admissions", "2026/27 Q3")
    assert falls["observed"] == 6.0


def test_a_date_column_in_a_frame() -> None:
    data = pl.DataFrame(
        {
            "service": ["ucr-south"] * 3,
            "kpi": ["ucr-2h"] * 3,
            "period": [dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 30)],
            "numerator": [14, 14, 14],
            "denominator": [20, 20, 20],
        }
    )
    evaluation = contractkit.evaluate(CONTRACT, data)
    assert evaluation.account["accepted"] == 3
    as_text = contractkit.evaluate(
        CONTRACT, text_frame(*({**GOOD, "period": m} for m in ("2026-04", "2026-05", "2026-06")))
    )
    assert evaluation.to_csv() == as_text.to_csv()


# --- mapping columns and filtering rows -------------------------------------------------------

EXTRACT = pl.DataFrame(
    {
        "org_code": ["RQX", "RQX", "RQX", "RQX", "NLO01", "NLO01"],
        "month_start": [
            "2026-04-01",
            "2026-05-01",
            "2026-06-01",
            "2026-06-01",
            "2026-07-01",
            "2026-08-01",
        ],
        "metric": ["UCR", "UCR", "UCR", "Falls", "UCR", "UCR"],
        "within_2h": ["338", "351", "322", "14", "9", "10"],
        "after 2h": ["114", "117", "119", "0", "6", "5"],
        "type": ["1", "1", "1", "1", "1", "2"],
    }
)
EXTRACT_FIELDS = {
    "provider": "org_code",
    "period": "month_start",
    "kpi": "'ucr-2h'",
    "numerator": "within_2h",
    "denominator": "within_2h + `after 2h`",
}
"""The returns' fields, each from the extract's columns (two by arithmetic or a constant)."""


def test_column_mapping_with_arithmetic_and_constants() -> None:
    evaluation = contractkit.evaluate(
        CONTRACT,
        EXTRACT.filter(pl.col("org_code") == "NLO01"),
        columns=EXTRACT_FIELDS,
    )
    assert_accounted(evaluation, 2)
    assert evaluation.account["accepted"] == 2
    # Through Q2 (data to August: Q2 is not complete, so judged to Q1 only, where ucr-north
    # had not commenced).
    assert row_of(evaluation, "ucr-north", "ucr-2h", "2026/27 Q1")["status"] == "not_due"
    later = contractkit.evaluate(
        CONTRACT,
        EXTRACT.filter(pl.col("org_code") == "NLO01"),
        columns=EXTRACT_FIELDS,
        as_of=dt.date(2026, 9, 30),
    )
    # 9 + 10 = 19 of (9 + 6) + (10 + 5) = 30.
    row = row_of(later, "ucr-north", "ucr-2h", "2026/27 Q2")
    assert (row["numerator"], row["denominator"], row["returns_made"]) == (19, 30, 2)


def test_column_mapping_either_way_round() -> None:
    # evaluate()'s docstring maps the file's columns onto the fields ({"org_code": "provider",
    # "attendances - breaches": "numerator"}); docs/evaluating.md maps each field to its
    # source. parse_mapping takes the side that names a field as the field: both must work.
    extract = EXTRACT.filter(pl.col("org_code") == "NLO01")
    by_field = contractkit.evaluate(
        CONTRACT,
        extract,
        columns=EXTRACT_FIELDS,
        as_of=dt.date(2026, 9, 30),
    )
    by_column = contractkit.evaluate(
        CONTRACT,
        extract,
        columns={
            "org_code": "provider",
            "month_start": "period",
            "'ucr-2h'": "kpi",
            "within_2h": "numerator",
            "within_2h + `after 2h`": "denominator",
        },
        as_of=dt.date(2026, 9, 30),
    )
    assert by_column.to_csv() == by_field.to_csv()
    assert by_column.account == by_field.account


def test_where_excludes_and_counts() -> None:
    columns = EXTRACT_FIELDS
    extract = EXTRACT.filter(pl.col("org_code") == "RQX")
    # Without the filter RQX's rows are ambiguous (two services held to ucr-2h): map the
    # service as a constant instead, and keep only the UCR rows.
    evaluation = contractkit.evaluate(
        CONTRACT,
        extract,
        columns={**{k: v for k, v in columns.items() if k != "provider"}, "service": "'ucr-south'"},
        where="metric = 'UCR'",
    )
    assert_accounted(evaluation, 4)
    assert evaluation.account["excluded"] == 1
    assert evaluation.account["accepted"] == 3
    assert evaluation.account["rejected"] == 0
    # 338 + 351 + 322 = 1011 of 1011 + 114 + 117 + 119 = 1361.
    row = row_of(evaluation, "ucr-south", "ucr-2h", "2026/27 Q1")
    assert (row["numerator"], row["denominator"]) == (1011, 1361)
    # Conditions joined with "and", numbers bare.
    both = contractkit.evaluate(
        CONTRACT,
        extract,
        columns={**{k: v for k, v in columns.items() if k != "provider"}, "service": "'ucr-south'"},
        where="metric = 'UCR' and within_2h > 340",
    )
    assert both.account["excluded"] == 3
    assert both.account["accepted"] == 1


def test_mapping_problems_are_returns_errors() -> None:
    with pytest.raises(ReturnsError, match=r"within_2"):
        contractkit.evaluate(
            CONTRACT,
            EXTRACT,
            columns={
                "provider": "org_code",
                "period": "month_start",
                "kpi": "'ucr-2h'",
                "numerator": "within_2",
                "denominator": "within_2h",
            },
        )
    with pytest.raises(ReturnsError, match="did you mean 'metric'"):
        contractkit.evaluate(
            CONTRACT,
            EXTRACT,
            columns={
                "provider": "org_code",
                "period": "month_start",
                "kpi": "'ucr-2h'",
                "numerator": "within_2h",
                "denominator": "within_2h",
            },
            where="metrc = 'UCR'",
        )


@pytest.mark.parametrize(
    ("field", "source"),
    [("kpi", "metric - 1"), ("period", "month_start + 1"), ("provider", "org_code * 2")],
)
def test_arithmetic_for_a_text_field_is_a_returns_error(field: str, source: str) -> None:
    """Arithmetic works out a number; mapped to a text field it crashed in polars ("arithmetic
    on dtypes str and dyn float") with a traceback: now it is refused, naming the field and
    the mapping, before any row is read."""
    columns = EXTRACT_FIELDS
    with pytest.raises(ReturnsError) as raised:
        contractkit.evaluate(CONTRACT, EXTRACT, columns={**columns, field: source})
    message = str(raised.value)
    assert f"{field} = {source}" in message
    assert "a column or a quoted constant" in message


def test_missing_columns_suggest_the_close_ones() -> None:
    data = pl.DataFrame(
        {"servce": ["ucr-south"], "kpi": ["ucr-2h"], "perod": ["2026-04"], "numerator": ["1"]}
    )
    with pytest.raises(ReturnsError) as caught:
        contractkit.evaluate(CONTRACT, data)
    message = str(caught.value)
    assert "'perod'" in message
    assert "'servce'" in message
    assert "--map" in message


# --- every source alike ------------------------------------------------------------------------

MIXED = text_frame(
    GOOD,
    {**GOOD, "period": "2026-05"},
    {**GOOD, "period": "2026-06", "numerator": "9"},
    {**GOOD, "period": "2026-06", "numerator": "10"},  # a duplicate of the row before
    {**GOOD, "kpi": "ucr2h", "period": "2026-07"},
    {
        "service": "ucr-south",
        "kpi": "first-contact",
        "period": "2026-06",
        "value": "85.5",
        "count": "12",
        "sd": "7.25",
    },
    {"service": "ucr-south", "kpi": "never-events", "period": "2026-06", "numerator": "1"},
    {
        "service": "falls-east",
        "kpi": "falls-admissions",
        "period": "2026/27 Q3",
        "numerator": "7",
        "denominator": "650",
    },
)


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The mixed returns with numbers as numbers (as a typed source holds them)."""
    return frame.with_columns(
        pl.col("numerator", "denominator", "value", "count", "sd").cast(pl.Float64)
    )


def _xlsx(frame: pl.DataFrame, path: Path, *, dates: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(frame.columns)
    for record in frame.iter_rows(named=True):
        cells = []
        for name, value in record.items():
            if name == "period" and dates and value and len(value) == 7:
                year, month = map(int, value.split("-"))
                cells.append(dt.datetime(year, month, 1))
            elif name in ("numerator", "denominator", "value", "count", "sd") and value is not None:
                cells.append(float(value) if "." in value else int(value))
            else:
                cells.append(value)
        sheet.append(cells)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def from_frame() -> Evaluation:
    return contractkit.evaluate(CONTRACT, MIXED, as_of=dt.date(2026, 12, 31))


def _same(evaluation: Evaluation, reference: Evaluation, *, offset: int) -> None:
    # The same verdicts, whatever the source; only the rejected rows' numbers differ, each
    # source numbering its rows as a person finds them (checked below).
    def verdicts(e: Evaluation) -> str:
        return e.table.drop("rejected_rows").write_csv()

    assert verdicts(evaluation) == verdicts(reference)
    ours = {k: v for k, v in evaluation.account.items() if k != "source"}
    theirs = {k: v for k, v in reference.account.items() if k != "source"}
    assert ours == theirs
    assert (
        evaluation.rejected.get_column("reason").to_list()
        == reference.rejected.get_column("reason").to_list()
    )
    # Row numbers as a person finds them: from 0 in a frame, the line or row in a file.
    assert evaluation.rejected.get_column("row").to_list() == [
        r + offset for r in reference.rejected.get_column("row")
    ]


def test_the_frame_reference(from_frame: Evaluation) -> None:
    assert_accounted(from_frame, 8)
    assert from_frame.account["rejected_by_reason"] == {"duplicate": 2, "unknown_kpi": 1}
    assert from_frame.rejected.get_column("row").to_list() == [2, 3, 4]


def test_csv_gives_the_same(from_frame: Evaluation, tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    MIXED.write_csv(path)
    evaluation = contractkit.evaluate(CONTRACT, path, as_of=dt.date(2026, 12, 31))
    _same(evaluation, from_frame, offset=2)  # the header is line 1
    assert evaluation.account["source"] == str(path)


def test_parquet_gives_the_same(from_frame: Evaluation, tmp_path: Path) -> None:
    path = tmp_path / "returns.parquet"
    _typed(MIXED).write_parquet(path)
    _same(contractkit.evaluate(CONTRACT, path, as_of=dt.date(2026, 12, 31)), from_frame, offset=0)


def test_excel_gives_the_same(from_frame: Evaluation, tmp_path: Path) -> None:
    path = _xlsx(MIXED, tmp_path / "returns.xlsx")
    _same(contractkit.evaluate(CONTRACT, path, as_of=dt.date(2026, 12, 31)), from_frame, offset=2)


def test_excel_date_cells_are_periods(from_frame: Evaluation, tmp_path: Path) -> None:
    # docs/evaluating.md: a period may be "a date cell in a spreadsheet or frame".
    path = _xlsx(MIXED, tmp_path / "dates.xlsx", dates=True)
    _same(contractkit.evaluate(CONTRACT, path, as_of=dt.date(2026, 12, 31)), from_frame, offset=2)


def test_typed_polars_and_pandas_frames_give_the_same(from_frame: Evaluation) -> None:
    typed = _typed(MIXED)
    _same(contractkit.evaluate(CONTRACT, typed, as_of=dt.date(2026, 12, 31)), from_frame, offset=0)
    _same(
        contractkit.evaluate(CONTRACT, typed.to_pandas(), as_of=dt.date(2026, 12, 31)),
        from_frame,
        offset=0,
    )
    _same(
        contractkit.evaluate(CONTRACT, MIXED.to_pandas(), as_of=dt.date(2026, 12, 31)),
        from_frame,
        offset=0,
    )


# --- files that are not returns ---------------------------------------------------------------


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_an_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.csv", b"")
    with pytest.raises(ReturnsError, match="empty"):
        contractkit.evaluate(CONTRACT, path)


def test_a_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = _write(tmp_path, "header.csv", b"service,kpi,period,numerator,denominator\n")
    evaluation = contractkit.evaluate(CONTRACT, path)
    assert_accounted(evaluation, 0)


def test_a_binary_file(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    path = _write(tmp_path, "image.csv", png)
    with pytest.raises(ReturnsError, match="binary") as caught:
        contractkit.evaluate(CONTRACT, path)
    assert str(path) in str(caught.value)


def test_a_workbook_saved_as_csv(tmp_path: Path) -> None:
    # An Excel workbook given a .csv name is a zip file: the message must say it is not text,
    # not pass on a CSV parser's complaint about its fields.
    book = _xlsx(MIXED, tmp_path / "returns.xlsx")
    path = _write(tmp_path, "returns.csv", book.read_bytes())
    with pytest.raises(ReturnsError, match=r"binary|not a text|not a CSV") as caught:
        contractkit.evaluate(CONTRACT, path)
    assert str(path) in str(caught.value)


def test_a_semicolon_separated_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "semi.csv",
        b"service;kpi;period;numerator;denominator\nucr-south;ucr-2h;2026-04;14;20\n",
    )
    with pytest.raises(ReturnsError, match="';'") as caught:
        contractkit.evaluate(CONTRACT, path)
    assert "comma" in str(caught.value)


def test_wrong_columns_in_a_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "wrong.csv",
        b"servce,kpi,perod,numerator,denominator\nucr-south,ucr-2h,2026-04,14,20\n",
    )
    with pytest.raises(ReturnsError, match="is it 'perod'"):
        contractkit.evaluate(CONTRACT, path)


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ReturnsError, match="no such file"):
        contractkit.evaluate(CONTRACT, tmp_path / "nowhere.csv")
    with pytest.raises(ReturnsError, match="folder"):
        contractkit.evaluate(CONTRACT, tmp_path)


def test_a_corrupt_workbook_and_parquet(tmp_path: Path) -> None:
    for name in ("broken.xlsx", "broken.parquet"):
        path = _write(tmp_path, name, b"PK\x03\x04 this is not really a file")
        with pytest.raises(ReturnsError, match="cannot be read") as caught:
            contractkit.evaluate(CONTRACT, path)
        assert str(path) in str(caught.value)


def test_something_that_is_not_returns() -> None:
    with pytest.raises(ReturnsError, match="data frame"):
        contractkit.evaluate(CONTRACT, [GOOD])


# --- every row accounted for, whatever comes in ------------------------------------------------

SERVICES = ["ucr-south", "ucr-north", "falls-east", "ucr-nort", "", None]
PROVIDERS = ["RQX", "NLO01", "NQT10", "ZZZ", None]
KPIS = ["ucr-2h", "first-contact", "falls-admissions", "never-events", "ucr2h", None]
PERIODS = [
    "2026-04",
    "2026-05",
    "2026-07",
    "2026-10-01",
    "2026/27 Q3",
    "2026/27 Q1",
    "2026-03",
    "2029-04",
    "2026-13",
    "soon",
    "",
    None,
]
NUMBERS = ["0", "1", "7", "20", "1,000", "2.5", "-3", "lots", " 12 ", "", None]


@st.composite
def junk_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(0, 40))):
        provider = draw(st.sampled_from(PROVIDERS))
        rows.append(
            {
                "service": draw(st.sampled_from(SERVICES)),
                "provider": provider,
                "kpi": draw(st.sampled_from(KPIS)),
                "period": draw(st.sampled_from(PERIODS)),
                **{f: draw(st.sampled_from(NUMBERS)) for f in FIELDS[4:]},
            }
        )
    # Some exact copies, so duplicates are common.
    if rows:
        rows += draw(st.lists(st.sampled_from(rows), max_size=5))
    return rows


@settings(max_examples=40, deadline=None)
@given(junk_rows(), st.booleans())
def test_every_row_is_accounted_for(rows: list[dict[str, Any]], filtered: bool) -> None:
    frame = text_frame(*rows).with_columns(
        keep=pl.Series([("y" if i % 3 else "n") for i in range(len(rows))], dtype=pl.String)
    )
    evaluation = contractkit.evaluate(
        CONTRACT,
        frame,
        as_of=dt.date(2029, 3, 31),
        where="keep = 'y'" if filtered else None,
    )
    assert_accounted(evaluation, len(rows))
    excluded = sum(1 for i in range(len(rows)) if i % 3 == 0) if filtered else 0
    by_reason = evaluation.account["excluded_by_reason"]
    assert by_reason.get("filter", 0) == excluded
    assert evaluation.account["excluded"] == sum(by_reason.values())
    assert set(by_reason) <= {"filter", "duplicate_identical"}
    rejected_rows = evaluation.rejected.get_column("row").to_list()
    assert rejected_rows == sorted(set(rejected_rows))
    assert all(0 <= r < len(rows) for r in rejected_rows)
    if filtered:
        assert all(r % 3 for r in rejected_rows)
    # Every accepted row went into exactly one period of the table (to the end of the term,
    # every period is due).
    assert evaluation.table.get_column("returns_made").sum() == evaluation.account["accepted"]
    # A duplicate never comes alone.
    duplicates = evaluation.rejected.filter(pl.col("reason") == "duplicate").height
    assert duplicates != 1


@settings(max_examples=30, deadline=None)
@given(junk_rows(), st.integers(1, 7))
def test_checking_in_blocks_changes_nothing(rows: list[dict[str, Any]], block: int) -> None:
    """Rows are checked a block at a time; the blocks never show in what is accepted or
    rejected, or why."""
    frame = text_frame(*rows)
    plan = compile_plan(CONTRACT)
    whole = read_returns(frame, plan)
    with mock.patch.object(blockwise, "SIZE", block):
        blocked = read_returns(frame, plan)
    assert blocked.accepted.equals(whole.accepted)
    assert blocked.rejected.equals(whole.rejected)
    assert blocked.account == whole.account


def test_returns_are_read_against_the_contract_or_an_evaluators_plan_of_it() -> None:
    """read_returns takes the contract itself; the evaluator's plan of it, as earlier releases
    took, reads the same; anything else is refused, saying what to give."""
    frame = text_frame(GOOD, {**GOOD, "period": "2026-05"}, {**GOOD, "kpi": "nope"})
    by_contract = read_returns(frame, CONTRACT)
    by_plan = read_returns(frame, compile_plan(CONTRACT))
    assert by_contract.accepted.equals(by_plan.accepted)
    assert by_contract.rejected.equals(by_plan.rejected)
    assert by_contract.account == by_plan.account
    with pytest.raises(contractkit.ArgumentError, match="checked against a contract"):
        read_returns(frame, "contract.yaml")  # type: ignore[arg-type]  # the refusal tested


# --- blank rows, in every format ---------------------------------------------------------------

BLANK_LINE = {**GOOD, "period": "2026-05"}


def _with_blank_rows() -> pl.DataFrame:
    """Two returns with a blank row between them and two after (as Excel leaves them)."""
    blank = dict.fromkeys(FIELDS)
    return text_frame(GOOD, blank, BLANK_LINE, blank, {**blank, "kpi": "   "})


def _blank_account(evaluation: Evaluation) -> None:
    assert_accounted(evaluation, 5)
    assert evaluation.account["accepted"] == 2
    assert evaluation.account["rejected"] == 0
    assert evaluation.account["excluded_by_reason"] == {"blank": 3}


def test_a_blank_row_is_excluded_and_counted_in_a_frame() -> None:
    evaluation = contractkit.evaluate(CONTRACT, _with_blank_rows())
    _blank_account(evaluation)
    # In a pandas frame, blank is NaN or None.
    _blank_account(contractkit.evaluate(CONTRACT, _with_blank_rows().to_pandas()))


def test_a_blank_row_is_excluded_and_counted_in_a_csv_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "blank.csv",
        b"service,kpi,period,numerator,denominator\n"
        b"ucr-south,ucr-2h,2026-04,14,20\n"
        b",,,,\n"
        b"ucr-south,ucr-2h,2026-05,14,20\n"
        b"\n"
        b" , ,,,\n",
    )
    _blank_account(contractkit.evaluate(CONTRACT, path))


def test_a_blank_row_is_excluded_and_counted_in_a_workbook(tmp_path: Path) -> None:
    path = _xlsx(_with_blank_rows(), tmp_path / "blank.xlsx")
    _blank_account(contractkit.evaluate(CONTRACT, path))


def test_a_blank_row_is_excluded_and_counted_in_parquet(tmp_path: Path) -> None:
    path = tmp_path / "blank.parquet"
    _typed(_with_blank_rows()).write_parquet(path)
    _blank_account(contractkit.evaluate(CONTRACT, path))


def test_a_row_with_something_in_it_is_not_blank() -> None:
    evaluation = contractkit.evaluate(
        CONTRACT, text_frame(GOOD, {"numerator": "3"}), as_of=dt.date(2026, 6, 30)
    )
    assert evaluation.account["excluded_by_reason"] == {}
    assert evaluation.account["rejected_by_reason"] == {"unknown_kpi": 1}


def test_blank_rows_are_excluded_before_a_filter_and_counted_as_blank() -> None:
    frame = _with_blank_rows().with_columns(keep=pl.Series(["y", None, "n", None, None]))
    evaluation = contractkit.evaluate(CONTRACT, frame, where="keep = 'y'")
    assert evaluation.account["excluded_by_reason"] == {"blank": 3, "filter": 1}
    assert_accounted(evaluation, 5)


# --- where each row is found -------------------------------------------------------------------


def test_csv_rows_after_a_quoted_line_break_keep_their_line(tmp_path: Path) -> None:
    # A service name with a line break inside quotes takes two lines: the rows after it start
    # a line later than their position says.
    path = _write(
        tmp_path,
        "quoted.csv",
        b"service,kpi,period,numerator,denominator\n"
        b'"ucr-south\nsecond line",ucr-2h,2026-04,14,20\n'
        b"ucr-south,ucr-2h,2026-05,14,20\n"
        b'ucr-south,"ucr2h",2026-06,"1,4",20\n'
        b"\n"
        b"ucr-south,ucr-2h,2026-13,14,20\n",
    )
    evaluation = contractkit.evaluate(CONTRACT, path)
    assert_accounted(evaluation, 5)
    rejected = evaluation.rejected.select("row", "reason").rows()
    assert rejected == [(2, "unknown_service"), (5, "unknown_kpi"), (7, "unreadable_period")]
    assert evaluation.account["excluded_by_reason"] == {"blank": 1}


def test_csv_rows_after_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "leading.csv",
        b"\r\n\r\nservice,kpi,period,numerator,denominator\r\nucr-south,ucr2h,2026-04,14,20\r\n",
    )
    evaluation = contractkit.evaluate(CONTRACT, path)
    assert evaluation.rejected.get_column("row").to_list() == [4]


def test_workbook_rows_are_the_spreadsheets_own(tmp_path: Path) -> None:
    # A table that starts lower down the sheet, with blank rows inside it.
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["B3"] = "a title above the table"
    names = ["service", "kpi", "period", "numerator", "denominator"]
    for column, name in zip("BCDEF", names, strict=True):
        sheet[f"{column}5"] = name
    for row, values in ((6, GOOD), (8, {**GOOD, "kpi": "ucr2h", "period": "2026-05"})):
        for column, field in zip("BCDEF", names, strict=True):
            sheet[f"{column}{row}"] = values[field]
    path = tmp_path / "lower.xlsx"
    book.save(path)
    with pytest.raises(ReturnsError, match="the columns are: a title above the table"):
        # The first row with anything in it is the header: here, the title.
        contractkit.evaluate(CONTRACT, path)
    sheet["B3"] = None
    book.save(path)
    evaluation = contractkit.evaluate(CONTRACT, path)
    assert evaluation.rejected.select("row", "reason").rows() == [(8, "unknown_kpi")]
    assert evaluation.account["excluded_by_reason"] == {"blank": 1}


# --- sheets and paths ---------------------------------------------------------------------------


def test_a_sheet_that_is_not_there_is_named_with_those_that_are(tmp_path: Path) -> None:
    path = _xlsx(MIXED, tmp_path / "returns.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.active is not None
    book.active.title = "Returns 2026"
    book.create_sheet("Notes")
    book.save(path)
    with pytest.raises(ReturnsError) as caught:
        contractkit.evaluate(CONTRACT, path, sheet="Returns 2025")
    assert str(caught.value) == (
        f"{path}: no sheet 'Returns 2025' in the workbook; the sheets are: Returns 2026, Notes; "
        "did you mean 'Returns 2026'?"
    )
    chosen = contractkit.evaluate(CONTRACT, path, sheet="Returns 2026")
    assert chosen.account["read"] == MIXED.height


def test_a_path_too_long_to_open(tmp_path: Path) -> None:
    path = tmp_path / ("r" * 300 + ".csv")
    with pytest.raises(ReturnsError) as caught:
        contractkit.evaluate(CONTRACT, path)
    assert str(path) in str(caught.value)
    assert "cannot be read" in str(caught.value)
    # Spend (and every finance table) is read the same way.
    with pytest.raises(ReturnsError, match="cannot be read"):
        contractkit.pooled_funds.reconcile(example_fund(), path)


def test_two_columns_of_one_name_in_a_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "twice.csv",
        b"service,kpi,period,numerator,numerator\nucr-south,ucr-2h,2026-04,14,20\n",
    )
    with pytest.raises(ReturnsError, match="more than one column named 'numerator'"):
        contractkit.evaluate(CONTRACT, path)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["service", "kpi", "period", "numerator", "numerator"])
    sheet.append(["ucr-south", "ucr-2h", "2026-04", 14, 20])
    book.save(tmp_path / "twice.xlsx")
    with pytest.raises(ReturnsError, match="more than one column named 'numerator'"):
        contractkit.evaluate(CONTRACT, tmp_path / "twice.xlsx")


# --- the finance tables read the same way -------------------------------------------------------


def _plus_blank_lines(tmp_path: Path, example: Path) -> Path:
    """An example table with two blank rows (as Excel saves them) after its header and at its
    end."""
    header, *rows = example.read_text(encoding="utf-8").splitlines()
    blank = "," * header.count(",")
    path = tmp_path / example.name
    path.write_text("\n".join([header, blank, *rows, blank]) + "\n", encoding="utf-8")
    return path


def _same_but_blank(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert ours["read"] == theirs["read"] + 2
    assert ours["excluded"] == theirs["excluded"] + 2
    for key in ("accepted", "rejected", "rejected_by_reason"):
        assert ours[key] == theirs[key]


def test_blank_rows_in_spend_and_outturn_are_excluded_and_counted(tmp_path: Path) -> None:
    fund = example_fund()
    spend = EXAMPLES / "better-care-fund" / "spend.csv"
    plain = contractkit.pooled_funds.reconcile(fund, spend)
    blank = contractkit.pooled_funds.reconcile(fund, _plus_blank_lines(tmp_path, spend))
    _same_but_blank(blank.account, plain.account)
    assert blank.summary == plain.summary
    plan = contractkit.load(EXAMPLES / "system-plan" / "plan.yaml")
    assert isinstance(plan, SystemPlan)
    outturn = EXAMPLES / "system-plan" / "outturn.csv"
    assessed = contractkit.system_plans.assess(plan, outturn)
    with_blanks = contractkit.system_plans.assess(plan, _plus_blank_lines(tmp_path, outturn))
    _same_but_blank(with_blanks.account, assessed.account)


def test_blank_rows_in_activity_and_claims_are_excluded_and_counted(tmp_path: Path) -> None:
    folder = EXAMPLES / "urgent-community-response"
    contract = contractkit.load(folder / "contract.yaml")
    assert isinstance(contract, Contract)
    returns = folder / "returns.csv"
    plain = contractkit.payments.statement(
        contract, returns, activity=folder / "activity.csv", outcomes=folder / "outcomes.csv"
    )
    blank = contractkit.payments.statement(
        contract,
        returns,
        activity=_plus_blank_lines(tmp_path, folder / "activity.csv"),
        outcomes=_plus_blank_lines(tmp_path, folder / "outcomes.csv"),
    )
    for table in ("activity", "outcomes"):
        _same_but_blank(blank.account[table], plain.account[table])


def test_spend_in_a_pandas_frame_of_any_types() -> None:
    # A spend frame as pandas reads a spreadsheet: amounts as numbers, one as text, periods as
    # dates mixed with text; a blank row.
    fund = example_fund()
    line = fund.lines[0].id
    spend = pl.DataFrame(
        {
            "line": [line, line, line, None],
            "period": ["2026-04", "2026-05", "2026-06", None],
            "amount": ["1000", "n/a", "2000.50", None],
        }
    ).to_pandas()
    spend["period"] = pd.Series(
        [dt.datetime(2026, 4, 1), "2026-05", dt.date(2026, 6, 1), None], dtype=object
    )
    spend["amount"] = pd.Series([1000, "n/a", 2000.5, np.nan], dtype=object)
    result = contractkit.pooled_funds.reconcile(fund, spend)
    assert result.account["read"] == 4
    assert result.account["accepted"] == 2
    assert result.account["rejected_by_reason"] == {"not_money": 1}
    assert result.account["excluded"] == 1


def test_a_csv_with_old_mac_line_endings_is_refused_with_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "returns.csv"
    path.write_bytes(b"service,kpi,period,numerator\rucr-south,never-events,2026-04,0\r")
    with pytest.raises(contractkit.ReturnsError, match="carriage return alone"):
        contractkit.evaluate(CONTRACT, path)


def test_the_old_plan_keyword_still_reads_with_a_warning() -> None:
    contract = CONTRACT
    rows = pl.DataFrame([GOOD])
    with pytest.warns(DeprecationWarning, match=r"read_returns\(plan=\.\.\.\) is now"):
        old = read_returns(rows, plan=contract)
    assert old.account == read_returns(rows, contract).account
    with pytest.raises(contractkit.ArgumentError, match="give the contract once"):
        read_returns(rows, contract, plan=contract)
    with pytest.raises(contractkit.ArgumentError, match="needs the contract the returns are for"):
        read_returns(rows)
