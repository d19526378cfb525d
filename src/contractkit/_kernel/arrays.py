"""The array types the columnar code passes about, named once."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = ["Bools", "Floats", "Ints"]

Ints: TypeAlias = NDArray[np.int64]
"""A column of whole numbers (pence, counts, indices, months as numbers)."""
Floats: TypeAlias = NDArray[np.float64]
"""A column of measurements."""
Bools: TypeAlias = NDArray[np.bool_]
"""A column of yes-or-no (a mask)."""
