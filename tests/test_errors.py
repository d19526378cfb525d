"""Located problems and the exception hierarchy: ``file:line:col: path: message`` and its caret."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import contractkit
from contractkit import errors
from contractkit.errors import (
    ContractKitError,
    MoneyError,
    PeriodError,
    Problem,
    ReturnsError,
    SpecError,
    UnitError,
)

MESSAGE = "unknown key 'titel'; did you mean 'title'?"


# ============================================================================================
# Problem: the one-line form


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem(message=MESSAGE, path="titel", file="contract.yaml", line=4, column=1),
            f"contract.yaml:4:1: titel: {MESSAGE}",
        ),
        (
            Problem("bad", path="kpis[0].target", file="c.yaml", line=12, column=7),
            "c.yaml:12:7: kpis[0].target: bad",
        ),
        (Problem("bad", file="c.yaml", line=12, column=7), "c.yaml:12:7: bad"),
        (Problem("bad", file="c.yaml", line=12), "c.yaml:12: bad"),
        (Problem("bad", path="title", file="c.yaml", line=12), "c.yaml:12: title: bad"),
        (Problem("bad", file="c.yaml"), "c.yaml: bad"),
        (Problem("bad", file="c.yaml", column=3), "c.yaml: bad"),  # a column needs a line
        (Problem("bad", path="title", file="c.yaml"), "c.yaml: title: bad"),
        (Problem("bad", line=3, column=5), "<text>:3:5: bad"),  # from text, not a file
        (Problem("bad", path="title", line=3), "<text>:3: title: bad"),
        (Problem("bad", path="title"), "title: bad"),
        (Problem("bad"), "bad"),
        (Problem("bad", column=5), "bad"),
    ],
)
def test_problem_str(problem: Problem, text: str) -> None:
    assert str(problem) == text


@pytest.mark.parametrize(
    ("problem", "location"),
    [
        (Problem("m", file="c.yaml", line=4, column=1), "c.yaml:4:1"),
        (Problem("m", file="c.yaml", line=4), "c.yaml:4"),
        (Problem("m", file="c.yaml"), "c.yaml"),
        (Problem("m", line=4, column=2), "<text>:4:2"),
        (Problem("m", path="a.b"), ""),
        (Problem("m"), ""),
    ],
)
def test_problem_location(problem: Problem, location: str) -> None:
    assert problem.location() == location


def test_problem_defaults() -> None:
    problem = Problem("only a message")
    assert problem.message == "only a message"
    assert problem.path == ""
    assert problem.file is None
    assert problem.line is None
    assert problem.column is None
    assert problem.source is None


def test_problem_is_a_frozen_value() -> None:
    problem = Problem("m", path="a", file="f", line=1, column=2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        problem.line = 5  # type: ignore[misc]
    assert problem == Problem("m", path="a", file="f", line=1, column=2)
    assert problem != Problem("m", path="a", file="f", line=1, column=3)
    assert len({problem, Problem("m", path="a", file="f", line=1, column=2)}) == 1


# ============================================================================================
# Problem.render: the offending line with a caret under the column


def test_render_shows_the_line_and_a_caret() -> None:
    problem = Problem(
        MESSAGE, path="titel", file="contract.yaml", line=4, column=1, source="titel: UCR\n"
    )
    assert problem.render() == (
        f"contract.yaml:4:1: titel: {MESSAGE}\n    4 | titel: UCR\n      | ^"
    )


def test_render_puts_the_caret_under_the_column() -> None:
    problem = Problem("bad value", file="c.yaml", line=12, column=11, source="  target: 70 %  ")
    lines = problem.render().splitlines()
    assert lines == [
        "c.yaml:12:11: bad value",
        "   12 |   target: 70 %",
        "      | " + " " * 10 + "^",
    ]
    assert lines[1][lines[2].index("^")] == "7"


def test_render_with_a_long_line_number_keeps_the_bars_aligned() -> None:
    problem = Problem("m", line=1234567, column=2, source="ab")
    first, gutter_line, caret_line = problem.render().splitlines()
    assert first == "<text>:1234567:2: m"
    assert gutter_line == "1234567 | ab"
    assert caret_line.index("|") == gutter_line.index("|")
    assert gutter_line[caret_line.index("^")] == "b"


@pytest.mark.parametrize("column", [None, 0, 1])
def test_render_without_a_useful_column_points_at_the_first_character(column: int | None) -> None:
    problem = Problem("m", line=2, column=column, source="key: value")
    _, gutter_line, caret_line = problem.render().splitlines()
    assert caret_line == "      | ^"
    assert gutter_line[caret_line.index("^")] == "k"


@pytest.mark.parametrize(
    "problem",
    [
        Problem("m", file="c.yaml", line=3, column=1),  # no source
        Problem("m", file="c.yaml", source="key: value"),  # a source but no line
        Problem("m", path="a.b", source="key: value"),
        Problem("m"),
    ],
)
def test_render_without_source_and_line_is_the_one_line_form(problem: Problem) -> None:
    assert problem.render() == str(problem)
    assert "\n" not in problem.render()


@given(
    line=st.integers(min_value=1, max_value=10**9),
    source=st.text(
        alphabet=st.characters(codec="ascii", min_codepoint=33, max_codepoint=126),
        min_size=1,
        max_size=80,
    ),
    data=st.data(),
    indent=st.integers(min_value=0, max_value=8),
    trailing=st.sampled_from(["", "\n", "   ", "\r\n"]),
)
def test_render_caret_is_under_the_column(
    line: int, source: str, data: st.DataObject, indent: int, trailing: str
) -> None:
    text = " " * indent + source
    column = data.draw(st.integers(min_value=1, max_value=len(text)), label="column")
    problem = Problem(
        "m", path="p", file="f.yaml", line=line, column=column, source=text + trailing
    )
    rendered = problem.render().split("\n")
    assert len(rendered) == 3
    first, gutter_line, caret_line = rendered
    assert first == str(problem) == f"f.yaml:{line}:{column}: p: m"
    gutter = f"{line:>5} | "
    assert gutter_line == gutter + text  # trailing whitespace and newline dropped
    assert caret_line.index("|") == gutter_line.index("|")
    assert caret_line.strip(" |") == "^"
    caret = caret_line.index("^")
    assert caret == len(gutter) + column - 1
    assert gutter_line[caret] == text[column - 1]


# ============================================================================================
# SpecError


def test_spec_error_with_one_problem_is_that_problem() -> None:
    problem = Problem(MESSAGE, path="titel", file="contract.yaml", line=4, column=1)
    error = SpecError([problem])
    assert str(error) == f"contract.yaml:4:1: titel: {MESSAGE}"
    assert error.problems == (problem,)


def test_spec_error_with_several_problems_counts_them() -> None:
    problems = [
        Problem("first", file="c.yaml", line=1, column=1),
        Problem("second", path="kpis[0]", file="c.yaml", line=9, column=3),
    ]
    error = SpecError(problems)
    assert str(error) == "2 problems found:\nc.yaml:1:1: first\nc.yaml:9:3: kpis[0]: second"
    assert error.problems == tuple(problems)


def test_spec_error_with_no_problems() -> None:
    error = SpecError([])
    assert str(error) == "0 problems found:"
    assert error.problems == ()


def test_spec_error_accepts_any_iterable_and_keeps_a_tuple() -> None:
    problems = [Problem("a"), Problem("b"), Problem("c")]
    error = SpecError(p for p in problems)
    assert isinstance(error.problems, tuple)
    assert error.problems == tuple(problems)
    assert str(error).startswith("3 problems found:\n")


def test_spec_error_is_a_value_error_and_a_contractkit_error() -> None:
    error = SpecError([Problem("bad")])
    assert isinstance(error, ValueError)
    assert isinstance(error, ContractKitError)
    assert isinstance(error, Exception)
    with pytest.raises(ValueError, match=r"^bad$"):
        raise error
    with pytest.raises(ContractKitError, match=r"^bad$"):
        raise SpecError([Problem("bad")])


def test_spec_error_render_renders_every_problem() -> None:
    problems = [
        Problem("first", file="c.yaml", line=1, column=3, source="a: b"),
        Problem("second", path="x"),
    ]
    assert SpecError(problems).render() == "c.yaml:1:3: first\n    1 | a: b\n      |   ^\nx: second"


@given(
    st.lists(
        st.builds(
            Problem,
            message=st.text(st.characters(codec="ascii", min_codepoint=32), min_size=1),
            path=st.sampled_from(["", "title", "kpis[0].target"]),
            file=st.sampled_from([None, "contract.yaml"]),
            line=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000)),
            column=st.one_of(st.none(), st.integers(min_value=1, max_value=200)),
        ),
        max_size=8,
    )
)
def test_spec_error_summary_lists_every_problem(problems: list[Problem]) -> None:
    error = SpecError(problems)
    lines = str(error).split("\n")
    if len(problems) == 1:
        assert lines == [str(problems[0])]
    else:
        assert lines[0] == f"{len(problems)} problems found:"
        assert lines[1:] == [str(p) for p in problems]
    assert error.problems == tuple(problems)
    # Without source lines, rendering is just each problem's one-line form.
    assert error.render() == "\n".join(str(p) for p in problems)


# ============================================================================================
# PeriodError and UnitError


def test_period_error() -> None:
    error = PeriodError("'2026/28' is not a financial year", got="2026/28")
    assert str(error) == "'2026/28' is not a financial year"
    assert error.got == "2026/28"
    assert isinstance(error, ValueError)
    assert isinstance(error, ContractKitError)
    assert not isinstance(error, SpecError | UnitError)
    assert PeriodError("m").got is None


def test_unit_error() -> None:
    error = UnitError("90 kilograms is a mass, not a time", got="90 kilograms", expected="a time")
    assert str(error) == "90 kilograms is a mass, not a time"
    assert error.got == "90 kilograms"
    assert error.expected == "a time"
    assert isinstance(error, ValueError)
    assert isinstance(error, ContractKitError)
    assert not isinstance(error, SpecError | PeriodError)
    plain = UnitError("m")
    assert plain.got is None
    assert plain.expected is None


@pytest.mark.parametrize("kind", [SpecError, PeriodError, UnitError, MoneyError, ReturnsError])
def test_every_error_is_caught_by_the_root(kind: type[ContractKitError]) -> None:
    assert issubclass(kind, ContractKitError)
    assert issubclass(kind, ValueError)
    error = SpecError([Problem("m")]) if kind is SpecError else kind("m")
    with pytest.raises(ContractKitError, match=r"^m$"):
        raise error


def test_contract_kit_error_is_not_a_value_error() -> None:
    # The root is a plain Exception; only the concrete errors add ValueError.
    assert issubclass(ContractKitError, Exception)
    assert not issubclass(ContractKitError, ValueError)


def test_errors_are_exported() -> None:
    assert set(errors.__all__) == {
        "ArgumentError",
        "ContractKitError",
        "MoneyError",
        "OutputError",
        "PeriodError",
        "Problem",
        "ReturnsError",
        "SpecError",
        "UnitError",
    }
    for name in errors.__all__:
        assert getattr(contractkit, name) is getattr(errors, name)
