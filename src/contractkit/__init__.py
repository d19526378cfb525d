"""contractkit: flexible, outcome-based contracts for England's integrated care systems.

Write a contract as YAML or as Python objects, load it, and be told exactly what is wrong::

    import contractkit
    contract = contractkit.load("examples/urgent-community-response/contract.yaml")
    print(contract.kpi_summary("ucr-2h"))
"""

import typing as _typing

from contractkit.errors import (
    ArgumentError,
    ContractKitError,
    MoneyError,
    NotFoundError,
    OutputError,
    PeriodError,
    Problem,
    RecordError,
    ReturnsError,
    SpecError,
    UnitError,
)
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
    FundLine,
    Group,
    Incentive,
    Indicator,
    Linear,
    Measure,
    Organisation,
    Outcome,
    OutcomePayments,
    OutcomeRate,
    Partner,
    PooledFund,
    Provider,
    ProviderType,
    Reporting,
    ReportingCount,
    RiskBasis,
    RiskShare,
    Service,
    ServicePayment,
    Stage,
    Staged,
    StageMode,
    SystemPlan,
    Term,
    Trajectory,
    Transfer,
    Withholding,
)
from contractkit.money import Money, allocate
from contractkit.periods import FinancialYear, Frequency, Month, Quarter, parse_period
from contractkit.spec import dump, json_schema, load
from contractkit.units import Quantity

__version__ = "0.1.0"

# The evaluator, the money engines and the numerics need numpy, polars and scipy, which take
# a second or more to import: they are imported when first used (``contractkit.evaluate``,
# ``contractkit.stats``, ...), so that loading and checking a contract starts at once.
_LATER = {
    "STATUSES": "contractkit.evaluation",
    "Evaluation": "contractkit.evaluation",
    "Explanation": "contractkit.results",
    "Result": "contractkit.results",
    "evaluate": "contractkit.evaluation",
    "Assessment": "contractkit.system_plans",
    "Reconciliation": "contractkit.pooled_funds",
    "Statement": "contractkit.payments",
    "assess": "contractkit.system_plans",
    "reconcile": "contractkit.pooled_funds",
    "statement": "contractkit.payments",
    "Returns": "contractkit.returns",
}

if _typing.TYPE_CHECKING:
    from contractkit import stats as stats
    from contractkit.evaluation import STATUSES, Evaluation, evaluate
    from contractkit.payments import Statement, statement
    from contractkit.pooled_funds import Reconciliation, reconcile
    from contractkit.results import Explanation, Result
    from contractkit.returns import Returns
    from contractkit.system_plans import Assessment, assess


def __getattr__(name: str) -> _typing.Any:
    """The names imported when first used (see ``_LATER``), and ``contractkit.stats``."""
    import importlib  # (here, so that it is no public name of the package)

    if name == "stats":
        return importlib.import_module("contractkit.stats")
    if name in _LATER:
        value = getattr(importlib.import_module(_LATER[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'contractkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "stats"})


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
    "FundLine",
    "Group",
    "Incentive",
    "Indicator",
    "Linear",
    "Measure",
    "Money",
    "MoneyError",
    "Month",
    "NotFoundError",
    "Organisation",
    "Outcome",
    "OutcomePayments",
    "OutcomeRate",
    "OutputError",
    "Partner",
    "PeriodError",
    "PooledFund",
    "Problem",
    "Provider",
    "ProviderType",
    "Quantity",
    "Quarter",
    "Reconciliation",
    "RecordError",
    "Reporting",
    "ReportingCount",
    "Result",
    "Returns",
    "ReturnsError",
    "RiskBasis",
    "RiskShare",
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
    "Transfer",
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
