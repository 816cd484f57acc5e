"""What each figure of the studies shows (gallery captions), keyed by file-name prefix."""

STUDY_TITLES = {
    "resilience": {"en": "Export resilience and virtual agglomeration", "zh": "出口韧性与虚拟集聚"},
    "linkage": {"en": "Belt-and-Road linkage", "zh": "与\u201c一带一路\u201d国家的关联度"},
    "value-added": {"en": "Value added in provinces' exports", "zh": "省际出口增加值分解"},
    "synergy": {"en": "Cross-border e-commerce and industrial clusters", "zh": "跨境电商与产业集群协同"},
    "firm-resilience": {"en": "Firm-level export resilience", "zh": "企业出口韧性"},
}

CAPTIONS = {
    "resilience": {
        "trends_by_group": {
            "en": "Mean export resilience SL and virtual agglomeration Vag by region group and year.",
            "zh": "各区域组逐年的出口韧性 SL 与虚拟集聚 Vag 均值。"},
        "coefficients_stepwise": {
            "en": "The Vag coefficient with its 95 % confidence interval in each column of Table 2 "
                  "(controls added one at a time); on demo data the dashed line is the true effect.",
            "zh": "表 2 各列（逐步加入控制变量）中 Vag 系数及其 95% 置信区间；示例数据上虚线为真实效应。"},
    },
    "linkage": {
        "figure": {
            "en": "Two of the eight comprehensive economic regions per figure (Figures 1-4): for each "
                  "province, how often it ranks 1-10, 11-20 and 21-31 among all provinces over the "
                  "Belt-and-Road countries.",
            "zh": "每图两个综合经济区（图 1-4）：各省在各\u201c一带一路\u201d国家上于全部省份中排第 1-10、11-20、"
                  "21-31 名的次数。"},
    },
    "value-added": {
        "shares_by_province": {
            "en": "Shares of each province's exports that are value added at home (DVR), in other "
                  "provinces (PVR) and abroad (FVR), stacked, by table year.",
            "zh": "各省出口中本省增加值（DVR）、其他省份增加值（PVR）与国外增加值（FVR）的份额堆积图（按表年份）。"},
        "pva_sources": {
            "en": "Where the other-province value added (PVA) in each province's exports comes from: "
                  "rows are exporting provinces, columns the source provinces.",
            "zh": "各省出口中其他省份增加值（PVA）的来源矩阵：行为出口省份，列为来源省份。"},
    },
    "synergy": {
        "band_distribution": {
            "en": "Number of provinces in each coordination band (极度失调 ... 优质协调) by year.",
            "zh": "各年处于各协调等级（极度失调 …… 优质协调）的省份数。"},
        "coordination_map": {
            "en": "Tile map of the coupling coordination degree D in the last year (one tile per province).",
            "zh": "最后一年耦合协调度 D 的省份方块地图。"},
        "trends_by_group": {
            "en": "Mean subsystem indices U1, U2 and coordination degree D by region group and year.",
            "zh": "各区域组逐年的子系统指数 U1、U2 与耦合协调度 D 均值。"},
    },
    "firm-resilience": {
        "survival_by_group": {
            "en": "Survival of the pre-shock exporter cohort by region group: share of firms and of base "
                  "exports still exporting in each year after the shock.",
            "zh": "冲击前出口企业群体在各区域组的存活：冲击后各年仍出口的企业占比与基期出口额占比。"},
    },
}
