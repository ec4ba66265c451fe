"""``triage classify``: one record per job, in the chosen format, and an exit status for CI."""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Optional, Sequence

import click
from click.core import ParameterSource

from philly_triage._internal.analysis.baseline import BaselineError, load_baseline
from philly_triage._internal.catalogue.load import Catalogue
from philly_triage._internal.cli import interrupts
from philly_triage._internal.cli.common import (
    EXIT_FOUND, EXIT_OK, EXIT_TOOL_ERRORS, catalogue_options, color_option, describe_readings, fail, gpus_option,
    jobs_option, open_classifier, open_output, readable_text, reading_options, storage_option, use_color,
)
from philly_triage._internal.cli.outputs import OutputError, Target, plan_targets
from philly_triage._internal.cli.progress import progress_bar, progress_possible, show_progress
from philly_triage._internal.cli.stdin_job import StdinJob
from philly_triage._internal.cli.scale import dask_option, dask_runner
from philly_triage._internal.pipeline.discover import JobStream, PathReading
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage._internal.pipeline.ranged import describe_read
from philly_triage._internal.pipeline.select import Selected
from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.markdown import plural
from philly_triage._internal.output.formats.base import Formatter, Interruption, summary_line
from philly_triage.models import FailureRecord, Job, Status
from philly_triage._internal.pipeline.parallel import WorkerError, available_cores
from philly_triage._internal.analysis.policy import BASELINE, IGNORED, Policy, PolicyError



