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


def _init_worker() -> None:
    """Idle workers ignore Ctrl-C (the parent handles it); a running job gets it (see ``_call``)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["EXPORTLENS_SERIAL"] = "1"  # no nested forks (figures) inside a worker


def _call(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    import signal

    # a job interrupted by Ctrl-C raises KeyboardInterrupt, so its staging folder is removed
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return fn(*args)
    finally:
        signal.signal(signal.SIGINT, previous)


def ordered_in_workers(fn: Callable[..., T], jobs: Sequence[tuple[Any, ...]], workers: int) -> Iterator[T]:
    """``fn(*args)`` for each ``args`` of ``jobs``, yielded in the order of ``jobs``.

    With ``workers`` > 1 the jobs run in that many processes forked from this one (the
    modules it has imported are inherited, so each library is imported once); ``fn`` must be
    a module-level function and ``args`` and the results picklable. A job's exception is
    raised here, unchanged, when its turn comes; the jobs not started yet are cancelled.
    Ctrl-C interrupts the running jobs (their own clean-up runs) and raises
    ``KeyboardInterrupt`` here. With ``workers`` <= 1 the jobs run one by one in this process.

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
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork"), initializer=_init_worker)
    try:
        futures = [pool.submit(_call, fn, args) for args in jobs]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
