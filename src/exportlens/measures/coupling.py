"""Coupling coordination degree of two or more subsystems (耦合协调度模型).

For n subsystems with development indices U_1 ... U_n in [0, 1] (e.g. cross-border
e-commerce U1 and industrial clusters U2, each an entropy-weighted composite index):

    coupling degree          C = n · (Π_i U_i)^(1/n) / Σ_i U_i            (standard form)
    comprehensive index      T = Σ_i a_i U_i,   a_i ≥ 0, Σ a_i = 1
    coordination degree      D = √(C · T)

With two systems C = 2√(U1 U2)/(U1 + U2). The corrected coupling degree of Wang Shujia et
al. (2021) is available as ``method="corrected"`` (see :func:`coupling_degree` for the
formula and why it exists). D is classified into the ten standard bands
(:data:`COORDINATION_BANDS`, 极度失调 ... 优质协调) and C into the four coupling stages
(:data:`COUPLING_STAGES`); :func:`lagging_subsystem` says which subsystem lags
(relative development).

Why the standard form, and not the ones often printed
-----------------------------------------------------
n·(Π U_i)^(1/n)/Σ U_i is the ratio of the geometric to the arithmetic mean of the U_i. By the
AM-GM inequality it lies in [0, 1], equals 1 exactly when all subsystems are equally
developed and 0 when one of them is 0 - which is what a coupling degree should do. Two
variants that circulate in the literature break this (刘春林 2017 counted that about half
of 379 papers computed C wrongly; Wang et al. 2021 list the same "lost coefficient" and
"wrong formula" errors):

* dropping the leading factor n, C = (Π U_i)^(1/n)/Σ U_i, caps C at 1/n (0.5 for two
  systems), so every observation lands in the "antagonism" stage or below;
* the three-system form 3·[U1U2U3 / ((U1+U2)(U2+U3)(U1+U3))]^(1/3) is 1.5, not 1, when the
  three subsystems are equal (U³/(2U)³ = 1/8), so "C" exceeds 1.

References
----------
* 廖重斌 (1999) 环境与经济协调发展的定量评判及其分类体系——以珠江三角洲城市群为例.
  热带地理 19(2): 171-177 (coordination degree D and its classification into bands).
* 王淑佳, 孔伟, 任亮, 治丹丹, 戴彬 (2021) 国内耦合协调度模型的误区及修正. 自然资源学报
  36(3): 793-810 (normative formula, common errors, corrected coupling degree).
* 刘春林 (2017) 耦合度计算的常见错误分析. 江苏师范大学学报(自然科学版).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from exportlens.errors import InputError
from exportlens.validation import format_list, require_columns, row_ref, row_refs

__all__ = [
    "COORDINATION_BANDS",
    "COORDINATION_BANDS_RIGHT",
    "COUPLING_STAGES",
    "EDGE_TOLERANCE",
    "SYNCHRONOUS",
    "Band",
    "BandConvention",
    "CouplingCoordination",
    "classify_coordination",
    "classify_coupling",
    "comprehensive_index",
    "coordination_bands",
    "coordination_degree",
    "coupling_coordination",
    "coupling_degree",
    "lagging_subsystem",
]

CouplingMethod = Literal["standard", "corrected"]

#: Values this close to a band edge are treated as lying on the edge. D = √(C·T) and the
#: weighted sums behind the U_i are computed in floating point, so a D that is 0.6 on paper
#: can come out as 0.5999999999999999; without the tolerance it would fall in the band below.
EDGE_TOLERANCE = 1e-9

#: Inputs at most this far outside [0, 1] are rounding error of a weighted sum (weights
#: that add up to 1 ± 1e-16) and are clipped to the interval; anything further out raises.
_BOUND_TOLERANCE = 1e-12

#: Value of the ``lagging`` column when no subsystem lags (see :func:`lagging_subsystem`).
SYNCHRONOUS = "synchronous"


@dataclass(frozen=True)
class Band:
    """One class of a classification: an interval of values with Chinese and English names.

    ``closed`` says which end belongs to the band: ``"left"`` for [lower, upper),
    ``"right"`` for (lower, upper], ``"both"`` for [lower, upper].

    Examples
    --------
    >>> from exportlens.measures import COORDINATION_BANDS, COUPLING_STAGES
    >>> band = COORDINATION_BANDS[5]
    >>> band.level, band.label(), band.label("en"), band.interval()
    (6, '勉强协调', 'Barely coordinated', '[0.5, 0.6)')
    >>> band.contains(0.5), band.contains(0.6)
    (True, False)
    >>> [stage.interval() for stage in COUPLING_STAGES]
    ['[0, 0.3]', '(0.3, 0.5]', '(0.5, 0.8]', '(0.8, 1]']
    """

    level: int
    lower: float
    upper: float
    closed: Literal["left", "right", "both"]
    name_zh: str
    name_en: str

    def label(self, lang: str = "zh") -> str:
        """Name in ``lang`` ("zh" or "en")."""
        return self.name_zh if lang == "zh" else self.name_en

    def interval(self) -> str:
        """The interval as text, e.g. ``[0.5, 0.6)``."""
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        return f"{left}{self.lower:g}, {self.upper:g}{right}"

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the band (exact comparison, no tolerance)."""
        above = value >= self.lower if self.closed in ("left", "both") else value > self.lower
        below = value <= self.upper if self.closed in ("right", "both") else value < self.upper
        return bool(above and below)


