"""Suggestions for a misspelt name: "did you mean 'x'?" only when 'x' is a sensible guess.

A suggestion is worth making when the word is a slip of the keyboard away from a known name,
not merely when the two share letters: ``titel`` is a slip from ``title``, but ``quarter`` is not
one from ``partners``, nor ``count`` from ``units``. So a candidate is suggested when, written
alike (case, spaces, ``-`` and ``_`` aside), it

- is the word itself (``NHS Trust`` for ``nhs_trust``);
- is within a few single-character edits of it (an insertion, a deletion, a change or two
  neighbours swapped): one edit in a word of up to three characters, two up to eight, three
  beyond;
- or, for a word of four characters or more, is the one known name that the word abbreviates
  (``falls-admits`` for ``falls-admissions``) or names a part of (``alliance`` for
  ``acute-alliance``).

    >>> closest("titel", ["title", "term"]), closest("quarter", ["partners", "per"])
    ('title', None)
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable, Sequence

__all__ = ["closest", "did_you_mean", "edit_distance", "listed", "normalised", "shortened"]

_SEPARATORS = re.compile(r"[\s_\-]+")


@functools.lru_cache(maxsize=65_536)
def normalised(text: str) -> str:
    """A name as it is compared: lower case, with one '_' for any run of spaces, '-' or '_'."""
    return _SEPARATORS.sub("_", text.strip().casefold())


def _allowed_edits(length: int) -> int:
    if length <= 3:
        return 1
    return 2 if length <= 8 else 3


def edit_distance(a: str, b: str, limit: int) -> int:
    """The number of single-character edits (insert, delete, change, swap two neighbours)
    from ``a`` to ``b``, or ``limit + 1`` as soon as it is known to exceed ``limit``.

    >>> edit_distance("minuets", "minutes", 2), edit_distance("count", "units", 2)
    (1, 3)
    """
    beyond = limit + 1
    if abs(len(a) - len(b)) > limit:
        return beyond
    if len(a) > len(b):
        a, b = b, a
    # Only cells within ``limit`` of the diagonal can stay within the limit.
    previous2: list[int] = []
    previous = [j if j <= limit else beyond for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        char_a = a[i - 1]
        low, high = max(1, i - limit), min(len(b), i + limit)
        current = [beyond] * (len(b) + 1)
        current[0] = i if i <= limit else beyond
        for j in range(low, high + 1):
            char_b = b[j - 1]
            best = previous[j - 1] + (char_a != char_b)
            if previous[j] + 1 < best:
                best = previous[j] + 1
            if current[j - 1] + 1 < best:
                best = current[j - 1] + 1
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, previous2[j - 2] + 1)
            current[j] = min(best, beyond)
        if min(current[low - 1 : high + 1]) > limit:
            return beyond
        previous2, previous = previous, current
    return previous[-1]


def _abbreviates(word: str, name: str) -> bool:
    """``word`` is the start of ``name`` cut short (most of it kept), or one or more whole
    parts of it."""
    if len(word) < 4 or len(name) <= len(word):
        return False
    kept = math.ceil(len(word) * 0.75)
    if name.startswith(word[:kept]):
        return True
    return f"_{word}_" in f"_{name}_"


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a misspelt word most likely means, or None if none is a sensible guess."""
    pool = [c for c in dict.fromkeys(candidates) if isinstance(c, str)]
    written = normalised(word)
    if not written:
        return None
    limit = _allowed_edits(len(written))
    near: list[tuple[int, float, str]] = []
    abbreviated: list[str] = []
    # Each letter of a name that the word lacks altogether takes an edit: a quick bound that
    # spares comparing letter by letter names far from the word.
    foreign = str.maketrans(dict.fromkeys(written))
    for candidate in pool:
        other = normalised(candidate)
        if other == written:
            return candidate
        if abs(len(other) - len(written)) > limit or len(other.translate(foreign)) > limit:
            distance = limit + 1
        else:
            distance = edit_distance(written, other, limit)
        if distance <= limit:
            ratio = difflib.SequenceMatcher(None, written, other).ratio()
            near.append((distance, -ratio, candidate))
        elif _abbreviates(written, other):
            abbreviated.append(candidate)
    if near:
        # The fewest edits, then the most letters in common; among equals, as difflib ranks
        # them (the greater name), so that suggestions stay as they were where they were good.
        best = min(near)[:2]
        return max(c for d, r, c in near if (d, r) == best)
    return abbreviated[0] if len(abbreviated) == 1 else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a close candidate exists, else an empty string."""
    match = closest(word, candidates)
    return f"; did you mean {match!r}?" if match else ""


LONGEST_NAME = 60
"""The longest name a message shows whole; a longer one is cut to its start and end."""
MOST_NAMES = 30
"""The most names a message lists; the rest are counted."""


def shortened(
    name: str, longest: int | None = None, *, head: int | None = None, tail: int = 10
) -> str:
    """A name as a message shows it: whole, or, if longer than ``longest`` (by default
    :data:`LONGEST_NAME`; a header pasted as one cell), its first ``head`` characters (by
    default 20 fewer than ``longest``), its last ``tail`` and its length.

    >>> shortened("n" * 100_000)
    'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn…nnnnnnnnnn (100,000 characters)'
    """
    most = LONGEST_NAME if longest is None else longest
    if len(name) <= most:
        return name
    start = max(most - 20, 1) if head is None else head
    return f"{name[:start]}…{name[-tail:]} ({len(name):,} characters)"


def listed(names: Sequence[str]) -> str:
    """Names for a message, separated by commas: each shortened, the first
    :data:`MOST_NAMES` shown and the rest counted, so that a table of 50,000 columns gives a
    message of a line or two.

    >>> listed([f"c{i}" for i in range(32)])[-19:]
    'c28, c29 and 2 more'
    """
    shown = ", ".join(shortened(name) for name in names[:MOST_NAMES])
    rest = len(names) - MOST_NAMES
    return shown + (f" and {rest:,} more" if rest > 0 else "")
