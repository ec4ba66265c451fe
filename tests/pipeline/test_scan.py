"""Reading as little as needed: the tail-first reading and the whole-log reduction give the same
answers as reading everything, on every labelled log, with both search engines.

Windows and chunks are shrunk here to a few hundred bytes, so that every labelled log crosses
many window widenings, chunk boundaries and carried-over tails.
"""

from __future__ import annotations

import gzip
import os

import pytest

import philly_triage._internal.pipeline.read as reader
import philly_triage._internal.pipeline.scan as scan
import philly_triage._internal.pipeline.reduce as sparse
from philly_triage._internal.pipeline.verdict import classify_text
from philly_triage._internal.pipeline.engine import Classifier, Options
from philly_triage._internal.catalogue.markers import load_markers
from philly_triage.models import Status
from tests.conftest import DATA, ROOT

LABELLED = [str(ROOT / "sample_logs"), str(DATA / "heldout")]
TRACEBACK = 'Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n    main()\nKeyError: \'label\'\n'


def records(matcher, markers, paths=LABELLED, full=False):
    return [r.to_dict() for r in Classifier(matcher.catalogue, Options(full=full), markers).classify_many(paths)]


@pytest.fixture(scope="module")
def expected(matcher, markers):
    return records(matcher, markers)


@pytest.fixture(autouse=True)
def reduced(monkeypatch):
    """Under --full, every log here is reduced chunk by chunk, however small (as a plain log over
    scan.ONE_WINDOW is); test_full_reads_a_small_plain_log_as_one_window undoes it."""
    monkeypatch.setattr(scan, "ONE_WINDOW", 0)


@pytest.mark.parametrize(
    "full,chunk,window",
    [(True, 4 << 20, 16 << 10), (True, 4096, 16 << 10), (True, 700, 16 << 10), (False, 4 << 20, 512), (False, 4 << 20, 160)],
    ids=["whole", "whole-4k-chunks", "whole-700b-chunks", "tail-512b-windows", "tail-160b-windows"],
)
def test_reading_less_gives_the_same_records(full, chunk, window, expected, matcher, markers, monkeypatch):
    monkeypatch.setattr(reader, "CHUNK_BYTES", chunk)
    monkeypatch.setattr(scan, "FIRST_WINDOW", window)
    monkeypatch.setattr(scan, "MAX_WINDOW", 16 * window)
    assert records(matcher, markers, full=full) == expected


def test_full_reads_a_small_plain_log_as_one_window(expected, matcher, markers, monkeypatch):
    """Every line at once, with the records of the tail-first reading; only compressed and UTF-16
    logs, which can only be read forwards, are reduced."""
    monkeypatch.setattr(scan, "ONE_WINDOW", scan.MAX_WINDOW)
    reduce_whole = scan._read_whole
    reduced: list[bool] = []

    def counted(source, markers):
        reduced.append(source.seekable)
        return reduce_whole(source, markers)

    monkeypatch.setattr(scan, "_read_whole", counted)
    assert records(matcher, markers, full=True) == expected
    assert reduced and not any(reduced)


@pytest.mark.parametrize("full", [False, True])
def test_the_pure_python_engine_gives_the_same_records(full, expected, matcher, monkeypatch):
    monkeypatch.setenv("TRIAGE_ENGINE", "re")
    assert records(matcher, load_markers(), full=full) == expected


