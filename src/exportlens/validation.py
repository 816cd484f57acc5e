"""Input checks shared by every measure, reader and model: one place for the messages.

Layer: right above :mod:`exportlens.errors` and below everything else, so that any module
may use it. Every check raises a typed error from :mod:`exportlens.errors` whose message
names what is wrong, where (column, row numbers, values) and what is available.

- :func:`require_frame`        the input is a pandas DataFrame
- :func:`require_columns`      named columns exist (``MissingColumnError`` listing the available ones)
- :func:`require_named_columns` the same for columns passed by keyword (``region=...``)
- :func:`require_no_missing`   a label column has no missing cell (rows listed)
- :func:`check_unique_keys`    one row per key combination (duplicates listed with their rows)
- :func:`coerce_numeric`       a column as floats; cells that are not numbers are listed, never
                               silently turned into NaN
- :func:`check_numeric_columns` columns are numeric and finite (regression inputs)
- :func:`format_list`, :func:`format_value`, :func:`format_rows`  message formatting
- :func:`row_word`, :func:`row_ref`, :func:`row_refs`  how a message names rows: ``line 7`` when the
                               frame's index holds the file's line numbers (an index named ``"line"``,
                               from ``load_panel(..., line_numbers=True)``), else ``row 5`` (index label)
"""

from __future__ import annotations

import math
import os
import zipfile
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from exportlens.errors import DataFormatError, ExportlensError, InputError, MissingColumnError

__all__ = [
    "LIST_LIMIT",
    "check_numeric_columns",
    "check_unique_keys",
    "coerce_numeric",
    "format_list",
    "format_rows",
    "format_value",
    "reading",
    "require_columns",
    "require_frame",
    "require_named_columns",
    "require_no_missing",
    "row_ref",
    "row_refs",
    "row_word",
]

LIST_LIMIT = 20  # items listed in a message; results and reports keep everything


# --- formatting ---------------------------------------------------------------------------


def format_list(
    items: Iterable[Any], limit: int = LIST_LIMIT, sep: str = "; ", *, total: int | None = None
) -> str:
    """``items`` joined by ``sep``, at most ``limit`` of them, then ``... and N more``.

    ``total`` is the number of items when ``items`` holds only the first ones (costly to
    describe all), so that ``N`` still counts every item left out.

    Examples
    --------
    >>> from exportlens.validation import format_list
    >>> format_list(["北京", "天津", "河北", "山西"], limit=2)
    '北京; 天津; ... and 2 more'
    >>> format_list(["a", "b"], sep=", ", total=5)
    'a, b, ... and 3 more'
    """
    items = list(items)
    n = len(items) if total is None else total
    text = sep.join(str(x) for x in items[:limit])
    if n > min(limit, len(items)):
        text += f"{sep.rstrip()} ... and {n - min(limit, len(items))} more"
    return text


def format_value(value: Any) -> str:
    """One value for a message: floats compact (``missing`` for NaN), strings quoted.

    Examples
    --------
    >>> from exportlens.validation import format_value
    >>> format_value(1.25), format_value(float("nan")), format_value("北京"), format_value(3)
    ('1.25', 'missing', "'北京'", '3')
    """
    if isinstance(value, float | np.floating):
        return "missing" if math.isnan(value) else f"{value:g}"
    return repr(value) if isinstance(value, str) else str(value)


def row_word(index: Any = None, plural: bool = False) -> str:
    """The word a message uses for the rows of a frame with index ``index`` (or the index's name).

    ``"line"`` when the index is named ``"line"``: its labels are the line numbers of the user's
    file (header = line 1), as :func:`~exportlens.data.load_panel` gives them with
    ``line_numbers=True``; otherwise ``"row"`` (the labels are index labels, e.g. 0-based positions).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import row_word
    >>> row_word(pd.Index([2, 3], name="line")), row_word(pd.RangeIndex(2), plural=True), row_word("line", True)
    ('line', 'rows', 'lines')
    """
    name = index if isinstance(index, str) or index is None else getattr(index, "name", None)
    word = "line" if name == "line" else "row"
    return word + "s" if plural else word


def row_ref(label: Any, index: Any = None) -> str:
    """One row named for a message: ``line 7`` (file line numbers, see :func:`row_word`) or ``row 5``.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import row_ref
    >>> row_ref(7, pd.Index([2, 7], name="line")), row_ref(5, pd.RangeIndex(6))
    ('line 7', 'row 5')
    """
    return f"{row_word(index)} {label}"


