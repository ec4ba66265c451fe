"""What every format shares: the summary, the one-line summary, and how an interruption is told."""

from __future__ import annotations

import io
import json
import signal

import pytest

from philly_triage._internal.output.formats import FORMATTERS, OutputFormat, make_formatter
from philly_triage._internal.output.formats.base import Interruption, summary_line
from philly_triage.models import FailureRecord, Status
from tests.formatting import render
from tests.output.formats.samples import BASIC, interrupted

RECORDS = [
    FailureRecord(job="logs/a", status=Status.CLASSIFIED, category="key_not_found", dimension="general_code",
                  file="logs/a/stderr.txt", line=3, message="KeyError: 'a'"),
    FailureRecord(job="logs/b", status=Status.NO_FAILURE),
]


def test_summary_line():
    assert summary_line(BASIC) == "3 jobs: 1 classified, 1 no failure, 1 error"
    assert summary_line(BASIC[:1]) == "1 job: 1 classified"
    assert summary_line([]) == "0 jobs: nothing to report"


def test_summary_line_of_counts_matches_that_of_records():
    from collections import Counter

    assert summary_line(Counter(r.status for r in BASIC)) == summary_line(BASIC)
    assert summary_line(Counter()) == "0 jobs: nothing to report"


def test_every_format_has_a_formatter():
    assert set(FORMATTERS) == set(OutputFormat)
    names = {kind.value: type(make_formatter(kind, io.StringIO())).__name__ for kind in OutputFormat}
    assert names == {"table": "TableFormatter", "json": "JsonFormatter", "jsonl": "JsonlFormatter",
                     "csv": "CsvFormatter", "sarif": "SarifFormatter", "junit": "JunitFormatter",
                     "github": "GithubFormatter", "markdown": "MarkdownFormatter"}


def test_an_interruption_says_which_signal_and_how_far():
    assert Interruption("SIGTERM", 2, 5).number == signal.SIGTERM
    assert Interruption("SIGTERM", 2, 5).describe() == (
        "triage was interrupted by SIGTERM after 2 of 5 jobs: the output holds only the jobs done by then")
    assert Interruption("SIGINT", 0, None).describe() == (
        "triage was interrupted by SIGINT before it had found the jobs: no job was classified")
    assert Interruption("SIGINT", 3, None).describe() == (  # jobs classified as they were found
        "triage was interrupted by SIGINT after 3 jobs, while it was still finding jobs: "
        "the output holds only the jobs done by then")


def test_an_interruption_before_the_jobs_were_found_says_so():
    document = json.loads(interrupted(OutputFormat.JSON, [], None))
    assert document["interrupted"] == {"signal": "SIGTERM", "jobs_done": 0, "jobs_total": None}
    assert "before it had found the jobs" in interrupted(OutputFormat.MARKDOWN, [], None)


@pytest.mark.parametrize("kind", list(OutputFormat))
def test_a_whole_run_says_nothing_of_interruptions(kind):
    assert "interrupted" not in render(kind, RECORDS).lower()
