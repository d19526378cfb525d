"""Round trips: a contract written out by ``dump`` reads back as the very same contract.

The properties, over the valid contracts that ``strategies.cases`` draws:

- ``load(dump(c)) == c``: nothing is lost or changed in writing a contract out;
- ``dump(load(dump(c))) == dump(c)``: the written form is stable;
- ``load(mapping) == c``: the shorthand a file uses and the public constructors agree.

Then the bundled example, every awkward string in every text field, and tests of their own for
the cases the strategies leave out or that once went wrong.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

import contractkit
from contractkit import (
    KPI,
    Absolute,
    Contract,
    Dated,
    Quantity,
    SpecError,
    Staged,
)
from strategies import AWKWARD_TEXT, Case, cases

QUICK = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
THOROUGH = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _differences(got: Contract, expected: Contract) -> str:
    """The sections in which two contracts differ, for a readable failure."""
    return "\n".join(
        f"{name}:\n  got      {getattr(got, name)!r}\n  expected {getattr(expected, name)!r}"
        for name in type(expected).model_fields
        if getattr(got, name) != getattr(expected, name)
    )


def _assert_same(got: Contract, expected: Contract) -> None:
    assert got == expected, _differences(got, expected)


def _check_round_trip(contract: Contract) -> str:
    """Assert the round-trip properties of one contract; return its YAML."""
    text = contractkit.dump(contract)
    again = contractkit.load(text)
    _assert_same(again, contract)
    assert contractkit.dump(again) == text
    return text


def _problems(error: SpecError) -> list[tuple[str, str]]:
    """Each problem's path and message, to compare with the expected ones in full."""
    return [(problem.path, problem.message) for problem in error.problems]


# --- properties -------------------------------------------------------------------------------


@QUICK
@given(cases())
def test_the_written_form_loads_as_the_constructed_contract(case: Case) -> None:
    _assert_same(contractkit.load(case.mapping), case.contract)


@QUICK
@given(cases())
def test_load_of_dump_is_the_same_contract(case: Case) -> None:
    text = contractkit.dump(case.contract)
    note(text)
    _assert_same(contractkit.load(text), case.contract)


@QUICK
@given(cases())
def test_dump_is_stable(case: Case) -> None:
    text = contractkit.dump(case.contract)
    note(text)
    assert contractkit.dump(contractkit.load(text)) == text


