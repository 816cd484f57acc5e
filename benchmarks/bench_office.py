"""Benchmark: Word and Excel table files, python-docx/openpyxl's own save vs exportlens' writers
(issue 17: reproducible Office files, demo speed).

Every table of the resilience and synergy demo results, in English and Chinese (28 tables, one
of 310 rows), is written per round by each variant, interleaved (A, B, C, A, B, C, ... after a
warm-up round); medians of the round times are printed with their ratios.

Word:
* ``python-docx``: what exportlens did before: ``docx.Document()`` per table (reads and parses
  python-docx's default template: ~8 ms), the tables' Normal style, the table XML, ``save``
  (compresses the 0.8 MB of styles again). Not reproducible: zip entries dated now.
* ``python-docx + rewrite``: the same, then :func:`exportlens.report.office.normalize_package`
  (fixed dates): the price of reproducibility done the simple way (inflate and deflate again).
* ``cached template``: :func:`exportlens.report.tables.write_docx_file`, what runs use now: the
  template styled and saved once per process, each table only builds and compresses its
  ``word/document.xml`` and appends it to the template's compressed parts. Same parts (tested).

Excel: ``openpyxl`` (``Workbook.save``, dated now) vs ``openpyxl + rewrite`` (what
:func:`exportlens.report.tables.write_xlsx` does now).

Run: python benchmarks/bench_office.py   (BENCH_REPEATS=7 by default)
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import warnings
from pathlib import Path

from common import interleaved, machine

from exportlens.report.office import normalize_package
from exportlens.report.tables import write_docx, write_docx_file, write_xlsx
from exportlens.studies import load_study

REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def demo_grids() -> list:
    grids = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("resilience", "synergy"):
            definition = load_study(name)
            spec = definition.spec_class()
            result = definition.run(definition.load(spec), spec)
            for lang in ("en", "zh"):
                grids += [table.grid() for table in result.tables(lang).values()]
    return grids


def main() -> int:
    print(f"Word/Excel table files benchmark; {machine()}; {REPEATS} interleaved rounds")
    grids = demo_grids()
    rows = sum(len(g.body) for g in grids)
    print(f"{len(grids)} tables, {rows} body rows per round")
    tmp = Path(tempfile.mkdtemp(prefix="exportlens-bench-office-"))

    def docx_plain() -> None:
        for i, grid in enumerate(grids):
            write_docx(grid).save(str(tmp / f"a{i}.docx"))

    def docx_rewrite() -> None:
        for i, grid in enumerate(grids):
            buf = io.BytesIO()
            write_docx(grid).save(buf)
            (tmp / f"b{i}.docx").write_bytes(normalize_package(buf.getvalue()))

    def docx_cached() -> None:
        for i, grid in enumerate(grids):
            write_docx_file(grid, tmp / f"c{i}.docx")

    def xlsx_plain() -> None:
        for i, grid in enumerate(grids):
            write_xlsx(grid).save(str(tmp / f"d{i}.xlsx"))

    def xlsx_rewrite() -> None:
        for i, grid in enumerate(grids):
            write_xlsx(grid, tmp / f"e{i}.xlsx")

    word = interleaved([docx_plain, docx_rewrite, docx_cached], REPEATS)
    excel = interleaved([xlsx_plain, xlsx_rewrite], REPEATS)
    shutil.rmtree(tmp, ignore_errors=True)
    for name, t in zip(["python-docx", "python-docx + rewrite", "cached template"], word, strict=True):
        print(f"  Word  {name:<24} {t * 1000:8.1f} ms a round   {t / len(grids) * 1000:6.2f} ms a table")
    for name, t in zip(["openpyxl", "openpyxl + rewrite"], excel, strict=True):
        print(f"  Excel {name:<24} {t * 1000:8.1f} ms a round   {t / len(grids) * 1000:6.2f} ms a table")
    print(f"ratio Word cached template / python-docx: {word[2] / word[0]:5.2f}; "
          f"rewrite / python-docx: {word[1] / word[0]:5.2f}")
    print(f"ratio Excel rewrite / openpyxl: {excel[1] / excel[0]:5.2f}")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