def row_refs(labels: Iterable[Any], index: Any = None, *, limit: int | None = None) -> str:
    """Several rows named for a message: ``lines [7, 9]`` or ``rows [5]`` (see :func:`row_word`).

    At most ``limit`` labels are listed (all when None), then ``...``.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import row_refs
    >>> row_refs([7, 9], pd.Index([7, 8, 9], name="line")), row_refs([5], pd.RangeIndex(6))
    ('lines [7, 9]', 'rows [5]')
    >>> row_refs(range(8), None, limit=3)
    'rows [0, 1, 2, ...]'
    """
    items = [_plain_label(v) for v in labels]
    shown = items if limit is None else items[:limit]
    text = ", ".join(repr(v) for v in shown) + (", ..." if len(shown) < len(items) else "")
    return f"{row_word(index, plural=True)} [{text}]"


def _plain_label(value: Any) -> Any:
    """numpy scalars as Python scalars (``5``, not ``np.int64(5)``)."""
    return value.item() if isinstance(value, np.generic) else value


def format_rows(
    frame: pd.DataFrame,
    rows: Sequence[Any] | np.ndarray | pd.Index,
    columns: Sequence[Hashable] | None = None,
    *,
    limit: int = LIST_LIMIT,
) -> str:
    """The rows with index labels ``rows`` as ``row i: (a, b)`` items, at most ``limit`` of them.

    ``columns`` selects the values shown (all columns when None). Rows are named by
    :func:`row_ref` (``line 7: ...`` when the index holds file line numbers).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import format_rows
    >>> df = pd.DataFrame({"province": ["北京", "天津", "河北"], "exports": [1.5, 2.25, 3.0]})
    >>> format_rows(df, [0, 2])
    "row 0: ('北京', 1.5); row 2: ('河北', 3)"
    >>> format_rows(df, [1], ["exports"])
    'row 1: 2.25'
    """
    cols = list(frame.columns) if columns is None else list(columns)
    sub = frame.loc[list(rows), cols]
    items = [
        f"{row_ref(idx, frame.index)}: ({', '.join(format_value(v) for v in values)})"
        if len(cols) > 1
        else f"{row_ref(idx, frame.index)}: {format_value(values[0])}"
        for idx, values in zip(sub.index, sub.itertuples(index=False, name=None), strict=True)
    ]
    return format_list(items, limit)


# --- frames and columns -------------------------------------------------------------------


def require_frame(obj: Any, what: str = "the input") -> pd.DataFrame:
    """``obj`` itself when it is a DataFrame; otherwise InputError.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import require_frame
    >>> df = require_frame(pd.DataFrame({"exports": [1.0]}))
    >>> require_frame([1.0, 2.0], "the exports panel")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Expected a pandas DataFrame for the exports panel, got list.
    """
    if not isinstance(obj, pd.DataFrame):
        raise InputError(f"Expected a pandas DataFrame for {what}, got {type(obj).__name__}.")
    return obj


def require_columns(
    frame: pd.DataFrame | Sequence[Hashable],
    columns: Iterable[Hashable | None] | Mapping[str, Hashable | None],
    *,
    what: str = "column(s)",
    where: str = "the data",
    hint: str = "",
    unique: bool = False,
) -> None:
    """Raise :class:`MissingColumnError` unless every column in ``columns`` is present.

    ``frame`` is a DataFrame (or the sequence of available column names, e.g. of a
    DuckDB table). ``columns`` is a list of names, or a mapping ``{role: name}`` whose roles
    appear in the message (``'value_usd' (role value)``); ``None`` entries are unused
    optional columns and skipped. The message lists the available columns and ends with
    ``hint``. With ``unique=True`` a column name that occurs more than once in the frame is
    an InputError too (``df[col]`` would then be a DataFrame).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import require_columns
    >>> df = pd.DataFrame({"province": ["北京"], "year": [2020], "exports": [1.5]})
    >>> require_columns(df, ["province", "exports"])  # all present: returns None
    >>> require_columns(df, {"region": "province", "value": "export"}, where="exports.csv")
    Traceback (most recent call last):
    ...
    exportlens.errors.MissingColumnError: Column(s) 'export' (value) not found in exports.csv. Available columns: ['province', 'year', 'exports'].
    """
    available: list[Any] = list(frame.columns) if isinstance(frame, pd.DataFrame) else list(frame)
    present = set(available)
    if isinstance(columns, Mapping):
        named = [(col, f"{col!r} ({role})") for role, col in columns.items() if col is not None]
    else:
        named = [(col, repr(col)) for col in dict.fromkeys(columns) if col is not None]
    missing = [label for col, label in named if col not in present]
    if missing:
        what_text = what[:1].upper() + what[1:]
        raise MissingColumnError(
            f"{what_text} {', '.join(missing)} not found in {where}. Available columns: {available}."
            + (f" {hint}" if hint else "")
        )
    if unique:
        dup = sorted({str(col) for col, _ in named if available.count(col) > 1})
        if dup:
            raise InputError(f"Column name(s) {dup} occur more than once in {where}.")


