"""The firm-level study: export resilience of firms from customs transactions.

Tests the micro side of the headline study (virtual agglomeration makes firms' exports more
resilient) with firm measures built out of core from transaction records: DHS growth with
entry and exit, survival of the pre-shock cohort, Lagravinese resistance and recovery
against the nation and the firm's industry, and product/destination diversification as
mechanism variables; aggregated to province x year, industry x year and region groups
(firm- and value-weighted) ready to merge with the province panel. Formulas and references:
:mod:`exportlens.firms.measures`; engine: :mod:`exportlens.firms.pipeline`.

Python::

    from exportlens.studies.firm_resilience import STUDY, FirmResilienceStudySpec, run_firm_resilience_study
    from exportlens.studies.framework import run_study
    spec = FirmResilienceStudySpec(data_path="customs/", shock_year=2009,
                                   columns={"firm": "企业编码", "value": "美元"})
    result = run_firm_resilience_study(spec)          # firm-level tables in memory (small data)
    print(result.summary())
    run_study(STUDY, spec, out="results", lang="en")  # out of core: tables, data, figure, manifest

Command line: ``exportlens run firm-resilience --transactions PATH --column firm=企业编码 ...``;
``exportlens demo`` runs it on 200,000 SYNTHETIC transactions (:mod:`exportlens.datasets.demo_firms`).
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import pandas as pd

from exportlens.datasets.demo_firms import (
    FIRM_DEMO_COLUMNS,
    FIRM_DEMO_PARAMETERS,
    FIRM_DEMO_ROWS,
    INDUSTRIES,
    write_firm_transactions,
)
from exportlens.errors import DataFormatError, InputError, StudySpecError
from exportlens.firms.io import REASONS, ColumnMap, find_input_files, open_transactions
from exportlens.firms.measures import FirmMeasures, FirmMeasureSpec
from exportlens.firms.pipeline import PIPELINE_STEPS, connect_duckdb, firm_pipeline
from exportlens.regions import grouping, list_groupings, resolve_province
from exportlens.report.figures_firms import survival_by_group
from exportlens.report.tables import FrameTable
from exportlens.studies.firm_resilience_models import (
    FirmModelResults,
    estimate_firm_models,
    read_study_panel,
)
from exportlens.studies.framework import StudyDefinition, StudySpec, WritableResult, study_field
from exportlens.text import LANGS, Lang, check_lang, localized, term

__all__ = [
    "STUDY",
    "FirmResilienceStudyResult",
    "FirmResilienceStudySpec",
    "FirmTransactions",
    "load_transactions",
    "run_firm_resilience_study",
]

#: the progress step of the join and the models (after the pipeline's steps)
MODEL_STEP = "join the province panel and estimate the models"

#: column roles of the [columns] section (``ColumnMap`` fields) -> spec field
COLUMN_ROLES: dict[str, str] = {
    "firm": "firm_column", "product": "product_column", "destination": "destination_column",
    "year": "year_column", "value": "value_column", "province": "province_column",
    "industry": "industry_column", "period_format": "period_format",
    "ownership": "ownership_column", "trade_mode": "trade_mode_column",
}

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "table_f1": "表F1 数据与样本", "table_f2": "表F2 全国企业出口动态（按年份）",
        "table_f3": "表F3 冲击后的企业出口韧性：分地区", "table_f4": "表F4 冲击后的企业出口韧性：分省份",
        "table_f5": "表F5 冲击后的企业出口韧性：分行业", "table_f6": "表F6 冲击前出口企业的存活率：分省份、年份",
        "national": "全国",
        "synthetic_note": "注：数据为 exportlens 生成的合成交易记录（非真实海关数据）。",
        "definitions": "基期{base}年、冲击年{shock}年、恢复年{recovery}年。DHS增长率=2(E_t−E_t−1)/(E_t+E_t−1)，含进入与退出；"
                       "规模加权以(E_t+E_t−1)/2为权重，等于加总的DHS增长率。存活率为基期出口企业在该年前连续出口的比例，"
                       "出口额口径以基期出口额加权。抵抗力/恢复力=(g_企业−g_基准)/|g_基准|（Lagravinese 2015），"
                       "加权口径分别以基期、冲击年出口额为权重。HHI为出口额份额平方和。",
        "panel_note": "省份-年份全部指标（DHS增长率、HHI、存活率等，企业平均与加权）见 data/province_year.csv。",
        "rows_read": "读入记录数", "invalid_row": "  无效：{reason}", "rows_used": "使用记录数", "firms": "企业数",
        "firm_years": "企业-年份（出口）", "years": "年份", "phases": "基期/冲击/恢复年",
        "growth_contraction": "全国出口增长：冲击期", "growth_recovery": "全国出口增长：恢复期",
        "figure_firms": "冲击前出口企业存活率（企业数）", "figure_exports": "存活率（基期出口额）",
        "figure_x": "年份", "figure_shock": "冲击", "figure_note": "样本：{base}年出口企业。",
    },
    "en": {
        "table_f1": "Table F1 Data and sample", "table_f2": "Table F2 Firm export dynamics, national, by year",
        "table_f3": "Table F3 Firm export resilience after the shock, by region group",
        "table_f4": "Table F4 Firm export resilience after the shock, by province",
        "table_f5": "Table F5 Firm export resilience after the shock, by industry",
        "table_f6": "Table F6 Survival of pre-shock exporters by province and year (share of firms)",
        "national": "All",
        "synthetic_note": "Note: SYNTHETIC transaction records generated by exportlens (not real customs data).",
        "definitions": "Base year {base}, shock {shock}, recovery {recovery}. DHS growth = 2(E_t − E_t−1)/(E_t + E_t−1), "
                       "with entry and exit; size-weighted with weights (E_t + E_t−1)/2, which equals the DHS growth of "
                       "the total. Survival: share of base-year exporters exporting in every year since; export-weighted "
                       "by base-year exports. Resistance/recovery = (g_firm − g_benchmark)/|g_benchmark| (Lagravinese "
                       "2015); weighted by base-year and shock-year exports. HHI: sum of squared export shares.",
        "panel_note": "Every province-year measure (DHS growth, HHI, survival, firm- and value-weighted) is in "
                      "data/province_year.csv.",
        "rows_read": "Rows read", "invalid_row": "  invalid: {reason}", "rows_used": "Rows used", "firms": "Firms",
        "firm_years": "Exporting firm-years", "years": "Years", "phases": "Base / shock / recovery year",
        "growth_contraction": "National export growth, contraction", "growth_recovery": "National export growth, recovery",
        "figure_firms": "Survival of pre-shock exporters (share of firms)",
        "figure_exports": "Survival (share of base-year exports)",
        "figure_x": "year", "figure_shock": "shock", "figure_note": "Cohort: firms exporting in {base}.",
    },
}

#: column headers of the tables (keys: the measure columns of :class:`FirmMeasures`)
HEADERS: dict[str, dict[str, str]] = {
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

_NATIONAL_YEAR_COLUMNS = ["year", "n_firms", "n_entries", "n_exits", "exports", "dhs_growth_fw", "dhs_growth_vw",
                          "hhi_products_fw", "hhi_destinations_fw", "survival_rate_fw", "survival_rate_vw"]
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


def _column(role: str, help: str) -> Any:
    return study_field(FIRM_DEMO_COLUMNS[role], section="columns", key=role, min_length=1, help=help)


class FirmResilienceStudySpec(StudySpec):
    """Everything the firm study needs: data, column names, shock years, engine.

    Defaults reproduce the demo: the embedded SYNTHETIC transactions (``data_path=None``),
    their column names, shock 2009 (base 2008, recovery 2011), region groups ``belts3``,
    DuckDB with 3 GB and 2 threads. The ``[columns]`` keys name the user's column of each
    role (firm, product, destination, year, value, province, industry; ``period_format``);
    Python users may also pass ``columns={"firm": "企业编码", ...}`` (roles left out keep
    the demo names). ``invalid``: ``"raise"`` stops on invalid rows, ``"drop"`` leaves them
    out and reports them by reason. ``labels`` maps industry codes to names per language
    (``{"zh": {"39": "电子"}, "en": {...}}``).
    """

    TITLE: ClassVar[str] = "firm-level export resilience from customs transactions"
    STUDY_NAME: ClassVar[str] = "firm-resilience"
    TABLE_SECTIONS: ClassVar[tuple[str, ...]] = ("labels",)

    data_path: str | None = study_field(
        None, section="data", key="path", path=True, example="transactions/",
        help="a CSV or Parquet file, or a folder of them (one format per folder); unset: SYNTHETIC demo transactions")
    invalid: Literal["raise", "drop"] = study_field(
        "raise", section="data", help="raise: stop on rows with invalid values; drop: leave them out, counted by "
        "reason in Table F1, data/invalid_rows.csv and manifest.json")
    firm_column: str = _column("firm", "firm identifier (企业编码)")
    product_column: str = _column("product", "product code (HS), kept as text")
    destination_column: str = _column("destination", "destination country")
    year_column: str = _column("year", "year (or yyyymm, see period_format)")
    value_column: str = _column("value", "export value (one currency throughout)")
    province_column: str = _column("province", "the firm's province (any spelling: 广东省, 广东, Guangdong, 440000)")
    industry_column: str = _column("industry", "the firm's industry code")
    period_format: Literal["year", "yyyymm"] = study_field(
        "year", section="columns", help="year (2009) or yyyymm (200903: months are summed to years)")
    ownership_column: str | None = study_field(
        None, section="columns", key="ownership", example="ownership",
        help="optional: the firm's ownership (e.g. state/private/foreign); a firm-year gets the label with the "
             "largest export value that year (ties: the smallest label)")
    trade_mode_column: str | None = study_field(
        None, section="columns", key="trade_mode", example="trade_mode",
        help="optional: the trade mode (e.g. ordinary/processing); a firm-year gets the mode with the largest "
             "export value that year (ties: the smallest label)")
    shock_year: int = study_field(2009, section="shock", help="the year exports fell")
    base_year: int | None = study_field(
        None, section="shock", example=2008,
        help="default: shock_year - 1 (cohort: firms exporting in the base year)")
    recovery_year: int | None = study_field(None, section="shock", example=2011, help="default: shock_year + 2")
    min_abs_benchmark_growth: float = study_field(
        0.01, section="shock", ge=0,
        help="indices (g - g_B)/|g_B| are left missing when |g_B| is below this")
    growth_paths: bool = study_field(
        True, section="shock",
        help="also compute the growth paths per firm-year: new products and destinations and their export shares, "
             "switching rates, extensive/intensive margins (one more pass over the data)")
    grouping: str = study_field("belts3", section="report",
                                help="region groups of Table F3 and the figure: nbs4, belts3, drc8 or coastal")
    backend: Literal["duckdb", "pyspark"] = study_field(
        "duckdb", section="engine",
        help="duckdb (embedded, out of core) or pyspark (pip install 'exportlens[spark]')")
    memory_limit: str = study_field("3GB", section="engine", min_length=1,
                                    help="DuckDB memory cap; it spills to a temporary folder beyond it")
    threads: int = study_field(2, section="engine", ge=1, help="DuckDB threads")
    panel_path: str | None = study_field(
        None, section="panel", key="path", path=True, example="province_panel.csv",
        help="province-year panel with Vag (CSV, Excel, Stata or Parquet); unset: the SYNTHETIC demo panel for the "
             "demo transactions, no models for your own transactions")
    panel_sheet: str | None = study_field(None, section="panel", key="sheet", example="Sheet1", help="Excel sheet")
    panel_province: str = study_field("province", section="panel", key="province", min_length=1,
                                      help="province column of the panel (any spelling: 广东省, 广东, Guangdong, 440000)")
    panel_year: str = study_field("year", section="panel", key="year", min_length=1, help="year column of the panel")
    vag_column: str = study_field("vag", section="panel", key="vag", min_length=1,
                                  help="the panel's virtual agglomeration column (the key regressor)")
    panel_controls: list[str] = study_field(default_factory=list, section="panel", key="controls",
                                            example=["ln_gdp"], help="province-year controls of the panel")
    models: bool = study_field(True, section="models", key="run",
                               help="join the firm-years to the panel and estimate the models (Tables F7-F11)")
    outcomes: list[str] = study_field(
        ["dhs_growth", "log_growth", "new_products_share", "new_destinations_share", "product_switching",
         "destination_switching"], section="models", min_length=1,
        help="growth outcomes (firm-year measures; log_growth = ln(E_t/E_t-1) of continuing exporters)")
    fe: Literal["firm+year", "firm+industry^year"] = study_field(
        "firm+year", section="models", help="fixed effects of the growth models")
    model_controls: list[str] = study_field(default_factory=list, section="models", key="controls",
                                            example=["n_products"], help="firm-year controls (firm-year columns)")
    exit_models: list[Literal["lpm", "logit", "hazard"]] = study_field(
        ["lpm", "logit", "hazard"], section="models",
        help="exit models: linear probability, fixed-effects logit, discrete-time hazard")
    exit_fe: Literal["code+year", "firm+year"] = study_field(
        "code+year", section="models",
        help="fixed effects of the exit LPM and logit (code+year: province and year; firm effects with a "
             "once-only exit are biased towards zero in short panels)")
    cox: bool = study_field(False, section="models",
                            help="also Cox proportional hazards of export spells (pip install 'exportlens[survival]')")
    heterogeneity: list[Literal["size", "group", "ownership", "trade_mode"]] = study_field(
        ["size"], section="models",
        help="Vag slopes by firm size tercile (base-year exports), region group ([report] grouping), ownership or "
             "trade mode (these two need [columns] ownership / trade_mode)")
    shock_window: bool = study_field(True, section="models",
                                     help="growth base-to-shock and base-to-recovery on base-year Vag")
    labels: dict[Lang, dict[str, str]] = study_field(
        default_factory=dict, section="labels",
        example={"zh": {"39": "计算机、通信和其他电子设备制造业"}, "en": {"39": "Computers and electronics"}},
        help="industry names of the tables: [labels.zh] and [labels.en] tables of code = \"name\"")

    def __init__(self, **values: Any) -> None:
        if "columns" in values:  # the Python form columns={"firm": ...} sets the role fields
            mapping = values.pop("columns") or {}
            if not isinstance(mapping, dict):
                raise StudySpecError(f"columns must map roles to column names, not {mapping!r}.")
            unknown = [r for r in mapping if r not in COLUMN_ROLES]
            if unknown:
                raise StudySpecError(f"Unknown column role(s) {unknown} in [columns]; roles: {', '.join(COLUMN_ROLES)}.")
            values.update({COLUMN_ROLES[r]: v for r, v in mapping.items()})
        super().__init__(**values)

    @property
    def columns(self) -> dict[str, str]:
        """Role -> the user's column name (and ``period_format``), as the [columns] section (the
        optional roles ``ownership`` and ``trade_mode`` only when set)."""
        return {role: getattr(self, name) for role, name in COLUMN_ROLES.items() if getattr(self, name) is not None}

    def column_map(self) -> ColumnMap:
        """The :class:`~exportlens.firms.io.ColumnMap` of the [columns] section."""
        return ColumnMap.from_mapping(self.columns)

    def measure_spec(self) -> FirmMeasureSpec:
        """The :class:`~exportlens.firms.measures.FirmMeasureSpec` of this study."""
        return FirmMeasureSpec(shock_year=self.shock_year, base_year=self.base_year, recovery_year=self.recovery_year,
                               min_abs_benchmark_growth=self.min_abs_benchmark_growth, grouping=self.grouping,
                               invalid=self.invalid, growth_paths=self.growth_paths)

    def check(self) -> None:
        """Rules the field types cannot say (not yet against the data)."""
        names = [g.name for g in list_groupings()]
        if self.grouping not in names:
            raise StudySpecError(f"[report] grouping must be one of {', '.join(names)}, not {self.grouping!r}.")
        base = self.base_year if self.base_year is not None else self.shock_year - 1
        recovery = self.recovery_year if self.recovery_year is not None else self.shock_year + 2
        if not base < self.shock_year < recovery:
            raise StudySpecError(f"[shock] years must satisfy base_year < shock_year < recovery_year, got {base}, "
                                 f"{self.shock_year}, {recovery}.")
        try:
            self.column_map()
        except InputError as exc:
            raise StudySpecError(f"[columns]: {exc}") from None
        for h in ("ownership", "trade_mode"):
            if h in self.heterogeneity and getattr(self, COLUMN_ROLES[h]) is None:
                raise StudySpecError(f"[models] heterogeneity asks for {h!r} but [columns] {h} is not set; set it to "
                                     f"the transactions' {h.replace('_', ' ')} column or remove {h!r}.")

    def industry_label(self, code: Any, lang: str, synthetic: bool) -> str:
        """``code name`` from [labels.<lang>], or the demo's industry names on SYNTHETIC data."""
        language = check_lang(lang)
        user = self.labels.get(language, {})
        if str(code) in user:
            return f"{code} {user[str(code)]}"
        if synthetic and str(code) in INDUSTRIES:
            return f"{code} {dict(zip(LANGS, INDUSTRIES[str(code)], strict=True))[language]}"  # names are (zh, en)
        return str(code)


