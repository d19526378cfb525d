"""Benchmark: how long the command line and the package take to start.

A contract manager runs ``contractkit validate`` dozens of times while writing a contract: each
run should cost the work, not seconds of imports. Measures, each in a fresh process, the best
of N runs (wall time) of importing the package, validating the bundled urgent community
response contract, and evaluating its returns. Prints a Markdown table for
docs/performance.md. Run from the repository's folder:

    python benchmarks/start_up.py            # best of 5
    python benchmarks/start_up.py --runs 10
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path("examples/urgent-community-response")

RUNS = {
    "import contractkit": [sys.executable, "-c", "import contractkit"],
    "contractkit validate (the example contract)": [
        sys.executable,
        "-m",
        "contractkit",
        "validate",
        str(EXAMPLE / "contract.yaml"),
    ],
    "contractkit evaluate (the example's 126 returns)": [
        sys.executable,
        "-m",
        "contractkit",
        "evaluate",
        str(EXAMPLE / "contract.yaml"),
        str(EXAMPLE / "returns.csv"),
    ],
}


def best_of(command: list[str], runs: int) -> float:
    """The shortest wall time of ``runs`` runs of ``command``, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"| run | best of {args.runs} (s) |")
    print("|---|---:|")
    for name, command in RUNS.items():
        print(f"| {name} | {best_of(command, args.runs):.2f} |")


if __name__ == "__main__":
    main()
