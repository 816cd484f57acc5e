"""Data readers and validation: NBS downloads, general panel files, panel checks."""

from exportlens.data.nbs import NBSTable, NBSUnknownRegionError, read_nbs, read_nbs_many

__all__ = [
    "NBSTable",
    "NBSUnknownRegionError",
    "read_nbs",
    "read_nbs_many",
]
