"""Coupling coordination degree: hand-computed cases, straightforward re-implementations,
band edges and bad input."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import InputError, MissingColumnError
from exportlens.measures.coupling import (
    COORDINATION_BANDS,
    COUPLING_STAGES,
    SYNCHRONOUS,
    classify_coordination,
    classify_coupling,
    comprehensive_index,
    coordination_degree,
    coupling_coordination,
    coupling_degree,
    lagging_subsystem,
)

# --- straightforward implementations, written from the formulas ----------------------------


def standard_c(u: list[float]) -> float:
    n = len(u)
    return n * math.prod(u) ** (1 / n) / sum(u)


def corrected_c(u: list[float]) -> float:
    """Wang Shujia et al. (2021): √{[1 − Σ_{i<j}|U_i − U_j| / (n(n−1)/2)] · [Π U_i/max U]^(1/(n−1))}."""
    n = len(u)
    pairs = list(itertools.combinations(u, 2))
    gap = sum(abs(a - b) for a, b in pairs) / len(pairs)
    top = max(u)
    ratio = math.prod(x / top for x in u)
    return math.sqrt((1 - gap) * ratio ** (1 / (n - 1)))


# --- hand-computed cases ---------------------------------------------------------------------


def test_two_system_hand_computed():
    # C = 2√(0.2·0.8)/(0.2+0.8) = 2·0.4/1 = 0.8; T = 0.5; D = √0.4
    assert coupling_degree([0.2, 0.8]) == pytest.approx(0.8, abs=1e-15)
    assert comprehensive_index([0.2, 0.8]) == pytest.approx(0.5, abs=1e-15)
    assert coordination_degree([0.2, 0.8]) == pytest.approx(math.sqrt(0.4), abs=1e-15)
    assert coordination_degree([0.2, 0.8]) == pytest.approx(0.632, abs=5e-4)


def test_corrected_two_system_hand_computed():
    # √[(1 − |0.2 − 0.8|)·0.2/0.8] = √(0.4·0.25) = √0.1
    assert coupling_degree([0.2, 0.8], method="corrected") == pytest.approx(math.sqrt(0.1), abs=1e-15)
    assert coordination_degree([0.2, 0.8], method="corrected") == pytest.approx(math.sqrt(math.sqrt(0.1) * 0.5), abs=1e-15)
    # order of the subsystems does not matter
    assert coupling_degree([0.8, 0.2], method="corrected") == pytest.approx(math.sqrt(0.1), abs=1e-15)


def test_weighted_comprehensive_index():
    assert comprehensive_index([0.2, 0.8], [0.3, 0.7]) == pytest.approx(0.3 * 0.2 + 0.7 * 0.8)
    assert coordination_degree([0.2, 0.8], [0.3, 0.7]) == pytest.approx(math.sqrt(0.8 * 0.62))
    frame = pd.DataFrame({"a": [0.2], "b": [0.8]})
    assert comprehensive_index(frame, {"b": 0.7, "a": 0.3})[0] == pytest.approx(0.62)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_standard_matches_straightforward_formula(n):
    rng = np.random.default_rng(n)
    U = rng.uniform(0.01, 1.0, (200, n))
    ours = coupling_degree(U)
    np.testing.assert_allclose(ours, [standard_c(list(row)) for row in U], rtol=1e-12)
    if n == 2:
        np.testing.assert_allclose(ours, 2 * np.sqrt(U[:, 0] * U[:, 1]) / U.sum(axis=1), rtol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_corrected_matches_straightforward_formula(n):
    rng = np.random.default_rng(10 + n)
    U = rng.uniform(0.0, 1.0, (200, n))
    U[:5, 0] = 0.0  # a zero subsystem gives C = 0
    ours = coupling_degree(U, method="corrected")
    np.testing.assert_allclose(ours, [corrected_c(list(row)) for row in U], rtol=1e-12, atol=1e-15)
    assert (ours[:5] == 0).all()
    if n == 2:
        lo, hi = U.min(axis=1), U.max(axis=1)
        np.testing.assert_allclose(ours, np.sqrt((1 - np.abs(U[:, 0] - U[:, 1])) * lo / hi), rtol=1e-12)


@pytest.mark.parametrize("method", ["standard", "corrected"])
def test_coupling_properties(method):
    rng = np.random.default_rng(3)
    for n in (2, 3, 4):
        equal = np.full((4, n), [[0.1], [0.4], [0.7], [1.0]])
        np.testing.assert_allclose(coupling_degree(equal, method), 1.0, rtol=0, atol=1e-15)
        U = rng.uniform(0, 1, (500, n))
        c = coupling_degree(U, method)
        assert ((c >= 0) & (c <= 1)).all()
        perm = U[:, rng.permutation(n)]
        np.testing.assert_allclose(coupling_degree(perm, method), c, rtol=1e-12)
    assert coupling_degree([0.0, 0.5], method) == 0.0
    assert coordination_degree([0.0, 0.5], method=method) == 0.0


def test_standard_form_is_not_the_common_mistakes():
    # Dropping the factor n caps C at 1/n; the pairwise-sum 3-system form exceeds 1.
    u2 = [0.6, 0.6]
    assert math.sqrt(u2[0] * u2[1]) / sum(u2) == pytest.approx(0.5)
    assert coupling_degree(u2) == pytest.approx(1.0)
    u3 = [0.4, 0.4, 0.4]
    wrong = 3 * (math.prod(u3) / ((u3[0] + u3[1]) * (u3[1] + u3[2]) * (u3[0] + u3[2]))) ** (1 / 3)
    assert wrong == pytest.approx(1.5)
    assert coupling_degree(u3) == pytest.approx(1.0)


def test_corrected_spreads_where_standard_saturates():
    # standard C depends only on min/max; the corrected one also on the absolute gap
    assert coupling_degree([0.01, 0.04]) == pytest.approx(coupling_degree([0.2, 0.8]))
    assert coupling_degree([0.01, 0.04], "corrected") > coupling_degree([0.2, 0.8], "corrected")
    # r = 0.25 is already "high-level coupling" for the standard C (2√r/(1+r) = 0.8)
    assert coupling_degree([0.25, 1.0]) == pytest.approx(0.8)


# --- bands and stages -------------------------------------------------------------------------


def test_band_tables():
    assert [b.name_zh for b in COORDINATION_BANDS] == [
        "极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调",
        "勉强协调", "初级协调", "中级协调", "良好协调", "优质协调",
    ]
    assert [b.level for b in COORDINATION_BANDS] == list(range(1, 11))
    assert COORDINATION_BANDS[5].interval() == "[0.5, 0.6)"
    assert COORDINATION_BANDS[-1].interval() == "[0.9, 1]"
    assert all(b.name_en for b in COORDINATION_BANDS)
    assert [b.name_en for b in COUPLING_STAGES] == ["Low-level coupling", "Antagonism", "Running-in", "High-level coupling"]
    assert [b.interval() for b in COUPLING_STAGES] == ["[0, 0.3]", "(0.3, 0.5]", "(0.5, 0.8]", "(0.8, 1]"]


def test_coordination_bands_at_their_edges():
    for b in COORDINATION_BANDS:
        assert classify_coordination(b.lower) == b.level, b  # closed on the left
        assert classify_coordination(b.upper - 1e-6) == b.level, b
        if b.level < 10:
            assert classify_coordination(b.upper) == b.level + 1, b  # open on the right
    assert classify_coordination(1.0) == 10
    assert classify_coordination(1.0, "zh") == "优质协调"
    assert classify_coordination(0.0, "en") == "Extreme imbalance"
    assert classify_coordination(0.5, "zh") == "勉强协调"
    assert classify_coordination(0.6, "zh") == "初级协调"
    assert classify_coordination(0.5999, "zh") == "勉强协调"
    # floating-point: D computed as 0.6 by √(C·T) but stored a hair below counts as 0.6
    assert classify_coordination(np.nextafter(0.6, 0)) == 7
    assert classify_coordination(0.6 - 1e-7) == 6


def test_coupling_stages_at_their_edges():
    cases = {0.0: 1, 0.3: 1, 0.3 + 1e-6: 2, 0.5: 2, 0.5 + 1e-6: 3, 0.8: 3, 0.8 + 1e-6: 4, 1.0: 4}
    for c, level in cases.items():
        assert classify_coupling(c) == level, c
    assert classify_coupling(np.nextafter(0.8, 1)) == 3  # rounding above an edge stays on the edge
    assert classify_coupling(0.8, "zh") == "磨合"
    assert classify_coupling(0.81, "zh") == "高水平耦合"
    assert classify_coupling(0.2, "en") == "Low-level coupling"


def test_classification_agrees_with_band_intervals():
    grid = np.round(np.arange(0, 1.0001, 0.0125), 4)
    for v in grid:
        (band,) = [b for b in COORDINATION_BANDS if b.contains(v)]
        assert classify_coordination(v) == band.level
        (stage,) = [b for b in COUPLING_STAGES if b.contains(v)]
        assert classify_coupling(v) == stage.level
    np.testing.assert_array_equal(classify_coordination(np.array([0.05, 0.95])), [1, 10])


def test_classification_rejects_out_of_range():
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        classify_coordination(1.2)
    with pytest.raises(InputError):
        classify_coupling(float("nan"))
    with pytest.raises(InputError, match="lang"):
        classify_coordination(0.5, "fr")


# --- relative development ----------------------------------------------------------------------


def test_lagging_subsystem():
    assert lagging_subsystem([0.2, 0.8]) == "U1"
    assert lagging_subsystem([0.8, 0.2], ["ecommerce", "clusters"]) == "clusters"
    assert lagging_subsystem([0.95, 1.0]) == SYNCHRONOUS  # ratio 0.95 > 0.9
    assert lagging_subsystem([0.9, 1.0]) == "U1"  # ratio exactly 0.9: not synchronous
    assert lagging_subsystem([0.9, 1.0], sync_ratio=0.85) == SYNCHRONOUS
    assert lagging_subsystem([0.3, 0.3, 0.9]) == "U1/U2"  # tie
    out = lagging_subsystem(np.array([[0.1, 0.5], [0.5, 0.1], [0.5, 0.5]]), ["a", "b"])
    assert list(out) == ["a", "b", SYNCHRONOUS]
    with pytest.raises(InputError, match="sync_ratio"):
        lagging_subsystem([0.2, 0.8], sync_ratio=1.0)
    with pytest.raises(InputError, match="synchronous"):
        lagging_subsystem([0.2, 0.8], ["synchronous", "b"])


# --- frame-level result ---------------------------------------------------------------------


@pytest.fixture()
def frame():
    return pd.DataFrame({
        "province": ["北京", "上海", "河南", "甘肃"],
        "year": [2020, 2020, 2020, 2020],
        "u1": [0.2, 0.5, 0.9, 0.055],
        "u2": [0.8, 0.5, 0.3, 0.06],
    })


def test_coupling_coordination_frame(frame):
    res = coupling_coordination(frame, ["u1", "u2"], keys=["province", "year"])
    v = res.to_frame()
    assert list(v.columns[:4]) == ["province", "year", "u1", "u2"]
    for col in ("C", "T", "D", "band", "band_zh", "band_en", "stage", "stage_zh", "stage_en", "ratio", "lagging"):
        assert col in v.columns
    u1, u2 = frame["u1"].to_numpy(), frame["u2"].to_numpy()
    c = 2 * np.sqrt(u1 * u2) / (u1 + u2)
    np.testing.assert_allclose(v["C"], c, rtol=1e-12)
    np.testing.assert_allclose(v["T"], (u1 + u2) / 2, rtol=1e-12)
    np.testing.assert_allclose(v["D"], np.sqrt(c * (u1 + u2) / 2), rtol=1e-12)
    assert v.loc[0, "band_zh"] == "初级协调" and v.loc[0, "band_en"] == "Primary coordination"  # D = 0.632
    assert v.loc[0, "stage_zh"] == "磨合"  # C = 0.8 belongs to (0.5, 0.8]
    assert list(v["lagging"]) == ["u1", SYNCHRONOUS, "u2", SYNCHRONOUS]
    assert v.index.equals(frame.index)
    counts = res.band_counts()
    assert counts["n"].sum() == 4 and len(counts) == 10
    by = res.band_counts(by="year", lang="en")
    assert by.loc[2020].sum() == 4 and by.columns[0] == "Extreme imbalance"
    text = res.summary()
    assert "standard" in text and "Primary coordination" in text
    assert res.weights.to_dict() == {"u1": 0.5, "u2": 0.5}


def test_coupling_coordination_corrected_and_weights(frame):
    res = coupling_coordination(frame, ["u1", "u2"], weights=[0.4, 0.6], method="corrected")
    v = res.to_frame()
    expected_c = [corrected_c([a, b]) for a, b in zip(frame["u1"], frame["u2"], strict=True)]
    np.testing.assert_allclose(v["C"], expected_c, rtol=1e-12)
    np.testing.assert_allclose(v["T"], 0.4 * frame["u1"] + 0.6 * frame["u2"], rtol=1e-12)
    assert res.method == "corrected"


def test_rounding_above_one_is_clipped_but_real_excess_raises(frame):
    f = frame.copy()
    f.loc[2, "u1"] = 1 + 1e-14
    assert coupling_coordination(f, ["u1", "u2"]).to_frame().loc[2, "u1"] == 1.0
    f.loc[2, "u1"] = 1.0001
    with pytest.raises(InputError, match=r"河南 2020 = 1\.0001"):
        coupling_coordination(f, ["u1", "u2"], keys=["province", "year"])


def test_bad_input_names_the_rows(frame):
    f = frame.copy()
    f.loc[1, "u2"] = -0.2
    with pytest.raises(InputError, match=r"u2: 上海 2020 = -0\.2"):
        coupling_coordination(f, ["u1", "u2"], keys=["province", "year"])
    f = frame.copy()
    f.loc[3, "u1"] = np.nan
    with pytest.raises(InputError, match=r"missing values.*u1: 甘肃 2020"):
        coupling_coordination(f, ["u1", "u2"], keys=["province", "year"])
    f = frame.copy()
    f.loc[0, ["u1", "u2"]] = 0.0
    with pytest.raises(InputError, match=r"Every subsystem index is 0 in 北京 2020"):
        coupling_coordination(f, ["u1", "u2"], keys=["province", "year"])
    f = frame.assign(u2=0.0)
    with pytest.raises(InputError, match=r"\['u2'\] are 0 in every observation"):
        coupling_coordination(f, ["u1", "u2"])
    with pytest.raises(MissingColumnError, match="u3"):
        coupling_coordination(frame, ["u1", "u3"])
    with pytest.raises(InputError, match="sum to 1"):
        coupling_coordination(frame, ["u1", "u2"], weights=[0.5, 0.6])
    with pytest.raises(InputError, match="method"):
        coupling_coordination(frame, ["u1", "u2"], method="modified")
    with pytest.raises(InputError, match="at least two"):
        coupling_degree([[0.5], [0.2]])
    with pytest.raises(InputError, match="non-numeric"):
        coupling_coordination(frame.assign(u1=["a", 0.1, 0.2, 0.3]), ["u1", "u2"])
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        coupling_degree([1.5, 0.2])
    with pytest.raises(InputError, match="0/0"):
        coupling_degree([0.0, 0.0])
