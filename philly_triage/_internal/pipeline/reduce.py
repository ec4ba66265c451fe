"""Reduce a whole log, read forwards in chunks, to the few lines the locator needs.

The first pass finds the lines that may be failures; warnings full of error words are set aside
at once. Around each other one, a region of lines is cut: the context before it and, for a
traceback, the traceback and its message. Between two regions, just enough progress and success
lines are kept to tell whether the job went on (two progress lines or one success line decide
that). Regions are held as bytes, and only the latest are split into lines and read by the
locator's own rules (regions.py), which keep what the locator would read. The locator then
gives the same answer on the kept lines as on the whole log, while memory stays bounded by the
chunk size and MAX_HELD_BYTES, never by the size of the log, and the bulk of the log is only
searched, never split into lines.
"""

from __future__ import annotations

import re
from collections import deque
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple, Optional

from philly_triage._internal.catalogue.markers import Markers
from philly_triage._internal.pipeline.lines import ByteLines, cleaned, counts_as_evidence
from philly_triage._internal.pipeline.locate.candidates import set_aside
from philly_triage._internal.pipeline.locate.limits import (
    MAX_CONTEXT_LINES, MAX_DETAIL_LINES, MAX_FATAL_DETAIL_LINES, MAX_FRAME_LINES, PROGRESS_TO_SURVIVE,
    SUCCESS_TO_SURVIVE,
)
from philly_triage._internal.pipeline.locate.tracebacks import CHAIN_CAUSE, CHAIN_CONTEXT, TRACEBACK_START
from philly_triage._internal.pipeline.native import count_newlines, native_line_starts, native_walks
from philly_triage._internal.pipeline.regions import Region, region_lines
from philly_triage.models import LogLine

if TYPE_CHECKING:
    from philly_triage._internal.pipeline.split import Helper

BEFORE = MAX_CONTEXT_LINES + 1  # lines kept before a possible failure
AFTER = MAX_FATAL_DETAIL_LINES + 1  # lines kept after a fatal or keyword line
TRACEBACK_AFTER = MAX_DETAIL_LINES + 1  # lines kept after a traceback's exception line
# The end of a chunk is decided with the next one when a region could still reach into it.
CARRY_LINES = MAX_FRAME_LINES + MAX_DETAIL_LINES + BEFORE + AFTER + 8
MAX_CARRY_BYTES = 2 << 20
# Beyond these, the earliest regions are dropped (and a note says so): the answer lies in the latest.
MAX_HELD_BYTES = 8 << 20
MAX_HELD_ITEMS = 50_000


class Reduced(NamedTuple):
    """A log reduced: the lines the locator needs, a note if some had to be dropped, and the
    regions they were read from."""

    lines: list[LogLine]
    note: Optional[str]
    regions: list[Region]

    def offset_of(self, number: int, markers: Markers) -> Optional[int]:
        """Where line ``number`` starts in the bytes read (at its first segment with text, as
        ``ByteLines.offset_of`` says), when a region holds its start; else None."""
        for region in self.regions:
            if region.offset is None or not region.first_number <= number <= region.first_number + count_newlines(region.data):
                continue
            if number == region.first_number and region.offset > 0:
                return None  # a region may begin inside its first line (after a carriage return)
            found = ByteLines(region.data, markers, region.first_number).offset_of(number)
            return None if found is None else region.offset + found
        return None


def reduce_log(chunks: Iterable[bytes], path: str, markers: Markers) -> tuple[list[LogLine], Optional[str]]:
    """The lines of the log that the locator needs, and a note if some had to be dropped."""
    reduced = reduce_whole(chunks, path, markers)
    return reduced.lines, reduced.note


