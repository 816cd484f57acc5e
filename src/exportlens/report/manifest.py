"""Run manifests and output folders: what is needed to reproduce a run."""

from __future__ import annotations

import hashlib
import json
import platform
import re
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from exportlens.errors import InputError

__all__ = [
    "OPTIONAL_PACKAGES",
    "PACKAGES",
    "declared_dependencies",
    "new_output_dir",
    "package_versions",
    "run_packages",
    "sha256_file",
    "write_manifest",
]

#: Fallback list when exportlens runs from a source tree without installed metadata.
PACKAGES = ("exportlens", "numpy", "pandas", "scipy", "pyfixest", "maketables", "wildboottest",
            "matplotlib", "python-docx", "openpyxl", "pyarrow", "pyyaml", "typer", "rich", "duckdb",
            "ibis-framework", "sqlglot", "pydantic")
#: Packages a run may use that are not core dependencies; recorded when installed.
OPTIONAL_PACKAGES = ("pydantic", "mapclassify", "libpysal", "esda", "spreg", "geopandas", "pyspark",
                     "pyarrow-hotfix")
#: Extras whose packages are never used by a run (test-only comparison packages).
_NOT_RUN_EXTRAS = ("test",)
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file, read in chunks.

    Examples
    --------
    >>> from pathlib import Path
    >>> from exportlens.report import sha256_file
    >>> _ = Path("empty.txt").write_bytes(b"")
    >>> sha256_file("empty.txt")  # SHA-256 of no bytes
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    >>> _ = Path("abc.txt").write_bytes(b"abc")
    >>> sha256_file("abc.txt")[:16]  # FIPS 180-2 test vector ba7816bf8f01cfea...
    'ba7816bf8f01cfea'
    """
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def declared_dependencies(distribution: str = "exportlens") -> tuple[str, ...]:
    """Names of the dependencies ``distribution`` declares (core and optional extras, without
    the test extra), read from its installed metadata; :data:`PACKAGES` when not installed."""
    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return PACKAGES
    names: list[str] = []
    for req in requirements:
        name = _REQUIREMENT_NAME.match(req)
        extra = _EXTRA_MARKER.search(req)
        if name is None or (extra is not None and extra.group(1) in _NOT_RUN_EXTRAS):
            continue
        names.append(name.group(1))
    return tuple(dict.fromkeys(names))


def run_packages() -> dict[str, str | None]:
    """Versions of exportlens, of every declared dependency (None when not installed) and of the
    optional packages that are installed: the package list of a run manifest.

    Examples
    --------
    >>> from exportlens.report import run_packages
    >>> packages = run_packages()
    >>> packages["exportlens"] is not None, "pandas" in packages, "numpy" in packages
    (True, True, True)
    """
    versions = package_versions(("exportlens", *declared_dependencies()))
    optional = package_versions(tuple(n for n in OPTIONAL_PACKAGES if n not in versions))
    versions.update({k: v for k, v in optional.items() if v is not None})
    return versions


def package_versions(names: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (None when absent).

    Examples
    --------
    >>> from exportlens.report import package_versions
    >>> versions = package_versions(("pandas", "no-such-package"))
    >>> versions["pandas"] is not None, versions["no-such-package"]
    (True, None)
    """
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def new_output_dir(out: str | Path | None, study: str, *, overwrite: bool = False) -> Path:
    """Create the output folder of a run.

    Without ``out``: ``exportlens-output/<study>-<UTC timestamp>`` in the working directory
    (a numeric suffix is added when that already exists). With ``out``: that folder, which
    must not exist or be empty, unless ``overwrite``; exportlens never writes over earlier
    results silently.

    Examples
    --------
    >>> from exportlens.report import new_output_dir
    >>> out = new_output_dir("run1", "resilience")
    >>> out.name, out.is_dir()
    ('run1', True)
    >>> _ = (out / "table.md").write_text("x")
    >>> new_output_dir("run1", "resilience")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Output folder run1 already exists and is not empty; choose a new folder or pass overwrite=True.
    >>> auto = new_output_dir(None, "resilience")
    >>> auto.parent.name, auto.name.startswith("resilience-")
    ('exportlens-output', True)
    """
    if out is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        base = Path("exportlens-output") / f"{study}-{stamp}"
        path, i = base, 1
        while path.exists():
            i += 1
            path = base.with_name(f"{base.name}-{i}")
    else:
        path = Path(out)
        if path.exists() and not path.is_dir():
            raise InputError(f"Output path {path} exists and is not a folder.")
        if path.exists() and any(path.iterdir()) and not overwrite:
            raise InputError(f"Output folder {path} already exists and is not empty; choose a new folder or pass overwrite=True.")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_manifest(
    out_dir: Path,
    *,
    study: str,
    spec: dict[str, Any],
    inputs: Mapping[str, str | Path] | None = None,
    notes: Sequence[str] | None = None,
    command: Sequence[str] | None = None,
) -> Path:
    """Write ``manifest.json``: inputs with SHA-256, the study spec, versions, outputs with SHA-256.

    Examples
    --------
    >>> import json
    >>> from pathlib import Path
    >>> from exportlens.report import new_output_dir, sha256_file, write_manifest
    >>> out = new_output_dir("run", "demo")
    >>> _ = Path("input.csv").write_text("a,b")
    >>> _ = (out / "table.md").write_text("| a |")
    >>> path = write_manifest(out, study="demo", spec={"years": [2009, 2022]},
    ...                       inputs={"panel": "input.csv"})
    >>> manifest = json.loads(path.read_text(encoding="utf-8"))
    >>> path.name, sorted(manifest)
    ('manifest.json', ['command', 'created_utc', 'inputs', 'notes', 'outputs', 'packages', 'platform', 'python', 'spec', 'study'])
    >>> manifest["inputs"]["panel"]["sha256"] == sha256_file("input.csv")
    True
    >>> list(manifest["outputs"])
    ['table.md']
    """
    out_dir = Path(out_dir)
    outputs = {
        str(p.relative_to(out_dir)): sha256_file(p)
        for p in sorted(out_dir.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    manifest = {
        "study": study,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": list(command) if command is not None else sys.argv,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": run_packages(),
        "inputs": {k: {"path": str(v), "sha256": sha256_file(v)} for k, v in (inputs or {}).items()},
        "spec": spec,
        "notes": list(notes or []),
        "outputs": outputs,
    }
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return path
