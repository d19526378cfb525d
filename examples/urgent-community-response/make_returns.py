"""Write ``returns.csv`` for the urgent community response example: illustrative returns.

The figures are invented, but shaped like real returns: monthly urgent community response
(UCR) two-hour figures, mean times to first contact and never events for the two UCR services,
and quarterly falls admissions with the caseload for the two falls services, from April 2026
(or each service's commencement) to December 2027. Run it from anywhere; it rewrites
``returns.csv`` beside it, the same every time (the random numbers are seeded):

    .venv/bin/python examples/urgent-community-response/make_returns.py

The story the returns tell (see README.md beside this script):

- ucr-north, a social enterprise's new service, commences on 1 July 2026. Its first quarter is
  mobilisation, in shadow: the service is still recruiting and reaches under half of its
  urgent referrals within two hours, which would be flagged if it counted, but it does not.
  While embedding it is judged against 60% and meets it; once established (from 2027/28 Q2)
  against 70%, where a quarter a little under 70% from about 150 referrals is within expected
  variation, not a flag. It missed one monthly first-contact return (February 2027).
- ucr-south, a trust's long-running service, is established throughout. It reports one never
  event (November 2026), an alarm on its own. From January 2027 its two-hour performance falls
  below 70% by more than chance for three quarters running: a Contract Performance Notice at
  the second, a Remedial Action Plan at the third. It recovers in 2027/28 Q3, but the plan stays
  in force while three of the last four quarters are flagged.
- falls-east (an independent-sector provider) and falls-befriending (a small VCSE) commence on
  1 October 2026. The falls KPI's threshold names only the established stage, so both are
  monitored only (with a would-be status) until 2027/28 Q3, their first assessed quarter.

Only the standard library, numpy and the contract's own ids are used.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RETURNS = HERE / "returns.csv"
SEED = 20260401

FIELDS = ("service", "kpi", "period", "numerator", "denominator", "value", "count", "sd")

MONTHS = [f"{year}-{month:02d}" for year in (2026, 2027) for month in range(1, 13)][3:]
"""April 2026 to December 2027."""

# --- the urgent community response services, month by month ---------------------------------

# ucr-north: a new service, commencing July 2026, with a few dozen urgent referrals a month.
NORTH_REFERRALS = [20, 26, 31, 35, 38, 44, 47, 45, 41, 43, 46, 48, 50, 52, 49, 55, 57, 60]
NORTH_TWO_HOURS = [
    share
    for quarter in (
        (0.40, 0.45, 0.48),  # mobilisation (shadow), 2026/27 Q2: still recruiting
        (0.63, 0.65, 0.66),  # embedding, 2026/27 Q3
        (0.64, 0.66, 0.67),  # embedding, 2026/27 Q4
        (0.68, 0.69, 0.70),  # embedding, 2027/28 Q1
        (0.68, 0.68, 0.69),  # established, 2027/28 Q2: a little under 70%
        (0.73, 0.74, 0.75),  # established, 2027/28 Q3
    )
    for share in quarter
]
"""The true chance of reaching an urgent referral within two hours, month by month."""
NORTH_MINUTES = [104, 98, 95, 88, 86, 84, 83, 82, 80, 79, 78, 78, 77, 76, 76, 75, 74, 74]
NORTH_MISSING = {("first-contact", "2027-02")}
"""The one monthly return ucr-north did not make."""

# ucr-south: an established trust service, with 400 to 600 urgent referrals a month.
SOUTH_REFERRALS = [
    452, 468, 441, 430, 459, 487, 512, 538, 571,  # 2026-04 to 2026-12
    590, 562, 549, 503, 488, 476, 462, 470, 495,  # 2027-01 to 2027-09
    521, 547, 583,  # 2027-10 to 2027-12
]  # fmt: skip
SOUTH_TWO_HOURS = [
    share
    for quarter in (
        (0.745, 0.745, 0.745),  # 2026/27 Q1: comfortably above 70%
        (0.745, 0.745, 0.745),  # 2026/27 Q2
        (0.745, 0.745, 0.745),  # 2026/27 Q3
        (0.675, 0.665, 0.670),  # 2026/27 Q4: a winter slip below 70%
        (0.655, 0.650, 0.660),  # 2027/28 Q1: still below
        (0.665, 0.670, 0.670),  # 2027/28 Q2: still below
        (0.715, 0.720, 0.725),  # 2027/28 Q3: recovered under the remedial action plan
    )
    for share in quarter
]
SOUTH_MINUTES = [72] * 9 + [80, 82, 81, 83, 84, 83, 82, 81, 80] + [76, 75, 74]
SOUTH_NEVER_EVENT = "2026-11"

MINUTES_SD = 45.0
"""The spread of individual times to first contact, in minutes."""

# --- the falls services, quarter by quarter --------------------------------------------------

QUARTERS = ["2026/27 Q3", "2026/27 Q4", "2027/28 Q1", "2027/28 Q2", "2027/28 Q3"]
"""From the falls services' commencement (1 October 2026) to December 2027."""
FALLS = {
    # service: (caseload each quarter, true admissions after a fall per 1,000 people a quarter)
    "falls-east": ([640, 760, 805, 820, 830], [13.5, 12.0, 10.5, 9.5, 8.5]),
    "falls-befriending": ([95, 125, 140, 150, 155], [13.0, 12.0, 11.0, 10.0, 9.5]),
}


