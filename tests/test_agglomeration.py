"""Tests of exportlens.measures.agglomeration (location quotients, virtual agglomeration)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import (
    InputError,
    MissingColumnError,
    NonPositiveValueError,
    UnknownRegionError,
)
from exportlens.measures import (
    VirtualAgglomeration,
    location_quotient,
    neighbour_weight_share,
    virtual_agglomeration,
)
from exportlens.regions import haversine_km, internal_distance, province_codes, resolve_province

# --- shared real data (skipped when the folder is absent) ----------------------------------

_DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SHARED = Path(os.environ.get("EXPORTLENS_SHARED_DATA", _DEFAULT_SHARED))
ICT_CSV = SHARED / "employment" / "ict_and_total_urban_unit_employment_2012_2020.csv"


@pytest.fixture(scope="module")
def ict_employment() -> pd.DataFrame:
    if not ICT_CSV.is_file():
        pytest.skip(f"shared data folder absent: {ICT_CSV} not found (set EXPORTLENS_SHARED_DATA)")
    return pd.read_csv(ICT_CSV)


REAL = {
    "region": "province",
    "time": "year",
    "sector_employment": "ict_urban_unit_emp_10k",
    "total_employment": "urban_unit_emp_10k",
}
KW = {"region": "prov", "time": "year", "sector_employment": "ict", "total_employment": "total"}

# --- data made in the tests ----------------------------------------------------------------


def toy(labels=("北京", "Tianjin", "河北省", "上海市", "Guangdong"), years=(2018, 2019), seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for y in years:
        for p in labels:
            total = float(rng.uniform(200, 2000))
            rows.append(
                {
                    "prov": p,
                    "year": y,
                    "ict": float(rng.uniform(0.01, 0.05)) * total,
                    "total": total,
                }
            )
    return pd.DataFrame(rows)


def vag_loop(df, theta, unit_km):
    """Explicit double loop: Vag_it = Σ_j LQ_jt w_ij, w_ij = (d_ij / unit)^-θ, w_ii = 1."""
    out = []
    for _, row in df.iterrows():
        year = df[df["year"] == row["year"]]
        share = year["ict"].sum() / year["total"].sum()
        pi = resolve_province(row["prov"])
        s = 0.0
        for _, other in year.iterrows():
            lq_j = (other["ict"] / other["total"]) / share
            pj = resolve_province(other["prov"])
            if pj.code == pi.code:
                w = 1.0
            else:
                d = (
                    float(
                        haversine_km(pi.capital_lat, pi.capital_lon, pj.capital_lat, pj.capital_lon)
                    )
                    / unit_km
                )
                w = d ** (-theta)
            s += lq_j * w
        out.append(s)
    return np.array(out)


# --- location quotient -----------------------------------------------------------------------


def test_lq_by_hand_and_weighted_mean_identity():
    df = toy()
    lq = location_quotient(df, **KW)
    assert lq.index.equals(df.index) and lq.name == "lq"
    r = df.iloc[6]
    year = df[df["year"] == r["year"]]
    assert lq.iloc[6] == pytest.approx(
        (r["ict"] / r["total"]) / (year["ict"].sum() / year["total"].sum())
    )
    for _, g in df.assign(lq=lq).groupby("year"):
        assert (g["total"] * g["lq"]).sum() / g["total"].sum() == pytest.approx(1.0)


def test_lq_with_given_national_figures():
    df = toy()
    df["nat_ict"] = df.groupby("year")["ict"].transform("sum") * 2
    df["nat_total"] = df.groupby("year")["total"].transform("sum") * 4
    lq_sum = location_quotient(df, **KW)
    lq_nat = location_quotient(df, **KW, national_sector="nat_ict", national_total="nat_total")
    np.testing.assert_allclose(lq_nat, lq_sum * 2)
    df.loc[3, "nat_total"] += 1
    with pytest.raises(InputError, match="constant"):
        location_quotient(df, **KW, national_total="nat_total")


def test_lq_errors_list_rows():
    df = toy()
    with pytest.raises(NonPositiveValueError, match=r"\('Tianjin', 2018, 0\) at row 1"):
        location_quotient(df.assign(total=df["total"].where(df.index != 1, 0.0)), **KW)
    with pytest.raises(InputError, match=r"missing.*\('上海市', 2019, missing\) at row 8"):
        location_quotient(df.assign(ict=df["ict"].where(df.index != 8)), **KW)
    with pytest.raises(InputError, match="exceeds total"):
        location_quotient(df.assign(ict=df["ict"].where(df.index != 2, 1e9)), **KW)
    with pytest.raises(MissingColumnError, match="Available columns"):
        location_quotient(df, **{**KW, "sector_employment": "ICT"})
    with pytest.raises(InputError, match="duplicated"):
        location_quotient(pd.concat([df, df.iloc[[0]]], ignore_index=True), **KW)


# --- virtual agglomeration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "km", "theta"), [("km", 1.0, 1.0), ("100km", 100.0, 1.0), ("1000km", 1000.0, 2.0)]
)
def test_vag_equals_double_loop(unit, km, theta):
    df = toy()
    res = virtual_agglomeration(df, **KW, unit=unit, theta=theta)
    assert isinstance(res, VirtualAgglomeration)
    v = res.to_frame()
    assert v.index.equals(df.index) and list(v.columns) == ["prov", "year", "lq", "vag"]
    np.testing.assert_allclose(v["vag"].to_numpy(), vag_loop(df, theta, km), rtol=1e-12)
    np.testing.assert_allclose(v["lq"], location_quotient(df, **KW))
    # output keeps the user's labels, whatever their spelling
    assert list(res.weights.index) == ["北京", "Tianjin", "河北省", "上海市", "Guangdong"]
    assert np.allclose(np.diag(res.weights), 1.0)


def test_unit_is_required():
    df = toy()
    with pytest.raises(TypeError):
        virtual_agglomeration(df, **KW)  # type: ignore[call-arg]
    with pytest.raises(InputError, match="unit is required"):
        virtual_agglomeration(df, **KW, unit=None)
    with pytest.raises(InputError, match="Unknown distance unit"):
        virtual_agglomeration(df, **KW, unit="mile")


def test_row_standardised_weights_sum_to_one():
    df = toy()
    res = virtual_agglomeration(df, **KW, unit="100km", row_standardise=True)
    np.testing.assert_allclose(res.weights.sum(axis=1), 1.0)
    raw = virtual_agglomeration(df, **KW, unit="100km")
    rs = raw.weights.sum(axis=1).to_numpy()
    lab = df["prov"].map({p: i for i, p in enumerate(raw.weights.index)}).to_numpy()
    np.testing.assert_allclose(res.values["vag"], raw.values["vag"] / rs[lab])


def test_internal_self_weight():
    df = toy()
    res = virtual_agglomeration(df, **KW, unit="100km", theta=1.5, self_weight="internal")
    codes = [resolve_province(p).code for p in res.weights.index]
    dii = internal_distance(codes, unit="100km").to_numpy()
    np.testing.assert_allclose(np.diag(res.weights), dii**-1.5)
    zero = virtual_agglomeration(df, **KW, unit="km", self_weight=0.0)
    assert neighbour_weight_share(zero.weights).eq(1.0).all()


def test_unit_changes_neighbour_share_as_documented():
    """Median neighbours' share of total weight, 31 provinces, θ = 1, w_ii = 1 (docstring figures)."""
    df = pd.DataFrame({"prov": province_codes(), "year": 2019, "ict": 1.0, "total": 100.0})
    med = {}
    for unit in ("km", "100km", "1000km"):
        w = virtual_agglomeration(df, **KW, unit=unit).weights
        med[unit] = neighbour_weight_share(w).median()
    assert med["km"] == pytest.approx(0.031, abs=0.001)
    assert med["100km"] == pytest.approx(0.762, abs=0.001)
    assert med["1000km"] == pytest.approx(0.970, abs=0.001)


