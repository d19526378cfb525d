"""The contract as typed, immutable objects: the Python face of the contract format."""

from contractkit.model.contract import Contract
from contractkit.model.earning import Band, Bands, Linear
from contractkit.model.embedding import Stage, StageMode, StageSpan
from contractkit.model.escalation import EscalationRule, Flags
from contractkit.model.kpi import KPI, Combine, Direction, Measure
from contractkit.model.payment_terms import (
    Consequence,
    Currency,
    Finance,
    Incentive,
    Indicator,
    OutcomePayments,
    OutcomeRate,
    ServicePayment,
    Withholding,
)
from contractkit.model.pooled_fund import FundLine, Partner, PooledFund, RiskBasis, RiskShare
from contractkit.model.provider import Commissioner, Provider, ProviderType
from contractkit.model.reporting import Reporting, ReportingCount
from contractkit.model.service import Outcome, Service
from contractkit.model.system_plan import Group, Organisation, SystemPlan, Transfer
from contractkit.model.term import Term
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
    "Band",
    "Bands",
    "Combine",
    "Commissioner",
    "Consequence",
    "Contract",
    "Currency",
    "Dated",
    "Direction",
    "EscalationRule",
    "Finance",
    "Flags",
    "FloorOrImprovement",
    "FundLine",
    "Group",
    "Incentive",
    "Indicator",
    "Linear",
    "Measure",
    "Organisation",
    "Outcome",
    "OutcomePayments",
    "OutcomeRate",
    "Partner",
    "PooledFund",
    "Provider",
    "ProviderType",
    "Reporting",
    "ReportingCount",
    "RiskBasis",
    "RiskShare",
    "Rule",
    "Service",
    "ServicePayment",
    "Stage",
    "StageMode",
    "StageSpan",
    "Staged",
    "SystemPlan",
    "Term",
    "Threshold",
    "Trajectory",
    "Transfer",
    "Withholding",
]
