"""Open a file that must be a regular file, without ever blocking on a FIFO.

Every file triage reads (logs, metadata, rule, stage, marker and expectation files) is opened by
``open_regular``: without blocking, and checked after it is open, so that a file swapped for a FIFO
between a check and the open cannot hang the run.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

# The kinds of file that are not regular, as notes and messages name them.
FILE_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a directory"), (stat.S_ISSOCK, "a socket"),
              (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


class NotRegularFile(OSError):
    """A path that opened as something other than a regular file (a FIFO, a directory, a device)."""

    def __init__(self, path: str, kind: str):
        super().__init__(f"{kind}, not a regular file")
        self.filename = path
        self.kind = kind

    def __str__(self) -> str:
        return f"{self.kind}, not a regular file"


def open_regular(path: str) -> tuple[BinaryIO, os.stat_result]:
    """Open ``path`` for reading without blocking, then check that what was opened is a regular
    file; raise OSError (NotRegularFile for a FIFO, a directory or a device).

    O_NONBLOCK makes the open of a FIFO return at once instead of waiting for a writer, and the
    check is made on the open descriptor (fstat), so no swap between a check and the open counts.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in FILE_KINDS if test(info.st_mode)), "a special file")
            raise NotRegularFile(path, kind)
        return os.fdopen(descriptor, "rb", buffering=0), info
    except BaseException:
        os.close(descriptor)
        raise


def read_regular(path: str, limit: int) -> bytes:
    """Up to ``limit`` + 1 bytes of the regular file at ``path`` (one more than ``limit`` says that
    it is larger); raise OSError as ``open_regular`` does."""
    handle, _ = open_regular(path)
    with handle:
        parts, size = [], 0
        while size <= limit:
            data = handle.read(limit + 1 - size)
            if not data:
                break
            parts.append(data)
            size += len(data)
        return b"".join(parts)