def test_neighbour_weight_share_by_hand():
    # columns in another order than the rows
    W = pd.DataFrame([[1.0, 3.0], [1.0, 1.0]], index=["a", "b"], columns=["b", "a"])
    share = neighbour_weight_share(W)
    assert share["a"] == pytest.approx(1 / 4) and share["b"] == pytest.approx(1 / 2)
    with pytest.raises(InputError, match="square"):
        neighbour_weight_share(W.iloc[:, :1])


def test_user_matrices_for_other_regions():
    df = pd.DataFrame(
        {
            "prov": ["Paris", "Lyon", "Lille"] * 2,
            "year": [1, 1, 1, 2, 2, 2],
            "ict": [5.0, 2.0, 1.0, 6.0, 2.0, 1.5],
            "total": [100.0, 60.0, 40.0, 110.0, 60.0, 45.0],
        }
    )
    D = pd.DataFrame(
        [[0, 3.9, 2.0], [3.9, 0, 5.6], [2.0, 5.6, 0]],
        index=["Paris", "Lyon", "Lille"],
        columns=["Paris", "Lyon", "Lille"],
    ).iloc[::-1, ::-1]
    res = virtual_agglomeration(
        df, **KW, unit="100km", distances=D, theta=1.0, provinces_resolved_by_registry=False
    )
    lq = location_quotient(df, **KW).to_numpy()
    vag_paris_1 = lq[0] + lq[1] / 3.9 + lq[2] / 2.0
    assert res.values["vag"].iloc[0] == pytest.approx(vag_paris_1)
    W = pd.DataFrame(
        np.ones((3, 3)), index=["Paris", "Lyon", "Lille"], columns=["Paris", "Lyon", "Lille"]
    )
    res_w = virtual_agglomeration(df, **KW, unit=None, weights=W, row_standardise=True)
    assert res_w.values["vag"].iloc[0] == pytest.approx(lq[:3].mean())
    with pytest.raises(InputError, match="unit=None"):
        virtual_agglomeration(df, **KW, unit="km", weights=W)
    with pytest.raises(UnknownRegionError):
        virtual_agglomeration(df, **KW, unit="km")  # not provinces: the registry cannot place them
    with pytest.raises(InputError, match="distances= or weights="):
        virtual_agglomeration(df, **KW, unit="km", provinces_resolved_by_registry=False)


