"""The resilience study's identification, robustness and spillover analyses (Tables 6-11).

What a referee asks of the virtual-agglomeration study, each switched on in the study file:

* ``[iv]`` instruments: 2SLS with the study's fixed effects and clustered SEs, first-stage
  diagnostics (Table 6; :func:`exportlens.econometrics.fit_iv`);
* ``[mediation]`` mechanisms: total, a, b and direct effects, a x b with a province
  bootstrap CI and the Sobel test (Table 7; :func:`exportlens.econometrics.mediation`);
* ``[threshold]`` Hansen (1999) panel thresholds in a named variable with bootstrap tests and
  LR confidence intervals (Table 8; :func:`exportlens.econometrics.threshold_regression`);
* ``[robustness]`` the Vag coefficient across other definitions of SL and Vag, samples,
  controls and fixed effects, with a specification curve (Table 9, on by default);
* ``[spatial]`` SDM/SAR/SEM spillovers of Vag with LeSage-Pace effects, and Moran's I of SL
  and Vag by year (Tables 10-11; :func:`exportlens.spatial.spillover_analysis`).

Typical instruments of this literature (documented, not chosen for the user): a historical
telecom/post endowment (e.g. fixed telephones or post offices per capita in 1984) interacted
with a time-varying national series (internet users) - valid if the 1984 endowment affects
today's export resilience only through the digital economy; the spatial lag of neighbours'
Vag - valid if neighbours' digital employment does not affect the province's exports directly
(doubtful when spillovers are the point); lagged Vag - valid only without serially correlated
shocks. Each assumption is the user's to defend; the notes of the run repeat it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exportlens.econometrics import (
    IVResult,
    MediationResult,
    ModelResult,
    SpecificationResults,
    ThresholdResult,
    fit_iv,
    fit_panel,
    lag_within,
    mediation,
    run_specifications,
    threshold_regression,
)
from exportlens.econometrics.robustness import Specification
from exportlens.errors import InputError
from exportlens.report.figures_identification import lr_curve, specification_curve
from exportlens.report.figures_spatial import spillover_figures
from exportlens.report.identification_tables import (
    iv_tables,
    mediation_tables,
    robustness_table,
    threshold_tables,
)
from exportlens.report.spatial_tables import spillover_tables
from exportlens.spatial import (
    SpilloverAnalysis,
    contiguity_weights,
    economic_distance_weights,
    inverse_distance_weights,
    knn_weights,
    spillover_analysis,
)
from exportlens.text import localized

__all__ = ["ROBUSTNESS_SPECIFICATIONS", "Extensions", "run_extensions"]

MUNICIPALITIES = (110000, 120000, 310000, 500000)

#: The robustness specifications a study file may list in ``[robustness] specifications``.
ROBUSTNESS_SPECIFICATIONS: dict[str, dict[str, str]] = {
    "baseline": {"en": "baseline (Table 2, all controls)", "zh": "基准（表2全部控制变量）"},
    "sl_k2": {"en": "SL over 2 years (k = 2)", "zh": "SL跨度2年（k=2）"},
    "sl_k3": {"en": "SL over 3 years (k = 3)", "zh": "SL跨度3年（k=3）"},
    "theta2": {"en": "Vag with distance decay theta = 2", "zh": "Vag距离衰减θ=2"},
    "unit_100km": {"en": "Vag with distances in 100 km", "zh": "Vag距离单位100公里"},
    "unit_1000km": {"en": "Vag with distances in 1000 km", "zh": "Vag距离单位1000公里"},
    "economic_weights": {"en": "Vag with economic-distance weights", "zh": "Vag经济距离权重"},
    "no_municipalities": {"en": "without the four municipalities", "zh": "剔除四个直辖市"},
    "winsorise": {"en": "SL and Vag winsorised at 1/99 %", "zh": "SL与Vag在1%/99%缩尾"},
    "lagged_controls": {"en": "controls lagged one year", "zh": "控制变量滞后一期"},
    "twoway_fe": {"en": "province and year fixed effects", "zh": "省份与年份双向固定效应"},
}

TEXT = {
    "zh": {"table6": "表6", "table7": "表7", "table8": "表8", "table9": "表9", "table10": "表10", "table11": "表11",
           "skipped": "稳健性设定 {name} 未估计：{why}"},
    "en": {"table6": "Table 6", "table7": "Table 7", "table8": "Table 8", "table9": "Table 9", "table10": "Table 10",
           "table11": "Table 11", "skipped": "Robustness specification {name} not estimated: {why}"},
}

IV_NOTE = ("Instruments: exclusion (they affect export resilience only through Vag) and relevance are assumptions "
           "the user must defend; the first-stage table reports relevance (Kleibergen-Paap rk Wald F, effective F "
           "against the Montiel Olea-Pflueger and Stock-Yogo critical values), exclusion cannot be tested with one "
           "instrument and only partly (Hansen J) with several.")


@dataclass
class Extensions:
    """Results of the optional analyses (None where the study file leaves them off)."""

    iv: IVResult | None = None
    mediation: MediationResult | None = None
    threshold: ThresholdResult | None = None
    robustness: SpecificationResults | None = None
    spatial: SpilloverAnalysis | None = None
    notes: list[str] = field(default_factory=list)

    def tables(self, lang: str, labels: Mapping[str, str]) -> dict[str, Any]:
        """Tables 6-11 (only those of the analyses that ran), numbered in ``lang``."""
        text = localized(TEXT, lang)
        out: dict[str, Any] = {}

        def numbered(key: str, number: str, table: Any) -> None:
            table.title = f"{text[number]} {table.title}" if table.title else text[number]
            out[key] = table

        t: Mapping[str, Any]
        if self.iv is not None:
            t = iv_tables(self.iv, labels, lang)
            numbered("table6", "table6", t["iv_second_stage"])
            numbered("table6_first_stage", "table6", t["iv_first_stage"])
        if self.mediation is not None:
            t = mediation_tables(self.mediation, labels, lang)
            numbered("table7", "table7", t["mediation_effects"])
            numbered("table7_models", "table7", t["mediation_models"])
        if self.threshold is not None:
            t = threshold_tables(self.threshold, labels, lang)
            numbered("table8", "table8", t["threshold_tests"])
            numbered("table8_estimates", "table8", t["threshold_estimates"])
            numbered("table8_model", "table8", t["threshold_model"])
        if self.robustness is not None:
            numbered("table9", "table9", robustness_table(self.robustness, labels, lang))
        if self.spatial is not None:
            t = spillover_tables(self.spatial, lang, labels)
            numbered("table10", "table10", t["spatial_effects"] if "spatial_effects" in t else t["spatial_models"])
            numbered("table10_models", "table10", t["spatial_models"])
            if "spatial_tests" in t:
                numbered("table10_tests", "table10", t["spatial_tests"])
            if "moran" in t:
                numbered("table11", "table11", t["moran"])
        return out

    def data_files(self) -> dict[str, pd.DataFrame]:
        """Tidy results of every analysis that ran (CSV next to the tables)."""
        parts: dict[str, Any] = {"iv": self.iv, "mediation": self.mediation, "threshold": self.threshold,
                                 "robustness": self.robustness, "spatial": self.spatial}
        return {name: r.to_frame() for name, r in parts.items() if r is not None}

    def draw_figures(self, out_dir: Path, lang: str, labels: Mapping[str, str], key: str) -> tuple[list[Path], list[str]]:
        """LR curve of the thresholds, specification curve, Moran scatter and LISA map."""
        paths: list[Path] = []
        notes: list[str] = []
        if self.threshold is not None:
            paths.append(lr_curve(self.threshold.lr, self.threshold.thresholds, path=out_dir / "threshold_lr.png",
                                  lang=lang, threshold_label=labels.get(self.threshold.threshold_var,
                                                                        self.threshold.threshold_var)))
        if self.robustness is not None and len(self.robustness.frame) > 1:
            paths.append(specification_curve(self.robustness.frame, path=out_dir / "specification_curve.png",
                                             lang=lang, term_label=labels.get(key, key)))
        if self.spatial is not None:
            drawn, fig_notes = spillover_figures(self.spatial, out_dir, lang=lang,
                                                 variable_label=labels.get(key, key))
            paths += drawn
            notes += fig_notes
        return paths, notes

    def summary_lines(self) -> list[str]:
        """One block per analysis for ``notes.txt``."""
        blocks = []
        for title, r in (("Instruments", self.iv), ("Mediation", self.mediation), ("Threshold", self.threshold),
                         ("Robustness", self.robustness), ("Spatial spillovers", self.spatial)):
            if r is not None:
                blocks += ["", f"{title}:", r.summary()]
        return blocks


def _fe(spec: Any) -> str | None:
    return None if spec.fe == "none" else spec.fe


def _vcov(spec: Any) -> str:
    return "cluster" if spec.vcov == "cluster" else "hetero"


def _complete(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.dropna(subset=list(dict.fromkeys(columns)))


def run_extensions(data: pd.DataFrame, frame: pd.DataFrame, spec: Any,
                   prepare: Callable[..., tuple[pd.DataFrame, list[str]]],
                   step: Callable[[str], None]) -> Extensions:
    """Run the analyses the study file switches on, on the analysis frame of the study."""
    ext = Extensions()
    common = {"entity": "code", "time": spec.time}
    if spec.iv_instruments:
        step("Table 6: instruments")
        ext.iv = fit_iv(frame, spec.sl, spec.vag, list(spec.iv_instruments), exog=list(spec.controls), fe=_fe(spec),
                        vcov=_vcov(spec), **common)
        ext.notes.append(IV_NOTE)
    if spec.mediators:
        step("Table 7: mediation")
        ext.mediation = mediation(frame, spec.sl, spec.vag, list(spec.mediators), list(spec.controls), fe=_fe(spec),
                                  vcov=_vcov(spec), n_draws=spec.mediation_draws, seed=spec.mediation_seed, **common)
        ext.notes += list(ext.mediation.notes.get("en", []))
    if spec.threshold_variable:
        step("Table 8: panel threshold")
        outcome = spec.threshold_outcome or spec.sl
        used = _complete(frame, [outcome, spec.vag, spec.threshold_variable, *spec.controls])
        if len(used) < len(frame):
            ext.notes.append(f"Table 8 (threshold) uses the {len(used)} rows with {outcome}, {spec.vag}, "
                             f"{spec.threshold_variable} and the controls ({len(frame) - len(used)} rows without them "
                             "are left out; the model needs a balanced panel of what remains).")
        ext.threshold = threshold_regression(
            used, outcome, spec.vag, spec.threshold_variable, list(spec.controls), n_thresholds=spec.n_thresholds,
            time_effects=spec.fe in ("year", "twoway"), trim=spec.threshold_trim, grid=spec.threshold_grid,
            n_draws=spec.threshold_draws, seed=spec.threshold_seed, **common)
    if spec.robustness:
        step("Table 9: robustness")
        ext.robustness, skipped = _robustness(data, frame, spec, prepare)
        ext.notes += skipped
    if spec.spatial_weights != "none":
        if spec.regions_table is not None:
            raise InputError("[spatial] weights are built for the province registry; with a [regions] table set "
                             "[spatial] weights = \"none\" (spatial weights of other region sets: exportlens.spatial "
                             "from Python).")
        step("Tables 10-11: spatial spillovers")
        ext.spatial = _spatial(frame, spec)
        ext.notes += ext.spatial.notes
    return ext


# --- robustness -------------------------------------------------------------------------


def _winsorise(s: pd.Series, lower: float = 0.01, upper: float = 0.99) -> pd.Series:
    """Clip at the pooled 1st and 99th percentiles (winsorising; Dixon 1960)."""
    lo, hi = s.quantile([lower, upper])
    return s.clip(lo, hi)


def _economic_vag_weights(frame: pd.DataFrame, spec: Any) -> pd.DataFrame:
    """Vag weights w_ij = 1/|xbar_i - xbar_j| (xbar: the province mean of ``[robustness] economic_variable``),
    w_ii = the study's own weight (1 as published)."""
    w = economic_distance_weights(frame, spec.economic_variable, region="code", row_standardise=False)
    m = w.matrix.toarray() if hasattr(w.matrix, "toarray") else np.array(w.matrix, dtype=float)
    np.fill_diagonal(m, spec.self_weight if isinstance(spec.self_weight, int | float) else 1.0)
    return pd.DataFrame(m, index=list(w.regions), columns=list(w.regions))


