"""The firm-level study: export resilience of firms from customs transactions.

Tests the micro side of the headline study (virtual agglomeration makes firms' exports more
resilient) with firm measures built out of core from transaction records: DHS growth with
entry and exit, survival of the pre-shock cohort, Lagravinese resistance and recovery
against the nation and the firm's industry, and product/destination diversification as
mechanism variables; aggregated to province x year, industry x year and region groups
(firm- and value-weighted) ready to merge with the province panel. Formulas and references:
:mod:`exportlens.firms.measures`; engine: :mod:`exportlens.firms.pipeline`.

Python::

    from exportlens.studies.firm_resilience import FirmResilienceStudySpec, run_firm_resilience_study
    spec = FirmResilienceStudySpec(data_path="customs/", shock_year=2009,
                                   columns={"firm": "企业编码", "value": "美元", ...})
    result = run_firm_resilience_study(spec, out_dir="results")
    print(result.summary())
    result.write("results", lang="en")

Command line: ``exportlens run firm-resilience --transactions PATH ...``; ``exportlens demo``
runs it on 200,000 SYNTHETIC transactions (:mod:`exportlens.data.demo_firms`).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.errors import InputError, StudySpecError
from exportlens.studies._spec import StudySpecFile

if TYPE_CHECKING:
    import pandas as pd

    from exportlens.firms.measures import FirmMeasures

STUDY = "firm-resilience"

# TOML section -> spec fields it may hold
_SECTIONS: dict[str, tuple[str, ...]] = {
    "data": ("data_path", "invalid"),
    "columns": ("firm", "product", "destination", "year", "value", "province", "industry", "period_format"),
    "shock": ("shock_year", "base_year", "recovery_year", "min_abs_benchmark_growth"),
    "report": ("grouping",),
    "engine": ("backend", "memory_limit", "threads"),
}
_ALIASES: dict[str, str] = {"path": "data_path"}
_COLUMN_ROLES = _SECTIONS["columns"]

TABLE_TITLES = {
    "zh": {
        "table_f1": "表F1 数据与样本", "table_f2": "表F2 全国企业出口动态（按年份）",
        "table_f3": "表F3 冲击后的企业出口韧性：分地区", "table_f4": "表F4 冲击后的企业出口韧性：分省份",
        "table_f5": "表F5 冲击后的企业出口韧性：分行业", "table_f6": "表F6 冲击前出口企业的存活率：分省份、年份",
    },
    "en": {
        "table_f1": "Table F1 Data and sample", "table_f2": "Table F2 Firm export dynamics, national, by year",
        "table_f3": "Table F3 Firm export resilience after the shock, by region group",
        "table_f4": "Table F4 Firm export resilience after the shock, by province",
        "table_f5": "Table F5 Firm export resilience after the shock, by industry",
        "table_f6": "Table F6 Survival of pre-shock exporters by province and year (share of firms)",
    },
}

_HEADERS = {
    "zh": {
        "item": "项目", "value": "数值", "year": "年份", "n_firms": "出口企业数", "n_entries": "进入", "n_exits": "退出",
        "exports": "出口额（百万）", "dhs_growth_fw": "DHS增长率（企业平均）", "dhs_growth_vw": "DHS增长率（规模加权）",
        "hhi_products_fw": "产品HHI", "hhi_destinations_fw": "目的地HHI", "n_products_mean": "产品数（均值）",
        "survival_rate_fw": "存活率（企业）", "survival_rate_vw": "存活率（出口额）",
        "group": "地区", "province": "省份", "industry": "行业", "cohort_firms": "冲击前出口企业数",
        "survival_shock_fw": "冲击年存活率（企业）", "survival_shock_vw": "冲击年存活率（出口额）",
        "survival_recovery_fw": "恢复期存活率（企业）", "survival_recovery_vw": "恢复期存活率（出口额）",
        "resistance_national_fw": "抵抗力（相对全国，企业平均）", "resistance_national_vw": "抵抗力（相对全国，加权）",
        "recovery_national_fw": "恢复力（相对全国，企业平均）", "recovery_national_vw": "恢复力（相对全国，加权）",
        "resistance_industry_fw": "抵抗力（相对行业，企业平均）", "recovery_industry_fw": "恢复力（相对行业，企业平均）",
    },
    "en": {
        "item": "Item", "value": "Value", "year": "Year", "n_firms": "Exporting firms", "n_entries": "Entries",
        "n_exits": "Exits", "exports": "Exports (million)", "dhs_growth_fw": "DHS growth (firm mean)",
        "dhs_growth_vw": "DHS growth (size-weighted)", "hhi_products_fw": "Product HHI",
        "hhi_destinations_fw": "Destination HHI", "n_products_mean": "Products (mean)",
        "survival_rate_fw": "Survival (firms)", "survival_rate_vw": "Survival (exports)", "group": "Region",
        "province": "Province", "industry": "Industry", "cohort_firms": "Pre-shock exporters",
        "survival_shock_fw": "Survival to shock (firms)", "survival_shock_vw": "Survival to shock (exports)",
        "survival_recovery_fw": "Survival to recovery (firms)", "survival_recovery_vw": "Survival to recovery (exports)",
        "resistance_national_fw": "Resistance vs nation (mean)", "resistance_national_vw": "Resistance vs nation (weighted)",
        "recovery_national_fw": "Recovery vs nation (mean)", "recovery_national_vw": "Recovery vs nation (weighted)",
        "resistance_industry_fw": "Resistance vs industry (mean)", "recovery_industry_fw": "Recovery vs industry (mean)",
    },
}

_SHOCK_TABLE_COLUMNS = [
    "cohort_firms", "survival_shock_fw", "survival_shock_vw", "survival_recovery_fw", "survival_recovery_vw",
    "resistance_national_fw", "resistance_national_vw", "recovery_national_fw", "recovery_national_vw",
    "resistance_industry_fw", "recovery_industry_fw",
]
# Province and industry tables have many rows: the essential columns only (all are in data/).
_SHOCK_TABLE_COLUMNS_SHORT = [
    "cohort_firms", "survival_shock_fw", "survival_recovery_fw", "survival_recovery_vw",
    "resistance_national_fw", "resistance_national_vw", "recovery_national_fw", "resistance_industry_fw",
]


@dataclass
class FirmResilienceStudySpec(StudySpecFile):
    """Everything the firm study needs: data, column names, shock years, engine.

    Defaults reproduce the demo: the embedded SYNTHETIC transactions (``data_path=None``),
    their column names, shock 2009 (base 2008, recovery 2011), region groups ``belts3``,
    DuckDB with 3 GB and 2 threads. ``columns`` maps roles (firm, product, destination,
    year, value, province, industry, period_format) to the user's column names; roles left
    out keep the demo names. ``invalid``: ``"raise"`` stops on invalid rows, ``"drop"``
    leaves them out and reports them by reason. ``labels`` maps industry codes to names per
    language (``{"zh": {"39": "电子"}, "en": {...}}``).
    """

    data_path: str | None = None
    invalid: str = "raise"
    columns: dict[str, str] = field(default_factory=dict)
    shock_year: int = 2009
    base_year: int | None = None
    recovery_year: int | None = None
    min_abs_benchmark_growth: float = 0.01
    grouping: str = "belts3"
    backend: str = "duckdb"
    memory_limit: str = "3GB"
    threads: int = 2
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    source_file: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base_dir: Path | None = None) -> FirmResilienceStudySpec:
        """Build a spec from the nested TOML structure (sections as in :func:`study_template`)."""
        kwargs: dict[str, Any] = {}
        columns: dict[str, str] = {}
        for section, content in raw.items():
            if section == "labels":
                if not isinstance(content, dict) or not all(isinstance(v, dict) for v in content.values()):
                    raise StudySpecError("[labels] must hold tables [labels.zh] and/or [labels.en] of code = \"name\".")
                kwargs["labels"] = {k: {str(c): str(n) for c, n in v.items()} for k, v in content.items()}
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
                if section == "columns":
                    columns[name] = value
                else:
                    kwargs[name] = value
        if columns:
            kwargs["columns"] = columns
        if base_dir is not None and kwargs.get("data_path"):
            p = Path(kwargs["data_path"])
            kwargs["data_path"] = str(p if p.is_absolute() else (base_dir / p))
        spec = cls(**kwargs)
        spec.check()
        return spec


    def column_map(self) -> Any:
        """The :class:`~exportlens.firms.io.ColumnMap` (demo names for roles not given)."""
        from exportlens.data.demo_firms import FIRM_DEMO_COLUMNS
        from exportlens.firms.io import ColumnMap

        return ColumnMap.from_mapping({**FIRM_DEMO_COLUMNS, **self.columns})

    def measure_spec(self) -> Any:
        """The :class:`~exportlens.firms.measures.FirmMeasureSpec` of this study."""
        from exportlens.firms.measures import FirmMeasureSpec

        return FirmMeasureSpec(shock_year=self.shock_year, base_year=self.base_year, recovery_year=self.recovery_year,
                               min_abs_benchmark_growth=self.min_abs_benchmark_growth, grouping=self.grouping,
                               invalid=self.invalid)  # type: ignore[arg-type]

    def check(self) -> None:
        """Validate parameter values (not yet against data)."""
        if not isinstance(self.columns, dict):
            raise StudySpecError(f"columns must be a table of role = \"column name\", not {self.columns!r}.")
        unknown = [k for k in self.columns if k not in _COLUMN_ROLES]
        if unknown:
            raise StudySpecError(f"Unknown column role(s) {unknown}; roles: {', '.join(_COLUMN_ROLES)}.")
        if self.backend not in ("duckdb", "pyspark"):
            raise StudySpecError(f"engine.backend must be duckdb or pyspark, not {self.backend!r}.")
        if isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1:
            raise StudySpecError(f"engine.threads must be a positive integer, not {self.threads!r}.")
        if not isinstance(self.memory_limit, str) or not self.memory_limit.strip():
            raise StudySpecError(f"engine.memory_limit must be a size such as \"3GB\", not {self.memory_limit!r}.")
        try:
            self.column_map()
            self.measure_spec()
        except StudySpecError:
            raise
        except InputError as exc:
            raise StudySpecError(str(exc)) from None

    def industry_label(self, code: Any, lang: str, synthetic: bool) -> str:
        user = self.labels.get(lang, {})
        if str(code) in user:
            return f"{code} {user[str(code)]}"
        if synthetic:
            from exportlens.data.demo_firms import INDUSTRIES

            if str(code) in INDUSTRIES:
                return f"{code} {INDUSTRIES[str(code)][0 if lang == 'zh' else 1]}"
        return str(code)


@dataclass
class FirmResilienceStudyResult:
    """The measures and their aggregates; tables are built on demand in either language."""

    spec: FirmResilienceStudySpec
    measures: FirmMeasures
    notes: list[str]
    synthetic: bool = False
    data_description: str = ""

    def to_frame(self) -> pd.DataFrame:
        """The province x year table (merge with the province panel on ``code`` and ``year``)."""
        return self.measures.to_frame()

    def summary(self) -> str:
        """Plain-text overview (SYNTHETIC when built from the demo data)."""
        head = "Firm-level export resilience" + (" (SYNTHETIC demo data)" if self.synthetic else "")
        lines = [head, self.measures.summary()]
        extra = [n for n in self.notes if n not in self.measures.notes]
        lines += [f"Note: {n}" for n in extra]
        return "\n".join(lines)

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables F1-F6 as :class:`~exportlens.report.tables.FrameTable` objects."""
        from exportlens.report.tables import FrameTable

        if lang not in ("zh", "en"):
            raise InputError(f"lang must be 'zh' or 'en', not {lang!r}.")
        m = self.measures
        titles = TABLE_TITLES[lang]
        h = _HEADERS[lang]
        base_notes = [_synthetic_note(lang)] if self.synthetic else []
        defs = _definition_note(lang, m)
        tables: dict[str, Any] = {}
        tables["table_f1"] = FrameTable(_sample_frame(m, lang), title=titles["table_f1"], notes=base_notes, index=False)

        nat = m.national_year.copy()
        nat["exports"] = nat["exports"] / 1e6
        cols = ["year", "n_firms", "n_entries", "n_exits", "exports", "dhs_growth_fw", "dhs_growth_vw",
                "hhi_products_fw", "hhi_destinations_fw", "survival_rate_fw", "survival_rate_vw"]
        tables["table_f2"] = FrameTable(nat[cols].rename(columns=h), title=titles["table_f2"],
                                        notes=[*base_notes, defs], index=False)

        glabels = _group_labels(self.spec.grouping, lang)
        grp = m.group_shock.copy()
        grp["group"] = grp["group"].map(lambda g: glabels.get(g, str(g)))
        grp = _order_rows(grp, "group", list(glabels.values()))
        nat_row = m.national_shock.assign(group="全国" if lang == "zh" else "All")
        grp = _concat([grp, nat_row])
        tables["table_f3"] = FrameTable(grp[["group", *_SHOCK_TABLE_COLUMNS]].rename(columns=h),
                                        title=titles["table_f3"], notes=[*base_notes, defs], index=False)

        prov = m.province_shock.copy()
        prov["province"] = prov["code"].map(lambda c: _province_label(c, lang))
        tables["table_f4"] = FrameTable(prov[["province", *_SHOCK_TABLE_COLUMNS_SHORT]].rename(columns=h),
                                        title=titles["table_f4"], notes=[*base_notes, defs], index=False)

        ind = m.industry_shock.copy()
        ind["industry"] = ind["industry"].map(lambda c: self.spec.industry_label(c, lang, self.synthetic))
        tables["table_f5"] = FrameTable(ind[["industry", *_SHOCK_TABLE_COLUMNS_SHORT]].rename(columns=h),
                                        title=titles["table_f5"], notes=[*base_notes, defs], index=False)

        # province x year in a compact layout (the long panel with every measure is data/province_year)
        py = m.province_year[m.province_year["year"] >= m.phases.base]
        wide = py.pivot(index="code", columns="year", values="survival_rate_fw")
        wide.index = [_province_label(c, lang) for c in wide.index]
        wide.index.name = h["province"]
        wide.columns = [str(c) for c in wide.columns]
        panel_note = ("省份-年份全部指标（DHS增长率、HHI、存活率等，企业平均与加权）见 data/province_year.csv。" if lang == "zh"
                      else "Every province-year measure (DHS growth, HHI, survival, firm- and value-weighted) is in "
                      "data/province_year.csv.")
        tables["table_f6"] = FrameTable(wide.reset_index(), title=titles["table_f6"],
                                        notes=[*base_notes, defs, panel_note], index=False)
        return tables

    def write(self, out_dir: str | Path, *, lang: str = "zh", formats: list[str] | None = None,
              figures: bool = True) -> list[Path]:
        """Write Tables F1-F6 in every requested format, the aggregate data files and the figure."""
        return write_firm_outputs(self, Path(out_dir), lang=lang, formats=formats, figures=figures)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def _order_rows(frame: pd.DataFrame, col: str, order: list[str]) -> pd.DataFrame:
    rank = {v: i for i, v in enumerate(order)}
    return frame.assign(_r=frame[col].map(lambda v: rank.get(v, len(rank)))).sort_values("_r").drop(columns="_r")


