"""Firm-level export resilience: formulas, the result object, and the pandas reference.

Notation: E_ft = exports of firm f in year t (sum of its transaction rows; 0 when the firm
has no row that year); b = base (pre-shock) year, s = shock year, r = recovery year
(defaults b = s − 1, r = s + 2); N_t = national exports (all firms), I_it = exports of
industry i (all rows recorded under i).

Measures per firm and year (``firm_year``)
------------------------------------------
- DHS growth  g_ft = 2 (E_ft − E_f,t−1) / (E_ft + E_f,t−1) ∈ [−2, 2] (Davis, Haltiwanger &
  Schuh 1996). Defined on the firm x year grid, so entry (E_f,t−1 = 0: +2) and exit
  (E_ft = 0: −2) are included: a firm that exported in t−1 but has no row in t gets an
  *exit row* in t. Undefined (missing) in the first year of the data and when both values
  are 0. ``status`` is ``entry``, ``continuer``, ``exit`` or ``inactive`` (both 0).
- Diversification (mechanism variables): number of products and of destinations with
  positive exports, and Herfindahl-Hirschman indices HHI_ft = Σ_k (E_fkt / E_ft)² over
  products k (``hhi_products``) and over destinations (``hhi_destinations``); 1 for a
  single product, 1/n for n equal ones; missing when E_ft = 0.
- Province and industry of a firm-year: the one with the largest export value that year
  (ties: the smallest code); exit rows keep last year's. ``n_provinces``/``n_industries``
  count how many the firm reported (a note says how many firm-years had more than one).
- Ownership and trade mode (optional ``ownership`` / ``trade_mode`` column roles): the same
  rule, arg max over the firm-year's labels of the summed export value (ties: the smallest
  label, compared as text); rows with a missing label are left out of the choice (a
  firm-year with no labelled row has none); exit rows keep last year's label.

Growth paths (``firm_year``; the market response: new products, new markets, switching)
----------------------------------------------------------------------------------------
Let P_ft be the HS products with positive exports of firm f in t (v_fkt > 0), D_ft its
destinations, and A_ft its product x destination pairs. All are compared with t−1 (missing
in the first year of the data):

- ``new_products`` = |P_ft \\ P_f,t−1|, the number of products added (for an entrant every
  product is new); ``new_products_share`` = Σ_{k ∈ P_ft \\ P_f,t−1} v_fkt / E_ft, their share
  of the year's exports (missing when E_ft = 0). Likewise ``new_destinations`` and
  ``new_destinations_share``. (Product adding: Bernard, Redding & Schott 2010; new markets:
  Eaton, Kortum & Kramarz 2011.)
- Switching rates of continuing exporters (E_ft > 0 and E_f,t−1 > 0; missing otherwise):
  ``product_switching`` = (|added| + |dropped|) / (|P_ft| + |P_f,t−1|) ∈ [0, 1], 0 when the
  product set is unchanged, 1 when every product was replaced (the churning rate of
  Bernard, Redding & Schott 2010, AER 100(1):70-97); ``destination_switching`` likewise.
- Extensive and intensive margins of the export change over product x destination pairs
  (Bernard, Jensen, Redding & Schott 2009, "The margins of US trade", AER P&P 99(2)),
  scaled like DHS growth by the mid-point (E_ft + E_f,t−1)/2:

      margin_extensive = 2 (Σ_{a added} v_fat − Σ_{a dropped} v_fa,t−1) / (E_ft + E_f,t−1),
      margin_intensive = 2 Σ_{a kept} (v_fat − v_fa,t−1) / (E_ft + E_f,t−1),

  so that margin_extensive + margin_intensive = DHS growth exactly (an entry is +2
  extensive, an exit −2 extensive). Missing where DHS growth is.

Measures per firm for the shock (``firm_shock``; the cohort of firms with E_fb > 0)
------------------------------------------------------------------------------------
- Survival: ``exit_year`` is the first year after b without exports (missing when the firm
  exported every year to the end of the data); ``survived_shock`` = exported in every year
  b+1..s, ``survived_recovery`` = every year b+1..r.
- Growth over the contraction g_f^c = (E_fs − E_fb)/E_fb and over the recovery
  g_f^v = (E_fr − E_fs)/E_fs (only when E_fs > 0).
- Resistance and recovery relative to a benchmark B (Lagravinese 2015, the definition of
  :func:`exportlens.measures.resistance_recovery` with the firm in place of the region):

      Resis_f = (g_f^c − g_B^c) / |g_B^c|,     Recov_f = (g_f^v − g_B^v) / |g_B^v|,

  with B the nation (g_N^c = (N_s − N_b)/N_b) or the firm's industry in b
  (g_I^c = (I_s − I_b)/I_b), and likewise over the recovery. > 0: the firm did better than
  its benchmark. The ratio explodes when |g_B| is small: below ``min_abs_benchmark_growth``
  the index is left missing and a note names the benchmark.

Aggregates (province, industry, region group and nation, by year and for the shock)
-----------------------------------------------------------------------------------
Firm-weighted (``_fw``: plain means over firms) and value-weighted (``_vw``) versions.
Value weights are the ones that make the aggregate an exact accounting identity:
DHS growth with weights (E_ft + E_f,t−1)/2 equals the DHS growth of the group total,
2 (ΣE_t − ΣE_t−1)/(ΣE_t + ΣE_t−1); HHI with weights E_ft; survival with base-year exports
E_fb (the share of base-year exports made by surviving firms); resistance with E_fb, so that
Resis_vw = (G^c − g_B^c)/|g_B^c| with G^c the growth of the cohort's total exports (national
benchmark); recovery with E_fs. Year tables attribute firm-years to their current province
(exit rows to last year's); cohort survival and shock tables to the base-year province.

Each formula is computed by its kernel in :mod:`exportlens.measures.kernels` (DHS growth
:func:`~exportlens.measures.kernels.dhs_growth_rate`, HHI
:func:`~exportlens.measures.kernels.herfindahl`, resistance/recovery
:func:`~exportlens.measures.kernels.relative_growth_index`); the Ibis pipeline writes the
same formulas as expressions tested equal to those kernels.

References: Davis, S. J., Haltiwanger, J. C. & Schuh, S. (1996), *Job Creation and
Destruction*, MIT Press; Lagravinese, R. (2015), *Cambridge Journal of Regions, Economy and
Society* 8(2):331-347; Martin, R. (2012), *Journal of Economic Geography* 12(1):1-32.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from exportlens.errors import DataFormatError, InputError
from exportlens.firms.io import ColumnMap, ValidationReport, raise_for_invalid, validate_pandas
from exportlens.measures.kernels import (
    DHS_REFERENCE,
    LAGRAVINESE_REFERENCE,
    dhs_growth_rate,
    herfindahl,
    relative_growth_index,
)
from exportlens.regions import assign_group, list_groupings, provinces

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AGGREGATE_YEAR_COLUMNS",
    "FIRM_SHOCK_COLUMNS",
    "FIRM_YEAR_COLUMNS",
    "GROWTH_PATH_COLUMNS",
    "SHOCK_AGGREGATE_COLUMNS",
    "FirmMeasureSpec",
    "FirmMeasures",
    "Phases",
    "check_consecutive_years",
    "firm_measures_pandas",
    "weighted_mean",
]

#: Growth-path measures of a firm-year (module docstring: "Growth paths").
GROWTH_PATH_COLUMNS = [
    "new_products", "new_products_share", "new_destinations", "new_destinations_share",
    "product_switching", "destination_switching", "margin_extensive", "margin_intensive",
]
FIRM_YEAR_COLUMNS = [
    "firm", "year", "code", "industry", "exports", "exports_lag", "dhs_growth", "status",
    "n_products", "n_destinations", "hhi_products", "hhi_destinations", "n_provinces", "n_industries",
    *GROWTH_PATH_COLUMNS,
]
FIRM_SHOCK_COLUMNS = [
    "firm", "code", "industry", "exports_base", "exports_shock", "exports_recovery", "exit_year",
    "survived_shock", "survived_recovery", "growth_contraction", "growth_recovery",
    "resistance_national", "recovery_national", "resistance_industry", "recovery_industry",
]
AGGREGATE_YEAR_COLUMNS = [
    "year", "n_firms", "exports", "n_entries", "n_exits", "n_continuers", "entry_rate", "exit_rate",
    "dhs_growth_fw", "dhs_growth_vw", "n_products_mean", "n_destinations_mean",
    "hhi_products_fw", "hhi_products_vw", "hhi_destinations_fw", "hhi_destinations_vw",
    "cohort_firms", "cohort_survivors", "survival_rate_fw", "survival_rate_vw",
]
SHOCK_AGGREGATE_COLUMNS = [
    "cohort_firms", "exports_base", "exports_shock", "exports_recovery",
    "survival_shock_fw", "survival_shock_vw", "survival_recovery_fw", "survival_recovery_vw",
    "growth_contraction", "growth_recovery",
    "resistance_national_fw", "resistance_national_vw", "recovery_national_fw", "recovery_national_vw",
    "resistance_industry_fw", "resistance_industry_vw", "recovery_industry_fw", "recovery_industry_vw",
]
#: Aggregation levels: table name -> grouping keys.
LEVELS: dict[str, list[str]] = {"national": [], "province": ["code"], "industry": ["industry"], "group": ["group"]}


# --- aggregation -------------------------------------------------------------------------


def weighted_mean(values: np.ndarray | pd.Series, weights: np.ndarray | pd.Series) -> float:
    """Σ w x / Σ w over the entries where x is not missing (NaN when no weight remains).

    Examples
    --------
    >>> import math
    >>> from exportlens.firms import weighted_mean
    >>> round(weighted_mean([0.2, math.nan, -0.5], [100, 50, 20]), 4)     # (20 − 10) / 120
    0.0833
    >>> weighted_mean([math.nan], [1.0])
    nan
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    ok = ~np.isnan(x)
    den = w[ok].sum()
    return float((w[ok] * x[ok]).sum() / den) if den > 0 else float("nan")


