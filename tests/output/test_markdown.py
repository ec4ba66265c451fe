"""Markdown building blocks (output/markdown.py) shared by the markdown format and the stats view:
log text as one-line code spans that survive pipes and backticks, and GFM tables."""

from __future__ import annotations

from philly_triage._internal.output.markdown import MAX_CELL, code, one_line, plural, table
from tests.formatting import tables


def test_plural():
    assert (plural(0, "failure"), plural(1, "failure"), plural(3, "job")) == ("0 failures", "1 failure", "3 jobs")


def test_one_line_joins_lines_and_shows_controls():
    assert one_line("a\r\nb\n\nc\rd") == "a b c d"
    assert one_line("bell\x07 esc\x1b[31m del\x7f tab\tkept") == "bell\ufffd esc\ufffd[31m del\ufffd tab\tkept"
    assert MAX_CELL == 300
    assert one_line("x" * 300) == "x" * 300
    assert one_line("x" * 301) == "x" * 299 + "…"


def test_code_spans_outlast_the_backticks_they_hold():
    assert code("") == ""
    assert code("KeyError: 'lr'") == "`KeyError: 'lr'`"
    assert code("a `b` c") == "``a `b` c``"
    assert code("``x``") == "``` ``x`` ```"  # padded: it starts and ends with a backtick
    assert code(" x") == "`  x `"  # padded: it starts with a space
    assert code("a | b") == "`a \\| b`"  # a pipe would split the row


def test_a_table_reads_back_with_its_cells():
    text = table(("Name", "Jobs", "Share"), [(code("a | b"), "3", "75.0%"), (code("`c`"), "1", "25.0%")], numeric=2)
    assert text.splitlines()[1] == "| --- | ---: | ---: |"
    assert tables(text) == [[["Name", "Jobs", "Share"], ["a | b", "3", "75.0%"], ["`c`", "1", "25.0%"]]]
