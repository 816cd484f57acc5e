"""Reader for downloads of the NBS online database (国家统计局 "分省年度数据").

The National Bureau of Statistics easyquery site (data.stats.gov.cn) exports tables as
CSV files with a few metadata lines on top, one header row, one row per province and
footnotes at the bottom::

    数据库：分省年度数据
    指标：地区生产总值(亿元)
    时间：最近20年
    地区,2024年,2023年,...
    北京市,49670.2,47353.7,...
    ...
    注：按照我国国民经济核算数据修订制度...
    数据来源：国家统计局

Variants found in real downloads and handled here: GBK/GB18030 or UTF-8 (with BOM)
encodings, ``,`` or tab+comma (``\\t,``) separators with trailing separators, an empty
``时间：`` line, no ``指标：`` line, empty cells, quoted footnotes with commas, multi-line
footnotes (continuation lines indented with full-width spaces), and one-year
cross-sections whose columns are indicators (``地区生产总值 (亿元)``) with the year in
the ``时间：2020年`` line.

:func:`read_nbs` returns an :class:`NBSTable` holding a tidy long frame (``code``,
``province``, ``year``, ``indicator``, ``unit``, ``value``); :func:`read_nbs_many`
stacks several downloads into one long frame.
"""

from __future__ import annotations

import codecs
import csv
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from exportlens.errors import (
    DataFormatError,
    DataFormatWarning,
    InputError,
    NBSUnknownRegionError,
    UnknownRegionError,
)
from exportlens.regions.registry import is_national_total, resolve_province
from exportlens.validation import format_list

__all__ = ["NBSTable", "NBSUnknownRegionError", "detect_encoding", "read_nbs", "read_nbs_many"]

#: Columns of the long frames returned by :func:`read_nbs` (``NBSTable.data``).
LONG_COLUMNS = ["code", "province", "year", "indicator", "unit", "value"]

