"""Explanations say exactly what a verdict stands on, for every status and every way a KPI
combines its returns: nothing in them may be more, less or other than the row holds.

Each case was found in a review of issue 9 ("Every verdict on complete, honest evidence"); the
contract and returns helpers are the evidence tests'.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _support import (
    ALL_KPIS,
    INCIDENTS,
    ON_TIME,
    SEASON,
    WAITING,
    contract,
    counts,
    evaluate,
    kpi,
    one_service,
    rows,
)
from contractkit import Evaluation


def lines(text: str, start: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(start)]


def test_a_rejected_return_is_never_explained_as_none_made() -> None:
    records = rows("incidents", *counts(1, 1, 1))
    for record in records:
        record["numerator"] = "n/a"
    text = evaluate(contract(INCIDENTS), records).explain("s1", "incidents", "2026/27 Q1").text
    assert "no return was made" not in text
    assert lines(text, "Numbers: ") == [
        "Numbers: none: every return made for this period was rejected."
    ]


def test_a_missing_return_is_still_explained_as_none_made() -> None:
    other = rows("on-time", ("2026-04", {"numerator": 8, "denominator": 10}))
    text = evaluate(contract(INCIDENTS, ON_TIME), other).explain("s1", "incidents", "2026/27 Q1")
    assert lines(text.text, "Numbers: ") == ["Numbers: no return was made for this period."]


def test_a_failure_the_contract_does_not_count_is_not_said_to_count_as_nothing() -> None:
    # With reporting.incomplete: not_counted, a proportion judged on 1 of its 3 returns counts
    # as its verdict (an assessed period), not as 'nothing'.
    built = contract(ON_TIME, reporting={"incomplete": "not_counted"})
    one = rows("on-time", ("2026-04", {"numerator": 8, "denominator": 10}))
    evaluation = evaluate(built, one)
    assert evaluation.row("s1", "on-time", "2026/27 Q1")["counted_as"] == "assessed"
    text = evaluation.explain("s1", "on-time", "2026/27 Q1").text
    assert "as nothing" not in text
    assert lines(text, "Reporting: ") == [
        "Reporting: 2 of its 3 returns are missing, a failure to report (Schedule 6), never a "
        "pass; the contract does not count the failure itself towards escalation "
        "(reporting.incomplete: not_counted): the period counts as its verdict, an assessed "
        "period that is not flagged."
    ]


def test_a_period_the_rules_pass_over_says_so_and_that_its_step_was_already_in_force() -> None:
    built = contract(INCIDENTS, reporting={"missing": "not_counted"})
    records = rows("incidents", *counts(5, 5, 5))
    evaluation = evaluate(built, records, as_of=date(2026, 9, 30))
    q2 = evaluation.row("s1", "incidents", "2026/27 Q2")
    assert (q2["status"], q2["counted_as"]) == ("not_reported", None)
    assert q2["escalation"] == "contract_performance_notice"
    text = evaluation.explain("s1", "incidents", "2026/27 Q2").text
    assert lines(text, "Reporting: ") == [
        "Reporting: no return was made, a failure to report (Schedule 6), never a pass; the "
        "contract does not count it towards escalation (reporting.missing: not_counted): the "
        "rules pass over the period."
    ]
    assert lines(text, "Escalation: ") == [
        "Escalation: contract performance notice, in force from an earlier period (1 alarm "
        "within the most recent assessed period → contract performance notice)."
    ]


def test_a_cumulative_counts_threshold_is_for_the_year_to_date() -> None:
    # Q1 had 4 events and Q2 3: the quarter's figure is the year's 7 so far, against at most 5
    # in the year to date (as the docs, and the SPC sentence, say), not 'in the quarter'.
    year = [*counts(1, 2, 1), *[(f"2026-{m:02d}", {"numerator": n}) for m, n in ((7, 3), (8, 0))]]
    records = rows("season", *year, ("2026-09", {"numerator": 0}))
    evaluation = evaluate(contract(SEASON), records, as_of=date(2026, 9, 30))
    text = evaluation.explain("s1", "season", "2026/27 Q2").text
    assert lines(text, "Threshold: ") == [
        "Threshold: at most 5 events in the financial year to the end of the quarter; absolute; "
        "written at kpis[0].threshold."
    ]
    assert lines(text, "Numbers: ")[0].startswith("Numbers: 7 events in the year to date (95% ")


def test_a_snapshot_counts_threshold_is_for_its_last_return() -> None:
    snapshot = kpi("waiting-52", "count", 10, combine="last", unit="person")
    records = rows("waiting-52", *counts(3, 4, 30))
    text = evaluate(contract(snapshot), records).explain("s1", "waiting-52", "2026/27 Q1").text
    assert lines(text, "Threshold: ") == [
        "Threshold: at most 10 people in the quarter's last return; absolute; written at "
        "kpis[0].threshold."
    ]


def test_a_year_to_date_figure_missing_an_earlier_return_says_so() -> None:
    # April is missing; Q2's own three returns were all made, but its figure is the year's to
    # date, which lacks April: not 'judged on the 3 of 3 returns due that were made'.
    cumulative = kpi("on-time-ytd", "proportion", "70%", better="higher", combine="cumulative")
    months = [(f"2026-{m:02d}", {"numerator": 8, "denominator": 10}) for m in range(5, 10)]
    evaluation = evaluate(contract(cumulative), rows("on-time-ytd", *months), date(2026, 9, 30))
    row = evaluation.row("s1", "on-time-ytd", "2026/27 Q2")
    assert (row["status"], row["returns_made"], row["returns_due"], row["complete"]) == (
        "met",
        3,
        3,
        False,
    )
    text = evaluation.explain("s1", "on-time-ytd", "2026/27 Q2").text
    assert text.splitlines()[0] == (
        "s1 / on-time-ytd / 2026/27 Q2: met, judged on the returns of the year to date that "
        "were made."
    )
    assert lines(text, "Returns: ") == [
        "Returns: 3 of the 3 returns due were made; a return due earlier in the year is "
        "missing or rejected, so the figure for the year to date is that of the returns made."
    ]


def test_every_rejected_row_named_on_a_row_is_quoted() -> None:
    # Fifteen rejected rows: the row names the first ten ('0, …, 9 and 5 more'), and the
    # explanation quotes all ten of them, then says how many more.
    records = rows("incidents", *[("2026-04", {"numerator": f"bad{i}"}) for i in range(15)])
    text = evaluate(contract(INCIDENTS), records).explain("s1", "incidents", "2026/27 Q1").text
    (returns,) = lines(text, "Returns: ")
    assert "row 9: numerator 'bad9' is not a number; and 5 more)." in returns
    assert returns.count("row ") == 10


def test_a_period_after_the_service_ended_is_not_explained_as_before_it_commenced() -> None:
    ended = one_service(INCIDENTS, ends="2026-05-15")
    evaluation = evaluate(
        contract(INCIDENTS, services=[ended]),
        rows("incidents", *counts(1, 1)),
        as_of=date(2026, 9, 30),
    )
    assert evaluation.row("s1", "incidents", "2026/27 Q2")["status"] == "not_due"
    text = evaluation.explain("s1", "incidents", "2026/27 Q2").text
    assert "commence" not in text
    assert text.splitlines() == [
        "s1 / incidents / 2026/27 Q2: not due: the service had ended.",
        "The service ended before this period began: nothing is due.",
    ]
    late = one_service(INCIDENTS, commences="2026-07-01")
    evaluation = evaluate(contract(INCIDENTS, services=[late]), [], as_of=date(2026, 9, 30))
    text = evaluation.explain("s1", "incidents", "2026/27 Q1").text
    assert text.splitlines() == [
        "s1 / incidents / 2026/27 Q1: not due: the service had not commenced.",
        "The service commences on 1 July 2026, after this period: nothing is due.",
    ]


def test_a_snapshot_explanation_in_the_table_reads_as_the_row() -> None:
    # The snapshot with its last return is complete though May is missing: its head makes no
    # claim of a part-period, and the failure to report is still said.
    april = ("2026-04", {"numerator": 95, "denominator": 100})
    june = ("2026-06", {"numerator": 90, "denominator": 100})
    evaluation = evaluate(contract(WAITING), rows("waiting", april, june))
    text = evaluation.explain("s1", "waiting", "2026/27 Q1").text
    assert text.splitlines()[0] == (
        "s1 / waiting / 2026/27 Q1: below the threshold, but within expected variation (not a "
        "flag)."
    )
    assert lines(text, "Reporting: ")[0].startswith("Reporting: 1 of its 3 returns is missing")
    assert evaluation.table.filter(pl.col("kpi") == "waiting").height == 1


# --- a property: every explanation agrees with its row -------------------------------------

MONTHS = [f"2026-{m:02d}" for m in range(4, 13)] + ["2027-01", "2027-02", "2027-03"]
COUNTS = ("flagged", "alarm", "not_counted")


@st.composite
def evaluations(draw: st.DrawFn) -> Evaluation:
    """A KPI of any measure and combination, a service that may commence or end within the
    year, returns with months missing, rejected or sent twice, and any reporting settings."""
    definition = draw(st.sampled_from(ALL_KPIS))
    measure = definition["measure"]
    commences = draw(st.sampled_from(["2019-04-01", "2026-05-15", "2026-08-01"]))
    ends = draw(st.sampled_from([None, "2026-11-20", "2027-01-31"]))
    held = one_service(definition, commences=commences, **({"ends": ends} if ends else {}))
    reporting = draw(
        st.dictionaries(
            st.sampled_from(["missing", "rejected", "incomplete"]), st.sampled_from(COUNTS)
        )
    )
    built = contract(definition, services=[held], reporting=reporting)
    records = []
    for month in MONTHS:
        if month < commences[:7] or (ends and month > ends[:7]):
            continue
        fate = draw(st.sampled_from(["made", "made", "made", "missing", "rejected", "twice"]))
        if fate == "missing":
            continue
        if measure == "proportion":
            n = draw(st.integers(1, 40))
            fields: dict[str, Any] = {"numerator": draw(st.integers(0, n)), "denominator": n}
        elif measure == "rate":
            fields = {"numerator": draw(st.integers(0, 20)), "denominator": 1000}
        elif measure == "mean":
            fields = {"value": draw(st.integers(40, 140)), "count": 20, "sd": 30}
        else:
            fields = {"numerator": draw(st.integers(0, 4))}
        if fate == "rejected":
            fields = {**fields, "numerator": "n/a", "value": "n/a"}
        records.extend(rows(definition["id"], (month, fields)))
        if fate == "twice":
            records.extend(rows(definition["id"], (month, fields)))
    return evaluate(built, records, as_of=date(2027, 3, 31))


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evaluations())
def test_every_explanation_agrees_with_its_row(evaluation: Evaluation) -> None:
    for row in evaluation.table.iter_rows(named=True):
        text = evaluation.explain(row["service"], row["kpi"], row["period"]).text
        head = text.splitlines()[0]
        assert head.startswith(f"s1 / {row['kpi']} / {row['period']}: ")
        assert "as nothing" not in text
        if row["status"] == "not_due":
            continue
        if row["returns_rejected"] and not row["returns_made"]:
            assert "no return was made" not in text
        if row["measure"] == "count" and row["threshold"] is not None:
            threshold = next(line for line in text.splitlines() if line.startswith("Threshold:"))
            if row["combine"] == "cumulative" and "financial year" not in row["period"]:
                assert "in the financial year to the end of the" in threshold
        if row["reporting_failure"] and row["status"] not in ("shadow", "underperforming"):
            # The contract's setting is named wherever it decides how the period counts.
            assert f"reporting.{row['reporting_failure']}" in text
        if row["counted_as"] is None and row["escalation"] and row["status"] != "shadow":
            assert "in force from an earlier period" in text
        if f"judged on the {row['returns_made']} of" in head:
            assert row["returns_made"] < row["returns_due"]
    # Read back from its JSON form, it explains itself the same way and writes the same JSON.
    text = evaluation.to_json() or ""
    back = Evaluation.from_json(text)
    assert back.to_json() == text
    for row in evaluation.table.select("service", "kpi", "period").rows():
        assert back.explain(*row).text == evaluation.explain(*row).text
