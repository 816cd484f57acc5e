"""Named, documented classifications of the 31 mainland provinces.

Each grouping maps a GB/T 2260 code to a group key; groups carry Chinese and English
labels and a fixed display order. Hong Kong, Macao and Taiwan belong to no grouping.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exportlens.errors import InputError
from exportlens.regions.registry import resolve_provinces

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Grouping",
    "assign_group",
    "grouping",
    "list_groupings",
]


@dataclass(frozen=True)
class Grouping:
    """A classification of provinces into ordered, labelled groups.

    Examples
    --------
    >>> from exportlens.regions import grouping
    >>> g = grouping("nbs4")
    >>> g.title_en, g.order
    ('Four regions (NBS)', ['east', 'central', 'west', 'northeast'])
    >>> g.group_of(440000), g.label("east", "zh"), g.label("east", "en"), len(g.mapping())
    ('east', '东部', 'East', 31)
    """

    name: str
    title_zh: str
    title_en: str
    reference: str
    groups: tuple[tuple[str, str, str], ...]  # (key, label_zh, label_en) in display order
    members: dict[str, tuple[int, ...]] = field(repr=False)

    @property
    def order(self) -> list[str]:
        return [g[0] for g in self.groups]

    def label(self, key: str, lang: str = "zh") -> str:
        for k, zh, en in self.groups:
            if k == key:
                return zh if lang == "zh" else en
        raise InputError(f"Grouping {self.name!r} has no group {key!r}; groups are {self.order}.")

    def group_of(self, code: int) -> str:
        for key, codes in self.members.items():
            if code in codes:
                return key
        raise InputError(f"Province code {code} is not classified by grouping {self.name!r} (only the 31 mainland provinces are).")

    def mapping(self) -> dict[int, str]:
        return {c: k for k, codes in self.members.items() for c in codes}


_NBS4 = Grouping(
    name="nbs4",
    title_zh="四大区域（国家统计局）",
    title_en="Four regions (NBS)",
    reference="国家统计局《东西中部和东北地区划分方法》(2011): 东部10省市, 中部6省, 西部12省区市, 东北3省.",
    groups=(("east", "东部", "East"), ("central", "中部", "Central"), ("west", "西部", "West"), ("northeast", "东北", "Northeast")),
    members={
        "east": (110000, 120000, 130000, 310000, 320000, 330000, 350000, 370000, 440000, 460000),
        "central": (140000, 340000, 360000, 410000, 420000, 430000),
        "west": (150000, 450000, 500000, 510000, 520000, 530000, 540000, 610000, 620000, 630000, 640000, 650000),
        "northeast": (210000, 220000, 230000),
    },
)

_BELTS3 = Grouping(
    name="belts3",
    title_zh="三大地带（东中西）",
    title_en="Three belts (east/central/west)",
    reference="Seventh Five-Year Plan (1986) division as adjusted by the Western Development strategy "
    "(2000), which moved Inner Mongolia and Guangxi to the west: 东部11, 中部8, 西部12.",
    groups=(("east", "东部", "East"), ("central", "中部", "Central"), ("west", "西部", "West")),
    members={
        "east": (110000, 120000, 130000, 210000, 310000, 320000, 330000, 350000, 370000, 440000, 460000),
        "central": (140000, 220000, 230000, 340000, 360000, 410000, 420000, 430000),
        "west": (150000, 450000, 500000, 510000, 520000, 530000, 540000, 610000, 620000, 630000, 640000, 650000),
    },
)

_DRC8 = Grouping(
    name="drc8",
    title_zh="八大综合经济区（国务院发展研究中心）",
    title_en="Eight comprehensive economic regions (DRC)",
    reference="Development Research Center of the State Council (2005), 《地区协调发展的战略和政策》.",
    groups=(
        ("northeast", "东北", "Northeast"),
        ("north_coast", "北部沿海", "Northern coast"),
        ("east_coast", "东部沿海", "Eastern coast"),
        ("south_coast", "南部沿海", "Southern coast"),
        ("yellow_river", "黄河中游", "Middle Yellow River"),
        ("yangtze_river", "长江中游", "Middle Yangtze River"),
        ("southwest", "西南", "Southwest"),
        ("northwest", "西北", "Northwest"),
    ),
    members={
        "northeast": (210000, 220000, 230000),
        "north_coast": (110000, 120000, 130000, 370000),
        "east_coast": (310000, 320000, 330000),
        "south_coast": (350000, 440000, 460000),
        "yellow_river": (140000, 150000, 410000, 610000),
        "yangtze_river": (340000, 360000, 420000, 430000),
        "southwest": (450000, 500000, 510000, 520000, 530000),
        "northwest": (540000, 620000, 630000, 640000, 650000),
    },
)

_COASTAL = Grouping(
    name="coastal",
    title_zh="沿海与内陆",
    title_en="Coastal vs inland",
    reference="The 11 provincial-level divisions with a sea coastline (天津, 河北, 辽宁, 上海, 江苏, 浙江, "
    "福建, 山东, 广东, 广西, 海南); all others inland.",
    groups=(("coastal", "沿海", "Coastal"), ("inland", "内陆", "Inland")),
    members={
        "coastal": (120000, 130000, 210000, 310000, 320000, 330000, 350000, 370000, 440000, 450000, 460000),
        "inland": (110000, 140000, 150000, 220000, 230000, 340000, 360000, 410000, 420000, 430000,
                   500000, 510000, 520000, 530000, 540000, 610000, 620000, 630000, 640000, 650000),
    },
)

_GROUPINGS = {g.name: g for g in (_NBS4, _BELTS3, _DRC8, _COASTAL)}


def list_groupings() -> list[Grouping]:
    """All built-in groupings.

    Examples
    --------
    >>> from exportlens.regions import list_groupings
    >>> [g.name for g in list_groupings()]
    ['nbs4', 'belts3', 'drc8', 'coastal']
    """
    return list(_GROUPINGS.values())


def grouping(name: str) -> Grouping:
    """A built-in grouping by name: ``nbs4``, ``belts3``, ``drc8`` or ``coastal``.

    Examples
    --------
    >>> from exportlens.regions import grouping
    >>> g = grouping("coastal")
    >>> g.title_zh, [len(g.members[k]) for k in g.order]
    ('沿海与内陆', [11, 20])
    >>> grouping("nbs5")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Unknown grouping 'nbs5'; available: nbs4, belts3, drc8, coastal.
    """
    try:
        return _GROUPINGS[name]
    except KeyError:
        raise InputError(f"Unknown grouping {name!r}; available: {', '.join(_GROUPINGS)}.") from None


def assign_group(values: Iterable[Any] | pd.Series, name: str, lang: str | None = None) -> pd.Series:
    """Group of each province in ``values`` (any spelling the registry resolves).

    Returns group keys, or labels in ``lang`` ("zh"/"en") when given. Provinces outside
    the grouping (Hong Kong, Macao, Taiwan) raise :class:`InputError` naming them.

    Examples
    --------
    >>> from exportlens.regions import assign_group
    >>> assign_group(["广东", "Sichuan", "辽宁"], "nbs4").tolist()
    ['east', 'west', 'northeast']
    >>> assign_group(["广东", "Sichuan", "辽宁"], "nbs4", lang="zh").tolist()
    ['东部', '西部', '东北']
    """
    import pandas as pd

    g = grouping(name)
    codes = resolve_provinces(values)
    mapping = g.mapping()
    unclassified = sorted({int(c) for c in codes.dropna() if int(c) not in mapping})
    if unclassified:
        raise InputError(f"Grouping {name!r} does not classify province code(s) {unclassified}.")
    keys = codes.map(lambda c: mapping[int(c)])
    if lang is not None:
        keys = keys.map(lambda k: g.label(k, lang))
    index = values.index if isinstance(values, pd.Series) else None
    return pd.Series(keys.to_numpy(), index=index, name=name)
