"""Monte Carlo (slow): two-way fixed-effects SDM, Lee-Yu corrected vs uncorrected ML.

Data: 30 provinces (the 31 without Tibet) x 12 years, y_t = (I - rho W)^-1 (X_t beta +
W X_t theta + mu + alpha_t 1 + e_t), rho = 0.4, beta = (1, -0.5), theta = (0.5, 0.3), regressors
correlated with the region effects, 200 replications, for a sparse (contiguity) and a dense
(inverse-distance) W. Lee and Yu (2010, sec. 4) show that the direct (uncorrected) estimator
with time effects is inconsistent when N is fixed: rho is biased downwards, badly so for a
dense W, and the effects with it. Run with ``pytest -m slow -s`` to see the means.
"""

from __future__ import annotations

import numpy as np
import pytest

from exportlens.regions import province_codes
from exportlens.spatial import (
    contiguity_weights,
    effects_point,
    fit_spatial_panel_arrays,
    inverse_distance_weights,
    log_determinant,
)

RHO, BETA, THETA = 0.4, np.array([1.0, -0.5]), np.array([0.5, 0.3])
N_REP, T = 200, 12


def _true_effects(W: np.ndarray) -> np.ndarray:
    n = W.shape[0]
    inv = np.linalg.inv(np.eye(n) - RHO * W)
    out = []
    for b, t in zip(BETA, THETA, strict=True):
        s = inv @ (b * np.eye(n) + t * W)
        out.append([np.trace(s) / n, s.sum() / n - np.trace(s) / n, s.sum() / n])
    return np.array(out)


def _monte_carlo(w) -> dict[str, np.ndarray]:
    W = w.dense()
    n = w.n
    ld = log_determinant(w)
    a_inv = np.linalg.inv(np.eye(n) - RHO * W)
    rng = np.random.default_rng(20240601)
    res: dict[str, list] = {"rho_bc": [], "rho_unc": [], "eff_bc": [], "eff_unc": []}
    for _ in range(N_REP):
        mu = rng.normal(size=n)
        alpha = rng.normal(size=T)
        x = rng.normal(size=(T, n, 2)) + 0.5 * mu[None, :, None] + 0.5 * alpha[:, None, None]
        y = np.stack([a_inv @ (x[t] @ BETA + W @ x[t] @ THETA + mu + alpha[t] + rng.normal(size=n)) for t in range(T)])
        for tag, bc in (("bc", True), ("unc", False)):
            r = fit_spatial_panel_arrays(y, x, w, model="sdm", fe="twoway", bias_correction=bc, logdet=ld, effects=False)
            est = r.coefs["estimate"]
            res[f"rho_{tag}"].append(est["rho"])
            res[f"eff_{tag}"].append(effects_point(est[["x1", "x2"]].to_numpy(), est[["W*x1", "W*x2"]].to_numpy(), est["rho"], ld))
    return {k: np.array(v) for k, v in res.items()}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["contiguity", "inverse_distance"])
def test_lee_yu_correction_recovers_rho_and_effects(kind):
    regions = [c for c in province_codes() if c != 540000]
    w = contiguity_weights(regions=regions) if kind == "contiguity" else inverse_distance_weights(regions)
    out = _monte_carlo(w)
    true = _true_effects(w.dense())
    m_bc, m_unc = out["rho_bc"].mean(), out["rho_unc"].mean()
    e_bc, e_unc = out["eff_bc"].mean(axis=0), out["eff_unc"].mean(axis=0)
    print(f"\n[{kind} W, N=30, T={T}, {N_REP} replications, true rho {RHO}]")
    print(f"  mean rho: corrected {m_bc:.4f} (sd {out['rho_bc'].std():.4f}), uncorrected {m_unc:.4f} (sd {out['rho_unc'].std():.4f})")
    for j, v in enumerate(["x1", "x2"]):
        print(f"  {v} direct/indirect/total: true {np.round(true[j], 4)}, corrected {np.round(e_bc[j], 4)}, uncorrected {np.round(e_unc[j], 4)}")
    se_mean = out["rho_bc"].std() / np.sqrt(N_REP)
    # the corrected estimator is unbiased up to O(1/(NT)) and Monte Carlo error
    assert abs(m_bc - RHO) < max(0.02, 4 * se_mean)
    # the uncorrected one is biased downwards, and by more than the corrected one
    assert m_unc < m_bc and abs(m_unc - RHO) > 2 * abs(m_bc - RHO)
    # effects: the corrected means recover the true indirect and total effects
    assert np.allclose(e_bc, true, atol=0.1 * np.abs(true).max())
    assert np.abs(e_unc - true)[:, 2].max() > np.abs(e_bc - true)[:, 2].max()
