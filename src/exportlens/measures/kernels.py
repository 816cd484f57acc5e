"""Array-level kernels: the one implementation of each formula that several parts of exportlens use.

Every formula that more than one measure evaluates is written here once, as a small NumPy
function on arrays (pandas Series and other array-likes are accepted). The DataFrame-level
functions check their inputs, arrange the numbers and call these kernels:

========================================  ===================================================
kernel                                    callers
========================================  ===================================================
:func:`dhs_growth_rate`                   :func:`exportlens.measures.dhs_growth`,
                                          :func:`exportlens.firms.firm_measures_pandas`
:func:`herfindahl`                        :func:`exportlens.measures.cluster.herfindahl_index`,
                                          :func:`~exportlens.measures.cluster.cluster_measures`,
                                          :func:`exportlens.firms.firm_measures_pandas`
:func:`krugman_specialisation`            :func:`exportlens.measures.cluster.krugman_index`,
                                          :func:`~exportlens.measures.cluster.cluster_measures`
:func:`relative_growth_index`             :func:`exportlens.measures.resistance_recovery`,
                                          :func:`exportlens.measures.expected_change_resilience`,
                                          :func:`exportlens.firms.firm_measures_pandas`
========================================  ===================================================

The out-of-core firm pipeline cannot call NumPy on its data; it writes the same formulas as
Ibis expressions, one builder per kernel in :mod:`exportlens.firms.pipeline`
(:func:`~exportlens.firms.pipeline.dhs_growth_expr`,
:func:`~exportlens.firms.pipeline.herfindahl_expr`,
:func:`~exportlens.firms.pipeline.relative_growth_index_expr`), and the tests check that
what the engine computes equals these kernels to 1e-12.

The DVA/PVA/FVA split of exports has its kernel in the input-output layer,
:func:`exportlens.mrio.decompose.value_added_split`.

Import cost: NumPy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exportlens.errors import InputError

__all__ = [
    "DHS_REFERENCE",
    "HERFINDAHL_REFERENCE",
    "KRUGMAN_REFERENCE",
    "LAGRAVINESE_REFERENCE",
    "dhs_growth_rate",
    "herfindahl",
    "krugman_specialisation",
    "relative_growth_index",
]

DHS_REFERENCE = "Davis, Haltiwanger & Schuh (1996), Job Creation and Destruction, MIT Press"
HERFINDAHL_REFERENCE = "Herfindahl (1950), Columbia University; Hirschman (1964), Am. Econ. Rev. 54(5):761"
KRUGMAN_REFERENCE = "Krugman (1991), Geography and Trade, MIT Press"
LAGRAVINESE_REFERENCE = "Lagravinese (2015), Cambridge J. Regions Econ. Soc. 8(2):331-347"


def dhs_growth_rate(current: Any, previous: Any) -> np.ndarray:
    """Davis-Haltiwanger-Schuh (symmetric) growth rate, element by element.

    .. math::

        g = \\frac{2 (x_t - x_{t-k})}{x_t + x_{t-k}} \\in [-2, 2]

    Parameters
    ----------
    current, previous : array_like
        Non-negative levels x_t and x_{t-k} (broadcast against each other). NaN marks a
        missing value.

    Returns
    -------
    numpy.ndarray
        The rate; +2 for an entry (x_{t-k} = 0 < x_t), -2 for an exit (x_t = 0 < x_{t-k}),
        NaN where x_t + x_{t-k} is 0 (no activity, no rate) or either value is missing.

    Notes
    -----
    Callers check that the levels are non-negative. The Ibis form used out of core is
    :func:`exportlens.firms.pipeline.dhs_growth_expr`.

    References
    ----------
    Davis, S. J., Haltiwanger, J. C. & Schuh, S. (1996), *Job Creation and Destruction*,
    MIT Press.
    """
    cur = np.asarray(current, dtype=float)
    prev = np.asarray(previous, dtype=float)
    denom = cur + prev
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, 2.0 * (cur - prev) / denom, np.nan)


def herfindahl(values: Any, *, axis: int = -1, groups: Any = None) -> np.ndarray:
    """Herfindahl(-Hirschman) index of the shares of the units, H = Σ_k s_k², s_k = x_k / Σ_l x_l.

    .. math::

        H = \\sum_k \\Big(\\frac{x_k}{\\sum_l x_l}\\Big)^2 \\in [1/K, 1]

    The units k are either laid out along ``axis`` of a dense array (``groups=None``), or
    listed in long form, one value per row, with ``groups`` giving the integer code of the
    unit set each row belongs to (ragged sets, e.g. the products of each firm-year).

    Parameters
    ----------
    values : array_like
        Non-negative sizes x_k (exports, employment ...).
    axis : int
        The axis that runs over the units (dense form).
    groups : array_like of int, optional
        Long form: codes 0 .. G-1, one per entry of the one-dimensional ``values``.

    Returns
    -------
    numpy.ndarray
        Dense form: ``values`` with ``axis`` removed. Long form: one index per group code
        (length max(groups) + 1). NaN where Σ x is 0 (no shares) or a value is missing.

    Notes
    -----
    1/K for K equal units, 1 for a single unit. Callers check that the sizes are
    non-negative. The Ibis form used out of core is
    :func:`exportlens.firms.pipeline.herfindahl_expr` (Σx² / (Σx)², the same number).

    References
    ----------
    Herfindahl, O. C. (1950), *Concentration in the Steel Industry*, PhD thesis, Columbia
    University; Hirschman, A. O. (1964), "The Paternity of an Index", *American Economic
    Review* 54(5):761.
    """
    x = np.asarray(values, dtype=float)
    if groups is None:
        total = x.sum(axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = x / total
        h = (shares * shares).sum(axis=axis)
        return np.where(np.squeeze(total, axis=axis) > 0, h, np.nan)
    codes = np.asarray(groups)
    if x.ndim != 1 or codes.shape != x.shape:
        raise InputError(f"herfindahl with groups= needs one group code per value: got values of shape {x.shape} "
                         f"and groups of shape {codes.shape}; pass one-dimensional arrays of the same length.")
    if codes.size and (codes.dtype.kind not in "iu" or codes.min() < 0):
        raise InputError("herfindahl groups= must be non-negative integer codes (e.g. from pandas.factorize).")
    n_groups = int(codes.max()) + 1 if codes.size else 0
    total = np.bincount(codes, weights=x, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = x / total[codes]
    h = np.bincount(codes, weights=shares * shares, minlength=n_groups)
    return np.where(total > 0, h, np.nan)


def krugman_specialisation(shares: Any, reference_shares: Any, *, axis: int = -1) -> np.ndarray:
    """Krugman specialisation (dissimilarity) index K = Σ_j |s_j − S_j| ∈ [0, 2].

    .. math::

        K_i = \\sum_j \\big| s_{ij} - S_j \\big|

    Parameters
    ----------
    shares : array_like
        The unit's structure s_ij (e.g. region i's industry shares, summing to 1 over j).
    reference_shares : array_like
        The reference structure S_j (the nation's, or the rest of the country's),
        broadcast against ``shares``.
    axis : int
        The axis that runs over the categories j.

    Returns
    -------
    numpy.ndarray
        ``shares`` with ``axis`` removed: 0 when the structures are equal, 2 when they
        have no category in common.

    References
    ----------
    Krugman, P. (1991), *Geography and Trade*, MIT Press (Appendix D); the "rest of the
    country" reference is that of Midelfart-Knarvik, Overman, Redding & Venables (2000),
    *The Location of European Industry*, European Commission Economic Papers 142.
    """
    s = np.asarray(shares, dtype=float)
    ref = np.asarray(reference_shares, dtype=float)
    return np.abs(s - ref).sum(axis=axis)


def relative_growth_index(growth: Any, benchmark_growth: Any) -> np.ndarray:
    """Lagravinese's resistance / recovery index (g − g_B) / |g_B|, element by element.

    .. math::

        \\text{Resis}_i = \\frac{g_i^c - g_B^c}{|g_B^c|}, \\qquad
        \\text{Recov}_i = \\frac{g_i^v - g_B^v}{|g_B^v|}

    with g the unit's growth over the contraction (c) or the recovery (v) and g_B the
    benchmark's (the nation, an industry). > 0: the unit did better than its benchmark.

    Parameters
    ----------
    growth : array_like
        The unit's growth g (or its change ΔE, see Notes).
    benchmark_growth : array_like or float
        The benchmark g_B (or the expected change), broadcast against ``growth``.

    Returns
    -------
    numpy.ndarray
        The index; ±inf where g_B = 0 and NaN where an input is missing (callers refuse or
        warn about benchmarks near zero).

    Notes
    -----
    With changes instead of growth rates, (ΔE − ΔE^e)/|ΔE^e|, the same function gives the
    resistance/recovery against an expected change of Martin, Sunley, Gardiner & Tyler
    (2016): dividing numerator and denominator by the base level E_0 > 0 turns it into
    (g − g^e)/|g^e|. The Ibis form used out of core is
    :func:`exportlens.firms.pipeline.relative_growth_index_expr`.

    References
    ----------
    Lagravinese, R. (2015), "Economic crisis and rising gaps North-South: evidence from the
    Italian regions", *Cambridge Journal of Regions, Economy and Society* 8(2):331-347.
    """
    g = np.asarray(growth, dtype=float)
    gb = np.asarray(benchmark_growth, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (g - gb) / np.abs(gb)
