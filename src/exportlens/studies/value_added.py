"""The value-added study: where the value in each province's exports comes from.

Reproduces the published design (Su Qingyi 2016, following Koopman, Wang & Wei 2014): from
China's inter-provincial input-output tables (30 provinces; 2002, 2007, 2012) each
province's exports abroad are split into value added created in the province itself
(DVA), in the other provinces (PVA) and abroad (FVA); formulas in
:mod:`exportlens.mrio.decompose`. Outputs: Table 1 (the tables and national totals),
Table 2 (DVA, PVA, FVA by province and year), Table 3 (shares DVR, PVR, FVR with
export-weighted region-group rows), Table 4 (change of the shares between years), Table 5
(shares by sector group), figures (stacked bars of the shares by province; heatmap of the
PVA source matrix) and a manifest.

Python::

    from exportlens.data.demo_mrio import value_added_demo_tables
    from exportlens.studies.value_added import ValueAddedStudySpec, run_value_added_study
    result = run_value_added_study(value_added_demo_tables(), ValueAddedStudySpec())
    print(result.summary())
    result.write("results", lang="en")

Command line: ``exportlens run value-added --study study.toml`` (``exportlens study template
value-added`` prints a commented study file) and ``exportlens demo``.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.errors import InputError, StudySpecError
from exportlens.studies._spec import StudySpecFile

if TYPE_CHECKING:
    import pandas as pd

    from exportlens.mrio.decompose import ProvincialDecomposition
    from exportlens.mrio.table import BalanceReport, MRIOTable

__all__ = [
    "ValueAddedStudyResult",
    "ValueAddedStudySpec",
    "load_value_added_tables",
    "run_value_added_cli",
    "run_value_added_study",
    "study_template",
]

_SECTIONS: dict[str, tuple[str, ...]] = {
    "data": ("tables", "format", "sheet"),
    "decomposition": ("sector_groups", "balance_tolerance", "on_imbalance"),
    "output": ("unit", "grouping", "heatmap_year"),
}
_ALIASES: dict[str, str] = {}
_UNITS: dict[str, tuple[float, str, str]] = {
    # spec unit -> (yuan per display unit, zh label, en label); tables are in 10,000 yuan
    "10k_yuan": (1e4, "万元", "10,000 yuan"),
    "100m_yuan": (1e8, "亿元", "100 million yuan"),
    "billion_yuan": (1e9, "十亿元", "billion yuan"),
}
_TABLE_UNIT_YUAN = {"10,000 yuan": 1e4, "10000 yuan": 1e4, "万元": 1e4}

TABLE_TITLES = {
    "zh": {"table1": "表1 投入产出表与全国汇总", "table2": "表2 各省出口中的增加值来源（{unit}）",
           "table3": "表3 各省出口的增加值结构（%）", "table4": "表4 增加值结构的变化（百分点）",
           "table5": "表5 分行业组的出口增加值结构（%）"},
    "en": {"table1": "Table 1 Input-output tables and national totals",
           "table2": "Table 2 Sources of value added in provincial exports ({unit})",
           "table3": "Table 3 Value-added structure of provincial exports (%)",
           "table4": "Table 4 Change in the value-added structure (percentage points)",
           "table5": "Table 5 Value-added structure of exports by sector group (%)"},
}
_COLS = {
    "zh": {"exports": "出口", "dva": "本省增加值DVA", "pva": "外省增加值PVA", "fva": "国外增加值FVA",
           "dvr": "DVR", "pvr": "PVR", "fvr": "FVR", "provinces": "省份数", "sectors": "部门数",
           "max_residual": "最大平衡误差(相对)", "year": "年份", "group": "行业组", "province": "省份",
           "total": "全部省份", "weighted": "（出口加权）"},
    "en": {"exports": "Exports", "dva": "DVA (own province)", "pva": "PVA (other provinces)", "fva": "FVA (abroad)",
           "dvr": "DVR", "pvr": "PVR", "fvr": "FVR", "provinces": "Provinces", "sectors": "Sectors",
           "max_residual": "Max balance residual (relative)", "year": "Year", "group": "Sector group",
           "province": "Province", "total": "All provinces", "weighted": " (export-weighted)"},
}


@dataclass
class ValueAddedStudySpec(StudySpecFile):
    """What the value-added study reads and how it reports.

    ``tables`` maps a year to a table file (CEADs workbook or national non-competitive
    CSV; ``format="auto"`` decides by suffix). Empty: the embedded SYNTHETIC demo tables
    (30 provinces x 42 sectors, 2002/2007/2012). ``sector_groups`` is a built-in grouping
    of the 42-sector classification (``sectors3``, ``sectors6``) or a mapping sector ->
    group. Tables whose identities fail by more than ``balance_tolerance`` (relative to
    gross output) are reported (``on_imbalance="warn"``) or rejected (``"raise"``); the
    shares add up to one only on column-balanced tables.
    """

    tables: dict[str, str] = field(default_factory=dict)
    format: str = "auto"
    sheet: str | None = None
    sector_groups: str | dict[str, str] = "sectors3"
    balance_tolerance: float = 1e-3
    on_imbalance: str = "warn"
    unit: str = "100m_yuan"
    grouping: str = "nbs4"
    heatmap_year: int | None = None
    source_file: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base_dir: Path | None = None) -> ValueAddedStudySpec:
        """Build a spec from the nested TOML structure (sections as in :func:`study_template`)."""
        kwargs: dict[str, Any] = {}
        for section, content in raw.items():
            if section not in _SECTIONS:
                raise StudySpecError(f"Unknown section [{section}] in the study file; sections: {', '.join(_SECTIONS)}.")
            if not isinstance(content, dict):
                raise StudySpecError(f"[{section}] must be a table of key = value lines.")
            for key, value in content.items():
                name = _ALIASES.get(key, key)
                if name not in _SECTIONS[section]:
                    raise StudySpecError(f"Unknown key {key!r} in [{section}]; allowed: {', '.join(_SECTIONS[section])}.")
                kwargs[name] = value
        tables = kwargs.get("tables")
        if tables is not None:
            if not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values()):
                raise StudySpecError("[data.tables] must map years to file paths, e.g. 2012 = \"mrio_2012.xlsx\".")
            resolved = {}
            for year, p in tables.items():
                path = Path(p)
                resolved[str(year)] = str(path if path.is_absolute() or base_dir is None else base_dir / path)
            kwargs["tables"] = resolved
        spec = cls(**kwargs)
        spec.check()
        return spec


    def check(self) -> None:
        """Validate parameter values (not yet against the tables)."""
        for year in self.tables:
            if not str(year).isdigit():
                raise StudySpecError(f"[data.tables] keys must be years, not {year!r}.")
        if self.format not in ("auto", "ceads", "national"):
            raise StudySpecError(f"data.format must be auto, ceads or national, not {self.format!r}.")
        if not isinstance(self.sector_groups, str | dict):
            raise StudySpecError("decomposition.sector_groups must be a grouping name or a table sector = \"group\".")
        if isinstance(self.sector_groups, str):
            from exportlens.mrio.decompose import SECTOR_GROUPINGS

            if self.sector_groups not in SECTOR_GROUPINGS:
                raise StudySpecError(f"decomposition.sector_groups must be one of {', '.join(SECTOR_GROUPINGS)} "
                                     f"or a table sector = \"group\", not {self.sector_groups!r}.")
        if not isinstance(self.balance_tolerance, int | float) or isinstance(self.balance_tolerance, bool) \
                or self.balance_tolerance < 0:
            raise StudySpecError(f"decomposition.balance_tolerance must be a non-negative number, not {self.balance_tolerance!r}.")
        if self.on_imbalance not in ("warn", "raise"):
            raise StudySpecError(f"decomposition.on_imbalance must be warn or raise, not {self.on_imbalance!r}.")
        if self.unit not in _UNITS:
            raise StudySpecError(f"output.unit must be one of {', '.join(_UNITS)}, not {self.unit!r}.")
        from exportlens.regions import list_groupings

        names = [g.name for g in list_groupings()]
        if self.grouping not in names:
            raise StudySpecError(f"output.grouping must be one of {', '.join(names)}, not {self.grouping!r}.")
        if self.heatmap_year is not None and (not isinstance(self.heatmap_year, int) or isinstance(self.heatmap_year, bool)):
            raise StudySpecError(f"output.heatmap_year must be a year, not {self.heatmap_year!r}.")


def _region_label(label: str, lang: str) -> str:
    from exportlens.regions import resolve_province

    try:
        return resolve_province(label).label(lang)
    except InputError:
        return label


def _region_group(labels: list[str], grouping: str) -> list[str | None]:
    from exportlens.regions import grouping as get_grouping
    from exportlens.regions import resolve_province

    g = get_grouping(grouping)
    out: list[str | None] = []
    for lab in labels:
        try:
            out.append(g.group_of(resolve_province(lab).code))
        except InputError:
            out.append(None)
    return out


@dataclass
class ValueAddedStudyResult:
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

    def _scale(self) -> tuple[float, dict[str, str]]:
        """Divisor from table units to the display unit, and the unit labels."""
        per_unit, zh, en = _UNITS[self.spec.unit]
        units = {self.table_info[y].get("unit", "") for y in self.years}
        if len(units) == 1 and next(iter(units)) in _TABLE_UNIT_YUAN:
            return per_unit / _TABLE_UNIT_YUAN[next(iter(units))], {"zh": zh, "en": en}
        label = ", ".join(sorted(u or "table unit" for u in units))
        return 1.0, {"zh": label, "en": label}

    def to_frame(self) -> pd.DataFrame:
        """Long frame: year, region, region group, exports, DVA, PVA, FVA (table units), shares, residual."""
        import pandas as pd

        frames = []
        for y in self.years:
            f = self.decompositions[y].to_frame().reset_index()
            f.insert(0, "year", y)
            f.insert(2, "region_group", _region_group(list(f["region"]), self.spec.grouping))
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def sector_group_frame(self) -> pd.DataFrame:
        """Long frame by year, region and sector group (levels in table units and shares)."""
        import pandas as pd

        frames = []
        for y in self.years:
            f = self.decompositions[y].by_sector_group(self.spec.sector_groups).reset_index()
            f.insert(0, "year", y)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def changes(self) -> pd.DataFrame:
        """Change of DVR/PVR/FVR (share points) between consecutive years, by region."""
        import pandas as pd

        frame = self.to_frame()
        out = []
        years = self.years
        for a, b in itertools.pairwise(years):
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
        return "\n".join(lines)

    # --- tables -------------------------------------------------------------------------

    def _weighted_rows(self, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
        """Export-weighted shares of each region group and of all provinces, one row each."""
        import pandas as pd

        from exportlens.regions import grouping as get_grouping

        g = get_grouping(self.spec.grouping)
        rows = {}
        for key in [*g.order, None]:
            sub = frame if key is None else frame[frame["region_group"] == key]
            if sub.empty:
                continue
            e = sub["exports"].sum()
            label = (_COLS[lang]["total"] if key is None else g.label(key, lang)) + _COLS[lang]["weighted"]
            rows[label] = {k: (sub[lvl].sum() / e if e > 0 else float("nan"))
                           for k, lvl in (("dvr", "dva"), ("pvr", "pva"), ("fvr", "fva"))}
        return pd.DataFrame.from_dict(rows, orient="index")

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables 1-5 as :class:`FrameTable` objects (to_markdown, to_docx ...)."""
        import pandas as pd

        from exportlens.mrio.decompose import SECTOR_GROUP_LABELS
        from exportlens.report.tables import FrameTable

        if lang not in ("zh", "en"):
            raise InputError(f"lang must be 'zh' or 'en', not {lang!r}.")
        cols = _COLS[lang]
        titles = TABLE_TITLES[lang]
        scale, unit_labels = self._scale()
        base_notes = [_synthetic_note(lang)] if self.synthetic else []
        frame = self.to_frame()
        order = list(dict.fromkeys(frame["region"]))
        labels = {r: _region_label(r, lang) for r in order}
        tables: dict[str, Any] = {}

        t1 = []
        for y in self.years:
            f = frame[frame["year"] == y]
            e = f["exports"].sum()
            rep = self.balance[y]
            t1.append({cols["year"]: str(y), cols["provinces"]: len(f), cols["sectors"]: self.table_info[y]["sectors"],
                       cols["exports"]: e / scale, cols["dva"]: f["dva"].sum() / scale,
                       cols["pva"]: f["pva"].sum() / scale, cols["fva"]: f["fva"].sum() / scale,
                       cols["dvr"]: 100 * f["dva"].sum() / e if e > 0 else float("nan"),
                       cols["pvr"]: 100 * f["pva"].sum() / e if e > 0 else float("nan"),
                       cols["fvr"]: 100 * f["fva"].sum() / e if e > 0 else float("nan"),
                       cols["max_residual"]: f"{max(rep.row_relative.max(), rep.column_relative.max()):.1e}"})
        unit_note = (f"单位：{unit_labels['zh']}；份额为%。" if lang == "zh" else
                     f"Levels in {unit_labels['en']}; shares in %.")
        tables["table1"] = FrameTable(pd.DataFrame(t1), title=titles["table1"], notes=[*base_notes, unit_note],
                                      digits=2, index=False)

        wide = []
        for y in self.years:
            f = frame[frame["year"] == y].set_index("region")
            part = f[["exports", "dva", "pva", "fva"]] / scale
            part.columns = [f"{y} {cols[c].split(' ')[0] if lang == 'en' else cols[c]}" for c in part.columns]
            wide.append(part)
        t2 = pd.concat(wide, axis=1).reindex(order)
        t2.loc[cols["total"]] = t2.sum(axis=0, min_count=1)
        t2.index = [labels.get(r, r) for r in t2.index]
        t2.index.name = cols["province"]
        tables["table2"] = FrameTable(t2, title=titles["table2"].format(unit=unit_labels[lang]),
                                      notes=[*base_notes, _formula_note(lang)], digits=2)

        shares = []
        for y in self.years:
            f = frame[frame["year"] == y]
            part = pd.concat([f.set_index("region")[["dvr", "pvr", "fvr"]].reindex(order),
                              self._weighted_rows(f, lang)])
            part.columns = [f"{y} {c.upper()}" for c in ["dvr", "pvr", "fvr"]]
            shares.append(part * 100)
        t3 = pd.concat(shares, axis=1)
        t3.index = [labels.get(r, r) for r in t3.index]
        t3.index.name = cols["province"]
        tables["table3"] = FrameTable(t3, title=titles["table3"], notes=[*base_notes, _share_note(lang)], digits=2)

        if len(self.years) > 1:
            changes = []
            for a, b in itertools.pairwise(self.years):
                sa, sb = [pd.concat([frame[frame["year"] == y].set_index("region")[["dvr", "pvr", "fvr"]].reindex(order),
                                     self._weighted_rows(frame[frame["year"] == y], lang)]) for y in (a, b)]
                d = (sb - sa) * 100
                d.columns = [f"{a}-{b} Δ{c.upper()}" for c in ["dvr", "pvr", "fvr"]]
                changes.append(d)
            t4 = pd.concat(changes, axis=1)
            t4.index = [labels.get(r, r) for r in t4.index]
            t4.index.name = cols["province"]
            missing = frame.groupby("region")["year"].nunique()
            notes4 = list(base_notes)
            if (missing < len(self.years)).any():
                absent = ", ".join(labels.get(r, r) for r in missing[missing < len(self.years)].index)
                notes4.append(f"部分年份缺少的省份（变化为空）：{absent}" if lang == "zh"
                              else f"Provinces missing in some year (change left empty): {absent}")
            tables["table4"] = FrameTable(t4, title=titles["table4"], notes=notes4, digits=2)

        sg = self.sector_group_frame()
        agg = sg.groupby(["year", "group"], sort=False)[["exports", "dva", "pva", "fva"]].sum().reset_index()
        rows = []
        for _, r in agg.iterrows():
            e = r["exports"]
            rows.append({cols["year"]: str(r["year"]),
                         cols["group"]: SECTOR_GROUP_LABELS[lang].get(r["group"], r["group"]),
                         cols["exports"]: e / scale,
                         cols["dvr"]: 100 * r["dva"] / e if e > 0 else float("nan"),
                         cols["pvr"]: 100 * r["pva"] / e if e > 0 else float("nan"),
                         cols["fvr"]: 100 * r["fva"] / e if e > 0 else float("nan")})
        tables["table5"] = FrameTable(pd.DataFrame(rows), title=titles["table5"],
                                      notes=[*base_notes, unit_note, _share_note(lang)], digits=2, index=False)
        return tables

    def write(self, out_dir: str | Path, *, lang: str = "zh", formats: list[str] | None = None,
              figures: bool = True) -> list[Path]:
        """Write every table in every format, the tidy results, the source matrices and the figures."""
        return write_value_added_outputs(self, Path(out_dir), lang=lang, formats=formats, figures=figures)


