"""The documentation's examples run, and print exactly what the pages say they print.

A page that follows the convention has ```python blocks, each followed (after blank lines only)
by a ```text block holding exactly what the block prints. The blocks run in order, in one fresh
namespace per page, from the repository's folder. A python block with no text block after it
must print nothing.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = (
    "README.md",
    "docs/index.md",
    "docs/python.md",
    "docs/ae-four-hour.md",
    "docs/evaluating.md",
    "docs/money.md",
    "docs/pooled-funds.md",
    "docs/system-plans.md",
    "docs/payments.md",
    "docs/periods-and-units.md",
    "examples/urgent-community-response/README.md",
    "examples/ae-four-hour/README.md",
    "examples/elective-recovery/README.md",
)

_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@attrs.frozen
class Example:
    """A python block, where it starts, and the text block that follows it (None if none)."""

    code: str
    line: int
    expected: str | None


def examples(text: str) -> list[Example]:
    """The python blocks of a page, each with the text block that follows it."""
    fences = list(_FENCE.finditer(text))
    found: list[Example] = []
    for index, fence in enumerate(fences):
        if fence.group("info").strip() != "python":
            continue
        expected = None
        if index + 1 < len(fences):
            following = fences[index + 1]
            between = text[fence.end() : following.start()]
            if following.group("info").strip() == "text" and between.strip() == "":
                expected = following.group("body")
        found.append(Example(fence.group("body"), text.count("\n", 0, fence.start()) + 2, expected))
    return found


def normalise(output: str) -> str:
    """Trailing whitespace dropped from each line, and trailing blank lines from the end."""
    return "\n".join(line.rstrip() for line in output.splitlines()).rstrip("\n")


def run(page: Path) -> Iterator[tuple[Example, str]]:
    """Run a page's python blocks in order, yielding each with what it printed."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for example in examples(page.read_text(encoding="utf-8")):
        printed = io.StringIO()
        code = compile(example.code, f"{page.name}:{example.line}", "exec")
        with contextlib.redirect_stdout(printed):
            exec(code, namespace)
        yield example, printed.getvalue()


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from the repository's folder, and leave polars' display options as they were."""
    monkeypatch.chdir(ROOT)
    try:
        yield
    finally:
        pl.Config.restore_defaults()


def test_examples_are_found() -> None:
    text = "```python\nprint(1)\n```\n\n```text\n1\n```\n\nSo.\n\n```python\nx = 1\n```\n"
    found = examples(text)
    assert [(e.code, e.line, e.expected) for e in found] == [
        ("print(1)\n", 2, "1\n"),
        ("x = 1\n", 12, None),
    ]


def test_a_text_block_after_prose_does_not_count() -> None:
    found = examples("```python\nprint(1)\n```\n\nProse.\n\n```text\n1\n```\n")
    assert found[0].expected is None


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("page", PAGES)
def test_page_prints_what_it_says(page: str) -> None:
    path = ROOT / page
    ran = 0
    for example, printed in run(path):
        ran += 1
        where = f"{page}, the python block at line {example.line}"
        if example.expected is None:
            assert printed == "", f"{where} prints, but no text block follows it:\n{printed}"
        else:
            assert normalise(printed) == normalise(example.expected), where
    assert ran, f"{page} has no python blocks"
