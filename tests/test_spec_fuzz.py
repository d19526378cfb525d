"""Spec files that try to hurt: every class of bad input a fuzzing run found, and random scalars.

Each class in ``CLASSES`` is a small edit of a bundled example (or a whole file), run through
``contractkit validate`` as a user would run it, under a time limit. Each must end in exit
status 2, with no traceback, a few kilobytes of output at most, within a second or two, and
with its problem reported at the expected place with the expected words. The hypothesis tests
below put random scalars and numbers in the places a contract holds values: loading never
raises anything but a located ``SpecError``, and never takes long.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import contractkit
from _support import edit, time_limit
from contractkit.cli import app
from contractkit.errors import SpecError
from contractkit.spec import load_text

ROOT = Path(__file__).resolve().parent.parent
UCR = (ROOT / "examples" / "urgent-community-response" / "contract.yaml").read_text("utf-8")
FUND = (ROOT / "examples" / "better-care-fund" / "fund.yaml").read_text("utf-8")

SECONDS = 10.0
"""The longest any bad input may take to be refused: it takes a few hundredths at most, and the
inputs that hung ran for 30 to 75 seconds, so the margin is for a busy machine, not a speed
measure (speed is measured in benchmarks/)."""
HARD_LIMIT = 20
"""Where a run is stopped, if it hangs, so that the suite fails rather than hangs."""
MOST_OUTPUT = 20_000
"""The most output, in characters, any one bad file may give."""

TITLE = "title: Urgent community response and falls prevention"


@dataclass(frozen=True)
class Bad:
    content: str | bytes
    at: str
    """``line:column`` where the problem is reported (``line`` alone when the column varies)."""
    words: str
    path: str = ""


CLASSES: dict[str, Bad] = {
    # errors that printed themselves a million times
    "incentive-pot-1e-1000000000": Bad(
        edit(UCR, ("    pot: 1.25%", "    pot: 1e-1000000000")),
        "145:10",
        "1e-1000000000 is finer than any figure a contract holds",
        "finance.incentive.pot",
    ),
    "4000-repeated-ids-on-one-line": Bad(
        edit(
            UCR,
            (
                "    kpis: [falls-admissions]\n  - id: falls-b",
                "    kpis: [" + ", ".join(["falls-admissions"] * 4000) + "]\n  - id: falls-b",
            ),
        ),
        "97:30",
        "'falls-admissions' is listed twice",
        "services[2].kpis[1]",
    ),
    # wrong places
    "nul-byte-on-line-4": Bad(
        edit(UCR, (TITLE, "title: Urgent\x00community response")), "4:14", "U+0000, NUL"
    ),
    "months-of-31-digits": Bad(
        edit(UCR, ("months: 9\n", "months: 1000000000000000000000000000000\n")),
        "32:13",
        "is larger than any figure a contract holds",
        "embedding[1].months",
    ),
    # hangs from 15-byte inputs
    "fund-profile-1e-1000000000": Bad(
        edit(FUND, ("profile: [7, 7, 7,", "profile: [1e-1000000000, 7, 7,")),
        "38:15",
        "1e-1000000000 is finer than any figure a contract holds",
        "lines[2].profile[0]",
    ),
    # YAML
    "term-ending-in-9999": Bad(
        edit(UCR, ("  end: 2029-03-31", "  end: 9999-12-31")),
        "10:8",
        "9999-12-31 is outside the dates contractkit works with",
        "term.end",
    ),
    "a-megabyte-flow-line": Bad(
        edit(UCR, (TITLE, "title: [" + ", ".join(["1"] * 350_000) + "]")),
        "4:100001",
        "a line too long to read (1,050,007 characters; at most 100,000)",
    ),
    "a-megabyte-of-open-brackets": Bad(
        edit(UCR, (TITLE, "title: " + "[" * 1_000_000)), "4:100001", "a line too long"
    ),
    "brackets-nested-beyond-any-spec": Bad(
        edit(UCR, (TITLE, "title: " + "\n".join(["[" * 50] * 2000))),
        "5:15",
        "nested too deeply",
    ),
    "braces-nested-beyond-any-spec": Bad(
        edit(UCR, (TITLE, "title: " + "{" * 90_000)), "4:72", "nested too deeply"
    ),
    "threshold-1e309": Bad(
        edit(UCR, ("threshold: 90 minutes", "threshold: 1e309")),
        "60:16",
        "1e309 is larger than any figure a contract holds",
        "kpis[1].threshold",
    ),
    "threshold-infinity": Bad(
        edit(UCR, ("threshold: 90 minutes", "threshold: .inf")),
        "60:16",
        ".inf is infinite",
        "kpis[1].threshold",
    ),
    "flag-not-a-number": Bad(
        edit(UCR, ("  warning: 0.025", "  warning: .nan")),
        "36:12",
        ".nan is 'not a number'",
        "flags.warning",
    ),
    "a-date-given-as-a-datetime": Bad(
        edit(UCR, ("  start: 2026-04-01", "  start: 2026-04-01T00:00:00")),
        "9:10",
        "is a date and a time: write the date alone, 2026-04-01",
        "term.start",
    ),
    "an-integer-of-5000-digits": Bad(
        edit(UCR, (TITLE, "title: " + "9" * 5000)),
        "4:8",
        "is larger than any figure a contract holds",
        "title",
    ),
    "a-hexadecimal-of-100000-digits": Bad(
        edit(UCR, (TITLE, "title: 0x" + "f" * 99_000)),
        "4:8",
        "is larger than any figure a contract holds",
        "title",
    ),
    "an-escape-sequence": Bad(
        edit(UCR, (TITLE, "title: \x1b]0;pwned\x07Urgent")), "4:8", "U+001B, ESC"
    ),
    "not-utf-8": Bad(
        edit(UCR, (TITLE, "title: Contrat sign\u00e9")).encode("latin-1"), "", "not UTF-8 text"
    ),
    # contract messages that misled
    "a-date-written-day-first": Bad(
        edit(UCR, ("  start: 2026-04-01", "  start: 01/04/2026")),
        "9:10",
        "'01/04/2026' is not a date: write dates as year-month-day, 2026-04-01",
        "term.start",
    ),
    "a-date-without-leading-zeros": Bad(
        edit(UCR, ("  start: 2026-04-01", "  start: 2026-4-1")),
        "9:10",
        "write dates as year-month-day, 2026-04-01",
        "term.start",
    ),
    "dated-threshold-keys-written-day-first": Bad(
        edit(UCR, ("        2026-04-01: 12", "        01/04/2026: 12")),
        "72:9",
        "'01/04/2026' is not a date: write dates as year-month-day, 2026-04-01",
        "kpis[2].threshold.established.01/04/2026",
    ),
    "a-tab-in-the-indentation": Bad(
        edit(UCR, ("    name: Neighbours Together", "  \tname: Neighbours Together")),
        "23:3",
        "a tab in the indentation: indent with spaces, not tabs",
    ),
    "a-count-per-quarter": Bad(
        edit(UCR, ("    threshold: 0\n", "    threshold: 2 per month\n")),
        "82:16",
        "a count's threshold is a number for the whole assessment period",
        "kpis[3].threshold",
    ),
    "a-provider-type-in-other-words": Bad(
        edit(UCR, ("    type: vcse", "    type: charity")),
        "24:11",
        "'charity' is not a provider type",
        "providers[3].type",
    ),
    "escalation-out-of-the-order-of-general-condition-9": Bad(
        edit(
            UCR,
            ("  - step: remedial_action_plan\n    flagged", "  - step: termination\n    flagged"),
        ),
        "120:11",
        "'exception_notice' is listed after 'termination', as the more serious step",
        "escalation[3].step",
    ),
}


def run_validate(tmp_path: Path, content: str | bytes) -> tuple[int, str, float]:
    """``contractkit validate`` on a file holding ``content``: the exit status, everything it
    printed, and how long it took."""
    path = tmp_path / "contract.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    start = time.perf_counter()
    with time_limit(HARD_LIMIT):
        result = CliRunner().invoke(app, ["validate", str(path)])
    elapsed = time.perf_counter() - start
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stdout + result.stderr, elapsed


@pytest.mark.parametrize("name", list(CLASSES))
def test_every_class_of_bad_input_is_refused_quickly_and_located(name: str, tmp_path: Path) -> None:
    case = CLASSES[name]
    status, output, elapsed = run_validate(tmp_path, case.content)
    assert status == 2, output[:2000]
    assert "Traceback" not in output
    assert not re.search(r'File ".*", line \d+', output)
    assert len(output) < MOST_OUTPUT, len(output)
    assert elapsed < SECONDS, f"{elapsed:.2f} s"
    assert case.words in output, output[:2000]
    if case.at:
        head = f"{tmp_path / 'contract.yaml'}:{case.at}:"
        located = [line for line in output.splitlines() if line.startswith(head)]
        assert located, f"nothing at {case.at}:\n{output[:2000]}"
        assert any(case.words in line for line in located), located
        if case.path:
            assert any(line.startswith(f"{head} {case.path}: ") for line in located), located


def test_repeated_problems_are_shown_ten_and_counted(tmp_path: Path) -> None:
    _, output, _ = run_validate(tmp_path, CLASSES["4000-repeated-ids-on-one-line"].content)
    assert output.count("is listed twice") == 10
    assert "… and 3,989 more like it" in output
    assert "3,999 problems found" in output


def test_the_non_specific_tag_makes_a_date_text(tmp_path: Path) -> None:
    status, output, elapsed = run_validate(tmp_path, edit(UCR, (TITLE, "title: ! 2026-04-01")))
    assert status == 0, output
    assert "NEL-UCR-2026: 2026-04-01" in output
    assert elapsed < SECONDS


# --- random scalars in the places a contract holds values --------------------------------------

PLACES = {
    "title": (TITLE, "title: {}"),
    "date": ("  start: 2026-04-01", "  start: {}"),
    "months": ("    months: 9\n", "    months: {}\n"),
    "threshold": ("threshold: 90 minutes", "threshold: {}"),
    "dated-threshold": ("        2027-04-01: 10", "        2027-04-01: {}"),
    "date-key": ("        2027-04-01: 10", "        {}: 10"),
    "flag": ("  warning: 0.025", "  warning: {}"),
    "per": ("    per: 1000", "    per: {}"),
    "type": ("    type: vcse", "    type: {}"),
    "count": ("    flagged: 3\n    within: 4", "    flagged: {}\n    within: 4"),
    "step": ("  - step: remedial_action_plan\n    flagged", "  - step: {}\n    flagged"),
    "pot": ("    pot: 1.25%", "    pot: {}"),
    "price": ("        price: £85.00", "        price: {}"),
    "list-item": ("kpis: [ucr-2h, falls-admissions]", "kpis: [ucr-2h, {}]"),
    "key": (TITLE, "{}: x"),
}

NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.builds(
        "{}e{}".format,
        st.integers(min_value=-(10**6), max_value=10**6),
        st.integers(min_value=-(10**12), max_value=10**12),
    ),
    st.builds(
        "{}.{}E{}".format,
        st.integers(min_value=0, max_value=99),
        st.text("0123456789", min_size=1, max_size=400),
        st.integers(min_value=-400, max_value=400),
    ),
    st.text("0123456789", min_size=1, max_size=6000),
    st.text("0123456789abcdef", max_size=200).map("0x{}".format),
    st.text("01234567", max_size=200).map("0o{}".format),
    st.sampled_from(
        [".inf", "-.inf", "+.inf", ".nan", ".NaN", ".Inf", "1_000", "1,000", "1e309", "-0", "0e0"]
    ),
)
SCALARS = st.one_of(
    NUMBERS,
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=20).map(lambda t: f'"{t}"'),
    st.sampled_from(
        [
            "01/04/2026",
            "2026-4-1",
            "2026-04-01T09:00:00",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "! 2026-04-01",
            "!!str x",
            "&a x",
            "*a",
            "~",
            "NO",
            "1:30",
            "2 per quarter",
            "70% per quarter",
            "£1e-1000000000",
            "[" * 200,
            "{" * 200,
            "\t",
            "\x00",
        ]
    ),
)


@pytest.mark.slow
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.sampled_from(sorted(PLACES)), SCALARS)
def test_a_random_scalar_anywhere_is_read_or_refused_located_and_quickly(
    place: str, scalar: str
) -> None:
    old, new = PLACES[place]
    spec, error, elapsed = loaded(edit(UCR, (old, new.format(scalar))))
    assert elapsed < SECONDS
    if error is not None:
        assert all(p.line is not None and p.column is not None for p in error.problems)
        assert len(str(error)) < MOST_OUTPUT * 5
    else:
        assert isinstance(spec, contractkit.Contract)


def loaded(text: str) -> tuple[object, SpecError | None, float]:
    """What loading ``text`` gives (a spec, or the SpecError), and how long it took; any other
    exception fails the test."""
    start = time.perf_counter()
    with time_limit(HARD_LIMIT):
        try:
            spec, error = load_text(text), None
        except SpecError as caught:
            spec, error = None, caught
    return spec, error, time.perf_counter() - start


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(NUMBERS)
def test_a_random_number_is_a_bounded_figure_or_a_located_problem(number: str) -> None:
    spec, error, elapsed = loaded(edit(UCR, ("threshold: 90 minutes", f"threshold: {number}")))
    assert elapsed < SECONDS
    if error is not None:
        at_the_number = [p for p in error.problems if p.line == 60]
        assert at_the_number, str(error)
        assert all(p.path.startswith("kpis[1].threshold") for p in at_the_number)
        assert len(str(error)) < 5000
    else:
        assert isinstance(spec, contractkit.Contract)
        threshold = spec.kpi("first-contact").threshold
        magnitude = threshold.value.magnitude  # type: ignore[union-attr]
        assert magnitude.is_finite()
        assert abs(magnitude) < Decimal(10) ** 18


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_at_all_is_a_spec_or_a_located_spec_error(text: str) -> None:
    spec, error, elapsed = loaded(text)
    assert elapsed < SECONDS
    if error is not None:
        assert all(p.line is not None for p in error.problems), str(error)
    else:
        assert isinstance(
            spec, contractkit.Contract | contractkit.PooledFund | contractkit.SystemPlan
        )
