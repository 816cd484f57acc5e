"""The synergy study's D band convention (issue 12): left-closed [0.5, 0.6) by default,
right-closed (0.5, 0.6] as a study-file option, stated in the table notes; tests at the edges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exportlens.datasets.demo_synergy import synergy_demo_panel
from exportlens.errors import InputError, StudySpecError
from exportlens.measures.coupling import (
    COORDINATION_BANDS_RIGHT,
    classify_coordination,
    coordination_bands,
    coupling_coordination,
)
from exportlens.studies.synergy import SynergyStudySpec, run_synergy_study

EDGES = [round(k / 10, 1) for k in range(11)]


def test_band_edges_left_closed():
    # [0.5, 0.6) = 勉强协调 (level 6): an edge belongs to the band above it; D = 1 to the last band
    levels = classify_coordination(np.array(EDGES))
    assert levels.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]
    assert classify_coordination(0.5, "zh") == "勉强协调"
    assert classify_coordination(0.6 - 1e-12) == 7  # 0.6 computed in floating point is on the edge
    assert classify_coordination(0.6 - 1e-6) == 6


def test_band_edges_right_closed():
    # (0.5, 0.6] = 勉强协调 (level 6): an edge belongs to the band below it; D = 0 to the first band
    levels = classify_coordination(np.array(EDGES), bands="right")
    assert levels.tolist() == [1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert classify_coordination(0.5, "zh", bands="right") == "濒临失调"
    assert classify_coordination(0.6, "zh", bands="right") == "勉强协调"
    assert classify_coordination(0.5 + 1e-12, bands="right") == 5
    assert classify_coordination(0.5 + 1e-6, bands="right") == 6
    assert [b.interval() for b in COORDINATION_BANDS_RIGHT[:2]] == ["[0, 0.1]", "(0.1, 0.2]"]
    assert coordination_bands("left")[5].interval() == "[0.5, 0.6)"
    assert coordination_bands("right")[5].interval() == "(0.5, 0.6]"
    # every value falls in exactly the band the Band objects say it does
    for v in np.linspace(0, 1, 101):
        for conv in ("left", "right"):
            table = coordination_bands(conv)
            inside = [b.level for b in table if b.contains(round(float(v), 10))]
            assert inside == [classify_coordination(round(float(v), 10), bands=conv)]
    with pytest.raises(InputError, match="'left'"):
        coordination_bands("middle")  # type: ignore[arg-type]


def test_coupling_coordination_at_the_edge():
    # U1 = U2 = 0.25: C = 1, T = 0.25, D = 0.5 exactly; U1 = U2 = 0.36: D = 0.6
    frame = pd.DataFrame({"u1": [0.25, 0.36], "u2": [0.25, 0.36]})
    left = coupling_coordination(frame, ["u1", "u2"])
    right = coupling_coordination(frame, ["u1", "u2"], bands="right")
    assert left.values["D"].tolist() == [0.5, 0.6]
    assert left.values["band_zh"].tolist() == ["勉强协调", "初级协调"]
    assert right.values["band_zh"].tolist() == ["濒临失调", "勉强协调"]
    assert "(0.5, 0.6]" in right.summary() or "(0.4, 0.5]" in right.summary()


def test_study_file_option_and_table_notes():
    panel = synergy_demo_panel()
    default = run_synergy_study(panel, SynergyStudySpec())
    right = run_synergy_study(panel, SynergyStudySpec(bands="right"))
    zh_l, zh_r = default.tables("zh"), right.tables("zh")
    assert any("左闭右开" in n for n in zh_l["table2"].notes)
    assert any("左开右闭" in n and "(0.5, 0.6]" in n for n in zh_r["table2"].notes)
    assert any("closed on the right" in n for n in right.tables("en")["table5"].notes)
    # D is the same; only observations on an edge can change band
    np.testing.assert_allclose(default.panel["D"], right.panel["D"])
    d = default.panel["D"].to_numpy()
    on_edge = np.isclose(d * 10, np.round(d * 10), atol=1e-8)
    assert (default.panel["band"].to_numpy()[~on_edge] == right.panel["band"].to_numpy()[~on_edge]).all()
    with pytest.raises(StudySpecError):
        SynergyStudySpec.from_dict({"coupling": {"bands": "both"}})
