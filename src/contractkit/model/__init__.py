"""The contract as typed, immutable objects: the Python face of the contract format."""

from contractkit.model.contract import Contract, Term
from contractkit.model.embedding import Stage, StageMode, StageSpan
from contractkit.model.escalation import EscalationRule, Flags
from contractkit.model.kpi import KPI, Combine, Direction, Measure
from contractkit.model.pooled_fund import FundLine, Partner, PooledFund, RiskBasis, RiskShare
from contractkit.model.provider import Commissioner, Provider, ProviderType
from contractkit.model.service import Outcome, Service
from contractkit.model.system_plan import Group, Organisation, SystemPlan, Transfer
from contractkit.model.threshold import (
    Absolute,
    Dated,
    FloorOrImprovement,
    Rule,
    Staged,
    Threshold,
    Trajectory,
)

__all__ = [
    "KPI",
    "Absolute",
    "Combine",
    "Commissioner",
    "Contract",
    "Dated",
    "Direction",
    "EscalationRule",
    "Flags",
    "FloorOrImprovement",
    "FundLine",
    "Group",
    "Measure",
    "Organisation",
    "Outcome",
    "Partner",
    "PooledFund",
    "Provider",
    "ProviderType",
    "RiskBasis",
    "RiskShare",
    "Rule",
    "Service",
    "Stage",
    "StageMode",
    "StageSpan",
    "Staged",
    "SystemPlan",
    "Term",
    "Threshold",
    "Trajectory",
    "Transfer",
]
