import importlib.util

import pytest

import kusari

LAZY = {
    "Chain": "kusari-links",
    "Link": "kusari-links",
    "ChainList": "kusari-links",
    "Sequential": "kusari-links",
    "links": "kusari-links",
    "optimizers": "kusari-optimizers",
    "optimizer_hooks": "kusari-optimizers",
    "training": "kusari-training",
    "iterators": "kusari-training",
    "datasets": "kusari-training",
}


@pytest.mark.parametrize("name, dist", sorted(LAZY.items()))
def test_lazy_name_resolves_or_names_its_distribution(name, dist):
    module = kusari._lazy.LAZY_NAMES[name][0]
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:  # kusari's hint for a missing distribution
        spec = None
    installed = spec is not None and kusari._lazy._has_files(spec)
    if installed:
        try:
            getattr(kusari, name)
        except ImportError as e:  # installed but incomplete during development
            assert dist in str(e)
    else:
        with pytest.raises(ImportError, match=f"provided by {dist}.*pip install {dist}"):
            getattr(kusari, name)


def test_unknown_attribute_is_attribute_error():
    with pytest.raises(AttributeError):
        kusari.no_such_name  # noqa: B018


def test_core_modules_are_lazy_but_available():
    assert kusari.functions.exp is not None
    assert kusari.initializers.Constant is not None
    assert kusari.serializers.save_npz is not None
    assert kusari.gradient_check.check_backward is not None
    assert kusari.computational_graph.build_computational_graph is not None
    assert "Chain" in dir(kusari)


def test_importing_a_missing_subpackage_names_its_distribution(monkeypatch):
    import sys

    from kusari._lazy import _MissingDistributionFinder

    finder = _MissingDistributionFinder()
    with pytest.raises(ModuleNotFoundError, match="provided by kusari-links.*pip install"):
        finder.find_spec("kusari.links")
    assert finder.find_spec("kusari.something_else") is None
    assert finder.find_spec("kusari.links", ["/elsewhere"]) is None  # a tool probing finders
    assert any(isinstance(f, _MissingDistributionFinder) for f in sys.meta_path)


def test_star_import_works():
    namespace = {}
    exec("from kusari import *", namespace)
    assert "Variable" in namespace and "Chain" not in namespace
