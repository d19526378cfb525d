"""Write spend.csv: nine months of spend returns (April to December 2026) for the example fund.

The story: by the end of December, reablement (commissioned by the council) is running about
£300,000 over its budget for the year, while community health services and carers' support are
forecast to come in £250,000 and £50,000 under. The fund as a whole is on budget, so a single
pooled total would show nothing wrong; the reconciliation shows the line that is over, and that
it is the other lines' underspends that meet it. Discharge to assess gives no forecast (it is
taken to be on budget), and the Disabled Facilities Grant is spent in lumps.

Run from the repository's folder: python examples/better-care-fund/make_spend.py
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
MONTHS = [
    "2026-04",
    "2026-05",
    "2026-06",
    "2026-07",
    "2026-08",
    "2026-09",
    "2026-10",
    "2026-11",
    "2026-12",
]

# Monthly spend in pounds, as the finance returns give it (with pence), as text: exact.
SPEND = {
    "community-health": [
        "1012345.67",
        "1009876.54",
        "1015432.10",
        "1011111.11",
        "1008642.00",
        "1013579.25",
        "1009753.09",
        "1012468.35",
        "1010987.65",
    ],
    "reablement": [
        "538000.00",
        "541250.50",
        "539875.25",
        "544210.80",
        "542990.15",
        "545500.00",
        "547125.60",
        "549980.40",
        "551300.00",
    ],
    "carers": [
        "104500.00",
        "105125.75",
        "103980.40",
        "104610.00",
        "105000.00",
        "104200.25",
        "104875.00",
        "104330.60",
        "104700.00",
    ],
    "discharge": [
        "312000.00",
        "311450.25",
        "312875.00",
        "313210.40",
        "312640.00",
        "311990.75",
        "312300.00",
        "446250.00",
        "447100.50",
    ],
    "dfg": [
        "0.00",
        "0.00",
        "1250000.00",
        "0.00",
        "0.00",
        "1180000.00",
        "0.00",
        "0.00",
        "1325000.00",
    ],
}
# Each line's forecast outturn for the year, given with the December return.
FORECAST = {
    "community-health": Decimal("12150000.00"),
    "reablement": Decimal("6500000.00"),
    "carers": Decimal("1250000.00"),
    "dfg": Decimal("4800000.00"),
}


def main() -> None:
    with (HERE / "spend.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "period", "amount", "forecast"])
        for line, amounts in SPEND.items():
            for month, amount in zip(MONTHS, amounts, strict=True):
                forecast = FORECAST.get(line) if month == MONTHS[-1] else None
                given = "" if forecast is None else str(forecast)
                writer.writerow([line, month, amount, given])


if __name__ == "__main__":
    main()