@click.command()
# Not readable=True: a path that cannot be read is a job with an error record, not a usage error.
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
@click.option(
    "--format", "-f", "output_format",
    type=click.Choice([f.value for f in OutputFormat]), default=OutputFormat.TABLE.value, show_default=True,
    help="Output format: a table (coloured on a terminal), json, jsonl, csv, sarif (SARIF 2.1.0), junit "
    "(JUnit XML), github (GitHub Actions annotations) or markdown (a CI job summary).",
)
@click.option(
    "--output", "-o", "outputs", multiple=True, metavar="[FORMAT:]FILE",
    help="Write the --format to FILE and show the table on the terminal. FORMAT:FILE writes that format "
    "instead (e.g. sarif:triage.sarif); with neither, FILE's extension names it (.json .jsonl .csv .sarif "
    ".xml .md .txt). A FILE of - is stdout, which then shows that format alone. Repeatable.",
)
@click.option(
    "--fail-on", multiple=True, metavar="WHAT",
    help="Exit 1 when a job's failure matches: 'any', 'unclassified', a dimension id or a category id "
    "(repeat or separate with commas).",
)
@click.option(
    "--ignore", multiple=True, metavar="WHAT",
    help="Failures that never make the run fail: 'unclassified', dimension or category ids (repeat or "
    "separate with commas). Their records say \"ignored\": true.",
)
@click.option("--hide-ignored", is_flag=True, help="Leave the records that --ignore names out of the output.")
@click.option(
    "--baseline", "baselines", multiple=True, type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
    help="An earlier run's --format json, jsonl or sarif output. Failures whose fingerprint it holds are "
    "left out of the output and never make the run fail: report new kinds of failure only. Repeatable.",
)
@click.option(
    "--name", "stdin_name", default=None, metavar="NAME",
    help="The job name of the log read from standard input ('-' among the PATHS); default: <stdin>.",
)
@jobs_option
@click.option(
    "--full", is_flag=True,
    help="Analyse every line of every log instead of reading each log from its end: slower, for the rare "
    "logs where the failure that ended the job is far from the end.",
)
@click.option(
    "--quiet", "-q", is_flag=True,
    help="Print only the output itself: no summary line, no progress bar, and no table when --output "
    "takes the format to a file. Warnings and errors still go to stderr.",
)
@gpus_option
@reading_options
@catalogue_options
@color_option
@dask_option
@storage_option
@click.pass_context
def classify(
    ctx, paths, output_format, outputs, fail_on, ignore, hide_ignored, baselines, stdin_name, processes, full, quiet,
    gpus, reading, rule_paths, no_builtin_rules, color, dask,
) -> None:
    """Classify the failure that ended each job under PATHS.

    A file is one job. A directory is one job when it holds a job.meta.yaml, numbered retry
    directories (1/ 2/, retry-2: only the latest counts), or a file or folder named like one
    stream of a job's output (stdout.txt, stderr.log, std_log.txt, 70_driver_log.txt,
    slurm-42.out, train.err, rank0/: job_streams in markers.yaml), unless its stream files name
    two jobs (slurm-1.out, slurm-2.out) or it holds two folders that are jobs by themselves. Any
    other directory holds jobs: each file in it is one job, and each folder in it is read by the
    same rule, so nested folders (runs/2026-12-01/job-a/) work; there, a folder of plain logs
    with no such names in or below it (job-x/train.log) is one job. --job and --jobs-in force
    either reading; the summary line says how each path was read. A PATH of - is one job read
    from standard input (kubectl logs pod | triage classify -), named by --name.

    Records come out in the order of the jobs. JSONL, CSV and github write each record as soon as
    it and the ones before it are done; the other formats come at the end. A progress bar shows
    on stderr for long runs on a terminal, where it cannot mix with the records.

    \b
    Exit status:
      0    the run completed and --fail-on matched nothing
      1    --fail-on matched a job (ignored and baseline failures never match)
      2    bad usage, a broken rule catalogue or baseline, an output that cannot be
           written, or worker processes that cannot start
      3    the run completed, --fail-on matched nothing, but triage could not
           classify some jobs (their records say "error"); or --fail-on was
           given and no job was found under PATHS (an empty input)
      130  Ctrl-C stopped the run (the records finished by then are written, and
           the documents say the run was interrupted)
      143  SIGTERM stopped it (timeout, Kubernetes, Slurm), 129 SIGHUP: as Ctrl-C
    """
    classifier = open_classifier(rule_paths, no_builtin_rules, full=full, gpus=gpus, reading=reading)
    catalogue = classifier.catalogue
    # A --format from the project configuration is a default, as the built-in one is: an --output
    # FILE's extension still names that file's format, and stdout then shows the table.
    fmt_given = ctx.get_parameter_source("output_format") not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    try:
        known = frozenset().union(*(load_baseline(path) for path in baselines))
        policy = Policy.parse(fail_on, catalogue, ignore, hide_ignored, known)
        targets = plan_targets(OutputFormat(output_format), fmt_given, outputs, quiet)
    except (PolicyError, OutputError) as err:
        raise click.UsageError(str(err)) from None
    except BaselineError as err:
        fail(str(err))
    stdout_kind = next((t.kind for t in targets if t.path is None), None)
    run = Run(policy, stdout_kind)
    run.stdin = StdinJob.given(paths, stdin_name)  # '-': one job read from standard input
    try:
        # Entered before the outputs open and left once they are closed: a stop signal (Ctrl-C,
        # SIGTERM, SIGHUP) never leaves a file empty or a record cut, and a second one is ignored.
        # --dask reaches its cluster first (and closes it last), so a scheduler out of reach is exit 2.
        with dask_runner(dask, processes) as runner, run.interrupts:
            try:
                with run.interrupts.writing():
                    run.outputs = open_outputs(targets, color, catalogue)
                run.classify(classifier, list(paths), processes or available_cores(), quiet, runner)
            except KeyboardInterrupt as stop:  # Ctrl-C, or Interrupted by SIGTERM or SIGHUP
                run.interrupts.caught()
                run.finish(stop)
                done = f" ({run.done} of {run.total} jobs done)" if run.total is not None else (
                    f" ({plural(run.done, 'job')} done)" if run.done else "")
                click.echo(interrupts.message(stop, done), err=True)
                sys.exit(interrupts.exit_status(stop))
    except BrokenPipeError:
        # The reader of stdout went away (`| head`). Worker processes run with SIGPIPE ignored, so
        # the write raised this instead of ending triage; end it as SIGPIPE's default action would
        # have (cli.main sets that action), now that the workers are stopped.
        if hasattr(signal, "SIGPIPE") and signal.getsignal(signal.SIGPIPE) == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGPIPE)
        raise
    except WorkerError as err:
        fail(f"{err}; run with --jobs 1 to classify without worker processes")
    except OSError as err:  # a disk that filled up under an --output file, say
        fail(f"cannot write the output: {err}")
    warn_timeouts(run.timed_out)
    if not quiet:
        report_run(run)
    if policy.fail_on and run.found_nothing():  # --quiet does not hide it: it is the run's verdict
        click.echo(f"triage: error: {run.nothing_found(paths)}", err=True)
        sys.exit(EXIT_TOOL_ERRORS)
    sys.exit(run.exit_status())


