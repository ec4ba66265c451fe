"""The progress bar of a long `classify` run (cli/progress.py): shown on a terminal's stderr only,
never over streamed records, counting every job, and gone when the run ends."""

from __future__ import annotations

import io
import sys

import pytest

from philly_triage._internal.cli import progress
from philly_triage._internal.cli.progress import PROGRESS_MIN_JOBS, progress_bar, show_progress
from philly_triage._internal.output.formats import OutputFormat


class Stream(io.StringIO):
    def __init__(self, terminal: bool):
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize("total,stderr_tty,stdout_tty,kind,shown", [
    (PROGRESS_MIN_JOBS + 1, True, True, OutputFormat.TABLE, True),  # the table comes at the end
    (PROGRESS_MIN_JOBS + 1, True, False, OutputFormat.JSONL, True),  # records go to a pipe or file
    (PROGRESS_MIN_JOBS + 1, True, True, OutputFormat.CSV, False),  # records stream to the bar's terminal
    (PROGRESS_MIN_JOBS + 1, True, True, OutputFormat.GITHUB, False),
    (PROGRESS_MIN_JOBS + 1, True, True, OutputFormat.SARIF, True),  # a whole document, written at the end
    (PROGRESS_MIN_JOBS + 1, True, True, None, True),
    (PROGRESS_MIN_JOBS + 1, False, True, OutputFormat.TABLE, False),  # stderr is a log or a pipe
    (PROGRESS_MIN_JOBS, True, True, OutputFormat.TABLE, False),  # too short a run
])
def test_when_a_bar_is_shown(monkeypatch, total, stderr_tty, stdout_tty, kind, shown):
    assert PROGRESS_MIN_JOBS == 20
    monkeypatch.setattr(sys, "stderr", Stream(stderr_tty))
    monkeypatch.setattr(sys, "stdout", Stream(stdout_tty))
    assert show_progress(total, kind) is shown


def test_the_bar_counts_every_job_on_stderr_then_erases_itself(monkeypatch):
    stderr = Stream(True)
    monkeypatch.setattr(sys, "stderr", stderr)
    monkeypatch.setattr(progress, "PROGRESS_REFRESH", 0)  # redraw at every job
    with progress_bar(30, shown=True) as advance:
        for _ in range(30):
            advance()
    drawn = stderr.getvalue()
    assert all(f"{done}/30" in drawn for done in range(1, 31))
    assert drawn.count("classifying") >= 30
    assert drawn.endswith("\x1b[1A\x1b[2K")  # transient: the last drawing is wiped before the table


def test_a_bar_not_shown_writes_nothing(monkeypatch):
    stderr = Stream(True)
    monkeypatch.setattr(sys, "stderr", stderr)
    with progress_bar(30, shown=False) as advance:
        assert advance() is None
    assert stderr.getvalue() == ""
