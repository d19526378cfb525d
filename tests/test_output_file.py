"""Writing an output file (contractkit._kernel.output_file): the path checked first, and every way
a file cannot be written an OutputError naming the file and saying what to do — never a
traceback. And the results' own writers (to_csv, to_json, to_parquet with a path) use it."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import contractkit
from contractkit import ContractKitError, OutputError
from contractkit._kernel.output_file import check_output, write_output

ROOT = Path(__file__).resolve().parent.parent
UCR = ROOT / "examples" / "urgent-community-response"
BCF = ROOT / "examples" / "better-care-fund"
PLAN = ROOT / "examples" / "system-plan"


def read_only_file(tmp_path: Path) -> Path:
    """A file this process may not write: a file made read-only, or, for root (who may write
    any file), one the system itself will not let be written."""
    if os.geteuid() != 0:
        path = tmp_path / "locked.csv"
        path.write_text("kept", encoding="utf-8")
        path.chmod(0o444)
        return path
    path = Path("/sys/kernel/notes")
    if not path.exists():
        pytest.skip("no file here that root may not write")
    return path


def read_only_folder(tmp_path: Path) -> Path:
    """A new file in a folder this process may not write in."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o555)
        return folder / "out.csv"
    if not Path("/sys/kernel").is_dir():
        pytest.skip("no folder here that root may not write in")
    return Path("/sys/kernel/out.csv")


BAD_PATHS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "a missing folder": (lambda t: t / "nowhere" / "out.csv", "there is no folder"),
    "a folder": (lambda t: t, "it is a folder: give the name of a file"),
    "a file as a folder": (lambda t: _file(t) / "out.csv", "is a file, not a folder"),
    "a read-only file": (read_only_file, "permission denied"),
    "a read-only folder": (read_only_folder, "permission denied"),
    "a full disk": (lambda t: _full(), "the disk is full"),
    "a name too long": (lambda t: t / ("a" * 300 + ".csv"), "at most 255"),
}
"""Each way an output cannot be written: how to make such a path, and what the message says."""


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "plain.txt"
    path.write_text("", encoding="utf-8")
    return path


def _full() -> Path:
    path = Path("/dev/full")
    if not path.exists():
        pytest.skip("no /dev/full here")
    return path


@pytest.mark.parametrize("kind", list(BAD_PATHS))
@pytest.mark.parametrize("content", ["some text\n", b"\x00bytes"])
def test_every_way_a_file_cannot_be_written_is_an_output_error(
    tmp_path: Path, kind: str, content: str | bytes
) -> None:
    make, words = BAD_PATHS[kind]
    path = make(tmp_path)
    with pytest.raises(OutputError) as caught:
        write_output(path, content)
    error = caught.value
    assert isinstance(error, ContractKitError)
    assert isinstance(error, OSError)
    assert str(error).startswith("cannot write ")
    assert words in str(error)
    assert error.path == os.fspath(path)
    assert len(str(error)) < 400


def test_the_path_is_checked_before_anything_is_written(tmp_path: Path) -> None:
    for kind, (make, words) in BAD_PATHS.items():
        path = make(tmp_path)
        # A full disk is found only by writing; and root may write what others may not, so
        # for root a read-only path is found by writing too (it is still an OutputError).
        if kind == "a full disk" or (kind.startswith("a read-only") and os.geteuid() == 0):
            assert check_output(path) == path
            with pytest.raises(OutputError, match=words):
                write_output(path, "x")
            continue
        with pytest.raises(OutputError, match=words):
            check_output(path)
    with pytest.raises(OutputError, match="has no name"):
        check_output("")
    with pytest.raises(OutputError, match="named by a path"):
        check_output(42)  # type: ignore[arg-type]


def test_text_and_bytes_are_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_output(target, "a,b\n£1,−2\n")
    assert target.read_bytes() == "a,b\n£1,−2\n".encode()
    write_output(str(target), b"\x00\x01")  # replaces what was there
    assert target.read_bytes() == b"\x00\x01"


def test_a_new_file_left_half_written_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where writing stops part way (a disk filling up), no half-written file is left to be
    taken for a whole one."""
    target = tmp_path / "out.csv"

    class Half:
        """A file that takes a few bytes and then finds the disk full."""

        def __init__(self, handle: io.BufferedWriter) -> None:
            self.handle = handle

        def __enter__(self) -> Half:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[:2])
            self.handle.flush()
            raise OSError(28, "No space left on device")

    real_open = Path.open

    def open_full(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]
        return Half(handle) if mode == "wb" else handle

    monkeypatch.setattr(Path, "open", open_full)
    with pytest.raises(OutputError, match="the disk is full"):
        write_output(target, "a,b\n")
    assert not target.exists()


# --- the results' own writers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    contract = contractkit.load(UCR / "contract.yaml")
    fund = contractkit.load(BCF / "fund.yaml")
    plan = contractkit.load(PLAN / "plan.yaml")
    return {
        "evaluation": contractkit.evaluate(contract, UCR / "returns.csv"),  # type: ignore[arg-type]
        "reconciliation": contractkit.reconcile(fund, BCF / "spend.csv"),  # type: ignore[arg-type]
        "assessment": contractkit.assess(plan, PLAN / "outturn.csv"),  # type: ignore[arg-type]
        "statement": contractkit.statement(contract, UCR / "returns.csv"),  # type: ignore[arg-type]
    }


WRITERS = {
    "evaluation": ("to_csv", "to_json", "to_parquet"),
    "reconciliation": ("to_json", "to_parquet"),
    "assessment": ("to_json", "to_parquet"),
    "statement": ("to_json", "to_parquet"),
}


@pytest.mark.parametrize(
    ("result", "writer"), [(r, w) for r, writers in WRITERS.items() for w in writers]
)
def test_the_results_write_files_through_the_one_function(
    results: dict[str, object], result: str, writer: str, tmp_path: Path
) -> None:
    write = getattr(results[result], writer)
    with pytest.raises(OutputError, match="there is no folder"):
        write(tmp_path / "nowhere" / "out")
    with pytest.raises(OutputError, match="the disk is full"):
        write(_full())
    target = tmp_path / f"out.{writer.removeprefix('to_')}"
    assert write(target) is None
    if writer == "to_parquet":
        table = results[result].to_polars()  # type: ignore[attr-defined]
        assert pl.read_parquet(target).equals(table)
    elif writer == "to_json":
        assert target.read_text(encoding="utf-8") == results[result].to_json()  # type: ignore[attr-defined]
    else:
        assert target.read_text(encoding="utf-8") == results[result].to_csv()  # type: ignore[attr-defined]
