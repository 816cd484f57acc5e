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

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["default_key_term", "key_term_rows", "main_model", "read_coefficients", "read_run", "term_labels"]

COEFFICIENT_COLUMNS = ("model", "term", "estimate", "std_error", "p_value", "nobs")
_INTERCEPT = {"Intercept", "const", "_cons", "(Intercept)"}


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
    zh = lang == "zh"
    main = main_model(coefs, key)
    row = coefs[(coefs["model"] == main) & (coefs["term"] == key)].iloc[0]
    est, se, p, n = float(row["estimate"]), float(row["std_error"]), float(row["p_value"]), int(row["nobs"])
    lev = _level(p)
    positive = est > 0
    ci = ""
    if "ci_low" in coefs.columns and "ci_high" in coefs.columns:
        lo, hi = float(row["ci_low"]), float(row["ci_high"])
        ci = f"，95% 置信区间 [{_fmt(lo)}, {_fmt(hi)}]" if zh else f", 95% confidence interval [{_fmt(lo)}, {_fmt(hi)}]"
    if zh:
        sign = "正" if positive else "负"
        sig = f"在 {lev}% 水平上显著" if lev else "在 10% 水平上不显著"
        first = (f"主要模型（{main}，样本量 N = {n}）中，{name} 的系数为 {_fmt(est)}（标准误 {_fmt(se)}{ci}），"
                 f"符号为{sign}，{sig}（p = {_fmt(p, 3)}）。即{name}每增加一个单位，被解释变量平均"
                 f"{'提高' if positive else '降低'} {_fmt(abs(est))} 个单位（其他条件不变）。")
    else:
        sig = f"significant at the {lev}% level" if lev else "not significant at the 10% level"
        first = (f"In the main model ({main}, N = {n}) the coefficient of {name} is {_fmt(est)} (standard error "
                 f"{_fmt(se)}{ci}): {'positive' if positive else 'negative'} and {sig} (p = {_fmt(p, 3)}). "
                 f"A one-unit higher {name} goes with a {'higher' if positive else 'lower'} outcome by "
                 f"{_fmt(abs(est))} units, other things equal.")
    rows = key_term_rows(coefs, key)
    total = len(rows)
    same_sign = int(((rows["estimate"] > 0) == positive).sum())
    sig5 = int((rows["p_value"] < 0.05).sum())
    lo_est, hi_est = float(rows["estimate"].min()), float(rows["estimate"].max())
    weak = [f"{m} ({t})" for m, t, e, pv in zip(rows["model"], rows["term"], rows["estimate"], rows["p_value"], strict=True)
            if (e > 0) != positive or pv >= 0.05]
    if zh:
        second = (f"稳健性：在包含 {name}（及其滞后项）的全部 {total} 个模型中，{same_sign} 个系数符号相同，"
                  f"{sig5} 个在 5% 水平上显著，估计值介于 {_fmt(lo_est)} 与 {_fmt(hi_est)} 之间。")
        second += (f"符号相反或不显著的模型：{'、'.join(weak)}。" if weak else "结论在各模型中一致。")
    else:
        second = (f"Robustness: of all {total} models with {name} (or its lags), {same_sign} have the same sign and "
                  f"{sig5} are significant at 5%; the estimates range from {_fmt(lo_est)} to {_fmt(hi_est)}. ")
        second += (f"Models where the sign flips or significance at 5% is lost: {', '.join(weak)}." if weak
                   else "The result holds in every model.")
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
    if lang == "zh":
        return [f"{len(mean)} 个省份与沿线国家联系度的平均综合得分中，最高的是{'、'.join(top)}"
                f"（最高 {mean.iloc[0]:.4f}），最低的是{'、'.join(bottom)}（最低 {mean.iloc[-1]:.4f}）；"
                f"最高约为最低的 {spread:.1f} 倍。"]
    return [f"Across {len(mean)} provinces, the average linkage score with Belt-and-Road countries is highest in "
            f"{', '.join(top)} (top {mean.iloc[0]:.4f}) and lowest in {', '.join(bottom)} (bottom {mean.iloc[-1]:.4f}); "
            f"the highest is about {spread:.1f} times the lowest."]


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
    if lang == "zh":
        return [f"{y1} 年全部省份出口中，本省增加值（DVR）占 {s1['dva']:.1%}，其他省份增加值（PVR）占 {s1['pva']:.1%}，"
                f"国外增加值（FVR）占 {s1['fva']:.1%}（{y0} 年分别为 {s0['dva']:.1%}、{s0['pva']:.1%}、{s0['fva']:.1%}）。"
                f"{y1} 年国外增加值占比最高的省份：{'、'.join(hi_fvr)}。"]
    return [f"In {y1}, value added from the exporting province itself (DVR) made up {s1['dva']:.1%} of all provinces' "
            f"exports, other provinces (PVR) {s1['pva']:.1%} and abroad (FVR) {s1['fva']:.1%} (in {y0}: {s0['dva']:.1%}, "
            f"{s0['pva']:.1%}, {s0['fva']:.1%}). Highest foreign share in {y1}: {', '.join(hi_fvr)}."]


