"""The compiled byte counter gives bytes.count's answers, and is built where CI installs triage."""

from __future__ import annotations

import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from philly_triage._internal.pipeline import native

REQUIRE = os.environ.get("TRIAGE_REQUIRE_NATIVE") == "1"


def test_the_native_counter_is_built_where_ci_requires_it():
    if not native.NATIVE:
        if REQUIRE:
            pytest.fail("_philly_triage_native is not importable: the install did not compile native/triage_native.c")
        pytest.skip("the C counter was not compiled here (no C compiler at install): Python's bytes.count is used")
    import _philly_triage_native

    assert _philly_triage_native.count(b"a\nb\n\n", 10) == 3


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.integers(-350, 350), st.integers(-350, 350))
def test_counts_agree_with_bytes_count_for_any_slice(data, start, end):
    expected = data[start:end].count(b"\n")
    assert native.count_newlines(data, *_slice(data, start, end)) == expected
    assert native.count_newlines(bytearray(data), *_slice(data, start, end)) == expected


def _slice(data: bytes, start: int, end: int) -> tuple[int, int]:
    return slice(start, end).indices(len(data))[:2]


def test_a_large_buffer_past_one_block():
    data = (b"x" * 70_000 + b"\n") * 5 + b"tail"
    assert native.count_newlines(data) == 5
    assert native.count_newlines(data, 70_001) == 4
    assert native.count_newlines(memoryview(data), 0, 140_002) == 2


@pytest.mark.skipif(not native.NATIVE, reason="the C counter was not compiled here")
def test_the_c_function_takes_slices_as_python_does():
    import _philly_triage_native as c

    data = b"\n" * 10
    assert c.count(data, 10, -3) == 3
    assert c.count(data, 10, 2, -2) == 6
    assert c.count(data, 10, 8, 4) == 0
    assert c.count(data, 10, 0, 1000) == 10
    with pytest.raises(ValueError):
        c.count(data, 256)
    with pytest.raises(TypeError):
        c.count("text", 10)


def test_without_the_c_counter_python_gives_the_same_counts(monkeypatch):
    monkeypatch.setattr(native, "_count", None)
    data = b"a\n\nb\nc"
    assert native.count_newlines(data) == 3
    assert native.count_newlines(data, 2, 5) == 2
    assert native.count_newlines(memoryview(data), 1, 3) == 2


RAW = st.lists(st.sampled_from([b"a", b"xyz", b" ", b"\t", b"\x0b", b"\x0c", b"\n", b"\r", b"\r\n", b"\xc3\xa9", b"\x00"]),
               max_size=60).map(b"".join)


@pytest.mark.skipif(not native.NATIVE, reason="the C loops were not compiled here")
@settings(max_examples=400, deadline=None)
@given(RAW, st.integers(1, 10**6))
def test_the_c_segmenter_cuts_a_window_as_python_does(raw, first):
    from philly_triage._internal.pipeline.lines import _segment_in_python
    from philly_triage._internal.pipeline.prefilter import lines_of

    numbers, starts, ends, longest = (memoryview(packed).cast("q").tolist() if isinstance(packed, bytes) else packed
                                      for packed in native.native_segment(raw, first))
    expected = _segment_in_python(raw, first)
    assert (numbers, starts, ends) == (expected.numbers, expected.starts, expected.ends) and expected.raw is raw
    assert longest == max((end - start for start, end in zip(starts, ends)), default=0)
    hits = sorted({offset for offset in range(0, len(raw), 3)} | set(starts))
    assert native.native_lines_of(hits, struct.pack(f"{len(starts)}q", *starts)) == lines_of(hits, starts)


@pytest.mark.skipif(not native.NATIVE, reason="the C loops were not compiled here")
def test_an_over_long_line_is_cut_the_same_way_in_c():
    from philly_triage._internal.pipeline.lines import MAX_LINE_BYTES, _segment, _segment_in_python

    raw = b"short\n" + b"p" * (MAX_LINE_BYTES + 10) + b"\rdone\n"
    got, expected = _segment(raw, 3), _segment_in_python(raw, 3)
    assert (got.raw, got.numbers, got.starts, got.ends) == (expected.raw, expected.numbers, expected.starts, expected.ends)
    assert [got.bytes_of(i) for i in range(len(got))] == [b"short", b"p" * MAX_LINE_BYTES, b"done"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"b", b" ", b"\n", b"\r", b"\r\n", b"\t"]), max_size=200),
       st.lists(st.integers(0, 10_000), max_size=30))
