"""Benchmark: the wall time of ``exportlens demo`` (all six demo runs, every table format,
figure, map, HTML and Word report, manifest), with the import costs it pays.

Runs the demo as a user does (a fresh ``exportlens demo --out DIR`` process each time) in
three variants, interleaved A, B, C, A, B, C, ... after one warm-up round:

* ``workers``: the default, the independent studies in worker processes forked after the
  shared libraries were imported once (``--jobs 0``: one per core);
* ``serial``: ``--jobs 1``, the studies one after the other in one process;
* ``floor``: a fresh process that only imports what the demo imports (exportlens, the study
  modules, pandas, matplotlib, python-docx, openpyxl, pyfixest): no demo can be faster.

It prints medians of wall time and of CPU time (user + system, children included), the
ratios workers/serial and workers/floor, and the import costs of the heavy libraries, each
in a fresh interpreter. On a machine shared with other jobs the ratios are the meaningful
numbers; the absolute times are those of the moment (the load average is printed).

Profile of the demo before issue 17's work (cProfile and a per-phase CPU timer on
``exportlens demo --out /tmp/x``, serial, 2 cores, loaded machine; CPU seconds, 54 in all):

* reports 24.7: the HTML report's embedded CJK font subset 9.3 (fontTools; half of it the
  second pass over the CFF glyphs to recompute bounding boxes), the Word report 9.7 (about
  35k python-docx paragraph/run/property calls for the tables), the province maps 5.4 (of it
  2.3 the first mapclassify import: numba compiles its classifiers, ~6 s in a fresh process);
* tables and figures 15.5: figures (matplotlib draw + PNG) ~10, Word tables 3.2, Excel 1.5;
* the studies' computations and imports ~14 (pyfixest's first call included).

What changed: Word tables are built as one XML string per table and parsed once (the same
XML python-docx's calls made, tested); quantile and user map classes are computed with numpy
(bit-equal to mapclassify, tested; mapclassify only for Fisher-Jenks); the font subset keeps
the full face's bounding boxes; rendered formulas are cached per process; the six demo runs
run in worker processes (``--jobs``). Serial CPU after: about 35 s (reports 12.6, of which
font 5.4, Word report 3.8, maps 3.0; tables and figures 10.9, Word tables 1.6).

Measured (2026-11-30, 2 cores shared with 7 other jobs, load average 6-12, BENCH_REPEATS=2):
before, the serial demo took 52.1 s CPU (``/usr/bin/time``, 2 min 35 s wall); after, serial
40.5 s CPU, workers 42.3 s CPU; wall medians workers 115.6 s, serial 138.9 s (ratio 0.83),
import floor 11.8 s (4.1 s CPU). With ~5 runnable jobs per core the wall times say little;
on an idle 2-core machine the CPU figures put the worker demo near 4 + 36 / 2 = 22 s, so the
8 s target is not met: the remaining CPU is the studies' own computations, matplotlib
figures (~7 s) and the HTML reports' font subsets (~5 s).

Later, at load average 3-4 (``/usr/bin/time``, interleaved, 2 runs each): workers 43.7 and
60.1 s wall (user+sys 48.3, 45.6 s), serial 46.5 and 43.7 s wall (37.7, 35.5 s): with no idle
core the workers gain no wall time and cost ~8 s more CPU (each forked process redoes its
caches: fonts, formulas, matplotlib); ``--jobs 1`` is the choice on a busy machine.

Second round (2026-11-30, issue 17). Per-phase CPU of the serial demo (a timer around each
writer, ``EXPORTLENS_SERIAL=1``), before -> after: HTML font subsets 4.9 -> 2.1 s (cut from a
shipped base subset of the package's own characters, byte-identical to a cut from the full
face; and the page's characters collected from ``set(text)`` instead of a per-character pass
over megabytes of base64 images), Word tables inside the Word reports 2.2 -> 0.2 s (lxml moves
a subtree out of another document in time quadratic in its size: 0.9 s for the 310-row synergy
table; a copy is linear), Excel tables 1.3 -> 0.85 s (two shared alignment objects, not one per
cell). Serial CPU went from 33-35 s to 28.75 s. What remains, measured: matplotlib drawing of
53 images 7-7.5 s (29 study figures, 9 report maps, 24 formula renders; the tight bounding box
adds ~10 %, the PNG encoder ~10 %, CJK glyphs cost the same as Latin: none of it is
avoidable without drawing fewer or smaller figures), the studies' computations ~6 s (64
regressions, the synthetic MRIO tables, the firm pipeline through Ibis/DuckDB), table files
~4 s (seven formats of 63 tables), reports ~4.5 s, imports ~3 s (paid once, in the parent).

Measured after (2026-11-30, load average 2-3 from one other job, BENCH_REPEATS=3): workers
23.1 s wall / 30.4 s CPU (runs 23.1, 19.8, 27.4), serial 29.8 s / 28.8 s, import floor 3.9 s;
workers/serial 0.78. With ~28 s of CPU on 2 cores the demo cannot go below ~14 s wall without
dropping outputs, so the 8 s target is not met. On the otherwise idle machine after the merges
(load average 1.3-2.7, BENCH_REPEATS=2): workers 19.5 s wall (runs 21.1, 18.0; 31.1 s CPU),
serial 29.4 s (30.5 s CPU), import floor 3.4 s; at the start of the day the same command gave
24.3 s for the workers and 34.1 s serial.

Reproducible Office files (2026-11-30, issue 17): the table .docx/.xlsx and report.docx are
now the same bytes on every run (exportlens.report.office: fixed zip dates, no creation time
unless SOURCE_DATE_EPOCH is set), and Word tables are written from python-docx's default
template styled and compressed once per process instead of a ``docx.Document()`` (template
re-read and parsed) and a full save per table. ``benchmarks/bench_office.py`` (28 tables of the
resilience and synergy demo results, en + zh, 7 interleaved rounds, load average 1-2.6): Word
21.4 -> 2.3 ms a table (ratio 0.11; python-docx's save plus the reproducible rewrite would have
cost 27.7 ms), Excel 12.2 -> 12.6-13.1 ms (the rewrite adds 3-8 %). In the serial demo under
cProfile, ``write_tables`` (63 tables, six formats) went from 4.44 to 3.12 s; the whole serial
demo, 3 interleaved runs each (old tree via PYTHONPATH, new), CPU medians 28.8 s before and
29.0 s after: the ~1 s saved is within the run-to-run noise (26.6-31.5 s) of this shared machine.

Measured after the Office writers (2026-11-30, main after the merges, machine otherwise idle,
load average 1.3-1.8, BENCH_REPEATS=2): workers **17.9 s** wall (runs 17.3, 18.5; 28.7 s
CPU), serial 26.2 s (27.4 s CPU), import floor 4.0 s (pyfixest.estimation alone 2.0 s in a
fresh process). Per phase of the serial demo (CPU seconds, a timer around each writer, 27.0 in
all): studies' computations 8.9 (first-call imports included), figures 7.0 (53 images),
reports 6.0 (maps 2.0, HTML 2.4 of which font subsets ~1.4, Word 1.4), tables 2.5 (3.8 before
the Office writers), manifests 0.3, imports before the first run 1.0.
With ~27 s of CPU on 2 cores the demo cannot go below ~4 + 23 / 2 = 15.5 s wall while it writes
everything the README lists; under 8 s needs about 60 % less CPU, i.e. fewer outputs (a
decision about what the demo shows, not an optimisation), so the 8 s target is not met.

Target (issue 17): the demo under 8 s on 2 cores.
Run: python benchmarks/bench_demo.py   (BENCH_REPEATS=3 by default)
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import import_cost, machine

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
EXE = Path(sys.executable).with_name("exportlens")
FLOOR = ("import exportlens.cli, exportlens.report.build, matplotlib.pyplot, docx, openpyxl, pyfixest.estimation\n"
         "from exportlens.studies.registry import STUDIES, load_study\n"
         "[load_study(e.name) for e in STUDIES]")


def _timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_demo(out: Path, jobs: int) -> tuple[float, float]:
    result = _timed([str(EXE), "demo", "--out", str(out), "--jobs", str(jobs)])
    shutil.rmtree(out, ignore_errors=True)
    return result


def main() -> int:
    print(f"exportlens demo benchmark; {machine()}; {REPEATS} interleaved runs of each")
    for m in ["exportlens.cli", "exportlens.studies.resilience", "exportlens.report.build", "pyfixest.estimation",
              "matplotlib.pyplot", "docx", "openpyxl", "pandas", "scipy.linalg", "mapclassify"]:
        print(f"  import {m:<32} {import_cost(m):6.3f} s (fresh process)")
    tmp = Path(tempfile.mkdtemp(prefix="exportlens-bench-demo-"))
    variants = {
        "workers (default)": lambda r: run_demo(tmp / f"w{r}", 0),
        "serial (--jobs 1)": lambda r: run_demo(tmp / f"s{r}", 1),
        "floor (imports only)": lambda r: _timed([sys.executable, "-c", FLOOR]),
    }
    for fn in variants.values():  # warm-up: file-system and bytecode caches
        fn("warmup")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for r in range(REPEATS):
        for name, fn in variants.items():
            times[name].append(fn(r))
    shutil.rmtree(tmp, ignore_errors=True)
    wall = {n: statistics.median(w for w, _ in t) for n, t in times.items()}
    cpu = {n: statistics.median(c for _, c in t) for n, t in times.items()}
    for n in variants:
        print(f"{n:<22} wall {wall[n]:7.2f} s   CPU {cpu[n]:7.2f} s   (runs: "
              + ", ".join(f"{w:.1f}" for w, _ in times[n]) + ")")
    w, s, f = (wall[n] for n in variants)
    print(f"ratio workers / serial (wall): {w / s:5.2f}")
    print(f"ratio workers / floor  (wall): {w / f:5.2f}")
    print(f"load average now {os.getloadavg()[0]:.1f}; target < 8 s on 2 cores: "
          f"{'met' if w < 8 else 'NOT met'} ({w:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
