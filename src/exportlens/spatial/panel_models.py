"""Spatial panel models with fixed effects by (quasi-)maximum likelihood: SAR, SEM, SDM.

Models for a balanced panel of N regions and T periods (y_t, X_t stacked by period; W a
row-standardised N x N weights matrix; mu region effects, alpha_t period effects):

    SAR:  y_t = rho W y_t + X_t beta + mu + alpha_t 1 + e_t
    SDM:  y_t = rho W y_t + X_t beta + W X_t theta + mu + alpha_t 1 + e_t
    SEM:  y_t = X_t beta + mu + alpha_t 1 + u_t,   u_t = lambda W u_t + e_t

Fixed effects are removed by demeaning: over time within a region (``fe="unit"``), across
regions within a period (``"time"``), or both (``"twoway"``); spatial lags are formed before
demeaning (for a row-standardised W, J_N W J_N = J_N W, so this equals Lee and Yu's
orthonormal transformation).

Estimation maximises the concentrated log-likelihood in rho (Anselin 1988, ch. 6;
Elhorst 2014, ch. 3). With e(rho) = e_0 - rho e_L, e_0 and e_L the residuals of the
demeaned y and W y on the demeaned regressors [X, W X]:

    l_c(rho) = -(n*/2) log(e(rho)'e(rho)/n*) + T* [log|I - rho W| - c log(1 - rho)],

maximised by bounded 1-D optimisation over rho's domain (1/omega_min, 1/omega_max); then
beta = b_0 - rho b_L and sigma^2 = e'e/n*. The SEM profile in lambda uses the filtered data
(I - lambda W)(y, X). The bias-corrected (``bias_correction=True``, default) likelihood is
Lee and Yu's (2010) transformation approach:

    ===========  ================  ======  ===
    fe           n*                T*      c
    ===========  ================  ======  ===
    unit         N (T - 1)         T - 1   0
    time         (N - 1) T         T       1
    twoway       (N - 1)(T - 1)    T - 1   1
    ===========  ================  ======  ===

For unit effects this gives the same rho and beta as the direct approach and sigma^2 larger
by T/(T - 1) (Elhorst 2014, sec. 3.4); with time (and two-way) effects it removes the
O(1/N) bias of rho that the direct approach has (Lee and Yu 2010, Theorem 3 and sec. 4).
``bias_correction=False`` is the direct approach: n* = N T, T* = T, c = 0 (as in spreg's
``Panel_FE_Lag``).

Variance: the observed information, i.e. minus the inverse of the analytic Hessian of the full
log-likelihood

    l = -(n*/2) log(2 pi sigma^2) + T* [log|I - rho W| - c log(1 - rho)] - e'e / (2 sigma^2)

in (beta, theta, rho, sigma^2), evaluated at the estimate. The second derivative of the
log-determinant is exact (eigenvalues) for small N and a power series with stated error for
large N (:mod:`exportlens.spatial.logdet`).

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer.
Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to Spatial Panels*. Springer, ch. 3.
Lee, L.-f. and Yu, J. (2010). Estimation of spatial autoregressive panel data models with
fixed effects. *Journal of Econometrics* 154(2), 165-185.
LeSage, J. and Pace, R. K. (2009). *Introduction to Spatial Econometrics*. CRC Press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from exportlens.errors import EstimationError, InputError, SpatialWeightsError
from exportlens.spatial.effects import EffectsResult, simulate_effects
from exportlens.spatial.logdet import LogDeterminant, log_determinant
from exportlens.spatial.panel_data import panel_arrays
from exportlens.spatial.weights import SpatialWeights

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FIXED_EFFECTS",
    "MODELS",
    "SpatialPanelResult",
    "SpatialTests",
    "demean_panel",
    "effective_dimensions",
    "fit_spatial_panel",
    "fit_spatial_panel_arrays",
    "spatial_lag",
    "specification_tests",
]

FixedEffects = Literal["unit", "time", "twoway"]
ModelKind = Literal["sar", "sem", "sdm"]
FIXED_EFFECTS = ("unit", "time", "twoway")
MODELS = ("sar", "sem", "sdm")
#: rho closer than this to an end of its domain counts as a boundary solution.
BOUNDARY_TOL = 1e-4


def spatial_lag(w: Any, a: np.ndarray) -> np.ndarray:
    """W applied to each period: a (T, N) -> (T, N); a (T, N, k) -> (T, N, k).

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.spatial import contiguity_weights, spatial_lag
    >>> w = contiguity_weights(regions=["北京", "天津", "河北"])
    >>> y = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # (T=2, N=3)
    >>> spatial_lag(w.dense(), y).round(3).tolist()
    [[2.5, 2.0, 1.5], [5.5, 5.0, 4.5]]
    """
    if a.ndim == 2:
        return np.asarray(w @ a.T).T
    return np.stack([np.asarray(w @ a[:, :, j].T).T for j in range(a.shape[2])], axis=2)


def demean_panel(a: np.ndarray, fe: str) -> np.ndarray:
    """Within transformation of (T, N[, k]) arrays: unit (over T), time (over N) or both.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.spatial import demean_panel
    >>> a = np.array([[1.0, 2.0, 6.0], [3.0, 4.0, 8.0]])  # (T=2, N=3)
    >>> demean_panel(a, "unit").tolist()
    [[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]]
    >>> demean_panel(a, "twoway").round(4).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    if fe not in FIXED_EFFECTS:
        raise InputError(f"Unknown fixed effects {fe!r}; use one of {FIXED_EFFECTS}.")
    out = a
    if fe in ("unit", "twoway"):
        out = out - out.mean(axis=0, keepdims=True)
    if fe in ("time", "twoway"):
        out = out - out.mean(axis=1, keepdims=True)
    return out


