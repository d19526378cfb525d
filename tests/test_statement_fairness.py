"""Payment statements are fair, whatever the figures (property tests).

- The same performance against the same terms has the same proportional consequence, whoever
  provides: two services on identical terms, one k times the size of the other (its fixed
  payment, activity, payment limit, denominators, numerators and incidents all × k, with
  figures chosen so that every rate, threshold and share divides exactly), are paid, charged,
  withheld, repaid, retained and incentivised exactly k times as much, line for line, whatever
  kinds of organisation provide them.
- Swapping the kinds of organisation, or which provider holds which service, changes nothing but
  the provider labels; a statement's amounts never depend on ``Provider.type``.
- Withholding never keeps back more than its rate of the month's value (rounded half-up once),
  and an incentive indicator never earns more than its share (nor less than nothing).
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contractkit
from contractkit import Contract, ProviderType, Quantity
from contractkit.model.earning import Band, Bands, Linear, earns
from contractkit.payments import Statement, statement
from test_statement import NEVER

ROOT = Path(__file__).resolve().parent.parent
UCR = ROOT / "examples" / "urgent-community-response"

D = Decimal
PERCENT = "percent"

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

LINEAR = {"zero_at": "60%", "full_at": "80%"}
BANDS = [
    {"pays": "0%"},
    {"above": "50%", "pays": "25%"},
    {"at_least": "60%", "pays": "50%"},
    {"at_least": "65%", "pays": "75%"},
    {"at_least": "70%", "pays": "100%"},
]
MONTHS = [f"{2026 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(24)]
"""April 2026 to March 2028: the term."""


def _quarter(index: int) -> str:
    year, q = 2026 + index // 4, index % 4 + 1
    return f"{year}/{(year + 1) % 100:02d} Q{q}"


def _load(data: dict[str, Any]) -> Contract:
    contract = contractkit.load(data)
    assert isinstance(contract, Contract)
    return contract


# --- two services on the same terms, one k times the other -------------------------------------


@st.composite
def scaled_cases(draw: Any) -> dict[str, Any]:
    """Terms, a history of performance and activity for a service, a scale k, and two kinds of
    provider."""
    threshold = draw(st.sampled_from([50, 60, 70, 75, 80]))  # whole percents
    quarters = draw(st.integers(4, 6))
    # Performance each quarter, in whole percents of a denominator of 100 × j: met (at or
    # above the threshold), or clearly short (20 points or more below: underperforming at any
    # size, so the verdict cannot depend on the size).
    met = st.integers(threshold, 100)
    short = st.integers(0, threshold - 20)
    percents = draw(st.lists(st.one_of(met, short), min_size=quarters, max_size=quarters))
    return {
        "k": draw(st.integers(1, 4)),
        "types": (draw(st.sampled_from(ProviderType)), draw(st.sampled_from(ProviderType))),
        "threshold": threshold,
        "j": draw(st.integers(2, 5)),
        "percents": percents,
        "incidents": draw(
            st.lists(st.sampled_from([0, 0, 0, 1, 2]), min_size=quarters, max_size=quarters)
        ),
        # £192 × unit a year: 1,600 × unit pence a month, a pot of 240 × unit pence (1.25%)
        "unit": draw(st.integers(1, 60)),
        "price": draw(st.integers(1, 150)),  # whole pounds
        "limit": draw(st.one_of(st.none(), st.integers(1, 3000))),  # whole pounds a year
        "counts": draw(
            st.lists(
                st.one_of(st.none(), st.integers(0, 40)),
                min_size=3 * quarters,
                max_size=3 * quarters,
            )
        ),
        "curve": draw(st.sampled_from([{"linear": LINEAR}, {"bands": BANDS}])),
        "per_breach": draw(st.integers(1, 50)),
        "when": draw(st.sampled_from(["underperforming", "below_threshold"])),
        "per_incident": draw(st.integers(1, 2000)),
        "notice": draw(st.sampled_from([1, 2, 5])),
        "exception": draw(st.sampled_from([2, 5, 10, 20])),
        "retained_after": draw(st.one_of(st.none(), st.integers(1, 4))),
    }


def _contract(case: dict[str, Any], types: tuple[Any, Any], holders: tuple[str, str]) -> Contract:
    """Service s-1 of size 1 and s-2 of size k, held by ``holders``; providers AAA and BBB of
    ``types``."""
    k = case["k"]
    payments = []
    for sid, size in (("s-1", 1), ("s-2", k)):
        variable: dict[str, Any] = {"activity": "visit", "price": f"£{case['price']}"}
        if case["limit"] is not None:
            variable["limit"] = f"£{case['limit'] * size}"
        payments.append(
            {"service": sid, "fixed": f"£{192 * case['unit'] * size}", "variable": variable}
        )
    retained = (
        {"retained_after": case["retained_after"]} if case["retained_after"] is not None else {}
    )
    return _load(
        {
            "id": "FAIR",
            "title": "Fair shares",
            "commissioners": [{"id": "ICB", "name": "The ICB"}],
            "term": {"start": "2026-04-01", "end": "2028-03-31"},
            "providers": [
                {"id": "AAA", "name": "Provider A", "type": str(types[0])},
                {"id": "BBB", "name": "Provider B", "type": str(types[1])},
            ],
            "kpis": [
                {
                    "id": "reach",
                    "name": "Reached in time",
                    "measure": "proportion",
                    "better": "higher",
                    "reported": "quarterly",
                    "assessed": "quarterly",
                    "threshold": f"{case['threshold']}%",
                },
                NEVER,
            ],
            "services": [
                {
                    "id": "s-1",
                    "provider": holders[0],
                    "commences": "2026-04-01",
                    "kpis": ["reach", "never"],
                },
                {
                    "id": "s-2",
                    "provider": holders[1],
                    "commences": "2026-04-01",
                    "kpis": ["reach", "never"],
                },
            ],
            "escalation": [
                {"step": "notice", "flagged": 1, "within": 1},
                {"step": "exception", "flagged": 2, "within": 3},
            ],
            "finance": {
                "payments": payments,
                "incentive": {
                    "pot": "1.25%",
                    "indicators": [{"kpi": "reach", **case["curve"]}],
                },
                "consequences": [
                    {"kpi": "reach", "per_breach": f"£{case['per_breach']}", "when": case["when"]},
                    {"kpi": "never", "per_incident": f"£{case['per_incident']}"},
                ],
                "withholding": [
                    {"step": "notice", "rate": f"{case['notice']}%", **retained},
                    {"step": "exception", "rate": f"{case['exception']}%"},
                ],
            },
        }
    )


def _frames(case: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The returns and activity of s-1 (size 1) and s-2 (size k)."""
    rows = []
    act = []
    for sid, size in (("s-1", 1), ("s-2", case["k"])):
        den = 100 * case["j"] * size
        for q, (percent, incidents) in enumerate(
            zip(case["percents"], case["incidents"], strict=True)
        ):
            rows.append((sid, "reach", _quarter(q), percent * case["j"] * size, den))
            rows.append((sid, "never", _quarter(q), incidents * size, None))
        for month, count in zip(MONTHS, case["counts"], strict=False):
            if count is not None:
                act.append((sid, month, "visit", count * size))
    returns = pl.DataFrame(
        rows,
        schema={
            "service": pl.String,
            "kpi": pl.String,
            "period": pl.String,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
        },
        orient="row",
    )
    activity = pl.DataFrame(
        act,
        schema={
            "service": pl.String,
            "period": pl.String,
            "activity": pl.String,
            "count": pl.Int64,
        },
        orient="row",
    )
    return returns, activity


