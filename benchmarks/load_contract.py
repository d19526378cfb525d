"""How long a large contract takes to load and validate.

Generates a valid contract with N services and K KPIs, writes it as YAML to a temporary folder
and times ``contractkit.load(path)`` (reading, YAML composition and validation) over several
repetitions, then the two halves on their own (``contractkit.spec._yaml.compose`` and
``Contract.model_validate``) and building the same contract from Python dicts
(``contractkit.load(mapping)``). Prints a Markdown table row::

    python benchmarks/load_contract.py                      # 1,000 services x 50 KPIs
    python benchmarks/load_contract.py --services 10000
    python benchmarks/load_contract.py --per-service 10     # each service holds 10 of the KPIs
    python benchmarks/load_contract.py --profile            # where the time goes (cProfile)

By default every service is held to every KPI (the worst case: 1,000 x 50 is 50,000 service-KPI
pairs); ``--per-service M`` holds each to M of them instead, as real services are (a dozen or so).
The KPIs cycle through every measure and threshold shape, so services carry baselines (for the
floor-or-improvement KPIs) and quarterly trajectories (for the trajectory KPIs) as well.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import contractkit
from contractkit import Contract, Frequency, ProviderType
from contractkit.spec._yaml import compose

TERM_START = date(2026, 4, 1)
TERM_END = date(2029, 3, 31)
QUARTERS = [
    str(q)
    for q in Frequency.QUARTERLY.periods_between(TERM_START, date(2029, 4, 1))  # the 12 quarters
]


def _kpi(index: int) -> dict[str, Any]:
    """KPI number ``index``, cycling through the measures and threshold shapes."""
    kpi_id = f"kpi-{index:03d}"
    shape = index % 8
    base: dict[str, Any] = {
        "id": kpi_id,
        "reported": "monthly",
        "assessed": "quarterly",
        "clause": f"Schedule 4C LQR-{index:03d}",
    }
    if shape == 0:
        return base | {
            "name": f"Proportion seen within the standard ({index})",
            "measure": "proportion",
            "better": "higher",
            "threshold": "70%",
        }
    if shape == 1:
        return base | {
            "name": f"Proportion reached in time, staged ({index})",
            "measure": "proportion",
            "better": "higher",
            "threshold": {"embedding": "60%", "established": "70%"},
        }
    if shape == 2:
        return base | {
            "name": f"Waiting-list snapshot on a floor or improvement ({index})",
            "measure": "proportion",
            "better": "higher",
            "combine": "last",
            "threshold": {"floor": "65%", "improvement": "7%"},
        }
    if shape == 3:
        return base | {
            "name": f"Long waits on an agreed trajectory ({index})",
            "measure": "proportion",
            "better": "lower",
            "combine": "last",
            "threshold": "trajectory",
        }
    if shape == 4:
        return base | {
            "name": f"Mean minutes to first contact ({index})",
            "measure": "mean",
            "unit": "minutes",
            "better": "lower",
            "threshold": {date(2026, 4, 1): "90 minutes", date(2027, 4, 1): "1 hour"},
        }
    if shape == 5:
        return base | {
            "name": f"Admissions per 1,000 on the caseload ({index})",
            "measure": "rate",
            "per": 1000,
            "better": "lower",
            "reported": "quarterly",
            "threshold": {"established": {date(2026, 4, 1): 12, date(2027, 4, 1): 10}},
        }
    if shape == 6:
        return base | {
            "name": f"Never events ({index})",
            "measure": "count",
            "better": "lower",
            "threshold": 0,
        }
    return base | {
        "name": f"Mean days to assessment on a ceiling or improvement ({index})",
        "measure": "mean",
        "unit": "days",
        "better": "lower",
        "threshold": {"ceiling": "21 days", "improvement": "3 days"},
    }


def _service(index: int, kpis: list[dict[str, Any]], per_service: int, providers: int) -> Any:
    count = len(kpis)
    if per_service and per_service < count:
        held = [kpis[(index + j) % count] for j in range(per_service)]
    else:
        held = kpis
    service: dict[str, Any] = {
        "id": f"svc-{index:05d}",
        "provider": f"P{index % providers:05d}",
        "commences": date(2019, 4, 1) if index % 3 == 0 else date(2026, 4 + index % 9, 1),
        "kpis": [k["id"] for k in held],
    }
    baselines = {
        k["id"]: ("58.4%" if k["measure"] == "proportion" else "25 days")
        for k in held
        if isinstance(k["threshold"], dict) and "improvement" in k["threshold"]
    }
    trajectories = {
        k["id"]: {q: f"{max(1, 20 - 2 * n)}%" for n, q in enumerate(QUARTERS)}
        for k in held
        if k["threshold"] == "trajectory"
    }
    if baselines:
        service["baselines"] = baselines
    if trajectories:
        service["trajectories"] = trajectories
    return service


def contract_mapping(services: int, kpis: int, per_service: int = 0) -> dict[str, Any]:
    """A valid contract as the dicts a YAML file holds."""
    kpi_list = [_kpi(i) for i in range(kpis)]
    providers = max(1, min(services // 4, 500))
    types = list(ProviderType)
    return {
        "contractkit": 1,
        "id": f"BENCH-{services}x{kpis}",
        "title": f"A benchmark contract: {services:,} services and {kpis} KPIs",
        "commissioners": [{"id": "QMF", "name": "North East London Integrated Care Board"}],
        "term": {"start": TERM_START, "end": TERM_END},
        "providers": [
            {"id": f"P{i:05d}", "name": f"Provider {i}", "type": types[i % len(types)].value}
            for i in range(providers)
        ],
        "embedding": [
            {"stage": "mobilisation", "months": 3, "mode": "shadow"},
            {"stage": "embedding", "months": 9},
            {"stage": "established"},
        ],
        "kpis": kpi_list,
        "services": [_service(i, kpi_list, per_service, providers) for i in range(services)],
        "outcomes": [
            {"id": "outcome-a", "name": "Shorter waits", "kpis": [k["id"] for k in kpi_list[:5]]},
            {"id": "outcome-b", "name": "Safer care", "kpis": [kpi_list[-1]["id"]]},
        ],
        "escalation": [
            {"step": "contract_performance_notice", "flagged": 2, "within": 2},
            {"step": "contract_performance_notice", "alarms": 1, "within": 1},
            {"step": "remedial_action_plan", "flagged": 3, "within": 4},
            {"step": "exception_notice", "flagged": 4, "within": 4},
        ],
    }


CPU_TIMES: dict[str, list[float]] = {}
"""Processor time of each timed action, by name: unlike the wall-clock time, it leaves out the
time spent waiting for a core when other processes are busy."""


def _times(name: str, action: Callable[[], Any], repeat: int) -> list[float]:
    """Wall-clock seconds for each of ``repeat`` runs of ``action`` (processor seconds are kept
    in CPU_TIMES)."""
    out, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        out.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU_TIMES[name] = cpu
    return out


def _fmt(seconds: list[float]) -> str:
    return f"{min(seconds):.3f} (median {statistics.median(seconds):.3f})"


def _profile(path: Path, limit: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    contractkit.load(path)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    print(stream.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000, help="services (default 1000)")
    parser.add_argument("--kpis", type=int, default=50, help="KPIs (default 50)")
    parser.add_argument(
        "--per-service",
        type=int,
        default=0,
        help="KPIs each service is held to (default 0: all of them)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default 5)")
    parser.add_argument("--output", type=Path, help="keep the YAML in this folder")
    parser.add_argument("--profile", action="store_true", help="profile one load with cProfile")
    parser.add_argument("--no-header", action="store_true", help="print the table row only")
    args = parser.parse_args(argv)
    if args.services < 1 or args.kpis < 1 or args.repeat < 1:
        parser.error("--services, --kpis and --repeat must be at least 1")

    mapping = contract_mapping(args.services, args.kpis, args.per_service)
    start = time.perf_counter()
    contract = contractkit.load(mapping)  # the first load also reads the unit registry
    cold = time.perf_counter() - start
    from_dicts = _times("dicts", lambda: contractkit.load(mapping), args.repeat)
    start = time.perf_counter()
    text = contractkit.dump(contract)
    dumped = time.perf_counter() - start
    lines = text.count("\n")

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.output or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"contract-{args.services}x{args.kpis}.yaml"
        path.write_text(text, encoding="utf-8")

        # Keep only the latest result of each: a loaded contract keeps its parsed document (for
        # source locations), so keeping every repetition's would slow the later ones' GC.
        loaded: list[Any] = [None]
        load_times = _times(
            "load", lambda: loaded.__setitem__(0, contractkit.load(path)), args.repeat
        )
        assert loaded[0] == contract, "the YAML did not load as the contract it was written from"
        loaded[0] = None
        composed: list[Any] = [None]
        compose_times = _times(
            "compose", lambda: composed.__setitem__(0, compose(text)[0]), args.repeat
        )
        data = composed[0].data
        composed[0] = None
        validate_times = _times("validate", lambda: Contract.model_validate(data), args.repeat)
        if args.profile:
            _profile(path, 30)

    per = f"{args.per_service}" if 0 < args.per_service < args.kpis else f"all {args.kpis}"
    if not args.no_header:
        print(
            "| services | KPIs | KPIs per service | YAML lines | load and validate (s) "
            "| load, CPU (s) | YAML composition (s) | validation (s) | from Python dicts (s) |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.services:,} | {args.kpis} | {per} | {lines:,} | {_fmt(load_times)} "
        f"| {min(CPU_TIMES['load']):.3f} | {_fmt(compose_times)} | {_fmt(validate_times)} "
        f"| {_fmt(from_dicts)} |"
    )
    if not args.no_header:
        print(
            f"\nWall-clock seconds, best (and median) of {args.repeat}; 'load, CPU' is the best "
            "processor time, which leaves out waiting for a busy core. All after a first load "
            f"from dicts that also read the unit registry ({cold:.3f} s). Writing the YAML with "
            f"contractkit.dump took {dumped:.3f} s. Python {sys.version.split()[0]}."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
