"""Firm measures against hand computations on a small table written here (pandas reference).

The transaction table below has five firms, 2007-2011, shock 2009 (base 2008, recovery
2011). Every expected number in this file is worked out by hand from that table; the
arithmetic is written next to it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import DataFormatError, InputError, MissingColumnError
from exportlens.firms import (
    REASONS,
    ColumnMap,
    FirmMeasureSpec,
    InvalidRowsError,
    firm_measures_pandas,
    weighted_mean,
)
from exportlens.firms.io import validate_pandas
from exportlens.firms.measures import GROWTH_PATH_COLUMNS, check_consecutive_years
from exportlens.measures import dhs_growth, resistance_recovery

COLUMNS = ColumnMap(firm="firm", product="hs", destination="dest", year="year", value="value",
                    province="prov", industry="ind")
SPEC = FirmMeasureSpec(shock_year=2009, recovery_year=2011)

ROWS = [
    # F1, Beijing (two spellings), industry A: exits in 2010, re-enters in 2011
    ("F1", "p1", "USA", 2007, 10.0, "北京市", "A"), ("F1", "p2", "JPN", 2007, 30.0, "北京市", "A"),
    ("F1", "p1", "USA", 2008, 20.0, "北京", "A"), ("F1", "p1", "JPN", 2008, 20.0, "北京", "A"),
    ("F1", "p1", "USA", 2009, 30.0, "北京市", "A"),
    ("F1", "p1", "USA", 2011, 10.0, "北京市", "A"),
    # F2, Guangdong, industry B: two rows of the same key in 2008 (summed: 100)
    ("F2", "p3", "DEU", 2007, 50.0, "广东省", "B"),
    ("F2", "p3", "DEU", 2008, 60.0, "广东省", "B"), ("F2", "p3", "DEU", 2008, 40.0, "广东省", "B"),
    ("F2", "p3", "DEU", 2009, 50.0, "广东省", "B"), ("F2", "p3", "DEU", 2010, 100.0, "广东省", "B"),
    ("F2", "p3", "DEU", 2011, 150.0, "广东省", "B"),
    # F3, Guangdong, industry A: enters 2008, exits 2009
    ("F3", "p1", "USA", 2008, 10.0, "广东省", "A"),
    # F4, Shanghai (and a little from Jiangsu in 2007), industry B
    ("F4", "p3", "USA", 2007, 20.0, "上海市", "B"), ("F4", "p4", "USA", 2007, 5.0, "江苏省", "B"),
    ("F4", "p3", "USA", 2008, 40.0, "上海市", "B"), ("F4", "p3", "USA", 2009, 60.0, "上海市", "B"),
    ("F4", "p3", "USA", 2010, 60.0, "上海市", "B"), ("F4", "p3", "USA", 2011, 60.0, "上海市", "B"),
    # F5, Sichuan, industry A: enters 2010
    ("F5", "p5", "KOR", 2010, 10.0, "四川省", "A"),
    ("F5", "p5", "KOR", 2011, 20.0, "四川省", "A"), ("F5", "p6", "JPN", 2011, 20.0, "四川省", "A"),
]


def hand_table() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=["firm", "hs", "dest", "year", "value", "prov", "ind"])


@pytest.fixture(scope="module")
def result():
    return firm_measures_pandas(hand_table(), columns=COLUMNS, spec=SPEC)


def fy_row(result, firm, year):
    fy = result.firm_year
    rows = fy[(fy["firm"] == firm) & (fy["year"] == year)]
    assert len(rows) == 1, (firm, year)
    return rows.iloc[0]


# --- aggregation weights (the formulas' kernels are tested in test_kernels.py) ----------------


def test_weighted_mean_skips_missing_values_and_their_weights():
    assert weighted_mean(np.array([1.0, np.nan, 3.0]), np.array([1.0, 100.0, 3.0])) == pytest.approx(10 / 4)
    assert math.isnan(weighted_mean(np.array([np.nan]), np.array([1.0])))


# --- firm-year measures ------------------------------------------------------------------


def test_firm_year_grid_has_exit_rows_and_first_year(result):
    fy = result.firm_year
    # F1 5 (incl. exit row 2010), F2 5, F3 2 (incl. exit 2009), F4 5, F5 2
    assert len(fy) == 19
    assert fy_row(result, "F1", 2010)["status"] == "exit" and fy_row(result, "F1", 2010)["exports"] == 0
    assert fy_row(result, "F3", 2009)["status"] == "exit"
    first = fy[fy["year"] == 2007]
    assert first["dhs_growth"].isna().all() and first["status"].isna().all() and first["exports_lag"].isna().all()


@pytest.mark.parametrize(("firm", "year", "exports", "lag", "dhs", "status"), [
    ("F1", 2008, 40, 40, 0.0, "continuer"),
    ("F1", 2009, 30, 40, 2 * (30 - 40) / 70, "continuer"),
    ("F1", 2010, 0, 30, -2.0, "exit"),
    ("F1", 2011, 10, 0, 2.0, "entry"),  # re-entry is entry
    ("F2", 2008, 100, 50, 2 * 50 / 150, "continuer"),  # duplicate key rows summed: 60 + 40
    ("F2", 2011, 150, 100, 2 * 50 / 250, "continuer"),
    ("F3", 2008, 10, 0, 2.0, "entry"),
    ("F4", 2008, 40, 25, 2 * 15 / 65, "continuer"),  # 2007: 20 (Shanghai) + 5 (Jiangsu)
    ("F5", 2011, 40, 10, 2 * 30 / 50, "continuer"),
])
def test_dhs_growth_and_status(result, firm, year, exports, lag, dhs, status):
    r = fy_row(result, firm, year)
    assert r["exports"] == exports and r["exports_lag"] == lag
    assert r["dhs_growth"] == pytest.approx(dhs)
    assert r["status"] == status


def test_dhs_equals_the_province_level_function(result):
    # The same rate by exportlens.measures.dhs_growth on the complete firm x year grid.
    fy = result.firm_year
    wide = fy.pivot(index="firm", columns="year", values="exports").reindex(columns=range(2007, 2012)).fillna(0.0)
    long = wide.stack().rename("e").reset_index()
    long["g"] = dhs_growth(long, region="firm", time="year", exports="e").to_numpy()
    merged = fy.merge(long, on=["firm", "year"])
    np.testing.assert_allclose(merged["dhs_growth"], merged["g"], equal_nan=True)


def test_diversification_counts_and_hhi(result):
    r = fy_row(result, "F1", 2007)  # p1 10, p2 30; USA 10, JPN 30
    assert (r["n_products"], r["n_destinations"]) == (2, 2)
    assert r["hhi_products"] == pytest.approx(0.625) and r["hhi_destinations"] == pytest.approx(0.625)
    r = fy_row(result, "F1", 2008)  # p1 40; USA 20, JPN 20
    assert (r["n_products"], r["n_destinations"]) == (1, 2)
    assert r["hhi_products"] == 1.0 and r["hhi_destinations"] == pytest.approx(0.5)
    r = fy_row(result, "F4", 2007)  # p3 20, p4 5
    assert r["hhi_products"] == pytest.approx(0.8**2 + 0.2**2)
    r = fy_row(result, "F1", 2010)  # exit row: nothing exported
    assert (r["n_products"], r["n_destinations"]) == (0, 0) and math.isnan(r["hhi_products"])


def test_dominant_province_and_exit_rows_keep_last_year(result):
    r = fy_row(result, "F4", 2007)  # Shanghai 20 > Jiangsu 5
    assert r["code"] == 310000 and r["n_provinces"] == 2
    assert fy_row(result, "F1", 2008)["code"] == 110000  # "北京" and "北京市" are one province
    exit_row = fy_row(result, "F1", 2010)
    assert exit_row["code"] == 110000 and exit_row["industry"] == "A" and exit_row["n_provinces"] == 0
    assert any("more than one province" in n for n in result.notes)


# --- shock measures --------------------------------------------------------------------------


def shock_row(result, firm):
    fs = result.firm_shock.set_index("firm")
    return fs.loc[firm]


def test_cohort_survival_and_exit_year(result):
    fs = result.firm_shock
    assert sorted(fs["firm"]) == ["F1", "F2", "F3", "F4"]  # exporting in 2008; F5 enters later
    assert shock_row(result, "F1")["exit_year"] == 2010
    assert shock_row(result, "F3")["exit_year"] == 2009
    assert pd.isna(shock_row(result, "F2")["exit_year"]) and pd.isna(shock_row(result, "F4")["exit_year"])
    assert list(fs.set_index("firm").loc[["F1", "F2", "F3", "F4"], "survived_shock"]) == [True, True, False, True]
    assert list(fs.set_index("firm").loc[["F1", "F2", "F3", "F4"], "survived_recovery"]) == [False, True, False, True]


def test_growth_and_national_resistance_recovery(result):
    # national totals: 2008 190, 2009 140, 2011 260 -> gN^c = -5/19, gN^v = 6/7
    bn = result.benchmarks.iloc[0]
    assert bn["growth_contraction"] == pytest.approx(-50 / 190)
    assert bn["growth_recovery"] == pytest.approx(120 / 140)
    expected = {  # growth_contraction, growth_recovery, resistance, recovery
        "F1": (-0.25, -2 / 3, 0.05, -16 / 9),
        "F2": (-0.5, 2.0, -0.9, 4 / 3),
        "F3": (-1.0, np.nan, -2.8, np.nan),
        "F4": (0.5, 0.0, 2.9, -1.0),
    }
    for firm, (gc, gv, res, rec) in expected.items():
        r = shock_row(result, firm)
        assert r["growth_contraction"] == pytest.approx(gc)
        assert r["resistance_national"] == pytest.approx(res)
        if np.isnan(gv):
            assert np.isnan(r["growth_recovery"]) and np.isnan(r["recovery_national"])
        else:
            assert r["growth_recovery"] == pytest.approx(gv)
            assert r["recovery_national"] == pytest.approx(rec)


def test_industry_benchmark(result):
    # industry A: 2008 50, 2009 30, 2011 50 -> -0.4, 2/3; industry B: 140, 110, 210 -> -3/14, 10/11
    bi = result.benchmarks[result.benchmarks["scope"] == "industry"].set_index("industry")
    assert bi.loc["A", "growth_contraction"] == pytest.approx(-0.4)
    assert bi.loc["B", "growth_recovery"] == pytest.approx(10 / 11)
    expected = {"F1": (0.375, -2.0), "F2": (-4 / 3, 1.2), "F3": (-1.5, np.nan), "F4": (10 / 3, -1.0)}
    for firm, (res, rec) in expected.items():
        r = shock_row(result, firm)
        assert r["resistance_industry"] == pytest.approx(res)
        assert (np.isnan(r["recovery_industry"]) if np.isnan(rec) else r["recovery_industry"] == pytest.approx(rec))


def test_resistance_matches_the_province_level_lagravinese():
    # With only F2 and F4 the nation is F2 + F4: the firm indices must equal
    # exportlens.measures.resistance_recovery applied to the two firms as "regions".
    table = hand_table()
    table = table[table["firm"].isin(["F2", "F4"])]
    res = firm_measures_pandas(table, columns=COLUMNS, spec=SPEC)
    panel = res.firm_year[["firm", "year", "exports"]]
    ref = resistance_recovery(panel, region="firm", time="year", exports="exports", national_from="sum",
                              contraction=(2008, 2009), recovery=(2009, 2011)).to_frame()
    fs = res.firm_shock.set_index("firm")
    np.testing.assert_allclose(fs.loc[ref.index, "resistance_national"], ref["resistance"])
    np.testing.assert_allclose(fs.loc[ref.index, "recovery_national"], ref["recovery"])


# --- aggregates and weights ----------------------------------------------------------------


def test_national_year_table(result):
    nat = result.national_year.set_index("year")
    assert list(nat["n_firms"]) == [3, 4, 3, 3, 4]
    assert list(nat["exports"]) == [115, 190, 140, 170, 260]
    assert (nat.loc[2008, "n_entries"], nat.loc[2009, "n_exits"], nat.loc[2010, "n_exits"]) == (1, 1, 1)
    assert nat.loc[2009, "exit_rate"] == pytest.approx(1 / 4)  # F3 of F1, F2, F3, F4
    assert nat.loc[2010, "entry_rate"] == pytest.approx(1 / 3)  # F5 of F2, F4, F5
    assert np.isnan(nat.loc[2007, "entry_rate"]) and np.isnan(nat.loc[2007, "exit_rate"])
    # firm-weighted DHS 2008: (0 + 2/3 + 2 + 30/65) / 4
    assert nat.loc[2008, "dhs_growth_fw"] == pytest.approx((0 + 2 / 3 + 2 + 30 / 65) / 4)
    # HHI of products 2007: F1 0.625, F2 1, F4 0.68; weights 40, 50, 25
    assert nat.loc[2007, "hhi_products_fw"] == pytest.approx((0.625 + 1 + 0.68) / 3)
    assert nat.loc[2007, "hhi_products_vw"] == pytest.approx((40 * 0.625 + 50 + 25 * 0.68) / 115)
    assert nat.loc[2007, "n_products_mean"] == pytest.approx(5 / 3)


def test_value_weighted_dhs_is_the_dhs_of_totals(result):
    # Accounting identity: weights (E_t + E_t-1)/2 give 2(sum E_t - sum E_t-1)/(sum E_t + sum E_t-1).
    nat = result.national_year.set_index("year")
    totals = {2007: 115, 2008: 190, 2009: 140, 2010: 170, 2011: 260}
    for t in range(2008, 2012):
        assert nat.loc[t, "dhs_growth_vw"] == pytest.approx(2 * (totals[t] - totals[t - 1]) / (totals[t] + totals[t - 1]))
    gd = result.province_year.set_index(["code", "year"])  # Guangdong: F2 + F3, nobody moves
    assert gd.loc[(440000, 2008), "dhs_growth_vw"] == pytest.approx(2 * (110 - 50) / (110 + 50))


def test_survival_curve_and_value_weights(result):
    nat = result.national_year.set_index("year")
    assert nat.loc[2008, "survival_rate_fw"] == 1.0 and nat.loc[2008, "cohort_firms"] == 4
    assert nat.loc[2009, "survival_rate_fw"] == pytest.approx(3 / 4)
    assert nat.loc[2009, "survival_rate_vw"] == pytest.approx((40 + 100 + 40) / 190)
    assert nat.loc[2010, "cohort_survivors"] == 2
    assert nat.loc[2011, "survival_rate_vw"] == pytest.approx((100 + 40) / 190)
    assert np.isnan(nat.loc[2007, "survival_rate_fw"]) and nat.loc[2007, "cohort_firms"] == 0


def test_shock_aggregates_and_identities(result):
    n = result.national_shock.iloc[0]
    assert n["cohort_firms"] == 4 and n["exports_base"] == 190 and n["exports_shock"] == 140
    assert n["survival_shock_fw"] == pytest.approx(0.75) and n["survival_recovery_vw"] == pytest.approx(140 / 190)
    assert n["resistance_national_fw"] == pytest.approx((0.05 - 0.9 - 2.8 + 2.9) / 4)
    # weighted resistance = (cohort growth - gN)/|gN|; here the cohort is the nation: 0
    assert n["resistance_national_vw"] == pytest.approx(0.0, abs=1e-12)
    # recovery weights E_shock over firms alive in 2009: (30 (-16/9) + 50 (4/3) + 60 (-1)) / 140
    assert n["recovery_national_vw"] == pytest.approx((30 * -16 / 9 + 50 * 4 / 3 - 60) / 140)
    assert n["growth_recovery"] == pytest.approx((220 - 140) / 140)
    gn_v = 6 / 7
    assert n["recovery_national_vw"] == pytest.approx((n["growth_recovery"] - gn_v) / gn_v)
    assert n["recovery_national_fw"] == pytest.approx((-16 / 9 + 4 / 3 - 1) / 3)


def test_aggregation_weights_add_up(result):
    nat = result.national_year.set_index("year")
    for level, key in (("province", "code"), ("industry", "industry"), ("group", "group")):
        t = getattr(result, f"{level}_year")
        sums = t.groupby("year")[["n_firms", "exports", "n_entries", "n_exits", "cohort_firms", "cohort_survivors"]].sum()
        pd.testing.assert_frame_equal(sums, nat[sums.columns], check_dtype=False)
        s = getattr(result, f"{level}_shock")
        assert s["cohort_firms"].sum() == 4 and s["exports_base"].sum() == pytest.approx(190)
        # value-weighted survival = surviving base exports / base exports, group by group
        surv_exports = (s["survival_shock_vw"] * s["exports_base"]).sum()
        assert surv_exports == pytest.approx(180)
        assert key in s.columns
    gs = result.group_shock.set_index("group")
    assert gs.loc["east", "cohort_firms"] == 4 and "west" not in gs.index  # Sichuan's firm enters in 2010
    assert set(result.province_year["province"]) == {"北京市", "广东省", "上海市", "四川省"}


# --- validation ----------------------------------------------------------------------------


def invalid_table() -> pd.DataFrame:
    bad = [
        (None, "p1", "USA", 2008, 1.0, "北京市", "A"),       # missing firm
        ("G1", "p1", "USA", "20x8", 1.0, "北京市", "A"),     # unparseable year
        ("G2", "p1", "USA", 1890, 1.0, "北京市", "A"),       # implausible year
        ("G3", "p1", "USA", 2008, None, "北京市", "A"),      # missing value
        ("G4", "p1", "USA", 2008, "abc", "北京市", "A"),     # unparseable value
        ("G5", "p1", "USA", 2008, -3.0, "北京市", "A"),      # negative value
        ("G6", " ", "USA", 2008, 1.0, "北京市", "A"),        # blank product
        ("G7", "p1", None, 2008, 1.0, "北京市", "A"),        # missing destination
        ("G8", "p1", "USA", 2008, 1.0, None, "A"),           # missing province
        ("G9", "p1", "USA", 2008, 1.0, "火星省", "A"),        # unknown province
        ("G9", "p1", "USA", 2008, 1.0, "香港", "A"),          # not mainland
        ("G10", "p1", "USA", 2008, 1.0, "北京市", ""),       # blank industry
        (None, "p1", "USA", "x", -1.0, "火星省", None),       # several: the first (missing firm) counts
        ("G11", "p1", "USA", 2008, -2.0, "火星省", "A"),      # negative value before unknown province
    ]
    good = hand_table().astype({"year": object, "value": object})
    return pd.concat([good, pd.DataFrame(bad, columns=good.columns)], ignore_index=True)


def test_every_reason_counted_once_first_failing_wins():
    report, _std = validate_pandas(invalid_table(), COLUMNS)
    assert report.rows_read == len(ROWS) + 14 and report.rows_used == len(ROWS)
    expected = {"missing_firm": 2, "unparseable_year": 1, "implausible_year": 1, "missing_value": 1,
                "unparseable_value": 1, "negative_value": 2, "missing_product": 1, "missing_destination": 1,
                "missing_province": 1, "unknown_province": 2, "missing_industry": 1, "unparseable_month": 0,
                "future_year": 0}
    assert report.invalid == {k: expected[k] for k in REASONS}
    assert report.unknown_provinces == {"火星省": 1, "香港": 1}
    assert report.rows_used + sum(report.invalid.values()) == report.rows_read
    assert report.examples["negative_value"][0]["firm"] == "G5"


def test_invalid_rows_raise_by_default_with_counts_and_examples():
    with pytest.raises(InvalidRowsError) as err:
        firm_measures_pandas(invalid_table(), columns=COLUMNS, spec=SPEC)
    msg = str(err.value)
    assert "14 of 36" in msg and "negative export value: 2" in msg and "--drop-invalid" in msg
    assert "'G5'" in msg and err.value.report.invalid["unknown_province"] == 2


def test_drop_invalid_gives_the_clean_result_and_reports(result):
    spec = FirmMeasureSpec(shock_year=2009, recovery_year=2011, invalid="drop")
    dropped = firm_measures_pandas(invalid_table(), columns=COLUMNS, spec=spec)
    pd.testing.assert_frame_equal(dropped.firm_year, result.firm_year)
    pd.testing.assert_frame_equal(dropped.province_year, result.province_year)
    assert dropped.validation.rows_invalid == 14
    assert any("14 of 36 rows had invalid values" in n for n in dropped.notes)


def test_yyyymm_periods_are_summed_to_years(result):
    t = hand_table()
    t["year"] = t["year"] * 100 + 3
    t.loc[0, "year"] = 200713  # month 13
    cols = ColumnMap(**{**COLUMNS.to_dict(), "period_format": "yyyymm"})
    report, _ = validate_pandas(t, cols)
    assert report.invalid["unparseable_month"] == 1
    t.loc[0, "year"] = 200712
    res = firm_measures_pandas(t, columns=cols, spec=SPEC)
    pd.testing.assert_frame_equal(res.firm_year, result.firm_year)


# --- input errors --------------------------------------------------------------------------


def test_missing_columns_are_named():
    with pytest.raises(MissingColumnError, match=r"'value' \(role value\)"):
        firm_measures_pandas(hand_table().drop(columns="value"), columns=COLUMNS, spec=SPEC)


def test_column_map_errors():
    with pytest.raises(InputError, match="Unknown column role"):
        ColumnMap.from_mapping({"firms": "x"})
    with pytest.raises(InputError, match="more than one role"):
        ColumnMap(firm="a", product="a")
    with pytest.raises(InputError, match="period_format"):
        ColumnMap(period_format="month")


def test_years_must_be_consecutive_and_phases_inside():
    assert check_consecutive_years([2009, 2007, 2008]) == (2007, 2009)
    with pytest.raises(DataFormatError, match=r"no valid rows in \[2009\]"):
        check_consecutive_years([2008, 2010])
    t = hand_table()
    with pytest.raises(InputError, match="within the data"):
        firm_measures_pandas(t, columns=COLUMNS, spec=FirmMeasureSpec(shock_year=2010))  # recovery 2012
    with pytest.raises(InputError, match="base < shock < recovery"):
        FirmMeasureSpec(shock_year=2009, base_year=2009).phases(2007, 2011)
    with pytest.raises(InputError, match="grouping"):
        FirmMeasureSpec(grouping="provinces")


def test_small_benchmark_growth_leaves_indices_missing():
    t = hand_table()
    t.loc[(t["firm"] == "F2") & (t["year"] == 2009), "value"] = 101.0  # national 2009: 191 vs 190
    res = firm_measures_pandas(t, columns=COLUMNS, spec=SPEC)
    assert res.firm_shock["resistance_national"].isna().all()
    assert any("below 1.0%" in n and "national" in n for n in res.notes)


# --- growth paths (new products and markets, switching, margins), computed by hand ---------


@pytest.mark.parametrize(("firm", "year", "expected"), [
    # F1 2007 {p1-USA 10, p2-JPN 30} -> 2008 {p1-USA 20, p1-JPN 20}: p2 dropped, destinations kept;
    # pairs: (p1,JPN) +20 added, (p2,JPN) 30 dropped, (p1,USA) +10 kept; mid-point 40
    ("F1", 2008, {"new_products": 0, "new_products_share": 0.0, "new_destinations": 0,
                  "new_destinations_share": 0.0, "product_switching": 1 / 3, "destination_switching": 0.0,
                  "margin_extensive": 2 * (20 - 30) / 80, "margin_intensive": 2 * 10 / 80}),
    # F5 2010 {p5-KOR 10} -> 2011 {p5-KOR 20, p6-JPN 20}
    ("F5", 2011, {"new_products": 1, "new_products_share": 0.5, "new_destinations": 1,
                  "new_destinations_share": 0.5, "product_switching": 1 / 3, "destination_switching": 1 / 3,
                  "margin_extensive": 2 * 20 / 50, "margin_intensive": 2 * 10 / 50}),
    # entry: everything new, no switching rate, +2 extensive
    ("F5", 2010, {"new_products": 1, "new_products_share": 1.0, "new_destinations": 1,
                  "new_destinations_share": 1.0, "product_switching": None, "destination_switching": None,
                  "margin_extensive": 2.0, "margin_intensive": 0.0}),
    # exit row: nothing new, no share, -2 extensive
    ("F1", 2010, {"new_products": 0, "new_products_share": None, "new_destinations": 0,
                  "new_destinations_share": None, "product_switching": None, "destination_switching": None,
                  "margin_extensive": -2.0, "margin_intensive": 0.0}),
])
def test_growth_paths_by_hand(result, firm, year, expected):
    row = fy_row(result, firm, year)
    for col, want in expected.items():
        if want is None:
            assert pd.isna(row[col]), col
        else:
            assert row[col] == pytest.approx(want, abs=1e-12), col


def test_growth_paths_first_year_missing_and_margins_add_up_to_dhs(result):
    fy = result.firm_year
    first = fy[fy["year"] == 2007]
    assert first[["new_products", "new_products_share", "margin_extensive", "product_switching"]].isna().all().all()
    later = fy[fy["dhs_growth"].notna()]
    np.testing.assert_allclose(later["margin_extensive"] + later["margin_intensive"], later["dhs_growth"], atol=1e-12)


def test_growth_paths_off_leaves_them_missing_and_the_rest_unchanged(result):
    off = firm_measures_pandas(hand_table(), columns=COLUMNS,
                               spec=FirmMeasureSpec(shock_year=2009, recovery_year=2011, growth_paths=False))
    fy_on, fy_off = result.firm_year, off.firm_year
    assert fy_off[GROWTH_PATH_COLUMNS].isna().all().all()
    rest = [c for c in fy_on.columns if c not in GROWTH_PATH_COLUMNS]
    pd.testing.assert_frame_equal(fy_on[rest], fy_off[rest])
