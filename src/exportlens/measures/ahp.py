"""Analytic Hierarchy Process: pairwise judgment matrices, weights and consistency.

A judgment matrix A (n x n) holds a_ij = how much more important criterion i is than j
on Saaty's 1-9 scale (1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme; 2, 4, 6, 8
in between), with a_ii = 1 and a_ji = 1 / a_ij (reciprocity). Saaty (1977), J. Math.
Psychol. 15(3):234-281; Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill.

Weights (three standard methods, all normalised to sum to 1)
------------------------------------------------------------
* ``arithmetic`` (sum-product / 和积法): w_i = (1/n) Σ_j a_ij / Σ_k a_kj, the row mean
  of the column-normalised matrix.
* ``geometric`` (root / 方根法): w_i ∝ (Π_j a_ij)^(1/n) (Crawford & Williams 1985 -
  the logarithmic least-squares solution).
* ``eigenvector`` (特征根法, Saaty's definition): A w = λ_max w, the principal (Perron)
  eigenvector.

Consistency
-----------

λ_max is the principal eigenvalue of A (λ_max ≥ n, equality iff A is consistent,
a_ij a_jk = a_ik). CI = (λ_max − n) / (n − 1), CR = CI / RI(n), accepted when
CR < 0.10 (Saaty 1980). RI(n) = the mean CI of random reciprocal matrices, which
depends on the simulation: :data:`RANDOM_INDEX_TABLES` holds the tables in use
(Saaty 1980 is the default); RI = 0 and CR = 0 for n ≤ 2 (such matrices are always
consistent). ``AHPResult.lambda_by_method`` also gives the textbook estimate
λ̂ = (1/n) Σ_i (A w)_i / w_i for each weight vector.

More criteria than the chosen RI table covers (n > 15 for Saaty 1980): the weights are
returned, RI and CR are NaN (no CR can be computed) and a :class:`RandomIndexWarning`
names the tables that do cover n (Donegan & Dodd 1991 goes to n = 20).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import pandas as pd

from exportlens.errors import (
    InconsistentJudgmentError,
    InconsistentJudgmentWarning,
    InputError,
    RandomIndexWarning,
    warn_caller,
)
from exportlens.validation import format_list

__all__ = [
    "AHP_METHODS",
    "RANDOM_INDEX_TABLES",
    "AHPResult",
    "InconsistentJudgmentError",
    "InconsistentJudgmentWarning",
    "RandomIndexTable",
    "RandomIndexWarning",
    "ahp",
    "pairwise_matrix",
    "random_index",
    "tables_covering",
]

AHP_METHODS = ("arithmetic", "geometric", "eigenvector")
OnInconsistent = Literal["warn", "raise", "ignore"]


@dataclass(frozen=True)
class RandomIndexTable:
    """Random consistency indices RI(n) of one source (n = matrix order).

    Examples
    --------
    >>> from exportlens.measures import RANDOM_INDEX_TABLES
    >>> table = RANDOM_INDEX_TABLES["donegan_dodd1991"]
    >>> table.max_n, table.covers(18), table(4), table(2)
    (20, True, 0.8286, 0.0)
    >>> RANDOM_INDEX_TABLES["saaty1980"].covers(18)
    False
    """

    key: str
    values: Mapping[int, float]
    source: str

    @property
    def max_n(self) -> int:
        """The largest matrix order the table covers."""
        return max(self.values)

    def covers(self, n: int) -> bool:
        """Whether RI(n) is known (always for n <= 2, where RI = 0)."""
        return n <= 2 or n in self.values

    def __call__(self, n: int) -> float:
        if n <= 2:
            return 0.0
        if n not in self.values:
            raise InputError(
                f"The {self.key!r} random-index table covers n = 3..{max(self.values)}; the matrix "
                f"has n = {n}. Choose another table: {sorted(RANDOM_INDEX_TABLES)}."
            )
        return float(self.values[n])


def _table(key: str, values: Sequence[float], source: str, start: int = 3) -> RandomIndexTable:
    return RandomIndexTable(key, {start + i: v for i, v in enumerate(values)}, source)


RANDOM_INDEX_TABLES: dict[str, RandomIndexTable] = {
    t.key: t
    for t in (
        _table(
            "saaty1980",
            [0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59],
            "Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill (n = 3..15)",
        ),
        _table(
            "saaty2005",
            [0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59],
            "Saaty (2005), Theory and Applications of the Analytic Network Process, RWS "
            "Publications, p. 31 (AHPy random_index='saaty')",
        ),
        _table(
            "chinese_textbook",
            [0.52, 0.89, 1.12, 1.26, 1.36, 1.41, 1.46, 1.49, 1.52, 1.54, 1.56, 1.58, 1.59],
            "The table printed in Chinese AHP textbooks and used by Chinese software "
            "(平均随机一致性指标 RI, n = 3..15)",
        ),
        _table(
            "tummala_ling1998",
            [0.5799, 0.8921, 1.1159, 1.2358, 1.3322, 1.3952, 1.4537, 1.4882, 1.5117, 1.5356,
             1.5571, 1.5714, 1.5831],
            "Tummala & Ling (1998), Theory and Decision 44(3):221-230 (pymcdm's table)",
        ),
        _table(
            "alonso_lamata2006",
            [0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854, 1.5141, 1.5365,
             1.5551, 1.5713, 1.5838],
            "Alonso & Lamata (2006), Int. J. Uncertainty, Fuzziness Knowl.-Based Syst. "
            "14(4):445-459 (100,000 matrices)",
        ),
        _table(
            "donegan_dodd1991",
            [0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055, 1.4213, 1.4497,
             1.4643, 1.4822, 1.4969, 1.5078, 1.5153, 1.5262, 1.5313, 1.5371],
            "Donegan & Dodd (1991), Math. Comput. Modelling 15(10):135-137 (AHPy's default "
            "random_index='dd'; n = 3..20)",
        ),
    )
}


def tables_covering(n: int) -> list[str]:
    """The keys of the random-index tables that give RI(n)."""
    return [k for k, t in RANDOM_INDEX_TABLES.items() if t.covers(n)]


def random_index(n: int, table: str = "saaty1980") -> float:
    """RI(n) from one of :data:`RANDOM_INDEX_TABLES` (0 for n ≤ 2).

    Examples
    --------
    >>> from exportlens.measures import random_index
    >>> random_index(3), random_index(5), random_index(2)
    (0.58, 1.12, 0.0)
    >>> random_index(4, table="chinese_textbook")
    0.89
    """
    if table not in RANDOM_INDEX_TABLES:
        raise InputError(
            f"Unknown random-index table {table!r}; available: {sorted(RANDOM_INDEX_TABLES)}."
        )
    return RANDOM_INDEX_TABLES[table](n)


# --- building the judgment matrix -----------------------------------------------------

_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")


def _judgment(value: Any, where: str) -> float:
    """A judgment as a float; accepts numbers, "3", "1/3" and Fractions."""
    if isinstance(value, bool):
        raise InputError(f"Judgment {where} is a boolean ({value!r}); a positive number is required.")
    if isinstance(value, int | float | np.integer | np.floating | Fraction):
        out = float(value)
    elif isinstance(value, str):
        m = _FRACTION.match(value)
        try:
            out = float(m.group(1)) / float(m.group(2)) if m else float(value)
        except (ValueError, ZeroDivisionError):
            raise InputError(f"Judgment {where} = {value!r} is not a number or a fraction like '1/3'.") from None
    else:
        raise InputError(f"Judgment {where} = {value!r} is not a number.")
    if not math.isfinite(out) or out <= 0:
        raise InputError(f"Judgment {where} = {value!r} must be a positive number (Saaty scale 1/9..9).")
    return out


def _labels(labels: Sequence[str] | None, n: int) -> list[str]:
    if labels is None:
        return [f"C{i + 1}" for i in range(n)]
    labels = [str(x) for x in labels]
    if len(labels) != n:
        raise InputError(f"{len(labels)} labels given for a {n} x {n} judgment matrix.")
    if len(set(labels)) != n:
        raise InputError(f"Labels must be distinct, got {labels}.")
    return labels


def pairwise_matrix(
    matrix: Any = None,
    *,
    upper: Sequence[Any] | None = None,
    pairs: Mapping[tuple[str, str], Any] | Sequence[Sequence[Any]] | None = None,
    labels: Sequence[str] | None = None,
    scale: Literal["saaty", "free"] = "saaty",
    tol: float = 0.01,
) -> pd.DataFrame:
    """A checked reciprocal judgment matrix (DataFrame indexed and labelled by criterion).

    Give exactly one of

    * ``matrix``: the full n x n matrix (nested lists, array or DataFrame, whose index gives
      the labels); entries may be fractions written as strings ("1/3");
    * ``upper``: the n(n−1)/2 entries above the diagonal, row by row
      (a_12, a_13, ..., a_1n, a_23, ...); the lower triangle is filled with 1/a_ij;
    * ``pairs``: ``{(i, j): a_ij}`` or ``[(i, j, a_ij), ...]`` naming each pair once (either
      order); the labels come from ``labels`` or the order of first appearance.

    Checks: square, positive, a_ii = 1, reciprocity a_ij·a_ji = 1 (relative ``tol``,
    default 0.01 so that 0.33 passes for 1/3), and with ``scale="saaty"`` every entry in
    [1/9, 9]. Every violation is reported with its cells.

    Examples
    --------
    The upper triangle row by row (goods vs capital 3, goods vs people 5, capital vs
    people 2); the lower triangle is filled with the reciprocals:

    >>> from exportlens.measures import pairwise_matrix
    >>> m = pairwise_matrix(upper=[3, 5, 2], labels=["goods", "capital", "people"])
    >>> m.round(4)
                goods  capital  people
    criterion
    goods      1.0000      3.0     5.0
    capital    0.3333      1.0     2.0
    people     0.2000      0.5     1.0

    The same matrix from named pairs, fractions as text:

    >>> m2 = pairwise_matrix(pairs=[("goods", "capital", 3), ("people", "goods", "1/5"),
    ...                             ("capital", "people", 2)])
    >>> bool((m2 == m).all().all())
    True
    """
    given = [x is not None for x in (matrix, upper, pairs)]
    if sum(given) != 1:
        raise InputError("Give exactly one of matrix=, upper= or pairs= to pairwise_matrix.")
    if matrix is not None:
        a, names = _from_full(matrix, labels)
    elif upper is not None:
        a, names = _from_upper(upper, labels)
    else:
        a, names = _from_pairs(pairs, labels)
    _check_matrix(a, names, scale, tol)
    return pd.DataFrame(a, index=pd.Index(names, name="criterion"), columns=names)


def _from_full(matrix: Any, labels: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(matrix, pd.DataFrame):
        if list(matrix.index.astype(str)) != list(matrix.columns.astype(str)):
            raise InputError(
                "The judgment DataFrame must have the same labels, in the same order, on rows "
                f"and columns; rows {list(matrix.index)}, columns {list(matrix.columns)}."
            )
        if labels is None:
            labels = list(matrix.index.astype(str))
        rows = matrix.to_numpy(dtype=object).tolist()
    else:
        rows = np.asarray(matrix, dtype=object).tolist()
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise InputError("matrix= must be a square 2-D table of judgments.")
    n = len(rows)
    bad = [i + 1 for i, r in enumerate(rows) if len(r) != n]
    if bad:
        raise InputError(f"The judgment matrix is not square: {n} rows, row(s) {bad} have another length.")
    names = _labels(labels, n)
    a = np.array(
        [[_judgment(v, f"({names[i]}, {names[j]})") for j, v in enumerate(r)] for i, r in enumerate(rows)]
    )
    return a, names


def _from_upper(upper: Sequence[Any], labels: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    values = list(upper)
    m = len(values)
    n = round((1 + math.sqrt(1 + 8 * m)) / 2)
    if n * (n - 1) // 2 != m or m == 0:
        raise InputError(
            f"upper= has {m} entries; an upper triangle has n(n−1)/2 = 1, 3, 6, 10, 15, ... entries."
        )
    names = _labels(labels, n)
    a = np.ones((n, n))
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = _judgment(values[k], f"({names[i]}, {names[j]})")
            a[j, i] = 1.0 / a[i, j]
            k += 1
    return a, names


def _from_pairs(pairs: Any, labels: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(pairs, Mapping):
        items = [(k[0], k[1], v) for k, v in pairs.items()] if all(
            isinstance(k, tuple) and len(k) == 2 for k in pairs
        ) else None
        if items is None:
            raise InputError("pairs= as a mapping needs (criterion_i, criterion_j) tuple keys.")
    else:
        items = []
        for t in pairs:
            if not isinstance(t, Sequence) or isinstance(t, str) or len(t) != 3:
                raise InputError(f"Each pair must be (criterion_i, criterion_j, a_ij); got {t!r}.")
            items.append(tuple(t))
    seen: list[str] = []
    for i, j, _ in items:
        for x in (str(i), str(j)):
            if x not in seen:
                seen.append(x)
    names = list(map(str, labels)) if labels is not None else seen
    names = _labels(names, len(names))
    unknown = [x for x in seen if x not in names]
    if unknown:
        raise InputError(f"Pair(s) name criteria {unknown} that are not in labels {names}.")
    pos = {x: k for k, x in enumerate(names)}
    n = len(names)
    a = np.full((n, n), np.nan)
    np.fill_diagonal(a, 1.0)
    for i, j, v in items:
        i, j = str(i), str(j)
        if i == j:
            raise InputError(f"Pair ({i}, {j}) compares a criterion with itself.")
        value = _judgment(v, f"({i}, {j})")
        p, q = pos[i], pos[j]
        if not np.isnan(a[p, q]):
            raise InputError(f"Pair ({i}, {j}) is given more than once (either order counts).")
        a[p, q], a[q, p] = value, 1.0 / value
    missing = [f"({names[p]}, {names[q]})" for p in range(n) for q in range(p + 1, n) if np.isnan(a[p, q])]
    if missing:
        raise InputError(f"{len(missing)} pair(s) missing from pairs=: {format_list(missing)}.")
    return a, names


def _check_matrix(a: np.ndarray, names: list[str], scale: str, tol: float) -> None:
    n = a.shape[0]
    diag = [f"({names[i]}, {names[i]}) = {a[i, i]:g}" for i in range(n) if abs(a[i, i] - 1) > 1e-12]
    if diag:
        raise InputError(f"The diagonal of a judgment matrix must be 1: {format_list(diag)}.")
    prod = a * a.T
    bad = [
        f"({names[i]}, {names[j]}) = {a[i, j]:g} but ({names[j]}, {names[i]}) = {a[j, i]:g}"
        for i in range(n) for j in range(i + 1, n) if abs(prod[i, j] - 1) > tol
    ]
    if bad:
        raise InputError(
            f"The judgment matrix is not reciprocal (a_ji must be 1/a_ij): {format_list(bad)}."
        )
    if scale == "saaty":
        out = [
            f"({names[i]}, {names[j]}) = {a[i, j]:g}"
            for i in range(n) for j in range(n)
            if a[i, j] > 9 * (1 + tol) or a[i, j] < (1 - tol) / 9
        ]
        if out:
            raise InputError(
                f"Judgment(s) outside Saaty's 1/9..9 scale: {format_list(out)} (pass scale='free' "
                "to allow other ratio scales)."
            )
    elif scale != "free":
        raise InputError(f"scale must be 'saaty' or 'free', got {scale!r}.")


# --- weights and consistency ----------------------------------------------------------


def arithmetic_mean_weights(a: np.ndarray) -> np.ndarray:
    """w_i = (1/n) Σ_j a_ij / Σ_k a_kj (row mean of the column-normalised matrix)."""
    return (a / a.sum(axis=0)).mean(axis=1)


def geometric_mean_weights(a: np.ndarray) -> np.ndarray:
    """w_i = g_i / Σ g, g_i = (Π_j a_ij)^(1/n) (computed in logs)."""
    g = np.exp(np.log(a).mean(axis=1))
    return g / g.sum()


def principal_eigen(a: np.ndarray) -> tuple[float, np.ndarray]:
    """(λ_max, w): the Perron eigenvalue and its eigenvector normalised to Σ w = 1."""
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    w = vectors[:, k].real
    return float(values[k].real), w / w.sum()


@dataclass
class AHPResult:
    """Weights of one judgment matrix by three methods, and its consistency.

    ``weights``: DataFrame (criteria x [arithmetic, geometric, eigenvector]), each column
    sums to 1. ``lambda_max`` (principal eigenvalue), ``ci`` = (λ_max − n)/(n − 1),
    ``ri`` from ``ri_table``, ``cr`` = CI/RI (0 when n ≤ 2), ``consistent`` = CR < threshold.
    ``lambda_by_method``: the estimate (1/n) Σ (A w)_i / w_i for each weight vector.
    When ``ri_table`` does not cover n, ``ri`` and ``cr`` are NaN, ``consistent`` is False
    and ``cr_note`` says which tables do cover n.

    Examples
    --------
    >>> from exportlens.measures import ahp
    >>> r = ahp([[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]], labels=["goods", "capital", "people"])
    >>> r.n, r.consistent
    (3, True)
    >>> r.weight("eigenvector").round(4).tolist()
    [0.6483, 0.2297, 0.122]
    >>> r.consistency().round(4).to_dict()
    {'lambda_max': 3.0037, 'CI': 0.0018, 'RI': 0.58, 'CR': 0.0032, 'threshold': 0.1}
    >>> print(r.summary())
    AHP: 3 criteria; lambda_max = 3.0037, CI = 0.0018, ..., CR = 0.0032 -> consistent (threshold 0.1)
               arithmetic  geometric  eigenvector   Aw/w
    criterion
    goods          0.6479     0.6483       0.6483 3.0037
    capital        0.2299     0.2297       0.2297 3.0037
    people         0.1222     0.1220       0.1220 3.0037
    """

    matrix: pd.DataFrame
    weights: pd.DataFrame
    lambda_max: float
    ci: float
    ri: float
    cr: float
    ri_table: str
    threshold: float
    lambda_by_method: pd.Series
    cr_note: str | None = None

    @property
    def cr_available(self) -> bool:
        """Whether a CR could be computed (the RI table covers n)."""
        return not math.isnan(self.cr)

    @property
    def n(self) -> int:
        return len(self.matrix)

    @property
    def consistent(self) -> bool:
        return self.cr < self.threshold

    def weight(self, method: str = "eigenvector") -> pd.Series:
        """The weight vector of one method (``arithmetic``, ``geometric``, ``eigenvector``)."""
        if method not in AHP_METHODS:
            raise InputError(f"Unknown AHP weighting method {method!r}; use one of {list(AHP_METHODS)}.")
        return self.weights[method].rename("weight")

    def consistency(self) -> pd.Series:
        """λ_max, CI, RI, CR and the threshold as one Series."""
        return pd.Series(
            {"lambda_max": self.lambda_max, "CI": self.ci, "RI": self.ri, "CR": self.cr,
             "threshold": self.threshold},
            name="consistency",
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: the three weight vectors and A·w / w of the eigenvector."""
        out = self.weights.copy()
        a = self.matrix.to_numpy()
        w = self.weights["eigenvector"].to_numpy()
        out["Aw/w"] = (a @ w) / w
        return out

    def summary(self) -> str:
        if not self.cr_available:
            return "\n".join([f"AHP: {self.n} criteria; lambda_max = {self.lambda_max:.4f}, CI = {self.ci:.4f}; "
                              f"{self.cr_note}", self.to_frame().to_string(float_format=lambda v: f"{v:.4f}")])
        verdict = "consistent" if self.consistent else "NOT consistent"
        return "\n".join(
            [
                f"AHP: {self.n} criteria; lambda_max = {self.lambda_max:.4f}, CI = {self.ci:.4f}, "
                f"RI = {self.ri:.4f} ({self.ri_table}), CR = {self.cr:.4f} -> {verdict} "
                f"(threshold {self.threshold:g})",
                self.to_frame().to_string(float_format=lambda v: f"{v:.4f}"),
            ]
        )