def _province_label(code: Any, lang: str) -> str:
    from exportlens.regions import resolve_province

    p = resolve_province(int(code))
    return p.name_zh if lang == "zh" else p.name_en


def _group_labels(grouping_name: str, lang: str) -> dict[str, str]:
    from exportlens.regions import grouping

    g = grouping(grouping_name)
    return {k: g.label(k, lang) for k in g.order}


def _synthetic_note(lang: str) -> str:
    return ("注：数据为 exportlens 生成的合成交易记录（非真实海关数据）。" if lang == "zh"
            else "Note: SYNTHETIC transaction records generated by exportlens (not real customs data).")


def _definition_note(lang: str, m: FirmMeasures) -> str:
    ph = m.phases
    if lang == "zh":
        return (f"基期{ph.base}年、冲击年{ph.shock}年、恢复年{ph.recovery}年。DHS增长率=2(E_t−E_t−1)/(E_t+E_t−1)，含进入与退出；"
                "规模加权以(E_t+E_t−1)/2为权重，等于加总的DHS增长率。存活率为基期出口企业在该年前连续出口的比例，"
                "出口额口径以基期出口额加权。抵抗力/恢复力=(g_企业−g_基准)/|g_基准|（Lagravinese 2015），"
                "加权口径分别以基期、冲击年出口额为权重。HHI为出口额份额平方和。")
    return (f"Base year {ph.base}, shock {ph.shock}, recovery {ph.recovery}. DHS growth = 2(E_t − E_t−1)/(E_t + E_t−1), "
            "with entry and exit; size-weighted with weights (E_t + E_t−1)/2, which equals the DHS growth of the total. "
            "Survival: share of base-year exporters exporting in every year since; export-weighted by base-year exports. "
            "Resistance/recovery = (g_firm − g_benchmark)/|g_benchmark| (Lagravinese 2015); weighted by base-year and "
            "shock-year exports. HHI: sum of squared export shares.")


