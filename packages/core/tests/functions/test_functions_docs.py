"""Every public function documents itself with a summary, Args and a runnable example."""

import doctest

import pytest

import kusari.functions as F

# Chainer v1 link aliases (F.Linear, …) are classes documented in kusari.links.
_ALIASES = {name for name in F.__all__ if name[:1].isupper()}


@pytest.mark.parametrize("name", sorted(set(F.__all__) - _ALIASES))
def test_public_function_has_docstring_with_example(name):
    obj = getattr(F, name)
    doc = obj.__doc__ or ""
    assert doc.strip(), f"F.{name} has no docstring"
    summary = doc.strip().splitlines()[0]
    assert summary.endswith("."), f"F.{name}: the summary line should be a sentence"
    assert ">>>" in doc, f"F.{name}: the docstring needs a tiny example"


@pytest.mark.parametrize("name", sorted(set(F.__all__) - _ALIASES))
def test_docstring_example_runs(name):
    obj = getattr(F, name)
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(obj, name, globs={"F": F}):
        runner.run(test)
    assert runner.failures == 0, f"F.{name}: its docstring example failed"
