"""Read a few numbered lines of a log, as a person would see them: for `explain` and the report.

Line numbers count "\\n" only, as everywhere in triage; a line redrawn with carriage returns (a
progress bar) shows its last drawing. Compressed and UTF-16 logs are read through the reader, so
an excerpt is the decompressed text. Reading stops at the last line asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from philly_triage._internal.pipeline.lines import ANSI_ESCAPE, MAX_LINE_BYTES
from philly_triage._internal.pipeline.read import LogError, open_log


@dataclass(frozen=True)
class ExcerptLine:
    number: int
    text: str


def read_excerpt(path: str, first: int, last: int) -> list[ExcerptLine]:
    """Lines ``first``..``last`` (1-based, inclusive) of the log at ``path``; [] if it cannot be read."""
    first = max(1, first)
    if last < first:
        return []
    try:
        source = open_log(path)
    except LogError:
        return []
    found: list[ExcerptLine] = []
    number, pending = 1, b""
    try:
        for chunk in source.chunks():
            pending += chunk
            *whole, pending = pending.split(b"\n")
            for raw in whole:
                if number >= first:
                    found.append(ExcerptLine(number, _shown(raw)))
                number += 1
                if number > last:
                    return found
            if len(pending) > MAX_LINE_BYTES * 4:
                pending = pending[-MAX_LINE_BYTES:]  # an endless progress bar: keep its latest drawing
        if pending and first <= number <= last:
            found.append(ExcerptLine(number, _shown(pending)))
    except OSError:
        pass
    finally:
        source.close()
    return found


def _shown(raw: bytes) -> str:
    """One line as a terminal would show it: its last carriage-return drawing, without colour codes."""
    raw = raw.rstrip(b"\r")
    if b"\r" in raw:
        raw = next((part for part in reversed(raw.split(b"\r")) if part.strip()), b"")
    text = raw[:MAX_LINE_BYTES].decode("utf-8", "replace").replace("\x00", "")
    if "\x1b" in text:
        text = ANSI_ESCAPE.sub("", text)
    return text.rstrip()
