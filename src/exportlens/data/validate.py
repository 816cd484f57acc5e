"""Panel validation: duplicates, unknown provinces, non-numeric cells, gaps, missing values.

:func:`validate_panel` inspects an entity-time panel and returns a
:class:`ValidationReport` listing every problem it finds; :func:`check_panel` does the same
and raises :class:`~exportlens.errors.ValidationError` (carrying the report) when a
blocking problem is found. Validation never modifies or drops anything.

Blocking problems: duplicated entity-time rows, missing entity or time keys, unknown
entities (when resolution is requested) and non-numeric cells in variables expected to be
numeric. Gaps (entity-period holes relative to the full grid) and missing values are
warnings, unless ``require_balanced=True`` makes them blocking.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from exportlens.errors import InputError, UnknownRegionError, ValidationError
from exportlens.regions.registry import closest_provinces, is_national_total, resolve_province
from exportlens.validation import format_list, require_columns, row_ref, row_refs, row_word

__all__ = ["ValidationReport", "check_panel", "validate_panel"]

_SHOW = 10  # cells/rows listed in a message; the DataFrames keep everything
_THOUSANDS = re.compile(r"^\s*[+-]?\d{1,3}([,，]\d{3})+(\.\d+)?\s*$")
_PLACEHOLDERS = {"-", "--", "—", "——", "…", "...", "..", "na", "n/a", "nan", "null", "none", "#n/a"}

Severity = Literal["error", "warning"]


@dataclass(repr=False)
class ValidationReport:
    """Everything :func:`validate_panel` found. Nothing in the panel is changed.

    Attributes
    ----------
    n_rows, n_entities, n_periods : int
        Size of the panel (distinct non-missing entities and periods).
    duplicates : pandas.DataFrame
        Every row whose entity-time pair occurs more than once (all copies, not only the
        extra ones), grouped by key in order of first appearance: columns ``row`` (index
        label of the row), the ``by`` columns if any, the entity and time columns,
        ``n_copies``.
    unknown_entities : list of (value, list of str)
        Entity values that are not provinces, with the closest registry names (only when
        ``resolve_entities="province"``). National-total labels (全国 ...) are listed with
        the candidate ``"national total (not a province)"``.
    non_numeric : pandas.DataFrame
        One row per cell that is not a number in a variable expected numeric: ``row``
        (index label), ``column``, ``value``.
    gaps : pandas.DataFrame
        One row per entity missing some periods of the full entity x period grid (the
        grid of each ``by`` group): the ``by`` columns if any, the entity column,
        ``n_missing`` and ``missing_periods`` (a sorted list).
    missing : pandas.DataFrame
        Per variable (index): ``n_missing`` and ``share`` of missing values.
    missing_keys : pandas.DataFrame
        Rows whose entity or time is missing: ``row``, the entity and time columns.
    balanced : bool
        Every entity has a row for every period.
    issues : list of str
        Human-readable description of each issue, blocking ones first.
    blocking : bool
        True when at least one issue is an error.
    records : list of (severity, kind, detail)
        The same issues in structured form (see :meth:`to_frame`).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"province": ["北京", "北京", "天津", "天津", "Hebei"],
    ...                       "year": [2022, 2023, 2022, 2023, 2022],
    ...                       "exports": [5.1, 5.3, 3.2, "3,4", 2.0]})
    >>> from exportlens.data import validate_panel
    >>> report = validate_panel(panel, entity="province", time="year", resolve_entities="province")
    >>> report
    <ValidationReport blocking: 5 rows, 3 entities, 2 periods, 2 issue(s)>
    >>> report.to_frame()[["severity", "kind"]]
      severity         kind
    0    error  non_numeric
    1  warning          gap
    >>> report.non_numeric
       row   column value
    0    3  exports   3,4
    """

    n_rows: int
    n_entities: int
    n_periods: int
    duplicates: pd.DataFrame
    unknown_entities: list[tuple[Any, list[str]]]
    non_numeric: pd.DataFrame
    gaps: pd.DataFrame
    missing: pd.DataFrame
    balanced: bool
    issues: list[str] = field(default_factory=list)
    blocking: bool = False
    missing_keys: pd.DataFrame = field(default_factory=pd.DataFrame)
    records: list[tuple[Severity, str, str]] = field(default_factory=list)
    entity: str = "entity"
    time: str = "time"

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: ``severity`` (error/warning), ``kind`` and ``detail``."""
        return pd.DataFrame(self.records, columns=["severity", "kind", "detail"])

    def summary(self) -> str:
        """Plain-text summary: panel size, balance and every issue."""
        n_err = sum(1 for s, _, _ in self.records if s == "error")
        n_warn = len(self.records) - n_err
        head = (
            f"Panel: {self.n_rows} rows, {self.n_entities} entities ({self.entity}), "
            f"{self.n_periods} periods ({self.time}); "
            f"{'balanced' if self.balanced else 'unbalanced'}."
        )
        if not self.records:
            return head + "\nNo problems found."
        verdict = (
            f"{n_err} blocking problem(s), {n_warn} warning(s)."
            if n_err
            else f"No blocking problems; {n_warn} warning(s)."
        )
        lines = [head, verdict]
        lines += [f"  [{s}] {d}" for s, _, d in self.records]
        return "\n".join(lines)

    def raise_if_blocking(self) -> ValidationReport:
        """Raise :class:`~exportlens.errors.ValidationError` (with this report) if blocking.

        Returns the report itself otherwise, so calls can be chained.
        """
        if self.blocking:
            errors = [d for s, _, d in self.records if s == "error"]
            raise ValidationError(
                f"Panel validation failed with {len(errors)} blocking problem(s): "
                + " | ".join(errors)
                + " (full listing in the exception's .report)",
                report=self,
            )
        return self

    def __repr__(self) -> str:
        state = "blocking" if self.blocking else "ok"
        return (
            f"<ValidationReport {state}: {self.n_rows} rows, {self.n_entities} entities, "
            f"{self.n_periods} periods, {len(self.records)} issue(s)>"
        )