def _robustness(data: pd.DataFrame, frame: pd.DataFrame, spec: Any,
                prepare: Callable[..., tuple[pd.DataFrame, list[str]]]) -> tuple[SpecificationResults, list[str]]:
    """Fit the Table 2 model (all controls) under every listed specification."""
    regs = [spec.vag, *spec.controls]
    base = {"entity": "code", "time": spec.time, "vcov": spec.vcov, "warn": False}

    def fit(f: pd.DataFrame, *, fe: str | None = _fe(spec), regressors: list[str] = regs) -> Callable[[], ModelResult]:
        return lambda: fit_panel(f, spec.sl, regressors, fe=fe, **base)

    def reprepared(weights: pd.DataFrame | None = None, **changes: Any) -> pd.DataFrame:
        new_frame, _ = prepare(data, spec.with_values(**changes, robustness=[], lags=[1]), vag_weights=weights)
        return new_frame

    specs: list[Specification] = []
    skipped: list[str] = []
    for name in spec.robustness:
        why = None
        if name.startswith("sl_k") and spec.resilience is not None:
            why = "SL is a precomputed column ([variables] resilience)"
        if (name.startswith(("theta", "unit_")) or name == "economic_weights") and spec.agglomeration is not None:
            why = "Vag is a precomputed column ([variables] agglomeration)"
        if name in ("economic_weights", "no_municipalities") and spec.regions_table is not None:
            why = "it is defined for the province registry, and [regions] table names another region set"
        elif name == "economic_weights" and spec.economic_variable not in frame.columns:
            why = f"[robustness] economic_variable {spec.economic_variable!r} is not in the data"
        if why:
            skipped.append(localized(TEXT, "en")["skipped"].format(name=name, why=why))
            continue
        if name == "baseline":
            f = fit(frame)
        elif name in ("sl_k2", "sl_k3"):
            f = fit(reprepared(k=int(name[-1])))
        elif name == "theta2":
            f = fit(reprepared(theta=2.0))
        elif name in ("unit_100km", "unit_1000km"):
            f = fit(reprepared(unit=name.removeprefix("unit_")))
        elif name == "economic_weights":
            f = fit(reprepared(weights=_economic_vag_weights(frame, spec)))
        elif name == "no_municipalities":
            f = fit(frame[~frame["code"].isin(MUNICIPALITIES)])
        elif name == "winsorise":
            f = fit(frame.assign(**{spec.sl: _winsorise(frame[spec.sl]), spec.vag: _winsorise(frame[spec.vag])}))
        elif name == "lagged_controls":
            lagged = lag_within(frame, list(spec.controls), 1, entity="code", time=spec.time)
            f = fit(pd.concat([frame, lagged], axis=1), regressors=[spec.vag, *lagged.columns])
        elif name == "twoway_fe":
            f = fit(frame, fe="twoway")
        else:  # pragma: no cover - the declaration allows only the names above
            raise InputError(f"[robustness] specifications: unknown specification {name!r}.")
        specs.append(Specification(name=name, fit=f, term=spec.vag, description=ROBUSTNESS_SPECIFICATIONS[name],
                                   choices={"specification": name}))
    if not specs:
        raise InputError("[robustness] specifications: none of the listed specifications applies to these data "
                         f"({'; '.join(skipped)}); list others or set specifications = [].")
    return run_specifications(specs, spec.vag), skipped


# --- spatial ----------------------------------------------------------------------------


def _spatial(frame: pd.DataFrame, spec: Any) -> SpilloverAnalysis:
    """SDM (with SAR and SEM for the tests) of SL on Vag and the controls, Moran's I of SL and Vag."""
    used = _complete(frame, [spec.sl, spec.vag, *spec.controls])
    codes = sorted(set(used["code"]))
    if spec.spatial_weights == "contiguity":
        w = contiguity_weights(regions=codes)
    elif spec.spatial_weights == "inverse_distance":
        w = inverse_distance_weights(codes, theta=spec.theta, unit=spec.unit)
    else:
        w = knn_weights(spec.spatial_k, codes)
    analysis = spillover_analysis(used, spec.sl, [spec.vag], list(spec.controls), weights=w, fe=spec.spatial_fe,
                                  region="code", time=spec.time, draws=spec.spatial_draws, seed=spec.spatial_seed,
                                  moran_variables=[spec.sl, spec.vag])
    dropped = len(frame) - len(used)
    if dropped:
        analysis.notes.append(f"Tables 10-11 use the {len(used)} rows with SL, Vag and the controls ({dropped} rows "
                              "without them, e.g. the first k years without SL, are left out).")
    return analysis
