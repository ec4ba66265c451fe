"""GPU hours lost: GPUs x run time of the failed run, from a job's metadata file or its logs' timestamps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from philly_triage._internal.pipeline.cost import read_meta

TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\nKeyError: \'label\'\n'


def records(*args: str) -> dict[str, dict]:
    result = CliRunner().invoke(cli, ["classify", "-f", "jsonl", *args])
    assert result.exit_code in (0, 1), result.output
    return {Path(r["job"]).name: r for r in map(json.loads, result.stdout.splitlines())}


def job_dir(root: Path, name: str, log: str, meta: str | None = None, meta_name: str = "job.meta.yaml") -> Path:
    job = root / name
    job.mkdir(parents=True)
    (job / "stderr.txt").write_text(log, encoding="utf-8")
    if meta is not None:
        (job / meta_name).write_text(meta, encoding="utf-8")
    return job


def test_metadata_files_give_gpu_hours_and_retries(tmp_path):
    # 4 GPUs x 2 h 30 min = 10.0 GPU hours; 8 x 45 min = 6.0; 2 x 90 s = 0.05
    job_dir(tmp_path, "a", TRACEBACK, "gpus: 4\nstart: 2026-11-24T08:00:00Z\nend: 2026-11-24T10:30:00Z\nretries: 2\n")
    job_dir(tmp_path, "b", TRACEBACK, '{"gpus": 8, "start": "2026-11-24T10:00:00+01:00", "end": "2026-11-24T09:45:00Z"}',
            "job.meta.json")
    job_dir(tmp_path, "c", TRACEBACK, "gpus: 2\nstart: 1795000000\nend: 1795000090\n")
    (tmp_path / "d.log").write_text(TRACEBACK, encoding="utf-8")
    (tmp_path / "d.log.meta.yml").write_text("gpus: 1\nstart: 2026-11-24 00:00:00\nend: 2026-11-24 03:00:00\n",
                                             encoding="utf-8")
    found = records(str(tmp_path))
    assert set(found) == {"a", "b", "c", "d.log"}  # metadata files are not jobs
    assert [found[j]["gpu_hours"] for j in "abc"] + [found["d.log"]["gpu_hours"]] == [10.0, 6.0, 0.05, 3.0]
    assert found["a"]["retries"] == 2 and found["b"]["retries"] is None


def test_log_timestamps_and_gpus_option_give_gpu_hours(tmp_path):
    log = "2026-11-24 10:00:00,001 INFO start\n2026-11-24 10:30:00,001 INFO epoch 1\n" + TRACEBACK
    job_dir(tmp_path, "timed", log)
    job_dir(tmp_path, "timed-with-gpus", log, "gpus: 8\n")  # metadata's GPU count wins over --gpus
    job_dir(tmp_path, "untimed", TRACEBACK)
    assert records(str(tmp_path))["timed"]["gpu_hours"] is None  # no GPU count known
    found = records("--gpus", "2", str(tmp_path))
    assert found["timed"]["gpu_hours"] == 1.0  # 2 GPUs x 30 min
    assert found["timed-with-gpus"]["gpu_hours"] == 4.0
    assert found["untimed"]["gpu_hours"] is None


def test_dated_timestamps_win_over_glogs_yearless_ones(tmp_path):
    log = ("W1124 09:00:00.000000 1 run.py:10] launcher warning\n2026-11-24 10:00:00 INFO start\n"
           "2026-11-24 11:00:00 INFO step 10\n" + TRACEBACK)
    job_dir(tmp_path, "mixed", log)
    job_dir(tmp_path, "glog", "I1231 23:30:00.0 1 a.py:1] start\nI0101 00:30:00.0 1 a.py:1] step 1\n" + TRACEBACK)
    found = records("--gpus", "1", str(tmp_path))
    assert found["mixed"]["gpu_hours"] == 1.0
    assert found["glog"]["gpu_hours"] == 1.0  # across New Year


def test_retry_directories_count_as_retries(tmp_path):
    job = tmp_path / "jobs" / "retried"
    for attempt in ("1", "2", "3"):
        (job / attempt).mkdir(parents=True)
        (job / attempt / "stderr.txt").write_text(TRACEBACK, encoding="utf-8")
    assert records(str(tmp_path / "jobs"))["retried"]["retries"] == 2


@pytest.mark.parametrize("text,problem", [
    ("gpus: 0\n", "job.meta.yaml:1: 'gpus' must be an integer of at least 1"),
    ("gpus: 2\nretries: -1\n", "job.meta.yaml:2: 'retries' must be an integer of at least 0"),  # costs retries alone
    ("start: yesterday\n", "job.meta.yaml:1: 'start' must be an ISO 8601 time"),
    ("start: 2026-11-24T10:00:00Z\nend: 2026-11-24T09:00:00Z\n", "job.meta.yaml:2: 'end' is before 'start'"),
    ("gpus: [4\n", "job.meta.yaml:2: YAML syntax error"),
    ("- 4\n", "must be a mapping with gpus, start, end, retries and exit_code"),
])
def test_a_bad_metadata_file_is_a_note_not_a_lost_job(tmp_path, text, problem):
    job = job_dir(tmp_path, "job", TRACEBACK, text)
    meta, found = read_meta(str(job / "job.meta.yaml"))
    assert meta.gpus == (2 if text.startswith("gpus: 2") else None) and problem in found
    record = records("--gpus", "1", str(tmp_path))["job"]
    assert record["status"] == "classified" and record["gpu_hours"] is None
    assert any(problem in note for note in record["notes"])
