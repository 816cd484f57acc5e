"""Tile-grid layout of China's provinces: one square per province at its approximate position.

A tile-grid map trades geographic accuracy for equal visual weight: every province gets one
square of the same size, placed so that neighbours stay roughly neighbours (the layout used by
the province choropleths and the LISA cluster maps of :mod:`exportlens.report`). Rows count
from the top (north), columns from the left (west). Hong Kong, Macao and Taiwan have tiles
too; maps leave them out unless asked.

Known compromises (no grid can keep every border): Xinjiang touches Qinghai but not Tibet's
tile; Yunnan sits under Chongqing instead of under Sichuan; Hainan sits below the Guangxi /
Guangdong line, as an island.
"""

from __future__ import annotations

__all__ = [
    "NON_MAINLAND_CODES",
    "TILE_POSITIONS",
    "tile_positions",
]

# GB/T 2260 code -> (row, column)
TILE_POSITIONS: dict[int, tuple[int, int]] = {
    230000: (0, 7),  # 黑龙江
    150000: (1, 4),  # 内蒙古
    110000: (1, 5),  # 北京
    120000: (1, 6),  # 天津
    220000: (1, 7),  # 吉林
    650000: (2, 1),  # 新疆
    630000: (2, 2),  # 青海
    620000: (2, 3),  # 甘肃
    640000: (2, 4),  # 宁夏
    140000: (2, 5),  # 山西
    130000: (2, 6),  # 河北
    210000: (2, 7),  # 辽宁
    540000: (3, 2),  # 西藏
    510000: (3, 3),  # 四川
    610000: (3, 4),  # 陕西
    410000: (3, 5),  # 河南
    370000: (3, 6),  # 山东
    500000: (4, 3),  # 重庆
    420000: (4, 4),  # 湖北
    340000: (4, 5),  # 安徽
    320000: (4, 6),  # 江苏
    310000: (4, 7),  # 上海
    530000: (5, 2),  # 云南
    520000: (5, 3),  # 贵州
    430000: (5, 4),  # 湖南
    360000: (5, 5),  # 江西
    330000: (5, 6),  # 浙江
    450000: (6, 3),  # 广西
    440000: (6, 4),  # 广东
    350000: (6, 5),  # 福建
    710000: (6, 7),  # 台湾
    460000: (7, 3),  # 海南
    820000: (7, 4),  # 澳门
    810000: (7, 5),  # 香港
}

NON_MAINLAND_CODES: frozenset[int] = frozenset({710000, 810000, 820000})


def tile_positions(*, include_non_mainland: bool = False) -> dict[int, tuple[int, int]]:
    """Tile (row, column) of each province code; the 31 mainland provinces by default.

    Examples
    --------
    >>> from exportlens.regions import tile_positions
    >>> tiles = tile_positions()
    >>> len(tiles), tiles[110000], len(tile_positions(include_non_mainland=True))
    (31, (1, 5), 34)
    """
    return {c: rc for c, rc in TILE_POSITIONS.items() if include_non_mainland or c not in NON_MAINLAND_CODES}
