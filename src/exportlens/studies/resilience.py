"""The headline study: export resilience and virtual agglomeration.

Reproduces the published design: for Chinese provinces over a span of years it measures
export resilience (relative log-growth index SL) and virtual agglomeration of the digital
economy (Vag), regresses SL on Vag with year fixed effects and stepwise controls
(Table 2), checks robustness with the regressor lagged 1 and 2 years (Table 3), tests
whether innovation moderates the effect, raw and mean-centred (Table 4), and adds the
heterogeneity analysis by region group that the published study names as missing
(Table 5). Table 1 is the descriptive statistics.

Python::

    from exportlens.datasets import load_resilience_demo
    from exportlens.studies.resilience import ResilienceStudySpec, run_resilience_study
    result = run_resilience_study(load_resilience_demo(), ResilienceStudySpec())
    print(result.summary())
    result.write(out_dir="results", lang="en")

Command line: ``exportlens run resilience --study study.toml`` (``exportlens study template``
prints a commented study file) and ``exportlens demo``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.errors import InputError, MissingColumnError, StudySpecError
from exportlens.studies._spec import StudySpecFile

if TYPE_CHECKING:
    import pandas as pd

    from exportlens.econometrics.results import ModelResult


# Variable labels of the study's tables (users add/override them in [labels.zh]/[labels.en]).
DEFAULT_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "sl": "出口韧性 (SL)", "vag": "虚拟集聚 (Vag)", "ln_gdp_pc": "经济发展水平", "tax_burden": "税负水平",
        "consumption_rate": "消费率", "fdi_ratio": "外商直接投资", "rd_intensity": "创新水平 (R&D强度)",
        "internet_penetration": "互联网普及率", "exports": "出口额", "national_exports": "全国出口额",
        "ict_emp": "信息传输、软件和信息技术服务业就业", "total_emp": "城镇单位就业", "lq": "区位熵",
    },
    "en": {
        "sl": "Export resilience (SL)", "vag": "Virtual agglomeration (Vag)", "ln_gdp_pc": "ln GDP per capita",
        "tax_burden": "Tax burden", "consumption_rate": "Consumption rate", "fdi_ratio": "FDI ratio",
        "rd_intensity": "Innovation (R&D intensity)", "internet_penetration": "Internet penetration",
        "exports": "Exports", "national_exports": "National exports", "ict_emp": "ICT-sector employment",
        "total_emp": "Urban-unit employment", "lq": "Location quotient",
    },
}

TABLE_TITLES = {
    "zh": {
        "table1": "表1 描述性统计", "table2": "表2 基准回归：虚拟集聚对出口韧性的影响",
        "table3": "表3 稳健性检验：核心解释变量滞后", "table4": "表4 调节效应：创新水平",
        "table5": "表5 异质性分析：分地区回归",
    },
    "en": {
        "table1": "Table 1 Descriptive statistics", "table2": "Table 2 Baseline: virtual agglomeration and export resilience",
        "table3": "Table 3 Robustness: lagged key regressor", "table4": "Table 4 Moderation by innovation",
        "table5": "Table 5 Heterogeneity by region group",
    },
}


# TOML section -> spec fields it may hold
_SECTIONS: dict[str, tuple[str, ...]] = {
    "data": ("data_path", "sheet", "entity", "time", "exclude"),
    "variables": ("exports", "national_exports", "resilience", "ict_employment", "total_employment",
                  "agglomeration", "controls", "moderator"),
    "resilience": ("k", "national_from", "tolerance"),
    "agglomeration": ("theta", "unit", "self_weight", "row_standardise"),
    "model": ("fe", "vcov", "lags", "wild_bootstrap", "bootstrap_reps", "grouping"),
}
_ALIASES: dict[str, str] = {"path": "data_path"}


@dataclass
class ResilienceStudySpec(StudySpecFile):
    """Everything the resilience study needs to know about the data and the models.

    Column names refer to the user's data. Either ``exports`` (with ``national_exports``
    or ``national_from="sum"``) is given and SL is computed, or ``resilience`` names a
    precomputed SL column; likewise ``ict_employment``/``total_employment`` or a
    precomputed ``agglomeration`` column.

    Defaults reproduce the published study on the demo data: k = 1; Vag with theta = 1,
    distances in km and w_ii = 1 (in km the neighbours carry about 3 % of the weight, so
    Vag is nearly the own location quotient: see
    :func:`exportlens.measures.virtual_agglomeration`); year fixed effects; standard
    errors clustered by province (the published tables do not say which they used;
    clustering is the defensible default with serially correlated panels).
    """

    data_path: str | None = None
    sheet: str | None = None
    entity: str = "province"
    time: str = "year"
    exclude: list[str] = field(default_factory=list)
    exports: str | None = "exports"
    national_exports: str | None = "national_exports"
    national_from: str = "column"
    resilience: str | None = None
    ict_employment: str | None = "ict_emp"
    total_employment: str | None = "total_emp"
    agglomeration: str | None = None
    controls: list[str] = field(default_factory=lambda: ["ln_gdp_pc", "tax_burden", "consumption_rate", "fdi_ratio"])
    moderator: str | None = "rd_intensity"
    k: int = 1
    tolerance: float = 0.01
    theta: float = 1.0
    unit: str = "km"
    self_weight: float | str = 1.0
    row_standardise: bool = False
    fe: str = "year"
    vcov: str = "cluster"
    lags: list[int] = field(default_factory=lambda: [1, 2])
    wild_bootstrap: bool = False
    bootstrap_reps: int = 999
    grouping: str = "belts3"
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    source_file: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base_dir: Path | None = None) -> ResilienceStudySpec:
        """Build a spec from the nested TOML structure (sections as in :func:`study_template`)."""
        kwargs: dict[str, Any] = {}
        for section, content in raw.items():
            if section == "labels":
                if not isinstance(content, dict) or not all(isinstance(v, dict) for v in content.values()):
                    raise StudySpecError("[labels] must hold tables [labels.zh] and/or [labels.en] of variable = \"label\".")
                kwargs["labels"] = {k: dict(v) for k, v in content.items()}
                continue
            if section not in _SECTIONS:
                raise StudySpecError(f"Unknown section [{section}] in the study file; sections: {', '.join([*_SECTIONS, 'labels'])}.")
            if not isinstance(content, dict):
                raise StudySpecError(f"[{section}] must be a table of key = value lines.")
            for key, value in content.items():
                name = _ALIASES.get(key, key)
                if name not in _SECTIONS[section]:
                    allowed = ", ".join("path" if f == "data_path" else f for f in _SECTIONS[section])
                    raise StudySpecError(f"Unknown key {key!r} in [{section}]; allowed: {allowed}.")
                kwargs[name] = value
        if base_dir is not None and kwargs.get("data_path"):
            p = Path(kwargs["data_path"])
            kwargs["data_path"] = str(p if p.is_absolute() else (base_dir / p))
        spec = cls(**kwargs)
        spec.check()
        return spec


    def check(self) -> None:
        """Validate parameter values (not yet against data)."""
        if not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 1:
            raise StudySpecError(f"k must be a positive integer, not {self.k!r}.")
        if self.national_from not in ("column", "sum"):
            raise StudySpecError(f"national_from must be 'column' or 'sum', not {self.national_from!r}.")
        if self.resilience is None and self.exports is None:
            raise StudySpecError("Give either variables.exports (SL is computed) or variables.resilience (a precomputed SL column).")
        if self.resilience is None and self.national_from == "column" and not self.national_exports:
            raise StudySpecError("SL needs national exports: set variables.national_exports or resilience.national_from = \"sum\".")
        if self.agglomeration is None and not (self.ict_employment and self.total_employment):
            raise StudySpecError("Give variables.ict_employment and variables.total_employment, or a precomputed variables.agglomeration column.")
        if self.unit not in ("km", "100km", "1000km"):
            raise StudySpecError(f"agglomeration.unit must be km, 100km or 1000km, not {self.unit!r}.")
        if not (isinstance(self.self_weight, int | float) or self.self_weight == "internal"):
            raise StudySpecError(f"agglomeration.self_weight must be a number or \"internal\", not {self.self_weight!r}.")
        if self.fe not in ("none", "year", "region", "twoway"):
            raise StudySpecError(f"model.fe must be none, year, region or twoway, not {self.fe!r}.")
        if self.vcov not in ("iid", "hetero", "cluster", "driscoll-kraay"):
            raise StudySpecError(f"model.vcov must be iid, hetero, cluster or driscoll-kraay, not {self.vcov!r}.")
        if not isinstance(self.controls, list) or not all(isinstance(c, str) for c in self.controls):
            raise StudySpecError("variables.controls must be a list of column names.")
        if not self.lags or not all(isinstance(x, int) and x >= 1 for x in self.lags):
            raise StudySpecError(f"model.lags must be a list of positive integers, not {self.lags!r}.")

    # column names of the two constructed variables in the analysis frame
    @property
    def sl(self) -> str:
        return self.resilience or "sl"

    @property
    def vag(self) -> str:
        return self.agglomeration or "vag"

    def required_columns(self) -> list[str]:
        cols = [self.entity, self.time, *self.controls]
        if self.moderator:
            cols.append(self.moderator)
        if self.resilience:
            cols.append(self.resilience)
        else:
            cols.append(self.exports)  # type: ignore[arg-type]
            if self.national_from == "column":
                cols.append(self.national_exports)  # type: ignore[arg-type]
        if self.agglomeration:
            cols.append(self.agglomeration)
        else:
            cols += [self.ict_employment, self.total_employment]  # type: ignore[list-item]
        return list(dict.fromkeys(cols))

    def label(self, var: str, lang: str) -> str:
        user = self.labels.get(lang, {})
        return user.get(var) or DEFAULT_LABELS[lang].get(var, var)


@dataclass
class ResilienceStudyResult:
    """Everything the study produced; tables are built on demand in either language."""

    spec: ResilienceStudySpec
    panel: pd.DataFrame
    sample: pd.DataFrame
    descriptive: Any
    stepwise: list[ModelResult]
    lagged: list[ModelResult]
    moderation_raw: ModelResult | None
    moderation_centred: ModelResult | None
    heterogeneity: dict[str, ModelResult]
    group_interactions: ModelResult | None
    notes: list[str]
    synthetic: bool = False

    def models(self) -> dict[str, ModelResult]:
        """All fitted models by a stable name."""
        out: dict[str, ModelResult] = {}
        for i, m in enumerate(self.stepwise, 1):
            out[f"table2_col{i}"] = m
        for i, m in enumerate(self.lagged, 1):
            out[f"table3_col{i}"] = m
        if self.moderation_raw is not None:
            out["table4_raw"] = self.moderation_raw
        if self.moderation_centred is not None:
            out["table4_centred"] = self.moderation_centred
        for g, m in self.heterogeneity.items():
            out[f"table5_{g}"] = m
        if self.group_interactions is not None:
            out["table5_interactions"] = self.group_interactions
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficients of every model (model, term, estimate, std_error, p_value ...)."""
        import pandas as pd

        frames = []
        for name, m in self.models().items():
            f = m.to_frame().reset_index(names="term")
            f.insert(0, "model", name)
            f["nobs"] = m.nobs
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> str:
        """Plain-text overview: sample, key coefficients, notes."""
        key = self.spec.vag
        lines = ["Export resilience and virtual agglomeration" + (" (SYNTHETIC demo data)" if self.synthetic else "")]
        lines.append(f"Estimation sample: {self.sample['n'].iloc[-1] if len(self.sample) else len(self.panel)} rows")
        for name, m in self.models().items():
            term = key if key in m.coefs.index else next((t for t in m.coefs.index if key in t), None)
            if term is None:
                continue
            r = m.coefs.loc[term]
            lines.append(f"  {name:<22} {term:<18} {r['estimate']: .4f} (se {r['std_error']:.4f}, p {r['p_value']:.3f}) N={m.nobs}")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-5 as table objects with exporters (to_markdown, to_docx ...)."""
        from exportlens.econometrics.tables import RegressionTable

        spec = self.spec
        labels = {v: spec.label(v, lang) for v in {spec.sl, spec.vag, *spec.controls, *(filter(None, [spec.moderator]))}}
        labels["code"] = "省份" if lang == "zh" else "province"  # cluster variable, named in the SE note
        for m in self.models().values():
            for term in m.coefs.index:
                if term not in labels and term != "Intercept":  # the table builder labels the constant
                    labels[term] = _term_label(term, spec, lang)
        titles = TABLE_TITLES[lang]
        note = _synthetic_note(lang) if self.synthetic else None
        base_notes = [n for n in [note] if n]
        tables: dict[str, Any] = {}
        tables["table1"] = self.descriptive.with_labels(labels, lang=lang, title=titles["table1"], notes=base_notes) \
            if hasattr(self.descriptive, "with_labels") else self.descriptive
        tables["table2"] = RegressionTable.from_results(self.stepwise, labels=labels, lang=lang, title=titles["table2"],
                                                        notes=base_notes, add_rows=_wild_rows(self.stepwise, lang))
        tables["table3"] = RegressionTable.from_results(self.lagged, labels=labels, lang=lang, title=titles["table3"],
                                                        notes=base_notes, add_rows=_wild_rows(self.lagged, lang))
        if self.moderation_raw is not None and self.moderation_centred is not None:
            tables["table4"] = RegressionTable.from_results(
                [self.moderation_raw, self.moderation_centred], labels=labels, lang=lang, title=titles["table4"],
                notes=[*base_notes, _centring_note(lang)], model_names=_mod_names(lang),
                add_rows=_wild_rows([self.moderation_raw, self.moderation_centred], lang))
        het = [*self.heterogeneity.values()] + ([self.group_interactions] if self.group_interactions is not None else [])
        if het:
            glabels = _group_labels(spec.grouping, lang)
            names = [glabels.get(g, str(g)) for g in self.heterogeneity]
            het_notes = list(base_notes)
            if self.group_interactions is not None:
                gi = self.group_interactions
                names.append("交互项模型" if lang == "zh" else "interactions")
                for term_name, (kind, _var, g) in gi.extra.get("term_meta", {}).items():
                    glab = glabels.get(g, str(g))
                    labels[term_name] = f"{labels[spec.vag]} × {glab}" if kind == "interaction" else glab
                ref = glabels.get(gi.extra.get("reference"), str(gi.extra.get("reference")))
                het_notes.append(f"交互项模型以{ref}为参照组：交互项为与参照组的斜率差异。" if lang == "zh" else
                                 f"Interaction model: reference group {ref}; interaction terms are slope differences from it.")
            tables["table5"] = RegressionTable.from_results(het, labels=labels, lang=lang, title=titles["table5"],
                                                            notes=het_notes, model_names=names)
        return tables

    def write(self, out_dir: str | Path, *, lang: str = "zh", formats: list[str] | None = None,
              figures: bool = True) -> list[Path]:
        """Write every table in every format, the figures and the tidy coefficients to ``out_dir``."""
        return write_resilience_outputs(self, Path(out_dir), lang=lang, formats=formats, figures=figures)


def _wild_rows(results: list[ModelResult], lang: str) -> dict[str, list[str]] | None:
    """Row of wild cluster bootstrap p-values of the key regressor, when computed."""
    cells, any_boot = [], False
    for m in results:
        boot = m.extra.get("wild_bootstrap")
        if boot is not None and len(boot):
            cells.append(f"{float(boot['p_value'].iloc[0]):.3f}")
            any_boot = True
        else:
            cells.append("")
    if not any_boot:
        return None
    return {("核心解释变量 wild bootstrap p值" if lang == "zh" else "Wild cluster bootstrap p (key regressor)"): cells}


def _synthetic_note(lang: str) -> str:
    return ("注：数据为 exportlens 生成的合成演示数据（非真实统计数据）。" if lang == "zh"
            else "Note: SYNTHETIC demo data generated by exportlens (not real statistics).")


def _centring_note(lang: str) -> str:
    if lang == "zh":
        return "中心化不改变交互项系数及其标准误，只改变主效应（变为另一变量取均值时的效应）和常数项。"
    return ("Mean-centring leaves the interaction coefficient and its standard error unchanged; it changes the "
            "main effects (now effects at the mean of the other variable) and the constant.")


def _mod_names(lang: str) -> list[str]:
    return ["未中心化", "中心化"] if lang == "zh" else ["raw", "centred"]


def _term_label(term: str, spec: ResilienceStudySpec, lang: str) -> str:
    if term.startswith("L") and "_" in term and term.split("_", 1)[0][1:].isdigit():
        lag, var = term.split("_", 1)
        base = spec.label(var, lang)
        return f"{base} 滞后{lag[1:]}期" if lang == "zh" else f"{base} (lag {lag[1:]})"
    if ":" in term:
        return " × ".join(_term_label(t, spec, lang) for t in term.split(":"))
    return spec.label(term, lang)


def _group_labels(grouping_name: str, lang: str) -> dict[str, str]:
    from exportlens.regions import grouping

    g = grouping(grouping_name)
    return {k: g.label(k, lang) for k in g.order}


# --- the analysis ----------------------------------------------------------------------


def prepare_panel(data: pd.DataFrame, spec: ResilienceStudySpec) -> tuple[pd.DataFrame, list[str]]:
    """Analysis frame: resolved provinces, SL and Vag computed, region group attached.

    Returns the frame and notes (what was excluded and why). Raises on missing columns,
    unknown provinces, duplicate province-years and non-positive exports.
    """
    from exportlens.measures import relative_log_growth, virtual_agglomeration
    from exportlens.regions import assign_group, resolve_province, resolve_provinces

    spec.check()
    missing = [c for c in spec.required_columns() if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"Column(s) {missing} named in the study spec are not in the data; available columns: {list(data.columns)}."
        )
    notes: list[str] = []
    frame = data.copy()
    frame["code"] = resolve_provinces(frame[spec.entity])
    if spec.exclude:
        excl = {resolve_province(x).code for x in spec.exclude}
        n_before = len(frame)
        frame = frame[~frame["code"].isin(excl)].copy()
        notes.append(f"Excluded by the study file: {sorted(excl)} ({n_before - len(frame)} rows).")
    dup = frame[frame.duplicated(["code", spec.time], keep=False)]
    if len(dup):
        listing = "; ".join(f"{r[spec.entity]} {r[spec.time]} (row {i})" for i, r in dup.head(10).iterrows())
        raise InputError(f"{len(dup)} duplicate province-year rows: {listing}.")
    # k itself is checked by relative_log_growth (against the span of periods).
    n_periods = frame[spec.time].nunique()
    if max(spec.lags) >= n_periods - spec.k:
        raise InputError(f"Lag {max(spec.lags)} leaves no observations: {n_periods} periods and k={spec.k}.")

    # Constructed columns replace same-named input columns; say so instead of doing it silently.
    constructed = ([spec.sl] if spec.resilience is None else []) + (["lq", spec.vag] if spec.agglomeration is None else [])
    replaced = [c for c in constructed if c in frame.columns]
    if replaced:
        frame = frame.drop(columns=replaced)
        notes.append(f"Input column(s) {replaced} were replaced by the values exportlens computed from the raw series.")
    if spec.resilience is None:
        frame[spec.sl] = relative_log_growth(
            frame, region=spec.entity, time=spec.time, exports=spec.exports,
            national=spec.national_exports if spec.national_from == "column" else None,
            k=spec.k, national_from=spec.national_from, tolerance=spec.tolerance,
        ).to_numpy()
        notes.append(f"SL uses k={spec.k}: the first {spec.k} year(s) of each province have no SL and are outside the regressions.")
    if spec.agglomeration is None:
        agg = virtual_agglomeration(
            frame, region=spec.entity, time=spec.time, sector_employment=spec.ict_employment,
            total_employment=spec.total_employment, theta=spec.theta, unit=spec.unit,
            self_weight=spec.self_weight, row_standardise=spec.row_standardise,
        )
        values = agg.values
        frame = frame.merge(values[[spec.entity, spec.time, "lq", "vag"]].rename(columns={"vag": spec.vag}),
                            on=[spec.entity, spec.time], how="left", validate="one_to_one")
    frame["group"] = assign_group(frame["code"], spec.grouping).to_numpy()
    frame = frame.sort_values(["code", spec.time]).reset_index(drop=True)
    return frame, notes


def _sample_report(frame: pd.DataFrame, spec: ResilienceStudySpec) -> pd.DataFrame:
    """Row accounting from the input to the baseline estimation sample: nothing vanishes unexplained."""
    import pandas as pd

    rows = [("input rows (after exclusions)", len(frame))]
    cols = [spec.sl, spec.vag, *spec.controls]
    current = frame
    for c in cols:
        nxt = current[current[c].notna()]
        if len(nxt) < len(current):
            rows.append((f"missing {c}", len(nxt)))
        current = nxt
    return pd.DataFrame(rows, columns=["step", "n"])


@dataclass
class StudyModels:
    """The 14 regressions of Tables 2-5 (the study's regression step)."""

    stepwise: list[ModelResult]
    lagged: list[ModelResult]
    moderation_raw: ModelResult | None
    moderation_centred: ModelResult | None
    heterogeneity: dict[str, ModelResult]
    group_interactions: ModelResult | None


def estimate_models(frame: pd.DataFrame, spec: ResilienceStudySpec, *, progress: Any = None) -> StudyModels:
    """Fit Tables 2-5 on the analysis frame of :func:`prepare_panel` (estimation by pyfixest)."""
    from exportlens import econometrics as em

    step = progress or (lambda _msg: None)
    # Rows without SL (first k years) or lags are expected; sample.csv and the table notes count them.
    common: dict[str, Any] = {"entity": "code", "time": spec.time, "vcov": spec.vcov, "warn": False}
    fe = spec.fe
    if spec.wild_bootstrap:
        common["wild_bootstrap"] = {"param": spec.vag, "reps": spec.bootstrap_reps, "seed": 20240601}
    step("Table 2: stepwise baseline")
    stepwise = em.stepwise(frame, spec.sl, spec.vag, spec.controls, fe=fe, **common)
    step("Table 3: lagged key regressor")
    lagged = []
    for lag in spec.lags:  # one call per lag so that the bootstrap (if any) targets that lag's term
        lag_common = dict(common)
        if spec.wild_bootstrap:
            lag_common["wild_bootstrap"] = {**common["wild_bootstrap"], "param": f"L{lag}_{spec.vag}"}
        lagged += em.lagged_robustness(frame, spec.sl, spec.vag, spec.controls, lags=(lag,), fe=fe, **lag_common)
    mod_raw = mod_c = None
    if spec.moderator:
        step("Table 4: moderation")
        pair = em.moderation_pair(frame, spec.sl, spec.vag, spec.moderator, spec.controls, fe=fe, **common)
        mod_raw, mod_c = pair.raw, pair.centred
    step("Table 5: heterogeneity by region group")
    het_common = {k: v for k, v in common.items() if k != "wild_bootstrap"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        order = [g for g in _group_labels(spec.grouping, "en") if g in set(frame["group"])]
        het = em.heterogeneity(frame, spec.sl, spec.vag, spec.controls, group="group", order=order, fe=fe, **het_common)
        inter = em.group_interactions(frame, spec.sl, spec.vag, spec.controls, group="group", order=order, fe=fe,
                                      **het_common)
    return StudyModels(stepwise=stepwise, lagged=lagged, moderation_raw=mod_raw, moderation_centred=mod_c,
                       heterogeneity=het, group_interactions=inter)


def run_resilience_study(data: pd.DataFrame, spec: ResilienceStudySpec | None = None,
                         *, progress: Any = None) -> ResilienceStudyResult:
    """Run the whole study on a DataFrame and return its results (nothing is written).

    ``progress`` is an optional callable ``progress(step_description)`` (the CLI passes a
    rich progress bar).
    """
    from exportlens import econometrics as em

    spec = spec or ResilienceStudySpec()
    step = progress or (lambda _msg: None)
    step("measures: SL and Vag")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame, notes = prepare_panel(data, spec)
    for w in caught:  # keep them visible and put them in the notes/manifest of the run
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        notes.append(f"Warning: {w.message}")
    step("Table 1: descriptive statistics")
    describe_vars = [spec.sl, spec.vag, *spec.controls, *([spec.moderator] if spec.moderator else [])]
    descriptive = em.describe(frame, describe_vars)
    models = estimate_models(frame, spec, progress=step)
    few = {g: int(frame.loc[frame["group"] == g, "code"].nunique()) for g in models.heterogeneity}
    if spec.vcov == "cluster" and min(few.values(), default=99) < 20:
        notes.append(f"Table 5 groups have few provinces ({few}); clustered standard errors with fewer than about "
                     "20 clusters are too small. Check the group results with model.wild_bootstrap = true.")
    return ResilienceStudyResult(
        spec=spec, panel=frame, sample=_sample_report(frame, spec), descriptive=descriptive,
        stepwise=models.stepwise, lagged=models.lagged, moderation_raw=models.moderation_raw,
        moderation_centred=models.moderation_centred, heterogeneity=models.heterogeneity,
        group_interactions=models.group_interactions, notes=notes, synthetic=bool(data.attrs.get("synthetic", False)),
    )


def write_resilience_outputs(result: ResilienceStudyResult, out_dir: Path, *, lang: str = "zh",
                             formats: list[str] | None = None, figures: bool = True) -> list[Path]:
    """Write Tables 1-5 in every requested format, the tidy coefficients and the figures."""
    from exportlens.report import figures as fig
    from exportlens.report.tables import write_tables

    out_dir = Path(out_dir)
    written = write_tables(result.tables(lang), out_dir / "tables", formats)
    coef_path = out_dir / "coefficients.csv"
    result.to_frame().to_csv(coef_path, index=False, float_format="%.10g")
    panel_path = out_dir / "analysis_panel.csv"
    result.panel.to_csv(panel_path, index=False, float_format="%.10g")
    sample_path = out_dir / "sample.csv"
    result.sample.to_csv(sample_path, index=False)
    written += [coef_path, panel_path, sample_path]
    if figures:
        flang, fnote = fig.figure_language(lang)
        if fnote and fnote not in result.notes:
            result.notes.append(fnote)
        spec = result.spec
        glabels = _group_labels(spec.grouping, flang)
        panel = result.panel.assign(group_label=result.panel["group"].map(glabels))
        synth = " SYNTHETIC demo data." if result.synthetic and flang == "en" else (" 合成演示数据。" if result.synthetic else "")
        written.append(fig.group_trends(
            panel, time=spec.time, group="group_label", variables=[spec.sl, spec.vag],
            titles=[spec.label(spec.sl, flang), spec.label(spec.vag, flang)],
            group_order=list(glabels.values()), path=out_dir / "figures" / "trends_by_group.png",
            note=("Group means by year." if flang == "en" else "各组年度均值。") + synth,
        ))
        names = [f"({i})" for i in range(1, len(result.stepwise) + 1)]
        written.append(fig.coefficient_plot(
            result.stepwise, spec.vag, path=out_dir / "figures" / "coefficients_stepwise.png",
            title=(f"{spec.label(spec.vag, flang)}: estimate and 95% CI, Table 2 models" if flang == "en"
                   else f"{spec.label(spec.vag, flang)}：表2各模型估计值与95%置信区间"),
            model_labels=names, note=synth.strip() or None,
            reference=_demo_truth(result), reference_label=("true effect in the synthetic DGP" if flang == "en"
                                                            else "合成数据真实效应"),
        ))
    notes_path = out_dir / "notes.txt"
    notes_path.write_text("\n".join([result.summary(), "", "Sample:", result.sample.to_string(index=False)]) + "\n",
                          encoding="utf-8")
    written.append(notes_path)
    return written


def _demo_truth(result: ResilienceStudyResult) -> float | None:
    """True Vag effect when the data are the synthetic demo panel with the published Vag form."""
    from exportlens.data.demo import DEMO_TRUE_COEFFICIENTS, DEMO_VAG_PARAMETERS

    spec = result.spec
    same_vag = (spec.agglomeration is None and spec.theta == DEMO_VAG_PARAMETERS["theta"]
                and spec.unit == DEMO_VAG_PARAMETERS["unit"] and spec.self_weight == DEMO_VAG_PARAMETERS["self_weight"]
                and spec.row_standardise == DEMO_VAG_PARAMETERS["row_standardise"])
    return DEMO_TRUE_COEFFICIENTS["vag"] if result.synthetic and same_vag else None


def load_study_data(spec: ResilienceStudySpec) -> pd.DataFrame:
    """The data named in the spec, or the embedded synthetic demo panel when none is named."""
    if spec.data_path is None:
        from exportlens.datasets import load_resilience_demo

        return load_resilience_demo()
    from exportlens.data import load_panel

    return load_panel(spec.data_path, entity=spec.entity, time=spec.time, sheet=spec.sheet, resolve_entities=None)


def run_resilience_cli(spec: ResilienceStudySpec, *, out: Path | None, lang: str, formats: list[str] | None,
                       figures: bool, overwrite: bool, console: Any = None) -> Path:
    """What ``exportlens run resilience`` and ``exportlens demo`` do: load, run, write, manifest."""

    from exportlens.report.manifest import new_output_dir, write_manifest
    from exportlens.report.progress import step_progress

    out_dir = new_output_dir(out, "resilience" if spec.data_path else "demo", overwrite=overwrite)
    steps = ["load data", "measures: SL and Vag", "Table 1: descriptive statistics", "Table 2: stepwise baseline",
             "Table 3: lagged key regressor", "Table 4: moderation", "Table 5: heterogeneity by region group",
             "write tables and figures"]
    with step_progress("load data", len(steps), console) as advance:
        data = load_study_data(spec)
        result = run_resilience_study(data, spec, progress=advance)
        advance("write tables and figures")
        write_resilience_outputs(result, out_dir, lang=lang, formats=formats, figures=figures)
    if spec.source_file:
        spec.copy_study_file(out_dir)
    inputs = {"data": spec.data_path} if spec.data_path else {}
    if spec.source_file:
        inputs["study_file"] = spec.source_file
    write_manifest(out_dir, study="resilience", spec={**spec.to_dict(), "lang": lang, "formats": formats or "all",
                                                      "data": spec.data_path or "embedded SYNTHETIC demo panel (resilience_demo)"},
                   inputs=inputs, notes=result.notes)
    if console is not None:
        console.print(result.summary())
    return out_dir


def study_template() -> str:
    """A commented study file with the defaults (those of the demo)."""
    return '''# exportlens study file: export resilience and virtual agglomeration
# Run:  exportlens run resilience --study this_file.toml --lang zh
# Column names refer to YOUR data; paths are relative to this file.

[data]
path = "panel.csv"            # CSV, Excel (.xlsx), Stata (.dta) or Parquet, one row per province-year
# sheet = "Sheet1"            # Excel sheet
entity = "province"           # province column (any spelling: 北京市, 北京, Beijing, 110000 ...)
time = "year"
exclude = []                  # e.g. ["西藏"] as in the published study

[variables]
exports = "exports"                    # provincial exports (same currency as the national series)
national_exports = "national_exports"  # national exports; or set resilience.national_from = "sum"
# resilience = "sl"                    # use a precomputed resilience column instead
ict_employment = "ict_emp"             # employment in information transmission, software and IT services
total_employment = "total_emp"         # total (urban-unit) employment
# agglomeration = "vag"                # use a precomputed agglomeration column instead
controls = ["ln_gdp_pc", "tax_burden", "consumption_rate", "fdi_ratio"]   # added one at a time in Table 2
moderator = "rd_intensity"             # Table 4 (innovation); remove to skip

[resilience]
k = 1                        # SL_it = (ln E_it - ln E_i,t-k) - (ln E_t - ln E_t-k)
national_from = "column"     # "column" or "sum" (sum of the provinces)
tolerance = 0.01             # warn when the national column differs from the provinces' sum by more

[agglomeration]
theta = 1.0                  # w_ij = d_ij^-theta
unit = "km"                  # km (published; neighbours then carry ~3 % of the weight), 100km or 1000km
self_weight = 1.0            # w_ii; or "internal" for d_ii = (2/3) sqrt(area/pi)
row_standardise = false

[model]
fe = "year"                  # none, year, region, twoway (Table 2 column 1 never has fixed effects)
vcov = "cluster"             # iid, hetero, cluster (by province), driscoll-kraay
lags = [1, 2]                # Table 3
wild_bootstrap = false       # wild cluster bootstrap p-value for the key regressor (few clusters)
bootstrap_reps = 999
grouping = "belts3"          # Table 5: nbs4, belts3, drc8 or coastal

# [labels.zh]
# vag = "虚拟集聚"
# [labels.en]
# vag = "Virtual agglomeration"
'''