def require_named_columns(frame: Any, **columns: Hashable | None) -> pd.DataFrame:
    """Check that ``frame`` is a DataFrame holding every column passed by keyword, once.

    ``require_named_columns(df, region="province", time="year", national=None)``: ``None``
    marks an unused optional column; the message names the keyword of each missing column
    (``'year' (time=)``). Returns ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import require_named_columns
    >>> df = pd.DataFrame({"province": ["北京"], "year": [2020]})
    >>> list(require_named_columns(df, region="province", time="year", national=None).columns)
    ['province', 'year']
    >>> require_named_columns(df, region="province", time="yr")
    Traceback (most recent call last):
    ...
    exportlens.errors.MissingColumnError: Column(s) 'yr' (time=) not found in the data. Available columns: ['province', 'year'].
    """
    require_frame(frame)
    require_columns(frame, {f"{arg}=": col for arg, col in columns.items()}, unique=True)
    return frame


def require_no_missing(frame: pd.DataFrame, column: Hashable, what: str) -> None:
    """InputError listing the rows where ``column`` (a label such as region or period) is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import require_no_missing
    >>> df = pd.DataFrame({"province": ["北京", None, "河北"], "year": [2020, 2020, 2020]})
    >>> require_no_missing(df, "year", "period")  # complete: returns None
    >>> require_no_missing(df, "province", "region")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Column 'province' (region) has 1 missing value(s), rows 1.
    """
    bad = frame.index[frame[column].isna().to_numpy()]
    if len(bad):
        raise InputError(
            f"Column {column!r} ({what}) has {len(bad)} missing value(s), {row_word(frame.index, True)} {format_list(bad)}."
        )


def check_unique_keys(frame: pd.DataFrame, keys: Sequence[Hashable]) -> None:
    """InputError listing every duplicated key combination with the rows (index labels, see
    :func:`row_refs`) holding it.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import check_unique_keys
    >>> df = pd.DataFrame({"province": ["北京", "北京", "天津"], "year": [2020, 2020, 2020]})
    >>> check_unique_keys(df, ["province"])
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: 1 duplicated province combination(s) (one row each is required): 北京 at rows [0, 1].
    >>> check_unique_keys(df, ["province", "year"])
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: 1 duplicated province-year combination(s) (one row each is required): ('北京', 2020) at rows [0, 1].
    """
    keys = list(keys)
    dup = frame.duplicated(subset=keys, keep=False).to_numpy()
    if not dup.any():
        return
    sub = frame.loc[dup, keys]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for idx, row in zip(sub.index, sub.itertuples(index=False, name=None), strict=True):
        groups.setdefault(row, []).append(idx)
    label = "-".join(map(str, keys))
    items = [f"{row if len(row) > 1 else row[0]} at {row_refs(rows, frame.index)}" for row, rows in groups.items()]
    raise InputError(
        f"{len(groups)} duplicated {label} combination(s) (one row each is required): {format_list(items)}."
    )


# --- numbers ------------------------------------------------------------------------------


def coerce_numeric(frame: pd.DataFrame, column: Hashable) -> np.ndarray:
    """``frame[column]`` as a float array (missing cells as NaN).

    Text that parses as a number is converted; a cell that is present but not a number
    raises InputError listing the offending rows and values (up to five), instead of
    becoming NaN in silence. Boolean columns are refused.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import coerce_numeric
    >>> coerce_numeric(pd.DataFrame({"exports": ["1.5", "2", None]}), "exports")
    array([1.5, 2. , nan])
    >>> coerce_numeric(pd.DataFrame({"exports": ["1.5", "n/a"]}), "exports")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Column 'exports' is not numeric: row 1: 'n/a'.
    """
    s = frame[column]
    if pd.api.types.is_bool_dtype(s.dtype):
        raise InputError(f"Column {column!r} is boolean; a numeric column is required.")
    if not pd.api.types.is_numeric_dtype(s.dtype):
        converted = pd.to_numeric(s, errors="coerce")
        bad = s.notna().to_numpy() & converted.isna().to_numpy()
        if bad.any():
            examples = [f"{row_ref(i, s.index)}: {v!r}" for i, v in zip(s.index[bad], s[bad], strict=True)]
            raise InputError(f"Column {column!r} is not numeric: {format_list(examples, 5)}.")
        s = converted
    return s.to_numpy(dtype=float, na_value=np.nan)


