"""Province registry and name resolution.

The registry knows the 31 mainland provincial-level divisions (the default set of NBS
provincial panels) plus Hong Kong, Macao and Taiwan (recognised, but outside the default
set). :func:`resolve_province` maps any usual spelling to one registry entry;
:func:`resolve_provinces` does the same for a whole column and reports every unknown value
at once.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from exportlens.errors import AmbiguousRegionError, UnknownRegionError
from exportlens.regions._table import (
    ABBREVIATIONS,
    AREA_10K_KM2,
    NON_MAINLAND_CODES,
    PROVINCE_ROWS,
    TRADITIONAL_TO_SIMPLIFIED,
)
from exportlens.validation import LIST_LIMIT, format_list, row_refs

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Province",
    "closest_provinces",
    "is_national_total",
    "province_codes",
    "province_label",
    "provinces",
    "registry_frame",
    "resolve_province",
    "resolve_provinces",
]

ProvinceField = Literal[
    "code", "name_zh", "short_zh", "name_en", "pinyin", "abbreviation", "capital_zh", "capital_en"
]


@dataclass(frozen=True)
class Province:
    """One provincial-level division of the registry.

    Examples
    --------
    >>> from exportlens.regions import resolve_province
    >>> p = resolve_province("內蒙古")
    >>> p.code, p.short_zh, p.name_en, p.capital_zh, p.abbreviation, p.mainland
    (150000, '内蒙古', 'Inner Mongolia', '呼和浩特', '蒙', True)
    >>> p.label("zh"), p.label("en")
    ('内蒙古', 'Inner Mongolia')
    """

    code: int
    name_zh: str
    short_zh: str
    name_en: str
    pinyin: str
    capital_zh: str
    capital_en: str
    capital_lat: float
    capital_lon: float
    kind: str
    abbreviation: str
    area_10k_km2: float
    aliases: tuple[str, ...] = ()

    @property
    def mainland(self) -> bool:
        """True for the 31 mainland divisions (the default analysis set)."""
        return self.code not in NON_MAINLAND_CODES

    def label(self, lang: str = "zh") -> str:
        """Short display label: ``北京`` (zh) or ``Beijing`` (en)."""
        return self.short_zh if lang == "zh" else self.name_en


@lru_cache(maxsize=1)
def _all() -> tuple[Province, ...]:
    out = []
    for code, full, short, en, py, cap_zh, cap_en, lat, lon, kind, aliases in PROVINCE_ROWS:
        out.append(
            Province(
                code=code, name_zh=full, short_zh=short, name_en=en, pinyin=py,
                capital_zh=cap_zh, capital_en=cap_en, capital_lat=lat, capital_lon=lon,
                kind=kind, abbreviation=ABBREVIATIONS[code], area_10k_km2=AREA_10K_KM2[code],
                aliases=tuple(aliases),
            )
        )
    return tuple(out)


def provinces(include_non_mainland: bool = False) -> list[Province]:
    """All registry entries in code order: the 31 mainland divisions by default.

    Examples
    --------
    >>> from exportlens.regions import provinces
    >>> len(provinces()), len(provinces(include_non_mainland=True))
    (31, 34)
    >>> [p.short_zh for p in provinces()[:3]]
    ['北京', '天津', '河北']
    """
    return [p for p in _all() if include_non_mainland or p.mainland]


def province_codes(include_non_mainland: bool = False) -> list[int]:
    """GB/T 2260 codes of :func:`provinces`.

    Examples
    --------
    >>> from exportlens.regions import province_codes
    >>> province_codes()[:4]
    [110000, 120000, 130000, 140000]
    >>> len(province_codes()), province_codes(include_non_mainland=True)[-3:]
    (31, [710000, 810000, 820000])
    """
    return [p.code for p in provinces(include_non_mainland)]


def registry_frame(include_non_mainland: bool = False) -> pd.DataFrame:
    """The registry as a DataFrame, one row per division, indexed by code.

    Examples
    --------
    >>> from exportlens.regions import registry_frame
    >>> frame = registry_frame()
    >>> frame.shape
    (31, 13)
    >>> frame.loc[[110000, 440000], ["short_zh", "name_en", "capital_zh"]]
           short_zh    name_en capital_zh
    code
    110000       北京    Beijing         北京
    440000       广东  Guangdong         广州
    """
    import pandas as pd

    rows = []
    for p in provinces(include_non_mainland):
        d = asdict(p)
        d["aliases"] = "; ".join(p.aliases)
        d["mainland"] = p.mainland
        rows.append(d)
    return pd.DataFrame(rows).set_index("code")


# --- name normalisation ---------------------------------------------------------------

_CJK_SUFFIX = re.compile(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$")
_LATIN_SUFFIXES = (
    "specialadministrativeregion", "autonomousregion", "municipality", "province",
    "zizhiqu", "sheng", "shi", "sar", "city", "region",
)
_NBS_PADDING = re.compile(r"^[\s\u3000\ufeff,，\"']+|[\s\u3000\ufeff,，\"'、]+$")
_NATIONAL = {"全国", "全国合计", "全国总计", "合计", "总计", "china", "national", "total",
             "nationaltotal", "全國", "中国", "中國", "chinatotal", "mainlandchina"}


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def _normalise_cjk(text: str) -> str:
    text = "".join(TRADITIONAL_TO_SIMPLIFIED.get(ch, ch) for ch in text)
    text = re.sub(r"[\s\u3000]+", "", text)
    return _CJK_SUFFIX.sub("", text) or text


def _normalise_latin(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]+", "", text)
    changed = True
    while changed:
        changed = False
        for suffix in _LATIN_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix) + 1:
                text = text[: -len(suffix)]
                changed = True
    return text


def _clean(value: str) -> str:
    return _NBS_PADDING.sub("", str(value)).strip()


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for p in _all():
        for name in (p.name_zh, p.short_zh, p.abbreviation):
            index[_normalise_cjk(name)] = p.code
        for name in (p.name_en, p.pinyin, *p.aliases):
            index[_normalise_latin(name)] = p.code
    return index


@lru_cache(maxsize=1)
def _by_code() -> dict[int, Province]:
    return {p.code: p for p in _all()}


# Spellings that only differ by tone marks: without the marks "Shanxi" is both 山西 (Shānxī)
# and 陕西 (Shǎnxī). A tone-marked input is therefore ambiguous unless it is one of these.
_TONED = {"shānxī": 140000, "shǎnxī": 610000, "shanxī": 140000}


def is_national_total(value: Any) -> bool:
    """True for labels of a national total row (全国, 合计, China, National, Total ...).

    Examples
    --------
    >>> from exportlens.regions import is_national_total
    >>> is_national_total("全国"), is_national_total(" 合计 "), is_national_total("China")
    (True, True, True)
    >>> is_national_total("北京")
    False
    """
    if value is None:
        return False
    text = _clean(str(value))
    key = _normalise_cjk(text) if _has_cjk(text) else _normalise_latin(text)
    return key in _NATIONAL or text in _NATIONAL


def _code_from_number(value: int) -> int | None:
    by_code = _by_code()
    if value in by_code:
        return value
    if 10 <= value <= 99 and value * 10000 in by_code:  # two-digit province prefix
        return value * 10000
    if 10**11 <= value < 10**12 and value // 10**6 in by_code:  # 12-digit statistical code
        return value // 10**6
    return None


def closest_provinces(text: str, n: int = 3) -> list[str]:
    """Display labels of the registry entries whose names are closest to ``text``.

    Examples
    --------
    >>> from exportlens.regions import closest_provinces
    >>> closest_provinces("Guangdon")
    ['广东省 (Guangdong, 440000)', '广西壮族自治区 (Guangxi, 450000)', '山东省 (Shandong, 370000)']
    """
    index = _alias_index()
    key = _normalise_cjk(text) if _has_cjk(text) else _normalise_latin(text)
    close = difflib.get_close_matches(key, list(index), n=8, cutoff=0.5)
    seen: list[str] = []
    for k in close:
        p = _by_code()[index[k]]
        label = f"{p.name_zh} ({p.name_en}, {p.code})"
        if label not in seen:
            seen.append(label)
    return seen[:n]


#: What to do about a value that is no province (ends every unknown-province message once).
UNKNOWN_PROVINCE_ADVICE = ("Check the spelling (the provinces and their codes: `exportlens regions list`); for "
                           "prefecture-level cities, counties or other regions give a region table in the study "
                           "file's [regions] section (table = \"cities.csv\").")


def resolve_province(value: Any) -> Province:
    """Resolve one way of writing a province to its registry entry.

    Accepts full or short Chinese names (``内蒙古自治区``, ``内蒙古``), traditional
    characters (``內蒙古``, ``廣東省``, ``陝西``), one-character abbreviations (``粤``),
    English and pinyin variants (``Inner Mongolia``, ``Nei Mongol``, ``Guangxi Zhuang
    Autonomous Region``), GB/T 2260 codes as int or string (``110000``, ``"11"``), and
    NBS padding (stray whitespace, tabs, full-width spaces, trailing commas).

    Raises
    ------
    UnknownRegionError
        No entry matches; the message names the input and the closest candidates.
    AmbiguousRegionError
        The input matches more than one entry (e.g. tone-marked pinyin ``Shanxi``).

    Examples
    --------
    >>> from exportlens.regions import resolve_province
    >>> resolve_province("廣東省").code, resolve_province("粤").code, resolve_province("110000").short_zh
    (440000, 440000, '北京')
    >>> resolve_province("Nei Mongol").name_en, resolve_province(11).name_en
    ('Inner Mongolia', 'Beijing')
    >>> resolve_province("火星")
    Traceback (most recent call last):
    ...
    exportlens.errors.UnknownRegionError: Unknown province '火星'. Check the spelling ...
    >>> resolve_province("Guangdon")
    Traceback (most recent call last):
    ...
    exportlens.errors.UnknownRegionError: Unknown province 'Guangdon'. Closest: 广东省 (Guangdong, 440000), ...
    """
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise UnknownRegionError("Empty province name (missing value).")
    if isinstance(value, bool):
        raise UnknownRegionError(f"Unknown province {value!r}.")
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        code = _code_from_number(int(value))
        if code is None:
            raise UnknownRegionError(f"Unknown province code {value!r}: GB/T 2260 provincial codes are 110000 ... 820000.")
        return _by_code()[code]
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        if float(value).is_integer():
            return resolve_province(int(value))
        raise UnknownRegionError(f"Unknown province code {value!r}.")

    text = _clean(str(value))
    if not text:
        raise UnknownRegionError(f"Empty province name {value!r}.")
    if text.isdigit():
        code = _code_from_number(int(text))
        if code is None:
            raise UnknownRegionError(f"Unknown province code {value!r}: GB/T 2260 provincial codes are 110000 ... 820000.")
        return _by_code()[code]

    index = _alias_index()
    if _has_cjk(text):
        key = _normalise_cjk(text)
    else:
        lowered = unicodedata.normalize("NFC", text).lower().replace(" ", "")
        for toned, code in _TONED.items():
            if lowered.startswith(toned) and lowered[len(toned):] in ("", "sheng", "province"):
                return _by_code()[code]
        key = _normalise_latin(text)
        has_marks = unicodedata.normalize("NFKD", text) != text and any(
            unicodedata.combining(ch) for ch in unicodedata.normalize("NFKD", text)
        )
        if has_marks and key == "shanxi":
            raise AmbiguousRegionError(
                f"Ambiguous province {value!r}: without reliable tone marks it can be 山西 (Shanxi, 140000) "
                "or 陕西 (Shaanxi, 610000). Write 'Shanxi' or 'Shaanxi', or use the code."
            )
    if key in index:
        return _by_code()[index[key]]
    cands = closest_provinces(text)
    hint = f" Closest: {', '.join(cands)}." if cands else ""
    raise UnknownRegionError(f"Unknown province {value!r}.{hint} {UNKNOWN_PROVINCE_ADVICE}")


def resolve_provinces(
    values: Iterable[Any] | pd.Series,
    to: ProvinceField = "code",
    *,
    errors: Literal["raise", "coerce"] = "raise",
    allow_non_mainland: bool = True,
) -> pd.Series:
    """Vectorised :func:`resolve_province` for a whole column.

    Each distinct value is resolved once. With ``errors="raise"`` every unresolvable value
    is reported in one :class:`UnknownRegionError` (value, row positions, candidates);
    with ``errors="coerce"`` they become missing values. National-total labels (全国 ...)
    are unknown here on purpose: callers decide whether to keep them.

    Returns a Series aligned with the input (same index if the input is a Series) holding
    the requested field (``code`` by default).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.regions import resolve_provinces
    >>> resolve_provinces(["北京市", "Shanghai", "粤"]).tolist()
    [110000, 310000, 440000]
    >>> resolve_provinces(pd.Series(["北京市", "廣東"]), to="name_en").tolist()
    ['Beijing', 'Guangdong']
    >>> resolve_provinces(["北京", "火星"], errors="coerce").tolist()
    [110000, <NA>]
    >>> resolve_provinces(["北京", "火星", "火星"])
    Traceback (most recent call last):
    ...
    exportlens.errors.UnknownRegionError: 1 unrecognised province value(s): Unknown province '火星'. (rows [1, 2]). Check the spelling ...
    """
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    mapping: dict[Any, Any] = {}
    problems: dict[Any, str] = {}
    for v in pd.unique(series):
        key = v
        try:
            p = resolve_province(v)
            if not allow_non_mainland and not p.mainland:
                raise UnknownRegionError(f"{v!r} ({p.name_en}) is outside the 31 mainland provinces")
            mapping[key] = getattr(p, to)
        except UnknownRegionError as exc:
            problems[key] = str(exc).replace(UNKNOWN_PROVINCE_ADVICE, "").strip()
            mapping[key] = None
    if problems and errors == "raise":
        lines = []
        for v, msg in list(problems.items())[:LIST_LIMIT]:
            rows = [i for i, x in zip(series.index, series, strict=True) if x is v or x == v][:5]
            lines.append(f"{msg} ({row_refs(rows, series.index)})")
        listed = format_list(lines, sep=" | ", total=len(problems))
        err = AmbiguousRegionError if all(isinstance(x, str) and "Ambiguous" in x for x in problems.values()) else UnknownRegionError
        advice = "" if err is AmbiguousRegionError else f" {UNKNOWN_PROVINCE_ADVICE}"
        raise err(f"{len(problems)} unrecognised province value(s): {listed}.{advice}")
    out = series.map(lambda v: mapping.get(v))
    if to == "code":
        out = out.astype("Int64")
    out.name = series.name
    return out


def province_label(code: int, lang: str = "zh") -> str:
    """Display label of a code: short Chinese name or English name.

    Examples
    --------
    >>> from exportlens.regions import province_label
    >>> province_label(440000), province_label(440000, "en")
    ('广东', 'Guangdong')
    """
    return resolve_province(code).label(lang)

