"""Messages name the line of the user's file: ``load_panel(..., line_numbers=True)`` indexes a
CSV/TSV panel by its line numbers (header = line 1) when they are exact, and every row listing
(validation, province and region resolution, duplicate keys, measures) reads them through
``row_ref``/``row_refs``/``row_word``."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from exportlens.cli import app
from exportlens.data import load_panel, validate_panel
from exportlens.datasets.demo import resilience_demo_panel
from exportlens.datasets.regions_demo import synthetic_regions
from exportlens.errors import InputError, UnknownRegionError
from exportlens.regions import RegionSet
from exportlens.regions.registry import resolve_provinces
from exportlens.studies.framework import check_province_years
from exportlens.studies.resilience import ResilienceStudySpec
from exportlens.validation import check_unique_keys, coerce_numeric, row_ref, row_refs, row_word

KEYS = {"entity": "province", "time": "year", "resolve_entities": None}

# line 1 header; line 4 blank; line 6 white space only; 'n/a' on line 7, '1,234' on line 8
BLANKS = ('province,year,exports\n北京,2012,1\n天津,2012,2\n\n河北,2012,3\n   \n山西,2012,n/a\n'
          '上海,2012,"1,234"\n\n')


def _write(tmp_path, text, name="panel.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_row_words():
    lines = pd.Index([2, 5], name="line")
    assert (row_word(lines), row_word(lines, plural=True), row_word(pd.RangeIndex(3), True)) == ("line", "lines", "rows")
    assert row_ref(5, lines) == "line 5" and row_ref(5, pd.RangeIndex(6)) == "row 5" and row_ref(5) == "row 5"
    assert row_refs([2, 5], lines) == "lines [2, 5]" and row_refs(["a"], None) == "rows ['a']"


def test_blank_lines_are_skipped_and_counted(tmp_path):
    path = _write(tmp_path, BLANKS)
    df = load_panel(path, line_numbers=True, **KEYS)
    assert df.index.name == "line" and df.index.tolist() == [2, 3, 5, 7, 8]
    # the lines hold the rows pandas read (the file's own text, independently)
    text = path.read_text(encoding="utf-8").split("\n")
    assert [text[i - 1].split(",")[0] for i in df.index] == df["province"].tolist()
    # default: today's contract (fresh RangeIndex), same values
    plain = load_panel(path, **KEYS)
    assert isinstance(plain.index, pd.RangeIndex) and plain.index.name is None
    pd.testing.assert_frame_equal(df.reset_index(drop=True), plain)
    with pytest.raises(InputError, match=r"not numeric: line 7: 'n/a'; line 8: '1,234'\.$"):
        coerce_numeric(df, "exports")
    with pytest.raises(InputError, match=r"not numeric: row 3: 'n/a'; row 4: '1,234'\.$"):
        coerce_numeric(plain, "exports")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('province,year,exports\n北京,2012,"1\n2"\n天津,2012,n/a\n', "quoted cell holding a line break"),
        ("province,year,exports\r北京,2012,1\r天津,2012,n/a\r", "old Mac line ends"),
    ],
)
def test_fallback_when_lines_cannot_be_mapped(tmp_path, text, why):
    df = load_panel(_write(tmp_path, text), line_numbers=True, **KEYS)
    assert isinstance(df.index, pd.RangeIndex) and df.index.name is None, why
    with pytest.raises(InputError, match=r"row 1: 'n/a'"):
        coerce_numeric(df, "exports")


def test_other_sources_keep_the_range_index(tmp_path):
    path = _write(tmp_path, BLANKS)
    # reader options that may skip lines, the wide layout and DataFrames: no line numbers
    df = load_panel(path, line_numbers=True, read_kwargs={"skiprows": [2]}, **KEYS)
    assert isinstance(df.index, pd.RangeIndex)
    wide = _write(tmp_path, "province,2012,2013\n北京,1,2\n\n天津,3,4\n", "wide.csv")
    df = load_panel(wide, entity="province", time="year", layout="wide", line_numbers=True)
    assert isinstance(df.index, pd.RangeIndex) and len(df) == 4
    df = load_panel(pd.read_csv(path), line_numbers=True, **KEYS)
    assert isinstance(df.index, pd.RangeIndex)
    pytest.importorskip("openpyxl")
    pd.read_csv(path).to_excel(tmp_path / "panel.xlsx", index=False)
    df = load_panel(tmp_path / "panel.xlsx", line_numbers=True, read_kwargs={"skiprows": [2]}, **KEYS)
    assert isinstance(df.index, pd.RangeIndex)


def test_excel_rows_as_the_sheet_shows_them(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [["province", "year", "exports"], ["北京", 2012, 1], [], ["火星", 2012, "n/a"], [None, None, None],
            ["河北", 2012, 3], [], []]
    for r in rows:
        sheet.append(r)
    book.save(tmp_path / "panel.xlsx")
    df = load_panel(tmp_path / "panel.xlsx", line_numbers=True, **KEYS)
    assert df.index.name == "row" and df.index.tolist() == [2, 3, 4, 5, 6]
    # each index label is the sheet row holding that record (read back with openpyxl)
    for number, province in zip(df.index, df["province"], strict=True):
        cell = sheet.cell(row=number, column=1).value
        assert (cell is None and pd.isna(province)) or cell == province
    with pytest.raises(InputError, match=r"not numeric: row 4: 'n/a'\.$"):
        coerce_numeric(df, "exports")
    with pytest.raises(UnknownRegionError, match=r"Unknown province '火星'\. \(rows \[4\]\)"):
        resolve_provinces(df["province"].dropna())


def test_tsv_row_of_empty_fields_is_a_row(tmp_path):
    df = load_panel(_write(tmp_path, "province\tyear\texports\n北京\t2012\t1\n\t\t\n河北\t2012\tn/a\n", "p.tsv"),
                    line_numbers=True, **KEYS)
    assert df.index.tolist() == [2, 3, 4] and df["province"].isna().tolist() == [False, True, False]


def test_duplicates_name_their_lines(tmp_path):
    text = "province,year,exports\n北京,2012,1\n天津,2012,2\n\n北京市,2012,3\n北京,2013,4\n天津,2012,5\n"
    df = load_panel(_write(tmp_path, text), line_numbers=True, **KEYS)
    with pytest.raises(InputError, match=r"\('天津', .*2012\)+ at lines \[3, 7\]"):
        check_unique_keys(df, ["province", "year"])
    df["code"] = resolve_provinces(df["province"])
    with pytest.raises(InputError, match=r"4 duplicate province-year rows: 北京 2012 \(line 2\); 天津 2012 \(line 3\); "
                                         r"北京市 2012 \(line 5\); 天津 2012 \(line 7\)\.$"):
        check_province_years(df, "province", "year")
    report = validate_panel(df.drop(columns="code"), entity="province", time="year", resolve_entities="province")
    assert "'北京' 2012 (lines [2, 5]); '天津' 2012 (lines [3, 7])" in report.summary()
    assert report.duplicates["row"].tolist() == [2, 5, 3, 7]


def test_unknown_provinces_name_their_lines(tmp_path):
    text = "province,year,exports\n北京,2012,1\n\n火星,2012,2\n全国,2012,3\n火星,2013,4\n"
    path = _write(tmp_path, text)
    with pytest.raises(UnknownRegionError, match=r"Unknown province '火星'.*\(lines 4, 6\)"):
        load_panel(path, line_numbers=True, entity="province", time="year")
    df = load_panel(path, line_numbers=True, **KEYS)
    with pytest.raises(UnknownRegionError, match=r"Unknown province '火星'\. \(lines \[4, 6\]\)"):
        resolve_provinces(df["province"])
    with pytest.raises(UnknownRegionError, match=r"national-total row\(s\) \['全国'\] \(lines \[4\]\)"):
        load_panel(_write(tmp_path, "province,year\n北京,2012\n\n全国,2012\n", "n.csv"), line_numbers=True,
                   entity="province", time="year")
    report = validate_panel(df, entity="province", time="year", resolve_entities="province")
    assert "'火星' (lines 4, 6;" in report.summary()


def test_unknown_region_of_a_region_table(tmp_path):
    regions = synthetic_regions(12, seed=1)
    rs = RegionSet.from_table(regions)
    names = regions["name"].tolist()
    text = "region,year,x\n" + f"{names[0]},2012,1\n\n{names[1]},2012,2\nR99999,2012,3\n"
    df = load_panel(_write(tmp_path, text), line_numbers=True, entity="region", time="year", resolve_entities=None)
    with pytest.raises(UnknownRegionError, match=r"'R99999' \(lines \[5\]\)"):
        rs.resolve(df["region"])


def test_study_panel_has_line_numbers(tmp_path):
    panel = resilience_demo_panel().drop(columns=["sl", "vag"])
    panel.to_csv(tmp_path / "panel.csv", index=False)
    spec = ResilienceStudySpec(data_path=str(tmp_path / "panel.csv"))
    frame = spec.read_panel(resilience_demo_panel)
    assert frame.index.name == "line" and frame.index.tolist() == list(range(2, len(panel) + 2))


def test_cli_one_line_error_names_the_line(tmp_path):
    panel = resilience_demo_panel().drop(columns=["sl", "vag"])
    panel["exports"] = panel["exports"].astype(object)
    panel.loc[5, "exports"] = "n/a"  # pandas row 5 = line 7 of the file (header = line 1)
    panel.to_csv(tmp_path / "panel.csv", index=False)
    (tmp_path / "s.toml").write_text('[data]\npath = "panel.csv"\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["run", "resilience", "--study", str(tmp_path / "s.toml"), "--out",
                                 str(tmp_path / "o"), "--no-figures", "--no-report"])
    assert r.exit_code == 2, r.output
    errors = [ln for ln in r.output.strip().splitlines() if ln.startswith("error")]
    assert len(errors) == 1 and "Column 'exports' is not numeric: line 7: 'n/a'" in " ".join(r.output.split())
    r = CliRunner().invoke(app, ["data", "check", str(tmp_path / "panel.csv")])
    assert r.exit_code == 1 and "line 7" in " ".join(r.output.split()), r.output
