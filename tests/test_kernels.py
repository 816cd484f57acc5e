"""One kernel per formula: the kernels against hand computations and independent loops, the
library's callers against the kernels, and the Ibis expressions of the out-of-core firm
pipeline (run by DuckDB) against the kernels to 1e-12."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo_firms import FIRM_DEMO_COLUMNS, write_firm_transactions
from exportlens.datasets.demo_mrio import random_mrio_table
from exportlens.errors import InputError
from exportlens.firms import (
    ColumnMap,
    FirmMeasureSpec,
    connect_duckdb,
    firm_pipeline,
    open_transactions,
)
from exportlens.firms.io import read_transactions_pandas
from exportlens.firms.pipeline import dhs_growth_expr, herfindahl_expr, relative_growth_index_expr
from exportlens.measures import dhs_growth, expected_change_resilience, resistance_recovery
from exportlens.measures.cluster import herfindahl_index, krugman_index
from exportlens.measures.kernels import (
    dhs_growth_rate,
    herfindahl,
    krugman_specialisation,
    relative_growth_index,
)
from exportlens.mrio import decompose_provincial, value_added_split, with_value_added_shares
from test_firms_measures import COLUMNS, SPEC, hand_table

TOL = {"rtol": 1e-12, "atol": 1e-12}

# --- the kernels ------------------------------------------------------------------------------


def test_dhs_rate_entry_exit_and_bounds():
    g = dhs_growth_rate(np.array([10.0, 0.0, 5.0, 0.0, 30.0, 3.0]), np.array([0.0, 4.0, 5.0, 0.0, 40.0, np.nan]))
    assert g[0] == 2.0 and g[1] == -2.0 and g[2] == 0.0
    assert math.isnan(g[3])  # 0/0: no activity, no rate
    assert g[4] == pytest.approx(2 * (30 - 40) / 70)
    assert math.isnan(g[5])  # no previous value


def test_herfindahl_shares():
    assert herfindahl(np.array([10.0, 30.0])) == pytest.approx(0.25**2 + 0.75**2)
    assert herfindahl(np.array([7.0])) == 1.0
    assert herfindahl(np.full(4, 3.0)) == pytest.approx(0.25)
    assert math.isnan(herfindahl(np.array([0.0, 0.0])))


def test_herfindahl_dense_and_long_forms_agree_with_a_loop():
    rng = np.random.default_rng(0)
    x = rng.gamma(0.7, 5.0, size=(6, 9)) * (rng.random((6, 9)) > 0.3)
    x[2] = 0.0  # a unit set without any size
    loop = np.array([sum((v / row.sum()) ** 2 for v in row) if row.sum() > 0 else np.nan for row in x])
    np.testing.assert_allclose(herfindahl(x, axis=1), loop, rtol=1e-14)
    np.testing.assert_allclose(herfindahl(x.T, axis=0), loop, rtol=1e-14)
    # long form: the same numbers listed row by row with their group code, shuffled
    codes = np.repeat(np.arange(6), 9)
    order = rng.permutation(codes.size)
    np.testing.assert_allclose(herfindahl(x.ravel()[order], groups=codes[order]), loop, rtol=1e-14)
    with pytest.raises(InputError, match="one group code per value"):
        herfindahl(x, groups=codes)
    with pytest.raises(InputError, match="non-negative integer codes"):
        herfindahl(x.ravel(), groups=codes - 1)


def test_krugman_specialisation_against_a_loop_and_its_bounds():
    rng = np.random.default_rng(1)
    s = rng.dirichlet(np.ones(5), size=4)
    ref = rng.dirichlet(np.ones(5))
    loop = [sum(abs(s[i, j] - ref[j]) for j in range(5)) for i in range(4)]
    np.testing.assert_allclose(krugman_specialisation(s, ref), loop, rtol=1e-14)
    assert krugman_specialisation([1.0, 0.0], [0.0, 1.0]) == 2.0  # nothing in common
    assert krugman_specialisation(ref, ref) == 0.0


def test_relative_growth_index_is_lagravinese_and_msgt():
    # (g - gB)/|gB|: fell 25 % while the benchmark fell 5/19
    assert relative_growth_index(np.array([-0.25]), -5 / 19)[0] == pytest.approx(0.05)
    assert relative_growth_index(np.array([2.0]), 6 / 7)[0] == pytest.approx(4 / 3)
    # Martin et al. (2016) with changes: (dE - dE_e)/|dE_e| = (g - g_e)/|g_e| for a base E0 > 0
    e0, de, de_e = np.array([50.0, 8.0]), np.array([-10.0, 3.0]), np.array([-4.0, 1.0])
    np.testing.assert_allclose(relative_growth_index(de, de_e), relative_growth_index(de / e0, de_e / e0), rtol=1e-14)


def test_value_added_split_is_the_textbook_split():
    rng = np.random.default_rng(2)
    vbe, mbe = rng.random((4, 4)), rng.random((4, 4))
    dva, pva, fva = value_added_split(vbe, mbe)
    np.testing.assert_array_equal(dva, np.diag(vbe))
    np.testing.assert_allclose(pva, [sum(vbe[j, i] for j in range(4) if j != i) for i in range(4)], rtol=1e-14)
    np.testing.assert_allclose(fva, mbe.sum(axis=0), rtol=1e-14)
    with pytest.raises(InputError, match="not square"):
        value_added_split(vbe[:, :3], mbe[:, :3])
    with pytest.raises(InputError, match="one region row"):
        value_added_split(vbe, mbe, own=np.array([0, 1, 2, 4]))


# --- the callers use the kernels ----------------------------------------------------------------


def test_provincial_decomposition_split_is_the_kernel():
    d = decompose_provincial(random_mrio_table(4, 3, seed=3))
    dva, pva, fva = value_added_split(d.vbe, d.mbe)
    f = d.to_frame()
    for name, level in (("dva", dva), ("pva", pva), ("fva", fva)):
        np.testing.assert_array_equal(f[name].to_numpy(), level)
        np.testing.assert_array_equal(getattr(d, name), level)
        np.testing.assert_array_equal(f[f"{name[0]}vr"].to_numpy(), level / f["exports"].to_numpy())
    # per sector: the split of the multipliers times the sector's exports; sums to the regions
    s = d.by_sector()
    own = np.repeat(np.arange(4), 3)
    for name, mult in zip(("dva", "pva", "fva"), value_added_split(d.vb, d.mb, own), strict=True):
        np.testing.assert_array_equal(s[name].to_numpy(), mult * d.exports)
    np.testing.assert_allclose(s.groupby(level="region", sort=False)[["dva", "pva", "fva"]].sum().to_numpy(),
                               f[["dva", "pva", "fva"]].to_numpy(), rtol=1e-12)
    # shares of a sum come from the summed levels; the input frame is left as it was
    levels = pd.DataFrame({"exports": [10.0, 0.0], "dva": [6.0, 0.0], "fva": [3.0, 0.0]})
    shared = with_value_added_shares(levels)
    assert list(levels.columns) == ["exports", "dva", "fva"]
    np.testing.assert_array_equal(shared["dvr"], [0.6, np.nan])
    np.testing.assert_array_equal(shared["fvr"], [0.3, np.nan])
    assert "pvr" not in shared


def test_resilience_measures_are_the_kernels():
    rng = np.random.default_rng(4)
    years = range(2006, 2013)
    cycle = np.array([1.0, 1.1, 0.95, 0.85, 0.95, 1.05, 1.15])  # down 2007-2009, up 2009-2012
    df = pd.DataFrame([(r, t, float(v)) for r in "ABCD"
                       for t, v in zip(years, rng.uniform(5, 50) * cycle * rng.uniform(0.9, 1.1, 7), strict=True)],
                      columns=["region", "year", "exports"])
    kw = {"region": "region", "time": "year", "exports": "exports"}
    wide = df.pivot(index="region", columns="year", values="exports")
    lag = wide.shift(1, axis=1)
    np.testing.assert_array_equal(dhs_growth(df, **kw).to_numpy(), dhs_growth_rate(wide, lag).ravel())
    phases = {"contraction": (2007, 2009), "recovery": (2009, 2012)}
    rr = resistance_recovery(df, **kw, national_from="sum", **phases).to_frame()
    msgt = expected_change_resilience(df, **kw, national_from="sum", **phases).to_frame()
    for kind, col in (("contraction", "resistance"), ("recovery", "recovery")):
        np.testing.assert_array_equal(rr[col], relative_growth_index(rr[f"growth_{kind}"], rr[f"national_growth_{kind}"]))
        np.testing.assert_array_equal(msgt[col], relative_growth_index(msgt[f"change_{kind}"], msgt[f"expected_change_{kind}"]))


def test_cluster_measures_are_the_kernels():
    rng = np.random.default_rng(5)
    e = rng.uniform(1, 20, size=(5, 4))
    df = pd.DataFrame([(f"r{i}", f"j{j}", e[i, j]) for i in range(5) for j in range(4)], columns=["r", "j", "v"])
    kw = {"region": "r", "industry": "j", "value": "v"}
    np.testing.assert_array_equal(herfindahl_index(df, **kw, over="regions")["herfindahl"], herfindahl(e, axis=0))
    np.testing.assert_array_equal(herfindahl_index(df, **kw, over="industries")["herfindahl"], herfindahl(e, axis=1))
    s = e / e.sum(axis=1, keepdims=True)
    nation = e.sum(axis=0) / e.sum()
    np.testing.assert_array_equal(krugman_index(df, **kw)["krugman"], krugman_specialisation(s, nation))


# --- the Ibis expressions run by DuckDB equal the kernels ------------------------------------


@pytest.fixture(scope="module")
def con():
    return connect_duckdb(memory_limit="1GB", threads=2)


def _nullable(values) -> pd.array:
    return pd.array([None if v is None else float(v) for v in values], dtype="Float64")


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series).astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def test_dhs_growth_expr_equals_the_kernel(con):
    import ibis

    rng = np.random.default_rng(6)
    cur = [*rng.gamma(0.8, 100.0, 200), 0.0, 0.0, 5.0, 0.0, 7.0, None]
    prev = [*rng.gamma(0.8, 100.0, 200) * (rng.random(200) > 0.2), 0.0, 3.0, 0.0, None, 7.0, 2.0]
    t = ibis.memtable(pd.DataFrame({"cur": _nullable(cur), "prev": _nullable(prev)}))
    got = con.to_pandas(t.select(g=dhs_growth_expr(t.cur, t.prev)))["g"]
    want = dhs_growth_rate(np.array(cur, dtype=float), np.array(prev, dtype=float))
    np.testing.assert_allclose(_floats(got), want, **TOL)


def test_herfindahl_expr_equals_the_kernel(con):
    import ibis

    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 8, size=60)
    grp = np.repeat(np.arange(60), sizes)
    x = rng.gamma(0.5, 1e6, grp.size) * (rng.random(grp.size) > 0.25)
    x[grp == 3] = 0.0  # a firm-year whose exports are all zero
    t = ibis.memtable(pd.DataFrame({"grp": grp, "x": x}))
    got = con.to_pandas(t.group_by("grp").aggregate(h=herfindahl_expr(t.x)).order_by("grp"))
    np.testing.assert_array_equal(got["grp"], np.arange(60))
    np.testing.assert_allclose(_floats(got["h"]), herfindahl(x, groups=grp), **TOL)
    assert math.isnan(herfindahl(x, groups=grp)[3]) and pd.isna(got["h"].iloc[3])


def test_relative_growth_index_expr_equals_the_kernel(con):
    import ibis

    rng = np.random.default_rng(8)
    g = [*rng.normal(-0.1, 0.4, 100), None]
    gb = [*rng.normal(0.0, 0.3, 100), -0.2]
    t = ibis.memtable(pd.DataFrame({"g": _nullable(g), "gb": _nullable(gb)}))
    got = con.to_pandas(t.select(col=relative_growth_index_expr(t.g, t.gb), num=relative_growth_index_expr(t.g, -5 / 19)))
    g_np, gb_np = np.array(g, dtype=float), np.array(gb, dtype=float)
    np.testing.assert_allclose(_floats(got["col"]), relative_growth_index(g_np, gb_np), **TOL)
    np.testing.assert_allclose(_floats(got["num"]), relative_growth_index(g_np, -5 / 19), **TOL)


@pytest.fixture(scope="module", params=["hand", "synthetic"])
def pipeline_run(request, tmp_path_factory):
    """The DuckDB pipeline on a small table, and the same transactions in pandas."""
    if request.param == "hand":
        path = tmp_path_factory.mktemp("kernels_hand") / "tx.parquet"
        hand_table().to_parquet(path, index=False)
        columns, spec = COLUMNS, SPEC
    else:
        path = tmp_path_factory.mktemp("kernels_syn") / "transactions"
        write_firm_transactions(path, rows=4_000, seed=11)
        columns, spec = ColumnMap.from_mapping(FIRM_DEMO_COLUMNS), FirmMeasureSpec(shock_year=2009)
    con = connect_duckdb(memory_limit="1GB", threads=2)
    result = firm_pipeline(con, open_transactions(con, path, columns), columns=columns, spec=spec)
    return result, read_transactions_pandas(path, columns), columns


def test_pipeline_dhs_growth_equals_the_kernel(pipeline_run):
    fy = pipeline_run[0].firm_year
    want = dhs_growth_rate(fy["exports"].to_numpy(dtype=float), fy["exports_lag"].to_numpy(dtype=float, na_value=np.nan))
    np.testing.assert_allclose(_floats(fy["dhs_growth"]), want, **TOL)
    assert fy["dhs_growth"].notna().sum() > 0


def test_pipeline_herfindahl_equals_the_kernel_on_the_transactions(pipeline_run):
    result, raw, columns = pipeline_run
    fy = result.firm_year.set_index(["firm", "year"])
    tx = raw.rename(columns={columns.firm: "firm", columns.year: "year", columns.value: "value",
                             columns.product: "product", columns.destination: "destination"})
    tx["year"] = tx["year"].astype("int64")
    for key, col in (("product", "hhi_products"), ("destination", "hhi_destinations")):
        g = tx.groupby(["firm", "year", key])["value"].sum()
        codes, firm_years = g.index.droplevel(key).factorize()
        want = pd.Series(herfindahl(g.to_numpy(), groups=codes), index=firm_years)
        got = fy.loc[want.index, col]
        np.testing.assert_allclose(_floats(got), want.to_numpy(), **TOL)


def test_pipeline_resistance_and_recovery_equal_the_kernel(pipeline_run):
    result = pipeline_run[0]
    fs, bench = result.firm_shock, result.benchmarks
    nat = bench.iloc[0]
    ind = bench[bench["scope"] == "industry"].set_index("industry")
    checked = 0
    for kind, res_col in (("contraction", "resistance"), ("recovery", "recovery")):
        g = fs[f"growth_{kind}"].to_numpy(dtype=float, na_value=np.nan)
        if nat[f"usable_{kind}"]:
            np.testing.assert_allclose(_floats(fs[f"{res_col}_national"]),
                                       relative_growth_index(g, nat[f"growth_{kind}"]), **TOL)
            checked += 1
        gi = fs["industry"].map(ind[f"growth_{kind}"].where(ind[f"usable_{kind}"])).astype(float)
        np.testing.assert_allclose(_floats(fs[f"{res_col}_industry"]), relative_growth_index(g, gi), **TOL)
    assert checked > 0
