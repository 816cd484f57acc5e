"""Export spells of firms: Kaplan-Meier survival curves and Cox proportional hazards.

A spell is a run of consecutive years in which a firm exports (E_ft > 0). Its ``duration``
is the number of years in the run; it ends in an exit (``event = 1``) when the firm does not
export in the year after its last year and that year is within the data, and is
right-censored (``event = 0``) when it reaches the last year of the data. Spells already
running in the first year of the data are left-censored (their start is unknown); they are
kept out of the survival analysis and counted (``left_censored``), as in Besedeš & Prusa
(2006, Journal of International Economics 70(2)).

- Kaplan-Meier (Kaplan & Meier 1958, JASA 53(282)): Ŝ(t) = Π_{t_i ≤ t} (1 − d_i / n_i), with
  d_i exits at duration t_i and n_i spells at risk (duration ≥ t_i), by group
  (:func:`kaplan_meier`); computed with pandas/numpy and tested equal to lifelines'
  ``KaplanMeierFitter``.
- Cox proportional hazards (Cox 1972, JRSS B 34(2)): λ(t | x) = λ_0(t) exp(β'x), by lifelines'
  ``CoxPHFitter`` (Efron ties; robust standard errors clustered by province), as an option for
  spells that fit in memory (:func:`fit_cox`; ``pip install 'exportlens[survival]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError, MissingDependencyError
from exportlens.validation import require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["export_spells", "fit_cox", "kaplan_meier"]


def export_spells(frame: pd.DataFrame, *, carry: Sequence[str] = ()) -> pd.DataFrame:
    """One row per export spell of ``frame`` (firm-years with ``firm``, ``year``, ``exports``).

    Columns: ``firm``, ``start``, ``end`` (first and last exporting year), ``duration`` (years),
    ``event`` (1: exit observed), ``left_censored`` (the spell runs in the data's first year)
    and the ``carry`` columns at the spell's first year (e.g. ``code``, ``vag``).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.econometrics.firm_survival import export_spells
    >>> f = pd.DataFrame({"firm": [1, 1, 1, 1, 2, 2], "year": [2005, 2006, 2007, 2008, 2007, 2008],
    ...                   "exports": [0.0, 3.0, 4.0, 0.0, 1.0, 2.0]})
    >>> export_spells(f)[["firm", "start", "duration", "event", "left_censored"]].values.tolist()
    [[1, 2006, 2, 1, False], [2, 2007, 2, 0, False]]
    """
    import pandas as pd

    require_columns(frame, ["firm", "year", "exports", *carry], where="the firm-year table")
    f = frame.sort_values(["firm", "year"], kind="mergesort").reset_index(drop=True)
    first, last = int(f["year"].min()), int(f["year"].max())
    f = f[f["exports"].to_numpy() > 0].reset_index(drop=True)
    firm, year = f["firm"].to_numpy(), f["year"].to_numpy()
    new = np.r_[True, (firm[1:] != firm[:-1]) | (year[1:] != year[:-1] + 1)]
    spell = np.cumsum(new) - 1
    g = pd.DataFrame({"spell": spell, "year": year})
    agg = g.groupby("spell", sort=True)["year"].agg(["min", "max", "size"])
    heads = f.loc[new, ["firm", *carry]].reset_index(drop=True)
    out = pd.DataFrame({"firm": heads["firm"].to_numpy(), "start": agg["min"].to_numpy(),
                        "end": agg["max"].to_numpy(), "duration": agg["size"].to_numpy()})
    out["event"] = (out["end"] < last).astype("int64")
    out["left_censored"] = out["start"] == first
    for c in carry:
        out[c] = heads[c].to_numpy()
    return out


def kaplan_meier(spells: pd.DataFrame, *, group: str | None = None) -> pd.DataFrame:
    """Kaplan-Meier survival of spells (module docstring) by ``group`` (None: all spells).

    Returns one row per group and distinct duration: ``group``, ``duration`` (t_i),
    ``at_risk`` (n_i), ``exits`` (d_i), ``survival`` Ŝ(t_i), starting with Ŝ(0) = 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.econometrics.firm_survival import kaplan_meier
    >>> s = pd.DataFrame({"duration": [1, 2, 2, 3], "event": [1, 1, 0, 0]})
    >>> kaplan_meier(s)["survival"].round(3).tolist()
    [1.0, 0.75, 0.5, 0.5]
    """
    import pandas as pd

    require_columns(spells, ["duration", "event", *([group] if group else [])], where="the export spells")
    parts = []
    groups = spells.groupby(group, sort=True, observed=True) if group else [("all", spells)]
    for key, s in groups:
        d = s["duration"].to_numpy()
        e = s["event"].to_numpy().astype(bool)
        times = np.unique(d)
        exits = np.bincount(np.searchsorted(times, d[e]), minlength=len(times))
        at_risk = len(d) - np.r_[0, np.cumsum(np.bincount(np.searchsorted(times, d), minlength=len(times)))[:-1]]
        surv = np.cumprod(1.0 - exits / at_risk)
        parts.append(pd.DataFrame({"group": key, "duration": np.r_[0, times], "at_risk": np.r_[len(d), at_risk],
                                   "exits": np.r_[0, exits], "survival": np.r_[1.0, surv]}))
    if not parts:
        raise InputError("There are no export spells to estimate survival from.")
    return pd.concat(parts, ignore_index=True)


def fit_cox(
    spells: pd.DataFrame,
    covariates: Sequence[str],
    *,
    cluster: str | None = "code",
    strata: Sequence[str] | None = None,
    name: str = "exit (Cox PH)",
) -> ModelResult:
    """Cox proportional hazards of spell ``duration`` and ``event`` on ``covariates`` by lifelines
    ``CoxPHFitter`` (Efron ties), robust standard errors clustered by ``cluster`` (None: the
    model-based ones); ``strata``: baseline hazards by stratum (e.g. the start year).
    Coefficients are log hazard ratios (negative: longer spells).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from exportlens.econometrics.firm_survival import fit_cox
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(size=3000)
    >>> t = np.ceil(rng.exponential(1 / (0.3 * np.exp(-0.8 * x))))
    >>> s = pd.DataFrame({"duration": np.minimum(t, 8), "event": (t <= 8).astype(int), "vag": x})
    >>> print(round(fit_cox(s, ["vag"], cluster=None).value("vag"), 1))
    -0.8
    """
    try:
        from lifelines import CoxPHFitter
    except ImportError:
        raise MissingDependencyError("Cox proportional hazards needs lifelines: pip install 'exportlens[survival]' "
                                     "(or set [models] cox = false).") from None
    import pandas as pd

    cols = ["duration", "event", *covariates, *([cluster] if cluster else []), *(strata or [])]
    require_columns(spells, cols, where="the export spells")
    data = spells[list(dict.fromkeys(cols))].dropna()
    if data.empty or int(data["event"].sum()) == 0:
        raise InputError("No export spell ends in an exit: the Cox model has nothing to estimate.")
    cph = CoxPHFitter()
    cph.fit(data, duration_col="duration", event_col="event", cluster_col=cluster, strata=list(strata or []) or None,
            robust=cluster is not None)
    sm = cph.summary
    coefs = pd.DataFrame({
        "estimate": sm["coef"].to_numpy(dtype=float), "std_error": sm["se(coef)"].to_numpy(dtype=float),
        "t_stat": sm["z"].to_numpy(dtype=float), "p_value": sm["p"].to_numpy(dtype=float),
        "ci_low": sm["coef lower 95%"].to_numpy(dtype=float), "ci_high": sm["coef upper 95%"].to_numpy(dtype=float),
    }, index=pd.Index([str(c) for c in sm.index], name="term"))
    return ModelResult(name=name, depvar="exit", coefs=coefs, nobs=len(data), r2=float("nan"), adj_r2=float("nan"),
                       fixed_effects=list(strata or []), vcov=f"CRV1:{cluster}" if cluster else "iid",
                       formula=f"Cox PH: duration, event ~ {' + '.join(covariates)}",
                       extra={"family": "cox", "events": int(data["event"].sum()), "model_type": "lifelines"},
                       model=cph)
