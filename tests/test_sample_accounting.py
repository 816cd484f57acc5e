"""sample.csv of the resilience study: every model's N explained by its row accounting (issue 11)."""

from __future__ import annotations

import numpy as np
import pytest

from exportlens.datasets.demo import resilience_demo_panel
from exportlens.studies.resilience import ResilienceStudySpec, run_resilience_study


@pytest.fixture(scope="module")
def result():
    panel = resilience_demo_panel().drop(columns=["sl", "vag"])
    rng = np.random.default_rng(3)
    panel.loc[rng.choice(len(panel), 12, replace=False), "rd_intensity"] = np.nan  # moderator missing
    panel.loc[[20, 45], "fdi_ratio"] = np.nan  # a control missing
    panel["tax_twice"] = 2.0 * panel["tax_burden"]  # collinear with tax_burden
    spec = ResilienceStudySpec(controls=["ln_gdp_pc", "tax_burden", "consumption_rate", "fdi_ratio", "tax_twice"])
    return run_resilience_study(panel, spec)


def test_every_model_n_is_explained(result):
    sample = result.sample
    models = result.models()
    assert set(sample["model"]) == set(models)
    for name, m in models.items():
        rows = sample[sample["model"] == name]
        n_input = int(rows.loc[rows["kind"] == "input", "n"].sum())
        lost = int(rows.loc[rows["kind"] == "lost", "n"].sum())
        n = int(rows.loc[rows["kind"] == "N", "n"].iloc[0])
        assert n_input - lost == n == m.nobs, name
        assert n_input == len(result.panel)


def test_reasons_are_named(result):
    sample = result.sample
    steps = " | ".join(sample["step"])
    assert "missing rd_intensity" in steps            # moderator (Table 4 only)
    assert "lag 2: no vag 2 year(s) earlier" in steps   # Table 3
    assert "rows of other groups" in steps              # Table 5 by group
    base = sample[sample["model"] == "table2_col1"]
    assert "missing rd_intensity" not in " ".join(base["step"])  # no moderator in Table 2
    # the moderator's lost rows equal the rows where it is the first missing variable
    mod = sample[(sample["model"] == "table4_raw") & (sample["step"] == "missing rd_intensity")]
    frame = result.panel
    sl_ok = frame["sl"].notna() & frame["vag"].notna()
    assert int(mod["n"].iloc[0]) == int((sl_ok & frame["rd_intensity"].isna()).sum())


def test_collinear_control_is_reported(result):
    dropped = result.sample[result.sample["kind"] == "variable dropped"]
    assert len(dropped) and dropped["step"].str.contains("tax_twice|tax_burden").all()
    assert any("collinear" in n for n in result.notes)


def test_notes_count_the_lost_rows(result):
    line = next(n for n in result.notes if n.startswith("Rows of table4_raw:"))
    assert "missing rd_intensity" in line and f"N = {result.models()['table4_raw'].nobs}" in line
