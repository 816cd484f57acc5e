"""Where the value in exports comes from: provincial and national value-added decompositions.

Provincial split (Su Qingyi 2016, following Koopman, Wang & Wei 2014, KWW): with the
Leontief inverse B = (I - A)^-1 of the whole multi-regional table, value-added coefficients
V (1 x n) and import coefficients M (1 x n), the exports abroad E_i of province i carry

    [VBE]_ji = V_j B_ji E_i          value added of province j in the exports of i
    [MBE]_ji = M_j B_ji E_i          foreign value added entering through j's imports
    DVA_i = [VBE]_ii                 domestic (own-province) value added
    PVA_i = sum_{j != i} [VBE]_ji    value added of the other provinces
    FVA_i = sum_j [MBE]_ji           foreign value added

where V_j is V with every entry outside province j set to zero (likewise M_j), so that
V_j B_ji is the block row product. The column identity of the table, 1'A + v + m = 1',
gives (v + m) B = 1' and therefore DVA_i + PVA_i + FVA_i = 1'E_i, i.e. DVR + PVR + FVR = 1
(shares DVR = DVA/1'E ...). Foreign demand is exogenous (exports abroad are final for the
domestic system), so there are no returned or double-counted terms. The same accounting
holds per exporting sector k: DVA_k + PVA_k + FVA_k = E_k. The split is computed by one
function, :func:`value_added_split`, for regions and for sectors; the shares are derived
from its result.

Numerics: I - A is LU-factored once (:meth:`MRIOTable.leontief_factor`); the 2G row
vectors V_j B and M_j B come from one transposed solve with 2G right-hand sides
((I - A)' W = [V_1' ... V_G' M_1' ... M_G']); B itself is never formed.

National non-competitive table (one region; Hummels, Ishii & Yi 2001; Chen et al. 2012):
DVA = v (I - A^D)^-1 E, FVA = m (I - A^D)^-1 E with A^D the domestic coefficients and
m = 1'A^M the imported-input coefficients; FVA by imported product p is (A^M_p B E).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from exportlens.errors import InputError
from exportlens.mrio.table import MRIOTable

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SECTOR_GROUPINGS",
    "NationalDecomposition",
    "ProvincialDecomposition",
    "decompose_national",
    "decompose_provincial",
    "sector_group_map",
    "value_added_multipliers",
    "value_added_split",
    "with_value_added_shares",
]

# The 42-sector classification of the NBS 2012/2017 tables and the CEADs MRIO tables
# (codes 01-42 in order): 01 agriculture; 02-05 mining; 06-23 manufacturing;
# 24-26 utilities; 27 construction; 28-42 services.
_SECTORS3 = ["primary"] + ["secondary"] * 26 + ["tertiary"] * 15
_SECTORS6 = (["agriculture"] + ["mining"] * 4 + ["manufacturing"] * 18 + ["utilities"] * 3
             + ["construction"] + ["services"] * 15)

#: Built-in sector groupings of the 42-sector classification, by position (sector 1 ... 42).
SECTOR_GROUPINGS: dict[str, list[str]] = {"sectors3": _SECTORS3, "sectors6": _SECTORS6}

SECTOR_GROUP_LABELS: dict[str, dict[str, str]] = {
    "zh": {"primary": "第一产业", "secondary": "第二产业", "tertiary": "第三产业", "agriculture": "农业",
           "mining": "采矿业", "manufacturing": "制造业", "utilities": "电力燃气水", "construction": "建筑业",
           "services": "服务业"},
    "en": {"primary": "Primary", "secondary": "Secondary", "tertiary": "Tertiary", "agriculture": "Agriculture",
           "mining": "Mining", "manufacturing": "Manufacturing", "utilities": "Utilities",
           "construction": "Construction", "services": "Services"},
}


def sector_group_map(groups: str | Mapping[str, str], sectors: Sequence[str]) -> dict[str, str]:
    """Sector -> group for the table's ``sectors``.

    ``groups`` is the name of a built-in grouping of the 42-sector classification
    (:data:`SECTOR_GROUPINGS`, applied by position: the table must have 42 sectors) or a
    mapping sector label -> group that must cover every sector (the error names the ones
    it misses).

    Examples
    --------
    >>> from exportlens.mrio import SECTORS_42, sector_group_map
    >>> sector_group_map({"01": "primary", "06": "secondary", "28": "tertiary"}, ["01", "06", "28"])
    {'01': 'primary', '06': 'secondary', '28': 'tertiary'}
    >>> groups = sector_group_map("sectors3", [code for code, _zh, _en in SECTORS_42])
    >>> groups["01"], groups["27"], groups["28"], len(groups)
    ('primary', 'secondary', 'tertiary', 42)
    >>> sector_group_map({"01": "primary"}, ["01", "06"])
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: The sector grouping does not cover 1 sector(s): 06.
    """
    sectors = [str(s) for s in sectors]
    if isinstance(groups, str):
        if groups not in SECTOR_GROUPINGS:
            raise InputError(f"Unknown sector grouping {groups!r}; built-in: {', '.join(SECTOR_GROUPINGS)} "
                             "(or give a mapping sector -> group).")
        order = SECTOR_GROUPINGS[groups]
        if len(sectors) != len(order):
            raise InputError(f"Sector grouping {groups!r} is defined for the {len(order)}-sector classification; "
                             f"the table has {len(sectors)} sectors. Give a mapping sector -> group instead.")
        return dict(zip(sectors, order, strict=True))
    mapping = {str(k): str(v) for k, v in groups.items()}
    missing = [s for s in sectors if s not in mapping]
    if missing:
        raise InputError(f"The sector grouping does not cover {len(missing)} sector(s): {', '.join(missing[:10])}"
                         + (" ..." if len(missing) > 10 else "") + ".")
    return {s: mapping[s] for s in sectors}


def value_added_multipliers(table: MRIOTable) -> tuple[np.ndarray, np.ndarray]:
    """(VB, MB): G x n matrices whose row j is V_j B and M_j B (KWW 2014's value-added share matrix).

    [VB]_{j,k} is the value added of region j embodied in one unit of output of
    region-sector k; sum_j [VB]_{j,k} + sum_j [MB]_{j,k} = 1 on a column-balanced table.
    Computed with one transposed LU solve with 2G right-hand sides.

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable, value_added_multipliers
    >>> table = MRIOTable.from_arrays(
    ...     ["A", "B"], ["goods"],
    ...     Z=[[20, 10], [5, 30]], Y=[[40, 10], [5, 35]], E=[20, 25], IM=[10, 20], VA=[65, 40],
    ... )
    >>> vb, mb = value_added_multipliers(table)
    >>> vb.round(4)  # row j: value added of region j per unit of output of each column
    array([[0.8198, 0.1171],
           [0.036 , 0.5766]])
    >>> (vb.sum(axis=0) + mb.sum(axis=0)).round(12)  # every unit of output is fully traced
    array([1., 1.])
    """
    g, n_sec, n = table.n_regions, table.n_sectors, table.size
    masks = np.zeros((n, 2 * g))
    v, m = table.V, table.M
    for j in range(g):
        block = slice(j * n_sec, (j + 1) * n_sec)
        masks[block, j] = v[block]
        masks[block, g + j] = m[block]
    w = table.leontief_factor().solve_transposed(masks)  # column c of w = (mask_c' B)'
    return w[:, :g].T.copy(), w[:, g:].T.copy()


def value_added_split(
    vbe: np.ndarray, mbe: np.ndarray, own: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""DVA, PVA and FVA of each exporting unit from its value-added origin matrices.

    .. math::

        DVA_c = [VBE]_{o(c), c}, \qquad
        PVA_c = \sum_j [VBE]_{j c} - DVA_c, \qquad
        FVA_c = \sum_j [MBE]_{j c}

    Parameters
    ----------
    vbe, mbe : numpy.ndarray
        G x C matrices: row j = source region, column c = exporting unit. [VBE]_jc is the
        value added of region j and [MBE]_jc the foreign value added entering through j's
        imports, in the exports of c (levels V_j B E, M_j B E; or the multipliers V_j B,
        M_j B per unit of exports: the split is linear in E).
    own : numpy.ndarray of int, optional
        o(c), the exporter's own region (row) for each column; default ``0 .. G-1`` for a
        square G x G matrix whose columns are the regions themselves.

    Returns
    -------
    tuple of numpy.ndarray
        (DVA, PVA, FVA), each of length C. On a column-balanced table DVA + PVA + FVA
        equals the exports of c (the shares DVR, PVR, FVR sum to 1).

    References
    ----------
    Su, Q. (2016), value-added decomposition of China's provincial exports on the
    multi-regional input-output table, following Koopman, R., Wang, Z. & Wei, S.-J. (2014),
    "Tracing value-added and double counting in gross exports", *American Economic Review*
    104(2):459-494.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.mrio import value_added_split
    >>> vbe = np.array([[16.0, 3.0], [1.0, 14.0]])  # rows: source region, columns: exporter
    >>> mbe = np.array([[2.5, 0.5], [0.5, 7.5]])
    >>> dva, pva, fva = value_added_split(vbe, mbe)
    >>> dva.tolist(), pva.tolist(), fva.tolist()
    ([16.0, 14.0], [1.0, 3.0], [3.0, 8.0])
    """
    vbe = np.asarray(vbe, dtype=float)
    mbe = np.asarray(mbe, dtype=float)
    if vbe.ndim != 2 or mbe.shape != vbe.shape:
        raise InputError(f"vbe and mbe must be G x C matrices of the same shape, got {vbe.shape} and {mbe.shape}.")
    if own is None:
        if vbe.shape[0] != vbe.shape[1]:
            raise InputError(f"vbe is {vbe.shape[0]} x {vbe.shape[1]}, not square: give own= (the own region of each column).")
        own = np.arange(vbe.shape[1])
    own = np.asarray(own)
    if own.shape != (vbe.shape[1],) or own.dtype.kind not in "iu" or (own.size and not (0 <= own.min() and own.max() < vbe.shape[0])):
        raise InputError(f"own must give one region row (0..{vbe.shape[0] - 1}) per column of vbe ({vbe.shape[1]} columns).")
    dva = vbe[own, np.arange(vbe.shape[1])]
    return dva, vbe.sum(axis=0) - dva, mbe.sum(axis=0)


@dataclass(frozen=True)
class ProvincialDecomposition:
    """DVA/PVA/FVA of each region's exports abroad (see the module docstring for formulas).

    ``vb``/``mb`` are the G x n multipliers of :func:`value_added_multipliers`; ``exports``
    the n-vector E. Everything else is derived from them.

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable, decompose_provincial
    >>> table = MRIOTable.from_arrays(
    ...     ["A", "B"], ["goods"],
    ...     Z=[[20, 10], [5, 30]], Y=[[40, 10], [5, 35]], E=[20, 25], IM=[10, 20], VA=[65, 40],
    ... )
    >>> result = decompose_provincial(table)
    >>> print(result.summary())
    Provincial value-added decomposition
      2 regions x 1 sectors; exports abroad 45
      all regions: DVR 0.685  PVR 0.081  FVR 0.234
      max |residual| / exports ...
    >>> result.to_frame()[["exports", "dva", "pva", "fva", "dvr", "pvr", "fvr"]].round(3)
            exports     dva    pva    fva    dvr    pvr    fvr
    region
    A          20.0  16.396  0.721  2.883  0.820  0.036  0.144
    B          25.0  14.414  2.928  7.658  0.577  0.117  0.306
    >>> (result.dva + result.pva + result.fva).round(9).tolist()  # = exports of each region
    [20.0, 25.0]
    >>> result.source_matrix("pva").round(3)  # who supplies the other-province value added
    exporter    A    B
    source
    A         0.0  1.0
    B         1.0  0.0
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    exports: np.ndarray = field(repr=False)
    vb: np.ndarray = field(repr=False)
    mb: np.ndarray = field(repr=False)
    year: int | None = None
    unit: str = ""
    synthetic: bool = False

    @property
    def _g(self) -> int:
        return len(self.regions)

    @property
    def _n(self) -> int:
        return len(self.sectors)

    def _by_exporter(self, mult: np.ndarray) -> np.ndarray:
        # [X]_{j,i} = sum_{k in i} mult[j, k] E_k
        return (mult * self.exports[None, :]).reshape(self._g, self._g, self._n).sum(axis=2)

    @property
    def vbe(self) -> np.ndarray:
        """G x G: [VBE]_ji = V_j B_ji E_i (rows: source region j, columns: exporting region i)."""
        return self._by_exporter(self.vb)

    @property
    def mbe(self) -> np.ndarray:
        """G x G: [MBE]_ji = M_j B_ji E_i (foreign value added entering through region j's imports)."""
        return self._by_exporter(self.mb)

    @property
    def total_exports(self) -> np.ndarray:
        """1'E_i for each region."""
        return self.exports.reshape(self._g, self._n).sum(axis=1)

    def _split(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(DVA, PVA, FVA) per exporting region: :func:`value_added_split` of VBE and MBE."""
        return value_added_split(self.vbe, self.mbe)

    @property
    def dva(self) -> np.ndarray:
        """DVA_i = [VBE]_ii, the exporting region's own value added."""
        return self._split()[0]

    @property
    def pva(self) -> np.ndarray:
        """PVA_i = sum_{j != i} [VBE]_ji, the other regions' value added."""
        return self._split()[1]

    @property
    def fva(self) -> np.ndarray:
        """FVA_i = sum_j [MBE]_ji, the foreign value added."""
        return self._split()[2]

    @property
    def vax(self) -> np.ndarray:
        r"""Value-added exports of each region (forward view): VAX_i = Σ_j V_i B_ij E_j.

        The value added created in region i and embodied in the exports abroad of every
        region j (its own included), the row sums of VBE: VAX_i = Σ_j [VBE]_ij. Exports abroad
        are final for the domestic system, so VAX_i is region i's value added absorbed abroad
        through the country's exports (Johnson & Noguera 2012, J. Int. Econ. 86(2):224-236;
        KWW 2014 terms 1-3 with foreign demand exogenous).

        Identities: VAX_i = DVA_i + Σ_{j≠i} [VBE]_ij (own exports plus the value added i
        supplies to the other regions' exports); summed over regions,
        Σ_i VAX_i = Σ_j (DVA_j + PVA_j) = Σ_j E_j − Σ_j FVA_j (the same VBE matrix summed by
        rows instead of columns).
        """
        return self.vbe.sum(axis=1)

    def vax_frame(self) -> pd.DataFrame:
        """One row per region: exports, DVA, VAX, the part of VAX in other regions' exports
        (``indirect`` = VAX − DVA) and the ratio VAX / exports (NaN without exports)."""
        import pandas as pd

        e = self.total_exports
        dva = self._split()[0]
        vax = self.vax
        return pd.DataFrame({"exports": e, "dva": dva, "vax": vax, "indirect": vax - dva,
                             "vax_ratio": vax / np.where(e > 0, e, np.nan)},
                            index=pd.Index(self.regions, name="region"))

    def to_frame(self) -> pd.DataFrame:
        """One row per exporting region: exports, DVA, PVA, FVA, shares DVR/PVR/FVR and the residual.

        residual = exports - (DVA + PVA + FVA); it is zero (to rounding) on a column-balanced
        table. Shares are NaN for regions without exports.
        """
        import pandas as pd

        dva, pva, fva = self._split()
        e = self.total_exports
        frame = with_value_added_shares(pd.DataFrame({"exports": e, "dva": dva, "pva": pva, "fva": fva},
                                         index=pd.Index(self.regions, name="region")))
        frame["residual"] = e - dva - pva - fva
        return frame

    def by_sector(self) -> pd.DataFrame:
        """One row per (region, exporting sector): exports, DVA, PVA, FVA and shares."""
        import pandas as pd

        # the split of the multipliers (per unit of each sector's exports), times E_k
        own = np.repeat(np.arange(self._g), self._n)
        dva, pva, fva = (mult * self.exports for mult in value_added_split(self.vb, self.mb, own))
        idx = pd.MultiIndex.from_product([self.regions, self.sectors], names=["region", "sector"])
        frame = pd.DataFrame({"exports": self.exports, "dva": dva, "pva": pva, "fva": fva}, index=idx)
        return with_value_added_shares(frame)

    def by_sector_group(self, groups: str | Mapping[str, str]) -> pd.DataFrame:
        """:meth:`by_sector` summed over sector groups (built-in name or mapping sector -> group)."""
        mapping = sector_group_map(groups, self.sectors)
        frame = self.by_sector().reset_index()
        frame["group"] = frame["sector"].map(mapping)
        order = list(dict.fromkeys(mapping.values()))
        summed = frame.groupby(["region", "group"], sort=False)[["exports", "dva", "pva", "fva"]].sum()
        summed = summed.reindex([(r, gr) for r in self.regions for gr in order])
        return with_value_added_shares(summed)

    def source_matrix(self, kind: str = "pva", *, shares: bool = True) -> pd.DataFrame:
        """Which provinces supply the value added in each province's exports.

        ``kind="pva"``: [VBE]_ji with the diagonal set to zero (rows: source province j,
        columns: exporting province i); with ``shares=True`` each column is divided by
        PVA_i (columns sum to 1; NaN where PVA_i = 0). ``kind="fva"``: [MBE]_ji, through
        whose imports the foreign value added enters (shares of FVA_i). ``kind="vbe"``: the
        full VBE matrix including the diagonal (shares of exports).
        """
        import pandas as pd

        if kind == "pva":
            mat = self.vbe.copy()
            np.fill_diagonal(mat, 0.0)
        elif kind == "fva":
            mat = self.mbe
        elif kind == "vbe":
            mat = self.vbe
        else:
            raise InputError(f"kind must be 'pva', 'fva' or 'vbe', not {kind!r}.")
        if shares:
            denom = self.total_exports if kind == "vbe" else mat.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                mat = np.where(denom[None, :] > 0, mat / np.where(denom > 0, denom, 1.0)[None, :], np.nan)
        return pd.DataFrame(mat, index=pd.Index(self.regions, name="source"),
                            columns=pd.Index(self.regions, name="exporter"))

    def summary(self) -> str:
        frame = self.to_frame()
        e = frame["exports"].sum()
        head = f"Provincial value-added decomposition {self.year or ''}".rstrip() + (" (SYNTHETIC)" if self.synthetic else "")
        lines = [head, f"  {len(self.regions)} regions x {len(self.sectors)} sectors; exports abroad {e:.6g} {self.unit}"]
        if e > 0:
            lines.append(f"  all regions: DVR {frame['dva'].sum() / e:.3f}  PVR {frame['pva'].sum() / e:.3f}  "
                         f"FVR {frame['fva'].sum() / e:.3f}")
        lines.append(f"  max |residual| / exports {np.nanmax(np.abs(frame['residual']) / frame['exports'].where(frame['exports'] > 0)):.2e}"
                     if (frame["exports"] > 0).any() else "  no exports")
        return "\n".join(lines)


_SHARES = {"dva": "dvr", "pva": "pvr", "fva": "fvr"}


def with_value_added_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with the export share of each value-added column it has.

    DVR = DVA / exports, PVR = PVA / exports, FVR = FVA / exports (columns ``dvr``, ``pvr``,
    ``fvr`` for ``dva``, ``pva``, ``fva``), NaN where exports are not positive. The one
    place the shares are computed: for regions, sectors, sector groups, and sums of them
    (shares of sums are computed from the summed levels, never averaged).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.mrio import with_value_added_shares
    >>> frame = pd.DataFrame({"exports": [100.0, 0.0], "dva": [70.0, 0.0], "fva": [30.0, 0.0]}, index=["A", "B"])
    >>> with_value_added_shares(frame)
       exports   dva   fva  dvr  fvr
    A    100.0  70.0  30.0  0.7  0.3
    B      0.0   0.0   0.0  NaN  NaN
    """
    frame = frame.copy()
    e = frame["exports"]
    for level, share in _SHARES.items():
        if level in frame.columns:
            frame[share] = (frame[level] / e.where(e > 0)).astype(float)
    return frame


def decompose_provincial(table: MRIOTable) -> ProvincialDecomposition:
    """DVA, PVA and FVA of every region's exports abroad (formulas in the module docstring).

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable, decompose_provincial
    >>> table = MRIOTable.from_arrays(
    ...     ["A", "B"], ["goods"],
    ...     Z=[[20, 10], [5, 30]], Y=[[40, 10], [5, 35]], E=[20, 25], IM=[10, 20], VA=[65, 40],
    ... )
    >>> result = decompose_provincial(table)
    >>> result.dva.round(3).tolist(), result.pva.round(3).tolist(), result.fva.round(3).tolist()
    ([16.396, 14.414], [0.721, 2.928], [2.883, 7.658])
    >>> shares = result.to_frame()[["dvr", "pvr", "fvr"]]
    >>> shares.sum(axis=1).round(12).tolist()  # DVR + PVR + FVR = 1
    [1.0, 1.0]
    """
    vb, mb = value_added_multipliers(table)
    return ProvincialDecomposition(regions=table.regions, sectors=table.sectors, exports=table.E.copy(),
                                   vb=vb, mb=mb, year=table.year, unit=table.unit, synthetic=table.synthetic)


@dataclass(frozen=True)
class NationalDecomposition:
    """Domestic and foreign value added in the exports of a one-region non-competitive table.

    DVA_k = (v B)_k E_k, FVA_k = (m B)_k E_k per exporting sector k (B = (I - A^D)^-1);
    ``fva_by_product`` (when the table has an import block) = A^M_p B E for each imported
    product p, summing to FVA.

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable, decompose_national
    >>> table = MRIOTable.from_arrays(  # one region, imported inputs by product
    ...     ["China"], ["agr", "man"], Z=[[10, 20], [5, 30]], Y=[[50], [40]], E=[15, 25],
    ...     IM=[5, 15], VA=[75, 35], import_block=[[2, 5], [3, 10]], import_products=("agr", "man"),
    ... )
    >>> result = decompose_national(table)
    >>> print(result.summary())
    National value added in exports China
      exports 40 ; DVA 33.0342 (DVR 0.826); FVA 6.96581 (FVR 0.174)
    >>> result.to_frame()[["exports", "dva", "fva", "dvr", "fvr"]].round(3)
            exports     dva    fva    dvr    fvr
    sector
    agr        15.0  13.910  1.090  0.927  0.073
    man        25.0  19.124  5.876  0.765  0.235
    >>> result.fva_by_source_product().round(3).to_dict()  # sums to FVA
    {'agr': 2.41, 'man': 4.556}
    """

    region: str
    sectors: tuple[str, ...]
    exports: np.ndarray = field(repr=False)
    dva: np.ndarray = field(repr=False)
    fva: np.ndarray = field(repr=False)
    fva_by_product: np.ndarray | None = field(default=None, repr=False)
    import_products: tuple[str, ...] | None = None
    year: int | None = None
    unit: str = ""

    @property
    def dvr(self) -> float:
        """Domestic value-added share of total exports, DVA/1'E."""
        return float(self.dva.sum() / self.exports.sum())

    @property
    def fvr(self) -> float:
        """Foreign value-added share of total exports, FVA/1'E (equals 1 - DVR on a balanced table)."""
        return float(self.fva.sum() / self.exports.sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per exporting sector: exports, DVA, FVA, DVR, FVR, residual."""
        import pandas as pd

        frame = with_value_added_shares(pd.DataFrame({"exports": self.exports, "dva": self.dva, "fva": self.fva},
                                         index=pd.Index(self.sectors, name="sector")))
        frame["residual"] = frame["exports"] - frame["dva"] - frame["fva"]
        return frame

    def fva_by_source_product(self) -> pd.Series | None:
        """FVA split by the imported product that carries it (None without an import block)."""
        import pandas as pd

        if self.fva_by_product is None:
            return None
        return pd.Series(self.fva_by_product, index=pd.Index(list(self.import_products or ()), name="imported_product"), name="fva")

    def summary(self) -> str:
        return (f"National value added in exports {self.region} {self.year or ''}".rstrip() + "\n"
                f"  exports {self.exports.sum():.6g} {self.unit}; DVA {self.dva.sum():.6g} (DVR {self.dvr:.3f}); "
                f"FVA {self.fva.sum():.6g} (FVR {self.fvr:.3f})")


def decompose_national(table: MRIOTable) -> NationalDecomposition:
    """Domestic and foreign value added in exports of a one-region (national) table.

    Examples
    --------
    >>> from exportlens.mrio import MRIOTable, decompose_national
    >>> table = MRIOTable.from_arrays(  # one region, imported inputs by product
    ...     ["China"], ["agr", "man"], Z=[[10, 20], [5, 30]], Y=[[50], [40]], E=[15, 25],
    ...     IM=[5, 15], VA=[75, 35], import_block=[[2, 5], [3, 10]], import_products=("agr", "man"),
    ... )
    >>> result = decompose_national(table)
    >>> round(result.dvr, 4), round(result.fvr, 4), round(result.dvr + result.fvr, 12)
    (0.8259, 0.1741, 1.0)
    """
    if table.n_regions != 1:
        raise InputError(f"decompose_national needs a one-region table; this one has {table.n_regions} regions "
                         "(use decompose_provincial).")
    if table.E.sum() <= 0:
        raise InputError("The table has no exports (E sums to zero).")
    factor = table.leontief_factor()
    vb, mb = factor.solve_transposed(np.column_stack([table.V, table.M])).T
    by_product = None
    if table.import_block is not None:
        # A^M_p B E: one forward solve, then the import coefficients of each product.
        output_for_exports = factor.solve(table.E)
        am = table.import_block * np.where(table.x > 0, 1.0 / np.where(table.x > 0, table.x, 1.0), 0.0)[None, :]
        by_product = am @ output_for_exports
    return NationalDecomposition(region=table.regions[0], sectors=table.sectors, exports=table.E.copy(),
                                 dva=vb * table.E, fva=mb * table.E, fva_by_product=by_product,
                                 import_products=table.import_products, year=table.year, unit=table.unit)