def _statement(contract: Contract, case: dict[str, Any]) -> Statement:
    returns, activity = _frames(case)
    return statement(contract, returns, activity=activity, period="2026/27")


def _service_lines(result: Statement, sid: str) -> pl.DataFrame:
    """A service's lines without their labels and words, in a canonical order (the order of
    lines that tie is checked on its own:
    :func:`test_identical_services_list_their_lines_in_the_same_order`)."""
    lines = result.lines.filter(pl.col("service") == sid).drop("provider", "service", "basis")
    return lines.sort(lines.columns, nulls_last=True, maintain_order=True)


def _scaled(frame: pl.DataFrame, k: int, columns: tuple[str, ...]) -> pl.DataFrame:
    return frame.with_columns(
        (pl.col(c) * k).cast(frame.schema[c]) for c in columns if c in frame.columns
    )


@SETTINGS
@given(scaled_cases())
def test_the_same_performance_has_the_same_proportional_consequence(case: dict[str, Any]) -> None:
    k = case["k"]
    contract = _contract(case, case["types"], ("AAA", "BBB"))
    result = _statement(contract, case)
    # the verdicts and steps are the same for both services, period by period
    table = result.evaluation.table.select(
        "service",
        "kpi",
        "period",
        pl.col("status").cast(pl.String),
        pl.col("escalation").cast(pl.String),
    )
    one = table.filter(pl.col("service") == "s-1").drop("service")
    two = table.filter(pl.col("service") == "s-2").drop("service")
    assert one.equals(two)
    # line for line, s-2's amounts (and counts of units, breaches and incidents) are k × s-1's
    small, large = _service_lines(result, "s-1"), _service_lines(result, "s-2")
    assert large.equals(_scaled(small, k, ("quantity", "amount", "payable")))
    assert small.height >= 12  # at least a fixed line a month
    # so are the withholding ledger's sums, each repaid or retained in the same month
    ledger = result.withholding
    small_ledger = ledger.filter(pl.col("service") == "s-1").drop("service")
    large_ledger = ledger.filter(pl.col("service") == "s-2").drop("service")
    assert large_ledger.equals(_scaled(small_ledger, k, ("value", "withheld")))
    # and each provider's figures
    a, b = (result.providers.filter(pl.col("provider") == p) for p in ("AAA", "BBB"))
    figures = ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained", "held")
    assert b.select(figures).equals(_scaled(a.select(figures), k, figures))
    # the same findings, in the same months
    findings = result.findings.select("code", "service", "month", "amount")
    small_findings = findings.filter(pl.col("service") == "s-1").drop("service")
    large_findings = findings.filter(pl.col("service") == "s-2").drop("service")
    assert large_findings.equals(_scaled(small_findings, k, ("amount",)))


