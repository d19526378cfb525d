"""The public face: ``contractkit.__all__`` is curated, complete and importable."""

from __future__ import annotations

from pathlib import Path

import pytest

import contractkit

ROOT = Path(__file__).resolve().parent.parent


def test_all_equals_the_public_names() -> None:
    # The evaluator's and the money engines' names are imported when first used (_LATER).
    public = {name for name in vars(contractkit) if not name.startswith("_")} | set(
        contractkit._LATER
    )
    modules = {name for name in public if type(getattr(contractkit, name)).__name__ == "module"}
    assert set(contractkit.__all__) - {"__version__"} == public - modules


def test_all_is_sorted_and_unique() -> None:
    names = [n for n in contractkit.__all__ if n != "__version__"]
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert len(set(contractkit.__all__)) == len(contractkit.__all__)


def test_every_public_name_is_contractkits_own_object_of_that_name() -> None:
    from importlib import metadata

    from contractkit.evaluation import STATUSES

    for name in contractkit.__all__:
        found = getattr(contractkit, name)
        if name == "__version__":
            assert found == metadata.version("contractkit")
        elif name == "STATUSES":
            assert found is STATUSES
        else:
            assert (found.__module__.split(".")[0], found.__name__) == ("contractkit", name)


def test_the_package_is_typed() -> None:
    from importlib import resources

    assert resources.files("contractkit").joinpath("py.typed").is_file()


def _modules_after(code: str) -> set[str]:
    """The modules a fresh Python holds after running ``code`` in the repository's folder."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return set(loaded.stdout.split())


HEAVY = {"numpy", "polars", "scipy", "pint", "contractkit.evaluation", "contractkit.finance"}
"""What loading and checking a contract should not pay for (a second or more of imports)."""


def test_importing_the_package_leaves_the_engines_until_they_are_used() -> None:
    import subprocess
    import sys

    # Nor does importing build any model's validator (pydantic's plugins load with the first).
    loaded = _modules_after("import contractkit\ncontractkit.load")
    assert (HEAVY | {"pydantic.plugin._loader"}) & loaded == set()
    used = subprocess.run(
        [sys.executable, "-c", "import contractkit; print(contractkit.evaluate.__module__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert used.stdout.strip() == "contractkit.evaluation"


def _command(*arguments: str) -> str:
    """Python that runs the command line with ``arguments``, as ``contractkit`` does."""
    return (
        "import contextlib, io, sys\n"
        "from contractkit.cli import main\n"
        f"sys.argv = ['contractkit', *{list(arguments)!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main()"
    )


def test_validating_a_contract_leaves_the_engines_unimported() -> None:
    for contract in ("urgent-community-response", "ae-four-hour", "elective-recovery"):
        loaded = _modules_after(_command("validate", f"examples/{contract}/contract.yaml"))
        assert "contractkit.cli._app" in loaded  # (the command ran)
        assert HEAVY & loaded == set(), contract


def test_evaluating_needs_no_scipy_stats() -> None:
    # contractkit.stats computes what it needs from scipy.special: scipy.stats alone takes
    # longer to import than everything else evaluating needs.
    example = "examples/urgent-community-response"
    loaded = _modules_after(
        _command("evaluate", f"{example}/contract.yaml", f"{example}/returns.csv")
    )
    assert "contractkit.evaluation" in loaded  # (the command ran)
    assert "scipy.stats" not in loaded


def test_stats_imports_nothing_else_of_contractkit() -> None:
    # The lowest layer: pure numerics on arrays, usable on their own.
    import ast

    for path in (ROOT / "src" / "contractkit" / "stats").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            ours = [n for n in names if n.split(".")[0] == "contractkit"]
            assert all(n.startswith("contractkit.stats") for n in ours), (path.name, ours)


def test_any_engine_name_can_be_the_first_used() -> None:
    # Each name imported when first used resolves whichever comes first, and each engine's
    # package imports on its own (the evaluator's plan imports the returns reader's series).
    import subprocess
    import sys

    first = {module: name for name, module in contractkit._LATER.items()}  # one per module
    for module, name in first.items():
        subprocess.run(
            [sys.executable, "-c", f"import contractkit; contractkit.{name}"],
            capture_output=True,
            text=True,
            check=True,
        )
        subprocess.run(  # and each of their packages imported first, on its own
            [sys.executable, "-c", f"import {module}"],
            capture_output=True,
            text=True,
            check=True,
        )


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("reconcile", "contractkit.pooled_funds"),
        ("SPEND_REASONS", "contractkit.pooled_funds"),
        ("assess", "contractkit.system_plans"),
        ("Assessment", "contractkit.system_plans"),
        ("statement", "contractkit.payments"),
        ("read_activity", "contractkit.payments"),
    ],
)
def test_the_old_finance_names_still_answer_with_a_warning(name: str, home: str) -> None:
    import importlib

    import contractkit.finance

    with pytest.warns(
        DeprecationWarning, match=rf"contractkit\.finance\.{name} has moved to {home}"
    ):
        found = getattr(contractkit.finance, name)
    assert found is getattr(importlib.import_module(home), name)


def test_an_unknown_finance_name_is_an_attribute_error() -> None:
    import contractkit.finance

    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        contractkit.finance.nothing  # noqa: B018 - the lookup is what is tested


def test_the_old_payment_terms_module_still_answers_with_a_warning() -> None:
    import contractkit.model.finance
    from contractkit.model import Finance

    with pytest.warns(DeprecationWarning, match="renamed contractkit.model.payment_terms"):
        found = contractkit.model.finance.Finance
    assert found is Finance
    with pytest.raises(AttributeError, match="has no attribute 'curve_issues'"):
        contractkit.model.finance.curve_issues  # noqa: B018 - the lookup is what is tested


PUBLIC_PACKAGES = (
    "contractkit",
    "contractkit.errors",
    "contractkit.periods",
    "contractkit.money",
    "contractkit.units",
    "contractkit.results",
    "contractkit.stats",
    "contractkit.model",
    "contractkit.spec",
    "contractkit.returns",
    "contractkit.evaluation",
    "contractkit.pooled_funds",
    "contractkit.system_plans",
    "contractkit.payments",
)


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_every_public_class_and_function_names_a_public_home(package: str) -> None:
    import importlib
    import inspect

    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        home = value.__module__
        assert not any(part.startswith("_") for part in home.split(".")[1:]), (package, name, home)
        assert getattr(importlib.import_module(home), value.__name__) is value, (name, home)


def test_a_result_s_repr_and_pickle_name_its_public_home() -> None:
    import pickle

    assert contractkit.Evaluation.__module__ == "contractkit.evaluation"
    assert contractkit.Reconciliation.__module__ == "contractkit.pooled_funds"
    assert contractkit.evaluate.__module__ == "contractkit.evaluation"
    assert pickle.loads(pickle.dumps(contractkit.Statement)) is contractkit.Statement
