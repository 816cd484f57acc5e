"""Readers: synthetic CEADs-layout workbooks (round trip, layout, variants, errors) and the
real national non-competitive tables."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from exportlens.datasets.demo_mrio import synthetic_mrio_table
from exportlens.errors import DataFormatError, InputError, UnknownRegionError
from exportlens.mrio import decompose_provincial
from exportlens.mrio.readers import (
    CEADS_FINAL_DEMAND,
    read_ceads_workbook,
    read_national_io,
    write_ceads_workbook,
)
from exportlens.regions import province_codes

SECTORS = ["01", "06", "20", "28"]


@pytest.fixture(scope="module")
def table31():
    """SYNTHETIC 31 provinces (CEADs coverage) x 4 sectors in the CEADs layout."""
    return synthetic_mrio_table(2017, provinces=province_codes(), sectors=SECTORS)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, table31) -> Path:
    return write_ceads_workbook(table31, tmp_path_factory.mktemp("ceads") / "CEADs_MRIO_2017.xlsx")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip(workbook, table31):
    before = _sha(workbook)
    t = read_ceads_workbook(workbook)
    assert _sha(workbook) == before  # the input file is only read
    assert t.n_regions == 31 and t.sectors == tuple(SECTORS)
    assert t.regions[0] == "北京" and t.regions[-1] == "新疆"
    assert t.categories == tuple(CEADS_FINAL_DEMAND)
    assert t.va_components == ("VA001", "VA002", "VA003", "VA004")
    assert t.year == 2017 and t.unit == "10,000 yuan"
    for name in ("Z", "Y", "E", "IM", "VA", "x", "ERR"):
        np.testing.assert_allclose(getattr(t, name), getattr(table31, name), rtol=1e-12, atol=1e-9, err_msg=name)
    assert t.balance_report(1e-9).ok
    d = decompose_provincial(t).to_frame()
    np.testing.assert_allclose(d[["dvr", "pvr", "fvr"]].sum(axis=1), 1.0, atol=1e-12)


def test_written_layout_is_the_ceads_layout(workbook, table31):
    ws = openpyxl.load_workbook(workbook, read_only=True).worksheets[0]
    rows = [r for r in ws.iter_rows(values_only=True)]
    codes, provinces = rows[2], rows[1]
    n_int = 31 * len(SECTORS)
    assert list(codes[3:3 + len(SECTORS)]) == SECTORS
    assert list(codes[3 + n_int:3 + n_int + 5]) == ["FU101", "FU102", "FU103", "FU201", "FU202"]
    assert list(codes[-3:]) == ["EX", "ERR", "GO"]
    assert provinces[3] == "北京" and provinces[4] is None  # province on the first column of its block
    assert provinces[3 + n_int] == "北京" and provinces[3 + n_int + 5] == "天津"
    labels = [r[1] for r in rows[3 + 31 * len(SECTORS):]]
    assert labels == ["IM", "VA001", "VA002", "VA003", "VA004", "TVA", "TI"]
    ti = np.array(rows[-1][3:3 + n_int], dtype=float)
    np.testing.assert_allclose(ti, table31.x, rtol=1e-12)  # TI = GO on a balanced table


def _small_workbook(tmp_path: Path, name: str = "small.xlsx") -> Path:
    t = synthetic_mrio_table(2012, provinces=["北京", "河北", "广东"], sectors=["01", "20"])
    return write_ceads_workbook(t, tmp_path / name)


def _edit(path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(path)
    edit(wb.worksheets[0])
    out = path.with_name("edited_" + path.name)
    wb.save(out)
    return out


def test_variants_title_rows_full_names_and_blank_cells(tmp_path):
    path = _small_workbook(tmp_path)

    def edit(ws):
        ws.insert_rows(1, 2)  # extra title rows above the header
        ws["A1"] = "中国2012年区域间投入产出表"
        ws["A6"] = "北京市"  # full province name in the row labels
        ws["D4"] = "北京市"  # and in the column header
        ws["E7"] = None  # a blank number cell (Beijing/20 sold to Beijing/20)

    t = read_ceads_workbook(_edit(path, edit), year=2012)
    assert t.regions == ("北京", "河北", "广东")
    assert t.Z[1, 1] == 0.0
    assert any("blank number cell" in n for n in t.notes)


def test_text_in_a_number_cell_names_the_cell(tmp_path):
    path = _edit(_small_workbook(tmp_path), lambda ws: ws.__setitem__("E5", "n.a."))
    with pytest.raises(DataFormatError, match=r"E5 = 'n.a.'"):
        read_ceads_workbook(path)


def test_mismatched_column_label_is_named(tmp_path):
    path = _edit(_small_workbook(tmp_path), lambda ws: ws.__setitem__("E3", "99"))
    with pytest.raises(DataFormatError, match="北京/20"):
        read_ceads_workbook(path)


def test_unknown_province_is_named(tmp_path):
    path = _edit(_small_workbook(tmp_path), lambda ws: ws.__setitem__("A6", "Atlantis"))
    with pytest.raises(UnknownRegionError, match="Atlantis"):
        read_ceads_workbook(path)


def test_missing_imports_row_and_header(tmp_path):
    src = _small_workbook(tmp_path)

    def drop_im(ws):
        for row in ws.iter_rows():
            if row[1].value == "IM":
                row[1].value = "XX"

    with pytest.raises(DataFormatError, match="IM"):
        read_ceads_workbook(_edit(src, drop_im))
    with pytest.raises(DataFormatError, match="FU101"):
        read_ceads_workbook(_edit(src, lambda ws: ws.delete_rows(3)))
    with pytest.raises(InputError, match="not found"):
        read_ceads_workbook(tmp_path / "missing.xlsx")


def test_missing_final_demand_column_is_named(tmp_path):
    # the FU102 column of 河北 renamed to something unknown: reported as unused, and missing for 河北
    src = _small_workbook(tmp_path)
    ws = openpyxl.load_workbook(src, read_only=True).worksheets[0]
    header = next(r for i, r in enumerate(ws.iter_rows(values_only=True)) if i == 2)
    col = [i for i, c in enumerate(header) if c == "FU102"][1] + 1
    path = _edit(src, lambda w: w.cell(row=3, column=col, value="XX"))
    with pytest.raises(DataFormatError, match="河北/FU102"):
        read_ceads_workbook(path)


def test_writer_refuses_to_overwrite(tmp_path):
    path = _small_workbook(tmp_path)
    t = synthetic_mrio_table(2012, provinces=["北京", "河北"], sectors=["01"])
    with pytest.raises(InputError, match="exists"):
        write_ceads_workbook(t, path)


@pytest.mark.parametrize("year", [2017, 2018, 2020])
def test_real_national_tables_read(shared_data, year):
    path = shared_data / "io" / f"china_{year}_42.csv"
    before = _sha(path)
    t = read_national_io(path)
    assert _sha(path) == before
    assert t.n_regions == 1 and t.n_sectors == 42 and t.year == year
    raw = pd.read_csv(path, dtype={"Code": str})
    dom = raw[raw["Origin"] == "Domestic"]
    imp = raw[raw["Origin"] == "Imports"]
    np.testing.assert_allclose(t.E, dom["EX"].to_numpy(float))
    np.testing.assert_allclose(t.x, dom["GO"].to_numpy(float))
    np.testing.assert_allclose(t.IM, imp[list(t.sectors)].to_numpy(float).sum(axis=0), rtol=1e-12)
    assert t.categories == ("TC", "FU201", "FU202")
    assert (t.Y[:, 2] < 0).any()  # inventory changes are negative in some sectors
    assert (t.VA[1] < 0).any()  # net production taxes negative in some sectors
    assert t.balance_report(1e-9).ok
    assert any("re-exported" in n for n in t.notes)
    assert t.sector_names["zh"][19] == "通信设备、计算机和其他电子设备"


def test_national_reader_errors(shared_data, tmp_path):
    src = shared_data / "io" / "china_2017_42.csv"
    raw = pd.read_csv(src, dtype={"Code": str})
    bad = raw.drop(columns=["EX"])
    bad.to_csv(tmp_path / "no_ex.csv", index=False)
    with pytest.raises(DataFormatError, match="EX"):
        read_national_io(tmp_path / "no_ex.csv")
    swapped = raw.copy()
    idx = swapped.index[swapped["Origin"] == "Imports"]
    swapped.loc[idx[0], "Code"] = "99"
    swapped.to_csv(tmp_path / "swapped.csv", index=False)
    with pytest.raises(DataFormatError, match="imported rows"):
        read_national_io(tmp_path / "swapped.csv")
    text = raw.astype({"05": object})
    text.loc[3, "05"] = "x"
    text.to_csv(tmp_path / "text.csv", index=False)
    with pytest.raises(DataFormatError, match="04/05"):
        read_national_io(tmp_path / "text.csv")


@pytest.mark.slow
def test_full_size_ceads_workbook_round_trip(tmp_path):
    """31 provinces x 42 sectors, as the real CEADs workbooks (writing and reading take about a minute)."""
    t = synthetic_mrio_table(2017, provinces=province_codes())
    path = write_ceads_workbook(t, tmp_path / "CEADs_China_MRIO_2017.xlsx")
    back = read_ceads_workbook(path)
    assert back.n_regions == 31 and back.n_sectors == 42
    np.testing.assert_allclose(back.Z, t.Z, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(back.x, t.x, rtol=1e-12)
    shutil.rmtree(tmp_path, ignore_errors=True)
