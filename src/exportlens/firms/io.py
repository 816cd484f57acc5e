"""Reading customs transaction files and accounting for every row (valid or invalid, and why).

Input: one file or a folder of CSV or Parquet files (searched recursively; one format per
folder), one row per firm x product x destination x period with an export value, the firm's
province and industry. Column names are the user's, given by a :class:`ColumnMap`.

Every row either enters the measures or is counted under exactly one reason
(:data:`REASONS`, checked in that order, the first failing one counts), so
``rows_read = rows_used + sum(invalid counts)`` always holds. With ``invalid="raise"``
(the default) any invalid row stops the run with :class:`InvalidRowsError`, which names the
reasons, their counts and example rows; with ``invalid="drop"`` the rows are left out and
reported (study tables, ``manifest.json``, :meth:`ValidationReport.to_frame`). Nothing is
dropped silently and input files are only read.

The same rules exist twice: as Ibis expressions (:func:`standardize`, out of core, any
backend) and in pandas (:func:`standardize_pandas`, the reference implementation); the tests
check that both count the same rows under the same reasons.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from exportlens.errors import DataFormatError, InputError, InvalidRowsError, UnknownRegionError
from exportlens.regions import resolve_province
from exportlens.validation import require_columns

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

__all__ = [
    "REASONS",
    "ColumnMap",
    "InvalidRowsError",
    "ValidationReport",
    "clean_transactions",
    "find_input_files",
    "open_transactions",
    "read_transactions_pandas",
    "resolve_province_values",
    "standardize",
    "standardize_pandas",
    "validate",
    "validate_pandas",
]

#: Reasons a row is invalid, in the order they are checked: key -> (English, Chinese).
REASONS: dict[str, tuple[str, str]] = {
    "missing_firm": ("missing firm id", "缺少企业代码"),
    "unparseable_year": ("unparseable year", "年份无法解析"),
    "implausible_year": ("year before 1950", "年份早于1950"),
    "future_year": (f"year after the present year {datetime.date.today().year}",
                    f"年份晚于当前年份{datetime.date.today().year}"),
    "unparseable_month": ("month not 1-12 (yyyymm)", "月份不在1-12（yyyymm）"),
    "missing_value": ("missing export value", "缺少出口额"),
    "unparseable_value": ("unparseable export value", "出口额无法解析"),
    "negative_value": ("negative export value", "出口额为负"),
    "missing_product": ("missing product code", "缺少产品编码"),
    "missing_destination": ("missing destination", "缺少目的地"),
    "missing_province": ("missing province", "缺少省份"),
    "unknown_province": ("unknown province", "无法识别的省份"),
    "missing_industry": ("missing industry", "缺少行业"),
}

#: Optional firm-label roles of :class:`ColumnMap`: carried to the firm-year table as the label
#: with the largest export value of the firm-year (ties: the smallest label; exit rows keep last
#: year's); rows whose label is missing count towards no label. Labels are compared as text.
LABEL_ROLES = ("ownership", "trade_mode")

#: Years a transaction can have: 1950 to the present year (a later year is a typo or a
#: placeholder, and would otherwise read as the mass exit of every firm after it).
YEAR_RANGE = (1950, datetime.date.today().year)
_PARQUET = (".parquet", ".pq", ".parq")
_CSV = (".csv", ".csv.gz", ".txt")
_EXAMPLES = 3


@dataclass(frozen=True)
class ColumnMap:
    """Which of the user's columns holds what (defaults: the synthetic demo's names).

    ``period_format`` says how the ``year`` column is written: ``"year"`` (2009, "2009",
    2009.0) or ``"yyyymm"`` (200903: monthly records, summed to years; the month must be
    1-12). The measures are annual, as is the province panel they are merged with.

    ``ownership`` and ``trade_mode`` are optional firm labels (e.g. state/private/foreign,
    ordinary/processing), unset by default; when set, each firm-year gets the label with the
    largest export value that year (:data:`LABEL_ROLES`). Missing labels do not make a row
    invalid.

    Examples
    --------
    Roles left out keep the defaults; ``period_format="yyyymm"`` reads monthly records:

    >>> from exportlens.firms import ColumnMap
    >>> cols = ColumnMap.from_mapping({"firm": "企业代码", "value": "美元", "year": "年月",
    ...                                "period_format": "yyyymm"})
    >>> cols.sources()
    {'firm': '企业代码', 'product': 'hs8', 'destination': 'destination', 'year': '年月', 'value': '美元', 'province': 'province', 'industry': 'industry'}
    >>> ColumnMap(ownership="企业性质", trade_mode="贸易方式").labels()   # optional label roles
    ['ownership', 'trade_mode']
    >>> ColumnMap(firm="id", product="id")
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Column(s) ['id'] are mapped to more than one role: ...
    """

    firm: str = "firm_id"
    product: str = "hs8"
    destination: str = "destination"
    year: str = "year"
    value: str = "value_usd"
    province: str = "province"
    industry: str = "industry"
    period_format: Literal["year", "yyyymm"] = "year"
    ownership: str | None = None
    trade_mode: str | None = None

    def __post_init__(self) -> None:
        if self.period_format not in ("year", "yyyymm"):
            raise InputError(f"period_format must be 'year' or 'yyyymm', not {self.period_format!r}.")
        names = self.sources()
        for role, col in names.items():
            if not isinstance(col, str) or not col:
                raise InputError(f"Column for {role!r} must be a non-empty column name, got {col!r}.")
        dup = sorted({c for c in names.values() if list(names.values()).count(c) > 1})
        if dup:
            raise InputError(f"Column(s) {dup} are mapped to more than one role: {names}.")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str] | None) -> ColumnMap:
        """From ``{"firm": "企业代码", ...}``; roles left out keep their defaults."""
        mapping = dict(mapping or {})
        allowed = [f.name for f in fields(cls)]
        unknown = [k for k in mapping if k not in allowed]
        if unknown:
            raise InputError(f"Unknown column role(s) {unknown}; roles are {', '.join(allowed)}.")
        return cls(**mapping)  # type: ignore[arg-type]  # period_format is checked in __post_init__

    def sources(self) -> dict[str, str]:
        """Role -> the user's column name (the seven data columns and the label roles that are set)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "period_format" and getattr(self, f.name) is not None}

    def labels(self) -> list[str]:
        """The optional label roles of :data:`LABEL_ROLES` that are set (canonical column names)."""
        return [r for r in LABEL_ROLES if getattr(self, r) is not None]

    def to_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass
