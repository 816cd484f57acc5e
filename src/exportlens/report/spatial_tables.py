"""Publication tables of the spatial results (zh/en), as :class:`exportlens.report.tables.FrameTable`.

Coefficients are shown with significance stars (* p < 0.1, ** p < 0.05, *** p < 0.01) and
the standard error in parentheses on the row below, as in the regression tables of the other
studies; :func:`exportlens.report.tables.write_tables` writes them to md/html/tex/docx/xlsx/csv.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from exportlens.errors import InputError
from exportlens.report.tables import FrameTable, format_number, star_string
from exportlens.text import localized

if TYPE_CHECKING:
    import pandas as pd

    from exportlens.spatial.analysis import SpilloverAnalysis
    from exportlens.spatial.moran import MoranResult
    from exportlens.spatial.panel_models import SpatialPanelResult, SpatialTests

__all__ = ["SPATIAL_TERMS", "effects_table", "moran_table", "spatial_model_table", "spatial_tests_table"]

SPATIAL_TERMS: dict[str, dict[str, str]] = {
    "variable": {"en": "Variable", "zh": "变量"},
    "rho": {"en": "ρ (W·y)", "zh": "ρ（空间滞后系数）"},
    "lambda": {"en": "λ (spatial error)", "zh": "λ（空间误差系数）"},
    "sigma2": {"en": "σ²", "zh": "σ²"},
    "loglik": {"en": "Log-likelihood", "zh": "对数似然值"},
    "aic": {"en": "AIC", "zh": "AIC"},
    "pseudo_r2": {"en": "Pseudo R²", "zh": "伪R²"},
    "n_obs": {"en": "Observations", "zh": "样本量"},
    "n_regions": {"en": "Regions", "zh": "地区数"},
    "fe_region": {"en": "Region fixed effects", "zh": "地区固定效应"},
    "fe_time": {"en": "Time fixed effects", "zh": "时间固定效应"},
    "lee_yu": {"en": "Lee-Yu bias correction", "zh": "Lee-Yu偏误修正"},
    "yes": {"en": "YES", "zh": "是"},
    "no": {"en": "NO", "zh": "否"},
    "direct": {"en": "Direct effect", "zh": "直接效应"},
    "indirect": {"en": "Indirect effect (spillover)", "zh": "间接效应（溢出）"},
    "total": {"en": "Total effect", "zh": "总效应"},
    "effect": {"en": "Effect", "zh": "效应"},
    "models_title": {"en": "Spatial panel models", "zh": "空间面板模型估计结果"},
    "models_title_of": {"en": "Spatial panel models: {y}", "zh": "空间面板模型估计结果：{y}"},
    "effects_title": {"en": "Direct, indirect and total effects", "zh": "空间效应分解：直接效应、间接效应与总效应"},
    "moran_title": {"en": "Global Moran's I", "zh": "全局莫兰指数"},
    "tests_title": {"en": "Specification tests of the spatial Durbin model", "zh": "空间杜宾模型的检验"},
    "period": {"en": "Period", "zh": "时期"},
    "test": {"en": "Test", "zh": "检验"},
    "statistic": {"en": "Statistic", "zh": "统计量"},
    "df": {"en": "df", "zh": "自由度"},
    "p": {"en": "p-value", "zh": "p值"},
    "p_norm": {"en": "p (normal)", "zh": "p值（正态）"},
    "p_perm": {"en": "p (perm.)", "zh": "p值（置换）"},
    "note_se": {"en": "Standard errors in parentheses (observed information); * p<0.1, ** p<0.05, *** p<0.01.",
                "zh": "括号内为标准误（观测信息矩阵）；*、**、***分别表示在10%、5%、1%水平上显著。"},
    "note_stars": {"en": "* p<0.1, ** p<0.05, *** p<0.01.", "zh": "*、**、***分别表示在10%、5%、1%水平上显著。"},
    "note_effects": {"en": "Effects after LeSage and Pace (2009); standard errors from {draws} draws of the estimated parameter distribution.",
                     "zh": "效应分解依据LeSage和Pace（2009）；标准误由估计参数分布的{draws}次模拟抽样得到。"},
    "note_moran": {"en": "Weights: {kind}. z and p (normal) under normality; p (perm.) from {perm} random permutations.",
                   "zh": "权重矩阵：{kind}。z值与p值（正态）基于正态假设；p值（置换）基于{perm}次随机置换。"},
}


#: The specification tests of :class:`SpatialTests` (named in English) by language.
_TEST_NAMES: dict[str, dict[str, str]] = {
    "zh": {
        "Wald: SDM vs SAR (theta = 0)": "Wald检验：SDM能否退化为SAR（θ = 0）",
        "Wald: SDM vs SEM (theta = -rho beta)": "Wald检验：SDM能否退化为SEM（θ = −ρβ）",
        "LR: SDM vs SAR": "LR检验：SDM能否退化为SAR",
        "LR: SDM vs SEM": "LR检验：SDM能否退化为SEM",
    },
    "en": {},
}


def _t(key: str, lang: str, **fmt: Any) -> str:
    if lang not in ("en", "zh"):
        raise InputError(f"Unknown table language {lang!r}; use 'en' or 'zh'.")
    text = SPATIAL_TERMS[key][lang]
    return text.format(**fmt) if fmt else text


def variable_label(name: str, lang: str, labels: Mapping[str, Any] | None = None) -> str:
    """Label of a variable: ``labels`` may be flat ``{"vag": "..."}``, per variable
    ``{"vag": {"en": ..., "zh": ...}}`` or per language ``{"zh": {"vag": ...}}``. ``W*x``
    becomes ``W×<label of x>``."""
    if name.startswith("W*"):
        return "W×" + variable_label(name[2:], lang, labels)
    if not labels:
        return name
    if lang in labels and isinstance(labels[lang], Mapping):
        return str(labels[lang].get(name, name))
    v = labels.get(name, name)
    if isinstance(v, Mapping):
        return str(v.get(lang, v.get("en", name)))
    return str(v)


def _cell(est: float, p: float, digits: int) -> str:
    return f"{format_number(est, digits)}{star_string(p)}"


def _model_dict(results: Any) -> dict[str, SpatialPanelResult]:
    if isinstance(results, Mapping):
        return {str(k): v for k, v in results.items()}
    if not isinstance(results, Sequence):
        results = [results]
    return {f"({i + 1}) {r.model.upper()}": r for i, r in enumerate(results)}


def spatial_model_table(
    results: SpatialPanelResult | Sequence[SpatialPanelResult] | Mapping[str, SpatialPanelResult],
    *,
    labels: Mapping[str, Any] | None = None,
    lang: str = "en",
    digits: int = 3,
    title: str | None = None,
) -> FrameTable:
    """Coefficients (with stars and SEs) and fit statistics of one or more spatial panel models."""
    import pandas as pd

    _t("variable", lang)  # validates lang first
    models = _model_dict(results)
    if not models:
        raise InputError("Give at least one spatial panel result for the table.")
    terms: list[str] = []
    for r in models.values():
        for tname in r.coefs.index:
            if tname not in terms and tname not in ("rho", "lambda", "sigma2"):
                terms.append(tname)
    terms += [s for s in ("rho", "lambda") if any(s in r.coefs.index for r in models.values())]
    rows: dict[str, dict[str, str]] = {}
    order: list[str] = []
    for tname in terms:
        lab = _t(tname, lang) if tname in ("rho", "lambda") else variable_label(tname, lang, labels)
        se_key = f"{lab} "  # the SE row: label plus a space keeps the index unique, shows blank-ish
        order += [lab, se_key]
        rows[lab], rows[se_key] = {}, {}
        for col, r in models.items():
            if tname in r.coefs.index:
                est, p, se = (float(x) for x in r.coefs.loc[tname, ["estimate", "p", "se"]].to_numpy(dtype=float))
                rows[lab][col] = _cell(est, p, digits)
                rows[se_key][col] = f"({format_number(se, digits)})"
    yes, no = _t("yes", lang), _t("no", lang)
    stat_rows = {
        _t("sigma2", lang): {c: format_number(r.coefs.loc["sigma2", "estimate"], digits) for c, r in models.items()},
        _t("loglik", lang): {c: format_number(r.loglik, digits) for c, r in models.items()},
        _t("aic", lang): {c: format_number(r.aic, digits) for c, r in models.items()},
        _t("pseudo_r2", lang): {c: format_number(r.pseudo_r2, digits) for c, r in models.items()},
        _t("n_obs", lang): {c: str(r.n_regions * r.n_periods) for c, r in models.items()},
        _t("n_regions", lang): {c: str(r.n_regions) for c, r in models.items()},
        _t("fe_region", lang): {c: yes if r.fe in ("unit", "twoway") else no for c, r in models.items()},
        _t("fe_time", lang): {c: yes if r.fe in ("time", "twoway") else no for c, r in models.items()},
        _t("lee_yu", lang): {c: yes if (r.bias_correction and r.fe != "unit") else no for c, r in models.items()},
    }
    rows.update(stat_rows)
    order += list(stat_rows)
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(index=order, columns=list(models)).fillna("")
    frame.index = [i.rstrip() if i.endswith(" ") else i for i in frame.index]
    frame.index = ["" if i == prev else i for i, prev in zip(frame.index, [None, *frame.index[:-1]], strict=True)]
    frame.index.name = _t("variable", lang)
    first = next(iter(models.values()))
    head = title or _t("models_title_of", lang, y=variable_label(first.y, lang, labels))
    return FrameTable(frame, title=head, notes=[_t("note_se", lang)], digits=digits)


def effects_table(
    results: SpatialPanelResult | Sequence[SpatialPanelResult] | Mapping[str, SpatialPanelResult],
    *,
    labels: Mapping[str, Any] | None = None,
    lang: str = "en",
    digits: int = 3,
    title: str | None = None,
) -> FrameTable:
    """Direct, indirect and total effects (with stars and simulated SEs) of SAR/SDM results."""
    import pandas as pd

    models = {k: r for k, r in _model_dict(results).items() if r.effects is not None}
    if not models:
        raise InputError("None of the results has effects (SEM has none; fit SAR/SDM with effects=True).")
    variables: list[str] = []
    for r in models.values():
        assert r.effects is not None
        variables += [v for v in r.effects.variables if v not in variables]
    rows: list[tuple[str, str, dict[str, str]]] = []
    for v in variables:
        for kind in ("direct", "indirect", "total"):
            est_row: dict[str, str] = {}
            se_row: dict[str, str] = {}
            for col, r in models.items():
                f = r.effects.frame if r.effects is not None else None
                if f is not None and (v, kind) in f.index:
                    est, p, se = (float(x) for x in f.loc[(v, kind), ["estimate", "p", "se"]].to_numpy(dtype=float))
                    est_row[col] = _cell(est, p, digits)
                    se_row[col] = f"({format_number(se, digits)})"
            rows.append((variable_label(v, lang, labels), _t(kind, lang), est_row))
            rows.append(("", "", se_row))
    frame = pd.DataFrame([r[2] for r in rows], columns=list(models)).fillna("")
    frame.insert(0, _t("effect", lang), [r[1] for r in rows])
    frame.insert(0, _t("variable", lang), [r[0] for r in rows])
    draws = next(iter(models.values())).effects.draws  # type: ignore[union-attr]
    return FrameTable(frame, title=title or _t("effects_title", lang),
                      notes=[_t("note_effects", lang, draws=draws), _t("note_stars", lang)],
                      digits=digits, index=False)


def moran_table(
    results: MoranResult | Sequence[MoranResult],
    *,
    labels: Mapping[str, Any] | None = None,
    lang: str = "en",
    digits: int = 3,
    title: str | None = None,
) -> FrameTable:
    """Global Moran's I by period for one or more variables (I with stars by the permutation p)."""
    import pandas as pd

    items = [results] if not isinstance(results, Sequence) else list(results)
    if not items:
        raise InputError("Give at least one Moran result.")
    recs = []
    for m in items:
        for period, row in m.frame.iterrows():
            recs.append({
                _t("variable", lang): variable_label(m.variable, lang, labels),
                _t("period", lang): period,
                "I": _cell(row["I"], row["p_sim"], digits),
                "E(I)": format_number(row["EI"], digits),
                "z": format_number(row["z_norm"], digits),
                _t("p_norm", lang): format_number(row["p_norm"], digits),
                _t("p_perm", lang): format_number(row["p_sim"], digits),
            })
    frame = pd.DataFrame(recs)
    first = items[0]
    perm = int(first.frame["permutations"].iloc[0]) if len(first.frame) else 0
    return FrameTable(frame, title=title or _t("moran_title", lang),
                      notes=[_t("note_moran", lang, kind=first.weights_kind, perm=perm)], digits=digits, index=False)


