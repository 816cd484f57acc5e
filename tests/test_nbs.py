"""NBS '分省年度数据' reader: every real download variant, malformed files, helpers."""

from __future__ import annotations

import hashlib
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exportlens.data import NBSTable, NBSUnknownRegionError, read_nbs, read_nbs_many
from exportlens.data.nbs import LONG_COLUMNS, detect_encoding, split_indicator_unit
from exportlens.errors import DataFormatError, InputError, UnknownRegionError

NO_INDICATOR_LINE = {"local_fiscal_revenue_2016_2024_utf8bom", "retail_sales_2016_2024_utf8bom"}


def _read_quiet(path: Path) -> NBSTable:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return read_nbs(path)


def _naive_cells(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Independent, simple parse of a raw NBS file: header labels and cells per region."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gb18030")
    lines = [ln.replace("\t", "") for ln in text.splitlines()]
    head = next(i for i, ln in enumerate(lines) if ln.startswith("地区,"))
    labels = [c.strip() for c in lines[head].split(",")[1:] if c.strip()]
    rows = {}
    for ln in lines[head + 1 :]:
        if ln.startswith(('"注', "注", "数据来源", "\u3000")) or not ln.strip():
            break
        cells = [c.strip() for c in ln.split(",")]
        rows[cells[0]] = cells[1 : len(labels) + 1]
    return labels, rows


@pytest.fixture(scope="module")
def nbs_dir(shared_data: Path) -> Path:
    folder = shared_data / "nbs"
    if not folder.is_dir():
        pytest.skip("../shared/data/nbs not present")
    return folder


def _value(table: NBSTable, province: str, year: int, indicator: str | None = None) -> float:
    d = table.data
    sel = (d["province"] == province) & (d["year"] == year)
    if indicator is not None:
        sel &= d["indicator"] == indicator
    out = d.loc[sel, "value"]
    assert len(out) == 1, f"{province} {year} {indicator}: {len(out)} rows"
    return float(out.iloc[0])


# --- every real file ------------------------------------------------------------------


def test_every_real_file_matches_an_independent_parse(nbs_dir: Path):
    files = sorted(nbs_dir.glob("*.csv"))
    assert len(files) >= 7
    for path in files:
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        table = _read_quiet(path)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # never modified
        labels, rows = _naive_cells(path)
        d = table.data
        assert list(d.columns) == LONG_COLUMNS
        assert str(d["code"].dtype) == "Int64" and str(d["year"].dtype) == "Int64"
        assert d["value"].dtype == np.float64
        assert d["code"].nunique() == 31 == len(rows), path.name
        assert d["province"].nunique() == 31
        assert len(d) == 31 * len(labels)
        n_empty = sum(c == "" for cells in rows.values() for c in cells)
        assert table.n_missing == n_empty == int(d["value"].isna().sum()), path.name
        assert table.database == "分省年度数据"
        assert table.national.empty and list(table.national.columns) == LONG_COLUMNS
        assert table.footnotes and table.footnotes[0].startswith("注")
        assert table.footnotes[-1] == "数据来源：国家统计局"
        # every non-empty raw cell equals the parsed value
        wide = table.wide()
        for region, cells in rows.items():
            for label, cell in zip(labels, cells, strict=True):
                col = (
                    int(label[:4])
                    if table.orientation == "years"
                    else split_indicator_unit(label)[0]
                )
                got = wide.loc[region, col]
                assert math.isnan(got) if cell == "" else got == float(cell), (
                    path.name,
                    region,
                    label,
                )


def test_gdp_2006_2024(nbs_dir: Path):
    t = read_nbs(nbs_dir / "gdp_2006_2024.csv")
    assert t.encoding == "gb18030"
    assert (t.indicator, t.unit, t.time_label) == ("地区生产总值", "亿元", "最近20年")
    assert _value(t, "北京市", 2024) == 49670.2
    assert _value(t, "新疆维吾尔自治区", 2006) == 2984.5
    assert t.years == list(range(2006, 2025))
    assert t.n_missing == 0 and len(t.data) == 31 * 19
    assert set(t.data["unit"]) == {"亿元"}
    assert t.data["code"].iloc[0] == 110000
    assert len(t.footnotes) == 2 and "第五次全国经济普查" in t.footnotes[0]
    assert "31 provinces x 19 years" in t.summary()


