"""Spatial panel models: spreg equality, exact LeSage-Pace effects, Lee-Yu dimensions, Hessian, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import (
    EstimationError,
    IslandRegionError,
    SpatialWeightsError,
    UnbalancedPanelError,
)
from exportlens.regions import province_codes
from exportlens.spatial import (
    contiguity_weights,
    effects_point,
    fit_spatial_panel,
    fit_spatial_panel_arrays,
    inverse_distance_weights,
    knn_weights,
    log_determinant,
    specification_tests,
    to_libpysal,
)


def _simulate(w, t=12, rho=0.4, beta=(1.0, -0.5), theta=(0.5, 0.3), seed=0, fe="twoway"):
    rng = np.random.default_rng(seed)
    n = w.n
    W = w.dense()
    x = rng.normal(size=(t, n, 2))
    mu = rng.normal(size=n) if fe in ("unit", "twoway") else np.zeros(n)
    al = rng.normal(size=t) if fe in ("time", "twoway") else np.zeros(t)
    a = np.eye(n) - rho * W
    y = np.stack([np.linalg.solve(a, x[s] @ np.array(beta) + W @ x[s] @ np.array(theta) + mu + al[s] + rng.normal(size=n))
                  for s in range(t)])
    return y, x


def _long(w, y, x):
    t, n = y.shape
    return pd.DataFrame({"code": np.tile(list(w.regions), t), "year": np.repeat(np.arange(2010, 2010 + t), n),
                         "y": y.ravel(), "x1": x[:, :, 0].ravel(), "x2": x[:, :, 1].ravel()})


@pytest.fixture(scope="module")
def contig():
    return contiguity_weights()


def test_unit_fe_sar_equals_spreg(contig):
    spreg = pytest.importorskip("spreg")
    y, x = _simulate(contig, fe="unit", theta=(0.0, 0.0), seed=3)
    ours = fit_spatial_panel_arrays(y, x, contig, model="sar", fe="unit", effects=False)
    ref = spreg.Panel_FE_Lag(y.reshape(-1, 1), x.reshape(-1, 2), to_libpysal(contig))
    # spreg optimises rho on (-1, 1) with xatol 1e-7; ours with xatol 1e-9 on the exact domain
    assert ours.coefs["estimate"].iloc[:3].to_numpy() == pytest.approx(ref.betas.ravel(), abs=1e-6)
    # spreg's sigma^2 is e'e/(NT): the uncorrected (direct) estimator; ours corrected by T/(T-1)
    unc = fit_spatial_panel_arrays(y, x, contig, model="sar", fe="unit", effects=False, bias_correction=False)
    assert unc.coefs.loc["sigma2", "estimate"] == pytest.approx(float(np.ravel(ref.sig2)[0]), rel=1e-5)
    t = y.shape[0]
    assert ours.coefs.loc["sigma2", "estimate"] == pytest.approx(unc.coefs.loc["sigma2", "estimate"] * t / (t - 1), rel=1e-6)
    assert ours.coefs.loc["rho", "estimate"] == pytest.approx(unc.coefs.loc["rho", "estimate"], abs=1e-7)
    # spreg 1.9 concentrates with log(e'e) instead of log(e'e / NT), so its logll is lower by (NT/2) log(NT)
    nt = y.size
    assert unc.loglik == pytest.approx(float(np.ravel(ref.logll)[0]) + nt / 2 * np.log(nt), rel=1e-8)


def test_unit_fe_sem_equals_spreg(contig):
    spreg = pytest.importorskip("spreg")
    rng = np.random.default_rng(5)
    n, t = contig.n, 10
    x = rng.normal(size=(t, n, 2))
    a = np.eye(n) - 0.5 * contig.dense()
    mu = rng.normal(size=n)
    y = np.stack([x[s] @ [1.0, 2.0] + mu + np.linalg.solve(a, rng.normal(size=n)) for s in range(t)])
    ours = fit_spatial_panel_arrays(y, x, contig, model="sem", fe="unit", bias_correction=False)
    ref = spreg.Panel_FE_Error(y.reshape(-1, 1), x.reshape(-1, 2), to_libpysal(contig))
    assert ours.coefs["estimate"].iloc[:3].to_numpy() == pytest.approx(ref.betas.ravel(), abs=1e-5)


def test_effects_equal_exact_lesage_pace(contig):
    y, x = _simulate(contig, seed=1)
    res = fit_spatial_panel_arrays(y, x, contig, model="sdm", fe="twoway", draws=200)
    beta = res.coefs.loc[["x1", "x2"], "estimate"].to_numpy()
    theta = res.coefs.loc[["W*x1", "W*x2"], "estimate"].to_numpy()
    rho = res.rho
    n = contig.n
    W = contig.dense()
    inv = np.linalg.inv(np.eye(n) - rho * W)
    for j, v in enumerate(["x1", "x2"]):
        s = inv @ (beta[j] * np.eye(n) + theta[j] * W)
        direct, total = np.trace(s) / n, s.sum() / n
        eff = res.effects.frame.loc[v, "estimate"]
        assert eff["direct"] == pytest.approx(direct, rel=1e-10)
        assert eff["total"] == pytest.approx(total, rel=1e-10)
        assert eff["indirect"] == pytest.approx(total - direct, rel=1e-9)
    # the simulated SEs are positive and the interval covers the estimate
    f = res.effects.frame
    assert (f["se"] > 0).all() and ((f["ci_low"] <= f["estimate"]) & (f["estimate"] <= f["ci_high"])).all()


def test_large_n_lu_path_matches_dense():
    rng = np.random.default_rng(2)
    xy = np.column_stack([rng.uniform(20, 45, 300), rng.uniform(90, 122, 300)])
    w = knn_weights(6, list(range(300)), coordinates=xy)
    eig = log_determinant(w, method="eigen")
    lu = log_determinant(w, method="lu", trace_draws=200)
    for r in (-0.5, 0.2, 0.7):
        assert lu.value(r) == pytest.approx(eig.value(r), abs=1e-8)
        # Hutchinson-based traces: agreement within the stated Monte Carlo error (5 SE) + truncation bound
        trunc, se = lu.trace_error(r)
        assert abs(lu.mean_trace_inverse(r)[0] - eig.mean_trace_inverse(r)[0]) < 5 * se + trunc + 1e-12
        assert lu.second_derivative(r) == pytest.approx(eig.second_derivative(r), rel=2e-2)
    inv = np.linalg.inv(np.eye(300) - 0.6 * w.dense())
    assert eig.mean_trace_inverse(0.6)[0] == pytest.approx(np.trace(inv) / 300, rel=1e-10)
    pt = effects_point(np.array([1.0]), np.array([0.5]), 0.6, lu)
    s = inv @ (np.eye(300) + 0.5 * w.dense())
    assert pt[0, 0] == pytest.approx(np.trace(s) / 300, rel=1e-3)
    assert pt[0, 2] == pytest.approx(s.sum() / 300, rel=1e-10)


def test_symmetric_eigen_path(contig):
    a = log_determinant(contig, method="eigen")
    b = log_determinant(contig, method="eigen_symmetric")
    assert b.bounds == pytest.approx(a.bounds, rel=1e-8)
    assert b.value(0.3) == pytest.approx(a.value(0.3), abs=1e-9)
    with pytest.raises(SpatialWeightsError, match="symmetric"):
        log_determinant(knn_weights(4), method="eigen_symmetric")


def _full_loglik(params, y, x, W, n_eff, t_eff, c):
    """Independent SAR/SDM log-likelihood on double-demeaned data (test-side formula)."""
    _, n, k = x.shape
    beta, rho, s2 = params[:k], params[k], params[k + 1]

    def dm(a):
        a = a - a.mean(axis=0, keepdims=True)
        return a - a.mean(axis=1, keepdims=True)

    yd, wyd = dm(y), dm((W @ y.T).T)
    e = yd - rho * wyd - dm(x) @ beta
    logdet = np.linalg.slogdet(np.eye(n) - rho * W)[1]
    return -n_eff / 2 * np.log(2 * np.pi * s2) + t_eff * (logdet - c * np.log(1 - rho)) - (e**2).sum() / (2 * s2)


def test_loglik_and_hessian_against_numerical(contig):
    y, x = _simulate(contig, seed=4, theta=(0.0, 0.0))
    res = fit_spatial_panel_arrays(y, x, contig, model="sar", fe="twoway", effects=False)
    n, t = contig.n, y.shape[0]
    args = (y, x, contig.dense(), (n - 1) * (t - 1), t - 1, 1)
    est = res.coefs["estimate"].to_numpy()
    assert res.loglik == pytest.approx(_full_loglik(est, *args), rel=1e-10)
    h = 1e-4
    m = len(est)
    num = np.zeros((m, m))
    for i in range(m):
        for j in range(m):
            ei, ej = np.eye(m)[i] * h, np.eye(m)[j] * h
            num[i, j] = (_full_loglik(est + ei + ej, *args) - _full_loglik(est + ei - ej, *args)
                         - _full_loglik(est - ei + ej, *args) + _full_loglik(est - ei - ej, *args)) / (4 * h * h)
    assert np.linalg.inv(-num) == pytest.approx(res.cov.to_numpy(), rel=1e-3, abs=1e-8)
    # the maximum: gradient ~ 0
    for i in range(m):
        ei = np.eye(m)[i] * 1e-6
        assert abs(_full_loglik(est + ei, *args) - _full_loglik(est - ei, *args)) / 2e-6 < 1e-2


def test_dataframe_interface_tests_and_names(contig):
    y, x = _simulate(contig, seed=6)
    panel = _long(contig, y, x)
    panel["code"] = panel["code"].map(lambda c: {110000: "北京", 440000: "Guangdong"}.get(c, c))
    sdm = fit_spatial_panel(panel, "y", ["x1", "x2"], weights=contig, draws=100)
    sar = fit_spatial_panel(panel, "y", ["x1", "x2"], weights=contig, model="sar", draws=100)
    sem = fit_spatial_panel(panel, "y", ["x1", "x2"], weights=contig, model="sem")
    arr = fit_spatial_panel_arrays(y, x, contig, draws=100, x_names=["x1", "x2"])
    assert sdm.coefs["estimate"].to_numpy() == pytest.approx(arr.coefs["estimate"].to_numpy())
    tests = specification_tests(sdm, sar, sem).frame
    assert tests.loc["LR: SDM vs SAR", "statistic"] == pytest.approx(2 * (sdm.loglik - sar.loglik))
    # Wald SAR by hand
    th = sdm.coefs.loc[["W*x1", "W*x2"], "estimate"].to_numpy()
    v = sdm.cov.loc[["W*x1", "W*x2"], ["W*x1", "W*x2"]].to_numpy()
    assert tests.loc["Wald: SDM vs SAR (theta = 0)", "statistic"] == pytest.approx(th @ np.linalg.solve(v, th))
    assert (tests["p"] < 0.05).all()  # the DGP has theta != 0 and theta != -rho beta
    assert sdm.aic == pytest.approx(-2 * sdm.loglik + 2 * 6)
    assert 0 < sdm.pseudo_r2 < 1
    assert "SDM panel" in sdm.summary() and set(sdm.to_frame()["term"]) >= {"x1", "W*x2", "rho", "sigma2"}


def test_bad_inputs(contig):
    y, x = _simulate(contig, seed=7)
    panel = _long(contig, y, x)
    # weights that do not match the regions
    w30 = contiguity_weights(regions=province_codes()[:30])
    with pytest.raises(SpatialWeightsError, match="no row in the weights"):
        fit_spatial_panel(panel, "y", ["x1"], weights=w30)
    with pytest.raises(UnbalancedPanelError, match="no row in the panel"):
        fit_spatial_panel(panel[panel["code"] != 650000], "y", ["x1"], weights=contig)
    # unbalanced panel
    with pytest.raises(UnbalancedPanelError, match="unbalanced"):
        fit_spatial_panel(panel.iloc[1:], "y", ["x1"], weights=contig)
    with pytest.raises(UnbalancedPanelError, match="duplicated"):
        fit_spatial_panel(pd.concat([panel, panel.iloc[:1]]), "y", ["x1"], weights=contig)
    # an island under contiguity
    with pytest.raises(IslandRegionError, match="460000"):
        fit_spatial_panel(panel, "y", ["x1"], weights=contiguity_weights(hainan="isolated"))
    # not row-standardised
    with pytest.raises(SpatialWeightsError, match="row-standardised"):
        fit_spatial_panel(panel, "y", ["x1"], weights=contiguity_weights(row_standardise=False))
    # a regressor constant within regions is collinear with unit effects
    panel["const_x"] = panel["code"] % 7
    with pytest.raises(Exception, match="collinear"):
        fit_spatial_panel(panel, "y", ["x1", "const_x"], weights=contig, fe="unit")


def test_rho_at_boundary_raises():
    w = inverse_distance_weights()
    rng = np.random.default_rng(0)
    n, t = w.n, 8
    # every period's y is a common level plus tiny noise: W y = y almost exactly, so the
    # likelihood increases towards rho = 1 (no interior maximum)
    y = np.stack([np.full(n, float(s * s)) + 1e-9 * rng.normal(size=n) for s in range(t)])
    x = rng.normal(size=(t, n, 1))
    with pytest.raises(EstimationError, match="boundary"):
        fit_spatial_panel_arrays(y, x, w, model="sar", fe="unit", effects=False)


def _orthonormal_complement(m: int) -> np.ndarray:
    """F (m x (m-1)): orthonormal eigenvectors of J = I - 11'/m for eigenvalue 1."""
    q, _ = np.linalg.qr(np.column_stack([np.ones(m), np.eye(m)[:, : m - 1]]))
    return q[:, 1:]


