"""Panel mediation: a*b from separate pyfixest fits, Sobel by hand, reproducible bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from exportlens.econometrics import mediation, sobel_test
from exportlens.errors import MissingColumnError
from exportlens.report.identification_tables import mediation_tables

# direct pyfixest references computed with exportlens' fixed-effect order (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("pyfixest_formula_order")


def _panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_p, n_t = 30, 12
    df = pd.DataFrame({"province": np.repeat([f"p{i}" for i in range(n_p)], n_t), "year": np.tile(np.arange(2010, 2010 + n_t), n_p)})
    n = len(df)
    a_i = np.repeat(rng.normal(size=n_p), n_t)
    df["x"] = a_i + rng.normal(size=n)
    df["w"] = rng.normal(size=n)
    df["m1"] = 0.6 * df["x"] + 0.2 * df["w"] + a_i + rng.normal(size=n)
    df["m2"] = -0.3 * df["x"] + rng.normal(size=n)
    df["y"] = 0.4 * df["x"] + 0.5 * df["m1"] + 0.2 * df["m2"] + 0.3 * df["w"] + a_i + rng.normal(size=n)
    return df


def test_indirect_effect_equals_a_times_b_from_separate_pyfixest_models():
    df = _panel()
    res = mediation(df, "y", "x", ["m1", "m2"], ["w"], fe="twoway", n_draws=0)
    for e in res.effects:
        fa = pf.feols(f"{e.mediator} ~ x + w | province + year", df, vcov={"CRV1": "province"})
        fb = pf.feols(f"y ~ x + {e.mediator} + w | province + year", df, vcov={"CRV1": "province"})
        fc = pf.feols("y ~ x + w | province + year", df, vcov={"CRV1": "province"})
        a, b = fa.coef()["x"], fb.coef()[e.mediator]
        assert e.a == pytest.approx(a, rel=1e-10)
        assert e.b == pytest.approx(b, rel=1e-10)
        assert e.indirect == pytest.approx(a * b, rel=1e-10)
        assert e.a_se == pytest.approx(fa.se()["x"], rel=1e-10)
        assert e.total == pytest.approx(fc.coef()["x"], rel=1e-10)
        # least-squares identity on one sample: c = c' + a*b
        assert e.total == pytest.approx(e.direct + e.indirect, rel=1e-8)
        assert e.share == pytest.approx(a * b / fc.coef()["x"], rel=1e-10)


def test_sobel_against_hand_formula():
    a, sa, b, sb = 0.6, 0.05, 0.5, 0.04
    z, p = sobel_test(a, sa, b, sb)
    z_hand = a * b / np.sqrt(b**2 * sa**2 + a**2 * sb**2)
    from math import erfc, sqrt

    assert z == pytest.approx(z_hand, rel=1e-12)
    assert p == pytest.approx(erfc(abs(z_hand) / sqrt(2)), rel=1e-10)
    df = _panel(1)
    e = mediation(df, "y", "x", "m1", "w", fe="year", n_draws=0).effects[0]
    assert e.sobel_z == pytest.approx(e.a * e.b / np.sqrt(e.b**2 * e.a_se**2 + e.a**2 * e.b_se**2), rel=1e-12)


def test_bootstrap_reproducible_and_covers_truth():
    df = _panel(2)
    r1 = mediation(df, "y", "x", ["m1", "m2"], ["w"], fe="twoway", n_draws=99, seed=7)
    r2 = mediation(df, "y", "x", ["m1", "m2"], ["w"], fe="twoway", n_draws=99, seed=7)
    pd.testing.assert_frame_equal(r1.draws, r2.draws)
    assert r1.to_frame()["ci_low"].tolist() == r2.to_frame()["ci_low"].tolist()
    r3 = mediation(df, "y", "x", ["m1", "m2"], ["w"], fe="twoway", n_draws=99, seed=8)
    assert not r3.draws.equals(r1.draws)
    e1 = r1.effects[0]
    assert e1.ci_low < e1.indirect < e1.ci_high
    assert e1.ci_low < 0.6 * 0.5 < e1.ci_high  # true a*b of m1
    assert len(r1.draws) == 99


def test_bootstrap_draw_equals_pyfixest_fit_on_the_resampled_panel():
    # Rebuild the first draw (clusters drawn by default_rng(seed).integers, each copy a new
    # province) and fit it with exportlens/pyfixest: equal to the bootstrap's fast re-estimate.
    df = _panel(3)
    res = mediation(df, "y", "x", ["m1", "m2"], ["w"], fe="twoway", n_draws=3, seed=11)
    codes, uniques = pd.factorize(df["province"])
    pick = np.random.default_rng(11).integers(0, len(uniques), size=len(uniques))
    parts = [df[codes == g].assign(province=f"copy{j}") for j, g in enumerate(pick)]
    drawn = pd.concat(parts, ignore_index=True)
    again = mediation(drawn, "y", "x", ["m1", "m2"], ["w"], fe="twoway", n_draws=0)
    for j, e in enumerate(again.effects):
        assert res.draws.iloc[0, j] == pytest.approx(e.indirect, rel=1e-7)


def test_missing_mediator_is_a_clear_error():
    df = _panel(4)
    with pytest.raises(MissingColumnError, match="Mediator column"):
        mediation(df, "y", "x", ["m1", "competition"], fe="year", n_draws=0)


def test_notes_and_tables_bilingual():
    df = _panel(5)
    res = mediation(df, "y", "x", ["m1", "m2"], ["w"], fe="twoway", n_draws=49, seed=1)
    assert any("sequential ignorability" in n for n in res.notes["en"])
    assert any("序贯可忽略性" in n for n in res.notes["zh"])
    for lang in ("en", "zh"):
        t = mediation_tables(res, {"m1": {"en": "Innovation", "zh": "创新"}}, lang)
        frame = t["mediation_effects"].to_frame()
        assert len(frame) == 2
        assert t["mediation_models"].to_frame().shape[1] == 5
    assert "创新" in mediation_tables(res, {"m1": {"en": "Innovation", "zh": "创新"}}, "zh")["mediation_effects"].to_text()
