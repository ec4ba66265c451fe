"""``triage watch``: follow running jobs and report each failure the moment their logs show it."""

from __future__ import annotations

import sys
import time

import click

from philly_triage._internal.analysis.policy import ANY, PolicyError, Policy, selected
from philly_triage._internal.cli import interrupts
from philly_triage._internal.cli.common import (
    catalogue_options, open_classifier, readable_text, reading_options,
)
from philly_triage._internal.cli.watch_exec import TIMEOUT, ExecRunner
from philly_triage._internal.output.formats.json_format import to_json
from philly_triage._internal.output.formats.table import category_cell, failure_cell, where
from philly_triage._internal.pipeline.follow import INTERVAL, SETTLE, Follower
from philly_triage.models import FailureRecord

FORMATS = ("jsonl", "table")


@click.command("watch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
@click.option(
    "--exec", "command", metavar="CMD",
    help="Run CMD (with the shell) for each failure reported: the record comes as JSON on its stdin and "
    "in TRIAGE_RECORD, with TRIAGE_JOB, TRIAGE_CATEGORY, TRIAGE_STATUS, TRIAGE_RETRY, TRIAGE_FILE and "
    "TRIAGE_LINE. Its output goes to stderr; a command that fails is a warning.",
)
@click.option(
    "--exec-timeout", type=click.FloatRange(min=0, min_open=True), default=TIMEOUT, show_default=True,
    metavar="S", help="Kill an --exec command still running after S seconds (a warning).",
)
@click.option(
    "--fail-on", multiple=True, metavar="WHAT",
    help="Report only the failures this names: 'any' (the default), 'unclassified', a dimension id or a "
    "category id (repeat or separate with commas).",
)
@click.option(
    "--format", "-f", "output_format", type=click.Choice(FORMATS), default="jsonl", show_default=True,
    help="One JSON record per line, or one table line per failure (job, category, where, failure).",
)
@click.option(
    "--interval", type=click.FloatRange(min=0.01), default=INTERVAL, show_default=True, metavar="S",
    help="Look at the files every S seconds.",
)
@click.option(
    "--settle", type=click.FloatRange(min=0), default=SETTLE, show_default=True, metavar="S",
    help="Classify a job again once its files have had no new output for S seconds (a traceback a job "
    "survives is followed by more output).",
)
@click.option(
    "--existing", is_flag=True,
    help="Also report the failures the jobs already show when watch starts (by default only new ones).",
)
@reading_options
@catalogue_options
def watch_command(paths, command, exec_timeout, fail_on, output_format, interval, settle, existing, reading,
                  rule_paths, no_builtin_rules) -> None:
    """Follow the jobs under PATHS as they run, and report each failure that ends one.

    PATHS are read as `classify` reads them, again at every look, so files and job directories
    that appear later are followed; a file replaced (rotated) or truncated is read afresh, and a
    path not there yet is waited for. When a job's files change and then have no new output for
    --settle seconds, the job is classified again: a failure (the verdict `classify` gives on
    the log as it is) is written at once, one record per line. A failure is reported once; a job
    is reported again only for a new failure (after a rotation or truncation, or at another line).

    \b
    Watch runs until stopped: Ctrl-C exits 130, SIGTERM 143, after writing every failure found
    by then and waiting for the --exec commands started.
    """
    classifier = open_classifier(rule_paths, no_builtin_rules, reading=reading)
    try:
        selectors = Policy.parse(fail_on, classifier.catalogue).fail_on or frozenset({ANY})
    except PolicyError as err:
        raise click.UsageError(str(err)) from None
    readable_text(sys.stdout, utf8=output_format == "jsonl")
    warn = lambda line: click.echo(f"triage: warning: {line}", err=True)  # noqa: E731
    runner = ExecRunner(command, warn, exec_timeout) if command else None
    follower = Follower(classifier, list(paths), lambda record: selected(record, selectors), settle, existing, warn)
    reported = 0

    def emit(records: list[FailureRecord]) -> None:
        nonlocal reported
        for record in records:
            sys.stdout.write(line_of(record, output_format) + "\n")
            sys.stdout.flush()
            reported += 1
            if runner is not None:
                runner.submit(record)

    try:
        with interrupts.holding():  # a failure found is written before a signal is taken
            emit(follower.start())
        click.echo(f"triage: watching {len(follower.jobs)} jobs under {', '.join(paths)}; Ctrl-C to stop", err=True)
        while True:
            time.sleep(follower.wait(interval))
            with interrupts.holding():
                emit(follower.poll())
    except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM / SIGHUP as Interrupted: further ones are ignored
        interrupts.caught()
        emit(follower.poll(final=True))  # what the logs show now, without waiting for them to settle
        if runner is not None:
            runner.close()
        noun = "failure" if reported == 1 else "failures"
        click.echo(interrupts.message(stop, f" ({reported} {noun} reported)"), err=True)
        sys.exit(interrupts.exit_status(stop))


def line_of(record: FailureRecord, output_format: str) -> str:
    """One record as a line: JSON, or the table's cells (job, category, where, failure)."""
    if output_format == "jsonl":
        return to_json(record.to_dict())
    return "  ".join(cell for cell in (record.job, category_cell(record), where(record), failure_cell(record)) if cell)
