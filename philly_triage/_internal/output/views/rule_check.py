"""How ``rules check`` reports: one compiler-style line per problem, then a summary."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from philly_triage._internal.rulecheck.check import CheckReport

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


def render_check(report: CheckReport, console: Console) -> None:
    for problem in report.problems:
        where = problem.file if problem.line is None else f"{problem.file}:{problem.line}"
        who = f"rule '{problem.rule}': " if problem.rule else ""
        console.print(Text.assemble(
            (where, "bold"), ": ", (problem.severity, SEVERITY_STYLE.get(problem.severity, "")), ": ",
            who, problem.message,
        ))
    console.print(check_summary(report))


def check_summary(report: CheckReport) -> str:
    files = f"{report.files} rule file{'s' if report.files != 1 else ''}"
    if report.stage_files:
        markers = _count(report.stage_markers, "stage marker")
        files += f" and {_count(report.stage_files, 'stages file')} ({markers})"
    return f"{files} checked ({report.rules} rules): {_count(report.errors, 'error')}, {_count(report.warnings, 'warning')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
