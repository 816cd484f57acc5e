"""2SLS with fixed effects: equality with linearmodels and hand-computed diagnostics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.econometrics import fit_iv, stock_yogo_critical_values
from exportlens.errors import IdentificationError, InputError, MissingColumnError
from exportlens.report.identification_tables import iv_tables
from exportlens.report.tables import write_tables

N_PROV, N_YEAR = 30, 14


def _panel(seed: int = 0, hetero_pi: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = N_PROV * N_YEAR
    df = pd.DataFrame({"province": np.repeat(np.arange(N_PROV), N_YEAR), "year": np.tile(np.arange(2009, 2009 + N_YEAR), N_PROV)})
    a = rng.normal(size=N_PROV)[df["province"]]
    b = rng.normal(size=N_YEAR)[df["year"] - 2009]
    z1, z2, w = rng.normal(size=(3, n))
    shock = rng.normal(size=N_PROV)[df["province"]] * 0.5 + rng.normal(size=n)  # clustered error
    x = 0.5 * z1 + 0.3 * z2 + 0.2 * w + a + 0.6 * shock + rng.normal(size=n)
    df["y"] = 1.0 * x + 0.5 * w + a + b + shock + hetero_pi * z1
    df["x"], df["z1"], df["z2"], df["w"] = x, z1, z2, w
    return df


def _demean_twoway(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Analytic two-way within transformation of a balanced panel."""
    out = pd.DataFrame(index=df.index)
    for c in cols:
        v = df[c]
        out[c] = v - df.groupby("province")[c].transform("mean") - df.groupby("year")[c].transform("mean") + v.mean()
    return out


def _crv1(Xm: np.ndarray, e: np.ndarray, cl: np.ndarray, k: int) -> np.ndarray:
    """Cluster-robust covariance G/(G-1)(N-1)/(N-k) (X'X)^-1 sum_g X_g'e_g e_g'X_g (X'X)^-1."""
    n = len(e)
    groups = np.unique(cl)
    meat = np.zeros((Xm.shape[1], Xm.shape[1]))
    for g in groups:
        s = Xm[cl == g].T @ e[cl == g]
        meat += np.outer(s, s)
    bread = np.linalg.inv(Xm.T @ Xm)
    G = len(groups)
    return G / (G - 1) * (n - 1) / (n - k) * bread @ meat @ bread


def test_2sls_twoway_equals_linearmodels_iv2sls_and_ivgmm():
    from linearmodels.iv import IV2SLS, IVGMM

    df = _panel()
    # pyfixest with K.fixef="none" <-> linearmodels on demeaned data, debiased clustered
    # covariance: both G/(G-1)(N-1)/(N-K), K = slope coefficients.
    res = fit_iv(df, "y", "x", ["z1", "z2"], ["w"], fe="twoway", ssc={"k_fixef": "none"})
    dm = _demean_twoway(df, ["y", "x", "z1", "z2", "w"])
    lm = IV2SLS(dm["y"], dm[["w"]], dm[["x"]], dm[["z1", "z2"]]).fit(cov_type="clustered", clusters=df["province"], debiased=True)
    for t in ["x", "w"]:
        assert res.second_stage.coefs.loc[t, "estimate"] == pytest.approx(lm.params[t], rel=1e-8, abs=1e-10)
        assert res.second_stage.coefs.loc[t, "std_error"] == pytest.approx(lm.std_errors[t], rel=1e-8)
    gmm = IVGMM(dm["y"], dm[["w"]], dm[["x"]], dm[["z1", "z2"]], weight_type="clustered", clusters=df["province"]).fit(
        iter_limit=2, cov_type="clustered", clusters=df["province"]
    )
    assert res.diagnostics["hansen_j"] == pytest.approx(gmm.j_stat.stat, rel=1e-8)
    assert res.diagnostics["hansen_j_p"] == pytest.approx(gmm.j_stat.pval, rel=1e-6)
    assert res.diagnostics["hansen_j_df"] == 1


