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

    from exportlens.data.demo_synergy import synergy_demo_employment, synergy_demo_panel
    from exportlens.studies.synergy import SynergyStudySpec, run_synergy_study
    result = run_synergy_study(synergy_demo_panel(), SynergyStudySpec(),
                               employment=synergy_demo_employment())
    print(result.summary())
    result.write("results", lang="en")

Command line: ``exportlens run synergy --study study.toml`` and ``exportlens demo``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from exportlens.errors import InputError, MissingColumnError, StudySpecError
from exportlens.studies._spec import StudySpecFile

if TYPE_CHECKING:
    import pandas as pd

    from exportlens.measures.cluster import ClusterMeasures
    from exportlens.measures.composite import CompositeIndex
    from exportlens.measures.coupling import CouplingCoordination
    from exportlens.measures.indicators import IndicatorSystem


#: Built-in subsystem indicator systems (TOML files in exportlens/measures/templates).
SUBSYSTEM_TEMPLATES = ("cross_border_ecommerce", "industrial_clusters")

DEFAULT_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "ecommerce": "跨境电商", "clusters": "产业集群", "C": "耦合度 C", "T": "综合协调指数 T",
        "D": "耦合协调度 D", "band": "协调等级", "stage": "耦合阶段", "lagging": "滞后子系统",
        "province": "省份", "year": "年份", "group": "区域",
    },
    "en": {
        "ecommerce": "Cross-border e-commerce", "clusters": "Industrial clusters", "C": "Coupling degree C",
        "T": "Comprehensive index T", "D": "Coordination degree D", "band": "Coordination band",
        "stage": "Coupling stage", "lagging": "Lagging subsystem", "province": "Province", "year": "Year",
        "group": "Region",
    },
}

TABLE_TITLES = {
    "zh": {
        "table1": "表1 子系统评价指标体系与熵值法权重",
        "table2": "表2 各省份历年耦合协调度",
        "table3": "表3 耦合协调度 D：省份×年份",
        "table4": "表4 分区域子系统发展指数与耦合协调度均值",
        "table5": "表5 耦合协调等级分布（省份数）",
        "table6": "表6 相对发展类型分布（省份数）",
        "table7": "表7 产业集群：各省份专业化程度",
        "table8": "表8 产业集群：各行业地理集中度",
    },
    "en": {
        "table1": "Table 1 Indicator systems of the subsystems and entropy weights",
        "table2": "Table 2 Coupling coordination by province and year",
        "table3": "Table 3 Coordination degree D by province and year",
        "table4": "Table 4 Mean subsystem indices and coordination degree by region group",
        "table5": "Table 5 Distribution of coordination bands (number of provinces)",
        "table6": "Table 6 Relative development (number of provinces)",
        "table7": "Table 7 Industrial clusters: specialisation of each province",
        "table8": "Table 8 Industrial clusters: geographic concentration of each industry",
    },
}

# TOML section -> spec fields it may hold; (section, key) -> field where they differ
_SECTIONS: dict[str, tuple[str, ...]] = {
    "data": ("data_path", "sheet", "entity", "time", "exclude"),
    "subsystems": ("names", "systems", "indices"),
    "composite": ("scope", "weighting", "shift", "bounds"),
    "coupling": ("method", "weights", "sync_ratio"),
    "clusters": ("employment_path", "employment_sheet", "region", "industry", "value", "employment_time",
                 "total", "reference", "focus_industry"),
    "report": ("grouping", "map_year"),
}
_ALIASES: dict[tuple[str, str], str] = {
    ("data", "path"): "data_path",
    ("clusters", "path"): "employment_path",
    ("clusters", "sheet"): "employment_sheet",
    ("clusters", "time"): "employment_time",
}
_KEY_OF = {(s, f): k for (s, k), f in _ALIASES.items()}


