"""What every study file (TOML) has in common: reading it, and listing its parameters."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any, Self

from exportlens.errors import StudySpecError


class StudySpecFile:
    """Mixin for the study-spec dataclasses.

    A subclass defines ``from_dict(raw, *, base_dir)`` (its own sections and keys, relative
    paths resolved against ``base_dir``) and a ``source_file`` field; this mixin reads the
    TOML file and records where the spec came from.
    """

    source_file: str | None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base_dir: Path | None = None) -> Self:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def from_toml(cls, path: str | Path) -> Self:
        """Read a study file; relative data paths are relative to the study file."""
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StudySpecError(f"Study file {path} not found.") from None
        except tomllib.TOMLDecodeError as exc:
            raise StudySpecError(f"Study file {path} is not valid TOML: {exc}.") from None
        spec = cls.from_dict(raw, base_dir=path.parent)
        spec.source_file = str(path)
        return spec

    def to_dict(self) -> dict[str, Any]:
        """Flat dict of the parameters (for the manifest)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    def copy_study_file(self, out_dir: str | Path) -> Path | None:
        """Copy the study file into the output folder as ``study.toml`` (for the manifest)."""
        if not self.source_file:
            return None
        target = Path(out_dir) / "study.toml"
        target.write_text(Path(self.source_file).read_text(encoding="utf-8"), encoding="utf-8")
        return target
