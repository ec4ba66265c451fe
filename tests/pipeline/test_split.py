"""A big log read whole is reduced in two processes (split.py): the records are the ones a single
process gives, whatever the helper does, and the helper never outlives its run.

The split threshold and the chunks are shrunk here so that every labelled log is split.
"""

from __future__ import annotations

import gzip
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import philly_triage._internal.pipeline.read as reader
import philly_triage._internal.pipeline.reduce as reduce
import philly_triage._internal.pipeline.scan as scan
import philly_triage._internal.pipeline.split as split
from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage._internal.pipeline.read import open_log
from tests.conftest import DATA, ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the helper is forked on Linux only")

LABELLED = [str(ROOT / "sample_logs"), str(DATA / "heldout")]
TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    main()\nKeyError: \'label\'\n'


def records(matcher, markers, paths=LABELLED):
    return [r.to_dict() for r in Classifier(matcher.catalogue, Options(full=True), markers).classify_many(paths)]


@pytest.fixture
def forks(monkeypatch):
    """Every log is split, in 700-byte chunks; the list holds one entry per helper forked."""
    started: list[int] = []
    fork = split._fork

    def counted(*args):
        helper = fork(*args)
        if helper is not None:
            started.append(helper.pid)
        return helper

    monkeypatch.setattr(split, "_fork", counted)
    monkeypatch.setattr(split, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(split, "PART_MIN_CHUNKS", 1)
    monkeypatch.setattr(scan, "ONE_WINDOW", 0)  # --full reduces every log, however small
    monkeypatch.setattr(split.threading, "active_count", lambda: 1)  # a test runner may keep a thread
    monkeypatch.setattr(split, "available_cores", lambda: 2)
    monkeypatch.setattr(reader, "CHUNK_BYTES", 700)
    return started


def reaped(pids) -> bool:
    """Whether every helper has ended and been waited for (none is left running, or a zombie)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return True


def test_split_reading_gives_the_records_of_one_process(matcher, markers, forks, monkeypatch):
    monkeypatch.setattr(split, "SPLIT_MIN_BYTES", 1 << 62)
    expected = records(matcher, markers)
    assert not forks
    monkeypatch.setattr(split, "SPLIT_MIN_BYTES", 0)
    joined = split.Helper.joined
    taken: list[bool] = []

    def patient(self, reduction):  # wait for the helper, which never happens in use: a log this small is all read first
        if not self.ended:
            select.select([self.reader], [], [], 30)
        taken.append(joined(self, reduction))
        return taken[-1]

    monkeypatch.setattr(split.Helper, "joined", patient)
    assert records(matcher, markers) == expected
    assert len(forks) > 100  # every labelled log of more than two chunks was split
    assert sum(taken) > 100  # and the helper's findings were taken over
    assert reaped(forks)


class Found:
    """A helper whose findings are known before the reading starts; ``taken`` once they are taken over."""

    def __init__(self, part):
        self.part = part
        self.taken = False

    def joined(self, reduction):
        self.taken = self.part is not None and split.take_over(reduction, self.part) is not None
        return self.taken


def reduced_both_ways(path, markers, part=None):
    """The log reduced by one process, and by one process joined to the helper's findings (all
    its parts, reduced here first, unless ``part`` gives them); and the helper."""
    source = open_log(str(path))
    try:
        alone = reduce.reduce_whole(source.chunks(), str(path), markers)
        chunk = reader.CHUNK_BYTES
        if part is None:
            part = split.reduce_parts(source.handle.fileno(), split.part_starts(source.size, chunk), chunk, markers)
        helper = Found(part)
        helped = reduce.reduce_whole(source.chunks(), str(path), markers, helper)
    finally:
        source.close()
    return alone, helped, helper


def same(alone, helped) -> None:
    assert helped.lines == alone.lines
    assert helped.note == alone.note
    assert helped.regions == alone.regions


def test_parts_reduced_from_the_last_back_give_the_reduction_of_one_process(markers, forks):
    """Every labelled log, in parts of one chunk of 700 bytes: each part is joined to the parts
    after it, and the whole to the reduction from the start, where their states agree."""
    logs = sorted(p for folder in LABELLED for p in Path(folder).rglob("*") if p.is_file() and p.stat().st_size > 2100)
    taken = 0
    for path in logs:
        source = open_log(str(path))
        source.close()
        if source.seekable:
            alone, helped, helper = reduced_both_ways(path, markers)
            same(alone, helped)
            taken += helper.taken
    assert taken > 100


def test_errors_dense_across_a_part_boundary_are_kept_as_one_process_keeps_them(tmp_path, markers, forks):
    """Regions chain over many chunks: the findings are taken over only where the two reductions
    agree, after the chain."""
    lines = [f"step {i} loss 0.5\n" for i in range(3000)]
    lines[1200:1800] = [f"RuntimeError: CUDA error: device-side assert triggered ({i})\n" for i in range(600)]
    path = tmp_path / "dense.log"
    path.write_text("".join(lines) + TRACEBACK)
    alone, helped, helper = reduced_both_ways(path, markers)
    same(alone, helped)
    assert helper.taken and helper.part.start == split.part_starts(path.stat().st_size, reader.CHUNK_BYTES)[1]


@pytest.mark.parametrize("held", [2 << 10, 40 << 10])
def test_dropping_the_oldest_regions_gives_what_one_process_keeps(tmp_path, markers, forks, monkeypatch, held):
    """Too many possible failures: the latest that fit are kept, whichever process found them."""
    monkeypatch.setattr(reduce, "MAX_HELD_BYTES", held)
    blocks = []
    for i in range(400):
        blocks.append("".join(f"epoch {i} step {j} loss 0.5\n" for j in range(40)))
        blocks.append(f"OSError: [Errno 5] Input/output error: 'shard-{i}'\n")
    path = tmp_path / "many.log"
    path.write_text("".join(blocks) + TRACEBACK)
    alone, helped, helper = reduced_both_ways(path, markers)
    assert alone.note is not None and helper.taken
    same(alone, helped)
    assert helper.part.first > 0  # the helper dropped items too


def test_findings_that_never_agree_leave_the_rest_to_this_process(tmp_path, markers, forks):
    """The helper's states at every chunk's end are off by a line: this process reads on to the end."""
    path = tmp_path / "log.txt"
    path.write_text("".join(f"step {i} loss 0.5\n" for i in range(2000)) + TRACEBACK)
    with open(path, "rb") as handle:
        part = split.reduce_parts(handle.fileno(), split.part_starts(path.stat().st_size, reader.CHUNK_BYTES), reader.CHUNK_BYTES, markers)
    part = part._replace(states={end: (base, number + 1, index) for end, (base, number, index) in part.states.items()})
    alone, helped, helper = reduced_both_ways(path, markers, part)
    same(alone, helped)
    assert not helper.taken


def test_a_helper_that_fails_leaves_the_reading_to_this_process(matcher, markers, forks, monkeypatch):
    def broken(*args):
        raise MemoryError

    expected = records(matcher, markers, [str(ROOT / "sample_logs")])
    monkeypatch.setattr(split, "reduce_parts", broken)
    assert records(matcher, markers, [str(ROOT / "sample_logs")]) == expected
    assert forks
    assert reaped(forks)


def helped(path, markers) -> bool:
    """Whether a helper is started for the log at ``path`` (and ended unasked, as the run ends)."""
    source = open_log(str(path))
    try:
        with split.helper_for(source, markers) as helper:
            return helper is not None
    finally:
        source.close()


def test_a_helper_whose_answer_is_not_needed_is_ended(tmp_path, markers, forks):
    path = tmp_path / "log.txt"
    path.write_text("".join(f"step {i} loss 0.5\n" for i in range(2000)))
    assert helped(path, markers)  # the run ends before it asks the helper anything
    assert reaped(forks)


def test_no_helper_for_a_log_of_one_part_or_a_compressed_one_or_with_one_core(tmp_path, markers, forks, monkeypatch):
    text = "".join(f"step {i} loss 0.5\n" for i in range(2000)) + TRACEBACK
    small = tmp_path / "small.log"
    small.write_text(TRACEBACK)
    packed = tmp_path / "packed.log.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    plain = tmp_path / "plain.log"
    plain.write_text(text)
    assert not helped(small, markers) and not helped(packed, markers)
    monkeypatch.setattr(split, "available_cores", lambda: 1)  # a CPU set of one core
    assert not helped(plain, markers)
    assert not forks


HELD_UP = """
import os, sys, time
import philly_triage._internal.pipeline.read as reader
import philly_triage._internal.pipeline.split as split
split.SPLIT_MIN_BYTES = 0
split.PART_MIN_CHUNKS = 1
reader.CHUNK_BYTES = 4096
import philly_triage._internal.pipeline.scan as scan
scan.ONE_WINDOW = 0
part = split.reduce_parts
def slow(*args):
    print("helper", os.getpid(), flush=True)
    time.sleep(60)
    return part(*args)