def test_vag_input_errors():
    df = toy()
    with pytest.raises(InputError, match=r"balanced.*\('Tianjin', 2019\)"):
        virtual_agglomeration(df.drop(index=6), **KW, unit="km")
    same = df.assign(prov=df["prov"].replace({"Tianjin": "北京市"}))
    with pytest.raises(InputError, match="same province"):
        virtual_agglomeration(same, **KW, unit="km")
    with pytest.raises(InputError, match=r"missing.*row 3"):
        virtual_agglomeration(df.assign(total=df["total"].where(df.index != 3)), **KW, unit="km")
    with pytest.raises(InputError, match="theta"):
        virtual_agglomeration(df, **KW, unit="km", theta=-1)
    with pytest.raises(InputError, match="self_weight"):
        virtual_agglomeration(df, **KW, unit="km", self_weight="one")


def test_summary_mentions_parameters():
    text = virtual_agglomeration(toy(), **KW, unit="100km").summary()
    assert "unit = 100km" in text and "neighbours' share" in text and "Spearman" in text


# --- real data -------------------------------------------------------------------------------


def test_real_data_lq_and_vag(ict_employment):
    df = ict_employment
    assert df.shape[0] == 31 * 9
    res = virtual_agglomeration(df, **REAL, unit="km")
    v = res.to_frame()
    assert (
        len(v) == 279
        and v["province"].nunique() == 31
        and sorted(v["year"].unique()) == list(range(2012, 2021))
    )
    assert np.isfinite(v[["lq", "vag"]].to_numpy()).all() and (v[["lq", "vag"]] > 0).all().all()
    # the user's labels (上海市 ...), in order of first appearance
    assert list(res.weights.index) == list(pd.unique(df["province"]))
    for _, g in df.assign(lq=v["lq"]).groupby("year"):
        assert (g["urban_unit_emp_10k"] * g["lq"]).sum() / g[
            "urban_unit_emp_10k"
        ].sum() == pytest.approx(1.0)


def test_real_data_documented_figures(ict_employment):
    d19 = ict_employment[ict_employment["year"] == 2019]
    rho = {}
    for unit in ("km", "100km", "1000km"):
        v = virtual_agglomeration(d19, **REAL, unit=unit).values
        rho[unit] = v["vag"].corr(v["lq"], method="spearman")
    assert rho["km"] == pytest.approx(0.9964, abs=5e-4)
    assert rho["100km"] == pytest.approx(0.486, abs=5e-3)
    assert rho["1000km"] == pytest.approx(0.154, abs=5e-3)
