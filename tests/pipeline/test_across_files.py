"""A failure in one of a job's logs that its other logs went on after (by their timestamps) was survived."""

from __future__ import annotations

from philly_triage._internal.pipeline.verdict import classify_job
from philly_triage._internal.pipeline.job_files import job_at
from philly_triage.models import Status

CAUGHT = (
    "2026-12-01 10:00:00,000 ERROR could not load optional embeddings\n"
    "Traceback (most recent call last):\n"
    '  File "train.py", line 3, in <module>\n'
    "FileNotFoundError: [Errno 2] No such file or directory: 'glove.npy'\n"
)


def record_of(tmp_path, files, markers, matcher):
    job = tmp_path / "job"
    job.mkdir()
    for name, text in files.items():
        (job / name).write_text(text)
    return classify_job(job_at(str(job), markers), matcher, markers)


def test_a_traceback_that_the_other_log_trained_on_after_is_survived(tmp_path, markers, matcher):
    stdout = ("2026-12-01 09:59:00,000 INFO epoch 1 step 100 loss 0.912\n"
              "2026-12-01 10:05:00,000 INFO epoch 1 step 200 loss 0.877\n"
              "2026-12-01 10:10:00,000 INFO epoch 1 step 300 loss 0.850\n")
    record = record_of(tmp_path, {"stderr.txt": CAUGHT, "stdout.txt": stdout}, markers, matcher)
    assert record.status == Status.NO_FAILURE
    assert any("the job's other logs went on after it" in note for note in record.notes)


def test_teardown_after_the_traceback_is_not_going_on(tmp_path, markers, matcher):
    stdout = ("2026-12-01 09:59:00,000 INFO epoch 1 step 100 loss 0.912\n"
              "2026-12-01 10:00:01,000 INFO uploading outputs\n"
              "2026-12-01 10:00:02,000 INFO Container trainer terminated: exitCode=1 reason=Error\n")
    record = record_of(tmp_path, {"stderr.txt": CAUGHT, "stdout.txt": stdout}, markers, matcher)
    assert (record.category, record.line) == ("path_not_found", 4)


def test_progress_printed_at_about_the_same_time_is_not_going_on(tmp_path, markers, matcher):
    stdout = ("2026-12-01 10:00:00,500 INFO epoch 1 step 200 loss 0.877\n"
              "2026-12-01 10:00:01,000 INFO epoch 1 step 201 loss 0.876\n")
    record = record_of(tmp_path, {"stderr.txt": CAUGHT, "stdout.txt": stdout}, markers, matcher)
    assert record.category == "path_not_found"


def test_logs_without_times_are_judged_as_before(tmp_path, markers, matcher):
    caught = "".join(line.split(" ", 2)[-1] if line.startswith("2026") else line for line in CAUGHT.splitlines(True))
    record = record_of(tmp_path, {"stderr.txt": caught, "stdout.txt": "epoch 1 step 1 loss 0.9\nepoch 1 step 2 loss 0.8\n"},
                       markers, matcher)
    assert record.category == "path_not_found"


def test_without_times_a_log_that_ends_with_the_success_line_says_the_job_went_on(tmp_path, markers, matcher):
    stderr = "Traceback (most recent call last):\n  File \"train.py\", line 4, in <module>\n    from apex import amp\nModuleNotFoundError: No module named 'apex'\n"
    stdout = "step 1 loss 0.32\nstep 2 loss 0.29\ntraining complete\n"
    record = record_of(tmp_path, {"stderr.txt": stderr, "stdout.txt": stdout}, markers, matcher)
    assert record.status == Status.NO_FAILURE


def test_without_times_a_success_line_followed_by_more_work_is_not_the_end(tmp_path, markers, matcher):
    stderr = "Traceback (most recent call last):\n  File \"eval.py\", line 9, in <module>\nKeyError: 'label'\n"
    stdout = "step 1 loss 0.32\nTraining finished after 2 epochs\nRunning final evaluation on the test set\n"
    record = record_of(tmp_path, {"stderr.txt": stderr, "stdout.txt": stdout}, markers, matcher)
    assert record.category == "key_not_found"


def test_without_times_a_non_zero_exit_keeps_the_failure(tmp_path, markers, matcher):
    stderr = "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\nKeyError: 'label'\n"
    stdout = "step 1 loss 0.32\ntraining complete\n"
    files = {"stderr.txt": stderr, "stdout.txt": stdout, "job.meta.yaml": "exit_code: 1\n"}
    record = record_of(tmp_path, files, markers, matcher)
    assert record.category == "key_not_found"