def test_2sls_year_fe_default_ssc_equals_linearmodels_with_dummies():
    from linearmodels.iv import IV2SLS

    df = _panel(1)
    # Year FE are not nested in the province clusters, so pyfixest's default counts them:
    # K = slopes + T, as linearmodels with a constant and T-1 year dummies.
    res = fit_iv(df, "y", "x", ["z1"], ["w"], fe="year")
    dummies = pd.get_dummies(df["year"], prefix="yr", drop_first=True, dtype=float)
    exog = pd.concat([pd.Series(1.0, index=df.index, name="const"), df[["w"]], dummies], axis=1)
    lm = IV2SLS(df["y"], exog, df[["x"]], df[["z1"]]).fit(cov_type="clustered", clusters=df["province"], debiased=True)
    for t in ["x", "w"]:
        assert res.second_stage.coefs.loc[t, "estimate"] == pytest.approx(lm.params[t], rel=1e-8)
        assert res.second_stage.coefs.loc[t, "std_error"] == pytest.approx(lm.std_errors[t], rel=1e-8)
    assert np.isnan(res.diagnostics["hansen_j"])  # exactly identified


def test_first_stage_statistics_equal_hand_computation():
    df = _panel(2)
    res = fit_iv(df, "y", "x", ["z1", "z2"], ["w"], fe="twoway", ssc={"k_fixef": "none"})
    dm = _demean_twoway(df, ["y", "x", "z1", "z2", "w"])
    cl = df["province"].to_numpy()
    Z, w, x, y = dm[["z1", "z2"]].to_numpy(), dm[["w"]].to_numpy(), dm["x"].to_numpy(), dm["y"].to_numpy()
    # first stage x on [z1, z2, w]
    F1 = np.column_stack([Z, w])
    coef1 = np.linalg.lstsq(F1, x, rcond=None)[0]
    v = x - F1 @ coef1
    V1 = _crv1(F1, v, cl, k=3)
    pi, Vpi = coef1[:2], V1[:2, :2]
    f_hand = pi @ np.linalg.solve(Vpi, pi) / 2
    fs = res.first_stages[0]
    assert fs.instrument_coefs()["estimate"].to_numpy() == pytest.approx(pi, rel=1e-8)
    assert fs.f_stat == pytest.approx(f_hand, rel=1e-8)
    assert res.diagnostics["kp_rk_wald_f"] == pytest.approx(f_hand, rel=1e-8)
    # effective F with instruments partialled on w
    Zt = Z - w @ np.linalg.lstsq(w, Z, rcond=None)[0]
    xt = x - w @ np.linalg.lstsq(w, x, rcond=None)[0]
    assert res.diagnostics["effective_f"] == pytest.approx(pi @ Zt.T @ Zt @ pi / np.trace(Vpi @ Zt.T @ Zt), rel=1e-8)
    # KP rk LM: score test of pi = 0 with residuals under the null
    s = Zt.T @ xt
    meat = sum(np.outer(Zt[cl == g].T @ xt[cl == g], Zt[cl == g].T @ xt[cl == g]) for g in np.unique(cl))
    lm_hand = s @ np.linalg.solve(meat, s)
    assert res.diagnostics["kp_rk_lm"] == pytest.approx(lm_hand, rel=1e-8)
    assert res.diagnostics["kp_rk_lm_df"] == 2
    # partial R2 of the instruments
    rz = xt - Zt @ np.linalg.lstsq(Zt, xt, rcond=None)[0]
    assert fs.partial_r2 == pytest.approx(1 - rz @ rz / (xt @ xt), rel=1e-8)
    # DWH: y on [w, x, vhat], Wald of vhat with the same CRV1 correction
    C = np.column_stack([w, x, v])
    bc = np.linalg.lstsq(C, y, rcond=None)[0]
    Vc = _crv1(C, y - C @ bc, cl, k=3)
    assert res.diagnostics["dwh_chi2"] == pytest.approx(bc[2] ** 2 / Vc[2, 2], rel=1e-8)
    # control-function coefficients on x and w equal 2SLS
    assert res.control_function.coefs.loc["x", "estimate"] == pytest.approx(res.second_stage.coefs.loc["x", "estimate"], rel=1e-8)


def test_effective_f_equals_pyfixest_without_exogenous_controls():
    # pyfixest's own eff_F does not partial out exogenous controls; without them both agree.
    df = _panel(3)
    res = fit_iv(df, "y", "x", ["z1", "z2"], fe="twoway")
    m = res.second_stage.model
    m.IV_Diag()
    assert res.diagnostics["effective_f"] == pytest.approx(m._eff_F, rel=1e-8)
    assert res.diagnostics["kp_rk_wald_f"] == pytest.approx(m._f_stat_1st_stage, rel=1e-8)


