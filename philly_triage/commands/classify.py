"""``triage classify``: one record per job, in the chosen format, and an exit status for CI."""

from __future__ import annotations

import sys

import click

from philly_triage.classify import classify_paths
from philly_triage.commands.common import (
    EXIT_FOUND, EXIT_OK, catalogue_options, color_option, open_catalogue, use_color,
)
from philly_triage.formats import OutputFormat, make_formatter
from philly_triage.formats.base import summary_line
from philly_triage.markers import default_markers
from philly_triage.matcher import Matcher
from philly_triage.policy import FailPolicy, PolicyError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
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
@catalogue_options
@color_option
def classify(paths, output_format, fail_on, rule_paths, no_builtin_rules, color) -> None:
    """Classify the failure that ended each job under PATHS.

    A file is one job. A directory holds jobs: each direct child is one job (a file, or a
    directory of log files; numbered retry subdirectories count only through the latest).

    Exit status: 0 when the run completed, 1 when --fail-on matched a job, 2 for bad usage or a
    broken rule catalogue.
    """
    catalogue = open_catalogue(rule_paths, no_builtin_rules)
    markers = default_markers()
    try:
        policy = FailPolicy.parse(fail_on, catalogue)
    except PolicyError as err:
        raise click.UsageError(str(err)) from None
    matcher = Matcher(catalogue)
    stdout = sys.stdout
    formatter = make_formatter(OutputFormat(output_format), stdout, color=use_color(color, stdout))
    formatter.start()
    matched = False
    records = []
    for record in classify_paths(list(paths), matcher, markers):
        formatter.add(record)
        records.append(record)
        matched = matched or policy.matches(record)
    formatter.finish()
    stdout.flush()
    warn_timeouts(matcher)
    if output_format == OutputFormat.TABLE.value:
        click.echo(summary_line(records), err=True)
    sys.exit(EXIT_FOUND if matched else EXIT_OK)


def warn_timeouts(matcher: Matcher) -> None:
    for rule_id, pattern in sorted(matcher.timed_out):
        click.echo(
            f"triage: warning: a pattern of rule '{rule_id}' exceeded its time budget and was skipped on "
            f"the lines where it did (run 'triage rules check' to find it): {pattern}",
            err=True,
        )
