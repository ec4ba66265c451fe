"""The CI formats: JUnit XML, GitHub Actions annotations and the Markdown job summary."""

from __future__ import annotations

from dataclasses import replace
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from philly_triage._internal.output.formats import OutputFormat, make_formatter
from philly_triage._internal.output.formats.github_format import escape_data, escape_property
from philly_triage._internal.output.formats.markdown_format import MAX_ROWS
from philly_triage.models import FailureRecord, Status
from tests.formatting import FlushCounter, tables
from tests.formatting import render as render_records

OOM = FailureRecord(
    job="logs/job1", status=Status.CLASSIFIED, category="gpu_out_of_memory", dimension="deep_learning",
    rule="gpu_out_of_memory", file="logs/job1/2/stderr.txt", line=42,
    message="torch.OutOfMemoryError: CUDA out of memory.", exception="torch.OutOfMemoryError",
    hint="Lower the batch size.", evidence="CUDA out of memory", notes=("rank 3 failed first",),
)
NASTY = 'bad <&>" \x00 \x1b[31m \x0c \udcff caf\u00e9 \u65e5\u672c'
UNCLASSIFIED = FailureRecord(job="logs/weird", status=Status.UNCLASSIFIED, file="logs/weird", line=3, message=NASTY)
PASSED = FailureRecord(job="logs/ok.log", status=Status.NO_FAILURE)
ERROR = FailureRecord(job="logs/gone", status=Status.ERROR, reason="no such file or directory")
IGNORED = FailureRecord(
    job="logs/ign", status=Status.CLASSIFIED, category="key_not_found", dimension="general_code",
    file="logs/ign", line=1, message="KeyError: 'lr'", ignored=True,
)
RECORDS = [OOM, UNCLASSIFIED, PASSED, ERROR, IGNORED]
TRACEBACK = (
    "epoch 1 step 10 loss 2.31\n"
    "Traceback (most recent call last):\n"
    '  File "train.py", line 12, in <module>\n'
    "    main()\n"
    '  File "train.py", line 8, in main\n'
    "    lr = config['lr']\n"
    "KeyError: 'lr'\n"
)


def render(kind, records=RECORDS, hidden=()):
    return render_records(kind, records, hidden=[(OOM, why) for why in hidden])


def junit(records=RECORDS, hidden=()):
    text = render(OutputFormat.JUNIT, records, hidden)
    return text, ET.fromstring(text.encode("utf-8"))


def cases(root):
    return {case.get("name"): case for case in root.iter("testcase")}


# JUnit


def test_junit_counts_and_one_testcase_per_job():
    text, root = junit()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    expected = {"tests": "5", "failures": "2", "errors": "1", "skipped": "1"}
    suites = root.findall("testsuite")
    assert root.tag == "testsuites" and len(suites) == 1
    for element in (root, suites[0]):
        assert {k: element.get(k) for k in expected} == expected and element.get("name") == "triage"
    assert [c.get("name") for c in suites[0].findall("testcase")] == [r.job for r in RECORDS]
    assert {name: c.get("classname") for name, c in cases(root).items()} == {
        "logs/job1": "triage.deep_learning", "logs/weird": "triage.unclassified", "logs/ok.log": "triage.no_failure",
        "logs/gone": "triage.error", "logs/ign": "triage.general_code",
    }


def test_junit_classified_failure():
    case = cases(junit()[1])["logs/job1"]
    assert case.get("file") == "logs/job1/2/stderr.txt"
    failure = case.find("failure")
    assert failure.get("type") == "gpu_out_of_memory"
    assert failure.get("message") == "gpu_out_of_memory (deep_learning): torch.OutOfMemoryError: CUDA out of memory."
    assert failure.text.splitlines() == [
        "gpu_out_of_memory (deep_learning): torch.OutOfMemoryError: CUDA out of memory.",
        "where: 2/stderr.txt:42",
        "exception: torch.OutOfMemoryError",
        "evidence: CUDA out of memory",
        "hint: Lower the batch size.",
    ]
    assert case.find("system-out").text == "rank 3 failed first"


def test_junit_error_skipped_and_passing_cases():
    by_job = cases(junit()[1])
    error = by_job["logs/gone"]
    assert [child.tag for child in error] == ["error"]
    assert error[0].get("type") == "error" and error[0].get("message") == "no such file or directory"
    ignored = by_job["logs/ign"]
    assert [child.tag for child in ignored] == ["skipped"]
    assert ignored[0].get("message") == "ignored: key_not_found"
    assert ignored[0].text.startswith("key_not_found (general_code): KeyError: 'lr'")
    passed = by_job["logs/ok.log"]
    assert len(passed) == 0 and passed.get("file") is None


def test_junit_keeps_markup_and_replaces_what_xml_cannot_hold():
    failure = cases(junit()[1])["logs/weird"].find("failure")
    clean = 'bad <&>" \ufffd \ufffd[31m \ufffd \ufffd caf\u00e9 \u65e5\u672c'
    assert failure.get("type") == "unclassified"
    assert failure.get("message") == f"unclassified failure: {clean}"
    assert failure.text.splitlines() == [f"unclassified failure: {clean}", "where: weird:3"]


def test_junit_of_no_jobs_still_parses_and_says_what_was_hidden():
    _, root = junit([], hidden=["baseline", "baseline", "ignored"])
    assert root.get("tests") == "0" and root.get("failures") == "0"
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties == {"triage.hidden.baseline": "2", "triage.hidden.ignored": "1"}
    assert not list(root.iter("testcase"))


