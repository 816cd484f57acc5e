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

Command line: ``exportlens run resilience --study study.toml`` (``exportlens study template
resilience`` prints a commented study file) and ``exportlens demo``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pandas as pd
from pydantic import Field
from scipy import stats

from exportlens import econometrics as em
from exportlens.datasets import load_resilience_demo
from exportlens.datasets.demo import DEMO_TRUE_COEFFICIENTS, DEMO_VAG_PARAMETERS
from exportlens.datasets.demo_identification import make_identification_demo
from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError, MissingColumnError, StudySpecError
from exportlens.measures import relative_log_growth, virtual_agglomeration
from exportlens.regions import list_groupings
from exportlens.report import figures as fig
from exportlens.report.descriptive_tables import DescriptiveTable
from exportlens.report.regression_tables import RegressionTable
from exportlens.studies.framework import (
    ProvinceYearSpec,
    StudyDefinition,
    WritableResult,
    check_province_years,
    exclude_provinces,
    study_field,
    synthetic_notes,
)
from exportlens.studies.regions_section import RegionsSection
from exportlens.studies.resilience_extensions import Extensions, run_extensions
from exportlens.text import Lang, cli_message, localized, term

# Variable labels of the study's tables (users add/override them in [labels.zh]/[labels.en]).
DEFAULT_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "sl": "出口韧性 (SL)", "vag": "虚拟集聚 (Vag)", "ln_gdp_pc": "经济发展水平", "tax_burden": "税负水平",
        "consumption_rate": "消费率", "fdi_ratio": "外商直接投资", "rd_intensity": "创新水平 (R&D强度)",
        "internet_penetration": "互联网普及率", "year": "年份", "exports": "出口额", "national_exports": "全国出口额",
        "ict_emp": "信息传输、软件和信息技术服务业就业", "total_emp": "城镇单位就业", "lq": "区位熵",
        "iv_telecom1984": "1984年固定电话普及率×全国网民数", "iv_post1984": "1984年邮局密度×全国网民数",
        "innovation": "创新效应", "competition": "竞争效应", "sl_threshold": "出口韧性（门槛模型）",
    },
    "en": {
        "sl": "Export resilience (SL)", "vag": "Virtual agglomeration (Vag)", "ln_gdp_pc": "ln GDP per capita",
        "tax_burden": "Tax burden", "consumption_rate": "Consumption rate", "fdi_ratio": "FDI ratio",
        "rd_intensity": "Innovation (R&D intensity)", "internet_penetration": "Internet penetration",
        "year": "Year", "exports": "Exports", "national_exports": "National exports", "ict_emp": "ICT-sector employment",
        "total_emp": "Urban-unit employment", "lq": "Location quotient",
        "iv_telecom1984": "Telephones 1984 × internet users", "iv_post1984": "Post offices 1984 × internet users",
        "innovation": "Innovation channel", "competition": "Competition channel",
        "sl_threshold": "Export resilience (threshold model)",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "table1": "表1 描述性统计", "table2": "表2 基准回归：虚拟集聚对出口韧性的影响",
        "table3": "表3 稳健性检验：核心解释变量滞后", "table4": "表4 调节效应：创新水平",
        "table5": "表5 异质性分析：分地区回归",
        "coef_plot_title": "{vag}：表2各模型估计值与95%置信区间",
        "wild_row": "核心解释变量 wild bootstrap p值",
        "main_effects": "无交互项",
    },
    "en": {
        "table1": "Table 1 Descriptive statistics", "table2": "Table 2 Baseline: virtual agglomeration and export resilience",
        "table3": "Table 3 Robustness: lagged key regressor", "table4": "Table 4 Moderation by innovation",
        "table5": "Table 5 Heterogeneity by region group",
        "coef_plot_title": "{vag}: estimate and 95% CI, Table 2 models",
        "wild_row": "Wild cluster bootstrap p (key regressor)",
        "main_effects": "main effects",
    },
}