_HEADER_SEARCH_LINES = 10
_STRIP = " \t\r\n\u3000\ufeff\xa0"
_META = re.compile(r"^\s*[\"']?\s*(数据库|指标|时间|地区)\s*[：:](.*)$")
_FOOTNOTE = re.compile(r"^\s*[\"']?\s*(注\s*[：:0-9０-９]|数据来源|资料来源|说明\s*[：:])")
_YEAR_LABEL = re.compile(r"^(\d{4})\s*年?(度)?$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_UNIT = re.compile(r"^(.*?)\s*[（(]([^()（）]*)[)）]\s*$")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# --- encoding -----------------------------------------------------------------------------


def detect_encoding(raw: bytes) -> str:
    """Guess the text encoding of ``raw`` bytes from an NBS download or a CSV file.

    A byte-order mark decides (``utf-8-sig``, ``utf-16``, ``utf-32``); otherwise
    ``utf-8`` is tried and ``gb18030`` (a superset of GBK/GB2312, used by NBS downloads
    and Chinese Excel) is the fallback.

    Raises
    ------
    DataFormatError
        The bytes decode neither as UTF-8 nor as GB18030.

    Examples
    --------
    >>> import codecs
    >>> from exportlens.data import detect_encoding
    >>> detect_encoding("地区,2024年".encode("gb18030")), detect_encoding("地区".encode("utf-8"))
    ('gb18030', 'utf-8')
    >>> detect_encoding(codecs.BOM_UTF8 + "地区".encode("utf-8"))
    'utf-8-sig'
    """
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    for name in ("utf-8", "gb18030"):
        try:
            raw.decode(name)
        except UnicodeDecodeError:
            continue
        return name
    raise DataFormatError(
        "could not decode the file as UTF-8 or GB18030 (GBK); pass encoding= explicitly "
        "if it uses another encoding, or check that it is a text (CSV) file"
    )


def _binary_hint(raw: bytes) -> str | None:
    """A reason why ``raw`` cannot be a CSV text file, or None if it may be one."""
    if raw.startswith(b"PK\x03\x04"):
        return "it is a ZIP container (an .xlsx workbook?); export it as CSV, or check it as a panel (command line: exportlens data check; Python: load_panel)"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is an OLE2 file (an old .xls workbook?); save it as CSV or .xlsx"
    if raw.startswith(b"%PDF"):
        return "it is a PDF document"
    if b"\x00" in raw[:8192]:
        return "it contains NUL bytes (binary data)"
    return None


def _decode(raw: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    starts_with_bom = any(raw.startswith(bom) for bom, _ in _BOMS)
    if not starts_with_bom:
        hint = _binary_hint(raw)
        if hint:
            raise DataFormatError(f"{path} is not a text (CSV) file: {hint}.")
    if encoding is None:
        try:
            encoding = detect_encoding(raw)
        except DataFormatError as exc:
            raise DataFormatError(f"{path}: {exc}") from None
    else:
        try:
            canonical = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"Unknown encoding {encoding!r} for {path}; use e.g. utf-8, utf-8-sig or gb18030.") from None
        if canonical == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        where = (f" (byte {exc.object[exc.start]:#04x} at position {exc.start})"
                 if isinstance(exc, UnicodeDecodeError) else f" ({exc})")
        raise DataFormatError(f"{path} cannot be decoded as {encoding}{where}; the file is in another encoding (GBK files: gb18030): leave the "
                              "encoding unset to detect it, or give the right one.") from None
    controls = [ch for ch in text[:8192] if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd"]
    if controls:
        raise DataFormatError(
            f"{path} does not look like a text (CSV) file: it contains control characters "
            f"({', '.join(repr(c) for c in controls[:3])}); is it binary data?"
        )
    return text, encoding


# --- small parsers ------------------------------------------------------------------------


def _clean_cell(text: str) -> str:
    return text.strip(_STRIP)


def _clean_meta(text: str) -> str:
    return text.strip(_STRIP + ",，\"'")


def _clean_footnote(line: str) -> str:
    text = line.strip(_STRIP)
    text = text.rstrip(",\t ")
    if text.startswith('"'):
        text = text[1:]
    if text.endswith('"'):
        text = text[:-1]
    return text.replace('""', '"').strip(_STRIP)


def split_indicator_unit(label: str) -> tuple[str, str | None]:
    """Split ``地区生产总值(亿元)`` into ``("地区生产总值", "亿元")``.

    The unit is the last parenthesised group at the end of the label (ASCII or full-width
    parentheses, optional space before it): ``人口数(人口抽样调查)(人)`` gives
    ``("人口数(人口抽样调查)", "人")``. A label without a final parenthesis has no unit.
    """
    text = _clean_meta(label)
    m = _UNIT.match(text)
    if not m or not m.group(1).strip():
        return text, None
    unit = m.group(2).strip(_STRIP)
    return m.group(1).strip(_STRIP), (unit or None)


def _year_of(label: str) -> int | None:
    m = _YEAR_LABEL.match(label)
    return int(m.group(1)) if m else None


def _split_row(line: str, sep: str) -> list[str]:
    return [_clean_cell(c) for c in next(csv.reader([line], delimiter=sep))]


def _looks_like_data_row(cells: list[str], n_header: int) -> bool:
    """A row with a province (or national-total) name and the header's number of cells."""
    if len(cells) < 2 or len([c for c in cells if c != ""]) < 2 or len(cells) > n_header + 1:
        return False
    if is_national_total(cells[0]):
        return True
    try:
        resolve_province(cells[0])
    except UnknownRegionError:
        return False
    return True


def _preview(lines: list[str], n: int = 5) -> str:
    shown = [repr(line[:80]) for line in lines[:n]]
    return "; ".join(shown) if shown else "(nothing)"


# --- result object ------------------------------------------------------------------------


@dataclass(repr=False)
class NBSTable:
    """One NBS download, parsed.

    Attributes
    ----------
    data : pandas.DataFrame
        Tidy long frame, one row per province x year x indicator, with columns ``code``
        (Int64, GB/T 2260), ``province`` (full Chinese name from the registry), ``year``
        (Int64), ``indicator`` (str), ``unit`` (str or missing) and ``value`` (float64).
        Empty cells are kept as rows with a NaN value.
    national : pandas.DataFrame
        The national-total row (全国 ...) in the same long layout (``code`` missing,
        ``province`` the label as written); empty when the file has none.
    database : str or None
        The ``数据库：`` line, e.g. ``"分省年度数据"``.
    indicator, unit : str or None
        Indicator and unit of a years-as-columns table (None for cross-sections, whose
        indicators are columns: see :attr:`indicators` and :attr:`units`).
    time_label : str or None
        The ``时间：`` line as written (``"最近20年"``, ``"1993-2017"``, ``"2020年"``).
    footnotes : list of str
        Footnote lines (``注：...``, continuation lines, ``数据来源：...``), unquoted.
    source_path : pathlib.Path
        The file read.
    encoding : str
        The encoding used to decode it.
    n_missing : int
        Number of empty cells among the province rows (NaN values in :attr:`data`).
    orientation : {"years", "indicators"}
        ``"years"`` when the columns are years, ``"indicators"`` for a cross-section.

    Examples
    --------
    A download as the NBS site writes it (illustrative numbers), saved in GBK/GB18030:

    >>> from pathlib import Path
    >>> text = ("数据库：分省年度数据\\n指标：地区生产总值(亿元)\\n时间：最近3年\\n"
    ...         "地区,2024年,2023年,2022年\\n北京市,100.5,95.2,90.1\\n天津市,60.3,,55.8\\n"
    ...         "河北省,120.0,112.4,108.9\\n注：2023年天津市数据缺失。\\n数据来源：国家统计局\\n")
    >>> _ = Path("gdp.csv").write_bytes(text.encode("gb18030"))
    >>> from exportlens.data import read_nbs
    >>> t = read_nbs("gdp.csv")
    >>> t
    <NBSTable gdp.csv: 9 rows, 1 missing>
    >>> print(t.summary())
    NBS table gdp.csv (分省年度数据, encoding gb18030)
    indicator: 地区生产总值 [亿元]; time: 最近3年
    3 provinces x 3 years (2022-2024) = 9 values, 1 missing (kept as NaN)
    national total row: no; footnotes: 2 line(s)
    >>> t.years, t.units, t.footnotes[0]
    ([2022, 2023, 2024], {'地区生产总值': '亿元'}, '注：2023年天津市数据缺失。')
    """

    data: pd.DataFrame
    national: pd.DataFrame
    database: str | None
    indicator: str | None
    unit: str | None
    time_label: str | None
    footnotes: list[str]
    source_path: Path
    encoding: str
    n_missing: int
    orientation: Literal["years", "indicators"] = "years"

    @property
    def indicators(self) -> list[str]:
        """Indicator names, in file order."""
        return list(dict.fromkeys(self.data["indicator"].tolist())) or (
            [self.indicator] if self.indicator else []
        )

    @property
    def units(self) -> dict[str, str | None]:
        """Unit of each indicator (None where the file gives none)."""
        out: dict[str, str | None] = {}
        for ind, unit in zip(self.data["indicator"], self.data["unit"], strict=True):
            if ind not in out:
                out[ind] = None if pd.isna(unit) else str(unit)
        return out

    @property
    def years(self) -> list[int]:
        """Years covered, ascending."""
        return sorted(int(y) for y in self.data["year"].dropna().unique())

    def to_frame(self) -> pd.DataFrame:
        """The long frame (a copy of :attr:`data`)."""
        return self.data.copy()

    def wide(self) -> pd.DataFrame:
        """Wide view: provinces x years (or provinces x indicators for a cross-section).

        The index is the full province name in code order; the columns are the years
        (ascending) or the indicators (file order). Missing cells stay NaN.
        """
        columns = "year" if self.orientation == "years" else "indicator"
        wide = self.data.pivot(index="code", columns=columns, values="value")
        if self.orientation == "indicators":
            wide = wide.reindex(columns=self.indicators)
        names = self.data.drop_duplicates("code").set_index("code")["province"]
        wide.index = pd.Index([names[c] for c in wide.index], name="province")
        wide.columns.name = columns
        return wide

    def summary(self) -> str:
        """A few lines describing the table."""
        n_prov = int(self.data["code"].nunique())
        years = self.years
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "-")
        if self.orientation == "years":
            what = f"indicator: {self.indicator}" + (f" [{self.unit}]" if self.unit else "")
            shape = f"{n_prov} provinces x {len(years)} years ({span})"
        else:
            what = f"cross-section {span}, {len(self.indicators)} indicators: " + ", ".join(
                f"{k} [{v}]" if v else k for k, v in self.units.items()
            )
            shape = f"{n_prov} provinces x {len(self.indicators)} indicators"
        lines = [
            f"NBS table {self.source_path.name} ({self.database or 'database not stated'}, "
            f"encoding {self.encoding})",
            what + (f"; time: {self.time_label}" if self.time_label else ""),
            f"{shape} = {len(self.data)} values, {self.n_missing} missing (kept as NaN)",
            f"national total row: {'yes' if len(self.national) else 'no'}; "
            f"footnotes: {len(self.footnotes)} line(s)",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"<NBSTable {self.source_path.name}: {len(self.data)} rows, {self.n_missing} missing>"
        )


# --- reader -------------------------------------------------------------------------------


def _find_header(lines: list[str], path: Path) -> tuple[int, dict[str, str], str]:
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        stripped = line.strip(_STRIP + '"')
        if not stripped:
            continue
        m = _META.match(line)
        if m and m.group(1) != "地区":
            meta[m.group(1)] = _clean_meta(m.group(2))
            continue
        first = re.split(r"[,\t]", stripped, maxsplit=1)[0]
        if _clean_cell(first.strip('"')) == "地区":
            sep = "," if "," in line else ("\t" if "\t" in line else "")
            if not sep:
                raise DataFormatError(
                    f"{path}, line {i + 1}: the header row {line.strip()!r} has a single "
                    "column; expected 地区 followed by year or indicator columns separated "
                    "by commas or tabs."
                )
            return i, meta, sep
    raise DataFormatError(
        f"expected a header row starting with 地区 within the first {_HEADER_SEARCH_LINES} "
        f"lines of {path}; found: {_preview([ln for ln in lines if ln.strip()])}. "
        "Is this an NBS 分省年度数据 download (provinces as rows)?"
    )


def _parse_number(cell: str) -> float | None:
    """float for a number, NaN for an empty cell, None for anything else."""
    if cell == "":
        return math.nan
    if _NUMBER.match(cell):
        return float(cell)
    return None


def read_nbs(
    path: str | os.PathLike[str],
    *,
    indicator: str | None = None,
    unit: str | None = None,
    encoding: str | None = None,
    year: int | None = None,
) -> NBSTable:
    """Read one download of the NBS "分省年度数据" database.

    Parameters
    ----------
    path : str or path-like
        The CSV file exactly as downloaded (never modified).
    indicator, unit : str, optional
        Indicator name and unit for a years-as-columns table. They override the
        ``指标：`` line when given; when the file has no ``指标：`` line and no
        ``indicator`` is given, the file stem is used and a warning is issued. Ignored
        (with a warning) for cross-sections, whose headers name the indicators.
    encoding : str, optional
        Force an encoding; by default a BOM decides, else UTF-8, else GB18030.
    year : int, optional
        Year of a cross-section whose ``时间：`` line does not state one year.

    Returns
    -------
    NBSTable
        The long frame (``.data``), the national-total row (``.national``), metadata,
        footnotes and the number of missing cells (``.n_missing``).

    Raises
    ------
    InputError
        The path does not exist or is a directory.
    DataFormatError
        The file is empty, binary, has no ``地区`` header row in its first lines, no
        data rows, a non-numeric cell, a row of the wrong length, or a duplicated
        province or column. The message names the file, line, province and column.
    NBSUnknownRegionError
        A row name is not a province (also an ``UnknownRegionError``); the message lists
        every such row with its line number and the closest registry names.

    Examples
    --------
    A download as the NBS site writes it (illustrative numbers), saved in GBK/GB18030:

    >>> from pathlib import Path
    >>> text = ("数据库：分省年度数据\\n指标：地区生产总值(亿元)\\n时间：最近3年\\n"
    ...         "地区,2024年,2023年,2022年\\n北京市,100.5,95.2,90.1\\n天津市,60.3,,55.8\\n"
    ...         "河北省,120.0,112.4,108.9\\n注：2023年天津市数据缺失。\\n数据来源：国家统计局\\n")
    >>> _ = Path("gdp.csv").write_bytes(text.encode("gb18030"))
    >>> from exportlens.data import read_nbs
    >>> t = read_nbs("gdp.csv")
    >>> t.indicator, t.unit, t.encoding, t.n_missing
    ('地区生产总值', '亿元', 'gb18030', 1)
    >>> t.wide()
    year       2022   2023   2024
    province
    北京市        90.1   95.2  100.5
    天津市        55.8    NaN   60.3
    河北省       108.9  112.4  120.0
    >>> t.to_frame().head(2)
         code province  year indicator unit  value
    0  110000      北京市  2022    地区生产总值   亿元   90.1
    1  110000      北京市  2023    地区生产总值   亿元   95.2

    A row that is not a province is named with its line:

    >>> _ = Path("bad.csv").write_text(text.replace("河北省", "火星省"), encoding="utf-8")
    >>> read_nbs("bad.csv")
    Traceback (most recent call last):
    ...
    exportlens.errors.NBSUnknownRegionError: bad.csv: ... line 7: Unknown province '火星省'...

    On a real download (not run here)::

        t = read_nbs("gdp_2006_2024.csv")
        t.wide().loc["北京市", 2024]          # 49670.2
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"NBS file not found: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory; expected an NBS CSV download")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataFormatError(f"{path} is empty; expected an NBS 分省年度数据 CSV download.")
    text, used_encoding = _decode(raw, path, encoding)
    lines = text.splitlines()
    if not any(line.strip(_STRIP) for line in lines):
        raise DataFormatError(f"{path} is empty; expected an NBS 分省年度数据 CSV download.")

    header_idx, meta, sep = _find_header(lines, path)
    header = _split_row(lines[header_idx], sep)
    while header and header[-1] == "":
        header.pop()
    labels = header[1:]
    if not labels:
        raise DataFormatError(
            f"{path}, line {header_idx + 1}: the header row has no column after 地区."
        )
    if "" in labels:
        pos = labels.index("") + 2
        raise DataFormatError(
            f"{path}, line {header_idx + 1}: column {pos} of the header row is empty; "
            f"found {lines[header_idx].strip()!r}."
        )
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise DataFormatError(f"{path}, line {header_idx + 1}: duplicated column(s) {dup}.")

    years_of = [_year_of(x) for x in labels]
    if all(y is not None for y in years_of):
        orientation: Literal["years", "indicators"] = "years"
    elif all(y is None for y in years_of):
        orientation = "indicators"
    else:
        bad = [x for x, y in zip(labels, years_of, strict=True) if y is None]
        raise DataFormatError(
            f"{path}, line {header_idx + 1}: the header mixes year columns and other columns "
            f"{bad}; expected either all years (2024年, 2023年 ...) or all indicators."
        )

    # Data rows, then footnotes (everything from the first 注：/数据来源 line on).
    rows: list[tuple[int, list[str]]] = []
    footnotes: list[str] = []
    in_footnotes = False
    first_note = 0
    after_notes: list[str] = []  # province rows below a footnote line (would be lost silently)
    for i in range(header_idx + 1, len(lines)):
        line = lines[i]
        if not line.strip(_STRIP + ',"'):
            continue
        if in_footnotes or _FOOTNOTE.match(line):
            if not in_footnotes:
                first_note = i + 1
            in_footnotes = True
            if not _FOOTNOTE.match(line) and _looks_like_data_row(_split_row(line, sep), len(header)):
                after_notes.append(f"line {i + 1} ({_split_row(line, sep)[0]})")
                continue
            note = _clean_footnote(line)
            if note:
                footnotes.append(note)
            continue
        cells = _split_row(line, sep)
        if len(cells) > len(header):
            extra = cells[len(header) :]
            if any(extra):
                raise DataFormatError(
                    f"{path}, line {i + 1} ({cells[0] or 'no name'}): {len(cells)} cells but "
                    f"the header row (line {header_idx + 1}) has {len(header)} columns; "
                    f"found {line.strip()[:120]!r}."
                )
            cells = cells[: len(header)]
        if len(cells) < len(header):
            raise DataFormatError(
                f"{path}, line {i + 1} ({cells[0] or 'no name'}): only {len(cells)} cells but "
                f"the header row (line {header_idx + 1}) has {len(header)} columns; "
                f"found {line.strip()[:120]!r}."
            )
        if not cells[0]:
            raise DataFormatError(
                f"{path}, line {i + 1}: the first cell (地区) is empty; expected a province "
                f"name; found {line.strip()[:120]!r}."
            )
        rows.append((i + 1, cells))
    if after_notes:
        raise DataFormatError(
            f"{path}, line {first_note}: a footnote line ({lines[first_note - 1].strip()[:40]!r}) sits between "
            f"data rows; {len(after_notes)} province row(s) follow it ({format_list(after_notes, 5)}) and would be "
            "lost. Move the footnote line to the end of the file (or delete it) and read the file again."
        )
    if not rows:
        raise DataFormatError(
            f"{path} has no data rows: expected one row per province after the header row "
            f"on line {header_idx + 1}."
        )

    # Values: every cell must be a number or empty.
    bad_cells: list[str] = []
    values: list[list[float]] = []
    for lineno, cells in rows:
        parsed = []
        for label, cell in zip(labels, cells[1:], strict=True):
            v = _parse_number(cell)
            if v is None:
                bad_cells.append(f"line {lineno}, {cells[0]}, column {label!r}: {cell!r}")
                v = math.nan
            parsed.append(v)
        values.append(parsed)
    if bad_cells:
        shown = format_list(bad_cells, 10)
        raise DataFormatError(
            f"{path}: {len(bad_cells)} non-numeric cell(s), expected numbers or empty cells: "
            f"{shown}."
        )

    # Region names: national total kept apart, everything else must be a province.
    national_rows: list[int] = []
    province_rows: list[int] = []
    codes: list[int] = []
    names: list[str] = []
    unknown: list[str] = []
    for k, (lineno, cells) in enumerate(rows):
        if is_national_total(cells[0]):
            national_rows.append(k)
            continue
        try:
            p = resolve_province(cells[0])
        except UnknownRegionError as exc:
            unknown.append(f"line {lineno}: {exc}")
            continue
        province_rows.append(k)
        codes.append(p.code)
        names.append(p.name_zh)
    if unknown:
        raise NBSUnknownRegionError(
            f"{path}: {len(unknown)} row name(s) are not provinces: " + " | ".join(unknown)
        )
    seen: dict[int, int] = {}
    for k, code in zip(province_rows, codes, strict=True):
        if code in seen:
            first = rows[seen[code]]
            raise DataFormatError(
                f"{path}: line {rows[k][0]} ({rows[k][1][0]}) repeats the province of line "
                f"{first[0]} ({first[1][0]})."
            )
        seen[code] = k
    if len(national_rows) > 1:
        raise DataFormatError(
            f"{path}: several national-total rows (lines {[rows[k][0] for k in national_rows]})."
        )

    # Indicator, unit and year(s).
    file_indicator = meta.get("指标") or None
    time_label = meta.get("时间") or None
    if orientation == "years":
        ind_name, ind_unit = (
            split_indicator_unit(file_indicator) if file_indicator else (None, None)
        )
        if indicator is not None:
            ind_name = indicator
        if unit is not None:
            ind_unit = unit
        if ind_name is None:
            ind_name = path.stem
            warnings.warn(
                f"{path.name} has no 指标： line, so the indicator name is not in the file; "
                f"using the file stem {ind_name!r}. Pass indicator= (and unit=) to name it.",
                DataFormatWarning,
                stacklevel=2,
            )
        col_indicator = [ind_name] * len(labels)
        col_unit: list[str | None] = [ind_unit] * len(labels)
        col_year = [int(y) for y in years_of if y is not None]
        order = np.argsort(col_year, kind="stable")
    else:
        if indicator is not None or unit is not None:
            warnings.warn(
                f"{path.name} is a cross-section whose columns name the indicators; "
                "indicator=/unit= are ignored.",
                DataFormatWarning,
                stacklevel=2,
            )
        the_year = year
        if the_year is None and time_label:
            the_year = _year_of(time_label)
        if the_year is None:
            raise DataFormatError(
                f"{path}: the columns are indicators (a cross-section) but the 时间： line "
                f"({time_label or 'empty or missing'}) does not state one year; pass year=."
            )
        pairs = [split_indicator_unit(x) for x in labels]
        col_indicator = [p[0] for p in pairs]
        col_unit = [p[1] for p in pairs]
        col_year = [int(the_year)] * len(labels)
        order = np.arange(len(labels))
        ind_name, ind_unit = None, None

    def build(
        row_ids: list[int], region_codes: list[int | None], region_names: list[str]
    ) -> pd.DataFrame:
        rec_code: list[int | None] = []
        rec_name: list[str] = []
        rec_year: list[int] = []
        rec_ind: list[str] = []
        rec_unit: list[str | None] = []
        rec_val: list[float] = []
        for k, code, name in zip(row_ids, region_codes, region_names, strict=True):
            for j in order:
                rec_code.append(code)
                rec_name.append(name)
                rec_year.append(col_year[j])
                rec_ind.append(col_indicator[j])
                rec_unit.append(col_unit[j])
                rec_val.append(values[k][j])
        return pd.DataFrame(
            {
                "code": pd.array(rec_code, dtype="Int64"),
                "province": pd.Series(rec_name, dtype=object).astype(_str_dtype()),
                "year": pd.array(rec_year, dtype="Int64"),
                "indicator": pd.Series(rec_ind, dtype=object).astype(_str_dtype()),
                "unit": _nullable_str(rec_unit),
                "value": np.asarray(rec_val, dtype="float64"),
            },
            columns=LONG_COLUMNS,
        )

    data = build(province_rows, list(codes), names)
    if len(data):
        data = data.sort_values(["code"], kind="stable").reset_index(drop=True)
    national = build(
        national_rows, [None] * len(national_rows), [rows[k][1][0] for k in national_rows]
    )

    return NBSTable(
        data=data,
        national=national,
        database=meta.get("数据库") or None,
        indicator=ind_name,
        unit=ind_unit,
        time_label=time_label,
        footnotes=footnotes,
        source_path=path,
        encoding=used_encoding,
        n_missing=int(data["value"].isna().sum()),
        orientation=orientation,
    )


def _str_dtype() -> Any:
    """The string dtype pandas uses by default (``str`` in pandas 3, object before)."""
    return pd.Series(["a"]).dtype


def _nullable_str(values: list[str | None]) -> pd.Series:
    s = pd.Series(values, dtype=object)
    dtype = _str_dtype()
    if dtype is not object and str(dtype) != "object":
        return s.astype(dtype)  # None -> missing in pandas' str dtype
    return s


def read_nbs_many(
    paths: Iterable[str | os.PathLike[str]],
    *,
    encoding: str | None = None,
    include_national: bool = False,
    indicators: Mapping[str, str | tuple[str, str | None]] | None = None,
) -> pd.DataFrame:
    """Read several NBS downloads and stack them into one long frame.

    Parameters
    ----------
    paths : iterable of path-like
        NBS CSV downloads (any mix of indicators, years-as-columns or cross-sections).
    encoding : str, optional
        Force one encoding for every file (auto-detected per file by default).
    include_national : bool, default False
        Also stack the national-total rows (``code`` missing).
    indicators : mapping, optional
        Indicator name, or ``(name, unit)``, for files without a ``指标：`` line, keyed by
        file name or file stem, e.g. ``{"retail_sales_2016_2024_utf8bom": ("社会消费品零售总额",
        "亿元")}``; passed to :func:`read_nbs` as ``indicator=``/``unit=``.

    Returns
    -------
    pandas.DataFrame
        The columns of :attr:`NBSTable.data` plus ``source`` (the file name). Overlapping
        files (e.g. two vintages of the same indicator) are all kept; a warning says when
        they disagree on a province-year value.

    Examples
    --------
    Two downloads (GDP in GB18030, population in UTF-8 with BOM; illustrative numbers)
    stacked into one long frame:

    >>> from pathlib import Path
    >>> head = "数据库：分省年度数据\\n指标：{}\\n时间：最近3年\\n地区,2024年,2023年,2022年\\n"
    >>> gdp = head.format("地区生产总值(亿元)") + "北京市,100.5,95.2,90.1\\n天津市,60.3,58.1,55.8\\n"
    >>> pop = head.format("年末常住人口(万人)") + "北京市,2183,2186,2184\\n天津市,1364,1364,1363\\n"
    >>> _ = Path("gdp.csv").write_bytes(gdp.encode("gb18030"))
    >>> _ = Path("pop.csv").write_text(pop, encoding="utf-8-sig")
    >>> from exportlens.data import read_nbs_many
    >>> long = read_nbs_many(["gdp.csv", "pop.csv"])
    >>> long.groupby(["indicator", "unit", "source"]).size()
    indicator  unit  source
    地区生产总值     亿元    gdp.csv    6
    年末常住人口     万人    pop.csv    6
    dtype: int64
    >>> long.pivot(index=["province", "year"], columns="indicator", values="value").head(2)
    indicator      地区生产总值  年末常住人口
    province year
    北京市      2022    90.1  2184.0
             2023    95.2  2186.0
    """
    names = dict(indicators or {})
    frames = []
    for p in paths:
        p = Path(p)
        given = names.get(p.name, names.get(p.stem))
        ind, unit = (given, None) if isinstance(given, str) or given is None else given
        table = read_nbs(p, encoding=encoding, indicator=ind, unit=unit)
        parts = [table.data]
        if include_national and len(table.national):
            parts.append(table.national)
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else table.to_frame()
        frame["source"] = table.source_path.name
        frames.append(frame)
    if not frames:
        raise InputError("read_nbs_many needs at least one file.")
    out = pd.concat(frames, ignore_index=True)
    keys = ["code", "province", "year", "indicator"]
    spread = (
        out.dropna(subset=["value"]).groupby(keys, dropna=False)["value"].agg(["nunique", "size"])
    )
    conflicts = spread[spread["nunique"] > 1]
    if len(conflicts):
        examples = ", ".join(f"{p} {y} {i}" for _, p, y, i in conflicts.index[:3])
        warnings.warn(
            f"{len(conflicts)} province-year-indicator value(s) differ between files "
            f"(e.g. {examples}); all rows are kept, use the 'source' column to choose.",
            DataFormatWarning,
            stacklevel=2,
        )
    return out
