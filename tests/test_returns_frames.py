"""Frames of any column types (contractkit._kernel.frames): every cell parsed or its row rejected
with the reason, never an Arrow or polars exception, and every row accounted for.

The issue's findings: ``pd.read_excel`` on an ordinary workbook gives a period column of
datetimes and quarter text together, and ``evaluate`` failed with an ``ArrowTypeError``; a number
column holding ``"n/a"`` failed with ``ArrowInvalid``; so did pandas frames with two columns of
one name, complex numbers or mixed objects, and a polars frame of objects.
"""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contractkit
from _support import CONTRACT, GOOD, assert_accounted, row_of, text_frame
from contractkit import ReturnsError
from contractkit._kernel.frames import cell_text

LONDON = zoneinfo.ZoneInfo("Europe/London")
AS_OF = dt.date(2026, 6, 30)


def evaluate(frame: Any, **options: Any) -> contractkit.Evaluation:
    evaluation = contractkit.evaluate(CONTRACT, frame, **{"as_of": AS_OF, **options})
    assert_accounted(evaluation, len(frame))
    return evaluation


def reasons(evaluation: contractkit.Evaluation) -> list[tuple[int, str, str]]:
    return evaluation.rejected.select("row", "reason", "message").rows()


REFERENCE = text_frame(
    GOOD, {**GOOD, "period": "2026-05", "numerator": "15"}, {**GOOD, "period": "2026-06"}
)
"""Three monthly returns, as text: the quarter every typed version must give."""


# --- what pandas.read_excel gives ---------------------------------------------------------------


def test_a_period_column_of_dates_and_quarter_text() -> None:
    # A workbook's period column where some cells are dates and one is typed as text.
    frame = pd.DataFrame(
        {
            "service": ["ucr-south"] * 3 + ["falls-east"],
            "kpi": ["ucr-2h"] * 3 + ["falls-admissions"],
            "period": [dt.datetime(2026, 4, 1), dt.datetime(2026, 5, 1), "2026-06", "2026/27 Q3"],
            "numerator": [14, 15, 14, 3],
            "denominator": [20, 20, 20, 800],
        }
    )
    assert frame["period"].dtype == object
    evaluation = evaluate(frame, as_of=dt.date(2026, 12, 31))
    assert evaluation.account["accepted"] == 4
    quarter = row_of(evaluation, "ucr-south", "ucr-2h", "2026/27 Q1")
    assert (quarter["numerator"], quarter["denominator"], quarter["returns_made"]) == (43, 60, 3)
    assert row_of(evaluation, "falls-east", "falls-admissions", "2026/27 Q3")["returns_made"] == 1


def test_a_number_column_holding_text() -> None:
    frame = pd.DataFrame(
        {
            "service": ["ucr-south"] * 3,
            "kpi": ["ucr-2h"] * 3,
            "period": ["2026-04", "2026-05", "2026-06"],
            "numerator": [14, "n/a", 14],
            "denominator": [20, 20, np.nan],
        }
    )
    assert reasons(evaluate(frame)) == [
        (1, "not_a_number", "numerator 'n/a' is not a number"),
        (
            2,
            "missing_field",
            "denominator is empty: a proportion needs a numerator and a denominator",
        ),
    ]


def test_two_columns_of_one_name() -> None:
    frame = REFERENCE.to_pandas()
    frame.columns = [c if c != "denominator" else "numerator" for c in frame.columns]
    with pytest.raises(ReturnsError, match="more than one column named 'numerator'"):
        contractkit.evaluate(CONTRACT, frame)


def test_columns_named_by_numbers() -> None:
    frame = REFERENCE.to_pandas()
    frame.columns = list(range(frame.shape[1]))
    with pytest.raises(ReturnsError, match="the columns are: 0, 1, 2"):
        contractkit.evaluate(CONTRACT, frame)
    named = contractkit.evaluate(
        CONTRACT,
        frame,
        columns={"service": "`0`", "kpi": "`2`", "period": "`3`", "numerator": "`4`"}
        | {"denominator": "`5`"},
        as_of=AS_OF,
    )
    assert named.account["accepted"] == 3


# --- one column of each type gives the same as text ---------------------------------------------


