"""The resilience study end to end: recovery of the DGP, agreement with bare pyfixest,
reproducibility, outputs, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo import DEMO_TRUE_COEFFICIENTS, resilience_demo_panel
from exportlens.errors import (
    InputError,
    MissingColumnError,
    NonPositiveValueError,
    StudySpecError,
)
from exportlens.studies.framework import run_study, study_template
from exportlens.studies.resilience import (
    STUDY,
    ResilienceStudySpec,
    run_resilience_study,
)

# direct pyfixest references computed with exportlens' fixed-effect order (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("pyfixest_formula_order")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return resilience_demo_panel()


@pytest.fixture(scope="module")
def result(demo):
    return run_resilience_study(demo, ResilienceStudySpec())


def _interaction_term(model, key="vag", moderator="rd_intensity"):
    terms = [t for t in model.coefs.index if key in t and moderator in t]
    assert len(terms) == 1, list(model.coefs.index)
    return terms[0]


def test_recomputed_measures_equal_generator(result, demo):
    merged = result.panel.merge(demo[["code", "year", "sl", "vag"]], on=["code", "year"], suffixes=("", "_gen"))
    np.testing.assert_allclose(merged["vag"], merged["vag_gen"], rtol=1e-12)
    both = merged["sl_gen"].notna()
    assert (merged["sl"].notna() == both).all()
    np.testing.assert_allclose(merged.loc[both, "sl"], merged.loc[both, "sl_gen"], atol=1e-12)


def test_recovers_true_coefficients(result):
    m = result.moderation_centred
    inter = _interaction_term(m)
    for name, truth in DEMO_TRUE_COEFFICIENTS.items():
        term = inter if name == "vag_x_rd_intensity" else name
        row = m.coefs.loc[term]
        assert row["ci_low"] <= truth <= row["ci_high"], (name, truth, row.to_dict())
    # The stepwise model with all controls also covers the true Vag effect.
    last = result.stepwise[-1].coefs.loc["vag"]
    assert last["ci_low"] <= DEMO_TRUE_COEFFICIENTS["vag"] <= last["ci_high"]


def test_study_models_equal_bare_pyfixest(result):
    import pyfixest as pf

    spec = result.spec
    data = result.panel
    controls = " + ".join(spec.controls)
    direct = pf.feols(f"sl ~ vag + {controls} | year", data=data, vcov={"CRV1": "code"})
    ours = result.stepwise[-1].coefs
    np.testing.assert_allclose(ours.loc[direct.coef().index, "estimate"], direct.coef(), rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.loc[direct.se().index, "std_error"], direct.se(), rtol=0, atol=1e-8)
    no_fe = pf.feols("sl ~ vag", data=data, vcov={"CRV1": "code"})
    np.testing.assert_allclose(result.stepwise[0].coefs.loc[["Intercept", "vag"], "estimate"], no_fe.coef(), atol=1e-8)


def test_table_layout_and_numbering(result):
    assert len(result.stepwise) == 6
    assert result.stepwise[0].fixed_effects == [] and all(m.fixed_effects for m in result.stepwise[1:])
    assert [len(m.coefs) for m in result.stepwise[1:]] == [1, 2, 3, 4, 5]
    assert len(result.lagged) == 2
    assert set(result.heterogeneity) == {"east", "central", "west"}
    tables = result.tables("en")
    assert list(tables) == ["table1", "table2", "table3", "table4", "table5", "table9"]
    md = tables["table2"].to_markdown()
    assert "YES" in md and "NO" in md and "SYNTHETIC" in md
    zh = result.tables("zh")["table2"].to_markdown()
    assert "虚拟集聚" in zh and "是" in zh
    assert "vag" in result.summary()
    tidy = result.to_frame()
    assert {"model", "term", "estimate", "std_error", "p_value", "nobs"} <= set(tidy.columns)


def test_written_outputs_are_complete_and_reproducible(result, tmp_path):
    a = result.write(tmp_path / "a", lang="en", figures=True)
    b = result.write(tmp_path / "b", lang="en", figures=False)
    assert all(p.exists() and p.stat().st_size > 0 for p in a)
    for n in range(1, 6):
        for ext in ("md", "html", "tex", "docx", "xlsx", "csv"):
            assert (tmp_path / "a" / "tables" / f"table{n}.{ext}").exists(), (n, ext)
    assert (tmp_path / "a" / "figures" / "coefficients_stepwise.png").exists()
    for n in range(1, 6):
        for ext in ("md", "html", "tex", "csv"):
            rel = Path("tables") / f"table{n}.{ext}"
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert (tmp_path / "a" / "coefficients.csv").read_bytes() == (tmp_path / "b" / "coefficients.csv").read_bytes()
    assert len(b) < len(a)


def test_rerun_from_scratch_gives_identical_tables(demo, result, tmp_path):
    again = run_resilience_study(demo, ResilienceStudySpec())
    assert again.tables("zh")["table4"].to_markdown() == result.tables("zh")["table4"].to_markdown()
    pd.testing.assert_frame_equal(again.to_frame(), result.to_frame())


def test_spec_from_toml(tmp_path):
    (tmp_path / "panel.csv").write_text("x\n", encoding="utf-8")
    path = tmp_path / "study.toml"
    path.write_text(study_template(ResilienceStudySpec).replace('# path = "panel.csv"', 'path = "panel.csv"'),
                    encoding="utf-8")
    spec = ResilienceStudySpec.from_toml(path)
    assert Path(spec.data_path) == tmp_path / "panel.csv"
    assert spec.controls == ResilienceStudySpec().controls and spec.unit == "km"
    path.write_text('[model]\nfe = "year"\nclusters = "x"\n', encoding="utf-8")
    with pytest.raises(StudySpecError, match="unknown key 'clusters' in \\[model\\]"):
        ResilienceStudySpec.from_toml(path)
    path.write_text('[modle]\nfe = "year"\n', encoding="utf-8")
    with pytest.raises(StudySpecError, match="unknown section \\[modle\\]"):
        ResilienceStudySpec.from_toml(path)
    path.write_text('[resilience]\nk = 0\n', encoding="utf-8")
    with pytest.raises(StudySpecError, match=r"\[resilience\] k = 0: expected a number >= 1"):
        ResilienceStudySpec.from_toml(path)
    path.write_text('[model\n', encoding="utf-8")
    with pytest.raises(StudySpecError, match="not valid TOML"):
        ResilienceStudySpec.from_toml(path)


def test_bad_input_missing_column(demo):
    with pytest.raises(MissingColumnError, match="tax_burden"):
        run_resilience_study(demo.drop(columns=["tax_burden"]), ResilienceStudySpec())


def test_bad_input_moderator_not_in_data(demo):
    with pytest.raises(MissingColumnError, match="innovation"):
        run_resilience_study(demo, ResilienceStudySpec(moderator="innovation"))


def test_bad_input_k_larger_than_panel(demo):
    with pytest.raises(InputError, match="k = 20"):
        run_resilience_study(demo, ResilienceStudySpec(k=20))


def test_bad_input_nonpositive_export(demo):
    bad = demo.copy()
    bad.loc[5, "exports"] = 0.0
    with pytest.raises(NonPositiveValueError) as exc:
        run_resilience_study(bad, ResilienceStudySpec())
    assert str(bad.loc[5, "year"]) in str(exc.value)


def test_bad_input_duplicate_rows(demo):
    bad = pd.concat([demo, demo.iloc[[3]]], ignore_index=True)
    with pytest.raises(InputError, match="duplicate province-year"):
        run_resilience_study(bad, ResilienceStudySpec())


def test_exclusion_is_reported(demo):
    res = run_resilience_study(demo, ResilienceStudySpec(exclude=["北京"], lags=[1]))
    assert 110000 not in set(res.panel["code"])
    assert any("Excluded" in n and "14 rows" in n for n in res.notes)


def test_manifest_via_runner(tmp_path):
    out = run_study(STUDY, ResilienceStudySpec(), out=tmp_path / "run", lang="en", formats=["md", "csv"],
                    figures=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["study"] == "resilience"
    assert manifest["packages"]["pyfixest"] == "0.60.0"
    assert "tables/table2.md" in manifest["outputs"]
    assert "SYNTHETIC" in manifest["spec"]["data"]
    with pytest.raises(InputError, match="not empty"):
        run_study(STUDY, ResilienceStudySpec(), out=out, lang="en", formats=["md"], figures=False)


def test_wild_bootstrap_row(demo):
    res = run_resilience_study(demo, ResilienceStudySpec(wild_bootstrap=True, bootstrap_reps=99, lags=[1]))
    boot = res.stepwise[-1].extra["wild_bootstrap"]
    assert list(boot.index) == ["vag"] and 0 <= boot["p_value"].iloc[0] <= 1
    assert res.lagged[0].extra["wild_bootstrap"].index.tolist() == ["L1_vag"]
    md = res.tables("en")["table2"].to_markdown()
    assert "Wild cluster bootstrap p" in md
    assert any("few provinces" in n for n in res.notes)
