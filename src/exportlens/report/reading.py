"""Plain-language reading of a run's main results, generated from its numbers (zh / en).

Regression studies: :func:`read_coefficients` reads the tidy coefficients (columns
``model, term, estimate, std_error, p_value, nobs``; ``ci_low``/``ci_high`` when present) -
sign, size and significance of the key term in the main model, and how robust they are across
every model that has the term. Studies without coefficients: :func:`read_run` reads their
data files (linkage scores, value-added shares, coupling coordination) or, failing that,
the run's notes.

Significance levels are the conventional 1 %, 5 % and 10 % two-sided thresholds of the
reported p-values (the same as the stars of the tables).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.errors import InputError, MissingColumnError
from exportlens.regions import grouping, resolve_province
from exportlens.text import localized, term

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["default_key_term", "key_term_rows", "main_model", "read_coefficients", "read_run", "term_labels"]

COEFFICIENT_COLUMNS = ("model", "term", "estimate", "std_error", "p_value", "nobs")
_INTERCEPT = {"Intercept", "const", "_cons", "(Intercept)"}

#: The sentences of the reading (``str.format`` fields; lists joined with ``term("list_sep")``).
TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "ci": "，95% 置信区间 [{low}, {high}]",
        "significant": "在 {level}% 水平上显著",
        "not_significant": "在 10% 水平上不显著",
        "positive": "正",
        "negative": "负",
        "higher": "提高",
        "lower": "降低",
        "main": "主要模型（{model}，样本量 N = {n}）中，{name} 的系数为 {estimate}（标准误 {se}{ci}），"
        "符号为{sign}，{significance}（p = {p}）。即{name}每增加一个单位，被解释变量平均{direction} {size} 个单位（其他条件不变）。",
        "robustness": "稳健性：在包含 {name}（及其滞后项）的全部 {total} 个模型中，{same_sign} 个系数符号相同，"
        "{significant} 个在 5% 水平上显著，估计值介于 {low} 与 {high} 之间。",
        "weak_models": "符号相反或不显著的模型：{models}。",
        "no_weak_models": "结论在各模型中一致。",
        "linkage": "{n} 个省份与沿线国家联系度的平均综合得分中，最高的是{top}（最高 {high:.4f}），"
        "最低的是{bottom}（最低 {low:.4f}）；最高约为最低的 {spread:.1f} 倍。",
        "value_added": "{y1} 年全部省份出口中，本省增加值（DVR）占 {dva1:.1%}，其他省份增加值（PVR）占 {pva1:.1%}，"
        "国外增加值（FVR）占 {fva1:.1%}（{y0} 年分别为 {dva0:.1%}、{pva0:.1%}、{fva0:.1%}）。"
        "{y1} 年国外增加值占比最高的省份：{top}。",
        "synergy": "耦合协调度 D 的省份均值由 {y0} 年的 {d0:.3f} 变为 {y1} 年的 {d1:.3f}；"
        "{y1} 年 {n} 个省份中有 {coordinated} 个达到协调（D ≥ 0.5）。"
        "最常见的滞后子系统为 {lagging}（{n_lagging} 个省份）。",
        "firms": "冲击期全国出口变化 {contraction:+.1%}，恢复期变化 {recovery:+.1%}。冲击前出口企业到恢复期的存活率（按企业数）"
        "在{best}最高（{best_rate:.1%}），在{worst}最低（{worst_rate:.1%}）。",
        "notes": "运行摘要（原文）：",
    },
    "en": {
        "ci": ", 95% confidence interval [{low}, {high}]",
        "significant": "significant at the {level}% level",
        "not_significant": "not significant at the 10% level",
        "positive": "positive",
        "negative": "negative",
        "higher": "higher",
        "lower": "lower",
        "main": "In the main model ({model}, N = {n}) the coefficient of {name} is {estimate} (standard error {se}{ci}): "
        "{sign} and {significance} (p = {p}). A one-unit higher {name} goes with a {direction} outcome by {size} units, "
        "other things equal.",
        "robustness": "Robustness: of all {total} models with {name} (or its lags), {same_sign} have the same sign and "
        "{significant} are significant at 5%; the estimates range from {low} to {high}. ",
        "weak_models": "Models where the sign flips or significance at 5% is lost: {models}.",
        "no_weak_models": "The result holds in every model.",
        "linkage": "Across {n} provinces, the average linkage score with Belt-and-Road countries is highest in {top} "
        "(top {high:.4f}) and lowest in {bottom} (bottom {low:.4f}); the highest is about {spread:.1f} times the lowest.",
        "value_added": "In {y1}, value added from the exporting province itself (DVR) made up {dva1:.1%} of all provinces' "
        "exports, other provinces (PVR) {pva1:.1%} and abroad (FVR) {fva1:.1%} (in {y0}: {dva0:.1%}, {pva0:.1%}, "
        "{fva0:.1%}). Highest foreign share in {y1}: {top}.",
        "synergy": "The provinces' mean coordination degree D moved from {d0:.3f} in {y0} to {d1:.3f} in {y1}; in {y1}, "
        "{coordinated} of {n} provinces are coordinated (D ≥ 0.5). The most common lagging subsystem is {lagging} "
        "({n_lagging} provinces).",
        "firms": "National exports changed by {contraction:+.1%} in the shock and by {recovery:+.1%} in the recovery. Of "
        "the firms exporting before the shock, the share still exporting in the recovery year is highest in {best} "
        "({best_rate:.1%}) and lowest in {worst} ({worst_rate:.1%}).",
        "notes": "Summary of the run: ",
    },
}
#: The lagging subsystem of the coupling coordination (``lagging`` column of coupling_panel.csv).
_SUBSYSTEMS: dict[str, dict[str, str]] = {
    "zh": {"ecommerce": "跨境电商", "clusters": "产业集群"},
    "en": {"ecommerce": "cross-border e-commerce", "clusters": "industrial clusters"},
}


def _level(p: float) -> int | None:
    """Smallest conventional level (1, 5, 10 %) at which p is significant, or None."""
    for lev in (0.01, 0.05, 0.10):
        if p < lev:
            return round(lev * 100)
    return None


def _fmt(x: float, digits: int = 4) -> str:
    return f"{x:.{digits}g}" if abs(x) < 1e-3 and x != 0 else f"{x:.{digits}f}"


def _check_columns(coefs: pd.DataFrame) -> None:
    missing = [c for c in COEFFICIENT_COLUMNS if c not in coefs.columns]
    if missing:
        raise MissingColumnError(f"The coefficients table lacks column(s) {missing}; it needs {list(COEFFICIENT_COLUMNS)} (as coefficients.csv of a run).")


def default_key_term(coefs: pd.DataFrame) -> str:
    """The term present in the most models (the intercept excluded; ties: first seen)."""
    counts = Counter(t for t in coefs["term"] if t not in _INTERCEPT)
    if not counts:
        raise MissingColumnError("The coefficients table has no term other than the intercept.")
    return counts.most_common(1)[0][0]


def key_term_rows(coefs: pd.DataFrame, key: str) -> pd.DataFrame:
    """Rows of the key term and its lags (``L1_key``, ``L2_key``, ...) in every model, in file order."""
    pattern = re.compile(rf"(L\d+_)?{re.escape(key)}")
    return coefs[[bool(pattern.fullmatch(str(t))) for t in coefs["term"]]]


def main_model(coefs: pd.DataFrame, key: str) -> str:
    """The main model: in the first table (model-name prefix before ``_``) that has the key term,
    the model with the most terms (the full specification; first one on ties)."""
    with_key = coefs[coefs["term"] == key]
    first_prefix = str(with_key["model"].iloc[0]).split("_")[0]
    models = [m for m in dict.fromkeys(with_key["model"]) if str(m).split("_")[0] == first_prefix]
    sizes = coefs[coefs["model"].isin(models)].groupby("model", sort=False)["term"].size()
    return str(max(models, key=lambda m: (sizes[m], -models.index(m))))


def read_coefficients(coefs: pd.DataFrame, lang: str = "zh", key_term: str | None = None,
                      labels: dict[str, str] | None = None) -> list[str]:
    """Paragraphs reading the key term: main model, then robustness across models.

    Main model (see :func:`main_model`): the estimate's sign, size (with standard error and
    the 95 % interval when ``ci_low``/``ci_high`` exist), the significance level of its
    p-value and N. Robustness: over every model with the key term or its lags, how many
    estimates have the main sign, how many are significant at 5 %, the range of the
    estimates, and the models where the sign flips or significance is lost.
    """
    _check_columns(coefs)
    key = key_term or default_key_term(coefs)
    if not (coefs["term"] == key).any():
        raise MissingColumnError(f"Key term {key!r} is in no model of the coefficients table.")
    name = (labels or {}).get(key, key)
    text, sep = localized(TEXT, lang), term("list_sep", lang)
    main = main_model(coefs, key)
    row = coefs[(coefs["model"] == main) & (coefs["term"] == key)].iloc[0]
    est, se, p, n = float(row["estimate"]), float(row["std_error"]), float(row["p_value"]), int(row["nobs"])
    lev = _level(p)
    positive = est > 0
    ci = ""
    if "ci_low" in coefs.columns and "ci_high" in coefs.columns:
        lo, hi = float(row["ci_low"]), float(row["ci_high"])
        ci = text["ci"].format(low=_fmt(lo), high=_fmt(hi))
    first = text["main"].format(
        model=main, n=n, name=name, estimate=_fmt(est), se=_fmt(se), ci=ci,
        sign=text["positive" if positive else "negative"],
        significance=text["significant"].format(level=lev) if lev else text["not_significant"],
        p=_fmt(p, 3), direction=text["higher" if positive else "lower"], size=_fmt(abs(est)))
    rows = key_term_rows(coefs, key)
    total = len(rows)
    same_sign = int(((rows["estimate"] > 0) == positive).sum())
    sig5 = int((rows["p_value"] < 0.05).sum())
    lo_est, hi_est = float(rows["estimate"].min()), float(rows["estimate"].max())
    weak = [f"{m} ({t})" for m, t, e, pv in zip(rows["model"], rows["term"], rows["estimate"], rows["p_value"], strict=True)
            if (e > 0) != positive or pv >= 0.05]
    second = text["robustness"].format(name=name, total=total, same_sign=same_sign, significant=sig5,
                                       low=_fmt(lo_est), high=_fmt(hi_est))
    second += text["weak_models"].format(models=sep.join(weak)) if weak else text["no_weak_models"]
    return [first, second]


def _region_name(value: Any, lang: str, *, provinces: bool = True) -> str:
    """A province's label in ``lang``; any other region (a [regions] table's city or county) as written."""
    if not provinces:
        return str(value)
    try:
        return resolve_province(value).label(lang)
    except InputError:
        return str(value)


def _uses_region_table(run_dir: Path) -> bool:
    """True when the run's regions came from a ``[regions] table`` (not the provinces)."""
    import json

    path = run_dir / "manifest.json"
    if not path.is_file():
        return False
    return bool(json.loads(path.read_text(encoding="utf-8")).get("spec", {}).get("regions_table"))


