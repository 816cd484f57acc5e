"""Display tables and their exporters: Markdown, HTML, LaTeX (booktabs), Word, Excel, CSV, text.

:class:`Grid` is a display table (header rows, body rows, optional inner rules, title,
notes). :func:`export_grid` writes a Grid, a DataFrame or any object with ``.grid()`` to one
format; :class:`FrameTable` wraps a DataFrame as a table with the same ``to_*`` methods as
regression tables, so that every study writes every table the same way
(:func:`write_tables`). Word tables are three-line tables (top, header and bottom rules, no
vertical lines) with an East-Asian font for Chinese text.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from exportlens.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMATS",
    "TABLE_FORMATS",
    "FrameTable",
    "Grid",
    "GridExportMixin",
    "RelabelledTable",
    "export_grid",
    "format_count",
    "format_number",
    "note_list",
    "star_string",
    "write_tables",
    "write_text",
    "xlsx_number",
]

#: Format names accepted by :func:`export_grid` -> file suffix.
FORMATS = {
    "markdown": ".md",
    "md": ".md",
    "html": ".html",
    "latex": ".tex",
    "tex": ".tex",
    "csv": ".csv",
    "text": ".txt",
    "txt": ".txt",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "excel": ".xlsx",
}
_SUFFIX_FORMAT = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".tex": "latex",
    ".csv": "csv",
    ".txt": "text",
    ".docx": "docx",
    ".xlsx": "xlsx",
}


# --------------------------------------------------------------------------------------------
# number formatting
# --------------------------------------------------------------------------------------------


def format_number(x: Any, digits: int = 3) -> str:
    """``x`` with ``digits`` decimals; integers as integers; NaN/None as an empty string.

    Examples
    --------
    >>> from exportlens.report import format_number
    >>> format_number(3.14159), format_number(2.5, digits=1), format_number(42), format_number(None)
    ('3.142', '2.5', '42', '')
    """
    if x is None:
        return ""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) or (hasattr(x, "dtype") and getattr(x.dtype, "kind", "") in "iu"):
        return f"{int(x):,}".replace(",", "")
    v = _finite_or_text(x)
    if isinstance(v, str):
        return v
    s = f"{v:.{digits}f}"
    if float(s) == 0 and s.startswith("-"):
        s = s[1:]
    return s


def format_count(n: Any) -> str:
    """A count (observations, firms, rows) with thousands separators; None/NaN as an empty string.

    Every table format shows counts this way: Markdown, HTML, Word and CSV as written, LaTeX
    with ``{,}`` (no space after the comma in math or text), Excel as a number with the
    number format ``#,##0`` (:func:`xlsx_number`).

    Examples
    --------
    >>> from exportlens.report import format_count
    >>> format_count(4347686), format_count(390), format_count(None)
    ('4,347,686', '390', '')
    """
    v = _finite_or_text(n)
    return v if isinstance(v, str) else f"{int(v):,}"


def _finite_or_text(x: Any) -> float | str:
    """``x`` as a finite float, or the text a table shows instead: "" for None/NaN, "inf"/"-inf",
    ``str(x)`` for a value that is not a number."""
    if x is None:
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def star_string(p: Any, stars: Sequence[float] = (0.1, 0.05, 0.01), symbol: str = "*") -> str:
    """Significance stars: one ``symbol`` per threshold that ``p`` is strictly below.

    With the default thresholds: p < 0.1 -> ``*``, p < 0.05 -> ``**``, p < 0.01 -> ``***``.
    ``p`` may be None, NaN or anything ``float()`` rejects: then no stars.

    Examples
    --------
    >>> from exportlens.report import star_string
    >>> [star_string(p) for p in (0.2, 0.07, 0.03, 0.001, None)]
    ['', '*', '**', '***', '']
    """
    if p is None:
        return ""
    try:
        pv = float(p)
    except (TypeError, ValueError):
        return ""
    if math.isnan(pv):
        return ""
    return symbol * sum(pv < t for t in stars)


# --------------------------------------------------------------------------------------------
# Grid
# --------------------------------------------------------------------------------------------


@dataclass
class Grid:
    """A display table: ``header`` rows and ``body`` rows of strings, the first column the stub.

    ``rules`` holds body-row positions before which a thin inner rule is drawn (e.g. between
    the coefficients and the fixed-effect/statistics rows). Equal adjacent non-empty cells of
    a header row (outside the stub) are merged into one spanning cell.

    Examples
    --------
    >>> from exportlens.report import Grid
    >>> g = Grid(header=[["", "(1)", "(2)"]], body=[["vag", "0.040***", "0.039***"],
    ...                                            ["N", "390", "390"]], rules={1})
    >>> g.ncols
    3
    >>> g.to_frame()
              (1)       (2)
    vag  0.040***  0.039***
    N         390       390
    >>> g.spans(["", "Resilience", "Resilience"])
    [(0, 1, ''), (1, 2, 'Resilience')]
    """

    header: list[list[str]]
    body: list[list[str]]
    rules: set[int] = field(default_factory=set)
    title: str | None = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        widths = {len(r) for r in [*self.header, *self.body]}
        if len(widths) > 1:
            raise InputError(f"All rows of a table must have the same number of cells; got {sorted(widths)}.")

    @property
    def ncols(self) -> int:
        rows = self.header or self.body
        return len(rows[0]) if rows else 0

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        title: str | None = None,
        notes: str | Sequence[str] | None = None,
        index: bool = True,
        digits: int = 3,
        rules: Sequence[int] = (),
    ) -> Grid:
        """Grid from a DataFrame: MultiIndex columns become several header rows, the index the stub."""
        cols = frame.columns
        nlev = cols.nlevels
        header: list[list[str]] = []
        for lev in range(nlev):
            vals = cols.get_level_values(lev) if nlev > 1 else cols
            row = [_cell(v, digits) for v in vals]
            if index:
                stub = ""
                if lev == nlev - 1:
                    names = [n for n in frame.index.names if n is not None]
                    stub = " / ".join(map(str, names))
                row = [stub, *row]
            header.append(row)
        body = []
        for idx, (_, rowvals) in zip(frame.index, frame.iterrows(), strict=True):
            cells = [_cell(v, digits) for v in rowvals.tolist()]
            if index:
                label = " / ".join(map(str, idx)) if isinstance(idx, tuple) else _cell(idx, digits)
                cells = [label, *cells]
            body.append(cells)
        return cls(header=header, body=body, rules=set(rules), title=title, notes=note_list(notes))

    def to_frame(self) -> pd.DataFrame:
        """The grid as a DataFrame of strings (header rows -> columns, stub -> index)."""
        import pandas as pd

        columns: pd.Index
        if len(self.header) > 1:
            columns = pd.MultiIndex.from_arrays([h[1:] for h in self.header])
        elif self.header:
            columns = pd.Index(self.header[0][1:])
        else:
            columns = pd.RangeIndex(self.ncols - 1)
        stub_name = self.header[-1][0] if self.header and self.header[-1][0] else None
        index = pd.Index([r[0] for r in self.body], name=stub_name)
        return pd.DataFrame([r[1:] for r in self.body], index=index, columns=columns)

    def spans(self, row: Sequence[str]) -> list[tuple[int, int, str]]:
        """(start, length, text) cells of a header row after merging equal neighbours."""
        out: list[tuple[int, int, str]] = [(0, 1, row[0])] if row else []
        j = 1
        while j < len(row):
            k = j
            while k + 1 < len(row) and row[k + 1] == row[j] and row[j] != "":
                k += 1
            out.append((j, k - j + 1, row[j]))
            j = k + 1
        return out


def _cell(v: Any, digits: int) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return format_number(v, digits)


def note_list(notes: str | Sequence[str] | None) -> list[str]:
    """Table notes as a list: None -> [], one string -> [string], a sequence -> a list."""
    if notes is None or notes is False:
        return []
    if isinstance(notes, str):
        return [notes]
    return [str(n) for n in notes]


def _as_grid(table: Any, title: str | None = None, notes: str | Sequence[str] | None = None, **kw: Any) -> Grid:
    import pandas as pd

    if isinstance(table, Grid):
        grid = Grid(header=[list(r) for r in table.header], body=[list(r) for r in table.body], rules=set(table.rules), title=table.title, notes=list(table.notes))
    elif hasattr(table, "grid") and callable(table.grid):
        grid = table.grid()
    elif isinstance(table, pd.DataFrame):
        grid = Grid.from_frame(table, **kw)
    else:
        raise InputError(f"Cannot export {type(table).__name__}: pass a DataFrame, a Grid or a table object.")
    if title is not None:
        grid.title = title
    if notes is not None:
        grid.notes = note_list(notes)
    return grid


# --------------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------------


def _md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def render_markdown(grid: Grid) -> str:
    """Pipe table. Markdown has one header row: extra header rows become the first body rows."""
    lines = []
    if grid.title:
        lines += [f"**{_md_escape(grid.title)}**", ""]
    head = grid.header[-1] if grid.header else [""] * grid.ncols
    pre = grid.header[:-1]
    lines.append("| " + " | ".join(_md_escape(c) for c in head) + " |")
    lines.append("|" + "|".join([":---"] + [":---:"] * (grid.ncols - 1)) + "|")
    for r in [*pre, *grid.body]:
        lines.append("| " + " | ".join(_md_escape(c) for c in r) + " |")
    if grid.notes:
        lines.append("")
        lines += [_md_escape(n) for n in grid.notes]
    return "\n".join(lines) + "\n"


def render_html(grid: Grid) -> str:
    """HTML table in three-line style (inline CSS: top/bottom rules, header rule, no verticals)."""
    e = html.escape
    thick, thin = "2px solid #000", "1px solid #000"
    out = [
        '<table class="exportlens-table" style="border-collapse:collapse;border-top:'
        + thick
        + ";border-bottom:"
        + thick
        + ';">'
    ]
    if grid.title:
        out.append(f'<caption style="caption-side:top;font-weight:bold;">{e(grid.title)}</caption>')
    out.append("<thead>")
    for i, row in enumerate(grid.header):
        last = i == len(grid.header) - 1
        cells = []
        for start, length, text in grid.spans(row):
            style = "padding:2px 8px;text-align:" + ("left" if start == 0 else "center") + ";"
            if last:
                style += f"border-bottom:{thin};"
            elif start > 0 and text:
                style += f"border-bottom:{thin};"
            span = f' colspan="{length}"' if length > 1 else ""
            cells.append(f'<th{span} style="{style}">{e(text)}</th>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</thead>")
    out.append("<tbody>")
    for i, row in enumerate(grid.body):
        top = f"border-top:{thin};" if i in grid.rules and i > 0 else ""
        cells = []
        for j, text in enumerate(row):
            align = "left" if j == 0 else "center"
            cells.append(f'<td style="padding:2px 8px;text-align:{align};{top}">{e(text)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody>")
    if grid.notes:
        out.append("<tfoot>")
        for n in grid.notes:
            out.append(f'<tr><td colspan="{grid.ncols}" style="text-align:left;font-size:smaller;padding:2px 8px;">{e(n)}</td></tr>')
        out.append("</tfoot>")
    out.append("</table>")
    return "\n".join(out) + "\n"


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"$<$",
    ">": r"$>$",
    "²": r"$^{2}$",
    "×": r"$\times$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "−": r"$-$",
}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_SPECIALS))
_STARS_RE = re.compile(r"^(.*?)(\*+)$")


def latex_escape(s: str) -> str:
    """Escape LaTeX special characters (and write ², × in math mode)."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], s)


