"""Check rule files without classifying anything: everything ``load_catalogue`` refuses, plus advice.

Errors keep a rule out of the catalogue or make it unsafe (a pattern that matches every line, or
one that backtracks catastrophically). Warnings are mistakes that still load: keywords that blind
their own patterns, keywords with nothing to prefilter, a rule without examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import regex

from philly_triage._internal.rulecheck.redos import DEFAULT_BUDGET, find_slow_match
from philly_triage._internal.catalogue.load import RuleSource, load_source, load_stages, rule_files
from philly_triage._internal.rulecheck.keyword_lint import blinded_examples, unguarded_path
from philly_triage.models import Rule
from philly_triage._internal.catalogue.rule_file import REGEX_FLAGS, Problem
from philly_triage._internal.catalogue.stage_file import is_stage_file

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class CheckReport:
    """What ``rules check`` found in the files it read."""

    files: int
    rules: int
    problems: tuple[Problem, ...]
    stage_files: int = 0
    stage_markers: int = 0

    @property
    def errors(self) -> int:
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == WARNING for p in self.problems)


def check_sources(sources: Sequence[RuleSource], budget: float = DEFAULT_BUDGET) -> CheckReport:
    """Validate and lint every rule file of ``sources``."""
    problems: list[Problem] = []
    files = rules = stage_files = stage_markers = 0
    for source in sources:
        paths = rule_files(source.path)
        stage_files += sum(map(is_stage_file, paths))
        files += len(paths) - sum(map(is_stage_file, paths))
        loaded, found = load_source(source)
        problems.extend(found)
        stage_markers += len(load_stages(source, problems))
        rules += len(loaded)
        for rule in loaded:
            problems.extend(lint_rule(rule, budget))
    return CheckReport(files, rules, tuple(problems), stage_files, stage_markers)


def lint_rule(rule: Rule, budget: float = DEFAULT_BUDGET) -> Iterator[Problem]:
    """The problems of a rule that loaded: unsafe patterns (errors) and weak spots (warnings)."""
    yield from _unsafe_patterns(rule, budget)
    yield from _keyword_problems(rule)
    if rule.retry == "unknown":
        yield _problem(rule, None, WARNING, "no 'retry' advice (never, maybe or environment): its records say unknown")
    if not rule.examples_match:
        yield _problem(rule, None, WARNING, "no 'match' examples: 'triage rules test' cannot test this rule")


def _regexes(rule: Rule) -> Iterator[tuple[str, str, Optional[int]]]:
    """(what, regex, line) for every regular expression the rule runs."""
    for pattern in rule.patterns:
        yield "pattern", pattern.regex, pattern.line
    for text in rule.excludes:
        yield "exclude", text, None
    for pair in rule.context:
        yield "context 'when'", pair.when, pair.line
        yield "context 'near'", pair.near, pair.line


def _unsafe_patterns(rule: Rule, budget: float) -> Iterator[Problem]:
    for what, text, line in _regexes(rule):
        if regex.compile(text, REGEX_FLAGS).search("") is not None:
            yield _problem(rule, line, ERROR, f"{what} {text!r} matches an empty line, so it matches every line")
            continue
        slow = find_slow_match(text, budget)
        if slow is not None:
            took = f"over {budget:g} s" if slow.timed_out else f"{slow.seconds:.2f} s"
            yield _problem(
                rule, line, ERROR,
                f"{what} {text!r} backtracks catastrophically: a search of {slow.sample} took {took}; "
                "avoid nested or adjacent quantifiers that can match the same text",
            )


def _keyword_problems(rule: Rule) -> Iterator[Problem]:
    if not rule.keywords:
        return
    if not rule.patterns:
        yield _problem(rule, None, WARNING, "'keywords' have no effect: they only prefilter 'patterns', and there are none")
        return
    keywords = ", ".join(repr(k) for k in rule.keywords)
    for pattern in rule.patterns:
        spelling = unguarded_path(pattern.regex, rule.keywords)
        if spelling is not None:
            example = f"a line with just {spelling!r} would do" if spelling else "it needs no literal text at all"
            yield _problem(
                rule, pattern.line, WARNING,
                f"pattern {pattern.regex!r} can match a line holding none of the keywords ({keywords}): "
                f"{example}. The keyword prefilter hides such lines from the pattern; add a keyword that "
                "every match of it spells out",
            )
    for index, line, pattern in blinded_examples(rule):
        example = rule.examples_match[index]
        yield _problem(
            rule, example.line, WARNING,
            f"match example {index + 1} has a line that pattern {pattern!r} matches but no keyword passes "
            f"({line.strip()[:120]!r}); add a keyword it holds",
        )


def _problem(rule: Rule, line: Optional[int], severity: str, message: str) -> Problem:
    """A problem at ``line``, or at the rule's id when the problem has no line of its own."""
    return Problem(rule.source, line if line is not None else rule.line, rule.id, message, severity)
