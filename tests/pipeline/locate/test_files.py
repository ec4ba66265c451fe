"""Choosing between the failures of a job's files, and the reason given for each choice."""

from __future__ import annotations

from philly_triage._internal.pipeline.locate.candidates import CONSEQUENCE, FAILURE
from philly_triage._internal.pipeline.locate.decide import Located
from philly_triage._internal.pipeline.locate.files import pick_job_failure, why_not_picked
from philly_triage.models import Failure


def located(message, kind="traceback", role=FAILURE):
    return Located(Failure(file="f", line=1, message=message, kind=kind), (), kind, role)


def test_no_files_no_failure():
    assert pick_job_failure([]) is None


def test_a_process_failure_beats_a_consequence_in_a_later_file():
    found = [("rank0.log", located("KeyError: 'x'", "keyword")), ("rank1.log", located("NCCL aborted", role=CONSEQUENCE))]
    assert pick_job_failure(found) is found[0][1]
    assert why_not_picked(found, 0, 1).startswith("a process's own failure beats")


def test_a_traceback_beats_a_fatal_line():
    found = [("a.log", located("KeyError: 'x'")), ("b.log", located("Killed", "fatal"))]
    assert pick_job_failure(found) is found[0][1]
    assert why_not_picked(found, 0, 1).startswith("a traceback beats a fatal line")


def test_a_file_named_like_stderr_is_preferred():
    found = [("stderr.txt", located("KeyError: 'x'")), ("stdout.txt", located("ValueError: y"))]
    assert pick_job_failure(found) is found[0][1]
    assert why_not_picked(found, 0, 1) == "a file named like stderr is preferred"


def test_otherwise_the_later_file_wins():
    found = [("a.log", located("KeyError: 'x'")), ("b.log", located("ValueError: y"))]
    assert pick_job_failure(found) is found[1][1]
    assert why_not_picked(found, 1, 0) == "the later file is preferred"