class ValidationReport:
    """Row accounting of the input: every row is used or counted under one reason.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from exportlens.firms import ColumnMap, validate_pandas
    >>> report, _ = validate_pandas(tx, ColumnMap())
    >>> report.rows_read, report.rows_used, report.rows_invalid
    (6, 3, 3)
    >>> print(report.describe())
    6 rows read, 3 used, 3 invalid
      negative export value: 1 row(s) - e.g. (firm_id='F3', ...)
      missing product code: 1 row(s) - e.g. (firm_id='F2', hs8='', ...)
      unknown province: 1 row(s) - e.g. (firm_id='F3', ...)
      unknown province values: '火星' (1 row)
    >>> report.to_frame().query("rows > 0")
                  reason                  label  rows
    7     negative_value  negative export value     1
    8    missing_product   missing product code     1
    11  unknown_province       unknown province     1
    """

    rows_read: int
    invalid: dict[str, int]
    unknown_provinces: dict[str, int] = field(default_factory=dict)
    province_codes: dict[Any, int] = field(default_factory=dict)
    unknown_province_values: list[Any] = field(default_factory=list)
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)  # years with at least one valid row
    filter_plan: dict[str, Any] = field(default_factory=dict, repr=False)  # see clean_transactions

    @property
    def rows_invalid(self) -> int:
        return sum(self.invalid.values())

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.rows_invalid

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """One row per reason (all reasons, zero counts included) and the totals."""
        import pandas as pd

        j = 0 if lang == "en" else 1
        rows = [{"reason": k, "label": REASONS[k][j], "rows": int(self.invalid.get(k, 0))} for k in REASONS]
        return pd.DataFrame(rows)

    def describe(self) -> str:
        """Plain-text accounting: read, used, and each non-zero reason with examples."""
        lines = [f"{self.rows_read:,} rows read, {self.rows_used:,} used, {self.rows_invalid:,} invalid"]
        for key, n in self.invalid.items():
            if n:
                lines.append(f"  {REASONS[key][0]}: {n:,} row(s)" + _example_text(self.examples.get(key, [])))
        if self.unknown_provinces:
            values = "; ".join(f"{v!r} ({n:,} row{'' if n == 1 else 's'})" for v, n in list(self.unknown_provinces.items())[:20])
            lines.append(f"  unknown province values: {values}")
        return "\n".join(lines)


def _example_text(examples: list[dict[str, Any]]) -> str:
    if not examples:
        return ""
    parts = [", ".join(f"{k}={v!r}" for k, v in ex.items()) for ex in examples]
    return " - e.g. " + " | ".join(f"({p})" for p in parts)


# --- files -------------------------------------------------------------------------------


def find_input_files(path: str | Path) -> tuple[list[Path], Literal["parquet", "csv"]]:
    """The data files under ``path`` (a file or a folder, searched recursively) and their format.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from pathlib import Path
    >>> Path("customs").mkdir()
    >>> tx[tx["year"] == 2007].to_csv("customs/2007.csv", index=False)
    >>> tx[tx["year"] == 2008].to_csv("customs/2008.csv", index=False)
    >>> from exportlens.firms import find_input_files
    >>> files, fmt = find_input_files("customs")
    >>> [f.name for f in files], fmt
    (['2007.csv', '2008.csv'], 'csv')
    """
    p = Path(path)
    if not p.exists():
        raise DataFormatError(f"Transactions path {p} does not exist.")
    candidates = sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]
    pq_files = [x for x in candidates if x.name.lower().endswith(_PARQUET)]
    csv_files = [x for x in candidates if x.name.lower().endswith(_CSV)]
    if pq_files and csv_files:
        raise DataFormatError(
            f"{p} holds both Parquet ({len(pq_files)}) and CSV ({len(csv_files)}) files; "
            "put one format per folder."
        )
    if not pq_files and not csv_files:
        kind = "folder" if p.is_dir() else "file"
        raise DataFormatError(
            f"No CSV or Parquet data in {kind} {p} (recognised suffixes: {', '.join(_PARQUET + _CSV)})."
        )
    return (pq_files, "parquet") if pq_files else (csv_files, "csv")


def open_transactions(con: Any, path: str | Path, columns: ColumnMap) -> ir.Table:
    """Register the transaction files with the Ibis backend ``con`` (nothing is loaded).

    CSV files are read with every column as text (so that HS codes keep leading zeros and a
    stray letter in a value column is counted as unparseable instead of failing the read);
    Parquet files keep their types; files with differing columns are unified by name.
    Raises :class:`~exportlens.errors.MissingColumnError` naming each mapped column that is
    absent and listing the available ones.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from pathlib import Path
    >>> Path("customs").mkdir()
    >>> tx[tx["year"] == 2007].to_csv("customs/2007.csv", index=False)
    >>> tx[tx["year"] == 2008].to_csv("customs/2008.csv", index=False)
    >>> from exportlens.firms import ColumnMap, connect_duckdb, open_transactions
    >>> con = connect_duckdb(memory_limit="1GB", threads=1)
    >>> raw = open_transactions(con, "customs", ColumnMap())
    >>> raw.columns
    ('firm_id', 'hs8', 'destination', 'year', 'value_usd', 'province', 'industry')
    >>> int(raw.count().execute())
    6
    >>> raw.filter(raw.firm_id == "F1").hs8.to_pandas().tolist()    # text: leading zeros kept
    ['08051000', '08051000']
    """
    files, fmt = find_input_files(path)
    check_transaction_files(files, fmt, columns)
    backend = getattr(con, "name", "")
    paths = [str(f) for f in files]
    if backend == "pyspark":
        # CSVs stay text: no schema inference
        if fmt == "parquet":
            # the folder itself, recursively, only Parquet files (Spark reader options)
            table = con.read_parquet(str(path), mergeSchema="true", recursiveFileLookup="true",
                                     pathGlobFilter="*.{parquet,pq,parq}") if Path(path).is_dir() \
                else con.read_parquet(paths[0])
        else:
            table = con.read_csv(paths, inferSchema=False, header=True)
    elif fmt == "parquet":
        table = con.read_parquet(paths, union_by_name=True)
    else:
        disable_csv_type_pushdown(con)
        table = con.read_csv(paths, all_varchar=True, header=True, union_by_name=True)
    check_columns(list(table.columns), columns, where=str(path))
    return table


