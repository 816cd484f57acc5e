"""Spatial spillovers: weights matrices, Moran's I / LISA, and spatial panel models (SAR, SEM, SDM).

References: Anselin (1988); Anselin (1995); LeSage and Pace (2009); Lee and Yu (2010);
Elhorst (2014). See the module docstrings for formulas.
"""

from exportlens.spatial.contiguity import LAND_BORDERS
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
    "LocalMoranResult",
    "MoranResult",
    "MoranStatistic",
    "PanelArrays",
    "SpatialWeights",
    "contiguity_weights",
    "economic_distance_weights",
    "from_libpysal",
    "from_matrix",
    "inverse_distance_weights",
    "knn_weights",
    "local_moran",
    "local_moran_panel",
    "moran_by_period",
    "moran_i",
    "nested_weights",
    "panel_arrays",
    "to_libpysal",
]
