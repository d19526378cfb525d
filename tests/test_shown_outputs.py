"""Every command the README and the docs show, with its output, prints exactly that output.

A ```console block holds commands (lines starting ``$ ``, continued with a trailing ``\\``) and,
after each, what it prints. Each block that shows any output runs as one shell script (so that
``echo $?`` reports the command before it), from a scratch folder holding copies of the
examples and schemas, with standard error merged into standard output as a terminal shows them.
Blocks that only list commands to try (no output shown), set up a virtual environment, or time a
benchmark are not run here: the set-up is what CI itself runs, and timings differ by machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").glob("*/README.md")]
)
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```console[ \t]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_NOT_RUN = ("pip install", "python3 -m venv", "benchmarks/", "make_returns.py", "make_activity.py")


@attrs.frozen
class Shown:
    """A console block: where it is, its commands as a script, and the output it shows."""

    page: Path
    line: int
    script: str
    output: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> Iterator[Shown]:
    text = page.read_text(encoding="utf-8")
    for fence in _FENCE.finditer(text):
        indent = len(fence.group("indent"))
        lines = [line[indent:] for line in fence.group("body").splitlines()]
        commands: list[str] = []
        output: list[str] = []
        continuing = False
        for line in lines:
            if continuing:
                commands[-1] += "\n" + line
                continuing = line.rstrip().endswith("\\")
            elif line.startswith("$ "):
                commands.append(line[2:])
                continuing = line.rstrip().endswith("\\")
            else:
                output.append(line)
        script = "\n".join(commands)
        if not commands or not any(o.strip() for o in output):
            continue
        if any(n in script for n in _NOT_RUN):
            continue
        yield Shown(
            page,
            text.count("\n", 0, fence.start()) + 1,
            script.replace(".venv/bin/", ""),
            "\n".join(output),
        )


SHOWN = [shown for page in PAGES for shown in blocks(page)]


def _prepare(shown: Shown, folder: Path) -> None:
    """The files a page asks its reader to make before a command: ``my-contract.yaml`` with the
    mistakes the prose describes, and an out-of-date copy of a schema."""
    if "my-contract.yaml" in shown.script:
        text = (ROOT / "examples/urgent-community-response/contract.yaml").read_text("utf-8")
        if "'charity'" in shown.output:  # "Several mistakes at once"
            text = text.replace("type: vcse", "type: charity", 1)
            text = text.replace("threshold: 90 minutes", "threshold: 90 minuets", 1)
            text = text.replace("    commences: 2026-07-01", "    commence: 2026-07-01", 1)
        else:  # "Make a mistake on purpose"
            text = text.replace("established: 70%", "established: 70", 1)
        (folder / "my-contract.yaml").write_text(text, encoding="utf-8")
    if "old.schema.json" in shown.script:
        (folder / "old.schema.json").write_text("{}\n", encoding="utf-8")


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with copies of the examples and schemas, as a fresh clone would have them."""
    folder = tmp_path_factory.mktemp("shown")
    for name in ("examples", "schema"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def test_the_pages_show_commands() -> None:
    assert len(SHOWN) >= 20
    assert any(s.page.name == "README.md" and s.page.parent == ROOT for s in SHOWN)


@pytest.mark.slow
@pytest.mark.parametrize("shown", SHOWN, ids=lambda s: s.name)
def test_a_shown_command_prints_what_the_page_says(shown: Shown, scratch: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "100",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
    }
    _prepare(shown, scratch)
    result = subprocess.run(
        ["bash", "-c", "exec 2>&1\n" + shown.script],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert _normalise(result.stdout) == _normalise(shown.output), shown.name