def effective_dimensions(n: int, t: int, fe: str, bias_correction: bool) -> tuple[int, int, int]:
    """(n*, T*, c) of the concentrated likelihood (see the module docstring table).

    Examples
    --------
    >>> from exportlens.spatial import effective_dimensions
    >>> effective_dimensions(30, 13, "twoway", bias_correction=True)
    (348, 12, 1)
    >>> effective_dimensions(30, 13, "unit", bias_correction=False)
    (390, 13, 0)
    """
    if not bias_correction:
        return n * t, t, 0
    return {"unit": (n * (t - 1), t - 1, 0), "time": ((n - 1) * t, t, 1), "twoway": ((n - 1) * (t - 1), t - 1, 1)}[fe]


@dataclass
class SpatialPanelResult:
    """A fitted spatial panel model.

    ``coefs`` has one row per parameter (regressors, ``W*x`` lags, ``rho``/``lambda``,
    ``sigma2``) with estimate, se, z, p and the 95 % normal interval; ``cov`` is their
    covariance (observed information). ``effects`` holds the LeSage-Pace effects (SAR/SDM).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import fit_spatial_panel, inverse_distance_weights
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> res = fit_spatial_panel(df, "sl", ["vag"], weights=w, model="sar", effects=False)
    >>> res.model, res.n_regions, res.n_periods, round(res.rho, 4)
    ('sar', 30, 13, 0.1193)
    >>> {k: round(float(v), 2) for k, v in res.stats().items() if k in ("loglik", "aic", "bic")}
    {'loglik': 629.45, 'aic': -1252.9, 'bic': -1241.34}
    >>> print(res.summary())
    SAR panel, twoway fixed effects, Lee-Yu bias-corrected ML; y = sl; N = 30, T = 13; ...
            estimate     se       z      p  ci_low  ci_high
    term
    vag      -0.0147 0.0564 -0.2613 0.7939 -0.1252   0.0958
    rho       0.1193 0.2677  0.4455 0.6559 -0.4053   0.6438
    sigma2    0.0016 0.0001 12.8649 0.0000  0.0013   0.0018
    ...
    """

    model: str
    fe: str
    bias_correction: bool
    y: str
    x: list[str]
    wx: list[str]
    coefs: pd.DataFrame
    cov: pd.DataFrame
    loglik: float
    n_regions: int
    n_periods: int
    n_effective: int
    pseudo_r2: float
    rho_bounds: tuple[float, float]
    weights_kind: str
    logdet_method: str
    effects: EffectsResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def spatial_parameter(self) -> str:
        return "lambda" if self.model == "sem" else "rho"

    @property
    def rho(self) -> float:
        return float(self.coefs["estimate"].to_numpy(dtype=float)[self.coefs.index.get_loc(self.spatial_parameter)])

    @property
    def n_params(self) -> int:
        return len(self.coefs)

    @property
    def aic(self) -> float:
        """AIC = -2 l + 2 k, k = regressors + lags + rho/lambda + sigma^2 (fixed effects concentrated out)."""
        return -2.0 * self.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        return -2.0 * self.loglik + np.log(self.n_effective) * self.n_params

    def params(self) -> pd.Series:
        return self.coefs["estimate"].copy()

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficients with model metadata columns."""
        out = self.coefs.reset_index().rename(columns={"index": "term"})
        out.insert(0, "model", self.model.upper())
        out["fe"] = self.fe
        out["bias_correction"] = self.bias_correction
        return out

    def stats(self) -> dict[str, Any]:
        return {"loglik": self.loglik, "aic": self.aic, "bic": self.bic, "pseudo_r2": self.pseudo_r2,
                "n_regions": self.n_regions, "n_periods": self.n_periods, "n_obs": self.n_regions * self.n_periods,
                "n_effective": self.n_effective}

    def summary(self) -> str:
        head = (f"{self.model.upper()} panel, {self.fe} fixed effects, "
                f"{'Lee-Yu bias-corrected' if self.bias_correction else 'direct (uncorrected)'} ML; "
                f"y = {self.y}; N = {self.n_regions}, T = {self.n_periods}; W: {self.weights_kind}")
        st = self.stats()
        tail = (f"log-likelihood {st['loglik']:.4f}, AIC {st['aic']:.4f}, pseudo R2 {st['pseudo_r2']:.4f}, "
                f"{self.spatial_parameter} domain ({self.rho_bounds[0]:.4f}, {self.rho_bounds[1]:.4f}), log-det: {self.logdet_method}")
        parts = [head, self.coefs.to_string(float_format=lambda v: f"{v:.4f}"), tail]
        if self.effects is not None:
            parts.append(self.effects.summary())
        parts += [f"note: {n}" for n in self.notes]
        return "\n".join(parts)


def _coef_frame(names: list[str], est: np.ndarray, cov: np.ndarray) -> pd.DataFrame:
    import pandas as pd
    from scipy import stats

    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    p = 2 * stats.norm.sf(np.abs(z))
    q = stats.norm.ppf(0.975)
    return pd.DataFrame({"estimate": est, "se": se, "z": z, "p": p, "ci_low": est - q * se, "ci_high": est + q * se},
                        index=pd.Index(names, name="term"))


def _check_interior(value: float, bounds: tuple[float, float], name: str) -> None:
    lo, hi = bounds
    if value - lo < BOUNDARY_TOL or hi - value < BOUNDARY_TOL:
        raise EstimationError(
            f"The estimate of {name} ({value:.6f}) is at the boundary of its domain ({lo:.6f}, {hi:.6f}); "
            "the likelihood has no interior maximum: check the weights (row-standardised? matching regions?), "
            "the fixed effects and whether the variable is (near) non-stationary."
        )


def fit_spatial_panel_arrays(
    y: np.ndarray,
    x: np.ndarray,
    weights: SpatialWeights,
    *,
    model: ModelKind = "sdm",
    fe: FixedEffects = "twoway",
    x_names: Sequence[str] | None = None,
    wx: Sequence[str] | None = None,
    y_name: str = "y",
    bias_correction: bool = True,
    logdet: LogDeterminant | None = None,
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 0,
) -> SpatialPanelResult:
    """Fit a spatial panel model on arrays: ``y`` (T, N), ``x`` (T, N, k), columns in W's region order.

    ``wx`` names the regressors that get a spatial lag W x in the SDM (default: all).
    ``logdet`` may be passed to reuse the eigenvalues / trace moments across fits (Monte
    Carlo, several models on one W). See the module docstring for the likelihood.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.spatial import contiguity_weights, fit_spatial_panel_arrays
    >>> w = contiguity_weights(regions=["北京", "天津", "河北", "山西", "内蒙古", "辽宁"])
    >>> rng = np.random.default_rng(0)
    >>> t, n = 40, w.n
    >>> x = rng.normal(size=(t, n, 1))
    >>> a = np.linalg.inv(np.eye(n) - 0.4 * w.dense())  # y = (I - 0.4 W)^-1 (x + e)
    >>> y = (x[:, :, 0] + 0.1 * rng.normal(size=(t, n))) @ a.T
    >>> res = fit_spatial_panel_arrays(y, x, w, model="sar", fe="unit", x_names=["x"],
    ...                                effects=False)
    >>> res.params().round(2)
    term
    x         1.01
    rho       0.39
    sigma2    0.01
    Name: estimate, dtype: float64
    """
    from scipy.optimize import minimize_scalar

    model = str(model).lower()  # type: ignore[assignment]
    if model not in MODELS:
        raise InputError(f"Unknown spatial model {model!r}; use one of {MODELS}.")
    if fe not in FIXED_EFFECTS:
        raise InputError(f"Unknown fixed effects {fe!r}; use one of {FIXED_EFFECTS}.")
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        x = x[:, :, None]
    t_n, n = y.shape
    if x.shape[:2] != (t_n, n):
        raise InputError(f"x has shape {x.shape} but y is {y.shape}; x must be (T, N, k) with y's (T, N).")
    if n != weights.n:
        raise SpatialWeightsError(f"The data have {n} regions but W has {weights.n}; build W for the regions of the panel.")
    if t_n < 2:
        raise InputError("A fixed-effects spatial panel needs at least 2 periods.")
    if not (np.isfinite(y).all() and np.isfinite(x).all()):
        raise InputError("y and x must be finite; the panel has missing or infinite values.")
    weights.require_no_islands(f"the spatial {model.upper()} panel")
    if not weights.row_standardised:
        raise SpatialWeightsError(
            "Spatial panel models here need a row-standardised W (the Lee-Yu correction and the effects formulas rely on W 1 = 1); "
            "use weights.row_standardise()."
        )
    k = x.shape[2]
    names = list(x_names) if x_names is not None else [f"x{j + 1}" for j in range(k)]
    if len(names) != k:
        raise InputError(f"{len(names)} names for {k} regressors.")
    if model == "sdm":
        wx_names = list(wx) if wx is not None else list(names)
        bad = [v for v in wx_names if v not in names]
        if bad:
            raise InputError(f"wx names {bad} are not regressors {names}.")
    else:
        wx_names = []
    wx_idx = [names.index(v) for v in wx_names]
    ld = logdet if logdet is not None else log_determinant(weights)
    if ld.n != n:
        raise InputError("The log-determinant evaluator was built for another W.")
    w = weights.sparse()
    n_eff, t_eff, c = effective_dimensions(n, t_n, fe, bias_correction)
    lo, hi = ld.bounds

    design = x
    if wx_idx:
        design = np.concatenate([x, spatial_lag(w, x[:, :, wx_idx])], axis=2)
    term_names = names + [f"W*{v}" for v in wx_names]
    p_cols = design.shape[2]
    xd = demean_panel(design, fe).reshape(t_n * n, p_cols)
    yd = demean_panel(y, fe).ravel()
    wyd = demean_panel(spatial_lag(w, y), fe).ravel()
    if np.linalg.matrix_rank(xd) < p_cols:
        raise InputError(
            f"The regressors {term_names} are collinear after removing the {fe} fixed effects "
            "(a variable constant within regions or periods, or a lag identical to another column); drop one."
        )

    def reduced(rho: float) -> float:
        return ld.value(rho) - (c * np.log(1.0 - rho) if c else 0.0)

    notes = [*ld.notes, "variance: observed information (analytic Hessian of the full log-likelihood)"]
    sp_name = "lambda" if model == "sem" else "rho"
    if model in ("sar", "sdm"):
        b, *_ = np.linalg.lstsq(xd, np.column_stack([yd, wyd]), rcond=None)
        e0 = yd - xd @ b[:, 0]
        el = wyd - xd @ b[:, 1]
        s00, s0l, sll = e0 @ e0, e0 @ el, el @ el

        def neg_conc(r: float) -> float:
            return 0.5 * n_eff * np.log((s00 - 2 * r * s0l + r * r * sll) / n_eff) - t_eff * reduced(r)

        opt = minimize_scalar(neg_conc, bounds=(lo + 1e-9, hi - 1e-9), method="bounded", options={"xatol": 1e-9})
        rho = float(opt.x)
        _check_interior(rho, (lo, hi), sp_name)
        beta = b[:, 0] - rho * b[:, 1]
        e = e0 - rho * el
        ee = float(e @ e)
        s2 = ee / n_eff
        xtx = xd.T @ xd
        h = np.zeros((p_cols + 2, p_cols + 2))
        h[:p_cols, :p_cols] = -xtx / s2
        h[:p_cols, p_cols] = h[p_cols, :p_cols] = -(xd.T @ wyd) / s2
        h[p_cols, p_cols] = t_eff * (ld.second_derivative(rho) + c / (1 - rho) ** 2) - (wyd @ wyd) / s2
        h[:p_cols, -1] = h[-1, :p_cols] = -(xd.T @ e) / s2**2
        h[p_cols, -1] = h[-1, p_cols] = -(wyd @ e) / s2**2
        h[-1, -1] = n_eff / (2 * s2**2) - ee / s2**3
        fitted = _reduced_form(weights, ld, rho, (xd @ beta).reshape(t_n, n))
    else:
        wxd = demean_panel(spatial_lag(w, design), fe).reshape(t_n * n, p_cols)
        z = np.column_stack([xd, yd])
        wz = np.column_stack([wxd, wyd])
        m0, m1, m2 = z.T @ z, z.T @ wz + wz.T @ z, wz.T @ wz

        def profile(lam: float) -> tuple[np.ndarray, float]:
            s = m0 - lam * m1 + lam * lam * m2
            bb = np.linalg.solve(s[:-1, :-1], s[:-1, -1])
            return bb, float(s[-1, -1] - s[:-1, -1] @ bb)

        def neg_conc(r: float) -> float:
            return 0.5 * n_eff * np.log(profile(r)[1] / n_eff) - t_eff * reduced(r)

        opt = minimize_scalar(neg_conc, bounds=(lo + 1e-9, hi - 1e-9), method="bounded", options={"xatol": 1e-9})
        rho = float(opt.x)
        _check_interior(rho, (lo, hi), sp_name)
        beta, ee = profile(rho)
        s2 = ee / n_eff
        u = yd - xd @ beta
        wu = wyd - wxd @ beta
        e = u - rho * wu
        xs = xd - rho * wxd
        h = np.zeros((p_cols + 2, p_cols + 2))
        h[:p_cols, :p_cols] = -(xs.T @ xs) / s2
        h[:p_cols, p_cols] = h[p_cols, :p_cols] = -(wxd.T @ e + xs.T @ wu) / s2
        h[p_cols, p_cols] = t_eff * (ld.second_derivative(rho) + c / (1 - rho) ** 2) - (wu @ wu) / s2
        h[:p_cols, -1] = h[-1, :p_cols] = -(xs.T @ e) / s2**2
        h[p_cols, -1] = h[-1, p_cols] = -(wu @ e) / s2**2
        h[-1, -1] = n_eff / (2 * s2**2) - ee / s2**3
        fitted = xd @ beta

    loglik = -0.5 * n_eff * (np.log(2 * np.pi * s2) + 1.0) + t_eff * reduced(rho)
    try:
        cov = np.linalg.inv(-h)
    except np.linalg.LinAlgError:
        raise EstimationError("The information matrix is singular at the estimate; the model is not identified.") from None
    if np.any(np.diag(cov) < 0):
        raise EstimationError("The Hessian at the estimate is not negative definite; the optimum is not a maximum.")
    est = np.concatenate([beta, [rho, s2]])
    all_names = [*term_names, sp_name, "sigma2"]
    coefs = _coef_frame(all_names, est, cov)
    import pandas as pd

    cov_frame = pd.DataFrame(cov, index=all_names, columns=all_names)
    pseudo_r2 = float(np.corrcoef(yd, np.ravel(fitted))[0, 1] ** 2)
    eff = None
    if effects and model in ("sar", "sdm"):
        theta_full = np.zeros(k)
        idx_beta = list(range(k))
        cov_full = np.zeros((2 * k + 1, 2 * k + 1))
        pos = idx_beta + [k + j for j in range(len(wx_idx))] + [p_cols]
        target = idx_beta + [k + j for j in wx_idx] + [2 * k]
        for a_i, a in zip(target, pos, strict=True):
            for b_i, bcol in zip(target, pos, strict=True):
                cov_full[a_i, b_i] = cov[a, bcol]
        for j, src in enumerate(wx_idx):
            theta_full[src] = beta[k + j]
        sar_idx = [*idx_beta, 2 * k]
        eff = simulate_effects(names, beta[:k], theta_full if model == "sdm" else None, rho,
                               cov_full if model == "sdm" else cov_full[np.ix_(sar_idx, sar_idx)],
                               ld, draws=draws, seed=seed)
    if bias_correction and fe != "unit":
        notes.append(f"Lee-Yu (2010) transformation approach: {n_eff} effective observations")
    elif bias_correction:
        notes.append(f"unit effects: {n_eff} effective observations (sigma^2 = e'e / (N (T - 1)))")
    return SpatialPanelResult(
        model=model, fe=fe, bias_correction=bias_correction, y=y_name, x=names, wx=wx_names, coefs=coefs,
        cov=cov_frame, loglik=float(loglik), n_regions=n, n_periods=t_n, n_effective=n_eff, pseudo_r2=pseudo_r2,
        rho_bounds=(lo, hi), weights_kind=weights.kind, logdet_method=ld.method, effects=eff, notes=notes,
    )


def _reduced_form(weights: SpatialWeights, ld: LogDeterminant, rho: float, xb: np.ndarray) -> np.ndarray:
    """(I - rho W)^-1 applied to each period's X beta (for the pseudo R2)."""
    import scipy.sparse as sp

    if ld.method == "eigen":
        a = np.eye(weights.n) - rho * weights.dense()
        return np.linalg.solve(a, xb.T).T
    from scipy.sparse.linalg import splu

    lu = splu((sp.identity(weights.n, format="csc") - rho * weights.sparse()).tocsc())
    return lu.solve(np.ascontiguousarray(xb.T)).T