@dataclass
class SynergyStudySpec(StudySpecFile):
    """Everything the synergy study needs to know; defaults reproduce the demo.

    Subsystems: ``names`` (U1, U2, ... in order; labels from [labels.zh]/[labels.en] or
    the built-in ones) with either ``systems`` (indicator systems: ``"builtin:NAME"`` or a
    TOML/YAML file path, relative to the study file) or ``indices`` (columns holding
    precomputed indices in [0, 1]). Cluster measures need an employment table
    ([clusters] path; the demo uses the embedded synthetic one); without it they are skipped.
    """

    data_path: str | None = None
    sheet: str | None = None
    entity: str = "province"
    time: str = "year"
    exclude: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=lambda: ["ecommerce", "clusters"])
    systems: list[str] = field(default_factory=lambda: [f"builtin:{n}" for n in SUBSYSTEM_TEMPLATES])
    indices: list[str] = field(default_factory=list)
    scope: str = "subsystem"
    weighting: str = "entropy"
    shift: str = "none"
    bounds: list[float] = field(default_factory=lambda: [0.01, 0.99])
    method: Literal["standard", "corrected"] = "standard"
    weights: list[float] = field(default_factory=list)
    sync_ratio: float = 0.9
    employment_path: str | None = None
    employment_sheet: str | None = None
    region: str = "province"
    industry: str = "industry"
    value: str = "employment"
    employment_time: str = "year"
    total: str | None = None
    reference: str = "nation"
    focus_industry: str | None = "制造业"
    grouping: str = "nbs4"
    map_year: int | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    source_file: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base_dir: Path | None = None) -> SynergyStudySpec:
        """Build a spec from the nested TOML structure (sections as in :func:`study_template`)."""
        kwargs: dict[str, Any] = {}
        for section, content in raw.items():
            if section == "labels":
                if not isinstance(content, dict) or not all(isinstance(v, dict) for v in content.values()):
                    raise StudySpecError("[labels] must hold tables [labels.zh] and/or [labels.en] of name = \"label\".")
                unknown = [k for k in content if k not in ("zh", "en")]
                if unknown:
                    raise StudySpecError(f"Unknown label language(s) {unknown} in [labels]; use [labels.zh] and [labels.en].")
                kwargs["labels"] = {k: dict(v) for k, v in content.items()}
                continue
            if section not in _SECTIONS:
                raise StudySpecError(f"Unknown section [{section}] in the study file; sections: {', '.join([*_SECTIONS, 'labels'])}.")
            if not isinstance(content, dict):
                raise StudySpecError(f"[{section}] must be a table of key = value lines.")
            for key, value in content.items():
                name = _ALIASES.get((section, key), key)
                if name not in _SECTIONS[section] or ((section, name) in _KEY_OF and key == name):
                    allowed = ", ".join(_KEY_OF.get((section, f), f) for f in _SECTIONS[section])
                    raise StudySpecError(f"Unknown key {key!r} in [{section}]; allowed: {allowed}.")
                kwargs[name] = value
        if base_dir is not None:
            for key in ("data_path", "employment_path"):
                if kwargs.get(key):
                    p = Path(kwargs[key])
                    kwargs[key] = str(p if p.is_absolute() else base_dir / p)
            if isinstance(kwargs.get("systems"), list):
                kwargs["systems"] = [
                    s if not isinstance(s, str) or s.startswith("builtin:") or Path(s).is_absolute() else str(base_dir / s)
                    for s in kwargs["systems"]
                ]
        spec = cls(**kwargs)
        spec.check()
        return spec


    def check(self) -> None:
        """Validate parameter values (not yet against data)."""
        if not _str_list(self.names) or len(self.names) < 2 or len(set(self.names)) != len(self.names):
            raise StudySpecError(f"subsystems.names must list at least two distinct names, not {self.names!r}.")
        if "synchronous" in self.names:
            raise StudySpecError("'synchronous' cannot be a subsystem name (it marks synchronous development).")
        if self.indices:
            if not _str_list(self.indices) or len(self.indices) != len(self.names):
                raise StudySpecError(f"subsystems.indices must name one column per subsystem {self.names}; got {self.indices!r}.")
        elif not _str_list(self.systems) or len(self.systems) != len(self.names):
            raise StudySpecError(f"subsystems.systems must give one indicator system per subsystem {self.names}; got {self.systems!r}.")
        for s in self.systems if not self.indices else []:
            if s.startswith("builtin:") and s.removeprefix("builtin:") not in SUBSYSTEM_TEMPLATES:
                raise StudySpecError(f"Unknown built-in indicator system {s!r}; available: "
                                     + ", ".join(f"builtin:{n}" for n in SUBSYSTEM_TEMPLATES) + ".")
        if self.scope not in ("subsystem", "dimension"):
            raise StudySpecError(f"composite.scope must be 'subsystem' or 'dimension', not {self.scope!r}.")
        if self.weighting not in ("entropy", "critic", "sd"):
            raise StudySpecError(f"composite.weighting must be entropy, critic or sd, not {self.weighting!r}.")
        if self.shift not in ("none", "rescale"):
            raise StudySpecError(
                f"composite.shift must be 'none' or 'rescale', not {self.shift!r}: the coupling model needs indices "
                "in [0, 1], which a constant shift (+0.0001) or z-scores do not guarantee."
            )
        b = self.bounds
        if not (isinstance(b, list) and len(b) == 2 and all(isinstance(x, int | float) for x in b) and 0 <= b[0] < b[1] <= 1):
            raise StudySpecError(f"composite.bounds must be [a, b] with 0 <= a < b <= 1, not {b!r}.")
        if self.method not in ("standard", "corrected"):
            raise StudySpecError(f"coupling.method must be 'standard' or 'corrected', not {self.method!r}.")
        if self.weights:
            w = self.weights
            if (len(w) != len(self.names) or not all(isinstance(x, int | float) and x >= 0 for x in w)
                    or abs(sum(w) - 1) > 1e-9):
                raise StudySpecError(f"coupling.weights must be {len(self.names)} non-negative numbers summing to 1, not {w!r}.")
        if not (isinstance(self.sync_ratio, int | float) and 0 < self.sync_ratio < 1):
            raise StudySpecError(f"coupling.sync_ratio must lie strictly between 0 and 1, not {self.sync_ratio!r}.")
        if self.reference not in ("nation", "rest"):
            raise StudySpecError(f"clusters.reference must be 'nation' or 'rest', not {self.reference!r}.")
        from exportlens.regions import list_groupings

        names = [g.name for g in list_groupings()]
        if self.grouping not in names:
            raise StudySpecError(f"report.grouping must be one of {names}, not {self.grouping!r}.")
        if self.map_year is not None and (not isinstance(self.map_year, int) or isinstance(self.map_year, bool)):
            raise StudySpecError(f"report.map_year must be a year (integer), not {self.map_year!r}.")
        if not isinstance(self.exclude, list):
            raise StudySpecError("data.exclude must be a list of provinces.")

    def label(self, key: str, lang: str) -> str:
        """Display label of a subsystem or a column in ``lang``."""
        return self.labels.get(lang, {}).get(key) or DEFAULT_LABELS[lang].get(key, key)

    def subsystem_label(self, i: int, lang: str) -> str:
        """``跨境电商 U1`` / ``Cross-border e-commerce U1``."""
        return f"{self.label(self.names[i], lang)} U{i + 1}"


