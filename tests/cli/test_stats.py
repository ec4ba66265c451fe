"""`triage stats` from the command line: the counts `classify` finds, the chart, Markdown and JSON,
--output, GPU hours from each job's metadata, and usage errors. The figures themselves are worked
out by hand in tests/analysis/test_stats.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from philly_triage.models import Status
from tests.conftest import ROOT
from tests.formatting import tables


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


TRACEBACK = 'Traceback (most recent call last):\n  File "/app/train.py", line 9, in <module>\n    main()\n'


def classify_summary(path):
    result = run("classify", path, "-f", "json")
    return json.loads(result.stdout)["summary"]


def test_stats_of_the_sample_logs_count_what_classify_finds():
    result = run("stats", ROOT / "sample_logs", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    summary = classify_summary(ROOT / "sample_logs")
    assert document["jobs"] == summary["jobs"] == 46
    assert document["by_status"] == {status.value: summary["by_status"].get(status.value, 0) for status in Status}
    assert document["failed"] == document["by_status"]["classified"] + document["by_status"]["unclassified"]
    assert {row["id"]: row["count"] for row in document["dimensions"] if row["count"]} == summary["by_dimension"]
    assert {row["id"]: row["count"] for row in document["categories"]} == summary["by_category"]
    assert sum(row["count"] for row in document["stages"]) == document["failed"]
    assert sum(row["count"] for row in document["retry"]) == document["failed"]
    assert [row["study_share"] for row in document["dimensions"]] == [13.5, 48.0, 36.5, 2.0, None]
    # the sample logs' one bare segfault is an infrastructure failure: counted, not compared with the study
    assert [row["id"] for row in document["dimensions"] if not row["study"]] == ["infrastructure"]
    assert document["classified_outside_study"] == summary["by_dimension"].get("infrastructure", 0) == 1
    assert document["classified_in_study"] == document["by_status"]["classified"] - 1
    assert sum(row["share_of_study"] for row in document["dimensions"] if row["study"]) == 100.0


def test_stats_study_only_leaves_the_infrastructure_failures_unclassified():
    every = json.loads(run("stats", ROOT / "sample_logs", "-f", "json").stdout)
    study = json.loads(run("stats", ROOT / "sample_logs", "-f", "json", "--study-only").stdout)
    moved = every["classified_outside_study"]
    assert moved and study["classified_outside_study"] == 0
    assert study["by_status"]["unclassified"] == every["by_status"]["unclassified"] + moved
    assert [row["id"] for row in study["dimensions"]] == ["deep_learning", "execution_environment", "general_code", "data"]
    assert [row["share_of_study"] for row in study["dimensions"]] == [
        row["share_of_study"] for row in every["dimensions"] if row["study"]]


def test_stats_chart_and_markdown_of_the_sample_logs():
    chart = run("stats", ROOT / "sample_logs")
    assert chart.exit_code == 0
    assert chart.stdout.startswith("46 jobs: ")
    assert "Dimensions (share of the" in chart.stdout and "Retry advice" in chart.stdout
    markdown = run("stats", ROOT / "sample_logs", "--format", "markdown", "--jobs", "1")
    assert markdown.exit_code == 0 and len(tables(markdown.stdout)) == 4


def test_output_file_gets_the_format_and_the_terminal_the_chart(tmp_path):
    target = tmp_path / "stats.json"
    result = run("stats", ROOT / "sample_logs", "-o", target)  # the extension names the format
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["jobs"] == 46
    assert result.stdout.startswith("46 jobs: ") and f"triage: wrote {target}" in result.stderr
    markdown = tmp_path / "stats.txt"
    assert run("stats", ROOT / "sample_logs", "-f", "markdown", "-o", markdown).exit_code == 0
    assert markdown.read_text().startswith("## triage stats: 46 jobs")


@pytest.mark.slow  # runs triage in a process of its own
def test_piped_charts_are_plain_and_the_hint_goes_to_stderr():
    piped = subprocess.run([sys.executable, "-m", "philly_triage", "stats", str(ROOT / "sample_logs"), "-j", "1"],
                           capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert piped.returncode == 0, piped.stderr
    assert "\x1b[" not in piped.stdout and "█" in piped.stdout
    assert piped.stdout.splitlines()[0].startswith("46 jobs: ")
    assert piped.stderr.startswith("triage: no GPU hours known")


@pytest.mark.parametrize("args, message", [
    (["-o", "stats.xyz"], "cannot tell the format of --output 'stats.xyz'"),
    (["-o", "/no/such/dir/stats.json"], "triage: error: cannot write /no/such/dir/stats.json"),
    (["--gpus", "0"], "Invalid value for '--gpus'"),
    (["--format", "csv"], "Invalid value for '--format'"),
])
def test_usage_errors_exit_2_with_one_line(args, message):
    result = run("stats", ROOT / "sample_logs", *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_a_missing_path_is_counted_as_an_error_not_a_usage_error(tmp_path):
    (tmp_path / "job.log").write_text("step 1\nFileNotFoundError: [Errno 2] No such file or directory: 'x'\n")
    result = run("stats", tmp_path / "job.log", tmp_path / "missing", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["by_status"] == {"classified": 1, "unclassified": 0, "no_failure": 0, "error": 1}
    assert "triage: no GPU hours known" in result.stderr


def test_gpu_hours_come_from_each_jobs_metadata(tmp_path):
    # j1: 4 GPUs x 2.5 h = 10.0 GPU h, retried 3 times, key_not_found (never)
    (tmp_path / "j1").mkdir()
    (tmp_path / "j1" / "stderr.txt").write_text("step 10 loss 0.4\n" + TRACEBACK + "KeyError: 'warmup_steps'\n")
    (tmp_path / "j1" / "job.meta.yaml").write_text(
        "gpus: 4\nstart: 2018-10-05T10:00:00Z\nend: 2018-10-05T12:30:00Z\nretries: 3\n")
    # j2: 2 GPUs x 1.5 h = 3.0 GPU h, retried once, path_not_found (never)
    (tmp_path / "j2").mkdir()
    (tmp_path / "j2" / "stdout.log").write_text(
        TRACEBACK + "FileNotFoundError: [Errno 2] No such file or directory: '/home/me/data/train.csv'\n")
    (tmp_path / "j2" / "job.meta.yml").write_text(
        "gpus: 2\nstart: 2018-10-06T08:00:00+00:00\nend: 2018-10-06T09:30:00+00:00\nretries: 1\n")
    # j3, a single log file: 8 GPUs x 0.25 h = 2.0 GPU h, never retried, gpu_out_of_memory (maybe)
    (tmp_path / "j3.log").write_text(TRACEBACK + "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n")
    (tmp_path / "j3.log.meta.json").write_text(json.dumps(
        {"gpus": 8, "start": "2018-10-07T23:50:00Z", "end": "2018-10-08T00:05:00Z", "retries": 0}))
    result = run("stats", tmp_path, "-f", "json", "--jobs", "1")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["jobs"] == 3 and document["failed"] == 3  # metadata files are not jobs
    assert document["gpu_hours"] == {"known": 3, "total": 15.0}  # 10.0 + 3.0 + 2.0
    hours_of = {row["id"]: row["gpu_hours"] for row in document["dimensions"]}
    assert hours_of == {"deep_learning": 2.0, "execution_environment": 3.0, "general_code": 10.0, "data": 0.0,
                        "infrastructure": 0.0}
    shares = {row["id"]: row["gpu_share"] for row in document["dimensions"]}
    assert shares == {"deep_learning": 13.3, "execution_environment": 20.0, "general_code": 66.7, "data": 0.0,
                      "infrastructure": 0.0}
    # never: j1 and j2, retried 3 + 1 = 4 times; wasted 3 x 10.0 + 1 x 3.0 = 33.0; one more of each 13.0
    assert document["retry_waste"] == {"jobs": 2, "retries": 4, "wasted_gpu_hours": 33.0, "per_retry_gpu_hours": 13.0}
    assert {row["advice"]: row["retries"] for row in document["retry"]} == {
        "never": 4, "maybe": 0, "environment": 0, "unknown": 0}
