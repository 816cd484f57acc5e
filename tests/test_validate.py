"""Panel validation: every problem kind detected and listed, nothing dropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exportlens.data import ValidationReport, check_panel, read_nbs, validate_panel
from exportlens.errors import MissingColumnError, ValidationError


def _balanced() -> pd.DataFrame:
    rows = [
        {"province": p, "year": y, "exports": float(i * 10 + k), "fdi": float(k)}
        for i, p in enumerate(["北京市", "天津市", "河北省"])
        for k, y in enumerate([2018, 2019, 2020])
    ]
    return pd.DataFrame(rows)


def test_balanced_panel_is_clean():
    df = _balanced()
    report = validate_panel(df, entity="province", time="year", resolve_entities="province")
    assert isinstance(report, ValidationReport)
    assert (report.n_rows, report.n_entities, report.n_periods) == (9, 3, 3)
    assert report.balanced and not report.blocking and report.issues == []
    assert report.duplicates.empty and report.non_numeric.empty and report.gaps.empty
    assert report.unknown_entities == []
    assert report.missing["n_missing"].tolist() == [0, 0]
    assert list(report.missing.index) == ["exports", "fdi"]
    assert report.to_frame().empty and "No problems found" in report.summary()
    assert check_panel(df, entity="province", time="year") is not None


def test_duplicates_all_listed_with_rows():
    df = pd.concat([_balanced(), _balanced().iloc[[0, 0, 4]]], ignore_index=True)
    report = validate_panel(df, entity="province", time="year")
    assert report.blocking
    d = report.duplicates
    assert list(d.columns) == ["row", "province", "year", "n_copies"]
    assert d["row"].tolist() == [0, 9, 10, 4, 11]  # every copy, grouped by key
    assert d["n_copies"].tolist() == [3, 3, 3, 2, 2]
    issue = report.to_frame().query("kind == 'duplicate'")["detail"].item()
    assert "rows [0, 9, 10]" in issue and "rows [4, 11]" in issue
    assert report.n_rows == 12  # nothing dropped


def test_spellings_of_one_province_are_duplicates_when_resolving():
    df = pd.DataFrame(
        {"p": ["北京", "北京市", "Beijing"], "year": [2020, 2020, 2021], "v": [1, 2, 3]}
    )
    assert not validate_panel(df, entity="p", time="year").blocking
    report = validate_panel(df, entity="p", time="year", resolve_entities="province")
    assert report.duplicates["row"].tolist() == [0, 1] and report.n_entities == 1


def test_unknown_entities_with_candidates():
    df = _balanced()
    df.loc[1, "province"] = "天金"
    df.loc[2, "province"] = "全国"
    df.loc[3, "province"] = "Atlantis"
    report = validate_panel(df, entity="province", time="year", resolve_entities="province")
    assert report.blocking
    unknown = dict(report.unknown_entities)
    assert set(unknown) == {"天金", "全国", "Atlantis"}
    assert any("天津市" in c for c in unknown["天金"])
    detail = report.to_frame().query("kind == 'unknown_entity'")["detail"].item()
    assert "'天金' (rows 1; closest: 天津市" in detail and "national-total" in detail
    # without resolution the same names are just entities
    assert validate_panel(df, entity="province", time="year").unknown_entities == []


def test_non_numeric_cells_listed_with_row_and_column():
    df = _balanced().astype({"exports": object, "fdi": object})
    df.loc[2, "exports"] = "1,234"
    df.loc[5, "exports"] = "—"
    df.loc[7, "fdi"] = "n/a"
    df.loc[8, "fdi"] = "3.5"  # a number stored as text is fine
    report = validate_panel(df, entity="province", time="year")
    assert report.blocking
    nn = report.non_numeric
    assert nn.values.tolist() == [[2, "exports", "1,234"], [5, "exports", "—"], [7, "fdi", "n/a"]]
    detail = report.to_frame().query("kind == 'non_numeric'")["detail"].item()
    assert "row 2, column 'exports': '1,234'" in detail and "thousands separator" in detail
    assert validate_panel(df, entity="province", time="year", numeric=False).non_numeric.empty
    assert df.loc[2, "exports"] == "1,234"  # untouched


def test_non_numeric_listing_capped_in_message_but_complete_in_frame():
    df = pd.DataFrame(
        {"p": ["北京市"] * 30, "year": range(1990, 2020), "v": [f"x{i}" for i in range(30)]}
    )
    report = validate_panel(df, entity="p", time="year")
    assert len(report.non_numeric) == 30
    detail = report.to_frame().query("kind == 'non_numeric'")["detail"].item()
    assert "and 20 more" in detail and "x29" not in detail


def test_string_dtype_numbers_as_text_warns():
    df = _balanced().astype({"fdi": "string"})
    report = validate_panel(df, entity="province", time="year")
    assert not report.blocking and report.non_numeric.empty
    assert "numbers_as_text" in report.to_frame()["kind"].tolist()


def test_gaps_and_missing_are_warnings_unless_balanced_required():
    df = _balanced().drop(index=[1, 5, 8])
    df.loc[0, "exports"] = np.nan
    report = validate_panel(df, entity="province", time="year")
    assert not report.balanced and not report.blocking
    gaps = report.gaps.set_index("province")
    assert gaps.loc["北京市", "missing_periods"] == [2019]
    assert gaps.loc["天津市", "missing_periods"] == [2020]
    assert gaps.loc["河北省", "missing_periods"] == [2020]
    assert gaps["n_missing"].tolist() == [1, 1, 1]
    assert report.missing.loc["exports", "n_missing"] == 1
    assert report.missing.loc["exports", "share"] == pytest.approx(1 / 6)
    kinds = report.to_frame().set_index("kind")["severity"]
    assert kinds["gap"] == "warning" and kinds["missing"] == "warning"
    strict = validate_panel(df, entity="province", time="year", require_balanced=True)
    assert strict.blocking
    assert strict.to_frame().set_index("kind")["severity"]["gap"] == "error"


def test_missing_keys_are_blocking():
    df = _balanced()
    df.loc[4, "year"] = np.nan
    report = validate_panel(df, entity="province", time="year")
    assert report.blocking and report.missing_keys["row"].tolist() == [4]


def test_check_panel_raises_with_report():
    df = pd.concat([_balanced(), _balanced().iloc[[3]]], ignore_index=True)
    with pytest.raises(ValidationError) as e:
        check_panel(df, entity="province", time="year")
    report = e.value.report
    assert isinstance(report, ValidationReport) and report.blocking
    assert report.duplicates["row"].tolist() == [3, 9]
    assert "occur more than once" in str(e.value)
    with pytest.raises(ValidationError):
        report.raise_if_blocking()
    assert "1 blocking problem" in report.summary()


def test_missing_columns_and_non_unique_index():
    with pytest.raises(MissingColumnError, match="Available columns"):
        validate_panel(_balanced(), entity="prov", time="year")
    df = _balanced().astype({"exports": object})
    df.index = [7] * len(df)  # row labels as given are reported, positions used inside
    df.iloc[2, 2] = "bad"
    report = validate_panel(df, entity="province", time="year")
    assert report.non_numeric.values.tolist() == [[7, "exports", "bad"]]


def test_stacked_nbs_by_indicator(shared_data: Path):
    path = shared_data / "nbs" / "urban_unit_employment_2006_2025.csv"
    frame = read_nbs(path).to_frame()
    report = validate_panel(
        frame,
        entity="province",
        time="year",
        variables=["value"],
        by="indicator",
        resolve_entities="province",
    )
    assert not report.blocking and report.balanced
    assert (report.n_entities, report.n_periods) == (31, 20)
    assert report.missing.loc["value", "n_missing"] == 93
    doubled = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    rep2 = validate_panel(
        doubled, entity="province", time="year", variables=["value"], by="indicator"
    )
    assert list(rep2.duplicates.columns) == ["row", "indicator", "province", "year", "n_copies"]
    assert rep2.duplicates["row"].tolist() == [0, len(frame)]


def test_text_label_column_of_the_entity_is_not_blocking():
    """province_en (one English name per province) describes the entity: listed, not blocking (issue 11)."""
    df = pd.DataFrame({"province": ["北京市"] * 3 + ["天津市"] * 3, "year": [2001, 2002, 2003] * 2,
                       "province_en": ["Beijing"] * 3 + ["Tianjin"] * 3, "v": [1.0, 2, 3, 4, 5, 6]})
    report = validate_panel(df, entity="province", time="year")
    assert not report.blocking
    assert "province_en" in report.to_frame().query("kind == 'label_columns'")["detail"].item()
    df.loc[1, "province_en"] = "Peking"  # varies within a province: a variable of text, blocking
    assert validate_panel(df, entity="province", time="year").blocking
