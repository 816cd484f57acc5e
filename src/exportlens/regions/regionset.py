"""Region sets: the regions of a study, from the province registry or from a user's region table.

A :class:`RegionSet` is the one object a study asks about its regions: it resolves the
labels found in the data to region codes (:meth:`RegionSet.resolve`), assigns groups
(:meth:`RegionSet.group`), and gives great-circle distances (:meth:`RegionSet.distances`,
dense) or the pairs of near regions (:meth:`RegionSet.neighbour_pairs`, sparse, for tens of
thousands of regions).

- :meth:`RegionSet.provinces` is the 31 mainland provinces of the registry (any spelling
  resolves; groupings nbs4, belts3, drc8, coastal; capitals as points). It is the default.
- :meth:`RegionSet.from_table` reads a region table the user supplies, one row per region
  (prefecture-level cities, counties, another country's regions): a code, a name,
  longitude and latitude in decimal degrees, optional area (km², for internal distances)
  and optional group columns (each column is a grouping). The table is validated:
  duplicated codes, missing or out-of-range coordinates and missing names raise
  :class:`~exportlens.errors.InputError` naming the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exportlens.errors import (
    AmbiguousRegionError,
    InputError,
    MissingColumnError,
    UnknownRegionError,
)
from exportlens.regions.distance import (
    EARTH_RADIUS_KM,
    distance_matrix,
    internal_distance,
    unit_divisor,
)
from exportlens.regions.groupings import assign_group, grouping, list_groupings
from exportlens.regions.registry import province_codes, resolve_provinces
from exportlens.validation import LIST_LIMIT, format_list, format_value, reading, row_refs

__all__ = ["RegionSet", "haversine_matrix"]

#: Administrative suffixes ignored when a name does not match exactly (北京市 = 北京, 河北省 = 河北,
#: 广西壮族自治区 = 广西, 南山区 = 南山); the longer ones first.
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区",
             "林区", "新区", "省", "盟", "市", "县", "区", "旗")


def _norm_code(value: Any) -> str | None:
    """A region code as text: 110100, 110100.0 and "110100" are the same code."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def _strip_suffix(name: str) -> str:
    for s in _SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def haversine_matrix(lat: Any, lon: Any, lat2: Any = None, lon2: Any = None, *,
                     radius_km: float = EARTH_RADIUS_KM) -> np.ndarray:
    """Great-circle distances (km) between every point of one list and every point of another.

    The haversine formula (Sinnott 1984, *Sky and Telescope* 68(2):159),

        d = 2 R arcsin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) ),

    evaluated with the half-angle differences expanded into outer products
    (sin((φ2−φ1)/2) = sin(φ2/2)cos(φ1/2) − cos(φ2/2)sin(φ1/2)), so that only one arcsin and one
    square root are taken per pair; equal to :func:`exportlens.regions.haversine_km` to
    rounding (tested). ``lat2``/``lon2`` default to the first list (a square matrix with a
    zero diagonal).

    Examples
    --------
    >>> from exportlens.regions import haversine_matrix
    >>> haversine_matrix([39.904, 31.230], [116.407, 121.474]).round(1)  # Beijing, Shanghai
    array([[   0. , 1067.4],
           [1067.4,    0. ]])
    >>> haversine_matrix([0.0], [0.0], [0.0, 0.0], [90.0, 180.0]).round(2)  # pi R / 2 and pi R
    array([[10007.56, 20015.11]])
    """
    p1 = np.radians(np.asarray(lat, dtype=float)) / 2
    l1 = np.radians(np.asarray(lon, dtype=float)) / 2
    square = lat2 is None
    p2 = p1 if square else np.radians(np.asarray(lat2, dtype=float)) / 2
    l2 = l1 if square else np.radians(np.asarray(lon2, dtype=float)) / 2
    sp1, cp1, sp2, cp2 = np.sin(p1), np.cos(p1), np.sin(p2), np.cos(p2)
    sl1, cl1, sl2, cl2 = np.sin(l1), np.cos(l1), np.sin(l2), np.cos(l2)
    # a = sin(Δφ/2), b = sin(Δλ/2), each an outer difference of products
    a = np.multiply.outer(cp1, sp2)
    a -= np.multiply.outer(sp1, cp2)
    a *= a
    b = np.multiply.outer(cl1, sl2)
    b -= np.multiply.outer(sl1, cl2)
    b *= b
    cosp1 = cp1 * cp1 - sp1 * sp1  # cos φ = cos²(φ/2) − sin²(φ/2)
    cosp2 = cosp1 if square else cp2 * cp2 - sp2 * sp2
    b *= cosp1[:, None]
    b *= cosp2[None, :]
    a += b
    np.clip(a, 0.0, 1.0, out=a)
    np.sqrt(a, out=a)
    np.arcsin(a, out=a)
    a *= 2 * radius_km
    if square:
        np.fill_diagonal(a, 0.0)
    return a