def _pandas_with(column: str, values: Any) -> pd.DataFrame:
    frame = REFERENCE.to_pandas()
    frame[column] = values
    return frame


PANDAS_SAME: dict[str, Callable[[], pd.DataFrame]] = {
    "int64": lambda: _pandas_with("numerator", np.array([14, 15, 14])),
    "float64": lambda: _pandas_with("numerator", np.array([14.0, 15.0, 14.0])),
    "nullable Int64": lambda: _pandas_with("numerator", pd.array([14, 15, 14], dtype="Int64")),
    "nullable Float64": lambda: _pandas_with(
        "numerator", pd.array([14.0, 15.0, 14.0], dtype="Float64")
    ),
    "objects": lambda: _pandas_with("numerator", pd.Series([14, "15", 14.0], dtype=object)),
    "numpy scalars": lambda: _pandas_with(
        "numerator", pd.Series([np.int64(14), np.float32(15), np.uint8(14)], dtype=object)
    ),
    "decimals": lambda: _pandas_with(
        "numerator", pd.Series([decimal.Decimal("14"), decimal.Decimal("15.0"), 14], dtype=object)
    ),
    "categorical numbers": lambda: _pandas_with(
        "numerator", pd.Series([14, 15, 14], dtype="category")
    ),
    "categorical text": lambda: _pandas_with("kpi", pd.Series(["ucr-2h"] * 3, dtype="category")),
    "string dtype": lambda: _pandas_with("service", pd.array(["ucr-south"] * 3, dtype="string")),
    "bytes": lambda: _pandas_with("service", pd.Series([b"ucr-south"] * 3, dtype=object)),
    "datetime64": lambda: _pandas_with(
        "period", pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01"])
    ),
    "datetime64 with a time zone": lambda: _pandas_with(
        "period",
        pd.to_datetime(["2026-04-01 00:00", "2026-05-01 00:30", "2026-06-30 23:59"]).tz_localize(
            "Europe/London"
        ),
    ),
    "objects with time zones": lambda: _pandas_with(
        "period",
        pd.Series(
            [
                pd.Timestamp("2026-04-01 00:30", tz="Europe/London"),  # 23:30 UTC on 31 March
                pd.Timestamp("2026-05-31 20:00", tz="America/New_York"),  # 1 June in London
                dt.date(2026, 6, 1),
            ],
            dtype=object,
        ),
    ),
    "numpy datetimes as objects": lambda: _pandas_with(
        "period",
        pd.Series(
            [np.datetime64("2026-04-01"), np.datetime64("2026-05-01T00:00"), "2026-06"],
            dtype=object,
        ),
    ),
    "monthly periods": lambda: _pandas_with(
        "period", pd.period_range("2026-04", periods=3, freq="M")
    ),
    "categorical dates": lambda: _pandas_with(
        "period",
        pd.Series(pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01"]), dtype="category"),
    ),
}


@pytest.mark.parametrize("make", list(PANDAS_SAME.values()), ids=list(PANDAS_SAME))
def test_a_pandas_column_of_any_type_gives_the_same(make: Callable[[], pd.DataFrame]) -> None:
    reference = evaluate(REFERENCE)
    evaluation = evaluate(make())
    assert evaluation.account == reference.account
    assert evaluation.to_csv() == reference.to_csv()


def _polars_with(column: str, values: pl.Series) -> pl.DataFrame:
    return REFERENCE.with_columns(values.alias(column))


POLARS_SAME: dict[str, Callable[[], pl.DataFrame]] = {
    "objects": lambda: _polars_with("numerator", pl.Series([14, "15", 14.0], dtype=pl.Object)),
    "decimals": lambda: _polars_with(
        "numerator",
        pl.Series([decimal.Decimal("14.00"), decimal.Decimal("15"), decimal.Decimal("14")]),
    ),
    "int128": lambda: _polars_with("numerator", pl.Series([14, 15, 14], dtype=pl.Int128)),
    "float16": lambda: _polars_with("numerator", pl.Series([14, 15, 14], dtype=pl.Float16)),
    "uint8": lambda: _polars_with("numerator", pl.Series([14, 15, 14], dtype=pl.UInt8)),
    "categorical": lambda: _polars_with("kpi", pl.Series(["ucr-2h"] * 3, dtype=pl.Categorical)),
    "enum": lambda: _polars_with("kpi", pl.Series(["ucr-2h"] * 3, dtype=pl.Enum(["ucr-2h"]))),
    "binary": lambda: _polars_with("service", pl.Series([b"ucr-south"] * 3)),
    "date": lambda: _polars_with(
        "period", pl.Series([dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)])
    ),
    "datetime with a time zone": lambda: _polars_with(
        "period",
        pl.Series(
            [dt.datetime(2026, m, 1, 0, 30, tzinfo=LONDON) for m in (4, 5, 6)],
            dtype=pl.Datetime("us", "Europe/London"),
        ),
    ),
    "objects holding dates": lambda: _polars_with(
        "period",
        pl.Series([dt.date(2026, 4, 1), dt.datetime(2026, 5, 1), "2026-06"], dtype=pl.Object),
    ),
}


