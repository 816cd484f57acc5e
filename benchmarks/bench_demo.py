"""Benchmark: the wall time of ``exportlens demo`` (all five studies, every table format and
figure), with the import costs it pays.

Runs the demo as a user does (a fresh ``exportlens demo --out DIR`` process each time), in
turn serially (the default) and with figures drawn concurrently (``EXPORTLENS_PARALLEL=1``:
a forked child draws the figures while the tables are written), A, B, A, B, ...; prints
medians, their ratio, the CPU time (user + system, children included) of each, and the
import costs of the heavy libraries, each in a fresh interpreter.

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


def run_demo(out: Path, serial: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the demo process and its children)."""
    env = {**os.environ, "EXPORTLENS_PARALLEL": "0" if serial else "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([str(EXE), "demo", "--out", str(out)], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    shutil.rmtree(out, ignore_errors=True)
    return wall, cpu


def main() -> int:
    print(f"exportlens demo benchmark; {machine()}; {REPEATS} interleaved runs of each")
    imports = ["exportlens.cli", "exportlens.studies.resilience", "pyfixest.estimation", "matplotlib.pyplot",
               "docx", "openpyxl", "pandas", "scipy.linalg"]
    for m in imports:
        print(f"  import {m:<32} {import_cost(m):6.3f} s (fresh process)")
    tmp = Path(tempfile.mkdtemp(prefix="exportlens-bench-demo-"))
    run_demo(tmp / "warmup", serial=False)  # file-system and bytecode caches
    conc, ser = [], []
    for r in range(REPEATS):
        conc.append(run_demo(tmp / f"c{r}", serial=False))
        ser.append(run_demo(tmp / f"s{r}", serial=True))
    wc, ws = statistics.median(w for w, _ in conc), statistics.median(w for w, _ in ser)
    cc, cs = statistics.median(c for _, c in conc), statistics.median(c for _, c in ser)
    print(f"demo, serial (default):                    wall {ws:7.2f} s   CPU {cs:7.2f} s")
    print(f"demo, figures forked (EXPORTLENS_PARALLEL=1): wall {wc:7.2f} s   CPU {cc:7.2f} s")
    print(f"ratio forked / serial (wall):              {wc / ws:7.2f}")
    print(f"target < 8 s on 2 cores: {'met' if ws < 8 else 'NOT met'} ({ws:.2f} s; machine load above)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
