"""The tail keeper (pipeline/tail.py): a stream kept as its head and tail in bounded memory, written
as a log whose record, renumbered and renamed, is the record of the whole stream in a file."""

from __future__ import annotations

import gzip
import os
from dataclasses import replace

import pytest

from philly_triage._internal.pipeline.cost import HEAD_BYTES
from philly_triage._internal.pipeline.scan import GROWTH, MAX_WINDOW
from philly_triage._internal.pipeline.tail import READ_BYTES, TAIL_BYTES, KeptLog, TailKeeper, classify_kept
from philly_triage.models import Status

OOM_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "train.py", line 88, in <module>\n'
    "    loss = model(batch)\n"
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)\n"
)


def feed(keeper: TailKeeper, data: bytes, piece: int = 4096) -> TailKeeper:
    for start in range(0, len(data), piece):
        keeper.feed(data[start:start + piece])
    return keeper


def test_the_tail_is_the_widest_window_the_engine_reads_from_a_log_end():
    assert TAIL_BYTES >= MAX_WINDOW and TAIL_BYTES // GROWTH < MAX_WINDOW
    assert TAIL_BYTES == 16 << 20 and HEAD_BYTES == 256 << 10


def test_a_stream_that_fits_is_kept_whole(tmp_path):
    data = b"".join(b"line %d\r\n" % n for n in range(5000)) + b"no newline at the end"
    kept = feed(TailKeeper(head=1000, tail=len(data)), data, piece=777).write(str(tmp_path / "log"))
    assert (tmp_path / "log").read_bytes() == data
    assert (kept.skipped_lines, kept.skipped_bytes, kept.total_bytes) == (0, 0, len(data))


@pytest.mark.parametrize("piece", [1, 100, 4096, 10 ** 6])
def test_every_kept_line_keeps_its_number_in_the_stream(tmp_path, piece):
    lines = [b"line %d %s" % (n, b"x" * (n % 37)) for n in range(1, 20001)]
    data = b"\n".join(lines) + b"\n"
    kept = feed(TailKeeper(head=1000, tail=50_000), data, piece).write(str(tmp_path / "log"))
    written = (tmp_path / "log").read_bytes().split(b"\n")[:-1]
    assert kept.skipped_bytes + len(b"".join(w + b"\n" for w in written)) == len(data) == kept.total_bytes
    for index, line in enumerate(written, start=1):
        number = index if index <= kept.head_lines else index + kept.skipped_lines
        assert lines[number - 1] == line
    assert written[-1] == lines[-1] and written[0] == lines[0]
    assert 0 < kept.head_lines < 100 and len(written) - kept.head_lines > 1000


def test_memory_stays_bounded_however_long_the_stream():
    keeper = TailKeeper()
    piece = b"step 1 loss 0.25 " * 3000 + b"\n"
    for _ in range((60 << 20) // len(piece) + 1):
        keeper.feed(piece)
        assert len(keeper.head) <= HEAD_BYTES and keeper.tail_size <= TAIL_BYTES + len(piece)
    assert keeper.total > 60 << 20 and keeper.dropped_lines > 0


def test_a_piece_longer_than_the_tail_keeps_its_end(tmp_path):
    keeper = TailKeeper(head=10, tail=100)
    keeper.feed(b"0123456789" + b"a\n" * 1000 + b"END\n")
    kept = keeper.write(str(tmp_path / "log"))
    assert (tmp_path / "log").read_bytes().endswith(b"a\nEND\n")
    # the head (0..9) has no whole line; the tail's first line may be cut, so it goes too: 952 + 1 lines
    assert kept.head_lines == 0 and kept.skipped_lines == 1000 - 48 + 1
    assert READ_BYTES == 1 << 16


def test_a_long_stream_gets_the_record_of_the_same_bytes_in_a_file(tmp_path, classifier):
    progress = b"".join(b"2026-12-04 10:%02d:%02d epoch 3 step %d loss 0.%d\n" % (n // 60 % 60, n % 60, n, n % 9)
                        for n in range(400_000))
    data = b"2026-12-04 09:00:00 starting training\n" + progress + OOM_TRACEBACK.encode()
    assert len(data) > HEAD_BYTES + TAIL_BYTES
    (tmp_path / "whole.log").write_bytes(data)
    from_file = classifier.classify(str(tmp_path / "whole.log"))
    from_stream = classify_kept(classifier, feed(TailKeeper(), data, READ_BYTES), "the-stream")
    assert from_stream.status == Status.CLASSIFIED and from_stream.category == "gpu_out_of_memory"
    assert from_stream.line == from_file.line == data.count(b"\n")
    note = from_stream.notes[-1]
    assert note.startswith("the-stream: a stream of ") and "were not kept" in note
    renamed = replace(from_file, job="the-stream", file="the-stream", notes=from_file.notes + (note,))
    assert from_stream == renamed


def test_a_compressed_stream_too_long_to_keep_is_an_error_record(classifier):
    data = gzip.compress(os.urandom(200_000))  # does not compress: the archive stays long
    with KeptLog(feed(TailKeeper(head=1000, tail=50_000), data)) as log:
        record = log.restore(classifier.classify(log.job), "big.gz")
    assert record.status == Status.ERROR and record.job == "big.gz" and "zcat" in record.reason


def test_a_short_compressed_stream_is_read_as_a_compressed_file_would_be(classifier):
    with KeptLog(feed(TailKeeper(), gzip.compress(OOM_TRACEBACK.encode()))) as log:
        record = log.restore(classifier.classify(log.job), "oom.gz")
    assert (record.job, record.file, record.category, record.line) == ("oom.gz", "oom.gz", "gpu_out_of_memory", 4)
