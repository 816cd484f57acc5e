"""The Word table writer (one XML string per table) makes the same document as python-docx's
cell, merge and run calls: the reference below is the earlier python-docx implementation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from exportlens.report.tables import Grid, write_docx

# ---- reference: the python-docx API writer exportlens used before (one call per cell and run)

def _set_run_font(run, latin: str, east_asia: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = latin
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _border_el(tag: str, val: str, size: int = 0):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(f"w:{tag}")
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return el


def _set_table_borders(table, outer_sz: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblPr = table._tbl.tblPr
    for old in tblPr.findall(qn("w:tblBorders")):
        tblPr.remove(old)
    borders = OxmlElement("w:tblBorders")
    borders.append(_border_el("top", "single", outer_sz))
    borders.append(_border_el("left", "nil"))
    borders.append(_border_el("bottom", "single", outer_sz))
    borders.append(_border_el("right", "nil"))
    borders.append(_border_el("insideH", "nil"))
    borders.append(_border_el("insideV", "nil"))
    # schema order (CT_TblPr): ... tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout,
    # tblCellMar, tblLook ...: insert before the first element that must follow tblBorders.
    successors = {qn(f"w:{t}") for t in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription")}
    for i, child in enumerate(tblPr):
        if child.tag in successors:
            tblPr.insert(i, borders)
            break
    else:
        tblPr.append(borders)


def _set_cell_border(cell, side: str, size: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcPr = cell._tc.get_or_add_tcPr()
    tcb = tcPr.find(qn("w:tcBorders"))
    if tcb is None:
        tcb = OxmlElement("w:tcBorders")
        tcPr.append(tcb)
    for old in tcb.findall(qn(f"w:{side}")):
        tcb.remove(old)
    tcb.append(_border_el(side, "single", size))


def reference_write_docx(
    grid: Grid,
    path: str | Path | None = None,
    *,
    document: Any = None,
    font: str = "Times New Roman",
    east_asia_font: str = "SimSun",
    font_size: float = 10.5,
    note_size: float = 9.0,
    inner_rules: bool = True,
) -> Any:
    """Write the grid as a Word three-line table (三线表).

    Top and bottom rules 1.5 pt, a 0.75 pt rule under the header (and under spanning header
    cells), optional 0.5 pt inner rules (``grid.rules``), no vertical lines. Latin text in
    ``font``, East-Asian text in ``east_asia_font`` (``w:eastAsia`` of ``w:rFonts``; SimSun =
    宋体). Appends to ``document`` (a python-docx Document) when given; saves to ``path`` when
    given. Returns the Document.
    """
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = document if document is not None else docx.Document()
    # In a document of our own the Normal style carries fonts, size and spacing, so body
    # cells need no per-run formatting (python-docx run formatting costs ~1 ms a cell). In a
    # caller's document we must not touch its styles and format every run instead.
    own_style = document is None
    if own_style:
        normal = doc.styles["Normal"]
        normal.font.name = font
        normal.font.size = Pt(font_size)
        normal.paragraph_format.space_before = Pt(0)
        normal.paragraph_format.space_after = Pt(0)
        rpr = normal.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), font)
        rfonts.set(qn("w:eastAsia"), east_asia_font)

    def para(p, text, size, bold=False, align=None):
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        if own_style and size == font_size and not bold:
            return p
        p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.space_after = Pt(0)
        _set_run_font(run, font, east_asia_font, size, bold)
        return p

    if grid.title:
        para(doc.add_paragraph(), grid.title, font_size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    nrows = len(grid.header) + len(grid.body)
    table = doc.add_table(rows=nrows, cols=grid.ncols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_table_borders(table, 12)
    for i, row in enumerate(grid.header):
        last = i == len(grid.header) - 1
        # table.cell() rebuilds the table's whole cell list on every call (quadratic in the
        # table size); take each row's cells once.
        cells = table.rows[i].cells
        for start, length, text in grid.spans(row):
            cell = cells[start]
            if length > 1:
                cell = cell.merge(cells[start + length - 1])
            align = WD_ALIGN_PARAGRAPH.LEFT if start == 0 else WD_ALIGN_PARAGRAPH.CENTER
            para(cell.paragraphs[0], text, font_size, align=align)
            if last:
                _set_cell_border(cell, "bottom", 6)
            elif start > 0 and text and length > 1:
                _set_cell_border(cell, "bottom", 4)
    off = len(grid.header)
    for i, row in enumerate(grid.body):
        cells = table.rows[off + i].cells
        for j, text in enumerate(row):
            cell = cells[j]
            align = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
            para(cell.paragraphs[0], text, font_size, align=align)
            if inner_rules and i in grid.rules and i > 0:
                _set_cell_border(cell, "top", 4)
    for n in grid.notes:
        para(doc.add_paragraph(), n, note_size, align=WD_ALIGN_PARAGRAPH.LEFT)
    if path is not None:
        doc.save(str(path))
    return doc




def _body_xml(doc) -> bytes:
    return etree.tostring(doc.element.body, method="c14n")


GRIDS = [
    Grid(header=[["", "A", "A", "B"], ["x", "(1)", "(2)", "(3)"]],
         body=[["v ", "1\t2", "", "3\n4"], ["w", "<&>\"'", "", "6"], ["N", "7", "8", "9"]],
         rules={2}, title="表1 回归结果 <T>", notes=["注：括号内为标准误。", " padded "]),
    Grid(header=[["变量", "均值", "标准差"]], body=[["sl", "0.10", "0.02"]], rules={0}, title=None, notes=[]),
    Grid(header=[["", "A", "A", "A", ""], ["", "x", "y", "y", "z"]], body=[["a", "1", "2", "3", "4"]] * 5,
         rules={1, 3}, title="t", notes=["n1", "n2"]),
]


@pytest.mark.parametrize("grid", GRIDS)
@pytest.mark.parametrize("inner_rules", [True, False])
def test_same_xml_as_python_docx_calls_in_own_document(grid, inner_rules):
    ours = write_docx(grid, inner_rules=inner_rules)
    ref = reference_write_docx(grid, inner_rules=inner_rules)
    assert _body_xml(ours) == _body_xml(ref)
    assert etree.tostring(ours.styles["Normal"].element, method="c14n") == \
        etree.tostring(ref.styles["Normal"].element, method="c14n")


@pytest.mark.parametrize("grid", GRIDS)
def test_same_xml_appended_to_a_callers_document(grid):
    ours, ref = docx.Document(), docx.Document()
    for d in (ours, ref):
        d.add_heading("Report", level=1)
        d.add_paragraph("before")
    write_docx(grid, document=ours, font="Arial", east_asia_font="SimHei", font_size=12, note_size=8)
    reference_write_docx(grid, document=ref, font="Arial", east_asia_font="SimHei", font_size=12, note_size=8)
    ours.add_paragraph("after")
    ref.add_paragraph("after")
    assert _body_xml(ours) == _body_xml(ref)


def test_saved_file_reads_back_with_the_cell_texts(tmp_path):
    grid = GRIDS[0]
    write_docx(grid, tmp_path / "t.docx")
    doc = docx.Document(str(tmp_path / "t.docx"))
    (table,) = doc.tables
    texts = [[c.text for c in row.cells] for row in table.rows]
    assert texts[0] == ["", "A", "A", "B"]  # the merged cell spans two grid columns
    assert texts[1:] == [grid.header[1], *grid.body]  # tabs and line breaks read back as \t and \n
    assert doc.paragraphs[0].text == grid.title
    assert [p.text for p in doc.paragraphs[1:]] == grid.notes
