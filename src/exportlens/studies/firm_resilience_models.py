"""The models of the firm-level study: firm-years joined to the province-year panel, then
export growth, the shock window, exit and survival on virtual agglomeration (Vag).

Steps (each counted, never silent):

1. Join (out of core, :func:`exportlens.firms.panel_join.join_province_panel`): the
   pipeline's firm-year table (Parquet) is joined in the engine (DuckDB or Spark) to the
   province-year panel of ``[panel]`` on the canonical province code and the year; every
   firm-year is counted under one status (matched, unresolved province, province not in the
   panel, year outside the panel, no panel row) and the matched firm-years reporting exports
   from several provinces are counted (attributed to their modal province by export value).
   Only the joined frame (the columns the models use) is pulled into memory for pyfixest.
2. Growth (:func:`~exportlens.econometrics.firm_models.fit_firm_growth`): each outcome of
   ``[models] outcomes`` on Vag, the panel controls and ``[models] controls`` with firm and
   year (or firm and industry x year) effects, clustered by province. ``log_growth`` =
   ln(E_ft / E_f,t−1) for continuing exporters is added to the firm-year measures.
3. Shock window (:func:`~exportlens.econometrics.firm_models.fit_shock_window`): growth of
   the pre-shock cohort from the base year to the shock year and to the recovery year on
   base-year Vag, industry effects, clustered by province.
4. Exit (:func:`~exportlens.econometrics.firm_models.fit_exit`): linear probability model,
   fixed-effects logit and discrete-time hazard (duration baseline) on the firm-years at risk.
5. Survival: export spells by Vag tercile at the spell's start (Kaplan-Meier,
   :mod:`exportlens.econometrics.firm_survival`), Cox proportional hazards with
   ``[models] cox = true`` (lifelines).
6. Heterogeneity (:func:`~exportlens.econometrics.firm_models.fit_group_slopes`): one Vag
   slope per firm-size tercile (base-year exports), region group, ownership or trade mode
   (``[columns] ownership`` / ``trade_mode``: the firm-year's label is the one with the
   largest export value that year, ties the smallest label; exit rows keep last year's;
   firm-years without a label are counted in the notes), for growth and exit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from exportlens.econometrics.firm_models import (
    add_exit_variables,
    fit_exit,
    fit_firm_growth,
    fit_group_slopes,
    fit_shock_window,
)
from exportlens.econometrics.firm_survival import export_spells, fit_cox, kaplan_meier
from exportlens.econometrics.results import ModelResult
from exportlens.errors import InputError, MissingColumnError, MissingDependencyError, StudySpecError
from exportlens.firms.io import LABEL_ROLES
from exportlens.firms.panel_join import JOIN_STATUSES, join_province_panel
from exportlens.regions import assign_group
from exportlens.report.figures_firms import survival_curves
from exportlens.report.regression_tables import RegressionTable
from exportlens.report.tables import FrameTable
from exportlens.text import check_lang, localized, term

if TYPE_CHECKING:
    from exportlens.firms.measures import FirmMeasures

__all__ = ["FIXED_EFFECTS", "FirmModelResults", "estimate_firm_models"]

#: ``[models] fe`` and ``exit_fe`` choices -> pyfixest fixed effects.
FIXED_EFFECTS: dict[str, tuple[str, ...]] = {
    "firm+year": ("firm", "year"), "firm+industry^year": ("firm", "industry^year"), "code+year": ("code", "year"),
}
SIZE_LEVELS = ("small", "medium", "large")
VAG_TERCILES = ("low", "middle", "high")

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "table_f7": "表F7 企业-年份与省级面板的匹配", "table_f8": "表F8 虚拟集聚与企业出口增长（企业、年份固定效应）",
        "table_f9": "表F9 冲击窗口：冲击前虚拟集聚与企业出口增长", "table_f10": "表F10 虚拟集聚与企业出口退出",
        "table_f11": "表F11 异质性：分组的虚拟集聚系数",
        "status": "状态", "firm_years": "企业-年份", "firms": "企业数", "several": "  其中：多省份出口（按出口额众数省份归属）",
        "total": "合计（输入的企业-年份）",
        "join_note": "省级面板：{provinces}个省份，{y0}-{y1}年。未匹配的企业-年份不进入模型，按原因计数。",
        "synthetic_panel": "省级虚拟集聚为 exportlens 生成的合成数据（真值：增长效应{bg}，退出概率效应{be}）。",
        "exit_note": "退出：上一年出口、本年不出口。线性概率模型与固定效应logit的固定效应为{fe}；离散时间风险模型以出口持续年数为基准风险"
                     "（固定效应），另含{hfe}。",
        "cox_note": "Cox模型系数为对数风险比，按出口起始年分层，按省份聚类的稳健标准误。",
        "lpm": "线性概率模型", "logit": "固定效应Logit", "hazard": "离散时间风险模型", "cox": "Cox比例风险",
        "het_note": "每组一个虚拟集聚斜率（无参照组）；规模三分位按基期出口额划分，基期未出口的企业不进入规模分组（计数见notes）。",
        "het_label_note": "所有制与贸易方式：取企业当年出口额最大的类别（并列时取标签最小者），退出年份沿用上一年。",
        "ownership": "所有制", "trade_mode": "贸易方式",
        "shock_col_contraction": "基期→冲击年", "shock_col_recovery": "基期→恢复年",
        "shock_note": "样本：基期{base}年出口企业；虚拟集聚取基期值；行业固定效应，按省份聚类。",
        "figure_title": "出口持续期的生存曲线（Kaplan-Meier，按虚拟集聚三分位）", "figure_x": "出口持续年数",
        "figure_y": "生存概率", "figure_note": "出口段起始年的省份虚拟集聚三分位；不含数据首年已在出口的左删失段（{left}个）。",
        "low": "低虚拟集聚", "middle": "中虚拟集聚", "high": "高虚拟集聚",
        "small": "小型", "medium": "中型", "large": "大型",
    },
    "en": {
        "table_f7": "Table F7 Firm-years joined to the province panel",
        "table_f8": "Table F8 Virtual agglomeration and firm export growth (firm and year effects)",
        "table_f9": "Table F9 Shock window: pre-shock virtual agglomeration and firm export growth",
        "table_f10": "Table F10 Virtual agglomeration and firm export exit",
        "table_f11": "Table F11 Heterogeneity: Vag slopes by group",
        "status": "Status", "firm_years": "Firm-years", "firms": "Firms",
        "several": "  of which: exports from several provinces (modal province by export value)",
        "total": "Total (firm-years in)",
        "join_note": "Province panel: {provinces} provinces, {y0}-{y1}. Firm-years not matched are left out of the "
                     "models, counted by reason.",
        "synthetic_panel": "Province-year Vag is SYNTHETIC, generated by exportlens (true effects: growth {bg}, exit "
                           "probability {be}).",
        "exit_note": "Exit: exporting in t-1, not in t. LPM and FE logit with {fe} effects; the discrete-time hazard "
                     "has a baseline by export duration (fixed effects) and {hfe} effects.",
        "cox_note": "Cox coefficients are log hazard ratios, stratified by the spell's start year, robust standard "
                    "errors clustered by province.",
        "lpm": "LPM", "logit": "FE logit", "hazard": "Discrete-time hazard", "cox": "Cox PH",
        "het_note": "One Vag slope per group (no reference group); size terciles of base-year exports, firms not "
                    "exporting in the base year have no size group (counted in the notes).",
        "het_label_note": "Ownership and trade mode: the firm-year's label with the largest export value (ties: the "
                          "smallest label); exit years keep last year's.",
        "ownership": "ownership", "trade_mode": "trade mode",
        "shock_col_contraction": "base to shock", "shock_col_recovery": "base to recovery",
        "shock_note": "Sample: firms exporting in the base year {base}; Vag in the base year; industry effects, "
                      "clustered by province.",
        "figure_title": "Survival of export spells (Kaplan-Meier) by Vag tercile", "figure_x": "years exporting",
        "figure_y": "survival", "figure_note": "Vag tercile of the province in the spell's first year; {left} "
                                               "left-censored spells (running in the data's first year) left out.",
        "low": "low Vag", "middle": "middle Vag", "high": "high Vag",
        "small": "small", "medium": "medium", "large": "large",
    },
}

#: Variable labels of the regression tables.
LABELS: dict[str, dict[str, str]] = {
    "vag": {"zh": "虚拟集聚", "en": "Virtual agglomeration (Vag)"},
    "dhs_growth": {"zh": "DHS增长率", "en": "DHS growth"},
    "log_growth": {"zh": "对数增长率（持续出口）", "en": "Log growth (continuers)"},
    "new_products_share": {"zh": "新产品出口份额", "en": "New-product share"},
    "new_destinations_share": {"zh": "新市场出口份额", "en": "New-destination share"},
    "product_switching": {"zh": "产品转换率", "en": "Product switching"},
    "destination_switching": {"zh": "市场转换率", "en": "Destination switching"},
    "margin_extensive": {"zh": "扩展边际", "en": "Extensive margin"},
    "margin_intensive": {"zh": "集约边际", "en": "Intensive margin"},
    "growth_contraction": {"zh": "冲击期增长率", "en": "Growth, base to shock"},
    "growth_recovery": {"zh": "恢复期增长率", "en": "Growth, base to recovery"},
    "exit": {"zh": "退出", "en": "Exit"},
    "duration": {"zh": "出口持续年数", "en": "Export duration"},
    "firm": {"zh": "企业", "en": "Firm"}, "code": {"zh": "省份", "en": "Province"},
    "industry": {"zh": "行业", "en": "Industry"},
}


@dataclass
class FirmModelResults:
    """The join's coverage and every model of the firm study (module docstring)."""

    coverage: pd.DataFrame
    several_provinces: int
    panel_years: tuple[int, int]
    panel_provinces: int
    growth: list[ModelResult]
    shock: list[ModelResult]
    exit: dict[str, ModelResult]
    heterogeneity: dict[str, list[ModelResult]]
    km: pd.DataFrame
    left_censored: int
    key: str = "vag"
    controls: list[str] = field(default_factory=list)
    fe: str = "firm+year"
    exit_fe: str = "code+year"
    notes: list[str] = field(default_factory=list)
    synthetic_truth: dict[str, float] | None = None
    #: the joined frame the models were fitted on (in memory; at scale it is what pyfixest needs anyway)
    joined: pd.DataFrame | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Every coefficient of every model: ``table``, ``model``, ``depvar``, ``term``, estimates, ``nobs``."""
        rows = []
        for table, models in (("growth", self.growth), ("shock", self.shock), ("exit", list(self.exit.values())),
                              *((f"heterogeneity_{k}", v) for k, v in self.heterogeneity.items())):
            for m in models:
                c = m.coefs.reset_index()
                rows.append(c.assign(table=table, model=m.name, depvar=m.depvar, nobs=m.nobs))
        out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
        return out[["table", "model", "depvar", "term", *[c for c in out.columns if c not in
                                                         ("table", "model", "depvar", "term")]]]

    def summary(self) -> str:
        lines = ["Firm-level models (Vag: province-year virtual agglomeration):"]
        cov = dict(zip(self.coverage["status"], self.coverage["firm_years"].astype(int), strict=True))
        lines.append(f"  joined {cov['matched']:,} of {sum(cov.values()):,} firm-years; "
                     + ", ".join(f"{k}: {cov[k]:,}" for k in JOIN_STATUSES if k != "matched")
                     + f"; {self.several_provinces:,} joined firm-years with exports from several provinces "
                       "(modal province)")
        for m in [*self.growth, *self.shock, *self.exit.values()]:
            if self.key in m.coefs.index:
                lines.append(f"  {m.name}: {self.key} {m.value(self.key):+.4f} (se {m.value(self.key, 'std_error'):.4f}), "
                             f"N = {m.nobs:,}")
        return "\n".join(lines)

    def coverage_frame(self, lang: str) -> pd.DataFrame:
        """Table F7: firm-years and firms by join status, the several-province count and the total."""
        text = localized(TEXT, lang)
        col = 0 if check_lang(lang) == "en" else 1
        rows = [(JOIN_STATUSES[s][col], f"{int(fy):,}", f"{int(fi):,}") for s, fy, fi in
                zip(self.coverage["status"], self.coverage["firm_years"], self.coverage["firms"], strict=True)]
        rows.insert(1, (text["several"], f"{self.several_provinces:,}", ""))
        rows.append((text["total"], f"{int(self.coverage['firm_years'].sum()):,}", ""))
        return pd.DataFrame(rows, columns=[text["status"], text["firm_years"], text["firms"]])

    def tables(self, lang: str, base_notes: Sequence[str], base_year: int) -> dict[str, Any]:
        """Tables F7-F11 in ``lang`` (F11 only with heterogeneity models)."""
        text = localized(TEXT, lang)
        notes = list(base_notes)
        if self.synthetic_truth is not None:
            notes.append(text["synthetic_panel"].format(bg=self.synthetic_truth["vag_growth"],
                                                        be=self.synthetic_truth["vag_exit"]))
        labels = self._labels(lang)
        join_note = text["join_note"].format(provinces=self.panel_provinces, y0=self.panel_years[0],
                                             y1=self.panel_years[1])
        out: dict[str, Any] = {"table_f7": FrameTable(self.coverage_frame(lang), title=text["table_f7"],
                                                      notes=[*notes, join_note], index=False)}
        if self.growth:
            out["table_f8"] = RegressionTable.from_results(self.growth, labels=labels, lang=lang, title=text["table_f8"],
                                                           notes=notes, r2="within")
        if self.shock:
            out["table_f9"] = RegressionTable.from_results(
                self.shock, labels=labels, lang=lang, title=text["table_f9"],
                notes=[*notes, text["shock_note"].format(base=base_year)])
        if self.exit:
            fe_names = " + ".join(labels.get(f, {}).get(lang) or (term(f, lang) if f == "year" else f)
                                  for f in FIXED_EFFECTS[self.exit_fe])
            exit_notes = [*notes, text["exit_note"].format(fe=fe_names, hfe=fe_names)]
            if "cox" in self.exit:
                exit_notes.append(text["cox_note"])
            out["table_f10"] = RegressionTable.from_results(
                list(self.exit.values()), labels=labels, lang=lang, title=text["table_f10"], r2="none",
                keep=[self.key, *self.controls], notes=exit_notes, column_titles=[text[k] for k in self.exit])
        if self.heterogeneity:
            models = [m for ms in self.heterogeneity.values() for m in ms]
            het_notes = [*notes, text["het_note"]]
            if any(h in LABEL_ROLES for h in self.heterogeneity):
                het_notes.append(text["het_label_note"])
            out["table_f11"] = RegressionTable.from_results(models, labels=labels, lang=lang, title=text["table_f11"],
                                                            notes=het_notes, r2="none")
        return out

    def _labels(self, lang: str) -> dict[str, dict[str, str]]:
        text_zh, text_en = localized(TEXT, "zh"), localized(TEXT, "en")
        labels = dict(LABELS)
        for h, models in self.heterogeneity.items():
            for m in models:
                for term_name, level in m.extra.get("group_terms", {}).items():
                    if h in LABEL_ROLES:  # user labels: named with the dimension (所有制: 国有)
                        labels[term_name] = {"zh": f"虚拟集聚 × {text_zh[h]}：{level}",
                                             "en": f"Vag × {text_en[h]}: {level}"}
                    else:
                        labels[term_name] = {"zh": f"虚拟集聚 × {text_zh.get(level, level)}",
                                             "en": f"Vag × {text_en.get(level, level)}"}
        return labels

    def draw_survival(self, out_dir: Path, lang: str, synthetic_label: str = "") -> list[Path]:
        """Kaplan-Meier survival of export spells by Vag tercile (one PNG)."""
        if self.km.empty:
            return []
        text = localized(TEXT, lang)
        return [survival_curves(self.km, path=out_dir / "survival_by_vag_tercile.png",
                                group_labels={k: text[k] for k in VAG_TERCILES}, title=text["figure_title"],
                                xlabel=text["figure_x"], ylabel=text["figure_y"],
                                note=text["figure_note"].format(left=f"{self.left_censored:,}") + synthetic_label)]


def read_study_panel(spec: Any, synthetic_demo: bool) -> tuple[pd.DataFrame | None, list[str]]:
    """The province-year panel of ``[panel]``: read from ``[panel] path`` (CSV, Excel, Stata,
    Parquet), the SYNTHETIC demo panel for the demo transactions, or None (no models) for user
    transactions without a panel (noted)."""
    from exportlens.data import load_panel
    from exportlens.datasets.demo_firms import firm_demo_province_panel

    if spec.cox:  # before the pipeline runs: a missing optional library is a one-line error, not a late one
        try:
            import lifelines  # noqa: F401
        except ImportError:
            raise MissingDependencyError("[models] cox = true needs lifelines: pip install 'exportlens[survival]' "
                                         "(or set [models] cox = false).") from None
    if spec.panel_path is None:
        if synthetic_demo:
            return firm_demo_province_panel(), []
        return None, ["No province-year panel: set [panel] path (a CSV, Excel, Stata or Parquet file with the "
                      "province, year and vag columns) to estimate the firm-level models."]
    frame = load_panel(spec.panel_path, entity=spec.panel_province, time=spec.panel_year, sheet=spec.panel_sheet,
                       resolve_entities=None, line_numbers=True)
    missing = [c for c in [spec.vag_column, *spec.panel_controls] if c not in frame.columns]
    if missing:
        raise MissingColumnError(f"The province panel {spec.panel_path} has no column(s) {missing} (columns: "
                                 f"{', '.join(map(str, frame.columns))}); set [panel] vag and [panel] controls to "
                                 "its column names.")
    return frame, []


def _size_terciles(firm_shock: pd.DataFrame) -> pd.Series:
    """Firm -> size tercile (small/medium/large) of base-year exports (firms exporting in the base year)."""
    base = firm_shock.loc[firm_shock["exports_base"] > 0, ["firm", "exports_base"]]
    groups = pd.qcut(base["exports_base"].rank(method="first"), 3, labels=list(SIZE_LEVELS))
    return pd.Series(groups.astype(str).to_numpy(), index=base["firm"].to_numpy())


def estimate_firm_models(
    con: Any,
    measures: FirmMeasures,
    panel: pd.DataFrame,
    spec: Any,
    *,
    synthetic_truth: dict[str, float] | None = None,
) -> FirmModelResults:
    """Join the firm-year table of ``measures`` to ``panel`` in the engine ``con`` and fit every
    model of ``spec``'s ``[models]`` section (module docstring)."""
    import ibis

    key, pcontrols = spec.vag_column, list(spec.panel_controls)
    province = spec.panel_province
    if province not in panel.columns and "code" in panel.columns and spec.panel_path is None:
        province = "code"
    fy_source = measures.files.get("firm_year")
    fy = con.read_parquet(str(fy_source)) if fy_source is not None else ibis.memtable(measures.firm_year)
    joined = join_province_panel(con, fy, panel, province=province, year=spec.panel_year, columns=[key, *pcontrols])
    outcomes = [o for o in spec.outcomes if o != "log_growth"]
    missing = [o for o in outcomes if o not in fy.columns]
    if missing:
        raise StudySpecError(f"[models] outcomes {missing} are not firm-year measures; choose from "
                             f"{', '.join(c for c in fy.columns if c not in ('firm', 'year', 'code', 'industry'))}, "
                             "log_growth (growth-path outcomes need [shock] growth_paths = true).")
    firm_controls = list(spec.model_controls)
    bad = [c for c in firm_controls if c not in fy.columns]
    if bad:
        raise StudySpecError(f"[models] controls {bad} are not firm-year columns; columns: {', '.join(fy.columns)}.")
    labels = [h for h in spec.heterogeneity if h in LABEL_ROLES]
    unset = [h for h in labels if h not in fy.columns]
    if unset:
        raise StudySpecError(f"[models] heterogeneity asks for {unset[0]!r} but the firm-year table has no "
                             f"{unset[0]} column; set [columns] {unset[0]} to the transactions' column.")
    keep = list(dict.fromkeys(["firm", "year", "code", "industry", "exports", "exports_lag", "n_provinces",
                               *outcomes, *firm_controls, key, *pcontrols, *labels]))
    frame = joined.table.select(*keep).to_pandas().sort_values(["firm", "year"], kind="mergesort")
    frame = frame.reset_index(drop=True)
    frame["code"] = frame["code"].astype("int64")
    frame["industry"] = frame["industry"].astype(str)
    cont = (frame["exports"] > 0) & (frame["exports_lag"] > 0)
    frame["log_growth"] = np.log((frame["exports"] / frame["exports_lag"]).where(cont))
    notes = list(joined.notes)
    controls = [*pcontrols, *firm_controls]
    fe = FIXED_EFFECTS[spec.fe]
    exit_fe = FIXED_EFFECTS[spec.exit_fe]
    if frame.empty:
        raise InputError("No firm-year matches a row of the province panel (Table F7 counts why); check [panel] "
                         "province and year and the panel's provinces and years.")
    growth = fit_firm_growth(frame, key=key, controls=controls, outcomes=list(spec.outcomes), fe=fe)
    # shock window: cohort firms' growth on base-year Vag
    shock: list[ModelResult] = []
    firm_shock = _firm_shock(measures)
    base = measures.phases.base
    if spec.shock_window:
        p = panel.assign(code=_codes(panel, province)).loc[lambda d: d[spec.panel_year] == base]
        fs = firm_shock.merge(p[["code", key, *pcontrols]], on="code", how="left")
        lost = int(fs[key].isna().sum())
        if lost:
            notes.append(f"Shock window: {lost:,} of {len(fs):,} base-year exporters have no panel row for their "
                         f"province in {base} and are left out.")
        fs["industry"] = fs["industry"].astype(str)
        shock = [fit_shock_window(fs, y, key=key, controls=pcontrols) for y in ("growth_contraction", "growth_recovery")]
    exit_models = fit_exit(frame, key=key, controls=controls, fe=exit_fe, models=list(spec.exit_models),
                           hazard_fe=("duration", *[f for f in exit_fe if f != "firm"])) if spec.exit_models else {}
    for m in exit_models.values():
        notes += [f"{m.name}: {n}" for n in m.extra.get("notes", [])]
    spells = export_spells(frame, carry=["code", key, *pcontrols])
    left = int(spells["left_censored"].sum())
    spells = spells[~spells["left_censored"]].reset_index(drop=True)
    km = pd.DataFrame(columns=["group", "duration", "at_risk", "exits", "survival"])
    if len(spells) >= 3:
        spells["vag_tercile"] = pd.qcut(spells[key].rank(method="first"), 3, labels=list(VAG_TERCILES)).astype(str)
        km = kaplan_meier(spells, group="vag_tercile")
    if spec.cox:
        exit_models["cox"] = fit_cox(spells, [key, *pcontrols], cluster="code", strata=["start"])
    heterogeneity: dict[str, list[ModelResult]] = {}
    if spec.heterogeneity:
        risk = add_exit_variables(frame)
        sizes = _size_terciles(firm_shock)
        for h in spec.heterogeneity:
            col = f"{h}_group"
            if h == "size":
                frame[col] = frame["firm"].map(sizes)
                risk[col] = risk["firm"].map(sizes)
                n_out = int(frame[col].isna().sum())
                if n_out:
                    notes.append(f"Heterogeneity by size: {n_out:,} firm-years of firms not exporting in the base "
                                 f"year {base} have no size tercile and are left out of those models.")
            elif h in LABEL_ROLES:  # the firm-year's ownership / trade mode (largest export value that year)
                frame[col] = frame[h]
                risk[col] = risk[h]
                n_out = int(frame[col].isna().sum())
                if n_out:
                    notes.append(f"Heterogeneity by {h.replace('_', ' ')}: {n_out:,} firm-years with no "
                                 f"{h.replace('_', ' ')} label are left out of those models.")
            else:  # region group of [report] grouping
                frame[col] = assign_group(frame["code"], spec.grouping).to_numpy()
                risk[col] = assign_group(risk["code"], spec.grouping).to_numpy()
            heterogeneity[h] = [
                fit_group_slopes(frame, "dhs_growth", col, key=key, controls=controls, fe=fe),
                fit_group_slopes(risk, "exit", col, key=key, controls=controls, fe=exit_fe),
            ]
    coverage = joined.coverage
    p_codes = _codes(panel, province)
    return FirmModelResults(
        coverage=coverage, several_provinces=joined.several_provinces,
        panel_years=(int(pd.to_numeric(panel[spec.panel_year]).min()), int(pd.to_numeric(panel[spec.panel_year]).max())),
        panel_provinces=int(p_codes.nunique()), growth=growth, shock=shock, exit=exit_models,
        heterogeneity=heterogeneity, km=km, left_censored=left, key=key, controls=controls, fe=spec.fe,
        exit_fe=spec.exit_fe, notes=notes, synthetic_truth=synthetic_truth, joined=frame,
    )


def _codes(panel: pd.DataFrame, province: str) -> pd.Series:
    from exportlens.regions import resolve_provinces

    return resolve_provinces(panel[province], errors="raise").astype("int64").set_axis(panel.index)


def _firm_shock(measures: FirmMeasures) -> pd.DataFrame:
    cols = ["firm", "code", "industry", "exports_base", "growth_contraction", "growth_recovery"]
    path = measures.files.get("firm_shock")
    if path is not None:
        return pd.read_parquet(path, columns=cols)
    if measures.firm_shock is None:
        raise InputError("The firm shock table is missing: run the firm pipeline first.")
    return measures.firm_shock[cols].copy()
