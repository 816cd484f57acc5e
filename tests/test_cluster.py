"""Cluster measures: a hand-computed 2 x 2 case, an independent numpy implementation,
accounting identities on the real NBS employment-by-industry table, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import InputError, NonPositiveValueError
from exportlens.measures.agglomeration import location_quotient
from exportlens.measures.cluster import (
    cluster_measures,
    herfindahl_index,
    krugman_index,
    location_quotients,
)


@pytest.fixture()
def two_by_two() -> pd.DataFrame:
    # e = [[10, 30], [20, 40]]: region totals 40, 60; industry totals 30, 70; E = 100
    return pd.DataFrame({
        "region": ["A", "A", "B", "B"],
        "industry": ["x", "y", "x", "y"],
        "emp": [10.0, 30.0, 20.0, 40.0],
    })


def test_hand_computed_two_by_two(two_by_two):
    res = cluster_measures(two_by_two, region="region", industry="industry", value="emp")
    lq = res.lq.set_index(["region", "industry"])["lq"]
    assert lq[("A", "x")] == pytest.approx((10 / 40) / (30 / 100))
    assert lq[("A", "y")] == pytest.approx((30 / 40) / (70 / 100))
    assert lq[("B", "x")] == pytest.approx((20 / 60) / 0.3)
    assert lq[("B", "y")] == pytest.approx((40 / 60) / 0.7)
    conc = res.concentration.set_index("industry")
    assert conc.loc["x", "herfindahl"] == pytest.approx(5 / 9)  # (1/3)² + (2/3)²
    assert conc.loc["y", "herfindahl"] == pytest.approx(25 / 49)  # (3/7)² + (4/7)²
    assert conc.loc["x", "herfindahl_normalised"] == pytest.approx((5 / 9 - 0.5) / 0.5)
    spec = res.specialisation.set_index("region")
    assert spec.loc["A", "herfindahl"] == pytest.approx(0.625)  # 0.25² + 0.75²
    assert spec.loc["B", "herfindahl"] == pytest.approx(5 / 9)
    assert spec.loc["A", "krugman"] == pytest.approx(0.1)  # |0.25 − 0.3| + |0.75 − 0.7|
    assert spec.loc["B", "krugman"] == pytest.approx(1 / 15)  # |1/3 − 0.3| + |2/3 − 0.7|
    rest = krugman_index(two_by_two, region="region", industry="industry", value="emp", reference="rest")
    # against the other region: |0.25 − 1/3| + |0.75 − 2/3| = 1/6 for both
    np.testing.assert_allclose(rest["krugman"], [1 / 6, 1 / 6])
    wide = res.lq_matrix()
    assert wide.loc["B", "y"] == pytest.approx((40 / 60) / 0.7)
    full = res.to_frame()
    assert {"krugman", "herfindahl", "herfindahl_industry", "n_regions", "share_region"} <= set(full.columns)
    assert len(full) == 4
    assert "Krugman" in res.summary()


def test_krugman_extremes():
    disjoint = pd.DataFrame({"r": ["A", "A", "B", "B"], "j": ["x", "y", "x", "y"], "v": [5.0, 0.0, 0.0, 7.0]})
    k = krugman_index(disjoint, region="r", industry="j", value="v", reference="rest")
    np.testing.assert_allclose(k["krugman"], [2.0, 2.0])
    same = pd.DataFrame({"r": ["A", "A", "B", "B"], "j": ["x", "y", "x", "y"], "v": [1.0, 3.0, 2.0, 6.0]})
    np.testing.assert_allclose(krugman_index(same, region="r", industry="j", value="v")["krugman"], [0, 0], atol=1e-15)
    h = herfindahl_index(disjoint, region="r", industry="j", value="v", over="industries")
    np.testing.assert_allclose(h["herfindahl"], [1, 1])
    np.testing.assert_allclose(h["herfindahl_normalised"], [1, 1])


def _numpy_measures(e: np.ndarray) -> dict[str, np.ndarray]:
    """Straight from the formulas: e is (periods, regions, industries)."""
    out = {k: [] for k in ("lq", "h_ind", "h_reg", "k_nat", "k_rest")}
    for et in e:
        e_i = et.sum(axis=1)
        E_j = et.sum(axis=0)
        E = et.sum()
        out["lq"].append((et / e_i[:, None]) / (E_j / E)[None, :])
        out["h_ind"].append(((et / E_j[None, :]) ** 2).sum(axis=0))
        out["h_reg"].append(((et / e_i[:, None]) ** 2).sum(axis=1))
        s = et / e_i[:, None]
        out["k_nat"].append(np.abs(s - E_j / E).sum(axis=1))
        rest = np.array([np.abs(s[i] - (E_j - et[i]) / (E - e_i[i])).sum() for i in range(len(et))])
        out["k_rest"].append(rest)
    return {k: np.array(v) for k, v in out.items()}


def test_against_independent_numpy_implementation():
    rng = np.random.default_rng(7)
    T, N, M = 3, 6, 5
    e = rng.gamma(2.0, 10.0, (T, N, M))
    e[1, 2, 3] = 0.0  # an absent industry in one region-year is fine
    rows = [(2000 + t, f"r{i}", f"j{j}", e[t, i, j]) for t in range(T) for i in range(N) for j in range(M)]
    df = pd.DataFrame(rows, columns=["year", "region", "industry", "emp"]).sample(frac=1, random_state=1)
    res = cluster_measures(df, region="region", industry="industry", value="emp", time="year")
    ref = _numpy_measures(e)
    lq = res.lq.set_index(["year", "region", "industry"])["lq"]
    for t in range(T):
        for i in range(N):
            for j in range(M):
                assert lq[(2000 + t, f"r{i}", f"j{j}")] == pytest.approx(ref["lq"][t, i, j], rel=1e-12)
    conc = res.concentration.set_index(["year", "industry"])["herfindahl"]
    spec = res.specialisation.set_index(["year", "region"])
    rest = krugman_index(df, region="region", industry="industry", value="emp", time="year", reference="rest")
    rest = rest.set_index(["year", "region"])["krugman"]
    for t in range(T):
        for j in range(M):
            assert conc[(2000 + t, f"j{j}")] == pytest.approx(ref["h_ind"][t, j], rel=1e-12)
        for i in range(N):
            key = (2000 + t, f"r{i}")
            assert spec.loc[key, "herfindahl"] == pytest.approx(ref["h_reg"][t, i], rel=1e-12)
            assert spec.loc[key, "krugman"] == pytest.approx(ref["k_nat"][t, i], rel=1e-12)
            assert rest[key] == pytest.approx(ref["k_rest"][t, i], rel=1e-12)
    # rows keep the input order and index
    assert res.lq.index.equals(df.index)


def test_given_total_is_the_lq_denominator():
    df = pd.DataFrame({
        "r": ["A", "A", "B", "B"], "j": ["x", "y", "x", "y"], "v": [10.0, 30.0, 20.0, 40.0],
        "tot": [100.0, 100.0, 80.0, 80.0],
    })
    lq = location_quotients(df, region="r", industry="j", value="v", total="tot")
    # (10/100) / (30/180)
    assert lq.iloc[0] == pytest.approx((10 / 100) / (30 / 180))
    bad = df.assign(tot=[100.0, 90.0, 80.0, 80.0])
    with pytest.raises(InputError, match="one value per region"):
        location_quotients(bad, region="r", industry="j", value="v", total="tot")


# --- real data ---------------------------------------------------------------------------------

_TOTAL = "城镇单位就业人员"


@pytest.fixture(scope="module")
def nbs_employment(shared_data) -> pd.DataFrame:
    raw = pd.read_csv(shared_data / "employment" / "nbs_employment_by_industry_2012_2020_scrape.csv")
    rows = raw[raw["industry"].str.endswith(_TOTAL)]
    long = rows.melt(id_vars=["city", "industry"], value_vars=[f"list_{y}" for y in range(2012, 2021)],
                     var_name="year", value_name="emp")
    long["year"] = long["year"].str[5:].astype(int)
    long["industry"] = long["industry"].str.removesuffix(_TOTAL).replace("", "total")
    return long


def test_real_data_missing_cells_are_reported(nbs_employment):
    sections = nbs_employment[nbs_employment["industry"] != "total"]
    with pytest.raises(InputError, match=r"4 missing value\(s\).*宁夏回族自治区"):
        cluster_measures(sections, region="city", industry="industry", value="emp", time="year")


def test_real_data_identities(nbs_employment):
    # Ningxia and Tibet lack one section in 2012 and 2018: drop those two years explicitly.
    data = nbs_employment[~nbs_employment["year"].isin([2012, 2018])]
    sections = data[data["industry"] != "total"]
    assert sections["industry"].nunique() == 19 and sections["city"].nunique() == 31
    res = cluster_measures(sections, region="city", industry="industry", value="emp", time="year")
    lq = res.lq
    # employment-weighted mean of each industry's LQ over the provinces is 1
    region_total = lq.groupby(["year", "city"])["emp"].transform("sum")  # e_i
    weight = region_total / lq.groupby("year")["emp"].transform("sum")  # e_i / E
    weighted = (weight * lq["lq"]).groupby([lq["year"], lq["industry"]]).sum()
    np.testing.assert_allclose(weighted.to_numpy(), 1.0, rtol=1e-12)
    # Krugman (national reference) = Σ_j S_j |LQ_ij − 1|
    via_lq = (lq["share_nation"] * (lq["lq"] - 1).abs()).groupby([lq["year"], lq["city"]]).sum()
    k = res.specialisation.set_index(["year", "city"])["krugman"]
    np.testing.assert_allclose(k.reindex(via_lq.index).to_numpy(), via_lq.to_numpy(), rtol=1e-12)
    assert ((k >= 0) & (k <= 2)).all()
    h = res.concentration["herfindahl"]
    assert ((h >= 1 / 31) & (h <= 1)).all()
    hr = res.specialisation["herfindahl"]
    assert ((hr >= 1 / 19) & (hr <= 1)).all()
    # Beijing is the province most specialised in ICT in every year (a known fact of these data)
    ict = lq[lq["industry"] == "信息传输、软件和信息技术服务业"]
    top = ict.loc[ict.groupby("year")["lq"].idxmax(), "city"]
    assert set(top) == {"北京市"}


def test_real_data_ict_lq_with_total_matches_agglomeration(nbs_employment, shared_data):
    data = nbs_employment[~nbs_employment["year"].isin([2012, 2018])]
    total = data[data["industry"] == "total"][["city", "year", "emp"]].rename(columns={"emp": "total"})
    sections = data[data["industry"] != "total"].merge(total, on=["city", "year"], validate="many_to_one")
    lq = location_quotients(sections, region="city", industry="industry", value="emp", time="year", total="total")
    ict = sections.assign(lq=lq.to_numpy())
    ict = ict[ict["industry"] == "信息传输、软件和信息技术服务业"].reset_index(drop=True)
    direct = location_quotient(ict, region="city", time="year", sector_employment="emp", total_employment="total")
    np.testing.assert_allclose(ict["lq"], direct, rtol=1e-12)


# --- bad input -------------------------------------------------------------------------------


def test_bad_input(two_by_two):
    absent = two_by_two.drop(index=3)
    with pytest.raises(InputError, match=r"1 are absent: \(B, y\)"):
        cluster_measures(absent, region="region", industry="industry", value="emp")
    neg = two_by_two.assign(emp=[10.0, -1.0, 20.0, 40.0])
    with pytest.raises(NonPositiveValueError, match="must not be negative"):
        cluster_measures(neg, region="region", industry="industry", value="emp")
    zero_ind = two_by_two.assign(emp=[0.0, 30.0, 0.0, 40.0])
    with pytest.raises(NonPositiveValueError, match=r"Industries with zero national total.*x"):
        cluster_measures(zero_ind, region="region", industry="industry", value="emp")
    zero_reg = two_by_two.assign(emp=[0.0, 0.0, 20.0, 40.0])
    with pytest.raises(NonPositiveValueError, match=r"Regions with zero total.*A"):
        cluster_measures(zero_reg, region="region", industry="industry", value="emp")
    dup = pd.concat([two_by_two, two_by_two.iloc[[0]]])
    with pytest.raises(InputError, match="duplicated"):
        cluster_measures(dup, region="region", industry="industry", value="emp")
    with pytest.raises(InputError, match="over"):
        herfindahl_index(two_by_two, region="region", industry="industry", value="emp", over="cities")
    with pytest.raises(InputError, match="reference"):
        krugman_index(two_by_two, region="region", industry="industry", value="emp", reference="world")
