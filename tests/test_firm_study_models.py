"""The firm study's models (issue 16): the join's coverage adds up, every estimate equals
pyfixest run directly on the joined frame (1e-8), the demo DGP's known effects of Vag on
growth and exit are recovered, Kaplan-Meier equals lifelines, bad panels are one-line errors
or counted reasons."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from exportlens.datasets.demo_firms import (
    FIRM_DEMO_PARAMETERS,
    FIRM_DEMO_SEED,
    FIRM_DEMO_SHOCK_YEAR,
    FIRM_DEMO_YEARS,
    firm_demo_province_panel,
    firm_transactions_demo,
    panel_for_rows,
    write_firm_transactions,
)
from exportlens.econometrics.firm_models import add_exit_variables
from exportlens.econometrics.firm_survival import export_spells, fit_cox, kaplan_meier
from exportlens.errors import MissingColumnError, StudySpecError, UnknownRegionError
from exportlens.firms import connect_duckdb
from exportlens.firms.panel_join import JOIN_STATUSES
from exportlens.studies.firm_resilience import (
    FirmResilienceStudySpec,
    FirmTransactions,
    run_firm_resilience_study,
)
from exportlens.studies.firm_resilience_models import estimate_firm_models

# direct pyfixest references computed with exportlens' fixed-effect order (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("pyfixest_formula_order")

TRUE_GROWTH, TRUE_EXIT = FIRM_DEMO_PARAMETERS["vag_growth"], FIRM_DEMO_PARAMETERS["vag_exit"]


def _contains(model, term, truth):
    lo, hi = model.coefs.loc[term, ["ci_low", "ci_high"]]
    return lo <= truth <= hi


# --- the demo run ------------------------------------------------------------------------------


try:
    import lifelines  # noqa: F401  (optional: pip install 'exportlens[survival]')

    HAS_LIFELINES = True
except ImportError:
    HAS_LIFELINES = False


@pytest.fixture(scope="module")
def demo():
    return run_firm_resilience_study(FirmResilienceStudySpec(cox=HAS_LIFELINES, heterogeneity=["size", "group"]))


@pytest.fixture(scope="module")
def demo_out(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("firm_models") / "out"
    demo.write(out, lang="en", formats=["md", "csv"])
    return out


def test_demo_writes_model_tables_and_the_survival_figure(demo_out):
    for name in ("table_f7", "table_f8", "table_f9", "table_f10", "table_f11"):
        assert (demo_out / "tables" / f"{name}.md").is_file() and (demo_out / "tables" / f"{name}.csv").is_file()
    assert (demo_out / "figures" / "survival_by_vag_tercile.png").is_file()
    coefs = pd.read_csv(demo_out / "data" / "model_coefficients.csv")
    assert {"growth", "shock", "exit"} <= set(coefs["table"]) and "vag" in set(coefs["term"])
    f8 = (demo_out / "tables" / "table_f8.md").read_text(encoding="utf-8")
    assert "Virtual agglomeration (Vag)" in f8 and "SYNTHETIC" in f8
    notes = (demo_out / "notes.txt").read_text(encoding="utf-8")
    assert "Firm-level models" in notes and "log_growth: vag" in notes


def test_tables_in_both_languages(demo):
    zh, en = demo.tables("zh"), demo.tables("en")
    for name in ("table_f7", "table_f8", "table_f9", "table_f10", "table_f11"):
        assert name in zh and name in en
    assert "表F8" in zh["table_f8"].to_markdown() and "虚拟集聚" in zh["table_f8"].to_markdown()
    assert "Table F10" in en["table_f10"].to_markdown()
    assert ("Cox" in en["table_f10"].to_markdown()) == HAS_LIFELINES
    assert "匹配到省级面板" in zh["table_f7"].to_markdown()


def test_coverage_adds_up_to_the_firm_year_table(demo):
    m = demo.models
    fy = demo.measures.firm_year
    cov = m.coverage.set_index("status")
    assert list(cov.index) == list(JOIN_STATUSES) and int(cov["firm_years"].sum()) == len(fy)
    assert int(cov.loc["matched", "firm_years"]) == len(m.joined)
    details = demo.manifest_details()["join_coverage"]
    assert sum(v["firm_years"] for k, v in details.items() if k in JOIN_STATUSES) == len(fy)


def test_estimates_equal_pyfixest_on_the_joined_frame(demo):
    m, j = demo.models, demo.models.joined
    for res in m.growth:
        ref = pf.feols(f"{res.depvar} ~ vag | firm + year", data=j, vcov={"CRV1": "code"})
        np.testing.assert_allclose([res.value("vag"), res.value("vag", "std_error")],
                                   [ref.coef()["vag"], ref.se()["vag"]], rtol=1e-8)
    risk = add_exit_variables(j)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refs = {"lpm": pf.feols("exit ~ vag | code + year", data=risk, vcov={"CRV1": "code"}),
                "logit": pf.feglm("exit ~ vag | code + year", data=risk, family="logit", vcov={"CRV1": "code"}),
                "hazard": pf.feglm("exit ~ vag | duration + code + year", data=risk, family="logit",
                                   vcov={"CRV1": "code"})}
    for key, ref in refs.items():
        np.testing.assert_allclose([m.exit[key].value("vag"), m.exit[key].value("vag", "std_error")],
                                   [ref.coef()["vag"], ref.se()["vag"]], rtol=1e-8)
    # heterogeneity: one slope per size tercile, equal to feols on the interactions
    het = m.heterogeneity["size"][0]
    d = j[j["size_group"].notna()].copy()
    for level in ("small", "medium", "large"):
        d[f"v_{level}"] = d["vag"] * (d["size_group"] == level)
    ref = pf.feols("dhs_growth ~ v_small + v_medium + v_large | firm + year", data=d, vcov={"CRV1": "code"})
    np.testing.assert_allclose([het.value(f"vag_x_size_group_{lv}") for lv in ("small", "medium", "large")],
                               ref.coef()[["v_small", "v_medium", "v_large"]], rtol=1e-8)
    # shock window: growth of the base-year cohort on base-year Vag, industry effects
    fs = demo.measures.firm_shock.copy()
    panel = firm_demo_province_panel()
    fs = fs.merge(panel.loc[panel["year"] == 2008, ["code", "vag"]], on="code").dropna(subset=["growth_contraction"])
    ref = pf.feols("growth_contraction ~ vag | industry", data=fs.assign(industry=fs["industry"].astype(str)),
                   vcov={"CRV1": "code"})
    np.testing.assert_allclose(m.shock[0].value("vag"), ref.coef()["vag"], rtol=1e-8)
    if not HAS_LIFELINES:
        return
    # Cox: lifelines directly on the spells
    from lifelines import CoxPHFitter

    spells = export_spells(j, carry=["code", "vag"])
    spells = spells[~spells["left_censored"]]
    cph = CoxPHFitter().fit(spells[["duration", "event", "vag", "code", "start"]], "duration", "event",
                            cluster_col="code", strata=["start"], robust=True)
    np.testing.assert_allclose([m.exit["cox"].value("vag"), m.exit["cox"].value("vag", "std_error")],
                               [cph.params_["vag"], cph.standard_errors_["vag"]], rtol=1e-8)


def test_demo_recovers_the_known_effects(demo):
    """Demo size (200,000 rows): the 95% CIs contain the DGP's true effects of Vag."""
    m = demo.models
    growth = {r.depvar: r for r in m.growth}
    assert _contains(growth["log_growth"], "vag", TRUE_GROWTH) and growth["log_growth"].value("vag", "ci_low") > 0
    assert _contains(m.exit["lpm"], "vag", TRUE_EXIT)
    assert m.exit["hazard"].value("vag") < 0  # same sign on the hazard scale
    assert not HAS_LIFELINES or m.exit["cox"].value("vag") < 0
    assert m.synthetic_truth == {"vag_growth": TRUE_GROWTH, "vag_exit": TRUE_EXIT}