def _synthetic_note(lang: str) -> str:
    return ("注：数据为 exportlens 生成的合成演示投入产出表（非真实统计数据）。" if lang == "zh"
            else "Note: SYNTHETIC demo input-output tables generated by exportlens (not real statistics).")


def _formula_note(lang: str) -> str:
    if lang == "zh":
        return ("DVA_i = V_i B_ii E_i；PVA_i = Σ_{j≠i} V_j B_ji E_i；FVA_i = Σ_j M_j B_ji E_i"
                "（B 为区域间里昂惕夫逆矩阵，E 为出口；苏庆义 2016，Koopman-Wang-Wei 2014）。")
    return ("DVA_i = V_i B_ii E_i; PVA_i = Σ_{j≠i} V_j B_ji E_i; FVA_i = Σ_j M_j B_ji E_i "
            "(B: inter-provincial Leontief inverse, E: exports abroad; Su 2016, Koopman-Wang-Wei 2014).")


def _share_note(lang: str) -> str:
    return ("DVR、PVR、FVR 分别为 DVA、PVA、FVA 占出口的比重，三者之和为 100%。" if lang == "zh"
            else "DVR, PVR and FVR are DVA, PVA and FVA as shares of exports; they sum to 100%.")


# --- the analysis ----------------------------------------------------------------------


