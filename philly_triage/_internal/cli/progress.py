"""The progress bar of a long ``classify`` run: on stderr, on a terminal only, gone when the run ends."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, TextIO

from philly_triage._internal.output.formats import OutputFormat

PROGRESS_MIN_JOBS = 20  # shorter runs end before a progress bar would tell anything
PROGRESS_REFRESH = 0.1  # seconds between redraws of the bar
STREAMED = (OutputFormat.JSONL, OutputFormat.CSV, OutputFormat.GITHUB)  # formats that write each record as it comes


def show_progress(total: int, kind: Optional[OutputFormat]) -> bool:
    """A bar for long runs, on a terminal only, and never on the terminal that streamed records go to."""
    return total > PROGRESS_MIN_JOBS and progress_possible(kind)


def progress_possible(kind: Optional[OutputFormat]) -> bool:
    """Whether a long run with stdout showing ``kind`` would show a bar (stderr is a terminal, and
    not the terminal that streamed records go to); a run that shows none needs no count of its jobs."""
    return _is_terminal(sys.stderr) and not (kind in STREAMED and _is_terminal(sys.stdout))


@contextmanager
def progress_bar(total: int, shown: bool) -> Iterator[Callable[[], None]]:
    """Yield the function that counts one job done; it draws a bar on stderr when ``shown``.

    The bar disappears when the run ends, before the table is printed.
    """
    if not shown:
        yield lambda: None
        return
    from rich.console import Console  # here: rich is slow to import, and most runs show no bar
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("classifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # No refresh thread (worker processes may be forked mid-run, and forking a threaded process is
    # unsafe): the bar is redrawn here, at most every PROGRESS_REFRESH seconds. No redirection
    # either: records go to the stream the formatter holds, never through rich.
    with Progress(*columns, console=Console(stderr=True), transient=True, auto_refresh=False,
                  redirect_stdout=False, redirect_stderr=False) as progress:
        task = progress.add_task("classify", total=total)
        drawn = time.monotonic()

        def advance() -> None:
            nonlocal drawn
            progress.advance(task)
            if time.monotonic() - drawn >= PROGRESS_REFRESH:
                progress.refresh()
                drawn = time.monotonic()

        yield advance


def _is_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())
