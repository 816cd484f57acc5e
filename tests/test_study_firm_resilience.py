"""The firm-level study: spec files (template, schema, strict values, encodings), the demo
run through the runner, the command line, user data with invalid rows, the generator."""

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
from exportlens.datasets.demo_firms import (
    FIRM_DEMO_COLUMNS,
    FIRM_DEMO_PARAMETERS,
    FIRM_DEMO_SHOCK_YEAR,
    INDUSTRY_SHOCK_SENSITIVITY,
    firm_demo_province_panel,
    firm_transactions_demo,
    panel_for_rows,
    province_exposure,
    write_firm_transactions,
)
from exportlens.errors import InputError, StudySpecError
from exportlens.firms import InvalidRowsError
from exportlens.firms.pipeline import PIPELINE_STEPS
from exportlens.studies.firm_resilience import (
    MODEL_STEP,
    STUDY,
    FirmResilienceStudySpec,
    FirmTransactions,
    run_firm_resilience_study,
)
from exportlens.studies.framework import run_study, study_schema, study_template

runner = CliRunner()

# --- spec ------------------------------------------------------------------------------------


def test_template_parses_back_into_the_demo_defaults_and_fits_the_schema(tmp_path):
    text = study_template(FirmResilienceStudySpec)
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    spec = FirmResilienceStudySpec.from_toml(path)
    default = FirmResilienceStudySpec()
    assert spec.model_dump() == default.model_dump() and spec.source_file == str(path)
    assert spec.column_map() == default.column_map() and spec.measure_spec() == default.measure_spec()
    assert spec.columns == {**FIRM_DEMO_COLUMNS, "period_format": "year"}
    schema = study_schema(FirmResilienceStudySpec)
    jsonschema.validate(tomllib.loads(text), schema)
    # the commented examples (data path, years, [labels.*]) are valid once uncommented
    filled = re.sub(r"(?m)^# (path =|base_year =|recovery_year =|\[labels\.\w+\]$|39 =)", r"\1", text)
    raw = tomllib.loads(filled)
    assert raw["labels"]["en"] == {"39": "Computers and electronics"} and raw["data"]["path"] == "transactions/"
    jsonschema.validate(raw, schema)
    path.write_text(filled, encoding="utf-8")
    spec = FirmResilienceStudySpec.from_toml(path)
    assert spec.data_path == str(tmp_path / "transactions/") and spec.base_year == 2008
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"engine": {"threads": 0}}, schema)


def test_python_users_keep_the_columns_mapping():
    spec = FirmResilienceStudySpec(columns={"firm": "企业编码", "value": "美元"}, shock_year=2010)
    assert spec.firm_column == "企业编码" and spec.column_map().value == "美元"
    assert spec.column_map().product == FIRM_DEMO_COLUMNS["product"]
    assert spec.with_values(threads=4).columns == spec.columns
    with pytest.raises(StudySpecError, match="Unknown column role"):
        FirmResilienceStudySpec(columns={"firms": "x"})


@pytest.mark.parametrize(("raw", "match"), [
    ({"model": {}}, r"unknown section \[model\]"),
    ({"shock": {"year": 2009}}, r"unknown key 'year' in \[shock\]; keys of \[shock\]: shock_year"),
    ({"columns": {"firm": "a", "product": "a"}}, r"\[columns\].*more than one role"),
    ({"columns": {"firms": "a"}}, r"unknown key 'firms' in \[columns\]"),
    ({"engine": {"backend": "polars"}}, r"\[engine\] backend = \"polars\": expected one of"),
    ({"engine": {"threads": 0}}, r"\[engine\] threads = 0: expected a number >= 1"),
    ({"data": {"invalid": "skip"}}, r"\[data\] invalid = \"skip\""),
    ({"report": {"grouping": "x"}}, r"\[report\] grouping must be one of"),
    ({"shock": {"base_year": 2010}}, r"\[shock\] years must satisfy"),
    ({"labels": {"zh": "x"}}, r"\[labels\] labels.zh = \"x\": expected a table"),
    ({"labels": {"fr": {"39": "x"}}}, r"labels"),
])
def test_spec_errors_name_the_problem(raw, match):
    with pytest.raises(StudySpecError, match=match):
        FirmResilienceStudySpec.from_dict(raw)


# --- the demo --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("firm_demo") / "out"
    return run_study(STUDY, FirmResilienceStudySpec(), out=out, lang="zh", formats=["md", "csv", "xlsx"])