# --- helpers ------------------------------------------------------------------------------



def _plain(value: Any) -> Any:
    """A numpy scalar as its Python value, so messages read 2020, not np.int64(2020)."""
    return value.item() if isinstance(value, np.generic) else value

def _non_numeric_cells(s: pd.Series) -> pd.Series:
    """Boolean mask of cells that are present but do not parse as numbers."""
    coerced = pd.to_numeric(s, errors="coerce")
    return s.notna() & coerced.isna()


def _text_only(s: pd.Series) -> bool:
    """True for a text column none of whose present cells is a number (a label column)."""
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s) or not s.notna().any():
        return False
    return bool(_non_numeric_cells(s)[s.notna()].all())


def _hint(values: Sequence[Any]) -> str:
    texts = [str(v) for v in values]
    hints = []
    if any(_THOUSANDS.match(t) for t in texts):
        hints.append("values such as '1,234' use a thousands separator: remove the commas")
    if any(t.strip().lower() in _PLACEHOLDERS for t in texts):
        hints.append("placeholders such as '—' or '...' should be empty cells (missing)")
    if any(t.strip() == "" for t in texts):
        hints.append("empty strings should be missing values")
    return f" ({'; '.join(hints)})" if hints else ""


def _period_sort_key(values: list[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


# --- main functions -----------------------------------------------------------------------


def validate_panel(
    df: pd.DataFrame,
    *,
    entity: str,
    time: str,
    variables: Sequence[str] | None = None,
    require_balanced: bool = False,
    numeric: bool = True,
    resolve_entities: Literal["province"] | None = None,
    by: str | Sequence[str] | None = None,
) -> ValidationReport:
    """Check an entity-time panel and report every problem; nothing is changed or dropped.

    Parameters
    ----------
    df : pandas.DataFrame
        The panel, one row per entity-time (long layout, e.g. from
        :func:`~exportlens.data.load_panel`).
    entity, time : str
        Names of the entity and time columns.
    variables : sequence of str, optional
        Variables to check for missing and non-numeric values (default: every other
        column, except ``code``/``province`` when they are not the entity).
    require_balanced : bool, default False
        Make gaps in the entity x period grid and missing values blocking.
    numeric : bool, default True
        Expect the variables to be numeric: text cells that are not numbers are blocking.
    resolve_entities : {"province", None}, default None
        Also check that each entity is a province of the registry (any usual spelling);
        two spellings of the same province then count as the same entity.
    by : str or sequence of str, optional
        Extra key columns of a stacked long frame, e.g. ``"indicator"`` for the output of
        :func:`~exportlens.data.read_nbs_many`: duplicates are looked for on
        ``by + entity + time`` and gaps within each ``by`` group.

    Returns
    -------
    ValidationReport

    Raises
    ------
    MissingColumnError
        ``entity``, ``time`` or a variable is not a column; the message lists the columns.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"province": ["北京", "北京", "天津", "天津", "Hebei"],
    ...                       "year": [2022, 2023, 2022, 2023, 2022],
    ...                       "exports": [5.1, 5.3, 3.2, "3,4", 2.0]})
    >>> from exportlens.data import validate_panel
    >>> report = validate_panel(panel, entity="province", time="year", resolve_entities="province")
    >>> print(report.summary())
    Panel: 5 rows, 3 entities (province), 2 periods (year); unbalanced.
    1 blocking problem(s), 1 warning(s).
      [error] 1 non-numeric cell(s) in 'exports': row 3, column 'exports': '3,4'.
      [warning] Unbalanced panel: 1 entity series miss 1 of the 6 cells of ...: Hebei 2023.
    >>> report.gaps
      province  n_missing missing_periods
    0    Hebei          1          [2023]
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"validate_panel expects a DataFrame, got {type(df).__name__}")
    if resolve_entities not in ("province", None):
        raise InputError(f"resolve_entities must be 'province' or None, not {resolve_entities!r}")
    by_cols = [by] if isinstance(by, str) else list(by or [])
    cols = list(df.columns)
    wanted = [entity, time, *by_cols, *(variables or [])]
    require_columns(df, wanted, where="the panel")
    records: list[tuple[Severity, str, str]] = []
    if variables is None:
        skip = {entity, time, *by_cols} | ({"code", "province"} - {entity})
        variables = [c for c in cols if c not in skip]
        # A column of text only that holds one value per entity (names such as province_en, a
        # region label) describes the entity: it is listed, not blocking. Text that varies within
        # an entity, or mixes with numbers, is checked as a variable.
        labels_only = [c for c in variables if _text_only(df[c])
                       and int(df.groupby(df[entity], dropna=True)[c].nunique(dropna=True).max()) <= 1]
        if labels_only:
            variables = [c for c in variables if c not in labels_only]
            records.append(("warning", "label_columns",
                            f"Column(s) {labels_only} hold text, one value per {entity}: read as labels of the "
                            f"{entity}, not checked as variables."))
    variables = list(variables)
    labels = df.index.tolist()  # row labels reported to the user (positions used inside)
    index = df.index  # named "line" when the labels are the file's line numbers (row_word)

    ent = df[entity].reset_index(drop=True)
    tim = df[time].reset_index(drop=True)

    # Missing keys.
    key_missing = (ent.isna() | tim.isna()).to_numpy()
    missing_pos = [i for i, m in enumerate(key_missing) if m]
    missing_keys = pd.DataFrame(
        {
            "row": [labels[i] for i in missing_pos],
            entity: ent[key_missing].to_numpy(),
            time: tim[key_missing].to_numpy(),
        }
    )
    if len(missing_keys):
        records.append(
            (
                "error",
                "missing_key",
                f"{len(missing_keys)} row(s) with a missing {entity!r} or {time!r}: {row_word(index, True)} "
                f"{format_list(missing_keys['row'].tolist(), _SHOW, sep=', ')}.",
            )
        )

    # Entity resolution.
    unknown: list[tuple[Any, list[str]]] = []
    entity_key = ent
    if resolve_entities == "province":
        mapping: dict[Any, Any] = {}
        for v in pd.unique(ent[ent.notna()]):
            if is_national_total(v):
                unknown.append((v, ["national total (not a province)"]))
                continue
            try:
                mapping[v] = resolve_province(v).code
            except UnknownRegionError:
                unknown.append((v, closest_provinces(str(v))))
        if unknown:
            details = []
            for v, cands in unknown[:_SHOW]:
                rows = [labels[i] for i in np.flatnonzero(ent.isin([v]).to_numpy())]
                if is_national_total(v):
                    cand = "; a national-total label, not a province"
                else:
                    cand = f"; closest: {', '.join(cands)}" if cands else "; no close match"
                details.append(f"{v!r} ({row_word(index, True)} {format_list(rows, 5, sep=', ')}{cand})")
            more = f" ... and {len(unknown) - _SHOW} more" if len(unknown) > _SHOW else ""
            records.append(
                (
                    "error",
                    "unknown_entity",
                    f"{len(unknown)} {entity!r} value(s) are not provinces: "
                    + "; ".join(details)
                    + more
                    + ".",
                )
            )
        entity_key = ent.map(lambda v: mapping.get(v, v))

    group_cols = [f"_by{i}" for i in range(len(by_cols))]
    keys = pd.DataFrame(
        {
            **{g: df[c].to_numpy() for g, c in zip(group_cols, by_cols, strict=True)},
            "_e": entity_key.to_numpy(),
            "_t": tim.to_numpy(),
        }
    )
    keyed = keys[~key_missing]
    what = "-".join([*map(str, by_cols), entity, time])

    # Duplicates (all copies listed, grouped, in order of first appearance).
    dup_mask = keyed.duplicated([*group_cols, "_e", "_t"], keep=False).to_numpy()
    dups = keyed[dup_mask]
    if len(dups):
        groups = dups.groupby([*group_cols, "_e", "_t"], sort=False, dropna=False)
        pos = dups.index.to_numpy()
        duplicates = pd.DataFrame(
            {
                "row": [labels[i] for i in pos],
                **{c: df[c].to_numpy()[pos] for c in by_cols},
                entity: ent.to_numpy()[pos],
                time: tim.to_numpy()[pos],
                "n_copies": groups["_e"].transform("size").to_numpy(),
                "_group": groups.ngroup().to_numpy(),
            }
        )
        duplicates = (
            duplicates.sort_values("_group", kind="stable")
            .drop(columns="_group")
            .reset_index(drop=True)
        )
        n_pairs = int(groups.ngroups)
        examples = []
        for key, grp in list(groups)[:_SHOW]:
            first = int(grp.index[0])
            prefix = " ".join(repr(k) for k in key[: len(group_cols)])
            examples.append(
                (prefix + " " if prefix else "")
                + f"{_plain(ent.iloc[first])!r} {_plain(key[-1])!r} ({row_refs([labels[i] for i in grp.index], index)})"
            )
        same = (
            " (names resolved: different spellings of one province count as one)"
            if resolve_entities
            else ""
        )
        records.append(
            (
                "error",
                "duplicate",
                f"{n_pairs} {what} key(s) occur more than once, {len(dups)} rows in all"
                f"{same}: " + "; ".join(examples) + (" ..." if n_pairs > _SHOW else "") + ".",
            )
        )
    else:
        duplicates = pd.DataFrame(
            {"row": [], **{c: [] for c in by_cols}, entity: [], time: [], "n_copies": []}
        )

    # Grid, gaps, balance (per by-group when ``by`` is given).
    first_label: dict[Any, Any] = {}
    for e, lab in zip(keyed["_e"].tolist(), ent[~key_missing].tolist(), strict=True):
        first_label.setdefault(e, lab)
    all_entities = list(dict.fromkeys(keyed["_e"].tolist()))
    all_periods = list(dict.fromkeys(keyed["_t"].tolist()))
    gap_rows = []
    group_iter = (
        keyed.groupby(group_cols, sort=False, dropna=False) if group_cols else [((), keyed)]
    )
    n_cells = 0
    for gkey, sub in group_iter:
        gkey = gkey if isinstance(gkey, tuple) else (gkey,)
        entities = list(dict.fromkeys(sub["_e"].tolist()))
        periods = _period_sort_key(list(dict.fromkeys(sub["_t"].tolist())))
        n_cells += len(entities) * len(periods)
        present: dict[Any, set[Any]] = {}
        for e, t in zip(sub["_e"].tolist(), sub["_t"].tolist(), strict=True):
            present.setdefault(e, set()).add(t)
        for e in entities:
            holes = [p for p in periods if p not in present[e]]
            if holes:
                gap_rows.append(
                    {
                        **dict(zip(by_cols, gkey, strict=True)),
                        entity: first_label[e],
                        "n_missing": len(holes),
                        "missing_periods": holes,
                    }
                )
    gaps = pd.DataFrame(gap_rows, columns=[*by_cols, entity, "n_missing", "missing_periods"])
    balanced = not gap_rows
    if gap_rows:
        n_holes = int(gaps["n_missing"].sum())
        examples = [
            " ".join(str(r[c]) for c in by_cols)
            + (" " if by_cols else "")
            + f"{r[entity]} {format_list(r['missing_periods'], 5, sep=', ')}"
            for r in gap_rows[:_SHOW]
        ]
        grid = "grid" if by_cols else f"{len(all_entities)} x {len(all_periods)} grid"
        records.append(
            (
                "error" if require_balanced else "warning",
                "gap",
                f"Unbalanced panel: {len(gap_rows)} entity series miss {n_holes} of the {n_cells} "
                f"cells of the {entity} x {time} {grid}: "
                + "; ".join(examples)
                + (" ..." if len(gap_rows) > _SHOW else "")
                + ".",
            )
        )

    # Non-numeric cells.
    nn_rows, nn_cols, nn_vals = [], [], []
    if numeric:
        for col in variables:
            s = df[col]
            if pd.api.types.is_bool_dtype(s):
                continue
            if pd.api.types.is_numeric_dtype(s):
                continue
            if pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
                records.append(
                    (
                        "warning",
                        "non_numeric_column",
                        f"Column {col!r} has dtype {s.dtype}, not a number.",
                    )
                )
                continue
            bad = _non_numeric_cells(s)
            if bad.any():
                nn_rows += [labels[i] for i in np.flatnonzero(bad.to_numpy())]
                nn_cols += [col] * int(bad.sum())
                nn_vals += s[bad].tolist()
            elif s.notna().any():
                records.append(
                    (
                        "warning",
                        "numbers_as_text",
                        f"Column {col!r} holds numbers stored as text (dtype {s.dtype}); convert it "
                        "with pandas.to_numeric.",
                    )
                )
    non_numeric = pd.DataFrame({"row": nn_rows, "column": nn_cols, "value": nn_vals})
    if len(non_numeric):
        by_col = non_numeric.groupby("column", sort=False).size()
        listing = [
            f"{row_ref(r, index)}, column {c!r}: {v!r}"
            for r, c, v in non_numeric.head(_SHOW).itertuples(index=False)
        ]
        more = f" ... and {len(non_numeric) - _SHOW} more" if len(non_numeric) > _SHOW else ""
        records.append(
            (
                "error",
                "non_numeric",
                f"{len(non_numeric)} non-numeric cell(s) in "
                + (", ".join(f"{c!r} ({n})" for c, n in by_col.items()) if len(by_col) > 1
                   else repr(next(iter(by_col.index))))
                + ": "
                + "; ".join(listing)
                + more
                + _hint(nn_vals)
                + ".",
            )
        )

    # Missing values per variable.
    n = len(df)
    miss_counts = [int(df[c].isna().sum()) for c in variables]
    missing = pd.DataFrame(
        {"n_missing": miss_counts, "share": [m / n if n else 0.0 for m in miss_counts]},
        index=pd.Index(variables, name="variable"),
    )
    with_missing = missing[missing["n_missing"] > 0]
    if len(with_missing):
        records.append(
            (
                "error" if require_balanced else "warning",
                "missing",
                "Missing values: "
                + ", ".join(
                    f"{c!r} {int(r.n_missing)} ({r.share:.1%})" for c, r in with_missing.iterrows()
                )
                + ".",
            )
        )

    records.sort(key=lambda r: 0 if r[0] == "error" else 1)
    return ValidationReport(
        n_rows=n,
        n_entities=len(all_entities),
        n_periods=len(all_periods),
        duplicates=duplicates,
        unknown_entities=unknown,
        non_numeric=non_numeric,
        gaps=gaps,
        missing=missing,
        balanced=balanced,
        issues=[d for _, _, d in records],
        blocking=any(s == "error" for s, _, _ in records),
        missing_keys=missing_keys,
        records=records,
        entity=entity,
        time=time,
    )


def check_panel(
    df: pd.DataFrame,
    *,
    entity: str,
    time: str,
    variables: Sequence[str] | None = None,
    require_balanced: bool = False,
    numeric: bool = True,
    resolve_entities: Literal["province"] | None = None,
    by: str | Sequence[str] | None = None,
) -> ValidationReport:
    """Validate like :func:`validate_panel` and raise on blocking problems.

    Returns
    -------
    ValidationReport
        When nothing blocking was found (warnings may remain).

    Raises
    ------
    ValidationError
        At least one blocking problem; ``exc.report`` is the full report.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"province": ["北京", "北京", "天津", "天津", "Hebei"],
    ...                       "year": [2022, 2023, 2022, 2023, 2022],
    ...                       "exports": [5.1, 5.3, 3.2, "3,4", 2.0]})
    >>> from exportlens.data import check_panel
    >>> check_panel(panel, entity="province", time="year")
    Traceback (most recent call last):
    ...
    exportlens.errors.ValidationError: Panel validation failed with 1 blocking problem(s): ...

    Once the cell is fixed (and the column numeric) only the warning about the gap remains,
    and the report is returned:

    >>> panel["exports"] = pd.to_numeric(panel["exports"].replace("3,4", 3.4))
    >>> check_panel(panel, entity="province", time="year")
    <ValidationReport ok: 5 rows, 3 entities, 2 periods, 1 issue(s)>
    """
    report = validate_panel(
        df,
        entity=entity,
        time=time,
        variables=variables,
        require_balanced=require_balanced,
        numeric=numeric,
        resolve_entities=resolve_entities,
        by=by,
    )
    return report.raise_if_blocking()
