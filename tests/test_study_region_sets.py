"""The synergy, linkage and value-added studies on a user's region table (SYNTHETIC cities),
the shared [regions] section, and the one-line errors of bad region tables."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo_linkage import linkage_demo_cube
from exportlens.datasets.demo_mrio import random_mrio_table
from exportlens.datasets.demo_synergy import synergy_demo_employment, synergy_demo_panel
from exportlens.datasets.regions_demo import regionalise, synthetic_regions
from exportlens.errors import InputError, MissingColumnError, StudySpecError, UnknownRegionError
from exportlens.studies.framework import run_study, study_template
from exportlens.studies.linkage import STUDY as LINKAGE
from exportlens.studies.linkage import LinkageStudySpec, run_linkage_study
from exportlens.studies.regions_section import RegionsSection
from exportlens.studies.resilience import ResilienceStudySpec
from exportlens.studies.synergy import STUDY as SYNERGY
from exportlens.studies.synergy import SynergyStudySpec, run_synergy_study
from exportlens.studies.value_added import STUDY as VALUE_ADDED
from exportlens.studies.value_added import ValueAddedStudySpec, run_value_added_study

N = 40


@pytest.fixture(scope="module")
def cities() -> pd.DataFrame:
    return synthetic_regions(N, seed=3)


@pytest.fixture(scope="module")
def cities_csv(cities, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("regions") / "cities.csv"
    cities.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def synergy_data(cities):
    panel = regionalise(synergy_demo_panel(), cities, entity="province")
    employment = regionalise(synergy_demo_employment(), cities, entity="province", scale_columns=["employment"])
    return panel, employment


@pytest.fixture(scope="module")
def mrio_tables(cities):
    return {y: dataclasses.replace(random_mrio_table(N, 3, seed=s), regions=tuple(cities["code"]))
            for y, s in ((2012, 1), (2017, 2))}


SECTOR_GROUPS = {"S1": "primary", "S2": "other", "S3": "other"}


# --- one declaration of [regions] -------------------------------------------------------


@pytest.mark.parametrize("spec_cls", [ResilienceStudySpec, SynergyStudySpec, LinkageStudySpec, ValueAddedStudySpec])
def test_every_study_declares_the_same_regions_section(spec_cls):
    assert issubclass(spec_cls, RegionsSection)
    keys = spec_cls.fields_by_section()["regions"]
    assert list(keys) == ["table", "sheet", "code", "name", "longitude", "latitude", "area", "grouping", "level"]
    assert "[regions]" in study_template(spec_cls)


# --- synergy ---------------------------------------------------------------------------


def test_synergy_on_cities_matches_coupling_by_hand(cities, cities_csv, synergy_data):
    panel, employment = synergy_data
    spec = SynergyStudySpec(regions_table=cities_csv, region_grouping="group", indices=["cbec_trade", "industrial_va"])
    # precomputed indices must be in [0, 1]: rescale two raw columns by hand
    data = panel.assign(cbec_trade=panel["cbec_trade"] / panel["cbec_trade"].max(),
                        industrial_va=panel["industrial_va"] / panel["industrial_va"].max())
    res = run_synergy_study(data, spec, employment=employment)
    assert set(res.panel["code"]) == set(cities["code"])
    # D by hand: C = 2 sqrt(U1 U2) / (U1 + U2), T = (U1 + U2) / 2, D = sqrt(C T)
    u1, u2 = data["cbec_trade"].to_numpy(), data["industrial_va"].to_numpy()
    d = np.sqrt(2 * np.sqrt(u1 * u2) / (u1 + u2) * (u1 + u2) / 2)
    got = res.panel.set_index(["province", "year"])["D"]
    want = pd.Series(d, index=pd.MultiIndex.from_frame(data[["province", "year"]]))
    np.testing.assert_allclose(got.to_numpy(), want.reindex(got.index).to_numpy(), rtol=1e-12)
    # groups are the table's group column; Table 4 has one row block per group
    groups = dict(zip(cities["code"], cities["group"], strict=True))
    assert (res.panel["group"] == res.panel["code"].map(groups)).all()
    t4 = res.tables("en")["table4"].to_markdown()
    assert all(g in t4 for g in set(cities["group"]))
    t2 = res.tables("zh")["table2"].to_markdown()
    assert "R00000" in t2 and "地区" in t2  # the user's regions, named as in the table


def test_synergy_run_writes_a_point_map_not_tiles(cities_csv, synergy_data, tmp_path):
    panel, employment = synergy_data
    spec = SynergyStudySpec(regions_table=cities_csv)  # no group column: one group of all regions
    out = run_study(SYNERGY, spec, out=tmp_path / "run", lang="en", data=(panel, employment), reports=False,
                    formats=["md"])
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert any(f.startswith("coordination_points_") for f in figures)
    assert not any(f.startswith("coordination_map_") for f in figures)
    table4 = (out / "tables" / "table4.md").read_text(encoding="utf-8")
    assert "All regions" in table4
    coupling = pd.read_csv(out / "coupling_panel.csv")
    assert coupling["code"].nunique() == N


# --- linkage ---------------------------------------------------------------------------


def test_linkage_on_cities(cities, cities_csv):
    data = regionalise(linkage_demo_cube(), cities, entity="province", scale_columns=["value"])
    spec = LinkageStudySpec(regions_table=cities_csv, region_grouping="province", table_province="R00003",
                            exclude_provinces=["R00001"])
    res = run_linkage_study(data, spec)
    assert len(res.provinces) == N - 1 and "100001" not in res.provinces
    # rank bands reach the last rank: every country ranks every region once
    freq = res.rank_frequency()
    assert (freq.sum(axis=1) == len(res.countries)).all()
    t5 = res.tables("en")["table5"].to_markdown()
    assert "Region group" in t5 and "P01" in t5 and "R00003" in t5
    assert "R00003" in res.tables("en")["table4_province"].to_markdown()
    # the average score of a region is the mean of its scores over the countries
    avg = res.province_ranking()["average"]
    np.testing.assert_allclose(avg.sort_index().to_numpy(),
                               res.scores["score"].groupby(level=0).mean().sort_index().to_numpy())


def test_linkage_run_on_cities_writes_outputs(cities, cities_csv, tmp_path):
    from exportlens.report.reading import read_run

    # city codes that start like a province's (110100: a city of Beijing) must stay cities in every output
    twelve = cities.head(12).assign(code=[str(110100 + 100 * i) for i in range(12)])
    data = regionalise(linkage_demo_cube(), twelve, entity="province", scale_columns=["value"])
    table = tmp_path / "twelve.csv"
    twelve.to_csv(table, index=False)
    out = run_study(LINKAGE, LinkageStudySpec(regions_table=str(table), region_grouping="group"),
                    out=tmp_path / "run", lang="zh", data=data, reports=False, figures=False, formats=["md"])
    scores = pd.read_csv(out / "scores_long.csv", dtype={"province": str})
    assert set(scores["province_name"]) == set(twelve["name"])
    reading = " ".join(read_run(out, "zh"))
    assert "R000" in reading and "北京" not in reading


# --- value added -----------------------------------------------------------------------


def test_value_added_on_cities(cities, cities_csv, mrio_tables):
    spec = ValueAddedStudySpec(regions_table=cities_csv, region_grouping="group", sector_groups=SECTOR_GROUPS)
    res = run_value_added_study(mrio_tables, spec)
    frame = res.to_frame()
    groups = dict(zip(cities["code"], cities["group"], strict=True))
    assert (frame["region_group"] == frame["region"].map(groups)).all()
    # accounting identity: DVA + PVA + FVA = exports (balanced tables)
    np.testing.assert_allclose(frame[["dva", "pva", "fva"]].sum(axis=1), frame["exports"], rtol=1e-9)
    t3 = res.tables("en")["table3"].to_markdown()
    assert "R00000" in t3 and "G1 (export-weighted)" in t3
    # each group row of Table 3 is the export-weighted DVR of the group's regions, computed here from the cities
    table3 = res.tables("en")["table3"].frame
    last = frame[frame["year"] == 2017].assign(group=lambda f: f["region"].map(groups))
    for g, part in last.groupby("group"):
        want = 100 * (part["dvr"] * part["exports"]).sum() / part["exports"].sum()
        assert table3.loc[f"{g} (export-weighted)", "2017 DVR"] == pytest.approx(want, rel=1e-12)


def test_value_added_run_on_cities(cities, tmp_path):
    """The whole run, reports included (their maps and reading notes must not assume provinces)."""
    table = _write(tmp_path, cities.head(12), "twelve.csv")
    tables = {2017: dataclasses.replace(random_mrio_table(12, 2, seed=4), regions=tuple(cities["code"].head(12)))}
    spec = ValueAddedStudySpec(regions_table=table, sector_groups={"S1": "a", "S2": "b"}, exclude=["R00001"])
    out = run_study(VALUE_ADDED, spec, out=tmp_path / "run", lang="en", data=tables)
    assert (out / "report.html").is_file()
    table2 = (out / "tables" / "table2.md").read_text(encoding="utf-8")
    assert "| R00001 |" not in table2 and "| R00002 |" in table2


def test_value_added_regions_must_match_the_table(cities_csv, mrio_tables):
    bad = dict(mrio_tables)
    bad[2012] = dataclasses.replace(mrio_tables[2012], regions=("999999", *mrio_tables[2012].regions[1:]))
    spec = ValueAddedStudySpec(regions_table=cities_csv, sector_groups=SECTOR_GROUPS)
    with pytest.raises(InputError, match=r"input-output table 2012 has region\(s\) '999999' that are not in region "
                                         r"table .*cities\.csv.*add those regions to the \[regions\] table") as exc:
        run_value_added_study(bad, spec)
    assert "\n" not in str(exc.value)


# --- bad region tables -----------------------------------------------------------------


def _write(tmp_path, frame: pd.DataFrame, name: str = "bad.csv") -> str:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(("change", "error", "pattern"), [
    (lambda t: pd.concat([t, t.iloc[[3]]]), InputError, r"bad\.csv: duplicated region code\(s\) '100003' "
                                                        r"\(line 5; line \d+\); each code must appear once"),
    (lambda t: t.assign(lat=t["lat"].where(t.index != 7)), InputError,
     r"bad\.csv: 1 missing or non-numeric latitude\(s\) \(\[regions\] latitude = 'lat'\) at line 9; every region "
     r"needs coordinates"),
    (lambda t: t.drop(columns="lon"), MissingColumnError, r"\[regions\] longitude = 'lon'"),
])
def test_bad_region_table_one_line(cities, synergy_data, tmp_path, change, error, pattern):
    path = _write(tmp_path, change(cities.copy()))
    with pytest.raises(error, match=pattern) as exc:
        run_synergy_study(synergy_data[0], SynergyStudySpec(regions_table=path))
    assert "\n" not in str(exc.value)


def test_region_in_data_not_in_table(cities, cities_csv, synergy_data, mrio_tables):
    panel = synergy_data[0].copy()
    panel.loc[5, "province"] = "Atlantis"
    with pytest.raises(UnknownRegionError, match=r"'Atlantis' \(rows \[5\]\).*add those regions to it") as exc:
        run_synergy_study(panel, SynergyStudySpec(regions_table=cities_csv))
    assert "\n" not in str(exc.value)
    data = regionalise(linkage_demo_cube(), cities, entity="province")
    data.loc[0, "province"] = "Atlantis"
    with pytest.raises(UnknownRegionError, match="Atlantis"):
        run_linkage_study(data, LinkageStudySpec(regions_table=cities_csv))
    with pytest.raises(StudySpecError, match=r"\[tables\] exclude: 'Atlantis' not in region table"):
        run_value_added_study(mrio_tables, ValueAddedStudySpec(regions_table=cities_csv, sector_groups=SECTOR_GROUPS,
                                                               exclude=["Atlantis"]))


def test_unknown_group_column(cities_csv, synergy_data):
    with pytest.raises(InputError, match=r"\[regions\] grouping|no column"):
        run_synergy_study(synergy_data[0], SynergyStudySpec(regions_table=cities_csv, region_grouping="county"))


def test_unknown_province_message_says_what_to_do():
    from exportlens.regions import resolve_province, resolve_provinces

    for call in (lambda: resolve_province("火星"), lambda: resolve_provinces(["北京", "火星"])):
        with pytest.raises(UnknownRegionError, match=r"exportlens regions list.*\[regions\] section"):
            call()


def test_value_added_heatmap_of_300_regions_draws_the_top_regions(tmp_path):
    """Above HEATMAP_LIMIT regions the PVA heatmap shows the top regions and one "other" row and
    column, and the run's notes say so; the collapsed shares are checked against the full matrix."""
    from matplotlib.image import imread

    from exportlens.report import top_regions_matrix
    from exportlens.studies.value_added import HEATMAP_LIMIT, HEATMAP_TOP

    many = synthetic_regions(300, seed=7)
    table = _write(tmp_path, many, "many.csv")
    tables = {2017: dataclasses.replace(random_mrio_table(300, 2, seed=5), regions=tuple(many["code"]))}
    spec = ValueAddedStudySpec(regions_table=table, sector_groups={"S1": "a", "S2": "b"})
    res = run_value_added_study(tables, spec)
    assert res.heatmap_collapsed() and len(many) > HEATMAP_LIMIT
    assert any("300 regions, more than 62" in n and f"the {HEATMAP_TOP} regions" in n for n in res.notes)
    # independent check on the levels: a kept exporter's column keeps its own shares, "other" sums the rest;
    # the "other" column is the PVA of the other exporters by source group over their total PVA
    levels = res.decompositions[2017].source_matrix("pva", shares=False)
    mat = top_regions_matrix(levels, HEATMAP_TOP, other="other")
    assert mat.shape == (HEATMAP_TOP + 1, HEATMAP_TOP + 1)
    kept = list(mat.index[:-1])
    value = levels.sum(axis=1) + levels.sum(axis=0)
    assert set(kept) == set(value.nlargest(HEATMAP_TOP).index)
    full = res.decompositions[2017].source_matrix("pva", shares=True)
    rest = [r for r in levels.index if r not in kept]
    for col in kept[:5]:
        np.testing.assert_allclose(mat.loc[[k for k in kept if k != col], col],
                                   full.loc[[k for k in kept if k != col], col], rtol=1e-12)
        assert mat.loc["other", col] == pytest.approx(full.loc[rest, col].sum(), rel=1e-12)
        assert np.isnan(mat.loc[col, col])
    block = levels.loc[:, rest].to_numpy()
    want_other = block[[levels.index.get_loc(r) for r in rest]].sum() / block.sum()
    assert mat.loc["other", "other"] == pytest.approx(want_other, rel=1e-12)
    np.testing.assert_allclose(mat.sum(axis=0, skipna=True), 1.0, rtol=1e-12)
    # the figure written by a run is of a readable size; 40 regions stay uncollapsed
    out = run_study(VALUE_ADDED, spec, out=tmp_path / "run", lang="en", data=tables, reports=False, formats=["md"])
    image = imread(out / "figures" / "pva_sources_2017.png")
    assert max(image.shape[:2]) < 4000
    assert "300 regions, more than 62" in (out / "notes.txt").read_text(encoding="utf-8")
    # the share bars likewise: the 30 largest exporters and one bar for the rest, whose shares are
    # their summed DVA, PVA and FVA over their summed exports (and add up to 1)
    assert max(imread(out / "figures" / "shares_by_province.png").shape[:2]) < 4000
    assert any("Figure shares_by_province: 300 regions" in n for n in res.notes)
    frame = res.to_frame()
    kept_bars, rest_bars = res.bar_regions(frame)
    assert len(kept_bars) == HEATMAP_TOP and len(rest_bars) == 300 - HEATMAP_TOP
    assert set(kept_bars) == set(frame.groupby("region")["exports"].sum().nlargest(HEATMAP_TOP).index)
    others = frame[frame["region"].isin(rest_bars)]
    assert (others[["dva", "pva", "fva"]].sum().sum() / others["exports"].sum()) == pytest.approx(1.0, abs=1e-8)
    small = {2017: dataclasses.replace(random_mrio_table(40, 2, seed=5), regions=tuple(many["code"].head(40)))}
    assert not run_value_added_study(small, spec).heatmap_collapsed()