def dgp_firm_years(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The DGP's own firm-years (no transactions): continuers' log growth with firm, year,
    province and Vag; and the firm-years at risk of exit (exit in t: active in t-1, not in t)."""
    panel = panel_for_rows(rows, seed, FIRM_DEMO_YEARS, FIRM_DEMO_SHOCK_YEAR)
    f = pd.DataFrame({"firm": panel.fy_firm, "year": panel.fy_year.astype("int64"), "loge": panel.fy_log_exports,
                      "vag": panel.fy_vag, "code": panel.province[panel.fy_firm]})
    prev = f[["firm", "year", "loge"]].assign(year=f["year"] + 1).rename(columns={"loge": "loge_l"})
    growth = f.merge(prev, on=["firm", "year"]).assign(log_growth=lambda d: d["loge"] - d["loge_l"])
    last = f.groupby("firm")["year"].transform("max")
    risk = f.loc[f["year"] < FIRM_DEMO_YEARS[-1], ["firm", "year", "code"]].assign(
        exit=(f["year"] == last).astype(float), year=lambda d: d["year"] + 1)
    vag = f[["code", "year", "vag"]].drop_duplicates(["code", "year"])
    return growth, risk.merge(vag, on=["code", "year"])


def _dgp_estimates(rows: int, seed: int) -> tuple[float, float]:
    growth, risk = dgp_firm_years(rows, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = pf.feols("log_growth ~ vag | firm + year", data=growth, vcov={"CRV1": "code"}).coef()["vag"]
        e = pf.feols("exit ~ vag | code + year", data=risk, vcov={"CRV1": "code"}).coef()["vag"]
    return float(g), float(e)


@pytest.mark.slow
def test_monte_carlo_recovers_the_known_effects():
    """Twelve seeds of the DGP at 2 million rows' worth of firm-years: the mean estimates of the
    study's growth model (firm and year effects) and exit LPM (province and year effects) are
    within 3 Monte Carlo standard errors of the true effects. (One seed's CRV1 interval is too
    narrow to be a reliable test: the between-seed spread is larger, 31 very unequal province
    clusters.)"""
    est = np.array([_dgp_estimates(2_000_000, seed) for seed in range(1, 13)])
    mean, mc_se = est.mean(axis=0), est.std(axis=0, ddof=1) / np.sqrt(len(est))
    assert abs(mean[0] - TRUE_GROWTH) < 3 * mc_se[0] and mean[0] > 0
    assert abs(mean[1] - TRUE_EXIT) < 3 * mc_se[1] and mean[1] < 0


@pytest.mark.slow
def test_models_on_generated_transactions_equal_the_dgp_firm_years(tmp_path):
    """2 million generated transactions through the pipeline, the join (panel read from a CSV
    file) and the models give the estimates of the same models on the DGP's own firm-years:
    the transactions, the pipeline and the join add nothing (values are rounded to cents)."""
    info = write_firm_transactions(tmp_path / "tx", rows=2_000_000)
    firm_demo_province_panel().to_csv(tmp_path / "panel.csv", index=False)
    spec = FirmResilienceStudySpec(panel_path=str(tmp_path / "panel.csv"), outcomes=["log_growth"],
                                   exit_models=["lpm"], heterogeneity=[], shock_window=False, growth_paths=False)
    m = run_firm_resilience_study(spec, transactions=FirmTransactions(info.path)).models
    g, e = _dgp_estimates(2_000_000, FIRM_DEMO_SEED)
    assert m.growth[0].value("vag") == pytest.approx(g, rel=1e-5)
    assert m.exit["lpm"].value("vag") == pytest.approx(e, rel=1e-5)
    assert m.growth[0].value("vag", "ci_low") > 0 and m.exit["lpm"].value("vag", "ci_high") < 0


# --- Kaplan-Meier, spells, exit variables -----------------------------------------------------


def _km_sample():
    rng = np.random.default_rng(4)
    return pd.DataFrame({"duration": rng.integers(1, 9, 500), "event": rng.integers(0, 2, 500),
                         "group": rng.choice(["a", "b"], 500)})


def test_kaplan_meier_equals_statsmodels():
    s = _km_sample()
    km = kaplan_meier(s, group="group")
    for g, sub in s.groupby("group"):
        ref = SurvfuncRight(sub["duration"].to_numpy(), sub["event"].to_numpy())
        got = km[(km["group"] == g) & (km["duration"] > 0) & (km["exits"] > 0)]
        np.testing.assert_allclose(got["duration"], ref.surv_times)
        np.testing.assert_allclose(got["survival"], ref.surv_prob, rtol=1e-12)


def test_kaplan_meier_equals_lifelines():
    lifelines = pytest.importorskip("lifelines", reason="optional: pip install 'exportlens[survival]'")
    s = _km_sample()
    km = kaplan_meier(s, group="group")
    for g, sub in s.groupby("group"):
        ref = lifelines.KaplanMeierFitter().fit(sub["duration"], sub["event"]).survival_function_["KM_estimate"]
        got = km[km["group"] == g].set_index("duration")["survival"]
        np.testing.assert_allclose(got.to_numpy(), ref.loc[got.index].to_numpy(), rtol=1e-12)


def test_spells_follow_consecutive_exporting_years():
    f = pd.DataFrame({"firm": [1] * 6 + [2] * 2, "year": [2005, 2006, 2007, 2008, 2009, 2010, 2009, 2010],
                      "exports": [1.0, 2.0, 0.0, 3.0, 3.0, 0.0, 1.0, 1.0], "code": [1] * 8})
    s = export_spells(f, carry=["code"])
    assert s[["firm", "start", "end", "duration", "event"]].values.tolist() == [
        [1, 2005, 2006, 2, 1], [1, 2008, 2009, 2, 1], [2, 2009, 2010, 2, 0]]
    assert s["left_censored"].tolist() == [True, False, False]


def _exit_variables_loop(frame):
    """The per-row loop add_exit_variables had before it was vectorised (the reference)."""
    f = frame.sort_values(["firm", "year"], kind="mergesort").reset_index(drop=True)
    active, firm, year = (f["exports"] > 0).to_numpy(), f["firm"].to_numpy(), f["year"].to_numpy()
    run = np.zeros(len(f), dtype=np.int64)
    for i in range(len(f)):
        same = i > 0 and firm[i] == firm[i - 1] and year[i] == year[i - 1] + 1
        run[i] = (run[i - 1] + 1 if same else 1) if active[i] else 0
    prev = np.zeros(len(f), dtype=np.int64)
    same_prev = np.r_[False, (firm[1:] == firm[:-1]) & (year[1:] == year[:-1] + 1)]
    prev[same_prev] = run[np.flatnonzero(same_prev) - 1]
    f["duration"] = prev
    out = f[f["exports_lag"].fillna(0.0).to_numpy() > 0].copy()
    out["exit"] = (out["exports"] <= 0).astype("float64")
    return out.reset_index(drop=True)


def test_vectorised_exit_variables_equal_the_loop():
    rng = np.random.default_rng(9)
    rows = [(f, y) for f in range(400) for y in range(2000, 2012) if rng.random() < 0.8]  # gaps in years
    f = pd.DataFrame(rows, columns=["firm", "year"]).sample(frac=1.0, random_state=1)
    f["exports"] = np.where(rng.random(len(f)) < 0.25, 0.0, rng.uniform(1, 5, len(f)))
    f["exports_lag"] = np.where(rng.random(len(f)) < 0.3, np.nan, rng.uniform(0, 5, len(f)))
    pd.testing.assert_frame_equal(add_exit_variables(f), _exit_variables_loop(f))
    ordered = f.sort_values(["firm", "year"])  # already in order: no sort inside
    pd.testing.assert_frame_equal(add_exit_variables(ordered), _exit_variables_loop(f))
    assert add_exit_variables(f.iloc[:0]).empty


def test_cox_without_lifelines_names_the_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_lifelines(name, *args, **kwargs):
        if name.startswith("lifelines"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_lifelines)
    with pytest.raises(ImportError, match=r"pip install 'exportlens\[survival\]'"):
        fit_cox(pd.DataFrame({"duration": [1, 2], "event": [1, 0], "vag": [0.1, 0.2]}), ["vag"], cluster=None)
    with pytest.raises(ImportError, match=r"\[models\] cox = true needs lifelines: pip install") as err:
        run_firm_resilience_study(FirmResilienceStudySpec(cox=True))  # before the pipeline runs
    assert "\n" not in str(err.value)


# --- bad panels and bad firm-years --------------------------------------------------------------


@pytest.fixture(scope="module")
def user_run(tmp_path_factory):
    """User transactions (CSV) where one firm exports from two provinces in 2008, run without
    a panel (no models), and a DuckDB connection to join panels to its firm-year table."""
    tx = firm_transactions_demo(rows=20_000, seed=3)
    firm = tx.loc[(tx["year"] == 2008) & (tx["province"] != "广东省"), "firm_id"].iloc[0]  # Guangdong leaves the panel
    rows = tx.index[(tx["firm_id"] == firm) & (tx["year"] == 2008)]
    home = tx.loc[rows[0], "province"]
    other = "新疆维吾尔自治区" if home != "新疆维吾尔自治区" else "西藏自治区"
    tx.loc[rows[:1], "province"] = other  # the smaller share in the other province (modal rule keeps home)
    tx.loc[rows[:1], "value_usd"] = 0.01
    folder = tmp_path_factory.mktemp("user_tx")
    tx.to_csv(folder / "tx.csv", index=False)
    result = run_firm_resilience_study(FirmResilienceStudySpec(data_path=str(folder)))
    return result, firm, home


def _estimate(result, panel, **spec):
    values = {"panel_path": "panel.csv", "heterogeneity": [], "exit_models": ["lpm"], "outcomes": ["dhs_growth"],
              "shock_window": False, **spec}
    spec = FirmResilienceStudySpec(**values)
    return estimate_firm_models(connect_duckdb(memory_limit="500MB", threads=1), result.measures, panel, spec)


def test_user_transactions_without_a_panel_have_no_models(user_run):
    result, _, _ = user_run
    assert result.models is None and any("[panel] path" in n for n in result.notes)
    assert "table_f7" not in result.tables("en")


def test_firm_in_two_provinces_years_and_provinces_outside_the_panel_are_counted(user_run):
    result, firm, home = user_run
    fy = result.measures.firm_year
    panel = firm_demo_province_panel(seed=3)
    panel = panel[(panel["year"] >= 2006) & (panel["year"] <= 2012) & (panel["code"] != 440000)]
    m = _estimate(result, panel)
    cov = m.coverage.set_index("status")["firm_years"]
    assert int(cov.sum()) == len(fy)
    outside = fy["year"].lt(2006) | fy["year"].gt(2012)
    assert cov["year_outside_panel"] == int((outside & fy["code"].ne(440000)).sum())
    assert cov["province_not_in_panel"] == int(fy["code"].eq(440000).sum())
    assert cov["matched"] == len(m.joined)
    assert m.several_provinces >= 1 and any("modal province" in n for n in m.notes)
    row = fy[(fy["firm"] == firm) & (fy["year"] == 2008)].iloc[0]
    from exportlens.regions import resolve_province

    assert row["n_provinces"] == 2 and int(row["code"]) == resolve_province(home).code  # modal by export value
    assert any("year outside" in n for n in m.notes) and any("province not in the panel" in n for n in m.notes)


def test_bad_panels_are_one_line_errors(user_run, tmp_path):
    result, _, _ = user_run
    panel = firm_demo_province_panel(seed=3)
    with pytest.raises(UnknownRegionError, match="火星"):
        _estimate(result, panel.assign(province=["火星", *panel["province"][1:]]))
    panel.drop(columns=["vag"]).to_csv(tmp_path / "panel.csv", index=False)
    spec = FirmResilienceStudySpec(panel_path=str(tmp_path / "panel.csv"))
    from exportlens.studies.firm_resilience_models import read_study_panel

    with pytest.raises(MissingColumnError, match=r"\[panel\] vag") as err:
        read_study_panel(spec, False)
    assert "\n" not in str(err.value)
    with pytest.raises(StudySpecError, match=r"\[models\] outcomes"):
        _estimate(result, panel.assign(vag=1.0), outcomes=["profit"])
    with pytest.raises(StudySpecError, match=r"\[models\] heterogeneity"):
        FirmResilienceStudySpec.from_dict({"models": {"heterogeneity": ["ownership"]}})
