"""Opening a file that must be regular: never blocking on a FIFO, never reading more than asked."""

from __future__ import annotations

import os

import pytest

from philly_triage._internal.pipeline.regular_file import NotRegularFile, open_regular, read_regular


def test_a_regular_file_opens_with_its_size(tmp_path):
    (tmp_path / "a.log").write_bytes(b"hello\n")
    handle, info = open_regular(str(tmp_path / "a.log"))
    with handle:
        assert handle.read() == b"hello\n" and info.st_size == 6


def test_a_fifo_or_a_directory_is_refused_by_kind(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile) as raised:
        open_regular(str(tmp_path / "pipe"))  # no writer: a blocking open would hang here
    assert str(raised.value) == "a FIFO, not a regular file"
    with pytest.raises(NotRegularFile) as raised:
        open_regular(str(tmp_path))
    assert raised.value.kind == "a directory"


def test_read_regular_reads_one_byte_past_the_limit_to_say_it_is_larger(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 100)
    assert read_regular(str(tmp_path / "big"), 10) == b"x" * 11
    assert read_regular(str(tmp_path / "big"), 1000) == b"x" * 100
