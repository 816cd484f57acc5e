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
    value_added_split,
    with_value_added_shares,
)
from exportlens.mrio.kww import KWW_TERMS, KWWDecomposition, OpenTableError, kww_decomposition
from exportlens.mrio.readers import (
    CEADS_FINAL_DEMAND,
    CEADS_VALUE_ADDED,
    SECTORS_42,
    read_ceads_workbook,
    read_national_io,
    write_ceads_workbook,
)
from exportlens.mrio.table import (
    INVENTORY_CATEGORIES,
    BalanceReport,
    LeontiefFactor,
    MissingRowError,
    MRIOTable,
    NegativeFlowError,
    NonProductiveError,
    ZeroOutputWarning,
)

__all__ = [
    "CEADS_FINAL_DEMAND",
    "CEADS_VALUE_ADDED",
    "INVENTORY_CATEGORIES",
    "KWW_TERMS",
    "SECTORS_42",
    "SECTOR_GROUPINGS",
    "BalanceReport",
    "KWWDecomposition",
    "LeontiefFactor",
    "MRIOTable",
    "MissingRowError",
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
    "value_added_split",
    "with_value_added_shares",
    "write_ceads_workbook",
]