_BAND_NAMES = (
    ("极度失调", "Extreme imbalance"),
    ("严重失调", "Severe imbalance"),
    ("中度失调", "Moderate imbalance"),
    ("轻度失调", "Mild imbalance"),
    ("濒临失调", "Verge of imbalance"),
    ("勉强协调", "Barely coordinated"),
    ("初级协调", "Primary coordination"),
    ("中级协调", "Intermediate coordination"),
    ("良好协调", "Good coordination"),
    ("优质协调", "High-quality coordination"),
)

#: The ten standard classes of the coordination degree D (廖重斌 1999, in 0.1 steps as used
#: throughout the Chinese literature). Every band is closed on the left and open on the
#: right, [0.5, 0.6) = 勉强协调, as in the usual wording "0.50-0.59"; the last band is closed on
#: both sides so that D = 1.0 is 优质协调.
COORDINATION_BANDS: tuple[Band, ...] = tuple(
    Band(level=k + 1, lower=round(k / 10, 1), upper=round((k + 1) / 10, 1),
         closed="both" if k == 9 else "left", name_zh=zh, name_en=en)
    for k, (zh, en) in enumerate(_BAND_NAMES)
)

#: The same ten bands closed on the RIGHT, (0.5, 0.6] = 勉强协调, as part of the literature
#: writes them ("0.5 < D ≤ 0.6"); the first band is closed on both sides so that D = 0 is
#: 极度失调. Choose with ``bands="right"`` (:func:`coordination_bands`).
COORDINATION_BANDS_RIGHT: tuple[Band, ...] = tuple(
    Band(level=k + 1, lower=round(k / 10, 1), upper=round((k + 1) / 10, 1),
         closed="both" if k == 0 else "right", name_zh=zh, name_en=en)
    for k, (zh, en) in enumerate(_BAND_NAMES)
)

BandConvention = Literal["left", "right"]


def coordination_bands(closed: BandConvention = "left") -> tuple[Band, ...]:
    """The ten D bands with edges closed on the ``"left"`` ([0.5, 0.6), default, the usual
    "0.50-0.59") or on the ``"right"`` ((0.5, 0.6], "0.5 < D ≤ 0.6")."""
    if closed == "left":
        return COORDINATION_BANDS
    if closed == "right":
        return COORDINATION_BANDS_RIGHT
    raise InputError(f"The band convention must be 'left' ([0.5, 0.6)) or 'right' ((0.5, 0.6]), not {closed!r}.")


#: The four stages of the coupling degree C: 0 ≤ C ≤ 0.3 low-level coupling, 0.3 < C ≤ 0.5
#: antagonism, 0.5 < C ≤ 0.8 running-in, 0.8 < C ≤ 1 high-level coupling. The bands are
#: closed on the RIGHT (unlike the D bands) because the stages are defined that way in the
#: literature ("C ≤ 0.3 低水平耦合 ... C > 0.8 高水平耦合"); the first includes C = 0.
COUPLING_STAGES: tuple[Band, ...] = (
    Band(1, 0.0, 0.3, "both", "低水平耦合", "Low-level coupling"),
    Band(2, 0.3, 0.5, "right", "拮抗", "Antagonism"),
    Band(3, 0.5, 0.8, "right", "磨合", "Running-in"),
    Band(4, 0.8, 1.0, "right", "高水平耦合", "High-level coupling"),
)


