"""`triage classify` through click's runner: records, the table, --fail-on, errors, and how paths are read
into jobs (the same way by every command)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from tests.conftest import ROOT
from tests.whole.test_robustness import run_cli, unprivileged  # noqa: F401 - unprivileged is a fixture

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
    assert result.stderr == f"3 jobs: 2 classified, 1 no failure ({logs}: a directory of 3 jobs)\n"


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


# --------------------------------------------------------------------------------------------------
# how paths are read: every command reads them by one rule (discover.py)

KEYERR = "Traceback (most recent call last):\n  File \"t.py\", line 1, in <module>\nKeyError: 'lr'\n"


@pytest.fixture()
def runs(tmp_path):
    """runs/2026-12-01/{job-a,job-b}/ and runs/2026-12-02/job-c/: three jobs in date folders."""
    layout = {
        "2026-12-01/job-a/stdout.txt": "epoch 1 loss 0.3\n",
        "2026-12-01/job-a/stderr.txt": KEYERR,
        "2026-12-01/job-b/stderr.txt": OOM,
        "2026-12-02/job-c/train.log": "epoch 1 loss 0.3\ntraining complete\n",
    }
    for name, text in layout.items():
        path = tmp_path / "runs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "runs"


def jsonl(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_one_job_directory_is_one_record(runs):
    job = runs / "2026-12-01" / "job-a"
    result = run("classify", str(job), "-f", "jsonl")
    ((record,),) = [jsonl(result)]
    assert (record["job"], record["category"], record["file"]) == (str(job), "key_not_found", str(job / "stderr.txt"))
    table = run("classify", str(job))
    assert table.stderr == f"1 job: 1 classified ({job}: one job, since it holds stderr.txt)\n"


def test_nested_date_folders_give_every_job(runs):
    result = run("classify", str(runs), "-f", "jsonl")
    assert [(r["job"], r["status"], r["category"]) for r in jsonl(result)] == [
        (str(runs / "2026-12-01/job-a"), "classified", "key_not_found"),
        (str(runs / "2026-12-01/job-b"), "classified", "gpu_out_of_memory"),
        (str(runs / "2026-12-02/job-c"), "no_failure", None),
    ]
    table = run("classify", str(runs))
    assert table.stderr == (f"3 jobs: 2 classified, 1 no failure "
                            f"({runs}: a directory of 3 jobs, 2 folders of jobs in it)\n")


def test_job_and_jobs_in_force_the_reading(runs):
    day = runs / "2026-12-01"
    (record,) = jsonl(run("classify", str(day), "--job", "-f", "jsonl"))
    assert record["job"] == str(day) and record["status"] == "classified"
    records = jsonl(run("classify", str(runs), "--jobs-in", "-f", "jsonl"))
    assert [r["job"] for r in records] == [str(runs / "2026-12-01"), str(runs / "2026-12-02")]
    assert "runs: a directory of 2 jobs, by --jobs-in" in run("classify", str(runs), "--jobs-in").stderr
    both = run("classify", str(runs), "--job", "--jobs-in")
    assert both.exit_code == 2 and "--job and --jobs-in contradict each other" in both.stderr


def test_explain_and_classify_agree_on_a_job_folder(runs):
    job = runs / "2026-12-01" / "job-a"
    (classified,) = jsonl(run("classify", str(job), "-f", "jsonl"))
    explained = json.loads(run("explain", str(job), "-f", "json").stdout)["record"]
    assert explained == classified


def test_explain_refuses_a_folder_classify_reads_as_several_jobs(runs):
    day = runs / "2026-12-01"
    assert len(jsonl(run("classify", str(day), "-f", "jsonl"))) == 2
    result = run("explain", str(day))
    assert result.exit_code == 2 and f"{day} holds 2 jobs and explain takes one" in result.stderr
    assert "--job" in result.stderr
    (classified,) = jsonl(run("classify", str(day), "--job", "-f", "jsonl"))
    explained = json.loads(run("explain", str(day), "--job", "-f", "json").stdout)["record"]
    assert explained == classified


def test_every_command_counts_the_same_jobs(runs, tmp_path):
    stats = json.loads(run("stats", str(runs), "-f", "json").stdout)
    assert stats["jobs"] == 3
    report = run("report", str(runs), "-o", str(tmp_path / "r.html"))
    assert report.stderr == f"triage: wrote {tmp_path / 'r.html'} (3 jobs)\n"
    expect = tmp_path / "expect.yaml"
    expect.write_text("2026-12-01/job-a: key_not_found\n2026-12-01/job-b: gpu_out_of_memory\n2026-12-02/job-c: no_failure\n")
    evaluation = json.loads(run("eval", str(runs), "--expect", str(expect), "-f", "json").stdout)
    assert (evaluation["total"], evaluation["correct"], evaluation["missing"], evaluation["unlabelled"]) == (3, 3, [], [])
    assert json.loads(run("stats", str(runs), "--jobs-in", "-f", "json").stdout)["jobs"] == 2


def test_sample_logs_are_read_as_46_jobs(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("classify", "sample_logs/")
    assert result.stderr.endswith("(sample_logs/: a directory of 46 jobs)\n"), result.stderr
    assert result.stderr.startswith("46 jobs: ")


@pytest.mark.slow  # runs triage in a process of its own
def test_an_unreadable_folder_is_never_dropped(runs, unprivileged):  # noqa: F811 - the fixture
    """A date folder that cannot be listed is an error record; a folder inside a job that cannot be
    listed is noted on the job's record."""
    (runs / "2026-12-01" / "job-a" / "logs").mkdir()
    locked = [runs / "2026-12-02", runs / "2026-12-01" / "job-a" / "logs"]
    for path in locked:
        path.chmod(0)
    try:
        records = run_cli(runs, cwd=runs, preexec_fn=unprivileged)
    finally:
        for path in locked:
            path.chmod(0o755)
    assert [(r["job"], r["status"]) for r in records] == [
        (str(runs / "2026-12-01/job-a"), "classified"),
        (str(runs / "2026-12-01/job-b"), "classified"),
        (str(runs / "2026-12-02"), "error"),
    ]
    assert "permission denied" in records[2]["reason"].lower()
    assert any(str(locked[1]) in note for note in records[0]["notes"]), records[0]
