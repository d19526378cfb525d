"""The public face: ``contractkit.__all__`` is curated, complete and importable."""

from __future__ import annotations

import pytest

import contractkit


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


def test_importing_the_package_leaves_the_engines_until_they_are_used() -> None:
    # Loading and checking a contract should not pay for numpy, polars and scipy.
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, contractkit; contractkit.load; heavy = {'scipy', 'polars', 'numpy'}; "
            "print(sorted((heavy | {'contractkit.evaluation'}) & set(sys.modules)))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
    used = subprocess.run(
        [sys.executable, "-c", "import contractkit; print(contractkit.evaluate.__module__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert used.stdout.strip() == "contractkit.evaluation._engine"


def test_any_engine_name_can_be_the_first_used() -> None:
    # Each name imported when first used resolves whichever comes first, and each engine's
    # package imports on its own (the returns reader imports the evaluator's plan).
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
