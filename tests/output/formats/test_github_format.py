"""GitHub Actions workflow commands: one annotation per failure, escaped as actions/core escapes them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.formats.github_format import escape_data, escape_property
from philly_triage.models import FailureRecord, Status
from tests.formatting import FlushCounter
from tests.formatting import render as render_records
from tests.output.formats.samples import ERROR, IGNORED, OOM, PASSED, UNCLASSIFIED, classify, write_logs


def render(kind, records):
    return render_records(kind, records)


@pytest.fixture()
def logs(tmp_path):
    return write_logs(tmp_path)


OOM_LINE = (
    "::error file=logs/job1/2/stderr.txt,line=42,title=gpu_out_of_memory (deep_learning)::"
    "torch.OutOfMemoryError: CUDA out of memory.%0AJob: logs/job1%0AHint: Lower the batch size.\n"
)


def test_github_classified_golden():
    assert render(OutputFormat.GITHUB, [OOM]) == OOM_LINE


def test_github_one_line_per_failure_by_level():
    unclassified = replace(UNCLASSIFIED, message="Segmentation fault")
    lines = render(OutputFormat.GITHUB, [OOM, unclassified, PASSED, ERROR, IGNORED]).splitlines(keepends=True)
    assert lines == [
        OOM_LINE,
        "::warning file=logs/weird,line=3,title=unclassified failure::Segmentation fault%0AJob: logs/weird\n",
        "::warning title=triage could not classify logs/gone::no such file or directory\n",
        "::notice file=logs/ign,line=1,title=ignored%3A key_not_found (general_code)::KeyError: 'lr'%0AJob: logs/ign\n",
    ]


def test_github_unclassified_without_a_file_has_no_file_or_line():
    record = FailureRecord(job="j", status=Status.UNCLASSIFIED, message="Segmentation fault")
    expected = "::warning title=unclassified failure::Segmentation fault%0AJob: j\n"
    assert render(OutputFormat.GITHUB, [record]) == expected


def test_github_escapes_as_actions_core_does():
    assert escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert escape_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"
    assert escape_data("%0A") == "%250A"  # a literal escape in a log stays literal
    record = FailureRecord(
        job="runs/a,b", status=Status.CLASSIFIED, category="c", dimension="d", file="runs/a,b/x:y%.log", line=7,
        message="100% done\r\nnext: 1, 2",
    )
    assert render(OutputFormat.GITHUB, [record]) == (
        "::error file=runs/a%2Cb/x%3Ay%25.log,line=7,title=c (d)::100%25 done%0D%0Anext: 1, 2%0AJob: runs/a,b\n"
    )


@pytest.mark.parametrize("field", ["message", "job", "hint"])
def test_github_text_from_a_log_cannot_start_another_command(field):
    values = {"message": "boom", "job": "j", "hint": "h", field: "x\n::error::pwned\r::warning::again"}
    record = FailureRecord(status=Status.CLASSIFIED, category="c", dimension="d", **values)
    error = FailureRecord(job=values["job"], status=Status.ERROR, reason=values["message"])
    for text in (render(OutputFormat.GITHUB, [record]), render(OutputFormat.GITHUB, [error])):
        assert text.count("\n") == 1 and "\r" not in text
        assert [line for line in text.split("\n") if line.startswith("::")] == [text[:-1]]


def test_github_writes_and_flushes_each_failure_and_nothing_else():
    stream = FlushCounter()
    formatter = make_formatter(OutputFormat.GITHUB, stream)
    formatter.start()
    formatter.add(OOM)
    assert stream.getvalue() == OOM_LINE and stream.flushes == 1
    formatter.add(PASSED)
    formatter.hide(OOM, "baseline")
    formatter.finish()
    assert stream.getvalue() == OOM_LINE and stream.flushes == 1


def test_cli_github(logs):
    lines = classify(logs, "github").splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"::error file={escape_property(str(logs / 'train.log'))},line=7,title=key_not_found (")
    assert "::KeyError: 'lr'%0AJob: " in lines[0]
