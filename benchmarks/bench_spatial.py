"""Benchmark: spatial panel models (issue 14).

Prints, on this machine:
1. import costs (fresh interpreters): ``import exportlens.spatial`` and ``import spreg``;
2. county scale: a two-way fixed-effects SDM, Lee-Yu corrected, on SYNTHETIC data with
   about 2,850 regions x 10 years and 6-nearest-neighbour weights (sparse LU log-determinant,
   effects with 1,000 simulation draws), median of BENCH_REPEATS runs; target under 60 s on 2 cores;
3. exportlens vs spreg 1.9 ``Panel_FE_Lag`` on the same one-way (unit FE) spatial lag model,
   run interleaved (A, B, A, B, ...), medians and the ratio spreg / exportlens, with the
   largest difference of the estimates; at N = 31 (provinces, contiguity) and at a larger N.

Run: python benchmarks/bench_spatial.py   (BENCH_REPEATS=3 by default)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def import_cost(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return statistics.median(runs)


def county_data(n: int = 2850, t: int = 10, k: int = 6, seed: int = 1):
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    from exportlens.spatial import knn_weights

    rng = np.random.default_rng(seed)
    xy = np.column_stack([rng.uniform(20, 45, n), rng.uniform(90, 122, n)])
    t0 = time.perf_counter()
    w = knn_weights(k, [f"c{i:04d}" for i in range(n)], coordinates=xy)
    t_w = time.perf_counter() - t0
    W = w.sparse()
    lu = splu((sp.identity(n, format="csc") - 0.5 * W).tocsc())
    x = rng.normal(size=(t, n, 2))
    mu, al = rng.normal(size=n), rng.normal(size=t)
    y = np.stack([lu.solve(x[s] @ [1.0, -0.5] + W @ x[s] @ [0.5, 0.3] + mu + al[s] + rng.normal(size=n)) for s in range(t)])
    return w, y, x, t_w


def sar_data(w, t: int, seed: int = 2):
    rng = np.random.default_rng(seed)
    n = w.n
    x = rng.normal(size=(t, n, 2))
    mu = rng.normal(size=n)
    a = np.eye(n) - 0.4 * w.dense()
    y = np.stack([np.linalg.solve(a, x[s] @ [1.0, -0.5] + mu + rng.normal(size=n)) for s in range(t)])
    return y, x


def interleaved(a, b, repeats: int = REPEATS) -> tuple[float, float]:
    ta, tb = [], []
    a()
    b()  # warm-up
    for _ in range(repeats):
        t0 = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def main() -> int:
    print(f"exportlens spatial benchmark; Python {sys.version.split()[0]}, {os.cpu_count()} logical cores, repeats {REPEATS}")
    print(f"import exportlens.spatial: {import_cost('exportlens.spatial'):.3f} s (fresh interpreter, median of 3)")
    print(f"import spreg:              {import_cost('spreg'):.3f} s")
    print(f"import libpysal:           {import_cost('libpysal'):.3f} s")

    from exportlens.spatial import (
        contiguity_weights,
        fit_spatial_panel_arrays,
        knn_weights,
        log_determinant,
        to_libpysal,
    )

    # 2. county scale SDM
    w, y, x, t_w = county_data()
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        res = fit_spatial_panel_arrays(y, x, w, model="sdm", fe="twoway", draws=1000)
        times.append(time.perf_counter() - t0)
    print(f"\nCounty-scale SDM, two-way FE, Lee-Yu: N = {w.n}, T = {y.shape[0]}, 6-NN W (SYNTHETIC, true rho 0.5)")
    print(f"  weights (k-d tree): {t_w:.2f} s; fit incl. effects (1,000 draws): median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}); rho_hat = {res.rho:.4f}")

    # 3. vs spreg Panel_FE_Lag (one-way unit FE SAR)
    import spreg

    cases = {"provinces N=31, T=14, contiguity": (contiguity_weights(), 14),
             "N=500, T=10, 6-NN": (knn_weights(6, list(range(500)), coordinates=np.column_stack(
                 [np.random.default_rng(3).uniform(20, 45, 500), np.random.default_rng(4).uniform(90, 122, 500)])), 10)}
    print("\nUnit-FE spatial lag panel: exportlens fit_spatial_panel_arrays(model='sar', fe='unit', effects=False) "
          "vs spreg.Panel_FE_Lag (A, B interleaved)")
    for label, (wc, t) in cases.items():
        yc, xc = sar_data(wc, t)
        lw = to_libpysal(wc)
        n = wc.n

        method = "eigen" if n <= 100 else "lu"

        def ours(wc=wc, yc=yc, xc=xc, method=method):
            ld = log_determinant(wc, method=method)  # inside the timing: eigenvalues / trace moments
            return fit_spatial_panel_arrays(yc, xc, wc, model="sar", fe="unit", effects=False, bias_correction=False, logdet=ld)

        def theirs(lw=lw, yc=yc, xc=xc, n=n, t=t):
            return spreg.Panel_FE_Lag(yc.reshape(-1, 1), xc.reshape(-1, 2), lw)

        ta, tb = interleaved(ours, theirs)
        diff = np.max(np.abs(ours().coefs["estimate"].iloc[:3].to_numpy() - theirs().betas.ravel()))
        print(f"  {label} (log-det {method}): exportlens {ta * 1e3:.1f} ms, spreg {tb * 1e3:.1f} ms, ratio spreg/exportlens {tb / ta:.1f}x; "
              f"max |diff| of (beta, rho) {diff:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
