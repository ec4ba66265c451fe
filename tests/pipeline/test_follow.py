"""pipeline/follow.py: following jobs as their files change, on real files, without the command line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from philly_triage._internal.pipeline import follow
from philly_triage._internal.pipeline.follow import Follower
from philly_triage.models import Status

PROGRESS = "".join(f"epoch 1 step {i} loss 0.{i}\n" for i in range(20))
OOM = (
    "Traceback (most recent call last):\n"
    '  File "train.py", line 10, in <module>\n'
    "    main()\n"
    "RuntimeError: CUDA out of memory. Tried to allocate 3.73 GiB (GPU 0; 15.78 GiB total capacity)\n"
)
NCCL = (
    "Traceback (most recent call last):\n"
    '  File "train.py", line 12, in <module>\n'
    "    dist.all_reduce(t)\n"
    "RuntimeError: NCCL error in: ProcessGroupNCCL.cpp:1269, unhandled system error, NCCL version 2.10.3\n"
)


def append(path: Path, text: str) -> None:
    with open(path, "a") as f:
        f.write(text)


def make_follower(classifier, paths, **kwargs) -> tuple[Follower, list[str]]:
    warnings: list[str] = []
    follower = Follower(classifier, [str(p) for p in paths], settle=kwargs.pop("settle", 0.0), warn=warnings.append, **kwargs)
    return follower, warnings


def test_a_failure_is_reported_once_with_the_verdict_classify_gives(classifier, tmp_path):
    log = tmp_path / "train.log"
    log.write_text(PROGRESS)
    follower, _ = make_follower(classifier, [log])
    assert follower.start() == []
    assert follower.poll() == []
    append(log, OOM)
    [record] = follower.poll()
    assert record == classifier.classify(str(log))
    assert record.category == "gpu_out_of_memory" and record.line == 24
    assert follower.poll() == []
    append(log, "\n")  # a change that leaves the same failure: not reported again
    assert follower.poll() == []


def test_the_failures_there_at_start_are_reported_only_when_asked(classifier, tmp_path):
    log = tmp_path / "done.log"
    log.write_text(PROGRESS + OOM)
    follower, _ = make_follower(classifier, [log])
    assert follower.start() == []
    append(log, "\n")
    assert follower.poll() == []  # the same failure as at start
    append(log, PROGRESS + NCCL)
    [record] = follower.poll()  # a new one, at another line
    assert record.category == classifier.classify(str(log)).category and "NCCL" in record.message
    again, _ = make_follower(classifier, [log], existing=True)
    assert [r.line for r in again.start()] == [record.line]


def test_a_traceback_the_job_survives_is_not_reported_when_output_follows_within_the_settle_time(classifier, tmp_path):
    log = tmp_path / "train.log"
    log.write_text(PROGRESS)
    follower, _ = make_follower(classifier, [log], settle=0.4)
    follower.start()
    append(log, OOM)
    assert follower.poll() == []  # not quiet yet
    time.sleep(0.1)
    append(log, PROGRESS)  # the job went on
    time.sleep(0.45)
    assert follower.poll() == []
    assert classifier.classify(str(log)).status is Status.NO_FAILURE
    append(log, NCCL)
    assert follower.poll() == []
    time.sleep(0.45)
    [record] = follower.poll()
    assert "NCCL" in record.message


def test_final_reports_what_the_logs_show_without_waiting_for_them_to_settle(classifier, tmp_path):
    log = tmp_path / "train.log"
    log.write_text(PROGRESS)
    follower, _ = make_follower(classifier, [log], settle=30)
    follower.start()
    append(log, OOM)
    assert follower.poll() == []
    [record] = follower.poll(final=True)
    assert record.category == "gpu_out_of_memory"


def test_a_rotated_log_keeps_its_failure_and_the_new_log_is_followed(classifier, tmp_path):
    runs = tmp_path / "runs"
    runs.mkdir()
    log = runs / "train.log"
    log.write_text(PROGRESS)
    follower, _ = make_follower(classifier, [runs])
    follower.start()
    append(log, OOM)
    [first] = follower.poll()
    assert first.job == str(log)
    os.rename(log, runs / "train.log.1")  # rotated: train.log.1 is a job of its own in a directory of jobs
    log.write_text(PROGRESS)
    assert follower.poll() == []  # the rotated file's failure was reported already
    append(log, OOM)
    [second] = follower.poll()  # the same failure at the same line, in a new file: reported
    assert (second.job, second.line, second.message) == (first.job, first.line, first.message)


def test_a_truncated_log_that_fails_again_is_reported_again(classifier, tmp_path):
    log = tmp_path / "train.log"
    log.write_text(PROGRESS + OOM)
    follower, _ = make_follower(classifier, [log], existing=True)
    assert len(follower.start()) == 1
    with open(log, "w"):  # truncated in place: same inode
        pass
    assert follower.poll() == []
    append(log, PROGRESS + OOM)
    [again] = follower.poll()
    assert again == classifier.classify(str(log))


def test_jobs_and_paths_that_appear_later_are_followed(classifier, tmp_path):
    runs, later = tmp_path / "runs", tmp_path / "later.log"
    runs.mkdir()
    follower, warnings = make_follower(classifier, [runs, later])
    assert follower.start() == [] and follower.jobs == {}
    follower.poll()
    assert warnings == [f"{later}: no such file or directory (waiting for it)"]  # once
    job = runs / "job-b"
    job.mkdir()
    (job / "job.meta.yaml").write_text("gpus: 2\n")
    (job / "stdout.txt").write_text(PROGRESS)
    later.write_text(PROGRESS)
    assert follower.poll() == []
    append(job / "stdout.txt", NCCL)
    append(later, OOM)
    records = follower.poll()
    assert [r.job for r in records] == [str(runs / "job-b"), str(later)]
    assert records[0] == classifier.classify(str(job))


def test_wanted_filters_the_failures_reported(classifier, tmp_path):
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text(PROGRESS)
    b.write_text(PROGRESS)
    follower, _ = make_follower(classifier, [a, b], wanted=lambda r: r.category == "gpu_out_of_memory")
    follower.start()
    append(a, NCCL)
    append(b, OOM)
    assert [r.job for r in follower.poll()] == [str(b)]


def test_a_job_that_never_goes_quiet_is_reported_once_two_readings_agree(classifier, tmp_path, monkeypatch):
    monkeypatch.setattr(follow, "BUSY_RECHECK", 0.2)
    log = tmp_path / "train.log"
    log.write_text(PROGRESS + OOM)
    follower, _ = make_follower(classifier, [log], settle=60)
    follower.start()
    with open(log, "w") as f:
        f.write(PROGRESS + NCCL)
    found = []
    for _ in range(12):  # noise after the failure, every 0.05 s, never quiet for 60 s
        append(log, "heartbeat\n")
        found += follower.poll()
        time.sleep(0.05)
    assert [("NCCL" in r.message) for r in found] == [True]


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs a file mode root or Windows ignores")
def test_a_job_that_cannot_be_read_is_a_warning_once(classifier, tmp_path):
    log = tmp_path / "secret.log"
    log.write_text(PROGRESS + OOM)
    log.chmod(0)
    follower, warnings = make_follower(classifier, [log], existing=True)
    assert follower.start() == [] and follower.poll() == []
    assert len(warnings) == 1 and warnings[0].startswith(f"{log}: ")


def test_wait_ends_when_a_changed_jobs_quiet_time_does(classifier, tmp_path):
    log = tmp_path / "train.log"
    log.write_text(PROGRESS)
    follower, _ = make_follower(classifier, [log], settle=0.3)
    follower.start()
    assert follower.wait(0.25) == 0.25  # nothing pending
    append(log, OOM)
    assert follower.poll() == []
    assert 0.0 < follower.wait(5.0) <= 0.3
    time.sleep(follower.wait(5.0))
    assert [r.category for r in follower.poll()] == ["gpu_out_of_memory"]
    assert follower.wait(0.25) == 0.25


def test_a_log_rewritten_to_the_same_size_between_two_looks_is_a_new_run(classifier, tmp_path):
    log = tmp_path / "train.log"
    log.write_text(PROGRESS + OOM)
    follower, _ = make_follower(classifier, [log])
    assert follower.start() == []  # there at start: not reported
    os.truncate(log, 0)
    log.write_text(PROGRESS + OOM)  # the job ran again and failed the same way, before the next look
    stamp = log.stat().st_mtime + 1  # a distinct modification time, whatever the file system's resolution
    os.utime(log, (stamp, stamp))
    [record] = follower.poll()
    assert record.category == "gpu_out_of_memory"
    assert follower.poll() == []  # and once only
