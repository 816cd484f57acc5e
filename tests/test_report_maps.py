"""Tile-grid choropleth: classes equal mapclassify's, every province drawn, palettes."""

from __future__ import annotations

import importlib.util

import mapclassify
import numpy as np
import pytest

from exportlens.errors import InputError, MissingDependencyError
from exportlens.regions import tile_positions
from exportlens.report.maps import DIVERGING_PALETTE, SEQUENTIAL_PALETTE, classify_values, tile_map

CODES = sorted(tile_positions())


def _values(signed: bool = False) -> dict[int, float]:
    rng = np.random.default_rng(7)
    v = rng.gamma(2.0, 1.0, len(CODES))
    if signed:
        v = v - np.median(v)
    return dict(zip(CODES, v.tolist(), strict=True))


@pytest.mark.parametrize(("scheme", "ref"), [("quantiles", "Quantiles"), ("natural_breaks", "FisherJenks")])
def test_classes_equal_mapclassify(scheme, ref):
    y = np.array(list(_values().values()))
    ours = classify_values(y, scheme=scheme, k=5)
    theirs = getattr(mapclassify, ref)(y, k=5)
    np.testing.assert_allclose(ours.bins, theirs.bins)
    assert list(ours.labels) == theirs.yb.tolist()
    assert sum(ours.counts()) == len(y)


def test_user_breaks_equal_mapclassify():
    y = np.array(list(_values().values()))
    ours = classify_values(y, scheme="user", breaks=[1.0, 2.0, 3.0])
    theirs = mapclassify.UserDefined(y, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(ours.bins, theirs.bins)
    assert list(ours.labels) == theirs.yb.tolist()


def test_every_province_drawn_and_classes_in_result(tmp_path):
    vals = _values()
    m = tile_map(vals, tmp_path / "m.png", "虚拟集聚 (Vag)", "zh")
    assert m.path.stat().st_size > 0
    assert set(m.drawn) == set(CODES) and len(CODES) == 31
    assert not m.diverging and m.palette == SEQUENTIAL_PALETTE
    ref = mapclassify.Quantiles(np.array([vals[c] for c in sorted(vals)]), k=5)
    assert m.to_frame()["class"].tolist() == ref.yb.tolist()
    assert "31 provinces" in m.summary()


def test_missing_provinces_drawn_grey_and_non_mainland_optional(tmp_path):
    vals = dict(list(_values().items())[:20])
    vals["香港"] = 1.0
    with pytest.raises(InputError, match="include_non_mainland"):
        tile_map(vals, tmp_path / "m.png", "x", "en")
    m = tile_map(vals, tmp_path / "m.png", "x", "en", include_non_mainland=True)
    assert len(m.drawn) == 34 and len(m.values) == 21
    assert all(c in m.drawn for c in CODES)


def test_signed_values_get_diverging_palette(tmp_path):
    vals = _values(signed=True)
    m = tile_map(vals, tmp_path / "sl.png", "SL", "en", scheme="natural_breaks", k=4)
    assert m.diverging and m.palette == DIVERGING_PALETTE
    # negative provinces are blue-ish (blue > red), positive ones red-ish
    for code, v in vals.items():
        r, _, b, _ = m.colours[code]
        if v < -0.5:
            assert b > r
        if v > 0.5:
            assert r > b
    forced = tile_map(_values(), tmp_path / "f.png", "x", "en", diverging=True)
    assert forced.palette == DIVERGING_PALETTE


def test_bad_input_raises(tmp_path):
    with pytest.raises(InputError, match="scheme"):
        tile_map(_values(), tmp_path / "m.png", "x", scheme="jenks")
    with pytest.raises(InputError, match="breaks"):
        tile_map(_values(), tmp_path / "m.png", "x", scheme="user")


@pytest.mark.skipif(importlib.util.find_spec("geopandas") is not None, reason="geopandas is installed")
def test_boundary_map_names_the_extra(tmp_path):
    from exportlens.report.maps import boundary_map

    with pytest.raises(MissingDependencyError, match=r"exportlens\[maps\]"):
        boundary_map(_values(), tmp_path / "x.geojson", tmp_path / "m.png", "x", key_column="name")


@pytest.mark.skipif(importlib.util.find_spec("geopandas") is None, reason="geopandas not installed (maps extra)")
def test_boundary_map_from_geojson(tmp_path):
    import json

    from exportlens.report.maps import boundary_map

    def square(x, y):
        return {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}

    names = ["北京市", "上海市", "广东省"]
    features = [{"type": "Feature", "properties": {"name": n}, "geometry": square(i, 0)} for i, n in enumerate(names)]
    geojson = tmp_path / "provinces.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
    out = boundary_map({"北京": -1.0, "上海": 0.5, "广东": 2.0}, geojson, tmp_path / "b.png", "SL", "zh",
                       key_column="name", scheme="user", breaks=[0.0, 1.0, 2.0])
    assert out.stat().st_size > 0
    with pytest.raises(InputError, match="Column 'code'"):
        boundary_map({"北京": 1.0}, geojson, tmp_path / "c.png", "x", key_column="code")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("k", [2, 3, 5, 7])
def test_numpy_quantiles_and_user_classes_are_mapclassify_exactly(seed, k):
    """Quantile and user classes (computed with numpy, no mapclassify import) are bit-equal to
    mapclassify's, also with ties, signed values and few provinces."""
    rng = np.random.default_rng(seed)
    n = [31, 31, 5, 12, 31, 3][seed]
    y = rng.normal(0.0, 1.0, n) if seed % 2 else rng.gamma(2.0, 1.0, n)
    if seed == 4:
        y = np.round(y, 0)  # many ties: fewer classes than k
    kk = min(k, len(np.unique(y)))
    ours = classify_values(y, scheme="quantiles", k=k)
    theirs = mapclassify.Quantiles(y, k=kk)
    assert list(ours.bins) == theirs.bins.tolist()
    assert list(ours.labels) == theirs.yb.tolist()
    breaks = sorted(rng.choice(y, size=min(k, n) - 1, replace=False).tolist()) or [float(np.median(y))]
    ours_u = classify_values(y, scheme="user", breaks=breaks)
    theirs_u = mapclassify.UserDefined(y, breaks)
    assert list(ours_u.bins) == theirs_u.bins.tolist()
    assert list(ours_u.labels) == theirs_u.yb.tolist()
