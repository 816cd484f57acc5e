"""Linkage study: how strongly each province is linked to each Belt-and-Road country.

Reproduces the published design (31 provinces x 63 countries, 2019 cross-section,
5 dimensions and 16 indicators, entropy + AHP):

1. For every province, the 63 countries are the alternatives: each indicator is
   standardised over them (min-max, shift documented in
   :mod:`exportlens.measures.composite`; z-scores as SPSS computes them in the published
   configuration) and entropy weights are computed per province over the countries, normalised
   over all 16 indicators as published (``[weighting] normalise = "all"``: every province has
   16 weights summing to 1, Table 2); a dimension score is Σ weight x standardised value over
   the dimension's indicators. ``normalise = "dimension"`` normalises within each dimension
   instead (a dimension of one country-level indicator then scores the same in every
   province).
2. An AHP judgment matrix over the five dimensions gives the dimension weights by the
   arithmetic-mean, geometric-mean and eigenvector methods, with λ_max, CI, RI, CR
   (Table 3). The final score of a (province, country) pair is Σ_d W_d S_d (Table 4).
3. Provinces are ranked by their average score over all countries (Table 5), by each
   dimension (Table 6) and by each of the 7 subregions (Table 7); for each country every
   province gets its rank among all provinces, and the frequency of ranks in [1, 10],
   [11, 20], [21, 31] is drawn by comprehensive economic region (Figures 1-4).
4. Robustness: province rankings under the three AHP weightings and under TOPSIS on the
   same weights; Kendall's tau between them and the rank changes.

Standardisation scope
---------------------
The entropy weights are per province, but the min-max standardisation is done over all
province-country pairs by default (``standardise_scope = "all"``). Standardising within
each province instead (``"province"``) maps every province's strongest link to 1 and its
weakest to 0, which removes the province's *level*: the average scores of Table 5 then
compare the shapes of the provinces' distributions, not how strongly they are linked. On
the synthetic demo cube the Spearman correlation between the Table 5 averages and the true
province effect is 0.94 with ``"all"`` and −0.03 with ``"province"``.

Python::

    from exportlens.datasets.demo_linkage import linkage_demo_cube
    from exportlens.studies.linkage import LinkageStudySpec, run_linkage_study
    result = run_linkage_study(linkage_demo_cube(), LinkageStudySpec())
    print(result.summary())
    result.write("results", lang="en")

On the command line the study is ``exportlens run linkage --study study.toml``; its study
file (indicator hierarchy file, AHP judgments, weighting) starts from ``exportlens study
template linkage``, and ``exportlens demo`` runs it on the demo cube.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd

from exportlens.datasets.demo_linkage import linkage_demo_cube
from exportlens.errors import DataFormatError, InputError, MissingColumnError, StudySpecError
from exportlens.measures.ahp import AHP_METHODS, AHPResult, ahp, pairwise_matrix
from exportlens.measures.composite import (
    ConstantColumnWarning,
    composite_index,
    standardise,
    topsis,
)
from exportlens.measures.indicators import BUILTIN_NOTES, IndicatorSystem, builtin_systems
from exportlens.regions import (
    SUBREGIONS,
    assign_subregion,
    belt_and_road_countries,
    country_label,
    province_label,
    resolve_countries,
    resolve_country,
    resolve_province,
    resolve_provinces,
    subregion,
)
from exportlens.report.figures_linkage import rank_frequency_histograms
from exportlens.report.tables import FrameTable
from exportlens.studies.framework import (
    StudyDefinition,
    WritableResult,
    study_field,
    synthetic_notes,
)
from exportlens.studies.regions_section import RegionsSection
from exportlens.text import localized, term
from exportlens.validation import row_ref

__all__ = [
    "DEFAULT_AHP_UPPER",
    "PUBLISHED_AHP_MATRIX",
    "PUBLISHED_AHP_NUMBERS",
    "STUDY",
    "LinkageStudyResult",
    "LinkageStudySpec",
    "load_linkage_data",
    "prepare_cube",
    "run_linkage_study",
]

BUILTIN_SYSTEM = "belt_and_road_linkage"
SYSTEM_FILE_SUFFIXES = (".toml", ".yaml", ".yml")

#: The published AHP judgment matrix over (economy, goods, capital, people, ict), row i
#: column j = how much more important dimension i is than j on Saaty's scale. It reproduces
#: every published AHP number: λ_max = 5.0364, CI = 0.0091, RI = 1.12 (Saaty 1980), CR =
#: 0.0081, and the weights (economy, goods, capital, people, ict) 8.76/41.47/25.73/15.29/8.76 %
#: (eigenvector), 8.79/41.35/25.76/15.31/8.79 % (geometric mean) and 8.81/41.29/25.71/15.39/
#: 8.81 % (arithmetic mean, the publication's main weighting). Its transpose has the same
#: eigenvalues (hence the same λ_max, CI and CR) but other weights: a check of λ and CR alone
#: cannot tell the two apart, the weights can.
PUBLISHED_AHP_MATRIX: tuple[tuple[int | str, ...], ...] = (
    (1, "1/4", "1/3", "1/2", 1),
    (4, 1, 2, 3, 4),
    (3, "1/2", 1, 2, 3),
    (2, "1/3", "1/2", 1, 2),
    (1, "1/4", "1/3", "1/2", 1),
)

#: Upper triangle (row by row) of :data:`PUBLISHED_AHP_MATRIX`, the default judgments.
DEFAULT_AHP_UPPER: tuple[int | str, ...] = tuple(
    PUBLISHED_AHP_MATRIX[i][j] for i in range(5) for j in range(i + 1, 5))

#: The published AHP numbers (they depend on the judgment matrix and the RI table only, not on
#: the data): consistency statistics to 4 decimals (RI to 2), weights in % to 2 decimals in
#: the order economy, goods, capital, people, ict.
PUBLISHED_AHP_NUMBERS: dict[str, str] = {
    "lambda_max": "5.0364", "CI": "0.0091", "RI": "1.12", "CR": "0.0081",
    "weights, arithmetic mean (%)": "8.81/41.29/25.71/15.39/8.81",
    "weights, geometric mean (%)": "8.79/41.35/25.76/15.31/8.79",
    "weights, eigenvector (%)": "8.76/41.47/25.73/15.29/8.76",
}

#: Figures 1-4 (one bar group per region) are drawn for at most this many regions.
MAX_FIGURE_REGIONS = 62
RANK_BANDS: tuple[tuple[int, int], ...] = ((1, 10), (11, 20), (21, 31))
AHP_METHOD_LABELS = {
    "zh": {"arithmetic": "算术平均法", "geometric": "几何平均法", "eigenvector": "特征向量法", "topsis": "TOPSIS"},
    "en": {"arithmetic": "Arithmetic mean", "geometric": "Geometric mean", "eigenvector": "Eigenvector",
           "topsis": "TOPSIS"},
}

# The study's own words: table titles, column headers, notes and figure labels.
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "table1": "表1 联系度评价指标体系",
        "table2": "表2 各省份指标熵值法权重",
        "table3": "表3 层次分析法维度权重与一致性检验",
        "table4_scores": "表4a 各省份与沿线国家联系度综合得分",
        "table4_ranks": "表4b 各省份内沿线国家联系度排名",
        "table2_province": "表2 {province}各指标熵值法权重",
        "table4_province": "表4 {province}与沿线国家的联系度得分与排名",
        "weight_pct": "权重（%）", "total": "合计", "level1": "一级指标", "level2": "二级指标",
        "province_weights_note": "{province}以63个沿线国家为评价对象的熵值法权重，16个指标合计100%。",
        "province_scores_note": "排名为该国家在{province}全部{n}个沿线国家中的名次（1 = 联系最紧密）。",
        "table5": "表5 省份联系度排名（全部国家平均得分）",
        "table6": "表6 分维度省份联系度得分与排名",
        "table7": "表7 分区域省份联系度得分与排名",
        "table8_province_ranks": "表8 各国家中省份联系度排名",
        "table9_rank_frequency": "表9 省份排名频数分布",
        "table10_robustness": "表10 稳健性检验：不同权重方法下的省份排名",
        "table11_kendall": "表11 稳健性检验：排名的Kendall τ相关系数",
        "country": "国家", "subregion": "区域", "region": "八大综合经济区",
        "region_table_region": "地区", "region_table_group": "地区分组", "score": "得分", "rank": "排名",
        "average": "平均得分", "dimension": "维度", "indicator": "指标", "direction": "方向", "unit": "单位",
        "source": "来源", "benefit": "正向", "cost": "负向", "filled": "补充指标", "change": "排名变化",
        "tau": "Kendall τ", "p": "p值", "lambda": "λmax", "yes": "是", "pooled": "全部省份（合并）",
        "method_a": "方法A", "method_b": "方法B", "provinces_changing": "排名变化省份数",
        "largest_change": "最大排名变化",
        "system_note": "“补充指标”为原文未列明、由 exportlens 按本领域常用做法补充的指标。",
        "weights_note": "{norm}，{scope}；标准化方法 {standardise}，平移 {shift}；赋权方法 {within}。",
        "norm_all": "权重在全部{m}个指标上归一（每个省份合计为1）",
        "norm_dimension": "权重在各维度内归一（维度内合计为1）",
        "zscore_column_note": "标准化采用 SPSS 的 Z 分数（样本标准差，n − 1）。熵值法要求非负数据，故每个指标列平移 "
                              "|min z_j| + {c:g}（SPSSAU 的逐列平移），相当于按 极差/标准差 缩放的极差标准化，"
                              "排序与极差标准化相同。",
        "zscore_constant_note": "标准化采用 SPSS 的 Z 分数，并整体平移 {c:g}：常数平移会使熵权趋于均等（1/m），"
                                "甚至改变排序，建议改用逐列平移（shift = \"column\"）。",
        "zscore_none_note": "标准化采用 SPSS 的 Z 分数且未平移：Z 分数含负值，熵值法无法计算。",
        "scope_province": "每个省份以各沿线国家为评价对象分别计算",
        "scope_pooled": "全部省份-国家样本合并计算",
        "constant_note": "下列省份的指标在全部国家上取值相同（常数列），不含信息，权重记为0：{items}。",
        "item_sep": "；",
        "ahp_note": "λmax = {lam:.4f}，CI = {ci:.4f}，RI = {ri:.2f}（{ri_table}），CR = {cr:.4f}，{verdict}一致性检验"
                    "（阈值 {threshold:g}）。特征向量法列的 λmax 为最大特征根，其余两列为 (1/n)Σ(Aw)ᵢ/wᵢ 估计值。"
                    "综合得分采用{method_label}权重。",
        "passes": "通过", "fails": "未通过",
        "score_note": "综合得分 = Σ 维度权重(AHP) × 维度得分；维度得分 = Σ 该维度各指标的熵权 × 标准化值。",
        "frequency_note": "对每个国家，将各省份按综合得分排名；表中为排名落入各区间的国家数（合计 {n}）。",
        "robust_note": "排名变化 = 该方法排名 − {main}排名；TOPSIS 使用相同的全局权重（熵权 × AHP权重），"
                       "基于标准化数据，正负理想解取自全部省份-国家样本（标准化范围为各省份时取自该省份）。",
        "figure_note": "各省份在各国家中的排名频数。",
        "figure_title": "省份排名频数（按八大综合经济区）",
        "figure_ylabel": "国家数",
    },
    "en": {
        "table1": "Table 1 Indicator system of the linkage evaluation",
        "table2": "Table 2 Entropy weights of the indicators by province",
        "table3": "Table 3 AHP dimension weights and consistency test",
        "table4_scores": "Table 4a Linkage scores of provinces with Belt-and-Road countries",
        "table4_ranks": "Table 4b Rank of each country within the province",
        "table2_province": "Table 2 Entropy weights of the indicators, {province}",
        "table4_province": "Table 4 Linkage scores and ranks of the Belt-and-Road countries, {province}",
        "weight_pct": "Weight (%)", "total": "Total", "level1": "Dimension", "level2": "Indicator",
        "province_weights_note": "Entropy weights of {province} over the partner countries; the {m} weights sum to "
                                 "100 %.",
        "province_scores_note": "Rank of the country among all {n} partner countries of {province} (1 = closest "
                                "link).",
        "table5": "Table 5 Province ranking by average linkage score over all countries",
        "table6": "Table 6 Province scores and ranks by dimension",
        "table7": "Table 7 Province scores and ranks by subregion",
        "table8_province_ranks": "Table 8 Rank of each province among all provinces, by country",
        "table9_rank_frequency": "Table 9 Frequency of province ranks",
        "table10_robustness": "Table 10 Robustness: province rankings under alternative weightings",
        "table11_kendall": "Table 11 Robustness: Kendall's tau between rankings",
        "country": "Country", "subregion": "Subregion", "region": "DRC region",
        "region_table_region": "Region", "region_table_group": "Region group", "score": "score", "rank": "rank",
        "average": "Average score", "dimension": "Dimension", "indicator": "Indicator", "direction": "Direction",
        "unit": "Unit", "source": "Source", "benefit": "benefit", "cost": "cost", "filled": "Filled in",
        "change": "change", "tau": "Kendall tau", "p": "p-value", "lambda": "lambda_max", "yes": "yes",
        "pooled": "All provinces (pooled)", "method_a": "Method A", "method_b": "Method B",
        "provinces_changing": "Provinces changing rank", "largest_change": "Largest rank change",
        "system_note": " ".join(BUILTIN_NOTES[BUILTIN_SYSTEM]),
        "weights_note": "{norm}, {scope}; standardisation {standardise}, shift {shift}; weighting {within}.",
        "norm_all": "Weights sum to 1 over all {m} indicators for each province",
        "norm_dimension": "Weights sum to 1 within each dimension",
        "zscore_column_note": "Standardised as SPSS does (z-scores, sample sd, n - 1). Entropy needs non-negative "
                              "values, so each indicator column is shifted by |min z_j| + {c:g} (SPSSAU's per-column "
                              "shift); this is min-max scaled by range/s_j and ranks like min-max.",
        "zscore_constant_note": "Standardised as SPSS does (z-scores) and shifted by the constant {c:g}: a constant "
                                "shift flattens the entropy weights towards 1/m and can reverse rankings; use the "
                                "per-column shift (shift = \"column\").",
        "zscore_none_note": "Standardised as SPSS does (z-scores) without a shift: z-scores are negative below "
                            "the mean and entropy cannot be computed.",
        "scope_province": "computed for each province over its partner countries",
        "scope_pooled": "computed once over all province-country pairs (pooled)",
        "constant_note": "Constant indicator columns (same value for every country) carry no information and get "
                         "weight 0: {items}.",
        "item_sep": "; ",
        "ahp_note": "lambda_max = {lam:.4f}, CI = {ci:.4f}, RI = {ri:.2f} ({ri_table}), CR = {cr:.4f}: the matrix "
                    "{verdict} the consistency test (threshold {threshold:g}). lambda_max in the eigenvector column "
                    "is the principal eigenvalue; the other columns give (1/n) sum (Aw)_i / w_i. The final score "
                    "uses the {method} weights.",
        "passes": "passes", "fails": "FAILS",
        "score_note": "Score = sum over dimensions of AHP weight x dimension score; dimension score = sum over "
                      "the dimension's indicators of entropy weight x standardised value.",
        "frequency_note": "For each country the provinces are ranked by score; cells count the countries (of {n}) "
                          "that put the province in each band.",
        "robust_note": "Change = rank under the method minus rank under {main}; TOPSIS uses the same global weights "
                       "(entropy weight x AHP weight) on the standardised data, with the ideal and "
                       "anti-ideal points taken over all province-country pairs (over the province's own countries "
                       "when standardise_scope = \"province\").",
        "figure_note": "Frequency of each province's rank among provinces across countries.",
        "figure_title": "Frequency of province ranks by DRC region",
        "figure_ylabel": "countries",
    },
}

Saaty = int | float | str  # a judgment on Saaty's 1-9 scale: 3, 0.5 or "1/3"

#: The full judgment matrix of :data:`DEFAULT_AHP_UPPER` (the template's example of ``[ahp] matrix``).
_EXAMPLE_MATRIX = [list(row) for row in PUBLISHED_AHP_MATRIX]


class LinkageStudySpec(RegionsSection):
    """Everything the linkage study needs; the defaults reproduce the demo.

    Data: a long table with one row per (province, country, indicator) and a value.
    Weighting: min-max standardisation with the ``"auto"`` shift (+0.0001) over all
    province-country pairs (``standardise_scope="all"``, so that scores compare across
    provinces; ``"province"`` standardises each province over its own countries, which
    removes the province's level: see the module docstring), entropy weights normalised
    over all indicators (``normalise="all"``, as published; ``"dimension"``: within each
    dimension), computed per province over the countries (``scope="province"``, as
    published) or once over all pairs (``scope="pooled"``); a constant indicator
    column of a province (e.g. no railway trips at all) gets weight 0 and a note
    (``constant="zero"``; ``"raise"`` stops instead). Indicators: the built-in system or an
    indicator hierarchy file (TOML/YAML, relative to the study file). AHP: judgments as a
    full matrix, upper triangle or named pairs over the dimensions; for the built-in
    system the default is the published matrix :data:`PUBLISHED_AHP_MATRIX`. The
    arithmetic-mean weights give the main score (as published); the eigenvector and
    geometric-mean weights are the robustness check.
    """

    TITLE: ClassVar[str] = "linkage of provinces with Belt-and-Road countries (entropy + AHP)"
    STUDY_NAME: ClassVar[str] = "linkage"
    #: The published configuration where it differs from the defaults: SPSS z-scores with the
    #: per-column shift entropy needs. (The published AHP matrix, the arithmetic-mean weighting
    #: and the 16-indicator entropy normalisation are the defaults.)
    PUBLISHED: ClassVar[dict[str, Any]] = {"standardise": "zscore", "shift": "column", "table_province": "甘肃"}

    data_path: str | None = study_field(
        None, section="data", key="path", path=True, example="linkage.csv",
        help="long table, one row per province x country x indicator (CSV, Excel, Parquet); "
             "unset: SYNTHETIC demo cube")
    sheet: str | None = study_field(None, section="data", example="Sheet1", help="Excel sheet")
    province: str = study_field("province", section="data",
                                help="province column (any spelling: 北京市, 北京, Beijing, 110000 ...)")
    country: str = study_field("country", section="data",
                               help="country column (ISO3/ISO2, Chinese or English names: VNM, 越南, Viet Nam ...)")
    indicator: str = study_field("indicator", section="data", help="indicator column (codes of the system below)")
    value: str = study_field("value", section="data", help="value column")
    exclude_provinces: list[str] = study_field(default_factory=list, section="data",
                                               help='provinces left out, e.g. ["西藏"]')
    exclude_countries: list[str] = study_field(default_factory=list, section="data",
                                               help='countries left out, e.g. ["Bhutan"]')
    system: str = study_field(
        BUILTIN_SYSTEM, section="indicators",
        help="built-in system (5 dimensions, 16 indicators), or an indicator hierarchy file (.toml/.yaml)")
    standardise: Literal["minmax", "zscore"] = study_field(
        "minmax", section="weighting", help='"minmax" or "zscore" (SPSS: sample sd)')
    standardise_scope: Literal["all", "province"] = study_field(
        "all", section="weighting",
        help='"all": over all province-country pairs (scores compare across provinces); '
             '"province": within each province (removes the province\'s level)')
    shift: float | Literal["auto", "none", "rescale", "column"] | None = study_field(
        "auto", section="weighting",
        help='"auto" (+0.0001 after min-max), "none", a number, "rescale" or "column"')
    bounds: list[float] | None = study_field(
        None, section="weighting", example=[0.01, 0.99], min_length=2, max_length=2,
        help='target interval [a, b] of shift = "rescale"')
    offset: float = study_field(
        0.0001, section="weighting", ge=0,
        help='c of the per-column shift |min| + c ("column", and z-scores under "auto")')
    within: Literal["entropy", "critic", "sd"] = study_field(
        "entropy", section="weighting", help='indicator weights: "entropy", "critic" or "sd"')
    normalise: Literal["all", "dimension"] = study_field(
        "all", section="weighting",
        help='"all": the indicator weights of a province sum to 1 over all indicators (published: 16 weights, '
             'Table 2); "dimension": they sum to 1 within each dimension (a one-indicator dimension then gets '
             'weight 1 and, with country-level data, the same score in every province)')
    scope: Literal["province", "pooled"] = study_field(
        "province", section="weighting",
        help='"province": each province its own weights over the countries (published); '
             '"pooled": one weight vector over all province-country pairs')
    constant: Literal["zero", "raise"] = study_field(
        "zero", section="weighting", help='a constant indicator column of a province gets weight 0 ("raise" to stop)')
    ahp_dimensions: list[str] | None = study_field(
        None, section="ahp", key="dimensions", example=["economy", "goods", "capital", "people", "ict"],
        help="order of the rows/columns of the judgments below (default: the system's order)")
    ahp_upper: list[Saaty] | None = study_field(
        None, section="ahp", key="upper", example=list(DEFAULT_AHP_UPPER),
        help='upper triangle row by row (Saaty 1-9; "1/3" allowed); unset with the built-in system: the '
             "published matrix (it reproduces every published AHP number)")
    ahp_matrix: list[list[Saaty]] | None = study_field(
        None, section="ahp", key="matrix", example=_EXAMPLE_MATRIX, help="or the full judgment matrix")
    ahp_pairs: list[list[Saaty]] | None = study_field(
        None, section="ahp", key="pairs", example=[["economy", "goods", 1], ["economy", "capital", 2]],
        help="or [a, b, judgment] for every pair of dimensions")
    ri_table: Literal["saaty1980", "saaty2005", "chinese_textbook", "tummala_ling1998", "alonso_lamata2006",
                      "donegan_dodd1991"] = study_field("saaty1980", section="ahp", help="random index table")
    threshold: float = study_field(0.1, section="ahp", gt=0, help="consistency ratio limit")
    on_inconsistent: Literal["warn", "raise", "ignore"] = study_field(
        "warn", section="ahp", help="when CR exceeds the limit: warn, raise or ignore")
    ahp_method: Literal["eigenvector", "arithmetic", "geometric"] = study_field(
        "arithmetic", section="ahp", key="method",
        help="weights of the final score: arithmetic (published), geometric or eigenvector; the other two are "
             "the robustness check (Tables 10-11)")
    topsis: bool = study_field(True, section="robustness", help="also rank by TOPSIS on the same weights")
    table_province: str | None = study_field(
        None, section="tables", key="province", example="甘肃",
        help="one province's tables as published: its 16 indicator weights (Table 2) and its score and rank "
             "for every country (Table 4); unset: none")

    @classmethod
    def from_dict(cls, raw: Any, *, base_dir: Path | None = None, origin: str | None = None) -> Self:
        """As :meth:`StudySpec.from_dict`; an indicator hierarchy file is relative to the study file too."""
        system = raw.get("indicators", {}).get("system") if isinstance(raw.get("indicators"), dict) else None
        if base_dir is not None and isinstance(system, str) and Path(system).suffix.lower() in SYSTEM_FILE_SUFFIXES:
            p = Path(system).expanduser()
            raw = {**raw, "indicators": {**raw["indicators"], "system": str(p if p.is_absolute() else base_dir / p)}}
        return super().from_dict(raw, base_dir=base_dir, origin=origin)

    def check(self) -> None:
        """Rules across keys (types, choices and ranges are checked by the declaration)."""
        given = [k for k, v in (("matrix", self.ahp_matrix), ("upper", self.ahp_upper), ("pairs", self.ahp_pairs))
                 if v is not None]
        if len(given) > 1:
            raise StudySpecError(f"give only one of [ahp] matrix, upper, pairs (got {', '.join(given)}).")
        if self.system not in builtin_systems() and Path(self.system).suffix.lower() not in SYSTEM_FILE_SUFFIXES:
            raise StudySpecError(f"[indicators] system = {self.system!r} is neither a built-in system "
                                 f"({', '.join(builtin_systems())}) nor a .toml/.yaml file.")
        if not given and self.system != BUILTIN_SYSTEM:
            raise StudySpecError("a custom indicator system needs AHP judgments over its dimensions: set [ahp] "
                                 "upper, matrix or pairs in the study file.")
        if self.bounds is not None and not self.bounds[0] < self.bounds[1]:
            raise StudySpecError(f"[weighting] bounds = {self.bounds}: expected [a, b] with a < b.")
        if self.bounds is not None and self.shift != "rescale":
            raise StudySpecError(f'[weighting] bounds is only used with shift = "rescale" (shift is {self.shift!r}).')
        if isinstance(self.shift, float) and self.shift < 0:
            raise StudySpecError(f"[weighting] shift = {self.shift}: a constant shift must be a number >= 0.")
        if self.table_province is not None and not self.has_region_table:
            try:
                resolve_province(self.table_province)
            except InputError:
                raise StudySpecError(f"[tables] province = {self.table_province!r} is not a province; write it as "
                                     "甘肃, 甘肃省, Gansu or 620000.") from None

    @property
    def shift_value(self) -> float | str | None:
        """The shift as :func:`~exportlens.measures.composite.standardise` takes it (``"none"`` is None)."""
        return None if self.shift == "none" else self.shift

    def load_system(self) -> IndicatorSystem:
        """The indicator system: a built-in name or an indicator hierarchy file (TOML/YAML)."""
        if self.system in builtin_systems():
            return IndicatorSystem.builtin(self.system)
        return IndicatorSystem.from_file(self.system)

    def judgments(self, system: IndicatorSystem) -> pd.DataFrame:
        """The checked AHP judgment matrix, in the order of the system's dimensions."""
        dims = system.dimension_codes
        order = list(self.ahp_dimensions) if self.ahp_dimensions is not None else dims
        if sorted(order) != sorted(dims):
            raise StudySpecError(
                f"[ahp] dimensions {order} must list the system's dimensions {dims}, each once."
            )
        try:
            if self.ahp_matrix is not None:
                m = pairwise_matrix(self.ahp_matrix, labels=order)
            elif self.ahp_pairs is not None:
                m = pairwise_matrix(pairs=self.ahp_pairs, labels=order)
            else:
                upper = self.ahp_upper if self.ahp_upper is not None else list(DEFAULT_AHP_UPPER)
                m = pairwise_matrix(upper=upper, labels=order)
        except InputError as exc:
            raise StudySpecError(f"[ahp] judgments: {exc}") from exc
        return m.loc[dims, dims]

# --- data -----------------------------------------------------------------------------


def load_linkage_data(spec: LinkageStudySpec) -> pd.DataFrame:
    """The long table named in the spec (CSV, Excel, Parquet), or the SYNTHETIC demo cube."""
    if spec.data_path is None:
        return linkage_demo_cube()
    path = Path(spec.data_path)
    if not path.exists():
        raise DataFormatError(f"Data file {path} not found.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, sheet_name=spec.sheet or 0)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".csv", ".txt"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, encoding=encoding)
            except UnicodeDecodeError:
                continue
        raise DataFormatError(f"{path}: cannot decode the file as UTF-8 or GB18030.")
    raise DataFormatError(f"{path}: use a .csv, .xlsx or .parquet file (long table).")


@dataclass
class LinkageCube:
    """The checked data: wide matrix (rows = (province code, country ISO3), columns = indicators)."""

    wide: pd.DataFrame
    notes: list[str]


def prepare_cube(data: pd.DataFrame, spec: LinkageStudySpec, system: IndicatorSystem) -> LinkageCube:
    """Resolve names, check completeness and pivot the long table to a wide matrix.

    Raises on missing columns, unknown provinces/countries/indicators, non-numeric or
    missing values, duplicated (province, country, indicator) rows and incomplete cubes,
    naming the offending rows or cells. Exclusions of the spec are reported in the notes.
    """
    cols = [spec.province, spec.country, spec.indicator, spec.value]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"Column(s) {missing} named in the study spec are not in the data; available columns: "
            f"{list(map(str, data.columns))}."
        )
    notes: list[str] = []
    frame = data[cols].copy()
    frame["_code"] = (spec.region_set().resolve(frame[spec.province]).to_numpy() if spec.has_region_table else
                      resolve_provinces(frame[spec.province], allow_non_mainland=False).to_numpy())
    frame["_iso3"] = resolve_countries(frame[spec.country]).to_numpy()
    frame["_ind"] = frame[spec.indicator].astype(str).str.strip()
    unknown = sorted(set(frame["_ind"]) - set(system.codes))
    if unknown:
        raise InputError(
            f"Indicator(s) {unknown} in column {spec.indicator!r} are not in the indicator system "
            f"{system.name!r} (codes: {system.codes})."
        )
    present = set(frame["_ind"])
    absent = [c for c in system.codes if c not in present]
    if absent:
        raise InputError(f"Indicator(s) {absent} of the system {system.name!r} have no rows in the data.")
    values = pd.to_numeric(frame[spec.value], errors="coerce")
    bad = frame[values.isna() | ~np.isfinite(values.fillna(0.0))]
    if len(bad):
        items = [f"{row_ref(i, frame.index)}: {r[spec.province]}, {r[spec.country]}, {r[spec.indicator]} = {r[spec.value]!r}"
                 for i, r in bad.head(10).iterrows()]
        raise InputError(f"{len(bad)} missing or non-numeric value(s): {'; '.join(items)}"
                         + (" ..." if len(bad) > 10 else "") + ". Impute or remove them explicitly.")
    frame["_value"] = values.astype(float)
    if spec.exclude_provinces:
        drop = ({resolve_province(x).code for x in spec.exclude_provinces} if not spec.has_region_table else
                set(spec.region_set().resolve(spec.exclude_provinces, what="[data] exclude_provinces region")))
        n0 = len(frame)
        frame = frame[~frame["_code"].isin(drop)]
        notes.append(f"Excluded provinces (study file): {sorted(drop)}, {n0 - len(frame)} rows.")
    if spec.exclude_countries:
        drop_c = {resolve_country(x).iso3 for x in spec.exclude_countries}
        n0 = len(frame)
        frame = frame[~frame["_iso3"].isin(drop_c)]
        notes.append(f"Excluded countries (study file): {sorted(drop_c)}, {n0 - len(frame)} rows.")
    dup = frame.duplicated(["_code", "_iso3", "_ind"], keep=False)
    if dup.any():
        items = [f"{row_ref(i, frame.index)}: {r[spec.province]}, {r[spec.country]}, {r[spec.indicator]}"
                 for i, r in frame[dup].head(10).iterrows()]
        raise InputError(f"{int(dup.sum())} rows duplicate a (province, country, indicator) cell: {'; '.join(items)}.")
    wide = frame.pivot(index=["_code", "_iso3"], columns="_ind", values="_value")
    provinces = sorted(frame["_code"].unique())
    countries = _country_order(frame["_iso3"].unique())
    full = pd.MultiIndex.from_product([provinces, countries], names=["province", "country"])
    wide.index = wide.index.set_names(["province", "country"])
    wide = wide.reindex(index=full, columns=system.codes)
    holes = wide.isna()
    if holes.to_numpy().any():
        pairs, inds = list(wide.index), list(wide.columns)
        cells = [f"({pairs[r][0]}, {pairs[r][1]}, {inds[c]})" for r, c in np.argwhere(holes.to_numpy()).tolist()]
        raise InputError(
            f"The data cube is incomplete: {len(cells)} (province, country, indicator) cell(s) have no row: "
            + "; ".join(cells[:20]) + (" ..." if len(cells) > 20 else "")
            + ". Every province needs every indicator for every country."
        )
    if len(provinces) < 2:
        raise InputError(f"The linkage study needs at least 2 provinces; the data have {len(provinces)}.")
    if len(countries) < 2:
        raise InputError(f"The linkage study needs at least 2 countries; the data have {len(countries)}.")
    wide.columns.name = "indicator"
    return LinkageCube(wide=wide, notes=notes)


def _country_order(iso3: Any) -> list[str]:
    present = set(iso3)
    return [c.iso3 for c in belt_and_road_countries() if c.iso3 in present]


# --- results --------------------------------------------------------------------------

@dataclass
class LinkageStudyResult(WritableResult):
    """Everything the study produced; tables are built on demand in either language.

    ``scores``: one row per (province code, country ISO3) with the dimension scores,
    ``score`` (main AHP method), ``score_<method>`` for the three AHP weightings and
    ``topsis``. ``weights``: indicator weights (over all indicators or within dimensions,
    ``spec.normalise``), one row per province
    (or one pooled row). ``constant``: indicators with a constant column, by province.
    """

    spec: LinkageStudySpec
    system: IndicatorSystem
    ahp: AHPResult
    wide: pd.DataFrame
    scores: pd.DataFrame
    weights: pd.DataFrame
    constant: dict[Any, list[str]]
    notes: list[str]
    synthetic: bool = False
    #: the standardised (and shifted) values x' the weights and scores were computed from
    standardised: pd.DataFrame | None = None

    # --- derived tables (language-independent, keyed by codes) ---------------------

    @property
    def provinces(self) -> list[int]:
        return list(self.scores.index.get_level_values(0).unique())

    @property
    def countries(self) -> list[str]:
        return list(self.scores.index.get_level_values(1).unique())

    def score_matrix(self, column: str = "score") -> pd.DataFrame:
        """Countries x provinces matrix of one score column."""
        return self.scores[column].unstack(level=0).reindex(self.countries)

    def country_ranks(self) -> pd.DataFrame:
        """Countries x provinces: rank of each country within the province (1 = strongest)."""
        return self.score_matrix().rank(axis=0, ascending=False, method="min").astype(int)

    def province_ranks_by_country(self) -> pd.DataFrame:
        """Provinces x countries: rank of the province among all provinces for that country."""
        return self.score_matrix().rank(axis=1, ascending=False, method="min").astype(int).T

    def rank_frequency(self, bands: tuple[tuple[int, int], ...] = RANK_BANDS) -> pd.DataFrame:
        """Provinces x bands: how many countries rank the province inside each band."""
        ranks = self.province_ranks_by_country()
        n = len(self.provinces)
        bands = tuple((lo, n if (lo, hi) == bands[-1] else hi) for lo, hi in bands)  # the last band: to the last rank
        out = pd.DataFrame(
            {f"[{lo}, {hi}]": ((ranks >= lo) & (ranks <= hi)).sum(axis=1) for lo, hi in bands if lo <= n},
            index=ranks.index,
        )
        return out

    def province_ranking(self, column: str = "score") -> pd.DataFrame:
        """Provinces by average score over all countries: average and rank (1 = highest)."""
        avg = self.scores[column].groupby(level=0).mean()
        out = pd.DataFrame({"average": avg, "rank": avg.rank(ascending=False, method="min").astype(int)})
        return out.sort_values(["rank"])

    def by_dimension(self) -> pd.DataFrame:
        """Provinces x dimensions: average dimension score over countries."""
        return self.scores[self.system.dimension_codes].groupby(level=0).mean()

    def by_subregion(self, column: str = "score") -> pd.DataFrame:
        """Provinces x subregions: average score over the subregion's countries."""
        sub = resolve_countries(pd.Series(self.scores.index.get_level_values(1)), to="subregion").to_numpy()
        table = self.scores[column].groupby([self.scores.index.get_level_values(0), sub]).mean().unstack()
        return table[[s.code for s in SUBREGIONS if s.code in table.columns]]

    def robustness(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Province ranks under each weighting (and changes vs the main one) and Kendall's tau.

        Kendall's tau-b (scipy.stats.kendalltau) between the average scores of every pair of
        weightings; a tau of 1 means the same ranking.
        """
        # scipy.stats costs 0.6 s to import: paid only when this table is made
        from scipy.stats import kendalltau

        methods = list(AHP_METHODS) + (["topsis"] if "topsis" in self.scores.columns else [])
        cols = {m: ("topsis" if m == "topsis" else f"score_{m}") for m in methods}
        avg = pd.DataFrame({m: self.scores[c].groupby(level=0).mean() for m, c in cols.items()})
        ranks = avg.rank(ascending=False, method="min").astype(int)
        main = self.spec.ahp_method
        table = ranks.copy()
        for m in methods:
            if m != main:
                table[f"{m}_change"] = ranks[m] - ranks[main]
        table = table.sort_values(main)
        rows = []
        for i, a in enumerate(methods):
            for b in methods[i + 1:]:
                res = kendalltau(avg[a], avg[b])
                changed = int((ranks[a] != ranks[b]).sum())
                rows.append({"a": a, "b": b, "tau": float(res.statistic), "p_value": float(res.pvalue),
                             "provinces_with_rank_change": changed,
                             "max_abs_change": int((ranks[a] - ranks[b]).abs().max())})
        return table, pd.DataFrame(rows)

    def uses_published_ahp(self) -> bool:
        """Whether the AHP numbers are comparable with the publication's: the built-in system's
        dimensions judged with the published matrix and Saaty's (1980) RI table."""
        if self.system.name != BUILTIN_SYSTEM or self.spec.ri_table != "saaty1980":
            return False
        published = pairwise_matrix([list(r) for r in PUBLISHED_AHP_MATRIX],
                                    labels=["economy", "goods", "capital", "people", "ict"])
        m = self.ahp.matrix
        return list(m.index) == list(published.index) and np.allclose(m.to_numpy(), published.to_numpy(), rtol=1e-9)

    def published_comparison(self) -> list[tuple[str, str, str]]:
        """``(number, published, this run)`` for the AHP numbers, which do not depend on the data,
        at the publication's rounding; empty when the run uses other judgments or another RI table."""
        if not self.uses_published_ahp():
            return []
        a = self.ahp
        mine = {"lambda_max": f"{a.lambda_max:.4f}", "CI": f"{a.ci:.4f}", "RI": f"{a.ri:.2f}", "CR": f"{a.cr:.4f}"}
        for method, label in (("arithmetic", "arithmetic mean"), ("geometric", "geometric mean"),
                              ("eigenvector", "eigenvector")):
            mine[f"weights, {label} (%)"] = "/".join(f"{100 * w:.2f}" for w in a.weight(method))
        return [(k, v, mine[k]) for k, v in PUBLISHED_AHP_NUMBERS.items()]

    def to_frame(self) -> pd.DataFrame:
        """The long score table (province code, country ISO3, dimension scores, scores)."""
        return self.scores.reset_index()

    def summary(self) -> str:
        """Plain-text overview: AHP consistency, top provinces, robustness, notes."""
        a = self.ahp
        rank = self.province_ranking()
        lines = ["Linkage of provinces with Belt-and-Road countries"
                 + (" (SYNTHETIC demo data)" if self.synthetic else "")]
        lines.append(f"{len(self.provinces)} provinces x {len(self.countries)} countries x "
                     f"{len(self.system.codes)} indicators in {len(self.system.dimension_codes)} dimensions; "
                     f"{self.spec.within} weights "
                     f"{'over all indicators' if self.spec.normalise == 'all' else 'within dimensions'} "
                     f"({self.spec.scope}), "
                     f"{self.spec.standardise} standardisation, shift={self.spec.shift_value!r}")
        lines.append(f"AHP: lambda_max = {a.lambda_max:.4f}, CI = {a.ci:.4f}, RI = {a.ri:.2f} ({a.ri_table}), "
                     f"CR = {a.cr:.4f}; weights ({self.spec.ahp_method}): "
                     + ", ".join(f"{d} {w:.4f}" for d, w in a.weight(self.spec.ahp_method).items()))
        lines.append("Top provinces by average score: " + ", ".join(
            f"{_province_label(p, 'en', self.spec)} ({r['average']:.4f})" for p, r in rank.head(5).iterrows()))
        _, tau = self.robustness()
        for _, r in tau.iterrows():
            lines.append(f"  Kendall tau {r['a']} vs {r['b']}: {r['tau']:.4f} (p {r['p_value']:.3g}); "
                         f"{r['provinces_with_rank_change']} provinces change rank (max {r['max_abs_change']})")
        lines += [f"Note: {n}" for n in self.notes]
        return self.spec.reword("\n".join(lines))

    # --- what the runner writes -------------------------------------------------------

    def data_files(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """The long scores with province and country names in ``lang`` (``scores_long.csv``)."""
        long = self.to_frame()
        long.insert(1, "province_name", [_province_label(p, lang, self.spec) for p in long["province"]])
        long.insert(3, "country_name", [country_label(c, lang) for c in long["country"]])
        return {"scores_long": long}

    def draw_figures(self, out_dir: Path, lang: str) -> list[Path]:
        """Figures 1-4: frequency of each province's ranks, by comprehensive economic region."""
        flang = self.figure_lang(lang)
        text = self.spec.wording(TEXT, flang)
        gname = self.spec.study_grouping("drc8")
        glabels = self.spec.group_labels(gname, flang)
        freq = self.rank_frequency()
        if len(freq) > MAX_FIGURE_REGIONS:
            note = (f"Figures 1-4 (rank frequencies by region group) are drawn for up to {MAX_FIGURE_REGIONS} regions; "
                    f"the data have {len(freq)}: Table 9 has the frequencies.")
            if note not in self.notes:
                self.notes.append(note)
            return []
        region_of = dict(zip(freq.index, self.spec.region_groups(list(freq.index), gname).to_numpy(), strict=True))
        order = [r for r in glabels if r in set(region_of.values())]
        labels = {p: _province_label(p, flang, self.spec) for p in freq.index}
        freq = freq.rename(index=labels)
        region_of = {labels[p]: r for p, r in region_of.items()}
        synth = (" " + term("synthetic_short", flang)) if self.synthetic else ""
        return rank_frequency_histograms(
            freq, region_of, region_order=order, region_labels=glabels,
            out_dir=out_dir, stem="figure", regions_per_figure=2, title=text["figure_title"],
            note=text["figure_note"] + synth, ylabel=text["figure_ylabel"], lang=flang,
        )

    # --- publication tables ---------------------------------------------------------

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-11 as :class:`~exportlens.report.tables.FrameTable` objects."""
        text = localized(TEXT, lang)
        base = synthetic_notes(self.synthetic, lang)
        province = term("Province", lang) if not self.spec.has_region_table else text["region_table_region"]
        sysm = self.system
        plab = {p: _province_label(p, lang, self.spec) for p in self.provinces}
        clab = {c: country_label(c, lang) for c in self.countries}
        dlab = {d: sysm.label(d, lang) for d in sysm.dimension_codes}
        ilab = {i: sysm.label(i, lang) for i in sysm.codes}
        mlab = localized(AHP_METHOD_LABELS, lang)
        t: dict[str, Any] = {}

        ind = sysm.indicators
        t1 = pd.DataFrame({
            text["dimension"]: [dlab[d] for d in ind["dimension"]],
            text["indicator"]: [ilab[i] for i in ind["code"]],
            "code": list(ind["code"]),
            text["direction"]: [text[d] for d in ind["direction"]],
            text["unit"]: list(ind["unit"]),
            text["source"]: list(ind["source"]),
            text["filled"]: [text["yes"] if f else "" for f in ind["filled"]],
        })
        system_notes = [text["system_note"]] if sysm.name == BUILTIN_SYSTEM else []
        t["table1"] = FrameTable(t1, title=text["table1"], notes=[*base, *system_notes], index=False)

        wt = self.weights.rename(columns=ilab)
        wt.index = [text["pooled"] if p == "pooled" else plab[p] for p in wt.index]
        wt.index.name = province
        t["table2"] = FrameTable(wt, title=text["table2"], digits=4,
                                 notes=[*base, self._weights_note(text), *self._zscore_notes(text),
                                        *self._constant_notes(text, lang)])

        if self.spec.table_province is not None:
            t["table2_province"] = self._province_weights_table(text, lang, base)

        a = self.ahp
        t3 = a.matrix.copy()
        t3.index = [dlab[d] for d in t3.index]
        t3.columns = [dlab[d] for d in t3.columns]
        for m in ("arithmetic", "geometric", "eigenvector"):
            t3[mlab[m]] = a.weights[m].to_numpy()
        extra = pd.DataFrame(np.nan, index=[text["lambda"], "CI", "RI", "CR"], columns=t3.columns)
        n = a.n
        for m in ("arithmetic", "geometric", "eigenvector"):
            lam = a.lambda_max if m == "eigenvector" else float(a.lambda_by_method[m])
            ci = (lam - n) / (n - 1) if n > 1 else 0.0
            extra.loc[:, mlab[m]] = [lam, ci, a.ri, ci / a.ri if a.ri > 0 else 0.0]
        t3 = pd.concat([t3, extra])
        t3.index.name = text["dimension"]
        ahp_note = text["ahp_note"].format(
            lam=a.lambda_max, ci=a.ci, ri=a.ri, ri_table=a.ri_table, cr=a.cr, threshold=a.threshold,
            verdict=text["passes" if a.consistent else "fails"], method=self.spec.ahp_method,
            method_label=mlab[self.spec.ahp_method])
        if not a.cr_available:  # more dimensions than the RI table covers: weights, but no CR
            ahp_note = str(a.cr_note)
        t["table3"] = FrameTable(t3, title=text["table3"], digits=4, notes=[*base, ahp_note])

        subregions = dict(zip(self.countries, assign_subregion(self.countries, lang=lang), strict=True))
        sm = self.score_matrix().rename(columns=plab)
        sm.insert(0, text["subregion"], [subregions[c] for c in sm.index])
        sm.index = [clab[c] for c in sm.index]
        sm.index.name = text["country"]
        t["table4_scores"] = FrameTable(sm, title=text["table4_scores"], digits=4, notes=[*base, text["score_note"]])
        cr = self.country_ranks().rename(columns=plab)
        cr.insert(0, text["subregion"], [subregions[c] for c in cr.index])
        cr.index = [clab[c] for c in cr.index]
        cr.index.name = text["country"]
        t["table4_ranks"] = FrameTable(cr, title=text["table4_ranks"], notes=base)
        if self.spec.table_province is not None:
            t["table4_province"] = self._province_scores_table(text, lang, base, subregions, clab)

        gname = self.spec.study_grouping("drc8")
        glab = self.spec.group_labels(gname, lang)
        region = {p: glab[g] for p, g in zip(self.provinces, self.spec.region_groups(self.provinces, gname), strict=True)}
        group_head = text["region"] if not self.spec.has_region_table else text["region_table_group"]
        pr = self.province_ranking()
        t5 = pd.DataFrame({group_head: [region[p] for p in pr.index], text["average"]: pr["average"].to_numpy(),
                           text["rank"]: pr["rank"].to_numpy()}, index=[plab[p] for p in pr.index])
        t5.index.name = province
        t["table5"] = FrameTable(t5, title=text["table5"], digits=4, notes=base)

        t["table6"] = FrameTable(_score_rank_table(self.by_dimension(), dlab, pr.index, plab, text, province),
                                 title=text["table6"], digits=4, notes=base)
        slab = {s: subregion(s).label(lang) for s in self.by_subregion().columns}
        t["table7"] = FrameTable(_score_rank_table(self.by_subregion(), slab, pr.index, plab, text, province),
                                 title=text["table7"], digits=4, notes=base)

        prc = self.province_ranks_by_country().reindex(pr.index).rename(columns=clab)
        prc.index = [plab[p] for p in prc.index]
        prc.index.name = province
        t["table8_province_ranks"] = FrameTable(prc, title=text["table8_province_ranks"], notes=base)
        freq = self.rank_frequency().reindex(pr.index)
        freq.insert(0, group_head, [region[p] for p in freq.index])
        freq.index = [plab[p] for p in freq.index]
        freq.index.name = province
        t["table9_rank_frequency"] = FrameTable(freq, title=text["table9_rank_frequency"],
                                                notes=[*base, text["frequency_note"].format(n=len(self.countries))])

        rob, tau = self.robustness()
        rob = rob.rename(columns=lambda c: (f"{mlab[c[:-7]]} {text['change']}" if c.endswith("_change")
                                            else f"{mlab[c]} {text['rank']}"))
        rob.index = [plab[p] for p in rob.index]
        rob.index.name = province
        t["table10_robustness"] = FrameTable(rob, title=text["table10_robustness"],
                                             notes=[*base, text["robust_note"].format(main=mlab[self.spec.ahp_method])])
        tau_t = tau.assign(a=tau["a"].map(mlab), b=tau["b"].map(mlab)).rename(columns={
            "a": text["method_a"], "b": text["method_b"], "tau": text["tau"], "p_value": text["p"],
            "provinces_with_rank_change": text["provinces_changing"], "max_abs_change": text["largest_change"],
        })
        t["table11_kendall"] = FrameTable(tau_t, title=text["table11_kendall"], digits=4, index=False, notes=base)
        return self.spec.reword_tables(t)  # a [regions] table: its regions, not "provinces"

    def _weights_note(self, text: dict[str, str] | Any) -> str:
        s = self.spec
        norm = text[f"norm_{s.normalise}"].format(m=len(self.system.codes))
        return text["weights_note"].format(norm=norm, scope=text[f"scope_{s.scope}"], standardise=s.standardise,
                                           shift=repr(s.shift_value), within=s.within)

    def table_province_code(self) -> int:
        """The province of the single-province tables (``[tables] province``), checked against the data."""
        name = self.spec.table_province
        if name is None:
            raise InputError("No province for the single-province tables: set [tables] province in the study file.")
        code = (resolve_province(name).code if not self.spec.has_region_table else
                self.spec.region_set().resolve([name], what="[tables] province").iloc[0])
        if code not in self.provinces:
            raise InputError(f"[tables] province = {name!r} is not in the data (or is excluded); provinces: "
                             f"{', '.join(_province_label(p, 'zh', self.spec) for p in self.provinces[:40])}"
                             f"{' ...' if len(self.provinces) > 40 else ''}.")
        return code

    def _province_weights_table(self, text: Any, lang: str, base: list[str]) -> FrameTable:
        """The publication's Table 2: one province's indicator weights (%), dimension by dimension."""
        code = self.table_province_code()
        sysm = self.system
        ind = sysm.indicators
        w = self.weights.loc[code, list(ind["code"])].to_numpy() * 100
        frame = pd.DataFrame({
            text["level1"]: [sysm.label(d, lang) for d in ind["dimension"]],
            text["level2"]: [sysm.label(i, lang) for i in ind["code"]],
            text["weight_pct"]: w,
        })
        frame.loc[len(frame)] = [text["total"], "", float(w.sum())]
        name = _province_label(code, lang, self.spec)
        notes = [*base, text["province_weights_note"].format(province=name, m=len(ind))]
        if self.spec.normalise == "dimension":
            notes.append(text["norm_dimension"])
        return FrameTable(frame, title=text["table2_province"].format(province=name), digits=2, index=False,
                          notes=notes)

    def _province_scores_table(self, text: Any, lang: str, base: list[str], subregions: dict[str, str],
                               clab: dict[str, str]) -> FrameTable:
        """The publication's Table 4: one province's score and rank for each country."""
        code = self.table_province_code()
        score = self.score_matrix()[code]
        rank = self.country_ranks()[code]
        frame = pd.DataFrame({text["subregion"]: [subregions[c] for c in score.index],
                              text["score"]: score.to_numpy(), text["rank"]: rank.to_numpy()},
                             index=pd.Index([clab[c] for c in score.index], name=text["country"]))
        name = _province_label(code, lang, self.spec)
        return FrameTable(frame, title=text["table4_province"].format(province=name), digits=4,
                          notes=[*base, text["score_note"],
                                 text["province_scores_note"].format(province=name, n=len(score))])

    def _zscore_notes(self, text: dict[str, str] | Any) -> list[str]:
        """What the shift after SPSS z-scores does (entropy needs non-negative values)."""
        return zscore_shift_notes(self.spec, text)

    def _constant_notes(self, text: dict[str, str] | Any, lang: str) -> list[str]:
        if not self.constant:
            return []
        ilab = {i: self.system.label(i, lang) for i in self.system.codes}
        items = [f"{_province_label(p, lang, self.spec)}: {', '.join(ilab[i] for i in inds)}" for p, inds in self.constant.items()]
        return [text["constant_note"].format(items=text["item_sep"].join(items))]


def zscore_shift_notes(spec: LinkageStudySpec, text: dict[str, str] | Any) -> list[str]:
    """The note on the shift that entropy needs after z-scores (empty for min-max)."""
    if spec.standardise != "zscore":
        return []
    shift = spec.shift
    if shift in ("auto", "column"):
        return [text["zscore_column_note"].format(c=spec.offset)]
    if isinstance(shift, float):
        return [text["zscore_constant_note"].format(c=shift)]
    if shift == "none":
        return [text["zscore_none_note"]]
    return []  # "rescale": min-max mapped to bounds, z-scores are not used


def _province_label(code: Any, lang: str, spec: LinkageStudySpec | None = None) -> str:
    """Province (or table region) name; the ``"pooled"`` row of pooled weights keeps its key."""
    if isinstance(code, str) and code == "pooled":
        return code
    if spec is not None and spec.has_region_table:
        return spec.region_label(code, lang)
    return province_label(code, lang)


def _score_rank_table(avg: pd.DataFrame, labels: dict[str, str], order: pd.Index, plab: dict[Any, str],
                      text: Any, province: str) -> pd.DataFrame:
    """Average score and rank of every province for each column of ``avg`` (dimensions, subregions)."""
    ranks = avg.rank(ascending=False, method="min").astype(int)
    out = pd.DataFrame(index=avg.index)
    for c in avg.columns:
        out[f"{labels[c]} {text['score']}"] = avg[c]
        out[f"{labels[c]} {text['rank']}"] = ranks[c]
    out = out.reindex(order)
    out.index = [plab[p] for p in out.index]
    out.index.name = province
    return out


# --- the analysis ---------------------------------------------------------------------


def run_linkage_study(data: pd.DataFrame, spec: LinkageStudySpec | None = None,
                      *, progress: Any = None) -> LinkageStudyResult:
    """Run the whole study on a long table and return its results (nothing is written).

    ``progress`` is an optional callable ``progress(step_description)``.
    """
    spec = spec or LinkageStudySpec()
    step = progress or (lambda _msg: None)
    notes: list[str] = []
    system = spec.load_system()
    step("check and pivot the data")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cube = prepare_cube(data, spec, system)
        notes += cube.notes
        step("AHP dimension weights")
        judgments = spec.judgments(system)
        a = ahp(judgments, ri_table=spec.ri_table, threshold=spec.threshold, on_inconsistent=spec.on_inconsistent)
        std = _standardised_cube(cube.wide, system, spec)
    for w in caught:  # keep them visible and in the notes/manifest of the run
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        notes.append(f"Warning: {w.message}")
    if spec.system == BUILTIN_SYSTEM and spec.ahp_matrix is None and spec.ahp_upper is None and spec.ahp_pairs is None:
        notes.append("AHP judgments: the published judgment matrix (economy, goods, capital, people, ict; "
                     "upper triangle 1/4, 1/3, 1/2, 1, 2, 3, 4, 2, 3, 2).")

    notes += zscore_shift_notes(spec, localized(TEXT, "en"))
    step("entropy weights and scores")
    wide = cube.wide
    main_w = a.weight(spec.ahp_method)
    dims = system.dimension_codes
    benefit = dict.fromkeys(system.codes, "benefit")
    blocks = []
    weight_rows: dict[Any, pd.Series] = {}
    constant: dict[Any, list[str]] = {}
    groups: list[tuple[Any, pd.DataFrame]] = (
        [(p, _province_rows(std, p)) for p in std.index.get_level_values(0).unique()]
        if spec.scope == "province" else [("pooled", std)])
    with warnings.catch_warnings():
        # Constant columns are reported once, in the Table 2 notes, not as 31 warnings.
        warnings.simplefilter("ignore", ConstantColumnWarning)
        for key, block in groups:
            try:
                ci = composite_index(block, system, method=None, weighting=spec.within, constant=spec.constant,
                                     dimension_weights={str(k): float(v) for k, v in main_w.items()},
                                     normalise=spec.normalise)
            except InputError as exc:
                where = f"Province {_province_label(key, 'en', spec)}" if key != "pooled" else "Pooled data"
                raise type(exc)(f"{where}: {exc}") from exc
            out = ci.dimension_scores.copy()
            dscore = ci.dimension_scores.to_numpy()
            out["score"] = ci.scores
            for m in AHP_METHODS:
                out[f"score_{m}"] = dscore @ a.weight(m).reindex(dims).to_numpy()
            if spec.topsis:
                # Ideal points from the same rows as the standardisation, so that closeness
                # compares across provinces when standardise_scope = "all".
                ref = std if spec.standardise_scope == "all" else None
                out["topsis"] = topsis(ci.standardised, ci.global_weights.rename("weight"), benefit,
                                       reference=ref)
            blocks.append(out)
            weight_rows[key] = ci.weights
            if ci.constant:
                constant[key] = ci.constant
    scores = pd.concat(blocks).reindex(wide.index)
    weights = pd.DataFrame(weight_rows).T[system.codes]
    weights.columns.name = "indicator"
    if constant:
        n_pairs = sum(len(v) for v in constant.values())
        notes.append(f"{n_pairs} constant (province, indicator) column(s) got weight 0 in {len(constant)} "
                     "province(s); see the Table 2 notes.")
    return LinkageStudyResult(
        spec=spec, system=system, ahp=a, wide=wide, scores=scores, weights=weights, constant=constant,
        notes=spec.reword_notes(notes), synthetic=bool(data.attrs.get("synthetic", False)), standardised=std,
    )


def _standardised_cube(wide: pd.DataFrame, system: IndicatorSystem, spec: LinkageStudySpec) -> pd.DataFrame:
    """Standardise every indicator over all pairs, or over each province's countries."""
    bounds = (spec.bounds[0], spec.bounds[1]) if spec.bounds is not None else None
    directions = system.directions()

    def scaled(rows: pd.DataFrame) -> pd.DataFrame:
        # constant columns are handled (weight 0 or error) by the weighting step
        return standardise(rows, directions, method=spec.standardise, shift=spec.shift_value, bounds=bounds,
                           offset=spec.offset, constant="zero")

    if spec.standardise_scope == "all":
        return scaled(wide)
    parts = [scaled(_province_rows(wide, p)) for p in wide.index.get_level_values(0).unique()]
    return pd.concat(parts).reindex(wide.index)


def _province_rows(frame: pd.DataFrame, province: Any) -> pd.DataFrame:
    """The rows of one province of a (province, country) frame, index kept."""
    rows = frame.xs(province, level=0, drop_level=False)
    assert isinstance(rows, pd.DataFrame)
    return rows


def _inputs(spec: LinkageStudySpec) -> dict[str, str]:
    """The files a run reads (none for the demo): the data and a user's indicator hierarchy file."""
    if spec.data_path is None:
        return {}
    files = {"data": spec.data_path}
    if spec.system not in builtin_systems():
        files["indicator_system"] = spec.system
    return files


STUDY = StudyDefinition(
    name="linkage",
    spec_class=LinkageStudySpec,
    load=load_linkage_data,
    run=lambda data, spec, progress=None: run_linkage_study(data, spec, progress=progress),
    steps=("load data", "check and pivot the data", "AHP dimension weights", "entropy weights and scores"),
    inputs=_inputs,
    demo_label="embedded SYNTHETIC demo cube (linkage_demo)",
)
