"""Worker processes: same records in the same order, streaming, Ctrl-C, dead workers, time budgets.

The subprocess tests never assert how long anything takes. Where a test needs the run to be still
going at some point, it retries with a corpus twice as big when the run was too quick for it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from philly_triage._internal.pipeline import parallel
from philly_triage._internal.cli.main import cli
from philly_triage._internal.pipeline.discover import discover_jobs, find_jobs
from philly_triage.models import Status
from philly_triage._internal.pipeline import engine
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage._internal.pipeline.parallel import WorkerError
from tests.conftest import ROOT

SAMPLE_LOGS = ROOT / "sample_logs"
OOM = 'Traceback (most recent call last):\n  File "t.py", line 1, in <module>\ntorch.OutOfMemoryError: CUDA out of memory.\n'
SLOW_RULE = """\
id: slow_rule
name: Slow rule
dimension: d
description: A pattern that backtracks catastrophically on the failure line.
hint: Fix the pattern.
keywords: [runtimeerror]
patterns:
  - '(?s:^RuntimeError: (a|a)*$)'
"""
# (?s:...), a group with flags of its own, keeps the rule screen (pipeline/rule_screen.py) from
# speaking for the pattern, so it is run, and backtracks, as any pattern the screen cannot read is.
SLOW_LOG = f'Traceback (most recent call last):\n  File "t.py", line 1, in <module>\nRuntimeError: {"a" * 40}b\n'
MAX_ATTEMPTS = 5  # corpus doublings before a test that needs a still-running process gives up
fork_only = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="the patched function reaches the workers only through fork",
)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def jsonl(*args) -> list[dict]:
    result = run("classify", "-f", "jsonl", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def corpus(directory: Path, copies: int) -> Path:
    """``copies`` links to each sample job, named so that they sort in copy order."""
    directory.mkdir(exist_ok=True)
    for copy in range(copies):
        for job in sorted(SAMPLE_LOGS.iterdir()):
            link = directory / f"a{copy:04}-{job.name}"
            if not link.exists():
                link.symlink_to(job)
    return directory


def start(*args, **popen) -> subprocess.Popen:
    """``python -m philly_triage classify ...`` in its own session, so its workers can be found and signalled."""
    command = [sys.executable, "-m", "philly_triage", "classify", *[str(a) for a in args]]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **popen)


def first_line(process: subprocess.Popen) -> bytes:
    """The first line of the process's output, read byte by byte: a buffered readline could read
    ahead bytes that ``communicate`` (which reads the pipe itself) would then never see."""
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(process.stdout.fileno(), 1)
        if not byte:
            break
        line += byte
    return line


def assert_no_process_left(session: int) -> None:
    """Nothing of the run's session (the CLI and its workers) is still there once the CLI exited."""
    with pytest.raises(ProcessLookupError):
        os.killpg(session, 0)


# --- the same records, in the same order ---------------------------------------------------------


def test_two_workers_give_the_same_records_in_the_same_order():
    one = run("classify", "-f", "jsonl", "--jobs", "1", SAMPLE_LOGS)
    two = run("classify", "-f", "jsonl", "--jobs", "2", SAMPLE_LOGS)
    assert one.exit_code == two.exit_code == 0
    assert two.stdout == one.stdout
    assert len(one.stdout.splitlines()) == len(list(SAMPLE_LOGS.iterdir()))


def test_full_is_accepted_and_gives_the_same_records_on_the_samples():
    assert jsonl("--full", "--jobs", "2", SAMPLE_LOGS) == jsonl("--jobs", "2", SAMPLE_LOGS)


def test_spawned_workers_give_the_same_records(catalogue, markers):
    jobs = list(discover_jobs([str(SAMPLE_LOGS)], markers))
    here = [outcome.record for outcome in Classifier(catalogue).outcomes(jobs, 1)]
    spawned = [outcome.record for outcome in Classifier(catalogue).outcomes(jobs, 2, "spawn")]
    assert spawned == here