def fit_spatial_panel(
    frame: pd.DataFrame,
    y: str,
    x: Sequence[str],
    *,
    weights: SpatialWeights,
    model: ModelKind = "sdm",
    fe: FixedEffects = "twoway",
    region: str = "code",
    time: str = "year",
    wx: Sequence[str] | None = None,
    bias_correction: bool = True,
    logdet: LogDeterminant | None = None,
    effects: bool = True,
    draws: int = 1000,
    seed: int | None = 0,
) -> SpatialPanelResult:
    """Fit a SAR / SEM / SDM panel on a long DataFrame (one row per region and period).

    The panel must be balanced and cover exactly the regions of ``weights`` (province names
    in any spelling are matched to W's codes). See :func:`fit_spatial_panel_arrays` and the
    module docstring.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import fit_spatial_panel, inverse_distance_weights
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> res = fit_spatial_panel(df, "sl", ["vag", "ln_gdp_pc"], weights=w, model="sdm", draws=200)
    >>> res.coefs[["estimate", "se"]].round(4)
                 estimate      se
    term
    vag           -0.0464  0.0589
    ln_gdp_pc      0.0794  0.1125
    W*vag          0.5609  0.3033
    W*ln_gdp_pc    0.1630  0.7877
    rho            0.0543  0.2693
    sigma2         0.0016  0.0001
    >>> res.effects.to_frame()["estimate"].round(4).head(3)
    variable  effect
    vag       direct     -0.0447
              indirect    0.5888
              total       0.5441
    Name: estimate, dtype: float64
    """
    x = list(x)
    if not x:
        raise InputError("Give at least one regressor.")
    arr = panel_arrays(frame, [y, *x], weights, region=region, time=time)
    xs = np.stack([arr.arrays[v] for v in x], axis=2)
    res = fit_spatial_panel_arrays(arr.arrays[y], xs, weights, model=model, fe=fe, x_names=x, wx=wx, y_name=y,
                                   bias_correction=bias_correction, logdet=logdet, effects=effects, draws=draws, seed=seed)
    res.notes.append(f"periods {arr.periods[0]}-{arr.periods[-1]} ({arr.t}), regions {arr.n}")
    return res


