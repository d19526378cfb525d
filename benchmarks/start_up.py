"""Benchmark: how long the command line and the package take to start.

A contract manager runs ``contractkit validate`` dozens of times while writing a contract: each
run should cost the work, not seconds of imports. Measures, each in a fresh process, the best
of N runs (wall time) of importing the package, validating the bundled urgent community
response contract, and evaluating its returns, against the targets the project sets for them
(on the reference machine), and prints a Markdown table for docs/performance.md.

The code measured is this repository's own (its ``src`` folder comes first on the path,
whatever is installed). With ``--against`` another copy's ``src`` is measured too, each run of
one followed by a run of the other (before, now, now, before, …), so that the machine's drift
falls on both alike. Run from the repository's folder:

    python benchmarks/start_up.py                        # best of 10
    python benchmarks/start_up.py --runs 20
    git worktree add /tmp/before v0.1.0                  # (any earlier commit)
    python benchmarks/start_up.py --against /tmp/before
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
EXAMPLE = Path("examples/urgent-community-response")

RUNS = {
    "`import contractkit`": (["-c", "import contractkit"], 0.35),
    "`contractkit validate` on the example contract": (
        ["-m", "contractkit", "validate", str(EXAMPLE / "contract.yaml")],
        0.6,
    ),
    "`contractkit evaluate` on the example's returns": (
        [
            "-m",
            "contractkit",
            "evaluate",
            str(EXAMPLE / "contract.yaml"),
            str(EXAMPLE / "returns.csv"),
        ],
        0.8,
    ),
}
"""Each run: its arguments to Python, and its target (seconds, best of N, on the reference
machine)."""


def environment(source: Path) -> dict[str, str]:
    """The environment of a run of the copy at ``source``: its code first on the path, and
    Python's compiled files written as in any installation (a run that compiled every module
    again would measure the compiler)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(source / "src"), env.get("PYTHONPATH", "")])
    return env


def once(arguments: list[str], env: dict[str, str]) -> float:
    """The wall time of one run, in seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *arguments], capture_output=True, check=True, env=env, cwd=HERE)
    return time.perf_counter() - start


def best_of(arguments: list[str], runs: int, envs: list[dict[str, str]]) -> list[float]:
    """For each environment, the shortest wall time of ``runs`` runs, the environments' runs
    interleaved (ABBA: each round reverses the order of the one before)."""
    for env in envs:
        once(arguments, env)  # a first run writes the compiled files and fills the disk cache
    times: list[list[float]] = [[] for _ in envs]
    for round_ in range(runs):
        order = list(range(len(envs)))
        for i in order if round_ % 2 == 0 else order[::-1]:
            times[i].append(once(arguments, envs[i]))
    return [min(each) for each in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--against", type=Path, help="another copy of the repository, measured as 'before'"
    )
    args = parser.parse_args()
    envs = [environment(HERE)]
    if args.against is not None:
        envs.insert(0, environment(args.against.resolve()))
        print(f"| run | target | before | now (best of {args.runs}, s) |")
        print("|---|---:|---:|---:|")
    else:
        print(f"| run | target | now (best of {args.runs}, s) |")
        print("|---|---:|---:|")
    for name, (arguments, target) in RUNS.items():
        figures = best_of(arguments, args.runs, envs)
        shown = " | ".join(f"{figure:.2f}" for figure in figures)
        met = "" if figures[-1] < target else " (target missed)"
        print(f"| {name} | {target:.2f} | {shown}{met} |")


if __name__ == "__main__":
    main()
