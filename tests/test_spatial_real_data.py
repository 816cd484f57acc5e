"""Spatial tools on real NBS provincial statistics (skipped without ../shared/data)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from exportlens.data import read_nbs
from exportlens.spatial import contiguity_weights, fit_spatial_panel, moran_by_period, to_libpysal


@pytest.fixture(scope="module")
def gdp_fiscal(shared_data):
    gdp = read_nbs(shared_data / "nbs" / "gdp_2006_2024.csv").to_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fis = read_nbs(shared_data / "nbs" / "local_fiscal_revenue_2016_2024_utf8bom.csv", indicator="fiscal").to_frame()
    panel = gdp[["code", "year", "value"]].rename(columns={"value": "gdp"}).merge(
        fis[["code", "year", "value"]].rename(columns={"value": "fiscal"}), on=["code", "year"], how="left")
    panel["year"] = panel["year"].astype(int)
    panel["ln_gdp"] = np.log(panel["gdp"].astype(float))
    panel["ln_fiscal"] = np.log(panel["fiscal"].astype(float))
    return panel


def test_moran_of_real_gdp_equals_esda(gdp_fiscal):
    esda = pytest.importorskip("esda")
    w = contiguity_weights()
    res = moran_by_period(gdp_fiscal, "ln_gdp", w, permutations=0)
    assert len(res.frame) == 19
    lw = to_libpysal(w)
    for year in (2006, 2015, 2024):
        y = gdp_fiscal[gdp_fiscal["year"] == year].set_index("code").loc[list(w.regions), "ln_gdp"].to_numpy()
        ref = esda.Moran(y, lw, permutations=0)
        assert res.frame.loc[year, "I"] == pytest.approx(ref.I, rel=1e-12)
        assert res.frame.loc[year, "z_norm"] == pytest.approx(ref.z_norm, rel=1e-10)
    # provincial GDP is positively spatially clustered in every year
    assert (res.frame["I"] > 0).all()


def test_real_unit_fe_sar_equals_spreg(gdp_fiscal):
    spreg = pytest.importorskip("spreg")
    w = contiguity_weights()
    sub = gdp_fiscal[gdp_fiscal["year"] >= 2016].sort_values(["year", "code"])
    ours = fit_spatial_panel(sub, "ln_fiscal", ["ln_gdp"], weights=w, model="sar", fe="unit", effects=False)
    ref = spreg.Panel_FE_Lag(sub[["ln_fiscal"]].to_numpy(), sub[["ln_gdp"]].to_numpy(), to_libpysal(w))
    assert ours.coefs["estimate"].iloc[:2].to_numpy() == pytest.approx(ref.betas.ravel(), abs=1e-6)
    two = fit_spatial_panel(sub, "ln_fiscal", ["ln_gdp"], weights=w, model="sdm", fe="twoway", draws=200)
    assert two.effects is not None and np.isfinite(two.effects.frame["estimate"]).all()
