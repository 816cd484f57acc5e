"""Heterogeneity by ownership and trade mode (issue 16): the optional ``[columns] ownership`` /
``trade_mode`` roles reach the firm-year table (label with the largest export value, ties the
smallest label; pandas reference = DuckDB), the study fits one Vag slope per label (equal to
pyfixest on the joined frame, 1e-8), and bad inputs are one-line errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from exportlens.datasets.demo_firms import firm_demo_province_panel, firm_transactions_demo
from exportlens.errors import MissingColumnError, StudySpecError
from exportlens.firms import (
    ColumnMap,
    FirmMeasureSpec,
    connect_duckdb,
    firm_measures_pandas,
    firm_pipeline,
)
from exportlens.studies.firm_resilience import FirmResilienceStudySpec, run_firm_resilience_study

# direct pyfixest references computed with exportlens' fixed-effect order (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("pyfixest_formula_order")

COLS = ColumnMap(ownership="ownership", trade_mode="trade_mode")


def _labelled(rows: int, seed: int) -> pd.DataFrame:
    """Demo transactions with a fixed ownership per firm (some firms unlabelled) and a trade mode per row."""
    tx = firm_transactions_demo(rows=rows, seed=seed)
    rng = np.random.default_rng(seed)
    firms = tx["firm_id"].unique()
    owner = dict(zip(firms, rng.choice(["state", "private", "foreign", ""], size=len(firms), p=[.25, .4, .3, .05]),
                     strict=True))
    tx["ownership"] = tx["firm_id"].map(owner)
    tx["trade_mode"] = rng.choice(["ordinary", "processing"], size=len(tx), p=[0.6, 0.4])
    return tx


def test_firm_year_label_is_the_largest_export_value_and_pandas_equals_duckdb():
    hand = pd.DataFrame(
        [("F1", "85171200", "USA", 2007, 60.0, "广东", "39", "private", "processing"),
         ("F1", "85171200", "DEU", 2007, 60.0, "广东", "39", "private", "ordinary"),      # tie: smallest label
         ("F1", "85171200", "USA", 2008, 30.0, "广东", "39", "private", "ordinary"),
         ("F1", "85423100", "USA", 2008, 25.0, "广东", "39", "private", "processing"),
         ("F1", "85423100", "JPN", 2008, 25.0, "广东", "39", "private", "processing"),    # 50 > 30: processing
         ("F2", "85171200", "JPN", 2007, 50.0, "江苏", "39", "state", None),
         ("F2", "85171200", "JPN", 2008, 50.0, "江苏", "39", " ", "ordinary")],           # blank: no label
        columns=["firm_id", "hs8", "destination", "year", "value_usd", "province", "industry", "ownership",
                 "trade_mode"])
    spec = FirmMeasureSpec(shock_year=2008, base_year=2007, recovery_year=2009)
    tx = pd.concat([hand, hand[hand["firm_id"] == "F1"].assign(year=2009)], ignore_index=True)  # F2 exits in 2009
    ref = firm_measures_pandas(tx, columns=COLS, spec=spec).firm_year.set_index(["firm", "year"])
    assert ref.loc[("F1", 2007), "trade_mode"] == "ordinary" and ref.loc[("F1", 2008), "trade_mode"] == "processing"
    assert ref.loc[("F2", 2007), "trade_mode"] is None and ref.loc[("F2", 2008), "ownership"] is None
    assert ref.loc[("F2", 2009), "status"] == "exit" and ref.loc[("F2", 2009), "trade_mode"] == "ordinary"  # last year's
    # generated rows: the engine gives the reference's firm-year table, labels included
    gen = _labelled(3_000, seed=5)
    gen.loc[0, "value_usd"], gen.loc[1, "hs8"] = -1.0, ""  # invalid rows dropped: the row-by-row filter path
    con = connect_duckdb(memory_limit="1GB", threads=1)
    spec = FirmMeasureSpec(shock_year=2009, invalid="drop")
    eng = firm_pipeline(con, con.create_table("tx", gen), columns=COLS, spec=spec)
    ref = firm_measures_pandas(gen, columns=COLS, spec=spec)
    pd.testing.assert_frame_equal(eng.firm_year, ref.firm_year, check_exact=False, rtol=1e-9, atol=1e-12)
    two = gen.groupby(["firm_id", "year"])["trade_mode"].nunique()
    assert (two == 2).any()  # firm-years with two trade modes are in the comparison
    assert ref.firm_year["ownership"].isna().any() and ref.firm_year["ownership"].notna().any()


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labelled")
    _labelled(12_000, seed=3).to_csv(folder / "tx.csv", index=False)
    firm_demo_province_panel(seed=3).to_csv(folder / "panel.csv", index=False)
    spec = FirmResilienceStudySpec.from_dict({
        "data": {"path": str(folder / "tx.csv")}, "panel": {"path": str(folder / "panel.csv")},
        "columns": {"ownership": "ownership", "trade_mode": "trade_mode"},
        "models": {"heterogeneity": ["ownership", "trade_mode"], "exit_models": ["lpm"], "outcomes": ["dhs_growth"],
                   "shock_window": False},
    })
    return run_firm_resilience_study(spec)


def test_study_slopes_by_ownership_equal_pyfixest(run):
    m, j = run.models, run.models.joined
    het = m.heterogeneity["ownership"][0]
    d = j[j["ownership_group"].notna()].copy()
    levels = ["foreign", "private", "state"]
    for lv in levels:
        d[f"v_{lv}"] = d["vag"] * (d["ownership_group"] == lv)
    ref = pf.feols("dhs_growth ~ v_foreign + v_private + v_state | firm + year", data=d, vcov={"CRV1": "code"})
    np.testing.assert_allclose([het.value(f"vag_x_ownership_group_{lv}") for lv in levels],
                               ref.coef()[[f"v_{lv}" for lv in levels]], rtol=1e-8)
    np.testing.assert_allclose([het.value(f"vag_x_ownership_group_{lv}", "std_error") for lv in levels],
                               ref.se()[[f"v_{lv}" for lv in levels]], rtol=1e-8)
    assert het.nobs == int(ref._N)
    assert set(m.heterogeneity["trade_mode"][0].extra["group_terms"].values()) == {"ordinary", "processing"}
    assert any("firm-years with no ownership label are left out" in n for n in m.notes)
    assert any(n.startswith("[columns] ownership, [columns] trade_mode: a firm-year's label is the one with the "
                            "largest export value") for n in run.notes)
    f11_en, f11_zh = run.tables("en")["table_f11"], run.tables("zh")["table_f11"]
    assert "Vag × ownership: state" in f11_en.to_frame().to_string()
    assert "虚拟集聚 × 贸易方式：processing" in f11_zh.to_frame().to_string()
    assert any("largest export value" in n for n in f11_en.notes)


def test_bad_label_inputs_are_one_line_errors(tmp_path):
    with pytest.raises(StudySpecError, match=r"\[columns\] trade_mode is not set") as err:
        FirmResilienceStudySpec.from_dict({"models": {"heterogeneity": ["trade_mode"]}})
    assert "\n" not in str(err.value)
    _labelled(300, seed=1).drop(columns="ownership").to_csv(tmp_path / "tx.csv", index=False)
    spec = FirmResilienceStudySpec.from_dict({"data": {"path": str(tmp_path / "tx.csv")},
                                              "columns": {"ownership": "eigentum"}, "models": {"run": False}})
    with pytest.raises(MissingColumnError, match=r"'eigentum' \(\[columns\] ownership\)") as err:
        run_firm_resilience_study(spec)
    assert "\n" not in str(err.value)


def test_cli_names_the_missing_label_column_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from exportlens.cli import app

    _labelled(300, seed=2).drop(columns="trade_mode").to_csv(tmp_path / "tx.csv", index=False)
    r = CliRunner().invoke(app, ["run", "firm-resilience", "--transactions", str(tmp_path / "tx.csv"), "--column",
                                 "trade_mode=mode", "--out", str(tmp_path / "out")])
    assert r.exit_code != 0
    assert "'mode' ([columns] trade_mode) not found" in r.output and "--column role=name" in r.output
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]  # other lines: progress
    assert len(errors) == 1 and "[columns] trade_mode" in errors[0], r.output


def test_labels_that_are_not_identifiers_get_numbered_terms():
    from exportlens.econometrics.firm_models import group_slope_terms

    f = pd.DataFrame({"vag": [1.0, 2.0, 3.0], "own": ["国有", "state owned", "private"]})
    out, terms = group_slope_terms(f, "vag", "own")
    assert terms == {"vag_x_own_private": "private", "vag_x_own_2": "state owned", "vag_x_own_3": "国有"}
    assert out["vag_x_own_3"].tolist() == [1.0, 0.0, 0.0]