def check_transaction_files(files: Sequence[Path], fmt: str, columns: ColumnMap) -> None:
    """Each file on its own, before any engine reads it: readable (Parquet footer, UTF-8 text)
    and holding every mapped column.

    Engines unify a folder's files by column name, so a column renamed in one file would turn
    into missing values there (counted as "missing export value" and the like); a corrupt
    Parquet file or a GBK CSV would stop the engine with its own exception. Both are named
    here, with the file and what to do.
    """
    for f in files:
        if fmt == "parquet":
            names = _parquet_columns(f)
        else:
            names = _csv_header(f)
        check_columns(names, columns, where=f"file {f}")


def _parquet_columns(f: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        return [str(n) for n in pq.read_schema(f).names]
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for a damaged file
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise DataFormatError(f"{f} is not a readable Parquet file ({reason}); export it again or remove it "
                              "from the transactions folder.") from None


def _csv_header(f: Path) -> list[str]:
    import codecs
    import csv
    import gzip

    opener = gzip.open if f.name.lower().endswith(".gz") else open
    try:
        with opener(f, "rb") as fh:
            head = fh.read(1 << 16)
    except (OSError, EOFError) as exc:
        raise DataFormatError(f"{f} cannot be read ({exc}); check the file or remove it from the folder.") from None
    if not head.strip():
        raise DataFormatError(f"{f} is empty; remove it from the transactions folder or fill it.")
    if b"\x00" in head[:4096]:
        raise DataFormatError(f"{f} is not a text (CSV) file: it holds binary data.")
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        try:
            head.decode("gb18030")
            guess = "it decodes as GBK/GB18030"
        except UnicodeDecodeError:
            guess = "unknown encoding"
        line = head[: exc.start].count(b"\n") + 1
        raise DataFormatError(f"{f}, line {line}: not UTF-8 text ({guess}); transaction CSV files must be UTF-8: "
                              "re-save the file as UTF-8 (e.g. Excel: CSV UTF-8).") from None
    first = next(csv.reader([text.splitlines()[0] if text else ""]), [])
    return [c.strip() for c in first]


def disable_csv_type_pushdown(con: Any) -> None:
    """Turn off DuckDB's ``type_pushdown`` optimizer on this connection (kept with any others
    already disabled).

    DuckDB 2.0 pushes ``TRY_CAST`` over a CSV column into the CSV scanner as a hard cast, so
    one unparseable cell aborts the query instead of becoming NULL (duckdb/duckdb#23818);
    the validation counts such cells, so the cast must stay in the projection.
    """
    current = con.raw_sql("SELECT current_setting('disabled_optimizers')").fetchone()[0] or ""
    names = [n.strip() for n in str(current).split(",") if n.strip()]
    if "type_pushdown" not in names:
        con.raw_sql(f"SET disabled_optimizers = '{', '.join([*names, 'type_pushdown'])}'")


def check_columns(available: Sequence[str], columns: ColumnMap, *, where: str = "the data") -> None:
    """MissingColumnError naming every mapped column that is absent."""
    require_columns(
        available,
        {(f"[columns] {role}" if role in LABEL_ROLES else f"role {role}"): col
         for role, col in columns.sources().items()},
        where=where,
        hint="Map your column names with --column role=name on the command line or [columns] in the study file.",
    )


def read_transactions_pandas(path: str | Path, columns: ColumnMap) -> pd.DataFrame:
    """All transaction files under ``path`` as one DataFrame (pandas reference path).

    CSV cells are kept as text, empty cells as missing (as the Ibis path reads them).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from pathlib import Path
    >>> Path("customs").mkdir()
    >>> tx[tx["year"] == 2007].to_csv("customs/2007.csv", index=False)
    >>> tx[tx["year"] == 2008].to_csv("customs/2008.csv", index=False)
    >>> from exportlens.firms import ColumnMap, read_transactions_pandas
    >>> frame = read_transactions_pandas("customs", ColumnMap())
    >>> frame.shape
    (6, 7)
    >>> frame["hs8"].tolist()                     # text, empty cells missing
    ['08051000', '08051000', '85171200', nan, '61091000', '61091000']
    """
    import pandas as pd

    files, fmt = find_input_files(path)
    if fmt == "parquet":
        frames = [pd.read_parquet(f) for f in files]
    else:
        frames = [pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""]) for f in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    check_columns(list(frame.columns), columns, where=str(path))
    return frame


# --- provinces ---------------------------------------------------------------------------


