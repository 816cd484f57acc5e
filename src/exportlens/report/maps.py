"""Province maps: a tile-grid choropleth (no geometry needed) and, with a user-supplied boundary
file, a true boundary map.

Classes come from mapclassify (Rey, Stephens & Laura 2017, *Transactions in GIS*; the
classifier library of PySAL): ``"quantiles"`` (k classes with equal counts),
``"natural_breaks"`` (Fisher-Jenks optimal breaks, Jenks 1967 / Fisher 1958: minimise the
within-class sum of squared deviations; deterministic, unlike k-means based natural breaks)
and ``"user"`` (the caller's upper bounds). The legend lists each class as its interval and
the number of provinces in it.

Signed values (some below zero, some above, e.g. export resilience SL or a regression
residual) get a diverging palette centred at zero (blue below, red above: classes with a
negative mean in blue shades, darker further from zero, classes with a positive mean in red); non-negative values a sequential
palette. Which study variables get maps: SL and Vag (resilience), the linkage scores, DVR/PVR/FVR
(value-added), the coordination degree D (synergy).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.errors import InputError, MissingDependencyError
from exportlens.regions import province_label, resolve_province, tile_positions
from exportlens.report.figures import figure_rc, pyplot, save_figure
from exportlens.text import localized

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SCHEMES", "MapClasses", "TileMap", "boundary_map", "classify_values", "tile_map"]

#: Classification schemes -> mapclassify classifier names.
SCHEMES = {"quantiles": "Quantiles", "natural_breaks": "FisherJenks", "user": "UserDefined"}
SEQUENTIAL_PALETTE = "YlOrRd"
#: Legend entries of the tile map: a class (its interval and the number of provinces in it), no data.
TEXT: dict[str, dict[str, str]] = {
    "zh": {"class": "{interval}（{n}个省份）", "no_data": "无数据"},
    "en": {"class": "{interval} ({n} provinces)", "no_data": "n/a"},
}
DIVERGING_PALETTE = "RdBu_r"
RGBA = tuple[float, float, float, float]
_NO_DATA: RGBA = (0.88, 0.88, 0.88, 1.0)


@dataclass(frozen=True)
class MapClasses:
    """Classes of a choropleth: upper bounds ``bins`` and the class (0-based) of each value."""

    bins: tuple[float, ...]
    labels: tuple[int, ...]
    scheme: str
    lower: float

    @property
    def k(self) -> int:
        return len(self.bins)

    def intervals(self, digits: int = 2) -> list[str]:
        """``[lo, hi]`` for the first class, ``(lo, hi]`` for the others (mapclassify's convention)."""
        out, lo = [], self.lower
        for i, hi in enumerate(self.bins):
            left = "[" if i == 0 else "("
            out.append(f"{left}{lo:.{digits}f}, {hi:.{digits}f}]")
            lo = hi
        return out

    def counts(self) -> list[int]:
        return [sum(1 for c in self.labels if c == i) for i in range(self.k)]


def classify_values(
    values: Sequence[float] | np.ndarray,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
) -> MapClasses:
    """Classify values as mapclassify does (``quantiles``, ``natural_breaks`` = Fisher-Jenks, ``user``).

    ``breaks`` are the upper bounds of the classes for ``scheme="user"`` (the largest value
    is added as a last bound when it lies above them, as mapclassify does).

    ``quantiles`` and ``user`` are computed here with numpy, with mapclassify's formulas
    (:func:`_quantile_bins`; class ``i`` holds the values ``bins[i-1] < y <= bins[i]``), so that
    drawing a map does not import mapclassify, whose numba compilation takes seconds;
    ``natural_breaks`` uses ``mapclassify.FisherJenks``. The tests check every scheme
    against mapclassify.
    """
    if scheme not in SCHEMES:
        raise InputError(f"Unknown map classification scheme {scheme!r}; use one of {', '.join(SCHEMES)}.")
    y = np.asarray(values, dtype=float)
    if y.size == 0:
        raise InputError("A map needs at least one province with a value.")
    if not np.isfinite(y).all():
        raise InputError("Map values must be finite numbers; drop or fill missing values first (provinces without a value are drawn grey).")
    if scheme == "user":
        if breaks is None or len(breaks) == 0:
            raise InputError('scheme="user" needs breaks=[upper bound of each class].')
        if list(breaks) != sorted(breaks):
            raise InputError(f"Map breaks must increase; got {list(breaks)}.")
        bins = np.asarray(breaks, dtype=float)
        if bins[-1] < y.max():
            bins = np.append(bins, y.max())
    else:
        if breaks is not None:
            raise InputError(f'breaks are only used with scheme="user", not {scheme!r}.')
        n_unique = len(np.unique(y))
        kk = min(k, n_unique)
        if kk < 1:
            raise InputError(f"k must be at least 1; got {k}.")
        if scheme == "quantiles":
            bins = _quantile_bins(y, kk)
        else:
            import mapclassify

            bins = np.asarray(getattr(mapclassify, SCHEMES[scheme])(y, k=kk).bins, dtype=float)
    # mapclassify's bin1d: class i holds bins[i-1] < y <= bins[i] (values above the last bound: class 0)
    labels = np.searchsorted(bins, y, side="left")
    labels[labels == len(bins)] = 0
    return MapClasses(bins=tuple(float(b) for b in bins), labels=tuple(int(v) for v in labels),
                      scheme=scheme, lower=float(y.min()))


def _quantile_bins(y: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of ``k`` quantile classes, as ``mapclassify.classifiers.quantile`` computes them.

    Percentiles ``p = 100/k, 200/k, ..., 100`` of ``y`` by linear interpolation between order
    statistics (``scipy.stats.scoreatpercentile``: position ``p/100 (n-1)`` in the sorted
    values, ``(a (1 - f) + b f) / ((1 - f) + f)`` with ``f`` its fractional part), repeated bounds merged (fewer
    classes when values tie). Hyndman & Fan (1996) definition 7; Rey, Stephens & Laura (2017).
    """
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    s = np.sort(y)
    out = []
    for pct in p:
        idx = pct / 100.0 * (s.size - 1)
        i = int(idx)
        if idx == i:
            out.append(s[i])
        else:  # scipy's weighted form, operation for operation (same rounding)
            weights = np.array([(i + 1 - idx), (idx - i)], float)
            out.append(np.add.reduce(s[i:i + 2] * weights) / weights.sum())
    return np.unique(np.asarray(out, dtype=float))


@dataclass
class TileMap:
    """A drawn tile map: file, classes, palette and the colour of each province tile."""

    path: Path
    classes: MapClasses
    values: dict[int, float]
    palette: str
    diverging: bool
    colours: dict[int, RGBA] = field(default_factory=dict)
    drawn: tuple[int, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        codes = sorted(self.drawn)
        cls = dict(zip(sorted(self.values), self.classes.labels, strict=True))
        return pd.DataFrame({
            "code": codes,
            "value": [self.values.get(c, math.nan) for c in codes],
            "class": [cls.get(c, -1) for c in codes],
        })

    def summary(self) -> str:
        kind = "diverging" if self.diverging else "sequential"
        counts = ", ".join(f"{iv}: {n}" for iv, n in zip(self.classes.intervals(), self.classes.counts(), strict=True))
        return (f"Tile map {self.path.name}: {len(self.values)} provinces with values of {len(self.drawn)} drawn; "
                f"{self.classes.scheme}, {self.classes.k} classes ({counts}); {kind} palette {self.palette}")


def _codes_values(values: Mapping[Any, float] | pd.Series, allowed: set[int], where: str) -> dict[int, float]:
    data: dict[int, float] = {}
    for key, v in dict(values).items():
        code = resolve_province(key).code
        if code not in allowed:
            raise InputError(f"{key!r} ({code}) has no place on the {where}; pass include_non_mainland=True for Hong Kong, Macao and Taiwan.")
        if code in data:
            raise InputError(f"Province {key!r} ({code}) is given twice in the map values.")
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue  # no value: the tile is drawn grey, marked n/a
        data[code] = float(v)
    return data


def _class_colours(classes: MapClasses, y: np.ndarray, diverging: bool) -> tuple[list[RGBA], str]:
    from matplotlib import colormaps

    if diverging:
        cmap = colormaps[DIVERGING_PALETTE]
        lab = np.asarray(classes.labels)
        means = [float(y[lab == i].mean()) if (lab == i).any() else classes.bins[i] for i in range(classes.k)]
        neg = sorted((m for m in means if m < 0), reverse=True)  # nearest zero first
        pos = sorted(m for m in means if m > 0)
        # blue shades below zero, red above, each side evenly spaced from light to dark;
        # a class whose mean is exactly zero is the neutral centre
        def position(m: float) -> float:
            if m < 0:
                return 0.5 - 0.4 * (neg.index(m) + 1) / len(neg)
            if m > 0:
                return 0.5 + 0.4 * (pos.index(m) + 1) / len(pos)
            return 0.5

        return [cmap(position(m)) for m in means], DIVERGING_PALETTE
    cmap = colormaps[SEQUENTIAL_PALETTE]
    return [cmap(x) for x in np.linspace(0.12, 0.9, classes.k)], SEQUENTIAL_PALETTE


def _tile_label(code: int, lang: str) -> str:
    name = province_label(code, lang)
    return name if lang == "zh" else "\n".join(textwrap.wrap(name, 9, break_long_words=False))


def tile_map(
    values: Mapping[Any, float] | pd.Series,
    path: str | Path,
    title: str,
    lang: str = "zh",
    *,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    diverging: bool | None = None,
    include_non_mainland: bool = False,
    legend_title: str | None = None,
    note: str | None = None,
    digits: int = 2,
) -> TileMap:
    """Tile-grid choropleth of a province-level variable, one square per province.

    ``values`` maps province codes (or any spelling :func:`exportlens.regions.resolve_province`
    resolves) to numbers; provinces without a value are drawn grey and marked "n/a". Tiles
    are placed by :func:`exportlens.regions.tile_positions`; classes by
    :func:`classify_values` (mapclassify). ``diverging=None`` chooses the diverging palette
    when the values have both signs. Each tile shows the short province name (Chinese for
    ``lang="zh"``) and the value. Returns a :class:`TileMap`.
    """
    from matplotlib.patches import Patch, Rectangle

    positions = tile_positions(include_non_mainland=include_non_mainland)
    data = _codes_values(values, set(positions), "tile map")
    codes = sorted(data)
    y = np.array([data[c] for c in codes])
    classes = classify_values(y, scheme=scheme, k=k, breaks=breaks)
    if diverging is None:
        diverging = bool(y.min() < 0 < y.max())
    colours, palette = _class_colours(classes, y, diverging)
    tile_colour = {c: colours[classes.labels[i]] for i, c in enumerate(codes)}
    plt = pyplot()
    nrows = 1 + max(r for r, _ in positions.values())
    first_col = min(c for _, c in positions.values())
    ncols = 1 + max(c for _, c in positions.values())
    drawn: list[int] = []
    with plt.rc_context(figure_rc(lang)):
        fig, ax = plt.subplots(figsize=(7.6, 6.0))
        for code, (r, c) in sorted(positions.items()):
            yy = nrows - 1 - r
            face = tile_colour.get(code, _NO_DATA)
            ax.add_patch(Rectangle((c + 0.04, yy + 0.04), 0.92, 0.92, facecolor=face, edgecolor="white", linewidth=1.0))
            drawn.append(code)
            dark = code in tile_colour and (0.299 * face[0] + 0.587 * face[1] + 0.114 * face[2]) < 0.5
            ink = "white" if dark else "black"
            value = f"{data[code]:.{digits}f}" if code in data else "n/a"
            ax.text(c + 0.5, yy + 0.62, _tile_label(code, lang), ha="center", va="center",
                    fontsize=7 if lang == "zh" else 5.6, linespacing=0.9, color=ink)
            ax.text(c + 0.5, yy + 0.24, value, ha="center", va="center", fontsize=7, color=ink)
        ax.set_xlim(first_col, ncols)
        ax.set_ylim(0, nrows)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title)
        text = localized(TEXT, lang)
        handles = [Patch(facecolor=colours[i], label=text["class"].format(interval=iv, n=n))
                   for i, (iv, n) in enumerate(zip(classes.intervals(digits), classes.counts(), strict=True))]
        if len(data) < len(positions):
            handles.append(Patch(facecolor=_NO_DATA, label=text["no_data"]))
        ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=6.5,
                  title=legend_title, title_fontsize=7)
        if note:
            ax.text(first_col, -0.1, note, fontsize=6.5, ha="left", va="top", color="0.35")
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return TileMap(path=out, classes=classes, values=data, palette=palette, diverging=diverging,
                   colours=tile_colour, drawn=tuple(drawn))


def boundary_map(
    values: Mapping[Any, float] | pd.Series,
    boundaries: str | Path,
    path: str | Path,
    title: str,
    lang: str = "zh",
    *,
    key_column: str,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    diverging: bool | None = None,
    legend_title: str | None = None,
) -> Path:
    """Choropleth on true province boundaries from a GeoJSON/Shapefile the user supplies.

    ``key_column`` is the column of the boundary file that names or codes the province
    (anything :func:`exportlens.regions.resolve_province` resolves). Needs geopandas: install
    the ``maps`` extra (``pip install "exportlens[maps]"``). Classes and palettes as in
    :func:`tile_map`.
    """
    try:
        import geopandas as gpd
    except ImportError as exc:
        raise MissingDependencyError(
            'Boundary maps need geopandas, which is not installed; install the maps extra with pip install "exportlens[maps]" (or use tile_map, which needs no boundary file).'
        ) from exc
    from matplotlib.patches import Patch

    shapes = gpd.read_file(boundaries)
    if key_column not in shapes.columns:
        raise InputError(f"Column {key_column!r} is not in the boundary file {boundaries}; its columns are {list(shapes.columns)}.")
    shapes["code"] = [resolve_province(v).code for v in shapes[key_column]]
    data = _codes_values(values, set(shapes["code"]), "boundary map")
    codes = sorted(data)
    y = np.array([data[c] for c in codes])
    classes = classify_values(y, scheme=scheme, k=k, breaks=breaks)
    if diverging is None:
        diverging = bool(y.min() < 0 < y.max())
    colours, _ = _class_colours(classes, y, diverging)
    colour_of = {c: colours[classes.labels[i]] for i, c in enumerate(codes)}
    shapes["colour"] = [colour_of.get(c, _NO_DATA) for c in shapes["code"]]
    plt = pyplot()
    with plt.rc_context(figure_rc(lang)):
        fig, ax = plt.subplots(figsize=(7.6, 6.0))
        shapes.plot(ax=ax, color=list(shapes["colour"]), edgecolor="white", linewidth=0.4)
        ax.set_axis_off()
        ax.set_title(title)
        handles = [Patch(facecolor=colours[i], label=iv) for i, iv in enumerate(classes.intervals())]
        ax.legend(handles=handles, loc="lower left", frameon=False, fontsize=6.5, title=legend_title, title_fontsize=7)
        out = save_figure(fig, Path(path))
        plt.close(fig)
    return out
