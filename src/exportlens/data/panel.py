"""General panel loader: CSV/TSV, Excel, Stata, Parquet files or DataFrames, long or wide.

:func:`load_panel` turns any of the usual shapes of a province (or other entity) panel
into one long frame with one row per entity-time, resolving province names through the
registry on the way.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from exportlens.data.nbs import detect_encoding
from exportlens.errors import (
    DataFormatError,
    InputError,
    UnknownRegionError,
)
from exportlens.regions.registry import is_national_total, resolve_province
from exportlens.validation import reading, refused_xml_error, require_columns, row_refs, row_word

__all__ = ["MISSING_MARKERS", "PLACEHOLDERS", "SUPPORTED_SUFFIXES", "load_panel", "parse_year"]

SUPPORTED_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".dta": "stata",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: Cell texts read as missing values from CSV and Excel files: empty cells and the markers
#: written by pandas, R and spreadsheets. Yearbook placeholders (:data:`PLACEHOLDERS`: "--", "—",
#: "…", "..") are read as missing too, and counted; other texts ("n/a", "1,234") are kept as text
#: and reported by :func:`~exportlens.data.validate_panel` as non-numeric cells.
MISSING_MARKERS: tuple[str, ...] = ("", "NA", "NaN", "nan", "#N/A")

#: Placeholders that statistical yearbooks write for "no data": read as missing values by
#: :func:`load_panel` and counted per column in ``frame.attrs["placeholders"]`` (never kept
#: as text). Other texts ("n/a", "1,234") stay text for :func:`~exportlens.data.validate_panel`.
PLACEHOLDERS: tuple[str, ...] = ("--", "-", "—", "——", "－－", "－", "…", "……", "..", "...", "…。")


def _placeholders_to_nan(df: pd.DataFrame, columns: Sequence[Any]) -> dict[str, int]:
    """Replace placeholder cells of ``columns`` by NaN in place; make columns numeric when every
    other cell is a number. Returns ``{column: number of placeholders}`` (columns with any)."""
    counts: dict[str, int] = {}
    marks = set(PLACEHOLDERS)
    for col in columns:
        s = df[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        stripped = s.map(lambda v: v.strip() if isinstance(v, str) else v)
        mask = stripped.map(lambda v: isinstance(v, str) and (v == "" or v in marks)).astype(bool)
        n_marks = sum(1 for v in stripped[mask].tolist() if v != "")
        if mask.any():
            s = s.mask(mask)
            if n_marks:
                counts[str(col)] = n_marks
        numeric = pd.to_numeric(s, errors="coerce")
        if bool((numeric.notna() | s.isna()).all()):
            df[col] = numeric.astype("float64")
        elif mask.any():
            df[col] = s
    return counts

_YEAR_TEXT = re.compile(r"^\s*(\d{4})\s*(年|年度)?\s*$")


def parse_year(value: Any) -> int | None:
    """Year of a label such as ``2019``, ``"2019"``, ``"2019年"`` or ``2019.0``; else None.

    Only four-digit years are recognised in text; numbers must be whole.

    Examples
    --------
    >>> from exportlens.data import parse_year
    >>> parse_year("2019年"), parse_year(2019.0), parse_year(" 2020 "), parse_year("2020年度")
    (2019, 2019, 2020, 2020)
    >>> parse_year("FY2019") is None, parse_year(2019.5) is None
    (True, True)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if math.isfinite(value) and float(value).is_integer() else None
    if isinstance(value, str):
        m = _YEAR_TEXT.match(value)
        if m:
            return int(m.group(1))
        try:
            number = float(value)
        except ValueError:
            return None
        if math.isfinite(number) and number.is_integer() and 1000 <= number <= 2999:
            return int(number)
    return None


