"""Composite indices: standardisation, objective weights (entropy, CRITIC, SD) and scores.

Every function takes a *wide* matrix: rows are the alternatives (countries, provinces,
province-years ...), columns are the indicators. Directions say whether more is better
(``"benefit"``) or worse (``"cost"``); ``"+"``, ``"positive"``, ``"正向"`` and ``"-"``,
``"negative"``, ``"负向"`` are accepted as synonyms.

Standardisation (:func:`standardise`)
-------------------------------------
``method="minmax"`` (range standardisation)::

    benefit: x'_ij = (x_ij − min_i x_ij) / (max_i x_ij − min_i x_ij)
    cost:    x'_ij = (max_i x_ij − x_ij) / (max_i x_ij − min_i x_ij)

``method="zscore"`` ("standardise as SPSS does": the *sample* standard deviation)::

    benefit: z_ij = (x_ij − mean_j) / s_j,   cost: z_ij = (mean_j − x_ij) / s_j,
    s_j = sqrt(Σ_i (x_ij − mean_j)² / (n − 1))

The entropy logarithm needs non-negative values (and min-max puts a 0 in every column), so
a *shift* follows the standardisation. The options, all found in the literature:

* ``None``: no shift. Entropy then uses the limit 0·ln 0 = 0 (fine after min-max; z-scores
  stay negative and are rejected by :func:`entropy_weights`).
* a number ``c`` (``0.0001`` or ``0.01`` are the usual choices): x' + c. On z-scores a
  constant shift z + A flattens the weights towards 1/m and can even reverse rankings, so
  it warns (:class:`ConstantShiftWarning`).
* ``"rescale"``: a + (b − a)·x'_minmax, the min-max score mapped to ``bounds=(a, b)``
  (default ``(0.01, 0.99)``; ``(0.002, 0.998)`` is also common).
* ``"column"``: the per-column shift of SPSSAU, x' + |min_i x'_ij| + c with ``c = offset``.
  For z-scores this is (x − min)/s + c: min-max scaled by range/s, so it ranks like min-max.
* ``"auto"`` (**the default**): ``+0.0001`` after min-max (the most common choice in the
  Chinese applied literature; it moves entropy weights only in the 4th-5th decimal) and
  ``"column"`` with ``c = offset = 0.0001`` after z-scores.

Entropy weights (:func:`entropy_weights`)
-----------------------------------------
Shannon entropy method (Shannon 1948; in MCDM: Zeleny 1982, Hwang & Yoon 1981)::

    p_ij = x_ij / Σ_i x_ij,   e_j = −k Σ_i p_ij ln p_ij  with k = 1 / ln n  (0·ln 0 = 0),
    d_j = 1 − e_j,            w_j = d_j / Σ_j d_j.

A constant column carries no information: its divergence is 0 (limit) and the weight 0.
Because a constant column is nearly always a data problem (an indicator that was not
collected for one group), :func:`entropy_weights` raises by default
(``constant="raise"``) and gives weight 0 with a :class:`ConstantColumnWarning` when asked
(``constant="zero"``).

Other objective weights
-----------------------
* CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995, Comput. Oper. Res. 22(7):763-770):
  C_j = σ_j Σ_k (1 − r_jk), w_j = C_j / Σ C, on the standardised matrix (r = Pearson).
* Standard deviation: w_j = σ_j / Σ σ on the standardised matrix.

Scores
------
* :func:`weighted_score`: s_i = Σ_j w_j x'_ij (linear weighted sum).
* :func:`topsis` (Hwang & Yoon 1981): vector normalisation r_ij = x_ij / sqrt(Σ_i x_ij²),
  v_ij = w_j r_ij, ideal v⁺_j = max_i v_ij (benefit) or min (cost), anti-ideal v⁻ the other
  way round, D⁺_i = ||v_i − v⁺||, D⁻_i = ||v_i − v⁻||, closeness C_i = D⁻_i / (D⁺_i + D⁻_i).
* :func:`composite_index`: weights *inside each dimension* of an
  :class:`~exportlens.measures.indicators.IndicatorSystem` give the dimension scores
  S_id = Σ_{j∈d} w_j x'_ij; the dimension weights W_d (e.g. from
  :func:`exportlens.measures.ahp.ahp`; equal by default) combine them: F_i = Σ_d W_d S_id.
  ``method=None`` takes data that are already standardised (e.g. over a larger reference
  set than the rows weighted together).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from exportlens.errors import (
    CompositeWarning,
    ConstantColumnWarning,
    ConstantShiftWarning,
    InputError,
    MissingColumnError,
    NonPositiveValueError,
    warn_caller,
)
from exportlens.validation import format_list, require_columns, require_frame


class IndicatorHierarchy(Protocol):
    """What :func:`composite_index` needs of an indicator system (structural type, so that this
    module does not import :mod:`exportlens.measures.indicators`, which builds on it):
    ``indicators`` with the columns ``code``, ``dimension``, ``direction`` and ``dimensions``
    indexed by dimension code. :class:`~exportlens.measures.indicators.IndicatorSystem` is one.

    Examples
    --------
    Any object with these two attributes will do, e.g. a namespace built by hand (an
    :class:`~exportlens.measures.indicators.IndicatorSystem` adds checks, labels and files):

    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> from types import SimpleNamespace
    >>> from exportlens.measures import composite_index
    >>> hierarchy = SimpleNamespace(
    ...     indicators=pd.DataFrame({"code": ["exports", "fdi", "freight"],
    ...                              "dimension": ["openness", "openness", "logistics"],
    ...                              "direction": ["benefit", "benefit", "cost"]}),
    ...     dimensions=pd.DataFrame(index=pd.Index(["openness", "logistics"], name="code")))
    >>> composite_index(x, hierarchy).scores.round(4).tolist()
    [0.7634, 0.91, 0.2539, 0.0001]
    """

    @property
    def indicators(self) -> pd.DataFrame: ...

    @property
    def dimensions(self) -> pd.DataFrame: ...

__all__ = [
    "DEFAULT_SHIFT",
    "CompositeIndex",
    "CompositeWarning",
    "ConstantColumnWarning",
    "ConstantShiftWarning",
    "EntropyWeights",
    "IndicatorHierarchy",
    "composite_index",
    "critic_weights",
    "entropy_weights",
    "entropy_weights_by",
    "normalise_direction",
    "pooled_entropy_weights",
    "sd_weights",
    "standardise",
    "topsis",
    "weighted_score",
]

DEFAULT_SHIFT = "auto"
AUTO_CONSTANT = 0.0001
DEFAULT_BOUNDS = (0.01, 0.99)
ENTROPY_REFERENCE = "Shannon (1948); Hwang & Yoon (1981), Multiple Attribute Decision Making"
CRITIC_REFERENCE = "Diakoulaki, Mavrotas & Papayannakis (1995), Comput. Oper. Res. 22(7):763-770"
TOPSIS_REFERENCE = "Hwang & Yoon (1981), Multiple Attribute Decision Making, Springer"

Shift = str | float | None
ConstantPolicy = Literal["raise", "zero"]
WEIGHTINGS = ("entropy", "critic", "sd")
METHODS = ("minmax", "zscore")
SHIFTS = ("auto", "rescale", "column")

_BENEFIT = {"benefit", "+", "positive", "pos", "max", "正向", "正", "效益型"}
_COST = {"cost", "-", "negative", "neg", "min", "负向", "负", "逆向", "成本型"}


# --- warnings -------------------------------------------------------------------------




# --- input checks ---------------------------------------------------------------------


def normalise_direction(value: str, indicator: str = "") -> str:
    """``"benefit"`` or ``"cost"`` from any accepted spelling; InputError otherwise.

    Examples
    --------
    >>> from exportlens.measures import normalise_direction
    >>> normalise_direction("正向"), normalise_direction("-"), normalise_direction("Positive")
    ('benefit', 'cost', 'benefit')
    >>> normalise_direction("up", "exports")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Unknown direction 'up' of indicator 'exports': ...
    """
    key = str(value).strip().lower()
    if key in _BENEFIT:
        return "benefit"
    if key in _COST:
        return "cost"
    where = f" of indicator {indicator!r}" if indicator else ""
    raise InputError(
        f"Unknown direction {value!r}{where}: use 'benefit' (more is better) or 'cost' "
        "(less is better)."
    )


def _matrix(data: pd.DataFrame, what: str = "data", min_rows: int = 2) -> np.ndarray:
    """The matrix as floats; non-numeric columns, missing cells or too few rows raise."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{what}: expected a pandas DataFrame, got {type(data).__name__}.")
    if data.shape[1] == 0:
        raise InputError(f"{what}: no indicator columns.")
    if data.columns.duplicated().any():
        dup = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise InputError(f"{what}: column name(s) {dup} occur more than once.")
    bad = [
        str(c) for c, dtype in zip(data.columns, data.dtypes, strict=True)
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype)
    ]
    if bad:
        raise InputError(f"{what}: indicator column(s) {bad} are not numeric.")
    if len(data) < min_rows:
        raise InputError(
            f"{what}: {len(data)} alternative(s) (rows); at least {min_rows} are needed."
        )
    x = data.to_numpy(dtype=float, na_value=np.nan)
    missing = ~np.isfinite(x)
    if missing.any():
        rows, cols = np.nonzero(missing)
        cells = [f"({data.index[int(r)]!r}, {data.columns[int(c)]!r})" for r, c in zip(rows, cols, strict=True)]
        raise InputError(
            f"{what}: {len(cells)} missing or infinite cell(s) (row, indicator): {format_list(cells)}. "
            "Impute or drop them explicitly before weighting."
        )
    return x


