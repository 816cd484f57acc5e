"""Spatial spillovers: weights matrices, Moran's I / LISA, and spatial panel models (SAR, SEM, SDM).

References: Anselin (1988); Anselin (1995); LeSage and Pace (2009); Lee and Yu (2010);
Elhorst (2014). See the module docstrings for formulas.
"""

from exportlens.spatial.analysis import SpilloverAnalysis, spillover_analysis
from exportlens.spatial.contiguity import LAND_BORDERS
from exportlens.spatial.effects import EffectsResult, effects_point, simulate_effects
from exportlens.spatial.logdet import LogDeterminant, log_determinant
from exportlens.spatial.moran import (
    CLUSTER_LABELS,
    LocalMoranResult,
    MoranResult,
    MoranStatistic,
    local_moran,
    local_moran_panel,
    moran_by_period,
    moran_i,
)
from exportlens.spatial.panel_data import PanelArrays, panel_arrays
from exportlens.spatial.panel_models import (
    SpatialPanelResult,
    SpatialTests,
    demean_panel,
    effective_dimensions,
    fit_spatial_panel,
    fit_spatial_panel_arrays,
    spatial_lag,
    specification_tests,
)
from exportlens.spatial.weights import (
    SpatialWeights,
    contiguity_weights,
    economic_distance_weights,
    from_libpysal,
    from_matrix,
    inverse_distance_weights,
    knn_weights,
    nested_weights,
    to_libpysal,
)

__all__ = [
    "CLUSTER_LABELS",
    "LAND_BORDERS",
    "EffectsResult",
    "LocalMoranResult",
    "LogDeterminant",
    "MoranResult",
    "MoranStatistic",
    "PanelArrays",
    "SpatialPanelResult",
    "SpatialTests",
    "SpatialWeights",
    "SpilloverAnalysis",
    "contiguity_weights",
    "demean_panel",
    "economic_distance_weights",
    "effective_dimensions",
    "effects_point",
    "fit_spatial_panel",
    "fit_spatial_panel_arrays",
    "from_libpysal",
    "from_matrix",
    "inverse_distance_weights",
    "knn_weights",
    "local_moran",
    "local_moran_panel",
    "log_determinant",
    "moran_by_period",
    "moran_i",
    "nested_weights",
    "panel_arrays",
    "simulate_effects",
    "spatial_lag",
    "specification_tests",
    "spillover_analysis",
    "to_libpysal",
]
