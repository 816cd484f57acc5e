"""The synergy study end to end: demo data, pooled panel entropy checked against an
independent computation, coupling results, tables, figures, the study file and bad input."""

from __future__ import annotations

import json
import math
import tomllib

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from exportlens.cli import app
from exportlens.datasets.demo_synergy import (
    MANUFACTURING,
    PILOT_ZONES_NATIONAL,
    synergy_demo_employment,
    synergy_demo_panel,
)
from exportlens.errors import InputError, MissingColumnError, StudySpecError, UnknownRegionError
from exportlens.measures.composite import composite_index
from exportlens.measures.indicators import IndicatorSystem
from exportlens.studies import synergy as syn
from exportlens.studies.framework import run_study, study_schema, study_template
from exportlens.studies.synergy import (
    STUDY,
    SynergyStudySpec,
    load_subsystem_system,
    run_synergy_study,
    subsystem_template_path,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return synergy_demo_panel()


@pytest.fixture(scope="module")
def employment() -> pd.DataFrame:
    return synergy_demo_employment()


@pytest.fixture(scope="module")
def result(panel, employment):
    return run_synergy_study(panel, SynergyStudySpec(), employment=employment)


def pooled_entropy_index(data: pd.DataFrame, directions: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Panel entropy written out: min-max over ALL rows, p over all rows, k = 1/ln N, 0·ln 0 = 0."""
    x = data[list(directions)].to_numpy(dtype=float)
    lo, hi = x.min(axis=0), x.max(axis=0)
    cost = np.array([d == "cost" for d in directions.values()])
    z = np.where(cost, hi - x, x - lo) / (hi - lo)
    p = z / z.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / math.log(len(x))
    w = (1 - e) / (1 - e).sum()
    return pd.Series(z @ w, index=data.index), w


# --- demo data ---------------------------------------------------------------------------------


def test_demo_data_is_labelled_and_deterministic(panel, employment):
    assert panel.shape[0] == 31 * 10 and employment.shape[0] == 31 * 19 * 10
    for f in (panel, employment):
        assert f.attrs["synthetic"] is True and "SYNTHETIC" in f.attrs["description"]
    pd.testing.assert_frame_equal(panel, synergy_demo_panel())
    assert not panel.drop(columns=["code"]).isna().any().any()
    # pilot zones add up to the national count of each batch year
    zones = panel.groupby("year")["pilot_zones"].sum()
    for year, n in PILOT_ZONES_NATIONAL.items():
        assert zones[year] == n
    assert zones[2013] == 0 and zones[2017] == PILOT_ZONES_NATIONAL[2016]


def test_demo_manufacturing_lq_comes_from_the_employment_table(result, panel):
    lq = result.clusters.lq
    manuf = lq[lq["industry"] == MANUFACTURING].set_index(["code", "year"])["lq"]
    merged = panel.set_index(["code", "year"])["manufacturing_lq"]
    np.testing.assert_allclose(merged.to_numpy(), manuf.reindex(merged.index).to_numpy(), rtol=1e-12)


def test_demo_dgp_is_recovered(result, panel):
    p = result.panel.merge(panel[["code", "year", "latent_cbec", "latent_clusters"]], on=["code", "year"])
    assert p["ecommerce"].corr(p["latent_cbec"], method="spearman") > 0.95
    assert p["clusters"].corr(p["latent_clusters"], method="spearman") > 0.95
    means = p.groupby(["group", "year"])["D"].mean().unstack()
    assert (means[2022] > means[2013]).all()
    assert (means.idxmax(axis=0) == "east").all()
    lag = p[p["year"] <= 2016]["lagging"].value_counts()
    assert lag.get("ecommerce", 0) >= 0.9 * (p["year"] <= 2016).sum()


# --- the computation ---------------------------------------------------------------------------


def test_subsystem_indices_are_pooled_entropy_scores(result, panel):
    for name, template in zip(["ecommerce", "clusters"], syn.SUBSYSTEM_TEMPLATES, strict=True):
        system = IndicatorSystem.from_toml(subsystem_template_path(template))
        expected, w = pooled_entropy_index(panel, system.directions())
        np.testing.assert_allclose(result.panel[name].to_numpy(), expected.to_numpy(), rtol=1e-10, atol=1e-12)
        ours = result.weights[result.weights["subsystem"] == name].set_index("indicator")["weight"]
        np.testing.assert_allclose(ours.reindex(system.codes).to_numpy(), w, rtol=1e-10)
        assert ours.sum() == pytest.approx(1.0)
        assert result.panel[name].between(0, 1).all()
    assert result.weights.set_index("indicator").loc["energy_intensity", "direction"] == "cost"


def test_coupling_values_follow_the_formulas(result):
    p = result.panel
    u1, u2 = p["ecommerce"].to_numpy(), p["clusters"].to_numpy()
    c = 2 * np.sqrt(u1 * u2) / (u1 + u2)
    t = 0.5 * u1 + 0.5 * u2
    np.testing.assert_allclose(p["C"], c, rtol=1e-12)
    np.testing.assert_allclose(p["T"], t, rtol=1e-12)
    np.testing.assert_allclose(p["D"], np.sqrt(c * t), rtol=1e-12)
    expected_band = np.minimum(np.floor(p["D"] * 10 + 1e-9), 9).astype(int) + 1
    np.testing.assert_array_equal(p["band"], expected_band)
    assert len(p) == 310 and p[["code", "year"]].duplicated().sum() == 0


def test_corrected_method_weights_and_dimension_scope(panel):
    spec = SynergyStudySpec(method="corrected", weights=[0.4, 0.6], scope="dimension")
    res = run_synergy_study(panel, spec)
    p = res.panel
    system = IndicatorSystem.from_toml(subsystem_template_path("cross_border_ecommerce"))
    direct = composite_index(panel, system, method="minmax", shift=None)
    np.testing.assert_allclose(p["ecommerce"], direct.scores.to_numpy(), rtol=1e-12)
    u1, u2 = p["ecommerce"].to_numpy(), p["clusters"].to_numpy()
    c = np.sqrt((1 - np.abs(u1 - u2)) * np.minimum(u1, u2) / np.maximum(u1, u2))
    np.testing.assert_allclose(p["C"], c, rtol=1e-12)
    np.testing.assert_allclose(p["D"], np.sqrt(c * (0.4 * u1 + 0.6 * u2)), rtol=1e-12)
    assert res.clusters is None and any("skipped" in n for n in res.notes)
    assert "table7" not in res.tables("en")
    assert "global_weight" in res.weights.columns


def test_rescale_shift_and_precomputed_indices(panel, result):
    res = run_synergy_study(panel, SynergyStudySpec(shift="rescale", bounds=[0.01, 0.99]))
    assert res.panel["ecommerce"].min() >= 0.01 - 1e-12 and res.panel["clusters"].max() <= 0.99 + 1e-12
    pre = panel.assign(u_e=result.panel["ecommerce"].to_numpy(), u_c=result.panel["clusters"].to_numpy())
    res2 = run_synergy_study(pre, SynergyStudySpec(indices=["u_e", "u_c"]))
    np.testing.assert_allclose(res2.panel["D"], result.panel["D"], rtol=1e-12)
    assert "table1" not in res2.tables("zh")


# --- tables and outputs --------------------------------------------------------------------------


def test_tables_in_both_languages(result):
    zh, en = result.tables("zh"), result.tables("en")
    assert list(zh) == [f"table{i}" for i in range(1, 9)] == list(en)
    assert zh["table1"].title.startswith("表1") and en["table2"].title.startswith("Table 2")
    t2 = en["table2"].frame
    assert len(t2) == 310
    assert list(t2.columns) == ["Province", "Year", "Cross-border e-commerce U1", "Industrial clusters U2",
                                "Coupling degree C", "Comprehensive index T", "Coordination degree D",
                                "Coordination band", "Coupling stage", "Lagging subsystem"]
    assert set(zh["table2"].frame["滞后子系统"]) <= {"跨境电商滞后", "产业集群滞后", "同步发展"}
    assert zh["table2"].frame["省份"].iloc[0] == "北京"
    t3 = zh["table3"].frame
    assert len(t3) == 31 and "协调等级 (2022)" in t3.columns
    t5 = en["table5"].frame
    assert t5.drop(columns="Year").sum(axis=1).eq(31).all()
    t6 = zh["table6"].frame
    assert t6.drop(columns="年份").sum(axis=1).eq(31).all()
    assert "2022" in zh["table7"].title and len(zh["table7"].frame) == 31
    assert "区位熵：制造业" in zh["table7"].frame.columns
    assert len(en["table8"].frame) == 19
    for tables in (zh, en):
        for name, table in tables.items():
            assert any("SYNTHETIC" in n or "合成演示数据" in n for n in table.notes), name
    assert "Coupling coordination" in result.summary() and "SYNTHETIC" in result.summary()
    with pytest.raises(InputError, match="lang"):
        result.tables("fr")


def test_run_study_writes_tables_figures_and_manifest(tmp_path):
    out = run_study(STUDY, SynergyStudySpec(), out=tmp_path / "run", lang="en", formats=["csv"])
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {f"tables/table{i}.csv" for i in range(1, 9)} <= names
    assert {"figures/trends_by_group.png", "figures/coordination_map_2022.png", "figures/band_distribution.png",
            "coupling_panel.csv", "indicator_weights.csv", "cluster_measures.csv", "notes.txt",
            "manifest.json"} <= names
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"] == "synergy" and "SYNTHETIC" in manifest["spec"]["data"]
    written = pd.read_csv(out / "coupling_panel.csv")
    assert len(written) == 310 and {"ecommerce", "clusters", "C", "T", "D", "band_en", "lagging"} <= set(written.columns)
    with pytest.raises(InputError, match="not empty"):
        run_study(STUDY, SynergyStudySpec(), out=out, lang="en", formats=["md"], figures=False)


def test_word_tables(tmp_path, panel):
    small = panel[panel["code"].isin([110000, 310000]) & (panel["year"] >= 2020)]
    spec = SynergyStudySpec(grouping="coastal")
    res = run_synergy_study(small, spec)
    written = res.write(tmp_path / "small", lang="zh", formats=["docx"], figures=False)
    assert (tmp_path / "small" / "tables" / "table2.docx") in written
    import docx

    cells = docx.Document(str(tmp_path / "small" / "tables" / "table2.docx")).tables[0].rows[1].cells
    assert [c.text for c in cells[:2]] == ["北京", "2020"]


def test_tile_map_and_grid():
    from exportlens.regions import province_codes
    from exportlens.report.figures_synergy import PROVINCE_TILES, coordination_tile_map

    assert set(PROVINCE_TILES) == set(province_codes())
    assert len(set(PROVINCE_TILES.values())) == 31
    with pytest.raises(InputError, match="31 mainland"):
        coordination_tile_map({"香港": 0.5}, path="unused.png", title="x")
    with pytest.raises(InputError, match="twice"):
        coordination_tile_map({"北京": 0.5, "Beijing": 0.4}, path="unused.png", title="x")


# --- study file ---------------------------------------------------------------------------------


def test_template_parses_back_into_the_defaults(tmp_path):
    import jsonschema

    text = study_template(SynergyStudySpec)
    raw = tomllib.loads(text)
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    assert SynergyStudySpec.from_toml(path).model_dump() == SynergyStudySpec().model_dump()
    assert set(raw) == {"data", "subsystems", "composite", "coupling", "clusters", "report", "regions"}
    jsonschema.validate(raw, study_schema(SynergyStudySpec))
    # the commented examples are valid values too
    jsonschema.validate({"clusters": {"path": "employment.csv", "total": "total_employment"},
                         "report": {"map_year": 2022}, "labels": {"zh": {"ecommerce": "跨境电商"}}},
                        study_schema(SynergyStudySpec))


def test_study_file_paths_are_relative_to_it(tmp_path):
    system = tmp_path / "my_cbec.toml"
    system.write_text(subsystem_template_path("cross_border_ecommerce").read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "study.toml"
    path.write_text('[data]\npath = "panel.csv"\n[subsystems]\nsystems = ["my_cbec.toml", "builtin:industrial_clusters"]\n'
                    '[clusters]\npath = "emp.csv"\n', encoding="utf-8")
    spec = SynergyStudySpec.from_toml(path)
    assert spec.data_path == str(tmp_path / "panel.csv") and spec.employment_path == str(tmp_path / "emp.csv")
    assert spec.systems[0] == str(system) and spec.systems[1] == "builtin:industrial_clusters"
    assert load_subsystem_system(spec.systems[0]).codes == load_subsystem_system("builtin:cross_border_ecommerce").codes


def test_study_file_from_user_files(tmp_path, panel, employment):
    panel.drop(columns=["code", "latent_cbec", "latent_clusters"]).to_csv(tmp_path / "panel.csv", index=False)
    employment.drop(columns=["code"]).to_csv(tmp_path / "emp.csv", index=False)
    path = tmp_path / "study.toml"
    path.write_text('[data]\npath = "panel.csv"\nexclude = ["西藏"]\n[clusters]\npath = "emp.csv"\n'
                    '[report]\ngrouping = "belts3"\n[labels.en]\necommerce = "CBEC"\n', encoding="utf-8")
    out = run_study(STUDY, SynergyStudySpec.from_toml(path), out=tmp_path / "out", lang="en", formats=["csv"],
                    figures=False)
    written = pd.read_csv(out / "coupling_panel.csv")
    assert len(written) == 300 and 540000 not in set(written["code"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs"]) == {"data", "employment", "study_file"}
    # exclusions are counted, in the panel and in the employment table
    assert "Excluded by the study file: [540000] (10 rows)." in manifest["notes"]
    assert any(n.startswith("Excluded by the study file: [540000]") and "rows of the employment table" in n
               for n in manifest["notes"])
    assert (out / "study.toml").exists()
    assert "CBEC U1" in pd.read_csv(out / "tables" / "table2.csv").columns


@pytest.mark.parametrize(("raw", "message"), [
    ({"model": {"fe": "year"}}, r"unknown section \[model\].*subsystems"),
    ({"coupling": {"alpha": 0.5}}, r"unknown key 'alpha' in \[coupling\]; keys of \[coupling\]: method, weights, sync_ratio"),
    ({"data": {"data_path": "x.csv"}}, r"keys of \[data\]: path, sheet"),
    ({"composite": {"shift": "auto"}}, r"\[composite\] shift = \"auto\": expected one of 'none' or 'rescale'"),
    ({"coupling": {"method": "modified"}}, "standard"),
    ({"coupling": {"weights": [0.7, 0.7]}}, "summing to 1"),
    ({"coupling": {"weights": [1.5, -0.5]}}, r"\[coupling\] weights\[1\] = -0.5"),
    ({"coupling": {"sync_ratio": 1.5}}, r"\[coupling\] sync_ratio = 1.5: expected a number < 1"),
    ({"subsystems": {"names": ["a"]}}, "at least 2"),
    ({"subsystems": {"names": ["a", "synchronous"], "systems": ["x.toml", "y.toml"]}}, "'synchronous' cannot"),
    ({"subsystems": {"systems": ["builtin:nope", "builtin:industrial_clusters"]}}, "unknown built-in"),
    ({"subsystems": {"names": ["a", "b", "c"]}}, "one indicator system per subsystem"),
    ({"composite": {"bounds": [0.5, 0.2]}}, "bounds"),
    ({"composite": {"bounds": [0.5, 1.2]}}, r"bounds\[1\] = 1.2: expected a number <= 1"),
    ({"report": {"grouping": "provinces"}}, "grouping"),
    ({"report": {"map_year": "2020"}}, r"\[report\] map_year = \"2020\": expected a whole number"),
    ({"labels": {"fr": {"a": "b"}}}, r"\[labels\].*expected one of 'zh' or 'en'"),
])
def test_bad_study_files(raw, message):
    with pytest.raises(StudySpecError, match=message):
        SynergyStudySpec.from_dict(raw)


def test_missing_study_file(tmp_path):
    with pytest.raises(StudySpecError, match="not found"):
        SynergyStudySpec.from_toml(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[data\n", encoding="utf-8")
    with pytest.raises(StudySpecError, match="not valid TOML"):
        SynergyStudySpec.from_toml(bad)


# --- bad data -----------------------------------------------------------------------------------


def test_bad_data_is_named(panel):
    with pytest.raises(MissingColumnError, match=r"clusters: \['hightech_firms'\]"):
        run_synergy_study(panel.drop(columns=["hightech_firms"]))
    holes = panel.copy()
    holes.loc[holes.index[5], "express_volume"] = np.nan
    with pytest.raises(InputError, match=r"Subsystem 'ecommerce'.*北京市 2018.*express_volume"):
        run_synergy_study(holes)
    dup = pd.concat([panel, panel.iloc[[0]]])
    with pytest.raises(InputError, match=r"duplicate province-year rows: 北京市 2013"):
        run_synergy_study(dup)
    unknown = panel.assign(province=panel["province"].replace("河北省", "Atlantis"))
    with pytest.raises(UnknownRegionError, match="Atlantis"):
        run_synergy_study(unknown)
    both = SynergyStudySpec(systems=["builtin:cross_border_ecommerce", "builtin:cross_border_ecommerce"])
    with pytest.raises(StudySpecError, match="more than one subsystem"):
        run_synergy_study(panel, both)
    emp = synergy_demo_employment().rename(columns={"employment": "jobs"})
    with pytest.raises(MissingColumnError, match=r"\[.employment.\] named in \[clusters\]"):
        run_synergy_study(panel, employment=emp)
    with pytest.raises(InputError, match="map_year = 1999"):
        run_synergy_study(panel, SynergyStudySpec(map_year=1999))


# --- study files through the command line -------------------------------------------------------


@pytest.fixture()
def study_dir(tmp_path, panel):
    panel.drop(columns=["code", "latent_cbec", "latent_clusters"]).to_csv(tmp_path / "panel.csv", index=False)
    return tmp_path


@pytest.mark.parametrize(
    ("line", "edited", "expected"),
    [
        ("sync_ratio = 0.9", 'sync_ratio = "0.9"', '[coupling] sync_ratio = "0.9": expected a number (without quotes)'),
        ("exclude = []", 'exclude = "西藏"', '[data] exclude = "西藏": expected a list'),
        ('scope = "subsystem"', 'scope = "subsystem"\nscopes = 1', "unknown key 'scopes' in [composite]"),
    ],
)
def test_cli_study_file_errors(study_dir, line, edited, expected):
    text = study_template(SynergyStudySpec).replace('# path = "panel.csv"', 'path = "panel.csv"')
    assert line in text
    study = study_dir / "study.toml"
    study.write_text(text.replace(line, edited, 1), encoding="utf-8")
    r = runner.invoke(app, ["run", "synergy", "--study", str(study), "--out", str(study_dir / "o")])
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and expected in r.stderr
    assert not (study_dir / "o").exists()


def test_cli_study_file_encodings(study_dir):
    study = study_dir / "study.toml"
    text = '[data]\npath = "panel.csv"\nexclude = ["西藏"]\n[labels.zh]\necommerce = "跨境电子商务"\n'
    study.write_bytes(text.encode("gbk"))
    r = runner.invoke(app, ["run", "synergy", "--study", str(study), "--out", str(study_dir / "o")])
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "not UTF-8" in r.stderr
    study.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # UTF-8 with BOM, as Notepad writes it
    r = runner.invoke(app, ["run", "synergy", "--study", str(study), "--out", str(study_dir / "o"), "--formats", "csv",
                            "--no-figures"])
    assert r.exit_code == 0, r.output
    written = pd.read_csv(study_dir / "o" / "coupling_panel.csv")
    assert len(written) == 300 and 540000 not in set(written["code"])
    assert "跨境电子商务 U1" in pd.read_csv(study_dir / "o" / "tables" / "table2.csv").columns
    assert not (study_dir / "o" / "cluster_measures.csv").exists()  # no [clusters] path: no demo employment
