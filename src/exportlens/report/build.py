"""Reports of a finished run: the one call a study runner or the CLI needs.

``build_reports(run_dir, lang)`` reads the run folder once (:func:`collect_run`) and writes
``report.html`` (self-contained) and ``report.docx`` (three-line tables) into it;
``demo_index(root, runs)`` writes an index page linking several reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from exportlens.report.content import collect_run
from exportlens.report.docx_report import write_docx_report
from exportlens.report.html import demo_index, write_html_report

__all__ = ["Reports", "build_reports", "demo_index"]


@dataclass(frozen=True)
class Reports:
    """Paths of the reports written for one run."""

    html: Path
    docx: Path


def build_reports(run_dir: str | Path, lang: str | None = None, *, maps: bool = True,
                  built: str | None = None) -> Reports:
    """Write ``report.html`` and ``report.docx`` into a finished run folder.

    ``lang`` ("zh" or "en") defaults to the run's language (``manifest["lang"]``, else its
    command's ``--lang``, else the language of its tables). ``maps=False`` leaves out the
    province tile maps. ``built`` overrides the build timestamp shown in the HTML (the only
    part that changes when the reports are rebuilt from the same folder). Raises
    :class:`exportlens.errors.InputError` when the folder is not a finished run.
    """
    content = collect_run(run_dir, lang, with_maps=maps)
    html_path = write_html_report(run_dir, content=content, built=built)
    docx_path = write_docx_report(run_dir, content=content)
    return Reports(html=html_path, docx=docx_path)
