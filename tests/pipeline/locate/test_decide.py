"""Which failure ended the run, whether the answer is settled, and whether the job went on."""

from __future__ import annotations

from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.locate.candidates import CONSEQUENCE, FAILURE
from philly_triage._internal.pipeline.locate.decide import Located, locate_in_view, renumber, went_on
from philly_triage.models import Failure

TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    main()\nKeyError: \'label\'\n'


def locate(text, markers):
    return locate_in_view("log", ByteLines(text.encode(), markers), markers)


def test_the_last_failure_ends_the_run_with_its_context(markers):
    located, settled = locate("loading data\n" + TRACEBACK, markers)
    assert (located.failure.message, located.failure.line, located.kind, located.role) == (
        "KeyError: 'label'", 5, "traceback", FAILURE
    )
    assert located.failure.context == ("loading data",)
    assert not settled  # the failure is near the start of the view: earlier lines might still matter


def test_a_failure_followed_by_progress_was_survived(markers):
    located, settled = locate(TRACEBACK + "epoch 2 loss 0.51\nepoch 3 loss 0.49\n", markers)
    assert located is None and settled


def test_one_progress_line_is_not_enough_to_survive(markers):
    located, _ = locate(TRACEBACK + "epoch 2 loss 0.51\n", markers)
    assert located is not None and located.failure.message == "KeyError: 'label'"


def test_an_answer_far_into_the_view_after_progress_is_settled(markers):
    log = "".join(f"epoch {i} loss 0.5\n" for i in range(40)) + TRACEBACK
    located, settled = locate(log, markers)
    assert located is not None and settled


def test_a_process_failure_beats_the_launcher_report_after_it(markers):
    log = TRACEBACK + "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: 1)\n"
    located, _ = locate(log, markers)
    assert located.failure.message == "KeyError: 'label'" and located.role == FAILURE


def test_only_consequences_name_the_first_of_them(markers):
    log = "RuntimeError: NCCL communicator was aborted on rank 1\nRuntimeError: NCCL communicator was aborted on rank 2\n"
    located, settled = locate(log, markers)
    assert (located.failure.line, located.role, settled) == (1, CONSEQUENCE, False)


def test_the_same_traceback_printed_by_every_rank_names_the_first(markers):
    log = "".join(f"[rank{r}]: " + line + "\n" for r in (0, 1) for line in TRACEBACK.splitlines())
    located, _ = locate(log, markers)
    assert located.failure.line == 4


def test_a_fatal_line_reads_the_lines_that_detail_it(markers):
    log = "terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc\nAborted\n"
    located, _ = locate(log, markers)
    assert located.kind == "fatal" and located.failure.line == 1
    assert located.failure.detail == ("what():  std::bad_alloc", "Aborted")


def test_renumber_moves_the_failure_and_its_fallbacks():
    failure, fallback = (Failure(file="f", line=line, message="m", kind="traceback") for line in (3, 2))
    located = Located(failure, (fallback,), "traceback", FAILURE)
    moved = renumber(located, 100)
    assert (moved.failure.line, moved.fallbacks[0].line) == (103, 102)
    assert renumber(located, 0) is located


def test_went_on_counts_two_progress_lines_or_one_success_line(markers):
    view = ByteLines(b"boom\nepoch 1 loss 0.5\nepoch 2 loss 0.4\nTraining completed.\n", markers)
    assert went_on(view, 1, 3)
    assert not went_on(view, 1, 2)
    assert went_on(view, 3, 4)
    assert not went_on(view, 0, 1)