def resolve_province_values(values: Sequence[Any]) -> tuple[dict[Any, int], list[Any]]:
    """Map each distinct province value to its GB/T 2260 code; values that match no mainland
    province (or are ambiguous) are returned as unknown.

    Examples
    --------
    >>> from exportlens.firms import resolve_province_values
    >>> mapping, unknown = resolve_province_values(["广东", "Jiangsu", "320000", "香港", "火星"])
    >>> mapping
    {'广东': 440000, 'Jiangsu': 320000, '320000': 320000}
    >>> unknown                                   # Hong Kong is not a mainland province
    ['香港', '火星']
    """

    mapping: dict[Any, int] = {}
    unknown: list[Any] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        try:
            p = resolve_province(v)
        except UnknownRegionError:
            unknown.append(v)
            continue
        if not p.mainland:
            unknown.append(v)
            continue
        mapping[v] = int(p.code)
    return mapping, unknown


# --- Ibis rules --------------------------------------------------------------------------


def fetch_pandas(expr: Any) -> Any:
    """The result of an Ibis expression as pandas (a DataFrame; a Python scalar for a scalar
    expression).

    On DuckDB the result comes through Arrow (``to_pyarrow``): Ibis' own ``to_pandas``
    converts column by column and, when geopandas is installed, imports it to look for
    geometry columns (about 0.1 s of a one-million-row firm run, measured with
    ``benchmarks/bench_firms.py --peer``). Other engines (Spark) keep ``to_pandas``.
    """
    import ibis

    if ibis.get_backend(expr).name != "duckdb":
        return expr.to_pandas()
    result = expr.to_pyarrow()
    return result.as_py() if isinstance(expr, ibis.expr.types.Scalar) else result.to_pandas()


def _is_string(expr: Any) -> bool:
    return expr.type().is_string()


def _blank(col: Any) -> Any:
    """Blank text (empty or only whitespace) as an Ibis predicate.

    Ibis' ``strip`` removes :data:`string.whitespace` (every character is at most U+0020),
    so a blank string sorts before ``"!"`` (U+0021) in the engines' byte order: the range
    test ``col < "!"`` is implied, and engines answer it from the Parquet min/max
    statistics, skipping the row groups that hold no candidate (measured at 50 million
    rows: 0.7 s -> 0.01 s for the three identifier columns); ``strip`` runs only on the rest.
    """
    return (col < "!") & (col.strip() == "")


def _missing_label(col: Any) -> Any:
    """Missing id/label: null, or blank text."""
    if _is_string(col):
        return col.isnull() | _blank(col)
    return col.isnull()


def _year_parts(year_raw: Any, period_format: str) -> tuple[Any, Any]:
    """(reason of the year value or null, the year as int64 where valid) as Ibis expressions."""
    import ibis

    number = year_raw.try_cast("float64")
    lo, hi = YEAR_RANGE
    if period_format == "yyyymm":
        year_f = (number - number % 100) / 100
        month = number % 100
        month_bad = (month < 1) | (month > 12)
    else:
        year_f = number
        month_bad = ibis.literal(False)
    reason = ibis.cases(
        (number.isnull() | number.isnan() | number.isinf() | (number % 1 != 0), "unparseable_year"),
        ((year_f < lo) | (year_f % 1 != 0), "implausible_year"),
        (year_f > hi, "future_year"),
        (month_bad, "unparseable_month"),
        else_=ibis.null("string"),
    )
    # cast only where the year is a whole number in range (other rows are invalid)
    year = ibis.cases(((year_f >= lo) & (year_f <= hi), year_f), else_=ibis.null("float64")).cast("int64")
    return reason, year


def _value_checks(value_raw: Any) -> tuple[Any, Any, Any]:
    """(missing, unparseable, the value as float64): Ibis predicates of the export value rules."""
    value = value_raw.try_cast("float64")
    if _is_string(value_raw):
        missing = value_raw.isnull() | _blank(value_raw)
        bad = value.isnull() | value.isnan() | value.isinf()
    else:
        missing = value_raw.isnull() | value.isnan()
        bad = value.isinf()
    return missing, bad, value


def _value_parts(value_raw: Any) -> tuple[Any, Any]:
    """(reason of the export value or null, the value as float64) as Ibis expressions."""
    import ibis

    missing, bad, value = _value_checks(value_raw)
    reason = ibis.cases((missing, "missing_value"), (bad, "unparseable_value"), (value < 0, "negative_value"),
                        else_=ibis.null("string"))
    return reason, value


def _value_flags(value_raw: Any) -> tuple[Any, Any, Any]:
    """The three export-value reasons of :func:`_value_parts` as exclusive predicates (the first
    failing rule), cheaper to count than comparing the reason text. ``missing`` is never null;
    the other two are null only where ``missing`` is true (a null counts as false)."""
    missing, bad, value = _value_checks(value_raw)
    if _is_string(value_raw):  # a blank text is also unparseable: the first rule wins
        bad = ~missing & bad
    # NaN is neither negative nor infinite; −inf is unparseable, not negative
    return missing, bad, (value < 0) & ~value.isinf()


def _row_reason(raw: ir.Table, columns: ColumnMap, unknown_provinces: Sequence[Any] = ()) -> Any:
    """The first failing reason of each row of ``raw`` (null when valid), an expression on ``raw``."""
    import ibis

    src = columns.sources()
    year_reason, _ = _year_parts(raw[src["year"]], columns.period_format)
    value_reason, _ = _value_parts(raw[src["value"]])
    prov = raw[src["province"]]
    unknown = list(unknown_provinces)
    prov_unknown = prov.isin(unknown) if unknown else ibis.literal(False)
    return ibis.cases(
        (_missing_label(raw[src["firm"]]), "missing_firm"),
        (year_reason.notnull(), year_reason),
        (value_reason.notnull(), value_reason),
        (_missing_label(raw[src["product"]]), "missing_product"),
        (_missing_label(raw[src["destination"]]), "missing_destination"),
        (_missing_label(prov), "missing_province"),
        (prov_unknown, "unknown_province"),
        (_missing_label(raw[src["industry"]]), "missing_industry"),
        else_=ibis.null("string"),
    )


