"""The value-added study: where the value in each province's exports comes from.

Reproduces the published design (Su Qingyi 2016, following Koopman, Wang & Wei 2014): from
China's inter-provincial input-output tables (30 provinces; 2002, 2007, 2012) each
province's exports abroad are split into value added created in the province itself
(DVA), in the other provinces (PVA) and abroad (FVA); formulas in
:mod:`exportlens.mrio.decompose`. Outputs: Table 1 (the tables and national totals),
Table 2 (DVA, PVA, FVA by province and year), Table 3 (shares DVR, PVR, FVR with
export-weighted region-group rows), Table 4 (change of the shares between years), Table 5
(shares by sector group), Tables 6-1, 6-2 ... (one table per year as published: provinces x
DVA, PVA, FVA and their shares), Table 7 (value-added exports VAX_i = Σ_j V_i B_ij E_j),
figures (stacked bars of the shares by province; heatmap of the PVA source matrix) and a
manifest. ``[tables] exclude`` leaves regions out of the tables (the published
configuration: 30 provinces, without Tibet) while their flows stay in the system.

Python::

    from exportlens.datasets.demo_mrio import value_added_demo_tables
    from exportlens.studies.framework import run_study
    from exportlens.studies.value_added import STUDY, ValueAddedStudySpec, run_value_added_study
    result = run_value_added_study(value_added_demo_tables(), ValueAddedStudySpec())
    print(result.summary())
    run_study(STUDY, ValueAddedStudySpec(), out="results", lang="en")   # tables, data, figures, manifest

Command line: ``exportlens run value-added --study study.toml`` (``exportlens study template
value-added`` prints a commented study file) and ``exportlens demo``.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from exportlens.datasets.demo_mrio import value_added_demo_tables
from exportlens.errors import InputError, StudySpecError
from exportlens.mrio.decompose import (
    SECTOR_GROUP_LABELS,
    SECTOR_GROUPINGS,
    ProvincialDecomposition,
    decompose_provincial,
    sector_group_map,
)
from exportlens.mrio.readers import read_ceads_workbook, read_national_io
from exportlens.mrio.table import BalanceReport, MRIOTable
from exportlens.regions import RegionSet, list_groupings, resolve_province
from exportlens.regions import grouping as get_grouping
from exportlens.report import figures_value_added as vfig
from exportlens.report.tables import FrameTable
from exportlens.studies.framework import StudyDefinition, WritableResult, study_field
from exportlens.studies.regions_section import RegionsSection
from exportlens.text import term

__all__ = [
    "STUDY",
    "ValueAddedStudyResult",
    "ValueAddedStudySpec",
    "load_value_added_tables",
    "run_value_added_study",
]

#: spec unit -> yuan per display unit (the CEADs tables are in 10,000 yuan)
_UNITS: dict[str, float] = {"10k_yuan": 1e4, "100m_yuan": 1e8, "billion_yuan": 1e9}
_TABLE_UNIT_YUAN = {"10,000 yuan": 1e4, "10000 yuan": 1e4, "万元": 1e4}
#: The PVA source heatmap draws every region up to HEATMAP_LIMIT exporters (two provinces' worth of
#: regions); above it, the HEATMAP_TOP regions with the most PVA and one row and column "other".
HEATMAP_LIMIT = 62
HEATMAP_TOP = 30

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "table1": "表1 投入产出表与全国汇总", "table2": "表2 各省出口中的增加值来源（{unit}）",
        "table3": "表3 各省出口的增加值结构（%）", "table4": "表4 增加值结构的变化（百分点）",
        "table5": "表5 分行业组的出口增加值结构（%）",
        "exports": "出口", "dva": "本省增加值DVA", "pva": "外省增加值PVA", "fva": "国外增加值FVA",
        "dvr": "DVR", "pvr": "PVR", "fvr": "FVR",
        "exports_short": "出口", "dva_short": "本省增加值DVA", "pva_short": "外省增加值PVA", "fva_short": "国外增加值FVA",
        "provinces": "省份数", "sectors": "部门数", "max_residual": "最大平衡误差(相对)", "group": "行业组",
        "total": "全部省份", "weighted": "（出口加权）",
        "10k_yuan": "万元", "100m_yuan": "亿元", "billion_yuan": "十亿元",
        "unit_note": "单位：{unit}；份额为%。",
        "missing_note": "部分年份缺少的省份（变化为空）：{absent}",
        "synthetic_note": "注：数据为 exportlens 生成的合成演示投入产出表（非真实统计数据）。",
        "formula_note": "DVA_i = V_i B_ii E_i；PVA_i = Σ_{j≠i} V_j B_ji E_i；FVA_i = Σ_j M_j B_ji E_i"
                        "（B 为区域间里昂惕夫逆矩阵，E 为出口；苏庆义 2016，Koopman-Wang-Wei 2014）。",
        "share_note": "DVR、PVR、FVR 分别为 DVA、PVA、FVA 占出口的比重，三者之和为 100%。",
        "legend_dvr": "DVR（本省）", "legend_pvr": "PVR（外省）", "legend_fvr": "FVR（国外）",
        "bars_title": "各省出口的增加值结构", "bars_note": "占出口比重。",
        "bars_top_note": "共{n}个地区：只画出出口最大的{top}个，其余合为一条（其增加值之和占出口之和）。",
        "heatmap_title": "外省增加值来源，{year}年", "heatmap_x": "出口省份", "heatmap_y": "来源省份",
        "heatmap_colorbar": "占出口省份PVA的%", "heatmap_note": "按列计算的PVA份额，不含对角线。",
        "heatmap_other": "其他{n}个地区", "heatmap_top_note": "共{n}个地区：只画出PVA（流出加流入）最大的{top}个，其余合为“其他”。",
        "table6": "表6-{k} {year}年各省出口的增加值来源与结构（{unit}；份额为%）",
        "table7": "表7 各省增加值出口VAX（{unit}）",
        "dvr_pct": "DVR（%）", "pvr_pct": "PVR（%）", "fvr_pct": "FVR（%）",
        "vax": "增加值出口VAX", "indirect": "其中：体现在外省出口中", "vax_ratio": "VAX/出口（%）",
        "vax_note": "VAX_i = Σ_j V_i B_ij E_j：i省创造、体现在各省（含本省）出口中的增加值；VAX_i = DVA_i + "
                    "体现在外省出口中的部分；全部省份合计 ΣVAX = Σ(DVA + PVA) = 出口 − FVA"
                    "（Johnson & Noguera 2012；本表以出口为最终需求）。",
        "exclude_note": "表中不含 {names}：这些地区仍留在投入产出系统中（它们为其他省份出口提供的增加值仍计入"
                        "那些省份的PVA，其他省份体现在它们出口中的增加值仍计入VAX），只是不列入表格，合计行也只"
                        "包括表中省份。这不同于把一个地区并入另一地区：合并会把两地区的行和列相加，改变系数矩阵A和"
                        "里昂惕夫逆B，被并入地区的增加值随之成为合并后地区的DVA。",
    },
    "en": {
        "table1": "Table 1 Input-output tables and national totals",
        "table2": "Table 2 Sources of value added in provincial exports ({unit})",
        "table3": "Table 3 Value-added structure of provincial exports (%)",
        "table4": "Table 4 Change in the value-added structure (percentage points)",
        "table5": "Table 5 Value-added structure of exports by sector group (%)",
        "exports": "Exports", "dva": "DVA (own province)", "pva": "PVA (other provinces)", "fva": "FVA (abroad)",
        "dvr": "DVR", "pvr": "PVR", "fvr": "FVR",
        "exports_short": "Exports", "dva_short": "DVA", "pva_short": "PVA", "fva_short": "FVA",
        "provinces": "Provinces", "sectors": "Sectors", "max_residual": "Max balance residual (relative)",
        "group": "Sector group", "total": "All provinces", "weighted": " (export-weighted)",
        "10k_yuan": "10,000 yuan", "100m_yuan": "100 million yuan", "billion_yuan": "billion yuan",
        "unit_note": "Levels in {unit}; shares in %.",
        "missing_note": "Provinces missing in some year (change left empty): {absent}",
        "synthetic_note": "Note: SYNTHETIC demo input-output tables generated by exportlens (not real statistics).",
        "formula_note": "DVA_i = V_i B_ii E_i; PVA_i = Σ_{j≠i} V_j B_ji E_i; FVA_i = Σ_j M_j B_ji E_i "
                        "(B: inter-provincial Leontief inverse, E: exports abroad; Su 2016, Koopman-Wang-Wei 2014).",
        "share_note": "DVR, PVR and FVR are DVA, PVA and FVA as shares of exports; they sum to 100%.",
        "legend_dvr": "DVR (own province)", "legend_pvr": "PVR (other provinces)", "legend_fvr": "FVR (abroad)",
        "bars_title": "Value-added structure of provincial exports", "bars_note": "Shares of exports abroad.",
        "bars_top_note": "{n} regions: the {top} largest exporters drawn, the rest as one bar (their summed value added over their summed exports).",
        "heatmap_title": "Where other-province value added comes from, {year}", "heatmap_x": "Exporting province",
        "heatmap_y": "Source province", "heatmap_colorbar": "% of the exporter's PVA",
        "heatmap_note": "Column shares of PVA; diagonal excluded.",
        "heatmap_other": "Other {n} regions",
        "heatmap_top_note": "{n} regions: the {top} with the most PVA (sent plus received) drawn, the rest summed as "
                            "other.",
        "table6": "Table 6-{k} Value added in provincial exports, {year} ({unit}; shares in %)",
        "table7": "Table 7 Value-added exports VAX by province ({unit})",
        "dvr_pct": "DVR (%)", "pvr_pct": "PVR (%)", "fvr_pct": "FVR (%)",
        "vax": "VAX", "indirect": "of which in other provinces' exports", "vax_ratio": "VAX/exports (%)",
        "vax_note": "VAX_i = Σ_j V_i B_ij E_j: value added created in province i and embodied in the exports "
                    "abroad of every province (its own included); VAX_i = DVA_i + the part in other provinces' "
                    "exports; over all provinces ΣVAX = Σ(DVA + PVA) = exports − FVA (Johnson & Noguera 2012; "
                    "exports are the final demand here).",
        "exclude_note": "Left out of the tables: {names}. They stay in the input-output system (the value added "
                        "they supply to other provinces' exports still counts in those provinces' PVA, and other "
                        "provinces' value added in their exports still counts in VAX); they are only not listed, "
                        "and total rows cover the listed provinces. Aggregating a region into another is different: "
                        "it adds up the two regions' rows and columns, which changes A and the Leontief inverse B, "
                        "and the merged region's value added becomes DVA of the combined region.",
    },
}

_SHARES = (("dvr", "dva"), ("pvr", "pva"), ("fvr", "fva"))


class ValueAddedStudySpec(RegionsSection):
    """What the value-added study reads and how it reports.

    ``tables`` maps a year to a table file (CEADs workbook or national non-competitive
    CSV; ``format="auto"`` decides by suffix). Empty: the embedded SYNTHETIC demo tables
    (30 provinces x 42 sectors, 2002/2007/2012). ``sector_groups`` is a built-in grouping
    of the 42-sector classification (``sectors3``, ``sectors6``) or a mapping sector ->
    group. Tables whose identities fail by more than ``balance_tolerance`` (relative to
    gross output) are reported (``on_imbalance="warn"``) or rejected (``"raise"``); the
    shares add up to one only on column-balanced tables.
    """

    TITLE: ClassVar[str] = "value added in provincial exports (DVA / PVA / FVA)"
    STUDY_NAME: ClassVar[str] = "value-added"

    tables: dict[str, str] = study_field(
        default_factory=dict, section="data", path=True,
        example={"2012": "CEADs_MRIO_2012.xlsx", "2017": "CEADs_MRIO_2017.xlsx"},
        help="one input-output table per year ([data.tables] year = \"file\"); unset: the SYNTHETIC demo "
             "tables (30 provinces x 42 sectors, 2002, 2007, 2012)")
    format: Literal["auto", "ceads", "national"] = study_field(
        "auto", section="data",
        help="auto (.xlsx = CEADs workbook, .csv = national table), ceads or national")
    sheet: str | None = study_field(None, section="data", example="2012",
                                    help="workbook sheet (default: the first)")
    sector_groups: str | dict[str, str] = study_field(
        "sectors3", section="decomposition",
        help="sectors3 (primary/secondary/tertiary), sectors6, or a table [decomposition.sector_groups] "
             "of sector code = \"group\"")
    balance_tolerance: float = study_field(
        1e-3, section="decomposition", ge=0,
        help="relative residual allowed in x = Z1 + Y1 + E + ERR and x' = 1'Z + VA + IM")
    on_imbalance: Literal["warn", "raise"] = study_field(
        "warn", section="decomposition", help="warn (report in the notes) or raise")
    unit: Literal["10k_yuan", "100m_yuan", "billion_yuan"] = study_field(
        "100m_yuan", section="output", help="10k_yuan (as in the tables), 100m_yuan (亿元) or billion_yuan")
    grouping: str = study_field("nbs4", section="output",
                                help="region groups of Tables 3-4: nbs4, belts3, drc8 or coastal")
    heatmap_year: int | None = study_field(None, section="output", example=2012,
                                           help="year of the source-matrix heatmap (default: the last)")
    exclude: list[str] = study_field(
        default_factory=list, section="tables", example=["西藏"],
        help='regions left out of the tables and figures (e.g. ["西藏"]; published: 30 provinces without '
             "Tibet); their flows stay in the input-output system")

    #: The published configuration where it differs from the defaults: the publication's
    #: tables have 30 provinces (Tibet absent).
    PUBLISHED: ClassVar[dict[str, Any]] = {"exclude": ["西藏"]}

    def check(self) -> None:
        """Rules the field types cannot say (not yet against the tables)."""
        for year in self.tables:
            if not str(year).isdigit():
                raise StudySpecError(f"[data.tables] keys must be years, not {year!r}.")
        if isinstance(self.sector_groups, str) and self.sector_groups not in SECTOR_GROUPINGS:
            raise StudySpecError(f"[decomposition] sector_groups must be one of {', '.join(SECTOR_GROUPINGS)} "
                                 f"or a table sector = \"group\", not {self.sector_groups!r}.")
        names = [g.name for g in list_groupings()]
        if self.has_region_table:
            return  # grouping: [regions] grouping; exclude: checked against the region table when it is read
        if self.grouping not in names:
            raise StudySpecError(f"[output] grouping must be one of {', '.join(names)}, not {self.grouping!r}.")
        for name in self.exclude:
            try:
                resolve_province(name)
            except InputError:
                raise StudySpecError(f"[tables] exclude: {name!r} is not a province; write it as 西藏, 西藏自治区, "
                                     "Tibet or 540000.") from None


def _region_code(label: str, spec: ValueAddedStudySpec) -> Any:
    """The region code of an input-output table's region label (None: not a region of the set)."""
    if spec.has_region_table:
        return _table_code(spec.region_set(), label)
    try:
        return resolve_province(label).code
    except InputError:
        return None


