"""Panel econometrics on pyfixest: estimators, results, descriptive statistics, labels.

pyfixest is imported lazily inside the estimators, so importing this package is cheap.
Tables are rendered one layer up, in :mod:`exportlens.report` (``RegressionTable``,
``DescriptiveTable``, and :mod:`exportlens.report.identification_tables` for the
instrument, mediation, threshold and robustness tables).
"""

from exportlens.econometrics.constant import fe_constant
from exportlens.econometrics.descriptive import STAT_COLUMNS, describe
from exportlens.econometrics.firm_models import (
    EXIT_MODELS,
    GROWTH_OUTCOMES,
    add_exit_variables,
    fit_exit,
    fit_firm_growth,
    fit_group_slopes,
    fit_shock_window,
    group_slope_terms,
)
from exportlens.econometrics.firm_survival import export_spells, fit_cox, kaplan_meier
from exportlens.econometrics.iv import (
    STOCK_YOGO_IV_SIZE,
    FirstStageResult,
    IVResult,
    fit_iv,
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
    run_specifications,
)
from exportlens.econometrics.threshold import (
    ThresholdResult,
    lr_critical_value,
    threshold_regression,
    threshold_ssr_grid,
)

__all__ = [
    "EXIT_MODELS",
    "GROWTH_OUTCOMES",
    "MEDIATION_ASSUMPTIONS",
    "STAT_COLUMNS",
    "STOCK_YOGO_IV_SIZE",
    "TERMS",
    "VCOV_TYPES",
    "DroppedRowsWarning",
    "FirstStageResult",
    "IVResult",
    "MediationEffect",
    "MediationResult",
    "MissingDependencyError",
    "ModelResult",
    "ModerationResult",
    "Specification",
    "SpecificationResults",
    "ThresholdResult",
    "VariableLabels",
    "add_exit_variables",
    "centring_note",
    "describe",
    "export_spells",
    "fe_constant",
    "fe_label",
    "fit_cox",
    "fit_exit",
    "fit_firm_growth",
    "fit_group_slopes",
    "fit_iv",
    "fit_panel",
    "fit_shock_window",
    "group_interactions",
    "group_slope_terms",
    "heterogeneity",
    "kaplan_meier",
    "kp_rank_test",
    "label_for",
    "lag_within",
    "lagged_robustness",
    "lr_critical_value",
    "mediation",
    "moderation",
    "moderation_pair",
    "mop_critical_value",
    "run_specifications",
    "sobel_test",
    "stepwise",
    "stock_yogo_critical_values",
    "term",
    "threshold_regression",
    "threshold_ssr_grid",
]
