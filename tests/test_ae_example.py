"""The A&E four-hour example: real returns, a generated contract, and an evaluation checked
against figures computed independently (polars for the sums, scipy for the tests)."""

from __future__ import annotations

import hashlib
import math
from datetime import date
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from scipy import optimize, stats
from typer.testing import CliRunner

import contractkit
from _support import example_script
from contractkit.cli import app
from contractkit.returns import parse_mapping

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "examples" / "ae-four-hour"
DATA = HERE / "ae_attendances.csv"
CONTRACT = HERE / "contract.yaml"
SHARED = ROOT.parent / "shared" / "data" / "ae_attendances.csv"
DATA_SHA256 = "fd4707312acce8ca75c9075262caaf96b9b71545abfc9d423d2d967331bf575c"

# The mapping exactly as the command line takes it (COLUMN=FIELD).
MAPPING = [
    "org_code=provider",
    "attendances - breaches=numerator",
    "attendances=denominator",
    "'ae-4h'=kpi",
]
WHERE = "type = '1'"
THETA = 0.95
JUDGED = ("met", "within_variation", "underperforming")
MERGED_AWAY = {"RQQ": 8, "RW3": 6, "RM2": 6, "RGQ": 3, "RJF": 3, "RR1": 3}
"""Trusts whose type 1 returns stop during the term, and how many quarters are then missing."""


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return example_script(HERE / "make_contract.py")


@pytest.fixture(scope="module")
def contract() -> contractkit.Contract:
    loaded = contractkit.load(CONTRACT)
    assert isinstance(loaded, contractkit.Contract)
    return loaded


@pytest.fixture(scope="module")
def evaluation(contract: contractkit.Contract) -> contractkit.Evaluation:
    return contractkit.evaluate(contract, DATA, columns=parse_mapping(MAPPING), where=WHERE)


@pytest.fixture(scope="module")
def table(evaluation: contractkit.Evaluation) -> pl.DataFrame:
    return evaluation.to_polars()


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    """The type 1 rows, read independently, with each month's financial-year quarter."""
    frame = pl.read_csv(DATA, schema_overrides={"type": pl.String}, try_parse_dates=True)
    month = pl.col("period").dt.month()
    fy = pl.col("period").dt.year() - (month < 4).cast(pl.Int32)
    return frame.filter(pl.col("type") == "1").with_columns(
        quarter=pl.format(
            "{}/{} Q{}",
            fy,
            ((fy + 1) % 100).cast(pl.String).str.zfill(2),
            ((month - 4) % 12) // 3 + 1,
        )
    )


# --- the data and the contract ---------------------------------------------------------------


def test_data_is_the_published_file() -> None:
    content = DATA.read_bytes()
    assert hashlib.sha256(content).hexdigest() == DATA_SHA256
    if SHARED.exists():
        assert content == SHARED.read_bytes()
    frame = pl.read_csv(DATA, infer_schema=False)
    assert frame.columns == ["period", "org_code", "type", "attendances", "breaches", "admissions"]
    assert (frame.height, frame.get_column("org_code").n_unique()) == (12_765, 274)


def test_contract_validates() -> None:
    result = CliRunner().invoke(app, ["validate", "--quiet", str(CONTRACT)])
    assert result.exit_code == 0, result.output
    assert CONTRACT.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schema/contract.schema.json\n"
    )


