"""The one shape of every result: an evaluation, a reconciliation, an assessment, a statement, and
every result to come.

Whatever made it, a result is read and written the same way:

- **tables by name**: ``result.tables`` maps each name in ``result.TABLES`` to a polars frame (the
  first is the main one); ``to_polars(table)`` and ``to_pandas(table)`` give one (the main one if
  none is named);
- **files**: ``to_csv(path=None, *, table=None)`` (text, or written to ``path``),
  ``to_parquet(path, table=None)``, and ``to_json(path=None, *, indent=2)``, the versioned JSON
  form that tools store; ``from_json(source)`` reads that form back (text or a file), and anything
  that is not a readable record of that kind of result is a :class:`~contractkit.RecordError`
  saying why;
- **words**: ``explain(...)`` gives any figure in words (an :class:`Explanation`, with the
  figures as ``fields`` for tools);
- **a view**: in a notebook, the result shows itself as HTML.

A file that cannot be written is an :class:`~contractkit.errors.OutputError`; a table that is not
one of the result's is a :class:`~contractkit.errors.ArgumentError` naming the tables there are.
"""

from __future__ import annotations

import abc
import json
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from contractkit._kernel.output_file import parquet_bytes, write_output
from contractkit._kernel.suggest import shortened
from contractkit.errors import ArgumentError, RecordError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["Explanation", "Result"]

_R = TypeVar("_R", bound="Result")


@attrs.frozen
class Explanation:
    """An explanation: ``text`` to read, ``fields`` for tools."""

    text: str
    fields: dict[str, Any]

    def __str__(self) -> str:
        return self.text


class _Tables(Mapping[str, "pl.DataFrame"]):
    """A result's tables by name, each fetched when asked for."""

    def __init__(self, result: Result) -> None:
        self._result = result

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self._result._chosen(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._result.TABLES)

    def __len__(self) -> int:
        return len(self._result.TABLES)

    def __repr__(self) -> str:
        return f"<tables: {', '.join(self._result.TABLES)}>"