def check_numeric_columns(
    frame: pd.DataFrame,
    columns: Iterable[Hashable],
    *,
    allow_bool: bool = True,
    what: str = "Column",
    hint: str = "",
) -> None:
    """InputError unless every column has a numeric (or, with ``allow_bool``, boolean) dtype
    and no infinite value; the message names the column, its dtype or the count of infinities.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from exportlens.validation import check_numeric_columns
    >>> df = pd.DataFrame({"lnx": [0.5, -np.inf], "wto": [True, False], "name": ["a", "b"]})
    >>> check_numeric_columns(df, ["wto"])  # booleans are accepted by default
    >>> check_numeric_columns(df, ["lnx"])
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Column 'lnx' has 1 infinite value(s) (e.g. log of 0); fix or set them to NaN explicitly.
    >>> check_numeric_columns(df, ["name"], what="Regressor")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Regressor 'name' is not numeric (dtype ...).
    """
    for c in columns:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s):
            if allow_bool:
                continue
            raise InputError(f"{what} {c!r} is boolean; a numeric column is required.")
        if not pd.api.types.is_numeric_dtype(s):
            raise InputError(f"{what} {c!r} is not numeric (dtype {s.dtype}){'; ' + hint if hint else ''}.")
        values = s.to_numpy(dtype=float, na_value=np.nan)
        n_inf = int(np.isinf(values).sum())
        if n_inf:
            raise InputError(
                f"{what} {c!r} has {n_inf} infinite value(s) (e.g. log of 0); fix or set them to NaN explicitly."
            )


# --- reading files ------------------------------------------------------------------------

#: Libraries whose exceptions, raised while a file is read, mean "this file cannot be read".
_READER_MODULES = ("pandas", "pyarrow", "openpyxl", "xlrd", "duckdb", "zipfile", "pyreadstat", "fastparquet")


def _reader_failure(exc: BaseException) -> bool:
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)):
        return False  # the command line names the path of these itself
    if isinstance(exc, (UnicodeError, LookupError, EOFError, zipfile.BadZipFile, ValueError, OSError)):
        return True
    return any(c.__module__.split(".")[0].lstrip("_") in _READER_MODULES for c in type(exc).__mro__)


def refused_xml_error(exc: BaseException, name: str) -> DataFormatError | None:
    """The error to raise when defusedxml refused the XML behind ``exc`` (openpyxl parses
    workbooks with it and wraps its exception), else None."""
    seen: BaseException | None = exc
    while seen is not None:
        if type(seen).__module__.startswith("defusedxml"):
            return DataFormatError(f"{name} holds XML entity declarations, which are not expanded (a workbook from "
                                   "the web may be crafted to exhaust memory); open it in Excel and save it again.")
        seen = seen.__cause__ or seen.__context__
    return None


@contextmanager
def reading(path: str | os.PathLike[str], what: str = "data file") -> Iterator[None]:
    """Errors while ``path`` is read end as one :class:`~exportlens.errors.DataFormatError` naming it.

    A library's own exception (a damaged workbook or Parquet file, an unknown encoding, an
    empty CSV) becomes "``path`` cannot be read as a ... (reason)"; an exportlens error that
    does not name the file yet gets the path in front. Missing files and folders pass through
    (their message names the path already).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.validation import reading
    >>> with open("damaged.xlsx", "w") as f:
    ...     _ = f.write("not a workbook")
    >>> with reading("damaged.xlsx", "workbook"):
    ...     pd.read_excel("damaged.xlsx")
    Traceback (most recent call last):
    ...
    exportlens.errors.DataFormatError: damaged.xlsx cannot be read as a workbook (...); check that it is a complete file of the format its suffix says (re-save or export it again).
    """
    name = os.fspath(path)
    try:
        yield
    except ExportlensError as exc:
        if os.path.basename(name) in str(exc) or vars(exc):  # named already, or carries more than its message
            raise
        try:
            renamed = type(exc)(f"{name}: {exc}")
        except Exception:  # an error class with more arguments: keep it as it is
            raise exc from None
        raise renamed from None
    except Exception as exc:
        refused = refused_xml_error(exc, name)
        if refused is not None:
            raise refused from None
        if not _reader_failure(exc):
            raise
        reason = (str(exc).strip().splitlines() or [""])[0][:200] or type(exc).__name__
        raise DataFormatError(f"{name} cannot be read as a {what} ({reason}); check that it is a complete file "
                              "of the format its suffix says (re-save or export it again).") from None