# --- spec and phases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Phases:
    """Base (pre-shock), shock and recovery years, and the years of the data.

    Examples
    --------
    >>> from exportlens.firms import FirmMeasureSpec
    >>> ph = FirmMeasureSpec(shock_year=2009).phases(2005, 2014)
    >>> ph
    Phases(base=2008, shock=2009, recovery=2011, first=2005, last=2014)
    """

    base: int
    shock: int
    recovery: int
    first: int
    last: int


@dataclass(frozen=True)
class FirmMeasureSpec:
    """Parameters of the firm measures.

    ``shock_year`` is the year exports fell (2009 for the trade collapse); ``base_year``
    defaults to the year before, ``recovery_year`` to two years after. ``grouping`` names
    the region grouping of the group tables (nbs4, belts3, drc8, coastal). ``invalid``:
    ``"raise"`` stops on any invalid row, ``"drop"`` leaves them out and reports them.
    ``growth_paths`` computes the growth-path columns (new products and markets, switching,
    margins; they need the product x destination table, an extra pass); when False they are
    left missing.

    Examples
    --------
    >>> from exportlens.firms import FirmMeasureSpec
    >>> spec = FirmMeasureSpec(shock_year=2009, grouping="nbs4", invalid="drop")
    >>> spec.phases(2005, 2014)
    Phases(base=2008, shock=2009, recovery=2011, first=2005, last=2014)
    >>> spec.phases(2005, 2010)
    Traceback (most recent call last):
    ...
    exportlens.errors.InputError: Base year 2008, shock year 2009 and recovery year 2011 must lie within the data: the data cover 2005-2010 (set recovery_year explicitly).
    >>> FirmMeasureSpec(shock_year=2009, recovery_year=2010).phases(2005, 2010).recovery
    2010
    """

    shock_year: int = 2009
    base_year: int | None = None
    recovery_year: int | None = None
    min_abs_benchmark_growth: float = 0.01
    grouping: str = "belts3"
    invalid: Literal["raise", "drop"] = "raise"
    growth_paths: bool = True

    def __post_init__(self) -> None:
        for name in ("shock_year", "base_year", "recovery_year"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int | np.integer)):
                raise InputError(f"{name} must be an integer year, not {v!r}.")
        if not (isinstance(self.min_abs_benchmark_growth, int | float) and self.min_abs_benchmark_growth >= 0):
            raise InputError(f"min_abs_benchmark_growth must be a non-negative number, not {self.min_abs_benchmark_growth!r}.")
        if self.invalid not in ("raise", "drop"):
            raise InputError(f"invalid must be 'raise' or 'drop', not {self.invalid!r}.")

        names = [g.name for g in list_groupings()]
        if self.grouping not in names:
            raise InputError(f"grouping must be one of {names}, not {self.grouping!r}.")

    def phases(self, first_year: int, last_year: int) -> Phases:
        """The three years, checked against the years of the data."""
        s = int(self.shock_year)
        b = int(self.base_year) if self.base_year is not None else s - 1
        r = int(self.recovery_year) if self.recovery_year is not None else s + 2
        span = f"the data cover {first_year}-{last_year}"
        if not b < s < r:
            raise InputError(f"Years must satisfy base < shock < recovery, got {b}, {s}, {r}.")
        if b < first_year or r > last_year:
            hint = " (set recovery_year explicitly)" if self.recovery_year is None and r > last_year else ""
            raise InputError(f"Base year {b}, shock year {s} and recovery year {r} must lie within the data: {span}{hint}.")
        return Phases(base=b, shock=s, recovery=r, first=int(first_year), last=int(last_year))

    def to_dict(self) -> dict[str, Any]:
        return {"shock_year": self.shock_year, "base_year": self.base_year, "recovery_year": self.recovery_year,
                "min_abs_benchmark_growth": self.min_abs_benchmark_growth, "grouping": self.grouping,
                "invalid": self.invalid, "growth_paths": self.growth_paths}