def reduce_whole(chunks: Iterable[bytes], path: str, markers: Markers, helper: Optional["Helper"] = None) -> Reduced:
    """The log reduced to what the locator needs (see Reduced).

    Regions are held as bytes, the latest MAX_HELD_BYTES of them, and read only at the end: in a
    log full of survived errors, the early ones never cost more than finding them. A ``helper``
    (split.py) has reduced the rest of the log from a later chunk in another process: once this
    reduction reaches a chunk's end in the state the helper was in there, the helper's items from
    that point on are the ones this reduction would keep, and it stops reading.
    """
    reduction = Reduction(markers)
    iterator = iter(chunks)
    chunk = next(iterator, None)
    while chunk is not None:
        following = next(iterator, None)
        reduction.step(chunk, last=following is None)
        chunk = following
        if helper is not None and helper.joined(reduction):
            break
    return reduction.reduced(path)


class Reduction:
    """A reduction under way: the items held (Region, and LogLine for the evidence between
    regions), and the state from which the rest of the log is reduced. That state is the bytes
    carried into the next chunk, where they start (``base``) and their line number: two
    reductions in the same state at the end of the same chunk go on alike (split.py)."""

    def __init__(self, markers: Markers, number: int = 1, base: int = 0):
        self.markers = markers
        self.held: deque = deque()  # the latest items, in order
        self.held_bytes = 0
        self.appended = 0  # items ever held, the dropped ones with them
        self.carry = b""  # the bytes carried over, the line number they start with, and where
        self.number = number
        self.base = base

    @property
    def end(self) -> int:
        """Where the bytes read so far end."""
        return self.base + len(self.carry)

    @property
    def state(self) -> tuple[int, int]:
        return self.base, self.number

    @property
    def dropped(self) -> bool:
        """Whether some of the items held were dropped as too many."""
        return self.appended > len(self.held)

    def step(self, chunk: bytes, last: bool) -> None:
        """Reduce one more chunk; ``last`` when no chunk follows it."""
        buffer = self.carry + chunk if self.carry else chunk
        reducer = _Buffer(buffer, self.number, self.markers, self.base)
        done = reducer.reduce(len(buffer) if last else _carry_start(buffer))
        self.hold(reducer.kept)
        self.number = reducer.number_at(done)  # counted on from the last region's start, not from the top
        self.carry, self.base = buffer[done:], self.base + done

    def hold(self, items: Iterable) -> None:
        """Hold ``items`` after the others, then drop the oldest beyond MAX_HELD_BYTES and
        MAX_HELD_ITEMS: what is held is always the longest run of latest items within them."""
        held = self.held
        for item in items:
            held.append(item)
            self.held_bytes += len(item.data) if isinstance(item, Region) else 0
            self.appended += 1
        while (self.held_bytes > MAX_HELD_BYTES or len(held) > MAX_HELD_ITEMS) and len(held) > 1:
            oldest = held.popleft()
            self.held_bytes -= len(oldest.data) if isinstance(oldest, Region) else 0

    def reduced(self, path: str) -> Reduced:
        lines: list[LogLine] = []
        for item in self.held:
            lines.extend(region_lines(item, path, self.markers) if isinstance(item, Region) else (item,))
        note = "the log holds too many possible failures: analysed the latest of them" if self.dropped else None
        return Reduced(lines, note, [item for item in self.held if isinstance(item, Region)])


def _carry_start(buffer: bytes) -> int:
    """The start of the line CARRY_LINES lines before the end of ``buffer`` (at most
    MAX_CARRY_BYTES before it): regions that start later are decided with the next chunk."""
    floor = max(0, len(buffer) - MAX_CARRY_BYTES)
    position = len(buffer) - 1
    for _ in range(CARRY_LINES):
        found = buffer.rfind(b"\n", floor, position)
        if found < 0:
            return floor
        position = found
    return position + 1


