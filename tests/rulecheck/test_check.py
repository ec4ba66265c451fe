"""`rules check` without the command line (rulecheck/check.py): what a loaded rule is warned about or
refused for, where each problem is placed, and what a run over files counts. The command's output
and exit statuses are tested in tests/cli/test_rules.py."""

from __future__ import annotations

import shutil

from philly_triage._internal.catalogue.load import RuleSource
from philly_triage._internal.rulecheck.check import ERROR, WARNING, check_sources, lint_rule
from philly_triage.models import ContextPattern, Example, Pattern, Rule
from tests.conftest import DATA

GOOD = dict(id="good", name="Good", dimension="d", description="d", hint="h", retry="never", keywords=("boom",),
            patterns=(Pattern("boom happened", line=9),), examples_match=(Example("boom happened", line=12),),
            source="rules/good.yaml", line=2)


def problems(budget=0.02, **changes):
    return [(p.line, p.severity, p.message) for p in lint_rule(Rule(**{**GOOD, **changes}), budget)]


def test_a_sound_rule_has_no_problem():
    assert problems() == []


def test_a_pattern_that_matches_an_empty_line_is_an_error_at_its_line():
    assert problems(patterns=(Pattern("boom happened", line=9), Pattern("(?:boom)?", line=10))) == [
        (10, ERROR, "pattern '(?:boom)?' matches an empty line, so it matches every line"),
        (10, WARNING, "pattern '(?:boom)?' can match a line holding none of the keywords ('boom'): it needs no "
                      "literal text at all. The keyword prefilter hides such lines from the pattern; add a keyword "
                      "that every match of it spells out"),
    ]


def test_an_exclude_or_context_that_backtracks_is_an_error():
    found = problems(excludes=("(a+)+$",), context=(ContextPattern(when="boom", near="(x|x)*y", line=11),))
    assert [(line, severity) for line, severity, _ in found] == [(2, ERROR), (11, ERROR)]  # the exclude has no line
    assert found[0][2].startswith("exclude '(a+)+$' backtracks catastrophically: a search of 'a' x 4096 + '!' took ")
    assert found[1][2].startswith("context 'near' '(x|x)*y' backtracks catastrophically: ")
    assert all(message.endswith("avoid nested or adjacent quantifiers that can match the same text")
               for _, _, message in found)


def test_weak_spots_are_warnings_at_the_rules_id():
    assert problems(retry="unknown", examples_match=()) == [
        (2, WARNING, "no 'retry' advice (never, maybe or environment): its records say unknown"),
        (2, WARNING, "no 'match' examples: 'triage rules test' cannot test this rule"),
    ]
    assert problems(patterns=(), exceptions=("BoomError",), examples_match=()) == [
        (2, WARNING, "'keywords' have no effect: they only prefilter 'patterns', and there are none"),
        (2, WARNING, "no 'match' examples: 'triage rules test' cannot test this rule"),
    ]


def test_an_example_that_only_the_keywords_keep_from_its_pattern_is_a_warning_at_the_example():
    found = problems(keywords=("bang",), patterns=(Pattern("boom", line=9),), examples_match=(Example("it went boom", line=12),))
    assert [(line, severity) for line, severity, _ in found] == [(9, WARNING), (12, WARNING)]
    assert found[1][2] == ("match example 1 has a line that pattern 'boom' matches but no keyword passes "
                           "('it went boom'); add a keyword it holds")


def test_a_check_counts_rule_files_rules_and_problems(tmp_path):
    shutil.copy(DATA / "rule_files" / "nccl_timeout.yaml", tmp_path)
    (tmp_path / "broken.yaml").write_text("id: broken\nname: [\n")
    report = check_sources([RuleSource(tmp_path, "--rules")], budget=0.02)
    assert (report.files, report.rules, report.stage_files, report.stage_markers) == (2, 1, 0, 0)
    assert (report.errors, report.warnings) == (1, 0)
    (problem,) = report.problems
    assert (problem.file, problem.line) == (str(tmp_path / "broken.yaml"), 3)  # where YAML found the list unclosed
    assert problem.message.startswith("YAML syntax error")
