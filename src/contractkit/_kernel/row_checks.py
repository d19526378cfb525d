"""An input table being checked row by row: each row accepted, rejected for the first check it
fails (with a stable reason code), or excluded (blank, or for a later period than wanted), so that
every row is accounted for. Shared by the spend, outturn, activity and claims readers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import polars as pl
from numpy.typing import NDArray

from contractkit._kernel.suggest import did_you_mean, listed, shortened
from contractkit._kernel.table_files import ROW, blank_rows, read_table
from contractkit.errors import ReturnsError

__all__ = ["BLANK", "LATER", "RowChecks"]

LATER = -1
"""The reason code of a row excluded for a period after the one wanted (not wrong, not yet
wanted)."""
BLANK = -2
"""The reason code of a row excluded because every cell of it is empty."""
_EXCLUDED = {BLANK: "blank", LATER: "after_period"}


@attrs.define
class RowChecks:
    """An input table being checked: each row is rejected for the first check it fails (a
    stable code in ``reason``), or excluded: a blank row (every cell empty) from the start
    (``BLANK``), a row for a later period than wanted (``LATER``)."""

    table: pl.DataFrame
    name: str
    codes: Mapping[str, int]
    reason: NDArray[np.int8]

    @classmethod
    def open(
        cls,
        source: Any,
        columns: Mapping[str, str] | None,
        sheet: str | None,
        what: str,
        required: Sequence[str],
        codes: Mapping[str, int],
    ) -> RowChecks:
        """Read ``source``, rename its columns as ``columns`` says, and make sure the
        ``required`` ones are there (each a name, or names separated by '|' of which one is
        needed); a clear :class:`~contractkit.errors.ReturnsError` if not."""
        table, name = read_table(source, sheet=sheet)
        if columns:
            unknown = [c for c in columns if c not in table.columns]
            if unknown:
                raise ReturnsError(
                    f"{name}: no column {shortened(unknown[0])!r}"
                    f"{did_you_mean(unknown[0], table.columns)}"
                )
            table = table.rename(dict(columns))
        present = [c for c in table.columns if c != ROW]
        missing = [
            need.replace("|", " (or ") + (")" if "|" in need else "")
            for need in required
            if not set(need.split("|")) & set(table.columns)
        ]
        if missing:
            hints = "".join(did_you_mean(m.split()[0], present) for m in missing)
            raise ReturnsError(
                f"{name}: the {what} has no {', '.join(repr(m) for m in missing)} column"
                f"{'s' if len(missing) > 1 else ''}{hints} (the columns are: "
                f"{listed(present)}): rename the column in the file, or map it with "
                "columns= in Python"
            )
        reason = np.zeros(table.height, dtype=np.int8)
        reason[blank_rows(table)] = BLANK  # a row with nothing in it is no return: excluded
        return cls(table, name, codes, reason)

    def excluded_by_reason(self) -> dict[str, int]:
        """How many rows were excluded, and why: ``blank``, ``after_period``."""
        return {
            name: int((self.reason == code).sum())
            for code, name in _EXCLUDED.items()
            if (self.reason == code).any()
        }

    def fail(self, mask: NDArray[np.bool_], code: str) -> None:
        """Reject, for ``code``, the rows in ``mask`` not rejected already."""
        self.reason[(self.reason == 0) & mask] = self.codes[code]

    def rejected(self, message: Callable[[str, Mapping[str, Any]], str]) -> pl.DataFrame:
        """The rejected rows as given (as text), each with its row, reason and a message
        (``message(reason, row)``), in row order."""
        table, reason = self.table, self.reason
        columns = [c for c in table.columns if c != ROW]
        bad = reason > 0
        if not bad.any():
            return pl.DataFrame(
                schema={ROW: pl.Int64, "reason": pl.String, "message": pl.String}
                | dict.fromkeys(columns, pl.String)
            )
        names = {number: name for name, number in self.codes.items()}
        rows = table.filter(pl.Series(bad)).with_columns(pl.exclude(ROW).cast(pl.String))
        codes = [names[int(c)] for c in reason[bad]]
        messages = [
            message(code, values)
            for code, values in zip(codes, rows.iter_rows(named=True), strict=True)
        ]
        return rows.select(
            ROW,
            pl.Series("reason", codes, dtype=pl.String),
            pl.Series("message", messages, dtype=pl.String),
            *columns,
        ).sort(ROW)
