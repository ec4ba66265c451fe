"""``triage eval``: measure the catalogue on labelled logs (accuracy, per-category scores, mistakes)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from philly_triage._internal.cli.common import (
    EXIT_FOUND, EXIT_OK, catalogue_options, color_option, jobs_option, make_console, open_classifier,
    open_expectations, reading_options, use_color,
)
from philly_triage._internal.analysis.evaluate import evaluate, labelled_records
from philly_triage._internal.pipeline.parallel import available_cores
from philly_triage._internal.output.views.evaluation import render_evaluation


@click.command("eval")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--expect", "expect_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="YAML: each job (its path relative to the PATH it is under, e.g. 2026-12-01/job-a) -> its "
    "category, or a mapping with category, file and line.",
)
@click.option(
    "--format", "-f", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="A readable report, or JSON.",
)
@click.option(
    "--fail-under", type=click.FloatRange(0, 100), metavar="PERCENT",
    help="Exit 1 when the accuracy is below PERCENT (for CI).",
)
@jobs_option
@reading_options
@catalogue_options
@color_option
def eval_command(paths, expect_file, output_format, fail_under, processes, reading, rule_paths, no_builtin_rules,
                 color) -> None:
    """Measure the catalogue on labelled logs under PATHS.

    Prints accuracy, per-category precision, recall and support, the mistakes as a confusion
    list, how often the failure's file and line were right, and the rules that fire on jobs
    labelled no_failure.

    Exit status: 0 when measured (1 with --fail-under when the accuracy is below it), 2 for bad
    usage, a broken catalogue or a broken expectations file.
    """
    classifier = open_classifier(rule_paths, no_builtin_rules, reading=reading)
    expectations = open_expectations(expect_file, classifier.catalogue)
    results = labelled_records(paths, classifier, processes or available_cores(), reading)
    evaluation = evaluate(results, expectations)
    if output_format == "json":
        click.echo(json.dumps(evaluation.to_dict(), indent=2))
    else:
        render_evaluation(evaluation, make_console(sys.stdout, use_color(color, sys.stdout)))
    accuracy = (evaluation.accuracy or 0.0) * 100
    sys.exit(EXIT_FOUND if fail_under is not None and accuracy < fail_under else EXIT_OK)
