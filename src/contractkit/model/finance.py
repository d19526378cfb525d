"""The old name of :mod:`contractkit.model.payment_terms`, kept for one release.

Each name imported from here still works, with a :class:`DeprecationWarning`; import them from
:mod:`contractkit.model` (or :mod:`contractkit.model.payment_terms`) instead.
"""

from __future__ import annotations

import warnings
from typing import Any

from contractkit.model import payment_terms as _payment_terms


def __getattr__(name: str) -> Any:
    if name.startswith("_") or name not in _payment_terms.__all__:
        raise AttributeError(f"module 'contractkit.model.finance' has no attribute {name!r}")
    warnings.warn(
        f"contractkit.model.finance has been renamed contractkit.model.payment_terms: import "
        f"{name} from contractkit.model; contractkit.model.finance will be removed in the next "
        "release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(_payment_terms, name)