@dataclass
class FirmResilienceStudyResult(WritableResult):
    """The measures and their aggregates; tables are built on demand in either language."""

    spec: FirmResilienceStudySpec
    measures: FirmMeasures
    notes: list[str]
    synthetic: bool = False
    data_description: str = ""
    #: the temporary folder holding the firm-level Parquet files of an out-of-core run
    workspace: Any = field(default=None, repr=False)
    #: the join to the province panel and the models (None: [models] run = false or no panel)
    models: FirmModelResults | None = None

    def to_frame(self) -> pd.DataFrame:
        """The province x year table (merge with the province panel on ``code`` and ``year``)."""
        return self.measures.to_frame()

    def summary(self) -> str:
        """Plain-text overview (SYNTHETIC when built from the demo data) and the row accounting."""
        head = "Firm-level export resilience" + (" (SYNTHETIC demo data)" if self.synthetic else "")
        lines = [head, self.measures.summary()]
        if self.models is not None:
            lines.append(self.models.summary())
        lines += [f"Note: {n}" for n in self.notes if n not in self.measures.notes]
        return "\n".join(lines) + "\n\n" + self.measures.validation.describe()

    def manifest_details(self) -> dict[str, Any]:
        """The column mapping, the row accounting and the engine, for the manifest."""
        v = self.measures.validation
        return {
            "column_map": self.spec.column_map().to_dict(),
            "row_accounting": {"rows_read": v.rows_read, "rows_used": v.rows_used, "rows_invalid": v.rows_invalid,
                               "invalid_by_reason": v.invalid, "unknown_province_values": v.unknown_provinces},
            "backend": self.measures.backend,
            **({"join_coverage": {
                **{s: {"firm_years": int(fy), "firms": int(fi)} for s, fy, fi in zip(
                    self.models.coverage["status"], self.models.coverage["firm_years"], self.models.coverage["firms"],
                    strict=True)},
                "several_provinces_modal_rule": self.models.several_provinces}} if self.models is not None else {}),
        }

    def data_files(self, lang: str = "zh") -> dict[str, Any]:
        """Aggregates (CSV, and Parquet for the _year/_shock tables), benchmarks, invalid rows by
        reason (labels in ``lang``) and the firm-level tables (``firm/*.parquet``)."""
        m = self.measures
        files: dict[str, Any] = {}
        frames = {**m.aggregates(), "benchmarks": m.benchmarks, "invalid_rows": m.validation.to_frame(lang)}
        for name, frame in frames.items():
            files[f"data/{name}"] = frame
            if name.endswith(("_year", "_shock")):
                files[f"data/{name}.parquet"] = frame
        for name in ("firm_year", "firm_shock"):
            source = m.files.get(name, getattr(m, name))
            if source is not None:
                files[f"firm/{name}.parquet"] = source
        if self.models is not None:
            files["data/model_coefficients"] = self.models.to_frame()
            files["data/join_coverage"] = self.models.coverage
            files["data/survival_km"] = self.models.km
        return files

    def tables(self, lang: str = "zh") -> dict[str, Any]:
        """Tables F1-F6 as :class:`~exportlens.report.tables.FrameTable` objects."""
        text, h = localized(TEXT, lang), localized(HEADERS, lang)
        m = self.measures
        base_notes = [text["synthetic_note"]] if self.synthetic else []
        defs = text["definitions"].format(base=m.phases.base, shock=m.phases.shock, recovery=m.phases.recovery)

        def table(frame: pd.DataFrame, key: str, notes: list[str]) -> FrameTable:
            return FrameTable(frame.rename(columns=h), title=text[key], notes=notes, index=False)

        nat = m.national_year.copy()
        nat["exports"] = nat["exports"] / 1e6
        glabels = _group_labels(self.spec.grouping, lang)
        grp = m.group_shock.copy()
        grp["group"] = grp["group"].map(lambda g: glabels.get(g, str(g)))
        grp = pd.concat([_order_rows(grp, "group", list(glabels.values())),
                         m.national_shock.assign(group=text["national"])], ignore_index=True)
        prov = m.province_shock.copy()
        prov["province"] = prov["code"].map(lambda c: _province_name(c, lang))
        ind = m.industry_shock.copy()
        ind["industry"] = ind["industry"].map(lambda c: self.spec.industry_label(c, lang, self.synthetic))
        # province x year in a compact layout (the long panel with every measure is data/province_year)
        py = m.province_year[m.province_year["year"] >= m.phases.base]
        wide = py.pivot(index="code", columns="year", values="survival_rate_fw")
        wide.index = pd.Index([_province_name(c, lang) for c in wide.index], name="province")
        wide.columns = [str(c) for c in wide.columns]
        model_tables = self.models.tables(lang, base_notes, m.phases.base) if self.models is not None else {}
        return {
            "table_f1": table(_sample_frame(m, lang), "table_f1", base_notes),
            "table_f2": table(nat[_NATIONAL_YEAR_COLUMNS], "table_f2", [*base_notes, defs]),
            "table_f3": table(grp[["group", *_SHOCK_TABLE_COLUMNS]], "table_f3", [*base_notes, defs]),
            "table_f4": table(prov[["province", *_SHOCK_TABLE_COLUMNS_SHORT]], "table_f4", [*base_notes, defs]),
            "table_f5": table(ind[["industry", *_SHOCK_TABLE_COLUMNS_SHORT]], "table_f5", [*base_notes, defs]),
            "table_f6": table(wide.reset_index(), "table_f6", [*base_notes, defs, text["panel_note"]]),
            **model_tables,
        }

    def draw_figures(self, out_dir: Path, lang: str) -> list[Path]:
        """Survival of the pre-shock cohort by region group (share of firms and of exports)."""
        flang = self.figure_lang(lang)  # English when no font has Chinese glyphs (noted)
        text = localized(TEXT, flang)
        synth = (" " + term("synthetic_short", flang)) if self.synthetic else ""
        ph = self.measures.phases
        km = self.models.draw_survival(out_dir, flang, synth) if self.models is not None else []
        return [*km, survival_by_group(
            self.measures.group_year, group="group", path=out_dir / "survival_by_group.png",
            shock_year=ph.shock, base_year=ph.base, group_labels=_group_labels(self.spec.grouping, flang),
            titles=[text["figure_firms"], text["figure_exports"]], xlabel=text["figure_x"],
            shock_label=text["figure_shock"], note=text["figure_note"].format(base=ph.base) + synth,
        )]


