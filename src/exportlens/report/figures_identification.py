"""Figures of the identification and robustness analyses: the threshold LR curve and the
specification curve (matplotlib, Agg backend, deterministic PNG output).

Plain functions taking data, an output path and the language; Chinese labels fall back to
English when no font with Chinese glyphs is installed (:func:`exportlens.report.figures.figure_language`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.errors import InputError
from exportlens.report.figures import cjk_font, figure_language

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["lr_curve", "specification_curve"]

_WORDS = {
    "lr_title": {"en": "Likelihood-ratio statistic of the threshold", "zh": "门槛值的似然比统计量"},
    "lr_y": {"en": "LR(γ)", "zh": "LR(γ)"},
    "crit": {"en": "{lvl}% critical value {c:.2f}", "zh": "{lvl}%临界值 {c:.2f}"},
    "est": {"en": "estimate γ{j} = {g:.3f}", "zh": "估计值 γ{j} = {g:.3f}"},
    "spec_title": {"en": "Specification curve", "zh": "设定曲线"},
    "spec_y": {"en": "Coefficient of {term} ({lvl}% CI)", "zh": "{term}的系数（{lvl}%置信区间）"},
    "spec_x": {"en": "Specifications, sorted by estimate", "zh": "按估计值排序的设定"},
}


def _w(key: str, lang: str, **fmt: Any) -> str:
    text = _WORDS[key][lang]
    return text.format(**fmt) if fmt else text


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _rc(lang: str) -> dict[str, Any]:
    rc: dict[str, Any] = {"figure.dpi": 100, "savefig.dpi": 200, "axes.spines.top": False, "axes.spines.right": False, "font.size": 9}
    if lang == "zh":
        rc["font.sans-serif"] = [cjk_font(), "DejaVu Sans"]
        rc["axes.unicode_minus"] = False
    return rc


def _save(fig: Any, path: str | Path) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, bbox_inches="tight", metadata={"Software": None})
    return out


def lr_curve(
    lr: pd.DataFrame,
    thresholds: Sequence[float],
    *,
    path: str | Path,
    lang: str = "en",
    threshold_label: str | None = None,
    level: float = 0.95,
    title: str | None = None,
) -> Path:
    r"""LR statistic of each threshold over the grid (Hansen 1999, Figure 1 style).

    ``lr`` is :attr:`ThresholdResult.lr` (column ``gamma`` and ``lr_gamma1``...);
    ``thresholds`` the estimates. The dashed line is :math:`c(\alpha) = -2\ln(1-\sqrt{1-\alpha})`;
    the confidence region is where the curve lies below it. ``lang`` ``"en"``/``"zh"``.
    """
    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    cols = [c for c in lr.columns if str(c).startswith("lr_gamma")]
    if "gamma" not in lr.columns or not cols:
        raise InputError("lr must have a 'gamma' column and one 'lr_gamma<j>' column per threshold (ThresholdResult.lr).")
    lang, _note = figure_language(lang)
    plt = _plt()
    crit = -2.0 * math.log(1.0 - math.sqrt(level))
    with plt.rc_context(_rc(lang)):
        fig, axes = plt.subplots(1, len(cols), figsize=(4.2 * len(cols), 3.2), squeeze=False)
        for j, (ax, col) in enumerate(zip(axes[0], cols, strict=True)):
            ax.plot(lr["gamma"], lr[col], color="C0", linewidth=1.2)
            ax.axhline(crit, color="C3", linestyle="--", linewidth=1.0, label=_w("crit", lang, lvl=f"{level * 100:g}", c=crit))
            if j < len(thresholds):
                ax.axvline(thresholds[j], color="0.4", linewidth=0.8, linestyle=":", label=_w("est", lang, j=j + 1, g=thresholds[j]))
            ax.set_xlabel(threshold_label or "γ")
            ax.set_ylabel(_w("lr_y", lang))
            ax.set_title(f"γ{j + 1}")
            ax.legend(frameon=False, fontsize=7)
        fig.suptitle(title or _w("lr_title", lang))
        fig.tight_layout()
        out = _save(fig, path)
        plt.close(fig)
    return out


def specification_curve(
    frame: pd.DataFrame,
    *,
    path: str | Path,
    lang: str = "en",
    term_label: str = "x",
    choices: Sequence[str] | None = None,
    choice_labels: Mapping[str, str] | None = None,
    level: float = 0.95,
    title: str | None = None,
    reference: float | None = None,
) -> Path:
    """Specification curve (Simonsohn, Simmons & Nelson 2020): estimates sorted with their
    confidence intervals (top) and the specification choices as a dot matrix (bottom).

    ``frame`` is ``exportlens.econometrics.run_specifications(...).frame``: columns
    ``estimate``, ``ci_low``, ``ci_high`` and one column per choice dimension (values are the
    option of each specification, e.g. ``{"outcome": "SL k=2", "sample": "all"}``);
    ``choices`` names those columns (default: every column listed in ``frame.attrs["choices"]``).
    Each row of the dot matrix is one option ("dimension: option"), a filled dot marks the
    specifications that use it. ``reference`` draws a horizontal line (e.g. a true value).
    """
    if lang not in ("en", "zh"):
        raise InputError(f"lang must be 'en' or 'zh', got {lang!r}.")
    need = {"estimate", "ci_low", "ci_high"}
    if not need <= set(frame.columns):
        raise InputError(f"frame needs the columns {sorted(need)}; got {list(frame.columns)}.")
    choices = list(choices) if choices is not None else list(frame.attrs.get("choices", []))
    missing = [c for c in choices if c not in frame.columns]
    if missing:
        raise InputError(f"Choice column(s) {missing} not in the frame.")
    lang, _note = figure_language(lang)
    plt = _plt()
    data = frame.sort_values("estimate").reset_index(drop=True)
    rows: list[tuple[str, str, str]] = []
    for c in choices:
        for opt in dict.fromkeys(data[c].astype(str)):
            rows.append((c, opt, f"{(choice_labels or {}).get(c, c)}: {opt}"))
    pos = list(range(len(data)))
    with plt.rc_context(_rc(lang)):
        height = 2.8 + 0.22 * max(len(rows), 1)
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(5.0, 0.35 * len(data) + 2.5), height), sharex=True,
                                          gridspec_kw={"height_ratios": [2.2, max(0.8, 0.22 * len(rows))]})
        sig = (data["ci_low"] > 0) | (data["ci_high"] < 0)
        colors = ["C0" if s else "0.55" for s in sig]
        top.vlines(pos, data["ci_low"], data["ci_high"], colors=colors, linewidth=1.2)
        top.scatter(pos, data["estimate"], c=colors, s=18, zorder=3)
        top.axhline(0, color="0.3", linewidth=0.8)
        if reference is not None:
            top.axhline(reference, color="C3", linestyle="--", linewidth=1.0)
        top.set_ylabel(_w("spec_y", lang, term=term_label, lvl=f"{level * 100:g}"))
        top.set_title(title or _w("spec_title", lang))
        for r, (c, opt, _lab) in enumerate(rows):
            used = (data[c].astype(str) == opt).to_numpy()
            bottom.scatter([p for p, u in zip(pos, used, strict=True) if u], [r] * int(used.sum()), color="0.15", s=14)
            bottom.scatter([p for p, u in zip(pos, used, strict=True) if not u], [r] * int((~used).sum()), color="0.85", s=10)
        bottom.set_yticks(range(len(rows)), [lab for _, _, lab in rows])
        bottom.set_ylim(len(rows) - 0.4, -0.6)
        bottom.set_xlabel(_w("spec_x", lang))
        bottom.set_xticks(pos, [str(i + 1) for i in pos])
        for side in ("left", "right", "top"):
            bottom.spines[side].set_visible(False)
        fig.tight_layout()
        out = _save(fig, path)
        plt.close(fig)
    return out