def _latex_cell(s: str, data: bool) -> str:
    if data:
        if _COUNT_RE.match(s.strip()):  # 4,347,686 -> 4{,}347{,}686 (no space after the commas)
            return s.strip().replace(",", "{,}")
        m = _STARS_RE.match(s)
        if m and m.group(1):
            return latex_escape(m.group(1)) + "$^{" + m.group(2) + "}$"
    return latex_escape(s)


def render_latex(grid: Grid, *, environment: bool = True, label: str | None = None) -> str:
    """booktabs table (``\\toprule``/``\\midrule``/``\\bottomrule``), cells escaped.

    Needs ``\\usepackage{booktabs}``; Chinese text needs xeCJK/ctex. ``environment=False``
    returns the bare ``tabular``.
    """
    n = grid.ncols
    lines = []
    if environment:
        lines += [r"\begin{table}[htbp]", r"\centering"]
        if grid.title:
            lines.append(r"\caption{" + latex_escape(grid.title) + "}")
        if label:
            lines.append(r"\label{" + label + "}")
    lines.append(r"\begin{tabular}{l" + "c" * (n - 1) + "}")
    lines.append(r"\toprule")
    for i, row in enumerate(grid.header):
        cells, cmid = [], []
        for start, length, text in grid.spans(row):
            t = latex_escape(text)
            if length > 1:
                cells.append(r"\multicolumn{" + str(length) + "}{c}{" + t + "}")
            else:
                cells.append(t)
            if start > 0 and text and i < len(grid.header) - 1:
                cmid.append(r"\cmidrule(lr){" + f"{start + 1}-{start + length}" + "}")
        lines.append(" & ".join(cells) + r" \\")
        if cmid:
            lines.append(" ".join(cmid))
    lines.append(r"\midrule")
    for i, row in enumerate(grid.body):
        if i in grid.rules and i > 0:
            lines.append(r"\midrule")
        lines.append(" & ".join(_latex_cell(c, j > 0) for j, c in enumerate(row)) + r" \\")
    lines.append(r"\bottomrule")
    lines.append(r"\end{tabular}")
    if grid.notes:
        body = r" \\ ".join(latex_escape(x) for x in grid.notes)
        if environment:
            lines.append(r"\par\smallskip{\footnotesize " + body + "}")
        else:
            lines.append("% " + " ".join(grid.notes).replace("\n", " "))
    if environment:
        lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def render_csv(grid: Grid) -> str:
    """The display grid as CSV (header rows first)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in [*grid.header, *grid.body]:
        w.writerow(r)
    return buf.getvalue()


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int, align: str) -> str:
    gap = w - _width(s)
    if align == "l":
        return s + " " * gap
    left = gap // 2
    return " " * left + s + " " * (gap - left)


def render_text(grid: Grid) -> str:
    """Monospace rendering (East-Asian wide characters count double)."""
    rows = [*grid.header, *grid.body]
    if not rows:
        return ""
    widths = [max(_width(r[j]) for r in rows) for j in range(grid.ncols)]
    total = sum(widths) + 2 * (len(widths) - 1)
    out = []
    if grid.title:
        out.append(grid.title)
    out.append("=" * total)
    for row in grid.header:
        out.append("  ".join(_pad(c, widths[j], "l" if j == 0 else "c") for j, c in enumerate(row)).rstrip())
    out.append("-" * total)
    for i, row in enumerate(grid.body):
        if i in grid.rules and i > 0:
            out.append("-" * total)
        out.append("  ".join(_pad(c, widths[j], "l" if j == 0 else "c") for j, c in enumerate(row)).rstrip())
    out.append("=" * total)
    out += grid.notes
    return "\n".join(out) + "\n"


# ---- Word ------------------------------------------------------------------------------------


def write_docx(
    grid: Grid,
    path: str | Path | BinaryIO | None = None,
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
    宋体). Appends to ``document`` (a python-docx Document) when given; saves to ``path`` (a file
    path or a binary file object) when given. Returns the Document.

    The file is reproducible (:mod:`exportlens.report.office`: fixed zip dates, no creation
    time unless ``SOURCE_DATE_EPOCH`` is set). A table in a file of its own (``path`` without
    ``document``) is written by :func:`write_docx_file`, from python-docx's default template
    loaded once per process; the returned Document is that file, opened.
    """
    if document is None and path is not None:
        import docx

        from exportlens.report.office import write_package

        # one build: the file, and the Document read back from its bytes
        data = write_docx_file(grid, io.BytesIO(), font=font, east_asia_font=east_asia_font, font_size=font_size,
                               note_size=note_size, inner_rules=inner_rules).getvalue()
        write_package(data, path)
        return docx.Document(io.BytesIO(data))
    doc = document if document is not None else _styled_document(font, east_asia_font, font_size)
    body_xml = docx_body_xml(grid, col=_column_twips(_text_block(doc), grid.ncols), own_style=document is None, font=font,
                             east_asia_font=east_asia_font, font_size=font_size, note_size=note_size,
                             inner_rules=inner_rules)
    _insert_body(doc.element.body, body_xml)
    if document is not None and path is not None:
        from exportlens.report.office import normalize_package, write_package

        buf = io.BytesIO()
        doc.save(buf)
        write_package(normalize_package(buf.getvalue()), path)
    return doc


