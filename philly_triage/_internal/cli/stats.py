"""``triage stats``: classify jobs, then show their statistics as bar charts, JSON or Markdown."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO

import click
from click.core import ParameterSource

from philly_triage._internal.cli import interrupts
from philly_triage._internal.cli.common import storage_option
from philly_triage._internal.cli.common import (
    EXIT_OK, catalogue_options, classify_all, color_option, fail, gpus_option, jobs_option, make_console,
    open_classifier, open_output, readable_text, reading_options, use_color,
)
from philly_triage._internal.cli.scale import dask_option
from philly_triage._internal.output.formats.json_format import to_json
from philly_triage._internal.analysis.stats import Stats, aggregate, counted
from philly_triage._internal.output.views.stats import render_stats, stats_markdown

FORMATS = ("table", "json", "markdown")
EXTENSIONS = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".txt": "table"}


@click.command("stats")
# Not readable=True: a path that cannot be read is a job with an error record, counted, not a usage error.
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str, readable=False))
@click.option("--format", "-f", "output_format", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Bar charts, JSON (the documented statistics contract) or Markdown tables.")
@click.option("--output", "-o", "output", metavar="FILE",
              help="Write the --format to FILE and show the charts on the terminal. Without --format, FILE's "
                   "extension names it (.json .md .markdown .txt).")
@gpus_option
@jobs_option
@reading_options
@catalogue_options
@storage_option
@color_option
@dask_option
@click.pass_context
def stats_command(ctx, paths, output_format, output, gpus, processes, reading, rule_paths, no_builtin_rules,
                  color, dask) -> None:
    """Classify the jobs under PATHS, then show how their failures divide up.

    Counts, shares and GPU hours by dimension (beside the ICSE 2020 study's shares), by
    category, by the stage the job failed in (beside the study's figures) and by retry advice,
    then the GPU hours that automatic retries of deterministic failures wasted. Jobs are found and
    classified as 'triage classify' does; GPU hours and retry counts come from each job's metadata
    file (job.meta.yaml) or its logs' timestamps with --gpus.

    Exit status: 0 when the statistics are written (jobs that could not be read are counted as
    errors), 2 for bad usage, a broken rule catalogue or an output that cannot be written.
    """
    if output == "-":  # stdout: where the --format goes anyway
        output = None
    file_format = output_format
    if output is not None and ctx.get_parameter_source("output_format") is ParameterSource.DEFAULT:
        file_format = EXTENSIONS.get(os.path.splitext(output)[1].lower())
        if file_format is None:
            raise click.UsageError(f"cannot tell the format of --output {output!r} from its extension "
                                   f"({' '.join(EXTENSIONS)}); give --format")
    classifier = open_classifier(rule_paths, no_builtin_rules, gpus=gpus, reading=reading)
    catalogue = classifier.catalogue
    stream = None if output is None else open_output(output)  # before classifying: fails at once
    try:
        records = classify_all(classifier, paths, processes, dask, keep=counted)  # what stats count, not the records
    except KeyboardInterrupt:  # a stop signal (interrupts.py): leave no empty output file behind
        if stream is not None:
            stream.close()
            with contextlib.suppress(OSError):
                os.unlink(output)
        raise
    stats = aggregate(records, catalogue)
    try:
        with interrupts.holding():  # a stop signal now ends the run once the outputs are whole
            if stream is not None:
                with stream:
                    write(stats, file_format, stream, color=False)
                click.echo(f"triage: wrote {output}", err=True)
            shown = output_format if stream is None else "table"
            readable_text(sys.stdout, utf8=shown != "table")
            write(stats, shown, sys.stdout, use_color(color, sys.stdout))
    except OSError as err:  # a disk that filled up under the output file, say
        fail(f"cannot write the output: {err}")
    if stats.failed and not stats.gpu_hours_known:
        click.echo("triage: no GPU hours known: give --gpus N for timestamped logs, or a job.meta.yaml beside "
                   "each job's logs", err=True)
    sys.exit(EXIT_OK)


def write(stats: Stats, output_format: str, stream: TextIO, color: bool) -> None:
    if output_format == "json":
        stream.write(to_json(stats.to_dict(), indent=2) + "\n")
    elif output_format == "markdown":
        stream.write(stats_markdown(stats))
    else:
        render_stats(stats, make_console(stream, color))
