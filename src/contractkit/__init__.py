"""contractkit: flexible, outcome-based contracts for England's integrated care systems.

Write a contract as YAML or as Python objects, load it, and be told exactly what is wrong::

    import contractkit
    contract = contractkit.load("examples/urgent-community-response/contract.yaml")
    print(contract.kpi_summary("ucr-2h"))
"""

from contractkit import stats as stats  # the public numerics, as contractkit.stats
from contractkit.errors import (
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
    Combine,
    Commissioner,
    Contract,
    Dated,
    Direction,
    EscalationRule,
    Flags,
    FloorOrImprovement,
    Measure,
    Outcome,
    PooledFund,
    Provider,
    ProviderType,
    Service,
    Stage,
    Staged,
    StageMode,
    SystemPlan,
    Term,
    Trajectory,
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
    "Assessment",
    "Combine",
    "Commissioner",
    "Contract",
    "ContractKitError",
    "Dated",
    "Direction",
    "EscalationRule",
    "Evaluation",
    "Explanation",
    "FinancialYear",
    "Flags",
    "FloorOrImprovement",
    "Frequency",
    "Measure",
    "Money",
    "MoneyError",
    "Month",
    "Outcome",
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
    "SpecError",
    "Stage",
    "StageMode",
    "Staged",
    "Statement",
    "SystemPlan",
    "Term",
    "Trajectory",
    "UnitError",
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