def load_value_added_tables(spec: ValueAddedStudySpec) -> dict[int, MRIOTable]:
    """The tables named in the spec, or the embedded SYNTHETIC demo tables when none are named."""
    if not spec.tables:
        from exportlens.data.demo_mrio import value_added_demo_tables

        return value_added_demo_tables()
    from exportlens.mrio.readers import read_ceads_workbook, read_national_io

    out: dict[int, MRIOTable] = {}
    for year, path in spec.tables.items():
        p = Path(path)
        kind = spec.format
        if kind == "auto":
            suffix = p.suffix.lower()
            if suffix in (".xlsx", ".xlsm"):
                kind = "ceads"
            elif suffix == ".csv":
                kind = "national"
            else:
                raise StudySpecError(f"Cannot tell the format of {p.name} from its suffix; set data.format.")
        out[int(year)] = (read_ceads_workbook(p, sheet=spec.sheet, year=int(year)) if kind == "ceads"
                          else read_national_io(p, year=int(year)))
    return out


def run_value_added_study(tables: Mapping[int | str, MRIOTable], spec: ValueAddedStudySpec | None = None,
                          *, progress: Any = None) -> ValueAddedStudyResult:
    """Decompose every year's table and collect the results (nothing is written).

    ``tables`` maps a year to an :class:`~exportlens.mrio.table.MRIOTable`. ``progress`` is
    an optional callable ``progress(step_description)``.
    """
    from exportlens.mrio.decompose import decompose_provincial, sector_group_map

    spec = spec or ValueAddedStudySpec()
    spec.check()
    if not tables:
        raise InputError("No input-output tables to decompose.")
    step = progress or (lambda _msg: None)
    notes: list[str] = []
    decomps: dict[int, ProvincialDecomposition] = {}
    balance: dict[int, BalanceReport] = {}
    info: dict[int, dict[str, Any]] = {}
    synthetic = []
    for key in sorted(tables, key=lambda k: int(k)):
        year = int(key)
        table = tables[key]
        step(f"decompose {year}")
        sector_group_map(spec.sector_groups, table.sectors)  # fail early, naming uncovered sectors
        rep = table.balance_report(spec.balance_tolerance)
        if not rep.ok:
            if spec.on_imbalance == "raise":
                try:
                    rep.raise_if_unbalanced()
                except InputError as exc:
                    raise InputError(f"{year}: {exc}") from None
            worst = rep.worst(3)
            notes.append(f"{year}: the table is not balanced within {spec.balance_tolerance:g} (worst: "
                         + "; ".join(f"{r}/{s} row {w.row_relative:.2g}, column {w.column_relative:.2g}"
                                     for (r, s), w in worst.iterrows())
                         + "). DVR + PVR + FVR differ from 1 by the column residual.")
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
        raise StudySpecError(f"output.heatmap_year {spec.heatmap_year} is not one of the years {sorted(decomps)}.")
    if len({v["sectors"] for v in info.values()}) > 1:
        notes.append("The tables have different numbers of sectors: compare sector groups across years with care.")
    regions = [set(d.regions) for d in decomps.values()]
    if any(r != regions[0] for r in regions):
        notes.append("The provinces covered differ between years; Table 4 leaves their changes empty.")
    if any(synthetic) and not all(synthetic):
        notes.append("Some (not all) tables are SYNTHETIC.")
    return ValueAddedStudyResult(spec=spec, decompositions=decomps, balance=balance, table_info=info, notes=notes,
                                 synthetic=any(synthetic))


