"""Linkage study: how strongly each province is linked to each Belt-and-Road country.

Reproduces the published design (31 provinces x 63 countries, 2019 cross-section,
5 dimensions and 16 indicators, entropy + AHP):

1. For every province, the 63 countries are the alternatives: each indicator is
   standardised over them (min-max, shift documented in
   :mod:`exportlens.measures.composite`) and entropy weights are computed *inside each
   dimension*, so every province has its own 16 weights (Table 2) and five dimension
   scores per country.
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

    from exportlens.data.demo_linkage import linkage_demo_cube
    from exportlens.studies.linkage import LinkageStudySpec, run_linkage_study
    result = run_linkage_study(linkage_demo_cube(), LinkageStudySpec())
    print(result.summary())
    result.write("results", lang="en")

Command line: ``exportlens run linkage --study study.toml`` (``exportlens study template
linkage`` prints a commented study file) and ``exportlens demo``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from exportlens.errors import DataFormatError, InputError, MissingColumnError, StudySpecError
from exportlens.studies._spec import StudySpecFile

if TYPE_CHECKING:
    from exportlens.measures.ahp import AHPResult
    from exportlens.measures.indicators import IndicatorSystem

__all__ = [
    "DEFAULT_AHP_UPPER",
    "LinkageStudyResult",
    "LinkageStudySpec",
    "load_linkage_data",
    "prepare_cube",
    "run_linkage_cli",
    "run_linkage_study",
    "study_template",
]

BUILTIN_SYSTEM = "belt_and_road_linkage"

#: Upper triangle (row by row) of the demo judgment matrix over economy, goods, capital,
#: people, ict. The issue does not print the published matrix; this one was chosen on
#: Saaty's scale to reproduce the published consistency statistics exactly:
#: λ_max = 5.0364, CI = 0.0091, RI = 1.12, CR = 0.0081.
DEFAULT_AHP_UPPER: tuple[int, ...] = (1, 2, 3, 4, 2, 3, 4, 2, 3, 2)

RANK_BANDS: tuple[tuple[int, int], ...] = ((1, 10), (11, 20), (21, 31))
AHP_METHOD_LABELS = {
    "zh": {"arithmetic": "算术平均法", "geometric": "几何平均法", "eigenvector": "特征向量法", "topsis": "TOPSIS"},
    "en": {"arithmetic": "Arithmetic mean", "geometric": "Geometric mean", "eigenvector": "Eigenvector",
           "topsis": "TOPSIS"},
}

TABLE_TITLES = {
    "zh": {
        "table1": "表1 联系度评价指标体系",
        "table2": "表2 各省份指标熵值法权重（维度内）",
        "table3": "表3 层次分析法维度权重与一致性检验",
        "table4_scores": "表4a 各省份与沿线国家联系度综合得分",
        "table4_ranks": "表4b 各省份内沿线国家联系度排名",
        "table5": "表5 省份联系度排名（全部国家平均得分）",
        "table6": "表6 分维度省份联系度得分与排名",
        "table7": "表7 分区域省份联系度得分与排名",
        "table8_province_ranks": "表8 各国家中省份联系度排名",
        "table9_rank_frequency": "表9 省份排名频数分布",
        "table10_robustness": "表10 稳健性检验：不同权重方法下的省份排名",
        "table11_kendall": "表11 稳健性检验：排名的Kendall τ相关系数",
    },
    "en": {
        "table1": "Table 1 Indicator system of the linkage evaluation",
        "table2": "Table 2 Entropy weights of the indicators by province (within dimension)",
        "table3": "Table 3 AHP dimension weights and consistency test",
        "table4_scores": "Table 4a Linkage scores of provinces with Belt-and-Road countries",
        "table4_ranks": "Table 4b Rank of each country within the province",
        "table5": "Table 5 Province ranking by average linkage score over all countries",
        "table6": "Table 6 Province scores and ranks by dimension",
        "table7": "Table 7 Province scores and ranks by subregion",
        "table8_province_ranks": "Table 8 Rank of each province among all provinces, by country",
        "table9_rank_frequency": "Table 9 Frequency of province ranks",
        "table10_robustness": "Table 10 Robustness: province rankings under alternative weightings",
        "table11_kendall": "Table 11 Robustness: Kendall's tau between rankings",
    },
}

_WORDS = {
    "zh": {"province": "省份", "country": "国家", "subregion": "区域", "region": "八大综合经济区",
           "score": "得分", "rank": "排名", "average": "平均得分", "dimension": "维度", "indicator": "指标",
           "direction": "方向", "unit": "单位", "source": "来源", "benefit": "正向", "cost": "负向",
           "filled": "补充指标", "change": "排名变化", "tau": "Kendall τ", "p": "p值",
           "lambda": "λmax", "CI": "CI", "RI": "RI", "CR": "CR", "yes": "是", "no": "否"},
    "en": {"province": "Province", "country": "Country", "subregion": "Subregion", "region": "DRC region",
           "score": "score", "rank": "rank", "average": "Average score", "dimension": "Dimension",
           "indicator": "Indicator", "direction": "Direction", "unit": "Unit", "source": "Source",
           "benefit": "benefit", "cost": "cost", "filled": "Filled in", "change": "change",
           "tau": "Kendall tau", "p": "p-value", "lambda": "lambda_max", "CI": "CI", "RI": "RI", "CR": "CR",
           "yes": "yes", "no": "no"},
}

# TOML section -> {key: spec field}
_SECTIONS: dict[str, dict[str, str]] = {
    "data": {"path": "data_path", "sheet": "sheet", "province": "province", "country": "country",
             "indicator": "indicator", "value": "value", "exclude_provinces": "exclude_provinces",
             "exclude_countries": "exclude_countries"},
    "indicators": {"system": "system"},
    "weighting": {"standardise": "standardise", "standardise_scope": "standardise_scope", "shift": "shift",
                  "bounds": "bounds", "offset": "offset", "within": "within", "scope": "scope",
                  "constant": "constant"},
    "ahp": {"dimensions": "ahp_dimensions", "matrix": "ahp_matrix", "upper": "ahp_upper", "pairs": "ahp_pairs",
            "ri_table": "ri_table", "threshold": "threshold", "on_inconsistent": "on_inconsistent",
            "method": "ahp_method"},
    "robustness": {"topsis": "topsis"},
}


@dataclass
class LinkageStudySpec(StudySpecFile):
    """Everything the linkage study needs; the defaults reproduce the demo.

    Data: a long table with one row per (province, country, indicator) and a value.
    Weighting: min-max standardisation with the ``"auto"`` shift (+0.0001) over all
    province-country pairs (``standardise_scope="all"``, so that scores compare across
    provinces; ``"province"`` standardises each province over its own countries, which
    removes the province's level: see the module docstring), entropy weights within each
    dimension, computed per province over the countries (``scope="province"``, as
    published) or once over all pairs (``scope="pooled"``); a constant indicator
    column of a province (e.g. no railway trips at all) gets weight 0 and a note
    (``constant="zero"``; ``"raise"`` stops instead). AHP: judgments as a full matrix,
    upper triangle or named pairs over the dimensions; for the built-in system the
    default is :data:`DEFAULT_AHP_UPPER`. The eigenvector weights give the main score.
    """

    data_path: str | None = None
    sheet: str | None = None
    province: str = "province"
    country: str = "country"
    indicator: str = "indicator"
    value: str = "value"
    exclude_provinces: list[str] = field(default_factory=list)
    exclude_countries: list[str] = field(default_factory=list)
    system: str = BUILTIN_SYSTEM
    standardise: str = "minmax"
    standardise_scope: str = "all"
    shift: str | float | None = "auto"
    bounds: list[float] | None = None
    offset: float = 0.0001
    within: str = "entropy"
    scope: str = "province"
    constant: str = "zero"
    ahp_dimensions: list[str] | None = None
    ahp_matrix: list[list[Any]] | None = None
    ahp_upper: list[Any] | None = None
    ahp_pairs: list[list[Any]] | None = None
    ri_table: str = "saaty1980"
    threshold: float = 0.1
    on_inconsistent: str = "warn"
    ahp_method: str = "eigenvector"
    topsis: bool = True
    source_file: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base_dir: Path | None = None) -> LinkageStudySpec:
        """Build a spec from the nested TOML structure (sections as in :func:`study_template`)."""
        kwargs: dict[str, Any] = {}
        for section, content in raw.items():
            if section not in _SECTIONS:
                raise StudySpecError(
                    f"Unknown section [{section}] in the study file; sections: {', '.join(_SECTIONS)}."
                )
            if not isinstance(content, dict):
                raise StudySpecError(f"[{section}] must be a table of key = value lines.")
            for key, value in content.items():
                if key not in _SECTIONS[section]:
                    raise StudySpecError(
                        f"Unknown key {key!r} in [{section}]; allowed: {', '.join(_SECTIONS[section])}."
                    )
                kwargs[_SECTIONS[section][key]] = value
        if base_dir is not None:
            if kwargs.get("data_path"):
                p = Path(kwargs["data_path"])
                kwargs["data_path"] = str(p if p.is_absolute() else base_dir / p)
            system = kwargs.get("system")
            if isinstance(system, str) and Path(system).suffix.lower() in (".toml", ".yaml", ".yml"):
                p = Path(system)
                kwargs["system"] = str(p if p.is_absolute() else base_dir / p)
        if isinstance(kwargs.get("shift"), str) and kwargs["shift"].lower() == "none":
            kwargs["shift"] = None
        spec = cls(**kwargs)
        spec.check()
        return spec


    def check(self) -> None:
        """Validate parameter values (not yet against data)."""
        from exportlens.measures.ahp import AHP_METHODS, RANDOM_INDEX_TABLES
        from exportlens.measures.composite import METHODS, WEIGHTINGS

        if self.standardise not in METHODS:
            raise StudySpecError(f"weighting.standardise must be one of {list(METHODS)}, not {self.standardise!r}.")
        if self.within not in WEIGHTINGS:
            raise StudySpecError(f"weighting.within must be one of {list(WEIGHTINGS)}, not {self.within!r}.")
        if self.standardise_scope not in ("all", "province"):
            raise StudySpecError(
                f"weighting.standardise_scope must be 'all' or 'province', not {self.standardise_scope!r}."
            )
        if self.scope not in ("province", "pooled"):
            raise StudySpecError(f"weighting.scope must be 'province' or 'pooled', not {self.scope!r}.")
        if self.constant not in ("zero", "raise"):
            raise StudySpecError(f"weighting.constant must be 'zero' or 'raise', not {self.constant!r}.")
        if not (self.shift is None or (isinstance(self.shift, int | float) and not isinstance(self.shift, bool))
                or self.shift in ("auto", "rescale", "column")):
            raise StudySpecError(
                f"weighting.shift must be \"auto\", \"none\", a number, \"rescale\" or \"column\", not {self.shift!r}."
            )
        if self.bounds is not None and (not isinstance(self.bounds, list | tuple) or len(self.bounds) != 2):
            raise StudySpecError(f"weighting.bounds must be a pair [a, b], not {self.bounds!r}.")
        if self.ahp_method not in AHP_METHODS:
            raise StudySpecError(f"ahp.method must be one of {list(AHP_METHODS)}, not {self.ahp_method!r}.")
        if self.ri_table not in RANDOM_INDEX_TABLES:
            raise StudySpecError(f"ahp.ri_table must be one of {sorted(RANDOM_INDEX_TABLES)}, not {self.ri_table!r}.")
        if self.on_inconsistent not in ("warn", "raise", "ignore"):
            raise StudySpecError(f"ahp.on_inconsistent must be warn, raise or ignore, not {self.on_inconsistent!r}.")
        given = [k for k, v in (("matrix", self.ahp_matrix), ("upper", self.ahp_upper), ("pairs", self.ahp_pairs))
                 if v is not None]
        if len(given) > 1:
            raise StudySpecError(f"Give only one of ahp.matrix, ahp.upper, ahp.pairs (got {given}).")
        if not given and self.system != BUILTIN_SYSTEM:
            raise StudySpecError(
                "A custom indicator system needs AHP judgments over its dimensions: set ahp.upper, "
                "ahp.matrix or ahp.pairs in the study file."
            )
        if not isinstance(self.topsis, bool):
            raise StudySpecError(f"robustness.topsis must be true or false, not {self.topsis!r}.")
        for name in ("exclude_provinces", "exclude_countries"):
            if not isinstance(getattr(self, name), list):
                raise StudySpecError(f"data.{name} must be a list of names.")

    def load_system(self) -> IndicatorSystem:
        """The indicator system: a built-in name or a TOML/YAML file."""
        from exportlens.measures.indicators import IndicatorSystem, builtin_systems

        if self.system in builtin_systems():
            return IndicatorSystem.builtin(self.system)
        if Path(self.system).suffix.lower() in (".toml", ".yaml", ".yml"):
            return IndicatorSystem.from_file(self.system)
        raise StudySpecError(
            f"indicators.system {self.system!r} is neither a built-in system ({builtin_systems()}) nor a "
            ".toml/.yaml file."
        )

    def judgments(self, system: IndicatorSystem) -> pd.DataFrame:
        """The checked AHP judgment matrix, in the order of the system's dimensions."""
        from exportlens.measures.ahp import pairwise_matrix

        dims = system.dimension_codes
        order = list(self.ahp_dimensions) if self.ahp_dimensions is not None else dims
        if sorted(order) != sorted(dims):
            raise StudySpecError(
                f"ahp.dimensions {order} must list the system's dimensions {dims}, each once."
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
        from exportlens.data.demo_linkage import linkage_demo_cube

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
    from exportlens.regions import (
        resolve_countries,
        resolve_country,
        resolve_province,
        resolve_provinces,
    )

    cols = [spec.province, spec.country, spec.indicator, spec.value]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise MissingColumnError(
            f"Column(s) {missing} named in the study spec are not in the data; available columns: "
            f"{list(map(str, data.columns))}."
        )
    notes: list[str] = []
    frame = data[cols].copy()
    frame["_code"] = resolve_provinces(frame[spec.province], allow_non_mainland=False).to_numpy()
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
        items = [f"row {i}: {r[spec.province]}, {r[spec.country]}, {r[spec.indicator]} = {r[spec.value]!r}"
                 for i, r in bad.head(10).iterrows()]
        raise InputError(f"{len(bad)} missing or non-numeric value(s): {'; '.join(items)}"
                         + (" ..." if len(bad) > 10 else "") + ". Impute or remove them explicitly.")
    frame["_value"] = values.astype(float)
    if spec.exclude_provinces:
        drop = {resolve_province(x).code for x in spec.exclude_provinces}
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
        items = [f"row {i}: {r[spec.province]}, {r[spec.country]}, {r[spec.indicator]}"
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
        stacked = holes.stack()
        cells = [f"({p}, {c}, {i})" for (p, c, i), v in stacked.items() if v]
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
    from exportlens.regions import belt_and_road_countries

    present = set(iso3)
    return [c.iso3 for c in belt_and_road_countries() if c.iso3 in present]


# --- results --------------------------------------------------------------------------


@dataclass
class LinkageStudyResult:
    """Everything the study produced; tables are built on demand in either language.

    ``scores``: one row per (province code, country ISO3) with the dimension scores,
    ``score`` (main AHP method), ``score_<method>`` for the three AHP weightings and
    ``topsis``. ``weights``: within-dimension indicator weights, one row per province
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
        bands = tuple((lo, min(hi, n) if (lo, hi) == bands[-1] else hi) for lo, hi in bands)
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
        from exportlens.regions import SUBREGIONS, resolve_countries

        sub = resolve_countries(pd.Series(self.scores.index.get_level_values(1)), to="subregion").to_numpy()
        table = self.scores[column].groupby([self.scores.index.get_level_values(0), sub]).mean().unstack()
        return table[[s.code for s in SUBREGIONS if s.code in table.columns]]

    def robustness(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Province ranks under each weighting (and changes vs the main one) and Kendall's tau.

        Kendall's tau-b (scipy.stats.kendalltau) between the average scores of every pair of
        weightings; a tau of 1 means the same ranking.
        """
        from scipy.stats import kendalltau

        from exportlens.measures.ahp import AHP_METHODS

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
                     f"{self.spec.within} weights within dimensions ({self.spec.scope}), "
                     f"{self.spec.standardise} standardisation, shift={self.spec.shift!r}")
        lines.append(f"AHP: lambda_max = {a.lambda_max:.4f}, CI = {a.ci:.4f}, RI = {a.ri:.2f} ({a.ri_table}), "
                     f"CR = {a.cr:.4f}; weights ({self.spec.ahp_method}): "
                     + ", ".join(f"{d} {w:.4f}" for d, w in a.weight(self.spec.ahp_method).items()))
        lines.append("Top provinces by average score: " + ", ".join(
            f"{_province_label(p, 'en')} ({r['average']:.4f})" for p, r in rank.head(5).iterrows()))
        _, tau = self.robustness()
        for _, r in tau.iterrows():
            lines.append(f"  Kendall tau {r['a']} vs {r['b']}: {r['tau']:.4f} (p {r['p_value']:.3g}); "
                         f"{r['provinces_with_rank_change']} provinces change rank (max {r['max_abs_change']})")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    # --- publication tables ---------------------------------------------------------

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-11 as :class:`~exportlens.report.tables.FrameTable` objects."""
        from exportlens.report.tables import FrameTable

        if lang not in ("zh", "en"):
            raise InputError(f"lang must be 'zh' or 'en', not {lang!r}.")
        w = _WORDS[lang]
        titles = TABLE_TITLES[lang]
        base = [_synthetic_note(lang)] if self.synthetic else []
        sysm = self.system
        plab = {p: _province_label(p, lang) for p in self.provinces}
        clab = {c: _country_label(c, lang) for c in self.countries}
        dlab = {d: sysm.label(d, lang) for d in sysm.dimension_codes}
        ilab = {i: sysm.label(i, lang) for i in sysm.codes}
        mlab = AHP_METHOD_LABELS[lang]
        t: dict[str, Any] = {}

        ind = sysm.indicators
        t1 = pd.DataFrame({
            w["dimension"]: [dlab[d] for d in ind["dimension"]],
            w["indicator"]: [ilab[i] for i in ind["code"]],
            "code": list(ind["code"]),
            w["direction"]: [w[d] for d in ind["direction"]],
            w["unit"]: list(ind["unit"]),
            w["source"]: list(ind["source"]),
            w["filled"]: [w["yes"] if f else "" for f in ind["filled"]],
        })
        t["table1"] = FrameTable(t1, title=titles["table1"], notes=[*base, *_system_notes(sysm, lang)], index=False)

        wt = self.weights.rename(columns=ilab)
        pooled = "全部省份（合并）" if lang == "zh" else "All provinces (pooled)"
        wt.index = [pooled if p == "pooled" else plab[p] for p in wt.index]
        wt.index.name = w["province"]
        t["table2"] = FrameTable(wt, title=titles["table2"], digits=4,
                                 notes=[*base, _weights_note(self, lang), *_constant_notes(self, lang)])

        a = self.ahp
        t3 = a.matrix.copy()
        t3.index = [dlab[d] for d in t3.index]
        t3.columns = [dlab[d] for d in t3.columns]
        for m in ("arithmetic", "geometric", "eigenvector"):
            t3[mlab[m]] = a.weights[m].to_numpy()
        extra = pd.DataFrame(np.nan, index=[w["lambda"], w["CI"], w["RI"], w["CR"]], columns=t3.columns)
        n = a.n
        for m in ("arithmetic", "geometric", "eigenvector"):
            lam = a.lambda_max if m == "eigenvector" else float(a.lambda_by_method[m])
            ci = (lam - n) / (n - 1) if n > 1 else 0.0
            extra.loc[:, mlab[m]] = [lam, ci, a.ri, ci / a.ri if a.ri > 0 else 0.0]
        t3 = pd.concat([t3, extra])
        t3.index.name = w["dimension"]
        t["table3"] = FrameTable(t3, title=titles["table3"], digits=4, notes=[*base, _ahp_note(self, lang)])

        sm = self.score_matrix().rename(columns=plab)
        sm.insert(0, w["subregion"], [_subregion_label(c, lang) for c in sm.index])
        sm.index = [clab[c] for c in sm.index]
        sm.index.name = w["country"]
        t["table4_scores"] = FrameTable(sm, title=titles["table4_scores"], digits=4, notes=[*base, _score_note(self, lang)])
        cr = self.country_ranks().rename(columns=plab)
        cr.insert(0, w["subregion"], [_subregion_label(c, lang) for c in cr.index])
        cr.index = [clab[c] for c in cr.index]
        cr.index.name = w["country"]
        t["table4_ranks"] = FrameTable(cr, title=titles["table4_ranks"], notes=base)

        region = _drc_labels(self.provinces, lang)
        pr = self.province_ranking()
        t5 = pd.DataFrame({w["region"]: [region[p] for p in pr.index], w["average"]: pr["average"].to_numpy(),
                           w["rank"]: pr["rank"].to_numpy()}, index=[plab[p] for p in pr.index])
        t5.index.name = w["province"]
        t["table5"] = FrameTable(t5, title=titles["table5"], digits=4, notes=base)

        t["table6"] = FrameTable(_score_rank_table(self.by_dimension(), dlab, pr.index, plab, w),
                                 title=titles["table6"], digits=4, notes=base)
        slab = {s: _subregion_label_code(s, lang) for s in self.by_subregion().columns}
        t["table7"] = FrameTable(_score_rank_table(self.by_subregion(), slab, pr.index, plab, w),
                                 title=titles["table7"], digits=4, notes=base)

        prc = self.province_ranks_by_country().reindex(pr.index).rename(columns=clab)
        prc.index = [plab[p] for p in prc.index]
        prc.index.name = w["province"]
        t["table8_province_ranks"] = FrameTable(prc, title=titles["table8_province_ranks"], notes=base)
        freq = self.rank_frequency().reindex(pr.index)
        freq.insert(0, w["region"], [region[p] for p in freq.index])
        freq.index = [plab[p] for p in freq.index]
        freq.index.name = w["province"]
        t["table9_rank_frequency"] = FrameTable(freq, title=titles["table9_rank_frequency"],
                                                notes=[*base, _frequency_note(self, lang)])

        rob, tau = self.robustness()
        rob = rob.rename(columns=lambda c: _method_col(c, mlab, w))
        rob.index = [plab[p] for p in rob.index]
        rob.index.name = w["province"]
        t["table10_robustness"] = FrameTable(rob, title=titles["table10_robustness"],
                                             notes=[*base, _robust_note(self, lang)])
        tau_t = tau.assign(a=tau["a"].map(mlab), b=tau["b"].map(mlab)).rename(columns={
            "a": ("方法A" if lang == "zh" else "Method A"), "b": ("方法B" if lang == "zh" else "Method B"),
            "tau": w["tau"], "p_value": w["p"],
            "provinces_with_rank_change": ("排名变化省份数" if lang == "zh" else "Provinces changing rank"),
            "max_abs_change": ("最大排名变化" if lang == "zh" else "Largest rank change"),
        })
        t["table11_kendall"] = FrameTable(tau_t, title=titles["table11_kendall"], digits=4, index=False, notes=base)
        return t

    def write(self, out_dir: str | Path, *, lang: str = "zh", formats: list[str] | None = None,
              figures: bool = True) -> list[Path]:
        """Write every table in every format, the long scores, the figures and notes.txt."""
        return write_linkage_outputs(self, Path(out_dir), lang=lang, formats=formats, figures=figures)


# --- labels and notes -----------------------------------------------------------------


def _province_label(code: Any, lang: str) -> str:
    from exportlens.regions import province_label

    return province_label(code, lang) if not isinstance(code, str) else code


def _country_label(iso3: str, lang: str) -> str:
    from exportlens.regions import country_label

    return country_label(iso3, lang)


def _subregion_label(iso3: str, lang: str) -> str:
    from exportlens.regions import resolve_country

    c = resolve_country(iso3)
    return c.subregion_zh if lang == "zh" else c.subregion_en


def _subregion_label_code(code: str, lang: str) -> str:
    from exportlens.regions import subregion

    return subregion(code).label(lang)


def _drc_labels(codes: list[int], lang: str) -> dict[int, str]:
    from exportlens.regions import assign_group

    return dict(zip(codes, assign_group(codes, "drc8", lang=lang).to_numpy(), strict=True))


def _method_col(c: str, mlab: dict[str, str], w: dict[str, str]) -> str:
    if c.endswith("_change"):
        return f"{mlab[c[:-7]]} {w['change']}"
    return f"{mlab[c]} {w['rank']}"


def _score_rank_table(avg: pd.DataFrame, labels: dict[str, str], order: pd.Index, plab: dict, w: dict) -> pd.DataFrame:
    ranks = avg.rank(ascending=False, method="min").astype(int)
    out = pd.DataFrame(index=avg.index)
    for c in avg.columns:
        out[f"{labels[c]} {w['score']}"] = avg[c]
        out[f"{labels[c]} {w['rank']}"] = ranks[c]
    out = out.reindex(order)
    out.index = [plab[p] for p in out.index]
    out.index.name = w["province"]
    return out


def _synthetic_note(lang: str) -> str:
    return ("注：数据为 exportlens 生成的合成演示数据（非真实统计数据）。" if lang == "zh"
            else "Note: SYNTHETIC demo data generated by exportlens (not real statistics).")


def _system_notes(system: IndicatorSystem, lang: str) -> list[str]:
    if system.name != BUILTIN_SYSTEM:
        return []
    if lang == "zh":
        return ["“补充指标”为原文未列明、由 exportlens 按本领域常用做法补充的指标。"]
    return list(system.notes)


def _weights_note(result: LinkageStudyResult, lang: str) -> str:
    s = result.spec
    if lang == "zh":
        scope = "每个省份以各沿线国家为评价对象分别计算" if s.scope == "province" else "全部省份-国家样本合并计算"
        return (f"权重在各维度内归一（维度内合计为1），{scope}；标准化方法 {s.standardise}，"
                f"平移 {s.shift!r}；赋权方法 {s.within}。")
    scope = ("computed for each province over its partner countries" if s.scope == "province"
             else "computed once over all province-country pairs (pooled)")
    return (f"Weights sum to 1 within each dimension, {scope}; standardisation {s.standardise}, "
            f"shift {s.shift!r}; weighting {s.within}.")


def _constant_notes(result: LinkageStudyResult, lang: str) -> list[str]:
    if not result.constant:
        return []
    ilab = {i: result.system.label(i, lang) for i in result.system.codes}
    items = [f"{_province_label(p, lang)}: {', '.join(ilab[i] for i in inds)}" for p, inds in result.constant.items()]
    if lang == "zh":
        return ["下列省份的指标在全部国家上取值相同（常数列），不含信息，权重记为0：" + "；".join(items) + "。"]
    return ["Constant indicator columns (same value for every country) carry no information and get weight 0: "
            + "; ".join(items) + "."]


def _ahp_note(result: LinkageStudyResult, lang: str) -> str:
    a = result.ahp
    verdict_zh = "通过" if a.consistent else "未通过"
    if lang == "zh":
        return (f"λmax = {a.lambda_max:.4f}，CI = {a.ci:.4f}，RI = {a.ri:.2f}（{a.ri_table}），CR = {a.cr:.4f}，"
                f"{verdict_zh}一致性检验（阈值 {a.threshold:g}）。特征向量法列的 λmax 为最大特征根，其余两列为 "
                f"(1/n)Σ(Aw)ᵢ/wᵢ 估计值。综合得分采用{AHP_METHOD_LABELS['zh'][result.spec.ahp_method]}权重。")
    verdict = "passes" if a.consistent else "FAILS"
    return (f"lambda_max = {a.lambda_max:.4f}, CI = {a.ci:.4f}, RI = {a.ri:.2f} ({a.ri_table}), CR = {a.cr:.4f}: "
            f"the matrix {verdict} the consistency test (threshold {a.threshold:g}). lambda_max in the eigenvector "
            "column is the principal eigenvalue; the other columns give (1/n) sum (Aw)_i / w_i. The final score "
            f"uses the {result.spec.ahp_method} weights.")


def _score_note(result: LinkageStudyResult, lang: str) -> str:
    if lang == "zh":
        return "综合得分 = Σ 维度权重(AHP) × 维度得分；维度得分 = Σ 维度内熵权 × 标准化值。"
    return "Score = sum over dimensions of AHP weight x dimension score; dimension score = sum of within-dimension weight x standardised value."


def _frequency_note(result: LinkageStudyResult, lang: str) -> str:
    n = len(result.countries)
    if lang == "zh":
        return f"对每个国家，将各省份按综合得分排名；表中为排名落入各区间的国家数（合计 {n}）。"
    return f"For each country the provinces are ranked by score; cells count the countries (of {n}) that put the province in each band."


def _robust_note(result: LinkageStudyResult, lang: str) -> str:
    main = AHP_METHOD_LABELS[lang][result.spec.ahp_method]
    if lang == "zh":
        return (f"排名变化 = 该方法排名 − {main}排名；TOPSIS 使用相同的全局权重（维度内熵权 × AHP权重），"
                "基于标准化数据，正负理想解取自全部省份-国家样本（标准化范围为各省份时取自该省份）。")
    return (f"Change = rank under the method minus rank under {main}; TOPSIS uses the same global weights "
            "(within-dimension weight x AHP weight) on the standardised data, with the ideal and anti-ideal "
            "points taken over all province-country pairs (over the province's own countries when "
            "standardise_scope = \"province\").")


# --- the analysis ---------------------------------------------------------------------


def run_linkage_study(data: pd.DataFrame, spec: LinkageStudySpec | None = None,
                      *, progress: Any = None) -> LinkageStudyResult:
    """Run the whole study on a long table and return its results (nothing is written).

    ``progress`` is an optional callable ``progress(step_description)``.
    """
    from exportlens.measures.ahp import AHP_METHODS, ahp
    from exportlens.measures.composite import composite_index, topsis

    spec = spec or LinkageStudySpec()
    spec.check()
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
        notes.append("AHP judgments: the default matrix (upper triangle 1,2,3,4,2,3,4,2,3,2), chosen to reproduce "
                     "the published consistency statistics; the published matrix itself is not available.")

    step("entropy weights and scores")
    wide = cube.wide
    main_w = a.weight(spec.ahp_method)
    kw = {"method": None, "weighting": spec.within, "dimension_weights": main_w.to_dict(),
          "constant": spec.constant}
    dims = system.dimension_codes
    benefit = dict.fromkeys(system.codes, "benefit")
    blocks = []
    weight_rows: dict[Any, pd.Series] = {}
    constant: dict[Any, list[str]] = {}
    groups = [(p, std.xs(p, level=0, drop_level=False)) for p in std.index.get_level_values(0).unique()] \
        if spec.scope == "province" else [("pooled", std)]
    with warnings.catch_warnings():
        # Constant columns are reported once, in the Table 2 notes, not as 31 warnings.
        from exportlens.measures.composite import ConstantColumnWarning

        warnings.simplefilter("ignore", ConstantColumnWarning)
        for key, block in groups:
            try:
                ci = composite_index(block, system, **kw)
            except InputError as exc:
                where = f"Province {_province_label(key, 'en')}" if key != "pooled" else "Pooled data"
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
        notes=notes, synthetic=bool(data.attrs.get("synthetic", False)),
    )


def _standardised_cube(wide: pd.DataFrame, system: IndicatorSystem, spec: LinkageStudySpec) -> pd.DataFrame:
    """Standardise every indicator over all pairs, or over each province's countries."""
    from exportlens.measures.composite import standardise

    bounds = tuple(spec.bounds) if spec.bounds is not None else None
    kw = {"method": spec.standardise, "shift": spec.shift, "bounds": bounds, "offset": spec.offset,
          "constant": "zero"}  # constant columns are handled (weight 0 or error) by the weighting step
    directions = system.directions()
    if spec.standardise_scope == "all":
        return standardise(wide, directions, **kw)
    parts = [standardise(wide.xs(p, level=0, drop_level=False), directions, **kw)
             for p in wide.index.get_level_values(0).unique()]
    return pd.concat(parts).reindex(wide.index)


def write_linkage_outputs(result: LinkageStudyResult, out_dir: Path, *, lang: str = "zh",
                          formats: list[str] | None = None, figures: bool = True) -> list[Path]:
    """Write Tables 1-11 in every requested format, the long scores, Figures 1-4 and notes.txt."""
    from exportlens.report.figures import figure_language
    from exportlens.report.tables import write_tables

    out_dir = Path(out_dir)
    written = write_tables(result.tables(lang), out_dir / "tables", formats)
    long = result.to_frame()
    long.insert(1, "province_name", [_province_label(p, lang) for p in long["province"]])
    long.insert(3, "country_name", [_country_label(c, lang) for c in long["country"]])
    scores_path = out_dir / "scores_long.csv"
    long.to_csv(scores_path, index=False, float_format="%.10g")
    written.append(scores_path)
    if figures:
        flang, fnote = figure_language(lang)
        if fnote and fnote not in result.notes:
            result.notes.append(fnote)
        written += _rank_figures(result, out_dir / "figures", flang)
    notes_path = out_dir / "notes.txt"
    notes_path.write_text(result.summary() + "\n", encoding="utf-8")
    written.append(notes_path)
    return written


def _rank_figures(result: LinkageStudyResult, out_dir: Path, lang: str) -> list[Path]:
    from exportlens.regions import grouping
    from exportlens.report.figures_linkage import rank_frequency_histograms

    g = grouping("drc8")
    freq = result.rank_frequency()
    region_of = {p: g.group_of(p) for p in freq.index}
    order = [r for r in g.order if r in set(region_of.values())]
    labels = {p: _province_label(p, lang) for p in freq.index}
    freq = freq.rename(index=labels)
    region_of = {labels[p]: r for p, r in region_of.items()}
    synth = result.synthetic
    if lang == "zh":
        note = "各省份在各国家中的排名频数。" + ("合成演示数据。" if synth else "")
        title, ylabel = "省份排名频数（按八大综合经济区）", "国家数"
    else:
        note = "Frequency of each province's rank among provinces across countries." + (
            " SYNTHETIC demo data." if synth else "")
        title, ylabel = "Frequency of province ranks by DRC region", "countries"
    return rank_frequency_histograms(
        freq, region_of, region_order=order, region_labels={k: g.label(k, lang) for k in g.order},
        out_dir=out_dir, stem="figure", regions_per_figure=2, title=title, note=note, ylabel=ylabel, lang=lang,
    )


def run_linkage_cli(spec: LinkageStudySpec, *, out: Path | None, lang: str, formats: list[str] | None,
                    figures: bool, overwrite: bool, console: Any = None) -> Path:
    """What ``exportlens run linkage`` (and the linkage part of ``exportlens demo``) does."""

    from exportlens.report.manifest import new_output_dir, write_manifest
    from exportlens.report.progress import step_progress

    out_dir = new_output_dir(out, "linkage" if spec.data_path else "linkage-demo", overwrite=overwrite)
    steps = ["load data", "check and pivot the data", "AHP dimension weights", "entropy weights and scores",
             "write tables and figures"]
    with step_progress("load data", len(steps), console) as advance:
        data = load_linkage_data(spec)
        result = run_linkage_study(data, spec, progress=advance)
        advance("write tables and figures")
        write_linkage_outputs(result, out_dir, lang=lang, formats=formats, figures=figures)
    inputs: dict[str, str | Path] = {"data": spec.data_path} if spec.data_path else {}
    if spec.source_file:
        spec.copy_study_file(out_dir)
        inputs["study_file"] = spec.source_file
    if spec.system not in (BUILTIN_SYSTEM,) and Path(spec.system).exists():
        inputs["indicator_system"] = spec.system
    write_manifest(out_dir, study="linkage", spec={
        **spec.to_dict(), "lang": lang, "formats": formats or "all",
        "data": spec.data_path or "embedded SYNTHETIC demo cube (linkage_demo)"},
        inputs=inputs, notes=result.notes)
    if console is not None:
        console.print(result.summary())
    return out_dir


def study_template() -> str:
    """A commented study file whose defaults reproduce the demo."""
    upper = ", ".join(str(x) for x in DEFAULT_AHP_UPPER)
    return f'''# exportlens study file: linkage of provinces with Belt-and-Road countries (entropy + AHP)
# Run:  exportlens run linkage --study this_file.toml --lang zh
# Column names refer to YOUR data; paths are relative to this file.

[data]
path = "linkage.csv"          # long table, one row per province x country x indicator (CSV, Excel, Parquet)
# sheet = "Sheet1"            # Excel sheet
province = "province"         # any spelling: 北京市, 北京, Beijing, 110000 ...
country = "country"           # ISO3/ISO2, Chinese or English names: VNM, 越南, Viet Nam ...
indicator = "indicator"       # indicator codes of the system below
value = "value"
exclude_provinces = []
exclude_countries = []

[indicators]
system = "{BUILTIN_SYSTEM}"   # built-in system (5 dimensions, 16 indicators), or a .toml/.yaml file

[weighting]
standardise = "minmax"        # "minmax" or "zscore" (SPSS: sample sd)
standardise_scope = "all"     # "all": over all province-country pairs (scores compare across provinces);
                              # "province": within each province (removes the province's level)
shift = "auto"                # "auto" (+0.0001 after min-max), "none", a number, "rescale", "column"
# bounds = [0.01, 0.99]       # target interval of shift = "rescale"
offset = 0.0001               # c of the per-column shift |min| + c ("column", and z-scores under "auto")
within = "entropy"            # weights inside each dimension: "entropy", "critic" or "sd"
scope = "province"            # "province": each province its own weights over the countries (published);
                              # "pooled": one weight vector over all province-country pairs
constant = "zero"             # a constant indicator column of a province gets weight 0 ("raise" to stop)

[ahp]
dimensions = ["economy", "goods", "capital", "people", "ict"]   # order of rows/columns below
upper = [{upper}]   # upper triangle row by row (Saaty 1-9; "1/3" allowed)
# matrix = [[1, 1, 2, 3, 4], [1, 1, 2, 3, 4], ["1/2", "1/2", 1, 2, 3], ...]
# pairs = [["economy", "goods", 1], ["economy", "capital", 2], ...]
ri_table = "saaty1980"        # saaty1980, saaty2005, chinese_textbook, tummala_ling1998, alonso_lamata2006, donegan_dodd1991
threshold = 0.1               # consistency ratio limit
on_inconsistent = "warn"      # warn, raise or ignore
method = "eigenvector"        # weights of the final score: eigenvector, arithmetic or geometric

[robustness]
topsis = true                 # also rank by TOPSIS on the same weights
'''