def _constant_columns(x: np.ndarray, columns: pd.Index) -> list[str]:
    span = x.max(axis=0) - x.min(axis=0)
    scale = np.maximum(np.abs(x).max(axis=0), 1.0)
    return [str(c) for c, flat in zip(columns, span <= 1e-12 * scale, strict=True) if flat]


def _directions(columns: pd.Index, directions: Mapping[str, str]) -> np.ndarray:
    """Boolean array, True for cost indicators; every column needs a direction."""
    if not isinstance(directions, Mapping):
        raise InputError(
            f"directions must be a mapping indicator -> 'benefit'|'cost', got {type(directions).__name__}."
        )
    missing = [str(c) for c in columns if c not in directions]
    if missing:
        raise InputError(
            f"No direction for indicator(s) {missing}; give each one 'benefit' or 'cost'."
        )
    return np.array([normalise_direction(directions[c], str(c)) == "cost" for c in columns])


# --- standardisation ------------------------------------------------------------------


def standardise(
    data: pd.DataFrame,
    directions: Mapping[str, str],
    *,
    method: str = "minmax",
    shift: Shift = DEFAULT_SHIFT,
    bounds: tuple[float, float] | None = None,
    offset: float = AUTO_CONSTANT,
    constant: ConstantPolicy = "raise",
) -> pd.DataFrame:
    """Standardise each indicator column (rows = alternatives) for weighting.

    Parameters
    ----------
    data
        Wide numeric matrix, columns = indicators, at least two rows, no missing cells.
    directions
        ``{indicator: "benefit" | "cost"}`` for every column (extra keys are ignored).
    method
        ``"minmax"`` (range) or ``"zscore"`` (SPSS: sample sd, n − 1). Formulas in the
        module docstring.
    shift
        ``"auto"`` (default: +0.0001 after min-max, per-column |min|+0.0001 after z-scores),
        ``None``, a number c (x' + c), ``"rescale"`` (to ``bounds``) or ``"column"``
        (x' + |min x'| + ``offset``).
    bounds
        Target interval of ``shift="rescale"``; default ``(0.01, 0.99)``.
    offset
        The c of the per-column shift (``"column"`` and the z-score branch of ``"auto"``).
    constant
        A constant column cannot be standardised (zero range / sd): ``"raise"`` (default)
        names it; ``"zero"`` maps it to 0 (before the shift) so that its entropy weight is 0.

    Returns
    -------
    DataFrame of the same shape, index and columns; larger is always better. It is
    non-negative whenever a shift other than a constant on z-scores is applied.

    Examples
    --------
    Min-max without a shift: the best alternative of each indicator gets 1, the worst 0
    (cost indicators are flipped, so 甘肃's freight cost of 5 scores 0):

    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> from exportlens.measures import standardise
    >>> standardise(x, directions, shift=None).round(4)
        exports     fdi  freight
    广东   1.0000  0.7222   0.6667
    江苏   0.6364  1.0000   1.0000
    四川   0.1818  0.1667   0.3333
    甘肃   0.0000  0.0000   0.0000

    The default shift (``"auto"``) adds 0.0001 after min-max so that entropy can take logs;
    z-scores use the sample standard deviation, as SPSS does:

    >>> float(standardise(x, directions).min().min())
    0.0001
    >>> standardise(x, directions, method="zscore", shift=None)["exports"].round(4).tolist()
    [1.2081, 0.4027, -0.604, -1.0067]
    """
    x = _matrix(data, "standardise")
    cost = _directions(data.columns, directions)
    if method not in METHODS:
        raise InputError(f"Unknown standardisation method {method!r}; use one of {list(METHODS)}.")
    if constant not in ("raise", "zero"):
        raise InputError(f"constant must be 'raise' or 'zero', got {constant!r}.")
    flat = _constant_columns(x, data.columns)
    if flat and constant == "raise":
        raise InputError(
            f"Constant indicator column(s) {flat}: they cannot be standardised (zero range) and "
            "carry no information. Remove them, or pass constant='zero' to give them weight 0."
        )
    flat_mask = np.isin(data.columns.astype(str), flat)

    if method == "minmax" or shift == "rescale":
        lo, hi = x.min(axis=0), x.max(axis=0)
        span = np.where(flat_mask, 1.0, hi - lo)
        z = np.where(cost, hi - x, x - lo) / span
    else:
        mean = x.mean(axis=0)
        sd = np.where(flat_mask, 1.0, x.std(axis=0, ddof=1))
        z = np.where(cost, mean - x, x - mean) / sd
    z[:, flat_mask] = 0.0

    if bounds is not None and shift != "rescale":
        raise InputError(f"bounds= is only used with shift='rescale' (got shift={shift!r}).")
    if shift is None:
        pass
    elif isinstance(shift, bool):
        raise InputError("shift must be None, a number or one of 'auto', 'rescale', 'column'.")
    elif isinstance(shift, int | float | np.floating | np.integer):
        if not np.isfinite(shift) or shift < 0:
            raise InputError(f"A constant shift must be a non-negative number, got {shift!r}.")
        if method == "zscore":
            warn_caller(
                f"A constant shift (z + {shift:g}) of z-scores flattens entropy weights towards 1/m "
                "and can reverse rankings"
                + (" (and leaves negative values, which entropy rejects)" if (z + shift).min() < 0 else "")
                + "; use shift='column' (z + |min z| + c) or min-max.",
                ConstantShiftWarning,
            )
        z = z + float(shift)
    elif shift == "auto":
        z = z + AUTO_CONSTANT if method == "minmax" else z + np.abs(z.min(axis=0)) + offset
    elif shift == "column":
        z = z + np.abs(z.min(axis=0)) + offset
    elif shift == "rescale":
        a, b = DEFAULT_BOUNDS if bounds is None else bounds
        if not (np.isfinite(a) and np.isfinite(b) and 0 <= a < b):
            raise InputError(f"bounds must satisfy 0 <= a < b, got {bounds!r}.")
        z = a + (b - a) * z
    else:
        raise InputError(
            f"Unknown shift {shift!r}: use None, a number, or one of {list(SHIFTS)}."
        )
    return pd.DataFrame(z, index=data.index, columns=data.columns)