def _styled_document(font: str, east_asia_font: str, font_size: float) -> Any:
    """python-docx's default document whose Normal style carries the tables' fonts, size and spacing.

    In a document of our own the Normal style carries fonts, size and spacing, so body cells
    need no per-run formatting (python-docx run formatting costs ~1 ms a cell). In a caller's
    document we must not touch its styles and format every run instead (:func:`docx_body_xml`).
    """
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
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
    return doc


def _text_block(doc: Any) -> int:
    """The width of the text block of the document's last section (EMU)."""
    from docx.shared import Pt

    section = doc.sections[-1]
    return int((section.page_width or Pt(612)) - (section.left_margin or Pt(72)) - (section.right_margin or Pt(72)))


def _column_twips(block: int, ncols: int) -> int:
    """Equal column widths filling a text block ``block`` EMU wide (twips)."""
    from docx.shared import Emu

    return int(Emu(block // ncols).twips) if ncols > 0 else 0


def _insert_body(body: Any, body_xml: str) -> None:
    """Insert the elements of ``body_xml`` (:func:`docx_body_xml`) before the body's ``w:sectPr``."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    fragment = parse_xml(f"<w:body {nsdecls('w')}>{body_xml}</w:body>")
    sect = body.find(qn("w:sectPr"))
    for el in list(fragment):
        # a copy, not the element itself: lxml moves a subtree out of another document in time
        # quadratic in its size (0.9 s for a 310-row table), and copies it in linear time
        el = copy.deepcopy(el)
        if sect is not None:
            sect.addprevious(el)
        else:
            body.append(el)


def docx_body_xml(
    grid: Grid,
    *,
    col: int,
    own_style: bool,
    font: str = "Times New Roman",
    east_asia_font: str = "SimSun",
    font_size: float = 10.5,
    note_size: float = 9.0,
    inner_rules: bool = True,
) -> str:
    """The title, table and notes of a Word three-line table as one XML string: the elements of a
    ``w:body`` (paragraph, table, paragraphs), with the ``w:`` prefix of WordprocessingML undeclared.

    ``col``: the width of each column in twips. ``own_style``: the document's Normal style
    carries ``font``/``font_size`` (:func:`_styled_document`), so plain cells need no run
    properties. The same elements python-docx's cell, merge and run calls make
    (tests/test_docx_writer.py compares the two), without thousands of python-docx element
    look-ups (~1 ms a cell).
    """
    from docx.shared import Pt

    rfonts_xml = (f'<w:rFonts w:ascii="{_xml_attr(font)}" w:hAnsi="{_xml_attr(font)}" w:cs="{_xml_attr(font)}" '
                  f'w:eastAsia="{_xml_attr(east_asia_font)}"/>')

    def para(text: str, size: float, bold: bool = False, align: str = "left") -> str:
        if own_style and size == font_size and not bold:
            return f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr><w:r>{_run_text_xml(text)}</w:r></w:p>'
        b = "<w:b/>" if bold else '<w:b w:val="0"/>'
        return (f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/><w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>'
                f'{rfonts_xml}{b}<w:sz w:val="{int(Pt(size).pt * 2)}"/></w:rPr>{_run_text_xml(text)}</w:r></w:p>')

    def tc(text: str, width: int, span: int, align: str, border: str = "") -> str:
        grid_span = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width * span}"/>{grid_span}{border}</w:tcPr>'
                f"{para(text, font_size, align=align)}</w:tc>")

    def border(side: str, size: int) -> str:
        return f'<w:tcBorders><w:{side} w:val="single" w:sz="{size}" w:space="0" w:color="000000"/></w:tcBorders>'

    parts = []
    if grid.title:
        parts.append(para(grid.title, font_size, bold=True, align="center"))
    rows = []
    for i, row in enumerate(grid.header):
        last = i == len(grid.header) - 1
        cells = []
        for start, length, text in grid.spans(row):
            rule = border("bottom", 6) if last else (border("bottom", 4) if start > 0 and text and length > 1 else "")
            cells.append(tc(text, col, length, "left" if start == 0 else "center", rule))
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    for i, row in enumerate(grid.body):
        rule = border("top", 4) if inner_rules and i in grid.rules and i > 0 else ""
        rows.append("<w:tr>" + "".join(tc(text, col, 1, "left" if j == 0 else "center", rule)
                                        for j, text in enumerate(row)) + "</w:tr>")
    parts.append(
        '<w:tbl><w:tblPr><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/><w:tblBorders>'
        '<w:top w:val="single" w:sz="12" w:space="0" w:color="000000"/><w:left w:val="nil"/>'
        '<w:bottom w:val="single" w:sz="12" w:space="0" w:color="000000"/><w:right w:val="nil"/>'
        '<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
        '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
        'w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>' + f'<w:gridCol w:w="{col}"/>' * grid.ncols
        + "</w:tblGrid>" + "".join(rows) + "</w:tbl>")
    parts += [para(n, note_size, align="left") for n in grid.notes]
    return "".join(parts)


@dataclass(frozen=True)
class _DocxTemplate:
    """python-docx's default document with the tables' Normal style, saved once per process."""

    base: bytes  # the package without word/document.xml (exportlens.report.office.package_bytes)
    head: str  # the template's word/document.xml (as python-docx serialises it) up to the body's w:sectPr
    tail: str  # ... and from there on
    block: int  # the text block's width (EMU)


_DOCX_TEMPLATES: dict[tuple[Any, ...], _DocxTemplate] = {}
_DOCUMENT_PART = "word/document.xml"


def _docx_template(font: str, east_asia_font: str, font_size: float) -> _DocxTemplate:
    """The template of :func:`write_docx_file` for these fonts (and the current ``SOURCE_DATE_EPOCH``)."""
    import zipfile

    from exportlens.report.office import core_time, package_bytes, zip_date

    key = (font, east_asia_font, font_size, zip_date(), core_time())
    cached = _DOCX_TEMPLATES.get(key)
    if cached is not None:
        return cached
    doc = _styled_document(font, east_asia_font, font_size)
    block = _text_block(doc)
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as z:
        entries = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    document_xml = dict(entries)[_DOCUMENT_PART].decode("utf-8")
    cut = document_xml.rfind("<w:sectPr")  # the body's section properties (last child of w:body)
    if cut < 0:
        cut = document_xml.rindex("</w:body>")
    template = _DocxTemplate(base=package_bytes([e for e in entries if e[0] != _DOCUMENT_PART]),
                             head=document_xml[:cut], tail=document_xml[cut:], block=block)
    _DOCX_TEMPLATES[key] = template
    return template


def write_docx_file(
    grid: Grid,
    path: str | Path | BinaryIO,
    *,
    font: str = "Times New Roman",
    east_asia_font: str = "SimSun",
    font_size: float = 10.5,
    note_size: float = 9.0,
    inner_rules: bool = True,
) -> Any:
    """Write the grid as a Word file of its own (the table of :func:`write_docx`), reproducibly.

    python-docx's default template is read, given the tables' Normal style and saved once per
    process; each table then only builds and compresses its ``word/document.xml`` and appends it
    to the template's other parts (compressed once): the file holds the same parts as
    ``write_docx(grid)`` saved by python-docx (tests/test_office.py compares them), with fixed
    zip dates and no creation time (:mod:`exportlens.report.office`). ``path``: a file path (the
    Path is returned) or a binary file object.

    Measured (2026-11-30, ``benchmarks/bench_office.py``: the 28 tables of the resilience and
    synergy demo results in English and Chinese, 1034 body rows, 7 interleaved rounds, medians,
    2 shared cores): a ``docx.Document()`` per table and python-docx's save 598 ms a round
    (21.4 ms a table; 776 ms with the reproducible rewrite), this writer 65 ms (2.3 ms a
    table), ratio 0.11. The parts are byte-identical to python-docx's save but for the dates.
    """
    from docx.opc.oxml import serialize_part_xml
    from lxml import etree

    from exportlens.report.office import add_entries, write_package

    template = _docx_template(font, east_asia_font, font_size)
    body_xml = docx_body_xml(grid, col=_column_twips(template.block, grid.ncols), own_style=True, font=font,
                             east_asia_font=east_asia_font, font_size=font_size, note_size=note_size,
                             inner_rules=inner_rules)
    # the table's elements spliced in before the body's w:sectPr and the whole part parsed once (the
    # XML is checked, no subtree is moved between documents), serialised as python-docx serialises a part
    root = etree.fromstring((template.head + body_xml + template.tail).encode("utf-8"))
    document_xml = serialize_part_xml(root)
    return write_package(add_entries(template.base, [(_DOCUMENT_PART, document_xml)]), path)


def _xml_attr(text: str) -> str:
    from xml.sax.saxutils import quoteattr

    return quoteattr(text)[1:-1]


def _run_text_xml(text: str) -> str:
    """The children of a ``w:r`` holding ``text``, as python-docx's ``run.text = text`` makes them:
    ``w:t`` pieces (``xml:space="preserve"`` when they start or end with white space), a ``w:tab``
    for each tab and a ``w:br`` for each line break."""
    if _RUN_BREAK.search(text) is None:  # most cells: one piece, no split
        if not text:
            return ""
        keep = ' xml:space="preserve"' if len(text.strip()) < len(text) else ""
        return f"<w:t{keep}>{html.escape(text, quote=False)}</w:t>"
    out = []
    for piece in _RUN_BREAK_SPLIT.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            out.append("<w:br/>")
        elif piece:
            keep = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            out.append(f"<w:t{keep}>{html.escape(piece, quote=False)}</w:t>")
    return "".join(out)


_RUN_BREAK = re.compile(r"[\t\r\n]")
_RUN_BREAK_SPLIT = re.compile(r"([\t\r\n])")


# ---- Excel -----------------------------------------------------------------------------------


_NUMBER_RE = re.compile(r"^([-+−]?)(\d+)(?:\.(\d+))?(%?)$")
_COUNT_RE = re.compile(r"^([-−]?)(\d{1,3}(?:,\d{3})+)$")


def xlsx_number(text: str) -> tuple[int | float, str] | None:
    """A display cell as an Excel number and number format, or None when it is not a plain number.

    ``"390"`` -> ``(390, "0")``; ``"-0.029"`` -> ``(-0.029, "0.000")`` (the displayed
    decimals); ``"38.2%"`` -> ``(0.382, "0.0%")``; a count with thousands separators
    (:func:`format_count`) ``"4,347,686"`` -> ``(4347686, "#,##0")``. Cells with significance stars
    (``"0.039***"``), standard errors in parentheses, labels and empty cells return None.
    """
    count = _COUNT_RE.match(text.strip())
    if count is not None:
        return int(count.group(2).replace(",", "")) * (-1 if count.group(1) else 1), "#,##0"
    m = _NUMBER_RE.match(text.strip())
    if m is None:
        return None
    sign, whole, frac, pct = m.groups()
    decimals = len(frac or "")
    value: int | float = float(f"{'-' if sign in ('-', '−') else ''}{whole}.{frac}") if frac else int(whole) * (-1 if sign in ("-", "−") else 1)
    fmt = "0" + ("." + "0" * decimals if decimals else "")
    if pct:
        return float(value) / 100, fmt + "%"
    return value, fmt


def write_xlsx(grid: Grid, path: str | Path | BinaryIO | None = None, *, workbook: Any = None,
               sheet_name: str = "Table") -> Any:
    """Write the grid to an Excel sheet (openpyxl) with three-line borders and merged spans.

    Body cells that are plain numbers (N, R², statistics, weights, shares, scores) are stored
    as numbers with a number format showing the table's decimals (:func:`xlsx_number`);
    coefficients with stars and standard errors in parentheses stay text.

    Appends a sheet to ``workbook`` when given; saves to ``path`` (a file path or a binary file
    object) when given, reproducibly: fixed zip dates and no creation time unless
    ``SOURCE_DATE_EPOCH`` is set (:mod:`exportlens.report.office`). Returns the Workbook.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = workbook if workbook is not None else Workbook()
    if workbook is None:
        ws = wb.active
        ws.title = sheet_name[:31]
    else:
        ws = wb.create_sheet(sheet_name[:31])
    thick, thin = Side(style="medium"), Side(style="thin")
    r0 = 1
    if grid.title:
        ws.cell(row=1, column=1, value=grid.title).font = Font(bold=True)
        if grid.ncols > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=grid.ncols)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        r0 = 2
    rows = [*grid.header, *grid.body]
    nh = len(grid.header)
    # two alignment objects for all cells: openpyxl hashes each assigned style, and building
    # one per cell cost more than writing the cells
    aligned = {"left": Alignment(horizontal="left", vertical="center"),
               "center": Alignment(horizontal="center", vertical="center")}
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            # body cells that are plain numbers are stored as numbers (Excel computes with them),
            # shown with the decimals of the display table; stars, parentheses, labels stay text
            number = xlsx_number(text) if i >= nh and j > 0 else None
            c = ws.cell(row=r0 + i, column=j + 1, value=text if number is None else number[0])
            if number is not None:
                c.number_format = number[1]
            c.alignment = aligned["left" if j == 0 else "center"]
    for i, row in enumerate(grid.header):
        for start, length, _text in grid.spans(row):
            if length > 1:
                ws.merge_cells(start_row=r0 + i, start_column=start + 1, end_row=r0 + i, end_column=start + length)
    last_row = r0 + len(rows) - 1
    for j in range(1, grid.ncols + 1):
        top = ws.cell(row=r0, column=j)
        top.border = Border(top=thick, bottom=thin if nh == 1 else None)
        if nh > 1:
            hb = ws.cell(row=r0 + nh - 1, column=j)
            hb.border = Border(bottom=thin)
        if grid.rules:
            for ri in grid.rules:
                if 0 < ri < len(grid.body):
                    cell = ws.cell(row=r0 + nh + ri, column=j)
                    cell.border = Border(top=thin)
        bottom = ws.cell(row=last_row, column=j)
        b = bottom.border
        bottom.border = Border(top=b.top, bottom=thick)
    for k, n in enumerate(grid.notes, start=1):
        ws.cell(row=last_row + k, column=1, value=n).font = Font(size=9)
    for j in range(grid.ncols):
        width = max((_width(r[j]) for r in rows), default=8)
        ws.column_dimensions[get_column_letter(j + 1)].width = min(max(width + 2, 8), 60)
    if path is not None:
        from exportlens.report.office import normalize_package, write_package

        buf = io.BytesIO()
        wb.save(buf)
        # fixed zip dates and no creation time (openpyxl stamps the current time), so re-runs write the same bytes
        write_package(normalize_package(buf.getvalue()), path)
    return wb


# ---- dispatcher ------------------------------------------------------------------------------


def export_grid(
    table: Any,
    path_or_format: str | Path,
    *,
    title: str | None = None,
    notes: str | Sequence[str] | None = None,
    **options: Any,
) -> str | Path:
    """Export a table (DataFrame, :class:`Grid`, or an object with ``.grid()``).

    ``path_or_format`` is either a format name - ``"markdown"``/``"md"``, ``"html"``,
    ``"latex"``/``"tex"``, ``"csv"``, ``"text"`` - and the rendered string is returned, or a
    file path whose suffix (.md, .html, .tex, .csv, .txt, .docx, .xlsx) chooses the format;
    the file is written (UTF-8) and its Path returned. Word and Excel need a path.
    ``title``/``notes`` override the table's own. ``options`` go to the renderer (e.g.
    ``environment=False`` for LaTeX, ``east_asia_font=`` for Word, ``sheet_name=`` for Excel)
    or, for a DataFrame, to :meth:`Grid.from_frame` (``index``, ``digits``, ``rules``).

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import export_grid
    >>> frame = pd.DataFrame({"vag": [0.766, 0.641]}, index=["mean", "sd"])
    >>> print(export_grid(frame, "markdown", title="Vag"))
    **Vag**
    <BLANKLINE>
    |  | vag |
    |:---|:---:|
    | mean | 0.766 |
    | sd | 0.641 |
    >>> export_grid(frame, "vag.md", digits=2).name  # the suffix chooses the format
    'vag.md'
    >>> from pathlib import Path
    >>> print(Path("vag.md").read_text(encoding="utf-8"))
    |  | vag |
    |:---|:---:|
    | mean | 0.77 |
    | sd | 0.64 |
    >>> export_grid(frame, "vag.docx").name
    'vag.docx'
    """
    frame_opts = {k: options.pop(k) for k in ("index", "digits", "rules") if k in options}
    grid = _as_grid(table, title=title, notes=notes, **frame_opts)
    key = str(path_or_format)
    fmt: str | None
    if isinstance(path_or_format, str) and key.lower() in FORMATS:
        fmt = key.lower()
        if fmt in {"docx", "xlsx", "excel"}:
            raise InputError(f"Format {fmt!r} is binary: pass a file path ending in {FORMATS[fmt]}.")
        return _render_str(grid, fmt, **options)
    path = Path(path_or_format)
    fmt = _SUFFIX_FORMAT.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"Cannot tell the format of {str(path)!r}: use a suffix among {sorted(_SUFFIX_FORMAT)} or a format name among {sorted(FORMATS)}.")
    if path.parent and not path.parent.exists():
        raise InputError(f"Directory {str(path.parent)!r} does not exist.")
    if fmt == "docx":  # the path is returned: no python-docx Document is needed unless one is passed
        (write_docx if "document" in options else write_docx_file)(grid, path, **options)
    elif fmt == "xlsx":
        write_xlsx(grid, path, **options)
    else:
        path.write_text(_render_str(grid, fmt, **options), encoding="utf-8")
    return path


