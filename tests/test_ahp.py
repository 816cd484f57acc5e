"""Tests of exportlens.measures.ahp against AHPy, pymcdm, exact consistent matrices and the
published consistency statistics of the linkage study."""

from __future__ import annotations

import warnings

import ahpy
import numpy as np
import pandas as pd
import pytest
from pymcdm.weights.subjective import AHP as PymcdmAHP

from exportlens.errors import InputError
from exportlens.measures.ahp import (
    RANDOM_INDEX_TABLES,
    InconsistentJudgmentError,
    InconsistentJudgmentWarning,
    ahp,
    pairwise_matrix,
    random_index,
)
from exportlens.studies.linkage import DEFAULT_AHP_UPPER

DIMS = ["economy", "goods", "capital", "people", "ict"]

# Judgment matrices used across the tests (upper triangles, Saaty scale).
MATRICES = {
    "linkage_default": (DIMS, list(DEFAULT_AHP_UPPER)),
    "four": (["a", "b", "c", "d"], [3, 5, 7, 2, 4, 3]),
    "six_inconsistent": (list("abcdef"), [2, 1 / 3, 5, 4, 9, 3, 1 / 2, 2, 7, 1, 1 / 4, 3, 6, 2, 1 / 5]),
    "three": (["x", "y", "z"], [2, 6, 3]),
}


def _ahpy(labels, upper, random_index="dd"):
    from fractions import Fraction

    comps, k = {}, 0
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            comps[(labels[i], labels[j])] = float(Fraction(upper[k]))
            k += 1
    return ahpy.Compare("x", comps, precision=10, random_index=random_index)


def test_published_consistency_statistics():
    res = ahp(pairwise_matrix(upper=list(DEFAULT_AHP_UPPER), labels=DIMS))
    # lambda_max = 5.0364, CI = 0.0091, RI = 1.12, CR = 0.0081 as reported by the study
    assert round(res.lambda_max, 4) == 5.0364
    assert round(res.ci, 4) == 0.0091
    assert res.ri == 1.12
    assert round(res.cr, 4) == 0.0081
    assert res.consistent
    np.testing.assert_allclose(res.weights.sum(), 1.0)
    assert list(res.weights.columns) == ["arithmetic", "geometric", "eigenvector"]


@pytest.mark.parametrize("name", sorted(MATRICES))
def test_eigenvector_weights_and_cr_match_ahpy(name):
    labels, upper = MATRICES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgmentWarning)
        dd = ahp(pairwise_matrix(upper=upper, labels=labels), ri_table="donegan_dodd1991")
        s5 = ahp(pairwise_matrix(upper=upper, labels=labels), ri_table="saaty2005")
    ref = _ahpy(labels, upper, "dd")
    got = dd.weight("eigenvector")
    for k, v in ref.local_weights.items():
        assert got[k] == pytest.approx(v, abs=1e-8)
    assert dd.cr == pytest.approx(ref.consistency_ratio, abs=1e-8)
    assert s5.cr == pytest.approx(_ahpy(labels, upper, "saaty").consistency_ratio, abs=1e-8)


@pytest.mark.parametrize("name", sorted(MATRICES))
def test_eigenvector_weights_and_cr_match_pymcdm(name):
    labels, upper = MATRICES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgmentWarning)
        res = ahp(pairwise_matrix(upper=upper, labels=labels), ri_table="tummala_ling1998")
    ref = PymcdmAHP(matrix=res.matrix.to_numpy())
    np.testing.assert_allclose(res.weight("eigenvector"), ref(), rtol=1e-10)
    assert res.cr == pytest.approx(ref.get_cr(), rel=1e-10)