def _order_rows(frame: pd.DataFrame, col: str, order: list[str]) -> pd.DataFrame:
    rank = {v: i for i, v in enumerate(order)}
    return frame.assign(_r=frame[col].map(lambda v: rank.get(v, len(rank)))).sort_values("_r").drop(columns="_r")


def _province_name(code: Any, lang: str) -> str:
    """The full province name (广东省 / Guangdong)."""
    p = resolve_province(int(code))
    return str(getattr(p, f"name_{check_lang(lang)}"))


def _group_labels(grouping_name: str, lang: str) -> dict[str, str]:
    g = grouping(grouping_name)
    return {k: g.label(k, lang) for k in g.order}


def _sample_frame(m: FirmMeasures, lang: str) -> pd.DataFrame:
    """Table F1: rows read, invalid by reason, rows used, firms, years and the national benchmarks."""
    text = localized(TEXT, lang)
    v, ph = m.validation, m.phases
    reason_label = dict(zip(("en", "zh"), (0, 1), strict=True))[check_lang(lang)]  # REASONS are (en, zh)
    rows: list[tuple[str, str]] = [(text["rows_read"], f"{v.rows_read:,}")]
    rows += [(text["invalid_row"].format(reason=labels[reason_label]), f"{v.invalid.get(key, 0):,}")
             for key, labels in REASONS.items()]
    bn = m.benchmarks[m.benchmarks["scope"] == "national"].iloc[0]
    rows += [
        (text["rows_used"], f"{v.rows_used:,}"),
        (text["firms"], f"{m.firms:,}"),
        (text["firm_years"], f"{int(m.national_year['n_firms'].sum()):,}"),
        (text["years"], f"{ph.first}-{ph.last}"),
        (text["phases"], f"{ph.base} / {ph.shock} / {ph.recovery}"),
        (text["growth_contraction"], f"{bn['growth_contraction']:+.2%}"),
        (text["growth_recovery"], f"{bn['growth_recovery']:+.2%}"),
    ]
    h = localized(HEADERS, lang)
    return pd.DataFrame(rows, columns=[h["item"], h["value"]])