def _render_str(grid: Grid, fmt: str, **options: Any) -> str:
    if fmt in {"markdown", "md"}:
        return render_markdown(grid)
    if fmt == "html":
        return render_html(grid)
    if fmt in {"latex", "tex"}:
        return render_latex(grid, **options)
    if fmt == "csv":
        return render_csv(grid)
    return render_text(grid)


class GridExportMixin:
    """``to_markdown/to_html/to_latex/to_docx/to_excel/to_text`` for classes with ``grid()``."""

    def grid(self) -> Grid:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_markdown(self, path: str | Path | None = None) -> str:
        text = render_markdown(self.grid())
        return write_text(text, path)

    def to_html(self, path: str | Path | None = None) -> str:
        text = render_html(self.grid())
        return write_text(text, path)

    def to_latex(self, path: str | Path | None = None, *, environment: bool = True, label: str | None = None) -> str:
        text = render_latex(self.grid(), environment=environment, label=label)
        return write_text(text, path)

    def to_text(self) -> str:
        return render_text(self.grid())

    def to_docx(self, path: str | Path | None = None, *, document: Any = None, **options: Any) -> Any:
        """Word three-line table; saves to ``path`` and/or appends to ``document``; returns the Document."""
        if path is None and document is None:
            raise InputError("to_docx needs a path or a python-docx document.")
        return write_docx(self.grid(), path, document=document, **options)

    def to_excel(self, path: str | Path | None = None, *, workbook: Any = None, sheet_name: str = "Table") -> Any:
        """Excel sheet; saves to ``path`` and/or adds a sheet to ``workbook``; returns the Workbook."""
        if path is None and workbook is None:
            raise InputError("to_excel needs a path or an openpyxl workbook.")
        return write_xlsx(self.grid(), path, workbook=workbook, sheet_name=sheet_name)

    def export(self, path_or_format: str | Path, **options: Any) -> str | Path:
        """Any format by name or file suffix (see :func:`export_grid`)."""
        return export_grid(self.grid(), path_or_format, **options)

    def __str__(self) -> str:
        return self.to_text()


