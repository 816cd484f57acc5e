"""Figures of the synergy (coupling coordination) study: a tile-grid "map" of the provinces
coloured by the coordination band, and the distribution of the bands over time.

The tile grid places each of the 31 mainland provinces on one square of an 8 x 8 grid,
keeping the rough geographic arrangement (Heilongjiang top right, Xinjiang and Tibet left,
Hainan at the bottom) so that a reader finds a province where the map has it, without
shapefiles or map projections. Trend figures by region group reuse
:func:`exportlens.report.figures.group_trends`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from exportlens.errors import InputError
from exportlens.measures.coupling import (
    COORDINATION_BANDS,
    BandConvention,
    classify_coordination,
    coordination_bands,
)
from exportlens.regions import province_label, resolve_province
from exportlens.report.figures import figure_rc, pyplot, save_figure

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PROVINCE_TILES", "band_colours", "band_distribution_plot", "coordination_tile_map"]

#: (row, column) of each province's tile, keyed by GB/T 2260 code; row 0 is the top.
PROVINCE_TILES: dict[int, tuple[int, int]] = {
    230000: (0, 7),                                                   # 黑龙江
    150000: (1, 4), 110000: (1, 5), 220000: (1, 7),                   # 内蒙古 北京 吉林
    650000: (2, 1), 640000: (2, 3), 140000: (2, 4), 130000: (2, 5),   # 新疆 宁夏 山西 河北
    120000: (2, 6), 210000: (2, 7),                                   # 天津 辽宁
    630000: (3, 1), 620000: (3, 2), 610000: (3, 3), 410000: (3, 4),   # 青海 甘肃 陕西 河南
    370000: (3, 5),                                                   # 山东
    540000: (4, 1), 510000: (4, 2), 500000: (4, 3), 420000: (4, 4),   # 西藏 四川 重庆 湖北
    340000: (4, 5), 320000: (4, 6),                                   # 安徽 江苏
    530000: (5, 2), 520000: (5, 3), 430000: (5, 4), 360000: (5, 5),   # 云南 贵州 湖南 江西
    330000: (5, 6), 310000: (5, 7),                                   # 浙江 上海
    450000: (6, 3), 440000: (6, 4), 350000: (6, 5),                   # 广西 广东 福建
    460000: (7, 4),                                                   # 海南
}


def band_colours() -> list[tuple[float, float, float, float]]:
    """One colour per coordination band (red = imbalance ... green = coordination)."""
    from matplotlib import colormaps

    cmap = colormaps["RdYlGn"]
    return [cmap(x) for x in np.linspace(0.05, 0.95, len(COORDINATION_BANDS))]


def _tile_label(code: int, lang: str) -> str:
    name = province_label(code, lang)
    return name if lang == "zh" else "\n".join(textwrap.wrap(name, 9, break_long_words=False))


def coordination_tile_map(
    values: Mapping[int, float] | pd.Series,
    *,
    path: str | Path,
    title: str,
    lang: str = "en",
    note: str | None = None,
    legend_title: str | None = None,
    bands: BandConvention = "left",
) -> Path:
    """Tile-grid map of the coordination degree D by province, coloured by its band
    (``bands``: the band convention of :func:`exportlens.measures.coupling.coordination_bands`).

    ``values`` maps GB/T 2260 province codes (or anything
    :func:`exportlens.regions.resolve_province` resolves) to D in [0, 1]. Provinces without
    a value are drawn grey and marked "n/a". Each tile shows the province's short name
    (Chinese with ``lang="zh"``, English otherwise; the caller decides via
    :func:`exportlens.report.figures.figure_language`) and D with two decimals. The legend
    lists the bands that occur.

    Examples
    --------
    >>> from exportlens.report import coordination_tile_map
    >>> values = {110000: 0.82, 310000: 0.77, 440000: 0.69, 650000: 0.35}
    >>> path = coordination_tile_map(values, path="tiles.png", title="Coordination degree D")
    >>> path.name, path.stat().st_size > 0
    ('tiles.png', True)
    """
    from matplotlib.patches import Patch, Rectangle

    data: dict[int, float] = {}
    for key, v in dict(values).items():
        code = resolve_province(key).code
        if code not in PROVINCE_TILES:
            raise InputError(f"{key!r} ({code}) has no tile: the tile map covers the 31 mainland provinces.")
        if code in data:
            raise InputError(f"Province {key!r} ({code}) is given twice.")
        data[code] = float(v)
    levels = {c: int(classify_coordination(v, bands=bands)) for c, v in data.items()}
    table = coordination_bands(bands)
    colours = band_colours()
    plt = pyplot()
    nrows = 1 + max(r for r, _ in PROVINCE_TILES.values())
    first_col = min(c for _, c in PROVINCE_TILES.values())
    ncols = 1 + max(c for _, c in PROVINCE_TILES.values())
    with plt.rc_context(figure_rc(lang)):
        fig, ax = plt.subplots(figsize=(7.6, 6.0))
        for code, (r, c) in PROVINCE_TILES.items():
            y = nrows - 1 - r
            face = colours[levels[code] - 1] if code in data else (0.88, 0.88, 0.88, 1.0)
            ax.add_patch(Rectangle((c + 0.04, y + 0.04), 0.92, 0.92, facecolor=face, edgecolor="white", linewidth=1.0))
            value = f"{data[code]:.2f}" if code in data else "n/a"
            ax.text(c + 0.5, y + 0.62, _tile_label(code, lang), ha="center", va="center",
                    fontsize=7 if lang == "zh" else 5.6, linespacing=0.9)
            ax.text(c + 0.5, y + 0.24, value, ha="center", va="center", fontsize=7, fontweight="bold")
        ax.set_xlim(first_col, ncols)
        ax.set_ylim(0, nrows)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title)
        present = sorted(set(levels.values()))
        handles = [Patch(facecolor=colours[k - 1], label=f"{table[k - 1].label(lang)} "
                         f"{table[k - 1].interval()}") for k in present]
        if handles:
            ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=6.5,
                      title=legend_title, title_fontsize=7)
        if note:
            ax.text(first_col, -0.1, note, fontsize=6.5, ha="left", va="top", color="0.35")
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out


def band_distribution_plot(
    counts: pd.DataFrame,
    *,
    path: str | Path,
    title: str,
    lang: str = "en",
    xlabel: str | None = None,
    ylabel: str | None = None,
    note: str | None = None,
    band_labels: Sequence[str] | None = None,
) -> Path:
    """Stacked bars of the number of provinces in each coordination band, one bar per period.

    ``counts``: rows = periods, columns = the ten bands in order (as
    :meth:`exportlens.measures.coupling.CouplingCoordination.band_counts` returns with
    ``by=`` the period column). Bands that never occur are left out of the legend.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.measures import coupling_coordination
    >>> from exportlens.report import band_distribution_plot
    >>> frame = pd.DataFrame({"code": [110000, 310000, 650000] * 2, "year": [2013] * 3 + [2022] * 3,
    ...                       "ecommerce": [0.5, 0.6, 0.1, 0.8, 0.9, 0.3],
    ...                       "clusters": [0.4, 0.7, 0.2, 0.7, 0.8, 0.4]})
    >>> cc = coupling_coordination(frame, ["ecommerce", "clusters"], keys=["code", "year"])
    >>> counts = cc.band_counts(by="year", lang="en")
    >>> counts.shape
    (2, 10)
    >>> path = band_distribution_plot(counts, path="bands.png", title="Coordination bands")
    >>> path.name, path.stat().st_size > 0
    ('bands.png', True)
    """
    if counts.shape[1] != len(COORDINATION_BANDS):
        raise InputError(f"counts must have one column per band ({len(COORDINATION_BANDS)}); got {counts.shape[1]}.")
    labels = list(band_labels) if band_labels is not None else [b.label(lang) for b in COORDINATION_BANDS]
    colours = band_colours()
    plt = pyplot()
    with plt.rc_context(figure_rc(lang)):
        fig, ax = plt.subplots(figsize=(6.4, 3.4))
        x = np.arange(len(counts))
        bottom = np.zeros(len(counts))
        for k in range(counts.shape[1]):
            h = counts.iloc[:, k].to_numpy(dtype=float)
            if h.sum() == 0:
                continue
            ax.bar(x, h, bottom=bottom, color=colours[k], label=labels[k], width=0.75, edgecolor="white", linewidth=0.5)
            bottom += h
        ax.set_xticks(x, [str(i) for i in counts.index])
        ax.set_title(title)
        if xlabel:
            ax.set_xlabel(xlabel)
        if ylabel:
            ax.set_ylabel(ylabel)
        ax.grid(axis="x", visible=False)
        handles, names = ax.get_legend_handles_labels()
        # reversed so that the legend reads top-down like the stack
        ax.legend(handles[::-1], names[::-1], frameon=False, fontsize=6.5, bbox_to_anchor=(1.01, 1.0), loc="upper left")
        if note:
            fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out