def test_hetero_vcov_and_one_instrument_effective_f_is_robust_f():
    df = _panel(4)
    res = fit_iv(df, "y", "x", "z1", "w", fe="year", vcov="hetero")
    assert res.diagnostics["effective_f"] == pytest.approx(res.first_stages[0].f_stat, rel=1e-10)
    assert res.vcov == "hetero"


def test_stock_yogo_table():
    assert stock_yogo_critical_values(1) == {0.10: 16.38, 0.15: 8.96, 0.20: 6.66, 0.25: 5.53}
    assert stock_yogo_critical_values(3)[0.10] == 22.30
    assert stock_yogo_critical_values(2, n_endogenous=2) == {}


def test_instrument_collinear_with_fixed_effects_is_an_error():
    df = _panel(5)
    df["z_prov"] = df["province"] * 0.1 + 1.0  # constant within province
    with pytest.raises(IdentificationError, match="z_prov"):
        fit_iv(df, "y", "x", ["z_prov"], ["w"], fe="twoway")


def test_missing_columns_and_underidentification():
    df = _panel(6)
    with pytest.raises(MissingColumnError, match="z9"):
        fit_iv(df, "y", "x", ["z9"], fe="twoway")
    with pytest.raises(IdentificationError, match="under-identified"):
        fit_iv(df, "y", ["x", "w"], ["z1"], fe="twoway")


def test_iv_tables_en_zh(tmp_path):
    df = _panel(7)
    res = fit_iv(df, "y", "x", ["z1", "z2"], ["w"], fe="twoway")
    for lang, needle in (("en", "Stock-Yogo"), ("zh", "第一阶段")):
        tables = iv_tables(res, {"x": {"en": "Vag", "zh": "虚拟集聚"}}, lang)
        assert set(tables) == {"iv_second_stage", "iv_first_stage"}
        text = tables["iv_first_stage"].to_text()
        assert needle in text
        assert f"{res.diagnostics['kp_rk_wald_f']:.3f}" in text
        second = tables["iv_second_stage"].to_frame()
        assert second.shape[1] == 2  # OLS, 2SLS
    paths = write_tables(iv_tables(res, lang="zh"), tmp_path)
    assert all(p.exists() for p in paths)


def test_2sls_without_fixed_effects_equals_linearmodels():
    from linearmodels.iv import IV2SLS

    df = _panel(8)
    res = fit_iv(df, "y", "x", ["z1", "z2"], ["w"], fe=None)
    exog = df[["w"]].assign(const=1.0)
    lm = IV2SLS(df["y"], exog, df[["x"]], df[["z1", "z2"]]).fit(cov_type="clustered", clusters=df["province"], debiased=True)
    for t, lt in (("x", "x"), ("w", "w"), ("Intercept", "const")):
        assert res.second_stage.coefs.loc[t, "estimate"] == pytest.approx(lm.params[lt], rel=1e-8)
        assert res.second_stage.coefs.loc[t, "std_error"] == pytest.approx(lm.std_errors[lt], rel=1e-8)


def _ranktest_literal(Y, Z, cl, wald):
    """Literal port of the rk statistic with ranktest's A_q / B_q (u22h, v22h square roots)."""
    from scipy.linalg import sqrtm

    _n, K = Y.shape
    L = Z.shape[1]
    pi = np.linalg.solve(Z.T @ Z, Z.T @ Y)
    ry, rz = np.linalg.cholesky(Y.T @ Y), np.linalg.cholesky(Z.T @ Z)
    iry, irz = np.linalg.inv(ry.T), np.linalg.inv(rz.T)
    that = rz.T @ pi @ iry
    ut, _cc, vt = np.linalg.svd(that)
    vt = vt.T
    e = Y - Z @ pi if wald else Y
    shat = np.zeros((K * L, K * L))
    for g in np.unique(cl):
        s = (Z[cl == g].T @ e[cl == g]).reshape(-1, order="F")
        shat += np.outer(s, s)
    vhat = np.kron(iry.T, irz.T) @ shat @ np.kron(iry.T, irz.T).T
    i = K  # test of rank K-1 (1-based i as in ranktest)
    u12, v12 = ut[: i - 1, i - 1 :], vt[: i - 1, i - 1 :]
    u22, v22 = ut[i - 1 :, i - 1 :], vt[i - 1 :, i - 1 :]
    u22h, v22h = np.real(sqrtm(u22 @ u22.T)), np.real(sqrtm(v22 @ v22.T))
    aq = np.vstack([u12, u22]) @ np.linalg.inv(u22) @ u22h
    bq = v22h @ np.linalg.inv(v22.T) @ np.vstack([v12, v22]).T
    M = np.kron(bq, aq.T)
    lab = M @ that.reshape(-1, order="F")
    vlab = M @ vhat @ M.T
    return float(lab @ np.linalg.solve(vlab, lab))


