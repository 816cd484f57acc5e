"""Package-level promises: light import, version, typed errors."""

from __future__ import annotations

import json
import subprocess
import sys

import exportlens
from exportlens.errors import ExportlensError, InputError, MissingColumnError, UnknownRegionError


def test_import_is_light():
    # Heavy dependencies are imported lazily: a bare import must not pull them in.
    code = (
        "import sys, json, exportlens; "
        "print(json.dumps(sorted(m for m in ('pandas', 'pyfixest', 'matplotlib', 'docx', 'openpyxl', 'scipy') "
        "if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_version_and_lazy_submodules():
    assert exportlens.__version__.count(".") == 2
    assert exportlens.regions.resolve_province("粤").code == 440000
    try:
        exportlens.nonexistent  # noqa: B018
    except AttributeError as exc:
        assert "nonexistent" in str(exc)


def test_error_hierarchy():
    assert issubclass(InputError, ExportlensError) and issubclass(InputError, ValueError)
    assert issubclass(MissingColumnError, KeyError) and issubclass(UnknownRegionError, KeyError)
    assert str(MissingColumnError("x missing")) == "x missing"  # no KeyError quoting
