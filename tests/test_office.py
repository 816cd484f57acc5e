"""Reproducible Office files (issue 17): the same table or run written twice gives the same bytes,
``SOURCE_DATE_EPOCH`` sets the dates, and the files keep their content when read back."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from lxml import etree
from openpyxl import load_workbook

from exportlens.errors import InputError
from exportlens.report.content import collect_run
from exportlens.report.docx_report import render_report_docx
from exportlens.report.office import FIXED_ZIP_DATE, normalize_package, package_bytes
from exportlens.report.tables import Grid, write_docx, write_docx_file, write_tables, write_xlsx
from exportlens.studies import load_study, run_study

DCTERMS = "{http://purl.org/dc/terms/}"


def _grid() -> Grid:
    return Grid(
        header=[["", "Model (1)", "Model (1)", "Model (2)"], ["Variable", "coef", "se", "coef"]],
        body=[["Vag", "0.039***", "(0.011)", "-0.029"], ["N", "390", "390", "4,347,686"],
              ["R²", "0.612", "", "38.2%"], ["Tab\tand  spaces ", "<&>", "省直辖县级行政区划", "0.5"],
              [" ", "two\nlines", '"quoted"', "  "]],
        rules={2},
        title="Table 1 Export resilience 出口韧性",
        notes=["Standard errors in parentheses.", "SYNTHETIC demo data."],
    )


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def _c14n(xml: bytes) -> bytes:
    return bytes(etree.tostring(etree.fromstring(xml), method="c14n"))


@pytest.fixture(autouse=True)
def _no_source_date(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_table_files_are_the_same_bytes_twice(tmp_path):
    grid = _grid()
    for suffix, write in (("docx", write_docx), ("xlsx", write_xlsx)):
        first, second = tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}"
        write(grid, first)
        write(grid, second)
        assert first.read_bytes() == second.read_bytes()
        with zipfile.ZipFile(first) as z:
            assert {i.date_time for i in z.infolist()} == {FIXED_ZIP_DATE}
            assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
            assert "[Content_Types].xml" in z.namelist()  # first from python-docx, last from openpyxl (kept)
            for name in z.namelist():  # every XML part is well formed
                if name.endswith((".xml", ".rels")):
                    etree.fromstring(z.read(name))
            core = etree.fromstring(z.read("docProps/core.xml"))
        # no made-up creation time: the optional created/modified properties are left out
        assert core.find(f"{DCTERMS}created") is None and core.find(f"{DCTERMS}modified") is None
    # write_tables (no python-docx Document) and write_docx give the same file; a file object works too
    write_tables({"t": _Table(grid)}, tmp_path / "tables", formats=["docx", "xlsx"])
    assert (tmp_path / "tables" / "t.docx").read_bytes() == (tmp_path / "a.docx").read_bytes()
    assert (tmp_path / "tables" / "t.xlsx").read_bytes() == (tmp_path / "a.xlsx").read_bytes()
    for suffix, write in (("docx", write_docx_file), ("xlsx", write_xlsx)):
        buf = io.BytesIO()
        write(grid, buf)
        assert buf.getvalue() == (tmp_path / f"a.{suffix}").read_bytes()


class _Table:
    """The least a table of write_tables needs."""

    def __init__(self, grid: Grid) -> None:
        self._grid = grid

    def grid(self) -> Grid:
        return self._grid

    def to_excel(self, path):
        return write_xlsx(self._grid, path)


def test_docx_file_holds_the_parts_python_docx_saves(tmp_path):
    """Every part of the cached-template file equals python-docx's own save of the same Document
    (``write_docx`` without a path: the Document built with python-docx's default template);
    document.xml compared as XML, and core.xml only loses its created/modified dates."""
    grid = _grid()
    reference = io.BytesIO()
    write_docx(grid).save(reference)
    old = _entries(reference.getvalue())
    new = _entries(write_docx_file(grid, tmp_path / "t.docx").read_bytes())
    assert sorted(old) == sorted(new)
    assert _c14n(new["word/document.xml"]) == _c14n(old["word/document.xml"])
    assert new["word/styles.xml"] == old["word/styles.xml"]  # the tables' Normal style
    core = etree.fromstring(old["docProps/core.xml"])
    for tag in ("created", "modified"):
        core.remove(core.find(f"{DCTERMS}{tag}"))
    assert _c14n(new["docProps/core.xml"]) == _c14n(etree.tostring(core))
    for name in set(old) - {"word/document.xml", "docProps/core.xml"}:
        assert new[name] == old[name], name
    # in a caller's document the same body XML goes in (per-run formatting, no style changes)
    doc = docx.Document()
    write_docx(grid, document=doc)
    assert len(doc.tables) == 1 and doc.styles["Normal"].font.name is None


def test_files_read_back_with_their_content(tmp_path):
    grid = _grid()
    doc = docx.Document(str(write_docx_file(grid, tmp_path / "t.docx")))
    assert doc.paragraphs[0].text == grid.title
    assert [p.text for p in doc.paragraphs[1:]] == grid.notes
    table = doc.tables[0]
    assert len(table.rows) == len(grid.header) + len(grid.body)
    # the spanning header "Model (1)" is one cell over two columns
    first = table.rows[0].cells
    assert (first[1].text, first[1].grid_span, first[3].text, first[3].grid_span) == ("Model (1)", 2, "Model (2)", 1)
    assert [c.text for c in table.rows[2].cells] == grid.body[0]
    assert table.rows[5].cells[0].text == "Tab\tand  spaces "
    assert [c.text for c in table.rows[5].cells[1:3]] == ["<&>", "省直辖县级行政区划"]
    assert [c.text for c in table.rows[6].cells] == [" ", "two\nlines", '"quoted"', "  "]
    assert doc.core_properties.created is None and doc.core_properties.title == ""

    write_xlsx(grid, tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws["A1"].value == grid.title
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:D1", "B2:C2"}
    assert (ws["B4"].value, ws["C4"].value) == ("0.039***", "(0.011)")  # stars and parentheses stay text
    assert (ws["D4"].value, ws["D4"].number_format) == (-0.029, "0.000")
    assert (ws["B5"].value, ws["B5"].number_format) == (390, "0")
    assert (ws["D5"].value, ws["D5"].number_format) == (4347686, "#,##0")
    assert (ws["D6"].value, ws["D6"].number_format) == (pytest.approx(0.382), "0.0%")
    assert ws["C7"].value == "省直辖县级行政区划"
    assert [ws[c].value for c in ("A8", "B8", "C8", "D8")] == [" ", "two\nlines", '"quoted"', "  "]
    assert ws["A9"].value == grid.notes[0]


def test_source_date_epoch_sets_the_dates(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    when = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    grid = _grid()
    write_docx(grid, tmp_path / "t.docx")
    write_xlsx(grid, tmp_path / "t.xlsx")
    for name in ("t.docx", "t.xlsx"):
        with zipfile.ZipFile(tmp_path / name) as z:
            # zip dates have a resolution of two seconds
            assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
            core = etree.fromstring(z.read("docProps/core.xml"))
        assert core.find(f"{DCTERMS}created").text == "2023-11-14T22:13:20Z"
        assert core.find(f"{DCTERMS}modified").text == "2023-11-14T22:13:20Z"
    props = docx.Document(str(tmp_path / "t.docx")).core_properties
    assert props.created == props.modified == when
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.properties.created == book.properties.modified == when.replace(tzinfo=None)
    # another epoch, other bytes; dates before 1980 are clamped to the zip format's first day
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    write_docx(grid, tmp_path / "u.docx")
    assert (tmp_path / "u.docx").read_bytes() != (tmp_path / "t.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "u.docx") as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_ZIP_DATE}
        assert b"1970-01-01T00:00:00Z" in z.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH='yesterday' is not a whole number"):
        write_xlsx(grid, tmp_path / "v.xlsx")


def test_normalize_package_keeps_order_and_adds_missing_dates():
    core = (b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<cp:coreProperties "
            b'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></cp:coreProperties>')
    types = (b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override '
             b'PartName="/props/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as z:
        for name, data in (("[Content_Types].xml", types), ("z.xml", b"<z/>"), ("props/core.xml", core)):
            z.writestr(name, data)
    when = datetime(2026, 11, 30, 6, 0, 1, tzinfo=UTC)
    out = normalize_package(raw.getvalue(), when=when)
    entries = _entries(out)
    assert list(entries) == ["[Content_Types].xml", "z.xml", "props/core.xml"]
    root = etree.fromstring(entries["props/core.xml"])
    assert root.findtext(f"{DCTERMS}created") == root.findtext(f"{DCTERMS}modified") == "2026-11-30T06:00:01Z"
    assert root.find(f"{DCTERMS}created").get("{http://www.w3.org/2001/XMLSchema-instance}type") == "dcterms:W3CDTF"
    assert root.findtext("{http://purl.org/dc/elements/1.1/}title") == "T"
    assert out == package_bytes(list(_entries(raw.getvalue()).items()), when=when)


def test_two_runs_write_the_same_table_files(tmp_path):
    """The manifests of two runs of the same study list the same hashes for every table file, and
    the Word report of one run rendered twice is the same bytes."""
    definition = load_study("synergy")
    outs = [run_study(definition, definition.spec_class(), out=tmp_path / name, lang="en",
                      formats=["docx", "xlsx"], figures=False, reports=True) for name in ("a", "b")]
    hashes = [json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"] for out in outs]
    tables = sorted(k for k in hashes[0] if k.startswith("tables/"))
    assert len(tables) == 16 and {Path(k).suffix for k in tables} == {".docx", ".xlsx"}
    assert {k: hashes[0][k] for k in tables} == {k: hashes[1][k] for k in tables}
    content = collect_run(outs[0], "en")
    report = render_report_docx(content)
    assert report == render_report_docx(collect_run(outs[0], "en"))
    props = docx.Document(io.BytesIO(report)).core_properties
    assert props.created == props.modified == datetime.fromisoformat(content.manifest["created_utc"])


def test_office_module_examples(tmp_path, monkeypatch):
    """The numpydoc examples of exportlens.report.office (not in a subpackage's __all__)."""
    import doctest

    import exportlens.report.office as office

    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(office, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0


@pytest.mark.slow
def test_libreoffice_opens_the_files(tmp_path):
    """LibreOffice (when installed) converts the reproducible files as it converts the libraries'
    own saves: a Word table without created/modified dates to PDF, an Excel table to CSV. A
    library's plain save is converted first; when that fails (no Writer or Calc) the test skips."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    grid = _grid()
    write_docx(grid).save(str(tmp_path / "plain.docx"))
    write_docx_file(grid, tmp_path / "ours.docx")
    write_xlsx(grid).save(str(tmp_path / "plain.xlsx"))
    write_xlsx(grid, tmp_path / "ours.xlsx")
    profile = f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}"
    for target, files in (("pdf", ["plain.docx", "ours.docx"]),
                          ("csv:Text - txt - csv (StarCalc):44,34,76", ["plain.xlsx", "ours.xlsx"])):
        subprocess.run([soffice, "--headless", "--norestore", profile, "--convert-to", target, *files,
                        "--outdir", str(tmp_path)], cwd=tmp_path, capture_output=True, timeout=300, check=False)
        suffix = target.split(":")[0]
        if not (tmp_path / f"plain.{suffix}").is_file():
            continue  # this LibreOffice cannot open the library's own file either (no Writer / Calc)
        assert (tmp_path / f"ours.{suffix}").is_file(), f"LibreOffice did not convert ours.{files[1]}"
        if suffix == "csv":
            assert (tmp_path / "ours.csv").read_text(encoding="utf-8") == (tmp_path / "plain.csv").read_text(encoding="utf-8")
    if not (tmp_path / "plain.pdf").is_file() and not (tmp_path / "plain.csv").is_file():
        pytest.skip("this LibreOffice converts neither Word nor Excel files")
