"""A log that is an object in a store (a URL): opened for read.py's ``open_log``, read by ranges.

The object is never downloaded whole to be judged: scan.py reads its end in widening windows, and
each window fetches only the bytes the previous one did not (ranged.RangedFile keeps the last
block). A compressed log is read forwards, a range of COMPRESSED_INPUT bytes at a time, as a local
one is. What a local log does differently, and why:

- Line numbers. A local log read from its end numbers its failure line by counting the newlines
  before the window read, which reads the file whole at memory speed. For an object that would
  be the very download ranged reads avoid, so the newlines before the window are counted only
  while they are at most COUNT_LIMIT bytes (any log of a few megabytes gets exactly the numbers
  its local copy gets); past that, the numbers count from the window's first byte and a note on
  the record says from which byte (``--full`` reads the whole object and numbers every line).
- A size of 0 is an empty object (a store knows its objects' sizes: no spool as for /proc files).
"""

from __future__ import annotations

from philly_triage._internal.pipeline import ranged, storage
from philly_triage._internal.pipeline.read import LogError, LogSource

COUNT_LIMIT = 1 << 20  # bytes before a window that are read to count their lines


class ObjectLogSource(LogSource):
    """A LogSource over a store's object (its handle is a ranged.RangedFile)."""

    def count_newlines(self, stop: int) -> int:
        if stop <= COUNT_LIMIT:
            return super().count_newlines(stop)
        self.notes.append(
            f"line numbers count from byte {stop:,} of the object: the {ranged.human_bytes(stop)} before "
            f"it were not read (a store's log is read from its end; --full numbers every line)"
        )
        return 0


def open_object_log(url: str, sniff_bytes: int) -> tuple[LogSource, bytes]:
    """The object at ``url`` as a LogSource, and its first ``sniff_bytes`` bytes; raise LogError
    with the store's message when it cannot be read (missing, denied, a timeout)."""
    try:
        handle = ranged.RangedFile(url)
    except IsADirectoryError:
        raise LogError("not a regular file") from None
    except OSError as err:
        raise LogError(f"cannot read: {storage.message(err)}") from None
    try:
        head = handle.read(sniff_bytes)
    except OSError as err:
        handle.close()
        raise LogError(f"cannot read: {storage.message(err)}") from None
    return ObjectLogSource(url, handle, handle.size), head  # type: ignore[arg-type]