# GitHub Actions

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


# Markdown


def classified(job, category, dimension, message="m"):
    return FailureRecord(job=job, status=Status.CLASSIFIED, category=category, dimension=dimension,
                         file=f"{job}/log", line=1, message=message)


def test_markdown_heading_counts_and_shares():
    records = [
        classified("a", "gpu_out_of_memory", "deep_learning"), classified("b", "nccl_timeout", "deep_learning"),
        classified("c", "gpu_out_of_memory", "deep_learning"), classified("d", "key_not_found", "general_code"),
        PASSED,
    ]
    text = render(OutputFormat.MARKDOWN, records)
    assert text.startswith("## triage: 5 jobs: 4 classified, 1 no failure\n\n")
    dimensions, categories, failures = tables(text)
    assert dimensions == [
        ["Dimension", "Jobs", "Share"], ["deep_learning", "3", "75.0%"], ["general_code", "1", "25.0%"],
    ]
    assert categories == [  # by count, then id
        ["Category", "Dimension", "Jobs", "Share"],
        ["gpu_out_of_memory", "deep_learning", "2", "50.0%"],
        ["key_not_found", "general_code", "1", "25.0%"],
        ["nccl_timeout", "deep_learning", "1", "25.0%"],
    ]
    assert [row[0] for row in failures] == ["Job", "a", "b", "c", "d"]
    assert failures[1] == ["a", "gpu_out_of_memory", "deep_learning", "log:1", "m"]


def test_markdown_cells_survive_pipes_backticks_and_newlines():
    messages = ["a | b", "a \\| b", "``x`` and `y`", "`edge`", "line one\r\nline two", "<b>@someone</b> *x*"]
    records = [classified(f"j{i}", "c", "d", message) for i, message in enumerate(messages)]
    text = render(OutputFormat.MARKDOWN, records)
    assert "a \\| b" in text and "line one" in text and "\r" not in text
    failures = tables(text)[-1]
    assert all(len(row) == 5 for row in failures)
    assert [row[4] for row in failures[1:]] == [m.replace("\r\n", " ") for m in messages]


def test_markdown_caps_the_failures_table():
    records = [classified(f"job{i:03}", "c", "d") for i in range(MAX_ROWS + 5)]
    text = render(OutputFormat.MARKDOWN, records)
    failures = tables(text)[-1]
    assert len(failures) == 1 + MAX_ROWS and failures[-1][0] == f"job{MAX_ROWS - 1:03}"
    assert text.endswith("\n\n…and 5 more failures: `--format json` lists them all.\n")


def test_markdown_says_what_it_leaves_out_and_what_is_ignored():
    text = render(OutputFormat.MARKDOWN, [OOM, IGNORED], hidden=["baseline"] * 3 + ["ignored"])
    assert text.splitlines()[2] == (
        "3 failures already in the baseline are not shown. 1 failure that --ignore names is not shown. "
        "1 failure marked ignored (--ignore) does not count against the run."
    )
    assert ["logs/ign", "key_not_found (ignored)", "general_code", "ign:1", "KeyError: 'lr'"] in tables(text)[-1]


def test_markdown_lists_errors_in_their_own_section():
    text = render(OutputFormat.MARKDOWN, [PASSED, ERROR])
    assert "### By dimension" not in text and "### Failed jobs" not in text
    assert "\n### Jobs triage could not classify\n" in text
    assert tables(text) == [[["Job", "Reason"], ["logs/gone", "no such file or directory"]]]


def test_markdown_of_no_jobs():
    assert render(OutputFormat.MARKDOWN, []) == "## triage: no jobs to show\n"


# Through the command line


@pytest.fixture()
def logs(tmp_path):
    (tmp_path / "train.log").write_text(TRACEBACK)
    (tmp_path / "ok.log").write_text("epoch 1 loss 0.3\ntraining complete\n")
    return tmp_path


def classify(logs, kind):
    result = CliRunner().invoke(cli, ["classify", str(logs), "--format", kind], catch_exceptions=False)
    assert result.exit_code in (0, 1)
    return result.stdout


def test_cli_junit(logs):
    root = ET.fromstring(classify(logs, "junit").encode("utf-8"))
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    by_job = {case.get("name").rsplit("/", 1)[-1]: case for case in root.iter("testcase")}
    assert len(by_job["ok.log"]) == 0
    failure = by_job["train.log"].find("failure")
    assert failure.get("type") == "key_not_found" and failure.get("message").endswith(": KeyError: 'lr'")
    assert "where: train.log:7" in failure.text


def test_cli_github(logs):
    lines = classify(logs, "github").splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"::error file={escape_property(str(logs / 'train.log'))},line=7,title=key_not_found (")
    assert "::KeyError: 'lr'%0AJob: " in lines[0]


def test_cli_markdown(logs):
    text = classify(logs, "markdown")
    assert text.startswith("## triage: 2 jobs: 1 classified, 1 no failure\n")
    dimensions, categories, failures = tables(text)
    assert dimensions[1:] == [["general_code", "1", "100.0%"]]
    assert categories[1:] == [["key_not_found", "general_code", "1", "100.0%"]]
    assert failures[1][1:] == ["key_not_found", "general_code", "train.log:7", "KeyError: 'lr'"]
