"""The synthetic demo panel: deterministic, labelled, consistent with its documented DGP."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens import datasets
from exportlens.datasets.demo import CHINA_EXPORTS_100M_USD, DEMO_YEARS, resilience_demo_panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return resilience_demo_panel()


def test_shape_labels_and_determinism(panel):
    assert panel.shape[0] == 30 * len(DEMO_YEARS) == 420
    assert 540000 not in set(panel["code"])  # Tibet excluded, as published
    assert panel.attrs["synthetic"] is True and "SYNTHETIC" in panel.attrs["description"]
    assert not panel.duplicated(["code", "year"]).any()
    again = resilience_demo_panel()
    pd.testing.assert_frame_equal(panel, again)
    assert not resilience_demo_panel(seed=1)["exports"].equals(panel["exports"])


def test_accounting_identities(panel):
    # Provinces sum to the national series every year (documented in the DGP).
    sums = panel.groupby("year")["exports"].sum()
    nat = panel.groupby("year")["national_exports"].first()
    np.testing.assert_allclose(sums.to_numpy(), nat.to_numpy(), rtol=1e-12)
    assert nat.to_dict() == {y: float(v) for y, v in CHINA_EXPORTS_100M_USD.items()}
    # SL column is the relative log-growth of exports, by an independent loop.
    by = panel.set_index(["code", "year"])
    for (code, year), row in by.iterrows():
        if year == DEMO_YEARS[0]:
            assert np.isnan(row["sl"])
            continue
        prev = by.loc[(code, year - 1)]
        expected = (np.log(row["exports"]) - np.log(prev["exports"])) - (
            np.log(row["national_exports"]) - np.log(prev["national_exports"]))
        assert row["sl"] == pytest.approx(expected, abs=1e-12)
    assert (panel["ict_emp"] > 0).all() and (panel["total_emp"] > panel["ict_emp"]).all()
    for col in ["tax_burden", "consumption_rate", "fdi_ratio", "rd_intensity"]:
        assert (panel[col] > 0).all(), col


def test_datasets_registry():
    listing = datasets.list_datasets()
    assert "resilience_demo" in set(listing["name"]) and listing["synthetic"].all()
    loaded = datasets.load_dataset("resilience_demo")
    assert loaded.shape[0] == 420 and loaded.attrs["synthetic"] is True
    with pytest.raises(ValueError, match="Unknown dataset"):
        datasets.load_dataset("nope")