def test_a_single_job_starts_no_workers(monkeypatch, catalogue, markers):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for one job")

    monkeypatch.setattr(parallel, "_Pool", no_pool)
    jobs = list(discover_jobs([str(SAMPLE_LOGS / "unet-cityscapes-bs16-0e7d.log")], markers))
    [outcome] = Classifier(catalogue).outcomes(jobs, 4)
    assert outcome.record.category == "gpu_out_of_memory"


# --- workers started while the jobs are found -----------------------------------------------------


def test_discovery_calls_on_second_once_at_the_second_job(markers):
    calls = []
    found = find_jobs([str(SAMPLE_LOGS)], markers, on_second=lambda: calls.append(len(calls)))
    assert len(found.jobs) > 2 and calls == [0]
    one = find_jobs([str(SAMPLE_LOGS / "unet-cityscapes-bs16-0e7d.log")], markers, on_second=lambda: calls.append(1))
    assert len(one.jobs) == 1 and calls == [0], "one job starts no workers"


def test_workers_started_during_discovery_classify_the_jobs(monkeypatch, catalogue):
    classifier = Classifier(catalogue)
    early = classifier.early_workers(2)
    found = classifier.find([SAMPLE_LOGS], early=early)
    started = early.pool
    assert started is not None and len(started.workers) == 2
    processes = [worker.process for worker in started.workers]

    def no_pool(*args, **kwargs):
        raise AssertionError("a second pool was started")

    monkeypatch.setattr(parallel, "_Pool", no_pool)
    records = [outcome.record for outcome in classifier.outcomes(found.jobs, 2, early=early)]
    assert early.pool is None, "the run took the workers"
    assert records == [outcome.record for outcome in Classifier(catalogue).outcomes(found.jobs, 1)]
    assert all(process.exitcode == 0 for process in processes), "the workers exited when the run ended"


def test_workers_started_for_jobs_that_are_then_too_few_are_stopped(catalogue):
    classifier = Classifier(catalogue)
    early = classifier.early_workers(2)
    found = classifier.find([SAMPLE_LOGS], early=early)
    processes = [worker.process for worker in early.pool.workers]
    [outcome] = classifier.outcomes(found.jobs[:1], 2, early=early)  # as if --exclude left one job
    assert outcome.record.job == found.jobs[0].name
    assert early.pool is None and all(process.exitcode == 0 for process in processes)


def test_workers_beyond_the_jobs_found_exit(catalogue):
    classifier = Classifier(catalogue)
    early = classifier.early_workers(3)
    found = classifier.find([SAMPLE_LOGS], early=early)
    processes = [worker.process for worker in early.pool.workers]
    records = [outcome.record for outcome in classifier.outcomes(found.jobs[:2], 3, early=early)]
    assert [r.job for r in records] == [job.name for job in found.jobs[:2]]
    assert processes[2].exitcode == 0, "the third worker had no job: it was let go"
    assert all(process.exitcode is not None for process in processes)


