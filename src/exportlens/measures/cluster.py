"""Industrial cluster measures per province and industry: location quotient, Herfindahl
index, Krugman specialisation index.

Notation for one period: e_ij = employment (or output, value added ...) of industry j in
region i; e_i = the region's total (Σ_j e_ij over the listed industries, or a given total
column), E_j = Σ_i e_ij, E = Σ_i e_i. Shares: s_ij = e_ij / e_i (structure of region i),
S_j = E_j / E (structure of the nation), g_ij = e_ij / E_j (region i's share of industry j).

* Location quotient (specialisation of region i in industry j; > 1 = more specialised than
  the nation; the usual cluster screen is LQ > 1 or > 1.25):
      LQ_ij = s_ij / S_j = (e_ij / e_i) / (E_j / E)
  Computed by :func:`exportlens.measures.agglomeration.location_quotient`. Identity:
  Σ_i (e_i / E) · LQ_ij = 1 for every industry j.
* Herfindahl index of the geographic concentration of industry j across the N regions
  (Herfindahl 1950; Hirschman 1945):
      H_j = Σ_i g_ij²,   1/N ≤ H_j ≤ 1,   normalised H*_j = (H_j − 1/N) / (1 − 1/N) ∈ [0, 1]
* Herfindahl index of the industrial concentration (lack of diversity) of region i over its
  m listed industries:
      H_i = Σ_j (e_ij / Σ_k e_ik)²,   1/m ≤ H_i ≤ 1,   normalised likewise with 1/m
* Krugman specialisation index of region i (Krugman 1991), the sum of the absolute
  differences between the region's industry structure and a reference structure:
      K_i = Σ_j |s_ij − S_j^ref| ∈ [0, 2]
  with the nation as reference (S_j^ref = S_j, default) or the rest of the country
  (S_j^ref = Σ_{k≠i} e_kj / Σ_{k≠i} e_k, Midelfart-Knarvik et al. 2000), which keeps a large
  region from being compared with itself. With the national reference and shares of the
  listed industries, K_i = Σ_j S_j · |LQ_ij − 1| (an identity the tests use).

Herfindahl and Krugman are structure measures and use the shares of the *listed* industries
(they must add up to 1); the location quotient uses the given ``total`` when there is one
(e.g. total employment, which includes industries not listed).

References
----------
* Herfindahl, O. C. (1950) Concentration in the Steel Industry. PhD thesis, Columbia University;
  Hirschman, A. O. (1945) National Power and the Structure of Foreign Trade. UC Press.
* Krugman, P. (1991) Geography and Trade. MIT Press (Appendix D: index of regional divergence).
* Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J. & Venables, A. J. (2000) The
  Location of European Industry. European Commission, Economic Papers 142.
* Isard, W. (1960) Methods of Regional Analysis. MIT Press (location quotient).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from exportlens.errors import InputError, NonPositiveValueError
from exportlens.measures.agglomeration import location_quotient
from exportlens.measures.kernels import herfindahl, krugman_specialisation
from exportlens.validation import (
    check_unique_keys,
    coerce_numeric,
    format_list,
    require_named_columns,
    require_no_missing,
    row_ref,
    row_word,
)

__all__ = [
    "ClusterMeasures",
    "cluster_measures",
    "herfindahl_index",
    "krugman_index",
    "location_quotients",
]

_ALL = "__all__"  # period label used when the data have no time column


@dataclass
class _Cube:
    """The long data checked and laid out as a dense (period × region × industry) array."""

    values: np.ndarray  # e_ij per row
    periods: pd.Index
    regions: pd.Index
    industries: pd.Index
    cube: np.ndarray  # T × N × M
    pos: tuple[np.ndarray, np.ndarray, np.ndarray]  # each row's (t, i, j) position
    time: str | None


def _cube(df: pd.DataFrame, region: str, industry: str, value: str, time: str | None) -> _Cube:
    require_named_columns(df, region=region, industry=industry, value=value, time=time)
    require_no_missing(df, region, "region")
    require_no_missing(df, industry, "industry")
    if time is not None:
        require_no_missing(df, time, "period")
    keys = [region, industry] + ([time] if time is not None else [])
    check_unique_keys(df, keys)
    v = coerce_numeric(df, value)
    miss = np.isnan(v)
    if miss.any():
        rows = [f"{tuple(r)} at {row_ref(i, df.index)}" for i, r in zip(df.index[miss], df.loc[miss, keys].itertuples(index=False, name=None), strict=True)]
        raise InputError(f"{int(miss.sum())} missing value(s) in {value!r} (region, industry[, period]): {format_list(rows)}. "
                         "Fill them (0 when the industry is truly absent) or drop the region first.")
    neg = v < 0
    if neg.any():
        rows = [f"{tuple(r)} = {x:g}" for r, x in zip(df.loc[neg, keys].itertuples(index=False, name=None), v[neg], strict=True)]
        raise NonPositiveValueError(f"{value!r} must not be negative: {format_list(rows)}.")
    t_lab = df[time] if time is not None else pd.Series(_ALL, index=df.index)
    t_code, periods = pd.factorize(t_lab, sort=True)
    i_code, regions = pd.factorize(df[region], sort=False)
    j_code, industries = pd.factorize(df[industry], sort=False)
    T, N, M = len(periods), len(regions), len(industries)
    cube = np.full((T, N, M), np.nan)
    cube[t_code, i_code, j_code] = v
    if np.isnan(cube).any():
        gaps = [
            f"({regions[i]}, {industries[j]}{'' if time is None else f', {periods[t]}'})"
            for t, i, j in zip(*np.nonzero(np.isnan(cube)), strict=True)
        ]
        raise InputError(
            f"Cluster measures need every region x industry{' x period' if time else ''} combination; "
            f"{len(gaps)} are absent: {format_list(gaps)}. Add them (0 when the industry is truly absent)."
        )
    region_sum = cube.sum(axis=2)
    if not (region_sum > 0).all():
        bad = [f"{regions[i]}" + ("" if time is None else f" ({periods[t]})") for t, i in zip(*np.nonzero(~(region_sum > 0)), strict=True)]
        raise NonPositiveValueError(f"Regions with zero total over the listed industries (shares undefined): {format_list(bad)}.")
    ind_sum = cube.sum(axis=1)
    if not (ind_sum > 0).all():
        bad = [f"{industries[j]}" + ("" if time is None else f" ({periods[t]})") for t, j in zip(*np.nonzero(~(ind_sum > 0)), strict=True)]
        raise NonPositiveValueError(
            f"Industries with zero national total (location quotient and concentration undefined): {format_list(bad)}. "
            "Drop these industries."
        )
    return _Cube(values=v, periods=periods, regions=regions, industries=industries, cube=cube,
                 pos=(t_code, i_code, j_code), time=time)


def location_quotients(
    df: pd.DataFrame,
    *,
    region: str,
    industry: str,
    value: str,
    time: str | None = None,
    total: str | None = None,
) -> pd.Series:
    """Location quotient LQ_ij = (e_ij / e_i) / (E_j / E) for every row of a long
    region × industry (× period) table.

    e_i is ``total`` (a column constant within each region-period, e.g. total employment)
    or, without it, the sum of the listed industries; E_j and E are sums over the regions
    of the period. The computation is :func:`exportlens.measures.agglomeration.location_quotient`
    applied industry by industry. Returns a Series aligned with ``df``, named ``"lq"``.
    Raises :class:`InputError` for absent combinations, missing values, duplicate rows and a
    ``total`` that varies within a region-period or is below an industry's value;
    :class:`NonPositiveValueError` for negative values and zero totals.

    Examples
    --------
    Jiangsu: 60 of its 100 jobs in manufacturing, the nation 130 of 300, so
    LQ = 0.6 / (130/300) = 1.3846:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["江苏"] * 3 + ["浙江"] * 3 + ["四川"] * 3,
    ...                    "industry": ["manufacturing", "ict", "retail"] * 3,
    ...                    "emp": [60.0, 10.0, 30.0, 50.0, 20.0, 30.0, 20.0, 10.0, 70.0]})
    >>> from exportlens.measures import location_quotients
    >>> lq = location_quotients(df, region="province", industry="industry", value="emp")
    >>> lq.round(4).tolist()
    [1.3846, 0.75, 0.6923, 1.1538, 1.5, 0.6923, 0.4615, 0.75, 1.6154]
    """
    c = _cube(df, region, industry, value, time)
    return _lq(c, df, region, total)


def _lq(c: _Cube, df: pd.DataFrame, region: str, total: str | None) -> pd.Series:
    e_i = _region_totals(c, df, total)
    t, i, j = c.pos
    # One location_quotient "period" per (period, industry): its national sums are then E_j and E.
    industry_label = pd.Series(np.asarray(c.industries, dtype=object).astype(str)[j])
    period_industry = (
        pd.Series(np.asarray(c.periods, dtype=object).astype(str)[t]) + " | " + industry_label
        if c.time is not None else industry_label
    ).to_numpy()
    work = pd.DataFrame({"region": df[region].to_numpy(), "key": period_industry, "e_ij": c.values,
                         "e_i": e_i[t, i]}, index=df.index)
    lq = location_quotient(work, region="region", time="key", sector_employment="e_ij", total_employment="e_i")
    return lq.rename("lq")


def _region_totals(c: _Cube, df: pd.DataFrame, total: str | None) -> np.ndarray:
    """e_i per (period, region): the given total column or the sum of the listed industries."""
    if total is None:
        return c.cube.sum(axis=2)
    require_named_columns(df, total=total)
    tot = coerce_numeric(df, total)
    if np.isnan(tot).any():
        raise InputError(f"Total column {total!r} has missing values in {row_word(df.index, True)} {format_list(df.index[np.isnan(tot)])}.")
    t, i, _ = c.pos
    lo = np.full((len(c.periods), len(c.regions)), np.inf)
    hi = np.full_like(lo, -np.inf)
    np.minimum.at(lo, (t, i), tot)
    np.maximum.at(hi, (t, i), tot)
    varying = hi - lo > 1e-9 * np.maximum(np.abs(hi), 1.0)
    if varying.any():
        bad = [f"{c.regions[b]}" + ("" if c.time is None else f" ({c.periods[a]})") for a, b in zip(*np.nonzero(varying), strict=True)]
        raise InputError(f"Total column {total!r} must be one value per region{'-period' if c.time else ''}; it varies for {format_list(bad)}.")
    if not (hi > 0).all():
        bad = [f"{c.regions[b]}" for _, b in zip(*np.nonzero(~(hi > 0)), strict=True)]
        raise NonPositiveValueError(f"Total column {total!r} must be positive; not so for {format_list(bad)}.")
    return hi


def herfindahl_index(
    df: pd.DataFrame,
    *,
    region: str,
    industry: str,
    value: str,
    time: str | None = None,
    over: Literal["regions", "industries"] = "regions",
) -> pd.DataFrame:
    """Herfindahl index H = Σ share².

    ``over="regions"``: geographic concentration of each industry j across the N regions,
    H_j = Σ_i (e_ij / E_j)², one row per industry (and period). ``over="industries"``:
    industrial concentration of each region i over the m listed industries,
    H_i = Σ_j (e_ij / Σ_k e_ik)², one row per region (and period). Columns: the key(s),
    ``herfindahl``, ``herfindahl_normalised`` = (H − 1/K)/(1 − 1/K) with K the number of
    units summed over, and ``n`` = K. References: Herfindahl (1950), Hirschman (1945).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["江苏"] * 3 + ["浙江"] * 3 + ["四川"] * 3,
    ...                    "industry": ["manufacturing", "ict", "retail"] * 3,
    ...                    "emp": [60.0, 10.0, 30.0, 50.0, 20.0, 30.0, 20.0, 10.0, 70.0]})
    >>> from exportlens.measures import herfindahl_index
    >>> herfindahl_index(df, region="province", industry="industry", value="emp").round(4)
            industry  herfindahl  herfindahl_normalised  n
    0  manufacturing      0.3846                 0.0769  3
    1            ict      0.3750                 0.0625  3
    2         retail      0.3964                 0.0947  3

    Over industries, Jiangsu's shares are 0.6, 0.1, 0.3: H = 0.36 + 0.01 + 0.09 = 0.46.

    >>> h = herfindahl_index(df, region="province", industry="industry", value="emp",
    ...                      over="industries")
    >>> h.round(4)
      province  herfindahl  herfindahl_normalised  n
    0       江苏        0.46                   0.19  3
    1       浙江        0.38                   0.07  3
    2       四川        0.54                   0.31  3
    """
    c = _cube(df, region, industry, value, time)
    return _herfindahl(c, region, industry, over)


def _herfindahl(c: _Cube, region: str, industry: str, over: str) -> pd.DataFrame:
    if over == "regions":
        h = herfindahl(c.cube, axis=1)  # T × M, shares g_ij = e_ij / E_j
        k = len(c.regions)
        labels, name = c.industries, industry
    elif over == "industries":
        h = herfindahl(c.cube, axis=2)  # T × N, shares s_ij = e_ij / Σ_k e_ik
        k = len(c.industries)
        labels, name = c.regions, region
    else:
        raise InputError(f"over must be 'regions' or 'industries', not {over!r}.")
    return _long(c, labels, name, {"herfindahl": h, "herfindahl_normalised": _normalise(h, k)}, n=k)


def _normalise(h: np.ndarray, k: int) -> np.ndarray:
    if k < 2:
        return np.full_like(h, np.nan)
    return (h - 1.0 / k) / (1.0 - 1.0 / k)


def _long(c: _Cube, labels: pd.Index, name: str, columns: dict[str, np.ndarray], n: int | None = None) -> pd.DataFrame:
    """Long frame from (period × unit) arrays: one row per period and unit."""
    T, K = len(c.periods), len(labels)
    out = pd.DataFrame({name: np.tile(np.asarray(labels, dtype=object), T)})
    if c.time is not None:
        out.insert(0, c.time, np.repeat(np.asarray(c.periods, dtype=object), K))
    for col, arr in columns.items():
        out[col] = arr.ravel()
    if n is not None:
        out["n"] = n
    return out


def krugman_index(
    df: pd.DataFrame,
    *,
    region: str,
    industry: str,
    value: str,
    time: str | None = None,
    reference: Literal["nation", "rest"] = "nation",
) -> pd.DataFrame:
    """Krugman specialisation index K_i = Σ_j |s_ij − S_j^ref| ∈ [0, 2] of every region.

    s_ij = e_ij / Σ_k e_ik is region i's industry structure; the reference structure is the
    nation's (S_j = E_j / E, ``reference="nation"``) or the rest of the country's, without
    region i (``reference="rest"``, as in Midelfart-Knarvik et al. 2000). K = 0: the region
    has exactly the reference structure; K = 2: no industry in common. One row per region
    (and period) with the column ``krugman``. Reference: Krugman (1991), Geography and Trade.

    Examples
    --------
    Jiangsu (0.6, 0.1, 0.3) against the nation (13/30, 4/30, 13/30):
    K = 1/6 + 1/30 + 2/15 = 1/3.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["江苏"] * 3 + ["浙江"] * 3 + ["四川"] * 3,
    ...                    "industry": ["manufacturing", "ict", "retail"] * 3,
    ...                    "emp": [60.0, 10.0, 30.0, 50.0, 20.0, 30.0, 20.0, 10.0, 70.0]})
    >>> from exportlens.measures import krugman_index
    >>> krugman_index(df, region="province", industry="industry", value="emp").round(4)
      province  krugman
    0       江苏   0.3333
    1       浙江   0.2667
    2       四川   0.5333
    >>> rest = krugman_index(df, region="province", industry="industry", value="emp",
    ...                      reference="rest")
    >>> rest["krugman"].round(4).tolist()
    [0.5, 0.4, 0.8]
    """
    c = _cube(df, region, industry, value, time)
    return _krugman(c, region, reference)


def _krugman(c: _Cube, region: str, reference: str) -> pd.DataFrame:
    s = c.cube / c.cube.sum(axis=2, keepdims=True)  # T × N × M
    if reference == "nation":
        ref = c.cube.sum(axis=1, keepdims=True)
        ref = ref / ref.sum(axis=2, keepdims=True)
    elif reference == "rest":
        if len(c.regions) < 2:
            raise InputError("reference='rest' needs at least two regions.")
        rest = c.cube.sum(axis=1, keepdims=True) - c.cube  # T × N × M: Σ_{k≠i} e_kj
        total = rest.sum(axis=2, keepdims=True)
        if not (total > 0).all():
            raise NonPositiveValueError("The rest of the country has zero total in some period (reference='rest').")
        ref = rest / total
    else:
        raise InputError(f"reference must be 'nation' or 'rest', not {reference!r}.")
    k = krugman_specialisation(s, ref, axis=2)  # T × N
    return _long(c, c.regions, region, {"krugman": k})


@dataclass
class ClusterMeasures:
    """Result of :func:`cluster_measures`.

    ``lq``: one row per region-industry(-period) with the value, ``share_region`` (s_ij,
    share in the region's listed industries), ``share_nation`` (S_j), ``share_of_industry``
    (g_ij) and ``lq``. ``concentration``: Herfindahl index of each industry across regions.
    ``specialisation``: per region, the Herfindahl index over industries and the Krugman index.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["江苏"] * 3 + ["浙江"] * 3 + ["四川"] * 3,
    ...                    "industry": ["manufacturing", "ict", "retail"] * 3,
    ...                    "emp": [60.0, 10.0, 30.0, 50.0, 20.0, 30.0, 20.0, 10.0, 70.0]})
    >>> from exportlens.measures import cluster_measures
    >>> r = cluster_measures(df, region="province", industry="industry", value="emp")
    >>> r.lq_matrix().round(4)
    industry   ict  manufacturing  retail
    province
    四川        0.75         0.4615  1.6154
    江苏        0.75         1.3846  0.6923
    浙江        1.50         1.1538  0.6923
    >>> r.specialisation.round(4)
      province  herfindahl  herfindahl_normalised  krugman
    0       江苏        0.46                   0.19   0.3333
    1       浙江        0.38                   0.07   0.2667
    2       四川        0.54                   0.31   0.5333
    >>> print(r.summary())
    Cluster measures: 3 regions x 3 industries
    Location quotient > 1 in 4 of 9 region-industry cells; ...
    """

    lq: pd.DataFrame
    concentration: pd.DataFrame
    specialisation: pd.DataFrame
    region: str
    industry: str
    time: str | None
    reference: str
    total: str | None

    def to_frame(self) -> pd.DataFrame:
        """The region-industry rows with the region's specialisation and the industry's
        concentration measures merged on."""
        keys_r = [self.region] + ([self.time] if self.time else [])
        keys_j = [self.industry] + ([self.time] if self.time else [])
        out = self.lq.merge(self.specialisation, on=keys_r, how="left", validate="many_to_one")
        conc = self.concentration.rename(columns={"herfindahl": "herfindahl_industry",
                                                  "herfindahl_normalised": "herfindahl_industry_normalised",
                                                  "n": "n_regions"})
        return out.merge(conc, on=keys_j, how="left", validate="many_to_one")

    def lq_matrix(self, period: object | None = None) -> pd.DataFrame:
        """Region × industry matrix of location quotients (one period: the last one by default)."""
        f = self.lq
        if self.time is not None:
            period = f[self.time].max() if period is None else period
            f = f[f[self.time] == period]
            if f.empty:
                raise InputError(f"No rows for period {period!r}.")
        return f.pivot(index=self.region, columns=self.industry, values="lq")

    def summary(self) -> str:
        """Plain text: size, the most concentrated industries, the most specialised regions."""
        last = self.lq
        spec, conc = self.specialisation, self.concentration
        if self.time is not None:
            t = last[self.time].max()
            last, spec, conc = last[last[self.time] == t], spec[spec[self.time] == t], conc[conc[self.time] == t]
        lines = [
            f"Cluster measures: {last[self.region].nunique()} regions x {last[self.industry].nunique()} industries"
            + (f", periods {self.lq[self.time].min()}-{self.lq[self.time].max()} (tables below: {t})" if self.time else ""),
            f"Location quotient > 1 in {int((last['lq'] > 1).sum())} of {len(last)} region-industry cells; "
            f"employment-weighted mean LQ per industry = 1 by construction.",
            "Most geographically concentrated industries (Herfindahl across regions):",
            conc.nlargest(5, "herfindahl")[[self.industry, "herfindahl", "herfindahl_normalised"]]
            .to_string(index=False, float_format=lambda v: f"{v:.4f}"),
            f"Most specialised regions (Krugman index, reference: {self.reference}):",
            spec.nlargest(5, "krugman")[[self.region, "krugman", "herfindahl"]]
            .to_string(index=False, float_format=lambda v: f"{v:.4f}"),
        ]
        return "\n".join(lines)


def cluster_measures(
    df: pd.DataFrame,
    *,
    region: str,
    industry: str,
    value: str,
    time: str | None = None,
    total: str | None = None,
    reference: Literal["nation", "rest"] = "nation",
) -> ClusterMeasures:
    """All cluster measures of a long region × industry (× period) table (see the module
    docstring for the formulas): location quotients per cell, the Herfindahl index of each
    industry's geographic concentration, and per region the Herfindahl index over its
    industries and the Krugman specialisation index (``reference`` "nation" or "rest").

    ``value`` is employment, output or value added; ``total`` optionally a region total
    used as the LQ denominator (e.g. all urban-unit employment when only some industries are
    listed). Every region x industry (x period) combination must be present (0 for an absent
    industry); nothing is dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["江苏"] * 3 + ["浙江"] * 3 + ["四川"] * 3,
    ...                    "industry": ["manufacturing", "ict", "retail"] * 3,
    ...                    "emp": [60.0, 10.0, 30.0, 50.0, 20.0, 30.0, 20.0, 10.0, 70.0]})
    >>> from exportlens.measures import cluster_measures
    >>> r = cluster_measures(df, region="province", industry="industry", value="emp")
    >>> r.lq[["province", "industry", "share_region", "share_nation", "lq"]].head(3).round(4)
      province       industry  share_region  share_nation      lq
    0       江苏  manufacturing           0.6        0.4333  1.3846
    1       江苏            ict           0.1        0.1333  0.7500
    2       江苏         retail           0.3        0.4333  0.6923

    With the national reference, K_i = Σ_j S_j · |LQ_ij − 1| (Jiangsu):

    >>> jiangsu = r.lq[r.lq["province"] == "江苏"]
    >>> round(float((jiangsu["share_nation"] * (jiangsu["lq"] - 1).abs()).sum()), 4)
    0.3333
    >>> len(r.to_frame()), r.to_frame().columns[-3:].tolist()
    (9, ['herfindahl_industry', 'herfindahl_industry_normalised', 'n_regions'])
    """
    c = _cube(df, region, industry, value, time)
    t, i, j = c.pos
    cube = c.cube
    nat = cube.sum(axis=1)
    keys = [region, industry] + ([time] if time is not None else [])
    lq_frame = df[keys].copy()
    lq_frame[value] = c.values
    lq_frame["share_region"] = (cube / cube.sum(axis=2, keepdims=True))[t, i, j]
    lq_frame["share_nation"] = (nat / nat.sum(axis=1, keepdims=True))[t, j]
    lq_frame["share_of_industry"] = (cube / cube.sum(axis=1, keepdims=True))[t, i, j]
    lq_frame["lq"] = _lq(c, df, region, total).to_numpy()
    conc = _herfindahl(c, region, industry, "regions")
    spec = _herfindahl(c, region, industry, "industries").drop(columns=["n"])
    keys_r = [region] + ([time] if time is not None else [])
    spec = spec.merge(_krugman(c, region, reference), on=keys_r, how="left", validate="one_to_one")
    return ClusterMeasures(lq=lq_frame, concentration=conc, specialisation=spec, region=region, industry=industry,
                           time=time, reference=reference, total=total)
