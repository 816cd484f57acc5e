"""Tests of declarative indicator systems (exportlens.measures.indicators)."""

from __future__ import annotations

import tomllib

import pytest
import yaml

from exportlens.errors import StudySpecError
from exportlens.measures.indicators import IndicatorSystem, IndicatorSystemError, builtin_systems

TOY = {
    "name": "toy",
    "title_en": "Toy system",
    "dimensions": [
        {"code": "trade", "name_zh": "贸易", "name_en": "Trade", "indicators": [
            {"code": "x", "name_en": "Exports", "direction": "benefit", "unit": "USD", "source": "customs"},
            {"code": "t", "name_en": "Tariff", "direction": "负向"},
        ]},
        {"code": "people", "name_en": "People"},
    ],
    "indicators": [{"code": "v", "dimension": "people", "direction": "+"}],
}


def test_builtin_belt_and_road_system():
    s = IndicatorSystem.builtin("belt_and_road_linkage")
    assert "belt_and_road_linkage" in builtin_systems()
    assert s.dimension_codes == ["economy", "goods", "capital", "people", "ict"]
    assert len(s.codes) == 16
    assert list(s.indicators.columns[:7]) == ["code", "name_zh", "name_en", "dimension", "direction",
                                              "unit", "source"]
    named = {"exports", "imports", "rail_trips", "fdi", "visitors", "flights", "idi", "lpi"}
    assert named <= set(s.codes)
    # the named indicators are not marked as filled in; the others are, with a note
    filled = set(s.indicators.loc[s.indicators["filled"], "code"])
    assert filled == set(s.codes) - named
    assert s.directions()["inflation"] == "cost"
    assert sum(d == "benefit" for d in s.directions().values()) == 15
    assert s.members("goods") == ["exports", "imports", "rail_trips"]
    assert s.label("goods", "zh") == "货物流" and s.label("lpi", "en") == "Logistics Performance Index"
    assert s.notes and "filled" in s.notes[0]
    assert all(s.indicators["unit"]) and all(s.indicators["source"])


def test_from_dict_nested_and_flat_forms():
    s = IndicatorSystem.from_dict(TOY)
    assert s.codes == ["x", "t", "v"]  # grouped by dimension, in order
    assert s.directions() == {"x": "benefit", "t": "cost", "v": "benefit"}
    assert s.dimension_of()["v"] == "people"
    assert s.dimensions.loc["people", "name_zh"] == "People"  # falls back to the other language
    assert s.title("en") == "Toy system"
    assert "trade (Trade): x [+], t [-]" in s.summary()
    frame = s.to_frame("zh")
    assert frame.loc[0, "dimension_name"] == "贸易"


def test_round_trips_toml_yaml(tmp_path):
    s = IndicatorSystem.builtin()
    again = IndicatorSystem.from_dict(tomllib.loads(s.to_toml()))
    assert again.indicators.equals(s.indicators) and again.dimensions.equals(s.dimensions)
    path = tmp_path / "system.toml"
    path.write_text(s.to_toml(), encoding="utf-8")
    assert IndicatorSystem.from_toml(path).indicators.equals(s.indicators)
    ypath = tmp_path / "system.yaml"
    ypath.write_text(yaml.safe_dump(TOY, allow_unicode=True), encoding="utf-8")
    y = IndicatorSystem.from_file(ypath)
    assert y.codes == ["x", "t", "v"] and y.name == "toy"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, r"Unknown key\(s\) \['colour'\]"),
        ({"dimensions": []}, "non-empty 'dimensions'"),
        ({"indicators": [{"code": "x", "dimension": "people", "direction": "+"}]}, r"Duplicated indicator code\(s\): \['x'\]"),
        ({"indicators": [{"code": "w", "dimension": "nowhere", "direction": "+"}]}, "unknown dimension"),
        ({"indicators": [{"code": "w", "dimension": "people", "direction": "up"}]}, "Unknown direction 'up' of indicator 'w'"),
        ({"indicators": [{"code": "w", "dimension": "people", "direction": "+", "weight": 2}]}, r"Unknown key\(s\) \['weight'\]"),
        ({"indicators": []}, r"Dimension\(s\) without indicators: \['people'\]"),
        ({"indicators": [{"dimension": "people", "direction": "+"}]}, "'code' is required"),
    ],
)
def test_invalid_systems(change, message):
    raw = {**TOY, **change}
    with pytest.raises(IndicatorSystemError, match=message):
        IndicatorSystem.from_dict(raw)


def test_file_errors(tmp_path):
    with pytest.raises(StudySpecError, match="not found"):
        IndicatorSystem.from_toml(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("name = ", encoding="utf-8")
    with pytest.raises(IndicatorSystemError, match="invalid TOML"):
        IndicatorSystem.from_toml(bad)
    with pytest.raises(IndicatorSystemError, match=r"\.toml, \.yaml"):
        IndicatorSystem.from_file(tmp_path / "system.json")
    with pytest.raises(IndicatorSystemError, match="Unknown built-in"):
        IndicatorSystem.builtin("nope")
