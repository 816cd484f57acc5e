"""Panel regressions on pyfixest: fixed effects, robust inference and the study tables' designs.

Every model is estimated by :func:`pyfixest.feols` with a formula built here
(``"y ~ x1 + x2 | year"``) and an explicit ``vcov``. pyfixest is imported lazily (inside the
functions), so ``import exportlens.econometrics`` stays cheap.

Designs built on :func:`fit_panel`:

* :func:`stepwise` - Table 2 layout: key regressor alone, + year FE, + controls one at a time;
* :func:`lag_within` / :func:`lagged_robustness` - Table 3: the key regressor replaced by lags
  taken on the complete entity x time grid;
* :func:`moderation` / :func:`moderation_pair` - key x moderator, raw or mean-centred;
* :func:`heterogeneity` / :func:`group_interactions` - split samples and key x group dummies.

Nothing is dropped silently: rows with missing values are removed *before* the call to
pyfixest and counted per column, singleton fixed-effect groups (which pyfixest 0.60 drops by
default, ``fixef_rm="singleton"``) are counted too; both numbers are in ``ModelResult.extra``
and a :class:`DroppedRowsWarning` is emitted.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.econometrics.fixest import import_pyfixest
from exportlens.econometrics.results import ModelResult
from exportlens.errors import (
    DroppedRowsWarning,
    EstimationWarning,
    InputError,
    MissingColumnError,
    MissingDependencyError,
)
from exportlens.validation import check_numeric_columns, require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "VCOV_TYPES",
    "DroppedRowsWarning",
    "MissingDependencyError",
    "ModerationResult",
    "centring_note",
    "fit_panel",
    "group_interactions",
    "heterogeneity",
    "lag_within",
    "lagged_robustness",
    "moderation",
    "moderation_pair",
    "stepwise",
]

#: vcov names accepted by :func:`fit_panel` (a pyfixest dict such as ``{"CRV1": "province"}``
#: is accepted as well).
VCOV_TYPES = ("iid", "hetero", "HC1", "HC2", "HC3", "cluster", "driscoll-kraay")
_VCOV_ALIASES = {
    "iid": "iid",
    "hetero": "hetero",
    "robust": "hetero",
    "hc1": "HC1",
    "hc2": "HC2",
    "hc3": "HC3",
    "cluster": "cluster",
    "clustered": "cluster",
    "crv1": "cluster",
    "driscoll-kraay": "DK",
    "driscoll_kraay": "DK",
    "dk": "DK",
}
_FE_TIME = {"year", "time"}
_FE_ENTITY = {"region", "entity"}
_FE_TWOWAY = {"twoway", "two-way", "both", "region+year", "entity+time"}
_WILD_KEYS = {"param", "reps", "seed", "cluster", "weights_type", "impose_null", "bootstrap_type"}
_ENTITY_CODE = "_el_entity_code"
_WILD_CODE = "_el_wild_cluster"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _pf():
    return import_pyfixest()  # fixed effects in formula order: results do not depend on PYTHONHASHSEED


def _as_list(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _q(name: str) -> str:
    """Quote a column name for a pyfixest/formulaic formula when it is not an identifier."""
    if name.isidentifier():
        return name
    if "`" in name:
        raise InputError(f"Column name {name!r} contains a backtick and cannot be used in a formula.")
    return f"`{name}`"


def _resolve_fe(fe: Any, entity: str, time: str) -> list[str]:
    if fe is None or fe is False:
        return []
    if isinstance(fe, str):
        key = fe.strip().lower()
        if key in _FE_TWOWAY:
            return [entity, time]
        if key in _FE_TIME:
            return [time]
        if key in _FE_ENTITY:
            return [entity]
        return [fe]
    cols = list(fe)
    if not all(isinstance(c, str) for c in cols):
        raise InputError(f"fe must be None, 'year', 'region', 'twoway' or a list of column names; got {fe!r}.")
    return list(dict.fromkeys(cols))


def _fe_roles(fe_cols: Sequence[str], entity: str, time: str) -> dict[str, str]:
    roles = {}
    for c in fe_cols:
        if c == time:
            roles[c] = "time"
        elif c == entity:
            roles[c] = "entity"
        else:
            roles[c] = "other"
    return roles


@dataclass
class _VcovSpec:
    pf_vcov: Any
    kwargs: dict[str, Any] | None
    label: str
    kind: str  # iid / hetero / cluster / DK
    cluster_cols: list[str]
    needs: list[str]


def _resolve_vcov(vcov: Any, cluster: Any, entity: str, time: str, dk_lag: int | None) -> _VcovSpec:
    available = f"{list(VCOV_TYPES)} or a pyfixest dict such as {{'CRV1': '{entity}'}}"
    if isinstance(vcov, Mapping):
        if len(vcov) != 1:
            raise InputError(f"A vcov dict must have one entry such as {{'CRV1': '{entity}'}}; got {dict(vcov)!r}.")
        (kind, spec), = vcov.items()
        if str(kind).upper() not in {"CRV1", "CRV3"} or not isinstance(spec, str):
            raise InputError(f"Unsupported vcov {dict(vcov)!r}; use {available}.")
        cols = [c.strip() for c in spec.split("+") if c.strip()]
        return _VcovSpec({str(kind).upper(): "+".join(cols)}, None, f"{str(kind).upper()}:{'+'.join(cols)}", "cluster", cols, cols)
    if not isinstance(vcov, str) or vcov.strip().lower() not in _VCOV_ALIASES:
        raise InputError(f"Unknown vcov {vcov!r}; available: {available}.")
    kind = _VCOV_ALIASES[vcov.strip().lower()]
    if kind == "cluster":
        cols = _as_list(cluster) or [entity]
        if len(cols) == 1 and "+" in cols[0]:
            cols = [c.strip() for c in cols[0].split("+")]
        return _VcovSpec({"CRV1": "+".join(cols)}, None, f"CRV1:{'+'.join(cols)}", "cluster", cols, cols)
    if cluster is not None:
        raise InputError(f"cluster={cluster!r} was given but vcov={vcov!r} is not 'cluster'.")
    if kind == "DK":
        if dk_lag is not None and (not isinstance(dk_lag, (int, np.integer)) or dk_lag < 0):
            raise InputError(f"dk_lag must be a non-negative integer, got {dk_lag!r}.")
        kwargs: dict[str, str | int] = {"time_id": time, "panel_id": _ENTITY_CODE}
        if dk_lag is not None:
            kwargs["lag"] = int(dk_lag)
        label = f"DK(lag={dk_lag})" if dk_lag is not None else "DK"
        return _VcovSpec("DK", kwargs, label, "DK", [], [entity, time])
    return _VcovSpec(kind, None, kind, kind if kind in {"iid", "hetero"} else "hetero", [], [])


def _make_ssc(ssc: Mapping[str, Any] | None):
    if ssc is None:
        return None
    allowed = {"k_adj", "k_fixef", "G_adj", "G_df"}
    unknown = set(dict(ssc)) - allowed
    if unknown:
        raise InputError(f"Invalid ssc option(s) {sorted(unknown)}; arguments of pyfixest.ssc: {sorted(allowed)}.")
    if "k_fixef" in ssc and ssc["k_fixef"] not in {"none", "nonnested", "full"}:
        raise InputError(f"ssc k_fixef must be 'none', 'nonnested' or 'full', got {ssc['k_fixef']!r}.")
    try:
        return _pf().ssc(**dict(ssc))
    except TypeError as exc:
        raise InputError(f"Invalid ssc {dict(ssc)!r}: {exc}. Arguments of pyfixest.ssc: k_adj, k_fixef, G_adj, G_df.") from exc


# --------------------------------------------------------------------------------------------
# fit_panel
# --------------------------------------------------------------------------------------------


def fit_panel(
    df: pd.DataFrame,
    depvar: str,
    regressors: str | Sequence[str],
    *,
    fe: str | Sequence[str] | None = None,
    entity: str = "province",
    time: str = "year",
    vcov: str | Mapping[str, str] = "iid",
    cluster: str | Sequence[str] | None = None,
    name: str | None = None,
    wild_bootstrap: Mapping[str, Any] | None = None,
    ssc: Mapping[str, Any] | None = None,
    dk_lag: int | None = None,
    drop_singletons: bool = True,
    warn: bool = True,
) -> ModelResult:
    """Fit ``depvar ~ regressors | fixed effects`` by :func:`pyfixest.feols`.

    Parameters
    ----------
    df : DataFrame in long format (one row per entity and time).
    depvar, regressors : column names (numeric). Regressors enter linearly; interaction terms
        ``"a:b"`` are allowed (both columns must exist).
    fe : ``None`` (pooled OLS with a constant), ``"year"``/``"time"`` (time FE = column
        ``time``), ``"region"``/``"entity"`` (entity FE = column ``entity``), ``"twoway"``
        (both), or an explicit list of FE columns (``["province", "year"]``; ``"a^b"`` for
        interacted effects). Models with fixed effects have no ``Intercept``.
    entity, time : the panel's entity and time columns (used by ``fe`` names, the default
        cluster, Driscoll-Kraay and the fixed-effect roles shown in tables).
    vcov : ``"iid"``, ``"hetero"`` (HC1; ``"HC2"``/``"HC3"`` only without FE), ``"cluster"``
        (CRV1 by ``cluster``, default ``entity``; ``cluster=["province", "year"]`` for two-way
        clustering), ``"driscoll-kraay"`` (pyfixest 0.60 ``vcov="DK"`` with ``time_id=time``,
        ``panel_id=entity``; lag ``dk_lag``, default floor(T^0.25)), or a pyfixest dict such
        as ``{"CRV1": "province"}`` / ``{"CRV3": "province"}``. Always passed explicitly.
    wild_bootstrap : ``None`` or a dict for pyfixest's ``Feols.wildboottest``: ``param``
        (a coefficient name or a list; default every regressor), ``reps`` (9999), ``seed``,
        ``cluster`` (default: the clustering variable of ``vcov``, else ``entity``; ``None`` for
        the heteroskedastic wild bootstrap), ``weights_type`` ("rademacher"), ``impose_null``
        (True), ``bootstrap_type`` ("11"). Needs the optional ``wildboottest`` package.
        Results (bootstrap t and p per parameter) go to ``extra["wild_bootstrap"]``.
    ssc : small-sample correction, the keyword arguments of ``pyfixest.ssc`` (``k_adj``,
        ``k_fixef`` = "nonnested" (default) / "none" / "full", ``G_adj``, ``G_df``).
    dk_lag : Bartlett-kernel lag for Driscoll-Kraay.
    drop_singletons : pyfixest's default ``fixef_rm="singleton"`` (True) drops observations
        that are alone in a fixed-effect group; the count is reported.
    warn : emit a :class:`DroppedRowsWarning` when rows are dropped.

    Returns
    -------
    ModelResult
        ``coefs`` (estimate, std_error, t_stat, p_value, ci_low, ci_high), ``r2``/``adj_r2``
        (overall, pyfixest ``_r2``/``_adj_r2``), ``r2_within``/``adj_r2_within`` (pyfixest
        ``_r2_within``/``_adj_r2_within``, only with fixed effects), ``fixed_effects``,
        ``vcov`` (e.g. ``"CRV1:province"``), ``formula``, ``model`` (the pyfixest object) and
        ``extra``: ``n_input``, ``n_dropped_missing``, ``missing_by_column`` (per column,
        overlapping), ``missing_first_by_column`` (each dropped row once, under its first missing
        column: sums to ``n_dropped_missing``), ``n_dropped_singletons``, ``sample`` (index labels of the rows used), ``entity``,
        ``time``, ``fe_roles``, ``n_clusters``, ``collinear_dropped``, ``notes``.

    Small-sample corrections and other software
    -------------------------------------------
    Point estimates equal ``linearmodels.PanelOLS`` (``entity_effects``/``time_effects``) and
    statsmodels OLS with dummies. Standard errors:

    * ``iid`` and ``hetero``: pyfixest's default equals linearmodels' default
      ``fit(cov_type="unadjusted")`` / ``fit(cov_type="robust")`` (both use (N-1)/(N-K) or
      N/(N-K) with all absorbed effects counted; identical to 1e-8).
    * ``cluster`` (CRV1): pyfixest's default ``ssc`` (fixest's ``K.fixef="nonnested"``: fixed
      effects nested in the cluster variable are not counted). For a model whose fixed
      effects are not nested in the clusters (the resilience study's year effects, clustered
      by province) it equals linearmodels ``fit(cov_type="clustered", cluster_entity=True,
      auto_df=False, count_effects=True, group_debias=True)`` to 1e-15 (tested): then every
      absorbed effect is counted in K, as fixest does. ``ssc={"k_fixef": "none"}`` here equals
      the same call with ``count_effects=False``: G/(G-1)·(N-1)/(N-K) with K the slope
      coefficients only. The linearmodels defaults (no G/(G-1)) match neither.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import fit_panel
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> res = fit_panel(df, "sl", ["vag", "ln_gdp_pc"], fe="year", vcov="cluster")
    >>> res.coefs[["estimate", "std_error"]].round(3)
               estimate  std_error
    term
    vag           0.040      0.007
    ln_gdp_pc    -0.003      0.014
    >>> res.nobs, res.vcov, res.fixed_effects
    (390, 'CRV1:province', ['year'])
    """
    import pandas as pd

    pf = _pf()
    regressors = _as_list(regressors)
    if not regressors:
        raise InputError("fit_panel needs at least one regressor.")
    if not isinstance(depvar, str):
        raise InputError(f"depvar must be a column name, got {depvar!r}.")
    fe_cols = _resolve_fe(fe, entity, time)
    spec = _resolve_vcov(vcov, cluster, entity, time, dk_lag)

    reg_cols: list[str] = []
    for r in regressors:
        reg_cols.extend(p for p in r.split(":") if p)
    fe_base_cols = [p for c in fe_cols for p in c.split("^")]
    require_columns(df, [depvar], what="dependent variable")
    require_columns(df, reg_cols, what="regressor")
    require_columns(df, fe_base_cols, what="fixed-effect column")
    require_columns(df, spec.needs, what="vcov column")
    if depvar in reg_cols:
        raise InputError(f"The dependent variable {depvar!r} is also among the regressors.")
    check_numeric_columns(
        df,
        [depvar, *reg_cols],
        hint="regressors and the dependent variable must be numbers (use fe= for categorical effects)",
    )

    used = list(dict.fromkeys([depvar, *reg_cols, *fe_base_cols, *spec.needs]))
    wild = _wild_spec(wild_bootstrap, spec, entity, regressors)
    if wild is not None and wild["cluster"] is not None:
        require_columns(df, [wild["cluster"]], what="wild bootstrap cluster column")
        used = list(dict.fromkeys([*used, wild["cluster"]]))

    n_input = len(df)
    work = df.loc[:, used]
    na = work.isna()
    missing_by_column = {c: int(n) for c, n in na.sum().items() if n}
    complete = ~na.any(axis=1).to_numpy()
    n_missing = int((~complete).sum())
    # each incomplete row counted once, under the first missing column (dependent variable,
    # regressors, fixed effects, vcov columns in that order): these counts add up to n_missing
    first_missing = na.loc[~complete].idxmax(axis=1).value_counts()
    missing_first_by_column = {c: int(first_missing[c]) for c in used if c in first_missing.index}
    data = work.loc[complete].copy()
    sample_labels = df.index[complete]
    data.index = pd.RangeIndex(len(data))
    if len(data) == 0:
        raise InputError(f"No complete observations for {depvar} ~ {' + '.join(regressors)} (missing values per column: {missing_by_column}).")

    if spec.kind == "DK":
        if not (pd.api.types.is_numeric_dtype(data[time]) or pd.api.types.is_datetime64_any_dtype(data[time])):
            raise InputError(f"Driscoll-Kraay needs a numeric or date time column; {time!r} has dtype {data[time].dtype}.")
        data[_ENTITY_CODE] = pd.factorize(data[entity])[0]
        if data.duplicated([entity, time]).any():
            raise InputError(f"Driscoll-Kraay needs one row per ({entity}, {time}); duplicates found.")
    if wild is not None and wild["cluster"] is not None:
        data[_WILD_CODE] = pd.factorize(data[wild["cluster"]])[0]

    rhs = " + ".join(":".join(_q(p) for p in r.split(":")) for r in regressors)
    fml = f"{_q(depvar)} ~ {rhs}"
    if fe_cols:
        fml += " | " + " + ".join("^".join(_q(p) for p in c.split("^")) for c in fe_cols)

    feols_kwargs: dict[str, Any] = {
        "vcov": spec.pf_vcov,
        "fixef_rm": "singleton" if drop_singletons else "none",
    }
    if spec.kwargs:
        feols_kwargs["vcov_kwargs"] = spec.kwargs
    ssc_obj = _make_ssc(ssc)
    if ssc_obj is not None:
        feols_kwargs["ssc"] = ssc_obj
    with warnings.catch_warnings():
        # pyfixest 0.60 calls pandas' deprecated inplace= API (pandas 3.1): not our concern.
        warnings.filterwarnings("ignore", message=r".*inplace keyword.*", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=r".*inplace keyword.*", category=FutureWarning)
        warnings.filterwarnings("ignore", message=r".*singleton fixed effect.*")
        # collinear variables are read from the fitted model (collinear_dropped, notes, sample.csv)
        warnings.filterwarnings("ignore", message=r"(?s).*dropped due to multicollinearity")
        try:
            model = pf.feols(fml, data, **feols_kwargs)
        except Exception as exc:
            if isinstance(exc, (ValueError, KeyError, np.linalg.LinAlgError)) or type(exc).__module__.startswith("pyfixest"):
                raise InputError(f"pyfixest could not estimate {fml!r} (vcov={spec.label}): {type(exc).__name__}: {exc}") from exc
            raise

    used_rows = np.ones(len(data), dtype=bool)
    na_index = sorted(getattr(model, "_na_index", set()) or set())
    if na_index:
        used_rows[np.asarray(na_index, dtype=int)] = False
    nobs = int(model._N)
    n_singletons = len(data) - nobs
    sample = sample_labels[used_rows] if n_singletons else sample_labels

    names = [str(c) for c in model._coefnames]
    # One tidy() call: coef()/se()/tstat()/pvalue()/confint() each rebuild it (5x the cost).
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
        index=pd.Index(names, name="term"),
    )

    notes: list[str] = []
    if n_missing:
        detail = ", ".join(f"{c}: {n}" for c, n in missing_by_column.items())
        notes.append(f"{n_missing} row(s) with missing values dropped before estimation ({detail}).")
    if n_singletons:
        notes.append(f"{n_singletons} singleton observation(s) dropped by pyfixest (fixef_rm='singleton'): alone in a fixed-effect group.")
    collinear = [str(v) for v in (getattr(model, "_collin_vars", None) or [])]
    if collinear:
        notes.append(f"Dropped for collinearity by pyfixest: {', '.join(collinear)}.")
    if spec.kind == "DK":
        notes.extend(_dk_gap_note(data[time]))

    n_clusters = None
    if spec.kind == "cluster":
        try:
            n_clusters = int(min(model._G))
        except (TypeError, ValueError):
            n_clusters = None

    label = name if name is not None else fml
    extra: dict[str, Any] = {
        "n_input": n_input,
        "n_dropped_missing": n_missing,
        "missing_by_column": missing_by_column,
        "missing_first_by_column": missing_first_by_column,
        "n_dropped_singletons": int(n_singletons),
        "sample": sample,
        "entity": entity,
        "time": time,
        "fe_roles": _fe_roles(fe_cols, entity, time),
        "n_clusters": n_clusters,
        "cluster": spec.cluster_cols or None,
        "ssc": dict(ssc) if ssc else None,
        "collinear_dropped": collinear,
        "regressors": list(regressors),
        "notes": notes,
    }
    if warn and (n_missing or n_singletons):
        warnings.warn(f"{label}: " + " ".join(notes[: 2 if n_missing and n_singletons else 1]), DroppedRowsWarning, stacklevel=2)

    result = ModelResult(
        name=label,
        depvar=depvar,
        coefs=coefs,
        nobs=nobs,
        r2=float(model._r2),
        adj_r2=float(model._adj_r2),
        r2_within=float(model._r2_within) if fe_cols else None,
        adj_r2_within=float(model._adj_r2_within) if fe_cols else None,
        fixed_effects=list(fe_cols),
        vcov=spec.label,
        formula=fml,
        extra=extra,
        model=model,
    )
    if wild is not None:
        extra["wild_bootstrap"] = _run_wild(model, wild, names)
    return result


def _dk_gap_note(time_values: pd.Series) -> list[str]:
    import pandas as pd

    if not pd.api.types.is_integer_dtype(time_values) and not pd.api.types.is_float_dtype(time_values):
        return []
    u = np.unique(time_values.to_numpy(dtype=float))
    if len(u) > 1 and not np.allclose(np.diff(u), np.diff(u)[0]):
        msg = "Driscoll-Kraay: the time values are not equally spaced; pyfixest 0.60 treats consecutive observed periods as one lag apart."
        warnings.warn(msg, EstimationWarning, stacklevel=3)
        return [msg]
    return []


def _wild_spec(wild: Mapping[str, Any] | None, spec: _VcovSpec, entity: str, regressors: list[str]) -> dict[str, Any] | None:
    if wild is None or wild is False:
        return None
    if wild is True:
        wild = {}
    if not isinstance(wild, Mapping):
        raise InputError(f"wild_bootstrap must be a dict such as {{'param': 'x', 'reps': 9999, 'seed': 1}}; got {wild!r}.")
    unknown = set(wild) - _WILD_KEYS
    if unknown:
        raise InputError(f"Unknown wild_bootstrap option(s) {sorted(unknown)}; allowed: {sorted(_WILD_KEYS)}.")
    import importlib.util

    if importlib.util.find_spec("wildboottest") is None:
        raise MissingDependencyError("The wild cluster bootstrap (pyfixest Feols.wildboottest) needs the 'wildboottest' package: pip install wildboottest.")
    if "cluster" in wild:
        cl = wild["cluster"]
    elif spec.kind == "cluster":
        if len(spec.cluster_cols) != 1:
            raise InputError("The wild cluster bootstrap supports one-way clustering only; pass wild_bootstrap={'cluster': ...}.")
        cl = spec.cluster_cols[0]
    else:
        cl = entity
    params = _as_list(wild.get("param")) or list(regressors)
    reps = wild.get("reps", 9999)
    if not isinstance(reps, (int, np.integer)) or reps < 1:
        raise InputError(f"wild_bootstrap reps must be a positive integer, got {reps!r}.")
    return {
        "param": params,
        "reps": int(reps),
        "seed": wild.get("seed"),
        "cluster": cl,
        "weights_type": wild.get("weights_type", "rademacher"),
        "impose_null": bool(wild.get("impose_null", True)),
        "bootstrap_type": str(wild.get("bootstrap_type", "11")),
    }


def _run_wild(model: Any, wild: dict[str, Any], names: list[str]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for p in wild["param"]:
        if p not in names:
            raise InputError(f"wild_bootstrap param {p!r} is not a coefficient; coefficients: {names}.")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            out = model.wildboottest(
                reps=wild["reps"],
                param=p,
                cluster=_WILD_CODE if wild["cluster"] is not None else None,
                weights_type=wild["weights_type"],
                impose_null=wild["impose_null"],
                bootstrap_type=wild["bootstrap_type"],
                seed=wild["seed"],
            )
        rows.append(
            {
                "term": p,
                "t_stat": float(np.asarray(out["t value"]).ravel()[0]),
                "p_value": float(np.asarray(out["Pr(>|t|)"]).ravel()[0]),
                "reps": wild["reps"],
                "seed": wild["seed"],
                "cluster": wild["cluster"],
                "weights_type": wild["weights_type"],
                "bootstrap_type": wild["bootstrap_type"],
                "impose_null": wild["impose_null"],
            }
        )
    return pd.DataFrame(rows).set_index("term")


# --------------------------------------------------------------------------------------------
# stepwise (Table 2)
# --------------------------------------------------------------------------------------------


def stepwise(
    df: pd.DataFrame,
    depvar: str,
    key: str | Sequence[str],
    controls: Sequence[str] = (),
    *,
    fe_first: str | Sequence[str] | None = None,
    fe: str | Sequence[str] | None = "year",
    steps: Sequence[Any] | None = None,
    cumulative: bool = True,
    **fit_kwargs: Any,
) -> list[ModelResult]:
    """Stepwise models in the published Table 2 layout.

    Default sequence (``steps=None``): (1) key regressor(s) with ``fe_first`` (no FE);
    (2) key + ``fe`` (year FE); (3)... key + ``fe`` with the controls added one at a time
    (``cumulative=True``; with ``cumulative=False`` each control enters alone). Four controls
    give six models.

    ``steps`` overrides the sequence: a list whose items are ``(regressors, fe)`` tuples or
    dicts ``{"regressors": [...], "fe": ..., "name": ...}``. Other keyword arguments (``entity``,
    ``time``, ``vcov``, ``cluster``, ``ssc``...) go to :func:`fit_panel`. Models are named
    ``"(1)"``, ``"(2)"``...

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import stepwise
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> models = stepwise(df, "sl", "vag", ["ln_gdp_pc", "tax_burden"])
    >>> [(m.name, m.fixed_effects, round(m.value("vag"), 4)) for m in models]
    [('(1)', [], 0.039), ('(2)', ['year'], 0.039), ('(3)', ['year'], 0.0398), ('(4)', ['year'], 0.0404)]
    """
    keys = _as_list(key)
    controls = _as_list(controls)
    if not keys:
        raise InputError("stepwise needs a key regressor.")
    if steps is None:
        plan: list[dict[str, Any]] = [
            {"regressors": keys, "fe": fe_first},
            {"regressors": keys, "fe": fe},
        ]
        for i, c in enumerate(controls):
            regs = [*keys, *controls[: i + 1]] if cumulative else [*keys, c]
            plan.append({"regressors": regs, "fe": fe})
    else:
        plan = []
        for s in steps:
            if isinstance(s, Mapping):
                if "regressors" not in s:
                    raise InputError(f"A step dict needs 'regressors'; got {dict(s)!r}.")
                plan.append(dict(s))
            elif isinstance(s, tuple) and len(s) == 2:
                plan.append({"regressors": _as_list(s[0]), "fe": s[1]})
            else:
                raise InputError(f"A step must be (regressors, fe) or a dict; got {s!r}.")
    out = []
    for i, s in enumerate(plan, start=1):
        res = fit_panel(df, depvar, _as_list(s["regressors"]), fe=s.get("fe"), name=s.get("name", f"({i})"), **fit_kwargs)
        res.extra["key_terms"] = [k for k in keys if k in res.coefs.index]
        out.append(res)
    return out


# --------------------------------------------------------------------------------------------
# lags (Table 3)
# --------------------------------------------------------------------------------------------


def _lag_list(lags: int | Iterable[int]) -> list[int]:
    vals = [lags] if isinstance(lags, (int, np.integer)) else list(lags)
    if not vals:
        raise InputError("lags is empty.")
    for k in vals:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InputError(f"Lags must be positive integers, got {k!r}.")
    return [int(k) for k in vals]


def lag_within(
    df: pd.DataFrame,
    column: str | Sequence[str],
    lags: int | Iterable[int] = 1,
    *,
    entity: str = "province",
    time: str = "year",
    prefix: str = "L",
) -> pd.DataFrame:
    """Lags of ``column`` within each entity, aligned to ``df``'s rows.

    The series is put on the COMPLETE entity x time grid first (integer time: every period
    from the first to the last, so a year missing from the data - for one entity or for all -
    is a hole in the grid), shifted by ``k`` periods within the entity and mapped back to the
    rows of ``df``. A value therefore never moves to the wrong year: after a gap the lag is
    NaN. With non-integer time (dates, strings) the grid is the set of observed periods.

    Returns a DataFrame indexed like ``df`` with columns ``f"{prefix}{k}_{column}"``
    (``L1_vag``, ``L2_vag``...).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.econometrics import lag_within
    >>> df = pd.DataFrame({"province": ["A", "A", "A", "B", "B"],
    ...                    "year": [2010, 2011, 2013, 2010, 2011],
    ...                    "vag": [1.0, 2.0, 4.0, 10.0, 20.0]})
    >>> lag_within(df, "vag", lags=[1, 2])
       L1_vag  L2_vag
    0     NaN     NaN
    1     1.0     NaN
    2     NaN     2.0
    3     NaN     NaN
    4    10.0     NaN
    """
    import pandas as pd

    cols = _as_list(column)
    ks = _lag_list(lags)
    require_columns(df, [entity, time], what="panel column")
    require_columns(df, cols, what="column to lag")
    if df[[entity, time]].isna().any().any():
        raise InputError(f"The panel columns {entity!r}/{time!r} have missing values; lags need them complete.")
    if df.duplicated([entity, time]).any():
        dup = df.loc[df.duplicated([entity, time], keep=False), [entity, time]].head(3).to_dict("records")
        raise InputError(f"Duplicate ({entity}, {time}) rows, e.g. {dup}; lags need one row per entity and period.")
    tvals = df[time]
    if pd.api.types.is_integer_dtype(tvals) or (
        pd.api.types.is_float_dtype(tvals) and np.allclose(tvals.to_numpy(dtype=float), np.round(tvals.to_numpy(dtype=float)))
    ):
        lo, hi = int(tvals.min()), int(tvals.max())
        periods = pd.Index(np.arange(lo, hi + 1), name=time)
        keys_time = tvals.astype("int64").to_numpy()
    else:
        periods = pd.Index(np.sort(tvals.unique()), name=time)
        keys_time = tvals.to_numpy()
    n_periods = len(periods)
    too_long = [k for k in ks if k >= n_periods]
    if too_long:
        raise InputError(f"Lag {max(too_long)} is not smaller than the panel length ({n_periods} periods of {time!r}: {periods[0]}-{periods[-1]}); every lagged value would be missing.")
    entities = pd.Index(pd.unique(df[entity]), name=entity)
    grid = pd.MultiIndex.from_product([entities, periods], names=[entity, time])
    row_keys = pd.MultiIndex.from_arrays([df[entity].to_numpy(), keys_time], names=[entity, time])
    out = pd.DataFrame(index=df.index)
    for c in cols:
        full = pd.Series(df[c].to_numpy(), index=row_keys).reindex(grid)
        for k in ks:
            shifted = full.groupby(level=0, sort=False).shift(k)
            out[f"{prefix}{k}_{c}"] = shifted.reindex(row_keys).to_numpy()
    return out


def lagged_robustness(
    df: pd.DataFrame,
    depvar: str,
    key: str,
    controls: Sequence[str] = (),
    lags: int | Iterable[int] = (1, 2),
    *,
    fe: str | Sequence[str] | None = "year",
    entity: str = "province",
    time: str = "year",
    lag_controls: bool = False,
    **fit_kwargs: Any,
) -> list[ModelResult]:
    """Table 3: the key regressor replaced by its 1st, 2nd... lag (one model per lag).

    Lags come from :func:`lag_within` (complete entity x time grid). The first ``k`` periods
    of each entity have no lag and are dropped (counted in ``extra["n_dropped_missing"]``).
    ``lag_controls=True`` lags the controls by the same ``k``. Models are named ``"(1)"``...
    and ``extra["term_meta"]`` records ``{"L1_vag": ("lag", "vag", 1)}`` for the tables.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import lagged_robustness
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> models = lagged_robustness(df, "sl", "vag", ["ln_gdp_pc"], lags=(1, 2), warn=False)
    >>> [(m.name, m.nobs, round(m.value(f"L{k}_vag"), 4)) for k, m in enumerate(models, 1)]
    [('(1)', 360, 0.0391), ('(2)', 330, 0.0398)]
    """
    ks = _lag_list(lags)
    controls = _as_list(controls)
    require_columns(df, [depvar, key, *controls], what="column")
    to_lag = [key, *controls] if lag_controls else [key]
    lagged = lag_within(df, to_lag, ks, entity=entity, time=time)
    work = df.copy()
    for c in lagged.columns:
        work[c] = lagged[c]
    out = []
    for i, k in enumerate(ks, start=1):
        lk = f"L{k}_{key}"
        ctrl = [f"L{k}_{c}" for c in controls] if lag_controls else controls
        res = fit_panel(work, depvar, [lk, *ctrl], fe=fe, entity=entity, time=time, name=f"({i})", **fit_kwargs)
        meta = {f"L{k}_{c}": ("lag", c, k) for c in to_lag}
        res.extra["term_meta"] = meta
        res.extra["lag"] = k
        res.extra["key_terms"] = [lk]
        out.append(res)
    return out


# --------------------------------------------------------------------------------------------
# moderation
# --------------------------------------------------------------------------------------------

_CENTRING_NOTE = {
    "en": (
        "Mean-centring {key} and {mod} (over the estimation sample) before forming the product "
        "{key}×{mod} leaves the interaction coefficient, its standard error, t statistic and "
        "p-value unchanged, and so are the fit (R², residuals), the control coefficients and "
        "the fixed effects. It changes the main effects: the coefficient of {key} becomes its "
        "effect at the mean of {mod} (b_{key} + b_int·mean({mod})) and that of {mod} the effect "
        "at the mean of {key}, with different standard errors; the constant changes as well "
        "(the prediction at the means)."
    ),
    "zh": (
        "对{key}和{mod}在估计样本内做均值中心化后再构造交互项{key}×{mod}：交互项系数及其标准误、"
        "t值和p值不变，拟合优度、残差、控制变量系数和固定效应也不变；改变的是主效应——"
        "{key}的系数变为{mod}取均值时{key}的效应（b_{key} + b_交互·{mod}均值），"
        "{mod}的系数变为{key}取均值时的效应，其标准误随之改变；常数项也随之改变。"
    ),
}


def centring_note(key: str = "X", moderator: str = "M", lang: str = "en") -> str:
    """What mean-centring changes in a moderation model (English or Chinese).

    Examples
    --------
    >>> from exportlens.econometrics import centring_note
    >>> print(centring_note("vag", "rd_intensity"))
    Mean-centring vag and rd_intensity (over the estimation sample) ... (the prediction at the means).
    >>> centring_note(lang="zh")[:12]
    '对X和M在估计样本内做均'
    """
    if lang not in _CENTRING_NOTE:
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    return _CENTRING_NOTE[lang].format(key=key, mod=moderator)


def moderation(
    df: pd.DataFrame,
    depvar: str,
    key: str,
    moderator: str,
    controls: Sequence[str] = (),
    *,
    center: bool = False,
    fe: str | Sequence[str] | None = "year",
    name: str | None = None,
    **fit_kwargs: Any,
) -> ModelResult:
    """Moderation model ``depvar ~ key + moderator + key:moderator + controls | fe``.

    With ``center=True`` both ``key`` and ``moderator`` are mean-centred over the estimation
    sample (the rows the raw model uses, after missing values and singletons) before the
    product is formed; the coefficient names stay ``key``, ``moderator`` and
    ``key:moderator`` so raw and centred fits line up in one table.

    What centring changes (see :func:`centring_note`, also stored in
    ``extra["centring_note"]``): the interaction coefficient and its SE are identical; the
    main effects change - each becomes the effect at the mean of the other variable - and the
    constant changes. ``extra["centering"]`` holds the means used.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import moderation
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> raw = moderation(df, "sl", "vag", "rd_intensity", ["ln_gdp_pc"])
    >>> centred = moderation(df, "sl", "vag", "rd_intensity", ["ln_gdp_pc"], center=True)
    >>> terms = ["vag", "rd_intensity", "vag:rd_intensity"]
    >>> raw.coefs.loc[terms, "estimate"].round(4).tolist()
    [0.0139, -0.0013, 0.0148]
    >>> centred.coefs.loc[terms, "estimate"].round(4).tolist()
    [0.0502, 0.01, 0.0148]
    >>> # centred main effect = raw effect at the mean of the moderator
    >>> mean_rd = centred.extra["centering"]["means"]["rd_intensity"]
    >>> round(raw.value("vag") + raw.value("vag:rd_intensity") * mean_rd, 4)
    0.0502
    """
    require_columns(df, [key], what="key regressor")
    require_columns(df, [moderator], what="moderator")
    controls = _as_list(controls)
    if moderator == key:
        raise InputError("The moderator must differ from the key regressor.")
    regs = [key, moderator, f"{key}:{moderator}", *controls]
    if not center:
        res = fit_panel(df, depvar, regs, fe=fe, name=name, **fit_kwargs)
        res.extra["centering"] = {"centered": False, "means": None}
        res.extra["centring_note"] = centring_note(key, moderator)
        res.extra["interaction"] = f"{key}:{moderator}"
        res.extra["key_terms"] = [key, moderator, f"{key}:{moderator}"]
        return res
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DroppedRowsWarning)
        raw = fit_panel(df, depvar, regs, fe=fe, **{**fit_kwargs, "wild_bootstrap": None})
    return _centred_fit(df, depvar, key, moderator, regs, raw, fe=fe, name=name, **fit_kwargs)


def _centred_fit(df, depvar, key, moderator, regs, raw, *, fe, name, **fit_kwargs) -> ModelResult:
    sample = raw.extra["sample"]
    means = {c: float(df.loc[sample, c].astype(float).mean()) for c in (key, moderator)}
    work = df.copy()
    for c, m in means.items():
        work[c] = work[c].astype(float) - m
    res = fit_panel(work, depvar, regs, fe=fe, name=name, **fit_kwargs)
    res.extra["centering"] = {"centered": True, "means": means}
    res.extra["centring_note"] = centring_note(key, moderator)
    res.extra["interaction"] = f"{key}:{moderator}"
    res.extra["key_terms"] = [key, moderator, f"{key}:{moderator}"]
    return res


@dataclass
class ModerationResult:
    """Raw and mean-centred fits of the same moderation model.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import moderation_pair
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> pair = moderation_pair(df, "sl", "vag", "rd_intensity")
    >>> pair.interaction
    'vag:rd_intensity'
    >>> [r.name for r in pair.results]
    ['raw', 'centred']
    >>> {k: round(v, 3) for k, v in pair.means.items()}
    {'vag': 0.766, 'rd_intensity': 2.453}
    """

    raw: ModelResult
    centred: ModelResult
    key: str
    moderator: str
    means: dict[str, float]

    @property
    def results(self) -> list[ModelResult]:
        return [self.raw, self.centred]

    @property
    def interaction(self) -> str:
        return f"{self.key}:{self.moderator}"

    def centring_note(self, lang: str = "en") -> str:
        """Which coefficients centring changes (and which it does not)."""
        return centring_note(self.key, self.moderator, lang)

    def comparison(self) -> pd.DataFrame:
        """Estimates and SEs side by side with a flag ``changed`` per term."""
        import pandas as pd

        a = self.raw.coefs[["estimate", "std_error"]].add_prefix("raw_")
        b = self.centred.coefs[["estimate", "std_error"]].add_prefix("centred_")
        out = pd.concat([a, b], axis=1)
        scale = np.maximum(1.0, np.abs(out[["raw_estimate", "centred_estimate"]]).max(axis=1))
        out["changed"] = (
            (np.abs(out["raw_estimate"] - out["centred_estimate"]) > 1e-8 * scale)
            | (np.abs(out["raw_std_error"] - out["centred_std_error"]) > 1e-8 * scale)
        )
        return out


def moderation_pair(
    df: pd.DataFrame,
    depvar: str,
    key: str,
    moderator: str,
    controls: Sequence[str] = (),
    *,
    fe: str | Sequence[str] | None = "year",
    **fit_kwargs: Any,
) -> ModerationResult:
    """Fit the moderation model raw (name ``"raw"``) and mean-centred (``"centred"``).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import moderation_pair
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> pair = moderation_pair(df, "sl", "vag", "rd_intensity", ["ln_gdp_pc"])
    >>> pair.comparison()[["raw_estimate", "centred_estimate", "changed"]].round(4)
                      raw_estimate  centred_estimate  changed
    term
    vag                     0.0139            0.0502     True
    rd_intensity           -0.0013            0.0100     True
    ln_gdp_pc               0.0032            0.0032    False
    vag:rd_intensity        0.0148            0.0148    False
    """
    raw = moderation(df, depvar, key, moderator, controls, center=False, fe=fe, name="raw", **fit_kwargs)
    controls = _as_list(controls)
    regs = [key, moderator, f"{key}:{moderator}", *controls]
    cen = _centred_fit(df, depvar, key, moderator, regs, raw, fe=fe, name="centred", **fit_kwargs)
    return ModerationResult(raw=raw, centred=cen, key=key, moderator=moderator, means=cen.extra["centering"]["means"])


# --------------------------------------------------------------------------------------------
# heterogeneity
# --------------------------------------------------------------------------------------------


def _group_levels(df: pd.DataFrame, group: str, order: Sequence[Any] | None) -> list[Any]:
    present = [v for v in df[group].dropna().unique()]
    if order is None:
        try:
            return sorted(present)
        except TypeError:
            return present
    unknown = [v for v in order if v not in set(present)]
    if unknown:
        raise InputError(f"Group value(s) {unknown} of order= are not in column {group!r}; values: {present}.")
    return list(order)


def heterogeneity(
    df: pd.DataFrame,
    depvar: str,
    key: str | Sequence[str],
    controls: Sequence[str] = (),
    *,
    group: str,
    order: Sequence[Any] | None = None,
    fe: str | Sequence[str] | None = "year",
    **fit_kwargs: Any,
) -> dict[Any, ModelResult]:
    """The same model fitted separately in each group (e.g. East / Central / West).

    Returns ``{group value: ModelResult}`` in ``order`` (default: sorted values); each result
    is named ``str(value)`` and carries ``extra["group"]`` / ``extra["group_value"]``. Rows with a
    missing group are not used by any model.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import heterogeneity
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> from exportlens.regions import assign_group
    >>> df["belt"] = assign_group(df["code"], "coastal")
    >>> fits = heterogeneity(df, "sl", "vag", ["ln_gdp_pc"], group="belt")
    >>> {g: (m.nobs, round(m.value("vag"), 4)) for g, m in fits.items()}
    {'coastal': (143, 0.0711), 'inland': (247, 0.0364)}
    """
    require_columns(df, [group], what="group column")
    levels = _group_levels(df, group, order)
    if not levels:
        raise InputError(f"Group column {group!r} has no non-missing values.")
    out: dict[Any, ModelResult] = {}
    for g in levels:
        sub = df.loc[df[group] == g]
        try:
            res = fit_panel(sub, depvar, [*_as_list(key), *_as_list(controls)], fe=fe, name=str(g), **fit_kwargs)
        except MissingColumnError:
            raise
        except InputError as exc:
            raise InputError(f"Group {group}={g!r} ({len(sub)} rows): {exc}") from exc
        res.extra["group"] = group
        res.extra["group_value"] = g
        res.extra["key_terms"] = _as_list(key)
        out[g] = res
    return out


def _slug(value: Any) -> str:
    s = re.sub(r"\W+", "_", str(value)).strip("_")
    return s or "g"


def group_interactions(
    df: pd.DataFrame,
    depvar: str,
    key: str,
    controls: Sequence[str] = (),
    *,
    group: str,
    reference: Any = None,
    order: Sequence[Any] | None = None,
    fe: str | Sequence[str] | None = "year",
    name: str | None = None,
    **fit_kwargs: Any,
) -> ModelResult:
    """One pooled model with ``key`` interacted with group dummies.

    ``depvar ~ key + key×D_g (g ≠ reference) + D_g + controls | fe``: the coefficient of
    ``key`` is the effect in the ``reference`` group (default: the first group in ``order`` /
    sorted order) and ``key_x_<g>`` the difference of group ``g`` from it (test of equal
    slopes). Group dummies ``D_<g>`` are left out when the group is constant within the
    levels of a fixed effect (e.g. regions within province FE): they would be collinear.
    ``extra["term_meta"]`` maps the generated names to ``("interaction", key, group value)``.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import group_interactions
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> from exportlens.regions import assign_group
    >>> df["belt"] = assign_group(df["code"], "coastal")
    >>> res = group_interactions(df, "sl", "vag", ["ln_gdp_pc"], group="belt")
    >>> res.coefs["estimate"].round(4)
    term
    vag             0.0607
    vag_x_inland   -0.0208
    D_inland        0.0009
    ln_gdp_pc      -0.0207
    Name: estimate, dtype: float64
    """
    require_columns(df, [key], what="key regressor")
    require_columns(df, [group], what="group column")
    controls = _as_list(controls)
    levels = _group_levels(df, group, order)
    if len(levels) < 2:
        raise InputError(f"Group column {group!r} needs at least two groups, has {levels}.")
    if reference is None:
        reference = levels[0]
    elif reference not in levels:
        raise InputError(f"reference={reference!r} is not a value of {group!r}; values: {levels}.")
    entity = fit_kwargs.get("entity", "province")
    time = fit_kwargs.get("time", "year")
    fe_cols = _resolve_fe(fe, entity, time)
    require_columns(df, [p for c in fe_cols for p in c.split("^")], what="fixed-effect column")
    nested = any(
        df.loc[df[group].notna()].groupby(c.split("^")[0], observed=True)[group].nunique().max() <= 1
        for c in fe_cols
        if "^" not in c
    )
    work = df.copy()
    missing_group = work[group].isna()
    inter_terms, dummy_terms, meta = [], [], {}
    used_names = set(work.columns)
    for g in levels:
        if g == reference:
            continue
        base = _slug(g)
        d_name, i_name = f"D_{base}", f"{key}_x_{base}"
        while d_name in used_names or i_name in used_names:
            base += "_"
            d_name, i_name = f"D_{base}", f"{key}_x_{base}"
        used_names.update({d_name, i_name})
        dummy = (work[group] == g).astype(float)
        dummy[missing_group] = np.nan
        work[d_name] = dummy
        work[i_name] = dummy * work[key].astype(float)
        inter_terms.append(i_name)
        dummy_terms.append(d_name)
        meta[i_name] = ("interaction", key, g)
        meta[d_name] = ("dummy", group, g)
    regs = [key, *inter_terms, *([] if nested else dummy_terms), *controls]
    res = fit_panel(work, depvar, regs, fe=fe, name=name, **fit_kwargs)
    res.extra["term_meta"] = meta
    res.extra["key_terms"] = [key, *inter_terms]
    res.extra["group"] = group
    res.extra["reference"] = reference
    res.extra["group_levels"] = levels
    if nested:
        res.extra["notes"].append(f"Group dummies for {group!r} omitted: absorbed by the fixed effects.")
    return res