@pytest.mark.parametrize("make", list(POLARS_SAME.values()), ids=list(POLARS_SAME))
def test_a_polars_column_of_any_type_gives_the_same(make: Callable[[], pl.DataFrame]) -> None:
    reference = evaluate(REFERENCE)
    evaluation = evaluate(make())
    assert evaluation.account == reference.account
    assert evaluation.to_csv() == reference.to_csv()


# --- columns that can hold no return: every row rejected, naming the value ----------------------

REJECTED: dict[str, tuple[Callable[[], Any], str, str]] = {
    # (the frame, the reason for its first row, its message)
    "pandas complex": (
        lambda: _pandas_with("numerator", np.array([14 + 1j, 15, 14])),
        "not_a_number",
        "numerator '(14+1j)' is not a number",
    ),
    "pandas mixed objects": (
        lambda: _pandas_with("numerator", pd.Series([[14], {"n": 15}, object()], dtype=object)),
        "not_a_number",
        "numerator '[14]' is not a number",
    ),
    "pandas intervals": (
        lambda: _pandas_with("numerator", pd.interval_range(0, 3)),
        "not_a_number",
        "numerator '(0, 1]' is not a number",
    ),
    "pandas timedeltas": (
        lambda: _pandas_with("numerator", pd.to_timedelta([1, 2, 3], unit="D")),
        "not_a_number",
        "numerator 'P1D' is not a number",
    ),
    "pandas weekly periods": (
        lambda: _pandas_with("period", pd.period_range("2026-04-06", periods=3, freq="W")),
        "unreadable_period",
        "'2026-04-06/2026-04-12' is not a period",
    ),
    "pandas booleans": (
        lambda: _pandas_with("numerator", pd.array([True, False, None], dtype="boolean")),
        "not_a_number",
        "numerator 'true' is not a number",
    ),
    "polars lists": (
        lambda: _polars_with("numerator", pl.Series([[14], [15], None])),
        "not_a_number",
        "numerator '[14]' is not a number",
    ),
    "polars arrays": (
        lambda: _polars_with("numerator", pl.Series([[14, 1]] * 3, dtype=pl.Array(pl.Int64, 2))),
        "not_a_number",
        "numerator '[14, 1]' is not a number",
    ),
    "polars structs": (
        lambda: _polars_with("numerator", pl.Series([{"n": 14, "of": "x"}] * 3)),
        "not_a_number",
        "numerator '{'n': 14, 'of': x}' is not a number",
    ),
    "polars times": (
        lambda: _polars_with("numerator", pl.Series([dt.time(14, 0)] * 3)),
        "not_a_number",
        "numerator '14:00:00' is not a number",
    ),
    "polars durations": (
        lambda: _polars_with("numerator", pl.Series([dt.timedelta(hours=14)] * 3)),
        "not_a_number",
        "numerator 'PT14H' is not a number",
    ),
    "polars binary that is not text": (
        lambda: _polars_with("numerator", pl.Series([b"\xff\x14"] * 3)),
        "not_a_number",
        "numerator 'b'\\xff\\x14'' is not a number",
    ),
    "polars nulls": (
        lambda: _polars_with("numerator", pl.Series([None] * 3, dtype=pl.Null)),
        "missing_field",
        "numerator is empty: a proportion needs a numerator and a denominator",
    ),
}