def test_the_provinces_as_a_region_table_reproduce_the_province_run(tmp_path):
    # the region-table path (user coordinates, names matched with or without 省/自治区/市,
    # groups from a column) must give the province path's numbers on the same 31 regions
    from exportlens.datasets import load_resilience_demo
    from exportlens.regions import RegionSet, assign_group
    from exportlens.studies.resilience import run_resilience_study

    table = RegionSet.provinces().to_frame()  # short names: 河北, 广西, 内蒙古 ...
    table["belt"] = assign_group(table["code"], "belts3", lang="en").to_numpy()
    table.to_csv(tmp_path / "provinces.csv", index=False)
    (tmp_path / "study.toml").write_text('[regions]\ntable = "provinces.csv"\ngrouping = "belt"\n', encoding="utf-8")
    panel = load_resilience_demo()  # full names: 河北省, 广西壮族自治区, 内蒙古自治区 ...
    ref = run_resilience_study(panel, ResilienceStudySpec())
    got = run_resilience_study(panel, ResilienceStudySpec.from_toml(tmp_path / "study.toml"))
    a = ref.panel.sort_values(["code", "year"]).reset_index(drop=True)
    b = got.panel.assign(code=got.panel["code"].astype(int)).sort_values(["code", "year"]).reset_index(drop=True)
    np.testing.assert_array_equal(a["sl"].to_numpy(float), b["sl"].to_numpy(float))
    np.testing.assert_allclose(a["vag"].to_numpy(float), b["vag"].to_numpy(float), rtol=1e-12)
    for m_ref, m_got in zip(ref.stepwise, got.stepwise, strict=True):
        assert m_ref.nobs == m_got.nobs
        np.testing.assert_allclose(m_got.coefs[["estimate", "std_error"]].to_numpy(),
                                   m_ref.coefs[["estimate", "std_error"]].to_numpy(), rtol=1e-9, atol=1e-12)
    assert sorted(got.heterogeneity) == ["Central", "East", "West"]
    for key, model in ref.heterogeneity.items():
        np.testing.assert_allclose(got.heterogeneity[key.capitalize()].coefs["estimate"].to_numpy(),
                                   model.coefs["estimate"].to_numpy(), rtol=1e-9, atol=1e-12)


def test_region_names_match_with_or_without_the_province_level_suffix(tmp_path):
    from exportlens.regions import RegionSet

    table = pd.DataFrame({"code": ["A", "B", "C", "D"], "name": ["河北", "广西壮族自治区", "内蒙古", "新疆"],
                          "lon": [114.5, 108.3, 111.7, 87.6], "lat": [38.0, 22.8, 40.8, 43.8]})
    rs = RegionSet.from_table(table)
    got = rs.resolve(["河北省", "广西", "内蒙古自治区", "新疆维吾尔自治区", "河北"])
    assert list(got) == ["A", "B", "C", "D", "A"]
    with pytest.raises(UnknownRegionError, match="山西省"):
        rs.resolve(["山西省"])
