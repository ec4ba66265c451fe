"""How `rules check` reports (output/views/rule_check.py): a compiler-style line per problem, a summary."""

from __future__ import annotations

import io

from rich.console import Console

from philly_triage._internal.catalogue.rule_file import Problem
from philly_triage._internal.output.views.rule_check import check_summary, render_check
from philly_triage._internal.rulecheck.check import CheckReport


def plain(report: CheckReport) -> str:
    stream = io.StringIO()
    render_check(report, Console(file=stream, no_color=True, width=200))
    return stream.getvalue()


def test_one_line_per_problem_then_the_summary():
    report = CheckReport(files=2, rules=1, problems=(
        Problem("rules/a.yaml", 3, "a", "invalid regular expression '('"),
        Problem("rules/b.yaml", None, None, "YAML syntax error: oops"),
        Problem("rules/a.yaml", 9, "a", "no 'retry' advice", "warning"),
    ))
    assert plain(report).splitlines() == [
        "rules/a.yaml:3: error: rule 'a': invalid regular expression '('",
        "rules/b.yaml: error: YAML syntax error: oops",
        "rules/a.yaml:9: warning: rule 'a': no 'retry' advice",
        "2 rule files checked (1 rules): 2 errors, 1 warning",
    ]


def test_the_summary_counts_in_the_singular_and_names_stage_files():
    assert check_summary(CheckReport(1, 1, ())) == "1 rule file checked (1 rules): 0 errors, 0 warnings"
    assert check_summary(CheckReport(20, 20, (), stage_files=1, stage_markers=31)) == (
        "20 rule files and 1 stages file (31 stage markers) checked (20 rules): 0 errors, 0 warnings")
    assert check_summary(CheckReport(0, 0, (), stage_files=2, stage_markers=1)) == (
        "0 rule files and 2 stages files (1 stage marker) checked (0 rules): 0 errors, 0 warnings")
