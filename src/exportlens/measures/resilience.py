"""Export resilience of regions: growth-based indices and phase-based resilience measures.

Every function takes a *long* DataFrame (one row per region and period; one row per
region, industry and period for the shift-share benchmark) with user-named columns.
Indices computed for every row (:func:`relative_log_growth`, :func:`dhs_growth`) are
returned as a Series aligned with the input (same index, same order). Phase-based
measures (:func:`sensitivity_index`, :func:`resistance_recovery`,
:func:`expected_change_resilience`) return a dataclass with ``.to_frame()`` (one row per
region) and ``.summary()`` (plain text).

Periods
-------
The time column must hold integer periods (years) or pandas ``Period`` values. Integers
are read as *consecutive* periods: the lag of 2012 is 2011 whatever the data contain.
Lags are taken within a region on the complete region x period grid, so a gap never
shifts a value to the wrong period: E_i,t−k is the value at period t−k exactly, and
missing when that row is absent. For monthly or quarterly data use pandas Periods
(``df[time].dt.to_period("M")``), not ``yyyymm`` integers.

National exports
----------------
Indices benchmarked on the nation read the national total either from a column
(``national=``, which must be constant within each period; the function also sums the
regions and warns with :class:`NationalTotalMismatchWarning` where the two differ by more
than ``tolerance``), or, when asked with ``national_from="sum"``, as the sum of the
regions in the data (then the data must cover every region of the nation).

Warnings
--------
All warnings derive from :class:`ResilienceWarning` (a ``UserWarning``), so they can be
filtered as a group or one category at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from exportlens.errors import (
    InputError,
    NationalTotalMismatchWarning,
    NonPositiveValueError,
    NonPositiveValueWarning,
    PhaseSignWarning,
    ResilienceWarning,
    SmallNationalGrowthWarning,
    warn_caller,
)
from exportlens.measures.kernels import (
    DHS_REFERENCE,
    LAGRAVINESE_REFERENCE,
    dhs_growth_rate,
    relative_growth_index,
)
from exportlens.validation import (
    check_unique_keys,
    coerce_numeric,
    format_list,
    format_value,
    require_named_columns,
    require_no_missing,
    row_ref,
)

__all__ = [
    "DHS_REFERENCE",
    "ExpectedChangeResilience",
    "NationalTotalMismatchWarning",
    "NonPositiveValueWarning",
    "Phase",
    "PhaseResilience",
    "PhaseSignWarning",
    "ResilienceWarning",
    "ResistanceRecovery",
    "SensitivityIndex",
    "SmallNationalGrowthWarning",
    "detect_phases",
    "dhs_growth",
    "expected_change_resilience",
    "national_exports",
    "relative_log_growth",
    "resistance_recovery",
    "sensitivity_index",
]

MARTIN_REFERENCE = "Martin (2012), J. Econ. Geogr. 12(1):1-32"
MSGT_REFERENCE = "Martin, Sunley, Gardiner & Tyler (2016), Reg. Stud. 50(4):561-585"


# --- warnings -------------------------------------------------------------------------




# --- input checks: exportlens.validation ----------------------------------------------


@dataclass
class _Panel:
    """Row-aligned view of a long panel: region codes and positions on the period grid."""

    region_code: np.ndarray  # int codes of the region labels (order of first appearance)
    regions: pd.Index  # the distinct region labels
    pos: np.ndarray  # position of each row's period on the complete grid
    grid: pd.Index  # the complete, consecutive grid of periods
    times: np.ndarray  # the coerced period of each row (int or Period)

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    @property
    def n_periods(self) -> int:
        return len(self.grid)

    def span(self) -> str:
        return f"{self.grid[0]}..{self.grid[-1]}"

    def position(self, period: Any) -> int:
        """Position of ``period`` on the grid (the grid is unique, so one integer)."""
        return int(self.grid.get_indexer(pd.Index([period]))[0])


def _coerce_periods(s: pd.Series, column: str) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Positions on the complete grid, the grid, and the coerced periods."""
    if isinstance(s.dtype, pd.PeriodDtype):
        pidx = pd.PeriodIndex(s)
        ords = pidx.asi8
        lo = int(ords.min())
        periods = pd.period_range(start=pidx.min(), end=pidx.max(), freq=pidx.freq, name=column)
        return ords - lo, periods, np.asarray(pidx.astype(object))
    if pd.api.types.is_bool_dtype(s.dtype):
        raise InputError(
            f"Time column {column!r} is boolean; integer periods (years) or pandas Periods are required."
        )
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        raise InputError(
            f"Time column {column!r} holds dates; convert it to years (df[{column!r}].dt.year) "
            f"or periods (df[{column!r}].dt.to_period('M'))."
        )
    vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(vals) | (vals != np.round(vals))
    if bad.any():
        examples = [f"{row_ref(i, s.index)}: {v!r}" for i, v in zip(s.index[bad], s[bad], strict=True)]
        raise InputError(
            f"Time column {column!r} must hold integer periods (years) or pandas Periods: {format_list(examples, 5)}."
        )
    ints = vals.astype(np.int64)
    lo, hi = int(ints.min()), int(ints.max())
    if hi - lo > 10_000:
        raise InputError(
            f"Time column {column!r} spans {lo}..{hi}: integer periods are read as consecutive years; "
            "use pandas Periods for monthly or quarterly data."
        )
    grid = pd.Index(np.arange(lo, hi + 1, dtype=np.int64), name=column)
    return ints - lo, grid, ints


def _panel(df: pd.DataFrame, region: str, time: str, extra_keys: Sequence[str] = ()) -> _Panel:
    require_no_missing(df, region, "region")
    require_no_missing(df, time, "period")
    for key in extra_keys:
        require_no_missing(df, key, key)
    pos, grid, times = _coerce_periods(df[time], time)
    keyframe = pd.DataFrame({region: df[region].to_numpy(), time: times}, index=df.index)
    for key in extra_keys:
        keyframe[key] = df[key].to_numpy()
    check_unique_keys(keyframe, [region, *extra_keys, time])
    codes, uniques = pd.factorize(df[region], sort=False)
    return _Panel(
        region_code=codes, regions=pd.Index(uniques, name=region), pos=pos, grid=grid, times=times
    )


