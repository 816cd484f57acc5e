"""Region sets (registry provinces or a user's region table), dense and sparse Vag, and the
resilience study on generated city (300) and county (2,850) panels, checked against plain numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.regions_demo import synthetic_region_panel, synthetic_regions
from exportlens.errors import (
    AmbiguousRegionError,
    InputError,
    MissingColumnError,
    StudySpecError,
    UnknownRegionError,
)
from exportlens.measures import virtual_agglomeration
from exportlens.regions import RegionSet, distance_matrix, haversine_km, haversine_matrix
from exportlens.studies.resilience import ResilienceStudySpec, run_resilience_study

KW = {"region": "region", "time": "year", "sector_employment": "ict_emp", "total_employment": "total_emp"}


def numpy_haversine(lat, lon):
    """Independent haversine: the textbook formula broadcast over all pairs."""
    p, lam = np.radians(lat), np.radians(lon)
    dp = p[None, :] - p[:, None]
    dl = lam[None, :] - lam[:, None]
    h = np.sin(dp / 2) ** 2 + np.cos(p)[:, None] * np.cos(p)[None, :] * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def numpy_vag(panel: pd.DataFrame, regions: pd.DataFrame, *, unit_km: float, theta: float, mask=None):
    """Independent Vag: LQ from the raw columns, W = d^-theta with w_ii = 1, Vag = W @ LQ per year."""
    order = {n: i for i, n in enumerate(regions["name"])}
    out = pd.Series(np.nan, index=panel.index)
    D = numpy_haversine(regions["lat"].to_numpy(), regions["lon"].to_numpy()) / unit_km
    with np.errstate(divide="ignore"):
        W = D ** (-theta)
    if mask is not None:
        W = np.where(mask, W, 0.0)
    np.fill_diagonal(W, 1.0)
    for _, g in panel.groupby("year"):
        lq = (g["ict_emp"] / g["total_emp"]) / (g["ict_emp"].sum() / g["total_emp"].sum())
        vec = np.zeros(len(regions))
        pos = g["region"].map(order).to_numpy()
        vec[pos] = lq.to_numpy()
        out[g.index] = (W @ vec)[pos]
    return out.to_numpy()


@pytest.fixture(scope="module")
def cities():
    return synthetic_regions(300, seed=3)


@pytest.fixture(scope="module")
def city_panel(cities):
    return synthetic_region_panel(cities, years=6)


# --- region tables ----------------------------------------------------------------------


def test_haversine_matrix_equals_haversine_km(cities):
    lat, lon = cities["lat"].to_numpy(), cities["lon"].to_numpy()
    ref = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(ref, 0.0)
    np.testing.assert_allclose(haversine_matrix(lat, lon), ref, rtol=1e-10, atol=1e-7)
    np.testing.assert_allclose(haversine_matrix(lat, lon), numpy_haversine(lat, lon), rtol=1e-10, atol=1e-7)


def test_registry_set_matches_distance_matrix():
    rs = RegionSet.provinces()
    assert len(rs) == 31 and rs.is_registry
    np.testing.assert_array_equal(rs.distances(unit="100km"), distance_matrix(unit="100km").to_numpy())
    assert list(rs.resolve(["北京市", "Guangdong", 310000])) == [110000, 440000, 310000]
    assert rs.group([110000], "nbs4").iloc[0] == "east"


def test_table_resolution_and_groups(cities, tmp_path):
    path = tmp_path / "cities.csv"
    cities.assign(name=cities["name"] + "市").to_csv(path, index=False)
    rs = RegionSet.from_table(path, groups=["group", "province"])
    assert len(rs) == 300 and rs.grouping_names() == ["group", "province"]
    # codes as numbers or text, names with or without the suffix
    got = rs.resolve(pd.Series([100000, "100001", "R00002市", "R00003"]))
    assert list(got) == ["100000", "100001", "100002", "100003"]
    assert list(rs.group(got, "group")) == list(cities["group"].iloc[:4])
    assert rs.group_order("group") == sorted(set(cities["group"]))
    with pytest.raises(UnknownRegionError, match="Atlantis"):
        rs.resolve(["R00001", "Atlantis"])
    with pytest.raises(InputError, match="no group column"):
        rs.group(got, "nope")


def test_table_validation(cities):
    with pytest.raises(InputError, match=r"duplicated region code.*'100000'"):
        RegionSet.from_table(pd.concat([cities, cities.iloc[[0]]]))
    with pytest.raises(InputError, match=r"missing or non-numeric latitude.*row 5"):
        RegionSet.from_table(cities.assign(lat=cities["lat"].where(cities.index != 5)))
    with pytest.raises(InputError, match="without a name"):
        RegionSet.from_table(cities.assign(name=cities["name"].where(cities.index != 7)))
    with pytest.raises(InputError, match="swapped"):
        RegionSet.from_table(cities.assign(lat=cities["lon"]))
    with pytest.raises(MissingColumnError, match=r"\[regions\] longitude = 'x'"):
        RegionSet.from_table(cities, longitude="x", where="[regions] ")
    with pytest.raises(AmbiguousRegionError, match="several regions"):
        RegionSet.from_table(cities.assign(name="same")).resolve(["same"])


# --- Vag: dense and sparse --------------------------------------------------------------


def test_vag_with_region_set_equals_numpy(cities, city_panel):
    rs = RegionSet.from_table(cities)
    res = virtual_agglomeration(city_panel, **KW, unit="100km", regions=rs)
    ref = numpy_vag(city_panel, cities, unit_km=100.0, theta=1.0)
    np.testing.assert_allclose(res.values["vag"].to_numpy(), ref, rtol=1e-10)
    assert res.source == "regions"
    # the same through a user distance matrix (the fast, already-ordered path) and theta = 1.5
    D = pd.DataFrame(numpy_haversine(cities["lat"].to_numpy(), cities["lon"].to_numpy()) / 100.0,
                     index=cities["name"], columns=cities["name"])
    res2 = virtual_agglomeration(city_panel, **KW, unit="100km", theta=1.5, distances=D,
                                 provinces_resolved_by_registry=False)
    np.testing.assert_allclose(res2.values["vag"].to_numpy(),
                               numpy_vag(city_panel, cities, unit_km=100.0, theta=1.5), rtol=1e-10)
    bad = D.copy()
    bad.iloc[3, 4] = 0.0
    with pytest.raises(InputError, match="must be positive"):
        virtual_agglomeration(city_panel, **KW, unit="100km", distances=bad, provinces_resolved_by_registry=False)


def test_sparse_cutoff_beyond_all_distances_equals_dense(cities, city_panel):
    rs = RegionSet.from_table(cities)
    dense = virtual_agglomeration(city_panel, **KW, unit="100km", regions=rs, row_standardise=True)
    sparse = virtual_agglomeration(city_panel, **KW, unit="100km", regions=rs, row_standardise=True, cutoff=100.0)
    np.testing.assert_allclose(sparse.values["vag"], dense.values["vag"], rtol=1e-10)
    np.testing.assert_allclose(sparse.sparse_weights.toarray(), dense.weights.to_numpy(), rtol=1e-10)
    assert sparse.weights is None and "regions" in sparse.summary()
    np.testing.assert_allclose(sparse.neighbour_share(), dense.neighbour_share(), rtol=1e-10)


def test_sparse_cutoff_and_knn_equal_masked_dense(cities, city_panel):
    rs = RegionSet.from_table(cities)
    D = numpy_haversine(cities["lat"].to_numpy(), cities["lon"].to_numpy())
    np.fill_diagonal(D, np.inf)
    # cutoff 300 km: weight only for pairs within 300 km
    res = virtual_agglomeration(city_panel, **KW, unit="100km", regions=rs, cutoff=3.0)
    ref = numpy_vag(city_panel, cities, unit_km=100.0, theta=1.0, mask=D <= 300.0)
    np.testing.assert_allclose(res.values["vag"], ref, rtol=1e-10)
    # 5 nearest neighbours (argsort of the independent distances)
    knn = np.zeros_like(D, dtype=bool)
    np.put_along_axis(knn, np.argsort(D, axis=1)[:, :5], True, axis=1)
    res = virtual_agglomeration(city_panel, **KW, unit="100km", regions=rs, k_neighbours=5)
    ref = numpy_vag(city_panel, cities, unit_km=100.0, theta=1.0, mask=knn)
    np.testing.assert_allclose(res.values["vag"], ref, rtol=1e-10)
    i, j, dist = rs.neighbour_pairs(unit="km", k=5)
    assert len(i) == 5 * len(cities) and (i != j).all() and (dist > 0).all()
    with pytest.raises(InputError, match="not both"):
        rs.neighbour_pairs(unit="km", k=5, cutoff=1.0)


def test_sparse_on_registry_provinces():
    from exportlens.datasets.demo import resilience_demo_panel

    panel = resilience_demo_panel()
    kw = {**KW, "region": "province"}
    dense = virtual_agglomeration(panel, **kw, unit="1000km")
    sparse = virtual_agglomeration(panel, **kw, unit="1000km", cutoff=100.0)
    np.testing.assert_allclose(sparse.values["vag"], dense.values["vag"], rtol=1e-10)


# --- the resilience study at city and county scale ---------------------------------------


def _study(regions: pd.DataFrame, panel: pd.DataFrame, tmp_path, **extra):
    path = tmp_path / "regions.csv"
    regions.to_csv(path, index=False)
    spec = ResilienceStudySpec(entity="region", regions_table=str(path), region_grouping="group",
                               unit="100km", **extra)
    return run_resilience_study(panel, spec)


def test_study_on_300_cities(cities, city_panel, tmp_path):
    res = _study(cities, city_panel, tmp_path)
    frame = res.panel.sort_values(["region", "year"])
    ref = numpy_vag(city_panel, cities, unit_km=100.0, theta=1.0)
    expected = pd.Series(ref, index=pd.MultiIndex.from_frame(city_panel[["region", "year"]]))
    got = frame.set_index(["region", "year"])["vag"]
    np.testing.assert_allclose(got.to_numpy(), expected.reindex(got.index).to_numpy(), rtol=1e-10)
    assert set(res.heterogeneity) == set(cities["group"])
    assert res.stepwise[0].nobs == 300 * 5  # first year has no SL (k = 1)
    t5 = res.tables("en")["table5"].to_markdown()
    assert "G1" in t5 and "G4" in t5


def test_study_file_regions_section(cities, city_panel, tmp_path):
    (tmp_path / "cities.csv").write_text(cities.to_csv(index=False), encoding="utf-8")
    (tmp_path / "study.toml").write_text(
        '[data]\nentity = "region"\nexclude = ["R00000"]\n[agglomeration]\nunit = "100km"\n'
        '[regions]\ntable = "cities.csv"\ngrouping = "province"\n', encoding="utf-8")
    spec = ResilienceStudySpec.from_toml(tmp_path / "study.toml")
    assert spec.table5_grouping == "province" and spec.regions_table is not None
    res = run_resilience_study(city_panel, spec)
    assert "100000" not in set(res.panel["code"])
    assert any("Excluded" in n for n in res.notes)
    with pytest.raises(StudySpecError, match=r"\[regions\] grouping"):
        ResilienceStudySpec(regions_table="cities.csv").check()


def test_study_on_2850_counties(tmp_path):
    counties = synthetic_regions(2850, seed=5)
    panel = synthetic_region_panel(counties, years=5, seed=6)
    res = _study(counties, panel, tmp_path, lags=[1])
    frame = res.panel.set_index(["region", "year"])["vag"]
    ref = pd.Series(numpy_vag(panel, counties, unit_km=100.0, theta=1.0),
                    index=pd.MultiIndex.from_frame(panel[["region", "year"]]))
    np.testing.assert_allclose(frame.to_numpy(), ref.reindex(frame.index).to_numpy(), rtol=1e-10)
    assert res.stepwise[-1].nobs == 2850 * 4