# --- running ---------------------------------------------------------------------------


@dataclass
class FirmTransactions:
    """Where the transactions are; for the demo, a temporary folder of SYNTHETIC ones that
    lives as long as this object."""

    path: Path
    synthetic: bool = False
    description: str = ""
    notes: list[str] = field(default_factory=list)
    folder: Any = field(default=None, repr=False)


def load_transactions(spec: FirmResilienceStudySpec) -> FirmTransactions:
    """The spec's transactions, or 200,000 SYNTHETIC demo transactions written to a temporary folder."""
    if spec.data_path is not None:
        return FirmTransactions(Path(spec.data_path))
    folder = tempfile.TemporaryDirectory(prefix="exportlens-firm-demo-")
    info = write_firm_transactions(Path(folder.name) / "transactions", rows=FIRM_DEMO_ROWS)
    note = (f"Data: {info.rows:,} SYNTHETIC transaction rows ({info.firms:,} firms, {info.firm_years:,} firm-years, "
            f"{info.years[0]}-{info.years[-1]}, shock {info.shock_year}) generated by exportlens.datasets.demo_firms "
            f"(seed {info.seed}) in a temporary folder.")
    return FirmTransactions(Path(info.path), synthetic=True, description=info.description, notes=[note], folder=folder)


def transaction_inputs(spec: FirmResilienceStudySpec) -> dict[str, str]:
    """The input files of the spec's transactions, for the manifest (none for the demo)."""
    if spec.data_path is None:
        return {}
    files, _fmt = find_input_files(spec.data_path)
    root = Path(spec.data_path)
    return {f"transactions/{(f.relative_to(root) if root.is_dir() else f.name)}": str(f) for f in files}


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
    return connect_duckdb(memory_limit=spec.memory_limit, threads=spec.threads, temp_directory=work_dir)