def _to_year_column(s: pd.Series) -> pd.Series:
    """Int64 years when every non-missing value parses as a year, else ``s`` unchanged."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return s
    notna = s.notna()
    if not notna.any():
        return s
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64")
    parsed = [
        parse_year(v) if ok else None for v, ok in zip(s.tolist(), notna.tolist(), strict=True)
    ]
    if any(p is None for p, ok in zip(parsed, notna.tolist(), strict=True) if ok):
        return s
    return pd.Series(pd.array(parsed, dtype="Int64"), index=s.index, name=s.name)


# --- reading ------------------------------------------------------------------------------


def _read_file(
    path: Path,
    *,
    sheet: str | int | None,
    encoding: str | None,
    sep: str | None,
    read_kwargs: Mapping[str, Any] | None,
    line_numbers: bool = False,
) -> tuple[pd.DataFrame, list[int] | None]:
    """The file as read by pandas and, with ``line_numbers`` for a CSV/TSV file, the line number
    of each row when it can be determined exactly (else None); see :func:`_data_lines`."""
    if not path.exists():
        raise InputError(f"Panel file not found: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory; expected a data file")
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DataFormatError(
            f"Cannot read {path.name}: unsupported file type {path.suffix or '(no suffix)'}; "
            f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    if sheet is not None and kind != "excel":
        raise InputError(f"sheet= only applies to Excel workbooks, not to {path.name}")
    kwargs = dict(read_kwargs or {})
    if (
        kind in ("csv", "tsv", "excel")
        and "na_values" not in kwargs
        and "keep_default_na" not in kwargs
    ):
        # Only machine-written missing markers are missing; hand-typed placeholders such as
        # "n/a", "—" or "..." stay text so that validate_panel can point at them.
        kwargs.update(keep_default_na=False, na_values=list(MISSING_MARKERS))
    try:
        if kind in ("csv", "tsv"):
            raw = path.read_bytes()
            if not raw.strip():
                raise DataFormatError(f"{path} is empty.")
            enc = encoding or detect_encoding(raw)
            text = raw.decode(enc)
            first = text.lstrip("\ufeff").lstrip()[:12]
            if first.startswith(("数据库：", "数据库:")):
                raise DataFormatError(
                    f"{path} is an NBS database download (it starts with 数据库：); read it with "
                    "exportlens.data.read_nbs, which handles its header and footnote lines."
                )
            delimiter = sep if sep is not None else ("\t" if kind == "tsv" else ",")
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, **kwargs)
            plain = set(kwargs) <= {"keep_default_na", "na_values"}  # other reader options may skip lines
            lines = _data_lines(text, delimiter, frame) if line_numbers and plain else None
            return frame, lines
        if kind == "excel":
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, **kwargs)
            plain = set(kwargs) <= {"keep_default_na", "na_values"}
            rows = _sheet_rows(path, sheet, frame) if line_numbers and plain else None
            return frame, rows
        if kind == "stata":
            return pd.read_stata(path, **kwargs), None
        return pd.read_parquet(path, **kwargs), None
    except ImportError as exc:
        raise DataFormatError(f"Reading {path.name} needs an optional package: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{path} cannot be decoded as {encoding}: {exc}") from exc
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        refused = refused_xml_error(exc, path.name)
        if refused is not None:
            raise refused from exc
        if kind == "excel" and sheet is not None and "not found" in str(exc).lower():
            sheets = pd.ExcelFile(path).sheet_names
            raise InputError(f"Sheet {sheet!r} not found in {path.name}; sheets: {sheets}") from exc
        raise DataFormatError(f"Cannot read {path.name} as {kind}: {exc}") from exc


def _data_lines(text: str, delimiter: str, frame: pd.DataFrame) -> list[int] | None:
    """1-based line numbers of the data rows of a CSV text (the header is the first non-blank
    line), or None when they cannot be determined exactly.

    pandas skips blank lines (empty or white space only); the non-blank lines after the
    header must then be exactly the rows of ``frame``: their count must equal the number of
    rows, no text cell may hold a line break (a quoted multi-line cell spans several lines)
    and the text must use LF or CR LF line ends (not CR alone). Otherwise None.
    """
    if "\r" in text.replace("\r\n", ""):
        return None
    space = " \t\f\v\r".replace(delimiter, "")
    numbers = [i for i, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1) if line.strip(space)]
    if len(numbers) != len(frame) + 1:
        return None
    for col in frame.columns:
        s = frame[col]
        if (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)) and bool(
            s.map(lambda v: isinstance(v, str) and ("\n" in v or "\r" in v)).any()
        ):
            return None
    return numbers[1:]


def _sheet_rows(path: Path, sheet: str | int | None, frame: pd.DataFrame) -> list[int] | None:
    """Excel row numbers (1-based, as the sheet shows them) of the data rows of an .xlsx/.xlsm
    sheet read by pandas with the header in row 1, or None when they cannot be determined exactly.

    pandas reads the sheet from its row 1 (the header) to its last row holding a value, keeping
    empty rows in between. The sheet's rows are counted with openpyxl: when ``frame`` has
    exactly one row per sheet row after row 1 up to the last non-empty one, the rows are
    ``2 .. last``; any other count (a row pandas skipped or added) gives None.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if book.sheetnames != [ws.title for ws in book.worksheets]:
            return None  # chart sheets: positions may differ from pandas'
        ws = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet or 0]
        last = 0
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if any(v is not None and not (isinstance(v, str) and v == "") for v in values):
                last = number
    finally:
        book.close()
    return list(range(2, last + 1)) if last >= 1 and last - 1 == len(frame) else None