#: (id of the region set, label) -> (the region set, kept so that its id is not reused; code or None)
_CODES: dict[tuple[int, str], tuple[RegionSet, Any]] = {}


def _table_code(regions: RegionSet, label: str) -> Any:
    """The code of ``label`` in a region table (None: not in it), looked up once per table and label."""
    key = (id(regions), str(label))
    if key not in _CODES:
        if len(_CODES) > 100_000:
            _CODES.clear()
        try:
            _CODES[key] = (regions, regions.resolve([label]).iloc[0])
        except InputError:
            _CODES[key] = (regions, None)
    return _CODES[key][1]


def _region_label(label: str, lang: str, spec: ValueAddedStudySpec) -> str:
    code = _region_code(label, spec)
    return label if code is None else spec.region_label(code, lang)


def _region_group(labels: list[str], spec: ValueAddedStudySpec) -> list[str | None]:
    if spec.has_region_table:
        codes = [_region_code(lab, spec) for lab in labels]
        groups = iter(spec.region_groups([c for c in codes if c is not None], spec.region_grouping).tolist())
        return [None if c is None else next(groups) for c in codes]
    g = get_grouping(spec.grouping)
    out: list[str | None] = []
    for lab in labels:
        try:
            out.append(g.group_of(resolve_province(lab).code))
        except InputError:
            out.append(None)
    return out


