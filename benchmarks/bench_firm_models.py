"""Benchmark: one firm-level model through exportlens vs bare pyfixest on the same frame.

The model: DHS growth on Vag and one control with firm and year fixed effects, standard
errors clustered by province (:func:`exportlens.econometrics.firm_models.fit_firm_growth`,
which runs :func:`exportlens.econometrics.fit_panel` -> ``pyfixest.feols``), against
``pyfixest.feols("dhs_growth ~ vag + size | firm + year", vcov={"CRV1": "code"})`` on the
same in-memory frame of ``--rows`` SYNTHETIC firm-years (firms of 8 years on average in 31
provinces). Runs interleave (exportlens, pyfixest, exportlens, ...; ``--repeats`` each,
after one warm-up of each that also pays pyfixest's import, reported separately); medians,
ratio, and the peak resident memory of the process. Target (issue 16): ratio <= 1.2 at
10 million firm-years::

    python benchmarks/bench_firm_models.py --rows 10_000_000 --repeats 3
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time


def _peak_gb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


def make_frame(rows: int, seed: int = 1):
    """SYNTHETIC joined firm-years: firm, year, code, vag, size, dhs_growth (true effect 0.3)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    firms = max(rows // 8, 1)
    firm = np.repeat(np.arange(firms), 8)[:rows]
    year = np.tile(np.arange(2005, 2013), firms)[:rows]
    code = (rng.integers(0, 31, firms) * 10_000 + 110_000)[firm]
    vag = rng.uniform(0, 1, 31 * 8)[(code // 10_000 - 11) * 8 + (year - 2005)]
    size = rng.normal(size=rows)
    alpha = rng.normal(0, 0.2, firms)[firm]
    dhs = 0.3 * vag + 0.05 * size + alpha + 0.01 * (year - 2005) + rng.normal(0, 0.3, rows)
    return pd.DataFrame({"firm": firm, "year": year, "code": code, "vag": vag, "size": size, "dhs_growth": dhs})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    frame = make_frame(args.rows)
    print(f"{args.rows:,} SYNTHETIC firm-years ({frame['firm'].nunique():,} firms) built in "
          f"{time.perf_counter() - t0:.1f} s; peak memory so far {_peak_gb():.2f} GB")
    # the exit models' preparation (vectorised duration and exit flags) at the same size, first: the
    # models' peak memory comes after
    from exportlens.econometrics.firm_models import add_exit_variables

    exits = frame[["firm", "year"]].copy()
    exits["exports"] = (frame["dhs_growth"] > -0.5).astype(float) * 10.0
    exits["exports_lag"] = exits.groupby("firm")["exports"].shift(1)
    t0 = time.perf_counter()
    risk = add_exit_variables(exits)
    print(f"add_exit_variables on {args.rows:,} firm-years: {time.perf_counter() - t0:.2f} s "
          f"({len(risk):,} at risk); peak memory {_peak_gb():.2f} GB")
    del exits, risk
    t0 = time.perf_counter()
    import pyfixest as pf

    from exportlens.econometrics.firm_models import fit_firm_growth
    print(f"import pyfixest + exportlens.econometrics.firm_models: {time.perf_counter() - t0:.2f} s "
          "(pyfixest loads its modules lazily: the rest is in the warm-up)")

    def ours():
        return fit_firm_growth(frame, controls=["size"], outcomes=["dhs_growth"])[0].coefs.loc["vag", "estimate"]

    def bare():
        return float(pf.feols("dhs_growth ~ vag + size | firm + year", data=frame, vcov={"CRV1": "code"}).coef()["vag"])

    t0 = time.perf_counter()
    a, b = ours(), bare()
    print(f"warm-up (both, first calls): {time.perf_counter() - t0:.1f} s; vag: exportlens {a:.10f}, "
          f"pyfixest {b:.10f}")
    times: dict[str, list[float]] = {"exportlens": [], "pyfixest": []}
    for _ in range(args.repeats):
        for name, fn in (("exportlens", ours), ("pyfixest", bare)):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in times.items():
        print(f"{k:>10}: median {med[k]:.2f} s of {[round(x, 2) for x in v]}")
    ratio = med["exportlens"] / med["pyfixest"]
    print(f"ratio exportlens / bare pyfixest at {args.rows:,} firm-years: {ratio:.2f}x "
          f"(target <= 1.2x: {'met' if ratio <= 1.2 else 'NOT met'}); peak memory {_peak_gb():.2f} GB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
