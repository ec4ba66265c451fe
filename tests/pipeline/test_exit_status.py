"""A job's exit status, and what it means for the verdict: evidence of a bad (or good) end, never the failure."""

from __future__ import annotations

import gzip
from typing import Optional

import pytest
from hypothesis import given, settings, strategies as st

from philly_triage._internal.pipeline.verdict import classify_job
from philly_triage._internal.pipeline.job_files import job_at
from philly_triage._internal.pipeline.exit_status import _exit_groups, _screen, last_exit_status, status_of
from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.match import Matcher
from philly_triage.models import Status
from tests.conftest import ROOT

PROGRESS = "epoch 1 step 100 loss 0.912\nepoch 1 step 200 loss 0.877\n"


@pytest.mark.parametrize("line,code,signal", [
    ("[launcher] process 0 exited with code 3", 3, None),
    ("Process finished with exit code 0", 0, None),
    ("Container trainer terminated: exitCode=1 reason=Error", 1, None),
    ("      Exit Code:    137", 137, "SIGKILL"),
    ("  exitcode  : -9 (pid: 4242)", -9, "SIGKILL"),
    ("JobId=1234 JobName=train JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0", 2, None),
    ("JobState=CANCELLED ExitCode=0:15", 0, "SIGTERM"),
    ("      Reason:       OOMKilled", None, "OOMKilled"),
    ("subprocess.CalledProcessError: Command '['python', 'x.py']' returned non-zero exit status 143.", 143, "SIGTERM"),
])
def test_exit_status_lines_in_the_frameworks_and_platforms_wordings(line, code, signal, markers):
    status = last_exit_status("x.log", ByteLines(f"start\n{line}\n".encode(), markers), markers)
    assert status is not None and (status.code, status.signal, status.line) == (code, signal, 2)


def test_the_last_status_line_counts(markers):
    text = "pip exited with code 0\ntraining\nlauncher: exited with code 2\n"
    assert last_exit_status("x.log", ByteLines(text.encode(), markers), markers).code == 2


def test_signals_are_named_from_codes():
    assert status_of(143, None, "m").terminated and status_of(-15, None, "m").terminated
    assert status_of(137, None, "m").describe() == "killed by SIGKILL (exit code 137)"
    assert status_of(3, None, "m").describe() == "exited with code 3" and not status_of(0, None, "m").failed