def write_text(text: str, path: str | Path | None) -> str:
    """Write ``text`` to ``path`` (UTF-8) when a path is given; return the text either way."""
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text



#: File formats every study writes (suffixes).
TABLE_FORMATS = ("md", "html", "tex", "docx", "xlsx", "csv")


@dataclass
class FrameTable(GridExportMixin):
    """A DataFrame shown as a publication table (title, notes, formatted numbers).

    The index is written as the first (stub) column when ``index=True``. ``to_csv`` writes
    the raw frame (full precision) for machines; the other formats show ``digits`` decimals.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import FrameTable
    >>> frame = pd.DataFrame({"exports": [5012.3456, 2101.5], "share": [0.2014, 0.0845]},
    ...                      index=pd.Index(["Guangdong", "Jiangsu"], name="province"))
    >>> table = FrameTable(frame, title="Top exporters", notes=["SYNTHETIC numbers."], digits=2)
    >>> print(table.to_markdown())
    **Top exporters**
    <BLANKLINE>
    | province | exports | share |
    |:---|:---:|:---:|
    | Guangdong | 5012.35 | 0.20 |
    | Jiangsu | 2101.50 | 0.08 |
    <BLANKLINE>
    SYNTHETIC numbers.
    >>> table.to_csv("top.csv").splitlines()[1]  # CSV keeps full precision
    'Guangdong,5012.3456,0.2014'
    """

    frame: pd.DataFrame
    title: str | None = None
    notes: list[str] = field(default_factory=list)
    digits: int = 3
    index: bool = True

    def grid(self) -> Grid:
        frame = self.frame.reset_index() if self.index else self.frame
        header = [[str(c) for c in frame.columns]]
        body = [[_cell(v, self.digits) for v in row] for row in frame.itertuples(index=False)]
        return Grid(header=header, body=body, title=self.title, notes=list(self.notes))

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_csv(self, path: str | Path | None = None) -> str:
        text = (self.frame.reset_index() if self.index else self.frame).to_csv(index=False, float_format="%.10g")
        return write_text(text, path)

    def summary(self) -> str:
        return self.to_text()