def test_gdp_1993_2017_quoted_footnote(nbs_dir: Path):
    t = read_nbs(nbs_dir / "gdp_1993_2017.csv")
    assert _value(t, "北京市", 2017) == 28014.94
    assert _value(t, "新疆维吾尔自治区", 1993) == 495.25
    assert t.time_label == "1993-2017" and t.years == list(range(1993, 2018))
    note = t.footnotes[0]
    assert note.startswith("注：本表按当年价格计算") and not note.startswith('"')
    assert "（GB/T4754-2002）,三次产业" in note and not note.endswith('"')


def test_cross_section_2020(nbs_dir: Path):
    t = read_nbs(nbs_dir / "cross_section_2020_gdp_by_sector_utf8bom.csv")
    assert t.encoding == "utf-8-sig" and t.orientation == "indicators"
    assert t.indicator is None and t.time_label == "2020年"
    assert _value(t, "北京市", 2020, "地区生产总值") == 38503.6
    assert _value(t, "北京市", 2020, "人均地区生产总值") == 175856
    assert _value(t, "新疆维吾尔自治区", 2020, "第三产业增加值") == 7482.4
    assert t.units["人均地区生产总值"] == "元/人" and t.units["地区生产总值"] == "亿元"
    assert len(t.indicators) == 14 and t.indicators[0] == "地区生产总值"
    assert set(t.data["year"]) == {2020}
    row = t.data[(t.data["province"] == "北京市") & (t.data["indicator"] == "人均地区生产总值")]
    assert row["unit"].iloc[0] == "元/人"
    wide = t.wide()
    assert wide.shape == (31, 14) and list(wide.columns) == t.indicators
    assert wide.loc["北京市", "地区生产总值"] == 38503.6


def test_urban_unit_employment_missing_kept(nbs_dir: Path):
    t = read_nbs(nbs_dir / "urban_unit_employment_2006_2025.csv")
    assert (t.indicator, t.unit) == ("城镇单位就业人员", "万人")
    assert _value(t, "北京市", 2024) == 763.6
    assert math.isnan(_value(t, "北京市", 2006))  # empty cell kept as a NaN row
    assert math.isnan(_value(t, "北京市", 2025))
    assert t.n_missing == 93 and len(t.data) == 31 * 20
    assert t.footnotes[1] == "2.城镇单位数据不含私营单位。"  # full-width indent stripped
    assert len(t.footnotes) == 4
    assert "93 missing" in t.summary()


def test_population_nested_parentheses(nbs_dir: Path):
    t = read_nbs(nbs_dir / "population_sample_survey_2006_2025.csv")
    assert (t.indicator, t.unit) == ("人口数(人口抽样调查)", "人")
    assert _value(t, "北京市", 2015) == 335775
    assert _value(t, "西藏自治区", 2006) == 2574
    assert math.isnan(_value(t, "北京市", 2020))
    assert t.n_missing == 93
    assert t.footnotes[1].startswith("2.由于采用加权汇总的方法")


def test_utf8bom_tab_comma_without_indicator_line(nbs_dir: Path):
    path = nbs_dir / "retail_sales_2016_2024_utf8bom.csv"
    with pytest.warns(UserWarning, match="no 指标"):
        t = read_nbs(path)
    assert t.indicator == path.stem and t.unit is None and t.time_label is None
    assert t.data["unit"].isna().all()
    assert _value(t, "北京市", 2024) == 14092.4
    assert _value(t, "新疆维吾尔自治区", 2016) == 3005.2
    assert t.n_missing == 31 and len(t.footnotes) == 4
    assert t.footnotes[2] == "3. 社会消费品零售总额1992年以前为社会商品零售总额。"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        named = read_nbs(
            nbs_dir / "local_fiscal_revenue_2016_2024_utf8bom.csv",
            indicator="地方财政一般预算收入",
            unit="亿元",
        )
    assert (named.indicator, named.unit) == ("地方财政一般预算收入", "亿元")
    assert set(named.data["indicator"]) == {"地方财政一般预算收入"}
    assert _value(named, "北京市", 2024) == 6372.68
    assert _value(named, "新疆维吾尔自治区", 2016) == 1298.95


