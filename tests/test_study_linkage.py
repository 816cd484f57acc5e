"""The linkage study end to end: hand recomputation of weights and scores, accounting
identities of the rank tables, recovery of the synthetic DGP, outputs, spec files and
bad input."""

from __future__ import annotations

import json
import tomllib
import typing

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from exportlens.cli import app
from exportlens.datasets.demo_linkage import RAIL_PROVINCES, linkage_demo_cube
from exportlens.errors import InputError, MissingColumnError, StudySpecError, UnknownRegionError
from exportlens.measures.indicators import IndicatorSystem
from exportlens.regions import resolve_countries, resolve_province
from exportlens.studies.framework import run_study, study_schema, study_template
from exportlens.studies.linkage import (
    STUDY,
    LinkageStudySpec,
    load_linkage_data,
    run_linkage_study,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def cube() -> pd.DataFrame:
    return linkage_demo_cube()


@pytest.fixture(scope="module")
def result(cube):
    return run_linkage_study(cube, LinkageStudySpec())


def _entropy(x: np.ndarray) -> np.ndarray:
    n = x.shape[0]
    p = x / x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    d = 1 + plogp.sum(axis=0) / np.log(n)
    return d / d.sum()


def test_demo_cube_is_labelled_and_deterministic(cube):
    assert cube.shape == (31 * 63 * 16, 4)
    assert list(cube.columns) == ["province", "country", "indicator", "value"]
    assert cube.attrs["synthetic"] is True and "SYNTHETIC" in cube.attrs["description"]
    pd.testing.assert_frame_equal(cube, linkage_demo_cube())
    assert not cube.equals(linkage_demo_cube(seed=1))


@pytest.mark.parametrize("normalise", ["all", "dimension"])
def test_weights_and_scores_by_hand(result, cube, normalise):
    if normalise != "all":
        result = run_linkage_study(cube, LinkageStudySpec(normalise=normalise))
    system = IndicatorSystem.builtin()
    wide = cube.pivot_table(index=["province", "country"], columns="indicator", values="value")[system.codes]
    x = wide.to_numpy()
    cost = (system.indicators["direction"] == "cost").to_numpy()
    lo, hi = x.min(axis=0), x.max(axis=0)
    std = np.where(cost, hi - x, x - lo) / (hi - lo) + 0.0001  # min-max over all pairs, + 0.0001
    std = pd.DataFrame(std, index=wide.index, columns=system.codes)
    w_dim = result.ahp.weight("arithmetic")
    for name in ("上海", "新疆", "西藏"):
        block = std.xs(name, level="province")
        code = resolve_province(name).code
        score = np.zeros(len(block))
        x_all = block[system.codes].to_numpy()
        flat_all = np.ptp(x_all, axis=0) == 0
        w_all = np.zeros(len(system.codes))
        w_all[~flat_all] = _entropy(x_all[:, ~flat_all])  # one entropy step over all 16 indicators
        w_all = pd.Series(w_all, index=system.codes)
        for dim in system.dimension_codes:
            members = system.members(dim)
            xb = block[members].to_numpy()
            if normalise == "all":
                w = w_all[members].to_numpy()
            else:
                flat = np.ptp(xb, axis=0) == 0
                w = np.zeros(len(members))
                w[~flat] = _entropy(xb[:, ~flat])
            np.testing.assert_allclose(result.weights.loc[code, members], w, rtol=1e-10, atol=1e-14)
            iso3 = resolve_countries(pd.Series(block.index)).to_numpy()
            mine_dim = result.scores.xs(code, level="province")[dim].reindex(iso3)
            np.testing.assert_allclose(mine_dim.to_numpy(), xb @ w, rtol=1e-10)  # S_d = sum_{j in d} w_j x'_j
            score += w_dim[dim] * (xb @ w)
        mine = result.scores.xs(code, level="province")["score"]
        theirs = pd.Series(score, index=block.index)
        theirs.index = resolve_countries(pd.Series(theirs.index)).to_numpy()
        np.testing.assert_allclose(mine.reindex(theirs.index), theirs, rtol=1e-10)


def test_score_identities(result):
    s = result.scores
    dims = result.system.dimension_codes
    np.testing.assert_allclose(s["score"], s["score_arithmetic"])
    for m in ("arithmetic", "geometric", "eigenvector"):
        np.testing.assert_allclose(s[f"score_{m}"], s[dims].to_numpy() @ result.ahp.weight(m).to_numpy())
    # the published scheme: 16 weights per province summing to 1
    assert result.weights.shape == (31, 16)
    np.testing.assert_allclose(result.weights.sum(axis=1), 1.0)
    assert s["topsis"].between(0, 1).all()


def test_rank_tables_accounting(result):
    ranks = result.province_ranks_by_country()
    assert ranks.shape == (31, 63)
    # every country ranks the 31 provinces 1..31 (no ties in continuous scores)
    assert (np.sort(ranks.to_numpy(), axis=0) == np.arange(1, 32)[:, None]).all()
    freq = result.rank_frequency()
    assert list(freq.columns) == ["[1, 10]", "[11, 20]", "[21, 31]"]
    assert (freq.sum(axis=1) == 63).all()
    assert freq.sum().tolist() == [10 * 63, 10 * 63, 11 * 63]
    cr = result.country_ranks()
    assert (np.sort(cr.to_numpy(), axis=0) == np.arange(1, 64)[:, None]).all()
    ranking = result.province_ranking()
    np.testing.assert_allclose(ranking["average"], result.score_matrix().mean()[ranking.index])
    assert ranking["rank"].tolist() == list(range(1, 32))
    sub = result.by_subregion()
    assert list(sub.columns) == ["mongolia", "asean", "west_asia", "south_asia", "central_asia", "cis", "cee"]
    # the average over all countries is the country-weighted mean of the subregion averages
    sizes = np.array([1, 10, 16, 8, 5, 7, 16])
    np.testing.assert_allclose(sub.to_numpy() @ sizes / 63, result.score_matrix().mean()[sub.index])


def test_robustness_kendall_matches_scipy(result):
    table, tau = result.robustness()
    avg = {m: result.scores[f"score_{m}"].groupby(level=0).mean() for m in ("arithmetic", "geometric", "eigenvector")}
    avg["topsis"] = result.scores["topsis"].groupby(level=0).mean()
    for _, r in tau.iterrows():
        ref = stats.kendalltau(avg[r["a"]], avg[r["b"]])
        assert r["tau"] == pytest.approx(ref.statistic) and r["p_value"] == pytest.approx(ref.pvalue)
    # TOPSIS on the same weights, ideal points over all pairs: a similar, not identical, ranking
    topsis_tau = tau.set_index(["a", "b"]).loc[("eigenvector", "topsis"), "tau"]
    assert 0.5 < topsis_tau < 1.0
    change = table["eigenvector"] - table["arithmetic"]  # the arithmetic mean is the main weighting
    assert (table["eigenvector_change"] == change).all()
    assert len(tau) == 6


def test_recovers_synthetic_province_effect(result, cube):
    truth = cube.attrs["true_province_effect"]
    ranking = result.province_ranking()
    rho = stats.spearmanr(ranking["average"], [truth[p] for p in ranking.index]).statistic
    assert rho > 0.9
    # The pitfall the spec documents: standardising within each province removes its level.
    within = run_linkage_study(cube, LinkageStudySpec(standardise_scope="province")).province_ranking()
    rho_within = stats.spearmanr(within["average"], [truth[p] for p in within.index]).statistic
    assert abs(rho_within) < 0.3


def test_constant_rail_columns_get_zero_weight_and_a_note(result):
    no_rail = {p for p in result.provinces if p not in RAIL_PROVINCES}
    assert set(result.constant) == no_rail
    assert (result.weights.loc[sorted(no_rail), "rail_trips"] == 0).all()
    t2 = result.tables("en")["table2"]
    assert any("Constant indicator columns" in n and "Tibet: China-Europe Railway Express trips" in n
               for n in t2.notes)
    with pytest.raises(InputError, match=r"Province Shanghai: .*\[.rail_trips.\]"):
        run_linkage_study(linkage_demo_cube(), LinkageStudySpec(constant="raise"))


def test_tables_in_both_languages(result):
    en = result.tables("en")
    zh = result.tables("zh")
    assert list(en) == list(zh) == [
        "table1", "table2", "table3", "table4_scores", "table4_ranks", "table5", "table6", "table7",
        "table8_province_ranks", "table9_rank_frequency", "table10_robustness", "table11_kendall"]
    for t in en.values():
        assert any("SYNTHETIC" in n for n in t.notes)
    assert zh["table5"].title.startswith("表5") and "省份" == zh["table5"].frame.index.name
    t3 = en["table3"].frame
    assert t3.loc["lambda_max", "Eigenvector"] == pytest.approx(5.0364, abs=5e-5)
    assert t3.loc["CR", "Eigenvector"] == pytest.approx(0.0081, abs=5e-5)
    assert t3.loc["RI", "Arithmetic mean"] == 1.12
    assert en["table4_scores"].frame.shape == (63, 32)
    assert en["table2"].frame.shape == (31, 16) and "Beijing" in en["table2"].frame.index
    assert "Central and Eastern Europe score" in en["table7"].frame.columns
    assert "北京" in zh["table9_rank_frequency"].frame.index
    assert "**Table 11" in en["table11_kendall"].to_markdown()
    with pytest.raises(InputError, match="lang"):
        result.tables("fr")


def test_summary_mentions_published_numbers(result):
    text = result.summary()
    assert "SYNTHETIC" in text and "lambda_max = 5.0364" in text and "CR = 0.0081" in text


def test_template_parses_back_into_the_defaults(tmp_path):
    import jsonschema

    path = tmp_path / "study.toml"
    path.write_text(study_template(LinkageStudySpec), encoding="utf-8")
    assert LinkageStudySpec.from_toml(path).model_dump() == LinkageStudySpec().model_dump()
    jsonschema.validate(tomllib.loads(path.read_text(encoding="utf-8")), study_schema(LinkageStudySpec))
    # every commented example is a valid value of its key
    examples = {"data": {"path": "linkage.csv", "sheet": "Sheet1"}, "weighting": {"shift": "rescale", "bounds": [0.01, 0.99]}}
    jsonschema.validate(examples, study_schema(LinkageStudySpec))


def test_declared_choices_match_the_measures():
    from exportlens.measures.ahp import AHP_METHODS, RANDOM_INDEX_TABLES
    from exportlens.measures.composite import METHODS, WEIGHTINGS

    fields = LinkageStudySpec.model_fields
    assert set(typing.get_args(fields["standardise"].annotation)) == set(METHODS)
    assert set(typing.get_args(fields["within"].annotation)) == set(WEIGHTINGS)
    assert set(typing.get_args(fields["ahp_method"].annotation)) == set(AHP_METHODS)
    assert set(typing.get_args(fields["ri_table"].annotation)) == set(RANDOM_INDEX_TABLES)


def test_user_long_table_from_file(tmp_path, cube, result):
    # English province names, ISO3 country codes, shuffled rows: same results
    from exportlens.regions import resolve_countries, resolve_provinces

    user = cube.assign(
        province=resolve_provinces(cube["province"], to="name_en").to_numpy(),
        country=resolve_countries(cube["country"]).to_numpy(),
    ).sample(frac=1.0, random_state=0)
    user = user.rename(columns={"value": "v"})
    path = tmp_path / "linkage.csv"
    user.to_csv(path, index=False)
    study = tmp_path / "study.toml"
    text = study_template(LinkageStudySpec).replace('# path = "linkage.csv"', 'path = "linkage.csv"')
    study.write_text(text.replace('value = "value"', 'value = "v"'), encoding="utf-8")
    spec = LinkageStudySpec.from_toml(study)
    assert spec.data_path == str(path)
    data = load_linkage_data(spec)
    out = run_linkage_study(data, spec)
    assert not out.synthetic
    pd.testing.assert_series_equal(out.scores["score"], result.scores["score"], rtol=1e-10)


def test_run_study_writes_tables_figures_manifest(tmp_path):
    out = run_study(STUDY, LinkageStudySpec(), out=tmp_path / "run", lang="zh", formats=["md", "csv"])
    assert (out / "tables" / "table5.md").is_file() and (out / "tables" / "table11_kendall.csv").is_file()
    assert sorted(p.name for p in (out / "figures").iterdir()) == [f"figure{k}.png" for k in range(1, 5)]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"] == "linkage" and "SYNTHETIC" in manifest["spec"]["data"]
    assert "scores_long.csv" in manifest["outputs"]
    long = pd.read_csv(out / "scores_long.csv")
    assert len(long) == 31 * 63 and {"province_name", "country_name", "score", "topsis"} <= set(long.columns)
    assert long["province_name"].iloc[0] == "北京" and long["country_name"].iloc[0] == "蒙古"
    assert "Linkage of provinces" in (out / "notes.txt").read_text(encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        run_study(STUDY, LinkageStudySpec(), out=out, lang="en", formats=["md"], figures=False)


def test_docx_and_xlsx_tables(tmp_path, result):
    from exportlens.report.tables import write_tables

    tables = result.tables("zh")
    paths = write_tables({k: tables[k] for k in ("table3", "table5")}, tmp_path, ["docx", "xlsx", "tex", "html"])
    assert len(paths) == 8 and all(p.stat().st_size > 0 for p in paths)


@pytest.mark.slow
def test_full_demo_run_all_formats(tmp_path):
    out = run_study(STUDY, LinkageStudySpec(), out=tmp_path / "all", lang="en")
    assert len(list((out / "tables").iterdir())) == 12 * 6


def test_custom_system_with_pairs(tmp_path, cube):
    system = tmp_path / "two.yaml"
    system.write_text(
        "name: two\n"
        "dimensions:\n"
        "  - code: trade\n"
        "    indicators:\n"
        "      - {code: exports, direction: benefit}\n"
        "      - {code: imports, direction: benefit}\n"
        "  - code: logistics\n"
        "    indicators:\n"
        "      - {code: lpi, direction: benefit}\n"
        "      - {code: inflation, direction: cost}\n",
        encoding="utf-8",
    )
    raw = {"indicators": {"system": "two.yaml"}, "ahp": {"pairs": [["trade", "logistics", 3]]}}
    spec = LinkageStudySpec.from_dict(raw, base_dir=tmp_path)
    subset = cube[cube["indicator"].isin(["exports", "imports", "lpi", "inflation"])]
    res = run_linkage_study(subset, spec)
    assert res.ahp.weight("eigenvector").tolist() == pytest.approx([0.75, 0.25])
    assert list(res.weights.columns) == ["exports", "imports", "lpi", "inflation"]
    with pytest.raises(InputError, match=r"Indicator\(s\) \['fdi'"):
        run_linkage_study(cube[cube["indicator"].isin(["exports", "imports", "lpi", "inflation", "fdi"])], spec)


def test_pooled_weights_are_one_vector(cube, result):
    from exportlens.measures.composite import composite_index, standardise

    pooled = run_linkage_study(cube, LinkageStudySpec(scope="pooled"))
    assert list(pooled.weights.index) == ["pooled"]
    system = pooled.system
    std = standardise(result.wide, system.directions())
    ref = composite_index(std, system, method=None, constant="zero", normalise="all",
                          dimension_weights=pooled.ahp.weight("arithmetic").to_dict())
    np.testing.assert_allclose(pooled.weights.loc["pooled"], ref.weights, rtol=1e-12)
    np.testing.assert_allclose(pooled.scores["score"], ref.scores, rtol=1e-12)
    assert pooled.tables("en")["table2"].frame.index[0] == "All provinces (pooled)"


def test_hierarchy_file_from_a_study_file(tmp_path, cube):
    """An indicator hierarchy file (TOML) named relative to the study file, run from the CLI."""
    (tmp_path / "systems").mkdir()
    (tmp_path / "systems" / "two.toml").write_text(
        'name = "two"\n'
        "[[dimensions]]\n"
        'code = "trade"\n'
        'indicators = [{code = "exports", direction = "benefit"}, {code = "imports", direction = "benefit"}]\n'
        "[[dimensions]]\n"
        'code = "logistics"\n'
        'indicators = [{code = "lpi", direction = "benefit"}, {code = "inflation", direction = "cost"}]\n',
        encoding="utf-8")
    cube[cube["indicator"].isin(["exports", "imports", "lpi", "inflation"])].to_csv(tmp_path / "two.csv", index=False)
    study = tmp_path / "study.toml"
    study.write_text('[data]\npath = "two.csv"\n[indicators]\nsystem = "systems/two.toml"\n'
                     '[ahp]\nupper = ["1/3"]\n', encoding="utf-8")
    spec = LinkageStudySpec.from_toml(study)
    assert spec.system == str(tmp_path / "systems" / "two.toml")
    r = runner.invoke(app, ["run", "linkage", "--study", str(study), "--out", str(tmp_path / "o"), "--formats", "csv",
                            "--no-figures", "--lang", "en"])
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["indicator_system"]["path"].endswith("two.toml")
    weights = pd.read_csv(tmp_path / "o" / "tables" / "table3.csv")
    assert weights.iloc[:2, -1].tolist() == pytest.approx([0.25, 0.75])


def test_spec_errors():
    with pytest.raises(StudySpecError, match=r"unknown section \[model\]"):
        LinkageStudySpec.from_dict({"model": {}})
    with pytest.raises(StudySpecError, match="unknown key 'weights' in \\[ahp\\]"):
        LinkageStudySpec.from_dict({"ahp": {"weights": [1]}})
    with pytest.raises(StudySpecError, match="custom indicator system needs AHP judgments"):
        LinkageStudySpec(system="mine.toml")
    with pytest.raises(StudySpecError, match="neither a built-in system"):
        LinkageStudySpec(system="mine.json", ahp_upper=[1])
    with pytest.raises(StudySpecError, match="only one of"):
        LinkageStudySpec(ahp_upper=[1], ahp_matrix=[[1]])
    with pytest.raises(StudySpecError, match=r"\[weighting\] standardise_scope = \"country\""):
        LinkageStudySpec(standardise_scope="country")
    with pytest.raises(StudySpecError, match="only used with shift"):
        LinkageStudySpec(bounds=[0.1, 0.9])
    with pytest.raises(StudySpecError, match=r"\[ahp\] judgments: .*outside Saaty"):
        run_linkage_study(linkage_demo_cube(), LinkageStudySpec(ahp_upper=[20, 2, 3, 4, 2, 3, 4, 2, 3, 2]))
    with pytest.raises(StudySpecError, match="must list the system's dimensions"):
        LinkageStudySpec(ahp_dimensions=["economy"]).judgments(IndicatorSystem.builtin())
    assert LinkageStudySpec(shift="none").shift_value is None


@pytest.fixture()
def study_dir(tmp_path, cube):
    cube.to_csv(tmp_path / "linkage.csv", index=False)
    return tmp_path


@pytest.mark.parametrize(
    ("line", "edited", "expected"),
    [
        ("topsis = true", 'topsis = "true"', "[robustness] topsis = \"true\": expected true or false"),
        ("exclude_provinces = []", 'exclude_provinces = "西藏"', "[data] exclude_provinces = \"西藏\": expected a list"),
        ('within = "entropy"', "weights = 2", "unknown key 'weights' in [weighting]"),
    ],
)
def test_cli_study_file_errors(study_dir, line, edited, expected):
    text = study_template(LinkageStudySpec).replace('# path = "linkage.csv"', 'path = "linkage.csv"')
    assert line in text
    study = study_dir / "study.toml"
    study.write_text(text.replace(line, edited, 1), encoding="utf-8")
    r = runner.invoke(app, ["run", "linkage", "--study", str(study), "--out", str(study_dir / "o")])
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and expected in r.stderr
    assert not (study_dir / "o").exists()


def test_cli_study_file_encodings(study_dir):
    study = study_dir / "study.toml"
    text = '[data]\npath = "linkage.csv"\nexclude_provinces = ["西藏"]\n'
    study.write_bytes(text.encode("gbk"))
    r = runner.invoke(app, ["run", "linkage", "--study", str(study), "--out", str(study_dir / "o")])
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "not UTF-8" in r.stderr
    study.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # UTF-8 with BOM, as Notepad writes it
    r = runner.invoke(app, ["run", "linkage", "--study", str(study), "--out", str(study_dir / "o"), "--formats", "csv",
                            "--no-figures"])
    assert r.exit_code == 0, r.output
    assert "Excluded provinces (study file): [540000]" in (study_dir / "o" / "notes.txt").read_text(encoding="utf-8")
    assert (study_dir / "o" / "study.toml").read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_data(cube):
    spec = LinkageStudySpec()
    with pytest.raises(MissingColumnError, match="'value'"):
        run_linkage_study(cube.rename(columns={"value": "amount"}), spec)
    bad = cube.copy()
    bad.loc[5, "province"] = "Atlantis"
    with pytest.raises(UnknownRegionError, match="Atlantis"):
        run_linkage_study(bad, spec)
    bad = cube.copy()
    bad.loc[7, "country"] = "Germany"
    with pytest.raises(UnknownRegionError, match="Germany"):
        run_linkage_study(bad, spec)
    bad = cube.copy()
    bad.loc[9, "indicator"] = "gdp_typo"
    with pytest.raises(InputError, match="gdp_typo"):
        run_linkage_study(bad, spec)
    bad = cube.copy()
    bad["value"] = bad["value"].astype(object)
    bad.loc[11, "value"] = "n/a"
    with pytest.raises(InputError, match="row 11: 北京, 蒙古, flights = 'n/a'"):
        run_linkage_study(bad, spec)
    with pytest.raises(InputError, match="duplicate a \\(province, country, indicator\\) cell"):
        run_linkage_study(pd.concat([cube, cube.iloc[[0]]]), spec)
    with pytest.raises(InputError, match=r"incomplete: 1 .*\(110000, MNG, gdp\)"):
        run_linkage_study(cube.drop(index=0), spec)
    excluded = run_linkage_study(cube, LinkageStudySpec(exclude_provinces=["西藏"], exclude_countries=["Bhutan"]))
    assert len(excluded.provinces) == 30 and len(excluded.countries) == 62
    assert any("Excluded provinces" in n for n in excluded.notes)
