"""Shared timing helpers of the benchmarks: interleaved runs and import costs in fresh processes.

Every comparison runs its candidates in turn (A, B, A, B, ... after one warm-up round), so a
machine that drifts (other load, frequency scaling) affects both sides alike; medians and
the ratio of medians are reported. Import costs are measured in fresh interpreters, where
they are paid.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any


def interleaved(candidates: Sequence[Callable[[], Any]], repeats: int,
                setups: Sequence[Callable[[], Any] | None] | None = None, warmup: int = 1) -> list[float]:
    """Median wall time of each candidate, run round-robin ``repeats`` times after ``warmup`` rounds.

    ``setups[k]`` (optional) is called untimed before each run of candidate k; its return value is
    passed to the candidate.
    """
    setups = list(setups) if setups is not None else [None] * len(candidates)
    times: list[list[float]] = [[] for _ in candidates]
    for r in range(warmup + repeats):
        for k, (fn, setup) in enumerate(zip(candidates, setups, strict=True)):
            arg = setup() if setup is not None else None
            t0 = time.perf_counter()
            fn(arg) if setup is not None else fn()
            dt = time.perf_counter() - t0
            if r >= warmup:
                times[k].append(dt)
    return [statistics.median(t) for t in times]


def import_cost(module: str, repeats: int = 3) -> float:
    """Median seconds to import ``module`` in a fresh interpreter (interpreter start excluded)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = []
    for _ in range(repeats):
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        out.append(float(res.stdout.strip().splitlines()[-1]))
    return statistics.median(out)


def machine() -> str:
    """One line describing the machine and its current load."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (f"Python {sys.version.split()[0]}, {os.cpu_count()} logical cores, load average "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
