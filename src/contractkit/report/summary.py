"""A contract summarised for a person: parties, services and their stages, KPIs in words."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import attrs

from contractkit.model import Contract, ProviderType, StageMode
from contractkit.model.english import long_date
from contractkit.report.money_terms import describe_finance

__all__ = ["ContractSummary", "ServiceLine", "summarise"]


@attrs.frozen
class ServiceLine:
    """One service: who provides it, when it commences, and its stages within the term."""

    id: str
    provider: str
    commences: date
    stages: tuple[str, ...]
    kpis: tuple[str, ...]


@attrs.frozen
class ContractSummary:
    """The parts of a contract a contract manager checks at a glance."""

    heading: str
    term: str
    commissioners: str
    providers_by_type: tuple[tuple[str, tuple[str, ...]], ...]
    services: tuple[ServiceLine, ...]
    kpis: tuple[tuple[str, str], ...]
    outcomes: tuple[str, ...]
    escalation: tuple[str, ...]
    flags: str
    finance: tuple[str, ...] = ()
    reporting: str = ""
    """How a failure to report counts towards escalation (the contract's ``reporting``)."""

    def lines(self) -> list[str]:
        """The summary as plain text lines."""
        out = [
            self.heading,
            f"  term: {self.term}",
            f"  commissioned by {self.commissioners}",
            f"  flags: {self.flags}",
            "",
        ]
        count = sum(len(names) for _, names in self.providers_by_type)
        out.append(f"Providers ({count})")
        for label, names in self.providers_by_type:
            out.append(f"  {label}: {'; '.join(names)}")
        out += ["", f"Services ({len(self.services)})"]
        for service in self.services:
            out.append(
                f"  {service.id} ({service.provider}), commences "
                f"{long_date(service.commences)}; KPIs: {', '.join(service.kpis)}"
            )
            out.extend(f"    {stage}" for stage in service.stages)
        out += ["", f"KPIs ({len(self.kpis)})"]
        out.extend(f"  {kpi_id}: {text}" for kpi_id, text in self.kpis)
        if self.outcomes:
            out += ["", f"Outcomes ({len(self.outcomes)})"]
            out.extend(f"  {text}" for text in self.outcomes)
        if self.escalation:
            out += ["", "Escalation"]
            out.extend(f"  {text}" for text in self.escalation)
            if self.reporting:
                out.append(f"  {self.reporting}")
        if self.finance:
            out += ["", "Finance"]
            out.extend(f"  {text}" for text in self.finance)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _stage_lines(contract: Contract, service_id: str) -> tuple[str, ...]:
    term = contract.term
    after_term = term.end + timedelta(days=1)
    lines = []
    spans = contract.schedule(service_id)
    for span in spans:
        end = span.end or after_term
        if end <= term.start or span.start > term.end:
            continue
        start = max(span.start, term.start)
        last = min(end, after_term) - timedelta(days=1)
        mode = " (shadow: reported, never flagged)" if span.stage.mode is StageMode.SHADOW else ""
        if start == term.start and last == term.end:
            lines.append(f"{span.stage.stage}{mode} throughout the term")
        elif span.end is None or last == term.end:
            lines.append(f"{span.stage.stage}{mode} from {long_date(start)}")
        else:
            lines.append(f"{span.stage.stage}{mode} {long_date(start)} to {long_date(last)}")
    return tuple(lines)


def summarise(contract: Contract) -> ContractSummary:
    """A summary of a contract, for the CLI's ``validate`` and for notebooks."""
    by_type: dict[ProviderType, list[str]] = defaultdict(list)
    for provider in contract.providers:
        by_type[provider.type].append(f"{provider.name} ({provider.id})")
    kpi_text = []
    for kpi in contract.kpis:
        text = contract.kpi_summary(kpi)
        kpi_text.append((kpi.id, f"{text} [{kpi.clause}]" if kpi.clause else text))
    outcomes = tuple(f"{o.name}: {', '.join(o.kpis)}" for o in contract.outcomes)
    return ContractSummary(
        heading=f"{contract.id}: {contract.title}",
        term=f"{long_date(contract.term.start)} to {long_date(contract.term.end)}",
        commissioners="; ".join(f"{c.name} ({c.id})" for c in contract.commissioners),
        providers_by_type=tuple((t.label, tuple(by_type[t])) for t in ProviderType if t in by_type),
        services=tuple(
            ServiceLine(
                id=s.id,
                provider=f"{contract.provider(s.provider).name}, {s.provider}",
                commences=s.commences,
                stages=_stage_lines(contract, s.id),
                kpis=s.kpis,
            )
            for s in contract.services
        ),
        kpis=tuple(kpi_text),
        outcomes=outcomes,
        escalation=tuple(rule.describe() for rule in contract.escalation),
        reporting=contract.reporting.describe(),
        finance=tuple(describe_finance(contract.finance)) if contract.finance else (),
        flags=f"warning at p < {contract.flags.warning}, alarm at p < {contract.flags.alarm} "
        "(one-sided, the same for every provider)",
    )
