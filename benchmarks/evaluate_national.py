"""Benchmark: evaluating national-scale returns, against two anchors on the same data.

Generates a synthetic national data set — by default 28,000 services × 10 proportion KPIs =
280,000 series × 36 months (less the months before a third of the services commence) ≈ 9.5
million monthly return rows, with volumes from 10 to 50,000 a month (each month's cases drawn
around the service's volume) — and a matching contract,
then measures, each in its own process (so peak memory is its own):

- **contractkit**: the whole evaluation — read, validate, aggregate, verdicts, SPC, escalation —
  from the Parquet file;
- **the floor**: the least any correct evaluator must do — read the rows, sum them to quarters,
  one vectorised exact binomial p-value per verdict (polars and scipy, nothing else);
- **what an analyst writes today**: pandas ``groupby(...).apply(...)`` computing the same
  quarterly verdict (sum the months, compare with the threshold, exact binomial p-value). It is
  run on a sample of the series (``--pandas-fraction``) and compared per row.

Prints a Markdown table for docs/performance.md. Run from the repository's folder:

    python benchmarks/evaluate_national.py                 # the full 10 million rows
    python benchmarks/evaluate_national.py --services 2800 # a tenth, for a quick look
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

THRESHOLD = 0.7
MONTHS = 36


def contract_data(services: int, kpis: int) -> dict[str, Any]:
    """The contract: services in three commencement cohorts, staged 60% → 70% thresholds."""
    return {
        "id": "NATIONAL-BENCH",
        "title": "National-scale benchmark",
        "commissioners": [{"id": "X24", "name": "NHS England"}],
        "term": {"start": "2026-04-01", "end": "2029-03-31"},
        "providers": [
            {"id": f"P{i:05d}", "name": f"Provider {i}", "type": "nhs_trust"} for i in range(1000)
        ],
        "embedding": [
            {"stage": "mobilisation", "months": 3, "mode": "shadow"},
            {"stage": "embedding", "months": 9},
            {"stage": "established"},
        ],
        "kpis": [
            {
                "id": f"kpi-{j:02d}",
                "name": f"Proportion KPI {j}",
                "measure": "proportion",
                "better": "higher",
                "reported": "monthly",
                "assessed": "quarterly",
                "threshold": {"embedding": "60%", "established": "70%"},
            }
            for j in range(kpis)
        ],
        "services": [
            {
                "id": f"svc-{i:06d}",
                "provider": f"P{i % 1000:05d}",
                "commences": ("2019-04-01", "2026-04-01", "2026-10-01")[i % 3],
                "kpis": [f"kpi-{j:02d}" for j in range(kpis)],
            }
            for i in range(services)
        ],
        "escalation": [
            {"step": "contract_performance_notice", "flagged": 2, "within": 2},
            {"step": "contract_performance_notice", "alarms": 1, "within": 1},
            {"step": "remedial_action_plan", "flagged": 3, "within": 4},
            {"step": "exception_notice", "flagged": 4, "within": 4},
        ],
    }


def generate(folder: Path, services: int, kpis: int, seed: int) -> tuple[Path, Path]:
    """Write the contract (JSON, which contractkit loads as a mapping) and the returns."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    series = services * kpis
    volume = np.exp(rng.uniform(np.log(10), np.log(50_000), series)).astype(np.int64)
    truth = np.clip(rng.normal(0.74, 0.05, series), 0.3, 0.99)
    # Each month's cases vary around the service's volume, as real activity does.
    denominator = rng.poisson(np.repeat(volume, MONTHS)).astype(np.int64)
    numerator = rng.binomial(denominator, np.repeat(truth, MONTHS))
    month = np.tile(np.arange(MONTHS), series)
    # Services in the third cohort commence in October 2026: no returns before then.
    cohort = np.repeat(np.arange(services) % 3, kpis * MONTHS)
    returned = (cohort != 2) | (month >= 6)
    period_names = [f"{2026 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}" for m in range(MONTHS)]
    service_names = [f"svc-{i:06d}" for i in range(services)]
    kpi_names = [f"kpi-{j:02d}" for j in range(kpis)]
    frame = pl.DataFrame(
        {
            "service": pl.Series(service_names).gather(
                np.repeat(np.arange(services), kpis * MONTHS)
            ),
            "kpi": pl.Series(kpi_names).gather(
                np.tile(np.repeat(np.arange(kpis), MONTHS), services)
            ),
            "period": pl.Series(period_names).gather(month),
            "numerator": numerator,
            "denominator": denominator,
        }
    )
    frame = frame.filter(pl.Series(returned))
    returns = folder / "returns.parquet"
    frame.write_parquet(returns)
    contract = folder / "contract.json"
    contract.write_text(json.dumps(contract_data(services, kpis)), encoding="utf-8")
    return contract, returns


def measure_contractkit(contract: Path, returns: Path) -> dict[str, Any]:
    import contractkit

    data = json.loads(contract.read_text(encoding="utf-8"))
    started = time.perf_counter()
    spec = contractkit.load(data)
    loaded = time.perf_counter()
    evaluation = contractkit.evaluate(spec, returns)
    done = time.perf_counter()
    return {
        "rows": evaluation.account["read"],
        "verdicts": evaluation.table.height,
        "seconds": done - started,
        "contract_seconds": loaded - started,
        "flags": int((evaluation.table.get_column("status") == "underperforming").sum()),
    }


