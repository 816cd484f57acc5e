"""Firm-year measures joined to a province-year panel (Vag, controls), out of core.

The firm-year table (:data:`~exportlens.firms.measures.FIRM_YEAR_COLUMNS`, from
:func:`~exportlens.firms.pipeline.firm_pipeline`: a Parquet file or an Ibis table) is joined
on the canonical province code (GB/T 2260) and the year to a province-year panel whose
province column may hold any spelling the resolver knows (``广东``, ``Guangdong``,
``440000``). The join runs in the Ibis backend (DuckDB or Spark; the panel, at most a few
thousand rows, is sent to the engine), so the firm-year table is never loaded into Python.

Province of a firm-year: the firm-year's ``code`` is its *modal province by export value*
(the province with the largest exports that year; ties: the smallest code), chosen by the
pipeline; firm-years that reported exports from several provinces (``n_provinces > 1``)
are counted in the coverage table under ``several_provinces`` (they are kept, attributed
to the modal province).

Coverage: every firm-year is counted under exactly one status (:data:`JOIN_STATUSES`, in
this order): ``matched``; ``unresolved_province`` (no province code); ``province_not_in_panel``;
``year_outside_panel`` (before the panel's first or after its last year);
``no_panel_row`` (a gap: province and year within the panel, but no row for that pair).
Only ``matched`` firm-years enter the joined table; the others are counted with their
firms in :attr:`JoinedFirmPanel.coverage`, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportlens.errors import DataFormatError, InputError
from exportlens.firms.io import fetch_pandas
from exportlens.regions import resolve_provinces
from exportlens.validation import check_unique_keys, require_columns, row_refs

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

__all__ = ["JOIN_STATUSES", "JoinedFirmPanel", "join_province_panel"]

#: Status of a firm-year in the join: key -> (English, Chinese).
JOIN_STATUSES: dict[str, tuple[str, str]] = {
    "matched": ("matched to a panel row", "匹配到省级面板"),
    "unresolved_province": ("province cannot be resolved", "省份无法识别"),
    "province_not_in_panel": ("province not in the panel", "省份不在面板中"),
    "year_outside_panel": ("year outside the panel's years", "年份超出面板范围"),
    "no_panel_row": ("no panel row for the province and year", "面板缺少该省该年"),
}


@dataclass
class JoinedFirmPanel:
    """The joined firm-year x province-year table and the join's coverage.

    ``table``: Ibis table of the matched firm-years with the panel columns appended (or, when
    written, read back from ``path``). ``coverage``: one row per status of
    :data:`JOIN_STATUSES` with ``firm_years`` and ``firms`` (distinct firms with at least one
    firm-year of that status), plus ``several_provinces`` (matched firm-years attributed to
    their modal province). ``notes``: plain sentences about what was left out and why.
    """

    table: ir.Table
    coverage: pd.DataFrame
    panel_columns: list[str]
    several_provinces: int = 0
    notes: list[str] = field(default_factory=list)
    path: Path | None = None

    def to_frame(self) -> pd.DataFrame:
        """The joined table in memory (small data; at scale read ``path`` in pieces)."""
        return fetch_pandas(self.table).sort_values(["firm", "year"], kind="mergesort").reset_index(drop=True)

    def summary(self) -> str:
        lines = ["Firm-years joined to the province panel:"]
        for status, n_fy, n_firms in zip(self.coverage["status"], self.coverage["firm_years"], self.coverage["firms"],
                                         strict=True):
            lines.append(f"  {status}: {n_fy:,} firm-years, {n_firms:,} firms")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


def _panel_frame(panel: pd.DataFrame, province: str, year: str, columns: Sequence[str]) -> pd.DataFrame:
    """The panel with canonical ``code`` (int64) and ``year`` and the requested columns."""
    import pandas as pd

    require_columns(panel, [province, year, *columns], where="the province panel")
    if not columns:
        raise InputError("Name at least one panel column to join (e.g. vag).")
    codes = resolve_provinces(panel[province], errors="raise")
    years = pd.to_numeric(panel[year], errors="coerce")
    bad = years.isna() | (years % 1 != 0)
    if bad.any():
        rows = panel.index[bad.to_numpy()][:5]
        raise DataFormatError(f"The province panel's year column {year!r} has non-integer values in "
                              f"{row_refs(rows, panel.index)}.")
    out = pd.DataFrame({"p_code": codes.astype("int64").to_numpy(), "p_year": years.astype("int64").to_numpy()},
                       index=panel.index)  # the panel's row labels (file lines) for the messages
    for c in columns:
        out[c] = pd.to_numeric(panel[c], errors="raise").astype("float64").to_numpy()
    check_unique_keys(out.rename(columns={"p_code": "code", "p_year": "year"}), ["code", "year"])
    return out.reset_index(drop=True)


def join_province_panel(
    con: Any,
    firm_year: ir.Table | str | Path,
    panel: pd.DataFrame,
    *,
    province: str = "code",
    year: str = "year",
    columns: Sequence[str] = ("vag",),
    out_path: str | Path | None = None,
) -> JoinedFirmPanel:
    """Join firm-year measures to the province-year ``panel`` on province code and year.

    ``firm_year``: an Ibis table of the backend ``con`` or a Parquet path (the pipeline's
    ``firm_year.parquet``). ``panel``: a DataFrame with a province column (any spelling;
    ``province``), a year column (``year``) and the ``columns`` to bring in (Vag, controls),
    one row per province and year (duplicates raise). With ``out_path`` the matched table is
    written there as Parquet and read back. Coverage and rules: module docstring.
    """
    import ibis

    fy = con.read_parquet(str(firm_year)) if isinstance(firm_year, str | Path) else firm_year
    cols = list(columns)
    clash = sorted(set(cols) & set(fy.columns))
    if clash:
        raise InputError(f"Panel column(s) {clash} have the names of firm-year columns; rename them in the panel.")
    p = _panel_frame(panel, province, year, cols)
    panel_codes = sorted(int(c) for c in p["p_code"].unique())
    y0, y1 = int(p["p_year"].min()), int(p["p_year"].max())
    pt = ibis.memtable(p)
    j = fy.left_join(pt, [fy.code == pt.p_code, fy.year == pt.p_year])
    status = ibis.cases(
        (j.code.isnull(), "unresolved_province"),
        (~j.code.isin(panel_codes), "province_not_in_panel"),
        ((j.year < y0) | (j.year > y1), "year_outside_panel"),
        (j.p_code.isnull(), "no_panel_row"),
        else_="matched",
    )
    tagged = j.select(*fy.columns, *cols, join_status=status)
    counts = fetch_pandas(tagged.group_by("join_status").aggregate(
        firm_years=tagged.count(), firms=tagged.firm.nunique(),
        several=ibis.cases((tagged.n_provinces > 1, 1), else_=0).cast("int64").sum(),
    ))
    import pandas as pd

    by = counts.set_index("join_status")
    coverage = pd.DataFrame({
        "status": list(JOIN_STATUSES),
        "firm_years": [int(by["firm_years"].get(k, 0)) for k in JOIN_STATUSES],
        "firms": [int(by["firms"].get(k, 0)) for k in JOIN_STATUSES],
    })
    several = int(by["several"].get("matched", 0))
    matched = tagged.filter(tagged.join_status == "matched").drop("join_status")
    path = None
    if out_path is not None:
        path = Path(out_path)
        con.to_parquet(matched, str(path))
        matched = con.read_parquet(str(path))
    notes = []
    total = int(coverage["firm_years"].sum())
    for status, n_fy, n_firms in zip(coverage["status"], coverage["firm_years"], coverage["firms"], strict=True):
        if status != "matched" and n_fy:
            notes.append(f"{n_fy:,} of {total:,} firm-years ({n_firms:,} firms) are not in the joined "
                         f"table: {JOIN_STATUSES[status][0]} (panel: {len(panel_codes)} provinces, {y0}-{y1}).")
    if several:
        notes.append(f"{several:,} joined firm-years report exports from more than one province; each is joined to "
                     "its modal province by export value (ties: the smallest code).")
    return JoinedFirmPanel(table=matched, coverage=coverage, panel_columns=cols, several_provinces=several,
                           notes=notes, path=path)