@SETTINGS
@given(scaled_cases())
def test_the_kind_of_provider_changes_nothing_but_the_labels(case: dict[str, Any]) -> None:
    first, second = case["types"]
    result = _statement(_contract(case, (first, second), ("AAA", "BBB")), case)
    # the kinds swapped: the very same statement
    swapped = _statement(_contract(case, (second, first), ("AAA", "BBB")), case)
    for name in Statement.TABLES:
        assert swapped.tables[name].equals(result.tables[name]), name
    assert swapped.summary == result.summary
    # each provider holding the other's service: the same lines, under the other's label
    exchanged = _statement(_contract(case, (first, second), ("BBB", "AAA")), case)
    assert exchanged.lines.drop("provider").equals(result.lines.drop("provider"))
    relabel = {"AAA": "BBB", "BBB": "AAA"}
    assert exchanged.lines.get_column("provider").to_list() == [
        relabel[p] for p in result.lines.get_column("provider").to_list()
    ]
    figures = ("due", "earned", "deducted", "withheld", "repaid", "payable", "retained", "held")
    assert exchanged.providers.select(figures).equals(result.providers.select(figures).reverse())
    assert exchanged.summary == result.summary


# --- the example, whoever its providers are ----------------------------------------------------

_UCR_TEXT = (UCR / "contract.yaml").read_text(encoding="utf-8")
_TYPE_LINE = re.compile(r"^(    type: )(\w+)$", re.MULTILINE)


