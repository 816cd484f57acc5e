"""The resilience study's Tables 6-11: instruments, mediation, thresholds, robustness, spillovers."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from exportlens.cli import app
from exportlens.datasets import load_resilience_demo
from exportlens.datasets.demo_identification import IDENTIFICATION_TRUE, make_identification_demo
from exportlens.econometrics import fit_iv, fit_panel, mediation
from exportlens.errors import InputError, MissingColumnError
from exportlens.measures import virtual_agglomeration
from exportlens.spatial import contiguity_weights, spillover_analysis
from exportlens.studies.resilience import ResilienceStudySpec, prepare_panel, run_resilience_study
from exportlens.studies.resilience_extensions import MUNICIPALITIES

runner = CliRunner()


def _identification_spec(**changes):
    path = resources.files("exportlens.studies") / "demo_identification.toml"
    with resources.as_file(path) as p:
        spec = ResilienceStudySpec.from_toml(p)
    return spec.with_values(mediation_draws=99, threshold_draws=20, spatial_draws=100, **changes)


@pytest.fixture(scope="module")
def ident():
    spec = _identification_spec()
    return run_resilience_study(make_identification_demo(), spec)


def test_all_tables_of_the_identification_run(ident):
    tables = ident.tables("zh")
    for key in ("table6", "table6_first_stage", "table7", "table7_models", "table8", "table8_estimates",
                "table8_model", "table9", "table10", "table10_models", "table10_tests", "table11"):
        assert key in tables, key
    assert tables["table6"].title.startswith("表6")
    assert tables["table11"].title.startswith("表11")
    assert set(ident.data_files()) >= {"iv", "mediation", "threshold", "robustness", "spatial"}


def test_iv_equals_the_estimator_and_recovers_the_truth(ident):
    frame = ident.panel
    direct = fit_iv(frame, "sl", "vag", ["iv_telecom1984", "iv_post1984"], exog=["ln_gdp_pc", "tax_burden"],
                    fe="twoway", entity="code", time="year", vcov="cluster")
    iv = ident.extensions.iv
    assert iv.second_stage.value("vag") == pytest.approx(direct.second_stage.value("vag"), abs=1e-12)
    true = IDENTIFICATION_TRUE["vag_total"]
    lo, hi = iv.second_stage.value("vag", "ci_low"), iv.second_stage.value("vag", "ci_high")
    assert lo <= true <= hi
    assert iv.ols.value("vag", "ci_low") > true  # OLS biased upwards by the confounder


def test_mediation_and_threshold_match_the_dgp(ident):
    med = ident.extensions.mediation
    direct = mediation(ident.panel, "sl", "vag", ["innovation", "competition"], ["ln_gdp_pc", "tax_burden"],
                       fe="twoway", entity="code", time="year", vcov="cluster", n_draws=99, seed=12345)
    np.testing.assert_allclose(med.to_frame().select_dtypes("number").to_numpy(),
                               direct.to_frame().select_dtypes("number").to_numpy(), rtol=1e-12)
    thr = ident.extensions.threshold
    np.testing.assert_allclose(thr.thresholds, IDENTIFICATION_TRUE["thresholds"], atol=0.1)


def test_spatial_tables_equal_the_direct_analysis(ident):
    used = ident.panel.dropna(subset=["sl", "vag", "ln_gdp_pc", "tax_burden"])
    w = contiguity_weights(regions=sorted(set(used["code"])))
    direct = spillover_analysis(used, "sl", ["vag"], ["ln_gdp_pc", "tax_burden"], weights=w, fe="twoway",
                                region="code", time="year", draws=100, seed=0, moran_variables=["sl", "vag"])
    pd.testing.assert_frame_equal(ident.extensions.spatial.to_frame(), direct.to_frame())


@pytest.fixture(scope="module")
def demo_result():
    return run_resilience_study(load_resilience_demo(), ResilienceStudySpec(lags=[1]))


def test_robustness_table_is_on_by_default_and_matches_direct_fits(demo_result):
    rob = demo_result.extensions.robustness.frame.set_index("name")
    base = demo_result.stepwise[-1]
    assert rob.loc["baseline", "estimate"] == pytest.approx(base.value("vag"), abs=1e-12)
    frame = demo_result.panel
    kept = frame[~frame["code"].isin(MUNICIPALITIES)]
    direct = fit_panel(kept, "sl", ["vag", *ResilienceStudySpec().controls], fe="year", entity="code",
                       time="year", vcov="cluster", warn=False)
    assert rob.loc["no_municipalities", "estimate"] == pytest.approx(direct.value("vag"), abs=1e-12)
    assert rob.loc["no_municipalities", "nobs"] == direct.nobs
    twoway = fit_panel(frame, "sl", ["vag", *ResilienceStudySpec().controls], fe="twoway", entity="code",
                       time="year", vcov="cluster", warn=False)
    assert rob.loc["twoway_fe", "estimate"] == pytest.approx(twoway.value("vag"), abs=1e-12)
    assert "table9" in demo_result.tables("en")


def test_robustness_vag_with_other_units_is_the_measure_recomputed(demo_result):
    demo = load_resilience_demo()
    spec = ResilienceStudySpec(unit="100km", lags=[1], robustness=[])
    frame, _ = prepare_panel(demo, spec)
    direct = virtual_agglomeration(demo, region="province", time="year", sector_employment="ict_emp",
                                   total_employment="total_emp", unit="100km")
    merged = frame.merge(direct.values[["province", "year", "vag"]], on=["province", "year"], suffixes=("", "_d"))
    np.testing.assert_allclose(merged["vag"], merged["vag_d"], rtol=1e-12)
    fit = fit_panel(frame, "sl", ["vag", *spec.controls], fe="year", entity="code", time="year", vcov="cluster",
                    warn=False)
    rob = demo_result.extensions.robustness.frame.set_index("name")
    assert rob.loc["unit_100km", "estimate"] == pytest.approx(fit.value("vag"), abs=1e-12)


def test_precomputed_measures_skip_their_variants_with_a_note(ident):
    assert any("sl_k2 not estimated" in n for n in ident.notes)
    assert "sl_k2" not in set(ident.extensions.robustness.frame["name"])


def test_bad_inputs_are_clear_errors(tmp_path):
    data = make_identification_demo()
    with pytest.raises(MissingColumnError, match="iv_missing"):
        run_resilience_study(data, _identification_spec(iv_instruments=["iv_missing"], robustness=[],
                                                        mediators=[], threshold_variable=None,
                                                        spatial_weights="none"))
    unbalanced = data.drop(index=[5])
    with pytest.raises(InputError, match="balanced"):
        run_resilience_study(unbalanced, _identification_spec(iv_instruments=[], mediators=[], robustness=[],
                                                              spatial_weights="none"))
    path = tmp_path / "s.toml"
    path.write_text('[data]\ndemo = "identification_demo"\n[variables]\nresilience = "sl"\nagglomeration = "vag"\n'
                    'controls = ["ln_gdp_pc"]\nmoderator = "rd_intensity"\n[robustness]\n'
                    'specifications = ["sl_k2"]\n', encoding="utf-8")
    res = runner.invoke(app, ["run", "resilience", "--study", str(path), "--out", str(tmp_path / "o"), "--no-figures",
                              "--no-report", "--formats", "md"])
    assert res.exit_code == 2 and "none of the listed specifications" in res.stderr
    assert not (tmp_path / "o").exists()