def check_table_regions(tables: Mapping[int, MRIOTable], spec: ValueAddedStudySpec) -> None:
    """With a ``[regions] table``: every region label of every input-output table must be a code
    (or name) of the region table; raises :class:`InputError` naming the year, the table and the
    labels that are not."""
    if not spec.has_region_table:
        return
    regions = spec.region_set()
    for year, table in tables.items():
        labels = list(table.regions)
        try:
            regions.resolve(labels)
        except InputError:
            unknown = [lab for lab in labels if _region_code(lab, spec) is None]
            shown = ", ".join(repr(u) for u in unknown[:10]) + (f" ... ({len(unknown)} in all)" if len(unknown) > 10 else "")
            raise InputError(f"input-output table {year}{' (' + table.name + ')' if table.name else ''} has region(s) "
                             f"{shown} that are not in {regions.source}: the tables' region labels must be the codes "
                             "(or names) of the region table; add those regions to the [regions] table or relabel "
                             "the input-output table.") from None


def _ratio(part: float, whole: float, scale: float = 1.0) -> float:
    """``scale * part / whole`` (NaN when there is nothing to divide by)."""
    return scale * part / whole if whole > 0 else float("nan")


def _with_index(frame: pd.DataFrame) -> pd.DataFrame:
    """The index as leading column(s), headed by its name (blank when unnamed), as ``to_csv(index=True)``."""
    names = [n if n is not None else "" for n in frame.index.names]
    out = frame.reset_index()
    out.columns = [*names, *frame.columns]
    return out