def test_the_cli_leaves_no_early_worker_behind_on_one_job(tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    (job / "stderr.txt").write_text(OOM)
    process = start("-f", "jsonl", "--jobs", "2", job)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0 and b"gpu_out_of_memory" in out, err
    assert_no_process_left(process.pid)


# --- streaming -----------------------------------------------------------------------------------


def test_jsonl_streams_each_record_before_later_jobs_are_read(tmp_path):
    """The first record is out while the last job is still unread: the test changes that job then.

    Had triage written nothing before the end, the last job would have been read before the first
    line appeared, with its old content, and its record would say no_failure.
    """
    copies = 2
    for _ in range(MAX_ATTEMPTS):
        logs = corpus(tmp_path / "logs", copies)
        last = logs / "zzz-last"
        last.mkdir(exist_ok=True)
        (last / "stderr.txt").write_text("epoch 1 loss 0.3\n")
        process = start("-f", "jsonl", "--jobs", "2", logs)
        first = first_line(process)
        replacement = last / ".stderr.new"  # hidden, so never a log of the job itself
        replacement.write_text(OOM)
        os.replace(replacement, last / "stderr.txt")
        rest, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
        records = [json.loads(line) for line in (first + rest).splitlines()]
        assert records[0]["job"].endswith("a0000-" + sorted(p.name for p in SAMPLE_LOGS.iterdir())[0])
        assert records[-1]["job"] == str(last)
        if records[-1]["status"] == "classified":
            assert records[-1]["category"] == "gpu_out_of_memory"
            return
        copies *= 2  # the whole run was over before the test could change the last job: give it more to do
    pytest.fail("the last job was always read before the first record came out: records are not streamed")


# --- Ctrl-C --------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [2, 1])
def test_ctrl_c_leaves_whole_records_and_exits_130(tmp_path, jobs):
    copies = 4
    for _ in range(MAX_ATTEMPTS):
        logs = corpus(tmp_path / "logs", copies)
        total = len(list(logs.iterdir()))
        process = start("-f", "jsonl", "--jobs", jobs, logs)
        first = first_line(process)
        assert first.endswith(b"\n")
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: to the CLI and its workers
        rest, stderr = process.communicate(timeout=120)
        stderr = stderr.decode()
        if process.returncode == 0:
            copies *= 2  # the run ended before the signal came: give it more to do
            continue
        assert "Traceback" not in stderr, stderr
        assert process.returncode == 130, stderr
        lines = (first + rest).decode().split("\n")
        assert lines[-1] == "", "the output ends with a whole line"
        records = [json.loads(line) for line in lines[:-1]]
        # Jobs are classified as they are found (no progress bar here): the total is known only
        # once every job has been found, near the end.
        noun = "job" if len(records) == 1 else "jobs"
        assert (stderr.endswith(f"triage: interrupted ({len(records)} {noun} done)\n")
                or stderr.endswith(f"triage: interrupted ({len(records)} of {total} jobs done)\n")), stderr
        assert [r["job"] for r in records] == sorted(str(p) for p in logs.iterdir())[:len(records)]
        assert_no_process_left(process.pid)
        return
    pytest.fail("every run ended before Ctrl-C reached it")


def test_piping_into_head_with_workers_ends_quietly_and_stops_them(tmp_path):
    logs = corpus(tmp_path / "logs", 8)
    process = start("-f", "jsonl", "--jobs", "2", logs)
    head = subprocess.run(["head", "-n", "1"], stdin=process.stdout, capture_output=True, timeout=120)
    process.stdout.close()
    stderr = process.communicate(timeout=120)[1].decode()
    assert json.loads(head.stdout)["job"].startswith(str(logs))
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert process.returncode in (0, -signal.SIGPIPE), "as with --jobs 1: ended by SIGPIPE, or done before head left"
    assert_no_process_left(process.pid)


# --- warnings that come from the workers ---------------------------------------------------------


def slow_jobs(tmp_path: Path) -> tuple[Path, Path]:
    """A rules folder with SLOW_RULE alone, and a folder of three jobs whose failure line it overruns on."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "slow_rule.yaml").write_text(SLOW_RULE)
    logs = tmp_path / "logs"
    logs.mkdir()
    for index in range(3):
        (logs / f"job{index}.log").write_text(SLOW_LOG)
    return rules, logs


def test_a_timed_out_pattern_is_reported_once_with_workers(tmp_path):
    rules, logs = slow_jobs(tmp_path)
    result = run("classify", logs, "-f", "jsonl", "--jobs", "2", "--no-builtin-rules", "--rules", rules)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr.count("exceeded its time budget") == 1, result.stderr
    assert "a pattern of rule 'slow_rule' exceeded its time budget" in result.stderr
    warning = next(line for line in result.stderr.splitlines() if "exceeded its time budget" in line)
    assert warning.endswith("(?s:^RuntimeError: (a|a)*$)")  # the pattern, whole, ends the warning
    assert result.stderr.rstrip().splitlines()[-1].startswith("3 jobs:")  # then the summary line


# --- workers that die ----------------------------------------------------------------------------


@fork_only
def test_a_worker_that_dies_costs_only_its_job(monkeypatch, catalogue, markers):
    jobs = list(discover_jobs([str(SAMPLE_LOGS)], markers))[:8]
    expected = [outcome.record for outcome in Classifier(catalogue).outcomes(jobs, 1)]
    victim = jobs[3].name
    real = engine.classify_job

    def dies_on_the_victim(job, *args, **kwargs):
        if job.name == victim:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(job, *args, **kwargs)

    monkeypatch.setattr(engine, "classify_job", dies_on_the_victim)
    got = [outcome.record for outcome in Classifier(catalogue).outcomes(jobs, 2, "fork")]
    assert [r.job for r in got] == [j.name for j in jobs]
    assert got[3].status is Status.ERROR
    assert got[3].reason == "the triage worker process classifying this job died (killed by SIGKILL)"
    assert got[:3] + got[4:] == expected[:3] + expected[4:]


@fork_only
def test_workers_that_cannot_start_end_the_run_with_a_message(monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("no matcher")

    monkeypatch.setattr(parallel, "die_with_parent", broken)  # what a worker does first thing
    monkeypatch.setattr(parallel, "default_start_method", lambda: "fork")
    result = run("classify", "-f", "jsonl", "--jobs", "2", SAMPLE_LOGS)
    assert result.exit_code == 2
    assert "triage: error: a worker process ended while starting (exit status 1); run with --jobs 1" in result.stderr


@fork_only
def test_worker_error_from_the_api(monkeypatch, catalogue, markers):
    monkeypatch.setattr(parallel, "die_with_parent", lambda parent: os._exit(3))
    jobs = list(discover_jobs([str(SAMPLE_LOGS)], markers))[:4]
    with pytest.raises(WorkerError, match=r"ended while starting \(exit status 3\)"):
        list(Classifier(catalogue).outcomes(jobs, 2, "fork"))


# --- jobs taken from a stream --------------------------------------------------------------------


def counting(jobs: list) -> tuple[Iterator, list]:
    """A stream of ``jobs``, and the list of those taken from it so far."""
    taken: list = []

    def stream():
        for job in jobs:
            taken.append(job)
            yield job

    return stream(), taken


def test_workers_take_jobs_from_a_stream_only_as_they_have_room(catalogue, markers):
    """The parent holds the jobs handed out, not the run's: its memory does not grow with their number."""
    jobs = list(discover_jobs([str(SAMPLE_LOGS)], markers)) * 20
    stream, taken = counting(jobs)
    records = []
    for outcome in Classifier(catalogue).outcomes(stream, 2):
        if not records:
            assert len(taken) < len(jobs) // 2, "the first record came before the stream was drained"
        records.append(outcome.record)
    assert [r.job for r in records] == [job.name for job in jobs]
    assert records[:46] == [outcome.record for outcome in Classifier(catalogue).outcomes(jobs[:46], 1)]


def test_no_jobs_start_no_workers(monkeypatch, catalogue):
    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for no job")

    monkeypatch.setattr(parallel, "_Pool", no_pool)
    assert list(parallel.run_in_workers(Classifier(catalogue), iter(()), 2)) == []


def test_jobs_are_taken_at_most_ahead_of_the_first_record_not_out(monkeypatch, catalogue, markers):
    """Records come out in order: those finished before an earlier one wait in the parent, so the
    pool takes no more than AHEAD jobs past the first record not written (bounded memory)."""
    monkeypatch.setattr(parallel, "AHEAD", 3)
    jobs = list(discover_jobs([str(SAMPLE_LOGS)], markers))
    stream, taken = counting(jobs)
    records = []
    for outcome in Classifier(catalogue).outcomes(stream, 2):
        assert len(taken) - len(records) <= 3, "no job is taken more than AHEAD past the first not out"
        records.append(outcome.record)
    assert [r.job for r in records] == [job.name for job in jobs]
