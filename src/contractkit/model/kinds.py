"""The kinds of spec a file can hold (chosen by its top-level ``kind:`` key), and each kind in
words: what a value given where a spec is wanted is, and the error that says what to give
instead (an :class:`~contractkit.errors.ArgumentError`)."""

from __future__ import annotations

from os import PathLike
from typing import Any

from pydantic import BaseModel

from contractkit.errors import ArgumentError
from contractkit.model.contract import Contract
from contractkit.model.pooled_fund import PooledFund
from contractkit.model.system_plan import SystemPlan

__all__ = ["DEFAULT_KIND", "KINDS", "described", "is_funds", "refuse"]

DEFAULT_KIND = "contract"

KINDS: dict[str, type[BaseModel]] = {
    "contract": Contract,
    "pooled_fund": PooledFund,
    "system_plan": SystemPlan,
}
"""Each kind of spec and the model it loads into."""

_KINDS = {Contract: "a contract", PooledFund: "a pooled fund", SystemPlan: "a system plan"}
_WHERE = {
    Contract: "give the contract to contractkit.statement to see what it pays",
    PooledFund: "give the fund to contractkit.reconcile",
    SystemPlan: "give the plan to contractkit.assess",
}


def described(value: object) -> str:
    """What a value is, in words: a spec by its kind and id, a path, or its type."""
    for kind, words in _KINDS.items():
        if isinstance(value, kind):
            return f"{words} ({getattr(value, 'id', '?')})"
    if isinstance(value, str | PathLike):
        text = str(value)
        shown = text if len(text) <= 60 else f"{text[:40]}…"
        return f"the path or text {shown!r}"
    if isinstance(value, list | tuple) and value:
        odd = next((v for v in value if not isinstance(v, PooledFund)), value[0])
        return f"a list holding {described(odd)}"
    if isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def refuse(value: object, does: str, wanted: str) -> ArgumentError:
    """The error for a function (``does``: what it does) given ``value`` where a spec of the
    kind ``wanted`` names is wanted: what it was given, and where that would go instead."""
    odd = value
    if isinstance(value, list | tuple):
        odd = next((v for v in value if not isinstance(v, PooledFund)), None)
    hint = next((h for kind, h in _WHERE.items() if isinstance(odd, kind)), "")
    load = f"load the {wanted}'s file with contractkit.load"
    return ArgumentError(
        f"{does}, but was given {described(value)}: {load}" + (f", and {hint}" if hint else "")
    )


def is_funds(value: Any) -> bool:
    """A pooled fund, or a list (or tuple) of them."""
    if isinstance(value, PooledFund):
        return True
    return isinstance(value, list | tuple) and all(isinstance(v, PooledFund) for v in value)