def _row(service: str, kpi: str, period: str, **fields: object) -> dict[str, object]:
    return {"service": service, "kpi": kpi, "period": period, **fields}


def _mean_row(
    rng: np.random.Generator, service: str, period: str, minutes: float, count: int
) -> dict[str, object]:
    """A month's mean time to first contact, with its count and standard deviation."""
    mean = rng.normal(minutes, MINUTES_SD / np.sqrt(count))
    sd = rng.normal(MINUTES_SD, MINUTES_SD * 0.08)
    return _row(
        service,
        "first-contact",
        period,
        value=f"{mean:.1f}",
        count=count,
        sd=f"{sd:.1f}",
    )


def ucr_rows(
    rng: np.random.Generator,
    service: str,
    months: list[str],
    referrals: list[int],
    two_hours: list[float],
    minutes: list[float],
    missing: set[tuple[str, str]],
    never_event: str | None,
) -> list[dict[str, object]]:
    """A UCR service's monthly returns: the two-hour proportion, the mean time to first
    contact and never events."""
    rows: list[dict[str, object]] = []
    for period, n, p, mean in zip(months, referrals, two_hours, minutes, strict=True):
        reached = int(rng.binomial(n, p))
        if ("ucr-2h", period) not in missing:
            rows.append(_row(service, "ucr-2h", period, numerator=reached, denominator=n))
        # Everyone referred is contacted; the mean covers all of this month's urgent referrals.
        if ("first-contact", period) not in missing:
            rows.append(_mean_row(rng, service, period, mean, n))
        if ("never-events", period) not in missing:
            rows.append(_row(service, "never-events", period, numerator=int(period == never_event)))
    return rows


def falls_rows(rng: np.random.Generator) -> list[dict[str, object]]:
    """The falls services' quarterly returns: admissions after a fall over the caseload."""
    rows: list[dict[str, object]] = []
    for service, (caseloads, rates) in FALLS.items():
        for period, caseload, rate in zip(QUARTERS, caseloads, rates, strict=True):
            events = int(rng.poisson(rate * caseload / 1000))
            rows.append(
                _row(
                    service,
                    "falls-admissions",
                    period,
                    numerator=events,
                    denominator=caseload,
                )
            )
    return rows


def returns() -> list[dict[str, object]]:
    """Every row of the example's returns, in the order a commissioner might receive them."""
    rng = np.random.default_rng(SEED)
    north_months = MONTHS[MONTHS.index("2026-07") :]
    rows = ucr_rows(
        rng,
        "ucr-north",
        north_months,
        NORTH_REFERRALS,
        NORTH_TWO_HOURS,
        NORTH_MINUTES,
        NORTH_MISSING,
        None,
    )
    rows += ucr_rows(
        rng,
        "ucr-south",
        MONTHS,
        SOUTH_REFERRALS,
        SOUTH_TWO_HOURS,
        SOUTH_MINUTES,
        set(),
        SOUTH_NEVER_EVENT,
    )
    rows += falls_rows(rng)
    return rows


def main() -> None:
    """Write ``returns.csv``."""
    with RETURNS.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(returns())


if __name__ == "__main__":
    main()
