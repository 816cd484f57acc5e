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
from collections.abc import Callable
from typing import TypeVar

__all__ = ["in_background"]

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