def _read_synergy(run_dir: Path, lang: str) -> list[str]:
    import pandas as pd

    panel = pd.read_csv(run_dir / "coupling_panel.csv")
    by_year = panel.groupby("year")["D"].mean()
    y0, y1 = int(by_year.index.min()), int(by_year.index.max())
    last = panel[panel["year"] == y1]
    coordinated = int((last["D"] >= 0.5).sum())
    lag = last["lagging"].value_counts()
    top_lag = str(lag.index[0]) if len(lag) else ""
    top_lag = _SUBSYSTEMS.get(top_lag, (top_lag, top_lag))[0 if lang == "zh" else 1]
    if lang == "zh":
        return [f"耦合协调度 D 的省份均值由 {y0} 年的 {by_year[y0]:.3f} 变为 {y1} 年的 {by_year[y1]:.3f}；"
                f"{y1} 年 {len(last)} 个省份中有 {coordinated} 个达到协调（D ≥ 0.5）。"
                f"最常见的滞后子系统为 {top_lag}（{int(lag.iloc[0]) if len(lag) else 0} 个省份）。"]
    return [f"The provinces' mean coordination degree D moved from {by_year[y0]:.3f} in {y0} to {by_year[y1]:.3f} in {y1}; "
            f"in {y1}, {coordinated} of {len(last)} provinces are coordinated (D ≥ 0.5). The most common lagging "
            f"subsystem is {top_lag} ({int(lag.iloc[0]) if len(lag) else 0} provinces)."]


_SUBSYSTEMS = {"ecommerce": ("跨境电商", "cross-border e-commerce"), "clusters": ("产业集群", "industrial clusters")}


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
    if lang == "zh":
        return [f"冲击期全国出口变化 {c:+.1%}，恢复期变化 {r:+.1%}。冲击前出口企业到恢复期的存活率（按企业数）"
                f"在{best_name}最高（{best['survival_recovery_fw']:.1%}），在{worst_name}最低"
                f"（{worst['survival_recovery_fw']:.1%}）。"]
    return [f"National exports changed by {c:+.1%} in the shock and by {r:+.1%} in the recovery. Of the firms exporting "
            f"before the shock, the share still exporting in the recovery year is highest in {best_name} "
            f"({best['survival_recovery_fw']:.1%}) and lowest in {worst_name} ({worst['survival_recovery_fw']:.1%})."]


def _read_notes(run_dir: Path, lang: str) -> list[str]:
    path = run_dir / "notes.txt"
    if not path.is_file():
        return []
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    body = [ln for ln in lines[1:] if not ln.startswith("Note:") and not ln.startswith("References:")][:4]
    lead = "运行摘要（原文）：" if lang == "zh" else "Summary of the run: "
    return [lead + "; ".join(body) + "."] if body else []


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