def run_firm_resilience_study(
    spec: FirmResilienceStudySpec | None = None,
    *,
    transactions: str | Path | FirmTransactions | None = None,
    out_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> FirmResilienceStudyResult:
    """Run the measures on the transactions (a file or folder of CSV/Parquet, or what
    :func:`load_transactions` returns; default: the spec's ``data_path``, or the SYNTHETIC
    demo when neither is given).

    With ``out_dir`` the firm-level tables are written to ``out_dir/firm`` (out of core, not
    loaded); without it they are returned in memory (small data). Nothing else is written
    here: :func:`~exportlens.studies.framework.run_study` writes the outputs.
    """
    spec = spec or FirmResilienceStudySpec()
    data = (transactions if isinstance(transactions, FirmTransactions)
            else FirmTransactions(Path(transactions)) if transactions is not None else load_transactions(spec))
    panel, panel_notes = read_study_panel(spec, data.synthetic) if spec.models else (None, [])
    models: FirmModelResults | None = None
    spill = tempfile.TemporaryDirectory(prefix="exportlens-engine-") if out_dir is None else None
    # the engine's spill folder: next to the results (same disk) when there is an output folder
    work = Path(out_dir) / "_engine_tmp" if out_dir is not None else Path(spill.name)  # type: ignore[union-attr]
    try:
        with warnings.catch_warnings():
            # the engine's libraries (Ibis, DuckDB, pandas) warn each other about their own deprecations:
            # nothing a user can act on, so they are not notes of the run
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=FutureWarning)
            con = connect_backend(spec, work)
            try:
                raw = open_transactions(con, data.path, spec.column_map())
                measures = firm_pipeline(con, raw, columns=spec.column_map(), spec=spec.measure_spec(),
                                         out_dir=(Path(out_dir) / "firm") if out_dir is not None else None,
                                         progress=progress)
                if panel is not None:
                    if progress is not None:
                        progress(MODEL_STEP)
                    truth = ({k: FIRM_DEMO_PARAMETERS[k] for k in ("vag_growth", "vag_exit")}
                             if data.synthetic and spec.panel_path is None else None)
                    models = estimate_firm_models(con, measures, panel, spec, synthetic_truth=truth)
            except Exception as exc:
                if not _engine_error(exc):
                    raise
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
                raise DataFormatError(f"the {spec.backend} engine could not read the transactions in {data.path}: "
                                      f"{first}. Check that every file there is a complete CSV (UTF-8) or Parquet "
                                      "file with the mapped columns.") from None
    finally:
        if spill is not None:
            spill.cleanup()
        else:
            shutil.rmtree(work, ignore_errors=True)
    model_notes = [*panel_notes, *(models.notes if models is not None else [])]
    label_notes = [f"{', '.join(f'[columns] {r}' for r in spec.column_map().labels())}: a firm-year's label is the "
                   "one with the largest export value that year (ties: the smallest label); rows without a label are "
                   "left out of this choice; exit years keep last year's label."] if spec.column_map().labels() else []
    return FirmResilienceStudyResult(spec=spec, measures=measures,
                                     notes=[*data.notes, *measures.notes, *label_notes, *model_notes],
                                     synthetic=data.synthetic, data_description=data.description, models=models)


