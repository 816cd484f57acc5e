"""Hansen (1999) panel threshold regression: SSR against brute force, consistency, bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.econometrics import (
    lr_critical_value,
    threshold_regression,
    threshold_ssr_grid,
)
from exportlens.errors import InputError, UnbalancedPanelError
from exportlens.report.identification_tables import threshold_tables

TRUE_GAMMA = (1.0, 2.0)


def _gen(n: int = 30, T: int = 14, seed: int = 0, sd: float = 0.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"province": np.repeat([f"p{i:03d}" for i in range(n)], T), "year": np.tile(np.arange(2009, 2009 + T), n)})
    m = n * T
    q = rng.uniform(0, 3, size=m)
    x = rng.normal(size=m)
    z = rng.normal(size=m)
    mu = np.repeat(rng.normal(size=n), T)
    beta = np.where(q <= TRUE_GAMMA[0], 0.5, np.where(q <= TRUE_GAMMA[1], -0.5, 1.0))
    df["y"] = mu + beta * x + 0.5 * z + rng.normal(scale=sd, size=m)
    df["x"], df["q"], df["z"] = x, q, z
    return df


def _brute_ssr(df: pd.DataFrame, gammas: list[float]) -> float:
    """SSR of y on regime columns x*1(regime), z and province dummies (plain lstsq)."""
    q, x = df["q"].to_numpy(), df["x"].to_numpy()
    bounds = [-np.inf, *sorted(gammas), np.inf]
    cols = [x * ((q > bounds[r]) & (q <= bounds[r + 1])) for r in range(len(bounds) - 1)]
    dummies = pd.get_dummies(df["province"], dtype=float).to_numpy()
    X = np.column_stack([*cols, df["z"].to_numpy(), dummies])
    y = df["y"].to_numpy()
    e = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    return float(e @ e)


def test_concentrated_ssr_equals_brute_force_at_every_grid_point():
    df = _gen(n=12, T=8, seed=1)
    res = threshold_regression(df, "y", "x", "q", "z", n_thresholds=1, grid=60, n_draws=0)
    grid = res.lr["gamma"].to_numpy()
    fast = threshold_ssr_grid(res)
    brute = np.array([_brute_ssr(df, [g]) for g in grid])
    ok = np.isfinite(fast)
    assert ok.sum() == len(grid)
    np.testing.assert_allclose(fast, brute, rtol=1e-9)
    # with two thresholds fixed (third-threshold scan), every admissible point
    fast3 = threshold_ssr_grid(res, [10, 40])
    ok3 = np.isfinite(fast3)
    assert ok3.sum() > 40
    brute3 = np.array([_brute_ssr(df, [grid[10], grid[40], g]) for g in grid[ok3]])
    np.testing.assert_allclose(fast3[ok3], brute3, rtol=1e-9)
    # the estimate minimises the brute-force SSR over the grid
    assert res.thresholds[0] == grid[int(np.argmin(brute))]


def test_final_model_coefficients_equal_lstsq_at_the_estimates():
    df = _gen(seed=2)
    res = threshold_regression(df, "y", "x", "q", "z", n_thresholds=2, n_draws=0)
    assert res.ssr["S_final"] == pytest.approx(_brute_ssr(df, res.thresholds), rel=1e-9)
    assert len(res.regimes) == 3
    assert res.regimes["n_obs"].sum() == len(df)


def test_estimates_converge_to_true_thresholds():
    errs = {}
    for n in (15, 150):
        e = []
        for seed in range(3):
            res = threshold_regression(_gen(n=n, T=10, seed=seed, sd=1.0), "y", "x", "q", "z", n_thresholds=2, grid=100, n_draws=0)
            e.append(np.abs(np.array(res.thresholds) - np.array(TRUE_GAMMA)).mean())
        errs[n] = float(np.mean(e))
    assert errs[150] < errs[15]
    assert errs[150] < 0.05
    res = threshold_regression(_gen(n=150, T=10, seed=9), "y", "x", "q", "z", n_thresholds=2, n_draws=0)
    for (lo, hi), g in zip(res.ci, TRUE_GAMMA, strict=True):
        assert lo - 0.05 <= g <= hi + 0.05


def test_bootstrap_p_values_reproducible_and_detect_thresholds():
    df = _gen(seed=3)
    a = threshold_regression(df, "y", "x", "q", "z", n_thresholds=3, n_draws=99, seed=5)
    b = threshold_regression(df, "y", "x", "q", "z", n_thresholds=3, n_draws=99, seed=5)
    pd.testing.assert_frame_equal(a.tests, b.tests)
    c = threshold_regression(df, "y", "x", "q", "z", n_thresholds=3, n_draws=99, seed=6)
    assert not np.allclose(a.tests["crit_5"], c.tests["crit_5"])
    assert a.tests.loc["0 vs 1", "p_value"] < 0.05
    assert a.tests.loc["1 vs 2", "p_value"] < 0.05
    assert a.tests.loc["2 vs 3", "p_value"] > 0.05  # the DGP has two thresholds
    # F statistic of 0 vs 1 by hand from the SSRs
    s0, s1 = a.ssr["S0"], a.ssr["S1"]
    assert a.tests.loc["0 vs 1", "F"] == pytest.approx((s0 - s1) / (s1 / (30 * 13)), rel=1e-12)


def test_lr_critical_value():
    assert lr_critical_value(0.95) == pytest.approx(7.352, abs=1e-3)
    assert lr_critical_value(0.90) == pytest.approx(5.94, abs=1e-2)


def test_unbalanced_panel_names_missing_cells():
    df = _gen(n=6, T=5, seed=4)
    df = df.drop(index=df.index[(df["province"] == "p002") & (df["year"] == 2011)])
    with pytest.raises(UnbalancedPanelError, match="p002 2011"):
        threshold_regression(df, "y", "x", "q", n_thresholds=1, grid=10, n_draws=0)
    df2 = _gen(n=6, T=5, seed=4)
    df2.loc[3, "z"] = np.nan
    with pytest.raises(UnbalancedPanelError, match="p000 2012"):
        threshold_regression(df2, "y", "x", "q", "z", n_thresholds=1, grid=10, n_draws=0)


def test_too_few_distinct_threshold_values():
    df = _gen(n=10, T=10, seed=5)
    df["q"] = df["q"].round(1)  # about 30 distinct values
    with pytest.raises(InputError, match="distinct value"):
        threshold_regression(df, "y", "x", "q", n_thresholds=1, grid=300, n_draws=0)
    res = threshold_regression(df, "y", "x", "q", n_thresholds=1, grid=None, n_draws=0)
    assert res.grid_size <= 31


def test_threshold_tables_bilingual():
    res = threshold_regression(_gen(seed=6), "y", "x", "q", "z", n_thresholds=2, n_draws=19, seed=1)
    for lang, word in (("en", "Double vs single"), ("zh", "双重门槛")):
        t = threshold_tables(res, {"x": {"en": "Vag", "zh": "虚拟集聚"}}, lang)
        assert word in t["threshold_tests"].to_text()
        assert len(t["threshold_estimates"].to_frame()) == 2
        assert ("Vag" if lang == "en" else "虚拟集聚") in t["threshold_model"].to_text()


def test_time_effects_ssr_equals_brute_force_with_year_dummies():
    df = _gen(n=10, T=6, seed=7)
    df["y"] = df["y"] + df["year"].map(dict(zip(range(2009, 2015), [0.0, 1.0, -0.5, 2.0, 0.3, 1.1], strict=True)))
    res = threshold_regression(df, "y", "x", "q", "z", n_thresholds=1, grid=30, n_draws=0, time_effects=True)
    grid = res.lr["gamma"].to_numpy()
    fast = threshold_ssr_grid(res)
    years = pd.get_dummies(df["year"], dtype=float).to_numpy()[:, 1:]
    q, x = df["q"].to_numpy(), df["x"].to_numpy()
    dummies = pd.get_dummies(df["province"], dtype=float).to_numpy()
    for g, s in zip(grid, fast, strict=True):
        X = np.column_stack([x * (q <= g), x * (q > g), df["z"].to_numpy(), years, dummies])
        e = df["y"].to_numpy() - X @ np.linalg.lstsq(X, df["y"].to_numpy(), rcond=None)[0]
        assert s == pytest.approx(e @ e, rel=1e-9)
    assert res.model.fixed_effects == ["province", "year"]
