"""`triage classify -`: one job read from standard input, with the record the same bytes get in a file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from philly_triage._internal.cli.main import cli
from tests.conftest import ROOT

NAMED = ("job", "file", "exit_source")
OOM = (
    "epoch 1 step 10 loss 2.1\n"
    "Traceback (most recent call last):\n"
    '  File "train.py", line 88, in <module>\n'
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\n"
)


def run(args, stdin: bytes = b""):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def renamed(record: dict, old: str, new: str) -> dict:
    return {key: value.replace(old, new) if key in NAMED and isinstance(value, str) else value
            for key, value in record.items()}


def sample_files() -> list[Path]:
    return sorted(p for p in (ROOT / "sample_logs").rglob("*") if p.is_file() and not p.name.startswith("job.meta"))


@pytest.mark.parametrize("path", sample_files()[:40], ids=lambda p: str(p.relative_to(ROOT / "sample_logs")))
def test_stdin_gives_the_record_of_the_same_bytes_in_a_file(path):
    from_file = records(run(["classify", "-f", "jsonl", str(path)]).stdout)
    from_stdin = records(run(["classify", "-f", "jsonl", "-"], path.read_bytes()).stdout)
    assert from_stdin == [renamed(from_file[0], str(path), "<stdin>")]


def test_a_real_pipe_and_name(tmp_path):
    (tmp_path / "oom.log").write_text(OOM)
    command = f"printf '%s' {_quoted(OOM)} | {sys.executable} -m philly_triage classify -f jsonl --name pod-x -"
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    from_file = records(run(["classify", "-f", "jsonl", str(tmp_path / "oom.log")]).stdout)
    assert records(done.stdout) == [renamed(from_file[0], str(tmp_path / "oom.log"), "pod-x")]
    assert records(done.stdout)[0]["category"] == "gpu_out_of_memory"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_dash_among_paths_keeps_its_place(tmp_path, jobs):
    (tmp_path / "a.log").write_text("KeyError: 'lr'\n")
    (tmp_path / "b.log").write_text("epoch 1 loss 0.3\ntraining complete\n")
    result = run(["classify", "-f", "jsonl", "-j", jobs, str(tmp_path / "a.log"), "-", str(tmp_path / "b.log")],
                 OOM.encode())
    got = [(r["job"], r["status"], r["category"]) for r in records(result.stdout)]
    assert got == [
        (str(tmp_path / "a.log"), "classified", "key_not_found"),
        ("<stdin>", "classified", "gpu_out_of_memory"),
        (str(tmp_path / "b.log"), "no_failure", None),
    ]


def test_the_summary_says_stdin_was_read():
    result = run(["classify", "-"], OOM.encode())
    assert "-: standard input, one job named <stdin>" in result.stderr
    assert result.exit_code == 0


def test_an_empty_stdin_is_one_record():
    got = records(run(["classify", "-f", "jsonl", "-"]).stdout)
    assert [(r["job"], r["status"]) for r in got] == [("<stdin>", "no_failure")]
    assert got[0]["notes"] == ["<stdin>: empty file"]


@pytest.mark.parametrize("args, message", [
    (["-", "-"], "'-' (standard input) is given twice"),
    (["--name", "x", "sample_logs"], "--name names the job read from standard input"),
])
def test_usage_errors(args, message):
    result = CliRunner().invoke(cli, ["classify", *args])
    assert result.exit_code == 2 and message in result.output


ENDLESS = textwrap.dedent("""
    import os, sys, time
    line = b"2026-12-04 10:00:00 epoch 3 step 12345 loss 0.2345 lr 0.0001 " + b"x" * 40 + b"\\n"
    block = line * 8192
    written, start = 0, time.monotonic()
    while written < 200 << 20:
        sys.stdout.buffer.write(block)
        written += len(block)
    sys.stdout.buffer.write(b"Traceback (most recent call last):\\n  File \\"t.py\\", line 1, in <module>\\n"
                            b"RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB\\n")
    sys.stderr.write(f"{written} bytes in {time.monotonic() - start:.1f} s\\n")
""")
PEAK = textwrap.dedent("""
    import resource, subprocess, sys
    done = subprocess.run(sys.argv[1:])
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode, file=sys.stderr)
""")


@pytest.mark.slow
def test_an_endless_pipe_keeps_memory_bounded(tmp_path):
    (tmp_path / "gen.py").write_text(ENDLESS)
    (tmp_path / "peak.py").write_text(PEAK)
    command = (f"{sys.executable} {tmp_path / 'gen.py'} | {sys.executable} {tmp_path / 'peak.py'} "
               f"{sys.executable} -m philly_triage classify -f jsonl -j 1 --name endless -")
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    peak_kib, status = map(int, done.stderr.strip().splitlines()[-1].split())
    record = json.loads(done.stdout)
    assert status == 0 and record["category"] == "gpu_out_of_memory" and record["job"] == "endless"
    line_bytes = len(b"2026-12-04 10:00:00 epoch 3 step 12345 loss 0.2345 lr 0.0001 ") + 40 + 1
    lines = -(-(200 << 20) // (line_bytes * 8192)) * 8192
    assert record["line"] == lines + 3  # the stream's own line number, 2 million lines in
    assert peak_kib < 100 * 1024, f"peak RSS {peak_kib} KiB"