class _Buffer:
    """One buffer of whole lines being reduced; ``kept`` collects its kept lines in order."""

    def __init__(self, data: bytes, first_number: int, markers: Markers, base: int = 0):
        self.data = data
        self.markers = markers
        self.base = base  # where ``data`` starts in the bytes read
        self.kept: list = []  # Region and LogLine
        self._counted = (0, first_number)  # a byte offset and the number of the line it is on

    def reduce(self, cut: int) -> int:
        """Keep what regions starting before ``cut`` hold; return where the undecided rest begins."""
        done = 0
        for start, stop in self._regions(cut):
            self._keep_evidence(done, start)
            self._keep_region(start, stop)
            done = stop
        self._keep_evidence(done, cut)
        return max(done, cut)

    def _regions(self, cut: int) -> Iterator[tuple[int, int]]:
        """Merged byte ranges of whole lines around each possible failure that starts before ``cut``."""
        region: Optional[list[int]] = None
        for line_start in self._lines_found(self.markers.triggers, 0, len(self.data)):
            if line_start >= cut and (region is None or line_start > region[1]):
                break
            if self._noise(line_start):
                continue  # a warning full of error words: never a failure, and no region of its own
            stop = self._extent(line_start)
            if region is not None and line_start <= region[1]:
                region[1] = max(region[1], stop)  # inside the current region: its context is in it
                continue
            start = _back(self.data, line_start, BEFORE)
            if region is not None and start <= region[1]:
                region[1] = max(region[1], stop)
                continue
            if region is not None:
                yield region[0], region[1]
            region = [start, stop]
        if region is not None:
            yield region[0], region[1]

    def _lines_found(self, finder, start: int, stop: int, limit: Optional[int] = None) -> list[int]:
        """The start of each line of ``data[start:stop]`` where the finder finds a match, once each."""
        if finder is None:
            return []
        data = self.data
        offsets = finder.offsets(data, start, stop, limit)
        if native_line_starts is not None:  # the same loop in C (native/triage_native.c)
            return native_line_starts(data, offsets)
        return line_starts(data, offsets)

    def _noise(self, line_start: int) -> bool:
        """Whether the line is one the locator sets aside whatever surrounds it (noise that neither
        ends a job nor starts a traceback)."""
        raw = self.data[line_start:_line_end(self.data, line_start)]
        if b"raceback" in raw:
            return False
        text, _ = cleaned(raw, self.markers)
        return set_aside(text, self.markers)

    def _extent(self, line_start: int) -> int:
        """Where the region of a possible failure starting at ``line_start`` ends."""
        data = self.data
        end = _line_end(data, line_start)
        text, _ = cleaned(data[line_start:end], self.markers)  # kept from _noise
        if not TRACEBACK_START.search(text):
            return _forward(data, line_start, AFTER + 1)
        # A traceback: its frames, then its exception line and message.
        position = end + 1
        for _ in range(MAX_FRAME_LINES):
            if position >= len(data):
                return len(data)
            end = _line_end(data, position)
            line, _ = cleaned(data[position:end], self.markers)
            stripped = line.strip()
            if line and not line[:1].isspace() and not stripped.startswith(("File ", "Traceback", "[Previous")):
                if stripped not in (CHAIN_CAUSE, CHAIN_CONTEXT, "...", ""):
                    break
            position = end + 1
        return _forward(data, position, TRACEBACK_AFTER + 1)

    def _keep_region(self, start: int, stop: int) -> None:
        self.kept.append(Region(self.data[start:stop], self.number_at(start), self.base + start))

    def _keep_evidence(self, start: int, stop: int) -> None:
        """Keep up to two progress lines, or else one success line, of the bytes between regions."""
        markers = self.markers
        progress = self._evidence(start, stop, markers.progress_lines, "progress", PROGRESS_TO_SURVIVE)
        if len(progress) < PROGRESS_TO_SURVIVE:
            progress += self._evidence(start, stop, markers.success_hints, "success", SUCCESS_TO_SURVIVE)
        self.kept.extend(sorted(progress, key=lambda line: line.number))

    def _evidence(self, start: int, stop: int, finder, section: str, limit: int) -> list[LogLine]:
        found: list[LogLine] = []
        data = self.data
        while start < stop and len(found) < limit:
            hits = self._lines_found(finder, start, stop, 1)
            if not hits:
                break
            end = _line_end(data, hits[0])
            text, tag = cleaned(data[hits[0]:end], self.markers)
            if counts_as_evidence(text, section, self.markers):
                found.append(LogLine(self.number_at(hits[0]), text, tag))
            start = end + 1
        return found

    def number_at(self, offset: int) -> int:
        """The line number at ``offset``; offsets asked for only grow, so counting is incremental."""
        counted, number = self._counted
        if offset < counted:
            return number - count_newlines(self.data, offset, counted)
        number += count_newlines(self.data, counted, offset)
        self._counted = (offset, number)
        return number