@pytest.mark.parametrize("fe", ["time", "twoway"])
def test_lee_yu_equals_explicit_orthonormal_transformation(contig, fe):
    """Lee and Yu (2010): y* = F_T' Y F_N, W* = F_N' W F_N; our demeaned likelihood must equal it."""
    from scipy.optimize import minimize_scalar

    y, x = _simulate(contig, t=6, seed=9)
    res = fit_spatial_panel_arrays(y, x, contig, model="sdm", fe=fe, effects=False)
    n, t = contig.n, y.shape[0]
    W = contig.dense()
    fn = _orthonormal_complement(n)
    ft = _orthonormal_complement(t) if fe == "twoway" else np.eye(t)
    ws = fn.T @ W @ fn
    wx = np.stack([W @ x[s] for s in range(t)])
    design = np.concatenate([x, wx], axis=2)
    ys = ft.T @ y @ fn
    xs = np.stack([ft.T @ design[:, :, j] @ fn for j in range(design.shape[2])], axis=2).reshape(-1, design.shape[2])
    wys = (ws @ ys.T).T
    n_eff, t_eff = ys.size, ys.shape[0]

    def conc(r):
        z = (ys - r * wys).ravel()
        b = np.linalg.lstsq(xs, z, rcond=None)[0]
        e = z - xs @ b
        return -(n_eff / 2) * np.log(e @ e / n_eff) + t_eff * np.linalg.slogdet(np.eye(n - 1) - r * ws)[1], b, e

    opt = minimize_scalar(lambda r: -conc(r)[0], bounds=(-0.9, 0.99), method="bounded", options={"xatol": 1e-10})
    assert res.rho == pytest.approx(opt.x, abs=1e-6)
    _, b, e = conc(res.rho)
    s2 = e @ e / n_eff
    assert res.coefs["estimate"].iloc[:4].to_numpy() == pytest.approx(b, abs=1e-6)
    assert res.coefs.loc["sigma2", "estimate"] == pytest.approx(s2, rel=1e-6)
    ll = -(n_eff / 2) * (np.log(2 * np.pi * s2) + 1) + t_eff * np.linalg.slogdet(np.eye(n - 1) - res.rho * ws)[1]
    assert res.loglik == pytest.approx(ll, rel=1e-9)
    assert res.n_effective == n_eff
