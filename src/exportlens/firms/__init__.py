"""Firm-level export resilience from customs transactions, at any scale.

- :mod:`exportlens.firms.io`: reading CSV/Parquet folders, column mapping, row validation
  with per-reason counts (:class:`ColumnMap`, :class:`ValidationReport`).
- :mod:`exportlens.firms.measures`: formulas and references (DHS growth, survival,
  Lagravinese resistance/recovery against the nation or the industry, product and
  destination diversification), aggregation weights, and the pandas reference
  implementation :func:`firm_measures_pandas`. The formulas themselves (DHS growth,
  Herfindahl, resistance/recovery) are the kernels of :mod:`exportlens.measures.kernels`.
- :mod:`exportlens.firms.pipeline`: the same measures written once in Ibis
  (:func:`firm_pipeline`), out of core on DuckDB (:func:`connect_duckdb`) or on Spark;
  its formula expressions (``dhs_growth_expr``, ``herfindahl_expr``,
  ``relative_growth_index_expr``) are tested equal to those kernels.

- :mod:`exportlens.firms.panel_join`: firm-year measures joined to a province-year panel
  (Vag, controls) on canonical province codes, out of core, with the join's coverage
  (:func:`~exportlens.firms.panel_join.join_province_panel`); the firm models on the joined
  table are in :mod:`exportlens.econometrics.firm_models`.

The study that writes tables, figures and a manifest is
:mod:`exportlens.studies.firm_resilience`; synthetic transactions come from
:mod:`exportlens.datasets.demo_firms`.
"""

from exportlens.firms.io import (
    REASONS,
    ColumnMap,
    InvalidRowsError,
    ValidationReport,
    clean_transactions,
    find_input_files,
    open_transactions,
    read_transactions_pandas,
    resolve_province_values,
    standardize,
    standardize_pandas,
    validate,
    validate_pandas,
)
from exportlens.firms.measures import (
    AGGREGATE_YEAR_COLUMNS,
    FIRM_SHOCK_COLUMNS,
    FIRM_YEAR_COLUMNS,
    SHOCK_AGGREGATE_COLUMNS,
    FirmMeasures,
    FirmMeasureSpec,
    Phases,
    check_consecutive_years,
    firm_measures_pandas,
    weighted_mean,
)
from exportlens.firms.pipeline import (
    PIPELINE_STEPS,
    connect_duckdb,
    dhs_growth_expr,
    firm_pipeline,
    herfindahl_expr,
    relative_growth_index_expr,
)

__all__ = [
    "AGGREGATE_YEAR_COLUMNS",
    "FIRM_SHOCK_COLUMNS",
    "FIRM_YEAR_COLUMNS",
    "PIPELINE_STEPS",
    "REASONS",
    "SHOCK_AGGREGATE_COLUMNS",
    "ColumnMap",
    "FirmMeasureSpec",
    "FirmMeasures",
    "InvalidRowsError",
    "Phases",
    "ValidationReport",
    "check_consecutive_years",
    "clean_transactions",
    "connect_duckdb",
    "dhs_growth_expr",
    "find_input_files",
    "firm_measures_pandas",
    "firm_pipeline",
    "herfindahl_expr",
    "open_transactions",
    "read_transactions_pandas",
    "relative_growth_index_expr",
    "resolve_province_values",
    "standardize",
    "standardize_pandas",
    "validate",
    "validate_pandas",
    "weighted_mean",
]