class RelabelledTable(GridExportMixin):
    """A table shown with its words passed through ``relabel``: title, notes, headers and text
    cells in every format (the CSV too); numbers, ``to_frame`` and every other attribute are
    those of the wrapped ``table``. Used to name the regions of a run on a region table
    ("city" for "province") in tables built with the province wording.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import FrameTable, RelabelledTable
    >>> table = FrameTable(pd.DataFrame({"score": [0.5]}, index=pd.Index(["R00001"], name="Province")),
    ...                    title="Provinces ranked", digits=2)
    >>> from exportlens.text import region_wording
    >>> print(RelabelledTable(table, lambda s: region_wording(s, "city")).to_markdown())
    **Cities ranked**
    <BLANKLINE>
    | City | score |
    |:---|:---:|
    | R00001 | 0.50 |
    <BLANKLINE>
    """

    def __init__(self, table: Any, relabel: Callable[[str], str]) -> None:
        self.table = table
        self.relabel = relabel

    def grid(self) -> Grid:
        g, f = self.table.grid(), self.relabel
        return Grid(header=[[f(c) for c in row] for row in g.header], body=[[f(c) for c in row] for row in g.body],
                    rules=set(g.rules), title=f(g.title) if g.title else g.title, notes=[f(n) for n in g.notes])

    def to_frame(self) -> pd.DataFrame:
        frame: pd.DataFrame = self.table.to_frame()
        return frame

    def to_csv(self, path: str | Path | None = None) -> str:
        return write_text(self.relabel(self.table.to_csv()), path)

    def summary(self) -> str:
        return self.to_text()

    def __getattr__(self, name: str) -> Any:  # frame, results, labels ... of the wrapped table
        if name in ("table", "relabel"):
            raise AttributeError(name)
        return getattr(self.table, name)