# --- entropy weights ------------------------------------------------------------------


@dataclass
class EntropyWeights:
    """Entropy weights of a matrix; formulas in the module docstring.

    ``weights`` sums to 1; ``entropy`` is e_j, ``divergence`` d_j = 1 − e_j;
    ``constant`` lists the columns that got weight 0 under ``constant="zero"``.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> from exportlens.measures import entropy_weights, standardise
    >>> ew = entropy_weights(standardise(x, directions))
    >>> print(ew.summary())
    Entropy weights (3 indicators, n = 4 alternatives, k = 1/ln n = 0.721348)
             entropy  divergence   weight
    exports 0.668772    0.331228 0.353015
    fdi     0.662993    0.337007 0.359173
    freight 0.729950    0.270050 0.287812
    >>> round(float(ew.weights.sum()), 10)
    1.0
    """

    weights: pd.Series
    entropy: pd.Series
    divergence: pd.Series
    n_alternatives: int
    constant: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator: entropy e_j, divergence d_j and weight w_j."""
        return pd.DataFrame(
            {"entropy": self.entropy, "divergence": self.divergence, "weight": self.weights}
        )

    def summary(self) -> str:
        lines = [
            f"Entropy weights ({len(self.weights)} indicators, n = {self.n_alternatives} "
            f"alternatives, k = 1/ln n = {1 / np.log(self.n_alternatives):.6f})",
            self.to_frame().to_string(float_format=lambda v: f"{v:.6f}"),
        ]
        if self.constant:
            lines.append(f"Constant column(s) given weight 0: {', '.join(self.constant)}")
        return "\n".join(lines)


def _check_non_negative(x: np.ndarray, data: pd.DataFrame, what: str) -> None:
    neg = x < 0
    if neg.any():
        rows, cols = np.nonzero(neg)
        cells = [
            f"({data.index[int(r)]!r}, {data.columns[int(c)]!r}) = {x[r, c]:g}"
            for r, c in zip(rows, cols, strict=True)
        ]
        raise NonPositiveValueError(
            f"{what} needs non-negative values (p_ij = x_ij / Σ x_ij, ln p_ij); "
            f"{len(cells)} negative cell(s): {format_list(cells)}. Standardise with a shift "
            "(e.g. standardise(..., shift='column')) instead of taking absolute values."
        )


def _flat_mask(x: np.ndarray, columns: pd.Index, constant: str, what: str) -> np.ndarray:
    """Boolean mask of constant columns; raises under ``constant="raise"``."""
    if constant not in ("raise", "zero"):
        raise InputError(f"constant must be 'raise' or 'zero', got {constant!r}.")
    flat = _constant_columns(x, columns)
    if flat and constant == "raise":
        raise InputError(
            f"{what}: constant indicator column(s) {flat} carry no information (entropy e_j = 1, "
            "weight 0). Remove them, or pass constant='zero' to give them weight 0."
        )
    return np.isin(columns.astype(str), flat)


def _entropy_core(x: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(e, d, w) of a checked non-negative matrix; constant columns (``flat``) get d = 0."""
    if flat.all():
        raise InputError("Every indicator column is constant: entropy weights are undefined.")
    # lazy: importing exportlens.measures (as the firm study does) needs no scipy
    from scipy.special import xlogy

    n = x.shape[0]
    p = x / np.where(flat, 1.0, x.sum(axis=0))
    e = -xlogy(p, p).sum(axis=0) / np.log(n)
    e[flat] = 1.0
    d = 1.0 - e
    d[flat] = 0.0
    return e, d, d / d.sum()


