"""Benchmark: the whole resilience study on the demo data vs the same regressions in bare pyfixest.

Prints, in one run on this machine:
- the wall time of the whole demo study, tables only (measures, 14 regressions, Tables 1-5
  in all six formats; no figures), median of REPEATS runs after one warm-up;
- the wall time of the study's regression step (estimate_models: the 14 models of Tables
  2-5 through exportlens.econometrics) and of the same 14 models fitted by hand with
  pyfixest on the same analysis frame, run in turn (A, B, A, B, ...), and their ratio;
- the import costs, each in a fresh interpreter: pyfixest alone, and the study module
  (which imports pyfixest lazily, on the first fit: the first cold run pays it).

Targets (issue 3): whole study < 5 s on 2 cores; regression step within 1.5x of bare pyfixest.
Run: python benchmarks/bench_resilience.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from common import import_cost, interleaved, machine

REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def _median_time(func, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bare_pyfixest(frame, spec) -> list:
    """The study's 14 models written out by hand in pyfixest (same data, same vcov)."""
    import pyfixest as pf

    vcov = {"CRV1": "code"}
    c = spec.controls
    fits = [pf.feols("sl ~ vag", data=frame, vcov=vcov)]
    for i in range(len(c) + 1):
        fits.append(pf.feols(f"sl ~ {' + '.join(['vag', *c[:i]])} | year", data=frame, vcov=vcov))
    # lags on the full province x year grid (the demo panel is balanced)
    g = frame.sort_values(["code", "year"]).copy()
    for lag in spec.lags:
        g[f"L{lag}_vag"] = g.groupby("code")["vag"].shift(lag)
        fits.append(pf.feols(f"sl ~ L{lag}_vag + {' + '.join(c)} | year", data=g, vcov=vcov))
    m = spec.moderator
    fits.append(pf.feols(f"sl ~ vag * {m} + {' + '.join(c)} | year", data=frame, vcov=vcov))
    est = frame.dropna(subset=["sl", "vag", m, *c])
    cen = frame.assign(vag_c=frame["vag"] - est["vag"].mean(), m_c=frame[m] - est[m].mean())
    fits.append(pf.feols(f"sl ~ vag_c * m_c + {' + '.join(c)} | year", data=cen, vcov=vcov))
    for grp in sorted(frame["group"].unique()):
        fits.append(pf.feols(f"sl ~ vag + {' + '.join(c)} | year", data=frame[frame["group"] == grp], vcov=vcov))
    fits.append(pf.feols(f"sl ~ vag:C(group) + {' + '.join(c)} | year + group", data=frame, vcov=vcov))
    return fits


def main() -> int:
    imp_pf = import_cost("pyfixest.estimation")
    imp_study = import_cost("exportlens.studies.resilience")
    t0 = time.perf_counter()
    import pyfixest.estimation  # noqa: F401  (pyfixest's lazy part: paid here, not inside the first study run)

    import_s = time.perf_counter() - t0
    from exportlens.datasets.demo import resilience_demo_panel
    from exportlens.studies.resilience import (
        ResilienceStudySpec,
        estimate_models,
        prepare_panel,
        run_resilience_study,
    )

    demo = resilience_demo_panel()
    spec = ResilienceStudySpec()
    frame, _ = prepare_panel(demo, spec)

    t0 = time.perf_counter()
    run_resilience_study(demo, spec)  # warm-up: JIT/formula caches
    cold_s = time.perf_counter() - t0
    bare_pyfixest(frame, spec)

    tmp = Path(tempfile.mkdtemp(prefix="exportlens-bench-"))
    counter = iter(range(10_000))

    def whole_study() -> None:
        result = run_resilience_study(demo, spec)
        result.write(tmp / f"run{next(counter)}", lang="zh", figures=False)

    whole = _median_time(whole_study)
    study_step, bare = interleaved([lambda: estimate_models(frame, spec), lambda: bare_pyfixest(frame, spec)],
                                   REPEATS)
    ratio = study_step / bare
    print(f"machine: {machine()}; median of {REPEATS} runs (regressions interleaved with bare pyfixest)")
    print(f"import pyfixest, fresh process:                {imp_pf:8.3f} s (one-off)")
    print(f"import exportlens.studies.resilience, fresh:   {imp_study:8.3f} s (one-off; pyfixest not included)")
    print(f"import pyfixest.estimation in this process:    {import_s:8.3f} s (one-off)")
    print(f"first (cold) study run, pyfixest imported:     {cold_s:8.3f} s (one-off)")
    print(f"whole demo study, tables only (6 formats):     {whole:8.3f} s   target < 5 s: {'OK' if whole < 5 else 'MISSED'}")
    print(f"study regression step (estimate_models, 14):    {study_step:8.3f} s")
    print(f"same 14 models in bare pyfixest:               {bare:8.3f} s")
    print(f"ratio study / bare pyfixest:                   {ratio:8.2f} x  target <= 1.5x: {'OK' if ratio <= 1.5 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
