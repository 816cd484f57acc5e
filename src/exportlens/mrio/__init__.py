"""Multi-regional input-output tables and value-added decompositions of exports.

- :class:`MRIOTable` (:mod:`exportlens.mrio.table`): G regions x N sectors, validation,
  coefficients, balance report, LU factor of I - A, pymrio conversion.
- :func:`decompose_provincial` / :func:`decompose_national`
  (:mod:`exportlens.mrio.decompose`): DVA, PVA and FVA of exports (Su 2016, KWW 2014).
- :func:`kww_decomposition` (:mod:`exportlens.mrio.kww`): the nine KWW terms of gross exports.
- Readers (:mod:`exportlens.mrio.readers`): CEADs China MRIO workbooks, national
  non-competitive tables; a writer of synthetic CEADs-layout workbooks.
"""

from exportlens.mrio.decompose import (
    SECTOR_GROUPINGS,
    NationalDecomposition,
    ProvincialDecomposition,
    decompose_national,
    decompose_provincial,
    sector_group_map,
    value_added_multipliers,
)
from exportlens.mrio.kww import KWW_TERMS, KWWDecomposition, OpenTableError, kww_decomposition
from exportlens.mrio.readers import read_ceads_workbook, read_national_io, write_ceads_workbook
from exportlens.mrio.table import (
    BalanceReport,
    LeontiefFactor,
    MRIOTable,
    NegativeFlowError,
    NonProductiveError,
    ZeroOutputWarning,
)

__all__ = [
    "KWW_TERMS",
    "SECTOR_GROUPINGS",
    "BalanceReport",
    "KWWDecomposition",
    "LeontiefFactor",
    "MRIOTable",
    "NationalDecomposition",
    "NegativeFlowError",
    "NonProductiveError",
    "OpenTableError",
    "ProvincialDecomposition",
    "ZeroOutputWarning",
    "decompose_national",
    "decompose_provincial",
    "kww_decomposition",
    "read_ceads_workbook",
    "read_national_io",
    "sector_group_map",
    "value_added_multipliers",
    "write_ceads_workbook",
]
