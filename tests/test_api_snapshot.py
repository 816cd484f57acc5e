"""The public API: every subpackage is reachable from ``import exportlens``, its ``__all__``
names exist, and the sorted ``__all__`` of each subpackage equals the checked-in snapshot
``tests/api_snapshot.txt`` (one ``module.name`` per line).

A change of the public API is deliberate: after adding, renaming or removing a public name,
regenerate the snapshot and commit it with the change:

    EXPORTLENS_UPDATE_API_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_api_snapshot.py
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import exportlens

SNAPSHOT = Path(__file__).with_name("api_snapshot.txt")
UPDATE_ENV = "EXPORTLENS_UPDATE_API_SNAPSHOT"
# spatial is listed when the subpackage exists in this tree (it is being added).
SUBPACKAGES = (
    "errors", "validation", "text", "regions", "measures", "mrio", "firms", "data",
    "econometrics", "spatial", "datasets", "report", "studies",
)  # fmt: skip


# Subpackages being rewritten right now that do not declare __all__ yet (issue 10): remove a
# name here when its __all__ lands (the strict xfail below then reminds you).
PENDING_ALL: set[str] = set()


def _present() -> list[str]:
    return [name for name in SUBPACKAGES if name in exportlens.__all__]


def _current_api() -> list[str]:
    lines = [f"exportlens.{name}" for name in sorted(exportlens.__all__)]
    for name in _present():
        module = importlib.import_module(f"exportlens.{name}")
        if not hasattr(module, "__all__"):
            lines.append(f"exportlens.{name}.(no-__all__)")
            continue
        lines += [f"exportlens.{name}.{member}" for member in sorted(module.__all__)]
    return lines


def test_every_subpackage_is_reachable_lazily():
    code = (
        "import sys, exportlens as el\n"
        "heavy = [m for m in ('pandas', 'numpy', 'scipy', 'matplotlib', 'pyfixest') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        f"for name in {_present()!r}:\n"
        "    assert getattr(el, name).__name__ == 'exportlens.' + name\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    for name in ("mrio", "firms", "validation", "measures", "datasets", "report"):
        assert name in exportlens.__all__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        exportlens.nope  # noqa: B018


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_all_names_exist(name: str):
    if name not in _present():
        pytest.skip(f"exportlens.{name} is not in this tree yet")
    module = importlib.import_module(f"exportlens.{name}")
    if name in PENDING_ALL:
        pytest.xfail(f"exportlens.{name} gets its __all__ in the studies rewrite") if not hasattr(
            module, "__all__"
        ) else pytest.fail(f"exportlens.{name} now has __all__: remove it from PENDING_ALL")
    assert hasattr(module, "__all__"), f"exportlens.{name} must declare __all__ (its public API)"
    missing = [member for member in module.__all__ if not hasattr(module, member)]
    assert not missing, f"exportlens.{name}.__all__ lists names the module does not define: {missing}"
    assert len(module.__all__) == len(set(module.__all__)), f"exportlens.{name}.__all__ has duplicates"


def test_measures_export_the_cluster_measures():
    import exportlens.measures as measures

    for member in ("cluster_measures", "ClusterMeasures", "herfindahl_index", "krugman_index", "location_quotients"):
        assert member in measures.__all__


def test_api_matches_the_snapshot():
    current = _current_api()
    if os.environ.get(UPDATE_ENV):
        SNAPSHOT.write_text("\n".join(current) + "\n", encoding="utf-8")
        pytest.skip(f"{SNAPSHOT.name} rewritten ({len(current)} names)")
    recorded = SNAPSHOT.read_text(encoding="utf-8").split()
    added = sorted(set(current) - set(recorded))
    removed = sorted(set(recorded) - set(current))
    assert not added and not removed, (
        f"The public API differs from {SNAPSHOT.name}: added {added}, removed {removed}. "
        f"If the change is deliberate, regenerate the snapshot with "
        f"`{UPDATE_ENV}=1 .venv/bin/python -m pytest tests/test_api_snapshot.py` and commit it."
    )
