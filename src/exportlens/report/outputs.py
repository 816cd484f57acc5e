"""Output folders of a run: staged, moved into place only on success, never over a user's files.

A run writes into a hidden staging folder next to its target. Only when the whole run has
succeeded are its files moved into the target folder, so a failed run leaves nothing behind
(not even an empty folder). ``overwrite`` replaces exactly the files that an earlier exportlens
run listed in the target's ``manifest.json`` (and that manifest); a file of the user's that is
in the way is never removed: the run stops and names it. The new manifest is written in the
staging folder, so it lists only what this run wrote.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from exportlens.errors import InputError

MANIFEST = "manifest.json"


def default_output_dir(prefix: str, root: str | Path = "exportlens-output") -> Path:
    """``exportlens-output/<prefix>-<UTC timestamp>`` (with a numeric suffix when taken)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{prefix}-{stamp}"
    path, i = base, 1
    while path.exists():
        i += 1
        path = base.with_name(f"{base.name}-{i}")
    return path


def _check_target(path: Path, overwrite: bool) -> set[Path]:
    """Files an earlier exportlens run wrote in ``path`` (to be replaced), after checking it may be used."""
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            raise InputError(f"Output path {path}: {parent} is a file, not a folder; choose another --out.")
    if not path.exists() or not any(path.iterdir()):
        return set()
    if not overwrite:
        raise InputError(f"Output folder {path} already exists and is not empty; choose a new output folder or "
                         "pass overwrite=True to replace the files of the earlier exportlens run there.")
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise InputError(f"Output folder {path} holds files but no exportlens manifest.json, so --overwrite cannot "
                         "tell its files from yours; choose a new --out folder.")
    try:
        listed = json.loads(manifest.read_text(encoding="utf-8")).get("outputs", {})
    except (OSError, ValueError) as exc:
        raise InputError(f"{manifest} cannot be read ({exc}); choose a new --out folder.") from None
    owned = {path / rel for rel in listed}
    owned.add(manifest)
    return {p for p in owned if p.is_file()}


def _commit(staging: Path, final: Path, earlier: set[Path]) -> None:
    """Move the staged files into ``final``, replacing only ``earlier`` files."""
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, final)
        return
    staged = [p for p in sorted(staging.rglob("*")) if p.is_file()]
    blocked = [final / p.relative_to(staging) for p in staged
               if (final / p.relative_to(staging)).exists() and final / p.relative_to(staging) not in earlier]
    if blocked:
        raise InputError(f"Output folder {final} holds {blocked[0].relative_to(final)}, which no earlier exportlens "
                         "run wrote; exportlens does not replace your files: choose a new --out folder.")
    for old in earlier:
        old.unlink()
    for p in staged:
        target = final / p.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(p, target)
    shutil.rmtree(staging, ignore_errors=True)
    for d in sorted((q for q in final.rglob("*") if q.is_dir()), key=lambda q: len(q.parts), reverse=True):
        if not any(d.iterdir()):  # folders emptied by removing the earlier run's files
            d.rmdir()


@contextmanager
def staged_output(out: str | Path | None, prefix: str, *, overwrite: bool = False) -> Iterator[tuple[Path, Path]]:
    """Yield ``(staging, final)``; on success the staged files are moved into ``final``.

    ``out`` None: a new folder ``exportlens-output/<prefix>-<timestamp>``. On an exception the
    staging folder is removed and ``final`` is left exactly as it was.
    """
    final = Path(out) if out is not None else default_output_dir(prefix)
    earlier = _check_target(final, overwrite)
    parent = final.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputError(f"Output path {final}: {parent} is not a folder; choose another --out.") from None
    except PermissionError:
        raise InputError(f"Output path {final}: no permission to create {parent}; choose another --out.") from None
    staging = parent / f".{final.name}.exportlens-staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir()
    except PermissionError:
        raise InputError(f"Output path {final}: no permission to write in {parent}; choose another --out.") from None
    try:
        yield staging, final
        _commit(staging, final, earlier)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