@pytest.mark.parametrize(("make", "reason", "message"), list(REJECTED.values()), ids=list(REJECTED))
def test_a_column_of_values_that_are_no_return(
    make: Callable[[], Any], reason: str, message: str
) -> None:
    evaluation = evaluate(make())
    assert evaluation.account["accepted"] + evaluation.account["rejected"] == 3
    row, first_reason, first_message = reasons(evaluation)[0]
    assert (row, first_reason) == (0, reason)
    assert first_message.startswith(message)


# --- the defined forms ----------------------------------------------------------------------------

FORMS = [
    (None, None),
    (float("nan"), None),
    (np.float32("nan"), None),
    (pd.NA, None),
    (pd.NaT, None),
    (np.datetime64("NaT"), None),
    (decimal.Decimal("NaN"), None),
    ("ucr-2h", "ucr-2h"),
    (14, "14"),
    (np.int64(14), "14"),
    (14.0, "14.0"),
    (0.1, "0.1"),
    (1e20, "1e+20"),
    (float("inf"), "inf"),
    (decimal.Decimal("1.50"), "1.50"),
    (True, "True"),
    (1 + 2j, "(1+2j)"),
    (dt.date(2026, 4, 1), "2026-04-01"),
    (dt.datetime(2026, 4, 1), "2026-04-01"),
    (dt.datetime(2026, 4, 1, 9, 30), "2026-04-01T09:30:00"),
    (dt.datetime(2026, 4, 1, 9, 30, tzinfo=LONDON), "2026-04-01T09:30:00"),
    (pd.Timestamp("2026-04-01"), "2026-04-01"),
    (pd.Timestamp("2026-04-01 00:00", tz="America/New_York"), "2026-04-01"),
    (np.datetime64("2026-04-01"), "2026-04-01"),
    (np.datetime64("2026-04-01T10:15:30"), "2026-04-01T10:15:30"),
    (b"ucr-2h", "ucr-2h"),
    (b"\xff", "b'\\xff'"),
    (pd.Period("2026-04", freq="M"), "2026-04"),
    (pd.Period("2026Q2", freq="Q"), "2026/27 Q1"),  # calendar April–June: the NHS's Q1
    (pd.Period("2027Q1", freq="Q"), "2026/27 Q4"),
    (pd.Period("2027", freq="Y-MAR"), "2026/27"),
    (pd.Period("2026-04-15", freq="D"), "2026-04-15"),
    ([1, 2], "[1, 2]"),
]


@pytest.mark.parametrize(("cell", "text"), FORMS, ids=[repr(c) for c, _ in FORMS])
def test_each_cell_has_a_defined_form(cell: object, text: str | None) -> None:
    assert cell_text(cell) == text


# --- any frame at all: every row accounted for, never an exception ------------------------------

IDS = ["ucr-south", "ucr-north", "falls-east", "RQX", "ucr-2h", "never-events", "falls-admissions"]
JUNK: list[object] = [
    None,
    float("nan"),
    pd.NA,
    pd.NaT,
    "",
    "  ",
    "n/a",
    "74,5",
    "1,234",
    "inf",
    "1e20",
    0,
    3,
    -2,
    2.5,
    14.0,
    float("inf"),
    10**20,
    np.int64(7),
    np.float64(1e16),
    decimal.Decimal("12.0"),
    True,
    1 + 1j,
    b"ucr-2h",
    b"\xff",
    dt.date(2026, 5, 1),
    dt.datetime(2026, 6, 1),
    dt.datetime(2026, 7, 1, 9, 30, tzinfo=LONDON),
    pd.Timestamp("2026-10-01"),
    np.datetime64("2026-04-01"),
    pd.Period("2026-05", freq="M"),
    "2026-04",
    "2026/27 Q3",
    "Q3",
    [1],
    {"a": 1},
    *IDS,
]


