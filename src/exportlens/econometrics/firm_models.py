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

from exportlens.econometrics.fixest import import_pyfixest
from exportlens.econometrics.panel import fit_panel
from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError
from exportlens.validation import require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXIT_MODELS", "GROWTH_OUTCOMES", "add_exit_variables", "fit_exit", "fit_firm_growth", "fit_group_slopes",
           "fit_shock_window", "group_slope_terms"]

#: Exit models of :func:`fit_exit`.
EXIT_MODELS = ("lpm", "logit", "hazard")

#: Outcomes of :func:`fit_firm_growth` (those present in the frame are used).
GROWTH_OUTCOMES = ("dhs_growth", "new_products_share", "new_destinations_share", "product_switching",
                   "destination_switching", "margin_extensive", "margin_intensive")


def add_exit_variables(frame: pd.DataFrame) -> pd.DataFrame:
    """The firm-years at risk of exit (E_f,t−1 > 0) with ``exit`` (1 when E_ft = 0) and
    ``duration`` (consecutive years with exports up to t−1, counted from the first year of
    the data: a firm exporting in t−3, t−2, t−1 has duration 3, or more if earlier years are
    in the data).

    Vectorised: a run of consecutive exporting years starts where the firm changes, a year
    is skipped or the previous year had no exports; the run length at row i is
    i − (start of its run) + 1 on exporting rows, 0 otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.econometrics.firm_models import add_exit_variables
    >>> f = pd.DataFrame({"firm": [1, 1, 1, 1], "year": [2005, 2006, 2007, 2008],
    ...                   "exports": [5.0, 5.0, 5.0, 0.0], "exports_lag": [None, 5.0, 5.0, 5.0]})
    >>> r = add_exit_variables(f)
    >>> r[["year", "duration", "exit"]].values.tolist()
    [[2006.0, 1.0, 0.0], [2007.0, 2.0, 0.0], [2008.0, 3.0, 1.0]]
    """
    require_columns(frame, ["firm", "year", "exports", "exports_lag"], where="the firm-year table")
    firm, year = frame["firm"].to_numpy(), frame["year"].to_numpy()
    ordered = len(frame) < 2 or bool(np.all((firm[1:] > firm[:-1]) | ((firm[1:] == firm[:-1]) & (year[1:] > year[:-1]))))
    # already in firm-year order (the joined table is): no sort of millions of rows
    f = frame.reset_index(drop=True) if ordered else frame.sort_values(["firm", "year"], kind="mergesort").reset_index(
        drop=True)
    active = (f["exports"] > 0).to_numpy()
    firm = f["firm"].to_numpy()
    year = f["year"].to_numpy()
    n = len(f)
    same_prev = np.zeros(n, dtype=bool)  # the row before is the same firm's previous year
    same_prev[1:] = (firm[1:] == firm[:-1]) & (year[1:] == year[:-1] + 1)
    # a run starts on an active row whose predecessor is not an active row of the same firm, year t−1
    active_before = np.zeros(n, dtype=bool)
    active_before[1:] = active[:-1]
    starts = active & ~(same_prev & active_before)
    idx = np.arange(n, dtype=np.int64)
    start_idx = np.maximum.accumulate(np.where(starts, idx, 0)) if n else idx  # start of the run of each row
    run = np.where(active, idx - start_idx + 1, 0).astype(np.int64)  # consecutive active years ending in t
    prev = np.zeros(n, dtype=np.int64)
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
    """One model per outcome: y ~ key + controls | fe, clustered by ``cluster`` (module docstring).

    Returns one :class:`~exportlens.econometrics.ModelResult` per outcome, in order (outcomes
    not in the frame are skipped).

    Examples
    --------
    Firm-years whose growth rises by 0.2 per unit of the province's Vag (plus firm and year
    effects and noise); the firm and year fixed-effects estimate recovers 0.2:

    >>> import numpy as np, pandas as pd
    >>> from exportlens.econometrics.firm_models import fit_firm_growth
    >>> rng = np.random.default_rng(1)
    >>> firm = np.repeat(np.arange(400), 6)
    >>> year = np.tile(np.arange(2008, 2014), 400)
    >>> code = 110000 + 10000 * (firm % 8)
    >>> vag = rng.uniform(0, 1, (8, 6))[firm % 8, year - 2008]
    >>> growth = 0.2 * vag + rng.normal(0, 0.1, 400)[firm] + 0.01 * (year - 2008) + rng.normal(0, 0.05, firm.size)
    >>> frame = pd.DataFrame({"firm": firm, "year": year, "code": code, "vag": vag, "dhs_growth": growth})
    >>> res = fit_firm_growth(frame, outcomes=["dhs_growth"])
    >>> [(m.depvar, round(m.value("vag"), 2)) for m in res]
    [('dhs_growth', 0.2)]
    """
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
    fe: Sequence[str] = ("code", "year"),
    cluster: str = "code",
    models: Sequence[str] = EXIT_MODELS,
    hazard_fe: Sequence[str] = ("duration", "year"),
) -> dict[str, ModelResult]:
    """Exit models on the firm-years at risk: ``lpm``, ``logit`` (FE logit) and ``hazard``
    (discrete-time logit with a duration baseline and the ``hazard_fe`` effects, by default
    duration and year). ``frame`` is the joined firm-year table; :func:`add_exit_variables`
    is applied here. ``models``: which of :data:`EXIT_MODELS` to fit.

    With firm fixed effects and an absorbing exit (a firm exits once), the within-firm
    estimators compare the exit year with the firm's own spell, which is selected on
    survival: in short panels they are biased towards zero; province (``code``) and year
    effects identify the effect of a province-year Vag from its within-province variation
    without that selection. Hence the default ``fe=("code", "year")`` (as the study's
    ``[models] exit_fe``); pass ``fe=("firm", "year")`` for firm effects.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from exportlens.econometrics.firm_models import fit_exit
    >>> rng = np.random.default_rng(0)
    >>> rows = []
    >>> for f in range(300):
    ...     code, e = 110000 + 10000 * (f % 6), 1.0
    ...     for y in range(2005, 2012):
    ...         v = (code // 10000 + y) % 5 / 4
    ...         gone = y > 2005 and rng.random() < 0.25 - 0.2 * v
    ...         rows.append((f, y, code, 0.0 if gone else 1.0, np.nan if y == 2005 else e, v))
    ...         if gone:
    ...             break
    >>> frame = pd.DataFrame(rows, columns=["firm", "year", "code", "exports", "exports_lag", "vag"])
    >>> res = fit_exit(frame, fe=("code", "year"), models=["lpm"])
    >>> print(res["lpm"].value("vag") < 0)
    True
    """
    import warnings

    pf = import_pyfixest()  # fixed effects in formula order: bit-identical across PYTHONHASHSEED
    unknown = [m for m in models if m not in EXIT_MODELS]
    if unknown:
        raise InputError(f"Unknown exit model(s) {unknown}; models: {', '.join(EXIT_MODELS)}.")
    _check(frame, key, controls, fe, cluster)
    risk = add_exit_variables(frame)
    cols = [key, *controls, cluster, *(c for f in [*fe, *hazard_fe] for c in f.split("^") if c != "duration")]
    risk = risk.dropna(subset=[c for c in dict.fromkeys([*cols, "exit"])])
    if risk.empty:
        raise InputError("No firm-year is at risk of exit (no firm exported in the year before another).")
    rhs = " + ".join([key, *controls])
    out: dict[str, ModelResult] = {}
    if "lpm" in models:
        out["lpm"] = fit_panel(risk, "exit", [key, *controls], fe=list(fe), entity="firm", time="year",
                               vcov="cluster", cluster=cluster, name="exit (LPM)", warn=False)
    with warnings.catch_warnings():
        # separated and singleton observations dropped by feglm are counted in each model's notes
        warnings.filterwarnings("ignore", message=r".*(separation|singleton fixed effect)", category=UserWarning)
        out.update(_glm_models(pf, risk, rhs, fe, hazard_fe, cluster, models))
    return out


