"""The Ibis pipeline (DuckDB; PySpark in a slow test) gives the pandas reference's results.

"Identical" means every table has the same rows, columns, dtypes and values, floats up to
the order of floating-point summation (relative 1e-9).
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo_firms import FIRM_DEMO_COLUMNS, write_firm_transactions
from exportlens.errors import DataFormatError, MissingColumnError
from exportlens.firms import (
    ColumnMap,
    FirmMeasureSpec,
    InvalidRowsError,
    connect_duckdb,
    firm_measures_pandas,
    firm_pipeline,
    open_transactions,
)
from exportlens.firms.io import read_transactions_pandas
from exportlens.firms.measures import GROWTH_PATH_COLUMNS
from test_firms_measures import COLUMNS, SPEC, hand_table, invalid_table

TABLES = ["firm_year", "firm_shock", "national_year", "province_year", "industry_year", "group_year",
          "national_shock", "province_shock", "industry_shock", "group_shock", "benchmarks"]


def _text_as_string(frame: pd.DataFrame) -> pd.DataFrame:
    # pandas 2 keeps text in object columns, where an engine's None and pandas' NaN are both
    # "missing" but compare unequal; pandas 3's string dtype has one NA. Compare as strings.
    text = [c for c in frame.columns if frame[c].dtype == object]
    return frame.astype({c: "string" for c in text}) if text else frame


def assert_same(a, b) -> None:
    for name in TABLES:
        left, right = getattr(a, name), getattr(b, name)
        if isinstance(left, pd.DataFrame) and isinstance(right, pd.DataFrame):
            left, right = _text_as_string(left), _text_as_string(right)
        try:
            pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9, atol=1e-12)
        except AssertionError as exc:
            raise AssertionError(f"table {name}: {exc}") from None
    assert a.validation.invalid == b.validation.invalid
    assert a.validation.rows_read == b.validation.rows_read
    assert a.validation.unknown_provinces == b.validation.unknown_provinces
    assert a.firms == b.firms
    assert a.notes == b.notes


def run_duckdb(path, columns=COLUMNS, spec=SPEC, **kw):
    con = connect_duckdb(memory_limit="1GB", threads=2)
    return firm_pipeline(con, open_transactions(con, path, columns), columns=columns, spec=spec, **kw)


@pytest.fixture(scope="module")
def hand_parquet(tmp_path_factory):
    path = tmp_path_factory.mktemp("hand") / "tx.parquet"
    hand_table().to_parquet(path, index=False)
    return path


def test_hand_table_duckdb_equals_pandas(hand_parquet):
    ref = firm_measures_pandas(hand_table(), columns=COLUMNS, spec=SPEC)
    assert_same(run_duckdb(hand_parquet), ref)


def test_invalid_rows_in_csv_dropped_identically(tmp_path):
    # CSV: every cell is text, and the labels are incomplete (row-by-row rule path)
    table = invalid_table()
    folder = tmp_path / "csv"
    folder.mkdir()
    table.iloc[:20].to_csv(folder / "part1.csv", index=False)
    table.iloc[20:].to_csv(folder / "part2.csv", index=False)
    spec = FirmMeasureSpec(shock_year=2009, recovery_year=2011, invalid="drop")
    duck = run_duckdb(folder, spec=spec)
    ref = firm_measures_pandas(read_transactions_pandas(folder, COLUMNS), columns=COLUMNS, spec=spec)
    assert_same(duck, ref)
    assert duck.validation.rows_invalid == 14
    clean = firm_measures_pandas(hand_table(), columns=COLUMNS, spec=SPEC)
    pd.testing.assert_frame_equal(duck.firm_year, clean.firm_year, check_exact=False, rtol=1e-12)


def test_value_and_region_errors_use_the_fast_exact_path(tmp_path):
    # complete identifiers: counts come from the (year, province, industry) grouping
    table = hand_table()
    extra = pd.DataFrame([
        ("H1", "p1", "USA", 2008, -5.0, "北京市", "A"), ("H2", "p1", "USA", 2008, np.nan, "广东省", "B"),
        ("H3", "p1", "USA", 1800, 5.0, "广东省", "B"), ("H4", "p1", "USA", 2009, 5.0, "火星省", "B"),
        ("H5", "p1", "USA", 2009, -1.0, "火星省", "B"), ("H6", "p1", "USA", 2010, 5.0, None, "B"),
        ("H7", "p1", "USA", 2010, 5.0, "上海市", None), ("H8", "p1", "USA", 2011, np.inf, "上海市", "A"),
    ], columns=table.columns)
    path = tmp_path / "tx.parquet"
    pd.concat([table, extra], ignore_index=True).to_parquet(path, index=False)
    spec = FirmMeasureSpec(shock_year=2009, recovery_year=2011, invalid="drop")
    duck = run_duckdb(path, spec=spec)
    assert duck.validation.filter_plan["exact"] is False
    ref = firm_measures_pandas(pd.read_parquet(path), columns=COLUMNS, spec=spec)
    assert_same(duck, ref)
    assert duck.validation.invalid["negative_value"] == 2 and duck.validation.invalid["unknown_province"] == 1
    assert duck.validation.invalid["unparseable_value"] == 1 and duck.validation.invalid["implausible_year"] == 1


def test_grouped_validation_report_equals_the_row_by_row_report(tmp_path):
    # the report rolled up from the (year, province, industry) groups must equal the exact
    # row-by-row one: counts by reason, unknown provinces (rows failing a value rule first are
    # not theirs), the valid years and the values the clean filter drops
    from exportlens.firms import connect_duckdb, open_transactions
    from exportlens.firms.io import (
        _validate_exact,
        labels_complete,
        report_from_groups,
        validation_groups,
    )

    extra = pd.DataFrame([
        ("H1", "p1", "USA", 2008, -5.0, "北京市", "A"), ("H2", "p1", "USA", 2008, np.nan, "广东省", "B"),
        ("H3", "p1", "USA", 1800, 5.0, "广东省", "B"), ("H4", "p1", "USA", 2009, 5.0, "火星省", "B"),
        ("H5", "p1", "USA", 2009, -1.0, "火星省", "B"), ("H6", "p1", "USA", 2010, 5.0, None, "B"),
        ("H7", "p1", "USA", 2010, 5.0, "上海市", None), ("H8", "p1", "USA", 2011, np.inf, "上海市", "A"),
        ("H9", "p1", "USA", 2012, 2.0, "月球", "C"), ("H9", "p2", "USA", 2012, 3.0, "月球", "C"),
        ("H9", "p3", "USA", 2013, -3.0, "月球", "C"),  # only a value failure: not counted for 月球
    ], columns=hand_table().columns)
    path = tmp_path / "tx.parquet"
    pd.concat([hand_table(), extra], ignore_index=True).to_parquet(path, index=False)
    con = connect_duckdb(memory_limit="1GB", threads=1)
    raw = open_transactions(con, path, COLUMNS)
    assert labels_complete(raw, COLUMNS)
    grouped = report_from_groups(validation_groups(raw, COLUMNS), COLUMNS)
    exact = _validate_exact(raw, COLUMNS)
    assert grouped.invalid == exact.invalid
    assert grouped.invalid["unknown_province"] == 3 and grouped.invalid["negative_value"] == 3
    assert grouped.unknown_provinces == exact.unknown_provinces == {"火星省": 1, "月球": 2}
    assert grouped.rows_read == exact.rows_read == len(hand_table()) + len(extra)
    assert grouped.years == exact.years
    assert sorted(grouped.unknown_province_values) == sorted(exact.unknown_province_values)
    assert grouped.province_codes == exact.province_codes
    plan = grouped.filter_plan
    assert sorted(plan["bad_values"]["province"]) == ["月球", "火星省"] and plan["null_values"]["province"]
    assert plan["bad_values"]["year"] == [1800] and plan["null_values"]["industry"]


def test_text_values_in_csv_with_complete_ids_use_the_grouped_validation(tmp_path):
    # CSV (all text) with complete firm/product/destination ids: validation and the firm x year x
    # province x industry table come from one grouping; text-only failures (blank or unparseable
    # value, a fractional year, "2008.0" next to "2008") must be counted and dropped like pandas does
    table = hand_table().astype({"year": "int64"}).astype(str)
    extra = pd.DataFrame([
        ("H1", "p1", "USA", "2008", " ", "北京市", "A"), ("H2", "p1", "USA", "2008", "abc", "广东省", "B"),
        ("H3", "p1", "USA", "2008.5", "5", "广东省", "B"), ("H4", "p1", "USA", "2009", "-2", "火星省", "B"),
        ("F1", "p9", "JPN", "2008.0", "7.5", "广东省", "B"), ("H5", "p1", "USA", "2010", "inf", "上海市", "A"),
        ("H6", "p1", "USA", "2010", "", "上海市", "A"),
    ], columns=table.columns)
    path = tmp_path / "tx.csv"
    pd.concat([table, extra], ignore_index=True).to_csv(path, index=False)
    spec = FirmMeasureSpec(shock_year=2009, recovery_year=2011, invalid="drop")
    out = tmp_path / "out"
    duck = run_duckdb(path, spec=spec)
    assert duck.validation.filter_plan["exact"] is False
    ref = firm_measures_pandas(read_transactions_pandas(path, COLUMNS), columns=COLUMNS, spec=spec)
    assert_same(duck, ref)
    assert duck.validation.rows_invalid == 6 and duck.validation.invalid["missing_value"] == 2
    # the row with year "2008.0" is valid and joins firm F1's 2008 exports
    assert ref.firm_year.loc[(ref.firm_year["firm"] == "F1") & (ref.firm_year["year"] == 2008), "n_products"].item() >= 2
    with pytest.raises(InvalidRowsError):  # a run that stops on invalid rows leaves no output folder
        run_duckdb(path, out_dir=out)
    assert not out.exists()


def test_firm_years_with_several_provinces_and_industries_equal_pandas(tmp_path):
    # firm-years with one province and industry take the one-aggregate path, the others the
    # general rule; both stacked must give what pandas gives (ties: smallest code / industry)
    extra = pd.DataFrame([
        ("M1", "p1", "USA", 2008, 5.0, "广东省", "B"), ("M1", "p2", "USA", 2008, 5.0, "北京市", "A"),  # tie
        ("M1", "p1", "USA", 2009, 9.0, "广东省", "B"), ("M1", "p1", "JPN", 2009, 3.0, "广东省", "A"),
        ("M2", "p1", "USA", 2008, 4.0, "上海市", "C"), ("M2", "p2", "USA", 2008, 3.0, "上海", "A"),
        ("M2", "p3", "USA", 2008, 2.0, "江苏省", "A"),  # Shanghai 7 (two spellings) > Jiangsu 2; A 5 > C 4
        ("M2", "p1", "USA", 2009, 6.0, "上海市", "C"), ("M3", "p1", "USA", 2009, 1.0, "江苏省", "A"),
        ("M3", "p1", "USA", 2010, 2.0, "江苏省", "A"), ("M3", "p2", "USA", 2010, 2.0, "江苏省", "B"),  # tie A/B
    ], columns=hand_table().columns)
    table = pd.concat([hand_table(), extra], ignore_index=True)
    path = tmp_path / "tx.parquet"
    table.to_parquet(path, index=False)
    duck = run_duckdb(path)
    assert_same(duck, firm_measures_pandas(table, columns=COLUMNS, spec=SPEC))
    fy = duck.firm_year.set_index(["firm", "year"])
    assert fy.loc[("M1", 2008), ["code", "n_provinces", "industry", "n_industries"]].tolist() == [110000, 2, "A", 2]
    assert fy.loc[("M1", 2009), ["code", "n_provinces", "industry", "n_industries"]].tolist() == [440000, 1, "B", 2]
    assert fy.loc[("M2", 2008), ["code", "n_provinces", "industry", "n_industries", "exports"]].tolist() == \
        [310000, 2, "A", 2, 9.0]
    assert fy.loc[("M3", 2010), ["code", "n_provinces", "industry", "n_industries"]].tolist() == [320000, 1, "A", 2]


def test_invalid_rows_raise_with_the_same_counts(tmp_path):
    path = tmp_path / "bad.csv"
    invalid_table().to_csv(path, index=False)
    with pytest.raises(InvalidRowsError) as err:
        run_duckdb(path)
    with pytest.raises(InvalidRowsError) as ref_err:
        firm_measures_pandas(read_transactions_pandas(path, COLUMNS), columns=COLUMNS, spec=SPEC)
    assert err.value.report.invalid == ref_err.value.report.invalid
    assert "unparseable year: 1" in str(err.value) and "'20x8'" in str(err.value)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("syn") / "transactions"
    write_firm_transactions(path, rows=30_000, seed=7)
    return path


def test_synthetic_transactions_duckdb_equals_pandas(synthetic, tmp_path):
    cols = ColumnMap.from_mapping(FIRM_DEMO_COLUMNS)
    spec = FirmMeasureSpec(shock_year=2009)
    ref = firm_measures_pandas(read_transactions_pandas(synthetic, cols), columns=cols, spec=spec)
    duck = run_duckdb(synthetic, columns=cols, spec=spec)
    assert_same(duck, ref)
    # written out of core: firm tables on disk, the work folder gone
    out = tmp_path / "out"
    on_disk = run_duckdb(synthetic, columns=cols, spec=spec, out_dir=out)
    assert on_disk.firm_year is None and on_disk.files["firm_year"] == out / "firm_year.parquet"
    written = pd.read_parquet(on_disk.files["firm_shock"]).astype({"exit_year": "Int64"})
    pd.testing.assert_frame_equal(written, ref.firm_shock, check_exact=False, rtol=1e-9)
    assert not (out / "_work").exists()


def test_duckdb_settings_are_explicit(tmp_path):
    con = connect_duckdb(memory_limit="1GB", threads=2, temp_directory=tmp_path / "spill")
    settings = con.raw_sql(
        "select current_setting('threads'), current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone()
    assert settings[0] == 2 and settings[1].replace(" ", "").lower().startswith(("1.0gib", "953.6mib", "1gb", "1.0gb"))
    assert settings[2] == str(tmp_path / "spill") and (tmp_path / "spill").is_dir()


def test_input_errors(tmp_path, hand_parquet):
    con = connect_duckdb(memory_limit="1GB")
    with pytest.raises(MissingColumnError, match=r"'value_usd' \(role value\).*Available columns"):
        open_transactions(con, hand_parquet, ColumnMap(firm="firm", product="hs", destination="dest",
                                                        province="prov", industry="ind"))
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(hand_parquet, mixed / "a.parquet")
    hand_table().to_csv(mixed / "b.csv", index=False)
    with pytest.raises(DataFormatError, match="both Parquet"):
        open_transactions(con, mixed, COLUMNS)
    with pytest.raises(DataFormatError, match="does not exist"):
        open_transactions(con, tmp_path / "nowhere", COLUMNS)
    gap = tmp_path / "gap.parquet"
    hand_table().query("year != 2009").to_parquet(gap, index=False)
    with pytest.raises(DataFormatError, match=r"no valid rows in \[2009\]"):
        run_duckdb(gap)


def _spark_available() -> str | None:
    if shutil.which("java") is None:
        return "java is not installed"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'exportlens[spark]')"
    return None


@pytest.fixture(scope="module")
def spark_session():
    """A local-mode Spark session; skipped where Java or PySpark is missing, except in CI
    (``EXPORTLENS_REQUIRE_SPARK=1``, set by ``.ci/run``), where that is a failure."""
    reason = _spark_available()
    if reason is not None:
        if os.environ.get("EXPORTLENS_REQUIRE_SPARK"):
            pytest.fail(f"EXPORTLENS_REQUIRE_SPARK is set but {reason}")
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("exportlens-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    yield session
    session.stop()


@pytest.mark.slow
def test_pyspark_local_mode_equals_pandas_and_duckdb(spark_session, hand_parquet, synthetic):
    """The same Ibis pipeline on PySpark (local mode) and on DuckDB: every table (firm-year, firm-shock
    and all aggregates) equal to each other and to the pandas reference (relative 1e-9)."""
    import ibis

    con = ibis.pyspark.connect(spark_session)
    spark = firm_pipeline(con, open_transactions(con, hand_parquet, COLUMNS), columns=COLUMNS, spec=SPEC)
    assert_same(spark, firm_measures_pandas(hand_table(), columns=COLUMNS, spec=SPEC))
    assert_same(spark, run_duckdb(hand_parquet))
    cols = ColumnMap.from_mapping(FIRM_DEMO_COLUMNS)
    spec = FirmMeasureSpec(shock_year=2009)
    spark = firm_pipeline(con, open_transactions(con, synthetic, cols), columns=cols, spec=spec)
    assert_same(spark, firm_measures_pandas(read_transactions_pandas(synthetic, cols), columns=cols, spec=spec))
    duck = run_duckdb(synthetic, columns=cols, spec=spec)
    assert_same(spark, duck)
    assert len(spark.firm_year) > 1000 and len(duck.province_year) > 0
    # the growth paths (issue 16): every column populated, equal on both engines, and the
    # margins add up to DHS growth on Spark as on DuckDB
    fy_s, fy_d = spark.firm_year, duck.firm_year
    for c in GROWTH_PATH_COLUMNS:
        assert fy_s[c].notna().sum() > 500, c
        pd.testing.assert_series_equal(fy_s[c].astype(float), fy_d[c].astype(float), check_exact=False,
                                       rtol=1e-9, atol=1e-12, obj=c)
    assert (fy_s["new_products"].fillna(0) > 0).any() and (fy_s["product_switching"].fillna(0) > 0).any()
    ok = fy_s["dhs_growth"].notna()
    np.testing.assert_allclose((fy_s["margin_extensive"] + fy_s["margin_intensive"])[ok], fy_s["dhs_growth"][ok],
                               rtol=1e-9, atol=1e-12)


def test_hand_table_duckdb_equals_pandas_without_growth_paths(hand_parquet):
    spec = FirmMeasureSpec(shock_year=2009, recovery_year=2011, growth_paths=False)
    assert_same(run_duckdb(hand_parquet, spec=spec), firm_measures_pandas(hand_table(), columns=COLUMNS, spec=spec))
