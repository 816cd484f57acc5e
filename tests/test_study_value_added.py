"""The value-added study end to end: the demo DGP, the tables' arithmetic, outputs, the
study file (template, schema, strict values, encodings), user tables, and bad input."""

from __future__ import annotations

import json
import re
import tomllib

import jsonschema
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from exportlens.cli import app
from exportlens.datasets.demo_mrio import (
    DEMO_MRIO_YEARS,
    synthetic_mrio_table,
    synthetic_mrio_truth,
    value_added_demo_tables,
)
from exportlens.errors import InputError, StudySpecError
from exportlens.mrio import MRIOTable
from exportlens.mrio.readers import write_ceads_workbook
from exportlens.regions import assign_group
from exportlens.studies.framework import (
    run_study,
    study_schema,
    study_template,
    write_study_outputs,
)
from exportlens.studies.value_added import STUDY, ValueAddedStudySpec, run_value_added_study

runner = CliRunner()


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
    assert set(tables) == {"table1", "table2", "table3", "table4", "table5", "table7",
                           *(f"table6_{y}" for y in DEMO_MRIO_YEARS)}
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
    with pytest.raises(InputError, match="language"):
        result.tables("fr")


@pytest.fixture(scope="module")
def small_result():
    """Six provinces x four sectors, two years: every output format and figure, quickly."""
    provinces = ["北京", "上海", "广东", "河南", "四川", "辽宁"]
    tables = {y: synthetic_mrio_table(y, provinces=provinces, sectors=["01", "06", "20", "28"]) for y in (2002, 2012)}
    groups = {"01": "primary", "06": "secondary", "20": "secondary", "28": "tertiary"}
    return run_value_added_study(tables, ValueAddedStudySpec(sector_groups=groups))


def test_write_every_format_and_figures(small_result, tmp_path):
    written = write_study_outputs(small_result, tmp_path, lang="en", formats=None, figures=True)
    names = {p.relative_to(tmp_path).as_posix() for p in written}
    for k in range(1, 6):
        for suffix in ("md", "html", "tex", "docx", "xlsx", "csv"):
            assert f"tables/table{k}.{suffix}" in names
    assert {"figures/shares_by_province.png", "figures/pva_sources_2012.png", "data/decomposition.csv",
            "data/vbe_2012.csv", "data/mbe_2002.csv", "data/sector_groups.csv", "data/changes.csv",
            "data/balance_worst_2002.csv", "notes.txt"} <= names
    dec = pd.read_csv(tmp_path / "data" / "decomposition.csv")
    assert len(dec) == 12
    vbe = pd.read_csv(tmp_path / "data" / "vbe_2012.csv", index_col=0)
    np.testing.assert_allclose(vbe.to_numpy(), small_result.decompositions[2012].vbe, rtol=1e-9)
    assert list(vbe.index) == list(small_result.decompositions[2012].regions)
    worst = pd.read_csv(tmp_path / "data" / "balance_worst_2002.csv", dtype={"sector": str})
    expected = small_result.balance[2002].worst(20)
    assert list(worst.columns[:2]) == ["region", "sector"]
    assert list(zip(worst["region"], worst["sector"], strict=True)) == list(expected.index)
    np.testing.assert_allclose(worst["max_relative"], expected["max_relative"], rtol=1e-9)
    changes = pd.read_csv(tmp_path / "data" / "changes.csv")
    f = small_result.to_frame().set_index(["year", "region"])
    assert changes.set_index("region").loc["广东", "fvr"] == pytest.approx(
        f.loc[(2012, "广东"), "fvr"] - f.loc[(2002, "广东"), "fvr"], abs=1e-12)
    assert "SYNTHETIC" in (tmp_path / "notes.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in (tmp_path / "tables" / "table3.md").read_text(encoding="utf-8")
    # figures are deterministic: drawing again gives identical bytes
    again = write_study_outputs(small_result, tmp_path / "again", lang="en", formats=["csv"], figures=True)
    png = [p for p in again if p.suffix == ".png"]
    assert png
    for p in png:
        assert p.read_bytes() == (tmp_path / "figures" / p.name).read_bytes()


def test_runner_demo_run_is_reproducible(result, tmp_path):
    """The runner regenerates the demo tables from the seed: its results equal the fixture's."""
    spec = ValueAddedStudySpec()
    out = run_study(STUDY, spec, out=tmp_path / "a", lang="en", formats=["csv"], figures=False)
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
        run_study(STUDY, spec, out=out, lang="en", formats=["csv"], figures=False)


@pytest.fixture()
def workbooks(tmp_path):
    """Two small CEADs workbooks (2012, 2017) in tmp_path."""
    sectors = ["01", "06", "20", "28"]
    for year in (2012, 2017):
        t = synthetic_mrio_table(year, provinces=["北京", "河北", "广东", "四川"], sectors=sectors)
        write_ceads_workbook(t, tmp_path / f"mrio_{year}.xlsx")
    return tmp_path


USER_STUDY = ('[data]\nformat = "ceads"\n[data.tables]\n2012 = "mrio_2012.xlsx"\n2017 = "mrio_2017.xlsx"\n'
              '[decomposition.sector_groups]\n"01" = "goods"\n"06" = "goods"\n"20" = "goods"\n"28" = "services"\n'
              '[output]\nunit = "10k_yuan"\ngrouping = "belts3"\n')


def test_user_tables_from_a_study_file(workbooks):
    """CEADs workbooks named in a TOML study file, relative paths, a custom sector grouping."""
    tmp_path = workbooks
    (tmp_path / "study.toml").write_text(USER_STUDY, encoding="utf-8")
    spec = ValueAddedStudySpec.from_toml(tmp_path / "study.toml")
    assert spec.tables["2012"] == str(tmp_path / "mrio_2012.xlsx")
    out = run_study(STUDY, spec, out=tmp_path / "out", lang="zh", formats=["md"], figures=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs"]) == {"table_2012", "table_2017", "study_file"}
    assert (out / "study.toml").read_bytes() == (tmp_path / "study.toml").read_bytes()
    sg = pd.read_csv(out / "data" / "sector_groups.csv")
    assert set(sg["group"]) == {"goods", "services"}
    dec = pd.read_csv(out / "data" / "decomposition.csv")
    assert set(dec["year"]) == {2012, 2017} and len(dec) == 8
    assert "万元" in (out / "tables" / "table2.md").read_text(encoding="utf-8")


# --- the study file ------------------------------------------------------------------------


def test_template_parses_back_into_the_defaults_and_fits_the_schema(tmp_path):
    text = study_template(ValueAddedStudySpec)
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    assert ValueAddedStudySpec.from_toml(path).model_dump() == ValueAddedStudySpec().model_dump()
    jsonschema.validate(tomllib.loads(text), study_schema(ValueAddedStudySpec))
    # the commented example of [data.tables] is valid too, once uncommented
    filled = text.replace("# tables = ", "tables = ")
    jsonschema.validate(tomllib.loads(filled), study_schema(ValueAddedStudySpec))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"output": {"unit": "dollars"}}, study_schema(ValueAddedStudySpec))


