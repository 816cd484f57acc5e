"""KWW nine-term decomposition: published numbers (decompr's 3 x 3 leather data), identities,
an independent explicit-inverse implementation, invariance and input errors."""

from __future__ import annotations

import numpy as np
import pytest

from exportlens.datasets.demo_mrio import random_mrio_table
from exportlens.errors import InputError
from exportlens.mrio import KWW_TERMS, MRIOTable, OpenTableError, kww_decomposition

# decompr's `leather` example (bquast/decompr, _posts/2015-01-06-leather-data.md):
# 3 countries x 3 industries, one final-demand column per destination country.
LEATHER_INTER = np.array([
    [16.1, 5.1, 1.8, 3.2, 4.3, 0.4, 3.1, 2.8, 4.9],
    [2.4, 8.0, 3.2, 0.1, 3.2, 1.6, 1.2, 3.9, 11.5],
    [0.9, 0.5, 4.0, 0.0, 0.1, 0.3, 0.0, 0.4, 0.5],
    [1.1, 1.9, 0.2, 18.0, 13.2, 6.1, 9.0, 3.1, 8.9],
    [0.3, 2.8, 0.1, 6.1, 28.1, 6.3, 2.1, 2.5, 25.6],
    [0.0, 0.1, 0.3, 4.1, 3.2, 8.9, 0.2, 0.0, 1.8],
    [1.2, 4.2, 0.3, 4.1, 1.2, 0.6, 29.0, 19.5, 17.9],
    [1.3, 1.1, 0.0, 3.2, 4.8, 2.6, 5.1, 29.1, 24.1],
    [2.1, 1.4, 3.0, 4.1, 3.1, 3.9, 11.3, 8.1, 51.3],
])
LEATHER_FINAL = np.array([
    [21.5, 6.1, 8.4], [16.2, 1.9, 5.1], [11.0, 0.5, 0.8], [7.5, 29.5, 14.2], [8.9, 24.9, 16.9],
    [1.2, 18.5, 4.9], [9.2, 17.9, 51.2], [7.9, 10.1, 38.5], [25.1, 35.2, 68.4],
])
LEATHER_OUT = np.array([77.7, 58.3, 19.0, 112.7, 124.6, 43.2, 156.3, 127.8, 217.0])

# decompr's published WWZ output for the leather data, sub.TOTAL rows per exporting sector
# (columns DVA_FIN, DVA_INT, DVA_INTrexI1, DVA_INTrexF, DVA_INTrexI2, RDV_INT, RDV_FIN,
# RDV_FIN2, OVA_FIN, MVA_FIN, OVA_INT, MVA_INT), mapped to KWW with decompr's wwz2kww
# (WWZ 2013, Table E2): T1 = DVA_FIN, T2 = DVA_INT + DVA_INTrexI1, T3 = DVA_INTrexF +
# DVA_INTrexI2, T4 = RDV_FIN + RDV_FIN2, T5 = RDV_INT, T7 = OVA_FIN + MVA_FIN,
# T8 = OVA_INT + MVA_INT.
WWZ_SUBTOTALS = {
    "Argentina": [
        [13.0130022, 7.7869640, 1.54935955, 3.48153856, 0.689074047, 0.409964582, 2.11195132, 0.431602581,
         0.70636664, 0.78063119, 0.39055596, 0.47566461],
        [5.4174515, 8.0558948, 1.05937911, 3.55947452, 0.475450753, 0.396856764, 2.31640701, 0.273611074,
         0.74541044, 0.83713807, 1.07468254, 1.25143467],
        [0.9189510, 0.4656839, 0.05391133, 0.18168696, 0.024265939, 0.019151040, 0.11214239, 0.013786703,
         0.17648311, 0.20456591, 0.08714872, 0.10913009],
    ],
    "Turkey": [
        [18.1694090, 10.3066170, 0.86835031, 2.78690374, 0.232032845, 0.847960135, 3.91302425, 0.240219299,
         1.56001837, 1.97057264, 0.70077744, 1.28410412],
        [20.9512373, 13.0529806, 1.08881214, 4.20211286, 0.268355245, 1.101245417, 5.71131537, 0.275100223,
         2.35227588, 2.49648684, 1.38128298, 1.62288228],
        [4.2739675, 0.8327955, 0.05722090, 0.23693884, 0.013709897, 0.058372562, 0.32259360, 0.013542308,
         0.72044567, 1.10558686, 0.14900931, 0.22164167],
    ],
    "Germany": [
        [23.1560514, 4.0802941, 0.39863671, 0.75723948, 0.076311301, 1.557699850, 1.54383794, 0.161668766,
         1.75553973, 2.18840885, 0.34410636, 0.34548741],
        [14.9341290, 4.4784463, 0.30929378, 0.93919242, 0.051154728, 1.531880280, 1.95878218, 0.104223370,
         1.52522593, 1.54064502, 0.44590645, 0.47022558],
        [40.6408278, 5.6435788, 0.32942045, 0.86717168, 0.057394046, 1.344011469, 1.80146580, 0.119691243,
         9.35824209, 10.30093006, 1.36272675, 1.48657167],
    ],
}

