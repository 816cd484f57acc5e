"""Spatial weights: contiguity table, constructors, checks, libpysal round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import IslandRegionError, SpatialWeightsError, UnknownRegionError
from exportlens.regions import distance_matrix, province_codes
from exportlens.spatial import (
    LAND_BORDERS,
    contiguity_weights,
    economic_distance_weights,
    from_libpysal,
    from_matrix,
    inverse_distance_weights,
    knn_weights,
    nested_weights,
    to_libpysal,
)
from exportlens.spatial.contiguity import neighbours


def test_contiguity_is_symmetric_and_everyone_has_a_neighbour():
    w = contiguity_weights(row_standardise=False)
    m = w.dense()
    assert np.array_equal(m, m.T)
    assert w.islands() == []
    assert (m.sum(axis=1) >= 1).all()
    # every pair is stored once and links two distinct mainland provinces
    assert len(set(map(frozenset, LAND_BORDERS))) == len(LAND_BORDERS)
    assert all(a != b and a in province_codes() and b in province_codes() for a, b in LAND_BORDERS)
    # spot checks from the map: Hebei surrounds Beijing and Tianjin; Shanghai has two neighbours
    nb = neighbours()
    assert nb[110000] == [120000, 130000]
    assert nb[310000] == [320000, 330000]
    assert set(nb[150000]) == {130000, 140000, 210000, 220000, 230000, 610000, 620000, 640000}
    assert nb[460000] == [440000]  # Hainan by the default convention


def test_hainan_conventions():
    two = neighbours("guangdong_guangxi")
    assert two[460000] == [440000, 450000]
    iso = contiguity_weights(hainan="isolated")
    assert iso.islands() == [460000]
    with pytest.raises(IslandRegionError, match="460000"):
        iso.require_no_islands("a spatial panel model")
    with pytest.raises(SpatialWeightsError):
        contiguity_weights(hainan="bridge")  # type: ignore[arg-type]


def test_row_standardisation_and_inverse_distance_formula():
    w = inverse_distance_weights(theta=2.0, unit="100km", row_standardise=False)
    d = distance_matrix(unit="100km").to_numpy()
    off = ~np.eye(31, dtype=bool)
    assert np.allclose(w.dense()[off], d[off] ** -2.0)
    r = w.row_standardise()
    assert np.allclose(r.row_sums(), 1.0)
    # after row standardisation the unit cancels
    assert np.allclose(inverse_distance_weights(unit="km").dense(), inverse_distance_weights(unit="1000km").dense())
    cut = inverse_distance_weights(cutoff=10.0, unit="100km", row_standardise=False).dense()
    assert np.all(cut[d > 10.0] == 0) and np.all(cut[(d <= 10.0) & off] > 0)


def test_knn_counts_and_neighbours_are_nearest():
    w = knn_weights(5)
    assert w.is_sparse
    assert (w.cardinalities() == 5).all()
    assert np.allclose(w.row_sums(), 1.0)
    d = distance_matrix(unit="km").to_numpy().copy()
    np.fill_diagonal(d, np.inf)
    m = w.dense()
    for i in range(31):
        assert set(np.flatnonzero(m[i])) == set(np.argsort(d[i])[:5])


def test_knn_from_coordinates_generic_regions():
    rng = np.random.default_rng(1)
    xy = np.column_stack([rng.uniform(20, 45, 50), rng.uniform(90, 120, 50)])
    w = knn_weights(3, [f"c{i}" for i in range(50)], coordinates=xy)
    assert w.regions[0] == "c0" and (w.cardinalities() == 3).all()


def test_economic_and_nested_weights():
    codes = province_codes()
    panel = pd.DataFrame({"code": np.repeat(codes, 2), "year": np.tile([2020, 2021], 31),
                          "gdp_pc": np.repeat(np.arange(31) * 1.5 + 3.0, 2) + np.tile([0.0, 1.0], 31)})
    e = economic_distance_weights(panel, "gdp_pc", row_standardise=False)
    ybar = np.arange(31) * 1.5 + 3.5
    assert e.dense()[0, 1] == pytest.approx(1 / 1.5)
    assert e.dense()[0, 30] == pytest.approx(1 / abs(ybar[0] - ybar[30]))
    g = inverse_distance_weights(row_standardise=False)
    nest = nested_weights(g, e)
    prod = g.dense() * e.dense()
    assert np.allclose(nest.dense(), prod / prod.sum(axis=1, keepdims=True))
    # invariant to standardising the inputs first
    assert np.allclose(nested_weights(g.row_standardise(), e.row_standardise()).dense(), nest.dense())


def test_from_matrix_reorders_and_checks(tmp_path):
    w = contiguity_weights(row_standardise=False)
    f = w.to_frame()
    f.index = [str(c) for c in f.index]
    f.columns = [str(c) for c in f.columns]
    path = tmp_path / "w.csv"
    f.to_csv(path)
    back = from_matrix(path, row_standardise=False)
    assert np.array_equal(back.dense(), w.dense())
    # names instead of codes, regions in another order
    names = pd.DataFrame(w.dense(), index=[f"{c}" for c in w.regions], columns=[f"{c}" for c in w.regions])
    order = list(reversed(province_codes()))
    rev = from_matrix(names, order, row_standardise=True)
    assert rev.regions == tuple(order)
    assert np.allclose(rev.dense(), contiguity_weights().aligned(order).dense())
    # Excel
    xl = tmp_path / "w.xlsx"
    f.to_excel(xl)
    assert np.array_equal(from_matrix(xl, row_standardise=False).dense(), w.dense())


def test_from_matrix_bad_input():
    w = contiguity_weights(row_standardise=False).to_frame()
    with pytest.raises(SpatialWeightsError, match="square"):
        from_matrix(w.iloc[:, :-1])
    bad = w.copy()
    bad.iloc[0, 1] = -1.0
    with pytest.raises(SpatialWeightsError, match="negative"):
        from_matrix(bad)
    bad = w.copy()
    bad.iloc[2, 3] = np.nan
    with pytest.raises(SpatialWeightsError, match="NaN"):
        from_matrix(bad)
    bad = w.rename(index={110000: "Atlantis"}, columns={110000: "Atlantis"})
    with pytest.raises((SpatialWeightsError, UnknownRegionError), match="Atlantis"):
        from_matrix(bad)
    with pytest.raises(SpatialWeightsError, match="do not match"):
        from_matrix(w, province_codes()[:30])
    bad = w.copy()
    bad.iloc[0, 0] = 1.0
    with pytest.raises(SpatialWeightsError, match="diagonal"):
        from_matrix(bad)


def test_libpysal_round_trip():
    pytest.importorskip("libpysal")
    w = knn_weights(4)
    lw = to_libpysal(w)
    assert lw.n == 31 and lw.transform == "R"
    assert np.allclose(lw.sparse.toarray(), w.dense())
    back = from_libpysal(lw)
    assert back.regions == w.regions and back.row_standardised
    assert np.allclose(back.dense(), w.dense())
    c = contiguity_weights(row_standardise=False)
    lc = to_libpysal(c)
    assert sorted(lc.neighbors[460000]) == [440000]
    assert np.array_equal(from_libpysal(lc).dense(), c.dense())


def test_from_matrix_generic_regions(tmp_path):
    m = np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]], dtype=float)
    f = pd.DataFrame(m, index=["110101", "110102", "110105"], columns=["110101", "110102", "110105"])
    path = tmp_path / "county.csv"
    f.to_csv(path)
    w = from_matrix(path, [110105, 110101, 110102], provinces=False)
    assert w.regions == (110105, 110101, 110102)
    assert np.allclose(w.row_sums(), 1.0)
    with pytest.raises(SpatialWeightsError, match="do not match"):
        from_matrix(path, [110101, 110102], provinces=False)