def _sample_frame(m: FirmMeasures, lang: str) -> pd.DataFrame:
    import pandas as pd

    from exportlens.firms.io import REASONS

    zh = lang == "zh"
    v = m.validation
    ph = m.phases
    rows: list[tuple[str, str]] = [("读入记录数" if zh else "Rows read", f"{v.rows_read:,}")]
    for key, (en, zh_label) in REASONS.items():
        label = zh_label if zh else en
        rows.append(((f"  无效：{label}" if zh else f"  invalid: {label}"), f"{v.invalid.get(key, 0):,}"))
    rows += [
        ("使用记录数" if zh else "Rows used", f"{v.rows_used:,}"),
        ("企业数" if zh else "Firms", f"{m.firms:,}"),
        ("企业-年份（出口）" if zh else "Exporting firm-years", f"{int(m.national_year['n_firms'].sum()):,}"),
        ("年份" if zh else "Years", f"{ph.first}-{ph.last}"),
        ("基期/冲击/恢复年" if zh else "Base / shock / recovery year", f"{ph.base} / {ph.shock} / {ph.recovery}"),
    ]
    bn = m.benchmarks[m.benchmarks["scope"] == "national"].iloc[0]
    rows += [
        ("全国出口增长：冲击期" if zh else "National export growth, contraction", f"{bn['growth_contraction']:+.2%}"),
        ("全国出口增长：恢复期" if zh else "National export growth, recovery", f"{bn['growth_recovery']:+.2%}"),
    ]
    h = _HEADERS[lang]
    return pd.DataFrame(rows, columns=[h["item"], h["value"]])