def test_demo_writes_tables_data_figure_manifest(demo_out):
    for i in range(1, 7):
        assert (demo_out / "tables" / f"table_f{i}.md").is_file()
    for name in ("province_year", "industry_year", "group_shock", "national_year"):
        assert (demo_out / "data" / f"{name}.csv").is_file() and (demo_out / "data" / f"{name}.parquet").is_file()
    assert (demo_out / "firm" / "firm_year.parquet").is_file() and (demo_out / "figures" / "survival_by_group.png").is_file()
    assert not (demo_out / "_engine_tmp").exists()
    manifest = json.loads((demo_out / "manifest.json").read_text(encoding="utf-8"))
    acc = manifest["spec"]["row_accounting"]
    assert acc["rows_read"] == acc["rows_used"] == 200_000 and acc["rows_invalid"] == 0
    assert manifest["spec"]["column_map"]["value"] == "value_usd" and manifest["spec"]["backend"] == "duckdb"
    assert "SYNTHETIC" in manifest["spec"]["data"]
    assert "tables/table_f4.md" in manifest["outputs"] and "firm/firm_shock.parquet" in manifest["outputs"]
    assert not any("Warning" in n for n in manifest["notes"])  # the engine's library deprecations are not notes
    md = (demo_out / "tables" / "table_f1.md").read_text(encoding="utf-8")
    assert "合成交易记录" in md and "表F1" in md and "200,000" in md
    notes = (demo_out / "notes.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in notes and "200,000 rows read, 200,000 used, 0 invalid" in notes


def test_demo_tables_agree_with_the_data_files(demo_out):
    nat = pd.read_csv(demo_out / "data" / "national_shock.csv").iloc[0]
    f3 = pd.read_csv(demo_out / "tables" / "table_f3.csv")
    all_row = f3[f3["地区"] == "全国"].iloc[0]
    assert all_row["冲击前出口企业数"] == nat["cohort_firms"]
    assert all_row["冲击年存活率（企业）"] == pytest.approx(nat["survival_shock_fw"])
    groups = pd.read_csv(demo_out / "data" / "group_shock.csv")
    assert groups["cohort_firms"].sum() == nat["cohort_firms"]
    province_year = pd.read_parquet(demo_out / "data" / "province_year.parquet")
    pd.testing.assert_frame_equal(province_year, pd.read_csv(demo_out / "data" / "province_year.csv"),
                                  check_dtype=False, rtol=1e-9)
    f6 = pd.read_csv(demo_out / "tables" / "table_f6.csv").set_index("省份")
    gd = province_year[(province_year["code"] == 440000) & (province_year["year"] == FIRM_DEMO_SHOCK_YEAR)].iloc[0]
    assert f6.loc["广东省", str(FIRM_DEMO_SHOCK_YEAR)] == pytest.approx(gd["survival_rate_fw"])
    firm_year = pd.read_parquet(demo_out / "firm" / "firm_year.parquet")
    nat_year = pd.read_csv(demo_out / "data" / "national_year.csv").set_index("year")
    assert firm_year[firm_year["exports"] > 0].groupby("year")["firm"].nunique().to_dict() == \
        nat_year["n_firms"].to_dict()


def test_english_tables_and_merge_with_the_province_panel():
    result = run_firm_resilience_study()
    assert result.synthetic and "SYNTHETIC" in result.summary()
    assert result.measures.firm_year is not None  # without an output folder: in memory
    tables = result.tables("en")
    assert tables["table_f3"].title.startswith("Table F3")
    assert any("SYNTHETIC" in n for n in tables["table_f2"].notes)
    f5 = tables["table_f5"].to_frame()
    assert "39 Computers and electronics" in set(f5["Industry"])
    assert set(result.data_files("en")["data/invalid_rows"]["label"]) >= {"negative export value"}
    assert "firm/firm_year.parquet" in result.data_files()
    from exportlens.datasets.demo import resilience_demo_panel

    panel = resilience_demo_panel()
    firms = result.to_frame()
    merged = panel.merge(firms, on=["code", "year"], how="inner", validate="one_to_one")
    # every province-year of the overlap 2009-2014 merges (the panel has no Tibet)
    overlap = firms[firms["year"].between(2009, 2014) & (firms["code"] != 540000)]
    assert len(merged) == len(overlap) > 0 and set(merged["year"]) == set(range(2009, 2015))


def test_output_folder_must_be_new(demo_out):
    with pytest.raises(InputError, match="not empty"):
        run_study(STUDY, FirmResilienceStudySpec(), out=demo_out, lang="en")


def test_progress_follows_the_pipeline_steps(tmp_path):
    info = write_firm_transactions(tmp_path / "tx", rows=5_000, seed=2)
    seen: list[str] = []
    result = STUDY.run(FirmTransactions(info.path), FirmResilienceStudySpec(), progress=seen.append)
    # user transactions without a [panel] path: no models, so no model step (noted)
    assert seen == list(PIPELINE_STEPS) and STUDY.steps == ("prepare data", *PIPELINE_STEPS, MODEL_STEP)
    assert result.models is None and any("[panel] path" in n for n in result.notes)
    # out of core: the firm-level tables are files in the result's temporary workspace, copied when written
    firm_year = result.data_files()["firm/firm_year.parquet"]
    assert firm_year.is_file() and firm_year.is_relative_to(result.workspace.name)
    assert len(pd.read_parquet(firm_year)) >= result.measures.firms


# --- user data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def user_csv(tmp_path_factory):
    """Demo rows renamed to Chinese headers, as CSV, with three invalid rows."""
    frame = firm_transactions_demo(rows=20_000, seed=3)
    names = {"firm_id": "企业编码", "hs8": "商品编码", "destination": "目的国", "year": "年份",
             "value_usd": "美元", "province": "所在省份", "industry": "行业代码"}
    frame = frame.rename(columns=names)
    frame.loc[5, "美元"] = -1.0
    frame.loc[6, "年份"] = 20091  # after the present year
    frame.loc[7, "所在省份"] = "境外"
    path = tmp_path_factory.mktemp("user") / "customs.csv"
    frame.to_csv(path, index=False)
    return path, {k: names[v] for k, v in FIRM_DEMO_COLUMNS.items()}


def _column_options(columns: dict[str, str]) -> list[str]:
    return [arg for role, name in columns.items() for arg in ("--column", f"{role}={name}")]


def test_user_csv_raises_then_drops_and_reports(user_csv, tmp_path):
    path, columns = user_csv
    spec = FirmResilienceStudySpec(data_path=str(path), columns=columns, shock_year=2009)
    with pytest.raises(InvalidRowsError, match="3 of 20,000"):
        run_study(STUDY, spec, out=tmp_path / "a", lang="en")
    assert not (tmp_path / "a").exists()
    r = runner.invoke(app, ["run", "firm-resilience", "--transactions", str(path), *_column_options(columns),
                            "--shock-year", "2009", "--drop-invalid", "--out", str(tmp_path / "b"), "--lang", "en",
                            "--formats", "csv", "--no-figures"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "b"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["spec"]["invalid"] == "drop" and manifest["spec"]["firm_column"] == "企业编码"
    acc = manifest["spec"]["row_accounting"]
    assert acc["invalid_by_reason"]["negative_value"] == 1 and acc["invalid_by_reason"]["future_year"] == 1
    assert acc["unknown_province_values"] == {"境外": 1} and acc["rows_used"] == 19_997
    assert any("3 of 20,000 rows had invalid values" in n for n in manifest["notes"])
    assert manifest["inputs"]["transactions/customs.csv"]["path"] == str(path)
    invalid = pd.read_csv(out / "data" / "invalid_rows.csv").set_index("reason")
    assert invalid.loc["unknown_province", "rows"] == 1 and invalid["rows"].sum() == 3
    f1 = pd.read_csv(out / "tables" / "table_f1.csv").set_index("Item")
    assert f1.loc["Rows used", "Value"] == "19,997"


def test_user_study_file_with_bom_and_relative_path(user_csv, tmp_path):
    path, columns = user_csv
    (tmp_path / "customs.csv").write_bytes(path.read_bytes())
    body = ('[data]\npath = "customs.csv"\ninvalid = "drop"\n[columns]\n'
            + "".join(f'{role} = "{name}"\n' for role, name in columns.items())
            + '[labels.en]\n39 = "Electronics"\n')
    study = tmp_path / "study.toml"
    study.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    r = runner.invoke(app, ["run", "firm-resilience", "--study", str(study), "--out", str(tmp_path / "o"),
                            "--lang", "en", "--formats", "csv", "--no-figures"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "study.toml").read_bytes() == study.read_bytes()
    f5 = pd.read_csv(tmp_path / "o" / "tables" / "table_f5.csv")
    assert "39 Electronics" in set(f5["Industry"])
    study.write_bytes(body.replace("Electronics", "电子").encode("gbk"))
    line = _cli_error(["run", "firm-resilience", "--study", str(study), "--out", str(tmp_path / "gbk")])
    assert "not UTF-8" in line


# --- the command line ----------------------------------------------------------------------------


def _cli_error(args: list[str]) -> str:
    """Run the CLI expecting a one-line error: exit code 2, one line on stderr, no traceback."""
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in r.output, r.stderr
    return " ".join(lines[0].split())


@pytest.mark.parametrize(("body", "expected"), [
    # the study has no boolean or list keys: a quoted number and a table given as a string stand in for them
    ('[engine]\nthreads = "2"\n', r'\[engine\] threads = "2": expected a whole number'),
    ('[shock]\nshock_year = "2009"\n', r'\[shock\] shock_year = "2009": expected a whole number'),
    ('labels = "39 = electronics"\n', r"labels must be a section"),
    ('[columns]\nfirm = ["a", "b"]\n', r"\[columns\] firm = \[\"a\", \"b\"\]: expected a quoted string"),
    ('[engine]\nbackend = "spark"\n', r"\[engine\] backend = \"spark\": expected one of"),
    ('[engine]\ncores = 4\n', r"unknown key 'cores' in \[engine\]"),
])
def test_cli_rejects_bad_study_values_in_one_line(tmp_path, body, expected):
    study = tmp_path / "study.toml"
    study.write_text(body + '[data]\npath = "tx.csv"\n', encoding="utf-8")  # the data path after the bad value
    line = _cli_error(["run", "firm-resilience", "--study", str(study), "--out", str(tmp_path / "o")])
    assert re.search(expected, line), line
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("args", "expected"), [
    (["--column", "firm"], r"--column 'firm': expected name=value"),
    (["--column", "firms=x"], r"unknown key 'firms' of \[columns\]; keys: firm, product"),
    (["--column", "firm=a", "--column", "product=a"], r"\[columns\].*more than one role"),
    (["--shock-year", "abc"], r"--shock-year"),  # typer's own usage error
])
def test_cli_options_errors(tmp_path, args, expected):
    r = runner.invoke(app, ["run", "firm-resilience", *args, "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert re.search(expected, " ".join(r.output.split())), r.output
    assert not (tmp_path / "o").exists()


# --- the generator ---------------------------------------------------------------------------


def test_generator_is_deterministic_labelled_and_exact(tmp_path):
    a = firm_transactions_demo(rows=5_000, seed=11)
    assert len(a) == 5_000 and a.attrs["synthetic"] is True and "SYNTHETIC" in a.attrs["description"]
    assert list(a.columns) == list(FIRM_DEMO_COLUMNS.values())
    pd.testing.assert_frame_equal(a, firm_transactions_demo(rows=5_000, seed=11))
    info = write_firm_transactions(tmp_path / "tx", rows=5_000, seed=11)
    assert info.rows == 5_000 and len(info.files) == 10 and info.synthetic
    written = pd.concat([pd.read_parquet(f) for f in info.files], ignore_index=True)
    pd.testing.assert_frame_equal(written, a, check_dtype=False)
    assert (a["value_usd"] >= 0).all() and a["firm_id"].str.len().eq(10).all()
    with pytest.raises(InputError, match="not an empty folder"):
        write_firm_transactions(tmp_path / "tx", rows=5_000)
    with pytest.raises(InputError, match="shock_year"):
        firm_transactions_demo(rows=5_000, shock_year=2005)


def test_generator_follows_its_documented_exit_hazard():
    # Shock-year exit probability by exposure, against the DGP formula averaged over the firms.
    panel = panel_for_rows(10_000_000, 5, tuple(range(2005, 2015)), 2009)  # firm panel only: fast
    p = FIRM_DEMO_PARAMETERS
    exposure = province_exposure()
    alive08 = panel.fy_firm[panel.fy_year == 2008]
    alive09 = set(panel.fy_firm[panel.fy_year == 2009].tolist())
    exited = np.array([f not in alive09 for f in alive08])
    v = np.array([exposure[int(c)] for c in panel.province[alive08]])
    industries = list(INDUSTRY_SHOCK_SENSITIVITY)
    s = np.array([INDUSTRY_SHOCK_SENSITIVITY[industries[i]] for i in panel.industry[alive08]])
    size = panel.size[alive08]
    vag_by_code = {(int(c), int(y)): v for c, y, v in firm_demo_province_panel(seed=5)[["code", "year", "vag"]].itertuples(
        index=False)}
    vag09 = np.array([vag_by_code[(int(c), 2009)] for c in panel.province[alive08]])
    expected = np.clip((p["exit_base"] + p["exit_shock"] * s * (1 - p["exposure_damping"] * v))
                       * np.exp(-p["exit_size_elasticity"] * size) + p["vag_exit"] * (vag09 - p["vag_centre"]), 0.005, 0.8)
    for mask in (v == 1.0, v <= 0.45):
        assert exited[mask].mean() == pytest.approx(expected[mask].mean(), abs=0.01)  # about 5 SE
    assert exited[v == 1.0].mean() < exited[v <= 0.45].mean() - 0.02  # exposure protects, as documented


def test_growth_paths_key_reaches_the_measure_spec():
    from exportlens.studies.firm_resilience import FirmResilienceStudySpec

    assert FirmResilienceStudySpec().measure_spec().growth_paths is True
    assert FirmResilienceStudySpec(growth_paths=False).measure_spec().growth_paths is False
