"""Reduce the second half of a big plain log in a helper process while this one reduces the first.

A log read whole is reduced chunk by chunk (reduce.py), and what a chunk adds depends only on the
state the reduction is in at that chunk's start: the bytes carried over, where they start, and
their line number. So the helper, forked at the start, reduces the log from a chunk boundary near
its middle (counting the lines before it first), and notes its state at the end of every chunk.
This process reduces the log from its start as always; past the middle, once its state at the
end of a chunk is the helper's state there, the two go on alike, and the helper's items from that
point on are the ones this process would have found. Regions join only across lines close
together, so that happens a chunk or two past the middle. Until it happens, and whenever the
helper fails, this process simply reads on: the records are the same either way.

The helper is forked only where that is safe and pays: on Linux, with a second core, in a process
with no other thread (fork copies one thread only), for a plain file of SPLIT_MIN_BYTES or more.
It ignores the stop signals, which are its parent's to handle, and dies with its parent.
"""

from __future__ import annotations

import io
import os
import pickle
import signal
import stat
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.native import count_newlines
from philly_triage._internal.pipeline import read
from philly_triage._internal.pipeline.read import LogSource
from philly_triage._internal.pipeline.reduce import Reduction
from philly_triage._internal.pipeline.worker_life import STOP_SIGNALS, prctl_pdeathsig, stop_signals_blocked

SPLIT_MIN_BYTES = 64 << 20  # below this, a fork and a second read of half the log cost more than they save


@dataclass
class Part:
    """What the helper found: its state at the end of each chunk, by where the chunk ends (where
    the carried bytes start, their line number, and how many items it had held by then), and the
    items it holds at the end, the first of which is its item number ``first``."""

    states: dict[int, tuple[int, int, int]]
    held: list
    first: int


class Helper:
    """A helper process reducing a log from byte ``start`` (a chunk boundary) to its end."""

    def __init__(self, pid: int, reader: int, start: int):
        self.pid, self.reader, self.start = pid, reader, start
        self.part: Optional[Part] = None
        self.collected = False

    def joined(self, reduction: Reduction) -> bool:
        """Whether the helper's items now complete ``reduction``: when it is where the helper was
        at the end of the same chunk. Then they have been added to it, and it has nothing left to read."""
        if reduction.end <= self.start:
            return False
        if not self.collected:
            self.part = self._collect()
        part = self.part
        seen = None if part is None else part.states.get(reduction.end)
        if seen is None or seen[:2] != reduction.state:
            return False
        index = seen[2]
        if index < part.first:  # the helper dropped items after that point: it holds the latest that fit
            reduction.held.clear()
            reduction.held_bytes = 0
            reduction.dropped = True
            reduction.hold(part.held)
        else:
            reduction.hold(part.held[index - part.first:])
        return True

    def _collect(self) -> Optional[Part]:
        """The helper's Part, once it has ended; None when it failed."""
        self.collected = True
        pieces: list[bytes] = []
        try:
            while True:
                piece = os.read(self.reader, 1 << 20)
                if not piece:
                    break
                pieces.append(piece)
        except OSError:
            pieces = []
        status = self._reap()
        if status != 0 or not pieces:
            return None
        try:
            part = pickle.loads(b"".join(pieces))
        except Exception:  # a helper cut short: read on here
            return None
        return part if isinstance(part, Part) else None

    def _reap(self) -> Optional[int]:
        os.close(self.reader)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status

    def close(self) -> None:
        """End the helper if its answer was never asked for (the log ended before its start)."""
        if not self.collected:
            self.collected = True
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            self._reap()


@contextmanager
def helper_for(source: LogSource, markers: Markers) -> Iterator[Optional[Helper]]:
    """A helper reducing the second half of ``source``, where one pays and is safe; else None."""
    fd = _plain_file(source)
    if fd is None:
        yield None
        return
    chunk = read.CHUNK_BYTES  # the helper reads the chunks this process reads, from a boundary
    start = source.size // 2 // chunk * chunk
    helper = _fork(fd, start, chunk, markers) if start > 0 else None
    try:
        yield helper
    finally:
        if helper is not None:
            helper.close()


def _plain_file(source: LogSource) -> Optional[int]:
    """The descriptor of ``source`` when a helper may read it; else None."""
    if not source.seekable or source.size < SPLIT_MIN_BYTES:
        return None
    if not sys.platform.startswith("linux") or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return None
    if threading.active_count() > 1 or not isinstance(source.handle, (io.FileIO, io.BufferedReader)):
        return None
    try:
        fd = source.handle.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (OSError, ValueError):
        return None


def _fork(fd: int, start: int, chunk: int, markers: Markers) -> Optional[Helper]:
    try:
        reader, writer = os.pipe()
    except OSError:
        return None
    parent = os.getpid()
    with stop_signals_blocked():  # a stop signal waits for the parent, and the helper ignores it
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return None
        if pid == 0:
            _helper_main(fd, start, chunk, markers, parent, reader, writer)  # never returns
    os.close(writer)
    return Helper(pid, reader, start)


def _helper_main(fd: int, start: int, chunk: int, markers: Markers, parent: int, reader: int, writer: int) -> None:
    code = 1
    try:
        os.close(reader)
        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_IGN)
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_SETMASK, set())
        prctl_pdeathsig(signal.SIGKILL)
        if os.getppid() == parent:
            part = reduce_part(fd, start, chunk, markers)
            if part is not None:
                _write_all(writer, pickle.dumps(part, pickle.HIGHEST_PROTOCOL))
                code = 0
    except BaseException:  # the parent reads on by itself
        code = 1
    finally:
        os._exit(code)


def reduce_part(fd: int, start: int, size: int, markers: Markers) -> Optional[Part]:
    """Reduce the file from byte ``start`` to its end in chunks of ``size`` bytes, as the whole
    reduction reads them; None when the file is shorter than ``start``."""
    before, position = 0, 0
    while position < start:
        data = _read_at(fd, position, min(size, start - position))
        if not data:
            return None
        before += count_newlines(data)
        position += len(data)
    reduction = Reduction(markers, number=1 + before, base=start)
    states: dict[int, tuple[int, int, int]] = {}
    chunk = _read_at(fd, position, size)
    position += len(chunk)
    while chunk:
        following = _read_at(fd, position, size)
        position += len(following)
        reduction.step(chunk, last=not following)
        states[reduction.end] = (reduction.base, reduction.number, reduction.appended)
        chunk = following
    return Part(states, list(reduction.held), reduction.appended - len(reduction.held))


def _read_at(fd: int, position: int, size: int) -> bytes:
    """Up to ``size`` bytes from ``position``, as many as the file holds there."""
    parts: list[bytes] = []
    while size > 0:
        data = os.pread(fd, size, position)
        if not data:
            break
        parts.append(data)
        position += len(data)
        size -= len(data)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