def _str_list(x: Any) -> bool:
    return isinstance(x, list) and all(isinstance(v, str) and v for v in x)


# --- subsystem indicator systems --------------------------------------------------------


def subsystem_template_path(name: str) -> Path:
    """Path of a built-in subsystem indicator-system TOML (see :data:`SUBSYSTEM_TEMPLATES`)."""
    if name not in SUBSYSTEM_TEMPLATES:
        raise InputError(f"Unknown subsystem template {name!r}; available: {', '.join(SUBSYSTEM_TEMPLATES)}.")
    return Path(str(resources.files("exportlens.measures").joinpath("templates", f"{name}.toml")))


def load_subsystem_system(ref: str) -> IndicatorSystem:
    """An indicator system from ``"builtin:NAME"`` or a TOML/YAML file path."""
    from exportlens.measures.indicators import IndicatorSystem

    if ref.startswith("builtin:"):
        return IndicatorSystem.from_toml(subsystem_template_path(ref.removeprefix("builtin:")))
    return IndicatorSystem.from_file(ref)


def _flatten(system: IndicatorSystem) -> IndicatorSystem:
    """The same indicators as ONE dimension, so that one entropy step weights them all."""
    from exportlens.measures.indicators import IndicatorSystem

    records = system.indicators.drop(columns=["dimension"]).to_dict("records")
    return IndicatorSystem.from_dict({"name": system.name, "dimensions": [
        {"code": f"{system.name}_all", "name_zh": system.title("zh"), "name_en": system.title("en"),
         "indicators": records}]})


# --- the result -------------------------------------------------------------------------


