"""Great-circle distances between provincial capitals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from exportlens.errors import InputError
from exportlens.regions.registry import province_codes, resolve_province

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EARTH_RADIUS_KM",
    "distance_matrix",
    "haversine_km",
    "internal_distance",
    "unit_divisor",
]

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius R1

DistanceUnit = Literal["km", "100km", "1000km"]
_UNIT_DIVISOR = {"km": 1.0, "100km": 100.0, "1000km": 1000.0}


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any, radius_km: float = EARTH_RADIUS_KM) -> np.ndarray:
    """Great-circle distance in km by the haversine formula (broadcasts over arrays).

    d = 2 R arcsin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) ),
    φ latitude, λ longitude in radians, R the mean Earth radius (6371.0088 km).

    Reference: Sinnott, R. W. (1984), "Virtues of the Haversine", Sky and Telescope 68(2):159.

    Examples
    --------
    >>> from exportlens.regions import haversine_km
    >>> round(float(haversine_km(39.904, 116.407, 31.230, 121.474)), 1)  # Beijing - Shanghai
    1067.4
    >>> round(float(haversine_km(0, 0, 0, 90)), 2)  # a quarter of the equator = pi R / 2
    10007.56
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * radius_km * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def unit_divisor(unit: str) -> float:
    """Kilometres per distance unit; raises on an unknown unit.

    Examples
    --------
    >>> from exportlens.regions import unit_divisor
    >>> unit_divisor("km"), unit_divisor("100km"), unit_divisor("1000km")
    (1.0, 100.0, 1000.0)
    >>> unit_divisor("mile")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Unknown distance unit 'mile'; use one of ['km', '100km', '1000km'].
    """
    try:
        return _UNIT_DIVISOR[unit]
    except KeyError:
        raise InputError(f"Unknown distance unit {unit!r}; use one of {list(_UNIT_DIVISOR)}.") from None


def distance_matrix(
    provinces: Iterable[Any] | None = None,
    *,
    unit: DistanceUnit,
    labels: Literal["code", "short_zh", "name_en"] = "code",
) -> pd.DataFrame:
    """Great-circle distance matrix between provincial capitals.

    ``unit`` is required on purpose: distance-decay weights d^-θ change meaning with the
    unit (see :func:`exportlens.measures.virtual_agglomeration`). ``provinces`` is any list
    the registry resolves (default: the 31 mainland provinces in code order).

    Examples
    --------
    >>> from exportlens.regions import distance_matrix
    >>> distance_matrix(["北京", "上海", "广东"], unit="100km", labels="short_zh").round(2)
    destination     北京     上海     广东
    origin
    北京           0.00  10.67  18.89
    上海          10.67   0.00  12.12
    广东          18.89  12.12   0.00
    """
    import pandas as pd

    div = unit_divisor(unit)
    items = [resolve_province(p) for p in (provinces if provinces is not None else province_codes())]
    lat = np.array([p.capital_lat for p in items])
    lon = np.array([p.capital_lon for p in items])
    d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) / div
    np.fill_diagonal(d, 0.0)
    names = [getattr(p, labels) for p in items]
    return pd.DataFrame(d, index=pd.Index(names, name="origin"), columns=pd.Index(names, name="destination"))


def internal_distance(provinces: Iterable[Any] | None = None, *, unit: DistanceUnit) -> pd.Series:
    """Internal distance d_ii = (2/3)·sqrt(area_i/π) of each province, in ``unit``.

    The radius-based approximation of the average distance within a disc of the
    province's area (Head & Mayer 2002, "Illusory border effects", CEPII WP 2002-01).
    Used instead of a self weight of 1 in distance-decay spatial weights.

    Examples
    --------
    >>> import math
    >>> from exportlens.regions import internal_distance
    >>> d = internal_distance(["北京", "上海"], unit="km")
    >>> d.round(2).tolist()
    [48.17, 29.85]
    >>> round(2 / 3 * math.sqrt(16400 / math.pi), 2)  # Beijing: 1.64 (10^4 km²)
    48.17
    """
    import pandas as pd

    div = unit_divisor(unit)
    items = [resolve_province(p) for p in (provinces if provinces is not None else province_codes())]
    vals = [(2.0 / 3.0) * np.sqrt(p.area_10k_km2 * 1e4 / np.pi) / div for p in items]
    return pd.Series(vals, index=pd.Index([p.code for p in items], name="code"), name=f"internal_distance_{unit}")
