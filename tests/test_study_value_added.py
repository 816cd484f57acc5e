"""The value-added study end to end: the demo DGP, the tables' arithmetic, outputs, the
study file, user tables, and bad input."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest

from exportlens.data.demo_mrio import (
    DEMO_MRIO_YEARS,
    synthetic_mrio_table,
    synthetic_mrio_truth,
    value_added_demo_tables,
)
from exportlens.errors import InputError, StudySpecError
from exportlens.mrio import MRIOTable
from exportlens.mrio.readers import write_ceads_workbook
from exportlens.regions import assign_group
from exportlens.studies.value_added import (
    ValueAddedStudySpec,
    run_value_added_cli,
    run_value_added_study,
    study_template,
)

FAST_FORMATS = ["md", "csv", "tex"]


@pytest.fixture(scope="module")
def demo() -> dict[int, MRIOTable]:
    return value_added_demo_tables()


@pytest.fixture(scope="module")
def result(demo):
    return run_value_added_study(demo, ValueAddedStudySpec())


def test_demo_tables_are_labelled_synthetic(demo):
    assert sorted(demo) == list(DEMO_MRIO_YEARS)
    for t in demo.values():
        assert t.synthetic and "SYNTHETIC" in t.description
        assert t.n_regions == 30 and t.n_sectors == 42 and "西藏" not in t.regions
        assert t.balance_report(1e-10).ok


def test_demo_recovers_the_true_coefficients(demo):
    truth = synthetic_mrio_truth(2007)
    np.testing.assert_allclose(demo[2007].A, truth["A"], rtol=1e-10, atol=1e-15)
    m = truth["import_share"].reshape(-1) * np.tile(truth["intermediate_share"], 30)
    np.testing.assert_allclose(demo[2007].M, m, rtol=1e-10)


def test_shares_add_up_and_follow_the_dgp(result):
    frame = result.to_frame()
    np.testing.assert_allclose(frame[["dvr", "pvr", "fvr"]].sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(frame["residual"], 0.0, atol=1e-9 * frame["exports"].max())
    by = {}
    for y in result.years:
        f = frame[frame["year"] == y]
        by[y] = {k: f[k.replace("r", "a")].sum() / f["exports"].sum() for k in ("dvr", "pvr", "fvr")}
        east = f[f["region_group"] == "east"]
        west = f[f["region_group"] == "west"]
        # East provinces import more intermediate inputs: higher export-weighted FVR
        assert east["fva"].sum() / east["exports"].sum() > west["fva"].sum() / west["exports"].sum()
    # inter-provincial sourcing rises over time; import shares peak in 2007
    assert by[2002]["pvr"] < by[2007]["pvr"] < by[2012]["pvr"]
    assert by[2007]["fvr"] > by[2002]["fvr"] and by[2007]["fvr"] > by[2012]["fvr"]


def test_tables_content_and_arithmetic(result):
    tables = result.tables("en")
    assert set(tables) == {"table1", "table2", "table3", "table4", "table5"}
    t3 = tables["table3"].to_frame()
    assert "Beijing" in t3.index and "All provinces (export-weighted)" in t3.index
    assert "East (export-weighted)" in t3.index
    np.testing.assert_allclose(t3[["2012 DVR", "2012 PVR", "2012 FVR"]].sum(axis=1), 100.0, atol=1e-9)
    t4 = tables["table4"].to_frame()
    np.testing.assert_allclose(t4["2007-2012 ΔPVR"], t3["2012 PVR"] - t3["2007 PVR"], atol=1e-9)
    # Table 2 in 100 million yuan: DVA of Beijing 2002 from the decomposition in 10,000 yuan / 1e4
    dva = result.decompositions[2002].to_frame().loc["北京", "dva"]
    assert tables["table2"].to_frame().loc["Beijing", "2002 DVA"] == pytest.approx(dva / 1e4, rel=1e-12)
    total = tables["table2"].to_frame().loc["All provinces"]
    assert total["2012 Exports"] == pytest.approx(result.decompositions[2012].exports.sum() / 1e4, rel=1e-12)
    # export-weighted group row equals the ratio of sums
    f = result.to_frame()
    e = f[(f["year"] == 2012) & (f["region_group"] == "east")]
    assert t3.loc["East (export-weighted)", "2012 FVR"] == pytest.approx(100 * e["fva"].sum() / e["exports"].sum())
    t5 = tables["table5"].to_frame()
    assert set(t5["Sector group"]) == {"Primary", "Secondary", "Tertiary"}
    np.testing.assert_allclose(t5[["DVR", "PVR", "FVR"]].sum(axis=1), 100.0, atol=1e-9)
    for t in tables.values():
        assert any("SYNTHETIC" in n for n in t.notes)


def test_chinese_tables(result):
    tables = result.tables("zh")
    assert tables["table3"].title.startswith("表3")
    assert "北京" in tables["table3"].to_frame().index
    assert "东部（出口加权）" in tables["table3"].to_frame().index
    assert "亿元" in tables["table2"].title
    assert any("合成" in n for n in tables["table1"].notes)
    with pytest.raises(InputError, match="lang"):
        result.tables("fr")


@pytest.fixture(scope="module")
def small_result():
    """Six provinces x four sectors, two years: every output format and figure, quickly."""
    provinces = ["北京", "上海", "广东", "河南", "四川", "辽宁"]
    tables = {y: synthetic_mrio_table(y, provinces=provinces, sectors=["01", "06", "20", "28"]) for y in (2002, 2012)}
    groups = {"01": "primary", "06": "secondary", "20": "secondary", "28": "tertiary"}
    return run_value_added_study(tables, ValueAddedStudySpec(sector_groups=groups))


def test_write_every_format_and_figures(small_result, tmp_path):
    written = small_result.write(tmp_path, lang="en", formats=None, figures=True)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    for k in range(1, 6):
        for suffix in ("md", "html", "tex", "docx", "xlsx", "csv"):
            assert f"tables/table{k}.{suffix}" in names
    assert {"figures/shares_by_province.png", "figures/pva_sources_2012.png", "data/decomposition.csv",
            "data/vbe_2012.csv", "data/mbe_2002.csv", "data/sector_groups.csv", "data/changes.csv",
            "notes.txt"} <= names
    dec = pd.read_csv(tmp_path / "data" / "decomposition.csv")
    assert len(dec) == 12
    vbe = pd.read_csv(tmp_path / "data" / "vbe_2012.csv", index_col=0)
    np.testing.assert_allclose(vbe.to_numpy(), small_result.decompositions[2012].vbe, rtol=1e-9)
    changes = pd.read_csv(tmp_path / "data" / "changes.csv")
    f = small_result.to_frame().set_index(["year", "region"])
    assert changes.set_index("region").loc["广东", "fvr"] == pytest.approx(
        f.loc[(2012, "广东"), "fvr"] - f.loc[(2002, "广东"), "fvr"], abs=1e-12)
    assert "SYNTHETIC" in (tmp_path / "notes.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in (tmp_path / "tables" / "table3.md").read_text(encoding="utf-8")
    # figures are deterministic: drawing again gives identical bytes
    again = small_result.write(tmp_path / "again", lang="en", formats=["csv"], figures=True)
    png = [p for p in again if p.suffix == ".png"]
    for p in png:
        assert p.read_bytes() == (tmp_path / "figures" / p.name).read_bytes()


def test_cli_demo_run_is_reproducible(result, tmp_path):
    """The CLI regenerates the demo tables from the seed: its results equal the fixture's."""
    spec = ValueAddedStudySpec()
    out = run_value_added_cli(spec, out=tmp_path / "a", lang="en", formats=["csv"], figures=False, overwrite=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"] == "value-added"
    assert "SYNTHETIC" in manifest["spec"]["data"]
    assert "data/decomposition.csv" in manifest["outputs"]
    written = pd.read_csv(out / "data" / "decomposition.csv")
    expected = result.to_frame()
    np.testing.assert_allclose(written[["dva", "pva", "fva"]].to_numpy(), expected[["dva", "pva", "fva"]].to_numpy(),
                               rtol=1e-9)
    assert list(written["region"]) == list(expected["region"])
    with pytest.raises(InputError, match="not empty"):
        run_value_added_cli(spec, out=out, lang="en", formats=["csv"], figures=False, overwrite=False)


def test_user_tables_from_a_study_file(tmp_path):
    """CEADs workbooks named in a TOML study file, relative paths, a custom sector grouping."""
    sectors = ["01", "06", "20", "28"]
    for year in (2012, 2017):
        t = synthetic_mrio_table(year, provinces=["北京", "河北", "广东", "四川"], sectors=sectors)
        write_ceads_workbook(t, tmp_path / f"mrio_{year}.xlsx")
    (tmp_path / "study.toml").write_text(
        '[data]\nformat = "ceads"\n[data.tables]\n2012 = "mrio_2012.xlsx"\n2017 = "mrio_2017.xlsx"\n'
        '[decomposition.sector_groups]\n"01" = "goods"\n"06" = "goods"\n"20" = "goods"\n"28" = "services"\n'
        '[output]\nunit = "10k_yuan"\ngrouping = "belts3"\n', encoding="utf-8")
    spec = ValueAddedStudySpec.from_toml(tmp_path / "study.toml")
    assert spec.tables["2012"] == str(tmp_path / "mrio_2012.xlsx")
    out = run_value_added_cli(spec, out=tmp_path / "out", lang="zh", formats=["md"], figures=False, overwrite=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs"]) == {"table_2012", "table_2017", "study_file"}
    assert (out / "study.toml").exists()
    sg = pd.read_csv(out / "data" / "sector_groups.csv")
    assert set(sg["group"]) == {"goods", "services"}
    dec = pd.read_csv(out / "data" / "decomposition.csv")
    assert set(dec["year"]) == {2012, 2017} and len(dec) == 8
    assert "万元" in (out / "tables" / "table2.md").read_text(encoding="utf-8")


def test_template_reproduces_the_defaults():
    raw = tomllib.loads(study_template())
    spec = ValueAddedStudySpec.from_dict(raw)
    assert spec.to_dict() == ValueAddedStudySpec().to_dict()


def test_spec_errors_name_the_problem():
    with pytest.raises(StudySpecError, match=r"\[model\].*data, decomposition, output"):
        ValueAddedStudySpec.from_dict({"model": {}})
    with pytest.raises(StudySpecError, match="allowed: unit, grouping, heatmap_year"):
        ValueAddedStudySpec.from_dict({"output": {"colour": "red"}})
    with pytest.raises(StudySpecError, match=r"output\.unit"):
        ValueAddedStudySpec.from_dict({"output": {"unit": "dollars"}})
    with pytest.raises(StudySpecError, match="keys must be years"):
        ValueAddedStudySpec.from_dict({"data": {"tables": {"latest": "x.xlsx"}}})
    with pytest.raises(StudySpecError, match="on_imbalance"):
        ValueAddedStudySpec.from_dict({"decomposition": {"on_imbalance": "ignore"}})
    with pytest.raises(StudySpecError, match="sector_groups"):
        ValueAddedStudySpec.from_dict({"decomposition": {"sector_groups": "sectors99"}})
    with pytest.raises(StudySpecError, match="not found"):
        ValueAddedStudySpec.from_toml("/nonexistent/study.toml")


def test_unbalanced_table_is_reported_or_rejected():
    t = synthetic_mrio_table(2012, provinces=["北京", "河北", "广东"], sectors=["01", "20"])
    va = t.VA.copy()
    va[0, 3] *= 1.2  # column 河北/20 off by several percent
    bad = MRIOTable.from_arrays(t.regions, t.sectors, t.Z, t.Y, categories=t.categories, VA=va,
                                va_components=t.va_components, E=t.E, IM=t.IM, x=t.x, ERR=t.ERR)
    spec = ValueAddedStudySpec(sector_groups={"01": "a", "20": "b"})
    res = run_value_added_study({2012: bad}, spec)
    assert any("河北/20" in n and "not balanced" in n for n in res.notes)
    with pytest.raises(InputError, match=r"2012.*河北/20"):
        run_value_added_study({2012: bad}, ValueAddedStudySpec(sector_groups={"01": "a", "20": "b"},
                                                               on_imbalance="raise"))
    with pytest.raises(InputError, match="42-sector"):
        run_value_added_study({2012: t}, ValueAddedStudySpec())
    with pytest.raises(InputError, match="No input-output tables"):
        run_value_added_study({}, spec)


def test_heatmap_year_must_exist():
    t = synthetic_mrio_table(2012, provinces=["北京", "河北"], sectors=["01"])
    with pytest.raises(StudySpecError, match="1999"):
        run_value_added_study({2012: t}, ValueAddedStudySpec(sector_groups={"01": "a"}, heatmap_year=1999))


def test_region_groups_match_registry(result):
    f = result.to_frame()
    f = f[f["year"] == 2012]
    assert list(f["region_group"]) == list(assign_group(list(f["region"]), "nbs4"))
