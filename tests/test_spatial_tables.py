"""Spillover analysis: one call, bilingual tables in every format, figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.regions import province_codes
from exportlens.report.spatial_tables import (
    moran_table,
    spatial_model_table,
    spillover_tables,
    variable_label,
)
from exportlens.report.tables import write_tables
from exportlens.spatial import contiguity_weights, local_moran, spillover_analysis


@pytest.fixture(scope="module")
def analysis():
    w = contiguity_weights()
    rng = np.random.default_rng(11)
    n, t = w.n, 8
    W = w.dense()
    a_inv = np.linalg.inv(np.eye(n) - 0.4 * W)
    mu = rng.normal(size=n)
    rows = []
    for s in range(t):
        vag = rng.normal(size=n) + 0.3 * mu
        ctrl = rng.normal(size=n)
        y = a_inv @ (0.8 * vag + 0.4 * W @ vag + 0.2 * ctrl + mu + 0.1 * s + rng.normal(size=n))
        rows += [{"province": c, "year": 2015 + s, "sl": yi, "vag": v, "ln_gdp_pc": cc}
                 for c, yi, v, cc in zip(province_codes(), y, vag, ctrl, strict=True)]
    panel = pd.DataFrame(rows)
    return spillover_analysis(panel, "sl", ["vag"], ["ln_gdp_pc"], weights=w, region="province",
                              draws=200, permutations=99)


LABELS = {"vag": {"en": "Virtual agglomeration", "zh": "虚拟集聚"}, "sl": {"en": "Export resilience", "zh": "出口韧性"}}


def test_one_call_analysis(analysis):
    assert set(analysis.models) == {"sdm", "sar", "sem"}
    assert analysis.sdm is not None and analysis.sdm.effects is not None
    tidy = analysis.to_frame()
    assert {"SDM", "SAR", "SEM", "SDM effects", "SAR effects"} <= set(tidy["model"])
    assert set(analysis.moran) == {"sl", "vag"}
    assert analysis.lisa is not None and len(analysis.lisa.frame) == 31
    assert "Specification tests" in analysis.summary()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tables_in_both_languages_and_all_formats(analysis, lang, tmp_path):
    tables = spillover_tables(analysis, lang, labels=LABELS)
    assert set(tables) == {"spatial_models", "spatial_effects", "spatial_tests", "moran"}
    models = tables["spatial_models"].to_frame()
    word = "虚拟集聚" if lang == "zh" else "Virtual agglomeration"
    assert word in models.index and f"W×{word}" in models.index
    # the coefficient cell shows the estimate with stars, the SE row is in parentheses
    est = analysis.models["sdm"].coefs.loc["vag"]
    cell = models.loc[word, "(1) SDM"]
    assert cell.startswith(f"{est['estimate']:.3f}")
    pos = list(models.index).index(word)
    assert models.iloc[pos + 1]["(1) SDM"] == f"({est['se']:.3f})"
    eff = tables["spatial_effects"].to_frame()
    assert ("直接效应" if lang == "zh" else "Direct effect") in set(eff.iloc[:, 1])
    written = write_tables(tables, tmp_path)
    assert len(written) == 4 * 6 and all(p.stat().st_size > 0 for p in written)
    md = tables["moran"].to_markdown()
    assert ("全局莫兰指数" if lang == "zh" else "Global Moran's I") in md


def test_table_helpers():
    assert variable_label("W*vag", "zh", LABELS) == "W×虚拟集聚"
    assert variable_label("vag", "en", {"zh": {"vag": "虚拟集聚"}}) == "vag"
    with pytest.raises(Exception, match="language"):
        spatial_model_table([], lang="fr")  # type: ignore[arg-type]
    with pytest.raises(Exception, match="Moran"):
        moran_table([])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_figures(analysis, lang, tmp_path):
    pytest.importorskip("matplotlib")
    from exportlens.report.figures_spatial import lisa_cluster_map, moran_scatter, spillover_figures

    paths, _ = spillover_figures(analysis, tmp_path / "all", lang=lang)
    assert [p.name for p in paths] == ["moran_scatter.png", "lisa_clusters.png"]
    p1, note1 = moran_scatter(analysis.lisa, path=tmp_path / "scatter.png", lang=lang, variable_label="SL")
    p2, note2 = lisa_cluster_map(analysis.lisa, path=tmp_path / "lisa.png", lang=lang)
    assert p1.stat().st_size > 5000 and p2.stat().st_size > 5000
    if lang == "en":
        assert note1 is None and note2 is None


def test_scatter_slope_is_moran_i():
    w = contiguity_weights()
    y = np.random.default_rng(0).normal(size=31)
    res = local_moran(y, w, permutations=0)
    z, lag = res.frame["z"].to_numpy(), res.frame["lag_z"].to_numpy()
    from exportlens.spatial import moran_i

    assert z @ lag / (z @ z) == pytest.approx(moran_i(y, w, permutations=0).I)
