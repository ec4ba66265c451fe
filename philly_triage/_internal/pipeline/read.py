"""Open one log file and hand out its bytes: from either end, in bounded chunks, never all at once.

A plain log can be read backwards from its end (the failure that ended a job is almost always
there). A compressed or UTF-16 log can only be read forwards: it is decompressed or transcoded to
UTF-8 chunk by chunk. A damaged archive yields what came before the damage. Nothing here blocks on
a FIFO (regular_file.py opens it) or loads a whole file. A log that shrinks, is replaced or fails
while it is read gives what was read, with a note that it changed, never an exception.
"""

from __future__ import annotations

import codecs
import sys
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Iterator, Optional

from philly_triage._internal.pipeline.native import count_newlines
from philly_triage._internal.pipeline.regular_file import NotRegularFile, open_regular
from philly_triage._internal.pipeline.storage import is_url

SNIFF_BYTES = 8192
CHUNK_BYTES = 2 << 20  # one forward read; memory stays bounded by a few of these
COMPRESSED_INPUT = 1 << 20  # compressed bytes fed to a decompressor at a time
# A file whose size says 0 but that holds bytes (/proc, some FUSE files) is copied to a spool,
# in memory up to this size, so it is read once and can be read from its end like any log.
SPOOL_MEMORY = 8 << 20
class LogError(Exception):
    """A file that gives nothing to analyse: the reason is the message. ``not_a_log`` says that the
    file was read and is something else (a binary file), not that reading it failed."""

    def __init__(self, message: str, not_a_log: bool = False):
        super().__init__(message)
        self.not_a_log = not_a_log


def _gzip() -> "zlib._Decompress":
    return zlib.decompressobj(wbits=47)


def _bzip2():
    import bz2  # here, not at the top: most logs are not compressed, and a run's start is cheaper without it

    return bz2.BZ2Decompressor()


def _xz():
    import lzma  # (as bz2)

    return lzma.LZMADecompressor()


def _damage_errors() -> tuple:
    """What a damaged archive raises: lzma's own error too once an xz log has imported lzma (no
    LZMAError can be raised before)."""
    errors = (OSError, EOFError, ValueError, zlib.error)
    lzma = sys.modules.get("lzma")
    return errors if lzma is None else errors + (lzma.LZMAError,)


# Streaming decompressors by magic number.
COMPRESSED: dict[bytes, Callable] = {
    b"\x1f\x8b": _gzip,
    b"BZh": _bzip2,
    b"\xfd7zXZ\x00": _xz,
}


