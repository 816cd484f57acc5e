"""Tests of exportlens.measures.resilience against hand and loop computations."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import InputError, MissingColumnError, NonPositiveValueError
from exportlens.measures import (
    NationalTotalMismatchWarning,
    NonPositiveValueWarning,
    Phase,
    PhaseSignWarning,
    SmallNationalGrowthWarning,
    detect_phases,
    dhs_growth,
    expected_change_resilience,
    national_exports,
    relative_log_growth,
    resistance_recovery,
    sensitivity_index,
)

# --- data made in the tests ------------------------------------------------------------


def make_panel(years=range(2008, 2013), regions=("A", "B", "C"), seed=0, drop=()):
    """Long panel with positive exports; ``national`` = sum over all regions of the full panel."""
    rng = np.random.default_rng(seed)
    rows = [
        {"region": r, "year": y, "exports": float(rng.uniform(10, 200))}
        for r in regions
        for y in years
    ]
    df = pd.DataFrame(rows)
    df["national"] = df.groupby("year")["exports"].transform("sum")
    if drop:
        keep = [(r, y) not in drop for r, y in zip(df["region"], df["year"], strict=True)]
        df = df[keep].reset_index(drop=True)
    return df


def sl_loop(df, k, national="national"):
    """Straightforward SL: look up (region, year - k) in a dict; NaN when absent."""
    e = {(r, y): v for r, y, v in zip(df["region"], df["year"], df["exports"], strict=True)}
    n = {y: v for y, v in zip(df["year"], df[national], strict=True)}
    out = []
    for r, y in zip(df["region"], df["year"], strict=True):
        if (r, y - k) in e and (y - k) in n:
            out.append(
                (math.log(e[(r, y)]) - math.log(e[(r, y - k)]))
                - (math.log(n[y]) - math.log(n[y - k]))
            )
        else:
            out.append(float("nan"))
    return np.array(out)


KW = {"region": "region", "time": "year", "exports": "exports"}


# --- relative log growth ------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2])
def test_sl_equals_loop(k):
    df = make_panel()
    got = relative_log_growth(df, **KW, national="national", k=k)
    np.testing.assert_allclose(got.to_numpy(), sl_loop(df, k), equal_nan=True)
    assert got.index.equals(df.index)
    assert got.isna().sum() == 3 * k  # first k years of each region


@pytest.mark.parametrize("k", [1, 2])
def test_sl_region_gap_uses_exact_lag(k):
    df = make_panel(drop={("B", 2010)})
    got = relative_log_growth(df, **KW, national="national", k=k, tolerance=None)
    expected = sl_loop(df, k)
    np.testing.assert_allclose(got.to_numpy(), expected, equal_nan=True)
    b2011 = got[(df["region"] == "B") & (df["year"] == 2011)].iloc[0]
    b2012 = got[(df["region"] == "B") & (df["year"] == 2012)].iloc[0]
    if k == 1:
        assert np.isnan(b2011)  # lag 2010 is absent: not the 2009 value
        assert np.isfinite(b2012)
    else:
        assert np.isfinite(b2011)  # lag 2009 is present
        assert np.isnan(b2012)  # lag 2010 absent


def test_sl_year_gap_in_whole_panel():
    df = make_panel(years=[2009, 2010, 2012, 2013])
    got = relative_log_growth(df, **KW, national="national", k=1)
    np.testing.assert_allclose(got.to_numpy(), sl_loop(df, 1), equal_nan=True)
    assert got[df["year"] == 2012].isna().all()  # 2011 is absent: no lag from 2010
    assert got[df["year"] == 2013].notna().all()
    got2 = relative_log_growth(df, **KW, national="national", k=2)
    assert got2[df["year"] == 2012].notna().all()  # 2010 is exactly two years before
    np.testing.assert_allclose(got2.to_numpy(), sl_loop(df, 2), equal_nan=True)


def test_sl_row_order_and_index_do_not_matter():
    df = make_panel()
    shuffled = df.sample(frac=1.0, random_state=3)
    shuffled.index = [f"r{i}" for i in range(len(shuffled))]
    got = relative_log_growth(shuffled, **KW, national="national", k=1)
    np.testing.assert_allclose(got.to_numpy(), sl_loop(shuffled, 1), equal_nan=True)
    assert list(got.index) == list(shuffled.index)


def test_sl_national_column_vs_sum():
    df = make_panel()
    a = relative_log_growth(df, **KW, national="national")
    b = relative_log_growth(df, **KW, national_from="sum")
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), equal_nan=True)
    # a different national column gives a different (but still loop-equal) result
    df["nation"] = df["national"] * df["year"].map(
        {2008: 2.0, 2009: 2.1, 2010: 2.0, 2011: 2.2, 2012: 2.0}
    )
    with pytest.warns(NationalTotalMismatchWarning):
        c = relative_log_growth(df, **KW, national="nation")
    np.testing.assert_allclose(c.to_numpy(), sl_loop(df, 1, national="nation"), equal_nan=True)


def test_sl_mismatch_warning_names_years():
    df = make_panel()
    df.loc[df["year"] == 2010, "national"] *= 1.05
    df.loc[df["year"] == 2012, "national"] *= 0.995  # within the 1 % tolerance
    with pytest.warns(NationalTotalMismatchWarning) as rec:
        relative_log_growth(df, **KW, national="national")
    msg = str(rec[0].message)
    assert "2010" in msg and "2012" not in msg and "2008" not in msg
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        relative_log_growth(df, **KW, national="national", tolerance=0.06)
        relative_log_growth(df, **KW, national="national", tolerance=None)


def test_sl_national_must_be_constant_within_year():
    df = make_panel()
    df.loc[(df["year"] == 2011) & (df["region"] == "C"), "national"] += 1.0
    with pytest.raises(InputError, match="2011"):
        relative_log_growth(df, **KW, national="national")


def test_sl_national_source_must_be_stated():
    df = make_panel()
    with pytest.raises(InputError, match="national_from='sum'"):
        relative_log_growth(df, **KW)
    with pytest.raises(InputError, match="contradict"):
        relative_log_growth(df, **KW, national="national", national_from="sum")


@pytest.mark.parametrize("k", [4, 5, 99])
def test_sl_k_too_large(k):
    df = make_panel(years=range(2009, 2013))
    with pytest.raises(InputError, match=rf"k={k} is larger than the panel: periods 2009\.\.2012"):
        relative_log_growth(df, **KW, national="national", k=k)


@pytest.mark.parametrize("k", [0, -1, 1.0, True, "1"])
def test_sl_k_must_be_positive_int(k):
    with pytest.raises(InputError, match="positive integer"):
        relative_log_growth(make_panel(), **KW, national="national", k=k)


@pytest.mark.parametrize("bad", [0.0, -3.0, np.nan])
def test_sl_nonpositive_raises_naming_row(bad):
    df = make_panel()
    df.loc[7, "exports"] = bad
    region, year = df.loc[7, "region"], df.loc[7, "year"]
    with pytest.raises(NonPositiveValueError) as exc:
        relative_log_growth(df, **KW, national="national", tolerance=None)
    msg = str(exc.value)
    assert f"'{region}', {year}" in msg and "row 7" in msg


def test_sl_nonpositive_nan_policy():
    df = make_panel()
    df.loc[7, "exports"] = 0.0  # region B, 2010
    with pytest.warns(NonPositiveValueWarning, match="1 row"):
        got = relative_log_growth(df, **KW, national="national", tolerance=None, nonpositive="nan")
    b = df["region"] == "B"
    assert np.isnan(got[b & (df["year"] == 2010)]).all()
    assert np.isnan(got[b & (df["year"] == 2011)]).all()  # its lag is invalid
    assert got[b & (df["year"] == 2012)].notna().all()
    assert got[~b & (df["year"] > 2008)].notna().all()
    with pytest.raises(InputError, match="drop"):
        relative_log_growth(df, **KW, national="national", nonpositive="drop")


def test_sl_national_sum_with_missing_region_value_is_not_silent():
    df = make_panel()
    df.loc[7, "exports"] = np.nan
    with pytest.raises(NonPositiveValueError, match="national exports"):
        relative_log_growth(df, **KW, national_from="sum")


def test_sl_additive_over_years():
    df = make_panel(years=range(2005, 2013), seed=4)
    s1 = relative_log_growth(df, **KW, national="national", k=1)
    s2 = relative_log_growth(df, **KW, national="national", k=2)
    lag1 = df.assign(s1=s1).set_index(["region", "year"])["s1"]
    prev = pd.Series(
        [lag1.get((r, y - 1), np.nan) for r, y in zip(df["region"], df["year"], strict=True)],
        index=df.index,
    )
    np.testing.assert_allclose(s2.to_numpy(), (s1 + prev).to_numpy(), equal_nan=True)
    assert s2.notna().sum() == 3 * 6


def test_sl_period_dtype():
    df = make_panel()
    dfp = df.assign(year=pd.PeriodIndex(df["year"].astype(str), freq="Y"))
    got = relative_log_growth(dfp, **KW, national="national")
    np.testing.assert_allclose(got.to_numpy(), sl_loop(df, 1), equal_nan=True)


def test_missing_column_lists_available():
    df = make_panel()
    with pytest.raises(MissingColumnError) as exc:
        relative_log_growth(
            df, region="province", time="year", exports="exports", national="national"
        )
    assert (
        "'province'" in str(exc.value)
        and "Available columns" in str(exc.value)
        and "'region'" in str(exc.value)
    )


def test_duplicate_rows_listed():
    df = make_panel()
    df = pd.concat([df, df.iloc[[4]]], ignore_index=True)
    with pytest.raises(InputError, match=r"\('B', 2008\)|\('A', 2012\)") as exc:
        relative_log_growth(df, **KW, national="national")
    assert "duplicated" in str(exc.value)


def test_national_exports_series():
    df = make_panel()
    s = national_exports(df, **KW, national_from="sum")
    assert list(s.index) == list(range(2008, 2013))
    np.testing.assert_allclose(s.to_numpy(), df.groupby("year")["exports"].sum().to_numpy())


# --- DHS growth ----------------------------------------------------------------------


def test_dhs_formula_bounds_entry_exit():
    df = pd.DataFrame(
        {
            "region": ["A"] * 4 + ["B"] * 4 + ["C"] * 3,
            "year": [1, 2, 3, 4] * 2 + [1, 2, 4],
            "exports": [10.0, 15.0, 0.0, 0.0, 0.0, 5.0, 5.0, 2.0, 4.0, 8.0, 1.0],
        }
    )
    got = dhs_growth(df, **KW)
    exp = [
        np.nan,
        2 * 5 / 25,
        -2.0,
        np.nan,
        np.nan,
        2.0,
        0.0,
        2 * -3 / 7,
        np.nan,
        2 * 4 / 12,
        np.nan,
    ]
    np.testing.assert_allclose(got.to_numpy(), exp, equal_nan=True)
    assert ((got.dropna() >= -2) & (got.dropna() <= 2)).all()
    with pytest.raises(NonPositiveValueError, match="row 2"):
        dhs_growth(df.assign(exports=df["exports"].where(df.index != 2, -1.0)), **KW)


def test_dhs_bounds_random():
    df = make_panel(seed=9)
    df.loc[df.sample(5, random_state=1).index, "exports"] = 0.0
    got = dhs_growth(df, **KW).dropna()
    assert len(got) > 0 and got.between(-2, 2).all()


# --- phase-based measures ------------------------------------------------------------

# 3 regions, contraction 2008 -> 2009, recovery 2009 -> 2010; national = sum
TOY = pd.DataFrame(
    {
        "region": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
        "year": [2008, 2009, 2010] * 3,
        "exports": [100.0, 80.0, 110.0, 50.0, 45.0, 50.0, 30.0, 15.0, 40.0],
    }
)
TOY["national"] = TOY.groupby("year")["exports"].transform("sum")  # 180, 140, 200
PH = {"contraction": (2008, 2009), "recovery": (2009, 2010)}


def test_martin_beta_by_hand():
    res = sensitivity_index(TOY, **KW, national="national", **PH)
    t = res.to_frame()
    gn_c, gn_v = (140 - 180) / 180, (200 - 140) / 140
    g_c = {"A": -20 / 100, "B": -5 / 50, "C": -15 / 30}
    g_v = {"A": 30 / 80, "B": 5 / 45, "C": 25 / 15}
    for r in "ABC":
        assert t.loc[r, "beta_contraction"] == pytest.approx(g_c[r] / gn_c)
        assert t.loc[r, "beta_recovery"] == pytest.approx(g_v[r] / gn_v)
    assert t.loc["A", "beta_contraction"] == pytest.approx(0.9)
    assert res.national_growth["contraction"] == pytest.approx(gn_c)
    assert "Martin (2012)" in res.summary()


def test_lagravinese_by_hand():
    res = resistance_recovery(TOY, **KW, national="national", **PH)
    t = res.to_frame()
    gn_c, gn_v = -40 / 180, 60 / 140
    assert t.loc["A", "resistance"] == pytest.approx((-0.2 - gn_c) / abs(gn_c))  # 0.1
    assert t.loc["A", "resistance"] == pytest.approx(0.1)
    assert t.loc["C", "resistance"] == pytest.approx((-0.5 - gn_c) / abs(gn_c))
    assert t.loc["B", "recovery"] == pytest.approx((5 / 45 - gn_v) / abs(gn_v))
    # 1 - beta in the contraction (g_N < 0), beta - 1 in the recovery (g_N > 0)
    beta = sensitivity_index(TOY, **KW, national="national", **PH).to_frame()
    np.testing.assert_allclose(t["resistance"], 1 - beta["beta_contraction"])
    np.testing.assert_allclose(t["recovery"], beta["beta_recovery"] - 1)


def test_msgt_aggregate_equals_lagravinese():
    lag = resistance_recovery(TOY, **KW, national_from="sum", **PH).to_frame()
    msgt = expected_change_resilience(TOY, **KW, national_from="sum", **PH).to_frame()
    np.testing.assert_allclose(msgt["resistance"], lag["resistance"])
    np.testing.assert_allclose(msgt["recovery"], lag["recovery"])
    assert msgt.loc["A", "expected_change_contraction"] == pytest.approx(100 * -40 / 180)


def test_msgt_with_industries_is_hand_shift_share():
    # region x industry x year; national industry totals = sums over regions
    e = {
        ("A", "x"): (60.0, 40.0, 70.0),
        ("A", "y"): (40.0, 40.0, 40.0),
        ("B", "x"): (10.0, 8.0, 10.0),
        ("B", "y"): (40.0, 37.0, 40.0),
        ("C", "x"): (20.0, 5.0, 30.0),
        ("C", "y"): (10.0, 10.0, 10.0),
    }
    years = (2008, 2009, 2010)
    df = pd.DataFrame(
        [
            {"region": r, "ind": i, "year": y, "exports": v[j]}
            for (r, i), v in e.items()
            for j, y in enumerate(years)
        ]
    )
    # national industry totals, x: 90, 53, 110; y: 90, 87, 90
    nat = {i: [sum(v[j] for (_, ii), v in e.items() if ii == i) for j in range(3)] for i in "xy"}
    g_c = {i: (nat[i][1] - nat[i][0]) / nat[i][0] for i in "xy"}
    g_v = {i: (nat[i][2] - nat[i][1]) / nat[i][1] for i in "xy"}
    res = expected_change_resilience(df, **KW, industry="ind", national_from="sum", **PH)
    t = res.to_frame()
    for r in "ABC":
        d_c = sum(e[(r, i)][1] - e[(r, i)][0] for i in "xy")
        x_c = sum(g_c[i] * e[(r, i)][0] for i in "xy")
        d_v = sum(e[(r, i)][2] - e[(r, i)][1] for i in "xy")
        x_v = sum(g_v[i] * e[(r, i)][1] for i in "xy")
        assert t.loc[r, "expected_change_contraction"] == pytest.approx(x_c)
        assert t.loc[r, "resistance"] == pytest.approx((d_c - x_c) / abs(x_c))
        assert t.loc[r, "recovery"] == pytest.approx((d_v - x_v) / abs(x_v))
    assert res.national_industry_growth.loc["x", "national_growth_contraction"] == pytest.approx(
        g_c["x"]
    )
    # the industry mix matters: differs from the aggregate benchmark
    agg = expected_change_resilience(
        df.groupby(["region", "year"], as_index=False)["exports"].sum(),
        **KW,
        national_from="sum",
        **PH,
    ).to_frame()
    assert not np.allclose(agg["resistance"], t["resistance"])
    # a national industry column gives the same result
    df["nat_ind"] = df.groupby(["ind", "year"])["exports"].transform("sum")
    t2 = expected_change_resilience(df, **KW, industry="ind", national="nat_ind", **PH).to_frame()
    np.testing.assert_allclose(t2["resistance"], t["resistance"])


def test_phase_warnings_small_and_wrong_sign():
    df = TOY.copy()
    # national 2008 -> 2009: 180 -> 180.5, +0.3 % (tiny, and positive in a "contraction")
    df.loc[(df["region"] == "A") & (df["year"] == 2009), "exports"] = 120.5
    with (
        pytest.warns(SmallNationalGrowthWarning, match="explode"),
        pytest.warns(PhaseSignWarning, match="contraction"),
    ):
        resistance_recovery(df, **KW, national_from="sum", contraction=(2008, 2009))
    with pytest.warns(PhaseSignWarning, match="negative in a recovery"):
        sensitivity_index(TOY, **KW, national_from="sum", recovery=(2008, 2009))
    flat = TOY.copy()
    # national unchanged: 180 -> 180
    flat.loc[(flat["region"] == "A") & (flat["year"] == 2009), "exports"] = 120.0
    with pytest.raises(InputError, match="exactly 0"):
        sensitivity_index(flat, **KW, national_from="sum", contraction=(2008, 2009))


def test_phase_inputs_checked():
    with pytest.raises(InputError, match="detect_phases"):
        sensitivity_index(TOY, **KW, national_from="sum")
    with pytest.raises(InputError, match="outside the panel"):
        sensitivity_index(TOY, **KW, national_from="sum", contraction=(2007, 2009))
    with pytest.raises(InputError, match="start before"):
        sensitivity_index(TOY, **KW, national_from="sum", contraction=(2009, 2008))
    with pytest.raises(InputError, match=r"\('B', 2010\)"):
        sensitivity_index(
            TOY.drop(index=5), **KW, national="national", tolerance=None, recovery=(2009, 2010)
        )
    zero = TOY.assign(exports=TOY["exports"].where(TOY.index != 3, 0.0))
    with pytest.raises(NonPositiveValueError, match="'B', 2008"):
        sensitivity_index(zero, **KW, national_from="sum", contraction=(2008, 2009))
    with pytest.raises(InputError, match="recovery phase"):
        sensitivity_index(TOY, **KW, national_from="sum", contraction=Phase("recovery", 2009, 2010))


# --- phase detection ---------------------------------------------------------------------


def test_detect_phases_made_up_series():
    s = pd.Series([1, 3, 2, 2, 1, 4, 5, 4, 6], index=range(2000, 2009), dtype=float)
    got = detect_phases(s)
    assert got == [
        Phase("contraction", 2001, 2004),
        Phase("recovery", 2004, 2006),
        Phase("contraction", 2006, 2007),
        Phase("recovery", 2007, 2008, complete=False),
    ]
    assert detect_phases(pd.Series([1.0, 2.0, 3.0])) == []
    assert detect_phases(pd.Series([1.0, 3.0, 2.0, 1.5])) == [
        Phase("contraction", 1, 3, complete=False)
    ]
    assert detect_phases(s.iloc[::-1]) == got  # sorted by period first


def test_detect_phases_chinese_exports():
    usd_bn = {
        2000: 249,
        2001: 266,
        2002: 326,
        2003: 438,
        2004: 593,
        2005: 762,
        2006: 969,
        2007: 1220,
        2008: 1431,
        2009: 1202,
        2010: 1578,
        2011: 1898,
        2012: 2049,
        2013: 2209,
        2014: 2342,
        2015: 2273,
        2016: 2098,
        2017: 2263,
        2018: 2487,
        2019: 2499,
        2020: 2590,
    }
    got = detect_phases(pd.Series(usd_bn, dtype=float))
    assert [(p.kind, p.start, p.end, p.complete) for p in got] == [
        ("contraction", 2008, 2009, True),
        ("recovery", 2009, 2014, True),
        ("contraction", 2014, 2016, True),
        ("recovery", 2016, 2020, False),
    ]


def test_detected_phases_feed_the_measures():
    nat = national_exports(TOY, **KW, national="national")
    assert nat.to_dict() == {2008: 180.0, 2009: 140.0, 2010: 200.0}
    # a series that starts falling has no peak before the trough: only the recovery is found
    assert detect_phases(nat) == [Phase("recovery", 2009, 2010, complete=False)]
    phases = detect_phases(pd.concat([pd.Series({2007: 170.0}), nat, pd.Series({2011: 190.0})]))
    assert phases[:2] == [Phase("contraction", 2008, 2009), Phase("recovery", 2009, 2010)]
    res = resistance_recovery(TOY, **KW, national="national", contraction=phases[0])
    assert res.contraction == phases[0]
    assert "resistance" in res.to_frame()