def test_contract_is_what_the_script_writes(
    script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = tmp_path / "contract.yaml"
    monkeypatch.setattr(script, "CONTRACT", written)
    script.main()
    assert written.read_text(encoding="utf-8") == CONTRACT.read_text(encoding="utf-8"), (
        "contract.yaml is stale: run examples/ae-four-hour/make_contract.py"
    )
    assert contractkit.load(written) == script.build_contract()


def test_contract_holds_every_type1_provider(
    contract: contractkit.Contract, raw: pl.DataFrame
) -> None:
    codes = sorted(raw.get_column("org_code").unique())
    assert [p.id for p in contract.providers] == codes
    assert [s.id for s in contract.services] == [f"ae-{code}" for code in codes]
    assert [s.provider for s in contract.services] == codes
    assert [k.id for k in contract.kpis] == ["ae-4h"]
    kpi = contract.kpi("ae-4h")
    assert (kpi.measure, kpi.better, kpi.reported, kpi.assessed) == (
        "proportion",
        "higher",
        "monthly",
        "quarterly",
    )
    assert contract.kpi_summary("ae-4h").endswith("must be at least 95%, assessed quarterly")
    assert [c.id for c in contract.commissioners] == ["X24"]
    assert (contract.term.start, contract.term.end) == (date(2016, 4, 1), date(2019, 3, 31))
    assert [s.stage for s in contract.stages] == ["established"]
    first = dict(raw.group_by("org_code").agg(pl.col("period").min()).iter_rows())
    for service in contract.services:
        # Established throughout, except the one trust formed during the term, from its formation.
        spans = contract.schedule(service)
        assert [span.stage.stage for span in spans] == ["established"]
        if service.provider == "R0A":
            assert service.commences == first["R0A"] == date(2017, 10, 1)
        else:
            assert service.commences < contract.term.start


def test_provider_types_follow_the_ods_rule(
    script: ModuleType, contract: contractkit.Contract
) -> None:
    assert [script.provider_type(c) for c in ("RXX", "R0A", "NT4", "Y02", "AD913", "8J")] == [
        "nhs_trust",
        "nhs_trust",
        "independent_sector",
        "primary_care",
        "primary_care",
        "primary_care",
    ]
    assert {p.type for p in contract.providers} == {"nhs_trust"}


# --- the evaluation --------------------------------------------------------------------------


def test_every_row_is_accounted_for(evaluation: contractkit.Evaluation) -> None:
    account = evaluation.account
    assert account["read"] == account["accepted"] + account["rejected"] + account["excluded"]
    assert (account["read"], account["accepted"], account["excluded"]) == (12_765, 4_932, 7_833)
    assert account["rejected"] == 0
    assert account["rejected_by_reason"] == {}
    assert evaluation.rejected.height == 0


def test_statuses(table: pl.DataFrame) -> None:
    assert table.height == 140 * 12
    counts = {(s, lv): n for s, lv, n in table.group_by("status", "level").len().iter_rows()}
    assert counts == {
        ("met", None): 92,
        ("within_variation", None): 14,
        ("underperforming", "warning"): 7,
        ("underperforming", "alarm"): 1_532,
        ("not_reported", None): 29,
        ("not_due", None): 6,
    }
    assert set(table.get_column("stage").unique()) == {"established"}


def test_merged_trusts_show_their_missing_quarters(table: pl.DataFrame) -> None:
    missing = table.filter(pl.col("status") == "not_reported")
    assert dict(missing.group_by("provider").len().iter_rows()) == MERGED_AWAY
    assert table.filter(pl.col("status") == "not_due").get_column("period").to_list() == [
        "2016/17 Q1",
        "2016/17 Q2",
        "2016/17 Q3",
        "2016/17 Q4",
        "2017/18 Q1",
        "2017/18 Q2",
    ]
    assert set(table.filter(pl.col("status") == "not_due").get_column("provider")) == {"R0A"}


def _independent(raw: pl.DataFrame, provider: str) -> pl.DataFrame:
    return (
        raw.filter(pl.col("org_code") == provider)
        .group_by("quarter")
        .agg(
            months=pl.len(),
            x=(pl.col("attendances") - pl.col("breaches")).sum(),
            n=pl.col("attendances").sum(),
        )
        .sort("quarter")
    )


def _wilson(x: int, n: int, z: float = stats.norm.ppf(0.975)) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _power_gap(shortfall: float, k: int, n: int) -> float:
    """The chance of a warning flag (x ≤ k) at 95% minus the shortfall, less 80%."""
    return float(stats.binom.cdf(k, n, THETA - shortfall)) - 0.8


@pytest.mark.parametrize(
    "provider",
    [
        "R1H",  # the largest: about 83,000 type 1 attendances a quarter
        "R1F",  # the smallest: about 11,000
        "RCD",  # small, with met, within-variation and warning quarters
        "RHQ",  # no return for April 2016: its first quarter has two months
    ],
)
def test_spot_checks_against_independent_figures(
    table: pl.DataFrame, raw: pl.DataFrame, provider: str
) -> None:
    expected = _independent(raw, provider)
    rows = table.filter(pl.col("provider") == provider).join(
        expected, left_on="period", right_on="quarter", how="inner"
    )
    assert rows.height == expected.height == 12
    for row in rows.iter_rows(named=True):
        x, n = row["x"], row["n"]
        assert (row["numerator"], row["denominator"]) == (x, n)
        assert (row["returns_made"], row["returns_due"]) == (row["months"], 3)
        assert row["threshold"] == THETA
        assert row["observed"] == pytest.approx(x / n, rel=1e-12)
        low, high = _wilson(x, n)
        assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((low, high), rel=1e-9)
        # The minimum detectable shortfall: the drop below 95% at which a quarter of this size
        # is flagged at the warning level with 80% power. Solved exactly here; the library may
        # approximate the power equation for large n, to well within 0.05 of a point.
        k = int(stats.binom.ppf(0.025, n, THETA))
        while stats.binom.cdf(k, n, THETA) >= 0.025:
            k -= 1
        assert stats.binom.cdf(k + 1, n, THETA) >= 0.025
        exact = optimize.brentq(_power_gap, 0.0, THETA, args=(k, n))
        assert row["min_detectable_shortfall"] == pytest.approx(exact, abs=5e-4)
        if x / n >= THETA:
            assert (row["status"], row["level"], row["p_value"]) == ("met", None, None)
            continue
        p = stats.binom.cdf(x, n, THETA)
        assert row["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-300)
        level = "alarm" if p < 0.001 else "warning" if p < 0.025 else None
        status = "within_variation" if level is None else "underperforming"
        assert (row["status"], row["level"]) == (status, level)
    if provider == "RHQ":
        first = rows.filter(pl.col("period") == "2016/17 Q1").row(0, named=True)
        assert (first["returns_made"], first["returns_due"]) == (2, 3)


def test_naive_and_exact_flags(table: pl.DataFrame) -> None:
    judged = table.filter(pl.col("status").is_in(JUDGED))
    naive = judged.get_column("observed") < judged.get_column("threshold")
    exact = judged.get_column("status") == "underperforming"
    # A flag needs the observed value below 95%: every exact flag is a naive flag.
    assert not (exact & ~naive).any()
    # Met exactly when the observed value reaches the threshold.
    assert ((judged.get_column("status") == "met") == ~naive).all()
    # Below the threshold, the p-value alone decides.
    below = judged.filter(pl.col("observed") < pl.col("threshold"))
    p = below.get_column("p_value")
    level = below.get_column("level")
    assert ((p < 0.025) == (below.get_column("status") == "underperforming")).all()
    assert ((p < 0.001) == (level == "alarm").fill_null(False)).all()
    assert (naive.sum(), exact.sum()) == (1_553, 1_539)
    assert judged.get_column("min_detectable_shortfall").null_count() == 0


def test_size_groups(table: pl.DataFrame) -> None:
    """The comparison the documentation shows, recomputed and checked for consistency."""
    judged = table.filter(pl.col("status").is_in(JUDGED))
    sizes = judged.group_by("provider").agg(size=pl.col("denominator").mean())
    group = judged.join(sizes, on="provider").with_columns(
        group=pl.col("size").cut([5_000, 15_000, 30_000], left_closed=True)
    )
    summary = (
        group.group_by("group")
        .agg(
            providers=pl.col("provider").n_unique(),
            quarters=pl.len(),
            naive=(pl.col("observed") < pl.col("threshold")).sum(),
            exact=(pl.col("status") == "underperforming").sum(),
            mds=pl.col("min_detectable_shortfall").median(),
            smallest=pl.col("size").min(),
        )
        .sort("smallest")
    )
    assert summary.select("providers", "quarters", "naive", "exact").rows() == [
        (14, 160, 119, 114),
        (80, 948, 913, 908),
        (46, 537, 521, 517),
    ]
    assert sizes.get_column("size").min() > 5_000  # the smallest group is empty
    mds = summary.get_column("mds").to_list()
    assert mds == sorted(mds, reverse=True)  # larger providers detect smaller shortfalls


def test_provider_types_are_never_read(contract: contractkit.Contract, table: pl.DataFrame) -> None:
    kinds = [kind.value for kind in contractkit.ProviderType]
    reassigned = contract.model_copy(
        update={
            "providers": [
                p.model_copy(update={"type": kinds[(i * 3) % len(kinds)]})
                for i, p in enumerate(contract.providers)
            ]
        }
    )
    again = contractkit.evaluate(reassigned, DATA, columns=parse_mapping(MAPPING), where=WHERE)
    # A contract changed in Python has no file line for its threshold; all else is identical.
    assert again.to_polars().drop("threshold_source").equals(table.drop("threshold_source"))


def test_the_mapping_reads_either_way_round(
    contract: contractkit.Contract, table: pl.DataFrame
) -> None:
    """{column: field}, as documented and as the command line gives it, or {field: column}."""
    columns = {
        "org_code": "provider",
        "attendances - breaches": "numerator",
        "attendances": "denominator",
        "'ae-4h'": "kpi",
    }
    assert parse_mapping(columns) == parse_mapping(MAPPING)
    evaluation = contractkit.evaluate(contract, DATA, columns=columns, where=WHERE)
    assert evaluation.to_polars().equals(table)