def measure_floor(contract: Path, returns: Path) -> dict[str, Any]:
    import numpy as np
    import polars as pl
    from scipy import stats

    started = time.perf_counter()
    frame = pl.read_parquet(returns)
    month = (
        pl.col("period").str.slice(0, 4).cast(pl.Int32) * 12
        + pl.col("period").str.slice(5, 2).cast(pl.Int32)
        - 1
    )
    quarters = frame.group_by("service", "kpi", ((month - 3) // 3).alias("quarter")).agg(
        pl.col("numerator").sum(), pl.col("denominator").sum()
    )
    x = quarters.get_column("numerator").to_numpy().astype(np.float64)
    n = quarters.get_column("denominator").to_numpy().astype(np.float64)
    p = stats.binom.cdf(x, n, THRESHOLD)
    done = time.perf_counter()
    return {"rows": frame.height, "verdicts": int(p.size), "seconds": done - started}


def _verdict(group: Any) -> Any:
    """What an analyst writes: one group's quarterly verdict."""
    import pandas as pd
    from scipy import stats

    x, n = group["numerator"].sum(), group["denominator"].sum()
    observed = x / n
    p = stats.binom.cdf(x, n, THRESHOLD) if observed < THRESHOLD else float("nan")
    return pd.Series({"observed": observed, "p_value": p, "flag": p < 0.025})


def measure_pandas(contract: Path, returns: Path, fraction: float) -> dict[str, Any]:
    import pandas as pd
    import polars as pl

    frame = pl.read_parquet(returns)
    services = frame.get_column("service").unique().sort()
    keep = services.head(max(1, int(services.len() * fraction)))
    sample = frame.filter(pl.col("service").is_in(keep.implode())).to_pandas()
    started = time.perf_counter()
    sample["month"] = pd.PeriodIndex(sample["period"], freq="M")
    sample["quarter"] = (
        sample["month"].dt.qyear.astype(str) + "Q" + (sample["month"].dt.quarter.astype(str))
    )
    result = sample.groupby(["service", "kpi", "quarter"]).apply(_verdict, include_groups=False)
    done = time.perf_counter()
    return {"rows": len(sample), "verdicts": len(result), "seconds": done - started}


def _child(kind: str, contract: Path, returns: Path, fraction: float) -> None:
    if kind == "contractkit":
        result = measure_contractkit(contract, returns)
    elif kind == "floor":
        result = measure_floor(contract, returns)
    else:
        result = measure_pandas(contract, returns, fraction)
    result["peak_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(json.dumps(result))


def _run(kind: str, contract: Path, returns: Path, fraction: float) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--measure",
        kind,
        "--contract",
        str(contract),
        "--returns",
        str(returns),
        "--pandas-fraction",
        str(fraction),
    ]
    finished = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=28_000)
    parser.add_argument("--kpis", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--pandas-fraction",
        type=float,
        default=0.02,
        help="the share of services the pandas anchor is run on",
    )
    parser.add_argument("--measure", choices=("contractkit", "floor", "pandas"))
    parser.add_argument("--contract", type=Path)
    parser.add_argument("--returns", type=Path)
    args = parser.parse_args()
    if args.measure:
        _child(args.measure, args.contract, args.returns, args.pandas_fraction)
        return
    with tempfile.TemporaryDirectory() as folder:
        contract, returns = generate(Path(folder), args.services, args.kpis, args.seed)
        ours = _run("contractkit", contract, returns, args.pandas_fraction)
        floor = _run("floor", contract, returns, args.pandas_fraction)
        pandas = _run("pandas", contract, returns, args.pandas_fraction)
    per_row = {
        name: r["seconds"] / r["rows"] * 1e6
        for name, r in (("contractkit", ours), ("floor", floor), ("pandas", pandas))
    }
    print(
        f"{ours['rows']:,} monthly rows, {ours['verdicts']:,} quarterly verdicts "
        f"({args.services:,} services × {args.kpis} KPIs × {MONTHS} months)\n"
    )
    print("| run | rows | time (s) | µs per row | peak memory (GB) |")
    print("|---|---:|---:|---:|---:|")
    for name, result in (
        ("contractkit, whole evaluation", ours),
        ("floor", floor),
        (f"pandas groupby-apply ({args.pandas_fraction:.0%} sample)", pandas),
    ):
        key = name.split(",")[0].split(" ")[0]
        print(
            f"| {name} | {result['rows']:,} | {result['seconds']:.2f} | "
            f"{per_row[key]:.3f} | {result['peak_gb']:.2f} |"
        )
    print(
        f"\ncontractkit is {per_row['pandas'] / per_row['contractkit']:.0f}× faster per row "
        f"than pandas groupby-apply, and {ours['seconds'] / floor['seconds']:.1f}× the "
        f"floor's time (contract load {ours['contract_seconds']:.2f} s of it)."
    )


if __name__ == "__main__":
    main()
