"""Benchmark: reconciling pooled funds and assessing a system plan, at scale.

- **Pooled funds**: 1,000 funds × 50 lines, each with a year of monthly spend (600 rows a fund,
  600,000 in all), reconciled at the year end in one pass (one spend table naming each row's
  fund), and, for comparison, one fund at a time.
- **A system plan**: 250 organisations in 50 groups of five, with transfers, and a year of
  monthly outturn returns (3,000 rows), assessed at the year end.

Prints a Markdown table for docs/performance.md. Run from the repository's folder:

    python benchmarks/money_at_scale.py
    python benchmarks/money_at_scale.py --funds 100   # a tenth, for a quick look
    python benchmarks/money_at_scale.py --runs 5      # the one pass five times: best (range)
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import polars as pl

import contractkit
from contractkit.model import PooledFund, SystemPlan

MONTHS = [f"{2026 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in range(12)]


def make_fund(index: int, lines: int, rng: np.random.Generator) -> tuple[PooledFund, pl.DataFrame]:
    budgets = rng.integers(50_000, 5_000_000, lines).tolist()
    risk_pool = int(rng.integers(0, 500_000))
    total = sum(budgets) + risk_pool
    icb = total * 6 // 10
    fund = contractkit.load(
        {
            "kind": "pooled_fund",
            "id": f"F{index:04d}",
            "title": f"Fund {index}",
            "year": "2026/27",
            "host": "council",
            "partners": [
                {"id": "icb", "name": "ICB", "contribution": icb, "cap": 1_000_000},
                {"id": "council", "name": "Council", "contribution": total - icb},
            ],
            "lines": [
                {
                    "id": f"L{j:02d}",
                    "name": f"Line {j}",
                    "budget": b,
                    "commissioner": "icb" if j % 2 else "council",
                }
                for j, b in enumerate(budgets)
            ],
            "risk_pool": risk_pool,
            "overspend": {"fixed": {"icb": "60%", "council": "40%"}},
        }
    )
    assert isinstance(fund, PooledFund)
    # Each month's spend is about a twelfth of the budget, give or take a tenth, to the penny.
    monthly = np.repeat(np.array(budgets) * 100 // 12, 12)
    pence = (monthly * rng.uniform(0.9, 1.1, monthly.size)).astype(np.int64)
    spend = pl.DataFrame(
        {
            "line": np.repeat([f"L{j:02d}" for j in range(lines)], 12),
            "period": MONTHS * lines,
            "amount": [f"{p // 100}.{p % 100:02d}" for p in pence.tolist()],
        }
    )
    return fund, spend


def make_plan(organisations: int, rng: np.random.Generator) -> tuple[SystemPlan, pl.DataFrame]:
    ids = [f"R{i:03d}" for i in range(organisations)]
    totals = rng.integers(-5_000_000, 5_000_000, organisations).tolist()
    data: dict[str, Any] = {
        "kind": "system_plan",
        "id": "BIG",
        "title": "A large system",
        "year": "2026/27",
        "tolerance": 500_000,
        "organisations": [
            {"id": o, "name": f"Organisation {o}", "control_total": t}
            for o, t in zip(ids, totals, strict=True)
        ],
        "groups": [
            {"id": f"G{g:02d}", "name": f"Group {g}", "members": ids[g * 5 : g * 5 + 5]}
            for g in range(organisations // 5)
        ],
        "transfers": [
            {
                "id": f"T{t}",
                "name": "Support",
                "adjustments": {ids[t]: -100_000, ids[-1 - t]: 100_000},
            }
            for t in range(organisations // 10)
        ],
    }
    plan = contractkit.load(data)
    assert isinstance(plan, SystemPlan)
    actual = rng.integers(-1_000_000, 1_000_000, organisations * 12) * 100
    outturn = pl.DataFrame(
        {
            "organisation": np.repeat(ids, 12),
            "period": MONTHS * organisations,
            "actual": [f"{p // 100}.{p % 100:02d}" for p in actual.tolist()],
        }
    )
    return plan, outturn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--funds", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--organisations", type=int, default=250)
    parser.add_argument(
        "--runs", type=int, default=1, help="reconcile the funds in one pass this many times"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    made = [make_fund(i, args.lines, rng) for i in range(args.funds)]
    funds = [fund for fund, _ in made]
    spend = pl.concat([s.with_columns(fund=pl.lit(f.id)) for f, s in made])
    times = []
    for _ in range(max(1, args.runs)):
        started = time.perf_counter()
        together = contractkit.reconcile(funds, spend)
        times.append(time.perf_counter() - started)
        assert together.account["accepted"] == spend.height
    funds_seconds = min(times)
    spread = f" ({min(times):.2f}–{max(times):.2f})" if len(times) > 1 else ""
    started = time.perf_counter()
    for fund, alone in made[:100]:
        contractkit.reconcile(fund, alone)
    one_by_one = (time.perf_counter() - started) / min(100, len(made))
    plan, outturn = make_plan(args.organisations, rng)
    started = time.perf_counter()
    result = contractkit.assess(plan, outturn)
    plan_seconds = time.perf_counter() - started
    assert result.account["accepted"] == args.organisations * 12
    rows = args.funds * args.lines * 12
    print("| run | rows | time (s) | per unit |")
    print("|---|---:|---:|---:|")
    print(
        f"| reconcile {args.funds:,} pooled funds × {args.lines} lines in one pass, a year of "
        f"monthly spend | {rows:,} | {funds_seconds:.2f}{spread} | "
        f"{funds_seconds / args.funds * 1000:.2f} ms a fund |"
    )
    print(
        f"| (the same, one fund at a time) | {args.lines * 12:,} a fund | "
        f"{one_by_one * args.funds:.2f} | {one_by_one * 1000:.1f} ms a fund |"
    )
    print(
        f"| assess a system plan of {args.organisations} organisations, a year of monthly "
        f"outturn | {args.organisations * 12:,} | {plan_seconds:.3f} | |"
    )


if __name__ == "__main__":
    main()
