"""Moran's I and LISA against esda under one seed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.regions import province_codes
from exportlens.spatial import (
    contiguity_weights,
    knn_weights,
    local_moran,
    local_moran_panel,
    moran_by_period,
    moran_i,
    to_libpysal,
)

esda = pytest.importorskip("esda")


def _spatial_variable(w, seed=3, rho=0.6):
    rng = np.random.default_rng(seed)
    e = rng.normal(size=w.n)
    return np.linalg.solve(np.eye(w.n) - rho * w.dense(), e)


@pytest.mark.parametrize("make_w", [lambda: contiguity_weights(), lambda: knn_weights(4)])
def test_global_moran_equals_esda(make_w):
    w = make_w()
    y = _spatial_variable(w)
    ours = moran_i(y, w, permutations=499, seed=12345)
    np.random.seed(12345)
    ref = esda.Moran(y, to_libpysal(w), permutations=499)
    assert ours.I == pytest.approx(ref.I, rel=1e-12)
    assert ours.EI == pytest.approx(ref.EI)
    assert ours.VI_norm == pytest.approx(ref.VI_norm, rel=1e-10)
    assert ours.z_norm == pytest.approx(ref.z_norm, rel=1e-10)
    assert ours.p_norm == pytest.approx(ref.p_norm, rel=1e-10)
    # same permutation stream -> identical pseudo p-value and reference distribution
    assert ours.p_sim == ref.p_sim
    assert ours.EI_sim == pytest.approx(ref.EI_sim, rel=1e-10)
    assert ours.seI_sim == pytest.approx(ref.seI_sim, rel=1e-10)


def test_local_moran_statistics_equal_esda():
    w = knn_weights(5)
    y = _spatial_variable(w, seed=4)
    ref = esda.Moran_Local(y, to_libpysal(w), permutations=0)
    ours = local_moran(y, w, permutations=0).frame
    assert np.allclose(ours["I_i"], ref.Is, rtol=1e-12)
    assert np.array_equal(ours["quadrant"].to_numpy(), ref.q)
    assert (ours["cluster"] == "ns").all()  # no inference without permutations


@pytest.mark.slow  # esda's conditional randomisation is numba-compiled on first use (~25 s)
def test_local_moran_equals_esda_with_shared_draws():
    from esda.crand import vec_permutations

    w = contiguity_weights()
    y = _spatial_variable(w, seed=8)
    ref = esda.Moran_Local(y, to_libpysal(w), permutations=999, seed=7, n_jobs=1)
    ids = vec_permutations(int(w.cardinalities().max()), w.n, 999, 7)
    ours = local_moran(y, w, permutations=999, permutation_ids=ids).frame
    assert np.allclose(ours["I_i"], ref.Is, rtol=1e-12)
    assert np.array_equal(ours["quadrant"].to_numpy(), ref.q)
    # same draws: identical p-values (float rounding could flip a tie; allow none)
    assert np.allclose(ours["p_sim"].to_numpy(), ref.p_sim)
    # labels follow esda's get_cluster_labels convention
    labels = ref.get_cluster_labels(0.05)
    assert list(ours["cluster"].replace({"ns": "Insignificant"})) == [
        {"High-High": "HH", "Low-High": "LH", "Low-Low": "LL", "High-Low": "HL"}.get(x, x) for x in labels
    ]


@pytest.mark.slow
def test_local_moran_own_draws_agree_within_monte_carlo_error():
    w = contiguity_weights()
    y = _spatial_variable(w, seed=8)
    ref = esda.Moran_Local(y, to_libpysal(w), permutations=9999, seed=1, n_jobs=1)
    ours = local_moran(y, w, permutations=9999, seed=2).frame["p_sim"].to_numpy()
    # independent draws: binomial Monte Carlo error sd <= sqrt(0.25/9999) = 0.005; allow 5 sd
    assert np.max(np.abs(ours - ref.p_sim)) < 0.025


def test_moran_by_period_and_lisa_panel():
    w = contiguity_weights()
    rows = []
    for k, year in enumerate([2020, 2021, 2022]):
        y = _spatial_variable(w, seed=k)
        rows += [{"province": c, "year": year, "v": v} for c, v in zip(province_codes(), y, strict=True)]
    panel = pd.DataFrame(rows)
    res = moran_by_period(panel, "v", w, region="province", permutations=99, seed=5)
    assert list(res.frame.index) == [2020, 2021, 2022]
    assert res.frame.loc[2021, "I"] == pytest.approx(moran_i(_spatial_variable(w, seed=1), w, permutations=0).I)
    assert "Moran" in res.summary()
    lisa = local_moran_panel(panel, "v", w, 2022, region="province", permutations=99)
    assert set(lisa.frame["cluster"]) <= {"HH", "LH", "LL", "HL", "ns"}
    assert len(lisa.clusters()) == 31
