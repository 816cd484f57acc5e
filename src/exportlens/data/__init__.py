"""Data readers and validation: NBS downloads, general panel files, panel checks."""

from exportlens.data.demo import DEMO_TRUE_COEFFICIENTS, resilience_demo_panel
from exportlens.data.nbs import NBSTable, NBSUnknownRegionError, read_nbs, read_nbs_many
from exportlens.data.panel import load_panel
from exportlens.data.validate import ValidationReport, check_panel, validate_panel

__all__ = [
    "DEMO_TRUE_COEFFICIENTS",
    "NBSTable",
    "NBSUnknownRegionError",
    "ValidationReport",
    "check_panel",
    "load_panel",
    "read_nbs",
    "read_nbs_many",
    "resilience_demo_panel",
    "validate_panel",
]