def _engine_error(exc: BaseException) -> bool:
    """An exception raised by the engine itself (DuckDB, PySpark/Py4J) rather than by exportlens."""
    return any(c.__module__.split(".")[0].lstrip("_") in ("duckdb", "pyspark", "py4j") for c in type(exc).__mro__)


def run_out_of_core(data: FirmTransactions, spec: FirmResilienceStudySpec,
                    progress: Callable[[str], None] | None = None) -> FirmResilienceStudyResult:
    """The study as the runner runs it: firm-level tables out of core, in a temporary folder
    the result holds until they are copied to the output folder."""
    workspace = tempfile.TemporaryDirectory(prefix="exportlens-firm-run-")
    try:
        result = run_firm_resilience_study(spec, transactions=data, out_dir=workspace.name, progress=progress)
    except BaseException:
        workspace.cleanup()
        raise
    result.workspace = workspace
    return result


STUDY = StudyDefinition(
    name="firm-resilience",
    spec_class=FirmResilienceStudySpec,
    load=load_transactions,
    run=run_out_of_core,
    steps=("prepare data", *PIPELINE_STEPS, MODEL_STEP),
    inputs=transaction_inputs,
    demo_label=f"embedded SYNTHETIC demo transactions ({FIRM_DEMO_ROWS:,} rows from exportlens.datasets.demo_firms)",
)
