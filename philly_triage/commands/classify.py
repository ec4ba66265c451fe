"""``triage classify``: one record per job, in the chosen format, and an exit status for CI."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from contextlib import closing, contextmanager
from typing import Callable, Iterator, Optional, TextIO

import click

from philly_triage.catalogue import Catalogue
from philly_triage.commands.common import (
    EXIT_FOUND, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, catalogue_options, color_option, open_catalogue, use_color,
)
from philly_triage.discover import discover_jobs
from philly_triage.formats import OutputFormat, make_formatter
from philly_triage.formats.base import Formatter, summary_line
from philly_triage.markers import default_markers
from philly_triage.models import FailureRecord, Job
from philly_triage.parallel import WorkerError, classify_jobs
from philly_triage.policy import FailPolicy, PolicyError

PROGRESS_MIN_JOBS = 20  # shorter runs end before a progress bar would tell anything
PROGRESS_REFRESH = 0.1  # seconds between redraws of the bar
STREAMED = (OutputFormat.JSONL, OutputFormat.CSV)  # formats that write each record as it comes


@click.command()
# Not readable=True: a path that cannot be read is a job with an error record, not a usage error.
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
@click.option(
    "--format", "-f", "output_format",
    type=click.Choice([f.value for f in OutputFormat]), default=OutputFormat.TABLE.value, show_default=True,
    help="Output format. The table is coloured on a terminal and plain when piped.",
)
@click.option(
    "--fail-on", multiple=True, metavar="WHAT",
    help="Exit 1 when a job's failure matches: 'any', 'unclassified', a dimension id or a category id "
    "(repeat or separate with commas).",
)
@click.option(
    "--jobs", "-j", "processes", type=click.IntRange(min=1), default=None, metavar="N",
    help="Classify in N worker processes (default: one per core). 1 classifies in triage's own process. "
    "The output keeps the order of the jobs either way.",
)
@click.option(
    "--full", is_flag=True,
    help="Analyse every line of every log instead of reading each log from its end: slower, for the rare "
    "logs where the failure that ended the job is far from the end.",
)
@catalogue_options
@color_option
def classify(paths, output_format, fail_on, processes, full, rule_paths, no_builtin_rules, color) -> None:
    """Classify the failure that ended each job under PATHS.

    A file is one job. A directory holds jobs: each direct child is one job (a file, or a
    directory of log files; numbered retry subdirectories count only through the latest).

    Records come out in the order of the jobs. JSONL and CSV write each record as soon as it and
    the ones before it are done; the table and JSON come at the end. A progress bar shows on
    stderr for long runs on a terminal, where it cannot mix with the records.

    Exit status: 0 when the run completed, 1 when --fail-on matched a job, 2 for bad usage, a
    broken rule catalogue or worker processes that cannot start, 130 when Ctrl-C stopped the run
    (the records finished by then are written).
    """
    catalogue = open_catalogue(rule_paths, no_builtin_rules)
    try:
        policy = FailPolicy.parse(fail_on, catalogue)
    except PolicyError as err:
        raise click.UsageError(str(err)) from None
    kind = OutputFormat(output_format)
    run = Run(make_formatter(kind, sys.stdout, color=use_color(color, sys.stdout)), policy)
    try:
        with run.interrupts:
            run.classify(list(paths), catalogue, processes or available_cores(), full, kind)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the output short
        run.finish()
        done = f" ({len(run.records)} of {len(run.jobs)} jobs done)" if run.jobs is not None else ""
        click.echo(f"triage: interrupted{done}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # The reader of stdout went away (`| head`). Worker processes run with SIGPIPE ignored, so
        # the write raised this instead of ending triage; end it as SIGPIPE's default action would
        # have (cli.main sets that action), now that the workers are stopped.
        if hasattr(signal, "SIGPIPE") and signal.getsignal(signal.SIGPIPE) == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGPIPE)
        raise
    except WorkerError as err:
        click.echo(f"triage: error: {err}; run with --jobs 1 to classify without worker processes", err=True)
        sys.exit(EXIT_USAGE)
    warn_timeouts(run.timed_out)
    if kind is OutputFormat.TABLE:
        click.echo(summary_line(run.records), err=True)
    sys.exit(EXIT_FOUND if run.matched else EXIT_OK)


class Run:
    """One run's output and what it has done so far, so that Ctrl-C can leave the finished records."""

    def __init__(self, formatter: Formatter, policy: FailPolicy) -> None:
        self.formatter = formatter
        self.policy = policy
        self.interrupts = Interrupts()
        self.jobs: Optional[list[Job]] = None  # None until the paths are searched for jobs
        self.records: list[FailureRecord] = []
        self.timed_out: set[tuple[str, str]] = set()
        self.matched = False
        self.started = self.finished = False

    def classify(self, paths: list[str], catalogue: Catalogue, processes: int, full: bool, kind: OutputFormat) -> None:
        """Classify every job under ``paths`` and write each record, then the end of the output."""
        with self.interrupts.writing():
            self.formatter.start()
            self.started = True
        self.jobs = list(discover_jobs(paths, default_markers()))
        outcomes = classify_jobs(self.jobs, catalogue, processes, full)
        shown = show_progress(len(self.jobs), kind)
        with closing(outcomes), progress_bar(len(self.jobs), shown) as advance:
            for outcome in outcomes:
                with self.interrupts.writing():
                    self.formatter.add(outcome.record)
                    self.records.append(outcome.record)
                self.matched = self.matched or self.policy.matches(outcome.record)
                self.timed_out |= outcome.timed_out
                advance()
        with self.interrupts.writing():
            self.finish()

    def finish(self) -> None:
        """Write the end of the output (the whole table or JSON document) once, with the records done."""
        if self.started and not self.finished:
            self.finished = True
            self.formatter.finish()
        self.formatter.stream.flush()


def warn_timeouts(timed_out: set[tuple[str, str]]) -> None:
    """One warning per (rule id, pattern) that exceeded its time budget anywhere in the run."""
    for rule_id, pattern in sorted(timed_out):
        click.echo(
            f"triage: warning: a pattern of rule '{rule_id}' exceeded its time budget and was skipped on "
            f"the lines where it did (run 'triage rules check' to find it): {pattern}",
            err=True,
        )


class Interrupts:
    """Ctrl-C as KeyboardInterrupt, held back while a record is being written.

    A KeyboardInterrupt raised inside a write can cut an output line in two; one that comes during
    ``writing()`` is raised when the write is done. Installed only over Python's own handler, from
    the main thread: when Ctrl-C is ignored (a background job) or handled by someone else, it stays so.
    """

    def __init__(self) -> None:
        self._previous = None
        self._held = False
        self._pending = False

    def __enter__(self) -> "Interrupts":
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum, frame) -> None:
        if self._held:
            self._pending = True
        else:
            raise KeyboardInterrupt

    @contextmanager
    def writing(self) -> Iterator[None]:
        self._held = True
        try:
            yield
        finally:
            self._held = False
        if self._pending:
            raise KeyboardInterrupt


def show_progress(total: int, kind: OutputFormat) -> bool:
    """A bar for long runs, on a terminal only, and never on the terminal that streamed records go to."""
    if total <= PROGRESS_MIN_JOBS or not _is_terminal(sys.stderr):
        return False
    return not (kind in STREAMED and _is_terminal(sys.stdout))


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


def available_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1
