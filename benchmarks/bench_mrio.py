"""Benchmark: provincial value-added decomposition vs a bare LU solve and vs pymrio's calc_all.

Prints, in one run on this machine (median of BENCH_REPEATS interleaved runs, exportlens,
floor and pymrio in turn, after one warm-up round):
- the provincial DVA/PVA/FVA decomposition (decompose_provincial + to_frame + by_sector)
  of a SYNTHETIC 31 x 42 table (CEADs size, n = 1,302) and of a random 76 x 45 table
  (OECD ICIO size, n = 3,420), each on a freshly built table (no cached LU factor);
- the floor: one scipy LU factorisation of I - A plus one solve with the same 2G
  right-hand sides, and the ratio decomposition / floor;
- pymrio 0.7 IOSystem.calc_all() on the same tables (A, L and the value-added extension
  accounts; pymrio has no trade decomposition) and the ratio pymrio / exportlens;
- peak memory of each step (tracemalloc, separate untimed pass) and the process peak RSS.

Targets (issue 5): 31 x 42 under 0.5 s and within 3x of the LU floor, on 2 cores.
Run: python benchmarks/bench_mrio.py
"""

from __future__ import annotations

import dataclasses
import os
import resource
import tracemalloc
import warnings

import numpy as np
from common import import_cost, interleaved, machine

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))


def _peak_mib(func, arg) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    func(arg)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    from scipy.linalg import lu_factor, lu_solve

    from exportlens.datasets.demo_mrio import random_mrio_table, synthetic_mrio_table
    from exportlens.mrio import decompose_provincial
    from exportlens.regions import province_codes

    print(f"exportlens MRIO benchmark; {machine()}; numpy {np.__version__}, repeats {REPEATS} (interleaved)")
    print(f"import cost (fresh process): exportlens.mrio {import_cost('exportlens.mrio'):.3f} s, "
          f"pymrio {import_cost('pymrio'):.3f} s, scipy.linalg {import_cost('scipy.linalg'):.3f} s")
    cases = {
        "31 x 42 (CEADs size, SYNTHETIC)": synthetic_mrio_table(2017, provinces=province_codes()),
        "76 x 45 (ICIO size, random)": random_mrio_table(76, 45, seed=1),
    }

    def fresh(table):
        return lambda: dataclasses.replace(table)  # new object: no cached LU factor

    def ours(t):
        d = decompose_provincial(t)
        d.to_frame()
        d.by_sector()

    def floor(t):
        a = t.Z / t.x[None, :]
        lu = lu_factor(np.eye(t.size) - a, overwrite_a=True, check_finite=False)
        lu_solve(lu, np.ones((t.size, 2 * t.n_regions)), trans=1, check_finite=False)

    def with_pymrio(t):
        io = t.to_pymrio()
        return lambda: io.copy()

    def pymrio_calc(io):
        io.calc_all()

    rows = []
    for name, table in cases.items():
        n = table.size
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_ours, t_floor, t_pymrio = interleaved(
                [ours, floor, pymrio_calc], REPEATS,
                setups=[fresh(table), fresh(table), with_pymrio(table)])
            m_pymrio = _peak_mib(pymrio_calc, with_pymrio(table)())
        m_ours = _peak_mib(ours, fresh(table)())
        m_floor = _peak_mib(floor, fresh(table)())
        rows.append((name, n, t_ours, t_floor, t_pymrio, m_ours, m_floor, m_pymrio))

    print()
    print(f"{'table':<34}{'n':>6}{'exportlens':>12}{'LU floor':>10}{'ratio':>7}{'pymrio':>10}{'pymrio/ours':>13}"
          f"{'peak MiB ours/floor/pymrio':>30}")
    for name, n, t_ours, t_floor, t_pymrio, m_ours, m_floor, m_pymrio in rows:
        print(f"{name:<34}{n:>6}{t_ours:>11.3f}s{t_floor:>9.3f}s{t_ours / t_floor:>7.2f}{t_pymrio:>9.3f}s"
              f"{t_pymrio / t_ours:>13.1f}{m_ours:>14.0f} / {m_floor:.0f} / {m_pymrio:.0f}")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {peak_rss:.0f} MiB")
    first = rows[0]
    ok_time = first[2] < 0.5
    ok_ratio = first[2] <= 3 * first[3]
    print(f"target 31 x 42 < 0.5 s: {'met' if ok_time else 'NOT met'} ({first[2]:.3f} s); "
          f"within 3x of the LU floor: {'met' if ok_ratio else 'NOT met'} ({first[2] / first[3]:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
