"""`triage run -- CMD`: real child processes that crash, succeed, are killed or never end; their output
passes through byte for byte, triage exits as they did, and the record is classify's for the same log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

TRIAGE = [sys.executable, "-m", "philly_triage"]
CRASH = textwrap.dedent("""
    import sys, time
    for step in range(1, 6):
        print(f"2026-12-04 10:00:0{step} epoch 1 step {step}/100 loss 2.{step}1", flush=True)
    time.sleep(0.3)  # all of stdout reaches triage before the traceback: the order is known
    def forward(batch):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)")
    forward(None)
""")
BAD_ARGUMENT = 'raise ValueError("invalid literal for int() with base 10: \'abc\'")'
ENDLESS = textwrap.dedent("""
    import signal, sys, time
    def stop(number, frame):
        print("got SIGTERM, saving a checkpoint", flush=True)
        sys.exit(143)
    signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    while True:
        print("step", flush=True)
        time.sleep(0.05)
""")


def script(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, timeout=120, **kwargs)


def triage_lines(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode().splitlines() if line.startswith("triage:")]


@pytest.mark.slow  # four processes: the child twice, triage run, triage classify
def test_a_crash_passes_through_unchanged_and_gets_classifys_record(tmp_path):
    crash = script(tmp_path, "train.py", CRASH)
    direct = run([sys.executable, crash])
    wrapped = run(TRIAGE + ["run", "--record", str(tmp_path / "r.json"), "--", sys.executable, crash])
    assert wrapped.returncode == direct.returncode == 1
    assert wrapped.stdout == direct.stdout
    assert wrapped.stderr.startswith(direct.stderr) and wrapped.stderr.count(b"\n") == direct.stderr.count(b"\n") + 1
    (line,) = triage_lines(wrapped.stderr)
    assert line.startswith("triage: gpu_out_of_memory (training) at line 11: RuntimeError: CUDA out of memory")
    assert line.endswith("(retry: maybe)")
    # The same output in a job folder whose metadata says it exited 1, as triage classify reads it
    job = tmp_path / "job"
    job.mkdir()
    (job / "stdout.txt").write_bytes(direct.stdout + direct.stderr)
    (job / "job.meta.yaml").write_text("exit_code: 1\n")
    classified = json.loads(run(TRIAGE + ["classify", "-f", "jsonl", str(job)]).stdout)
    record = json.loads((tmp_path / "r.json").read_text())
    name = f"{sys.executable} {crash}"
    assert (record["job"], record["file"], record["exit_source"]) == (name, name, f"{name} (exit status)")
    names = {"job": name, "file": name, "exit_source": f"{name} (exit status)"}
    assert record == {**classified, **names}
    assert record["exit_code"] == 1 and record["stage"] == "training"


def test_a_command_that_succeeds_is_silent_and_records_no_failure(tmp_path):
    command = [sys.executable, "-c", "import sys; print('done'); print('a warning', file=sys.stderr)"]
    wrapped = run(TRIAGE + ["run", "--record", str(tmp_path / "r.json"), "--name", "ok-job", "--"] + command)
    assert (wrapped.returncode, wrapped.stdout, wrapped.stderr) == (0, b"done\n", b"a warning\n")
    record = json.loads((tmp_path / "r.json").read_text())
    assert (record["job"], record["status"], record["exit_code"]) == ("ok-job", "no_failure", 0)


def test_a_command_killed_by_sigkill(tmp_path):
    wrapped = run(TRIAGE + ["run", "--record", str(tmp_path / "r.json"), "--", "sh", "-c", "echo loading; kill -9 $$"])
    assert wrapped.returncode == 128 + signal.SIGKILL and wrapped.stdout == b"loading\n"
    record = json.loads((tmp_path / "r.json").read_text())
    assert (record["status"], record["exit_code"]) == ("unclassified", 137)
    assert "killed by SIGKILL" in record["reason"]
    assert triage_lines(wrapped.stderr) == ["triage: unclassified failure (initialisation): killed by SIGKILL "
                                            "(exit code 137), no failure message (retry: unknown)"]


@pytest.mark.slow
def test_sigterm_reaches_the_command_and_triage_exits_as_it_did(tmp_path):
    endless = script(tmp_path, "endless.py", ENDLESS)
    wrapper = subprocess.Popen(TRIAGE + ["run", "--record", str(tmp_path / "r.json"), "--", sys.executable, endless],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert wrapper.stdout.readline() == b"ready\n"
    time.sleep(0.3)
    wrapper.send_signal(signal.SIGTERM)
    out, err = wrapper.communicate(timeout=30)
    assert wrapper.returncode == 143
    assert out.endswith(b"got SIGTERM, saving a checkpoint\n")
    record = json.loads((tmp_path / "r.json").read_text())
    # stopped from outside by SIGTERM: the infrastructure dimension's preemption, worth a retry
    assert record["exit_code"] == 143 and record["status"] == "classified"
    assert (record["category"], record["dimension"], record["retry"]) == ("preemption", "infrastructure", "maybe")
    assert triage_lines(err) and "SIGTERM" in record["message"]


@pytest.mark.parametrize("given, expected", [(None, 1), ("3", 3)])
def test_retry_exit_code_when_a_retry_would_fail_again(tmp_path, given, expected):
    option = ["--retry-exit-code", given] if given else []
    wrapped = run(TRIAGE + ["run", *option, "--", sys.executable, "-c", BAD_ARGUMENT])
    assert wrapped.returncode == expected
    assert triage_lines(wrapped.stderr)[0].endswith("(retry: never)")


def test_retry_exit_code_leaves_a_failure_worth_retrying_alone(tmp_path):
    crash = script(tmp_path, "train.py", CRASH)
    assert run(TRIAGE + ["run", "--retry-exit-code", "3", "--", sys.executable, crash]).returncode == 1


@pytest.mark.parametrize("command, status, reason", [
    (["no-such-command-here"], 127, "No such file or directory"),
    (["."], 126, "Permission denied"),  # a directory: not a program, even for root
])
def test_a_command_that_cannot_start(tmp_path, command, status, reason):
    command = [str(tmp_path) if part == "." else part for part in command]
    wrapped = run(TRIAGE + ["run", "--record", str(tmp_path / "r.json"), "--"] + command)
    assert wrapped.returncode == status
    assert wrapped.stderr.decode() == f"triage: error: cannot run {command[0]}: {reason}\n"
    record = json.loads((tmp_path / "r.json").read_text())
    assert record["status"] == "error" and reason in record["reason"]


def test_a_record_file_that_cannot_be_written_stops_before_the_command_runs(tmp_path):
    marker = tmp_path / "ran"
    wrapped = run(TRIAGE + ["run", "--record", str(tmp_path / "no" / "r.json"), "--", "touch", str(marker)])
    assert wrapped.returncode == 2 and b"triage: error: cannot write the record file" in wrapped.stderr
    assert not marker.exists()


@pytest.mark.slow
def test_a_large_binary_output_passes_through_byte_for_byte(tmp_path):
    writer = script(tmp_path, "noise.py", textwrap.dedent("""
        import os, random, sys
        random.seed(7)
        for n in range(400):
            out = sys.stdout.buffer if n % 3 else sys.stderr.buffer
            out.write(random.randbytes(random.randint(1, 200_000)))
            out.flush()
        sys.exit(5)
    """))
    direct = run([sys.executable, writer])
    wrapped = run(TRIAGE + ["run", "--", sys.executable, writer])
    assert wrapped.returncode == direct.returncode == 5
    assert wrapped.stdout == direct.stdout and len(direct.stdout) > 10 << 20
    assert wrapped.stderr.startswith(direct.stderr)
    assert wrapped.stderr[len(direct.stderr):].startswith(b"triage: ")


def test_arguments_after_the_command_are_the_commands(tmp_path):
    wrapped = run(TRIAGE + ["run", "--", sys.executable, "-c", "import sys; print(sys.argv[1:])", "--record", "-x"])
    assert wrapped.returncode == 0 and wrapped.stdout == b"['--record', '-x']\n"
    assert not os.path.exists("-x")
