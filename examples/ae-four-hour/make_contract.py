"""Write ``contract.yaml`` for the A&E four-hour example from the real returns beside it.

One system-wide contract holds every provider with a type 1 (major, consultant-led) A&E
department to the four-hour standard. Run it from anywhere; it rewrites ``contract.yaml``:

    .venv/bin/python examples/ae-four-hour/make_contract.py

Only the standard library and contractkit are used.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import contractkit
from contractkit import (
    KPI,
    Commissioner,
    Contract,
    EscalationRule,
    Provider,
    Service,
    Term,
)

HERE = Path(__file__).resolve().parent
DATA = HERE / "ae_attendances.csv"
CONTRACT = HERE / "contract.yaml"

TERM = Term(start=date(2016, 4, 1), end=date(2019, 3, 31))
ALREADY_RUNNING = date(2015, 4, 1)
"""The commencement date given to every service already running when the term began."""

FORMED = {"R0A": date(2017, 10, 1)}
"""Providers formed during the term, and when: R0A (Manchester University NHS Foundation Trust)
was formed on 1 October 2017 by the merger of RW3 and RM2; its first return is for October 2017.
Its service commences then, so the quarters before are not due rather than not reported."""

HEADER = """\
# yaml-language-server: $schema=../../schema/contract.schema.json
# The A&E four-hour standard, England, April 2016 to March 2019: every provider with a type 1
# (major, consultant-led) A&E department, held to the same standard by one system-wide contract.
# Generated from ae_attendances.csv by make_contract.py: edit that script, not this file.
"""

PROVIDERS_NOTE = """\
# Provider types are NOT in the returns. They are assigned here by the ODS code, for
# illustration only: codes starting R are NHS trusts, N independent-sector providers, and any
# other code primary care (every type 1 provider here has an R code). NHS trusts and NHS
# foundation trusts are not told apart. The verdicts never read a provider's type: it is kept
# for reporting and the fairness audit only.
"""

SERVICES_NOTE = """\
# One service per provider: its type 1 A&E department(s). Every service was already running
# when the term began, and is established throughout (there is no embedding section), except
# R0A's, which commences when that trust was formed. The format has no end date for a
# service: the quarters after a trust merged into another show as not reported.
"""

ESCALATION_NOTE = """\
# Applied to each service alike: how many flagged quarters, within how many of the most recent,
# trigger each step of the contract-management process (General Condition 9).
"""


def provider_type(code: str) -> str:
    """The illustrative type for an ODS code: R… NHS trust, N… independent sector, others
    primary care. Never read by the verdicts."""
    if code.startswith("R"):
        return "nhs_trust"
    if code.startswith("N"):
        return "independent_sector"
    return "primary_care"


def type1_providers(data: Path = DATA) -> list[str]:
    """The ODS codes of the providers with type 1 departments, in order."""
    with data.open(newline="", encoding="utf-8") as handle:
        return sorted({row["org_code"] for row in csv.DictReader(handle) if row["type"] == "1"})


def build_contract(data: Path = DATA) -> Contract:
    """The contract, as Python objects."""
    codes = type1_providers(data)
    kpi = KPI(
        id="ae-4h",
        name="A&E attendances admitted, transferred or discharged within four hours",
        measure="proportion",
        numerator="Attendances admitted, transferred or discharged within four hours",
        denominator="Attendances at type 1 departments",
        better="higher",
        reported="monthly",
        assessed="quarterly",
        threshold="95%",
        clause="NHS Constitution / Schedule 4A Operational Standards",
    )
    return Contract(
        id="ENG-AE-4H-2016",
        title="A&E four-hour standard: type 1 departments, England",
        commissioners=[Commissioner(id="X24", name="NHS England")],
        term=TERM,
        providers=[
            Provider(id=code, name=f"Provider {code}", type=provider_type(code)) for code in codes
        ],
        kpis=[kpi],
        services=[
            Service(
                id=f"ae-{code}",
                provider=code,
                commences=FORMED.get(code, ALREADY_RUNNING),
                kpis=[kpi.id],
            )
            for code in codes
        ],
        escalation=[
            EscalationRule(step="contract_performance_notice", flagged=2, within=2),
            EscalationRule(step="contract_performance_notice", alarms=1, within=1),
            EscalationRule(step="remedial_action_plan", flagged=3, within=4),
            EscalationRule(step="exception_notice", flagged=4, within=4),
        ],
    )


def contract_text(data: Path = DATA) -> str:
    """The contract as the YAML file this script writes: a heading, then the contract, with a
    note before the providers, the services and the escalation rules."""
    text = contractkit.dump(build_contract(data))
    for key, note in (
        ("providers", PROVIDERS_NOTE),
        ("services", SERVICES_NOTE),
        ("escalation", ESCALATION_NOTE),
    ):
        marker = f"\n{key}:\n"
        assert text.count(marker) == 1, key
        text = text.replace(marker, f"\n{note}{key}:\n")
    return HEADER + text


def main() -> None:
    CONTRACT.write_text(contract_text(), encoding="utf-8")
    print(f"wrote {CONTRACT}")


if __name__ == "__main__":
    main()