class ResilienceStudySpec(ProvinceYearSpec, RegionsSection):
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

    TITLE: ClassVar[str] = "export resilience and virtual agglomeration"
    STUDY_NAME: ClassVar[str] = "resilience"
    TABLE_SECTIONS: ClassVar[tuple[str, ...]] = ("labels",)
    #: The published design where it differs from the defaults (``study template resilience --published``).
    PUBLISHED: ClassVar[dict[str, Any]] = {"exclude": ["西藏"], "constant": True, "lag_sample": "estimation"}

    exports: str | None = study_field("exports", section="variables",
                                      help="provincial exports (same currency as the national series)")
    national_exports: str | None = study_field(
        "national_exports", section="variables", help='national exports; or set [resilience] national_from = "sum"')
    resilience: str | None = study_field(None, section="variables", example="sl",
                                         help="a precomputed resilience column instead of computing SL")
    ict_employment: str | None = study_field(
        "ict_emp", section="variables", help="employment in information transmission, software and IT services")
    total_employment: str | None = study_field("total_emp", section="variables",
                                               help="total (urban-unit) employment")
    agglomeration: str | None = study_field(None, section="variables", example="vag",
                                            help="a precomputed agglomeration column instead of computing Vag")
    controls: list[str] = study_field(
        default_factory=lambda: ["ln_gdp_pc", "tax_burden", "consumption_rate", "fdi_ratio"], section="variables",
        help="control columns, added one at a time in Table 2")
    moderator: str | None = study_field("rd_intensity", section="variables",
                                        help="moderator of Table 4 (innovation); remove the line to skip Table 4")
    k: int = study_field(1, section="resilience", ge=1,
                         help="SL_it = (ln E_it - ln E_i,t-k) - (ln E_t - ln E_t-k)")
    national_from: Literal["column", "sum"] = study_field(
        "column", section="resilience", help='"column" or "sum" (national exports as the sum of the provinces)')
    nonpositive: Literal["raise", "nan"] = study_field(
        "raise", section="resilience",
        help='zero or negative exports: "raise" stops the run naming the rows; "nan" leaves their SL missing '
             "(counted in sample.csv)")
    tolerance: float = study_field(0.01, section="resilience", ge=0,
                                   help="warn when the national column differs from the provinces' sum by more")
    theta: float = study_field(1.0, section="agglomeration", gt=0, help="distance decay: w_ij = d_ij^-theta")
    unit: Literal["km", "100km", "1000km"] = study_field(
        "km", section="agglomeration", help="km (published; neighbours then carry ~3 % of the weight), 100km or 1000km")
    self_weight: float | Literal["internal"] = study_field(
        1.0, section="agglomeration", help='w_ii; or "internal" for d_ii = (2/3) sqrt(area/pi)')
    row_standardise: bool = study_field(False, section="agglomeration", help="row-standardise the weights")
    rescale: Literal["none", "minmax"] = study_field(
        "none", section="agglomeration",
        help='"minmax" rescales Vag to [0, 1] over the panel (the published range suggests it; not in its formula)')
    fe: Literal["none", "year", "region", "twoway"] = study_field(
        "year", section="model", help="none, year, region, twoway (Table 2 column 1 never has fixed effects)")
    vcov: Literal["iid", "hetero", "cluster", "driscoll-kraay"] = study_field(
        "cluster", section="model", help="iid, hetero, cluster (by province), driscoll-kraay")
    lags: list[Annotated[int, Field(ge=1)]] = study_field(
        default_factory=lambda: [1, 2], section="model", min_length=1, help="lags of the key regressor in Table 3")
    wild_bootstrap: bool = study_field(
        False, section="model", help="wild cluster bootstrap p-value for the key regressor (few clusters)")
    bootstrap_reps: int = study_field(999, section="model", ge=99, help="wild bootstrap draws")
    bootstrap_seed: int = study_field(20240601, section="model", help="seed of the wild bootstrap")
    lag_sample: Literal["full_grid", "estimation"] = study_field(
        "full_grid", section="model",
        help='"full_grid": lags from every year of the data; "estimation" (published: N 330/300 from 360): '
             "a lag never reaches before the first year of the estimation sample")
    grouping: str = study_field("belts3", section="model", help="Table 5 groups: nbs4, belts3, drc8 or coastal")
    demo: Literal["resilience_demo", "identification_demo"] = study_field(
        "resilience_demo", section="data", commented=True,
        help="embedded SYNTHETIC demo panel used when no path is set (identification_demo: instruments, mediators, "
             "a threshold DGP; its SL and Vag are precomputed columns)")
    iv_instruments: list[str] = study_field(
        default_factory=list, section="iv", key="instruments", example=["iv_telecom1984", "iv_post1984"],
        help="excluded instruments of Vag (Table 6: 2SLS); empty: no IV. See the module docs for typical choices")
    mediators: list[str] = study_field(
        default_factory=list, section="mediation", example=["innovation", "competition"],
        help="mechanism variables (Table 7: a x b with a province bootstrap); empty: no mediation analysis")
    mediation_draws: int = study_field(999, section="mediation", key="draws", ge=99, help="bootstrap draws")
    mediation_seed: int = study_field(12345, section="mediation", key="seed", help="bootstrap seed")
    threshold_variable: str | None = study_field(
        None, section="threshold", key="variable", example="rd_intensity",
        help="threshold variable of Hansen's (1999) panel threshold model (Table 8); unset: no threshold model")
    threshold_outcome: str | None = study_field(
        None, section="threshold", key="outcome", example="sl",
        help="dependent variable of the threshold model (unset: the study's SL)")
    n_thresholds: int = study_field(1, section="threshold", key="thresholds", ge=1, le=3,
                                    help="number of thresholds (1, 2 or 3)")
    threshold_trim: float = study_field(0.01, section="threshold", key="trim", gt=0, lt=0.5,
                                        help="share of observations trimmed at each end of the grid (per regime)")
    threshold_grid: int = study_field(300, section="threshold", key="grid", ge=10, help="grid points searched")
    threshold_draws: int = study_field(300, section="threshold", key="draws", ge=0,
                                       help="fixed-regressor bootstrap draws of the threshold tests")
    threshold_seed: int = study_field(12345, section="threshold", key="seed", help="bootstrap seed")
    robustness: list[Literal["baseline", "sl_k2", "sl_k3", "theta2", "unit_100km", "unit_1000km", "economic_weights",
                             "no_municipalities", "winsorise", "lagged_controls", "twoway_fe"]] = study_field(
        default_factory=lambda: ["baseline", "sl_k2", "sl_k3", "theta2", "unit_100km", "unit_1000km",
                                 "economic_weights", "no_municipalities", "winsorise", "lagged_controls", "twoway_fe"],
        section="robustness", key="specifications",
        help="Table 9 and the specification curve: the Vag coefficient of the full Table 2 model under each; [] to skip")
    economic_variable: str = study_field(
        "ln_gdp_pc", section="robustness",
        help="variable of the economic-distance weights 1/|mean_i - mean_j| (economic_weights)")
    spatial_weights: Literal["none", "contiguity", "inverse_distance", "knn"] = study_field(
        "none", section="spatial", key="weights",
        help="spatial weights of Tables 10-11 (SDM effects of Vag, Moran's I); none: no spatial analysis")
    spatial_k: int = study_field(5, section="spatial", key="k", ge=1, help="neighbours of the knn weights")
    spatial_fe: Literal["unit", "time", "twoway"] = study_field(
        "twoway", section="spatial", key="fe", help="fixed effects (two-way with the Lee-Yu 2010 correction)")
    spatial_draws: int = study_field(1000, section="spatial", key="draws", ge=100,
                                     help="simulation draws for the SEs of the effects")
    spatial_seed: int = study_field(0, section="spatial", key="seed", help="seed of the simulation")
    describe: list[str] | None = study_field(
        None, section="tables", example=["year", "sl", "vag", "ln_gdp_pc", "internet_penetration"],
        help="Table 1 rows; unset: as published (year, SL, Vag, controls, moderator, internet_penetration if present)")
    main_effects_column: bool = study_field(
        True, section="tables", help="Table 4 column (1) with Vag and the moderator but not their product (published)")
    constant: bool = study_field(
        False, section="tables",
        help="report the constant of fixed-effects models as Stata's reghdfe does (_cons = mean(y) - mean(X)b)")
    labels: dict[Lang, dict[str, str]] = study_field(
        default_factory=dict, section="labels",
        example={"zh": {"vag": "虚拟集聚"}, "en": {"vag": "Virtual agglomeration"}},
        help="your own variable labels: [labels.zh] and [labels.en] tables of variable = \"label\"")

    def check(self) -> None:
        """Rules across keys (types and ranges are checked by the declaration)."""
        if self.resilience is None and self.exports is None:
            raise StudySpecError("give either [variables] exports (SL is computed) or [variables] resilience "
                                 "(a precomputed SL column).")
        if self.resilience is None and self.national_from == "column" and not self.national_exports:
            raise StudySpecError('SL needs national exports: set [variables] national_exports or '
                                 '[resilience] national_from = "sum".')
        if self.agglomeration is None and not (self.ict_employment and self.total_employment):
            raise StudySpecError("give [variables] ict_employment and total_employment, or a precomputed "
                                 "[variables] agglomeration column.")
        names = [g.name for g in list_groupings()]
        if self.regions_table is not None and not self.region_grouping:
            raise StudySpecError("with a [regions] table, name its group column for Table 5: [regions] grouping.")
        if self.regions_table is None and self.grouping not in names:
            raise StudySpecError(f"[model] grouping = {self.grouping!r}: expected one of {', '.join(names)}.")

    # column names of the two constructed variables in the analysis frame
    @property
    def sl(self) -> str:
        return self.resilience or "sl"

    @property
    def vag(self) -> str:
        return self.agglomeration or "vag"

    @property
    def table5_grouping(self) -> str:
        """The grouping of Table 5: [regions] grouping with a region table, else [model] grouping."""
        return self.region_grouping if self.regions_table and self.region_grouping else self.grouping

    def required_columns(self) -> list[str]:
        cols = [self.entity, self.time, *self.controls]
        if self.moderator:
            cols.append(self.moderator)
        if self.resilience:
            cols.append(self.resilience)
        else:
            cols.append(self.exports or "")
            if self.national_from == "column":
                cols.append(self.national_exports or "")
        if self.agglomeration:
            cols.append(self.agglomeration)
        else:
            cols += [self.ict_employment or "", self.total_employment or ""]
        return list(dict.fromkeys(cols))

    def label(self, var: str, lang: str) -> str:
        user = self.labels.get(lang, {})  # type: ignore[call-overload]
        return user.get(var) or localized(DEFAULT_LABELS, lang).get(var, var)


