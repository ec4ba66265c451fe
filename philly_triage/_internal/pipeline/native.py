"""The loops triage runs in C when the optional extension was built, else in Python.

The extension (``_philly_triage_native``, from native/triage_native.c) is compiled when triage is
installed, where a C compiler is found. It counts a byte about five times faster than bytes.count
(releasing the GIL), and cuts a window into lines and carriage-return segments (``native_segment``)
and maps a search's matches to them (``native_lines_of``), both used by pipeline/lines.py. For a
log read whole (pipeline/reduce.py) it finds the starts of the segments that hold a search's
matches (``native_line_starts``) and walks between separators (``native_walks``: the end of a
segment, some lines back, some lines forward). Both ways give the same answers
(tests/pipeline/test_native.py).
"""

from __future__ import annotations

from typing import Optional, Union

try:
    from _philly_triage_native import count as _count
    from _philly_triage_native import line_starts as native_line_starts  # see pipeline/reduce.py, _lines_found
    from _philly_triage_native import segment as native_segment  # see pipeline/lines.py, _segment
    from _philly_triage_native import lines_of as native_lines_of  # see pipeline/lines.py, Segments
    from _philly_triage_native import back, forward, segment_end
except ImportError:  # not compiled here: the same answers, from Python
    _count = native_line_starts = native_segment = native_lines_of = None
    native_walks = None
else:  # (segment_end, back, forward): see pipeline/reduce.py, _line_end, _back and _forward
    native_walks = (segment_end, back, forward)

Buffer = Union[bytes, bytearray, memoryview]
NATIVE = _count is not None
NEWLINE = 10


def count_newlines(data: Buffer, start: int = 0, end: Optional[int] = None) -> int:
    """How many b"\\n" bytes ``data[start:end]`` holds."""
    stop = len(data) if end is None else end
    if _count is not None:
        return _count(data, NEWLINE, start, stop)
    if isinstance(data, memoryview):
        return data[start:stop].tobytes().count(b"\n")
    return data.count(b"\n", start, stop)