@dataclass
class SynergyStudyResult:
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
        lines.append(f"{p['code'].nunique()} provinces, {t} {p[t].min()}-{p[t].max()}, {len(p)} province-years")
        lines.append(self.coupling.summary())
        last = p[p[t] == self.last_year]
        lines.append(f"Mean D in {self.last_year} by {spec.grouping} group: " + ", ".join(
            f"{g} {v:.3f}" for g, v in last.groupby("group", sort=False)["D"].mean().items()))
        if self.clusters is not None:
            lines.append(self.clusters.summary())
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-8 (7-8 only with cluster measures) as FrameTable objects."""
        if lang not in ("zh", "en"):
            raise InputError(f"lang must be 'zh' or 'en', not {lang!r}.")
        from exportlens.report.tables import FrameTable

        titles = TABLE_TITLES[lang]
        base = [_synthetic_note(lang)] if self.synthetic else []
        out: dict[str, Any] = {}
        if len(self.weights):  # not with precomputed subsystem indices
            out["table1"] = FrameTable(self._weights_table(lang), title=titles["table1"], index=False, digits=4,
                                       notes=[*base, _weights_note(self.spec, lang)])
        out["table2"] = FrameTable(self._long_table(lang), title=titles["table2"], index=False, digits=3,
                                   notes=[*base, _coupling_note(self.spec, lang)])
        out["table3"] = FrameTable(self._wide_table(lang), title=titles["table3"], index=False, digits=3,
                                   notes=base)
        out["table4"] = FrameTable(self._group_table(lang), title=titles["table4"], index=False, digits=3,
                                   notes=[*base, _group_note(self.spec, lang)])
        out["table5"] = FrameTable(self._band_table(lang), title=titles["table5"], index=False, notes=base)
        out["table6"] = FrameTable(self._lagging_table(lang), title=titles["table6"], index=False,
                                   notes=[*base, _lagging_note(self.spec, lang)])
        if self.clusters is not None:
            t7, t8 = self._cluster_tables(lang)
            cnote = _cluster_note(self.spec, lang)
            year = t7.attrs.get("year")
            suffix = "" if year is None else (f"（{year}年）" if lang == "zh" else f", {year}")
            out["table7"] = FrameTable(t7, title=titles["table7"] + suffix, index=False, digits=3, notes=[*base, cnote])
            out["table8"] = FrameTable(t8, title=titles["table8"] + suffix, index=False, digits=4, notes=[*base, cnote])
        return out

    # --- table builders ---

    def _province(self, codes: Any, lang: str) -> list[str]:
        from exportlens.regions import province_label

        return [province_label(int(c), lang) for c in codes]

    def _weights_table(self, lang: str) -> pd.DataFrame:
        w = self.weights
        zh = lang == "zh"
        cols = {
            "subsystem": "子系统" if zh else "Subsystem", "dimension": "维度" if zh else "Dimension",
            "indicator": "指标" if zh else "Indicator", "direction": "方向" if zh else "Direction",
            "unit": "单位" if zh else "Unit", "entropy": "信息熵 e" if zh else "Entropy e",
            "divergence": "差异系数 d" if zh else "Divergence d", "weight": "权重 w" if zh else "Weight w",
            "global_weight": "综合权重" if zh else "Global weight",
        }
        out = w.assign(
            subsystem=w["subsystem_index"].map(lambda i: self.spec.subsystem_label(int(i), lang)),
            dimension=w[f"dimension_{lang}"], indicator=w[f"indicator_{lang}"],
            direction=w["direction"].map({"benefit": "正向", "cost": "负向"} if zh else {"benefit": "+", "cost": "−"}),
        )
        keep = ["subsystem", "dimension", "indicator", "direction", "unit"]
        if "entropy" in out and out["entropy"].notna().any():
            keep += ["entropy", "divergence"]
        keep.append("weight")
        if self.spec.scope == "dimension":
            keep.append("global_weight")
        return out[keep].rename(columns=cols)

    def _long_table(self, lang: str) -> pd.DataFrame:
        spec, p = self.spec, self.panel
        zh = lang == "zh"
        out = {spec.label("province", lang): self._province(p["code"], lang), spec.label("year", lang): p[spec.time]}
        for i, n in enumerate(spec.names):
            out[spec.subsystem_label(i, lang)] = p[n]
        for c in ("C", "T", "D"):
            out[spec.label(c, lang)] = p[c]
        out[spec.label("band", lang)] = p["band_zh" if zh else "band_en"]
        out[spec.label("stage", lang)] = p["stage_zh" if zh else "stage_en"]
        out[spec.label("lagging", lang)] = [_lagging_label(v, spec, lang) for v in p["lagging"]]
        import pandas as pd

        return pd.DataFrame(out).reset_index(drop=True)

    def _wide_table(self, lang: str) -> pd.DataFrame:
        spec, p = self.spec, self.panel
        wide = p.pivot(index="code", columns=spec.time, values="D").sort_index()
        wide.columns = [str(c) for c in wide.columns]
        last = p[p[spec.time] == self.last_year].set_index("code")
        band = last["band_zh" if lang == "zh" else "band_en"].reindex(wide.index)
        wide.insert(0, spec.label("province", lang), self._province(wide.index, lang))
        wide[f"{spec.label('band', lang)} ({self.last_year})"] = band.fillna("").to_numpy()
        return wide.reset_index(drop=True)

    def _group_table(self, lang: str) -> pd.DataFrame:
        import pandas as pd

        spec, p = self.spec, self.panel
        glabels = _group_labels(spec.grouping, lang)
        variables = [*spec.names, "D"]
        means = p.groupby(["group", spec.time], sort=False)[variables].mean()
        rows = []
        for i, v in enumerate(variables):
            vlabel = spec.subsystem_label(i, lang) if v in spec.names else spec.label("D", lang)
            for g in [g for g in glabels if g in means.index.get_level_values(0)]:
                series = means.loc[g, v]
                rows.append({"variable": vlabel, "group": glabels[g], **{str(t): series.get(t) for t in sorted(p[spec.time].unique())}})
        out = pd.DataFrame(rows)
        return out.rename(columns={"variable": "指标" if lang == "zh" else "Variable", "group": spec.label("group", lang)})

    def _band_table(self, lang: str) -> pd.DataFrame:
        spec = self.spec
        counts = self.coupling.band_counts(by=spec.time, lang=lang)
        counts = counts.loc[:, counts.sum(axis=0) > 0]
        counts.index = [str(i) for i in counts.index]
        counts.columns = [str(c) for c in counts.columns]
        return counts.rename_axis(spec.label("year", lang)).reset_index()

    def _lagging_table(self, lang: str) -> pd.DataFrame:
        import pandas as pd

        spec, p = self.spec, self.panel
        kinds = [*spec.names, "synchronous"]
        labels = [_lagging_label(k, spec, lang) for k in kinds]
        other = sorted(set(p["lagging"]) - set(kinds))  # ties of three or more subsystems
        tab = pd.crosstab(p[spec.time], p["lagging"]).reindex(columns=kinds + other, fill_value=0)
        tab.columns = labels + [_lagging_label(k, spec, lang) for k in other]
        tab.index = [str(i) for i in tab.index]
        return tab.rename_axis(spec.label("year", lang)).reset_index()

    def _cluster_tables(self, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        import pandas as pd

        cl, spec = self.clusters, self.spec
        assert cl is not None
        zh = lang == "zh"
        t = cl.time
        year = cl.lq[t].max() if t else None
        lq = cl.lq if t is None else cl.lq[cl.lq[t] == year]
        sp = cl.specialisation if t is None else cl.specialisation[cl.specialisation[t] == year]
        conc = cl.concentration if t is None else cl.concentration[cl.concentration[t] == year]
        sp = sp.sort_values("code")
        t7 = pd.DataFrame({spec.label("province", lang): self._province(sp["code"], lang)})
        if spec.focus_industry and spec.focus_industry in set(lq[cl.industry]):
            f = lq[lq[cl.industry] == spec.focus_industry].set_index("code")["lq"]
            t7[(f"区位熵：{spec.focus_industry}" if zh else f"LQ: {spec.focus_industry}")] = f.reindex(sp["code"]).to_numpy()
        t7["专业化赫芬达尔指数" if zh else "Herfindahl (industries)"] = sp["herfindahl"].to_numpy()
        t7["标准化赫芬达尔指数" if zh else "Normalised Herfindahl"] = sp["herfindahl_normalised"].to_numpy()
        t7["克鲁格曼专业化指数" if zh else "Krugman specialisation"] = sp["krugman"].to_numpy()
        n_lq = lq.assign(above=lq["lq"] > 1).groupby(cl.industry, sort=False)["above"].sum()
        t8 = pd.DataFrame({
            ("行业" if zh else "Industry"): conc[cl.industry].to_numpy(),
            ("地理集中赫芬达尔指数" if zh else "Herfindahl (provinces)"): conc["herfindahl"].to_numpy(),
            ("标准化" if zh else "Normalised"): conc["herfindahl_normalised"].to_numpy(),
            ("区位熵>1的省份数" if zh else "Provinces with LQ > 1"): n_lq.reindex(conc[cl.industry]).to_numpy(),
        }).sort_values("地理集中赫芬达尔指数" if zh else "Herfindahl (provinces)", ascending=False)
        if year is not None:
            t7.attrs["year"] = year
        return t7.reset_index(drop=True), t8.reset_index(drop=True)

    def write(self, out_dir: str | Path, *, lang: str = "zh", formats: list[str] | None = None,
              figures: bool = True) -> list[Path]:
        """Write every table in every format, the CSV data, the figures and notes to ``out_dir``."""
        return write_synergy_outputs(self, Path(out_dir), lang=lang, formats=formats, figures=figures)


def _lagging_label(value: str, spec: SynergyStudySpec, lang: str) -> str:
    if value == "synchronous":
        return "同步发展" if lang == "zh" else "synchronous"
    parts = [spec.label(v, lang) for v in str(value).split("/")]
    joined = "、".join(parts) if lang == "zh" else " / ".join(parts)
    return f"{joined}滞后" if lang == "zh" else f"{joined} lags"


def _synthetic_note(lang: str) -> str:
    return ("注：数据为 exportlens 生成的合成演示数据（非真实统计数据）。" if lang == "zh"
            else "Note: SYNTHETIC demo data generated by exportlens (not real statistics).")


def _weights_note(spec: SynergyStudySpec, lang: str) -> str:
    shift = ("极差标准化（0·ln0 取 0）" if spec.shift == "none" else f"极差标准化后映射到 [{spec.bounds[0]:g}, {spec.bounds[1]:g}]") \
        if lang == "zh" else ("min-max standardisation (0·ln 0 = 0)" if spec.shift == "none"
                              else f"min-max standardisation mapped to [{spec.bounds[0]:g}, {spec.bounds[1]:g}]")
    if lang == "zh":
        scope = "各子系统全部指标一次赋权" if spec.scope == "subsystem" else "维度内赋权、维度等权合成"
        return f"面板熵值法：全部省份-年份样本合并标准化并计算一组权重；{shift}；{scope}。"
    scope = ("one weight vector over all indicators of each subsystem" if spec.scope == "subsystem"
             else "weights within each dimension, dimensions combined with equal weights")
    return f"Panel entropy method: all province-years pooled for standardisation and one weight vector; {shift}; {scope}."


def _coupling_note(spec: SynergyStudySpec, lang: str) -> str:
    w = spec.weights or [1 / len(spec.names)] * len(spec.names)
    ws = ", ".join(f"{x:g}" for x in w)
    if lang == "zh":
        c = "C = n(ΠU)^(1/n)/ΣU（标准形式）" if spec.method == "standard" else "C 为王淑佳等（2021）修正耦合度"
        return f"{c}；T = Σa·U，a = ({ws})；D = √(C·T)。协调等级按 D 每 0.1 划分，区间左闭右开，D = 1 属优质协调。"
    c = "C = n(ΠU)^(1/n)/ΣU (standard form)" if spec.method == "standard" else "C = corrected coupling degree of Wang Shujia et al. (2021)"
    return f"{c}; T = Σ a·U with a = ({ws}); D = √(C·T). Bands of D in steps of 0.1, closed on the left (D = 1 is high-quality coordination)."


def _group_note(spec: SynergyStudySpec, lang: str) -> str:
    from exportlens.regions import grouping

    g = grouping(spec.grouping)
    return f"区域划分：{g.title_zh}。表中为组内省份的简单平均。" if lang == "zh" else \
        f"Region groups: {g.title_en}. Simple means over the provinces of each group."


def _lagging_note(spec: SynergyStudySpec, lang: str) -> str:
    r = spec.sync_ratio
    return (f"min(U)/max(U) > {r:g} 为同步发展，否则发展指数最小的子系统为滞后子系统。" if lang == "zh"
            else f"Synchronous when min(U)/max(U) > {r:g}; otherwise the subsystem with the smallest index lags.")


def _cluster_note(spec: SynergyStudySpec, lang: str) -> str:
    ref = ("全国" if spec.reference == "nation" else "其余省份") if lang == "zh" else (
        "the nation" if spec.reference == "nation" else "the rest of the country")
    if lang == "zh":
        return (f"区位熵 LQ = (e_ij/e_i)/(E_j/E)；赫芬达尔指数 H = Σ份额²；克鲁格曼专业化指数 K = Σ|s_ij − s_j|（参照：{ref}）。"
                "标准化 H* = (H − 1/N)/(1 − 1/N)。")
    return (f"Location quotient LQ = (e_ij/e_i)/(E_j/E); Herfindahl H = Σ share²; Krugman K = Σ|s_ij − s_j| "
            f"(reference: {ref}). Normalised H* = (H − 1/N)/(1 − 1/N).")


def _group_labels(grouping_name: str, lang: str) -> dict[str, str]:
    from exportlens.regions import grouping

    g = grouping(grouping_name)
    return {k: g.label(k, lang) for k in g.order}


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
    from exportlens.regions import assign_group, resolve_province, resolve_provinces

    spec.check()
    systems = None if spec.indices else [load_subsystem_system(s) for s in spec.systems]
    need = _required_columns(spec, systems)
    missing = {k: [c for c in v if c not in data.columns] for k, v in need.items()}
    missing = {k: v for k, v in missing.items() if v}
    if missing:
        listing = "; ".join(f"{k}: {v}" for k, v in missing.items())
        raise MissingColumnError(f"Column(s) the study needs are not in the data ({listing}); available columns: {list(data.columns)}.")
    if systems is not None:
        shared = {}
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
    frame = data.copy()
    frame["code"] = resolve_provinces(frame[spec.entity]).astype(int).to_numpy()
    if spec.exclude:
        excl = {resolve_province(x).code for x in spec.exclude}
        n_before = len(frame)
        frame = frame[~frame["code"].isin(excl)].copy()
        notes.append(f"Excluded by the study file: {sorted(excl)} ({n_before - len(frame)} rows).")
    dup = frame[frame.duplicated(["code", spec.time], keep=False)]
    if len(dup):
        listing = "; ".join(f"{r[spec.entity]} {r[spec.time]} (row {i})" for i, r in dup.head(10).iterrows())
        raise InputError(f"{len(dup)} duplicate province-year rows: {listing}.")
    if frame[spec.time].isna().any():
        rows = list(frame.index[frame[spec.time].isna()][:10])
        raise InputError(f"Column {spec.time!r} has missing values in rows {rows}.")
    clash = [c for c in [*spec.names, "C", "T", "D", "group"] if c in frame.columns and c not in (spec.indices or [])]
    if clash:
        frame = frame.drop(columns=clash)
        notes.append(f"Input column(s) {clash} were replaced by the values exportlens computed.")
    frame["group"] = assign_group(frame["code"], spec.grouping).to_numpy()
    frame = frame.sort_values(["code", spec.time]).reset_index(drop=True)
    frame.index = [f"{e} {t}" for e, t in zip(frame[spec.entity], frame[spec.time], strict=True)]
    return frame, systems, notes


def subsystem_indices(frame: pd.DataFrame, spec: SynergyStudySpec, systems: list[IndicatorSystem]
                      ) -> tuple[pd.DataFrame, dict[str, CompositeIndex | None], pd.DataFrame]:
    """U_i of every row (pooled panel entropy) and the indicator weights table."""
    import pandas as pd

    from exportlens.measures.composite import composite_index, entropy_weights

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
        for code, r in ind.iterrows():
            rows.append({
                "subsystem": name, "subsystem_index": i, "dimension": r["dimension"],
                "dimension_zh": system.label(r["dimension"], "zh"), "dimension_en": system.label(r["dimension"], "en"),
                "indicator": code, "indicator_zh": r["name_zh"], "indicator_en": r["name_en"],
                "direction": r["direction"], "unit": r["unit"], "entropy": entropy[code], "divergence": divergence[code],
                "weight": float(ci.weights[code]), "global_weight": float(gw[code]),
            })
    return pd.DataFrame(scores, index=frame.index), composites, pd.DataFrame(rows)


def prepare_employment(employment: pd.DataFrame, spec: SynergyStudySpec) -> pd.DataFrame:
    """Employment table with resolved province codes and the study's exclusions applied."""
    from exportlens.regions import resolve_province, resolve_provinces

    cols = [spec.region, spec.industry, spec.value, spec.employment_time] + ([spec.total] if spec.total else [])
    missing = [c for c in cols if c not in employment.columns]
    if missing:
        raise MissingColumnError(f"Column(s) {missing} named in [clusters] are not in the employment table; "
                                 f"available: {list(employment.columns)}.")
    emp = employment.copy()
    emp["code"] = resolve_provinces(emp[spec.region]).astype(int).to_numpy()
    if spec.exclude:
        excl = {resolve_province(x).code for x in spec.exclude}
        emp = emp[~emp["code"].isin(excl)].copy()
    return emp