def _ucr_statement(types: list[ProviderType]) -> Statement:
    found = iter(types)
    text = _TYPE_LINE.sub(lambda m: m.group(1) + str(next(found)), _UCR_TEXT)
    contract = contractkit.load(text)
    assert isinstance(contract, Contract)
    assert [p.type for p in contract.providers] == types
    return statement(
        contract,
        UCR / "returns.csv",
        activity=UCR / "activity.csv",
        outcomes=UCR / "outcomes.csv",
        period="2026/27",
    )


_UCR_BASELINE: list[Statement] = []


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(ProviderType), min_size=4, max_size=4))
def test_the_examples_amounts_never_depend_on_the_kind_of_provider(
    types: list[ProviderType],
) -> None:
    assert len(_TYPE_LINE.findall(_UCR_TEXT)) == 4
    if not _UCR_BASELINE:
        _UCR_BASELINE.append(_ucr_statement([ProviderType.NHS_TRUST] * 4))
    baseline = _UCR_BASELINE[0]
    result = _ucr_statement(types)
    for name in Statement.TABLES:
        assert result.tables[name].equals(baseline.tables[name]), name
    assert result.summary == baseline.summary
    assert result.account == baseline.account


# --- withholding and earning never take or pay too much ----------------------------------------


@st.composite
def withholding_cases(draw: Any) -> dict[str, Any]:
    """Any terms: fixed payments in any pence, prices and rates of any kind, any history."""
    quarters = draw(st.integers(2, 8))
    rate = st.decimals(min_value=0, max_value=100, places=2).map(lambda d: f"{d}%")
    return {
        "fixed": draw(st.lists(st.integers(0, 5_000_000_00), min_size=2, max_size=2)),
        "price": draw(st.integers(1, 100_00)),
        "currency_rate": draw(rate),
        "notice": draw(rate),
        "exception": draw(rate),
        "retained_after": draw(st.one_of(st.none(), st.integers(1, 6))),
        "curve": draw(st.sampled_from([{"linear": LINEAR}, {"bands": BANDS}])),
        "denominators": draw(
            st.lists(st.integers(1, 500), min_size=2 * quarters, max_size=2 * quarters)
        ),
        "shares": draw(st.lists(st.floats(0, 1), min_size=2 * quarters, max_size=2 * quarters)),
        "counts": draw(
            st.lists(
                st.one_of(st.none(), st.integers(0, 500)),
                min_size=6 * quarters,
                max_size=6 * quarters,
            )
        ),
    }


def _percent(text: str) -> Fraction:
    """'12.5%' as an exact fraction (1/8)."""
    return Fraction(D(text.strip().rstrip("%"))) / 100


def _money_text(pence: int) -> str:
    return f"£{pence // 100}.{pence % 100:02d}"


