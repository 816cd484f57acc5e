"""Province registry: every province reachable from each naming style; groupings; distances."""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exportlens.errors import AmbiguousRegionError, InputError, UnknownRegionError
from exportlens.regions import (
    assign_group,
    distance_matrix,
    grouping,
    haversine_km,
    internal_distance,
    list_groupings,
    province_codes,
    provinces,
    registry_frame,
    resolve_province,
    resolve_provinces,
)
from exportlens.regions._table import TRADITIONAL_TO_SIMPLIFIED

ALL = provinces(include_non_mainland=True)
SIMPLIFIED_TO_TRADITIONAL = {v: k for k, v in TRADITIONAL_TO_SIMPLIFIED.items()}


def _traditional(text: str) -> str:
    return "".join(SIMPLIFIED_TO_TRADITIONAL.get(ch, ch) for ch in text)


def test_registry_sizes_and_codes():
    assert len(provinces()) == 31
    assert len(ALL) == 34
    assert {p.code for p in ALL} - {p.code for p in provinces()} == {710000, 810000, 820000}
    assert all(p.code % 10000 == 0 for p in ALL)
    frame = registry_frame()
    assert frame.shape[0] == 31 and frame.index.is_unique


@pytest.mark.parametrize("style", ["code_int", "code_str", "prefix", "name_zh", "short_zh", "traditional",
                                   "name_en", "pinyin", "english_upper", "padded", "abbreviation", "code12"])
def test_every_province_reachable_from_each_style(style):
    for p in ALL:
        value = {
            "code_int": p.code,
            "code_str": str(p.code),
            "prefix": str(p.code // 10000),
            "name_zh": p.name_zh,
            "short_zh": p.short_zh,
            "traditional": _traditional(p.name_zh),
            "name_en": p.name_en,
            "pinyin": p.pinyin,
            "english_upper": f"  {p.name_en.upper()} ",
            "padded": f"\u3000{p.name_zh}\t,",
            "abbreviation": p.abbreviation,
            "code12": str(p.code) + "000000",
        }[style]
        assert resolve_province(value).code == p.code, (style, value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("內蒙古", 150000), ("廣東省", 440000), ("陝西", 610000), ("Inner Mongolia", 150000),
        ("Nei Mongol", 150000), ("Guangxi Zhuang Autonomous Region", 450000), ("Shaanxi", 610000),
        ("Shanxi", 140000), ("Shanxi Province", 140000), ("Xinjiang Uyghur Autonomous Region", 650000),
        ("Tibet", 540000), ("Xizang", 540000), ("Macau", 820000), ("Hong Kong SAR", 810000),
        ("广西自治区", 450000), ("寧夏回族自治區", 600000 + 40000), ("Xi'an", None), ("Shǎnxī", 610000),
        ("Shānxī", 140000), (440000.0, 440000), (np.int64(310000), 310000), ("Beijing Municipality", 110000),
    ],
)
def test_variants(value, code):
    if code is None:
        with pytest.raises(UnknownRegionError):
            resolve_province(value)
    else:
        assert resolve_province(value).code == code


def test_unknown_names_the_input_and_candidates():
    with pytest.raises(UnknownRegionError) as exc:
        resolve_province("Guangdon")
    msg = str(exc.value)
    assert "'Guangdon'" in msg and "广东省" in msg and "Guangdong" in msg


def test_ambiguous_tone_marks():
    with pytest.raises(AmbiguousRegionError) as exc:
        resolve_province("Shánxi")
    assert "山西" in str(exc.value) and "陕西" in str(exc.value)


@pytest.mark.parametrize("bad", [None, float("nan"), "", "   ", 999999, "12345", 1.5, True])
def test_bad_scalars(bad):
    with pytest.raises(UnknownRegionError):
        resolve_province(bad)