@dataclass
class RegionSet:
    """The regions of a study: codes, names, points, groupings.

    Build with :meth:`provinces` (the registry, the default) or :meth:`from_table` (a user
    region table). ``codes`` are the registry's integer GB/T 2260 codes for provinces and
    text for table regions; ``lat``/``lon`` the points distances are measured between
    (provincial capitals, or the table's coordinates); ``groups`` maps a grouping name to
    the group of each region (table group columns; the registry groupings are looked up).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.regions import RegionSet
    >>> provinces = RegionSet.provinces()
    >>> provinces.summary()
    '31 regions from registry; groupings: nbs4, belts3, drc8, coastal'
    >>> provinces.resolve(["廣東", "Beijing"]).tolist()
    [440000, 110000]
    >>> table = pd.DataFrame({
    ...     "code": ["440300", "440100", "110000"], "name": ["深圳市", "广州市", "北京市"],
    ...     "lon": [114.06, 113.26, 116.41], "lat": [22.54, 23.13, 39.90], "zone": ["south", "south", "north"],
    ... })
    >>> cities = RegionSet.from_table(table, groups=["zone"])
    >>> cities.summary()
    '3 regions from the region table; groupings: zone'
    >>> cities.resolve(["深圳", "广州市", 110000]).tolist()
    ['440300', '440100', '110000']
    >>> cities.group(["440300", "110000"], "zone").tolist()
    ['south', 'north']
    >>> cities.distances(unit="km").round(1)
    array([[   0. ,  105. , 1943. ],
           [ 105. ,    0. , 1888.1],
           [1943. , 1888.1,    0. ]])
    """

    codes: list[Any]
    names: list[str]
    lat: np.ndarray
    lon: np.ndarray
    source: str
    groups: dict[str, list[str]] = field(default_factory=dict)
    area_km2: np.ndarray | None = None
    _lookup: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    _names: dict[Any, str] = field(default_factory=dict, repr=False)
    _single: tuple[Any, np.ndarray] | None = field(default=None, repr=False)

    # --- construction ----------------------------------------------------------------

    @classmethod
    def provinces(cls) -> RegionSet:
        """The 31 mainland provinces of the registry (capitals as points)."""
        from exportlens.regions.registry import resolve_province

        items = [resolve_province(c) for c in province_codes()]
        return cls(codes=[p.code for p in items], names=[p.short_zh for p in items],
                   lat=np.array([p.capital_lat for p in items]), lon=np.array([p.capital_lon for p in items]),
                   source="registry", area_km2=np.array([p.area_10k_km2 * 1e4 for p in items]))

    @classmethod
    def from_table(
        cls,
        table: pd.DataFrame | str | Path,
        *,
        code: str = "code",
        name: str = "name",
        longitude: str = "lon",
        latitude: str = "lat",
        groups: Sequence[str] = (),
        area: str | None = None,
        sheet: str | None = None,
        where: str = "",
    ) -> RegionSet:
        """A region set from a table with one row per region.

        ``table`` is a DataFrame or the path of a CSV (UTF-8, UTF-8 with BOM or GBK) or Excel
        file. The other arguments name its columns: ``code`` (unique), ``name``,
        ``longitude``/``latitude`` (decimal degrees), ``groups`` (each column one grouping)
        and ``area`` (km², optional, for internal distances). ``where`` says how the user
        names these columns in their interface (e.g. ``"[regions] "``) for the messages.

        Raises :class:`MissingColumnError` for absent columns and :class:`InputError` for
        duplicated codes, missing names, missing or out-of-range coordinates, missing
        group values (rows listed, row numbers as in the file: header = line 1).
        """
        origin = "the region table"
        line_offset = 0
        if not isinstance(table, pd.DataFrame):
            path = Path(table)
            origin = f"region table {path}"
            with reading(path, what="region table (CSV, Excel or Parquet)"):
                frame = _read_table(path, sheet)
            line_offset = 2  # header is line 1 of the file
        else:
            frame = table.reset_index(drop=True)
        needed = {"code": code, "name": name, "longitude": longitude, "latitude": latitude}
        needed.update({f"groups ({g})": g for g in groups})
        if area is not None:
            needed["area"] = area
        absent = [f"{where}{k} = {v!r}" for k, v in needed.items() if v not in frame.columns]
        if absent:
            raise MissingColumnError(f"{origin} has no column(s) named by {format_list(absent)}; its columns are "
                                     f"{format_list(map(str, frame.columns))}.")

        def rows(mask: Any) -> str:
            idx = np.flatnonzero(np.asarray(mask))
            return format_list((f"{'line' if line_offset else 'row'} {i + line_offset}" for i in idx[:LIST_LIMIT]),
                               total=len(idx))

        codes = [_norm_code(v) for v in frame[code]]
        miss = np.array([c is None for c in codes])
        if miss.any():
            raise InputError(f"{origin}: {int(miss.sum())} region(s) without a code ({where}code = {code!r}) at "
                             f"{rows(miss)}; give every region a code.")
        dup = pd.Series(codes).duplicated(keep=False).to_numpy()
        if dup.any():
            listed = format_list(f"{c!r} ({rows(np.array(codes) == c)})"
                                 for c in dict.fromkeys(c for c, d in zip(codes, dup, strict=True) if d))
            raise InputError(f"{origin}: duplicated region code(s) {listed}; each code must appear once.")
        names = frame[name]
        bad_name = names.isna().to_numpy() | (names.astype(str).str.strip() == "").to_numpy()
        if bad_name.any():
            raise InputError(f"{origin}: {int(bad_name.sum())} region(s) without a name ({where}name = {name!r}) at "
                             f"{rows(bad_name)}.")
        coords = {}
        for what, col, lim in (("longitude", longitude, 180.0), ("latitude", latitude, 90.0)):
            v = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(v)
            if bad.any():
                raise InputError(f"{origin}: {int(bad.sum())} missing or non-numeric {what}(s) ({where}{what} = "
                                 f"{col!r}) at {rows(bad)}; every region needs coordinates in decimal degrees.")
            out = np.abs(v) > lim
            if out.any():
                raise InputError(f"{origin}: {what} outside [-{lim:g}, {lim:g}] ({where}{what} = {col!r}) at "
                                 f"{rows(out)}, e.g. {format_value(v[out][0])}; give decimal degrees "
                                 "(longitude and latitude swapped?).")
            coords[what] = v
        group_map: dict[str, list[str]] = {}
        for g in groups:
            vals = frame[g]
            gm = vals.isna().to_numpy()
            if gm.any():
                raise InputError(f"{origin}: group column {g!r} is empty for {int(gm.sum())} region(s) at {rows(gm)}.")
            group_map[g] = [_norm_code(x) or "" for x in vals]
        area_v = None
        if area is not None:
            area_v = pd.to_numeric(frame[area], errors="coerce").to_numpy(dtype=float)
            bad = ~(area_v > 0)
            if bad.any():
                raise InputError(f"{origin}: area ({where}area = {area!r}) must be a positive number; not so at "
                                 f"{rows(bad)}.")
        return cls(codes=list(codes), names=[str(x).strip() for x in names], lat=coords["latitude"],
                   lon=coords["longitude"], source=origin, groups=group_map, area_km2=area_v)

    # --- basics ----------------------------------------------------------------------

    @property
    def is_registry(self) -> bool:
        """True for the province registry (names resolve in any spelling, registry groupings)."""
        return self.source == "registry"

    def __len__(self) -> int:
        return len(self.codes)

    def to_frame(self) -> pd.DataFrame:
        """One row per region: code, name, lon, lat, group columns (and area_km2 if known)."""
        out = pd.DataFrame({"code": self.codes, "name": self.names, "lon": self.lon, "lat": self.lat})
        for g, vals in self.groups.items():
            out[g] = vals
        if self.area_km2 is not None:
            out["area_km2"] = self.area_km2
        return out

    def summary(self) -> str:
        """One line: how many regions, from where, which groupings."""
        return (f"{len(self)} regions from {self.source}; groupings: "
                f"{', '.join(self.grouping_names()) or '(none)'}")

    def _index(self) -> dict[str, list[Any]]:
        if not self._lookup:
            lookup: dict[str, list[Any]] = {}
            for c, n in zip(self.codes, self.names, strict=True):
                for key in dict.fromkeys((str(c), n, _strip_suffix(n))):
                    lookup.setdefault(key, []).append(c)
            # a code always wins over a name that happens to look like one
            for c in self.codes:
                lookup[str(c)] = [c]
            self._lookup = lookup
        return self._lookup

    def position(self, codes: Iterable[Any]) -> np.ndarray:
        """Row positions of ``codes`` (as :meth:`resolve` returns them) in this set."""
        where = {c: i for i, c in enumerate(self.codes)}
        return np.array([where[c] for c in codes], dtype=np.intp)

    # --- name resolution -------------------------------------------------------------

    def resolve(self, values: Iterable[Any] | pd.Series, *, what: str = "region") -> pd.Series:
        """The region code of each value (a code or a name; for the registry any spelling).

        Table regions match their code (110100 = "110100"), their name, or their name
        without an administrative suffix (南山区 = 南山). A value that matches nothing raises
        :class:`UnknownRegionError`, a name shared by several regions
        :class:`AmbiguousRegionError`, both listing every such value with its rows.
        Returns a Series aligned with ``values``.
        """
        series = values if isinstance(values, pd.Series) else pd.Series(list(values))
        if self.is_registry:
            return _resolve_registry(series)
        index = self._index()
        # vectorised exact match of the distinct values' text on the unambiguous keys; the rest one by one
        fcodes, uniques = pd.factorize(series, use_na_sentinel=True)
        if self._single is None:  # the unambiguous keys and their codes, built once
            single = {k: v[0] for k, v in index.items() if len(v) == 1}
            targets = np.empty(len(single), dtype=object)
            targets[:] = list(single.values())
            self._single = (pd.Index(list(single)), targets)
        keys, targets = self._single
        hit = keys.get_indexer(pd.Index(uniques).astype(str))
        resolved = np.empty(len(uniques), dtype=object)
        resolved[hit >= 0] = targets[hit[hit >= 0]]
        mapping: dict[Any, Any] = {}
        unknown: list[Any] = []
        ambiguous: list[str] = []
        rest = [uniques[int(k)] for k in np.flatnonzero(hit < 0)]
        if (fcodes < 0).any():
            rest.append(None)
        for v in rest:
            key = _norm_code(v)
            hits = index.get(key or "") or index.get(_strip_suffix(key or ""), [])
            if len(hits) == 1:
                mapping[v] = hits[0]
            elif hits:
                ambiguous.append(f"{v!r} (codes {format_list(hits, 5)})")
            else:
                unknown.append(v)
        if ambiguous:
            raise AmbiguousRegionError(f"{len(ambiguous)} {what} name(s) match several regions of {self.source}: "
                                       f"{format_list(ambiguous)}; use the region codes in the data.")
        if unknown:
            listed = []
            for v in unknown[:LIST_LIMIT]:
                pos = np.flatnonzero(series.isna().to_numpy() if v is None else (series.to_numpy() == v))[:5]
                listed.append(f"{v!r} ({row_refs(series.index[pos], series.index)})")
            raise UnknownRegionError(f"{len(unknown)} {what} value(s) are not in {self.source}: "
                                     f"{format_list(listed, total=len(unknown))}; write them as the codes or names "
                                     "of the region table, or add those regions to it.")
        for k in np.flatnonzero(hit < 0):
            resolved[k] = mapping[uniques[int(k)]]
        out = resolved[fcodes] if len(fcodes) else np.empty(0, dtype=object)
        return pd.Series(out, index=series.index, dtype=object)

    # --- groupings -------------------------------------------------------------------

    def grouping_names(self) -> list[str]:
        """The groupings this set knows (registry groupings or the table's group columns)."""
        return [g.name for g in list_groupings()] if self.is_registry else list(self.groups)

    def group(self, codes: Iterable[Any] | pd.Series, name: str) -> pd.Series:
        """Group key of each region code (from :meth:`resolve`) under grouping ``name``."""
        series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes))
        if self.is_registry:
            return assign_group(series, name)
        if name not in self.groups:
            raise InputError(f"{self.source} has no group column {name!r}; group columns: "
                             f"{format_list(self.groups) or '(none)'}.")
        mapping = dict(zip(self.codes, self.groups[name], strict=True))
        return pd.Series(series.map(mapping).to_numpy(), index=series.index, name=name)

    def group_order(self, name: str) -> list[str]:
        """Display order of the groups of ``name`` (registry order; table groups sorted)."""
        if self.is_registry:
            return grouping(name).order
        if name not in self.groups:
            raise InputError(f"{self.source} has no group column {name!r}.")
        return sorted(set(self.groups[name]))

    def group_labels(self, name: str, lang: str) -> dict[str, str]:
        """Group key -> label in ``lang`` (table groups are their own labels)."""
        if self.is_registry:
            g = grouping(name)
            return {k: g.label(k, lang) for k in g.order}
        return {k: k for k in self.group_order(name)}

    def label(self, code: Any, lang: str = "zh") -> str:
        """Display label of a region code: a province's short name in ``lang`` ("zh"/"en"), a
        table region's name (table regions have one name in every language)."""
        if self.is_registry:
            from exportlens.regions.registry import province_label

            return province_label(int(code), lang)
        if not self._names:
            self._names = dict(zip(self.codes, self.names, strict=True))
        try:
            return self._names[code]
        except KeyError:
            raise UnknownRegionError(f"region code {code!r} is not in {self.source}.") from None

    # --- distances -------------------------------------------------------------------

    def distances(self, codes: Sequence[Any] | None = None, *, unit: str) -> np.ndarray:
        """Dense great-circle distance matrix (haversine) between the regions ``codes``
        (default: all), in ``unit`` ("km", "100km", "1000km"); zero diagonal.

        For the registry this is :func:`exportlens.regions.distance_matrix` (capitals).
        """
        div = unit_divisor(unit)
        if self.is_registry:
            full = _registry_distances(unit)  # the registry's matrix, computed once per unit
            if codes is None:
                return full.copy()
            at = self.position(codes)
            return full[np.ix_(at, at)]
        pos = self.position(codes) if codes is not None else slice(None)
        d = haversine_matrix(self.lat[pos], self.lon[pos])
        if div != 1.0:
            d /= div
        return d

    def internal_distances(self, codes: Sequence[Any] | None = None, *, unit: str) -> np.ndarray:
        """Internal distance d_ii = (2/3)·sqrt(area_i/π) (Head & Mayer 2002), in ``unit``;
        needs the area column for table regions."""
        if self.is_registry:
            return internal_distance(list(codes) if codes is not None else None,
                                     unit=unit).to_numpy(dtype=float)  # type: ignore[arg-type]
        if self.area_km2 is None:
            raise InputError(f"Internal distances need region areas; {self.source} has no area column.")
        pos = self.position(codes) if codes is not None else slice(None)
        return (2.0 / 3.0) * np.sqrt(self.area_km2[pos] / np.pi) / unit_divisor(unit)

    def neighbour_pairs(
        self,
        codes: Sequence[Any] | None = None,
        *,
        unit: str,
        cutoff: float | None = None,
        k: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sparse neighbours: the pairs (i, j), i ≠ j, within ``cutoff`` (in ``unit``) or the ``k``
        nearest of each region, with their great-circle distance in ``unit``.

        Found with a k-d tree (:class:`scipy.spatial.cKDTree`) on the points as unit vectors,
        where the chord c and the great-circle distance d are tied by c = 2 sin(d / 2R), so the
        search is exact; the distances returned are haversine. Returns ``(i, j, d)`` arrays
        of positions in ``codes`` (default: all regions), sorted by i then j.
        """
        from scipy.spatial import cKDTree

        if (cutoff is None) == (k is None):
            raise InputError("Give either a distance cutoff or a number of nearest neighbours k, not both.")
        div = unit_divisor(unit)
        if self.is_registry:
            cs = list(codes) if codes is not None else province_codes()
            from exportlens.regions.registry import resolve_province

            items = [resolve_province(c) for c in cs]
            lat = np.array([p.capital_lat for p in items])
            lon = np.array([p.capital_lon for p in items])
        else:
            pos = self.position(codes) if codes is not None else slice(None)
            lat, lon = self.lat[pos], self.lon[pos]
        n = len(lat)
        phi, lam = np.radians(lat), np.radians(lon)
        xyz = np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
        tree = cKDTree(xyz)
        if cutoff is not None:
            if not (cutoff > 0):
                raise InputError(f"The distance cutoff must be positive, got {cutoff!r}.")
            ang = min(float(cutoff) * div / EARTH_RADIUS_KM, np.pi)
            chord = 2 * np.sin(ang / 2) * (1 + 1e-12)
            pairs = tree.query_pairs(chord, output_type="ndarray")
            i = np.concatenate([pairs[:, 0], pairs[:, 1]]) if len(pairs) else np.zeros(0, dtype=np.intp)
            j = np.concatenate([pairs[:, 1], pairs[:, 0]]) if len(pairs) else np.zeros(0, dtype=np.intp)
        else:
            kk = int(k)  # type: ignore[arg-type]
            if kk < 1 or kk >= n:
                raise InputError(f"k nearest neighbours must be between 1 and {n - 1} (the other regions), got {k!r}.")
            _, idx = tree.query(xyz, k=kk + 1)
            i = np.repeat(np.arange(n), kk + 1)
            j = idx.ravel()
            keep = i != j  # (with coincident points a region may keep k+1 others; their distance 0 is refused later)
            i, j = i[keep], j[keep]
        d = _pair_haversine(lat, lon, i, j) / div
        if cutoff is not None:
            keep = d <= cutoff
            i, j, d = i[keep], j[keep], d[keep]
        order = np.lexsort((j, i))
        return i[order].astype(np.intp), j[order].astype(np.intp), d[order]


#: Spellings of provinces already resolved (the registry never changes), value -> code.
_REGISTRY_MEMO: dict[Any, int] = {}


def _resolve_registry(series: pd.Series) -> pd.Series:
    """:func:`resolve_provinces` of ``series`` (Int64 codes), each spelling looked up once per
    process: a repeated call on the same labels (every Vag of a study) costs a factorisation."""
    fcodes: np.ndarray | None = None
    uniques: Any
    if len(series) <= 2000:  # a dict lookup per row beats a factorisation on short columns
        uniques = series.to_numpy(dtype=object)
    else:
        fcodes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) and (fcodes is None or not bool(np.any(fcodes < 0))):
        try:
            hit = [_REGISTRY_MEMO.get(u) for u in uniques]
        except TypeError:  # unhashable values: the slow path words the error
            hit = [None]
        if all(h is not None for h in hit):
            codes = np.asarray(hit, dtype=np.int64)
            if fcodes is not None:
                codes = codes[fcodes]
            return pd.Series(pd.array(codes, dtype="Int64"), index=series.index, name=series.name)
    out = resolve_provinces(series)
    if len(_REGISTRY_MEMO) > 100_000:
        _REGISTRY_MEMO.clear()
    for u, c in zip(series.to_numpy(), out.to_numpy(), strict=True):
        if c is not pd.NA:
            _REGISTRY_MEMO[u] = int(c)
    return out


@lru_cache(maxsize=8)
def _registry_distances(unit: str) -> np.ndarray:
    """The great-circle distance matrix of the 31 provinces' capitals in ``unit`` (read-only)."""
    full = distance_matrix(None, unit=unit).to_numpy(dtype=float)  # type: ignore[arg-type]
    full.setflags(write=False)
    return full


def _pair_haversine(lat: np.ndarray, lon: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    from exportlens.regions.distance import haversine_km

    return haversine_km(lat[i], lon[i], lat[j], lon[j])


def _read_table(path: Path, sheet: str | None) -> pd.DataFrame:
    if not path.exists():
        raise InputError(f"Region table {path} not found.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path, sheet_name=sheet or 0)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            raw.decode(enc)
        except UnicodeDecodeError:
            continue
        import io

        return pd.read_csv(io.BytesIO(raw), encoding=enc)
    raise InputError(f"Region table {path} is neither UTF-8 nor GBK text; save it as UTF-8 CSV or Excel.")