@SETTINGS
@given(withholding_cases())
def test_withholding_never_exceeds_its_rate_and_earning_never_exceeds_the_share(
    case: dict[str, Any],
) -> None:
    retained = (
        {"retained_after": case["retained_after"]} if case["retained_after"] is not None else {}
    )
    payments = [
        {
            "service": sid,
            "fixed": _money_text(max(fixed, 1)),
            "variable": {
                "activity": "visit",
                "price": _money_text(case["price"]),
                "rate": case["currency_rate"],
            },
        }
        for sid, fixed in zip(("s-1", "s-2"), case["fixed"], strict=True)
    ]
    contract = _load(
        {
            "id": "ANY",
            "title": "Any terms",
            "commissioners": [{"id": "ICB", "name": "The ICB"}],
            "term": {"start": "2026-04-01", "end": "2028-03-31"},
            "providers": [{"id": "AAA", "name": "A", "type": "vcse"}],
            "kpis": [
                {
                    "id": "reach",
                    "name": "Reach",
                    "measure": "proportion",
                    "better": "higher",
                    "reported": "quarterly",
                    "assessed": "quarterly",
                    "threshold": "70%",
                }
            ],
            "services": [
                {"id": sid, "provider": "AAA", "commences": "2026-04-01", "kpis": ["reach"]}
                for sid in ("s-1", "s-2")
            ],
            "escalation": [
                {"step": "notice", "flagged": 1, "within": 2},
                {"step": "exception", "flagged": 2, "within": 2},
            ],
            "finance": {
                "payments": payments,
                "incentive": {"pot": "1.25%", "indicators": [{"kpi": "reach", **case["curve"]}]},
                "withholding": [
                    {"step": "notice", "rate": case["notice"], **retained},
                    {"step": "exception", "rate": case["exception"]},
                ],
            },
        }
    )
    quarters = len(case["denominators"]) // 2
    rows = [
        (sid, "reach", _quarter(q), round(share * den), den)
        for i, (sid, q) in enumerate((s, q) for s in ("s-1", "s-2") for q in range(quarters))
        for den, share in [(case["denominators"][i], case["shares"][i])]
    ]
    returns = pl.DataFrame(
        rows, schema=["service", "kpi", "period", "numerator", "denominator"], orient="row"
    )
    act = [
        (sid, MONTHS[m], "visit", count)
        for s, sid in enumerate(("s-1", "s-2"))
        for m, count in enumerate(case["counts"][s * 3 * quarters : (s + 1) * 3 * quarters])
        if count is not None
    ]
    activity = pl.DataFrame(act, schema=["service", "period", "activity", "count"], orient="row")
    result = statement(contract, returns, activity=activity)
    rates = {"notice": case["notice"], "exception": case["exception"]}
    # each sum withheld: its rule's rate of the month's value, rounded half-up once; never more
    # than half a penny above the exact share, and never more than the month's value
    value_of: dict[tuple[str, str], Decimal] = {}
    for row in result.lines.filter(pl.col("element").is_in(["fixed", "variable"])).iter_rows(
        named=True
    ):
        key = (row["service"], row["month"])
        value_of[key] = value_of.get(key, D(0)) + row["amount"]
    for row in result.withholding.iter_rows(named=True):
        rate = _percent(row["rate"])
        assert rate == _percent(rates[row["step"]])  # the rule of the step in force
        value = int(row["value"] * 100)  # pence
        exact = rate * value
        withheld = int(row["withheld"] * 100)
        assert withheld == int(exact + Fraction(1, 2))  # half-up, once
        assert withheld <= exact + Fraction(1, 2)  # never more than half a penny over the rate
        assert 0 < withheld <= value
        if (row["service"], row["month"]) in value_of:
            assert row["value"] == value_of[row["service"], row["month"]]
    # the incentive: a year's earnings are between nothing and what was advanced
    lines = result.lines
    for row in lines.filter(pl.col("element") == "incentive_year_end").iter_rows(named=True):
        advanced = D(
            lines.filter(
                (pl.col("service") == row["service"]) & (pl.col("element") == "incentive_advance")
            )
            .get_column("amount")
            .sum()
        )
        assert -advanced <= row["amount"] <= 0


@st.composite
def curves(draw: Any) -> tuple[Any, tuple[Fraction, ...], bool]:
    """A linear curve or bands, for a KPI where higher (or lower) is better, with its edges
    as levels."""
    higher = draw(st.booleans())
    sign = 1 if higher else -1
    tenths = st.integers(0, 1000)  # 0.0% to 100.0%, in tenths of a percent
    if draw(st.booleans()):
        a, b = sorted(draw(st.lists(tenths, min_size=2, max_size=2, unique=True)))
        zero, full = (a, b) if higher else (b, a)
        curve: Any = Linear(zero_at=_tenths(zero), full_at=_tenths(full))
        return curve, (Fraction(zero, 1000), Fraction(full, 1000)), higher
    edges = sorted(
        draw(st.lists(tenths, min_size=1, max_size=5, unique=True)), key=lambda e: sign * e
    )
    pays = sorted(
        draw(st.lists(st.integers(0, 100), min_size=len(edges) + 1, max_size=len(edges) + 1))
    )
    kinds = ("at_least", "above") if higher else ("at_most", "below")
    bands = [Band(pays=Quantity(D(pays[0]), PERCENT))]
    for edge, part in zip(edges, pays[1:], strict=True):
        kind = draw(st.sampled_from(kinds))
        bands.append(
            Band(
                pays=Quantity(D(part), PERCENT),
                **{kind: _tenths(edge)},
            )
        )
    return Bands(bands=tuple(bands)), tuple(Fraction(e, 1000) for e in edges), higher


