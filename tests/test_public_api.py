"""The public face: ``contractkit.__all__`` is curated, complete and importable."""

from __future__ import annotations

import contractkit


def test_all_equals_the_public_names() -> None:
    public = {name for name in vars(contractkit) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(contractkit, name)).__name__ == "module"}
    assert set(contractkit.__all__) - {"__version__"} == public - modules


def test_all_is_sorted_and_unique() -> None:
    names = [n for n in contractkit.__all__ if n != "__version__"]
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert len(set(contractkit.__all__)) == len(contractkit.__all__)


def test_every_public_name_resolves() -> None:
    for name in contractkit.__all__:
        assert getattr(contractkit, name) is not None, name


def test_the_package_is_typed() -> None:
    from importlib import resources

    assert resources.files("contractkit").joinpath("py.typed").is_file()
