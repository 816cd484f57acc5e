"""Fixed texts of the reports, per study (``manifest["study"]``): title, the question the study
answers, method notes with their formulas (LaTeX for matplotlib mathtext) and figure captions,
in Chinese and English. The formulas are those implemented and documented in
:mod:`exportlens.measures`, :mod:`exportlens.mrio` and :mod:`exportlens.econometrics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exportlens.text import localized, region_wording

__all__ = ["STUDIES", "StudyText", "figure_caption", "region_level", "study_text"]


@dataclass(frozen=True)
class StudyText:
    title: dict[str, str]
    question: dict[str, str]
    #: (explanation zh, explanation en, LaTeX formula for mathtext or "")
    methods: tuple[tuple[str, str, str], ...]


STUDIES: dict[str, StudyText] = {
    "resilience": StudyText(
        title={"zh": "出口韧性与虚拟集聚", "en": "Export resilience and virtual agglomeration"},
        question={
            "zh": "数字经济带来的虚拟集聚是否增强了各省份出口在冲击下的韧性？这一作用是否在控制经济特征、使用滞后变量、考虑创新水平调节和分地区后依然成立？",
            "en": "Does the virtual agglomeration brought by the digital economy make provinces' exports more resilient to shocks, and does this hold with controls, lagged regressors, innovation as a moderator and by region?",
        },
        methods=(
            ("出口韧性：省份出口对数增长率与全国出口对数增长率之差（Martin 2012; Lagravinese 2015）。",
             "Export resilience: the province's log growth of exports minus the nation's (Martin 2012; Lagravinese 2015).",
             r"$SL_{it} = (\ln E_{it} - \ln E_{i,t-k}) - (\ln E_{t} - \ln E_{t-k})$"),
            ("虚拟集聚：ICT 就业区位熵的距离加权和。",
             "Virtual agglomeration: distance-weighted sum of the location quotients of ICT employment.",
             r"$Vag_{it} = \sum_{j} LQ_{jt}\, d_{ij}^{-\theta}, \quad LQ_{jt} = \dfrac{e_{jt}/E_{jt}}{e_{t}/E_{t}}$"),
            ("基准模型：年份固定效应，按省份聚类的标准误（pyfixest）。",
             "Baseline model: year fixed effects, standard errors clustered by province (pyfixest).",
             r"$SL_{it} = \alpha + \beta\, Vag_{it} + \gamma' X_{it} + \lambda_t + \varepsilon_{it}$"),
        ),
    ),
    "linkage": StudyText(
        title={"zh": "省份与“一带一路”沿线国家的联系度", "en": "Linkage of provinces with Belt-and-Road countries"},
        question={
            "zh": "各省份与“一带一路”沿线国家在经济、贸易、资本、人文和信息方面联系有多紧密？哪些省份联系最强，排名对权重方法是否稳健？",
            "en": "How closely is each province linked with the Belt-and-Road countries in economy, goods, capital, people and ICT; which provinces are linked most, and are the rankings robust to the weighting method?",
        },
        methods=(
            ("熵值法权重：标准化后指标的信息熵越小，权重越大。",
             "Entropy weights: the lower the information entropy of a standardised indicator, the higher its weight.",
             r"$e_j = -\dfrac{1}{\ln n}\sum_{i} p_{ij}\ln p_{ij}, \quad w_j = \dfrac{1 - e_j}{\sum_k (1 - e_k)}$"),
            ("层次分析法：判断矩阵最大特征值的一致性检验。",
             "AHP: consistency of the judgment matrix from its largest eigenvalue.",
             r"$CI = \dfrac{\lambda_{max} - n}{n - 1}, \quad CR = \dfrac{CI}{RI}$"),
            ("综合得分：维度得分的加权和。", "Score: weighted sum of the dimension scores.",
             r"$S_{pc} = \sum_{d} W_d \sum_{j \in d} w_{pj}\, z_{pcj}$"),
        ),
    ),
    "value-added": StudyText(
        title={"zh": "省份出口中的增加值来源", "en": "Value added in provincial exports"},
        question={
            "zh": "各省份出口中有多少增加值由本省创造、多少来自其他省份、多少来自国外？这一结构如何随时间变化？",
            "en": "How much of each province's exports is value added created in the province, in other provinces and abroad, and how does this change over time?",
        },
        methods=(
            ("多区域投入产出模型：完全需要系数（列昂惕夫逆矩阵，以 LU 分解求解）。",
             "Multi-regional input-output model: total requirements (Leontief inverse, solved by LU decomposition).",
             r"$x = (I - A)^{-1} y, \quad v = \hat{V}(I - A)^{-1}$"),
            ("出口增加值分解：本省、其他省份与国外增加值之和等于出口。",
             "Decomposition of exports: own-province, other-province and foreign value added add up to exports.",
             r"$DVR_r + PVR_r + FVR_r = 1, \quad DVR_r = \dfrac{DVA_r}{EX_r}$"),
        ),
    ),
    "synergy": StudyText(
        title={"zh": "跨境电商与产业集群的耦合协调", "en": "Coupling coordination of cross-border e-commerce and industrial clusters"},
        question={
            "zh": "各省份跨境电商与产业集群两个子系统是否协调发展？协调程度如何随时间和地区变化，哪个子系统滞后？",
            "en": "Do cross-border e-commerce and industrial clusters develop together in each province; how does their coordination change over time and regions, and which subsystem lags?",
        },
        methods=(
            ("耦合度 C、综合发展指数 T 与耦合协调度 D。",
             "Coupling degree C, comprehensive development index T and coordination degree D.",
             r"$C = \dfrac{2\sqrt{U_1 U_2}}{U_1 + U_2}, \quad T = \alpha U_1 + \beta U_2, \quad D = \sqrt{C\,T}$"),
            ("区位熵衡量产业集群的专业化程度。", "Location quotients measure the specialisation of clusters.",
             r"$LQ_{ij} = \dfrac{e_{ij}/e_{i}}{e_{j}/e}$"),
        ),
    ),
    "firm-resilience": StudyText(
        title={"zh": "企业出口韧性", "en": "Firm-level export resilience"},
        question={
            "zh": "冲击之后企业出口收缩了多少、恢复了多少？哪些地区和行业的企业存活率更高、恢复更快？",
            "en": "How much did firms' exports contract after the shock and how much did they recover; in which regions and industries did more firms survive and recover faster?",
        },
        methods=(
            ("DHS 增长率：以两期平均为分母，进入与退出取 ±2。",
             "DHS growth rate: change over the two-period mean, bounded at ±2 for entry and exit.",
             r"$g_{it} = \dfrac{x_{it} - x_{i,t-1}}{\dfrac{1}{2}(x_{it} + x_{i,t-1})}$"),
            ("抵抗力与恢复力：相对于全国的出口变化（Lagravinese 2015）。",
             "Resistance and recovery: exports change relative to the nation (Lagravinese 2015).",
             r"$Resist_r = \dfrac{\Delta E_r / E_r - \Delta E / E}{|\Delta E / E|}$"),
        ),
    ),
}

#: Figure captions by file stem; a stem's year or number (``coordination_map_2022``) follows in brackets.
_FIGURES: dict[str, dict[str, str]] = {
    "zh": {
        "coefficients_stepwise": "核心解释变量系数及 95% 置信区间（逐步加入控制变量）",
        "trends_by_group": "分地区均值走势",
        "survival_by_group": "分地区企业存活率",
        "band_distribution": "耦合协调等级分布",
        "coordination_map": "耦合协调度 D 分省地图",
        "pva_sources": "其他省份增加值的来源",
        "shares_by_province": "各省份出口的增加值结构",
        "figure": "省份排名频数分布",
    },
    "en": {
        "coefficients_stepwise": "Coefficient of the key regressor with 95% confidence intervals (stepwise controls)",
        "trends_by_group": "Means by region group over time",
        "survival_by_group": "Firm survival by region group",
        "band_distribution": "Distribution of the coordination bands",
        "coordination_map": "Coordination degree D by province",
        "pva_sources": "Sources of other-province value added",
        "shares_by_province": "Value-added structure of provincial exports",
        "figure": "Frequency of province ranks",
    },
}
_TEXT = {"zh": {"caption_suffix": "{caption}（{suffix}）"}, "en": {"caption_suffix": "{caption} ({suffix})"}}


def region_level(manifest: dict[str, Any]) -> str | None:
    """The region words of a run (:data:`exportlens.text.REGION_LEVELS` key) from its manifest:
    None for the provinces, else the ``[regions] level`` of its region table ("region" by default)."""
    spec = manifest.get("spec", {}) or {}
    return str(spec.get("region_level") or "region") if spec.get("regions_table") else None


def study_text(study: str, level: str | None = None) -> StudyText:
    """Texts of a study by its manifest name (``demo`` runs are the resilience study), with the
    region words of ``level`` (:func:`region_level`; None: the provinces, as written)."""
    key = "resilience" if study == "demo" else study
    text = STUDIES.get(key, StudyText(title={"zh": study, "en": study}, question={"zh": "", "en": ""}, methods=()))
    if level is None:
        return text
    return StudyText(title={k: region_wording(v, level) for k, v in text.title.items()},
                     question={k: region_wording(v, level) for k, v in text.question.items()},
                     methods=tuple((region_wording(zh, level), region_wording(en, level), formula)
                                   for zh, en, formula in text.methods))


def figure_caption(stem: str, lang: str, level: str | None = None) -> str:
    """Caption of a figure file by its stem (``trends_by_group``, ``coordination_map_2022`` ...),
    with the region words of ``level`` (None: the provinces)."""
    import re

    base = re.sub(r"_?\d+$", "", stem)
    suffix = stem[len(base):].strip("_")
    text = region_wording(localized(_FIGURES, lang).get(base, stem.replace("_", " ")), level)
    return localized(_TEXT, lang)["caption_suffix"].format(caption=text, suffix=suffix) if suffix else text
