"""``exportlens data build``: declarative panels from NBS downloads, yearbook workbooks and long files."""

from __future__ import annotations

import csv
import hashlib
import math
import shutil
import tomllib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from exportlens.cli import app
from exportlens.data import load_panel
from exportlens.data.build import build_panel, build_spec_from_dict, read_build_file
from exportlens.errors import DataFormatError, InputError, StudySpecError

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

NBS_GDP = (
    "数据库：分省年度数据\n指标：地区生产总值(亿元)\n时间：最近3年\n"
    "地区,2020年,2019年,2018年\n"
    "北京市,100.0,90.0,80.0\n天津市,50.0,,40.0\n河北省,30.0,28.0,9.0\n"
    "注：按照我国国民经济核算数据修订制度修订。\n数据来源：国家统计局\n"
)


@pytest.fixture()
def sources(tmp_path: Path) -> Path:
    (tmp_path / "gdp.csv").write_bytes(NBS_GDP.encode("gb18030"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["人均GDP（元/人）", "北京", "天津", "河北"])
    ws.append([2020, 200000, 100000, "--"])
    ws.append([2019, 180000, "—", 50000])
    ws.append([2018, 160000, 80000, 45000])
    wb.save(tmp_path / "gdp_pc.xlsx")
    pd.DataFrame({"地区": ["北京", "天津", "河北"] * 3, "年份": [2018] * 3 + [2019] * 3 + [2020] * 3,
                  "cpi": [100, 100, 100, 102, 101, 103, 104, 102, 106.0]}).to_csv(tmp_path / "cpi.csv", index=False)
    pd.DataFrame({"year": [2018, 2019, 2020], "cny_per_usd": [6.6, 6.9, 6.9]}).to_csv(tmp_path / "fx.csv", index=False)
    return tmp_path


def _spec(tmp: Path, variables: list[dict], **build) -> dict:
    return {"build": {"break_factor": 2.0, **build}, "variables": variables}


BASE = [
    {"name": "gdp", "file": "gdp.csv", "unit": "亿元"},
    {"name": "gdp_pc", "file": "gdp_pc.xlsx", "unit": "元/人"},
    {"name": "cpi", "file": "cpi.csv", "entity": "地区", "time": "年份", "indicator": "cpi"},
]


def test_sources_merged_and_every_transformation(sources: Path):
    derived = [
        {"name": "pop", "op": "ratio", "inputs": ["gdp", "gdp_pc"], "scale": 1e8},
        {"name": "gdp_pc2", "op": "per_capita", "inputs": ["gdp", "pop"], "scale": 1e8},
        {"name": "prod", "op": "product", "inputs": ["gdp_pc", "pop", "cpi"]},
        {"name": "ln_gdp", "op": "log", "inputs": ["gdp"]},
        {"name": "g_gdp", "op": "growth", "inputs": ["gdp"]},
        {"name": "real_gdp", "op": "deflate", "inputs": ["gdp", "cpi"]},
        {"name": "gdp_usd", "op": "convert", "inputs": ["gdp"], "rates": "fx.csv", "rate_column": "cny_per_usd"},
        {"name": "gdp_lag", "op": "lag", "inputs": ["gdp"]},
        {"name": "gdp_wan", "op": "scale", "inputs": ["gdp"], "scale": 1e4},
    ]
    spec = build_spec_from_dict(_spec(sources, BASE + derived), base_dir=sources)
    result = build_panel(spec)
    p = result.panel.set_index(["province", "year"])
    # independent computation from the literal values above
    gdp = {("北京市", 2020): 100.0, ("北京市", 2019): 90.0, ("北京市", 2018): 80.0, ("天津市", 2020): 50.0,
           ("天津市", 2018): 40.0, ("河北省", 2020): 30.0, ("河北省", 2019): 28.0, ("河北省", 2018): 9.0}
    pc = {("北京市", 2020): 200000, ("北京市", 2019): 180000, ("北京市", 2018): 160000, ("天津市", 2020): 100000,
          ("天津市", 2018): 80000, ("河北省", 2019): 50000, ("河北省", 2018): 45000}
    assert p.loc[("北京市", 2020), "pop"] == pytest.approx(100.0 * 1e8 / 200000, rel=1e-12)
    assert p.loc[("北京市", 2020), "gdp_pc2"] == pytest.approx(200000, rel=1e-12)
    assert p.loc[("北京市", 2019), "prod"] == pytest.approx(180000 * (90.0 * 1e8 / 180000) * 102, rel=1e-12)
    assert p.loc[("河北省", 2019), "ln_gdp"] == pytest.approx(math.log(28.0), rel=1e-12)
    assert p.loc[("河北省", 2020), "g_gdp"] == pytest.approx(30.0 / 28.0 - 1, rel=1e-12)
    assert math.isnan(p.loc[("天津市", 2020), "g_gdp"])  # 2019 is empty in the NBS file
    assert p.loc[("河北省", 2020), "real_gdp"] == pytest.approx(30.0 * 100 / 106.0, rel=1e-12)
    assert p.loc[("北京市", 2019), "gdp_usd"] == pytest.approx(90.0 * 6.9, rel=1e-12)
    assert p.loc[("北京市", 2020), "gdp_lag"] == 90.0 and math.isnan(p.loc[("北京市", 2018), "gdp_lag"])
    assert p.loc[("天津市", 2018), "gdp_wan"] == pytest.approx(40.0 * 1e4)
    for (prov, year), v in gdp.items():
        assert p.loc[(prov, year), "gdp"] == v
    for (prov, year), v in pc.items():
        assert p.loc[(prov, year), "gdp_pc"] == v
    # placeholders (-- and —) are missing and counted, never text
    assert result.panel["gdp_pc"].dtype == np.float64
    assert math.isnan(p.loc[("河北省", 2020), "gdp_pc"]) and math.isnan(p.loc[("天津市", 2019), "gdp_pc"])
    prov = result.provenance.set_index("variable")
    assert prov.loc["gdp_pc", "placeholders"] == 2 and prov.loc["gdp_pc", "layout"] == "columns"
    assert prov.loc["gdp", "layout"] == "nbs" and prov.loc["cpi", "layout"] == "long"
    assert prov.loc["gdp", "sha256"] == hashlib.sha256((sources / "gdp.csv").read_bytes()).hexdigest()
    assert prov.loc["pop", "transformation"] == "ratio: (gdp / gdp_pc) * 1e+08"
    # coverage: the 3 x 3 grid, gdp missing once
    cov = result.coverage_variable.set_index("variable")
    assert cov.loc["gdp", "missing"] == 1 and cov.loc["gdp_pc", "missing"] == 2
    # break check: 河北 GDP 9 -> 28 (x3.1) is flagged, nothing else in gdp
    gdp_breaks = result.breaks[result.breaks["variable"] == "gdp"]
    assert gdp_breaks[["province", "year"]].values.tolist() == [["河北省", 2019]]
    assert gdp_breaks["ratio"].iloc[0] == pytest.approx(28 / 9)
    text = result.summary()
    assert "注：按照我国国民经济核算数据修订制度修订。" in text and "placeholder cells" in text
    assert "河北省" in text


def test_load_panel_reads_placeholders_as_counted_missing(sources: Path):
    frame = load_panel(sources / "gdp_pc.xlsx", entity="province", time="year", layout="wide",
                       wide_entities="columns", value_name="gdp_pc")
    assert frame["gdp_pc"].dtype == np.float64
    assert frame.attrs["placeholders"] == {"天津": 1, "河北": 1}
    assert int(frame["gdp_pc"].isna().sum()) == 2


@pytest.mark.parametrize(
    ("variables", "build", "message"),
    [
        ([{"name": "gdp", "file": "gdp.csv", "colour": 1}], {}, r"\[\[variables\]\] #1 \(name = 'gdp'\) key colour: unknown key"),
        ([{"name": "gdp", "file": "gdp.csv"}, {"name": "x", "op": "sqrt", "inputs": ["gdp"]}], {},
         r"#2 \(name = 'x'\) key op = 'sqrt': expected one of"),
        ([{"name": "gdp", "file": "gdp.csv"}, {"name": "x", "op": "ratio", "inputs": ["gdp"]}], {},
         r"needs 2 name\(s\) in key inputs"),
        ([{"name": "x", "op": "log", "inputs": ["gdp"]}, {"name": "gdp", "file": "gdp.csv"}], {},
         r"key inputs names \['gdp'\], which is not a variable declared above"),
        ([{"name": "gdp", "file": "gdp.csv", "op": "log", "inputs": ["gdp"]}], {}, "not both"),
        ([{"name": "gdp", "file": "gdp.csv"}, {"name": "gdp", "file": "gdp.csv"}], {}, "used twice"),
        ([{"name": "gdp", "file": "gdp.csv"}], {"years": [2020, 2012]}, r"\[build\] key years"),
        ([{"name": "gdp", "file": "gdp.csv"}], {"break_factor": "2"}, r"\[build\] key break_factor = '2'"),
        ([{"name": "gdp", "file": "gdp.csv", "scale": "1e8"}], {}, r"key scale = '1e8': expected a number"),
        ([{"name": "gdp", "file": "gdp.csv"}, {"name": "u", "op": "convert", "inputs": ["gdp"]}], {},
         "needs key rates"),
    ],
)
def test_build_file_errors_name_section_and_key(sources: Path, variables, build, message):
    with pytest.raises(StudySpecError, match=message):
        build_spec_from_dict(_spec(sources, variables, **build), base_dir=sources, origin="panel.toml")


def test_source_errors(sources: Path):
    spec = build_spec_from_dict(_spec(sources, [{"name": "g", "file": "nope.csv"}]), base_dir=sources)
    with pytest.raises(InputError, match=r"key file: .*nope.csv not found"):
        build_panel(spec)
    spec = build_spec_from_dict(_spec(sources, [{"name": "c", "file": "cpi.csv"}]), base_dir=sources)
    with pytest.raises(StudySpecError, match="name its value column with key indicator"):
        build_panel(spec)
    (sources / "bad.csv").write_text("province,year,v\n北京,2019,1\n北京市,2019,2\n", encoding="utf-8")
    spec = build_spec_from_dict(_spec(sources, [{"name": "v", "file": "bad.csv", "indicator": "v"}]),
                                base_dir=sources)
    with pytest.raises(DataFormatError, match="2 rows for the same province and year"):
        build_panel(spec)
    (sources / "text.csv").write_text("province,year,v\n北京,2019,1\n天津,2019,n/a\n", encoding="utf-8")
    spec = build_spec_from_dict(_spec(sources, [{"name": "v", "file": "text.csv", "indicator": "v"}]),
                                base_dir=sources)
    with pytest.raises(DataFormatError, match=r"non-numeric cell.*'n/a' for 天津市 2019"):
        build_panel(spec)


def test_cli_build_writes_panel_provenance_report(sources: Path):
    text = "[build]\noutput = \"panel.parquet\"\nyears = [2019, 2020]\n\n" + "".join(
        f"[[variables]]\nname = \"{v['name']}\"\nfile = \"{v['file']}\"\n"
        + "".join(f"{k} = \"{v[k]}\"\n" for k in ("entity", "time", "indicator") if k in v) + "\n" for v in BASE)
    (sources / "panel.toml").write_text(text, encoding="utf-8")
    r = runner.invoke(app, ["data", "build", str(sources / "panel.toml")])
    assert r.exit_code == 0, r.output
    panel = pd.read_parquet(sources / "panel.parquet")
    assert sorted(panel["year"].unique().tolist()) == [2019, 2020] and len(panel) == 6
    assert list(panel.columns) == ["code", "province", "year", "gdp", "gdp_pc", "cpi"]
    prov = pd.read_csv(sources / "panel.provenance.csv")
    assert prov["variable"].tolist() == ["gdp", "gdp_pc", "cpi"]
    assert "coverage by variable" in (sources / "panel.report.txt").read_text(encoding="utf-8")
    before = (sources / "panel.parquet").read_bytes()
    r = runner.invoke(app, ["data", "build", str(sources / "panel.toml")])
    assert r.exit_code == 2 and "exists" in r.output and "--overwrite" in r.output
    assert (sources / "panel.parquet").read_bytes() == before
    r = runner.invoke(app, ["data", "build", str(sources / "panel.toml"), "--out", str(sources / "p.csv")])
    assert r.exit_code == 0 and (sources / "p.csv").exists()
    (sources / "broken.toml").write_text("[build]\nyears = [2019]\n[[variables]]\nname = \"g\"\nfile = \"gdp.csv\"\n",
                                         encoding="utf-8")
    r = runner.invoke(app, ["data", "build", str(sources / "broken.toml"), "--out", str(sources / "q.csv")])
    assert r.exit_code == 2 and "[build] key years" in r.output and not (sources / "q.csv").exists()


def test_cli_check_columns_layout_counts_placeholders(sources: Path):
    r = runner.invoke(app, ["data", "check", str(sources / "gdp_pc.xlsx"), "--layout", "columns"])
    assert r.exit_code == 0, r.output
    assert "read as missing: 2" in r.output
    r = runner.invoke(app, ["data", "check", str(sources / "gdp.csv"), "--layout", "nbs"])
    assert "footnote: 注：按照我国国民经济核算数据修订制度修订。" in r.output


# --- real data ---------------------------------------------------------------------------------


def _xlsx_cell(path: Path, province: str, year: int) -> float:
    """A cell of a provinces-as-columns workbook, read with openpyxl (independent of exportlens)."""
    ws = openpyxl.load_workbook(path, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    col = list(rows[0]).index(province)
    return float(next(r[col] for r in rows[1:] if r[0] is not None and int(r[0]) == year))


def _nbs_cell(path: Path, province: str, year: int) -> float:
    lines = path.read_bytes().decode("gb18030").splitlines()
    rows = list(csv.reader(lines))
    header = next(r for r in rows if r and r[0] == "地区")
    col = header.index(f"{year}年")
    return float(next(r[col] for r in rows if r and r[0] == province))


def _employment_cell(path: Path, province: str, year: int, column: str) -> float:
    with path.open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["province"] == province and int(row["year"]) == year:
                return float(row[column])
    raise AssertionError(f"{province} {year} not in {path}")


def test_real_data_panel_and_resilience_study(shared_data: Path, tmp_path: Path):
    """The example build file on the real downloads, checked cell by cell, then the study on it."""
    raw = tomllib.loads((EXAMPLES / "resilience_panel.toml").read_text(encoding="utf-8"))
    for var in raw["variables"]:
        if "file" in var:
            var["file"] = var["file"].replace("../../shared/data", str(shared_data))
    result = build_panel(build_spec_from_dict(raw, base_dir=EXAMPLES, origin="resilience_panel.toml"))
    panel = result.panel.set_index(["province", "year"])
    assert len(result.panel) == 30 * 9 and result.coverage_variable["missing"].sum() == 0
    cnm = shared_data / "provinces" / "cnmoderndata"
    gdp_file = shared_data / "nbs" / "gdp_2006_2024.csv"
    emp_file = shared_data / "employment" / "ict_and_total_urban_unit_employment_2012_2020.csv"
    # GDP per capita and R&D intensity as in the workbooks
    assert panel.loc[("北京市", 2015), "gdp_pc"] == _xlsx_cell(cnm / "E4.xlsx", "北京", 2015)
    assert panel.loc[("湖北省", 2020), "rd_intensity"] == _xlsx_cell(cnm / "C13.xlsx", "湖北", 2020)
    # exports = exports per capita (USD) x population, population = GDP (亿元) * 1e8 / GDP per capita
    for prov, short, year in [("广东省", "广东", 2018), ("山西省", "山西", 2012), ("新疆维吾尔自治区", "新疆", 2020)]:
        pop = _nbs_cell(gdp_file, prov, year) * 1e8 / _xlsx_cell(cnm / "E4.xlsx", short, year)
        assert panel.loc[(prov, year), "population"] == pytest.approx(pop, rel=1e-12)
        assert panel.loc[(prov, year), "exports"] == pytest.approx(_xlsx_cell(cnm / "E8.xlsx", short, year) * pop,
                                                                   rel=1e-12)
        # budget revenue share = revenue per capita x population / GDP (= E5 / E4)
        assert panel.loc[(prov, year), "tax_burden"] == pytest.approx(
            _xlsx_cell(cnm / "E5.xlsx", short, year) / _xlsx_cell(cnm / "E4.xlsx", short, year), rel=1e-12)
    assert panel.loc[("上海市", 2013), "ict_emp"] == _employment_cell(emp_file, "上海市", 2013,
                                                                     "ict_urban_unit_emp_10k") == 21.7
    assert panel.loc[("河南省", 2019), "total_emp"] == _employment_cell(emp_file, "河南省", 2019,
                                                                       "urban_unit_emp_10k")
    # the report: E4's placeholders, the GDP file's footnote, the ICT break in Shanghai 2013 (x2.5)
    assert result.provenance.set_index("variable").loc["gdp_pc", "placeholders"] > 0
    assert "第五次全国经济普查" in result.summary()
    ict = result.breaks[result.breaks["variable"] == "ict_emp"]
    assert ["上海市", 2013] in ict[["province", "year"]].values.tolist()

    # the study end to end through the CLI with the example study file, on the built panel
    result.write(tmp_path / "resilience_panel.csv")
    shutil.copy(EXAMPLES / "resilience_real.toml", tmp_path / "resilience_real.toml")
    out = tmp_path / "results"
    r = runner.invoke(app, ["run", "resilience", "--study", str(tmp_path / "resilience_real.toml"), "--out",
                            str(out), "--lang", "en", "--formats", "csv", "--no-figures"])
    assert r.exit_code == 0, r.output
    analysis = pd.read_csv(out / "analysis_panel.csv")
    coefs = pd.read_csv(out / "coefficients.csv")
    assert len(coefs) > 0 and analysis["sl"].notna().sum() == 30 * 8
    # SL against an independent computation: national exports = sum of the provinces
    built = result.panel
    total = built.groupby("year")["exports"].sum()
    gd = built.set_index(["province", "year"])["exports"]
    expected = (math.log(gd[("广东省", 2016)]) - math.log(gd[("广东省", 2015)])) - (
        math.log(total[2016]) - math.log(total[2015]))
    row = analysis[(analysis["province"] == "广东省") & (analysis["year"] == 2016)]
    assert row["sl"].iloc[0] == pytest.approx(expected, abs=1e-9)  # the CSV keeps 10 decimals


def test_example_build_file_is_valid():
    spec = read_build_file(EXAMPLES / "resilience_panel.toml")
    assert spec.build.years == [2012, 2020]
    assert {"exports", "population", "tax_burden", "ict_emp", "total_emp", "rd_intensity", "gdp_pc"} <= {
        v.name for v in spec.variables if v.keep}


def test_real_population_survey_file_is_not_passed_in_silence(shared_data: Path):
    """The NBS sample-survey 'population' file: census-year gaps, a x20 scale change in 2015 (1 % survey
    instead of 1 per mille) and the footnote saying so all appear in the report."""
    raw = {"build": {"years": [2012, 2020], "break_factor": 2.0},
           "variables": [{"name": "pop_sample", "file": str(shared_data / "nbs" / "population_sample_survey_2006_2025.csv")}]}
    result = build_panel(build_spec_from_dict(raw))
    flagged = result.breaks[(result.breaks["province"] == "北京市")][["year", "ratio"]]
    assert flagged["year"].tolist() == [2015, 2016]
    assert flagged["ratio"].iloc[0] == pytest.approx(335775 / 17757)
    assert result.coverage_year.set_index("year").loc[2020, "missing"] == 31
    text = result.summary()
    assert "1%人口抽样调查样本数据" in text and "breaks:" in text


def test_study_file_builds_its_panel_from_data_build(tmp_path: Path):
    """[data] build in a study file: the study builds the panel itself (issue 11) and records its provenance."""
    from exportlens.datasets import load_resilience_demo
    from exportlens.studies.framework import run_study
    from exportlens.studies.resilience import STUDY, ResilienceStudySpec

    demo = load_resilience_demo()
    columns = ["exports", "national_exports", "ict_emp", "total_emp", "ln_gdp_pc", "tax_burden",
               "consumption_rate", "fdi_ratio", "rd_intensity"]
    demo[["province", "year", *columns]].to_csv(tmp_path / "long.csv", index=False)
    lines = ["[build]", "years = [2009, 2022]", ""]
    for c in columns:
        lines += ["[[variables]]", f'name = "{c}"', 'file = "long.csv"', 'layout = "long"', f'indicator = "{c}"', ""]
    (tmp_path / "panel.toml").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "study.toml").write_text('[data]\nbuild = "panel.toml"\n[model]\nlags = [1]\n', encoding="utf-8")
    spec = ResilienceStudySpec.from_toml(tmp_path / "study.toml")
    assert spec.build_file == str(tmp_path / "panel.toml")
    out = run_study(STUDY, spec, out=tmp_path / "out", lang="en", formats=["csv"], figures=False, reports=False)
    built = pd.read_csv(out / "coefficients.csv")
    direct = run_study(STUDY, ResilienceStudySpec(lags=[1]), out=tmp_path / "direct", lang="en", formats=["csv"],
                       figures=False, reports=False)
    reference = pd.read_csv(direct / "coefficients.csv")
    np.testing.assert_allclose(built["estimate"], reference["estimate"], rtol=1e-9)
    provenance = pd.read_csv(out / "panel_provenance.csv")
    assert set(provenance["variable"]) == set(columns)
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "panel.toml" in manifest
    both = tmp_path / "both.toml"
    both.write_text('[data]\nbuild = "panel.toml"\npath = "long.csv"\n', encoding="utf-8")
    with pytest.raises(StudySpecError, match="both path and build"):
        run_study(STUDY, ResilienceStudySpec.from_toml(both), out=tmp_path / "x", figures=False, reports=False)
    assert not (tmp_path / "x").exists()
