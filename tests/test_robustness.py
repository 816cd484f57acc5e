"""Specification frame against the individual fits; robustness table; identification figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.econometrics import (
    Specification,
    fit_panel,
    run_specifications,
    threshold_regression,
)
from exportlens.errors import InputError
from exportlens.report.figures_identification import lr_curve, specification_curve
from exportlens.report.identification_tables import robustness_table


def _panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"province": np.repeat(np.arange(20), 10), "year": np.tile(np.arange(2010, 2020), 20)})
    n = len(df)
    df["vag"] = rng.normal(size=n)
    df["vag2"] = df["vag"] + rng.normal(scale=0.3, size=n)
    df["w"] = rng.normal(size=n)
    df["sl"] = 0.5 * df["vag"] + 0.2 * df["w"] + rng.normal(size=n)
    df["sl3"] = df["sl"] + rng.normal(scale=0.2, size=n)
    return df


def _specs(df):
    return [
        Specification("base", {"depvar": "sl", "regressors": ["vag", "w"], "fe": "year", "vcov": "cluster"}, description={"en": "Baseline", "zh": "基准"}, choices={"outcome": "SL k=1", "fe": "year"}),
        Specification("twoway", {"depvar": "sl", "regressors": ["vag", "w"], "fe": "twoway", "vcov": "cluster"}, choices={"outcome": "SL k=1", "fe": "two-way"}),
        {"name": "k3", "fit": {"df": df, "depvar": "sl3", "regressors": ["vag", "w"], "fe": "year", "vcov": "cluster"}, "choices": {"outcome": "SL k=3", "fe": "year"}},
        {"name": "theta2", "term": "vag2", "fit": lambda: fit_panel(df, "sl", ["vag2", "w"], fe="year", vcov="cluster"), "choices": {"outcome": "SL k=1", "fe": "year"}},
    ]


def test_frame_equals_individual_fits():
    df = _panel()
    res = run_specifications(_specs(df), "vag", data=df)
    f = res.to_frame().set_index("name")
    direct = {
        "base": fit_panel(df, "sl", ["vag", "w"], fe="year", vcov="cluster").coefs.loc["vag"],
        "twoway": fit_panel(df, "sl", ["vag", "w"], fe="twoway", vcov="cluster").coefs.loc["vag"],
        "k3": fit_panel(df, "sl3", ["vag", "w"], fe="year", vcov="cluster").coefs.loc["vag"],
        "theta2": fit_panel(df, "sl", ["vag2", "w"], fe="year", vcov="cluster").coefs.loc["vag2"],
    }
    for name, row in direct.items():
        for col in ("estimate", "std_error", "ci_low", "ci_high", "p_value"):
            assert f.loc[name, col] == pytest.approx(row[col], rel=1e-12)
        assert f.loc[name, "nobs"] == 200
    assert f.attrs["choices"] == ["outcome", "fe"] or res.frame.attrs["choices"] == ["outcome", "fe"]
    # another level: normal interval around the estimate
    r90 = run_specifications(_specs(df), "vag", data=df, level=0.90).frame.set_index("name")
    assert r90.loc["base", "ci_high"] - r90.loc["base", "estimate"] == pytest.approx(1.6448536 * r90.loc["base", "std_error"], rel=1e-6)


def test_errors_and_table(tmp_path):
    df = _panel(1)
    with pytest.raises(InputError, match="not a coefficient"):
        run_specifications([Specification("bad", {"depvar": "sl", "regressors": ["w"], "fe": "year", "vcov": "iid"})], "vag", data=df)
    with pytest.raises(InputError, match="unique"):
        run_specifications([_specs(df)[0], _specs(df)[0]], "vag", data=df)
    res = run_specifications(_specs(df), "vag", data=df)
    for lang, word in (("en", "Baseline"), ("zh", "基准")):
        t = robustness_table(res, {"vag": {"en": "Vag", "zh": "虚拟集聚"}}, lang)
        frame = t.to_frame()
        assert frame.shape == (4, 4)
        assert word in t.to_text()
        assert frame.iloc[2].tolist() == ["200"] * 4
    out = specification_curve(res.frame, path=tmp_path / "spec.png", lang="zh", term_label="Vag", reference=0.5)
    assert out.stat().st_size > 5000


def test_lr_curve_figure(tmp_path):
    rng = np.random.default_rng(0)
    n, T = 20, 8
    df = pd.DataFrame({"province": np.repeat(np.arange(n), T), "year": np.tile(np.arange(T), n)})
    df["q"] = rng.uniform(0, 2, n * T)
    df["x"] = rng.normal(size=n * T)
    df["y"] = np.where(df["q"] <= 1, 1.0, -1.0) * df["x"] + rng.normal(size=n * T)
    res = threshold_regression(df, "y", "x", "q", n_thresholds=2, grid=100, n_draws=0)
    for lang in ("en", "zh"):
        out = lr_curve(res.lr, res.thresholds, path=tmp_path / f"lr_{lang}.png", lang=lang, threshold_label="q")
        assert out.stat().st_size > 5000
    with pytest.raises(InputError):
        lr_curve(res.lr.drop(columns=["gamma"]), res.thresholds, path=tmp_path / "x.png")
