"""The command line. Thin: it parses options, builds the parts, and wires them together."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click

from philly_triage import __version__
from philly_triage.catalogue import CatalogueError, load_catalogue
from philly_triage.classify import classify_paths
from philly_triage.formats import OutputFormat, make_formatter
from philly_triage.formats.base import summary_line
from philly_triage.markers import default_markers
from philly_triage.matcher import Matcher
from philly_triage.policy import FailPolicy, PolicyError

EXIT_OK, EXIT_POLICY, EXIT_USAGE = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triage")
def cli() -> None:
    """Find the failure that ended each deep-learning job, and say what kind it is."""


@cli.command()
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
@click.option(
    "--rules", "rule_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
    help="Use the rule files of this directory instead of the built-in catalogue (repeatable).",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour the table: on a terminal (auto), always, or never. NO_COLOR turns auto off.",
)
def classify(paths: tuple[str, ...], output_format: str, fail_on: tuple[str, ...], rule_dirs, color: str) -> None:
    """Classify the failure that ended each job under PATHS.

    A file is one job. A directory holds jobs: each direct child is one job (a file, or a
    directory of log files; numbered retry subdirectories count only through the latest).

    Exit status: 0 when the run completed, 1 when --fail-on matched a job, 2 for bad usage or a
    broken rule catalogue.
    """
    try:
        catalogue = load_catalogue(rule_dirs)
        markers = default_markers()
    except CatalogueError as err:
        for problem in err.problems:
            click.echo(f"triage: error: {problem}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        policy = FailPolicy.parse(fail_on, catalogue)
    except PolicyError as err:
        raise click.UsageError(str(err)) from None
    matcher = Matcher(catalogue)
    stdout = sys.stdout
    formatter = make_formatter(OutputFormat(output_format), stdout, color=_use_color(color, stdout))
    formatter.start()
    matched = False
    records = []
    for record in classify_paths(list(paths), matcher, markers):
        formatter.add(record)
        records.append(record)
        matched = matched or policy.matches(record)
    formatter.finish()
    stdout.flush()
    for rule_id, pattern in sorted(matcher.timed_out):
        click.echo(f"triage: warning: a pattern of rule '{rule_id}' timed out and was skipped: {pattern}", err=True)
    if output_format == OutputFormat.TABLE.value:
        click.echo(summary_line(records), err=True)
    sys.exit(EXIT_POLICY if matched else EXIT_OK)


def _use_color(choice: str, stream) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def main() -> None:
    """Entry point: exit quietly when the reader of a pipe goes away (e.g. ``| head``)."""
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        cli(prog_name="triage")
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_OK)
