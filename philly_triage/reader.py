"""Read one log file into clean lines: decompress, decode leniently, strip colour codes and prefixes.

Line numbers count "\\n" only, as ``grep -n`` does: a carriage return of a progress bar splits a
line into several segments that keep the line's number.
"""

from __future__ import annotations

import bz2
import lzma
import os
import re
import stat
import zlib
from dataclasses import dataclass
from typing import Optional

from philly_triage.markers import Markers
from philly_triage.models import LogLine

ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# Streaming decompressors by magic number: a damaged archive still yields what came before the damage.
COMPRESSED = {
    b"\x1f\x8b": lambda: zlib.decompressobj(wbits=47),
    b"BZh": bz2.BZ2Decompressor,
    b"\xfd7zXZ\x00": lzma.LZMADecompressor,
}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class LogText:
    """The readable lines of one log file, or why it could not be read."""

    path: str
    lines: tuple[LogLine, ...] = ()
    error: Optional[str] = None  # the file gave nothing to analyse
    note: Optional[str] = None  # read, with a caveat (e.g. a truncated archive)


def read_log(path: str, markers: Markers) -> LogText:
    """Read ``path`` into LogLines; never raises for a bad file, says why in ``error`` instead."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        return LogText(path, error=f"cannot read: {err.strerror or err}")
    if not stat.S_ISREG(mode):
        return LogText(path, error="not a regular file")
    try:
        raw, note = _read_bytes(path)
    except OSError as err:
        return LogText(path, error=f"cannot read: {err.strerror or err}")
    if not raw:
        return LogText(path, note=note or "empty file")
    text = decode(raw)
    if text is None:
        return LogText(path, error="binary file, not a text log")
    return LogText(path, tuple(split_lines(text, markers)), note=note)


def _read_bytes(path: str) -> tuple[bytes, Optional[str]]:
    with open(path, "rb") as handle:
        raw = handle.read()
    for magic, make in COMPRESSED.items():
        if raw.startswith(magic):
            return _decompress(raw, make)
    return raw, None


def _decompress(raw: bytes, make) -> tuple[bytes, Optional[str]]:
    """Decompress every member of an archive; a damaged one keeps what came before the damage."""
    chunks = []
    pending = raw
    while pending:
        decompressor = make()
        try:
            chunks.append(decompressor.decompress(pending))
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as err:
            return b"".join(chunks), f"compressed file is damaged ({err}); read what came before"
        if not decompressor.eof:
            return b"".join(chunks), "compressed file is truncated; read what came before"
        pending = decompressor.unused_data
    return b"".join(chunks), None


def decode(raw: bytes) -> Optional[str]:
    """Decode leniently: UTF-16 when it looks like it, else UTF-8 with replacements; None if binary."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    head = raw[:SNIFF_BYTES]
    if b"\x00" in head:
        utf16 = _utf16_without_bom(head)
        if utf16:
            return raw.decode(utf16, errors="replace")
        if _looks_binary(head):
            return None
        raw = raw.replace(b"\x00", b"")
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


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
    return controls > 0.05 * len(head)


def split_lines(text: str, markers: Markers) -> list[LogLine]:
    """Split on "\\n" only; each carriage-return segment becomes its own LogLine of that line number."""
    text = ANSI_ESCAPE.sub("", text)
    lines = []
    for number, raw_line in enumerate(text.split("\n"), start=1):
        for segment in raw_line.split("\r"):
            cleaned, tag = strip_prefixes(segment.rstrip(), markers)
            if cleaned.strip():
                lines.append(LogLine(number, cleaned, tag))
    return lines


def strip_prefixes(text: str, markers: Markers) -> tuple[str, str]:
    """Remove timestamps and process tags from the start of a line; return the text and the tag."""
    tag = ""
    for _ in range(4):
        for pattern in markers.line_prefixes:
            found = pattern.match(text)
            if found and found.end() > 0:
                tag = found.groupdict().get("tag") or tag
                text = text[found.end():]
                break
        else:
            break
    return text, tag
