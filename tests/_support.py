"""What the test modules share, written once: a test module imports from here, never from another
test module. Shared fixtures are in conftest.py, and hypothesis strategies for whole contracts in
strategies.py.

Longer than a module of the library would be, because it is the one place for what several test
files use (issue 10). Each section below stands alone; one written for some tests names them.
"""

from __future__ import annotations

import calendar
import importlib.util
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest
from hypothesis import strategies as st

import contractkit
from contractkit import Contract, FinancialYear, Money, Month, Quarter, SpecError
from contractkit.model import PooledFund, SystemPlan

if TYPE_CHECKING:  # the evaluator and the payments engine load when first used, not on import
    from contractkit import Evaluation
    from contractkit.payments import Statement

# --- text, edited and located -----------------------------------------------------------------

MARK = "»"
"""Marks the column meant in a fragment given to :func:`locate`."""


def edit(text: str, *edits: tuple[str, str]) -> str:
    """Apply each (old, new) replacement, insisting that ``old`` occurs exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def locate(text: str, at: str) -> tuple[int, int]:
    """The 1-based (line, column) of the ``»`` in ``at`` (or its start) within ``text``."""
    offset = at.find(MARK)
    fragment = at.replace(MARK, "")
    assert text.count(fragment) == 1, f"{fragment!r} occurs {text.count(fragment)} times"
    index = text.index(fragment) + max(offset, 0)
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    return line, column


def located_problems(text: str) -> list[str]:
    """The problems a spec written as ``text`` is refused with, each as 'line:path: message'."""
    with pytest.raises(SpecError) as caught:
        contractkit.load(text)
    return [f"{p.line}:{p.path}: {p.message}" for p in caught.value.problems]


# --- a spec as data ---------------------------------------------------------------------------


def as_json(value: Any) -> Any:
    """Plain YAML data as JSON would carry it: keys as text, dates as ISO text, decimals as
    floats (as an editor's YAML language server sees a spec)."""
    if isinstance(value, dict):
        return {str(as_json(k)): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    assert value is None or isinstance(value, str | int | float | bool), repr(value)
    return value


# --- the command line -------------------------------------------------------------------------

COLOUR_SETTINGS = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS")
"""The environment variables that force colour or a terminal's tables on (the conftest fixture
``plain_output`` removes them, for plain text as when piped)."""


def assert_no_traceback(*outputs: str) -> None:
    """Each output shows no Python traceback, nor any line of one."""
    for output in outputs:
        assert "Traceback" not in output
        assert not re.search(r'File ".*", line \d+', output)


# --- the bundled examples ---------------------------------------------------------------------


def example_script(path: Path) -> ModuleType:
    """One of the examples' scripts (make_returns.py …) as a module, so that a test can call its
    functions; its ``main`` is not run."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- a hang, as a failure (the fuzz suites) ---------------------------------------------------


class TooLongError(Exception):
    """The guarded block was still running when its time was up."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Stop the block with an exception after ``seconds`` (a hang becomes a failure). The limits
    the fuzz suites give are generous margins over a busy machine, never a measure of speed."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise TooLongError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- periods written every way they may be (test_periods, test_period_column) -----------------


def month_or_year(year: int, second: int) -> bool:
    """Whether ``YYYY-NN`` could be both a month and a financial year."""
    return 1 <= second <= 12 and second == (year + 1) % 100


def month_texts(month: Month, day: int) -> list[str]:
    """Every way a month may be written (and ``day`` of it, as a date or a date and time)."""
    y, m, yy = month.year, month.month, month.year % 100
    abbr, name = calendar.month_abbr[m], calendar.month_name[m]
    serial = (date(y, m, day) - date(1899, 12, 30)).days
    texts = [
        f"{abbr}-{yy:02d}",
        f"{abbr} {yy:02d}",
        f"{abbr} {y}",
        f"{name} {y}",
        f"{abbr}-{y}",
        f"{abbr.upper()}-{yy:02d}",
        f"{name.lower()} {y}",
        f"{y}-{m:02d}-{day:02d}",
        f"{day:02d}/{m:02d}/{y}",
        f"{day}/{m}/{y}",
        f"{day:02d}-{m:02d}-{y}",
        f"{y}-{m:02d}-{day:02d} 00:00:00",
        f"{y}-{m:02d}-{day:02d}T09:30:00",
        f"{y}-{m:02d}-{day:02d}T23:59:59Z",
        f"{y}-{m:02d}-{day:02d}T00:30:00+01:00",
        f"{day}-{abbr}-{yy:02d}",
        f"{day} {name} {y}",
        f"{name} {day}, {y}",
        str(serial),
        f"{serial}.5",
    ]
    if m == 9:
        texts.append(f"Sept {y}")
    if not month_or_year(y, m):  # 2009-10 could be October 2009 or the year 2009/10
        texts += [str(month), f"{y}-{m}"]
    return texts


def quarter_texts(quarter: Quarter) -> list[str]:
    """Every way a quarter may be written."""
    y, n = quarter.start_year, quarter.number
    fy, yy, nn = str(quarter.financial_year), y % 100, (y + 1) % 100
    return [
        f"{fy} Q{n}",
        f"Q{n} {fy}",
        f"{y}-{nn:02d} Q{n}",
        f"Q{n} {y}-{nn:02d}",
        f"Q{n} {yy:02d}/{nn:02d}",
        f"{fy} q{n}",
        f"FY{fy} Q{n}",
        f"Q{n} FY{yy:02d}/{nn:02d}",
    ]


def year_texts(year: FinancialYear) -> list[str]:
    """Every way a financial year may be written."""
    y, nn = year.start_year, (year.start_year + 1) % 100
    texts = [
        str(year),
        f"FY{year}",
        f"FY {year}",
        f"FY{y}-{nn:02d}",
        f"fy{y % 100:02d}/{nn:02d}",
        f"{y}/{y + 1}",
    ]
    if not month_or_year(y, nn):
        texts.append(f"{y}-{nn:02d}")
    return texts


# --- the evaluation's table (test_evaluate, test_evaluate_cli) --------------------------------

REQUIRED_COLUMNS = [
    "service",
    "provider",
    "kpi",
    "period",
    "stage",
    "threshold",
    "numerator",
    "denominator",
    "value",
    "observed",
    "ci_lower",
    "ci_upper",
    "p_value",
    "min_detectable_shortfall",
    "status",
    "level",
    "returns_due",
    "returns_made",
    "returns_rejected",
    "complete",
    "spc_signal",
    "escalation",
]
"""The columns an evaluation's table begins with, in this order (the issue's list)."""


# --- one service held to a KPI of each measure (test_completeness, test_explain, …) -----------

PROVIDERS = [
    {
        "id": "RQX",
        "name": "Eastside Hospitals NHS Foundation Trust",
        "type": "nhs_foundation_trust",
    },
    {"id": "V4K", "name": "Neighbours Together", "type": "vcse"},
]
ESCALATION = [
    {"step": "contract_performance_notice", "flagged": 2, "within": 2},
    {"step": "contract_performance_notice", "alarms": 1, "within": 1},
    {"step": "remedial_action_plan", "flagged": 3, "within": 4},
]
COLUMNS = {
    "service": pl.String,
    "kpi": pl.String,
    "period": pl.String,
    "numerator": pl.String,
    "denominator": pl.String,
    "value": pl.String,
    "count": pl.String,
    "sd": pl.String,
}
AFTER_Q1 = date(2026, 6, 30)
"""When the evidence tests evaluate, unless they say otherwise: the first quarter is over."""


def kpi(kpi_id: str, measure: str, threshold: Any, **extra: Any) -> dict[str, Any]:
    """A KPI as written: lower is better, reported monthly, assessed quarterly, unless ``extra``
    says otherwise (a mean is in minutes)."""
    spec = {
        "id": kpi_id,
        "name": f"KPI {kpi_id}",
        "measure": measure,
        "better": "lower",
        "reported": "monthly",
        "assessed": "quarterly",
        "threshold": threshold,
        **extra,
    }
    if measure == "mean":
        spec.setdefault("unit", "minutes")
    return spec


INCIDENTS = kpi("incidents", "count", 2, unit="incident")
REFERRALS = kpi("referrals", "count", 30, better="higher")
ON_TIME = kpi("on-time", "proportion", "70%", better="higher")
WAIT = kpi("wait", "mean", "90 minutes")
FALLS = kpi("falls", "rate", 10, per=1000)
WAITING = kpi("waiting", "proportion", "92%", better="higher", combine="last")
SEASON = kpi("season", "count", 5, combine="cumulative")
ALL_KPIS = [INCIDENTS, REFERRALS, ON_TIME, WAIT, FALLS, WAITING, SEASON]


def contract(*kpis: dict[str, Any], **sections: Any) -> Contract:
    """The evidence tests' contract: one service, s1 (RQX, commenced 2019), held to the KPIs,
    with the escalation rules above; ``sections`` replace or add sections."""
    spec = {
        "contractkit": 1,
        "id": "TEST-EVIDENCE",
        "title": "Evidence tests",
        "commissioners": [{"id": "QMF", "name": "North East London ICB"}],
        "term": {"start": "2026-04-01", "end": "2029-03-31"},
        "providers": PROVIDERS,
        "kpis": list(kpis),
        "services": [
            {
                "id": "s1",
                "provider": "RQX",
                "commences": "2019-04-01",
                "kpis": [k["id"] for k in kpis],
            }
        ],
        "escalation": ESCALATION,
        **sections,
    }
    built = contractkit.load(spec)
    assert isinstance(built, Contract)
    return built


def one_service(*kpis: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The one service, held to the KPIs, with its dates changed."""
    held = {"id": "s1", "provider": "RQX", "commences": "2019-04-01"}
    return {**held, "kpis": [k["id"] for k in kpis], **changes}


def rows(kpi_id: str, *months: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Service s1's returns of a KPI: a (period, figures) pair each, the figures as text."""
    return [
        {"service": "s1", "kpi": kpi_id, "period": period, **{k: str(v) for k, v in f.items()}}
        for period, f in months
    ]


def frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    """Returns as a frame of text columns, a row each."""
    return pl.DataFrame([{k: r.get(k) for k in COLUMNS} for r in records], schema=COLUMNS)


def evaluate(built: Contract, records: list[dict[str, Any]], as_of: date = AFTER_Q1) -> Evaluation:
    """The contract evaluated on the returns, as of ``as_of``."""
    return contractkit.evaluate(built, frame(records), as_of=as_of)


def counts(*values: int) -> list[tuple[str, dict[str, Any]]]:
    """A month's count each, from April 2026, for :func:`rows`."""
    return [(f"2026-{4 + i:02d}", {"numerator": v}) for i, v in enumerate(values)]


# --- the returns tests' contract and rows (test_returns, test_returns_frames, …) --------------


def _returns_contract() -> Contract:
    """Five services of four providers, held to a KPI of each measure; two services of one
    provider are held to ucr-2h, and three commence during the term."""
    contract = contractkit.load(
        {
            "contractkit": 1,
            "id": "TEST-RETURNS",
            "title": "Returns tests",
            "commissioners": [{"id": "QMF", "name": "North East London ICB"}],
            "term": {"start": "2026-04-01", "end": "2029-03-31"},
            "providers": [
                {"id": "RQX", "name": "Eastside Hospitals", "type": "nhs_foundation_trust"},
                {"id": "NLO01", "name": "Riverside Community Care", "type": "social_enterprise"},
                {"id": "NQT10", "name": "Harbour Health", "type": "independent_sector"},
                {"id": "V4K", "name": "Neighbours Together", "type": "vcse"},
            ],
            "kpis": [
                {
                    "id": "ucr-2h",
                    "name": "Urgent community response within 2 hours",
                    "measure": "proportion",
                    "numerator": "reached within 2 hours",
                    "denominator": "referrals",
                    "better": "higher",
                    "reported": "monthly",
                    "assessed": "quarterly",
                    "threshold": "70%",
                },
                {
                    "id": "first-contact",
                    "name": "Mean time to first contact",
                    "measure": "mean",
                    "unit": "minutes",
                    "better": "lower",
                    "reported": "monthly",
                    "assessed": "monthly",
                    "threshold": "90 minutes",
                },
                {
                    "id": "falls-admissions",
                    "name": "Admissions after a fall per 1,000 on the caseload",
                    "measure": "rate",
                    "per": 1000,
                    "better": "lower",
                    "reported": "quarterly",
                    "assessed": "quarterly",
                    "threshold": 12,
                },
                {
                    "id": "never-events",
                    "name": "Never events",
                    "measure": "count",
                    "better": "lower",
                    "reported": "monthly",
                    "assessed": "monthly",
                    "threshold": 0,
                },
            ],
            "services": [
                {
                    "id": "ucr-south",
                    "provider": "RQX",
                    "commences": "2019-04-01",
                    "kpis": ["ucr-2h", "first-contact", "never-events"],
                },
                # RQX has two services held to ucr-2h: a row naming only RQX is ambiguous.
                {
                    "id": "ucr-south-east",
                    "provider": "RQX",
                    "commences": "2019-04-01",
                    "kpis": ["ucr-2h"],
                },
                {
                    "id": "ucr-north",
                    "provider": "NLO01",
                    "commences": "2026-07-01",
                    "kpis": ["ucr-2h", "never-events"],
                },
                {
                    "id": "falls-east",
                    "provider": "NQT10",
                    "commences": "2026-10-01",
                    "kpis": ["falls-admissions"],
                },
                {
                    "id": "falls-befriending",
                    "provider": "V4K",
                    "commences": "2026-10-01",
                    "kpis": ["falls-admissions"],
                },
            ],
        }
    )
    assert isinstance(contract, Contract)
    return contract


CONTRACT = _returns_contract()
"""The returns tests' contract."""
FIELDS = [
    "service",
    "provider",
    "kpi",
    "period",
    "numerator",
    "denominator",
    "value",
    "count",
    "sd",
]
TEXT = dict.fromkeys(FIELDS, pl.String)


def text_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """Returns as a spreadsheet holds them: every cell text (or empty)."""
    return pl.DataFrame(
        [{f: None if r.get(f) is None else str(r[f]) for f in FIELDS} for r in rows], schema=TEXT
    )


GOOD = {
    "service": "ucr-south",
    "kpi": "ucr-2h",
    "period": "2026-04",
    "numerator": "14",
    "denominator": "20",
}
"""One good return: 14 of 20 for ucr-south in April 2026."""


def assert_accounted(evaluation: Evaluation, read: int) -> None:
    """Every one of the ``read`` rows is accepted, rejected for a known reason, or excluded."""
    from contractkit.returns import REASONS

    account = evaluation.account
    assert account["read"] == read
    assert account["accepted"] + account["rejected"] + account["excluded"] == read
    assert account["rejected"] == evaluation.rejected.height
    assert sum(account["rejected_by_reason"].values()) == account["rejected"]
    assert set(account["rejected_by_reason"]) <= set(REASONS)
    assert set(evaluation.rejected.get_column("reason")) <= set(REASONS)


def row_of(evaluation: Evaluation, svc: str, kpi: str, period: str) -> dict[str, Any]:
    """The evaluation's one row for a service's KPI in a period."""
    found = evaluation.table.filter(
        (pl.col("service") == svc) & (pl.col("kpi") == kpi) & (pl.col("period") == period)
    )
    assert found.height == 1
    return found.row(0, named=True)


# --- payment statements: a small contract, its returns, the identities (test_statement*) ------

REACH = {
    "id": "reach",
    "name": "Urgent referrals reached within 2 hours",
    "measure": "proportion",
    "better": "higher",
    "reported": "quarterly",
    "assessed": "quarterly",
    "threshold": "70%",
}
"""A proportion assessed quarterly, 70% or more."""
NEVER = {
    "id": "never",
    "name": "Never events",
    "measure": "count",
    "better": "lower",
    "reported": "quarterly",
    "assessed": "quarterly",
    "threshold": 0,
}
"""A count assessed quarterly, none allowed."""
LINEAR = {"zero_at": "60%", "full_at": "80%"}
BANDS = [
    {"pays": "0%"},
    {"above": "50%", "pays": "25%"},
    {"at_least": "60%", "pays": "50%"},
    {"at_least": "65%", "pays": "75%"},
    {"at_least": "70%", "pays": "100%"},
]
"""The issue's bands: 50% or less earns nothing, above 50% a quarter, 60% or more a half, 65%
or more three quarters, 70% or more the whole share."""
_TYPES = ("nhs_trust", "vcse", "independent_sector", "social_enterprise")


def make(
    finance: dict[str, Any],
    services: list[dict[str, Any]],
    *,
    kpis: tuple[dict[str, Any], ...] = (REACH,),
    escalation: tuple[dict[str, Any], ...] = (),
) -> Contract:
    """A two-year contract (2026/27 and 2027/28) with no embedding stages (every period is
    assessed), a provider per service (its id is the service's ``provider``)."""
    providers = sorted({s["provider"] for s in services})
    data: dict[str, Any] = {
        "id": "TEST-1",
        "title": "A small contract",
        "commissioners": [{"id": "ICB", "name": "The ICB"}],
        "term": {"start": "2026-04-01", "end": "2028-03-31"},
        "providers": [
            {"id": p, "name": f"Provider {p}", "type": _TYPES[i % len(_TYPES)]}
            for i, p in enumerate(providers)
        ],
        "kpis": list(kpis),
        "services": services,
        "escalation": list(escalation),
        "finance": finance,
    }
    contract = contractkit.load(data)
    assert isinstance(contract, Contract)
    return contract


def service(sid: str, provider: str, kpis: list[str], commences: str = "2026-04-01") -> dict:
    """A service as written, for :func:`make`."""
    return {"id": sid, "provider": provider, "commences": commences, "kpis": kpis}


def nth_quarter(index: int) -> str:
    """The index-th quarter from 2026/27 Q1 (0)."""
    year, q = 2026 + index // 4, index % 4 + 1
    return f"{year}/{(year + 1) % 100:02d} Q{q}"


def quarterly(
    svc: str,
    kpi: str,
    numerators: list[int],
    denominators: list[int] | None = None,
    *,
    first: int = 0,
) -> pl.DataFrame:
    """One return a quarter from the ``first``-th quarter (0: 2026/27 Q1)."""
    size = len(numerators)
    return pl.DataFrame(
        {
            "service": [svc] * size,
            "kpi": [kpi] * size,
            "period": [nth_quarter(first + i) for i in range(size)],
            "numerator": numerators,
            "denominator": denominators if denominators is not None else [None] * size,
        },
        schema={
            "service": pl.String,
            "kpi": pl.String,
            "period": pl.String,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
        },
    )


def returns(*frames: pl.DataFrame) -> pl.DataFrame:
    """Returns of several services or KPIs, as one frame."""
    return pl.concat(frames)


def activity(rows: list[tuple[str, str, int]], name: str = "visit") -> pl.DataFrame:
    """Activity counts, each (service, period, count), of one activity."""
    return pl.DataFrame(
        {
            "service": [r[0] for r in rows],
            "period": [r[1] for r in rows],
            "activity": [name] * len(rows),
            "count": [r[2] for r in rows],
        }
    )


def lines_of(s: Statement, svc: str, element: str) -> list[tuple[str, Decimal]]:
    """(month, amount) of a service's lines of one element, in order."""
    found = s.lines.filter((pl.col("service") == svc) & (pl.col("element") == element))
    return [(m, a) for m, a in found.select("month", "amount").rows()]


def one_line(s: Statement, svc: str, month: str, element: str) -> dict[str, Any]:
    """The statement's one line of an element for a service in a month."""
    found = s.lines.filter(
        (pl.col("service") == svc) & (pl.col("month") == month) & (pl.col("element") == element)
    )
    assert found.height == 1, found
    return found.row(0, named=True)


def _sum(frame: pl.DataFrame, column: str) -> Decimal:
    return Decimal(frame.get_column(column).sum()) if frame.height else Decimal(0)


def check_identities(s: Statement) -> None:
    """What every statement keeps, whatever its figures."""
    from contractkit.payments import CATEGORIES, ELEMENTS, STATEMENT_FINDINGS

    lines, summary = s.lines, s.summary
    # each line counts in its element's column, and its payable follows from its category
    for row in lines.iter_rows(named=True):
        assert row["category"] == ELEMENTS[row["element"]]
        sign = {"deducted": -1, "withheld": -1, "retained": 0}.get(row["category"], 1)
        assert row["payable"] == sign * row["amount"], row
        assert summary["from"] <= row["month"] <= summary["to"]
    # per provider: each column is its lines', and payable = due + earned - deducted - withheld
    # + repaid
    for row in s.providers.iter_rows(named=True):
        mine = lines.filter(pl.col("provider") == row["provider"])
        for category in CATEGORIES:
            assert row[category] == _sum(mine.filter(pl.col("category") == category), "amount")
        assert row["payable"] == (
            row["due"] + row["earned"] - row["deducted"] - row["withheld"] + row["repaid"]
        )
        assert row["payable"] == _sum(mine, "payable")
    # the summary is the providers' sum, and the lines'
    for figure in (*CATEGORIES, "payable", "held"):
        assert summary[figure] == Money(_sum(s.providers, figure)), figure
    assert summary["payable"] == Money(_sum(lines, "payable"))
    assert summary["payable"].amount == (
        summary["due"].amount
        + summary["earned"].amount
        - summary["deducted"].amount
        - summary["withheld"].amount
        + summary["repaid"].amount
    )
    # the withholding ledger: what was withheld is repaid, retained or still held
    ledger = s.withholding
    if ledger.height:
        assert set(ledger.get_column("outcome").to_list()) <= {"held", "repaid", "retained"}
        assert (ledger.get_column("withheld") > 0).all()
        settled = ledger.filter(pl.col("outcome") != "held")
        assert settled.get_column("settled").is_not_null().all()
        assert (settled.get_column("settled") > settled.get_column("month")).all()
        assert ledger.filter(pl.col("outcome") == "held").get_column("settled").is_null().all()
        in_period = pl.col("month").is_between(pl.lit(summary["from"]), pl.lit(summary["to"]))
        settled_in = pl.col("settled").is_between(pl.lit(summary["from"]), pl.lit(summary["to"]))
        assert summary["withheld"] == Money(_sum(ledger.filter(in_period), "withheld"))
        for outcome in ("repaid", "retained"):
            rows = ledger.filter((pl.col("outcome") == outcome) & settled_in)
            assert summary[outcome] == Money(_sum(rows, "withheld")), outcome
        assert summary["held"] == Money(
            _sum(ledger.filter(pl.col("outcome") == "held"), "withheld")
        )
        assert _sum(ledger, "withheld") == sum(
            (
                _sum(ledger.filter(pl.col("outcome") == o), "withheld")
                for o in ("repaid", "retained", "held")
            ),
            Decimal(0),
        )
    else:
        assert summary["withheld"] == summary["repaid"] == summary["retained"] == Money("0")
        assert summary["held"] == Money("0")
    # findings are known codes; every activity and claim row is accounted for
    assert set(s.findings.get_column("code").to_list()) <= set(STATEMENT_FINDINGS)
    a = s.account
    assert a["read"] == a["accepted"] + a["rejected"] + a["excluded"]
    assert a["rejected"] == s.rejected.height
    for name in ("activity", "outcomes"):
        if name in a:
            part = a[name]
            assert part["read"] == part["accepted"] + part["rejected"] + part["excluded"]
            assert sum(part["rejected_by_reason"].values()) == part["rejected"]
            assert s.rejected.filter(pl.col("file") == name).height == part["rejected"]


# --- pooled funds and system plans (test_reconcile, test_system_plan, test_money_explain) -----


def small_fund(**changes: Any) -> PooledFund:
    """Two partners (£600 and £400); lines L1 £500 (a), L2 £300 (b), L3 £100 (a); a £80 risk
    pool and £20 uncommitted: £1,000 in all."""
    data: dict[str, Any] = {
        "kind": "pooled_fund",
        "id": "SMALL",
        "title": "A small fund",
        "year": "2026/27",
        "host": "a",
        "partners": [
            {"id": "a", "name": "Partner A", "contribution": 600, "cap": 50},
            {"id": "b", "name": "Partner B", "contribution": 400},
        ],
        "lines": [
            {"id": "L1", "name": "Line one", "budget": 500, "commissioner": "a"},
            {"id": "L2", "name": "Line two", "budget": 300, "commissioner": "b"},
            {"id": "L3", "name": "Line three", "budget": 100, "commissioner": "a"},
        ],
        "risk_pool": 80,
        "uncommitted": 20,
        "overspend": {"fixed": {"a": "70%", "b": "30%"}},
        "underspend": "contribution",
    }
    data.update(changes)
    fund = contractkit.load(data)
    assert isinstance(fund, PooledFund)
    return fund


def quarterly_spend(totals: dict[str, str]) -> pl.DataFrame:
    """A year of quarterly spend: each line's total in four equal quarters (given in pence-exact
    text, so the quarters must divide evenly)."""
    rows = []
    for line, total in totals.items():
        quarter = Money(total).pence // 4
        assert quarter * 4 == Money(total).pence
        for q in range(1, 5):
            rows.append(
                {
                    "line": line,
                    "period": f"2026/27 Q{q}",
                    "amount": str(Money.from_pence(quarter).amount),
                }
            )
    return pl.DataFrame(rows)


@st.composite
def awkward_funds(draw: st.DrawFn, index: int = 0) -> tuple[PooledFund, pl.DataFrame]:
    """Funds whose settlement is hard to get right: tiny budgets (ties everywhere), caps of
    nothing, fixed shares listed in any order, partners whose ids sort differently from their
    order, and outturns far over budget (so that the caps bite and some of it is unfunded);
    some lines profiled."""
    profiles = st.lists(st.integers(0, 3), min_size=12, max_size=12).filter(any)
    n_partners = draw(st.integers(2, 4))
    ids = draw(st.permutations(["icb", "council", "a", "zeta"][:n_partners]))
    budgets = draw(st.lists(st.integers(0, 3) | st.integers(0, 5_000), min_size=1, max_size=7))
    risk_pool, uncommitted = draw(st.integers(0, 300)), draw(st.integers(0, 300))
    total = (sum(budgets) + risk_pool + uncommitted) * 100
    weights = [draw(st.integers(0, 5)) for _ in ids]
    if not any(weights):
        weights[0] = 1
    contributions = [total * w // sum(weights) for w in weights]
    contributions[0] += total - sum(contributions)
    partners = [
        {
            "id": p,
            "name": p.title(),
            "contribution": str(Money.from_pence(c).amount),
            **({"cap": draw(st.integers(0, 400))} if draw(st.sampled_from([1, 1, 0])) else {}),
        }
        for p, c in zip(ids, contributions, strict=True)
    ]
    lines = [
        {
            "id": f"L{j}",
            "name": f"Line {j}",
            "budget": b,
            "commissioner": draw(st.sampled_from(ids)),
            **({"profile": draw(profiles)} if draw(st.booleans()) else {}),
        }
        for j, b in enumerate(budgets)
    ]

    def share() -> Any:
        basis = draw(st.sampled_from(["contribution", "commissioned", "fixed"]))
        if basis != "fixed":
            return basis
        cuts = draw(
            st.lists(
                st.sampled_from([0, 33, 50, 66, 100]),
                min_size=n_partners - 1,
                max_size=n_partners - 1,
            )
        )
        cuts.sort()
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        listed = draw(st.permutations(ids))  # fixed shares may be written in any order
        return {"fixed": {p: f"{s}%" for p, s in zip(listed, parts, strict=True)}}

    order = draw(st.permutations(["underspends", "risk_pool", "uncommitted"]))
    fund = contractkit.load(
        {
            "kind": "pooled_fund",
            "id": f"F{index}",
            "title": "F",
            "year": "2026/27",
            "host": ids[0],
            "partners": partners,
            "lines": lines,
            "risk_pool": risk_pool,
            "uncommitted": uncommitted,
            "overspend": share(),
            "underspend": share(),
            "overspend_order": order[: draw(st.integers(0, 3))],
        }
    )
    assert isinstance(fund, PooledFund)
    factor = draw(st.sampled_from([5, 2, 1, 0]))
    # (Amounts from the top of the range as often as from the bottom: many lines over budget.)
    amounts = [
        draw(st.integers(0, top) | st.integers(0, top).map(lambda v, top=top: top - v))
        for top in (max(1, b * 100 * factor) for b in budgets)
    ]
    spend = pl.DataFrame(
        {
            "line": [f"L{j}" for j in range(len(budgets))],
            "period": ["2027-03"] * len(budgets),
            "amount": [str(Money.from_pence(a).amount) for a in amounts],
            "fund": [fund.id] * len(budgets),
        }
    )
    return fund, spend


@st.composite
def plans_and_outturns(draw: st.DrawFn) -> tuple[SystemPlan, pl.DataFrame]:
    """A plan of two to six organisations, one group and perhaps a transfer, with an outturn
    at September for some of its organisations."""
    n = draw(st.integers(2, 6))
    ids = [f"O{i}" for i in range(n)]
    amount = st.integers(-5_000_000, 5_000_000)
    organisations = [{"id": o, "name": o, "control_total": draw(amount)} for o in ids]
    members = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=n, unique=True))
    a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
    moved = draw(st.integers(0, 1_000_000))
    data: dict[str, Any] = {
        "kind": "system_plan",
        "id": "P",
        "title": "P",
        "year": "2026/27",
        "tolerance": draw(st.integers(0, 1_000_000)),
        "organisations": organisations,
        "groups": [{"id": "g", "name": "G", "members": members}],
        "transfers": []
        if a == b
        else [{"id": "t", "name": "T", "adjustments": {a: -moved, b: moved}}],
    }
    plan = contractkit.load(data)
    assert isinstance(plan, SystemPlan)
    rows = [
        {
            "organisation": o,
            "period": "2026-09",
            "ytd": str(draw(amount)),
            "forecast": str(draw(amount)),
        }
        for o in ids
        if draw(st.booleans())
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "organisation": pl.String,
            "period": pl.String,
            "ytd": pl.String,
            "forecast": pl.String,
        },
    )
    return plan, frame
