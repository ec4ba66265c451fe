"""Reduce a big plain log read whole in two processes: this one from the start, a helper from the end.

A log read whole is reduced chunk by chunk (reduce.py), and what a chunk adds depends only on the
state the reduction is in at that chunk's start: the bytes carried over, where they start, and
their line number. Two reductions in the same state at the end of the same chunk go on alike.

So the log is cut, on chunk boundaries, into parts (up to MAX_PARTS, of PART_MIN_CHUNKS chunks or
more). This process reduces the log from its start, as always. A helper, forked at the start,
counts the lines before each part, then reduces the parts from the last one back, each from its
first byte as if the log began there, noting its state at the end of every chunk. It reduces a
part on into the next one until its state at a chunk's end is the one it noted there before;
from that chunk on, what it found before is right, and the two join (``take_over``). Regions
join only across lines close together, so that happens a chunk or two past a part's end.

The helper takes no part this process has already reached (it reads this process's position from
a shared page); when it stops, it sends what it found, from the start of its last part to the end
of the log. This process never waits for it: it reads on, and takes the helper's findings over at
the first chunk's end where its state is the helper's. Until then, and whenever the helper fails,
it simply reads on: the records are those of one process either way.

The helper is forked only where that is safe and pays: on Linux, with a second core in the
process's CPU set, in a process with no other thread (fork copies the calling thread only), for a
plain file of SPLIT_MIN_BYTES or more. It ignores the stop signals, which are its parent's to
handle, and dies with its parent.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import select
import signal
import stat
import struct
import sys
import threading
from contextlib import contextmanager
from typing import Iterator, NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline import read
from philly_triage._internal.pipeline.native import count_newlines
from philly_triage._internal.pipeline.parallel import available_cores
from philly_triage._internal.pipeline.read import LogSource
from philly_triage._internal.pipeline.reduce import Reduction
from philly_triage._internal.pipeline.worker_life import STOP_SIGNALS, prctl_pdeathsig, stop_signals_blocked

SPLIT_MIN_BYTES = 64 << 20  # below this, a fork and the helper's counting cost more than they save
MAX_PARTS = 16  # the helper stops at most one part's work short of where this process is
PART_MIN_CHUNKS = 8  # a part is read on a chunk or two past its end: parts are kept much longer
POSITION = struct.Struct("q")  # this process's position in the log, on the page it shares with the helper


class Part(NamedTuple):
    """A log reduced from byte ``start`` to its end: the reduction's state at the end of each
    chunk, by where the chunk ends (where the carried bytes start, their line number, and how
    many items had been held by then), and the items held at the end, the first of which is item
    number ``first`` (the items before it were dropped as too many)."""

    start: int
    states: dict[int, tuple[int, int, int]]
    held: list
    first: int


def take_over(reduction: Reduction, part: Part) -> Optional[int]:
    """When ``reduction`` is in the state ``part`` was in at the same chunk's end, add the part's
    items from there on to it, and return by how much the part's item numbers grow in it; else None."""
    seen = part.states.get(reduction.end)
    if seen is None or seen[:2] != reduction.state:
        return None
    index = seen[2]
    shift = reduction.appended - index
    if index < part.first:  # the part dropped items after that point: it holds the latest that fit
        reduction.held.clear()
        reduction.held_bytes = 0
        reduction.hold(part.held)
    else:
        reduction.hold(part.held[index - part.first:])
    reduction.appended = part.first + len(part.held) + shift
    return shift


class Helper:
    """The helper process, as this process sees it: its pid, the pipe its findings come through,
    and the shared page where this process tells it how far it has read."""

    def __init__(self, pid: int, reader: int, position: mmap.mmap):
        self.pid, self.reader, self.position = pid, reader, position
        self.part: Optional[Part] = None
        self.ended = False

    def joined(self, reduction: Reduction) -> bool:
        """Whether the helper's findings now complete ``reduction`` (then they are in it, and it
        has nothing left to read). Never waits for the helper."""
        if not self.ended:
            POSITION.pack_into(self.position, 0, reduction.end)
            try:
                sent = select.select([self.reader], [], [], 0)[0]
            except (OSError, ValueError):  # no way to hear from it: read on alone
                self.close()
                return False
            if sent:
                self.part = self._collect()
        return self.part is not None and take_over(reduction, self.part) is not None

    def _collect(self) -> Optional[Part]:
        """The helper's findings, once it sends them (it then ends); None when it failed."""
        pieces: list[bytes] = []
        try:
            while True:
                piece = os.read(self.reader, 1 << 20)
                if not piece:
                    break
                pieces.append(piece)
        except OSError:
            pieces = []
        if self._end(kill=False) != 0 or not pieces:
            return None
        try:
            part = pickle.loads(b"".join(pieces))
        except Exception:  # a helper cut short: read on here
            return None
        return part if isinstance(part, Part) else None

    def _end(self, kill: bool) -> Optional[int]:
        self.ended = True
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        os.close(self.reader)
        self.position.close()
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped already (SIGCHLD ignored): how it ended is not known
            return None
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """End the helper if it is still at work (this process read the log to its end first)."""
        if not self.ended:
            self._end(kill=True)


