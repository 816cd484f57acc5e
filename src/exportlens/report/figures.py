"""Publication figures (matplotlib, Agg backend, deterministic PNG output)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.econometrics.results import ModelResult
from exportlens.errors import ReportWarning
from exportlens.report import fonts

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "cjk_font",
    "coefficient_plot",
    "figure_language",
    "figure_rc",
    "group_trends",
    "pyplot",
    "save_figure",
]


def pyplot():
    """matplotlib.pyplot on the Agg backend (imported on first use: matplotlib is slow to import)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def cjk_font() -> str | None:
    """Name of a font with Chinese glyphs (the bundled Noto Sans CJK first), or None.

    See :mod:`exportlens.report.fonts`, the one place where fonts are registered.

    Examples
    --------
    >>> from exportlens.report import cjk_font
    >>> font = cjk_font()  # the bundled Noto Sans CJK when installed
    >>> font is None or isinstance(font, str)
    True
    """
    return fonts.cjk_font()


def figure_language(lang: str) -> tuple[str, str | None]:
    """Language figures can really be drawn in, and a note when Chinese had to fall back.

    The CJK font shipped with exportlens (``noto-cjk-sans-otc``) is registered at first use,
    so Chinese figures work on a machine without system fonts. Only if that package is
    missing and no system CJK font exists do figures fall back to English labels (matplotlib
    would draw empty boxes); tables keep Chinese labels: they are text.

    Examples
    --------
    >>> from exportlens.report import figure_language
    >>> figure_language("en")
    ('en', None)
    >>> lang, note = figure_language("zh")  # "zh" with a CJK font, else "en" and a note
    >>> lang in ("zh", "en")
    True
    """
    if lang != "zh":
        return lang, None
    if cjk_font() is None:
        return "en", "No font with Chinese glyphs is installed (reinstall exportlens to get its noto-cjk-sans-otc font); figure labels are in English (tables keep Chinese labels)."
    return "zh", None


def figure_rc(lang: str) -> dict:
    """matplotlib rc settings of every exportlens figure (a CJK font for ``lang="zh"``)."""
    rc: dict[str, Any] = {"figure.dpi": 100, "savefig.dpi": 200, "axes.spines.top": False, "axes.spines.right": False,
          "axes.grid": True, "grid.alpha": 0.3, "font.size": 9}
    if lang == "zh":
        rc["font.sans-serif"] = [name for name in (cjk_font(), "DejaVu Sans") if name]
        rc["axes.unicode_minus"] = False
    return rc


def save_figure(fig, path: Path) -> Path:
    """Save ``fig`` to ``path`` (folders created) without timestamps, so re-runs write identical files."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # No timestamp/software metadata, so re-running writes identical files.
    fig.savefig(path, bbox_inches="tight", metadata={"Software": None})
    return path


def group_trends(
    frame: pd.DataFrame,
    *,
    time: str,
    group: str,
    variables: Sequence[str],
    titles: Sequence[str],
    path: str | Path,
    group_order: Sequence[str] | None = None,
    note: str | None = None,
    ylabel: str | None = None,
) -> Path:
    """Mean of each variable by group and period, one panel per variable.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.regions import assign_group
    >>> from exportlens.report import group_trends
    >>> df = load_resilience_demo()
    >>> df["region"] = assign_group(df["code"], "belts3", lang="en")
    >>> path = group_trends(df, time="year", group="region", variables=["vag", "rd_intensity"],
    ...                     titles=["Vag", "R&D intensity"], path="trends.png")
    >>> path.name, path.stat().st_size > 0
    ('trends.png', True)
    """
    plt = pyplot()
    means = frame.groupby([group, time], observed=True)[list(variables)].mean().reset_index()
    order = list(group_order) if group_order is not None else sorted(means[group].unique())
    with plt.rc_context(figure_rc("zh" if any(ord(c) > 0x2E80 for t in titles for c in t) else "en")):
        fig, axes = plt.subplots(1, len(variables), figsize=(4.2 * len(variables), 3.2), squeeze=False)
        for ax, var, title in zip(axes[0], variables, titles, strict=True):
            for g in order:
                sub = means[means[group] == g]
                ax.plot(sub[time], sub[var], marker="o", markersize=3, label=str(g))
            ax.set_title(title)
            ax.set_xlabel(time)
            if ylabel:
                ax.set_ylabel(ylabel)
        axes[0][0].legend(frameon=False, fontsize=8)
        if note:
            fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out


def coefficient_plot(
    results: Sequence[ModelResult],
    term: str,
    *,
    path: str | Path,
    title: str,
    model_labels: Sequence[str] | None = None,
    note: str | None = None,
    reference: float | None = None,
    reference_label: str | None = None,
) -> Path:
    """Estimate and 95 % confidence interval of one term across models.

    ``reference`` draws a dashed line at a known value (e.g. the true coefficient of a
    synthetic data-generating process).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.econometrics import fit_panel
    >>> from exportlens.report import coefficient_plot
    >>> df = load_resilience_demo().dropna(subset=["sl"])
    >>> fits = [fit_panel(df, "sl", ["vag"], fe=fe) for fe in (None, "year", "twoway")]
    >>> path = coefficient_plot(fits, "vag", path="vag.png", title="Vag across models",
    ...                         model_labels=["pooled", "year FE", "two-way FE"], reference=0.05)
    >>> path.name, path.stat().st_size > 0
    ('vag.png', True)
    """
    plt = pyplot()
    labels = list(model_labels) if model_labels is not None else [f"({i + 1})" for i in range(len(results))]
    est, low, high, shown = [], [], [], []
    for lab, res in zip(labels, results, strict=True):
        if term not in res.coefs.index:
            warnings.warn(f"term {term!r} not in model {lab}; left out of the coefficient plot", ReportWarning, stacklevel=2)
            continue
        row = res.coefs.loc[term]
        est.append(row["estimate"])
        low.append(row["ci_low"])
        high.append(row["ci_high"])
        shown.append(lab)
    with plt.rc_context(figure_rc("zh" if any(ord(c) > 0x2E80 for c in title) else "en")):
        fig, ax = plt.subplots(figsize=(5.0, 3.2))
        x = range(len(shown))
        ax.errorbar(list(x), est, yerr=[[e - lo for e, lo in zip(est, low, strict=True)],
                                         [h - e for e, h in zip(est, high, strict=True)]],
                    fmt="o", capsize=4, color="C0")
        ax.axhline(0, color="0.4", linewidth=0.8)
        if reference is not None:
            ax.axhline(reference, color="C3", linestyle="--", linewidth=1.0, label=reference_label)
            if reference_label:
                ax.legend(frameon=False, fontsize=8)
        ax.set_xticks(list(x), shown)
        ax.set_title(title)
        if note:
            fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out