def check_consecutive_years(years: list[int]) -> tuple[int, int]:
    """First and last year; DataFormatError when a year in between has no valid row (DHS
    growth and exit need consecutive years: a missing year would make every firm exit).

    Examples
    --------
    >>> from exportlens.firms import check_consecutive_years
    >>> check_consecutive_years([2009, 2007, 2008, 2008])
    (2007, 2009)
    >>> check_consecutive_years([2007, 2009])
    Traceback (most recent call last):
    ...
    exportlens.errors.DataFormatError: The data cover 2007-2009 but have no valid rows in [2008]: ...
    """
    ys = sorted({int(y) for y in years})
    if not ys:
        raise DataFormatError("No valid transaction rows remain: nothing to measure.")
    if len(ys) < 2:
        raise DataFormatError(f"The data hold one year ({ys[0]}); growth and exit need at least two consecutive years.")
    missing = sorted(set(range(ys[0], ys[-1] + 1)) - set(ys))
    if missing:
        raise DataFormatError(
            f"The data cover {ys[0]}-{ys[-1]} but have no valid rows in {missing}: growth, entry and exit need "
            "consecutive years (a missing year would count every firm as exiting)."
        )
    return ys[0], ys[-1]


# --- result ------------------------------------------------------------------------------


@dataclass
class FirmMeasures:
    """Firm-level measures and their aggregates.

    Firm-level tables (``firm_year``, ``firm_shock``) are DataFrames, or None when the pipeline
    wrote them to Parquet (``files`` then holds the paths). Aggregates are always DataFrames:
    ``*_year`` (keys and :data:`AGGREGATE_YEAR_COLUMNS`) and ``*_shock`` (keys and
    :data:`SHOCK_AGGREGATE_COLUMNS`) for the levels national, province (``code``: GB/T 2260,
    plus ``province``: Chinese name, ready to merge with a province-year panel on code and
    year), industry and group (the region grouping of the spec). ``benchmarks`` holds the
    national and industry growth rates the indices divide by.

    Examples
    --------
    Three firms, 2007-2010 (F2 exits in 2009, F3 enters in 2009):

    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("valid")
    >>> from exportlens.firms import FirmMeasureSpec, firm_measures_pandas
    >>> result = firm_measures_pandas(tx, spec=FirmMeasureSpec(shock_year=2009, recovery_year=2010))
    >>> print(result.summary())
    Firm-level export resilience (pandas): 10 rows read, 10 used, 0 invalid; 3 firms, 2007-2010
    Phases: base 2008, shock 2009, recovery 2010
    National growth: contraction -35.29%, recovery +27.27%
    Cohort (2 firms exporting in 2008): survival to 2009 50.0% of firms / 70.6% of base exports; ...
    ...
    >>> sorted(result.aggregates())[:4]
    ['group_shock', 'group_year', 'industry_shock', 'industry_year']
    >>> result.to_frame()[["code", "province", "year", "exports", "n_firms"]].tail(4)
         code province  year  exports  n_firms
    6  440000      广东省  2007    100.0        1
    7  440000      广东省  2008    120.0        1
    8  440000      广东省  2009     90.0        1
    9  440000      广东省  2010    110.0        1
    """

    spec: FirmMeasureSpec
    columns: ColumnMap
    phases: Phases
    validation: ValidationReport
    firms: int
    firm_year: pd.DataFrame | None
    firm_shock: pd.DataFrame | None
    national_year: pd.DataFrame
    province_year: pd.DataFrame
    industry_year: pd.DataFrame
    group_year: pd.DataFrame
    national_shock: pd.DataFrame
    province_shock: pd.DataFrame
    industry_shock: pd.DataFrame
    group_shock: pd.DataFrame
    benchmarks: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    backend: str = "pandas"

    def aggregates(self) -> dict[str, pd.DataFrame]:
        """Every aggregate table by name (``province_year`` ...)."""
        return {f"{level}_{kind}": getattr(self, f"{level}_{kind}") for kind in ("year", "shock") for level in LEVELS}

    def to_frame(self) -> pd.DataFrame:
        """The province x year table (merge it with the province panel on ``code`` and ``year``)."""
        return self.province_year.copy()

    def summary(self) -> str:
        """Plain text: rows, firms, phases, national benchmarks and survival, notes."""
        ph = self.phases
        v = self.validation
        nat = self.national_shock.iloc[0] if len(self.national_shock) else None
        lines = [
            f"Firm-level export resilience ({self.backend}): {v.rows_read:,} rows read, {v.rows_used:,} used, "
            f"{v.rows_invalid:,} invalid; {self.firms:,} firms, {ph.first}-{ph.last}",
            f"Phases: base {ph.base}, shock {ph.shock}, recovery {ph.recovery}",
        ]
        for key, n in v.invalid.items():
            if n:
                lines.append(f"  invalid rows, {key}: {n:,}")
        bn = self.benchmarks[self.benchmarks["scope"] == "national"]
        if len(bn):
            b = bn.iloc[0]
            lines.append(f"National growth: contraction {b['growth_contraction']:+.2%}, recovery {b['growth_recovery']:+.2%}")
        if nat is not None:
            lines.append(
                f"Cohort ({int(nat['cohort_firms']):,} firms exporting in {ph.base}): survival to {ph.shock} "
                f"{nat['survival_shock_fw']:.1%} of firms / {nat['survival_shock_vw']:.1%} of base exports; "
                f"to {ph.recovery} {nat['survival_recovery_fw']:.1%} / {nat['survival_recovery_vw']:.1%}"
            )
        lines += [f"Note: {n}" for n in self.notes]
        lines.append(f"References: {DHS_REFERENCE}; {LAGRAVINESE_REFERENCE}")
        return "\n".join(lines)


