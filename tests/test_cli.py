"""The command line, through click's runner and as a real process in a pipe."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from philly_triage.cli import cli

OOM = "Traceback (most recent call last):\n  File \"t.py\", line 1, in <module>\ntorch.OutOfMemoryError: CUDA out of memory.\n"


@pytest.fixture()
def logs(tmp_path):
    (tmp_path / "oom.log").write_text(OOM)
    (tmp_path / "ok.log").write_text("epoch 1 loss 0.3\ntraining complete\n")
    job = tmp_path / "keyerr"
    job.mkdir()
    (job / "stderr.txt").write_text("KeyError: 'lr'\n")
    return tmp_path


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_jsonl_one_record_per_job(logs):
    result = run("classify", str(logs), "--format", "jsonl")
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["job"].rsplit("/", 1)[-1], r["status"], r["category"]) for r in records] == [
        ("keyerr", "classified", "key_not_found"),
        ("ok.log", "no_failure", None),
        ("oom.log", "classified", "gpu_out_of_memory"),
    ]
    assert records[2]["line"] == 3 and records[2]["dimension"] == "deep_learning"


def test_table_when_piped_is_plain(logs):
    result = run("classify", str(logs))
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert result.stdout.startswith("JOB") and "gpu_out_of_memory" in result.stdout
    assert result.stderr == "3 jobs: 2 classified, 1 no failure\n"


@pytest.mark.parametrize(
    "policy,code",
    [("any", 1), ("deep_learning", 1), ("key_not_found", 1), ("data", 0), ("corrupt_data,loss_nan", 0)],
)
def test_fail_on(logs, policy, code):
    assert run("classify", str(logs), "-f", "jsonl", "--fail-on", policy).exit_code == code


def test_unknown_fail_on_value_is_a_usage_error(logs):
    result = run("classify", str(logs), "--fail-on", "gpu_out_of_memroy")
    assert result.exit_code == 2
    assert "did you mean 'gpu_out_of_memory'" in result.output


def test_missing_path_still_yields_a_record(logs):
    result = run("classify", str(logs / "nope.log"), "-f", "jsonl")
    assert result.exit_code == 3  # completed, but a job could not be classified
    record = json.loads(result.stdout)
    assert record["status"] == "error" and record["reason"] == "no such file or directory"
    assert "1 job could not be classified (status error): exit status 3" in result.stderr


def test_broken_rule_file_is_a_message_and_exit_2(tmp_path, logs):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("id: bad\nname: Bad\ndimension: d\ndescription: x\nhint: y\npatterns: ['(']\n")
    result = CliRunner().invoke(cli, ["classify", str(logs), "--rules", str(rules)])
    assert result.exit_code == 2
    assert "bad.yaml:6: rule 'bad': invalid regular expression '('" in result.output
    assert "Traceback" not in result.output


def test_version():
    assert run("--version").output.startswith("triage, version ")


def test_piping_into_head_prints_no_traceback(logs):
    for index in range(300):
        (logs / f"job{index:03}.log").write_text(OOM)
    process = subprocess.run(
        f"{sys.executable} -m philly_triage classify {logs} -f jsonl | head -n 1",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert json.loads(process.stdout)["status"] == "classified"
    assert "Traceback" not in process.stderr and "BrokenPipe" not in process.stderr
