"""The numeric fields of the returns (numerator, denominator, value, count, sd), each read by the
number grammar from the column, constant or column arithmetic a mapping gives, and the message
for each value check, naming the field and the value at fault.

A column is read once, however many fields use it. Arithmetic (``attendances - breaches``) is
worked out over its columns read as numbers: a column holding text is reported as the column at
fault, and a result that is not finite (a division by zero) or too large is reported as the
arithmetic's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit.returns._columns import FIELDS, NUMERIC, Source
from contractkit.returns._numbers import (
    EMPTY,
    MAXIMUM,
    NOT_A_NUMBER,
    NOT_FINITE,
    TOO_LARGE,
    decimal_comma,
    read_numbers,
)

__all__ = [
    "NEEDS",
    "PROBLEM_REASONS",
    "NumericFields",
    "field_detail",
    "read_numeric_fields",
    "value_messages",
]

PROBLEM_REASONS = {NOT_A_NUMBER: "not_a_number", NOT_FINITE: "not_finite", TOO_LARGE: "too_large"}
"""The rejection reason for each problem a number can have, in the order they are checked."""

NEEDS = {
    "proportion": ("numerator", "denominator"),
    "rate": ("numerator", "denominator"),
    "mean": ("value", "count"),
    "count": ("numerator",),
}
"""The fields each measure needs (and a mean, its sd too when its count is 2 or more)."""
_WHY_NEEDED = {
    "proportion": "a proportion needs a numerator and a denominator",
    "rate": "a rate needs a numerator (the events) and a denominator (the exposure)",
    "mean": "a mean needs its value and its count of cases",
    "count": "a count needs its numerator (the number of events)",
}
_CANNOT_BE_NEGATIVE = {
    # (field, measure): what the field is, which cannot be negative.
    ("numerator", "proportion"): "a count of cases",
    ("numerator", "rate"): "a count of events",
    ("numerator", "count"): "a count of events",
    ("denominator", "proportion"): "a count of cases",
    ("denominator", "rate"): "an exposure",
    ("count", "mean"): "a count of cases",
}
_NEGATIVE = {
    "numerator": "a count",
    "denominator": "a count",
    "count": "a count of cases",
    "sd": "a standard deviation",
}
_WHOLE = {
    # (field, measure): what a whole number of it counts.
    ("numerator", "proportion"): "cases",
    ("denominator", "proportion"): "cases",
    ("numerator", "rate"): "events",
    ("numerator", "count"): "events",
    ("count", "mean"): "cases",
}
_ORDER = tuple(field for field in FIELDS if field in NUMERIC)
"""The numeric fields in the order messages name them."""
_LIMIT = "contractkit reads numbers up to 10^15 (1,000,000,000,000,000) in size"
_SEPARATORS = r"^[+-]?[0-9,]*[0-9][0-9,]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?$"
"""Digits and commas (and perhaps a decimal part): a number with a comma out of place."""


@attrs.frozen
class NumericFields:
    """The numeric fields of a table's rows, each as floats, with what is wrong where."""

    values: dict[str, NDArray[np.float64]]
    """Each field the returns have: NaN where it is empty or has a problem."""
    problems: dict[str, NDArray[np.int8]]
    """For each field with a problem in some row: per row, a code from
    :mod:`~contractkit.returns._numbers` (0 where there is none; an empty field is not a
    problem here, but a missing one if the measure needs it)."""
    culprits: dict[str, NDArray[np.int8]]
    """For each arithmetic field with a problem: per row, the index of the column at fault
    among the source's columns, or -1 where the arithmetic's result is."""
    results: dict[str, NDArray[np.float64]]
    """For each arithmetic field with a problem: the result as worked out (for messages)."""

    def at(self, rows: slice | NDArray[np.intp]) -> NumericFields:
        """The same for some of the rows."""
        return NumericFields(
            values={f: v[rows] for f, v in self.values.items()},
            problems={f: v[rows] for f, v in self.problems.items()},
            culprits={f: v[rows] for f, v in self.culprits.items()},
            results={f: v[rows] for f, v in self.results.items()},
        )