def entropy_weights(data: pd.DataFrame, *, constant: ConstantPolicy = "raise") -> EntropyWeights:
    """Entropy weights w_j = d_j / Σ d of a non-negative matrix (rows = alternatives).

    p_ij = x_ij / Σ_i x_ij, e_j = −(1/ln n) Σ_i p_ij ln p_ij (0·ln 0 = 0), d_j = 1 − e_j.
    Reference: Shannon (1948); Hwang & Yoon (1981). Pass *standardised* data
    (:func:`standardise`); raw data give weights that depend on the units' origin.

    Raises InputError for fewer than 2 alternatives, missing cells, constant columns
    (unless ``constant="zero"``: weight 0 and a :class:`ConstantColumnWarning`) and
    :class:`~exportlens.errors.NonPositiveValueError` for negative cells (named).

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> from exportlens.measures import entropy_weights, standardise
    >>> z = standardise(x, directions)
    >>> ew = entropy_weights(z)
    >>> ew.to_frame().round(4)
             entropy  divergence  weight
    exports   0.6688      0.3312  0.3530
    fdi       0.6630      0.3370  0.3592
    freight   0.7300      0.2700  0.2878

    The same weights from the formula, step by step:

    >>> import numpy as np
    >>> p = z / z.sum()
    >>> e = -(p * np.log(p)).sum() / np.log(len(z))
    >>> ((1 - e) / (1 - e).sum()).round(4).tolist()
    [0.353, 0.3592, 0.2878]

    An indicator concentrated on one alternative has entropy 0 (all the information):

    >>> ew2 = entropy_weights(pd.DataFrame({"a": [1.0, 0, 0, 0], "b": [1.0, 1, 1, 2]}))
    >>> ew2.divergence.round(4).tolist()
    [1.0, 0.039]
    """
    x = _matrix(data, "entropy_weights")
    _check_non_negative(x, data, "entropy_weights")
    flat = _flat_mask(x, data.columns, constant, "entropy_weights")
    e, d, w = _entropy_core(x, flat)
    names = [str(c) for c in data.columns[flat]]
    if names:
        warn_caller(
            f"Constant indicator column(s) {names} (n = {x.shape[0]}) given entropy weight 0.",
            ConstantColumnWarning,
        )
    cols = data.columns
    return EntropyWeights(
        weights=pd.Series(w, index=cols, name="weight"),
        entropy=pd.Series(e, index=cols, name="entropy"),
        divergence=pd.Series(d, index=cols, name="divergence"),
        n_alternatives=x.shape[0],
        constant=names,
    )