@contextmanager
def helper_for(source: LogSource, markers: Markers) -> Iterator[Optional[Helper]]:
    """A helper reducing ``source`` from its end, where one pays and is safe; else None."""
    fd = _plain_file(source)
    chunk = read.CHUNK_BYTES  # the helper reads the chunks this process reads
    starts = part_starts(source.size, chunk)
    helper = _fork(fd, starts, chunk, markers) if fd is not None and len(starts) > 1 else None
    try:
        yield helper
    finally:
        if helper is not None:
            helper.close()


def part_starts(size: int, chunk: int) -> list[int]:
    """Where the parts of a log of ``size`` bytes start: on chunk boundaries, the first at 0."""
    chunks = -(-size // chunk)
    parts = max(1, min(MAX_PARTS, chunks // PART_MIN_CHUNKS))
    return [chunks * index // parts * chunk for index in range(parts)]


def _plain_file(source: LogSource) -> Optional[int]:
    """The descriptor of ``source`` when a helper may read it; else None."""
    if not source.seekable or source.size < SPLIT_MIN_BYTES:
        return None
    if not sys.platform.startswith("linux") or not hasattr(os, "fork") or available_cores() < 2:
        return None
    if threading.active_count() > 1 or not isinstance(source.handle, (io.FileIO, io.BufferedReader)):
        return None
    try:
        fd = source.handle.fileno()
        return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    except (OSError, ValueError):
        return None


def _fork(fd: int, starts: list[int], chunk: int, markers: Markers) -> Optional[Helper]:
    try:
        position = mmap.mmap(-1, POSITION.size)
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
            position.close()
            return None
        if pid == 0:
            os.close(reader)
            _helper_main(fd, starts, chunk, markers, parent, position, writer)  # never returns
    os.close(writer)
    return Helper(pid, reader, position)


def _helper_main(fd: int, starts: list[int], chunk: int, markers: Markers, parent: int, position, writer: int) -> None:
    code = 1
    try:
        for name in STOP_SIGNALS:
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        prctl_pdeathsig(signal.SIGKILL)
        if os.getppid() == parent:
            part = reduce_parts(fd, starts, chunk, markers, lambda: POSITION.unpack_from(position, 0)[0])
            if part is not None:
                _write_all(writer, pickle.dumps(part, pickle.HIGHEST_PROTOCOL))
                code = 0
    except BaseException:  # the parent reads on by itself
        code = 1
    finally:
        os._exit(code)


def reduce_parts(fd: int, starts: list[int], chunk: int, markers: Markers, reached=lambda: 0) -> Optional[Part]:
    """Reduce the parts of the file that begin at ``starts[1:]``, from the last one back, each
    joined to what was found after it, until ``reached()`` (how far the other reduction has read)
    passes the next part's start. What was found, from its first part's start to the end; None
    when the file turned out shorter than a part's start."""
    numbers = _line_numbers(fd, starts[1:], chunk)
    if numbers is None:
        return None
    found: Optional[Part] = None
    for start, number in reversed(list(zip(starts[1:], numbers))):
        if reached() > start:
            break
        found = _reduce_part(fd, start, number, chunk, markers, found)
    return found


def _line_numbers(fd: int, starts: list[int], chunk: int) -> Optional[list[int]]:
    """The line number of the byte at each of ``starts`` (in order); None when the file is shorter."""
    numbers, before, position = [], 0, 0
    for start in starts:
        while position < start:
            data = _read_at(fd, position, min(chunk, start - position))
            if not data:
                return None
            before += count_newlines(data)
            position += len(data)
        numbers.append(1 + before)
    return numbers


def _reduce_part(fd: int, start: int, number: int, chunk: int, markers: Markers, after: Optional[Part]) -> Part:
    """The file reduced from ``start`` as if the log began there, taking over what was found
    ``after`` it where the two agree."""
    reduction = Reduction(markers, number=number, base=start)
    states: dict[int, tuple[int, int, int]] = {}
    position = start
    data = _read_at(fd, position, chunk)
    position += len(data)
    while data:
        following = _read_at(fd, position, chunk)
        position += len(following)
        reduction.step(data, last=not following)
        end = reduction.end
        states[end] = (reduction.base, reduction.number, reduction.appended)
        if after is not None and end > after.start:
            shift = take_over(reduction, after)
            if shift is not None:
                states.update((later, (base, line, index + shift)) for later, (base, line, index) in after.states.items() if later > end)
                break
        data = following
    return Part(start, states, list(reduction.held), reduction.appended - len(reduction.held))


def _read_at(fd: int, position: int, size: int) -> bytes:
    """Up to ``size`` bytes from ``position``, as many as the file holds there. The descriptor is
    the parent's too, offset included: ``pread`` reads without moving it, where LogSource's reads
    (a seek, then a read) would move the parent's place in the file."""
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
