"""One Word document per run (``report.docx``), the same content as the HTML report.

Tables are three-line tables (三线表: top and bottom rules, a rule under the header, no
vertical lines; :func:`exportlens.report.tables.write_docx`) with numbered captions above
(表1 / Table 1) and their notes below; figures and formulas are PNG pictures with numbered
captions below (图1 / Figure 1). The file is deterministic (:mod:`exportlens.report.office`):
the core properties' dates come from the run's manifest (``created_utc``; from
``SOURCE_DATE_EPOCH`` when that is set) and the zip entries carry a fixed date, so rebuilding
from the same run folder gives the same bytes.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from exportlens.report.content import RunContent, collect_run
from exportlens.report.formulas import formula_png
from exportlens.report.html import LABELS, figure_caption_numbered, table_caption
from exportlens.report.office import normalize_package
from exportlens.report.tables import write_docx

__all__ = ["render_report_docx", "write_docx_report"]


def _run_time(content: RunContent) -> datetime:
    stamp = str(content.manifest.get("created_utc") or "")
    try:
        t = datetime.fromisoformat(stamp)
    except ValueError:
        return datetime(2000, 1, 1, tzinfo=UTC)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def render_report_docx(content: RunContent) -> bytes:
    """The Word report of a run as .docx bytes."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    lang = content.lang
    t = LABELS[lang]
    m = content.manifest
    doc = docx.Document()
    # one East-Asian font for all text (宋体 / SimSun, the journals' body font)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "SimSun")

    doc.add_heading(content.title, level=0)
    if content.synthetic:
        doc.add_paragraph().add_run(t["synthetic"]).bold = True
    question = content.text.question.get(lang, "")
    if question:
        doc.add_heading(t["question"], level=1)
        doc.add_paragraph(question)
    doc.add_heading(t["reading"], level=1)
    for paragraph in content.reading:
        doc.add_paragraph(paragraph)

    doc.add_heading(t["data"], level=1)
    doc.add_paragraph(f"{t['run']}: {m.get('study', '')}; {t['created']}: {m.get('created_utc', '')}")
    doc.add_paragraph(f"{t['command']}: {' '.join(map(str, m.get('command') or []))}")
    doc.add_paragraph(f"Python {m.get('python', '')} ({m.get('platform', '')})")
    inputs = m.get("inputs") or {}
    doc.add_paragraph(t["inputs"] + ":")
    if inputs:
        for k, v in inputs.items():
            doc.add_paragraph(f"{k}: {v.get('path', '')}  SHA-256 {v.get('sha256', '')}", style="List Bullet")
    else:
        doc.add_paragraph(t["none"])
    packages = "; ".join(f"{k} {v}" for k, v in (m.get("packages") or {}).items())
    doc.add_paragraph(f"{t['packages']}: {packages}")

    if content.text.methods:
        doc.add_heading(t["methods"], level=1)
        for zh, en, latex in content.text.methods:
            doc.add_paragraph(zh if lang == "zh" else en)
            if latex:
                p = doc.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                # natural size: the PNG carries its dpi, so formulas keep the same type size
                p.add_run().add_picture(io.BytesIO(formula_png(latex)))

    doc.add_heading(t["tables"], level=1)
    for i, table in enumerate(content.tables, start=1):
        grid = table.grid
        grid.title = table_caption(i, table.title, lang)
        write_docx(grid, document=doc)
        doc.add_paragraph()

    if content.figures:
        doc.add_heading(t["figures"], level=1)
        for i, fig in enumerate(content.figures, start=1):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(fig.png), width=Cm(15))
            cap = doc.add_paragraph()
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            cap.add_run(figure_caption_numbered(i, fig.caption, lang)).bold = True

    if content.notes:
        doc.add_heading(t["notes"], level=1)
        for line in content.notes.splitlines():
            if line.strip():
                doc.add_paragraph(line)

    when = _run_time(content).replace(tzinfo=None)
    props = doc.core_properties
    props.title = content.title
    props.author = "exportlens"
    props.last_modified_by = "exportlens"
    props.created = when
    props.modified = when
    props.last_printed = when
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    # fixed zip dates; created/modified = the run's time, or SOURCE_DATE_EPOCH when set
    return normalize_package(buf.getvalue(), when=_run_time(content))


def write_docx_report(run_dir: str | Path, lang: str | None = None, *, content: RunContent | None = None) -> Path:
    """Write ``report.docx`` into the run folder and return its path."""
    content = content or collect_run(run_dir, lang)
    path = Path(run_dir) / "report.docx"
    path.write_bytes(render_report_docx(content))
    return path