# --- input checks -----------------------------------------------------------------------


def _as_matrix(U: Any, names: Sequence[str] | None = None) -> tuple[np.ndarray, bool, list[str]]:
    """U as a float (observations × subsystems) array; flag whether a single observation was given."""
    if isinstance(U, pd.DataFrame):
        names = [str(c) for c in U.columns]
        arr = U.to_numpy(dtype=float, na_value=np.nan)
        single = False
    else:
        arr = np.asarray(U, dtype=float)
        single = arr.ndim == 1
        if single:
            arr = arr[None, :]
    if arr.ndim != 2:
        raise InputError(f"U must be one observation (n subsystems) or a 2-D array (observations × subsystems); got {arr.ndim} dimensions.")
    n = arr.shape[1]
    names = list(names) if names is not None else [f"U{i + 1}" for i in range(n)]
    if len(names) != n:
        raise InputError(f"{len(names)} subsystem names for {n} subsystems.")
    if n < 2:
        raise InputError(f"Coupling needs at least two subsystems; got {n}.")
    return arr, single, names


def _rows_text(rows: Any, labels: Sequence[Any] | None, limit: int = 10) -> str:
    idx = np.flatnonzero(rows)
    return format_list((str(labels[int(i)]) if labels is not None else row_ref(i) for i in idx), limit)


def _check_indices(arr: np.ndarray, names: Sequence[str], labels: Sequence[Any] | None = None) -> np.ndarray:
    """Reject missing values, values outside [0, 1] and all-zero observations/subsystems."""
    missing = np.isnan(arr)
    if missing.any():
        parts = [f"{names[j]}: {_rows_text(missing[:, j], labels)}" for j in range(arr.shape[1]) if missing[:, j].any()]
        raise InputError("Subsystem indices have missing values (fill or drop these rows first): " + " | ".join(parts) + ".")
    outside = ~((arr >= -_BOUND_TOLERANCE) & (arr <= 1 + _BOUND_TOLERANCE))
    if outside.any():
        parts = []
        for j in range(arr.shape[1]):
            if outside[:, j].any():
                idx = np.flatnonzero(outside[:, j])
                vals = ", ".join(
                    f"{labels[i] if labels is not None else row_ref(i)} = {arr[i, j]:g}" for i in idx[:10]
                )
                parts.append(f"{names[j]}: {vals}" + (f" ... and {len(idx) - 10} more" if len(idx) > 10 else ""))
        raise InputError(
            "Subsystem development indices must lie in [0, 1] (standardise the indicators first, e.g. with "
            "exportlens.measures.composite); outside in " + " | ".join(parts) + "."
        )
    arr = np.clip(arr, 0.0, 1.0)
    dead = ~(arr > 0).any(axis=0)
    if dead.any() and arr.shape[0] > 1:
        raise InputError(
            f"Subsystem(s) {[names[int(j)] for j in np.flatnonzero(dead)]} are 0 in every observation: their index carries "
            "no information and the coupling degree would be 0 throughout. Check the indicator data and directions."
        )
    zero_rows = ~(arr > 0).any(axis=1)
    if zero_rows.any():
        raise InputError(
            "Every subsystem index is 0 in " + _rows_text(zero_rows, labels)
            + ": the coupling degree is 0/0 there (undefined). Check these observations."
        )
    return arr


