"""Benchmark: the whole linkage study (entropy + AHP) on the SYNTHETIC demo cube.

Prints, in one run on this machine (median of REPEATS runs after one warm-up):
- the wall time of the whole demo study, tables only: checks and pivot of the 31 x 63 x 16
  long table, AHP, 31 per-province entropy/composite computations, TOPSIS, robustness,
  and Tables 1-11 built in Chinese (no figures, nothing written) -- the issue's target;
- the time to write those tables in each of the six formats (md, html, tex, csv, xlsx,
  docx), and the study including the writing.

Target (issue 4): whole study on the demo cube < 2 s.
Run: python benchmarks/bench_linkage.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
TARGET_S = 2.0


def _median_time(func, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    t0 = time.perf_counter()
    from exportlens.datasets.demo_linkage import linkage_demo_cube
    from exportlens.report.tables import TABLE_FORMATS, write_tables
    from exportlens.studies.linkage import LinkageStudySpec, run_linkage_study

    import_s = time.perf_counter() - t0
    cube = linkage_demo_cube()
    spec = LinkageStudySpec()

    t0 = time.perf_counter()
    result = run_linkage_study(cube, spec)
    tables = result.tables("zh")
    cold_s = time.perf_counter() - t0

    whole = _median_time(lambda: run_linkage_study(cube, spec).tables("zh"))

    tmp = Path(tempfile.mkdtemp(prefix="exportlens-bench-linkage-"))
    counter = iter(range(10_000))
    per_format = {
        f: _median_time(lambda f=f: write_tables(tables, tmp / f"{f}{next(counter)}", [f]), repeats=max(1, REPEATS // 2))
        for f in TABLE_FORMATS
    }
    written = whole + sum(per_format.values())
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; median of {REPEATS} runs")
    print(f"imports (exportlens, pandas):                   {import_s:8.3f} s (one-off)")
    print(f"first (cold) study run + tables:                {cold_s:8.3f} s (one-off)")
    status = "OK" if whole < TARGET_S else "MISSED"
    print(f"whole demo study, tables only (31x63x16):       {whole:8.3f} s   target < {TARGET_S:g} s: {status}")
    for f, s in per_format.items():
        print(f"  writing the 12 tables as {f:<5}                {s:8.3f} s")
    print(f"study + writing all six formats:                {written:8.3f} s   (docx/xlsx writers of report.tables)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