def _read_linkage(run_dir: Path, lang: str) -> list[str]:
    import pandas as pd

    scores = pd.read_csv(run_dir / "scores_long.csv")
    mean = scores.groupby("province")["score"].mean().sort_values(ascending=False)
    if "province_name" in scores.columns and _uses_region_table(run_dir):  # table regions: their names
        names = scores.groupby("province")["province_name"].first()
        top = [str(names[c]) for c in mean.index[:5]]
        bottom = [str(names[c]) for c in mean.index[-3:]]
    else:
        top = [_region_name(c, lang) for c in mean.index[:5]]
        bottom = [_region_name(c, lang) for c in mean.index[-3:]]
    spread = float(mean.iloc[0] / mean.iloc[-1]) if mean.iloc[-1] > 0 else float("nan")
    sep = term("list_sep", lang)
    return [localized(TEXT, lang)["linkage"].format(n=len(mean), top=sep.join(top), high=mean.iloc[0],
                                                   bottom=sep.join(bottom), low=mean.iloc[-1], spread=spread)]


def _read_value_added(run_dir: Path, lang: str) -> list[str]:
    import pandas as pd

    dec = pd.read_csv(run_dir / "data" / "decomposition.csv")
    tot = dec.groupby("year")[["exports", "dva", "pva", "fva"]].sum()
    shares = tot[["dva", "pva", "fva"]].div(tot["exports"], axis=0)
    y0, y1 = int(shares.index.min()), int(shares.index.max())
    last = dec[dec["year"] == y1].sort_values("fvr", ascending=False)
    provinces = not _uses_region_table(run_dir)
    # a region-table run writes the table's names next to its codes
    labels = last["region_name"] if "region_name" in last.columns else last["region"]
    hi_fvr = [f"{_region_name(r, lang, provinces=provinces)} ({v:.1%})"
              for r, v in zip(labels[:3], last["fvr"][:3], strict=True)]
    s0, s1 = shares.loc[y0], shares.loc[y1]
    return [localized(TEXT, lang)["value_added"].format(
        y0=y0, y1=y1, dva1=s1["dva"], pva1=s1["pva"], fva1=s1["fva"], dva0=s0["dva"], pva0=s0["pva"], fva0=s0["fva"],
        top=term("list_sep", lang).join(hi_fvr))]