# --- pandas reference implementation -------------------------------------------------------


def _dominant(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per firm-year: the ``key`` value with the largest exports (ties: smallest) and how many."""
    g = frame.groupby(["firm", "year", key], sort=False, observed=True)["value"].sum().reset_index()
    n = g.groupby(["firm", "year"], sort=False)[key].size().rename(f"n_{key}")
    ordered = g.sort_values(["firm", "year", "value", key], ascending=[True, True, False, True], kind="mergesort")
    top = ordered.drop_duplicates(["firm", "year"], keep="first").set_index(["firm", "year"])[key]
    return top.to_frame().join(n)


def _diversification(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per firm-year: count of ``key`` values with positive exports and the HHI of their shares."""
    import pandas as pd

    g = frame.groupby(["firm", "year", key], sort=False, observed=True)["value"].sum()
    # both in order of first appearance of the firm-year (sort=False)
    n = (g > 0).groupby(level=[0, 1], sort=False).sum()
    codes = g.groupby(level=[0, 1], sort=False).ngroup().to_numpy()
    return pd.DataFrame({"n": n, "hhi": herfindahl(g.to_numpy(), groups=codes)}, index=n.index)


def firm_measures_pandas(
    transactions: pd.DataFrame,
    *,
    columns: ColumnMap | None = None,
    spec: FirmMeasureSpec | None = None,
) -> FirmMeasures:
    """The firm measures computed in memory with pandas (the reference implementation).

    Same definitions, validation and outputs as :func:`exportlens.firms.pipeline.firm_pipeline`
    (the module docstring has the formulas); meant for tests and small data: it holds the
    whole transaction table and a dense firm x year matrix in memory. DHS growth is computed
    by :func:`exportlens.measures.kernels.dhs_growth_rate` on the complete firm x year grid.

    Examples
    --------
    Three firms, 2007-2010 (F2 exits in 2009, F3 enters in 2009):

    >>> import pandas as pd
    >>> from exportlens.datasets.demo_firms import firm_transactions_example
    >>> tx = firm_transactions_example("valid")
    >>> from exportlens.firms import FirmMeasureSpec, firm_measures_pandas
    >>> result = firm_measures_pandas(tx, spec=FirmMeasureSpec(shock_year=2009, recovery_year=2010))

    Firm-years, with the exit row of F2 in 2009 (DHS growth −2) and the entry of F3 (+2):

    >>> fy = result.firm_year
    >>> fy[["firm", "year", "exports", "dhs_growth", "n_products", "hhi_destinations"]].round(4)
      firm  year  exports  dhs_growth  n_products  hhi_destinations
    0   F1  2007    100.0         NaN           1              0.52
    1   F1  2008    120.0      0.1818           2              1.00
    2   F1  2009     90.0     -0.2857           1              1.00
    3   F1  2010    110.0      0.2000           1              1.00
    4   F2  2007     50.0         NaN           1              1.00
    5   F2  2008     50.0      0.0000           1              1.00
    6   F2  2009      0.0     -2.0000           0               NaN
    7   F3  2009     20.0      2.0000           1              1.00
    8   F3  2010     30.0      0.4000           1              1.00
    >>> fy["status"].fillna("-").tolist()
    ['-', 'continuer', 'continuer', 'continuer', '-', 'continuer', 'exit', 'entry', 'continuer']

    Value-weighted DHS growth is the DHS growth of the total, 2 (110 − 170) / (110 + 170):

    >>> nat = result.national_year.set_index("year")
    >>> round(float(nat.loc[2009, "dhs_growth_vw"]), 4), round(2 * (110 - 170) / (110 + 170), 4)
    (-0.4286, -0.4286)

    The 2008 cohort: F1 fell by 25 % while the nation fell by 35.29 %, so its resistance
    is (−0.25 + 0.3529) / 0.3529 = 0.2917:

    >>> result.firm_shock[["firm", "growth_contraction", "resistance_national"]].round(4)
      firm  growth_contraction  resistance_national
    0   F1               -0.25               0.2917
    1   F2               -1.00              -1.8333
    """

    columns = columns or ColumnMap()
    spec = spec or FirmMeasureSpec()
    report, std = validate_pandas(transactions, columns)
    raise_for_invalid(report, spec.invalid)
    clean = std[std["reason"].isna()].drop(columns="reason").copy()
    clean["year"] = clean["year"].astype("int64")
    clean["code"] = clean["province_raw"].map(report.province_codes).astype("int64")
    first, last = check_consecutive_years(clean["year"].unique().tolist())
    ph = spec.phases(first, last)
    years = np.arange(first, last + 1)

    recorded = _recorded_firm_years(clean)
    wide = recorded["exports"].unstack("year").reindex(columns=years)  # NaN = no row that year
    fy = _firm_year_pd(recorded, wide)
    fy = _growth_paths_pd(fy, clean, first, last) if spec.growth_paths else _no_growth_paths(fy)
    fy = _with_labels_pd(fy, clean, recorded, columns.labels())
    bench = _benchmarks_pd(clean, years, ph, spec)
    fs = _firm_shock_pd(recorded, wide.fillna(0.0), bench, ph)

    codes = sorted(set(fy["code"]) | set(fs["code"]))
    group_of = dict(zip(codes, assign_group(codes, spec.grouping).tolist(), strict=True))
    fy_g = fy.assign(group=fy["code"].map(group_of))
    fs_g = fs.assign(group=fs["code"].map(group_of))
    out: dict[str, Any] = {}  # FirmMeasures' aggregate tables, passed by name
    for level, keys in LEVELS.items():
        out[f"{level}_year"] = _year_aggregate_pd(fy_g, fs_g, keys, ph)
        out[f"{level}_shock"] = _shock_aggregate_pd(fs_g, keys)
    names = province_names()
    for kind in ("year", "shock"):
        t = out[f"province_{kind}"]
        t.insert(1, "province", t["code"].map(names))

    notes = build_notes(int((fy["n_provinces"] > 1).sum()), int((fy["n_industries"] > 1).sum()), bench, report, spec)
    return FirmMeasures(
        spec=spec, columns=columns, phases=ph, validation=report, firms=int(wide.shape[0]),
        firm_year=fy, firm_shock=fs, benchmarks=bench, notes=notes, backend="pandas", **out,
    )


def _recorded_firm_years(clean: pd.DataFrame) -> pd.DataFrame:
    """Firm-years with rows: exports, dominant province/industry, diversification."""
    exports = clean.groupby(["firm", "year"], sort=True)["value"].sum()
    prov = _dominant(clean, "code").rename(columns={"n_code": "n_provinces"})
    ind = _dominant(clean, "industry").rename(columns={"n_industry": "n_industries"})
    prod = _diversification(clean, "product").rename(columns={"n": "n_products", "hhi": "hhi_products"})
    dest = _diversification(clean, "destination").rename(columns={"n": "n_destinations", "hhi": "hhi_destinations"})
    return exports.rename("exports").to_frame().join([prov, ind, prod, dest])


def _with_labels_pd(fy: pd.DataFrame, clean: pd.DataFrame, recorded: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """``fy`` with the label columns (``ownership``, ``trade_mode``): per firm-year the label with
    the largest summed export value (ties: the smallest label), rows with a missing label left
    out of the choice; exit rows (no recorded row) keep last year's label."""
    import pandas as pd

    if not labels:
        return fy
    out = fy.copy()
    recorded_rows = pd.MultiIndex.from_frame(fy[["firm", "year"]]).isin(recorded.index)
    source_year = np.where(recorded_rows, fy["year"].to_numpy(), fy["year"].to_numpy() - 1)
    idx = pd.MultiIndex.from_arrays([fy["firm"].to_numpy(), source_year])
    for role in labels:
        has = clean[clean[role].notna()]
        top = _dominant(has, role)[role]
        values = top.reindex(idx).to_numpy(dtype=object)
        out[role] = pd.Series(values, index=out.index, dtype=object).where(pd.notna(values), None)
    return out


def _no_growth_paths(fy: pd.DataFrame) -> pd.DataFrame:
    """The growth-path columns left missing (``growth_paths=False``)."""
    import pandas as pd

    out = fy.copy()
    for c in GROWTH_PATH_COLUMNS:
        out[c] = pd.array([pd.NA] * len(out), dtype="Int64") if c.startswith("new_") and not c.endswith("share") \
            else np.nan
    return out[FIRM_YEAR_COLUMNS]


def _changes_pd(clean: pd.DataFrame, keys: list[str], last: int) -> pd.DataFrame:
    """Per firm-year: counts and values of the ``keys`` added, dropped and kept since t−1."""
    g = clean.groupby(["firm", "year", *keys], sort=False)["value"].sum().rename("v").reset_index()
    prev = g.assign(year=g["year"] + 1).rename(columns={"v": "v_l"})
    m = g.merge(prev[prev["year"] <= last], on=["firm", "year", *keys], how="outer")
    v, vl = m["v"].fillna(0.0), m["v_l"].fillna(0.0)
    added, dropped, kept = (v > 0) & (vl <= 0), (v <= 0) & (vl > 0), (v > 0) & (vl > 0)
    d = m[["firm", "year"]].assign(
        n_added=added.astype("int64"), n_dropped=dropped.astype("int64"), n_now=(v > 0).astype("int64"),
        n_before=(vl > 0).astype("int64"), v_added=v.where(added, 0.0), v_dropped=vl.where(dropped, 0.0),
        d_kept=(v - vl).where(kept, 0.0),
    )
    return d.groupby(["firm", "year"], sort=False).sum()


def _growth_paths_pd(fy: pd.DataFrame, clean: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """``fy`` with the growth-path columns (module docstring, "Growth paths")."""
    import pandas as pd

    later = (fy["year"] > first).to_numpy()
    e, el = fy["exports"].to_numpy(), fy["exports_lag"].to_numpy()
    cont = later & (e > 0) & (np.nan_to_num(el) > 0)
    idx = pd.MultiIndex.from_frame(fy[["firm", "year"]])
    out = fy.copy()
    for name, keys in (("products", ["product"]), ("destinations", ["destination"])):
        ch = _changes_pd(clean, keys, last).reindex(idx).fillna(0)
        short = name[:-1]
        out[f"new_{name}"] = pd.array(np.where(later, ch["n_added"].to_numpy(), 0), dtype="Int64")
        out.loc[~later, f"new_{name}"] = pd.NA
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"new_{name}_share"] = np.where(later & (e > 0), ch["v_added"].to_numpy() / e, np.nan)
            seen = (ch["n_now"] + ch["n_before"]).to_numpy(dtype=float)
            moved = (ch["n_added"] + ch["n_dropped"]).to_numpy(dtype=float)
            out[f"{short}_switching"] = np.where(cont & (seen > 0), moved / seen, np.nan)
    ch = _changes_pd(clean, ["product", "destination"], last).reindex(idx).fillna(0)
    mid = (e + el) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = later & (np.nan_to_num(mid) > 0)
        out["margin_extensive"] = np.where(ok, (ch["v_added"] - ch["v_dropped"]).to_numpy() / mid, np.nan)
        out["margin_intensive"] = np.where(ok, ch["d_kept"].to_numpy() / mid, np.nan)
    return out[FIRM_YEAR_COLUMNS]


def _firm_year_pd(recorded: pd.DataFrame, wide: pd.DataFrame) -> pd.DataFrame:
    """Recorded firm-years plus exit rows, DHS growth (on the complete grid) and status."""
    import pandas as pd

    years = wide.columns.to_numpy()
    present = wide.notna().to_numpy()
    levels = wide.fillna(0.0).to_numpy()
    firms = wide.index.to_numpy()
    grid = pd.DataFrame({"firm": np.repeat(firms, len(years)), "year": np.tile(years, len(firms)),
                         "exports": levels.ravel()})
    lag = np.full(levels.shape, np.nan)  # no E_t-1 in the first year of the data
    lag[:, 1:] = levels[:, :-1]
    grid["dhs_growth"] = dhs_growth_rate(levels, lag).ravel()
    grid["exports_lag"] = lag.ravel()
    fy = grid[present.ravel() | (grid["exports_lag"].to_numpy() > 0)].reset_index(drop=True)
    e, el = fy["exports"].to_numpy(), fy["exports_lag"].to_numpy()
    status = np.select([(e > 0) & (el > 0), (e > 0) & (el == 0), (e == 0) & (el > 0), (e == 0) & (el == 0)],
                       ["continuer", "entry", "exit", "inactive"], default="")
    fy["status"] = pd.Series(np.where(status == "", None, status), dtype="str")  # type: ignore[call-overload]
    fy = fy.merge(recorded.drop(columns="exports").reset_index(), on=["firm", "year"], how="left")
    exit_rows = fy["code"].isna().to_numpy()
    if exit_rows.any():  # attributes of last year for exit rows
        prev = recorded[["code", "industry"]].reset_index()
        prev["year"] += 1
        filled = fy.loc[exit_rows, ["firm", "year"]].merge(prev, on=["firm", "year"], how="left")
        fy.loc[exit_rows, "code"] = filled["code"].to_numpy()
        fy.loc[exit_rows, "industry"] = filled["industry"].to_numpy()
        for c in ("n_products", "n_destinations", "n_provinces", "n_industries"):
            fy.loc[exit_rows, c] = 0
    for c in ("code", "n_products", "n_destinations", "n_provinces", "n_industries"):
        fy[c] = fy[c].astype("int64")
    base = [c for c in FIRM_YEAR_COLUMNS if c not in GROWTH_PATH_COLUMNS]
    return fy[base].sort_values(["firm", "year"]).reset_index(drop=True)


def _benchmarks_pd(clean: pd.DataFrame, years: np.ndarray, ph: Phases, spec: FirmMeasureSpec) -> pd.DataFrame:
    """National and industry (row-level industry) totals and growth over the two phases."""
    import pandas as pd

    nat = clean.groupby("year")["value"].sum()
    ind_tot = clean.groupby(["industry", "year"])["value"].sum().unstack("year").reindex(columns=years).fillna(0.0)
    rows = [benchmark_row("national", None, float(nat.get(ph.base, 0.0)), float(nat.get(ph.shock, 0.0)),
                          float(nat.get(ph.recovery, 0.0)), spec)]
    for i in ind_tot.index:
        base, shock, recovery = ind_tot.loc[i, [ph.base, ph.shock, ph.recovery]].to_numpy(dtype=float)
        rows.append(benchmark_row("industry", i, base, shock, recovery, spec))
    return pd.DataFrame(rows)


def _firm_shock_pd(recorded: pd.DataFrame, wide: pd.DataFrame, bench: pd.DataFrame, ph: Phases) -> pd.DataFrame:
    """The base-year cohort: survival, growth, resistance and recovery (``wide``: 0 = no exports)."""
    import pandas as pd

    col = {int(y): i for i, y in enumerate(wide.columns)}
    w = wide.to_numpy()
    e_b, e_s, e_r = w[:, col[ph.base]], w[:, col[ph.shock]], w[:, col[ph.recovery]]
    zero = w[:, col[ph.base] + 1:] <= 0
    has_exit = zero.any(axis=1)
    fs = pd.DataFrame({
        "firm": wide.index.to_numpy(), "exports_base": e_b, "exports_shock": e_s, "exports_recovery": e_r,
        "exit_year": pd.array(np.where(has_exit, ph.base + 1 + zero.argmax(axis=1), 0), dtype="Int64"),
    })
    fs.loc[~has_exit, "exit_year"] = pd.NA
    fs = fs[e_b > 0].reset_index(drop=True)
    fs = fs.join(recorded.xs(ph.base, level="year")[["code", "industry"]], on="firm")
    fs["code"] = fs["code"].astype("int64")
    ex = fs["exit_year"].astype("float64").to_numpy()
    fs["survived_shock"] = np.isnan(ex) | (ex > ph.shock)
    fs["survived_recovery"] = np.isnan(ex) | (ex > ph.recovery)
    fs["growth_contraction"] = (fs["exports_shock"] - fs["exports_base"]) / fs["exports_base"]
    with np.errstate(divide="ignore", invalid="ignore"):
        fs["growth_recovery"] = np.where(fs["exports_shock"] > 0,
                                         (fs["exports_recovery"] - fs["exports_shock"]) / fs["exports_shock"], np.nan)
    bn = bench.iloc[0]
    fs["resistance_national"] = relative_growth_index(fs["growth_contraction"], bn["growth_contraction"]) \
        if bn["usable_contraction"] else np.nan
    fs["recovery_national"] = relative_growth_index(fs["growth_recovery"], bn["growth_recovery"]) \
        if bn["usable_recovery"] else np.nan
    bi = bench[bench["scope"] == "industry"].set_index("industry")
    gi_c = fs["industry"].map(bi["growth_contraction"].where(bi["usable_contraction"])).astype(float)
    gi_v = fs["industry"].map(bi["growth_recovery"].where(bi["usable_recovery"])).astype(float)
    fs["resistance_industry"] = relative_growth_index(fs["growth_contraction"], gi_c)
    fs["recovery_industry"] = relative_growth_index(fs["growth_recovery"], gi_v)
    return fs[FIRM_SHOCK_COLUMNS].sort_values("firm").reset_index(drop=True)


def benchmark_row(scope: str, industry: Any, e_b: float, e_s: float, e_r: float, spec: FirmMeasureSpec) -> dict[str, Any]:
    g_c = (e_s - e_b) / e_b if e_b > 0 else float("nan")
    g_v = (e_r - e_s) / e_s if e_s > 0 else float("nan")
    thr = spec.min_abs_benchmark_growth
    return {"scope": scope, "industry": industry, "exports_base": float(e_b), "exports_shock": float(e_s),
            "exports_recovery": float(e_r), "growth_contraction": g_c, "growth_recovery": g_v,
            "usable_contraction": bool(abs(g_c) >= thr) if g_c == g_c else False,
            "usable_recovery": bool(abs(g_v) >= thr) if g_v == g_v else False}


def province_names() -> dict[int, str]:
    return {int(p.code): p.name_zh for p in provinces()}


def _rate(num: Any, den: Any) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(den, dtype=float) > 0, np.asarray(num, dtype=float) / np.asarray(den, dtype=float), np.nan)


def _year_aggregate_pd(fy: pd.DataFrame, fs: pd.DataFrame, keys: list[str], ph: Phases) -> pd.DataFrame:
    import pandas as pd

    by = [*keys, "year"]
    d = fy.assign(
        active=(fy["exports"] > 0).astype("int64"),
        entry=(fy["status"] == "entry").astype("int64"),
        exit=(fy["status"] == "exit").astype("int64"),
        cont=(fy["status"] == "continuer").astype("int64"),
        w_dhs=np.where(fy["dhs_growth"].notna(), (fy["exports"] + fy["exports_lag"]) / 2, 0.0),
        has_dhs=fy["dhs_growth"].notna().astype("int64"),
    )
    d["wx_dhs"] = (d["w_dhs"] * d["dhs_growth"]).fillna(0.0)
    for k in ("products", "destinations"):
        h = d[f"hhi_{k}"]
        d[f"w_{k}"] = np.where(h.notna(), d["exports"], 0.0)
        d[f"wx_{k}"] = (d["exports"] * h).fillna(0.0)
    act = d[d["active"] == 1]
    g = d.groupby(by, sort=True)
    agg = pd.DataFrame({
        "n_firms": g["active"].sum(), "exports": g["exports"].sum(), "n_entries": g["entry"].sum(),
        "n_exits": g["exit"].sum(), "n_continuers": g["cont"].sum(),
        "dhs_growth_fw": g["dhs_growth"].mean(),
        "dhs_growth_vw": g["wx_dhs"].sum() / g["w_dhs"].sum().where(g["w_dhs"].sum() > 0),
        "hhi_products_vw": g["wx_products"].sum() / g["w_products"].sum().where(g["w_products"].sum() > 0),
        "hhi_destinations_vw": g["wx_destinations"].sum() / g["w_destinations"].sum().where(g["w_destinations"].sum() > 0),
    })
    ga = act.groupby(by, sort=True)
    agg = agg.join(pd.DataFrame({
        "n_products_mean": ga["n_products"].mean(), "n_destinations_mean": ga["n_destinations"].mean(),
        "hhi_products_fw": ga["hhi_products"].mean(), "hhi_destinations_fw": ga["hhi_destinations"].mean(),
    }))
    agg["entry_rate"] = _rate(agg["n_entries"], agg["n_firms"])
    agg["exit_rate"] = _rate(agg["n_exits"], agg["n_exits"] + agg["n_continuers"])
    agg.loc[agg.index.get_level_values("year") == ph.first, ["entry_rate", "exit_rate"]] = np.nan

    # survival of the base-year cohort, years base..last, by base-year attributes
    yrs = np.arange(ph.base, ph.last + 1)
    ex = fs["exit_year"].astype("float64").to_numpy()
    surv = pd.DataFrame({
        **{k: np.repeat(fs[k].to_numpy(), len(yrs)) for k in keys},
        "year": np.tile(yrs, len(fs)),
        "alive": (np.isnan(np.repeat(ex, len(yrs))) | (np.repeat(ex, len(yrs)) > np.tile(yrs, len(fs)))).astype("int64"),
        "w": np.repeat(fs["exports_base"].to_numpy(), len(yrs)),
    })
    surv["wa"] = surv["w"] * surv["alive"]
    gs = surv.groupby(by, sort=True)
    sv = pd.DataFrame({"cohort_firms": gs.size(), "cohort_survivors": gs["alive"].sum(),
                       "w": gs["w"].sum(), "wa": gs["wa"].sum()})
    sv["survival_rate_fw"] = sv["cohort_survivors"] / sv["cohort_firms"]
    sv["survival_rate_vw"] = sv["wa"] / sv["w"]
    agg = agg.join(sv.drop(columns=["w", "wa"]), how="outer")
    for c in ("n_firms", "n_entries", "n_exits", "n_continuers", "cohort_firms", "cohort_survivors"):
        agg[c] = agg[c].fillna(0).astype("int64")
    agg["exports"] = agg["exports"].fillna(0.0)
    out = agg.reset_index()
    return out[[*keys, *AGGREGATE_YEAR_COLUMNS]].sort_values(by).reset_index(drop=True)


def _shock_aggregate_pd(fs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    groups = fs.groupby(keys, sort=True) if keys else [((), fs)]
    for key, sub in groups:
        key = key if isinstance(key, tuple) else (key,)
        eb, es, er = (sub[c].to_numpy() for c in ("exports_base", "exports_shock", "exports_recovery"))
        alive_s = es > 0
        row = dict(zip(keys, key, strict=True))
        row.update({
            "cohort_firms": len(sub), "exports_base": eb.sum(), "exports_shock": es.sum(), "exports_recovery": er.sum(),
            "survival_shock_fw": sub["survived_shock"].mean(), "survival_shock_vw": weighted_mean(sub["survived_shock"], eb),
            "survival_recovery_fw": sub["survived_recovery"].mean(),
            "survival_recovery_vw": weighted_mean(sub["survived_recovery"], eb),
            "growth_contraction": (es.sum() - eb.sum()) / eb.sum(),
            "growth_recovery": (er[alive_s].sum() - es[alive_s].sum()) / es[alive_s].sum() if alive_s.any() else np.nan,
        })
        for m, wcol in (("resistance_national", "exports_base"), ("recovery_national", "exports_shock"),
                        ("resistance_industry", "exports_base"), ("recovery_industry", "exports_shock")):
            x = sub[m].to_numpy(dtype=float)
            row[f"{m}_fw"] = float(np.nanmean(x)) if (~np.isnan(x)).any() else np.nan
            row[f"{m}_vw"] = weighted_mean(x, sub[wcol].to_numpy())
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*keys, *SHOCK_AGGREGATE_COLUMNS])
    out["cohort_firms"] = out["cohort_firms"].astype("int64")
    return out.reset_index(drop=True)