def read_numeric_fields(frame: pl.DataFrame, sources: Mapping[str, Source]) -> NumericFields:
    """Each numeric field the returns have, read by the number grammar from its source."""
    read: dict[str, _Read] = {}

    def column(name: str) -> _Read:
        if name not in read:
            read[name] = read_numbers(frame.get_column(name))
        return read[name]

    values: dict[str, NDArray[np.float64]] = {}
    problems: dict[str, NDArray[np.int8]] = {}
    culprits: dict[str, NDArray[np.int8]] = {}
    results: dict[str, NDArray[np.float64]] = {}
    for field in _ORDER:
        source = sources.get(field)
        if source is None:
            continue  # a field the returns lack is left out
        if source.columns and source.arithmetic:
            value, problem, culprit, result = _arithmetic(frame, source, column)
            if problem.any():
                culprits[field], results[field] = culprit, result
        elif source.columns:
            value, problem = column(source.columns[0])
        else:  # a constant, or arithmetic on numbers alone
            value, problem = _constant(frame, source)
        values[field] = value
        bad = problem > EMPTY  # an empty cell is no problem here, but perhaps a missing field
        if bad.any():
            problems[field] = np.where(bad, problem, 0).astype(np.int8)
    return NumericFields(values, problems, culprits, results)


_Read = tuple[NDArray[np.float64], NDArray[np.int8]]
"""A column read as numbers: the values and each cell's problem."""


def _constant(frame: pl.DataFrame, source: Source) -> _Read:
    """A constant field (or arithmetic on numbers alone), read once, for every row."""
    constant = frame.select(source.expression.alias("_")).to_series()
    one, problem_of_one = read_numbers(constant.head(1))
    value = np.full(frame.height, one[0] if one.size else np.nan)
    problem = np.full(frame.height, problem_of_one[0] if one.size else EMPTY, dtype=np.int8)
    return value, problem


