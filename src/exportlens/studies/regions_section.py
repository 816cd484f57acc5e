"""The ``[regions]`` section shared by the studies: provinces by default, or a user's region table.

Every study whose data are about regions (resilience, synergy, linkage, value added) declares
its regions once, by inheriting :class:`RegionsSection`: without ``[regions] table`` the
regions are the 31 provinces of the registry (any spelling resolves, the registry groupings
nbs4/belts3/drc8/coastal, tile maps); with it they are the rows of the user's region table
(prefecture-level cities, counties, another country's regions: code, name, longitude,
latitude, optional area and group columns; :meth:`exportlens.regions.RegionSet.from_table`),
data rows name a region by its code or its name, and the groupings are the table's group
columns (``[regions] grouping``).

The helpers here are what the studies share on top of it: the region set (read once per
table and cached), the groups of the study's grouping (one group "all regions" when a region
table has no group column named), the group labels in each language, and the region labels
in each language (provinces: short Chinese or English name; table regions: their name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Literal, TypeVar

import pandas as pd

from exportlens.errors import StudySpecError, UnknownRegionError
from exportlens.regions import RegionSet
from exportlens.report import RelabelledTable
from exportlens.studies.framework import StudySpec, exclude_provinces, study_field
from exportlens.text import localized, region_texts, region_wording

T = TypeVar("T")

__all__ = ["ALL_REGIONS", "RegionsSection"]

#: Group key of the single group used when a region table has no group column named.
ALL_REGIONS = "all"
_ALL_LABEL = {"zh": "全部地区", "en": "All regions"}


class RegionsSection(StudySpec):
    """Mixin of a study spec: the ``[regions]`` keys and the study's :class:`RegionSet`.

    ``class MyStudySpec(ProvinceYearSpec, RegionsSection)``; the section is listed in the
    template before ``[labels]`` (or last). ``region_grouping`` is the group column of the
    table used where the study groups regions (Table 5 of the resilience study, Table 4 of the
    synergy study, the region column of the linkage tables, the group rows of the value-added
    tables).
    """

    regions_table: str | None = study_field(
        None, section="regions", key="table", path=True, example="cities.csv",
        help="region table (CSV/Excel, one row per city or county: code, name, longitude, latitude, group columns); "
             "unset: the 31 provinces")
    regions_sheet: str | None = study_field(None, section="regions", key="sheet", example="Sheet1",
                                            help="Excel sheet of the region table")
    region_code: str = study_field("code", section="regions", key="code", help="region code column")
    region_name: str = study_field("name", section="regions", key="name", help="region name column")
    region_lon: str = study_field("lon", section="regions", key="longitude", help="longitude column (degrees)")
    region_lat: str = study_field("lat", section="regions", key="latitude", help="latitude column (degrees)")
    region_area: str | None = study_field(None, section="regions", key="area", example="area_km2",
                                          help='area column (km2), for [agglomeration] self_weight = "internal"')
    region_grouping: str | None = study_field(
        None, section="regions", key="grouping", example="province",
        help="group column of the region table for the group tables and figures (replaces the study's grouping)")
    region_level: Literal["region", "city", "county"] = study_field(
        "region", section="regions", key="level",
        help='what the regions of the table are, named so in titles, notes and reports: "region" (地区), '
             '"city" (城市) or "county" (县)')

    @classmethod
    def fields_by_section(cls) -> dict[str, dict[str, str]]:
        """As :meth:`StudySpec.fields_by_section`, with ``[regions]`` before ``[labels]`` (else last)."""
        sections = super().fields_by_section()
        regions = sections.pop("regions", None)
        if regions is None:
            return sections
        out: dict[str, dict[str, str]] = {}
        for name, keys in sections.items():
            if name == "labels":
                out["regions"] = regions
            out[name] = keys
        out.setdefault("regions", regions)
        return out

    @property
    def has_region_table(self) -> bool:
        """True when ``[regions] table`` names a region table (else: the province registry)."""
        return self.regions_table is not None

    def region_set(self) -> RegionSet:
        """The study's regions: the ``[regions]`` table, or the province registry."""
        if self.regions_table is None:
            return registry_regions()
        return table_regions(self.regions_table, self.regions_sheet, self.region_code, self.region_name,
                             self.region_lon, self.region_lat, self.region_area, self.region_grouping)

    def resolve_regions(self, frame: pd.DataFrame, column: str, exclude: Iterable[Any], notes: list[str], *,
                        what: str = "rows", exclude_key: str = "[data] exclude") -> pd.DataFrame:
        """``frame`` with a ``code`` column (the region of ``column`` in each row, resolved with the
        study's region set) and without the regions of ``exclude`` (a note counts the rows).

        Provinces resolve in any spelling and get their integer GB/T 2260 code; table regions by
        code or name, with the table's (text) code. A value that is no region raises
        :class:`~exportlens.errors.UnknownRegionError` listing the values and their rows.
        """
        exclude = list(exclude)
        out = frame.copy()
        regions = self.region_set()
        out["code"] = regions.resolve(out[column]).to_numpy()
        if regions.is_registry:
            out["code"] = out["code"].astype(int)
            return exclude_provinces(out, exclude, notes, what=what)
        if not exclude:
            return out
        try:
            excluded = set(regions.resolve(exclude, what=f"{exclude_key} region"))
        except UnknownRegionError as exc:
            raise StudySpecError(f"{exclude_key} = {exclude}: {exc} Fix the names in the study file.") from None
        kept = out[~out["code"].isin(excluded)].copy()
        notes.append(f"Excluded by the study file: {sorted(map(str, excluded))} ({len(out) - len(kept)} {what}).")
        return kept

    @property
    def region_words(self) -> str | None:
        """The :data:`~exportlens.text.REGION_LEVELS` key the texts use for the regions: None for
        the provinces (the default wording, unchanged), else ``[regions] level``."""
        return self.region_level if self.has_region_table else None

    def wording(self, table: Mapping[str, Mapping[str, T]], lang: str) -> Mapping[str, T]:
        """``localized(table, lang)`` with "province"/"省份" in its texts named as the study's regions."""
        return region_texts(localized(table, lang), self.region_words)

    def reword(self, text: str) -> str:
        """One text with "province"/"省份" named as the study's regions (the region names and group
        labels of a region table, the data's own words, are kept)."""
        if self.region_words is None or region_wording(text, self.region_words) == text:
            return text  # no province word (the common case): no need to protect the data's names
        regions = self.region_set()
        keep = [*regions.names, *(g for values in regions.groups.values() for g in values)]
        return region_wording(text, self.region_words, keep=keep)

    def reword_notes(self, notes: list[str]) -> list[str]:
        """``notes`` rewritten in place by :meth:`reword` (the same list, returned)."""
        if self.region_words is not None:
            notes[:] = [self.reword(n) for n in notes]
        return notes

    def reword_tables(self, tables: dict[str, Any]) -> dict[str, Any]:
        """The study's tables, shown with :meth:`reword` (unchanged for the provinces)."""
        if self.region_words is None:
            return tables
        return {name: RelabelledTable(table, self.reword) for name, table in tables.items()}

    def study_grouping(self, default: str) -> str | None:
        """The grouping a study groups regions by: ``[regions] grouping`` with a region table
        (None: no group column, one group of all regions), else the study's own key ``default``."""
        return self.region_grouping if self.has_region_table else default

    def region_groups(self, codes: Iterable[Any] | pd.Series, grouping_name: str | None) -> pd.Series:
        """Group key of each region code under ``grouping_name`` (see :meth:`study_grouping`)."""
        series = codes if isinstance(codes, pd.Series) else pd.Series(list(codes))
        if grouping_name is None:
            return pd.Series(ALL_REGIONS, index=series.index, dtype=object)
        return self.region_set().group(series, grouping_name)

    def group_labels(self, grouping_name: str | None, lang: str) -> dict[str, str]:
        """Group key -> label in ``lang``, in display order."""
        if grouping_name is None:
            return {ALL_REGIONS: _ALL_LABEL.get(lang, _ALL_LABEL["en"])}
        return self.region_set().group_labels(grouping_name, lang)

    def region_label(self, code: Any, lang: str) -> str:
        """Display label of a region code: a province's short name in ``lang``, a table region's name."""
        return self.region_set().label(code, lang)

    def region_labels(self, codes: Iterable[Any], lang: str) -> list[str]:
        """:meth:`region_label` of each code."""
        return [self.region_label(c, lang) for c in codes]


@lru_cache(maxsize=1)
def registry_regions() -> RegionSet:
    """The province registry as a region set (built once)."""
    return RegionSet.provinces()


@lru_cache(maxsize=8)
def table_regions(path: str, sheet: str | None, code: str, name: str, lon: str, lat: str, area: str | None,
                  group: str | None) -> RegionSet:
    """A region table read and validated once per set of ``[regions]`` keys."""
    return RegionSet.from_table(path, code=code, name=name, longitude=lon, latitude=lat, area=area, sheet=sheet,
                                groups=[group] if group else [], where="[regions] ")
