"""Figures of the value-added study: DVR/PVR/FVR stacked bars and the source-matrix heatmap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from exportlens.errors import InputError
from exportlens.report.figures import figure_rc, pyplot, save_figure

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["share_bars", "source_heatmap", "top_regions_matrix"]

_SHARE_COLOURS = ("#2b6a99", "#7fb3d5", "#e39b4f")


def share_bars(
    shares: Mapping[str, pd.DataFrame],
    *,
    path: str | Path,
    title: str,
    legend: Sequence[str],
    lang: str = "en",
    note: str | None = None,
) -> Path:
    """Horizontal stacked bars of three shares (e.g. DVR, PVR, FVR) by region, one panel per key.

    ``shares`` maps a panel title (e.g. a year) to a frame indexed by region label with
    exactly three share columns in stacking order; every panel uses the row order of the
    first frame. Shares are drawn in percent.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import share_bars
    >>> shares = {"2012": pd.DataFrame({"DVR": [0.7, 0.6], "PVR": [0.2, 0.25], "FVR": [0.1, 0.15]},
    ...                                index=["Guangdong", "Sichuan"])}
    >>> path = share_bars(shares, path="shares.png", title="Value-added shares",
    ...                   legend=["domestic", "other provinces", "foreign"])
    >>> path.name, path.stat().st_size > 0
    ('shares.png', True)
    """
    if not shares:
        raise InputError("share_bars needs at least one panel.")
    frames = list(shares.values())
    if any(f.shape[1] != 3 for f in frames):
        raise InputError("Each panel needs exactly three share columns (stacking order).")
    plt = pyplot()
    order = list(frames[0].index)
    height = max(3.0, 0.2 * len(order) + 1.2)
    with plt.rc_context(figure_rc(lang)):
        fig, axes = plt.subplots(1, len(frames), figsize=(3.0 * len(frames) + 1.2, height), sharey=True, squeeze=False)
        ypos = np.arange(len(order))
        for ax, (panel, frame) in zip(axes[0], shares.items(), strict=True):
            data = frame.reindex(order).to_numpy(dtype=float) * 100.0
            left = np.zeros(len(order))
            for k in range(3):
                values = np.nan_to_num(data[:, k])
                ax.barh(ypos, values, left=left, color=_SHARE_COLOURS[k], height=0.75, label=legend[k])
                left += values
            ax.set_title(str(panel))
            ax.set_xlim(0, 100)
            ax.set_xlabel("%")
            ax.grid(axis="y", visible=False)
        axes[0][0].set_yticks(ypos, [str(o) for o in order])
        axes[0][0].invert_yaxis()
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 1.0))
        fig.suptitle(title, y=1.04)
        if note:
            fig.text(0.01, -0.01, note, fontsize=7, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out


def source_heatmap(
    matrix: pd.DataFrame,
    *,
    path: str | Path,
    title: str,
    xlabel: str,
    ylabel: str,
    colorbar_label: str,
    lang: str = "en",
    note: str | None = None,
) -> Path:
    """Heatmap of a source x exporter matrix (e.g. each province's share in another's PVA), in percent.

    NaN cells (e.g. a diagonal that is not part of the measure) are drawn in grey.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from exportlens.report import source_heatmap
    >>> names = ["Beijing", "Shanghai", "Guangdong"]
    >>> m = pd.DataFrame([[np.nan, 0.3, 0.2], [0.5, np.nan, 0.8], [0.5, 0.7, np.nan]],
    ...                  index=names, columns=names)
    >>> path = source_heatmap(m, path="sources.png", title="Source of PVA", xlabel="exporter",
    ...                       ylabel="source", colorbar_label="share (%)")
    >>> path.name, path.stat().st_size > 0
    ('sources.png', True)
    """
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise InputError("source_heatmap needs a non-empty matrix.")
    plt = pyplot()
    data = matrix.to_numpy(dtype=float) * 100.0
    side = max(4.0, 0.22 * max(matrix.shape) + 2.0)
    with plt.rc_context(figure_rc(lang)):
        fig, ax = plt.subplots(figsize=(side + 1.0, side))
        masked = np.ma.masked_invalid(data)
        cmap = plt.get_cmap("YlOrRd").with_extremes(bad="0.85")  # missing cells (excluded diagonal) in grey
        image = ax.imshow(masked, cmap=cmap, aspect="auto", vmin=0.0)
        ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=90, fontsize=7)
        ax.set_yticks(range(matrix.shape[0]), [str(r) for r in matrix.index], fontsize=7)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(False)
        bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label(colorbar_label)
        if note:
            fig.text(0.01, -0.01, note, fontsize=7, ha="left", va="top", color="0.35")
        fig.tight_layout()
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out


def top_regions_matrix(levels: pd.DataFrame, top: int, *, other: str = "Other") -> pd.DataFrame:
    """Column shares of a source x exporter matrix of levels with only its ``top`` regions kept
    and every other region summed into one row and one column ``other``.

    ``levels`` holds amounts (e.g. PVA_ji, the value added of source j in the exports of
    exporter i, diagonal zero); the regions kept are the ``top`` with the largest row sum plus
    column sum (amount sent plus amount received), in that order. With A the 0/1 matrix mapping
    each source to itself or to ``other`` (and B the same for the exporters), the collapsed
    amounts are C = Aᵀ L B and the cells shown are the column shares C_kj / Σ_k C_kj, so each
    column still sums to one and a kept exporter's shares are its own shares (the rows of the
    other sources summed). A kept region's cell with itself is NaN (not part of the measure);
    the ``other`` x ``other`` cell is the flows between distinct other regions.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import top_regions_matrix
    >>> names = ["A", "B", "C", "D"]
    >>> levels = pd.DataFrame([[0, 5, 1, 1], [6, 0, 1, 1], [1, 1, 0, 2], [1, 1, 2, 0]],
    ...                       index=names, columns=names, dtype=float)
    >>> print(top_regions_matrix(levels, 2).round(3))
              A      B  Other
    A       NaN  0.714   0.25
    B      0.75    NaN   0.25
    Other  0.25  0.286   0.50
    """
    if top < 1:
        raise InputError(f"top_regions_matrix keeps at least one region, not top={top}.")
    value = levels.sum(axis=1).add(levels.sum(axis=0), fill_value=0.0)
    kept = list(value.sort_values(ascending=False, kind="stable").index[:top])
    rows = [r for r in kept if r in levels.index]
    cols = [c for c in kept if c in levels.columns]
    keep = set(kept)
    row_key = levels.index.map(lambda r: r if r in keep else other)  # an Index: grouping values, not labels
    col_key = levels.columns.map(lambda c: c if c in keep else other)
    collapsed = levels.groupby(row_key, sort=False).sum().T.groupby(col_key, sort=False).sum().T
    collapsed = collapsed.reindex(index=[*rows, *([other] if len(rows) < len(levels.index) else [])],
                                  columns=[*cols, *([other] if len(cols) < len(levels.columns) else [])])
    total = collapsed.sum(axis=0)
    shares = collapsed.div(total.where(total > 0), axis=1)
    for r in rows:
        if r in shares.columns:
            shares.loc[r, r] = np.nan
    shares.index.name, shares.columns.name = levels.index.name, levels.columns.name
    return shares