def record_of(tmp_path, files: dict[str, bytes | str], markers, matcher):
    job = tmp_path / "job"
    job.mkdir()
    for name, content in files.items():
        (job / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return classify_job(job_at(str(job), markers), matcher, markers)


def test_a_non_zero_exit_without_a_message_is_unclassified_with_its_reason(tmp_path, markers, matcher):
    record = record_of(tmp_path, {"stdout.txt": PROGRESS + "[runner] exited with code 3\n"}, markers, matcher)
    assert record.status == Status.UNCLASSIFIED and record.line == 3 and record.exit_code == 3
    assert record.reason == "exited with code 3, but the program printed no failure message: " \
                            "only a launcher's report of it was found"


def test_the_metadata_files_exit_code_makes_a_quiet_log_a_failure(tmp_path, markers, matcher):
    record = record_of(tmp_path, {"stdout.txt": PROGRESS, "job.meta.yaml": "exit_code: 3\n"}, markers, matcher)
    assert record.status == Status.UNCLASSIFIED and record.reason == "exited with code 3, no failure message"
    assert record.exit_code == 3 and record.exit_source.endswith("job.meta.yaml")


def test_a_line_with_an_error_word_is_no_failure_after_exit_zero(tmp_path, markers, matcher):
    log = PROGRESS + "wrote error analysis to errors.csv (12 failed samples)\n"
    record = record_of(tmp_path, {"stdout.txt": log, "job.meta.yaml": "exit_code: 0\n"}, markers, matcher)
    assert record.status == Status.NO_FAILURE and record.exit_code == 0


def test_a_line_with_an_error_word_is_the_failure_after_a_non_zero_exit(tmp_path, markers, matcher):
    log = PROGRESS + "evaluation server failed to respond, giving up\n"
    record = record_of(tmp_path, {"stdout.txt": log, "job.meta.yaml": "exit_code: 1\n"}, markers, matcher)
    assert record.status == Status.UNCLASSIFIED and record.line == 3 and record.exit_code == 1


def test_the_programs_traceback_beats_the_platforms_report_in_another_file(tmp_path, markers, matcher):
    stderr = 'Traceback (most recent call last):\n  File "t.py", line 3, in <module>\nKeyError: \'label\'\n'
    stdout = PROGRESS + "Container trainer terminated: exitCode=1 reason=Error\nUploading outputs ... done\n"
    record = record_of(tmp_path, {"stderr.txt": stderr, "stdout.txt": stdout}, markers, matcher)
    assert (record.category, record.line, record.exit_code) == ("key_not_found", 3, 1)
    assert record.file.endswith("stderr.txt") and record.exit_source.endswith("stdout.txt:3")


def test_oom_killed_is_cpu_out_of_memory(tmp_path, markers, matcher):
    log = PROGRESS + "State:          Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n"
    record = record_of(tmp_path, {"describe.txt": log}, markers, matcher)
    assert record.category == "cpu_out_of_memory" and record.exit_code == 137


def test_a_time_limit_is_never_one_of_the_studys_categories(tmp_path, markers, matcher, catalogue):
    log = PROGRESS + "slurmstepd: error: *** JOB 1234 ON node07 CANCELLED AT 2026-12-01T10:00:00 DUE TO TIME LIMIT ***\n"
    record = record_of(tmp_path, {"slurm-1234.out": log}, markers, matcher)
    # the infrastructure dimension's time_limit, outside the study
    assert (record.status, record.category, record.dimension) == (Status.CLASSIFIED, "time_limit", "infrastructure")
    assert record.retry == "environment" and not catalogue.rule("time_limit").study
    # without it (--study-only), a stop from outside, as the study would have it
    (tmp_path / "study").mkdir()
    record = record_of(tmp_path / "study", {"slurm-1234.out": log}, markers, Matcher(catalogue.study_only()))
    assert record.status == Status.UNCLASSIFIED and record.reason.startswith("stopped from outside")


def test_a_truncated_log_without_a_failure_is_an_error_not_a_success(tmp_path, markers, matcher):
    data = gzip.compress((PROGRESS * 5000).encode())
    record = record_of(tmp_path, {"stdout.txt.gz": data[: len(data) // 2]}, markers, matcher)
    assert record.status == Status.ERROR and "not read whole" in record.reason and "truncated" in record.reason


def test_a_failure_found_before_the_damage_stands(tmp_path, markers, matcher):
    log = 'Traceback (most recent call last):\n  File "t.py", line 3, in <module>\nKeyError: \'label\'\n'
    data = gzip.compress((log + "x" * 200000).encode())
    record = record_of(tmp_path, {"stderr.txt.gz": data[:-20]}, markers, matcher)
    assert record.category == "key_not_found" and any("truncated" in note for note in record.notes)


def test_a_binary_file_beside_the_logs_does_not_spoil_a_clean_verdict(tmp_path, markers, matcher):
    record = record_of(tmp_path, {"stdout.txt": PROGRESS, "model.pt": bytes(range(256)) * 64}, markers, matcher)
    assert record.status == Status.NO_FAILURE


# Exit status wordings, and near misses, for the screen's tests.
_EXIT_WORDS = (
    "[launcher] process 0 exited with code 3", "exit code: -9", "ExitCode=2:0", "exitcode=1",
    "returned non-zero exit status 143.", "return code = 2", "Reason: OOMKilled", "reason=OOMKilled",
    "killed by signal 9", "Terminated by signal SIGKILL", "exited with status 0", "exit", "EXIT CODE 7",
    "exit_code 3", "exited code", "signal 9", "OOMKilled", "Process finished with exit code 0",
)


def _searched(text: str, markers) -> Optional[dict]:
    """The first exit status pattern's groups, every pattern searched (what the screen stands for)."""
    match = next((m for m in (p.search(text) for p in markers.exit_status) if m), None)
    return None if match is None else match.groupdict()


@settings(max_examples=300, deadline=None)
@given(noise=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
       words=st.sampled_from(_EXIT_WORDS))
def test_the_screen_of_exit_status_patterns_never_changes_an_answer(noise, words, markers):
    for text in (noise, words, f"{noise} {words}", f"{words}{noise}"):
        assert _exit_groups(text, markers) == _searched(text, markers)


def test_every_exit_status_line_of_the_samples_is_read_as_without_the_screen(markers):
    assert _screen(markers.exit_status) is not None, "hyperscan takes every built-in exit status pattern"
    texts = {line.strip() for path in (ROOT / "sample_logs").rglob("*") if path.is_file()
             for line in path.read_text("utf-8", "replace").splitlines()}
    texts |= set(_EXIT_WORDS)
    assert sum(_searched(t, markers) is not None for t in texts) > 10
    assert all(_exit_groups(t, markers) == _searched(t, markers) for t in texts)
