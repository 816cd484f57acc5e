"""Firm-level models: estimates equal pyfixest run directly on the same frame (1e-8), and a
known effect of Vag on growth and exit is recovered from simulated firm-years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from exportlens.econometrics.firm_models import add_exit_variables, fit_exit, fit_firm_growth
from exportlens.errors import MissingColumnError

# direct pyfixest references computed with exportlens' fixed-effect order (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("pyfixest_formula_order")

BETA_GROWTH, BETA_EXIT = 0.30, -0.08  # true effects of Vag on DHS growth and on the exit probability


@pytest.fixture(scope="module")
def frame():
    """Joined firm-years: 1,500 firms in 12 provinces, 2005-2012; Vag varies by province and year;
    DHS growth = 0.30 Vag + firm + year + noise; exit probability 0.15 - 0.08 Vag (LPM)."""
    rng = np.random.default_rng(7)
    years = np.arange(2005, 2013)
    codes = np.array([110000, 120000, 130000, 310000, 320000, 330000, 370000, 410000, 440000, 510000, 610000, 650000])
    vag = {(c, y): rng.uniform(0, 1) for c in codes for y in years}
    rows = []
    for f in range(1500):
        code = codes[rng.integers(len(codes))]
        alpha = rng.normal(0, 0.2)
        start = years[rng.integers(0, 3)]
        e_prev = None
        for y in years[years >= start]:
            v = vag[(code, y)]
            if e_prev is not None and rng.random() < 0.15 + BETA_EXIT * v:  # exit
                rows.append((f, y, code, 0.0, e_prev, -2.0, v))
                break
            g = BETA_GROWTH * v + alpha + 0.02 * (y - 2005) + rng.normal(0, 0.2)
            e = 100.0 if e_prev is None else e_prev * (2 + g) / (2 - g) if abs(g) < 2 else e_prev
            dhs = np.nan if e_prev is None else 2 * (e - e_prev) / (e + e_prev)
            rows.append((f, y, code, e, e_prev if e_prev is not None else (np.nan if y == 2005 else 0.0), dhs, v))
            e_prev = e
    out = pd.DataFrame(rows, columns=["firm", "year", "code", "exports", "exports_lag", "dhs_growth", "vag"])
    out["size"] = np.log1p(out["exports_lag"].fillna(0.0))
    return out


def test_growth_equals_pyfixest_and_recovers_the_effect(frame):
    (m,) = fit_firm_growth(frame, outcomes=["dhs_growth"])
    ref = pf.feols("dhs_growth ~ vag | firm + year", data=frame, vcov={"CRV1": "code"})
    assert m.coefs.loc["vag", "estimate"] == pytest.approx(float(ref.coef()["vag"]), rel=1e-8)
    assert m.coefs.loc["vag", "std_error"] == pytest.approx(float(ref.se()["vag"]), rel=1e-8)
    est, se = m.coefs.loc["vag", ["estimate", "std_error"]]
    assert abs(est - BETA_GROWTH) < 4 * se


def test_exit_models_equal_pyfixest_and_recover_the_effect(frame):
    res = fit_exit(frame, controls=["size"], fe=("firm", "year"))
    risk = add_exit_variables(frame)
    assert risk["exit"].sum() > 100 and (risk["exports_lag"] > 0).all()
    lpm = pf.feols("exit ~ vag + size | firm + year", data=risk, vcov={"CRV1": "code"})
    logit = pf.feglm("exit ~ vag + size | firm + year", data=risk, family="logit", vcov={"CRV1": "code"})
    hazard = pf.feglm("exit ~ vag + size | duration + year", data=risk, family="logit", vcov={"CRV1": "code"})
    for key, ref in (("lpm", lpm), ("logit", logit), ("hazard", hazard)):
        got = res[key].coefs
        np.testing.assert_allclose(got.loc[["vag", "size"], "estimate"], ref.coef()[["vag", "size"]], rtol=1e-8)
        np.testing.assert_allclose(got.loc[["vag", "size"], "std_error"], ref.se()[["vag", "size"]], rtol=1e-8)
    est, se = res["lpm"].coefs.loc["vag", ["estimate", "std_error"]]
    assert est < 0 and abs(est - BETA_EXIT) < 4 * se
    assert res["hazard"].coefs.loc["vag", "estimate"] < 0  # same sign on the logit scale


def test_duration_counts_consecutive_exporting_years():
    f = pd.DataFrame({"firm": [1, 1, 1, 1, 1], "year": [2005, 2006, 2007, 2008, 2009],
                      "exports": [5.0, 5.0, 5.0, 0.0, 0.0], "exports_lag": [np.nan, 5.0, 5.0, 5.0, 0.0]})
    r = add_exit_variables(f)
    assert r["year"].tolist() == [2006, 2007, 2008]
    assert r["duration"].tolist() == [1, 2, 3] and r["exit"].tolist() == [0.0, 0.0, 1.0]


def test_missing_panel_columns_name_the_join():
    with pytest.raises(MissingColumnError, match="panel"):
        fit_firm_growth(pd.DataFrame({"firm": [1], "year": [2005], "dhs_growth": [0.1]}))
