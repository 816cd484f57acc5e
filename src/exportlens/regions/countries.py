"""Registry of the 63 Belt-and-Road partner countries used by provincial linkage studies.

Each country has its ISO 3166-1 alpha-3 and alpha-2 codes, Chinese and English names,
the capital (with approximate coordinates, for distances) and one of the seven
subregions of the published linkage study:

=============  ==========================  =========================================
code           中文                        countries
=============  ==========================  =========================================
mongolia       蒙古                        Mongolia (1)
asean          东盟                        the 10 ASEAN members
west_asia      西亚                        16, including Egypt and Greece
south_asia     南亚                        8
central_asia   中亚                        5
cis            独联体                      Georgia, Armenia, Azerbaijan, Belarus,
                                           Moldova, Russia, Ukraine (7)
cee            中东欧                      16 Central and Eastern European countries
=============  ==========================  =========================================

:func:`resolve_country` accepts ISO3/ISO2 codes, Chinese names (simplified and
traditional, short forms such as 沙特, 阿联酋, 波黑), English names and the variants of
the World Bank, UN and IMF lists ("Viet Nam", "Lao PDR", "Iran, Islamic Rep.",
"Russian Federation", "Kyrgyz Republic", "Türkiye", "Czech Republic" ...), ignoring case,
accents, punctuation and spacing. :func:`resolve_countries` resolves a whole column and
reports every unknown value at once.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import pandas as pd

from exportlens.errors import AmbiguousRegionError, UnknownRegionError
from exportlens.regions._table import TRADITIONAL_TO_SIMPLIFIED
from exportlens.validation import LIST_LIMIT, format_list, row_refs

__all__ = [
    "SUBREGIONS",
    "Country",
    "Subregion",
    "alias_index",
    "assign_subregion",
    "belt_and_road_countries",
    "closest_countries",
    "country_frame",
    "country_label",
    "resolve_countries",
    "resolve_country",
    "subregion",
    "subregions",
]

CountryField = Literal[
    "iso3", "iso2", "name_zh", "name_en", "subregion", "subregion_zh", "subregion_en", "country"
]


@dataclass(frozen=True)
class Subregion:
    """One of the seven subregions of the linkage study.

    Examples
    --------
    >>> from exportlens.regions import subregion
    >>> s = subregion("东盟")
    >>> s.code, s.name_zh, s.name_en, s.label("en")
    ('asean', '东盟', 'ASEAN', 'ASEAN')
    """

    code: str
    name_zh: str
    name_en: str

    def label(self, lang: str = "zh") -> str:
        return self.name_zh if lang == "zh" else self.name_en


SUBREGIONS: tuple[Subregion, ...] = (
    Subregion("mongolia", "蒙古", "Mongolia"),
    Subregion("asean", "东盟", "ASEAN"),
    Subregion("west_asia", "西亚", "West Asia"),
    Subregion("south_asia", "南亚", "South Asia"),
    Subregion("central_asia", "中亚", "Central Asia"),
    Subregion("cis", "独联体", "CIS"),
    Subregion("cee", "中东欧", "Central and Eastern Europe"),
)


@dataclass(frozen=True)
class Country:
    """One Belt-and-Road country of the registry.

    Examples
    --------
    >>> from exportlens.regions import resolve_country
    >>> c = resolve_country("Viet Nam")
    >>> c.iso3, c.iso2, c.name_zh, c.name_en, c.subregion, c.capital_en
    ('VNM', 'VN', '越南', 'Vietnam', 'asean', 'Hanoi')
    >>> c.label("zh"), c.subregion_zh, c.subregion_en
    ('越南', '东盟', 'ASEAN')
    """

    iso3: str
    iso2: str
    name_zh: str
    name_en: str
    subregion: str
    capital_en: str
    capital_lat: float
    capital_lon: float
    aliases: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        """``越南`` (zh) or ``Vietnam`` (en)."""
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def subregion_zh(self) -> str:
        return _lookup_subregion(self.subregion).name_zh

    @property
    def subregion_en(self) -> str:
        return _lookup_subregion(self.subregion).name_en


# iso3, iso2, 中文 (simplified), English, capital, lat, lon, aliases (traditional Chinese,
# short Chinese forms, English variants of the World Bank / UN / IMF lists).
_ROWS: dict[str, list[tuple[str, str, str, str, str, float, float, tuple[str, ...]]]] = {
    "mongolia": [
        ("MNG", "MN", "蒙古", "Mongolia", "Ulaanbaatar", 47.92, 106.92, ("蒙古国", "蒙古國")),
    ],
    "asean": [
        ("BRN", "BN", "文莱", "Brunei", "Bandar Seri Begawan", 4.94, 114.95,
         ("汶萊", "汶莱", "文萊", "Brunei Darussalam")),
        ("MMR", "MM", "缅甸", "Myanmar", "Naypyidaw", 19.76, 96.08, ("緬甸", "Burma")),
        ("KHM", "KH", "柬埔寨", "Cambodia", "Phnom Penh", 11.56, 104.92, ("Kampuchea",)),
        ("IDN", "ID", "印度尼西亚", "Indonesia", "Jakarta", -6.21, 106.85, ("印度尼西亞", "印尼")),
        ("LAO", "LA", "老挝", "Laos", "Vientiane", 17.97, 102.63,
         ("寮國", "老撾", "Lao PDR", "Lao People's Democratic Republic", "Lao")),
        ("MYS", "MY", "马来西亚", "Malaysia", "Kuala Lumpur", 3.14, 101.69, ("馬來西亞", "大马")),
        ("PHL", "PH", "菲律宾", "Philippines", "Manila", 14.60, 120.98, ("菲律賓",)),
        ("SGP", "SG", "新加坡", "Singapore", "Singapore", 1.29, 103.85, ()),
        ("THA", "TH", "泰国", "Thailand", "Bangkok", 13.76, 100.50, ("泰國",)),
        ("VNM", "VN", "越南", "Vietnam", "Hanoi", 21.03, 105.85, ("Viet Nam", "Socialist Republic of Vietnam")),
    ],
    "west_asia": [
        ("BHR", "BH", "巴林", "Bahrain", "Manama", 26.23, 50.59, ()),
        ("CYP", "CY", "塞浦路斯", "Cyprus", "Nicosia", 35.17, 33.36, ("賽普勒斯",)),
        ("IRN", "IR", "伊朗", "Iran", "Tehran", 35.69, 51.39,
         ("Iran, Islamic Rep.", "Islamic Republic of Iran", "Iran (Islamic Republic of)")),
        ("IRQ", "IQ", "伊拉克", "Iraq", "Baghdad", 33.31, 44.36, ()),
        ("ISR", "IL", "以色列", "Israel", "Jerusalem", 31.77, 35.21, ()),
        ("JOR", "JO", "约旦", "Jordan", "Amman", 31.95, 35.93, ("約旦",)),
        ("KWT", "KW", "科威特", "Kuwait", "Kuwait City", 29.38, 47.99, ()),
        ("LBN", "LB", "黎巴嫩", "Lebanon", "Beirut", 33.89, 35.50, ()),
        ("OMN", "OM", "阿曼", "Oman", "Muscat", 23.59, 58.41, ()),
        ("QAT", "QA", "卡塔尔", "Qatar", "Doha", 25.29, 51.53, ("卡塔爾", "卡達")),
        ("SAU", "SA", "沙特阿拉伯", "Saudi Arabia", "Riyadh", 24.71, 46.68,
         ("沙特", "沙烏地阿拉伯", "沙烏地", "Kingdom of Saudi Arabia")),
        ("TUR", "TR", "土耳其", "Turkey", "Ankara", 39.93, 32.86, ("Turkiye", "Türkiye")),
        ("ARE", "AE", "阿联酋", "United Arab Emirates", "Abu Dhabi", 24.45, 54.38,
         ("阿拉伯联合酋长国", "阿拉伯聯合大公國", "阿聯酋", "UAE", "U.A.E.", "Emirates")),
        ("YEM", "YE", "也门", "Yemen", "Sanaa", 15.37, 44.19,
         ("葉門", "也門", "Yemen, Rep.", "Republic of Yemen")),
        ("EGY", "EG", "埃及", "Egypt", "Cairo", 30.04, 31.24, ("Egypt, Arab Rep.", "Arab Republic of Egypt")),
        ("GRC", "GR", "希腊", "Greece", "Athens", 37.98, 23.73, ("希臘", "Hellenic Republic")),
    ],
    "south_asia": [
        ("AFG", "AF", "阿富汗", "Afghanistan", "Kabul", 34.56, 69.21, ()),
        ("BGD", "BD", "孟加拉国", "Bangladesh", "Dhaka", 23.81, 90.41, ("孟加拉", "孟加拉國")),
        ("BTN", "BT", "不丹", "Bhutan", "Thimphu", 27.47, 89.64, ()),
        ("IND", "IN", "印度", "India", "New Delhi", 28.61, 77.21, ()),
        ("MDV", "MV", "马尔代夫", "Maldives", "Male", 4.18, 73.51, ("馬爾地夫", "馬爾代夫")),
        ("LKA", "LK", "斯里兰卡", "Sri Lanka", "Colombo", 6.93, 79.85, ("斯里蘭卡", "Ceylon")),
        ("NPL", "NP", "尼泊尔", "Nepal", "Kathmandu", 27.72, 85.32, ("尼泊爾",)),
        ("PAK", "PK", "巴基斯坦", "Pakistan", "Islamabad", 33.68, 73.05, ()),
    ],
    "central_asia": [
        ("KAZ", "KZ", "哈萨克斯坦", "Kazakhstan", "Astana", 51.17, 71.45, ("哈薩克", "哈薩克斯坦")),
        ("KGZ", "KG", "吉尔吉斯斯坦", "Kyrgyzstan", "Bishkek", 42.87, 74.59,
         ("吉爾吉斯", "吉爾吉斯斯坦", "吉尔吉斯", "Kyrgyz Republic", "Kirghizia")),
        ("TJK", "TJ", "塔吉克斯坦", "Tajikistan", "Dushanbe", 38.56, 68.79, ("塔吉克",)),
        ("TKM", "TM", "土库曼斯坦", "Turkmenistan", "Ashgabat", 37.96, 58.33, ("土庫曼", "土庫曼斯坦")),
        ("UZB", "UZ", "乌兹别克斯坦", "Uzbekistan", "Tashkent", 41.30, 69.24,
         ("烏茲別克", "烏茲別克斯坦", "乌兹别克")),
    ],
    "cis": [
        ("GEO", "GE", "格鲁吉亚", "Georgia", "Tbilisi", 41.72, 44.79, ("喬治亞", "格魯吉亞", "格鲁吉亚共和国")),
        ("ARM", "AM", "亚美尼亚", "Armenia", "Yerevan", 40.18, 44.51, ("亞美尼亞",)),
        ("AZE", "AZ", "阿塞拜疆", "Azerbaijan", "Baku", 40.41, 49.87, ("亞塞拜然", "阿塞拜彊")),
        ("BLR", "BY", "白俄罗斯", "Belarus", "Minsk", 53.90, 27.57, ("白俄羅斯", "Byelorussia")),
        ("MDA", "MD", "摩尔多瓦", "Moldova", "Chisinau", 47.01, 28.86,
         ("摩爾多瓦", "Republic of Moldova", "Moldova, Republic of")),
        ("RUS", "RU", "俄罗斯", "Russia", "Moscow", 55.76, 37.62,
         ("俄羅斯", "俄罗斯联邦", "俄羅斯聯邦", "Russian Federation")),
        ("UKR", "UA", "乌克兰", "Ukraine", "Kyiv", 50.45, 30.52, ("烏克蘭",)),
    ],
    "cee": [
        ("ALB", "AL", "阿尔巴尼亚", "Albania", "Tirana", 41.33, 19.82, ("阿爾巴尼亞",)),
        ("BGR", "BG", "保加利亚", "Bulgaria", "Sofia", 42.70, 23.32, ("保加利亞",)),
        ("HUN", "HU", "匈牙利", "Hungary", "Budapest", 47.50, 19.04, ()),
        ("POL", "PL", "波兰", "Poland", "Warsaw", 52.23, 21.01, ("波蘭",)),
        ("ROU", "RO", "罗马尼亚", "Romania", "Bucharest", 44.43, 26.10, ("羅馬尼亞", "Rumania")),
        ("EST", "EE", "爱沙尼亚", "Estonia", "Tallinn", 59.44, 24.75, ("愛沙尼亞",)),
        ("LVA", "LV", "拉脱维亚", "Latvia", "Riga", 56.95, 24.11, ("拉脫維亞",)),
        ("LTU", "LT", "立陶宛", "Lithuania", "Vilnius", 54.69, 25.28, ()),
        ("SVN", "SI", "斯洛文尼亚", "Slovenia", "Ljubljana", 46.06, 14.51, ("斯洛維尼亞", "斯洛文尼亞")),
        ("HRV", "HR", "克罗地亚", "Croatia", "Zagreb", 45.81, 15.98, ("克羅埃西亞", "克羅地亞", "Hrvatska")),
        ("CZE", "CZ", "捷克", "Czechia", "Prague", 50.08, 14.44, ("捷克共和国", "Czech Republic")),
        ("SVK", "SK", "斯洛伐克", "Slovakia", "Bratislava", 48.15, 17.11, ("Slovak Republic",)),
        ("MKD", "MK", "北马其顿", "North Macedonia", "Skopje", 42.00, 21.43,
         ("北馬其頓", "马其顿", "馬其頓", "Macedonia", "Macedonia, FYR",
          "The former Yugoslav Republic of Macedonia", "Republic of North Macedonia")),
        ("BIH", "BA", "波斯尼亚和黑塞哥维那", "Bosnia and Herzegovina", "Sarajevo", 43.86, 18.41,
         ("波黑", "波斯尼亚与黑塞哥维那", "波士尼亞與赫塞哥維納", "Bosnia-Herzegovina", "Bosnia")),
        ("SRB", "RS", "塞尔维亚", "Serbia", "Belgrade", 44.79, 20.45, ("塞爾維亞",)),
        ("MNE", "ME", "黑山", "Montenegro", "Podgorica", 42.44, 19.26, ("蒙特內哥羅", "黑山共和国")),
    ],
}


@lru_cache(maxsize=1)
def _all() -> tuple[Country, ...]:
    return tuple(
        Country(iso3, iso2, zh, en, sub, cap, lat, lon, aliases)
        for sub, rows in _ROWS.items()
        for iso3, iso2, zh, en, cap, lat, lon, aliases in rows
    )


@lru_cache(maxsize=1)
def _by_iso3() -> dict[str, Country]:
    return {c.iso3: c for c in _all()}


def belt_and_road_countries(subregion: str | None = None) -> list[Country]:
    """The 63 countries in registry order (subregion by subregion), or one subregion's.

    Examples
    --------
    >>> from exportlens.regions import belt_and_road_countries
    >>> len(belt_and_road_countries())
    63
    >>> [c.iso3 for c in belt_and_road_countries("central_asia")]
    ['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB']
    """
    if subregion is None:
        return list(_all())
    code = _lookup_subregion(subregion).code
    return [c for c in _all() if c.subregion == code]


def subregions() -> list[Subregion]:
    """The seven subregions in the study's order.

    Examples
    --------
    >>> from exportlens.regions import subregions
    >>> [s.code for s in subregions()]
    ['mongolia', 'asean', 'west_asia', 'south_asia', 'central_asia', 'cis', 'cee']
    """
    return list(SUBREGIONS)


def subregion(value: str) -> Subregion:
    """A subregion by code, Chinese or English name (``"asean"``, ``"东盟"``, ``"ASEAN"``).

    Examples
    --------
    >>> from exportlens.regions import subregion
    >>> subregion("ASEAN").code, subregion("中东欧").name_en
    ('asean', 'Central and Eastern Europe')
    >>> subregion("Africa")
    Traceback (most recent call last):
    ...
    exportlens.errors.UnknownRegionError: Unknown subregion 'Africa'; subregions: mongolia, asean, west_asia, south_asia, central_asia, cis, cee.
    """
    return _lookup_subregion(value)


def _lookup_subregion(value: str) -> Subregion:
    key = _normalise_latin(str(value)) if not _has_cjk(str(value)) else _normalise_cjk(str(value))
    for s in SUBREGIONS:
        if key in {_normalise_latin(s.code), _normalise_latin(s.name_en), _normalise_cjk(s.name_zh)}:
            return s
    raise UnknownRegionError(
        f"Unknown subregion {value!r}; subregions: {', '.join(s.code for s in SUBREGIONS)}."
    )


def country_frame() -> pd.DataFrame:
    """The registry as a DataFrame indexed by ISO3 (subregion names in both languages).

    Examples
    --------
    >>> from exportlens.regions import country_frame
    >>> frame = country_frame()
    >>> frame.shape
    (63, 10)
    >>> frame.groupby("subregion").size().sort_index().to_dict()
    {'asean': 10, 'cee': 16, 'central_asia': 5, 'cis': 7, 'mongolia': 1, 'south_asia': 8, 'west_asia': 16}
    """
    rows = []
    for c in _all():
        rows.append(
            {
                "iso3": c.iso3, "iso2": c.iso2, "name_zh": c.name_zh, "name_en": c.name_en,
                "subregion": c.subregion, "subregion_zh": c.subregion_zh,
                "subregion_en": c.subregion_en, "capital_en": c.capital_en,
                "capital_lat": c.capital_lat, "capital_lon": c.capital_lon,
                "aliases": "; ".join(c.aliases),
            }
        )
    return pd.DataFrame(rows).set_index("iso3")


# --- name matching --------------------------------------------------------------------

_LATIN_NOISE = re.compile(r"[^a-z0-9]+")
_CJK_NOISE = re.compile(r"[\s\u3000·・,，.。()（）]+")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def _normalise_latin(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _LATIN_NOISE.sub("", text)
    return text[3:] if text.startswith("the") and len(text) > 6 else text


def _normalise_cjk(text: str) -> str:
    text = "".join(TRADITIONAL_TO_SIMPLIFIED.get(ch, ch) for ch in text)
    return _CJK_NOISE.sub("", text)


def _keys(c: Country) -> set[str]:
    keys = {c.iso3.lower(), c.iso2.lower()}
    for name in (c.name_zh, c.name_en, *c.aliases):
        keys.add(_normalise_cjk(name) if _has_cjk(name) else _normalise_latin(name))
    return keys


@lru_cache(maxsize=1)
def alias_index() -> dict[str, str]:
    """Every normalised name, alias and code of a country -> its ISO3 code (cached; raises
    AmbiguousRegionError when two countries claim the same alias).

    Examples
    --------
    >>> from exportlens.regions import alias_index
    >>> index = alias_index()
    >>> index["vietnam"], index["vn"], index["俄罗斯"], index["laopdr"]
    ('VNM', 'VNM', 'RUS', 'LAO')
    """
    index: dict[str, str] = {}
    for c in _all():
        for key in _keys(c):
            other = index.setdefault(key, c.iso3)
            if other != c.iso3:  # guarded by a test; never expected at run time
                raise AmbiguousRegionError(f"Alias {key!r} names both {other} and {c.iso3}.")
    return index


def closest_countries(text: str, n: int = 3) -> list[str]:
    """Labels of the registry countries whose names are closest to ``text``.

    Examples
    --------
    >>> from exportlens.regions import closest_countries
    >>> closest_countries("Vietnm")
    ['越南 (Vietnam, VNM)']
    >>> closest_countries("Kazakstan", n=1)
    ['哈萨克斯坦 (Kazakhstan, KAZ)']
    """
    key = _normalise_cjk(text) if _has_cjk(text) else _normalise_latin(text)
    index = alias_index()
    out: list[str] = []
    for k in difflib.get_close_matches(key, list(index), n=10, cutoff=0.6):
        c = _by_iso3()[index[k]]
        label = f"{c.name_zh} ({c.name_en}, {c.iso3})"
        if label not in out:
            out.append(label)
    return out[:n]


def resolve_country(value: Any) -> Country:
    """Resolve one way of writing a Belt-and-Road country to its registry entry.

    Accepts ISO3 or ISO2 codes (any case), simplified or traditional Chinese names and
    short forms, English names and World Bank / UN variants (see the module docstring).

    Raises
    ------
    UnknownRegionError
        Not one of the 63 countries; the message names the input and the closest matches.

    Examples
    --------
    >>> from exportlens.regions import resolve_country
    >>> resolve_country("沙特").iso3, resolve_country("ru").name_zh, resolve_country("Türkiye").name_en
    ('SAU', '俄罗斯', 'Turkey')
    >>> resolve_country("France")
    Traceback (most recent call last):
    ...
    exportlens.errors.UnknownRegionError: Unknown country 'France': not one of the 63 Belt-and-Road countries of the registry. Closest: ...
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise UnknownRegionError("Empty country name (missing value).")
    if isinstance(value, Country):
        return value
    text = str(value).strip()
    if not text:
        raise UnknownRegionError(f"Empty country name {value!r}.")
    key = _normalise_cjk(text) if _has_cjk(text) else _normalise_latin(text)
    index = alias_index()
    if key in index:
        return _by_iso3()[index[key]]
    cands = closest_countries(text)
    hint = f" Closest: {', '.join(cands)}." if cands else ""
    raise UnknownRegionError(
        f"Unknown country {value!r}: not one of the 63 Belt-and-Road countries of the registry.{hint}"
    )


