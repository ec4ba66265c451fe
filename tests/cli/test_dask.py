"""``triage classify --dask``: the same JSONL and exit status as the local pool, from a LocalCluster
it starts (``local``) or a running scheduler (``tcp://``); one-line errors for a scheduler out of
reach and for Dask not installed; Ctrl-C stops the run and the cluster as it stops the local pool;
a run without --dask never imports Dask."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import distributed
import pytest
from distributed import LocalCluster

from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.slow

SAMPLE_LOGS = ROOT / "sample_logs"
HELDOUT = DATA / "heldout"


def triage(*args, env=None, timeout=120) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "philly_triage", *[str(a) for a in args]]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def scheduler():
    """A running scheduler with two worker processes, as a platform's would be: its tcp:// address."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"}) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def local_pool():
    result = triage("classify", "-f", "jsonl", "-j", "2", SAMPLE_LOGS, HELDOUT)
    assert result.stdout.count("\n") > 100
    return result


def test_dask_local_gives_the_local_pools_jsonl_and_exit_status(local_pool):
    result = triage("classify", "--dask", "local", "-j", "2", "-f", "jsonl", SAMPLE_LOGS, HELDOUT)
    assert result.stdout == local_pool.stdout
    assert result.returncode == local_pool.returncode
    assert "Traceback" not in result.stderr, result.stderr


def test_a_running_scheduler_gives_the_local_pools_jsonl(scheduler, local_pool):
    assert scheduler.startswith("tcp://")
    result = triage("classify", "--dask", scheduler, "-f", "jsonl", SAMPLE_LOGS, HELDOUT)
    assert result.stdout == local_pool.stdout
    assert result.returncode == local_pool.returncode


def test_stats_runs_on_dask_too(scheduler):
    here = triage("stats", "-f", "json", SAMPLE_LOGS)
    there = triage("stats", "--dask", scheduler, "-f", "json", SAMPLE_LOGS)
    assert here.returncode == there.returncode == 0, there.stderr
    assert json.loads(there.stdout) == json.loads(here.stdout)


def test_a_scheduler_out_of_reach_is_a_one_line_error():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    result = triage("classify", "--dask", address, SAMPLE_LOGS,
                    env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"triage: error: cannot reach the Dask scheduler at {address}: ")
    assert result.stderr.count("\n") == 1, result.stderr


def test_jobs_with_a_schedulers_address_is_a_usage_error():
    result = triage("classify", "--dask", "tcp://127.0.0.1:8786", "-j", "2", SAMPLE_LOGS)
    assert result.returncode == 2
    assert "--jobs sets the workers of --dask local" in result.stderr


def test_without_dask_installed_the_error_says_how_to_install_it():
    blocked = ("import sys; sys.modules['dask'] = sys.modules['distributed'] = None; "
               "sys.argv = ['triage', 'classify', '--dask', 'local', 'sample_logs']; "
               "from philly_triage._internal.cli.main import main; main()")
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert "--dask needs Dask" in result.stderr
    assert "pip install 'philly-triage[dask]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_run_without_dask_never_imports_it():
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "philly_triage", "classify", "sample_logs"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert result.returncode == 0 and "philly_triage._internal.cli.scale" in imported  # --dask's option was there
    assert not [name for name in imported if name.split(".")[0] in ("dask", "distributed")]


def test_ctrl_c_stops_the_run_and_the_local_cluster(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for copy in range(60):
        for job in sorted(SAMPLE_LOGS.iterdir()):
            (corpus / f"a{copy:03}-{job.name}").symlink_to(job)
    document = tmp_path / "out.json"
    command = [sys.executable, "-m", "philly_triage", "classify", "--dask", "local", "-j", "2", "-f", "jsonl",
               "-o", f"json:{document}", corpus]
    process = subprocess.Popen([str(c) for c in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, cwd=ROOT)
    first = b""  # the first batch is in: the cluster runs. Read byte by byte: a buffered readline
    while not first.endswith(b"\n"):  # could read ahead bytes that communicate() would never see
        byte = os.read(process.stdout.fileno(), 1)
        if not byte:
            break
        first += byte
    assert json.loads(first)["job"].startswith(str(corpus))
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole process group
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    total = len(list(corpus.iterdir()))
    done = 1 + stdout.count(b"\n")
    assert stderr.decode().endswith(f"triage: interrupted ({done} of {total} jobs done)\n")
    assert "Traceback" not in stderr.decode(), stderr.decode()
    assert done < total
    assert json.loads(document.read_text())["interrupted"] == {"signal": "SIGINT", "jobs_done": done, "jobs_total": total}
    assert_no_process_left(process.pid)


def assert_no_process_left(session: int) -> None:
    """Nothing of the run's session (triage, the cluster's workers) is left: the last ones to go
    (multiprocessing's resource tracker) end once triage is gone, and are reaped within seconds."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(session, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"processes of the session {session} are still there")