def write_value_added_outputs(result: ValueAddedStudyResult, out_dir: Path, *, lang: str = "zh",
                              formats: list[str] | None = None, figures: bool = True) -> list[Path]:
    """Write Tables 1-5, tidy CSVs (decomposition, sector groups, source matrices, balance) and figures."""
    from exportlens.report.tables import write_tables

    out_dir = Path(out_dir)
    written = write_tables(result.tables(lang), out_dir / "tables", formats)
    data_dir = out_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    paths = {"decomposition.csv": result.to_frame(), "sector_groups.csv": result.sector_group_frame(),
             "changes.csv": result.changes()}
    for y in result.years:
        d = result.decompositions[y]
        paths[f"vbe_{y}.csv"] = d.source_matrix("vbe", shares=False)
        paths[f"mbe_{y}.csv"] = d.source_matrix("fva", shares=False)
        paths[f"balance_worst_{y}.csv"] = result.balance[y].worst(20)
    for name, frame in paths.items():
        path = data_dir / name
        keep_index = name.startswith(("vbe_", "mbe_", "balance_"))
        frame.to_csv(path, index=keep_index, float_format="%.10g")
        written.append(path)
    if figures:
        written += _write_figures(result, out_dir / "figures", lang)
    notes_path = out_dir / "notes.txt"
    notes_path.write_text(result.summary() + "\n", encoding="utf-8")
    written.append(notes_path)
    return written


