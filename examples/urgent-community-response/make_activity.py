"""Write ``activity.csv`` and ``outcomes.csv`` for the urgent community response example.

The figures are invented, but shaped like real returns, and agree with ``returns.csv``:

- ``activity.csv``: the activity the variable element pays for. ucr-north is paid £85 per urgent
  response, and its urgent responses are its urgent referrals in ``make_returns.py``. falls-east
  is paid £180 per falls assessment, up to £150,000 a year: from 62 assessments in its first
  month to 112 in December 2027, it reaches the limit for 2027/28 in December.
- ``outcomes.csv``: outcome claims for the falls services, one row per person and outcome: living
  at home 91 days after a falls assessment (£250), and no further fall in the six months after
  (£150), at most £350 for any one person and £38,000 under the contract, which is reached
  in December 2027.

Run it from anywhere; it rewrites both files beside it, the same every time (seeded):

    .venv/bin/python examples/urgent-community-response/make_activity.py
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

HERE = Path(__file__).resolve().parent
ACTIVITY = HERE / "activity.csv"
OUTCOMES = HERE / "outcomes.csv"
SEED = 20260402


def _returns_script() -> ModuleType:
    """``make_returns.py`` beside this script, for the referrals it uses."""
    spec = importlib.util.spec_from_file_location("make_returns", HERE / "make_returns.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot read {HERE / 'make_returns.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FALLS_MONTHS = [f"2026-{m:02d}" for m in range(10, 13)] + [f"2027-{m:02d}" for m in range(1, 13)]
"""falls-east commences in October 2026; the returns reach December 2027."""
ASSESSMENTS = [62, 70, 74, 81, 85, 90, 92, 95, 98, 101, 104, 106, 108, 110, 112]
"""falls-east's falls assessments, month by month."""
ASSESSED_PEOPLE = {"falls-east": 0.12, "falls-befriending": 0.3}
"""The share of people assessed (or befriended) each month whose outcomes are claimed."""
BEFRIENDED = [8, 10, 12, 12, 13, 14, 14, 15, 15, 15, 16, 16, 16, 17, 17]
"""falls-befriending's new people, month by month."""


def activity() -> list[dict[str, object]]:
    """ucr-north's urgent responses and falls-east's falls assessments."""
    script = _returns_script()
    months = script.MONTHS[script.MONTHS.index("2026-07") :]
    referrals = script.NORTH_REFERRALS
    rows: list[dict[str, object]] = [
        {"service": "ucr-north", "period": m, "activity": "urgent_response", "count": n}
        for m, n in zip(months, referrals, strict=True)
    ]
    rows += [
        {"service": "falls-east", "period": m, "activity": "falls_assessment", "count": n}
        for m, n in zip(FALLS_MONTHS, ASSESSMENTS, strict=True)
    ]
    return rows


def _later(month: str, months: int) -> str:
    year, number = int(month[:4]), int(month[5:])
    index = year * 12 + number - 1 + months
    return f"{index // 12}-{index % 12 + 1:02d}"


def outcomes() -> list[dict[str, object]]:
    """Outcome claims: people seen by the falls services who were at home 91 days later (claimed
    three months on) and had no further fall in six months (claimed six months on)."""
    rng = np.random.default_rng(SEED)
    rows: list[dict[str, object]] = []
    seen = {"falls-east": ASSESSMENTS, "falls-befriending": BEFRIENDED}
    for service, counts in seen.items():
        prefix = "E" if service == "falls-east" else "B"
        for month, count in zip(FALLS_MONTHS, counts, strict=True):
            people = int(rng.binomial(count, ASSESSED_PEOPLE[service]))
            for number in range(people):
                person = f"{prefix}{month.replace('-', '')}{number:03d}"
                if rng.random() < 0.8:
                    rows.append(_claim(service, person, "home-at-91-days", _later(month, 3)))
                if rng.random() < 0.6:
                    rows.append(_claim(service, person, "no-fall-6-months", _later(month, 6)))
    rows = [row for row in rows if str(row["period"]) <= "2027-12"]
    rows.sort(key=lambda row: (str(row["period"]), str(row["service"]), str(row["person"])))
    return rows


def _claim(service: str, person: str, outcome: str, period: str) -> dict[str, object]:
    return {"service": service, "person": person, "outcome": outcome, "period": period}


def main() -> None:
    """Write ``activity.csv`` and ``outcomes.csv``."""
    for path, rows, fields in (
        (ACTIVITY, activity(), ("service", "period", "activity", "count")),
        (OUTCOMES, outcomes(), ("service", "person", "outcome", "period")),
    ):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    main()
