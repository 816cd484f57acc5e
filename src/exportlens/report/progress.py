"""Progress display of a study run (rich), shared by the study runners."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = [
    "step_progress",
]


@contextmanager
def step_progress(first: str, total: int, console: Any = None) -> Iterator[Callable[[str], None]]:
    """A rich progress bar over ``total`` named steps; yields ``advance(description)``.

    Disabled (silent) when ``console`` is None, as in library use; the bar is completed on
    a normal exit.

    Examples
    --------
    >>> from exportlens.report import step_progress
    >>> with step_progress("load data", total=3) as advance:  # silent without a console
    ...     advance("fit models")
    ...     advance("write tables")
    >>> import io
    >>> from rich.console import Console
    >>> console = Console(file=io.StringIO(), width=60)
    >>> with step_progress("load data", total=2, console=console) as advance:
    ...     advance("fit models")
    >>> "done" in console.file.getvalue()  # the bar is completed on exit
    True
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False, disable=console is None) as bar:
        task = bar.add_task(first, total=total)

        def advance(msg: str) -> None:
            bar.update(task, advance=1, description=msg)

        yield advance
        bar.update(task, completed=total, description="done")
