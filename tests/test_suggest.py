"""Did-you-mean suggestions: made for slips of the keyboard, never for words that merely share
letters with a known name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contractkit._kernel.suggest import closest, did_you_mean, edit_distance

TOP_LEVEL_KEYS = [
    "contractkit",
    "kind",
    "id",
    "title",
    "commissioners",
    "term",
    "providers",
    "embedding",
    "flags",
    "kpis",
    "services",
    "outcomes",
    "escalation",
    "finance",
]


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("titel", TOP_LEVEL_KEYS, "title"),
        ("terms", TOP_LEVEL_KEYS, "term"),
        ("provider", TOP_LEVEL_KEYS, "providers"),
        ("minuets", ["minutes", "hours"], "minutes"),
        ("RQZ", ["RQX", "NLO01"], "RQX"),
        ("rcb", ["RCB", "RVW"], "RCB"),
        ("counsel", ["council", "nhs"], "council"),
        ("befriendin", ["befriending", "ucr-south"], "befriending"),
        ("falls-admits", ["falls-admissions", "ucr-2h"], "falls-admissions"),
        ("alliance", ["acute-alliance", "RCB"], "acute-alliance"),
        ("NHS Trust", ["nhs_trust", "nhs_foundation_trust"], "nhs_trust"),
        ("nhs-foundation-trust", ["nhs_trust", "nhs_foundation_trust"], "nhs_foundation_trust"),
        ("withhold", ["withheld", "earned"], "withheld"),
        ("mood", ["stage", "months", "mode"], "mode"),
    ],
)
def test_slips_are_suggested(word: str, candidates: list[str], expected: str) -> None:
    assert closest(word, candidates) == expected
    assert did_you_mean(word, candidates) == f"; did you mean {expected!r}?"


@pytest.mark.parametrize(
    ("word", "candidates"),
    [
        # Each of these was suggested when any two names sharing 60% of their letters were
        # taken as close: different words, not slips.
        ("quarter", ["partners", "per"]),
        ("period", ["per", "pot"]),
        ("vcse", ["clause", "value"]),
        ("count", ["unit", "units"]),
        ("per quarter", ["quarter", "quart"]),
        ("charity", ["local_authority", "nhs_trust", "vcse"]),
        ("exception", ["description"]),
        # Ambiguous: the part names two known things equally.
        ("notice", ["contract_performance_notice", "exception_notice"]),
        ("", ["a"]),
    ],
)
def test_no_suggestion_for_words_that_only_share_letters(word: str, candidates: list[str]) -> None:
    assert closest(word, candidates) is None
    assert did_you_mean(word, candidates) == ""


def test_the_nearest_of_several_is_suggested() -> None:
    assert closest("ucr-2hr", ["ucr-2h", "ucr-24h", "ucr-north"]) == "ucr-2h"


def test_edit_distance_counts_a_swap_of_neighbours_as_one() -> None:
    assert edit_distance("titel", "title", 3) == 1
    assert edit_distance("abc", "abc", 0) == 0
    assert edit_distance("kitten", "sitting", 5) == 3
    assert edit_distance("a" * 50, "b" * 50, 2) == 3  # cut short once beyond the limit


_NAME = st.from_regex(r"[a-z][a-z0-9_]{3,20}", fullmatch=True)


@st.composite
def slips(draw: st.DrawFn) -> tuple[str, str]:
    """A name, and the name with one slip of the keyboard."""
    name = draw(_NAME)
    index = draw(st.integers(0, len(name) - 1))
    letter = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz"))
    kind = draw(st.sampled_from(["insert", "delete", "change", "swap"]))
    if kind == "insert":
        slipped = name[:index] + letter + name[index:]
    elif kind == "delete":
        slipped = name[:index] + name[index + 1 :]
    elif kind == "change":
        slipped = name[:index] + letter + name[index + 1 :]
    else:
        index = min(index, len(name) - 2)
        slipped = name[:index] + name[index + 1] + name[index] + name[index + 2 :]
    return name, slipped


@given(slips())
def test_one_slip_from_the_only_name_is_always_suggested(pair: tuple[str, str]) -> None:
    name, slipped = pair
    assert closest(slipped, [name]) == name


@given(st.text(max_size=30), st.lists(st.text(max_size=30), max_size=20))
def test_a_suggestion_is_always_one_of_the_candidates(word: str, names: list[str]) -> None:
    found = closest(word, names)
    assert found is None or found in names


@given(_NAME, st.lists(_NAME, max_size=10))
def test_case_and_separators_never_change_the_suggestion(word: str, names: list[str]) -> None:
    assert closest(word.upper().replace("_", " "), names) == closest(word, names)


@given(st.text(max_size=30), st.text(max_size=30), st.integers(0, 5))
def test_edit_distance_is_symmetric_and_bounded(a: str, b: str, limit: int) -> None:
    forward = edit_distance(a, b, limit)
    assert forward == edit_distance(b, a, limit)
    assert 0 <= forward <= limit + 1
    assert (forward == 0) == (a == b)