# Regions, like the locator's views, are made of lines and carriage-return segments alike: a
# progress bar redrawn on one line of many MB gives a region of the few segments around a hit.
# Every walk below costs what lies between where it starts and what it finds, never the rest of
# the buffer: a search for a separator looks in windows that grow (FIRST_WINDOW, then 16 times
# wider), and a run of blank lines or bare carriage returns is skipped in one search, not one
# segment at a time (a few MB of ``\r`` once made the walk quadratic).
FIRST_WINDOW = 256
NON_BLANK = re.compile(rb"[^ \t\n\r\x0b\x0c]")  # what bytes.isspace() does not count as space


def line_starts(data: bytes, offsets: list[int]) -> list[int]:
    """The start of each line or carriage-return segment of ``data`` that holds one of ``offsets``
    (in order, one per match of a search), once each."""
    found: list[int] = []
    line_end = -1
    for offset in offsets:
        if offset <= line_end:
            continue  # another match on the line just found
        found.append(_line_start(data, offset))
        line_end = line_end_in_python(data, offset)
    return found


def line_end_in_python(data: bytes, start: int) -> int:
    """Where the line or carriage-return segment holding byte ``start`` ends (its separator)."""
    size, window = len(data), FIRST_WINDOW
    while True:
        stop = start + window  # (find clamps it to the data)
        newline = data.find(b"\n", start, stop)
        carriage = data.find(b"\r", start, stop if newline < 0 else newline)
        if carriage >= 0:
            return carriage
        if newline >= 0:
            return newline
        if stop >= size:
            return size
        window <<= 4


def _line_start(data: bytes, offset: int) -> int:
    """Where the line or carriage-return segment holding byte ``offset`` starts."""
    window = FIRST_WINDOW
    while True:
        floor = max(0, offset - window)
        found = max(data.rfind(b"\n", floor, offset), data.rfind(b"\r", floor, offset))
        if found >= 0 or floor == 0:
            return found + 1
        window <<= 4


_WHITE_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.rstrip() strips
_SEPARATORS = frozenset(b"\n\r")


def _last_non_blank(data: bytes, stop: int) -> int:
    """The offset of the last byte before ``stop`` that is not white space, or -1."""
    # The common cases, without copying a window: a byte of text, or one separator and then one.
    if stop > 0 and data[stop - 1] not in _WHITE_SPACE:
        return stop - 1
    if stop > 1 and data[stop - 1] in _SEPARATORS and data[stop - 2] not in _WHITE_SPACE:
        return stop - 2
    window = FIRST_WINDOW
    while stop > 0:
        floor = max(0, stop - window)
        kept = len(data[floor:stop].rstrip())
        if kept:
            return floor + kept - 1
        stop, window = floor, min(window << 4, MAX_CARRY_BYTES)
    return -1


def back_in_python(data: bytes, line_start: int, lines: int) -> int:
    """The start of the line (or segment) ``lines`` non-blank ones before the one starting at
    ``line_start`` (the locator does not count blank lines, so neither does a region)."""
    position = line_start
    while lines > 0 and position > 0:
        last = _last_non_blank(data, position)
        if last < 0:
            return 0
        position = _line_start(data, last)
        lines -= 1
    return position


def forward_in_python(data: bytes, line_start: int, lines: int) -> int:
    """The end (just past its separator) of the ``lines``-th non-blank line or segment from ``line_start``."""
    position = line_start
    while lines > 0 and position < len(data):
        found = NON_BLANK.search(data, position)
        if found is None:
            return len(data)
        position = line_end_in_python(data, found.start()) + 1
        lines -= 1
    return min(position, len(data))


# The three walks in C where the extension was built (native/triage_native.c): the same answers,
# without a Python call per line walked over.
_line_end, _back, _forward = native_walks or (line_end_in_python, back_in_python, forward_in_python)
