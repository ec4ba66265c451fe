"""cli/watch_exec.py: the --exec command, run for real through the shell."""

from __future__ import annotations

import json
import sys
import time

from philly_triage._internal.cli.watch_exec import ExecRunner
from philly_triage.models import FailureRecord, Status

RECORD = FailureRecord("runs/a.log", Status.CLASSIFIED, category="gpu_out_of_memory", file="runs/a.log", line=7,
                       message="RuntimeError: CUDA out of memory", retry="maybe")


def test_the_record_comes_on_stdin_and_in_the_environment(tmp_path):
    out = tmp_path / "out.txt"
    runner = ExecRunner(f'cat > "{out}"; echo "$TRIAGE_JOB|$TRIAGE_CATEGORY|$TRIAGE_STATUS|$TRIAGE_FILE|$TRIAGE_LINE" >> "{out}"', print)
    assert runner.run(RECORD) == 0
    record_line, fields = out.read_text().splitlines()
    assert json.loads(record_line) == RECORD.to_dict()
    assert fields == "runs/a.log|gpu_out_of_memory|classified|runs/a.log|7"


def test_a_log_line_cannot_inject_shell_syntax(tmp_path):
    out = tmp_path / "out.txt"
    hostile = FailureRecord("a.log", Status.UNCLASSIFIED, file="a.log", line=1, message=f"$(touch {tmp_path}/owned); `id`")
    assert ExecRunner(f'printf %s "$TRIAGE_RECORD" > "{out}"', print).run(hostile) == 0
    assert json.loads(out.read_text())["message"] == hostile.message
    assert not (tmp_path / "owned").exists()


def test_failures_and_timeouts_are_warnings_and_the_queue_runs_in_order(tmp_path):
    warnings: list[str] = []
    assert ExecRunner("exit 4", warnings.append).run(RECORD) == 4
    started = time.monotonic()
    assert ExecRunner("sleep 20", warnings.append, timeout=0.3).run(RECORD) == -1
    assert time.monotonic() - started < 5
    assert warnings == ["--exec command for runs/a.log exited with status 4",
                        "--exec command for runs/a.log killed after 0.3 s (--exec-timeout)"]
    out = tmp_path / "order.txt"
    runner = ExecRunner(f'{sys.executable} -c "import os; print(os.environ[\'TRIAGE_LINE\'])" >> "{out}"', warnings.append)
    for line in (1, 2, 3):
        runner.submit(FailureRecord("j", Status.UNCLASSIFIED, line=line))
    runner.close()  # waits for all three
    assert out.read_text().split() == ["1", "2", "3"]
