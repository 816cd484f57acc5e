"""Figures of the spatial analysis: Moran scatter plot and LISA cluster map on the province tile grid.

Labels are in Chinese with ``lang="zh"`` when a CJK font is installed; otherwise they fall
back to English and the function returns the note of :func:`exportlens.report.figures.figure_language`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from exportlens.errors import InputError
from exportlens.regions import province_label, tile_positions
from exportlens.report.figures import figure_language, figure_rc, pyplot, save_figure

if TYPE_CHECKING:
    from exportlens.spatial.analysis import SpilloverAnalysis
    from exportlens.spatial.moran import LocalMoranResult

__all__ = ["CLUSTER_COLOURS", "lisa_cluster_map", "moran_scatter", "spillover_figures"]

#: Cluster label -> colour (GeoDa's convention: HH red, LL blue, LH light blue, HL pink, ns grey).
CLUSTER_COLOURS = {"HH": "#d7191c", "LL": "#2c7bb6", "LH": "#abd9e9", "HL": "#fdae61", "ns": "#e0e0e0"}

_TEXT = {
    "en": {"x": "standardised {v}", "y": "spatial lag of standardised {v}", "title": "Moran scatter plot of {v} (I = {i:.3f})",
           "map": "LISA clusters of {v}", "legend": "Cluster (p ≤ {a})",
           "HH": "High-High", "LL": "Low-Low", "LH": "Low-High", "HL": "High-Low", "ns": "Not significant"},
    "zh": {"x": "{v}（标准化）", "y": "{v}的空间滞后（标准化）", "title": "{v}的莫兰散点图（I = {i:.3f}）",
           "map": "{v}的LISA集聚图", "legend": "集聚类型（p ≤ {a}）",
           "HH": "高-高", "LL": "低-低", "LH": "低-高", "HL": "高-低", "ns": "不显著"},
}


def moran_scatter(
    result: LocalMoranResult,
    *,
    path: str | Path,
    lang: str = "en",
    variable_label: str | None = None,
    annotate: bool = True,
) -> tuple[Path, str | None]:
    """Moran scatter plot: standardised z against its spatial lag W z, with the OLS line
    whose slope is Moran's I for a row-standardised W (Anselin 1996). Points are coloured by
    LISA cluster. Returns the path and a font-fallback note (or None)."""
    plt = pyplot()
    lang_used, note = figure_language(lang)
    txt = _TEXT[lang_used]
    f = result.frame
    z, lag = f["z"].to_numpy(), f["lag_z"].to_numpy()
    slope = float(z @ lag / (z @ z))
    v = variable_label or result.variable
    with plt.rc_context(figure_rc(lang_used)):
        fig, ax = plt.subplots(figsize=(5.0, 4.2))
        for lab in ("ns", "LH", "HL", "LL", "HH"):
            m = (f["cluster"] == lab).to_numpy()
            if m.any():
                ax.scatter(z[m], lag[m], s=22, color=CLUSTER_COLOURS[lab], edgecolor="0.3", linewidth=0.4, label=txt[lab])
        xs = np.linspace(z.min(), z.max(), 10)
        ax.plot(xs, slope * xs, color="0.2", linewidth=1.0)
        ax.axhline(0, color="0.5", linewidth=0.7)
        ax.axvline(0, color="0.5", linewidth=0.7)
        if annotate and len(f) <= 40:
            for reg, zi, li in zip(f.index, z, lag, strict=True):
                try:
                    name = province_label(int(reg), lang_used)
                except (TypeError, ValueError, KeyError):
                    name = str(reg)
                ax.annotate(name, (zi, li), fontsize=6, xytext=(2, 2), textcoords="offset points", color="0.25")
        ax.set_xlabel(txt["x"].format(v=v))
        ax.set_ylabel(txt["y"].format(v=v))
        ax.set_title(txt["title"].format(v=v, i=slope))
        ax.legend(frameon=False, fontsize=7)
        if note:
            fig.text(0.01, -0.02, note, fontsize=6, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out, note


def lisa_cluster_map(
    result: LocalMoranResult,
    *,
    path: str | Path,
    lang: str = "en",
    variable_label: str | None = None,
    title: str | None = None,
) -> tuple[Path, str | None]:
    """LISA cluster map: one square per province on the tile grid
    (:func:`exportlens.regions.tile_positions`), coloured by cluster (HH, LL, LH, HL, ns).
    Returns the path and a font-fallback note (or None)."""
    from matplotlib.patches import Patch, Rectangle

    tiles = tile_positions()
    clusters = result.clusters()
    unknown = [r for r in clusters if r not in tiles]
    if unknown:
        raise InputError(f"Regions {unknown[:5]} have no tile: the LISA cluster map covers the 31 mainland provinces (by code).")
    plt = pyplot()
    lang_used, note = figure_language(lang)
    txt = _TEXT[lang_used]
    nrows = 1 + max(r for r, _ in tiles.values())
    ncols = 1 + max(c for _, c in tiles.values())
    first_col = min(c for _, c in tiles.values())
    with plt.rc_context(figure_rc(lang_used)):
        fig, ax = plt.subplots(figsize=(7.0, 6.0))
        for code, (r, c) in tiles.items():
            yy = nrows - 1 - r
            lab = clusters.get(code)
            face = CLUSTER_COLOURS[lab] if lab is not None else "white"
            ax.add_patch(Rectangle((c + 0.04, yy + 0.04), 0.92, 0.92, facecolor=face, edgecolor="0.6", linewidth=0.8))
            name = province_label(code, lang_used)
            name = name if lang_used == "zh" else "\n".join(textwrap.wrap(name, 9, break_long_words=False))
            ax.text(c + 0.5, yy + 0.5, name, ha="center", va="center", fontsize=7 if lang_used == "zh" else 5.6)
        ax.set_xlim(first_col, ncols)
        ax.set_ylim(0, nrows)
        ax.set_aspect("equal")
        ax.axis("off")
        v = variable_label or result.variable
        ax.set_title(title or txt["map"].format(v=v))
        handles = [Patch(facecolor=CLUSTER_COLOURS[k], edgecolor="0.6", label=txt[k]) for k in ("HH", "LL", "LH", "HL", "ns")]
        ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=7,
                  title=txt["legend"].format(a=result.alpha), title_fontsize=7)
        if note:
            ax.text(first_col, -0.1, note, fontsize=6, ha="left", va="top", color="0.35")
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out, note


def spillover_figures(
    analysis: SpilloverAnalysis,
    out_dir: str | Path,
    *,
    lang: str = "en",
    variable_label: str | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the Moran scatter plot and (for provinces) the LISA cluster map of
    :func:`exportlens.spatial.spillover_analysis` to ``out_dir``; returns the paths and notes
    (font fallback, or why the map was left out)."""
    out = Path(out_dir)
    paths: list[Path] = []
    notes: list[str] = []
    if analysis.lisa is None:
        return paths, ["no LISA result: no spatial figures"]
    p, note = moran_scatter(analysis.lisa, path=out / "moran_scatter.png", lang=lang, variable_label=variable_label)
    paths.append(p)
    tiles = tile_positions()
    if all(r in tiles for r in analysis.lisa.frame.index):
        p, note = lisa_cluster_map(analysis.lisa, path=out / "lisa_clusters.png", lang=lang, variable_label=variable_label)
        paths.append(p)
    else:
        notes.append("LISA cluster map left out: the tile grid covers the 31 mainland provinces only")
    if note:
        notes.append(note)
    return paths, notes
