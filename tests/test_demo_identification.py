"""The identification demo: OLS biased, 2SLS recovers the truth, thresholds found."""

from __future__ import annotations

import numpy as np
import pytest

from exportlens.datasets.demo_identification import IDENTIFICATION_TRUE, make_identification_demo
from exportlens.econometrics import fit_iv, mediation, threshold_regression


@pytest.fixture(scope="module")
def demo():
    return make_identification_demo()


def test_demo_frame(demo):
    assert demo.attrs["synthetic"] is True
    assert "SYNTHETIC" in demo.attrs["description"]
    assert demo.shape[0] == 30 * 14
    assert not demo.isna().any().any()
    assert demo.groupby("code")["year"].nunique().eq(14).all()
    assert make_identification_demo().equals(demo)  # deterministic


def test_ols_biased_iv_recovers_truth(demo):
    truth = IDENTIFICATION_TRUE["vag_total"]
    res = fit_iv(demo, "sl", "vag", ["iv_telecom1984", "iv_post1984"], ["ln_gdp_pc", "tax_burden"], fe="twoway", entity="code")
    ols, iv = res.ols.coefs.loc["vag"], res.second_stage.coefs.loc["vag"]
    assert not ols["ci_low"] <= truth <= ols["ci_high"]  # OLS CI excludes the truth
    assert ols["estimate"] > truth  # biased upwards by the confounder
    assert iv["ci_low"] <= truth <= iv["ci_high"]
    assert res.diagnostics["kp_rk_wald_f"] > 10 and res.diagnostics["effective_f"] > 10
    assert res.diagnostics["hansen_j_p"] > 0.05  # both instruments valid
    assert res.diagnostics["dwh_p"] < 0.05  # vag endogenous
    fs = res.first_stages[0].instrument_coefs()
    assert fs.loc["iv_telecom1984", "ci_low"] <= IDENTIFICATION_TRUE["pi_telecom"] <= fs.loc["iv_telecom1984", "ci_high"]


def test_threshold_finds_true_thresholds(demo):
    res = threshold_regression(demo, "sl_threshold", "vag", "rd_intensity", ["ln_gdp_pc"], n_thresholds=2, entity="code", n_draws=49, seed=3)
    assert np.abs(np.array(res.thresholds) - np.array(IDENTIFICATION_TRUE["thresholds"])).max() < 0.05
    est, se = res.regimes["estimate"].to_numpy(), res.regimes["std_error"].to_numpy()
    assert np.all(np.abs(est - np.array(IDENTIFICATION_TRUE["threshold_betas"])) < 3 * se)
    assert (res.tests["p_value"] < 0.05).all()


def test_mediation_runs_on_demo(demo):
    res = mediation(demo, "sl", "vag", ["innovation", "competition"], ["ln_gdp_pc", "tax_burden"], fe="twoway", entity="code", n_draws=49, seed=1)
    comp = res.effects[1]
    assert comp.a_se > 0 and abs(comp.a) < 3 * comp.a_se  # no vag -> competition channel
    assert res.effects[0].a == pytest.approx(IDENTIFICATION_TRUE["a_innovation"], abs=3 * res.effects[0].a_se)
