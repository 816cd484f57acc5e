"""Workbooks come from the web: their XML is parsed with defusedxml (no entity expansion), and a
workbook that declares entities is refused with one line saying what to do."""

from __future__ import annotations

import zipfile

import openpyxl.xml
import pandas as pd
import pytest

from exportlens.data import load_panel
from exportlens.errors import DataFormatError
from exportlens.regions import RegionSet

ENTITIES = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')


def _with_entities(frame: pd.DataFrame, path) -> None:
    """``frame`` as a workbook whose first sheet declares (and uses) nested XML entities."""
    plain = path.with_name("plain.xlsx")
    frame.to_excel(plain, index=False)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                head, sep, rest = text.partition("?>")
                text = (head + sep + ENTITIES + rest) if sep else ENTITIES + text
                data = text.replace("<v>1</v>", "<v>&lol3;</v>", 1).encode("utf-8")
            dst.writestr(info, data)


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML


def test_a_panel_workbook_with_entities_is_refused(tmp_path):
    path = tmp_path / "panel.xlsx"
    _with_entities(pd.DataFrame({"province": ["北京", "天津"], "year": [2020, 2020], "exports": [1, 2]}), path)
    with pytest.raises(DataFormatError, match=r"panel.xlsx holds XML entity declarations.*save it again"):
        load_panel(path, entity="province", time="year")


def test_a_region_table_workbook_with_entities_is_refused(tmp_path):
    path = tmp_path / "regions.xlsx"
    _with_entities(pd.DataFrame({"code": [1, 2], "name": ["x", "y"], "lon": [100.0, 101.0], "lat": [30.0, 31.0]}),
                   path)
    with pytest.raises(DataFormatError, match="entity declarations"):
        RegionSet.from_table(path)
