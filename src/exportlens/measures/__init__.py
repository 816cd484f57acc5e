"""Regional measures: export resilience, virtual agglomeration, composite indices and AHP,
coupling coordination, cluster measures (each in its own module)."""

from exportlens.measures.agglomeration import (
    VirtualAgglomeration,
    location_quotient,
    neighbour_weight_share,
    virtual_agglomeration,
)
from exportlens.measures.ahp import AHPResult, ahp, pairwise_matrix
from exportlens.measures.composite import (
    composite_index,
    critic_weights,
    entropy_weights,
    sd_weights,
    standardise,
    topsis,
)
from exportlens.measures.coupling import coupling_coordination
from exportlens.measures.indicators import IndicatorSystem
from exportlens.measures.resilience import (
    ExpectedChangeResilience,
    NationalTotalMismatchWarning,
    NonPositiveValueWarning,
    Phase,
    PhaseResilience,
    PhaseSignWarning,
    ResilienceWarning,
    ResistanceRecovery,
    SensitivityIndex,
    SmallNationalGrowthWarning,
    detect_phases,
    dhs_growth,
    expected_change_resilience,
    national_exports,
    relative_log_growth,
    resistance_recovery,
    sensitivity_index,
)

__all__ = [
    "AHPResult",
    "ExpectedChangeResilience",
    "IndicatorSystem",
    "NationalTotalMismatchWarning",
    "NonPositiveValueWarning",
    "Phase",
    "PhaseResilience",
    "PhaseSignWarning",
    "ResilienceWarning",
    "ResistanceRecovery",
    "SensitivityIndex",
    "SmallNationalGrowthWarning",
    "VirtualAgglomeration",
    "ahp",
    "composite_index",
    "coupling_coordination",
    "critic_weights",
    "detect_phases",
    "dhs_growth",
    "entropy_weights",
    "expected_change_resilience",
    "location_quotient",
    "national_exports",
    "neighbour_weight_share",
    "pairwise_matrix",
    "relative_log_growth",
    "resistance_recovery",
    "sd_weights",
    "sensitivity_index",
    "standardise",
    "topsis",
    "virtual_agglomeration",
]
