"""Region registry: provinces, name matching, groupings, distances."""

from exportlens.regions.distance import (
    EARTH_RADIUS_KM,
    distance_matrix,
    haversine_km,
    internal_distance,
)
from exportlens.regions.groupings import Grouping, assign_group, grouping, list_groupings
from exportlens.regions.registry import (
    Province,
    closest_provinces,
    is_national_total,
    province_codes,
    province_label,
    provinces,
    registry_frame,
    resolve_province,
    resolve_provinces,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "Grouping",
    "Province",
    "assign_group",
    "closest_provinces",
    "distance_matrix",
    "grouping",
    "haversine_km",
    "internal_distance",
    "is_national_total",
    "list_groupings",
    "province_codes",
    "province_label",
    "provinces",
    "registry_frame",
    "resolve_province",
    "resolve_provinces",
]
