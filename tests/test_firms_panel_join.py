"""Firm-year measures joined to a province-year panel: coverage counted by status, the
joined rows equal a pandas merge, bad panels raise."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from exportlens.errors import InputError, UnknownRegionError
from exportlens.firms import connect_duckdb
from exportlens.firms.panel_join import JOIN_STATUSES, join_province_panel


def firm_year() -> pd.DataFrame:
    rows = [  # firm, year, code, n_provinces, dhs_growth
        ("A", 2008, 110000, 1, 0.1), ("A", 2009, 110000, 2, -0.2),   # several provinces in 2009
        ("B", 2008, 440000, 1, 0.3), ("B", 2011, 440000, 1, 0.0),    # 2011 outside the panel
        ("C", 2009, 650000, 1, 0.5),                                  # Xinjiang not in the panel
        ("D", 2009, 310000, 1, -0.1),                                 # panel has no Shanghai 2009 (gap)
        ("D", 2010, 310000, 1, 0.2),
        ("E", 2010, None, 1, 0.0),                                    # no province code
    ]
    f = pd.DataFrame(rows, columns=["firm", "year", "code", "n_provinces", "dhs_growth"])
    f["code"] = f["code"].astype("Int64")
    return f


def panel() -> pd.DataFrame:
    rows = [(p, y, 0.0) for p in ("北京", "Guangdong", "上海市") for y in (2008, 2009, 2010)
            if not (p == "上海市" and y == 2009)]
    out = pd.DataFrame(rows, columns=["province", "year", "vag"])
    out["vag"] = np.arange(len(out), dtype=float) / 10
    out["ln_gdp"] = np.linspace(1, 2, len(out))
    return out


@pytest.fixture
def joined():
    con = connect_duckdb(memory_limit="500MB", threads=1)
    return join_province_panel(con, ibis.memtable(firm_year()), panel(), province="province",
                               columns=["vag", "ln_gdp"])


def test_coverage_counts_every_firm_year_once(joined):
    cov = joined.coverage.set_index("status")
    assert list(cov.index) == list(JOIN_STATUSES)
    assert cov.loc["matched", "firm_years"] == 4  # A 2008, A 2009, B 2008, D 2010
    assert cov.loc["year_outside_panel", "firm_years"] == 1
    assert cov.loc["province_not_in_panel", "firm_years"] == 1
    assert cov.loc["no_panel_row", "firm_years"] == 1
    assert cov.loc["unresolved_province", "firm_years"] == 1
    assert cov["firm_years"].sum() == len(firm_year())
    assert cov.loc["matched", "firms"] == 3
    assert joined.several_provinces == 1
    assert any("modal province by export value" in n for n in joined.notes)
    assert any("year outside" in n for n in joined.notes)


def test_joined_rows_equal_a_pandas_merge(joined):
    p = panel()
    p["code"] = p["province"].map({"北京": 110000, "Guangdong": 440000, "上海市": 310000})
    ref = firm_year().dropna(subset=["code"]).astype({"code": "int64"}).merge(
        p[["code", "year", "vag", "ln_gdp"]], on=["code", "year"], how="inner")
    got = joined.to_frame()
    pd.testing.assert_frame_equal(got[ref.columns].astype({"code": "int64"}),
                                  ref.sort_values(["firm", "year"]).reset_index(drop=True), check_dtype=False)


def test_bad_panels_raise():
    con = connect_duckdb(memory_limit="500MB", threads=1)
    fy = ibis.memtable(firm_year())
    dup = pd.concat([panel(), panel().iloc[:1]])
    with pytest.raises(InputError, match="uplicat"):
        join_province_panel(con, fy, dup, province="province")
    bad = panel().assign(province=["火星", *list(panel()["province"][1:])])
    with pytest.raises(UnknownRegionError):
        join_province_panel(con, fy, bad, province="province")
    with pytest.raises(InputError, match="names of firm-year columns"):
        join_province_panel(con, fy, panel().rename(columns={"vag": "dhs_growth"}), province="province",
                            columns=["dhs_growth"])
