"""Small helpers shared by the identification estimators (name lists, fixed effects, cluster sums).

Input checks come from :mod:`exportlens.validation`.

Public (no leading underscore) so that :mod:`.iv`, :mod:`.mediation`, :mod:`.threshold` and
:mod:`.robustness` can share them without private cross-module imports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.errors import InputError

if TYPE_CHECKING:
    pass

__all__ = [
    "as_name_list",
    "cluster_meat",
    "resolve_fixed_effects",
]


def as_name_list(value: str | Iterable[str] | None) -> list[str]:
    """``None`` -> ``[]``, ``"a"`` -> ``["a"]``, an iterable -> list (order kept, duplicates removed)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(dict.fromkeys(value))


def resolve_fixed_effects(fe: Any, entity: str, time: str) -> list[str]:
    """Fixed-effect columns from the names :func:`~exportlens.econometrics.fit_panel` accepts.

    ``None`` -> none, ``"year"``/``"time"`` -> ``[time]``, ``"region"``/``"entity"`` ->
    ``[entity]``, ``"twoway"`` -> ``[entity, time]``, a list -> itself.
    """
    if fe is None or fe is False:
        return []
    if isinstance(fe, str):
        key = fe.strip().lower()
        if key in {"twoway", "two-way", "both", "region+year", "entity+time"}:
            return [entity, time]
        if key in {"year", "time"}:
            return [time]
        if key in {"region", "entity"}:
            return [entity]
        return [fe]
    cols = list(fe)
    if not all(isinstance(c, str) for c in cols):
        raise InputError(f"fe must be None, 'year', 'region', 'twoway' or a list of column names; got {fe!r}.")
    return list(dict.fromkeys(cols))


def cluster_meat(scores: np.ndarray, clusters: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Cluster-robust "meat" ``sum_g (sum_{i in g} s_i)(sum_{i in g} s_i)'`` of an (n, k) score matrix.

    Each observation its own cluster gives the heteroskedasticity-robust (White) meat
    ``sum_i s_i s_i'``. No small-sample factor is applied here.
    """
    import pandas as pd

    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        scores = scores[:, None]
    codes = pd.factorize(np.asarray(clusters))[0]
    sums = np.zeros((codes.max() + 1, scores.shape[1]))
    np.add.at(sums, codes, scores)
    return sums.T @ sums