def _label_column(df: pd.DataFrame, preferred: str, label_column: str | int | None) -> Any:
    if label_column is None:
        return preferred if preferred in df.columns else df.columns[0]
    if isinstance(label_column, int) and label_column not in df.columns:
        if not 0 <= label_column < df.shape[1]:
            raise InputError(f"label_column={label_column} but the data has {df.shape[1]} columns")
        return df.columns[label_column]
    require_columns(df, [label_column], where="the data")
    return label_column


# --- province resolution ------------------------------------------------------------------


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _resolve(
    values: pd.Series,
    *,
    column: Any,
    where: str,
    national: Literal["raise", "drop", "keep"],
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """codes (Int64), full names and a national-total mask for an entity column."""
    keys = [None if _isna(v) else v for v in values.tolist()]
    codes: dict[Any, int | None] = {}
    names: dict[Any, Any] = {}
    problems: dict[Any, str] = {}
    nat_keys: set[Any] = set()
    for v in dict.fromkeys(keys):
        if v is None:
            problems[None] = "Missing entity value (empty cell)."
            continue
        if is_national_total(v):
            nat_keys.add(v)
            codes[v], names[v] = None, v
            continue
        try:
            p = resolve_province(v)
        except UnknownRegionError as exc:
            problems[v] = str(exc)
            continue
        codes[v], names[v] = p.code, p.name_zh
    if problems:
        positions: dict[Any, list[Any]] = {}
        for label, v in zip(values.index, keys, strict=True):
            if v in problems:
                positions.setdefault(v, []).append(label)
        lines = []
        for v, msg in problems.items():
            rows = positions.get(v, [])
            shown = ", ".join(str(r) for r in rows[:5]) + (" ..." if len(rows) > 5 else "")
            lines.append(f"{msg} ({row_word(values.index, plural=True)} {shown})")
        raise UnknownRegionError(
            f"{len(problems)} unrecognised province value(s) in column {column!r} of {where}: "
            + " | ".join(lines)
            + ". Fix the names, or pass resolve_entities=None to keep the entities as they are."
        )
    nat_mask = pd.Series([k in nat_keys for k in keys], index=values.index, dtype=bool)
    if nat_mask.any() and national == "raise":
        labels = sorted({str(v) for v in values[nat_mask]})
        rows = list(values.index[nat_mask.to_numpy()])
        raise UnknownRegionError(
            f"Column {column!r} of {where} has {len(rows)} national-total row(s) {labels} "
            f"({row_refs(rows[:10], values.index)}); they are not provinces. Pass national='drop' to remove them "
            "or national='keep' to keep them with a missing code."
        )
    code = pd.Series(pd.array([codes.get(v) for v in keys], dtype="Int64"), index=values.index)
    name = pd.Series([names.get(v) for v in keys], index=values.index, dtype=object)
    name = name.astype(pd.Series(["a"]).dtype) if pd.Series(["a"]).dtype != object else name
    return code, name, nat_mask


# --- main entry point ---------------------------------------------------------------------


def load_panel(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    entity: str,
    time: str,
    layout: Literal["long", "wide"] = "long",
    value_name: str | None = None,
    sheet: str | int | None = None,
    resolve_entities: Literal["province"] | None = "province",
    wide_entities: Literal["rows", "columns"] = "rows",
    label_column: str | int | None = None,
    columns: Sequence[Any] | None = None,
    national: Literal["raise", "drop", "keep"] = "raise",
    encoding: str | None = None,
    sep: str | None = None,
    read_kwargs: Mapping[str, Any] | None = None,
    line_numbers: bool = False,
) -> pd.DataFrame:
    """Load a panel from a file or a DataFrame into a long entity-time frame.

    Parameters
    ----------
    source : path-like or pandas.DataFrame
        A file, dispatched on its suffix: ``.csv``/``.txt`` (comma), ``.tsv``/``.tab``
        (tab), ``.xlsx``/``.xlsm``/``.xls`` (Excel), ``.dta`` (Stata), ``.parquet``/``.pq``.
        CSV encodings (UTF-8, UTF-8 with BOM, GB18030/GBK) are detected. A DataFrame is
        used as is (never modified).
    entity, time : str
        Long layout: the names of the entity and time columns. Wide layout: the names the
        two key columns get in the output; the label column of the source (see
        ``label_column``) is renamed accordingly.
    layout : {"long", "wide"}
        ``"long"``: one row per entity-time, variables as columns. ``"wide"``: one
        variable spread over a grid, see ``wide_entities``.
    value_name : str, optional
        Wide layout only: name of the value column of the output (default ``"value"``).
    sheet : str or int, optional
        Excel sheet name or position (default: the first sheet).
    resolve_entities : {"province", None}, default "province"
        Resolve the entity column through the province registry (any usual spelling,
        traditional characters, English, pinyin, codes). None keeps entities as they are.
    wide_entities : {"rows", "columns"}, default "rows"
        Wide layout only. ``"rows"``: one row per entity, one column per period (NBS style
        ``地区, 2024年, 2023年 ...``); periods are parsed from the column names.
        ``"columns"``: one row per period, one column per entity (first column years,
        other columns provinces, like the cnmoderndata workbooks).
    label_column : str or int, optional
        Wide layout only: the column holding the row labels (entities for
        ``wide_entities="rows"``, periods for ``"columns"``). Default: the column named
        ``entity`` (resp. ``time``) if there is one, else the first column.
    columns : sequence, optional
        Long layout: the variables to keep (default all). Wide layout: the columns that
        hold the grid (default all columns but the label column).
    national : {"raise", "drop", "keep"}, default "raise"
        What to do with national-total rows (全国, 合计 ...) when resolving provinces:
        raise an error, drop them, or keep them with a missing ``code``.
    encoding, sep : str, optional
        Force the CSV encoding or separator.
    read_kwargs : mapping, optional
        Extra keyword arguments for the pandas reader (``read_csv``, ``read_excel`` ...).
        CSV and Excel cells are read as missing only when empty or one of
        :data:`MISSING_MARKERS` (``NA``, ``NaN``, ``nan``, ``#N/A``); yearbook placeholders
        (:data:`PLACEHOLDERS`: ``--``, ``—``, ``…``, ``..``) are read as missing as well and
        counted per column in ``frame.attrs["placeholders"]``; other texts (``n/a``) stay
        text so that validation reports them. Pass ``na_values``/``keep_default_na`` here to
        change that.
    line_numbers : bool, default False
        For a CSV/TSV file in the long layout: index the result by the file's line numbers
        (an integer Index named ``"line"``; the header, the first non-blank line, is line 1),
        so that error messages name the line the user sees in an editor (``line 7``, see
        :func:`~exportlens.validation.row_word`). Only when exact: the non-blank lines after
        the header must be exactly the data rows (blank lines are skipped and counted; a
        quoted cell holding a line break, other ``read_kwargs`` or CR-only line ends fall back).
        An .xlsx/.xlsm sheet in the long layout is indexed by its Excel row numbers instead
        (an Index named ``"row"``; messages say ``row 7`` as the sheet shows it) when the
        header is in row 1 and pandas read one row per sheet row up to the last non-empty
        one (counted with openpyxl). Otherwise, and for .xls, Stata, Parquet, DataFrames and
        the wide layout, the usual fresh RangeIndex is returned.

    Returns
    -------
    pandas.DataFrame
        A new frame with a fresh RangeIndex (file line numbers with ``line_numbers=True``, see
        there), rows in source order (wide layouts: entity-major, then periods in source order).

        Convention with ``resolve_entities="province"``: the first two columns are
        ``code`` (Int64, GB/T 2260) and ``province`` (the registry's full Chinese name),
        then the user's entity column under its own name (unchanged) unless that name is
        ``code`` or ``province`` (then it is replaced by the resolved values), then the
        time column, then the variables (or ``value_name``). Without resolution: the
        entity column, the time column, then the variables.

        The time column becomes Int64 when every non-missing value parses as a year
        (``2019``, ``"2019"``, ``"2019年"``, ``2019.0``); otherwise it is kept as is.

    Raises
    ------
    MissingColumnError
        A named column is absent; the message lists the available columns.
    UnknownRegionError
        Entity values that are not provinces, all listed with their rows and the closest
        registry names (or national-total rows with ``national="raise"``).
    DataFormatError
        Unreadable or unsupported file, NBS download given (use ``read_nbs``), or wide
        column labels mixing years and non-years.
    InputError
        Inconsistent arguments (e.g. ``value_name`` equal to a key column, a ``code``
        column that is not the entity).

    Examples
    --------
    A wide CSV (provinces as rows, years as columns) with mixed spellings of the provinces
    and a yearbook placeholder ``--``:

    >>> import pandas as pd
    >>> from exportlens.data import load_panel
    >>> pd.DataFrame({"地区": ["北京", "Tianjin", "河北省"], "2022": [90.1, 55.8, 108.9],
    ...               "2023": [95.2, "--", 112.4]}).to_csv("gdp_wide.csv", index=False)
    >>> panel = load_panel("gdp_wide.csv", entity="province", time="year", layout="wide",
    ...                    value_name="gdp")
    >>> panel
         code province  year    gdp
    0  110000      北京市  2022   90.1
    1  110000      北京市  2023   95.2
    2  120000      天津市  2022   55.8
    3  120000      天津市  2023    NaN
    4  130000      河北省  2022  108.9
    5  130000      河北省  2023  112.4
    >>> panel.attrs["placeholders"]
    {'2023': 1}

    A long DataFrame (one row per province-year) is resolved the same way:

    >>> long = pd.DataFrame({"province": ["廣東省", "Guangdong"], "year": ["2022年", "2023年"],
    ...                      "exports": [5.1, 5.3]})
    >>> load_panel(long, entity="province", time="year")
         code province  year  exports
    0  440000      广东省  2022      5.1
    1  440000      广东省  2023      5.3

    A cnmoderndata workbook (years as rows, provinces as columns; not run here)::

        load_panel("E8.xlsx", entity="province", time="year", layout="wide",
                   wide_entities="columns", value_name="exports_pc")
    """
    if layout not in ("long", "wide"):
        raise InputError(f"layout must be 'long' or 'wide', not {layout!r}")
    if wide_entities not in ("rows", "columns"):
        raise InputError(f"wide_entities must be 'rows' or 'columns', not {wide_entities!r}")
    if resolve_entities not in ("province", None):
        raise InputError(f"resolve_entities must be 'province' or None, not {resolve_entities!r}")
    if national not in ("raise", "drop", "keep"):
        raise InputError(f"national must be 'raise', 'drop' or 'keep', not {national!r}")
    if entity == time:
        raise InputError(f"entity and time must be different columns (both {entity!r})")

    lines: list[int] | None = None
    if isinstance(source, pd.DataFrame):
        where = "the DataFrame"
        if sheet is not None:
            raise InputError("sheet= only applies to Excel workbooks, not to a DataFrame")
        df = source.copy()
    else:
        path = Path(source)
        where = path.name
        with reading(path, what="panel (CSV, Excel, Stata or Parquet)"):
            df, lines = _read_file(path, sheet=sheet, encoding=encoding, sep=sep, read_kwargs=read_kwargs,
                                   line_numbers=line_numbers and layout == "long")
    if lines is None:
        df = df.reset_index(drop=True)
    else:  # CSV: the file's lines; Excel: the sheet's rows
        excel = SUPPORTED_SUFFIXES.get(Path(str(source)).suffix.lower()) == "excel"
        df = df.set_axis(pd.Index(lines, name="row" if excel else "line"))
    key_columns = {entity, time} if layout == "long" else {_label_column(df, entity if wide_entities == "rows"
                                                                         else time, label_column)}
    placeholders = _placeholders_to_nan(df, [c for c in df.columns if c not in key_columns])

    if layout == "long":
        if value_name is not None:
            raise InputError("value_name= applies to the wide layout only")
        require_columns(df, [entity, time], where=where)
        variables = (
            [c for c in df.columns if c not in (entity, time)] if columns is None else list(columns)
        )
        require_columns(df, variables, where=where)
        out = df[[entity, time, *[v for v in variables if v not in (entity, time)]]]
    else:
        value = value_name or "value"
        if value in (entity, time):
            raise InputError(f"value_name {value!r} must differ from entity and time")
        key_name = entity if wide_entities == "rows" else time
        other_name = time if wide_entities == "rows" else entity
        label = _label_column(df, key_name, label_column)
        grid = [c for c in df.columns if c != label] if columns is None else list(columns)
        require_columns(df, grid, where=where)
        if not grid:
            raise DataFormatError(f"{where} has no column besides the label column {label!r}.")
        grid_labels: list[Any] = grid
        if wide_entities == "rows":
            parsed = [parse_year(c) for c in grid]
            if all(p is not None for p in parsed):
                grid_labels = parsed
            elif any(p is not None for p in parsed):
                bad = [c for c, p in zip(grid, parsed, strict=True) if p is None]
                raise DataFormatError(
                    f"{where}: the wide columns mix years and other labels {bad}; pass "
                    "columns= to name the period columns."
                )
        renamed = df[[label, *grid]]
        renamed.columns = [key_name, *grid_labels]
        long = renamed.melt(
            id_vars=[key_name], var_name=other_name, value_name=value, ignore_index=False
        )
        if wide_entities == "rows":
            long = long.sort_index(kind="stable")
        out = long.reset_index(drop=True)[[entity, time, value]]

    out = out.copy()
    out[time] = _to_year_column(out[time])

    if resolve_entities == "province":
        for reserved in ("code", "province"):
            if reserved in out.columns and reserved != entity:
                raise InputError(
                    f"The data already has a column {reserved!r} that is not the entity column; "
                    f"rename it before resolving provinces (the output adds {reserved!r})."
                )
        code, name, nat = _resolve(out[entity], column=entity, where=where, national=national)
        if national == "drop" and nat.any():
            keep = ~nat
            out, code, name = out[keep], code[keep], name[keep]
        rest = [c for c in out.columns if c not in ("code", "province")]
        resolved = pd.DataFrame({"code": code, "province": name}, index=out.index)
        out = pd.concat([resolved, out[rest]], axis=1)
    if lines is None:
        out = out.reset_index(drop=True)
    out.attrs["placeholders"] = placeholders
    return out
