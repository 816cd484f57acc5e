"""Benchmark: Hansen (1999) double-threshold model with 300 bootstrap draws, 30 provinces x 14 years.

exportlens (``threshold_regression``: SSR of every grid point from cumulative sums and a
grid x grid cross-product matrix, bootstrap draws vectorised) against the plain method (the
peer/floor): the same estimator with one least-squares fit (``numpy.linalg.lstsq`` on the
within-transformed data) per grid point, per search and per bootstrap draw — what a direct
translation of the textbook procedure (or Stata's xthreg loop) does. Both run the same
procedure (same grid, sequential search with refinement, F tests 0 vs 1 and 1 vs 2 with the
same bootstrap draws), so their thresholds and bootstrap p-values must agree; the script
checks that.

Runs are interleaved (exportlens, peer, exportlens, peer, ...); medians and the ratio are
printed. Import costs: the first exportlens call also pays the lazy imports (pyfixest for the
final regression, scipy); it is timed separately and excluded from the medians.

Target (issue 13): under 10 s. Run: python benchmarks/bench_threshold.py  (BENCH_REPEATS=3)
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
N_PROV, N_YEAR, DRAWS, SEED = 30, 14, 300, 2024


def make_data():
    import pandas as pd

    rng = np.random.default_rng(7)
    n = N_PROV * N_YEAR
    df = pd.DataFrame({"province": np.repeat(np.arange(N_PROV), N_YEAR), "year": np.tile(np.arange(2009, 2009 + N_YEAR), N_PROV)})
    q = rng.uniform(0, 3, n)
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    beta = np.where(q <= 1.0, 0.5, np.where(q <= 2.0, -0.5, 1.0))
    df["y"] = np.repeat(rng.normal(size=N_PROV), N_YEAR) + beta * x + 0.5 * z + rng.normal(scale=0.8, size=n)
    df["x"], df["q"], df["z"] = x, q, z
    return df


def run_exportlens(df):
    from exportlens.econometrics import threshold_regression

    return threshold_regression(df, "y", "x", "q", "z", n_thresholds=2, n_draws=DRAWS, seed=SEED)


def run_plain(df, grid: np.ndarray, min_obs: int):
    """Same estimator, one lstsq per grid point (the floor)."""
    df = df.sort_values(["province", "year"]).reset_index(drop=True)
    ent = df["province"].to_numpy()
    n_ent, n_time = N_PROV, N_YEAR

    def within(a):
        return a - a.reshape(n_ent, n_time, -1).mean(axis=1).repeat(n_time, axis=0).reshape(a.shape)

    del ent
    x, q = df["x"].to_numpy(), df["q"].to_numpy()
    F = within(np.column_stack([x, df["z"].to_numpy()]))
    V = within(np.column_stack([x * (q <= g) for g in grid]))
    cnt = np.array([(q <= g).sum() for g in grid])

    def ssr(y, cols):
        X = np.column_stack([F, V[:, cols]]) if cols else F
        e = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        return float(e @ e)

    def search(y, fixed):
        best, best_s = -1, np.inf
        for g in range(len(grid)):
            if any(abs(cnt[g] - cnt[a]) < min_obs for a in fixed):
                continue
            s = ssr(y, [*fixed, g])
            if s < best_s:
                best, best_s = g, s
        return best, best_s

    def sequential(y, k):
        idx, ssrs = [], [ssr(y, [])]
        for _ in range(k):
            g, s = search(y, idx)
            idx.append(g)
            ssrs.append(s)
        return idx, ssrs

    ystar = within(df["y"].to_numpy()[:, None])[:, 0]
    idx, ssrs = sequential(ystar, 2)
    g1 = idx[0]
    g2, _ = search(ystar, [g1])
    g1r, _ = search(ystar, [g2])
    thresholds = sorted([grid[g1r], grid[g2]])
    dof = n_ent * (n_time - 1)
    rng = np.random.default_rng(SEED)
    pvals, crit5 = [], []
    for k in range(2):
        f_obs = (ssrs[k] - ssrs[k + 1]) / (ssrs[k + 1] / dof)
        cols = idx[: k + 1]
        X = np.column_stack([F, V[:, cols]])
        resid = (ystar - X @ np.linalg.lstsq(X, ystar, rcond=None)[0]).reshape(n_ent, n_time)
        draw = rng.integers(0, n_ent, size=(DRAWS, n_ent))
        fb = []
        for b in range(DRAWS):
            yb = resid[draw[b]].reshape(-1)
            _, sb = sequential(yb, k + 1)
            fb.append((sb[k] - sb[k + 1]) / (sb[k + 1] / dof))
        pvals.append(float(np.mean(np.array(fb) >= f_obs)))
        crit5.append(float(np.quantile(fb, 0.95)))
    return thresholds, pvals, crit5


def main() -> int:
    df = make_data()
    t0 = time.perf_counter()
    import exportlens.econometrics  # noqa: F401

    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    first = run_exportlens(df)
    t_first = time.perf_counter() - t0
    grid = first.lr["gamma"].to_numpy()
    min_obs = int(np.ceil(first.trim * len(df)))
    el_times, peer_times = [], []
    peer = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        res = run_exportlens(df)
        el_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        peer = run_plain(df, grid, min_obs)
        peer_times.append(time.perf_counter() - t0)
    el, pe = statistics.median(el_times), statistics.median(peer_times)
    same_thr = np.allclose(res.thresholds, peer[0])
    same_p = np.allclose(res.tests["p_value"].to_numpy(), peer[1]) and np.allclose(res.tests["crit_5"].to_numpy(), peer[2], rtol=1e-6)
    print(f"data: {N_PROV} provinces x {N_YEAR} years, double threshold, grid {len(grid)}, {DRAWS} bootstrap draws (tests 0v1, 1v2)")
    print(f"import exportlens.econometrics: {t_import:.3f} s; first call (pays pyfixest/scipy imports): {t_first:.3f} s")
    print(f"exportlens threshold_regression: median {el:.3f} s over {REPEATS} runs {[f'{t:.3f}' for t in el_times]}")
    print(f"plain lstsq-per-grid-point loop: median {pe:.3f} s over {REPEATS} runs {[f'{t:.2f}' for t in peer_times]}")
    print(f"ratio plain / exportlens: {pe / el:.1f}x")
    print(f"thresholds exportlens {np.round(res.thresholds, 4).tolist()} vs plain {np.round(peer[0], 4).tolist()}: equal {same_thr}")
    print(f"bootstrap p-values exportlens {res.tests['p_value'].tolist()} vs plain {peer[1]}; 5% bootstrap critical values exportlens {np.round(res.tests['crit_5'].to_numpy(), 4).tolist()} vs plain {np.round(peer[2], 4).tolist()}: equal {same_p}")
    print(f"target < 10 s: {'met' if el < 10 else 'NOT met'}")
    return 0 if same_thr and same_p else 1


if __name__ == "__main__":
    sys.exit(main())