@dataclass
class ResilienceStudyResult(WritableResult):
    """Everything the study produced; tables are built on demand in either language."""

    spec: ResilienceStudySpec
    panel: pd.DataFrame
    sample: pd.DataFrame
    descriptive: pd.DataFrame
    stepwise: list[ModelResult]
    lagged: list[ModelResult]
    moderation_main: ModelResult | None
    moderation_raw: ModelResult | None
    moderation_centred: ModelResult | None
    heterogeneity: dict[str, ModelResult]
    group_interactions: ModelResult | None
    notes: list[str]
    synthetic: bool = False
    extensions: Extensions = field(default_factory=Extensions)
    provenance: pd.DataFrame | None = None  # of a panel built from [data] build

    def models(self) -> dict[str, ModelResult]:
        """All fitted models by a stable name."""
        out: dict[str, ModelResult] = {}
        for i, m in enumerate(self.stepwise, 1):
            out[f"table2_col{i}"] = m
        for i, m in enumerate(self.lagged, 1):
            out[f"table3_col{i}"] = m
        if self.moderation_main is not None:
            out["table4_main"] = self.moderation_main
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
        frames = []
        for name, m in self.models().items():
            f = m.to_frame().reset_index(names="term")
            f.insert(0, "model", name)
            f["nobs"] = m.nobs
            boot = m.extra.get("wild_bootstrap")
            if boot is not None and len(boot):
                f["wild_bootstrap_p"] = f["term"].map(boot["p_value"])
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def summary(self) -> str:
        """Plain-text overview: sample, key coefficients, notes, row accounting."""
        key = self.spec.vag
        lines = ["Export resilience and virtual agglomeration" + (" (SYNTHETIC demo data)" if self.synthetic else "")]
        lines.append(f"Estimation sample: {self.sample['n'].iloc[-1] if len(self.sample) else len(self.panel)} rows")
        for name, m in self.models().items():
            term_name = key if key in m.coefs.index else next((t for t in m.coefs.index if key in t), None)
            if term_name is None:
                continue
            r = m.coefs.loc[term_name]
            lines.append(f"  {name:<22} {term_name:<18} {r['estimate']: .4f} (se {r['std_error']:.4f}, "
                         f"p {r['p_value']:.3f}) N={m.nobs}")
        lines += [f"Note: {n}" for n in self.notes]
        return self.spec.reword("\n".join([*lines, "", "Sample:", self.sample.to_string(index=False),
                                           *self.extensions.summary_lines()]))

    def data_files(self) -> dict[str, pd.DataFrame]:
        """The tidy coefficients, the analysis panel and the row accounting, written as CSV."""
        provenance = self.provenance
        return {"coefficients": self.to_frame(), "analysis_panel": self.panel, "sample": self.sample,
                **({"panel_provenance": provenance} if provenance is not None else {}),
                **self.extensions.data_files()}

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-5 as table objects with exporters (to_markdown, to_docx ...)."""
        spec = self.spec
        shown = {spec.sl, spec.vag, *spec.controls, *(filter(None, [spec.moderator])),
                 *_describe_variables(self.panel, spec)} - {spec.time}  # the year row of Table 1 only
        labels = {v: spec.label(v, lang) for v in shown}
        labels["code"] = spec.reword(term("province", lang))  # cluster variable, named in the SE note
        for m in self.models().values():
            for term_name in m.coefs.index:
                if term_name not in labels and term_name != "Intercept":  # the table builder labels the constant
                    labels[term_name] = _term_label(term_name, spec, lang)
        text = localized(TEXT, lang)
        base_notes = synthetic_notes(self.synthetic, lang)
        tables: dict[str, Any] = {}
        tables["table1"] = DescriptiveTable(self.descriptive).with_labels(
            {**labels, spec.time: spec.label("year", lang)}, lang=lang, title=text["table1"], notes=base_notes)
        tables["table2"] = RegressionTable.from_results(self.stepwise, labels=labels, lang=lang, title=text["table2"],
                                                        notes=base_notes, add_rows=_wild_rows(self.stepwise, lang))
        tables["table3"] = RegressionTable.from_results(self.lagged, labels=labels, lang=lang, title=text["table3"],
                                                        notes=base_notes, add_rows=_wild_rows(self.lagged, lang))
        if self.moderation_raw is not None and self.moderation_centred is not None:
            main = [self.moderation_main] if self.moderation_main is not None else []
            t4 = [*main, self.moderation_raw, self.moderation_centred]
            tables["table4"] = RegressionTable.from_results(
                t4, labels=labels, lang=lang, title=text["table4"], notes=[*base_notes, term("centring_note", lang)],
                model_names=[text["main_effects"]] * len(main) + [term("raw", lang), term("centred", lang)],
                add_rows=_wild_rows(t4, lang))
        het = [*self.heterogeneity.values()] + ([self.group_interactions] if self.group_interactions is not None else [])
        if het:
            glabels = _group_labels(spec, lang)
            names = [glabels.get(g, str(g)) for g in self.heterogeneity]
            het_notes = list(base_notes)
            if self.group_interactions is not None:
                gi = self.group_interactions
                names.append(term("interactions_model", lang))
                for term_name, (kind, _var, g) in gi.extra.get("term_meta", {}).items():
                    glab = glabels.get(g, str(g))
                    labels[term_name] = f"{labels[spec.vag]} × {glab}" if kind == "interaction" else glab
                reference = str(gi.extra.get("reference"))
                ref = glabels.get(reference, reference)
                het_notes.append(term("reference_group_note", lang, ref=ref))
            tables["table5"] = RegressionTable.from_results(het, labels=labels, lang=lang, title=text["table5"],
                                                            notes=het_notes, model_names=names,
                                                            add_rows=_wild_rows(het, lang))
        extra_labels = {**labels, **{v: spec.label(v, lang) for v in self._extension_variables()}}
        tables.update(self.extensions.tables(lang, extra_labels))
        return spec.reword_tables(tables)  # a [regions] table: its regions, not "provinces"

    def _extension_variables(self) -> list[str]:
        spec = self.spec
        return [*spec.iv_instruments, *spec.mediators, *filter(None, [spec.threshold_variable, spec.threshold_outcome])]

    def draw_figures(self, out_dir: Path, lang: str) -> list[Path]:
        """Trends of SL and Vag by region group; the Table 2 coefficients with their CIs."""
        flang, fnote = fig.figure_language(lang)
        if fnote and fnote not in self.notes:
            self.notes.append(fnote)
        spec = self.spec
        glabels = _group_labels(spec, flang)
        panel = self.panel.assign(group_label=self.panel["group"].map(glabels))
        synth = (" " + term("synthetic_short", flang)) if self.synthetic else ""
        names = [f"({i})" for i in range(1, len(self.stepwise) + 1)]
        labels = {v: spec.label(v, flang) for v in [spec.sl, spec.vag, *spec.controls, *self._extension_variables()]}
        extension_figures, extension_notes = self.extensions.draw_figures(out_dir, flang, labels, spec.vag)
        self.notes += [n for n in extension_notes if n not in self.notes]
        return [*extension_figures,
            fig.group_trends(
                panel, time=spec.time, group="group_label", variables=[spec.sl, spec.vag],
                titles=[spec.label(spec.sl, flang), spec.label(spec.vag, flang)],
                group_order=list(glabels.values()), path=out_dir / "trends_by_group.png",
                note=term("group_means_by_year", flang) + synth),
            fig.coefficient_plot(
                self.stepwise, spec.vag, path=out_dir / "coefficients_stepwise.png",
                title=spec.wording(TEXT, flang)["coef_plot_title"].format(vag=spec.label(spec.vag, flang)),
                model_labels=names, note=synth.strip() or None,
                reference=_demo_truth(self), reference_label=term("true_effect", flang)),
        ]


PUBLISHED_RANGE_NOTES = [
    "Published values that the stated formulas cannot produce: all published SL values are positive "
    "(minimum 0.0672), but SL is the log change of a province's share of national exports and shares cannot all "
    "rise; published Vag lies in [0.000117, 0.974], but Vag with own weight 1 is at least the province's own "
    "location quotient (about 1 on average). The publication must have rescaled both; [agglomeration] rescale = "
    "\"minmax\" offers the rescaling of Vag (off by default).",
]


def _describe_variables(frame: pd.DataFrame, spec: ResilienceStudySpec) -> list[str]:
    """Table 1 rows: the study file's list, or the published rows (year, SL, Vag, controls, moderator, internet)."""
    if spec.describe is not None:
        missing = [c for c in spec.describe if c not in frame.columns]
        if missing:
            raise MissingColumnError(f"[tables] describe names {missing}, which are not in the data or the computed "
                                     f"measures; available: {sorted(map(str, frame.columns))}.")
        return list(spec.describe)
    rows = [spec.time, spec.sl, spec.vag, *spec.controls, *([spec.moderator] if spec.moderator else [])]
    if "internet_penetration" in frame.columns:
        rows.append("internet_penetration")
    return list(dict.fromkeys(rows))


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
    return {localized(TEXT, lang)["wild_row"]: cells}


