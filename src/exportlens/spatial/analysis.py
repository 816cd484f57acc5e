"""One-call spillover analysis: SDM (+ SAR, SEM), effects, specification tests, Moran's I, LISA.

This is the integration point for the studies (e.g. a ``[spatial]`` section of the
resilience study): :func:`spillover_analysis` fits the models on one long panel and
:func:`exportlens.report.spatial_tables.spillover_tables` renders the publication tables in Chinese or English.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exportlens.errors import InputError
from exportlens.spatial.logdet import log_determinant
from exportlens.spatial.moran import (
    LocalMoranResult,
    MoranResult,
    local_moran_panel,
    moran_by_period,
)
from exportlens.spatial.panel_models import (
    MODELS,
    SpatialPanelResult,
    SpatialTests,
    fit_spatial_panel,
    specification_tests,
)
from exportlens.spatial.weights import SpatialWeights

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["SpilloverAnalysis", "spillover_analysis"]


@dataclass
class SpilloverAnalysis:
    """Results of :func:`spillover_analysis`.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import inverse_distance_weights, spillover_analysis
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> res = spillover_analysis(df, "sl", ["vag"], weights=w, models=("sdm",), draws=100,
    ...                          permutations=99)
    >>> round(res.sdm.rho, 4), res.lisa.variable
    (0.0591, 'sl')
    >>> print(res.summary())
    SDM panel, twoway fixed effects, Lee-Yu bias-corrected ML; y = sl; N = 30, T = 13; ...
    Specification tests of the SDM
    ...
    Global Moran's I of sl (inverse_distance weights)
    ...
    Local Moran (LISA) of sl: alpha 0.05, 99 permutations; clusters: HH 0, LH 0, LL 0, HL 1, ns 29
    <BLANKLINE>
    W: inverse_distance (30 regions); fixed effects: twoway; Lee-Yu correction: True
    """

    models: dict[str, SpatialPanelResult]
    tests: SpatialTests | None
    moran: dict[str, MoranResult]
    lisa: LocalMoranResult | None
    weights: SpatialWeights
    notes: list[str] = field(default_factory=list)

    @property
    def sdm(self) -> SpatialPanelResult | None:
        return self.models.get("sdm")

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficients of every model and the effects (``term`` = variable:effect)."""
        import pandas as pd

        parts = [r.to_frame() for r in self.models.values()]
        for r in self.models.values():
            if r.effects is not None:
                e = r.effects.frame.reset_index()
                e["term"] = e["variable"] + ":" + e["effect"]
                e = e.drop(columns=["variable", "effect"])
                e.insert(0, "model", r.model.upper() + " effects")
                e["fe"], e["bias_correction"] = r.fe, r.bias_correction
                parts.append(e)
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> str:
        parts = [r.summary() for r in self.models.values()]
        if self.tests is not None:
            parts.append(self.tests.summary())
        parts += [m.summary() for m in self.moran.values()]
        if self.lisa is not None:
            parts.append(self.lisa.summary())
        return "\n\n".join(parts + self.notes)


def spillover_analysis(
    frame: pd.DataFrame,
    y: str,
    x: Sequence[str],
    controls: Sequence[str] = (),
    *,
    weights: SpatialWeights,
    fe: str = "twoway",
    region: str = "code",
    time: str = "year",
    models: Sequence[str] = ("sdm", "sar", "sem"),
    wx: Sequence[str] | None = None,
    bias_correction: bool = True,
    draws: int = 1000,
    seed: int = 0,
    moran_variables: Sequence[str] | None = None,
    permutations: int = 999,
    lisa_period: Hashable | None = None,
    logdet_method: str = "auto",
) -> SpilloverAnalysis:
    """Fit spatial panel models of ``y`` on ``x`` + ``controls`` and explore spatial dependence.

    Parameters
    ----------
    frame : DataFrame
        Long balanced panel, one row per region and period.
    y, x, controls : str, list of str
        Dependent variable, main regressors (e.g. ``["vag"]``) and controls; all enter X.
    weights : SpatialWeights
        Row-standardised W over exactly the panel's regions.
    fe : {"unit", "time", "twoway"}
    models : subset of ("sdm", "sar", "sem")
        Models to fit; with "sdm", the Wald tests (and LR tests against the other models
        fitted) are added.
    wx : list of str, optional
        Regressors with a W x term in the SDM (default: all of x + controls).
    draws, seed : int
        Simulation draws and seed for the effects' standard errors.
    moran_variables : list of str, optional
        Variables for the global Moran's I by period (default: y and x).
    permutations : int
        Permutations for Moran's I and LISA.
    lisa_period : optional
        Period for the local Moran (LISA) clusters (default: the last period).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import inverse_distance_weights, spillover_analysis
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> res = spillover_analysis(df, "sl", ["vag"], ["ln_gdp_pc"], weights=w, draws=100,
    ...                          permutations=99)
    >>> sorted(res.models), sorted(res.moran)
    (['sar', 'sdm', 'sem'], ['sl', 'vag'])
    >>> res.to_frame()[["model", "term", "estimate", "p"]].round(4).head(3)
      model       term  estimate       p
    0   SDM        vag   -0.0464  0.4306
    1   SDM  ln_gdp_pc    0.0794  0.4805
    2   SDM      W*vag    0.5609  0.0644
    """
    regressors = [*x, *controls]
    if not regressors:
        raise InputError("Give at least one regressor in x or controls.")
    bad = [m for m in models if m not in MODELS]
    if bad or not models:
        raise InputError(f"Unknown spatial model(s) {bad}; choose from {MODELS}.")
    ld = log_determinant(weights, method=logdet_method)  # type: ignore[arg-type]
    fitted: dict[str, SpatialPanelResult] = {}
    for m in models:
        fitted[m] = fit_spatial_panel(frame, y, regressors, weights=weights, model=m, fe=fe, region=region,  # type: ignore[arg-type]
                                      time=time, wx=wx, bias_correction=bias_correction, logdet=ld,
                                      draws=draws, seed=seed)
    tests = specification_tests(fitted["sdm"], fitted.get("sar"), fitted.get("sem") if wx is None else None) if "sdm" in fitted else None
    mvars = list(moran_variables) if moran_variables is not None else [y, *x]
    moran = {v: moran_by_period(frame, v, weights, region=region, time=time, permutations=permutations, seed=seed)
             for v in mvars}
    period = lisa_period if lisa_period is not None else max(frame[time].unique())
    lisa = local_moran_panel(frame, y, weights, period, region=region, time=time, permutations=permutations, seed=seed)
    notes = [f"W: {weights.kind} ({weights.n} regions); fixed effects: {fe}; Lee-Yu correction: {bias_correction}"]
    return SpilloverAnalysis(fitted, tests, moran, lisa, weights, notes)
