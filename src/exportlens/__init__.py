"""exportlens: regional trade economics for China's provinces and beyond.

Subpackages (imported lazily so that ``import exportlens`` stays fast):

- :mod:`exportlens.regions`      province registry, name matching, groupings, distances
- :mod:`exportlens.data`         readers (NBS downloads, CSV/Excel/Stata/Parquet), validation, demo data
- :mod:`exportlens.datasets`     the embedded (synthetic) demo datasets
- :mod:`exportlens.measures`     export resilience, virtual agglomeration
- :mod:`exportlens.econometrics` panel models on pyfixest, regression tables
- :mod:`exportlens.spatial`      spatial weights, Moran's I / LISA, spatial panel models (SAR/SEM/SDM)
- :mod:`exportlens.studies`      complete studies wired end to end
- :mod:`exportlens.report`       figures and table export
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from exportlens._version import __version__
from exportlens.errors import ExportlensError

_SUBMODULES = {
    "regions",
    "data",
    "datasets",
    "measures",
    "econometrics",
    "studies",
    "report",
    "errors",
    "spatial",
}

__all__ = ["ExportlensError", "__version__", *sorted(_SUBMODULES)]

if TYPE_CHECKING:  # pragma: no cover
    from exportlens import (  # noqa: F401
        data,
        datasets,
        econometrics,
        errors,
        measures,
        regions,
        report,
        spatial,
        studies,
    )


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"exportlens.{name}")
    raise AttributeError(f"module 'exportlens' has no attribute {name!r}")