def resolve_countries(
    values: Iterable[Any] | pd.Series,
    to: CountryField = "iso3",
    *,
    errors: Literal["raise", "coerce"] = "raise",
) -> pd.Series:
    """Vectorised :func:`resolve_country` for a whole column.

    Returns a Series aligned with the input holding the field ``to`` (``iso3`` by default;
    ``"country"`` returns the :class:`Country` objects). With ``errors="raise"`` every
    unresolvable value is reported at once, with its row labels; with ``"coerce"`` they
    become missing.

    Examples
    --------
    >>> from exportlens.regions import resolve_countries
    >>> resolve_countries(["Viet Nam", "俄羅斯", "KAZ"]).tolist()
    ['VNM', 'RUS', 'KAZ']
    >>> resolve_countries(["Viet Nam", "俄羅斯"], to="subregion_en").tolist()
    ['ASEAN', 'CIS']
    >>> resolve_countries(["Viet Nam", "France"], errors="coerce").tolist()
    ['VNM', nan]
    """
    allowed = ("iso3", "iso2", "name_zh", "name_en", "subregion", "subregion_zh", "subregion_en", "country")
    if to not in allowed:
        raise UnknownRegionError(f"Unknown country field {to!r}; use one of {list(allowed)}.")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    mapping: dict[Any, Any] = {}
    problems: dict[Any, str] = {}
    for v in pd.unique(series):
        try:
            c = resolve_country(v)
            mapping[v] = c if to == "country" else getattr(c, to)
        except UnknownRegionError as exc:
            problems[v] = str(exc)
            mapping[v] = None
    if problems and errors == "raise":
        lines = []
        for v, msg in list(problems.items())[:LIST_LIMIT]:
            rows = list(series.index[(series == v).to_numpy() if v == v else series.isna().to_numpy()][:5])
            lines.append(f"{msg} ({row_refs(rows, series.index)})")
        listed = format_list(lines, sep=" | ", total=len(problems))
        raise UnknownRegionError(f"{len(problems)} unrecognised country value(s): {listed}")
    # Unresolved values are missing as NaN on every pandas version (pandas 2 would keep None).
    out = series.map(lambda v: mapping.get(v)).astype(object)
    out = out.where(out.notna(), float("nan"))
    out.name = series.name
    return out


def assign_subregion(values: Iterable[Any] | pd.Series, lang: str | None = None) -> pd.Series:
    """Subregion of each country: code (``lang=None``) or label in ``"zh"``/``"en"``.

    Examples
    --------
    >>> from exportlens.regions import assign_subregion
    >>> assign_subregion(["Viet Nam", "俄羅斯", "KAZ"]).tolist()
    ['asean', 'cis', 'central_asia']
    >>> assign_subregion(["Viet Nam", "KAZ"], lang="zh").tolist()
    ['东盟', '中亚']
    """
    to: CountryField = "subregion" if lang is None else ("subregion_zh" if lang == "zh" else "subregion_en")
    return resolve_countries(values, to=to)


def country_label(value: Any, lang: str = "zh") -> str:
    """Display label of a country: Chinese or English name.

    Examples
    --------
    >>> from exportlens.regions import country_label
    >>> country_label("VNM"), country_label("Viet Nam", "en")
    ('越南', 'Vietnam')
    """
    return resolve_country(value).label(lang)
