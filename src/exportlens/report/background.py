"""Run one piece of output writing in a forked child process while the caller does another.

A study's figures (matplotlib, about a third of the writing time) and its tables (Word,
Excel, LaTeX ...) do not depend on each other, so on a machine with two or more cores the
figures are drawn in a child process forked from the current one (no pickling of the
result: the child inherits it) while the parent writes the tables. The child sends back
what the function returned (pickled through a pipe). Opt-in with ``EXPORTLENS_PARALLEL=1``
(see :func:`_can_fork` for why it is not the default). If the platform cannot fork (Windows,
macOS default), there is a single core, ``EXPORTLENS_SERIAL=1`` is set, or the child fails
for any reason, the function simply runs in the caller when its result is asked for, so a
failure surfaces with its ordinary exception and traceback and nothing is lost.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["in_background", "ordered_in_workers", "worker_count"]

T = TypeVar("T")


def _can_fork() -> bool:
    """Opt-in (``EXPORTLENS_PARALLEL=1``) on a machine that can fork and has two or more cores.

    Off by default: measured on a loaded 2-core machine (benchmarks/bench_demo.py), the forked
    children redo per-process initialisation (fonts, caches) and the demo took more CPU time
    and more wall time than the serial run.
    """
    return (hasattr(os, "fork") and (os.cpu_count() or 1) >= 2
            and os.environ.get("EXPORTLENS_PARALLEL", "") in ("1", "true", "yes")
            and os.environ.get("EXPORTLENS_SERIAL", "") not in ("1", "true", "yes"))


def in_background(fn: Callable[[], T]) -> Callable[[], T]:
    """Start ``fn()`` in a forked child; return a function that waits for and returns its result.

    Falls back to running ``fn()`` in the caller (when the returned function is called) where
    forking is not possible or the child did not deliver a result.
    """
    if not _can_fork():
        return fn
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            payload = pickle.dumps((True, fn()))
        except BaseException:
            payload = pickle.dumps((False, None))
        send.send_bytes(payload)
        send.close()

    try:
        proc = ctx.Process(target=child, daemon=True)
        proc.start()
    except OSError:
        return fn
    send.close()

    def wait() -> T:
        try:
            ok, value = pickle.loads(receive.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            ok, value = False, None
        finally:
            receive.close()
            proc.join()
        return value if ok else fn()

    return wait


def _serial_forced() -> bool:
    return os.environ.get("EXPORTLENS_SERIAL", "") in ("1", "true", "yes")


def worker_count(requested: int | None, jobs: int) -> int:
    """How many worker processes to use for ``jobs`` independent jobs.

    ``requested`` (the ``--jobs`` option) None or 0 means "automatic": one per core, at most
    one per job. 1 (or ``EXPORTLENS_SERIAL=1``, or a platform without ``fork``) means serial:
    the jobs run one after the other in the calling process.

    Examples
    --------
    >>> worker_count(1, 6)
    1
    >>> worker_count(4, 2) <= 2
    True
    """
    if _serial_forced() or not hasattr(os, "fork") or jobs <= 1:
        return 1
    n = requested if requested else (os.cpu_count() or 1)
    return max(1, min(n, jobs))


def _interrupt_once(signum: int, frame: Any) -> None:
    """Ctrl-C in a worker: stop the job once (its clean-up then runs undisturbed by more signals)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _child(fn: Callable[..., Any], args: tuple[Any, ...], send: Any) -> None:
    """Body of a worker process: run one job, send back ``(ok, value or exception)``."""
    import signal

    signal.signal(signal.SIGINT, _interrupt_once)
    os.environ["EXPORTLENS_SERIAL"] = "1"  # no nested forks (figures) inside a worker
    try:
        payload = pickle.dumps((True, fn(*args)))
    except BaseException as exc:  # every failure goes back to the parent, raised there
        try:
            payload = pickle.dumps((False, exc))
        except Exception:  # an exception that cannot be pickled: its type and message
            payload = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    send.send_bytes(payload)
    send.close()


def ordered_in_workers(fn: Callable[..., T], jobs: Sequence[tuple[Any, ...]], workers: int) -> Iterator[T]:
    """``fn(*args)`` for each ``args`` of ``jobs``, yielded in the order of ``jobs``.

    With ``workers`` > 1 each job runs in its own process forked from this one (the modules
    it has imported are inherited, so each library is imported once), at most ``workers`` at
    a time (what a job changes in its process stays there); its result must be picklable. A job's exception is raised here, unchanged, when its turn comes; the jobs
    still running are then interrupted (Ctrl-C: their own clean-up runs) and no new one is
    started. Ctrl-C likewise interrupts the running jobs and raises ``KeyboardInterrupt`` here
    once they have cleaned up. With ``workers`` <= 1 the jobs run one by one in this process.

    Examples
    --------
    >>> list(ordered_in_workers(pow, [(2, 3), (3, 2)], workers=1))
    [8, 9]
    """
    if workers <= 1:
        for args in jobs:
            yield fn(*args)
        return
    import multiprocessing as mp
    import signal
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork")
    todo = list(enumerate(jobs))
    running: dict[int, tuple[Any, Any]] = {}  # job index -> (process, receiving end)
    done: dict[int, tuple[bool, Any]] = {}
    turn = 0
    try:
        while turn < len(jobs):
            while todo and len(running) < workers:
                i, args = todo.pop(0)
                receive, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
                proc.start()
                send.close()
                running[i] = (proc, receive)
            by_conn = {receive: i for i, (_, receive) in running.items()}
            for conn in wait(list(by_conn)):
                i = by_conn[conn]
                proc, receive = running.pop(i)
                try:
                    done[i] = pickle.loads(receive.recv_bytes())
                except (EOFError, OSError):
                    proc.join()
                    done[i] = (False, RuntimeError(f"a worker process ended without a result (exit code "
                                                   f"{proc.exitcode}); run the jobs one after the other to see why"))
                receive.close()
                proc.join()
            while turn in done:
                ok, value = done.pop(turn)
                if not ok:
                    raise value
                yield value
                turn += 1
    finally:
        for proc, _ in running.values():  # an error or Ctrl-C here: stop the others (once)
            if proc.is_alive() and proc.pid is not None:
                try:
                    os.kill(proc.pid, signal.SIGINT)
                except ProcessLookupError:
                    pass
        for proc, receive in running.values():
            proc.join()
            receive.close()