def _arithmetic(
    frame: pl.DataFrame, source: Source, column: Callable[[str], _Read]
) -> tuple[NDArray[np.float64], NDArray[np.int8], NDArray[np.int8], NDArray[np.float64]]:
    """Arithmetic on columns, worked out over the columns read as numbers: (values, problems,
    the column at fault, the result as worked out)."""
    parts = [column(name) for name in source.columns]
    numbers = pl.DataFrame(
        [
            pl.Series(name, values, nan_to_null=True)
            for name, (values, _) in zip(source.columns, parts, strict=True)
        ]
    )
    worked = numbers.select(source.expression.cast(pl.Float64).alias("_")).to_series()
    result = worked.fill_null(np.nan).to_numpy().astype(np.float64, copy=True)
    computed = worked.is_not_null().to_numpy()
    problem = np.zeros(frame.height, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        problem[computed & (np.abs(result) > MAXIMUM)] = TOO_LARGE
    problem[computed & ~np.isfinite(result)] = NOT_FINITE
    culprit = np.full(frame.height, -1, dtype=np.int8)
    # A column that is not a number is reported as such (the first of them), before the result.
    for index in reversed(range(len(parts))):
        bad = parts[index][1] > EMPTY
        problem[bad] = parts[index][1][bad]
        culprit[bad] = index
    value = np.where(problem == 0, result, np.nan)
    return value, problem, culprit, result


def field_detail(
    table: pl.DataFrame,
    rows: NDArray[np.intp],
    sources: Mapping[str, Source],
    numbers: NumericFields,
) -> pl.DataFrame:
    """For the chosen rows, what the value messages need: each numeric field's value, and for
    each field with a problem, the problem, the text at fault and the column it is in (for
    arithmetic)."""
    columns: list[pl.Series] = []
    for field in _ORDER:
        values = numbers.values.get(field)
        chosen = values[rows] if values is not None else np.full(rows.size, np.nan)
        columns.append(pl.Series(field, chosen, dtype=pl.Float64, nan_to_null=True))
    for field, problems in numbers.problems.items():
        source = sources[field]
        t, c = f"_t_{field}", f"_c_{field}"
        if not source.columns:  # a constant
            detail = pl.DataFrame(
                {t: [source.text.strip("'\"")] * rows.size, c: [None] * rows.size},
                schema={t: pl.String, c: pl.String},
            )
        else:
            cells = pl.DataFrame(
                [
                    table.get_column(name).gather(rows).cast(pl.String).str.strip_chars()
                    for name in source.columns
                ]
            )
            cells.columns = [f"_{i}" for i in range(cells.width)]
            if field in numbers.culprits:  # arithmetic: the column at fault, or the result
                detail = cells.with_columns(
                    pl.Series("_culprit", numbers.culprits[field][rows]),
                    pl.Series("_result", numbers.results[field][rows]),
                ).select(
                    pl.coalesce(
                        *(
                            pl.when(pl.col("_culprit") == i).then(pl.col(f"_{i}"))
                            for i in range(len(source.columns))
                        ),
                        plain(pl.col("_result")),
                    ).alias(t),
                    pl.col("_culprit")
                    .replace_strict(dict(enumerate(source.columns)), default=None)
                    .cast(pl.String)
                    .alias(c),
                )
            else:
                detail = cells.select(pl.col("_0").alias(t), pl.lit(None, pl.String).alias(c))
        columns += [pl.Series(f"_p_{field}", problems[rows], dtype=pl.Int8), *detail]
    return pl.DataFrame(columns, height=rows.size)


def plain(number: pl.Expr) -> pl.Expr:
    """A number as people write it: 351, not 351.0; 2.5 as 2.5 (and 1e+20 as that)."""
    whole = (number == number.floor()) & (number.abs() < 2.0**63)
    return (
        pl.when(whole)
        .then(number.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(number.cast(pl.String))
    )


def _label(field: str, source: Source | None) -> str:
    """How a message names a field: by itself, or with the column or arithmetic it came
    from when that is named otherwise."""
    if source is None or not source.columns:
        return field
    if source.arithmetic:
        return f"{field} ({source.text})"
    name = source.columns[0]
    return field if name == field else f"{field} (column '{name}')"


def _join(parts: Sequence[pl.Expr]) -> pl.Expr:
    """The parts that apply (null where one does not), joined with '; '."""
    if not parts:
        return pl.lit(None, pl.String)
    joined = pl.concat_str(list(parts), separator="; ", ignore_nulls=True)
    return pl.when(joined != "").then(joined)


def value_messages(sources: Mapping[str, Source], numbers: NumericFields) -> dict[str, pl.Expr]:
    """For each value check, its message over :func:`field_detail`'s columns and ``measure``:
    every field at fault, named with its value."""
    messages = {
        reason: _join(
            [_problem_message(f, sources[f], code) for f in _ORDER if f in numbers.problems]
        )
        for code, reason in PROBLEM_REASONS.items()
    }
    messages["missing_field"] = _missing_message(sources)
    messages["negative"] = _negative_message(sources)
    messages["not_whole"] = _not_whole_message(sources)
    messages["numerator_above_denominator"] = pl.format(
        "{} {} is more than {} {}",
        _label_of("numerator", sources),
        plain(pl.col("numerator")),
        _label_of("denominator", sources),
        plain(pl.col("denominator")),
    )
    return messages


def _label_of(field: str, sources: Mapping[str, Source]) -> pl.Expr:
    """A field as a message names it (see :func:`_label`), as a literal."""
    return pl.lit(_label(field, sources.get(field)))


def _missing_message(sources: Mapping[str, Source]) -> pl.Expr:
    """The fields the measure needs that are empty (or not in the returns at all), and why it
    needs them; else a mean's missing standard deviation."""
    measure = pl.col("measure")
    missing = _join(
        [
            pl.when(
                measure.is_in([m for m, needs in NEEDS.items() if field in needs])
                & pl.col(field).is_null()
            ).then(pl.format("{} is {}", _label_of(field, sources), pl.lit(_empty(field, sources))))
            for field in _ORDER
            if field != "sd"
        ]
    )
    return (
        pl.when(missing.is_not_null())
        .then(
            pl.format(
                "{}: {}",
                missing,
                measure.replace_strict(_WHY_NEEDED, default="", return_dtype=pl.String),
            )
        )
        .otherwise(
            pl.format(
                "{} is {}: a mean of {} cases needs its standard deviation",
                _label_of("sd", sources),
                pl.lit(_empty("sd", sources)),
                plain(pl.col("count")),
            )
        )
    )


def _negative_message(sources: Mapping[str, Source]) -> pl.Expr:
    """Each negative field, with what it is (for the row's measure) that cannot be."""
    measure = pl.col("measure")
    return _join(
        [
            pl.when(pl.col(field) < 0).then(
                pl.format(
                    "{} {} is negative: {} cannot be",
                    _label_of(field, sources),
                    plain(pl.col(field)),
                    measure.replace_strict(
                        {m: _CANNOT_BE_NEGATIVE.get((field, m), noun) for m in NEEDS},
                        default=noun,
                        return_dtype=pl.String,
                    ),
                )
            )
            for field, noun in _NEGATIVE.items()
        ]
    )


def _not_whole_message(sources: Mapping[str, Source]) -> pl.Expr:
    """Each field counting cases or events (for the row's measure) that is not whole."""
    return _join(
        [
            pl.when((pl.col("measure") == kind) & (pl.col(field) != pl.col(field).floor())).then(
                pl.format(
                    "{} {} is not a whole number of {}",
                    _label_of(field, sources),
                    plain(pl.col(field)),
                    pl.lit(counted),
                )
            )
            for (field, kind), counted in _WHOLE.items()
        ]
    )


def _empty(field: str, sources: Mapping[str, Source]) -> str:
    """How a message says a field is empty: in its cell, or for want of a column."""
    return "empty" if field in sources else f"not given (the returns have no {field} column)"


def _problem_message(field: str, source: Source, code: int) -> pl.Expr:
    """The message for a field with a problem of ``code`` (null in rows without it)."""
    text = pl.col(f"_t_{field}")
    at_fault = pl.col(f"_c_{field}")
    label = _label(field, source)
    # Who holds the value: the field, or (arithmetic) the column at fault within it.
    who = (
        pl.when(at_fault.is_not_null())
        .then(pl.format("{} (in {} = {})", at_fault, pl.lit(field), pl.lit(source.text)))
        .otherwise(pl.lit(label))
        if source.arithmetic
        else pl.lit(label)
    )
    from_result = at_fault.is_null() & pl.lit(source.arithmetic)
    if code == NOT_A_NUMBER:
        fixed = decimal_comma(text)
        message = (
            pl.when(fixed.is_not_null())
            .then(pl.format("{} '{}' has a decimal comma: write {}", who, text, fixed))
            .when(text.str.contains(",", literal=True) & text.str.contains(_SEPARATORS))
            .then(
                pl.format(
                    "{} '{}' is not a number: a comma may only separate thousands, as in 1,234,567",
                    who,
                    text,
                )
            )
            .otherwise(pl.format("{} '{}' is not a number", who, text))
        )
    elif code == NOT_FINITE:
        message = (
            pl.when(from_result)
            .then(pl.format("{} works out as {}, which is not a finite number", who, text))
            .otherwise(pl.format("{} '{}' is not a finite number", who, text))
        )
    else:
        message = (
            pl.when(from_result)
            .then(pl.format("{} works out as {}, too large: {}", who, text, pl.lit(_LIMIT)))
            .otherwise(pl.format("{} '{}' is too large: {}", who, text, pl.lit(_LIMIT)))
        )
    return pl.when(pl.col(f"_p_{field}") == code).then(message)
