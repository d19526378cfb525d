"""Identifier types shared by the spec models, with messages a contract manager can act on."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    WrapSerializer,
)

from contractkit.errors import MoneyError
from contractkit.money import Money
from contractkit.periods import FinancialYear, Month, Quarter, parse_period

__all__ = [
    "Amount",
    "AnyPeriod",
    "FrozenMap",
    "Id",
    "OdsCode",
    "PeriodMap",
    "StepName",
    "empty_map",
    "money_or_none",
]

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ODS_RE = re.compile(r"^[A-Z0-9]{3,10}$")
_STEP_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_id(value: str) -> str:
    if not _ID_RE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a usable id: use letters, digits, '-', '_' and '.', "
            "starting with a letter or digit (for example 'ucr-2h')"
        )
    return value


def _check_ods(value: str) -> str:
    if not _ODS_RE.fullmatch(value):
        hint = f"; did you mean {value.upper()!r}?" if _ODS_RE.fullmatch(value.upper()) else ""
        raise ValueError(
            f"{value!r} is not an ODS code: 3 to 10 capital letters and digits, "
            f"such as 'RQX' or 'NLO01'{hint}"
        )
    return value


def _check_step(value: str) -> str:
    if not _STEP_RE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a step name: use lower-case words joined by '_', "
            "such as 'remedial_action_plan'"
        )
    return value


Id = Annotated[
    str,
    AfterValidator(_check_id),
    WithJsonSchema({"type": "string", "pattern": _ID_RE.pattern}),
]
"""An identifier for a KPI, service, outcome or contract: letters, digits, '-', '_' and '.'."""

OdsCode = Annotated[
    str,
    AfterValidator(_check_ods),
    WithJsonSchema({"type": "string", "pattern": _ODS_RE.pattern}),
]
"""An Organisation Data Service code, such as ``RQX`` (a trust) or ``NLO01``."""

StepName = Annotated[
    str,
    AfterValidator(_check_step),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _STEP_RE.pattern,
            "examples": [
                "contract_performance_notice",
                "contract_management_meeting",
                "remedial_action_plan",
                "exception_notice",
            ],
        }
    ),
]
"""A step of the contract-management process, in the contract's words."""


def _period(value: Any) -> Any:
    return parse_period(value)


AnyPeriod = Annotated[
    Month | Quarter | FinancialYear,
    BeforeValidator(_period),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "A month (2026-07), a quarter (2026/27 Q2) or a financial year "
            "(2026/27).",
        }
    ),
]
"""A month, quarter or financial year, in its text form."""

K = TypeVar("K")
V = TypeVar("V")


def _freeze(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(value))


def _thaw(value: Mapping[Any, Any], handler: SerializerFunctionWrapHandler) -> Any:
    return handler(dict(value))


FrozenMap = Annotated[Mapping[K, V], AfterValidator(_freeze), WrapSerializer(_thaw)]


def _distinct_periods(value: Any) -> Any:
    """Refuse two keys that name one period ('2026/27 Q3' and '2026/27 q3'): one value would
    silently be lost."""
    if isinstance(value, Mapping):
        seen: dict[Any, Any] = {}
        for key in value:
            try:
                period = parse_period(key)
            except ValueError:
                continue  # reported by the key's own validation
            if period in seen:
                raise ValueError(f"{key!r} and {seen[period]!r} name the same period, {period}")
            seen[period] = key
    return value


PeriodMap = Annotated[
    Mapping[K, V],
    BeforeValidator(_distinct_periods),
    AfterValidator(_freeze),
    WrapSerializer(_thaw),
]
"""A read-only mapping keyed by periods, each period given once."""
"""A read-only mapping inside an immutable model."""


def empty_map() -> Mapping[Any, Any]:
    """The default for a FrozenMap field: an empty, read-only mapping."""
    return MappingProxyType({})


def money_or_none(value: object) -> Money | None:
    """An amount as a spec file gives it, or None where it does not read (that problem is
    reported where the value is validated; checks across sections then leave it out)."""
    try:
        return Money.of(value)
    except MoneyError:
        return None


def _not_negative(value: Money) -> Money:
    if value < 0:
        raise ValueError(f"{value} is negative: write the amount as a positive figure")
    return value


Amount = Annotated[Money, AfterValidator(_not_negative)]
"""An amount of money that cannot be negative: a contribution, a budget, a cap, a tolerance."""