def entropy_weights_by(
    data: pd.DataFrame,
    by: str | list[str],
    indicators: list[str],
    *,
    directions: Mapping[str, str] | None = None,
    method: str = "minmax",
    shift: Shift = DEFAULT_SHIFT,
    bounds: tuple[float, float] | None = None,
    constant: ConstantPolicy = "raise",
) -> pd.DataFrame:
    """Entropy weights computed separately within each group (one weight row per group).

    ``data`` is wide: one row per alternative, the ``by`` column(s) and the ``indicators``.
    With ``directions`` each group is first standardised on its own rows
    (:func:`standardise` with ``method``/``shift``/``bounds``), as in studies that give
    each province its own weights over the partner countries; without ``directions`` the
    values are used as they are (they must be non-negative). Groups are sorted by key.
    Errors name the group.

    Examples
    --------
    Weights per year of a small panel, each year standardised on its own rows:

    >>> import pandas as pd
    >>> from exportlens.measures import entropy_weights_by
    >>> panel = pd.DataFrame({"year": [2020] * 4 + [2021] * 4,
    ...                       "province": ["广东", "江苏", "四川", "甘肃"] * 2,
    ...                       "exports": [120, 80, 30, 10, 130, 85, 33, 12.0],
    ...                       "fdi": [15, 20, 5, 2, 16, 18, 6, 3.0],
    ...                       "freight": [3, 2, 4, 5, 3, 2.5, 4, 4.5]})
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> entropy_weights_by(panel, "year", ["exports", "fdi", "freight"],
    ...                    directions=directions).round(4)
    indicator  exports     fdi  freight
    year
    2020        0.3530  0.3592   0.2878
    2021        0.3514  0.3367   0.3120
    """
    keys = [by] if isinstance(by, str) else list(by)
    require_columns(require_frame(data), [*keys, *indicators])
    if not indicators:
        raise InputError("entropy_weights_by: no indicators given.")
    rows = {}
    for key, part in data.groupby(keys, sort=True, dropna=False):
        label = key[0] if isinstance(key, tuple) and len(keys) == 1 else key
        block = part[indicators]
        try:
            if directions is not None:
                block = standardise(
                    block, directions, method=method, shift=shift, bounds=bounds, constant=constant
                )
            rows[label] = entropy_weights(block, constant=constant).weights
        except InputError as exc:
            raise type(exc)(f"Group {label!r} ({', '.join(keys)}): {exc}") from exc
    out = pd.DataFrame(rows).T
    out.index.name = keys[0] if len(keys) == 1 else None
    if len(keys) > 1:
        out.index = pd.MultiIndex.from_tuples(out.index, names=keys)
    out.columns.name = "indicator"
    return out


def pooled_entropy_weights(
    data: pd.DataFrame,
    indicators: list[str],
    directions: Mapping[str, str],
    *,
    method: str = "minmax",
    shift: Shift = DEFAULT_SHIFT,
    bounds: tuple[float, float] | None = None,
    constant: ConstantPolicy = "raise",
) -> EntropyWeights:
    """One weight vector for a whole panel (rows = every (t, i)).

    Panel entropy method: standardise over all T·n rows together, p_(t,i)j over all rows
    and k = 1/ln(T·n). Equivalent to :func:`entropy_weights` of :func:`standardise` on the
    stacked panel; any extra columns (year, region) are ignored.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.measures import pooled_entropy_weights
    >>> panel = pd.DataFrame({"year": [2020] * 4 + [2021] * 4,
    ...                       "province": ["广东", "江苏", "四川", "甘肃"] * 2,
    ...                       "exports": [120, 80, 30, 10, 130, 85, 33, 12.0],
    ...                       "fdi": [15, 20, 5, 2, 16, 18, 6, 3.0],
    ...                       "freight": [3, 2, 4, 5, 3, 2.5, 4, 4.5]})
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> ew = pooled_entropy_weights(panel, ["exports", "fdi", "freight"], directions)
    >>> ew.n_alternatives, ew.weights.round(4).tolist()
    (8, [0.4003, 0.3583, 0.2414])
    """
    require_columns(require_frame(data), indicators)
    std = standardise(
        data[indicators], directions, method=method, shift=shift, bounds=bounds, constant=constant
    )
    return entropy_weights(std, constant=constant)


# --- other objective weights ----------------------------------------------------------


def _critic_core(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0, ddof=1)
    r = np.atleast_2d(np.corrcoef(x, rowvar=False))
    c = sd * (1.0 - r).sum(axis=0)
    if not c.sum() > 0:
        raise InputError("critic_weights: the information content Σ C_j is 0 (columns perfectly correlated).")
    return c / c.sum()


def critic_weights(data: pd.DataFrame) -> pd.Series:
    """CRITIC weights (Diakoulaki et al. 1995) of a standardised matrix.

    C_j = σ_j Σ_k (1 − r_jk), w_j = C_j / Σ C, σ_j the standard deviation of column j and
    r the Pearson correlation matrix. The ddof of σ cancels in the normalisation. Constant
    columns raise (their correlations are undefined).

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> from exportlens.measures import critic_weights, standardise
    >>> z = standardise(x, directions, shift=None)
    >>> critic_weights(z).round(4).tolist()
    [0.4786, 0.2367, 0.2847]

    By the formula C_j = σ_j Σ_k (1 − r_jk):

    >>> c = z.std() * (1 - z.corr()).sum()
    >>> (c / c.sum()).round(4).tolist()
    [0.4786, 0.2367, 0.2847]
    """
    x = _matrix(data, "critic_weights")
    flat = _constant_columns(x, data.columns)
    if flat:
        raise InputError(
            f"critic_weights: constant column(s) {flat} (σ = 0, correlation undefined)."
        )
    return pd.Series(_critic_core(x), index=data.columns, name="weight")


def _sd_core(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0, ddof=1)
    if not sd.sum() > 0:
        raise InputError("sd_weights: every column is constant; weights are undefined.")
    return sd / sd.sum()


def sd_weights(data: pd.DataFrame) -> pd.Series:
    """Standard-deviation weights w_j = σ_j / Σ σ of a standardised matrix.

    Constant columns get weight 0; an all-constant matrix raises.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> from exportlens.measures import sd_weights, standardise
    >>> z = standardise(x, directions, shift=None)
    >>> sd_weights(z).round(4).tolist()
    [0.3345, 0.3468, 0.3188]
    >>> (z.std() / z.std().sum()).round(4).tolist()
    [0.3345, 0.3468, 0.3188]
    """
    x = _matrix(data, "sd_weights")
    return pd.Series(_sd_core(x), index=data.columns, name="weight")


