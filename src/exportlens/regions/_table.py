"""The province registry as plain data (no imports, so reading it costs nothing).

Codes follow GB/T 2260 (the six-digit administrative division codes). Capital-city
coordinates are WGS-84 decimal degrees of the city centre (government seat), rounded to
three decimals (about 100 m), which is far below the precision any distance-based
weight needs. Names of Hong Kong, Macao and Taiwan are registered so that user data
containing them is recognised, but they are outside the default set of 31 mainland
provincial-level divisions used by NBS panels.
"""

from __future__ import annotations

# code, full name (zh), short name (zh), English name, pinyin, capital (zh), capital (en),
# capital latitude, capital longitude, kind, extra aliases (English/pinyin variants)
PROVINCE_ROWS: tuple[tuple, ...] = (
    (110000, "北京市", "北京", "Beijing", "Beijing", "北京", "Beijing", 39.904, 116.407, "municipality", ("Peking", "Beijing Shi")),
    (120000, "天津市", "天津", "Tianjin", "Tianjin", "天津", "Tianjin", 39.085, 117.201, "municipality", ("Tientsin", "Tianjin Shi")),
    (130000, "河北省", "河北", "Hebei", "Hebei", "石家庄", "Shijiazhuang", 38.042, 114.515, "province", ("Hopeh", "Hebei Sheng")),
    (140000, "山西省", "山西", "Shanxi", "Shanxi", "太原", "Taiyuan", 37.870, 112.549, "province", ("Shansi", "Shanxi Sheng")),
    (150000, "内蒙古自治区", "内蒙古", "Inner Mongolia", "Neimenggu", "呼和浩特", "Hohhot", 40.842, 111.749, "autonomous region",
     ("Nei Mongol", "Nei Menggu", "Neimongol", "Inner Mongolia Autonomous Region", "Nei Mongol Autonomous Region", "Neimenggu Zizhiqu")),
    (210000, "辽宁省", "辽宁", "Liaoning", "Liaoning", "沈阳", "Shenyang", 41.806, 123.432, "province", ("Liaoning Sheng",)),
    (220000, "吉林省", "吉林", "Jilin", "Jilin", "长春", "Changchun", 43.817, 125.324, "province", ("Kirin", "Jilin Sheng")),
    (230000, "黑龙江省", "黑龙江", "Heilongjiang", "Heilongjiang", "哈尔滨", "Harbin", 45.803, 126.535, "province", ("Heilungkiang", "Heilongjiang Sheng")),
    (310000, "上海市", "上海", "Shanghai", "Shanghai", "上海", "Shanghai", 31.230, 121.474, "municipality", ("Shanghai Shi",)),
    (320000, "江苏省", "江苏", "Jiangsu", "Jiangsu", "南京", "Nanjing", 32.060, 118.797, "province", ("Kiangsu", "Jiangsu Sheng")),
    (330000, "浙江省", "浙江", "Zhejiang", "Zhejiang", "杭州", "Hangzhou", 30.274, 120.155, "province", ("Chekiang", "Zhejiang Sheng")),
    (340000, "安徽省", "安徽", "Anhui", "Anhui", "合肥", "Hefei", 31.821, 117.227, "province", ("Anhwei", "Anhui Sheng")),
    (350000, "福建省", "福建", "Fujian", "Fujian", "福州", "Fuzhou", 26.074, 119.296, "province", ("Fukien", "Fujian Sheng")),
    (360000, "江西省", "江西", "Jiangxi", "Jiangxi", "南昌", "Nanchang", 28.683, 115.858, "province", ("Kiangsi", "Jiangxi Sheng")),
    (370000, "山东省", "山东", "Shandong", "Shandong", "济南", "Jinan", 36.651, 117.120, "province", ("Shantung", "Shandong Sheng")),
    (410000, "河南省", "河南", "Henan", "Henan", "郑州", "Zhengzhou", 34.747, 113.625, "province", ("Honan", "Henan Sheng")),
    (420000, "湖北省", "湖北", "Hubei", "Hubei", "武汉", "Wuhan", 30.593, 114.305, "province", ("Hupeh", "Hubei Sheng")),
    (430000, "湖南省", "湖南", "Hunan", "Hunan", "长沙", "Changsha", 28.228, 112.939, "province", ("Hunan Sheng",)),
    (440000, "广东省", "广东", "Guangdong", "Guangdong", "广州", "Guangzhou", 23.129, 113.264, "province", ("Kwangtung", "Canton", "Guangdong Sheng")),
    (450000, "广西壮族自治区", "广西", "Guangxi", "Guangxi", "南宁", "Nanning", 22.817, 108.366, "autonomous region",
     ("Guangxi Zhuang", "Guangxi Zhuang Autonomous Region", "Kwangsi", "Guangxi Zhuangzu Zizhiqu")),
    (460000, "海南省", "海南", "Hainan", "Hainan", "海口", "Haikou", 20.044, 110.199, "province", ("Hainan Sheng",)),
    (500000, "重庆市", "重庆", "Chongqing", "Chongqing", "重庆", "Chongqing", 29.563, 106.551, "municipality", ("Chungking", "Chongqing Shi")),
    (510000, "四川省", "四川", "Sichuan", "Sichuan", "成都", "Chengdu", 30.573, 104.066, "province", ("Szechwan", "Szechuan", "Sichuan Sheng")),
    (520000, "贵州省", "贵州", "Guizhou", "Guizhou", "贵阳", "Guiyang", 26.647, 106.630, "province", ("Kweichow", "Guizhou Sheng")),
    (530000, "云南省", "云南", "Yunnan", "Yunnan", "昆明", "Kunming", 25.038, 102.718, "province", ("Yunnan Sheng",)),
    (540000, "西藏自治区", "西藏", "Tibet", "Xizang", "拉萨", "Lhasa", 29.652, 91.172, "autonomous region",
     ("Tibet Autonomous Region", "Xizang Autonomous Region", "Xizang Zizhiqu")),
    (610000, "陕西省", "陕西", "Shaanxi", "Shaanxi", "西安", "Xi'an", 34.341, 108.940, "province", ("Shensi", "Shaanxi Sheng")),
    (620000, "甘肃省", "甘肃", "Gansu", "Gansu", "兰州", "Lanzhou", 36.061, 103.834, "province", ("Kansu", "Gansu Sheng")),
    (630000, "青海省", "青海", "Qinghai", "Qinghai", "西宁", "Xining", 36.617, 101.778, "province", ("Tsinghai", "Qinghai Sheng")),
    (640000, "宁夏回族自治区", "宁夏", "Ningxia", "Ningxia", "银川", "Yinchuan", 38.487, 106.231, "autonomous region",
     ("Ningxia Hui", "Ningxia Hui Autonomous Region", "Ningsia", "Ningxia Huizu Zizhiqu")),
    (650000, "新疆维吾尔自治区", "新疆", "Xinjiang", "Xinjiang", "乌鲁木齐", "Urumqi", 43.825, 87.617, "autonomous region",
     ("Xinjiang Uygur", "Xinjiang Uyghur", "Xinjiang Uygur Autonomous Region", "Xinjiang Uyghur Autonomous Region", "Sinkiang", "Xinjiang Weiwu'er Zizhiqu")),
    (710000, "台湾省", "台湾", "Taiwan", "Taiwan", "台北", "Taipei", 25.033, 121.565, "province", ("Taiwan Province", "Chinese Taipei")),
    (810000, "香港特别行政区", "香港", "Hong Kong", "Xianggang", "香港", "Hong Kong", 22.320, 114.169, "SAR",
     ("Hong Kong SAR", "Hongkong", "HK", "HKSAR", "Hong Kong Special Administrative Region")),
    (820000, "澳门特别行政区", "澳门", "Macao", "Aomen", "澳门", "Macao", 22.199, 113.544, "SAR",
     ("Macau", "Macao SAR", "Macau SAR", "Macao Special Administrative Region")),
)