def write(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def only(matcher, markers, path, full=False):
    (record,) = Classifier(matcher.catalogue, Options(full=full), markers).classify_many([path])
    return record


def test_a_failure_at_the_end_of_a_long_log_has_its_real_line_number(tmp_path, matcher, markers):
    progress = "".join(f"epoch 1 step {i} loss 0.{i % 97:02d}\n" for i in range(60_000))
    path = write(tmp_path / "long.log", progress + TRACEBACK)
    for full in (False, True):
        record = only(matcher, markers, path, full)
        assert (record.message, record.line) == ("KeyError: 'label'", 60_004)


def test_a_failure_far_before_the_end_is_found(tmp_path, matcher, markers, monkeypatch):
    """Only other processes' reports after the failure: the window widens, then the log is read whole."""
    monkeypatch.setattr(scan, "MAX_WINDOW", 64 << 10)
    tail = "".join(f"[rank{i % 8}]: NCCL INFO comm 0x{i:x} rank {i % 8} nranks 8 - Abort COMPLETE\n" for i in range(20_000))
    head = "".join(f"step {i} loss 0.5\n" for i in range(100))
    path = write(tmp_path / "far.log", head + TRACEBACK + tail + "watchdog thread terminated with exception\n")
    record = only(matcher, markers, path)
    assert (record.message, record.line) == ("KeyError: 'label'", 104)


def test_a_line_of_many_megabytes_is_cut_not_loaded(tmp_path, matcher, markers):
    bar = "\r".join(f" {i % 100}%|#####     | {i}/99999 [00:01<00:02, 9.9it/s]" for i in range(100_000))
    endless = "x" * (3 << 20)  # no newline, no carriage return
    path = write(tmp_path / "bars.log", "start\n" + bar + "\n" + endless + "\n" + TRACEBACK)
    for full in (False, True):
        record = only(matcher, markers, path, full)
        assert (record.message, record.line) == ("KeyError: 'label'", 7)


def test_a_failure_inside_one_huge_carriage_return_line_reads_alike_every_way(tmp_path, matcher, markers):
    """Found by the fuzz test: a window that begins inside a long line must see its segments as a
    view of the whole line does."""
    text = "epoch 1 step 5 loss 0.42\r" * 2000 + "ValueError: bad\r" + "Saving checkpoint to /ckpt/x\r" * 2000
    path = write(tmp_path / "cr.log", text)
    as_text = classify_text(text, matcher, markers)
    for full in (False, True):
        record = only(matcher, markers, path, full)
        assert (record.status, record.line, record.message) == (as_text.status, as_text.line, as_text.message)
    assert (as_text.status, as_text.line) == (Status.CLASSIFIED, 1)


def test_a_compressed_log_is_read_whole_and_keeps_its_line_numbers(tmp_path, matcher, markers, monkeypatch):
    monkeypatch.setattr(reader, "CHUNK_BYTES", 1000)
    path = tmp_path / "job.log.gz"
    path.write_bytes(gzip.compress(("step 1 loss 0.5\n" * 5000 + TRACEBACK).encode()))
    record = only(matcher, markers, str(path))
    assert (record.message, record.line) == ("KeyError: 'label'", 5004)


def test_a_log_dense_with_failures_keeps_the_latest_and_says_so(tmp_path, matcher, markers, monkeypatch):
    monkeypatch.setattr(sparse, "MAX_HELD_BYTES", 20_000)
    monkeypatch.setattr(reader, "CHUNK_BYTES", 8192)
    lines = "".join(f"ERROR: request {i} failed\n" for i in range(5000))
    path = write(tmp_path / "dense.log", lines + TRACEBACK)
    record = only(matcher, markers, path, full=True)
    assert (record.message, record.line) == ("KeyError: 'label'", 5004)
    assert any("too many possible failures" in note for note in record.notes)


def test_a_log_that_completed_after_a_survived_error_has_no_failure(tmp_path, matcher, markers):
    survived = "RuntimeError: transient\n" + "".join(f"epoch 2 step {i} loss 0.4\n" for i in range(50_000))
    path = write(tmp_path / "ok.log", survived + "Training completed\n")
    for full in (False, True):
        assert only(matcher, markers, path, full).status is Status.NO_FAILURE


def test_empty_and_whitespace_logs(tmp_path, matcher, markers):
    assert only(matcher, markers, write(tmp_path / "blank.log", "\n \n\t\n")).status is Status.NO_FAILURE
    empty = only(matcher, markers, write(tmp_path / "empty.log", ""))
    assert empty.status is Status.NO_FAILURE and empty.notes == (f"{tmp_path / 'empty.log'}: empty file",)
    assert os.path.getsize(tmp_path / "empty.log") == 0


def _log_files():
    return sorted(
        os.path.join(folder, name)
        for root in LABELLED
        for folder, _, names in os.walk(root)
        for name in names
        if not name.startswith(".")
    )


def test_a_log_read_whole_knows_where_its_failure_line_starts_as_one_read_from_its_end(markers, monkeypatch):
    """The stage and the other logs' times are read from that offset; read whole, a plain log
    gives the offset the tail-first reading gives (when the regions kept hold the line's start)."""
    monkeypatch.setattr(reader, "CHUNK_BYTES", 700)  # regions cut across many chunks
    known = 0
    for path in _log_files():
        tail, whole = scan.scan_log(path, markers), scan.scan_log(path, markers, full=True)
        if tail.located is None or whole.located is None or tail.located.failure.line != whole.located.failure.line:
            continue
        if whole.offset is not None:
            known += 1
            assert whole.offset == tail.offset, path
            with open(path, "rb") as log:  # the offset is the start of the failure's line
                data = log.read()
            assert data.count(b"\n", 0, whole.offset) + 1 == whole.located.failure.line, path
    assert known >= 50


def test_a_failure_on_the_first_line_of_a_region_gives_no_offset_rather_than_a_wrong_one(tmp_path, markers):
    # A carriage-return line: the region around the failure starts at a segment, not at the line's start.
    log = tmp_path / "job.log"
    log.write_bytes(b"ok\n" * 5 + b"progress 1%\rprogress 2%\r" + b"x" * 50 + b"\rRuntimeError: boom\n")
    whole = scan.scan_log(str(log), markers, full=True)
    tail = scan.scan_log(str(log), markers)
    assert whole.located is not None and whole.located.failure.line == 6
    assert whole.offset in (None, tail.offset)


def test_a_compressed_log_read_whole_has_no_offset(tmp_path, markers):
    log = tmp_path / "job.log.gz"
    log.write_bytes(gzip.compress(b"epoch 1\n" + TRACEBACK.encode()))
    found = scan.scan_log(str(log), markers)
    assert found.located is not None and found.offset is None  # offsets of the decompressed bytes are no file's