def test_vectorised_keeps_index_and_reports_all_unknowns():
    s = pd.Series(["北京", "Tianjin", "河北省", "北京市"], index=[10, 11, 12, 13], name="prov")
    out = resolve_provinces(s)
    assert out.tolist() == [110000, 120000, 130000, 110000]
    assert list(out.index) == [10, 11, 12, 13] and out.name == "prov"
    assert resolve_provinces(s, to="name_en").tolist() == ["Beijing", "Tianjin", "Hebei", "Beijing"]
    with pytest.raises(UnknownRegionError) as exc:
        resolve_provinces(["北京", "Bejing", "Atlantis", "Bejing"])
    msg = str(exc.value)
    assert "2 unrecognised" in msg and "Bejing" in msg and "Atlantis" in msg and "rows [1, 3]" in msg
    coerced = resolve_provinces(["北京", "Atlantis"], errors="coerce")
    assert coerced.isna().tolist() == [False, True]
    with pytest.raises(UnknownRegionError, match="outside the 31 mainland"):
        resolve_provinces(["Hong Kong"], allow_non_mainland=False)


def test_groupings_partition_the_31_provinces():
    mainland = set(province_codes())
    sizes = {"nbs4": [10, 6, 12, 3], "belts3": [11, 8, 12], "drc8": [3, 4, 3, 3, 4, 4, 5, 5], "coastal": [11, 20]}
    for g in list_groupings():
        members = [c for k in g.order for c in g.members[k]]
        assert sorted(members) == sorted(mainland), g.name
        assert [len(g.members[k]) for k in g.order] == sizes[g.name]
        assert g.reference
    assert assign_group(["广东", "Shanxi", "Liaoning", "Xinjiang"], "nbs4").tolist() == ["east", "central", "northeast", "west"]
    assert assign_group(["吉林"], "belts3", lang="zh").tolist() == ["中部"]
    assert assign_group(["Chongqing"], "drc8", lang="en").tolist() == ["Southwest"]
    with pytest.raises(InputError, match="does not classify"):
        assign_group(["Hong Kong"], "nbs4")
    with pytest.raises(InputError, match="Unknown grouping"):
        grouping("nbs5")


def test_haversine_known_values():
    # Quarter of a great circle: pole to equator.
    assert haversine_km(90, 0, 0, 0) == pytest.approx(math.pi / 2 * 6371.0088)
    # Beijing-Shanghai capitals, about 1,067 km by great circle.
    assert haversine_km(39.904, 116.407, 31.230, 121.474) == pytest.approx(1067, abs=5)


def test_distance_matrix_units_and_symmetry():
    km = distance_matrix(unit="km")
    assert km.shape == (31, 31)
    assert np.allclose(km.to_numpy(), km.to_numpy().T) and np.all(np.diag(km) == 0)
    assert np.allclose(distance_matrix(unit="100km").to_numpy() * 100, km.to_numpy())
    assert np.allclose(distance_matrix(unit="1000km").to_numpy() * 1000, km.to_numpy())
    sub = distance_matrix(["北京", "Shanghai"], unit="km", labels="short_zh")
    assert list(sub.index) == ["北京", "上海"]
    with pytest.raises(TypeError):
        distance_matrix()  # the unit must be explicit
    with pytest.raises(InputError, match="Unknown distance unit"):
        distance_matrix(unit="miles")
    d = internal_distance(["北京"], unit="km").iloc[0]
    assert d == pytest.approx(2 / 3 * math.sqrt(16400 / math.pi))


def _shared() -> Path:
    env = os.environ.get("EXPORTLENS_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "data"


def test_capitals_agree_with_public_coordinates():
    path = _shared() / "provinces" / "capitals_lonlat_pyecharts.csv"
    if not path.exists():
        pytest.skip(f"{path} absent (shared data lives outside the repository)")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 31
    for row in rows:
        p = resolve_province(row["province"])
        gap = haversine_km(p.capital_lat, p.capital_lon, float(row["lat"]), float(row["lon"]))
        # Web-map coordinates are rounded and sometimes offset (GCJ-02); pyecharts puts
        # Lhasa at 29.97 N, 0.3 degrees north of the city (29.65 N): 36 km. 40 km is still far
        # below the spacing of provincial capitals (the closest pair is 114 km apart).
        assert gap < 40, (row["province"], float(gap))
