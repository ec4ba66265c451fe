"""``triage rules list|show|check|test``: see, validate and test the rule catalogue."""

from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path

import click

from philly_triage._internal.catalogue.load import RuleSource, rule_files
from philly_triage._internal.cli.common import (
    EXIT_FOUND, EXIT_OK, catalogue_options, color_option, make_console, open_catalogue, open_classifier, open_expectations,
    use_color,
)
from philly_triage._internal.analysis.evaluate import labelled_records
from philly_triage._internal.rulecheck.check import check_sources
from philly_triage._internal.rulecheck.examples import judge_log, run_examples
from philly_triage._internal.catalogue.sources import resolve_sources
from philly_triage._internal.cli.config import config_rules
from philly_triage._internal.output.views.rule_check import render_check
from philly_triage._internal.output.views.rule_tests import CaseReporter
from philly_triage._internal.output.views.rules import render_rule, render_rule_table, rule_to_dict, shown_source

FORMAT_OPTION = click.option(
    "--format", "-f", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="A readable view, or JSON.",
)


@click.group()
def rules() -> None:
    """See, check and test the rule catalogue (built-in rules plus your own)."""


@rules.command("list")
@FORMAT_OPTION
@catalogue_options
@color_option
def list_rules(output_format, rule_paths, no_builtin_rules, color) -> None:
    """List every rule: id, name, dimension, priority, patterns, examples and the file it came from."""
    catalogue = open_catalogue(rule_paths, no_builtin_rules)
    if output_format == "json":
        click.echo(json.dumps([rule_to_dict(rule) for rule in catalogue.rules], indent=2))
        return
    render_rule_table(catalogue, make_console(sys.stdout, use_color(color, sys.stdout)))


@rules.command("show")
@click.argument("rule_id")
@FORMAT_OPTION
@catalogue_options
@color_option
def show_rule(rule_id, output_format, rule_paths, no_builtin_rules, color) -> None:
    """Show the whole of rule RULE_ID, with its patterns highlighted."""
    catalogue = open_catalogue(rule_paths, no_builtin_rules)
    rule = catalogue.rule(rule_id)
    if rule is None:
        close = difflib.get_close_matches(rule_id, [r.id for r in catalogue.rules], n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else " ('triage rules list' shows them)"
        raise click.UsageError(f"no rule with id '{rule_id}'{hint}")
    if output_format == "json":
        click.echo(json.dumps(rule_to_dict(rule), indent=2))
        return
    render_rule(rule, make_console(sys.stdout, use_color(color, sys.stdout)))


@rules.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@catalogue_options
@color_option
def check_rules(files, strict, rule_paths, no_builtin_rules, color) -> None:
    """Validate rule FILES (or directories) without classifying anything.

    With no FILES, checks every rule file of the catalogue this run would use. Reports YAML
    errors, unknown or misspelt keys, missing and mistyped fields, duplicate ids, regexes that do
    not compile or backtrack catastrophically, and keywords that blind their own patterns.

    Exit status: 0 when there is no error (warnings too with --strict), 1 otherwise.
    """
    _require_existing(files)
    if files:
        sources = [RuleSource(path, "--rules") for path in files]
    else:
        sources = resolve_sources(rule_paths, use_builtin=not no_builtin_rules, config_paths=config_rules())
    report = check_sources(sources)
    render_check(report, make_console(sys.stdout, use_color(color, sys.stdout)))
    failed = report.errors or (strict and report.warnings)
    sys.exit(EXIT_FOUND if failed else EXIT_OK)


@rules.command("test")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--logs", "log_paths", multiple=True, type=click.Path(path_type=str), metavar="PATH",
    help="Also test whole job logs under PATH against --expect (repeatable).",
)
@click.option(
    "--expect", "expect_file", type=click.Path(dir_okay=False, path_type=Path),
    help="The expectations file for --logs: job -> category (and optionally file and line).",
)
@catalogue_options
@color_option
def test_rules(files, log_paths, expect_file, rule_paths, no_builtin_rules, color) -> None:
    """Run rules' examples through the whole pipeline, as classify would see a log of them.

    Each 'match' example must come out as its rule and each 'no_match' example must not, with the
    whole catalogue competing. With FILES, those rule files are added to the catalogue (replacing
    rules with the same id) and only their examples run; with none, every rule's do. With --logs
    and --expect, each job's record must match its expectation too.

    Exit status: 0 when every case passes, 1 when any fails.
    """
    _require_existing(files)
    if bool(log_paths) != bool(expect_file):
        raise click.UsageError("--logs and --expect go together")
    classifier = open_classifier(rule_paths, no_builtin_rules, extra=files)
    catalogue = classifier.catalogue
    expectations = open_expectations(expect_file, catalogue) if expect_file is not None else None
    tested_files = {os.path.realpath(p) for f in files for p in rule_files(f)}
    tested = [r for r in catalogue.rules if not files or os.path.realpath(r.source) in tested_files]
    reporter = CaseReporter(make_console(sys.stdout, use_color(color, sys.stdout)))
    for result in run_examples(tested, classifier):
        expected = f"{'' if result.should_match else 'not '}{result.rule.id}"
        where = f"{shown_source(result.rule)}:{result.example.line} {result.kind} example of '{result.rule.id}'"
        reporter.add(shown_source(result.rule), result.passed, where, expected, result.example.text, result.record)
    if expectations is not None:
        seen = set()
        for key, root, record in labelled_records(log_paths, classifier):
            if key in expectations.jobs:
                seen.add(key)
                verdict = judge_log(key, root, record, expectations.jobs[key])
                reporter.add(str(expect_file), verdict.passed, f"job {key}", verdict.expected, "", record)
        for key in sorted(set(expectations.jobs) - seen):
            expected = expectations.jobs[key].category
            reporter.add(str(expect_file), False, f"job {key}", f"{expected} (no such job under --logs)", "", None)
    reporter.finish()
    sys.exit(EXIT_FOUND if reporter.failures else EXIT_OK)


def _require_existing(paths) -> None:
    for path in paths:
        if not Path(path).exists():
            raise click.UsageError(f"no such rule file or directory: {path}")
