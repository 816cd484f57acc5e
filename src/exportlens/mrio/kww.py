"""Koopman, Wang & Wei (2014) decomposition of gross exports into nine value-added terms.

For an inter-country table (G countries x N sectors, a closed world: no exports to or
imports from outside the table), B = (I - A)^-1 the global Leontief inverse, L_ss =
(I - A_ss)^-1 the local one, V_s the value-added coefficients of country s, Y_sr final
goods of s absorbed in r and E_s* = sum_{r != s} (A_sr x_r + Y_sr) the gross exports of s
(KWW 2014, AER 104(2), eq. 36; terms as in their Figure 1):

    1 DVA_FIN     V_s B_ss sum_{r!=s} Y_sr
    2 DVA_INT     V_s sum_{r!=s} B_sr Y_rr
    3 DVA_INTrex  V_s sum_{r!=s} sum_{t!=s,r} B_sr Y_rt
    4 RDV_FIN     V_s sum_{r!=s} B_sr Y_rs
    5 RDV_INT     V_s sum_{r!=s} B_sr A_rs L_ss Y_ss
    6 DDC         V_s sum_{r!=s} B_sr A_rs L_ss E_s*
    7 FVA_FIN     sum_{t!=s} V_t B_ts sum_{r!=s} Y_sr
    8 FVA_INT     sum_{t!=s} V_t B_ts sum_{r!=s} A_sr L_rr Y_rr
    9 FDC         sum_{t!=s} V_t B_ts sum_{r!=s} A_sr L_rr E_r*

Identities (tested): terms 1-9 sum to u E_s*; terms 1-6 equal V_s B_ss E_s*; terms 7-9
equal sum_{t!=s} V_t B_ts E_s*. Terms are defined for country totals only (decompr notes
that sector-level KWW is not meaningful), so results are per exporting country.

Numerics: the row vectors V_s B (s = 1..G) come from one transposed LU solve with G
right-hand sides, the local inverses from one N x N LU per country; B is never formed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from exportlens.errors import InputError, OpenTableError
from exportlens.mrio.table import MRIOTable

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["KWW_TERMS", "KWWDecomposition", "OpenTableError", "kww_decomposition"]

KWW_TERMS: tuple[str, ...] = ("DVA_FIN", "DVA_INT", "DVA_INTrex", "RDV_FIN", "RDV_INT", "DDC",
                              "FVA_FIN", "FVA_INT", "FDC")


@dataclass(frozen=True)
class KWWDecomposition:
    """The nine KWW terms per exporting country, with the identity checks.

    Examples
    --------
    >>> from exportlens.mrio import KWW_TERMS, MRIOTable, kww_decomposition
    >>> world = MRIOTable.from_arrays(  # closed: no exports abroad, no imports row
    ...     ["CHN", "USA"], ["goods"], Z=[[20, 10], [5, 30]], Y=[[50, 20], [10, 45]], VA=[75, 50],
    ... )
    >>> result = kww_decomposition(world)
    >>> result.to_frame().loc["CHN", ["DVA_FIN", "DVA_INT", "RDV_FIN", "FVA_FIN", "gross_exports"]].round(3).tolist()
    [18.947, 7.105, 1.579, 1.053, 30.0]
    >>> bool(result.identities().abs().to_numpy().max() < 1e-9)  # the three KWW identities
    True
    >>> print(result.summary())
    KWW decomposition of gross exports
      2 countries; gross exports 45
      shares of world gross exports: DVA_FIN 0.608, DVA_INT 0.216, DVA_INTrex 0.000, ...
      max |identity residual| ...
    """

    regions: tuple[str, ...]
    terms: np.ndarray = field(repr=False)            # G x 9
    gross_exports: np.ndarray = field(repr=False)    # u E_s*
    domestic_content: np.ndarray = field(repr=False)  # V_s B_ss E_s*
    foreign_content: np.ndarray = field(repr=False)   # sum_{t!=s} V_t B_ts E_s*
    year: int | None = None
    unit: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row per exporter: the nine terms, gross exports and the derived aggregates.

        vax = terms 1-3 (value-added exports), rdv = 4-5, dva = 1-5 (domestic value added in
        exports), fva = 7-8, pdc = 6 + 9 (pure double counting).
        """
        import pandas as pd

        frame = pd.DataFrame(self.terms, index=pd.Index(self.regions, name="exporter"), columns=list(KWW_TERMS))
        frame["gross_exports"] = self.gross_exports
        t = self.terms
        frame["vax"] = t[:, 0:3].sum(axis=1)
        frame["rdv"] = t[:, 3:5].sum(axis=1)
        frame["dva"] = t[:, 0:5].sum(axis=1)
        frame["fva"] = t[:, 6:8].sum(axis=1)
        frame["pdc"] = t[:, 5] + t[:, 8]
        return frame

    def identities(self) -> pd.DataFrame:
        """Residuals of the three KWW identities per exporter (zero to rounding)."""
        import pandas as pd

        t = self.terms
        return pd.DataFrame({
            "sum_terms_minus_exports": t.sum(axis=1) - self.gross_exports,
            "terms1_6_minus_VsBssEs": t[:, :6].sum(axis=1) - self.domestic_content,
            "terms7_9_minus_foreign": t[:, 6:].sum(axis=1) - self.foreign_content,
        }, index=pd.Index(self.regions, name="exporter"))

    def summary(self) -> str:
        frame = self.to_frame()
        lines = [f"KWW decomposition of gross exports {self.year or ''}".rstrip(),
                 f"  {len(self.regions)} countries; gross exports {self.gross_exports.sum():.6g} {self.unit}"]
        tot = frame[list(KWW_TERMS)].sum() / self.gross_exports.sum()
        lines.append("  shares of world gross exports: " + ", ".join(f"{k} {v:.3f}" for k, v in tot.items()))
        lines.append(f"  max |identity residual| {np.abs(self.identities().to_numpy()).max():.2e}")
        return "\n".join(lines)