def _write_figures(result: ValueAddedStudyResult, fig_dir: Path, lang: str) -> list[Path]:
    import numpy as np

    from exportlens.report import figures as fig
    from exportlens.report import figures_value_added as vfig

    flang, fnote = fig.figure_language(lang)
    if fnote and fnote not in result.notes:
        result.notes.append(fnote)
    synth = (" SYNTHETIC demo data." if flang == "en" else " 合成演示数据。") if result.synthetic else ""
    frame = result.to_frame()
    order = list(dict.fromkeys(frame["region"]))
    panels = {}
    for y in result.years:
        f = frame[frame["year"] == y].set_index("region")[["dvr", "pvr", "fvr"]].reindex(order)
        f.index = [_region_label(r, flang) for r in f.index]
        panels[str(y)] = f
    legend = (["DVR (own province)", "PVR (other provinces)", "FVR (abroad)"] if flang == "en"
              else ["DVR（本省）", "PVR（外省）", "FVR（国外）"])
    out = [vfig.share_bars(
        panels, path=fig_dir / "shares_by_province.png", legend=legend, lang=flang,
        title=("Value-added structure of provincial exports" if flang == "en" else "各省出口的增加值结构"),
        note=(("Shares of exports abroad." if flang == "en" else "占出口比重。") + synth).strip())]
    year = result.spec.heatmap_year if result.spec.heatmap_year is not None else result.years[-1]
    if year not in result.decompositions:
        raise StudySpecError(f"output.heatmap_year {year} is not one of the years {result.years}.")
    mat = result.decompositions[year].source_matrix("pva", shares=True)
    mat = mat.mask(np.eye(len(mat), dtype=bool))  # own province: not part of PVA, drawn as missing
    mat.index = [_region_label(r, flang) for r in mat.index]
    mat.columns = [_region_label(r, flang) for r in mat.columns]
    out.append(vfig.source_heatmap(
        mat, path=fig_dir / f"pva_sources_{year}.png", lang=flang,
        title=(f"Where other-province value added comes from, {year}" if flang == "en" else f"外省增加值来源，{year}年"),
        xlabel="Exporting province" if flang == "en" else "出口省份",
        ylabel="Source province" if flang == "en" else "来源省份",
        colorbar_label="% of the exporter's PVA" if flang == "en" else "占出口省份PVA的%",
        note=(("Column shares of PVA; diagonal excluded." if flang == "en" else "按列计算的PVA份额，不含对角线。") + synth).strip()))
    return out


