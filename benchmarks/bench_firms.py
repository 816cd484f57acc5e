"""Benchmark: the firm-level study end to end on SYNTHETIC customs transactions, DuckDB vs pandas.

Prints, in one run on this machine:
- the time to generate the synthetic Parquet transactions (:mod:`exportlens.datasets.demo_firms`);
- the whole firm study through the Ibis/DuckDB pipeline on ``--rows`` rows, end to end
  (read, validate, every measure, aggregates, firm-level Parquet, tables in all formats, the
  figure, the manifest with input hashes): wall time and peak resident memory;
- the same measures with the pandas reference implementation
  (:func:`exportlens.firms.firm_measures_pandas`, reading the same files into memory) on
  ``--pandas-rows`` rows, and DuckDB on those same rows, with the time ratio.

Each engine runs in its own child process, so the peak memory (``ru_maxrss`` of that
process) is its own. DuckDB gets ``memory_limit`` (default 3GB) and 2 threads; pandas is
single-threaded by nature.

Target (issue 6): 100 million rows end to end in under 5 minutes on 2 cores with peak memory
under 4 GB. Reproduce with::

    python benchmarks/bench_firms.py --rows 100_000_000

(default: 10 million rows, which takes about a minute plus the pandas comparison). The
generated data go to a new folder under ``--workdir`` (default: the system temp folder) and
are deleted at the end unless ``--keep``; 100 million rows need about 0.5 GB of disk.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BYTES_PER_ROW_ON_DISK = 6  # measured: about 4.2 bytes per row of zstd Parquet, plus outputs
TARGET_ROWS, TARGET_SECONDS, TARGET_GB = 100_000_000, 300.0, 4.0


def _peak_gb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


def child_duckdb(data: Path, out: Path, memory_limit: str, threads: int) -> dict:
    t0 = time.perf_counter()  # imports included, as for pandas
    from exportlens.studies.firm_resilience import STUDY, FirmResilienceStudySpec
    from exportlens.studies.framework import run_study

    spec = FirmResilienceStudySpec(data_path=str(data), memory_limit=memory_limit, threads=threads)
    run_study(STUDY, spec, out=out, lang="en", formats=None, figures=True)
    return {"seconds": time.perf_counter() - t0, "peak_gb": _peak_gb()}


def child_pandas(data: Path) -> dict:
    t0 = time.perf_counter()
    from exportlens.firms import ColumnMap, firm_measures_pandas
    from exportlens.firms.io import read_transactions_pandas

    frame = read_transactions_pandas(data, ColumnMap())
    t_read = time.perf_counter() - t0
    result = firm_measures_pandas(frame)
    return {"seconds": time.perf_counter() - t0, "read_seconds": t_read, "peak_gb": _peak_gb(),
            "firms": result.firms}


def _run_child(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"child {args[:2]} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _generate(path: Path, rows: int) -> float:
    from exportlens.datasets.demo_firms import write_firm_transactions

    t0 = time.perf_counter()
    info = write_firm_transactions(path, rows=rows)
    seconds = time.perf_counter() - t0
    print(f"generated {info.summary()} in {seconds:.1f} s")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--pandas-rows", type=lambda s: int(s.replace("_", "")), default=10_000_000,
                        help="rows for the pandas comparison (0 skips it; capped at --rows)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the generated data and outputs")
    parser.add_argument("--child", choices=["duckdb", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "duckdb":
        print(json.dumps(child_duckdb(args.data, args.out, args.memory_limit, args.threads)))
        return 0
    if args.child == "pandas":
        print(json.dumps(child_pandas(args.data)))
        return 0

    pandas_rows = min(args.pandas_rows, args.rows)
    need = BYTES_PER_ROW_ON_DISK * (args.rows + (pandas_rows if pandas_rows != args.rows else 0))
    free = shutil.disk_usage(args.workdir).free
    if free < 2 * need:
        raise SystemExit(f"{args.workdir} has {free / 1e9:.1f} GB free; this run needs about {need / 1e9:.1f} GB.")
    root = Path(tempfile.mkdtemp(prefix="exportlens-bench-firms-", dir=args.workdir))
    print(f"exportlens firm benchmark: {os.cpu_count()} CPU(s), DuckDB memory_limit={args.memory_limit}, "
          f"threads={args.threads}; work folder {root}")
    rows_of = {}
    try:
        big = root / f"transactions_{args.rows}"
        _generate(big, args.rows)
        rows_of[args.rows] = big
        duck = _run_child(["--child", "duckdb", "--data", str(big), "--out", str(root / "out_duckdb_big"),
                           "--memory-limit", args.memory_limit, "--threads", str(args.threads)])
        print(f"DuckDB pipeline, {args.rows:,} rows end to end: {duck['seconds']:.1f} s, peak memory "
              f"{duck['peak_gb']:.2f} GB, {args.rows / duck['seconds'] / 1e6:.2f} M rows/s")
        if pandas_rows:
            small = rows_of.get(pandas_rows)
            if small is None:
                small = root / f"transactions_{pandas_rows}"
                _generate(small, pandas_rows)
            duck_small = duck if pandas_rows == args.rows else _run_child(
                ["--child", "duckdb", "--data", str(small), "--out", str(root / "out_duckdb_small"),
                 "--memory-limit", args.memory_limit, "--threads", str(args.threads)])
            pand = _run_child(["--child", "pandas", "--data", str(small)])
            print(f"DuckDB pipeline, {pandas_rows:,} rows end to end: {duck_small['seconds']:.1f} s, peak memory "
                  f"{duck_small['peak_gb']:.2f} GB")
            print(f"pandas reference, {pandas_rows:,} rows (read {pand['read_seconds']:.1f} s + measures): "
                  f"{pand['seconds']:.1f} s, peak memory {pand['peak_gb']:.2f} GB, "
                  f"{pandas_rows / pand['seconds'] / 1e6:.2f} M rows/s")
            print(f"ratio pandas / DuckDB on {pandas_rows:,} rows: {pand['seconds'] / duck_small['seconds']:.1f}x time, "
                  f"{pand['peak_gb'] / duck_small['peak_gb']:.1f}x peak memory; throughput DuckDB at {args.rows:,} rows "
                  f"vs pandas at {pandas_rows:,}: {(args.rows / duck['seconds']) / (pandas_rows / pand['seconds']):.1f}x")
        if args.rows >= TARGET_ROWS:
            ok = duck["seconds"] < TARGET_SECONDS and duck["peak_gb"] < TARGET_GB
            print(f"target {TARGET_ROWS:,} rows < {TARGET_SECONDS:.0f} s and < {TARGET_GB:.0f} GB: "
                  f"{'met' if ok else 'NOT met'}")
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
