"""Figures of the linkage study: rank-frequency histograms by comprehensive economic region.

For every province the study ranks it among all provinces for each partner country and
counts how often the rank falls in each band ([1, 10], [11, 20], [21, 31] by default).
:func:`rank_frequency_histograms` draws those counts as grouped bars, one panel per
region, ``regions_per_figure`` regions per figure (the published Figures 1-4 show the
eight DRC regions two by two).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from exportlens.errors import InputError
from exportlens.report.figures import figure_rc, pyplot, save_figure

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["rank_frequency_histograms"]


def rank_frequency_histograms(
    frequency: pd.DataFrame,
    region_of: Mapping[str, str],
    *,
    region_order: Sequence[str],
    region_labels: Mapping[str, str] | None = None,
    out_dir: str | Path,
    stem: str = "figure",
    regions_per_figure: int = 2,
    title: str | None = None,
    note: str | None = None,
    xlabel: str = "",
    ylabel: str = "",
    lang: str = "en",
) -> list[Path]:
    """Grouped-bar histograms of rank frequencies, ``regions_per_figure`` regions per PNG.

    ``frequency``: one row per province (index = display label), one column per rank band
    (column labels are the legend), counts as values. ``region_of`` maps each row label to
    its region key; ``region_order`` fixes the panel order; ``region_labels`` gives panel
    titles. Files are ``out_dir/{stem}{k}.png`` for k = 1, 2, ...; returns their paths.
    Every row must have a region (a missing one raises, naming the rows).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import rank_frequency_histograms
    >>> freq = pd.DataFrame({"rank 1-5": [10, 4, 2], "rank 6-10": [3, 8, 5]},
    ...                     index=["Guangdong", "Jiangsu", "Xinjiang"])
    >>> paths = rank_frequency_histograms(
    ...     freq, {"Guangdong": "east", "Jiangsu": "east", "Xinjiang": "west"},
    ...     region_order=["east", "west"], region_labels={"east": "East", "west": "West"},
    ...     out_dir=".", stem="ranks", regions_per_figure=1)
    >>> [p.name for p in paths]
    ['ranks1.png', 'ranks2.png']
    """
    missing = [str(p) for p in frequency.index if p not in region_of]
    if missing:
        raise InputError(f"No region for row(s) {missing} of the rank-frequency table.")
    if regions_per_figure < 1:
        raise InputError("regions_per_figure must be at least 1.")
    labels = dict(region_labels or {})
    plt = pyplot()
    out: list[Path] = []
    bands = [str(c) for c in frequency.columns]
    width = 0.8 / max(len(bands), 1)
    ymax = float(frequency.to_numpy().max()) if frequency.size else 1.0
    chunks = [list(region_order[i:i + regions_per_figure]) for i in range(0, len(region_order), regions_per_figure)]
    for k, chunk in enumerate(chunks, start=1):
        with plt.rc_context(figure_rc(lang)):
            fig, axes = plt.subplots(1, len(chunk), figsize=(4.6 * len(chunk), 3.4), squeeze=False)
            for ax, region in zip(axes[0], chunk, strict=True):
                rows = [p for p in frequency.index if region_of[p] == region]
                x = np.arange(len(rows))
                for b, band in enumerate(frequency.columns):
                    ax.bar(x + (b - (len(bands) - 1) / 2) * width, frequency.loc[rows, band].to_numpy(dtype=float),
                           width=width, label=str(band), color=f"C{b}")
                ax.set_xticks(x)
                ax.set_xticklabels([str(r) for r in rows], rotation=45 if len(rows) > 4 else 0, ha="right"
                                   if len(rows) > 4 else "center")
                ax.set_ylim(0, ymax * 1.08 + 0.5)
                ax.grid(axis="x", visible=False)
                ax.set_title(labels.get(region, str(region)))
                if xlabel:
                    ax.set_xlabel(xlabel)
                if ylabel:
                    ax.set_ylabel(ylabel)
            axes[0][0].legend(frameon=False, fontsize=8)
            if title:
                fig.suptitle(f"{title} ({k}/{len(chunks)})" if len(chunks) > 1 else title, fontsize=10)
            if note:
                fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", color="0.35")
            fig.tight_layout()
            out.append(save_figure(fig, Path(out_dir) / f"{stem}{k}.png"))
            plt.close(fig)
    return out