def test_arithmetic_and_geometric_by_hand():
    labels, upper = MATRICES["four"]
    res = ahp(pairwise_matrix(upper=upper, labels=labels), on_inconsistent="ignore")
    a = res.matrix.to_numpy()
    n = len(a)
    arith = [sum(a[i, j] / sum(a[k, j] for k in range(n)) for j in range(n)) / n for i in range(n)]
    geo = [np.prod(a[i]) ** (1 / n) for i in range(n)]
    np.testing.assert_allclose(res.weights["arithmetic"], arith, rtol=1e-12)
    np.testing.assert_allclose(res.weights["geometric"], np.array(geo) / sum(geo), rtol=1e-12)
    # A w = lambda_max w for the eigenvector, and (1/n) sum (Aw)_i/w_i equals lambda_max
    w = res.weights["eigenvector"].to_numpy()
    np.testing.assert_allclose(a @ w, res.lambda_max * w, rtol=1e-10)
    assert res.lambda_by_method["eigenvector"] == pytest.approx(res.lambda_max, rel=1e-12)
    assert res.ci == pytest.approx((res.lambda_max - n) / (n - 1))
    assert res.ri == 0.90 and res.cr == pytest.approx(res.ci / 0.90)


def test_consistent_matrix_gives_exact_weights_and_zero_cr():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    a = w[:, None] / w[None, :]
    res = ahp(pairwise_matrix(a, scale="free"), on_inconsistent="raise")
    for m in ("arithmetic", "geometric", "eigenvector"):
        np.testing.assert_allclose(res.weights[m], w, rtol=1e-12)
    assert res.lambda_max == pytest.approx(4.0, abs=1e-12)
    assert res.ci == pytest.approx(0.0, abs=1e-12) and res.cr == pytest.approx(0.0, abs=1e-12)


def test_n_le_2_is_always_consistent():
    res = ahp([[1, 3], ["1/3", 1]])
    assert res.ri == 0 and res.cr == 0 and res.ci == 0
    np.testing.assert_allclose(res.weight("eigenvector"), [0.75, 0.25])
    single = ahp([[1]], labels=["only"])
    assert single.weights.loc["only", "geometric"] == 1.0


def test_three_input_forms_agree():
    upper = [2, "1/3", 4]
    m1 = pairwise_matrix(upper=upper, labels=["a", "b", "c"])
    m2 = pairwise_matrix([[1, 2, "1/3"], [0.5, 1, 4], [3, 0.25, 1]], labels=["a", "b", "c"])
    m3 = pairwise_matrix(pairs={("a", "b"): 2, ("c", "a"): 3, ("b", "c"): 4})
    m4 = pairwise_matrix(pairs=[("b", "c", 4), ("a", "b", 2), ("a", "c", "1/3")], labels=["a", "b", "c"])
    for m in (m2, m3, m4):
        pd.testing.assert_frame_equal(m, m1)
    assert m1.loc["c", "a"] == 3.0
    # a DataFrame carries its labels
    assert list(pairwise_matrix(m1).index) == ["a", "b", "c"]


def test_random_index_tables():
    s80 = RANDOM_INDEX_TABLES["saaty1980"]
    assert [s80(n) for n in range(3, 11)] == [0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]
    assert random_index(5, "chinese_textbook") == 1.12 and random_index(6, "chinese_textbook") == 1.26
    assert random_index(5, "saaty2005") == 1.11
    assert random_index(5, "donegan_dodd1991") == 1.0591
    assert random_index(2, "alonso_lamata2006") == 0.0
    assert all(t.source for t in RANDOM_INDEX_TABLES.values())
    with pytest.raises(InputError, match=r"n = 3\.\.15"):
        random_index(16, "saaty1980")
    with pytest.raises(InputError, match="Unknown random-index table"):
        random_index(4, "made_up")