def build_notes(multi_p: int, multi_i: int, bench: pd.DataFrame, report: ValidationReport, spec: FirmMeasureSpec) -> list[str]:
    """Notes shared by both implementations: dropped rows, firm-years with several provinces or
    industries (``multi_p``, ``multi_i``), unusable benchmarks."""
    notes = []
    if report.rows_invalid:
        parts = ", ".join(f"{k} {n:,}" for k, n in report.invalid.items() if n)
        notes.append(f"{report.rows_invalid:,} of {report.rows_read:,} rows had invalid values and were left out "
                     f"(invalid='drop'): {parts}.")
    if multi_p:
        notes.append(f"{multi_p:,} firm-years report exports from more than one province; each is attributed to the "
                     "province with the largest export value that year.")
    if multi_i:
        notes.append(f"{multi_i:,} firm-years report more than one industry; each is attributed to the industry with "
                     "the largest export value that year.")
    notes += benchmark_notes(bench, spec)
    return notes


def benchmark_notes(bench: pd.DataFrame, spec: FirmMeasureSpec) -> list[str]:
    """Benchmarks too close to zero growth (their indices are left missing)."""
    notes = []
    thr = spec.min_abs_benchmark_growth
    for phase in ("contraction", "recovery"):
        bad = bench[~bench[f"usable_{phase}"].astype(bool)]
        if len(bad):
            labels = ["national" if r["scope"] == "national" else f"industry {r['industry']}" for _, r in bad.iterrows()]
            notes.append(f"Benchmark growth over the {phase} is below {thr:.1%} in absolute value (or undefined) for "
                         f"{', '.join(labels[:15])}{' ...' if len(labels) > 15 else ''}: the {phase} indices against "
                         "them are left missing (the ratio would explode).")
    return notes
