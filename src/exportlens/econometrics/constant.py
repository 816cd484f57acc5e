"""The constant of a fixed-effects regression as Stata's ``reghdfe``/``xtreg, fe`` report it.

A model with absorbed fixed effects has no intercept of its own; Stata nevertheless prints a
``_cons`` row: the intercept of the regression on the within-transformed data with the grand
means added back,

    y~_it = y_it - ybar_g(it) + ybar,    x~_it = x_it - xbar_g(it) + xbar,
    y~ = a + x~'b + e,

whose slope b equals the fixed-effects estimate and whose intercept is

    a = ybar - xbar'b

(Gould 2013, "How can there be an intercept in the fixed-effects model estimated by xtreg,
fe?", Stata FAQ; Correia 2017, reghdfe documentation). Published Chinese panel studies report
this ``_cons`` in every column, so the resilience study offers it (``[tables] constant``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError


def _demean(values: np.ndarray, groups: list[np.ndarray], *, tol: float = 1e-12, max_iter: int = 1000) -> np.ndarray:
    """Within transformation by alternating projections over one or more group codes."""
    out = values - values.mean(axis=0)
    for _ in range(max_iter):
        before = out.copy()
        for g in groups:
            sums = np.zeros((g.max() + 1, out.shape[1]))
            np.add.at(sums, g, out)
            counts = np.bincount(g, minlength=g.max() + 1)[:, None]
            out = out - (sums / counts)[g]
        if np.max(np.abs(out - before)) < tol:
            break
    return out


def fe_constant(
    frame: pd.DataFrame,
    result: ModelResult,
    depvar: str,
    regressors: Sequence[str],
    fe_columns: Sequence[str],
    cluster: str | None = None,
) -> tuple[float, float]:
    """``(estimate, std_error)`` of reghdfe's ``_cons`` for a fitted fixed-effects model.

    ``frame`` holds the model's data; the rows of ``result.extra["sample"]`` are used. The
    standard error is the cluster-robust (CRV1, by ``cluster``) or, without ``cluster``,
    heteroskedasticity-robust standard error of the intercept of the mean-restored within
    regression, with the small-sample factor G/(G-1)·(N-1)/(N-K) (K counting the slopes, the
    intercept and the absorbed effects not nested in the clusters).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import fe_constant, fit_panel
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> res = fit_panel(df, "sl", ["vag"], fe="twoway", vcov="cluster")
    >>> est, se = fe_constant(df, res, "sl", ["vag"], ["province", "year"], cluster="province")
    >>> round(est, 4), round(se, 4)
    (-0.0202, 0.0241)
    >>> # the constant is the mean-restored intercept: mean(y) - b mean(x) over the sample
    >>> round(float(df["sl"].mean() - res.value("vag") * df["vag"].mean()), 4)
    -0.0202
    """
    sample = result.extra.get("sample")
    if sample is None:
        raise InputError("The model keeps no estimation sample; fit it with exportlens.econometrics.fit_panel.")
    data = frame.loc[sample]
    names = list(regressors)
    if any(":" in n for n in names):
        for n in names:
            if ":" in n and n not in data:
                a, b = n.split(":", 1)
                data = data.assign(**{n: data[a] * data[b]})
    y = data[[depvar]].to_numpy(float)
    x = data[names].to_numpy(float)
    groups = [pd.factorize(data[c])[0] for c in fe_columns]
    yx = np.column_stack([y, x])
    restored = _demean(yx, groups) + yx.mean(axis=0)
    z = np.column_stack([np.ones(len(data)), restored[:, 1:]])
    coef, *_ = np.linalg.lstsq(z, restored[:, 0], rcond=None)
    resid = restored[:, 0] - z @ coef
    n, k_slopes = z.shape
    bread = np.linalg.inv(z.T @ z)
    if cluster is not None:
        codes = pd.factorize(data[cluster])[0]
        scores = np.zeros((codes.max() + 1, k_slopes))
        np.add.at(scores, codes, z * resid[:, None])
        n_groups = codes.max() + 1
        nested = [c for c in fe_columns if data.groupby(c)[cluster].nunique().max() == 1]
        absorbed = sum(int(data[c].nunique()) - 1 for c in fe_columns if c not in nested)
        factor = n_groups / (n_groups - 1) * (n - 1) / (n - k_slopes - absorbed)
    else:
        scores = z * resid[:, None]
        absorbed = sum(int(data[c].nunique()) - 1 for c in fe_columns)
        factor = n / (n - k_slopes - absorbed)
    meat = scores.T @ scores
    vcov = factor * bread @ meat @ bread
    return float(coef[0]), float(np.sqrt(vcov[0, 0]))