def write_tables(tables: Mapping[str, Any], out_dir: str | Path, formats: Sequence[str] | None = None) -> list[Path]:
    """Write each table (``name -> table with to_markdown/to_html/to_latex/to_docx/to_excel/to_csv``)
    in each format to ``out_dir/name.<suffix>``; returns the paths written.

    Examples
    --------
    >>> import pandas as pd
    >>> from exportlens.report import FrameTable, write_tables
    >>> table = FrameTable(pd.DataFrame({"vag": [0.766, 0.641]}, index=["mean", "sd"]))
    >>> paths = write_tables({"table1": table}, "tables", formats=["md", "csv", "xlsx"])
    >>> sorted(p.name for p in paths)
    ['table1.csv', 'table1.md', 'table1.xlsx']
    """
    formats = list(formats or TABLE_FORMATS)
    bad = [f for f in formats if f not in TABLE_FORMATS]
    if bad:
        raise InputError(f"Unknown table format(s) {bad}; available: {', '.join(TABLE_FORMATS)}.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in tables.items():
        for f in formats:
            path = out / f"{name}.{f}"
            if f == "md":
                path.write_text(table.to_markdown(), encoding="utf-8")
            elif f == "html":
                path.write_text(table.to_html(), encoding="utf-8")
            elif f == "tex":
                path.write_text(table.to_latex(), encoding="utf-8")
            elif f == "docx":
                if hasattr(table, "grid"):  # no python-docx Document needed: the cached template's parts
                    write_docx_file(table.grid(), path)
                else:
                    table.to_docx(path)
            elif f == "xlsx":
                table.to_excel(path)
            else:
                table.to_csv(path)
            written.append(path)
    return written
