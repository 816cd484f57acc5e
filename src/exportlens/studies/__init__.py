"""Complete studies, one module each, on one framework (:mod:`exportlens.studies.framework`).

The registry (:mod:`exportlens.studies.registry`) lists them; this package imports only the
registry eagerly (the CLI's ``--help`` reads it), the framework on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from exportlens.studies.registry import (
    STUDIES,
    CliOption,
    StudyEntry,
    load_study,
    study_entry,
    study_names,
)

_FRAMEWORK = ("StudyDefinition", "StudyResult", "StudySpec", "ProvinceYearSpec", "run_study", "study_schema",
              "study_template", "write_study_outputs")

__all__ = ["STUDIES", "CliOption", "StudyEntry", "load_study", "study_entry", "study_names", *_FRAMEWORK]


def __getattr__(name: str) -> Any:
    if name in _FRAMEWORK:
        return getattr(importlib.import_module("exportlens.studies.framework"), name)
    raise AttributeError(f"module 'exportlens.studies' has no attribute {name!r}")