def _check_weights(weights: Any, n: int, names: Sequence[str]) -> np.ndarray:
    if weights is None:
        return np.full(n, 1.0 / n)
    if isinstance(weights, Mapping):
        unknown = [k for k in weights if k not in names]
        missing = [k for k in names if k not in weights]
        if unknown or missing:
            raise InputError(f"Weights must name every subsystem {list(names)}; unknown: {unknown}, missing: {missing}.")
        w = np.array([float(weights[k]) for k in names])
    elif isinstance(weights, pd.Series):
        w = weights.reindex(list(names)).to_numpy(dtype=float) if set(weights.index) == set(names) else weights.to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (n,):
        raise InputError(f"Need one weight per subsystem ({n}); got {w.size}.")
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError(f"Subsystem weights must be finite and non-negative; got {w.tolist()}.")
    if abs(w.sum() - 1.0) > 1e-9:
        raise InputError(f"Subsystem weights a_i must sum to 1 (T = Σ a_i U_i stays in [0, 1]); they sum to {w.sum():g}.")
    return w


def _finish(values: np.ndarray, single: bool) -> Any:
    return float(values[0]) if single else values


# --- formulas -----------------------------------------------------------------------------


def coupling_degree(U: Any, method: CouplingMethod = "standard") -> Any:
    """Coupling degree C of n ≥ 2 subsystems with indices U_i in [0, 1].

    ``U`` is one observation (a sequence of n values; a float is returned) or a 2-D array /
    DataFrame of observations × subsystems (an array is returned).

    ``method="standard"`` (the normative form; see the module docstring for why not the
    variants without the factor n or with pairwise sums)::

        C = n · (Π_i U_i)^(1/n) / Σ_i U_i        two systems: C = 2√(U1·U2) / (U1 + U2)

    ``method="corrected"`` (Wang Shujia et al. 2021, 自然资源学报 36(3))::

        C = √{ [1 − Σ_{i<j} |U_i − U_j| / (n(n−1)/2)] · [Π_i (U_i / max_j U_j)]^(1/(n−1)) }
        two systems: C = √[(1 − |U1 − U2|) · min(U1, U2)/max(U1, U2)]

    Why the correction: the standard C depends only on the *ratios* of the U_i and is
    squeezed towards 1. For two systems C = 2√r/(1 + r) with r = min/max, so C ≥ 0.8 (the
    "high-level coupling" stage) for every r ≥ 0.25 - a subsystem four times less developed
    than the other still counts as highly coupled - and U = (0.01, 0.04) gets the same C as
    U = (0.2, 0.8). The corrected C multiplies a term that falls with the mean absolute gap
    between the subsystems by the geometric mean of the n − 1 ratios to the leading
    subsystem (the max/max = 1 factor of the product is what makes the exponent 1/(n−1)),
    and takes the square root; it also lies in [0, 1], is 1 exactly when all U_i are equal
    and 0 when one U_i is 0, but spreads observations over the whole interval: U = (0.2, 0.8)
    gives C = 0.8 (standard) but √(0.4 · 0.25) ≈ 0.316 (corrected). Report which one you use.

    Floating-point rounding can push the standard C a hair above 1 for equal U_i; results
    are capped at 1.

    Raises :class:`InputError` for missing values, values outside [0, 1], an observation
    whose indices are all 0 (C = 0/0) and a subsystem that is 0 in every observation.

    Examples
    --------
    >>> from exportlens.measures import coupling_degree
    >>> round(coupling_degree([0.2, 0.8]), 4)                          # 2·√0.16 / 1.0
    0.8
    >>> round(coupling_degree([0.2, 0.8], method="corrected"), 4)      # √(0.4 · 0.25)
    0.3162
    >>> coupling_degree([0.5, 0.5]), coupling_degree([0.3, 0.0])      # equal: 1; one is 0: 0
    (1.0, 0.0)

    Three subsystems, or many observations at once (rows = observations):

    >>> round(coupling_degree([0.4, 0.4, 0.4]), 4)
    1.0
    >>> coupling_degree([[0.2, 0.8], [0.01, 0.04]]).round(4).tolist()  # same ratio, same C
    [0.8, 0.8]
    """
    arr, single, names = _as_matrix(U)
    arr = _check_indices(arr, names)
    n = arr.shape[1]
    if method == "standard":
        gm = np.exp(np.mean(np.log(np.where(arr > 0, arr, 1.0)), axis=1))
        gm = np.where((arr > 0).all(axis=1), gm, 0.0)
        c = n * gm / arr.sum(axis=1)
    elif method == "corrected":
        i, j = np.triu_indices(n, k=1)
        gap = np.abs(arr[:, i] - arr[:, j]).sum(axis=1) / (n * (n - 1) / 2)
        ratios = arr / arr.max(axis=1, keepdims=True)
        c = np.sqrt((1.0 - gap) * np.prod(ratios, axis=1) ** (1.0 / (n - 1)))
    else:
        raise InputError(f"method must be 'standard' or 'corrected', not {method!r}.")
    return _finish(np.minimum(c, 1.0), single)