def _read_synergy(run_dir: Path, lang: str) -> list[str]:
    import pandas as pd

    panel = pd.read_csv(run_dir / "coupling_panel.csv")
    by_year = panel.groupby("year")["D"].mean()
    y0, y1 = int(by_year.index.min()), int(by_year.index.max())
    last = panel[panel["year"] == y1]
    coordinated = int((last["D"] >= 0.5).sum())
    lag = last["lagging"].value_counts()
    top_lag = str(lag.index[0]) if len(lag) else ""
    return [localized(TEXT, lang)["synergy"].format(
        y0=y0, y1=y1, d0=by_year[y0], d1=by_year[y1], n=len(last), coordinated=coordinated,
        lagging=localized(_SUBSYSTEMS, lang).get(top_lag, top_lag), n_lagging=int(lag.iloc[0]) if len(lag) else 0)]


def _group_label(key: str, lang: str) -> str:
    """Label of an NBS four-region key (east, central, west, northeast); other keys unchanged."""
    g = grouping("nbs4")
    return g.label(key, lang) if key in g.order else key


def _read_firms(run_dir: Path, lang: str) -> list[str]:
    import pandas as pd

    bench = pd.read_csv(run_dir / "data" / "benchmarks.csv")
    nat = bench[bench["scope"] == "national"].iloc[0]
    groups = pd.read_csv(run_dir / "data" / "group_shock.csv").sort_values("survival_recovery_fw", ascending=False)
    best, worst = groups.iloc[0], groups.iloc[-1]
    best_name, worst_name = _group_label(str(best["group"]), lang), _group_label(str(worst["group"]), lang)
    c, r = float(nat["growth_contraction"]), float(nat["growth_recovery"])
    return [localized(TEXT, lang)["firms"].format(contraction=c, recovery=r, best=best_name, worst=worst_name,
                                                 best_rate=best["survival_recovery_fw"],
                                                 worst_rate=worst["survival_recovery_fw"])]


