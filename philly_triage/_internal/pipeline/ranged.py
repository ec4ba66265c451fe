"""An object in a store read by ranged requests, as a binary file, and a count of the bytes fetched.

``RangedFile`` fetches only the byte ranges asked for (one ranged GET each), keeps the last block
it read so that a window widened towards the start of a log only fetches what is new, and
remembers the end of the last RECENT objects it closed, so that the other steps of a job (its
stage, the check of its other files) read them again without a request. What it fetched is
counted per process (``bytes_read``): the engine hands each job's share to the command, which
says "read 98.3 kB of 5.0 GB from the store".
"""

from __future__ import annotations

import threading
from typing import Optional

from philly_triage._internal.pipeline.storage import filesystem, object_key, retried

CACHE_BYTES = 16 << 20  # the most a RangedFile keeps of what it read (scan.py's windows stay under 8 MB)
RECENT = 16  # objects remembered
RECENT_BLOCK = 1 << 20  # the most of one object's bytes remembered
_recent: dict[str, tuple[int, int, bytes]] = {}  # URL: its size, and the start and bytes of its last block
_counts = {"read": 0, "seen": 0, "objects": 0}  # bytes fetched, sizes of the objects opened, objects opened
_lock = threading.Lock()


def read_bytes(url: str, limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes of the object at ``url`` (one more says that it is larger)."""
    handle = RangedFile(url)
    with handle:
        return handle.read(limit + 1)


def bytes_read() -> tuple[int, int, int]:
    """What this process fetched so far: bytes read, the sizes of the objects opened, objects opened."""
    return _counts["read"], _counts["seen"], _counts["objects"]


def _count(read: int = 0, seen: int = 0, objects: int = 0) -> None:
    with _lock:
        _counts["read"] += read
        _counts["seen"] += seen
        _counts["objects"] += objects


class RangedFile:
    """An object read by ranged requests, as a binary file with seek and read. Opening it asks the
    store for its size (raise OSError with the store's message when it is missing or denied)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fs = filesystem(url)
        self.key = object_key(url, self.fs)
        self.position = 0
        self.closed = False
        with _lock:
            known = _recent.pop(url, None)
        if known is not None:  # opened just before, by another step of the same job
            self.size, self._start, self._data = known
            return
        info = retried(lambda: self.fs.info(self.key))
        if info.get("type") == "directory":
            raise IsADirectoryError("a directory (a prefix), not an object")
        self.size = int(info.get("size") or 0)
        self._start, self._data = 0, b""  # the last block read: bytes start..start+len(data)-1
        _count(seen=self.size, objects=1)

    def seek(self, position: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.position, 2: self.size}[whence]
        self.position = max(0, base + position)
        return self.position

    def tell(self) -> int:
        return self.position

    def read(self, size: int = -1) -> bytes:
        start = self.position
        stop = self.size if size is None or size < 0 else min(self.size, start + size)
        if stop <= start:
            return b""
        data = self._range(start, stop)
        self.position = start + len(data)
        return data

    def _range(self, start: int, stop: int) -> bytes:
        """Bytes start..stop-1, fetching only what the kept block does not hold."""
        have_start, have_stop = self._start, self._start + len(self._data)
        if self._data and start < have_stop and stop > have_start:
            before = self._fetch(start, have_start) if start < have_start else b""
            after = self._fetch(have_stop, stop) if stop > have_stop else b""
            block = before + self._data + after
            block_start = min(start, have_start)
        else:
            block, block_start = self._fetch(start, stop), start
        if len(block) <= CACHE_BYTES:
            self._start, self._data = block_start, block
        return block[start - block_start:stop - block_start]

    def _fetch(self, start: int, stop: int) -> bytes:
        data = retried(lambda: self.fs.cat_file(self.key, start=start, end=stop))
        _count(read=len(data))
        if len(data) > stop - start:  # a web server that ignores Range sends the whole object
            data = data[start:stop] if len(data) >= self.size else data[:stop - start]
        return data

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        data, start = self._data, self._start
        if len(data) > RECENT_BLOCK:  # keep its end: the end of a log is what is read again
            start, data = start + len(data) - RECENT_BLOCK, data[-RECENT_BLOCK:]
        with _lock:
            _recent[self.url] = (self.size, start, data)
            while len(_recent) > RECENT:
                del _recent[next(iter(_recent))]
        self._data = b""

    def __enter__(self) -> "RangedFile":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def human_bytes(count: int) -> str:
    """1.2 MB, 5.0 GB, 812 B (powers of 1000, as stores bill them)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


def describe_read(read: int, seen: int, objects: int) -> Optional[str]:
    """'read 1.2 MB of 5.0 GB (3 objects)' when objects were read from a store, else None."""
    if not objects:
        return None
    noun = "object" if objects == 1 else "objects"
    return f"read {human_bytes(read)} of {human_bytes(seen)} from the store ({objects} {noun})"