# decompr's published "leontief" output (value-added origin of gross exports, diag(V) B diag(E)):
# the column of Argentina.Agriculture and the first row (Argentina.Agriculture's VA in Argentina's sectors).
LEONTIEF_COLUMN_1 = [28.52278143, 1.06206936, 0.21043693, 0.71952151, 0.41201175, 0.03482652, 0.92530356,
                     0.64666560, 0.66638333]
LEONTIEF_ROW_1 = [28.52278143, 2.79395126, 0.35606694, 1.81066955, 3.1173841, 0.35901126, 1.2364172,
                  1.30283802, 4.1208736]


@pytest.fixture(scope="module")
def leather() -> MRIOTable:
    va = LEATHER_OUT - LEATHER_INTER.sum(axis=0)  # decompr derives value added as output minus inputs
    return MRIOTable.from_arrays(["Argentina", "Turkey", "Germany"], ["Agriculture", "Textile", "Transport"],
                                 LEATHER_INTER, LEATHER_FINAL, VA=va, x=LEATHER_OUT)


def _kww_from_wwz(rows: list[list[float]]) -> dict[str, float]:
    s = np.array(rows).sum(axis=0)
    return {"DVA_FIN": s[0], "DVA_INT": s[1] + s[2], "DVA_INTrex": s[3] + s[4], "RDV_FIN": s[6] + s[7],
            "RDV_INT": s[5], "FVA_FIN": s[8] + s[9], "FVA_INT": s[10] + s[11]}


def test_leather_matches_decompr_published_numbers(leather):
    frame = kww_decomposition(leather).to_frame()
    for country, rows in WWZ_SUBTOTALS.items():
        for term, value in _kww_from_wwz(rows).items():
            assert frame.loc[country, term] == pytest.approx(value, abs=5e-7), (country, term)


def test_leather_leontief_output_matches_decompr(leather):
    e = np.zeros(9)
    for s in range(3):
        b = slice(3 * s, 3 * s + 3)
        e[b] = LEATHER_INTER[b].sum(axis=1) - LEATHER_INTER[b, b].sum(axis=1) + LEATHER_FINAL[b].sum(axis=1) \
            - LEATHER_FINAL[b, s]
    vbe = np.diag(leather.V) @ leather.leontief_inverse() @ np.diag(e)
    np.testing.assert_allclose(vbe[:, 0], LEONTIEF_COLUMN_1, atol=5e-8)
    np.testing.assert_allclose(vbe[0, :], LEONTIEF_ROW_1, atol=5e-7)


def test_leather_gross_exports(leather):
    k = kww_decomposition(leather)
    # Argentina: intermediate exports 18.7 + final exports 14.5 (sector 1) ... = 64.3 in total
    np.testing.assert_allclose(k.gross_exports, [64.3, 113.6, 147.6], rtol=1e-12)


