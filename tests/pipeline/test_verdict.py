"""From a job to its record: several files, unreadable files, internal errors."""

from __future__ import annotations

from philly_triage._internal.pipeline import verdict as classify_module
from philly_triage._internal.pipeline.verdict import classify_job
from philly_triage._internal.pipeline.engine import Classifier
from philly_triage.models import Job, Status


def test_failure_in_stderr_while_stdout_holds_progress(tmp_path, matcher, markers):
    (tmp_path / "stdout.txt").write_text("epoch 1 step 1 loss 0.9\nepoch 1 step 2 loss 0.8\nERROR in eval, skipped\n")
    (tmp_path / "stderr.txt").write_text("warning: x\nKeyError: 'label'\n")
    job = Job(str(tmp_path), (str(tmp_path / "stderr.txt"), str(tmp_path / "stdout.txt")))
    record = classify_job(job, matcher, markers)
    assert (record.category, record.file, record.line) == ("key_not_found", str(tmp_path / "stderr.txt"), 2)


def test_a_binary_file_beside_a_log_is_noted_not_fatal(tmp_path, matcher, markers):
    (tmp_path / "model.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "log.txt").write_text("ZeroDivisionError: division by zero\n")
    job = Job(str(tmp_path), (str(tmp_path / "log.txt"), str(tmp_path / "model.bin")))
    record = classify_job(job, matcher, markers)
    assert record.category == "division_by_zero"
    assert record.notes == (f"{tmp_path / 'model.bin'}: binary file, not a text log",)


def test_a_job_of_only_binary_files_is_an_error(tmp_path, matcher, markers):
    (tmp_path / "model.bin").write_bytes(bytes(range(256)) * 8)
    record = classify_job(Job(str(tmp_path), (str(tmp_path / "model.bin"),)), matcher, markers)
    assert record.status is Status.ERROR and "binary file" in record.reason


def test_empty_log_is_no_failure(tmp_path, matcher, markers):
    (tmp_path / "empty.log").write_bytes(b"")
    record = classify_job(Job(str(tmp_path / "empty.log"), (str(tmp_path / "empty.log"),)), matcher, markers)
    assert record.status is Status.NO_FAILURE and record.notes


def test_a_failure_no_rule_knows_is_unclassified_with_its_line(tmp_path, matcher, markers):
    (tmp_path / "j.log").write_text("step 1\nRuntimeError: the flux capacitor overheated\n")
    record = classify_job(Job(str(tmp_path / "j.log"), (str(tmp_path / "j.log"),)), matcher, markers)
    assert (record.status, record.line, record.exception) == (Status.UNCLASSIFIED, 2, "RuntimeError")


def test_a_bug_in_triage_is_reported_as_such(tmp_path, matcher, markers, monkeypatch):
    (tmp_path / "j.log").write_text("KeyError: 'x'\n")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(classify_module, "pick_job_failure", broken)
    record = classify_job(Job(str(tmp_path / "j.log"), (str(tmp_path / "j.log"),)), matcher, markers)
    assert record.status is Status.ERROR
    assert record.reason == "internal error in triage (please report it): RuntimeError: boom"


def test_every_job_given_yields_one_record(tmp_path, matcher, markers):
    (tmp_path / "a.log").write_text("KeyError: 'x'\n")
    (tmp_path / "b").mkdir()
    paths = [str(tmp_path), str(tmp_path / "missing"), str(tmp_path / "a.log")]
    records = list(Classifier(matcher.catalogue, markers=markers).classify_many(paths))
    assert [r.status for r in records] == [Status.CLASSIFIED, Status.ERROR, Status.ERROR, Status.CLASSIFIED]
