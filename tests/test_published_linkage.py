"""The linkage study as published (issue 12): every published AHP number from the published
judgment matrix, the arithmetic mean as the main weighting, entropy weights over all 16
indicators, z-scores with the per-column shift, the single-province tables and the
"published vs this run" list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo_linkage import linkage_demo_cube
from exportlens.measures.ahp import ahp, pairwise_matrix
from exportlens.measures.composite import composite_index
from exportlens.measures.indicators import IndicatorSystem
from exportlens.studies.linkage import (
    DEFAULT_AHP_UPPER,
    PUBLISHED_AHP_MATRIX,
    LinkageStudySpec,
    run_linkage_study,
)

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


# --- entropy weights over all 16 indicators -----------------------------------------------


@pytest.fixture(scope="module")
def cube():
    return linkage_demo_cube()


@pytest.fixture(scope="module")
def default_result(cube):
    return run_linkage_study(cube, LinkageStudySpec())


def test_sixteen_weights_per_province_sum_to_one(default_result):
    w = default_result.weights
    assert w.shape == (31, 16)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)


def test_dimension_score_identity(default_result):
    """S_d = sum over the dimension's indicators of w_j x'_j, with the province's 16 weights."""
    r = default_result
    std = r.standardised
    for p in r.provinces[:5]:
        x = std.xs(p, level=0)
        s = r.scores.xs(p, level=0)
        for d in r.system.dimension_codes:
            members = r.system.members(d)
            np.testing.assert_allclose(s[d].to_numpy(), x[members].to_numpy() @ r.weights.loc[p, members].to_numpy(),
                                       rtol=1e-12)
        # the final score: AHP weights (arithmetic mean) of the dimension scores
        np.testing.assert_allclose(s["score"], s[r.system.dimension_codes].to_numpy()
                                   @ r.ahp.weight("arithmetic").to_numpy(), rtol=1e-12)


def test_dimension_ranks_no_longer_tie(cube, default_result):
    """One country-level indicator per dimension: within-dimension weights tie all 31 provinces."""
    t6 = default_result.tables("en")["table6"].frame
    ranks = [c for c in t6.columns if c.endswith(" rank")]
    assert len(ranks) == 5
    assert all(t6[c].nunique() > 1 for c in ranks)
    within = run_linkage_study(cube, LinkageStudySpec(normalise="dimension")).tables("en")["table6"].frame
    tied = [c for c in ranks if within[c].nunique() == 1]
    assert tied == ["Overall economic strength rank", "Information-technology flow rank"]
    assert (within[tied[0]] == 1).all()


def test_normalise_all_matches_pymcdm_entropy_weights():
    """composite_index(normalise="all") gives pymcdm's entropy weights on strictly positive data."""
    from pymcdm.weights import entropy_weights as pymcdm_entropy

    system = IndicatorSystem.builtin()
    rng = np.random.default_rng(12)
    x = pd.DataFrame(rng.uniform(0.5, 5.0, size=(63, 16)), columns=system.codes)
    ci = composite_index(x, system, method=None, normalise="all")
    np.testing.assert_allclose(ci.weights.to_numpy(), pymcdm_entropy(x.to_numpy()), rtol=1e-10)
    assert ci.weights.sum() == pytest.approx(1.0)
    within = composite_index(x, system, method=None, normalise="dimension")
    sums = within.weights.groupby(within.indicator_dimension).sum()
    np.testing.assert_allclose(sums, 1.0)


# --- SPSS z-scores with the per-column shift ----------------------------------------------


def test_published_standardisation_is_spss_zscores_with_column_shift(cube):
    from scipy import stats

    spec = LinkageStudySpec(**LinkageStudySpec.PUBLISHED)
    assert spec.standardise == "zscore" and spec.shift == "column"
    res = run_linkage_study(cube, spec)
    system = res.system
    x = res.wide[system.codes].to_numpy()
    cost = (system.indicators["direction"] == "cost").to_numpy()
    z = stats.zscore(x, axis=0, ddof=1)  # SPSS "save standardised values": sample sd
    z = np.where(cost, -z, z)
    z = z + np.abs(z.min(axis=0)) + spec.offset
    np.testing.assert_allclose(res.standardised.to_numpy(), z, rtol=1e-12)
    assert any("per-column" in n and "|min z_j| + 0.0001" in n for n in res.notes)
    assert any("SPSSAU" in n for n in res.tables("zh")["table2"].notes)


def test_constant_shift_of_zscores_warns_and_is_noted(cube):
    from exportlens.errors import ConstantShiftWarning

    with pytest.warns(ConstantShiftWarning):
        res = run_linkage_study(cube, LinkageStudySpec(standardise="zscore", shift=5.0))
    assert any("flattens the entropy weights" in n for n in res.notes)


# --- single-province tables (the publication's Tables 2 and 4, example 甘肃) ----------------