def spatial_tests_table(tests: SpatialTests, *, lang: str = "en", digits: int = 3, title: str | None = None) -> FrameTable:
    """Wald / LR tests of the SDM against SAR and SEM."""
    names = localized(_TEST_NAMES, lang)
    f: pd.DataFrame = tests.frame.reset_index()
    f["test"] = f["test"].map(lambda s: names.get(s, s))
    f = f.rename(columns={"test": _t("test", lang), "statistic": _t("statistic", lang), "df": _t("df", lang), "p": _t("p", lang)})
    return FrameTable(f, title=title or _t("tests_title", lang), digits=digits, index=False)


def spillover_tables(analysis: SpilloverAnalysis, lang: str = "en", labels: Mapping[str, Any] | None = None,
                     digits: int = 3) -> dict[str, FrameTable]:
    """``spatial_models``, ``spatial_effects`` (SDM, else SAR), ``spatial_tests`` (if SDM) and ``moran``
    of a :func:`exportlens.spatial.spillover_analysis`."""
    models = analysis.models
    out: dict[str, FrameTable] = {
        "spatial_models": spatial_model_table({f"({i + 1}) {k.upper()}": r for i, (k, r) in enumerate(models.items())},
                                              labels=labels, lang=lang, digits=digits),
    }
    with_effects = {k.upper(): r for k, r in models.items() if r.effects is not None}
    if with_effects:
        out["spatial_effects"] = effects_table(with_effects, labels=labels, lang=lang, digits=digits)
    if analysis.tests is not None:
        out["spatial_tests"] = spatial_tests_table(analysis.tests, lang=lang, digits=digits)
    if analysis.moran:
        out["moran"] = moran_table(list(analysis.moran.values()), labels=labels, lang=lang, digits=digits)
    return out
