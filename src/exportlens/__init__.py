"""exportlens: regional trade economics for China's provinces and beyond.

Subpackages (imported lazily, on first attribute access, so that ``import exportlens``
stays fast), from the bottom layer up:

- :mod:`exportlens.errors`       every exception and warning class
- :mod:`exportlens.validation`   shared input checks (columns, numbers, duplicate keys)
- :mod:`exportlens.text`         the bilingual (zh/en) term catalogue
- :mod:`exportlens.regions`      province registry, name matching, groupings, distances
- :mod:`exportlens.measures`     export resilience, virtual agglomeration, composite indices,
                                 coupling coordination, cluster measures
- :mod:`exportlens.mrio`         multi-regional input-output tables, value-added decompositions
- :mod:`exportlens.firms`        the out-of-core firm-level pipeline
- :mod:`exportlens.data`         readers (NBS downloads, CSV/Excel/Stata/Parquet), panel validation
- :mod:`exportlens.econometrics` panel models on pyfixest, descriptive statistics
- :mod:`exportlens.spatial`      spatial econometrics (when installed with this version)
- :mod:`exportlens.datasets`     the embedded SYNTHETIC demo datasets and their generators
- :mod:`exportlens.report`       regression/descriptive tables, figures, table export, manifests
- :mod:`exportlens.studies`      complete studies wired end to end
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from exportlens._version import __version__
from exportlens.errors import ExportlensError

_SUBMODULES = {
    "data",
    "datasets",
    "econometrics",
    "errors",
    "firms",
    "measures",
    "mrio",
    "regions",
    "report",
    "spatial",
    "studies",
    "text",
    "validation",
}

__all__ = ["ExportlensError", "__version__", *sorted(_SUBMODULES)]

if TYPE_CHECKING:  # pragma: no cover
    from exportlens import (  # noqa: F401
        data,
        datasets,
        econometrics,
        errors,
        firms,
        measures,
        mrio,
        regions,
        report,
        spatial,
        studies,
        text,
        validation,
    )


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        return importlib.import_module(f"exportlens.{name}")
    raise AttributeError(f"module 'exportlens' has no attribute {name!r}")