def test_line_starts_agree_with_the_python_loop(pieces, picks):
    from philly_triage._internal.pipeline.reduce import line_starts

    data = b"".join(pieces)
    offsets = sorted(pick % (len(data) + 1) for pick in picks)  # a search's matches come in order
    if not native.NATIVE:
        pytest.skip("the C loops were not compiled here")
    assert native.native_line_starts(data, offsets) == line_starts(data, offsets)
    assert native.native_line_starts(bytearray(data), offsets) == line_starts(data, offsets)


def test_line_starts_refuse_an_offset_outside_the_buffer():
    if not native.NATIVE:
        pytest.skip("the C loops were not compiled here")
    with pytest.raises(ValueError):
        native.native_line_starts(b"abc", [4])
    with pytest.raises(TypeError):
        native.native_line_starts(b"abc", None)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"b", b" ", b"\n", b"\r", b"\r\n", b"\t", b"\x0b", b"\x0c", b"\n\n"]), max_size=200),
       st.integers(0, 10_000), st.integers(0, 40))
def test_the_walks_agree_with_the_python_ones(pieces, pick, lines):
    from philly_triage._internal.pipeline.reduce import back_in_python, forward_in_python, line_end_in_python

    if native.native_walks is None:
        pytest.skip("the C loops were not compiled here")
    segment_end, back, forward = native.native_walks
    data = b"".join(pieces)
    position = pick % (len(data) + 1)
    assert segment_end(data, position) == line_end_in_python(data, position)
    assert forward(data, position, lines) == forward_in_python(data, position, lines)
    assert forward(data, position + 1, lines) == forward_in_python(data, position + 1, lines)
    start = position if position == 0 or data[position - 1:position] in (b"\n", b"\r") else 0
    assert back(data, start, lines) == back_in_python(data, start, lines)
    assert back(bytearray(data), start, lines) == back_in_python(data, start, lines)


def test_the_walks_refuse_a_position_before_the_buffer():
    if native.native_walks is None:
        pytest.skip("the C loops were not compiled here")
    segment_end, back, forward = native.native_walks
    for walk, args in ((segment_end, ()), (back, (1,)), (forward, (1,))):
        with pytest.raises(ValueError):
            walk(b"abc", -1, *args)


def test_the_walks_on_lines_and_carriage_return_segments():
    if native.native_walks is None:
        pytest.skip("the C loops were not compiled here")
    segment_end, back, forward = native.native_walks
    data = b"one\n\n  \ntwo\rthree\nfour"
    assert segment_end(data, 0) == 3
    assert segment_end(data, 8) == 11  # "two" ends at its carriage return
    assert segment_end(data, 19) == len(data)
    assert back(data, 18, 1) == 12  # "three", a segment of the line "two\rthree"
    assert back(data, 18, 3) == 0  # blank lines are not counted
    assert forward(data, 0, 2) == 12  # past "one" and "two"
    assert forward(data, 12, 5) == len(data)


@pytest.mark.skipif(not native.NATIVE, reason="the C loops were not compiled here")
def test_a_window_reads_the_same_lines_and_candidates_without_the_c_loops(markers, monkeypatch):
    """ByteLines over the C segmenter (segments sliced from the window when asked for, matches
    mapped to lines in C) and over Python's lists: the same lines, numbers, offsets and candidates."""
    from philly_triage._internal.pipeline import lines
    from tests.conftest import ROOT

    def read(raw):
        view = lines.ByteLines(raw, markers, 7)
        return ([view[i] for i in range(len(view))], [view.offset_of(view[i].number) for i in range(len(view))],
                view.candidates, view.find_evidence(0, len(view), True, 3), [view.raw_of(i) for i in range(len(view))])

    windows = [path.read_bytes()[-16384:] for path in sorted((ROOT / "sample_logs").rglob("*.txt"))[:20]]
    windows.append(b"a\r\rb\n\n  \nTraceback (most recent call last):\r\x00ValueError: x\n")
    with_c = [read(raw) for raw in windows]
    monkeypatch.setattr(lines, "native_segment", None)
    assert [read(raw) for raw in windows] == with_c