def write_firm_outputs(result: FirmResilienceStudyResult, out_dir: Path, *, lang: str = "zh",
                       formats: list[str] | None = None, figures: bool = True) -> list[Path]:
    """Tables in every format, aggregates as CSV and Parquet (``data/``), the figure, notes."""
    from exportlens.report import figures as fig
    from exportlens.report.figures_firms import survival_by_group
    from exportlens.report.tables import write_tables

    out_dir = Path(out_dir)
    written = write_tables(result.tables(lang), out_dir / "tables", formats)
    data_dir = out_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    m = result.measures
    frames = {**m.aggregates(), "benchmarks": m.benchmarks, "invalid_rows": m.validation.to_frame(lang)}
    for name, frame in frames.items():
        csv_path = data_dir / f"{name}.csv"
        frame.to_csv(csv_path, index=False, float_format="%.10g")
        written.append(csv_path)
        if name.endswith(("_year", "_shock")):
            pq_path = data_dir / f"{name}.parquet"
            frame.to_parquet(pq_path, index=False)
            written.append(pq_path)
    if m.firm_year is not None and m.firm_shock is not None:  # small runs keep them in memory
        firm_dir = out_dir / "firm"
        firm_dir.mkdir(exist_ok=True)
        for name in ("firm_year", "firm_shock"):
            path = firm_dir / f"{name}.parquet"
            getattr(m, name).to_parquet(path, index=False)
            written.append(path)
    if figures:
        flang, fnote = fig.figure_language(lang)
        if fnote and fnote not in result.notes:
            result.notes.append(fnote)
        synth = (" SYNTHETIC demo data." if flang == "en" else " 合成演示数据。") if result.synthetic else ""
        ph = m.phases
        written.append(survival_by_group(
            m.group_year, group="group", path=out_dir / "figures" / "survival_by_group.png",
            shock_year=ph.shock, base_year=ph.base, group_labels=_group_labels(result.spec.grouping, flang),
            titles=(["Survival of pre-shock exporters (share of firms)", "Survival (share of base-year exports)"]
                    if flang == "en" else ["冲击前出口企业存活率（企业数）", "存活率（基期出口额）"]),
            xlabel="year" if flang == "en" else "年份", shock_label="shock" if flang == "en" else "冲击",
            note=((f"Cohort: firms exporting in {ph.base}." if flang == "en" else f"样本：{ph.base}年出口企业。") + synth),
        ))
    notes_path = out_dir / "notes.txt"
    notes_path.write_text(result.summary() + "\n\n" + m.validation.describe() + "\n", encoding="utf-8")
    written.append(notes_path)
    return written