def test_inconsistent_matrix_warns_raises_or_not():
    labels, upper = MATRICES["six_inconsistent"]
    m = pairwise_matrix(upper=upper, labels=labels)
    with pytest.warns(InconsistentJudgmentWarning, match="CR = "):
        res = ahp(m)
    assert not res.consistent and res.cr >= 0.1
    with pytest.raises(InconsistentJudgmentError, match="not consistent"):
        ahp(m, on_inconsistent="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ahp(m, on_inconsistent="ignore")
    assert "NOT consistent" in res.summary()


def test_bad_judgment_matrices():
    with pytest.raises(InputError, match="positive"):
        pairwise_matrix([[1, -2], [-0.5, 1]])
    with pytest.raises(InputError, match=r"not reciprocal.*\(C1, C2\) = 2 but \(C2, C1\) = 2"):
        pairwise_matrix([[1, 2], [2, 1]])
    with pytest.raises(InputError, match="diagonal"):
        pairwise_matrix([[2, 1], [1, 1]])
    with pytest.raises(InputError, match="not square"):
        pairwise_matrix([[1, 2, 3], [0.5, 1]])
    with pytest.raises(InputError, match=r"outside Saaty's 1/9..9 scale: \(C1, C2\) = 12"):
        pairwise_matrix(upper=[12])
    with pytest.raises(InputError, match="n\\(n−1\\)/2"):
        pairwise_matrix(upper=[1, 2])
    with pytest.raises(InputError, match=r"missing from pairs=: \(b, c\)"):
        pairwise_matrix(pairs={("a", "b"): 2, ("a", "c"): 3})
    with pytest.raises(InputError, match="more than once"):
        pairwise_matrix(pairs=[("a", "b", 2), ("b", "a", 0.5)])
    with pytest.raises(InputError, match="not in labels"):
        pairwise_matrix(pairs={("a", "z"): 2}, labels=["a", "b"])
    with pytest.raises(InputError, match="'abc' is not a number"):
        pairwise_matrix(upper=["abc"])
    with pytest.raises(InputError, match="exactly one"):
        pairwise_matrix([[1]], upper=[1])
    with pytest.raises(InputError, match="on_inconsistent"):
        ahp([[1]], on_inconsistent="shout")


def test_more_criteria_than_the_ri_table_covers_gives_weights_and_says_so():
    """n = 17 > 15 (Saaty 1980): the weights come back, CR is NaN, the warning names the tables covering n."""
    from exportlens.errors import RandomIndexWarning
    from exportlens.measures.ahp import tables_covering

    rng = np.random.default_rng(5)
    n = 17
    scale = np.array([1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9])
    a = np.ones((n, n))
    iu = np.triu_indices(n, 1)
    a[iu] = rng.choice(scale, size=len(iu[0]))
    a[(iu[1], iu[0])] = 1 / a[iu]
    with pytest.warns(RandomIndexWarning, match=r"n = 3\.\.15 .* n = 17; tables that cover n = 17: donegan_dodd1991"):
        res = ahp(a)
    assert np.isnan(res.cr) and np.isnan(res.ri) and not res.cr_available and not res.consistent
    assert "No CR can be computed" in res.summary()
    # the weights are the usual ones: geometric mean of rows; A w = lambda_max w
    g = np.exp(np.log(a).mean(axis=1))
    np.testing.assert_allclose(res.weight("geometric"), g / g.sum(), rtol=1e-12)
    w = res.weight("eigenvector").to_numpy()
    np.testing.assert_allclose(a @ w, res.lambda_max * w, rtol=1e-9)
    assert res.lambda_max == pytest.approx(max(np.linalg.eigvals(a).real))
    # with a table that covers n the CR is computed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InconsistentJudgmentWarning)
        dd = ahp(a, ri_table="donegan_dodd1991")
    assert dd.ri == 1.5153 and dd.cr == pytest.approx(dd.ci / 1.5153)  # Donegan & Dodd (1991), n = 17
    assert tables_covering(17) == ["donegan_dodd1991"] and tables_covering(21) == []
    with pytest.warns(RandomIndexWarning, match="no built-in table covers n = 21"):
        ahp(np.ones((21, 21)))
