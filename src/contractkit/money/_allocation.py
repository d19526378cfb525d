"""Splitting a total to the penny: :func:`allocate` by weights (largest remainder, no penny lost
or invented), and :func:`split_pence` over whole columns."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, overload

from contractkit._kernel.pence_text import MINUS as MINUS  # money is written with it
from contractkit.errors import MoneyError

if TYPE_CHECKING:  # numpy and polars are imported by the column functions that use them
    pass

from contractkit.money._amount import RATE_LIMIT, Key, Money, brief, exact_rate


@overload
def allocate(total: Money, weights: Mapping[Key, object]) -> dict[Key, Money]: ...
@overload
def allocate(total: Money, weights: Sequence[object]) -> list[Money]: ...
def allocate(
    total: Money, weights: Mapping[Key, object] | Sequence[object]
) -> dict[Key, Money] | list[Money]:
    """Split ``total`` in proportion to ``weights``, exactly: the parts always add up to the
    total, and each is within a penny of its exact share.

    Each part first gets its exact share rounded down to the penny; the pennies left over go
    one each to the parts with the largest remainders (the largest-remainder rule). Where two
    remainders are equal, the larger weight wins, and then — for equal weights — the one
    listed first (for a mapping, the key that sorts first, so that a mapping's order never
    matters). Weights are non-negative numbers (whole numbers, Decimals, Fractions, text, or
    Money — to split in proportion to amounts); at least one must be positive. A negative
    total is split as its opposite and negated.

        >>> from decimal import Decimal
        >>> [str(p) for p in allocate(Money("10.00"), [Decimal("0.5"), 1, 1])]
        ['£2.00', '£4.00', '£4.00']
        >>> {k: str(v) for k, v in allocate(Money("0.05"), {"icb": 1, "council": 1}).items()}
        {'icb': '£0.02', 'council': '£0.03'}
    """
    if not isinstance(total, Money):
        raise MoneyError(f"the total to allocate must be Money, got {total!r}", got=total)
    if isinstance(weights, Mapping):
        keys = list(weights)
        values = [_weight(weights[k], k) for k in keys]
        rank = {k: i for i, k in enumerate(sorted(keys, key=_sort_key))}
        position = [rank[k] for k in keys]
        parts = _split(total, values, position)
        return dict(zip(keys, parts, strict=True))
    if isinstance(weights, str | bytes) or not isinstance(weights, Iterable):
        raise MoneyError("weights must be a list of numbers or a mapping", got=weights)
    values = [_weight(w, i) for i, w in enumerate(weights)]
    return _split(total, values, list(range(len(values))))


def _sort_key(key: object) -> tuple[str, str]:
    return (type(key).__name__, str(key))


def exact_weight(value: object) -> int | Fraction:
    """A weight as :func:`allocate` reads it, exactly (a whole number stays one), or a
    :class:`MoneyError` saying why it cannot be one: negative, a float, not a number, or beyond
    the bounds of :data:`RATE_DIGITS`. For checking weights before they are used."""
    return _weight(value, None)


def _weight(value: object, where: object) -> int | Fraction:
    """A weight, exactly: a whole number stays one (the common case, and the fast one)."""
    if isinstance(value, Money):
        weight: int | Fraction = value.pence
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) <= RATE_LIMIT:
        weight = value
    elif isinstance(value, float):
        exact = Fraction(value).limit_denominator(10**6) if math.isfinite(value) else None
        written = repr(value)
        fraction = (
            f"Fraction({exact.numerator}, {exact.denominator})" if exact is not None else "Fraction"
        )
        raise MoneyError(
            f"{_at(where)}{written} is a float, which cannot hold most weights exactly: give "
            f"it as Decimal('{written}'), {fraction}, text ('{written}') or use whole numbers",
            got=value,
        )
    else:
        try:
            weight = exact_rate(value)
        except MoneyError as error:
            if "too large or too fine" in str(error):
                raise MoneyError(f"{_at(where)}{error}", got=value) from None
            raise MoneyError(f"{_at(where)}{brief(value)} is not a number", got=value) from None
    if weight < 0:
        raise MoneyError(f"{_at(where)}{brief(value)} is negative", got=value)
    return weight


def _at(where: object) -> str:
    """Which weight a message is about (nothing, where the caller says so itself)."""
    return "" if where is None else f"weight {where!r}: "


def _split(total: Money, weights: list[int | Fraction], position: list[int]) -> list[Money]:
    return [Money.from_pence(p) for p in split_pence(total.pence, weights, position)]


def split_pence(
    total: int, weights: Sequence[int | Fraction], position: Sequence[int] | None = None
) -> list[int]:
    """:func:`allocate` on whole pence (``weights`` exact and non-negative; ``position`` the
    tie-break order, by default as listed): for work that splits many totals."""
    if position is None:
        position = range(len(weights))
    if not weights:
        raise MoneyError("there is nothing to allocate to: no weights were given")
    # Whole numbers throughout: the weights over a common denominator, and each exact share as
    # a whole number of pence and a remainder (over the same whole), which order exactly as the
    # fractions of a penny do.
    scale = math.lcm(*(w.denominator for w in weights))
    whole_weights = [w.numerator * (scale // w.denominator) for w in weights]
    whole = sum(whole_weights)
    if whole == 0:
        raise MoneyError("the weights add up to zero: there is no proportion to split by")
    sign = -1 if total < 0 else 1
    pence = abs(total)
    shares = [divmod(pence * w, whole) for w in whole_weights]
    floors = [floor for floor, _ in shares]
    left = pence - sum(floors)
    # Largest remainder first; then the larger weight; then the stable position.
    order = sorted(
        range(len(weights)),
        key=lambda i: (-shares[i][1], -whole_weights[i], position[i]),
    )
    for i in order[:left]:
        floors[i] += 1
    return [sign * p for p in floors] if sign < 0 else floors
