"""Located problems and the exception hierarchy: ``file:line:col: path: message`` and its caret."""

from __future__ import annotations

import re

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
    capped,
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
# Output that stays readable, whatever the input


def test_a_long_source_line_is_cut_around_the_caret() -> None:
    source = "kpis: [" + ", ".join(["ucr-2h"] * 5000) + "]"
    column = source.index("ucr-2h", 20_000) + 1
    rendered = Problem("'ucr-2h' is listed twice", line=7, column=column, source=source).render()
    _, shown, caret = rendered.split("\n")
    assert len(shown) < 100
    assert shown.startswith("    7 | …")
    assert shown.endswith("…")
    assert shown[caret.index("^")] == "u"  # the caret is under the value at fault
    assert shown[caret.index("^") : caret.index("^") + 6] == "ucr-2h"


@pytest.mark.parametrize("column", [1, 2, 40, 41, 60, 5000, 9999, 10_000, 10_001])
def test_a_long_line_keeps_the_caret_on_its_character(column: int) -> None:
    source = "".join(chr(ord("a") + i % 26) for i in range(10_000))
    _, shown, caret = Problem("m", line=1, column=column, source=source).render().split("\n")
    assert len(shown) <= len("    1 | ") + 82
    if column <= len(source):
        assert shown[caret.index("^")] == source[column - 1]


def test_control_characters_are_shown_not_sent_to_the_terminal() -> None:
    source = "title:\tA\x00B\x1b[31mred\x7f"
    _, shown, caret = Problem("m", line=1, column=8, source=source).render().split("\n")
    assert shown == "    1 | title:→A␀B␛[31mred␡"
    assert shown[caret.index("^")] == "A"
    assert not any(ord(c) < 32 or ord(c) == 127 for c in shown)


def test_a_huge_message_is_cut_in_the_middle() -> None:
    value = "1" * 1_000_000
    problem = Problem(f"{value!r} is not a usable id: use letters and digits", path="id")
    assert len(problem.message) < 2100
    assert problem.message.startswith("'1111")
    assert problem.message.endswith("is not a usable id: use letters and digits")
    assert re.search(r" … \[998,\d{3} characters cut\] … ", problem.message)


def test_repeated_problems_are_counted_after_the_first_few_of_their_kind() -> None:
    repeated = [
        Problem(f"'k{i % 3}' is listed twice", path=f"services[0].kpis[{i}]", line=9, column=i)
        for i in range(1, 4001)
    ]
    other = Problem("another problem", path="title", line=4, column=8)
    error = SpecError([other, *repeated])
    lines = str(error).split("\n")
    assert lines[0] == "4,001 problems found:"
    assert lines[1] == "<text>:4:8: title: another problem"
    assert lines[2:12] == [str(p) for p in repeated[:10]]
    assert lines[12:] == ["… and 3,990 more like it"]
    assert error.problems == (other, *repeated)  # every problem is kept
    assert error.render().split("\n")[-1] == "… and 3,990 more like it"


def test_problems_of_different_kinds_are_each_shown() -> None:
    problems = [Problem(f"problem number {'x' * i}") for i in range(30)]
    assert capped(problems) == problems


@given(st.lists(st.sampled_from(["'a' is bad", "'b' is bad", "m 1", "m 22", "other"]), max_size=60))
def test_capping_shows_at_most_ten_of_each_kind_and_counts_the_rest(messages: list[str]) -> None:
    problems = [Problem(m) for m in messages]
    shown = capped(problems)
    kept = [p for p in shown if isinstance(p, Problem)]
    counted = sum(int(s.split()[2].replace(",", "")) for s in shown if isinstance(s, str))
    assert len(kept) + counted == len(problems)
    kinds = {"'a' is bad": "q", "'b' is bad": "q", "m 1": "m", "m 22": "m", "other": "o"}
    seen: dict[str, int] = {}
    first_ten = []
    for problem in problems:
        kind = kinds[problem.message]
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= 10:
            first_ten.append(id(problem))
    assert [id(p) for p in kept] == first_ten  # the first ten of each kind, in order


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
        "NotFoundError",
        "OutputError",
        "PeriodError",
        "Problem",
        "RecordError",
        "ReturnsError",
        "SpecError",
        "UnitError",
    }
    for name in errors.__all__:
        assert getattr(contractkit, name) is getattr(errors, name)


def test_a_name_not_found_is_a_key_error_written_as_a_sentence() -> None:
    error = errors.NotFoundError("no line 'x' in the fund NEL-BCF (did you mean 'y'?)")
    assert isinstance(error, KeyError)
    assert isinstance(error, errors.ContractKitError)
    assert str(error) == "no line 'x' in the fund NEL-BCF (did you mean 'y'?)"
    assert str(KeyError("no line 'x'")) == "\"no line 'x'\""  # what a bare KeyError would show
