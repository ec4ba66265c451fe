"""Count a byte in a buffer: in C when the optional extension was built, else with bytes.count.

The extension (``_philly_triage_native``, from native/triage_native.c) is compiled when triage is
installed, where a C compiler is found; it counts about five times faster and releases the GIL.
Both give the same counts (tests/pipeline/test_native.py).
"""

from __future__ import annotations

from typing import Union

try:
    from _philly_triage_native import count as _count
except ImportError:  # not compiled here: the same answer, from Python
    _count = None

Buffer = Union[bytes, bytearray, memoryview]
NATIVE = _count is not None
NEWLINE = 10


def count_newlines(data: Buffer, start: int = 0, end: int = None) -> int:  # type: ignore[assignment]
    """How many b"\\n" bytes ``data[start:end]`` holds."""
    stop = len(data) if end is None else end
    if _count is not None:
        return _count(data, NEWLINE, start, stop)
    if isinstance(data, memoryview):
        return data[start:stop].tobytes().count(b"\n")
    return data.count(b"\n", start, stop)
