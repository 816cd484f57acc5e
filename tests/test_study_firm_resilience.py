"""The firm-level study: spec files, the demo run, user data with invalid rows, the generator."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd
import pytest

from exportlens.data.demo_firms import (
    FIRM_DEMO_COLUMNS,
    FIRM_DEMO_PARAMETERS,
    FIRM_DEMO_SHOCK_YEAR,
    INDUSTRY_SHOCK_SENSITIVITY,
    _panel_for_rows,
    firm_transactions_demo,
    province_exposure,
    write_firm_transactions,
)
from exportlens.errors import InputError, StudySpecError
from exportlens.firms import InvalidRowsError
from exportlens.studies.firm_resilience import (
    FirmResilienceStudySpec,
    run_firm_resilience_cli,
    run_firm_resilience_study,
    study_template,
)

# --- spec ------------------------------------------------------------------------------------


def test_template_parses_to_the_demo_defaults(tmp_path):
    raw = tomllib.loads(study_template())
    raw["data"].pop("path")  # the demo has no data path
    spec = FirmResilienceStudySpec.from_dict(raw)
    default = FirmResilienceStudySpec()
    assert spec.column_map() == default.column_map()
    assert spec.measure_spec() == default.measure_spec()
    assert (spec.backend, spec.memory_limit, spec.threads, spec.grouping) == ("duckdb", "3GB", 2, "belts3")
    path = tmp_path / "study.toml"
    path.write_text(study_template(), encoding="utf-8")
    from_file = FirmResilienceStudySpec.from_toml(path)
    assert from_file.data_path == str(tmp_path / "transactions/") and from_file.source_file == str(path)


@pytest.mark.parametrize(("raw", "match"), [
    ({"model": {}}, r"Unknown section \[model\]"),
    ({"shock": {"year": 2009}}, r"Unknown key 'year' in \[shock\]; allowed: shock_year"),
    ({"columns": {"firm": "a", "product": "a"}}, "more than one role"),
    ({"engine": {"backend": "polars"}}, "duckdb or pyspark"),
    ({"engine": {"threads": 0}}, "positive integer"),
    ({"data": {"invalid": "skip"}}, "invalid must be"),
    ({"report": {"grouping": "x"}}, "grouping must be one of"),
    ({"labels": {"zh": "x"}}, r"\[labels\] must hold"),
])
def test_spec_errors_name_the_problem(raw, match):
    with pytest.raises(StudySpecError, match=match):
        FirmResilienceStudySpec.from_dict(raw)


# --- the demo --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("firm_demo") / "out"
    return run_firm_resilience_cli(None, out=out, lang="zh", formats=["md", "csv", "xlsx"])


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
    assert "SYNTHETIC" in manifest["spec"]["data"]
    assert "tables/table_f4.md" in manifest["outputs"]
    md = (demo_out / "tables" / "table_f1.md").read_text(encoding="utf-8")
    assert "合成交易记录" in md and "表F1" in md and "200,000" in md


def test_demo_tables_agree_with_the_data_files(demo_out):
    nat = pd.read_csv(demo_out / "data" / "national_shock.csv").iloc[0]
    f3 = pd.read_csv(demo_out / "tables" / "table_f3.csv")
    all_row = f3[f3["地区"] == "全国"].iloc[0]
    assert all_row["冲击前出口企业数"] == nat["cohort_firms"]
    assert all_row["冲击年存活率（企业）"] == pytest.approx(nat["survival_shock_fw"])
    groups = pd.read_csv(demo_out / "data" / "group_shock.csv")
    assert groups["cohort_firms"].sum() == nat["cohort_firms"]
    province_year = pd.read_parquet(demo_out / "data" / "province_year.parquet")
    f6 = pd.read_csv(demo_out / "tables" / "table_f6.csv").set_index("省份")
    gd = province_year[(province_year["code"] == 440000) & (province_year["year"] == FIRM_DEMO_SHOCK_YEAR)].iloc[0]
    assert f6.loc["广东省", str(FIRM_DEMO_SHOCK_YEAR)] == pytest.approx(gd["survival_rate_fw"])


def test_english_tables_and_merge_with_the_province_panel():
    result = run_firm_resilience_study()
    assert result.synthetic and "SYNTHETIC" in result.summary()
    tables = result.tables("en")
    assert tables["table_f3"].title.startswith("Table F3")
    assert any("SYNTHETIC" in n for n in tables["table_f2"].notes)
    f5 = tables["table_f5"].to_frame()
    assert "39 Computers and electronics" in set(f5["Industry"])
    from exportlens.data.demo import resilience_demo_panel

    panel = resilience_demo_panel()
    firms = result.to_frame()
    merged = panel.merge(firms, on=["code", "year"], how="inner", validate="one_to_one")
    # every province-year of the overlap 2009-2014 merges (the panel has no Tibet)
    overlap = firms[firms["year"].between(2009, 2014) & (firms["code"] != 540000)]
    assert len(merged) == len(overlap) > 0 and set(merged["year"]) == set(range(2009, 2015))


def test_output_folder_must_be_new(demo_out):
    with pytest.raises(InputError, match="not empty"):
        run_firm_resilience_cli(None, out=demo_out, lang="en")


# --- user data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def user_csv(tmp_path_factory):
    """Demo rows renamed to Chinese headers, as CSV, with three invalid rows."""
    frame = firm_transactions_demo(rows=20_000, seed=3)
    names = {"firm_id": "企业编码", "hs8": "商品编码", "destination": "目的国", "year": "年份",
             "value_usd": "美元", "province": "所在省份", "industry": "行业代码"}
    frame = frame.rename(columns=names)
    frame.loc[5, "美元"] = -1.0
    frame.loc[6, "年份"] = 20091  # implausible
    frame.loc[7, "所在省份"] = "境外"
    path = tmp_path_factory.mktemp("user") / "customs.csv"
    frame.to_csv(path, index=False)
    return path, {k: names[v] for k, v in FIRM_DEMO_COLUMNS.items()}


def test_user_csv_raises_then_drops_and_reports(user_csv, tmp_path):
    path, columns = user_csv
    with pytest.raises(InvalidRowsError, match="3 of 20,000"):
        run_firm_resilience_cli(path, columns=columns, shock_year=2009, out=tmp_path / "a", lang="en")
    out = run_firm_resilience_cli(path, columns=columns, shock_year=2009, invalid="drop", out=tmp_path / "b",
                                  lang="en", formats=["csv"], figures=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    acc = manifest["spec"]["row_accounting"]
    assert acc["invalid_by_reason"]["negative_value"] == 1 and acc["invalid_by_reason"]["implausible_year"] == 1
    assert acc["unknown_province_values"] == {"境外": 1} and acc["rows_used"] == 19_997
    assert any("3 of 20,000 rows had invalid values" in n for n in manifest["notes"])
    assert "transactions/customs.csv" in manifest["inputs"] or "transactions/" + path.name in manifest["inputs"]
    invalid = pd.read_csv(out / "data" / "invalid_rows.csv").set_index("reason")
    assert invalid.loc["unknown_province", "rows"] == 1 and invalid["rows"].sum() == 3
    f1 = pd.read_csv(out / "tables" / "table_f1.csv").set_index("Item")
    assert f1.loc["Rows used", "Value"] == "19,997"


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
    panel = _panel_for_rows(10_000_000, 5, tuple(range(2005, 2015)), 2009)  # firm panel only: fast
    p = FIRM_DEMO_PARAMETERS
    exposure = province_exposure()
    alive08 = panel.fy_firm[panel.fy_year == 2008]
    alive09 = set(panel.fy_firm[panel.fy_year == 2009].tolist())
    exited = np.array([f not in alive09 for f in alive08])
    v = np.array([exposure[int(c)] for c in panel.province[alive08]])
    industries = list(INDUSTRY_SHOCK_SENSITIVITY)
    s = np.array([INDUSTRY_SHOCK_SENSITIVITY[industries[i]] for i in panel.industry[alive08]])
    # the firm's log size is not stored: recover it from its 2008 log exports (trend, noise sd 0.25)
    log08 = panel.fy_log_exports[panel.fy_year == 2008] - p["trend"] * 3
    expected = np.clip((p["exit_base"] + p["exit_shock"] * s * (1 - p["exposure_damping"] * v))
                       * np.exp(-p["exit_size_elasticity"] * log08), 0.005, 0.8)
    for mask in (v == 1.0, v <= 0.45):
        assert exited[mask].mean() == pytest.approx(expected[mask].mean(), abs=0.02)  # about 3.5 SE
    assert exited[v == 1.0].mean() < exited[v <= 0.45].mean() - 0.02  # exposure protects, as documented


def test_column_options_of_the_command_line():
    from exportlens.studies.firm_resilience import parse_column_options

    assert parse_column_options(["firm=企业编码", " value = 美元 "]) == {"firm": "企业编码", "value": "美元"}
    with pytest.raises(InputError, match="role=column_name"):
        parse_column_options(["firm"])
    with pytest.raises(InputError, match="Unknown column role 'firms'"):
        parse_column_options(["firms=x"])
