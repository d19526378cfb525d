"""contractkit: flexible, outcome-based contracts for England's integrated care systems.

Write a contract as YAML or as Python objects, load it, and be told exactly what is wrong::

    import contractkit
    contract = contractkit.load("examples/urgent-community-response/contract.yaml")
    print(contract.kpi_summary("ucr-2h"))
"""

from contractkit import stats as stats  # the public numerics, as contractkit.stats
from contractkit.errors import (
    ArgumentError,
    ContractKitError,
    MoneyError,
    PeriodError,
    Problem,
    ReturnsError,
    SpecError,
    UnitError,
)
from contractkit.evaluation import STATUSES, Evaluation, Explanation, evaluate
from contractkit.finance import Assessment, Reconciliation, Statement, assess, reconcile, statement
from contractkit.model import (
    KPI,
    Absolute,
    Band,
    Bands,
    Combine,
    Commissioner,
    Consequence,
    Contract,
    Currency,
    Dated,
    Direction,
    EscalationRule,
    Finance,
    Flags,
    FloorOrImprovement,
    Incentive,
    Indicator,
    Linear,
    Measure,
    Outcome,
    OutcomePayments,
    OutcomeRate,
    PooledFund,
    Provider,
    ProviderType,
    Service,
    ServicePayment,
    Stage,
    Staged,
    StageMode,
    SystemPlan,
    Term,
    Trajectory,
    Withholding,
)
from contractkit.money import Money, allocate
from contractkit.periods import FinancialYear, Frequency, Month, Quarter, parse_period
from contractkit.returns import Returns
from contractkit.spec import dump, json_schema, load
from contractkit.units import Quantity

__version__ = "0.1.0"

__all__ = [
    "KPI",
    "STATUSES",
    "Absolute",
    "ArgumentError",
    "Assessment",
    "Band",
    "Bands",
    "Combine",
    "Commissioner",
    "Consequence",
    "Contract",
    "ContractKitError",
    "Currency",
    "Dated",
    "Direction",
    "EscalationRule",
    "Evaluation",
    "Explanation",
    "Finance",
    "FinancialYear",
    "Flags",
    "FloorOrImprovement",
    "Frequency",
    "Incentive",
    "Indicator",
    "Linear",
    "Measure",
    "Money",
    "MoneyError",
    "Month",
    "Outcome",
    "OutcomePayments",
    "OutcomeRate",
    "PeriodError",
    "PooledFund",
    "Problem",
    "Provider",
    "ProviderType",
    "Quantity",
    "Quarter",
    "Reconciliation",
    "Returns",
    "ReturnsError",
    "Service",
    "ServicePayment",
    "SpecError",
    "Stage",
    "StageMode",
    "Staged",
    "Statement",
    "SystemPlan",
    "Term",
    "Trajectory",
    "UnitError",
    "Withholding",
    "__version__",
    "allocate",
    "assess",
    "dump",
    "evaluate",
    "json_schema",
    "load",
    "parse_period",
    "reconcile",
    "statement",
]
