"""The possible failures of a view: their kinds and roles, and what is set aside before them."""

from __future__ import annotations

from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.locate.candidates import (
    CONSEQUENCE, FAILURE, WRAPPER, failure_spans, find_candidates, role_of, set_aside,
)

TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    main()\nKeyError: \'label\'\n'


def candidates_of(text, markers):
    view = ByteLines(text.encode(), markers)
    return view, find_candidates("log", view, markers)


def test_a_traceback_is_one_candidate_at_its_exception_line(markers):
    view, (candidate,) = candidates_of("starting\n" + TRACEBACK, markers)
    assert (candidate.kind, candidate.role, candidate.index, candidate.block_start) == ("traceback", FAILURE, 4, 1)
    assert candidate.failure.message == "KeyError: 'label'"


def test_fatal_and_keyword_lines_are_candidates_of_their_kind(markers):
    view, found = candidates_of("Segmentation fault\nsomething went wrong: the data failed to load\n", markers)
    assert [(c.kind, c.failure.line) for c in found] == [("fatal", 1), ("keyword", 2)]


def test_warnings_and_teardown_lines_are_set_aside(markers):
    view, found = candidates_of("UserWarning: this error will become an exception\nwandb: run failed\n", markers)
    assert found == []
    assert set_aside("UserWarning: this error will become an exception", markers)
    assert not set_aside("RuntimeError: CUDA error", markers)


def test_a_termination_is_never_set_aside_even_in_a_warning(markers):
    assert not set_aside("WARNING: Received SIGTERM: 15", markers)


def test_roles_say_whose_failure_a_line_reports(markers):
    assert role_of("torch.distributed.elastic.multiprocessing.errors.ChildFailedError:", markers) == WRAPPER
    assert role_of("RuntimeError: NCCL communicator was aborted on rank 3", markers) == CONSEQUENCE
    assert role_of("ValueError: bad shape", markers) == FAILURE


def test_a_thread_traceback_is_weaker_than_a_process_one(markers):
    view, (candidate,) = candidates_of("Exception in thread Thread-1:\n" + TRACEBACK, markers)
    assert candidate.kind == "thread"


def test_a_cpp_abort_takes_its_role_from_the_what_line(markers):
    log = "terminate called after throwing an instance of 'c10::Error'\n  what():  NCCL communicator was aborted\n"
    view, found = candidates_of(log, markers)
    assert (found[0].kind, found[0].role) == ("fatal", CONSEQUENCE)


def test_failure_spans_cover_each_candidate_with_its_context(markers):
    log = "".join(f"step {i}\n" for i in range(40)) + TRACEBACK + "epoch 3\nKilled\n"
    view = ByteLines(log.encode(), markers)
    spans = failure_spans("log", view, markers)
    # 30 lines of context (and the line before them), the whole traceback and the line after it
    assert spans[0] == (40 - 31, 44 + 1)
    # a fatal line, 30 lines of context and the 3 lines that may detail it
    assert spans[1] == (45 - 30, 45 + 4)
    assert len(spans) == 2