def standardize(raw: ir.Table, columns: ColumnMap, *, unknown_provinces: Sequence[Any] = ()) -> ir.Table:
    """Canonical columns and the reason of invalid rows, as an Ibis expression.

    Output columns: ``firm``, ``product``, ``destination`` (as in the data), ``year``
    (int64), ``value`` (float64), ``province_raw`` (as in the data), ``industry``, the set
    label roles ``ownership`` / ``trade_mode`` (as text; blank or missing labels are missing
    and do not make a row invalid), and ``reason`` (null for valid rows, else the first failing key of :data:`REASONS`).
    Values of invalid rows are not meaningful. This is the exact row-by-row rule;
    :func:`validate` and :func:`clean_transactions` use cheaper equivalent forms when the
    identifiers are complete.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from pathlib import Path
    >>> Path("customs").mkdir()
    >>> tx[tx["year"] == 2007].to_csv("customs/2007.csv", index=False)
    >>> tx[tx["year"] == 2008].to_csv("customs/2008.csv", index=False)
    >>> from exportlens.firms import ColumnMap, connect_duckdb, open_transactions
    >>> con = connect_duckdb(memory_limit="1GB", threads=1)
    >>> raw = open_transactions(con, "customs", ColumnMap())
    >>> from exportlens.firms import standardize
    >>> std = standardize(raw, ColumnMap(), unknown_provinces=["火星"])
    >>> out = std.to_pandas().sort_values(["firm", "year", "value"])
    >>> out["reason"].fillna("-").tolist()
    ['-', '-', '-', 'missing_product', 'negative_value', 'unknown_province']
    >>> str(std.schema()["year"]), str(std.schema()["value"])
    ('int64', 'float64')
    """
    src = columns.sources()
    _, year = _year_parts(raw[src["year"]], columns.period_format)
    _, value = _value_parts(raw[src["value"]])
    return raw.select(
        firm=raw[src["firm"]], product=raw[src["product"]], destination=raw[src["destination"]], year=year,
        value=value, province_raw=raw[src["province"]], industry=raw[src["industry"]],
        **_label_exprs(raw, columns), reason=_row_reason(raw, columns, unknown_provinces),
    )


def _label_exprs(raw: ir.Table, columns: ColumnMap) -> dict[str, Any]:
    """The set label roles (:data:`LABEL_ROLES`) as text; blank labels are missing."""
    import ibis

    out = {}
    for role in columns.labels():
        col = raw[getattr(columns, role)]
        text = col if _is_string(col) else col.cast("string")
        out[role] = ibis.cases((_missing_label(col), ibis.null("string")), else_=text)
    return out


def _count_missing_labels(raw: ir.Table, cols: Sequence[Any]) -> int:
    """Rows whose label is null or blank, summed over ``cols`` (an upper bound when a row has
    several; only compared with 0). One single-column filter per check, combined by UNION ALL
    in one query: engines push each filter into the scan (a combined OR would make DuckDB
    materialise every string)."""
    import ibis

    parts = []
    for col in cols:
        conds = [col.isnull(), _blank(col)] if _is_string(col) else [col.isnull()]
        parts += [raw.filter(c).aggregate(n=ibis._.count()) for c in conds]
    total = ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
    return int(fetch_pandas(total.n.sum()) or 0)


def validate(raw: ir.Table, columns: ColumnMap) -> ValidationReport:
    """Count the rows by reason; the caller decides whether to raise or drop.

    Firm, product and destination are checked first by cheap counts. When they are complete
    (the usual case) every remaining rule depends on the year, province and industry value
    of a row or on its export value alone, so one grouping by (year, province, industry)
    with per-group counts of invalid export values gives the exact first-failing reason of
    every row without evaluating string rules row by row. Otherwise the exact row-by-row
    rule of :func:`standardize` is grouped (slower). Example rows are fetched for each
    reason found.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from pathlib import Path
    >>> Path("customs").mkdir()
    >>> tx[tx["year"] == 2007].to_csv("customs/2007.csv", index=False)
    >>> tx[tx["year"] == 2008].to_csv("customs/2008.csv", index=False)
    >>> from exportlens.firms import ColumnMap, connect_duckdb, open_transactions
    >>> con = connect_duckdb(memory_limit="1GB", threads=1)
    >>> raw = open_transactions(con, "customs", ColumnMap())
    >>> from exportlens.firms import validate
    >>> report = validate(raw, ColumnMap())
    >>> report.rows_read, report.rows_used, report.unknown_province_values, report.years
    (6, 3, ['火星'], [2007])
    >>> {k: n for k, n in report.invalid.items() if n}
    {'negative_value': 1, 'missing_product': 1, 'unknown_province': 1}
    """
    if labels_complete(raw, columns):
        report = report_from_groups(validation_groups(raw, columns), columns)
    else:
        report = _validate_exact(raw, columns)
    add_invalid_examples(raw, columns, report)
    return report


def labels_complete(raw: ir.Table, columns: ColumnMap) -> bool:
    """True when no firm, product or destination value is missing or blank (cheap counts):
    then :func:`validation_groups` gives the exact reasons of every row."""
    src = columns.sources()
    return _count_missing_labels(raw, [raw[src[r]] for r in ("firm", "product", "destination")]) == 0


def add_invalid_examples(raw: ir.Table, columns: ColumnMap, report: ValidationReport) -> None:
    """Fetch up to three example rows of each reason found into ``report.examples``."""
    if not report.rows_invalid:
        return
    src = columns.sources()
    reason = _row_reason(raw, columns, report.unknown_province_values)
    for key, n in report.invalid.items():
        if n:
            rows = raw.filter(reason == key).select(*src.values()).limit(_EXAMPLES).to_pandas()
            report.examples[key] = [_clean_record(r) for r in rows.to_dict("records")]