def comprehensive_index(U: Any, weights: Any = None) -> Any:
    """Comprehensive coordination index T = Σ_i a_i U_i (a_i ≥ 0, Σ a_i = 1; default a_i = 1/n).

    ``weights`` is a sequence in the order of the subsystems, or a mapping / Series by
    subsystem name when ``U`` is a DataFrame. Equal weights are the usual choice when the
    subsystems are regarded as equally important (for two systems a1 = a2 = 0.5).

    Examples
    --------
    >>> from exportlens.measures import comprehensive_index
    >>> round(comprehensive_index([0.2, 0.8]), 4)
    0.5
    >>> round(comprehensive_index([0.2, 0.8], weights=[0.4, 0.6]), 4)
    0.56
    """
    arr, single, names = _as_matrix(U)
    arr = _check_indices(arr, names)
    w = _check_weights(weights, arr.shape[1], names)
    return _finish(arr @ w, single)


def coordination_degree(U: Any, weights: Any = None, *, method: CouplingMethod = "standard") -> Any:
    """Coupling coordination degree D = √(C · T), with C from :func:`coupling_degree` and T
    from :func:`comprehensive_index`. D is in [0, 1]. For U = (0.2, 0.8) and equal weights:
    C = 0.8, T = 0.5, D = √0.4 ≈ 0.632 (standard) and √(0.316 · 0.5) ≈ 0.398 (corrected).
    Reference: 廖重斌 (1999); Wang Shujia et al. (2021) for the corrected C.

    Examples
    --------
    >>> from exportlens.measures import coordination_degree
    >>> round(coordination_degree([0.2, 0.8]), 4)                      # √(0.8 · 0.5)
    0.6325
    >>> round(coordination_degree([0.2, 0.8], method="corrected"), 4)  # √(0.3162 · 0.5)
    0.3976
    """
    c = np.atleast_1d(coupling_degree(U, method))
    t = np.atleast_1d(comprehensive_index(U, weights))
    d = np.sqrt(c * t)
    return float(d[0]) if np.ndim(U) == 1 and not isinstance(U, pd.DataFrame) else d


def _classify(values: Any, bands: Sequence[Band], what: str) -> np.ndarray:
    """Level (1-based) of each value; ``EDGE_TOLERANCE`` decides values next to an edge."""
    v = np.asarray(values, dtype=float)
    bad = np.isnan(v) | (v < -EDGE_TOLERANCE) | (v > 1 + EDGE_TOLERANCE)
    if bad.any():
        raise InputError(f"{what} must lie in [0, 1]; got {v[bad][:10].tolist()}.")
    inner = np.array([b.upper for b in bands[:-1]])
    if bands[1].closed == "left":
        # [lower, upper): a value within the tolerance below an edge belongs to the band above
        pos = np.searchsorted(inner, v + EDGE_TOLERANCE, side="right")
    else:
        # (lower, upper]: a value within the tolerance above an edge belongs to the band below
        pos = np.searchsorted(inner, v - EDGE_TOLERANCE, side="left")
    return np.asarray(pos) + 1


