"""General panel loader: file formats, long and wide layouts, province resolution, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exportlens.data import load_panel
from exportlens.data.panel import parse_year
from exportlens.errors import DataFormatError, InputError, MissingColumnError, UnknownRegionError


@pytest.fixture()
def long_panel() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["北京", "北京", "Guangdong", "Guangdong", "內蒙古", "內蒙古"],
            "year": [2019, 2020, 2019, 2020, 2019, 2020],
            "exports": [1.5, 2.5, 10.0, np.nan, 0.3, 0.4],
            "fdi": [1, 2, 3, 4, 5, 6],
        }
    )


def _check_resolved_long(out: pd.DataFrame) -> None:
    assert list(out.columns[:2]) == ["code", "province"]
    assert str(out["code"].dtype) == "Int64" and str(out["year"].dtype) == "Int64"
    assert out["code"].tolist() == [110000, 110000, 440000, 440000, 150000, 150000]
    assert out["province"].tolist()[::2] == ["北京市", "广东省", "内蒙古自治区"]
    assert out["region"].tolist()[:3] == ["北京", "北京", "Guangdong"]  # original kept
    assert out["exports"].tolist()[:3] == [1.5, 2.5, 10.0] and np.isnan(out["exports"].iloc[3])


def test_long_dataframe(long_panel: pd.DataFrame):
    before = long_panel.copy()
    out = load_panel(long_panel, entity="region", time="year")
    assert list(out.columns) == ["code", "province", "region", "year", "exports", "fdi"]
    _check_resolved_long(out)
    pd.testing.assert_frame_equal(long_panel, before)  # input untouched
    raw = load_panel(long_panel, entity="region", time="year", resolve_entities=None)
    assert list(raw.columns) == ["region", "year", "exports", "fdi"]
    picked = load_panel(long_panel, entity="region", time="year", columns=["fdi"])
    assert list(picked.columns) == ["code", "province", "region", "year", "fdi"]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".dta", ".parquet"])
def test_file_round_trips(tmp_path: Path, long_panel: pd.DataFrame, suffix: str):
    path = tmp_path / f"panel{suffix}"
    if suffix == ".csv":
        long_panel.to_csv(path, index=False)
    elif suffix == ".tsv":
        long_panel.to_csv(path, index=False, sep="\t")
    elif suffix == ".xlsx":
        long_panel.to_excel(path, index=False, sheet_name="data")
    elif suffix == ".dta":
        long_panel.to_stata(path, write_index=False, version=118)
    else:
        long_panel.to_parquet(path, index=False)
    out = load_panel(
        path, entity="region", time="year", sheet="data" if suffix == ".xlsx" else None
    )
    _check_resolved_long(out)
    assert out["fdi"].tolist() == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path: Path, long_panel: pd.DataFrame, encoding: str):
    path = tmp_path / "p.csv"
    long_panel.to_csv(path, index=False, encoding=encoding)
    out = load_panel(path, entity="region", time="year")
    assert out["region"].iloc[4] == "內蒙古" and out["province"].iloc[4] == "内蒙古自治区"


def test_wide_entities_as_rows_nbs_style(tmp_path: Path):
    wide = pd.DataFrame({"地区": ["北京市", "天津市"], "2020年": [3.0, None], "2019年": [2.0, 5.0]})
    path = tmp_path / "wide.xlsx"
    wide.to_excel(path, index=False)
    out = load_panel(path, entity="地区", time="year", layout="wide", value_name="gdp")
    assert list(out.columns) == ["code", "province", "地区", "year", "gdp"]
    assert out["year"].tolist() == [2020, 2019, 2020, 2019]  # entity-major, column order
    assert str(out["year"].dtype) == "Int64"
    assert out["code"].tolist() == [110000, 110000, 120000, 120000]
    assert np.isnan(out["gdp"].iloc[2]) and out["gdp"].iloc[3] == 5.0  # missing kept
    renamed = load_panel(wide, entity="province", time="year", layout="wide")
    assert list(renamed.columns) == ["code", "province", "year", "value"]


def test_wide_entities_as_columns(tmp_path: Path):
    wide = pd.DataFrame({"年份": [2018, 2019], "北京": [1.0, 2.0], "上海": [3.0, 4.0]})
    out = load_panel(
        wide,
        entity="province",
        time="year",
        layout="wide",
        wide_entities="columns",
        value_name="x",
    )
    assert list(out.columns) == ["code", "province", "year", "x"]
    assert out["province"].tolist() == ["北京市", "北京市", "上海市", "上海市"]
    assert out["year"].tolist() == [2018, 2019, 2018, 2019] and out["x"].tolist() == [1, 2, 3, 4]
    path = tmp_path / "w.csv"
    wide.to_csv(path, index=False)
    raw = load_panel(
        path,
        entity="region",
        time="年份",
        layout="wide",
        wide_entities="columns",
        resolve_entities=None,
        columns=["上海"],
    )
    assert (
        list(raw.columns) == ["region", "年份", "value"] and raw["region"].tolist() == ["上海"] * 2
    )


def test_real_e8_workbook_wide(shared_data: Path):
    path = shared_data / "provinces" / "cnmoderndata" / "E8.xlsx"
    if not path.exists():
        pytest.skip("E8.xlsx not present")
    out = load_panel(
        path,
        entity="province",
        time="year",
        layout="wide",
        wide_entities="columns",
        value_name="exports_pc",
    )
    assert out.shape == (30 * 31, 4)
    assert out["year"].nunique() == 30 and out["code"].nunique() == 31
    assert out["year"].min() == 1993 and out["year"].max() == 2022
    bj = out[(out["province"] == "北京市") & (out["year"] == 1993)]["exports_pc"].item()
    assert bj == pytest.approx(243.01259, rel=1e-6)
    # 重庆 became a municipality in 1997: its early years are kept as missing values
    cq = out[out["province"] == "重庆市"]
    assert len(cq) == 30 and cq["exports_pc"].isna().sum() > 0


def test_time_parsing():
    assert [parse_year(v) for v in ["2019", "2019年", 2019.0, 2019, " 2019 "]] == [2019] * 5
    assert [parse_year(v) for v in ["2019Q1", 2019.5, None, "abc", True]] == [None] * 5
    df = pd.DataFrame({"p": ["北京", "天津"], "t": ["2019年", "2020"], "v": [1, 2]})
    assert load_panel(df, entity="p", time="t")["t"].tolist() == [2019, 2020]
    quarters = pd.DataFrame({"p": ["北京", "北京"], "t": ["2019Q1", "2019Q2"], "v": [1, 2]})
    assert load_panel(quarters, entity="p", time="t")["t"].tolist() == ["2019Q1", "2019Q2"]


def test_missing_columns_listed(long_panel: pd.DataFrame):
    with pytest.raises(MissingColumnError) as e:
        load_panel(long_panel, entity="prov", time="yr")
    msg = str(e.value)
    assert "'prov', 'yr' not found" in msg and "Available columns" in msg and "'exports'" in msg
    with pytest.raises(MissingColumnError, match="gdp"):
        load_panel(long_panel, entity="region", time="year", columns=["gdp"])


def test_unknown_provinces_all_listed(long_panel: pd.DataFrame):
    bad = long_panel.assign(region=["北京", "Atlantis", "广栋", "广栋", None, "內蒙古"])
    with pytest.raises(UnknownRegionError) as e:
        load_panel(bad, entity="region", time="year")
    msg = str(e.value)
    assert "3 unrecognised" in msg and "Atlantis" in msg and "广栋" in msg and "广东省" in msg
    assert "rows 2, 3" in msg and "Missing entity" in msg and "resolve_entities=None" in msg


def test_national_rows(long_panel: pd.DataFrame):
    with_nat = pd.concat(
        [
            long_panel,
            pd.DataFrame({"region": ["全国"], "year": [2019], "exports": [9.0], "fdi": [0]}),
        ],
        ignore_index=True,
    )
    with pytest.raises(UnknownRegionError, match="national='drop'"):
        load_panel(with_nat, entity="region", time="year")
    assert len(load_panel(with_nat, entity="region", time="year", national="drop")) == 6
    kept = load_panel(with_nat, entity="region", time="year", national="keep")
    assert kept["code"].isna().sum() == 1 and kept["province"].iloc[-1] == "全国"


def test_bad_inputs(tmp_path: Path, long_panel: pd.DataFrame):
    with pytest.raises(InputError, match="not found"):
        load_panel(tmp_path / "nope.csv", entity="a", time="b")
    (tmp_path / "p.json").write_text("{}")
    with pytest.raises(DataFormatError, match="unsupported file type"):
        load_panel(tmp_path / "p.json", entity="a", time="b")
    nbs = tmp_path / "nbs.csv"
    nbs.write_text("数据库：分省年度数据\n指标：x\n地区,2020年\n北京市,1\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="read_nbs"):
        load_panel(nbs, entity="地区", time="year", layout="wide")
    with pytest.raises(InputError, match="already has a column 'code'"):
        load_panel(long_panel.assign(code=1), entity="region", time="year")
    with pytest.raises(InputError, match="value_name"):
        load_panel(long_panel, entity="region", time="year", value_name="v")
    with pytest.raises(DataFormatError, match="mix years"):
        load_panel(
            pd.DataFrame({"p": ["北京"], "2019": [1], "note": ["x"]}),
            entity="p",
            time="year",
            layout="wide",
        )
    path = tmp_path / "x.xlsx"
    long_panel.to_excel(path, index=False)
    with pytest.raises(InputError, match="Sheet 'nope' not found"):
        load_panel(path, entity="region", time="year", sheet="nope")


def test_placeholders_stay_text_for_validation(tmp_path: Path):
    path = tmp_path / "p.csv"
    path.write_text(
        "p,year,v\n北京,2019,1.5\n北京,2020,n/a\n天津,2019,NA\n天津,2020,\n", encoding="utf-8"
    )
    out = load_panel(path, entity="p", time="year")
    assert out["v"].tolist()[:2] == ["1.5", "n/a"] and out["v"].iloc[2:].isna().all()
    from exportlens.data import validate_panel

    report = validate_panel(out, entity="province", time="year", variables=["v"])
    assert report.non_numeric.values.tolist() == [[1, "v", "n/a"]]
    lenient = load_panel(path, entity="p", time="year", read_kwargs={"na_values": ["n/a"]})
    assert lenient["v"].isna().sum() == 3
