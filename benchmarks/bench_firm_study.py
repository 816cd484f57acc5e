"""Benchmark: the whole firm-resilience study through the command line on N SYNTHETIC transaction rows.

1. Generates ``--rows`` transaction rows with
   :func:`exportlens.datasets.demo_firms.write_firm_transactions` (timed on its own: it is
   not part of the study);
2. writes a study file: ``--study FILE`` if given (its ``[data] path`` is replaced by the
   generated folder), otherwise the default file of ``exportlens study template
   firm-resilience``, so the benchmark runs whatever the study runs (pipeline, join,
   models, tables, figure, report);
3. runs ``exportlens run firm-resilience --study STUDY.toml --out OUT`` in a child process
   and reports its wall time (Python start and every import included) and its peak resident
   memory (``ru_maxrss`` of the waited-for children: the largest child, i.e. the study
   process; Spark's JVM is a grandchild and is counted too when it is waited for);
4. interleaved with it (``--repeats`` runs each: study, peer, study, peer, ...), the
   hand-written DuckDB SQL peer of ``bench_firms.py`` on the same files (the firm-year core and
   province-year aggregates only: the floor under the study's engine work), medians and the
   ratio (not run with ``--no-peer`` or for transactions without the demo column names);
5. reports, in fresh interpreters, what importing the study costs (``exportlens.cli``
   alone, and with ``exportlens.studies.firm_resilience``, ``ibis`` and ``duckdb``): the
   fixed part of the study's time, paid once per run.

Targets (issue 16): the whole study on 100 million rows in under 10 minutes and 8 GB on
2 cores. The verdict is printed for any N; the target itself is stated for 100 million::

    python benchmarks/bench_firm_study.py --rows 100_000_000 --workdir /big/disk

(default: 10 million rows). The generated data and the study's output go to a new folder
under ``--workdir`` (default: the system temp folder), deleted at the end unless ``--keep``.
The machine is measured as it is: on a shared machine, say so with the numbers (the load
average is printed before and after).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import import_cost, machine

TARGET_ROWS, TARGET_SECONDS, TARGET_GB = 100_000_000, 600.0, 8.0
BYTES_PER_ROW_ON_DISK = 6  # generated Parquet (about 4.2 bytes per row) plus the study's outputs


def _exportlens() -> list[str]:
    """The command line entry point of this interpreter's exportlens."""
    script = Path(sys.executable).with_name("exportlens")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from exportlens.cli import main; main()"]


def generate(folder: Path, rows: int) -> float:
    """Generate the transactions in a child process (its memory is not the study's); seconds."""
    code = ("import sys; from exportlens.datasets.demo_firms import write_firm_transactions; "
            "print(write_firm_transactions(sys.argv[1], rows=int(sys.argv[2])).summary())")
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code, str(folder), str(rows)], capture_output=True, text=True,
                         check=False)
    seconds = time.perf_counter() - t0
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        raise SystemExit("generating the transactions failed")
    print(f"generated {res.stdout.strip().splitlines()[-1]} in {seconds:.1f} s (not part of the study's time)")
    return seconds


def study_file(path: Path, data: Path, template: Path | None) -> None:
    """The study file: ``template`` or the CLI's default template, with ``[data] path`` set to ``data``."""
    if template is not None:
        text = template.read_text(encoding="utf-8")
    else:
        res = subprocess.run([*_exportlens(), "study", "template", "firm-resilience"], capture_output=True,
                             text=True, check=True)
        text = res.stdout
    line = f'path = "{data.as_posix()}"'
    pattern = re.compile(r"^#?\s*path\s*=.*$", re.MULTILINE)
    section = text.find("[data]")
    if section < 0:
        text = f"[data]\n{line}\n\n{text}"
    else:
        head, body = text[:section], text[section:]
        end = body.find("\n[", 1)
        block, rest = (body, "") if end < 0 else (body[:end], body[end:])
        block = pattern.sub(line, block, count=1) if pattern.search(block) else block.replace("[data]", f"[data]\n{line}", 1)
        text = head + block + rest
    path.write_text(text, encoding="utf-8")


def _run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak GB (``ru_maxrss`` of this child and the descendants it waited for,
    from ``os.wait4``: not mixed with other children) and the stdout of ``cmd``."""
    import os

    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        sys.stderr.write(stdout[-4000:] + stderr[-4000:])
        raise SystemExit(f"{Path(cmd[0]).name} failed with exit code {proc.returncode}")
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return seconds, usage.ru_maxrss * scale / 1e9, stdout


def run_study(study: Path, out: Path, lang: str) -> tuple[float, float]:
    """Wall seconds and peak GB of the CLI run."""
    seconds, peak, _ = _run_measured([*_exportlens(), "run", "firm-resilience", "--study", str(study), "--out",
                                      str(out), "--lang", lang])
    return seconds, peak


def run_sql_peer(data: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak GB of the hand-written DuckDB SQL peer of ``bench_firms.py`` (the
    firm-year core and the province-year aggregates; a fresh process, imports included)."""
    bench = Path(__file__).resolve().with_name("bench_firms.py")
    seconds, peak, _ = _run_measured([sys.executable, str(bench), "--child", "sql", "--data", str(data),
                                      "--out", str(out)])
    return seconds, peak