def test_read_nbs_many(nbs_dir: Path):
    files = sorted(nbs_dir.glob("*.csv"))
    with pytest.warns(UserWarning, match="differ between files"):
        stacked = read_nbs_many(
            files,
            indicators={
                "retail_sales_2016_2024_utf8bom": ("社会消费品零售总额", "亿元"),
                "local_fiscal_revenue_2016_2024_utf8bom.csv": "地方财政一般预算收入",
            },
        )
    assert list(stacked.columns) == [*LONG_COLUMNS, "source"]
    assert len(stacked) == sum(len(_read_quiet(f).data) for f in files)
    assert {"社会消费品零售总额", "地方财政一般预算收入", "地区生产总值"} <= set(
        stacked["indicator"]
    )
    gdp17 = stacked[(stacked["source"] == "gdp_1993_2017.csv") & (stacked["year"] == 2017)]
    assert gdp17.loc[gdp17["province"] == "北京市", "value"].item() == 28014.94


# --- synthetic variants and malformed files (tmp_path) ---------------------------------

HEAD = "数据库：分省年度数据\n指标：地区生产总值(亿元)\n时间：最近3年\n"


def _write(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_national_row_kept_apart_gbk_crlf(tmp_path: Path):
    text = (
        HEAD + "地区,2024年,2023年\n全国,100,90\n北京市,1.5,\n天津,2,1\n"
        '"注：a, b"\n　　　2.续行\n数据来源：国家统计局\n'
    ).replace("\n", "\r\n")
    t = read_nbs(_write(tmp_path, text, encoding="gb18030"))
    assert t.encoding == "gb18030"
    assert len(t.data) == 4 and t.n_missing == 1
    assert list(t.data["province"].unique()) == ["北京市", "天津市"]
    assert len(t.national) == 2 and t.national["code"].isna().all()
    assert t.national.set_index("year")["value"].to_dict() == {2023: 90.0, 2024: 100.0}
    assert t.footnotes == ["注：a, b", "2.续行", "数据来源：国家统计局"]
    assert "national total row: yes" in t.summary()


def test_fullwidth_parentheses_tabs_and_explicit_override(tmp_path: Path):
    text = "数据库：分省年度数据\n指标：进出口总额（万美元）\n时间：\n地区\t2020年\t2019年\n北京市\t3\t4\n"
    t = read_nbs(_write(tmp_path, text))
    assert (t.indicator, t.unit, t.time_label) == ("进出口总额", "万美元", None)
    assert t.wide().loc["北京市"].tolist() == [4.0, 3.0]
    renamed = read_nbs(tmp_path / "t.csv", indicator="trade", unit="10k USD")
    assert (renamed.indicator, renamed.unit) == ("trade", "10k USD")


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("地区生产总值(亿元)", ("地区生产总值", "亿元")),
        ("地区生产总值 (亿元) ", ("地区生产总值", "亿元")),
        ("人均地区生产总值（元/人）", ("人均地区生产总值", "元/人")),
        ("人口数(人口抽样调查)(人)", ("人口数(人口抽样调查)", "人")),
        ("地区生产总值", ("地区生产总值", None)),
    ],
)
def test_split_indicator_unit(label: str, expected: tuple[str, str | None]):
    assert split_indicator_unit(label) == expected


def test_detect_encoding():
    assert detect_encoding("地区".encode("gbk")) == "gb18030"
    assert detect_encoding("地区".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + "地区".encode()) == "utf-8-sig"


