"""Global Moran's I by period and local Moran (LISA) clusters, with permutation inference.

Global Moran's I (Moran 1950; Cliff and Ord 1981; Anselin 1988, ch. 8) of a variable y over
N regions with weights W (S0 = sum_ij w_ij, z = y - mean(y)):

    I = (N / S0) * (z' W z) / (z' z),        E[I] = -1 / (N - 1),

with the variance under normality (Cliff and Ord 1981, eq. 1.38)

    Var[I] = (N^2 S1 - N S2 + 3 S0^2) / ((N - 1)(N + 1) S0^2) - E[I]^2,
    S1 = 1/2 sum_ij (w_ij + w_ji)^2,   S2 = sum_i (sum_j w_ij + sum_j w_ji)^2,

z_norm = (I - E[I]) / sqrt(Var[I]) and a two-sided normal p-value. The permutation
(pseudo) p-value reshuffles y over the regions ``permutations`` times and counts the
permuted statistics at least as extreme, in the direction of the observed one:
p_sim = (min(#{I* >= I}, P - #{I* >= I}) + 1) / (P + 1) (esda's convention; Anselin 1995).

Local Moran (Anselin 1995), with z standardised by its (population) standard deviation:

    I_i = (N - 1) z_i (W z)_i / sum_j z_j^2,

inferred by conditional permutation: region i's value is held fixed and its neighbours'
values are drawn without replacement from the other N - 1 regions. As in esda, one set of
draws (``permutations`` x max. cardinality indices into the other regions) is shared by all
regions. Clusters: HH (high value, high neighbours), LH, LL, HL when p_sim <= alpha; "ns"
otherwise.

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer.
Anselin, L. (1995). Local indicators of spatial association - LISA. *Geographical Analysis* 27(2), 93-115.
Cliff, A. D. and Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from exportlens.errors import InputError
from exportlens.spatial.panel_data import panel_arrays
from exportlens.spatial.weights import SpatialWeights

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CLUSTER_LABELS",
    "LocalMoranResult",
    "MoranResult",
    "MoranStatistic",
    "local_moran",
    "local_moran_panel",
    "moran_by_period",
    "moran_i",
]

#: Quadrant code -> (English, Chinese) cluster label; 0 = not significant.
CLUSTER_LABELS: dict[int, tuple[str, str]] = {
    1: ("HH", "高-高"),
    2: ("LH", "低-高"),
    3: ("LL", "低-低"),
    4: ("HL", "高-低"),
    0: ("ns", "不显著"),
}


def _folded_pvalue(sim: np.ndarray, observed: Any, permutations: int) -> Any:
    larger = (sim >= observed).sum(axis=0)
    larger = np.where(permutations - larger < larger, permutations - larger, larger)
    return (larger + 1.0) / (permutations + 1.0)


@dataclass(frozen=True)
class MoranStatistic:
    """Global Moran's I of one cross-section.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.spatial import from_matrix, moran_i
    >>> names = ["a", "b", "c", "d"]
    >>> chain = pd.DataFrame([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]],
    ...                      index=names, columns=names)
    >>> w = from_matrix(chain, provinces=False)
    >>> stat = moran_i([1.0, 2.0, 3.0, 4.0], w, permutations=99, seed=0)
    >>> {k: round(v, 4) for k, v in stat.as_dict().items()}
    {'n': 4, 'I': 0.4, 'EI': -0.3333, 'VI_norm': 0.1722, 'z_norm': 1.7671, 'p_norm': 0.0772, 'permutations': 99, 'EI_sim': -0.3313, 'seI_sim': 0.46, 'z_sim': 1.5896, 'p_sim': 0.09}
    """

    n: int
    I: float  # noqa: E741 - the statistic's name in the literature
    EI: float
    VI_norm: float
    z_norm: float
    p_norm: float
    permutations: int
    EI_sim: float
    seI_sim: float
    z_sim: float
    p_sim: float

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def moran_i(values: Any, weights: SpatialWeights, *, permutations: int = 999, seed: int | None = 0) -> MoranStatistic:
    """Global Moran's I of ``values`` (in the order of ``weights.regions``); see the module docstring.

    The permutations use ``numpy.random.RandomState(seed).permutation`` in sequence, the
    stream esda's ``Moran`` draws after ``numpy.random.seed(seed)``, so both give the same
    p_sim under one seed.

    Examples
    --------
    >>> import numpy as np
    >>> from exportlens.spatial import from_matrix
    >>> from exportlens.spatial import moran_i
    >>> import pandas as pd
    >>> names = ["a", "b", "c", "d"]
    >>> chain = pd.DataFrame([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]],
    ...                      index=names, columns=names)
    >>> w = from_matrix(chain, row_standardise=False, provinces=False)
    >>> stat = moran_i([1.0, 2.0, 3.0, 4.0], w, permutations=99, seed=0)
    >>> # I = n / S0 * z'Wz / z'z = 4/6 * 2.5/5 = 1/3; E[I] = -1/(n-1)
    >>> round(stat.I, 4), round(stat.EI, 4)
    (0.3333, -0.3333)
    """
    from scipy import stats

    y = np.asarray(values, dtype=float).ravel()
    n = y.size
    if n != weights.n:
        raise InputError(f"{n} values but the weights have {weights.n} regions.")
    if not np.isfinite(y).all():
        raise InputError("Moran's I needs a finite value for every region; some are missing.")
    if n < 4:
        raise InputError(f"Moran's I needs at least 4 regions (got {n}).")
    W = weights.sparse()
    z = y - y.mean()
    z2 = float(z @ z)
    if z2 == 0:
        raise InputError("The variable is constant across regions; Moran's I is undefined.")
    s0 = float(W.sum())
    ws = W + W.T
    s1 = 0.5 * float(ws.multiply(ws).sum())
    s2 = float(((np.asarray(W.sum(axis=1)).ravel() + np.asarray(W.sum(axis=0)).ravel()) ** 2).sum())
    I = n / s0 * float(z @ (W @ z)) / z2  # noqa: E741
    EI = -1.0 / (n - 1)
    VI = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0) - EI * EI
    z_norm = (I - EI) / np.sqrt(VI)
    p_norm = 2.0 * float(stats.norm.sf(abs(z_norm)))
    ei_sim = se_sim = z_sim = p_sim = float("nan")
    if permutations:
        rs = np.random.RandomState(seed)
        perm = np.array([rs.permutation(z) for _ in range(permutations)])  # (P, N)
        sim = n / s0 * np.einsum("pn,pn->p", perm, np.asarray((W @ perm.T).T)) / z2
        p_sim = float(_folded_pvalue(sim, I, permutations))
        ei_sim, se_sim = float(sim.mean()), float(sim.std())
        z_sim = (I - ei_sim) / se_sim
    return MoranStatistic(n, I, EI, VI, float(z_norm), p_norm, int(permutations), ei_sim, se_sim, z_sim, p_sim)


@dataclass
class MoranResult:
    """Global Moran's I of one variable in each period.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import inverse_distance_weights, moran_by_period
    >>> df = load_resilience_demo()
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> res = moran_by_period(df, "sl", w, permutations=99)
    >>> res.variable, res.weights_kind, len(res.frame)
    ('sl', 'inverse_distance', 13)
    >>> res.notes[0]
    'year 2009: left out, 30 region(s) without a value'
    """

    variable: str
    weights_kind: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self) -> str:
        f = self.frame[["n", "I", "EI", "z_norm", "p_norm", "p_sim"]]
        head = f"Global Moran's I of {self.variable} ({self.weights_kind} weights)"
        return "\n".join([head, f.to_string(float_format=lambda x: f"{x:.4f}"), *self.notes])


def moran_by_period(
    frame: pd.DataFrame,
    variable: str,
    weights: SpatialWeights,
    *,
    region: str = "code",
    time: str = "year",
    permutations: int = 999,
    seed: int | None = 0,
) -> MoranResult:
    """Global Moran's I of ``variable`` for each period of a long panel.

    Period p uses the seed ``seed + p_index`` so that periods get independent draws and the
    result is reproducible. Periods with missing values are left out and counted in ``notes``.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import inverse_distance_weights, moran_by_period
    >>> df = load_resilience_demo()
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> res = moran_by_period(df, "vag", w, permutations=99)
    >>> res.to_frame()[["n", "I", "EI", "z_norm", "p_sim"]].round(3).head(3)
           n      I     EI  z_norm  p_sim
    year
    2009  30 -0.003 -0.034   0.907   0.03
    2010  30  0.001 -0.034   1.024   0.07
    2011  30  0.003 -0.034   1.074   0.09
    """
    import pandas as pd

    arr = panel_arrays(frame, [variable], weights, region=region, time=time, allow_missing=True)
    rows, notes = [], []
    for k, (t, y) in enumerate(zip(arr.periods, arr.arrays[variable], strict=True)):
        if not np.isfinite(y).all():
            notes.append(f"{time} {t}: left out, {int((~np.isfinite(y)).sum())} region(s) without a value")
            continue
        s = moran_i(y, weights, permutations=permutations, seed=None if seed is None else seed + k)
        rows.append({time: t, **s.as_dict()})
    out = pd.DataFrame(rows).set_index(time) if rows else pd.DataFrame()
    notes.append(f"p_norm: two-sided, normality; p_sim: {permutations} random permutations (folded one-sided, esda convention)")
    return MoranResult(variable, weights.kind, out, notes)


@dataclass
class LocalMoranResult:
    """Local Moran's I_i, permutation p-values and cluster labels of one cross-section.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import contiguity_weights, local_moran_panel
    >>> df = load_resilience_demo()
    >>> w = contiguity_weights(regions=sorted(df["code"].unique()))
    >>> res = local_moran_panel(df, "vag", w, 2022, permutations=99)
    >>> res.variable, res.alpha, res.permutations
    ('vag', 0.05, 99)
    >>> res.clusters()[110000]
    'ns'
    >>> print(res.summary())
    Local Moran (LISA) of vag: alpha 0.05, 99 permutations; clusters: HH 0, LH 1, LL 4, HL 0, ns 25
    """

    variable: str
    frame: pd.DataFrame
    alpha: float
    permutations: int
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def clusters(self) -> dict[Hashable, str]:
        """Region -> cluster label (HH/LH/LL/HL/ns)."""
        return dict(zip(self.frame.index, self.frame["cluster"], strict=True))

    def summary(self) -> str:
        counts = self.frame["cluster"].value_counts().reindex(["HH", "LH", "LL", "HL", "ns"], fill_value=0)
        body = ", ".join(f"{k} {v}" for k, v in counts.items())
        return f"Local Moran (LISA) of {self.variable}: alpha {self.alpha}, {self.permutations} permutations; clusters: {body}"


def local_moran(
    values: Any,
    weights: SpatialWeights,
    *,
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    variable: str = "y",
    permutation_ids: np.ndarray | None = None,
) -> LocalMoranResult:
    """Local Moran's I (LISA) with conditional-permutation p-values; see the module docstring.

    Parameters
    ----------
    values : array-like (N,)
        The variable in the order of ``weights.regions``.
    permutation_ids : array (permutations, max cardinality), optional
        Indices into the N - 1 other regions for each permutation (drawn with
        ``numpy.random.default_rng(seed)`` when None). Passing esda's draws reproduces
        ``esda.Moran_Local`` exactly.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.spatial import from_matrix, local_moran
    >>> names = ["a", "b", "c", "d"]
    >>> chain = pd.DataFrame([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]],
    ...                      index=names, columns=names)
    >>> w = from_matrix(chain, provinces=False)
    >>> res = local_moran([1.0, 2.0, 3.0, 4.0], w, permutations=99, seed=0)
    >>> # I_i = (n - 1) z_i (W z)_i / z'z (esda): z = (-1.5, -0.5, 0.5, 1.5), z'z = 5,
    >>> # (W z)_a = -0.5, so I_a = 3 * 0.75 / 5 = 0.45
    >>> res.to_frame()["I_i"].round(4).tolist()
    [0.45, 0.15, 0.15, 0.45]
    >>> res.clusters()
    {'a': 'ns', 'b': 'ns', 'c': 'ns', 'd': 'ns'}
    """
    import pandas as pd

    y = np.asarray(values, dtype=float).ravel()
    n = y.size
    if n != weights.n:
        raise InputError(f"{n} values but the weights have {weights.n} regions.")
    if not np.isfinite(y).all():
        raise InputError("Local Moran needs a finite value for every region; some are missing.")
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be in (0, 1) (got {alpha}).")
    W = weights.sparse()
    W.sort_indices()
    sd = y.std()
    if sd == 0:
        raise InputError("The variable is constant across regions; local Moran is undefined.")
    z = (y - y.mean()) / sd
    den = float(z @ z)
    lag = np.asarray(W @ z)
    Is = (n - 1) * z * lag / den
    quad = np.select([(z > 0) & (lag > 0), (z <= 0) & (lag > 0), (z <= 0) & (lag <= 0)], [1, 2, 3], default=4)
    card = np.diff(W.indptr)
    p_sim = np.full(n, np.nan)
    if permutations:
        kmax = int(card.max())
        if permutation_ids is None:
            rng = np.random.default_rng(seed)
            ids = np.array([rng.choice(n - 1, size=kmax, replace=False) for _ in range(permutations)])
        else:
            ids = np.asarray(permutation_ids)
            if ids.shape != (permutations, kmax):
                raise InputError(f"permutation_ids must have shape ({permutations}, {kmax}); got {ids.shape}.")
        scaling = (n - 1) / den
        sims = np.empty((permutations, n))
        for i in range(n):
            w_i = W.data[W.indptr[i]:W.indptr[i + 1]]
            others = np.delete(z, i)
            zr = others[ids[:, : card[i]]]
            sims[:, i] = z[i] * (zr @ w_i) * scaling
        p_sim = _folded_pvalue(sims, Is, permutations)
    sig = p_sim <= alpha
    code = np.where(sig, quad, 0)
    out = pd.DataFrame(
        {"value": y, "z": z, "lag_z": lag, "I_i": Is, "p_sim": p_sim, "quadrant": quad, "cluster_code": code,
         "cluster": [CLUSTER_LABELS[c][0] for c in code], "cluster_zh": [CLUSTER_LABELS[c][1] for c in code]},
        index=pd.Index(list(weights.regions), name="region"),
    )
    notes = [f"conditional permutation, {permutations} draws, seed {seed}; clusters at p_sim <= {alpha}"]
    isl = weights.islands()
    if isl:
        notes.append(f"regions without neighbours (I_i = 0, never significant): {isl}")
    return LocalMoranResult(variable, out, alpha, int(permutations), notes)


def local_moran_panel(
    frame: pd.DataFrame,
    variable: str,
    weights: SpatialWeights,
    period: Hashable,
    *,
    region: str = "code",
    time: str = "year",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> LocalMoranResult:
    """:func:`local_moran` of ``variable`` in one ``period`` of a long panel.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import contiguity_weights, local_moran_panel
    >>> df = load_resilience_demo()
    >>> w = contiguity_weights(regions=sorted(df["code"].unique()))
    >>> res = local_moran_panel(df, "vag", w, 2022, permutations=99)
    >>> res.to_frame().columns.tolist()
    ['value', 'z', 'lag_z', 'I_i', 'p_sim', 'quadrant', 'cluster_code', 'cluster', 'cluster_zh']
    >>> sorted(set(res.clusters().values()))
    ['LH', 'LL', 'ns']
    """
    sub = frame[frame[time] == period]
    if sub.empty:
        raise InputError(f"No rows with {time} == {period!r}.")
    arr = panel_arrays(sub, [variable], weights, region=region, time=time)
    res = local_moran(arr.arrays[variable][0], weights, permutations=permutations, seed=seed, alpha=alpha, variable=variable)
    res.notes.insert(0, f"{time} {period}")
    return res
