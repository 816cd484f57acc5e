"""The value-added study as published (issue 12): one table per year (provinces x DVA, PVA,
FVA and their shares), value-added exports VAX with their accounting identities against an
explicit Leontief inverse, and reporting exclusions (published: 30 provinces, without Tibet)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo_mrio import synthetic_mrio_table, value_added_demo_tables
from exportlens.errors import StudySpecError
from exportlens.mrio.decompose import decompose_provincial
from exportlens.studies.framework import run_study
from exportlens.studies.value_added import STUDY, ValueAddedStudySpec, run_value_added_study

SECTORS = ["01", "06", "20", "28"]
GROUPS = {"01": "primary", "06": "secondary", "20": "secondary", "28": "tertiary"}


@pytest.fixture(scope="module")
def demo_result():
    return run_value_added_study(value_added_demo_tables(), ValueAddedStudySpec())


def test_vax_against_an_explicit_leontief_inverse():
    """VAX_i = sum_j V_i B_ij E_j computed with numpy's inverse, and the two identities."""
    table = synthetic_mrio_table(2012, provinces=["北京", "上海", "广东", "河南", "四川", "西藏"], sectors=SECTORS)
    d = decompose_provincial(table)
    g, n = table.n_regions, table.n_sectors
    b = np.linalg.inv(np.eye(table.size) - table.A)
    v, e = table.V, table.E
    vax = np.array([sum(v[i * n:(i + 1) * n] @ b[i * n:(i + 1) * n, j * n:(j + 1) * n] @ e[j * n:(j + 1) * n]
                        for j in range(g)) for i in range(g)])
    np.testing.assert_allclose(d.vax, vax, rtol=1e-10)
    # sum over provinces of VAX = sum of DVA + PVA = exports - FVA (VBE summed by rows or by columns)
    assert d.vax.sum() == pytest.approx((d.dva + d.pva).sum(), rel=1e-12)
    assert d.vax.sum() == pytest.approx(d.total_exports.sum() - d.fva.sum(), rel=1e-6)
    # per province: VAX_i - DVA_i = value added of i in the other provinces' exports
    off = d.vbe.copy()
    np.fill_diagonal(off, 0.0)
    np.testing.assert_allclose(d.vax - d.dva, off.sum(axis=1), rtol=1e-10, atol=1e-9)
    f = d.vax_frame()
    assert list(f.columns) == ["exports", "dva", "vax", "indirect", "vax_ratio"]
    np.testing.assert_allclose(f["vax_ratio"], vax / d.total_exports)


def test_one_table_per_year_as_published(demo_result):
    r = demo_result
    zh = r.tables("zh")
    per_year = [k for k in zh if k.startswith("table6_")]
    assert per_year == ["table6_2002", "table6_2007", "table6_2012"]
    for k, y in enumerate(r.years, start=1):
        t = zh[f"table6_{y}"]
        assert t.title == f"表6-{k} {y}年各省出口的增加值来源与结构（亿元；份额为%）"
        f = t.frame
        assert f.shape == (30, 6) and f.index.name == "省份"
        assert list(f.columns) == ["本省增加值DVA", "外省增加值PVA", "国外增加值FVA", "DVR（%）", "PVR（%）", "FVR（%）"]
        assert f.index[0] == "北京" and f.index[-1] == "新疆" and "西藏" not in f.index
        np.testing.assert_allclose(f[["DVR（%）", "PVR（%）", "FVR（%）"]].sum(axis=1), 100.0, rtol=1e-9)
        ref = r.to_frame().query("year == @y").set_index("region")
        np.testing.assert_allclose(f["本省增加值DVA"].to_numpy(), ref["dva"].to_numpy() / 1e4)  # 10,000 yuan -> 100m
    en = r.tables("en")["table6_2012"]
    assert list(en.frame.columns) == ["DVA", "PVA", "FVA", "DVR (%)", "PVR (%)", "FVR (%)"]


def test_vax_table(demo_result):
    t = demo_result.tables("zh")["table7"]
    f = t.frame
    assert t.title == "表7 各省增加值出口VAX（亿元）"
    assert f.shape == (31, 9) and f.index[-1] == "全部省份"
    assert list(f.columns[:3]) == ["2002 增加值出口VAX", "2002 其中：体现在外省出口中", "2002 VAX/出口（%）"]
    d = demo_result.decompositions[2012]
    assert f.loc["全部省份", "2012 增加值出口VAX"] * 1e4 == pytest.approx((d.dva + d.pva).sum(), rel=1e-10)
    assert any("ΣVAX = Σ(DVA + PVA)" in n for n in t.notes)


def test_reporting_exclusion_keeps_the_flows(demo_result):
    r = run_value_added_study(value_added_demo_tables(), ValueAddedStudySpec(exclude=["海南"]))
    zh, full = r.tables("zh"), demo_result.tables("zh")
    for name in ("table2", "table3", "table6_2012", "table7"):
        assert "海南" not in zh[name].frame.index, name
        assert any("表中不含 海南" in n and "合并" in n for n in zh[name].notes)
    # the other provinces' numbers are those of the full system (Hainan still supplies their PVA)
    kept = zh["table6_2012"].frame
    pd.testing.assert_frame_equal(kept, full["table6_2012"].frame.drop(index="海南"))
    assert zh["table6_2012"].frame.shape == (29, 6)
    # totals cover the listed provinces
    t2 = zh["table2"].frame
    assert t2.loc["全部省份"].to_numpy() == pytest.approx(t2.drop(index="全部省份").sum().to_numpy())
    assert any("left out of the tables" in n and "Aggregating" in n for n in r.notes)


def test_published_configuration_excludes_tibet(tmp_path):
    spec = ValueAddedStudySpec(**ValueAddedStudySpec.PUBLISHED)
    assert spec.exclude == ["西藏"]
    provinces = ["北京", "上海", "广东", "西藏"]
    tables = {2012: synthetic_mrio_table(2012, provinces=provinces, sectors=SECTORS)}
    r = run_value_added_study(tables, spec.with_values(sector_groups=GROUPS))
    f = r.tables("zh")["table6_2012"].frame
    assert list(f.index) == ["北京", "上海", "广东"]
    # Tibet's value added still counts in the others' PVA: same numbers as the full system
    full = run_value_added_study(tables, ValueAddedStudySpec(sector_groups=GROUPS)).tables("zh")["table6_2012"].frame
    pd.testing.assert_frame_equal(f, full.drop(index="西藏"))
    # the demo tables have no Tibet: the exclusion is a no-op, said in the notes
    demo = run_value_added_study(value_added_demo_tables(), spec)
    assert any("not among the tables' regions" in n for n in demo.notes)
    assert demo.tables("en")["table6_2002"].frame.shape == (30, 6)
    with pytest.raises(StudySpecError, match=r"\[tables\] exclude: 'Atlantis'"):
        ValueAddedStudySpec(exclude=["Atlantis"])
    out = run_study(STUDY, spec.with_values(sector_groups=GROUPS), data=tables, out=tmp_path / "run",
                    formats=["csv"], figures=False)
    assert (out / "tables" / "table6_2012.csv").is_file() and (out / "data" / "vax.csv").is_file()