def run_value_added_cli(spec: ValueAddedStudySpec, *, out: Path | None, lang: str, formats: list[str] | None,
                        figures: bool, overwrite: bool, console: Any = None) -> Path:
    """What ``exportlens run value-added`` and ``exportlens demo`` do: load, decompose, write, manifest."""

    from exportlens.report.manifest import new_output_dir, write_manifest
    from exportlens.report.progress import step_progress

    out_dir = new_output_dir(out, "value-added" if spec.tables else "demo-value-added", overwrite=overwrite)
    n_steps = 2 + max(len(spec.tables), 3)
    with step_progress("load tables", n_steps, console) as advance:
        tables = load_value_added_tables(spec)
        result = run_value_added_study(tables, spec, progress=advance)
        advance("write tables and figures")
        write_value_added_outputs(result, out_dir, lang=lang, formats=formats, figures=figures)
    if spec.source_file:
        spec.copy_study_file(out_dir)
    inputs: dict[str, str | Path] = {f"table_{y}": p for y, p in spec.tables.items()}
    if spec.source_file:
        inputs["study_file"] = spec.source_file
    data_label = (spec.tables or "embedded SYNTHETIC demo tables (value_added_demo: 30 provinces x 42 sectors, "
                  "2002/2007/2012)")
    write_manifest(out_dir, study="value-added",
                   spec={**spec.to_dict(), "lang": lang, "formats": formats or "all", "data": data_label},
                   inputs=inputs, notes=result.notes)
    if console is not None:
        console.print(result.summary())
    return out_dir


