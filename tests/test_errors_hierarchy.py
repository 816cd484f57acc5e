"""Every exception and warning class of exportlens lives in (or is re-exported from)
exportlens.errors, errors derive from ExportlensError and warnings from ExportlensWarning."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest

import exportlens
from exportlens import errors


def _all_modules() -> list[str]:
    names = ["exportlens"]
    for info in pkgutil.walk_packages(exportlens.__path__, prefix="exportlens."):
        names.append(info.name)
    return sorted(names)


def _public(cls: type) -> bool:
    """Private classes (``_Name``) are internal signals that never reach the user."""
    return not cls.__name__.startswith("_")


def _classes(kind: type) -> dict[str, type]:
    found: dict[str, type] = {}
    for name in _all_modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__.startswith("exportlens") and issubclass(obj, kind):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def test_every_exception_is_an_exportlens_error_reachable_from_errors():
    classes = {k: c for k, c in _classes(BaseException).items() if not issubclass(c, Warning)}
    assert len(classes) > 10
    not_ours = [k for k, c in classes.items() if not issubclass(c, errors.ExportlensError)]
    assert not not_ours, f"exception classes not derived from ExportlensError: {not_ours}"
    unreachable = [k for k, c in classes.items() if _public(c) and getattr(errors, c.__name__, None) is not c]
    assert not unreachable, f"exception classes not defined in or re-exported from exportlens.errors: {unreachable}"


def test_every_warning_is_an_exportlens_warning_reachable_from_errors():
    classes = _classes(Warning)
    assert len(classes) > 5
    not_ours = [k for k, c in classes.items() if not issubclass(c, errors.ExportlensWarning)]
    assert not not_ours, f"warning classes not derived from ExportlensWarning: {not_ours}"
    unreachable = [k for k, c in classes.items() if _public(c) and getattr(errors, c.__name__, None) is not c]
    assert not unreachable, f"warning classes not defined in or re-exported from exportlens.errors: {unreachable}"


@pytest.mark.parametrize(
    ("old_home", "name"),
    [
        ("exportlens.measures.resilience", "NationalTotalMismatchWarning"),
        ("exportlens.measures.composite", "ConstantColumnWarning"),
        ("exportlens.measures.ahp", "InconsistentJudgmentError"),
        ("exportlens.measures.indicators", "IndicatorSystemError"),
        ("exportlens.mrio.table", "NonProductiveError"),
        ("exportlens.mrio.kww", "OpenTableError"),
        ("exportlens.firms.io", "InvalidRowsError"),
        ("exportlens.data.nbs", "NBSUnknownRegionError"),
        ("exportlens.econometrics.panel", "MissingDependencyError"),
        ("exportlens.econometrics.panel", "DroppedRowsWarning"),
    ],
)
def test_old_import_paths_still_work(old_home: str, name: str):
    assert getattr(importlib.import_module(old_home), name) is getattr(errors, name)


def test_errors_all_lists_every_class_it_defines():
    defined = [n for n, c in vars(errors).items() if inspect.isclass(c) and c.__module__ == errors.__name__]
    missing = sorted(set(defined) - set(errors.__all__))
    assert not missing, f"add {missing} to exportlens.errors.__all__"


def test_all_warnings_filter_at_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=errors.ExportlensWarning)
        warnings.warn("x", errors.NationalTotalMismatchWarning, stacklevel=1)
        warnings.warn("y", errors.DataFormatWarning, stacklevel=1)
    assert caught == []