# --- running ---------------------------------------------------------------------------


def connect_backend(spec: FirmResilienceStudySpec, work_dir: Path) -> Any:
    """The Ibis connection named by the spec: DuckDB (spilling to ``work_dir``) or PySpark."""
    if spec.backend == "pyspark":
        try:
            import ibis
            from pyspark.sql import SparkSession
        except ImportError:
            raise InputError("The pyspark backend needs PySpark and Java: pip install 'exportlens[spark]'.") from None
        session = SparkSession.builder.appName("exportlens-firms").getOrCreate()
        return ibis.pyspark.connect(session)
    from exportlens.firms.pipeline import connect_duckdb

    return connect_duckdb(memory_limit=spec.memory_limit, threads=spec.threads, temp_directory=work_dir)


def run_firm_resilience_study(
    spec: FirmResilienceStudySpec | None = None,
    *,
    transactions: str | Path | None = None,
    out_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> FirmResilienceStudyResult:
    """Run the measures on the transactions (a file or folder of CSV/Parquet; default: the
    spec's ``data_path``, or the SYNTHETIC demo when neither is given).

    With ``out_dir`` the firm-level tables are written to ``out_dir/firm`` (out of core, not
    loaded); without it they are returned in memory (small data). Nothing else is written
    here: see :meth:`FirmResilienceStudyResult.write`.
    """
    from exportlens.firms.io import open_transactions
    from exportlens.firms.pipeline import firm_pipeline

    spec = spec or FirmResilienceStudySpec()
    spec.check()
    step = progress or (lambda _msg: None)
    path = transactions if transactions is not None else spec.data_path
    notes: list[str] = []
    demo_dir = spill_tmp = None
    synthetic = False
    description = ""
    try:
        if path is None:
            from exportlens.data.demo_firms import FIRM_DEMO_ROWS, write_firm_transactions

            step("generate SYNTHETIC demo transactions")
            demo_dir = tempfile.TemporaryDirectory(prefix="exportlens-firm-demo-")
            info = write_firm_transactions(Path(demo_dir.name) / "transactions", rows=FIRM_DEMO_ROWS)
            path, synthetic, description = info.path, True, info.description
            notes.append(f"Data: {info.rows:,} SYNTHETIC transaction rows ({info.firms:,} firms, {info.firm_years:,} "
                         f"firm-years, {info.years[0]}-{info.years[-1]}, shock {info.shock_year}) generated by "
                         f"exportlens.data.demo_firms (seed {info.seed}) in a temporary folder.")
        # the engine's spill folder: inside the output folder (same disk as the results)
        spill_tmp = tempfile.TemporaryDirectory(prefix="exportlens-engine-") if out_dir is None else None
        work = Path(out_dir) / "_engine_tmp" if out_dir is not None else Path(spill_tmp.name)  # type: ignore[union-attr]
        con = connect_backend(spec, work)
        raw = open_transactions(con, path, spec.column_map())
        measures = firm_pipeline(con, raw, columns=spec.column_map(), spec=spec.measure_spec(),
                                 out_dir=(Path(out_dir) / "firm") if out_dir is not None else None, progress=step)
    finally:
        if spill_tmp is not None:
            spill_tmp.cleanup()
        elif out_dir is not None:
            shutil.rmtree(Path(out_dir) / "_engine_tmp", ignore_errors=True)
        if demo_dir is not None:
            demo_dir.cleanup()
    return FirmResilienceStudyResult(spec=spec, measures=measures, notes=[*notes, *measures.notes],
                                     synthetic=synthetic, data_description=description)


def run_firm_resilience_cli(
    transactions: str | Path | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    shock_year: int | None = None,
    spec: FirmResilienceStudySpec | None = None,
    out: Path | None = None,
    lang: str = "zh",
    formats: list[str] | None = None,
    figures: bool = True,
    overwrite: bool = False,
    console: Any = None,
    invalid: str | None = None,
) -> Path:
    """What ``exportlens run firm-resilience`` and ``exportlens demo`` do: run, write, manifest.

    ``transactions`` (a file or folder) overrides the spec's data path; None with no path in
    the spec runs the SYNTHETIC demo. ``columns``, ``shock_year`` and ``invalid`` override
    the spec. Results go to a NEW folder (``new_output_dir``); returns its path.
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from exportlens.firms.pipeline import PIPELINE_STEPS
    from exportlens.report.manifest import new_output_dir, write_manifest

    spec = dataclasses.replace(spec) if spec is not None else FirmResilienceStudySpec()
    if transactions is not None:
        spec.data_path = str(transactions)
    if columns:
        spec.columns = {**spec.columns, **dict(columns)}
    if shock_year is not None:
        spec.shock_year = shock_year
    if invalid is not None:
        spec.invalid = invalid
    spec.check()
    if lang not in ("zh", "en"):
        raise InputError(f"lang must be 'zh' or 'en', not {lang!r}.")
    demo = spec.data_path is None
    out_dir = new_output_dir(out, "firm-demo" if demo else STUDY, overwrite=overwrite)
    steps = ["prepare data", *PIPELINE_STEPS, "write tables and figures", "manifest"]
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False, disable=console is None) as bar:
        task = bar.add_task("prepare data", total=len(steps))

        def advance(msg: str) -> None:
            if msg in PIPELINE_STEPS:
                bar.update(task, completed=steps.index(msg), description=msg)
            else:
                bar.update(task, description=msg)

        result = run_firm_resilience_study(spec, out_dir=out_dir, progress=advance)
        bar.update(task, completed=len(steps) - 2, description="write tables and figures")
        result.write(out_dir, lang=lang, formats=formats, figures=figures)
        bar.update(task, completed=len(steps) - 1, description="manifest")
        if spec.source_file:
            spec.copy_study_file(out_dir)
        inputs: dict[str, str | Path] = {}
        if not demo:
            from exportlens.firms.io import find_input_files

            files, _fmt = find_input_files(spec.data_path)  # type: ignore[arg-type]
            root = Path(spec.data_path)  # type: ignore[arg-type]
            for f in files:
                inputs[f"transactions/{f.relative_to(root) if root.is_dir() else f.name}"] = f
        if spec.source_file:
            inputs["study_file"] = spec.source_file
        v = result.measures.validation
        write_manifest(out_dir, study=STUDY, spec={
            **spec.to_dict(), "column_map": spec.column_map().to_dict(), "lang": lang, "formats": formats or "all",
            "data": spec.data_path or f"embedded SYNTHETIC demo transactions ({result.data_description})",
            "row_accounting": {"rows_read": v.rows_read, "rows_used": v.rows_used, "rows_invalid": v.rows_invalid,
                               "invalid_by_reason": v.invalid, "unknown_province_values": v.unknown_provinces},
            "backend": result.measures.backend,
        }, inputs=inputs, notes=result.notes)
        bar.update(task, completed=len(steps), description="done")
    if console is not None:
        console.print(result.summary())
    return out_dir


def parse_column_options(items: list[str] | None) -> dict[str, str]:
    """``["firm=企业编码", "value=美元"]`` (repeatable ``--column`` options) as a role mapping."""
    out: dict[str, str] = {}
    for item in items or []:
        role, sep, name = item.partition("=")
        if not sep or not role.strip() or not name.strip():
            raise InputError(f"--column takes role=column_name (e.g. firm=企业编码), got {item!r}.")
        if role.strip() not in _COLUMN_ROLES:
            raise InputError(f"Unknown column role {role.strip()!r} in --column; roles: {', '.join(_COLUMN_ROLES)}.")
        out[role.strip()] = name.strip()
    return out


def study_template() -> str:
    """A commented study file with the defaults (those of the demo)."""
    return '''# exportlens study file: firm-level export resilience from customs transactions
# Run:  exportlens run firm-resilience --study this_file.toml --lang zh
# Column names refer to YOUR data; paths are relative to this file.

[data]
path = "transactions/"        # a CSV or Parquet file, or a folder of them (one format per folder)
invalid = "raise"             # "raise": stop on rows with invalid values; "drop": leave them out,
                              # counted by reason in Table F1, data/invalid_rows.csv and manifest.json

[columns]                     # role = "your column name"
firm = "firm_id"              # firm identifier (企业编码)
product = "hs8"               # product code (HS), kept as text
destination = "destination"   # destination country
year = "year"
value = "value_usd"           # export value (one currency throughout)
province = "province"         # the firm's province (any spelling: 广东省, 广东, Guangdong, 440000)
industry = "industry"         # the firm's industry code
period_format = "year"        # "year" (2009) or "yyyymm" (200903: months are summed to years)

[shock]
shock_year = 2009             # the year exports fell
# base_year = 2008            # default: shock_year - 1 (cohort: firms exporting in the base year)
# recovery_year = 2011        # default: shock_year + 2
min_abs_benchmark_growth = 0.01   # indices (g - g_B)/|g_B| are left missing when |g_B| is below this

[report]
grouping = "belts3"           # region groups of Table F3 and the figure: nbs4, belts3, drc8 or coastal

[engine]
backend = "duckdb"            # "duckdb" (embedded, out of core) or "pyspark" (pip install 'exportlens[spark]')
memory_limit = "3GB"          # DuckDB memory cap; it spills to the output folder beyond it
threads = 2

# [labels.zh]                 # industry code = "name" (tables)
# "39" = "计算机、通信和其他电子设备制造业"
# [labels.en]
# "39" = "Computers and electronics"
'''
