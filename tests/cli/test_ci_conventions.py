"""CI conventions across the commands: --exclude/--include on every command that reads paths,
--fail-on on an empty input, the summary line on stderr for every format, and ``-o -`` for stdout."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from philly_triage._internal.output.formats import OutputFormat
from tests.analysis.test_policy import MISSING, OOM, run, traceback

OOM_LOG = traceback(OOM.format(size="20.00 MiB", gpu=0))


@pytest.fixture()
def logs(tmp_path):
    """A nightly folder with two jobs and the strays of a real one: a core dump beside them and a
    checkpoint inside a job."""
    root = tmp_path / "logs"
    (root / "job-a").mkdir(parents=True)
    (root / "job-a" / "stdout.txt").write_text(OOM_LOG)
    (root / "job-a" / "model.pt").write_bytes(bytes(range(256)) * 40)
    (root / "job-b").mkdir()
    (root / "job-b" / "stderr.txt").write_text(traceback(MISSING.format(path="/data/x.tar")))
    (root / "core").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(4000))
    return root


# --- --exclude and --include -------------------------------------------------------------------


def test_a_stray_core_dump_fails_the_run_until_it_is_excluded(logs):
    before = run("classify", logs, "-f", "jsonl")
    assert before.exit_code == 3 and [r["status"] for r in map(json.loads, before.stdout.splitlines())][0] == "error"
    after = run("classify", logs, "-f", "jsonl", "--exclude", "core", "--exclude", "*.pt")
    assert after.exit_code == 0, after.stderr
    records = [json.loads(line) for line in after.stdout.splitlines()]
    assert [(r["job"], r["category"], r["notes"]) for r in records] == [
        (str(logs / "job-a"), "gpu_out_of_memory", []), (str(logs / "job-b"), "path_not_found", [])]
    assert after.stderr == (f"2 jobs: 2 classified ({logs}: a directory of 2 jobs; "
                            f"--exclude/--include left out 1 job and 1 file)\n")


def test_the_binary_inside_a_job_is_a_note_until_it_is_excluded(logs):
    before = run("classify", logs / "job-a", "-f", "json")
    assert json.loads(before.stdout)["records"][0]["notes"] == [f"{logs / 'job-a' / 'model.pt'}: binary file, not a text log"]
    after = run("classify", logs / "job-a", "-f", "json", "--exclude", "*.pt")
    assert json.loads(after.stdout)["records"][0]["notes"] == []


def test_include_reads_only_the_jobs_it_names(logs):
    result = run("classify", logs, "-f", "jsonl", "--include", "job-b")
    assert [json.loads(line)["job"] for line in result.stdout.splitlines()] == [str(logs / "job-b")]
    assert "left out 2 jobs and" not in result.stderr and "left out 2 jobs)" in result.stderr


def test_a_path_named_on_the_command_line_is_read_whatever_the_globs(logs):
    result = run("classify", logs / "core", "-f", "jsonl", "--exclude", "core")
    assert json.loads(result.stdout)["job"] == str(logs / "core") and result.exit_code == 3
    emptied = run("classify", logs / "job-b", "-f", "jsonl", "--exclude", "*.txt")
    record = json.loads(emptied.stdout)
    assert record["status"] == "error" and record["reason"] == "every file of it is left out by --exclude/--include"


@pytest.mark.parametrize("glob", ["", "[z-a]"])
def test_a_glob_that_cannot_be_used_is_a_usage_error(logs, glob):
    result = run("classify", logs, "--exclude", glob)
    assert result.exit_code == 2 and f"--exclude {glob!r}" in result.stderr and "Traceback" not in result.stderr


def test_stats_counts_only_the_selected_jobs(logs):
    result = run("stats", logs, "-f", "json", "--exclude", "core", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["jobs"] == 2 and document["failed"] == 2


def test_report_shows_only_the_selected_jobs(logs, tmp_path):
    result = run("report", logs, "-o", tmp_path / "r.html", "--exclude", "core", "--jobs", "1")
    assert result.exit_code == 0 and result.stderr == f"triage: wrote {tmp_path / 'r.html'} (2 jobs)\n"


def test_cluster_groups_only_the_selected_jobs(tmp_path):
    root = tmp_path / "logs"
    root.mkdir()
    for index in range(3):
        (root / f"a-{index}.log").write_text(traceback(f"MysteryError: the flux capacitor {index} melted"))
        (root / f"b-{index}.log").write_text(traceback(f"MysteryError: the flux capacitor {index} melted"))
    every = json.loads(run("cluster", root, "-f", "json", "--jobs", "1").stdout)
    some = json.loads(run("cluster", root, "-f", "json", "--jobs", "1", "--exclude", "b-*").stdout)
    assert (every["jobs"], some["jobs"]) == (6, 3)
    assert sorted(job for c in some["clusters"] for job in c["jobs"]) == sorted(str(root / f"a-{i}.log") for i in range(3))


def test_explain_reads_the_job_without_the_excluded_files(logs):
    result = run("explain", logs / "job-a", "-f", "json", "--include", "*.txt")
    assert result.exit_code == 0, result.stderr
    assert "model.pt" not in result.stdout and json.loads(result.stdout)["record"]["category"] == "gpu_out_of_memory"
    emptied = run("explain", logs / "job-a", "--exclude", "*")
    assert emptied.exit_code == 2 and "every file of it is left out by --exclude/--include" in emptied.stderr


@pytest.mark.parametrize("command", ["classify", "stats", "report", "cluster", "explain", "eval", "watch"])
def test_every_command_that_reads_paths_takes_the_globs(command):
    text = run(command, "--help").stdout
    assert "--exclude GLOB" in text and "--include GLOB" in text


# --- --fail-on and an empty input --------------------------------------------------------------


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_fail_on_with_no_jobs_is_exit_3_and_says_so_even_quiet(tmp_path, quiet):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("classify", empty, "--fail-on", "any", "-f", "json", *quiet)
    assert result.exit_code == 3
    assert result.stderr.endswith(f"triage: error: no jobs found under {empty}: --fail-on has nothing to judge\n")
    assert json.loads(result.stdout)["records"] == []  # the document is still written


def test_fail_on_with_every_job_excluded_says_what_left_them_out(logs):
    result = run("classify", logs, "--fail-on", "any", "--exclude", "*", "-q")
    assert result.exit_code == 3
    assert result.stderr == (f"triage: error: no jobs found under {logs} (--exclude/--include left out 3 jobs): "
                             "--fail-on has nothing to judge\n")


def test_an_empty_input_without_fail_on_is_still_fine(tmp_path):
    result = run("classify", tmp_path, "-f", "jsonl")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"0 jobs: nothing to report ({tmp_path}: a directory of 0 jobs)\n"


# --- the summary line ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [f.value for f in OutputFormat])
def test_the_summary_line_goes_to_stderr_in_every_format(logs, kind):
    result = run("classify", logs / "job-a", logs / "job-b", "-f", kind)
    assert result.stderr.startswith("2 jobs: 2 classified ("), result.stderr
    assert "2 jobs: 2 classified" not in result.stdout or kind == "markdown"  # markdown's own heading
    assert run("classify", logs / "job-a", "-f", kind, "-q").stderr == ""


# --- -o - : stdout ------------------------------------------------------------------------------


def parse(kind: str, text: str) -> list[str]:
    """The jobs of one format's output, read as its consumer would."""
    if kind == "json":
        return [r["job"] for r in json.loads(text)["records"]]
    if kind == "jsonl":
        return [json.loads(line)["job"] for line in text.splitlines()]
    if kind == "csv":
        return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    if kind == "sarif":
        return [r["properties"]["job"] for r in json.loads(text)["runs"][0]["results"]]
    if kind == "junit":
        return [case.get("name") for case in ET.fromstring(text).iter("testcase")]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["json", "jsonl", "csv", "sarif", "junit"])
