"""Benchmark: a payment statement for a large contract.

A contract with N services (1,000 by default), each from its own provider, with a fixed
payment, a variable payment per contact with a payment limit, an incentive scheme on one
proportion KPI (linear) and consequences per excess breach, withholding at two escalation
steps, and outcome payments. Two years of monthly returns and activity, and outcome claims for
about a tenth of each month's contacts. The statement is drawn up for the second financial year
(from an evaluation already made, so only the statement is timed; the evaluation's own figures
are in docs/performance.md).

Prints a Markdown table for docs/performance.md. Run from the repository's folder:

    python benchmarks/statement_at_scale.py
    python benchmarks/statement_at_scale.py --services 100   # a tenth, for a quick look
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import polars as pl

import contractkit
from contractkit.model import Contract

MONTHS = [f"{2026 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in range(24)]


def make_contract(services: int) -> Contract:
    providers = [
        {"id": f"P{i:05d}", "name": f"Provider {i}", "type": ("nhs_trust", "vcse")[i % 2]}
        for i in range(services)
    ]
    spec: dict[str, Any] = {
        "id": "BENCH-2026",
        "title": "A large contract",
        "commissioners": [{"id": "QMF", "name": "An ICB"}],
        "term": {"start": "2026-04-01", "end": "2029-03-31"},
        "providers": providers,
        "kpis": [
            {
                "id": "seen-2h",
                "name": "Seen within 2 hours",
                "measure": "proportion",
                "better": "higher",
                "reported": "monthly",
                "assessed": "quarterly",
                "threshold": "70%",
            }
        ],
        "services": [
            {
                "id": f"S{i:05d}",
                "provider": f"P{i:05d}",
                "commences": "2026-04-01",
                "kpis": ["seen-2h"],
            }
            for i in range(services)
        ],
        "escalation": [
            {"step": "contract_performance_notice", "flagged": 1, "within": 1},
            {"step": "remedial_action_plan", "flagged": 2, "within": 2},
        ],
        "finance": {
            "payments": [
                {
                    "service": f"S{i:05d}",
                    "fixed": 100_000 + 1_000 * (i % 50),
                    "variable": {"activity": "contact", "price": "£45.50", "limit": 60_000},
                }
                for i in range(services)
            ],
            "incentive": {
                "pot": "1.25%",
                "indicators": [{"kpi": "seen-2h", "linear": {"zero_at": "60%", "full_at": "80%"}}],
            },
            "outcome_payments": {
                "rates": [{"outcome": "home-at-91-days", "price": 250}],
                "per_person_cap": 250,
                "cap": 2_000_000 * max(1, services // 1000),
            },
            "consequences": [{"kpi": "seen-2h", "per_breach": 40}],
            "withholding": [
                {"step": "contract_performance_notice", "rate": "1%", "retained_after": 6},
                {"step": "remedial_action_plan", "rate": "2%", "retained_after": 3},
            ],
        },
    }
    contract = contractkit.load(spec)
    assert isinstance(contract, Contract)
    return contract


def make_data(services: int, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"S{i:05d}" for i in range(services)], len(MONTHS))
    months = np.tile(MONTHS, services)
    size = services * len(MONTHS)
    referrals = rng.integers(80, 160, size)
    skill = np.repeat(rng.uniform(0.6, 0.8, services), len(MONTHS))
    reached = rng.binomial(referrals, skill)
    returns = pl.DataFrame(
        {
            "service": ids,
            "kpi": "seen-2h",
            "period": months,
            "numerator": reached,
            "denominator": referrals,
        }
    )
    activity = pl.DataFrame(
        {"service": ids, "period": months, "activity": "contact", "count": referrals}
    )
    claims = rng.binomial(referrals, 0.1)
    owner = np.repeat(np.arange(size), claims)
    outcomes = pl.DataFrame(
        {
            "service": ids[owner],
            "person": [f"X{n:08d}" for n in range(owner.size)],
            "outcome": "home-at-91-days",
            "period": months[owner],
        }
    )
    return returns, activity, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    contract = make_contract(args.services)
    returns, activity, outcomes = make_data(args.services)
    evaluation = contractkit.evaluate(contract, returns)
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        statement = contractkit.statement(
            contract, evaluation, activity=activity, outcomes=outcomes, period="2027/28"
        )
        timings.append(time.perf_counter() - start)
    print(statement)
    print(
        f"| {args.services:,} services, {activity.height:,} activity rows, "
        f"{outcomes.height:,} outcome claims | {statement.lines.height:,} lines | "
        f"{min(timings):.2f}–{max(timings):.2f} s |"
    )


if __name__ == "__main__":
    main()
