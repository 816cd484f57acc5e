"""Land borders of China's 31 mainland provinces (first-order contiguity, GB/T 2260 codes).

The table lists, for each of the 31 mainland provinces, the provinces it shares a land
border with (rook/queen contiguity coincide at this scale: no two provinces meet in a single
point only). Borders with Hong Kong and Macao (Guangdong) and international borders are not
listed: the table describes the 31 mainland provinces only. It is stored once per unordered
pair (:data:`LAND_BORDERS`), so the adjacency built from it is symmetric by construction.

Hainan (460000) borders no province by land. A contiguity matrix that leaves it isolated has
an empty row, which row standardisation cannot fix and which makes the spatial lag of Hainan
zero in every model. The usual convention in the literature (and the default of
:func:`exportlens.spatial.contiguity_weights`) links Hainan to Guangdong (440000) across the
Qiongzhou Strait, the shortest sea link and the province Hainan belonged to until 1988;
``hainan="guangdong_guangxi"`` also links it to Guangxi (the Beibu Gulf), and
``hainan="isolated"`` leaves it without neighbours (models that need every row non-empty then
raise :class:`exportlens.errors.IslandRegionError`).

Source: compiled by hand from the provincial boundaries on the standard map of China
(Ministry of Natural Resources, 标准地图服务); 68 land borders. Queen contiguity on a
province polygon file gives the same pairs (and leaves Hainan isolated). Check it against
your own boundary file if your study uses another regional division.
"""

from __future__ import annotations

#: Unordered pairs of mainland provinces sharing a land border (GB/T 2260 codes), 1 per pair.
LAND_BORDERS: tuple[tuple[int, int], ...] = (
    (110000, 120000), (110000, 130000),                                           # 北京: 天津 河北
    (120000, 130000),                                                             # 天津: 河北
    (130000, 140000), (130000, 150000), (130000, 210000), (130000, 370000),       # 河北: 山西 内蒙古 辽宁 山东
    (130000, 410000),                                                             # 河北: 河南
    (140000, 150000), (140000, 410000), (140000, 610000),                         # 山西: 内蒙古 河南 陕西
    (150000, 210000), (150000, 220000), (150000, 230000), (150000, 610000),       # 内蒙古: 辽宁 吉林 黑龙江 陕西
    (150000, 620000), (150000, 640000),                                           # 内蒙古: 甘肃 宁夏
    (210000, 220000),                                                             # 辽宁: 吉林
    (220000, 230000),                                                             # 吉林: 黑龙江
    (310000, 320000), (310000, 330000),                                           # 上海: 江苏 浙江
    (320000, 330000), (320000, 340000), (320000, 370000),                         # 江苏: 浙江 安徽 山东
    (330000, 340000), (330000, 350000), (330000, 360000),                         # 浙江: 安徽 福建 江西
    (340000, 360000), (340000, 370000), (340000, 410000), (340000, 420000),       # 安徽: 江西 山东 河南 湖北
    (350000, 360000), (350000, 440000),                                           # 福建: 江西 广东
    (360000, 420000), (360000, 430000), (360000, 440000),                         # 江西: 湖北 湖南 广东
    (370000, 410000),                                                             # 山东: 河南
    (410000, 420000), (410000, 610000),                                           # 河南: 湖北 陕西
    (420000, 430000), (420000, 500000), (420000, 610000),                         # 湖北: 湖南 重庆 陕西
    (430000, 440000), (430000, 450000), (430000, 500000), (430000, 520000),       # 湖南: 广东 广西 重庆 贵州
    (440000, 450000),                                                             # 广东: 广西
    (450000, 520000), (450000, 530000),                                           # 广西: 贵州 云南
    (500000, 510000), (500000, 520000), (500000, 610000),                         # 重庆: 四川 贵州 陕西
    (510000, 520000), (510000, 530000), (510000, 540000), (510000, 610000),       # 四川: 贵州 云南 西藏 陕西
    (510000, 620000), (510000, 630000),                                           # 四川: 甘肃 青海
    (520000, 530000),                                                             # 贵州: 云南
    (530000, 540000),                                                             # 云南: 西藏
    (540000, 630000), (540000, 650000),                                           # 西藏: 青海 新疆
    (610000, 620000), (610000, 640000),                                           # 陕西: 甘肃 宁夏
    (620000, 630000), (620000, 640000), (620000, 650000),                         # 甘肃: 青海 宁夏 新疆
    (630000, 650000),                                                             # 青海: 新疆
)

HAINAN = 460000
GUANGDONG = 440000
GUANGXI = 450000

#: Sea links added for Hainan under each convention of :func:`contiguity_weights`.
HAINAN_CONVENTIONS: dict[str, tuple[tuple[int, int], ...]] = {
    "guangdong": ((GUANGDONG, HAINAN),),
    "guangdong_guangxi": ((GUANGDONG, HAINAN), (GUANGXI, HAINAN)),
    "isolated": (),
}


def border_pairs(hainan: str = "guangdong") -> tuple[tuple[int, int], ...]:
    """Land borders plus the sea link(s) of Hainan under ``hainan`` (see module docstring)."""
    from exportlens.errors import SpatialWeightsError

    if hainan not in HAINAN_CONVENTIONS:
        raise SpatialWeightsError(f"Unknown Hainan convention {hainan!r}; use one of {list(HAINAN_CONVENTIONS)}.")
    return LAND_BORDERS + HAINAN_CONVENTIONS[hainan]


def neighbours(hainan: str = "guangdong") -> dict[int, list[int]]:
    """Province code -> sorted codes of its neighbours (31 mainland provinces)."""
    from exportlens.regions import province_codes

    adj: dict[int, set[int]] = {c: set() for c in province_codes()}
    for a, b in border_pairs(hainan):
        adj[a].add(b)
        adj[b].add(a)
    return {c: sorted(v) for c, v in adj.items()}