def test_spec_errors_name_the_problem():
    with pytest.raises(StudySpecError, match=r"unknown section \[model\]; sections: data, decomposition, output"):
        ValueAddedStudySpec.from_dict({"model": {}})
    with pytest.raises(StudySpecError, match=r"unknown key 'colour' in \[output\]; keys of \[output\]: unit, "
                                             r"grouping, heatmap_year"):
        ValueAddedStudySpec.from_dict({"output": {"colour": "red"}})
    with pytest.raises(StudySpecError, match=r"\[output\] unit = \"dollars\": expected one of"):
        ValueAddedStudySpec.from_dict({"output": {"unit": "dollars"}})
    with pytest.raises(StudySpecError, match="keys must be years"):
        ValueAddedStudySpec.from_dict({"data": {"tables": {"latest": "x.xlsx"}}})
    with pytest.raises(StudySpecError, match=r"\[decomposition\] on_imbalance"):
        ValueAddedStudySpec.from_dict({"decomposition": {"on_imbalance": "ignore"}})
    with pytest.raises(StudySpecError, match=r"\[decomposition\] sector_groups must be one of sectors3"):
        ValueAddedStudySpec.from_dict({"decomposition": {"sector_groups": "sectors99"}})
    with pytest.raises(StudySpecError, match=r"\[decomposition\] balance_tolerance = -1: expected a number >= 0"):
        ValueAddedStudySpec.from_dict({"decomposition": {"balance_tolerance": -1}})
    with pytest.raises(StudySpecError, match=r"\[output\] grouping must be one of"):
        ValueAddedStudySpec(grouping="continents")
    with pytest.raises(StudySpecError, match="not found"):
        ValueAddedStudySpec.from_toml("/nonexistent/study.toml")


def _cli_error(args: list[str]) -> str:
    """Run the CLI expecting a one-line error: exit code 2, one line on stderr, no traceback."""
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in r.output, r.stderr
    return lines[0]


@pytest.mark.parametrize(("body", "expected"), [
    # the study has no boolean or list keys: a quoted number and a table given as a string stand in for them
    ('[decomposition]\nbalance_tolerance = "0.001"\n', r'\[decomposition\] balance_tolerance = "0.001": expected a number'),
    ('[data]\ntables = "mrio_2012.xlsx"\n', r"\[data\] tables = .*expected a table"),
    ('[output]\nheatmap_year = "2012"\n', r"\[output\] heatmap_year = \"2012\": expected a whole number"),
    ('[output]\ncolour = "red"\n', r"unknown key 'colour' in \[output\]"),
])
def test_cli_rejects_bad_study_values_in_one_line(tmp_path, body, expected):
    path = tmp_path / "study.toml"
    path.write_text(body, encoding="utf-8")
    line = _cli_error(["run", "value-added", "--study", str(path), "--out", str(tmp_path / "o")])
    assert re.search(expected, " ".join(line.split())), line
    assert not (tmp_path / "o").exists()


def test_cli_reads_a_bom_study_file_and_rejects_gbk(workbooks):
    tmp_path = workbooks
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + USER_STUDY.replace('"services"', '"服务业"').encode("utf-8"))
    r = runner.invoke(app, ["run", "value-added", "--study", str(bom), "--out", str(tmp_path / "ok"),
                            "--formats", "csv", "--no-figures", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "服务业" in set(pd.read_csv(tmp_path / "ok" / "data" / "sector_groups.csv")["group"])
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes(USER_STUDY.replace('"services"', '"服务业"').encode("gbk"))
    line = _cli_error(["run", "value-added", "--study", str(gbk), "--out", str(tmp_path / "no")])
    assert "not UTF-8" in line and "gbk.toml" in line


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
