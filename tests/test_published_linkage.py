"""The linkage study as published (issue 12): every published AHP number from the published
judgment matrix, the arithmetic mean as the main weighting, entropy weights over all 16
indicators, z-scores with the per-column shift, the single-province tables and the
"published vs this run" list."""

from __future__ import annotations

import pandas as pd
import pytest

from exportlens.measures.ahp import ahp, pairwise_matrix
from exportlens.studies.linkage import DEFAULT_AHP_UPPER, PUBLISHED_AHP_MATRIX, LinkageStudySpec

DIMS = ["economy", "goods", "capital", "people", "ict"]

#: The numbers the publication prints (weights in %, two decimals; statistics to 4 decimals).
PUBLISHED_WEIGHTS = {
    "eigenvector": [8.76, 41.47, 25.73, 15.29, 8.76],
    "geometric": [8.79, 41.35, 25.76, 15.31, 8.79],
    "arithmetic": [8.81, 41.29, 25.71, 15.39, 8.81],
}


@pytest.fixture(scope="module")
def published_ahp():
    return ahp(pairwise_matrix([list(r) for r in PUBLISHED_AHP_MATRIX], labels=DIMS))


def test_every_published_ahp_number(published_ahp):
    a = published_ahp
    print(f"\npublished AHP: lambda_max {a.lambda_max:.4f}, CI {a.ci:.4f}, RI {a.ri:.2f}, CR {a.cr:.4f}")
    assert f"{a.lambda_max:.4f}" == "5.0364"
    assert f"{a.ci:.4f}" == "0.0091"
    assert a.ri == 1.12
    assert f"{a.cr:.4f}" == "0.0081"
    for method, published in PUBLISHED_WEIGHTS.items():
        mine = [round(100 * w, 2) for w in a.weight(method)]
        print(f"  {method:<11} {mine}  published {published}")
        assert mine == published, method


def test_default_judgments_are_the_published_matrix(published_ahp):
    spec = LinkageStudySpec()
    from exportlens.measures.indicators import IndicatorSystem

    m = spec.judgments(IndicatorSystem.builtin())
    pd.testing.assert_frame_equal(m, published_ahp.matrix)
    assert pairwise_matrix(upper=list(DEFAULT_AHP_UPPER), labels=DIMS).equals(published_ahp.matrix)
    assert spec.ahp_method == "arithmetic"


def test_the_transpose_agrees_on_lambda_but_not_on_the_weights(published_ahp):
    """Why lambda and CR alone could not catch the old default: A and A' share eigenvalues."""
    t = ahp(published_ahp.matrix.T.to_numpy(), labels=DIMS)
    assert t.lambda_max == pytest.approx(published_ahp.lambda_max, rel=1e-12)
    assert t.cr == pytest.approx(published_ahp.cr, rel=1e-9)
    assert abs(t.weight("eigenvector")["goods"] - published_ahp.weight("eigenvector")["goods"]) > 0.3
