"""The demo's studies in worker processes: results in order, errors as in a serial run, the
serial switch, and the same files as a serial run.

The tests that fork workers from the test process are ``slow`` (kept out of the default run):
forked from a long-lived process whose libraries have started threads (as the test process
has after the other tests), a child can wait forever on a lock one of those threads held;
``exportlens demo`` forks only from a fresh command process by default."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exportlens import cli
from exportlens.errors import InputError
from exportlens.report.background import ordered_in_workers, worker_count

runner = CliRunner()
can_fork = hasattr(os, "fork")


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def _fail_on_two(x: int) -> int:
    if x == 2:
        raise InputError(f"job {x} failed, said plainly")
    return x


@pytest.mark.slow
@pytest.mark.skipif(not can_fork, reason="no fork on this platform")
def test_results_in_job_order_from_other_processes():
    got = list(ordered_in_workers(_pid_and_square, [(i,) for i in range(6)], workers=2))
    assert [v for _, v in got] == [0, 1, 4, 9, 16, 25]
    assert os.getpid() not in {pid for pid, _ in got}


@pytest.mark.slow
@pytest.mark.skipif(not can_fork, reason="no fork on this platform")
def test_a_jobs_error_is_raised_unchanged_in_its_turn():
    seen = []
    with pytest.raises(InputError, match="job 2 failed, said plainly"):
        for v in ordered_in_workers(_fail_on_two, [(1,), (2,), (3,)], workers=2):
            seen.append(v)
    assert seen == [1]


def _slow_or_failing(kind: str, folder: str) -> str:
    if kind == "fail":
        time.sleep(0.5)
        raise InputError("the first job failed")
    try:
        time.sleep(60)
        (Path(folder) / "finished").touch()
    finally:  # like a study run's staging folder: removed when the job is interrupted
        (Path(folder) / "cleaned").touch()
    return kind


@pytest.mark.slow
@pytest.mark.skipif(not can_fork, reason="no fork on this platform")
def test_an_error_interrupts_the_running_jobs_which_clean_up(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="first job failed"):
        list(ordered_in_workers(_slow_or_failing, [("fail", str(tmp_path)), ("slow", str(tmp_path)),
                                                   ("slow", str(tmp_path))], workers=2))
    assert time.perf_counter() - t0 < 30  # the slow job was interrupted, not waited for
    assert (tmp_path / "cleaned").exists() and not (tmp_path / "finished").exists()


def test_worker_count_serial_switches(monkeypatch):
    monkeypatch.delenv("EXPORTLENS_SERIAL", raising=False)
    assert worker_count(1, 6) == 1
    assert worker_count(0, 1) == 1
    if can_fork:
        assert worker_count(3, 2) == 2
    monkeypatch.setenv("EXPORTLENS_SERIAL", "1")
    assert worker_count(0, 6) == worker_count(4, 6) == 1


def _fake_run(name, study_file, out, lang, figures, overwrite, reports, out_console=None):
    """Stands in for a demo study run (inherited by the forked workers)."""
    if name == "synergy" and os.environ.get("FAIL_SYNERGY"):
        raise InputError("synergy demo data are damaged; said in one line.")
    (out / "tables").mkdir(parents=True)
    (out / "tables" / "t.csv").write_text(f"{name},{study_file}\n", encoding="utf-8")
    (out_console or cli.console).print(f"summary of {out.name} in process {os.getpid()}")
    return out


@pytest.mark.parametrize("jobs", ["1", pytest.param("2", marks=pytest.mark.slow)])
def test_demo_prints_each_study_in_order_and_writes_its_folder(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(cli, "_demo_run", _fake_run)
    r = runner.invoke(cli.app, ["demo", "--out", str(tmp_path / "d"), "--no-report", "--jobs", jobs])
    assert r.exit_code == 0, r.output
    folders = [folder for _, _, folder in cli._demo_jobs()]
    assert folders[:2] == ["resilience", "resilience-identification"]
    positions = [r.output.index(f"summary of {f} ") for f in folders]
    assert positions == sorted(positions)  # the usual order, whichever worker finished first
    for f in folders:
        assert (tmp_path / "d" / f / "tables" / "t.csv").is_file()
    assert ("worker processes" in r.output) == (jobs == "2" and can_fork)


def test_demo_inside_python_runs_serially_unless_asked(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_demo_run", _fake_run)
    r = runner.invoke(cli.app, ["demo", "--out", str(tmp_path / "d"), "--no-report"])
    assert r.exit_code == 0, r.output
    assert "worker processes" not in r.output and str(os.getpid()) in r.output


@pytest.mark.slow
def test_demo_error_in_a_worker_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "_demo_run", _fake_run)
    monkeypatch.setenv("FAIL_SYNERGY", "1")
    r = runner.invoke(cli.app, ["demo", "--out", str(tmp_path / "d"), "--no-report", "--jobs", "2"])
    assert r.exit_code == 2
    assert "error: synergy demo data are damaged; said in one line." in r.output
    assert "Traceback" not in r.output


# ---- slow: the real demo, serial and in workers, writes the same files -----------------------

_STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def _normalised(path: Path) -> object:
    """File content without what depends on the time of the run (timestamps, zip dates)."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return {n: _STAMP.sub(b"<t>", z.read(n)) for n in sorted(z.namelist())}
    if path.name == "manifest.json":
        m = json.loads(path.read_text(encoding="utf-8"))
        m.pop("created_utc", None)
        # hashes of the zip and HTML files change with their timestamps; the set of files must not
        m["outputs"] = {k: (v if Path(k).suffix not in (".docx", ".xlsx", ".html") else "")
                        for k, v in m.get("outputs", {}).items()}
        return m
    return _STAMP.sub(b"<t>", path.read_bytes())


@pytest.mark.slow
@pytest.mark.skipif(not can_fork, reason="no fork on this platform")
def test_serial_and_worker_demo_write_the_same_files(tmp_path):
    exe = [sys.executable, "-m", "exportlens.cli", "demo", "--out", "demo"]
    # the same hash seed in both runs: some last-digit float results depend on set order
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    # the same command line (it is in the manifests and reports): serial by the environment
    subprocess.run(exe, cwd=tmp_path, env={**env, "EXPORTLENS_SERIAL": "1"}, check=True, capture_output=True)
    (tmp_path / "demo").rename(tmp_path / "serial")
    done = subprocess.run(exe, cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    assert "worker processes" in done.stdout or (os.cpu_count() or 1) < 2
    serial = sorted(p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*") if p.is_file())
    workers = sorted(p.relative_to(tmp_path / "demo") for p in (tmp_path / "demo").rglob("*") if p.is_file())
    assert serial == workers and len(serial) > 400
    for rel in serial:
        assert _normalised(tmp_path / "serial" / rel) == _normalised(tmp_path / "demo" / rel), rel