def _tenths(tenths: int) -> Quantity:
    """A percentage given in tenths of a percent (705: 70.5%)."""
    return Quantity(D(tenths) / 10, PERCENT)


@settings(max_examples=300, deadline=None)
@given(curves(), st.lists(st.fractions(0, 1, max_denominator=10_000), min_size=2, max_size=2))
def test_an_earning_curve_pays_between_nothing_and_the_whole_share(
    drawn: tuple[Any, tuple[Fraction, ...], bool], achieved: list[Fraction]
) -> None:
    curve, levels, higher = drawn
    worse, better = sorted(achieved, key=lambda a: a if higher else -a)
    low, high = (earns(curve, a, levels, higher) for a in (worse, better))
    assert 0 <= low <= 1
    assert 0 <= high <= 1
    assert low <= high  # better achievement never earns less
    # the best achievement earns the curve's most, the worst its least
    best, worst = (Fraction(1), Fraction(0)) if higher else (Fraction(0), Fraction(1))
    assert earns(curve, best, levels, higher) >= high
    assert earns(curve, worst, levels, higher) <= low


def test_identical_services_list_their_lines_in_the_same_order() -> None:
    """Two services on the same terms with the same history: the same lines, in the same order.

    Several lines tie on service, month, element and reference (the sums withheld in July,
    August and September, all repaid in October); sorted without ``maintain_order=True`` they
    came out in an arbitrary order, different for the two services (s-1: September, August,
    July; s-2: July, August, September)."""
    contract = _load(
        {
            "id": "ORDER",
            "title": "Two services alike",
            "commissioners": [{"id": "ICB", "name": "The ICB"}],
            "term": {"start": "2026-04-01", "end": "2028-03-31"},
            "providers": [
                {"id": "AAA", "name": "A", "type": "vcse"},
                {"id": "BBB", "name": "B", "type": "vcse"},
            ],
            "kpis": [
                {
                    "id": "reach",
                    "name": "Reach",
                    "measure": "proportion",
                    "better": "higher",
                    "reported": "quarterly",
                    "assessed": "quarterly",
                    "threshold": "50%",
                }
            ],
            "services": [
                {"id": sid, "provider": p, "commences": "2026-04-01", "kpis": ["reach"]}
                for sid, p in (("s-1", "AAA"), ("s-2", "BBB"))
            ],
            "escalation": [{"step": "notice", "flagged": 1, "within": 1}],
            "finance": {
                "payments": [{"service": sid, "fixed": "£192"} for sid in ("s-1", "s-2")],
                "withholding": [{"step": "notice", "rate": "1%"}],
            },
        }
    )
    returns = pl.DataFrame(
        {
            "service": ["s-1"] * 3 + ["s-2"] * 3,
            "kpi": ["reach"] * 6,
            "period": ["2026/27 Q1", "2026/27 Q2", "2026/27 Q3"] * 2,
            "numerator": [100, 300, 300] * 2,  # Q1 underperforming: a notice July to September
            "denominator": [400] * 6,
        }
    )
    result = statement(contract, returns)
    repaid = {
        sid: result.lines.filter((pl.col("service") == sid) & (pl.col("element") == "repaid"))
        .get_column("basis")
        .str.extract(r"withheld in (\d{4}-\d{2})")
        .to_list()
        for sid in ("s-1", "s-2")
    }
    assert sorted(repaid["s-1"]) == ["2026-07", "2026-08", "2026-09"]
    assert repaid["s-1"] == repaid["s-2"]
    one = result.lines.filter(pl.col("service") == "s-1").drop("provider", "service")
    two = result.lines.filter(pl.col("service") == "s-2").drop("provider", "service")
    assert one.equals(two)