def classify_coordination(D: Any, lang: str | None = None, *, bands: BandConvention = "left") -> Any:
    """Band of each coordination degree D (:func:`coordination_bands`).

    Returns the band level 1-10 (``lang=None``) or its name in ``lang`` ("zh"/"en"); a
    scalar for a scalar input, else an array. Edges with ``bands="left"`` (default):
    [0.5, 0.6) = 勉强协调 etc., D = 1.0 is 优质协调, a D within :data:`EDGE_TOLERANCE` below
    an edge counts as on the edge; with ``bands="right"``: (0.5, 0.6] = 勉强协调, D = 0 is
    极度失调, a D within the tolerance above an edge counts as on the edge.

    Examples
    --------
    >>> from exportlens.measures import classify_coordination
    >>> classify_coordination(0.6325), classify_coordination(0.6325, "zh")
    (7, '初级协调')
    >>> classify_coordination([0.05, 0.55, 1.0], "en").tolist()
    ['Extreme imbalance', 'Barely coordinated', 'High-quality coordination']

    A D exactly on an edge: [0.5, 0.6) by default, (0.5, 0.6] with ``bands="right"``:

    >>> classify_coordination(0.6), classify_coordination(0.6, bands="right")
    (7, 6)
    """
    table = coordination_bands(bands)
    levels = _classify(D, table, "The coordination degree D")
    return _labels(levels, table, lang, np.ndim(D) == 0)


def classify_coupling(C: Any, lang: str | None = None) -> Any:
    """Stage of each coupling degree C (:data:`COUPLING_STAGES`): level 1-4 or its name.

    Edges: C ≤ 0.3 low-level coupling (C = 0.3 included), (0.3, 0.5] antagonism, (0.5, 0.8]
    running-in, C > 0.8 high-level coupling; a C within :data:`EDGE_TOLERANCE` above an edge
    counts as on the edge.

    Examples
    --------
    >>> from exportlens.measures import classify_coupling
    >>> classify_coupling(0.8, "en"), classify_coupling(0.3), classify_coupling(0.31, "zh")
    ('Running-in', 1, '拮抗')
    """
    levels = _classify(C, COUPLING_STAGES, "The coupling degree C")
    return _labels(levels, COUPLING_STAGES, lang, np.ndim(C) == 0)


def _labels(levels: np.ndarray, bands: Sequence[Band], lang: str | None, scalar: bool) -> Any:
    if lang is None:
        out: Any = levels.astype(int)
        return int(out) if scalar else out
    if lang not in ("zh", "en"):
        raise InputError(f"lang must be 'zh', 'en' or None, not {lang!r}.")
    names = np.array([b.label(lang) for b in bands], dtype=object)
    out = names[np.asarray(levels) - 1]
    return str(out) if scalar else out


def lagging_subsystem(U: Any, names: Sequence[str] | None = None, *, sync_ratio: float = 0.9) -> Any:
    """Relative development: which subsystem lags behind.

    With r = min_i U_i / max_i U_i, the observation is *synchronous* (:data:`SYNCHRONOUS`)
    when r > ``sync_ratio``; otherwise the subsystem with the smallest U_i lags (ties are
    joined by "/"). For two systems this is the usual relative-development classification
    with E = U2/U1 (E ≤ 0.9: U2 lags; 0.9 < E < 1.1: synchronous; E ≥ 1.1: U1 lags) made
    symmetric: the band of synchronous development is 0.9 < E < 1/0.9 ≈ 1.111, so the
    verdict does not depend on which subsystem is called U1. Reference: 廖重斌 (1999) on
    classifying coordinated development by which subsystem lags.

    Examples
    --------
    >>> from exportlens.measures import lagging_subsystem
    >>> lagging_subsystem([0.2, 0.8], ["cbec", "cluster"])
    'cbec'
    >>> lagging_subsystem([0.50, 0.48], ["cbec", "cluster"])          # ratio 0.96 > 0.9
    'synchronous'
    """
    arr, single, names = _as_matrix(U, names)
    if SYNCHRONOUS in names:
        raise InputError(f"{SYNCHRONOUS!r} cannot be a subsystem name (it marks synchronous development).")
    arr = _check_indices(arr, names)
    if not (0 < sync_ratio < 1):
        raise InputError(f"sync_ratio must lie strictly between 0 and 1; got {sync_ratio!r}.")
    lo = arr.min(axis=1)
    ratio = lo / arr.max(axis=1)
    out = np.empty(arr.shape[0], dtype=object)
    for k in range(arr.shape[0]):
        if ratio[k] > sync_ratio:
            out[k] = SYNCHRONOUS
        else:
            out[k] = "/".join(names[j] for j in np.flatnonzero(arr[k] == lo[k]))
    return str(out[0]) if single else out


# --- the frame-level result ---------------------------------------------------------------