def _term_label(name: str, spec: ResilienceStudySpec, lang: str) -> str:
    if name.startswith("L") and "_" in name and name.split("_", 1)[0][1:].isdigit():
        lag, var = name.split("_", 1)
        return term("lag_short", lang, name=spec.label(var, lang), k=lag[1:])
    if ":" in name:
        return " × ".join(_term_label(t, spec, lang) for t in name.split(":"))
    return spec.label(name, lang)


def _group_labels(spec: ResilienceStudySpec, lang: str) -> dict[str, str]:
    return spec.region_set().group_labels(spec.table5_grouping, lang)


# --- the analysis ----------------------------------------------------------------------


def prepare_panel(data: pd.DataFrame, spec: ResilienceStudySpec, *,
                  vag_weights: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Analysis frame: resolved provinces, SL and Vag computed, region group attached.

    ``vag_weights``: a weight matrix for Vag instead of the distance decay of the spec (the
    robustness table's economic-distance weights), labelled by province.

    Returns the frame and notes (what was excluded and why). Raises on missing columns,
    unknown provinces, duplicate province-years and non-positive exports.
    """
    missing = [c for c in spec.required_columns() if c not in data.columns]
    if missing:
        keys = {getattr(spec, name): f"[{sec}] {key}" for sec, items in type(spec).fields_by_section().items()
                for key, name in items.items() if isinstance(getattr(spec, name), str)}
        keys.update({c: "[variables] controls" for c in spec.controls})
        named = ", ".join(f"{c!r} ({keys[c]})" if c in keys else repr(c) for c in missing)
        raise MissingColumnError(
            f"Column(s) {named} named in the study file are not in the data; available columns: {list(data.columns)}. "
            "Fix the names in the study file or the data."
        )
    notes: list[str] = list(data.attrs.get("build_notes", []))
    frame = data.copy()
    regions = spec.region_set()
    frame["code"] = regions.resolve(frame[spec.entity]).to_numpy()
    if regions.is_registry:
        frame = exclude_provinces(frame, spec.exclude, notes)
    elif spec.exclude:
        excluded = set(regions.resolve(spec.exclude))
        n_in = len(frame)
        frame = frame[~frame["code"].isin(excluded)].copy()
        notes.append(f"Excluded by the study file: {sorted(excluded)} ({n_in - len(frame)} rows).")
    check_province_years(frame, spec.entity, spec.time)
    # One spelling per province (北京 in some years, 北京市 in others is one province, not two).
    spellings = frame.groupby("code")[spec.entity].agg(lambda v: list(dict.fromkeys(v.astype(str))))
    mixed = spellings[spellings.map(len) > 1]
    if len(mixed):
        first = {code: names[0] for code, names in mixed.items()}
        frame[spec.entity] = frame[spec.entity].where(~frame["code"].isin(first.keys()), frame["code"].map(first))
        notes.append("Province names spelled differently across rows were read as one province each: "
                     + "; ".join(" = ".join(names) for names in mixed) + ".")
    years = sorted(frame[spec.time].dropna().unique())
    n_periods = len(years)
    span = f"{years[0]}-{years[-1]}" if years else "none"
    if spec.resilience is None and n_periods <= spec.k:
        raise InputError(f"[resilience] k = {spec.k} needs more than {spec.k} year(s) of data, but the data have "
                         f"{n_periods} ({span}); lower k in the study file or add years.")
    usable = n_periods - (spec.k if spec.resilience is None else 0)
    if max(spec.lags) >= usable:
        raise InputError(f"[model] lags = {list(spec.lags)}: lag {max(spec.lags)} needs more than {max(spec.lags)} "
                         f"year(s) with SL, but the data have {usable} ({n_periods} year(s), {span}, minus the first "
                         f"k = {spec.k} without SL); remove the lag from [model] lags or add years.")

    # Constructed columns replace same-named input columns; say so instead of doing it silently.
    constructed = ([spec.sl] if spec.resilience is None else []) + (["lq", spec.vag] if spec.agglomeration is None else [])
    replaced = [c for c in constructed if c in frame.columns]
    if replaced:
        frame = frame.drop(columns=replaced)
        notes.append(f"Input column(s) {replaced} were replaced by the values exportlens computed from the raw series.")
    if spec.resilience is None:
        frame[spec.sl] = relative_log_growth(
            frame, region=spec.entity, time=spec.time, exports=str(spec.exports),
            national=spec.national_exports if spec.national_from == "column" else None,
            k=spec.k, national_from=spec.national_from, tolerance=spec.tolerance, nonpositive=spec.nonpositive,
        ).to_numpy()
        notes.append(f"SL uses k={spec.k}: the first {spec.k} year(s) of each province have no SL and are outside the regressions.")
    if spec.agglomeration is None:
        decay: dict[str, Any] = ({"weights": vag_weights, "unit": None} if vag_weights is not None else
                                 {"theta": spec.theta, "unit": spec.unit, "self_weight": spec.self_weight})
        agg = virtual_agglomeration(
            frame, region=spec.entity, time=spec.time, sector_employment=str(spec.ict_employment),
            total_employment=str(spec.total_employment), row_standardise=spec.row_standardise,
            regions=regions, **decay,
        )
        values = agg.values
        frame = frame.merge(values[[spec.entity, spec.time, "lq", "vag"]].rename(columns={"vag": spec.vag}),
                            on=[spec.entity, spec.time], how="left", validate="one_to_one")
    if spec.rescale == "minmax":
        lo, hi = frame[spec.vag].min(), frame[spec.vag].max()
        frame[spec.vag] = (frame[spec.vag] - lo) / (hi - lo)
        notes.append(f"Vag rescaled to [0, 1] over the panel ([agglomeration] rescale = \"minmax\"; raw range "
                     f"{lo:.6g} to {hi:.6g}).")
    frame["group"] = regions.group(frame["code"], spec.table5_grouping).to_numpy()
    frame = frame.sort_values(["code", spec.time]).reset_index(drop=True)
    return frame, notes


def _sample_report(frame: pd.DataFrame, spec: ResilienceStudySpec, models: dict[str, ModelResult]) -> pd.DataFrame:
    """Per-model row accounting (``sample.csv``): every model's N explained.

    For each model: the rows of the analysis panel (after the study file's exclusions), the rows
    outside the model's subset (other region groups in Table 5), the rows lost to a missing value
    (each row once, under its first missing variable; a missing lag is "lag k", the first k years
    of each province or a gap), the singletons pyfixest drops, then N. ``input - lost = N``
    holds for every model. Variables the estimator dropped as collinear are listed (``n`` empty).
    Built from :func:`~exportlens.econometrics.fit_panel`'s ``extra`` (``n_input``,
    ``missing_first_by_column``, ``n_dropped_singletons``, ``collinear_dropped``).
    """
    rows: list[tuple[str, str, str, Any]] = []
    for name, m in models.items():
        ex = m.extra
        rows.append((name, "input", "rows of the analysis panel (after exclusions)", len(frame)))
        outside = len(frame) - int(ex.get("n_input", len(frame)))
        if outside:
            group = ex.get("group_value")
            rows.append((name, "lost", f"rows of other groups (model on {spec.grouping} = {group})"
                         if group is not None else "rows outside the model's subset", outside))
        lag_meta = ex.get("term_meta") or {}
        for col, n in (ex.get("missing_first_by_column") or {}).items():
            meta = lag_meta.get(col)
            if meta and meta[0] == "lag":
                reason = f"lag {meta[2]}: no {meta[1]} {meta[2]} year(s) earlier (first years of a province or a gap)"
            elif col == spec.sl and spec.resilience is None:
                reason = f"missing {col} (the first k = {spec.k} year(s) of each province have no SL, or exports missing)"
            else:
                reason = f"missing {col}"
            rows.append((name, "lost", reason, int(n)))
        if ex.get("n_dropped_singletons"):
            rows.append((name, "lost", "singletons (alone in a fixed-effect group, dropped by pyfixest)",
                         int(ex["n_dropped_singletons"])))
        for var in ex.get("collinear_dropped") or []:
            rows.append((name, "variable dropped", f"{var}: collinear, dropped by pyfixest (not in the table)", None))
        rows.append((name, "N", "estimation sample", int(m.nobs)))
    out = pd.DataFrame(rows, columns=["model", "kind", "step", "n"])
    out["n"] = out["n"].astype("Int64")
    return out


def _fitted_models(models: Any) -> dict[str, ModelResult]:
    """The models of :class:`StudyModels` by the names of ``ResilienceStudyResult.models``."""
    out: dict[str, ModelResult] = {f"table2_col{i}": m for i, m in enumerate(models.stepwise, 1)}
    out.update({f"table3_col{i}": m for i, m in enumerate(models.lagged, 1)})
    for key, m in (("table4_main", models.moderation_main), ("table4_raw", models.moderation_raw),
                   ("table4_centred", models.moderation_centred)):
        if m is not None:
            out[key] = m
    out.update({f"table5_{g}": m for g, m in models.heterogeneity.items()})
    if models.group_interactions is not None:
        out["table5_interactions"] = models.group_interactions
    return out


@dataclass
class StudyModels:
    """The regressions of Tables 2-5 (the study's regression step)."""

    stepwise: list[ModelResult]
    lagged: list[ModelResult]
    moderation_main: ModelResult | None
    moderation_raw: ModelResult | None
    moderation_centred: ModelResult | None
    heterogeneity: dict[str, ModelResult]
    group_interactions: ModelResult | None


def _wild(spec: ResilienceStudySpec, param: str) -> dict[str, Any] | None:
    """Wild cluster bootstrap settings for the term a table is about (None when off)."""
    if not spec.wild_bootstrap:
        return None
    return {"param": param, "reps": spec.bootstrap_reps, "seed": spec.bootstrap_seed}


def _lag_frame(frame: pd.DataFrame, spec: ResilienceStudySpec) -> pd.DataFrame:
    """The frame Table 3 lags: with ``lag_sample = "estimation"`` Vag before the first SL year is hidden,
    so a lag never reaches before the estimation sample (the published N: 330 and 300 from 360)."""
    if spec.lag_sample == "full_grid":
        return frame
    first = frame.loc[frame[spec.sl].notna()].groupby("code")[spec.time].min()
    before = frame[spec.time] < frame["code"].map(first)
    return frame.assign(**{spec.vag: frame[spec.vag].mask(before)})


def estimate_models(frame: pd.DataFrame, spec: ResilienceStudySpec, *, progress: Any = None) -> StudyModels:
    """Fit Tables 2-5 on the analysis frame of :func:`prepare_panel` (estimation by pyfixest).

    The wild cluster bootstrap (``[model] wild_bootstrap``) tests the term each table is about:
    Vag in Tables 2 and 5 (every group), its lag in Table 3, the interaction in Table 4.
    """
    step = progress or (lambda _msg: None)
    # Rows without SL (first k years) or lags are expected; sample.csv and the table notes count them.
    common: dict[str, Any] = {"entity": "code", "time": spec.time, "vcov": spec.vcov, "warn": False}
    fe = spec.fe
    step("Table 2: stepwise baseline")
    stepwise = em.stepwise(frame, spec.sl, spec.vag, spec.controls, fe=fe, wild_bootstrap=_wild(spec, spec.vag),
                           **common)
    step("Table 3: lagged key regressor")
    lagged = []
    lag_source = _lag_frame(frame, spec)
    for lag in spec.lags:  # one call per lag so that the bootstrap (if any) targets that lag's term
        lagged += em.lagged_robustness(lag_source, spec.sl, spec.vag, spec.controls, lags=(lag,), fe=fe,
                                       wild_bootstrap=_wild(spec, f"L{lag}_{spec.vag}"), **common)
    mod_main = mod_raw = mod_c = None
    if spec.moderator:
        step("Table 4: moderation")
        if spec.main_effects_column:
            mod_main = em.fit_panel(frame, spec.sl, [spec.vag, spec.moderator, *spec.controls], fe=fe, name="(1)",
                                    wild_bootstrap=_wild(spec, spec.vag), **common)
        pair = em.moderation_pair(frame, spec.sl, spec.vag, spec.moderator, spec.controls, fe=fe,
                                  wild_bootstrap=_wild(spec, f"{spec.vag}:{spec.moderator}"), **common)
        mod_raw, mod_c = pair.raw, pair.centred
    step("Table 5: heterogeneity by region group")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        order = [g for g in _group_labels(spec, "en") if g in set(frame["group"])]
        het = em.heterogeneity(frame, spec.sl, spec.vag, spec.controls, group="group", order=order, fe=fe,
                               wild_bootstrap=_wild(spec, spec.vag), **common)
        inter = em.group_interactions(frame, spec.sl, spec.vag, spec.controls, group="group", order=order, fe=fe,
                                      **common)
    models = StudyModels(stepwise=stepwise, lagged=lagged, moderation_main=mod_main, moderation_raw=mod_raw,
                         moderation_centred=mod_c, heterogeneity=het, group_interactions=inter)
    if spec.constant:
        _add_constants(frame, spec, models)
    return models


def _add_constants(frame: pd.DataFrame, spec: ResilienceStudySpec, models: StudyModels) -> None:
    """Add reghdfe's ``_cons`` (:func:`exportlens.econometrics.fe_constant`) to every fixed-effects model."""
    lags = em.lag_within(frame, [spec.vag], spec.lags, entity="code", time=spec.time)
    work = pd.concat([frame, lags], axis=1)
    if spec.moderator:
        work[f"{spec.vag}:{spec.moderator}"] = work[spec.vag] * work[spec.moderator]
    cluster = "code" if spec.vcov == "cluster" else None
    fitted = [*models.stepwise, *models.lagged, *models.heterogeneity.values(),
              *(m for m in (models.moderation_main, models.moderation_raw) if m is not None)]
    for m in fitted:
        if not m.fixed_effects or "Intercept" in m.coefs.index:
            continue
        est, se = em.fe_constant(work, m, spec.sl, list(m.coefs.index), m.fixed_effects, cluster=cluster)
        df = (m.extra.get("n_clusters") or m.nobs) - 1
        t = est / se
        p = 2 * stats.t.sf(abs(t), df)
        half = stats.t.ppf(0.975, df) * se
        m.coefs.loc["Intercept"] = [est, se, t, p, est - half, est + half][: len(m.coefs.columns)]
    if models.moderation_centred is not None and models.moderation_raw is not None:
        m = models.moderation_centred
        if m.fixed_effects and "Intercept" not in m.coefs.index:
            means = (m.extra.get("centering") or {}).get("means") or {}
            centred = work.assign(**{c: work[c] - v for c, v in means.items() if c in work})
            centred[f"{spec.vag}:{spec.moderator}"] = centred[spec.vag] * centred[spec.moderator]
            est, se = em.fe_constant(centred, m, spec.sl, list(m.coefs.index), m.fixed_effects, cluster=cluster)
            df = (m.extra.get("n_clusters") or m.nobs) - 1
            t = est / se
            half = stats.t.ppf(0.975, df) * se
            m.coefs.loc["Intercept"] = [est, se, t, 2 * stats.t.sf(abs(t), df), est - half, est + half][
                : len(m.coefs.columns)]


def run_resilience_study(data: pd.DataFrame, spec: ResilienceStudySpec | None = None,
                         *, progress: Any = None) -> ResilienceStudyResult:
    """Run the whole study on a DataFrame and return its results (nothing is written).

    ``progress`` is an optional callable ``progress(step_description)`` (the CLI passes a
    rich progress bar).
    """
    spec = spec or ResilienceStudySpec()
    step = progress or (lambda _msg: None)
    step("measures: SL and Vag")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame, notes = prepare_panel(data, spec)
    for w in caught:  # keep them visible and put them in the notes/manifest of the run
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        notes.append(f"Warning: {cli_message(str(w.message))}")
    step("Table 1: descriptive statistics")
    descriptive = em.describe(frame, _describe_variables(frame, spec))
    models = estimate_models(frame, spec, progress=step)
    few = {g: int(frame.loc[frame["group"] == g, "code"].nunique()) for g in models.heterogeneity}
    if spec.vcov == "cluster" and min(few.values(), default=99) < 20:
        if spec.wild_bootstrap:
            notes.append(f"Table 5 groups have few provinces ({few}); the tables report wild cluster bootstrap "
                         f"p-values ({spec.bootstrap_reps} draws, seed {spec.bootstrap_seed}) next to the clustered "
                         "standard errors, which are too small with fewer than about 20 clusters.")
        else:
            notes.append(f"Table 5 groups have few provinces ({few}); clustered standard errors with fewer than about "
                         "20 clusters are too small. Check the group results with wild_bootstrap = true in the "
                         "[model] section of the study file.")
    notes.append(f"Table 3 lags: {spec.lag_sample} sample rule (" + (
        "lags use every year of the data, so the first SL year keeps its lagged Vag)" if spec.lag_sample == "full_grid"
        else "a lag never reaches before the first year of the estimation sample, as published)"))
    notes += PUBLISHED_RANGE_NOTES
    extensions = run_extensions(data, frame, spec, prepare_panel, step)
    notes += extensions.notes
    sample = _sample_report(frame, spec, _fitted_models(models))
    notes += [f"{r.model}: {r.step}" for r in sample.itertuples() if r.kind == "variable dropped"]
    for model_name, rows in sample.groupby("model", sort=False):  # every lost row, by reason (also in sample.csv)
        lost = "; ".join(f"{r.step}: {r.n}" for r in rows.itertuples() if r.kind == "lost")
        notes.append(f"Rows of {model_name}: {rows['n'].iloc[0]} in, N = {rows['n'].iloc[-1]}"
                     + (f" (lost: {lost})." if lost else "."))
    return ResilienceStudyResult(
        spec=spec, panel=frame, sample=sample, descriptive=descriptive,
        stepwise=models.stepwise, lagged=models.lagged, moderation_main=models.moderation_main,
        moderation_raw=models.moderation_raw,
        moderation_centred=models.moderation_centred, heterogeneity=models.heterogeneity,
        group_interactions=models.group_interactions, notes=spec.reword_notes(notes), synthetic=bool(data.attrs.get("synthetic", False)),
        extensions=extensions, provenance=data.attrs.get("provenance"),
    )


def _demo_truth(result: ResilienceStudyResult) -> float | None:
    """True Vag effect when the data are the synthetic demo panel with the published Vag form."""
    spec = result.spec
    same_vag = (spec.agglomeration is None and spec.theta == DEMO_VAG_PARAMETERS["theta"]
                and spec.unit == DEMO_VAG_PARAMETERS["unit"] and spec.self_weight == DEMO_VAG_PARAMETERS["self_weight"]
                and spec.row_standardise == DEMO_VAG_PARAMETERS["row_standardise"])
    return DEMO_TRUE_COEFFICIENTS["vag"] if result.synthetic and same_vag else None


def load_study_data(spec: ResilienceStudySpec) -> pd.DataFrame:
    """The data named in the spec, or the embedded synthetic demo panel when none is named."""
    return spec.read_panel(load_resilience_demo if spec.demo == "resilience_demo" else make_identification_demo)


STUDY = StudyDefinition(
    name="resilience",
    spec_class=ResilienceStudySpec,
    load=load_study_data,
    run=lambda data, spec, progress=None: run_resilience_study(data, spec, progress=progress),
    steps=("load data", "measures: SL and Vag", "Table 1: descriptive statistics", "Table 2: stepwise baseline",
           "Table 3: lagged key regressor", "Table 4: moderation", "Table 5: heterogeneity by region group",
           "Table 9: robustness"),
    inputs=lambda spec: spec.data_inputs(),
    demo_label="embedded SYNTHETIC demo panel (resilience_demo)",
)
