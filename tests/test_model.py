"""The contract model: thresholds, stages, cross-references and plain English, from Python."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contractkit as ck
from contractkit.model.embedding import schedule
from contractkit.model.escalation import CONTRACT_MANAGEMENT, contract_management_stage
from contractkit.units import Quantity


def kpi(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "ucr-2h",
        "name": "Urgent community response within 2 hours",
        "measure": "proportion",
        "better": "higher",
        "reported": "monthly",
        "assessed": "quarterly",
        "threshold": "70%",
    }
    base.update(overrides)
    return base


def contract(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "TEST-1",
        "title": "A test contract",
        "commissioners": [{"id": "QMF", "name": "An ICB"}],
        "term": {"start": date(2026, 4, 1), "end": date(2029, 3, 31)},
        "providers": [{"id": "RQX", "name": "A trust", "type": "nhs_trust"}],
        "embedding": [
            {"stage": "mobilisation", "months": 3, "mode": "shadow"},
            {"stage": "embedding", "months": 9},
            {"stage": "established"},
        ],
        "kpis": [kpi()],
        "services": [
            {"id": "svc", "provider": "RQX", "commences": date(2026, 7, 1), "kpis": ["ucr-2h"]}
        ],
    }
    base.update(overrides)
    return base


def problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ck.SpecError) as caught:
        ck.load(data)
    return [(p.path, p.message) for p in caught.value.problems]


# --- thresholds ------------------------------------------------------------------------------


def test_absolute_percentage_becomes_a_fraction() -> None:
    k = ck.KPI(**kpi(threshold="70%"))
    assert isinstance(k.threshold, ck.Absolute)
    assert k.level(k.threshold.value) == Decimal("0.7")


def test_fraction_is_accepted_for_a_proportion() -> None:
    k = ck.KPI(**kpi(threshold=Decimal("0.7")))
    assert k.level(k.threshold.value) == Decimal("0.7")  # type: ignore[union-attr]


def test_bare_percentage_number_is_refused_with_a_hint() -> None:
    with pytest.raises(ck.SpecError, match=r"write a percentage such as '70%'"):
        ck.KPI(**kpi(threshold=70))


def test_staged_threshold_keeps_each_stage() -> None:
    k = ck.KPI(**kpi(threshold={"embedding": "60%", "established": "70%"}))
    assert isinstance(k.threshold, ck.Staged)
    embedding = k.threshold.rule_for("embedding")
    assert isinstance(embedding, ck.Absolute)
    assert k.level(embedding.value) == Decimal("0.6")
    assert k.threshold.rule_for("mobilisation") is None


def test_dated_threshold_value_in_force() -> None:
    k = ck.KPI(
        **kpi(
            measure="rate",
            per=1000,
            better="lower",
            reported="quarterly",
            threshold={date(2026, 4, 1): 12, "2027-04-01": 10},
        )
    )
    assert isinstance(k.threshold, ck.Dated)
    assert k.threshold.in_force(date(2026, 3, 31)) is None
    assert k.threshold.in_force(date(2026, 4, 1)) == Quantity(Decimal(12))
    assert k.threshold.in_force(date(2027, 3, 31)) == Quantity(Decimal(12))
    assert k.threshold.in_force(date(2027, 4, 1)) == Quantity(Decimal(10))


def test_mean_threshold_converts_units_exactly() -> None:
    k = ck.KPI(**kpi(measure="mean", unit="minutes", better="lower", threshold="1.5 hours"))
    assert k.level(k.threshold.value) == Decimal(90)  # type: ignore[union-attr]


def test_rate_threshold_in_another_base_is_rescaled() -> None:
    k = ck.KPI(**kpi(measure="rate", per=1000, better="lower", threshold="1.2 per 100"))
    assert k.level(k.threshold.value) == Decimal(12)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"measure": "mean", "unit": "minutes", "threshold": "90 kg"}, "a mass, not a time"),
        ({"measure": "mean", "threshold": "90 minutes"}, "a mean needs a 'unit'"),
        ({"measure": "rate", "threshold": 12}, "a rate needs 'per'"),
        ({"per": 100}, "'per' is for rates"),
        ({"unit": "minutes"}, "takes no unit"),
        ({"threshold": "120%"}, "more than 100%"),
        ({"threshold": "-5%"}, "negative"),
        ({"measure": "count", "threshold": "5 minutes"}, "a count's threshold is a number"),
        ({"reported": "quarterly", "assessed": "monthly"}, "cannot be assessed more often"),
        ({"threshold": {"floor": "65%"}}, "missing 'improvement'"),
        ({"threshold": {"ceiling": "65%", "improvement": "5%"}}, "give a 'floor'"),
        ({"threshold": {"2026-04-01": "60%", "established": "70%"}}, "mixes dates"),
        ({"threshold": {"embedding": {"established": "60%"}}}, "cannot itself be staged"),
        ({"threshold": {}}, "an empty threshold"),
    ],
)
def test_kpi_problems(overrides: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ck.SpecError) as caught:
        ck.KPI(**kpi(**overrides))
    assert any(fragment in p.message for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("assessed", "threshold", "message"),
    [
        (
            "quarterly",
            "2 per quarter",
            "'2 per quarter': a count's threshold is a number for the whole assessment period "
            "(each quarter, as this KPI is assessed quarterly), so write 2",
        ),
        (
            "monthly",
            "6 per quarter",
            "'6 per quarter': a count's threshold is a number for the whole assessment period "
            "(each month, as this KPI is assessed monthly), so write the number allowed in "
            "each month",
        ),
        (
            "annually",
            "1 a year",
            "'1 a year': a count's threshold is a number for the whole assessment period (each "
            "financial year, as this KPI is assessed annually), so write 1",
        ),
    ],
)
def test_a_count_threshold_per_a_length_of_time_names_the_assessment_period(
    assessed: str, threshold: str, message: str
) -> None:
    count = kpi(
        id="never-events", measure="count", better="lower", assessed=assessed, threshold=threshold
    )
    assert dict(problems(contract(kpis=[count])))["kpis[0].threshold"] == message


def test_a_rate_threshold_per_a_length_of_time_says_what_a_rate_is() -> None:
    rate = kpi(measure="rate", per=1000, better="lower", threshold={"established": "12 a month"})
    found = dict(problems(contract(kpis=[rate])))
    assert found["kpis[0].threshold.established"] == (
        "'12 a month': a rate's threshold is a number of events per 1,000, judged over the "
        "whole assessment period (each quarter, as this KPI is assessed quarterly): give it "
        "without 'per' a length of time"
    )


def test_threshold_problem_path_points_into_the_threshold() -> None:
    with pytest.raises(ck.SpecError) as caught:
        ck.KPI(**kpi(threshold={"embedding": "60%", "established": "170%"}))
    assert [p.path for p in caught.value.problems] == ["threshold.established"]


def test_zero_tolerance() -> None:
    never = ck.KPI(**kpi(id="ne", measure="count", better="lower", threshold=0))
    some = ck.KPI(**kpi(id="fa", measure="count", better="lower", threshold=2))
    assert never.zero_tolerance
    assert not some.zero_tolerance


# --- stages ----------------------------------------------------------------------------------


def test_stage_schedule_counts_calendar_months_from_commencement(
    ucr: ck.Contract,
) -> None:
    spans = ucr.schedule("ucr-north")
    assert [(s.stage.stage, s.start, s.end) for s in spans] == [
        ("mobilisation", date(2026, 7, 1), date(2026, 10, 1)),
        ("embedding", date(2026, 10, 1), date(2027, 7, 1)),
        ("established", date(2027, 7, 1), None),
    ]


def test_stage_schedule_clamps_at_month_end() -> None:
    spans = schedule([ck.Stage(stage="a", months=1), ck.Stage(stage="b")], date(2027, 1, 31))
    assert spans[0].end == date(2027, 2, 28)
    assert date(2027, 2, 27) in spans[0]
    assert date(2027, 2, 28) in spans[1]


def test_long_standing_service_is_established_throughout(ucr: ck.Contract) -> None:
    spans = ucr.schedule("ucr-south")
    term_start = ucr.term.start
    established = [s for s in spans if term_start in s]
    assert [s.stage.stage for s in established] == ["established"]


def test_without_embedding_every_service_is_established() -> None:
    c = ck.load(contract(embedding=[]))
    assert [s.stage for s in c.stages] == ["established"]


@pytest.mark.parametrize(
    ("embedding", "fragment"),
    [
        ([{"stage": "a"}, {"stage": "b"}], "could never begin"),
        ([{"stage": "a", "months": 3}, {"stage": "b", "months": 3}], "takes no 'months'"),
        ([{"stage": "a", "months": 3}, {"stage": "a"}], "used twice"),
        ([{"stage": "vcse", "months": 3}, {"stage": "b"}], "is a provider type"),
        ([{"stage": "a", "mode": "shadow"}], "every stage is shadow"),
    ],
)
def test_stage_problems(embedding: list[dict[str, Any]], fragment: str) -> None:
    found = problems(contract(embedding=embedding, kpis=[kpi()]))
    assert any(fragment in message for _, message in found), found


# --- cross-references --------------------------------------------------------------------------


def test_unknown_stage_in_threshold_suggests_the_closest() -> None:
    found = problems(contract(kpis=[kpi(threshold={"embeding": "60%", "established": "70%"})]))
    assert found == [
        (
            "kpis[0].threshold.embeding",
            "unknown stage 'embeding'; did you mean 'embedding'? "
            "(the stages are: mobilisation, embedding, established)",
        )
    ]


def test_dangling_references_are_all_reported() -> None:
    data = contract(
        services=[
            {"id": "svc", "provider": "RQY", "commences": date(2026, 7, 1), "kpis": ["ucr-2"]}
        ],
        outcomes=[{"id": "o", "name": "An outcome", "kpis": ["ucr"]}],
    )
    found = dict(problems(data))
    assert "did you mean 'RQX'" in found["services[0].provider"]
    assert "did you mean 'ucr-2h'" in found["services[0].kpis[0]"]
    assert "unknown KPI 'ucr'" in found["outcomes[0].kpis[0]"]


def test_dates_outside_the_term() -> None:
    data = contract(
        kpis=[kpi(threshold={"2025-04-01": "60%", "2027-04-01": "70%"})],
        services=[
            {"id": "svc", "provider": "RQX", "commences": date(2029, 4, 1), "kpis": ["ucr-2h"]}
        ],
    )
    found = dict(problems(data))
    assert "outside the term" in found["kpis[0].threshold.2025-04-01"]
    assert "after the term ends" in found["services[0].commences"]


def test_floor_or_improvement_needs_each_services_baseline() -> None:
    threshold = {"floor": "65%", "improvement": "7%"}
    found = problems(contract(kpis=[kpi(threshold=threshold)]))
    assert any("needs 'baselines" in message for _, message in found)
    ok = ck.load(
        contract(
            kpis=[kpi(threshold=threshold)],
            services=[
                {
                    "id": "svc",
                    "provider": "RQX",
                    "commences": date(2026, 7, 1),
                    "kpis": ["ucr-2h"],
                    "baselines": {"ucr-2h": "58%"},
                }
            ],
        )
    )
    assert ok.service("svc").baselines["ucr-2h"] == Quantity(Decimal(58), "percent")


def test_trajectory_keys_must_be_assessment_periods_in_the_term() -> None:
    service = {
        "id": "svc",
        "provider": "RQX",
        "commences": date(2026, 7, 1),
        "kpis": ["ucr-2h"],
        "trajectories": {"ucr-2h": {"2026-07": "55%", "2031/32 Q1": "60%", "2026/27 Q3": "1.5"}},
    }
    found = dict(problems(contract(kpis=[kpi(threshold="trajectory")], services=[service])))
    assert "key the trajectory by quarter" in found["services[0].trajectories.ucr-2h.2026-07"]
    assert "outside the term" in found["services[0].trajectories.ucr-2h.2031/32 Q1"]
    assert "not a proportion" in found["services[0].trajectories.ucr-2h.2026/27 Q3"]


def test_baseline_for_a_kpi_that_does_not_use_one_is_a_problem() -> None:
    service = {
        "id": "svc",
        "provider": "RQX",
        "commences": date(2026, 7, 1),
        "kpis": ["ucr-2h"],
        "baselines": {"ucr-2h": "50%", "other": "40%"},
    }
    found = dict(problems(contract(services=[service])))
    assert "would never be used" in found["services[0].baselines.ucr-2h"]
    assert "not one of this service's KPIs" in found["services[0].baselines.other"]


def test_escalation_steps_must_be_kept_together() -> None:
    rules = [
        {"step": "contract_performance_notice", "flagged": 2, "within": 2},
        {"step": "remedial_action_plan", "flagged": 3, "within": 4},
        {"step": "contract_performance_notice", "alarms": 1, "within": 1},
    ]
    found = dict(problems(contract(escalation=rules)))
    assert "keep a step's rules together" in found["escalation[2].step"]


def rule(step: str) -> dict[str, Any]:
    return {"step": step, "flagged": 1, "within": 1}


def test_a_meeting_listed_as_more_serious_than_a_remedial_action_plan_is_refused() -> None:
    steps = ["contract_performance_notice", "remedial_action_plan", "contract_management_meeting"]
    found = dict(problems(contract(escalation=[rule(s) for s in steps])))
    assert found == {
        "escalation[2].step": (
            "'contract_management_meeting' is listed after 'remedial_action_plan', as the more "
            "serious step, but it comes before it in contract management (General Condition 9 "
            "of the NHS Standard Contract): list the rules from the least serious step, "
            "contract_performance_notice → contract_management_meeting → remedial_action_plan"
        )
    }


@pytest.mark.parametrize(
    "steps",
    [
        ["contract_management_meeting", "contract_performance_notice"],
        ["exception_notice", "remedial_action_plan"],
        ["termination", "withholding"],
        ["withholding", "exception_notice"],
        ["joint_investigation", "contract_management_meeting"],
        ["termination", "contract_performance_notice"],
    ],
)
def test_steps_out_of_the_order_of_general_condition_9_are_refused(steps: list[str]) -> None:
    found = dict(problems(contract(escalation=[rule(s) for s in steps])))
    assert list(found) == ["escalation[1].step"]
    assert f"{steps[1]!r} is listed after {steps[0]!r}" in found["escalation[1].step"]


def test_only_the_fewest_steps_out_of_place_are_reported() -> None:
    steps = ["contract_performance_notice", "exception_notice", "contract_management_meeting"]
    steps.append("remedial_action_plan")
    found = dict(problems(contract(escalation=[rule(s) for s in steps])))
    assert list(found) == ["escalation[1].step"]
    assert found["escalation[1].step"].startswith(
        "'exception_notice' is listed before 'contract_management_meeting', as the less serious "
        "step, but it comes after it in contract management"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([step for stage in CONTRACT_MANAGEMENT for step in stage[:1]]),
        min_size=1,
        max_size=6,
        unique=True,
    )
)
def test_steps_are_accepted_exactly_when_in_the_order_of_the_process(steps: list[str]) -> None:
    stages = [contract_management_stage(step) or 0 for step in steps]
    escalation = [rule(s) for s in steps]
    if stages == sorted(stages):
        assert ck.Contract(**contract(escalation=escalation)).steps == tuple(steps)
    else:
        found = problems(contract(escalation=escalation))
        assert found
        assert all("in contract management (General Condition 9" in m for _, m in found)


@pytest.mark.parametrize(
    "steps",
    [
        [
            "contract_performance_notice",
            "contract_management_meeting",
            "immediate_action_plan",
            "joint_investigation",
            "remedial_action_plan",
            "exception_notice",
            "withholding",
            "termination",
        ],
        # the three outcomes of a contract management meeting are alternatives, in any order
        ["remedial_action_plan", "joint_investigation", "immediate_action_plan"],
        # steps in the contract's own words are not ordered against the process
        ["exception_notice", "board_escalation", "contract_performance_notice_2"],
        ["informal_review", "contract_performance_notice", "exception_notice"],
    ],
)
def test_steps_in_the_order_of_the_process_or_in_own_words_are_accepted(steps: list[str]) -> None:
    built = ck.Contract(**contract(escalation=[rule(s) for s in steps]))
    assert built.steps == tuple(steps)


def test_steps_are_ordered_by_first_mention(ucr: ck.Contract) -> None:
    assert ucr.steps == ("contract_performance_notice", "remedial_action_plan", "exception_notice")


def test_flags_must_be_ordered() -> None:
    found = problems(contract(flags={"warning": 0.01, "alarm": 0.05}))
    assert any("stricter" in message for _, message in found)


# --- Python construction -------------------------------------------------------------------


def test_python_objects_equal_the_yaml(ucr: ck.Contract) -> None:
    built = ck.Contract(
        id=ucr.id,
        title=ucr.title,
        commissioners=[ck.Commissioner(id="QMF", name="North East London Integrated Care Board")],
        term=ck.Term(start=date(2026, 4, 1), end=date(2029, 3, 31)),
        providers=list(ucr.providers),
        embedding=[
            ck.Stage(stage="mobilisation", months=3, mode=ck.StageMode.SHADOW),
            ck.Stage(stage="embedding", months=9),
            ck.Stage(stage="established"),
        ],
        flags=ck.Flags(warning=0.025, alarm=0.001),
        kpis=list(ucr.kpis),
        services=list(ucr.services),
        outcomes=list(ucr.outcomes),
        escalation=list(ucr.escalation),
        finance=ck.Finance(
            value=ck.Money("£3,400,000"),
            payments=[
                ck.ServicePayment(service="ucr-south", fixed=ck.Money("£2,400,000")),
                ck.ServicePayment(
                    service="ucr-north",
                    fixed=ck.Money("£300,000"),
                    variable=[ck.Currency(activity="urgent_response", price=ck.Money("£85"))],
                ),
                ck.ServicePayment(
                    service="falls-east",
                    variable=[
                        ck.Currency(
                            activity="falls_assessment",
                            price=ck.Money("£180"),
                            limit=ck.Money("£150,000"),
                        )
                    ],
                ),
                ck.ServicePayment(service="falls-befriending", fixed=ck.Money("£60,000")),
            ],
            incentive=ck.Incentive(
                pot="1.25%",
                indicators=[
                    ck.Indicator(kpi="ucr-2h", linear={"zero_at": "60%", "full_at": "80%"}),
                    ck.Indicator(
                        kpi="first-contact",
                        bands=[
                            {"pays": "0%"},
                            {"below": "120 minutes", "pays": "50%"},
                            {"at_most": "90 minutes", "pays": "100%"},
                        ],
                    ),
                ],
            ),
            outcome_payments=ucr.finance.outcome_payments if ucr.finance else None,
            consequences=[
                ck.Consequence(kpi="ucr-2h", per_breach=ck.Money("£40")),
                ck.Consequence(kpi="never-events", per_incident=ck.Money("£10,000")),
            ],
            withholding=[
                ck.Withholding(step="remedial_action_plan", rate="1%", retained_after=6),
                ck.Withholding(step="exception_notice", rate="2%", retained_after=3),
            ],
        ),
    )
    assert built == ucr


def test_models_are_immutable(ucr: ck.Contract) -> None:
    with pytest.raises(AttributeError, match="immutable"):
        ucr.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError, match="'mappingproxy' object does not support item assignment"):
        ucr.service("ucr-north").baselines["ucr-2h"] = Quantity(Decimal(1))  # type: ignore[index]


def test_python_construction_raises_spec_error_with_paths() -> None:
    with pytest.raises(ck.SpecError) as caught:
        ck.Provider(id="rqx", name="A trust", type="nhs_trsut")
    error = caught.value
    assert isinstance(error, ValueError)
    assert [p.path for p in error.problems] == ["id", "type"]
    assert "did you mean 'RQX'" in error.problems[0].message
    assert "did you mean 'nhs_trust'" in error.problems[1].message
    assert all(p.line is None for p in error.problems)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("charity", "vcse"),
        ("voluntary", "vcse"),
        ("third sector", "vcse"),
        ("Third-Sector", "vcse"),
        ("private", "independent_sector"),
        ("independent", "independent_sector"),
        ("council", "local_authority"),
        ("County Council", "local_authority"),
        ("GP", "primary_care"),
        ("general practice", "primary_care"),
        ("PCN", "primary_care"),
        ("FT", "nhs_foundation_trust"),
        ("foundation trust", "nhs_foundation_trust"),
        ("CIC", "social_enterprise"),
        ("chairty", "vcse"),  # a slip in a longer word is forgiven
    ],
)
def test_other_words_for_a_provider_type_are_refused_with_the_right_word(
    written: str, meant: str
) -> None:
    with pytest.raises(ck.SpecError) as caught:
        ck.Provider(id="RQX", name="A provider", type=written)
    (problem,) = caught.value.problems
    assert problem.path == "type"
    assert problem.message.startswith(f"{written!r} is not a provider type: ")
    assert f"is {meant!r}" in problem.message
    assert "(the types are: nhs_trust, nhs_foundation_trust, " in problem.message


@pytest.mark.parametrize("written", ["NHS Trust", "Nhs_Foundation_Trust", "local authority"])
def test_a_type_written_in_other_case_or_spacing_is_refused_with_its_spelling(
    written: str,
) -> None:
    with pytest.raises(ck.SpecError) as caught:
        ck.Provider(id="RQX", name="A provider", type=written)
    (problem,) = caught.value.problems
    meant = written.lower().replace(" ", "_")
    assert problem.message.endswith(f"did you mean {meant!r}?")


@pytest.mark.parametrize("written", ["it", "hospital", "la", "xyz"])
def test_no_type_is_guessed_for_unrelated_words(written: str) -> None:
    with pytest.raises(ck.SpecError) as caught:
        ck.Provider(id="RQX", name="A provider", type=written)
    message = caught.value.problems[0].message
    assert message.startswith(f"{written!r} is not one of: nhs_trust, ")
    assert "did you mean" not in message
    assert "is not a provider type" not in message


def test_lookups_suggest_close_ids(ucr: ck.Contract) -> None:
    assert ucr.kpi("ucr-2h").name.startswith("Urgent")
    with pytest.raises(KeyError, match="did you mean 'ucr-north'"):
        ucr.service("ucr-nrth")


# --- plain English -------------------------------------------------------------------------


def test_kpi_summaries(ucr: ck.Contract) -> None:
    assert ucr.kpi_summary("ucr-2h") == (
        "Urgent community response within 2 hours must be at least 70% once established "
        "(60% while embedding), assessed quarterly"
    )
    assert ucr.kpi_summary("first-contact") == (
        "Mean time from referral to first contact must be at most 90 minutes, assessed quarterly"
    )
    assert ucr.kpi_summary("falls-admissions") == (
        "Emergency admissions after a fall per 1,000 people on the caseload must be at most "
        "12 per 1,000 from 1 April 2026 and 10 per 1,000 from 1 April 2027 once established "
        "(monitored only while embedding), assessed quarterly"
    )
    assert ucr.kpi_summary("never-events") == "Never events must be zero, assessed monthly"


def test_floor_or_improvement_in_words() -> None:
    k = ck.KPI(**kpi(threshold={"floor": "65%", "improvement": "7%"}))
    assert k.summary() == (
        "Urgent community response within 2 hours must be at least the greater of 65% and the "
        "service's baseline plus 7 percentage points, assessed quarterly"
    )


def test_readable_repr(ucr: ck.Contract) -> None:
    assert repr(ucr) == (
        "Contract(id='NEL-UCR-2026', title='Urgent community response and falls prevention', "
        "term=2026-04-01..2029-03-31, 4 providers, 4 services, 4 KPIs)"
    )
    assert "unit=None" not in repr(ucr.kpi("ucr-2h"))


def test_model_copy_validates_and_gives_fresh_lookups(ucr: ck.Contract) -> None:
    assert ucr.kpi("ucr-2h").threshold  # fill the original's lookups first
    renamed = ucr.kpis[0].model_copy(update={"name": "Two-hour response"})
    copy = ucr.model_copy(update={"kpis": (renamed, *ucr.kpis[1:])})
    assert copy.kpi("ucr-2h").name == "Two-hour response"
    assert ucr.kpi("ucr-2h").name.startswith("Urgent")
    with pytest.raises(ck.SpecError, match="on or before it starts"):
        ucr.term.model_copy(update={"end": ucr.term.start})
    with pytest.raises(ck.SpecError, match="more than 100%"):
        ucr.kpis[0].model_copy(update={"threshold": "150%"})


def test_a_shadow_stage_takes_no_threshold() -> None:
    found = problems(contract(kpis=[kpi(threshold={"mobilisation": "50%", "established": "70%"})]))
    assert any("is shadow" in message for _, message in found), found


def test_counts_of_one_thing_are_not_counts_of_another() -> None:
    with pytest.raises(ck.SpecError, match="counts referrals, but this KPI counts events"):
        ck.KPI(**kpi(measure="count", unit="events", better="lower", threshold="5 referrals"))
    ok = ck.KPI(**kpi(measure="count", unit="events", better="lower", threshold="5 events"))
    assert ok.level(ok.threshold.value) == 5  # type: ignore[union-attr]


def test_equal_contracts_stay_equal_after_lookups(ucr_path: object) -> None:
    first, second = ck.load(ucr_path), ck.load(ucr_path)  # type: ignore[arg-type]
    first.kpi("ucr-2h")
    assert first == second
