"""The one number grammar of the returns (contractkit.returns._numbers), and how a number that
breaks it is rejected: named, with its value and why, and never read as some other number.

The issue's findings: a comma anywhere in a number was deleted ("74,5" read as 745, "3,3,3" as
333); infinity was data ("inf" never events flagged as an alarm, "inf" means accepted, "inf, inf"
a verdict printed as None); "1e20" above its denominator and "numerator / 0" crashed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import contractkit
from _support import CONTRACT, GOOD, assert_accounted, row_of, text_frame
from contractkit.returns._numbers import MAXIMUM, PROBLEMS, read_numbers


def read(*texts: str | None) -> list[tuple[float | None, str]]:
    values, problems = read_numbers(pl.Series(texts, dtype=pl.String))
    return [
        (None if math.isnan(v) else float(v), PROBLEMS[p])
        for v, p in zip(values.tolist(), problems.tolist(), strict=True)
    ]


# --- the grammar ------------------------------------------------------------------------------

READ = [
    ("12", 12.0),
    (" 12 ", 12.0),
    ("\t12\u00a0", 12.0),  # a non-breaking space, as a spreadsheet may leave
    ("-3", -3.0),
    ("+3", 3.0),
    ("74.5", 74.5),
    (".5", 0.5),
    ("5.", 5.0),
    ("1e3", 1000.0),
    ("2.5E-1", 0.25),
    ("1,234", 1234.0),
    ("1,234,567", 1234567.0),
    ("-1,234.5", -1234.5),
    ("999,999,999,999,999", 999_999_999_999_999.0),
    ("1000000000000000", 1e15),  # the largest
    ("1e15", 1e15),
]

REFUSED = [
    ("74,5", "not_a_number"),  # a decimal comma
    ("1.234,5", "not_a_number"),
    ("3,3,3", "not_a_number"),  # a comma that separates no thousands
    ("1,23", "not_a_number"),
    ("12,3456", "not_a_number"),
    (",123", "not_a_number"),
    ("1,", "not_a_number"),
    ("1,2345,678", "not_a_number"),
    ("1 000", "not_a_number"),
    ("three hundred", "not_a_number"),
    ("£5", "not_a_number"),
    ("5%", "not_a_number"),
    ("0x10", "not_a_number"),
    ("1_000", "not_a_number"),
    ("--5", "not_a_number"),
    ("1e", "not_a_number"),
    (".", "not_a_number"),
    ("inf", "not_finite"),
    ("-inf", "not_finite"),
    ("Infinity", "not_finite"),
    ("nan", "not_finite"),
    ("NaN", "not_finite"),
    ("1000000000000001", "too_large"),
    ("1e16", "too_large"),
    ("-1e16", "too_large"),
    ("1e400", "too_large"),  # finite as written: too large, not infinite
    ("9" * 400, "too_large"),
]


@pytest.mark.parametrize(("text", "value"), READ)
def test_numbers_the_grammar_reads(text: str, value: float) -> None:
    assert read(text) == [(value, "")]


@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_numbers_the_grammar_refuses(text: str, problem: str) -> None:
    assert read(text) == [(None, problem)]


def test_an_empty_cell_is_empty_not_a_problem() -> None:
    assert read("", "   ", None) == [(None, "empty")] * 3


def test_typed_columns() -> None:
    def typed(series: pl.Series) -> list[tuple[float | None, str]]:
        values, problems = read_numbers(series)
        return [
            (None if math.isnan(v) else v, PROBLEMS[p])
            for v, p in zip(values.tolist(), problems.tolist(), strict=True)
        ]

    # A NaN in a float column is an empty cell (pandas writes a missing value so); infinity
    # is not a number contractkit reads.
    floats = pl.Series([1.5, float("nan"), None, float("inf"), -float("inf"), 1e16])
    assert typed(floats) == [
        (1.5, ""),
        (None, "empty"),
        (None, "empty"),
        (None, "not_finite"),
        (None, "not_finite"),
        (None, "too_large"),
    ]
    assert typed(pl.Series([MAXIMUM, MAXIMUM + 1, None], dtype=pl.Int64)) == [
        (1e15, ""),
        (None, "too_large"),
        (None, "empty"),
    ]
    assert typed(pl.Series([2**64 - 1], dtype=pl.UInt64)) == [(None, "too_large")]
    assert typed(pl.Series([10**30], dtype=pl.Int128)) == [(None, "too_large")]
    assert typed(pl.Series([1.5], dtype=pl.Float32)) == [(1.5, "")]
    # True is not a number of cases.
    assert typed(pl.Series([True, None])) == [(None, "not_a_number"), (None, "empty")]
    assert typed(pl.Series([dt.date(2026, 4, 1)])) == [(None, "not_a_number")]


# --- properties -------------------------------------------------------------------------------


@given(st.integers(-MAXIMUM, MAXIMUM), st.sampled_from(["", " ", "  "]))
@example(1234, "")
def test_a_whole_number_reads_back_with_or_without_separators(n: int, space: str) -> None:
    assert read(f"{space}{n}{space}", f"{n:,}", f"{space}{n:,}.00") == [(float(n), "")] * 3


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_a_float_reads_back_exactly_as_python_writes_it(x: float) -> None:
    assert read(repr(x)) == [(x, "")]


@given(
    st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=2, max_size=5),
    st.booleans(),
)
def test_a_comma_is_read_only_between_thousands(groups: list[str], decimals: bool) -> None:
    text = ",".join(groups) + (".25" if decimals else "")
    thousands = 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    [(value, problem)] = read(text)
    if thousands:
        assert (value, problem) == (float("".join(groups) + (".25" if decimals else "")), "")
    else:
        # Never some other number: a comma is never just deleted.
        assert (value, problem) == (None, "not_a_number")


@given(st.sampled_from(["inf", "infinity", "nan"]), st.sampled_from(["", "+", "-"]), st.data())
def test_infinity_and_not_a_number_are_refused_however_written(
    word: str, sign: str, data: st.DataObject
) -> None:
    written = "".join(
        c.upper() if data.draw(st.booleans(), label=f"upper {c}") else c for c in word
    )
    assert read(sign + written) == [(None, "not_finite")]


# --- through an evaluation: rejected, named, never read as another number ----------------------

MEAN = {
    "service": "ucr-south",
    "kpi": "first-contact",
    "period": "2026-04",
    "value": "74.5",
    "count": "20",
    "sd": "12",
}
NEVER = {"service": "ucr-south", "kpi": "never-events", "period": "2026-04", "numerator": "0"}


def rejected(frame: pl.DataFrame, **options: Any) -> list[tuple[str, str]]:
    evaluation = contractkit.evaluate(CONTRACT, frame, **options)
    assert_accounted(evaluation, frame.height)
    return evaluation.rejected.select("reason", "message").rows()


def test_a_mean_with_a_decimal_comma_is_refused_not_read_as_ten_times_more() -> None:
    evaluation = contractkit.evaluate(
        CONTRACT, text_frame({**MEAN, "value": "74,5"}), as_of=dt.date(2026, 4, 30)
    )
    assert evaluation.rejected.select("reason", "message").rows() == [
        ("not_a_number", "value '74,5' has a decimal comma: write 74.5")
    ]
    # The month is not judged on 745 minutes: its return was made, and rejected.
    row = row_of(evaluation, "ucr-south", "first-contact", "2026-04")
    assert (row["status"], row["returns_rejected"]) == ("rejected_return", 1)
    accepted = contractkit.evaluate(CONTRACT, text_frame(MEAN))
    assert row_of(accepted, "ucr-south", "first-contact", "2026-04")["value"] == 74.5


def test_infinity_is_not_data() -> None:
    assert rejected(text_frame({**NEVER, "numerator": "inf"})) == [
        ("not_finite", "numerator 'inf' is not a finite number")
    ]
    assert rejected(text_frame({**MEAN, "value": "-Infinity"})) == [
        ("not_finite", "value '-Infinity' is not a finite number")
    ]
    assert rejected(text_frame({**GOOD, "numerator": "inf", "denominator": "inf"})) == [
        (
            "not_finite",
            "numerator 'inf' is not a finite number; denominator 'inf' is not a finite number",
        )
    ]
    # In a float column too (a NaN there is an empty cell).
    typed = pl.DataFrame(
        {
            "service": ["ucr-south"] * 2,
            "kpi": ["never-events"] * 2,
            "period": ["2026-04", "2026-05"],
            "numerator": [float("inf"), float("nan")],
        }
    )
    assert rejected(typed) == [
        ("not_finite", "numerator 'inf' is not a finite number"),
        ("missing_field", "numerator is empty: a count needs its numerator (the number of events)"),
    ]


def test_numbers_too_large_to_be_counts() -> None:
    assert rejected(text_frame({**GOOD, "numerator": "1e20", "denominator": "20"})) == [
        (
            "too_large",
            "numerator '1e20' is too large: contractkit reads numbers up to 10^15 "
            "(1,000,000,000,000,000) in size",
        )
    ]
    typed = pl.DataFrame(
        {
            "service": ["ucr-south"],
            "kpi": ["ucr-2h"],
            "period": ["2026-04"],
            "numerator": [10**17],
            "denominator": [10**18],
        }
    )
    reasons = rejected(typed)
    assert [r for r, _ in reasons] == ["too_large"]
    assert "numerator '100000000000000000'" in reasons[0][1]
    assert "denominator '1000000000000000000'" in reasons[0][1]


def test_column_arithmetic_that_is_not_finite_or_too_large_names_the_expression() -> None:
    frame = pl.DataFrame(
        {
            "service": ["ucr-south"] * 4,
            "kpi": ["ucr-2h"] * 4,
            "period": ["2026-04", "2026-05", "2026-06", "2026-07"],
            "seen": ["14", "14", "n/a", "3e14"],
            "all": ["20", "0", "20", "2"],
        }
    )
    reasons = rejected(
        frame,
        columns={"numerator": "seen", "denominator": "seen / `all` * 20"},
        as_of=dt.date(2026, 7, 31),
    )
    assert reasons == [
        (
            "not_finite",
            "denominator (seen / `all` * 20) works out as inf, which is not a finite number",
        ),
        (
            "not_a_number",
            "numerator (column 'seen') 'n/a' is not a number; seen (in denominator = seen / "
            "`all` * 20) 'n/a' is not a number",
        ),
        (
            "too_large",
            "denominator (seen / `all` * 20) works out as 3000000000000000, too large: "
            "contractkit reads numbers up to 10^15 (1,000,000,000,000,000) in size",
        ),
    ]
    # The issue's own: a column divided by nothing.
    by_nothing = rejected(
        text_frame(GOOD),
        columns={"numerator": "numerator / 0", "denominator": "denominator"},
    )
    assert by_nothing == [
        (
            "not_finite",
            "numerator (numerator / 0) works out as inf, which is not a finite number",
        )
    ]
    # 0 / 0 is not an empty cell: it is worked out, and is not a number.
    zero = rejected(
        text_frame({**GOOD, "numerator": "0"}),
        columns={"numerator": "numerator / 0", "denominator": "denominator"},
    )
    assert zero == [
        ("not_finite", "numerator (numerator / 0) works out as NaN, which is not a finite number")
    ]


def test_an_empty_column_in_arithmetic_leaves_the_field_empty() -> None:
    frame = pl.DataFrame(
        {
            "service": ["ucr-south"],
            "kpi": ["ucr-2h"],
            "period": ["2026-04"],
            "seen": ["14"],
            "late": [None],
        },
        schema_overrides={"late": pl.String},
    )
    assert rejected(frame, columns={"numerator": "seen", "denominator": "seen + late"}) == [
        (
            "missing_field",
            "denominator (seen + late) is empty: a proportion needs a numerator and a denominator",
        )
    ]


def test_a_constant_that_is_not_a_number() -> None:
    assert rejected(text_frame(GOOD), columns={"numerator": "'lots'"}) == [
        ("not_a_number", "numerator 'lots' is not a number")
    ]


def test_a_filter_reads_numbers_by_the_same_grammar() -> None:
    frame = text_frame(
        GOOD,
        {**GOOD, "period": "2026-05", "denominator": "1,200"},
        {**GOOD, "period": "2026-06", "denominator": "1,2"},
    )
    evaluation = contractkit.evaluate(CONTRACT, frame, where="denominator > 1000")
    # 1,200 is more than 1000; 20 is not; "1,2" is not a number, so it does not pass the filter.
    assert evaluation.account["excluded_by_reason"] == {"filter": 2}
    assert evaluation.account["accepted"] == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["14", "1,400", "74,5", "3,3,3", "inf", "NaN", "1e16", "", "-2", "2.5", "n/a", "20"]
        ),
        min_size=2,
        max_size=2,
    )
)
def test_a_row_is_accepted_only_with_numbers_read_as_written(cells: list[str]) -> None:
    numerator, denominator = cells
    evaluation = contractkit.evaluate(
        CONTRACT,
        text_frame({**GOOD, "numerator": numerator, "denominator": denominator}),
        as_of=dt.date(2026, 6, 30),
    )
    assert_accounted(evaluation, 1)
    if evaluation.account["accepted"]:
        row = row_of(evaluation, "ucr-south", "ucr-2h", "2026/27 Q1")
        assert row["numerator"] == float(numerator.replace(",", ""))
        assert row["denominator"] == float(denominator.replace(",", ""))
    else:
        [(reason, message)] = evaluation.rejected.select("reason", "message").rows()
        # The message names a field at fault, and the value as written (or read).
        assert "numerator" in message or "denominator" in message
        bad = [c for c in cells if c not in ("14", "1,400", "20")]
        assert any(c.replace(",", "") in message.replace(",", "") for c in bad if c) or (
            reason in ("missing_field", "numerator_above_denominator")
        )
    assert np.all(np.isfinite(evaluation.table.get_column("numerator").drop_nulls().to_numpy()))