@dataclass
class LogSource:
    """An open log: its size, whether it can be read from its end, and its text encoding."""

    path: str
    handle: BinaryIO
    size: int
    decompressor: Optional[Callable] = None  # set for a compressed file
    encoding: Optional[str] = None  # "utf-16-le"/"utf-16-be"/"utf-16" when not UTF-8
    notes: list[str] = field(default_factory=list)  # caveats found while reading
    damaged: Optional[str] = None  # why the log could not be read to its end, if it could not

    @property
    def seekable(self) -> bool:
        """Whether the log can be read from its end (plain UTF-8 bytes on disk)."""
        return self.decompressor is None and self.encoding is None

    def read(self, start: int, stop: int) -> bytes:
        """Bytes ``start..stop-1`` of a plain log (fewer when it shrank while it was read)."""
        if stop <= start:
            return b""
        data = self._read_at(start, stop - start)
        if len(data) < stop - start and stop <= self.size:
            self._changed("it shrank")
        return data

    def count_newlines(self, stop: int) -> int:
        """How many lines end before byte ``stop`` of a plain log, read in bounded chunks."""
        count, position = 0, 0
        while position < stop:
            data = self._read_at(position, min(CHUNK_BYTES, stop - position))
            if not data:
                if stop <= self.size:
                    self._changed("it shrank")
                break
            count += count_newlines(data)
            position += len(data)
        return count

    def _read_at(self, start: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``start``: what could be read, and a note when the file failed
        under the read (an error from its file system while it was truncated or replaced)."""
        parts: list[bytes] = []
        try:
            self.handle.seek(start)
            wanted = size
            while wanted > 0:
                data = self.handle.read(wanted)
                if not data:
                    break
                parts.append(data)
                wanted -= len(data)
        except OSError as err:
            self._changed(f"reading it failed: {err.strerror or err}")
        return b"".join(parts)

    def _changed(self, how: str) -> None:
        """Note that the file changed (or failed) while it was read: what was read is all there is."""
        if self.damaged is None:
            self.damaged = f"the file changed while it was read ({how}); analysed what was read"
            self.notes.append(self.damaged)

    def chunks(self) -> Iterator[bytes]:
        """The whole log as UTF-8 bytes, from its start, in chunks of about CHUNK_BYTES."""
        raw: Iterator[bytes] = self._raw_chunks()
        if self.decompressor is not None:
            raw = self._decompressed(raw)
        if self.encoding is not None:
            raw = _transcoded(raw, self.encoding)
        return raw

    def _raw_chunks(self) -> Iterator[bytes]:
        size = COMPRESSED_INPUT if self.decompressor is not None else CHUNK_BYTES
        position = 0
        while True:
            data = self._read_at(position, size)
            if not data:
                if position < self.size:
                    self._changed("it shrank")
                return
            position += len(data)
            yield data

    def _decompressed(self, raw: Iterator[bytes]) -> Iterator[bytes]:
        """Decompress every member of the archive, output bounded per step; keep what precedes damage."""
        decompressor, fed = self.decompressor(), False
        damage = _damage_errors()
        try:
            for data in raw:
                pending = data
                while pending:
                    fed = True
                    out = decompressor.decompress(pending, CHUNK_BYTES)
                    if out:
                        yield out
                    yield from _drain(decompressor)
                    if decompressor.eof:
                        pending = decompressor.unused_data
                        decompressor, fed = self.decompressor(), False
                    else:
                        pending = getattr(decompressor, "unconsumed_tail", b"")
            yield from _drain(decompressor)
        except damage as err:
            self.damaged = f"compressed file is damaged ({err}); read what came before"
            self.notes.append(self.damaged)
            return
        if fed and not decompressor.eof:
            self.damaged = "compressed file is truncated; read what came before"
            self.notes.append(self.damaged)

    def close(self) -> None:
        self.handle.close()


def _drain(decompressor) -> Iterator[bytes]:
    """Output that bz2 and lzma hold back when a step's output limit was reached."""
    while not decompressor.eof and not getattr(decompressor, "needs_input", True):
        out = decompressor.decompress(b"", CHUNK_BYTES)
        if not out:
            return
        yield out


def _transcoded(raw: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    for data in raw:
        text = decoder.decode(data)
        if text:
            yield text.encode("utf-8")
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8")


def open_log(path: str) -> LogSource:
    """Open ``path`` for reading; raise LogError saying why a file cannot be analysed.
    A URL (``s3://...``) is an object in a store, read by ranged requests (remote_log.py)."""
    if is_url(path):
        from philly_triage._internal.pipeline.remote_log import open_object_log

        source, head = open_object_log(path, SNIFF_BYTES)
        return _sniffed(source, head)
    try:
        handle, info = open_regular(path)
    except NotRegularFile:
        raise LogError("not a regular file") from None
    except OSError as err:
        raise LogError(f"cannot read: {err.strerror or err}") from None
    try:
        size = info.st_size
        if size == 0:
            handle, size = _spooled(handle)
        handle.seek(0)
        head = handle.read(SNIFF_BYTES)
    except OSError as err:
        handle.close()
        raise LogError(f"cannot read: {err.strerror or err}") from None
    return _sniffed(LogSource(path, handle, size), head)


def _sniffed(source: LogSource, head: bytes) -> LogSource:
    """``source`` with its compression and encoding found from its first bytes ``head``."""
    for magic, make in COMPRESSED.items():
        if head.startswith(magic):
            source.decompressor = make
            head = _decompressed_head(source)
            break
    try:
        source.encoding = sniff_encoding(head)
    except LogError:
        source.close()
        raise
    return source


def _spooled(handle: BinaryIO) -> tuple[BinaryIO, int]:
    """A file whose size says 0, and its real size: itself when it is empty; else its bytes read
    to its end into a spool (a /proc file has content that its size does not show)."""
    data = handle.read(CHUNK_BYTES)
    if not data:
        return handle, 0
    import tempfile  # here: only a file whose size says 0 needs it

    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
    size = 0
    with handle:
        while data:
            spool.write(data)
            size += len(data)
            data = handle.read(CHUNK_BYTES)
    spool.seek(0)
    return spool, size  # type: ignore[return-value]


def _decompressed_head(source: LogSource) -> bytes:
    """The first decompressed bytes, to sniff the encoding of what the archive holds."""
    head = b""
    for chunk in source.chunks():
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    source.notes.clear()  # a damaged archive is reported when it is read for real
    source.damaged = None
    return head[:SNIFF_BYTES]


def sniff_encoding(head: bytes) -> Optional[str]:
    """None for UTF-8 (or something close), a UTF-16 codec name, or LogError for a binary file."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16:
            return utf16
        # NUL bytes alone are not binary: a node that crashed can leave a zero-filled hole in a log.
        if _looks_binary(head.replace(b"\x00", b"")):
            raise LogError("binary file, not a text log", not_a_log=True)
    return None


def _utf16_without_bom(head: bytes) -> Optional[str]:
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _looks_binary(head: bytes) -> bool:
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return controls > 0.05 * len(head) if head else False