def open_outputs(targets: list[Target], color: str, catalogue: Catalogue) -> list[Formatter]:
    """A formatter per target: stdout coloured as --color says, files plain; a file that cannot be
    opened ends the run with status 2 before any job is classified."""
    formatters = []
    for target in targets:
        if target.path is None:
            stream, colored = sys.stdout, use_color(color, sys.stdout)
            readable_text(stream, utf8=target.kind is not OutputFormat.TABLE)
        else:
            stream, colored = open_output(target.path), False
        formatters.append(make_formatter(target.kind, stream, color=colored, catalogue=catalogue))
    return formatters


def report_run(run: "Run") -> None:
    """The human end of a run, on stderr (whatever the format): the summary line, with how the
    paths were read and what --exclude/--include left out, then hidden and error counts."""
    read = "; ".join(part for part in (describe_readings(run.readings), run.left_out) if part)
    click.echo(summary_line(run.by_status) + (f" ({read})" if read else ""), err=True)
    store = describe_read(*run.store_read)
    if store:  # URL paths only: how little of the objects the ranged reads fetched
        click.echo(f"triage: {store}", err=True)
    hidden = ", ".join(f"{count} {HIDDEN_WHY[why]}" for why, count in sorted(run.hidden.items()))
    if hidden:
        click.echo(f"triage: not shown: {hidden}", err=True)
    if run.errors and not run.matched:
        noun = "job" if run.errors == 1 else "jobs"
        click.echo(f"triage: {run.errors} {noun} could not be classified (status error): exit status 3", err=True)


HIDDEN_WHY = {BASELINE: "already in the baseline", IGNORED: "ignored (--hide-ignored)"}


