"""Build a province-year panel from raw downloads: ``exportlens data build panel.toml``.

A build file declares the variables of the panel, each either read from a file (an NBS
"分省年度数据" download, a yearbook workbook with provinces as columns and years as rows, or a
long CSV/Excel/Stata/Parquet panel) or derived from earlier variables by one transformation.
Every source is resolved to canonical province codes (GB/T 2260) and merged on code and year;
the result carries a validation report (coverage by variable, province and year, placeholder
cells read as missing, NBS footnotes, year-on-year breaks) and a provenance table (variable,
source file and its SHA-256, transformation, unit)::

    [build]
    years = [2012, 2020]          # first and last year of the output panel
    output = "panel.csv"          # .csv, .parquet or .xlsx (relative to this file)
    break_factor = 2.0            # flag year-on-year changes beyond x2 or below x1/2

    [[variables]]
    name = "gdp"
    file = "nbs/gdp_2006_2024.csv" # layout detected: NBS download
    unit = "亿元"

    [[variables]]
    name = "gdp_pc"
    file = "cnmoderndata/E4.xlsx"  # provinces as columns, years as rows
    unit = "元/人"

    [[variables]]
    name = "population"
    op = "ratio"                   # gdp * 1e8 / gdp_pc
    inputs = ["gdp", "gdp_pc"]
    scale = 1e8
    unit = "人"

Transformations (``op``), each multiplied by ``scale`` (default 1):

* ``ratio``, ``per_capita``: x / y (``inputs = [x, y]``); a zero denominator gives a missing value;
* ``product``: x1 · x2 · ...;
* ``log``: ln x (x <= 0 gives a missing value, counted);
* ``growth``: x_t / x_{t-p} - 1 with ``periods = p`` (default 1), on the full year grid;
* ``deflate``: x · base / index (``inputs = [x, index]``, ``base`` default 100: a price index with
  base-year value 100 turns nominal values into base-year prices);
* ``convert``: x · rate_t with the rates read from ``rates`` (a CSV/Excel file with a ``year``
  column and a ``rate_column``, default ``rate``; e.g. CNY per USD to turn USD into CNY);
* ``lag``: x_{t-p} with ``periods = p``, on the full year grid (so the first output year takes
  its value from the year before, when a source has it);
* ``scale``: x · scale (unit change).

The same description can be embedded in other files through :func:`build_spec_from_dict`.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as _PydanticValidationError

from exportlens.data.nbs import detect_encoding, read_nbs
from exportlens.data.panel import SUPPORTED_SUFFIXES, load_panel, parse_year
from exportlens.errors import DataFormatError, InputError, StudySpecError, UnknownRegionError
from exportlens.regions import resolve_province
from exportlens.validation import reading

__all__ = [
    "BuildOptions",
    "PanelBuild",
    "PanelBuildResult",
    "VariableSpec",
    "build_panel",
    "build_spec_from_dict",
    "read_build_file",
]

Op = Literal["ratio", "per_capita", "product", "log", "growth", "deflate", "convert", "lag", "scale"]
Layout = Literal["auto", "nbs", "columns", "long"]
_ARITY: dict[str, tuple[int, int | None]] = {
    "ratio": (2, 2), "per_capita": (2, 2), "product": (2, None), "log": (1, 1), "growth": (1, 1),
    "deflate": (2, 2), "convert": (1, 1), "lag": (1, 1), "scale": (1, 1),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class BuildOptions(_Strict):
    """The ``[build]`` section."""

    years: list[int] | None = Field(default=None, min_length=2, max_length=2,
                                    description="first and last year of the output panel, e.g. [2012, 2020]")
    output: str | None = Field(default=None, description="output panel file (.csv, .parquet or .xlsx)")
    break_factor: float | None = Field(default=2.0, gt=1, description="flag year-on-year changes beyond this factor")
    exclude: list[str] = Field(default_factory=list, description='provinces left out, e.g. ["西藏"]')


class VariableSpec(_Strict):
    """One ``[[variables]]`` entry: read from ``file`` or derived by ``op`` from ``inputs``."""

    name: str = Field(min_length=1, description="column name in the output panel")
    file: str | None = Field(default=None, description="source file (relative to the build file)")
    layout: Layout = Field(default="auto", description="auto, nbs, columns (provinces as columns) or long")
    sheet: str | None = Field(default=None, description="Excel sheet (default the first)")
    indicator: str | None = Field(default=None, description="long files: the value column; NBS cross-sections: the indicator")
    entity: str = Field(default="province", description="long files: the province column")
    time: str = Field(default="year", description="long files: the year column")
    op: Op | None = Field(default=None, description="transformation of earlier variables")
    inputs: list[str] = Field(default_factory=list, description="the variables the transformation uses")
    scale: float = Field(default=1.0, description="multiplier applied to the result (unit change)")
    periods: int = Field(default=1, ge=1, description="lag/growth: number of years")
    base: float = Field(default=100.0, gt=0, description="deflate: value of the index in the base year")
    rates: str | None = Field(default=None, description="convert: file with a year column and a rate column")
    rate_column: str = Field(default="rate", description="convert: the rate column of the rates file")
    unit: str | None = Field(default=None, description="unit of the variable (shown in the provenance table)")
    break_factor: float | None = Field(default=None, gt=1, description="override [build] break_factor for this variable")
    keep: bool = Field(default=True, description="false: a helper variable left out of the output panel")


class PanelBuild(_Strict):
    """A whole build file: ``[build]`` and ``[[variables]]``."""

    build: BuildOptions = Field(default_factory=lambda: BuildOptions())
    variables: list[VariableSpec] = Field(min_length=1)
    _base_dir: Path = Path(".")
    _origin: str = "build file"


_EXPECTED = {
    "bool_type": "true or false (without quotes)", "int_type": "a whole number (without quotes)",
    "float_type": "a number (without quotes)", "string_type": "a quoted string",
    "list_type": "a list in brackets", "literal_error": "one of {expected}", "too_short": "at least {min_length} item(s)",
    "too_long": "at most {max_length} item(s)", "greater_than": "a number > {gt}",
    "greater_than_equal": "a number >= {ge}", "extra_forbidden": None, "missing": None,
}


def _where(loc: Sequence[Any], raw: Mapping[str, Any]) -> str:
    if loc and loc[0] == "variables" and len(loc) >= 2 and isinstance(loc[1], int):
        items = raw.get("variables") or []
        entry = items[loc[1]] if loc[1] < len(items) else {}
        name = entry.get("name") if isinstance(entry, Mapping) else None
        label = f"[[variables]] #{loc[1] + 1}" + (f" (name = {name!r})" if name else "")
        return f"{label} key {'.'.join(str(x) for x in loc[2:]) or '(entry)'}"
    if loc and loc[0] == "build":
        return f"[build] key {'.'.join(str(x) for x in loc[1:]) or '(section)'}"
    return f"[{'.'.join(str(x) for x in loc)}]" if loc else "(file)"


def build_spec_from_dict(raw: Mapping[str, Any], *, base_dir: str | os.PathLike[str] = ".",
                         origin: str = "build file") -> PanelBuild:
    """Validate the nested structure of a build description (``[build]`` and ``[[variables]]``).

    Raises :class:`~exportlens.errors.StudySpecError` naming ``[section] key`` for every problem.
    """
    unknown = [k for k in raw if k not in ("build", "variables")]
    if unknown:
        raise StudySpecError(f"{origin}: unknown section [{unknown[0]}]; sections: [build], [[variables]].")
    try:
        spec = PanelBuild(**raw)
    except _PydanticValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _where(err["loc"], raw)
            if err["type"] == "extra_forbidden":
                lines.append(f"{where}: unknown key")
            elif err["type"] == "missing":
                lines.append(f"{where}: required")
            else:
                expected = _EXPECTED.get(err["type"])
                ctx = err.get("ctx") or {}
                text = expected.format(**ctx) if expected else err["msg"]
                lines.append(f"{where} = {err.get('input')!r}: expected {text}")
        raise StudySpecError(f"{origin}: " + "; ".join(lines) + ".") from None
    spec._base_dir = Path(base_dir)
    spec._origin = origin
    _check_spec(spec)
    return spec


def _check_spec(spec: PanelBuild) -> None:
    origin = spec._origin
    seen: set[str] = set()
    for i, var in enumerate(spec.variables, start=1):
        label = f"{origin}: [[variables]] #{i} (name = {var.name!r})"
        if var.name in seen or var.name in ("code", "province", "year"):
            raise StudySpecError(f"{label}: the name is used twice or is reserved (code, province, year); rename it.")
        if (var.file is None) == (var.op is None):
            raise StudySpecError(f"{label}: give either key file (a source) or key op (a transformation), not "
                                 f"{'both' if var.file else 'neither'}.")
        if var.op is not None:
            low, high = _ARITY[var.op]
            n = len(var.inputs)
            if n < low or (high is not None and n > high):
                want = f"{low}" if low == high else f"at least {low}"
                raise StudySpecError(f"{label}: op = {var.op!r} needs {want} name(s) in key inputs, got {var.inputs}.")
            missing = [x for x in var.inputs if x not in seen]
            if missing:
                raise StudySpecError(f"{label}: key inputs names {missing}, which is not a variable declared above it; "
                                     "declare the inputs first.")
            if var.op == "convert" and not var.rates:
                raise StudySpecError(f"{label}: op = 'convert' needs key rates (a file with year and rate columns).")
        seen.add(var.name)
    years = spec.build.years
    if years is not None and years[0] > years[1]:
        raise StudySpecError(f"{origin}: [build] key years = {years}: the first year is after the last.")


def read_build_file(path: str | os.PathLike[str]) -> PanelBuild:
    """Read and validate a build file (TOML, UTF-8 with or without BOM).

    Examples
    --------
    >>> from pathlib import Path
    >>> from exportlens.data import read_build_file
    >>> toml = ["[build]", "years = [2012, 2020]",
    ...         "[[variables]]", 'name = "gdp"', 'file = "gdp.csv"', 'unit = "亿元"',
    ...         "[[variables]]", 'name = "ln_gdp"', 'op = "log"', 'inputs = ["gdp"]']
    >>> _ = Path("build.toml").write_text(chr(10).join(toml), encoding="utf-8")
    >>> spec = read_build_file("build.toml")
    >>> spec.build.years, [(v.name, v.file, v.op) for v in spec.variables]
    ([2012, 2020], [('gdp', 'gdp.csv', None), ('ln_gdp', None, 'log')])

    Mistakes are named by section and key:

    >>> _ = Path("bad.toml").write_text(chr(10).join(toml + ["units = 'x'"]), encoding="utf-8")
    >>> read_build_file("bad.toml")
    Traceback (most recent call last):
    ...
    exportlens.errors.StudySpecError: bad.toml: [[variables]] #2 (name = 'ln_gdp') key units: ...
    """
    import tomllib

    path = Path(path)
    if not path.is_file():
        raise InputError(f"build file not found: {path}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StudySpecError(f"{path}: not a UTF-8 text file; save the build file as UTF-8 TOML.") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudySpecError(f"{path}: not valid TOML ({exc}).") from None
    return build_spec_from_dict(raw, base_dir=path.parent, origin=path.name)


# --- reading sources ------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_nbs(path: Path) -> bool:
    if SUPPORTED_SUFFIXES.get(path.suffix.lower()) not in ("csv", "tsv"):
        return False
    head = path.read_bytes()[:200]
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(enc, errors="ignore")
        except LookupError:  # pragma: no cover
            continue
        start = text.lstrip("\ufeff \t\r\n")
        if start.startswith(("数据库", "指标")) or re.match(r"地区\s*[,\t]+\s*\d{4}年", start):
            return True
    return False


def _looks_like_columns(path: Path, sheet: str | None) -> bool:
    """Provinces as columns, years as rows: most headers are provinces and most first-column cells years."""
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind not in ("excel", "csv", "tsv"):
        return False
    try:
        if kind == "excel":
            head = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, nrows=5)
        else:
            head = _read_csv(path, nrows=5)
    except Exception:
        return False
    provinces = 0
    for col in head.columns[1:]:
        try:
            resolve_province(str(col))
            provinces += 1
        except UnknownRegionError:
            pass
    years = sum(parse_year(v) is not None for v in head.iloc[:, 0].tolist())
    return provinces >= max(2, (len(head.columns) - 1) // 2) and years >= max(1, len(head) // 2)


def _read_csv(path: Path, nrows: int | None = None) -> pd.DataFrame:
    """A small CSV/TSV file (encoding detected) as read by pandas."""
    raw = path.read_bytes()
    sep = "\t" if SUPPORTED_SUFFIXES.get(path.suffix.lower()) == "tsv" else ","
    return pd.read_csv(io.StringIO(raw.decode(detect_encoding(raw))), nrows=nrows, sep=sep)


@dataclass
class _Source:
    frame: pd.DataFrame  # code, year, value
    layout: str
    n_missing: int
    placeholders: int
    footnotes: list[str]
    unit: str | None
    indicator: str | None
    sha256: str


def _read_source(var: VariableSpec, path: Path, label: str) -> _Source:
    if not path.is_file():
        raise InputError(f"{label}: key file: {path} not found (paths are relative to the build file).")
    layout = var.layout
    if layout == "auto":
        layout = "nbs" if _is_nbs(path) else ("columns" if _looks_like_columns(path, var.sheet) else "long")
    footnotes: list[str] = []
    unit: str | None = None
    indicator = var.indicator
    if layout == "nbs":
        table = read_nbs(path)
        data = table.to_frame()
        if table.orientation == "indicators":
            if var.indicator is None:
                raise StudySpecError(f"{label}: {path.name} is an NBS cross-section with indicators "
                                     f"{table.indicators}; name one with key indicator.")
            data = data[data["indicator"] == var.indicator]
            if data.empty:
                raise StudySpecError(f"{label}: key indicator = {var.indicator!r} is not in {path.name}; "
                                     f"indicators: {table.indicators}.")
        unit, indicator = table.units.get(str(data["indicator"].iloc[0])) if len(data) else None, (
            table.indicator or var.indicator)
        frame = data[["code", "year", "value"]]
        footnotes = list(table.footnotes)
        placeholders, n_missing = 0, int(data["value"].isna().sum())
    else:
        if layout == "columns":
            data = load_panel(path, entity="province", time="year", layout="wide", wide_entities="columns",
                              value_name="value", sheet=var.sheet, national="drop")
        else:
            if var.indicator is None:
                raise StudySpecError(f"{label}: {path.name} is read as a long panel; name its value column with "
                                     "key indicator (and the province and year columns with keys entity and time).")
            data = load_panel(path, entity=var.entity, time=var.time, columns=[var.indicator], sheet=var.sheet,
                              national="drop")
            data = data.rename(columns={var.time: "year", var.indicator: "value"})
        placeholders = sum(data.attrs.get("placeholders", {}).values())
        values = pd.to_numeric(data["value"], errors="coerce")
        bad = data["value"].notna() & values.isna()
        if bad.any():
            first = data.index[bad][0]
            raise DataFormatError(
                f"{label}: {path.name} has {int(bad.sum())} non-numeric cell(s), e.g. {data.loc[first, 'value']!r} "
                f"for {data.loc[first, 'province']} {data.loc[first, 'year']}; make such cells numbers or empty.")
        data = data.assign(value=values.astype("float64"))
        frame = data[["code", "year", "value"]]
        n_missing = int(frame["value"].isna().sum())
    if frame["year"].isna().any():
        raise DataFormatError(f"{label}: {path.name} has rows without a year; check key time.")
    frame = frame.astype({"code": "int64", "year": "int64"})
    dup = frame.duplicated(["code", "year"], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        raise DataFormatError(f"{label}: {path.name} has {int(dup.sum())} rows for the same province and year, "
                              f"e.g. code {first['code']} in {first['year']} (the same province spelled two ways?); "
                              "keep one row per province and year.")
    return _Source(frame=frame.reset_index(drop=True), layout=layout, n_missing=n_missing,
                   placeholders=placeholders, footnotes=footnotes, unit=unit, indicator=indicator,
                   sha256=sha256_of(path))


def _read_rates(path: Path, column: str, label: str) -> pd.Series:
    if not path.is_file():
        raise InputError(f"{label}: key rates: {path} not found (paths are relative to the build file).")
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    with reading(path, what=f"{label}: key rates file (CSV or Excel)"):
        frame = pd.read_excel(path) if kind == "excel" else _read_csv(path)
    for col in ("year", column):
        if col not in frame.columns:
            raise DataFormatError(f"{label}: the rates file {path.name} has no column {col!r} "
                                  f"(columns: {list(frame.columns)}); set key rate_column.")
    years = [parse_year(v) for v in frame["year"]]
    rates = pd.to_numeric(frame[column], errors="coerce")
    if any(y is None for y in years) or rates.isna().any():
        raise DataFormatError(f"{label}: the rates file {path.name} has rows without a year or a numeric rate.")
    return pd.Series(rates.to_numpy(dtype=float), index=pd.Index(years, name="year"))


# --- transformations --------------------------------------------------------------------------


def _shift(series: pd.Series, periods: int) -> pd.Series:
    """x_{t-periods} within each province on the complete (code, year) grid."""
    return series.groupby(level="code").shift(periods)


def _apply(var: VariableSpec, wide: pd.DataFrame, base_dir: Path, label: str) -> tuple[pd.Series, str, int]:
    """The derived series, a description of the transformation and the number of cells set missing."""
    x = [wide[name] for name in var.inputs]
    dropped = 0
    if var.op in ("ratio", "per_capita"):
        den = x[1].where(x[1] != 0)
        dropped = int((x[1] == 0).sum())
        out = x[0] / den
        text = f"{var.inputs[0]} / {var.inputs[1]}"
    elif var.op == "product":
        out = x[0].copy()
        for s in x[1:]:
            out = out * s
        text = " * ".join(var.inputs)
    elif var.op == "log":
        dropped = int((x[0] <= 0).sum())
        out = np.log(x[0].where(x[0] > 0))
        text = f"ln({var.inputs[0]})"
    elif var.op == "growth":
        prev = _shift(x[0], var.periods)
        dropped = int((prev == 0).sum())
        out = x[0] / prev.where(prev != 0) - 1
        text = f"{var.inputs[0]}_t / {var.inputs[0]}_t-{var.periods} - 1"
    elif var.op == "deflate":
        dropped = int((x[1] <= 0).sum())
        out = x[0] * var.base / x[1].where(x[1] > 0)
        text = f"{var.inputs[0]} * {var.base:g} / {var.inputs[1]}"
    elif var.op == "convert":
        assert var.rates is not None
        rates = _read_rates(base_dir / var.rates, var.rate_column, label)
        rate = pd.Series(wide.index.get_level_values("year").map(rates.to_dict()), index=wide.index, dtype=float)
        dropped = int((x[0].notna() & rate.isna()).sum())
        out = x[0] * rate
        text = f"{var.inputs[0]} * rate(year) from {var.rates} [{var.rate_column}]"
    elif var.op == "lag":
        out = _shift(x[0], var.periods)
        text = f"{var.inputs[0]}_t-{var.periods}"
    else:  # scale
        out = x[0].copy()
        text = var.inputs[0]
    if var.scale != 1:
        out = out * var.scale
        text = f"({text}) * {var.scale:g}"
    return out.astype("float64"), text, dropped


# --- result -----------------------------------------------------------------------------------


@dataclass
class PanelBuildResult:
    """The built panel with its validation report and provenance table.

    Attributes
    ----------
    panel : DataFrame
        ``code``, ``province``, ``year`` and the kept variables, one row per province-year of
        the complete grid (missing cells stay NaN).
    provenance : DataFrame
        variable, kind (source/derived), file, sha256, layout, indicator, transformation, unit,
        placeholders (placeholder cells read as missing) and missing (missing cells in the output
        years); one row per declared variable, ``in_panel`` False for helpers (``keep = false``).
    coverage_variable, coverage_province, coverage_year : DataFrame
        Non-missing and missing cells by variable, by province (over all variables) and by year.
    breaks : DataFrame
        Year-on-year changes beyond the break factor: variable, code, province, year, previous
        value, value and ratio.
    footnotes : dict
        Footnote lines of each NBS source file.
    notes : list of str
        Cells set missing by a transformation, excluded provinces and the like.

    Examples
    --------
    Two NBS downloads (illustrative numbers) and a build file that derives GDP per capita:

    >>> from pathlib import Path
    >>> head = "数据库：分省年度数据\\n指标：{}\\n时间：最近3年\\n地区,2024年,2023年,2022年\\n"
    >>> _ = Path("gdp.csv").write_text(head.format("地区生产总值(亿元)")
    ...     + "北京市,100.5,95.2,90.1\\n天津市,60.3,,55.8\\n河北省,120.0,112.4,108.9\\n", encoding="utf-8")
    >>> _ = Path("pop.csv").write_text(head.format("年末常住人口(万人)")
    ...     + "北京市,2183,2186,2184\\n天津市,1364,1364,1363\\n河北省,7378,7393,7420\\n", encoding="utf-8")
    >>> toml = ["[build]", "years = [2022, 2024]",
    ...         "[[variables]]", 'name = "gdp"', 'file = "gdp.csv"',
    ...         "[[variables]]", 'name = "pop"', 'file = "pop.csv"',
    ...         "[[variables]]", 'name = "gdp_pc"', 'op = "per_capita"', 'inputs = ["gdp", "pop"]',
    ...         "scale = 1e4", 'unit = "元/人"']
    >>> _ = Path("build.toml").write_text(chr(10).join(toml), encoding="utf-8")
    >>> from exportlens.data import build_panel
    >>> result = build_panel("build.toml")
    >>> result.provenance[["variable", "kind", "transformation", "missing"]]
      variable     kind                   transformation  missing
    0      gdp   source                          as read        1
    1      pop   source                          as read        0
    2   gdp_pc  derived  per_capita: (gdp / pop) * 10000        1
    >>> print(result.summary())
    panel: 3 provinces x 3 years (2022-2024), 3 variables
    ...
    provinces with missing cells:
      code province  missing   variables
    120000      天津市        2 gdp, gdp_pc
    ...
    >>> [p.name for p in result.write("panel.csv")]
    ['panel.csv', 'panel.provenance.csv', 'panel.report.txt']
    """

    panel: pd.DataFrame
    provenance: pd.DataFrame
    coverage_variable: pd.DataFrame
    coverage_province: pd.DataFrame
    coverage_year: pd.DataFrame
    breaks: pd.DataFrame
    footnotes: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The panel (a copy)."""
        return self.panel.copy()

    def summary(self) -> str:
        """The validation report as text."""
        years = self.panel["year"]
        lines = [
            f"panel: {self.panel['code'].nunique()} provinces x {years.nunique()} years "
            f"({years.min()}-{years.max()}), {len(self.provenance)} variables",
            "",
            "coverage by variable:",
            self.coverage_variable.to_string(index=False),
            "",
            "provinces with missing cells:",
        ]
        gaps = self.coverage_province[self.coverage_province["missing"] > 0]
        lines.append(gaps.to_string(index=False) if len(gaps) else "  none")
        lines += ["", "missing cells by year:", self.coverage_year.to_string(index=False), ""]
        placeholders = self.provenance[self.provenance["placeholders"] > 0]
        if len(placeholders):
            lines.append("placeholder cells (--, —, …, ..) read as missing:")
            lines += [f"  {r.variable}: {r.placeholders} in {r.file}" for r in placeholders.itertuples()]
            lines.append("")
        for src, notes in self.footnotes.items():
            if notes:
                lines.append(f"footnotes of {src}:")
                lines += [f"  {n}" for n in notes]
                lines.append("")
        if len(self.breaks):
            lines.append(f"breaks: {len(self.breaks)} year-on-year change(s) beyond the break factor "
                         "(check for changes of definition or scale):")
            lines.append(self.breaks.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        else:
            lines.append("breaks: none beyond the break factor")
        if self.notes:
            lines += ["", "notes:", *[f"  {n}" for n in self.notes]]
        return "\n".join(lines)

    def write(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
        """Write the panel (.csv, .parquet or .xlsx), ``<stem>.provenance.csv`` and ``<stem>.report.txt``."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".parquet", ".xlsx"):
            raise InputError(f"output {path.name}: use a .csv, .parquet or .xlsx file name.")
        if not path.parent.is_dir():
            raise InputError(f"output {path}: folder {path.parent} does not exist.")
        targets = [path, path.with_name(path.stem + ".provenance.csv"), path.with_name(path.stem + ".report.txt")]
        existing = [t for t in targets if t.exists()]
        if existing and not overwrite:
            raise InputError(f"{existing[0]} exists; choose another output (--out) or pass --overwrite.")
        if suffix == ".csv":
            self.panel.to_csv(path, index=False, encoding="utf-8-sig")
        elif suffix == ".parquet":
            self.panel.to_parquet(path, index=False)
        else:
            with pd.ExcelWriter(path) as xw:
                self.panel.to_excel(xw, sheet_name="panel", index=False)
                self.provenance.to_excel(xw, sheet_name="provenance", index=False)
        self.provenance.to_csv(targets[1], index=False, encoding="utf-8-sig")
        targets[2].write_text(self.summary() + "\n", encoding="utf-8")
        return targets


def _breaks(panel: pd.DataFrame, factors: Mapping[str, float]) -> pd.DataFrame:
    """Cells where x_t / x_{t-1} > f or < 1/f (consecutive years, both values positive)."""
    rows = []
    ordered = panel.sort_values(["code", "year"])
    for name, f in factors.items():
        prev = ordered.groupby("code")[name].shift(1)
        prev_year = ordered.groupby("code")["year"].shift(1)
        ratio = ordered[name] / prev
        ok = (prev > 0) & (ordered[name] > 0) & (prev_year == ordered["year"] - 1)
        hit = ok & ((ratio > f) | (ratio < 1 / f))
        sub = ordered.loc[hit]
        for code, province, year, before, value, r in zip(
                sub["code"].tolist(), sub["province"].tolist(), sub["year"].tolist(), prev[hit].tolist(),
                sub[name].tolist(), ratio[hit].tolist(), strict=True):
            rows.append({"variable": name, "code": int(code), "province": province, "year": int(year),
                         "previous": float(before), "value": float(value), "ratio": float(r), "factor": f})
    return pd.DataFrame(rows, columns=["variable", "code", "province", "year", "previous", "value", "ratio", "factor"])


def build_panel(spec: PanelBuild | str | os.PathLike[str]) -> PanelBuildResult:
    """Build the panel described by ``spec`` (a :class:`PanelBuild` or the path of a build file).

    Examples
    --------
    Two NBS downloads (illustrative numbers) and a build file that derives GDP per capita:

    >>> from pathlib import Path
    >>> head = "数据库：分省年度数据\\n指标：{}\\n时间：最近3年\\n地区,2024年,2023年,2022年\\n"
    >>> _ = Path("gdp.csv").write_text(head.format("地区生产总值(亿元)")
    ...     + "北京市,100.5,95.2,90.1\\n天津市,60.3,,55.8\\n河北省,120.0,112.4,108.9\\n", encoding="utf-8")
    >>> _ = Path("pop.csv").write_text(head.format("年末常住人口(万人)")
    ...     + "北京市,2183,2186,2184\\n天津市,1364,1364,1363\\n河北省,7378,7393,7420\\n", encoding="utf-8")
    >>> toml = ["[build]", "years = [2022, 2024]",
    ...         "[[variables]]", 'name = "gdp"', 'file = "gdp.csv"',
    ...         "[[variables]]", 'name = "pop"', 'file = "pop.csv"',
    ...         "[[variables]]", 'name = "gdp_pc"', 'op = "per_capita"', 'inputs = ["gdp", "pop"]',
    ...         "scale = 1e4", 'unit = "元/人"']
    >>> _ = Path("build.toml").write_text(chr(10).join(toml), encoding="utf-8")
    >>> from exportlens.data import build_panel
    >>> result = build_panel("build.toml")
    >>> result.panel.round(1)
         code province  year    gdp     pop  gdp_pc
    0  110000      北京市  2022   90.1  2184.0   412.5
    1  110000      北京市  2023   95.2  2186.0   435.5
    2  110000      北京市  2024  100.5  2183.0   460.4
    3  120000      天津市  2022   55.8  1363.0   409.4
    4  120000      天津市  2023    NaN  1364.0     NaN
    5  120000      天津市  2024   60.3  1364.0   442.1
    6  130000      河北省  2022  108.9  7420.0   146.8
    7  130000      河北省  2023  112.4  7393.0   152.0
    8  130000      河北省  2024  120.0  7378.0   162.6
    >>> result.coverage_variable[["variable", "observed", "missing"]]
      variable  observed  missing
    0      gdp         8        1
    1      pop         9        0
    2   gdp_pc         8        1
    """
    if not isinstance(spec, PanelBuild):
        spec = read_build_file(spec)
    base = spec._base_dir
    columns: dict[str, pd.Series] = {}
    prov_rows: list[dict[str, Any]] = []
    footnotes: dict[str, list[str]] = {}
    notes: list[str] = []
    sources: dict[str, _Source] = {}
    for i, var in enumerate(spec.variables, start=1):
        if var.file is None:
            continue
        label = f"{spec._origin}: [[variables]] #{i} (name = {var.name!r})"
        sources[var.name] = _read_source(var, base / var.file, label)
        if sources[var.name].footnotes:
            footnotes[var.file] = sources[var.name].footnotes
    if not sources:
        raise StudySpecError(f"{spec._origin}: no variable reads a file (key file); declare at least one source.")
    codes = sorted(set().union(*(set(s.frame["code"]) for s in sources.values())))
    excluded: set[int] = set()
    for name in spec.build.exclude:
        try:
            excluded.add(resolve_province(name).code)
        except UnknownRegionError as exc:
            raise StudySpecError(f"{spec._origin}: [build] key exclude: {exc}") from None
    if excluded:
        notes.append(f"excluded provinces ([build] exclude): {', '.join(spec.build.exclude)}")
    codes = [c for c in codes if c not in excluded]
    years = sorted(set().union(*(set(s.frame["year"]) for s in sources.values())))
    if spec.build.years is not None:
        lo, hi = spec.build.years
        years = sorted(set(years) | set(range(lo, hi + 1)))
    years = list(range(years[0], years[-1] + 1))
    grid = pd.MultiIndex.from_product([codes, years], names=["code", "year"])
    wide = pd.DataFrame(index=grid)

    for i, var in enumerate(spec.variables, start=1):
        label = f"{spec._origin}: [[variables]] #{i} (name = {var.name!r})"
        if var.file is not None:
            src = sources[var.name]
            series = src.frame.set_index(["code", "year"])["value"].reindex(grid)
            if var.scale != 1:
                series = series * var.scale
            columns[var.name] = series
            wide[var.name] = series
            transformation = "as read" + (f" * {var.scale:g}" if var.scale != 1 else "")
            prov_rows.append({"variable": var.name, "kind": "source", "file": var.file, "sha256": src.sha256,
                              "layout": src.layout, "indicator": src.indicator or "",
                              "transformation": transformation, "unit": var.unit or src.unit or "",
                              "placeholders": src.placeholders})
        else:
            series, text, dropped = _apply(var, wide, base, label)
            wide[var.name] = series
            if dropped:
                notes.append(f"{var.name}: {dropped} cell(s) missing because of a zero, non-positive or absent "
                             f"input ({text}).")
            prov_rows.append({"variable": var.name, "kind": "derived", "file": "", "sha256": "", "layout": "",
                              "indicator": "", "transformation": f"{var.op}: {text}", "unit": var.unit or "",
                              "placeholders": 0})
    kept = [v.name for v in spec.variables if v.keep]
    if spec.build.years is not None:
        lo, hi = spec.build.years
        in_years = wide.index.get_level_values("year")
        wide = wide[(in_years >= lo) & (in_years <= hi)]
    panel = wide[kept].reset_index()
    names = {c: resolve_province(c).name_zh for c in codes}
    panel.insert(1, "province", panel["code"].map(names))
    provenance = pd.DataFrame(prov_rows)
    provenance.insert(1, "in_panel", provenance["variable"].isin(kept))
    provenance["missing"] = [int(wide[v].isna().sum()) for v in provenance["variable"]]

    n = len(panel)
    cov_var = pd.DataFrame({"variable": kept, "observed": [int(panel[v].notna().sum()) for v in kept],
                            "missing": [int(panel[v].isna().sum()) for v in kept]})
    cov_var["share"] = cov_var["observed"] / n if n else math.nan
    miss = panel[kept].isna()
    cov_prov = (pd.DataFrame({"code": panel["code"], "province": panel["province"], "missing": miss.sum(axis=1)})
                .groupby(["code", "province"])["missing"].sum().reset_index())
    cov_prov["variables"] = [", ".join(v for v in kept if panel.loc[panel["code"] == c, v].isna().any())
                             for c in cov_prov["code"]]
    cov_year = (pd.DataFrame({"year": panel["year"], "missing": miss.sum(axis=1)})
                .groupby("year")["missing"].sum().reset_index())
    factors = {v.name: (v.break_factor or spec.build.break_factor) for v in spec.variables
               if v.keep and (v.break_factor or spec.build.break_factor) and v.op not in ("log", "growth")}
    breaks = _breaks(panel, {k: float(f) for k, f in factors.items() if f is not None})
    return PanelBuildResult(panel=panel, provenance=provenance, coverage_variable=cov_var,
                            coverage_province=cov_prov, coverage_year=cov_year, breaks=breaks,
                            footnotes=footnotes, notes=notes)