# --- scores ---------------------------------------------------------------------------


def _aligned_weights(columns: pd.Index, weights: pd.Series, what: str) -> np.ndarray:
    if not isinstance(weights, pd.Series):
        raise InputError(f"{what}: weights must be a pandas Series indexed by indicator.")
    missing = [str(c) for c in columns if c not in weights.index]
    extra = [str(c) for c in weights.index if c not in columns]
    if missing or extra:
        raise InputError(
            f"{what}: weights and data columns differ; without a weight: {missing}; "
            f"weights for absent columns: {extra}."
        )
    w = weights.reindex(columns).to_numpy(dtype=float)
    if not np.isfinite(w).all() or (w < 0).any():
        raise InputError(f"{what}: weights must be finite and non-negative, got {weights.to_dict()}.")
    return w


def weighted_score(data_std: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Linear weighted sum s_i = Σ_j w_j x'_ij (weights aligned by indicator name).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.measures import weighted_score
    >>> z = pd.DataFrame({"exports": [1.0, 0.5, 0.0], "fdi": [0.0, 1.0, 0.5]},
    ...                  index=["广东", "江苏", "四川"])
    >>> weighted_score(z, pd.Series({"fdi": 0.4, "exports": 0.6})).round(4).tolist()
    [0.6, 0.7, 0.2]
    """
    x = _matrix(data_std, "weighted_score", min_rows=1)
    w = _aligned_weights(data_std.columns, weights, "weighted_score")
    return pd.Series(x @ w, index=data_std.index, name="score")


def topsis(
    data: pd.DataFrame,
    weights: pd.Series,
    directions: Mapping[str, str],
    *,
    normalisation: Literal["vector", "minmax"] = "vector",
    reference: pd.DataFrame | None = None,
) -> pd.Series:
    """TOPSIS relative closeness C_i = D⁻_i / (D⁺_i + D⁻_i) in [0, 1] (Hwang & Yoon 1981).

    ``normalisation="vector"`` (classic): r_ij = x_ij / sqrt(Σ_k x_kj²);
    ``"minmax"``: r_ij = (x_ij − min_k x_kj) / (max_k x_kj − min_k x_kj) (cost columns are
    not flipped here: the ideal point takes care of the direction). v_ij = w_j r_ij; the
    ideal takes max v for benefit and min v for cost indicators, the anti-ideal the
    opposite; D = Euclidean distance. An alternative with D⁺ = D⁻ = 0 gets 0.5.

    ``reference`` (default: ``data`` itself) is the set of rows k that fixes the norms and
    the ideal and anti-ideal points. Scoring a subset against a larger reference keeps
    closeness comparable across subsets (e.g. each province's countries against all
    province-country pairs); then C_i can fall outside [0, 1] only if a row of ``data``
    lies outside the reference's range, which cannot happen when it is part of it.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> directions = {"exports": "benefit", "fdi": "benefit", "freight": "cost"}
    >>> from exportlens.measures import topsis
    >>> weights = pd.Series({"exports": 0.4, "fdi": 0.3, "freight": 0.3})
    >>> topsis(x, weights, directions).round(4)
    广东    0.8282
    江苏    0.7404
    四川    0.1970
    甘肃    0.0000
    Name: closeness, dtype: float64

    An alternative that is best on every indicator is the ideal point itself (C = 1):

    >>> best = pd.DataFrame({"exports": [2.0, 1.0], "fdi": [2.0, 1.0], "freight": [1.0, 2.0]})
    >>> topsis(best, weights, directions).round(4).tolist()
    [1.0, 0.0]
    """
    x = _matrix(data, "topsis", min_rows=1)
    cost = _directions(data.columns, directions)
    w = _aligned_weights(data.columns, weights, "topsis")
    if reference is None:
        ref = x
    else:
        missing = [str(c) for c in data.columns if c not in reference.columns]
        if missing:
            raise MissingColumnError(f"topsis: reference lacks column(s) {missing}.")
        ref = _matrix(reference[list(data.columns)], "topsis reference")
    if normalisation == "vector":
        norm = np.sqrt((ref**2).sum(axis=0))
        zero = [str(c) for c, v in zip(data.columns, norm, strict=True) if v == 0]
        if zero:
            raise InputError(f"topsis: column(s) {zero} are all zero; vector normalisation undefined.")
        r, r_ref = x / norm, ref / norm
    elif normalisation == "minmax":
        flat = _constant_columns(ref, data.columns)
        if flat:
            raise InputError(f"topsis: constant column(s) {flat}; min-max normalisation undefined.")
        lo, span = ref.min(axis=0), ref.max(axis=0) - ref.min(axis=0)
        r, r_ref = (x - lo) / span, (ref - lo) / span
    else:
        raise InputError(f"Unknown normalisation {normalisation!r}; use 'vector' or 'minmax'.")
    v, v_ref = r * w, r_ref * w
    best = np.where(cost, v_ref.min(axis=0), v_ref.max(axis=0))
    worst = np.where(cost, v_ref.max(axis=0), v_ref.min(axis=0))
    d_best = np.sqrt(((v - best) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=1))
    total = d_best + d_worst
    closeness = np.divide(d_worst, total, out=np.full_like(total, 0.5), where=total > 0)
    return pd.Series(closeness, index=data.index, name="closeness")


# --- composite index over an indicator system -----------------------------------------


@dataclass
class CompositeIndex:
    """Composite index F_i = Σ_d W_d S_id with S_id = Σ_{j∈d} w_j x'_ij.

    ``weights`` are the indicator weights: *within* their dimension (each dimension sums
    to 1) when ``normalise == "dimension"``, over all indicators (they sum to 1) when
    ``normalise == "all"``; ``dimension_weights`` the W_d (sum to 1), ``global_weights`` =
    w_j·W_d (they sum to 1 under ``"dimension"``). ``standardised`` holds x'. ``constant``
    lists indicators given weight 0.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> from exportlens.measures import IndicatorSystem
    >>> system = IndicatorSystem.from_dict({"name": "demo", "dimensions": [
    ...     {"code": "openness", "indicators": [{"code": "exports", "direction": "+"},
    ...                                         {"code": "fdi", "direction": "+"}]},
    ...     {"code": "logistics", "indicators": [{"code": "freight", "direction": "-"}]}]})
    >>> from exportlens.measures import composite_index
    >>> ci = composite_index(x, system)
    >>> ci.weights_frame().round(4)
             dimension  weight  global_weight
    exports   openness  0.4957         0.2478
    fdi       openness  0.5043         0.2522
    freight  logistics  1.0000         0.5000
    >>> print(ci.summary())
    Composite index: 4 alternatives, 3 indicators in 2 dimensions; entropy weights ...
    Dimension weights: openness 0.5000, logistics 0.5000
    ...
    Top alternatives: 江苏 (0.9100), 广东 (0.7634), 四川 (0.2539), 甘肃 (0.0001)
    """

    scores: pd.Series
    dimension_scores: pd.DataFrame
    weights: pd.Series
    dimension_weights: pd.Series
    indicator_dimension: pd.Series
    standardised: pd.DataFrame
    weighting: str
    method: str
    shift: Shift
    constant: list[str] = field(default_factory=list)
    normalise: str = "dimension"

    @property
    def global_weights(self) -> pd.Series:
        """w_j · W_d(j): the weight of each indicator in the final score (sums to 1 when the
        weights are normalised within dimensions)."""
        w = self.weights * self.indicator_dimension.map(self.dimension_weights).to_numpy()
        return w.rename("global_weight")

    def to_frame(self) -> pd.DataFrame:
        """One row per alternative: each dimension score, the final score and its rank."""
        out = self.dimension_scores.copy()
        out["score"] = self.scores
        out["rank"] = self.scores.rank(ascending=False, method="min").astype(int)
        return out

    def weights_frame(self) -> pd.DataFrame:
        """One row per indicator: dimension, within-dimension and global weight."""
        return pd.DataFrame(
            {
                "dimension": self.indicator_dimension,
                "weight": self.weights,
                "global_weight": self.global_weights,
            }
        )

    def summary(self) -> str:
        lines = [
            f"Composite index: {len(self.scores)} alternatives, {len(self.weights)} indicators in "
            f"{len(self.dimension_weights)} dimensions; {self.weighting} weights "
            f"{'within dimensions' if self.normalise == 'dimension' else 'over all indicators'}, "
            f"{self.method} standardisation, shift={self.shift!r}",
            "Dimension weights: "
            + ", ".join(f"{d} {w:.4f}" for d, w in self.dimension_weights.items()),
            self.weights_frame().to_string(float_format=lambda v: f"{v:.4f}"),
            "Top alternatives: "
            + ", ".join(f"{i} ({s:.4f})" for i, s in self.scores.nlargest(5).items()),
        ]
        if self.constant:
            lines.append(f"Constant indicator(s) given weight 0: {', '.join(self.constant)}")
        return "\n".join(lines)


def _within_weights(x: np.ndarray, flat: np.ndarray, weighting: str, *, single_is_one: bool = True) -> np.ndarray:
    """Weights of a block of columns of x (summing to 1); constant columns get weight 0.

    ``single_is_one``: a block of one column gets weight 1 without computing anything (a
    dimension with one indicator); otherwise the weighting is applied to every block.
    """
    if x.shape[1] == 1 and single_is_one:
        return np.ones(1)
    if weighting == "entropy":
        return _entropy_core(x, flat)[2]
    w = np.zeros(x.shape[1])
    keep = ~flat
    if not keep.any():
        raise InputError("Every indicator column of the dimension is constant.")
    w[keep] = _critic_core(x[:, keep]) if weighting == "critic" else _sd_core(x[:, keep])
    return w


def composite_index(
    data: pd.DataFrame,
    system: IndicatorHierarchy,
    *,
    method: str | None = "minmax",
    shift: Shift = DEFAULT_SHIFT,
    weighting: str = "entropy",
    dimension_weights: Mapping[str, float] | None = None,
    bounds: tuple[float, float] | None = None,
    offset: float = AUTO_CONSTANT,
    constant: ConstantPolicy = "raise",
    normalise: Literal["dimension", "all"] = "dimension",
) -> CompositeIndex:
    """Two-level composite index over an indicator system (rows = alternatives).

    Each indicator of ``system`` (a column of ``data``; other columns are ignored) is
    standardised with :func:`standardise` (``method``, ``shift``, ``bounds``, ``offset``);
    ``method=None`` means ``data`` are already standardised (e.g. over a larger
    reference set, as the linkage study does over all provinces) and are used as they are.
    Inside each dimension the ``weighting`` (``"entropy"``, ``"critic"`` or ``"sd"``) gives
    w_j (Σ_{j∈d} w_j = 1) and the dimension score S_id = Σ_{j∈d} w_j x'_ij;
    ``dimension_weights`` (every dimension, non-negative, summing to 1; equal by default)
    combine them: F_i = Σ_d W_d S_id. Constant columns raise, or get weight 0 with a
    :class:`ConstantColumnWarning` under ``constant="zero"``.

    ``normalise`` says over which indicators the objective weights sum to 1:
    ``"dimension"`` (default) computes them inside each dimension (Σ_{j∈d} w_j = 1 for every
    d); ``"all"`` computes them once over all m indicators of the system (Σ_j w_j = 1; for
    entropy d_j / Σ_{k=1..m} d_k), and the dimension score is still S_id = Σ_{j∈d} w_j x'_ij,
    so that a dimension's scores carry its share of the total weight. ``"all"`` is the scheme
    of the linkage study's publication (16 weights per province summing to 100 %). With
    ``"dimension"`` a dimension of one indicator has weight 1 whatever the data; with
    ``"all"`` its weight depends on the data like every other.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"exports": [120.0, 80.0, 30.0, 10.0], "fdi": [15.0, 20.0, 5.0, 2.0],
    ...                   "freight": [3.0, 2.0, 4.0, 5.0]}, index=["广东", "江苏", "四川", "甘肃"])
    >>> from exportlens.measures import IndicatorSystem
    >>> system = IndicatorSystem.from_dict({"name": "demo", "dimensions": [
    ...     {"code": "openness", "indicators": [{"code": "exports", "direction": "+"},
    ...                                         {"code": "fdi", "direction": "+"}]},
    ...     {"code": "logistics", "indicators": [{"code": "freight", "direction": "-"}]}]})
    >>> from exportlens.measures import composite_index
    >>> ci = composite_index(x, system)
    >>> ci.to_frame().round(4)
    dimension  openness  logistics   score  rank
    广东           0.8600     0.6668  0.7634     2
    江苏           0.8199     1.0001  0.9100     1
    四川           0.1743     0.3334  0.2539     3
    甘肃           0.0001     0.0001  0.0001     4

    F_i = Σ_d W_d S_id with equal dimension weights (广东: (0.86 + 0.6668) / 2); AHP or
    hand-set weights go in ``dimension_weights``:

    >>> ci2 = composite_index(x, system, dimension_weights={"openness": 0.8, "logistics": 0.2})
    >>> ci2.scores.round(4).tolist()
    [0.8214, 0.8559, 0.2061, 0.0001]
    """
    if weighting not in WEIGHTINGS:
        raise InputError(f"Unknown weighting {weighting!r}; use one of {list(WEIGHTINGS)}.")
    ind = system.indicators
    codes = list(ind["code"])
    require_columns(require_frame(data), codes)
    dims = list(system.dimensions.index)
    dimension_of = pd.Series(list(ind["dimension"]), index=codes, name="dimension")
    if method is None:
        if shift not in (DEFAULT_SHIFT, None) or bounds is not None:
            raise InputError("shift/bounds have no effect with method=None (data already standardised).")
        x = _matrix(data[codes], "composite_index")
        std = pd.DataFrame(x, index=data.index, columns=pd.Index(codes))
    else:
        directions = dict(zip(codes, ind["direction"], strict=True))
        std = standardise(
            data[codes], directions, method=method, shift=shift, bounds=bounds, offset=offset,
            constant=constant,
        )
        x = std.to_numpy()
    if weighting == "entropy":
        _check_non_negative(x, std, "composite_index (entropy weights)")
    flat = _flat_mask(x, std.columns, constant, "composite_index")
    dw = (
        pd.Series(1.0 / len(dims), index=dims, name="dimension_weight")
        if dimension_weights is None
        else _dimension_weights(dimension_weights, dims)
    )
    if normalise not in ("dimension", "all"):
        raise InputError(f"normalise must be 'dimension' or 'all', got {normalise!r}.")
    member_dims = list(ind["dimension"])
    w_all = np.zeros(len(codes))
    dim_scores = np.zeros((x.shape[0], len(dims)))
    if normalise == "all":
        w_all = _within_weights(x, flat, weighting, single_is_one=False)
    for k, dim in enumerate(dims):
        idx = [j for j, d in enumerate(member_dims) if d == dim]
        if normalise == "dimension":
            try:
                w_all[idx] = _within_weights(x[:, idx], flat[idx], weighting)
            except InputError as exc:
                raise type(exc)(f"Dimension {dim!r}: {exc}") from exc
        dim_scores[:, k] = x[:, idx] @ w_all[idx]
    names = [str(c) for c in std.columns[flat]]
    if names:
        warn_caller(f"Constant indicator column(s) {names} given weight 0.", ConstantColumnWarning)
    dim_frame = pd.DataFrame(dim_scores, index=data.index, columns=pd.Index(dims, name="dimension"))
    return CompositeIndex(
        scores=pd.Series(dim_scores @ dw.to_numpy(), index=data.index, name="score"),
        dimension_scores=dim_frame,
        weights=pd.Series(w_all, index=codes, name="weight"),
        dimension_weights=dw,
        indicator_dimension=dimension_of,
        standardised=std,
        weighting=weighting,
        method=str(method),
        shift=shift,
        constant=names,
        normalise=normalise,
    )


def _dimension_weights(raw: Mapping[str, float], dims: list[str]) -> pd.Series:
    s = pd.Series(dict(raw), dtype=float)
    missing = [d for d in dims if d not in s.index]
    extra = [str(d) for d in s.index if d not in dims]
    if missing or extra:
        raise InputError(
            f"dimension_weights must give every dimension {dims}; missing {missing}, unknown {extra}."
        )
    s = s.reindex(dims)
    if not np.isfinite(s).all() or (s < 0).any():
        raise InputError(f"dimension_weights must be finite and non-negative: {s.to_dict()}.")
    if abs(s.sum() - 1.0) > 1e-6:
        raise InputError(
            f"dimension_weights must sum to 1 (they sum to {s.sum():.6g}): {s.to_dict()}."
        )
    return s.rename("dimension_weight")