@dataclass
class SpatialTests:
    """Wald and LR tests of the SDM against SAR (theta = 0) and SEM (theta = -rho beta).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import fit_spatial_panel, inverse_distance_weights
    >>> from exportlens.spatial import specification_tests
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> sdm = fit_spatial_panel(df, "sl", ["vag"], weights=w, effects=False)
    >>> print(specification_tests(sdm).summary())
    Specification tests of the SDM
                                          statistic  df      p
    test
    Wald: SDM vs SAR (theta = 0)             4.7771   1 0.0288
    Wald: SDM vs SEM (theta = -rho beta)     4.7225   1 0.0298
    """

    frame: pd.DataFrame  # rows: test; columns statistic, df, p

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        return "Specification tests of the SDM\n" + self.frame.to_string(float_format=lambda v: f"{v:.4f}")


def specification_tests(
    sdm: SpatialPanelResult, sar: SpatialPanelResult | None = None, sem: SpatialPanelResult | None = None
) -> SpatialTests:
    """Wald tests (always) and LR tests (when the SAR / SEM fits are given) of the SDM.

    Wald SAR: W = theta' V_theta^-1 theta ~ chi2(k_w). Wald SEM (common factor,
    Burridge 1981; Elhorst 2014 sec. 2.8): g = theta + rho beta, W = g' (G V G')^-1 g with
    G = dg/d(beta, theta, rho) = [rho I, I, beta] (delta method). LR = 2 (l_SDM - l_restricted),
    which needs the same data, fixed effects and likelihood (bias correction).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import fit_spatial_panel, inverse_distance_weights
    >>> from exportlens.spatial import specification_tests
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> fits = {m: fit_spatial_panel(df, "sl", ["vag"], weights=w, model=m, effects=False)
    ...         for m in ("sdm", "sar", "sem")}
    >>> tests = specification_tests(fits["sdm"], fits["sar"], fits["sem"])
    >>> tests.to_frame().round(3)
                                          statistic  df      p
    test
    Wald: SDM vs SAR (theta = 0)              4.777   1  0.029
    Wald: SDM vs SEM (theta = -rho beta)      4.722   1  0.030
    LR: SDM vs SAR                            4.728   1  0.030
    LR: SDM vs SEM                            4.697   1  0.030
    """
    import pandas as pd
    from scipy import stats

    if sdm.model != "sdm":
        raise InputError("specification_tests needs an SDM result as its first argument.")
    if not sdm.wx:
        raise InputError("The SDM has no W*x terms to test.")
    lagged = [f"W*{v}" for v in sdm.wx]
    cov = sdm.cov
    theta = sdm.coefs.loc[lagged, "estimate"].to_numpy()
    v_t = cov.loc[lagged, lagged].to_numpy()
    rows = []
    wald_sar = float(theta @ np.linalg.solve(v_t, theta))
    rows.append({"test": "Wald: SDM vs SAR (theta = 0)", "statistic": wald_sar, "df": len(lagged)})
    beta = sdm.coefs.loc[sdm.wx, "estimate"].to_numpy()
    rho = sdm.rho
    g = theta + rho * beta
    names = [*sdm.wx, *lagged, "rho"]
    v = cov.loc[names, names].to_numpy()
    kw = len(lagged)
    jac = np.hstack([rho * np.eye(kw), np.eye(kw), beta[:, None]])
    wald_sem = float(g @ np.linalg.solve(jac @ v @ jac.T, g))
    rows.append({"test": "Wald: SDM vs SEM (theta = -rho beta)", "statistic": wald_sem, "df": kw})
    for other, label in ((sar, "LR: SDM vs SAR"), (sem, "LR: SDM vs SEM")):
        if other is None:
            continue
        if (other.fe, other.bias_correction, other.n_regions, other.n_periods) != (sdm.fe, sdm.bias_correction, sdm.n_regions, sdm.n_periods):
            raise InputError(f"{label}: the restricted model was fitted with other fixed effects, correction or data.")
        rows.append({"test": label, "statistic": 2.0 * (sdm.loglik - other.loglik), "df": kw})
    out = pd.DataFrame(rows).set_index("test")
    out["p"] = stats.chi2.sf(out["statistic"], out["df"])
    return SpatialTests(out)
