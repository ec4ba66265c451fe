"""``triage explain``: one job's verdict, the failure in its lines, and why triage said so."""

from __future__ import annotations

import sys

import click

from philly_triage._internal.cli.common import storage_option
from philly_triage._internal.cli.common import (
    EXIT_OK, catalogue_options, color_option, fail, gpus_option, make_console, open_classifier, readable_text,
    reading_options, use_color,
)
from philly_triage._internal.analysis.explain import DEFAULT_CONTEXT, MAX_SHOWN, ExplainError, explain_job, job_to_explain
from philly_triage._internal.output.formats.json_format import to_json


@click.command("explain")
@click.argument("job", type=click.Path(path_type=str, readable=False))
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="A readable explanation, or JSON.")
@click.option("--context", "-C", type=click.IntRange(min=0), default=DEFAULT_CONTEXT, show_default=True,
              metavar="N", help="Log lines shown before and after the failure line.")
@click.option("--all-candidates", is_flag=True,
              help=f"Show every possible failure the locator set aside, not only the {MAX_SHOWN} nearest the failure.")
@gpus_option
@reading_options
@catalogue_options
@storage_option
@color_option
def explain_command(job, output_format, context, all_candidates, gpus, reading, rule_paths, no_builtin_rules,
                    color) -> None:
    """Explain the verdict on one JOB (a log file or a job directory), as 'triage classify' gives it.

    JOB is read as 'triage classify' reads a path: a directory it takes for a directory of
    several jobs is refused (name one of them, or give --job).

    Shows the failure that ended the job with the lines around it, the rule that matched and on
    what (and the rules that lost), and every other line the locator took for a possible failure
    with the reason it was set aside: noise, survived, a wrapper, a consequence, part of the same
    final burst. For a job with no failure, why each possible one was not it.

    Exit status: 0 when the job was explained; 2 for bad usage, a broken rule catalogue, a job
    that is not there or cannot be read, or a directory that holds several jobs.
    """
    classifier = open_classifier(rule_paths, no_builtin_rules, gpus=gpus, reading=reading)
    try:
        explanation = explain_job(job_to_explain(job, classifier, reading), classifier, context, all_candidates)
    except ExplainError as err:
        fail(str(err))
    readable_text(sys.stdout, utf8=output_format == "json")
    if output_format == "json":
        click.echo(to_json(explanation.to_dict(), indent=2))
    else:
        from philly_triage._internal.output.views.explain import render_explanation  # only text needs rich

        colored = use_color(color, sys.stdout)
        render_explanation(explanation, make_console(sys.stdout, colored), colored)
    sys.exit(EXIT_OK)
