"""``triage report``: classify the jobs and write one self-contained HTML page about them."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from typing import BinaryIO

import click

from philly_triage._internal.cli import interrupts
from philly_triage._internal.cli.common import storage_option
from philly_triage._internal.cli.common import (
    EXIT_OK, catalogue_options, classify_all, fail, gpus_option, jobs_option, open_classifier, open_output,
    reading_options,
)
from philly_triage._internal.cli.scale import dask_option
from philly_triage._internal.output.report.page import excerpts_for, render_report
from philly_triage._internal.analysis.stats import aggregate


@click.command("report")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
@click.option("--output", "-o", "output", required=True, metavar="FILE",
              help="The HTML file to write ('-' writes the page to stdout).")
@gpus_option
@jobs_option
@reading_options
@catalogue_options
@storage_option
@dask_option
def report_command(paths, output, gpus, processes, reading, rule_paths, no_builtin_rules, dask) -> None:
    """Write an HTML report about the jobs under PATHS to FILE.

    Each job is classified as 'triage classify' would. The page holds the counts, bar charts of
    the failures by dimension (beside the ICSE 2020 study's shares), category, stage, retry
    advice and GPU hours, and a table of every job, sortable by any column; clicking a job
    shows its log around the failure line, with the rule's hint and retry advice. The page is
    one file that loads nothing: open it offline, attach it to a CI run or send it on.

    Exit status: 0 when the report is written, 2 for bad usage, a broken rule catalogue or a
    FILE that cannot be written (checked before any job is classified).
    """
    classifier = open_classifier(rule_paths, no_builtin_rules, gpus=gpus, reading=reading)
    stream = open_output(output, binary=True, what=f"the report to {output}")  # before any job is classified
    try:
        records = classify_all(classifier, paths, processes, dask)
        page = render_report(records, aggregate(records, classifier.catalogue).to_dict(), excerpts_for(records),
                             datetime.now(timezone.utc).astimezone(), paths)
        interrupts.check()  # a stop signal lost while the page was made (see interrupts.Interrupts.check)
        try:
            stream.write(page.encode("utf-8", "replace"))
            stream.flush()
        except OSError as err:
            fail(f"cannot write the report to {output}: {err.strerror or err}")
    except BaseException:
        _discard(stream, output)
        raise
    if stream is not sys.stdout.buffer:
        stream.close()
    where = "the report to stdout" if output == "-" else output
    click.echo(f"triage: wrote {where} ({len(records)} {'job' if len(records) == 1 else 'jobs'})", err=True)
    sys.exit(EXIT_OK)


def _discard(stream: BinaryIO, path: str) -> None:
    """A run that did not finish leaves no half-written report behind."""
    if stream is sys.stdout.buffer:
        return
    stream.close()
    try:
        os.unlink(path)
    except OSError:
        pass