# Codes outside the default analysis set (NBS provincial panels cover the 31 mainland divisions).
NON_MAINLAND_CODES: frozenset[int] = frozenset({710000, 810000, 820000})

# Traditional -> simplified characters that occur in province and capital names. A full
# converter (OpenCC) would be a heavy dependency for ~30 characters.
TRADITIONAL_TO_SIMPLIFIED: dict[str, str] = {
    "內": "内", "區": "区", "遼": "辽", "龍": "龙", "蘇": "苏", "東": "东", "廣": "广",
    "壯": "壮", "慶": "庆", "貴": "贵", "雲": "云", "陝": "陕", "肅": "肃", "寧": "宁",
    "維": "维", "爾": "尔", "灣": "湾", "臺": "台", "門": "门", "別": "别", "異": "异",
    "爲": "为", "華": "华", "盧": "卢", "滬": "沪", "晉": "晋",
    "閩": "闽", "贛": "赣", "魯": "鲁", "粵": "粤",
    "瓊": "琼", "隴": "陇",
    "陽": "阳", "長": "长", "濟": "济", "鄭": "郑", "漢": "汉", "蘭": "兰",
    "銀": "银", "烏": "乌", "齊": "齐", "壩": "坝", "薩": "萨", "廈": "厦",
}

# One-character abbreviations (简称) used in tables and maps.
ABBREVIATIONS: dict[int, str] = {
    110000: "京", 120000: "津", 130000: "冀", 140000: "晋", 150000: "蒙", 210000: "辽",
    220000: "吉", 230000: "黑", 310000: "沪", 320000: "苏", 330000: "浙", 340000: "皖",
    350000: "闽", 360000: "赣", 370000: "鲁", 410000: "豫", 420000: "鄂", 430000: "湘",
    440000: "粤", 450000: "桂", 460000: "琼", 500000: "渝", 510000: "川", 520000: "贵",
    530000: "云", 540000: "藏", 610000: "陕", 620000: "甘", 630000: "青", 640000: "宁",
    650000: "新", 710000: "台", 810000: "港", 820000: "澳",
}

# Land area in 10,000 km² (approximate, rounded official figures); used for the internal
# distance d_ii = (2/3)·sqrt(area/π) of spatial weights.
AREA_10K_KM2: dict[int, float] = {
    110000: 1.64, 120000: 1.20, 130000: 18.88, 140000: 15.67, 150000: 118.3,
    210000: 14.8, 220000: 18.74, 230000: 47.3, 310000: 0.63, 320000: 10.72,
    330000: 10.55, 340000: 14.01, 350000: 12.4, 360000: 16.69, 370000: 15.58,
    410000: 16.7, 420000: 18.59, 430000: 21.18, 440000: 17.97, 450000: 23.76,
    460000: 3.54, 500000: 8.24, 510000: 48.6, 520000: 17.62, 530000: 39.41,
    540000: 122.8, 610000: 20.56, 620000: 42.58, 630000: 72.23, 640000: 6.64,
    650000: 166.49, 710000: 3.6, 810000: 0.11, 820000: 0.003,
}
