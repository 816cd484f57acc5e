"""Region registry: provinces, Belt-and-Road countries, name matching, groupings, distances."""

from exportlens.regions.countries import (
    SUBREGIONS,
    Country,
    Subregion,
    assign_subregion,
    belt_and_road_countries,
    closest_countries,
    country_frame,
    country_label,
    resolve_countries,
    resolve_country,
    subregion,
    subregions,
)
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
from exportlens.regions.tile_grid import TILE_POSITIONS, tile_positions

__all__ = [
    "EARTH_RADIUS_KM",
    "SUBREGIONS",
    "TILE_POSITIONS",
    "Country",
    "Grouping",
    "Province",
    "Subregion",
    "assign_group",
    "assign_subregion",
    "belt_and_road_countries",
    "closest_countries",
    "closest_provinces",
    "country_frame",
    "country_label",
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
    "resolve_countries",
    "resolve_country",
    "resolve_province",
    "resolve_provinces",
    "subregion",
    "subregions",
    "tile_positions",
]