def test_kp_rank_test_two_endogenous_regressors():
    from exportlens.econometrics import kp_rank_test

    rng = np.random.default_rng(11)
    n, G = 600, 40
    cl = np.repeat(np.arange(G), n // G)
    Z = rng.normal(size=(n, 3))
    Y = Z @ np.array([[1.0, 0.2], [0.5, 0.1], [0.0, 0.3]]) + rng.normal(size=(n, 2)) + rng.normal(size=(G, 1))[cl]
    for wald in (False, True):
        stat, df, _p = kp_rank_test(Y, Z, cl, wald=wald)
        assert stat == pytest.approx(_ranktest_literal(Y, Z, cl, wald), rel=1e-8)
        assert df == 2
    # i.i.d. LM version = Anderson's canonical-correlation statistic n * (smallest canonical correlation)^2
    eig = np.linalg.eigvals(np.linalg.solve(Y.T @ Y, Y.T @ Z @ np.linalg.solve(Z.T @ Z, Z.T @ Y)))
    stat_iid, _, _ = kp_rank_test(Y, Z, robust=False)
    assert stat_iid == pytest.approx(n * np.min(eig.real), rel=1e-8)
    # fit_iv: one endogenous regressor (pyfixest 0.60); the LM equals kp_rank_test on the partialled data
    df_ = _panel(9)
    df_["x2"] = df_["z2"] + 0.5 * df_["w"] + np.random.default_rng(1).normal(size=len(df_))
    with pytest.raises(InputError, match="one endogenous regressor"):
        fit_iv(df_, "y", ["x", "x2"], ["z1", "z2"], ["w"], fe="twoway")
    res = fit_iv(df_, "y", "x", ["z1", "z2"], ["w"], fe="twoway")
    dm = _demean_twoway(df_, ["x", "z1", "z2", "w"])
    w = dm[["w"]].to_numpy()
    part = lambda a: a - w @ np.linalg.lstsq(w, a, rcond=None)[0]  # noqa: E731
    stat, _, _ = kp_rank_test(part(dm[["x"]].to_numpy()), part(dm[["z1", "z2"]].to_numpy()), df_["province"].to_numpy(), wald=True)
    assert res.diagnostics["kp_rk_wald"] == pytest.approx(stat, rel=1e-8)


def test_mop_simplified_critical_values():
    from exportlens.econometrics import mop_critical_value

    # one instrument: K_eff = 1 and the published values 23.109 (tau 10%), 37.418 (5%), 15.062 (20%)
    for tau, cv in ((0.10, 23.109), (0.05, 37.418), (0.20, 15.062)):
        c, k = mop_critical_value(np.array([[0.3]]), np.array([[50.0]]), tau=tau)
        assert k == pytest.approx(1.0)
        assert c == pytest.approx(cv, abs=1e-3)
    # S proportional to the identity (homoskedastic, orthogonal instruments): K_eff = L
    c3, k3 = mop_critical_value(np.eye(3) * 0.01, np.eye(3) * 100.0)
    assert k3 == pytest.approx(3.0)
    from scipy.stats import ncx2

    assert c3 == pytest.approx(ncx2.ppf(0.95, 3, 30) / 3, rel=1e-10)
    # invariant to the scale of the covariance
    rng = np.random.default_rng(0)
    A = rng.normal(size=(2, 2))
    V, Q = A @ A.T + np.eye(2), np.array([[2.0, 0.5], [0.5, 1.0]])
    assert mop_critical_value(V, Q)[0] == pytest.approx(mop_critical_value(7 * V, Q)[0], rel=1e-10)
    res = fit_iv(_panel(10), "y", "x", ["z1", "z2"], ["w"], fe="twoway")
    assert 1.0 <= res.diagnostics["mop_k_eff"] <= 2.0
