"""The hand-written DuckDB SQL peer of benchmarks/bench_firms.py computes what the pipeline
computes (firm-year core and province-year aggregates, equal to 1e-8), so the benchmark
compares like with like; and the pipeline gives identical aggregates run to run."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from exportlens.datasets.demo_firms import write_firm_transactions
from exportlens.firms import (
    ColumnMap,
    FirmMeasureSpec,
    connect_duckdb,
    firm_pipeline,
    open_transactions,
)

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_firms.py"
CORE = ["firm", "year", "code", "industry", "exports", "exports_lag", "dhs_growth", "status", "n_products",
        "n_destinations", "hhi_products", "hhi_destinations", "n_provinces", "n_industries"]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_firms", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("peer") / "tx"
    write_firm_transactions(path, rows=60_000)
    return path


def _pipeline(path, growth_paths=True):
    con = connect_duckdb(memory_limit="1GB", threads=2)
    spec = FirmMeasureSpec(growth_paths=growth_paths)
    return firm_pipeline(con, open_transactions(con, path, ColumnMap()), spec=spec)


def test_sql_peer_equals_pipeline(demo, tmp_path):
    res = _pipeline(demo, growth_paths=False)  # as in the benchmark: the peer has no growth paths
    prov = _bench().run_sql_peer(demo, tmp_path / "sql", memory_limit="1GB", threads=2)
    fy_sql = pd.read_parquet(tmp_path / "sql" / "firm_year.parquet")[CORE]
    fy = res.firm_year[CORE].reset_index(drop=True)
    fy_sql = fy_sql.sort_values(["firm", "year"]).reset_index(drop=True)
    assert len(fy) == len(fy_sql) > 1000
    for c in CORE:
        a, b = fy[c], fy_sql[c]
        if c == "status":
            assert (a.fillna("-").astype(str) == b.fillna("-").astype(str)).all()
        else:
            pd.testing.assert_series_equal(a.astype(float) if a.dtype.kind in "fi" else a.astype(str),
                                           b.astype(float) if a.dtype.kind in "fi" else b.astype(str),
                                           check_exact=False, rtol=1e-8, atol=1e-12, check_names=False)
    py = res.province_year.drop(columns="province").reset_index(drop=True)
    prov = prov[py.columns].sort_values(["code", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(py.astype(float), prov.astype(float), check_exact=False, rtol=1e-8, atol=1e-12)


def test_pipeline_aggregates_identical_run_to_run(demo):
    a, b = _pipeline(demo), _pipeline(demo)
    for name, table in a.aggregates().items():
        pd.testing.assert_frame_equal(table, getattr(b, name), check_exact=True, obj=name)
    pd.testing.assert_frame_equal(a.benchmarks, b.benchmarks, check_exact=True)
    pd.testing.assert_frame_equal(a.firm_year, b.firm_year, check_exact=True)


def test_sql_peer_equals_pipeline_at_one_million_rows(tmp_path):
    # the size of the benchmark's 2x target: the outputs the benchmark times are the same
    # numbers (its compare_outputs is what it prints after each --peer run)
    bench = _bench()
    data = tmp_path / "tx"
    write_firm_transactions(data, rows=1_000_000)
    con = connect_duckdb(memory_limit="2GB", threads=2)
    result = firm_pipeline(con, open_transactions(con, data, ColumnMap()), spec=FirmMeasureSpec(growth_paths=False),
                           out_dir=tmp_path / "pipeline")
    result.province_year.to_parquet(tmp_path / "pipeline" / "province_year.parquet")
    bench.run_sql_peer(data, tmp_path / "sql", memory_limit="2GB", threads=2).to_parquet(
        tmp_path / "sql" / "province_year.parquet")
    assert len(pd.read_parquet(tmp_path / "sql" / "firm_year.parquet")) > 30_000
    assert bench.compare_outputs(tmp_path / "pipeline", tmp_path / "sql") <= 1e-8
    # the comparison is not blind: a changed export value is found
    fy = pd.read_parquet(tmp_path / "sql" / "firm_year.parquet")
    fy.loc[fy.index[fy["exports"] > 0][10], "exports"] *= 1 + 1e-6
    fy.to_parquet(tmp_path / "sql" / "firm_year.parquet")
    assert bench.compare_outputs(tmp_path / "pipeline", tmp_path / "sql") > 1e-8