@dataclass
class CouplingCoordination:
    """Result of :func:`coupling_coordination`.

    ``values`` holds, per observation, the key columns, the subsystem indices, C, T, D,
    ``band`` (level 1-10), ``band_zh``, ``band_en``, ``stage`` (1-4), ``stage_zh``,
    ``stage_en``, ``ratio`` (min U / max U) and ``lagging`` (subsystem name or
    :data:`SYNCHRONOUS`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["浙江", "浙江", "甘肃", "甘肃"],
    ...                    "year": [2021, 2022, 2021, 2022],
    ...                    "cbec": [0.62, 0.71, 0.12, 0.15],
    ...                    "cluster": [0.58, 0.66, 0.30, 0.33]})
    >>> from exportlens.measures import coupling_coordination
    >>> r = coupling_coordination(df, ["cbec", "cluster"], keys=["province", "year"])
    >>> print(r.summary())
    Coupling coordination of 2 subsystems (cbec, cluster), standard coupling degree; ...
    ...
    D bands: Verge of imbalance [0.4, 0.5): 2, Intermediate coordination [0.7, 0.8): 1, ...
    C stages: High-level coupling (0.8, 1]: 4
    Lagging subsystem (min/max ≤ 0.9): synchronous 2, cbec 2
    >>> r.band_counts(lang="en").loc[["Verge of imbalance", "Good coordination"], "n"].tolist()
    [2, 1]
    """

    values: pd.DataFrame
    subsystems: list[str]
    weights: pd.Series
    method: str
    sync_ratio: float
    keys: list[str] = field(default_factory=list)
    #: which end of the D bands is closed: "left" ([0.5, 0.6)) or "right" ((0.5, 0.6])
    bands: BandConvention = "left"

    def to_frame(self) -> pd.DataFrame:
        """The per-observation values (copy)."""
        return self.values.copy()

    def band_counts(self, by: str | None = None, lang: str = "zh") -> pd.DataFrame:
        """Number of observations in each D band (all ten bands, in order), optionally by a key column."""
        labels = [b.label(lang) for b in coordination_bands(self.bands)]
        col = self.values["band"].map(lambda k: labels[k - 1])
        cat = pd.Categorical(col, categories=labels, ordered=True)
        if by is None:
            return pd.Series(cat).value_counts(sort=False).rename("n").to_frame()
        bands = pd.Series(cat, index=self.values.index, name="band")
        return pd.crosstab(self.values[by], bands, dropna=False).reindex(columns=labels, fill_value=0)

    def summary(self) -> str:
        """Plain text: method, weights, means of U/C/T/D, band and stage distribution, lagging counts."""
        v = self.values
        w = ", ".join(f"{k} {x:.3g}" for k, x in self.weights.items())
        lines = [
            f"Coupling coordination of {len(self.subsystems)} subsystems ({', '.join(self.subsystems)}), "
            f"{self.method} coupling degree; weights: {w}; {len(v)} observations",
            v[[*self.subsystems, "C", "T", "D"]].describe().loc[["mean", "std", "min", "max"]]
            .to_string(float_format=lambda x: f"{x:.4f}"),
            "D bands: " + ", ".join(
                f"{b.name_en} {b.interval()}: {int((v['band'] == b.level).sum())}"
                for b in coordination_bands(self.bands)
                if (v["band"] == b.level).any()
            ),
            "C stages: " + ", ".join(
                f"{b.name_en} {b.interval()}: {int((v['stage'] == b.level).sum())}" for b in COUPLING_STAGES
                if (v["stage"] == b.level).any()
            ),
            f"Lagging subsystem (min/max ≤ {self.sync_ratio:g}): "
            + ", ".join(f"{k} {n}" for k, n in v["lagging"].value_counts().items()),
        ]
        return "\n".join(lines)


