"""Keep what the engine needs of a log that arrives as a stream (a pipe, a running command's output),
in bounded memory, and classify it as the log file it stands for.

The engine reads a log from its end (scan.py): windows of FIRST_WINDOW bytes, GROWTH times wider
each time, up to the first that reaches MAX_WINDOW, so it never reads more than TAIL_BYTES (16 MiB)
of a log's end before it reads the log whole. Its GPU time reads the first timestamp in the first
HEAD_BYTES (256 KiB) of a log (cost.py). A stream is kept as exactly those two pieces: its first
HEAD_BYTES and its last TAIL_BYTES; whatever lies between is counted (bytes and lines), not kept.
A stream that fits in both is kept whole, so its record is the record of the same bytes in a file.

At the end of the stream the pieces are written to a temporary file, each cut to whole lines, and
that file is classified through the engine; the record's line numbers are then moved back to the
stream's own (the lines not kept are added to those after the head) and its temporary path is
replaced by the stream's name.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple, Optional

from philly_triage._internal.pipeline.cost import HEAD_BYTES
from philly_triage._internal.pipeline.read import COMPRESSED, SNIFF_BYTES, LogError, sniff_encoding
from philly_triage._internal.pipeline.scan import FIRST_WINDOW, GROWTH, MAX_WINDOW
from philly_triage._internal.pipeline.verdict import renamed
from philly_triage.models import FailureRecord, Job

if TYPE_CHECKING:
    from philly_triage._internal.pipeline.engine import Classifier


def _largest_window() -> int:
    window = FIRST_WINDOW
    while window < MAX_WINDOW:
        window *= GROWTH
    return window


TAIL_BYTES = _largest_window()  # 16 MiB: the widest window scan.py reads from a log's end
READ_BYTES = 1 << 16  # one read from a pipe (a Linux pipe holds 64 KiB)


class Kept(NamedTuple):
    """How the kept pieces stand for the stream: the lines of the head, the lines between head and
    tail that were not kept, the bytes not kept, and why the pieces cannot stand for it, if they cannot."""

    head_lines: int = 0
    skipped_lines: int = 0
    skipped_bytes: int = 0
    total_bytes: int = 0
    problem: Optional[str] = None


class TailKeeper:
    """The first ``head`` and the last ``tail`` bytes of a stream fed to it in pieces; memory stays
    under head + tail + one piece, however long the stream."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES) -> None:
        self.head_limit, self.tail_limit = head, tail
        self.head = bytearray()
        self.tail: deque[bytes] = deque()
        self.tail_size = 0
        self.total = 0
        self.dropped_bytes = 0
        self.dropped_lines = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if not data:
            return
        if len(data) > self.tail_limit:  # one piece longer than the tail: only its end can stay
            self._drop(data[: len(data) - self.tail_limit])
            data = data[len(data) - self.tail_limit:]
        self.tail.append(data)
        self.tail_size += len(data)
        while self.tail_size - len(self.tail[0]) >= self.tail_limit:
            piece = self.tail.popleft()
            self.tail_size -= len(piece)
            self._drop(piece)

    def _drop(self, piece: bytes) -> None:
        self.dropped_bytes += len(piece)
        self.dropped_lines += piece.count(b"\n")

    def write(self, path: str) -> Kept:
        """Write the kept pieces to ``path``, cut to whole lines where bytes were not kept, and let
        them go (the keeper is empty after): the pieces are written one by one, never joined."""
        head, pieces = bytes(self.head), list(self.tail)
        self.head, self.tail, self.tail_size = bytearray(), deque(), 0
        excess = sum(map(len, pieces)) - self.tail_limit  # the oldest piece may reach past the limit
        if excess > 0:
            self._drop(pieces[0][:excess])
            pieces[0] = pieces[0][excess:]
        if not self.dropped_bytes:
            _write(path, [head] + pieces)
            return Kept(head.count(b"\n"), 0, 0, self.total)
        head_end = head.rfind(b"\n") + 1  # the head's last, partial line is not kept
        skip, newline = 0, False  # nor the tail's first: it may be the end of a line cut
        for index, piece in enumerate(pieces):
            found = piece.find(b"\n")
            if found >= 0:
                skip += found + 1
                pieces, newline = [piece[found + 1:]] + pieces[index + 1:], True
                break
            skip += len(piece)
        else:
            skip = 0  # the tail lies inside one enormous line: keep the piece of it
        _write(path, [head[:head_end]] + pieces)
        skipped_bytes = self.dropped_bytes + len(head) - head_end + skip
        return Kept(head[:head_end].count(b"\n"), self.dropped_lines + newline, skipped_bytes, self.total,
                    _unsplittable(head))