@st.composite
def pandas_columns(draw: st.DrawFn, size: int) -> Any:
    """A pandas column of some type, with junk in it."""
    kind = draw(
        st.sampled_from(
            ["object", "Int64", "Float64", "float", "category", "string", "datetime", "tz"]
        )
    )
    cells = draw(st.lists(st.sampled_from(JUNK), min_size=size, max_size=size))
    if kind == "object":
        return pd.Series(cells, dtype=object)
    if kind in ("Int64", "Float64", "float"):
        numbers = draw(
            st.lists(st.one_of(st.none(), st.integers(-5, 30)), min_size=size, max_size=size)
        )
        return pd.array(numbers, dtype=kind if kind != "float" else "Float64").astype(
            kind if kind != "float" else "float64"
        )
    if kind == "category":
        texts = draw(st.lists(st.sampled_from([*IDS, "2026-05", None]), min_size=size))
        return pd.Series(texts[:size], dtype="category")
    if kind == "string":
        return pd.array([c if isinstance(c, str) else None for c in cells], dtype="string")
    days = draw(st.lists(st.integers(0, 1200), min_size=size, max_size=size))
    stamps = pd.to_datetime("2026-01-01") + pd.to_timedelta(days, unit="D")
    return stamps.tz_localize("Europe/London") if kind == "tz" else stamps


POLARS_KINDS: dict[str, Callable[[list[object]], pl.Series]] = {
    "object": lambda cells: pl.Series(cells, dtype=pl.Object),
    "text": lambda cells: pl.Series([None if c is None else str(c) for c in cells]),
    "list": lambda cells: pl.Series([[i] if i % 3 else None for i in range(len(cells))]),
    "struct": lambda cells: pl.Series([{"a": i, "b": str(c)} for i, c in enumerate(cells)]),
    "binary": lambda cells: pl.Series([str(c).encode() for c in cells], dtype=pl.Binary),
    "decimal": lambda cells: pl.Series(
        [decimal.Decimal(i) / 4 for i in range(len(cells))], dtype=pl.Decimal(10, 2)
    ),
    "date": lambda cells: pl.Series([dt.date(2026, 4 + i % 9, 1) for i in range(len(cells))]),
    "datetime tz": lambda cells: pl.Series(
        [dt.datetime(2026, 4 + i % 9, 1, tzinfo=LONDON) for i in range(len(cells))],
        dtype=pl.Datetime("us", "Europe/London"),
    ),
    "time": lambda cells: pl.Series([dt.time(i % 24) for i in range(len(cells))]),
    "duration": lambda cells: pl.Series([dt.timedelta(i) for i in range(len(cells))]),
    "null": lambda cells: pl.Series([None] * len(cells), dtype=pl.Null),
    "int128": lambda cells: pl.Series([10**i for i in range(len(cells))], dtype=pl.Int128),
    "float": lambda cells: pl.Series([float(i) - 2.5 for i in range(len(cells))]),
    "categorical": lambda cells: pl.Series(
        [IDS[i % len(IDS)] for i in range(len(cells))], dtype=pl.Categorical
    ),
}

COLUMNS = ["service", "provider", "kpi", "period", "numerator", "denominator", "value", "count"]


def _check(frame: Any) -> None:
    """The one promise: every row accounted for. The frames drawn have every column, each
    named once, so none is refused whole (a ReturnsError here is a failure)."""
    evaluation = contractkit.evaluate(CONTRACT, frame, as_of=dt.date(2028, 3, 31))
    assert_accounted(evaluation, len(frame))
    rows = evaluation.rejected.get_column("row").to_list()
    assert all(0 <= r < len(frame) for r in rows)
    assert evaluation.table.get_column("returns_made").sum() == evaluation.account["accepted"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 12).flatmap(lambda n: st.tuples(st.just(n), st.data())))
def test_any_pandas_frame_is_accounted_for(case: tuple[int, st.DataObject]) -> None:
    size, data = case
    columns = {name: data.draw(pandas_columns(size), label=name) for name in COLUMNS}
    _check(pd.DataFrame(columns))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 12).flatmap(lambda n: st.tuples(st.just(n), st.data())))
def test_any_polars_frame_is_accounted_for(case: tuple[int, st.DataObject]) -> None:
    size, data = case
    columns = {}
    for name in COLUMNS:
        cells = data.draw(
            st.lists(st.sampled_from([*IDS, *JUNK[:9], "2026-05", "14"]), min_size=size)
        )[:size]
        cells += [None] * (size - len(cells))
        kind = data.draw(st.sampled_from(list(POLARS_KINDS)), label=f"{name} kind")
        columns[name] = POLARS_KINDS[kind](cells).alias(name)
    _check(pl.DataFrame(list(columns.values()), height=size))