def test_cross_section_year_from_argument(tmp_path: Path):
    text = "数据库：分省年度数据\n时间：最近1年\n地区,人口 (万人),GDP (亿元)\n北京市,2,3\n"
    path = _write(tmp_path, text)
    with pytest.raises(DataFormatError, match="pass year="):
        read_nbs(path)
    t = read_nbs(path, year=2021)
    assert t.data["year"].tolist() == [2021, 2021] and t.units == {"人口": "万人", "GDP": "亿元"}


def test_no_header_row(tmp_path: Path):
    path = _write(tmp_path, HEAD + "省份,2024年\n北京市,1\n")
    with pytest.raises(DataFormatError, match="expected a header row starting with 地区") as e:
        read_nbs(path)
    assert "t.csv" in str(e.value) and "省份,2024年" in str(e.value)


def test_non_numeric_cell_names_line_province_and_column(tmp_path: Path):
    path = _write(tmp_path, HEAD + "地区,2024年,2023年\n北京市,1,2\n天津市,3,1,234.5\n")
    with pytest.raises(DataFormatError, match="line 6"):  # too many cells
        read_nbs(path)
    path = _write(tmp_path, HEAD + "地区,2024年,2023年\n北京市,1,2\n天津市,3,n/a\n河北省,—,1\n")
    with pytest.raises(DataFormatError) as e:
        read_nbs(path)
    msg = str(e.value)
    assert "2 non-numeric" in msg
    assert "line 6, 天津市, column '2023年': 'n/a'" in msg
    assert "line 7, 河北省, column '2024年': '—'" in msg


def test_unknown_province_lists_candidates_with_line(tmp_path: Path):
    path = _write(tmp_path, HEAD + "地区,2024年\n北京市,1\n广栋省,2\n火星,3\n")
    with pytest.raises(NBSUnknownRegionError) as e:
        read_nbs(path)
    msg = str(e.value)
    assert isinstance(e.value, DataFormatError) and isinstance(e.value, UnknownRegionError)
    assert "2 row name(s)" in msg and "line 6" in msg and "广栋省" in msg and "广东省" in msg
    assert "line 7" in msg and "火星" in msg and "t.csv" in msg


def test_duplicate_province_and_short_row(tmp_path: Path):
    with pytest.raises(DataFormatError, match="repeats the province of line 5"):
        read_nbs(_write(tmp_path, HEAD + "地区,2024年\n北京市,1\n北京,2\n"))
    with pytest.raises(DataFormatError, match="only 2 cells"):
        read_nbs(_write(tmp_path, HEAD + "地区,2024年,2023年\n北京市,1\n"))


def test_empty_binary_and_no_data_rows(tmp_path: Path):
    with pytest.raises(DataFormatError, match="is empty"):
        read_nbs(_write(tmp_path, ""))
    with pytest.raises(DataFormatError, match="is empty"):
        read_nbs(_write(tmp_path, "\r\n \n"))
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DataFormatError, match="not a text"):
        read_nbs(tmp_path / "junk.csv")
    (tmp_path / "junk2.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x10\x11abc")
    with pytest.raises(DataFormatError, match="text"):
        read_nbs(tmp_path / "junk2.csv")
    (tmp_path / "book.csv").write_bytes(b"PK\x03\x04rest-of-a-zip")
    with pytest.raises(DataFormatError, match="xlsx"):
        read_nbs(tmp_path / "book.csv")
    path = _write(tmp_path, HEAD + "地区,2024年\n注：nothing\n数据来源：国家统计局\n")
    with pytest.raises(DataFormatError, match="no data rows"):
        read_nbs(path)
    with pytest.raises(InputError, match="not found"):
        read_nbs(tmp_path / "missing.csv")


def test_mixed_header_and_frame_dtypes(tmp_path: Path):
    with pytest.raises(DataFormatError, match="mixes year columns"):
        read_nbs(_write(tmp_path, HEAD + "地区,2024年,GDP\n北京市,1,2\n"))
    t = read_nbs(_write(tmp_path, HEAD + "地区,2024年\n北京市,1\n"))
    frame = t.to_frame()
    frame.loc[0, "value"] = 99.0
    assert t.data.loc[0, "value"] == 1.0  # to_frame returns a copy
    assert pd.api.types.is_string_dtype(t.data["province"])