def has_demo_columns(data: Path) -> bool:
    """True when the transactions use the demo column names (what the SQL peer reads)."""
    import pyarrow.parquet as pq

    files = sorted(Path(data).rglob("*.parquet")) if Path(data).is_dir() else [Path(data)]
    need = {"firm_id", "hs8", "destination", "year", "value_usd", "province", "industry"}
    return bool(files) and files[0].suffix == ".parquet" and need <= set(pq.read_schema(files[0]).names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=lambda s: int(s.replace("_", "")), default=10_000_000)
    parser.add_argument("--study", type=Path, help="study file to run (default: the CLI's template)")
    parser.add_argument("--data", type=Path, help="existing demo transactions (not generated, not deleted)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--keep", action="store_true", help="keep the generated data and the study's output")
    parser.add_argument("--repeats", type=int, default=1,
                        help="interleaved runs of the study and of the SQL peer (study, peer, study, ...)")
    parser.add_argument("--no-peer", action="store_true", help="run the study only")
    args = parser.parse_args(argv)

    need = BYTES_PER_ROW_ON_DISK * args.rows
    free = shutil.disk_usage(args.workdir).free
    if args.data is None and free < 2 * need:
        raise SystemExit(f"{args.workdir} has {free / 1e9:.1f} GB free; this run needs about {need / 1e9:.1f} GB.")
    root = Path(tempfile.mkdtemp(prefix="exportlens-bench-firm-study-", dir=args.workdir))
    print(f"exportlens firm study benchmark: {machine()}; work folder {root}")
    try:
        data = args.data if args.data is not None else root / "transactions"
        if args.data is None:
            generate(data, args.rows)
        else:  # the rows actually in the given data, from the Parquet footers
            import pyarrow.parquet as pq

            args.rows = sum(pq.ParquetFile(f).metadata.num_rows for f in sorted(Path(data).rglob("*.parquet")))
            print(f"data: {data} ({args.rows:,} rows, read from the Parquet footers)")
        study = root / "study.toml"
        study_file(study, data.resolve(), args.study)
        cli, full = import_cost("exportlens.cli"), import_cost(
            "exportlens.cli, exportlens.studies.firm_resilience, ibis, duckdb")
        print(f"import (fresh interpreter, median of 3): exportlens.cli {cli:.2f} s; with the firm study, "
              f"Ibis and DuckDB {full:.2f} s (paid once by the study run below)")
        peer = not args.no_peer and has_demo_columns(data)
        if not args.no_peer and not peer:
            print("SQL peer: not run (it reads the demo column names; these transactions use others)")
        runs: dict[str, list[tuple[float, float]]] = {"study": [], "peer": []}
        for i in range(args.repeats):  # interleaved: study, peer, study, peer ...
            out = root / ("out" if i == args.repeats - 1 else f"out_{i}")
            runs["study"].append(run_study(study, out, args.lang))
            if out.name != "out":
                shutil.rmtree(out, ignore_errors=True)
            if peer:
                runs["peer"].append(run_sql_peer(data, root / f"peer_{i}"))
                shutil.rmtree(root / f"peer_{i}", ignore_errors=True)
        seconds = statistics.median(r[0] for r in runs["study"])
        peak = max(r[1] for r in runs["study"])
        print(f"whole firm study (CLI, child process), {args.rows:,} rows: {seconds:.1f} s wall (median of "
              f"{args.repeats}: {[round(r[0], 1) for r in runs['study']]}), peak memory {peak:.2f} GB, "
              f"{args.rows / seconds:,.0f} rows/s")
        if runs["peer"]:
            p_s = statistics.median(r[0] for r in runs["peer"])
            print(f"hand-written DuckDB SQL peer of its core (firm-year table and province-year aggregates, "
                  f"bench_firms.py): {p_s:.1f} s (median of {[round(r[0], 1) for r in runs['peer']]}), peak memory "
                  f"{max(r[1] for r in runs['peer']):.2f} GB; the whole study / that floor: {seconds / p_s:.2f}x "
                  "(the study also validates every row, computes the growth paths, joins the panel, fits the "
                  "firm models and writes tables, figures and the report)")
        tables = sorted({p.stem for p in (root / "out" / "tables").glob("*.*")}) if (root / "out").is_dir() else []
        print(f"tables written: {', '.join(tables) or 'none'}")
        ok = seconds < TARGET_SECONDS and peak < TARGET_GB
        verdict = ("met" if ok else "NOT met") if args.rows >= TARGET_ROWS else (
            f"{'within' if ok else 'NOT within'} the limits at {args.rows:,} rows; the target is judged at "
            f"{TARGET_ROWS:,} rows (run --rows {TARGET_ROWS})")
        print(f"target {TARGET_ROWS:,} rows: < {TARGET_SECONDS / 60:.0f} min and < {TARGET_GB:.0f} GB on 2 cores: "
              f"{verdict}")
        print(f"after the run: {machine()}")
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