def _dense(panel: _Panel, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Region x period arrays of the values and of row presence."""
    arr = np.full((panel.n_regions, panel.n_periods), np.nan)
    present = np.zeros((panel.n_regions, panel.n_periods), dtype=bool)
    arr[panel.region_code, panel.pos] = values
    present[panel.region_code, panel.pos] = True
    return arr, present


def _lag_rows(panel: _Panel, dense: np.ndarray, k: int) -> np.ndarray:
    """For each row, the value of its region at period t−k exactly (NaN if absent)."""
    out = np.full(len(panel.pos), np.nan)
    ok = panel.pos >= k
    out[ok] = dense[panel.region_code[ok], panel.pos[ok] - k]
    return out


def _check_k(k: Any, panel: _Panel) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(f"k must be a positive integer, got {k!r}.")
    k = int(k)
    if k >= panel.n_periods:
        raise InputError(
            f"k={k} is larger than the panel: periods {panel.span()} "
            f"({panel.n_periods} periods, so k must be at most {panel.n_periods - 1})."
        )
    return k


def _national_levels(
    df: pd.DataFrame,
    panel: _Panel,
    values: np.ndarray,
    *,
    national: str | None,
    national_from: str,
    tolerance: float | None,
    group_code: np.ndarray | None = None,
    group_labels: pd.Index | None = None,
) -> np.ndarray:
    """National level per (group, period position); shape (n_groups, n_periods).

    ``group_code`` splits the nation (industries for the shift-share benchmark); without
    it there is one group. Periods where no row is present are NaN.
    """
    if national_from not in ("column", "sum"):
        raise InputError(f"national_from must be 'column' or 'sum', got {national_from!r}.")
    if national_from == "column" and national is None:
        raise InputError(
            "No national exports given: pass national=<column with national exports per period>, "
            "or national_from='sum' to use the sum of the regions in the data."
        )
    if national_from == "sum" and national is not None:
        raise InputError(
            f"national={national!r} and national_from='sum' contradict each other: "
            "drop national= to use the sum of the regions, or national_from='sum' to use the column."
        )
    if tolerance is not None and not (isinstance(tolerance, int | float) and tolerance >= 0):
        raise InputError(f"tolerance must be a non-negative number or None, got {tolerance!r}.")
    gcode = np.zeros(len(values), dtype=np.int64) if group_code is None else group_code
    n_groups = int(gcode.max()) + 1 if len(gcode) else 1
    tmp = pd.DataFrame({"g": gcode, "p": panel.pos, "v": values})
    grouped = tmp.groupby(["g", "p"], sort=True)["v"]
    sums = grouped.sum(min_count=1)
    incomplete = tmp["v"].isna().groupby([tmp["g"], tmp["p"]], sort=True).any()
    out = np.full((n_groups, panel.n_periods), np.nan)

    def where(g: int, p: int) -> str:
        period = panel.grid[p]
        return str(period) if group_labels is None else f"{group_labels[g]} {period}"

    if national_from == "sum":
        s = sums.where(~incomplete)
        out[s.index.get_level_values(0), s.index.get_level_values(1)] = s.to_numpy()
        return out

    nat = coerce_numeric(df, national)
    tmp["n"] = nat
    ng = tmp.groupby(["g", "p"], sort=True)["n"]
    lo, hi = ng.min(), ng.max()
    scale = np.maximum(np.abs(lo.to_numpy()), np.abs(hi.to_numpy()))
    varying = (hi.to_numpy() - lo.to_numpy()) > 1e-9 * scale
    if varying.any():
        items = [
            f"{where(g, p)}: {format_value(a)}..{format_value(b)}"
            for (g, p), a, b, v in zip(lo.index, lo.to_numpy(), hi.to_numpy(), varying, strict=True)
            if v
        ]
        raise InputError(
            f"National column {national!r} must be constant within each period"
            + (" and group" if group_labels is not None else "")
            + f", but varies in {int(varying.sum())} case(s): {format_list(items)}."
        )
    out[hi.index.get_level_values(0), hi.index.get_level_values(1)] = hi.to_numpy()
    if tolerance is not None:
        nat_v, sum_v = hi.to_numpy(), sums.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(sum_v - nat_v) / np.abs(nat_v)
        off = np.isfinite(nat_v) & np.isfinite(sum_v) & ~(rel <= tolerance)
        if off.any():
            items = [
                f"{where(g, p)}: national {format_value(n)}, sum of regions {format_value(s)} "
                f"({(s - n) / abs(n):+.1%})"
                if n != 0
                else f"{where(g, p)}: national {format_value(n)}, sum of regions {format_value(s)}"
                for (g, p), n, s, o in zip(hi.index, nat_v, sum_v, off, strict=True)
                if o
            ]
            warn_caller(
                f"National column {national!r} differs from the sum of the regions by more than "
                f"{tolerance:.1%} in {int(off.sum())} period(s): {format_list(items)}. The national column "
                "is used; check coverage and units (pass tolerance=None to silence).",
                NationalTotalMismatchWarning,
            )
    return out


def national_exports(
    df: pd.DataFrame,
    *,
    region: str,
    time: str,
    exports: str,
    national: str | None = None,
    national_from: Literal["column", "sum"] = "column",
    tolerance: float | None = 0.01,
) -> pd.Series:
    """National exports per period, as used by the indices of this module.

    From the ``national`` column (checked constant within each period; the sum of the
    regions is compared with it and :class:`NationalTotalMismatchWarning` lists the periods
    where they differ by more than ``tolerance``, relative), or with ``national_from="sum"``
    the sum of the regions per period (missing if any region's value is missing that
    period). Returns a Series indexed by the periods present in the data, ready for
    :func:`detect_phases`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import national_exports
    >>> nat = national_exports(df, region="province", time="year", exports="exports",
    ...                        national_from="sum")
    >>> nat.tolist()
    [170.0, 202.0, 175.0, 225.0, 260.0]

    A national column that does not match the sum of the regions is used, with a warning:

    >>> import warnings
    >>> df["national"] = df.groupby("year")["exports"].transform("sum") * 1.05
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     nat = national_exports(df, region="province", time="year", exports="exports",
    ...                            national="national")
    >>> caught[0].category.__name__, nat.round(2).tolist()
    ('NationalTotalMismatchWarning', [178.5, 212.1, 183.75, 236.25, 273.0])
    """
    require_named_columns(df, region=region, time=time, exports=exports, national=national)
    panel = _panel(df, region, time)
    values = coerce_numeric(df, exports)
    levels = _national_levels(
        df, panel, values, national=national, national_from=national_from, tolerance=tolerance
    )[0]
    present = np.unique(panel.pos)
    return pd.Series(levels[present], index=panel.grid[present], name=f"national_{exports}")


# --- growth indices -------------------------------------------------------------------


def relative_log_growth(
    df: pd.DataFrame,
    *,
    region: str,
    time: str,
    exports: str,
    national: str | None = None,
    k: int = 1,
    national_from: Literal["column", "sum"] = "column",
    tolerance: float | None = 0.01,
    nonpositive: Literal["raise", "nan"] = "raise",
) -> pd.Series:
    """Relative log-growth export resilience index SL (the published study's measure).

    .. math::

        SL_{it} = (\\ln E_{it} - \\ln E_{i,t-k}) - (\\ln E_t - \\ln E_{t-k})
                = \\Delta_k \\ln (E_{it} / E_t)

    E_it are the exports of region i in period t, E_t national exports. SL is the k-period
    log change of the region's share of national exports: positive when the region's
    exports grew faster (or fell less) than the nation's. Unlike ratio indices it works
    whatever the sign of national growth, and it is additive over time:
    SL(k=2)_t = SL(k=1)_t + SL(k=1)_{t-1}.

    Parameters
    ----------
    region, time, exports
        Column names. ``time`` holds integer years (consecutive integers) or pandas Periods.
    national
        Column with national exports (constant within each period; rows where it is missing
        take the value of the other rows of the period). The regions are also
        summed per period and a :class:`NationalTotalMismatchWarning` lists the periods where
        the sum differs from the column by more than ``tolerance`` (relative; ``None`` skips
        the check).
    national_from
        ``"column"`` (default; requires ``national=``) or ``"sum"``: the national total is the
        sum of the regions in the data per period (missing if any region is missing).
    k
        Lag length, a positive integer smaller than the number of periods of the panel.
    nonpositive
        What to do with zero, negative or missing exports (regional or national), whose
        logarithm is undefined. ``"raise"`` (default): :class:`NonPositiveValueError`
        listing every offending row (region, period, value). ``"nan"``: SL is NaN for the
        rows whose own or lagged value is invalid, and a :class:`NonPositiveValueWarning`
        says how many and which. There is no ``"drop"``: the result is aligned with the
        input, so dropped rows would be NaN anyway; drop them from the input instead.

    Returns
    -------
    pd.Series
        Aligned with ``df`` (same index), named ``"sl"``. NaN where period t−k is not in
        the data for that region (the first k periods, and after a gap: the lag is the
        value at period t−k exactly, never the previous available one).

    Reference
    ---------
    Relative log-growth index of the published study; see the method notes ("Export
    resilience"). For the related ratio indices see Martin (2012) and Lagravinese (2015).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import relative_log_growth
    >>> sl = relative_log_growth(df, region="province", time="year", exports="exports",
    ...                          national_from="sum")
    >>> sl.round(4).tolist()[:5]          # 广东, 2007-2011 (no lag in 2007)
    [nan, 0.0099, -0.0388, 0.011, -0.0015]

    Guangdong 2009: ln(100/120) − ln(175/202), the change of its log share:

    >>> import math
    >>> round(math.log(100 / 120) - math.log(175 / 202), 4)
    -0.0388

    Additivity over time: SL with k = 2 is the sum of two one-year SLs.

    >>> sl2 = relative_log_growth(df, region="province", time="year", exports="exports",
    ...                           national_from="sum", k=2)
    >>> round(float(sl2[2] - (sl[1] + sl[2])), 12)
    0.0
    """
    if nonpositive not in ("raise", "nan"):
        raise InputError(
            f"nonpositive must be 'raise' or 'nan', got {nonpositive!r} (no 'drop': the result is "
            "aligned with the input; drop rows from the input instead)."
        )
    require_named_columns(df, region=region, time=time, exports=exports, national=national)
    panel = _panel(df, region, time)
    k = _check_k(k, panel)
    values = coerce_numeric(df, exports)
    nat = _national_levels(
        df, panel, values, national=national, national_from=national_from, tolerance=tolerance
    )[0]

    bad_rows = ~(values > 0)
    nat_present = np.unique(panel.pos)
    bad_nat = nat_present[~(nat[nat_present] > 0)]
    if bad_rows.any() or len(bad_nat):
        rows = [
            f"({format_value(r)}, {t}, {format_value(v)}) at {row_ref(i, df.index)}"
            for i, r, t, v in zip(
                df.index[bad_rows],
                df[region].to_numpy()[bad_rows],
                panel.times[bad_rows],
                values[bad_rows],
                strict=True,
            )
        ]
        parts = []
        if rows:
            parts.append(
                f"{len(rows)} row(s) with zero, negative or missing exports {exports!r} "
                f"(region, period, value): {format_list(rows)}"
            )
        if len(bad_nat):
            parts.append(
                f"national exports zero, negative or missing in period(s) "
                f"{format_list(f'{panel.grid[p]} ({format_value(nat[p])})' for p in bad_nat)}"
            )
        msg = "The logarithm needs positive exports: " + "; ".join(parts) + "."
        if nonpositive == "raise":
            raise NonPositiveValueError(
                msg + " Pass nonpositive='nan' to get NaN for the affected rows."
            )
        warn_caller(
            msg + f" SL is NaN for these rows and for the rows {k} period(s) later.",
            NonPositiveValueWarning,
        )

    with np.errstate(divide="ignore", invalid="ignore"):
        ln_e = np.where(values > 0, np.log(np.where(values > 0, values, 1.0)), np.nan)
        ln_n = np.where(nat > 0, np.log(np.where(nat > 0, nat, 1.0)), np.nan)
    dense, _ = _dense(panel, ln_e)
    ln_e_lag = _lag_rows(panel, dense, k)
    ln_n_row = ln_n[panel.pos]
    ln_n_lag = np.full(len(panel.pos), np.nan)
    ok = panel.pos >= k
    ln_n_lag[ok] = ln_n[panel.pos[ok] - k]
    sl = (ln_e - ln_e_lag) - (ln_n_row - ln_n_lag)
    return pd.Series(sl, index=df.index, name="sl")


def dhs_growth(
    df: pd.DataFrame,
    *,
    region: str,
    time: str,
    exports: str,
    k: int = 1,
    invalid: Literal["raise", "nan"] = "raise",
) -> pd.Series:
    """Davis-Haltiwanger-Schuh (symmetric) growth rate.

    .. math::

        g^{DHS}_{it} = \\frac{2 (E_{it} - E_{i,t-k})}{E_{it} + E_{i,t-k}} \\in [-2, 2]

    Symmetric around 0 and bounded, it is defined for entry (E_i,t−k = 0, E_it > 0: +2) and
    exit (E_it = 0 < E_i,t−k: −2). When both values are zero the rate is 0/0 and the result
    is NaN (documented convention: no activity, no growth rate). It approximates the log
    change for small changes. Reference: Davis, Haltiwanger & Schuh (1996), *Job Creation
    and Destruction*, MIT Press.

    A zero is an observed zero (entry or exit); a *missing row* (period t−k absent for the
    region) gives NaN, as do the first k periods. ``invalid`` handles negative or missing
    values in present rows: ``"raise"`` (default, :class:`NonPositiveValueError` listing the
    rows) or ``"nan"`` (NaN for the affected rows, with a :class:`NonPositiveValueWarning`).
    Returns a Series aligned with ``df``, named ``"dhs"``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import dhs_growth
    >>> g = dhs_growth(df, region="province", time="year", exports="exports")
    >>> g.round(4).tolist()[:5]           # 广东: 2 (120 − 100) / (120 + 100) = 0.1818 in 2008
    [nan, 0.1818, -0.1818, 0.2609, 0.1429]

    Entry and exit are ±2, two zeros give NaN:

    >>> entry_exit = pd.DataFrame({"firm": ["a"] * 4, "year": [2008, 2009, 2010, 2011],
    ...                            "exports": [0.0, 5.0, 0.0, 0.0]})
    >>> dhs_growth(entry_exit, region="firm", time="year", exports="exports").tolist()
    [nan, 2.0, -2.0, nan]
    """
    if invalid not in ("raise", "nan"):
        raise InputError(f"invalid must be 'raise' or 'nan', got {invalid!r}.")
    require_named_columns(df, region=region, time=time, exports=exports)
    panel = _panel(df, region, time)
    k = _check_k(k, panel)
    values = coerce_numeric(df, exports)
    bad = ~(values >= 0)
    if bad.any():
        rows = [
            f"({format_value(r)}, {t}, {format_value(v)}) at {row_ref(i, df.index)}"
            for i, r, t, v in zip(
                df.index[bad],
                df[region].to_numpy()[bad],
                panel.times[bad],
                values[bad],
                strict=True,
            )
        ]
        msg = f"DHS growth needs non-negative exports; {len(rows)} row(s) of {exports!r} are negative or missing (region, period, value): {format_list(rows)}."
        if invalid == "raise":
            raise NonPositiveValueError(
                msg + " Pass invalid='nan' to get NaN for the affected rows."
            )
        warn_caller(
            msg + f" The rate is NaN for these rows and for the rows {k} period(s) later.",
            NonPositiveValueWarning,
        )
    clean = np.where(bad, np.nan, values)
    dense, _ = _dense(panel, clean)
    lag = _lag_rows(panel, dense, k)
    return pd.Series(dhs_growth_rate(clean, lag), index=df.index, name="dhs")


# --- phases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """A contraction or recovery phase from period ``start`` to period ``end``.

    ``complete`` is False when the phase runs to the end of the series without a turning
    point (an ongoing contraction or recovery).

    Examples
    --------
    >>> from exportlens.measures import Phase
    >>> p = Phase("contraction", 2008, 2009)
    >>> str(p), p.as_tuple()
    ('contraction 2008..2009', (2008, 2009))
    >>> str(Phase("recovery", 2009, 2011, complete=False))
    'recovery 2009..2011 (to end of series)'
    >>> Phase("boom", 2010, 2011)
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Phase kind must be 'contraction' or 'recovery', got 'boom'.
    """

    kind: Literal["contraction", "recovery"]
    start: Any
    end: Any
    complete: bool = True

    def __post_init__(self) -> None:
        if self.kind not in ("contraction", "recovery"):
            raise InputError(f"Phase kind must be 'contraction' or 'recovery', got {self.kind!r}.")

    def as_tuple(self) -> tuple[Any, Any]:
        return (self.start, self.end)

    def __str__(self) -> str:
        return f"{self.kind} {self.start}..{self.end}" + (
            "" if self.complete else " (to end of series)"
        )


def detect_phases(national_series: pd.Series) -> list[Phase]:
    """Contraction and recovery phases from the peaks and troughs of a national series.

    Rules (simple and deterministic):

    1. The series is sorted by its index (periods); missing values raise.
    2. Runs of equal consecutive values are collapsed to their first period (a plateau is
       one candidate turning point, dated at its first period).
    3. A *peak* is a period whose value is strictly higher than the previous and the next
       period; a *trough* strictly lower than both. The first and last periods are never
       turning points. Peaks and troughs then alternate.
    4. A contraction runs from a peak to the following trough; a recovery from a trough to
       the next peak, or to the end of the series if there is none. A peak with no later
       trough gives a contraction to the end of the series. Phases running to the end are
       marked ``complete=False``.

    A series that starts by falling has no peak before its first trough: the decline before
    it is not reported (the start of that contraction is unknown).

    Example: Chinese exports (USD) 2000-2020 peak in 2008 and 2014 and bottom in 2009 and
    2016, giving contraction 2008..2009, recovery 2009..2014, contraction 2014..2016 and
    recovery 2016..2020 (incomplete).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.measures import detect_phases
    >>> exports = pd.Series([170.0, 202.0, 175.0, 225.0, 260.0], index=range(2007, 2012))
    >>> [str(p) for p in detect_phases(exports)]
    ['contraction 2008..2009', 'recovery 2009..2011 (to end of series)']
    """
    if not isinstance(national_series, pd.Series):
        raise InputError(
            f"detect_phases expects a pandas Series indexed by period, got {type(national_series).__name__}."
        )
    s = national_series.sort_index()
    if s.index.has_duplicates:
        raise InputError(
            f"The series has duplicated periods: {format_list(s.index[s.index.duplicated()].unique())}."
        )
    vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(vals).any():
        raise InputError(f"The series has missing values at {format_list(s.index[np.isnan(vals)])}.")
    keep = np.ones(len(vals), dtype=bool)
    keep[1:] = vals[1:] != vals[:-1]
    v = vals[keep]
    idx = [_scalar(x) for x in s.index[keep]]
    last = _scalar(s.index[-1])
    turns: list[tuple[str, Any]] = []
    for i in range(1, len(v) - 1):
        if v[i] > v[i - 1] and v[i] > v[i + 1]:
            turns.append(("peak", idx[i]))
        elif v[i] < v[i - 1] and v[i] < v[i + 1]:
            turns.append(("trough", idx[i]))
    phases: list[Phase] = []
    for j, (kind, when) in enumerate(turns):
        nxt = turns[j + 1][1] if j + 1 < len(turns) else None
        if kind == "peak":
            phases.append(
                Phase("contraction", when, last if nxt is None else nxt, complete=nxt is not None)
            )
        else:
            phases.append(
                Phase("recovery", when, last if nxt is None else nxt, complete=nxt is not None)
            )
    return [p for p in phases if p.start != p.end]


# --- phase-based measures -------------------------------------------------------------


@dataclass
class PhaseResilience:
    """Result of a phase-based resilience measure (one row per region).

    ``table`` is indexed by region (the user's labels); ``national_growth`` maps
    ``"contraction"``/``"recovery"`` to the national growth rate over the phase.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import PhaseResilience, resistance_recovery
    >>> r = resistance_recovery(df, region="province", time="year", exports="exports",
    ...                         national_from="sum", contraction=(2008, 2009))
    >>> isinstance(r, PhaseResilience), r.contraction, r.recovery
    (True, Phase(kind='contraction', start=2008, end=2009, complete=True), None)
    >>> print(r.summary())
    Resistance / recovery (g_r − g_N) / |g_N| (Lagravinese (2015), ...)
    contraction: 2008..2009, national growth -13.37%
    > 0: the region did better than the nation (fell less / recovered more); < 0: worse.
    3 regions
              growth_contraction  national_growth_contraction  resistance
    province
    广东                   -0.1667                      -0.1337     -0.2469
    江苏                   -0.1000                      -0.1337      0.2519
    四川                    0.0000                      -0.1337      1.0000
    """

    measure: str
    reference: str
    table: pd.DataFrame
    contraction: Phase | None
    recovery: Phase | None
    national_growth: dict[str, float]
    interpretation: str = ""
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per region (copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """Plain-text summary: phases, national growth, interpretation and the table."""
        lines = [f"{self.measure} ({self.reference})"]
        for name, phase in (("contraction", self.contraction), ("recovery", self.recovery)):
            if phase is not None:
                lines.append(
                    f"{name}: {phase.start}..{phase.end}, national growth {self.national_growth[name]:+.2%}"
                )
        if self.interpretation:
            lines.append(self.interpretation)
        lines.extend(f"note: {n}" for n in self.notes)
        lines.append(f"{len(self.table)} regions")
        lines.append(self.table.to_string(float_format=lambda x: f"{x:.4f}"))
        return "\n".join(lines)


@dataclass
class SensitivityIndex(PhaseResilience):
    """Martin (2012) sensitivity index β = g_r / g_N per phase.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import SensitivityIndex, sensitivity_index
    >>> r = sensitivity_index(df, region="province", time="year", exports="exports",
    ...                       national_from="sum", contraction=(2008, 2009), recovery=(2009, 2011))
    >>> isinstance(r, SensitivityIndex), r.reference
    (True, 'Martin (2012), J. Econ. Geogr. 12(1):1-32')
    >>> {k: round(v, 4) for k, v in r.national_growth.items()}
    {'contraction': -0.1337, 'recovery': 0.4857}
    """


@dataclass
class ResistanceRecovery(PhaseResilience):
    """Lagravinese (2015) resistance and recovery indices.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import ResistanceRecovery, resistance_recovery
    >>> r = resistance_recovery(df, region="province", time="year", exports="exports",
    ...                         national_from="sum", contraction=(2008, 2009), recovery=(2009, 2011))
    >>> isinstance(r, ResistanceRecovery), list(r.to_frame().columns)[2:4]
    (True, ['resistance', 'growth_recovery'])
    """


@dataclass
class ExpectedChangeResilience(PhaseResilience):
    """Martin, Sunley, Gardiner & Tyler (2016) resistance/recovery against an expected change.

    ``national_industry_growth`` holds g_iN per industry and phase when an industry column
    was used (None with the aggregate national rate).

    Examples
    --------
    With an industry column, each region's expected change applies the national growth of
    every industry to the region's own industry mix (Guangdong: 80 · (−0.2381) + 40 · (−0.05)):

    >>> import pandas as pd
    >>> from exportlens.measures import expected_change_resilience
    >>> df = pd.DataFrame({"province": ["广东"] * 4 + ["四川"] * 4,
    ...                    "industry": ["electronics", "textiles"] * 4,
    ...                    "year": [2008, 2008, 2009, 2009] * 2,
    ...                    "exports": [80, 40, 60, 38, 4, 8, 4, 7.6]})
    >>> r = expected_change_resilience(df, region="province", time="year", exports="exports",
    ...                                industry="industry", national_from="sum",
    ...                                contraction=(2008, 2009))
    >>> r.national_industry_growth.round(4)
                 national_growth_contraction
    industry
    electronics                      -0.2381
    textiles                         -0.0500
    >>> r.to_frame().round(4)
              change_contraction  expected_change_contraction  resistance
    province
    广东                     -22.0                     -21.0476     -0.0452
    四川                      -0.4                      -1.3524      0.7042
    """

    industry: str | None = None
    national_industry_growth: pd.DataFrame | None = None


def _as_phase(value: Any, kind: Literal["contraction", "recovery"], panel: _Panel) -> Phase | None:
    if value is None:
        return None
    if isinstance(value, Phase):
        if value.kind != kind:
            raise InputError(f"A {value.kind} phase ({value}) was given as the {kind}.")
        start, end = value.start, value.end
    else:
        try:
            start, end = value
        except (TypeError, ValueError):
            raise InputError(
                f"{kind} must be a (start, end) pair of periods or a Phase, got {value!r}."
            ) from None
    pts = []
    for t in (start, end):
        p = _period_position(t, panel)
        if p is None:
            raise InputError(
                f"The {kind} period {t!r} is outside the panel: periods {panel.span()}."
            )
        pts.append(p)
    if pts[0] >= pts[1]:
        raise InputError(f"The {kind} must start before it ends, got {start!r}..{end!r}.")
    start, end = (_scalar(panel.grid[p]) for p in pts)
    return Phase(kind, start, end, getattr(value, "complete", True))


def _scalar(value: Any) -> Any:
    """numpy scalars as plain Python values (readable reprs of Phase)."""
    return value.item() if isinstance(value, np.generic) else value


def _period_position(t: Any, panel: _Panel) -> int | None:
    if isinstance(panel.grid, pd.PeriodIndex):
        try:
            per = pd.Period(t, freq=panel.grid.freqstr)
        except (TypeError, ValueError):
            return None
        loc = panel.grid.get_indexer(pd.Index([per]))[0]
    else:
        try:
            f = float(t)
        except (TypeError, ValueError):
            return None
        if not f.is_integer():
            return None
        loc = panel.grid.get_indexer(pd.Index([int(f)]))[0]
    return None if loc < 0 else int(loc)


def _phases(
    contraction: Any, recovery: Any, panel: _Panel, national_levels: np.ndarray
) -> list[Phase]:
    phases = [
        p
        for p in (
            _as_phase(contraction, "contraction", panel),
            _as_phase(recovery, "recovery", panel),
        )
        if p is not None
    ]
    if not phases:
        present = np.unique(panel.pos)
        hint = ""
        series = pd.Series(national_levels[present], index=panel.grid[present])
        if series.notna().all() and len(series) >= 3:
            found = detect_phases(series)
            if found:
                hint = f" detect_phases finds: {', '.join(str(p) for p in found)}."
        raise InputError(
            "Give contraction=(t0, t1) and/or recovery=(t1, t2), e.g. from detect_phases(national_exports(...))."
            + hint
        )
    return phases


def _levels_at(
    panel: _Panel, dense: np.ndarray, present: np.ndarray, phase: Phase, what: str
) -> tuple[np.ndarray, np.ndarray]:
    p0, p1 = panel.position(phase.start), panel.position(phase.end)
    missing: list[str] = []
    for p in (p0, p1):
        absent = ~present[:, p] | np.isnan(dense[:, p])
        missing.extend(
            f"({format_value(panel.regions[int(r)])}, {panel.grid[p]})" for r in np.flatnonzero(absent)
        )
    if missing:
        raise InputError(
            f"The {phase.kind} {phase.start}..{phase.end} needs {what} of every region at both ends; "
            f"missing (region, period): {format_list(missing)}."
        )
    return dense[:, p0], dense[:, p1]


def _national_growth(nat: np.ndarray, panel: _Panel, phase: Phase) -> float:
    p0, p1 = panel.position(phase.start), panel.position(phase.end)
    n0, n1 = nat[p0], nat[p1]
    if not (np.isfinite(n0) and np.isfinite(n1)):
        raise InputError(
            f"National exports are missing at the {phase.kind} ends {phase.start} ({format_value(n0)}) / {phase.end} ({format_value(n1)})."
        )
    if not n0 > 0:
        raise NonPositiveValueError(
            f"National exports at the start of the {phase.kind} ({phase.start}) are {format_value(n0)}; growth needs a positive base."
        )
    return float((n1 - n0) / n0)


def _check_national_growth(
    g: float, phase: Phase, threshold: float, what: str = "National growth"
) -> None:
    if g == 0:
        raise InputError(
            f"{what} over the {phase.kind} {phase.start}..{phase.end} is exactly 0: the index divides by it and is undefined."
        )
    if abs(g) < threshold:
        warn_caller(
            f"{what} over the {phase.kind} {phase.start}..{phase.end} is only {g:+.3%} "
            f"(|g_N| < {threshold:.1%}): ratio indices divide by it and explode.",
            SmallNationalGrowthWarning,
        )
    wrong = (phase.kind == "contraction" and g > 0) or (phase.kind == "recovery" and g < 0)
    if wrong:
        warn_caller(
            f"{what} over the {phase.kind} {phase.start}..{phase.end} is {g:+.2%}: "
            f"{'positive in a contraction' if g > 0 else 'negative in a recovery'}, so the usual reading "
            "of the index is reversed. Check the phase dates.",
            PhaseSignWarning,
        )


def _check_threshold(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or not x >= 0:
        raise InputError(f"min_abs_national_growth must be a non-negative number, got {x!r}.")
    return float(x)


def _regional_growth(
    e0: np.ndarray, e1: np.ndarray, panel: _Panel, phase: Phase, exports: str
) -> np.ndarray:
    bad = np.flatnonzero(~(e0 > 0))
    if len(bad):
        items = [
            f"({format_value(panel.regions[int(r)])}, {phase.start}, {format_value(e0[r])})" for r in bad
        ]
        raise NonPositiveValueError(
            f"Growth over the {phase.kind} needs positive {exports!r} at its start; "
            f"zero or negative (region, period, value): {format_list(items)}."
        )
    return (e1 - e0) / e0


def _phase_setup(
    df: pd.DataFrame,
    region: str,
    time: str,
    exports: str,
    national: str | None,
    national_from: str,
    tolerance: float | None,
    contraction: Any,
    recovery: Any,
) -> tuple[_Panel, np.ndarray, np.ndarray, np.ndarray, list[Phase]]:
    require_named_columns(df, region=region, time=time, exports=exports, national=national)
    panel = _panel(df, region, time)
    values = coerce_numeric(df, exports)
    nat = _national_levels(
        df, panel, values, national=national, national_from=national_from, tolerance=tolerance
    )[0]
    phases = _phases(contraction, recovery, panel, nat)
    dense, present = _dense(panel, values)
    return panel, dense, present, nat, phases


_SENS_DOC = """
    Parameters common to the phase-based measures
    ---------------------------------------------
    region, time, exports
        Column names of the long panel (one row per region and period).
    national, national_from, tolerance
        National exports, as in :func:`relative_log_growth` (a constant-per-period column,
        or ``national_from="sum"`` for the sum of the regions).
    contraction, recovery
        ``(start, end)`` periods or :class:`Phase` objects (e.g. from
        :func:`detect_phases`); at least one. Growth over a phase is
        g = (E_end − E_start) / E_start.
    min_abs_national_growth
        A :class:`SmallNationalGrowthWarning` is issued when |g_N| is below this (ratios
        explode); a :class:`PhaseSignWarning` when g_N > 0 over a contraction or g_N < 0 over
        a recovery. g_N = 0 exactly raises :class:`InputError`.

    Every region needs exports at both ends of each phase (else InputError listing the
    missing region-periods) and positive exports at the start (else
    NonPositiveValueError).
"""


def _with_common_parameters(doc: str | None) -> str:
    # numpydoc order: the shared parameter block goes before the Examples section.
    text = doc or ""
    marker = "\n    Examples\n    --------"
    at = text.find(marker)
    return text + _SENS_DOC if at < 0 else text[:at] + _SENS_DOC.rstrip() + "\n" + text[at:]



def _phase_growth_table(
    df, region, time, exports, national, national_from, tolerance, contraction, recovery,
    min_abs_national_growth, *, derive,
) -> tuple[pd.DataFrame, dict[str, float], list[Phase]]:
    """Regional and national growth over each phase, plus one derived column per phase.

    ``derive(kind, g_r, g_n) -> (column name, values)`` is the index-specific part (β, or
    the Lagravinese ratio); columns come out per phase as growth, national growth, derived.
    """
    thr = _check_threshold(min_abs_national_growth)
    panel, dense, present, nat, phases = _phase_setup(
        df, region, time, exports, national, national_from, tolerance, contraction, recovery
    )
    table = pd.DataFrame(index=panel.regions)
    gn: dict[str, float] = {}
    for ph in phases:
        e0, e1 = _levels_at(panel, dense, present, ph, repr(exports))
        g_r = _regional_growth(e0, e1, panel, ph, exports)
        g_n = _national_growth(nat, panel, ph)
        _check_national_growth(g_n, ph, thr)
        gn[ph.kind] = g_n
        table[f"growth_{ph.kind}"] = g_r
        table[f"national_growth_{ph.kind}"] = g_n
        name, values = derive(ph.kind, g_r, g_n)
        table[name] = values
    return table, gn, phases


def sensitivity_index(
    df: pd.DataFrame,
    *,
    region: str,
    time: str,
    exports: str,
    national: str | None = None,
    national_from: Literal["column", "sum"] = "column",
    contraction: tuple[Any, Any] | Phase | None = None,
    recovery: tuple[Any, Any] | Phase | None = None,
    tolerance: float | None = 0.01,
    min_abs_national_growth: float = 0.01,
) -> SensitivityIndex:
    """Martin (2012) sensitivity index of regional exports to national cycles.

    .. math::

        \\beta_r = \\frac{g_r}{g_N}, \\qquad g = \\frac{E_{t_1} - E_{t_0}}{E_{t_0}}

    computed over the contraction (columns ``growth_contraction``,
    ``national_growth_contraction``, ``beta_contraction``) and over the recovery
    (``..._recovery``, ``beta_recovery``).

    Interpretation (when g_N < 0 in the contraction and g_N > 0 in the recovery):
    contraction β < 1: the region fell less than the nation (more resistant); β > 1: more
    sensitive; β < 0: the region grew while the nation fell. Recovery β > 1: the region
    recovered faster than the nation; β < 1: slower. With the "wrong" sign of g_N the reading
    reverses (a :class:`PhaseSignWarning` says so).

    Reference: Martin, R. (2012), "Regional economic resilience, hysteresis and recessionary
    shocks", *Journal of Economic Geography* 12(1):1-32.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import sensitivity_index
    >>> r = sensitivity_index(df, region="province", time="year", exports="exports",
    ...                       national_from="sum", contraction=(2008, 2009), recovery=(2009, 2011))
    >>> r.to_frame()[["growth_contraction", "beta_contraction", "beta_recovery"]].round(4)
              growth_contraction  beta_contraction  beta_recovery
    province
    广东                   -0.1667            1.2469         1.0294
    江苏                   -0.1000            0.7481         0.9477
    四川                    0.0000           -0.0000         1.0294

    Guangdong fell by 1/6 while the nation fell by 27/202: β = (−1/6) / (−27/202) = 1.2469.
    """
    table, gn, phases = _phase_growth_table(
        df, region, time, exports, national, national_from, tolerance, contraction, recovery, min_abs_national_growth,
        derive=lambda kind, g_r, g_n: (f"beta_{kind}", g_r / g_n),
    )
    byk = {p.kind: p for p in phases}
    return SensitivityIndex(
        measure="Sensitivity index β = g_r / g_N",
        reference=MARTIN_REFERENCE,
        table=table,
        contraction=byk.get("contraction"),
        recovery=byk.get("recovery"),
        national_growth=gn,
        interpretation="contraction: β < 1 more resistant than the nation; recovery: β > 1 stronger recovery.",
    )


sensitivity_index.__doc__ = _with_common_parameters(sensitivity_index.__doc__)


def resistance_recovery(
    df: pd.DataFrame,
    *,
    region: str,
    time: str,
    exports: str,
    national: str | None = None,
    national_from: Literal["column", "sum"] = "column",
    contraction: tuple[Any, Any] | Phase | None = None,
    recovery: tuple[Any, Any] | Phase | None = None,
    tolerance: float | None = 0.01,
    min_abs_national_growth: float = 0.01,
) -> ResistanceRecovery:
    """Lagravinese (2015) resistance and recovery indices.

    .. math::

        Resis_r = \\frac{g_r^c - g_N^c}{|g_N^c|}, \\qquad
        Recov_r = \\frac{g_r^v - g_N^v}{|g_N^v|}

    over the contraction (c) and the recovery (v); columns ``growth_contraction``,
    ``national_growth_contraction``, ``resistance``, ``growth_recovery``,
    ``national_growth_recovery``, ``recovery``. Both are centred on 0: positive means the
    region did better than the nation (fell less, or recovered more), in units of the
    national change. They equal 1 − β (contraction with g_N < 0) and β − 1 (recovery with
    g_N > 0) of :func:`sensitivity_index`.

    Reference: Lagravinese, R. (2015), "Economic crisis and rising gaps North-South:
    evidence from the Italian regions", *Cambridge Journal of Regions, Economy and Society*
    8(2):331-347.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import detect_phases, national_exports, resistance_recovery
    >>> nat = national_exports(df, region="province", time="year", exports="exports",
    ...                        national_from="sum")
    >>> contraction, recovery = detect_phases(nat)
    >>> r = resistance_recovery(df, region="province", time="year", exports="exports",
    ...                         national_from="sum", contraction=contraction, recovery=recovery)
    >>> r.to_frame()[["resistance", "recovery"]].round(4)
              resistance  recovery
    province
    广东           -0.2469    0.0294
    江苏            0.2519   -0.0523
    四川            1.0000    0.0294

    Resistance is 1 − β of the contraction and recovery β − 1 of the recovery
    (:func:`sensitivity_index`): Guangdong 1 − 1.2469 and 1.0294 − 1.
    """
    table, gn, phases = _phase_growth_table(
        df, region, time, exports, national, national_from, tolerance, contraction, recovery, min_abs_national_growth,
        derive=lambda kind, g_r, g_n: (
            "resistance" if kind == "contraction" else "recovery", relative_growth_index(g_r, g_n)
        ),
    )
    byk = {p.kind: p for p in phases}
    return ResistanceRecovery(
        measure="Resistance / recovery (g_r − g_N) / |g_N|",
        reference=LAGRAVINESE_REFERENCE,
        table=table,
        contraction=byk.get("contraction"),
        recovery=byk.get("recovery"),
        national_growth=gn,
        interpretation="> 0: the region did better than the nation (fell less / recovered more); < 0: worse.",
    )


resistance_recovery.__doc__ = _with_common_parameters(resistance_recovery.__doc__)


def expected_change_resilience(
    df: pd.DataFrame,
    *,
    region: str,
    time: str,
    exports: str,
    industry: str | None = None,
    national: str | None = None,
    national_from: Literal["column", "sum"] = "column",
    contraction: tuple[Any, Any] | Phase | None = None,
    recovery: tuple[Any, Any] | Phase | None = None,
    tolerance: float | None = 0.01,
    min_abs_national_growth: float = 0.01,
) -> ExpectedChangeResilience:
    """Martin, Sunley, Gardiner & Tyler (2016) resistance and recovery against an expected change.

    .. math::

        Resis_r = \\frac{\\Delta E_r^c - (\\Delta E_r^c)^{exp}}{|(\\Delta E_r^c)^{exp}|},
        \\qquad (\\Delta E_r^c)^{exp} = \\sum_i g_{iN}^c \\, E_{ir,t_0}

    and likewise Recov_r over the recovery. ΔE_r = E_r,t1 − E_r,t0 is the region's actual
    change; the expected change applies national growth rates to the region's base-period
    exports. With an ``industry`` column (rows = region x industry x period) the rates are
    industry-specific, g_iN = (E_iN,t1 − E_iN,t0)/E_iN,t0 — a shift-share benchmark that
    removes the effect of the region's industry mix. Without it the aggregate national rate
    is used, and the index reduces exactly to Lagravinese's (g_r − g_N)/|g_N|
    (:func:`resistance_recovery`).

    With ``industry``, national industry totals E_iN come from the ``national`` column (the
    national exports of that industry, constant within industry x period) or with
    ``national_from="sum"`` from the sum over regions. A region x industry cell absent at
    both ends of a phase contributes zero; present at only one end raises. Columns:
    ``change_contraction``, ``expected_change_contraction``, ``resistance``,
    ``change_recovery``, ``expected_change_recovery``, ``recovery``. The small-growth
    warning also fires for regions whose expected change is below
    ``min_abs_national_growth`` times their base exports; an expected change of exactly 0
    raises.

    Reference: Martin, R., Sunley, P., Gardiner, B. & Tyler, P. (2016), "How regions react
    to recessions: resilience and the role of economic structure", *Regional Studies*
    50(4):561-585.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"province": ["广东"] * 5 + ["江苏"] * 5 + ["四川"] * 5,
    ...                    "year": list(range(2007, 2012)) * 3,
    ...                    "exports": [100, 120, 100, 130, 150, 60, 70, 63, 80, 92,
    ...                                10, 12, 12, 15, 18.0]})
    >>> from exportlens.measures import expected_change_resilience
    >>> r = expected_change_resilience(df, region="province", time="year", exports="exports",
    ...                                national_from="sum", contraction=(2008, 2009))
    >>> r.to_frame().round(4)
              change_contraction  expected_change_contraction  resistance
    province
    广东                     -20.0                     -16.0396     -0.2469
    江苏                      -7.0                      -9.3564      0.2519
    四川                       0.0                      -1.6040      1.0000

    Without an industry column the index equals Lagravinese's resistance
    (:func:`resistance_recovery`); with one it removes the effect of the industry mix (see
    :class:`ExpectedChangeResilience`).
    """
    thr = _check_threshold(min_abs_national_growth)
    if industry is None:
        panel, dense, present, nat, phases = _phase_setup(
            df, region, time, exports, national, national_from, tolerance, contraction, recovery
        )
        table = pd.DataFrame(index=panel.regions)
        gn: dict[str, float] = {}
        for ph in phases:
            e0, e1 = _levels_at(panel, dense, present, ph, repr(exports))
            _regional_growth(e0, e1, panel, ph, exports)  # positivity check of the base
            g_n = _national_growth(nat, panel, ph)
            _check_national_growth(g_n, ph, thr)
            gn[ph.kind] = g_n
            change, expected = e1 - e0, g_n * e0
            table[f"change_{ph.kind}"] = change
            table[f"expected_change_{ph.kind}"] = expected
            # (ΔE - ΔE^e)/|ΔE^e|: the Lagravinese kernel on changes (see relative_growth_index)
            table["resistance" if ph.kind == "contraction" else "recovery"] = relative_growth_index(change, expected)
        byk = {p.kind: p for p in phases}
        return ExpectedChangeResilience(
            measure="Resistance / recovery against the expected change (aggregate national rate)",
            reference=MSGT_REFERENCE,
            table=table,
            contraction=byk.get("contraction"),
            recovery=byk.get("recovery"),
            national_growth=gn,
            interpretation="> 0: the region did better than expected from national growth; < 0: worse.",
        )

    require_named_columns(
        df, region=region, time=time, exports=exports, industry=industry, national=national
    )
    panel = _panel(df, region, time, extra_keys=[industry])
    values = coerce_numeric(df, exports)
    icode, ilabels = pd.factorize(df[industry], sort=False)
    ilabels = pd.Index(ilabels, name=industry)
    nat_i = _national_levels(
        df,
        panel,
        values,
        national=national,
        national_from=national_from,
        tolerance=tolerance,
        group_code=icode,
        group_labels=ilabels,
    )
    present_p = np.unique(panel.pos)
    nat_agg = np.full(panel.n_periods, np.nan)
    nat_agg[present_p] = np.nansum(nat_i, axis=0)[present_p]  # only for the hint of detect_phases
    phases = _phases(contraction, recovery, panel, nat_agg)

    cell = np.full((panel.n_regions, len(ilabels), panel.n_periods), np.nan)
    cell_present = np.zeros_like(cell, dtype=bool)
    cell[panel.region_code, icode, panel.pos] = values
    cell_present[panel.region_code, icode, panel.pos] = True
    table = pd.DataFrame(index=panel.regions)
    gn = {}
    growth_rows = {}
    for ph in phases:
        p0, p1 = panel.position(ph.start), panel.position(ph.end)
        pres0, pres1 = cell_present[:, :, p0], cell_present[:, :, p1]
        v0, v1 = cell[:, :, p0], cell[:, :, p1]
        problems = []
        for r, i in zip(*np.nonzero(pres0 != pres1), strict=True):
            t_missing = ph.end if pres0[r, i] else ph.start
            problems.append(
                f"({format_value(panel.regions[int(r)])}, {format_value(ilabels[i])}, {t_missing}) absent"
            )
        for r, i in zip(*np.nonzero((pres0 & np.isnan(v0)) | (pres1 & np.isnan(v1))), strict=True):
            problems.append(
                f"({format_value(panel.regions[int(r)])}, {format_value(ilabels[i])}) missing value"
            )
        if problems:
            raise InputError(
                f"The {ph.kind} {ph.start}..{ph.end} needs every region x industry cell at both ends "
                f"(or at neither): {format_list(problems)}."
            )
        neg = np.nonzero(pres0 & (v0 < 0))
        if len(neg[0]):
            items = [
                f"({format_value(panel.regions[int(r)])}, {format_value(ilabels[i])}, {ph.start}, {format_value(v0[r, i])})"
                for r, i in zip(*neg, strict=True)
            ]
            raise NonPositiveValueError(
                f"Negative exports at the start of the {ph.kind}: {format_list(items)}."
            )
        n0, n1 = nat_i[:, p0], nat_i[:, p1]
        used = pres0.any(axis=0)
        bad_i = np.flatnonzero(used & ~(n0 > 0))
        if len(bad_i):
            raise NonPositiveValueError(
                f"National industry exports at the start of the {ph.kind} ({ph.start}) must be positive: "
                f"{format_list(f'{format_value(ilabels[i])} ({format_value(n0[i])})' for i in bad_i)}."
            )
        miss_i = np.flatnonzero(used & ~np.isfinite(n1))
        if len(miss_i):
            raise InputError(
                f"National industry exports missing at the end of the {ph.kind} ({ph.end}): "
                f"{format_list(format_value(ilabels[i]) for i in miss_i)}."
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            g_i = np.where(used, (n1 - n0) / n0, np.nan)
        growth_rows[ph.kind] = g_i
        base = np.where(pres0, v0, 0.0)
        e0 = base.sum(axis=1)
        change = np.where(pres1, v1, 0.0).sum(axis=1) - e0
        expected = (np.where(pres0, base * np.nan_to_num(g_i)[None, :], 0.0)).sum(axis=1)
        zero = np.flatnonzero(expected == 0)
        if len(zero):
            raise InputError(
                f"The expected change over the {ph.kind} is exactly 0 for region(s) "
                f"{format_list(format_value(panel.regions[int(r)]) for r in zero)}: the index is undefined."
            )
        n_tot0, n_tot1 = (
            np.nansum(np.where(used, n0, np.nan)),
            np.nansum(np.where(used, n1, np.nan)),
        )
        g_n = float((n_tot1 - n_tot0) / n_tot0)
        gn[ph.kind] = g_n
        _check_national_growth(g_n, ph, thr, what="Aggregate national growth")
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.abs(expected) / e0
        small = np.flatnonzero(rel < thr)
        if len(small):
            warn_caller(
                f"Expected change over the {ph.kind} {ph.start}..{ph.end} is below {thr:.1%} of base exports "
                f"for region(s) {format_list(format_value(panel.regions[int(r)]) for r in small)}: the index divides by it and explodes.",
                SmallNationalGrowthWarning,
            )
        table[f"change_{ph.kind}"] = change
        table[f"expected_change_{ph.kind}"] = expected
        table["resistance" if ph.kind == "contraction" else "recovery"] = relative_growth_index(change, expected)
    byk = {p.kind: p for p in phases}
    ind_growth = pd.DataFrame(
        {f"national_growth_{k}": v for k, v in growth_rows.items()}, index=ilabels
    )
    return ExpectedChangeResilience(
        measure="Resistance / recovery against the expected (shift-share) change",
        reference=MSGT_REFERENCE,
        table=table,
        contraction=byk.get("contraction"),
        recovery=byk.get("recovery"),
        national_growth=gn,
        interpretation="> 0: the region did better than expected from its industry mix and national industry growth.",
        industry=industry,
        national_industry_growth=ind_growth,
    )


expected_change_resilience.__doc__ = _with_common_parameters(expected_change_resilience.__doc__)
