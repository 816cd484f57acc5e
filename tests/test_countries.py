"""Tests of the Belt-and-Road country registry (exportlens.regions.countries)."""

from __future__ import annotations

import pandas as pd
import pytest

from exportlens.errors import UnknownRegionError
from exportlens.regions import (
    SUBREGIONS,
    assign_subregion,
    belt_and_road_countries,
    country_frame,
    country_label,
    resolve_countries,
    resolve_country,
    subregion,
    subregions,
)
from exportlens.regions.countries import alias_index

# The study's membership lists, as written in the issue.
EXPECTED = {
    "mongolia": {"MNG"},
    "asean": {"BRN", "MMR", "KHM", "IDN", "LAO", "MYS", "PHL", "SGP", "THA", "VNM"},
    "west_asia": {"BHR", "CYP", "IRN", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "QAT", "SAU", "TUR",
                  "ARE", "YEM", "EGY", "GRC"},
    "south_asia": {"AFG", "BGD", "BTN", "IND", "MDV", "LKA", "NPL", "PAK"},
    "central_asia": {"KAZ", "KGZ", "TJK", "TKM", "UZB"},
    "cis": {"GEO", "ARM", "AZE", "BLR", "MDA", "RUS", "UKR"},
    "cee": {"ALB", "BGR", "HUN", "POL", "ROU", "EST", "LVA", "LTU", "SVN", "HRV", "CZE", "SVK", "MKD",
            "BIH", "SRB", "MNE"},
}


def test_sixty_three_countries_in_seven_subregions():
    countries = belt_and_road_countries()
    assert len(countries) == 63
    assert len({c.iso3 for c in countries}) == 63 and len({c.iso2 for c in countries}) == 63
    assert [s.code for s in subregions()] == list(EXPECTED)
    for code, members in EXPECTED.items():
        assert {c.iso3 for c in belt_and_road_countries(code)} == members, code
    assert len(SUBREGIONS) == 7


def test_aliases_never_collide():
    index = alias_index()  # raises AmbiguousRegionError on a collision
    assert len(set(index.values())) == 63


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("VNM", "VNM"), ("vn", "VNM"), ("越南", "VNM"), ("Viet Nam", "VNM"), ("  Vietnam ", "VNM"),
        ("Lao PDR", "LAO"), ("寮國", "LAO"), ("老挝", "LAO"),
        ("Iran, Islamic Rep.", "IRN"), ("Türkiye", "TUR"), ("Turkey", "TUR"),
        ("Russian Federation", "RUS"), ("俄羅斯", "RUS"), ("Kyrgyz Republic", "KGZ"),
        ("Slovak Republic", "SVK"), ("Czech Republic", "CZE"), ("捷克", "CZE"),
        ("Egypt, Arab Rep.", "EGY"), ("Yemen, Rep.", "YEM"), ("Brunei Darussalam", "BRN"),
        ("阿联酋", "ARE"), ("UAE", "ARE"), ("沙特", "SAU"), ("沙烏地阿拉伯", "SAU"),
        ("波黑", "BIH"), ("Bosnia-Herzegovina", "BIH"), ("Macedonia, FYR", "MKD"), ("北马其顿", "MKD"),
        ("黑山", "MNE"), ("Republic of Moldova", "MDA"), ("the Philippines", "PHL"),
    ],
)
def test_resolve_country_variants(text, iso3):
    assert resolve_country(text).iso3 == iso3


def test_unknown_country_names_candidates():
    with pytest.raises(UnknownRegionError, match="Closest: 越南 \\(Vietnam, VNM\\)"):
        resolve_country("Vietnma")
    with pytest.raises(UnknownRegionError, match="not one of the 63"):
        resolve_country("Germany")
    with pytest.raises(UnknownRegionError, match="missing"):
        resolve_country(float("nan"))


def test_resolve_countries_vectorised_and_error_report():
    s = pd.Series(["越南", "India", "Germany", "Atlantis", "VNM"], index=[10, 11, 12, 13, 14])
    with pytest.raises(UnknownRegionError) as err:
        resolve_countries(s)
    msg = str(err.value)
    assert "2 unrecognised" in msg and "'Germany'" in msg and "rows [12]" in msg and "rows [13]" in msg
    out = resolve_countries(s, errors="coerce")
    assert list(out.index) == [10, 11, 12, 13, 14]
    assert out[10] == "VNM" and out[14] == "VNM" and out.isna().sum() == 2
    assert list(resolve_countries(["MNG", "Poland"], to="name_zh")) == ["蒙古", "波兰"]
    assert list(assign_subregion(["MNG", "Poland"], lang="en")) == ["Mongolia", "Central and Eastern Europe"]
    assert list(assign_subregion(["Egypt", "Greece"])) == ["west_asia", "west_asia"]
    with pytest.raises(UnknownRegionError, match="Unknown country field"):
        resolve_countries(["MNG"], to="capital")


def test_subregion_lookup_labels_and_frame():
    assert subregion("东盟").code == "asean" and subregion("ASEAN").code == "asean"
    assert subregion("central and eastern europe").name_zh == "中东欧"
    with pytest.raises(UnknownRegionError, match="Unknown subregion"):
        subregion("Africa")
    assert country_label("RUS", "zh") == "俄罗斯" and country_label("RUS", "en") == "Russia"
    frame = country_frame()
    assert frame.shape[0] == 63 and frame.index.name == "iso3"
    assert frame.loc["SGP", "subregion_en"] == "ASEAN"
    assert frame["capital_lat"].between(-11, 60).all() and frame["capital_lon"].between(14, 121).all()


def test_world_bank_names_resolve(shared_data):
    # The real World Bank GDP file names countries its own way; every one of the 63 must
    # resolve from its name to the ISO3 code the file gives.
    gdp = pd.read_csv(shared_data / "world" / "gdp_current_usd.csv")
    codes = {c.iso3 for c in belt_and_road_countries()}
    sub = gdp[gdp["Country Code"].isin(codes)].drop_duplicates("Country Code")
    assert set(sub["Country Code"]) == codes
    resolved = resolve_countries(sub["Country Name"])
    assert (resolved.to_numpy() == sub["Country Code"].to_numpy()).all()
    lpi = pd.read_csv(shared_data / "world" / "lpi_2010_2016.csv")
    lpi = lpi[lpi["Code"].isin(codes)].drop_duplicates("Code")
    assert (resolve_countries(lpi["Country"]).to_numpy() == lpi["Code"].to_numpy()).all()