def coupling_coordination(
    frame: pd.DataFrame,
    subsystems: Sequence[str],
    weights: Sequence[float] | Mapping[str, float] | None = None,
    method: CouplingMethod = "standard",
    *,
    keys: Sequence[str] = (),
    sync_ratio: float = 0.9,
    bands: BandConvention = "left",
) -> CouplingCoordination:
    """C, T, D, the D band, the C stage and the lagging subsystem for every row of ``frame``.

    ``subsystems`` names the columns holding the subsystem indices U_1 ... U_n (in [0, 1],
    e.g. the ``scores`` of :func:`exportlens.measures.composite.composite_index`);
    ``weights`` the a_i of T (default equal); ``method`` the coupling degree
    ("standard" or "corrected", see :func:`coupling_degree`); ``keys`` the columns to carry
    into the result (e.g. province and year); ``bands`` the D band convention ("left":
    [0.5, 0.6), "right": (0.5, 0.6], :func:`coordination_bands`). Rows keep the order and index of ``frame``;
    none is dropped: a missing or out-of-range index raises :class:`InputError` naming the
    rows (by their keys when given).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["浙江", "浙江", "甘肃", "甘肃"],
    ...                    "year": [2021, 2022, 2021, 2022],
    ...                    "cbec": [0.62, 0.71, 0.12, 0.15],
    ...                    "cluster": [0.58, 0.66, 0.30, 0.33]})
    >>> from exportlens.measures import coupling_coordination
    >>> r = coupling_coordination(df, ["cbec", "cluster"], keys=["province", "year"])
    >>> r.to_frame()[["province", "year", "C", "T", "D", "band_en"]].round(4)
      province  year       C      T       D                    band_en
    0       浙江  2021  0.9994  0.600  0.7744  Intermediate coordination
    1       浙江  2022  0.9993  0.685  0.8274          Good coordination
    2       甘肃  2021  0.9035  0.210  0.4356         Verge of imbalance
    3       甘肃  2022  0.9270  0.240  0.4717         Verge of imbalance
    >>> r.to_frame()["lagging"].tolist()
    ['synchronous', 'synchronous', 'cbec', 'cbec']
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"coupling_coordination expects a DataFrame, got {type(frame).__name__}.")
    subsystems = [str(s) for s in subsystems]
    keys = [str(k) for k in keys]
    require_columns(frame, [*subsystems, *keys])
    if len(set(subsystems)) != len(subsystems):
        raise InputError(f"Subsystem columns must be distinct: {subsystems}.")
    if method not in ("standard", "corrected"):
        raise InputError(f"method must be 'standard' or 'corrected', not {method!r}.")
    raw = frame[subsystems].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    non_numeric = frame[subsystems].notna().to_numpy() & np.isnan(raw)
    if non_numeric.any():
        j = int(np.flatnonzero(non_numeric.any(axis=0))[0])
        raise InputError(f"Subsystem column {subsystems[j]!r} holds non-numeric values in "
                         f"{row_refs(frame.index[non_numeric[:, j]][:10], frame.index)}.")
    labels = (
        [" ".join(str(x) for x in row) for row in frame[keys].itertuples(index=False, name=None)]
        if keys else [row_ref(i, frame.index) for i in frame.index]
    )
    arr, _, names = _as_matrix(raw, subsystems)
    arr = _check_indices(arr, names, labels)
    w = _check_weights(weights, len(subsystems), subsystems)
    c = coupling_degree(arr, method)
    t = arr @ w
    d = np.sqrt(c * t)
    band = classify_coordination(d, bands=bands)
    stage = classify_coupling(c)
    out = frame[keys].copy() if keys else pd.DataFrame(index=frame.index)
    for j, name in enumerate(subsystems):
        out[name] = arr[:, j]
    out["C"], out["T"], out["D"] = c, t, d
    out["band"] = band
    out["band_zh"] = [COORDINATION_BANDS[k - 1].name_zh for k in band]
    out["band_en"] = [COORDINATION_BANDS[k - 1].name_en for k in band]
    out["stage"] = stage
    out["stage_zh"] = [COUPLING_STAGES[k - 1].name_zh for k in stage]
    out["stage_en"] = [COUPLING_STAGES[k - 1].name_en for k in stage]
    out["ratio"] = arr.min(axis=1) / arr.max(axis=1)
    out["lagging"] = lagging_subsystem(arr, subsystems, sync_ratio=sync_ratio)
    return CouplingCoordination(
        values=out, subsystems=subsystems, weights=pd.Series(w, index=subsystems, name="weight"),
        method=method, sync_ratio=sync_ratio, keys=keys, bands=bands,
    )
