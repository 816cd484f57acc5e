"""Panel estimators on pyfixest: equality with pyfixest/linearmodels, designs, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from exportlens.econometrics import (
    DroppedRowsWarning,
    MissingDependencyError,
    fit_panel,
    group_interactions,
    heterogeneity,
    lag_within,
    lagged_robustness,
    moderation,
    moderation_pair,
    stepwise,
)
from exportlens.errors import InputError, MissingColumnError

# direct pyfixest references computed with exportlens' fixed-effect order (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("pyfixest_formula_order")

BETA = {"vag": 0.5, "open": -0.3, "fin": 0.2, "hum": 0.1, "gov": -0.15}
R, T = 30, 14
TOL = 1e-8


def make_panel(seed: int = 20240501) -> pd.DataFrame:
    """30 regions x 14 years with region and year effects and known slopes."""
    rng = np.random.default_rng(seed)
    regions = [f"R{i:02d}" for i in range(R)]
    years = np.arange(2008, 2008 + T)
    df = pd.DataFrame([(r, y) for r in regions for y in years], columns=["province", "year"])
    alpha = np.repeat(rng.normal(0, 1.0, R), T)
    gamma = np.tile(rng.normal(0, 0.5, T), R)
    n = len(df)
    # regressors correlated with the region effect so that FE matter
    df["vag"] = 0.6 * alpha + rng.normal(0, 1, n)
    df["open"] = rng.normal(0, 1, n) + 0.3 * gamma
    df["fin"] = rng.normal(0, 1, n)
    df["hum"] = rng.normal(0, 1, n)
    df["gov"] = rng.normal(0, 1, n)
    df["mod"] = 2.0 + rng.normal(0, 1, n)
    eps = rng.normal(0, 0.5, n) * (1 + 0.5 * np.abs(df["fin"]))
    df["res"] = 1.0 + sum(b * df[k] for k, b in BETA.items()) + 0.25 * df["vag"] * df["mod"] + alpha + gamma + eps
    df["east"] = np.where(df["province"].str[1:].astype(int) < 10, "East", np.where(df["province"].str[1:].astype(int) < 20, "Central", "West"))
    df["pcode"] = df["province"].str[1:].astype(int)
    return df


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return make_panel()


@pytest.fixture(scope="module")
def pf():
    import pyfixest

    return pyfixest


CONTROLS = ["open", "fin", "hum", "gov"]
FE_CASES = {None: "", "year": " | year", "twoway": " | province + year"}
VCOV_CASES = {"iid": "iid", "hetero": "hetero", "cluster": {"CRV1": "province"}}


@pytest.mark.parametrize("fe", list(FE_CASES))
@pytest.mark.parametrize("vcov", list(VCOV_CASES))
def test_matches_pyfixest_direct(panel, pf, fe, vcov):
    regs = ["vag", *CONTROLS]
    res = fit_panel(panel, "res", regs, fe=fe, vcov=vcov)
    direct = pf.feols("res ~ " + " + ".join(regs) + FE_CASES[fe], panel, vcov=VCOV_CASES[vcov])
    np.testing.assert_allclose(res.coefs["estimate"].to_numpy(), direct.coef().to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(res.coefs["std_error"].to_numpy(), direct.se().to_numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(res.coefs["p_value"].to_numpy(), direct.pvalue().to_numpy(), rtol=0, atol=TOL)
    assert list(res.coefs.columns) == ["estimate", "std_error", "t_stat", "p_value", "ci_low", "ci_high"]
    assert res.nobs == len(panel) == direct._N
    assert res.adj_r2 == pytest.approx(direct._adj_r2, abs=TOL)
    if fe is None:
        assert "Intercept" in res.coefs.index
        assert res.r2_within is None and res.adj_r2_within is None and res.fixed_effects == []
    else:
        assert "Intercept" not in res.coefs.index
        assert res.adj_r2_within == pytest.approx(direct._adj_r2_within, abs=TOL)
        assert res.r2_within == pytest.approx(direct._r2_within, abs=TOL)
    assert res.fixed_effects == {None: [], "year": ["year"], "twoway": ["province", "year"]}[fe]
    assert res.vcov == {"iid": "iid", "hetero": "hetero", "cluster": "CRV1:province"}[vcov]
    assert res.model is not None and res.formula.startswith("res ~ vag")


def _lm_panel(panel):
    return panel.set_index(["province", "year"])


@pytest.mark.parametrize(("fe", "effects"), [("region", (True, False)), ("year", (False, True)), ("twoway", (True, True))])
def test_matches_linearmodels(panel, fe, effects):
    from linearmodels.panel import PanelOLS

    p = _lm_panel(panel)
    regs = ["vag", *CONTROLS]
    mod = PanelOLS(p["res"], p[regs], entity_effects=effects[0], time_effects=effects[1])
    # coefficients
    lm_cl = mod.fit(cov_type="clustered", cluster_entity=True, auto_df=False, count_effects=False, group_debias=True)
    ours_cl = fit_panel(panel, "res", regs, fe=fe, vcov="cluster", ssc={"k_fixef": "none"})
    np.testing.assert_allclose(ours_cl.coefs["estimate"].to_numpy(), lm_cl.params.to_numpy(), rtol=0, atol=TOL)
    # clustered SEs: fixest K.fixef="none" == linearmodels auto_df=False, count_effects=False, group_debias=True
    np.testing.assert_allclose(ours_cl.coefs["std_error"].to_numpy(), lm_cl.std_errors.to_numpy(), rtol=0, atol=TOL)
    # pyfixest's default (nonnested) is NOT the linearmodels setting
    default = fit_panel(panel, "res", regs, fe=fe, vcov="cluster")
    assert np.abs(default.coefs["std_error"].to_numpy() - lm_cl.std_errors.to_numpy()).max() > 1e-6
    # iid / hetero: defaults agree
    for ours_v, lm_kw in (("iid", {"cov_type": "unadjusted"}), ("hetero", {"cov_type": "robust"})):
        lm_fit = mod.fit(**lm_kw)
        ours = fit_panel(panel, "res", regs, fe=fe, vcov=ours_v)
        np.testing.assert_allclose(ours.coefs["std_error"].to_numpy(), lm_fit.std_errors.to_numpy(), rtol=0, atol=TOL)
    # linearmodels' R² is the within one
    assert ours_cl.r2_within == pytest.approx(lm_cl.rsquared, abs=1e-8)
    assert ours_cl.r2 == pytest.approx(lm_cl.rsquared_inclusive, abs=1e-8)


def test_known_beta_inside_ci(panel):
    regs = ["vag", *CONTROLS, "mod", "vag:mod"]
    res = fit_panel(panel, "res", regs, fe="twoway", vcov="cluster")
    truth = {**BETA, "vag:mod": 0.25}
    for k, b in truth.items():
        lo, hi = res.coefs.loc[k, ["ci_low", "ci_high"]]
        assert lo < b < hi, (k, b, lo, hi)
    assert res.extra["n_clusters"] == R


def test_driscoll_kraay_matches_pyfixest(panel, pf):
    res = fit_panel(panel, "res", ["vag", "open"], fe="twoway", vcov="driscoll-kraay", dk_lag=2)
    direct = pf.feols("res ~ vag + open | province + year", panel, vcov="DK", vcov_kwargs={"lag": 2, "time_id": "year", "panel_id": "pcode"})
    np.testing.assert_allclose(res.coefs["std_error"].to_numpy(), direct.se().to_numpy(), rtol=0, atol=TOL)
    assert res.vcov == "DK(lag=2)"


def test_missing_and_singletons_reported(panel):
    df = panel.copy()
    df.loc[df.index[[3, 50]], "open"] = np.nan
    # year 2021 kept for one region only -> a singleton in the year FE
    df = df.loc[~((df["year"] == 2021) & (df["province"] != "R05"))]
    with pytest.warns(DroppedRowsWarning, match="singleton"):
        res = fit_panel(df, "res", ["vag", "open"], fe="year", vcov="hetero")
    assert res.extra["n_dropped_missing"] == 2
    assert res.extra["missing_by_column"] == {"open": 2}
    assert res.extra["n_dropped_singletons"] == 1
    assert res.nobs == len(df) - 3
    assert len(res.extra["sample"]) == res.nobs
    assert df.index[3] not in res.extra["sample"]
    assert any("singleton" in n for n in res.extra["notes"])


def test_wild_bootstrap(panel):
    pytest.importorskip("wildboottest")
    kw = {"param": "vag", "reps": 499, "seed": 7}
    res = fit_panel(panel, "res", ["vag", "open"], fe="year", vcov="cluster", wild_bootstrap=kw)
    again = fit_panel(panel, "res", ["vag", "open"], fe="year", vcov="cluster", wild_bootstrap=kw)
    wb = res.extra["wild_bootstrap"]
    assert list(wb.index) == ["vag"]
    assert 0 <= wb.loc["vag", "p_value"] <= 1
    assert wb.loc["vag", "cluster"] == "province"
    assert wb.loc["vag", "p_value"] == again.extra["wild_bootstrap"].loc["vag", "p_value"]
    with pytest.raises(InputError, match="not a coefficient"):
        fit_panel(panel, "res", ["vag"], vcov="cluster", wild_bootstrap={"param": "nope", "reps": 9})


def test_wild_bootstrap_without_package(panel, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "wildboottest" else real(name, *a))
    with pytest.raises(MissingDependencyError, match="pip install wildboottest"):
        fit_panel(panel, "res", ["vag"], vcov="cluster", wild_bootstrap={"param": "vag"})


def test_stepwise_default_layout(panel):
    res = stepwise(panel, "res", "vag", CONTROLS, vcov="cluster")
    assert [r.name for r in res] == [f"({i})" for i in range(1, 7)]
    assert res[0].fixed_effects == [] and all(r.fixed_effects == ["year"] for r in res[1:])
    assert [list(r.coefs.index.drop("Intercept", errors="ignore")) for r in res] == [
        ["vag"],
        ["vag"],
        ["vag", "open"],
        ["vag", "open", "fin"],
        ["vag", "open", "fin", "hum"],
        ["vag", "open", "fin", "hum", "gov"],
    ]
    custom = stepwise(panel, "res", "vag", steps=[(["vag"], "twoway"), {"regressors": ["vag", "fin"], "fe": None, "name": "pooled"}])
    assert custom[0].fixed_effects == ["province", "year"] and custom[1].name == "pooled"


def _gap_panel() -> pd.DataFrame:
    rows = []
    for e in ("A", "B"):
        for y in range(2000, 2006):
            rows.append((e, y, 100 * (e == "B") + y - 2000))
    df = pd.DataFrame(rows, columns=["province", "year", "v"])
    # B misses 2003: its 2004 value must not get 2002's value as lag 1
    return df.loc[~((df["province"] == "B") & (df["year"] == 2003))].sample(frac=1, random_state=1)


def test_lag_within_respects_gaps():
    df = _gap_panel()
    out = lag_within(df, "v", [1, 2])
    assert list(out.columns) == ["L1_v", "L2_v"]
    assert out.index.equals(df.index)
    full = df.join(out).set_index(["province", "year"])
    assert np.isnan(full.loc[("B", 2004), "L1_v"])  # gap -> NaN, not the 2002 value
    assert full.loc[("B", 2004), "L2_v"] == 102  # two years back is 2002
    assert np.isnan(full.loc[("B", 2005), "L2_v"])  # 2003 missing
    assert full.loc[("A", 2004), "L1_v"] == 3
    assert np.isnan(full.loc[("A", 2000), "L1_v"])
    # a year missing for every entity is a hole as well
    g = df.loc[df["year"] != 2002]
    out2 = g.join(lag_within(g, "v", 1)).set_index(["province", "year"])
    assert np.isnan(out2.loc[("A", 2003), "L1_v"])


def test_lag_errors():
    df = _gap_panel()
    with pytest.raises(InputError, match="panel length"):
        lag_within(df, "v", 6)
    with pytest.raises(InputError, match="positive"):
        lag_within(df, "v", 0)
    with pytest.raises(MissingColumnError, match="Available columns"):
        lag_within(df, "nope", 1)
    dup = pd.concat([df, df.head(1)])
    with pytest.raises(InputError, match="Duplicate"):
        lag_within(dup, "v", 1)


def test_lagged_robustness(panel):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        res = lagged_robustness(panel, "res", "vag", ["open"], lags=(1, 2), vcov="cluster")
    assert [r.coefs.index[0] for r in res] == ["L1_vag", "L2_vag"]
    assert [r.nobs for r in res] == [R * (T - 1), R * (T - 2)]
    assert res[0].extra["n_dropped_missing"] == R
    # equals a manual fit on the shifted data
    manual = panel.sort_values(["province", "year"]).copy()
    manual["L1_vag"] = manual.groupby("province")["vag"].shift(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        ref = fit_panel(manual, "res", ["L1_vag", "open"], fe="year", vcov="cluster")
    np.testing.assert_allclose(res[0].coefs["estimate"], ref.coefs["estimate"], atol=TOL)


@pytest.mark.parametrize("fe", [None, "year"])
def test_moderation_centring(panel, fe):
    pair = moderation_pair(panel, "res", "vag", "mod", ["open"], fe=fe, vcov="cluster")
    raw, cen = pair.raw.coefs, pair.centred.coefs
    inter = "vag:mod"
    assert raw.loc[inter, "estimate"] == pytest.approx(cen.loc[inter, "estimate"], abs=TOL)
    assert raw.loc[inter, "std_error"] == pytest.approx(cen.loc[inter, "std_error"], abs=TOL)
    assert raw.loc["open", "estimate"] == pytest.approx(cen.loc["open", "estimate"], abs=TOL)
    assert pair.raw.r2 == pytest.approx(pair.centred.r2, abs=TOL)
    # main effects change: effect at the mean of the other variable
    assert abs(raw.loc["vag", "estimate"] - cen.loc["vag", "estimate"]) > 1e-3
    m_mod = panel["mod"].mean()
    assert cen.loc["vag", "estimate"] == pytest.approx(raw.loc["vag", "estimate"] + raw.loc[inter, "estimate"] * m_mod, abs=1e-8)
    if fe is None:
        assert abs(raw.loc["Intercept", "estimate"] - cen.loc["Intercept", "estimate"]) > 1e-3
    comp = pair.comparison()
    assert not comp.loc[inter, "changed"] and comp.loc["vag", "changed"] and comp.loc["mod", "changed"]
    note = pair.centring_note()
    assert "unchanged" in note and "main effects" in note and "constant" in note
    assert "交互项系数" in pair.centring_note("zh")
    single = moderation(panel, "res", "vag", "mod", ["open"], fe=fe, center=True, vcov="cluster")
    assert single.coefs.loc["vag", "estimate"] == pytest.approx(cen.loc["vag", "estimate"], abs=TOL)
    assert single.extra["centering"]["centered"] and "centring_note" in single.extra


def test_moderator_missing(panel):
    with pytest.raises(MissingColumnError, match="Moderator 'nope'"):
        moderation(panel, "res", "vag", "nope")


def test_heterogeneity_and_group_interactions(panel):
    groups = heterogeneity(panel, "res", "vag", ["open"], group="east", order=["East", "Central", "West"], vcov="cluster")
    assert list(groups) == ["East", "Central", "West"]
    sub = panel.loc[panel["east"] == "Central"]
    ref = fit_panel(sub, "res", ["vag", "open"], fe="year", vcov="cluster")
    np.testing.assert_allclose(groups["Central"].coefs["estimate"], ref.coefs["estimate"], atol=TOL)
    # fully interacted pooled model (no controls, no FE): slopes = separate regressions
    gi = group_interactions(panel, "res", "vag", group="east", reference="Central", fe=None, vcov="iid")
    sep = heterogeneity(panel, "res", "vag", group="east", fe=None, vcov="iid")
    b = {g: r.coefs.loc["vag", "estimate"] for g, r in sep.items()}
    assert gi.coefs.loc["vag", "estimate"] == pytest.approx(b["Central"], abs=1e-8)
    assert gi.coefs.loc["vag_x_East", "estimate"] == pytest.approx(b["East"] - b["Central"], abs=1e-8)
    assert gi.coefs.loc["vag_x_West", "estimate"] == pytest.approx(b["West"] - b["Central"], abs=1e-8)
    # with region FE the group dummies are absorbed and left out
    gi2 = group_interactions(panel, "res", "vag", ["open"], group="east", fe="twoway", vcov="cluster")
    assert "D_East" not in gi2.coefs.index and gi2.extra["reference"] == "Central"
    with pytest.raises(InputError, match="reference"):
        group_interactions(panel, "res", "vag", group="east", reference="North")


def test_bad_input(panel):
    with pytest.raises(MissingColumnError, match="Available columns"):
        fit_panel(panel, "res", ["vag", "nope"])
    with pytest.raises(MissingColumnError, match="Dependent variable"):
        fit_panel(panel, "nope", ["vag"])
    with pytest.raises(MissingColumnError, match="Fixed-effect column"):
        fit_panel(panel, "res", ["vag"], fe=["city"])
    with pytest.raises(InputError, match="driscoll-kraay"):
        fit_panel(panel, "res", ["vag"], vcov="newey")
    with pytest.raises(InputError, match="not numeric"):
        fit_panel(panel, "res", ["east"])
    bad = panel.assign(vag=np.where(panel.index == 0, np.inf, panel["vag"]))
    with pytest.raises(InputError, match="infinite"):
        fit_panel(bad, "res", ["vag"])
    with pytest.raises(InputError, match="is not 'cluster'"):
        fit_panel(panel, "res", ["vag"], vcov="hetero", cluster="province")
    with pytest.raises(InputError, match="ssc"):
        fit_panel(panel, "res", ["vag"], ssc={"bogus": 1})