def ahp(
    matrix: Any,
    *,
    labels: Sequence[str] | None = None,
    ri_table: str = "saaty1980",
    threshold: float = 0.1,
    on_inconsistent: OnInconsistent = "warn",
) -> AHPResult:
    """AHP weights (arithmetic, geometric, eigenvector) and consistency of a judgment matrix.

    ``matrix`` is a full judgment matrix (anything :func:`pairwise_matrix` accepts as
    ``matrix=``, including its DataFrame output). Formulas in the module docstring. When
    CR ≥ ``threshold``: ``on_inconsistent="warn"`` (default) emits an
    :class:`InconsistentJudgmentWarning`, ``"raise"`` raises
    :class:`InconsistentJudgmentError`, ``"ignore"`` does nothing.

    Examples
    --------
    A perfectly consistent matrix (a_ij · a_jk = a_ik): every method gives the weights
    4/7, 2/7, 1/7, λ_max = n and CR = 0.

    >>> from exportlens.measures import ahp
    >>> r = ahp([[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]])
    >>> r.weights.round(4)
               arithmetic  geometric  eigenvector
    criterion
    C1             0.5714     0.5714       0.5714
    C2             0.2857     0.2857       0.2857
    C3             0.1429     0.1429       0.1429
    >>> round(r.lambda_max, 6), round(abs(r.cr), 6)
    (3.0, 0.0)

    Contradictory judgments (C1 > C2 > C3 > C1) are refused with ``"raise"``:

    >>> ahp([[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]], on_inconsistent="raise")
    Traceback (most recent call last):
    ...
    exportlens.errors.InconsistentJudgmentError: ... is not consistent: CR = 6.1303 >= 0.1 ...
    """
    if on_inconsistent not in ("warn", "raise", "ignore"):
        raise InputError(f"on_inconsistent must be 'warn', 'raise' or 'ignore', got {on_inconsistent!r}.")
    if not (isinstance(threshold, int | float) and threshold > 0):
        raise InputError(f"threshold must be a positive number, got {threshold!r}.")
    frame = pairwise_matrix(matrix, labels=labels)
    a = frame.to_numpy()
    n = a.shape[0]
    cr_note = None
    if ri_table in RANDOM_INDEX_TABLES and not RANDOM_INDEX_TABLES[ri_table].covers(n):
        covering = tables_covering(n)
        cr_note = (f"No CR can be computed: the {ri_table!r} random-index table covers n = 3.."
                   f"{RANDOM_INDEX_TABLES[ri_table].max_n} and the matrix has n = {n}; "
                   + (f"tables that cover n = {n}: {', '.join(covering)}." if covering
                      else f"no built-in table covers n = {n}.") + " The weights are valid.")
        ri = math.nan
    else:
        ri = random_index(n, ri_table)
    lam, w_eig = principal_eigen(a)
    if n <= 2:
        # 1 x 1 and reciprocal 2 x 2 matrices are consistent; λ_max = n up to rounding.
        lam = float(n)
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    cr = math.nan if math.isnan(ri) else (ci / ri if ri > 0 else 0.0)
    weights = pd.DataFrame(
        {
            "arithmetic": arithmetic_mean_weights(a),
            "geometric": geometric_mean_weights(a),
            "eigenvector": w_eig,
        },
        index=frame.index,
    )
    lam_by = pd.Series(
        {m: float(np.mean((a @ weights[m].to_numpy()) / weights[m].to_numpy())) for m in AHP_METHODS},
        name="lambda_estimate",
    )
    result = AHPResult(
        matrix=frame, weights=weights, lambda_max=lam, ci=ci, ri=ri, cr=cr,
        ri_table=ri_table, threshold=float(threshold), lambda_by_method=lam_by, cr_note=cr_note,
    )
    if cr_note is not None:
        warn_caller(cr_note, RandomIndexWarning)
    elif not result.consistent and on_inconsistent != "ignore":
        message = (
            f"Judgment matrix {list(frame.index)} is not consistent: CR = {cr:.4f} >= {threshold:g} "
            f"(lambda_max = {lam:.4f}, CI = {ci:.4f}, RI = {ri:.2f} from {ri_table}). Revise the judgments."
        )
        if on_inconsistent == "raise":
            raise InconsistentJudgmentError(message)
        warn_caller(message, InconsistentJudgmentWarning)
    return result


