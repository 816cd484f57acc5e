"""The docstring examples of the public API run, and every public function and class has one.

The public API is the ``__all__`` of each subpackage (the same list the API reference is
generated from, see ``tests/test_api_snapshot.py``). Each function or class listed there
carries a numpydoc ``Examples`` section with at least one ``>>>`` line; this module runs every
such example with :mod:`doctest` on the *installed* package (so CI checks what users get),
one test per public object, in a fresh temporary working folder (an example that writes a file
writes it there).

A public function or class without an ``Examples`` section fails
``test_every_public_function_and_class_has_an_example``.

Run the examples of one subpackage while writing them:

    .venv/bin/python -m pytest tests/test_docstring_examples.py -k measures
"""

from __future__ import annotations

import doctest
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

import exportlens
from exportlens.errors import MissingDependencyError

SUBPACKAGES = (
    "errors", "validation", "text", "regions", "measures", "mrio", "firms", "data",
    "econometrics", "spatial", "datasets", "report", "studies",
)  # fmt: skip

# Print rounded numbers in examples (round(x, 4), f"{x:.4f}") so they do not depend on the last bits.
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _public_objects() -> Iterator[tuple[str, object]]:
    seen: set[int] = set()
    for package in SUBPACKAGES:
        module = importlib.import_module(f"exportlens.{package}")
        for name in sorted(getattr(module, "__all__", [])):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"exportlens.{package}.{name}", obj


PUBLIC = list(_public_objects())


def _examples(qualname: str, obj: object) -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(recurse=False, exclude_empty=True)
    module = inspect.getmodule(obj)
    globs = dict(vars(module)) if module is not None else {}
    return finder.find(obj, qualname, module=module, globs=globs)


class _Runner(doctest.DocTestRunner):
    """Notes examples stopped by a missing optional dependency (the example is then skipped)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.missing: list[str] = []

    def report_unexpected_exception(self, out, test, example, exc_info):  # type: ignore[no-untyped-def]
        if isinstance(exc_info[1], MissingDependencyError):
            self.missing.append(str(exc_info[1]))
        super().report_unexpected_exception(out, test, example, exc_info)


def _has_examples(obj: object) -> bool:
    doc = inspect.getdoc(obj) or ""
    return "Examples\n--------" in doc and ">>>" in doc


@pytest.mark.parametrize(("qualname", "obj"), PUBLIC, ids=[q for q, _ in PUBLIC])
def test_example_runs(qualname: str, obj: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tests = [t for t in _examples(qualname, obj) if t.examples]
    if not tests:
        pytest.skip(f"{qualname} has no docstring example yet")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    runner = _Runner(optionflags=OPTIONS)
    for test in tests:
        runner.run(test, out=lambda _text: None)
    if runner.missing:
        # An optional extra (e.g. lifelines for Cox models) is not installed here.
        pytest.skip(f"{qualname}: {runner.missing[0]}")
    results = runner.summarize(verbose=False)
    if results.failed:
        runner = doctest.DocTestRunner(optionflags=OPTIONS)
        for test in tests:
            runner.run(test)  # again, printing the failure
    assert results.failed == 0, f"{results.failed} of {results.attempted} example lines of {qualname} failed"


def test_every_public_function_and_class_has_an_example() -> None:
    missing = [qualname for qualname, obj in PUBLIC if not _has_examples(obj)]
    assert not missing, f"{len(missing)} public names without an Examples section: {missing}"


def test_the_public_list_is_not_empty() -> None:
    # Guards the collection itself: an import change that empties __all__ would pass vacuously.
    assert len(PUBLIC) >= 250
    assert all(name.startswith("exportlens.") for name, _ in PUBLIC)
    assert exportlens.__name__ == "exportlens"