class Result(abc.ABC):
    """What every result shares (see the module's documentation). A kind of result names its
    tables (``TABLES``), its JSON form (``FORMAT``, ``VERSIONS`` it reads, ``NOUN`` for
    messages), and gives :meth:`to_dict`, ``_from_dict``, :meth:`explain` and its view."""

    TABLES: ClassVar[tuple[str, ...]]
    """The tables it holds, by name; the first is the main one."""
    FORMAT: ClassVar[str]
    """The JSON form's ``format``."""
    VERSIONS: ClassVar[tuple[int, ...]] = (1,)
    """The versions of the JSON form this release reads (the last is the one it writes)."""
    NOUN: ClassVar[str]
    """What the result is called in a message: ``evaluation``, ``reconciliation``, ..."""
    JSON_END: ClassVar[str] = "\n"
    """What ends the JSON text (a newline, as text files end)."""
    REWRITE: ClassVar[str] = ""
    """How to write a damaged record again (by default, the class's ``to_json``)."""

    # --- tables by name ----------------------------------------------------------------------

    @property
    def tables(self) -> Mapping[str, pl.DataFrame]:
        """Every table, by name (see ``TABLES``)."""
        return _Tables(self)

    def _frame(self, name: str) -> pl.DataFrame:
        """The table called ``name`` (one of ``TABLES``)."""
        frame: pl.DataFrame = getattr(self, name)
        return frame

    def _chosen(self, table: str | None) -> pl.DataFrame:
        """The table asked for (the main one if none is named); an unknown name is an
        :class:`~contractkit.errors.ArgumentError` naming the tables there are."""
        name = self.TABLES[0] if table is None else table
        if name not in self.TABLES:
            raise ArgumentError(
                f"no table {shortened(str(name))!r}: the tables are {', '.join(self.TABLES)}"
            )
        return self._frame(name)

    def to_polars(self, table: str | None = None) -> pl.DataFrame:
        """A table as a polars frame (the main one if none is named)."""
        return self._chosen(table)

    def to_pandas(self, table: str | None = None) -> Any:
        """A table as a pandas frame (pandas must be installed); amounts are exact ``Decimal``
        values, never floats."""
        return self._chosen(table).to_pandas()

    # --- files -------------------------------------------------------------------------------

    def to_csv(self, path: str | Path | None = None, *, table: str | None = None) -> str | None:
        """A table as CSV (the main one if none is named): the text, or, given a ``path``,
        written there (amounts in pounds, to the penny)."""
        path, table = self._old_table_argument(path, table)
        text = self._chosen(table).write_csv()
        if path is None:
            return text
        write_output(path, text)
        return None

    def _old_table_argument(
        self, path: str | Path | None, table: str | None
    ) -> tuple[str | Path | None, str | None]:
        """Before every result took a path first, the money results' ``to_csv`` took a table's
        name: a bare table name given as the path still means that table, with a warning."""
        if isinstance(path, str) and table is None and path in self.TABLES:
            warnings.warn(
                f"to_csv({path!r}) names a table: write to_csv(table={path!r}) (the first "
                "argument is the file to write)",
                DeprecationWarning,
                stacklevel=3,
            )
            return None, path
        return path, table

    def to_parquet(self, path: str | Path, table: str | None = None) -> None:
        """A table as a Parquet file (the main one if none is named; amounts as exact
        decimals)."""
        write_output(path, parquet_bytes(self._chosen(table)))

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The versioned, JSON-ready form (see ``to_json``)."""

    def to_json(self, path: str | Path | None = None, *, indent: int | None = 2) -> str | None:
        """The versioned JSON form: the text, or, given a ``path``, written there;
        :meth:`from_json` reads it back."""
        text = (
            json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, default=str)
            + self.JSON_END
        )
        if path is None:
            return text
        write_output(path, text)
        return None

    @classmethod
    def from_json(cls: type[_R], source: str | Path) -> _R:
        """Read a result back from its JSON form (text, or a file).

        Anything that is not a readable record of this kind of result (no such file, text that
        is not JSON, another format or version, a record damaged since it was written) is a
        :class:`~contractkit.RecordError` saying which."""
        data = read_record(source, cls.NOUN, cls.FORMAT, cls.VERSIONS)
        try:
            return cls._from_dict(data)
        except RecordError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError, ArithmeticError) as e:
            what = f"its part {e.args[0]!r} is missing" if isinstance(e, KeyError) else str(e)
            raise cls._damaged(what) from e
        except Exception as e:  # polars' own errors, without importing polars to name them
            if type(e).__module__.startswith("polars"):
                raise cls._damaged(str(e)) from e
            raise

    @classmethod
    def _damaged(cls, what: str) -> RecordError:
        again = cls.REWRITE or f"{cls.__name__}.to_json"
        return RecordError(
            f"the {cls.NOUN} record is damaged: {shortened(what, 300)}; write it again with {again}"
        )

    @classmethod
    @abc.abstractmethod
    def _from_dict(cls: type[_R], data: dict[str, Any]) -> _R:
        """The result a checked record holds."""

    # --- words and the view --------------------------------------------------------------------

    @abc.abstractmethod
    def explain(self, *args: Any, **kwargs: Any) -> Explanation:
        """A figure in words (each kind of result says what can be named)."""


def _a(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"


def read_record(
    source: str | Path, noun: str, form: str, versions: tuple[int, ...]
) -> dict[str, Any]:
    """The JSON object of a record given as text or a file, checked to be a record of ``form`` in
    one of ``versions``; a :class:`~contractkit.RecordError` saying what is wrong if not."""
    if not isinstance(source, str | Path):
        raise RecordError(
            f"{_a(noun)} {noun} record is JSON text or a file, not {type(source).__name__}"
        )
    # Text that opens as JSON does (an object or an array) is the record; other text names a
    # file.
    named = isinstance(source, Path) or not source.lstrip().startswith(("{", "["))
    where = f"{shortened(str(source), 300)}: " if named else ""
    try:
        text = Path(source).read_text(encoding="utf-8") if named else str(source)
    except (OSError, ValueError) as e:  # no such file, a folder, not UTF-8, a NUL in the name
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise RecordError(f"{where}cannot read the {noun} record: {reason}") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise RecordError(f"{where}not JSON: {e.msg} at line {e.lineno}, column {e.colno}") from e
    except ValueError as e:  # a number of more digits than Python reads
        raise RecordError(f"{where}not {_a(noun)} {noun} record: {shortened(str(e), 300)}") from e
    if not isinstance(data, dict):
        raise RecordError(
            f"{where}not a contractkit {noun}: the JSON is {type(data).__name__}, not an object"
        )
    if data.get("format") != form:
        raise RecordError(f"{where}not a contractkit {noun} (its 'format' is not {form!r})")
    if data.get("version") not in versions:
        them = " and ".join(str(v) for v in versions)
        raise RecordError(
            f"{where}{noun} format version {shortened(repr(data.get('version')))} is not "
            f"supported: this release reads version{'s' if len(versions) > 1 else ''} {them}"
        )
    return data