def _read_notes(run_dir: Path, lang: str) -> list[str]:
    path = run_dir / "notes.txt"
    if not path.is_file():
        return []
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    body = [ln for ln in lines[1:] if not ln.startswith("Note:") and not ln.startswith("References:")][:4]
    return [localized(TEXT, lang)["notes"] + "; ".join(body) + "."] if body else []


def term_labels(run_dir: str | Path) -> dict[str, str]:
    """Display labels of regression terms from the run's tidy regression tables
    (``tables/*.csv`` with ``term`` and ``label`` columns), in the run's language."""
    import pandas as pd

    out: dict[str, str] = {}
    for path in sorted((Path(run_dir) / "tables").glob("*.csv")):
        head = pd.read_csv(path, nrows=0).columns
        if "term" in head and "label" in head:
            frame = pd.read_csv(path, usecols=["term", "label"]).dropna()
            for t, lab in zip(frame["term"], frame["label"], strict=True):
                out.setdefault(str(t), str(lab))
    return out


def read_run(run_dir: str | Path, lang: str = "zh", key_term: str | None = None,
             labels: dict[str, str] | None = None) -> list[str]:
    """Reading of a finished run folder: from ``coefficients.csv`` when the run has one,
    else from the study's data files (linkage, value-added, synergy), else from ``notes.txt``."""
    import pandas as pd

    run = Path(run_dir)
    coef_path = run / "coefficients.csv"
    if coef_path.is_file():
        return read_coefficients(pd.read_csv(coef_path), lang, key_term, labels or term_labels(run))
    readers = [("scores_long.csv", _read_linkage), ("data/decomposition.csv", _read_value_added),
               ("coupling_panel.csv", _read_synergy), ("data/group_shock.csv", _read_firms)]
    for rel, reader in readers:
        if (run / rel).is_file():
            return reader(run, lang)
    return _read_notes(run, lang)