def run_synergy_study(data: pd.DataFrame, spec: SynergyStudySpec | None = None, *,
                      employment: pd.DataFrame | None = None, progress: Any = None) -> SynergyStudyResult:
    """Run the whole study on a province-year DataFrame (and optionally an employment table
    by province, industry and year for the cluster measures); nothing is written.

    ``progress`` is an optional callable ``progress(step_description)``.
    """
    import pandas as pd

    from exportlens.measures.cluster import cluster_measures
    from exportlens.measures.coupling import coupling_coordination

    spec = spec or SynergyStudySpec()
    step = progress or (lambda _msg: None)
    step("subsystem indices (panel entropy)")
    frame, systems, notes = prepare_panel(data, spec)
    if spec.map_year is not None and spec.map_year not in set(frame[spec.time]):
        raise InputError(f"report.map_year {spec.map_year} is not a year of the data "
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
                               keys=["code", spec.time], sync_ratio=spec.sync_ratio)
    values = cc.to_frame()
    panel = frame[["code", spec.entity, spec.time, "group"]].join(values.drop(columns=["code", spec.time]))
    if spec.entity == "code":
        panel = panel.loc[:, ~panel.columns.duplicated()]
    panel = panel.reset_index(drop=True)
    cc.values = cc.values.reset_index(drop=True)
    clusters = None
    if employment is not None:
        step("cluster measures")
        emp = prepare_employment(employment, spec)
        clusters = cluster_measures(emp, region="code", industry=spec.industry, value=spec.value,
                                    time=spec.employment_time, total=spec.total, reference=spec.reference)
        if spec.focus_industry and spec.focus_industry not in set(emp[spec.industry]):
            notes.append(f"clusters.focus_industry {spec.focus_industry!r} is not an industry of the employment table; "
                         "Table 7 shows no location quotient column.")
    else:
        notes.append("No employment table ([clusters] path): cluster measures (Tables 7-8) skipped.")
    return SynergyStudyResult(spec=spec, panel=panel, coupling=cc, composites=composites, weights=weights,
                              clusters=clusters, notes=notes, synthetic=bool(data.attrs.get("synthetic", False)))