def kww_decomposition(table: MRIOTable, *, closed_tol: float = 1e-9) -> KWWDecomposition:
    """The KWW nine-term decomposition of each country's gross exports (formulas above).

    The table must be a closed inter-country table: exports abroad ``E`` and the imports row
    ``IM`` must be zero (relative to gross output, within ``closed_tol``); otherwise an
    :class:`OpenTableError` names the countries concerned. For provincial tables with
    exports abroad use :func:`exportlens.mrio.decompose.decompose_provincial`.

    Examples
    --------
    >>> from exportlens.mrio import KWW_TERMS, MRIOTable, kww_decomposition
    >>> world = MRIOTable.from_arrays(  # closed: no exports abroad, no imports row
    ...     ["CHN", "USA"], ["goods"], Z=[[20, 10], [5, 30]], Y=[[50, 20], [10, 45]], VA=[75, 50],
    ... )
    >>> terms = kww_decomposition(world).to_frame()
    >>> terms[list(KWW_TERMS)].sum(axis=1).round(9).tolist()  # the nine terms add up to gross exports
    [30.0, 15.0]
    >>> terms[["vax", "dva", "fva", "pdc"]].round(3)
                 vax     dva    fva    pdc
    exporter
    CHN       26.053  28.125  1.447  0.428
    USA       11.053  12.500  2.072  0.428
    """
    g, n = table.n_regions, table.n_sectors
    if g < 2:
        raise InputError("KWW needs at least two countries.")
    scale = max(float(table.x.sum()), 1e-300)
    open_regions = [table.regions[r] for r in range(g)
                    if (table.E[r * n:(r + 1) * n].sum() + table.IM[r * n:(r + 1) * n].sum()) > closed_tol * scale]
    if open_regions:
        raise OpenTableError(
            "KWW applies to closed inter-country tables, but these regions have exports abroad (E) or an "
            f"imports row (IM): {', '.join(open_regions[:10])}. Use decompose_provincial for open tables.")
    from scipy.linalg import lu_factor, lu_solve

    a = table.A
    v = table.V
    factor = table.leontief_factor()
    blocks = [slice(r * n, (r + 1) * n) for r in range(g)]
    masks = np.zeros((g * n, g))
    for s, b in enumerate(blocks):
        masks[b, s] = v[b]
    vb = factor.solve_transposed(masks).T  # row s = V_s B (1 x GN)
    yd = table.final_demand_by_destination()  # GN x G, column r = final demand of r
    z_rows = table.Z

    # Gross exports E_s* (N-vector per country): intermediate and final goods sold abroad.
    exports = np.zeros(g * n)
    for s, b in enumerate(blocks):
        exports[b] = z_rows[b, :].sum(axis=1) - z_rows[b, b].sum(axis=1) + yd[b, :].sum(axis=1) - yd[b, s]
    # Local Leontief solves L_rr Y_rr and L_rr E_r* (stacked into GN-vectors).
    ly_own = np.zeros(g * n)
    le_own = np.zeros(g * n)
    for r, b in enumerate(blocks):
        lu = lu_factor(np.eye(n) - a[b, b], check_finite=False)
        sol = lu_solve(lu, np.column_stack([yd[b, r], exports[b]]), check_finite=False)
        ly_own[b], le_own[b] = sol[:, 0], sol[:, 1]

    terms = np.zeros((g, 9))
    own_content = np.zeros(g)
    foreign_content = np.zeros(g)
    gross = np.zeros(g)
    y_total = yd.sum(axis=1)
    for s, bs in enumerate(blocks):
        vbs = vb[s]
        y_s_abroad = yd[bs, :].sum(axis=1) - yd[bs, s]
        t1 = vbs[bs] @ y_s_abroad
        t2 = t3 = t4 = 0.0
        for r, br in enumerate(blocks):
            if r == s:
                continue
            t2 += vbs[br] @ yd[br, r]
            t3 += vbs[br] @ (y_total[br] - yd[br, r] - yd[br, s])
            t4 += vbs[br] @ yd[br, s]
        # sum_{r!=s} V_s B_sr A_rs: the whole column block minus the own-region part
        vba = vbs @ a[:, bs] - vbs[bs] @ a[bs, bs]
        t5 = vba @ ly_own[bs]
        t6 = vba @ le_own[bs]
        fv = vb[:, bs].sum(axis=0) - vbs[bs]  # sum_{t!=s} V_t B_ts
        # sum_{r!=s} A_sr L_rr Y_rr and ... E_r*: full row block minus the own-region part
        a_ly = a[bs, :] @ ly_own - a[bs, bs] @ ly_own[bs]
        a_le = a[bs, :] @ le_own - a[bs, bs] @ le_own[bs]
        t7 = fv @ y_s_abroad
        t8 = fv @ a_ly
        t9 = fv @ a_le
        terms[s] = [t1, t2, t3, t4, t5, t6, t7, t8, t9]
        gross[s] = exports[bs].sum()
        own_content[s] = vbs[bs] @ exports[bs]
        foreign_content[s] = fv @ exports[bs]
    return KWWDecomposition(regions=table.regions, terms=terms, gross_exports=gross,
                            domestic_content=own_content, foreign_content=foreign_content,
                            year=table.year, unit=table.unit)