def validation_groups(raw: ir.Table, columns: ColumnMap, *, value_sum: Callable[..., Any] | None = None) -> ir.Table:
    """Row counts per (year, province, industry) value as in the data (``y``, ``p``, ``i``): all
    rows ``n`` and those failing each export-value rule (``v_missing``, ``v_bad``, ``v_neg``).

    With ``value_sum`` (a reduction ``value_sum(x, where=...)``, e.g. a compensated sum) the
    grouping is also by ``firm`` and carries ``v``, the sum of the valid export values: the
    firm x year x province x industry table the firm pipeline needs, made in the same scan
    (:func:`report_from_groups` rolls it up to the validation report, :func:`clean_groups`
    keeps its valid rows). Only exact when :func:`labels_complete`."""
    import ibis

    src = columns.sources()
    v_missing, v_bad, v_neg = _value_flags(raw[src["value"]])
    keys = {"y": raw[src["year"]], "p": raw[src["province"]], "i": raw[src["industry"]]}
    metrics = {"n": ibis._.count(), "v_missing": _flag_count(v_missing), "v_bad": _flag_count(v_bad),
               "v_neg": _flag_count(v_neg)}
    if value_sum is not None:
        keys = {"firm": raw[src["firm"]], **keys}
        _, value = _value_parts(raw[src["value"]])
        metrics["v"] = value_sum(value, where=~(v_missing | v_bad | v_neg))  # never null (see _value_flags)
    return raw.group_by(**keys).aggregate(**metrics)


def clean_groups(groups: ir.Table, columns: ColumnMap, report: ValidationReport) -> ir.Table:
    """The valid part of :func:`validation_groups` made with ``value_sum``, in canonical columns
    (``firm``, ``year`` int64, ``province_raw``, ``industry``, ``v``): the groups whose year,
    province and industry values passed (the rules that depend on those values alone) and
    that hold at least one valid export value. Equal to grouping the rows of
    :func:`clean_transactions` by firm, year, province and industry (by-groups validation)."""
    _, year = _year_parts(groups.y, columns.period_format)
    plan = report.filter_plan
    preds = [groups.n > groups.v_missing + groups.v_bad + groups.v_neg]
    for role, col in (("year", groups.y), ("province", groups.p), ("industry", groups.i)):
        values = plan["bad_values"][role]
        if values:
            preds.append(~col.isin(values))
        if plan["null_values"][role]:
            preds.append(col.notnull())
    t = groups.filter(*preds)
    return t.select(firm=t.firm, year=year.cast("int64"), province_raw=t.p, industry=t.i, v=t.v)


def report_from_groups(g: ir.Table, columns: ColumnMap) -> ValidationReport:
    """The validation report from the counts of :func:`validation_groups` (one row per year,
    province and industry value; exact when :func:`labels_complete`)."""
    year_reason, year = _year_parts(g.y, columns.period_format)
    g = g.mutate(year_reason=year_reason, year_int=year, p_missing=_missing_label(g.p), i_missing=_missing_label(g.i))
    groups = fetch_pandas(g)
    mapping, unknown = resolve_province_values(_distinct(groups.loc[~groups["p_missing"].astype(bool), "p"].tolist()))
    invalid = {k: 0 for k in REASONS}
    bad: dict[str, set[Any]] = {}
    # Each group's rows fail the first rule in the order of :data:`REASONS`: the year value,
    # then the export value (counted per row), then the province and industry values of
    # the rows left; vectorised over the groups (thousands of rows: a Python loop cost more
    # than the rest of the report at one million transactions).
    n = groups["n"].fillna(0).astype("int64")
    total = int(n.sum())
    year_bad = groups["year_reason"].notna()
    for reason, k in n[year_bad].groupby(groups.loc[year_bad, "year_reason"].astype(str)).sum().items():
        invalid[str(reason)] += int(k)
    bad["year"] = set(groups.loc[year_bad, "y"].tolist())
    rest = groups[~year_bad]
    failed = {key: rest[col].fillna(0).astype("int64") for key, col in
              (("missing_value", "v_missing"), ("unparseable_value", "v_bad"), ("negative_value", "v_neg"))}
    for key, k in failed.items():
        invalid[key] += int(k.sum())
    ok = n[~year_bad] - failed["missing_value"] - failed["unparseable_value"] - failed["negative_value"]
    p_missing = rest["p_missing"].astype(bool)
    unknown_p = ~p_missing & rest["p"].isin(unknown)
    i_missing = ~p_missing & ~unknown_p & rest["i_missing"].astype(bool)
    invalid["missing_province"] += int(ok[p_missing].sum())
    invalid["unknown_province"] += int(ok[unknown_p].sum())
    invalid["missing_industry"] += int(ok[i_missing].sum())
    bad["province"] = set(rest.loc[p_missing | unknown_p, "p"].tolist())
    bad["industry"] = set(rest.loc[i_missing, "i"].tolist())
    # rows that failed a value rule first are not counted for their province (as in the row-by-row rule)
    counted = unknown_p & (ok > 0)
    unknown_counts = {str(p): int(k) for p, k in ok[counted].groupby(rest.loc[counted, "p"].astype(str)).sum().items()}
    good = ~p_missing & ~unknown_p & ~i_missing & (ok > 0)
    years = {int(y) for y in rest.loc[good, "year_int"].tolist()}
    return ValidationReport(
        rows_read=total, invalid=invalid, unknown_provinces=dict(sorted(unknown_counts.items())),
        province_codes=mapping, unknown_province_values=unknown, years=sorted(years),
        filter_plan={"exact": False, "bad_values": {k: [v for v in vals if not _is_missing_scalar(v)]
                                                   for k, vals in bad.items()},
                     "null_values": {k: any(_is_missing_scalar(v) for v in vals) for k, vals in bad.items()},
                     "value_invalid": bool(invalid["missing_value"] + invalid["unparseable_value"]
                                           + invalid["negative_value"])},
    )


