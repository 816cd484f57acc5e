"""Data readers and validation: NBS downloads, general panel files, panel checks.

The SYNTHETIC demo data generators live one layer up, in :mod:`exportlens.datasets`.
"""

from exportlens.data.build import PanelBuildResult, build_panel, read_build_file
from exportlens.data.nbs import (
    NBSTable,
    NBSUnknownRegionError,
    detect_encoding,
    read_nbs,
    read_nbs_many,
)
from exportlens.data.panel import MISSING_MARKERS, SUPPORTED_SUFFIXES, load_panel, parse_year
from exportlens.data.validate import ValidationReport, check_panel, validate_panel

__all__ = [
    "MISSING_MARKERS",
    "SUPPORTED_SUFFIXES",
    "NBSTable",
    "NBSUnknownRegionError",
    "PanelBuildResult",
    "ValidationReport",
    "build_panel",
    "check_panel",
    "detect_encoding",
    "load_panel",
    "parse_year",
    "read_build_file",
    "read_nbs",
    "read_nbs_many",
    "validate_panel",
]
