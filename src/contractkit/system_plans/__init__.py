"""System plans assessed against outturn: each organisation against its control total, each group
against its combined total, and the system, with no organisation's variance hidden in a combined
total.

The plan itself (its organisations, groups, control totals and transfers) is
:class:`contractkit.SystemPlan`, read from a ``kind: system_plan`` file by
:func:`contractkit.load`.
"""

from contractkit._kernel.public import publish
from contractkit.system_plans._assess import OUTTURN_REASONS, PLAN_FINDINGS, Assessment, assess

__all__ = ["OUTTURN_REASONS", "PLAN_FINDINGS", "Assessment", "assess"]

publish(__name__, __all__, globals())