class Run:
    """One run's outputs and what it has done so far, so that a stop signal can leave the finished records."""

    def __init__(self, policy: Policy, stdout_kind: Optional[OutputFormat], outputs: Sequence[Formatter] = ()) -> None:
        self.outputs = list(outputs)
        self.policy = policy
        self.stdout_kind = stdout_kind  # the format on stdout, None when stdout shows nothing
        self.interrupts = interrupts.Interrupts()
        self.jobs: Optional[tuple[Job, ...]] = None  # the jobs, when found before any is classified
        self.stream: Optional[JobStream] = None  # the jobs, when classified as they are found
        self.readings: tuple[PathReading, ...] = ()  # how each path given was read
        self.left_out = ""  # what --exclude/--include left out, in words ('' for nothing)
        self.by_status: Counter = Counter()  # the records written so far, by status (not kept: a run may be of millions)
        self.hidden: Counter = Counter()
        self.timed_out: set[tuple[str, str]] = set()
        self.store_read: tuple = (0, 0, 0)  # from an object store: bytes read, bytes of the objects, objects
        self.matched = False
        self.errors = 0
        self.started = self.finished = False
        self.stdin: Optional[StdinJob] = None  # the job '-' reads from standard input, if given

    def classify(self, classifier: Classifier, paths: list[str], processes: int, quiet: bool, runner=None) -> None:
        """Classify every job under ``paths`` and write each record, then the end of the output;
        ``runner`` (--dask) classifies them elsewhere than in ``processes`` local workers."""
        with self.interrupts.writing():
            for output in self.outputs:
                output.start()
            self.started = True
        # Without a progress bar (output to a file or pipe, stderr not a terminal, --quiet) the jobs
        # are classified as discovery finds them, and never all held: memory stays flat however
        # many there are. A bar needs their number first: they are all found, then classified, and
        # the workers start while they are found, at the second (see parallel.EarlyWorkers).
        streamed = runner is None and not self.stdin and (quiet or not progress_possible(self.stdout_kind))
        early = classifier.early_workers(processes) if runner is None and not self.stdin and not streamed else None
        try:
            if streamed:
                self.stream = classifier.stream(paths)
                outcomes = classifier.outcomes(self.stream, processes)
                shown = False
            else:
                found = self.stdin.find(classifier, paths) if self.stdin else classifier.find(paths, early=early)
                self.jobs, self.readings = found.jobs, found.readings
                self.left_out = found.describe() if isinstance(found, Selected) else ""
                outcomes = classifier.outcomes(self.jobs, processes, runner=runner, early=early)
                shown = not quiet and show_progress(len(self.jobs), self.stdout_kind)
            with closing(outcomes), progress_bar(self.total or 0, shown) as advance:
                for outcome in outcomes:
                    with self.interrupts.writing():
                        self.take(self.stdin.restore(outcome.record) if self.stdin else outcome.record)
                    self.timed_out |= outcome.timed_out
                    if outcome.read:  # bytes read from an object store
                        self.store_read = tuple(map(sum, zip(self.store_read, outcome.read)))
                    advance()
        finally:
            if early is not None:
                early.close()  # workers nobody took (fewer than two jobs, or a stop signal)
        if self.stream is not None:
            self.readings = tuple(self.stream.readings)
            self.left_out = self.stream.keep.describe() if self.stream.keep is not None else ""
        with self.interrupts.writing():
            self.finish()

    def take(self, record: FailureRecord) -> None:
        """Mark one record by the policy, write it to every output (or count it hidden), and judge it."""
        record = self.policy.mark(record)
        why = self.policy.hidden(record)
        for output in self.outputs:
            if why:
                output.hide(record, why)
            else:
                output.add(record)
        self.by_status[record.status] += 1
        if why:
            self.hidden[why] += 1
        self.matched = self.matched or self.policy.fails(record)
        self.errors += record.status is Status.ERROR

    def finish(self, stop: Optional[KeyboardInterrupt] = None) -> None:
        """Write the end of every output (the whole table or document) once, with the records done.

        ``stop``, the signal that stopped the run, is told to every output first, so that each says
        the run was interrupted; an output the signal came before gets its start too.
        """
        if not self.finished:
            self.finished = True
            for output in self.outputs:
                if not self.started:
                    output.start()
                if stop is not None:
                    output.interrupt(Interruption(interrupts.signal_name(stop), self.done, self.total))
                output.finish()
            self.started = True
        for output in self.outputs:
            if output.stream.closed:
                continue  # closed by an earlier call, one a signal came after
            output.stream.flush()
            if output.stream is not sys.stdout:
                output.stream.close()

    @property
    def done(self) -> int:
        """How many records the run has written."""
        return sum(self.by_status.values())

    @property
    def total(self) -> Optional[int]:
        """How many jobs the run has (None until the paths have all been searched)."""
        if self.stream is not None:
            return self.stream.found if self.stream.complete else None
        return len(self.jobs) if self.jobs is not None else None

    def found_nothing(self) -> bool:
        """Whether the run completed without a single job to judge (an empty folder, say)."""
        return self.total is not None and not self.done and self.stdin is None

    def nothing_found(self, paths: Sequence[str]) -> str:
        """Why --fail-on has nothing to judge: 'no jobs found under logs/ (...)'."""
        why = f" ({self.left_out})" if self.left_out else ""
        return f"no jobs found under {' '.join(paths)}{why}: --fail-on has nothing to judge"

    def exit_status(self) -> int:
        if self.matched:
            return EXIT_FOUND
        return EXIT_TOOL_ERRORS if self.errors else EXIT_OK


def warn_timeouts(timed_out: set[tuple[str, str]]) -> None:
    """One warning per (rule id, pattern) that exceeded its time budget anywhere in the run."""
    for rule_id, pattern in sorted(timed_out):
        click.echo(
            f"triage: warning: a pattern of rule '{rule_id}' exceeded its time budget and was skipped on "
            f"the lines where it did (run 'triage rules check' to find it): {pattern}",
            err=True,
        )
