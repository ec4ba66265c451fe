"""Numbered lines of a log as a person sees them (analysis/excerpt.py), for `explain` and the report."""

from __future__ import annotations

import gzip

from philly_triage._internal.analysis.excerpt import ExcerptLine, read_excerpt

LOG = "".join(f"line {number}\n" for number in range(1, 11))


def lines(path, first, last):
    return [(line.number, line.text) for line in read_excerpt(str(path), first, last)]


def test_the_lines_asked_for_numbered_as_grep_numbers_them(tmp_path):
    path = tmp_path / "a.log"
    path.write_text(LOG)
    assert lines(path, 3, 5) == [(3, "line 3"), (4, "line 4"), (5, "line 5")]
    assert read_excerpt(str(path), 10, 10) == [ExcerptLine(10, "line 10")]


def test_out_of_range_asks_give_what_there_is(tmp_path):
    path = tmp_path / "a.log"
    path.write_text(LOG + "no newline at the end")
    assert lines(path, -4, 2) == [(1, "line 1"), (2, "line 2")]
    assert lines(path, 10, 99) == [(10, "line 10"), (11, "no newline at the end")]
    assert lines(path, 5, 4) == []
    assert lines(path, 50, 60) == []
    assert lines(tmp_path / "missing.log", 1, 3) == []


def test_a_line_shows_as_a_terminal_would_show_it(tmp_path):
    path = tmp_path / "a.log"
    path.write_bytes(
        b"epoch 1\r\n"  # a Windows line end
        b" 10%|#    | 1/10\r 50%|#####| 5/10\r100%|#####| 10/10\r  \n"  # a progress bar: its last drawing
        b"\x1b[31mRuntimeError: boom\x1b[0m   \n"  # colour codes and trailing spaces gone
        b"nul\x00 byte and caf\xc3\xa9 and \xff\n"  # NUL dropped, bad UTF-8 replaced
    )
    assert lines(path, 1, 4) == [
        (1, "epoch 1"), (2, "100%|#####| 10/10"), (3, "RuntimeError: boom"), (4, "nul byte and caf\u00e9 and \ufffd"),
    ]


def test_a_compressed_log_is_read_as_its_text(tmp_path):
    path = tmp_path / "stderr.txt.gz"
    path.write_bytes(gzip.compress(LOG.encode()))
    assert lines(path, 9, 12) == [(9, "line 9"), (10, "line 10")]


def test_a_utf16_log_is_read_as_its_text(tmp_path):
    path = tmp_path / "stderr.txt"
    path.write_bytes(LOG.encode("utf-16"))
    assert lines(path, 1, 2) == [(1, "line 1"), (2, "line 2")]