@QUICK
@given(cases(max_kpis=3, max_services=3))
def test_a_dumped_file_loads_as_the_same_contract(case: Case) -> None:
    text = contractkit.dump(case.contract)
    note(text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contract.yaml"
        path.write_text(text, encoding="utf-8")
        _assert_same(contractkit.load(path), case.contract)
        _assert_same(contractkit.load(str(path)), case.contract)


@pytest.mark.slow
@THOROUGH
@given(cases(max_kpis=8, max_services=10))
def test_round_trip_thoroughly(case: Case) -> None:
    _assert_same(contractkit.load(case.mapping), case.contract)
    note(contractkit.dump(case.contract))
    _check_round_trip(case.contract)


# --- the bundled example ----------------------------------------------------------------------


def test_the_bundled_example_round_trips(ucr: Contract, ucr_path: Path) -> None:
    text = _check_round_trip(ucr)
    assert contractkit.load(ucr_path) == contractkit.load(text)
    assert contractkit.load(ucr.model_dump()) == ucr


# --- awkward strings in every text field ------------------------------------------------------


def _with_text(ucr: Contract, text: str) -> dict[str, Any]:
    """The example contract as a mapping, with ``text`` in every free-text field."""
    data = ucr.model_dump()
    data["title"] = text
    for party in (*data["commissioners"], *data["providers"]):
        party["name"] = text
    for kpi in data["kpis"]:
        kpi.update(name=text, numerator=text, denominator=text, clause=text)
    for service in data["services"]:
        service["name"] = text
    for outcome in data["outcomes"]:
        outcome.update(name=text, description=text)
    return data


@pytest.mark.parametrize("text", AWKWARD_TEXT)
def test_awkward_text_round_trips_in_every_text_field(ucr: Contract, text: str) -> None:
    contract = contractkit.load(_with_text(ucr, text))
    assert contract.title == text
    assert contract.kpis[0].clause == text
    _check_round_trip(contract)


@pytest.mark.parametrize("escape", ["\t", "\r", "\x07", "\\", '"', "\x85", "\u2028"])
@pytest.mark.parametrize("width", [60, 88, 92, 96, 120])
def test_long_text_with_escapes_round_trips(ucr: Contract, escape: str, width: int) -> None:
    """Long text that must be double-quoted is folded over lines without gaining spaces."""
    text = "x" * width + escape + "a a" + " word" * 10
    contract = contractkit.load(_with_text(ucr, text))
    _check_round_trip(contract)


@pytest.mark.parametrize("word", [".inf", "-.inf", "+.inf", ".Inf", "-.INF", ".nan"])
def test_yaml_infinity_and_nan_words_are_read_and_written_safely(
    ucr: Contract, ucr_text: str, word: str
) -> None:
    """An infinite or not-a-number threshold is a located problem, and the same words as text
    round-trip (the reader must not crash on any spelling of them)."""
    broken = ucr_text.replace("threshold: 90 minutes", f"threshold: {word}")
    assert broken != ucr_text
    with pytest.raises(SpecError) as caught:
        contractkit.load(broken)
    what = "'not a number'" if word == ".nan" else "infinite"
    ((path, message),) = _problems(caught.value)
    assert path == "kpis[1].threshold"
    assert message.startswith(f"{word} is {what}, which no figure in a contract can be: give a ")
    _check_round_trip(contractkit.load(_with_text(ucr, word)))


# --- stage names and threshold objects the strategies leave out -------------------------------
#
# Each of these could be written down. What the written form could not read back as written is
# refused, with a SpecError saying why; its near neighbours are accepted and survive dump and load.


def _contract(threshold: Any, stages: tuple[str, ...] = ()) -> Contract:
    embedding = [{"stage": name, "months": 3} for name in stages] + [{"stage": "established"}]
    return contractkit.load(
        {
            "id": "C1",
            "title": "A contract",
            "commissioners": [{"id": "QMF", "name": "An ICB"}],
            "term": {"start": "2026-04-01", "end": "2029-03-31"},
            "providers": [{"id": "RQX", "name": "A trust", "type": "nhs_trust"}],
            "embedding": embedding,
            "kpis": [
                KPI(
                    id="k",
                    name="A proportion",
                    measure="proportion",
                    better="higher",
                    reported="monthly",
                    assessed="quarterly",
                    threshold=threshold,
                )
            ],
            "services": [{"id": "s", "provider": "RQX", "commences": "2026-04-01", "kpis": ["k"]}],
        },
        kind="contract",
    )


SIXTY = Absolute(value=Quantity.parse("60%"))
EARLY, LATE = date(2026, 4, 1), date(2027, 4, 1)


@pytest.mark.parametrize(
    "stage", ["floor", "ceiling", "improvement", "trajectory", "2026-04-01", "01.04.2026"]
)
def test_a_stage_named_as_a_threshold_key_or_a_date_is_refused(stage: str) -> None:
    """Written out, such a stage would read back as a threshold's own key or a date."""
    reason = f"{stage!r} cannot name a stage: it reads as a date or a threshold keyword"
    with pytest.raises(SpecError) as staged:
        Staged(stages=((stage, SIXTY),))
    assert str(staged.value) == reason
    with pytest.raises(SpecError) as embedded:
        _contract(SIXTY, (stage,))
    assert _problems(embedded.value) == [
        ("embedding[0].stage", f"{reason} (floor, ceiling, improvement, trajectory)")
    ]


@pytest.mark.parametrize(
    "stage", ["Floor", "CEILING", "floors", "trajectory-2", "2026-04", "20260401", "build"]
)
def test_a_stage_named_near_a_threshold_key_or_a_date_round_trips(stage: str) -> None:
    contract = _contract(Staged(stages=((stage, SIXTY),)), (stage,))
    assert contract.kpis[0].threshold == Staged(stages=((stage, SIXTY),))
    assert [s.stage for s in contract.embedding] == [stage, "established"]
    _check_round_trip(contract)


@pytest.mark.parametrize(
    "values",
    [((LATE, "80%"), (EARLY, "70%")), ((EARLY, "80%"), (EARLY, "70%"))],
    ids=["out of order", "one date twice"],
)
def test_dated_values_out_of_order_or_on_one_date_are_refused_in_python(
    values: tuple[tuple[date, str], ...],
) -> None:
    with pytest.raises(SpecError) as caught:
        Dated(values=tuple((day, Quantity.parse(value)) for day, value in values))
    assert str(caught.value) == "the dates must be in order, each given once"


def test_dated_values_written_out_of_order_are_put_in_order(ucr_text: str) -> None:
    """A file may list the dates in any order (they are keys); the contract holds them in order,
    and dump writes them so."""
    written = ucr_text.replace(
        "threshold: 90 minutes", "threshold: {2027-04-01: 80 minutes, 2026-04-01: 70 minutes}"
    )
    contract = contractkit.load(written, kind="contract")
    in_order = Dated(
        values=((EARLY, Quantity.parse("70 minutes")), (LATE, Quantity.parse("80 minutes")))
    )
    assert contract.kpis[1].threshold == in_order
    assert contract.kpis[1].threshold.in_force(date(2027, 5, 1)) == Quantity.parse("80 minutes")
    text = _check_round_trip(contract)
    assert text.index("2026-04-01: 70 minutes") < text.index("2027-04-01: 80 minutes")


def test_one_date_written_twice_is_refused(ucr_text: str) -> None:
    written = ucr_text.replace(
        "threshold: 90 minutes", "threshold: {2026-04-01: 80 minutes, 2026-04-01: 70 minutes}"
    )
    with pytest.raises(SpecError) as caught:
        contractkit.load(written)
    ((path, message),) = _problems(caught.value)
    assert path == "kpis[1].threshold.2026-04-01"
    assert message.startswith("duplicate key '2026-04-01' (first given at line ")


@pytest.mark.parametrize(
    "values",
    [((EARLY, "70%"),), ((EARLY, "70%"), (LATE, "80%"))],
    ids=["one date", "two dates"],
)
def test_dated_values_in_order_round_trip(values: tuple[tuple[date, str], ...]) -> None:
    threshold = Dated(values=tuple((day, Quantity.parse(value)) for day, value in values))
    contract = _contract(threshold)
    assert contract.kpis[0].threshold == threshold
    assert contract.kpis[0].threshold.in_force(date(2027, 5, 1)) == Quantity.parse(values[-1][1])
    _check_round_trip(contract)


@pytest.mark.parametrize(
    ("empty", "reason"),
    [
        (lambda: Dated(values=()), "values by date need at least one date"),
        (lambda: Staged(stages=()), "a staged threshold names at least one stage"),
    ],
    ids=["dated", "staged"],
)
def test_an_empty_threshold_object_is_refused(empty: Any, reason: str) -> None:
    with pytest.raises(SpecError) as caught:
        empty()
    assert str(caught.value) == reason


def test_an_empty_threshold_written_in_a_file_is_refused(ucr_text: str) -> None:
    with pytest.raises(SpecError) as caught:
        contractkit.load(ucr_text.replace("threshold: 90 minutes", "threshold: {}"))
    assert _problems(caught.value) == [
        ("kpis[1].threshold", "an empty threshold: give a value, or values by date or stage")
    ]


def test_a_trajectory_giving_one_period_twice_is_refused(ucr: Contract) -> None:
    """Two spellings of one quarter would silently lose a value: they must be a problem."""
    data = ucr.model_dump()
    data["kpis"][0]["threshold"] = "trajectory"
    for service in data["services"]:
        if "ucr-2h" in service["kpis"]:
            service["trajectories"] = {"ucr-2h": {"2026/27 Q3": "50%", "2026/27 Q4": "55%"}}
    contractkit.load(data)  # valid as it is
    data["services"][0]["trajectories"]["ucr-2h"]["2026/27 q3"] = "60%"
    with pytest.raises(SpecError) as caught:
        contractkit.load(data)
    assert _problems(caught.value) == [
        (
            "services[0].trajectories.ucr-2h",
            "'2026/27 q3' and '2026/27 Q3' name the same period, 2026/27 Q3",
        )
    ]


@pytest.mark.parametrize(
    ("section", "key", "value", "problem"),
    [
        ("", "id", "NEL-UCR-2026\n", ("id", "is not a usable id: ")),
        ("providers", "id", "RQX\n", ("providers[0].id", "is not an ODS code: ")),
        (
            "escalation",
            "step",
            "exception_notice\n",
            ("escalation[0].step", "is not a step name: "),
        ),
    ],
)
def test_identifiers_match_their_documented_pattern_exactly(
    ucr: Contract, section: str, key: str, value: str, problem: tuple[str, str]
) -> None:
    """The strategies draw ids that match the whole pattern; the library must accept no more
    (a trailing newline slips past a ``$`` anchor)."""
    data = ucr.model_dump()
    target = data[section][0] if section else data
    if section == "providers":
        for service in data["services"]:
            if service["provider"] == target["id"]:
                service["provider"] = value
    target[key] = value
    with pytest.raises(SpecError) as caught:
        contractkit.load(data)
    path, refusal = problem
    first = caught.value.problems[0]
    assert first.path == path
    assert first.message.startswith(f"{value!r} {refusal}")
