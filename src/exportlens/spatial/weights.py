"""Spatial weights matrices: construction, checks, row standardisation, libpysal conversion.

A :class:`SpatialWeights` holds the region identifiers in matrix order and the N x N matrix
(dense ``numpy`` or ``scipy.sparse`` CSR). Every constructor sets the diagonal to zero
(a region is not its own neighbour) and, by default, row-standardises:

    w*_ij = w_ij / sum_j w_ij,

so that the spatial lag (W y)_i is the weighted mean of the neighbours' values and the
largest eigenvalue of W is 1 (Anselin 1988, ch. 3; Elhorst 2014, sec. 2.4).

References
----------
Anselin, L. (1988). *Spatial Econometrics: Methods and Models*. Kluwer.
Elhorst, J. P. (2014). *Spatial Econometrics: From Cross-Sectional Data to Spatial Panels*.
Springer, ch. 2.
LeSage, J. and Pace, R. K. (2009). *Introduction to Spatial Econometrics*. CRC Press.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from exportlens.errors import InputError, IslandRegionError, MissingColumnError, SpatialWeightsError
from exportlens.regions import distance_matrix, province_codes, resolve_province, resolve_provinces
from exportlens.spatial.contiguity import border_pairs
from exportlens.validation import reading

if TYPE_CHECKING:
    import pandas as pd
    import scipy.sparse as sp

__all__ = [
    "SpatialWeights",
    "contiguity_weights",
    "economic_distance_weights",
    "from_libpysal",
    "from_matrix",
    "inverse_distance_weights",
    "knn_weights",
    "nested_weights",
    "to_libpysal",
]

DistanceUnit = Literal["km", "100km", "1000km"]


def _is_sparse(m: Any) -> bool:
    import scipy.sparse as sp

    return sp.issparse(m)


@dataclass(frozen=True)
class SpatialWeights:
    """A spatial weights matrix W with its regions in matrix order.

    Attributes
    ----------
    regions : tuple
        Region identifiers (GB/T 2260 codes for provinces) in the order of W's rows/columns.
    matrix : numpy.ndarray or scipy.sparse.csr_matrix
        The N x N weights, zero diagonal, non-negative.
    kind : str
        How W was built (``"inverse_distance"``, ``"knn"``, ``"contiguity"`` ...).
    row_standardised : bool
        Whether every non-empty row sums to 1.
    notes : tuple of str
        Construction details (parameters, conventions) for reports.

    Examples
    --------
    >>> from exportlens.spatial import contiguity_weights
    >>> w = contiguity_weights(regions=["北京", "天津", "河北", "山西"])
    >>> w.regions, w.kind, w.row_standardised
    ((110000, 120000, 130000, 140000), 'contiguity', True)
    >>> w.to_frame().round(3)
    neighbour  110000  120000  130000  140000
    region
    110000      0.000   0.500     0.5   0.000
    120000      0.500   0.000     0.5   0.000
    130000      0.333   0.333     0.0   0.333
    140000      0.000   0.000     1.0   0.000
    >>> w.lag([1.0, 2.0, 3.0, 4.0]).round(3).tolist()
    [2.5, 2.0, 2.333, 3.0]
    >>> w.row_sums().tolist(), w.is_symmetric()
    ([1.0, 1.0, 1.0, 1.0], False)
    """

    regions: tuple[Hashable, ...]
    matrix: Any
    kind: str
    row_standardised: bool
    notes: tuple[str, ...] = field(default=())
    #: Row sums d of the symmetric matrix C this W was standardised from (W = D^-1 C), else None.
    symmetric_scale: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.regions)
        shape = self.matrix.shape
        if len(shape) != 2 or shape[0] != shape[1]:
            raise SpatialWeightsError(f"The weights matrix has shape {shape}; it must be square (N x N).")
        if shape[0] != n:
            raise SpatialWeightsError(f"The weights matrix is {shape[0]} x {shape[1]} but {n} regions were given; give one region per row.")
        if len(set(self.regions)) != n:
            dup = sorted({str(r) for r in self.regions if list(self.regions).count(r) > 1})
            raise SpatialWeightsError(f"Regions {dup} appear twice in the weights; each region needs exactly one row.")
        data = self.matrix.data if _is_sparse(self.matrix) else np.asarray(self.matrix)
        if not np.all(np.isfinite(data)):
            raise SpatialWeightsError("The weights matrix has NaN or infinite entries; fill every cell with a finite weight (0 for no link).")
        if np.any(data < 0):
            raise SpatialWeightsError("The weights matrix has negative entries; spatial weights must be non-negative.")
        if np.any(self.diagonal() != 0):
            raise SpatialWeightsError("The weights matrix has non-zero diagonal entries; a region cannot be its own neighbour (set w_ii = 0).")

    # ---------------------------------------------------------------- basic views
    @property
    def n(self) -> int:
        return len(self.regions)

    @property
    def is_sparse(self) -> bool:
        return _is_sparse(self.matrix)

    def diagonal(self) -> np.ndarray:
        return np.asarray(self.matrix.diagonal()) if self.is_sparse else np.diag(np.asarray(self.matrix))

    def dense(self) -> np.ndarray:
        """W as a dense array (a copy)."""
        return self.matrix.toarray() if self.is_sparse else np.array(self.matrix, dtype=float)

    def sparse(self) -> sp.csr_matrix:
        """W as a scipy.sparse CSR matrix."""
        import scipy.sparse as sp

        return sp.csr_matrix(self.matrix, dtype=float)

    def row_sums(self) -> np.ndarray:
        return np.asarray(self.matrix.sum(axis=1)).ravel()

    def islands(self) -> list[Hashable]:
        """Regions whose row is empty (no neighbour)."""
        return [r for r, s in zip(self.regions, self.row_sums(), strict=True) if s == 0]

    def cardinalities(self) -> np.ndarray:
        """Number of neighbours (non-zero weights) of each region."""
        if self.is_sparse:
            m = self.sparse()
            m.eliminate_zeros()
            return np.diff(m.indptr)
        return (np.asarray(self.matrix) != 0).sum(axis=1)

    def is_symmetric(self, tol: float = 1e-12) -> bool:
        m = self.matrix
        if self.is_sparse:
            d = abs(m - m.T)
            return bool(d.nnz == 0 or d.max() <= tol)
        return bool(np.allclose(m, m.T, atol=tol, rtol=0))

    def lag(self, values: Any) -> np.ndarray:
        """Spatial lag W v of a vector (or of each column of an N x k array)."""
        v = np.asarray(values, dtype=float)
        if v.shape[0] != self.n:
            raise InputError(f"The vector has {v.shape[0]} rows but W has {self.n} regions.")
        return np.asarray(self.matrix @ v)

    # ---------------------------------------------------------------- checks
    def require_no_islands(self, where: str = "this computation") -> None:
        """Raise :class:`IslandRegionError` when a row of W is empty."""
        isl = self.islands()
        if isl:
            raise IslandRegionError(
                f"Region(s) {isl} have no neighbour in the {self.kind} weights, but {where} needs every row of W non-empty; "
                "link them by a convention (e.g. contiguity_weights(hainan='guangdong')) or use distance-based weights."
            )

    def require_symmetric(self, where: str = "this computation") -> None:
        """Raise :class:`SpatialWeightsError` when W is not symmetric."""
        if not self.is_symmetric(1e-10):
            raise SpatialWeightsError(
                f"{where} needs a symmetric weights matrix but this {self.kind} W is not symmetric; "
                "pass the un-standardised symmetric matrix (row_standardise=False) or symmetrise it."
            )

    def aligned(self, regions: Sequence[Hashable]) -> SpatialWeights:
        """W with rows/columns reordered to ``regions``; raises when the region sets differ."""
        regions = list(regions)
        have = set(self.regions)
        missing = [r for r in regions if r not in have]
        extra = [r for r in self.regions if r not in set(regions)]
        if missing or extra:
            raise SpatialWeightsError(
                f"The weights do not match the regions of the data: {len(missing)} region(s) of the data have no row in W "
                f"{missing[:10]} and {len(extra)} row(s) of W are not in the data {extra[:10]}; build W for exactly the regions of the panel."
            )
        if regions == list(self.regions):
            return self
        pos = {r: i for i, r in enumerate(self.regions)}
        idx = np.array([pos[r] for r in regions])
        m = self.sparse()[idx][:, idx].tocsr() if self.is_sparse else np.asarray(self.matrix)[np.ix_(idx, idx)]
        scale = None if self.symmetric_scale is None else np.asarray(self.symmetric_scale)[idx]
        return SpatialWeights(tuple(regions), m, self.kind, self.row_standardised, self.notes, scale)

    def row_standardise(self) -> SpatialWeights:
        """Row-standardised copy: w_ij / sum_j w_ij (empty rows stay empty)."""
        s = self.row_sums()
        inv = np.divide(1.0, s, out=np.zeros_like(s), where=s != 0)
        if self.is_sparse:
            import scipy.sparse as sp

            m: Any = (sp.diags(inv) @ self.sparse()).tocsr()
        else:
            m = np.asarray(self.matrix, dtype=float) * inv[:, None]
        # W = D^-1 C with C symmetric is similar to the symmetric D^-1/2 C D^-1/2 (real eigenvalues)
        scale = s if (not self.row_standardised and self.is_symmetric(1e-12)) else self.symmetric_scale
        return SpatialWeights(self.regions, m, self.kind, True, self.notes, scale)

    def symmetric_form(self) -> np.ndarray:
        """A symmetric matrix with the eigenvalues of W (dense).

        W itself when symmetric; D^1/2 W D^-1/2 = D^-1/2 C D^-1/2 when W = D^-1 C was
        row-standardised from a symmetric C (Ord 1975). Otherwise raises
        :class:`SpatialWeightsError` (e.g. k-nearest-neighbour W).
        """
        if self.is_symmetric(1e-12):
            return self.dense()
        if self.symmetric_scale is None:
            self.require_symmetric("the symmetric eigenvalue path")
        d = np.sqrt(np.asarray(self.symmetric_scale, dtype=float))
        inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
        m = d[:, None] * self.dense() * inv[None, :]
        return 0.5 * (m + m.T)

    # ---------------------------------------------------------------- outputs
    def to_frame(self) -> pd.DataFrame:
        """W as a labelled N x N DataFrame (rows: region i, columns: neighbour j)."""
        import pandas as pd

        idx = pd.Index(list(self.regions), name="region")
        return pd.DataFrame(self.dense(), index=idx, columns=pd.Index(list(self.regions), name="neighbour"))

    def summary(self) -> str:
        card = self.cardinalities()
        nnz = int(card.sum())
        lines = [
            f"Spatial weights: {self.kind}, {self.n} regions, {'sparse' if self.is_sparse else 'dense'}",
            f"  row-standardised: {self.row_standardised}; symmetric: {self.is_symmetric(1e-10)}",
            f"  non-zero links: {nnz} ({100.0 * nnz / max(self.n * (self.n - 1), 1):.1f} % of off-diagonal cells)",
            f"  neighbours per region: min {card.min()}, mean {card.mean():.2f}, max {card.max()}",
            f"  islands (no neighbour): {self.islands() or 'none'}",
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


# -------------------------------------------------------------------- helpers
def _province_list(regions: Sequence[Any] | None) -> list[int]:
    if regions is None:
        return province_codes()
    codes = [int(c) for c in resolve_provinces(list(regions), allow_non_mainland=True)]
    if len(set(codes)) != len(codes):
        raise SpatialWeightsError("Some regions name the same province twice; give each province once.")
    return codes


def _finish(regions: Sequence[Hashable], m: Any, kind: str, row_standardise: bool, notes: list[str]) -> SpatialWeights:
    if _is_sparse(m):
        m = m.tocsr()
        m.setdiag(0)
        m.eliminate_zeros()
    else:
        m = np.array(m, dtype=float)
        np.fill_diagonal(m, 0.0)
    w = SpatialWeights(tuple(regions), m, kind, False, tuple(notes))
    return w.row_standardise() if row_standardise else w


# -------------------------------------------------------------------- constructors
def inverse_distance_weights(
    regions: Sequence[Any] | None = None,
    *,
    theta: float = 1.0,
    cutoff: float | None = None,
    unit: DistanceUnit = "km",
    row_standardise: bool = True,
) -> SpatialWeights:
    """Inverse-distance weights between provincial capitals.

    w_ij = d_ij^(-theta) if i != j and d_ij <= cutoff, else 0,

    with d_ij the great-circle distance (:func:`exportlens.regions.distance_matrix`) in
    ``unit``. ``theta`` = 1 is inverse distance, 2 the gravity form. After row
    standardisation the unit and any common scale cancel; they matter for ``cutoff`` (in
    ``unit``) and for un-standardised W.

    Parameters
    ----------
    regions : sequence, optional
        Provinces in any spelling :func:`exportlens.regions.resolve_provinces` resolves;
        default the 31 mainland provinces in code order.
    theta : float
        Distance-decay exponent (> 0).
    cutoff : float, optional
        Largest distance (in ``unit``) that still counts as a link.
    unit : {"km", "100km", "1000km"}
    row_standardise : bool

    Examples
    --------
    >>> from exportlens.spatial import inverse_distance_weights
    >>> w = inverse_distance_weights(["北京", "天津", "上海"])
    >>> w.to_frame().round(3)
    neighbour  110000  120000  310000
    region
    110000      0.000   0.904   0.096
    120000      0.894   0.000   0.106
    310000      0.472   0.528   0.000
    >>> w.row_sums().round(6).tolist()
    [1.0, 1.0, 1.0]
    """
    if not theta > 0:
        raise InputError(f"theta must be positive (got {theta}).")
    codes = _province_list(regions)
    d = distance_matrix(codes, unit=unit).to_numpy()
    with np.errstate(divide="ignore"):
        m = np.where(d > 0, d ** (-float(theta)), 0.0)
    notes = [f"w_ij = d_ij^-{theta:g}, great-circle distance between capitals in {unit}"]
    if cutoff is not None:
        if not cutoff > 0:
            raise InputError(f"cutoff must be positive (got {cutoff}).")
        m[d > cutoff] = 0.0
        notes.append(f"links beyond {cutoff:g} {unit} set to 0")
    return _finish(codes, m, "inverse_distance", row_standardise, notes)


def _unit_sphere(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


def knn_weights(
    k: int,
    regions: Sequence[Any] | None = None,
    *,
    coordinates: Any = None,
    row_standardise: bool = True,
) -> SpatialWeights:
    """k-nearest-neighbour weights (sparse CSR): w_ij = 1 if j is among the k regions closest to i.

    Distances are great-circle: the neighbours are found with a k-d tree on points of the
    unit sphere, where chord length is monotone in arc length, so the order is exact. W is not
    symmetric in general (j near i does not make i near j).

    Parameters
    ----------
    k : int
        Number of neighbours (1 <= k < N).
    regions : sequence, optional
        Provinces (resolved with the registry; capitals as points) when ``coordinates`` is
        None; otherwise any region identifiers (e.g. county codes) in the order of
        ``coordinates``.
    coordinates : array-like (N, 2), optional
        Latitude and longitude in degrees of each region, for regions outside the registry
        (counties, cities).

    Examples
    --------
    >>> from exportlens.spatial import knn_weights
    >>> w = knn_weights(2, ["北京", "天津", "河北", "上海", "江苏"])
    >>> w.is_sparse, w.cardinalities().tolist()
    (True, [2, 2, 2, 2, 2])
    >>> w.to_frame().round(2)
    neighbour  110000  120000  130000  310000  320000
    region
    110000        0.0     0.5     0.5     0.0     0.0
    120000        0.5     0.0     0.5     0.0     0.0
    130000        0.5     0.5     0.0     0.0     0.0
    310000        0.0     0.5     0.0     0.0     0.5
    320000        0.0     0.0     0.5     0.5     0.0
    """
    import scipy.sparse as sp
    from scipy.spatial import cKDTree

    if coordinates is None:
        ids: list[Hashable] = list(_province_list(regions))
        items = [resolve_province(c) for c in ids]
        lat = np.array([p.capital_lat for p in items])
        lon = np.array([p.capital_lon for p in items])
    else:
        xy = np.asarray(coordinates, dtype=float)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise InputError(f"coordinates must be an (N, 2) array of latitude, longitude; got shape {xy.shape}.")
        ids = list(regions) if regions is not None else list(range(len(xy)))
        if len(ids) != len(xy):
            raise InputError(f"{len(ids)} regions but {len(xy)} coordinate rows; give one coordinate pair per region.")
        lat, lon = xy[:, 0], xy[:, 1]
    n = len(ids)
    if not 1 <= int(k) < n:
        raise InputError(f"k must be between 1 and N - 1 = {n - 1} (got {k}).")
    pts = _unit_sphere(lat, lon)
    _, nb = cKDTree(pts).query(pts, k=int(k) + 1)
    rows, cols = [], []
    for i in range(n):
        # the query returns the point itself first unless duplicates tie; drop i explicitly
        js = [j for j in nb[i] if j != i][: int(k)]
        rows += [i] * len(js)
        cols += js
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return _finish(ids, m, "knn", row_standardise, [f"k = {k} nearest neighbours (great-circle)"])


def economic_distance_weights(
    panel: pd.DataFrame,
    variable: str,
    *,
    region: str = "code",
    regions: Sequence[Any] | None = None,
    row_standardise: bool = True,
) -> SpatialWeights:
    """Economic-distance weights w_ij = 1 / |Ybar_i - Ybar_j| (i != j).

    Ybar_i is the mean of ``variable`` (usually GDP per capita) of region i over the
    periods of ``panel`` (Li et al. style "economic distance" matrix; see Elhorst 2014,
    sec. 2.4, on economic weights and their exogeneity: use means over the sample period or a
    pre-sample year, not the current year).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.spatial import economic_distance_weights
    >>> panel = pd.DataFrame({"code": [110000, 110000, 120000, 120000, 130000, 130000],
    ...                       "year": [2020, 2021, 2020, 2021, 2020, 2021],
    ...                       "gdp_pc": [16.0, 18.0, 10.0, 12.0, 5.0, 7.0]})
    >>> w = economic_distance_weights(panel, "gdp_pc", row_standardise=False)
    >>> w.to_frame().round(4)  # 1 / |mean_i - mean_j|: means 17, 11, 6
    neighbour  110000  120000  130000
    region
    110000     0.0000  0.1667  0.0909
    120000     0.1667  0.0000  0.2000
    130000     0.0909  0.2000  0.0000
    """
    for col in (region, variable):
        if col not in panel.columns:
            raise MissingColumnError(f"Column {col!r} is not in the panel; columns: {list(panel.columns)}.")
    codes = resolve_provinces(panel[region], allow_non_mainland=True)
    means = panel.assign(_code=codes.to_numpy())[["_code", variable]].groupby("_code")[variable].mean()
    order = _province_list(regions) if regions is not None else sorted(int(c) for c in means.index)
    missing = [c for c in order if c not in means.index or not np.isfinite(means.get(c, np.nan))]
    if missing:
        raise SpatialWeightsError(f"Regions {missing} have no value of {variable!r}; economic weights need a mean for every region.")
    ybar = means.loc[order].to_numpy(dtype=float)
    diff = np.abs(ybar[:, None] - ybar[None, :])
    off = ~np.eye(len(order), dtype=bool)
    if np.any(diff[off] == 0):
        raise SpatialWeightsError(f"Two regions have the same mean {variable!r}, so 1/|difference| is infinite; use another variable or period.")
    m = np.zeros_like(diff)
    m[off] = 1.0 / diff[off]
    return _finish(order, m, "economic_distance", row_standardise, [f"w_ij = 1/|mean {variable}_i - mean {variable}_j|"])


def nested_weights(geographic: SpatialWeights, economic: SpatialWeights, *, row_standardise: bool = True) -> SpatialWeights:
    """Nested geographic-economic weights: the elementwise (Hadamard) product

        w_ij = w^geo_ij * w^econ_ij,

    then row-standardised. Because row standardisation only rescales rows, the result does
    not depend on whether the inputs were row-standardised. (Other papers use a weighted sum
    phi W_geo + (1 - phi) W_econ; build that with :func:`from_matrix` if you need it.)

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.spatial import economic_distance_weights, inverse_distance_weights
    >>> from exportlens.spatial import nested_weights
    >>> panel = pd.DataFrame({"code": [110000, 120000, 130000], "year": 2020,
    ...                       "gdp_pc": [17.0, 11.0, 6.0]})
    >>> geo = inverse_distance_weights([110000, 120000, 130000])
    >>> econ = economic_distance_weights(panel, "gdp_pc")
    >>> w = nested_weights(geo, econ)
    >>> w.kind, w.row_sums().round(6).tolist()
    ('nested_geo_economic', [1.0, 1.0, 1.0])
    >>> w.to_frame().round(3)
    neighbour  110000  120000  130000
    region
    110000      0.000    0.81   0.190
    120000      0.656    0.00   0.344
    130000      0.310    0.69   0.000
    """
    econ = economic.aligned(geographic.regions)
    a = geographic.dense()
    b = econ.dense()
    return _finish(geographic.regions, a * b, "nested_geo_economic", row_standardise,
                   [f"Hadamard product of {geographic.kind} and {economic.kind} weights"])


def contiguity_weights(
    *,
    hainan: Literal["guangdong", "guangdong_guangxi", "isolated"] = "guangdong",
    regions: Sequence[Any] | None = None,
    row_standardise: bool = True,
) -> SpatialWeights:
    """First-order contiguity of the 31 mainland provinces: w_ij = 1 if i and j share a land border.

    Built from the table in :mod:`exportlens.spatial.contiguity`. Hainan borders no province
    by land: by default it is linked to Guangdong across the Qiongzhou Strait
    (``hainan="guangdong"``); ``"guangdong_guangxi"`` links it to Guangxi too;
    ``"isolated"`` leaves its row empty, and models that need every row non-empty then raise
    :class:`exportlens.errors.IslandRegionError`. ``regions`` selects a subset (e.g. the 30
    provinces without Tibet) in the order given.

    Examples
    --------
    >>> from exportlens.spatial import contiguity_weights
    >>> w = contiguity_weights(row_standardise=False)
    >>> w.n, int(w.dense().sum()), w.is_symmetric()
    (31, 138, True)
    >>> int(dict(zip(w.regions, w.cardinalities()))[460000])  # Hainan: linked to Guangdong
    1
    >>> contiguity_weights(hainan="isolated").islands()
    [460000]
    """
    all_codes = province_codes()
    pos = {c: i for i, c in enumerate(all_codes)}
    m = np.zeros((len(all_codes), len(all_codes)))
    for a, b in border_pairs(hainan):
        m[pos[a], pos[b]] = m[pos[b], pos[a]] = 1.0
    notes = ["shared land border = 1", f"Hainan convention: {hainan}"]
    if regions is not None:
        codes = _province_list(regions)
        bad = [c for c in codes if c not in pos]
        if bad:
            raise SpatialWeightsError(f"Regions {bad} are outside the 31 mainland provinces covered by the contiguity table.")
        idx = [pos[c] for c in codes]
        m = m[np.ix_(idx, idx)]
        all_codes = codes
    return _finish(all_codes, m, "contiguity", row_standardise, notes)


def from_matrix(
    frame_or_path: pd.DataFrame | str | Path,
    regions: Sequence[Any] | None = None,
    *,
    row_standardise: bool = True,
    kind: str = "user",
    sheet_name: str | int = 0,
    provinces: bool = True,
) -> SpatialWeights:
    """A user-given N x N matrix (DataFrame, CSV or Excel file) checked against the regions.

    The file's first column holds the row labels and its header the column labels; labels
    are province names or codes in any spelling the registry resolves. Rows and columns must
    name the same provinces; with ``regions`` given they must be exactly those provinces, and
    W is reordered to their order. Non-square, negative, NaN or non-numeric entries raise
    :class:`exportlens.errors.SpatialWeightsError`; a non-zero diagonal is an error too.
    With ``provinces=False`` (counties, cities, countries) the labels are used as they are
    (strings; integer-looking labels become integers) and checked against ``regions``.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.spatial import from_matrix
    >>> m = pd.DataFrame([[0, 1, 1], [1, 0, 0], [1, 0, 0]],
    ...                  index=["北京", "天津", "河北"], columns=["北京", "天津", "河北"])
    >>> w = from_matrix(m)
    >>> w.regions, w.to_frame().round(2).values.tolist()
    ((110000, 120000, 130000), [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    >>> m.to_csv("w.csv")
    >>> from_matrix("w.csv", row_standardise=False).dense().tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """
    import pandas as pd

    from exportlens.errors import UnknownRegionError

    if isinstance(frame_or_path, pd.DataFrame):
        frame = frame_or_path
        source = "the matrix"
    else:
        path = Path(frame_or_path)
        if not path.is_file():
            raise InputError(f"Weights file {path} does not exist.")
        source = str(path)
        with reading(path, what="weights matrix (CSV or Excel)"):
            if path.suffix.lower() in (".xlsx", ".xls"):
                frame = pd.read_excel(path, sheet_name=sheet_name, index_col=0)
            else:
                frame = pd.read_csv(path, index_col=0, encoding="utf-8-sig")
    if frame.shape[0] != frame.shape[1]:
        raise SpatialWeightsError(f"{source} is {frame.shape[0]} x {frame.shape[1]}; a weights matrix must be square with row and column labels.")
    if provinces:
        try:
            rows: list[Hashable] = [int(c) for c in resolve_provinces(list(frame.index))]
            cols: list[Hashable] = [int(c) for c in resolve_provinces([str(c) for c in frame.columns])]
        except UnknownRegionError as exc:
            raise SpatialWeightsError(f"{source}: {exc}") from None
    else:
        rows = [_plain_label(c) for c in frame.index]
        cols = [_plain_label(c) for c in frame.columns]
    if rows != cols:
        raise SpatialWeightsError(f"{source}: rows and columns do not name the same provinces in the same order.")
    if len(set(rows)) != len(rows):
        raise SpatialWeightsError(f"{source}: a province appears twice among the rows.")
    try:
        values = frame.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise SpatialWeightsError(f"{source} has non-numeric cells; every cell must be a number.") from None
    if np.isnan(values).any():
        i, j = np.argwhere(np.isnan(values))[0]
        raise SpatialWeightsError(f"{source} has {int(np.isnan(values).sum())} empty/NaN cell(s), first at row {frame.index[i]!r}, column {frame.columns[j]!r}; fill them (0 = no link).")
    if (values < 0).any():
        i, j = np.argwhere(values < 0)[0]
        raise SpatialWeightsError(f"{source} has negative weights, first at row {frame.index[i]!r}, column {frame.columns[j]!r}; weights must be >= 0.")
    w = SpatialWeights(tuple(rows), values, kind, False, (f"user matrix from {source}",))
    if regions is not None:
        w = w.aligned(_province_list(regions) if provinces else [_plain_label(r) for r in regions])
    return w.row_standardise() if row_standardise else w


def _plain_label(v: Any) -> Hashable:
    text = str(v).strip()
    return int(text) if text.lstrip("-").isdigit() else text


def to_libpysal(weights: SpatialWeights) -> Any:
    """Convert to a ``libpysal.weights.W`` (ids = regions; transform "r" if row-standardised).

    libpysal is an optional dependency, imported here only.

    Examples
    --------
    >>> from exportlens.spatial import contiguity_weights, to_libpysal
    >>> w = contiguity_weights(regions=["北京", "天津", "河北"])
    >>> lw = to_libpysal(w)  # needs the optional libpysal package
    >>> lw.n, lw.transform, sorted(lw.neighbors[110000])
    (3, 'R', [120000, 130000])
    """
    try:
        from libpysal.weights import WSP
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError("libpysal is not installed; pip install libpysal to convert weights.") from exc
    w = WSP(weights.sparse(), id_order=list(weights.regions)).to_W(silence_warnings=True)
    if weights.row_standardised:
        w.transform = "r"
    return w


def from_libpysal(w: Any, *, kind: str = "libpysal", row_standardise: bool | None = None) -> SpatialWeights:
    """Convert a ``libpysal.weights.W`` (its ``id_order``, its current transform) to SpatialWeights.

    ``row_standardise=None`` keeps libpysal's transform (row-standardised when it is "R").

    Examples
    --------
    >>> from exportlens.spatial import contiguity_weights, from_libpysal, to_libpysal
    >>> w = contiguity_weights(regions=["北京", "天津", "河北"])
    >>> back = from_libpysal(to_libpysal(w))  # needs the optional libpysal package
    >>> back.regions, bool((back.dense() == w.dense()).all())
    ((110000, 120000, 130000), True)
    """
    m = w.sparse.tocsr().astype(float)
    is_r = str(getattr(w, "transform", "O")).upper() == "R"
    sw = SpatialWeights(tuple(w.id_order), m, kind, is_r, (f"from libpysal W (transform {w.transform})",))
    if row_standardise and not is_r:
        return sw.row_standardise()
    return sw
