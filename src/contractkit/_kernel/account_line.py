"""The one line that accounts for an input table's rows, as every view writes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["account_line"]


def account_line(account: Mapping[str, Any]) -> str:
    """How many rows were read, and how many of them were accepted, rejected and excluded.

    >>> account_line({"read": 1, "accepted": 1, "rejected": 0, "excluded": 0})
    '1 row read: 1 accepted, 0 rejected, 0 excluded'
    >>> account_line({"read": 2050, "accepted": 200, "rejected": 1850, "excluded": 0})
    '2,050 rows read: 200 accepted, 1,850 rejected, 0 excluded'
    """
    read = account["read"]
    return (
        f"{read:,} {'row' if read == 1 else 'rows'} read: {account['accepted']:,} accepted, "
        f"{account['rejected']:,} rejected, {account['excluded']:,} excluded"
    )