@pytest.mark.parametrize("how", ["prefix", "format"])
def test_output_dash_writes_the_format_to_stdout_alone(logs, tmp_path, kind, how):
    args = ["-o", f"{kind}:-"] if how == "prefix" else ["-f", kind, "-o", "-"]
    result = run("classify", logs / "job-a", logs / "job-b", *args, "-o", f"markdown:{tmp_path / 'copy.md'}")
    assert result.exit_code == 0, result.stderr
    assert parse(kind, result.stdout) == [str(logs / "job-a"), str(logs / "job-b")]  # no table mixed in
    assert (tmp_path / "copy.md").read_text().startswith("## triage: 2 jobs")


def test_output_dash_without_a_format_is_the_table(logs):
    result = run("classify", logs / "job-a", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("JOB")


def test_stdout_named_twice_is_a_usage_error(logs):
    result = run("classify", logs, "-o", "-", "-o", "json:-")
    assert result.exit_code == 2 and "--output names stdout (-) more than once" in result.stderr


def test_stats_and_report_take_dash_for_stdout(logs):
    stats = run("stats", logs / "job-a", "-f", "json", "-o", "-", "--jobs", "1")
    assert stats.exit_code == 0 and json.loads(stats.stdout)["jobs"] == 1
    report = run("report", logs / "job-a", "-o", "-", "--jobs", "1")
    assert report.exit_code == 0 and report.stdout.startswith("<!DOCTYPE html>")
    assert report.stderr == "triage: wrote the report to stdout (1 job)\n"


# --- URLs: the globs match the part after the URL given ------------------------------------------


@pytest.mark.slow  # a real S3 server (moto) and triage in a process of its own
def test_globs_select_jobs_and_files_in_an_object_store(logs, monkeypatch):
    pytest.importorskip("s3fs")
    pytest.importorskip("moto.server")
    from tests.stores import S3_ENV, CountingMotoServer, records, run_triage, upload_tree

    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    server = CountingMotoServer()
    try:
        fs = server.filesystem()
        fs.mkdir("logs")
        upload_tree(fs, logs, "logs/nightly")
        args = ["-f", "jsonl", "--storage-option", f"endpoint_url={server.endpoint}", "--jobs", "1"]
        every = run_triage("classify", "s3://logs/nightly/", *args)
        some = run_triage("classify", "s3://logs/nightly/", *args, "--exclude", "core", "--exclude", "*.pt")
    finally:
        server.stop()
    assert every.returncode == 3 and len(records(every)) == 3, every.stderr  # the core dump is an error
    assert some.returncode == 0, some.stderr
    got = records(some)
    assert [(r["job"], r["category"], r["notes"]) for r in got] == [
        ("s3://logs/nightly/job-a", "gpu_out_of_memory", []), ("s3://logs/nightly/job-b", "path_not_found", [])]
    assert "--exclude/--include left out 1 job and 1 file" in some.stderr