@pytest.fixture(scope="module")
def published_result(cube):
    return run_linkage_study(cube, LinkageStudySpec(**LinkageStudySpec.PUBLISHED))


def test_province_weights_table_layout(published_result):
    r = published_result
    assert r.spec.table_province == "甘肃"
    zh = r.tables("zh")
    assert list(zh)[:3] == ["table1", "table2", "table2_province"]
    t = zh["table2_province"]
    assert t.title == "表2 甘肃各指标熵值法权重"
    f = t.frame
    assert list(f.columns) == ["一级指标", "二级指标", "权重（%）"]
    assert len(f) == 17 and f.iloc[-1, 0] == "合计"
    system = r.system
    assert list(f["二级指标"].iloc[:16]) == [system.label(c, "zh") for c in system.codes]
    assert f["一级指标"].iloc[0] == "经济综合实力" and f["一级指标"].iloc[15] == "信息技术流"
    gansu = 620000
    np.testing.assert_allclose(f["权重（%）"].iloc[:16].to_numpy(), 100 * r.weights.loc[gansu].to_numpy())
    assert f["权重（%）"].iloc[16] == pytest.approx(100.0)
    assert r.tables("en")["table2_province"].title == "Table 2 Entropy weights of the indicators, Gansu"


def test_province_scores_table_layout(published_result):
    r = published_result
    t = r.tables("zh")["table4_province"]
    assert t.title == "表4 甘肃与沿线国家的联系度得分与排名"
    f = t.frame
    assert f.shape == (63, 3) and f.index.name == "国家"
    assert list(f.columns) == ["区域", "得分", "排名"]
    assert f.index[0] == "蒙古" and f["区域"].iloc[0] == "蒙古" and f["区域"].iloc[-1] == "中东欧"
    assert sorted(f["排名"]) == list(range(1, 64))
    # the ranks order the scores; the scores are the province's column of Table 4a
    assert (f.sort_values("排名")["得分"].diff().dropna() <= 0).all()
    np.testing.assert_allclose(f["得分"].to_numpy(), r.score_matrix()[620000].to_numpy())


def test_province_tables_only_when_asked(default_result):
    assert "table2_province" not in default_result.tables("en")


def test_table_province_errors(cube):
    from exportlens.errors import InputError, StudySpecError

    with pytest.raises(StudySpecError, match=r"\[tables\] province = 'Atlantis'"):
        LinkageStudySpec(table_province="Atlantis")
    res = run_linkage_study(cube, LinkageStudySpec(table_province="甘肃", exclude_provinces=["甘肃"]))
    with pytest.raises(InputError, match=r"\[tables\] province = '甘肃' is not in the data"):
        res.tables("zh")


# --- "published vs this run" -----------------------------------------------------------------


def test_published_comparison_of_the_data_independent_numbers(published_result, cube):
    from exportlens.studies.linkage import PUBLISHED_AHP_NUMBERS

    rows = published_result.published_comparison()
    assert [r[0] for r in rows] == list(PUBLISHED_AHP_NUMBERS)
    assert all(pub == mine for _, pub, mine in rows), rows
    assert dict((n, p) for n, p, _ in rows)["weights, arithmetic mean (%)"] == "8.81/41.29/25.71/15.39/8.81"
    # other judgments or another RI table: nothing to compare
    other = run_linkage_study(cube, LinkageStudySpec(ahp_upper=[1, 2, 3, 4, 2, 3, 4, 2, 3, 2]))
    assert other.published_comparison() == []
    assert run_linkage_study(cube, LinkageStudySpec(ri_table="saaty2005")).published_comparison() == []


def test_runner_prints_and_records_the_comparison(tmp_path):
    import io
    import json

    from rich.console import Console

    from exportlens.studies.framework import published_comparison_lines, run_study
    from exportlens.studies.linkage import STUDY

    buffer = io.StringIO()
    out = run_study(STUDY, LinkageStudySpec(**LinkageStudySpec.PUBLISHED), out=tmp_path / "run", formats=["md"],
                    figures=False, console=Console(file=buffer, width=200))
    printed = buffer.getvalue().rstrip().splitlines()
    assert printed[-8] == "Published vs this run (numbers that do not depend on the data):"
    assert printed[-1] == ("  [ok] weights, eigenvector (%): published 8.76/41.47/25.73/15.29/8.76, "
                           "this run 8.76/41.47/25.73/15.29/8.76")
    assert "[ok] CR: published 0.0081, this run 0.0081" in (out / "notes.txt").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rows = manifest["spec"]["published_comparison"]
    assert len(rows) == 7 and all(r["match"] for r in rows)
    assert published_comparison_lines([("CR", "0.0081", "0.0090", False)])[1] == \
        "  [DIFFERS] CR: published 0.0081, this run 0.0090"
    assert published_comparison_lines([]) == []