def write_synergy_outputs(result: SynergyStudyResult, out_dir: Path, *, lang: str = "zh",
                          formats: list[str] | None = None, figures: bool = True) -> list[Path]:
    """Write Tables 1-8, the analysis panel, weights, cluster measures, figures and notes."""
    from exportlens.report.tables import write_tables

    out_dir = Path(out_dir)
    tables = result.tables(lang)
    written = write_tables(tables, out_dir / "tables", formats)
    panel_path = out_dir / "coupling_panel.csv"
    result.panel.to_csv(panel_path, index=False, float_format="%.10g")
    written.append(panel_path)
    if len(result.weights):
        wpath = out_dir / "indicator_weights.csv"
        result.weights.to_csv(wpath, index=False, float_format="%.10g")
        written.append(wpath)
    if result.clusters is not None:
        cpath = out_dir / "cluster_measures.csv"
        result.clusters.to_frame().to_csv(cpath, index=False, float_format="%.10g")
        written.append(cpath)
    if figures:
        written += _write_figures(result, out_dir / "figures", lang)
    notes_path = out_dir / "notes.txt"
    notes_path.write_text(result.summary() + "\n", encoding="utf-8")
    written.append(notes_path)
    return written


def _write_figures(result: SynergyStudyResult, fig_dir: Path, lang: str) -> list[Path]:
    from exportlens.report import figures as fig
    from exportlens.report.figures_synergy import band_distribution_plot, coordination_tile_map

    flang, fnote = fig.figure_language(lang)
    if fnote and fnote not in result.notes:
        result.notes.append(fnote)
    spec, p = result.spec, result.panel
    synth = (" SYNTHETIC demo data." if flang == "en" else " 合成演示数据。") if result.synthetic else ""
    glabels = _group_labels(spec.grouping, flang)
    variables = [*spec.names, "D"]
    titles = [spec.subsystem_label(i, flang) for i in range(len(spec.names))] + [spec.label("D", flang)]
    out = [fig.group_trends(
        p.assign(group_label=p["group"].map(glabels)), time=spec.time, group="group_label", variables=variables,
        titles=titles, group_order=[v for k, v in glabels.items() if k in set(p["group"])],
        path=fig_dir / "trends_by_group.png",
        note=("Group means by year." if flang == "en" else "各组年度均值。") + synth,
    )]
    year = result.map_year
    last = p[p[spec.time] == year]
    if last.empty:
        raise InputError(f"report.map_year {year!r} is not a year of the data ({p[spec.time].min()}-{p[spec.time].max()}).")
    out.append(coordination_tile_map(
        dict(zip(last["code"].astype(int), last["D"], strict=True)), path=fig_dir / f"coordination_map_{year}.png",
        title=(f"Coupling coordination degree D, {year}" if flang == "en" else f"{year}年耦合协调度 D"),
        lang=flang, legend_title=spec.label("band", flang),
        note=(("Tile grid, not to scale; grey: no data." if flang == "en" else "方格示意图，非真实地图；灰色：无数据。") + synth),
    ))
    counts = result.coupling.band_counts(by=spec.time, lang=flang)
    out.append(band_distribution_plot(
        counts, path=fig_dir / "band_distribution.png", lang=flang,
        title=("Coordination bands by year" if flang == "en" else "耦合协调等级分布"),
        ylabel=("provinces" if flang == "en" else "省份数"), note=synth.strip() or None,
    ))
    return out


