"""Instrumental variables: two-stage least squares with fixed effects, clustered SEs and the
weak-instrument, under-identification, over-identification and endogeneity diagnostics.

Estimation is pyfixest's IV formula ``y ~ exog | fe | endog ~ instruments`` (2SLS after the
within transformation); the first stages, the OLS comparison and the control-function
regression of the endogeneity test are :func:`~exportlens.econometrics.fit_panel` fits on the
same sample with the same fixed effects, covariance and small-sample correction. The
diagnostics are computed here from the fixed-effect-demeaned arrays of the pyfixest model,
with the exogenous regressors partialled out (Frisch-Waugh-Lovell):

* first-stage Wald F of the excluded instruments (cluster-robust = Kleibergen-Paap rk Wald F
  with one endogenous regressor),
* the effective F of Montiel Olea & Pflueger (2013),
* the Kleibergen-Paap (2006) rk LM under-identification test (one endogenous regressor),
* Hansen's J of the over-identifying restrictions (two-step efficient GMM),
* the Durbin-Wu-Hausman endogeneity test in its regression (control-function) form,
* the Stock & Yogo (2005) critical values for the 2SLS maximal size (Table 5.2).

Typical instruments of the virtual-agglomeration literature (document their assumptions in
the study): a historical endowment (post offices or fixed telephones per 10,000 people in
1984) interacted with a time-varying national series (national internet users) - relevant
through the persistence of telecom infrastructure, excluded if the historical endowment
affects today's export resilience only through digital agglomeration; the spatial lag of
neighbours' Vag - excluded only if neighbours' agglomeration has no direct effect (doubtful
with spillovers); Vag lagged one or two years - excluded only without serially correlated
shocks.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.econometrics.fixest import import_pyfixest
from exportlens.econometrics.inputs import (
    as_name_list,
    cluster_meat,
    resolve_fixed_effects,
)
from exportlens.econometrics.panel import fit_panel
from exportlens.econometrics.results import ModelResult
from exportlens.errors import IdentificationError, InputError
from exportlens.validation import check_numeric_columns, require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "STOCK_YOGO_IV_SIZE",
    "FirstStageResult",
    "IVResult",
    "fit_iv",
    "kp_rank_test",
    "mop_critical_value",
    "stock_yogo_critical_values",
]

#: Stock & Yogo (2005), Table 5.2: critical values of the weak-instrument test based on the
#: 2SLS size, one endogenous regressor (n = 1), K2 = 1, 2, 3 excluded instruments, for a
#: maximal size of a nominal 5 % Wald test of 10 %, 15 %, 20 % and 25 %. Derived for i.i.d.
#: errors and the Cragg-Donald statistic; with clustered errors they are a rough guide only.
STOCK_YOGO_IV_SIZE: dict[int, dict[float, float]] = {
    1: {0.10: 16.38, 0.15: 8.96, 0.20: 6.66, 0.25: 5.53},
    2: {0.10: 19.93, 0.15: 11.59, 0.20: 8.75, 0.25: 7.25},
    3: {0.10: 22.30, 0.15: 12.83, 0.20: 9.54, 0.25: 7.80},
}

def stock_yogo_critical_values(n_instruments: int, n_endogenous: int = 1) -> dict[float, float]:
    """Stock-Yogo (2005, Table 5.2) critical values for the 2SLS maximal-size weak-IV test.

    Parameters
    ----------
    n_instruments : number of excluded instruments K2 (1, 2 or 3 are tabulated here).
    n_endogenous : number of endogenous regressors n (only 1 is tabulated here).

    Returns
    -------
    dict
        ``{maximal size: critical value}`` for sizes 0.10, 0.15, 0.20, 0.25; empty when the
        case is not tabulated here. The null "instruments are weak" (the actual size of a
        nominal 5 % Wald test exceeds the maximal size) is rejected when the Cragg-Donald
        (i.i.d.) or, as a rough guide, the Kleibergen-Paap rk Wald F exceeds the value.

    References
    ----------
    Stock, J. H. and Yogo, M. (2005). Testing for weak instruments in linear IV regression.
    In Andrews and Stock (eds.), *Identification and Inference for Econometric Models*,
    80-108. Table 5.2.

    Examples
    --------
    >>> from exportlens.econometrics import stock_yogo_critical_values
    >>> stock_yogo_critical_values(2)
    {0.1: 19.93, 0.15: 11.59, 0.2: 8.75, 0.25: 7.25}
    >>> stock_yogo_critical_values(5)
    {}
    """
    if n_endogenous != 1:
        return {}
    return dict(STOCK_YOGO_IV_SIZE.get(int(n_instruments), {}))


def mop_critical_value(v_pi: np.ndarray, qzz: np.ndarray, tau: float = 0.10, alpha: float = 0.05) -> tuple[float, float]:
    r"""Simplified (conservative) critical value of the Montiel Olea-Pflueger effective F.

    With :math:`S = Q^{1/2}\hat V_\pi Q^{1/2}` (:math:`Q = \tilde Z'\tilde Z`, :math:`\hat V_\pi` the
    robust covariance of the first-stage coefficients) and :math:`x = 1/\tau`,

    .. math::
        K_{eff} = \frac{\mathrm{tr}(S)^2 (1 + 2x)}{\mathrm{tr}(S'S) + 2x\,\mathrm{tr}(S)\,\lambda_{max}(S)},
        \qquad c = \chi^2_{1-\alpha}(K_{eff}, x K_{eff}) / K_{eff}

    (noncentral chi-square quantile). H0 "the Nagar bias exceeds a fraction tau of the
    worst-case bias" is rejected at level alpha when the effective F exceeds c. With one
    instrument K_eff = 1 and c = 23.109 (tau = 10 %), 37.418 (5 %), 15.062 (20 %).
    Returns ``(c, K_eff)``.

    References
    ----------
    Montiel Olea, J. L. and Pflueger, C. (2013). A robust test for weak instruments.
    *Journal of Business & Economic Statistics* 31(3), 358-369 (simplified procedure).

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.econometrics import mop_critical_value
    >>> c, k_eff = mop_critical_value(np.array([[0.01]]), np.array([[50.0]]))
    >>> round(c, 3), round(k_eff, 3)  # one instrument: K_eff = 1, c = 23.109
    (23.109, 1.0)
    """
    import scipy.stats

    if not 0 < tau < 1 or not 0 < alpha < 1:
        raise InputError(f"tau and alpha must lie in (0, 1); got {tau!r}, {alpha!r}.")
    w, vecs = np.linalg.eigh(np.asarray(qzz, dtype=float))
    qh = (vecs * np.sqrt(np.clip(w, 0, None))) @ vecs.T
    S = qh @ np.asarray(v_pi, dtype=float) @ qh
    S = (S + S.T) / 2
    x = 1.0 / tau
    tr = float(np.trace(S))
    k_eff = tr * tr * (1 + 2 * x) / (float(np.sum(S * S)) + 2 * x * tr * float(np.linalg.eigvalsh(S).max()))
    return float(scipy.stats.ncx2.ppf(1 - alpha, k_eff, x * k_eff) / k_eff), float(k_eff)


def kp_rank_test(
    endog: np.ndarray,
    instruments: np.ndarray,
    clusters: Sequence[Any] | np.ndarray | None = None,
    *,
    wald: bool = False,
    robust: bool = True,
) -> tuple[float, int, float]:
    r"""Kleibergen-Paap (2006) rk test of H0: rank(Pi) = K - 1 (under-identification).

    ``endog`` (n, K) and ``instruments`` (n, L), L >= K, with the fixed effects and the
    exogenous regressors already partialled out; :math:`\hat\Pi = (Z'Z)^{-1}Z'Y`.
    Normalised :math:`\hat\Theta = G\hat\Pi F'` with :math:`G = R_Z'` and
    :math:`F' = (R_Y')^{-1}` (Cholesky factors :math:`Z'Z = R_Z R_Z'`, :math:`Y'Y = R_Y R_Y'`),
    singular value decomposition :math:`\hat\Theta = USV'`; with :math:`A_\perp`,
    :math:`B_\perp` spanning the last L-K+1 left and the last right singular vectors,
    :math:`\lambda = \mathrm{vec}(A_\perp'\hat\Theta B_\perp)` and
    :math:`\Omega = (B_\perp' \otimes A_\perp')\hat V(B_\perp \otimes A_\perp)`,

    .. math:: rk = \lambda'\Omega^{-1}\lambda \sim \chi^2(L - K + 1),

    where :math:`\hat V = (F \otimes G^{-1\prime}) \sum_g \mathrm{vec}(Z_g'e_g)\mathrm{vec}(Z_g'e_g)'(\cdot)'`
    is the covariance of :math:`\mathrm{vec}(\hat\Theta)`, with :math:`e = Y` (LM version,
    default) or :math:`e = Y - Z\hat\Pi` (``wald=True``). ``clusters=None`` treats every
    observation as a cluster (heteroskedasticity-robust); ``robust=False`` uses the i.i.d.
    covariance :math:`(e'e/n) \otimes Z'Z` (the LM version is then Anderson's canonical
    correlation statistic :math:`n\,\rho_K^2`). No small-sample factor. This follows the
    computation of Kleibergen & Schaffer's ``ranktest`` (used by ivreg2); :math:`A_\perp`
    and :math:`B_\perp` are taken as the singular vectors themselves, to which the
    statistic is invariant.

    Returns ``(statistic, degrees of freedom, p-value)``.

    References
    ----------
    Kleibergen, F. and Paap, R. (2006). Generalized reduced rank tests using the singular
    value decomposition. *Journal of Econometrics* 133(1), 97-126.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.econometrics import kp_rank_test
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(200, 2))
    >>> x = z @ [[0.5], [0.3]] + rng.normal(size=(200, 1))
    >>> stat, df, p = kp_rank_test(x, z)
    >>> round(stat, 2), df, round(p, 4)
    (32.04, 2, 0.0)
    >>> # i.i.d. LM version = Anderson's n * squared canonical correlation
    >>> stat_iid, _, _ = kp_rank_test(x, z, robust=False)
    >>> rho2 = np.linalg.lstsq(z, x, rcond=None)[0].T @ z.T @ x / (x.T @ x)
    >>> round(stat_iid, 6) == round(200 * rho2.item(), 6)
    True
    """
    import scipy.linalg
    import scipy.stats

    Y = np.asarray(endog, dtype=float)
    Z = np.asarray(instruments, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    n, K = Y.shape
    L = Z.shape[1]
    if L < K:
        raise IdentificationError(f"The rank test needs at least as many instruments ({L}) as endogenous regressors ({K}).")
    zz, yy = Z.T @ Z, Y.T @ Y
    pi = scipy.linalg.solve(zz, Z.T @ Y, assume_a="pos")
    rz = np.linalg.cholesky(zz)
    ry = np.linalg.cholesky(yy)
    iry = scipy.linalg.solve_triangular(ry.T, np.eye(K), lower=False)  # (R_Y')^{-1}: the normaliser itself
    irz = scipy.linalg.solve_triangular(rz.T, np.eye(L), lower=False)
    theta = rz.T @ pi @ iry
    U, _s, Vt = np.linalg.svd(theta, full_matrices=True)
    e = Y - Z @ pi if wald else Y
    if robust:
        scores = (e[:, :, None] * Z[:, None, :]).reshape(n, K * L)  # vec(z_i e_i'), column-major
        meat = cluster_meat(scores, clusters if clusters is not None else np.arange(n))
    else:
        meat = np.kron(e.T @ e / n, zz)
    T = np.kron(iry.T, irz.T)
    vhat = T @ meat @ T.T
    q = K - 1
    aq = U[:, q:]
    bq = Vt.T[:, q:].T
    M = np.kron(bq, aq.T)
    lab = M @ theta.reshape(-1, order="F")
    vlab = M @ vhat @ M.T
    vlab = (vlab + vlab.T) / 2
    stat = float(lab @ scipy.linalg.solve(vlab, lab, assume_a="sym"))
    df = (L - K + 1) * (K - q)
    return stat, int(df), float(scipy.stats.chi2.sf(stat, df))


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------


@dataclass
class FirstStageResult:
    """First stage of one endogenous regressor.

    ``model`` is the full first-stage regression (instruments and exogenous regressors, same
    fixed effects, covariance and sample as the second stage); ``f_stat`` is the Wald F of
    the excluded instruments with that covariance (``f_pvalue`` from chi²(L)/L);
    ``partial_r2`` the partial R² of the excluded instruments (after the fixed effects and
    the exogenous regressors).

    Examples
    --------
    >>> from exportlens.datasets.demo_identification import make_identification_demo
    >>> from exportlens.econometrics import fit_iv
    >>> df = make_identification_demo()
    >>> first = fit_iv(df, "sl", "vag", "iv_telecom1984", fe="twoway").first_stages[0]
    >>> first.endog, first.instruments, round(first.f_stat, 2), round(first.partial_r2, 3)
    ('vag', ['iv_telecom1984'], 121.78, 0.35)
    >>> first.instrument_coefs().round(4)
                    estimate  std_error   t_stat  p_value  ci_low  ci_high
    term
    iv_telecom1984    1.0001     0.0906  11.0352      0.0  0.8148   1.1855
    """

    endog: str
    instruments: list[str]
    model: ModelResult
    f_stat: float
    f_pvalue: float
    partial_r2: float

    def instrument_coefs(self) -> pd.DataFrame:
        """Coefficients of the excluded instruments (estimate, SE, t, p, CI)."""
        return self.model.coefs.loc[self.instruments].copy()


@dataclass
class IVResult:
    """Two-stage least squares with diagnostics (see :func:`fit_iv`).

    ``diagnostics`` keys: ``n_endogenous``, ``n_instruments``, ``kp_rk_wald_f``,
    ``effective_f`` (NaN with several endogenous regressors), ``kp_rk_wald``, ``kp_rk_wald_p``,
    ``kp_rk_lm``, ``kp_rk_lm_df``, ``kp_rk_lm_p``, ``hansen_j``,
    ``hansen_j_df``, ``hansen_j_p`` (NaN when exactly identified), ``dwh_chi2``, ``dwh_df``,
    ``dwh_p``, ``dwh_f``. ``stock_yogo`` holds the tabulated critical values (may be empty).

    Examples
    --------
    >>> from exportlens.datasets.demo_identification import make_identification_demo
    >>> from exportlens.econometrics import fit_iv
    >>> df = make_identification_demo()
    >>> iv = fit_iv(df, "sl", "vag", "iv_telecom1984", ["ln_gdp_pc"], fe="twoway")
    >>> iv.to_frame()[["stage", "term", "estimate", "std_error"]].round(4)
           stage            term  estimate  std_error
    0        ols             vag    0.1012     0.0060
    1        ols       ln_gdp_pc    0.0866     0.1264
    2  first:vag  iv_telecom1984    1.0013     0.0882
    3  first:vag       ln_gdp_pc   -1.0230     1.0168
    4       2sls       ln_gdp_pc    0.0490     0.1477
    5       2sls             vag    0.0562     0.0136
    >>> iv.diagnostics_frame().loc[["kp_rk_wald_f", "effective_f", "mop_cv_10", "dwh_p"]].round(3)
                    value
    kp_rk_wald_f  128.821
    effective_f   128.821
    mop_cv_10      23.109
    dwh_p           0.000
    """

    second_stage: ModelResult
    first_stages: list[FirstStageResult]
    ols: ModelResult | None
    diagnostics: dict[str, float]
    stock_yogo: dict[float, float]
    depvar: str
    endog: list[str]
    instruments: list[str]
    exog: list[str]
    fixed_effects: list[str]
    vcov: str
    notes: list[str] = field(default_factory=list)
    control_function: ModelResult | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficients of every stage: columns ``stage`` (ols / first:<endog> / 2sls), term, estimate..."""
        import pandas as pd

        parts = []
        if self.ols is not None:
            parts.append(self.ols.coefs.assign(stage="ols"))
        for fs in self.first_stages:
            parts.append(fs.model.coefs.assign(stage=f"first:{fs.endog}"))
        parts.append(self.second_stage.coefs.assign(stage="2sls"))
        out = pd.concat(parts).reset_index()
        return out[["stage", *[c for c in out.columns if c != "stage"]]]

    def diagnostics_frame(self) -> pd.DataFrame:
        """The diagnostics as a one-column frame (statistic -> value)."""
        import pandas as pd

        rows = dict(self.diagnostics)
        for size, cv in self.stock_yogo.items():
            rows[f"stock_yogo_{round(size * 100)}pct"] = cv
        return pd.DataFrame({"value": pd.Series(rows, dtype=float)})

    def summary(self) -> str:
        """Plain-text summary: second stage, first-stage F, diagnostics, notes."""
        d = self.diagnostics
        lines = [
            f"2SLS: {self.depvar} ~ {' + '.join(self.exog) or '1'} | {' + '.join(self.fixed_effects) or 'no FE'} | "
            f"{' + '.join(self.endog)} ~ {' + '.join(self.instruments)}  (vcov {self.vcov}, N = {self.second_stage.nobs})",
            self.second_stage.coefs.to_string(float_format=lambda x: f"{x:.4f}"),
        ]
        for fs in self.first_stages:
            lines.append(f"first stage {fs.endog}: F = {fs.f_stat:.3f} (p = {fs.f_pvalue:.4g}), partial R2 = {fs.partial_r2:.4f}")
        lines.append(
            f"KP rk Wald F = {d['kp_rk_wald_f']:.3f}, effective F = {d['effective_f']:.3f}, "
            f"KP rk LM = {d['kp_rk_lm']:.3f} (p = {d['kp_rk_lm_p']:.4g}), "
            f"Hansen J = {d['hansen_j']:.3f} (p = {d['hansen_j_p']:.4g}), DWH chi2 = {d['dwh_chi2']:.3f} (p = {d['dwh_p']:.4g})"
        )
        if self.stock_yogo:
            lines.append("Stock-Yogo (2005) maximal IV size: " + ", ".join(f"{round(k * 100)}% {v:.2f}" for k, v in self.stock_yogo.items()))
        lines.extend(self.notes)
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# estimation
# --------------------------------------------------------------------------------------------


def _q(name: str) -> str:
    if name.isidentifier():
        return name
    if "`" in name:
        raise InputError(f"Column name {name!r} contains a backtick and cannot be used in a formula.")
    return f"`{name}`"


def _pf_vcov(vcov: str, cluster: str | None, entity: str) -> tuple[Any, str, str | None]:
    key = str(vcov).strip().lower()
    if key in {"cluster", "clustered", "crv1"}:
        col = cluster or entity
        return {"CRV1": col}, f"CRV1:{col}", col
    if key in {"hetero", "robust", "hc1"}:
        if cluster is not None:
            raise InputError(f"cluster={cluster!r} was given but vcov={vcov!r} is not 'cluster'.")
        return "hetero", "hetero", None
    raise InputError(f"fit_iv supports vcov='cluster' (default) or 'hetero'; got {vcov!r}. The diagnostics are robust statistics.")


def _residualise(a: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """M_W a: residuals of the columns of ``a`` on ``w`` (least squares)."""
    if w is None or w.shape[1] == 0:
        return a
    coef, *_ = np.linalg.lstsq(w, a, rcond=None)
    return a - w @ coef


def _sub_vcov(model: ModelResult, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(coefficients, covariance block) of ``names`` in a fitted ModelResult (pyfixest vcov)."""
    coefnames = [str(c) for c in model.model._coefnames]
    idx = [coefnames.index(n) for n in names]
    beta = np.asarray(model.model._beta_hat, dtype=float)[idx]
    v = np.asarray(model.model._vcov, dtype=float)[np.ix_(idx, idx)]
    return beta, v


def _wald(beta: np.ndarray, v: np.ndarray) -> float:
    import scipy.linalg

    return float(beta @ scipy.linalg.solve(v, beta, assume_a="sym"))


def fit_iv(
    df: pd.DataFrame,
    depvar: str,
    endog: str | Sequence[str],
    instruments: str | Sequence[str],
    exog: str | Sequence[str] | None = None,
    *,
    fe: str | Sequence[str] | None = None,
    entity: str = "province",
    time: str = "year",
    vcov: str = "cluster",
    cluster: str | None = None,
    ssc: Mapping[str, Any] | None = None,
    ols: bool = True,
    name: str | None = None,
) -> IVResult:
    r"""Two-stage least squares with fixed effects and robust diagnostics.

    Model: :math:`y_{it} = x_{it}'\beta + w_{it}'\gamma + \alpha_i + \lambda_t + u_{it}`
    with endogenous :math:`x` (K columns) and excluded instruments :math:`z` (L >= K), by
    pyfixest ``feols("y ~ w | fe | x ~ z")``:
    :math:`\hat\beta_{2SLS} = (X'P_Z X)^{-1} X'P_Z y` on the within-transformed data.

    Diagnostics (tilde = fixed effects demeaned and exogenous regressors :math:`w` partialled
    out; :math:`\hat\pi` the first-stage coefficients of the instruments and
    :math:`\hat V_\pi` their covariance, same type and small-sample correction as the model;
    :math:`g` indexes clusters, each observation is a cluster under ``vcov="hetero"``):

    * first-stage F of each endogenous regressor: :math:`F = \hat\pi' \hat V_\pi^{-1} \hat\pi / L`;
    * Kleibergen-Paap rk Wald statistic (:func:`kp_rank_test`, ``wald=True``; ``kp_rk_wald``)
      and F (``kp_rk_wald_f`` = rk / L divided by the table's small-sample factor, so that
      with one endogenous regressor it equals the first-stage F; ivreg2 applies slightly
      different finite-sample factors);
    * effective F (Montiel Olea & Pflueger 2013, one endogenous regressor):
      :math:`F_{eff} = \hat\pi'\tilde Z'\tilde Z\hat\pi / \mathrm{tr}(\hat V_\pi \tilde Z'\tilde Z)`
      (equals the robust F when L = 1), with its simplified critical value for tau = 10 %
      (``mop_cv_10``, :func:`mop_critical_value`);
    * Kleibergen-Paap rk LM under-identification test, H0: rank(Pi) = K - 1
      (:func:`kp_rank_test`), chi²(L - K + 1), no small-sample factor; with one endogenous
      regressor :math:`LM = s'S^{-1}s`, :math:`s = \tilde Z'\tilde x`,
      :math:`S = \sum_g \tilde Z_g'\tilde x_g\tilde x_g'\tilde Z_g`;
    * Hansen's J (L > K): two-step efficient GMM on the demeaned data with
      :math:`Z = [z, w]`, :math:`X = [x, w]`: :math:`S = \sum_g Z_g'\hat u_g \hat u_g' Z_g`
      from the 2SLS residuals, :math:`\hat\beta_{GMM} = (X'ZS^{-1}Z'X)^{-1}X'ZS^{-1}Z'y`,
      :math:`J = \hat u_{GMM}'Z S^{-1} Z'\hat u_{GMM}`, chi²(L - K) (as ivreg2 / linearmodels
      ``IVGMM.j_stat`` with clustered weights);
    * Durbin-Wu-Hausman (regression form): add the first-stage residuals :math:`\hat v` to
      the structural equation estimated by OLS (same FE and covariance); Wald chi²(K) of
      their coefficients (``dwh_chi2``; ``dwh_f`` = chi²/K). The coefficients of that
      control-function regression on :math:`x, w` equal 2SLS.

    Parameters
    ----------
    df : long panel.
    depvar, endog, instruments, exog : column names (one endogenous regressor - pyfixest 0.60
        supports one -; exog: exogenous controls, may be empty).
    fe, entity, time : fixed effects as in :func:`~exportlens.econometrics.fit_panel`
        (``None``, ``"year"``, ``"region"``, ``"twoway"`` or a list of columns).
    vcov : ``"cluster"`` (CRV1 by ``cluster``, default ``entity``) or ``"hetero"``.
    ssc : pyfixest small-sample correction (``{"k_fixef": "none"}`` etc.; see ``fit_panel``).
    ols : also fit OLS of ``depvar`` on endog + exog (same sample, FE, vcov) for the table.

    Returns
    -------
    IVResult

    Raises
    ------
    MissingColumnError
        A named column is not in ``df``.
    IdentificationError
        Fewer instruments than endogenous regressors, or an instrument without variation
        after the fixed effects and exogenous regressors are partialled out (collinear).

    References
    ----------
    Kleibergen, F. and Paap, R. (2006). Generalized reduced rank tests using the singular
    value decomposition. *Journal of Econometrics* 133(1), 97-126.
    Montiel Olea, J. L. and Pflueger, C. (2013). A robust test for weak instruments.
    *Journal of Business & Economic Statistics* 31(3), 358-369.
    Stock, J. H. and Yogo, M. (2005). Testing for weak instruments in linear IV regression.
    Hansen, L. P. (1982). Large sample properties of generalized method of moments
    estimators. *Econometrica* 50(4), 1029-1054.
    Hausman, J. A. (1978). Specification tests in econometrics. *Econometrica* 46(6);
    Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel Data*, 2nd ed.,
    section 6.3.1 (regression-based test).

    Examples
    --------
    >>> from exportlens.datasets.demo_identification import make_identification_demo
    >>> from exportlens.econometrics import fit_iv
    >>> df = make_identification_demo()
    >>> iv = fit_iv(df, "sl", "vag", ["iv_telecom1984", "iv_post1984"], ["ln_gdp_pc"], fe="twoway")
    >>> # SYNTHETIC DGP: true total effect 0.07; OLS is biased upwards (vag is endogenous)
    >>> round(iv.second_stage.value("vag"), 4), round(iv.ols.value("vag"), 4)
    (0.0531, 0.1012)
    >>> {k: round(iv.diagnostics[k], 2) for k in ("kp_rk_wald_f", "kp_rk_lm", "hansen_j_p")}
    {'kp_rk_wald_f': 89.97, 'kp_rk_lm': 14.57, 'hansen_j_p': 0.4}
    """
    import scipy.stats

    pf = import_pyfixest()

    endog_l = as_name_list(endog)
    instr_l = as_name_list(instruments)
    exog_l = as_name_list(exog)
    if not endog_l:
        raise InputError("fit_iv needs at least one endogenous regressor.")
    if len(instr_l) < len(endog_l):
        raise IdentificationError(
            f"The model is under-identified: {len(instr_l)} excluded instrument(s) for {len(endog_l)} endogenous regressor(s); name at least as many instruments."
        )
    if len(endog_l) > 1:
        raise InputError(
            f"fit_iv estimates models with one endogenous regressor (pyfixest 0.60's IV formula supports one); got {endog_l}. Estimate one at a time or use linearmodels.IV2SLS; kp_rank_test handles several."
        )
    overlap = (set(endog_l) | {depvar}) & (set(instr_l) | set(exog_l)) | set(instr_l) & set(exog_l)
    if overlap:
        raise InputError(f"Column(s) {sorted(overlap)} appear in more than one role (depvar, endog, instruments, exog).")
    fe_cols = resolve_fixed_effects(fe, entity, time)
    pf_vcov, vcov_label, cluster_col = _pf_vcov(vcov, cluster, entity)
    require_columns(df, [depvar], what="dependent variable")
    require_columns(df, endog_l, what="endogenous regressor")
    require_columns(df, instr_l, what="instrument")
    require_columns(df, exog_l, what="exogenous regressor")
    require_columns(df, [p for c in fe_cols for p in c.split("^")], what="fixed-effect column")
    if cluster_col is not None:
        require_columns(df, [cluster_col], what="cluster column")
    check_numeric_columns(df, [depvar, *endog_l, *instr_l, *exog_l])

    used = list(dict.fromkeys([depvar, *endog_l, *instr_l, *exog_l, *[p for c in fe_cols for p in c.split("^")], *([cluster_col] if cluster_col else [])]))
    work = df.loc[:, used]
    complete = ~work.isna().any(axis=1).to_numpy()
    n_missing = int((~complete).sum())
    data = work.loc[complete].reset_index(drop=True)
    notes: list[str] = []
    if n_missing:
        per_col = {c: int(n) for c, n in work.isna().sum().items() if n}
        notes.append(f"{n_missing} row(s) with missing values dropped before estimation ({per_col}).")

    for f in fe_cols:  # an instrument constant within every group of one fixed effect
        keys = [data[p] for p in f.split("^")]
        spread = data.groupby(keys, sort=False)[instr_l].transform(lambda s: s.max() - s.min()).abs().max()
        flat = [z for z in instr_l if not spread[z] > 1e-12 * max(1.0, float(data[z].abs().max()))]
        if flat:
            raise IdentificationError(
                f"Instrument(s) {flat} do not vary within the groups of the fixed effect {f!r} (collinear with it); use instruments that vary within the fixed-effect groups."
            )
    rhs_exog = " + ".join(_q(c) for c in exog_l) or "1"
    fml = f"{_q(depvar)} ~ {rhs_exog}"
    if fe_cols:
        fml += " | " + " + ".join("^".join(_q(p) for p in c.split("^")) for c in fe_cols)
    fml += f" | {' + '.join(_q(c) for c in endog_l)} ~ {' + '.join(_q(c) for c in instr_l)}"
    kwargs: dict[str, Any] = {"vcov": pf_vcov}
    if ssc is not None:
        kwargs["ssc"] = pf.ssc(**dict(ssc))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", message=r".*singleton.*")
        try:
            model = pf.feols(fml, data, **kwargs)
        except np.linalg.LinAlgError as exc:
            raise IdentificationError(
                f"The IV model {fml!r} is not identified (singular matrix): an instrument or regressor is collinear with the fixed effects or the other variables ({exc})."
            ) from exc
        except Exception as exc:  # pyfixest raises plain ValueError/Exception for bad designs
            raise InputError(f"pyfixest could not estimate {fml!r}: {type(exc).__name__}: {exc}") from exc

    collinear_instr = [str(v) for v in (getattr(model, "_collin_vars_z", None) or []) if str(v) in instr_l]
    if collinear_instr:
        raise IdentificationError(
            f"Instrument(s) {collinear_instr} are collinear with the fixed effects {fe_cols} or the exogenous regressors (no variation left); use instruments that vary within the fixed-effect groups."
        )
    keep = np.ones(len(data), dtype=bool)
    na_index = sorted(getattr(model, "_na_index", set()) or set())
    if na_index:
        keep[np.asarray(na_index, dtype=int)] = False
        notes.append(f"{len(na_index)} singleton observation(s) dropped by pyfixest (alone in a fixed-effect group).")
    sample = data.loc[keep].reset_index(drop=True)

    # demeaned arrays of the pyfixest model (rows = sample)
    zn = [str(c) for c in model._coefnames_z]
    xn = [str(c) for c in model._coefnames]
    Z = np.asarray(model._Z, dtype=float)
    X = np.asarray(model._X, dtype=float)
    Y = np.asarray(model._Y, dtype=float).ravel()
    w_names = [n for n in xn if n not in endog_l]  # exogenous incl. Intercept without FE
    Wm = X[:, [xn.index(n) for n in w_names]] if w_names else None
    Zx = Z[:, [zn.index(n) for n in instr_l]]
    Xe = X[:, [xn.index(n) for n in endog_l]]
    Zt = _residualise(Zx, Wm)
    Xt = _residualise(Xe, Wm)
    scale = np.linalg.norm(Zx, axis=0)
    rel = np.linalg.svd(Zt / np.where(scale > 0, scale, 1.0), compute_uv=False)
    if (scale == 0).any() or rel.min() < 1e-8:
        raise IdentificationError(
            f"The instruments {instr_l} have (almost) no variation left after the fixed effects {fe_cols} and the exogenous regressors are partialled out (collinear); use instruments that vary within the fixed-effect groups."
        )
    clusters = sample[cluster_col].to_numpy() if cluster_col else np.arange(len(sample))
    n_obs = len(sample)
    K, L = len(endog_l), len(instr_l)

    # second stage as ModelResult
    second = _model_result(model, name or f"2SLS: {fml}", depvar, fe_cols, vcov_label, entity, time, cluster_col)
    second.extra["key_terms"] = list(endog_l)
    fit_kw: dict[str, Any] = {
        "fe": fe_cols or None,
        "entity": entity,
        "time": time,
        "vcov": pf_vcov,
        "ssc": ssc,
        "drop_singletons": False,
        "warn": False,
    }

    # first stages (same sample -> same rows as the demeaned arrays)
    first: list[FirstStageResult] = []
    vhat_cols: list[str] = []
    cf_data = sample.copy()
    for k, e in enumerate(endog_l):
        m1 = fit_panel(sample, e, [*instr_l, *exog_l], name=f"First stage: {e}", **fit_kw)
        m1.extra["key_terms"] = list(instr_l)
        pi, vpi = _sub_vcov(m1, instr_l)
        f_stat = _wald(pi, vpi) / L
        resid = Xt[:, k] - Zt @ np.linalg.lstsq(Zt, Xt[:, k], rcond=None)[0]
        partial_r2 = 1.0 - float(resid @ resid) / float(Xt[:, k] @ Xt[:, k])
        first.append(FirstStageResult(e, list(instr_l), m1, float(f_stat), float(scipy.stats.chi2.sf(f_stat * L, L)), partial_r2))
        col = f"_el_vhat_{k}"
        cf_data[col] = np.asarray(m1.model.resid(), dtype=float)
        vhat_cols.append(col)

    diag: dict[str, float] = {"n_endogenous": float(K), "n_instruments": float(L), "nobs": float(n_obs)}
    lm, lm_df, lm_p = kp_rank_test(Xt, Zt, clusters)
    wald_chi2, _df, wald_p = kp_rank_test(Xt, Zt, clusters, wald=True)
    # The KP rk Wald F carries the table's small-sample factor (the ratio of pyfixest's
    # first-stage covariance to the raw sandwich), so that with one endogenous regressor it
    # equals the first-stage F exactly.
    pi0, vpi0 = _sub_vcov(first[0].model, instr_l)
    qzz = Zt.T @ Zt
    res0 = Xt[:, 0] - Zt @ np.linalg.solve(qzz, Zt.T @ Xt[:, 0])
    meat0 = cluster_meat(Zt * res0[:, None], clusters)
    raw_v = np.linalg.solve(qzz, np.linalg.solve(qzz, meat0).T)  # (Z'Z)^-1 meat (Z'Z)^-1
    ssc_factor = float(vpi0[0, 0] / raw_v[0, 0])
    diag.update(
        kp_rk_lm=lm, kp_rk_lm_df=float(lm_df), kp_rk_lm_p=lm_p,
        kp_rk_wald=wald_chi2, kp_rk_wald_p=wald_p, kp_rk_wald_f=wald_chi2 / L / ssc_factor,
    )
    diag["effective_f"] = float(pi0 @ qzz @ pi0 / np.trace(vpi0 @ qzz))
    diag["mop_cv_10"], diag["mop_k_eff"] = mop_critical_value(vpi0, qzz, tau=0.10)

    # Hansen J (two-step efficient GMM, clustered weight matrix)
    if L > K:
        Xf = X  # [exog..., endog...] demeaned
        Zf = Z  # [instruments..., exog...] demeaned
        u1 = Y - Xf @ np.asarray(model._beta_hat, dtype=float)
        S = cluster_meat(Zf * u1[:, None], clusters)
        import scipy.linalg

        xz = Xf.T @ Zf
        a = xz @ scipy.linalg.solve(S, xz.T, assume_a="sym")
        b = xz @ scipy.linalg.solve(S, Zf.T @ Y, assume_a="sym")
        beta_gmm = scipy.linalg.solve(a, b, assume_a="sym")
        g = Zf.T @ (Y - Xf @ beta_gmm)
        j = _wald(g, S)
        diag.update(hansen_j=j, hansen_j_df=float(L - K), hansen_j_p=float(scipy.stats.chi2.sf(j, L - K)))
    else:
        diag.update(hansen_j=np.nan, hansen_j_df=0.0, hansen_j_p=np.nan)

    # Durbin-Wu-Hausman, control-function form
    cf = fit_panel(cf_data, depvar, [*exog_l, *endog_l, *vhat_cols], name="Control function", **fit_kw)
    bv, vv = _sub_vcov(cf, vhat_cols)
    dwh = _wald(bv, vv)
    diag.update(dwh_chi2=dwh, dwh_df=float(K), dwh_p=float(scipy.stats.chi2.sf(dwh, K)), dwh_f=dwh / K)

    ols_res = None
    if ols:
        ols_res = fit_panel(sample, depvar, [*endog_l, *exog_l], name=f"OLS: {depvar}", **fit_kw)
        ols_res.extra["key_terms"] = list(endog_l)

    sy = stock_yogo_critical_values(L, K)
    if not sy:
        notes.append(f"Stock-Yogo critical values are tabulated here for one endogenous regressor and 1-3 instruments only (K={K}, L={L}).")
    return IVResult(
        second_stage=second,
        first_stages=first,
        ols=ols_res,
        diagnostics=diag,
        stock_yogo=sy,
        depvar=depvar,
        endog=endog_l,
        instruments=instr_l,
        exog=exog_l,
        fixed_effects=fe_cols,
        vcov=vcov_label,
        notes=notes,
        control_function=cf,
    )


def _model_result(model: Any, name: str, depvar: str, fe_cols: list[str], vcov_label: str, entity: str, time: str, cluster_col: str | None) -> ModelResult:
    import pandas as pd

    tidy = model.tidy()
    coefs = pd.DataFrame(
        {
            "estimate": tidy["Estimate"].to_numpy(dtype=float),
            "std_error": tidy["Std. Error"].to_numpy(dtype=float),
            "t_stat": tidy["t value"].to_numpy(dtype=float),
            "p_value": tidy["Pr(>|t|)"].to_numpy(dtype=float),
            "ci_low": tidy.iloc[:, 4].to_numpy(dtype=float),
            "ci_high": tidy.iloc[:, 5].to_numpy(dtype=float),
        },
        index=pd.Index([str(c) for c in model._coefnames], name="term"),
    )
    roles = {c: ("time" if c == time else "entity" if c == entity else "other") for c in fe_cols}
    n_clusters = int(min(model._G)) if cluster_col else None
    return ModelResult(
        name=name,
        depvar=depvar,
        coefs=coefs,
        nobs=int(model._N),
        r2=float("nan"),
        adj_r2=float("nan"),
        fixed_effects=list(fe_cols),
        vcov=vcov_label,
        formula=str(model._fml),
        extra={"fe_roles": roles, "n_clusters": n_clusters, "entity": entity, "time": time, "notes": []},
        model=model,
    )


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------
