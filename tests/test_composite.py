"""Tests of exportlens.measures.composite: standardisation, entropy/CRITIC/SD weights,
weighted scores, TOPSIS and the two-level composite index.

Independent references: hand computations written out in the tests (math.log loops),
scipy.stats.zscore, pymcdm (entropy, CRITIC, SD weights and TOPSIS where the methods
coincide), and invariances of the entropy method.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from pymcdm import normalizations as pn
from pymcdm import weights as pw
from pymcdm.methods import TOPSIS
from scipy import stats

from exportlens.errors import InputError, MissingColumnError, NonPositiveValueError
from exportlens.measures.composite import (
    ConstantColumnWarning,
    ConstantShiftWarning,
    composite_index,
    critic_weights,
    entropy_weights,
    entropy_weights_by,
    pooled_entropy_weights,
    sd_weights,
    standardise,
    topsis,
    weighted_score,
)
from exportlens.measures.indicators import IndicatorSystem


@pytest.fixture
def matrix() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        rng.lognormal(0.0, 0.8, size=(12, 4)) * [1.0, 10.0, 100.0, 0.5],
        columns=["a", "b", "c", "d"],
        index=[f"alt{i}" for i in range(12)],
    )


BENEFIT = dict.fromkeys("abcd", "benefit")


def _hand_entropy(x: np.ndarray) -> np.ndarray:
    """Entropy weights by explicit loops (the textbook recipe)."""
    n, m = x.shape
    d = []
    for j in range(m):
        total = sum(x[i, j] for i in range(n))
        e = 0.0
        for i in range(n):
            p = x[i, j] / total
            if p > 0:
                e -= p * math.log(p)
        d.append(1.0 - e / math.log(n))
    return np.array(d) / sum(d)


# --- standardise ------------------------------------------------------------------------


def test_minmax_benefit_and_cost_formulas(matrix):
    out = standardise(matrix, {"a": "benefit", "b": "cost", "c": "+", "d": "负向"}, shift=None)
    a, b = matrix["a"], matrix["b"]
    np.testing.assert_allclose(out["a"], (a - a.min()) / (a.max() - a.min()))
    np.testing.assert_allclose(out["b"], (b.max() - b) / (b.max() - b.min()))
    assert out.min().min() == 0.0 and out.max().max() == 1.0
    assert out.index.equals(matrix.index) and list(out.columns) == list(matrix.columns)


def test_zscore_uses_sample_sd_like_spss(matrix):
    out = standardise(matrix, {**BENEFIT, "d": "cost"}, method="zscore", shift=None)
    np.testing.assert_allclose(out["a"], stats.zscore(matrix["a"], ddof=1))
    np.testing.assert_allclose(out["d"], -stats.zscore(matrix["d"], ddof=1))


def test_shift_options(matrix):
    base = standardise(matrix, BENEFIT, shift=None)
    np.testing.assert_allclose(standardise(matrix, BENEFIT), base + 0.0001)  # documented default
    np.testing.assert_allclose(standardise(matrix, BENEFIT, shift=0.01), base + 0.01)
    resc = standardise(matrix, BENEFIT, shift="rescale", bounds=(0.002, 0.998))
    np.testing.assert_allclose(resc, 0.002 + 0.996 * base)
    np.testing.assert_allclose(standardise(matrix, BENEFIT, shift="rescale"), 0.01 + 0.98 * base)
    z = standardise(matrix, BENEFIT, method="zscore", shift=None)
    col = standardise(matrix, BENEFIT, method="zscore", shift="column", offset=0.5)
    np.testing.assert_allclose(col, z + z.min().abs() + 0.5)
    # "auto" on z-scores is the per-column shift with c = 0.0001
    np.testing.assert_allclose(standardise(matrix, BENEFIT, method="zscore"), z - z.min() + 0.0001)


def test_column_shift_of_zscores_ranks_like_minmax(matrix):
    zcol = standardise(matrix, BENEFIT, method="zscore", shift="column")
    mm = standardise(matrix, BENEFIT, shift=None)
    # (x - min)/s + c: a positive affine map of the min-max score in every column
    for c in matrix.columns:
        assert stats.pearsonr(zcol[c], mm[c]).statistic == pytest.approx(1.0)


def test_constant_shift_of_zscores_warns_and_flattens(matrix):
    with pytest.warns(ConstantShiftWarning, match="flattens"):
        big = standardise(matrix, BENEFIT, method="zscore", shift=100.0)
    w = entropy_weights(big).weights
    # the pitfall the warning is about: weights collapse towards 1/m
    assert np.abs(w - 0.25).max() < 0.001
    spread = entropy_weights(standardise(matrix, BENEFIT)).weights
    assert np.abs(spread - 0.25).max() > 0.02


def test_standardise_errors(matrix):
    with pytest.raises(InputError, match=r"No direction for indicator\(s\) \['d'\]"):
        standardise(matrix, {"a": "benefit", "b": "benefit", "c": "benefit"})
    with pytest.raises(InputError, match="Unknown direction 'up' of indicator 'a'"):
        standardise(matrix, {**BENEFIT, "a": "up"})
    flat = matrix.assign(b=3.0)
    with pytest.raises(InputError, match=r"Constant indicator column\(s\) \['b'\]"):
        standardise(flat, BENEFIT)
    out = standardise(flat, BENEFIT, constant="zero")
    assert (out["b"] == 0.0001).all()
    holes = matrix.copy()
    holes.loc["alt3", "c"] = np.nan
    with pytest.raises(InputError, match=r"\('alt3', 'c'\)"):
        standardise(holes, BENEFIT)
    with pytest.raises(InputError, match="at least 2"):
        standardise(matrix.iloc[:1], BENEFIT)
    with pytest.raises(InputError, match="bounds= is only used"):
        standardise(matrix, BENEFIT, bounds=(0, 1))
    with pytest.raises(InputError, match="Unknown shift"):
        standardise(matrix, BENEFIT, shift="log")
    with pytest.raises(InputError, match="Unknown standardisation method"):
        standardise(matrix, BENEFIT, method="rank")
    with pytest.raises(InputError, match="not numeric"):
        standardise(matrix.assign(a="x"), BENEFIT)


# --- entropy ------------------------------------------------------------------------------


def test_entropy_matches_hand_computation(matrix):
    res = entropy_weights(matrix)
    np.testing.assert_allclose(res.weights, _hand_entropy(matrix.to_numpy()), rtol=1e-12)
    assert res.weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(res.divergence, 1 - res.entropy)
    np.testing.assert_allclose(res.weights, res.divergence / res.divergence.sum())
    frame = res.to_frame()
    assert list(frame.columns) == ["entropy", "divergence", "weight"]
    assert "k = 1/ln n" in res.summary()


def test_entropy_small_worked_example():
    # 3 alternatives, 2 indicators, computed by hand:
    # col x: p = (1/6, 2/6, 3/6); col y: p = (1/3, 1/3, 1/3) -> e_y = 1, d_y = 0.
    data = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [5.0, 5.0, 5.0 + 1e-9]})
    e_x = -(1 / 6 * math.log(1 / 6) + 2 / 6 * math.log(2 / 6) + 3 / 6 * math.log(3 / 6)) / math.log(3)
    res = entropy_weights(data)
    assert res.entropy["x"] == pytest.approx(e_x, rel=1e-12)
    assert res.weights["x"] == pytest.approx(1.0, abs=1e-8)


def test_entropy_agrees_with_pymcdm_on_positive_data(matrix):
    np.testing.assert_allclose(entropy_weights(matrix).weights, pw.entropy_weights(matrix.to_numpy()), rtol=1e-10)


def test_zero_cells_use_the_limit_0_ln_0():
    # min-max puts a 0 in every column. exportlens uses the limit 0·ln 0 = 0; older pymcdm
    # releases set e_j = 0 (maximum weight) for such a column, the installed one refuses it.
    data = pd.DataFrame({"x": [0.0, 1.0, 1.0, 1.0, 1.0], "y": [1.0, 2.0, 3.0, 4.0, 5.0]})
    ours = entropy_weights(data).weights
    np.testing.assert_allclose(ours, _hand_entropy(data.to_numpy()), rtol=1e-12)
    assert 0.0 < ours["x"] < 1.0
    with pytest.raises(ValueError):
        pw.entropy_weights(data.to_numpy())


def test_entropy_invariances(matrix):
    w = entropy_weights(matrix).weights
    scaled = matrix * [3.0, 0.001, 1.0, 250.0]  # change of units: p_ij unchanged
    np.testing.assert_allclose(entropy_weights(scaled).weights, w, rtol=1e-12)
    permuted = matrix.sample(frac=1.0, random_state=3)  # order of alternatives is irrelevant
    np.testing.assert_allclose(entropy_weights(permuted).weights, w, rtol=1e-12)
    # standardised weights are invariant to positive affine transforms of a column
    ws = entropy_weights(standardise(matrix, BENEFIT)).weights
    moved = matrix.assign(a=matrix["a"] * 12.5 + 300.0)
    np.testing.assert_allclose(entropy_weights(standardise(moved, BENEFIT)).weights, ws, rtol=1e-12)


def test_entropy_errors(matrix):
    neg = matrix.copy()
    neg.loc["alt2", "b"] = -1.0
    with pytest.raises(NonPositiveValueError, match=r"\('alt2', 'b'\) = -1"):
        entropy_weights(neg)
    with pytest.raises(NonPositiveValueError):  # unshifted z-scores: sum 0, p undefined
        entropy_weights(standardise(matrix, BENEFIT, method="zscore", shift=None))
    with pytest.raises(InputError, match=r"constant indicator column\(s\) \['c'\]"):
        entropy_weights(matrix.assign(c=2.0))
    with pytest.raises(InputError, match="at least 2"):
        entropy_weights(matrix.iloc[:1])
    with pytest.raises(InputError, match="missing"):
        entropy_weights(matrix.assign(a=np.nan))


def test_entropy_constant_zero_policy(matrix):
    with pytest.warns(ConstantColumnWarning, match=r"\['c'\]"):
        res = entropy_weights(matrix.assign(c=0.0), constant="zero")
    assert res.weights["c"] == 0.0 and res.constant == ["c"]
    others = entropy_weights(matrix[["a", "b", "d"]]).weights
    np.testing.assert_allclose(res.weights[["a", "b", "d"]], others, rtol=1e-12)


def test_entropy_weights_by_group_equals_per_group_computation(matrix):
    data = matrix.assign(group=["g1"] * 6 + ["g2"] * 6)
    out = entropy_weights_by(data, "group", list("abcd"), directions={**BENEFIT, "b": "cost"})
    assert list(out.index) == ["g1", "g2"]
    for g, part in data.groupby("group"):
        std = standardise(part[list("abcd")], {**BENEFIT, "b": "cost"})
        np.testing.assert_allclose(out.loc[g], entropy_weights(std).weights, rtol=1e-12)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    raw = entropy_weights_by(data, ["group"], ["a", "b"])
    np.testing.assert_allclose(raw.loc["g1"], entropy_weights(matrix.iloc[:6][["a", "b"]]).weights)
    with pytest.raises(InputError, match="Group 'g2'"):
        entropy_weights_by(data.assign(a=np.where(data["group"] == "g2", 1.0, data["a"])), "group",
                           list("abcd"), directions=BENEFIT)
    with pytest.raises(MissingColumnError, match="grp"):
        entropy_weights_by(data, "grp", list("abcd"))


def test_pooled_entropy_is_one_vector_over_all_rows(matrix):
    panel = matrix.assign(year=[2018] * 6 + [2019] * 6)
    pooled = pooled_entropy_weights(panel, list("abcd"), BENEFIT)
    x = standardise(matrix, BENEFIT).to_numpy()
    np.testing.assert_allclose(pooled.weights, _hand_entropy(x), rtol=1e-12)
    assert pooled.n_alternatives == 12  # k = 1 / ln(T n)


# --- CRITIC, SD ---------------------------------------------------------------------------


def test_critic_by_hand_and_pymcdm(matrix):
    std = standardise(matrix, BENEFIT, shift=None)
    x = std.to_numpy()
    sd = x.std(axis=0, ddof=0)
    r = np.corrcoef(x.T)
    c = sd * (1 - r).sum(axis=0)
    np.testing.assert_allclose(critic_weights(std), c / c.sum(), rtol=1e-12)
    np.testing.assert_allclose(critic_weights(std), pw.critic_weights(matrix.to_numpy()), rtol=1e-10)
    with pytest.raises(InputError, match=r"constant column\(s\) \['a'\]"):
        critic_weights(std.assign(a=0.5))


def test_sd_weights(matrix):
    std = standardise(matrix, BENEFIT)
    sd = std.std()
    np.testing.assert_allclose(sd_weights(std), sd / sd.sum())
    np.testing.assert_allclose(sd_weights(std), pw.standard_deviation_weights(std.to_numpy()))
    with pytest.raises(InputError, match="every column is constant"):
        sd_weights(pd.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}))


# --- scores ---------------------------------------------------------------------------------


def test_weighted_score_and_alignment(matrix):
    std = standardise(matrix, BENEFIT)
    w = pd.Series({"d": 0.1, "c": 0.2, "b": 0.3, "a": 0.4})  # any order: aligned by name
    expected = 0.4 * std["a"] + 0.3 * std["b"] + 0.2 * std["c"] + 0.1 * std["d"]
    np.testing.assert_allclose(weighted_score(std, w), expected)
    with pytest.raises(InputError, match=r"without a weight: \['d'\]"):
        weighted_score(std, w.drop("d"))
    with pytest.raises(InputError, match="non-negative"):
        weighted_score(std, w.replace(0.1, -0.1))


def test_topsis_against_hand_and_pymcdm(matrix):
    w = pd.Series([0.4, 0.3, 0.2, 0.1], index=list("abcd"))
    dirs = {**BENEFIT, "b": "cost"}
    x = matrix.to_numpy()
    r = x / np.sqrt((x**2).sum(axis=0))
    v = r * w.to_numpy()
    best = np.array([v[:, 0].max(), v[:, 1].min(), v[:, 2].max(), v[:, 3].max()])
    worst = np.array([v[:, 0].min(), v[:, 1].max(), v[:, 2].min(), v[:, 3].min()])
    dp = np.sqrt(((v - best) ** 2).sum(axis=1))
    dm = np.sqrt(((v - worst) ** 2).sum(axis=1))
    c = topsis(matrix, w, dirs)
    np.testing.assert_allclose(c, dm / (dp + dm), rtol=1e-12)
    assert ((c >= 0) & (c <= 1)).all()
    # pymcdm flips cost columns before the ideal point: identical with min-max normalisation
    types = np.array([1, -1, 1, 1])
    ref = TOPSIS(pn.minmax_normalization)(x, w.to_numpy(), types)
    np.testing.assert_allclose(topsis(matrix, w, dirs, normalisation="minmax"), ref, rtol=1e-10)
    # and with vector normalisation when every indicator is a benefit
    ref_v = TOPSIS(pn.vector_normalization)(x, w.to_numpy(), np.ones(4))
    np.testing.assert_allclose(topsis(matrix, w, BENEFIT), ref_v, rtol=1e-10)


def test_topsis_reference_rows_fix_the_ideal_points(matrix):
    w = pd.Series([0.4, 0.3, 0.2, 0.1], index=list("abcd"))
    dirs = {**BENEFIT, "b": "cost"}
    pd.testing.assert_series_equal(topsis(matrix, w, dirs, reference=matrix), topsis(matrix, w, dirs))
    part = matrix.iloc[:4]
    got = topsis(part, w, dirs, reference=matrix)
    x, ref = part.to_numpy(), matrix.to_numpy()
    norm = np.sqrt((ref**2).sum(axis=0))
    v, vr = x / norm * w.to_numpy(), ref / norm * w.to_numpy()
    best = np.array([vr[:, 0].max(), vr[:, 1].min(), vr[:, 2].max(), vr[:, 3].max()])
    worst = np.array([vr[:, 0].min(), vr[:, 1].max(), vr[:, 2].min(), vr[:, 3].min()])
    dp = np.sqrt(((v - best) ** 2).sum(axis=1))
    dm = np.sqrt(((v - worst) ** 2).sum(axis=1))
    np.testing.assert_allclose(got, dm / (dp + dm), rtol=1e-12)
    # scored against the whole set, a subset keeps the closeness it has there
    np.testing.assert_allclose(got, topsis(matrix, w, dirs).iloc[:4], rtol=1e-12)
    np.testing.assert_allclose(topsis(part, w, dirs, normalisation="minmax", reference=matrix),
                               topsis(matrix, w, dirs, normalisation="minmax").iloc[:4], rtol=1e-12)
    with pytest.raises(MissingColumnError, match="reference lacks"):
        topsis(part, w, dirs, reference=matrix.drop(columns="d"))


# --- composite index -----------------------------------------------------------------------


@pytest.fixture
def system() -> IndicatorSystem:
    return IndicatorSystem.from_dict({
        "name": "toy",
        "dimensions": [
            {"code": "D1", "indicators": [{"code": "a", "direction": "benefit"},
                                          {"code": "b", "direction": "cost"}]},
            {"code": "D2", "indicators": [{"code": "c", "direction": "benefit"},
                                          {"code": "d", "direction": "benefit"}]},
        ],
    })


def test_composite_index_by_hand(matrix, system):
    res = composite_index(matrix.assign(label="ignored"), system, dimension_weights={"D1": 0.7, "D2": 0.3})
    std = standardise(matrix, {**BENEFIT, "b": "cost"})
    w1 = _hand_entropy(std[["a", "b"]].to_numpy())
    w2 = _hand_entropy(std[["c", "d"]].to_numpy())
    s1 = std[["a", "b"]].to_numpy() @ w1
    s2 = std[["c", "d"]].to_numpy() @ w2
    np.testing.assert_allclose(res.dimension_scores["D1"], s1, rtol=1e-12)
    np.testing.assert_allclose(res.dimension_scores["D2"], s2, rtol=1e-12)
    np.testing.assert_allclose(res.scores, 0.7 * s1 + 0.3 * s2, rtol=1e-12)
    np.testing.assert_allclose(res.weights, np.r_[w1, w2], rtol=1e-12)
    assert res.global_weights.sum() == pytest.approx(1.0)
    frame = res.to_frame()
    assert list(frame.columns) == ["D1", "D2", "score", "rank"]
    assert frame["rank"].min() == 1 and sorted(frame["rank"]) == list(range(1, 13))
    assert "Dimension weights: D1 0.7000" in res.summary()
    # default: equal dimension weights
    eq = composite_index(matrix, system)
    np.testing.assert_allclose(eq.scores, 0.5 * s1 + 0.5 * s2, rtol=1e-12)


def test_composite_index_other_weightings_and_prestandardised(matrix, system):
    std = standardise(matrix, {**BENEFIT, "b": "cost"})
    crit = composite_index(matrix, system, weighting="critic")
    np.testing.assert_allclose(crit.weights[["a", "b"]], critic_weights(std[["a", "b"]]), rtol=1e-12)
    sd = composite_index(matrix, system, weighting="sd")
    np.testing.assert_allclose(sd.weights[["c", "d"]], sd_weights(std[["c", "d"]]), rtol=1e-12)
    pre = composite_index(std, system, method=None)
    np.testing.assert_allclose(pre.scores, composite_index(matrix, system).scores, rtol=1e-12)
    with pytest.raises(InputError, match="no effect with method=None"):
        composite_index(std, system, method=None, shift=0.01)


def test_composite_index_errors_and_constant_policy(matrix, system):
    with pytest.raises(MissingColumnError, match=r"'d' not found"):
        composite_index(matrix.drop(columns="d"), system)
    with pytest.raises(InputError, match=r"missing \['D2'\]"):
        composite_index(matrix, system, dimension_weights={"D1": 1.0})
    with pytest.raises(InputError, match="sum to 1"):
        composite_index(matrix, system, dimension_weights={"D1": 0.7, "D2": 0.7})
    with pytest.raises(InputError, match="Unknown weighting"):
        composite_index(matrix, system, weighting="pca")
    flat = matrix.assign(c=1.0)
    with pytest.raises(InputError, match=r"\['c'\]"):
        composite_index(flat, system)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = composite_index(flat, system, constant="zero")
    assert any(issubclass(w.category, ConstantColumnWarning) for w in caught)
    assert res.weights["c"] == 0.0 and res.weights["d"] == 1.0 and res.constant == ["c"]
    with pytest.raises(InputError, match="Dimension 'D2'"):
        composite_index(matrix.assign(c=1.0, d=2.0), system, constant="zero")


# --- real data: World Bank Logistics Performance Index --------------------------------------


def test_lpi_components_of_belt_and_road_countries(shared_data):
    from exportlens.regions import belt_and_road_countries

    lpi = pd.read_csv(shared_data / "world" / "lpi_2010_2016.csv")
    codes = {c.iso3 for c in belt_and_road_countries()}
    parts = ["Customs", "Infrastructure", "International Shipments", "Logistics Quality & Competence",
             "Tracking & Tracing", "Timeliness"]
    sub = lpi[(lpi["Year"] == 2016) & lpi["Code"].isin(codes)].set_index("Code")
    assert len(sub) >= 55
    std = standardise(sub[parts], dict.fromkeys(parts, "benefit"))
    w = entropy_weights(std).weights
    np.testing.assert_allclose(w, _hand_entropy(std.to_numpy()), rtol=1e-12)
    # The six components are close to equally informative; the entropy composite must
    # rank countries almost exactly like the published overall LPI score.
    score = weighted_score(std, w)
    assert stats.spearmanr(score, sub["Overall LPI Score"]).statistic > 0.97
