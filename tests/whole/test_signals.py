"""Stop signals and dead processes: SIGINT, SIGTERM and SIGHUP stop every command cleanly, in every
output format, and no worker process outlives the run, however the run ends. (The pieces, without a
process: tests/cli/test_interrupts.py, and each format's own tests under tests/output/formats/.)

The subprocess tests run a real ``triage`` in a session of its own over a few thousand small jobs,
with two worker processes, and signal it once its first record is out (a JSONL copy of the output
in a file says when). They bound how long the run may take to end after the signal, never how
long anything else takes. Processes are found and checked through /proc (Linux): a process that
has ended but was not reaped yet (a zombie) counts as ended.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

import pytest

from philly_triage._internal.output.formats import OutputFormat
from tests.output.formats.test_sarif_format import assert_valid

pytestmark = pytest.mark.slow  # real runs over 3,000 jobs, stopped by signals

JOBS = 3000
STOP_WITHIN = 5.0  # seconds from the signal to the end of the run, workers included
STARTED_WITHIN = 120.0  # seconds to wait for the first record (a loaded CI machine is slow to start)
POLL = 0.02
SEPARATOR = "\u2028"  # U+2028 LINE SEPARATOR: a line end to str.splitlines()
OOM = 'Traceback (most recent call last):\n  File "t.py", line 1, in <module>\ntorch.OutOfMemoryError: CUDA out of memory.\n'
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads processes from /proc")
FORMATS = [f.value for f in OutputFormat]


# --- the corpus and the processes ----------------------------------------------------------------


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    """JOBS one-file jobs: out-of-memory failures, key errors whose message holds U+2028, clean runs,
    and every tenth a failure line of 20,000 characters, whose record is longer than a write buffer."""
    directory = tmp_path_factory.mktemp("signals") / "logs"
    directory.mkdir()
    bodies = [OOM, f"epoch 1\nKeyError: 'a{SEPARATOR}b'\n", "epoch 1 loss 0.3\ntraining completed\n"]
    long_line = f"epoch 1\nKeyError: '{'x' * 20_000}'\n"
    for index in range(JOBS):
        body = long_line if index % 10 == 9 else bodies[index % 3]
        (directory / f"job-{index:05}.log").write_text(body, encoding="utf-8")
    return directory


STARTED: list[int] = []  # the process groups this module started


@pytest.fixture(autouse=True)
def nothing_left_running():
    """Whatever a failing test left running is killed, so that it cannot hold up the rest of the suite."""
    yield
    while STARTED:
        group = STARTED.pop()
        for pid in live_group(group):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def start(command: str, *args, python_prelude: str = "") -> subprocess.Popen:
    """``triage COMMAND ARGS`` as ``python -m philly_triage`` would run it, in a session of its own, so
    that its process group holds it and its workers only. ``python_prelude`` runs first (a patch)."""
    code = f"{python_prelude}\nfrom philly_triage._internal.cli.main import main\nmain()"
    argv = [sys.executable, "-c", code, command, *[str(a) for a in args]]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    STARTED.append(process.pid)
    return process


def live_group(group: int) -> list[int]:
    """The pids of the processes of a process group that have not ended (zombies have)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            pids.append(int(entry))
    return pids


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in ("Z", "X")