def study_template() -> str:
    """A commented study file with the defaults (those of the demo)."""
    return '''# exportlens study file: value added in provincial exports (DVA / PVA / FVA)
# Run:  exportlens run value-added --study this_file.toml --lang zh
# Without [data.tables] the embedded SYNTHETIC demo tables are used (30 provinces x 42 sectors,
# 2002, 2007, 2012). Paths are relative to this file.

[data]
format = "auto"              # auto (.xlsx = CEADs workbook, .csv = national table), ceads or national
# sheet = "2012"             # workbook sheet (default: the first)

# [data.tables]              # one input-output table per year
# 2012 = "CEADs_MRIO_2012.xlsx"
# 2017 = "CEADs_MRIO_2017.xlsx"

[decomposition]
sector_groups = "sectors3"   # sectors3 (primary/secondary/tertiary), sectors6, or a table below
balance_tolerance = 0.001    # relative residual allowed in x = Z1 + Y1 + E + ERR and x' = 1'Z + VA + IM
on_imbalance = "warn"        # warn (report in the notes) or raise

# [decomposition.sector_groups]   # instead of a built-in name: sector code = "group"
# "01" = "agriculture"
# "02" = "industry"

[output]
unit = "100m_yuan"           # 10k_yuan (as in the tables), 100m_yuan (亿元) or billion_yuan
grouping = "nbs4"            # region groups of Tables 3-4: nbs4, belts3, drc8 or coastal
# heatmap_year = 2012        # year of the source-matrix heatmap (default: the last)
'''
