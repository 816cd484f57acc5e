"""Panel econometrics on pyfixest: estimators, results, descriptive statistics, labels.

pyfixest is imported lazily inside the estimators, so importing this package is cheap.
Tables are rendered one layer up, in :mod:`exportlens.report` (``RegressionTable``,
``DescriptiveTable``).
"""

from exportlens.econometrics.constant import fe_constant
from exportlens.econometrics.descriptive import STAT_COLUMNS, describe
from exportlens.econometrics.labels import TERMS, VariableLabels, fe_label, label_for, term
from exportlens.econometrics.panel import (
    VCOV_TYPES,
    DroppedRowsWarning,
    MissingDependencyError,
    ModerationResult,
    centring_note,
    fit_panel,
    group_interactions,
    heterogeneity,
    lag_within,
    lagged_robustness,
    moderation,
    moderation_pair,
    stepwise,
)
from exportlens.econometrics.results import ModelResult

__all__ = [
    "STAT_COLUMNS",
    "TERMS",
    "VCOV_TYPES",
    "DroppedRowsWarning",
    "MissingDependencyError",
    "ModelResult",
    "ModerationResult",
    "VariableLabels",
    "centring_note",
    "describe",
    "fe_constant",
    "fe_label",
    "fit_panel",
    "group_interactions",
    "heterogeneity",
    "label_for",
    "lag_within",
    "lagged_robustness",
    "moderation",
    "moderation_pair",
    "stepwise",
    "term",
]