def wait_until(condition, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {within} s")
        time.sleep(POLL)


def has_a_line(path: Path) -> bool:
    try:
        return b"\n" in path.read_bytes()
    except FileNotFoundError:
        return False


def started_classifying(process: subprocess.Popen, progress: Path) -> list[int]:
    """Wait until the run has written a record (to ``progress``) and both workers are up; their pids."""
    wait_until(lambda: has_a_line(progress) or process.poll() is not None, STARTED_WITHIN, "no record came")
    assert process.poll() is None, process.communicate()[1].decode()
    workers = [pid for pid in live_group(process.pid) if pid != process.pid]
    assert len(workers) == 2, f"expected 2 worker processes, found {workers}"
    return workers


def stop(process: subprocess.Popen, number: int, group: bool) -> tuple[str, str, float]:
    """Send a signal (to the whole group, as Ctrl-C and ``timeout`` do, or to the CLI alone, as
    Kubernetes does); the run's stdout, stderr and how long it took to end, workers included."""
    sent = time.monotonic()
    if group:
        os.killpg(process.pid, number)
    else:
        os.kill(process.pid, number)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the run did not end after the signal")
    wait_until(lambda: not live_group(process.pid), STOP_WITHIN, "processes of the run were left")
    return stdout.decode("utf-8"), stderr.decode("utf-8"), time.monotonic() - sent


def done_counts(stderr: str, name: str) -> tuple[int, Optional[int]]:
    """N and M of the last stderr line, 'triage: interrupted[ by SIGTERM] (N of M jobs done)', or N
    and None for '(N jobs done)': a run without a progress bar classifies its jobs as it finds
    them, and knows their number only once it has found the last."""
    by = "" if name == "SIGINT" else f" by {name}"
    found = re.fullmatch(rf"triage: interrupted{re.escape(by)} \((\d+)(?: of (\d+))? jobs? done\)",
                         stderr.splitlines()[-1])
    assert found, stderr
    return int(found[1]), None if found[2] is None else int(found[2])


# --- every format, SIGINT and SIGTERM ------------------------------------------------------------


def check_document(kind: str, text: str, name: str, done: int, total: Optional[int], jobs: list[str]) -> None:
    """The output of an interrupted run in one format: whole, valid, the jobs done in order, and
    (where the format has a place for it) saying the run was interrupted. JSONL and CSV have no such
    place: each of their lines is a record to their readers, so they hold the records done and
    nothing else, and the exit status (130, 143) and stderr's last line say the run was cut short."""
    said = (f"triage was interrupted by {name} after {done} of {total} jobs" if total is not None else
            f"triage was interrupted by {name} after {done} {'job' if done == 1 else 'jobs'}, while it was still finding jobs")
    assert SEPARATOR not in text or kind in ("table", "csv", "junit", "github", "markdown")
    if kind == "json":
        document = json.loads(text)
        assert document["interrupted"] == {"signal": name, "jobs_done": done, "jobs_total": total}
        assert [r["job"] for r in document["records"]] == jobs[:done]
        assert document["summary"]["jobs"] == done
    elif kind == "jsonl":
        assert text.endswith("\n") or not text
        lines = text.split("\n")[:-1]
        assert lines == text.splitlines(), "a record holds a raw line separator"
        assert [json.loads(line)["job"] for line in lines] == jobs[:done]
    elif kind == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "job" and [row[0] for row in rows[1:]] == jobs[:done]
    elif kind == "sarif":
        document = json.loads(text)
        assert_valid(document)
        (invocation,) = document["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        assert invocation["exitSignalName"] == name
        assert invocation["toolExecutionNotifications"][0]["message"]["text"].startswith(said)
        assert {r["properties"]["job"] for r in document["runs"][0]["results"]} <= set(jobs[:done])
    elif kind == "junit":
        suite = ET.fromstring(text).find("testsuite")
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == jobs[:done] + ["interrupted"]
        assert cases[-1].find("error").get("message").startswith(said)
        assert suite.get("tests") == str(done + 1)
    elif kind == "github":
        lines = text.split("\n")[:-1]
        assert all(line.startswith("::") for line in lines)
        assert lines[-1].startswith("::error title=triage interrupted::" + said)
    elif kind == "markdown":
        assert f"> **Interrupted.** {said}" in text
        assert text.startswith(f"## triage: {done} job")
    elif kind == "table":
        lines = text.split("\n")[:-1]
        assert lines[0].startswith("JOB") and [line.split()[0] for line in lines[1:]] == jobs[:done]


@linux_only
@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("name,group,status", [("SIGINT", True, 130), ("SIGTERM", False, 143)],
                         ids=["ctrl-c-to-the-group", "sigterm-to-the-cli"])
def test_a_signal_mid_run_leaves_a_whole_document_that_says_so(logs, tmp_path, kind, name, group, status):
    progress = tmp_path / "progress.jsonl"
    process = start("classify", "-f", kind, "-o", f"jsonl:{progress}", "--jobs", "2", logs)
    started_classifying(process, progress)
    stdout, stderr, took = stop(process, getattr(signal, name), group)
    assert took < STOP_WITHIN
    assert "Traceback" not in stderr, stderr
    assert process.returncode == status, stderr
    done, total = done_counts(stderr, name)
    assert total in (JOBS, None) and 0 < done < JOBS  # None: stopped while jobs were still being found
    jobs = sorted(str(p) for p in logs.iterdir())
    check_document(kind, stdout, name, done, total, jobs)
    check_document("jsonl", progress.read_text(encoding="utf-8"), name, done, total, jobs)


@linux_only
@pytest.mark.parametrize("name,status", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_signal_to_the_whole_group_stops_every_output_file(logs, tmp_path, name, status):
    """As `timeout` does: the signal reaches the workers too, which leave it to the CLI."""
    files = {kind: tmp_path / f"out.{kind}" for kind in FORMATS}
    outputs = [f"-o{kind}:{path}" for kind, path in files.items()]
    process = start("classify", *outputs, "--quiet", "--jobs", "2", logs)
    started_classifying(process, files["jsonl"])
    stdout, stderr, took = stop(process, getattr(signal, name), group=True)
    assert took < STOP_WITHIN and "Traceback" not in stderr, stderr
    assert process.returncode == status and stdout == ""
    done, total = done_counts(stderr, name)
    jobs = sorted(str(p) for p in logs.iterdir())
    for kind, path in files.items():
        check_document(kind, path.read_text(encoding="utf-8"), name, done, total, jobs)
    assert not any(json.loads(line)["status"] == "error" for line in files["jsonl"].read_text().splitlines()), \
        "a worker the signal reached was taken for a dead one"


@linux_only
@pytest.mark.parametrize("kind", ["sarif", "json"])
def test_ctrl_c_with_the_document_on_stdout_by_output_dash(logs, tmp_path, kind):
    """`-o FORMAT:-` puts the document on stdout (and nothing else there): interrupted, it says so."""
    progress = tmp_path / "progress.jsonl"
    process = start("classify", "-o", f"{kind}:-", "-o", f"jsonl:{progress}", "--jobs", "2", logs)
    started_classifying(process, progress)
    stdout, stderr, took = stop(process, signal.SIGINT, group=True)
    assert took < STOP_WITHIN and process.returncode == 130, stderr
    done, total = done_counts(stderr, "SIGINT")
    check_document(kind, stdout, "SIGINT", done, total, sorted(str(p) for p in logs.iterdir()))


@linux_only
def test_sigterm_without_worker_processes(logs, tmp_path):
    progress = tmp_path / "progress.jsonl"
    process = start("classify", "-f", "json", "-o", f"jsonl:{progress}", "--jobs", "1", logs)
    wait_until(lambda: has_a_line(progress) or process.poll() is not None, STARTED_WITHIN, "no record came")
    stdout, stderr, took = stop(process, signal.SIGTERM, group=False)
    assert took < STOP_WITHIN and process.returncode == 143, stderr
    done, total = done_counts(stderr, "SIGTERM")
    check_document("json", stdout, "SIGTERM", done, total, sorted(str(p) for p in logs.iterdir()))


@linux_only
@pytest.mark.parametrize("command", ["stats", "report"])
def test_other_commands_stop_on_sigterm_with_their_workers(logs, tmp_path, command):
    output = tmp_path / ("report.html" if command == "report" else "stats.json")
    args = ["--output", output]
    process = start(command, logs, "--jobs", "2", *args)
    wait_until(lambda: len(live_group(process.pid)) == 3, STARTED_WITHIN, "the workers did not start")
    stdout, stderr, took = stop(process, signal.SIGTERM, group=False)
    assert took < STOP_WITHIN
    assert process.returncode == 143 and stderr.endswith("triage: interrupted by SIGTERM\n"), stderr
    assert stdout == "" and not output.exists(), "a half-written or empty output file was left"


# --- workers that die, parents that die ----------------------------------------------------------


@linux_only
def test_a_worker_killed_mid_run_costs_at_most_its_job(logs, tmp_path):
    progress = tmp_path / "progress.jsonl"
    process = start("classify", "-f", "jsonl", "-o", f"jsonl:{progress}", "--jobs", "2", logs)
    victim = started_classifying(process, progress)[0]
    os.kill(victim, signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=120)
    stdout, stderr = stdout.decode("utf-8"), stderr.decode("utf-8")
    assert not live_group(process.pid)
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["job"] for r in records] == sorted(str(p) for p in logs.iterdir()), "every job, once, in order"
    errors = [r for r in records if r["status"] == "error"]
    assert len(errors) <= 1  # none when it was killed between two jobs
    assert all(r["reason"].endswith("died (killed by SIGKILL)") for r in errors)
    assert process.returncode == (3 if errors else 0), stderr
    assert "Traceback" not in stderr, stderr


@linux_only
@pytest.mark.parametrize("prelude", [
    "",
    # Without PR_SET_PDEATHSIG (and without the watchdog that replaces it): the workers still end,
    # since no worker holds a copy of the parent's end of a pipe, so each reads EOF.
    "import philly_triage._internal.pipeline.parallel as p; p._prctl_pdeathsig = lambda number: True",
], ids=["pdeathsig", "eof-alone"])
def test_workers_die_with_a_parent_killed_by_sigkill(logs, tmp_path, prelude):
    progress = tmp_path / "progress.jsonl"
    process = start("classify", "-f", "json", "-o", f"jsonl:{progress}", "--jobs", "2", logs, python_prelude=prelude)
    workers = started_classifying(process, progress)
    os.kill(process.pid, signal.SIGTERM)  # the CLI starts to stop ...
    os.kill(process.pid, signal.SIGKILL)  # ... and is killed before it could stop its workers
    assert process.wait(timeout=60) == -signal.SIGKILL
    wait_until(lambda: not any(alive(pid) for pid in workers), STOP_WITHIN, "workers outlived their parent")
    process.communicate(timeout=60)  # the workers held the other ends of its pipes: they are closed now
