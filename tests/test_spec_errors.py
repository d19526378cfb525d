"""Bad contracts: every class of mistake is reported at its line, column and dotted path.

Each bad input is the valid example with one small edit, so that line numbers are
deterministic. A case names the fragment of the edited text the problem must point at, with
``»`` marking the exact character (the fragment's first character when there is no ``»``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

import contractkit
from _support import MARK, edit, locate
from contractkit import Problem, SpecError

# --- helpers ---------------------------------------------------------------------------------


def problems_of(source: str | Path) -> tuple[Problem, ...]:
    with pytest.raises(SpecError) as caught:
        contractkit.load(source)
    assert caught.value.problems, "a SpecError must carry at least one problem"
    return caught.value.problems


def one_at(problems: tuple[Problem, ...], path: str) -> Problem:
    found = [p for p in problems if p.path == path]
    assert len(found) == 1, f"expected one problem at {path!r}, got: {[str(p) for p in problems]}"
    return found[0]


def caret_column(rendered: str) -> int:
    """The 1-based column of the caret in ``Problem.render()``, relative to the source line."""
    _, source_line, caret_line = rendered.split("\n")
    gutter = source_line.index(" | ") + len(" | ")
    assert caret_line[:gutter].strip() == "|"
    return caret_line.index("^") - gutter + 1


# --- the cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    edits: tuple[tuple[str, str], ...]
    path: str
    at: str
    words: tuple[str, ...]
    absent: tuple[str, ...] = ()
    alone: bool = True
    """Whether this problem should be the only one in the file."""


TITLE = "title: Urgent community response and falls prevention"

CASES: dict[str, Bad] = {
    # YAML syntax
    "syntax-bad-indentation": Bad(
        (("    name: Neighbours Together\n", "    name: Neighbours Together\n   bad: indent\n"),),
        path="",
        at="   »bad: indent",
        words=("YAML syntax error", "expected '-' indicator"),
    ),
    "syntax-colon-in-plain-value": Bad(
        ((TITLE, "title: a: b"),),
        path="",
        at="title: a»: b",
        words=("YAML syntax error", "mapping values are not allowed"),
    ),
    # duplicate keys: at the second key, naming the first key's line
    "duplicate-top-level-key": Bad(
        ((TITLE + "\n", TITLE + "\ntitle: again\n"),),
        path="title",
        at="title: again",
        words=("duplicate key 'title'", "first given at line 4"),
    ),
    "duplicate-nested-key": Bad(
        (("    months: 9\n", "    months: 9\n    months: 10\n"),),
        path="embedding[1].months",
        at="months: 10",
        words=("duplicate key 'months'", "first given at line 32"),
    ),
    # unknown keys, with a suggestion
    "unknown-key-titel": Bad(
        (("title:", "titel:"),),
        path="titel",
        at="titel:",
        words=("unknown key 'titel'", "did you mean 'title'?"),
        alone=False,  # 'title' is then missing too
    ),
    "unknown-nested-key-unitt": Bad(
        (("    measure: mean\n", "    measure: mean\n    unitt: minutes\n"),),
        path="kpis[1].unitt",
        at="unitt: minutes",
        words=("unknown key 'unitt'", "did you mean 'unit'?"),
    ),
    # wrong types
    "months-three": Bad(
        (("months: 3", "months: three"),),
        path="embedding[0].months",
        at="months: »three",
        words=("valid integer", "'three'"),
    ),
    "list-where-a-mapping-belongs": Bad(
        (
            (
                "term:\n  start: 2026-04-01\n  end: 2029-03-31",
                "term:\n  - 2026-04-01\n  - 2029-03-31",
            ),
        ),
        path="term",
        at="term:\n  »- 2026-04-01",
        words=("expected a mapping", "got a list"),
    ),
    "text-where-a-list-belongs": Bad(
        (
            (
                "kpis: [falls-admissions]\n  - id: falls-befriending",
                "kpis: falls-admissions\n  - id: falls-befriending",
            ),
        ),
        path="services[2].kpis",
        at="kpis: »falls-admissions\n  - id: falls-befriending",
        words=("expected a list", "'falls-admissions'"),
    ),
    "measure-misspelt": Bad(
        (("measure: proportion", "measure: proportoin"),),
        path="kpis[0].measure",
        at="measure: »proportoin",
        words=("'proportoin' is not one of", "did you mean 'proportion'?"),
    ),
    # units and dimensions
    "unknown-unit-minuets": Bad(
        (("threshold: 90 minutes", "threshold: 90 minuets"),),
        path="kpis[1].threshold",
        at="threshold: »90 minuets",
        words=("unknown unit 'minuets'", "did you mean 'minutes'?"),
    ),
    "wrong-dimension-kg": Bad(
        (("threshold: 90 minutes", "threshold: 90 kg"),),
        path="kpis[1].threshold",
        at="threshold: »90 kg",
        words=("a mass", "a time"),
    ),
    "percentage-over-100": Bad(
        (("established: 70%", "established: 170%"),),
        path="kpis[0].threshold.established",
        at="established: »170%",
        words=("170%", "more than 100%"),
    ),
    "bare-number-for-a-proportion": Bad(
        (("established: 70%", "established: 70"),),
        path="kpis[0].threshold.established",
        at="established: »70\n",
        words=("not a proportion", "'70%'"),
    ),
    # dangling references
    "service-names-unknown-provider": Bad(
        (("provider: RQX", "provider: RQZ"),),
        path="services[1].provider",
        at="provider: »RQZ",
        words=("unknown provider 'RQZ'", "did you mean 'RQX'?"),
    ),
    "service-names-unknown-kpi": Bad(
        (
            (
                "kpis: [falls-admissions]\n  - id: falls-befriending",
                "kpis: [falls-admission]\n  - id: falls-befriending",
            ),
        ),
        path="services[2].kpis[0]",
        at="[»falls-admission]",
        words=("unknown KPI 'falls-admission'", "did you mean 'falls-admissions'?"),
    ),
    "outcome-names-unknown-kpi": Bad(
        (("kpis: [ucr-2h, falls-admissions]", "kpis: [ucr-2h, falls-admits]"),),
        path="outcomes[0].kpis[1]",
        at="[ucr-2h, »falls-admits]",
        words=("unknown KPI 'falls-admits'", "did you mean 'falls-admissions'?"),
    ),
    "outcome-names-kpi-like-no-other": Bad(
        (("kpis: [ucr-2h, falls-admissions]", "kpis: [ucr-2h, waiting-times]"),),
        path="outcomes[0].kpis[1]",
        at="[ucr-2h, »waiting-times]",
        words=(
            "unknown KPI 'waiting-times'",
            "falls-admissions, first-contact, never-events, ucr-2h",
        ),
        absent=("did you mean",),
    ),
    # stages
    "staged-threshold-names-undefined-stage": Bad(
        (("      embedding: 60%", "      embeding: 60%"),),
        path="kpis[0].threshold.embeding",
        at="embeding: 60%",
        words=("unknown stage 'embeding'", "did you mean 'embedding'?"),
    ),
    "open-ended-stage-not-last": Bad(
        (("  - stage: embedding\n    months: 9\n", "  - stage: embedding\n"),),
        path="embedding[1]",
        at="  - »stage: embedding\n",
        words=("stage 'embedding' has no 'months'", "move it last"),
    ),
    "last-stage-with-months": Bad(
        (
            (
                "  - stage: established    # to the end of the term",
                "  - stage: established\n    months: 12",
            ),
        ),
        path="embedding[2].months",
        at="months: »12",
        words=("last stage", "takes no 'months'"),
    ),
    "duplicate-stage-name": Bad(
        (("  - stage: embedding\n    months: 9", "  - stage: mobilisation\n    months: 9"),),
        path="embedding[1].stage",
        at="  - stage: »mobilisation\n    months: 9",
        words=("'mobilisation' is used twice", "embedding[0]"),
        alone=False,  # the threshold's 'embedding' stage is then unknown too
    ),
    "stage-named-like-a-provider-type": Bad(
        (
            ("  - stage: embedding\n", "  - stage: vcse\n"),
            ("      embedding: 60%", "      vcse: 60%"),
        ),
        path="embedding[1].stage",
        at="  - stage: »vcse",
        words=("'vcse' is a provider type",),
    ),
    # dates and the term
    "dated-value-outside-the-term": Bad(
        (("        2027-04-01: 10", "        2030-04-01: 10"),),
        path="kpis[2].threshold.established.2030-04-01",
        at="2030-04-01: 10",
        words=("2030-04-01 is outside the term", "2026-04-01 to 2029-03-31"),
    ),
    "commences-after-the-term": Bad(
        (
            (
                "provider: NQT10\n    commences: 2026-10-01",
                "provider: NQT10\n    commences: 2029-10-01",
            ),
        ),
        path="services[2].commences",
        at="commences: »2029-10-01",
        words=("commences 2029-10-01", "after the term ends (2029-03-31)"),
    ),
    "term-ends-before-it-starts": Bad(
        (("  end: 2029-03-31", "  end: 2025-03-31"),),
        path="term.end",
        at="  end: »2025-03-31",
        words=("the term ends (2025-03-31) on or before it starts (2026-04-01)",),
    ),
    # dates written another way: the same date, written year-month-day
    "date-written-day-first": Bad(
        (("  start: 2026-04-01", "  start: 01/04/2026"),),
        path="term.start",
        at="  start: »01/04/2026",
        words=("'01/04/2026' is not a date: write dates as year-month-day, 2026-04-01",),
    ),
    "date-without-leading-zeros": Bad(
        (("  start: 2026-04-01", "  start: 2026-4-1"),),
        path="term.start",
        at="  start: »2026-4-1",
        words=("'2026-4-1' is not a date: write dates as year-month-day, 2026-04-01",),
    ),
    "date-with-a-time": Bad(
        (("  start: 2026-04-01", "  start: 2026-04-01T09:00:00"),),
        path="term.start",
        at="  start: »2026-04-01T09:00:00",
        words=("'2026-04-01T09:00:00' is a date and a time: write the date alone, 2026-04-01",),
    ),
    "date-that-is-no-day": Bad(
        (("  end: 2029-03-31", "  end: 2029-02-29"),),
        path="term.end",
        at="  end: »2029-02-29",
        words=("'2029-02-29' is not a date: February 2029 has 28 days",),
    ),
    "dated-threshold-keys-written-day-first": Bad(
        (("        2026-04-01: 12", "        01/04/2026: 12"),),
        path="kpis[2].threshold.established.01/04/2026",
        at="»01/04/2026: 12",
        words=("'01/04/2026' is not a date: write dates as year-month-day, 2026-04-01",),
        absent=("staged", "mixes dates"),
    ),
    "dated-threshold-key-in-words": Bad(
        (("        2027-04-01: 10", "        1 April 2027: 10"),),
        path="kpis[2].threshold.established.1 April 2027",
        at="»1 April 2027: 10",
        words=("'1 April 2027' is not a date: write dates as year-month-day, 2027-04-01",),
    ),
    "term-ends-in-the-year-9999": Bad(
        (("  end: 2029-03-31", "  end: 9999-12-31"),),
        path="term.end",
        at="  end: »9999-12-31",
        words=("9999-12-31 is outside the dates contractkit works with", "check the year"),
    ),
    "stage-longer-than-any-contract": Bad(
        (("    months: 9\n", "    months: 100000\n"),),
        path="embedding[1].months",
        at="months: »100000",
        words=("a stage of 100,000 months is longer than any contract", "at most 1,200 months"),
    ),
    # duplicate ids
    "duplicate-service-id": Bad(
        (("  - id: falls-east", "  - id: ucr-north"),),
        path="services[2].id",
        at="  - id: »ucr-north\n    provider: NQT10",
        words=("'ucr-north' is used twice", "also services[0]"),
        alone=False,  # the finance section still pays 'falls-east', now unknown
    ),
    "duplicate-kpi-id": Bad(
        (("  - id: never-events", "  - id: ucr-2h"),),
        path="kpis[3].id",
        at="  - id: »ucr-2h\n    name: Never events",
        words=("'ucr-2h' is used twice", "also kpis[0]"),
        alone=False,  # the services' 'never-events' is then unknown
    ),
    # YAML features that are refused
    "explicit-python-tag": Bad(
        ((TITLE, "title: !!python/object:os.system echo"),),
        path="title",
        at="title: »!!python",
        words=("explicit YAML tags are not allowed", "'!!python/object:os.system'"),
    ),
    "explicit-str-tag": Bad(
        ((TITLE, "title: !!str Urgent community response"),),
        path="title",
        at="title: »!!str",
        words=("explicit YAML tags are not allowed", "'!!str'"),
    ),
    "anchor": Bad(
        (("    months: 3\n", "    months: &three 3\n"),),
        path="embedding[0].months",
        at="months: »&three",
        words=("anchors (&name) are not allowed",),
    ),
    "alias": Bad(
        (("    months: 3\n", "    months: &nine 9\n"), ("    months: 9\n", "    months: *nine\n")),
        path="embedding[1].months",
        at="months: »*nine",
        words=("aliases (*name) are not allowed",),
        alone=False,  # the anchor is refused too
    ),
    # YAML that cannot hurt: numbers beyond any figure, unreadable characters, tabs
    "infinite-threshold": Bad(
        (("threshold: 90 minutes", "threshold: .inf"),),
        path="kpis[1].threshold",
        at="threshold: ».inf",
        words=(".inf is infinite, which no figure in a contract can be: give a finite number",),
    ),
    "nan-flag-level": Bad(
        (("  warning: 0.025", "  warning: .nan"),),
        path="flags.warning",
        at="warning: ».nan",
        words=(".nan is 'not a number'", "give a number"),
    ),
    "threshold-beyond-a-double": Bad(
        (("threshold: 90 minutes", "threshold: 1e309"),),
        path="kpis[1].threshold",
        at="threshold: »1e309",
        words=(
            "1e309 is larger than any figure a contract holds (numbers are read below 10^18)",
            "put it in quotes if it is text",
        ),
    ),
    "flag-level-with-a-billion-decimal-places": Bad(
        (("  warning: 0.025", "  warning: 1e-1000000000"),),
        path="flags.warning",
        at="warning: »1e-1000000000",
        words=("1e-1000000000 is finer than any figure a contract holds",),
    ),
    "months-beyond-any-number": Bad(
        (("months: 3", "months: 1000000000000000000000000000000"),),
        path="embedding[0].months",
        at="months: »1000000000000000000000000000000",
        words=("100000000000…(31 characters) is larger than any figure a contract holds",),
    ),
    "a-number-of-five-thousand-digits": Bad(
        ((TITLE, "title: " + "1" * 5000),),
        path="title",
        at="title: »111",
        words=("111111111111…(5,000 characters) is larger than any figure",),
    ),
    "nul-byte-on-line-4": Bad(
        ((TITLE, "title: Urgent\x00community response"),),
        path="",
        at="title: Urgent»\x00",
        words=("an unreadable character (U+0000, NUL)", "delete it"),
    ),
    "escape-character": Bad(
        (("    name: Neighbours Together", "    name: Neighbours \x1b[31mTogether"),),
        path="",
        at="Neighbours »\x1b",
        words=("an unreadable character (U+001B, ESC)",),
    ),
    "tab-in-the-indentation": Bad(
        (("    name: Neighbours Together", "  \tname: Neighbours Together"),),
        path="",
        at="  »\tname: Neighbours Together",
        words=("YAML syntax error: a tab in the indentation: indent with spaces, not tabs",),
    ),
    "tab-at-the-start-of-a-line": Bad(
        (("\nproviders:\n  - id: NLO01", "\nproviders:\n\t- id: NLO01"),),
        path="",
        at="»\t- id: NLO01",
        words=("a tab in the indentation: indent with spaces, not tabs",),
    ),
    "a-line-of-a-megabyte": Bad(
        ((TITLE, "title: [" + ", ".join(["x"] * 350_000) + "]"),),
        path="",
        at="title: [" + "x, " * 33_330 + "x,» ",
        words=("a line too long to read (1,050,007 characters; at most 100,000)",),
    ),
    "nested-beyond-any-spec": Bad(
        ((TITLE, "title: " + "[" * 100 + "]" * 100),),
        path="title" + "[0]" * 64,
        at="title: " + "[" * 64 + "»[",
        words=("nested too deeply: more than 64 lists and mappings",),
    ),
    # the file as a whole
    "two-documents": Bad(
        (("    flagged: 4\n    within: 4\n", "    flagged: 4\n    within: 4\n---\nid: other\n"),),
        path="",
        at="---\nid: other",
        words=("one document", "second starts here"),
    ),
    "unknown-kind": Bad(
        (("contractkit: 1\n", "contractkit: 1\nkind: contrakt\n"),),
        path="kind",
        at="kind: »contrakt",
        words=("unknown kind 'contrakt'", "did you mean 'contract'?"),
    ),
    # a count's threshold is for its whole assessment period
    "count-threshold-per-month": Bad(
        (("    threshold: 0\n", "    threshold: 2 per month\n"),),
        path="kpis[3].threshold",
        at="threshold: »2 per month",
        words=(
            "'2 per month': a count's threshold is a number for the whole assessment period "
            "(each month, as this KPI is assessed monthly), so write 2",
        ),
        absent=("did you mean",),
    ),
    # a provider type in other words: the type's own word is given
    "provider-type-charity": Bad(
        (("    type: vcse", "    type: charity"),),
        path="providers[3].type",
        at="type: »charity",
        words=("'charity' is not a provider type", "such as a charity, is 'vcse'"),
    ),
    "provider-type-council": Bad(
        (("    type: vcse", "    type: Council"),),
        path="providers[3].type",
        at="type: »Council",
        words=("'Council' is not a provider type", "a council is 'local_authority'"),
    ),
    # escalation and flags
    "escalation-both-flagged-and-alarms": Bad(
        (("    alarms: 1\n", "    alarms: 1\n    flagged: 1\n"),),
        path="escalation[1]",
        at="  - »step: contract_performance_notice\n    alarms: 1",
        words=("give either 'flagged' or 'alarms'",),
    ),
    "escalation-neither-flagged-nor-alarms": Bad(
        (("    alarms: 1\n", ""),),
        path="escalation[1]",
        at="  - »step: contract_performance_notice\n    within: 1",
        words=("give either 'flagged' or 'alarms'",),
    ),
    "escalation-flagged-more-than-within": Bad(
        (("    flagged: 3\n    within: 4", "    flagged: 5\n    within: 4"),),
        path="escalation[2].flagged",
        at="flagged: »5",
        words=("5 periods cannot fall within the most recent 4",),
    ),
    "escalation-alarms-more-than-within": Bad(
        (("    alarms: 1\n    within: 1", "    alarms: 2\n    within: 1"),),
        path="escalation[1].alarms",
        at="alarms: »2",
        words=("2 periods cannot fall within the most recent 1",),
    ),
    "escalation-out-of-the-order-of-general-condition-9": Bad(
        (
            (
                "escalation:\n  - step: contract_performance_notice",
                "escalation:\n  - step: termination",
            ),
        ),
        path="escalation[0].step",
        at="step: »termination",
        words=(
            "'termination' is listed before 'contract_performance_notice', as the less serious "
            "step, but it comes after it in contract management (General Condition 9",
            "contract_performance_notice → remedial_action_plan → exception_notice → termination",
        ),
    ),
    "flags-alarm-above-warning": Bad(
        (("  alarm: 0.001", "  alarm: 0.05"),),
        path="flags.alarm",
        at="  alarm: »0.05",
        words=("alarm level (0.05)", "stricter (smaller) than the warning level (0.025)"),
    ),
    "flags-alarm-equal-to-warning": Bad(
        (("  alarm: 0.001", "  alarm: 0.025"),),
        path="flags.alarm",
        at="  alarm: »0.025",
        words=("alarm level (0.025)", "stricter (smaller) than the warning level (0.025)"),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_located(name: str, ucr_text: str) -> None:
    case = CASES[name]
    text = edit(ucr_text, *case.edits)
    problems = problems_of(text)
    problem = one_at(problems, case.path)
    assert (problem.line, problem.column) == locate(text, case.at), str(problem)
    for word in case.words:
        assert word in problem.message
    for word in case.absent:
        assert word not in problem.message
    if case.alone:
        assert problems == (problem,), [str(p) for p in problems]
    assert problem.file is None
    assert problem.source == text.splitlines()[problem.line - 1]
    if len(problem.source) <= 100:
        assert caret_column(problem.render()) == problem.column
    else:  # a long line is cut around the caret, which stays under the character at fault
        _, shown, caret = problem.render().split("\n")
        assert len(shown) < 100
        assert shown[caret.index("^")] == problem.source[problem.column - 1]


@pytest.mark.parametrize(
    ("name", "line", "column"),
    [
        ("syntax-bad-indentation", 24, 4),
        ("syntax-colon-in-plain-value", 4, 9),
        ("duplicate-top-level-key", 5, 1),
        ("unknown-key-titel", 4, 1),
        ("months-three", 29, 13),
        ("list-where-a-mapping-belongs", 9, 3),
        ("unknown-unit-minuets", 60, 16),
        ("percentage-over-100", 50, 20),
        ("service-names-unknown-provider", 91, 15),
        ("outcome-names-unknown-kpi", 106, 20),
        ("staged-threshold-names-undefined-stage", 49, 7),
        ("stage-named-like-a-provider-type", 31, 12),
        ("dated-value-outside-the-term", 73, 9),
        ("term-ends-before-it-starts", 10, 8),
        ("explicit-python-tag", 4, 8),
        ("two-documents", 123, 1),
        ("unknown-kind", 3, 7),
        ("escalation-flagged-more-than-within", 118, 14),
    ],
)
def test_positions_hard_coded(name: str, line: int, column: int, ucr_text: str) -> None:
    """A few positions written out by hand, so that the helpers cannot agree with a wrong loader."""
    case = CASES[name]
    problem = one_at(problems_of(edit(ucr_text, *case.edits)), case.path)
    assert (problem.line, problem.column) == (line, column)


def test_unknown_key_also_reports_the_missing_key(ucr_text: str) -> None:
    problems = problems_of(edit(ucr_text, ("title:", "titel:")))
    messages = [(p.line, p.path, p.message) for p in problems]
    assert (2, "", "missing required key 'title'") in messages
    assert len(problems) == 2


def test_unclosed_quote_points_where_the_quote_opens(ucr_text: str) -> None:
    """libyaml only notices at the end of the file; the user needs to know where it began."""
    text = edit(ucr_text, (TITLE, 'title: "Urgent community response'))
    (problem,) = problems_of(text)
    assert problem.message.startswith("YAML syntax error")
    assert (problem.line, problem.column, problem.path) == (4, 8, ""), str(problem)
    assert "quoted scalar" in problem.message
    assert caret_column(problem.render()) == 8


def test_syntax_error_keeps_the_problems_found_before_it(ucr_text: str) -> None:
    text = edit(ucr_text, (TITLE + "\n", "title: x\ntitle: y\n")) + "  bad: [\n"
    problems = problems_of(text)
    end = text.count("\n")  # the unclosed '[' runs to the end of the file
    assert [(p.line, p.column, p.path) for p in problems] == [(5, 1, "title"), (end, 1, "")]
    assert "duplicate key 'title'" in problems[0].message
    assert problems[1].message.startswith("YAML syntax error")


def test_contractkit_version_2_names_the_supported_version(ucr_text: str) -> None:
    text = edit(ucr_text, ("contractkit: 1", "contractkit: 2"))
    (problem,) = problems_of(text)
    assert (problem.line, problem.column, problem.path) == (2, 14, "contractkit")
    assert "2" in problem.message
    # The reader must be told which version(s) this release reads: 1.
    assert re.search(r"\b1\b", problem.message), problem.message


# --- YAML 1.1 traps: strings stay strings ------------------------------------------------------


@pytest.mark.parametrize(
    ("edits", "value", "expected"),
    [
        (
            (("name: Neighbours Together", "name: NO"),),
            lambda c: c.provider("V4K").name,
            "NO",
        ),
        (
            (("name: Harbour Health Ltd", "name: yes"),),
            lambda c: c.provider("NQT10").name,
            "yes",
        ),
        (
            (("name: North East London Integrated Care Board", "name: off"),),
            lambda c: c.commissioners[0].name,
            "off",
        ),
        (
            (("clause: Schedule 4C LQR-01", "clause: 1:30"),),
            lambda c: c.kpi("ucr-2h").clause,
            "1:30",
        ),
        (
            (("clause: Schedule 4C LQR-02", "clause: 012"),),
            lambda c: c.kpi("first-contact").clause,
            "012",
        ),
        (
            (("  - id: V4K", "  - id: 012"), ("provider: V4K", "provider: 012")),
            lambda c: c.provider("012").name,
            "Neighbours Together",
        ),
    ],
    ids=["NO", "yes", "off", "1:30", "012-clause", "012-ods-code"],
)
def test_yaml_1_1_traps_stay_strings(
    edits: tuple[tuple[str, str], ...],
    value: Callable[[contractkit.Contract], object],
    expected: str,
    ucr_text: str,
) -> None:
    contract = contractkit.load(edit(ucr_text, *edits))
    got = value(contract)
    assert got == expected
    assert type(got) is str


def test_the_non_specific_tag_makes_a_plain_value_text(ucr_text: str) -> None:
    contract = contractkit.load(edit(ucr_text, (TITLE, "title: ! 2026-04-01")))
    assert contract.title == "2026-04-01"
    assert type(contract.title) is str


# --- the file as a whole -----------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.file == str(path)
    assert (problem.line, problem.column, problem.path) == (1, 1, "")
    assert "the file is empty" in problem.message
    assert str(problem).startswith(f"{path}:1:1: ")


@pytest.mark.parametrize("text", ["\n", "# only a comment\n"])
def test_blank_text_is_empty(text: str) -> None:
    (problem,) = problems_of(text)
    assert (problem.line, problem.column, problem.path) == (1, 1, "")
    assert "the file is empty" in problem.message


@pytest.mark.parametrize("text", ["- id: NEL-UCR-2026\n- title: A contract\n", "just words\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    (problem,) = problems_of(text)
    assert (problem.line, problem.column, problem.path) == (1, 1, "")
    assert "expected a mapping" in problem.message
    assert "top level" in problem.message


def test_problems_name_the_file(tmp_path: Path, ucr_text: str) -> None:
    path = tmp_path / "contract.yaml"
    path.write_text(edit(ucr_text, ("threshold: 90 minutes", "threshold: 90 minuets")), "utf-8")
    (problem,) = problems_of(path)
    assert problem.file == str(path)
    assert str(problem) == (
        f"{path}:60:16: kpis[1].threshold: unknown unit 'minuets'; did you mean 'minutes'?"
    )
    assert problem.render().split("\n") == [
        str(problem),
        "   60 |     threshold: 90 minuets",
        "      |                ^",
    ]


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    (problem,) = problems_of(path)
    assert problem.file == str(path)
    assert "no such file" in problem.message


# --- every problem at once --------------------------------------------------------------------

SIX = (
    ("  end: 2029-03-31", "  end: 2025-03-31"),
    ("months: 3", "months: three"),
    ("threshold: 90 minutes", "threshold: 90 minuets"),
    ("provider: RQX", "provider: RQZ"),
    ("kpis: [ucr-2h, falls-admissions]", "kpis: [ucr-2h, falls-admits]"),
    ("    flagged: 3\n    within: 4", "    flagged: 5\n    within: 4"),
)


def test_all_problems_are_reported_together_in_line_order(ucr_text: str) -> None:
    text = edit(ucr_text, *SIX)
    with pytest.raises(SpecError) as caught:
        contractkit.load(text)
    problems = caught.value.problems
    assert [(p.line, p.column, p.path) for p in problems] == [
        (10, 8, "term.end"),
        (29, 13, "embedding[0].months"),
        (60, 16, "kpis[1].threshold"),
        (91, 15, "services[1].provider"),
        (106, 20, "outcomes[0].kpis[1]"),
        (118, 14, "escalation[2].flagged"),
    ]
    assert "on or before it starts" in problems[0].message
    assert "valid integer" in problems[1].message
    assert "unknown unit 'minuets'" in problems[2].message
    assert "unknown provider 'RQZ'" in problems[3].message
    assert "unknown KPI 'falls-admits'" in problems[4].message
    assert "cannot fall within" in problems[5].message
    assert str(caught.value).splitlines()[0] == "6 problems found:"
    rendered = caught.value.render().split("\n")
    assert len(rendered) == 3 * 6
    assert rendered[1] == "   10 |   end: 2025-03-31"


def test_yaml_problems_and_model_problems_are_reported_together(ucr_text: str) -> None:
    text = edit(
        ucr_text,
        (TITLE, "title: !!str A title"),
        ("    months: 9\n", "    months: 9\n    months: 10\n"),
        ("threshold: 90 minutes", "threshold: 90 minuets"),
    )
    problems = problems_of(text)
    assert [(p.line, p.column, p.path) for p in problems] == [
        (4, 8, "title"),
        (33, 5, "embedding[1].months"),
        (61, 16, "kpis[1].threshold"),
    ]


@pytest.mark.parametrize("name", ["months-three", "unknown-unit-minuets", "anchor", "unknown-kind"])
def test_render_puts_the_caret_under_the_column(name: str, ucr_text: str) -> None:
    case = CASES[name]
    text = edit(ucr_text, *case.edits)
    problem = one_at(problems_of(text), case.path)
    head, source_line, caret_line = problem.render().split("\n")
    assert head == str(problem)
    assert source_line == f"{problem.line:>5} | {text.splitlines()[problem.line - 1]}"
    caret = caret_line.index("^")
    fragment = case.at.replace(MARK, "")
    expected_char = fragment[max(case.at.find(MARK), 0)]
    assert source_line[caret] == expected_char


# --- from Python --------------------------------------------------------------------------------

KPI_ARGS = {
    "id": "ucr-2h",
    "name": "Urgent community response within 2 hours",
    "measure": "proportion",
    "better": "higher",
    "reported": "monthly",
    "assessed": "quarterly",
    "threshold": "70%",
}


@pytest.mark.parametrize(
    ("given", "words"),
    [
        (
            [1, 2],
            "load reads a spec from the path of a YAML file, from YAML text, or from a "
            "mapping of its keys and values; got a list",
        ),
        (None, "got None"),
        (b"id: x", "got bytes (decode them to text first)"),
        (42, "got an int"),
        ("a" * 300, "no such file, and not the YAML text of a spec: 'aaaaaaaaaa"),
        ("contracts/nowhere", "no such file, and not the YAML text of a spec: 'contracts/nowhere'"),
        ("x\x00y", "an unreadable character (U+0000, NUL)"),
    ],
)
def test_load_of_the_wrong_kind_of_thing_says_what_to_give(given: object, words: str) -> None:
    with pytest.raises(SpecError) as caught:
        contractkit.load(given)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    (problem,) = caught.value.problems
    assert words in problem.message
    assert len(problem.message) < 300


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"id": "x"}, "got a mapping: load it first with contractkit.load"),
        ("id: x", "got text: load it first with contractkit.load"),
        ([1], "got a list"),
        (Path("contract.yaml"), "got a PosixPath"),
    ],
)
def test_dump_of_anything_but_a_spec_says_what_it_writes(given: object, words: str) -> None:
    with pytest.raises(SpecError, match="dump writes a spec") as caught:
        contractkit.dump(given)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    assert "(Contract, PooledFund, SystemPlan)" in str(caught.value)
    assert words in str(caught.value)


def test_dump_of_a_part_of_a_contract_says_what_it_writes(ucr: contractkit.Contract) -> None:
    with pytest.raises(SpecError, match=r"dump writes a spec .*; got a KPI"):
        contractkit.dump(ucr.kpis[0])


def test_python_kpi_with_a_bad_threshold() -> None:
    with pytest.raises(SpecError) as caught:
        contractkit.KPI(**{**KPI_ARGS, "threshold": "170%"})
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, contractkit.ContractKitError)
    assert error.problems == (Problem(message="170% is more than 100%", path="threshold"),)
    assert str(error) == "threshold: 170% is more than 100%"


def test_python_kpi_missing_arguments() -> None:
    with pytest.raises(ValueError, match="missing required key 'threshold'") as caught:
        contractkit.KPI(id="ucr-2h", name="A KPI")
    assert isinstance(caught.value, SpecError)
    messages = {p.message for p in caught.value.problems}
    assert messages == {
        f"missing required key {key!r}"
        for key in ("measure", "better", "reported", "assessed", "threshold")
    }
    assert all(
        p.line is None and p.column is None and p.file is None for p in caught.value.problems
    )


def test_python_term_reversed() -> None:
    with pytest.raises(SpecError) as caught:
        contractkit.Term(start=date(2026, 4, 1), end=date(2025, 4, 1))
    (problem,) = caught.value.problems
    assert problem.path == "end"
    assert "on or before it starts" in problem.message
    assert problem.line is None


def test_python_contract_with_bad_arguments(ucr: contractkit.Contract) -> None:
    service = contractkit.Service(
        id="ucr-west", provider="RQZ", commences=date(2026, 7, 1), kpis=["ucr-2h", "ucr-2j"]
    )
    with pytest.raises(SpecError) as caught:
        contractkit.Contract(
            id="NEL X",
            title="A contract",
            commissioners=ucr.commissioners,
            term="soon",
            providers=ucr.providers,
            embedding=ucr.embedding,
            kpis=ucr.kpis,
            services=[service],
        )
    problems = caught.value.problems
    paths = {p.path: p.message for p in problems}
    assert "not a usable id" in paths["id"]
    assert "expected a mapping" in paths["term"]
    assert "unknown provider 'RQZ'" in paths["services[0].provider"]
    assert "did you mean 'ucr-2h'?" in paths["services[0].kpis[1]"]
    assert all(p.line is None and p.column is None and p.source is None for p in problems)
    assert not re.search(r":\d+:\d+:", str(caught.value))


def test_python_construction_from_a_mapping_is_located_by_path_only() -> None:
    with pytest.raises(SpecError) as caught:
        contractkit.load({"contractkit": 1, "titel": "A contract"})
    problems = caught.value.problems
    titel = one_at(problems, "titel")
    assert "did you mean 'title'?" in titel.message
    assert all(p.line is None and p.file is None for p in problems)


# --- immutability -------------------------------------------------------------------------------


def test_models_are_immutable(ucr_path: Path) -> None:
    contract = contractkit.load(ucr_path)  # not the shared fixture: a failure must not spoil it
    with pytest.raises(AttributeError, match="immutable"):
        contract.title = "Another title"
    with pytest.raises(AttributeError, match="immutable"):
        contract.term.start = date(2020, 1, 1)
    with pytest.raises(AttributeError, match="immutable"):
        contract.kpis[0].threshold = "1%"
    with pytest.raises(TypeError, match="'mappingproxy' object does not support item assignment"):
        contract.services[0].baselines["ucr-2h"] = "50%"  # type: ignore[index]
    with pytest.raises(AttributeError, match="'tuple' object has no attribute 'append'"):
        contract.kpis.append(contract.kpis[0])  # type: ignore[attr-defined]
    assert contract.title == "Urgent community response and falls prevention"
    assert contract.term.start == date(2026, 4, 1)
    assert (
        contract.kpi("ucr-2h")
        .summary()
        .startswith(
            "Urgent community response within 2 hours must be at least 70% once established"
        )
    )
    assert dict(contract.services[0].baselines) == {}


def test_load_of_a_kind_returns_that_kind_and_refuses_another() -> None:
    fund_path = "examples/better-care-fund/fund.yaml"
    root = Path(__file__).resolve().parent.parent
    fund = contractkit.load(root / fund_path, kind="pooled_fund")
    assert isinstance(fund, contractkit.PooledFund)
    with pytest.raises(contractkit.SpecError) as refused:
        contractkit.load(root / fund_path, kind="contract")
    (problem,) = refused.value.problems
    assert (problem.file, problem.path) == (str(root / fund_path), "kind")
    assert problem.message == "this is a pooled_fund, not a contract"
    with pytest.raises(contractkit.ArgumentError, match="no kind of spec 'fund'"):
        contractkit.load(root / fund_path, kind="fund")  # type: ignore[call-overload]  # the mistake under test
