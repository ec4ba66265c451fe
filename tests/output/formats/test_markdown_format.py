"""The Markdown job summary: counts and shares by dimension and category, a capped table of failures."""

from __future__ import annotations

import pytest

from philly_triage._internal.output.formats import OutputFormat
from philly_triage._internal.output.formats.markdown_format import MAX_ROWS
from philly_triage.models import FailureRecord, Status
from tests.formatting import render as render_records
from tests.formatting import tables
from tests.output.formats.samples import ERROR, IGNORED, OOM, PASSED, classify, write_logs


def render(kind, records, hidden=()):
    return render_records(kind, records, hidden=[(OOM, why) for why in hidden])


@pytest.fixture()
def logs(tmp_path):
    return write_logs(tmp_path)


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


def test_cli_markdown(logs):
    text = classify(logs, "markdown")
    assert text.startswith("## triage: 2 jobs: 1 classified, 1 no failure\n")
    dimensions, categories, failures = tables(text)
    assert dimensions[1:] == [["general_code", "1", "100.0%"]]
    assert categories[1:] == [["key_not_found", "general_code", "1", "100.0%"]]
    assert failures[1][1:] == ["key_not_found", "general_code", "train.log:7", "KeyError: 'lr'"]