def independent_kww(t: MRIOTable) -> np.ndarray:
    """Equation (36) of KWW (2014) term by term with explicit inverses and loops."""
    g, n = t.n_regions, t.n_sectors
    a = t.Z / t.x[None, :]
    v = t.VA.sum(axis=0) / t.x
    b = np.linalg.inv(np.eye(g * n) - a)
    blk = [slice(r * n, (r + 1) * n) for r in range(g)]
    k = len(t.categories)
    yd = t.Y.reshape(g * n, g, k).sum(axis=2)

    def Y(s, r):
        return yd[blk[s], r]

    def A(s, r):
        return a[blk[s], blk[r]]

    def B(s, r):
        return b[blk[s], blk[r]]

    def L(s):
        return np.linalg.inv(np.eye(n) - A(s, s))

    def V(s):
        return v[blk[s]]

    xs = [t.x[blk[r]] for r in range(g)]
    E = [sum(A(s, r) @ xs[r] + Y(s, r) for r in range(g) if r != s) for s in range(g)]
    out = np.zeros((g, 9))
    for s in range(g):
        others = [r for r in range(g) if r != s]
        out[s, 0] = V(s) @ B(s, s) @ sum(Y(s, r) for r in others)
        out[s, 1] = V(s) @ sum(B(s, r) @ Y(r, r) for r in others)
        out[s, 2] = V(s) @ sum(B(s, r) @ Y(r, q) for r in others for q in range(g) if q not in (s, r))
        out[s, 3] = V(s) @ sum(B(s, r) @ Y(r, s) for r in others)
        out[s, 4] = V(s) @ sum(B(s, r) @ A(r, s) @ L(s) @ Y(s, s) for r in others)
        out[s, 5] = V(s) @ sum(B(s, r) @ A(r, s) @ L(s) @ E[s] for r in others)
        fv = sum(V(q) @ B(q, s) for q in others)
        out[s, 6] = fv @ sum(Y(s, r) for r in others)
        out[s, 7] = fv @ sum(A(s, r) @ L(r) @ Y(r, r) for r in others)
        out[s, 8] = fv @ sum(A(s, r) @ L(r) @ E[r] for r in others)
    return out


@pytest.mark.parametrize(("g", "n", "seed"), [(3, 2, 0), (4, 3, 1), (5, 4, 2)])
def test_agrees_with_independent_implementation(g, n, seed):
    t = random_mrio_table(g, n, seed=seed, closed=True, n_categories=2)
    np.testing.assert_allclose(kww_decomposition(t).terms, independent_kww(t), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("g", "n", "seed"), [(2, 5, 3), (6, 3, 4), (8, 2, 5)])
def test_identities_on_random_closed_tables(g, n, seed):
    t = random_mrio_table(g, n, seed=seed, closed=True)
    k = kww_decomposition(t)
    scale = k.gross_exports.max()
    np.testing.assert_allclose(k.identities().to_numpy(), 0.0, atol=1e-10 * scale)
    # gross exports computed independently from the flows
    blk = [slice(r * n, (r + 1) * n) for r in range(g)]
    yd = t.final_demand_by_destination()
    for s in range(g):
        e = t.Z[blk[s], :].sum() - t.Z[blk[s], blk[s]].sum() + yd[blk[s], :].sum() - yd[blk[s], s].sum()
        assert k.gross_exports[s] == pytest.approx(e, rel=1e-12)
    assert (k.terms >= -1e-12).all()
    f = k.to_frame()
    np.testing.assert_allclose(f["vax"] + f["rdv"] + f["fva"] + f["pdc"], f["gross_exports"], rtol=1e-10)
    assert list(f.columns[:9]) == list(KWW_TERMS)


def test_permutation_invariance():
    t = random_mrio_table(4, 3, seed=6, closed=True)
    base = kww_decomposition(t).to_frame()
    order = ["R3", "R1", "R4", "R2"]
    perm = kww_decomposition(t.permuted(order)).to_frame()
    np.testing.assert_allclose(perm.loc[base.index].to_numpy(), base.to_numpy(), rtol=1e-10, atol=1e-12)


def test_open_table_is_rejected_with_region_names():
    t = random_mrio_table(3, 2, seed=1)
    with pytest.raises(OpenTableError, match=r"R1.*R2.*R3"):
        kww_decomposition(t)
    with pytest.raises(InputError, match="two countries"):
        kww_decomposition(random_mrio_table(1, 3, seed=1, closed=True))
