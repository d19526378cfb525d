"""The tree keeps its rules (see docs/contributing.md): each package imports only the layers
below it, nothing reaches into another package's private modules (the shared kernel,
``contractkit._kernel``, is there to be shared), no two modules import each other round a cycle,
and no module runs past about 500 lines without saying why.

Imports are read from the source (``import``/``from`` statements anywhere in a module, including
those deferred into functions; not those under ``if TYPE_CHECKING:``, which never run)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "contractkit"

BASE = frozenset({"errors", "periods", "money", "units", "results", "_kernel"})
"""The base every package stands on: the errors, the value types, the one shape of results and
the shared kernel. They may import each other (module by module, never round a cycle)."""

LAYERS: dict[str, frozenset[str]] = {
    "stats": frozenset(),  # pure numerics: nothing of ours at all
    **dict.fromkeys(BASE, BASE),
    "model": BASE,
    "spec": BASE | {"model"},
    "returns": BASE | {"model", "stats"},
    "evaluation": BASE | {"model", "spec", "returns", "stats"},
    "pooled_funds": BASE | {"model"},
    "system_plans": BASE | {"model"},
    "payments": BASE | {"model", "spec", "returns", "stats", "evaluation"},
    "finance": frozenset({"pooled_funds", "system_plans", "payments"}),  # the deprecated alias
    "report": BASE | {"model"},
}
"""What each package may import (itself always)."""

LONGEST = 500
"""The most lines a module has without saying, in its docstring, why it is longer."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = ["contractkit", *path.relative_to(SOURCE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _run_time_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, leaving out the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *_run_time_nodes(child)])
            continue
        yield node
        yield from _run_time_nodes(node)


def _imports(name: str) -> set[str]:
    """The modules of ours that module ``name`` imports when it runs."""
    tree = ast.parse(MODULES[name].read_text("utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _run_time_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("contractkit"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if not base.startswith("contractkit"):
                continue
            for alias in node.names:
                whole = f"{base}.{alias.name}"
                found.add(whole if whole in MODULES else base)
    return {m for m in found if m in MODULES}


IMPORTS = {name: _imports(name) for name in MODULES}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_rules_cover_every_package() -> None:
    packages = {_package(m) for m in MODULES} - {"", "__main__", "cli"}
    assert packages == set(LAYERS), "add the new package to LAYERS (and the contributors' page)"


def _private_part(module: str) -> bool:
    return any(part.startswith("_") for part in module.split(".")[2:])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_run_down_the_layers(name: str) -> None:
    mine = _package(name)
    if mine in ("", "__main__", "cli"):  # the top: the package's face and the command line
        return
    allowed = LAYERS[mine] | {mine}
    wrong = sorted(m for m in IMPORTS[name] if _package(m) not in allowed)
    assert not wrong, f"{name} imports {wrong}, above or beside its layer"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_reaching_into_another_package_s_private_modules(name: str) -> None:
    mine = _package(name)
    reached = sorted(
        m
        for m in IMPORTS[name]
        if _package(m) not in (mine, "_kernel") and _private_part(m) and "." in m[12:]
    )
    assert not reached, f"{name} reaches into {reached}"


def test_no_module_imports_itself_round_a_cycle() -> None:
    state: dict[str, int] = {}  # 1: on the path being followed, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for other in sorted(IMPORTS[module]):
            # A package's __init__ importing its own modules is how a package is made.
            if other.startswith(module + "."):
                continue
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other not in state and (cycle := visit(other)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(MODULES):
        if module not in state and (cycle := visit(module)):
            pytest.fail("an import cycle: " + " -> ".join(cycle))


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_long_module_says_why(name: str) -> None:
    text = MODULES[name].read_text("utf-8")
    lines = text.count("\n")
    if lines <= LONGEST:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert "Why it is long:" in docstring, (
        f"{name} is {lines} lines: split it by what each part computes, or say in its docstring "
        "'Why it is long: ...'"
    )
