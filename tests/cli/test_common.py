"""What the commands share (cli/common.py): how the paths given were read, in a few words; colour;
output files opened before any job is read; one-line errors with exit status 2."""

from __future__ import annotations

import io

import pytest

from philly_triage._internal.cli.common import (
    EXIT_TOOL_ERRORS, describe_readings, fail, make_console, open_output, use_color,
)
from philly_triage._internal.pipeline.discover import FILE, JOB_DIRECTORY, JOBS_DIRECTORY, PROBLEM, PathReading, Reading


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_each_path_read_in_a_few_words():
    readings = [
        PathReading("a.log", FILE, 1),
        PathReading("runs/j1", JOB_DIRECTORY, 1, why="it holds stderr.txt"),
        PathReading("runs/", JOBS_DIRECTORY, 12, folders=2),
    ]
    assert describe_readings(readings) == (
        "a.log: a file, one job; runs/j1: one job, since it holds stderr.txt; "
        "runs/: a directory of 12 jobs, 2 folders of jobs in it")
    assert describe_readings([PathReading("day", JOBS_DIRECTORY, 1, folders=1, forced=Reading.JOBS_IN)]) == (
        "day: a directory of 1 job, 1 folder of jobs in it, by --jobs-in")
    assert describe_readings([PathReading("day", JOB_DIRECTORY, 1, forced=Reading.JOB)]) == "day: one job, by --job"
    assert describe_readings([PathReading("gone", PROBLEM, 1, why="no such file or directory")]) == (
        "gone: no such file or directory")


def test_more_than_three_paths_are_counted_by_kind():
    readings = [PathReading(f"{n}.log", FILE, 1) for n in range(3)] + [
        PathReading("runs/", JOBS_DIRECTORY, 5), PathReading("gone", PROBLEM, 1, why="no such file or directory")]
    assert describe_readings(readings) == "5 paths: 3 files, 1 directory of jobs, 1 path not read"


def test_colour_on_a_terminal_unless_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert (use_color("auto", Terminal()), use_color("auto", io.StringIO())) == (True, False)
    assert (use_color("always", io.StringIO()), use_color("never", Terminal())) == (True, False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", Terminal()) is False and use_color("always", Terminal()) is True


def test_a_plain_console_never_wraps_or_colours():
    stream = io.StringIO()
    make_console(stream, False).print("[bold]x[/] " + "word " * 100)
    assert stream.getvalue() == "x " + "word " * 100 + "\n"  # one line as printed, no escape codes


def test_an_output_that_cannot_be_opened_ends_the_run_with_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        open_output(str(tmp_path / "no" / "dir.json"), what="the report")
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "triage: error: cannot write the report: No such file or directory\n"
    with open_output(str(tmp_path / "ok.txt")) as out:
        out.write("caf\u00e9 \udcff\n")  # a lone surrogate (an undecodable file name) is escaped, not an error
    assert (tmp_path / "ok.txt").read_bytes() == "caf\u00e9 \\udcff\n".encode()


def test_fail_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as stopped:
        fail("--job and --jobs-in contradict each other")
    assert (stopped.value.code, capsys.readouterr().err) == (2, "triage: error: --job and --jobs-in contradict each other\n")
    assert EXIT_TOOL_ERRORS == 3
