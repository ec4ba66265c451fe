"""How `rules test` reports (output/views/rule_tests.py), pytest-style: a character per case grouped by
file, then each failure with what was expected, what came and the lines it came from."""

from __future__ import annotations

import io
import re

from rich.console import Console

from philly_triage._internal.output.views.rule_tests import MAX_EXCERPT_LINES, CaseReporter
from philly_triage.models import FailureRecord, Status

WON = FailureRecord(job="<example>", status=Status.CLASSIFIED, category="loss_nan", rule="loss_nan",
                    evidence="loss is nan", file="<example>", line=2, message="loss is nan at step 3")
MISSED = FailureRecord(job="j", status=Status.UNCLASSIFIED, file="logs/j.log", line=7, message="boom")


def report(cases) -> list[str]:
    stream = io.StringIO()
    reporter = CaseReporter(Console(file=stream, no_color=True, width=200))
    for case in cases:
        reporter.add(*case)
    reporter.finish()
    return stream.getvalue().splitlines()


def test_passing_cases_are_dots_grouped_by_file():
    lines = report([("a.yaml", True, "", "", "", None)] * 3 + [("b.yaml", True, "", "", "", None)])
    assert lines[:2] == ["a.yaml ...", "b.yaml ."]
    assert lines[2] == "" and re.fullmatch(r"4 passed in \d+\.\d\ds", lines[3])


def test_a_failure_says_expected_got_where_and_shows_the_excerpt():
    excerpt = "step 1\nloss is nan at step 3\n"
    lines = report([
        ("a.yaml", True, "", "", "", None),
        ("a.yaml", False, "a.yaml:9 no_match example of 'loss_nan'", "not loss_nan", excerpt, WON),
        ("logs", False, "job j", "key_not_found at logs/j.log:7", "", MISSED),
        ("logs", False, "job k", "loss_nan (no such job under --logs)", "", None),
    ])
    assert lines[:2] == ["a.yaml .F", "logs FF"]
    assert lines[2:] == [
        "",
        "FAILED a.yaml:9 no_match example of 'loss_nan'",
        "  expected: not loss_nan",
        "  got:      loss_nan (rule 'loss_nan' won on 'loss is nan')",
        "  the locator chose line 2: loss is nan at step 3",
        "  | step 1",
        "  | loss is nan at step 3",
        "",
        "FAILED job j",
        "  expected: key_not_found at logs/j.log:7",
        "  got:      unclassified",
        "  the locator chose logs/j.log:7: boom",  # no excerpt: the place is a file and line
        "",
        "FAILED job k",
        "  expected: loss_nan (no such job under --logs)",
        "",
        lines[-1],
    ]
    assert re.fullmatch(r"3 failed, 1 passed in \d+\.\d\ds", lines[-1])


def test_a_long_excerpt_is_cut_and_says_how_much():
    excerpt = "".join(f"line {n}\n" for n in range(1, 31))
    lines = report([("a.yaml", False, "a.yaml:3 match example of 'x'", "x", excerpt,
                     FailureRecord(job="e", status=Status.ERROR, reason="unreadable"))])
    shown = [line for line in lines if line.startswith("  | ")]
    assert MAX_EXCERPT_LINES == 12
    assert shown == [f"  | line {n}" for n in range(1, 12)] + ["  | ... (19 more lines)"]
    assert "  got:      error: unreadable" in lines
