"""Synergy study: cross-border e-commerce and industrial clusters (coupling coordination).

The study behind it argues that cross-border e-commerce (CBEC) and industrial clusters must
develop together. Per province-year it builds one development index per subsystem from an
indicator system with entropy weights (U1 = cross-border e-commerce, U2 = industrial
clusters; :mod:`exportlens.measures.indicators`, :mod:`exportlens.measures.composite`),
measures how they develop together with the coupling coordination degree
(:mod:`exportlens.measures.coupling`: C, T, D, the ten D bands, the four C stages, the
lagging subsystem), and describes the clusters themselves with location quotients,
Herfindahl and Krugman indices from an employment-by-industry table
(:mod:`exportlens.measures.cluster`).

Subsystem indices. Each subsystem is one indicator system (the built-in templates
``builtin:cross_border_ecommerce`` and ``builtin:industrial_clusters`` or the user's TOML/YAML
files). The panel is pooled: min-max standardisation over ALL province-year rows together
and one entropy weight vector per subsystem (p over all rows, k = 1/ln(T·n)) - the
functions of :mod:`exportlens.measures.composite` are called with every row at once - so
that U is comparable across years. ``[composite] scope = "subsystem"`` (default, the usual
procedure of coupling studies) weights all indicators of a subsystem in one entropy step;
``scope = "dimension"`` uses the two-level scheme of the linkage study (entropy weights
within each dimension, dimensions combined with equal weights). The coupling model needs
U in [0, 1], so standardisation is plain min-max with the limit 0·ln 0 = 0 (``shift =
"none"``, default: the entropy weights are those of the common "+0.0001" shift to within
0.0014 on the demo data, but U cannot exceed 1) or min-max mapped to ``bounds`` (``shift =
"rescale"``, [0.01, 0.99] as SPSSAU does).

Python::

    from exportlens.datasets.demo_synergy import synergy_demo_employment, synergy_demo_panel
    from exportlens.studies.synergy import SynergyStudySpec, run_synergy_study
    result = run_synergy_study(synergy_demo_panel(), SynergyStudySpec(),
                               employment=synergy_demo_employment())
    print(result.summary())
    result.write("results", lang="en")

Command line: ``exportlens run synergy --study study.toml`` and ``exportlens demo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

import pandas as pd
from pydantic import Field

from exportlens.data import load_panel
from exportlens.datasets.demo_synergy import synergy_demo_employment, synergy_demo_panel
from exportlens.errors import InputError, MissingColumnError, StudySpecError
from exportlens.measures.cluster import ClusterMeasures, cluster_measures
from exportlens.measures.composite import CompositeIndex, composite_index, entropy_weights
from exportlens.measures.coupling import CouplingCoordination, coupling_coordination
from exportlens.measures.indicators import IndicatorSystem
from exportlens.regions import grouping, list_groupings
from exportlens.report import figures as fig
from exportlens.report.figures_regions import region_point_map
from exportlens.report.figures_synergy import band_distribution_plot, coordination_tile_map
from exportlens.report.tables import FrameTable
from exportlens.studies.framework import (
    ProvinceYearSpec,
    StudyDefinition,
    WritableResult,
    check_province_years,
    study_field,
    synthetic_notes,
)
from exportlens.studies.regions_section import ALL_REGIONS, RegionsSection
from exportlens.text import Lang, localized, term
from exportlens.validation import row_refs

__all__ = [
    "STUDY",
    "SUBSYSTEM_TEMPLATES",
    "SynergyStudyResult",
    "SynergyStudySpec",
    "load_study_data",
    "load_subsystem_system",
    "prepare_panel",
    "run_synergy_study",
    "subsystem_template_path",
]

#: Built-in subsystem indicator systems (TOML files in exportlens/measures/templates).
SUBSYSTEM_TEMPLATES = ("cross_border_ecommerce", "industrial_clusters")
BUILTIN_PREFIX = "builtin:"

# Labels of the subsystems and the coupling measures (users add/override them in [labels.zh]/[labels.en]).
DEFAULT_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "ecommerce": "跨境电商", "clusters": "产业集群", "C": "耦合度 C", "T": "综合协调指数 T",
        "D": "耦合协调度 D", "band": "协调等级", "stage": "耦合阶段", "lagging": "滞后子系统",
        "province": "省份", "region": "地区", "year": "年份", "group": "区域",
    },
    "en": {
        "ecommerce": "Cross-border e-commerce", "clusters": "Industrial clusters", "C": "Coupling degree C",
        "T": "Comprehensive index T", "D": "Coordination degree D", "band": "Coordination band",
        "stage": "Coupling stage", "lagging": "Lagging subsystem", "province": "Province", "year": "Year",
        "group": "Region",
    },
}

# Titles, headers, notes and figure text of this study, in both languages.
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "table1": "表1 子系统评价指标体系与熵值法权重", "table2": "表2 各省份历年耦合协调度",
        "table3": "表3 耦合协调度 D：省份×年份", "table4": "表4 分区域子系统发展指数与耦合协调度均值",
        "table5": "表5 耦合协调等级分布（省份数）", "table6": "表6 相对发展类型分布（省份数）",
        "table7": "表7 产业集群：各省份专业化程度", "table8": "表8 产业集群：各行业地理集中度",
        "cluster_year": "（{year}年）",
        # column headers and words of the tables
        "subsystem": "子系统", "dimension": "维度", "indicator": "指标", "direction": "方向", "unit": "单位",
        "entropy": "信息熵 e", "divergence": "差异系数 d", "weight": "权重 w", "global_weight": "综合权重",
        "benefit": "正向", "cost": "负向", "variable": "指标",
        "lq": "区位熵：{industry}", "herfindahl": "专业化赫芬达尔指数", "herfindahl_normalised": "标准化赫芬达尔指数",
        "krugman": "克鲁格曼专业化指数", "industry": "行业", "herfindahl_provinces": "地理集中赫芬达尔指数",
        "normalised": "标准化", "n_lq_above_1": "区位熵>1的省份数",
        "synchronous": "同步发展", "lagging_join": "、", "lags": "{names}滞后",
        "shift_none": "极差标准化（0·ln0 取 0）", "shift_rescale": "极差标准化后映射到 [{a:g}, {b:g}]",
        "scope_subsystem": "各子系统全部指标一次赋权", "scope_dimension": "维度内赋权、维度等权合成",
        "weights_note": "面板熵值法：全部省份-年份样本合并标准化并计算一组权重；{shift}；{scope}。",
        "c_standard": "C = n(ΠU)^(1/n)/ΣU（标准形式）", "c_corrected": "C 为王淑佳等（2021）修正耦合度",
        "coupling_note": "{c}；T = Σa·U，a = ({ws})；D = √(C·T)。{bands}",
        "bands_left": "协调等级按 D 每 0.1 划分，区间左闭右开（如 [0.5, 0.6) 为勉强协调），D = 1 属优质协调。",
        "bands_right": "协调等级按 D 每 0.1 划分，区间左开右闭（如 (0.5, 0.6] 为勉强协调），D = 0 属极度失调。",
        "group_note": "区域划分：{title}。表中为组内省份的简单平均。",
        "lagging_note": "min(U)/max(U) > {r:g} 为同步发展，否则发展指数最小的子系统为滞后子系统。",
        "reference_nation": "全国", "reference_rest": "其余省份",
        "cluster_note": "区位熵 LQ = (e_ij/e_i)/(E_j/E)；赫芬达尔指数 H = Σ份额²；克鲁格曼专业化指数 K = Σ|s_ij − s_j|"
                        "（参照：{reference}）。标准化 H* = (H − 1/N)/(1 − 1/N)。",
        "map_title": "{year}年耦合协调度 D", "map_note": "方格示意图，非真实地图；灰色：无数据。",
        "points_note": "各地区按经纬度绘点（区域表中的坐标），无行政边界。",
        "bands_title": "耦合协调等级分布", "bands_ylabel": "省份数",
    },
    "en": {
        "table1": "Table 1 Indicator systems of the subsystems and entropy weights", "table2": "Table 2 Coupling coordination by province and year",
        "table3": "Table 3 Coordination degree D by province and year", "table4": "Table 4 Mean subsystem indices and coordination degree by region group",
        "table5": "Table 5 Distribution of coordination bands (number of provinces)", "table6": "Table 6 Relative development (number of provinces)",
        "table7": "Table 7 Industrial clusters: specialisation of each province", "table8": "Table 8 Industrial clusters: geographic concentration of each industry",
        "cluster_year": ", {year}",
        # column headers and words of the tables
        "subsystem": "Subsystem", "dimension": "Dimension", "indicator": "Indicator", "direction": "Direction",
        "unit": "Unit", "entropy": "Entropy e", "divergence": "Divergence d", "weight": "Weight w",
        "global_weight": "Global weight", "benefit": "+", "cost": "−", "variable": "Variable",
        "lq": "LQ: {industry}", "herfindahl": "Herfindahl (industries)", "herfindahl_normalised": "Normalised Herfindahl",
        "krugman": "Krugman specialisation", "industry": "Industry", "herfindahl_provinces": "Herfindahl (provinces)",
        "normalised": "Normalised", "n_lq_above_1": "Provinces with LQ > 1",
        "synchronous": "synchronous", "lagging_join": " / ", "lags": "{names} lags",
        "shift_none": "min-max standardisation (0·ln 0 = 0)",
        "shift_rescale": "min-max standardisation mapped to [{a:g}, {b:g}]",
        "scope_subsystem": "one weight vector over all indicators of each subsystem",
        "scope_dimension": "weights within each dimension, dimensions combined with equal weights",
        "weights_note": "Panel entropy method: all province-years pooled for standardisation and one weight vector; "
                        "{shift}; {scope}.",
        "c_standard": "C = n(ΠU)^(1/n)/ΣU (standard form)",
        "c_corrected": "C = corrected coupling degree of Wang Shujia et al. (2021)",
        "coupling_note": "{c}; T = Σ a·U with a = ({ws}); D = √(C·T). {bands}",
        "bands_left": "Bands of D in steps of 0.1, closed on the left ([0.5, 0.6) is barely coordinated; D = 1 is "
                      "high-quality coordination).",
        "bands_right": "Bands of D in steps of 0.1, closed on the right ((0.5, 0.6] is barely coordinated; D = 0 is "
                       "extreme imbalance).",
        "group_note": "Region groups: {title}. Simple means over the provinces of each group.",
        "lagging_note": "Synchronous when min(U)/max(U) > {r:g}; otherwise the subsystem with the smallest index lags.",
        "reference_nation": "the nation", "reference_rest": "the rest of the country",
        "cluster_note": "Location quotient LQ = (e_ij/e_i)/(E_j/E); Herfindahl H = Σ share²; Krugman K = Σ|s_ij − s_j| "
                        "(reference: {reference}). Normalised H* = (H − 1/N)/(1 − 1/N).",
        "map_title": "Coupling coordination degree D, {year}", "map_note": "Tile grid, not to scale; grey: no data.",
        "points_note": "One point per region at its longitude/latitude (region table); no boundaries drawn.",
        "bands_title": "Coordination bands by year", "bands_ylabel": "provinces",
    },
}

Share = Annotated[float, Field(ge=0, le=1)]


class SynergyStudySpec(ProvinceYearSpec, RegionsSection):
    """Everything the synergy study needs to know; defaults reproduce the demo.

    Subsystems: ``names`` (U1, U2, ... in order; labels from [labels.zh]/[labels.en] or
    the built-in ones) with either ``systems`` (indicator systems: ``"builtin:NAME"`` or a
    TOML/YAML file path, relative to the study file) or ``indices`` (columns holding
    precomputed indices in [0, 1]). Cluster measures need an employment table
    ([clusters] path; the demo uses the embedded synthetic one); without it they are skipped.
    """

    TITLE: ClassVar[str] = "synergy of cross-border e-commerce and industrial clusters (coupling coordination degree)"
    STUDY_NAME: ClassVar[str] = "synergy"
    TABLE_SECTIONS: ClassVar[tuple[str, ...]] = ("labels",)
    #: The published configuration: the defaults, with the D band convention written out
    #: (left-closed, [0.5, 0.6) = 勉强协调, the "0.50-0.59" wording of the band table).
    PUBLISHED: ClassVar[dict[str, Any]] = {"bands": "left"}

    names: list[str] = study_field(
        default_factory=lambda: ["ecommerce", "clusters"], section="subsystems", min_length=2,
        help="U1, U2 (, U3 ...): labels in [labels.zh] / [labels.en]")
    systems: list[str] = study_field(
        default_factory=lambda: [f"{BUILTIN_PREFIX}{n}" for n in SUBSYSTEM_TEMPLATES], section="subsystems",
        help="one indicator system per subsystem: built-in templates (exportlens/measures/templates/*.toml, copy one "
             "to start) or your own TOML/YAML files; the indicator codes are columns of your data")
    indices: list[str] = study_field(
        default_factory=list, section="subsystems", example=["u_ecom", "u_cluster"],
        help="or columns of precomputed subsystem indices in [0, 1], one per subsystem")
    scope: Literal["subsystem", "dimension"] = study_field(
        "subsystem", section="composite",
        help='"subsystem": one entropy weight vector over all indicators of a subsystem; '
             '"dimension": entropy within each dimension, dimensions equally weighted')
    weighting: Literal["entropy", "critic", "sd"] = study_field("entropy", section="composite",
                                                              help="entropy, critic or sd")
    shift: Literal["none", "rescale"] = study_field(
        "none", section="composite",
        help='"none": min-max, 0*ln 0 = 0 (U in [0, 1]); "rescale": min-max mapped to bounds')
    bounds: list[Share] = study_field(
        default_factory=lambda: [0.01, 0.99], section="composite", min_length=2, max_length=2,
        help='[a, b] used by shift = "rescale" (SPSSAU\'s default interval)')
    method: Literal["standard", "corrected"] = study_field(
        "standard", section="coupling",
        help='"standard": C = n (prod U)^(1/n) / sum U; "corrected": Wang Shujia et al. (2021)')
    weights: list[Annotated[float, Field(ge=0)]] = study_field(
        default_factory=list, section="coupling", example=[0.5, 0.5],
        help="a_i of T = sum a_i U_i (must sum to 1); [] = equal weights")
    sync_ratio: float = study_field(0.9, section="coupling", gt=0, lt=1,
                                    help="synchronous development when min(U)/max(U) > sync_ratio")
    bands: Literal["left", "right"] = study_field(
        "left", section="coupling",
        help='D bands closed on the "left": [0.5, 0.6) = barely coordinated (default, "0.50-0.59"), or on the '
             '"right": (0.5, 0.6] ("0.5 < D <= 0.6"); stated in the table notes')
    employment_path: str | None = study_field(
        None, section="clusters", key="path", path=True, example="employment.csv",
        help="long table: province, industry, year, employment (cluster measures are skipped without it)")
    employment_sheet: str | None = study_field(None, section="clusters", key="sheet", example="Sheet1",
                                               help="Excel sheet")
    region: str = study_field("province", section="clusters", help="province column of the employment table")
    industry: str = study_field("industry", section="clusters", help="industry column")
    value: str = study_field("employment", section="clusters",
                             help="employment (or output / value added) of the industry")
    employment_time: str = study_field("year", section="clusters", key="time", help="year column")
    total: str | None = study_field(
        None, section="clusters", example="total_employment",
        help="region total for the location quotient (default: sum of the industries)")
    reference: Literal["nation", "rest"] = study_field(
        "nation", section="clusters", help='Krugman index against the nation or "rest" (the other provinces)')
    focus_industry: str | None = study_field("制造业", section="clusters",
                                             help="industry whose location quotient Table 7 shows")
    grouping: str = study_field(
        "nbs4", section="report", help="region groups of Table 4 and the trend figure: nbs4, belts3, drc8, coastal")
    map_year: int | None = study_field(None, section="report", example=2022,
                                       help="year of the tile map (default: the last year)")
    labels: dict[Lang, dict[str, str]] = study_field(
        default_factory=dict, section="labels",
        example={"zh": {"ecommerce": "跨境电商"}, "en": {"ecommerce": "Cross-border e-commerce"}},
        help="your own labels: [labels.zh] and [labels.en] tables of name = \"label\"")

    @classmethod
    def from_dict(cls, raw: Any, *, base_dir: Path | None = None, origin: str | None = None) -> Self:
        """As :meth:`StudySpec.from_dict`; indicator-system files are relative to the study file too."""
        subsystems = raw.get("subsystems")
        systems = subsystems.get("systems") if isinstance(subsystems, dict) else None
        if base_dir is not None and isinstance(systems, list):
            resolved = [s if not isinstance(s, str) or s.startswith(BUILTIN_PREFIX) or Path(s).is_absolute()
                        else str(base_dir / s) for s in systems]
            raw = {**raw, "subsystems": {**subsystems, "systems": resolved}}
        return super().from_dict(raw, base_dir=base_dir, origin=origin)

    def check(self) -> None:
        """Rules across keys (types, choices and ranges are checked by the declaration)."""
        if len(set(self.names)) != len(self.names) or not all(self.names):
            raise StudySpecError(f"[subsystems] names = {self.names}: expected distinct, non-empty names.")
        if "synchronous" in self.names:
            raise StudySpecError("[subsystems] names: 'synchronous' cannot be a subsystem name "
                                 "(it marks synchronous development).")
        if self.indices and len(self.indices) != len(self.names):
            raise StudySpecError(f"[subsystems] indices must name one column per subsystem {self.names}; "
                                 f"got {self.indices}.")
        if not self.indices and len(self.systems) != len(self.names):
            raise StudySpecError(f"[subsystems] systems must give one indicator system per subsystem {self.names}; "
                                 f"got {self.systems}.")
        for s in self.systems if not self.indices else []:
            if s.startswith(BUILTIN_PREFIX) and s.removeprefix(BUILTIN_PREFIX) not in SUBSYSTEM_TEMPLATES:
                raise StudySpecError(f"[subsystems] systems: unknown built-in indicator system {s!r}; available: "
                                     + ", ".join(f"{BUILTIN_PREFIX}{n}" for n in SUBSYSTEM_TEMPLATES) + ".")
        if not self.bounds[0] < self.bounds[1]:
            raise StudySpecError(f"[composite] bounds = {self.bounds}: expected [a, b] with a < b.")
        if self.weights and (len(self.weights) != len(self.names) or abs(sum(self.weights) - 1) > 1e-9):
            raise StudySpecError(f"[coupling] weights = {self.weights}: expected {len(self.names)} non-negative "
                                 "numbers summing to 1.")
        names = [g.name for g in list_groupings()]
        if not self.has_region_table and self.grouping not in names:
            raise StudySpecError(f"[report] grouping = {self.grouping!r}: expected one of {', '.join(names)}.")

    @property
    def region_grouping_used(self) -> str | None:
        """The grouping of Table 4 and the trend figure: [regions] grouping with a region table
        (None: one group of all regions), else [report] grouping."""
        return self.study_grouping(self.grouping)

    def region_column_label(self, lang: str) -> str:
        """Header of the region column: 省份/Province for provinces, 地区/Region for table regions."""
        return self.label("province" if not self.has_region_table else "region", lang)

    def label(self, key: str, lang: str) -> str:
        """Display label of a subsystem or a column in ``lang``."""
        user = self.labels.get(lang, {})  # type: ignore[call-overload]
        return user.get(key) or localized(DEFAULT_LABELS, lang).get(key, key)

    def subsystem_label(self, i: int, lang: str) -> str:
        """``跨境电商 U1`` / ``Cross-border e-commerce U1``."""
        return f"{self.label(self.names[i], lang)} U{i + 1}"


# --- subsystem indicator systems --------------------------------------------------------


def subsystem_template_path(name: str) -> Path:
    """Path of a built-in subsystem indicator-system TOML (see :data:`SUBSYSTEM_TEMPLATES`)."""
    if name not in SUBSYSTEM_TEMPLATES:
        raise InputError(f"Unknown subsystem template {name!r}; available: {', '.join(SUBSYSTEM_TEMPLATES)}.")
    return Path(str(resources.files("exportlens.measures").joinpath("templates", f"{name}.toml")))


def load_subsystem_system(ref: str) -> IndicatorSystem:
    """An indicator system from ``"builtin:NAME"`` or a TOML/YAML file path."""
    if ref.startswith(BUILTIN_PREFIX):
        return IndicatorSystem.from_toml(subsystem_template_path(ref.removeprefix(BUILTIN_PREFIX)))
    return IndicatorSystem.from_file(ref)


def _flatten(system: IndicatorSystem) -> IndicatorSystem:
    """The same indicators as ONE dimension, so that one entropy step weights them all."""
    records = system.indicators.drop(columns=["dimension"]).to_dict("records")
    return IndicatorSystem.from_dict({"name": system.name, "dimensions": [
        {"code": f"{system.name}_all", "name_zh": system.title("zh"), "name_en": system.title("en"),
         "indicators": records}]})


# --- the result -------------------------------------------------------------------------


@dataclass
class SynergyStudyResult(WritableResult):
    """Everything the study produced; tables are built on demand in either language.

    ``panel``: one row per province-year with code, province, time, region group, the
    subsystem indices (columns named after the subsystems), C, T, D, band, stage and the
    lagging subsystem. ``coupling``: the :class:`CouplingCoordination`. ``composites``: the
    :class:`CompositeIndex` of each subsystem (None with precomputed indices).
    ``weights``: one row per indicator. ``clusters``: the :class:`ClusterMeasures` or None.
    """

    spec: SynergyStudySpec
    panel: pd.DataFrame
    coupling: CouplingCoordination
    composites: dict[str, CompositeIndex | None]
    weights: pd.DataFrame
    clusters: ClusterMeasures | None
    notes: list[str]
    synthetic: bool = False

    @property
    def last_year(self) -> Any:
        return self.panel[self.spec.time].max()

    @property
    def map_year(self) -> Any:
        return self.spec.map_year if self.spec.map_year is not None else self.last_year

    def to_frame(self) -> pd.DataFrame:
        """The province-year panel of indices and coupling measures (copy)."""
        return self.panel.copy()

    def summary(self) -> str:
        """Plain-text overview: sample, weights, coupling results, group means, clusters."""
        spec, p = self.spec, self.panel
        t = spec.time
        lines = ["Synergy of " + " and ".join(spec.label(n, "en") for n in spec.names)
                 + " (coupling coordination)" + (" - SYNTHETIC demo data" if self.synthetic else "")]
        unit = "regions" if spec.has_region_table else "provinces"
        lines.append(f"{p['code'].nunique()} {unit}, {t} {p[t].min()}-{p[t].max()}, {len(p)} {unit[:-1]}-years")
        lines.append(self.coupling.summary())
        last = p[p[t] == self.last_year]
        lines.append(f"Mean D in {self.last_year} by {spec.region_grouping_used or 'all regions'} group: " + ", ".join(
            f"{g} {v:.3f}" for g, v in last.groupby("group", sort=False)["D"].mean().items()))
        if self.clusters is not None:
            lines.append(self.clusters.summary())
        lines += [f"Note: {n}" for n in self.notes]
        return self.spec.reword("\n".join(lines))

    # --- what the runner writes -------------------------------------------------------

    def data_files(self) -> dict[str, pd.DataFrame]:
        """The coupling panel, the indicator weights (not with precomputed indices) and the
        cluster measures (with an employment table), written as CSV."""
        files = {"coupling_panel": self.panel}
        if len(self.weights):
            files["indicator_weights"] = self.weights
        if self.clusters is not None:
            files["cluster_measures"] = self.clusters.to_frame()
        return files

    def draw_figures(self, out_dir: Path, lang: str) -> list[Path]:
        """Trends of the indices and D by region group, a tile map of D, the bands by year."""
        flang = self.figure_lang(lang)
        text = self.spec.wording(TEXT, flang)
        spec, p = self.spec, self.panel
        synth = (" " + term("synthetic_short", flang)) if self.synthetic else ""
        glabels = spec.group_labels(spec.region_grouping_used, flang)
        titles = [spec.subsystem_label(i, flang) for i in range(len(spec.names))] + [spec.label("D", flang)]
        out = [fig.group_trends(
            p.assign(group_label=p["group"].map(glabels)), time=spec.time, group="group_label",
            variables=[*spec.names, "D"], titles=titles,
            group_order=[v for k, v in glabels.items() if k in set(p["group"])],
            path=out_dir / "trends_by_group.png", note=term("group_means_by_year", flang) + synth,
        )]
        year = self.map_year
        last = p[p[spec.time] == year]
        if last.empty:
            raise InputError(f"[report] map_year = {year!r} is not a year of the data "
                             f"({p[spec.time].min()}-{p[spec.time].max()}).")
        if spec.region_set().is_registry:
            out.append(coordination_tile_map(
                dict(zip(last["code"].astype(int), last["D"], strict=True)),
                path=out_dir / f"coordination_map_{year}.png", title=text["map_title"].format(year=year), lang=flang,
                legend_title=spec.label("band", flang), note=text["map_note"] + synth, bands=spec.bands,
            ))
        else:  # no province tiles for table regions: the points at their coordinates instead
            regions = spec.region_set()
            pos = regions.position(last["code"])
            out.append(region_point_map(
                last["D"].to_numpy(), lon=regions.lon[pos], lat=regions.lat[pos],
                path=out_dir / f"coordination_points_{year}.png", title=text["map_title"].format(year=year),
                lang=flang, colorbar_label=spec.label("D", flang), note=text["points_note"] + synth,
            ))
        out.append(band_distribution_plot(
            self.coupling.band_counts(by=spec.time, lang=flang), path=out_dir / "band_distribution.png", lang=flang,
            title=text["bands_title"], ylabel=text["bands_ylabel"], note=synth.strip() or None,
        ))
        return out

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-8 (7-8 only with cluster measures) as FrameTable objects."""
        text = localized(TEXT, lang)
        spec = self.spec
        base = synthetic_notes(self.synthetic, lang)
        out: dict[str, Any] = {}
        if len(self.weights):  # not with precomputed subsystem indices
            shift = text["shift_none"] if spec.shift == "none" else text["shift_rescale"].format(
                a=spec.bounds[0], b=spec.bounds[1])
            weights_note = text["weights_note"].format(shift=shift, scope=text[f"scope_{spec.scope}"])
            out["table1"] = FrameTable(self._weights_table(lang), title=text["table1"], index=False, digits=4,
                                       notes=[*base, weights_note])
        a = spec.weights or [1 / len(spec.names)] * len(spec.names)
        coupling_note = text["coupling_note"].format(c=text[f"c_{spec.method}"], ws=", ".join(f"{x:g}" for x in a),
                                                     bands=text[f"bands_{spec.bands}"])
        out["table2"] = FrameTable(self._long_table(lang), title=text["table2"], index=False, digits=3,
                                   notes=[*base, coupling_note])
        out["table3"] = FrameTable(self._wide_table(lang), title=text["table3"], index=False, digits=3,
                                   notes=base)
        gname = spec.region_grouping_used
        gtitle = (getattr(grouping(gname), f"title_{lang}") if gname is not None and not spec.has_region_table
                  else gname or spec.group_labels(None, lang)[ALL_REGIONS])
        group_note = text["group_note"].format(title=gtitle)
        out["table4"] = FrameTable(self._group_table(lang), title=text["table4"], index=False, digits=3,
                                   notes=[*base, group_note])
        out["table5"] = FrameTable(self._band_table(lang), title=text["table5"], index=False,
                                   notes=[*base, text[f"bands_{spec.bands}"]])
        out["table6"] = FrameTable(self._lagging_table(lang), title=text["table6"], index=False,
                                   notes=[*base, text["lagging_note"].format(r=spec.sync_ratio)])
        if self.clusters is not None:
            t7, t8 = self._cluster_tables(lang)
            cnote = text["cluster_note"].format(reference=text[f"reference_{spec.reference}"])
            year = t7.attrs.get("year")
            suffix = "" if year is None else text["cluster_year"].format(year=year)
            out["table7"] = FrameTable(t7, title=text["table7"] + suffix, index=False, digits=3, notes=[*base, cnote])
            out["table8"] = FrameTable(t8, title=text["table8"] + suffix, index=False, digits=4, notes=[*base, cnote])
        return self.spec.reword_tables(out)  # a [regions] table: its regions, not "provinces"

    # --- table builders ---

    def _province(self, codes: Any, lang: str) -> list[str]:
        return self.spec.region_labels(codes, lang)

    def _weights_table(self, lang: str) -> pd.DataFrame:
        text = localized(TEXT, lang)
        w = self.weights
        out = w.assign(
            subsystem=w["subsystem_index"].map(lambda i: self.spec.subsystem_label(int(i), lang)),
            dimension=w[f"dimension_{lang}"], indicator=w[f"indicator_{lang}"],
            direction=w["direction"].map({"benefit": text["benefit"], "cost": text["cost"]}),
        )
        keep = ["subsystem", "dimension", "indicator", "direction", "unit"]
        if "entropy" in out and out["entropy"].notna().any():
            keep += ["entropy", "divergence"]
        keep.append("weight")
        if self.spec.scope == "dimension":
            keep.append("global_weight")
        return out[keep].rename(columns={c: text[c] for c in keep})

    def _long_table(self, lang: str) -> pd.DataFrame:
        spec, p = self.spec, self.panel
        out = {spec.region_column_label(lang): self._province(p["code"], lang), spec.label("year", lang): p[spec.time]}
        for i, n in enumerate(spec.names):
            out[spec.subsystem_label(i, lang)] = p[n]
        for c in ("C", "T", "D"):
            out[spec.label(c, lang)] = p[c]
        out[spec.label("band", lang)] = p[f"band_{lang}"]
        out[spec.label("stage", lang)] = p[f"stage_{lang}"]
        out[spec.label("lagging", lang)] = [_lagging_label(v, spec, lang) for v in p["lagging"]]
        return pd.DataFrame(out).reset_index(drop=True)

    def _wide_table(self, lang: str) -> pd.DataFrame:
        spec, p = self.spec, self.panel
        wide = p.pivot(index="code", columns=spec.time, values="D").sort_index()
        wide.columns = [str(c) for c in wide.columns]
        last = p[p[spec.time] == self.last_year].set_index("code")
        band = last[f"band_{lang}"].reindex(wide.index)
        wide.insert(0, spec.region_column_label(lang), self._province(wide.index, lang))
        wide[f"{spec.label('band', lang)} ({self.last_year})"] = band.fillna("").to_numpy()
        return wide.reset_index(drop=True)

    def _group_table(self, lang: str) -> pd.DataFrame:
        spec, p = self.spec, self.panel
        glabels = spec.group_labels(spec.region_grouping_used, lang)
        variables = [*spec.names, "D"]
        means = p.groupby(["group", spec.time], sort=False)[variables].mean()
        years = sorted(p[spec.time].unique())
        rows = []
        for i, v in enumerate(variables):
            vlabel = spec.subsystem_label(i, lang) if v in spec.names else spec.label("D", lang)
            for g in [g for g in glabels if g in means.index.get_level_values(0)]:
                series = means[v].xs(g, level=0)
                rows.append({"variable": vlabel, "group": glabels[g], **{str(t): series.get(t) for t in years}})
        return pd.DataFrame(rows).rename(columns={"variable": localized(TEXT, lang)["variable"],
                                                  "group": spec.label("group", lang)})

    def _band_table(self, lang: str) -> pd.DataFrame:
        spec = self.spec
        counts = self.coupling.band_counts(by=spec.time, lang=lang)
        counts = counts.loc[:, counts.sum(axis=0) > 0]
        counts.index = [str(i) for i in counts.index]
        counts.columns = [str(c) for c in counts.columns]
        return counts.rename_axis(spec.label("year", lang)).reset_index()

    def _lagging_table(self, lang: str) -> pd.DataFrame:
        spec, p = self.spec, self.panel
        kinds = [*spec.names, "synchronous"]
        labels = [_lagging_label(k, spec, lang) for k in kinds]
        other = sorted(set(p["lagging"]) - set(kinds))  # ties of three or more subsystems
        tab = pd.crosstab(p[spec.time], p["lagging"]).reindex(columns=kinds + other, fill_value=0)
        tab.columns = labels + [_lagging_label(k, spec, lang) for k in other]
        tab.index = [str(i) for i in tab.index]
        return tab.rename_axis(spec.label("year", lang)).reset_index()

    def _cluster_tables(self, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        cl, spec = self.clusters, self.spec
        assert cl is not None
        text = localized(TEXT, lang)
        t = cl.time
        year = cl.lq[t].max() if t else None
        lq = cl.lq if t is None else cl.lq[cl.lq[t] == year]
        sp = cl.specialisation if t is None else cl.specialisation[cl.specialisation[t] == year]
        conc = cl.concentration if t is None else cl.concentration[cl.concentration[t] == year]
        sp = sp.sort_values("code")
        t7 = pd.DataFrame({spec.region_column_label(lang): self._province(sp["code"], lang)})
        if spec.focus_industry and spec.focus_industry in set(lq[cl.industry]):
            f = lq[lq[cl.industry] == spec.focus_industry].set_index("code")["lq"]
            t7[text["lq"].format(industry=spec.focus_industry)] = f.reindex(sp["code"]).to_numpy()
        for c in ("herfindahl", "herfindahl_normalised", "krugman"):
            t7[text[c]] = sp[c].to_numpy()
        n_lq = lq.assign(above=lq["lq"] > 1).groupby(cl.industry, sort=False)["above"].sum()
        t8 = pd.DataFrame({
            text["industry"]: conc[cl.industry].to_numpy(),
            text["herfindahl_provinces"]: conc["herfindahl"].to_numpy(),
            text["normalised"]: conc["herfindahl_normalised"].to_numpy(),
            text["n_lq_above_1"]: n_lq.reindex(conc[cl.industry]).to_numpy(),
        }).sort_values(text["herfindahl_provinces"], ascending=False)
        if year is not None:
            t7.attrs["year"] = year
        return t7.reset_index(drop=True), t8.reset_index(drop=True)


def _lagging_label(value: str, spec: SynergyStudySpec, lang: str) -> str:
    text = localized(TEXT, lang)
    if value == "synchronous":
        return text["synchronous"]
    return text["lags"].format(names=text["lagging_join"].join(spec.label(v, lang) for v in str(value).split("/")))


# --- the analysis -------------------------------------------------------------------------


def _required_columns(spec: SynergyStudySpec, systems: list[IndicatorSystem] | None) -> dict[str, list[str]]:
    """Columns each part of the study needs, by purpose (for a clear missing-column error)."""
    need = {"keys": [spec.entity, spec.time]}
    if spec.indices:
        need["indices"] = list(spec.indices)
    else:
        assert systems is not None
        for n, s in zip(spec.names, systems, strict=True):
            need[n] = s.codes
    return need


def prepare_panel(data: pd.DataFrame, spec: SynergyStudySpec) -> tuple[pd.DataFrame, list[IndicatorSystem] | None, list[str]]:
    """Analysis frame: provinces resolved (``code``), exclusions applied, duplicates rejected;
    the row index is ``"<province> <year>"`` so that errors name province-years.
    Returns the frame, the subsystem indicator systems (None with precomputed indices) and notes."""
    spec.check()
    systems = None if spec.indices else [load_subsystem_system(s) for s in spec.systems]
    need = _required_columns(spec, systems)
    missing = {k: [c for c in v if c not in data.columns] for k, v in need.items()}
    missing = {k: v for k, v in missing.items() if v}
    if missing:
        listing = "; ".join(f"{k}: {v}" for k, v in missing.items())
        raise MissingColumnError(f"Column(s) the study needs are not in the data ({listing}); available columns: {list(data.columns)}.")
    if systems is not None:
        shared: dict[str, list[str]] = {}
        for n, s in zip(spec.names, systems, strict=True):
            for c in s.codes:
                shared.setdefault(c, []).append(n)
        both = {c: v for c, v in shared.items() if len(v) > 1}
        if both:
            raise StudySpecError(f"Indicator(s) used by more than one subsystem: {both}. Each indicator belongs to one subsystem.")
        named = sorted(set(shared) & {*spec.names, "C", "T", "D", "code", "group"})
        if named:
            raise StudySpecError(f"Indicator code(s) {named} clash with a subsystem name or a column the study computes; "
                                 "rename the subsystem (subsystems.names) or the indicator.")
    notes: list[str] = []
    frame = spec.resolve_regions(data, spec.entity, spec.exclude, notes)
    check_province_years(frame, spec.entity, spec.time)
    if frame[spec.time].isna().any():
        rows = frame.index[frame[spec.time].isna().to_numpy()][:10]
        raise InputError(f"Column {spec.time!r} has missing values in {row_refs(rows, frame.index)}.")
    clash = [c for c in [*spec.names, "C", "T", "D", "group"] if c in frame.columns and c not in (spec.indices or [])]
    if clash:
        frame = frame.drop(columns=clash)
        notes.append(f"Input column(s) {clash} were replaced by the values exportlens computed.")
    frame["group"] = spec.region_groups(frame["code"], spec.region_grouping_used).to_numpy()
    frame = frame.sort_values(["code", spec.time]).reset_index(drop=True)
    frame.index = [f"{e} {t}" for e, t in zip(frame[spec.entity], frame[spec.time], strict=True)]
    return frame, systems, notes


def subsystem_indices(frame: pd.DataFrame, spec: SynergyStudySpec, systems: list[IndicatorSystem]
                      ) -> tuple[pd.DataFrame, dict[str, CompositeIndex | None], pd.DataFrame]:
    """U_i of every row (pooled panel entropy) and the indicator weights table."""
    shift: Any = None if spec.shift == "none" else "rescale"
    bounds = None if spec.shift == "none" else (float(spec.bounds[0]), float(spec.bounds[1]))
    scores: dict[str, pd.Series] = {}
    composites: dict[str, CompositeIndex | None] = {}
    rows = []
    for i, (name, system) in enumerate(zip(spec.names, systems, strict=True)):
        used = _flatten(system) if spec.scope == "subsystem" else system
        try:
            ci = composite_index(frame, used, method="minmax", shift=shift, bounds=bounds, weighting=spec.weighting)
        except InputError as exc:
            raise type(exc)(f"Subsystem {name!r} ({system.name}): {exc}") from exc
        scores[name] = ci.scores
        composites[name] = ci
        ind = system.indicators.set_index("code")
        entropy = pd.Series(float("nan"), index=ind.index)
        divergence = entropy.copy()
        if spec.weighting == "entropy":
            for dim in used.dimension_codes:
                members = used.members(dim)
                ew = entropy_weights(ci.standardised[members])
                entropy[members] = ew.entropy
                divergence[members] = ew.divergence
        gw = ci.global_weights
        for code in ind.index:
            r = ind.loc[code]
            rows.append({
                "subsystem": name, "subsystem_index": i, "dimension": r["dimension"],
                "dimension_zh": system.label(r["dimension"], "zh"), "dimension_en": system.label(r["dimension"], "en"),
                "indicator": code, "indicator_zh": r["name_zh"], "indicator_en": r["name_en"],
                "direction": r["direction"], "unit": r["unit"], "entropy": entropy[code], "divergence": divergence[code],
                "weight": float(ci.weights[code]), "global_weight": float(gw[code]),
            })
    return pd.DataFrame(scores, index=frame.index), composites, pd.DataFrame(rows)


def prepare_employment(employment: pd.DataFrame, spec: SynergyStudySpec,
                       notes: list[str] | None = None) -> pd.DataFrame:
    """Employment table with resolved province codes and the study's exclusions applied (counted in ``notes``)."""
    cols = [spec.region, spec.industry, spec.value, spec.employment_time] + ([spec.total] if spec.total else [])
    missing = [c for c in cols if c not in employment.columns]
    if missing:
        raise MissingColumnError(f"Column(s) {missing} named in [clusters] are not in the employment table; "
                                 f"available: {list(employment.columns)}.")
    return spec.resolve_regions(employment, spec.region, spec.exclude, [] if notes is None else notes,
                                what="rows of the employment table")


def run_synergy_study(data: pd.DataFrame, spec: SynergyStudySpec | None = None, *,
                      employment: pd.DataFrame | None = None, progress: Any = None) -> SynergyStudyResult:
    """Run the whole study on a province-year DataFrame (and optionally an employment table
    by province, industry and year for the cluster measures); nothing is written.

    ``progress`` is an optional callable ``progress(step_description)``.
    """
    spec = spec or SynergyStudySpec()
    step = progress or (lambda _msg: None)
    step("subsystem indices (panel entropy)")
    frame, systems, notes = prepare_panel(data, spec)
    if spec.map_year is not None and spec.map_year not in set(frame[spec.time]):
        raise InputError(f"[report] map_year = {spec.map_year} is not a year of the data "
                         f"({frame[spec.time].min()}-{frame[spec.time].max()}).")
    if spec.indices:
        U = frame[spec.indices].set_axis(spec.names, axis=1)
        composites: dict[str, Any] = dict.fromkeys(spec.names)
        weights = pd.DataFrame(columns=["subsystem", "subsystem_index", "dimension_zh", "dimension_en", "indicator_zh",
                                        "indicator_en", "direction", "unit", "entropy", "divergence", "weight",
                                        "global_weight"])
        notes.append(f"Subsystem indices taken from the columns {spec.indices} (precomputed).")
    else:
        assert systems is not None
        U, composites, weights = subsystem_indices(frame, spec, systems)
        notes.append("Subsystem indices: panel entropy method, standardisation and one weight vector over all "
                     f"{len(frame)} province-years together (pooled), so that the indices are comparable across years.")
    step("coupling coordination")
    work = frame.drop(columns=[c for c in spec.names if c in frame.columns]).join(U)
    cc = coupling_coordination(work, spec.names, weights=spec.weights or None, method=spec.method,
                               keys=["code", spec.time], sync_ratio=spec.sync_ratio, bands=spec.bands)
    values = cc.to_frame()
    panel = frame[["code", spec.entity, spec.time, "group"]].join(values.drop(columns=["code", spec.time]))
    if spec.entity == "code":
        panel = panel.loc[:, ~panel.columns.duplicated()]
    panel = panel.reset_index(drop=True)
    cc.values = cc.values.reset_index(drop=True)
    clusters = None
    if employment is not None:
        step("cluster measures")
        emp = prepare_employment(employment, spec, notes)
        clusters = cluster_measures(emp, region="code", industry=spec.industry, value=spec.value,
                                    time=spec.employment_time, total=spec.total, reference=spec.reference)
        if spec.focus_industry and spec.focus_industry not in set(emp[spec.industry]):
            notes.append(f"clusters.focus_industry {spec.focus_industry!r} is not an industry of the employment table; "
                         "Table 7 shows no location quotient column.")
    else:
        notes.append("No employment table ([clusters] path): cluster measures (Tables 7-8) skipped.")
    return SynergyStudyResult(spec=spec, panel=panel, coupling=cc, composites=composites, weights=weights,
                              clusters=clusters, notes=spec.reword_notes(notes), synthetic=bool(data.attrs.get("synthetic", False)))



def load_study_data(spec: SynergyStudySpec) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The province-year panel and the employment table named in the spec; the embedded
    SYNTHETIC demo data when no data path is given (the demo employment table too, unless
    [clusters] names one)."""
    panel = spec.read_panel(synergy_demo_panel)
    demo = not spec.data_inputs()
    employment = synergy_demo_employment() if demo and not spec.employment_path else None
    if spec.employment_path:
        employment = load_panel(spec.employment_path, entity=spec.region, time=spec.employment_time,
                                sheet=spec.employment_sheet, resolve_entities=None, line_numbers=True)
    return panel, employment


def _inputs(spec: SynergyStudySpec) -> dict[str, str]:
    """The files a run reads (none for the demo): panel, employment table, own indicator systems."""
    files = spec.data_inputs()
    if not files:
        return {}
    if spec.employment_path:
        files["employment"] = spec.employment_path
    for name, system in zip(spec.names, spec.systems if not spec.indices else [], strict=False):
        if not system.startswith(BUILTIN_PREFIX):
            files[f"system_{name}"] = system
    return files


STUDY = StudyDefinition(
    name="synergy",
    spec_class=SynergyStudySpec,
    load=load_study_data,
    run=lambda data, spec, progress=None: run_synergy_study(data[0], spec, employment=data[1], progress=progress),
    steps=("load data", "subsystem indices (panel entropy)", "coupling coordination", "cluster measures"),
    inputs=_inputs,
    demo_label="embedded SYNTHETIC demo panel (exportlens.datasets.demo_synergy)",
)