split.reduce_parts = slow
sys.argv = ["triage", "classify", "--full", "-f", "jsonl", sys.argv[1]]
from philly_triage._internal.cli.main import main
main()
"""


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_the_helper_ends_with_its_run(tmp_path, how):
    """The run is stopped while its helper works: by SIGTERM to the whole process group, as a
    scheduler stops a job (the helper ignores it, and the run ends it), or by SIGKILL to the run
    alone (the helper dies with it)."""
    log = tmp_path / "job.log"
    log.write_text("".join(f"step {i} loss 0.5\n" for i in range(20_000)) + TRACEBACK)
    run = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HELD_UP), str(log)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT,
    )
    try:
        line = run.stdout.readline()
        assert line.startswith("helper "), line + run.stderr.read()
        helper = int(line.split()[1])
        if how == signal.SIGTERM:
            os.killpg(run.pid, signal.SIGTERM)
            assert run.wait(timeout=30) == 143
        else:
            run.kill()
            run.wait(timeout=30)
        deadline = time.monotonic() + 10
        while _alive(helper) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(helper)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended and waiting for init to reap it, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_helper_reaped_by_the_system_leaves_the_reading_to_this_process(matcher, markers, forks, monkeypatch):
    """With SIGCHLD ignored, the system reaps the helper and how it ended is not known: its
    findings are not used, and every record is still right (none says internal error)."""
    expected = records(matcher, markers, [str(ROOT / "sample_logs")])
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert records(matcher, markers, [str(ROOT / "sample_logs")]) == expected
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert forks
