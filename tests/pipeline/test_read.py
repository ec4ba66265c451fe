"""Reading logs: compression, encodings, colour codes, carriage returns, bad files."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os

import pytest

from philly_triage._internal.pipeline.lines import ByteLines
from philly_triage._internal.pipeline.read import LogError, open_log
from philly_triage._internal.pipeline.scan import scan_log
from tests.new_process import run_new

TEXT = "epoch 1\nTraceback (most recent call last):\nKeyError: 'x'\n"


class Log:
    """A whole log read forwards, as the reader hands it out, and the lines a view makes of it."""

    def __init__(self, path, markers):
        source = open_log(str(path))
        data = b"".join(source.chunks())
        source.close()
        self.notes = source.notes
        self.view = ByteLines(data, markers)
        self.lines = [self.view[i] for i in range(len(self.view))]


def read_log(path, markers):
    return Log(path, markers)


def texts(log):
    return [(line.number, line.text) for line in log.lines]


@pytest.mark.parametrize("opener,suffix", [(gzip.open, ".gz"), (bz2.open, ".bz2"), (lzma.open, ".xz")])
def test_compressed_logs_are_read_transparently(tmp_path, markers, opener, suffix):
    path = tmp_path / f"stderr.txt{suffix}"
    with opener(path, "wt") as handle:
        handle.write(TEXT)
    log = read_log(str(path), markers)
    assert texts(log) == [(1, "epoch 1"), (2, "Traceback (most recent call last):"), (3, "KeyError: 'x'")]


def test_truncated_gzip_keeps_what_came_before(tmp_path, markers):
    data = gzip.compress(("line\n" * 20000 + "KeyError: 'x'\n").encode())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(data[: len(data) // 2])
    log = read_log(str(path), markers)
    assert log.notes == ["compressed file is truncated; read what came before"]
    assert len(log.lines) > 1000
    assert log.lines and log.lines[0].text == "line"


def test_line_numbers_count_newlines_only(tmp_path, markers):
    path = tmp_path / "bar.log"
    path.write_bytes(b"start\n 10%|#  |\r 20%|## |\r 30%|###|\nKeyError: 'x'\r\n")
    log = read_log(str(path), markers)
    assert (4, "KeyError: 'x'") not in texts(log)
    assert texts(log)[-1] == (3, "KeyError: 'x'")
    assert {number for number, _ in texts(log)} == {1, 2, 3}


def test_ansi_codes_and_prefixes_are_removed(tmp_path, markers):
    path = tmp_path / "color.log"
    path.write_text("\x1b[31m2018-10-03 12:00:01 [rank3]: RuntimeError: boom\x1b[0m\n", encoding="utf-8")
    (line,) = read_log(str(path), markers).lines
    assert line.text == "RuntimeError: boom" and line.tag == "rank3"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_logs(tmp_path, markers, encoding):
    path = tmp_path / "win.log"
    path.write_bytes(TEXT.encode(encoding))
    assert texts(read_log(str(path), markers))[-1] == (3, "KeyError: 'x'")


def test_invalid_utf8_is_decoded_leniently(tmp_path, markers):
    path = tmp_path / "latin.log"
    path.write_bytes("caf\xe9\nKeyError: 'x'\n".encode("latin-1"))
    assert texts(read_log(str(path), markers)) == [(1, "caf\ufffd"), (2, "KeyError: 'x'")]


def test_binary_file_is_an_error_not_a_crash(tmp_path, markers):
    path = tmp_path / "model.pt"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(LogError, match="^binary file, not a text log$"):
        open_log(str(path))


def test_empty_file(tmp_path, markers):
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    scan = scan_log(str(path), markers)
    assert scan.error is None and scan.located is None and scan.notes == ("empty file",)


def test_fifo_is_not_opened(tmp_path, markers):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    assert scan_log(str(path), markers).error == "not a regular file"


def test_unreadable_file(tmp_path, markers, monkeypatch):
    path = tmp_path / "secret.log"
    path.write_text("x\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("os.open", refuse)  # the reader opens with os.open (non-blocking, then fstat)
    assert scan_log(str(path), markers).error == "cannot read: Permission denied"


# This test module has imported bz2 and lzma, which the reader imports only when a log is
# compressed, so that the start of a run is cheaper: these tests run triage in a new process.
NOT_AT_START = ("bz2", "lzma", "tempfile", "shutil", "difflib")


def _record_and_modules(path):
    """The record of ``path`` read by a new process, and which of NOT_AT_START the run loaded
    (``--format``: click imports difflib for a short option's name)."""
    out, loaded = run_new(["classify", "--format", "jsonl", "--jobs", "1", path], NOT_AT_START)
    return json.loads(out), loaded


def test_a_plain_log_is_read_without_importing_decompressors_or_temporary_files(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text(TEXT)
    record, imported = _record_and_modules(path)
    assert record["status"] == "classified" and record["line"] == 3
    assert imported == []


@pytest.mark.parametrize("compress,suffix", [(bz2.compress, ".bz2"), (lzma.compress, ".xz")])
def test_a_damaged_archive_read_in_a_fresh_process_keeps_what_came_before(tmp_path, compress, suffix):
    """The damage is caught although the decompressor's module was imported only to read this log."""
    data = bytearray(compress(("".join(f"step {i} loss 0.5\n" for i in range(20000)) + TEXT).encode()))
    middle = len(data) // 2
    data[middle:middle + 40] = bytes(40)
    path = tmp_path / ("log.txt" + suffix)
    path.write_bytes(bytes(data))
    record, imported = _record_and_modules(path)
    assert any("compressed file is damaged" in note for note in record["notes"]), record
    assert ("lzma" if suffix == ".xz" else "bz2") in imported