def _write(path: str, pieces: list) -> None:
    with open(path, "wb") as log:
        for piece in pieces:
            log.write(piece)


def _unsplittable(head: bytes) -> Optional[str]:
    """Why the start and end of this stream cannot be read apart (a compressed or UTF-16 stream), if so."""
    if head.startswith(tuple(COMPRESSED)):
        return "compressed"
    try:
        if sniff_encoding(head[:SNIFF_BYTES]) is not None:
            return "UTF-16"
    except LogError:
        return None  # binary: the engine says so of what is kept
    return None


def restore(record: FailureRecord, path: str, name: str, kept: Kept) -> FailureRecord:
    """The record of the kept file as the stream's: its line numbers, its name, and a note of what was not kept."""
    if kept.skipped_lines or kept.skipped_bytes:
        changes: dict = {}
        if record.file == path and record.line is not None and record.line > kept.head_lines:
            changes["line"] = record.line + kept.skipped_lines
        if record.exit_source and record.exit_source.startswith(path + ":"):
            number = record.exit_source[len(path) + 1:]
            if number.isdigit() and int(number) > kept.head_lines:
                changes["exit_source"] = f"{path}:{int(number) + kept.skipped_lines}"
        note = (f"{path}: a stream of {_size(kept.total_bytes)}: the engine read its first {_size(HEAD_BYTES)} "
                f"and last {_size(TAIL_BYTES)}; the {kept.skipped_lines} lines between were not kept")
        record = replace(record, notes=record.notes + (note,), **changes)
    return renamed(record, path, name)


def _size(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


class Ending(NamedTuple):
    """How a command whose output was kept ended: its exit status, and when it started and ended."""

    exit_code: int  # as a shell reports it: 128 + N for a command killed by signal N
    start: dt.datetime
    end: dt.datetime


class KeptLog:
    """A stream's kept pieces in a temporary file, as a Job for the engine, until closed. ``ending``,
    when the stream is a command's output, reaches the engine as the job's metadata file (exit_code,
    start, end), as a platform's would."""

    def __init__(self, keeper: TailKeeper, ending: Optional[Ending] = None) -> None:
        import tempfile  # here: only a stream read from a pipe needs it

        self._folder = tempfile.TemporaryDirectory(prefix="triage-stream-")
        self.path = os.path.join(self._folder.name, "log")
        self.kept = keeper.write(self.path)
        self.meta: Optional[str] = None
        if ending is not None:
            self.meta = os.path.join(self._folder.name, "job.meta.yaml")
            with open(self.meta, "w", encoding="utf-8") as out:
                out.write(f"exit_code: {ending.exit_code}\nstart: '{_iso(ending.start)}'\nend: '{_iso(ending.end)}'\n")

    @property
    def job(self) -> Job:
        if self.kept.problem is not None:
            problem = (f"a {self.kept.problem} stream longer than {_size(HEAD_BYTES + TAIL_BYTES)} cannot be read "
                       "from its end: decompress it before the pipe (e.g. zcat FILE | triage classify -)")
            return Job(self.path, (), problem=problem)
        return Job(self.path, (self.path,), meta=self.meta)

    def restore(self, record: FailureRecord, name: str) -> FailureRecord:
        """The engine's record of ``job`` as the stream's, named ``name``."""
        if self.meta is not None:
            record = renamed(record, self.meta, f"{name} (exit status)")
        return restore(record, self.path, name, self.kept)

    def close(self) -> None:
        self._folder.cleanup()

    def __enter__(self) -> "KeptLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def classify_kept(classifier: "Classifier", keeper: TailKeeper, name: str,
                  ending: Optional[Ending] = None) -> FailureRecord:
    """The record, through the engine, of the stream ``keeper`` kept, named ``name``."""
    with KeptLog(keeper, ending) as log:
        return log.restore(classifier.classify(log.job), name)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

