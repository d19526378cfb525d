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
    with pytest.raises(SpecError):
        contractkit.load(broken)
    _check_round_trip(contractkit.load(_with_text(ucr, word)))


# --- stage names and threshold objects the strategies leave out -------------------------------
#
# Each of these builds a contract that could be written down: the library may refuse it (a
# SpecError naming the problem) or accept it, but what it accepts must survive dump and load.


def _contract(threshold: Any, stages: tuple[str, ...] = ()) -> Contract:
    embedding = [{"stage": name, "months": 3} for name in stages] + [{"stage": "established"}]
    contract = contractkit.load(
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
        }
    )
    assert isinstance(contract, Contract)
    return contract


def _accepted_round_trips(build: Any) -> None:
    try:
        contract = build()
    except SpecError:
        return  # refused with a located problem: fine
    _check_round_trip(contract)


@pytest.mark.parametrize("stage", ["floor", "ceiling", "improvement", "2026-04-01", "trajectory"])
def test_a_threshold_staged_by_any_stage_name_round_trips(stage: str) -> None:
    """A stage whose name is also a threshold key (or a date) is refused, or round-trips."""
    rule = Absolute(value=Quantity.parse("60%"))
    _accepted_round_trips(lambda: _contract(Staged(stages=((stage, rule),)), (stage,)))


def test_dated_values_given_out_of_order_are_ordered_or_refused() -> None:
    early, late = date(2026, 4, 1), date(2027, 4, 1)
    try:
        threshold = Dated(values=((late, Quantity.parse("80%")), (early, Quantity.parse("70%"))))
        contract = _contract(threshold)
    except SpecError:
        return
    assert contract.kpis[0].threshold.in_force(date(2027, 5, 1)) == Quantity.parse("80%")
    _check_round_trip(contract)


def test_dated_values_on_the_same_date_are_refused_or_round_trip() -> None:
    day = date(2026, 4, 1)
    _accepted_round_trips(
        lambda: _contract(
            Dated(values=((day, Quantity.parse("80%")), (day, Quantity.parse("70%"))))
        )
    )


@pytest.mark.parametrize(
    "empty", [lambda: Dated(values=()), lambda: Staged(stages=())], ids=["dated", "staged"]
)
def test_an_empty_threshold_object_is_refused_or_round_trips(empty: Any) -> None:
    _accepted_round_trips(lambda: _contract(empty()))


def test_a_trajectory_giving_one_period_twice_is_refused(ucr: Contract) -> None:
    """Two spellings of one quarter would silently lose a value: they must be a problem."""
    data = ucr.model_dump()
    data["kpis"][0]["threshold"] = "trajectory"
    for service in data["services"]:
        if "ucr-2h" in service["kpis"]:
            service["trajectories"] = {"ucr-2h": {"2026/27 Q3": "50%", "2026/27 Q4": "55%"}}
    contractkit.load(data)  # valid as it is
    data["services"][0]["trajectories"]["ucr-2h"]["2026/27 q3"] = "60%"
    with pytest.raises(SpecError):
        contractkit.load(data)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("", "id", "NEL-UCR-2026\n"),
        ("providers", "id", "RQX\n"),
        ("escalation", "step", "exception_notice\n"),
    ],
)
def test_identifiers_match_their_documented_pattern_exactly(
    ucr: Contract, section: str, key: str, value: str
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
    with pytest.raises(SpecError):
        contractkit.load(data)