def _glm_models(pf: Any, risk: pd.DataFrame, rhs: str, fe: Sequence[str], hazard_fe: Sequence[str], cluster: str,
                models: Sequence[str]) -> dict[str, ModelResult]:
    out: dict[str, ModelResult] = {}
    if "logit" in models:
        m = pf.feglm(f"exit ~ {rhs} | {' + '.join(fe)}", data=risk, family="logit", vcov={"CRV1": cluster})
        out["logit"] = _glm_result("exit (FE logit)", "exit", m, len(risk), fe, cluster)
    if "hazard" in models:
        h = pf.feglm(f"exit ~ {rhs} | {' + '.join(hazard_fe)}", data=risk, family="logit", vcov={"CRV1": cluster})
        out["hazard"] = _glm_result("exit (discrete-time hazard)", "exit", h, len(risk), list(hazard_fe), cluster)
    return out


def group_slope_terms(frame: pd.DataFrame, key: str, group: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """``frame`` with one column ``{key}_x_{group}_{level}`` = key · 1[group = level] per level
    of ``group`` (``{key}_x_{group}_{i}``, i = 1, 2, ... in sorted order, when the level would
    not make an ASCII identifier; rows with a missing group get 0 in every column and are counted by the
    caller), and the map column -> level.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.econometrics.firm_models import group_slope_terms
    >>> f, terms = group_slope_terms(pd.DataFrame({"vag": [1.0, 2.0], "g": ["a", "b"]}), "vag", "g")
    >>> terms, f["vag_x_g_b"].tolist()
    ({'vag_x_g_a': 'a', 'vag_x_g_b': 'b'}, [0.0, 2.0])
    """
    require_columns(frame, [key, group], where="the joined firm-year table")
    out = frame.copy()
    terms: dict[str, str] = {}
    for i, level in enumerate(sorted(frame[group].dropna().unique(), key=str), start=1):
        name = f"{key}_x_{group}_{level}"
        if not (name.isascii() and name.isidentifier()) or name in terms:  # "国有", "state owned": numbered
            name = f"{key}_x_{group}_{i}"
            while name in terms or name in frame.columns:
                name += "_"
        out[name] = frame[key].where(frame[group] == level, 0.0).astype("float64")
        terms[name] = str(level)
    if not terms:
        raise InputError(f"The column {group!r} has no values; heterogeneity by {group!r} needs them.")
    return out, terms


def fit_group_slopes(
    frame: pd.DataFrame,
    outcome: str,
    group: str,
    *,
    key: str = "vag",
    controls: Sequence[str] = (),
    fe: Sequence[str] = ("firm", "year"),
    cluster: str = "code",
) -> ModelResult:
    """Heterogeneity: y_ft = Σ_g β_g Vag_pt · 1[group_f = g] + γ'X + fixed effects + ε, one
    slope per group (no reference group: each β_g is the group's own effect; the group's
    level is absorbed by the firm effects when the group is fixed within firms). pyfixest
    ``feols`` through :func:`~exportlens.econometrics.fit_panel`; the rows whose group is
    missing are left out (counted in ``extra["n_missing_group"]``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from exportlens.econometrics.firm_models import fit_group_slopes
    >>> rng = np.random.default_rng(1)
    >>> f = pd.DataFrame({"firm": np.repeat(np.arange(200), 5), "year": np.tile(np.arange(2005, 2010), 200)})
    >>> f["code"] = f["firm"] % 8
    >>> f["size"] = np.where(f["firm"] % 2 == 0, "small", "large")
    >>> f["vag"] = rng.uniform(size=len(f))
    >>> f["dhs_growth"] = np.where(f["size"] == "small", 0.5, 0.1) * f["vag"] + rng.normal(0, 0.05, len(f))
    >>> m = fit_group_slopes(f, "dhs_growth", "size")
    >>> print(round(m.value("vag_x_size_small"), 1), round(m.value("vag_x_size_large"), 1))
    0.5 0.1
    """
    _check(frame, key, controls, fe, cluster)
    missing = int(frame[group].isna().sum()) if group in frame.columns else 0
    data, terms = group_slope_terms(frame[frame[group].notna()] if missing else frame, key, group)
    res = fit_panel(data, outcome, [*terms, *controls], fe=list(fe), entity="firm", time="year", vcov="cluster",
                    cluster=cluster, name=f"{outcome} by {group}", warn=False)
    res.extra["group_terms"] = terms
    res.extra["n_missing_group"] = missing
    return res


def fit_shock_window(
    frame: pd.DataFrame,
    outcome: str,
    *,
    key: str = "vag",
    controls: Sequence[str] = (),
    fe: Sequence[str] = ("industry",),
    cluster: str = "code",
) -> ModelResult:
    """Shock-window cross-section: g_f = β Vag_p(f),base + γ'X_f + α_industry + ε_f, one row per
    firm of the pre-shock cohort, g_f its growth from the base year to the shock year
    (``growth_contraction``) or to the recovery year (``growth_recovery``), Vag measured in the
    base year (before the shock), standard errors clustered by province.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from exportlens.econometrics.firm_models import fit_shock_window
    >>> rng = np.random.default_rng(2)
    >>> f = pd.DataFrame({"code": rng.integers(0, 20, 2000), "industry": rng.integers(0, 5, 2000)})
    >>> f["vag"] = (f["code"] % 7) / 7
    >>> f["growth_contraction"] = -0.3 + 0.2 * f["vag"] + rng.normal(0, 0.1, 2000)
    >>> print(round(fit_shock_window(f, "growth_contraction").value("vag"), 1))
    0.2
    """
    cols = [key, outcome, *controls, cluster, *(c for f in fe for c in f.split("^"))]
    require_columns(frame, cols, where="the firm shock table joined to the base-year panel")
    data = frame.dropna(subset=list(dict.fromkeys(cols)))
    if data.empty:
        raise InputError(f"No firm of the pre-shock cohort has {outcome} and a base-year {key}.")
    return fit_panel(data, outcome, [key, *controls], fe=list(fe) or None, entity="industry", time="year",
                     vcov="cluster", cluster=cluster, name=f"{outcome} (shock window)", warn=False)