def load_study_data(spec: SynergyStudySpec) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The province-year panel and the employment table named in the spec; the embedded
    SYNTHETIC demo data when no data path is given (the demo employment table too, unless
    [clusters] names one)."""
    from exportlens.data import load_panel

    if spec.data_path is None:
        from exportlens.data.demo_synergy import synergy_demo_employment, synergy_demo_panel

        panel = synergy_demo_panel()
        employment = None if spec.employment_path else synergy_demo_employment()
    else:
        panel = load_panel(spec.data_path, entity=spec.entity, time=spec.time, sheet=spec.sheet, resolve_entities=None)
        employment = None
    if spec.employment_path:
        employment = load_panel(spec.employment_path, entity=spec.region, time=spec.employment_time,
                                sheet=spec.employment_sheet, resolve_entities=None)
    return panel, employment


def run_synergy_cli(spec: SynergyStudySpec, *, out: Path | None, lang: str, formats: list[str] | None,
                    figures: bool, overwrite: bool, console: Any = None) -> Path:
    """What ``exportlens run synergy`` and ``exportlens demo`` do: load, run, write, manifest."""

    from exportlens.report.manifest import new_output_dir, write_manifest
    from exportlens.report.progress import step_progress

    out_dir = new_output_dir(out, "synergy" if spec.data_path else "synergy-demo", overwrite=overwrite)
    steps = ["load data", "subsystem indices (panel entropy)", "coupling coordination", "cluster measures",
             "write tables and figures"]
    with step_progress("load data", len(steps), console) as advance:
        data, employment = load_study_data(spec)
        result = run_synergy_study(data, spec, employment=employment, progress=advance)
        advance("write tables and figures")
        result.write(out_dir, lang=lang, formats=formats, figures=figures)
    if spec.source_file:
        spec.copy_study_file(out_dir)
    inputs: dict[str, str | Path] = {}
    if spec.data_path:
        inputs["data"] = spec.data_path
    if spec.employment_path:
        inputs["employment"] = spec.employment_path
    for n, s in zip(spec.names, spec.systems if not spec.indices else [], strict=False):
        if not s.startswith("builtin:"):
            inputs[f"system_{n}"] = s
    if spec.source_file:
        inputs["study_file"] = spec.source_file
    data_label = spec.data_path or "embedded SYNTHETIC demo panel (exportlens.data.demo_synergy)"
    write_manifest(out_dir, study="synergy", spec={**spec.to_dict(), "lang": lang, "formats": formats or "all",
                                                   "data": data_label},
                   inputs=inputs, notes=result.notes)
    if console is not None:
        console.print(result.summary())
    return out_dir


def study_template() -> str:
    """A commented study file with the defaults (those of the demo)."""
    return '''# exportlens study file: synergy of cross-border e-commerce and industrial clusters
# (coupling coordination degree). Run:  exportlens run synergy --study this_file.toml --lang zh
# Column names refer to YOUR data; paths are relative to this file.

[data]
# path = "panel.csv"          # CSV, Excel (.xlsx), Stata (.dta) or Parquet, one row per province-year;
                              # without it the embedded SYNTHETIC demo panel is used
# sheet = "Sheet1"            # Excel sheet
entity = "province"           # province column (any spelling: 北京市, 北京, Beijing, 110000 ...)
time = "year"
exclude = []                  # e.g. ["西藏"]

[subsystems]
names = ["ecommerce", "clusters"]   # U1, U2 (, U3 ...): labels in [labels.zh] / [labels.en]
# Indicator systems, one per subsystem: built-in templates or your own TOML/YAML files
# (layout: exportlens.measures.indicators). The indicator codes are columns of your data.
# Copy a template to start: exportlens/measures/templates/*.toml
systems = ["builtin:cross_border_ecommerce", "builtin:industrial_clusters"]
# indices = ["u_ecom", "u_cluster"]  # or precomputed subsystem indices in [0, 1]

[composite]
scope = "subsystem"          # "subsystem": one entropy weight vector over all indicators of a subsystem
                             # "dimension": entropy within each dimension, dimensions equally weighted
weighting = "entropy"        # entropy, critic or sd
shift = "none"               # "none": min-max, 0*ln 0 = 0 (U in [0, 1]); "rescale": min-max mapped to bounds
bounds = [0.01, 0.99]        # used by shift = "rescale" (SPSSAU's default interval)

[coupling]
method = "standard"          # C = n (prod U)^(1/n) / sum U; "corrected": Wang Shujia et al. (2021)
weights = []                 # a_i of T = sum a_i U_i, e.g. [0.5, 0.5] (must sum to 1); [] = equal
sync_ratio = 0.9             # synchronous development when min(U)/max(U) > sync_ratio

[clusters]
# path = "employment.csv"    # long table: province, industry, year, employment (skipped when absent)
# sheet = "Sheet1"
region = "province"
industry = "industry"
value = "employment"         # employment (or output / value added) of the industry
time = "year"
# total = "total_employment" # region total for the location quotient (default: sum of the industries)
reference = "nation"         # Krugman index against the nation or "rest" (the other provinces)
focus_industry = "制造业"     # industry whose location quotient Table 7 shows

[report]
grouping = "nbs4"            # region groups of Table 4 and the trend figure: nbs4, belts3, drc8, coastal
# map_year = 2022            # year of the tile map (default: the last year)

# [labels.zh]
# ecommerce = "跨境电商"
# [labels.en]
# ecommerce = "Cross-border e-commerce"
'''
