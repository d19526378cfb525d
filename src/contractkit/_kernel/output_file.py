"""Writing an output file: the one way every command and every result writes one.

The path is checked first — its folder exists and is a folder, it is not a folder itself, its
name is not too long, it may be written — and then the whole content (text, as UTF-8, or
bytes) is written at once. A user's mistake, found before or while writing (a full disk, say),
is an :class:`~contractkit.errors.OutputError` that names the file and says what to do; a new
file left half-written is removed.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_output(folder / "verdicts.csv", "service,kpi\\n")
    >>> (folder / "verdicts.csv").read_text()
    'service,kpi\\n'
    >>> try:
    ...     write_output(folder / "x" / "out.csv", "")
    ... except OutputError as problem:
    ...     print(str(problem).replace(str(folder), "FOLDER"))  # doctest: +ELLIPSIS
    cannot write FOLDER/x/out.csv: there is no folder FOLDER/x: create it first, or write ...
"""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from contractkit._kernel.suggest import shortened
from contractkit.errors import OutputError

if TYPE_CHECKING:  # polars is only needed by whoever has a frame to write
    import polars as pl

__all__ = ["check_output", "parquet_bytes", "write_output"]

_NAME_MAX = 255
"""The longest file or folder name, in bytes, on the file systems people use."""

_REASONS = {
    errno.ENOENT: "there is no such folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder: give the name of a file",
    errno.EACCES: "permission denied: the file or its folder may not be written",
    errno.EPERM: "permission denied: the file or its folder may not be written",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full (no space left on the device)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be too large for the file system",
    errno.ENAMETOOLONG: "the path or a name in it is too long",
}


def _shown(path: str | os.PathLike[str]) -> str:
    return shortened(os.fspath(path), 120, head=60, tail=40)


def check_output(path: str | os.PathLike[str]) -> Path:
    """``path`` as a :class:`~pathlib.Path`, if a file can be written there; else an
    :class:`OutputError` saying why not (no such folder, a folder, a name too long, read-only).
    A check before the work, so that a mistake is found at once."""
    if not isinstance(path, str | os.PathLike):
        raise OutputError(f"an output file is named by a path, not {type(path).__name__}")
    text = os.fspath(path)
    shown = _shown(text)
    if not text.strip():
        raise OutputError("the output file has no name: give one, such as out.csv", path=text)
    if "\x00" in text:
        raise OutputError(
            f"cannot write {_shown(text.replace(chr(0), '␀'))}: a name cannot hold the character "
            "NUL (␀): give the name without it",
            path=text,
        )
    target = Path(text)
    long_name = next((p for p in target.parts if len(os.fsencode(p)) > _NAME_MAX), None)
    if long_name is not None:
        raise OutputError(
            f"cannot write {shown}: a name in it is {len(long_name):,} characters long, and a "
            f"file or folder name can be at most {_NAME_MAX}: give a shorter name",
            path=text,
        )
    try:
        if target.is_dir():
            raise OutputError(
                f"cannot write {shown}: it is a folder: give the name of a file in it",
                path=text,
            )
        folder = target.parent
        if not folder.exists():
            raise OutputError(
                f"cannot write {shown}: there is no folder {_shown(folder)}: create it first, or "
                "write the file somewhere else",
                path=text,
            )
        if not folder.is_dir():
            raise OutputError(
                f"cannot write {shown}: {_shown(folder)} is a file, not a folder", path=text
            )
        writable = (
            os.access(target, os.W_OK) if target.exists() else os.access(folder, os.W_OK | os.X_OK)
        )
    except OSError as error:
        if isinstance(error, OutputError):
            raise
        raise _failed(text, error) from None
    if not writable:
        raise OutputError(f"cannot write {shown}: {_REASONS[errno.EACCES]}", path=text)
    return target


def write_output(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` (text, as UTF-8, or bytes) to the file ``path``, replacing it; every
    problem, before or while writing, an :class:`OutputError`."""
    target = check_output(path)
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    existed = target.exists()
    try:
        with target.open("wb") as handle:
            handle.write(data)
    except OSError as error:
        if not existed:
            _remove_partial(target)
        raise _failed(os.fspath(path), error) from None


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    """A frame as a Parquet file, in memory (to be written by :func:`write_output`)."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def _remove_partial(target: Path) -> None:
    """Remove a new file left half-written (a full disk): a file that is there is taken to be
    whole."""
    try:
        if target.is_file():
            target.unlink()
    except OSError:
        pass  # nothing more can be done; the error that stopped the writing is reported


def _failed(path: str, error: OSError) -> OutputError:
    reason = _REASONS.get(error.errno or 0) or error.strerror or str(error)
    return OutputError(f"cannot write {_shown(path)}: {reason}", path=path)
