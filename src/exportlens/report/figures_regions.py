"""Figures for regions that are not provinces (cities, counties, any region table).

The province figures place the 31 provinces on a tile grid; regions from a user's region table
have no tiles and no boundaries exportlens knows, so they are drawn as points at their
longitude/latitude (an equirectangular plot, longitude scaled by cos(mean latitude) so that
distances look right near the middle), coloured by the value.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from exportlens.errors import InputError
from exportlens.report.figures import figure_rc, pyplot, save_figure
from exportlens.text import localized

__all__ = ["region_point_map"]

TEXT: dict[str, dict[str, str]] = {
    "zh": {"lon": "经度", "lat": "纬度"},
    "en": {"lon": "Longitude", "lat": "Latitude"},
}


def region_point_map(
    values: Any,
    *,
    lon: Any,
    lat: Any,
    path: str | Path,
    title: str,
    lang: str = "en",
    colorbar_label: str | None = None,
    note: str | None = None,
    cmap: str = "YlOrRd",
) -> Path:
    """Points at the regions' coordinates coloured by ``values`` (missing values grey).

    ``values``, ``lon`` and ``lat`` are arrays of the same length (one entry per region,
    longitude/latitude in decimal degrees). The aspect ratio is 1/cos(mean latitude)
    (equirectangular). Returns the path of the PNG written.

    Examples
    --------
    >>> from exportlens.report.figures_regions import region_point_map
    >>> p = region_point_map([0.2, 0.5, 0.8], lon=[110.0, 115.0, 120.0], lat=[25.0, 30.0, 35.0],
    ...                      path="points.png", title="D")
    >>> p.name
    'points.png'
    """
    v = np.asarray(values, dtype=float)
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    if not (len(v) == len(x) == len(y)):
        raise InputError(f"values, longitudes and latitudes differ in length ({len(v)}, {len(x)}, {len(y)}).")
    plt = pyplot()
    ok = np.isfinite(v)
    with plt.rc_context(figure_rc(lang)):
        fig, ax = plt.subplots(figsize=(6.6, 5.4))
        size = float(np.clip(4000.0 / max(len(v), 1), 4.0, 60.0))
        if (~ok).any():
            ax.scatter(x[~ok], y[~ok], s=size, c="0.85", edgecolors="none")
        if ok.any():
            sc = ax.scatter(x[ok], y[ok], s=size, c=v[ok], cmap=cmap, edgecolors="0.3", linewidths=0.2)
            bar = fig.colorbar(sc, ax=ax, shrink=0.8)
            if colorbar_label:
                bar.set_label(colorbar_label)
        mid = float(np.nanmean(y)) if len(y) else 0.0
        ax.set_aspect(1.0 / max(np.cos(np.radians(mid)), 0.1))
        text = localized(TEXT, lang)
        ax.set_xlabel(text["lon"])
        ax.set_ylabel(text["lat"])
        ax.set_title(title)
        if note:
            fig.text(0.02, 0.01, "\n".join(textwrap.wrap(note, 110)), fontsize=6.5, color="0.35", va="bottom")
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out
