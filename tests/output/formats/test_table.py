"""The human view: a plain aligned table when piped, a rich one on a terminal."""

from __future__ import annotations

from philly_triage._internal.output.formats import OutputFormat
from philly_triage._internal.output.formats.table import category_cell, where
from philly_triage.models import FailureRecord, Status
from tests.formatting import render
from tests.output.formats.samples import BASIC


def test_plain_table_golden():
    expected = (
        "JOB          CATEGORY           DIMENSION      WHERE            FAILURE\n"
        "logs/job1    gpu_out_of_memory  deep_learning  2/stderr.txt:42  torch.OutOfMemoryError: CUDA out of memory.\n"
        "logs/ok.log  (no_failure)\n"
        "logs/gone    (error)                                            no such file or directory\n"
    )
    assert render(OutputFormat.TABLE, BASIC) == expected


def test_rich_table_has_colour_and_every_job():
    text = render(OutputFormat.TABLE, BASIC, color=True)
    assert "\x1b[" in text
    for record in BASIC:
        assert record.job in text


def test_where_shows_the_file_inside_its_job():
    def at(job, file, line=3):
        return where(FailureRecord(job=job, status=Status.UNCLASSIFIED, file=file, line=line))

    assert at("runs/j1", "runs/j1/2/stderr.txt") == "2/stderr.txt:3"
    assert at("runs/j1/", "runs/j1/stderr.txt") == "stderr.txt:3"
    assert at("runs/a.log", "runs/a.log") == "a.log:3"  # a one-file job
    assert at("runs/j1", "elsewhere/x.log") == "elsewhere/x.log:3"
    assert at("runs/j1", None) == ""


def test_the_category_cell_says_the_status_and_ignored():
    assert category_cell(BASIC[0]) == "gpu_out_of_memory"
    assert category_cell(BASIC[1]) == "(no_failure)"
    ignored = FailureRecord(job="j", status=Status.CLASSIFIED, category="loss_nan", ignored=True)
    assert category_cell(ignored) == "loss_nan (ignored)"


def test_rich_markup_in_a_log_is_shown_as_text():
    record = FailureRecord(job="j", status=Status.UNCLASSIFIED, file="j", line=1, message="[bold]boom[/bold] [red]x")
    text = render(OutputFormat.TABLE, [record], color=True)
    assert "[bold]boom[/bold]" in text
