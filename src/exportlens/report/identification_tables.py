"""Tables of the identification estimators (instruments, mediation, thresholds, robustness).

The estimators live in :mod:`exportlens.econometrics` (``fit_iv``, ``mediation``,
``threshold_regression``, ``run_specifications``); this module renders their results as
publication tables in Chinese or English (``RegressionTable``/``FrameTable`` objects that
:func:`exportlens.report.tables.write_tables` writes in every format).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from exportlens.econometrics.iv import IVResult
from exportlens.econometrics.labels import as_labels, label_for
from exportlens.econometrics.mediation import MediationResult
from exportlens.econometrics.results import ModelResult
from exportlens.econometrics.robustness import SpecificationResults
from exportlens.econometrics.threshold import ThresholdResult
from exportlens.errors import InputError
from exportlens.report.regression_tables import RegressionTable
from exportlens.report.tables import FrameTable, format_count, format_number, star_string
from exportlens.text import term

__all__ = ["iv_tables", "mediation_tables", "robustness_table", "threshold_tables"]


_DIAG_LABELS: dict[str, dict[str, str]] = {
    "first_stage_f": {"en": "First-stage F (excluded instruments)", "zh": "第一阶段F值（排除工具变量）"},
    "kp_rk_wald_f": {"en": "Kleibergen-Paap rk Wald F", "zh": "Kleibergen-Paap rk Wald F统计量"},
    "effective_f": {"en": "Montiel Olea-Pflueger effective F", "zh": "Montiel Olea-Pflueger有效F统计量"},
    "mop_cv": {"en": "Montiel Olea-Pflueger critical value (τ = 10%, 5% level, simplified)", "zh": "Montiel Olea-Pflueger临界值（τ=10%，5%水平，简化法）"},
    "sy": {"en": "Stock-Yogo critical value ({p}% maximal IV size)", "zh": "Stock-Yogo临界值（最大IV检验规模{p}%）"},
    "kp_rk_lm": {"en": "Kleibergen-Paap rk LM (p-value)", "zh": "Kleibergen-Paap rk LM统计量（p值）"},
    "hansen_j": {"en": "Hansen J (p-value)", "zh": "Hansen J统计量（p值）"},
    "dwh": {"en": "Durbin-Wu-Hausman χ² (p-value)", "zh": "Durbin-Wu-Hausman内生性检验χ²（p值）"},
    "ols": {"en": "OLS", "zh": "OLS"},
    "iv": {"en": "2SLS", "zh": "2SLS"},
    "first_stage": {"en": "First stage", "zh": "第一阶段"},
    "title_second": {"en": "Instrumental-variable estimates (second stage) and OLS", "zh": "工具变量估计（第二阶段）与OLS"},
    "title_first": {"en": "First-stage regressions and instrument diagnostics", "zh": "第一阶段回归与工具变量检验"},
    "identified": {"en": "exactly identified", "zh": "恰好识别"},
    "note_second": {
        "en": "Instrumented: {endog}; excluded instruments: {instruments}. The Durbin-Wu-Hausman test (control-function "
        "form, same covariance) tests the exogeneity of {endog}.",
        "zh": "内生变量：{endog}；工具变量：{instruments}。Durbin-Wu-Hausman检验（控制函数法，同一协方差）检验{endog}的外生性。",
    },
    "note_first": {
        "en": "First-stage F: Wald test of the excluded instruments with the table's covariance; with one endogenous "
        "regressor it is the Kleibergen-Paap rk Wald F. Stock-Yogo (2005) critical values assume i.i.d. errors and are "
        "a rough guide with clustered errors; the effective F (Montiel Olea-Pflueger 2013) is robust to clustering.",
        "zh": "第一阶段F值为排除工具变量的Wald检验（与表中相同的协方差）；单一内生变量时即Kleibergen-Paap rk Wald F。"
        "Stock-Yogo（2005）临界值基于同方差假设，聚类误差下仅供参考；有效F统计量（Montiel Olea-Pflueger 2013）对聚类稳健。",
    },
}


def _t(key: str, lang: str, **fmt: Any) -> str:
    text = _DIAG_LABELS[key][lang]
    return text.format(**fmt) if fmt else text


def _stat_p(stat: float, p: float, digits: int) -> str:
    if stat is None or not np.isfinite(stat):
        return ""
    return f"{format_number(stat, digits)} ({format_number(p, digits)})"


def iv_tables(
    result: IVResult,
    labels: Mapping[str, Any] | None = None,
    lang: str = "en",
    *,
    digits: int = 3,
) -> dict[str, RegressionTable]:
    """Publication tables of an :class:`IVResult`: ``{"iv_second_stage", "iv_first_stage"}``.

    ``iv_second_stage``: OLS next to 2SLS (same sample, fixed effects and SEs), with the
    Durbin-Wu-Hausman test row. ``iv_first_stage``: one column per endogenous regressor with
    the instruments' coefficients, the first-stage F, the Kleibergen-Paap rk Wald F, the
    effective F, the Stock-Yogo 10 %-25 % maximal-size critical values, the KP rk LM
    under-identification test and Hansen's J (p-values in parentheses). ``lang`` is ``"en"``
    or ``"zh"``; ``labels`` are variable labels as in :class:`RegressionTable`.
    """
    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    lab = as_labels(labels)
    d = result.diagnostics
    models: list[ModelResult] = []
    titles: list[str] = []
    if result.ols is not None:
        models.append(result.ols)
        titles.append(_t("ols", lang))
    models.append(result.second_stage)
    titles.append(_t("iv", lang))
    dwh_row = [""] * (len(models) - 1) + [_stat_p(d["dwh_chi2"], d["dwh_p"], digits)]
    endog_txt = ", ".join(label_for(e, lang, lab) for e in result.endog)
    note2 = _t("note_second", lang, endog=endog_txt,
               instruments=term("list_sep", lang).join(label_for(z, lang, lab) for z in result.instruments))
    second = RegressionTable.from_results(
        models,
        labels=lab,
        lang=lang,
        digits=digits,
        r2="none",
        column_titles=titles,
        add_rows={_t("dwh", lang): dwh_row},
        title=_t("title_second", lang),
        notes=[note2, *result.notes],
    )
    fs_models = [fs.model for fs in result.first_stages]
    n = len(fs_models)

    def row(value: float, first_only: bool = True) -> list[str]:
        cell = format_number(value, digits) if value is not None and np.isfinite(value) else ""
        return [cell] + [""] * (n - 1) if first_only else [cell] * n

    rows: dict[str, list[str]] = {_t("first_stage_f", lang): [format_number(fs.f_stat, digits) for fs in result.first_stages]}
    rows[_t("kp_rk_wald_f", lang)] = row(d["kp_rk_wald_f"])
    rows[_t("effective_f", lang)] = row(d["effective_f"])
    rows[_t("mop_cv", lang)] = row(d.get("mop_cv_10", np.nan))
    for size, cv in result.stock_yogo.items():
        rows[_t("sy", lang, p=round(size * 100))] = row(cv)
    rows[_t("kp_rk_lm", lang)] = [_stat_p(d["kp_rk_lm"], d["kp_rk_lm_p"], digits)] + [""] * (n - 1)
    j_cell = _stat_p(d["hansen_j"], d["hansen_j_p"], digits) if np.isfinite(d["hansen_j"]) else _t("identified", lang)
    rows[_t("hansen_j", lang)] = [j_cell] + [""] * (n - 1)
    note1 = _t("note_first", lang)
    first = RegressionTable.from_results(
        fs_models,
        labels=lab,
        lang=lang,
        digits=digits,
        r2="none",
        column_titles=[f"{_t('first_stage', lang)}: {label_for(e, lang, lab)}" for e in result.endog],
        add_rows=rows,
        title=_t("title_first", lang),
        notes=[note1],
    )
    return {"iv_second_stage": second, "iv_first_stage": first}


_WORDS: dict[str, dict[str, str]] = {
    "mediator": {"en": "Mediator", "zh": "中介变量"},
    "total": {"en": "Total effect c", "zh": "总效应c"},
    "a": {"en": "x → M (a)", "zh": "x→M（a）"},
    "b": {"en": "M → y (b)", "zh": "M→y（b）"},
    "direct": {"en": "Direct effect c'", "zh": "直接效应c'"},
    "indirect": {"en": "Indirect effect a×b", "zh": "间接效应a×b"},
    "sobel": {"en": "Sobel z (p)", "zh": "Sobel z（p值）"},
    "ci": {"en": "Bootstrap {lvl}% CI", "zh": "Bootstrap {lvl}%置信区间"},
    "share": {"en": "Share mediated", "zh": "中介效应占比"},
    "n": {"en": "N", "zh": "样本量"},
    "title": {"en": "Mediation analysis: {x} → mediator → {y}", "zh": "中介效应分析：{x}→中介变量→{y}"},
    "title_models": {"en": "Mediation equations", "zh": "中介效应模型各方程"},
    "col_total": {"en": "Total", "zh": "总效应"},
    "col_a": {"en": "a: {m}", "zh": "a：{m}"},
    "col_b": {"en": "b, c': {m}", "zh": "b、c'：{m}"},
}


def _w(key: str, lang: str, **fmt: Any) -> str:
    text = _WORDS[key][lang]
    return text.format(**fmt) if fmt else text


def mediation_tables(result: MediationResult, labels: Mapping[str, Any] | None = None, lang: str = "en", *, digits: int = 3) -> dict[str, Any]:
    """Tables of a :class:`MediationResult`: ``{"mediation_effects": FrameTable, "mediation_models": RegressionTable}``.

    ``mediation_effects`` has one row per mediator: c (SE), a (SE), b (SE), c' (SE), a·b,
    Sobel z (p), bootstrap CI, share mediated, N. ``mediation_models`` shows the total-effect
    equation and, per mediator, equations (2) and (3) side by side. Notes (bootstrap design,
    identifying assumptions) in ``lang`` (``"en"``/``"zh"``).
    """

    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    lab = as_labels(labels)

    def est_se(v: float, s: float) -> str:
        return f"{format_number(v, digits)} ({format_number(s, digits)})"

    lvl = f"{result.level * 100:g}"
    rows = []
    for e in result.effects:
        rows.append(
            {
                _w("mediator", lang): label_for(e.mediator, lang, lab),
                _w("total", lang): est_se(e.total, e.total_se),
                _w("a", lang): est_se(e.a, e.a_se),
                _w("b", lang): est_se(e.b, e.b_se),
                _w("direct", lang): est_se(e.direct, e.direct_se),
                _w("indirect", lang): format_number(e.indirect, digits),
                _w("sobel", lang): f"{format_number(e.sobel_z, digits)} ({format_number(e.sobel_p, digits)})",
                _w("ci", lang, lvl=lvl): f"[{format_number(e.ci_low, digits)}, {format_number(e.ci_high, digits)}]" if np.isfinite(e.ci_low) else "",
                _w("share", lang): format_number(e.share, digits),
                _w("n", lang): format_count(e.nobs),
            }
        )
    frame = pd.DataFrame(rows).set_index(_w("mediator", lang))
    x, y = label_for(result.key, lang, lab), label_for(result.depvar, lang, lab)
    effects = FrameTable(frame, title=_w("title", lang, x=x, y=y), notes=list(result.notes.get(lang, [])), digits=digits)
    models = [result.models["total"]]
    titles = [_w("col_total", lang)]
    for m in result.mediators:
        ml = label_for(m, lang, lab)
        models += [result.models[m]["a"], result.models[m]["b"]]
        titles += [_w("col_a", lang, m=ml), _w("col_b", lang, m=ml)]
    reg = RegressionTable.from_results(models, labels=lab, lang=lang, digits=digits, column_titles=titles, title=_w("title_models", lang), r2="within" if result.fixed_effects else "overall")
    return {"mediation_effects": effects, "mediation_models": reg}


_TW: dict[str, dict[str, str]] = {
    "tests_title": {"en": "Threshold effect tests (Hansen 1999, bootstrap)", "zh": "门槛效应检验（Hansen 1999，自抽样）"},
    "est_title": {"en": "Threshold estimates and confidence intervals", "zh": "门槛估计值与置信区间"},
    "model_title": {"en": "Panel threshold regression", "zh": "面板门槛回归"},
    "test": {"en": "Test", "zh": "检验"},
    "F": {"en": "F", "zh": "F值"},
    "p": {"en": "p-value", "zh": "p值"},
    "c10": {"en": "10% critical value", "zh": "10%临界值"},
    "c5": {"en": "5% critical value", "zh": "5%临界值"},
    "c1": {"en": "1% critical value", "zh": "1%临界值"},
    "draws": {"en": "Bootstrap draws", "zh": "自抽样次数"},
    "single": {"en": "Single vs none", "zh": "单一门槛"},
    "double": {"en": "Double vs single", "zh": "双重门槛"},
    "triple": {"en": "Triple vs double", "zh": "三重门槛"},
    "threshold": {"en": "Threshold", "zh": "门槛"},
    "estimate": {"en": "Estimate", "zh": "估计值"},
    "ci": {"en": "{lvl}% confidence interval", "zh": "{lvl}%置信区间"},
    "regime": {"en": "{x} ({cond})", "zh": "{x}（{cond}）"},
}


def _tw(key: str, lang: str, **fmt: Any) -> str:
    text = _TW[key][lang]
    return text.format(**fmt) if fmt else text


def threshold_tables(result: ThresholdResult, labels: Mapping[str, Any] | None = None, lang: str = "en", *, digits: int = 3) -> dict[str, Any]:
    """Tables of a :class:`ThresholdResult`: ``{"threshold_tests", "threshold_estimates", "threshold_model"}``.

    ``threshold_tests``: F, bootstrap p-value and 10/5/1 % critical values per test;
    ``threshold_estimates``: each threshold with its LR interval; ``threshold_model``: the
    regime coefficients (rows "x (q <= g1)", "x (g1 < q <= g2)", ...) and controls.
    """

    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    lab = as_labels(labels)
    names = ["single", "double", "triple"]
    t = result.tests
    tests = pd.DataFrame(
        {
            _tw("F", lang): t["F"].to_numpy(),
            _tw("p", lang): t["p_value"].to_numpy(),
            _tw("c10", lang): t["crit_10"].to_numpy(),
            _tw("c5", lang): t["crit_5"].to_numpy(),
            _tw("c1", lang): t["crit_1"].to_numpy(),
            _tw("draws", lang): t["draws"].astype(int).astype(str).to_numpy(),
        },
        index=pd.Index([_tw(names[i], lang) for i in range(len(t))], name=_tw("test", lang)),
    )
    lvl = f"{result.level * 100:g}"
    est = pd.DataFrame(
        {
            _tw("estimate", lang): result.thresholds,
            _tw("ci", lang, lvl=lvl): [f"[{format_number(lo, digits)}, {format_number(hi, digits)}]" for lo, hi in result.ci],
        },
        index=pd.Index([f"γ{j + 1}" for j in range(result.n_thresholds)], name=_tw("threshold", lang)),
    )
    xl, ql = label_for(result.regime_var, lang, lab), label_for(result.threshold_var, lang, lab)
    reg_labels: dict[str, str] = {}
    for r, (lo, hi) in enumerate(zip(result.regimes["lower"], result.regimes["upper"], strict=True)):
        if np.isinf(lo):
            cond = f"{ql} ≤ {format_number(hi, digits)}"
        elif np.isinf(hi):
            cond = f"{ql} > {format_number(lo, digits)}"
        else:
            cond = f"{format_number(lo, digits)} < {ql} ≤ {format_number(hi, digits)}"
        reg_labels[f"{result.regime_var}_regime{r + 1}"] = _tw("regime", lang, x=xl, cond=cond)
    merged = {**{k: v for k, v in lab.to_dict(lang).items()}, **reg_labels}
    notes = list(result.notes)
    model = RegressionTable.from_results(result.model, labels=merged, lang=lang, digits=digits, r2="within", title=_tw("model_title", lang))
    return {
        "threshold_tests": FrameTable(tests, title=_tw("tests_title", lang), notes=notes, digits=digits),
        "threshold_estimates": FrameTable(est, title=_tw("est_title", lang), digits=digits),
        "threshold_model": model,
    }


_RW = {
    "title": {"en": "Robustness: the coefficient of {term} across specifications", "zh": "稳健性检验：不同设定下{term}的系数"},
    "se": {"en": "Standard error", "zh": "标准误"},
    "n": {"en": "Observations", "zh": "样本量"},
    "spec": {"en": "Specification", "zh": "设定说明"},
    "note": {"en": "Standard errors in parentheses; * p<0.1, ** p<0.05, *** p<0.01.", "zh": "括号内为标准误；*、**、***分别表示在10%、5%、1%的水平上显著。"},
}


def robustness_table(
    results: SpecificationResults,
    labels: Mapping[str, Any] | None = None,
    lang: str = "en",
    *,
    digits: int = 3,
    term_label: str | None = None,
    title: str | None = None,
) -> FrameTable:
    """Robustness table: one column per specification; rows the key coefficient (with
    stars), its SE in parentheses, N and the specification's description, in ``lang``."""

    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    lab = as_labels(labels)
    f = results.frame
    terms = list(dict.fromkeys(f["term"]))
    tl = term_label or " / ".join(label_for(t, lang, lab) for t in terms)
    cols = {}
    for i, (_, r) in enumerate(f.iterrows()):
        spec = results.specifications[i]
        cols[f"({i + 1}) {spec.name}"] = [
            format_number(r["estimate"], digits) + star_string(r["p_value"]),
            f"({format_number(r['std_error'], digits)})",
            format_count(r["nobs"]),
            spec.describe(lang),
        ]
    frame = pd.DataFrame(cols, index=pd.Index([tl, _RW["se"][lang], _RW["n"][lang], _RW["spec"][lang]], name=""))
    return FrameTable(frame, title=title or _RW["title"][lang].format(term=tl), notes=[_RW["note"][lang]], digits=digits)
