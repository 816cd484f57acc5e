"""Panel econometrics on pyfixest and publication tables.

pyfixest is imported lazily inside the estimators, so importing this package is cheap.
"""

from exportlens.econometrics.descriptive import DescriptiveTable, describe
from exportlens.econometrics.iv import (
    STOCK_YOGO_IV_SIZE,
    FirstStageResult,
    IVResult,
    fit_iv,
    iv_tables,
    kp_rank_test,
    mop_critical_value,
    stock_yogo_critical_values,
)
from exportlens.econometrics.labels import TERMS, VariableLabels, fe_label, label_for, term
from exportlens.econometrics.mediation import (
    MEDIATION_ASSUMPTIONS,
    MediationEffect,
    MediationResult,
    mediation,
    mediation_tables,
    sobel_test,
)
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
from exportlens.econometrics.robustness import (
    Specification,
    SpecificationResults,
    robustness_table,
    run_specifications,
)
from exportlens.econometrics.tables import (
    FORMATS,
    Grid,
    RegressionTable,
    export_grid,
    format_number,
    star_string,
)
from exportlens.econometrics.threshold import (
    ThresholdResult,
    lr_critical_value,
    threshold_regression,
    threshold_ssr_grid,
    threshold_tables,
)

__all__ = [
    "FORMATS",
    "MEDIATION_ASSUMPTIONS",
    "STOCK_YOGO_IV_SIZE",
    "TERMS",
    "VCOV_TYPES",
    "DescriptiveTable",
    "DroppedRowsWarning",
    "FirstStageResult",
    "Grid",
    "IVResult",
    "MediationEffect",
    "MediationResult",
    "MissingDependencyError",
    "ModelResult",
    "ModerationResult",
    "RegressionTable",
    "Specification",
    "SpecificationResults",
    "ThresholdResult",
    "VariableLabels",
    "centring_note",
    "describe",
    "export_grid",
    "fe_label",
    "fit_iv",
    "fit_panel",
    "format_number",
    "group_interactions",
    "heterogeneity",
    "iv_tables",
    "kp_rank_test",
    "label_for",
    "lag_within",
    "lagged_robustness",
    "lr_critical_value",
    "mediation",
    "mediation_tables",
    "moderation",
    "moderation_pair",
    "mop_critical_value",
    "robustness_table",
    "run_specifications",
    "sobel_test",
    "star_string",
    "stepwise",
    "stock_yogo_critical_values",
    "term",
    "threshold_regression",
    "threshold_ssr_grid",
    "threshold_tables",
]