@dataclass
class ValueAddedStudyResult(WritableResult):
    """Everything the study produced; tables are built on demand in either language."""

    spec: ValueAddedStudySpec
    decompositions: dict[int, ProvincialDecomposition]
    balance: dict[int, BalanceReport]
    table_info: dict[int, dict[str, Any]]
    notes: list[str]
    synthetic: bool = False

    @property
    def years(self) -> list[int]:
        return sorted(self.decompositions)

    def excluded_regions(self) -> list[str]:
        """The regions of the tables that ``[tables] exclude`` leaves out of the reported tables."""
        if not self.spec.exclude:
            return []
        codes = {_region_code(x, self.spec) for x in self.spec.exclude} - {None}
        regions = dict.fromkeys(r for d in self.decompositions.values() for r in d.regions)
        return [r for r in regions if _region_code(r, self.spec) in codes]

    def _reported(self, frame: pd.DataFrame, column: str = "region") -> pd.DataFrame:
        """The rows of the regions the tables report (without ``[tables] exclude``)."""
        excluded = self.excluded_regions()
        return frame[~frame[column].isin(excluded)] if excluded else frame

    def vax_frame(self) -> pd.DataFrame:
        """Long frame: year, region, exports, DVA, VAX, indirect (VAX − DVA), VAX ratio (table units)."""
        frames = []
        for y in self.years:
            f = self.decompositions[y].vax_frame().reset_index()
            f.insert(0, "year", y)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def _scale(self, lang: str) -> tuple[float, str]:
        """Divisor from table units to the display unit, and the unit's label."""
        units = {self.table_info[y].get("unit", "") for y in self.years}
        if len(units) == 1 and next(iter(units)) in _TABLE_UNIT_YUAN:
            return _UNITS[self.spec.unit] / _TABLE_UNIT_YUAN[next(iter(units))], self.spec.wording(TEXT, lang)[self.spec.unit]
        return 1.0, ", ".join(sorted(u or "table unit" for u in units))

    def to_frame(self) -> pd.DataFrame:
        """Long frame: year, region, region group, exports, DVA, PVA, FVA (table units), shares, residual."""
        frames = []
        for y in self.years:
            f = self.decompositions[y].to_frame().reset_index()
            f.insert(0, "year", y)
            f.insert(2, "region_group", _region_group(list(f["region"]), self.spec))
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def sector_group_frame(self) -> pd.DataFrame:
        """Long frame by year, region and sector group (levels in table units and shares)."""
        frames = []
        for y in self.years:
            f = self.decompositions[y].by_sector_group(self.spec.sector_groups).reset_index()
            f.insert(0, "year", y)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def changes(self) -> pd.DataFrame:
        """Change of DVR/PVR/FVR (share points) between consecutive years, by region."""
        frame = self.to_frame()
        out = []
        for a, b in itertools.pairwise(self.years):
            fa = frame[frame["year"] == a].set_index("region")[["dvr", "pvr", "fvr"]]
            fb = frame[frame["year"] == b].set_index("region")[["dvr", "pvr", "fvr"]]
            d = (fb - fa.reindex(fb.index)).reset_index()
            d.insert(0, "period", f"{a}-{b}")
            out.append(d)
        return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["period", "region", "dvr", "pvr", "fvr"])

    def summary(self) -> str:
        """Plain-text overview: national shares by year, biggest movers, notes."""
        frame = self.to_frame()
        lines = ["Value added in provincial exports: DVA / PVA / FVA" + (" (SYNTHETIC demo data)" if self.synthetic else "")]
        for y in self.years:
            f = frame[frame["year"] == y]
            e = f["exports"].sum()
            if e > 0:
                lines.append(f"  {y}: {len(f)} provinces; all provinces DVR {f['dva'].sum() / e:.3f}, "
                             f"PVR {f['pva'].sum() / e:.3f}, FVR {f['fva'].sum() / e:.3f}; "
                             f"max |DVR+PVR+FVR-1| {(f[['dvr', 'pvr', 'fvr']].sum(axis=1) - 1).abs().max():.1e}")
        lines += [f"Note: {n}" for n in self.notes]
        return self.spec.reword("\n".join(lines))

    def data_files(self) -> dict[str, pd.DataFrame]:
        """Tidy results, sector groups, changes; per year the source matrices and the worst balance cells."""
        decomposition = self.to_frame()
        if self.spec.has_region_table:  # the table's names next to its codes (the report's reading quotes them)
            names = {r: _region_label(r, "zh", self.spec) for r in decomposition["region"].unique()}
            after = list(decomposition.columns).index("region") + 1
            decomposition.insert(after, "region_name", decomposition["region"].map(names))
        files = {"data/decomposition": decomposition, "data/sector_groups": self.sector_group_frame(),
                 "data/changes": self.changes(), "data/vax": self.vax_frame()}
        for y in self.years:
            d = self.decompositions[y]
            files[f"data/vbe_{y}"] = _with_index(d.source_matrix("vbe", shares=False))
            files[f"data/mbe_{y}"] = _with_index(d.source_matrix("fva", shares=False))
            files[f"data/balance_worst_{y}"] = _with_index(self.balance[y].worst(20))
        return files

    # --- tables -------------------------------------------------------------------------

    def _weighted_rows(self, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
        """Export-weighted shares of each region group and of all provinces, one row each."""
        text = self.spec.wording(TEXT, lang)
        glabels = self.spec.group_labels(self.spec.study_grouping(self.spec.grouping), lang)
        rows = {}
        for key in [*glabels, None]:
            sub = frame if key is None else frame[frame["region_group"] == key]
            if sub.empty:
                continue
            e = sub["exports"].sum()
            label = (text["total"] if key is None else glabels[key]) + text["weighted"]
            rows[label] = {k: _ratio(sub[lvl].sum(), e) for k, lvl in _SHARES}
        return pd.DataFrame.from_dict(rows, orient="index")

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-5 as :class:`FrameTable` objects (to_markdown, to_docx ...)."""
        text = self.spec.wording(TEXT, lang)
        year_col, province_col = term("year", lang), self.spec.reword(term("Province", lang))
        scale, unit_label = self._scale(lang)
        base_notes = [text["synthetic_note"]] if self.synthetic else []
        excluded = self.excluded_regions()
        if excluded:
            base_notes = [*base_notes, text["exclude_note"].format(
                names=term("list_sep", lang).join(_region_label(r, lang, self.spec) for r in excluded))]
        unit_note = text["unit_note"].format(unit=unit_label)
        frame = self._reported(self.to_frame())
        order = list(dict.fromkeys(frame["region"]))
        labels = {r: _region_label(r, lang, self.spec) for r in order}
        tables: dict[str, Any] = {}

        t1 = []
        for y in self.years:
            f = frame[frame["year"] == y]
            e = f["exports"].sum()
            rep = self.balance[y]
            t1.append({year_col: str(y), text["provinces"]: len(f), text["sectors"]: self.table_info[y]["sectors"],
                       text["exports"]: e / scale, text["dva"]: f["dva"].sum() / scale,
                       text["pva"]: f["pva"].sum() / scale, text["fva"]: f["fva"].sum() / scale,
                       **{text[k]: _ratio(f[lvl].sum(), e, 100) for k, lvl in _SHARES},
                       text["max_residual"]: f"{max(rep.row_relative.max(), rep.column_relative.max()):.1e}"})
        tables["table1"] = FrameTable(pd.DataFrame(t1), title=text["table1"], notes=[*base_notes, unit_note],
                                      digits=2, index=False)

        wide = []
        for y in self.years:
            part = frame[frame["year"] == y].set_index("region")[["exports", "dva", "pva", "fva"]] / scale
            part.columns = [f"{y} {text[c + '_short']}" for c in part.columns]
            wide.append(part)
        t2 = pd.concat(wide, axis=1).reindex(order)
        t2.loc[text["total"]] = t2.sum(axis=0, min_count=1)
        t2.index = [labels.get(r, r) for r in t2.index]
        t2.index.name = province_col
        tables["table2"] = FrameTable(t2, title=text["table2"].format(unit=unit_label),
                                      notes=[*base_notes, text["formula_note"]], digits=2)

        shares = {y: pd.concat([frame[frame["year"] == y].set_index("region")[["dvr", "pvr", "fvr"]].reindex(order),
                                self._weighted_rows(frame[frame["year"] == y], lang)]) for y in self.years}
        t3 = pd.concat([(s * 100).set_axis([f"{y} {c.upper()}" for c in s.columns], axis=1)
                        for y, s in shares.items()], axis=1)
        t3.index = [labels.get(r, r) for r in t3.index]
        t3.index.name = province_col
        tables["table3"] = FrameTable(t3, title=text["table3"], notes=[*base_notes, text["share_note"]], digits=2)

        if len(self.years) > 1:
            changes = []
            for a, b in itertools.pairwise(self.years):
                d = (shares[b] - shares[a]) * 100
                d.columns = [f"{a}-{b} Δ{c.upper()}" for c in ["dvr", "pvr", "fvr"]]
                changes.append(d)
            t4 = pd.concat(changes, axis=1)
            t4.index = [labels.get(r, r) for r in t4.index]
            t4.index.name = province_col
            missing = frame.groupby("region")["year"].nunique()
            notes4 = list(base_notes)
            if (missing < len(self.years)).any():
                absent = ", ".join(labels.get(r, r) for r in missing[missing < len(self.years)].index)
                notes4.append(text["missing_note"].format(absent=absent))
            tables["table4"] = FrameTable(t4, title=text["table4"], notes=notes4, digits=2)

        sg = self._reported(self.sector_group_frame())
        agg = sg.groupby(["year", "group"], sort=False)[["exports", "dva", "pva", "fva"]].sum().reset_index()
        rows = [{year_col: str(r["year"]), text["group"]: SECTOR_GROUP_LABELS[lang].get(r["group"], r["group"]),
                 text["exports"]: r["exports"] / scale,
                 **{text[k]: _ratio(r[lvl], r["exports"], 100) for k, lvl in _SHARES}}
                for _, r in agg.iterrows()]
        tables["table5"] = FrameTable(pd.DataFrame(rows), title=text["table5"],
                                      notes=[*base_notes, unit_note, text["share_note"]], digits=2, index=False)

        # Table 6-k: one table per year as published (provinces x DVA, PVA, FVA and their shares)
        for k, y in enumerate(self.years, start=1):
            f = frame[frame["year"] == y].set_index("region")
            t6 = pd.DataFrame({text["dva_short"]: f["dva"] / scale, text["pva_short"]: f["pva"] / scale,
                               text["fva_short"]: f["fva"] / scale, text["dvr_pct"]: f["dvr"] * 100,
                               text["pvr_pct"]: f["pvr"] * 100, text["fvr_pct"]: f["fvr"] * 100})
            t6.index = [labels.get(r, r) for r in t6.index]
            t6.index.name = province_col
            tables[f"table6_{y}"] = FrameTable(
                t6, title=text["table6"].format(k=k, year=y, unit=unit_label), digits=2,
                notes=[*base_notes, text["formula_note"], text["share_note"]])

        # Table 7: value-added exports VAX_i = sum_j V_i B_ij E_j
        vax = self._reported(self.vax_frame())
        parts = []
        for y in self.years:
            f = vax[vax["year"] == y].set_index("region")
            total = pd.DataFrame({"vax": [f["vax"].sum()], "indirect": [f["indirect"].sum()],
                                  "exports": [f["exports"].sum()]}, index=[text["total"]])
            f = pd.concat([f[["vax", "indirect", "exports"]].reindex(order), total])
            parts.append(pd.DataFrame({f"{y} {text['vax']}": f["vax"] / scale,
                                       f"{y} {text['indirect']}": f["indirect"] / scale,
                                       f"{y} {text['vax_ratio']}": 100 * f["vax"] / f["exports"].where(f["exports"] > 0)}))
        t7 = pd.concat(parts, axis=1)
        t7.index = [labels.get(r, r) for r in t7.index]
        t7.index.name = province_col
        tables["table7"] = FrameTable(t7, title=text["table7"].format(unit=unit_label), digits=2,
                                      notes=[*base_notes, text["vax_note"]])
        return self.spec.reword_tables(tables)  # a [regions] table: its regions, not "provinces"

    def draw_figures(self, out_dir: Path, lang: str) -> list[Path]:
        """Stacked bars of DVR/PVR/FVR by province and year; heatmap of where PVA comes from."""
        flang = self.figure_lang(lang)  # English when no font has Chinese glyphs (noted)
        text = self.spec.wording(TEXT, flang)
        synth = (" " + term("synthetic_short", flang)) if self.synthetic else ""
        frame = self._reported(self.to_frame())
        order = list(dict.fromkeys(frame["region"]))
        kept, rest = self.bar_regions(frame)
        other = text["heatmap_other"].format(n=len(rest))
        panels = {}
        for y in self.years:
            rows = frame[frame["year"] == y].set_index("region")
            f = rows[["dvr", "pvr", "fvr"]].reindex([r for r in order if r in kept])
            f.index = [_region_label(r, flang, self.spec) for r in f.index]
            if rest:  # the other regions as one: their summed DVA, PVA and FVA over their summed exports
                sums = rows.reindex(rest)[["dva", "pva", "fva", "exports"]].sum()
                f.loc[other] = (sums[["dva", "pva", "fva"]] / sums["exports"]).to_numpy()
            panels[str(y)] = f
        bars_note = text["bars_note"]
        if rest:
            bars_note += " " + text["bars_top_note"].format(n=len(order), top=len(kept))
        out = [vfig.share_bars(
            panels, path=out_dir / "shares_by_province.png", lang=flang, title=text["bars_title"],
            legend=[text["legend_dvr"], text["legend_pvr"], text["legend_fvr"]],
            note=(bars_note + synth).strip())]
        year = self.heatmap_year()
        note = text["heatmap_note"]
        if self.heatmap_collapsed():  # hundreds of regions: the top regions and one "other" row and column
            levels = self.decompositions[year].source_matrix("pva", shares=False)
            levels = levels.drop(columns=self.excluded_regions())
            n_other = len(levels.index) - HEATMAP_TOP
            other = text["heatmap_other"].format(n=n_other)
            mat = vfig.top_regions_matrix(levels, HEATMAP_TOP, other=other)
            note += " " + text["heatmap_top_note"].format(n=len(levels.index), top=HEATMAP_TOP)
            labels = {other: other}
        else:
            mat = self.decompositions[year].source_matrix("pva", shares=True)
            mat = mat.mask(np.eye(len(mat), dtype=bool))  # own province: not part of PVA, drawn as missing
            mat = mat.drop(columns=self.excluded_regions())  # excluded exporters; they stay as sources
            labels = {}
        mat.index = [labels.get(r) or _region_label(r, flang, self.spec) for r in mat.index]
        mat.columns = [labels.get(r) or _region_label(r, flang, self.spec) for r in mat.columns]
        out.append(vfig.source_heatmap(
            mat, path=out_dir / f"pva_sources_{year}.png", lang=flang, title=text["heatmap_title"].format(year=year),
            xlabel=text["heatmap_x"], ylabel=text["heatmap_y"], colorbar_label=text["heatmap_colorbar"],
            note=(note + synth).strip()))
        return out

    def heatmap_year(self) -> int:
        """The year of the PVA source heatmap: ``[output] heatmap_year``, else the last year."""
        return self.spec.heatmap_year if self.spec.heatmap_year is not None else self.years[-1]

    def heatmap_collapsed(self) -> bool:
        """True when the heatmap year has more than :data:`HEATMAP_LIMIT` exporting regions: the
        heatmap then draws the :data:`HEATMAP_TOP` regions with the most PVA and sums the rest."""
        d = self.decompositions[self.heatmap_year()]
        return len(d.regions) - len(self.excluded_regions()) > HEATMAP_LIMIT

    def bar_regions(self, frame: pd.DataFrame) -> tuple[list[str], list[str]]:
        """The regions the share bars draw one by one, and those drawn summed as "other": every
        region up to :data:`HEATMAP_LIMIT`, else the :data:`HEATMAP_TOP` largest exporters (exports
        summed over the years) and the rest."""
        totals = frame.groupby("region", sort=False)["exports"].sum()
        if len(totals) <= HEATMAP_LIMIT:
            return list(totals.index), []
        top = totals.sort_values(ascending=False, kind="stable").index[:HEATMAP_TOP]
        return list(top), [r for r in totals.index if r not in set(top)]

    def heatmap_note(self) -> str | None:
        """The run note on a collapsed heatmap (None when every region is drawn)."""
        if not self.heatmap_collapsed():
            return None
        n = len(self.decompositions[self.heatmap_year()].regions)
        return (f"Figure pva_sources_{self.heatmap_year()}: {n} regions, more than {HEATMAP_LIMIT}; the heatmap "
                f"draws the {HEATMAP_TOP} regions with the most other-region value added (sent plus received) and "
                f"sums the other {n - HEATMAP_TOP} into one row and column (column shares of PVA).")


# --- the analysis ----------------------------------------------------------------------


def load_value_added_tables(spec: ValueAddedStudySpec) -> dict[int, MRIOTable]:
    """The tables named in the spec, or the embedded SYNTHETIC demo tables when none are named."""
    if not spec.tables:
        return value_added_demo_tables()
    out: dict[int, MRIOTable] = {}
    for year, path in spec.tables.items():
        p = Path(path)
        kind: str = spec.format
        if kind == "auto":
            kinds = {".xlsx": "ceads", ".xlsm": "ceads", ".csv": "national"}
            if p.suffix.lower() not in kinds:
                raise StudySpecError(f"Cannot tell the format of {p.name} from its suffix; set [data] format "
                                     "(ceads or national).")
            kind = kinds[p.suffix.lower()]
        out[int(year)] = (read_ceads_workbook(p, sheet=spec.sheet, year=int(year)) if kind == "ceads"
                          else read_national_io(p, year=int(year)))
    return out


def _balance_note(year: int, rep: BalanceReport, spec: ValueAddedStudySpec) -> str:
    """The note on an unbalanced table (or its error, with ``on_imbalance = "raise"``)."""
    if spec.on_imbalance == "raise":
        try:
            rep.raise_if_unbalanced()
        except InputError as exc:
            raise InputError(f"{year}: {exc}") from None
    worst = rep.worst(3)
    cells = zip(worst.index, worst["row_relative"], worst["column_relative"], strict=True)
    return (f"{year}: the table is not balanced within {spec.balance_tolerance:g} (worst: "
            + "; ".join(f"{r}/{s} row {row:.2g}, column {col:.2g}" for (r, s), row, col in cells)
            + "). DVR + PVR + FVR differ from 1 by the column residual.")


def run_value_added_study(tables: Mapping[int | str, MRIOTable], spec: ValueAddedStudySpec | None = None,
                          *, progress: Any = None) -> ValueAddedStudyResult:
    """Decompose every year's table and collect the results (nothing is written).

    ``tables`` maps a year to an :class:`~exportlens.mrio.table.MRIOTable`. ``progress`` is
    an optional callable ``progress(step_description)``.
    """
    spec = spec or ValueAddedStudySpec()
    if not tables:
        raise InputError("No input-output tables to decompose.")
    step = progress or (lambda _msg: None)
    step("decompose the tables")
    notes: list[str] = []
    decomps: dict[int, ProvincialDecomposition] = {}
    balance: dict[int, BalanceReport] = {}
    info: dict[int, dict[str, Any]] = {}
    synthetic = []
    check_table_regions({int(k): t for k, t in tables.items()}, spec)
    if spec.has_region_table and spec.exclude:
        unknown = [x for x in spec.exclude if _region_code(x, spec) is None]
        if unknown:
            raise StudySpecError(f"[tables] exclude: {', '.join(map(repr, unknown))} not in "
                                 f"{spec.region_set().source}; write them as codes or names of the region table.")
    for key in sorted(tables, key=lambda k: int(k)):
        year = int(key)
        table = tables[key]
        sector_group_map(spec.sector_groups, table.sectors)  # fail early, naming uncovered sectors
        rep = table.balance_report(spec.balance_tolerance)
        if not rep.ok:
            notes.append(_balance_note(year, rep, spec))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            decomps[year] = decompose_provincial(table)
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            notes.append(f"{year}: {w.message}")
        balance[year] = rep
        info[year] = {"name": table.name, "unit": table.unit, "regions": table.n_regions, "sectors": table.n_sectors,
                      "description": table.description}
        notes += [f"{year}: {n}" for n in table.notes if not table.synthetic]
        synthetic.append(table.synthetic)
    if spec.heatmap_year is not None and spec.heatmap_year not in decomps:
        raise StudySpecError(f"[output] heatmap_year {spec.heatmap_year} is not one of the years {sorted(decomps)}.")
    if len({v["sectors"] for v in info.values()}) > 1:
        notes.append("The tables have different numbers of sectors: compare sector groups across years with care.")
    regions = [set(d.regions) for d in decomps.values()]
    if any(r != regions[0] for r in regions):
        notes.append("The provinces covered differ between years; Table 4 leaves their changes empty.")
    if any(synthetic) and not all(synthetic):
        notes.append("Some (not all) tables are SYNTHETIC.")
    if spec.exclude:
        present = {_region_code(r, spec) for d in decomps.values() for r in d.regions} - {None}
        absent = [x for x in spec.exclude if _region_code(x, spec) not in present]
        listed = [x for x in spec.exclude if x not in absent]
        if listed:
            notes.append(f"[tables] exclude: {', '.join(listed)} left out of the tables and figures; their flows stay "
                         "in the input-output system (they still supply PVA to other provinces' exports). "
                         "Aggregating a region into another would instead merge the rows and columns of the table "
                         "and change A and B.")
        if absent:
            notes.append(f"[tables] exclude: {', '.join(absent)} not among the tables' regions; nothing to leave out.")
    result = ValueAddedStudyResult(spec=spec, decompositions=decomps, balance=balance, table_info=info, notes=notes,
                                   synthetic=any(synthetic))
    heatmap = result.heatmap_note()
    if heatmap is not None:
        result.notes.append(heatmap)
    n_regions = result._reported(result.to_frame())["region"].nunique()
    if n_regions > HEATMAP_LIMIT:
        result.notes.append(f"Figure shares_by_province: {n_regions} regions, more than {HEATMAP_LIMIT}; the bars "
                            f"draw the {HEATMAP_TOP} largest exporters one by one and the other "
                            f"{n_regions - HEATMAP_TOP} as one bar (their summed DVA, PVA and FVA over their "
                            "summed exports).")
    spec.reword_notes(result.notes)  # a [regions] table's regions are not "provinces"
    return result


STUDY = StudyDefinition(
    name="value-added",
    spec_class=ValueAddedStudySpec,
    load=load_value_added_tables,
    run=lambda data, spec, progress=None: run_value_added_study(data, spec, progress=progress),
    steps=("load tables", "decompose the tables"),
    inputs=lambda spec: {f"table_{y}": p for y, p in spec.tables.items()},
    demo_label="embedded SYNTHETIC demo tables (value_added_demo: 30 provinces x 42 sectors, 2002/2007/2012)",
)