def _validate_exact(raw: ir.Table, columns: ColumnMap) -> ValidationReport:
    """Exact row-by-row reasons, grouped by province value, reason and year (one pass)."""
    import ibis

    std0 = standardize(raw, columns)
    counts = std0.group_by("province_raw", "reason", "year").aggregate(n=ibis._.count()).to_pandas()
    mapping, unknown = resolve_province_values(_distinct(counts["province_raw"].tolist()))
    unknown_set = set(unknown)
    invalid = {k: 0 for k in REASONS}
    unknown_counts: dict[str, int] = {}
    years: set[int] = set()
    total = 0
    for prov, reason, year, n in zip(counts["province_raw"].tolist(), counts["reason"].tolist(),
                                     counts["year"].tolist(), counts["n"].tolist(), strict=True):
        n = _as_int(n)
        total += n
        missing_reason = _is_missing_scalar(reason)
        # unknown provinces are only known now; only missing_industry is checked after them
        if not _is_missing_scalar(prov) and prov in unknown_set and (missing_reason or reason == "missing_industry"):
            invalid["unknown_province"] += n
            unknown_counts[str(prov)] = unknown_counts.get(str(prov), 0) + n
        elif not missing_reason:
            invalid[str(reason)] += n
        else:
            years.add(int(year))
    return ValidationReport(rows_read=total, invalid=invalid, unknown_provinces=dict(sorted(unknown_counts.items())),
                            province_codes=mapping, unknown_province_values=unknown, years=sorted(years),
                            filter_plan={"exact": True})


def clean_transactions(raw: ir.Table, columns: ColumnMap, report: ValidationReport) -> ir.Table:
    """The valid rows in canonical columns (``firm``, ``product``, ``destination``, ``year``,
    ``value``, ``province_raw``, ``industry``), with the cheapest filter that is exact for
    this report: none when every row is valid; value and year/province/industry value lists
    when only those rules failed; the row-by-row rule otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from pathlib import Path
    >>> Path("customs").mkdir()
    >>> tx[tx["year"] == 2007].to_csv("customs/2007.csv", index=False)
    >>> tx[tx["year"] == 2008].to_csv("customs/2008.csv", index=False)
    >>> from exportlens.firms import ColumnMap, connect_duckdb, open_transactions
    >>> con = connect_duckdb(memory_limit="1GB", threads=1)
    >>> raw = open_transactions(con, "customs", ColumnMap())
    >>> from exportlens.firms import clean_transactions, validate
    >>> report = validate(raw, ColumnMap())
    >>> clean = clean_transactions(raw, ColumnMap(), report)
    >>> clean.to_pandas().sort_values(["firm", "value"])[["firm", "year", "value", "province_raw"]]
      firm  year  value province_raw
    1   F1  2007   40.0           广东
    0   F1  2007   60.0           广东
    2   F2  2007   50.0           江苏
    """
    src = columns.sources()
    plan = report.filter_plan
    if plan.get("exact", True) and report.rows_invalid:
        std = standardize(raw, columns, unknown_provinces=report.unknown_province_values)
        return std.filter(std.reason.isnull()).drop("reason")
    y_col = raw[src["year"]]
    if columns.period_format == "year" and y_col.type().is_integer():
        # the rows kept below have whole years in range (invalid year values are filtered
        # out by value): a plain cast, not the parsing rule, on every row of every pass
        year = y_col.cast("int64")
    else:
        _, year = _year_parts(y_col, columns.period_format)
    value_reason, value = _value_parts(raw[src["value"]])
    t = raw.select(
        firm=raw[src["firm"]], product=raw[src["product"]], destination=raw[src["destination"]], year=year,
        value=value, province_raw=raw[src["province"]], industry=raw[src["industry"]],
        **_label_exprs(raw, columns), y_raw=raw[src["year"]], v_reason=value_reason,
    )
    preds = []
    if report.rows_invalid:
        if plan["value_invalid"]:
            preds.append(t.v_reason.isnull())
        for role, col in (("year", t.y_raw), ("province", t.province_raw), ("industry", t.industry)):
            values = plan["bad_values"][role]
            if values:
                preds.append(~col.isin(values))
            if plan["null_values"][role]:
                preds.append(col.notnull())
    return (t.filter(*preds) if preds else t).drop("y_raw", "v_reason")


def _flag_count(cond: Any) -> Any:
    """Number of rows where ``cond`` is true (null counts as false on every engine)."""
    import ibis

    return ibis.cases((cond, 1), else_=0).cast("int64").sum()


def _as_int(x: Any) -> int:
    return 0 if _is_missing_scalar(x) else int(x)


def _distinct(values: list[Any]) -> list[Any]:
    """Distinct values in order of first appearance (NaN-safe)."""
    seen: dict[Any, None] = {}
    for v in values:
        if not _is_missing_scalar(v):
            seen.setdefault(v, None)
    return list(seen)


