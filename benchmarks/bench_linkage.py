"""Benchmark: the whole linkage study (entropy + AHP) on the SYNTHETIC demo cube, against a floor.

Prints, in one run on this machine:

- the wall time of the whole demo study, tables only: checks and pivot of the 31 x 63 x 16
  long table, AHP, 31 per-province entropy/composite computations, TOPSIS, robustness,
  and Tables 1-11 built in Chinese (no figures, nothing written) -- issue 4's target;
- interleaved with it (A, B, A, B, ... after one warm-up round, medians and their ratio),
  a **floor**: the numerical core of the same work written directly in numpy and pymcdm,
  with no checks, notes or tables: pivot the long table, min-max standardise every
  indicator over all pairs (cost indicators flipped), the AHP eigenvector of the 5 x 5
  judgment matrix, then for each of the 31 provinces pymcdm's entropy weights within each
  dimension, the weighted dimension scores and composite, and pymcdm's TOPSIS. Its
  conventions are the textbook ones (the study's shifts, scopes and robustness variants are
  not reproduced), so only the times are compared;
- the import costs (exportlens' study module, pymcdm) in fresh interpreters, and the time
  to write the study's tables in each of the six formats.

Target (issue 4): whole study on the demo cube < 2 s. Needs the test extra (pymcdm).
Run: python benchmarks/bench_linkage.py   (BENCH_REPEATS=5 by default)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import import_cost, interleaved, machine

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
TARGET_S = 2.0


def floor_run(cube, judgments, dimensions: dict[str, list[str]], directions: dict[str, str]) -> dict:
    """The numerical core in numpy + pymcdm (see the module notes); province -> (composite, TOPSIS)."""
    import warnings

    import numpy as np
    from pymcdm.methods import TOPSIS
    from pymcdm.weights import entropy_weights

    wide = cube.pivot_table(index=["province", "country"], columns="indicator", values="value", aggfunc="first")
    codes = [c for d in dimensions.values() for c in d]
    x = wide[codes].to_numpy(dtype=float)
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    z = (x - lo) / np.where(hi > lo, hi - lo, 1.0)
    cost = np.array([directions[c] == "cost" for c in codes])
    z[:, cost] = 1.0 - z[:, cost]
    vals, vecs = np.linalg.eig(np.asarray(judgments, dtype=float))
    k = int(np.argmax(vals.real))
    ahp = np.abs(vecs[:, k].real) / np.abs(vecs[:, k].real).sum()
    blocks = {}
    provinces = wide.index.get_level_values(0).to_numpy()
    types = np.ones(len(codes))
    for p in dict.fromkeys(provinces):
        block = z[provinces == p] + 1e-9  # entropy needs positive shares
        weights = np.empty(len(codes))
        start = 0
        dim_scores = []
        for (_, members), wd in zip(dimensions.items(), ahp, strict=True):
            cols = slice(start, start + len(members))
            w = entropy_weights(block[:, cols])
            weights[cols] = wd * w
            dim_scores.append(block[:, cols] @ w)
            start += len(members)
        composite = np.column_stack(dim_scores) @ ahp
        with warnings.catch_warnings():  # pymcdm warns when the weights sum to 1 only up to rounding
            warnings.simplefilter("ignore", UserWarning)
            blocks[p] = (composite, TOPSIS()(block, weights / weights.sum(), types))
    return blocks


def main() -> int:
    t0 = time.perf_counter()
    from exportlens.datasets.demo_linkage import linkage_demo_cube
    from exportlens.report.tables import TABLE_FORMATS, write_tables
    from exportlens.studies.linkage import LinkageStudySpec, run_linkage_study

    import_s = time.perf_counter() - t0
    cube = linkage_demo_cube()
    spec = LinkageStudySpec()
    system = spec.load_system()
    judgments = spec.judgments(system).to_numpy()
    dimensions = {d: [c for c in system.codes if system.dimension_of()[c] == d] for d in system.dimension_codes}
    directions = system.directions()

    t0 = time.perf_counter()
    result = run_linkage_study(cube, spec)
    tables = result.tables("zh")
    cold_s = time.perf_counter() - t0

    study_s, floor_s = interleaved(
        [lambda: run_linkage_study(cube, spec).tables("zh"), lambda: floor_run(cube, judgments, dimensions, directions)],
        REPEATS)

    tmp = Path(tempfile.mkdtemp(prefix="exportlens-bench-linkage-"))
    counter = iter(range(10_000))
    per_format = {}
    for f in TABLE_FORMATS:
        times = []
        for _ in range(max(1, REPEATS // 2)):
            t = time.perf_counter()
            write_tables(tables, tmp / f"{f}{next(counter)}", [f])
            times.append(time.perf_counter() - t)
        per_format[f] = statistics.median(times)
    print(machine())
    print(f"median of {REPEATS} interleaved runs (study, floor, study, floor, ...) after one warm-up round")
    print(f"imports in this process (exportlens study, pandas):  {import_s:8.3f} s (one-off)")
    print(f"  fresh interpreter: exportlens.studies.linkage {import_cost('exportlens.studies.linkage'):.3f} s, "
          f"pymcdm {import_cost('pymcdm'):.3f} s")
    print(f"first (cold) study run + tables:                     {cold_s:8.3f} s (one-off)")
    status = "met" if study_s < TARGET_S else "NOT met"
    print(f"whole demo study, tables only (31x63x16):            {study_s:8.3f} s   target < {TARGET_S:g} s: {status}")
    print(f"floor (numpy + pymcdm numerical core, no tables):    {floor_s:8.3f} s")
    print(f"ratio study / floor:                                 {study_s / floor_s:8.2f}x")
    for f, s in per_format.items():
        print(f"  writing the {len(tables)} tables as {f:<5}                  {s:8.3f} s")
    print(f"study + writing all six formats:                     {study_s + sum(per_format.values()):8.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
