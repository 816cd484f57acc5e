"""Balanced region x period arrays from a long panel, aligned with a weights matrix."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from exportlens.errors import (
    InputError,
    MissingColumnError,
    SpatialWeightsError,
    UnbalancedPanelError,
)
from exportlens.regions import province_codes, resolve_provinces
from exportlens.spatial.weights import SpatialWeights

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PanelArrays", "panel_arrays", "region_keys"]


def region_keys(values: pd.Series, weights: SpatialWeights) -> pd.Series:
    """Region identifiers of ``values`` in the vocabulary of ``weights``.

    When every region of W is a province code of the registry, names in any spelling are
    resolved to codes (``广东``, ``Guangdong`` and 440000 all match); otherwise (counties,
    cities) the values are matched as they are.
    """
    import pandas as pd

    provinces = set(province_codes(include_non_mainland=True))
    if all(isinstance(r, (int, np.integer)) and int(r) in provinces for r in weights.regions):
        return pd.Series(resolve_provinces(values, allow_non_mainland=True).astype(int).to_numpy(), index=values.index)
    return values


@dataclass(frozen=True)
class PanelArrays:
    """Variables of a balanced panel as (T, N) arrays, columns in the order of W's regions.

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import inverse_distance_weights, panel_arrays
    >>> df = load_resilience_demo()
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> pa = panel_arrays(df, ["vag"], w)
    >>> pa.regions == w.regions, round(float(pa.arrays["vag"][0, 0]), 4)
    (True, 4.1077)
    """

    regions: tuple[Hashable, ...]
    periods: tuple[Hashable, ...]
    arrays: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return len(self.regions)

    @property
    def t(self) -> int:
        return len(self.periods)


def panel_arrays(
    frame: pd.DataFrame,
    variables: Sequence[str],
    weights: SpatialWeights,
    *,
    region: str = "code",
    time: str = "year",
    allow_missing: bool = False,
) -> PanelArrays:
    """Reshape ``variables`` of a long panel to (T, N) arrays aligned with ``weights``.

    Raises :class:`MissingColumnError` for absent columns, :class:`SpatialWeightsError`
    when the regions of the data and of W differ, :class:`UnbalancedPanelError` when a
    region-period cell is absent or duplicated, and :class:`InputError` for missing or
    non-numeric values (unless ``allow_missing``: then NaN cells are kept for the caller to
    count).

    Examples
    --------
    >>> from exportlens.datasets import load_resilience_demo
    >>> from exportlens.spatial import inverse_distance_weights, panel_arrays
    >>> df = load_resilience_demo()
    >>> w = inverse_distance_weights(sorted(df["code"].unique()))
    >>> pa = panel_arrays(df, ["vag", "ln_gdp_pc"], w)
    >>> pa.t, pa.n, pa.arrays["vag"].shape, [int(p) for p in pa.periods[:2]]
    (14, 30, (14, 30), [2009, 2010])
    """
    import pandas as pd

    for col in (region, time, *variables):
        if col not in frame.columns:
            raise MissingColumnError(f"Column {col!r} is not in the panel; columns: {list(frame.columns)}.")
    keys = region_keys(frame[region], weights)
    data = pd.DataFrame({"_r": keys.to_numpy(), "_t": frame[time].to_numpy()})
    dup = data.duplicated(["_r", "_t"])
    if dup.any():
        first = data.loc[dup].iloc[0]
        raise UnbalancedPanelError(
            f"{int(dup.sum())} duplicated region-period row(s) (first: region {first['_r']!r}, {time} {first['_t']!r}); "
            "keep one row per region and period."
        )
    present = set(data["_r"])
    extra = sorted((r for r in present if r not in set(weights.regions)), key=str)
    if extra:
        raise SpatialWeightsError(
            f"{len(extra)} region(s) of the panel have no row in the weights ({extra[:10]}); "
            "build W for exactly the regions of the panel (or drop those regions)."
        )
    missing = [r for r in weights.regions if r not in present]
    if missing:
        raise UnbalancedPanelError(
            f"{len(missing)} region(s) of the weights have no row in the panel ({missing[:10]}); "
            "a spatial model needs every region of W in every period: subset W to the panel's regions (or fill the data)."
        )
    periods = sorted(data["_t"].unique())
    counts = data.groupby("_t").size()
    short = counts[counts != len(weights.regions)]
    if len(short):
        raise UnbalancedPanelError(
            f"The panel is unbalanced: {len(short)} period(s) do not have all {len(weights.regions)} regions "
            f"(e.g. {time} {short.index[0]!r} has {int(short.iloc[0])}); spatial panel models need a balanced panel."
        )
    arrays: dict[str, np.ndarray] = {}
    for v in variables:
        try:
            vals = pd.to_numeric(frame[v], errors="raise").to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"Column {v!r} has non-numeric values; convert them before the spatial analysis.") from None
        wide = (
            pd.DataFrame({"_r": data["_r"], "_t": data["_t"], "v": vals})
            .pivot(index="_t", columns="_r", values="v")
            .reindex(index=periods, columns=list(weights.regions))
        )
        arr = wide.to_numpy(dtype=float)
        if not allow_missing and np.isnan(arr).any():
            t_i, r_i = np.argwhere(np.isnan(arr))[0]
            raise InputError(
                f"Column {v!r} has {int(np.isnan(arr).sum())} missing value(s) (first: region {weights.regions[r_i]!r}, "
                f"{time} {periods[t_i]!r}); spatial models need complete data: impute or drop the region from W and the panel."
            )
        arrays[v] = arr
    return PanelArrays(tuple(weights.regions), tuple(periods), arrays)
