"""The one shape of every result (contractkit.results): tables by name, the same writers with
the same signatures, the JSON form read back, and the declared columns of every table."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import contractkit
from contractkit import ArgumentError, RecordError
from contractkit.payments import Statement
from contractkit.pooled_funds import Reconciliation
from contractkit.results import Explanation, Result
from contractkit.system_plans import Assessment

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MoneyResults = Reconciliation | Assessment | Statement


def _reconciliation() -> Reconciliation:
    fund = contractkit.load(EXAMPLES / "better-care-fund" / "fund.yaml", kind="pooled_fund")
    return contractkit.reconcile(fund, EXAMPLES / "better-care-fund" / "spend.csv")


def _assessment() -> Assessment:
    plan = contractkit.load(EXAMPLES / "system-plan" / "plan.yaml", kind="system_plan")
    return contractkit.assess(plan, EXAMPLES / "system-plan" / "outturn.csv")


def _statement() -> Statement:
    ucr = EXAMPLES / "urgent-community-response"
    contract = contractkit.load(ucr / "contract.yaml", kind="contract")
    return contractkit.statement(
        contract, ucr / "returns.csv", activity=ucr / "activity.csv", outcomes=ucr / "outcomes.csv"
    )


@pytest.fixture(scope="module", params=[_reconciliation, _assessment, _statement])
def result(request: pytest.FixtureRequest) -> MoneyResults:
    made: MoneyResults = request.param()
    return made


def test_every_result_is_a_result(result: MoneyResults) -> None:
    assert isinstance(result, Result)
    # A statement explains a named provider's figures; the others their whole position.
    named = [result.providers.get_column("provider")[0]] if isinstance(result, Statement) else []
    explanation = result.explain(*named)
    assert isinstance(explanation, Explanation)
    assert str(explanation) == explanation.text != ""


def test_each_table_has_the_columns_it_declares_in_order(result: MoneyResults) -> None:
    for name in result.TABLES:
        built = list(result.tables[name].schema.items())
        assert built == list(result.SCHEMAS[name].items()), name


def test_the_tables_by_name(result: MoneyResults) -> None:
    tables = result.tables
    assert list(tables) == list(result.TABLES)
    assert len(tables) == len(result.TABLES)
    for name in result.TABLES:
        assert tables[name] is getattr(result, name)
        assert result.to_polars(name) is getattr(result, name)
    assert result.to_polars() is getattr(result, result.TABLES[0])
    with pytest.raises(ArgumentError, match=r"no table 'nothing': the tables are "):
        tables["nothing"]


def test_the_old_table_method_warns(result: MoneyResults) -> None:
    with pytest.warns(DeprecationWarning, match=r"use tables\[name\]"):
        assert result.table("findings") is result.findings


def test_csv_takes_a_path_first_and_a_table_by_name(result: MoneyResults, tmp_path: Path) -> None:
    last = result.TABLES[-1]
    text = result.to_csv(table=last)
    assert text == getattr(result, last).write_csv()
    assert result.to_csv(tmp_path / "out.csv", table=last) is None
    assert (tmp_path / "out.csv").read_text("utf-8") == text
    assert result.to_csv() == getattr(result, result.TABLES[0]).write_csv()


def test_parquet_keeps_the_types(result: MoneyResults, tmp_path: Path) -> None:
    for name in result.TABLES:
        result.to_parquet(tmp_path / f"{name}.parquet", table=name)
        assert pl.read_parquet(tmp_path / f"{name}.parquet").equals(result.tables[name]), name


def test_the_json_form_reads_back_exactly(result: MoneyResults, tmp_path: Path) -> None:
    text = result.to_json()
    assert text is not None
    back = type(result).from_json(text)
    assert back.to_json() == text
    for name in result.TABLES:
        assert back.tables[name].equals(result.tables[name]), name
        assert back.tables[name].schema == result.tables[name].schema, name
    headline = getattr(back, back.HEADLINE)
    assert headline == getattr(result, result.HEADLINE)
    assert back.account == result.account
    path = tmp_path / "result.json"
    assert result.to_json(path, indent=None) is None
    assert type(result).from_json(path).to_json() == text


def test_a_record_of_another_kind_is_refused(result: MoneyResults) -> None:
    other = _assessment() if isinstance(result, Reconciliation) else _reconciliation()
    text = other.to_json()
    assert text is not None
    noun = type(result).NOUN
    with pytest.raises(RecordError, match=rf"not a contractkit {noun} \(its 'format' is not"):
        type(result).from_json(text)


def test_a_damaged_record_says_so(result: MoneyResults) -> None:
    document = json.loads(result.to_json() or "")
    del document[result.TABLES[0]]
    with pytest.raises(RecordError, match=rf"the {type(result).NOUN} record is damaged: its part"):
        type(result).from_json(json.dumps(document))
    document = json.loads(result.to_json() or "")
    document["version"] = 99
    with pytest.raises(RecordError, match="format version 99 is not supported"):
        type(result).from_json(json.dumps(document))


def test_a_record_that_is_not_json_text_or_a_file(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match="a reconciliation record is JSON text or a file, not"):
        Reconciliation.from_json(42)  # type: ignore[arg-type] - the misuse is what is tested
    with pytest.raises(RecordError, match="cannot read the assessment record"):
        Assessment.from_json(tmp_path / "missing.json")
    with pytest.raises(RecordError, match="not JSON"):
        Statement.from_json("{not json")


def test_a_statement_read_back_still_splits_by_provider() -> None:
    made = _statement()
    back = Statement.from_json(made.to_json() or "")
    assert back.evaluation is None
    provider = made.providers.get_column("provider")[0]
    assert back.of(provider).to_json() == made.of(provider).to_json()


def test_an_evaluation_has_the_same_shape(tmp_path: Path) -> None:
    ucr = EXAMPLES / "urgent-community-response"
    contract = contractkit.load(ucr / "contract.yaml", kind="contract")
    evaluation = contractkit.evaluate(contract, ucr / "returns.csv")
    assert isinstance(evaluation, Result)
    assert list(evaluation.tables) == ["rows", "spc", "spc_icons", "escalation", "services"]
    assert evaluation.tables["rows"] is evaluation.table
    assert evaluation.to_polars() is evaluation.table
    assert evaluation.tables["spc"].equals(evaluation.points)
    assert evaluation.to_polars("services").equals(evaluation.services())
    text = evaluation.to_csv(table="escalation")
    assert text == evaluation.escalation().write_csv()
    assert evaluation.to_csv(tmp_path / "rows.csv") is None
    assert (tmp_path / "rows.csv").read_text("utf-8") == evaluation.table.write_csv()
    evaluation.to_parquet(tmp_path / "icons.parquet", table="spc_icons")
    assert pl.read_parquet(tmp_path / "icons.parquet").equals(evaluation.spc_icons())
    stored = evaluation.to_json()
    assert stored is not None
    assert not stored.endswith("\n")  # as evaluations have always ended
    assert contractkit.Evaluation.from_json(stored).to_json() == stored
    with pytest.raises(ArgumentError, match="no table 'lines': the tables are rows, spc, "):
        evaluation.to_polars("lines")
    with pytest.raises(RecordError, match="not a contractkit evaluation"):
        contractkit.Evaluation.from_json(_reconciliation().to_json() or "")


def test_a_name_a_result_does_not_hold_is_not_found(result: MoneyResults) -> None:
    with pytest.raises(contractkit.NotFoundError, match=r"no .*'nothing-here'") as found:
        result.explain("nothing-here")
    assert isinstance(found.value, KeyError)
    assert not str(found.value).startswith(("'", '"'))  # a sentence, not a quoted key


def test_an_evaluation_row_not_there_is_not_found() -> None:
    ucr = EXAMPLES / "urgent-community-response"
    contract = contractkit.load(ucr / "contract.yaml", kind="contract")
    evaluation = contractkit.evaluate(contract, ucr / "returns.csv")
    with pytest.raises(contractkit.NotFoundError, match="no evaluation for service 'nowhere'"):
        evaluation.row("nowhere", "ucr-2h", "2026/27 Q1")


def test_a_kind_of_result_must_give_its_own_record_and_words() -> None:
    class Unfinished(Result):
        TABLES = ("rows",)

        def to_dict(self) -> dict[str, object]:
            return {}

    with pytest.raises(TypeError, match="abstract methods _from_dict, explain"):
        Unfinished()  # type: ignore[abstract] - the refusal is what is tested
