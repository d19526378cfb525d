"""The finance functions given the wrong kind of thing say what to give: a ContractKitError that
is also a TypeError, never an AttributeError from deep inside."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import contractkit
from contractkit import ArgumentError, ContractKitError, assess, reconcile, statement

ROOT = Path(__file__).resolve().parent.parent
FUND = ROOT / "examples" / "better-care-fund" / "fund.yaml"
PLAN = ROOT / "examples" / "system-plan" / "plan.yaml"
CONTRACT = ROOT / "examples" / "urgent-community-response" / "contract.yaml"
SPEND = ROOT / "examples" / "better-care-fund" / "spend.csv"
OUTTURN = ROOT / "examples" / "system-plan" / "outturn.csv"


def refusal(work: object) -> str:
    with pytest.raises(ArgumentError) as caught:
        work()  # type: ignore[operator]  # a callable
    assert isinstance(caught.value, ContractKitError)
    assert isinstance(caught.value, TypeError)
    return str(caught.value)


def test_reconcile_given_a_contract_says_to_give_a_fund() -> None:
    contract = contractkit.load(CONTRACT)
    message = refusal(lambda: reconcile(contract, SPEND))  # type: ignore[arg-type]
    assert message == (
        "reconcile() reconciles a pooled fund (or a list of pooled funds of one year), but was "
        "given a contract (NEL-UCR-2026): load the fund's file with contractkit.load, and give the "
        "contract to contractkit.statement to see what it pays"
    )


def test_reconcile_given_a_path_or_a_plan() -> None:
    assert "given the path or text" in refusal(lambda: reconcile(str(FUND), SPEND))  # type: ignore[arg-type]
    assert "contractkit.load" in refusal(lambda: reconcile(FUND, SPEND))  # type: ignore[arg-type]
    plan = contractkit.load(PLAN)
    assert "given a system plan (NEY-2026)" in refusal(lambda: reconcile(plan, SPEND))  # type: ignore[arg-type]
    fund = contractkit.load(FUND)
    assert "given a list holding a system plan (NEY-2026)" in refusal(
        lambda: reconcile([fund, plan], SPEND)  # type: ignore[list-item]
    )
    assert "given 42" in refusal(lambda: reconcile(42, SPEND))  # type: ignore[arg-type]


def test_assess_given_a_fund_says_to_give_a_plan() -> None:
    fund = contractkit.load(FUND)
    message = refusal(lambda: assess(fund, OUTTURN))  # type: ignore[arg-type]
    assert message == (
        "assess() assesses a system plan, but was given a pooled fund (NEL-BCF-2026): load the "
        "plan's file with contractkit.load, and give the fund to contractkit.reconcile"
    )
    assert "given the path or text" in refusal(lambda: assess(str(PLAN), OUTTURN))  # type: ignore[arg-type]


def test_statement_given_a_plan_says_to_give_a_contract() -> None:
    plan = contractkit.load(PLAN)
    message = refusal(lambda: statement(plan, pl.DataFrame()))  # type: ignore[arg-type]
    assert message == (
        "statement() draws up a contract's payment statement, but was given a system plan "
        "(NEY-2026): load the contract's file with contractkit.load, and give the plan to "
        "contractkit.assess"
    )
    assert "given the path or text" in refusal(
        lambda: statement(str(CONTRACT), pl.DataFrame())  # type: ignore[arg-type]
    )
