"""Firm-level models of export resilience on virtual agglomeration, on pyfixest.

Input: the firm-year table joined to the province-year panel
(:func:`exportlens.firms.panel_join.join_province_panel`, ``.to_frame()``): columns ``firm``,
``year``, ``code`` (modal province), ``industry``, the measures of
:data:`~exportlens.firms.measures.FIRM_YEAR_COLUMNS`, the panel's ``vag`` and controls.

Models (Vag is the province's virtual agglomeration, X_ft firm and province controls):

- Growth and growth paths (:func:`fit_firm_growth`):
  y_ft = β Vag_p(f,t) + γ'X_ft + α_f + λ_t + ε_ft, by :func:`exportlens.econometrics.fit_panel`
  (pyfixest ``feols``), firm and year fixed effects (or firm and industry x year:
  ``fe=("firm", "industry^year")``), standard errors clustered by province (CRV1, ``code``).
  y is DHS growth (Davis, Haltiwanger & Schuh 1996) or a growth-path measure (new-product
  and new-market shares, switching rates, extensive/intensive margins).
- Exit (:func:`fit_exit`), on the firm-years at risk (the firm exported in t−1,
  E_f,t−1 > 0), exit_ft = 1[E_ft = 0]:
  * linear probability model with firm and year effects (``feols``);
  * fixed-effects logit Pr(exit_ft = 1) = Λ(β Vag + γ'X + α_f + λ_t) by pyfixest ``feglm``
    (family ``logit``); firms that never exit (or always exit) carry no information for the
    firm effects and are dropped by the estimator (counted in the notes);
  * discrete-time hazard (Jenkins 1995, Oxford Bulletin 57(1)): a logit of exit on Vag and
    controls with a baseline by duration (a fixed effect for the number of consecutive
    years the firm has exported, ``duration``) and year effects.

Every model is also reachable as pyfixest on the same frame; the tests check the estimates
are equal to 1e-8. pyfixest is imported lazily.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.econometrics.panel import fit_panel
from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError
from exportlens.validation import require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GROWTH_OUTCOMES", "add_exit_variables", "fit_exit", "fit_firm_growth"]

#: Outcomes of :func:`fit_firm_growth` (those present in the frame are used).
GROWTH_OUTCOMES = ("dhs_growth", "new_products_share", "new_destinations_share", "product_switching",
                   "destination_switching", "margin_extensive", "margin_intensive")


def add_exit_variables(frame: pd.DataFrame) -> pd.DataFrame:
    """The firm-years at risk of exit (E_f,t−1 > 0) with ``exit`` (1 when E_ft = 0) and
    ``duration`` (consecutive years with exports up to t−1, counted from the first year of
    the data: a firm exporting in t−3, t−2, t−1 has duration 3, or more if earlier years are
    in the data)."""
    require_columns(frame, ["firm", "year", "exports", "exports_lag"], where="the firm-year table")
    f = frame.sort_values(["firm", "year"], kind="mergesort").reset_index(drop=True)
    active = (f["exports"] > 0).to_numpy()
    firm = f["firm"].to_numpy()
    year = f["year"].to_numpy()
    run = np.zeros(len(f), dtype=np.int64)  # consecutive active years ending in t
    for i in range(len(f)):
        same = i > 0 and firm[i] == firm[i - 1] and year[i] == year[i - 1] + 1
        run[i] = (run[i - 1] + 1 if same else 1) if active[i] else 0
    prev = np.zeros(len(f), dtype=np.int64)
    same_prev = np.r_[False, (firm[1:] == firm[:-1]) & (year[1:] == year[:-1] + 1)]
    prev[same_prev] = run[np.flatnonzero(same_prev) - 1]
    f["duration"] = prev
    at_risk = f["exports_lag"].fillna(0.0).to_numpy() > 0
    out = f[at_risk].copy()
    out["exit"] = (out["exports"] <= 0).astype("float64")
    return out.reset_index(drop=True)


def _check(frame: pd.DataFrame, key: str, controls: Sequence[str], fe: Sequence[str], cluster: str) -> None:
    cols = [key, *controls, cluster, *(c for f in fe for c in f.split("^"))]
    require_columns(frame, cols, where="the joined firm-year table",
                    hint=" Join the province panel first (exportlens.firms.panel_join).")


def fit_firm_growth(
    frame: pd.DataFrame,
    *,
    key: str = "vag",
    controls: Sequence[str] = (),
    outcomes: Sequence[str] | None = None,
    fe: Sequence[str] = ("firm", "year"),
    cluster: str = "code",
) -> list[ModelResult]:
    """One model per outcome: y ~ key + controls | fe, clustered by ``cluster`` (module docstring)."""
    _check(frame, key, controls, fe, cluster)
    ys = [y for y in (outcomes or GROWTH_OUTCOMES) if y in frame.columns]
    if not ys:
        raise InputError(f"None of the outcomes {list(outcomes or GROWTH_OUTCOMES)} is in the joined table.")
    return [fit_panel(frame, y, [key, *controls], fe=list(fe), entity="firm", time="year", vcov="cluster",
                      cluster=cluster, name=y, warn=False) for y in ys]


def _glm_result(name: str, depvar: str, model: Any, n_input: int, fe: Sequence[str], cluster: str) -> ModelResult:
    import pandas as pd

    tidy = model.tidy()
    coefs = pd.DataFrame({
        "estimate": tidy["Estimate"].to_numpy(dtype=float), "std_error": tidy["Std. Error"].to_numpy(dtype=float),
        "t_stat": tidy["t value"].to_numpy(dtype=float), "p_value": tidy["Pr(>|t|)"].to_numpy(dtype=float),
        "ci_low": tidy["2.5%"].to_numpy(dtype=float), "ci_high": tidy["97.5%"].to_numpy(dtype=float),
    }, index=pd.Index(list(tidy.index), name="term"))
    nobs = int(model._N)
    notes = [f"{n_input - nobs:,} firm-years without variation in exit within their fixed-effect groups (or "
             "with missing values) are dropped by the logit estimator."] if n_input > nobs else []
    return ModelResult(name=name, depvar=depvar, coefs=coefs, nobs=nobs, r2=float("nan"), adj_r2=float("nan"),
                       fixed_effects=list(fe), vcov=f"CRV1:{cluster}", formula=str(model._fml),
                       extra={"n_input": n_input, "notes": notes, "family": "logit"}, model=model)


def fit_exit(
    frame: pd.DataFrame,
    *,
    key: str = "vag",
    controls: Sequence[str] = (),
    fe: Sequence[str] = ("firm", "year"),
    cluster: str = "code",
) -> dict[str, ModelResult]:
    """Exit models on the firm-years at risk: ``lpm``, ``logit`` (FE logit) and ``hazard``
    (discrete-time logit with a duration baseline and year effects). ``frame`` is the joined
    firm-year table; :func:`add_exit_variables` is applied here."""
    import pyfixest as pf

    _check(frame, key, controls, fe, cluster)
    risk = add_exit_variables(frame)
    cols = [key, *controls, cluster, *(c for f in fe for c in f.split("^"))]
    risk = risk.dropna(subset=[c for c in dict.fromkeys([*cols, "exit"])])
    if risk.empty:
        raise InputError("No firm-year is at risk of exit (no firm exported in the year before another).")
    rhs = " + ".join([key, *controls])
    out = {"lpm": fit_panel(risk, "exit", [key, *controls], fe=list(fe), entity="firm", time="year",
                            vcov="cluster", cluster=cluster, name="exit (LPM)", warn=False)}
    m = pf.feglm(f"exit ~ {rhs} | {' + '.join(fe)}", data=risk, family="logit", vcov={"CRV1": cluster})
    out["logit"] = _glm_result("exit (FE logit)", "exit", m, len(risk), fe, cluster)
    h = pf.feglm(f"exit ~ {rhs} | duration + year", data=risk, family="logit", vcov={"CRV1": cluster})
    out["hazard"] = _glm_result("exit (discrete-time hazard)", "exit", h, len(risk), ["duration", "year"], cluster)
    return out
