"""Firm-level export resilience from customs transactions, at any scale.

- :mod:`exportlens.firms.io`: reading CSV/Parquet folders, column mapping, row validation
  with per-reason counts (:class:`ColumnMap`, :class:`ValidationReport`).
- :mod:`exportlens.firms.measures`: formulas and references (DHS growth, survival,
  Lagravinese resistance/recovery against the nation or the industry, product and
  destination diversification), aggregation weights, and the pandas reference
  implementation :func:`firm_measures_pandas`.
- :mod:`exportlens.firms.pipeline`: the same measures written once in Ibis
  (:func:`firm_pipeline`), out of core on DuckDB (:func:`connect_duckdb`) or on Spark.

The study that writes tables, figures and a manifest is
:mod:`exportlens.studies.firm_resilience`; synthetic transactions come from
:mod:`exportlens.data.demo_firms`.
"""

from exportlens.firms.io import (
    REASONS,
    ColumnMap,
    InvalidRowsError,
    ValidationReport,
    open_transactions,
)
from exportlens.firms.measures import (
    FirmMeasures,
    FirmMeasureSpec,
    dhs_growth_rate,
    firm_measures_pandas,
    herfindahl,
    relative_growth_index,
    weighted_mean,
)
from exportlens.firms.pipeline import connect_duckdb, firm_pipeline

__all__ = [
    "REASONS",
    "ColumnMap",
    "FirmMeasureSpec",
    "FirmMeasures",
    "InvalidRowsError",
    "ValidationReport",
    "connect_duckdb",
    "dhs_growth_rate",
    "firm_measures_pandas",
    "firm_pipeline",
    "herfindahl",
    "open_transactions",
    "relative_growth_index",
    "weighted_mean",
]
