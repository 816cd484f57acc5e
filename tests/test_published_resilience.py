"""The resilience study as published (issue 12): Table 1 and Table 4 layouts, the lag sample rule,
the reghdfe constant, the bootstrap targets, the Vag rescaling and the SE equivalence with linearmodels."""

from __future__ import annotations

import numpy as np
import pytest

from exportlens.datasets import load_resilience_demo
from exportlens.econometrics import fe_constant, fit_panel
from exportlens.studies.framework import study_template
from exportlens.studies.resilience import ResilienceStudySpec, prepare_panel, run_resilience_study


@pytest.fixture(scope="module")
def demo():
    return load_resilience_demo()


@pytest.fixture(scope="module")
def published(demo):
    return run_resilience_study(demo, ResilienceStudySpec(**ResilienceStudySpec.PUBLISHED))


def test_table1_rows_as_published(published):
    rows = [ln.split("|")[1].strip() for ln in published.tables("zh")["table1"].to_markdown().splitlines()
            if ln.startswith("| ") and not ln.startswith("| 变量")]
    labels = rows
    assert labels[0] == "年份" and labels[1] == "出口韧性 (SL)" and labels[2] == "虚拟集聚 (Vag)"
    assert labels[-1] == "互联网普及率"


def test_table4_has_the_published_main_effects_column(published):
    grid = published.tables("en")["table4"].to_markdown()
    assert "main effects" in grid and "| (3) |" in grid
    main = published.moderation_main
    assert main is not None and "vag:rd_intensity" not in main.coefs.index
    assert {"vag", "rd_intensity"} <= set(main.coefs.index)


def test_lag_sample_rule_gives_the_published_n(demo, published):
    base_n = published.stepwise[-1].nobs
    assert [m.nobs for m in published.lagged] == [base_n - 30, base_n - 60]
    grid = run_resilience_study(demo, ResilienceStudySpec(lags=[1, 2]))
    assert [m.nobs for m in grid.lagged] == [base_n, base_n - 30]
    assert any("estimation sample rule" in n for n in published.notes)


def test_constant_is_reghdfe_cons(demo, published):
    """_cons = mean(y) - mean(X)b over the estimation sample (Gould 2013), SE from the mean-restored regression."""
    frame, _ = prepare_panel(demo, ResilienceStudySpec())
    m = published.stepwise[-1]
    assert "Intercept" in m.coefs.index
    sample = frame.loc[m.extra["sample"]]
    slopes = [t for t in m.coefs.index if t != "Intercept"]
    expected = sample["sl"].mean() - sample[slopes].mean().to_numpy() @ m.coefs.loc[slopes, "estimate"].to_numpy()
    assert m.coefs.loc["Intercept", "estimate"] == pytest.approx(expected, abs=1e-10)
    # the slopes of the mean-restored regression are the fixed-effects slopes: the SE comes from that model
    refit = fit_panel(frame, "sl", slopes, fe="year", entity="code", time="year", vcov="cluster", warn=False)
    est, se = fe_constant(frame, refit, "sl", slopes, ["year"], cluster="code")
    assert est == pytest.approx(expected, abs=1e-10) and 0 < se < 1
    assert "Constant" in published.tables("en")["table2"].to_markdown()


def test_wild_bootstrap_tests_the_term_each_table_is_about(demo):
    spec = ResilienceStudySpec(wild_bootstrap=True, bootstrap_reps=99, lags=[1], bootstrap_seed=7)
    res = run_resilience_study(demo, spec)
    assert res.moderation_raw.extra["wild_bootstrap"].index.tolist() == ["vag:rd_intensity"]
    assert res.lagged[0].extra["wild_bootstrap"].index.tolist() == ["L1_vag"]
    for m in res.heterogeneity.values():
        assert m.extra["wild_bootstrap"].index.tolist() == ["vag"]
    assert "wild bootstrap" in res.tables("zh")["table5"].to_markdown()
    tidy = res.to_frame()
    assert tidy.loc[(tidy["model"] == "table4_raw") & (tidy["term"] == "vag:rd_intensity"), "wild_bootstrap_p"].notna().all()
    assert not any("Check the group results" in n for n in res.notes)
    again = run_resilience_study(demo, spec)
    np.testing.assert_array_equal(again.to_frame()["wild_bootstrap_p"].fillna(-1), tidy["wild_bootstrap_p"].fillna(-1))


def test_minmax_rescaling_is_an_option(demo):
    res = run_resilience_study(demo, ResilienceStudySpec(rescale="minmax", lags=[1]))
    assert res.panel["vag"].min() == 0.0 and res.panel["vag"].max() == 1.0
    assert any("rescaled" in n for n in res.notes)


def test_published_template_parses_into_the_published_spec(tmp_path):
    path = tmp_path / "pub.toml"
    path.write_text(study_template(ResilienceStudySpec, published=True), encoding="utf-8")
    spec = ResilienceStudySpec.from_toml(path)
    for key, value in ResilienceStudySpec.PUBLISHED.items():
        assert getattr(spec, key) == value


def test_pyfixest_default_cluster_se_equals_linearmodels_with_effects_counted(demo):
    linearmodels = pytest.importorskip("linearmodels")
    frame, _ = prepare_panel(demo, ResilienceStudySpec())
    data = frame.dropna(subset=["sl", "vag", "ln_gdp_pc", "tax_burden"])
    m = fit_panel(data, "sl", ["vag", "ln_gdp_pc", "tax_burden"], fe="year", entity="code", time="year",
                  vcov="cluster", warn=False)
    p = data.set_index(["code", "year"])
    lm = linearmodels.PanelOLS(p["sl"], p[["vag", "ln_gdp_pc", "tax_burden"]], time_effects=True).fit(
        cov_type="clustered", cluster_entity=True, count_effects=True, group_debias=True, auto_df=False)
    np.testing.assert_allclose(m.coefs["std_error"].to_numpy(), lm.std_errors.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.coefs["estimate"].to_numpy(), lm.params.to_numpy(), rtol=1e-12)