def _is_missing_scalar(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(v != v)  # NaN / NA
    except (TypeError, ValueError):
        return False


def _clean_record(rec: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if _is_missing_scalar(v):
            out[k] = None
        elif hasattr(v, "item"):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def raise_for_invalid(report: ValidationReport, policy: str) -> None:
    """Apply the invalid-row policy: raise :class:`InvalidRowsError` with the counts, or return."""
    if policy not in ("raise", "drop"):
        raise InputError(f"invalid must be 'raise' or 'drop', not {policy!r}.")
    if policy == "drop" or report.rows_invalid == 0:
        return
    raise InvalidRowsError(
        f"{report.rows_invalid:,} of {report.rows_read:,} transaction rows have invalid values:\n"
        + "\n".join(report.describe().splitlines()[1:])
        + "\nFix them in the data, or pass invalid='drop' (command line: --drop-invalid) to leave them out; "
        "they are then counted by reason in the results and the manifest.",
        report,
    )


# --- pandas rules (reference) ------------------------------------------------------------


def _missing_label_pd(s: pd.Series) -> Any:
    import pandas as pd

    miss = s.isna().to_numpy()
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        text = s.astype("string").str.strip()
        miss = miss | (text == "").fillna(False).to_numpy(dtype=bool)
    return miss


def standardize_pandas(frame: pd.DataFrame, columns: ColumnMap, *, unknown_provinces: Sequence[Any] = ()) -> pd.DataFrame:
    """Canonical columns and the reason of invalid rows, in pandas (same rules as :func:`standardize`).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from exportlens.firms import ColumnMap, standardize_pandas
    >>> std = standardize_pandas(tx, ColumnMap(), unknown_provinces=["火星"])
    >>> std["reason"].fillna("-").tolist()
    ['-', '-', '-', 'missing_product', 'negative_value', 'unknown_province']
    >>> list(std.columns)
    ['firm', 'product', 'destination', 'year', 'value', 'province_raw', 'industry', 'reason']
    """
    import numpy as np
    import pandas as pd

    check_columns(list(frame.columns), columns)
    src = columns.sources()
    year_raw, value_raw = frame[src["year"]], frame[src["value"]]
    number = pd.to_numeric(year_raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lo, hi = YEAR_RANGE
    with np.errstate(invalid="ignore"):
        if columns.period_format == "yyyymm":
            year_f = (number - np.mod(number, 100)) / 100
            month = np.mod(number, 100)
            month_bad = (month < 1) | (month > 12)
        else:
            year_f = number
            month_bad = np.zeros(len(frame), dtype=bool)
        year_bad = ~np.isfinite(number) | (np.mod(number, 1) != 0)
        year_out = (year_f < lo) | (np.mod(year_f, 1) != 0)
        year_future = year_f > hi
    value = pd.to_numeric(value_raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_numeric_dtype(value_raw.dtype):
        value_missing = value_raw.isna().to_numpy()
        value_bad = np.isinf(value)
    else:
        value_missing = _missing_label_pd(value_raw)
        value_bad = ~np.isfinite(value)
    prov = frame[src["province"]]
    unknown = list(unknown_provinces)
    prov_unknown = prov.isin(unknown).to_numpy() if unknown else np.zeros(len(frame), dtype=bool)
    with np.errstate(invalid="ignore"):
        conditions = [
            ("missing_firm", _missing_label_pd(frame[src["firm"]])),
            ("unparseable_year", year_bad),
            ("implausible_year", year_out),
            ("future_year", year_future),
            ("unparseable_month", month_bad),
            ("missing_value", value_missing),
            ("unparseable_value", value_bad),
            ("negative_value", value < 0),
            ("missing_product", _missing_label_pd(frame[src["product"]])),
            ("missing_destination", _missing_label_pd(frame[src["destination"]])),
            ("missing_province", _missing_label_pd(prov)),
            ("unknown_province", prov_unknown),
            ("missing_industry", _missing_label_pd(frame[src["industry"]])),
        ]
    reason = np.full(len(frame), None, dtype=object)
    for key, cond in reversed(conditions):  # the first failing reason wins
        reason = np.where(np.asarray(cond, dtype=bool), key, reason)
    ok_year = np.isfinite(year_f) & (year_f >= lo) & (year_f <= hi)
    year = pd.array(np.where(ok_year, np.nan_to_num(year_f), 0).astype("int64"), dtype="Int64")
    year[~ok_year] = pd.NA
    return pd.DataFrame({
        "firm": frame[src["firm"]].to_numpy(), "product": frame[src["product"]].to_numpy(),
        "destination": frame[src["destination"]].to_numpy(), "year": year, "value": value,
        "province_raw": prov.to_numpy(), "industry": frame[src["industry"]].to_numpy(),
        **{role: _label_pd(frame[getattr(columns, role)]) for role in columns.labels()},
        "reason": pd.Series(reason, dtype=object).to_numpy(),
    }, index=frame.index)


def _label_pd(s: pd.Series) -> Any:
    """A label column as text (object array), blank or missing labels as None (as :func:`_label_exprs`)."""
    import numpy as np

    miss = np.asarray(_missing_label_pd(s), dtype=bool)
    text = s.astype(str).to_numpy(dtype=object)
    text[miss] = None
    return text


def validate_pandas(frame: pd.DataFrame, columns: ColumnMap) -> tuple[ValidationReport, pd.DataFrame]:
    """Report and the standardised frame (pandas reference of :func:`validate`).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("invalid")
    >>> from exportlens.firms import ColumnMap, validate_pandas
    >>> report, std = validate_pandas(tx, ColumnMap())
    >>> report.rows_used, report.province_codes, report.unknown_province_values
    (3, {'广东': 440000, '江苏': 320000}, ['火星'])
    >>> int(std["reason"].isna().sum())
    3
    """
    check_columns(list(frame.columns), columns)
    prov = frame[columns.province]
    values = [v for v in prov.dropna().unique().tolist()]
    mapping, unknown = resolve_province_values(values)
    std = standardize_pandas(frame, columns, unknown_provinces=unknown)
    invalid = {k: 0 for k in REASONS}
    counts = std["reason"].value_counts(dropna=True)
    for k, n in counts.items():
        invalid[str(k)] = int(n)
    unknown_counts = {}
    if unknown:
        sub = std.loc[std["reason"] == "unknown_province", "province_raw"]
        unknown_counts = {str(k): int(v) for k, v in sub.value_counts().sort_index().items()}
    src = list(columns.sources().values())
    examples = {}
    for key, n in invalid.items():
        if n:
            rows = frame.loc[(std["reason"] == key).to_numpy(), src].head(_EXAMPLES)
            examples[key] = [_clean_record(r) for r in rows.to_dict("records")]
    ok = std["reason"].isna().to_numpy()
    years = sorted(int(y) for y in std.loc[ok, "year"].unique())
    report = ValidationReport(rows_read=len(frame), invalid=invalid, unknown_provinces=dict(sorted(unknown_counts.items())),
                              province_codes=mapping, unknown_province_values=unknown, examples=examples, years=years)
    return report, std
